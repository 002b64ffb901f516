/* SPDX-License-Identifier: GPL-3.0-or-later */
/* rel-matcher.h: finds the terms of the terminology in a report. */
#pragma once

#include "rel-terminology.h"
#include "rel-tokens.h"

G_BEGIN_DECLS

/* A term found in the text, before qualification. */
typedef struct
{
  guint             start;       /* byte offsets of the words matched */
  guint             end;
  guint             first_token;
  guint             last_token;  /* inclusive */
  const RelConcept *concept;     /* codable; for an ambiguous term, the reading chosen */
  const RelSynonym *synonym;     /* the synonym that matched, %NULL for a label */
  gboolean          ambiguous;   /* several readings and the context did not settle it */
} RelMatch;

#define REL_TYPE_MATCHER (rel_matcher_get_type ())
G_DECLARE_FINAL_TYPE (RelMatcher, rel_matcher, REL, MATCHER, GObject)

/* Indexes the labels and synonyms of @terminology; @stopwords are skipped inside terms. */
RelMatcher *rel_matcher_new            (RelTerminology *terminology,
                                        GHashTable     *stopwords);
/* Longest, non-overlapping matches, in text order (an array of RelMatch). */
GArray     *rel_matcher_find           (RelMatcher     *self,
                                        RelTokens      *tokens);
/* Every term indexed, its folded words joined by a space (for the baseline of
 * tests/bench/run, which matches the same dictionary). */
GStrv       rel_matcher_dup_terms      (RelMatcher     *self);
/* The codable code a non-codable parent stands for: I50 → I509, E11 → E1198. */
const RelConcept *rel_matcher_resolve  (RelMatcher       *self,
                                        const RelConcept *concept);

G_END_DECLS
