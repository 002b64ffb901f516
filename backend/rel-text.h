/* SPDX-License-Identifier: GPL-3.0-or-later */
/* rel-text.h: text folding shared by the terminology search and the matcher. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

char     *rel_text_fold        (const char *text,
                                gssize      length);
gboolean  rel_text_is_blank    (const char *text,
                                gssize      length);
gboolean  rel_text_is_ascii    (const char *text,
                                gsize       length);

G_END_DECLS
