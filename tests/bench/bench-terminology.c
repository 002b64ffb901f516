/* SPDX-License-Identifier: GPL-3.0-or-later */
/* bench-terminology.c: import, load and search times of the full ATIH nomenclature. */
#define G_LOG_DOMAIN "bench-terminology"

#include "config.h"

#include <glib/gstdio.h>
#include <stdio.h>

#include "rel-terminology.h"
#include "bench-common.h"

static double
now_ms (void)
{
  return g_get_monotonic_time () / 1000.0;
}

/* Rewrites the CSV in the official layout: Windows-1252, CRLF, '|', padded codes. */
static char *
write_libcim10multi (const char *csv_path,
                     const char *dir)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *contents = NULL;
  g_autoptr(GString) out = g_string_new (NULL);
  g_auto(GStrv) lines = NULL;
  g_autofree char *cp1252 = NULL;
  gsize length;
  char *path;

  if (!g_file_get_contents (csv_path, &contents, NULL, &error))
    g_error ("%s", error->message);
  lines = g_strsplit (contents, "\n", -1);
  for (guint i = 1; lines[i] != NULL; i++)
    {
      GPtrArray *fields = g_ptr_array_new_with_free_func (g_free);
      GString *field = g_string_new (NULL);
      gboolean quoted = FALSE;

      if (*lines[i] == '\0')
        {
          g_ptr_array_unref (fields);
          g_string_free (field, TRUE);
          continue;
        }
      for (const char *p = lines[i]; ; p++)
        {
          if (quoted && *p == '"' && p[1] == '"')
            g_string_append_c (field, *p++);
          else if (*p == '"')
            quoted = !quoted;
          else if ((*p == ',' && !quoted) || *p == '\0')
            {
              g_ptr_array_add (fields, g_string_free (field, FALSE));
              field = g_string_new (NULL);
              if (*p == '\0')
                break;
            }
          else
            g_string_append_c (field, *p);
        }
      g_string_free (field, TRUE);
      g_string_append_printf (out, "%-6s|%s|%s|%s|%s|%s\r\n",
                              (char *) fields->pdata[0], (char *) fields->pdata[1],
                              (char *) fields->pdata[2], (char *) fields->pdata[3],
                              (char *) fields->pdata[4], (char *) fields->pdata[5]);
      g_ptr_array_unref (fields);
    }

  cp1252 = g_convert_with_fallback (out->str, out->len, "WINDOWS-1252", "UTF-8", "?", NULL,
                                    &length, &error);
  if (cp1252 == NULL)
    g_error ("%s", error->message);
  path = g_build_filename (dir, "LIBCIM10MULTI.TXT", NULL);
  if (!g_file_set_contents (path, cp1252, length, &error))
    g_error ("%s", error->message);
  return path;
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *csv = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *atih = NULL;
  g_autofree char *destination = NULL;
  g_autoptr(GArray) load_times = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) search_times = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(RelTerminology) terminology = NULL;
  const char *queries[] = {
    "I50", "E11.98", "insuf card", "insuffisance cardiaque", "pneumopathie", "HTA",
    "diabete type 2 insulino", "fracture col femur", "tumeur maligne sein", "J18",
    "infection urinaire", "avc ischemique", "denutrition", "a", "Z51",
  };
  double start, import_csv_ms, import_atih_ms;
  guint n_codes = 0;

  csv = g_build_filename (g_getenv ("REL_SHARED_DATA") ? g_getenv ("REL_SHARED_DATA") : ".",
                          "cim10", "cim10-atih-2022.csv", NULL);
  if (!g_file_test (csv, G_FILE_TEST_EXISTS))
    {
      printf ("SKIP: %s is absent (../shared/data beside the checkout)\n", csv);
      return 0;
    }

  dir = g_dir_make_tmp ("relecture-bench-XXXXXX", &error);
  g_assert_no_error (error);
  destination = g_build_filename (dir, "cim10.tsv", NULL);
  atih = write_libcim10multi (csv, dir);

  start = now_ms ();
  if (!rel_terminology_import (csv, NULL, destination, &n_codes, NULL, &error))
    g_error ("%s", error->message);
  import_csv_ms = now_ms () - start;

  start = now_ms ();
  if (!rel_terminology_import (atih, "2022", destination, &n_codes, NULL, &error))
    g_error ("%s", error->message);
  import_atih_ms = now_ms () - start;

  for (int i = 0; i < 15; i++)
    {
      double t;

      g_clear_object (&terminology);
      start = now_ms ();
      terminology = rel_terminology_new_from_file (destination, &error);
      t = now_ms () - start;
      g_assert_no_error (error);
      g_array_append_val (load_times, t);
    }

  for (int round = 0; round < 5; round++)
    {
      for (guint i = 0; i < G_N_ELEMENTS (queries); i++)
        {
          g_autoptr(GArray) hits = NULL;
          double t;

          start = now_ms ();
          hits = rel_terminology_search (terminology, queries[i], 20);
          t = now_ms () - start;
          g_array_append_val (search_times, t);
        }
    }

  printf ("%-44s %10s %10s\n", "CIM-10 terminology (full ATIH, 42,886 rows)", "measured", "target");
  printf ("%-44s %8.0f ms %7s ms\n", "import of LIBCIM10MULTI.TXT (CP1252)", import_atih_ms, "< 2000");
  printf ("%-44s %8.0f ms %7s ms\n", "import of the CSV", import_csv_ms, "< 2000");
  printf ("%-44s %8.1f ms %7s ms\n", "load at start-up (median of 15)", bench_median (load_times),
          "< 100");
  printf ("%-44s %8.2f ms %7s ms\n", "search (median of 75 queries)", bench_median (search_times),
          "< 20");
  bench_sort (search_times);
  printf ("%-44s %8.2f ms %7s ms\n", "search (slowest)",
          g_array_index (search_times, double, search_times->len - 1), "< 20");
  printf ("codes imported: %u\n", n_codes);

  g_unlink (atih);
  g_unlink (destination);
  g_rmdir (dir);
  return 0;
}
