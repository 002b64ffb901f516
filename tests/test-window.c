/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-window.c: the main window opens reports off the main thread and shows them. */
#define G_LOG_DOMAIN "test-window"

#include "config.h"

#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <gtk/gtk.h>
#include <locale.h>

#include "rel-code-search.h"
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
wait_for_analysis (RelWindow *window)
{
  gint64 deadline = g_get_monotonic_time () + 120 * G_USEC_PER_SEC;

  while (rel_window_get_analysis (window) == NULL)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_main_context_iteration (NULL, FALSE);
      g_usleep (1000);
    }
}

static RelWindow *
window_on_sample (const char *name)
{
  RelWindow *window = new_window ();
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, "..", "data", "samples", name, NULL);
  g_autoptr(GFile) file = g_file_new_for_path (path);

  rel_window_open_file (window, file);
  wait_for_analysis (window);
  return window;
}

static GtkWidget *
child (RelWindow  *window,
       const char *name)
{
  return GTK_WIDGET (gtk_widget_get_template_child (GTK_WIDGET (window), REL_TYPE_WINDOW, name));
}

static guint
n_rows (GtkWidget *list)
{
  guint n = 0;

  for (GtkWidget *row = gtk_widget_get_first_child (list); row != NULL;
       row = gtk_widget_get_next_sibling (row))
    if (GTK_IS_LIST_BOX_ROW (row))
      n++;
  return n;
}

static const RelDecision *
stored_decision (RelWindow  *window,
                 GPtrArray **holder,
                 const char *code)
{
  g_autoptr(GError) error = NULL;

  g_clear_pointer (holder, g_ptr_array_unref);
  *holder = rel_store_list_decisions (rel_window_get_store (window),
                                      rel_window_get_document_id (window), &error);
  g_assert_no_error (error);
  for (guint i = 0; i < (*holder)->len; i++)
    {
      const RelDecision *decision = g_ptr_array_index (*holder, i);

      if (g_str_equal (decision->code, code))
        return decision;
    }
  return NULL;
}

/* The coder's keyboard path: accept, reject, set a DP, add, undo — each
 * written to the store at once. */
static void
test_decisions (void)
{
  RelWindow *window = window_on_sample ("crh-cardiologie.txt");
  GPtrArray *codes = rel_analysis_get_codes (rel_window_get_analysis (window));
  const RelCodeSuggestion *first = g_ptr_array_index (codes, 0);
  const RelCodeSuggestion *second = g_ptr_array_index (codes, 1);
  const RelCodeSuggestion *third = g_ptr_array_index (codes, 2);
  g_autoptr(GPtrArray) holder = NULL;
  const RelDecision *decision;
  GtkListBox *suggestions = GTK_LIST_BOX (child (window, "codes_list"));
  GtkWidget *kept = child (window, "kept_list");

  g_assert_nonnull (rel_window_get_store (window));
  g_assert_cmpint (rel_window_get_document_id (window), >, 0);
  g_assert_cmpuint (n_rows (GTK_WIDGET (suggestions)), ==, codes->len);
  g_assert_cmpuint (n_rows (kept), ==, 0);

  /* Enter on the first suggestion accepts it and moves to the next. */
  gtk_list_box_select_row (suggestions, gtk_list_box_get_row_at_index (suggestions, 0));
  g_signal_emit_by_name (suggestions, "row-activated", gtk_list_box_get_row_at_index (suggestions, 0));
  decision = stored_decision (window, &holder, first->code);
  g_assert_nonnull (decision);
  g_assert_cmpstr (decision->status, ==, "accepted");
  g_assert_cmpstr (decision->role, ==, "DP");
  g_assert_cmpuint (n_rows (kept), ==, 1);
  g_assert_true (gtk_list_box_get_selected_row (suggestions) ==
                 gtk_list_box_get_row_at_index (suggestions, 1));

  /* Delete (the selected one) rejects. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.reject", "s", ""));
  decision = stored_decision (window, &holder, second->code);
  g_assert_cmpstr (decision->status, ==, "rejected");

  /* Ctrl+D on the third: it becomes the DP, the first a DAS. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.set-dp", "s", third->code));
  g_assert_cmpstr (stored_decision (window, &holder, third->code)->role, ==, "DP");
  g_assert_cmpstr (stored_decision (window, &holder, first->code)->role, ==, "DAS");
  g_assert_cmpuint (n_rows (kept), ==, 2);

  /* Ctrl+Z reverts the DP change whole, then the rejection. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.undo", NULL));
  g_assert_null (stored_decision (window, &holder, third->code));
  g_assert_cmpstr (stored_decision (window, &holder, first->code)->role, ==, "DP");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.undo", NULL));
  g_assert_null (stored_decision (window, &holder, second->code));

  /* A code the analysis missed, found by the type-ahead search. */
  {
    RelCodeSearch *search = REL_CODE_SEARCH (rel_window_get_code_search (window));
    g_auto(GStrv) results = NULL;

    rel_code_search_set_query (search, "pneumopathie");
    results = rel_code_search_get_results (search);
    g_assert_nonnull (results);
    g_assert_nonnull (results[0]);
    g_signal_emit_by_name (search, "code-chosen", "J189", "Pneumopathie, sans précision");
    decision = stored_decision (window, &holder, "J189");
    g_assert_cmpstr (decision->status, ==, "added");
    g_assert_cmpstr (decision->origin, ==, "manual");
    g_assert_cmpuint (n_rows (kept), ==, 2);
  }

  gtk_window_destroy (GTK_WINDOW (window));
}

static GtkWidget *
find_button (GtkWidget  *widget,
             const char *tooltip)
{
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found;

      if (GTK_IS_BUTTON (child) && g_strcmp0 (gtk_widget_get_tooltip_text (child), tooltip) == 0)
        return child;
      if ((found = find_button (child, tooltip)) != NULL)
        return found;
    }
  return NULL;
}

/* The summary's items can be judged and the summary rated: the feedback is
 * in the store (as the JSONL export shows it). */
static void
test_summary_feedback (void)
{
  RelWindow *window = window_on_sample ("crh-pneumologie.txt");
  GPtrArray *summary = rel_analysis_get_summary (rel_window_get_analysis (window));
  GtkListBox *list = GTK_LIST_BOX (child (window, "summary_list"));
  guint n_items = 0;
  GtkListBoxRow *item_row = NULL;
  g_autoptr(GOutputStream) out = g_memory_output_stream_new_resizable ();
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) line = NULL;
  JsonObject *object;

  for (guint i = 0; i < summary->len; i++)
    n_items += ((RelSummarySection *) g_ptr_array_index (summary, i))->items->len;
  /* A heading per section, a row per item. */
  g_assert_cmpuint (n_rows (GTK_WIDGET (list)), ==, n_items + summary->len);

  for (int i = 0; item_row == NULL; i++)
    if (gtk_list_box_row_get_selectable (gtk_list_box_get_row_at_index (list, i)))
      item_row = gtk_list_box_get_row_at_index (list, i);
  g_signal_emit_by_name (find_button (GTK_WIDGET (item_row), "This item is right"), "clicked");

  gtk_widget_activate_action (GTK_WIDGET (window), "win.rate-summary", NULL);
  g_signal_emit_by_name (gtk_widget_get_last_child (child (window, "rating_box")), "clicked");
  gtk_editable_set_text (GTK_EDITABLE (child (window, "rating_comment")), "Complet");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.rate-summary", NULL));

  g_assert_true (rel_store_export (rel_window_get_store (window), REL_EXPORT_JSONL, NULL, NULL,
                                   out, NULL, &error));
  g_assert_no_error (error);
  g_output_stream_write_all (out, "", 1, NULL, NULL, NULL);
  g_output_stream_close (out, NULL, NULL);
  {
    g_auto(GStrv) lines = g_strsplit (g_memory_output_stream_get_data (G_MEMORY_OUTPUT_STREAM (out)),
                                      "\n", -1);
    const char *mine = NULL;
    const char *sha = rel_document_get_sha256 (rel_window_get_document (window));

    for (guint i = 0; lines[i] != NULL; i++)
      if (strstr (lines[i], sha) != NULL)
        mine = lines[i];
    g_assert_nonnull (mine);
    line = json_from_string (mine, &error);
  }
  g_assert_no_error (error);
  object = json_node_get_object (line);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (object, "summary_feedback")),
                    ==, 1);
  g_assert_cmpstr (json_object_get_string_member (
                     json_array_get_object_element (json_object_get_array_member (object,
                                                                                  "summary_feedback"), 0),
                     "verdict"), ==, "correct");
  g_assert_cmpint (json_object_get_int_member (
                     json_array_get_object_element (json_object_get_array_member (object, "ratings"), 0),
                     "rating"), ==, 5);

  gtk_window_destroy (GTK_WINDOW (window));
}

/* Selecting a code highlights its evidence where the analysis found it. */
static void
test_evidence_highlight (void)
{
  RelWindow *window = window_on_sample ("crh-pneumologie.txt");
  RelAnalysis *analysis = rel_window_get_analysis (window);
  const RelCodeSuggestion *first = g_ptr_array_index (rel_analysis_get_codes (analysis), 0);
  const RelSpan *span = &g_array_index (first->evidence, RelSpan, 0);
  const char *text = rel_document_get_text (rel_analysis_get_document (analysis));
  GtkListBox *suggestions = GTK_LIST_BOX (child (window, "codes_list"));
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (GTK_TEXT_VIEW (child (window, "text_view")));
  GtkTextTag *evidence = gtk_text_tag_table_lookup (gtk_text_buffer_get_tag_table (buffer),
                                                    "evidence");
  GtkTextTag *phi = gtk_text_tag_table_lookup (gtk_text_buffer_get_tag_table (buffer), "phi");
  GtkTextIter iter;
  int start = (int) g_utf8_pointer_to_offset (text, text + span->start);
  int end = (int) g_utf8_pointer_to_offset (text, text + span->end);

  gtk_list_box_select_row (suggestions, gtk_list_box_get_row_at_index (suggestions, 0));
  gtk_text_buffer_get_iter_at_offset (buffer, &iter, start);
  g_assert_true (gtk_text_iter_has_tag (&iter, evidence));
  gtk_text_buffer_get_iter_at_offset (buffer, &iter, end - 1);
  g_assert_true (gtk_text_iter_has_tag (&iter, evidence));
  gtk_text_buffer_get_iter_at_offset (buffer, &iter, end);
  g_assert_false (gtk_text_iter_has_tag (&iter, evidence) &&
                  first->evidence->len == 1);

  /* Identifying data carry their layer; hidden, the text is the
   * pseudonymized one and the evidence still falls on its words. */
  {
    const RelPhi *name = g_ptr_array_index (rel_analysis_get_phi (analysis), 0);
    g_autofree char *shown = NULL;
    g_autofree char *words = g_strndup (text + span->start, span->end - span->start);
    GtkTextIter from, to;

    gtk_text_buffer_get_iter_at_offset (buffer, &iter,
                                        (int) g_utf8_pointer_to_offset (text, text + name->start));
    g_assert_true (gtk_text_iter_has_tag (&iter, phi));

    g_object_set (window, "hide-phi", TRUE, NULL);
    gtk_text_buffer_get_bounds (buffer, &from, &to);
    shown = gtk_text_buffer_get_text (buffer, &from, &to, TRUE);
    g_assert_cmpstr (shown, ==, rel_analysis_get_pseudonymized_text (analysis));
    gtk_list_box_select_row (suggestions, NULL);
    gtk_list_box_select_row (suggestions, gtk_list_box_get_row_at_index (suggestions, 0));
    gtk_text_buffer_get_bounds (buffer, &from, &to);
    g_assert_true (gtk_text_iter_forward_to_tag_toggle (&from, evidence));
    to = from;
    g_assert_true (gtk_text_iter_forward_to_tag_toggle (&to, evidence));
    g_clear_pointer (&shown, g_free);
    shown = gtk_text_buffer_get_text (buffer, &from, &to, TRUE);
    g_assert_cmpstr (shown, ==, words);
    g_object_set (window, "hide-phi", FALSE, NULL);
  }

  gtk_window_destroy (GTK_WINDOW (window));
}

/* Opening another report during an analysis cancels it. */
static void
test_cancel_on_open (void)
{
  RelWindow *window = new_window ();
  g_autofree char *first = g_test_build_filename (G_TEST_DIST, "..", "data", "samples",
                                                  "crh-geriatrie.txt", NULL);
  g_autofree char *second = g_test_build_filename (G_TEST_DIST, "..", "data", "samples",
                                                   "crh-neurologie.txt", NULL);
  g_autoptr(GFile) file1 = g_file_new_for_path (first);
  g_autoptr(GFile) file2 = g_file_new_for_path (second);
  g_autoptr(GCancellable) analysing = NULL;

  rel_window_open_file (window, file1);
  wait_while_loading (window);
  /* The report is shown and its analysis runs. */
  analysing = g_object_ref (rel_window_get_cancellable (window));
  g_assert_null (rel_window_get_analysis (window));
  rel_window_open_file (window, file2);
  g_assert_true (g_cancellable_is_cancelled (analysing));
  wait_for_analysis (window);
  g_assert_true (g_str_has_suffix (rel_document_get_path (rel_window_get_document (window)),
                                   "crh-neurologie.txt"));

  gtk_window_destroy (GTK_WINDOW (window));
}

/* A folder becomes the worklist; validating opens the next report. */
static void
test_worklist (void)
{
  RelWindow *window = new_window ();
  g_autoptr(GError) error = NULL;
  g_autofree char *folder = g_dir_make_tmp ("relecture-worklist-XXXXXX", &error);
  g_autoptr(GFile) root = g_file_new_for_path (folder);
  g_autofree char *a = g_build_filename (folder, "a-crh.txt", NULL);
  g_autofree char *b = g_build_filename (folder, "b-crh.txt", NULL);
  g_autofree char *sample = g_test_build_filename (G_TEST_DIST, "..", "data", "samples",
                                                   "crh-endocrinologie.txt", NULL);
  g_autofree char *contents = NULL;
  g_autofree char *other = NULL;
  gint64 deadline = g_get_monotonic_time () + 60 * G_USEC_PER_SEC;
  gint64 first_id;

  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (sample, &contents, NULL, NULL));
  other = g_strconcat (contents, "\nConclusion : HTA.\n", NULL);
  g_assert_true (g_file_set_contents (a, contents, -1, NULL));
  g_assert_true (g_file_set_contents (b, other, -1, NULL));

  rel_window_open_files (window, &root, 1);
  while (rel_window_get_worklist (window) == NULL)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_main_context_iteration (NULL, FALSE);
    }
  g_assert_cmpuint (rel_window_get_worklist (window)->len, ==, 2);
  g_assert_cmpuint (n_rows (child (window, "worklist")), ==, 2);
  wait_for_analysis (window);
  g_assert_true (g_str_has_suffix (rel_document_get_path (rel_window_get_document (window)),
                                   "a-crh.txt"));
  first_id = rel_window_get_document_id (window);

  /* Ctrl+Enter: validated, and the next report opens. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.validate", NULL));
  {
    g_autoptr(RelStoreDocument) stored = rel_store_get_document (rel_window_get_store (window),
                                                                 first_id, &error);

    g_assert_no_error (error);
    g_assert_cmpstr (stored->status, ==, "validated");
  }
  wait_while_loading (window);
  wait_for_analysis (window);
  g_assert_true (g_str_has_suffix (rel_document_get_path (rel_window_get_document (window)),
                                   "b-crh.txt"));

  gtk_window_destroy (GTK_WINDOW (window));
  g_unlink (a);
  g_unlink (b);
  g_rmdir (folder);
}

/* A picture of the window, for people and for the metainfo. */
static void
save_screenshot (RelWindow  *window,
                 const char *name)
{
  g_autoptr(GdkPaintable) paintable = gtk_widget_paintable_new (GTK_WIDGET (window));
  g_autoptr(GtkSnapshot) snapshot = gtk_snapshot_new ();
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  g_autofree char *path = g_build_filename (g_getenv ("REL_BUILD_ROOT") != NULL
                                            ? g_getenv ("REL_BUILD_ROOT") : ".", name, NULL);
  int width, height;

  /* The cross-fade from "Opening…" to the report has ended. */
  while (gtk_stack_get_transition_running (GTK_STACK (child (window, "stack"))))
    g_main_context_iteration (NULL, TRUE);
  for (int i = 0; i < 20; i++)
    g_main_context_iteration (NULL, FALSE);
  gtk_test_widget_wait_for_draw (GTK_WIDGET (window));

  width = gtk_widget_get_width (GTK_WIDGET (window));
  height = gtk_widget_get_height (GTK_WIDGET (window));
  gdk_paintable_snapshot (paintable, snapshot, width, height);
  node = gtk_snapshot_to_node (snapshot);
  g_assert_nonnull (node);
  texture = gsk_renderer_render_texture (gtk_native_get_renderer (GTK_NATIVE (window)), node,
                                         &GRAPHENE_RECT_INIT (0, 0, width, height));
  g_assert_true (gdk_texture_save_to_png (texture, path));
  g_test_message ("screenshot: %s", path);
}

static void
test_screenshot (void)
{
  RelWindow *window = window_on_sample ("crh-cardiologie.txt");
  GtkListBox *suggestions = GTK_LIST_BOX (child (window, "codes_list"));

  gtk_list_box_select_row (suggestions, gtk_list_box_get_row_at_index (suggestions, 0));
  g_signal_emit_by_name (suggestions, "row-activated", gtk_list_box_get_row_at_index (suggestions, 0));
  save_screenshot (window, "screenshot.png");
  gtk_window_destroy (GTK_WINDOW (window));
}

/* Under LANGUAGE=fr (the ui-fr test), the interface speaks French. */
static void
test_french (void)
{
  RelWindow *window;

  if (g_strcmp0 (g_getenv ("LANGUAGE"), "fr") != 0)
    {
      g_test_skip ("run with LANGUAGE=fr");
      return;
    }
  window = window_on_sample ("crh-cardiologie.txt");
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (child (window, "kept_title"))), ==,
                   "Codes retenus");
  g_assert_cmpstr (gtk_menu_button_get_label (GTK_MENU_BUTTON (child (window, "add_code_button"))),
                   ==, "_Ajouter un code…");
  save_screenshot (window, "screenshot-fr.png");
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
  /* The catalogs of the build tree, for the French run. */
  bindtextdomain (GETTEXT_PACKAGE, g_getenv ("RELECTURE_LOCALEDIR") != NULL
                                   ? g_getenv ("RELECTURE_LOCALEDIR") : LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);
  gtk_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  /* gtk_test_init() asks for en_US, absent on most build machines: a locale
   * that exists lets LANGUAGE choose the catalog. */
  if (g_strcmp0 (g_getenv ("LANGUAGE"), "fr") == 0)
    setlocale (LC_ALL, "C.UTF-8");

  /* Never the user's database: one of this run's own. */
  {
    g_autoptr(GError) error = NULL;
    g_autofree char *folder = g_dir_make_tmp ("relecture-window-XXXXXX", &error);
    g_autofree char *store = g_build_filename (folder, "relecture.db", NULL);

    g_assert_no_error (error);
    g_setenv ("RELECTURE_DB", store, TRUE);
  }

  g_test_add_func ("/window/open", test_open);
  g_test_add_func ("/window/error", test_error_keeps_window_usable);
  g_test_add_func ("/window/newer-request-wins", test_newer_request_wins);
  g_test_add_func ("/window/analysis", test_analysis);
  g_test_add_func ("/window/decisions", test_decisions);
  g_test_add_func ("/window/evidence-highlight", test_evidence_highlight);
  g_test_add_func ("/window/summary-feedback", test_summary_feedback);
  g_test_add_func ("/window/cancel-on-open", test_cancel_on_open);
  g_test_add_func ("/window/worklist", test_worklist);
  g_test_add_func ("/window/french", test_french);
  g_test_add_func ("/window/screenshot", test_screenshot);

  return g_test_run ();
}
