/* SPDX-License-Identifier: GPL-3.0-or-later */
/* rel-embedded-engine.h: the analysis that runs on every machine, with no server. */
#pragma once

#include "rel-engine.h"
#include "rel-pseudonymizer.h"
#include "rel-qualifier.h"
#include "rel-terminology.h"

G_BEGIN_DECLS

#define REL_TYPE_EMBEDDED_ENGINE (rel_embedded_engine_get_type ())
G_DECLARE_FINAL_TYPE (RelEmbeddedEngine, rel_embedded_engine, REL, EMBEDDED_ENGINE, GObject)

/* Indexes @terminology and reads the lexicons: call it off the main thread
 * with a full nomenclature. */
RelEngine      *rel_embedded_engine_new              (RelTerminology    *terminology,
                                                      GError           **error);
RelTerminology *rel_embedded_engine_get_terminology  (RelEmbeddedEngine *self);
RelPseudonymizer *rel_embedded_engine_get_pseudonymizer (RelEmbeddedEngine *self);

/* The qualifiers of arbitrary spans of @text (RelSpan in, RelQualifiers out),
 * whoever found them: for evaluation against annotated corpora. */
GArray         *rel_embedded_engine_qualify_spans    (RelEmbeddedEngine *self,
                                                      const char        *text,
                                                      gsize              length,
                                                      GArray            *spans);

G_END_DECLS
