/* SPDX-License-Identifier: GPL-3.0-or-later */
/* rel-sectioner.h: finds the sections of a report, from its titles or its content. */
#pragma once

#include <glib-object.h>

#include "rel-tokens.h"

G_BEGIN_DECLS

typedef struct
{
  const char *label;        /* interned: "antecedents", "conclusion"… (DESIGN.md) */
  guint       start;        /* byte offsets of the whole section, title included */
  guint       end;
  guint       title_start;  /* the title as written; empty when inferred from content */
  guint       title_end;
  gboolean    family;       /* family history ("Antécédents familiaux") */
  gboolean    inferred;     /* no title: labelled from what the paragraph says */
} RelSection;

#define REL_TYPE_SECTIONER (rel_sectioner_get_type ())
G_DECLARE_FINAL_TYPE (RelSectioner, rel_sectioner, REL, SECTIONER, GObject)

RelSectioner *rel_sectioner_new  (GError       **error);
/* Sections in text order (an array of RelSection); the administrative header
 * before the first title belongs to none. */
GArray       *rel_sectioner_find (RelSectioner  *self,
                                  RelTokens     *tokens);
/* The section holding @offset, or %NULL. */
const RelSection *rel_sections_lookup (GArray *sections,
                                       guint   offset);

G_END_DECLS
