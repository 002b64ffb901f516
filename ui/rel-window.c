/* SPDX-License-Identifier: GPL-3.0-or-later */
/* rel-window.c: the main window — opens a report off the main thread and shows it. */
#define G_LOG_DOMAIN "rel-window"

#include "config.h"

#include <glib/gi18n.h>

#include "rel-embedded-engine.h"
#include "rel-window.h"

struct _RelWindow
{
  GtkApplicationWindow  parent_instance;

  GtkStack             *stack;
  GtkSpinner           *spinner;
  GtkTextView          *text_view;
  GtkLabel             *error_title;
  GtkLabel             *error_label;
  GtkWidget            *analysis_status;
  GtkSpinner           *analysis_spinner;
  GtkLabel             *analysis_label;
  GtkListBox           *codes_list;
  GtkListBox           *summary_list;
  GtkStack             *panel_stack;

  RelAnalysis          *analysis;
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

/* One engine for every window: indexing the nomenclature is done once, in a
 * worker thread, the first time a report is analysed. */
static RelEngine *shared_engine;
G_LOCK_DEFINE_STATIC (shared_engine);

static RelEngine *
ensure_engine (GError **error)
{
  RelEngine *engine;

  G_LOCK (shared_engine);
  if (shared_engine == NULL)
    {
      g_autoptr(RelTerminology) terminology = rel_terminology_new_default (error);

      if (terminology != NULL)
        shared_engine = rel_embedded_engine_new (terminology, error);
    }
  engine = shared_engine != NULL ? g_object_ref (shared_engine) : NULL;
  G_UNLOCK (shared_engine);
  return engine;
}

static void
analyze_in_thread (GTask        *task,
                   gpointer      source_object,
                   gpointer      task_data,
                   GCancellable *cancellable)
{
  g_autoptr(RelEngine) engine = NULL;
  GError *error = NULL;
  RelAnalysis *analysis = NULL;

  engine = ensure_engine (&error);
  if (engine != NULL)
    analysis = rel_engine_analyze (engine, task_data, cancellable, &error);
  if (analysis == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, analysis, g_object_unref);
}

static void
create_tags (GtkTextBuffer *buffer)
{
  gtk_text_buffer_create_tag (buffer, "title", "weight", PANGO_WEIGHT_BOLD, NULL);
  gtk_text_buffer_create_tag (buffer, "mention", "background", "#e3eefb", NULL);
  gtk_text_buffer_create_tag (buffer, "negated", "strikethrough", TRUE, "foreground", "#77767b",
                              NULL);
  gtk_text_buffer_create_tag (buffer, "hypothesis", "style", PANGO_STYLE_ITALIC,
                              "foreground", "#1c71d8", NULL);
  gtk_text_buffer_create_tag (buffer, "family", "foreground", "#813d9c", NULL);
  gtk_text_buffer_create_tag (buffer, "phi", "background", "#f6d5d5", NULL);
  gtk_text_buffer_create_tag (buffer, "evidence", "background", "#f8e45c", NULL);
}

/* Byte offsets of the analysis contract → positions in the buffer. */
static void
iter_at_byte (RelWindow   *self,
              GtkTextIter *iter,
              guint        offset)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (self->text_view);
  const char *text = rel_document_get_text (self->document);

  gtk_text_buffer_get_iter_at_offset (buffer, iter,
                                      (int) g_utf8_pointer_to_offset (text, text + offset));
}

static void
apply_tag (RelWindow  *self,
           const char *tag,
           guint       start,
           guint       end)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (self->text_view);
  GtkTextIter from, to;

  iter_at_byte (self, &from, start);
  iter_at_byte (self, &to, end);
  gtk_text_buffer_apply_tag_by_name (buffer, tag, &from, &to);
}

static void
highlight_evidence (RelWindow *self,
                    GArray    *evidence)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (self->text_view);
  GtkTextIter start, end;

  gtk_text_buffer_get_bounds (buffer, &start, &end);
  gtk_text_buffer_remove_tag_by_name (buffer, "evidence", &start, &end);
  if (evidence == NULL || evidence->len == 0)
    return;

  for (guint i = 0; i < evidence->len; i++)
    {
      const RelSpan *span = &g_array_index (evidence, RelSpan, i);

      apply_tag (self, "evidence", span->start, span->end);
    }
  iter_at_byte (self, &start, g_array_index (evidence, RelSpan, 0).start);
  gtk_text_view_scroll_to_iter (self->text_view, &start, 0.1, TRUE, 0.0, 0.3);
}

static void
on_code_selected (GtkListBox    *list,
                  GtkListBoxRow *row,
                  gpointer       user_data)
{
  RelWindow *self = user_data;
  const RelCodeSuggestion *code = row != NULL ? g_object_get_data (G_OBJECT (row), "code") : NULL;

  highlight_evidence (self, code != NULL ? code->evidence : NULL);
}

static void
on_summary_selected (GtkListBox    *list,
                     GtkListBoxRow *row,
                     gpointer       user_data)
{
  RelWindow *self = user_data;
  const RelSummaryItem *item = row != NULL ? g_object_get_data (G_OBJECT (row), "item") : NULL;

  highlight_evidence (self, item != NULL ? item->evidence : NULL);
}

static void
clear_list (GtkListBox *list)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (list))) != NULL)
    gtk_list_box_remove (list, child);
}

/* The section labels of DESIGN.md as a coder reads them. */
static const char *
section_title (const char *label)
{
  static const struct { const char *label; const char *title; } titles[] = {
    { "motif", N_("Reason for admission") }, { "antecedents", N_("History") },
    { "traitement_entree", N_("Treatment on admission") },
    { "examens_complementaires", N_("Key results") },
    { "conclusion", N_("Diagnoses retained") },
    { "traitement_sortie", N_("Treatment on discharge") }, { "suivi", N_("Follow-up") },
  };

  for (guint i = 0; i < G_N_ELEMENTS (titles); i++)
    if (g_str_equal (titles[i].label, label))
      return _(titles[i].title);
  return label;
}

static GtkWidget *
code_row (const RelCodeSuggestion *code)
{
  GtkWidget *row = gtk_list_box_row_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 4);
  GtkWidget *line = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 8);
  GtkWidget *role = gtk_label_new (code->role != NULL ? code->role : "–");
  g_autofree char *display = rel_code_display (code->code);
  GtkWidget *code_label = gtk_label_new (display);
  GtkWidget *label = gtk_label_new (code->label);
  GtkWidget *bar = gtk_level_bar_new_for_interval (0.0, 1.0);
  g_autofree char *evidence = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u mention",
                                                            "%u mentions", code->evidence->len),
                                               code->evidence->len);
  GtkWidget *evidence_label = gtk_label_new (evidence);

  gtk_widget_set_size_request (role, 36, -1);
  gtk_widget_add_css_class (role, "heading");
  gtk_widget_add_css_class (code_label, "monospace");
  gtk_label_set_xalign (GTK_LABEL (label), 0.0);
  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_widget_set_hexpand (label, TRUE);
  gtk_level_bar_set_value (GTK_LEVEL_BAR (bar), code->score);
  gtk_widget_set_size_request (bar, 60, -1);
  gtk_widget_set_valign (bar, GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (evidence_label, "dim-label");
  gtk_widget_add_css_class (evidence_label, "caption");
  gtk_label_set_xalign (GTK_LABEL (evidence_label), 0.0);

  gtk_box_append (GTK_BOX (line), role);
  gtk_box_append (GTK_BOX (line), code_label);
  gtk_box_append (GTK_BOX (line), label);
  gtk_box_append (GTK_BOX (line), bar);
  gtk_box_append (GTK_BOX (box), line);
  gtk_box_append (GTK_BOX (box), evidence_label);
  gtk_widget_set_margin_top (box, 6);
  gtk_widget_set_margin_bottom (box, 6);
  gtk_widget_set_margin_start (box, 6);
  gtk_widget_set_margin_end (box, 6);
  gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (row), box);
  g_object_set_data (G_OBJECT (row), "code", (gpointer) code);
  return row;
}

static void
show_analysis (RelWindow   *self,
               RelAnalysis *analysis)
{
  GPtrArray *codes = rel_analysis_get_codes (analysis);
  GPtrArray *summary = rel_analysis_get_summary (analysis);
  GPtrArray *mentions = rel_analysis_get_mentions (analysis);
  GPtrArray *phi = rel_analysis_get_phi (analysis);
  GArray *sections = rel_analysis_get_sections (analysis);

  clear_list (self->codes_list);
  clear_list (self->summary_list);
  g_set_object (&self->analysis, analysis);

  for (guint i = 0; i < sections->len; i++)
    {
      const RelSection *section = &g_array_index (sections, RelSection, i);

      if (section->title_end > section->title_start)
        apply_tag (self, "title", section->title_start, section->title_end);
    }
  for (guint i = 0; i < mentions->len; i++)
    {
      const RelMention *mention = g_ptr_array_index (mentions, i);

      apply_tag (self, mention->negated ? "negated" : mention->hypothesis ? "hypothesis"
                       : mention->family ? "family" : "mention",
                 mention->start, mention->end);
    }
  for (guint i = 0; i < phi->len; i++)
    {
      const RelPhi *span = g_ptr_array_index (phi, i);

      apply_tag (self, "phi", span->start, span->end);
    }

  for (guint i = 0; i < codes->len; i++)
    gtk_list_box_append (self->codes_list, code_row (g_ptr_array_index (codes, i)));

  for (guint i = 0; i < summary->len; i++)
    {
      const RelSummarySection *section = g_ptr_array_index (summary, i);
      GtkWidget *header = gtk_label_new (section_title (section->section));
      GtkWidget *header_row = gtk_list_box_row_new ();

      gtk_label_set_xalign (GTK_LABEL (header), 0.0);
      gtk_widget_add_css_class (header, "heading");
      gtk_widget_set_margin_top (header, 12);
      gtk_widget_set_margin_start (header, 6);
      gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (header_row), header);
      gtk_list_box_row_set_selectable (GTK_LIST_BOX_ROW (header_row), FALSE);
      gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (header_row), FALSE);
      gtk_list_box_append (self->summary_list, header_row);

      for (guint j = 0; j < section->items->len; j++)
        {
          const RelSummaryItem *item = g_ptr_array_index (section->items, j);
          GtkWidget *row = gtk_list_box_row_new ();
          GtkWidget *label = gtk_label_new (item->text);

          gtk_label_set_xalign (GTK_LABEL (label), 0.0);
          gtk_label_set_wrap (GTK_LABEL (label), TRUE);
          gtk_widget_set_margin_start (label, 18);
          gtk_widget_set_margin_end (label, 6);
          gtk_widget_set_margin_top (label, 3);
          gtk_widget_set_margin_bottom (label, 3);
          gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (row), label);
          g_object_set_data (G_OBJECT (row), "item", (gpointer) item);
          gtk_list_box_append (self->summary_list, row);
        }
    }

  gtk_widget_set_visible (self->analysis_status, codes->len == 0);
  gtk_spinner_set_spinning (self->analysis_spinner, FALSE);
  gtk_label_set_text (self->analysis_label, _("No code found in this report."));
}

static void
analysis_done (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(RelWindow) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(RelAnalysis) analysis = g_task_propagate_pointer (G_TASK (result), &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (analysis == NULL)
    {
      gtk_spinner_set_spinning (self->analysis_spinner, FALSE);
      gtk_label_set_text (self->analysis_label, error->message);
      return;
    }
  /* A newer report replaced the one analysed. */
  if (rel_analysis_get_document (analysis) != self->document)
    return;
  show_analysis (self, analysis);
}

static void
start_analysis (RelWindow *self)
{
  g_autoptr(GTask) task = g_task_new (NULL, self->cancellable, analysis_done, g_object_ref (self));

  /* The rows point into the analysis: they go first. */
  clear_list (self->codes_list);
  clear_list (self->summary_list);
  g_clear_object (&self->analysis);
  gtk_widget_set_visible (self->analysis_status, TRUE);
  gtk_spinner_set_spinning (self->analysis_spinner, TRUE);
  gtk_label_set_text (self->analysis_label, _("Analysis in progress…"));

  g_task_set_task_data (task, g_object_ref (self->document), g_object_unref);
  g_task_run_in_thread (task, analyze_in_thread);
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
  start_analysis (self);
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

RelAnalysis *
rel_window_get_analysis (RelWindow *self)
{
  g_return_val_if_fail (REL_IS_WINDOW (self), NULL);
  return self->analysis;
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
  g_clear_object (&self->analysis);
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
  gtk_widget_class_bind_template_child (widget_class, RelWindow, analysis_status);
  gtk_widget_class_bind_template_child (widget_class, RelWindow, analysis_spinner);
  gtk_widget_class_bind_template_child (widget_class, RelWindow, analysis_label);
  gtk_widget_class_bind_template_child (widget_class, RelWindow, codes_list);
  gtk_widget_class_bind_template_child (widget_class, RelWindow, summary_list);
  gtk_widget_class_bind_template_child (widget_class, RelWindow, panel_stack);

  gtk_widget_class_install_action (widget_class, "win.open", NULL, open_action);
}

static void
rel_window_init (RelWindow *self)
{
  GtkDropTarget *drop;

  gtk_widget_init_template (GTK_WIDGET (self));

  create_tags (gtk_text_view_get_buffer (self->text_view));
  g_signal_connect (self->codes_list, "row-selected", G_CALLBACK (on_code_selected), self);
  g_signal_connect (self->summary_list, "row-selected", G_CALLBACK (on_summary_selected), self);

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
