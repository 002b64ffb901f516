/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fuzz-engine.c: the embedded engine (sections, matcher, qualifiers, coder,
 * summary) on a document made from arbitrary bytes. */
#define G_LOG_DOMAIN "fuzz"

#include "config.h"

#include <string.h>

#include "fuzz.h"
#include "rel-analysis.h"

int
rel_fuzz_engine (const guint8 *data,
                 gsize         size)
{
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(RelDocument) document = NULL;
  g_autoptr(RelAnalysis) analysis = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) pseudonymized = NULL;
  g_autofree char *json = NULL;
  const char *text;
  gsize length;
  GPtrArray *array;

  /* PDF parsing is the document harness's: here the text pipeline. */
  if (size >= 5 && memcmp (data, "%PDF-", 5) == 0)
    return 0;
  bytes = g_bytes_new (data, size);
  document = rel_document_new_from_bytes (bytes, "fuzz.txt", 0, NULL);
  if (document == NULL)
    return 0;
  text = rel_document_get_text (document);
  length = rel_document_get_length (document);

  analysis = rel_engine_analyze (rel_fuzz_get_engine (), document, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (analysis);

  array = rel_analysis_get_phi (analysis);
  for (guint i = 0; i < array->len; i++)
    {
      const RelPhi *span = g_ptr_array_index (array, i);

      rel_fuzz_check_span (text, length, span->start, span->end);
    }
  array = rel_analysis_get_mentions (analysis);
  for (guint i = 0; i < array->len; i++)
    {
      const RelMention *mention = g_ptr_array_index (array, i);

      rel_fuzz_check_span (text, length, mention->start, mention->end);
    }
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
  {
    GArray *sections = rel_analysis_get_sections (analysis);

    for (guint i = 0; i < sections->len; i++)
      {
        const RelSection *section = &g_array_index (sections, RelSection, i);

        rel_fuzz_check_span (text, length, section->start, section->end);
        rel_fuzz_check_span (text, length, section->title_start, section->title_end);
      }
  }
  array = rel_analysis_get_summary (analysis);
  for (guint i = 0; i < array->len; i++)
    {
      const RelSummarySection *section = g_ptr_array_index (array, i);

      for (guint j = 0; j < section->items->len; j++)
        {
          const RelSummaryItem *item = g_ptr_array_index (section->items, j);

          g_assert_true (g_utf8_validate (item->text, -1, NULL));
          for (guint k = 0; k < item->evidence->len; k++)
            {
              const RelSpan *span = &g_array_index (item->evidence, RelSpan, k);

              rel_fuzz_check_span (text, length, span->start, span->end);
            }
        }
    }
  g_assert_true (g_utf8_validate (rel_analysis_get_pseudonymized_text (analysis), -1, NULL));

  /* What the CLI prints and the store keeps. */
  json = rel_analysis_to_json_string (analysis, FALSE);
  g_assert_true (g_utf8_validate (json, -1, NULL));
  pseudonymized = rel_analysis_to_pseudonymized_json (analysis);
  g_assert_nonnull (pseudonymized);
  return 0;
}
