/* SPDX-License-Identifier: GPL-3.0-or-later */
/* rel-window.c: the main window — opens a report off the main thread and shows it. */
#define G_LOG_DOMAIN "rel-window"

#include "config.h"

#include <glib/gi18n.h>

#include "rel-window.h"

struct _RelWindow
{
  GtkApplicationWindow  parent_instance;

  GtkStack             *stack;
  GtkSpinner           *spinner;
  GtkTextView          *text_view;
  GtkLabel             *error_title;
  GtkLabel             *error_label;

  GSettings            *settings;
  GCancellable         *cancellable;
  RelDocument          *document;
  GtkFileChooserNative *chooser;
};

G_DEFINE_FINAL_TYPE (RelWindow, rel_window, GTK_TYPE_APPLICATION_WINDOW)

static void
set_busy (RelWindow *self,
          gboolean   busy)
{
  gtk_widget_set_visible (GTK_WIDGET (self->spinner), busy);
  gtk_spinner_set_spinning (self->spinner, busy);
}

static void
show_error (RelWindow    *self,
            const char   *title,
            const GError *error)
{
  gtk_label_set_text (self->error_title, title);
  gtk_label_set_text (self->error_label, error->message);
  gtk_stack_set_visible_child_name (self->stack, "error");
}

static void
show_document (RelWindow   *self,
               RelDocument *document)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (self->text_view);
  g_autofree char *basename = g_path_get_basename (rel_document_get_path (document));
  GtkTextIter start;

  g_set_object (&self->document, document);
  gtk_text_buffer_set_text (buffer, rel_document_get_text (document),
                            (int) rel_document_get_length (document));
  gtk_text_buffer_get_start_iter (buffer, &start);
  gtk_text_buffer_place_cursor (buffer, &start);

  gtk_window_set_title (GTK_WINDOW (self), basename);
  gtk_stack_set_visible_child_name (self->stack, "report");
  gtk_widget_grab_focus (GTK_WIDGET (self->text_view));
}

static void
document_loaded (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(RelWindow) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(RelDocument) document = NULL;

  document = rel_document_load_finish (result, &error);

  /* A newer request replaced this one: it owns the window now. */
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  set_busy (self, FALSE);
  g_clear_object (&self->cancellable);

  if (document == NULL)
    {
      show_error (self, _("This Report Cannot Be Opened"), error);
      return;
    }

  show_document (self, document);
}

void
rel_window_open_file (RelWindow *self,
                      GFile     *file)
{
  g_autofree char *uri = NULL;

  g_return_if_fail (REL_IS_WINDOW (self));
  g_return_if_fail (G_IS_FILE (file));

  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();

  set_busy (self, TRUE);
  gtk_stack_set_visible_child_name (self->stack, "loading");

  uri = g_file_get_uri (file);
  gtk_recent_manager_add_item (gtk_recent_manager_get_default (), uri);

  rel_document_load_async (file,
                           (gsize) g_settings_get_int (self->settings, "max-document-size") *
                           1024 * 1024,
                           self->cancellable, document_loaded, g_object_ref (self));
}

RelDocument *
rel_window_get_document (RelWindow *self)
{
  g_return_val_if_fail (REL_IS_WINDOW (self), NULL);
  return self->document;
}

const char *
rel_window_get_state (RelWindow *self)
{
  g_return_val_if_fail (REL_IS_WINDOW (self), NULL);
  return gtk_stack_get_visible_child_name (self->stack);
}

static void
chooser_response (GtkNativeDialog *dialog,
                  int              response,
                  gpointer         user_data)
{
  RelWindow *self = user_data;

  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));

      if (file != NULL)
        rel_window_open_file (self, file);
    }
  g_clear_object (&self->chooser);
}

static void
open_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  RelWindow *self = REL_WINDOW (widget);
  g_autoptr(GtkFileFilter) reports = gtk_file_filter_new ();
  g_autoptr(GtkFileFilter) all = gtk_file_filter_new ();

  if (self->chooser != NULL)
    return;

  self->chooser = gtk_file_chooser_native_new (_("Open a Report"), GTK_WINDOW (self),
                                               GTK_FILE_CHOOSER_ACTION_OPEN,
                                               _("_Open"), _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (self->chooser), TRUE);

  gtk_file_filter_set_name (reports, _("Reports (text, PDF)"));
  gtk_file_filter_add_mime_type (reports, "text/plain");
  gtk_file_filter_add_mime_type (reports, "application/pdf");
  gtk_file_filter_add_suffix (reports, "txt");
  gtk_file_filter_add_suffix (reports, "pdf");
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (self->chooser), reports);
  gtk_file_filter_set_name (all, _("All files"));
  gtk_file_filter_add_pattern (all, "*");
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (self->chooser), all);

  g_signal_connect (self->chooser, "response", G_CALLBACK (chooser_response), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (self->chooser));
}

static gboolean
on_drop (GtkDropTarget *target,
         const GValue  *value,
         double         x,
         double         y,
         gpointer       user_data)
{
  RelWindow *self = user_data;
  GSList *files;

  if (!G_VALUE_HOLDS (value, GDK_TYPE_FILE_LIST))
    return FALSE;

  files = g_value_get_boxed (value);
  if (files == NULL)
    return FALSE;

  rel_window_open_file (self, files->data);
  return TRUE;
}

static void
rel_window_dispose (GObject *object)
{
  RelWindow *self = REL_WINDOW (object);

  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->document);
  g_clear_object (&self->settings);
  if (self->chooser != NULL)
    gtk_native_dialog_destroy (GTK_NATIVE_DIALOG (self->chooser));
  g_clear_object (&self->chooser);

  G_OBJECT_CLASS (rel_window_parent_class)->dispose (object);
}

static void
rel_window_class_init (RelWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = rel_window_dispose;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/relecture/Relecture/rel-window.ui");
  gtk_widget_class_bind_template_child (widget_class, RelWindow, stack);
  gtk_widget_class_bind_template_child (widget_class, RelWindow, spinner);
  gtk_widget_class_bind_template_child (widget_class, RelWindow, text_view);
  gtk_widget_class_bind_template_child (widget_class, RelWindow, error_title);
  gtk_widget_class_bind_template_child (widget_class, RelWindow, error_label);

  gtk_widget_class_install_action (widget_class, "win.open", NULL, open_action);
}

static void
rel_window_init (RelWindow *self)
{
  GtkDropTarget *drop;

  gtk_widget_init_template (GTK_WIDGET (self));

  self->settings = g_settings_new (APP_ID);

  drop = gtk_drop_target_new (GDK_TYPE_FILE_LIST, GDK_ACTION_COPY);
  g_signal_connect (drop, "drop", G_CALLBACK (on_drop), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (drop));
}

RelWindow *
rel_window_new (GtkApplication *application)
{
  g_return_val_if_fail (application == NULL || GTK_IS_APPLICATION (application), NULL);

  return g_object_new (REL_TYPE_WINDOW, "application", application, NULL);
}
