/* SPDX-License-Identifier: GPL-3.0-or-later */
/* bench-engine.c: analysis time of a 5 KB and a 1 MB report, and memory, with
 * the full ATIH nomenclature loaded (the bundled one when it is absent). */
#define G_LOG_DOMAIN "bench-engine"

#include "config.h"

#include <stdio.h>

#include "rel-embedded-engine.h"
#include "bench-common.h"

static double
median_ms (RelEngine   *engine,
           RelDocument *document,
           guint        runs)
{
  g_autoptr(GArray) times = g_array_new (FALSE, FALSE, sizeof (double));

  for (guint i = 0; i < runs; i++)
    {
      g_autoptr(GError) error = NULL;
      gint64 start = g_get_monotonic_time ();
      g_autoptr(RelAnalysis) analysis = rel_engine_analyze (engine, document, NULL, &error);
      double ms = (g_get_monotonic_time () - start) / 1000.0;

      g_assert_no_error (error);
      g_array_append_val (times, ms);
    }
  return bench_median (times);
}

static long
resident_kb (void)
{
  g_autofree char *status = NULL;
  const char *line;

  if (!g_file_get_contents ("/proc/self/status", &status, NULL, NULL))
    return -1;
  line = strstr (status, "VmRSS:");
  return line != NULL ? strtol (line + 6, NULL, 10) : -1;
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(RelTerminology) terminology = NULL;
  g_autoptr(RelEngine) engine = NULL;
  g_autoptr(RelDocument) small = NULL;
  g_autoptr(RelDocument) large = NULL;
  g_autofree char *csv = NULL;
  g_autofree char *samples = NULL;
  g_autofree char *dir = NULL;
  const char *which = "bundled starter";
  gint64 start;
  double engine_ms;

  samples = g_build_filename (g_getenv ("REL_SOURCE_ROOT") ? g_getenv ("REL_SOURCE_ROOT") : ".",
                              "data", "samples", NULL);
  csv = g_build_filename (g_getenv ("REL_SHARED_DATA") ? g_getenv ("REL_SHARED_DATA") : ".",
                          "cim10", "cim10-atih-2022.csv", NULL);

  if (g_file_test (csv, G_FILE_TEST_EXISTS))
    {
      g_autofree char *destination = NULL;

      dir = g_dir_make_tmp ("relecture-bench-XXXXXX", &error);
      g_assert_no_error (error);
      destination = g_build_filename (dir, "cim10.tsv", NULL);
      if (!rel_terminology_import (csv, NULL, destination, NULL, NULL, &error))
        g_error ("%s", error->message);
      terminology = rel_terminology_new_from_file (destination, &error);
      which = "full ATIH 2022";
    }
  else
    {
      terminology = rel_terminology_new_bundled (&error);
    }
  g_assert_no_error (error);

  start = g_get_monotonic_time ();
  engine = rel_embedded_engine_new (terminology, &error);
  g_assert_no_error (error);
  engine_ms = (g_get_monotonic_time () - start) / 1000.0;

  small = bench_make_report (samples, 5 * 1024);
  large = bench_make_report (samples, 1024 * 1024);
  g_assert_nonnull (small);
  g_assert_nonnull (large);

  printf ("Embedded analysis, %s nomenclature (%u codes)       measured     target\n", which,
          rel_terminology_get_concepts (terminology)->len);
  printf ("%-52s %8.1f ms\n", "engine start-up (index, lexicons)", engine_ms);
  printf ("%-52s %8.2f ms %8s ms\n", "5 KB report, median of 50", median_ms (engine, small, 50),
          "< 5");
  printf ("%-52s %8.1f ms %8s ms\n", "1 MB report, median of 5", median_ms (engine, large, 5),
          "< 1000");
  {
    RelPseudonymizer *pseudonymizer =
      rel_embedded_engine_get_pseudonymizer (REL_EMBEDDED_ENGINE (engine));
    g_autoptr(GArray) times = g_array_new (FALSE, FALSE, sizeof (double));

    for (guint i = 0; i < 5; i++)
      {
        gint64 t0 = g_get_monotonic_time ();
        g_autoptr(GPtrArray) phi = rel_pseudonymizer_find (pseudonymizer,
                                                           rel_document_get_text (large),
                                                           rel_document_get_length (large));
        g_autofree char *text = rel_pseudonymizer_apply (pseudonymizer,
                                                         rel_document_get_text (large),
                                                         rel_document_get_length (large),
                                                         phi, REL_PSEUDO_PLACEHOLDER, 1);
        double s = (g_get_monotonic_time () - t0) / 1e6;

        g_array_append_val (times, s);
      }
    bench_sort (times);
    printf ("%-52s %8.1f MB/s %6s MB/s\n", "pseudonymization of the 1 MB report, median of 5",
            rel_document_get_length (large) / 1048576.0 / g_array_index (times, double, 2), "> 20");
  }
  printf ("%-52s %8.1f MB %8s MB\n", "resident memory", resident_kb () / 1024.0, "< 150");

  return 0;
}
