/* SPDX-License-Identifier: GPL-3.0-or-later */
/* rel-coder.c: the coding rules of the PMSI MCO guide, in short: what may be
 * coded, the French extensions the text decides, the DP and the DAS. */
#define G_LOG_DOMAIN "rel-coder"

#include "config.h"

#include <math.h>

#include "rel-coder.h"
#include "rel-lexicon.h"

/* Below this score a suggestion gets no role: the coder decides. */
#define MIN_DAS_SCORE 0.35

typedef struct
{
  char first[4];
  char last[4];
} CategoryRange;

struct _RelCoder
{
  GObject         parent_instance;

  RelTerminology *terminology;
  GArray         *chronic;   /* CategoryRange */
  GPtrArray      *insulins;  /* GStrv of folded words */
  GHashTable     *insulins_by_first;  /* first word → GPtrArray of those GStrv */
  GPtrArray      *exclusive; /* GStrv of categories coded once per stay */
  GPtrArray      *yields;    /* GStrv: a general code, then the precise ones it gives way to */
  GPtrArray      *tnm_nodes; /* GStrv: first, last category, code of the regional nodes */
  GPtrArray      *combinations; /* GStrv: first code, second code, combination[, garde] */
  GPtrArray      *refinements;  /* GStrv: code, kind, context, finer code */
  GRegex         *tnm;       /* a TNM stage with nodes: "N1", "pN2a", "cT2N1M0" */
};

G_DEFINE_FINAL_TYPE (RelCoder, rel_coder, G_TYPE_OBJECT)

static void
rel_coder_finalize (GObject *object)
{
  RelCoder *self = (RelCoder *) object;

  g_clear_object (&self->terminology);
  g_clear_pointer (&self->chronic, g_array_unref);
  g_clear_pointer (&self->insulins_by_first, g_hash_table_unref);
  g_clear_pointer (&self->insulins, g_ptr_array_unref);
  g_clear_pointer (&self->exclusive, g_ptr_array_unref);
  g_clear_pointer (&self->yields, g_ptr_array_unref);
  g_clear_pointer (&self->tnm_nodes, g_ptr_array_unref);
  g_clear_pointer (&self->combinations, g_ptr_array_unref);
  g_clear_pointer (&self->refinements, g_ptr_array_unref);
  g_clear_pointer (&self->tnm, g_regex_unref);

  G_OBJECT_CLASS (rel_coder_parent_class)->finalize (object);
}

static void
rel_coder_class_init (RelCoderClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = rel_coder_finalize;
}

static void
rel_coder_init (RelCoder *self)
{
  self->chronic = g_array_new (FALSE, TRUE, sizeof (CategoryRange));
  self->insulins = g_ptr_array_new_with_free_func ((GDestroyNotify) g_strfreev);
  self->insulins_by_first = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                                   (GDestroyNotify) g_ptr_array_unref);
  self->exclusive = g_ptr_array_new_with_free_func ((GDestroyNotify) g_strfreev);
  self->yields = g_ptr_array_new_with_free_func ((GDestroyNotify) g_strfreev);
}

RelCoder *
rel_coder_new (RelTerminology  *terminology,
               GError         **error)
{
  g_autoptr(RelCoder) self = g_object_new (REL_TYPE_CODER, NULL);
  g_autoptr(GPtrArray) chronic = NULL;
  g_autoptr(GPtrArray) insulins = NULL;
  g_autoptr(GPtrArray) exclusive = NULL;
  g_autoptr(GPtrArray) yields = NULL;

  self->tnm = g_regex_new ("^(?:[cpy]?T[0-4x][a-d]?)?[cpy]?N([1-3])[a-c]?(?:M[01x])?$", 0, 0, NULL);
  self->terminology = g_object_ref (terminology);

  chronic = rel_lexicon_load ("chronic.tsv", 2, error);
  if (chronic == NULL)
    return NULL;
  for (guint i = 0; i < chronic->len; i++)
    {
      char **fields = g_ptr_array_index (chronic, i);
      CategoryRange range = { { 0 }, { 0 } };

      g_strlcpy (range.first, fields[0], sizeof range.first);
      g_strlcpy (range.last, fields[1], sizeof range.last);
      g_array_append_val (self->chronic, range);
    }

  insulins = rel_lexicon_load ("insulins.tsv", 1, error);
  if (insulins == NULL)
    return NULL;
  for (guint i = 0; i < insulins->len; i++)
    {
      char **words = rel_tokens_split (((char **) insulins->pdata[i])[0]);
      GPtrArray *list;

      g_ptr_array_add (self->insulins, words);
      if (words[0] == NULL)
        continue;
      list = g_hash_table_lookup (self->insulins_by_first, words[0]);
      if (list == NULL)
        {
          list = g_ptr_array_new ();
          g_hash_table_insert (self->insulins_by_first, words[0], list);
        }
      g_ptr_array_add (list, words);
    }

  self->tnm_nodes = rel_lexicon_load ("tnm-nodes.tsv", 3, error);
  if (self->tnm_nodes == NULL)
    return NULL;

  self->combinations = rel_lexicon_load ("combinations.tsv", 3, error);
  if (self->combinations == NULL)
    return NULL;
  self->refinements = rel_lexicon_load ("refinements.tsv", 4, error);
  if (self->refinements == NULL)
    return NULL;

  exclusive = rel_lexicon_load ("exclusive.tsv", 1, error);
  if (exclusive == NULL)
    return NULL;
  for (guint i = 0; i < exclusive->len; i++)
    g_ptr_array_add (self->exclusive,
                     g_strsplit_set (g_strstrip (((char **) exclusive->pdata[i])[0]), " ", -1));

  yields = rel_lexicon_load ("yields.tsv", 2, error);
  if (yields == NULL)
    return NULL;
  for (guint i = 0; i < yields->len; i++)
    {
      char **fields = g_ptr_array_index (yields, i);
      g_autofree char *row = g_strconcat (g_strstrip (fields[0]), " ", g_strstrip (fields[1]), NULL);

      g_ptr_array_add (self->yields, g_strsplit_set (row, " ", -1));
    }

  return g_steal_pointer (&self);
}

static gboolean
in_ranges (GArray     *ranges,
           const char *code)
{
  for (guint i = 0; i < ranges->len; i++)
    {
      const CategoryRange *range = &g_array_index (ranges, CategoryRange, i);

      if (strncmp (code, range->first, 3) >= 0 && strncmp (code, range->last, 3) <= 0)
        return TRUE;
    }
  return FALSE;
}

/* How much a mention weighs where it stands: what motivated the stay and what
 * was concluded weigh more than history. */
static double
section_weight (const char *label)
{
  static const struct { const char *label; double weight; } weights[] = {
    { "motif", 1.0 }, { "conclusion", 1.0 }, { "evolution", 0.75 }, { "histoire", 0.7 },
    { "traitement", 0.6 }, { "examens_complementaires", 0.55 }, { "examen_clinique", 0.5 },
    { "traitement_sortie", 0.5 }, { "suivi", 0.5 }, { "antecedents", 0.45 },
    { "traitement_entree", 0.45 }, { "mode_de_vie", 0.35 }, { "autre", 0.4 },
    { "allergies", 0.2 },
  };

  if (label == NULL)
    return 0.55;
  for (guint i = 0; i < G_N_ELEMENTS (weights); i++)
    if (g_str_equal (weights[i].label, label))
      return weights[i].weight;
  return 0.5;
}

/* Sections where a diagnosis is stated; elsewhere (examination, results) a
 * term is an observation that the conclusion may or may not retain. */
static gboolean
is_statement_section (const char *label)
{
  return label == NULL || !(g_str_equal (label, "examen_clinique") ||
                            g_str_equal (label, "examens_complementaires") ||
                            g_str_equal (label, "mode_de_vie") ||
                            g_str_equal (label, "allergies") || g_str_equal (label, "autre"));
}

static gboolean
is_dp_section (const char *label)
{
  return label != NULL && (g_str_equal (label, "motif") || g_str_equal (label, "conclusion"));
}

/* May this mention become a suggestion? Negated, hypothetical and family
 * mentions never; history only for what stays a concern of the stay. */
static gboolean
codable_mention (RelCoder         *self,
                 const RelMention *mention)
{
  gboolean family_code = strncmp (mention->code, "Z80", 3) >= 0 &&
                         strncmp (mention->code, "Z84", 3) <= 0;

  if (mention->negated || mention->hypothesis)
    return FALSE;
  /* The follow-up plan says what is to come, not what the patient has. */
  if (mention->section != NULL && g_str_equal (mention->section, "suivi"))
    return FALSE;
  if (mention->family)
    return family_code;
  if (family_code)
    return FALSE;
  if (mention->resolved)
    return g_str_has_prefix (mention->code, "Z8");
  if (mention->history)
    return in_ranges (self->chronic, mention->code);
  return TRUE;
}

typedef struct
{
  const RelConcept *concept;
  GArray           *evidence;  /* RelSpan */
  GArray           *weights;   /* double, one per evidence */
  gboolean          in_motif;
  gboolean          in_conclusion;
  gboolean          in_statement;   /* somewhere a diagnosis is stated, not only observed */
  gboolean          in_evolution;   /* cared for during the stay */
  guint             conclusion_rank; /* order of its first mention in the conclusion */
  guint             motif_rank;      /* order of its first mention in the motif */
  gboolean          ambiguous;
  gboolean          only_truncated;
  gboolean          dropped;
} Candidate;

static void
candidate_free (gpointer data)
{
  Candidate *candidate = data;

  g_array_unref (candidate->evidence);
  g_array_unref (candidate->weights);
  g_free (candidate);
}

static Candidate *
candidate_for (GHashTable       *candidates,
               const RelConcept *concept)
{
  Candidate *candidate = g_hash_table_lookup (candidates, concept->code);

  if (candidate == NULL)
    {
      candidate = g_new0 (Candidate, 1);
      candidate->concept = concept;
      candidate->evidence = g_array_new (FALSE, FALSE, sizeof (RelSpan));
      candidate->weights = g_array_new (FALSE, FALSE, sizeof (double));
      candidate->ambiguous = TRUE;
      candidate->only_truncated = TRUE;
      candidate->conclusion_rank = G_MAXUINT;
      candidate->motif_rank = G_MAXUINT;
      g_hash_table_insert (candidates, (gpointer) concept->code, candidate);
    }
  return candidate;
}

static void
merge_into (Candidate *target,
            Candidate *source)
{
  g_array_append_vals (target->evidence, source->evidence->data, source->evidence->len);
  g_array_append_vals (target->weights, source->weights->data, source->weights->len);
  target->in_motif |= source->in_motif;
  target->in_conclusion |= source->in_conclusion;
  target->in_statement |= source->in_statement;
  target->in_evolution |= source->in_evolution;
  target->conclusion_rank = MIN (target->conclusion_rank, source->conclusion_rank);
  target->motif_rank = MIN (target->motif_rank, source->motif_rank);
  target->ambiguous &= source->ambiguous;
  source->dropped = TRUE;
}

/* The value after a word of @words within a few tokens: "FEVG à 35 %",
 * "IMC : 36,2", "DFG 28 mL/min". The stay's own value is wanted, so the last
 * one outside the antécédents wins. Returns NAN when the text has none. */
static double
find_value (RelTokens   *tokens,
            GArray      *sections,
            const char **words)
{
  guint n = rel_tokens_get_n (tokens);
  guint n_words = rel_tokens_get_n_words (tokens);
  g_autofree gboolean *named = g_new0 (gboolean, n_words + 1);
  double found = NAN;
  gboolean found_in_history = FALSE;

  /* Each word of the report compared with @words once. */
  for (guint w = 0; w < n_words; w++)
    named[w] = g_strv_contains (words, rel_tokens_get_word (tokens, w));

  for (guint i = 0; i < n; i++)
    {
      const RelToken *token = rel_tokens_get (tokens, i);

      if (!named[token->word])
        continue;

      for (guint j = i + 1; j < MIN (n, i + 5); j++)
        {
          const RelToken *value = rel_tokens_get (tokens, j);

          if (value->flags & REL_TOKEN_SENTENCE && !(value->flags & REL_TOKEN_NUMBER))
            break;
          if (value->flags & REL_TOKEN_NUMBER)
            {
              g_autofree char *number = g_strndup (rel_tokens_get_text (tokens) + value->start,
                                                   value->end - value->start);
              const RelSection *section = rel_sections_lookup (sections, value->start);
              gboolean history = section != NULL && g_str_equal (section->label, "antecedents");

              g_strdelimit (number, ",", '.');
              if (isnan (found) || !history || found_in_history)
                {
                  found = g_ascii_strtod (number, NULL);
                  found_in_history = history;
                }
              break;
            }
        }
    }
  return found;
}

/* Is the patient on insulin? "non insulinotraité" and "pas d'insuline" say no. */
static gboolean
mentions_insulin (RelCoder     *self,
                  RelTokens    *tokens,
                  RelQualifier *qualifier,
                  GArray       *cues,
                  GArray       *sections)
{
  guint n = rel_tokens_get_n (tokens);
  g_autofree gpointer *starts = rel_tokens_lookup_words (tokens, self->insulins_by_first);

  for (guint i = 0; i < n; i++)
    {
      GPtrArray *list = starts[rel_tokens_get (tokens, i)->word];

      for (guint k = 0; list != NULL && k < list->len; k++)
        {
          char **words = g_ptr_array_index (list, k);
          guint w = 0;
          RelQualifiers q;

          while (words[w] != NULL && i + w < n &&
                 g_str_equal (rel_tokens_get (tokens, i + w)->folded, words[w]))
            w++;
          if (w == 0 || words[w] != NULL)
            continue;

          rel_qualifier_qualify (qualifier, tokens, cues, sections, i, i + w - 1, &q);
          if (i > 0 && g_str_equal (rel_tokens_get (tokens, i - 1)->folded, "non"))
            q.negated = TRUE;
          if (!q.negated && !q.hypothesis && !q.family && !q.resolved)
            return TRUE;
        }
    }
  return FALSE;
}

/* A concept with its code's last character replaced, if the edition has it. */
static const RelConcept *
with_last (RelCoder         *self,
           const RelConcept *concept,
           char              last)
{
  g_autofree char *code = g_strdup (concept->code);
  const RelConcept *other;

  code[strlen (code) - 1] = last;
  other = rel_terminology_lookup (self->terminology, code);
  return other != NULL && other->type != REL_CODE_TYPE_NOT_CODABLE ? other : concept;
}

/* The French extensions the text decides (DESIGN.md, "Coding knowledge"). */
/* "stade 3", "stade IV" just after a mention: the stage's digit, or 0. */
static char
stage_after (RelTokens      *tokens,
             const RelMatch *match)
{
  static const char *romans[] = { "i", "ii", "iii", "iv", "v" };
  guint n = rel_tokens_get_n (tokens);

  for (guint i = match->last_token + 1; i + 1 < n && i <= match->last_token + 3; i++)
    {
      const char *word, *next;

      if (rel_tokens_get (tokens, i)->flags & REL_TOKEN_SENTENCE)
        break;
      if (!g_str_equal (rel_tokens_get (tokens, i)->folded, "stade"))
        continue;
      next = rel_tokens_get (tokens, i + 1)->folded;
      if (next[0] >= '1' && next[0] <= '5')
        return next[0];
      for (guint r = 0; r < G_N_ELEMENTS (romans); r++)
        {
          gsize len = strlen (romans[r]);

          word = next;
          if (strncmp (word, romans[r], len) == 0 && (word[len] == '\0' || word[len] == 'a' ||
                                                      word[len] == 'b'))
            {
              /* The longest roman numeral that fits: "iii" before "ii". */
              for (guint longer = G_N_ELEMENTS (romans); longer > r; longer--)
                {
                  gsize l2 = strlen (romans[longer - 1]);

                  if (strncmp (word, romans[longer - 1], l2) == 0 &&
                      (word[l2] == '\0' || word[l2] == 'a' || word[l2] == 'b'))
                    return '0' + longer;
                }
              return '0' + r + 1;
            }
        }
    }
  return 0;
}

/* The values refine() reads from the whole report, each looked for once. */
typedef struct
{
  RelTokens *tokens;
  GArray    *sections;
  double     fevg;
  double     rate;
  double     bmi;
  guint      known;   /* bits: 1 fevg, 2 rate, 4 bmi */
} Measures;

static double
measure (Measures    *measures,
         guint        bit,
         double      *slot,
         const char **words)
{
  if (!(measures->known & bit))
    {
      *slot = find_value (measures->tokens, measures->sections, words);
      measures->known |= bit;
    }
  return *slot;
}

static const RelConcept *
refine (RelCoder         *self,
        RelTokens        *tokens,
        Measures         *measures,
        const RelMatch   *match,
        const RelConcept *concept,
        gboolean          insulin)
{
  const char *code = concept->code;
  gsize length = strlen (code);

  /* Diabetes: 5th character 0 when insulin-treated, 8 otherwise. */
  if (length == 5 && code[0] == 'E' && code[1] == '1' && code[2] >= '0' && code[2] <= '4' &&
      code[4] == '8' && insulin)
    return with_last (self, concept, '0');

  /* Heart failure by ejection fraction: I50.0x / I50.1x. */
  if (g_str_equal (code, "I509"))
    {
      const RelConcept *congestive = rel_terminology_lookup (self->terminology, "I5009");

      if (congestive != NULL && congestive->type != REL_CODE_TYPE_NOT_CODABLE)
        concept = congestive, code = concept->code, length = 5;
    }
  if (length == 5 && g_str_has_prefix (code, "I50") && code[4] == '9')
    {
      static const char *words[] = { "fevg", "fe", "fraction", NULL };
      double fevg = measure (measures, 1, &measures->fevg, words);

      if (!isnan (fevg) && fevg > 5 && fevg < 90)
        return with_last (self, concept, fevg < 40 ? '2' : fevg < 50 ? '1' : '0');
      return concept;
    }

  /* Chronic kidney disease by stage ("IRC stade 3b"), or by filtration rate. */
  if (g_str_equal (code, "N189"))
    {
      static const char *rate_words[] = { "dfg", "mdrd", "ckd", "clairance", NULL };
      double rate = measure (measures, 2, &measures->rate, rate_words);
      char digit = stage_after (tokens, match);

      if (digit == 0 && !isnan (rate) && rate > 0 && rate < 90)
        digit = rate < 15 ? '5' : rate < 30 ? '4' : rate < 60 ? '3' : '2';
      if (digit != 0)
        return with_last (self, concept, digit);
      return concept;
    }

  /* Pressure ulcers by stage: L89.0 (I) to L89.3 (IV). */
  if (g_str_equal (code, "L899"))
    {
      char digit = stage_after (tokens, match);

      if (digit >= '1' && digit <= '4')
        return with_last (self, concept, digit - 1);
      return concept;
    }

  /* Obesity by body mass index: E66.x4 to E66.x7. */
  if (length == 5 && g_str_has_prefix (code, "E66") && code[4] == '9')
    {
      static const char *words[] = { "imc", "bmi", NULL };
      double bmi = measure (measures, 4, &measures->bmi, words);

      if (!isnan (bmi) && bmi >= 30 && bmi < 100)
        return with_last (self, concept, bmi < 35 ? '4' : bmi < 40 ? '5' : bmi < 50 ? '6' : '7');
      return concept;
    }

  return concept;
}

/* "Sans précision" codes give way to a more precise one of their category. */
static gboolean
is_unspecified (const RelConcept *concept)
{
  return strstr (concept->label, "sans précision") != NULL ||
         strstr (concept->label, "non précisé") != NULL;
}

static int
compare_weights_descending (gconstpointer a,
                            gconstpointer b)
{
  double wa = *(const double *) a, wb = *(const double *) b;

  return wa > wb ? -1 : wa < wb;
}

static double
candidate_score (const Candidate *candidate)
{
  g_autoptr(GArray) weights = g_array_copy (candidate->weights);
  double raw = 0.0;

  /* The best evidence counts fully, the next ones less and less. */
  g_array_sort (weights, compare_weights_descending);
  for (guint i = 0; i < MIN (weights->len, 6); i++)
    raw += g_array_index (weights, double, i) * (i == 0 ? 1.0 : i == 1 ? 0.35 : 0.1);

  if (strlen (candidate->concept->code) >= 5)
    raw += 0.1;
  else if (strlen (candidate->concept->code) == 4)
    raw += 0.05;
  if (candidate->only_truncated)
    raw -= 0.1;
  if (candidate->ambiguous)
    raw *= 0.5;

  return CLAMP (1.0 - exp (-1.6 * raw), 0.0, 1.0);
}

typedef struct
{
  Candidate *candidate;
  double     score;
} Ranked;

static int
compare_ranked (gconstpointer a,
                gconstpointer b)
{
  const Ranked *ra = a, *rb = b;

  if (ra->score != rb->score)
    return ra->score > rb->score ? -1 : 1;
  return strcmp (ra->candidate->concept->code, rb->candidate->concept->code);
}

static int
compare_spans (gconstpointer a,
               gconstpointer b)
{
  const RelSpan *sa = a, *sb = b;

  return sa->start < sb->start ? -1 : sa->start > sb->start;
}

static gboolean
in_group (char       **group,
          const char  *code)
{
  for (guint i = 0; group[i] != NULL; i++)
    if (*group[i] != '\0' && g_str_has_prefix (code, group[i]))
      return TRUE;
  return FALSE;
}

static gboolean
better_candidate (Candidate *a,
                  Candidate *b)
{
  gboolean a_vague = is_unspecified (a->concept) || strstr (a->concept->label, "sans complication");
  gboolean b_vague = is_unspecified (b->concept) || strstr (b->concept->label, "sans complication");
  double sa, sb;

  if (a_vague != b_vague)
    return !a_vague;
  sa = candidate_score (a);
  sb = candidate_score (b);
  if (sa != sb)
    return sa > sb;
  return strlen (a->concept->code) > strlen (b->concept->code);
}

static Candidate *
find_candidate (GHashTable *candidates,
                const char *prefix)
{
  GHashTableIter iter;
  gpointer value;

  g_hash_table_iter_init (&iter, candidates);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      Candidate *candidate = value;

      if (!candidate->dropped && g_str_has_prefix (candidate->concept->code, prefix))
        return candidate;
    }
  return NULL;
}

/* Two codes that the classification combines into one (combinations.tsv). */
static void
merge_combinations (RelCoder   *self,
                    GHashTable *candidates)
{
  for (guint i = 0; i < self->combinations->len; i++)
    {
      char **rule = g_ptr_array_index (self->combinations, i);
      Candidate *first = find_candidate (candidates, rule[0]);
      Candidate *second = find_candidate (candidates, rule[1]);
      const RelConcept *combined;
      Candidate *target;

      if (first == NULL || second == NULL || first == second)
        continue;
      combined = rel_terminology_lookup (self->terminology, rule[2]);
      if (combined == NULL || combined->type == REL_CODE_TYPE_NOT_CODABLE)
        continue;

      target = candidate_for (candidates, combined);
      target->ambiguous = FALSE;
      target->only_truncated = FALSE;
      if (target != first)
        merge_into (target, first);
      /* "garde": the second condition is coded beside the combination;
       * "suit": beside it, but after it. */
      if (target != second && !(rule[3] != NULL && (g_str_equal (rule[3], "garde") ||
                                                    g_str_equal (rule[3], "suit"))))
        merge_into (target, second);
      else if (target != second && g_str_equal (rule[3], "suit"))
        {
          target->conclusion_rank = MIN (target->conclusion_rank, second->conclusion_rank);
          target->motif_rank = MIN (target->motif_rank, second->motif_rank);
          if (second->conclusion_rank != G_MAXUINT)
            second->conclusion_rank++;
          if (second->motif_rank != G_MAXUINT)
            second->motif_rank++;
        }
      target->dropped = FALSE;
    }
}

/* Does the sentence around @span say @words (folded)? */
static gboolean
sentence_says (RelTokens     *tokens,
               const RelSpan *span,
               char         **words)
{
  guint n = rel_tokens_get_n (tokens);
  guint first = rel_tokens_find (tokens, span->start);
  guint from = first, to = first;
  guint n_words = g_strv_length (words);

  while (from > 0 && !(rel_tokens_get (tokens, from)->flags & REL_TOKEN_SENTENCE))
    from--;
  while (to + 1 < n && !(rel_tokens_get (tokens, to + 1)->flags & REL_TOKEN_SENTENCE))
    to++;

  for (guint i = from; n_words > 0 && i + n_words <= to + 1; i++)
    {
      gboolean found = TRUE;

      for (guint k = 0; k < n_words && found; k++)
        found = g_str_equal (rel_tokens_get (tokens, i + k)->folded, words[k]);
      if (found)
        return TRUE;
    }
  return FALSE;
}

/* Finer codes decided by the context (refinements.tsv). */
static void
apply_refinements (RelCoder   *self,
                   RelTokens  *tokens,
                   GHashTable *candidates)
{
  for (guint r = 0; r < self->refinements->len; r++)
    {
      char **rule = g_ptr_array_index (self->refinements, r);
      g_auto(GStrv) words = rel_tokens_split (rule[2]);
      g_autoptr(GPtrArray) matching = g_ptr_array_new ();
      GHashTableIter iter;
      gpointer value;

      g_hash_table_iter_init (&iter, candidates);
      while (g_hash_table_iter_next (&iter, NULL, &value))
        {
          Candidate *candidate = value;

          if (!candidate->dropped && g_str_has_prefix (candidate->concept->code, rule[0]))
            g_ptr_array_add (matching, candidate);
        }

      for (guint c = 0; c < matching->len; c++)
        {
          Candidate *candidate = g_ptr_array_index (matching, c);
          gboolean applies = FALSE;
          g_autofree char *finer_code = NULL;
          const RelConcept *finer;

          if (g_str_equal (rule[1], "code"))
            applies = find_candidate (candidates, rule[2]) != NULL;
          else
            for (guint e = 0; e < candidate->evidence->len && !applies; e++)
              applies = sentence_says (tokens, &g_array_index (candidate->evidence, RelSpan, e),
                                       words);
          if (!applies)
            continue;

          if (rule[3][0] == '=')
            {
              /* Only an unspecified place (last character 9) is made precise. */
              gsize length = strlen (candidate->concept->code);

              if (candidate->concept->code[length - 1] != '9')
                continue;
              finer_code = g_strdup (candidate->concept->code);
              finer_code[length - 1] = rule[3][1];
            }
          else
            finer_code = g_strdup (rule[3]);

          finer = rel_terminology_lookup (self->terminology, finer_code);
          if (finer == NULL || finer->type == REL_CODE_TYPE_NOT_CODABLE || finer == candidate->concept)
            continue;
          merge_into (candidate_for (candidates, finer), candidate);
          candidate_for (candidates, finer)->ambiguous = FALSE;
          candidate_for (candidates, finer)->only_truncated = FALSE;
        }
    }
}

/* One code per exclusive group (exclusive.tsv): the others' evidence joins it. */
static void
merge_exclusive (RelCoder   *self,
                 GHashTable *candidates)
{
  for (guint g = 0; g < self->exclusive->len; g++)
    {
      char **group = g_ptr_array_index (self->exclusive, g);
      g_autoptr(GPtrArray) members = g_ptr_array_new ();
      GHashTableIter iter;
      gpointer value;
      Candidate *winner = NULL;

      g_hash_table_iter_init (&iter, candidates);
      while (g_hash_table_iter_next (&iter, NULL, &value))
        {
          Candidate *candidate = value;

          if (!candidate->dropped && in_group (group, candidate->concept->code))
            g_ptr_array_add (members, candidate);
        }
      if (members->len < 2)
        continue;

      for (guint i = 0; i < members->len; i++)
        if (winner == NULL || better_candidate (g_ptr_array_index (members, i), winner))
          winner = g_ptr_array_index (members, i);
      for (guint i = 0; i < members->len; i++)
        if (g_ptr_array_index (members, i) != winner)
          merge_into (winner, g_ptr_array_index (members, i));
    }
}

/* An external cause (chapter XX, V01–Y98) says how an injury or a poisoning
 * (S00–T98) came about. Without one, the words of its labels are ordinary
 * ones: "chute de l'hémoglobine", "intervention chirurgicale", "occupant". */
static void
drop_lone_external_causes (GHashTable *candidates)
{
  GHashTableIter iter;
  gpointer value;
  gboolean injury = FALSE;

  g_hash_table_iter_init (&iter, candidates);
  while (g_hash_table_iter_next (&iter, NULL, &value) && !injury)
    {
      const Candidate *candidate = value;

      injury = !candidate->dropped && (candidate->concept->code[0] == 'S' ||
                                       candidate->concept->code[0] == 'T');
    }
  if (injury)
    return;

  g_hash_table_iter_init (&iter, candidates);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      Candidate *candidate = value;

      if (candidate->concept->code[0] != '\0' && strchr ("VWXY", candidate->concept->code[0]) != NULL)
        candidate->dropped = TRUE;
    }
}

/* "cT2 N1 M0": the regional nodes of the primary tumour are involved. */
static void
add_tnm_nodes (RelCoder   *self,
               RelTokens  *tokens,
               GArray     *sections,
               GHashTable *candidates)
{
  const char *text = rel_tokens_get_text (tokens);
  guint n = rel_tokens_get_n (tokens);
  g_autoptr(GPtrArray) primaries = g_ptr_array_new ();
  GHashTableIter iter;
  gpointer value;

  g_hash_table_iter_init (&iter, candidates);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      Candidate *candidate = value;

      if (!candidate->dropped && candidate->concept->code[0] == 'C' &&
          strncmp (candidate->concept->code, "C77", 3) < 0)
        g_ptr_array_add (primaries, candidate);
    }
  if (primaries->len == 0)
    return;

  for (guint i = 0; i < n; i++)
    {
      const RelToken *token = rel_tokens_get (tokens, i);
      g_autofree char *word = NULL;
      RelSpan span = { token->start, token->end };

      /* A stage has its "N": most words are not looked at further. */
      if (token->end - token->start > 16 ||
          memchr (text + token->start, 'N', token->end - token->start) == NULL)
        continue;
      word = g_strndup (text + token->start, token->end - token->start);
      if (!g_regex_match (self->tnm, word, 0, NULL))
        continue;

      for (guint p = 0; p < primaries->len; p++)
        {
          const Candidate *primary = g_ptr_array_index (primaries, p);

          for (guint r = 0; r < self->tnm_nodes->len; r++)
            {
              char **range = g_ptr_array_index (self->tnm_nodes, r);
              const RelConcept *nodes;
              const RelSection *section;
              Candidate *candidate;
              double weight;

              if (strncmp (primary->concept->code, range[0], 3) < 0 ||
                  strncmp (primary->concept->code, range[1], 3) > 0)
                continue;
              nodes = rel_terminology_lookup (self->terminology, range[2]);
              if (nodes == NULL || nodes->type == REL_CODE_TYPE_NOT_CODABLE)
                continue;

              section = rel_sections_lookup (sections, token->start);
              weight = section_weight (section != NULL ? section->label : NULL);
              candidate = candidate_for (candidates, nodes);
              g_array_append_val (candidate->evidence, span);
              g_array_append_val (candidate->weights, weight);
              candidate->ambiguous = FALSE;
              candidate->only_truncated = FALSE;
              candidate->in_statement = TRUE;
            }
        }
      /* One stage says it; repeating it adds nothing. */
      break;
    }
}

static int
role_rank (const char *role)
{
  return role == NULL ? 2 : g_str_equal (role, "DP") ? 0 : 1;
}

static int
compare_suggestions (gconstpointer a,
                     gconstpointer b)
{
  const RelCodeSuggestion *sa = *(RelCodeSuggestion * const *) a;
  const RelCodeSuggestion *sb = *(RelCodeSuggestion * const *) b;

  if (role_rank (sa->role) != role_rank (sb->role))
    return role_rank (sa->role) - role_rank (sb->role);
  if (sa->score != sb->score)
    return sa->score > sb->score ? -1 : 1;
  return strcmp (sa->code, sb->code);
}

/* Same disease, less said (yields.tsv): diabetes of unknown type gives way to
 * a known type, a pneumonia to one whose agent is named. */
static gboolean
yields_to (RelCoder   *self,
           const char *general,
           const char *precise)
{
  for (guint i = 0; i < self->yields->len; i++)
    {
      char **row = g_ptr_array_index (self->yields, i);

      if (g_str_has_prefix (general, row[0]) && in_group (row + 1, precise))
        return TRUE;
    }
  return FALSE;
}

void
rel_coder_code (RelCoder      *self,
                RelTokens     *tokens,
                GArray        *sections,
                RelQualifier  *qualifier,
                GArray        *cues,
                GArray        *matches,
                GArray        *qualifiers,
                GPtrArray    **out_mentions,
                GPtrArray    **out_codes)
{
  g_autoptr(GHashTable) candidates = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                                            candidate_free);
  g_autoptr(GArray) ranked = g_array_new (FALSE, FALSE, sizeof (Ranked));
  GPtrArray *mentions = g_ptr_array_new_with_free_func ((GDestroyNotify) rel_mention_free);
  GPtrArray *codes = g_ptr_array_new_with_free_func ((GDestroyNotify) rel_code_suggestion_free);
  gboolean insulin = mentions_insulin (self, tokens, qualifier, cues, sections);
  Measures measures = { tokens, sections, NAN, NAN, NAN, 0 };
  gboolean has_dp_sections = FALSE;
  guint conclusion_order = 0;
  guint motif_order = 0;
  guint motif_start = 0, motif_end = 0;
  GHashTableIter iter;
  gpointer value;
  int dp = -1;

  for (guint i = 0; i < sections->len && !has_dp_sections; i++)
    has_dp_sections = is_dp_section (g_array_index (sections, RelSection, i).label);

  /* A letter without a motif says it in its first sentence ("adressée pour
   * rééducation après prothèse totale de hanche"). */
  for (guint i = 0; i < sections->len && motif_end == 0; i++)
    if (g_str_equal (g_array_index (sections, RelSection, i).label, "motif") &&
        !g_array_index (sections, RelSection, i).inferred)
      motif_end = G_MAXUINT;
  if (motif_end == 0 && sections->len > 0)
    {
      const RelSection *first = &g_array_index (sections, RelSection, 0);
      guint t = rel_tokens_find (tokens, first->title_end);

      motif_start = first->title_end;
      while (t + 1 < rel_tokens_get_n (tokens) &&
             !(rel_tokens_get (tokens, t + 1)->flags & REL_TOKEN_SENTENCE))
        t++;
      motif_end = t < rel_tokens_get_n (tokens) ? rel_tokens_get (tokens, t)->end : 0;
      has_dp_sections = TRUE;
    }
  else
    motif_end = 0;

  for (guint i = 0; i < matches->len; i++)
    {
      const RelMatch *match = &g_array_index (matches, RelMatch, i);
      const RelQualifiers *q = &g_array_index (qualifiers, RelQualifiers, i);
      const RelSection *section = rel_sections_lookup (sections, match->start);
      const RelConcept *concept;
      RelMention *mention;
      RelSpan span = { match->start, match->end };
      double weight;
      Candidate *candidate;

      /* A section title ("ALLERGIES") names a section, not a condition. */
      if (section != NULL && match->start >= section->title_start &&
          match->start < section->title_end)
        continue;

      concept = refine (self, tokens, &measures, match, match->concept, insulin);
      mention = rel_mention_new ();
      mention->start = match->start;
      mention->end = match->end;
      mention->code = g_strdup (concept->code);
      mention->negated = q->negated;
      mention->hypothesis = q->hypothesis;
      mention->family = q->family;
      mention->history = q->history;
      mention->resolved = q->resolved;
      mention->terrain = q->terrain;
      mention->ambiguous = match->ambiguous;
      mention->section = section != NULL ? section->label : NULL;
      g_ptr_array_add (mentions, mention);

      if (!codable_mention (self, mention))
        continue;

      candidate = candidate_for (candidates, concept);
      weight = section_weight (mention->section);
      /* A malignant tumour weighs wherever the report states it. */
      if (concept->code[0] == 'C')
        weight = MAX (weight, 0.75);
      g_array_append_val (candidate->evidence, span);
      g_array_append_val (candidate->weights, weight);
      /* The background of a sentence ("chez un patient hypertendu") is not
       * what the motif or the conclusion is about. */
      if (((mention->section != NULL && g_str_equal (mention->section, "motif")) ||
           (mention->start >= motif_start && mention->end <= motif_end)) && !mention->terrain)
        {
          candidate->in_motif = TRUE;
          candidate->motif_rank = MIN (candidate->motif_rank, motif_order++);
        }
      candidate->in_evolution |= mention->section != NULL &&
                                 g_str_equal (mention->section, "evolution");
      if (mention->section != NULL && g_str_equal (mention->section, "conclusion") &&
          !mention->terrain)
        {
          candidate->in_conclusion = TRUE;
          candidate->conclusion_rank = MIN (candidate->conclusion_rank, conclusion_order++);
        }
      /* A malignant tumour is diagnosed by the pathology report, which sits
       * among the results: there, too, it is a statement. */
      candidate->in_statement |= is_statement_section (mention->section) ||
                                 concept->code[0] == 'C';
      candidate->ambiguous &= match->ambiguous;
      candidate->only_truncated &= match->synonym == NULL &&
                                   strstr (match->concept->label, ", sans précision") != NULL;
    }

  /* Never a code and its own refinement side by side: the precise one keeps
   * all the evidence. */
  g_hash_table_iter_init (&iter, candidates);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      Candidate *candidate = value;
      GHashTableIter other_iter;
      gpointer other_value;
      Candidate *precise = NULL;

      if (candidate->dropped)
        continue;
      g_hash_table_iter_init (&other_iter, candidates);
      while (g_hash_table_iter_next (&other_iter, NULL, &other_value))
        {
          Candidate *other = other_value;
          const char *a = candidate->concept->code, *b = other->concept->code;

          if (other == candidate || other->dropped)
            continue;
          if (yields_to (self, a, b))
            precise = other;
          else if (strncmp (a, b, 3) != 0)
            continue;
          else if ((g_str_has_prefix (b, a) && strlen (b) > strlen (a)) ||
                   (is_unspecified (candidate->concept) && !is_unspecified (other->concept) &&
                    (strlen (a) <= 4 || strncmp (a, b, 4) == 0)))
            precise = other;
        }
      if (precise != NULL)
        merge_into (precise, candidate);
    }

  merge_combinations (self, candidates);
  merge_exclusive (self, candidates);
  apply_refinements (self, tokens, candidates);
  add_tnm_nodes (self, tokens, sections, candidates);
  drop_lone_external_causes (candidates);

  g_hash_table_iter_init (&iter, candidates);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      Candidate *candidate = value;
      Ranked entry = { candidate, 0.0 };

      if (candidate->dropped)
        continue;
      entry.score = candidate_score (candidate);
      g_array_append_val (ranked, entry);
    }
  g_array_sort (ranked, compare_ranked);

  /* The DP: the problem that motivated the stay, as known at the end. The
   * conclusion states it first; else the motif; a symptom gives way to a
   * named cause. Without those sections, the strongest diagnosis. */
  for (int pass = 0; pass < 2 && dp < 0; pass++)
    {
      for (guint i = 0; i < ranked->len; i++)
        {
          const Ranked *entry = &g_array_index (ranked, Ranked, i);
          const Candidate *candidate = entry->candidate;
          const Candidate *best = dp >= 0 ? g_array_index (ranked, Ranked, dp).candidate : NULL;
          gboolean placed = has_dp_sections ? (candidate->in_motif || candidate->in_conclusion)
                                            : (entry->score >= 0.5 && candidate->in_statement);

          if (candidate->concept->type != REL_CODE_TYPE_ANY || candidate->ambiguous || !placed)
            continue;
          /* First pass: no symptom, no risk factor nor personal or family
           * history (Z72, Z80–Z92): they are never what motivated the stay. */
          if (pass == 0 && (candidate->concept->code[0] == 'R' ||
                            g_str_has_prefix (candidate->concept->code, "Z72") ||
                            (strncmp (candidate->concept->code, "Z80", 3) >= 0 &&
                             strncmp (candidate->concept->code, "Z92", 3) <= 0)))
            continue;
          if (best == NULL)
            dp = (int) i;
          else if (candidate->in_conclusion != best->in_conclusion)
            {
              if (candidate->in_conclusion)
                dp = (int) i;
            }
          else if (candidate->in_conclusion &&
                   candidate->conclusion_rank < best->conclusion_rank)
            dp = (int) i;
          else if (!candidate->in_conclusion && candidate->motif_rank < best->motif_rank)
            dp = (int) i;
        }
    }

  /* The DP first, then the DAS, then what the coder must decide, each by score. */
  for (int i = -1; i < (int) ranked->len; i++)
    {
      const Ranked *entry;
      const Candidate *candidate;
      RelCodeSuggestion *suggestion;

      if ((i == -1 && dp < 0) || (i >= 0 && i == dp))
        continue;
      entry = &g_array_index (ranked, Ranked, i == -1 ? dp : i);
      candidate = entry->candidate;

      suggestion = rel_code_suggestion_new (candidate->concept->code, candidate->concept->label);
      suggestion->score = entry->score;
      suggestion->ambiguous = candidate->ambiguous;
      if (i == -1)
        suggestion->role = "DP";
      /* A DAS is stated, not only observed; a symptom only when the
       * conclusion keeps it; an examination or a screening (Z00–Z13) is
       * the reason for a stay, never a condition beside another. */
      else if (entry->score >= MIN_DAS_SCORE && !candidate->ambiguous &&
               candidate->in_statement &&
               (candidate->concept->code[0] != 'R' || candidate->in_conclusion) &&
               !(candidate->concept->code[0] == 'Z' &&
                 strncmp (candidate->concept->code, "Z14", 3) < 0))
        suggestion->role = "DAS";
      g_array_append_vals (suggestion->evidence, candidate->evidence->data,
                           candidate->evidence->len);
      g_array_sort (suggestion->evidence, compare_spans);
      g_ptr_array_add (codes, suggestion);
    }
  g_ptr_array_sort (codes, compare_suggestions);

  *out_mentions = mentions;
  *out_codes = codes;
}
