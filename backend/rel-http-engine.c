/* SPDX-License-Identifier: GPL-3.0-or-later */
/* rel-http-engine.c: the analysis asked of an inference server.
 *
 * The embedded engine runs first: it pseudonymizes the report and finds the
 * candidate codes. The server then receives the pseudonymized text only, with
 * a French instruction and a JSON schema whose codes are those candidates; it
 * streams its answer (SSE, or Ollama's NDJSON), read here with deadlines on
 * the connection, the first byte, every gap and the whole. Every quote of the
 * answer must be found in the text, every code must be offered and codable:
 * what is not is dropped and counted. Offsets go back to the original text
 * through the pseudonymization, and the embedded evidence of a code joins the
 * server's. */
#define G_LOG_DOMAIN "rel-http-engine"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <libsoup/soup.h>
#include <string.h>

#include "rel-data-resources.h"
#include "rel-embedded-engine.h"
#include "rel-http-engine.h"
#include "rel-http-engine-private.h"
#include "rel-json.h"

#define INSTRUCTION_PATH "/io/github/relecture/Relecture/lexicons/server-instruction.txt"
#define MAX_ERROR_BODY (64 * 1024)
#define MAX_LOADING_RETRIES 6

struct _RelHttpEngine
{
  GObject              parent_instance;

  RelEngine           *embedded;
  RelTerminology      *terminology;
  RelHttpSettings     *settings;
  char                *instruction;

  GMutex               progress_lock;
  RelHttpProgressFunc  progress;
  gpointer             progress_data;
  GDestroyNotify       progress_destroy;
};

static void rel_http_engine_iface_init (RelEngineInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (RelHttpEngine, rel_http_engine, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (REL_TYPE_ENGINE,
                                                      rel_http_engine_iface_init))

G_DEFINE_QUARK (rel-http-engine-error-quark, rel_http_engine_error)

static const char * const section_labels[] = {
  "motif", "antecedents", "allergies", "mode_de_vie", "traitement_entree", "histoire",
  "examen_clinique", "examens_complementaires", "evolution", "conclusion", "traitement",
  "traitement_sortie", "suivi", "autre", NULL
};

/* Settings */

RelHttpSettings *
rel_http_settings_new (const char *url)
{
  RelHttpSettings *settings = g_new0 (RelHttpSettings, 1);

  settings->url = g_strdup (url);
  settings->api = REL_SERVER_API_OPENAI;
  settings->connect_timeout_ms = 5000;
  settings->first_byte_timeout_ms = 60000;
  settings->gap_timeout_ms = 30000;
  settings->total_timeout_ms = 300000;
  settings->temperature = 0.0;
  settings->max_tokens = 4096;
  settings->max_reply_size = 4 * 1024 * 1024;
  settings->max_candidates = 40;
  return settings;
}

RelHttpSettings *
rel_http_settings_new_from_gsettings (GSettings *gsettings)
{
  g_autofree char *url = g_settings_get_string (gsettings, "server-url");
  g_autofree char *model = g_settings_get_string (gsettings, "server-model");
  g_autofree char *key = g_settings_get_string (gsettings, "server-api-key");
  RelHttpSettings *settings = rel_http_settings_new (url);

  settings->model = model[0] != '\0' ? g_steal_pointer (&model) : NULL;
  settings->api_key = key[0] != '\0' ? g_steal_pointer (&key) : NULL;
  /* Ollama's own API listens on 11434; its /v1 speaks OpenAI's. */
  settings->api = strstr (url, ":11434") != NULL && strstr (url, "/v1") == NULL
                  ? REL_SERVER_API_OLLAMA : REL_SERVER_API_OPENAI;
  settings->allow_remote = g_settings_get_boolean (gsettings, "allow-remote-server");
  return settings;
}

RelHttpSettings *
rel_http_settings_copy (const RelHttpSettings *settings)
{
  RelHttpSettings *copy = g_memdup2 (settings, sizeof *settings);

  copy->url = g_strdup (settings->url);
  copy->model = g_strdup (settings->model);
  copy->api_key = g_strdup (settings->api_key);
  return copy;
}

void
rel_http_settings_free (RelHttpSettings *settings)
{
  if (settings == NULL)
    return;
  g_free (settings->url);
  g_free (settings->model);
  g_free (settings->api_key);
  g_free (settings);
}

void
rel_server_info_free (RelServerInfo *info)
{
  if (info == NULL)
    return;
  g_free (info->kind);
  g_strfreev (info->models);
  g_free (info);
}

/* Only loopback, unless allowed and then over HTTPS: the text is
 * pseudonymized, but it still describes a patient. */
static gboolean
check_url (const RelHttpSettings  *settings,
           GError                **error)
{
  g_autoptr(GUri) uri = NULL;
  g_autoptr(GInetAddress) address = NULL;
  const char *host;
  const char *scheme;

  uri = settings->url != NULL ? g_uri_parse (settings->url, G_URI_FLAGS_NONE, NULL) : NULL;
  scheme = uri != NULL ? g_uri_get_scheme (uri) : NULL;
  host = uri != NULL ? g_uri_get_host (uri) : NULL;
  if (host == NULL || host[0] == '\0' ||
      (g_strcmp0 (scheme, "http") != 0 && g_strcmp0 (scheme, "https") != 0))
    {
      g_set_error (error, REL_HTTP_ENGINE_ERROR, REL_HTTP_ENGINE_ERROR_NOT_ALLOWED,
                   _("“%s” is not the address of a server (http://host:port)."),
                   settings->url != NULL ? settings->url : "");
      return FALSE;
    }

  address = g_inet_address_new_from_string (host);
  if (g_ascii_strcasecmp (host, "localhost") == 0 ||
      (address != NULL && g_inet_address_get_is_loopback (address)))
    return TRUE;

  if (!settings->allow_remote)
    {
      g_set_error (error, REL_HTTP_ENGINE_ERROR, REL_HTTP_ENGINE_ERROR_NOT_ALLOWED,
                   _("The server %s is not on this computer: allow remote servers in the "
                     "preferences to use it."), host);
      return FALSE;
    }
  if (g_strcmp0 (scheme, "https") != 0)
    {
      g_set_error (error, REL_HTTP_ENGINE_ERROR, REL_HTTP_ENGINE_ERROR_NOT_ALLOWED,
                   _("A remote server must be reached over HTTPS, not %s."), scheme);
      return FALSE;
    }
  return TRUE;
}

static char *
endpoint (const RelHttpSettings *settings,
          const char            *path)
{
  const char *url = settings->url;
  gsize length = strlen (url);

  while (length > 0 && url[length - 1] == '/')
    length--;
  /* "http://host:8080/v1" and "http://host:8080" both name the server. */
  if (length >= 3 && strncmp (url + length - 3, "/v1", 3) == 0 && g_str_has_prefix (path, "/v1"))
    length -= 3;
  return g_strdup_printf ("%.*s%s", (int) length, url, path);
}

/* One HTTP exchange, run to its end on a private main context of the worker
 * thread, with its deadlines. */

typedef enum
{
  PHASE_CONNECTING,
  PHASE_WAITING,    /* connected, nothing received */
  PHASE_HEADERS,    /* headers received, no body yet */
  PHASE_STREAMING,
} Phase;

typedef struct
{
  const RelHttpSettings *settings;
  RelHttpEngine         *engine;         /* for progress; %NULL when checking */
  gint64                 deadline_us;    /* monotonic end of the whole analysis */
  gboolean               stream;         /* SSE or NDJSON, else a whole JSON body */
  RelServerApi           api;

  GMainContext          *context;
  SoupSession           *session;
  SoupMessage           *message;
  GInputStream          *body;
  GCancellable          *cancellable;    /* ours: deadlines and the caller's cancel */
  GSource               *deadline;
  GSource               *total;
  Phase                  phase;

  guint                  status;
  GString               *line;           /* a line not yet ended */
  GString               *raw;            /* a whole body (errors, non-streamed) */
  GString               *content;        /* the model's answer, reassembled */
  gsize                  received;
  gboolean               finished;       /* [DONE] or "done": true */
  char                  *finish_reason;
  gboolean               complete;
  GError                *error;
} Exchange;

static void read_more (Exchange *exchange);

static void
fail (Exchange   *exchange,
      GError     *error)
{
  if (exchange->error == NULL)
    exchange->error = error;
  else
    g_error_free (error);
  g_cancellable_cancel (exchange->cancellable);
}

static void
fail_literal (Exchange   *exchange,
              int         code,
              const char *message)
{
  fail (exchange, g_error_new_literal (REL_HTTP_ENGINE_ERROR, code, message));
}

static void
finish (Exchange *exchange)
{
  exchange->complete = TRUE;
  g_main_context_wakeup (exchange->context);
}

static gboolean
on_deadline (gpointer user_data)
{
  Exchange *exchange = user_data;
  const char *what = exchange->phase == PHASE_CONNECTING
                     ? _("The server did not accept the connection in time.")
                     : exchange->phase == PHASE_STREAMING
                     ? _("The server stopped in the middle of its answer.")
                     : _("The server did not start answering in time.");

  fail_literal (exchange, REL_HTTP_ENGINE_ERROR_TIMEOUT, what);
  return G_SOURCE_REMOVE;
}

static gboolean
on_total_deadline (gpointer user_data)
{
  Exchange *exchange = user_data;

  fail_literal (exchange, REL_HTTP_ENGINE_ERROR_TIMEOUT,
                _("The server took longer than allowed to answer."));
  return G_SOURCE_REMOVE;
}

static void
arm (Exchange *exchange,
     Phase     phase)
{
  guint ms = phase == PHASE_CONNECTING ? exchange->settings->connect_timeout_ms
             : phase == PHASE_STREAMING ? exchange->settings->gap_timeout_ms
             : exchange->settings->first_byte_timeout_ms;

  exchange->phase = phase;
  if (exchange->deadline != NULL)
    {
      g_source_destroy (exchange->deadline);
      g_source_unref (exchange->deadline);
    }
  exchange->deadline = g_timeout_source_new (MAX (ms, 1));
  g_source_set_callback (exchange->deadline, on_deadline, exchange, NULL);
  g_source_attach (exchange->deadline, exchange->context);
}

static void
on_network_event (SoupMessage        *message,
                  GSocketClientEvent  event,
                  GIOStream          *connection,
                  Exchange           *exchange)
{
  /* Connected (and through TLS, when there is TLS): the server's turn. */
  if (event == G_SOCKET_CLIENT_COMPLETE && exchange->phase == PHASE_CONNECTING)
    arm (exchange, PHASE_WAITING);
}

/* What an error body says: {"error": {"message": …}} or {"error": "text"}. */
static char *
server_message (const char *body,
                gsize       length)
{
  g_autoptr(JsonNode) root = NULL;
  JsonObject *object;
  JsonNode *error;

  if (body == NULL || length == 0)
    return NULL;
  root = rel_json_from_string (body, NULL);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    return NULL;
  object = json_node_get_object (root);
  error = json_object_get_member (object, "error");
  /* vLLM's flat shape: {"object": "error", "message": …}. */
  if (error == NULL && g_strcmp0 (rel_json_get_string (object, "object"), "error") == 0 &&
      rel_json_get_string (object, "message") != NULL)
    return g_strdup (rel_json_get_string (object, "message"));
  if (error == NULL)
    return NULL;
  if (JSON_NODE_HOLDS_VALUE (error) && json_node_get_value_type (error) == G_TYPE_STRING)
    return g_strdup (json_node_get_string (error));
  if (JSON_NODE_HOLDS_OBJECT (error))
    {
      const char *message = rel_json_get_string (json_node_get_object (error), "message");

      return message != NULL ? g_strdup (message) : NULL;
    }
  return NULL;
}

static void
report_progress (Exchange *exchange)
{
  RelHttpEngine *engine = exchange->engine;

  if (engine == NULL)
    return;
  g_mutex_lock (&engine->progress_lock);
  if (engine->progress != NULL)
    engine->progress (exchange->content->str, engine->progress_data);
  g_mutex_unlock (&engine->progress_lock);
}

/* One line of SSE ("data: {…}", ": ping", "data: [DONE]") or NDJSON. */
static void
handle_line (Exchange   *exchange,
             const char *line)
{
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *message = NULL;
  JsonObject *object;
  const char *json = line;

  if (exchange->finished || exchange->error != NULL)
    return;
  if (exchange->api == REL_SERVER_API_OPENAI)
    {
      /* Blank lines end events; comments keep the connection alive. */
      if (line[0] == '\0' || line[0] == ':' || !g_str_has_prefix (line, "data:"))
        return;
      json = line + 5;
      while (*json == ' ')
        json++;
      if (g_str_equal (json, "[DONE]"))
        {
          exchange->finished = TRUE;
          return;
        }
    }
  else if (line[0] == '\0')
    {
      return;
    }

  root = rel_json_from_string (json, NULL);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      fail_literal (exchange, REL_HTTP_ENGINE_ERROR_INVALID,
                    _("The server's stream holds something that is not JSON."));
      return;
    }
  object = json_node_get_object (root);
  message = server_message (json, strlen (json));
  if (message != NULL || json_object_has_member (object, "error"))
    {
      fail (exchange, g_error_new (REL_HTTP_ENGINE_ERROR, REL_HTTP_ENGINE_ERROR_SERVER,
                                   _("The server reported an error: %s"),
                                   message != NULL ? message : _("no detail")));
      return;
    }

  if (exchange->api == REL_SERVER_API_OPENAI)
    {
      JsonArray *choices = rel_json_get_array (object, "choices");
      JsonObject *choice = choices != NULL && json_array_get_length (choices) > 0
                           ? rel_json_get_element (choices, 0) : NULL;
      const char *text = rel_json_get_string (rel_json_get_object (choice, "delta"), "content");
      const char *reason = rel_json_get_string (choice, "finish_reason");

      if (choice == NULL)
        return;
      if (text != NULL)
        g_string_append (exchange->content, text);
      if (reason != NULL)
        {
          g_free (exchange->finish_reason);
          exchange->finish_reason = g_strdup (reason);
        }
    }
  else
    {
      const char *text = rel_json_get_string (rel_json_get_object (object, "message"), "content");
      JsonNode *done = json_object_get_member (object, "done");

      if (text != NULL)
        g_string_append (exchange->content, text);
      if (done != NULL && JSON_NODE_HOLDS_VALUE (done) &&
          json_node_get_value_type (done) == G_TYPE_BOOLEAN && json_node_get_boolean (done))
        {
          const char *reason = rel_json_get_string (object, "done_reason");

          g_free (exchange->finish_reason);
          exchange->finish_reason = g_strdup (reason != NULL ? reason : "stop");
          exchange->finished = TRUE;
        }
    }

  if (g_strcmp0 (exchange->finish_reason, "length") == 0)
    {
      fail_literal (exchange, REL_HTTP_ENGINE_ERROR_TRUNCATED,
                    _("The server's answer was cut at its length limit: raise the maximum "
                      "number of tokens."));
      return;
    }
  report_progress (exchange);
}

static void
handle_bytes (Exchange   *exchange,
              const char *data,
              gsize       size)
{
  if (!exchange->stream || exchange->status != SOUP_STATUS_OK)
    {
      g_string_append_len (exchange->raw, data, size);
      return;
    }
  for (gsize i = 0; i < size; i++)
    {
      if (data[i] == '\n')
        {
          if (exchange->line->len > 0 && exchange->line->str[exchange->line->len - 1] == '\r')
            g_string_truncate (exchange->line, exchange->line->len - 1);
          handle_line (exchange, exchange->line->str);
          g_string_truncate (exchange->line, 0);
        }
      else
        {
          g_string_append_c (exchange->line, data[i]);
        }
    }
}

/* The end of the body: a last line without its line break still counts. */
static void
handle_end (Exchange *exchange)
{
  if (exchange->line->len > 0)
    {
      handle_line (exchange, exchange->line->str);
      g_string_truncate (exchange->line, 0);
    }
}

static void
on_read (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  Exchange *exchange = user_data;
  GError *error = NULL;
  g_autoptr(GBytes) bytes = g_input_stream_read_bytes_finish (G_INPUT_STREAM (source), result,
                                                              &error);
  gsize size;
  gsize limit;

  if (bytes == NULL)
    {
      if (exchange->error == NULL && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        exchange->error = error;
      else if (exchange->error == NULL)
        exchange->error = g_error_new (REL_HTTP_ENGINE_ERROR, REL_HTTP_ENGINE_ERROR_TRUNCATED,
                                       _("The connection to the server broke: %s"),
                                       error->message);
      else
        g_error_free (error);
      finish (exchange);
      return;
    }

  size = g_bytes_get_size (bytes);
  if (size == 0)
    {
      handle_end (exchange);
      finish (exchange);
      return;
    }

  exchange->received += size;
  limit = exchange->status == SOUP_STATUS_OK ? exchange->settings->max_reply_size
                                             : MAX_ERROR_BODY;
  if (exchange->received > limit)
    {
      if (exchange->status == SOUP_STATUS_OK)
        {
          fail_literal (exchange, REL_HTTP_ENGINE_ERROR_TOO_LARGE,
                        _("The server's answer is larger than allowed."));
          finish (exchange);
          return;
        }
      /* An error page: its first part says enough. */
      finish (exchange);
      return;
    }

  arm (exchange, PHASE_STREAMING);
  handle_bytes (exchange, g_bytes_get_data (bytes, NULL), size);
  if (exchange->error != NULL || exchange->finished)
    {
      finish (exchange);
      return;
    }
  read_more (exchange);
}

static void
read_more (Exchange *exchange)
{
  g_input_stream_read_bytes_async (exchange->body, 16384, G_PRIORITY_DEFAULT,
                                   exchange->cancellable, on_read, exchange);
}

static void
on_sent (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  Exchange *exchange = user_data;
  GError *error = NULL;

  exchange->body = soup_session_send_finish (SOUP_SESSION (source), result, &error);
  if (exchange->body == NULL)
    {
      if (exchange->error == NULL)
        {
          if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
            exchange->error = error;
          else
            {
              exchange->error = g_error_new (REL_HTTP_ENGINE_ERROR, REL_HTTP_ENGINE_ERROR_REFUSED,
                                             _("No inference server answers at %s (%s)."),
                                             exchange->settings->url, error->message);
              g_error_free (error);
            }
        }
      else
        {
          g_error_free (error);
        }
      finish (exchange);
      return;
    }

  exchange->status = soup_message_get_status (exchange->message);
  arm (exchange, PHASE_HEADERS);
  read_more (exchange);
}

static void
on_cancelled (GCancellable *cancellable,
              Exchange     *exchange)
{
  g_cancellable_cancel (exchange->cancellable);
}

/* Sends @body (or a GET when %NULL) to @path and reads the whole reply. */
static gboolean
exchange_run (Exchange      *exchange,
              const char    *method,
              const char    *path,
              GBytes        *body,
              GCancellable  *cancellable,
              GError       **error)
{
  g_autofree char *url = endpoint (exchange->settings, path);
  gulong cancel_id = 0;

  exchange->context = g_main_context_new ();
  g_main_context_push_thread_default (exchange->context);
  exchange->cancellable = g_cancellable_new ();
  exchange->line = g_string_new (NULL);
  exchange->raw = g_string_new (NULL);
  exchange->content = g_string_new (NULL);
  exchange->session = soup_session_new_with_options ("timeout", 0, "idle-timeout", 0, NULL);
  exchange->message = soup_message_new (method, url);

  if (exchange->message == NULL)
    {
      g_set_error (error, REL_HTTP_ENGINE_ERROR, REL_HTTP_ENGINE_ERROR_NOT_ALLOWED,
                   _("“%s” is not the address of a server (http://host:port)."), url);
      g_main_context_pop_thread_default (exchange->context);
      return FALSE;
    }
  if (body != NULL)
    soup_message_set_request_body_from_bytes (exchange->message, "application/json", body);
  if (exchange->settings->api_key != NULL && exchange->settings->api_key[0] != '\0')
    {
      g_autofree char *bearer = g_strconcat ("Bearer ", exchange->settings->api_key, NULL);

      soup_message_headers_replace (soup_message_get_request_headers (exchange->message),
                                    "Authorization", bearer);
    }
  if (exchange->stream)
    soup_message_headers_replace (soup_message_get_request_headers (exchange->message), "Accept",
                                  exchange->api == REL_SERVER_API_OPENAI ? "text/event-stream"
                                                                         : "application/x-ndjson");
  g_signal_connect (exchange->message, "network-event", G_CALLBACK (on_network_event), exchange);

  if (cancellable != NULL)
    cancel_id = g_cancellable_connect (cancellable, G_CALLBACK (on_cancelled), exchange, NULL);

  arm (exchange, PHASE_CONNECTING);
  /* One total for the analysis, retries included. */
  exchange->total = g_timeout_source_new (
    (guint) MAX ((exchange->deadline_us - g_get_monotonic_time ()) / 1000, 1));
  g_source_set_callback (exchange->total, on_total_deadline, exchange, NULL);
  g_source_attach (exchange->total, exchange->context);

  soup_session_send_async (exchange->session, exchange->message, G_PRIORITY_DEFAULT,
                           exchange->cancellable, on_sent, exchange);
  while (!exchange->complete)
    g_main_context_iteration (exchange->context, TRUE);

  if (cancel_id != 0)
    g_cancellable_disconnect (cancellable, cancel_id);
  /* Close the connection now: a cancelled stream must stop the server too.
   * libsoup finishes its work on this context, while it is still ours. */
  if (exchange->body != NULL)
    g_input_stream_close (exchange->body, NULL, NULL);
  soup_session_abort (exchange->session);
  while (g_main_context_iteration (exchange->context, FALSE))
    ;
  g_clear_object (&exchange->body);
  g_clear_object (&exchange->message);
  g_clear_object (&exchange->session);
  while (g_main_context_iteration (exchange->context, FALSE))
    ;
  g_main_context_pop_thread_default (exchange->context);

  if (exchange->error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&exchange->error));
      return FALSE;
    }
  return TRUE;
}

static void
exchange_clear (Exchange *exchange)
{
  if (exchange->deadline != NULL)
    {
      g_source_destroy (exchange->deadline);
      g_clear_pointer (&exchange->deadline, g_source_unref);
    }
  if (exchange->total != NULL)
    {
      g_source_destroy (exchange->total);
      g_clear_pointer (&exchange->total, g_source_unref);
    }
  g_clear_object (&exchange->body);
  g_clear_object (&exchange->message);
  g_clear_object (&exchange->session);
  g_clear_object (&exchange->cancellable);
  if (exchange->line != NULL)
    g_string_free (exchange->line, TRUE);
  if (exchange->raw != NULL)
    g_string_free (exchange->raw, TRUE);
  if (exchange->content != NULL)
    g_string_free (exchange->content, TRUE);
  g_clear_pointer (&exchange->finish_reason, g_free);
  g_clear_error (&exchange->error);
  if (exchange->context != NULL)
    g_main_context_unref (exchange->context);
  memset (exchange, 0, sizeof *exchange);
}

/* The request */

static void
begin_property (JsonBuilder *builder,
                const char  *name,
                const char  *type)
{
  json_builder_set_member_name (builder, name);
  json_builder_begin_object (builder);
  rel_json_set_string (builder, "type", type);
}

static void
add_enum (JsonBuilder        *builder,
          const char * const *values,
          guint               n)
{
  json_builder_set_member_name (builder, "enum");
  json_builder_begin_array (builder);
  for (guint i = 0; i < n; i++)
    json_builder_add_string_value (builder, values[i]);
  json_builder_end_array (builder);
}

static void
add_required (JsonBuilder        *builder,
              const char * const *names)
{
  json_builder_set_member_name (builder, "required");
  json_builder_begin_array (builder);
  for (guint i = 0; names[i] != NULL; i++)
    json_builder_add_string_value (builder, names[i]);
  json_builder_end_array (builder);
  json_builder_set_member_name (builder, "additionalProperties");
  json_builder_add_boolean_value (builder, FALSE);
}

/* What the model may answer: sections of DESIGN.md, codes among @candidates. */
static JsonNode *
answer_schema (GPtrArray *candidates)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  static const char * const item_fields[] = { "section", "text", "quote", NULL };
  static const char * const code_fields[] = { "code", "role", "quote", NULL };
  static const char * const top_fields[] = { "summary", "codes", NULL };
  static const char * const roles[] = { "DP", "DAS" };

  json_builder_begin_object (builder);
  rel_json_set_string (builder, "type", "object");
  json_builder_set_member_name (builder, "properties");
  json_builder_begin_object (builder);

  begin_property (builder, "summary", "array");
  json_builder_set_member_name (builder, "items");
  json_builder_begin_object (builder);
  rel_json_set_string (builder, "type", "object");
  json_builder_set_member_name (builder, "properties");
  json_builder_begin_object (builder);
  begin_property (builder, "section", "string");
  add_enum (builder, section_labels, g_strv_length ((char **) section_labels));
  json_builder_end_object (builder);
  begin_property (builder, "text", "string");
  json_builder_end_object (builder);
  begin_property (builder, "quote", "string");
  json_builder_end_object (builder);
  json_builder_end_object (builder);
  add_required (builder, item_fields);
  json_builder_end_object (builder);
  json_builder_end_object (builder);

  begin_property (builder, "codes", "array");
  json_builder_set_member_name (builder, "items");
  json_builder_begin_object (builder);
  rel_json_set_string (builder, "type", "object");
  json_builder_set_member_name (builder, "properties");
  json_builder_begin_object (builder);
  begin_property (builder, "code", "string");
  if (candidates->len > 0)
    add_enum (builder, (const char * const *) candidates->pdata, candidates->len);
  json_builder_end_object (builder);
  begin_property (builder, "role", "string");
  add_enum (builder, roles, G_N_ELEMENTS (roles));
  json_builder_end_object (builder);
  begin_property (builder, "quote", "string");
  json_builder_end_object (builder);
  json_builder_end_object (builder);
  add_required (builder, code_fields);
  json_builder_end_object (builder);
  if (candidates->len == 0)
    {
      json_builder_set_member_name (builder, "maxItems");
      json_builder_add_int_value (builder, 0);
    }
  json_builder_end_object (builder);

  json_builder_end_object (builder);
  add_required (builder, top_fields);
  json_builder_end_object (builder);
  return json_builder_get_root (builder);
}

/* The codes offered to the model: the embedded suggestions, then the codes of
 * the affirmed mentions, at most max_candidates. */
static GPtrArray *
candidate_codes (RelHttpEngine *self,
                 RelAnalysis   *base)
{
  GPtrArray *candidates = g_ptr_array_new ();
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  GPtrArray *codes = rel_analysis_get_codes (base);
  GPtrArray *mentions = rel_analysis_get_mentions (base);
  guint max = MAX (self->settings->max_candidates, 1);

  for (guint i = 0; i < codes->len && candidates->len < max; i++)
    {
      const RelCodeSuggestion *code = g_ptr_array_index (codes, i);

      if (g_hash_table_add (seen, code->code))
        g_ptr_array_add (candidates, code->code);
    }
  for (guint i = 0; i < mentions->len && candidates->len < max; i++)
    {
      const RelMention *mention = g_ptr_array_index (mentions, i);

      if (mention->code == NULL || mention->negated || mention->hypothesis || mention->family ||
          !rel_terminology_is_codable (self->terminology, mention->code))
        continue;
      if (g_hash_table_add (seen, mention->code))
        g_ptr_array_add (candidates, mention->code);
    }
  return candidates;
}

static char *
user_message (RelHttpEngine *self,
              RelAnalysis   *base,
              GPtrArray     *candidates,
              JsonNode      *schema_in_text)
{
  GString *message = g_string_new ("Codes candidats :\n");

  for (guint i = 0; i < candidates->len; i++)
    {
      const char *code = g_ptr_array_index (candidates, i);
      const RelConcept *concept = rel_terminology_lookup (self->terminology, code);

      g_string_append_printf (message, "- %s : %s\n", code,
                              concept != NULL ? concept->label : "");
    }
  if (schema_in_text != NULL)
    {
      g_autofree char *schema = json_to_string (schema_in_text, FALSE);

      g_string_append_printf (message, "\nRéponds par un JSON conforme à ce schéma :\n%s\n",
                              schema);
    }
  g_string_append (message, "\nCompte rendu :\n");
  g_string_append (message, rel_analysis_get_pseudonymized_text (base));
  return g_string_free (message, FALSE);
}

typedef enum
{
  FORMAT_SCHEMA,       /* response_format json_schema, nested */
  FORMAT_JSON_OBJECT,  /* json_object, the schema in the instruction */
} Format;

static GBytes *
request_body (RelHttpEngine *self,
              RelAnalysis   *base,
              GPtrArray     *candidates,
              Format         format)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) schema = answer_schema (candidates);
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *user = user_message (self, base, candidates,
                                        format == FORMAT_JSON_OBJECT ? schema : NULL);
  const RelHttpSettings *settings = self->settings;
  char *text;

  json_builder_begin_object (builder);
  if (settings->model != NULL && settings->model[0] != '\0')
    rel_json_set_string (builder, "model", settings->model);
  json_builder_set_member_name (builder, "messages");
  json_builder_begin_array (builder);
  json_builder_begin_object (builder);
  rel_json_set_string (builder, "role", "system");
  rel_json_set_string (builder, "content", self->instruction);
  json_builder_end_object (builder);
  json_builder_begin_object (builder);
  rel_json_set_string (builder, "role", "user");
  rel_json_set_string (builder, "content", user);
  json_builder_end_object (builder);
  json_builder_end_array (builder);
  json_builder_set_member_name (builder, "stream");
  json_builder_add_boolean_value (builder, TRUE);

  if (settings->api == REL_SERVER_API_OLLAMA)
    {
      json_builder_set_member_name (builder, "format");
      json_builder_add_value (builder, json_node_copy (schema));
      json_builder_set_member_name (builder, "options");
      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "temperature");
      json_builder_add_double_value (builder, settings->temperature);
      json_builder_set_member_name (builder, "num_predict");
      json_builder_add_int_value (builder, settings->max_tokens);
      json_builder_end_object (builder);
    }
  else
    {
      json_builder_set_member_name (builder, "temperature");
      json_builder_add_double_value (builder, settings->temperature);
      json_builder_set_member_name (builder, "max_tokens");
      json_builder_add_int_value (builder, settings->max_tokens);
      json_builder_set_member_name (builder, "response_format");
      json_builder_begin_object (builder);
      if (format == FORMAT_SCHEMA)
        {
          /* The nested form: llama-server ignores a flat "schema". */
          rel_json_set_string (builder, "type", "json_schema");
          json_builder_set_member_name (builder, "json_schema");
          json_builder_begin_object (builder);
          rel_json_set_string (builder, "name", "relecture_analysis");
          json_builder_set_member_name (builder, "strict");
          json_builder_add_boolean_value (builder, TRUE);
          json_builder_set_member_name (builder, "schema");
          json_builder_add_value (builder, json_node_copy (schema));
          json_builder_end_object (builder);
        }
      else
        {
          rel_json_set_string (builder, "type", "json_object");
        }
      json_builder_end_object (builder);
    }
  json_builder_end_object (builder);

  root = json_builder_get_root (builder);
  text = json_to_string (root, FALSE);
  return g_bytes_new_take (text, strlen (text));
}

/* The answer */

/* @quote in @text, tolerant to runs of white space; byte offsets. */
static gboolean
find_quote (const char *text,
            const char *quote,
            guint      *start,
            guint      *end)
{
  g_auto(GStrv) words = NULL;
  const char *at;
  guint n;

  if (quote == NULL)
    return FALSE;
  at = strstr (text, quote);
  if (at != NULL && quote[0] != '\0')
    {
      *start = at - text;
      *end = *start + strlen (quote);
      return TRUE;
    }

  words = g_strsplit_set (quote, " \t\n\r", -1);
  n = 0;
  for (guint i = 0; words[i] != NULL; i++)
    if (words[i][0] != '\0')
      words[n++] = words[i];
    else
      g_free (words[i]);
  words[n] = NULL;
  if (n == 0)
    return FALSE;

  for (at = strstr (text, words[0]); at != NULL; at = strstr (at + 1, words[0]))
    {
      const char *p = at + strlen (words[0]);
      guint i;

      for (i = 1; i < n; i++)
        {
          const char *q = p;

          while (*q == ' ' || *q == '\t' || *q == '\n' || *q == '\r')
            q++;
          if (q == p || strncmp (q, words[i], strlen (words[i])) != 0)
            break;
          p = q + strlen (words[i]);
        }
      if (i == n)
        {
          *start = at - text;
          *end = p - text;
          return TRUE;
        }
    }
  return FALSE;
}

static GPtrArray *
copy_phi (GPtrArray *phi)
{
  GPtrArray *copy = g_ptr_array_new_with_free_func ((GDestroyNotify) rel_phi_free);

  for (guint i = 0; i < phi->len; i++)
    {
      const RelPhi *span = g_ptr_array_index (phi, i);
      RelPhi *twin = rel_phi_new (span->start, span->end, span->label);

      twin->replacement = g_strdup (span->replacement);
      g_ptr_array_add (copy, twin);
    }
  return copy;
}

static GPtrArray *
copy_mentions (GPtrArray *mentions)
{
  GPtrArray *copy = g_ptr_array_new_with_free_func ((GDestroyNotify) rel_mention_free);

  for (guint i = 0; i < mentions->len; i++)
    {
      RelMention *twin = rel_mention_new ();

      *twin = *(RelMention *) g_ptr_array_index (mentions, i);
      twin->code = g_strdup (twin->code);
      g_ptr_array_add (copy, twin);
    }
  return copy;
}

static int
compare_spans (gconstpointer a,
               gconstpointer b)
{
  const RelSpan *sa = a, *sb = b;

  return sa->start != sb->start ? (sa->start < sb->start ? -1 : 1)
                                : (sa->end < sb->end ? -1 : sa->end > sb->end);
}

static void
add_span (GArray *evidence,
          guint   start,
          guint   end)
{
  RelSpan span = { start, end };

  for (guint i = 0; i < evidence->len; i++)
    {
      const RelSpan *other = &g_array_index (evidence, RelSpan, i);

      if (other->start == start && other->end == end)
        return;
    }
  g_array_append_val (evidence, span);
  g_array_sort (evidence, compare_spans);
}

/* A quote of the pseudonymized text as a span of the original one. */
static gboolean
ground (RelAnalysis *base,
        const char  *quote,
        RelSpan     *span)
{
  guint start, end;

  if (!find_quote (rel_analysis_get_pseudonymized_text (base), quote, &start, &end))
    return FALSE;
  span->start = rel_analysis_from_pseudonymized_offset (base, start, FALSE);
  span->end = rel_analysis_from_pseudonymized_offset (base, end, TRUE);
  return span->end > span->start;
}

static RelAnalysis *
build_analysis (RelHttpEngine  *self,
                RelAnalysis    *base,
                GPtrArray      *candidates,
                const char     *content,
                double          server_ms,
                GError        **error)
{
  g_autoptr(JsonNode) root = rel_json_from_string (content, NULL);
  g_autoptr(GHashTable) offered = g_hash_table_new (g_str_hash, g_str_equal);
  JsonObject *object;
  JsonArray *items, *chosen;
  GPtrArray *codes, *summary;
  GArray *timings;
  guint n_unsourced = 0;
  guint n_dropped = 0;
  gboolean have_dp = FALSE;
  RelAnalysis *analysis;

  object = root != NULL && JSON_NODE_HOLDS_OBJECT (root) ? json_node_get_object (root) : NULL;
  items = rel_json_get_array (object, "summary");
  chosen = rel_json_get_array (object, "codes");
  if (items == NULL || chosen == NULL)
    {
      g_set_error_literal (error, REL_HTTP_ENGINE_ERROR, REL_HTTP_ENGINE_ERROR_INVALID,
                           root == NULL
                           ? _("The server's answer is not JSON.")
                           : _("The server's answer does not follow the requested schema."));
      return NULL;
    }

  for (guint i = 0; i < candidates->len; i++)
    g_hash_table_add (offered, g_ptr_array_index (candidates, i));

  /* Codes: offered, codable, one DP; evidence of the quote and the embedded. */
  codes = g_ptr_array_new_with_free_func ((GDestroyNotify) rel_code_suggestion_free);
  for (guint i = 0; i < json_array_get_length (chosen); i++)
    {
      JsonObject *entry = rel_json_get_element (chosen, i);
      g_autofree char *code = rel_json_get_string (entry, "code") != NULL
                              ? rel_code_normalize (rel_json_get_string (entry, "code")) : NULL;
      const RelConcept *concept = code != NULL ? rel_terminology_lookup (self->terminology, code)
                                               : NULL;
      const char *role = rel_json_get_string (entry, "role");
      RelCodeSuggestion *suggestion = NULL;
      GPtrArray *known = rel_analysis_get_codes (base);
      RelSpan span;

      if (code == NULL || concept == NULL || !g_hash_table_contains (offered, code) ||
          !rel_terminology_is_codable (self->terminology, code))
        {
          n_dropped++;
          continue;
        }
      for (guint j = 0; j < codes->len; j++)
        if (g_str_equal (((RelCodeSuggestion *) g_ptr_array_index (codes, j))->code, code))
          suggestion = g_ptr_array_index (codes, j);
      if (suggestion == NULL)
        {
          suggestion = rel_code_suggestion_new (code, concept->label);
          suggestion->score = 0.5;
          for (guint j = 0; j < known->len; j++)
            {
              const RelCodeSuggestion *embedded = g_ptr_array_index (known, j);

              if (g_str_equal (embedded->code, code))
                {
                  suggestion->score = embedded->score;
                  suggestion->ambiguous = embedded->ambiguous;
                  for (guint k = 0; k < embedded->evidence->len; k++)
                    {
                      const RelSpan *e = &g_array_index (embedded->evidence, RelSpan, k);

                      add_span (suggestion->evidence, e->start, e->end);
                    }
                }
            }
          if (g_strcmp0 (role, "DP") == 0 && !have_dp &&
              concept->type != REL_CODE_TYPE_NOT_DP_DR && concept->type != REL_CODE_TYPE_EXTERNAL &&
              concept->type != REL_CODE_TYPE_NOT_DP)
            {
              suggestion->role = "DP";
              have_dp = TRUE;
              g_ptr_array_insert (codes, 0, suggestion);
            }
          else
            {
              suggestion->role = "DAS";
              g_ptr_array_add (codes, suggestion);
            }
        }
      if (rel_json_get_string (entry, "quote") != NULL &&
          ground (base, rel_json_get_string (entry, "quote"), &span))
        add_span (suggestion->evidence, span.start, span.end);
    }

  /* The summary: every item quotes the report, or goes. */
  summary = g_ptr_array_new_with_free_func ((GDestroyNotify) rel_summary_section_free);
  for (guint i = 0; i < json_array_get_length (items); i++)
    {
      JsonObject *entry = rel_json_get_element (items, i);
      const char *section = rel_json_get_string (entry, "section");
      const char *text = rel_json_get_string (entry, "text");
      RelSummarySection *group = NULL;
      RelSummaryItem *item;
      RelSpan span;

      if (text == NULL || text[0] == '\0' || rel_json_get_string (entry, "quote") == NULL ||
          !ground (base, rel_json_get_string (entry, "quote"), &span))
        {
          n_unsourced++;
          continue;
        }
      if (section == NULL || !g_strv_contains (section_labels, section))
        section = "autre";
      for (guint j = 0; j < summary->len; j++)
        if (g_str_equal (((RelSummarySection *) g_ptr_array_index (summary, j))->section, section))
          group = g_ptr_array_index (summary, j);
      if (group == NULL)
        {
          group = rel_summary_section_new (section);
          g_ptr_array_add (summary, group);
        }
      item = rel_summary_item_new (text, -1);
      g_array_append_val (item->evidence, span);
      g_ptr_array_add (group->items, item);
    }

  timings = g_array_new (FALSE, TRUE, sizeof (RelTiming));
  {
    RelTiming server = { g_intern_static_string ("server"), server_ms };
    RelTiming embedded = { g_intern_static_string ("embedded"),
                           rel_analysis_get_total_ms (base) };

    g_array_append_val (timings, embedded);
    g_array_append_val (timings, server);
  }

  analysis = rel_analysis_new (rel_analysis_get_document (base), "http", self->settings->model,
                               rel_analysis_get_pseudonymized_text (base),
                               copy_phi (rel_analysis_get_phi (base)),
                               g_array_copy (rel_analysis_get_sections (base)),
                               copy_mentions (rel_analysis_get_mentions (base)),
                               codes, summary, timings);
  rel_analysis_set_dropped (analysis, n_unsourced, n_dropped);
  return analysis;
}

/* A stream read to its end without error: the answer it carried. */
static RelAnalysis *
read_answer (RelHttpEngine  *self,
             RelAnalysis    *base,
             GPtrArray      *candidates,
             Exchange       *exchange,
             double          server_ms,
             GError        **error)
{
  if (!exchange->finished)
    {
      g_set_error_literal (error, REL_HTTP_ENGINE_ERROR, REL_HTTP_ENGINE_ERROR_TRUNCATED,
                           _("The server's answer stopped before its end."));
      return NULL;
    }
  return build_analysis (self, base, candidates, exchange->content->str, server_ms, error);
}

/* Waits @ms unless cancelled. */
static gboolean
back_off (guint          ms,
          GCancellable  *cancellable,
          GError       **error)
{
  gint64 until = g_get_monotonic_time () + (gint64) ms * 1000;

  while (g_get_monotonic_time () < until)
    {
      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return FALSE;
      g_usleep (10 * 1000);
    }
  return TRUE;
}

static RelAnalysis *
rel_http_engine_analyze (RelEngine     *engine,
                         RelDocument   *document,
                         GCancellable  *cancellable,
                         GError       **error)
{
  RelHttpEngine *self = REL_HTTP_ENGINE (engine);
  g_autoptr(RelAnalysis) base = NULL;
  g_autoptr(GPtrArray) candidates = NULL;
  Format format = FORMAT_SCHEMA;
  gint64 start;
  gint64 deadline;
  guint loading = 0;

  base = rel_engine_analyze (self->embedded, document, cancellable, error);
  if (base == NULL)
    return NULL;
  candidates = candidate_codes (self, base);
  start = g_get_monotonic_time ();
  deadline = start + (gint64) self->settings->total_timeout_ms * 1000;

  while (TRUE)
    {
      g_autoptr(GBytes) body = request_body (self, base, candidates, format);
      g_autoptr(GError) local_error = NULL;
      Exchange exchange = { 0 };
      guint status;
      gboolean ok;

      exchange.settings = self->settings;
      exchange.deadline_us = deadline;
      exchange.engine = self;
      exchange.stream = TRUE;
      exchange.api = self->settings->api;
      ok = exchange_run (&exchange, "POST",
                         self->settings->api == REL_SERVER_API_OLLAMA ? "/api/chat"
                                                                      : "/v1/chat/completions",
                         body, cancellable, &local_error);
      status = exchange.status;

      if (!ok)
        {
          exchange_clear (&exchange);
          /* The caller's cancel is a cancel, whatever else was under way. */
          if (g_cancellable_is_cancelled (cancellable))
            {
              g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_CANCELLED,
                                   _("The analysis was cancelled."));
              return NULL;
            }
          g_propagate_error (error, g_steal_pointer (&local_error));
          return NULL;
        }

      if (status == SOUP_STATUS_OK)
        {
          RelAnalysis *analysis = read_answer (self, base, candidates, &exchange,
                                               (g_get_monotonic_time () - start) / 1000.0,
                                               error);

          exchange_clear (&exchange);
          return analysis;
        }

      {
        g_autofree char *message = server_message (exchange.raw->str, exchange.raw->len);

        exchange_clear (&exchange);
        /* Loading its model: try again a little later. */
        if (status == SOUP_STATUS_SERVICE_UNAVAILABLE && loading < MAX_LOADING_RETRIES &&
            g_get_monotonic_time () + (gint64) (100u << loading) * 1000 < deadline)
          {
            if (!back_off (100u << loading, cancellable, error))
              return NULL;
            loading++;
            continue;
          }
        /* Structured output refused: the schema goes into the instruction. */
        if (status == SOUP_STATUS_BAD_REQUEST && format == FORMAT_SCHEMA &&
            self->settings->api == REL_SERVER_API_OPENAI)
          {
            format = FORMAT_JSON_OBJECT;
            continue;
          }
        g_set_error (error, REL_HTTP_ENGINE_ERROR,
                     status == SOUP_STATUS_SERVICE_UNAVAILABLE ? REL_HTTP_ENGINE_ERROR_LOADING
                                                               : REL_HTTP_ENGINE_ERROR_SERVER,
                     _("The server answered %u: %s"), status,
                     message != NULL ? message : soup_status_get_phrase (status));
        return NULL;
      }
    }
}

RelAnalysis *
rel_http_engine_parse_reply_for_tests (RelHttpEngine  *self,
                                       RelAnalysis    *base,
                                       RelServerApi    api,
                                       const char     *bytes,
                                       gsize           length,
                                       GError        **error)
{
  g_autoptr(GPtrArray) candidates = NULL;
  Exchange exchange = { 0 };
  RelAnalysis *analysis = NULL;

  g_return_val_if_fail (REL_IS_HTTP_ENGINE (self), NULL);
  g_return_val_if_fail (REL_IS_ANALYSIS (base), NULL);

  /* An exchange as on_sent() leaves it for a 200 stream, fed as on_read() does. */
  exchange.settings = self->settings;
  exchange.engine = self;
  exchange.stream = TRUE;
  exchange.api = api;
  exchange.status = SOUP_STATUS_OK;
  exchange.cancellable = g_cancellable_new ();
  exchange.line = g_string_new (NULL);
  exchange.raw = g_string_new (NULL);
  exchange.content = g_string_new (NULL);

  handle_bytes (&exchange, bytes, length);
  handle_end (&exchange);
  if (exchange.error != NULL)
    g_propagate_error (error, g_steal_pointer (&exchange.error));
  else
    {
      candidates = candidate_codes (self, base);
      analysis = read_answer (self, base, candidates, &exchange, 0.0, error);
    }
  exchange_clear (&exchange);
  return analysis;
}

static void
rel_http_engine_iface_init (RelEngineInterface *iface)
{
  iface->analyze = rel_http_engine_analyze;
}

static void
rel_http_engine_finalize (GObject *object)
{
  RelHttpEngine *self = REL_HTTP_ENGINE (object);

  g_clear_object (&self->embedded);
  g_clear_object (&self->terminology);
  g_clear_pointer (&self->settings, rel_http_settings_free);
  g_free (self->instruction);
  if (self->progress_destroy != NULL)
    self->progress_destroy (self->progress_data);
  g_mutex_clear (&self->progress_lock);

  G_OBJECT_CLASS (rel_http_engine_parent_class)->finalize (object);
}

static void
rel_http_engine_class_init (RelHttpEngineClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = rel_http_engine_finalize;
}

static void
rel_http_engine_init (RelHttpEngine *self)
{
  g_mutex_init (&self->progress_lock);
}

/* The instruction, without its header of comments. */
static char *
load_instruction (GError **error)
{
  g_autoptr(GBytes) bytes = g_resource_lookup_data (rel_data_get_resource (), INSTRUCTION_PATH,
                                                    G_RESOURCE_LOOKUP_FLAGS_NONE, error);
  g_auto(GStrv) lines = NULL;
  GString *text;

  if (bytes == NULL)
    return NULL;
  {
    g_autofree char *data = g_strndup (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));

    lines = g_strsplit (data, "\n", -1);
  }
  text = g_string_new (NULL);
  for (guint i = 0; lines[i] != NULL; i++)
    if (lines[i][0] != '#')
      g_string_append_printf (text, "%s\n", lines[i]);
  return g_strstrip (g_string_free (text, FALSE));
}

RelEngine *
rel_http_engine_new (RelEngine              *embedded,
                     const RelHttpSettings  *settings,
                     GError                **error)
{
  g_autoptr(RelHttpEngine) self = NULL;

  g_return_val_if_fail (REL_IS_EMBEDDED_ENGINE (embedded), NULL);
  g_return_val_if_fail (settings != NULL, NULL);

  if (!check_url (settings, error))
    return NULL;

  self = g_object_new (REL_TYPE_HTTP_ENGINE, NULL);
  self->embedded = g_object_ref (embedded);
  self->terminology = g_object_ref (rel_embedded_engine_get_terminology (
                                      REL_EMBEDDED_ENGINE (embedded)));
  self->settings = rel_http_settings_copy (settings);
  self->instruction = load_instruction (error);
  if (self->instruction == NULL)
    return NULL;
  return REL_ENGINE (g_steal_pointer (&self));
}

void
rel_http_engine_set_progress (RelHttpEngine       *self,
                              RelHttpProgressFunc  func,
                              gpointer             user_data,
                              GDestroyNotify       destroy)
{
  g_return_if_fail (REL_IS_HTTP_ENGINE (self));

  g_mutex_lock (&self->progress_lock);
  if (self->progress_destroy != NULL)
    self->progress_destroy (self->progress_data);
  self->progress = func;
  self->progress_data = user_data;
  self->progress_destroy = destroy;
  g_mutex_unlock (&self->progress_lock);
}

/* The summary, as it is written */

static void
add_partial_item (GPtrArray  *summary,
                  const char *json,
                  gsize       length)
{
  g_autofree char *text = g_strndup (json, length);
  g_autoptr(JsonNode) root = json_from_string (text, NULL);
  JsonObject *object = root != NULL && JSON_NODE_HOLDS_OBJECT (root)
                       ? json_node_get_object (root) : NULL;
  const char *section = rel_json_get_string (object, "section");
  const char *words = rel_json_get_string (object, "text");
  RelSummarySection *group = NULL;

  if (words == NULL || words[0] == '\0')
    return;
  if (section == NULL || !g_strv_contains (section_labels, section))
    section = "autre";
  for (guint i = 0; i < summary->len; i++)
    if (g_str_equal (((RelSummarySection *) g_ptr_array_index (summary, i))->section, section))
      group = g_ptr_array_index (summary, i);
  if (group == NULL)
    {
      group = rel_summary_section_new (section);
      g_ptr_array_add (summary, group);
    }
  g_ptr_array_add (group->items, rel_summary_item_new (words, -1));
}

GPtrArray *
rel_http_partial_summary (const char *partial)
{
  GPtrArray *summary = g_ptr_array_new_with_free_func ((GDestroyNotify) rel_summary_section_free);
  const char *at = partial != NULL ? strstr (partial, "\"summary\"") : NULL;
  const char *object = NULL;
  gboolean in_string = FALSE;
  gboolean escaped = FALSE;
  int depth = 0;

  if (at == NULL)
    return summary;
  at += strlen ("\"summary\"");
  while (*at == ' ' || *at == '\n' || *at == '\t' || *at == '\r' || *at == ':')
    at++;
  if (*at != '[')
    return summary;

  /* The array's objects that are closed, read one by one. */
  for (at++; *at != '\0'; at++)
    {
      if (in_string)
        {
          if (escaped)
            escaped = FALSE;
          else if (*at == '\\')
            escaped = TRUE;
          else if (*at == '"')
            in_string = FALSE;
          continue;
        }
      if (*at == '"')
        in_string = TRUE;
      else if (*at == '{')
        {
          if (depth++ == 0)
            object = at;
        }
      else if (*at == '}' && depth > 0)
        {
          if (--depth == 0 && object != NULL)
            add_partial_item (summary, object, at - object + 1);
        }
      else if (*at == ']' && depth == 0)
        break;
    }
  return summary;
}

/* Server check */

RelServerInfo *
rel_http_check_server (const RelHttpSettings  *settings,
                       GCancellable           *cancellable,
                       GError                **error)
{
  g_autoptr(RelServerInfo) info = g_new0 (RelServerInfo, 1);
  g_autoptr(GPtrArray) models = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(JsonNode) root = NULL;
  Exchange exchange = { 0 };
  gint64 start = g_get_monotonic_time ();
  gboolean ollama = settings->api == REL_SERVER_API_OLLAMA;
  JsonObject *object;

  if (!check_url (settings, error))
    return NULL;

  exchange.settings = settings;
  exchange.deadline_us = start + (gint64) settings->total_timeout_ms * 1000;
  exchange.stream = FALSE;
  exchange.api = settings->api;
  if (!exchange_run (&exchange, "GET", ollama ? "/api/tags" : "/v1/models", NULL, cancellable,
                     error))
    {
      exchange_clear (&exchange);
      return NULL;
    }
  info->round_trip_ms = (g_get_monotonic_time () - start) / 1000.0;

  if (exchange.status != SOUP_STATUS_OK)
    {
      g_autofree char *message = server_message (exchange.raw->str, exchange.raw->len);

      g_set_error (error, REL_HTTP_ENGINE_ERROR,
                   exchange.status == SOUP_STATUS_SERVICE_UNAVAILABLE
                   ? REL_HTTP_ENGINE_ERROR_LOADING : REL_HTTP_ENGINE_ERROR_SERVER,
                   _("The server answered %u: %s"), exchange.status,
                   message != NULL ? message : soup_status_get_phrase (exchange.status));
      exchange_clear (&exchange);
      return NULL;
    }

  root = rel_json_from_string (exchange.raw->str, NULL);
  exchange_clear (&exchange);
  object = root != NULL && JSON_NODE_HOLDS_OBJECT (root) ? json_node_get_object (root) : NULL;
  if (object == NULL)
    {
      g_set_error_literal (error, REL_HTTP_ENGINE_ERROR, REL_HTTP_ENGINE_ERROR_INVALID,
                           _("The server's list of models is not JSON."));
      return NULL;
    }

  {
    JsonArray *list = rel_json_get_array (object, ollama ? "models" : "data");

    for (guint i = 0; list != NULL && i < json_array_get_length (list); i++)
      {
        JsonObject *model = rel_json_get_element (list, i);
        const char *name = rel_json_get_string (model, ollama ? "name" : "id");
        const char *owner = rel_json_get_string (model, "owned_by");

        if (name != NULL)
          g_ptr_array_add (models, g_strdup (name));
        if (info->kind == NULL && owner != NULL)
          info->kind = g_strdup (g_str_equal (owner, "llamacpp") ? "llama.cpp"
                                 : g_str_equal (owner, "vllm") ? "vLLM"
                                 : g_str_equal (owner, "library") ? "Ollama"
                                 : "OpenAI-compatible");
      }
  }
  if (info->kind == NULL)
    info->kind = g_strdup (ollama ? "Ollama" : "OpenAI-compatible");
  g_ptr_array_add (models, NULL);
  info->models = (GStrv) g_ptr_array_free (g_steal_pointer (&models), FALSE);
  return g_steal_pointer (&info);
}
