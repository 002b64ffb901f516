/* SPDX-License-Identifier: GPL-3.0-or-later */
/* bench-common.c: helpers shared by the benchmarks. */
#include "config.h"

#include "bench-common.h"

static int
compare_doubles (gconstpointer a,
                 gconstpointer b)
{
  double da = *(const double *) a, db = *(const double *) b;

  return da < db ? -1 : da > db;
}

void
bench_sort (GArray *values)
{
  g_array_sort (values, compare_doubles);
}

double
bench_median (GArray *values)
{
  bench_sort (values);
  return g_array_index (values, double, values->len / 2);
}

RelDocument *
bench_make_report (const char *samples,
                   gsize       size)
{
  g_autoptr(GString) text = g_string_new (NULL);
  g_autoptr(GDir) dir = g_dir_open (samples, 0, NULL);
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) error = NULL;
  const char *name;

  g_assert_nonnull (dir);
  while ((name = g_dir_read_name (dir)) != NULL)
    if (g_str_has_suffix (name, ".txt"))
      g_ptr_array_add (names, g_build_filename (samples, name, NULL));
  g_ptr_array_sort (names, (GCompareFunc) g_strcmp0);

  while (text->len < size)
    {
      for (guint i = 0; i < names->len && text->len < size; i++)
        {
          g_autofree char *contents = NULL;

          g_assert_true (g_file_get_contents (names->pdata[i], &contents, NULL, NULL));
          g_string_append (text, contents);
          g_string_append_c (text, '\n');
        }
    }
  /* Cut at a line end near the size asked. */
  while (text->len > size && text->str[size] != '\n')
    size++;
  g_string_truncate (text, MIN (text->len, size + 1));

  bytes = g_bytes_new (text->str, text->len);
  return rel_document_new_from_bytes (bytes, "bench.txt", 4 * size + 1024, &error);
}
