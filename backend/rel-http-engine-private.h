/* SPDX-License-Identifier: GPL-3.0-or-later */
/* rel-http-engine-private.h: the HTTP engine's reply parsing, reachable by the fuzzers. */
#pragma once

#include "rel-http-engine.h"

G_BEGIN_DECLS

/* Feeds @bytes, the body of a 200 reply in the framing of @api (SSE or
 * NDJSON), through the line handler and the answer builder of the network
 * path, against @base, the embedded analysis the request was made from.
 * For tests and fuzzing only: no request is sent. */
RelAnalysis *rel_http_engine_parse_reply_for_tests (RelHttpEngine  *self,
                                                    RelAnalysis    *base,
                                                    RelServerApi    api,
                                                    const char     *bytes,
                                                    gsize           length,
                                                    GError        **error);

G_END_DECLS
