/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fuzz-terminology.c: the ATIH nomenclature importer on an arbitrary file,
 * and the reading back of what it wrote. */
#define G_LOG_DOMAIN "fuzz"

#include "config.h"

#include <glib/gstdio.h>

#include "fuzz.h"

int
rel_fuzz_terminology (const guint8 *data,
                      gsize         size)
{
  g_autofree char *source = g_build_filename (rel_fuzz_get_tmpdir (), "LIBCIM10MULTI.TXT", NULL);
  g_autofree char *destination = g_build_filename (rel_fuzz_get_tmpdir (), "cim10.tsv", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(RelTerminology) terminology = NULL;
  guint n_codes = 0;
  gboolean ok;

  g_file_set_contents (source, (const char *) data, size, &error);
  g_assert_no_error (error);
  ok = rel_terminology_import (source, NULL, destination, &n_codes, NULL, &error);
  g_unlink (source);
  if (!ok)
    {
      g_assert_true (error != NULL && error->domain == REL_TERMINOLOGY_ERROR);
      g_assert_false (g_file_test (destination, G_FILE_TEST_EXISTS));
      return 0;
    }
  g_assert_no_error (error);
  g_assert_cmpuint (n_codes, >, 0);

  /* What the importer writes, the application must be able to open. */
  terminology = rel_terminology_new_from_file (destination, &error);
  g_unlink (destination);
  g_assert_no_error (error);
  g_assert_nonnull (terminology);
  g_assert_cmpuint (rel_terminology_get_concepts (terminology)->len, >=, n_codes);
  {
    const RelConcept *first = g_ptr_array_index (rel_terminology_get_concepts (terminology), 0);
    g_autoptr(GArray) hits = rel_terminology_search (terminology, first->label, 5);

    g_assert_nonnull (hits);
    g_clear_pointer (&hits, g_array_unref);
    hits = rel_terminology_search (terminology, first->code, 5);
    g_assert_nonnull (hits);
  }
  return 0;
}
