/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fuzz-document.c: the document loader on arbitrary file contents. */
#define G_LOG_DOMAIN "fuzz"

#include "config.h"

#include <string.h>

#include "fuzz.h"
#include "rel-document.h"

int
rel_fuzz_document (const guint8 *data,
                   gsize         size)
{
  g_autoptr(GBytes) bytes = g_bytes_new (data, size);
  g_autoptr(GError) error = NULL;
  g_autoptr(RelDocument) document = rel_document_new_from_bytes (bytes, "fuzz.txt", 0, &error);
  const char *text;
  gsize length;

  if (document == NULL)
    {
      g_assert_true (error != NULL && error->domain == REL_DOCUMENT_ERROR);
      return 0;
    }
  g_assert_no_error (error);

  /* What every later stage takes for granted: one valid UTF-8 string of
   * the given length, LF line ends, not blank. */
  text = rel_document_get_text (document);
  length = rel_document_get_length (document);
  g_assert_nonnull (text);
  g_assert_cmpuint (strlen (text), ==, length);
  g_assert_true (g_utf8_validate (text, length, NULL));
  g_assert_null (memchr (text, '\r', length));
  g_assert_cmpuint (length, >, 0);
  g_assert_cmpuint (strlen (rel_document_get_sha256 (document)), ==, 64);
  g_assert_nonnull (rel_document_get_encoding (document));
  g_assert_cmpuint (rel_document_get_n_pages (document), >=, 1);
  return 0;
}
