/* SPDX-License-Identifier: GPL-3.0-or-later */
/* rel-analysis.h: the immutable result of analysing one document. */
#pragma once

#include <json-glib/json-glib.h>

#include "rel-document.h"

G_BEGIN_DECLS

#define REL_TYPE_ANALYSIS (rel_analysis_get_type ())
G_DECLARE_FINAL_TYPE (RelAnalysis, rel_analysis, REL, ANALYSIS, GObject)

RelAnalysis  *rel_analysis_new              (RelDocument *document,
                                             const char  *engine_name,
                                             const char  *model,
                                             double       total_ms);

RelDocument  *rel_analysis_get_document     (RelAnalysis *self);
const char   *rel_analysis_get_engine_name  (RelAnalysis *self);
const char   *rel_analysis_get_model        (RelAnalysis *self);
double        rel_analysis_get_total_ms     (RelAnalysis *self);

/* The analysis as the JSON object of the contract in DESIGN.md. */
JsonNode     *rel_analysis_to_json          (RelAnalysis *self);
char         *rel_analysis_to_json_string   (RelAnalysis *self,
                                             gboolean     pretty);

G_END_DECLS
