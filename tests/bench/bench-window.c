/* SPDX-License-Identifier: GPL-3.0-or-later */
/* bench-window.c: presents the main window as the application does (opening a
 * report when one is given) and prints, in monotonic microseconds, when its
 * first frame and then the frame showing the analysis were painted. */
#define G_LOG_DOMAIN "bench-window"

#include "config.h"

#include <gtk/gtk.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "rel-window.h"

typedef struct
{
  RelWindow *window;
  gboolean   wait_analysis;
  gint64     first_frame;
  gint64     analysis_frame;
  gboolean   done;
} Probe;

static void
after_paint (GdkFrameClock *clock,
             Probe         *probe)
{
  gint64 now = g_get_monotonic_time ();

  if (probe->first_frame == 0)
    probe->first_frame = now;
  /* The analysis arrives on the main thread and the widgets take it in the
   * same callback: the next frame painted shows it. */
  if (probe->wait_analysis && probe->analysis_frame == 0 &&
      rel_window_get_analysis (probe->window) != NULL)
    probe->analysis_frame = now;
  if (!probe->wait_analysis || probe->analysis_frame != 0)
    probe->done = TRUE;
}

static void
on_realize (GtkWidget *widget,
            Probe     *probe)
{
  g_signal_connect (gtk_widget_get_frame_clock (widget), "after-paint",
                    G_CALLBACK (after_paint), probe);
}

static gboolean
on_timeout (gpointer user_data)
{
  Probe *probe = user_data;

  g_printerr ("bench-window: no %s after 60 s\n",
              probe->first_frame == 0 ? "frame" : "analysis");
  exit (1);
  return G_SOURCE_REMOVE;
}

int
main (int    argc,
      char **argv)
{
  gint64 entered = g_get_monotonic_time ();
  g_autoptr(GtkCssProvider) css = NULL;
  Probe probe = { 0 };
  gint64 initialized;

  setlocale (LC_ALL, "");
  /* As GApplication and main.c set them: the recent files list wants both. */
  g_set_prgname ("relecture");
  g_set_application_name ("Relecture");
  gtk_init ();
  initialized = g_get_monotonic_time ();

  /* What RelApplication's startup adds before the first window. */
  css = gtk_css_provider_new ();
  gtk_css_provider_load_from_resource (css, "/io/github/relecture/Relecture/style.css");
  gtk_style_context_add_provider_for_display (gdk_display_get_default (), GTK_STYLE_PROVIDER (css),
                                              GTK_STYLE_PROVIDER_PRIORITY_APPLICATION);

  probe.window = rel_window_new (NULL);
  g_signal_connect_after (probe.window, "realize", G_CALLBACK (on_realize), &probe);
  if (argc > 1)
    {
      g_autoptr(GFile) file = g_file_new_for_commandline_arg (argv[1]);

      probe.wait_analysis = TRUE;
      rel_window_open_file (probe.window, file);
    }
  gtk_window_present (GTK_WINDOW (probe.window));
  g_timeout_add_seconds (60, on_timeout, &probe);

  while (!probe.done)
    g_main_context_iteration (NULL, TRUE);

  printf ("{\"main\": %" G_GINT64_FORMAT ", \"gtk_init\": %" G_GINT64_FORMAT
          ", \"first_frame\": %" G_GINT64_FORMAT ", \"analysis_frame\": %" G_GINT64_FORMAT
          ", \"renderer\": \"%s\"}\n",
          entered, initialized, probe.first_frame, probe.analysis_frame,
          G_OBJECT_TYPE_NAME (gtk_native_get_renderer (GTK_NATIVE (probe.window))));
  fflush (stdout);
  /* Measured: tearing the window down is not part of it. */
  _exit (0);
}
