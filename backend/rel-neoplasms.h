/* SPDX-License-Identifier: GPL-3.0-or-later */
/* rel-neoplasms.h: tumour codes composed from a morphology and a site. */
#pragma once

#include "rel-matcher.h"

G_BEGIN_DECLS

#define REL_TYPE_NEOPLASMS (rel_neoplasms_get_type ())
G_DECLARE_FINAL_TYPE (RelNeoplasms, rel_neoplasms, REL, NEOPLASMS, GObject)

RelNeoplasms *rel_neoplasms_new  (RelMatcher     *matcher,
                                  RelTerminology *terminology,
                                  GError        **error);
/* "adénocarcinome du lobe supérieur du poumon droit" → C34, "métastases
 * hépatiques" → C787: matches (RelMatch) to add to the dictionary's. */
GArray       *rel_neoplasms_find (RelNeoplasms   *self,
                                  RelTokens      *tokens);
/* Merges @composed into @matches: where they overlap, the longer one, or the
 * composed one for a tumour named without its site, wins. */
void          rel_neoplasms_merge (GArray        *matches,
                                   GArray        *composed);

G_END_DECLS
