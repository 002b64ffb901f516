/* SPDX-License-Identifier: GPL-3.0-or-later */
/* rel-preferences.c: the preferences window, backed by GSettings. */
#define G_LOG_DOMAIN "rel-preferences"

#include "config.h"

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

  GSettings        *settings;
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

  g_clear_object (&self->settings);

  G_OBJECT_CLASS (rel_preferences_parent_class)->dispose (object);
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
