/* SPDX-License-Identifier: GPL-3.0-or-later */
/* rel-analysis.c: the analysis of a document and its JSON form. */
#define G_LOG_DOMAIN "rel-analysis"

#include "config.h"

#include <math.h>
#include <string.h>

#include "rel-analysis.h"
#include "rel-json.h"
#include "rel-terminology.h"

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
  GArray      *shifts;      /* Shift: original → pseudonymized offsets */
  guint        n_unsourced; /* server items dropped: their quote is not in the text */
  guint        n_dropped_codes;
};

G_DEFINE_FINAL_TYPE (RelAnalysis, rel_analysis, G_TYPE_OBJECT)

/* Where the analysis is written from: the original text, or the
 * pseudonymized one with every offset moved past the replacements. */
typedef struct
{
  guint  start;       /* of the identifying words in the original text */
  guint  end;
  gint64 shift;       /* added to an original offset before them */
  guint  replacement; /* length of what stands in their place */
} Shift;

typedef struct
{
  const char *text;
  GArray     *shifts; /* Shift, in text order; %NULL for the original text */
} Frame;

static GArray *
shifts_new (GPtrArray *phi)
{
  GArray *shifts = g_array_sized_new (FALSE, FALSE, sizeof (Shift), phi->len);
  gint64 shift = 0;

  for (guint i = 0; i < phi->len; i++)
    {
      const RelPhi *span = g_ptr_array_index (phi, i);
      Shift entry = { span->start, span->end, shift,
                      span->replacement != NULL ? strlen (span->replacement) : 0 };

      g_array_append_val (shifts, entry);
      shift += (gint64) entry.replacement - (gint64) (span->end - span->start);
    }
  return shifts;
}

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
  g_clear_pointer (&self->shifts, g_array_unref);

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
  /* The replacements are final once the analysis is built. */
  self->shifts = shifts_new (self->phi);

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

/* An offset of the original text in the frame's text; one inside
 * identifying words moves to the edge of their replacement. */
static guint
frame_offset (const Frame *frame,
              guint        offset,
              gboolean     is_end)
{
  const Shift *shifts;
  guint low = 0;
  guint high;

  if (frame->shifts == NULL || frame->shifts->len == 0)
    return offset;

  /* The last replaced span that starts before the offset. */
  shifts = (const Shift *) (gpointer) frame->shifts->data;
  high = frame->shifts->len;
  while (low < high)
    {
      guint middle = low + (high - low) / 2;

      if (shifts[middle].start < offset)
        low = middle + 1;
      else
        high = middle;
    }
  if (low == 0)
    return offset;

  {
    const Shift *before = &shifts[low - 1];
    guint start = (guint) (before->start + before->shift);

    if (offset < before->end)
      return is_end ? start + before->replacement : start;
    return (guint) (offset + before->shift + before->replacement
                    - (before->end - before->start));
  }
}

static void
add_text (JsonBuilder *builder,
          const char  *name,
          const Frame *frame,
          guint        start,
          guint        end)
{
  guint from = frame_offset (frame, start, FALSE);
  guint to = frame_offset (frame, end, TRUE);
  g_autofree char *copy = g_strndup (frame->text + from, to > from ? to - from : 0);

  json_builder_set_member_name (builder, name);
  json_builder_add_string_value (builder, copy);
}

static void
add_offsets (JsonBuilder *builder,
             const Frame *frame,
             guint        start,
             guint        end)
{
  rel_json_set_int (builder, "start", frame_offset (frame, start, FALSE));
  rel_json_set_int (builder, "end", frame_offset (frame, end, TRUE));
}

static void
add_evidence (JsonBuilder *builder,
              const Frame *frame,
              GArray      *evidence,
              gboolean     with_text)
{
  json_builder_set_member_name (builder, "evidence");
  json_builder_begin_array (builder);
  for (guint i = 0; i < evidence->len; i++)
    {
      const RelSpan *span = &g_array_index (evidence, RelSpan, i);

      json_builder_begin_object (builder);
      add_offsets (builder, frame, span->start, span->end);
      if (with_text)
        add_text (builder, "text", frame, span->start, span->end);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
}

typedef struct
{
  gsize       at;
  gsize       length;
  const char *replacement;
} Replacement;

static int
compare_replacements (gconstpointer a,
                      gconstpointer b)
{
  const Replacement *ra = a, *rb = b;

  /* At the same place, the longest words first: "Jean Dupont" over "Jean". */
  if (ra->at != rb->at)
    return ra->at < rb->at ? -1 : 1;
  return ra->length > rb->length ? -1 : ra->length < rb->length;
}

/* A summary item is written from the report's words: in the pseudonymized
 * frame, the identifying words inside its evidence are replaced wherever the
 * item quotes them (only those: a long report holds thousands). */
static char *
item_text (RelAnalysis          *self,
           const Frame          *frame,
           const RelSummaryItem *item)
{
  const char *text = rel_document_get_text (self->document);
  const Shift *shifts;
  g_autoptr(GHashTable) words = NULL;
  g_autoptr(GArray) found = NULL;
  GHashTableIter iter;
  gpointer key, value;
  GString *out;
  gsize position = 0;

  if (frame->shifts == NULL || frame->shifts->len == 0)
    return g_strdup (item->text);

  words = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  shifts = (const Shift *) (gpointer) frame->shifts->data;
  for (guint e = 0; e < item->evidence->len; e++)
    {
      const RelSpan *span = &g_array_index (item->evidence, RelSpan, e);
      guint low = 0;
      guint high = frame->shifts->len;

      /* The first replaced span that ends after this evidence starts. */
      while (low < high)
        {
          guint middle = low + (high - low) / 2;

          if (shifts[middle].end <= span->start)
            low = middle + 1;
          else
            high = middle;
        }
      for (guint i = low; i < frame->shifts->len && shifts[i].start < span->end; i++)
        {
          const RelPhi *phi = g_ptr_array_index (self->phi, i);

          if (phi->end > phi->start)
            g_hash_table_insert (words, g_strndup (text + phi->start, phi->end - phi->start),
                                 phi->replacement != NULL ? phi->replacement : (char *) "");
        }
    }
  if (g_hash_table_size (words) == 0)
    return g_strdup (item->text);

  /* Every place the item quotes them, then one pass to write it. */
  found = g_array_new (FALSE, FALSE, sizeof (Replacement));
  g_hash_table_iter_init (&iter, words);
  while (g_hash_table_iter_next (&iter, &key, &value))
    for (const char *at = strstr (item->text, key); at != NULL; at = strstr (at + 1, key))
      {
        Replacement replacement = { at - item->text, strlen (key), value };

        g_array_append_val (found, replacement);
      }
  g_array_sort (found, compare_replacements);

  out = g_string_sized_new (strlen (item->text));
  for (guint i = 0; i < found->len; i++)
    {
      const Replacement *replacement = &g_array_index (found, Replacement, i);

      if (replacement->at < position)
        continue;
      g_string_append_len (out, item->text + position, replacement->at - position);
      g_string_append (out, replacement->replacement);
      position = replacement->at + replacement->length;
    }
  g_string_append (out, item->text + position);
  return g_string_free (out, FALSE);
}

static JsonNode *
analysis_to_json (RelAnalysis *self,
                  const Frame *frame)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  RelDocument *document = self->document;
  gboolean original = frame->shifts == NULL;

  json_builder_begin_object (builder);

  json_builder_set_member_name (builder, "document");
  json_builder_begin_object (builder);
  if (original)
    rel_json_set_string (builder, "path", rel_document_get_path (document));
  rel_json_set_string (builder, "sha256", rel_document_get_sha256 (document));
  rel_json_set_int (builder, "length", original ? (gint64) rel_document_get_length (document)
                                       : (gint64) strlen (frame->text));
  rel_json_set_string (builder, "encoding", rel_document_get_encoding (document));
  rel_json_set_string (builder, "kind", rel_document_get_kind (document) == REL_DOCUMENT_KIND_PDF
                                       ? "pdf" : "text");
  rel_json_set_int (builder, "pages", rel_document_get_n_pages (document));
  if (!original)
    rel_json_set_bool (builder, "pseudonymized", TRUE);
  json_builder_end_object (builder);

  json_builder_set_member_name (builder, "engine");
  json_builder_begin_object (builder);
  rel_json_set_string (builder, "name", self->engine_name);
  rel_json_set_string (builder, "model", self->model);
  rel_json_set_string (builder, "version", PACKAGE_VERSION);
  if (self->n_unsourced > 0)
    rel_json_set_int (builder, "unsourced", self->n_unsourced);
  if (self->n_dropped_codes > 0)
    rel_json_set_int (builder, "dropped_codes", self->n_dropped_codes);
  json_builder_end_object (builder);

  json_builder_set_member_name (builder, "phi");
  json_builder_begin_array (builder);
  for (guint i = 0; i < self->phi->len; i++)
    {
      const RelPhi *phi = g_ptr_array_index (self->phi, i);

      json_builder_begin_object (builder);
      add_offsets (builder, frame, phi->start, phi->end);
      rel_json_set_string (builder, "label", phi->label);
      if (original)
        add_text (builder, "text", frame, phi->start, phi->end);
      rel_json_set_string (builder, "replacement", phi->replacement);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);

  json_builder_set_member_name (builder, "sections");
  json_builder_begin_array (builder);
  for (guint i = 0; i < self->sections->len; i++)
    {
      const RelSection *section = &g_array_index (self->sections, RelSection, i);

      json_builder_begin_object (builder);
      rel_json_set_string (builder, "label", section->label);
      add_text (builder, "title", frame, section->title_start, section->title_end);
      add_offsets (builder, frame, section->start, section->end);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);

  json_builder_set_member_name (builder, "mentions");
  json_builder_begin_array (builder);
  for (guint i = 0; i < self->mentions->len; i++)
    {
      const RelMention *mention = g_ptr_array_index (self->mentions, i);

      json_builder_begin_object (builder);
      add_offsets (builder, frame, mention->start, mention->end);
      add_text (builder, "text", frame, mention->start, mention->end);
      rel_json_set_string (builder, "code", mention->code);
      rel_json_set_bool (builder, "negated", mention->negated);
      rel_json_set_bool (builder, "hypothesis", mention->hypothesis);
      rel_json_set_bool (builder, "family", mention->family);
      rel_json_set_bool (builder, "history", mention->history);
      if (mention->ambiguous)
        rel_json_set_bool (builder, "ambiguous", TRUE);
      rel_json_set_string (builder, "section", mention->section);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);

  json_builder_set_member_name (builder, "codes");
  json_builder_begin_array (builder);
  for (guint i = 0; i < self->codes->len; i++)
    {
      const RelCodeSuggestion *code = g_ptr_array_index (self->codes, i);
      g_autofree char *display = rel_code_display (code->code);

      json_builder_begin_object (builder);
      rel_json_set_string (builder, "code", code->code);
      rel_json_set_string (builder, "display", display);
      rel_json_set_string (builder, "label", code->label);
      json_builder_set_member_name (builder, "score");
      json_builder_add_double_value (builder, round (code->score * 1000.0) / 1000.0);
      rel_json_set_string (builder, "role", code->role);
      if (code->ambiguous)
        rel_json_set_bool (builder, "ambiguous", TRUE);
      add_evidence (builder, frame, code->evidence, TRUE);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);

  json_builder_set_member_name (builder, "summary");
  json_builder_begin_array (builder);
  for (guint i = 0; i < self->summary->len; i++)
    {
      const RelSummarySection *section = g_ptr_array_index (self->summary, i);

      json_builder_begin_object (builder);
      rel_json_set_string (builder, "section", section->section);
      json_builder_set_member_name (builder, "items");
      json_builder_begin_array (builder);
      for (guint j = 0; j < section->items->len; j++)
        {
          const RelSummaryItem *item = g_ptr_array_index (section->items, j);
          g_autofree char *words = item_text (self, frame, item);

          json_builder_begin_object (builder);
          rel_json_set_string (builder, "text", words);
          add_evidence (builder, frame, item->evidence, FALSE);
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

JsonNode *
rel_analysis_to_json (RelAnalysis *self)
{
  Frame frame = { NULL, NULL };

  g_return_val_if_fail (REL_IS_ANALYSIS (self), NULL);

  frame.text = rel_document_get_text (self->document);
  return analysis_to_json (self, &frame);
}

JsonNode *
rel_analysis_to_pseudonymized_json (RelAnalysis *self)
{
  Frame frame = { NULL, NULL };

  g_return_val_if_fail (REL_IS_ANALYSIS (self), NULL);
  g_return_val_if_fail (self->pseudonymized != NULL, NULL);

  frame.text = self->pseudonymized;
  frame.shifts = self->shifts;
  return analysis_to_json (self, &frame);
}

guint
rel_analysis_from_pseudonymized_offset (RelAnalysis *self,
                                        guint        offset,
                                        gboolean     is_end)
{
  const Shift *shifts;
  guint low = 0;
  guint high;

  g_return_val_if_fail (REL_IS_ANALYSIS (self), offset);

  if (self->shifts->len == 0)
    return offset;

  /* The last replacement that starts before the offset, in the
   * pseudonymized text. */
  shifts = (const Shift *) (gpointer) self->shifts->data;
  high = self->shifts->len;
  while (low < high)
    {
      guint middle = low + (high - low) / 2;

      if (shifts[middle].start + shifts[middle].shift < offset)
        low = middle + 1;
      else
        high = middle;
    }
  if (low == 0)
    return offset;

  {
    const Shift *before = &shifts[low - 1];
    gint64 start = before->start + before->shift;

    if (offset < start + before->replacement)
      return is_end ? before->end : before->start;
    return (guint) (offset - before->shift - before->replacement + (before->end - before->start));
  }
}

void
rel_analysis_set_dropped (RelAnalysis *self,
                          guint        n_unsourced,
                          guint        n_dropped_codes)
{
  g_return_if_fail (REL_IS_ANALYSIS (self));
  self->n_unsourced = n_unsourced;
  self->n_dropped_codes = n_dropped_codes;
}

guint
rel_analysis_get_n_unsourced (RelAnalysis *self)
{
  g_return_val_if_fail (REL_IS_ANALYSIS (self), 0);
  return self->n_unsourced;
}

guint
rel_analysis_get_n_dropped_codes (RelAnalysis *self)
{
  g_return_val_if_fail (REL_IS_ANALYSIS (self), 0);
  return self->n_dropped_codes;
}

guint
rel_analysis_to_pseudonymized_offset (RelAnalysis *self,
                                      guint        offset,
                                      gboolean     is_end)
{
  Frame frame = { NULL, NULL };

  g_return_val_if_fail (REL_IS_ANALYSIS (self), offset);

  frame.text = self->pseudonymized;
  frame.shifts = self->shifts;
  return frame_offset (&frame, offset, is_end);
}

char *
rel_analysis_to_json_string (RelAnalysis *self,
                             gboolean     pretty)
{
  g_autoptr(JsonNode) root = rel_analysis_to_json (self);

  return json_to_string (root, pretty);
}
