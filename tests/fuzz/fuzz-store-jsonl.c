/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fuzz-store-jsonl.c: merging an arbitrary JSONL export into a new store,
 * then exporting what was merged and merging that into another one. */
#define G_LOG_DOMAIN "fuzz"

#include "config.h"

#include <glib/gstdio.h>

#include "fuzz.h"
#include "rel-store.h"

static void
remove_store (const char *path)
{
  static const char * const suffixes[] = { "", "-wal", "-shm", "-journal" };

  for (guint i = 0; i < G_N_ELEMENTS (suffixes); i++)
    {
      g_autofree char *file = g_strconcat (path, suffixes[i], NULL);

      g_unlink (file);
    }
}

int
rel_fuzz_store_jsonl (const guint8 *data,
                      gsize         size)
{
  g_autofree char *path = g_build_filename (rel_fuzz_get_tmpdir (), "fuzz.db", NULL);
  g_autofree char *copy_path = g_build_filename (rel_fuzz_get_tmpdir (), "copy.db", NULL);
  g_autoptr(RelStore) store = NULL;
  g_autoptr(RelStore) copy = NULL;
  g_autoptr(GInputStream) in = NULL;
  g_autoptr(GOutputStream) out = NULL;
  g_autoptr(GError) error = NULL;
  guint n_documents = 0, n_decisions = 0;
  gboolean ok;

  remove_store (path);
  remove_store (copy_path);
  store = rel_store_new (path, &error);
  g_assert_no_error (error);

  in = g_memory_input_stream_new_from_data (data, size, NULL);
  ok = rel_store_import_jsonl (store, in, "fuzz", &n_documents, &n_decisions, NULL, &error);
  if (!ok)
    {
      g_assert_true (error != NULL);
      g_clear_object (&store);
      remove_store (path);
      return 0;
    }
  g_assert_no_error (error);

  /* An export of the store is what another store imports. */
  out = g_memory_output_stream_new_resizable ();
  ok = rel_store_export (store, REL_EXPORT_JSONL, NULL, NULL, out, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (ok);
  g_output_stream_close (out, NULL, NULL);
  {
    g_autoptr(GBytes) exported = g_memory_output_stream_steal_as_bytes (G_MEMORY_OUTPUT_STREAM (out));

    g_clear_object (&in);
    in = g_memory_input_stream_new_from_bytes (exported);
    copy = rel_store_new (copy_path, &error);
    g_assert_no_error (error);
    ok = rel_store_import_jsonl (copy, in, "fuzz", NULL, NULL, NULL, &error);
    g_assert_no_error (error);
    g_assert_true (ok);
  }

  g_clear_object (&store);
  g_clear_object (&copy);
  remove_store (path);
  remove_store (copy_path);
  return 0;
}
