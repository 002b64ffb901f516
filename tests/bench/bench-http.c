/* SPDX-License-Identifier: GPL-3.0-or-later */
/* bench-http.c: what the HTTP engine costs beyond the embedded analysis and
 * the server, on a 5 KB report, against an in-process llama-server that
 * answers at once with a good streamed reply. */
#define G_LOG_DOMAIN "bench-http"

#include "config.h"

#include <libsoup/soup.h>
#include <stdio.h>
#include <string.h>

#include "rel-embedded-engine.h"
#include "rel-http-engine.h"
#include "bench-common.h"

#define RUNS      50
#define WARM_UP   3
#define TARGET_MS 5.0

/* The server: its own thread and main context; the engine blocks in main's. */
static struct
{
  GMutex        lock;
  GCond         cond;
  gboolean      ready;
  GMainContext *context;
  GMainLoop    *loop;
  char         *url;
  GHashTable   *quotes;     /* code → words of the report standing for it */
  double        handler_ms; /* the server's own time for the last request */
  guint         n_codes;    /* codes in the last reply */
} server;

static JsonNode *
member (JsonObject *object,
        const char *name)
{
  return object != NULL ? json_object_get_member (object, name) : NULL;
}

/* The enum of codes the request offers, wherever its schema puts it. */
static JsonArray *
find_offered (JsonNode *node)
{
  if (JSON_NODE_HOLDS_OBJECT (node))
    {
      JsonObject *object = json_node_get_object (node);
      JsonNode *values = member (object, "enum");
      g_autoptr(GList) members = NULL;

      if (values != NULL && JSON_NODE_HOLDS_ARRAY (values) &&
          json_array_get_length (json_node_get_array (values)) > 0)
        {
          const char *first = json_array_get_string_element (json_node_get_array (values), 0);

          if (first != NULL && g_ascii_isupper (first[0]) && g_ascii_isdigit (first[1]))
            return json_node_get_array (values);
        }
      members = json_object_get_members (object);
      for (GList *l = members; l != NULL; l = l->next)
        {
          JsonArray *found = find_offered (json_object_get_member (object, l->data));

          if (found != NULL)
            return found;
        }
    }
  else if (JSON_NODE_HOLDS_ARRAY (node))
    {
      JsonArray *array = json_node_get_array (node);

      for (guint i = 0; i < json_array_get_length (array); i++)
        {
          JsonArray *found = find_offered (json_array_get_element (array, i));

          if (found != NULL)
            return found;
        }
    }
  return NULL;
}

static const char *
last_user_content (JsonObject *request)
{
  JsonNode *node = member (request, "messages");
  const char *found = "";

  if (node == NULL || !JSON_NODE_HOLDS_ARRAY (node))
    return found;
  for (guint i = 0; i < json_array_get_length (json_node_get_array (node)); i++)
    {
      JsonNode *element = json_array_get_element (json_node_get_array (node), i);
      JsonObject *message = JSON_NODE_HOLDS_OBJECT (element) ? json_node_get_object (element)
                                                             : NULL;
      JsonNode *content = member (message, "content");
      JsonNode *role = member (message, "role");

      if (role != NULL && JSON_NODE_HOLDS_VALUE (role) &&
          g_strcmp0 (json_node_get_string (role), "user") == 0 &&
          content != NULL && JSON_NODE_HOLDS_VALUE (content) &&
          json_node_get_value_type (content) == G_TYPE_STRING)
        found = json_node_get_string (content);
    }
  return found;
}

/* The model's JSON: codes from the enum, each quoting the report. */
static char *
build_content (JsonArray  *offered,
               const char *user,
               guint      *n_codes)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;
  guint n = 0;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "summary");
  json_builder_begin_array (builder);
  json_builder_end_array (builder);
  json_builder_set_member_name (builder, "codes");
  json_builder_begin_array (builder);
  for (guint i = 0; offered != NULL && i < json_array_get_length (offered) && n < 8; i++)
    {
      const char *code = json_array_get_string_element (offered, i);
      const char *quote = g_hash_table_lookup (server.quotes, code);

      if (quote == NULL || strchr (quote, '[') != NULL || strstr (user, quote) == NULL)
        continue;
      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "code");
      json_builder_add_string_value (builder, code);
      json_builder_set_member_name (builder, "role");
      json_builder_add_string_value (builder, n == 0 ? "DP" : "DAS");
      json_builder_set_member_name (builder, "quote");
      json_builder_add_string_value (builder, quote);
      json_builder_end_object (builder);
      n++;
    }
  json_builder_end_array (builder);
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  json_generator_set_root (generator, root);
  *n_codes = n;
  return json_generator_to_data (generator, NULL);
}

/* The reply as llama-server streams it: a frame per token of a few
 * characters, [DONE] last; all of it at once. */
static GString *
build_stream (const char *content)
{
  GString *stream = g_string_new (NULL);
  const char *p = content;

  while (*p != '\0')
    {
      const char *end = p;
      g_autoptr(JsonBuilder) builder = json_builder_new ();
      g_autoptr(JsonGenerator) generator = json_generator_new ();
      g_autoptr(JsonNode) root = NULL;
      g_autofree char *delta = NULL, *frame = NULL;

      for (guint i = 0; i < 4 && *end != '\0'; i++)
        end = g_utf8_next_char (end);
      delta = g_strndup (p, end - p);
      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "choices");
      json_builder_begin_array (builder);
      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "index");
      json_builder_add_int_value (builder, 0);
      json_builder_set_member_name (builder, "delta");
      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "content");
      json_builder_add_string_value (builder, delta);
      json_builder_end_object (builder);
      json_builder_set_member_name (builder, "finish_reason");
      if (*end == '\0')
        json_builder_add_string_value (builder, "stop");
      else
        json_builder_add_null_value (builder);
      json_builder_end_object (builder);
      json_builder_end_array (builder);
      json_builder_end_object (builder);
      root = json_builder_get_root (builder);
      json_generator_set_root (generator, root);
      frame = json_generator_to_data (generator, NULL);
      g_string_append_printf (stream, "data: %s\n\n", frame);
      p = end;
    }
  g_string_append (stream, "data: [DONE]\n\n");
  return stream;
}

static void
handle (SoupServer        *soup_server,
        SoupServerMessage *msg,
        const char        *path,
        GHashTable        *query,
        gpointer           user_data)
{
  gint64 start = g_get_monotonic_time ();
  g_autoptr(GBytes) body = soup_message_body_flatten (soup_server_message_get_request_body (msg));
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autofree char *content = NULL;
  GString *stream;
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (msg);
  SoupMessageBody *response = soup_server_message_get_response_body (msg);
  JsonNode *root;
  guint n_codes = 0;

  if (!g_str_equal (path, "/v1/chat/completions") ||
      !json_parser_load_from_data (parser, g_bytes_get_data (body, NULL),
                                   g_bytes_get_size (body), NULL) ||
      !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    {
      soup_server_message_set_status (msg, 404, NULL);
      return;
    }
  root = json_parser_get_root (parser);
  content = build_content (find_offered (root), last_user_content (json_node_get_object (root)),
                           &n_codes);
  stream = build_stream (content);
  soup_server_message_set_status (msg, 200, NULL);
  soup_message_headers_set_content_type (headers, "text/event-stream", NULL);
  soup_message_headers_set_encoding (headers, SOUP_ENCODING_CHUNKED);
  soup_message_body_append_take (response, (guchar *) stream->str, stream->len);
  g_string_free (stream, FALSE);
  soup_message_body_complete (response);

  g_mutex_lock (&server.lock);
  server.handler_ms = (g_get_monotonic_time () - start) / 1000.0;
  server.n_codes = n_codes;
  g_mutex_unlock (&server.lock);
}

static gpointer
server_thread (gpointer data)
{
  g_autoptr(GError) error = NULL;
  SoupServer *soup_server;
  GSList *uris;

  g_main_context_push_thread_default (server.context);
  soup_server = soup_server_new (NULL, NULL);
  soup_server_add_handler (soup_server, NULL, handle, NULL, NULL);
  if (!soup_server_listen_local (soup_server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, &error))
    g_error ("listen: %s", error->message);
  uris = soup_server_get_uris (soup_server);
  g_mutex_lock (&server.lock);
  server.url = g_strdup_printf ("http://127.0.0.1:%d", g_uri_get_port (uris->data));
  server.ready = TRUE;
  g_cond_signal (&server.cond);
  g_mutex_unlock (&server.lock);
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);

  g_main_loop_run (server.loop);
  soup_server_disconnect (soup_server);
  g_object_unref (soup_server);
  while (g_main_context_iteration (server.context, FALSE))
    ;
  g_main_context_pop_thread_default (server.context);
  return NULL;
}

static RelAnalysis *
timed_analyze (RelEngine   *engine,
               RelDocument *document,
               double      *ms)
{
  g_autoptr(GError) error = NULL;
  gint64 start = g_get_monotonic_time ();
  RelAnalysis *analysis = rel_engine_analyze (engine, document, NULL, &error);

  *ms = (g_get_monotonic_time () - start) / 1000.0;
  if (analysis == NULL)
    g_error ("analysis: %s", error->message);
  return analysis;
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(RelTerminology) terminology = NULL;
  g_autoptr(RelEngine) embedded = NULL;
  g_autoptr(RelEngine) http = NULL;
  g_autoptr(RelHttpSettings) settings = NULL;
  g_autoptr(RelDocument) document = NULL;
  g_autoptr(RelAnalysis) reference = NULL;
  g_autoptr(GArray) embedded_ms = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) http_ms = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) server_ms = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) own_ms = g_array_new (FALSE, FALSE, sizeof (double));
  g_autofree char *samples = NULL;
  GPtrArray *codes;
  GThread *thread;
  guint n_codes = 0, n_result = 0;
  double own;

  samples = g_build_filename (g_getenv ("REL_SOURCE_ROOT") ? g_getenv ("REL_SOURCE_ROOT") : ".",
                              "data", "samples", NULL);
  terminology = rel_terminology_new_bundled (&error);
  g_assert_no_error (error);
  embedded = rel_embedded_engine_new (terminology, &error);
  g_assert_no_error (error);
  document = bench_make_report (samples, 5 * 1024);
  g_assert_nonnull (document);

  /* The server quotes what the embedded engine found, as a model would. */
  reference = rel_engine_analyze (embedded, document, NULL, &error);
  g_assert_no_error (error);
  server.quotes = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  codes = rel_analysis_get_codes (reference);
  for (guint i = 0; i < codes->len; i++)
    {
      const RelCodeSuggestion *code = codes->pdata[i];
      const RelSpan *span;

      if (code->evidence->len == 0)
        continue;
      span = &g_array_index (code->evidence, RelSpan, 0);
      g_hash_table_replace (server.quotes, g_strdup (code->code),
                            g_strndup (rel_document_get_text (document) + span->start,
                                       span->end - span->start));
    }

  g_mutex_init (&server.lock);
  g_cond_init (&server.cond);
  server.context = g_main_context_new ();
  server.loop = g_main_loop_new (server.context, FALSE);
  thread = g_thread_new ("server", server_thread, NULL);
  g_mutex_lock (&server.lock);
  while (!server.ready)
    g_cond_wait (&server.cond, &server.lock);
  g_mutex_unlock (&server.lock);

  settings = rel_http_settings_new (server.url);
  settings->model = g_strdup ("qwen2.5-7b-instruct");
  http = rel_http_engine_new (embedded, settings, &error);
  g_assert_no_error (error);

  for (guint i = 0; i < WARM_UP + RUNS; i++)
    {
      g_autoptr(RelAnalysis) a = NULL;
      g_autoptr(RelAnalysis) b = NULL;
      double e, h, s;

      a = timed_analyze (embedded, document, &e);
      b = timed_analyze (http, document, &h);
      g_mutex_lock (&server.lock);
      s = server.handler_ms;
      n_codes = server.n_codes;
      g_mutex_unlock (&server.lock);
      n_result = rel_analysis_get_codes (b)->len;
      if (i < WARM_UP)
        continue;
      own = h - e - s;
      g_array_append_val (embedded_ms, e);
      g_array_append_val (http_ms, h);
      g_array_append_val (server_ms, s);
      g_array_append_val (own_ms, own);
    }

  own = bench_median (own_ms);
  printf ("HTTP engine, %zu byte report, in-process llama-server, %u codes in the reply,"
          " %u in the analysis\n", rel_document_get_length (document), n_codes, n_result);
  printf ("%-56s %8s    %8s\n", "", "measured", "target");
  printf ("%-56s %8.2f ms\n", "embedded analysis, median of 50", bench_median (embedded_ms));
  printf ("%-56s %8.2f ms\n", "HTTP analysis (embedded included), median of 50",
          bench_median (http_ms));
  printf ("%-56s %8.2f ms\n", "the server's own time, median of 50", bench_median (server_ms));
  printf ("%-56s %8.2f ms %8s ms   %s\n", "the engine's own time per report, median of 50",
          own, "< 5", own < TARGET_MS ? "PASS" : "FAIL");

  g_main_loop_quit (server.loop);
  g_thread_join (thread);
  g_main_loop_unref (server.loop);
  g_main_context_unref (server.context);
  g_hash_table_unref (server.quotes);
  g_free (server.url);
  return own < TARGET_MS ? 0 : 1;
}
