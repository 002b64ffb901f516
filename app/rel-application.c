/* SPDX-License-Identifier: GPL-3.0-or-later */
/* rel-application.c: application actions, windows and files from the command line. */
#define G_LOG_DOMAIN "rel-application"

#include "config.h"

#include <glib/gi18n.h>

#include "rel-application.h"
#include "rel-preferences.h"
#include "rel-window.h"

struct _RelApplication
{
  GtkApplication  parent_instance;

  GDBusProxy     *portal;
};

G_DEFINE_FINAL_TYPE (RelApplication, rel_application, GTK_TYPE_APPLICATION)

static RelWindow *
get_window (RelApplication *self)
{
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (self));

  if (window == NULL)
    window = GTK_WINDOW (rel_window_new (GTK_APPLICATION (self)));
  return REL_WINDOW (window);
}

static void
rel_application_activate (GApplication *application)
{
  gtk_window_present (GTK_WINDOW (get_window (REL_APPLICATION (application))));
}

static void
rel_application_open (GApplication  *application,
                      GFile        **files,
                      int            n_files,
                      const char    *hint)
{
  RelApplication *self = REL_APPLICATION (application);
  RelWindow *window = get_window (self);

  /* One report opens; several, or a folder, become the worklist. */
  if (n_files == 1 &&
      g_file_query_file_type (files[0], G_FILE_QUERY_INFO_NONE, NULL) != G_FILE_TYPE_DIRECTORY)
    rel_window_open_file (window, files[0]);
  else
    rel_window_open_files (window, files, (guint) n_files);
  gtk_window_present (GTK_WINDOW (window));
}

/* The colour scheme follows the system's (the desktop portal's
 * "color-scheme": 1 prefers dark), without libadwaita. */
static void
apply_color_scheme (GVariant *value)
{
  g_autoptr(GVariant) inner = NULL;

  /* Read answers a variant in a variant; SettingChanged one variant. */
  while (value != NULL && g_variant_is_of_type (value, G_VARIANT_TYPE_VARIANT))
    {
      GVariant *next = g_variant_get_variant (value);

      g_clear_pointer (&inner, g_variant_unref);
      inner = next;
      value = next;
    }
  if (value != NULL && g_variant_is_of_type (value, G_VARIANT_TYPE_UINT32))
    g_object_set (gtk_settings_get_default (), "gtk-application-prefer-dark-theme",
                  g_variant_get_uint32 (value) == 1, NULL);
}

static void
on_portal_signal (GDBusProxy *proxy,
                  const char *sender,
                  const char *signal,
                  GVariant   *parameters,
                  gpointer    user_data)
{
  const char *name_space = NULL;
  const char *key = NULL;
  g_autoptr(GVariant) value = NULL;

  if (!g_str_equal (signal, "SettingChanged") ||
      !g_variant_is_of_type (parameters, G_VARIANT_TYPE ("(ssv)")))
    return;
  g_variant_get (parameters, "(&s&sv)", &name_space, &key, &value);
  if (g_str_equal (name_space, "org.freedesktop.appearance") && g_str_equal (key, "color-scheme"))
    apply_color_scheme (value);
}

static void
color_scheme_read (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(GVariant) reply = g_dbus_proxy_call_finish (G_DBUS_PROXY (source), result, NULL);

  if (reply != NULL && g_variant_is_of_type (reply, G_VARIANT_TYPE ("(v)")))
    {
      g_autoptr(GVariant) value = g_variant_get_child_value (reply, 0);

      apply_color_scheme (value);
    }
}

static void
portal_ready (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(RelApplication) self = user_data;

  /* No portal (no session bus, an old desktop): the theme's default stays. */
  self->portal = g_dbus_proxy_new_for_bus_finish (result, NULL);
  if (self->portal == NULL)
    return;
  g_signal_connect (self->portal, "g-signal", G_CALLBACK (on_portal_signal), NULL);
  g_dbus_proxy_call (self->portal, "Read",
                     g_variant_new ("(ss)", "org.freedesktop.appearance", "color-scheme"),
                     G_DBUS_CALL_FLAGS_NONE, 2000, NULL, color_scheme_read, NULL);
}

static void
quit_activated (GSimpleAction *action,
                GVariant      *parameter,
                gpointer       user_data)
{
  g_application_quit (G_APPLICATION (user_data));
}

static void
about_activated (GSimpleAction *action,
                 GVariant      *parameter,
                 gpointer       user_data)
{
  GtkApplication *application = GTK_APPLICATION (user_data);
  const char *authors[] = { _("The Relecture contributors"), NULL };

  gtk_show_about_dialog (gtk_application_get_active_window (application),
                         "program-name", "Relecture",
                         "logo-icon-name", APP_ID,
                         "version", PACKAGE_VERSION,
                         "comments", _("Review clinical reports with their summary and their "
                                       "CIM-10 codes"),
                         "license-type", GTK_LICENSE_GPL_3_0,
                         "authors", authors,
                         NULL);
}

static void
preferences_activated (GSimpleAction *action,
                       GVariant      *parameter,
                       gpointer       user_data)
{
  GtkApplication *application = GTK_APPLICATION (user_data);
  RelPreferences *preferences = rel_preferences_new (gtk_application_get_active_window (application));

  gtk_window_present (GTK_WINDOW (preferences));
}

static const GActionEntry app_actions[] = {
  { "quit", quit_activated },
  { "preferences", preferences_activated },
  { "about", about_activated },
};

static void
rel_application_startup (GApplication *application)
{
  static const char *quit_accels[] = { "<Control>q", NULL };
  static const char *preferences_accels[] = { "<Control>comma", NULL };

  g_autoptr(GtkCssProvider) css = gtk_css_provider_new ();

  G_APPLICATION_CLASS (rel_application_parent_class)->startup (application);

  gtk_css_provider_load_from_resource (css, "/io/github/relecture/Relecture/style.css");
  g_dbus_proxy_new_for_bus (G_BUS_TYPE_SESSION, G_DBUS_PROXY_FLAGS_DO_NOT_AUTO_START_AT_CONSTRUCTION,
                            NULL, "org.freedesktop.portal.Desktop",
                            "/org/freedesktop/portal/desktop", "org.freedesktop.portal.Settings",
                            NULL, portal_ready, g_object_ref (application));
  gtk_style_context_add_provider_for_display (gdk_display_get_default (), GTK_STYLE_PROVIDER (css),
                                              GTK_STYLE_PROVIDER_PRIORITY_APPLICATION);

  g_action_map_add_action_entries (G_ACTION_MAP (application), app_actions,
                                   G_N_ELEMENTS (app_actions), application);
  gtk_application_set_accels_for_action (GTK_APPLICATION (application), "app.quit",
                                         quit_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (application), "app.preferences",
                                         preferences_accels);
}

static void
rel_application_dispose (GObject *object)
{
  RelApplication *self = REL_APPLICATION (object);

  g_clear_object (&self->portal);
  G_OBJECT_CLASS (rel_application_parent_class)->dispose (object);
}

static void
rel_application_class_init (RelApplicationClass *klass)
{
  GApplicationClass *app_class = G_APPLICATION_CLASS (klass);

  G_OBJECT_CLASS (klass)->dispose = rel_application_dispose;

  app_class->activate = rel_application_activate;
  app_class->open = rel_application_open;
  app_class->startup = rel_application_startup;
}

static void
rel_application_init (RelApplication *self)
{
  g_application_set_option_context_parameter_string (G_APPLICATION (self), _("[FILE…]"));
  g_application_set_option_context_summary (G_APPLICATION (self),
                                            _("Review clinical reports (text or PDF) with their "
                                              "structured summary and suggested CIM-10 codes. "
                                              "Several files or a folder make a worklist."));
}

RelApplication *
rel_application_new (void)
{
  return g_object_new (REL_TYPE_APPLICATION,
                       "application-id", APP_ID,
                       "flags", G_APPLICATION_HANDLES_OPEN,
                       "resource-base-path", "/io/github/relecture/Relecture",
                       NULL);
}
