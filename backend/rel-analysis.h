/* SPDX-License-Identifier: GPL-3.0-or-later */
/* rel-analysis.h: the immutable result of analysing one document. */
#pragma once

#include <json-glib/json-glib.h>

#include "rel-document.h"
#include "rel-sectioner.h"

G_BEGIN_DECLS

/* UTF-8 byte offsets into the document text, end exclusive. */
typedef struct
{
  guint start;
  guint end;
} RelSpan;

/* Protected health information found in the text. */
typedef struct
{
  guint       start;
  guint       end;
  const char *label;       /* NOM, PRENOM, DATE, DATE_NAISSANCE, ADRESSE, ZIP, VILLE, TEL,
                            * MAIL, NIR, IPP, NDA, HOPITAL */
  char       *replacement; /* what the pseudonymized text has instead, once applied */
} RelPhi;

RelPhi            *rel_phi_new                   (guint              start,
                                                  guint              end,
                                                  const char        *label);
void               rel_phi_free                  (RelPhi            *phi);

typedef struct
{
  guint       start;
  guint       end;
  char       *code;        /* the codable code the words stand for */
  gboolean    negated;
  gboolean    hypothesis;
  gboolean    family;
  gboolean    history;
  gboolean    resolved;    /* past and over: never coded */
  gboolean    terrain;     /* background of a sentence about something else */
  gboolean    ambiguous;   /* an abbreviation whose reading the context did not settle */
  const char *section;     /* label of the section it stands in, or %NULL */
} RelMention;

typedef struct
{
  char       *code;        /* ATIH form, no dot */
  char       *label;
  double      score;       /* in [0, 1] */
  const char *role;        /* "DP", "DAS" or %NULL when unsure */
  gboolean    ambiguous;
  GArray     *evidence;    /* RelSpan, in text order */
} RelCodeSuggestion;

typedef struct
{
  char   *text;
  GArray *evidence;        /* RelSpan */
} RelSummaryItem;

typedef struct
{
  const char *section;     /* a section label of DESIGN.md */
  GPtrArray  *items;       /* RelSummaryItem* */
} RelSummarySection;

RelMention        *rel_mention_new               (void);
void               rel_mention_free              (RelMention        *mention);
RelCodeSuggestion *rel_code_suggestion_new       (const char        *code,
                                                  const char        *label);
void               rel_code_suggestion_free      (RelCodeSuggestion *suggestion);
RelSummaryItem    *rel_summary_item_new          (const char        *text,
                                                  gssize             length);
void               rel_summary_item_free         (RelSummaryItem    *item);
RelSummarySection *rel_summary_section_new       (const char        *section);
void               rel_summary_section_free      (RelSummarySection *section);

#define REL_TYPE_ANALYSIS (rel_analysis_get_type ())
G_DECLARE_FINAL_TYPE (RelAnalysis, rel_analysis, REL, ANALYSIS, GObject)

/* Takes the arrays (which may be %NULL for none); @timings maps a stage name
 * to a double in milliseconds, "total" included. */
RelAnalysis  *rel_analysis_new              (RelDocument *document,
                                             const char  *engine_name,
                                             const char  *model,
                                             const char  *pseudonymized,
                                             GPtrArray   *phi,
                                             GArray      *sections,
                                             GPtrArray   *mentions,
                                             GPtrArray   *codes,
                                             GPtrArray   *summary,
                                             GArray      *timings);

RelDocument  *rel_analysis_get_document     (RelAnalysis *self);
/* RelPhi*, in text order, each with its replacement. */
GPtrArray    *rel_analysis_get_phi          (RelAnalysis *self);
/* The text with every RelPhi replaced: all that may leave the machine. */
const char   *rel_analysis_get_pseudonymized_text (RelAnalysis *self);
const char   *rel_analysis_get_engine_name  (RelAnalysis *self);
const char   *rel_analysis_get_model        (RelAnalysis *self);
double        rel_analysis_get_total_ms     (RelAnalysis *self);
/* RelSection, in text order. */
GArray       *rel_analysis_get_sections     (RelAnalysis *self);
/* RelMention*, in text order. */
GPtrArray    *rel_analysis_get_mentions     (RelAnalysis *self);
/* RelCodeSuggestion*, ranked, best first (the DP first when there is one). */
GPtrArray    *rel_analysis_get_codes        (RelAnalysis *self);
/* RelSummarySection*, in the order of a report. */
GPtrArray    *rel_analysis_get_summary      (RelAnalysis *self);

/* A named duration of the pipeline, for timings_ms. */
typedef struct
{
  const char *stage;
  double      ms;
} RelTiming;

/* The analysis as the JSON object of the contract in DESIGN.md. */
JsonNode     *rel_analysis_to_json          (RelAnalysis *self);
char         *rel_analysis_to_json_string   (RelAnalysis *self,
                                             gboolean     pretty);
/* The same object over the pseudonymized text: offsets and quoted words
 * are those of rel_analysis_get_pseudonymized_text(), no path, no word of
 * the original report. What may be stored and exported. */
JsonNode     *rel_analysis_to_pseudonymized_json (RelAnalysis *self);
/* Where byte @offset of the original text falls in the pseudonymized one; an
 * offset inside identifying words goes to the start (or, @is_end, the end)
 * of their replacement. */
guint         rel_analysis_to_pseudonymized_offset (RelAnalysis *self,
                                             guint        offset,
                                             gboolean     is_end);
/* The converse: an offset inside a replacement goes to the start (or,
 * @is_end, the end) of the identifying words it replaced. */
guint         rel_analysis_from_pseudonymized_offset (RelAnalysis *self,
                                             guint        offset,
                                             gboolean     is_end);

/* What a server said that could not be kept: summary items whose quote is not
 * in the text, codes not offered or not codable. Set by the engine that
 * builds the analysis, before sharing it. */
void          rel_analysis_set_dropped      (RelAnalysis *self,
                                             guint        n_unsourced,
                                             guint        n_dropped_codes);
guint         rel_analysis_get_n_unsourced  (RelAnalysis *self);
guint         rel_analysis_get_n_dropped_codes (RelAnalysis *self);

G_END_DECLS
