/* SPDX-License-Identifier: GPL-3.0-or-later */
/* rel-embedded-engine.h: the analysis that runs on every machine, with no server. */
#pragma once

#include "rel-engine.h"
#include "rel-terminology.h"

G_BEGIN_DECLS

#define REL_TYPE_EMBEDDED_ENGINE (rel_embedded_engine_get_type ())
G_DECLARE_FINAL_TYPE (RelEmbeddedEngine, rel_embedded_engine, REL, EMBEDDED_ENGINE, GObject)

RelEngine      *rel_embedded_engine_new              (RelTerminology    *terminology);
RelTerminology *rel_embedded_engine_get_terminology  (RelEmbeddedEngine *self);

G_END_DECLS
