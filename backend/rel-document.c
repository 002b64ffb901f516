/* SPDX-License-Identifier: GPL-3.0-or-later */
/* rel-document.c: loading, decoding and fingerprinting of report files. */
#define G_LOG_DOMAIN "rel-document"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <poppler.h>

#include "rel-document.h"
#include "rel-text.h"

struct _RelDocument
{
  GObject          parent_instance;

  char            *path;
  char            *text;
  gsize            length;
  char            *sha256;
  const char      *encoding;
  RelDocumentKind  kind;
  guint            n_pages;
};

G_DEFINE_FINAL_TYPE (RelDocument, rel_document, G_TYPE_OBJECT)
G_DEFINE_QUARK (rel-document-error-quark, rel_document_error)

/* How much of the start of a text file is looked at to tell text from binary. */
#define SNIFF_LENGTH 65536

static void
rel_document_finalize (GObject *object)
{
  RelDocument *self = (RelDocument *) object;

  g_free (self->path);
  g_free (self->text);
  g_free (self->sha256);

  G_OBJECT_CLASS (rel_document_parent_class)->finalize (object);
}

static void
rel_document_class_init (RelDocumentClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = rel_document_finalize;
}

static void
rel_document_init (RelDocument *self)
{
}

static gsize
effective_max_size (gsize max_size)
{
  return max_size == 0 ? REL_DOCUMENT_DEFAULT_MAX_SIZE : max_size;
}

static void
set_too_large_error (GError **error,
                     gsize    max_size)
{
  g_autofree char *limit = g_format_size (max_size);

  g_set_error (error, REL_DOCUMENT_ERROR, REL_DOCUMENT_ERROR_TOO_LARGE,
               _("The file is larger than the limit of %s. Split the report or raise "
                 "the limit in the preferences."), limit);
}

static gboolean
has_prefix (const guint8 *data,
            gsize         size,
            const char   *magic,
            gsize         magic_size)
{
  return size >= magic_size && memcmp (data, magic, magic_size) == 0;
}

/* File signatures of formats that are certainly not a report's text. */
static gboolean
looks_like_known_binary (const guint8 *data,
                         gsize         size)
{
  static const struct { const char *magic; gsize size; } signatures[] = {
    { "\x89PNG", 4 }, { "\xff\xd8\xff", 3 }, { "GIF8", 4 }, { "PK\x03\x04", 4 },
    { "\x7f" "ELF", 4 }, { "MZ", 2 }, { "\x1f\x8b", 2 }, { "BZh", 3 },
    { "7z\xbc\xaf", 4 }, { "Rar!", 4 }, { "II*", 4 }, { "MM\0*", 4 },
    { "SQLite format 3", 16 }, { "\xd0\xcf\x11\xe0", 4 }, { "%!PS", 4 },
    { "\xfd" "7zXZ", 5 }, { "RIFF", 4 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (signatures); i++)
    {
      if (has_prefix (data, size, signatures[i].magic, signatures[i].size))
        return TRUE;
    }

  return FALSE;
}

/* CRLF and lone CR become LF; the result is always a new string. */
static char *
normalize_line_endings (const char *text,
                        gsize       length,
                        gsize      *out_length)
{
  GString *out = g_string_sized_new (length);

  for (gsize i = 0; i < length; i++)
    {
      if (text[i] == '\r')
        {
          g_string_append_c (out, '\n');
          if (i + 1 < length && text[i + 1] == '\n')
            i++;
        }
      else
        {
          g_string_append_c (out, text[i]);
        }
    }

  *out_length = out->len;
  return g_string_free (out, FALSE);
}

/* Counts valid multi-byte UTF-8 sequences and invalid bytes, to tell a UTF-8
 * file with a few damaged bytes from a file in a single-byte encoding. */
static void
count_utf8 (const char *data,
            gsize       size,
            gsize      *n_multibyte,
            gsize      *n_invalid)
{
  const char *p = data;
  const char *end = data + size;

  *n_multibyte = 0;
  *n_invalid = 0;

  while (p < end)
    {
      const char *bad = NULL;

      if (g_utf8_validate (p, end - p, &bad))
        bad = end;

      for (const char *q = p; q < bad; q = g_utf8_next_char (q))
        {
          if ((guchar) *q >= 0x80)
            (*n_multibyte)++;
        }

      if (bad < end)
        {
          (*n_invalid)++;
          p = bad + 1;
        }
      else
        {
          p = end;
        }
    }
}

/* Valid UTF-8 as it is, each other byte as a Windows-1252 character (U+FFFD
 * for the five bytes it leaves undefined). */
static char *
decode_mixed (const char *data,
              gsize       size,
              gsize      *out_length)
{
  static const gunichar windows_1252[32] = {
    0x20AC, 0xFFFD, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021,
    0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0xFFFD, 0x017D, 0xFFFD,
    0xFFFD, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
    0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0xFFFD, 0x017E, 0x0178,
  };
  GString *out = g_string_sized_new (size + size / 8);
  const char *p = data;
  const char *end = data + size;

  while (p < end)
    {
      const char *bad = NULL;
      guchar byte;

      if (g_utf8_validate (p, end - p, &bad))
        bad = end;
      g_string_append_len (out, p, bad - p);
      if (bad == end)
        break;
      byte = (guchar) *bad;
      g_string_append_unichar (out, byte >= 0xa0 ? byte
                                    : byte >= 0x80 ? windows_1252[byte - 0x80] : 0xFFFD);
      p = bad + 1;
    }

  *out_length = out->len;
  return g_string_free (out, FALSE);
}

static gboolean
has_c1_bytes (const guint8 *data,
              gsize         size)
{
  for (gsize i = 0; i < size; i++)
    {
      if (data[i] >= 0x80 && data[i] <= 0x9f)
        return TRUE;
    }
  return FALSE;
}

/* Too many control characters in decoded text means it was never text. */
static gboolean
looks_like_binary_text (const char *text,
                        gsize       length)
{
  gsize n_chars = 0;
  gsize n_control = 0;
  const char *end = text + MIN (length, SNIFF_LENGTH);

  for (const char *p = text; p < end && *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      n_chars++;
      if (c == '\n' || c == '\r' || c == '\t' || c == '\f')
        continue;
      if (g_unichar_iscntrl (c))
        n_control++;
    }

  return n_chars > 0 && n_control * 100 > n_chars;
}

static gboolean
decode_text (RelDocument  *self,
             const char   *data,
             gsize         size,
             GError      **error)
{
  g_autofree char *decoded = NULL;
  gsize decoded_length = 0;

  if (has_prefix ((const guint8 *) data, size, "\xef\xbb\xbf", 3))
    {
      data += 3;
      size -= 3;
      self->encoding = "UTF-8";
    }
  else if (has_prefix ((const guint8 *) data, size, "\xff\xfe", 2) ||
           has_prefix ((const guint8 *) data, size, "\xfe\xff", 2))
    {
      const char *charset = data[0] == '\xff' ? "UTF-16LE" : "UTF-16BE";

      decoded = g_convert (data + 2, size - 2, "UTF-8", charset, NULL, &decoded_length, NULL);
      if (decoded == NULL)
        {
          g_set_error_literal (error, REL_DOCUMENT_ERROR, REL_DOCUMENT_ERROR_BINARY,
                               _("The file claims to be UTF-16 text but cannot be decoded."));
          return FALSE;
        }
      /* A UTF-16 NUL decodes to a NUL byte, which would end the text short of
       * its length for every later stage (found by fuzzing: a heap overflow
       * in the analysis JSON): binary, as a NUL byte is in 8-bit text. */
      if (memchr (decoded, '\0', decoded_length) != NULL)
        {
          g_set_error_literal (error, REL_DOCUMENT_ERROR, REL_DOCUMENT_ERROR_BINARY,
                               _("The file holds binary data, not the text of a report. "
                                 "Open a text or PDF file."));
          return FALSE;
        }
      self->encoding = charset;
    }

  if (decoded == NULL && memchr (data, '\0', size) != NULL)
    {
      g_set_error_literal (error, REL_DOCUMENT_ERROR, REL_DOCUMENT_ERROR_BINARY,
                           _("The file holds binary data, not the text of a report. "
                             "Open a text or PDF file."));
      return FALSE;
    }

  if (decoded == NULL)
    {
      if (g_utf8_validate (data, size, NULL))
        {
          decoded = g_strndup (data, size);
          decoded_length = size;
          if (self->encoding == NULL)
            self->encoding = "UTF-8";
        }
      else
        {
          gsize n_multibyte, n_invalid;

          count_utf8 (data, size, &n_multibyte, &n_invalid);
          if (n_multibyte > 0 && n_multibyte * 100 >= n_invalid)
            {
              /* UTF-8 with a few damaged bytes, or with a paragraph pasted
               * from a Latin-1 file: keep the good text, and read the stray
               * bytes as Windows-1252. One encoding for the whole file garbled
               * the other part's accents, and the words the coder looks for
               * ("diabète"). A Latin-1 file whose accents happen to form a
               * UTF-8 sequence here and there is not taken for this. */
              decoded = decode_mixed (data, size, &decoded_length);
              self->encoding = "UTF-8";
            }
          else
            {
              /* ISO-8859-1 leaves 0x80–0x9F to control codes that no text file
               * holds; where they appear, they are Windows-1252 punctuation. */
              const char *charset = has_c1_bytes ((const guint8 *) data, size)
                                    ? "WINDOWS-1252" : "ISO-8859-1";

              decoded = g_convert_with_fallback (data, size, "UTF-8", charset, "?",
                                                 NULL, &decoded_length, NULL);
              if (decoded == NULL)
                decoded = g_convert (data, size, "UTF-8", "ISO-8859-1", NULL,
                                     &decoded_length, NULL);
              if (decoded == NULL)
                {
                  g_set_error_literal (error, REL_DOCUMENT_ERROR, REL_DOCUMENT_ERROR_BINARY,
                                       _("The text encoding of the file is not recognized. "
                                         "Save it as UTF-8 and open it again."));
                  return FALSE;
                }
              self->encoding = g_str_equal (charset, "WINDOWS-1252") ? "WINDOWS-1252"
                                                                   : "ISO-8859-1";
            }
        }
    }

  if (looks_like_binary_text (decoded, decoded_length))
    {
      g_set_error_literal (error, REL_DOCUMENT_ERROR, REL_DOCUMENT_ERROR_BINARY,
                           _("The file holds binary data, not the text of a report. "
                             "Open a text or PDF file."));
      return FALSE;
    }

  self->text = normalize_line_endings (decoded, decoded_length, &self->length);
  self->kind = REL_DOCUMENT_KIND_TEXT;

  if (rel_text_is_blank (self->text, self->length))
    {
      g_set_error_literal (error, REL_DOCUMENT_ERROR, REL_DOCUMENT_ERROR_EMPTY,
                           _("The file holds no text."));
      return FALSE;
    }

  return TRUE;
}

static gboolean
decode_pdf (RelDocument  *self,
            GBytes       *bytes,
            GError      **error)
{
  /* poppler-glib 22.12 has no g_autoptr support. */
  g_autoptr(GObject) pdf_object = NULL;
  PopplerDocument *pdf;
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GString) text = NULL;
  g_autofree char *valid = NULL;
  int n_pages;

  pdf = poppler_document_new_from_bytes (bytes, NULL, &local_error);
  pdf_object = (GObject *) pdf;
  if (pdf == NULL)
    {
      if (g_error_matches (local_error, POPPLER_ERROR, POPPLER_ERROR_ENCRYPTED))
        g_set_error_literal (error, REL_DOCUMENT_ERROR, REL_DOCUMENT_ERROR_PDF_ENCRYPTED,
                             _("The PDF is protected by a password. Save an unprotected copy "
                               "and open it instead."));
      else
        g_set_error_literal (error, REL_DOCUMENT_ERROR, REL_DOCUMENT_ERROR_PDF_INVALID,
                             _("The PDF file is damaged and cannot be read."));
      return FALSE;
    }

  n_pages = poppler_document_get_n_pages (pdf);
  text = g_string_new (NULL);
  for (int i = 0; i < n_pages; i++)
    {
      g_autoptr(GObject) page = (GObject *) poppler_document_get_page (pdf, i);
      g_autofree char *page_text = page != NULL ? poppler_page_get_text (POPPLER_PAGE (page))
                                                : NULL;

      /* A form feed on its own line marks each page break, as pdftotext does. */
      if (i > 0)
        {
          if (text->len > 0 && text->str[text->len - 1] != '\n')
            g_string_append_c (text, '\n');
          g_string_append (text, "\f\n");
        }
      if (page_text != NULL)
        g_string_append (text, page_text);
    }

  if (rel_text_is_blank (text->str, text->len))
    {
      g_set_error_literal (error, REL_DOCUMENT_ERROR, REL_DOCUMENT_ERROR_PDF_NO_TEXT,
                           _("The PDF has no text layer (it is probably a scan). "
                             "Run it through character recognition first."));
      return FALSE;
    }

  valid = g_utf8_make_valid (text->str, text->len);
  self->text = normalize_line_endings (valid, strlen (valid), &self->length);
  self->kind = REL_DOCUMENT_KIND_PDF;
  self->encoding = "UTF-8";
  self->n_pages = (guint) n_pages;

  return TRUE;
}

RelDocument *
rel_document_new_from_bytes (GBytes      *bytes,
                             const char  *path,
                             gsize        max_size,
                             GError     **error)
{
  g_autoptr(RelDocument) self = NULL;
  const guint8 *data;
  gsize size;

  g_return_val_if_fail (bytes != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  max_size = effective_max_size (max_size);
  data = g_bytes_get_data (bytes, &size);

  if (size == 0)
    {
      g_set_error_literal (error, REL_DOCUMENT_ERROR, REL_DOCUMENT_ERROR_EMPTY,
                           _("The file is empty."));
      return NULL;
    }
  if (size > max_size)
    {
      set_too_large_error (error, max_size);
      return NULL;
    }

  self = g_object_new (REL_TYPE_DOCUMENT, NULL);
  self->path = g_strdup (path != NULL ? path : "-");
  self->sha256 = g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, bytes);
  self->n_pages = 1;

  if (has_prefix (data, size, "%PDF-", 5))
    {
      if (!decode_pdf (self, bytes, error))
        return NULL;
    }
  else if (looks_like_known_binary (data, size))
    {
      g_set_error_literal (error, REL_DOCUMENT_ERROR, REL_DOCUMENT_ERROR_BINARY,
                           _("The file is an image, an archive or a program, not the text "
                             "of a report. Open a text or PDF file."));
      return NULL;
    }
  else if (!decode_text (self, (const char *) data, size, error))
    {
      return NULL;
    }

  return g_steal_pointer (&self);
}

static void
set_io_error (GError       **error,
              const GError  *io_error)
{
  if (g_error_matches (io_error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND))
    g_set_error_literal (error, REL_DOCUMENT_ERROR, REL_DOCUMENT_ERROR_NOT_FOUND,
                         _("The file does not exist. It may have been moved or deleted."));
  else if (g_error_matches (io_error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED))
    g_set_error_literal (error, REL_DOCUMENT_ERROR, REL_DOCUMENT_ERROR_UNREADABLE,
                         _("You are not allowed to read this file. Ask for access or copy "
                           "it somewhere you can read."));
  else if (g_error_matches (io_error, G_IO_ERROR, G_IO_ERROR_IS_DIRECTORY))
    g_set_error_literal (error, REL_DOCUMENT_ERROR, REL_DOCUMENT_ERROR_UNREADABLE,
                         _("This is a folder, not a report file."));
  else if (g_error_matches (io_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    g_propagate_error (error, g_error_copy (io_error));
  else
    g_set_error (error, REL_DOCUMENT_ERROR, REL_DOCUMENT_ERROR_UNREADABLE,
                 _("The file cannot be read (%s)."), io_error->message);
}

RelDocument *
rel_document_new_from_stream (GInputStream  *stream,
                              const char    *path,
                              gsize          max_size,
                              GCancellable  *cancellable,
                              GError       **error)
{
  g_autoptr(GByteArray) buffer = g_byte_array_new ();
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) local_error = NULL;
  guint8 chunk[65536];

  g_return_val_if_fail (G_IS_INPUT_STREAM (stream), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  max_size = effective_max_size (max_size);

  for (;;)
    {
      gssize n = g_input_stream_read (stream, chunk, sizeof chunk, cancellable, &local_error);

      if (n < 0)
        {
          set_io_error (error, local_error);
          return NULL;
        }
      if (n == 0)
        break;
      if (buffer->len + (gsize) n > max_size)
        {
          set_too_large_error (error, max_size);
          return NULL;
        }
      g_byte_array_append (buffer, chunk, (guint) n);
    }

  bytes = g_byte_array_free_to_bytes (g_steal_pointer (&buffer));
  return rel_document_new_from_bytes (bytes, path, max_size, error);
}

RelDocument *
rel_document_new_from_file (GFile         *file,
                            gsize          max_size,
                            GCancellable  *cancellable,
                            GError       **error)
{
  g_autoptr(GFileInfo) info = NULL;
  g_autoptr(GFileInputStream) stream = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autofree char *path = NULL;

  g_return_val_if_fail (G_IS_FILE (file), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  max_size = effective_max_size (max_size);
  path = g_file_get_path (file);
  if (path == NULL)
    path = g_file_get_uri (file);

  info = g_file_query_info (file,
                            G_FILE_ATTRIBUTE_STANDARD_SIZE "," G_FILE_ATTRIBUTE_STANDARD_TYPE,
                            G_FILE_QUERY_INFO_NONE, cancellable, &local_error);
  if (info == NULL)
    {
      set_io_error (error, local_error);
      return NULL;
    }
  if (g_file_info_get_file_type (info) == G_FILE_TYPE_DIRECTORY)
    {
      g_set_error_literal (error, REL_DOCUMENT_ERROR, REL_DOCUMENT_ERROR_UNREADABLE,
                           _("This is a folder, not a report file."));
      return NULL;
    }
  /* Refuse before reading a byte: a huge file must not fill the memory. */
  if (g_file_info_get_size (info) > 0 && (guint64) g_file_info_get_size (info) > max_size)
    {
      set_too_large_error (error, max_size);
      return NULL;
    }

  stream = g_file_read (file, cancellable, &local_error);
  if (stream == NULL)
    {
      set_io_error (error, local_error);
      return NULL;
    }

  return rel_document_new_from_stream (G_INPUT_STREAM (stream), path, max_size,
                                       cancellable, error);
}

typedef struct
{
  GFile *file;
  gsize  max_size;
} LoadData;

static void
load_data_free (gpointer data)
{
  LoadData *load = data;

  g_object_unref (load->file);
  g_free (load);
}

static void
load_in_thread (GTask        *task,
                gpointer      source_object,
                gpointer      task_data,
                GCancellable *cancellable)
{
  LoadData *load = task_data;
  GError *error = NULL;
  RelDocument *document;

  document = rel_document_new_from_file (load->file, load->max_size, cancellable, &error);
  if (document == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, document, g_object_unref);
}

void
rel_document_load_async (GFile               *file,
                         gsize                max_size,
                         GCancellable        *cancellable,
                         GAsyncReadyCallback  callback,
                         gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  LoadData *load;

  g_return_if_fail (G_IS_FILE (file));

  load = g_new0 (LoadData, 1);
  load->file = g_object_ref (file);
  load->max_size = max_size;

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, rel_document_load_async);
  g_task_set_task_data (task, load, load_data_free);
  g_task_run_in_thread (task, load_in_thread);
}

RelDocument *
rel_document_load_finish (GAsyncResult  *result,
                          GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

const char *
rel_document_get_path (RelDocument *self)
{
  g_return_val_if_fail (REL_IS_DOCUMENT (self), NULL);
  return self->path;
}

const char *
rel_document_get_text (RelDocument *self)
{
  g_return_val_if_fail (REL_IS_DOCUMENT (self), NULL);
  return self->text;
}

gsize
rel_document_get_length (RelDocument *self)
{
  g_return_val_if_fail (REL_IS_DOCUMENT (self), 0);
  return self->length;
}

const char *
rel_document_get_sha256 (RelDocument *self)
{
  g_return_val_if_fail (REL_IS_DOCUMENT (self), NULL);
  return self->sha256;
}

const char *
rel_document_get_encoding (RelDocument *self)
{
  g_return_val_if_fail (REL_IS_DOCUMENT (self), NULL);
  return self->encoding;
}

RelDocumentKind
rel_document_get_kind (RelDocument *self)
{
  g_return_val_if_fail (REL_IS_DOCUMENT (self), REL_DOCUMENT_KIND_TEXT);
  return self->kind;
}

guint
rel_document_get_n_pages (RelDocument *self)
{
  g_return_val_if_fail (REL_IS_DOCUMENT (self), 0);
  return self->n_pages;
}
