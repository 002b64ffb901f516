/* SPDX-License-Identifier: GPL-3.0-or-later */
/* rel-summarizer.h: the structured summary, every item quoting the report. */
#pragma once

#include "rel-analysis.h"
#include <glib-object.h>

#include "rel-tokens.h"

G_BEGIN_DECLS

#define REL_TYPE_SUMMARIZER (rel_summarizer_get_type ())
G_DECLARE_FINAL_TYPE (RelSummarizer, rel_summarizer, REL, SUMMARIZER, GObject)

RelSummarizer *rel_summarizer_new       (GError        **error);
/* RelSummarySection*: motif, antécédents, treatments, key results, diagnoses
 * retained (from @codes) and follow-up; a section with nothing is left out. */
GPtrArray     *rel_summarizer_summarize (RelSummarizer  *self,
                                         RelTokens      *tokens,
                                         GArray         *sections,
                                         GPtrArray      *codes);

G_END_DECLS
