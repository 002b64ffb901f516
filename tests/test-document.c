/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-document.c: loading reports in every encoding and refusing what is not one. */
#define G_LOG_DOMAIN "test-document"

#include "config.h"

#include <cairo-pdf.h>
#include <glib/gstdio.h>
#include <fcntl.h>
#include <unistd.h>

#include "rel-document.h"

static char *
write_fixture (const char *name,
               const char *data,
               gssize      length)
{
  g_autoptr(GError) error = NULL;
  char *path = g_build_filename (g_get_tmp_dir (), name, NULL);

  if (length < 0)
    length = strlen (data);
  g_file_set_contents (path, data, length, &error);
  g_assert_no_error (error);
  return path;
}

static RelDocument *
load_path (const char  *path,
           gsize        max_size,
           GError     **error)
{
  g_autoptr(GFile) file = g_file_new_for_path (path);

  return rel_document_new_from_file (file, max_size, NULL, error);
}

static void
test_utf8 (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = write_fixture ("utf8.txt", "Fièvre à 39 °C.\nPas d'œdème.\n", -1);
  g_autoptr(RelDocument) document = load_path (path, 0, &error);

  g_assert_no_error (error);
  g_assert_cmpstr (rel_document_get_text (document), ==, "Fièvre à 39 °C.\nPas d'œdème.\n");
  g_assert_cmpstr (rel_document_get_encoding (document), ==, "UTF-8");
  g_assert_cmpuint (rel_document_get_length (document), ==,
                    strlen ("Fièvre à 39 °C.\nPas d'œdème.\n"));
  g_assert_cmpint (rel_document_get_kind (document), ==, REL_DOCUMENT_KIND_TEXT);
  g_assert_cmpstr (rel_document_get_path (document), ==, path);
}

static void
test_utf8_bom (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = write_fixture ("bom.txt", "\xef\xbb\xbfHTA connue\n", -1);
  g_autoptr(RelDocument) document = load_path (path, 0, &error);
  g_autofree char *expected_sha = g_compute_checksum_for_string (G_CHECKSUM_SHA256,
                                                                 "\xef\xbb\xbfHTA connue\n", -1);

  g_assert_no_error (error);
  g_assert_cmpstr (rel_document_get_text (document), ==, "HTA connue\n");
  /* The fingerprint is that of the original bytes, BOM included. */
  g_assert_cmpstr (rel_document_get_sha256 (document), ==, expected_sha);
}

static void
test_windows_1252 (void)
{
  g_autoptr(GError) error = NULL;
  /* "Œdème – crépitants" with the en dash 0x96 and Œ 0x8C of Windows-1252 */
  g_autofree char *path = write_fixture ("cp1252.txt", "\x8c" "d\xe8me \x96 cr\xe9pitants\r\n", -1);
  g_autoptr(RelDocument) document = load_path (path, 0, &error);

  g_assert_no_error (error);
  g_assert_cmpstr (rel_document_get_encoding (document), ==, "WINDOWS-1252");
  g_assert_cmpstr (rel_document_get_text (document), ==, "Œdème – crépitants\n");
}

static void
test_latin1 (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = write_fixture ("latin1.txt", "Ant\xe9\x63\xe9\x64\x65nts : HTA\n", -1);
  g_autoptr(RelDocument) document = load_path (path, 0, &error);

  g_assert_no_error (error);
  g_assert_cmpstr (rel_document_get_encoding (document), ==, "ISO-8859-1");
  g_assert_cmpstr (rel_document_get_text (document), ==, "Antécédents : HTA\n");
}

static void
test_utf16 (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = write_fixture ("utf16.txt", "\xff\xfe" "H\0T\0A\0\r\0\n\0", 12);
  g_autoptr(RelDocument) document = load_path (path, 0, &error);

  g_assert_no_error (error);
  g_assert_cmpstr (rel_document_get_text (document), ==, "HTA\n");
}

static void
test_line_endings (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = write_fixture ("crlf.txt", "a\r\nb\rc\n\r\nd", -1);
  g_autoptr(RelDocument) document = load_path (path, 0, &error);

  g_assert_no_error (error);
  g_assert_cmpstr (rel_document_get_text (document), ==, "a\nb\nc\n\nd");
}

static void
test_damaged_utf8 (void)
{
  g_autoptr(GError) error = NULL;
  /* Mostly UTF-8 with one stray Latin-1 byte: the good accents are kept. */
  g_autofree char *path = write_fixture ("mixed.txt", "Fièvre, céphalées, \xe9 douleur.\n", -1);
  g_autoptr(RelDocument) document = load_path (path, 0, &error);

  g_assert_no_error (error);
  g_assert_cmpstr (rel_document_get_encoding (document), ==, "UTF-8");
  g_assert_true (g_str_has_prefix (rel_document_get_text (document), "Fièvre, céphalées, "));
  g_assert_true (g_utf8_validate (rel_document_get_text (document), -1, NULL));
}

static void
test_mixed_encodings (void)
{
  g_autoptr(GError) error = NULL;
  /* A UTF-8 report with a paragraph pasted from a Windows-1252 file: each
   * part keeps its accents. */
  g_autofree char *path = write_fixture ("mixed-paragraphs.txt",
                                         "Diabète de type 2.\n"
                                         "Fi\xe8vre \xe0 39 \xb0" "C, \x93toux\x94.\n", -1);
  g_autoptr(RelDocument) document = load_path (path, 0, &error);

  g_assert_no_error (error);
  g_assert_cmpstr (rel_document_get_encoding (document), ==, "UTF-8");
  g_assert_cmpstr (rel_document_get_text (document), ==,
                   "Diabète de type 2.\nFièvre à 39 °C, “toux”.\n");
}

static void
assert_refused (const char *name,
                const char *data,
                gssize      length,
                int         code)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = write_fixture (name, data, length);
  g_autoptr(RelDocument) document = load_path (path, 0, &error);

  g_assert_null (document);
  g_assert_error (error, REL_DOCUMENT_ERROR, code);
  /* The message never repeats the file's content. */
  g_assert_null (strstr (error->message, "HTA"));
}

static void
test_binary (void)
{
  assert_refused ("image.png", "\x89PNG\r\n\x1a\n\0\0\0\rIHDR", 16, REL_DOCUMENT_ERROR_BINARY);
  assert_refused ("archive.zip", "PK\x03\x04\x14\0\0\0", 8, REL_DOCUMENT_ERROR_BINARY);
  assert_refused ("program", "\x7f" "ELF\x02\x01\x01\0\0\0", 10, REL_DOCUMENT_ERROR_BINARY);
  assert_refused ("nul.txt", "HTA\0\0\0\0garbage", 15, REL_DOCUMENT_ERROR_BINARY);
  assert_refused ("control.txt", "\x01\x02\x03\x04\x05\x06\x07\x08HTA\x0e\x0f\x10\x11", 15,
                  REL_DOCUMENT_ERROR_BINARY);
}

static void
test_empty (void)
{
  assert_refused ("empty.txt", "", 0, REL_DOCUMENT_ERROR_EMPTY);
  assert_refused ("blank.txt", " \n\t\r\n  ", -1, REL_DOCUMENT_ERROR_EMPTY);
}

static void
test_too_large (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_build_filename (g_get_tmp_dir (), "huge.txt", NULL);
  g_autoptr(RelDocument) document = NULL;
  int fd;

  /* A sparse file: 25 MB announced, nothing written, refused before reading. */
  fd = g_open (path, O_CREAT | O_WRONLY | O_TRUNC, 0600);
  g_assert_cmpint (fd, >=, 0);
  g_assert_cmpint (ftruncate (fd, 25 * 1024 * 1024), ==, 0);
  close (fd);

  document = load_path (path, 0, &error);
  g_assert_null (document);
  g_assert_error (error, REL_DOCUMENT_ERROR, REL_DOCUMENT_ERROR_TOO_LARGE);
  g_clear_error (&error);

  /* A configured limit applies too. */
  g_free (path);
  path = write_fixture ("small.txt", "0123456789 HTA 0123456789\n", -1);
  document = load_path (path, 10, &error);
  g_assert_error (error, REL_DOCUMENT_ERROR, REL_DOCUMENT_ERROR_TOO_LARGE);
}

static void
test_missing_and_unreadable (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(RelDocument) document = NULL;
  g_autofree char *missing = g_build_filename (g_get_tmp_dir (), "nowhere.txt", NULL);
  g_autofree char *locked = NULL;

  document = load_path (missing, 0, &error);
  g_assert_error (error, REL_DOCUMENT_ERROR, REL_DOCUMENT_ERROR_NOT_FOUND);
  g_clear_error (&error);

  document = load_path (g_get_tmp_dir (), 0, &error);
  g_assert_error (error, REL_DOCUMENT_ERROR, REL_DOCUMENT_ERROR_UNREADABLE);
  g_clear_error (&error);

  if (geteuid () == 0)
    {
      g_test_message ("running as root: a mode 000 file is readable, that case is skipped");
      return;
    }
  locked = write_fixture ("locked.txt", "HTA\n", -1);
  g_assert_cmpint (g_chmod (locked, 0), ==, 0);
  document = load_path (locked, 0, &error);
  g_assert_error (error, REL_DOCUMENT_ERROR, REL_DOCUMENT_ERROR_UNREADABLE);
}

static void
draw_pdf (const char  *path,
          const char **pages,
          gboolean     with_text)
{
  cairo_surface_t *surface = cairo_pdf_surface_create (path, 595, 842);
  cairo_t *cr = cairo_create (surface);

  for (guint i = 0; pages[i] != NULL; i++)
    {
      if (with_text)
        {
          cairo_select_font_face (cr, "DejaVu Sans", CAIRO_FONT_SLANT_NORMAL,
                                  CAIRO_FONT_WEIGHT_NORMAL);
          cairo_set_font_size (cr, 14);
          cairo_move_to (cr, 72, 100);
          cairo_show_text (cr, pages[i]);
        }
      else
        {
          /* What a scanner produces: marks, no text layer. */
          cairo_rectangle (cr, 72, 100, 300, 20);
          cairo_fill (cr);
        }
      cairo_show_page (cr);
    }

  cairo_destroy (cr);
  cairo_surface_finish (surface);
  g_assert_cmpint (cairo_surface_status (surface), ==, CAIRO_STATUS_SUCCESS);
  cairo_surface_destroy (surface);
}

static void
test_pdf (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_build_filename (g_get_tmp_dir (), "report.pdf", NULL);
  const char *pages[] = { "Motif : douleur thoracique", "Conclusion : angor stable", NULL };
  g_autoptr(RelDocument) document = NULL;
  const char *text, *first, *second, *brk;

  draw_pdf (path, pages, TRUE);
  document = load_path (path, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpint (rel_document_get_kind (document), ==, REL_DOCUMENT_KIND_PDF);
  g_assert_cmpuint (rel_document_get_n_pages (document), ==, 2);

  text = rel_document_get_text (document);
  first = strstr (text, "douleur thoracique");
  second = strstr (text, "angor stable");
  brk = strchr (text, '\f');
  g_assert_nonnull (first);
  g_assert_nonnull (second);
  g_assert_nonnull (brk);
  /* Reading order and the page break between the pages are kept. */
  g_assert_true (first < brk && brk < second);
}

static void
test_pdf_scanned (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_build_filename (g_get_tmp_dir (), "scan.pdf", NULL);
  const char *pages[] = { "", NULL };
  g_autoptr(RelDocument) document = NULL;

  draw_pdf (path, pages, FALSE);
  document = load_path (path, 0, &error);
  g_assert_null (document);
  g_assert_error (error, REL_DOCUMENT_ERROR, REL_DOCUMENT_ERROR_PDF_NO_TEXT);
}

static void
test_pdf_encrypted (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *plain = g_build_filename (g_get_tmp_dir (), "plain.pdf", NULL);
  g_autofree char *locked = g_build_filename (g_get_tmp_dir (), "locked.pdf", NULL);
  g_autofree char *qpdf = g_find_program_in_path ("qpdf");
  const char *pages[] = { "Secret", NULL };
  g_autoptr(RelDocument) document = NULL;
  int status = 0;

  if (qpdf == NULL)
    {
      g_test_fail_printf ("qpdf is needed to make an encrypted PDF; run build-aux/install-deps");
      return;
    }

  draw_pdf (plain, pages, TRUE);
  {
    const char *argv[] = { qpdf, "--encrypt", "user", "owner", "256", "--", plain, locked, NULL };

    g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, NULL, NULL,
                  &status, &error);
    g_assert_no_error (error);
    g_assert_true (g_spawn_check_wait_status (status, NULL));
  }

  document = load_path (locked, 0, &error);
  g_assert_null (document);
  g_assert_error (error, REL_DOCUMENT_ERROR, REL_DOCUMENT_ERROR_PDF_ENCRYPTED);
}

static void
test_pdf_damaged (void)
{
  assert_refused ("damaged.pdf", "%PDF-1.7\nthis is not a pdf body\n", -1,
                  REL_DOCUMENT_ERROR_PDF_INVALID);
}

static void
test_stream (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GInputStream) stream = g_memory_input_stream_new_from_data ("BPCO\r\n", 6, NULL);
  g_autoptr(RelDocument) document = NULL;

  document = rel_document_new_from_stream (stream, "-", 0, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (rel_document_get_text (document), ==, "BPCO\n");
  g_assert_cmpstr (rel_document_get_path (document), ==, "-");
}

static void
on_loaded (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  GAsyncResult **out = user_data;

  *out = g_object_ref (result);
}

static void
test_async (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = write_fixture ("async.txt", "Insuffisance cardiaque\n", -1);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(RelDocument) document = NULL;

  rel_document_load_async (file, 0, NULL, on_loaded, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  document = rel_document_load_finish (result, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (rel_document_get_text (document), ==, "Insuffisance cardiaque\n");
  g_clear_object (&result);
  g_clear_object (&document);

  g_cancellable_cancel (cancellable);
  rel_document_load_async (file, 0, cancellable, on_loaded, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  document = rel_document_load_finish (result, &error);
  g_assert_null (document);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/document/text/utf8", test_utf8);
  g_test_add_func ("/document/text/utf8-bom", test_utf8_bom);
  g_test_add_func ("/document/text/windows-1252", test_windows_1252);
  g_test_add_func ("/document/text/iso-8859-1", test_latin1);
  g_test_add_func ("/document/text/utf16", test_utf16);
  g_test_add_func ("/document/text/line-endings", test_line_endings);
  g_test_add_func ("/document/text/damaged-utf8", test_damaged_utf8);
  g_test_add_func ("/document/text/mixed-encodings", test_mixed_encodings);
  g_test_add_func ("/document/refused/binary", test_binary);
  g_test_add_func ("/document/refused/empty", test_empty);
  g_test_add_func ("/document/refused/too-large", test_too_large);
  g_test_add_func ("/document/refused/missing-unreadable", test_missing_and_unreadable);
  g_test_add_func ("/document/pdf/text", test_pdf);
  g_test_add_func ("/document/pdf/scanned", test_pdf_scanned);
  g_test_add_func ("/document/pdf/encrypted", test_pdf_encrypted);
  g_test_add_func ("/document/pdf/damaged", test_pdf_damaged);
  g_test_add_func ("/document/stream", test_stream);
  g_test_add_func ("/document/async", test_async);

  return g_test_run ();
}
