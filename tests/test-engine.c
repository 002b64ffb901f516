/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-engine.c: the embedded pipeline, module by module and end to end. */
#define G_LOG_DOMAIN "test-engine"

#include "config.h"

#include "rel-embedded-engine.h"
#include "rel-tokens.h"

static RelTerminology *terminology;
static RelEngine *engine;

static RelAnalysis *
analyze_text (const char *text)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = g_bytes_new (text, strlen (text));
  g_autoptr(RelDocument) document = rel_document_new_from_bytes (bytes, "test.txt", 0, &error);
  RelAnalysis *analysis;

  g_assert_no_error (error);
  analysis = rel_engine_analyze (engine, document, NULL, &error);
  g_assert_no_error (error);
  return analysis;
}

static const RelMention *
find_mention (RelAnalysis *analysis,
              const char  *words)
{
  const char *text = rel_document_get_text (rel_analysis_get_document (analysis));
  GPtrArray *mentions = rel_analysis_get_mentions (analysis);

  for (guint i = 0; i < mentions->len; i++)
    {
      const RelMention *mention = g_ptr_array_index (mentions, i);

      if (strncmp (text + mention->start, words, strlen (words)) == 0)
        return mention;
    }
  return NULL;
}

static const RelCodeSuggestion *
find_code (RelAnalysis *analysis,
           const char  *code)
{
  GPtrArray *codes = rel_analysis_get_codes (analysis);

  for (guint i = 0; i < codes->len; i++)
    {
      const RelCodeSuggestion *suggestion = g_ptr_array_index (codes, i);

      if (g_str_equal (suggestion->code, code))
        return suggestion;
    }
  return NULL;
}

static void
test_tokens (void)
{
  const char *text = "Embolies pulmonaires, E. coli ; 2,5 mg\n- HTA";
  g_autoptr(RelTokens) tokens = rel_tokens_new (text, strlen (text), NULL);
  const RelToken *token;

  g_assert_cmpuint (rel_tokens_get_n (tokens), ==, 7);
  token = rel_tokens_get (tokens, 0);
  g_assert_cmpstr (token->folded, ==, "embolie");
  g_assert_cmpuint (token->start, ==, 0);
  g_assert_cmpuint (token->end, ==, strlen ("Embolies"));
  g_assert_cmpstr (rel_tokens_get (tokens, 1)->folded, ==, "pulmonaire");
  /* "E. coli": an initial, not a sentence end. */
  g_assert_false (rel_tokens_get (tokens, 3)->flags & REL_TOKEN_SENTENCE);
  g_assert_true (rel_tokens_get (tokens, 2)->flags & REL_TOKEN_COMMA);
  /* "2,5" is one number. */
  g_assert_true (rel_tokens_get (tokens, 4)->flags & REL_TOKEN_NUMBER);
  g_assert_true (rel_tokens_get (tokens, 4)->flags & REL_TOKEN_SENTENCE);
  g_assert_cmpstr (rel_tokens_get (tokens, 4)->folded, ==, "2,5");
  /* A bullet opens a new item. */
  g_assert_true (rel_tokens_get (tokens, 6)->flags & REL_TOKEN_SENTENCE);
  g_assert_cmpuint (rel_tokens_find (tokens, 10), ==, 1);
}

static void
test_sections_titles (void)
{
  g_autoptr(RelAnalysis) analysis = analyze_text (
    "CHU de Nulle-Part\nPatient : M. X\n\n"
    "MOTIF D'HOSPITALISATION\nDyspnée.\n\n"
    "1. Antécédents :\n- HTA\n\n"
    "Au total\nInsuffisance cardiaque.\n");
  GArray *sections = rel_analysis_get_sections (analysis);
  const char *text = rel_document_get_text (rel_analysis_get_document (analysis));

  g_assert_cmpuint (sections->len, ==, 3);
  g_assert_cmpstr (g_array_index (sections, RelSection, 0).label, ==, "motif");
  g_assert_cmpstr (g_array_index (sections, RelSection, 1).label, ==, "antecedents");
  g_assert_cmpstr (g_array_index (sections, RelSection, 2).label, ==, "conclusion");
  /* The header before the first title is no clinical section. */
  g_assert_true (g_str_has_prefix (text + g_array_index (sections, RelSection, 0).start, "MOTIF"));
}

static void
test_sections_inline_and_content (void)
{
  g_autoptr(RelAnalysis) inline_titles = analyze_text (
    "Antécédents : HTA, DT2.\nTraitement habituel : amlodipine 5 mg 1 cp le matin.\n");
  g_autoptr(RelAnalysis) untitled = analyze_text (
    "Patiente de 70 ans qui consulte pour une toux depuis 3 jours.\n\n"
    "Au total, pneumopathie franche lobaire aiguë.\n");
  GArray *sections = rel_analysis_get_sections (inline_titles);

  g_assert_cmpuint (sections->len, ==, 2);
  g_assert_cmpstr (g_array_index (sections, RelSection, 0).label, ==, "antecedents");
  g_assert_cmpstr (g_array_index (sections, RelSection, 1).label, ==, "traitement_entree");

  sections = rel_analysis_get_sections (untitled);
  g_assert_cmpuint (sections->len, ==, 2);
  g_assert_cmpstr (g_array_index (sections, RelSection, 0).label, ==, "histoire");
  g_assert_cmpstr (g_array_index (sections, RelSection, 1).label, ==, "conclusion");
  g_assert_true (g_array_index (sections, RelSection, 1).inferred);
}

static void
test_matcher (void)
{
  g_autoptr(RelAnalysis) analysis = analyze_text (
    "Conclusion : ACFA et HTA. Insuffisances cardiaques décompensées.\n"
    "Le fauteuil est confortable. Pneumopathie à\npneumocoque.\n");
  const RelMention *hta = find_mention (analysis, "HTA");

  g_assert_nonnull (hta);
  g_assert_cmpstr (hta->code, ==, "I10");
  g_assert_nonnull (find_mention (analysis, "ACFA"));
  /* Plural and a line break inside a term. */
  g_assert_nonnull (find_mention (analysis, "Insuffisances cardiaques"));
  g_assert_cmpstr (find_mention (analysis, "Pneumopathie à\npneumocoque")->code, ==, "J13");
  /* An abbreviation is a whole token, case respected: no "fa" in "fauteuil". */
  g_assert_null (find_mention (analysis, "fa"));
}

static void
assert_qualified (const char *text,
                  const char *words,
                  gboolean    negated,
                  gboolean    hypothesis,
                  gboolean    family)
{
  g_autoptr(RelAnalysis) analysis = analyze_text (text);
  const RelMention *mention = find_mention (analysis, words);

  g_assert_nonnull (mention);
  g_assert_cmpint (mention->negated, ==, negated);
  g_assert_cmpint (mention->hypothesis, ==, hypothesis);
  g_assert_cmpint (mention->family, ==, family);
}

static void
test_qualifiers (void)
{
  assert_qualified ("Pas de fièvre, pas d'embolie pulmonaire.", "embolie pulmonaire",
                    TRUE, FALSE, FALSE);
  assert_qualified ("Le scanner n'a pas montré d'embolie pulmonaire.", "embolie pulmonaire",
                    TRUE, FALSE, FALSE);
  assert_qualified ("Suspicion d'embolie pulmonaire.", "embolie pulmonaire", FALSE, TRUE, FALSE);
  assert_qualified ("Embolie pulmonaire probable.", "Embolie pulmonaire", FALSE, TRUE, FALSE);
  assert_qualified ("Sa mère a un diabète de type 2.", "diabète de type 2", FALSE, FALSE, TRUE);
  /* The scope ends: "mais", and a comma that does not go on with a list. */
  assert_qualified ("Pas de fièvre mais une pneumopathie.", "pneumopathie", FALSE, FALSE, FALSE);
  assert_qualified ("Pas de douleur, pneumopathie franche.", "pneumopathie", FALSE, FALSE, FALSE);
  /* A pseudo-cue does not negate. */
  assert_qualified ("Pas d'amélioration de la pneumopathie.", "pneumopathie", FALSE, FALSE, FALSE);
  /* A cue in brackets denies what stands before it there, the mention only
   * when nothing else does. */
  assert_qualified ("Métastase d'un carcinome pulmonaire (EGFR non muté, ALK négatif).",
                    "carcinome pulmonaire", FALSE, FALSE, FALSE);
  assert_qualified ("Pneumopathie (non confirmée).", "Pneumopathie", TRUE, FALSE, FALSE);
}

/* The qualifiers of the first occurrence of @words in @text, however the
 * matcher would cut it: the rules, not the terminology, are under test. */
static void
assert_span_qualified (const char *text,
                       const char *words,
                       gboolean    negated,
                       gboolean    hypothesis,
                       gboolean    family)
{
  const char *found = strstr (text, words);
  g_autoptr(GArray) spans = g_array_new (FALSE, FALSE, sizeof (RelSpan));
  g_autoptr(GArray) result = NULL;
  RelSpan span;
  const RelQualifiers *q;

  g_assert_nonnull (found);
  span.start = found - text;
  span.end = span.start + strlen (words);
  g_array_append_val (spans, span);
  result = rel_embedded_engine_qualify_spans (REL_EMBEDDED_ENGINE (engine), text, strlen (text),
                                              spans);
  q = &g_array_index (result, RelQualifiers, 0);
  g_assert_cmpint (q->negated, ==, negated);
  g_assert_cmpint (q->hypothesis, ==, hypothesis);
  g_assert_cmpint (q->family, ==, family);
}

static void
test_qualifier_scopes (void)
{
  /* "évoque" before and "évoqué" after are one folded cue read both ways. */
  assert_span_qualified ("Un lymphome était évoqué.", "lymphome", FALSE, TRUE, FALSE);
  /* The words of a cue start no other cue: the "avec" of "compatible avec"
   * ends nothing, the "en faveur de" of a denial doubts nothing. */
  assert_span_qualified ("Le scanner montre une image compatible avec un abcès hépatique.",
                         "abcès hépatique", FALSE, TRUE, FALSE);
  assert_span_qualified ("Pas d'argument en faveur d'une endocardite.", "endocardite",
                         TRUE, FALSE, FALSE);
  /* A pathologist's "compatible avec" is the diagnosis. */
  assert_span_qualified ("La biopsie hépatique est compatible avec un carcinome hépatocellulaire.",
                         "carcinome hépatocellulaire", FALSE, FALSE, FALSE);
  /* What a test revealed is no longer the doubt that led to it. */
  assert_span_qualified ("Une appendicite était suspectée et l'échographie a révélé "
                         "une cholécystite.", "cholécystite", FALSE, FALSE, FALSE);
  /* The nearer of a doubt and a denial tells. */
  assert_span_qualified ("Une IRM à la recherche d'une tumeur n'a pas montré de lésion osseuse.",
                         "lésion osseuse", TRUE, FALSE, FALSE);
  /* A hedge after an enumeration doubts its last item; a complement after a
   * comma still doubts the mention. */
  assert_span_qualified ("Récidive du lymphome ganglionnaire, splénique douteux.",
                         "lymphome ganglionnaire", FALSE, FALSE, FALSE);
  assert_span_qualified ("Récidive du lymphome ganglionnaire, splénique douteux.", "splénique",
                         FALSE, TRUE, FALSE);
  assert_span_qualified ("Nodule pulmonaire droit, de nature douteuse.", "Nodule pulmonaire",
                         FALSE, TRUE, FALSE);
  /* In brackets, a word that names the test again keeps the cue the
   * mention's. */
  assert_span_qualified ("Sérologie de la syphilis (résultat négatif).",
                         "Sérologie de la syphilis", TRUE, FALSE, FALSE);
  /* "non" denies the word right after it, and answers a label. */
  assert_span_qualified ("Grossesse non suivie compliquée d'une pré-éclampsie.", "pré-éclampsie",
                         FALSE, FALSE, FALSE);
  assert_span_qualified ("Adénocarcinome non métastatique.", "métastatique", TRUE, FALSE, FALSE);
  assert_span_qualified ("Tabac : non\nAlcool : oui\n", "Tabac", TRUE, FALSE, FALSE);
  assert_span_qualified ("Tabac : non\nAlcool : oui\n", "Alcool", FALSE, FALSE, FALSE);
  /* A relative as the label of a line. */
  assert_span_qualified ("Père : cancer colique.", "cancer colique", FALSE, FALSE, TRUE);
  /* An adverb inside a verbal negation goes on with it; "mais" ends it. */
  assert_span_qualified ("Il ne présente pas actuellement de dyspnée.", "dyspnée",
                         TRUE, FALSE, FALSE);
  assert_span_qualified ("Il ne fume pas mais boit de l'alcool.", "alcool", FALSE, FALSE, FALSE);
}

static void
test_coding (void)
{
  g_autoptr(RelAnalysis) analysis = analyze_text (
    "MOTIF\nDyspnée.\n\n"
    "ANTÉCÉDENTS\nHTA. DT2. Appendicectomie dans l'enfance. Père : infarctus du myocarde.\n\n"
    "ÉVOLUTION\nPas d'embolie pulmonaire. Suspicion de pneumopathie.\n\n"
    "CONCLUSION\nInsuffisance cardiaque à FEVG altérée (FEVG 30 %).\n");
  GPtrArray *codes = rel_analysis_get_codes (analysis);
  const RelCodeSuggestion *first = g_ptr_array_index (codes, 0);

  g_assert_cmpuint (codes->len, >, 0);
  /* The DP first, stated in the conclusion, its French extension from the FEVG. */
  g_assert_cmpstr (first->role, ==, "DP");
  g_assert_true (g_str_has_prefix (first->code, "I50"));
  g_assert_cmpint (first->code[4], ==, '2');
  g_assert_cmpfloat (first->score, >, 0.0);
  g_assert_cmpfloat (first->score, <=, 1.0);
  g_assert_cmpuint (first->evidence->len, >=, 1);
  /* Chronic comorbidities from the history are DAS; DT2 without insulin is E11.98. */
  g_assert_nonnull (find_code (analysis, "I10"));
  g_assert_cmpstr (find_code (analysis, "I10")->role, ==, "DAS");
  g_assert_nonnull (find_code (analysis, "E1198"));
  /* Negated, hypothetical, family and resolved history: never suggested. */
  g_assert_null (find_code (analysis, "I269"));
  g_assert_null (find_code (analysis, "J189"));
  for (guint i = 0; i < codes->len; i++)
    {
      const RelCodeSuggestion *code = g_ptr_array_index (codes, i);

      g_assert_false (g_str_has_prefix (code->code, "I21"));
      g_assert_false (g_str_has_prefix (code->code, "K35"));
      /* Never a non-codable parent. */
      g_assert_true (rel_terminology_is_codable (terminology, code->code));
    }
}

static void
test_insulin_extension (void)
{
  g_autoptr(RelAnalysis) insulin = analyze_text (
    "Conclusion : diabète de type 2 déséquilibré.\nTraitement : Lantus 20 UI le soir.\n");
  g_autoptr(RelAnalysis) not_insulin = analyze_text (
    "Conclusion : DT2 non insulinotraité.\n");

  g_assert_nonnull (find_code (insulin, "E1190"));
  g_assert_nonnull (find_code (not_insulin, "E1198"));
}

/* A tumour's code is composed from what it is and where it is. */
static void
test_neoplasms (void)
{
  g_autoptr(RelAnalysis) organ = analyze_text (
    "Conclusion : adénocarcinome du pancréas avec métastases hépatiques.\n");
  g_autoptr(RelAnalysis) region = analyze_text (
    "Conclusion : liposarcome de la cuisse droite. Mélanome du bras gauche.\n");
  g_autoptr(RelAnalysis) primary = analyze_text (
    "Conclusion : métastase osseuse d'un adénocarcinome compatible avec un primitif pulmonaire.\n");
  /* The site a metastasis names is not the primary's. */
  g_autoptr(RelAnalysis) unknown = analyze_text (
    "Conclusion : adénocarcinome de primitif inconnu, métastases hépatiques.\n");
  /* The site fixes the subdivision, not the category's "sans précision". */
  g_autoptr(RelAnalysis) subdivision = analyze_text (
    "Conclusion : adénocarcinome de la jonction gastro-œsophagienne. Tumeur maligne de la rate.\n");
  /* Where a tumour lies is not always an organ: the axilla itself, a
   * distance from the anal verge (the rectum, not the anal skin). */
  g_autoptr(RelAnalysis) located = analyze_text (
    "Conclusion : carcinome dans la région axillaire droite. "
    "Adénocarcinome à 5 cm de la marge anale.\n");
  /* "néoformation" says there is a tumour, malignant where the report says so. */
  g_autoptr(RelAnalysis) words = analyze_text (
    "Conclusion : masse maligne pulmonaire. Néoformation rénale.\n");
  g_autoptr(RelAnalysis) alone = analyze_text ("Conclusion : néoformation rénale.\n");

  g_assert_nonnull (find_code (organ, "C259"));
  g_assert_nonnull (find_code (organ, "C787"));
  g_assert_nonnull (find_code (region, "C492"));
  g_assert_nonnull (find_code (region, "C436"));
  g_assert_null (find_code (region, "C765"));
  g_assert_nonnull (find_code (primary, "C349"));
  g_assert_null (find_code (primary, "C780"));
  g_assert_nonnull (find_code (subdivision, "C160"));
  g_assert_nonnull (find_code (subdivision, "C261"));
  g_assert_nonnull (find_code (located, "C761"));
  g_assert_null (find_code (located, "C773"));
  g_assert_nonnull (find_code (located, "C20"));
  g_assert_null (find_code (located, "C449"));
  g_assert_nonnull (find_code (words, "C349"));
  g_assert_nonnull (find_code (words, "C64"));
  g_assert_null (find_code (alone, "C64"));
  g_assert_nonnull (find_code (unknown, "C800"));
  g_assert_nonnull (find_code (unknown, "C787"));
  g_assert_null (find_code (unknown, "C229"));
}

/* The lexicons cover the organs of the nomenclature by the nouns and the
 * adjectives reports use, and the tumour names of oncology. */
static void
test_neoplasm_lexicons (void)
{
  /* "grande lèvre" is the vulva, not the lip; "vésicule" the gallbladder. */
  g_autoptr(RelAnalysis) organs = analyze_text (
    "Conclusion : carcinome épidermoïde de la grande lèvre droite. "
    "Adénocarcinome de la vésicule. Cancer nasal.\n");
  /* A mass in a report about a cancer lies in an ill-defined region until
   * an organ is named; an imaging field is no region. */
  g_autoptr(RelAnalysis) regions = analyze_text (
    "Conclusion : cancer de l'ovaire. Masse abdominale de 8 cm. "
    "Le scanner abdomino-pelvien montre une tumeur.\n");
  g_autoptr(RelAnalysis) morphologies = analyze_text (
    "Conclusion : UCNT du cavum. Leucémie myéloïde aiguë. Mélanome vulvaire.\n");
  /* Longer words that are not cancers keep their parts from reading as one. */
  g_autoptr(RelAnalysis) shadowed = analyze_text (
    "Conclusion : adénocarcinome du côlon, fonte de la masse musculaire. "
    "Carcinome urothélial in situ de la vessie.\n");
  g_autoptr(RelAnalysis) carcinosis = analyze_text ("Conclusion : carcinose.\n");

  g_assert_nonnull (find_code (organs, "C519"));
  g_assert_null (find_code (organs, "C009"));
  g_assert_nonnull (find_code (organs, "C23"));
  g_assert_nonnull (find_code (organs, "C300"));
  g_assert_nonnull (find_code (regions, "C56"));
  g_assert_nonnull (find_code (regions, "C762"));
  g_assert_null (find_code (regions, "C763"));
  g_assert_nonnull (find_code (morphologies, "C119"));
  g_assert_nonnull (find_code (morphologies, "C920"));
  g_assert_nonnull (find_code (morphologies, "C519"));
  g_assert_null (find_code (morphologies, "C439"));
  g_assert_nonnull (find_code (shadowed, "C189"));
  g_assert_null (find_code (shadowed, "C499"));
  g_assert_nonnull (find_code (shadowed, "D090"));
  g_assert_null (find_code (shadowed, "C679"));
  g_assert_nonnull (find_code (carcinosis, "C786"));
}

/* A screening tells why a stay happened; beside a cancer it is no DAS. */
static void
test_screening_not_das (void)
{
  g_autoptr(RelAnalysis) analysis = analyze_text (
    "Conclusion : carcinome canalaire infiltrant du sein droit découvert sur une "
    "mammographie de dépistage.\n");
  const RelCodeSuggestion *screening = find_code (analysis, "Z123");

  g_assert_nonnull (find_code (analysis, "C509"));
  g_assert_true (screening == NULL || screening->role == NULL);
}

static void
test_summary_and_json (void)
{
  g_autoptr(RelAnalysis) analysis = analyze_text (
    "MOTIF\nDouleur thoracique.\n\n"
    "ANTÉCÉDENTS\nHTA, obésité (IMC 37, stade 2), tabagisme sevré\n\n"
    "TRAITEMENT DE SORTIE\nBisoprolol 2,5 mg : 1 cp le matin\n\n"
    "CONCLUSION\nAngor stable.\n");
  g_autoptr(JsonNode) root = rel_analysis_to_json (analysis);
  JsonObject *object = json_node_get_object (root);
  const char *text = rel_document_get_text (rel_analysis_get_document (analysis));
  GPtrArray *summary = rel_analysis_get_summary (analysis);
  gboolean seen_motif = FALSE, seen_drug = FALSE, seen_bracket = FALSE;

  for (guint i = 0; i < summary->len; i++)
    {
      const RelSummarySection *section = g_ptr_array_index (summary, i);

      for (guint j = 0; j < section->items->len; j++)
        {
          const RelSummaryItem *item = g_ptr_array_index (section->items, j);

          g_assert_cmpuint (item->evidence->len, >, 0);
          if (g_str_equal (section->section, "motif"))
            seen_motif = g_str_equal (item->text, "Douleur thoracique");
          /* A list is cut at its commas, not inside brackets. */
          if (g_str_equal (section->section, "antecedents"))
            seen_bracket |= g_str_equal (item->text, "obésité (IMC 37, stade 2)");
          if (g_str_equal (section->section, "traitement_sortie"))
            {
              const RelSpan *span = &g_array_index (item->evidence, RelSpan, 0);

              seen_drug = strncmp (text + span->start, "Bisoprolol 2,5 mg", 17) == 0;
            }
        }
    }
  g_assert_true (seen_motif);
  g_assert_true (seen_drug);
  g_assert_true (seen_bracket);

  for (const char *const *key = (const char *const[]) { "document", "engine", "phi", "sections",
                                                        "mentions", "codes", "summary",
                                                        "timings_ms", NULL };
       *key != NULL; key++)
    g_assert_true (json_object_has_member (object, *key));
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (object, "engine"),
                                                  "name"), ==, "embedded");
  g_assert_true (json_object_has_member (json_object_get_object_member (object, "timings_ms"),
                                         "total"));
}

static gboolean
has_phi (RelAnalysis *analysis,
         const char  *words,
         const char  *label)
{
  const char *text = rel_document_get_text (rel_analysis_get_document (analysis));
  GPtrArray *phi = rel_analysis_get_phi (analysis);

  for (guint i = 0; i < phi->len; i++)
    {
      const RelPhi *span = g_ptr_array_index (phi, i);

      if (span->end - span->start == strlen (words) &&
          strncmp (text + span->start, words, strlen (words)) == 0 &&
          g_str_equal (span->label, label))
        return TRUE;
    }
  return FALSE;
}

static void
test_pseudonymization (void)
{
  g_autoptr(RelAnalysis) analysis = analyze_text (
    "Patient : M. DURAND Jean, né le 12/03/1950.\n"
    "NIR : 1 50 03 75 112 004 16 - Tél. 06 12 34 56 78 - jean.durand@example.org\n"
    "Adresse : 12 rue des Lilas, 75011 Paris\n"
    "Vu par le Dr Martin le 3 mars 2024. M. DURAND va mieux. Maladie de Parkinson.\n");
  const char *pseudonymized = rel_analysis_get_pseudonymized_text (analysis);

  g_assert_true (has_phi (analysis, "DURAND", "NOM"));
  g_assert_true (has_phi (analysis, "Jean", "PRENOM"));
  g_assert_true (has_phi (analysis, "12/03/1950", "DATE_NAISSANCE"));
  g_assert_true (has_phi (analysis, "3 mars 2024", "DATE"));
  g_assert_true (has_phi (analysis, "06 12 34 56 78", "TEL"));
  g_assert_true (has_phi (analysis, "jean.durand@example.org", "MAIL"));
  g_assert_true (has_phi (analysis, "75011", "ZIP"));
  g_assert_true (has_phi (analysis, "Paris", "VILLE"));
  g_assert_true (has_phi (analysis, "Martin", "NOM"));
  g_assert_nonnull (pseudonymized);
  g_assert_null (strstr (pseudonymized, "DURAND"));
  g_assert_null (strstr (pseudonymized, "12/03/1950"));
  /* The same person, the same placeholder; an eponym is no one. */
  g_assert_nonnull (strstr (strstr (pseudonymized, "[NOM-1]") + 1, "[NOM-1]"));
  g_assert_nonnull (strstr (pseudonymized, "Maladie de Parkinson"));
}

/* Forms that slipped through: a phone number before a comma, its extension,
 * a name after particles; "N°" is a number sign, not an initial. */
static void
test_pseudonymization_forms (void)
{
  g_autoptr(RelAnalysis) analysis = analyze_text (
    "Tél. +33 6 12 34 56 78, secrétariat poste 4321.\n"
    "N° SS : 1 80 03 76 755 608 12\n"
    "Vue par Mme de la Tour.\n");
  GPtrArray *phi = rel_analysis_get_phi (analysis);

  g_assert_true (has_phi (analysis, "+33 6 12 34 56 78", "TEL"));
  g_assert_true (has_phi (analysis, "4321", "TEL"));
  g_assert_true (has_phi (analysis, "Tour", "NOM"));
  for (guint i = 0; i < phi->len; i++)
    {
      const RelPhi *span = g_ptr_array_index (phi, i);

      g_assert_cmpstr (span->label, !=, "PRENOM");
    }
}

/* A code that says less gives way to the one that says the same with more:
 * the pneumonia whose agent is named, that agent's own code. */
static void
test_yields (void)
{
  g_autoptr(RelAnalysis) analysis = analyze_text (
    "CONCLUSION\nPneumopathie franche lobaire aiguë à pneumocoque. Pneumopathie à pneumocoque "
    "du lobe inférieur droit.\n");

  g_assert_cmpstr (find_code (analysis, "J13")->role, ==, "DP");
  g_assert_null (find_code (analysis, "J189"));
  g_assert_null (find_code (analysis, "B953"));
}

/* An external cause is suggested beside the injury it explains, never from
 * the words of its label alone. */
static void
test_external_causes (void)
{
  g_autoptr(RelAnalysis) fall = analyze_text (
    "MOTIF\nChute de sa hauteur à domicile.\n"
    "CONCLUSION\nChute de sa hauteur, sans lésion. Chute de l'hémoglobine à 9 g/dL.\n");
  g_autoptr(RelAnalysis) fracture = analyze_text (
    "MOTIF\nChute de sa hauteur à domicile.\n"
    "CONCLUSION\nFracture du col du fémur gauche après une chute de sa hauteur.\n");
  GPtrArray *codes = rel_analysis_get_codes (fall);

  for (guint i = 0; i < codes->len; i++)
    {
      const RelCodeSuggestion *code = g_ptr_array_index (codes, i);

      g_assert_null (strchr ("VWXY", code->code[0]));
    }
  g_assert_cmpstr (find_code (fracture, "S7200")->role, ==, "DP");
  g_assert_nonnull (find_code (fracture, "W180"));
}

/* A name or city found once is masked wherever it is written again with a
 * capital; units and roman numerals are no initials, names nor places. */
static void
test_pseudonymization_propagation (void)
{
  g_autoptr(RelAnalysis) analysis = analyze_text (
    "Adresse : 8 rue des Glycines, 41999 VALMORIN\n"
    "Valmorin, le 22/02/2024\n"
    "Patient : M. VERDELOUP Raymond\n"
    "Biologie : Hb 12,4 g/dL, GB 8,1 G/L, K 4,6 mmol/L, LDL-c 1,18 g/L, TG 2,05 g/L.\n"
    "Dyspnée NYHA III à IV. Retour sur Valmorin prévu. Revu par Verdeloup fils.\n");
  const char *pseudonymized = rel_analysis_get_pseudonymized_text (analysis);
  g_autofree char *lower = g_ascii_strdown (pseudonymized, -1);

  g_assert_null (strstr (lower, "valmorin"));
  g_assert_null (strstr (lower, "verdeloup"));
  g_assert_nonnull (strstr (pseudonymized, "8,1 G/L, K 4,6 mmol/L, LDL-c 1,18 g/L, TG 2,05 g/L."));
  g_assert_nonnull (strstr (pseudonymized, "NYHA III à IV"));
}

/* An address keeps its flat and building, its street number even after
 * digits read one by one, an abbreviated word, a Corsican postcode; German
 * and Dutch ways carry their number after the name. */
static void
test_pseudonymization_addresses (void)
{
  g_autoptr(RelAnalysis) analysis = analyze_text (
    "Domicile : 9 impasse des Tilleuls, bât. C, 44300 Nantes\n"
    "Ancienne adresse : 31 RUE DES ROSIERS, APPT 12, 69003 LYON\n"
    "Né le 1 2 0 3 1 9 5 0 17 boulevard du Mal Leclerc, 13008 Marseille\n"
    "Vacances au 5 chemin de la Plage 2B 220 Calvi.\n"
    "Fabricant : Lindenstraße 4, 1010 Wien ; Kerkstraat 18, 2000 Antwerpen\n");

  g_assert_true (has_phi (analysis, "9 impasse des Tilleuls, bât. C", "ADRESSE"));
  g_assert_true (has_phi (analysis, "31 RUE DES ROSIERS, APPT 12", "ADRESSE"));
  g_assert_true (has_phi (analysis, "17 boulevard du Mal Leclerc", "ADRESSE"));
  g_assert_true (has_phi (analysis, "1 2 0 3 1 9 5 0", "DATE_NAISSANCE"));
  g_assert_true (has_phi (analysis, "5 chemin de la Plage", "ADRESSE"));
  g_assert_true (has_phi (analysis, "Lindenstraße 4", "ADRESSE"));
  g_assert_true (has_phi (analysis, "1010", "ZIP"));
  g_assert_true (has_phi (analysis, "Wien", "VILLE"));
  g_assert_true (has_phi (analysis, "Kerkstraat 18", "ADRESSE"));
}

/* A city goes on by its hyphens and linking words, keeps its CEDEX, stops
 * before an establishment, and opens a dateline; a post box is an address. */
static void
test_pseudonymization_cities (void)
{
  g_autoptr(RelAnalysis) analysis = analyze_text (
    "Kerbrendel, le 14 avril 2023\n"
    "Patient, le 14/04/2023, a été revu.\n"
    "Elle habite à Villers sur Orge avec sa fille, son fils vit à Saint-Rémy-de-Provence.\n"
    "Correspondance : BP 2041, 35042 RENNES CEDEX 9\n"
    "Secrétariat : CS 70512, 29609 Brest Cedex CHU Cavale Blanche\n"
    "Départ prévu à Nice en Juin. Score CS 2 à l'admission.\n");

  g_assert_true (has_phi (analysis, "Kerbrendel", "VILLE"));
  g_assert_false (has_phi (analysis, "Patient", "VILLE"));
  g_assert_true (has_phi (analysis, "Villers sur Orge", "VILLE"));
  g_assert_true (has_phi (analysis, "Saint-Rémy-de-Provence", "VILLE"));
  g_assert_true (has_phi (analysis, "BP 2041", "ADRESSE"));
  g_assert_true (has_phi (analysis, "RENNES CEDEX 9", "VILLE"));
  g_assert_true (has_phi (analysis, "CS 70512", "ADRESSE"));
  g_assert_true (has_phi (analysis, "29609", "ZIP"));
  g_assert_true (has_phi (analysis, "Brest Cedex", "VILLE"));
  g_assert_true (has_phi (analysis, "Nice", "VILLE"));
  g_assert_false (has_phi (analysis, "CS 2", "ADRESSE"));
}

/* An establishment known by its name alone after "à", an English one by its
 * last words; an eponym is no establishment. A stay number after "visite",
 * with its dashes; an e-mail address with accents. */
static void
test_pseudonymization_establishments (void)
{
  g_autoptr(RelAnalysis) analysis = analyze_text (
    "Transférée à Lariboisière puis suivie à la Timone.\n"
    "Greffe réalisée au Kingsbridge University Hospital en 2019.\n"
    "Kyste de la capsule de Tenon ; signe de Trousseau absent. The hospital stay was short.\n"
    "Numéro de visite : V2023-00451\n"
    "Contact : secrétariat.néphro@chu-exemple.fr\n");

  g_assert_true (has_phi (analysis, "Lariboisière", "HOPITAL"));
  g_assert_true (has_phi (analysis, "Timone", "HOPITAL"));
  g_assert_true (has_phi (analysis, "Kingsbridge University Hospital", "HOPITAL"));
  g_assert_false (has_phi (analysis, "Tenon", "HOPITAL"));
  g_assert_false (has_phi (analysis, "Trousseau", "HOPITAL"));
  g_assert_false (has_phi (analysis, "The hospital", "HOPITAL"));
  g_assert_true (has_phi (analysis, "V2023-00451", "NDA"));
  g_assert_true (has_phi (analysis, "secrétariat.néphro@chu-exemple.fr", "MAIL"));
}

/* Initials beside a name are the first name's, whole ("J.-M.", "P-A."); a
 * lone "M." is "Monsieur" unless a title comes first; "Dr." is a title, and
 * the "A" of "P-A." no "à" before a city. */
static void
test_pseudonymization_initials (void)
{
  g_autoptr(RelAnalysis) analysis = analyze_text (
    "Vue par le Dr J.-M. KERGOAT puis par le Dr P-A. VAUCLIN.\n"
    "Courrier à Mme M. Quillévéré. Transmis par LASSERRE M. le 12/03/2024.\n"
    "Revu par M. TRÉGUER et par le Dr. Penhoat.\n");

  g_assert_true (has_phi (analysis, "J.-M.", "PRENOM"));
  g_assert_true (has_phi (analysis, "P-A.", "PRENOM"));
  g_assert_true (has_phi (analysis, "VAUCLIN", "NOM"));
  g_assert_false (has_phi (analysis, "VAUCLIN", "VILLE"));
  g_assert_true (has_phi (analysis, "M.", "PRENOM"));
  g_assert_true (has_phi (analysis, "TRÉGUER", "NOM"));
  g_assert_false (has_phi (analysis, "Dr.", "PRENOM"));
  g_assert_true (has_phi (analysis, "Penhoat", "NOM"));
  g_assert_nonnull (strstr (rel_analysis_get_pseudonymized_text (analysis), "Revu par M. [NOM-"));
}

/* A long report runs its pseudonymization beside the other stages: the same
 * findings, copy after copy, as the short one alone. */
static void
test_long_report (void)
{
  const char *one =
    "Patient : M. DURAND Jean, né le 12/03/1950.\n"
    "Adresse : 12 rue des Lilas, 75011 Paris\n"
    "ANTÉCÉDENTS\nHTA. Diabète de type 2.\n"
    "CONCLUSION\nVu par le Dr Martin. Maladie de Parkinson. Pas d'embolie pulmonaire.\n\n";
  g_autoptr(GString) many = g_string_new (NULL);
  g_autoptr(RelAnalysis) single = analyze_text (one);
  g_autoptr(RelAnalysis) analysis = NULL;
  guint copies = 0;

  while (many->len < 3 * 64 * 1024)
    {
      g_string_append (many, one);
      copies++;
    }
  analysis = analyze_text (many->str);
  g_assert_cmpuint (rel_analysis_get_phi (analysis)->len, ==,
                    copies * rel_analysis_get_phi (single)->len);
  g_assert_cmpuint (rel_analysis_get_mentions (analysis)->len, ==,
                    copies * rel_analysis_get_mentions (single)->len);
  g_assert_null (strstr (rel_analysis_get_pseudonymized_text (analysis), "DURAND"));
  g_assert_nonnull (find_mention (analysis, "Maladie de Parkinson"));
  g_assert_true (find_mention (analysis, "embolie pulmonaire")->negated);
}

static void
test_cancelled (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = g_bytes_new_static ("HTA\n", 4);
  g_autoptr(RelDocument) document = rel_document_new_from_bytes (bytes, "x", 0, &error);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(RelAnalysis) analysis = NULL;

  g_cancellable_cancel (cancellable);
  analysis = rel_engine_analyze (engine, document, cancellable, &error);
  g_assert_null (analysis);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GError) error = NULL;
  int status;

  g_test_init (&argc, &argv, NULL);

  terminology = rel_terminology_new_bundled (&error);
  g_assert_no_error (error);
  engine = rel_embedded_engine_new (terminology, &error);
  g_assert_no_error (error);

  g_test_add_func ("/engine/tokens", test_tokens);
  g_test_add_func ("/engine/sections/titles", test_sections_titles);
  g_test_add_func ("/engine/sections/inline-and-content", test_sections_inline_and_content);
  g_test_add_func ("/engine/matcher", test_matcher);
  g_test_add_func ("/engine/qualifiers", test_qualifiers);
  g_test_add_func ("/engine/qualifiers/scopes", test_qualifier_scopes);
  g_test_add_func ("/engine/coding", test_coding);
  g_test_add_func ("/engine/coding/insulin", test_insulin_extension);
  g_test_add_func ("/engine/coding/neoplasms", test_neoplasms);
  g_test_add_func ("/engine/coding/neoplasm-lexicons", test_neoplasm_lexicons);
  g_test_add_func ("/engine/coding/screening", test_screening_not_das);
  g_test_add_func ("/engine/summary-and-json", test_summary_and_json);
  g_test_add_func ("/engine/pseudonymization", test_pseudonymization);
  g_test_add_func ("/engine/pseudonymization/forms", test_pseudonymization_forms);
  g_test_add_func ("/engine/coding/yields", test_yields);
  g_test_add_func ("/engine/coding/external-causes", test_external_causes);
  g_test_add_func ("/engine/pseudonymization/propagation", test_pseudonymization_propagation);
  g_test_add_func ("/engine/pseudonymization/addresses", test_pseudonymization_addresses);
  g_test_add_func ("/engine/pseudonymization/cities", test_pseudonymization_cities);
  g_test_add_func ("/engine/pseudonymization/establishments",
                   test_pseudonymization_establishments);
  g_test_add_func ("/engine/pseudonymization/initials", test_pseudonymization_initials);
  g_test_add_func ("/engine/long-report", test_long_report);
  g_test_add_func ("/engine/cancelled", test_cancelled);

  status = g_test_run ();
  g_clear_object (&engine);
  g_clear_object (&terminology);
  return status;
}
