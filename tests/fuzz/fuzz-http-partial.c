/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fuzz-http-partial.c: the summary read from a server's JSON while it is
 * still being written. */
#define G_LOG_DOMAIN "fuzz"

#include "config.h"

#include "fuzz.h"
#include "rel-http-engine.h"

int
rel_fuzz_http_partial (const guint8 *data,
                       gsize         size)
{
  /* The progress callback gets a C string: whatever precedes a NUL. */
  g_autofree char *partial = g_strndup ((const char *) data, size);
  g_autoptr(GPtrArray) summary = rel_http_partial_summary (partial);

  g_assert_nonnull (summary);
  for (guint i = 0; i < summary->len; i++)
    {
      const RelSummarySection *section = g_ptr_array_index (summary, i);

      g_assert_nonnull (section->section);
      g_assert_cmpuint (section->items->len, >, 0);
      for (guint j = 0; j < section->items->len; j++)
        g_assert_nonnull (((const RelSummaryItem *) g_ptr_array_index (section->items, j))->text);
    }
  return 0;
}
