/* SPDX-License-Identifier: GPL-3.0-or-later */
/* rel-code-search.h: type-ahead search of the nomenclature, in a popover. */
#pragma once

#include <gtk/gtk.h>

#include "rel-terminology.h"

G_BEGIN_DECLS

#define REL_TYPE_CODE_SEARCH (rel_code_search_get_type ())
G_DECLARE_FINAL_TYPE (RelCodeSearch, rel_code_search, REL, CODE_SEARCH, GtkPopover)

/* Emits "code-chosen" (const char *code, const char *label) when the coder
 * picks a codable code, then pops down. */
RelCodeSearch *rel_code_search_new             (void);
void           rel_code_search_set_terminology (RelCodeSearch  *self,
                                                RelTerminology *terminology);
/* Fills the entry and runs the search, as if typed (for tests). */
void           rel_code_search_set_query       (RelCodeSearch  *self,
                                                const char     *query);
/* The codes listed for the current query, best first (for tests). */
GStrv          rel_code_search_get_results     (RelCodeSearch  *self);

G_END_DECLS
