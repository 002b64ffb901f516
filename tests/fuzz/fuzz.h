/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fuzz.h: the fuzz harnesses, shared by the libFuzzer programs and the
 * regression test that replays the inputs they once crashed on. */
#pragma once

#include "rel-engine.h"
#include "rel-terminology.h"

G_BEGIN_DECLS

/* Each takes one input, returns 0, and aborts (an assertion, a sanitizer
 * report) when the backend misbehaves on it. */
int             rel_fuzz_document       (const guint8 *data,
                                         gsize         size);
int             rel_fuzz_pseudonymizer  (const guint8 *data,
                                         gsize         size);
int             rel_fuzz_engine         (const guint8 *data,
                                         gsize         size);
int             rel_fuzz_terminology    (const guint8 *data,
                                         gsize         size);
int             rel_fuzz_http_partial   (const guint8 *data,
                                         gsize         size);
int             rel_fuzz_http_reply     (const guint8 *data,
                                         gsize         size);
int             rel_fuzz_store_jsonl    (const guint8 *data,
                                         gsize         size);

/* fuzz-common.c: what every input shares, built on first use. */
void            rel_fuzz_init           (void);
RelTerminology *rel_fuzz_get_terminology (void);
RelEngine      *rel_fuzz_get_engine     (void);
/* A private folder, removed at exit; harnesses delete their files in it. */
const char     *rel_fuzz_get_tmpdir     (void);
/* Asserts that @span lies within @text (@length bytes) on character bounds. */
void            rel_fuzz_check_span     (const char   *text,
                                         gsize         length,
                                         guint         start,
                                         guint         end);

G_END_DECLS
