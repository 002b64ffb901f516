/* SPDX-License-Identifier: GPL-3.0-or-later */
/* rel-pseudonymizer.h: finds the identifying data of a report and replaces it. */
#pragma once

#include "rel-analysis.h"
#include "rel-tokens.h"
#include "rel-terminology.h"

G_BEGIN_DECLS

typedef enum
{
  REL_PSEUDO_PLACEHOLDER, /* [NOM-1], the same number for the same words */
  REL_PSEUDO_SURROGATE,   /* realistic fictitious values, dates shifted together */
  REL_PSEUDO_REMOVE,      /* nothing left */
} RelPseudoStrategy;

#define REL_TYPE_PSEUDONYMIZER (rel_pseudonymizer_get_type ())
G_DECLARE_FINAL_TYPE (RelPseudonymizer, rel_pseudonymizer, REL, PSEUDONYMIZER, GObject)

/* @terminology (may be %NULL) keeps medical abbreviations from being taken for names. */
RelPseudonymizer *rel_pseudonymizer_new   (RelTerminology    *terminology,
                                           GError           **error);
/* RelPhi*, in text order, not overlapping. */
GPtrArray        *rel_pseudonymizer_find  (RelPseudonymizer  *self,
                                           const char        *text,
                                           gsize              length);
/* The same over @text's tokens, already cut (by the engine, for all stages). */
GPtrArray        *rel_pseudonymizer_find_in_tokens (RelPseudonymizer *self,
                                           RelTokens         *tokens,
                                           const char        *text,
                                           gsize              length);
/* Sets each span's replacement and returns the pseudonymized text. @seed
 * makes surrogates reproducible; the mapping stays in @phi, on this machine. */
char             *rel_pseudonymizer_apply (RelPseudonymizer  *self,
                                           const char        *text,
                                           gsize              length,
                                           GPtrArray         *phi,
                                           RelPseudoStrategy  strategy,
                                           guint32            seed);

G_END_DECLS
