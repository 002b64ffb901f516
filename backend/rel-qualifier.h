/* SPDX-License-Identifier: GPL-3.0-or-later */
/* rel-qualifier.h: negation, hypothesis, family and history of a mention. */
#pragma once

#include "rel-sectioner.h"
#include <glib-object.h>

#include "rel-tokens.h"

G_BEGIN_DECLS

typedef struct
{
  gboolean negated;     /* "pas de fièvre" */
  gboolean hypothesis;  /* "suspicion d'embolie pulmonaire" */
  gboolean family;      /* "mère diabétique" */
  gboolean history;     /* "ATCD de", the antécédents section */
  gboolean resolved;    /* past and over: "guéri", "dans l'enfance" */
  gboolean terrain;     /* background, not the matter: "chez un patient hypertendu" */
} RelQualifiers;

#define REL_TYPE_QUALIFIER (rel_qualifier_get_type ())
G_DECLARE_FINAL_TYPE (RelQualifier, rel_qualifier, REL, QUALIFIER, GObject)

RelQualifier *rel_qualifier_new      (GError       **error);
/* Finds every cue of the text once; the result feeds rel_qualifier_qualify(). */
GArray       *rel_qualifier_scan     (RelQualifier  *self,
                                      RelTokens     *tokens);
/* Qualifies the words @first_token..@last_token (inclusive), whatever found
 * them; @sections may be %NULL. */
void          rel_qualifier_qualify  (RelQualifier  *self,
                                      RelTokens     *tokens,
                                      GArray        *cues,
                                      GArray        *sections,
                                      guint          first_token,
                                      guint          last_token,
                                      RelQualifiers *out);

G_END_DECLS
