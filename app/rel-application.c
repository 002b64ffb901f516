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
  GtkApplication parent_instance;
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
rel_application_class_init (RelApplicationClass *klass)
{
  GApplicationClass *app_class = G_APPLICATION_CLASS (klass);

  app_class->activate = rel_application_activate;
  app_class->open = rel_application_open;
  app_class->startup = rel_application_startup;
}

static void
rel_application_init (RelApplication *self)
{
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
