/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-http.c: the HTTP engine against an in-process server that speaks the
 * wire formats of llama-server, vLLM and Ollama, with their failures. */
#define G_LOG_DOMAIN "test-http"

#include "config.h"

#include <libsoup/soup.h>
#include <string.h>

#include "rel-embedded-engine.h"
#include "rel-http-engine.h"

/* Short deadlines, so that the whole test runs in seconds. */
#define CONNECT_MS    1000
#define FIRST_BYTE_MS 300
#define GAP_MS        300
#define TOTAL_MS      5000

#define LLAMA_MODEL  "qwen2.5-7b-instruct"
#define OLLAMA_MODEL "llama3.1:8b"
#define VLLM_MODEL   "Qwen/Qwen2.5-7B-Instruct"

static RelTerminology *terminology;
static RelEngine *embedded;

/* ------------------------------------------------------------------------ */
/* The fake inference server. It runs in its own thread, with its own main  */
/* context, while the engine blocks in the test's thread.                   */

typedef enum
{
  KIND_LLAMA,
  KIND_VLLM,
  KIND_OLLAMA,
} Kind;

typedef enum
{
  REPLY_GOOD,            /* the frames of the brief: content, "stop" on the last one */
  REPLY_GOOD_VERBOSE,    /* llama-server's real frames: role first, pings, empty last delta */
  REPLY_HTTP_ERROR,      /* error_status with error_body */
  REPLY_LOADING,         /* 503 "Loading model" n_loading times, then REPLY_GOOD */
  REPLY_NEVER,           /* the request is read, never answered */
  REPLY_STALL,           /* two frames, then silence */
  REPLY_CLOSE_EARLY,     /* the whole content, then the connection closes: no [DONE] */
  REPLY_DROP,            /* a few frames, then the connection is dropped mid-body */
  REPLY_LENGTH,          /* finish_reason / done_reason "length" */
  REPLY_NOT_JSON,
  REPLY_BAD_SCHEMA,      /* "codes" is a string */
  REPLY_CUT_JSON,        /* half a JSON object, then a normal end */
  REPLY_INVENTED,        /* codes not offered or not codable, a quote not in the text */
  REPLY_HUGE,            /* 10 MB, pausing 2 s halfway */
  REPLY_ENDLESS,         /* frames every 50 ms until the client goes */
  REPLY_ERROR_IN_STREAM, /* two frames, then an error object */
  REPLY_REJECT_SCHEMA,   /* 400 to "json_schema", a good stream to "json_object" */
  REPLY_ALWAYS_400,
  REPLY_REDIRECT,        /* 307 to a remote host */
  REPLY_DUPLICATES,      /* a code twice, and a second DP */
} Reply;

/* How SSE frames are written: servers differ within what the format allows. */
typedef enum
{
  FRAMING_LF,            /* "data: {…}\n\n", llama-server and vLLM */
  FRAMING_CRLF,          /* "\r\n" line ends, sse-starlette (llama-cpp-python) */
  FRAMING_NO_SPACE,      /* "data:{…}" */
  FRAMING_FIELDS,        /* "id:" and "event:" lines before "data:" */
  FRAMING_ASCII,         /* every non-ASCII character as \uXXXX, Python's json.dumps */
} Framing;

typedef enum
{
  END_COMPLETE,
  END_STALL,
  END_DROP,
  END_ENDLESS,
} StreamEnd;

typedef struct
{
  char  *method;
  char  *path;
  char  *body;
  char  *authorization;
  char  *content_type;
  char  *user;           /* content of the last user message */
  GStrv  offered;        /* the enum of codes found in the request */
  guint  status;         /* what was answered */
} Request;

typedef struct
{
  char *code;
  char *role;
  char *quote;
} SentCode;

typedef struct
{
  char *section;
  char *text;
  char *quote;
} SentItem;

typedef struct
{
  char *section;
  char *quote;
} SummaryHint;

typedef struct
{
  GMutex        lock;
  GCond         cond;
  gboolean      ready;
  GThread      *thread;
  GMainContext *context;
  GMainLoop    *loop;
  SoupServer   *server;
  char         *url;
  guint         port;
  GList        *streams;       /* server thread only */

  /* The scenario, set by the test thread. */
  Kind          kind;
  Reply         reply;
  guint         error_status;
  char         *error_body;
  const char   *error_type;
  guint         n_loading;
  guint         delay_ms;      /* between two pieces of a stream */
  guint         first_delay_ms; /* before the first piece; the headers go at once */
  Framing       framing;
  GHashTable   *code_hints;    /* code → GPtrArray of words of the report */
  GPtrArray    *summary_hints; /* SummaryHint* */
  GCancellable *cancel;        /* cancelled after cancel_after pieces */
  guint         cancel_after;

  /* What happened. */
  GPtrArray    *requests;      /* Request* */
  GPtrArray    *sent_codes;    /* SentCode* of the last reply */
  GPtrArray    *sent_items;    /* SentItem* of the last reply */
  GPtrArray    *sent_quotes;   /* every quote of every reply */
  char         *sent_content;  /* the model's content in the last reply */
  GStrv         last_offered;
  guint         n_loading_sent;
  guint         n_aborted;     /* streams of this case the client closed before their end */
  guint         generation;    /* one per case */
  gsize         bytes_queued;
  gint64        cancelled_at;
} Fake;

static Fake fake;

static void
request_free (Request *request)
{
  g_free (request->method);
  g_free (request->path);
  g_free (request->body);
  g_free (request->authorization);
  g_free (request->content_type);
  g_free (request->user);
  g_strfreev (request->offered);
  g_free (request);
}

static void
sent_code_free (SentCode *sent)
{
  g_free (sent->code);
  g_free (sent->role);
  g_free (sent->quote);
  g_free (sent);
}

static void
sent_item_free (SentItem *sent)
{
  g_free (sent->section);
  g_free (sent->text);
  g_free (sent->quote);
  g_free (sent);
}

static void
summary_hint_free (SummaryHint *hint)
{
  g_free (hint->section);
  g_free (hint->quote);
  g_free (hint);
}

/* JSON access that answers %NULL for a member of the wrong type. */
static JsonNode *
member (JsonObject *object,
        const char *name)
{
  return object != NULL ? json_object_get_member (object, name) : NULL;
}

static JsonObject *
member_object (JsonObject *object,
               const char *name)
{
  JsonNode *node = member (object, name);

  return node != NULL && JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
}

static JsonArray *
member_array (JsonObject *object,
              const char *name)
{
  JsonNode *node = member (object, name);

  return node != NULL && JSON_NODE_HOLDS_ARRAY (node) ? json_node_get_array (node) : NULL;
}

static const char *
member_string (JsonObject *object,
               const char *name)
{
  JsonNode *node = member (object, name);

  return node != NULL && JSON_NODE_HOLDS_VALUE (node) &&
         json_node_get_value_type (node) == G_TYPE_STRING ? json_node_get_string (node) : NULL;
}

static gboolean
looks_like_code (const char *text)
{
  return text != NULL && g_ascii_isupper (text[0]) && g_ascii_isdigit (text[1]) &&
         g_ascii_isdigit (text[2]);
}

/* The codes offered to the model: wherever the schema puts them (under
 * response_format.json_schema.schema, or Ollama's "format"), an enum of
 * CIM-10 codes. */
static GStrv
find_offered (JsonNode *node)
{
  if (node == NULL)
    return NULL;
  if (JSON_NODE_HOLDS_OBJECT (node))
    {
      JsonObject *object = json_node_get_object (node);
      JsonArray *values = member_array (object, "enum");
      g_autoptr(GList) members = NULL;

      if (values != NULL && json_array_get_length (values) > 0 &&
          JSON_NODE_HOLDS_VALUE (json_array_get_element (values, 0)) &&
          looks_like_code (json_array_get_string_element (values, 0)))
        {
          g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

          for (guint i = 0; i < json_array_get_length (values); i++)
            {
              JsonNode *element = json_array_get_element (values, i);

              if (JSON_NODE_HOLDS_VALUE (element) &&
                  json_node_get_value_type (element) == G_TYPE_STRING)
                g_strv_builder_add (builder, json_node_get_string (element));
            }
          return g_strv_builder_end (builder);
        }
      members = json_object_get_members (object);
      for (GList *l = members; l != NULL; l = l->next)
        {
          GStrv found = find_offered (json_object_get_member (object, l->data));

          if (found != NULL)
            return found;
        }
    }
  else if (JSON_NODE_HOLDS_ARRAY (node))
    {
      JsonArray *array = json_node_get_array (node);

      for (guint i = 0; i < json_array_get_length (array); i++)
        {
          GStrv found = find_offered (json_array_get_element (array, i));

          if (found != NULL)
            return found;
        }
    }
  return NULL;
}

/* The content of the last user message: where the report is. */
static char *
last_user_content (JsonObject *request)
{
  JsonArray *messages = member_array (request, "messages");
  char *found = NULL;

  for (guint i = 0; messages != NULL && i < json_array_get_length (messages); i++)
    {
      JsonNode *node = json_array_get_element (messages, i);
      JsonObject *message = JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
      JsonArray *parts = member_array (message, "content");

      if (g_strcmp0 (member_string (message, "role"), "user") != 0)
        continue;
      g_clear_pointer (&found, g_free);
      if (member_string (message, "content") != NULL)
        {
          found = g_strdup (member_string (message, "content"));
        }
      else if (parts != NULL)
        {
          GString *text = g_string_new (NULL);

          for (guint j = 0; j < json_array_get_length (parts); j++)
            {
              JsonNode *part = json_array_get_element (parts, j);

              if (JSON_NODE_HOLDS_OBJECT (part) &&
                  member_string (json_node_get_object (part), "text") != NULL)
                g_string_append (text, member_string (json_node_get_object (part), "text"));
            }
          found = g_string_free (text, FALSE);
        }
    }
  return found;
}

static char *
node_to_string (JsonNode *node)
{
  g_autoptr(JsonGenerator) generator = json_generator_new ();

  json_generator_set_root (generator, node);
  return json_generator_to_data (generator, NULL);
}

static char *
builder_to_string (JsonBuilder *builder)
{
  g_autoptr(JsonNode) root = json_builder_get_root (builder);

  return node_to_string (root);
}

/* The longest words of the report standing for @code that the request
 * carries, with no placeholder in them. */
static const char *
pick_quote (const char *code,
            const char *user)
{
  GPtrArray *hints = fake.code_hints != NULL ? g_hash_table_lookup (fake.code_hints, code) : NULL;
  const char *best = NULL;

  for (guint i = 0; hints != NULL && i < hints->len; i++)
    {
      const char *hint = hints->pdata[i];

      if (strlen (hint) >= 3 && strchr (hint, '[') == NULL && strstr (user, hint) != NULL &&
          (best == NULL || strlen (hint) > strlen (best)))
        best = hint;
    }
  return best;
}

static void
add_code (JsonBuilder *builder,
          const char  *code,
          const char  *role,
          const char  *quote,
          gboolean     record)
{
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "code");
  json_builder_add_string_value (builder, code);
  json_builder_set_member_name (builder, "role");
  json_builder_add_string_value (builder, role);
  json_builder_set_member_name (builder, "quote");
  json_builder_add_string_value (builder, quote);
  json_builder_end_object (builder);
  if (record)
    {
      SentCode *sent = g_new0 (SentCode, 1);

      sent->code = g_strdup (code);
      sent->role = g_strdup (role);
      sent->quote = g_strdup (quote);
      g_ptr_array_add (fake.sent_codes, sent);
    }
  g_ptr_array_add (fake.sent_quotes, g_strdup (quote));
}

static void
add_item (JsonBuilder *builder,
          const char  *section,
          const char  *text,
          const char  *quote,
          gboolean     record)
{
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "section");
  json_builder_add_string_value (builder, section);
  json_builder_set_member_name (builder, "text");
  json_builder_add_string_value (builder, text);
  json_builder_set_member_name (builder, "quote");
  json_builder_add_string_value (builder, quote);
  json_builder_end_object (builder);
  if (record)
    {
      SentItem *sent = g_new0 (SentItem, 1);

      sent->section = g_strdup (section);
      sent->text = g_strdup (text);
      sent->quote = g_strdup (quote);
      g_ptr_array_add (fake.sent_items, sent);
    }
  g_ptr_array_add (fake.sent_quotes, g_strdup (quote));
}

#define INVENTED_QUOTE "Greffe cardiaque en 1999 sans complication."
#define INVENTED_TEXT  "Greffe cardiaque ancienne"

/* What the model answers: quotes taken from the text it received, codes
 * from the enum it was offered. Called with the lock held. */
static char *
build_content (Reply        reply,
               const char  *user,
               const GStrv  offered)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  guint n_items = 0, n_codes = 0;
  const char *first_quote = NULL;

  g_ptr_array_set_size (fake.sent_codes, 0);
  g_ptr_array_set_size (fake.sent_items, 0);
  if (user == NULL)
    user = "";

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "summary");
  json_builder_begin_array (builder);
  for (guint i = 0; fake.summary_hints != NULL && i < fake.summary_hints->len && n_items < 4; i++)
    {
      const SummaryHint *hint = fake.summary_hints->pdata[i];
      g_autofree char *text = NULL;

      if (strchr (hint->quote, '[') != NULL || strstr (user, hint->quote) == NULL)
        continue;
      text = g_strdup_printf ("Point %u du résumé", ++n_items);
      add_item (builder, hint->section, text, hint->quote, TRUE);
    }
  if (reply == REPLY_INVENTED)
    add_item (builder, "conclusion", INVENTED_TEXT, INVENTED_QUOTE, FALSE);
  json_builder_end_array (builder);

  json_builder_set_member_name (builder, "codes");
  if (reply == REPLY_BAD_SCHEMA)
    {
      json_builder_add_string_value (builder, "I5002");
    }
  else
    {
      json_builder_begin_array (builder);
      for (guint i = 0; offered != NULL && offered[i] != NULL && n_codes < 6; i++)
        {
          const char *quote = pick_quote (offered[i], user);

          if (quote == NULL)
            continue;
          add_code (builder, offered[i], n_codes == 0 ? "DP" : "DAS", quote, TRUE);
          if (n_codes++ == 0)
            {
              first_quote = quote;
              if (reply == REPLY_INVENTED)
                {
                  /* Not in the nomenclature; a category that is not codable;
                   * a real code that was not offered. */
                  add_code (builder, "Z9999", "DAS", quote, FALSE);
                  add_code (builder, "I50", "DAS", quote, FALSE);
                  add_code (builder, "J189", "DAS", quote, FALSE);
                }
            }
        }
      if (reply == REPLY_DUPLICATES && fake.sent_codes->len >= 2)
        {
          const SentCode *dp = fake.sent_codes->pdata[0];
          const SentCode *das = fake.sent_codes->pdata[1];
          g_autofree char *dp_code = g_strdup (dp->code), *dp_quote = g_strdup (dp->quote);
          g_autofree char *das_code = g_strdup (das->code), *das_quote = g_strdup (das->quote);

          add_code (builder, dp_code, "DAS", dp_quote, FALSE);
          add_code (builder, das_code, "DP", das_quote, FALSE);
        }
      json_builder_end_array (builder);
    }
  json_builder_end_object (builder);

  if (reply == REPLY_NOT_JSON)
    {
      /* What a model says when it forgets the format; it quotes the report,
       * which must not end up in an error message. */
      return g_strdup_printf ("Voici le résumé demandé. %s Bonne journée.",
                              first_quote != NULL ? first_quote : "");
    }
  if (reply == REPLY_CUT_JSON)
    {
      g_autofree char *whole = builder_to_string (builder);

      return g_strndup (whole, strlen (whole) / 2);
    }
  return builder_to_string (builder);
}

/* The content in deltas of a few characters, as a model streams tokens. */
static GPtrArray *
split_content (const char *content)
{
  GPtrArray *deltas = g_ptr_array_new_with_free_func (g_free);
  const char *p = content;
  guint n = 0;

  while (*p != '\0')
    {
      const char *end = p;

      for (guint i = 0; i < 3 + n % 5 && *end != '\0'; i++)
        end = g_utf8_next_char (end);
      g_ptr_array_add (deltas, g_strndup (p, end - p));
      p = end;
      n++;
    }
  return deltas;
}

/* One chat.completion.chunk. @content %NULL is JSON null, @role adds the
 * role; @verbose adds what llama-server adds. */
static char *
openai_chunk (const char *content,
              gboolean    has_content,
              const char *role,
              const char *finish_reason,
              gboolean    verbose,
              const char *model)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "choices");
  json_builder_begin_array (builder);
  json_builder_begin_object (builder);
  if (verbose)
    {
      json_builder_set_member_name (builder, "finish_reason");
      if (finish_reason != NULL)
        json_builder_add_string_value (builder, finish_reason);
      else
        json_builder_add_null_value (builder);
    }
  json_builder_set_member_name (builder, "index");
  json_builder_add_int_value (builder, 0);
  json_builder_set_member_name (builder, "delta");
  json_builder_begin_object (builder);
  if (role != NULL)
    {
      json_builder_set_member_name (builder, "role");
      json_builder_add_string_value (builder, role);
    }
  if (has_content)
    {
      json_builder_set_member_name (builder, "content");
      if (content != NULL)
        json_builder_add_string_value (builder, content);
      else
        json_builder_add_null_value (builder);
    }
  json_builder_end_object (builder);
  if (!verbose)
    {
      json_builder_set_member_name (builder, "finish_reason");
      if (finish_reason != NULL)
        json_builder_add_string_value (builder, finish_reason);
      else
        json_builder_add_null_value (builder);
    }
  json_builder_end_object (builder);
  json_builder_end_array (builder);
  if (verbose)
    {
      json_builder_set_member_name (builder, "created");
      json_builder_add_int_value (builder, 1727000000);
      json_builder_set_member_name (builder, "id");
      json_builder_add_string_value (builder, "chatcmpl-4fJq9xKz");
      json_builder_set_member_name (builder, "model");
      json_builder_add_string_value (builder, model);
      json_builder_set_member_name (builder, "system_fingerprint");
      json_builder_add_string_value (builder, "b3800-1e6f6554");
      json_builder_set_member_name (builder, "object");
      json_builder_add_string_value (builder, "chat.completion.chunk");
      if (finish_reason != NULL)
        {
          json_builder_set_member_name (builder, "usage");
          json_builder_begin_object (builder);
          json_builder_set_member_name (builder, "completion_tokens");
          json_builder_add_int_value (builder, 412);
          json_builder_set_member_name (builder, "prompt_tokens");
          json_builder_add_int_value (builder, 2210);
          json_builder_set_member_name (builder, "total_tokens");
          json_builder_add_int_value (builder, 2622);
          json_builder_end_object (builder);
          json_builder_set_member_name (builder, "timings");
          json_builder_begin_object (builder);
          json_builder_set_member_name (builder, "predicted_per_second");
          json_builder_add_double_value (builder, 41.5);
          json_builder_end_object (builder);
        }
    }
  json_builder_end_object (builder);
  return builder_to_string (builder);
}

static char *
ollama_line (const char *content,
             gboolean    done,
             const char *done_reason,
             const char *model)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "model");
  json_builder_add_string_value (builder, model);
  json_builder_set_member_name (builder, "created_at");
  json_builder_add_string_value (builder, "2024-09-22T10:15:02.514293Z");
  json_builder_set_member_name (builder, "message");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "role");
  json_builder_add_string_value (builder, "assistant");
  json_builder_set_member_name (builder, "content");
  json_builder_add_string_value (builder, content);
  json_builder_end_object (builder);
  json_builder_set_member_name (builder, "done");
  json_builder_add_boolean_value (builder, done);
  if (done)
    {
      json_builder_set_member_name (builder, "done_reason");
      json_builder_add_string_value (builder, done_reason);
      json_builder_set_member_name (builder, "total_duration");
      json_builder_add_int_value (builder, 4935418042);
      json_builder_set_member_name (builder, "load_duration");
      json_builder_add_int_value (builder, 21351375);
      json_builder_set_member_name (builder, "prompt_eval_count");
      json_builder_add_int_value (builder, 2210);
      json_builder_set_member_name (builder, "prompt_eval_duration");
      json_builder_add_int_value (builder, 1325000000);
      json_builder_set_member_name (builder, "eval_count");
      json_builder_add_int_value (builder, 412);
      json_builder_set_member_name (builder, "eval_duration");
      json_builder_add_int_value (builder, 3552000000);
    }
  json_builder_end_object (builder);
  return builder_to_string (builder);
}

/* A streamed response, fed to libsoup piece by piece from the server's
 * main loop. */
typedef struct
{
  GBytes *bytes;
  guint   delay_ms;   /* before it is sent */
} Piece;

typedef struct
{
  SoupServerMessage *msg;
  GQueue             pieces;
  StreamEnd          end;
  guint              end_delay_ms;
  GBytes            *filler;
  guint              n_sent;
  gboolean           finished;   /* over, whoever ended it */
  gboolean           completed;  /* ended by the server */
  gboolean           headers_first;
  guint              generation; /* the case it belongs to */
  GSource           *source;
} Stream;

static void
piece_free (Piece *piece)
{
  g_bytes_unref (piece->bytes);
  g_free (piece);
}

static void
stream_free (Stream *stream)
{
  if (stream->source != NULL)
    {
      g_source_destroy (stream->source);
      g_source_unref (stream->source);
    }
  g_signal_handlers_disconnect_by_data (stream->msg, stream);
  g_queue_clear_full (&stream->pieces, (GDestroyNotify) piece_free);
  g_clear_pointer (&stream->filler, g_bytes_unref);
  g_object_unref (stream->msg);
  g_free (stream);
}

static void
stream_add (Stream *stream,
            GBytes *bytes,
            guint   delay_ms)
{
  Piece *piece = g_new0 (Piece, 1);

  piece->bytes = bytes;
  piece->delay_ms = delay_ms;
  g_queue_push_tail (&stream->pieces, piece);
}

static gboolean stream_step (gpointer data);

static void
stream_schedule (Stream *stream,
                 guint   delay_ms)
{
  if (stream->source != NULL)
    g_source_unref (stream->source);
  stream->source = g_timeout_source_new (delay_ms);
  g_source_set_callback (stream->source, stream_step, stream, NULL);
  g_source_attach (stream->source, fake.context);
}

static void
stream_maybe_cancel (Stream *stream)
{
  g_autoptr(GCancellable) cancellable = NULL;

  g_mutex_lock (&fake.lock);
  if (fake.cancel != NULL && stream->n_sent == fake.cancel_after)
    {
      cancellable = g_object_ref (fake.cancel);
      fake.cancelled_at = g_get_monotonic_time ();
    }
  g_mutex_unlock (&fake.lock);
  if (cancellable != NULL)
    g_cancellable_cancel (cancellable);
}

static gboolean
stream_step (gpointer data)
{
  Stream *stream = data;
  SoupMessageBody *body = soup_server_message_get_response_body (stream->msg);
  Piece *piece, *next;

  if (stream->finished)
    return G_SOURCE_REMOVE;

  piece = g_queue_pop_head (&stream->pieces);
  if (piece != NULL)
    {
      soup_message_body_append_bytes (body, piece->bytes);
      g_mutex_lock (&fake.lock);
      fake.bytes_queued += g_bytes_get_size (piece->bytes);
      g_mutex_unlock (&fake.lock);
      piece_free (piece);
      stream->n_sent++;
      soup_server_message_unpause (stream->msg);
      stream_maybe_cancel (stream);
      next = g_queue_peek_head (&stream->pieces);
      stream_schedule (stream, next != NULL ? next->delay_ms : stream->end_delay_ms);
      return G_SOURCE_REMOVE;
    }

  switch (stream->end)
    {
    case END_COMPLETE:
      stream->completed = TRUE;
      soup_message_body_complete (body);
      soup_server_message_unpause (stream->msg);
      break;
    case END_STALL:
      break;
    case END_DROP:
      {
        GIOStream *connection = soup_server_message_steal_connection (stream->msg);

        stream->completed = TRUE;
        stream->finished = TRUE;
        if (connection != NULL)
          {
            g_io_stream_close (connection, NULL, NULL);
            g_object_unref (connection);
          }
      }
      break;
    case END_ENDLESS:
      soup_message_body_append_bytes (body, stream->filler);
      stream->n_sent++;
      soup_server_message_unpause (stream->msg);
      stream_maybe_cancel (stream);
      stream_schedule (stream, 50);
      break;
    }
  return G_SOURCE_REMOVE;
}

static void
stream_finished (SoupServerMessage *msg,
                 Stream            *stream)
{
  if (!stream->completed)
    {
      g_mutex_lock (&fake.lock);
      if (stream->generation == fake.generation)
        fake.n_aborted++;
      g_mutex_unlock (&fake.lock);
    }
  stream->finished = TRUE;
}

static Stream *
stream_new (SoupServerMessage *msg,
            const char        *content_type,
            SoupEncoding       encoding)
{
  Stream *stream = g_new0 (Stream, 1);
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (msg);

  stream->msg = g_object_ref (msg);
  g_queue_init (&stream->pieces);
  g_mutex_lock (&fake.lock);
  stream->generation = fake.generation;
  g_mutex_unlock (&fake.lock);
  soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
  soup_message_headers_set_content_type (headers, content_type, NULL);
  soup_message_headers_replace (headers, "Cache-Control", "no-cache");
  soup_message_headers_set_encoding (headers, encoding);
  g_signal_connect (msg, "finished", G_CALLBACK (stream_finished), stream);
  fake.streams = g_list_prepend (fake.streams, stream);
  return stream;
}

static void
stream_start (Stream *stream)
{
  Piece *first = g_queue_peek_head (&stream->pieces);

  /* Paused, nothing goes out; not paused, the headers go out and libsoup
   * pauses itself until there is a body to send. */
  if (!stream->headers_first)
    soup_server_message_pause (stream->msg);
  stream_schedule (stream, first != NULL ? first->delay_ms : 0);
}

static int
compare_guints (gconstpointer a,
                gconstpointer b)
{
  guint ua = *(const guint *) a, ub = *(const guint *) b;

  return ua < ub ? -1 : ua > ub;
}

/* Queues @all cut at awkward places: inside frames, and once inside a
 * multi-byte character and once inside "data:" with a pause after, so that
 * the client sees them apart. */
static void
stream_add_cut (Stream     *stream,
                GByteArray *all,
                guint       delay_ms)
{
  static const guint sizes[] = { 23, 7, 61, 3, 17, 40, 1, 90, 11 };
  g_autoptr(GArray) cuts = g_array_new (FALSE, FALSE, sizeof (guint));
  guint utf8_cut = 0, prefix_cut = 0, start = 0;

  for (guint i = 64; i < all->len && utf8_cut == 0; i++)
    if ((all->data[i] & 0xC0) == 0x80)
      utf8_cut = i;
  for (guint i = 128; i + 5 < all->len && prefix_cut == 0; i++)
    if (memcmp (all->data + i, "data:", 5) == 0 || memcmp (all->data + i, "{\"mod", 5) == 0)
      prefix_cut = i + 3;

  for (guint pos = 0, i = 0; pos < all->len; i++)
    {
      pos += sizes[i % G_N_ELEMENTS (sizes)];
      if (pos < all->len)
        g_array_append_val (cuts, pos);
    }
  if (utf8_cut != 0)
    g_array_append_val (cuts, utf8_cut);
  if (prefix_cut != 0)
    g_array_append_val (cuts, prefix_cut);
  g_array_append_val (cuts, all->len);
  g_array_sort (cuts, compare_guints);
  for (guint i = 0; i < cuts->len; i++)
    {
      guint end = g_array_index (cuts, guint, i);
      guint delay = delay_ms;

      if (end <= start)
        continue;
      if (start == utf8_cut || start == prefix_cut)
        delay = MAX (delay, 10);
      stream_add (stream, g_bytes_new (all->data + start, end - start), delay);
      start = end;
    }
}

static GBytes *
sse_frame (const char *json)
{
  return g_bytes_new_take (g_strdup_printf ("data: %s\n\n", json),
                           strlen ("data: \n\n") + strlen (json));
}

/* @json with every character beyond ASCII escaped, surrogate pairs included. */
static char *
ascii_escape (const char *json)
{
  GString *out = g_string_new (NULL);

  for (const char *p = json; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (c < 0x80)
        g_string_append_c (out, (char) c);
      else if (c < 0x10000)
        g_string_append_printf (out, "\\u%04x", c);
      else
        g_string_append_printf (out, "\\u%04x\\u%04x", 0xD800 + ((c - 0x10000) >> 10),
                                0xDC00 + ((c - 0x10000) & 0x3FF));
    }
  return g_string_free (out, FALSE);
}

static void
append_framed (GByteArray *all,
               const char *json,
               Framing     framing)
{
  static guint id;
  const char *end = framing == FRAMING_CRLF ? "\r\n" : "\n";
  g_autofree char *escaped = framing == FRAMING_ASCII ? ascii_escape (json) : NULL;
  g_autofree char *frame = NULL;

  if (framing == FRAMING_FIELDS)
    frame = g_strdup_printf ("id: %u\nevent: message\ndata: %s\n\n", ++id, json);
  else
    frame = g_strdup_printf ("data:%s%s%s%s", framing == FRAMING_NO_SPACE ? "" : " ",
                             escaped != NULL ? escaped : json, end, end);
  g_byte_array_append (all, (const guint8 *) frame, strlen (frame));
}

static void
append_sse (GByteArray *all,
            const char *json)
{
  append_framed (all, json, FRAMING_LF);
}

static void
append_line (GByteArray *all,
             const char *json)
{
  g_byte_array_append (all, (const guint8 *) json, strlen (json));
  g_byte_array_append (all, (const guint8 *) "\n", 1);
}

#define HUGE_HEAD "{\"summary\": [{\"section\": \"motif\", \"text\": \""

/* The 10 MB reply: a summary item whose text never ends, 5 MB at once,
 * then 2 s of silence, then 5 MB more. */
static void
start_huge (SoupServerMessage *msg,
            gboolean           ollama,
            const char        *model)
{
  Stream *stream = ollama ? stream_new (msg, "application/x-ndjson", SOUP_ENCODING_CHUNKED)
                          : stream_new (msg, "text/event-stream", SOUP_ENCODING_CHUNKED);
  g_autofree char *filler = g_malloc (32 * 1024 + 1);
  g_autofree char *head = NULL, *body = NULL;
  GBytes *frame;
  gsize sent = 0;

  memset (filler, 'a', 32 * 1024);
  filler[32 * 1024] = '\0';
  head = ollama ? ollama_line (HUGE_HEAD, FALSE, NULL, model)
                : openai_chunk (HUGE_HEAD, TRUE, NULL, NULL, FALSE, model);
  body = ollama ? ollama_line (filler, FALSE, NULL, model)
                : openai_chunk (filler, TRUE, NULL, NULL, FALSE, model);
  stream_add (stream, ollama ? g_bytes_new_take (g_strconcat (head, "\n", NULL), strlen (head) + 1)
                             : sse_frame (head), 0);
  frame = ollama ? g_bytes_new_take (g_strconcat (body, "\n", NULL), strlen (body) + 1)
                 : sse_frame (body);
  while (sent < 10 * 1024 * 1024)
    {
      stream_add (stream, g_bytes_ref (frame),
                  sent < 5 * 1024 * 1024 || sent - g_bytes_get_size (frame) >= 5 * 1024 * 1024
                    ? 0 : 2000);
      sent += g_bytes_get_size (frame);
    }
  g_bytes_unref (frame);
  stream->end = END_COMPLETE;
  stream_start (stream);
}

static void
respond_json (SoupServerMessage *msg,
              guint              status,
              const char        *body)
{
  soup_server_message_set_status (msg, status, NULL);
  soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_COPY, body,
                                    strlen (body));
}

static const char loading_body[] =
  "{\"error\":{\"code\":503,\"message\":\"Loading model\",\"type\":\"unavailable_error\"}}";

/* With the lock held: whether this answer is a 503 of a loading model. */
static gboolean
still_loading (void)
{
  if (fake.reply != REPLY_LOADING || fake.n_loading_sent >= fake.n_loading)
    return FALSE;
  fake.n_loading_sent++;
  return TRUE;
}

static void
handle_chat (SoupServerMessage *msg,
             gboolean           ollama,
             JsonObject        *request,
             Request           *record)
{
  g_autofree char *content = NULL;
  g_autoptr(GPtrArray) deltas = NULL;
  g_autoptr(GByteArray) all = g_byte_array_new ();
  const char *model = member_string (request, "model");
  JsonObject *format = member_object (request, "response_format");
  Reply reply;
  guint delay_ms, first_delay_ms;
  Framing framing;
  Stream *stream;

  if (model == NULL)
    model = ollama ? OLLAMA_MODEL : LLAMA_MODEL;

  g_mutex_lock (&fake.lock);
  reply = fake.reply;
  delay_ms = fake.delay_ms;
  first_delay_ms = fake.first_delay_ms;
  framing = fake.framing;
  if (record->offered != NULL)
    {
      g_strfreev (fake.last_offered);
      fake.last_offered = g_strdupv (record->offered);
    }

  if (reply == REPLY_LOADING)
    {
      if (still_loading ())
        {
          g_mutex_unlock (&fake.lock);
          respond_json (msg, 503, loading_body);
          record->status = 503;
          return;
        }
      reply = REPLY_GOOD;
    }
  if (reply == REPLY_REJECT_SCHEMA)
    {
      if (g_strcmp0 (member_string (format, "type"), "json_schema") == 0)
        {
          g_mutex_unlock (&fake.lock);
          respond_json (msg, 400,
                        "{\"error\":{\"code\":400,\"message\":\"Unsupported response_format type:"
                        " json_schema\",\"type\":\"invalid_request_error\"}}");
          record->status = 400;
          return;
        }
      reply = REPLY_GOOD;
    }
  if (reply == REPLY_ALWAYS_400)
    {
      g_mutex_unlock (&fake.lock);
      respond_json (msg, 400,
                    "{\"error\":{\"code\":400,\"message\":\"'messages' is malformed\","
                    "\"type\":\"invalid_request_error\"}}");
      record->status = 400;
      return;
    }
  if (reply == REPLY_HTTP_ERROR)
    {
      guint status = fake.error_status;
      g_autofree char *body = g_strdup (fake.error_body);
      const char *type = fake.error_type;

      g_mutex_unlock (&fake.lock);
      soup_server_message_set_status (msg, status, NULL);
      soup_server_message_set_response (msg, type, SOUP_MEMORY_COPY, body, strlen (body));
      record->status = status;
      return;
    }
  if (reply == REPLY_NEVER)
    {
      g_mutex_unlock (&fake.lock);
      soup_server_message_pause (msg);
      return;
    }
  if (reply == REPLY_REDIRECT)
    {
      g_mutex_unlock (&fake.lock);
      soup_server_message_set_redirect (msg, 307,
                                        ollama ? "http://192.0.2.1:9/api/chat"
                                               : "http://192.0.2.1:9/v1/chat/completions");
      record->status = 307;
      return;
    }
  if (reply == REPLY_HUGE)
    {
      g_mutex_unlock (&fake.lock);
      record->status = 200;
      start_huge (msg, ollama, model);
      return;
    }

  if (reply == REPLY_ENDLESS)
    content = g_strdup ("{\"summary\": [");
  else
    content = build_content (reply, record->user,
                             record->offered != NULL ? record->offered : fake.last_offered);
  g_free (fake.sent_content);
  fake.sent_content = g_strdup (content);
  g_mutex_unlock (&fake.lock);

  record->status = 200;
  deltas = split_content (content);
  /* Closing early is the end of a body read to the end of the connection. */
  stream = stream_new (msg,
                       ollama ? "application/x-ndjson"
                              : reply == REPLY_GOOD_VERBOSE ? "text/event-stream; charset=utf-8"
                                                            : "text/event-stream",
                       reply == REPLY_CLOSE_EARLY ? SOUP_ENCODING_EOF : SOUP_ENCODING_CHUNKED);
  stream->end = END_COMPLETE;

  if (ollama)
    {
      for (guint i = 0; i < deltas->len; i++)
        {
          g_autofree char *line = ollama_line (deltas->pdata[i], FALSE, NULL, model);

          if ((reply == REPLY_STALL && i == 2) || (reply == REPLY_DROP && i == 4))
            break;
          if (reply == REPLY_ERROR_IN_STREAM && i == 2)
            {
              append_line (all, "{\"error\":\"an error was encountered while running the model:"
                                " CUDA error: out of memory\"}");
              break;
            }
          append_line (all, line);
        }
      if (reply != REPLY_CLOSE_EARLY && reply != REPLY_STALL && reply != REPLY_DROP &&
          reply != REPLY_ERROR_IN_STREAM && reply != REPLY_ENDLESS)
        {
          g_autofree char *last = ollama_line ("", TRUE,
                                               reply == REPLY_LENGTH ? "length" : "stop", model);

          append_line (all, last);
        }
      if (reply == REPLY_ENDLESS)
        {
          g_autofree char *line = ollama_line (" ", FALSE, NULL, model);

          stream->filler = g_bytes_new_take (g_strconcat (line, "\n", NULL), strlen (line) + 1);
        }
    }
  else
    {
      gboolean verbose = reply == REPLY_GOOD_VERBOSE;
      const char *finish = reply == REPLY_LENGTH ? "length" : "stop";

      if (verbose)
        {
          g_autofree char *first = openai_chunk (NULL, TRUE, "assistant", NULL, TRUE, model);

          append_framed (all, first, framing);
        }
      for (guint i = 0; i < deltas->len; i++)
        {
          gboolean last = i + 1 == deltas->len && !verbose && reply != REPLY_CLOSE_EARLY;
          g_autofree char *chunk = openai_chunk (deltas->pdata[i], TRUE, NULL,
                                                 last ? finish : NULL, verbose, model);

          if ((reply == REPLY_STALL && i == 2) || (reply == REPLY_DROP && i == 4))
            break;
          if (reply == REPLY_ERROR_IN_STREAM && i == 2)
            {
              append_sse (all, "{\"error\":{\"code\":500,\"message\":\"Context size has been"
                               " exceeded.\",\"type\":\"server_error\"}}");
              break;
            }
          append_framed (all, chunk, framing);
          if (verbose && i % 40 == 5)
            g_byte_array_append (all, (const guint8 *) ": ping\n\n", 8);
        }
      if (verbose)
        {
          g_autofree char *last = openai_chunk (NULL, FALSE, NULL, finish, TRUE, model);

          append_framed (all, last, framing);
        }
      if (reply != REPLY_CLOSE_EARLY && reply != REPLY_STALL && reply != REPLY_DROP &&
          reply != REPLY_ERROR_IN_STREAM && reply != REPLY_ENDLESS)
        append_framed (all, "[DONE]", framing == FRAMING_ASCII ? FRAMING_LF : framing);
      if (reply == REPLY_ENDLESS)
        {
          g_autofree char *chunk = openai_chunk (" ", TRUE, NULL, NULL, FALSE, model);

          stream->filler = sse_frame (chunk);
        }
    }

  switch (reply)
    {
    case REPLY_STALL:
      stream->end = END_STALL;
      /* Two frames, whole. */
      stream_add (stream, g_bytes_new (all->data, all->len), delay_ms);
      break;
    case REPLY_DROP:
      stream->end = END_DROP;
      stream->end_delay_ms = 50;
      stream_add (stream, g_bytes_new (all->data, all->len), delay_ms);
      break;
    case REPLY_ENDLESS:
      stream->end = END_ENDLESS;
      stream->end_delay_ms = 50;
      stream_add (stream, g_bytes_new (all->data, all->len), delay_ms);
      break;
    default:
      stream_add_cut (stream, all, delay_ms);
      break;
    }
  if (first_delay_ms > 0)
    {
      ((Piece *) g_queue_peek_head (&stream->pieces))->delay_ms = first_delay_ms;
      stream->headers_first = TRUE;
    }
  stream_start (stream);
}

static void
handle_get (SoupServerMessage *msg,
            const char        *path,
            Request           *record)
{
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (msg);
  Kind kind;
  gboolean loading, never;

  g_mutex_lock (&fake.lock);
  kind = fake.kind;
  loading = kind == KIND_LLAMA && still_loading ();
  never = fake.reply == REPLY_NEVER;
  g_mutex_unlock (&fake.lock);

  if (never)
    {
      soup_server_message_pause (msg);
      return;
    }

  record->status = 200;
  if (loading)
    {
      respond_json (msg, 503, loading_body);
      record->status = 503;
    }
  else if (kind == KIND_LLAMA && g_str_equal (path, "/health"))
    {
      respond_json (msg, 200, "{\"status\":\"ok\"}");
    }
  else if (kind == KIND_LLAMA && g_str_equal (path, "/v1/models"))
    {
      respond_json (msg, 200,
                    "{\"object\":\"list\",\"data\":[{\"id\":\"" LLAMA_MODEL "\","
                    "\"object\":\"model\","
                    "\"created\":1727000000,\"owned_by\":\"llamacpp\",\"meta\":{\"vocab_type\":2,"
                    "\"n_vocab\":152064,\"n_ctx_train\":32768,\"n_embd\":3584,"
                    "\"n_params\":7615616512,\"size\":4677120000}}]}");
    }
  else if (kind == KIND_LLAMA && g_str_equal (path, "/props"))
    {
      respond_json (msg, 200,
                    "{\"default_generation_settings\":{\"n_ctx\":8192,\"model\":\"/models/"
                    LLAMA_MODEL "-q4_k_m.gguf\"},\"total_slots\":1,\"chat_template\":\"\"}");
    }
  else if (kind == KIND_VLLM && g_str_equal (path, "/v1/models"))
    {
      respond_json (msg, 200,
                    "{\"object\":\"list\",\"data\":[{\"id\":\"" VLLM_MODEL "\","
                    "\"object\":\"model\","
                    "\"created\":1727000000,\"owned_by\":\"vllm\",\"root\":\"" VLLM_MODEL "\","
                    "\"parent\":null,\"max_model_len\":32768,\"permission\":[]}]}");
    }
  else if (kind == KIND_VLLM && g_str_equal (path, "/health"))
    {
      soup_server_message_set_status (msg, 200, NULL);
    }
  else if (kind == KIND_VLLM && g_str_equal (path, "/version"))
    {
      respond_json (msg, 200, "{\"version\":\"0.6.3\"}");
    }
  else if (kind == KIND_OLLAMA && g_str_equal (path, "/api/tags"))
    {
      respond_json (msg, 200,
                    "{\"models\":[{\"name\":\"" OLLAMA_MODEL "\",\"model\":\"" OLLAMA_MODEL "\","
                    "\"modified_at\":\"2024-09-20T08:12:44.123456789+02:00\",\"size\":4920753328,"
                    "\"digest\":\"42182419e9508c30c4b1fe55015f06b6"
                    "5f4ca4b9e28a744be55008d21998a093\","
                    "\"details\":{\"parent_model\":\"\",\"format\":\"gguf\",\"family\":\"llama\","
                    "\"families\":[\"llama\"],\"parameter_size\":\"8.0B\","
                    "\"quantization_level\":\"Q4_0\"}},{\"name\":\"mistral:7b\",\"model\":"
                    "\"mistral:7b\",\"modified_at\":\"2024-09-01T10:00:00+02:00\","
                    "\"size\":4113301824,\"digest\":\"f974a74358d62a017b37c6f424fcdf27"
                    "44ca02926c4f952513ddf474b2fa5091\","
                    "\"details\":{\"format\":\"gguf\",\"family\":\"llama\"}}]}");
    }
  else if (kind == KIND_OLLAMA && g_str_equal (path, "/api/version"))
    {
      respond_json (msg, 200, "{\"version\":\"0.3.12\"}");
    }
  else if (kind == KIND_OLLAMA && g_str_equal (path, "/v1/models"))
    {
      respond_json (msg, 200,
                    "{\"object\":\"list\",\"data\":[{\"id\":\"" OLLAMA_MODEL "\","
                    "\"object\":\"model\","
                    "\"created\":1726812764,\"owned_by\":\"library\"}]}");
    }
  else if (kind == KIND_OLLAMA && g_str_equal (path, "/"))
    {
      soup_server_message_set_status (msg, 200, NULL);
      soup_server_message_set_response (msg, "text/plain; charset=utf-8", SOUP_MEMORY_STATIC,
                                        "Ollama is running", strlen ("Ollama is running"));
    }
  else
    {
      respond_json (msg, 404,
                    "{\"error\":{\"code\":404,\"message\":\"File Not Found\","
                    "\"type\":\"not_found_error\"}}");
      record->status = 404;
    }
  if (kind == KIND_LLAMA)
    soup_message_headers_replace (headers, "Server", "llama.cpp");
  else if (kind == KIND_VLLM)
    soup_message_headers_replace (headers, "Server", "uvicorn");
}

static void
handle (SoupServer        *server,
        SoupServerMessage *msg,
        const char        *path,
        GHashTable        *query,
        gpointer           user_data)
{
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  g_autoptr(GBytes) body = soup_message_body_flatten (soup_server_message_get_request_body (msg));
  g_autoptr(JsonParser) parser = json_parser_new ();
  Request *record = g_new0 (Request, 1);
  JsonObject *request = NULL;
  const char *method = soup_server_message_get_method (msg);
  Kind kind;

  record->method = g_strdup (method);
  record->path = g_strdup (path);
  record->body = g_strndup (g_bytes_get_data (body, NULL), g_bytes_get_size (body));
  record->authorization = g_strdup (soup_message_headers_get_one (headers, "Authorization"));
  record->content_type = g_strdup (soup_message_headers_get_content_type (headers, NULL));
  if (g_bytes_get_size (body) > 0 &&
      json_parser_load_from_data (parser, record->body, -1, NULL) &&
      JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    {
      request = json_node_get_object (json_parser_get_root (parser));
      record->user = last_user_content (request);
      record->offered = find_offered (json_parser_get_root (parser));
    }

  g_mutex_lock (&fake.lock);
  g_ptr_array_add (fake.requests, record);
  kind = fake.kind;
  g_mutex_unlock (&fake.lock);

  if (g_str_equal (method, "POST") &&
      (g_str_equal (path, "/v1/chat/completions") || g_str_equal (path, "/api/chat")))
    {
      if (request == NULL)
        {
          respond_json (msg, 400, "{\"error\":{\"code\":400,\"message\":\"invalid JSON\","
                                  "\"type\":\"invalid_request_error\"}}");
          record->status = 400;
          return;
        }
      handle_chat (msg, g_str_equal (path, "/api/chat"), request, record);
      if (kind == KIND_LLAMA)
        soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Server",
                                      "llama.cpp");
    }
  else if (g_str_equal (method, "GET"))
    {
      handle_get (msg, path, record);
    }
  else
    {
      respond_json (msg, 404, "{\"error\":{\"code\":404,\"message\":\"File Not Found\","
                              "\"type\":\"not_found_error\"}}");
      record->status = 404;
    }
}

static gpointer
server_thread (gpointer data)
{
  g_autoptr(GError) error = NULL;
  GSList *uris;

  g_main_context_push_thread_default (fake.context);
  fake.server = soup_server_new (NULL, NULL);
  soup_server_add_handler (fake.server, NULL, handle, NULL, NULL);
  soup_server_listen_local (fake.server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, &error);
  g_assert_no_error (error);
  uris = soup_server_get_uris (fake.server);
  g_assert_nonnull (uris);

  g_mutex_lock (&fake.lock);
  fake.port = g_uri_get_port (uris->data);
  fake.url = g_strdup_printf ("http://127.0.0.1:%u", fake.port);
  fake.ready = TRUE;
  g_cond_signal (&fake.cond);
  g_mutex_unlock (&fake.lock);
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);

  g_main_loop_run (fake.loop);

  g_list_free_full (g_steal_pointer (&fake.streams), (GDestroyNotify) stream_free);
  soup_server_disconnect (fake.server);
  g_clear_object (&fake.server);
  while (g_main_context_iteration (fake.context, FALSE))
    ;
  g_main_context_pop_thread_default (fake.context);
  return NULL;
}

static void
fake_start (void)
{
  g_mutex_init (&fake.lock);
  g_cond_init (&fake.cond);
  fake.context = g_main_context_new ();
  fake.loop = g_main_loop_new (fake.context, FALSE);
  fake.requests = g_ptr_array_new_with_free_func ((GDestroyNotify) request_free);
  fake.sent_codes = g_ptr_array_new_with_free_func ((GDestroyNotify) sent_code_free);
  fake.sent_items = g_ptr_array_new_with_free_func ((GDestroyNotify) sent_item_free);
  fake.sent_quotes = g_ptr_array_new_with_free_func (g_free);
  fake.thread = g_thread_new ("fake-server", server_thread, NULL);
  g_mutex_lock (&fake.lock);
  while (!fake.ready)
    g_cond_wait (&fake.cond, &fake.lock);
  g_mutex_unlock (&fake.lock);
}

/* Frees the streams of the previous case, in the server's thread. */
static gboolean
forget_streams (gpointer data)
{
  GList *keep = NULL;

  for (GList *l = fake.streams; l != NULL; l = l->next)
    {
      Stream *stream = l->data;

      if (stream->finished)
        stream_free (stream);
      else
        keep = g_list_prepend (keep, stream);
    }
  g_list_free (fake.streams);
  fake.streams = keep;
  return G_SOURCE_REMOVE;
}

static void
fake_stop (void)
{
  g_main_loop_quit (fake.loop);
  g_thread_join (fake.thread);
  g_main_loop_unref (fake.loop);
  g_main_context_unref (fake.context);
  g_clear_pointer (&fake.requests, g_ptr_array_unref);
  g_clear_pointer (&fake.sent_codes, g_ptr_array_unref);
  g_clear_pointer (&fake.sent_items, g_ptr_array_unref);
  g_clear_pointer (&fake.sent_quotes, g_ptr_array_unref);
  g_clear_pointer (&fake.sent_content, g_free);
  g_clear_pointer (&fake.last_offered, g_strfreev);
  g_clear_pointer (&fake.code_hints, g_hash_table_unref);
  g_clear_pointer (&fake.summary_hints, g_ptr_array_unref);
  g_clear_pointer (&fake.error_body, g_free);
  g_clear_object (&fake.cancel);
  g_free (fake.url);
}

/* A new case: what the server does, and nothing remembered. */
static void
fake_reset (Kind  kind,
            Reply reply)
{
  g_main_context_invoke (fake.context, forget_streams, NULL);
  g_mutex_lock (&fake.lock);
  fake.kind = kind;
  fake.reply = reply;
  fake.error_status = 0;
  g_clear_pointer (&fake.error_body, g_free);
  fake.error_type = "application/json";
  fake.n_loading = 0;
  fake.n_loading_sent = 0;
  fake.delay_ms = 0;
  fake.first_delay_ms = 0;
  fake.framing = FRAMING_LF;
  g_clear_object (&fake.cancel);
  fake.cancel_after = 0;
  fake.cancelled_at = 0;
  fake.n_aborted = 0;
  fake.generation++;
  fake.bytes_queued = 0;
  g_ptr_array_set_size (fake.requests, 0);
  g_ptr_array_set_size (fake.sent_codes, 0);
  g_ptr_array_set_size (fake.sent_items, 0);
  g_clear_pointer (&fake.sent_content, g_free);
  g_clear_pointer (&fake.last_offered, g_strfreev);
  g_mutex_unlock (&fake.lock);
}

static void
fake_set_error (guint       status,
                const char *type,
                const char *body)
{
  g_mutex_lock (&fake.lock);
  fake.error_status = status;
  fake.error_type = type;
  g_free (fake.error_body);
  fake.error_body = g_strdup (body);
  g_mutex_unlock (&fake.lock);
}

static guint
fake_count_posts (void)
{
  guint n = 0;

  g_mutex_lock (&fake.lock);
  for (guint i = 0; i < fake.requests->len; i++)
    n += g_str_equal (((Request *) fake.requests->pdata[i])->method, "POST");
  g_mutex_unlock (&fake.lock);
  return n;
}

/* The last POST the server received; the lock need not be held once the
 * engine has returned. */
static Request *
fake_last_post (void)
{
  Request *found = NULL;

  g_mutex_lock (&fake.lock);
  for (guint i = 0; i < fake.requests->len; i++)
    if (g_str_equal (((Request *) fake.requests->pdata[i])->method, "POST"))
      found = fake.requests->pdata[i];
  g_mutex_unlock (&fake.lock);
  return found;
}

/* ------------------------------------------------------------------------ */
/* The test's side.                                                         */

/* What the engine logs, to check that no word of a report is in it. */
static GMutex log_lock;
static GPtrArray *log_lines;

static GLogWriterOutput
log_writer (GLogLevelFlags   level,
            const GLogField *fields,
            gsize            n_fields,
            gpointer         user_data)
{
  const char *message = NULL;

  for (gsize i = 0; i < n_fields; i++)
    if (g_str_equal (fields[i].key, "MESSAGE") && fields[i].length < 0)
      message = fields[i].value;
  if (message != NULL)
    {
      g_mutex_lock (&log_lock);
      g_ptr_array_add (log_lines, g_strdup (message));
      g_mutex_unlock (&log_lock);
    }
  /* GIO's and the engine's debug messages are kept, not printed. */
  if (level & (G_LOG_LEVEL_DEBUG | G_LOG_LEVEL_INFO))
    return G_LOG_WRITER_HANDLED;
  return g_log_writer_default (level, fields, n_fields, user_data);
}

static RelDocument *
load_sample (const char *name,
             const char *as_path)
{
  g_autofree char *path = g_build_filename (g_getenv ("REL_SOURCE_ROOT") != NULL
                                              ? g_getenv ("REL_SOURCE_ROOT") : ".",
                                            "data", "samples", name, NULL);
  g_autofree char *contents = NULL;
  gsize length = 0;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = NULL;
  RelDocument *document;

  g_assert_true (g_file_get_contents (path, &contents, &length, &error));
  g_assert_no_error (error);
  bytes = g_bytes_new_take (g_steal_pointer (&contents), length);
  document = rel_document_new_from_bytes (bytes, as_path != NULL ? as_path : path, 0, &error);
  g_assert_no_error (error);
  return document;
}

static char *
span_text (RelDocument *document,
           guint        start,
           guint        end)
{
  return g_strndup (rel_document_get_text (document) + start, end - start);
}

/* The server answers with words the embedded engine found: the evidence of
 * their codes, the first evidence of their summary items. */
static void
set_hints_many (RelAnalysis **analyses,
                guint         n_analyses)
{
  GHashTable *code_hints = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                                  (GDestroyNotify) g_ptr_array_unref);
  GPtrArray *summary_hints = g_ptr_array_new_with_free_func ((GDestroyNotify) summary_hint_free);

  for (guint a = 0; a < n_analyses; a++)
    {
      RelDocument *document = rel_analysis_get_document (analyses[a]);
      GPtrArray *codes = rel_analysis_get_codes (analyses[a]);
      GPtrArray *summary = rel_analysis_get_summary (analyses[a]);

      for (guint i = 0; i < codes->len; i++)
        {
          const RelCodeSuggestion *code = codes->pdata[i];
          GPtrArray *texts = g_hash_table_lookup (code_hints, code->code);

          if (texts == NULL)
            {
              texts = g_ptr_array_new_with_free_func (g_free);
              g_hash_table_insert (code_hints, g_strdup (code->code), texts);
            }
          for (guint j = 0; j < code->evidence->len; j++)
            {
              const RelSpan *span = &g_array_index (code->evidence, RelSpan, j);

              g_ptr_array_add (texts, span_text (document, span->start, span->end));
            }
        }
      for (guint i = 0; i < summary->len; i++)
        {
          const RelSummarySection *section = summary->pdata[i];
          const RelSummaryItem *item = section->items->len > 0 ? section->items->pdata[0] : NULL;
          SummaryHint *hint;

          if (item == NULL || item->evidence->len == 0)
            continue;
          hint = g_new0 (SummaryHint, 1);
          hint->section = g_strdup (section->section);
          hint->quote = span_text (document, g_array_index (item->evidence, RelSpan, 0).start,
                                   g_array_index (item->evidence, RelSpan, 0).end);
          g_ptr_array_add (summary_hints, hint);
        }
    }

  g_mutex_lock (&fake.lock);
  g_clear_pointer (&fake.code_hints, g_hash_table_unref);
  g_clear_pointer (&fake.summary_hints, g_ptr_array_unref);
  fake.code_hints = code_hints;
  fake.summary_hints = summary_hints;
  g_mutex_unlock (&fake.lock);
}

static void
set_hints (RelAnalysis *analysis)
{
  set_hints_many (&analysis, 1);
}

static RelAnalysis *
embedded_analysis (RelDocument *document)
{
  g_autoptr(GError) error = NULL;
  RelAnalysis *analysis = rel_engine_analyze (embedded, document, NULL, &error);

  g_assert_no_error (error);
  return analysis;
}

static RelHttpSettings *
fast_settings (RelServerApi api)
{
  RelHttpSettings *settings = rel_http_settings_new (fake.url);

  settings->api = api;
  settings->model = g_strdup (api == REL_SERVER_API_OLLAMA ? OLLAMA_MODEL : LLAMA_MODEL);
  settings->connect_timeout_ms = CONNECT_MS;
  settings->first_byte_timeout_ms = FIRST_BYTE_MS;
  settings->gap_timeout_ms = GAP_MS;
  settings->total_timeout_ms = TOTAL_MS;
  return settings;
}

static RelAnalysis *
run_engine (RelEngine    *engine,
            RelDocument  *document,
            GCancellable *cancellable,
            double       *ms,
            GError      **error)
{
  gint64 start = g_get_monotonic_time ();
  RelAnalysis *analysis = rel_engine_analyze (engine, document, cancellable, error);

  *ms = (g_get_monotonic_time () - start) / 1000.0;
  return analysis;
}

static RelAnalysis *
run (const RelHttpSettings *settings,
     RelDocument           *document,
     double                *ms,
     GError               **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autoptr(RelEngine) engine = rel_http_engine_new (embedded, settings, &local_error);

  g_assert_no_error (local_error);
  return run_engine (engine, document, NULL, ms, error);
}

static const char *
error_name (const GError *error)
{
  static const char * const names[] = {
    "NOT_ALLOWED", "REFUSED", "TIMEOUT", "LOADING", "SERVER", "TRUNCATED", "INVALID", "TOO_LARGE",
  };

  if (error == NULL)
    return "no error";
  if (error->domain == REL_HTTP_ENGINE_ERROR && error->code >= 0 &&
      error->code < (int) G_N_ELEMENTS (names))
    return names[error->code];
  if (error->domain == G_IO_ERROR && error->code == G_IO_ERROR_CANCELLED)
    return "G_IO_ERROR_CANCELLED";
  return g_quark_to_string (error->domain);
}

/* Words that must never leave the engine in a message: the identifying
 * words of the report, and what the model quoted of it. */
static void
check_clean (const char  *what,
             const char  *message,
             RelAnalysis *reference)
{
  RelDocument *document = rel_analysis_get_document (reference);
  GPtrArray *phi = rel_analysis_get_phi (reference);

  if (message == NULL)
    return;
  for (guint i = 0; i < phi->len; i++)
    {
      const RelPhi *span = phi->pdata[i];
      g_autofree char *words = span_text (document, span->start, span->end);

      if (strlen (words) >= 4 && strstr (message, words) != NULL)
        g_test_fail_printf ("%s holds identifying words of the report (%s at %u)", what,
                            span->label, span->start);
    }
  g_mutex_lock (&fake.lock);
  for (guint i = 0; i < fake.sent_quotes->len; i++)
    {
      const char *quote = fake.sent_quotes->pdata[i];

      if (strlen (quote) >= 12 && strstr (message, quote) != NULL)
        g_test_fail_printf ("%s holds words of the report (a quote of %zu bytes)", what,
                            strlen (quote));
    }
  g_mutex_unlock (&fake.lock);
}

static void
check_logs_clean (RelAnalysis *reference)
{
  g_mutex_lock (&log_lock);
  for (guint i = 0; i < log_lines->len; i++)
    check_clean ("a log message", log_lines->pdata[i], reference);
  g_ptr_array_set_size (log_lines, 0);
  g_mutex_unlock (&log_lock);
}

/* The engine fails with @code, within @max_ms; its message, when @mention is
 * given, says what the server said, and holds no word of the report. */
static void
expect_failure (const RelHttpSettings *settings,
                RelDocument           *document,
                RelAnalysis           *reference,
                int                    code,
                double                 max_ms,
                const char            *mention,
                const char            *label)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(RelAnalysis) analysis = NULL;
  double ms;

  analysis = run (settings, document, &ms, &error);
  g_test_message ("%s: %s after %.0f ms, %u request(s)", label, error_name (error), ms,
                  fake_count_posts ());
  g_assert_null (analysis);
  g_assert_error (error, REL_HTTP_ENGINE_ERROR, code);
  if (max_ms > 0 && ms > max_ms)
    g_test_fail_printf ("%s: took %.0f ms, more than %.0f ms", label, ms, max_ms);
  if (mention != NULL && strstr (error->message, mention) == NULL)
    g_test_fail_printf ("%s: the message does not say what the server said (\"%s\")", label,
                        mention);
  check_clean ("the error message", error->message, reference);
}

static const RelCodeSuggestion *
find_code (RelAnalysis *analysis,
           const char  *code)
{
  GPtrArray *codes = rel_analysis_get_codes (analysis);

  for (guint i = 0; i < codes->len; i++)
    if (g_str_equal (((RelCodeSuggestion *) codes->pdata[i])->code, code))
      return codes->pdata[i];
  return NULL;
}

static gboolean
span_equals (RelDocument   *document,
             const RelSpan *span,
             const char    *words)
{
  return span->end - span->start == strlen (words) &&
         memcmp (rel_document_get_text (document) + span->start, words, strlen (words)) == 0;
}

/* A span of the original text, on character boundaries, outside every
 * identifying word. */
static gboolean
span_valid (RelAnalysis   *analysis,
            const RelSpan *span)
{
  RelDocument *document = rel_analysis_get_document (analysis);
  const char *text = rel_document_get_text (document);
  gsize length = rel_document_get_length (document);
  GPtrArray *phi = rel_analysis_get_phi (analysis);

  if (span->start >= span->end || span->end > length)
    return FALSE;
  if ((text[span->start] & 0xC0) == 0x80 ||
      (span->end < length && (text[span->end] & 0xC0) == 0x80))
    return FALSE;
  for (guint i = 0; i < phi->len; i++)
    {
      const RelPhi *p = phi->pdata[i];

      if (p->start < span->end && span->start < p->end)
        return FALSE;
    }
  return TRUE;
}

/* Every code and summary item of @analysis stands on words of the original
 * report equal to what the server quoted (or, for a code, to the embedded
 * engine's evidence, which joins it). */
static void
check_grounded (RelAnalysis *analysis,
                RelAnalysis *reference)
{
  RelDocument *document = rel_analysis_get_document (analysis);
  GPtrArray *codes = rel_analysis_get_codes (analysis);
  GPtrArray *summary = rel_analysis_get_summary (analysis);
  guint n_spans = 0, n_quoted = 0, n_items = 0;

  g_assert_cmpstr (rel_analysis_get_engine_name (analysis), ==, "http");
  g_assert_cmpuint (fake.sent_codes->len, >, 0);
  g_assert_cmpuint (codes->len, >, 0);

  /* The DP the server named, first. */
  {
    const SentCode *dp = fake.sent_codes->pdata[0];
    const RelCodeSuggestion *first = codes->pdata[0];

    if (!g_str_equal (first->code, dp->code))
      g_test_fail_printf ("the first code is %s, the server's DP was %s", first->code, dp->code);
    g_assert_cmpstr (first->role, ==, "DP");
  }

  for (guint i = 0; i < fake.sent_codes->len; i++)
    {
      const SentCode *sent = fake.sent_codes->pdata[i];
      const RelCodeSuggestion *code = find_code (analysis, sent->code);
      const RelCodeSuggestion *embedded_code = find_code (reference, sent->code);
      gboolean quoted = FALSE;

      if (code == NULL)
        {
          g_test_fail_printf ("%s, offered and quoted by the server, is missing", sent->code);
          continue;
        }
      g_assert_true (rel_terminology_is_codable (terminology, code->code));
      if (i > 0 && g_strcmp0 (code->role, "DAS") != 0)
        g_test_fail_printf ("%s: role %s, the server said DAS", code->code,
                            code->role != NULL ? code->role : "null");
      for (guint j = 0; j < code->evidence->len; j++)
        {
          const RelSpan *span = &g_array_index (code->evidence, RelSpan, j);
          gboolean known = FALSE;

          n_spans++;
          if (!span_valid (analysis, span))
            {
              g_test_fail_printf ("%s: evidence [%u, %u) is not valid words of the report",
                                  code->code, span->start, span->end);
              continue;
            }
          if (span_equals (document, span, sent->quote))
            {
              quoted = TRUE;
              known = TRUE;
            }
          for (guint k = 0; embedded_code != NULL && k < embedded_code->evidence->len; k++)
            {
              const RelSpan *other = &g_array_index (embedded_code->evidence, RelSpan, k);

              if (other->end - other->start == span->end - span->start &&
                  memcmp (rel_document_get_text (document) + other->start,
                          rel_document_get_text (document) + span->start,
                          span->end - span->start) == 0)
                known = TRUE;
            }
          if (!known)
            g_test_fail_printf ("%s: evidence [%u, %u) is neither the server's quote nor the "
                                "embedded evidence", code->code, span->start, span->end);
        }
      if (quoted)
        n_quoted++;
      else
        g_test_fail_printf ("%s: no evidence is the words the server quoted (%zu bytes)",
                            code->code, strlen (sent->quote));
    }

  for (guint i = 0; i < codes->len; i++)
    {
      const RelCodeSuggestion *code = codes->pdata[i];

      for (guint j = 0; j < code->evidence->len; j++)
        if (!span_valid (analysis, &g_array_index (code->evidence, RelSpan, j)))
          g_test_fail_printf ("%s: evidence %u is not valid words of the report", code->code, j);
    }

  for (guint i = 0; i < fake.sent_items->len; i++)
    {
      const SentItem *sent = fake.sent_items->pdata[i];
      gboolean found = FALSE;

      for (guint s = 0; s < summary->len && !found; s++)
        {
          const RelSummarySection *section = summary->pdata[s];

          for (guint j = 0; j < section->items->len && !found; j++)
            {
              const RelSummaryItem *item = section->items->pdata[j];

              if (g_strcmp0 (item->text, sent->text) != 0)
                continue;
              found = TRUE;
              n_items++;
              if (!g_str_equal (section->section, sent->section))
                g_test_fail_printf ("summary item %u: in %s, the server said %s", i,
                                    section->section, sent->section);
              if (item->evidence->len == 0)
                g_test_fail_printf ("summary item %u has no evidence", i);
              for (guint k = 0; k < item->evidence->len; k++)
                {
                  const RelSpan *span = &g_array_index (item->evidence, RelSpan, k);

                  if (!span_valid (analysis, span) || !span_equals (document, span, sent->quote))
                    g_test_fail_printf ("summary item %u: evidence [%u, %u) is not the words "
                                        "quoted", i, span->start, span->end);
                }
            }
        }
      if (!found)
        g_test_fail_printf ("summary item %u (%s) is missing", i, sent->section);
    }
  for (guint s = 0; s < summary->len; s++)
    {
      const RelSummarySection *section = summary->pdata[s];

      for (guint j = 0; j < section->items->len; j++)
        {
          const RelSummaryItem *item = section->items->pdata[j];

          for (guint k = 0; k < item->evidence->len; k++)
            if (!span_valid (analysis, &g_array_index (item->evidence, RelSpan, k)))
              g_test_fail_printf ("summary %s item %u: evidence %u is not valid words",
                                  section->section, j, k);
        }
    }

  {
    g_autoptr(GString) list = g_string_new (NULL);

    for (guint i = 0; i < codes->len; i++)
      g_string_append_printf (list, "%s%s/%s", i > 0 ? " " : "",
                              ((RelCodeSuggestion *) codes->pdata[i])->code,
                              ((RelCodeSuggestion *) codes->pdata[i])->role != NULL
                                ? ((RelCodeSuggestion *) codes->pdata[i])->role : "-");
    g_test_message ("codes: %s; %u sent, %u quoted, %u evidence spans; %u/%u summary items",
                    list->str, fake.sent_codes->len, n_quoted, n_spans, n_items,
                    fake.sent_items->len);
  }
}

/* What the request must carry. */
static void
check_request (const Request         *request,
               const RelHttpSettings *settings,
               RelAnalysis           *reference,
               const char            *pseudonymized)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  JsonObject *object;
  const RelCodeSuggestion *first;
  gboolean ollama = settings->api == REL_SERVER_API_OLLAMA;

  g_assert_nonnull (request);
  g_assert_cmpstr (request->path, ==, ollama ? "/api/chat" : "/v1/chat/completions");
  g_assert_cmpstr (request->content_type, ==, "application/json");
  json_parser_load_from_data (parser, request->body, -1, &error);
  g_assert_no_error (error);
  object = json_node_get_object (json_parser_get_root (parser));
  g_assert_cmpstr (member_string (object, "model"), ==, settings->model);
  /* Ollama streams unless told not to. */
  g_assert_true (member (object, "stream") != NULL
                   ? json_object_get_boolean_member (object, "stream") : ollama);
  if (ollama)
    {
      g_assert_nonnull (member_object (object, "format"));
    }
  else
    {
      JsonObject *format = member_object (object, "response_format");
      JsonObject *schema = member_object (format, "json_schema");

      g_assert_cmpstr (member_string (format, "type"), ==, "json_schema");
      g_assert_nonnull (member_string (schema, "name"));
      g_assert_nonnull (member_object (schema, "schema"));
      g_assert_true (member (object, "max_tokens") != NULL ||
                     member (object, "max_completion_tokens") != NULL);
      g_assert_cmpint (json_object_get_int_member_with_default (
                         object, member (object, "max_tokens") != NULL
                                   ? "max_tokens" : "max_completion_tokens", 0),
                       ==, settings->max_tokens);
      g_assert_cmpfloat (json_object_get_double_member_with_default (object, "temperature", -1),
                         ==, settings->temperature);
    }
  if (settings->api_key != NULL)
    {
      g_autofree char *bearer = g_strconcat ("Bearer ", settings->api_key, NULL);

      g_assert_cmpstr (request->authorization, ==, bearer);
    }
  else
    {
      g_assert_null (request->authorization);
    }

  /* The codes offered: candidates of the embedded engine, codable, at most
   * max_candidates. */
  g_assert_nonnull (request->offered);
  g_assert_cmpuint (g_strv_length (request->offered), <=, settings->max_candidates);
  for (guint i = 0; request->offered[i] != NULL; i++)
    if (!rel_terminology_is_codable (terminology, request->offered[i]))
      g_test_fail_printf ("%s is offered and is not codable", request->offered[i]);
  first = rel_analysis_get_codes (reference)->pdata[0];
  g_test_message ("%u codes offered; the embedded engine's first code %s offered",
                  g_strv_length (request->offered),
                  g_strv_contains ((const char * const *) request->offered, first->code)
                    ? "is" : "is not");

  /* The pseudonymized report, whole, in the last user message. */
  g_assert_nonnull (request->user);
  if (strstr (request->user, pseudonymized) == NULL)
    g_test_fail_printf ("the last user message does not hold the pseudonymized text (%zu bytes)",
                        strlen (pseudonymized));
}

typedef struct
{
  GMutex     lock;
  GPtrArray *partials;
} Progress;

static void
on_progress (const char *partial,
             gpointer    user_data)
{
  Progress *progress = user_data;

  g_mutex_lock (&progress->lock);
  g_ptr_array_add (progress->partials, g_strdup (partial));
  g_mutex_unlock (&progress->lock);
}

static void
check_good (RelServerApi api,
            Reply        reply,
            const char  *api_key,
            guint        max_candidates)
{
  g_autoptr(RelDocument) document = load_sample ("crh-cardiologie.txt", NULL);
  g_autoptr(RelAnalysis) reference = embedded_analysis (document);
  g_autoptr(RelHttpSettings) settings = fast_settings (api);
  g_autoptr(RelEngine) engine = NULL;
  g_autoptr(RelAnalysis) analysis = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *json = NULL;
  Progress progress = { .partials = g_ptr_array_new_with_free_func (g_free) };
  double ms;

  fake_reset (api == REL_SERVER_API_OLLAMA ? KIND_OLLAMA : KIND_LLAMA, reply);
  set_hints (reference);
  settings->api_key = g_strdup (api_key);
  if (max_candidates > 0)
    settings->max_candidates = max_candidates;
  g_mutex_init (&progress.lock);
  engine = rel_http_engine_new (embedded, settings, &error);
  g_assert_no_error (error);
  rel_http_engine_set_progress (REL_HTTP_ENGINE (engine), on_progress, &progress, NULL);

  analysis = run_engine (engine, document, NULL, &ms, &error);
  g_test_message ("analysis in %.0f ms (embedded part included), %u request(s)", ms,
                  fake_count_posts ());
  g_assert_no_error (error);
  g_assert_nonnull (analysis);
  g_assert_cmpuint (fake_count_posts (), ==, 1);

  check_request (fake_last_post (), settings, reference,
                 rel_analysis_get_pseudonymized_text (analysis));
  /* Compared, never printed: it is report text. */
  g_assert_true (g_strcmp0 (rel_analysis_get_pseudonymized_text (analysis),
                            rel_analysis_get_pseudonymized_text (reference)) == 0);
  g_assert_cmpstr (rel_analysis_get_model (analysis), ==, settings->model);
  /* Identifying words, sections and mentions are the embedded engine's. */
  g_assert_cmpuint (rel_analysis_get_phi (analysis)->len, ==,
                    rel_analysis_get_phi (reference)->len);
  g_assert_cmpuint (rel_analysis_get_sections (analysis)->len, ==,
                    rel_analysis_get_sections (reference)->len);
  check_grounded (analysis, reference);

  /* The progress saw the reply grow, up to the whole of it. */
  g_test_message ("progress called %u times", progress.partials->len);
  g_assert_cmpuint (progress.partials->len, >=, 2);
  for (guint i = 0; i < progress.partials->len; i++)
    if (!g_str_has_prefix (fake.sent_content, progress.partials->pdata[i]))
      g_test_fail_printf ("progress %u is not the beginning of the reply", i);
  if (g_strcmp0 (progress.partials->pdata[progress.partials->len - 1], fake.sent_content) != 0)
    g_test_fail_printf ("the last progress is not the whole reply (%zu of %zu bytes)",
                        strlen (progress.partials->pdata[progress.partials->len - 1]),
                        strlen (fake.sent_content));

  /* The contract's JSON, with the engine's name. */
  json = rel_analysis_to_json_string (analysis, FALSE);
  {
    g_autoptr(JsonParser) parser = json_parser_new ();
    JsonObject *object;

    json_parser_load_from_data (parser, json, -1, &error);
    g_assert_no_error (error);
    object = json_node_get_object (json_parser_get_root (parser));
    g_assert_cmpstr (member_string (member_object (object, "engine"), "name"), ==, "http");
    g_assert_cmpstr (member_string (member_object (object, "engine"), "model"), ==,
                     settings->model);
  }
  check_logs_clean (reference);

  g_clear_object (&engine);
  g_ptr_array_unref (progress.partials);
  g_mutex_clear (&progress.lock);
}

static void
test_openai_good (void)
{
  check_good (REL_SERVER_API_OPENAI, REPLY_GOOD, "sk-test-0123456789", 0);
}

static void
test_openai_good_verbose (void)
{
  check_good (REL_SERVER_API_OPENAI, REPLY_GOOD_VERBOSE, NULL, 0);
}

static void
test_openai_sse_variants (void)
{
  static const struct { Framing framing; const char *name; } variants[] = {
    { FRAMING_CRLF, "CRLF line ends" },
    { FRAMING_NO_SPACE, "no space after \"data:\"" },
    { FRAMING_FIELDS, "id: and event: fields" },
    { FRAMING_ASCII, "non-ASCII as \\u escapes" },
  };
  g_autoptr(RelDocument) document = load_sample ("crh-cardiologie.txt", NULL);
  g_autoptr(RelAnalysis) reference = embedded_analysis (document);
  g_autoptr(RelHttpSettings) settings = fast_settings (REL_SERVER_API_OPENAI);

  for (guint i = 0; i < G_N_ELEMENTS (variants); i++)
    {
      g_autoptr(RelAnalysis) analysis = NULL;
      g_autoptr(GError) error = NULL;
      double ms;

      fake_reset (KIND_LLAMA, REPLY_GOOD_VERBOSE);
      set_hints (reference);
      g_mutex_lock (&fake.lock);
      fake.framing = variants[i].framing;
      g_mutex_unlock (&fake.lock);
      analysis = run (settings, document, &ms, &error);
      g_test_message ("%s: %s after %.0f ms", variants[i].name, error_name (error), ms);
      if (error != NULL)
        {
          g_test_fail_printf ("SSE with %s: %s", variants[i].name, error_name (error));
          continue;
        }
      check_grounded (analysis, reference);
    }
}

static void
test_ollama_good (void)
{
  check_good (REL_SERVER_API_OLLAMA, REPLY_GOOD, NULL, 5);
}

/* Every string of a JSON value, one after the other: what a body says once
 * its escapes are read. */
static void
collect_strings (JsonNode *node,
                 GString  *out)
{
  if (JSON_NODE_HOLDS_OBJECT (node))
    {
      g_autoptr(GList) members = json_object_get_members (json_node_get_object (node));

      for (GList *l = members; l != NULL; l = l->next)
        {
          g_string_append (out, l->data);
          g_string_append_c (out, '\n');
          collect_strings (json_object_get_member (json_node_get_object (node), l->data), out);
        }
    }
  else if (JSON_NODE_HOLDS_ARRAY (node))
    {
      JsonArray *array = json_node_get_array (node);

      for (guint i = 0; i < json_array_get_length (array); i++)
        collect_strings (json_array_get_element (array, i), out);
    }
  else if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING)
    {
      g_string_append (out, json_node_get_string (node));
      g_string_append_c (out, '\n');
    }
}

/* How many identifying strings of 4 bytes or more @body holds; the labels
 * and offsets of the first few go to the log, never the words. */
static guint
count_identifying (RelDocument *document,
                   GPtrArray   *phi,
                   const char  *body)
{
  guint found = 0;

  for (guint i = 0; i < phi->len; i++)
    {
      const RelPhi *span = phi->pdata[i];
      g_autofree char *words = span_text (document, span->start, span->end);

      if (strlen (words) >= 4 && strstr (body, words) != NULL)
        {
          if (found++ < 3 && body != rel_document_get_text (document))
            g_test_message ("identifying words %s at %u", span->label, span->start);
        }
    }
  return found;
}

static void
test_privacy (void)
{
  g_autofree char *dir = g_build_filename (g_getenv ("REL_SOURCE_ROOT") != NULL
                                             ? g_getenv ("REL_SOURCE_ROOT") : ".",
                                           "data", "samples", NULL);
  g_autoptr(GDir) samples = g_dir_open (dir, 0, NULL);
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  const char *name;
  guint n_phi = 0, n_bodies = 0;

  g_assert_nonnull (samples);
  while ((name = g_dir_read_name (samples)) != NULL)
    if (g_str_has_suffix (name, ".txt"))
      g_ptr_array_add (names, g_strdup (name));
  g_ptr_array_sort (names, (GCompareFunc) g_strcmp0);
  g_assert_cmpuint (names->len, >=, 10);

  for (guint n = 0; n < names->len; n++)
    {
      /* A file name is identifying too: reports are often named after
       * their patient. */
      g_autoptr(RelDocument) document = load_sample (names->pdata[n],
                                                     "/home/dim/DURAND_Jean_1950-03-12.txt");
      g_autoptr(RelAnalysis) reference = embedded_analysis (document);
      g_autoptr(RelHttpSettings) settings = fast_settings (n % 2 == 0 ? REL_SERVER_API_OPENAI
                                                                      : REL_SERVER_API_OLLAMA);
      g_autoptr(RelAnalysis) analysis = NULL;
      g_autoptr(GError) error = NULL;
      GPtrArray *phi = rel_analysis_get_phi (reference);
      double ms;

      fake_reset (n % 2 == 0 ? KIND_LLAMA : KIND_OLLAMA, REPLY_GOOD);
      set_hints (reference);
      analysis = run (settings, document, &ms, &error);
      g_assert_no_error (error);
      g_assert_nonnull (analysis);

      /* The detector finds what it looks for: the report itself would fail. */
      g_assert_cmpuint (count_identifying (document, phi, rel_document_get_text (document)), >, 0);
      g_mutex_lock (&fake.lock);
      for (guint r = 0; r < fake.requests->len; r++)
        {
          const Request *request = fake.requests->pdata[r];
          g_autoptr(JsonParser) parser = json_parser_new ();
          g_autoptr(GString) decoded = g_string_new (NULL);
          guint found;

          n_bodies++;
          /* Its strings, escapes read; numbers are no words (a year is
           * also a number of tokens). */
          if (json_parser_load_from_data (parser, request->body, -1, NULL))
            collect_strings (json_parser_get_root (parser), decoded);
          else
            g_string_append (decoded, request->body);
          for (guint i = 0; i < phi->len; i++)
            n_phi += ((RelPhi *) phi->pdata[i])->end - ((RelPhi *) phi->pdata[i])->start >= 4;
          found = count_identifying (document, phi, decoded->str);
          if (found > 0)
            g_test_fail_printf ("%s: request %u holds %u identifying strings",
                                (char *) names->pdata[n], r, found);
          if (strstr (decoded->str, "DURAND_Jean") != NULL)
            g_test_fail_printf ("%s: request %u holds the file name", (char *) names->pdata[n], r);
          if (request->user == NULL ||
              strstr (request->user, rel_analysis_get_pseudonymized_text (reference)) == NULL)
            g_test_fail_printf ("%s: request %u does not hold the pseudonymized text",
                                (char *) names->pdata[n], r);
        }
      g_mutex_unlock (&fake.lock);
      /* Compared, never printed: it is report text. */
      g_assert_true (g_strcmp0 (rel_analysis_get_pseudonymized_text (analysis),
                                rel_analysis_get_pseudonymized_text (reference)) == 0);
      /* What the store keeps of the server's analysis. */
      {
        g_autoptr(JsonNode) stored = rel_analysis_to_pseudonymized_json (analysis);
        g_autoptr(GString) stored_text = g_string_new (NULL);
        guint found;

        /* Strings only: a year among the identifying words is also an offset. */
        collect_strings (stored, stored_text);
        found = count_identifying (document, phi, stored_text->str);

        if (found > 0)
          g_test_fail_printf ("%s: the pseudonymized JSON holds %u identifying strings",
                              (char *) names->pdata[n], found);
      }
      check_logs_clean (reference);
    }
  g_test_message ("%u reports, %u request bodies, %u identifying strings looked for", names->len,
                  n_bodies, n_phi);
}

static void
test_refused (void)
{
  g_autoptr(RelDocument) document = load_sample ("crh-cardiologie.txt", NULL);
  g_autoptr(RelAnalysis) reference = embedded_analysis (document);
  g_autoptr(RelHttpSettings) settings = fast_settings (REL_SERVER_API_OPENAI);
  g_autoptr(GSocket) socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
                                            G_SOCKET_PROTOCOL_TCP, NULL);
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;
  g_autoptr(GError) error = NULL;
  guint port;

  /* A port that was free a moment ago, and nobody listens on. */
  g_socket_bind (socket, address, FALSE, &error);
  g_assert_no_error (error);
  bound = g_socket_get_local_address (socket, &error);
  g_assert_no_error (error);
  port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
  g_socket_close (socket, NULL);

  fake_reset (KIND_LLAMA, REPLY_GOOD);
  g_free (settings->url);
  settings->url = g_strdup_printf ("http://127.0.0.1:%u", port);
  expect_failure (settings, document, reference, REL_HTTP_ENGINE_ERROR_REFUSED, 1000, NULL,
                  "127.0.0.1");
  g_free (settings->url);
  settings->url = g_strdup_printf ("http://localhost:%u", port);
  expect_failure (settings, document, reference, REL_HTTP_ENGINE_ERROR_REFUSED, 1000, NULL,
                  "localhost");
  settings->api = REL_SERVER_API_OLLAMA;
  expect_failure (settings, document, reference, REL_HTTP_ENGINE_ERROR_REFUSED, 1000, NULL,
                  "ollama");
}

static void
test_server_error (void)
{
  g_autoptr(RelDocument) document = load_sample ("crh-cardiologie.txt", NULL);
  g_autoptr(RelAnalysis) reference = embedded_analysis (document);
  g_autoptr(RelHttpSettings) settings = fast_settings (REL_SERVER_API_OPENAI);
  g_autoptr(RelHttpSettings) ollama = fast_settings (REL_SERVER_API_OLLAMA);

  set_hints (reference);
  fake_reset (KIND_LLAMA, REPLY_HTTP_ERROR);
  fake_set_error (500, "application/json",
                  "{\"error\":{\"code\":500,\"message\":\"CUDA out of memory\","
                  "\"type\":\"server_error\"}}");
  expect_failure (settings, document, reference, REL_HTTP_ENGINE_ERROR_SERVER, 0,
                  "CUDA out of memory", "500, error object");

  fake_reset (KIND_LLAMA, REPLY_HTTP_ERROR);
  fake_set_error (500, "application/json", "{\"error\":{\"message\":\"CUDA out of memory\"}}");
  expect_failure (settings, document, reference, REL_HTTP_ENGINE_ERROR_SERVER, 0,
                  "CUDA out of memory", "500, bare error object");

  fake_reset (KIND_LLAMA, REPLY_HTTP_ERROR);
  fake_set_error (500, "application/json", "{\"error\":\"failed to allocate KV cache\"}");
  expect_failure (settings, document, reference, REL_HTTP_ENGINE_ERROR_SERVER, 0,
                  "failed to allocate KV cache", "500, error text");

  fake_reset (KIND_OLLAMA, REPLY_HTTP_ERROR);
  fake_set_error (404, "application/json",
                  "{\"error\":\"model \\\"llama3.1:8b\\\" not found, try pulling it first\"}");
  expect_failure (ollama, document, reference, REL_HTTP_ENGINE_ERROR_SERVER, 0,
                  "not found, try pulling it first", "Ollama 404, error text");

  /* vLLM's own shape. */
  fake_reset (KIND_VLLM, REPLY_HTTP_ERROR);
  fake_set_error (400, "application/json",
                  "{\"object\":\"error\",\"message\":\"This model's maximum context length is 8192"
                  " tokens\",\"type\":\"BadRequestError\",\"param\":null,\"code\":400}");
  expect_failure (settings, document, reference, REL_HTTP_ENGINE_ERROR_SERVER, 0,
                  "maximum context length", "vLLM 400, flat error");

  /* A proxy in front of the server. */
  fake_reset (KIND_LLAMA, REPLY_HTTP_ERROR);
  fake_set_error (502, "text/html",
                  "<html><head><title>502 Bad Gateway</title></head><body><center>"
                  "<h1>502 Bad Gateway</h1></center><hr><center>nginx</center></body></html>");
  expect_failure (settings, document, reference, REL_HTTP_ENGINE_ERROR_SERVER, 0, NULL,
                  "502 from a proxy, HTML");
}

static void
test_loading_then_ready (void)
{
  g_autoptr(RelDocument) document = load_sample ("crh-cardiologie.txt", NULL);
  g_autoptr(RelAnalysis) reference = embedded_analysis (document);
  g_autoptr(RelHttpSettings) settings = fast_settings (REL_SERVER_API_OPENAI);
  g_autoptr(RelAnalysis) analysis = NULL;
  g_autoptr(GError) error = NULL;
  double ms;

  fake_reset (KIND_LLAMA, REPLY_LOADING);
  set_hints (reference);
  g_mutex_lock (&fake.lock);
  fake.n_loading = 2;
  g_mutex_unlock (&fake.lock);
  analysis = run (settings, document, &ms, &error);
  g_test_message ("ready after %u answers 503, %u POST(s), %.0f ms", fake.n_loading_sent,
                  fake_count_posts (), ms);
  g_assert_no_error (error);
  g_assert_nonnull (analysis);
  g_assert_cmpuint (fake.n_loading_sent, ==, 2);
  g_assert_cmpuint (fake_last_post ()->status, ==, 200);
  check_grounded (analysis, reference);
  g_assert_cmpfloat (ms, <, TOTAL_MS);

  /* A model that never finishes loading: LOADING, within the total deadline. */
  fake_reset (KIND_LLAMA, REPLY_LOADING);
  g_mutex_lock (&fake.lock);
  fake.n_loading = G_MAXUINT;
  g_mutex_unlock (&fake.lock);
  expect_failure (settings, document, reference, REL_HTTP_ENGINE_ERROR_LOADING, TOTAL_MS + 500,
                  NULL, "always loading");
}

static void
test_never_answers (void)
{
  g_autoptr(RelDocument) document = load_sample ("crh-cardiologie.txt", NULL);
  g_autoptr(RelAnalysis) reference = embedded_analysis (document);
  g_autoptr(RelHttpSettings) settings = fast_settings (REL_SERVER_API_OPENAI);
  g_autoptr(RelHttpSettings) ollama = fast_settings (REL_SERVER_API_OLLAMA);

  fake_reset (KIND_LLAMA, REPLY_NEVER);
  expect_failure (settings, document, reference, REL_HTTP_ENGINE_ERROR_TIMEOUT,
                  3 * FIRST_BYTE_MS, NULL, "OpenAI, no answer");
  fake_reset (KIND_OLLAMA, REPLY_NEVER);
  expect_failure (ollama, document, reference, REL_HTTP_ENGINE_ERROR_TIMEOUT,
                  3 * FIRST_BYTE_MS, NULL, "Ollama, no answer");

  /* The headers at once, as llama-server and vLLM send them, then nothing:
   * the first-byte deadline, not the gap's, and not the total. */
  settings->gap_timeout_ms = 3000;
  fake_reset (KIND_LLAMA, REPLY_STALL);
  g_mutex_lock (&fake.lock);
  fake.first_delay_ms = 60000;
  g_mutex_unlock (&fake.lock);
  expect_failure (settings, document, reference, REL_HTTP_ENGINE_ERROR_TIMEOUT,
                  3 * FIRST_BYTE_MS, NULL, "OpenAI, headers then nothing");
}

/* A long prompt: the headers come at once, the first token after longer than
 * the gap allowed between tokens, and within the first-byte deadline. */
static void
test_slow_first_token (void)
{
  g_autoptr(RelDocument) document = load_sample ("crh-cardiologie.txt", NULL);
  g_autoptr(RelAnalysis) reference = embedded_analysis (document);

  for (RelServerApi api = REL_SERVER_API_OPENAI; api <= REL_SERVER_API_OLLAMA; api++)
    {
      g_autoptr(RelHttpSettings) settings = fast_settings (api);
      g_autoptr(RelAnalysis) analysis = NULL;
      g_autoptr(GError) error = NULL;
      double ms;

      settings->first_byte_timeout_ms = 2000;
      fake_reset (api == REL_SERVER_API_OLLAMA ? KIND_OLLAMA : KIND_LLAMA, REPLY_GOOD);
      set_hints (reference);
      g_mutex_lock (&fake.lock);
      fake.first_delay_ms = 2 * GAP_MS;
      g_mutex_unlock (&fake.lock);
      analysis = run (settings, document, &ms, &error);
      g_test_message ("%s: first token after %u ms: %s after %.0f ms",
                      api == REL_SERVER_API_OLLAMA ? "Ollama" : "OpenAI", 2 * GAP_MS,
                      error_name (error), ms);
      if (error != NULL)
        {
          g_test_fail_printf ("%s: %s, the gap deadline ran before the first token",
                              api == REL_SERVER_API_OLLAMA ? "Ollama" : "OpenAI",
                              error_name (error));
          continue;
        }
      check_grounded (analysis, reference);
    }
}

static void
test_stalls (void)
{
  g_autoptr(RelDocument) document = load_sample ("crh-cardiologie.txt", NULL);
  g_autoptr(RelAnalysis) reference = embedded_analysis (document);
  g_autoptr(RelHttpSettings) settings = fast_settings (REL_SERVER_API_OPENAI);
  g_autoptr(RelHttpSettings) ollama = fast_settings (REL_SERVER_API_OLLAMA);

  /* The first byte comes at once; only the gap can end it. */
  settings->first_byte_timeout_ms = 2000;
  ollama->first_byte_timeout_ms = 2000;
  set_hints (reference);
  fake_reset (KIND_LLAMA, REPLY_STALL);
  expect_failure (settings, document, reference, REL_HTTP_ENGINE_ERROR_TIMEOUT, 3 * GAP_MS, NULL,
                  "OpenAI, two frames then silence");
  fake_reset (KIND_OLLAMA, REPLY_STALL);
  expect_failure (ollama, document, reference, REL_HTTP_ENGINE_ERROR_TIMEOUT, 3 * GAP_MS, NULL,
                  "Ollama, two lines then silence");

  /* A stream that keeps coming but never ends: the total deadline. */
  settings->total_timeout_ms = 800;
  fake_reset (KIND_LLAMA, REPLY_ENDLESS);
  expect_failure (settings, document, reference, REL_HTTP_ENGINE_ERROR_TIMEOUT, 3 * 800, NULL,
                  "OpenAI, endless stream, total deadline");
}

static void
test_truncated (void)
{
  g_autoptr(RelDocument) document = load_sample ("crh-cardiologie.txt", NULL);
  g_autoptr(RelAnalysis) reference = embedded_analysis (document);
  g_autoptr(RelHttpSettings) settings = fast_settings (REL_SERVER_API_OPENAI);
  g_autoptr(RelHttpSettings) ollama = fast_settings (REL_SERVER_API_OLLAMA);

  set_hints (reference);
  fake_reset (KIND_LLAMA, REPLY_CLOSE_EARLY);
  expect_failure (settings, document, reference, REL_HTTP_ENGINE_ERROR_TRUNCATED, 2000, NULL,
                  "OpenAI, the whole content, closed without [DONE]");
  fake_reset (KIND_LLAMA, REPLY_DROP);
  expect_failure (settings, document, reference, REL_HTTP_ENGINE_ERROR_TRUNCATED, 2000, NULL,
                  "OpenAI, connection dropped mid-stream");
  fake_reset (KIND_LLAMA, REPLY_LENGTH);
  expect_failure (settings, document, reference, REL_HTTP_ENGINE_ERROR_TRUNCATED, 2000, NULL,
                  "OpenAI, finish_reason length");
  fake_reset (KIND_OLLAMA, REPLY_CLOSE_EARLY);
  expect_failure (ollama, document, reference, REL_HTTP_ENGINE_ERROR_TRUNCATED, 2000, NULL,
                  "Ollama, no \"done\": true");
  fake_reset (KIND_OLLAMA, REPLY_DROP);
  expect_failure (ollama, document, reference, REL_HTTP_ENGINE_ERROR_TRUNCATED, 2000, NULL,
                  "Ollama, connection dropped mid-stream");
  fake_reset (KIND_OLLAMA, REPLY_LENGTH);
  expect_failure (ollama, document, reference, REL_HTTP_ENGINE_ERROR_TRUNCATED, 2000, NULL,
                  "Ollama, done_reason length");
}

static void
test_invalid_json (void)
{
  g_autoptr(RelDocument) document = load_sample ("crh-cardiologie.txt", NULL);
  g_autoptr(RelAnalysis) reference = embedded_analysis (document);
  g_autoptr(RelHttpSettings) settings = fast_settings (REL_SERVER_API_OPENAI);
  g_autoptr(RelHttpSettings) ollama = fast_settings (REL_SERVER_API_OLLAMA);

  set_hints (reference);
  fake_reset (KIND_LLAMA, REPLY_NOT_JSON);
  expect_failure (settings, document, reference, REL_HTTP_ENGINE_ERROR_INVALID, 2000, NULL,
                  "OpenAI, prose");
  fake_reset (KIND_LLAMA, REPLY_BAD_SCHEMA);
  expect_failure (settings, document, reference, REL_HTTP_ENGINE_ERROR_INVALID, 2000, NULL,
                  "OpenAI, \"codes\" a string");
  fake_reset (KIND_LLAMA, REPLY_CUT_JSON);
  expect_failure (settings, document, reference, REL_HTTP_ENGINE_ERROR_INVALID, 2000, NULL,
                  "OpenAI, half an object");
  fake_reset (KIND_OLLAMA, REPLY_NOT_JSON);
  expect_failure (ollama, document, reference, REL_HTTP_ENGINE_ERROR_INVALID, 2000, NULL,
                  "Ollama, prose");
  fake_reset (KIND_OLLAMA, REPLY_BAD_SCHEMA);
  expect_failure (ollama, document, reference, REL_HTTP_ENGINE_ERROR_INVALID, 2000, NULL,
                  "Ollama, \"codes\" a string");
}

static void
test_invented_codes (void)
{
  g_autoptr(RelDocument) document = load_sample ("crh-cardiologie.txt", NULL);
  g_autoptr(RelAnalysis) reference = embedded_analysis (document);
  g_autoptr(RelHttpSettings) settings = fast_settings (REL_SERVER_API_OPENAI);
  g_autoptr(RelAnalysis) analysis = NULL;
  g_autoptr(GError) error = NULL;
  GPtrArray *summary;
  double ms;

  fake_reset (KIND_LLAMA, REPLY_INVENTED);
  set_hints (reference);
  analysis = run (settings, document, &ms, &error);
  g_assert_no_error (error);
  g_assert_nonnull (analysis);

  /* The premises: J189 is a real code the server was not offered, I50 a
   * category, Z9999 nothing; the invented quote is not in the report. */
  g_assert_true (rel_terminology_is_codable (terminology, "J189"));
  g_assert_false (g_strv_contains ((const char * const *) fake_last_post ()->offered, "J189"));
  g_assert_false (rel_terminology_is_codable (terminology, "I50"));
  g_assert_null (rel_terminology_lookup (terminology, "Z9999"));
  g_assert_null (strstr (rel_document_get_text (document), INVENTED_QUOTE));

  g_assert_null (find_code (analysis, "Z9999"));
  g_assert_null (find_code (analysis, "I50"));
  g_assert_null (find_code (analysis, "J189"));
  summary = rel_analysis_get_summary (analysis);
  for (guint s = 0; s < summary->len; s++)
    {
      const RelSummarySection *section = summary->pdata[s];

      for (guint j = 0; j < section->items->len; j++)
        if (g_strcmp0 (((RelSummaryItem *) section->items->pdata[j])->text, INVENTED_TEXT) == 0)
          g_test_fail_printf ("the summary item quoting nothing of the report is kept (%s)",
                              section->section);
    }
  /* What was right stays. */
  check_grounded (analysis, reference);
  {
    g_autofree char *json = rel_analysis_to_json_string (analysis, FALSE);
    g_autoptr(JsonParser) parser = json_parser_new ();

    json_parser_load_from_data (parser, json, -1, &error);
    g_assert_no_error (error);
  }
  check_logs_clean (reference);

  /* A code twice, and a second code called DP: each code once, one DP. */
  {
    g_autoptr(RelAnalysis) twice = NULL;
    GPtrArray *codes;
    guint n_dp = 0;

    fake_reset (KIND_LLAMA, REPLY_DUPLICATES);
    twice = run (settings, document, &ms, &error);
    g_assert_no_error (error);
    g_assert_nonnull (twice);
    codes = rel_analysis_get_codes (twice);
    for (guint i = 0; i < codes->len; i++)
      {
        const RelCodeSuggestion *code = codes->pdata[i];

        n_dp += g_strcmp0 (code->role, "DP") == 0;
        for (guint j = 0; j < i; j++)
          if (g_str_equal (code->code, ((RelCodeSuggestion *) codes->pdata[j])->code))
            g_test_fail_printf ("%s comes twice (%u and %u)", code->code, j, i);
      }
    g_test_message ("duplicates: %u codes, %u DP", codes->len, n_dp);
    if (n_dp != 1)
      g_test_fail_printf ("%u codes are DP", n_dp);
    g_assert_cmpstr (((RelCodeSuggestion *) codes->pdata[0])->role, ==, "DP");
    g_assert_cmpstr (((RelCodeSuggestion *) codes->pdata[0])->code, ==,
                     ((SentCode *) fake.sent_codes->pdata[0])->code);
  }
}

static void
test_huge_reply (void)
{
  g_autoptr(RelDocument) document = load_sample ("crh-cardiologie.txt", NULL);
  g_autoptr(RelAnalysis) reference = embedded_analysis (document);
  g_autoptr(RelHttpSettings) settings = fast_settings (REL_SERVER_API_OPENAI);
  g_autoptr(RelHttpSettings) ollama = fast_settings (REL_SERVER_API_OLLAMA);

  /* The pause of 2 s halfway is no deadline's business: reading on to the
   * end would take 2 s more than stopping at 4 MB. */
  settings->max_reply_size = 4 * 1024 * 1024;
  settings->gap_timeout_ms = 5000;
  settings->total_timeout_ms = 10000;
  ollama->max_reply_size = 4 * 1024 * 1024;
  ollama->gap_timeout_ms = 5000;
  ollama->total_timeout_ms = 10000;
  fake_reset (KIND_LLAMA, REPLY_HUGE);
  expect_failure (settings, document, reference, REL_HTTP_ENGINE_ERROR_TOO_LARGE, 1500, NULL,
                  "OpenAI, 10 MB");
  g_test_message ("the server had queued %zu bytes", fake.bytes_queued);
  fake_reset (KIND_OLLAMA, REPLY_HUGE);
  expect_failure (ollama, document, reference, REL_HTTP_ENGINE_ERROR_TOO_LARGE, 1500, NULL,
                  "Ollama, 10 MB");
}

static void
wait_for_abort (void)
{
  gint64 deadline = g_get_monotonic_time () + 2 * G_USEC_PER_SEC;
  guint n = 0;

  while (g_get_monotonic_time () < deadline)
    {
      g_mutex_lock (&fake.lock);
      n = fake.n_aborted;
      g_mutex_unlock (&fake.lock);
      if (n > 0)
        break;
      g_usleep (10000);
    }
  if (n == 0)
    g_test_fail_printf ("the server did not see the connection closed");
}

static void
check_cancel (RelServerApi api)
{
  g_autoptr(RelDocument) document = load_sample ("crh-cardiologie.txt", NULL);
  g_autoptr(RelAnalysis) reference = embedded_analysis (document);
  g_autoptr(RelHttpSettings) settings = fast_settings (api);
  g_autoptr(RelEngine) engine = NULL;
  g_autoptr(RelAnalysis) analysis = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  gint64 cancelled_at;
  double ms, after_cancel_ms;

  fake_reset (api == REL_SERVER_API_OLLAMA ? KIND_OLLAMA : KIND_LLAMA, REPLY_ENDLESS);
  g_mutex_lock (&fake.lock);
  fake.cancel = g_object_ref (cancellable);
  fake.cancel_after = 4;
  g_mutex_unlock (&fake.lock);
  engine = rel_http_engine_new (embedded, settings, &error);
  g_assert_no_error (error);
  analysis = run_engine (engine, document, cancellable, &ms, &error);
  g_mutex_lock (&fake.lock);
  cancelled_at = fake.cancelled_at;
  g_mutex_unlock (&fake.lock);
  g_assert_cmpint (cancelled_at, >, 0);
  after_cancel_ms = (g_get_monotonic_time () - cancelled_at) / 1000.0;
  g_test_message ("%s after %.0f ms, %.0f ms after the cancellation", error_name (error), ms,
                  after_cancel_ms);
  g_assert_null (analysis);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  if (after_cancel_ms > 150)
    g_test_fail_printf ("%.0f ms from the cancellation to the return", after_cancel_ms);
  wait_for_abort ();
}

static void
test_cancel (void)
{
  g_autoptr(RelDocument) document = load_sample ("crh-cardiologie.txt", NULL);
  g_autoptr(RelHttpSettings) settings = fast_settings (REL_SERVER_API_OPENAI);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(RelAnalysis) analysis = NULL;
  g_autoptr(GError) error = NULL;
  double ms;

  check_cancel (REL_SERVER_API_OPENAI);
  check_cancel (REL_SERVER_API_OLLAMA);

  /* Cancelled before it starts: nothing is sent. */
  fake_reset (KIND_LLAMA, REPLY_GOOD);
  g_cancellable_cancel (cancellable);
  {
    g_autoptr(RelEngine) engine = rel_http_engine_new (embedded, settings, &error);

    g_assert_no_error (error);
    analysis = run_engine (engine, document, cancellable, &ms, &error);
  }
  g_assert_null (analysis);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpuint (fake_count_posts (), ==, 0);
}

typedef struct
{
  RelEngine   *engine;
  RelDocument *document;
  RelAnalysis *analysis;
  GError      *error;
} Job;

static gpointer
job_run (gpointer data)
{
  Job *job = data;

  job->analysis = rel_engine_analyze (job->engine, job->document, NULL, &job->error);
  return NULL;
}

/* One engine, as the window keeps it: an analysis after a cancelled one, a
 * failed one, and two at once. */
static void
test_reuse (void)
{
  g_autoptr(RelDocument) document = load_sample ("crh-cardiologie.txt", NULL);
  g_autoptr(RelDocument) other = load_sample ("crh-pneumologie.txt", NULL);
  g_autoptr(RelAnalysis) reference = embedded_analysis (document);
  g_autoptr(RelAnalysis) other_reference = embedded_analysis (other);
  g_autoptr(RelHttpSettings) settings = fast_settings (REL_SERVER_API_OPENAI);
  g_autoptr(RelEngine) engine = NULL;
  g_autoptr(GError) error = NULL;
  static const Reply steps[] = { REPLY_GOOD, REPLY_ENDLESS, REPLY_GOOD, REPLY_STALL, REPLY_GOOD,
                                 REPLY_DROP, REPLY_GOOD };

  engine = rel_http_engine_new (embedded, settings, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < G_N_ELEMENTS (steps); i++)
    {
      g_autoptr(GCancellable) cancellable = g_cancellable_new ();
      g_autoptr(RelAnalysis) analysis = NULL;
      double ms;

      fake_reset (KIND_LLAMA, steps[i]);
      set_hints (reference);
      if (steps[i] == REPLY_ENDLESS)
        {
          g_mutex_lock (&fake.lock);
          fake.cancel = g_object_ref (cancellable);
          fake.cancel_after = 3;
          g_mutex_unlock (&fake.lock);
        }
      analysis = run_engine (engine, document, cancellable, &ms, &error);
      g_test_message ("step %u: %s after %.0f ms", i, error_name (error), ms);
      if (steps[i] == REPLY_GOOD)
        {
          g_assert_no_error (error);
          check_grounded (analysis, reference);
        }
      else
        {
          g_assert_null (analysis);
          g_assert_nonnull (error);
        }
      g_clear_error (&error);
    }

  /* Two at once on the same engine. */
  {
    RelAnalysis *analyses[] = { reference, other_reference };
    Job jobs[2] = { { engine, document, NULL, NULL }, { engine, other, NULL, NULL } };
    GThread *threads[2];

    fake_reset (KIND_LLAMA, REPLY_GOOD);
    set_hints_many (analyses, 2);
    g_mutex_lock (&fake.lock);
    fake.delay_ms = 1;
    g_mutex_unlock (&fake.lock);
    for (guint i = 0; i < 2; i++)
      threads[i] = g_thread_new ("job", job_run, &jobs[i]);
    for (guint i = 0; i < 2; i++)
      g_thread_join (threads[i]);
    for (guint i = 0; i < 2; i++)
      {
        GPtrArray *codes;

        g_test_message ("at once %u: %s", i, error_name (jobs[i].error));
        g_assert_no_error (jobs[i].error);
        g_assert_nonnull (jobs[i].analysis);
        g_assert_true (rel_analysis_get_document (jobs[i].analysis) == jobs[i].document);
        /* Compared, never printed: it is report text. */
        g_assert_true (g_strcmp0 (rel_analysis_get_pseudonymized_text (jobs[i].analysis),
                                  rel_analysis_get_pseudonymized_text (analyses[i])) == 0);
        codes = rel_analysis_get_codes (jobs[i].analysis);
        g_assert_cmpuint (codes->len, >, 0);
        for (guint c = 0; c < codes->len; c++)
          {
            const RelCodeSuggestion *code = codes->pdata[c];

            for (guint e = 0; e < code->evidence->len; e++)
              if (!span_valid (jobs[i].analysis, &g_array_index (code->evidence, RelSpan, e)))
                g_test_fail_printf ("at once %u: %s evidence %u is not valid", i, code->code, e);
          }
        g_object_unref (jobs[i].analysis);
      }
  }
}

static void
test_error_in_stream (void)
{
  g_autoptr(RelDocument) document = load_sample ("crh-cardiologie.txt", NULL);
  g_autoptr(RelAnalysis) reference = embedded_analysis (document);
  g_autoptr(RelHttpSettings) settings = fast_settings (REL_SERVER_API_OPENAI);
  g_autoptr(RelHttpSettings) ollama = fast_settings (REL_SERVER_API_OLLAMA);

  set_hints (reference);
  fake_reset (KIND_LLAMA, REPLY_ERROR_IN_STREAM);
  expect_failure (settings, document, reference, REL_HTTP_ENGINE_ERROR_SERVER, 2000,
                  "Context size has been exceeded", "OpenAI, error frame");
  fake_reset (KIND_OLLAMA, REPLY_ERROR_IN_STREAM);
  expect_failure (ollama, document, reference, REL_HTTP_ENGINE_ERROR_SERVER, 2000,
                  "out of memory", "Ollama, error line");
}

static void
expect_not_allowed (const char *url,
                    gboolean    allow_remote)
{
  g_autoptr(RelHttpSettings) settings = rel_http_settings_new (url);
  g_autoptr(GError) error = NULL;
  g_autoptr(RelEngine) engine = NULL;

  settings->allow_remote = allow_remote;
  engine = rel_http_engine_new (embedded, settings, &error);
  if (engine != NULL)
    g_test_fail_printf ("%s (allow_remote %d) is accepted", url, allow_remote);
  else if (!g_error_matches (error, REL_HTTP_ENGINE_ERROR, REL_HTTP_ENGINE_ERROR_NOT_ALLOWED))
    g_test_fail_printf ("%s (allow_remote %d): %s, not NOT_ALLOWED", url, allow_remote,
                        error_name (error));
}

static void
expect_allowed (const char *url,
                gboolean    allow_remote)
{
  g_autoptr(RelHttpSettings) settings = rel_http_settings_new (url);
  g_autoptr(GError) error = NULL;
  g_autoptr(RelEngine) engine = NULL;

  settings->allow_remote = allow_remote;
  engine = rel_http_engine_new (embedded, settings, &error);
  if (engine == NULL)
    g_test_fail_printf ("%s (allow_remote %d) is refused: %s", url, allow_remote,
                        error_name (error));
}

static void
test_not_allowed (void)
{
  expect_not_allowed ("http://192.0.2.1:8080", FALSE);
  expect_not_allowed ("http://192.0.2.1:8080", TRUE);
  expect_not_allowed ("https://192.0.2.1:8443", FALSE);
  expect_allowed ("https://192.0.2.1:8443", TRUE);
  expect_allowed ("https://llm.chu-exemple.fr/v1", TRUE);
  expect_not_allowed ("http://llm.chu-exemple.fr", TRUE);
  /* Names and forms that look local and are not. */
  expect_not_allowed ("http://localhost.chu-exemple.fr:8080", FALSE);
  expect_not_allowed ("http://127.0.0.1.chu-exemple.fr:8080", FALSE);
  expect_not_allowed ("http://127.0.0.1@192.0.2.1:8080", FALSE);
  expect_not_allowed ("http://[::ffff:192.0.2.1]:8080", FALSE);
  /* Loopback, plainly. */
  expect_allowed ("http://127.0.0.1:8080", FALSE);
  expect_allowed ("http://localhost:11434", FALSE);
  expect_allowed ("http://[::1]:8080", FALSE);
  expect_allowed (fake.url, FALSE);

  /* Not a URL of a server at all. */
  {
    const char * const bad[] = { "", "127.0.0.1:8080", "file:///etc/passwd", "ftp://127.0.0.1/" };

    for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
      {
        g_autoptr(RelHttpSettings) settings = rel_http_settings_new (bad[i]);
        g_autoptr(GError) error = NULL;
        g_autoptr(RelEngine) engine = rel_http_engine_new (embedded, settings, &error);

        if (engine != NULL || error == NULL)
          g_test_fail_printf ("\"%s\" is accepted as a server", bad[i]);
      }
  }
}

static void
test_redirect (void)
{
  g_autoptr(RelDocument) document = load_sample ("crh-cardiologie.txt", NULL);
  g_autoptr(RelAnalysis) reference = embedded_analysis (document);
  g_autoptr(RelHttpSettings) settings = fast_settings (REL_SERVER_API_OPENAI);
  g_autoptr(RelAnalysis) analysis = NULL;
  g_autoptr(GError) error = NULL;
  double ms;

  /* A loopback server sending the report on to a remote host: following
   * would connect there (REFUSED or TIMEOUT); not following is an error of
   * the server's. */
  fake_reset (KIND_LLAMA, REPLY_REDIRECT);
  analysis = run (settings, document, &ms, &error);
  g_test_message ("redirected to a remote host: %s after %.0f ms", error_name (error), ms);
  g_assert_null (analysis);
  g_assert_nonnull (error);
  if (!g_error_matches (error, REL_HTTP_ENGINE_ERROR, REL_HTTP_ENGINE_ERROR_SERVER) &&
      !g_error_matches (error, REL_HTTP_ENGINE_ERROR, REL_HTTP_ENGINE_ERROR_NOT_ALLOWED))
    g_test_fail_printf ("the redirection was followed (%s)", error_name (error));
}

static void
test_response_format_fallback (void)
{
  g_autoptr(RelDocument) document = load_sample ("crh-cardiologie.txt", NULL);
  g_autoptr(RelAnalysis) reference = embedded_analysis (document);
  g_autoptr(RelHttpSettings) settings = fast_settings (REL_SERVER_API_OPENAI);
  g_autoptr(RelAnalysis) analysis = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonParser) first = json_parser_new ();
  g_autoptr(JsonParser) second = json_parser_new ();
  JsonObject *first_request, *second_request;
  double ms;

  fake_reset (KIND_VLLM, REPLY_REJECT_SCHEMA);
  set_hints (reference);
  analysis = run (settings, document, &ms, &error);
  g_test_message ("%u POST(s), %.0f ms", fake_count_posts (), ms);
  g_assert_no_error (error);
  g_assert_nonnull (analysis);
  g_assert_cmpuint (fake_count_posts (), ==, 2);
  g_assert_true (json_parser_load_from_data (first, ((Request *) fake.requests->pdata[0])->body,
                                             -1, NULL));
  g_assert_true (json_parser_load_from_data (second, ((Request *) fake.requests->pdata[1])->body,
                                             -1, NULL));
  first_request = json_node_get_object (json_parser_get_root (first));
  second_request = json_node_get_object (json_parser_get_root (second));
  g_assert_cmpstr (member_string (member_object (first_request, "response_format"), "type"),
                   ==, "json_schema");
  g_assert_cmpstr (member_string (member_object (second_request, "response_format"), "type"),
                   ==, "json_object");
  check_grounded (analysis, reference);

  /* A 400 for another reason is not retried for ever. */
  fake_reset (KIND_VLLM, REPLY_ALWAYS_400);
  expect_failure (settings, document, reference, REL_HTTP_ENGINE_ERROR_SERVER, 2000,
                  "'messages' is malformed", "400 whatever the format");
  g_assert_cmpuint (fake_count_posts (), <=, 2);
}

static void
test_check_server (void)
{
  g_autoptr(RelHttpSettings) settings = fast_settings (REL_SERVER_API_OPENAI);
  g_autoptr(RelHttpSettings) ollama = fast_settings (REL_SERVER_API_OLLAMA);
  g_autoptr(GError) error = NULL;

  {
    g_autoptr(RelServerInfo) info = NULL;

    fake_reset (KIND_LLAMA, REPLY_GOOD);
    info = rel_http_check_server (settings, NULL, &error);
    g_assert_no_error (error);
    g_test_message ("llama-server: %s, %u model(s), %.1f ms", info->kind,
                    g_strv_length (info->models), info->round_trip_ms);
    g_assert_cmpstr (info->kind, ==, "llama.cpp");
    g_assert_true (g_strv_contains ((const char * const *) info->models, LLAMA_MODEL));
    g_assert_cmpfloat (info->round_trip_ms, >=, 0);
    g_assert_cmpfloat (info->round_trip_ms, <, 1000);
  }
  {
    g_autoptr(RelServerInfo) info = NULL;

    fake_reset (KIND_VLLM, REPLY_GOOD);
    info = rel_http_check_server (settings, NULL, &error);
    g_assert_no_error (error);
    g_test_message ("vLLM: %s, %u model(s)", info->kind, g_strv_length (info->models));
    g_assert_cmpstr (info->kind, ==, "vLLM");
    g_assert_true (g_strv_contains ((const char * const *) info->models, VLLM_MODEL));
  }
  {
    g_autoptr(RelServerInfo) info = NULL;

    fake_reset (KIND_OLLAMA, REPLY_GOOD);
    info = rel_http_check_server (ollama, NULL, &error);
    g_assert_no_error (error);
    g_test_message ("Ollama: %s, %u model(s)", info->kind, g_strv_length (info->models));
    g_assert_cmpstr (info->kind, ==, "Ollama");
    g_assert_true (g_strv_contains ((const char * const *) info->models, OLLAMA_MODEL));
    g_assert_true (g_strv_contains ((const char * const *) info->models, "mistral:7b"));
  }
  {
    g_autoptr(RelServerInfo) info = NULL;
    gint64 start = g_get_monotonic_time ();

    /* Still loading its model. */
    fake_reset (KIND_LLAMA, REPLY_LOADING);
    g_mutex_lock (&fake.lock);
    fake.n_loading = G_MAXUINT;
    g_mutex_unlock (&fake.lock);
    info = rel_http_check_server (settings, NULL, &error);
    g_test_message ("loading llama-server: %s after %.0f ms", error_name (error),
                    (g_get_monotonic_time () - start) / 1000.0);
    g_assert_null (info);
    g_assert_error (error, REL_HTTP_ENGINE_ERROR, REL_HTTP_ENGINE_ERROR_LOADING);
    g_clear_error (&error);
  }
  {
    g_autoptr(RelServerInfo) info = NULL;
    g_autoptr(RelHttpSettings) closed = fast_settings (REL_SERVER_API_OPENAI);
    g_autoptr(GSocket) socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
                                              G_SOCKET_PROTOCOL_TCP, NULL);
    g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
    g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, 0);
    g_autoptr(GSocketAddress) bound = NULL;

    /* Nobody listens. */
    g_socket_bind (socket, address, FALSE, &error);
    g_assert_no_error (error);
    bound = g_socket_get_local_address (socket, &error);
    g_assert_no_error (error);
    g_free (closed->url);
    closed->url = g_strdup_printf ("http://127.0.0.1:%u",
                                   g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound)));
    g_socket_close (socket, NULL);
    info = rel_http_check_server (closed, NULL, &error);
    g_assert_null (info);
    g_assert_error (error, REL_HTTP_ENGINE_ERROR, REL_HTTP_ENGINE_ERROR_REFUSED);
    g_clear_error (&error);
  }
  {
    g_autoptr(RelServerInfo) info = NULL;

    /* Nobody answers. */
    fake_reset (KIND_LLAMA, REPLY_NEVER);
    info = rel_http_check_server (settings, NULL, &error);
    g_assert_null (info);
    g_assert_nonnull (error);
    g_test_message ("nobody answers: %s", error_name (error));
  }
}

/* The summary fills in as the server writes it: only closed items count. */
static void
test_partial_summary (void)
{
  static const char *partial =
    "{\"summary\": [{\"section\": \"motif\", \"text\": \"Dyspnée {aiguë}\", "
    "\"quote\": \"a \\\"b\\\" }\"}, {\"section\": \"suivi\", \"text\": \"Consult";
  g_autoptr(GPtrArray) summary = rel_http_partial_summary (partial);
  g_autoptr(GPtrArray) none = rel_http_partial_summary ("{\"codes\": [");
  RelSummarySection *section;

  g_assert_cmpuint (summary->len, ==, 1);
  section = g_ptr_array_index (summary, 0);
  g_assert_cmpstr (section->section, ==, "motif");
  g_assert_cmpuint (section->items->len, ==, 1);
  g_assert_cmpstr (((RelSummaryItem *) g_ptr_array_index (section->items, 0))->text, ==,
                   "Dyspnée {aiguë}");
  g_assert_cmpuint (none->len, ==, 0);
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GError) error = NULL;
  int status;

  g_test_init (&argc, &argv, NULL);
  log_lines = g_ptr_array_new_with_free_func (g_free);
  g_log_set_writer_func (log_writer, NULL, NULL);

  terminology = rel_terminology_new_bundled (&error);
  g_assert_no_error (error);
  embedded = rel_embedded_engine_new (terminology, &error);
  g_assert_no_error (error);
  fake_start ();

  g_test_add_func ("/http/partial-summary", test_partial_summary);
  g_test_add_func ("/http/openai/good", test_openai_good);
  g_test_add_func ("/http/openai/good-verbose", test_openai_good_verbose);
  g_test_add_func ("/http/openai/sse-variants", test_openai_sse_variants);
  g_test_add_func ("/http/ollama/good", test_ollama_good);
  g_test_add_func ("/http/privacy", test_privacy);
  g_test_add_func ("/http/refused", test_refused);
  g_test_add_func ("/http/server-error", test_server_error);
  g_test_add_func ("/http/loading-then-ready", test_loading_then_ready);
  g_test_add_func ("/http/never-answers", test_never_answers);
  g_test_add_func ("/http/slow-first-token", test_slow_first_token);
  g_test_add_func ("/http/stalls", test_stalls);
  g_test_add_func ("/http/truncated", test_truncated);
  g_test_add_func ("/http/invalid-json", test_invalid_json);
  g_test_add_func ("/http/invented-codes", test_invented_codes);
  g_test_add_func ("/http/huge-reply", test_huge_reply);
  g_test_add_func ("/http/cancel", test_cancel);
  g_test_add_func ("/http/reuse", test_reuse);
  g_test_add_func ("/http/error-in-stream", test_error_in_stream);
  g_test_add_func ("/http/not-allowed", test_not_allowed);
  g_test_add_func ("/http/redirect", test_redirect);
  g_test_add_func ("/http/response-format-fallback", test_response_format_fallback);
  g_test_add_func ("/http/check-server", test_check_server);

  status = g_test_run ();
  fake_stop ();
  g_clear_object (&embedded);
  g_clear_object (&terminology);
  g_clear_pointer (&log_lines, g_ptr_array_unref);
  return status;
}
