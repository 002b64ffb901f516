/* SPDX-License-Identifier: GPL-3.0-or-later */
/* rel-lexicon.h: the authored word lists of data/lexicons, read from the resources. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Rows of data/lexicons/@name (tab-separated, '#' comments skipped), each a
 * GStrv with at least @min_columns fields; a shorter row is an error. */
GPtrArray *rel_lexicon_load (const char  *name,
                             guint        min_columns,
                             GError     **error);

/* Adds the first column of data/lexicons/@name to @set (owning its keys), each
 * expression folded word by word and joined by spaces, as tokens compare. */
gboolean   rel_lexicon_load_words (const char  *name,
                                   GHashTable  *set,
                                   GError     **error);

G_END_DECLS
