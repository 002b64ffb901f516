/* SPDX-License-Identifier: GPL-3.0-or-later */
/* rel-preferences.c: the preferences window, backed by GSettings. */
#define G_LOG_DOMAIN "rel-preferences"

#include "config.h"

#include <glib/gi18n.h>

#include "rel-http-engine.h"
#include "rel-preferences.h"

struct _RelPreferences
{
  GtkWindow         parent_instance;

  GtkEntry         *name_entry;
  GtkDropDown      *engine_dropdown;
  GtkWidget        *server_group;
  GtkEntry         *url_entry;
  GtkEntry         *model_entry;
  GtkPasswordEntry *key_entry;
  GtkSwitch        *phi_switch;
  GtkSpinButton    *size_spin;
  GtkCheckButton   *remote_check;
  GtkMenuButton    *models_button;
  GtkPopover       *models_popover;
  GtkListBox       *models_list;

  GSettings        *settings;
  GCancellable     *cancellable;
};

G_DEFINE_FINAL_TYPE (RelPreferences, rel_preferences, GTK_TYPE_WINDOW)

/* The choices of the "engine" key, in the order of the drop-down. */
static const char * const engines[] = { "embedded", "server" };

static gboolean
engine_to_selected (GValue   *value,
                    GVariant *variant,
                    gpointer  user_data)
{
  const char *engine = g_variant_get_string (variant, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (engines); i++)
    if (g_str_equal (engine, engines[i]))
      {
        g_value_set_uint (value, i);
        return TRUE;
      }
  return FALSE;
}

static GVariant *
selected_to_engine (const GValue       *value,
                    const GVariantType *expected_type,
                    gpointer            user_data)
{
  guint selected = g_value_get_uint (value);

  if (selected >= G_N_ELEMENTS (engines))
    return NULL;
  return g_variant_new_string (engines[selected]);
}

static gboolean
engine_is_server (GValue   *value,
                  GVariant *variant,
                  gpointer  user_data)
{
  g_value_set_boolean (value, g_str_equal (g_variant_get_string (variant, NULL), "server"));
  return TRUE;
}

static const char *
default_user_name (void)
{
  const char *name = g_get_real_name ();

  /* GLib answers an untranslated "Unknown" when the system has no real name. */
  if (name == NULL || *name == '\0' || g_str_equal (name, "Unknown"))
    name = g_get_user_name ();
  return name;
}

static void
rel_preferences_dispose (GObject *object)
{
  RelPreferences *self = REL_PREFERENCES (object);

  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->settings);

  G_OBJECT_CLASS (rel_preferences_parent_class)->dispose (object);
}

/* The server's models, asked for when the list opens (off the main thread:
 * a server may be slow or absent). */

static void
set_models_message (RelPreferences *self,
                    const char     *message)
{
  GtkWidget *label = gtk_label_new (message);
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->models_list))) != NULL)
    gtk_list_box_remove (self->models_list, child);
  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_label_set_max_width_chars (GTK_LABEL (label), 40);
  gtk_widget_add_css_class (label, "dim-label");
  gtk_widget_set_margin_top (label, 6);
  gtk_widget_set_margin_bottom (label, 6);
  gtk_list_box_append (self->models_list, label);
  gtk_list_box_row_set_activatable (gtk_list_box_get_row_at_index (self->models_list, 0), FALSE);
}

static void
list_models_in_thread (GTask        *task,
                       gpointer      source_object,
                       gpointer      task_data,
                       GCancellable *cancellable)
{
  GError *error = NULL;
  RelServerInfo *info = rel_http_check_server (task_data, cancellable, &error);

  if (info == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, info, (GDestroyNotify) rel_server_info_free);
}

static void
models_listed (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(RelServerInfo) info = g_task_propagate_pointer (G_TASK (result), &error);
  RelPreferences *self;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  self = REL_PREFERENCES (user_data);
  if (info == NULL)
    {
      set_models_message (self, error->message);
      return;
    }
  if (info->models[0] == NULL)
    {
      set_models_message (self, _("The server lists no model."));
      return;
    }
  set_models_message (self, info->kind);
  for (guint i = 0; info->models[i] != NULL; i++)
    {
      GtkWidget *label = gtk_label_new (info->models[i]);

      gtk_label_set_xalign (GTK_LABEL (label), 0.0);
      gtk_widget_set_margin_top (label, 4);
      gtk_widget_set_margin_bottom (label, 4);
      gtk_list_box_append (self->models_list, label);
    }
}

static void
on_models_shown (GtkPopover     *popover,
                 RelPreferences *self)
{
  g_autoptr(GTask) task = NULL;
  RelHttpSettings *settings = rel_http_settings_new_from_gsettings (self->settings);

  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();

  settings->first_byte_timeout_ms = 5000;
  settings->total_timeout_ms = 10000;
  set_models_message (self, _("Asking the server…"));
  /* The window outlives the task through its cancellable, cancelled in dispose. */
  task = g_task_new (NULL, self->cancellable, models_listed, self);
  g_task_set_task_data (task, settings, (GDestroyNotify) rel_http_settings_free);
  g_task_run_in_thread (task, list_models_in_thread);
}

static void
on_model_activated (GtkListBox     *list,
                    GtkListBoxRow  *row,
                    RelPreferences *self)
{
  GtkWidget *label = gtk_list_box_row_get_child (row);

  gtk_editable_set_text (GTK_EDITABLE (self->model_entry), gtk_label_get_text (GTK_LABEL (label)));
  gtk_popover_popdown (self->models_popover);
}

static void
rel_preferences_class_init (RelPreferencesClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = rel_preferences_dispose;

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/relecture/Relecture/"
                                               "rel-preferences.ui");
  gtk_widget_class_bind_template_child (widget_class, RelPreferences, name_entry);
  gtk_widget_class_bind_template_child (widget_class, RelPreferences, engine_dropdown);
  gtk_widget_class_bind_template_child (widget_class, RelPreferences, server_group);
  gtk_widget_class_bind_template_child (widget_class, RelPreferences, url_entry);
  gtk_widget_class_bind_template_child (widget_class, RelPreferences, model_entry);
  gtk_widget_class_bind_template_child (widget_class, RelPreferences, key_entry);
  gtk_widget_class_bind_template_child (widget_class, RelPreferences, phi_switch);
  gtk_widget_class_bind_template_child (widget_class, RelPreferences, size_spin);
  gtk_widget_class_bind_template_child (widget_class, RelPreferences, remote_check);
  gtk_widget_class_bind_template_child (widget_class, RelPreferences, models_button);
  gtk_widget_class_bind_template_child (widget_class, RelPreferences, models_popover);
  gtk_widget_class_bind_template_child (widget_class, RelPreferences, models_list);
}

static void
rel_preferences_init (RelPreferences *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  gtk_entry_set_placeholder_text (self->name_entry, default_user_name ());

  self->settings = g_settings_new (APP_ID);
  g_settings_bind (self->settings, "user-name", self->name_entry, "text",
                   G_SETTINGS_BIND_DEFAULT);
  g_settings_bind_with_mapping (self->settings, "engine", self->engine_dropdown, "selected",
                                G_SETTINGS_BIND_DEFAULT,
                                engine_to_selected, selected_to_engine, NULL, NULL);
  g_settings_bind_with_mapping (self->settings, "engine", self->server_group, "sensitive",
                                G_SETTINGS_BIND_GET,
                                engine_is_server, NULL, NULL, NULL);
  g_settings_bind (self->settings, "server-url", self->url_entry, "text",
                   G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "server-model", self->model_entry, "text",
                   G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "server-api-key", self->key_entry, "text",
                   G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "allow-remote-server", self->remote_check, "active",
                   G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "show-phi-replacements", self->phi_switch, "active",
                   G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "max-document-size", self->size_spin, "value",
                   G_SETTINGS_BIND_DEFAULT);

  g_signal_connect (self->models_popover, "show", G_CALLBACK (on_models_shown), self);
  g_signal_connect (self->models_list, "row-activated", G_CALLBACK (on_model_activated), self);
}

RelPreferences *
rel_preferences_new (GtkWindow *parent)
{
  g_return_val_if_fail (parent == NULL || GTK_IS_WINDOW (parent), NULL);

  return g_object_new (REL_TYPE_PREFERENCES,
                       "transient-for", parent,
                       "application", parent != NULL ? gtk_window_get_application (parent) : NULL,
                       NULL);
}
