/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-window.c: the main window opens reports off the main thread and shows them. */
#define G_LOG_DOMAIN "test-window"

#include "config.h"

#include <gtk/gtk.h>

#include "rel-window.h"

static char *
write_fixture (const char *name,
               const char *text)
{
  g_autoptr(GError) error = NULL;
  char *path = g_build_filename (g_get_tmp_dir (), name, NULL);

  g_file_set_contents (path, text, -1, &error);
  g_assert_no_error (error);
  return path;
}

static void
wait_while_loading (RelWindow *window)
{
  gint64 deadline = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;

  while (g_str_equal (rel_window_get_state (window), "loading"))
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_main_context_iteration (NULL, FALSE);
      g_usleep (1000);
    }
}

static RelWindow *
new_window (void)
{
  RelWindow *window = rel_window_new (NULL);

  gtk_window_present (GTK_WINDOW (window));
  gtk_test_widget_wait_for_draw (GTK_WIDGET (window));
  return window;
}

static char *
buffer_text (RelWindow *window)
{
  GtkWidget *focus = gtk_window_get_focus (GTK_WINDOW (window));
  GtkTextBuffer *buffer;
  GtkTextIter start, end;

  g_assert_true (GTK_IS_TEXT_VIEW (focus));
  buffer = gtk_text_view_get_buffer (GTK_TEXT_VIEW (focus));
  gtk_text_buffer_get_bounds (buffer, &start, &end);
  return gtk_text_buffer_get_text (buffer, &start, &end, TRUE);
}

static void
test_open (void)
{
  RelWindow *window = new_window ();
  g_autofree char *path = write_fixture ("crh.txt", "MOTIF\r\nDyspnée d'effort.\r\n");
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autofree char *text = NULL;

  g_assert_cmpstr (rel_window_get_state (window), ==, "empty");
  rel_window_open_file (window, file);
  g_assert_cmpstr (rel_window_get_state (window), ==, "loading");
  wait_while_loading (window);

  g_assert_cmpstr (rel_window_get_state (window), ==, "report");
  g_assert_nonnull (rel_window_get_document (window));
  text = buffer_text (window);
  g_assert_cmpstr (text, ==, "MOTIF\nDyspnée d'effort.\n");
  g_assert_cmpstr (gtk_window_get_title (GTK_WINDOW (window)), ==, "crh.txt");

  gtk_window_destroy (GTK_WINDOW (window));
}

static void
test_error_keeps_window_usable (void)
{
  RelWindow *window = new_window ();
  g_autofree char *missing = g_build_filename (g_get_tmp_dir (), "absent.txt", NULL);
  g_autofree char *path = write_fixture ("ok.txt", "Conclusion : BPCO.\n");
  g_autoptr(GFile) bad = g_file_new_for_path (missing);
  g_autoptr(GFile) good = g_file_new_for_path (path);

  rel_window_open_file (window, bad);
  wait_while_loading (window);
  g_assert_cmpstr (rel_window_get_state (window), ==, "error");
  g_assert_null (rel_window_get_document (window));

  rel_window_open_file (window, good);
  wait_while_loading (window);
  g_assert_cmpstr (rel_window_get_state (window), ==, "report");

  gtk_window_destroy (GTK_WINDOW (window));
}

static void
test_newer_request_wins (void)
{
  RelWindow *window = new_window ();
  g_autofree char *first = write_fixture ("first.txt", "premier\n");
  g_autofree char *second = write_fixture ("second.txt", "second\n");
  g_autoptr(GFile) file1 = g_file_new_for_path (first);
  g_autoptr(GFile) file2 = g_file_new_for_path (second);
  g_autofree char *text = NULL;

  rel_window_open_file (window, file1);
  rel_window_open_file (window, file2);
  wait_while_loading (window);
  /* Let a late answer for the first request arrive, if it were to. */
  for (int i = 0; i < 50; i++)
    g_main_context_iteration (NULL, FALSE);

  text = buffer_text (window);
  g_assert_cmpstr (text, ==, "second\n");

  gtk_window_destroy (GTK_WINDOW (window));
}

static void
test_analysis (void)
{
  RelWindow *window = new_window ();
  g_autofree char *path = write_fixture ("analyse.txt",
                                         "MOTIF\nDyspnée.\n\nCONCLUSION\n"
                                         "Insuffisance cardiaque. HTA. Pas d'embolie pulmonaire.\n");
  g_autoptr(GFile) file = g_file_new_for_path (path);
  gint64 deadline = g_get_monotonic_time () + 120 * G_USEC_PER_SEC;
  RelAnalysis *analysis;

  rel_window_open_file (window, file);
  while (rel_window_get_analysis (window) == NULL)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_main_context_iteration (NULL, FALSE);
      g_usleep (1000);
    }
  analysis = rel_window_get_analysis (window);
  g_assert_cmpuint (rel_analysis_get_codes (analysis)->len, >, 0);
  g_assert_cmpstr (((RelCodeSuggestion *) g_ptr_array_index (rel_analysis_get_codes (analysis), 0))->role,
                   ==, "DP");

  gtk_window_destroy (GTK_WINDOW (window));
}

int
main (int    argc,
      char **argv)
{
  gtk_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/window/open", test_open);
  g_test_add_func ("/window/error", test_error_keeps_window_usable);
  g_test_add_func ("/window/newer-request-wins", test_newer_request_wins);
  g_test_add_func ("/window/analysis", test_analysis);

  return g_test_run ();
}
