/* SPDX-License-Identifier: GPL-3.0-or-later */
/* bench-corpus.c: times the complete embedded analysis of a corpus of reports,
 * stage by stage, with the nomenclature rel_terminology_new_default() finds;
 * prints one JSON object for tests/bench/run. */
#define G_LOG_DOMAIN "bench-corpus"

#include "config.h"

#include <json-glib/json-glib.h>
#include <stdio.h>
#include <stdlib.h>

#include "rel-embedded-engine.h"
#include "bench-common.h"

/* A field of /proc/self/status in kB ("VmHWM"), or -1. */
static long
status_kb (const char *field)
{
  g_autofree char *status = NULL;
  g_autofree char *key = g_strconcat ("\n", field, ":", NULL);
  const char *line;

  if (!g_file_get_contents ("/proc/self/status", &status, NULL, NULL))
    return -1;
  line = strstr (status, key);
  return line != NULL ? strtol (line + strlen (key), NULL, 10) : -1;
}

static void
add_int (JsonBuilder *builder,
         const char  *name,
         gint64       value)
{
  json_builder_set_member_name (builder, name);
  json_builder_add_int_value (builder, value);
}

static void
add_double (JsonBuilder *builder,
            const char  *name,
            double       value)
{
  json_builder_set_member_name (builder, name);
  json_builder_add_double_value (builder, value);
}

static void
add_doubles (JsonBuilder *builder,
             const char  *name,
             GArray      *values)
{
  json_builder_set_member_name (builder, name);
  json_builder_begin_array (builder);
  for (guint i = 0; i < values->len; i++)
    json_builder_add_double_value (builder, g_array_index (values, double, i));
  json_builder_end_array (builder);
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(RelTerminology) terminology = NULL;
  g_autoptr(RelEngine) engine = NULL;
  g_autoptr(GPtrArray) documents = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GArray) load_ms = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) run_ms = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GHashTable) stages = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                                        (GDestroyNotify) g_array_unref);
  g_autoptr(GPtrArray) stage_names = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) report_ms = g_ptr_array_new_with_free_func ((GDestroyNotify) g_array_unref);
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *output = NULL;
  int runs = 5, loads = 3;
  guint64 mentions = 0;
  gsize bytes = 0;
  long hwm_engine_kb;
  double engine_ms;
  gint64 start;
  const GOptionEntry entries[] = {
    { "runs", 'r', 0, G_OPTION_ARG_INT, &runs, "Passes over the corpus (default 5)", "N" },
    { "loads", 'l', 0, G_OPTION_ARG_INT, &loads, "Nomenclature loads timed (default 3)", "N" },
    { NULL }
  };

  context = g_option_context_new ("FILE… — time the complete analysis of each report");
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("bench-corpus: %s\n", error->message);
      return 2;
    }
  if (argc < 2 || runs < 1 || loads < 1)
    {
      g_printerr ("bench-corpus: usage: bench-corpus [--runs N] [--loads N] FILE…\n");
      return 2;
    }

  /* The first load also pages the file in: every load is timed, the median kept. */
  for (int i = 0; i < loads; i++)
    {
      double ms;

      g_clear_object (&terminology);
      start = g_get_monotonic_time ();
      terminology = rel_terminology_new_default (&error);
      ms = (g_get_monotonic_time () - start) / 1000.0;
      if (terminology == NULL)
        g_error ("%s", error->message);
      g_array_append_val (load_ms, ms);
    }

  start = g_get_monotonic_time ();
  engine = rel_embedded_engine_new (terminology, &error);
  if (engine == NULL)
    g_error ("%s", error->message);
  engine_ms = (g_get_monotonic_time () - start) / 1000.0;
  hwm_engine_kb = status_kb ("VmHWM");

  for (int i = 1; i < argc; i++)
    {
      g_autoptr(GFile) file = g_file_new_for_commandline_arg (argv[i]);
      RelDocument *document = rel_document_new_from_file (file, 0, NULL, &error);

      if (document == NULL)
        g_error ("%s: %s", argv[i], error->message);
      bytes += rel_document_get_length (document);
      g_ptr_array_add (documents, document);
      g_ptr_array_add (report_ms, g_array_new (FALSE, FALSE, sizeof (double)));
    }

  for (int run = 0; run < runs; run++)
    {
      g_autoptr(GHashTable) run_stages = g_hash_table_new (g_str_hash, g_str_equal);
      double total = 0;

      for (guint d = 0; d < documents->len; d++)
        {
          RelDocument *document = g_ptr_array_index (documents, d);
          g_autoptr(RelAnalysis) analysis = NULL;
          g_autoptr(JsonNode) node = NULL;
          JsonObject *timings;
          g_autoptr(GList) members = NULL;
          double ms;

          start = g_get_monotonic_time ();
          analysis = rel_engine_analyze (engine, document, NULL, &error);
          ms = (g_get_monotonic_time () - start) / 1000.0;
          if (analysis == NULL)
            g_error ("%s: %s", rel_document_get_path (document), error->message);
          total += ms;
          g_array_append_val (g_ptr_array_index (report_ms, d), ms);
          if (run == 0)
            mentions += rel_analysis_get_mentions (analysis)->len;

          /* The engine's own split of its time, as the JSON contract gives it. */
          node = rel_analysis_to_json (analysis);
          timings = json_object_get_object_member (json_node_get_object (node), "timings_ms");
          members = json_object_get_members (timings);
          for (GList *l = members; l != NULL; l = l->next)
            {
              double *sum = g_hash_table_lookup (run_stages, l->data);

              if (sum == NULL)
                {
                  sum = g_new0 (double, 1);
                  g_hash_table_insert (run_stages, (gpointer) g_intern_string (l->data), sum);
                  if (!g_hash_table_contains (stages, l->data))
                    {
                      g_hash_table_insert (stages, g_strdup (l->data),
                                           g_array_new (FALSE, FALSE, sizeof (double)));
                      g_ptr_array_add (stage_names, g_strdup (l->data));
                    }
                }
              *sum += json_object_get_double_member (timings, l->data);
            }
        }

      g_array_append_val (run_ms, total);
      for (guint s = 0; s < stage_names->len; s++)
        {
          double *sum = g_hash_table_lookup (run_stages, g_ptr_array_index (stage_names, s));
          double value = sum != NULL ? *sum : 0;

          g_array_append_val (g_hash_table_lookup (stages, g_ptr_array_index (stage_names, s)),
                              value);
          g_free (sum);
        }
    }

  json_builder_begin_object (builder);
  add_int (builder, "codes", rel_terminology_get_concepts (terminology)->len);
  add_int (builder, "synonyms", rel_terminology_get_synonyms (terminology)->len);
  json_builder_set_member_name (builder, "bundled");
  json_builder_add_boolean_value (builder, rel_terminology_is_bundled (terminology));
  add_doubles (builder, "terminology_load_ms", load_ms);
  add_double (builder, "engine_ms", engine_ms);
  add_int (builder, "vmhwm_engine_kb", hwm_engine_kb);
  add_int (builder, "vmhwm_kb", status_kb ("VmHWM"));
  add_int (builder, "vmrss_kb", status_kb ("VmRSS"));
  add_int (builder, "bytes", bytes);
  add_int (builder, "mentions", mentions);
  add_doubles (builder, "run_ms", run_ms);
  json_builder_set_member_name (builder, "stages_ms");
  json_builder_begin_object (builder);
  for (guint s = 0; s < stage_names->len; s++)
    add_doubles (builder, g_ptr_array_index (stage_names, s),
                 g_hash_table_lookup (stages, g_ptr_array_index (stage_names, s)));
  json_builder_end_object (builder);
  json_builder_set_member_name (builder, "reports");
  json_builder_begin_array (builder);
  for (guint d = 0; d < documents->len; d++)
    {
      RelDocument *document = g_ptr_array_index (documents, d);

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "path");
      json_builder_add_string_value (builder, rel_document_get_path (document));
      add_int (builder, "bytes", rel_document_get_length (document));
      /* Per pass, in pass order, before median() sorts them. */
      add_doubles (builder, "ms", g_ptr_array_index (report_ms, d));
      add_double (builder, "median_ms", bench_median (g_ptr_array_index (report_ms, d)));
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
  json_builder_end_object (builder);

  root = json_builder_get_root (builder);
  json_generator_set_root (generator, root);
  output = json_generator_to_data (generator, NULL);
  printf ("%s\n", output);
  return 0;
}
