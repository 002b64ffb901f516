/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fuzz-http-reply.c: an inference server's streamed reply (SSE or NDJSON
 * framing, then the model's JSON answer) against a fixed report.
 *
 * The first byte picks the framing: 'O' for Ollama's NDJSON, anything else
 * for the SSE of llama-server and vLLM; the rest is the body. */
#define G_LOG_DOMAIN "fuzz"

#include "config.h"

#include "fuzz.h"
#include "rel-embedded-engine.h"
#include "rel-http-engine-private.h"

/* Identifying words shift the offsets between the two texts: keep some. */
#define REPORT \
  "Compte rendu d'hospitalisation\n" \
  "Patient : DUPONT Jean, né le 12/03/1950.\n" \
  "Motif : dyspnée d'effort.\n" \
  "Antécédents : diabète de type 2, hypertension artérielle.\n" \
  "Conclusion : insuffisance cardiaque gauche décompensée sur fibrillation atriale. " \
  "Pas de pneumopathie.\n" \
  "Traitement de sortie : furosémide 40 mg.\n"

static RelEngine *http;
static RelAnalysis *base;

static void
setup (void)
{
  g_autoptr(RelHttpSettings) settings = rel_http_settings_new ("http://127.0.0.1:8080");
  g_autoptr(GBytes) bytes = g_bytes_new_static (REPORT, sizeof REPORT - 1);
  g_autoptr(RelDocument) document = NULL;
  g_autoptr(GError) error = NULL;

  document = rel_document_new_from_bytes (bytes, "report.txt", 0, &error);
  g_assert_no_error (error);
  base = rel_engine_analyze (rel_fuzz_get_engine (), document, NULL, &error);
  g_assert_no_error (error);
  http = rel_http_engine_new (rel_fuzz_get_engine (), settings, &error);
  g_assert_no_error (error);
}

int
rel_fuzz_http_reply (const guint8 *data,
                     gsize         size)
{
  g_autoptr(RelAnalysis) analysis = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *json = NULL;
  const char *text;
  gsize length;
  GPtrArray *array;

  if (size == 0)
    return 0;
  if (http == NULL)
    setup ();

  analysis = rel_http_engine_parse_reply_for_tests (REL_HTTP_ENGINE (http), base,
                                                    data[0] == 'O' ? REL_SERVER_API_OLLAMA
                                                                   : REL_SERVER_API_OPENAI,
                                                    (const char *) data + 1, size - 1, &error);
  if (analysis == NULL)
    {
      g_assert_true (error != NULL && error->domain == REL_HTTP_ENGINE_ERROR);
      return 0;
    }
  g_assert_no_error (error);

  /* Every kept code was offered and is codable; every span is of the report. */
  text = rel_document_get_text (rel_analysis_get_document (analysis));
  length = rel_document_get_length (rel_analysis_get_document (analysis));
  array = rel_analysis_get_codes (analysis);
  for (guint i = 0; i < array->len; i++)
    {
      const RelCodeSuggestion *code = g_ptr_array_index (array, i);

      g_assert_true (rel_terminology_is_codable (rel_fuzz_get_terminology (), code->code));
      for (guint j = 0; j < code->evidence->len; j++)
        {
          const RelSpan *span = &g_array_index (code->evidence, RelSpan, j);

          rel_fuzz_check_span (text, length, span->start, span->end);
        }
    }
  array = rel_analysis_get_summary (analysis);
  for (guint i = 0; i < array->len; i++)
    {
      const RelSummarySection *section = g_ptr_array_index (array, i);

      for (guint j = 0; j < section->items->len; j++)
        {
          const RelSummaryItem *item = g_ptr_array_index (section->items, j);

          for (guint k = 0; k < item->evidence->len; k++)
            {
              const RelSpan *span = &g_array_index (item->evidence, RelSpan, k);

              rel_fuzz_check_span (text, length, span->start, span->end);
            }
        }
    }

  json = rel_analysis_to_json_string (analysis, FALSE);
  g_assert_nonnull (json);
  return 0;
}
