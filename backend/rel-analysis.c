/* SPDX-License-Identifier: GPL-3.0-or-later */
/* rel-analysis.c: the analysis of a document and its JSON form. */
#define G_LOG_DOMAIN "rel-analysis"

#include "config.h"

#include <math.h>

#include "rel-analysis.h"

struct _RelAnalysis
{
  GObject      parent_instance;

  RelDocument *document;
  char        *engine_name;
  char        *model;
  char        *pseudonymized;
  GPtrArray   *phi;
  GArray      *sections;
  GPtrArray   *mentions;
  GPtrArray   *codes;
  GPtrArray   *summary;
  GArray      *timings;
};

G_DEFINE_FINAL_TYPE (RelAnalysis, rel_analysis, G_TYPE_OBJECT)

RelPhi *
rel_phi_new (guint       start,
             guint       end,
             const char *label)
{
  RelPhi *phi = g_new0 (RelPhi, 1);

  phi->start = start;
  phi->end = end;
  phi->label = g_intern_string (label);
  return phi;
}

void
rel_phi_free (RelPhi *phi)
{
  if (phi == NULL)
    return;
  g_free (phi->replacement);
  g_free (phi);
}

RelMention *
rel_mention_new (void)
{
  return g_new0 (RelMention, 1);
}

void
rel_mention_free (RelMention *mention)
{
  if (mention == NULL)
    return;
  g_free (mention->code);
  g_free (mention);
}

RelCodeSuggestion *
rel_code_suggestion_new (const char *code,
                         const char *label)
{
  RelCodeSuggestion *suggestion = g_new0 (RelCodeSuggestion, 1);

  suggestion->code = g_strdup (code);
  suggestion->label = g_strdup (label);
  suggestion->evidence = g_array_new (FALSE, FALSE, sizeof (RelSpan));
  return suggestion;
}

void
rel_code_suggestion_free (RelCodeSuggestion *suggestion)
{
  if (suggestion == NULL)
    return;
  g_free (suggestion->code);
  g_free (suggestion->label);
  g_array_unref (suggestion->evidence);
  g_free (suggestion);
}

RelSummaryItem *
rel_summary_item_new (const char *text,
                      gssize      length)
{
  RelSummaryItem *item = g_new0 (RelSummaryItem, 1);

  item->text = length < 0 ? g_strdup (text) : g_strndup (text, length);
  item->evidence = g_array_new (FALSE, FALSE, sizeof (RelSpan));
  return item;
}

void
rel_summary_item_free (RelSummaryItem *item)
{
  if (item == NULL)
    return;
  g_free (item->text);
  g_array_unref (item->evidence);
  g_free (item);
}

RelSummarySection *
rel_summary_section_new (const char *section)
{
  RelSummarySection *summary = g_new0 (RelSummarySection, 1);

  summary->section = g_intern_string (section);
  summary->items = g_ptr_array_new_with_free_func ((GDestroyNotify) rel_summary_item_free);
  return summary;
}

void
rel_summary_section_free (RelSummarySection *section)
{
  if (section == NULL)
    return;
  g_ptr_array_unref (section->items);
  g_free (section);
}

static void
rel_analysis_finalize (GObject *object)
{
  RelAnalysis *self = (RelAnalysis *) object;

  g_clear_object (&self->document);
  g_free (self->engine_name);
  g_free (self->model);
  g_free (self->pseudonymized);
  g_clear_pointer (&self->phi, g_ptr_array_unref);
  g_clear_pointer (&self->sections, g_array_unref);
  g_clear_pointer (&self->mentions, g_ptr_array_unref);
  g_clear_pointer (&self->codes, g_ptr_array_unref);
  g_clear_pointer (&self->summary, g_ptr_array_unref);
  g_clear_pointer (&self->timings, g_array_unref);

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
                  const char  *pseudonymized,
                  GPtrArray   *phi,
                  GArray      *sections,
                  GPtrArray   *mentions,
                  GPtrArray   *codes,
                  GPtrArray   *summary,
                  GArray      *timings)
{
  RelAnalysis *self;

  g_return_val_if_fail (REL_IS_DOCUMENT (document), NULL);
  g_return_val_if_fail (engine_name != NULL, NULL);

  self = g_object_new (REL_TYPE_ANALYSIS, NULL);
  self->document = g_object_ref (document);
  self->engine_name = g_strdup (engine_name);
  self->model = g_strdup (model);
  self->pseudonymized = g_strdup (pseudonymized);
  self->phi = phi != NULL ? phi : g_ptr_array_new_with_free_func ((GDestroyNotify) rel_phi_free);
  self->sections = sections != NULL ? sections : g_array_new (FALSE, TRUE, sizeof (RelSection));
  self->mentions = mentions != NULL ? mentions
                   : g_ptr_array_new_with_free_func ((GDestroyNotify) rel_mention_free);
  self->codes = codes != NULL ? codes
                : g_ptr_array_new_with_free_func ((GDestroyNotify) rel_code_suggestion_free);
  self->summary = summary != NULL ? summary
                  : g_ptr_array_new_with_free_func ((GDestroyNotify) rel_summary_section_free);
  self->timings = timings != NULL ? timings : g_array_new (FALSE, TRUE, sizeof (RelTiming));

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

  for (guint i = 0; i < self->timings->len; i++)
    {
      const RelTiming *timing = &g_array_index (self->timings, RelTiming, i);

      if (g_str_equal (timing->stage, "total"))
        return timing->ms;
    }
  return 0.0;
}

GPtrArray *
rel_analysis_get_phi (RelAnalysis *self)
{
  g_return_val_if_fail (REL_IS_ANALYSIS (self), NULL);
  return self->phi;
}

const char *
rel_analysis_get_pseudonymized_text (RelAnalysis *self)
{
  g_return_val_if_fail (REL_IS_ANALYSIS (self), NULL);
  return self->pseudonymized;
}

GArray *
rel_analysis_get_sections (RelAnalysis *self)
{
  g_return_val_if_fail (REL_IS_ANALYSIS (self), NULL);
  return self->sections;
}

GPtrArray *
rel_analysis_get_mentions (RelAnalysis *self)
{
  g_return_val_if_fail (REL_IS_ANALYSIS (self), NULL);
  return self->mentions;
}

GPtrArray *
rel_analysis_get_codes (RelAnalysis *self)
{
  g_return_val_if_fail (REL_IS_ANALYSIS (self), NULL);
  return self->codes;
}

GPtrArray *
rel_analysis_get_summary (RelAnalysis *self)
{
  g_return_val_if_fail (REL_IS_ANALYSIS (self), NULL);
  return self->summary;
}

static void
add_text (JsonBuilder *builder,
          const char  *name,
          const char  *text,
          guint        start,
          guint        end)
{
  g_autofree char *copy = g_strndup (text + start, end - start);

  json_builder_set_member_name (builder, name);
  json_builder_add_string_value (builder, copy);
}

static void
add_int (JsonBuilder *builder,
         const char  *name,
         gint64       value)
{
  json_builder_set_member_name (builder, name);
  json_builder_add_int_value (builder, value);
}

static void
add_bool (JsonBuilder *builder,
          const char  *name,
          gboolean     value)
{
  json_builder_set_member_name (builder, name);
  json_builder_add_boolean_value (builder, value);
}

static void
add_string_or_null (JsonBuilder *builder,
                    const char  *name,
                    const char  *value)
{
  json_builder_set_member_name (builder, name);
  if (value != NULL)
    json_builder_add_string_value (builder, value);
  else
    json_builder_add_null_value (builder);
}

static void
add_evidence (JsonBuilder *builder,
              const char  *text,
              GArray      *evidence,
              gboolean     with_text)
{
  json_builder_set_member_name (builder, "evidence");
  json_builder_begin_array (builder);
  for (guint i = 0; i < evidence->len; i++)
    {
      const RelSpan *span = &g_array_index (evidence, RelSpan, i);

      json_builder_begin_object (builder);
      add_int (builder, "start", span->start);
      add_int (builder, "end", span->end);
      if (with_text)
        add_text (builder, "text", text, span->start, span->end);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
}

JsonNode *
rel_analysis_to_json (RelAnalysis *self)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  RelDocument *document;
  const char *text;

  g_return_val_if_fail (REL_IS_ANALYSIS (self), NULL);

  document = self->document;
  text = rel_document_get_text (document);
  json_builder_begin_object (builder);

  json_builder_set_member_name (builder, "document");
  json_builder_begin_object (builder);
  add_string_or_null (builder, "path", rel_document_get_path (document));
  add_string_or_null (builder, "sha256", rel_document_get_sha256 (document));
  add_int (builder, "length", (gint64) rel_document_get_length (document));
  add_string_or_null (builder, "encoding", rel_document_get_encoding (document));
  add_string_or_null (builder, "kind", rel_document_get_kind (document) == REL_DOCUMENT_KIND_PDF
                                       ? "pdf" : "text");
  add_int (builder, "pages", rel_document_get_n_pages (document));
  json_builder_end_object (builder);

  json_builder_set_member_name (builder, "engine");
  json_builder_begin_object (builder);
  add_string_or_null (builder, "name", self->engine_name);
  add_string_or_null (builder, "model", self->model);
  add_string_or_null (builder, "version", PACKAGE_VERSION);
  json_builder_end_object (builder);

  json_builder_set_member_name (builder, "phi");
  json_builder_begin_array (builder);
  for (guint i = 0; i < self->phi->len; i++)
    {
      const RelPhi *phi = g_ptr_array_index (self->phi, i);

      json_builder_begin_object (builder);
      add_int (builder, "start", phi->start);
      add_int (builder, "end", phi->end);
      add_string_or_null (builder, "label", phi->label);
      add_text (builder, "text", text, phi->start, phi->end);
      add_string_or_null (builder, "replacement", phi->replacement);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);

  json_builder_set_member_name (builder, "sections");
  json_builder_begin_array (builder);
  for (guint i = 0; i < self->sections->len; i++)
    {
      const RelSection *section = &g_array_index (self->sections, RelSection, i);

      json_builder_begin_object (builder);
      add_string_or_null (builder, "label", section->label);
      add_text (builder, "title", text, section->title_start, section->title_end);
      add_int (builder, "start", section->start);
      add_int (builder, "end", section->end);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);

  json_builder_set_member_name (builder, "mentions");
  json_builder_begin_array (builder);
  for (guint i = 0; i < self->mentions->len; i++)
    {
      const RelMention *mention = g_ptr_array_index (self->mentions, i);

      json_builder_begin_object (builder);
      add_int (builder, "start", mention->start);
      add_int (builder, "end", mention->end);
      add_text (builder, "text", text, mention->start, mention->end);
      add_string_or_null (builder, "code", mention->code);
      add_bool (builder, "negated", mention->negated);
      add_bool (builder, "hypothesis", mention->hypothesis);
      add_bool (builder, "family", mention->family);
      add_bool (builder, "history", mention->history);
      if (mention->ambiguous)
        add_bool (builder, "ambiguous", TRUE);
      add_string_or_null (builder, "section", mention->section);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);

  json_builder_set_member_name (builder, "codes");
  json_builder_begin_array (builder);
  for (guint i = 0; i < self->codes->len; i++)
    {
      const RelCodeSuggestion *code = g_ptr_array_index (self->codes, i);
      g_autofree char *display = code->code[0] != '\0' && strlen (code->code) > 3
                                 ? g_strdup_printf ("%.3s.%s", code->code, code->code + 3)
                                 : g_strdup (code->code);

      json_builder_begin_object (builder);
      add_string_or_null (builder, "code", code->code);
      add_string_or_null (builder, "display", display);
      add_string_or_null (builder, "label", code->label);
      json_builder_set_member_name (builder, "score");
      json_builder_add_double_value (builder, round (code->score * 1000.0) / 1000.0);
      add_string_or_null (builder, "role", code->role);
      if (code->ambiguous)
        add_bool (builder, "ambiguous", TRUE);
      add_evidence (builder, text, code->evidence, TRUE);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);

  json_builder_set_member_name (builder, "summary");
  json_builder_begin_array (builder);
  for (guint i = 0; i < self->summary->len; i++)
    {
      const RelSummarySection *section = g_ptr_array_index (self->summary, i);

      json_builder_begin_object (builder);
      add_string_or_null (builder, "section", section->section);
      json_builder_set_member_name (builder, "items");
      json_builder_begin_array (builder);
      for (guint j = 0; j < section->items->len; j++)
        {
          const RelSummaryItem *item = g_ptr_array_index (section->items, j);

          json_builder_begin_object (builder);
          add_string_or_null (builder, "text", item->text);
          add_evidence (builder, text, item->evidence, FALSE);
          json_builder_end_object (builder);
        }
      json_builder_end_array (builder);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);

  json_builder_set_member_name (builder, "timings_ms");
  json_builder_begin_object (builder);
  for (guint i = 0; i < self->timings->len; i++)
    {
      const RelTiming *timing = &g_array_index (self->timings, RelTiming, i);

      json_builder_set_member_name (builder, timing->stage);
      json_builder_add_double_value (builder, round (timing->ms * 1000.0) / 1000.0);
    }
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
