/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-fuzz-regressions.c: every input a fuzzer once crashed on, kept in
 * tests/fuzz/regressions/<harness>/, replayed through the same harness. */
#define G_LOG_DOMAIN "test-fuzz-regressions"

#include "config.h"

#include "fuzz/fuzz.h"

typedef struct
{
  const char *name;
  int       (*harness) (const guint8 *data, gsize size);
} Harness;

static const Harness harnesses[] = {
  { "document", rel_fuzz_document },
  { "pseudonymizer", rel_fuzz_pseudonymizer },
  { "engine", rel_fuzz_engine },
  { "terminology", rel_fuzz_terminology },
  { "http-partial", rel_fuzz_http_partial },
  { "http-reply", rel_fuzz_http_reply },
  { "store-jsonl", rel_fuzz_store_jsonl },
};

static int
compare_names (gconstpointer a,
               gconstpointer b)
{
  return g_strcmp0 (*(const char * const *) a, *(const char * const *) b);
}

static void
test_replay (gconstpointer data)
{
  const Harness *harness = data;
  g_autofree char *folder = g_test_build_filename (G_TEST_DIST, "fuzz", "regressions",
                                                   harness->name, NULL);
  g_autoptr(GDir) dir = g_dir_open (folder, 0, NULL);
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  const char *name;

  if (dir == NULL)
    {
      g_test_skip ("no crash input kept for this harness");
      return;
    }
  while ((name = g_dir_read_name (dir)) != NULL)
    g_ptr_array_add (names, g_strdup (name));
  /* The same order on every machine. */
  g_ptr_array_sort (names, compare_names);

  for (guint i = 0; i < names->len; i++)
    {
      const char *file = g_ptr_array_index (names, i);
      g_autofree char *path = g_build_filename (folder, file, NULL);
      g_autofree char *contents = NULL;
      g_autoptr(GError) error = NULL;
      gsize length;

      if (file[0] == '.')
        continue;
      g_file_get_contents (path, &contents, &length, &error);
      g_assert_no_error (error);
      g_test_message ("%s/%s (%" G_GSIZE_FORMAT " bytes)", harness->name, file, length);
      g_assert_cmpint (harness->harness ((const guint8 *) contents, length), ==, 0);
    }
}

int
main (int    argc,
      char **argv)
{
  rel_fuzz_init ();
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (harnesses); i++)
    {
      g_autofree char *path = g_strconcat ("/fuzz-regressions/", harnesses[i].name, NULL);

      g_test_add_data_func (path, &harnesses[i], test_replay);
    }
  return g_test_run ();
}
