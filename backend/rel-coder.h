/* SPDX-License-Identifier: GPL-3.0-or-later */
/* rel-coder.h: from qualified mentions to ranked CIM-10 suggestions with roles. */
#pragma once

#include "rel-analysis.h"
#include "rel-matcher.h"
#include "rel-qualifier.h"

G_BEGIN_DECLS

#define REL_TYPE_CODER (rel_coder_get_type ())
G_DECLARE_FINAL_TYPE (RelCoder, rel_coder, REL, CODER, GObject)

RelCoder  *rel_coder_new      (RelTerminology  *terminology,
                               GError         **error);
/* Turns @matches (RelMatch) and their @qualifiers (RelQualifiers, same order)
 * into mentions (RelMention*) and ranked suggestions (RelCodeSuggestion*). */
void       rel_coder_code     (RelCoder        *self,
                               RelTokens       *tokens,
                               GArray          *sections,
                               RelQualifier    *qualifier,
                               GArray          *cues,
                               GArray          *matches,
                               GArray          *qualifiers,
                               GPtrArray      **mentions,
                               GPtrArray      **codes);

G_END_DECLS
