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

G_END_DECLS
