/* SPDX-License-Identifier: GPL-3.0-or-later */
/* rel-http-engine.h: analysis by a hospital's inference server (llama.cpp's
 * llama-server, vLLM, Ollama), grounded in the report and the nomenclature. */
#pragma once

#include "rel-engine.h"
#include "rel-terminology.h"

G_BEGIN_DECLS

#define REL_HTTP_ENGINE_ERROR (rel_http_engine_error_quark ())

typedef enum
{
  REL_HTTP_ENGINE_ERROR_NOT_ALLOWED, /* a remote host without allow-remote and HTTPS */
  REL_HTTP_ENGINE_ERROR_REFUSED,     /* nobody answers at that address */
  REL_HTTP_ENGINE_ERROR_TIMEOUT,     /* a deadline passed */
  REL_HTTP_ENGINE_ERROR_LOADING,     /* still loading its model (503) after the retries */
  REL_HTTP_ENGINE_ERROR_SERVER,      /* an HTTP error or an error object from the server */
  REL_HTTP_ENGINE_ERROR_TRUNCATED,   /* cut: no [DONE] / "done": true, or finish_reason "length" */
  REL_HTTP_ENGINE_ERROR_INVALID,     /* not JSON, or JSON that breaks the schema */
  REL_HTTP_ENGINE_ERROR_TOO_LARGE,   /* a reply larger than the limit */
} RelHttpEngineError;

typedef enum
{
  REL_SERVER_API_OPENAI,  /* POST /v1/chat/completions, SSE (llama-server, vLLM, Ollama /v1) */
  REL_SERVER_API_OLLAMA,  /* POST /api/chat, NDJSON */
} RelServerApi;

typedef struct
{
  char         *url;                /* base URL: "http://127.0.0.1:8080" */
  char         *model;              /* %NULL: the server's default */
  char         *api_key;            /* sent as a Bearer token; %NULL for none */
  RelServerApi  api;
  gboolean      allow_remote;       /* a non-loopback host, and then only over HTTPS */
  guint         connect_timeout_ms; /* until the connection is up */
  guint         first_byte_timeout_ms;
  guint         gap_timeout_ms;     /* between two chunks of a stream */
  guint         total_timeout_ms;
  double        temperature;
  guint         max_tokens;
  gsize         max_reply_size;     /* bytes; larger replies are an error */
  guint         max_candidates;     /* codes offered to the model, from the embedded engine */
} RelHttpSettings;

/* Defaults: loopback only, 5 s to connect, 60 s to the first byte, 30 s
 * between chunks, 300 s in all, temperature 0, 4096 tokens, 4 MB, 40 codes. */
RelHttpSettings *rel_http_settings_new         (const char            *url);
/* From the application's GSettings: server-url, server-model, server-api-key,
 * allow-remote-server (Ollama's own API when the URL is on port 11434). */
RelHttpSettings *rel_http_settings_new_from_gsettings (GSettings        *gsettings);
RelHttpSettings *rel_http_settings_copy        (const RelHttpSettings *settings);
void             rel_http_settings_free        (RelHttpSettings       *settings);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (RelHttpSettings, rel_http_settings_free)

/* Called in the worker thread with the reply received so far (the model's
 * JSON, growing): marshal to the main thread before touching widgets. */
typedef void (*RelHttpProgressFunc) (const char *partial,
                                     gpointer    user_data);

#define REL_TYPE_HTTP_ENGINE (rel_http_engine_get_type ())
G_DECLARE_FINAL_TYPE (RelHttpEngine, rel_http_engine, REL, HTTP_ENGINE, GObject)

GQuark           rel_http_engine_error_quark   (void);

/* @embedded pseudonymizes, finds the candidate codes and the evidence the
 * server's answer is merged with; only pseudonymized text is sent. Fails
 * when the URL is not allowed. */
RelEngine       *rel_http_engine_new           (RelEngine             *embedded,
                                                const RelHttpSettings *settings,
                                                GError               **error);
void             rel_http_engine_set_progress  (RelHttpEngine         *self,
                                                RelHttpProgressFunc    func,
                                                gpointer               user_data,
                                                GDestroyNotify         destroy);

/* The summary items complete so far in @partial, the JSON a server is still
 * writing: RelSummarySection*, items without evidence (not yet grounded),
 * for showing the summary fill in. */
GPtrArray       *rel_http_partial_summary      (const char            *partial);

/* What "relecture-cli server check" prints. */
typedef struct
{
  char   *kind;      /* "llama.cpp", "vLLM", "Ollama" or "OpenAI-compatible" */
  GStrv   models;
  double  round_trip_ms;
} RelServerInfo;

void             rel_server_info_free          (RelServerInfo         *info);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (RelServerInfo, rel_server_info_free)

/* Lists the models (GET /v1/models, or /api/tags) and says what answers.
 * Blocking: call it from a worker thread or the CLI. */
RelServerInfo   *rel_http_check_server         (const RelHttpSettings *settings,
                                                GCancellable          *cancellable,
                                                GError               **error);

G_END_DECLS
