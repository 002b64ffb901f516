/* SPDX-License-Identifier: GPL-3.0-or-later */
/* rel-analysis.c: the analysis of a document and its JSON form. */
#define G_LOG_DOMAIN "rel-analysis"

#include "config.h"

#include "rel-analysis.h"

struct _RelAnalysis
{
  GObject      parent_instance;

  RelDocument *document;
  char        *engine_name;
  char        *model;
  double       total_ms;
};

G_DEFINE_FINAL_TYPE (RelAnalysis, rel_analysis, G_TYPE_OBJECT)

static void
rel_analysis_finalize (GObject *object)
{
  RelAnalysis *self = (RelAnalysis *) object;

  g_clear_object (&self->document);
  g_free (self->engine_name);
  g_free (self->model);

  G_OBJECT_CLASS (rel_analysis_parent_class)->finalize (object);
}

static void
rel_analysis_class_init (RelAnalysisClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = rel_analysis_finalize;
}

static void
rel_analysis_init (RelAnalysis *self)
{
}

RelAnalysis *
rel_analysis_new (RelDocument *document,
                  const char  *engine_name,
                  const char  *model,
                  double       total_ms)
{
  RelAnalysis *self;

  g_return_val_if_fail (REL_IS_DOCUMENT (document), NULL);
  g_return_val_if_fail (engine_name != NULL, NULL);

  self = g_object_new (REL_TYPE_ANALYSIS, NULL);
  self->document = g_object_ref (document);
  self->engine_name = g_strdup (engine_name);
  self->model = g_strdup (model);
  self->total_ms = total_ms;

  return self;
}

RelDocument *
rel_analysis_get_document (RelAnalysis *self)
{
  g_return_val_if_fail (REL_IS_ANALYSIS (self), NULL);
  return self->document;
}

const char *
rel_analysis_get_engine_name (RelAnalysis *self)
{
  g_return_val_if_fail (REL_IS_ANALYSIS (self), NULL);
  return self->engine_name;
}

const char *
rel_analysis_get_model (RelAnalysis *self)
{
  g_return_val_if_fail (REL_IS_ANALYSIS (self), NULL);
  return self->model;
}

double
rel_analysis_get_total_ms (RelAnalysis *self)
{
  g_return_val_if_fail (REL_IS_ANALYSIS (self), 0.0);
  return self->total_ms;
}

static void
add_empty_array (JsonBuilder *builder,
                 const char  *name)
{
  json_builder_set_member_name (builder, name);
  json_builder_begin_array (builder);
  json_builder_end_array (builder);
}

JsonNode *
rel_analysis_to_json (RelAnalysis *self)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  RelDocument *document;

  g_return_val_if_fail (REL_IS_ANALYSIS (self), NULL);

  document = self->document;
  json_builder_begin_object (builder);

  json_builder_set_member_name (builder, "document");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "path");
  json_builder_add_string_value (builder, rel_document_get_path (document));
  json_builder_set_member_name (builder, "sha256");
  json_builder_add_string_value (builder, rel_document_get_sha256 (document));
  json_builder_set_member_name (builder, "length");
  json_builder_add_int_value (builder, (gint64) rel_document_get_length (document));
  json_builder_set_member_name (builder, "encoding");
  json_builder_add_string_value (builder, rel_document_get_encoding (document));
  json_builder_set_member_name (builder, "kind");
  json_builder_add_string_value (builder, rel_document_get_kind (document) == REL_DOCUMENT_KIND_PDF
                                          ? "pdf" : "text");
  json_builder_set_member_name (builder, "pages");
  json_builder_add_int_value (builder, rel_document_get_n_pages (document));
  json_builder_end_object (builder);

  json_builder_set_member_name (builder, "engine");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "name");
  json_builder_add_string_value (builder, self->engine_name);
  json_builder_set_member_name (builder, "model");
  if (self->model != NULL)
    json_builder_add_string_value (builder, self->model);
  else
    json_builder_add_null_value (builder);
  json_builder_set_member_name (builder, "version");
  json_builder_add_string_value (builder, PACKAGE_VERSION);
  json_builder_end_object (builder);

  /* Filled by the analysis stages as they land (DESIGN.md, the contract). */
  add_empty_array (builder, "phi");
  add_empty_array (builder, "sections");
  add_empty_array (builder, "mentions");
  add_empty_array (builder, "codes");
  add_empty_array (builder, "summary");

  json_builder_set_member_name (builder, "timings_ms");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "total");
  json_builder_add_double_value (builder, self->total_ms);
  json_builder_end_object (builder);

  json_builder_end_object (builder);

  return json_builder_get_root (builder);
}

char *
rel_analysis_to_json_string (RelAnalysis *self,
                             gboolean     pretty)
{
  g_autoptr(JsonNode) root = rel_analysis_to_json (self);

  return json_to_string (root, pretty);
}
