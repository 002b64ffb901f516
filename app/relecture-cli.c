/* SPDX-License-Identifier: GPL-3.0-or-later */
/* relecture-cli.c: Relecture without a display — analyze, terminology. */
#define G_LOG_DOMAIN "relecture-cli"

#include "config.h"

#include <glib/gi18n.h>
#include <gio/gunixinputstream.h>
#include <gio/gunixoutputstream.h>
#include <locale.h>
#include <stdio.h>
#include <string.h>

#include "rel-embedded-engine.h"
#include "rel-http-engine.h"
#include "rel-store.h"
#include "rel-terminology.h"

enum
{
  EXIT_OK = 0,
  EXIT_SOME_FAILED = 1,
  EXIT_USAGE = 2,
};

typedef int (*CommandFunc) (int argc, char **argv);

typedef struct
{
  const char  *name;
  CommandFunc  func;
  const char  *summary;
} Command;

static int
usage_error (GOptionContext *context,
             const char     *message)
{
  g_autofree char *help = g_option_context_get_help (context, TRUE, NULL);

  g_printerr ("relecture-cli: %s\n\n%s", message, help);
  return EXIT_USAGE;
}

static gboolean
parse_options (GOptionContext  *context,
               int             *argc,
               char          ***argv,
               int             *status)
{
  g_autoptr(GError) error = NULL;

  if (!g_option_context_parse (context, argc, argv, &error))
    {
      *status = usage_error (context, error->message);
      return FALSE;
    }
  return TRUE;
}

static RelTerminology *
load_terminology (void)
{
  g_autoptr(GError) error = NULL;
  RelTerminology *terminology = rel_terminology_new_default (&error);

  if (terminology == NULL)
    g_printerr ("relecture-cli: %s\n", error->message);
  return terminology;
}

static RelStore *
open_store (const char *path)
{
  g_autoptr(GError) error = NULL;
  RelStore *store = rel_store_new (path, &error);

  if (store == NULL)
    g_printerr ("relecture-cli: %s\n", error->message);
  return store;
}

/* analyze */

static RelDocument *
load_document (const char  *arg,
               gsize        max_size,
               GError     **error)
{
  if (g_str_equal (arg, "-"))
    {
      g_autoptr(GInputStream) in = g_unix_input_stream_new (0, FALSE);

      return rel_document_new_from_stream (in, "-", max_size, NULL, error);
    }
  else
    {
      g_autoptr(GFile) file = g_file_new_for_commandline_arg (arg);

      return rel_document_new_from_file (file, max_size, NULL, error);
    }
}

static char *
one_line (const char *text,
          gsize       length)
{
  char *line = g_strndup (text, length);

  g_strdelimit (line, "\n\t\f", ' ');
  return line;
}

/* What a coder reads: the summary, then the codes with their evidence. */
static void
print_readable (RelAnalysis *analysis)
{
  RelDocument *document = rel_analysis_get_document (analysis);
  const char *text = rel_document_get_text (document);
  g_autofree char *size = g_strdup_printf ("%" G_GSIZE_FORMAT, rel_document_get_length (document));
  GPtrArray *summary = rel_analysis_get_summary (analysis);
  GPtrArray *codes = rel_analysis_get_codes (analysis);

  g_print (_("Document: %s\n"), rel_document_get_path (document));
  g_print (_("  %s bytes, %s, %u page(s)\n"), size, rel_document_get_encoding (document),
           rel_document_get_n_pages (document));
  g_print (_("  SHA-256: %s\n"), rel_document_get_sha256 (document));
  g_print (_("Engine: %s %s (%.1f ms)\n"), rel_analysis_get_engine_name (analysis),
           PACKAGE_VERSION, rel_analysis_get_total_ms (analysis));

  g_print ("\n%s\n", _("Summary"));
  if (summary->len == 0)
    g_print ("  %s\n", _("(nothing to summarize)"));
  for (guint i = 0; i < summary->len; i++)
    {
      const RelSummarySection *section = g_ptr_array_index (summary, i);

      g_print ("  %s\n", section->section);
      for (guint j = 0; j < section->items->len; j++)
        {
          const RelSummaryItem *item = g_ptr_array_index (section->items, j);
          g_autofree char *line = one_line (item->text, strlen (item->text));

          g_print ("    - %s\n", line);
        }
    }

  g_print ("\n%s\n", _("Codes"));
  if (codes->len == 0)
    g_print ("  %s\n", _("(no code suggested)"));
  for (guint i = 0; i < codes->len; i++)
    {
      const RelCodeSuggestion *code = g_ptr_array_index (codes, i);
      g_autofree char *display = rel_code_display (code->code);
      g_autoptr(GString) evidence = g_string_new (NULL);

      for (guint j = 0; j < code->evidence->len && j < 3; j++)
        {
          const RelSpan *span = &g_array_index (code->evidence, RelSpan, j);
          g_autofree char *words = one_line (text + span->start, span->end - span->start);

          g_string_append_printf (evidence, "%s« %s »", j > 0 ? ", " : "", words);
        }
      if (code->evidence->len > 3)
        g_string_append_printf (evidence, " +%u", code->evidence->len - 3);

      g_print ("  %-3s %-8s %.2f  %s\n", code->role != NULL ? code->role : "-", display,
               code->score, code->label);
      g_print ("                     %s%s\n", evidence->str,
               code->ambiguous ? _(" (ambiguous abbreviation: check the reading)") : "");
    }
  g_print ("\n");
}

static int
command_analyze (int    argc,
                 char **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(RelTerminology) terminology = NULL;
  g_autoptr(RelEngine) engine = NULL;
  g_auto(GStrv) files = NULL;
  g_autoptr(RelStore) store = NULL;
  g_autofree char *db = NULL;
  g_autofree char *user = NULL;
  gboolean json = FALSE;
  gboolean record = FALSE;
  g_autofree char *engine_name = NULL;
  g_autofree char *server = NULL;
  g_autofree char *model = NULL;
  g_autofree char *api = NULL;
  gboolean allow_remote = FALSE;
  int max_size_mb = 0;
  int status = EXIT_OK;
  guint n_files;
  const GOptionEntry entries[] = {
    { "json", 'j', 0, G_OPTION_ARG_NONE, &json,
      N_("Print one JSON object per document (the analysis contract)"), NULL },
    { "store", 's', 0, G_OPTION_ARG_NONE, &record,
      N_("Record the documents and their analyses in the database"), NULL },
    { "db", 0, 0, G_OPTION_ARG_FILENAME, &db,
      N_("The database (default: relecture.db in the user data folder)"), N_("FILE") },
    { "user", 'u', 0, G_OPTION_ARG_STRING, &user,
      N_("Who records (default: the login name)"), N_("NAME") },
    { "engine", 'e', 0, G_OPTION_ARG_STRING, &engine_name,
      N_("embedded (default) or http (an inference server, given with --server)"), N_("ENGINE") },
    { "server", 0, 0, G_OPTION_ARG_STRING, &server,
      N_("The inference server (default http://127.0.0.1:8080)"), N_("URL") },
    { "model", 0, 0, G_OPTION_ARG_STRING, &model, N_("The server's model"), N_("MODEL") },
    { "api", 0, 0, G_OPTION_ARG_STRING, &api,
      N_("openai (llama-server, vLLM, Ollama /v1; default) or ollama (/api/chat)"), N_("API") },
    { "allow-remote", 0, 0, G_OPTION_ARG_NONE, &allow_remote,
      N_("Allow a server on another computer (HTTPS only)"), NULL },
    { "max-size", 0, 0, G_OPTION_ARG_INT, &max_size_mb,
      N_("Refuse files larger than this (default 20)"), N_("MB") },
    { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &files, NULL, N_("FILE…") },
    { NULL }
  };

  context = g_option_context_new (_("FILE… — analyze clinical reports (“-” reads standard input)"));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!parse_options (context, &argc, &argv, &status))
    return status;
  if (files == NULL || files[0] == NULL)
    return usage_error (context, _("no file to analyze"));
  if (max_size_mb < 0)
    return usage_error (context, _("--max-size must be positive"));
  if (engine_name != NULL && !g_str_equal (engine_name, "embedded") &&
      !g_str_equal (engine_name, "http"))
    return usage_error (context, _("--engine is embedded or http"));
  if (api != NULL && !g_str_equal (api, "openai") && !g_str_equal (api, "ollama"))
    return usage_error (context, _("--api is openai or ollama"));

  if (record || db != NULL)
    {
      store = open_store (db);
      if (store == NULL)
        return EXIT_SOME_FAILED;
    }

  terminology = load_terminology ();
  if (terminology == NULL)
    return EXIT_SOME_FAILED;
  {
    g_autoptr(GError) error = NULL;

    engine = rel_embedded_engine_new (terminology, &error);
    if (engine == NULL)
      {
        g_printerr ("relecture-cli: %s\n", error->message);
        return EXIT_SOME_FAILED;
      }
    if (engine_name != NULL && g_str_equal (engine_name, "http"))
      {
        g_autoptr(RelHttpSettings) settings =
          rel_http_settings_new (server != NULL ? server : "http://127.0.0.1:8080");
        RelEngine *http;

        settings->model = g_strdup (model);
        settings->api_key = g_strdup (g_getenv ("RELECTURE_API_KEY"));
        settings->api = g_strcmp0 (api, "ollama") == 0 ? REL_SERVER_API_OLLAMA
                                                       : REL_SERVER_API_OPENAI;
        settings->allow_remote = allow_remote;
        http = rel_http_engine_new (engine, settings, &error);
        if (http == NULL)
          {
            g_printerr ("relecture-cli: %s\n", error->message);
            return EXIT_SOME_FAILED;
          }
        g_object_unref (engine);
        engine = http;
      }
  }
  n_files = g_strv_length (files);

  for (guint i = 0; i < n_files; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(RelDocument) document = NULL;
      g_autoptr(RelAnalysis) analysis = NULL;

      document = load_document (files[i], (gsize) max_size_mb * 1024 * 1024, &error);
      if (document != NULL)
        analysis = rel_engine_analyze (engine, document, NULL, &error);

      if (analysis == NULL)
        {
          /* The path is the user's own argument; the report's text is never shown. */
          g_printerr ("relecture-cli: %s: %s\n", files[i], error->message);
          status = EXIT_SOME_FAILED;
          continue;
        }

      if (store != NULL)
        {
          gint64 document_id = rel_store_record_analysis (store, analysis, user, NULL, &error);

          if (document_id == 0)
            {
              g_printerr ("relecture-cli: %s: %s\n", files[i], error->message);
              status = EXIT_SOME_FAILED;
              continue;
            }
          if (!json)
            g_print (_("Recorded as document %lld.\n"), (long long) document_id);
        }

      if (json)
        {
          /* One object per line with several files, pretty with one. */
          g_autofree char *text = rel_analysis_to_json_string (analysis, n_files == 1);

          g_print ("%s\n", text);
        }
      else
        {
          print_readable (analysis);
        }
    }

  return status;
}

/* pseudonymize */

static int
command_pseudonymize (int    argc,
                      char **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(RelTerminology) terminology = NULL;
  g_autoptr(RelPseudonymizer) pseudonymizer = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) files = NULL;
  g_autofree char *strategy_name = NULL;
  RelPseudoStrategy strategy = REL_PSEUDO_PLACEHOLDER;
  int seed = -1;
  int max_size_mb = 0;
  int status = EXIT_OK;
  const GOptionEntry entries[] = {
    { "strategy", 's', 0, G_OPTION_ARG_STRING, &strategy_name,
      N_("placeholder (default), surrogate or remove"), N_("STRATEGY") },
    { "seed", 0, 0, G_OPTION_ARG_INT, &seed,
      N_("Seed of the surrogates and of the date shift (default: random)"), "N" },
    { "max-size", 0, 0, G_OPTION_ARG_INT, &max_size_mb,
      N_("Refuse files larger than this (default 20)"), N_("MB") },
    { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &files, NULL, N_("FILE…") },
    { NULL }
  };

  context = g_option_context_new (_("FILE… — print reports with their identifying data replaced"));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!parse_options (context, &argc, &argv, &status))
    return status;
  if (files == NULL || files[0] == NULL)
    return usage_error (context, _("no file to pseudonymize"));
  if (strategy_name == NULL || g_str_equal (strategy_name, "placeholder"))
    strategy = REL_PSEUDO_PLACEHOLDER;
  else if (g_str_equal (strategy_name, "surrogate"))
    strategy = REL_PSEUDO_SURROGATE;
  else if (g_str_equal (strategy_name, "remove"))
    strategy = REL_PSEUDO_REMOVE;
  else
    return usage_error (context, _("the strategy is placeholder, surrogate or remove"));

  terminology = load_terminology ();
  if (terminology == NULL)
    return EXIT_SOME_FAILED;
  pseudonymizer = rel_pseudonymizer_new (terminology, &error);
  if (pseudonymizer == NULL)
    {
      g_printerr ("relecture-cli: %s\n", error->message);
      return EXIT_SOME_FAILED;
    }

  for (guint i = 0; files[i] != NULL; i++)
    {
      g_autoptr(RelDocument) document = NULL;
      g_autoptr(GPtrArray) phi = NULL;
      g_autofree char *text = NULL;

      g_clear_error (&error);
      document = load_document (files[i], (gsize) max_size_mb * 1024 * 1024, &error);
      if (document == NULL)
        {
          g_printerr ("relecture-cli: %s: %s\n", files[i], error->message);
          status = EXIT_SOME_FAILED;
          continue;
        }
      phi = rel_pseudonymizer_find (pseudonymizer, rel_document_get_text (document),
                                    rel_document_get_length (document));
      text = rel_pseudonymizer_apply (pseudonymizer, rel_document_get_text (document),
                                      rel_document_get_length (document), phi, strategy,
                                      seed >= 0 ? (guint32) seed : g_random_int ());
      /* Several reports: a form feed between them, as between PDF pages. */
      if (i > 0)
        g_print ("\f\n");
      g_print ("%s", text);
      if (*text != '\0' && text[strlen (text) - 1] != '\n')
        g_print ("\n");
    }

  return status;
}

/* qualify */

static gboolean
qualify_line (RelEmbeddedEngine  *engine,
              const char         *line,
              GError            **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GArray) spans = g_array_new (FALSE, FALSE, sizeof (RelSpan));
  g_autoptr(GArray) result = NULL;
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *json = NULL;
  JsonObject *object;
  JsonArray *array;
  const char *text;

  if (!json_parser_load_from_data (parser, line, -1, error))
    return FALSE;
  if (!JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, _("expected an object"));
      return FALSE;
    }
  object = json_node_get_object (json_parser_get_root (parser));
  text = json_object_get_string_member_with_default (object, "text", NULL);
  array = json_object_has_member (object, "spans") ? json_object_get_array_member (object, "spans")
                                                    : NULL;
  if (text == NULL || array == NULL)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                           _("expected “text” and “spans”"));
      return FALSE;
    }

  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonArray *pair = json_array_get_array_element (array, i);
      RelSpan span;

      if (pair == NULL || json_array_get_length (pair) != 2)
        {
          g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                               _("a span is [start, end] in bytes"));
          return FALSE;
        }
      span.start = (guint) json_array_get_int_element (pair, 0);
      span.end = (guint) json_array_get_int_element (pair, 1);
      if (span.start > span.end || span.end > strlen (text))
        {
          g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                               _("a span lies outside the text"));
          return FALSE;
        }
      g_array_append_val (spans, span);
    }

  result = rel_embedded_engine_qualify_spans (engine, text, strlen (text), spans);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "qualifiers");
  json_builder_begin_array (builder);
  for (guint i = 0; i < result->len; i++)
    {
      const RelQualifiers *q = &g_array_index (result, RelQualifiers, i);

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "negated");
      json_builder_add_boolean_value (builder, q->negated);
      json_builder_set_member_name (builder, "hypothesis");
      json_builder_add_boolean_value (builder, q->hypothesis);
      json_builder_set_member_name (builder, "family");
      json_builder_add_boolean_value (builder, q->family);
      json_builder_set_member_name (builder, "history");
      json_builder_add_boolean_value (builder, q->history);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
  json_builder_end_object (builder);

  root = json_builder_get_root (builder);
  json = json_to_string (root, FALSE);
  g_print ("%s\n", json);
  return TRUE;
}

static int
command_qualify (int    argc,
                 char **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(RelTerminology) terminology = NULL;
  g_autoptr(RelEngine) engine = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GInputStream) in = NULL;
  g_autoptr(GDataInputStream) data = NULL;
  int status = EXIT_OK;
  guint line_number = 0;

  context = g_option_context_new (_("— qualify given spans: reads JSON lines "
                                    "{\"text\": …, \"spans\": [[start, end], …]} "
                                    "on standard input"));
  if (!parse_options (context, &argc, &argv, &status))
    return status;
  if (argc > 1)
    return usage_error (context, _("qualify reads standard input and takes no argument"));

  terminology = rel_terminology_new_bundled (&error);
  if (terminology == NULL || (engine = rel_embedded_engine_new (terminology, &error)) == NULL)
    {
      g_printerr ("relecture-cli: %s\n", error->message);
      return EXIT_SOME_FAILED;
    }

  in = g_unix_input_stream_new (0, FALSE);
  data = g_data_input_stream_new (in);
  for (;;)
    {
      g_autofree char *line = g_data_input_stream_read_line_utf8 (data, NULL, NULL, &error);

      if (line == NULL)
        break;
      line_number++;
      if (*line == '\0')
        continue;
      if (!qualify_line (REL_EMBEDDED_ENGINE (engine), line, &error))
        {
          g_printerr (_("relecture-cli: line %u: %s\n"), line_number, error->message);
          g_clear_error (&error);
          g_print ("{\"qualifiers\":null}\n");
          status = EXIT_SOME_FAILED;
        }
    }
  if (error != NULL)
    {
      g_printerr ("relecture-cli: %s\n", error->message);
      status = EXIT_SOME_FAILED;
    }
  return status;
}

/* terminology */

static int
command_terminology_import (int    argc,
                            char **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *edition = NULL;
  g_autofree char *destination = NULL;
  g_auto(GStrv) files = NULL;
  gint64 start;
  guint n_codes = 0;
  int status = EXIT_OK;
  const GOptionEntry entries[] = {
    { "edition", 'e', 0, G_OPTION_ARG_STRING, &edition,
      N_("Edition of the file (default: the year in its name)"), N_("YEAR") },
    { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &files, NULL, N_("FILE") },
    { NULL }
  };

  context = g_option_context_new (_("FILE — import the ATIH CIM-10 file (LIBCIM10MULTI.TXT or CSV)"));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!parse_options (context, &argc, &argv, &status))
    return status;
  if (files == NULL || g_strv_length (files) != 1)
    return usage_error (context, _("give exactly one file to import"));

  destination = rel_terminology_get_default_path ();
  start = g_get_monotonic_time ();
  if (!rel_terminology_import (files[0], edition, destination, &n_codes, NULL, &error))
    {
      g_printerr ("relecture-cli: %s\n", error->message);
      return EXIT_SOME_FAILED;
    }

  g_print (_("Imported %u codes in %.2f s into %s\n"), n_codes,
           (g_get_monotonic_time () - start) / 1e6, destination);
  return EXIT_OK;
}

static int
command_terminology_search (int    argc,
                            char **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(RelTerminology) terminology = NULL;
  g_autoptr(GArray) hits = NULL;
  g_autofree char *query = NULL;
  g_auto(GStrv) words = NULL;
  int limit = 20;
  int status = EXIT_OK;
  const GOptionEntry entries[] = {
    { "limit", 'n', 0, G_OPTION_ARG_INT, &limit, N_("Show at most N codes (default 20)"), "N" },
    { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_STRING_ARRAY, &words, NULL, N_("QUERY…") },
    { NULL }
  };

  context = g_option_context_new (_("QUERY… — search the nomenclature by code or by words"));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!parse_options (context, &argc, &argv, &status))
    return status;
  if (words == NULL || words[0] == NULL)
    return usage_error (context, _("nothing to search for"));
  if (limit <= 0)
    return usage_error (context, _("--limit must be positive"));

  terminology = load_terminology ();
  if (terminology == NULL)
    return EXIT_SOME_FAILED;

  query = g_strjoinv (" ", words);
  hits = rel_terminology_search (terminology, query, (guint) limit);
  if (hits->len == 0)
    {
      g_print (_("No code found.\n"));
      return EXIT_OK;
    }

  for (guint i = 0; i < hits->len; i++)
    {
      const RelSearchHit *hit = &g_array_index (hits, RelSearchHit, i);
      g_autofree char *display = rel_code_display (hit->concept->code);

      g_print ("%-9s %s", display, hit->concept->label);
      if (hit->synonym != NULL)
        g_print (_(" (as “%s”)"), hit->synonym->expression);
      if (hit->concept->type == REL_CODE_TYPE_NOT_CODABLE)
        g_print (_(" [not codable]"));
      else if (hit->concept->type != REL_CODE_TYPE_ANY)
        g_print (_(" [not as DP]"));
      g_print ("\n");
    }

  return EXIT_OK;
}

static int
command_terminology_info (int    argc,
                          char **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(RelTerminology) terminology = NULL;
  g_autofree char *path = NULL;
  int status = EXIT_OK;

  context = g_option_context_new (_("— describe the nomenclature in use"));
  if (!parse_options (context, &argc, &argv, &status))
    return status;
  if (argc > 1)
    return usage_error (context, _("info takes no argument"));

  terminology = load_terminology ();
  if (terminology == NULL)
    return EXIT_SOME_FAILED;

  path = rel_terminology_get_default_path ();
  g_print (_("Edition: %s\n"), rel_terminology_get_edition (terminology));
  g_print (_("Source: %s\n"), rel_terminology_get_source (terminology));
  if (!rel_terminology_is_bundled (terminology))
    g_print (_("File: %s\n"), path);
  g_print (_("Codes: %u (%u codable)\n"), rel_terminology_get_concepts (terminology)->len,
           rel_terminology_get_n_codable (terminology));
  g_print (_("Synonyms: %u\n"), rel_terminology_get_synonyms (terminology)->len);
  return EXIT_OK;
}

/* decide, worklist, export, import */

static RelStoreDocument *
find_document (RelStore   *store,
               const char *key)
{
  g_autoptr(GError) error = NULL;
  RelStoreDocument *document = rel_store_find_document (store, key, &error);

  if (document == NULL)
    g_printerr ("relecture-cli: %s\n", error->message);
  return document;
}

static int
command_decide (int    argc,
                char **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(RelStore) store = NULL;
  g_autoptr(RelStoreDocument) document = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) arguments = NULL;
  g_autofree char *db = NULL;
  g_autofree char *user = NULL;
  g_autofree char *role = NULL;
  g_autofree char *comment = NULL;
  g_autofree char *replace = NULL;
  g_autofree char *code = NULL;
  g_autofree char *replaced = NULL;
  g_autofree char *label = NULL;
  gboolean accept = FALSE, reject = FALSE, add = FALSE, undo = FALSE, validate = FALSE;
  const char *decision = NULL;
  int status = EXIT_OK;
  guint n_actions;
  const GOptionEntry entries[] = {
    { "accept", 'a', 0, G_OPTION_ARG_NONE, &accept, N_("Accept the suggested code"), NULL },
    { "reject", 'r', 0, G_OPTION_ARG_NONE, &reject, N_("Reject the suggested code"), NULL },
    { "add", 0, 0, G_OPTION_ARG_NONE, &add, N_("Add a code the analysis missed"), NULL },
    { "replace", 0, 0, G_OPTION_ARG_STRING, &replace,
      N_("Correct the suggested code OLD into CODE"), N_("OLD") },
    { "undo", 0, 0, G_OPTION_ARG_NONE, &undo, N_("Undo the document's last decision"), NULL },
    { "validate", 0, 0, G_OPTION_ARG_NONE, &validate,
      N_("Mark the document validated"), NULL },
    { "role", 0, 0, G_OPTION_ARG_STRING, &role, N_("DP or DAS"), N_("ROLE") },
    { "comment", 0, 0, G_OPTION_ARG_STRING, &comment, N_("A comment kept with the decision"),
      N_("TEXT") },
    { "user", 'u', 0, G_OPTION_ARG_STRING, &user, N_("Who decides (default: the login name)"),
      N_("NAME") },
    { "db", 0, 0, G_OPTION_ARG_FILENAME, &db,
      N_("The database (default: relecture.db in the user data folder)"), N_("FILE") },
    { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_STRING_ARRAY, &arguments, NULL,
      N_("DOCUMENT [CODE]") },
    { NULL }
  };

  context = g_option_context_new (_("— record a coder's decision"));
  g_option_context_set_description (context,
    _("DOCUMENT is the number shown by “worklist”, a sha256 (8 characters or more) or the "
      "report's path."));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!parse_options (context, &argc, &argv, &status))
    return status;

  n_actions = (accept ? 1 : 0) + (reject ? 1 : 0) + (add ? 1 : 0) + (replace != NULL ? 1 : 0) +
              (undo ? 1 : 0) + (validate ? 1 : 0);
  if (n_actions != 1)
    return usage_error (context,
                        _("give one of --accept, --reject, --add, --replace, --undo, --validate"));
  if (arguments == NULL || arguments[0] == NULL)
    return usage_error (context, _("no document"));
  if ((undo || validate) ? arguments[1] != NULL
                         : (arguments[1] == NULL || arguments[2] != NULL))
    return usage_error (context, undo || validate ? _("--undo and --validate take no code")
                                                  : _("give one document and one code"));
  if (role != NULL)
    {
      char *upper = g_ascii_strup (role, -1);

      g_free (role);
      role = upper;
      if (!g_str_equal (role, "DP") && !g_str_equal (role, "DAS"))
        return usage_error (context, _("--role is DP or DAS"));
    }

  if (!undo && !validate)
    {
      code = rel_code_normalize (arguments[1]);
      if (code == NULL)
        return usage_error (context, _("CODE is not a CIM-10 code"));
    }
  if (replace != NULL)
    {
      replaced = rel_code_normalize (replace);
      if (replaced == NULL)
        return usage_error (context, _("OLD is not a CIM-10 code"));
    }

  /* A code typed by the coder must exist and be codable. */
  if (add || replace != NULL)
    {
      g_autoptr(RelTerminology) terminology = load_terminology ();
      const RelConcept *concept;

      if (terminology == NULL)
        return EXIT_SOME_FAILED;
      concept = rel_terminology_lookup (terminology, code);
      if (concept == NULL || !rel_terminology_is_codable (terminology, code))
        {
          g_printerr (concept == NULL
                      ? _("relecture-cli: %s is not in the CIM-10 nomenclature\n")
                      : _("relecture-cli: %s is not codable: choose one of its subdivisions\n"),
                      arguments[1]);
          return EXIT_SOME_FAILED;
        }
      label = g_strdup (concept->label);
    }

  store = open_store (db);
  if (store == NULL)
    return EXIT_SOME_FAILED;
  document = find_document (store, arguments[0]);
  if (document == NULL)
    return EXIT_SOME_FAILED;

  if (undo)
    {
      if (!rel_store_undo (store, document->id, user, &error))
        {
          if (error == NULL)
            {
              g_print (_("Nothing to undo.\n"));
              return EXIT_OK;
            }
          g_printerr ("relecture-cli: %s\n", error->message);
          return EXIT_SOME_FAILED;
        }
      g_print (_("Undone.\n"));
      return EXIT_OK;
    }
  if (validate)
    {
      if (!rel_store_set_status (store, document->id, "validated", user, &error))
        {
          g_printerr ("relecture-cli: %s\n", error->message);
          return EXIT_SOME_FAILED;
        }
      g_print (_("Document %lld validated.\n"), (long long) document->id);
      return EXIT_OK;
    }

  decision = accept ? "accepted" : reject ? "rejected" : add ? "added" : "modified";
  if (!rel_store_decide (store, document->id, code, decision, role, label, replaced, user,
                         comment, &error))
    {
      g_printerr ("relecture-cli: %s\n", error->message);
      return EXIT_SOME_FAILED;
    }
  {
    g_autofree char *display = rel_code_display (code);

    /* Printed once the decision is on disk: a script may rely on it. */
    g_print (_("Document %lld: %s %s.\n"), (long long) document->id, display,
             accept ? _("accepted") : reject ? _("rejected") : add ? _("added")
                    : _("recorded as a correction"));
  }
  return EXIT_OK;
}

static const char *
status_label (const char *status)
{
  if (g_strcmp0 (status, "new") == 0)
    return _("new");
  if (g_strcmp0 (status, "in_progress") == 0)
    return _("in progress");
  if (g_strcmp0 (status, "validated") == 0)
    return _("validated");
  return status;
}

static int
command_worklist (int    argc,
                  char **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(RelStore) store = NULL;
  g_autoptr(GPtrArray) documents = NULL;
  g_autoptr(RelStoreDocument) next = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *db = NULL;
  g_autofree char *filter = NULL;
  g_autofree char *rates = NULL;
  int limit = 50;
  int offset = 0;
  int status = EXIT_OK;
  guint counts[3];
  const GOptionEntry entries[] = {
    { "status", 0, 0, G_OPTION_ARG_STRING, &filter,
      N_("Only the documents with this status: new, in_progress, validated"), N_("STATUS") },
    { "limit", 'n', 0, G_OPTION_ARG_INT, &limit, N_("How many documents (default 50, 0 for all)"),
      N_("N") },
    { "offset", 0, 0, G_OPTION_ARG_INT, &offset, N_("Skip the first N documents"), N_("N") },
    { "acceptance", 0, 0, G_OPTION_ARG_STRING, &rates,
      N_("Print the acceptance rate of each suggested code by user or by engine"), N_("user|engine") },
    { "db", 0, 0, G_OPTION_ARG_FILENAME, &db,
      N_("The database (default: relecture.db in the user data folder)"), N_("FILE") },
    { NULL }
  };

  context = g_option_context_new (_("— the documents of the database and where they stand"));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!parse_options (context, &argc, &argv, &status))
    return status;
  if (argc > 1)
    return usage_error (context, _("worklist takes no file"));
  if (limit < 0 || offset < 0)
    return usage_error (context, _("--limit and --offset must be positive"));
  if (rates != NULL && !g_str_equal (rates, "user") && !g_str_equal (rates, "engine"))
    return usage_error (context, _("--acceptance is user or engine"));

  store = open_store (db);
  if (store == NULL)
    return EXIT_SOME_FAILED;

  if (rates != NULL)
    {
      g_autoptr(GPtrArray) rows = rel_store_acceptance (store, rates, &error);

      if (rows == NULL)
        {
          g_printerr ("relecture-cli: %s\n", error->message);
          return EXIT_SOME_FAILED;
        }
      g_print ("%-24s %-8s %8s %8s %6s\n", rates[0] == 'u' ? _("user") : _("engine"),
               _("code"), _("decided"), _("accepted"), _("rate"));
      for (guint i = 0; i < rows->len; i++)
        {
          const RelAcceptance *row = g_ptr_array_index (rows, i);
          g_autofree char *display = rel_code_display (row->code);

          g_print ("%-24s %-8s %8u %8u %5.0f%%\n", row->key, display, row->n_decided,
                   row->n_accepted, row->rate * 100.0);
        }
      return EXIT_OK;
    }

  if (!rel_store_count_by_status (store, counts, &error))
    {
      g_printerr ("relecture-cli: %s\n", error->message);
      return EXIT_SOME_FAILED;
    }
  documents = rel_store_list_documents (store, filter, (guint) offset, (guint) limit, &error);
  if (documents == NULL)
    {
      g_printerr ("relecture-cli: %s\n", error->message);
      return EXIT_USAGE;
    }

  g_print (_("%u new, %u in progress, %u validated\n\n"), counts[0], counts[1], counts[2]);
  g_print ("%6s  %-12s %5s %5s  %s\n", _("#"), _("status"), _("kept"), _("rej."), _("document"));
  for (guint i = 0; i < documents->len; i++)
    {
      const RelStoreDocument *document = g_ptr_array_index (documents, i);

      g_print ("%6" G_GINT64_FORMAT "  %-12s %5u %5u  %s\n", document->id,
               status_label (document->status), document->n_kept, document->n_rejected,
               document->title);
    }

  next = rel_store_next_undecided (store, 0, &error);
  if (next != NULL)
    g_print (_("\nNext undecided: %lld %s\n"), (long long) next->id, next->title);
  else if (error != NULL)
    {
      g_printerr ("relecture-cli: %s\n", error->message);
      return EXIT_SOME_FAILED;
    }
  return EXIT_OK;
}

static int
command_export (int    argc,
                char **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(RelStore) store = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GOutputStream) out = NULL;
  g_autoptr(GFile) file = NULL;
  g_autofree char *db = NULL;
  g_autofree char *format = NULL;
  g_autofree char *since = NULL;
  g_autofree char *filter = NULL;
  g_autofree char *output = NULL;
  RelExportFormat kind;
  const char *document_status;
  int status = EXIT_OK;
  const GOptionEntry entries[] = {
    { "format", 'f', 0, G_OPTION_ARG_STRING, &format,
      N_("csv (codes for PMSI), fhir (FHIR R4 Bundle) or jsonl (training set)"), N_("FORMAT") },
    { "since", 0, 0, G_OPTION_ARG_STRING, &since,
      N_("Only what was decided on or after this date"), N_("YYYY-MM-DD") },
    { "status", 0, 0, G_OPTION_ARG_STRING, &filter,
      N_("Documents with this status (default: validated for csv and fhir, all for jsonl)"),
      N_("STATUS|all") },
    { "output", 'o', 0, G_OPTION_ARG_FILENAME, &output,
      N_("Write to FILE, replaced only once complete (default: standard output)"), N_("FILE") },
    { "db", 0, 0, G_OPTION_ARG_FILENAME, &db,
      N_("The database (default: relecture.db in the user data folder)"), N_("FILE") },
    { NULL }
  };

  context = g_option_context_new (_("— export the decisions of the database"));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!parse_options (context, &argc, &argv, &status))
    return status;
  if (argc > 1)
    return usage_error (context, _("export takes no file: use --output"));
  if (format == NULL)
    return usage_error (context, _("give --format csv, fhir or jsonl"));
  if (g_str_equal (format, "csv"))
    kind = REL_EXPORT_CSV;
  else if (g_str_equal (format, "fhir"))
    kind = REL_EXPORT_FHIR;
  else if (g_str_equal (format, "jsonl"))
    kind = REL_EXPORT_JSONL;
  else
    return usage_error (context, _("--format is csv, fhir or jsonl"));
  if (since != NULL)
    {
      g_autoptr(GDateTime) parsed = NULL;
      g_autofree char *midnight = g_strconcat (since, strlen (since) == 10 ? "T00:00:00Z" : "",
                                               NULL);

      parsed = g_date_time_new_from_iso8601 (midnight, NULL);
      if (parsed == NULL)
        return usage_error (context, _("--since is a date such as 2026-01-31"));
    }
  if (filter == NULL)
    document_status = kind == REL_EXPORT_JSONL ? NULL : "validated";
  else if (g_str_equal (filter, "all"))
    document_status = NULL;
  else if (g_str_equal (filter, "new") || g_str_equal (filter, "in_progress") ||
           g_str_equal (filter, "validated"))
    document_status = filter;
  else
    return usage_error (context, _("--status is new, in_progress, validated or all"));

  store = open_store (db);
  if (store == NULL)
    return EXIT_SOME_FAILED;

  if (output != NULL)
    {
      file = g_file_new_for_commandline_arg (output);
      out = G_OUTPUT_STREAM (g_file_replace (file, NULL, FALSE, G_FILE_CREATE_PRIVATE, NULL,
                                             &error));
    }
  else
    {
      out = g_unix_output_stream_new (1, FALSE);
    }
  if (out == NULL)
    {
      g_printerr ("relecture-cli: %s: %s\n", output, error->message);
      return EXIT_SOME_FAILED;
    }

  if (!rel_store_export (store, kind, since, document_status, out, NULL, &error))
    {
      g_autoptr(GCancellable) abandon = g_cancellable_new ();

      /* A partial file never replaces a good one. */
      g_cancellable_cancel (abandon);
      g_output_stream_close (out, abandon, NULL);
      g_printerr ("relecture-cli: %s\n", error->message);
      return EXIT_SOME_FAILED;
    }
  if (!g_output_stream_close (out, NULL, &error))
    {
      g_printerr ("relecture-cli: %s\n", error->message);
      return EXIT_SOME_FAILED;
    }
  return EXIT_OK;
}

static int
command_import (int    argc,
                char **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(RelStore) store = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GFile) file = NULL;
  g_autoptr(GInputStream) in = NULL;
  g_autofree char *db = NULL;
  g_autofree char *user = NULL;
  guint n_documents = 0;
  guint n_decisions = 0;
  int status = EXIT_OK;
  const GOptionEntry entries[] = {
    { "user", 'u', 0, G_OPTION_ARG_STRING, &user,
      N_("Who imports (default: the login name)"), N_("NAME") },
    { "db", 0, 0, G_OPTION_ARG_FILENAME, &db,
      N_("The database (default: relecture.db in the user data folder)"), N_("FILE") },
    { NULL }
  };

  context = g_option_context_new (_("FILE.jsonl — merge a JSONL export into the database"));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!parse_options (context, &argc, &argv, &status))
    return status;
  if (argc != 2)
    return usage_error (context, _("give one JSONL file"));

  store = open_store (db);
  if (store == NULL)
    return EXIT_SOME_FAILED;
  if (g_str_equal (argv[1], "-"))
    in = g_unix_input_stream_new (0, FALSE);
  else
    {
      file = g_file_new_for_commandline_arg (argv[1]);
      in = G_INPUT_STREAM (g_file_read (file, NULL, &error));
    }
  if (in == NULL)
    {
      g_printerr ("relecture-cli: %s: %s\n", argv[1], error->message);
      return EXIT_SOME_FAILED;
    }
  if (!rel_store_import_jsonl (store, in, user, &n_documents, &n_decisions, NULL, &error))
    {
      g_printerr ("relecture-cli: %s: %s\n", argv[1], error->message);
      return EXIT_SOME_FAILED;
    }
  g_print (_("Imported %u new documents and %u decisions.\n"), n_documents, n_decisions);
  return EXIT_OK;
}

/* server check */

static int
command_server_check (int    argc,
                      char **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(RelHttpSettings) settings = NULL;
  g_autoptr(RelServerInfo) info = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *api = NULL;
  gboolean allow_remote = FALSE;
  int status = EXIT_OK;
  const GOptionEntry entries[] = {
    { "api", 0, 0, G_OPTION_ARG_STRING, &api,
      N_("openai (llama-server, vLLM, Ollama /v1; default) or ollama (/api/tags)"), N_("API") },
    { "allow-remote", 0, 0, G_OPTION_ARG_NONE, &allow_remote,
      N_("Allow a server on another computer (HTTPS only)"), NULL },
    { NULL }
  };

  context = g_option_context_new (_("URL — list the models of an inference server"));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!parse_options (context, &argc, &argv, &status))
    return status;
  if (argc != 2)
    return usage_error (context, _("give the server's URL"));
  if (api != NULL && !g_str_equal (api, "openai") && !g_str_equal (api, "ollama"))
    return usage_error (context, _("--api is openai or ollama"));

  settings = rel_http_settings_new (argv[1]);
  settings->api = g_strcmp0 (api, "ollama") == 0 ? REL_SERVER_API_OLLAMA : REL_SERVER_API_OPENAI;
  settings->api_key = g_strdup (g_getenv ("RELECTURE_API_KEY"));
  settings->allow_remote = allow_remote;
  settings->first_byte_timeout_ms = 10000;
  info = rel_http_check_server (settings, NULL, &error);
  if (info == NULL)
    {
      g_printerr ("relecture-cli: %s\n", error->message);
      return EXIT_SOME_FAILED;
    }
  g_print (_("Server: %s\n"), info->kind);
  g_print (_("Round trip: %.1f ms\n"), info->round_trip_ms);
  g_print (_("Models:\n"));
  for (guint i = 0; info->models[i] != NULL; i++)
    g_print ("  %s\n", info->models[i]);
  return EXIT_OK;
}

static const Command terminology_commands[] = {
  { "import", command_terminology_import, N_("Import the ATIH CIM-10 file") },
  { "search", command_terminology_search, N_("Search codes by code or words") },
  { "info", command_terminology_info, N_("Describe the nomenclature in use") },
};

static const Command server_commands[] = {
  { "check", command_server_check, N_("List the models of an inference server") },
};

static const Command commands[] = {
  { "analyze", command_analyze, N_("Analyze clinical reports") },
  { "pseudonymize", command_pseudonymize, N_("Replace the identifying data of reports") },
  { "decide", command_decide, N_("Accept, reject, add or correct a code of a stored document") },
  { "worklist", command_worklist, N_("List the stored documents and their status") },
  { "export", command_export, N_("Export decisions as CSV, FHIR or JSONL") },
  { "import", command_import, N_("Merge a JSONL export into the database") },
  { "qualify", command_qualify, N_("Qualify given spans of texts (for evaluation)") },
  { "terminology", NULL, N_("Import, search and describe the CIM-10 nomenclature") },
  { "server", NULL, N_("Check an inference server") },
};

static void
print_commands (FILE          *out,
                const char    *prefix,
                const Command *list,
                guint          n)
{
  fprintf (out, _("Usage:\n  relecture-cli %sCOMMAND [OPTION…]\n\nCommands:\n"), prefix);
  for (guint i = 0; i < n; i++)
    fprintf (out, "  %-12s %s\n", list[i].name, _(list[i].summary));
  fprintf (out, _("\nRun “relecture-cli %sCOMMAND --help” for the options of a command.\n"),
           prefix);
}

static int
dispatch (const char    *prefix,
          const Command *list,
          guint          n,
          int            argc,
          char         **argv)
{
  if (argc < 2 || g_str_equal (argv[1], "--help") || g_str_equal (argv[1], "-h") ||
      g_str_equal (argv[1], "help"))
    {
      gboolean asked = argc >= 2;

      print_commands (asked ? stdout : stderr, prefix, list, n);
      return asked ? EXIT_OK : EXIT_USAGE;
    }

  for (guint i = 0; i < n; i++)
    {
      if (g_str_equal (argv[1], list[i].name))
        {
          if (list[i].func != NULL)
            return list[i].func (argc - 1, argv + 1);
          if (g_str_equal (list[i].name, "server"))
            return dispatch ("server ", server_commands, G_N_ELEMENTS (server_commands),
                             argc - 1, argv + 1);
          return dispatch ("terminology ", terminology_commands,
                           G_N_ELEMENTS (terminology_commands), argc - 1, argv + 1);
        }
    }

  g_printerr (_("relecture-cli: unknown command “%s”\n\n"), argv[1]);
  print_commands (stderr, prefix, list, n);
  return EXIT_USAGE;
}

int
main (int    argc,
      char **argv)
{
  setlocale (LC_ALL, "");
  /* Run from the build tree (build-aux/run-app), the catalogs are there. */
  bindtextdomain (GETTEXT_PACKAGE, g_getenv ("RELECTURE_LOCALEDIR") != NULL
                                   ? g_getenv ("RELECTURE_LOCALEDIR") : LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  if (argc >= 2 && g_str_equal (argv[1], "--version"))
    {
      g_print ("relecture-cli %s\n", PACKAGE_VERSION);
      return EXIT_OK;
    }

  return dispatch ("", commands, G_N_ELEMENTS (commands), argc, argv);
}
