/* SPDX-License-Identifier: GPL-3.0-or-later */
/* rel-qualifier.c: cue-based qualification (in the manner of NegEx) with the
 * authored French cue lists of data/lexicons/qualifiers.tsv. */
#define G_LOG_DOMAIN "rel-qualifier"

#include "config.h"

#include <gio/gio.h>

#include "rel-lexicon.h"
#include "rel-qualifier.h"

/* How far a cue reaches, in words, within its clause. */
#define REACH_BEFORE 12
#define REACH_AFTER 6
/* How far the particle of a verbal negation stands from its "ne". */
#define PARTICLE_REACH 5
/* How far back in its sentence a pathology result makes a conclusion. */
#define PATHOLOGY_REACH 30

typedef enum
{
  QUALIFIER_NEGATION,
  QUALIFIER_HYPOTHESIS,
  QUALIFIER_FAMILY,
  QUALIFIER_HISTORY,
  QUALIFIER_RESOLVED,
  QUALIFIER_TERRAIN,
  QUALIFIER_ALL,
  N_QUALIFIERS,
} Qualifier;

typedef enum
{
  ROLE_BEFORE,
  ROLE_AFTER,
  ROLE_PSEUDO,
  ROLE_TERMINATOR,
  ROLE_BOTH,
  ROLE_OPENER,    /* "ne", "n'" */
  ROLE_PARTICLE,  /* "pas", "jamais", "plus" */
  ROLE_ADJACENT,  /* "non": the word right after it only ("non métastasé") */
  ROLE_REFERENT,  /* "test", "résultat": a word that names the mention again */
  ROLE_CONCLUSIVE, /* "compatible avec": a doubt, or a pathologist's conclusion */
  ROLE_PATHOLOGY, /* "anatomopathologique", "biopsie": a result that concludes */
} Role;

typedef struct
{
  GStrv     words;
  guint     n_words;
  Qualifier qualifier;
  Role      role;
} Cue;

typedef struct
{
  guint      first_token;
  guint      last_token;  /* inclusive */
  Qualifier  qualifier;
  Role       role;
} CueHit;

struct _RelQualifier
{
  GObject     parent_instance;

  GPtrArray  *cues;       /* Cue* */
  GHashTable *by_first;   /* first word → GPtrArray of Cue* */
  GHashTable *referents;  /* folded words of the referent role (a set) */
};

G_DEFINE_FINAL_TYPE (RelQualifier, rel_qualifier, G_TYPE_OBJECT)

static void
cue_free (gpointer data)
{
  Cue *cue = data;

  g_strfreev (cue->words);
  g_free (cue);
}

static void
rel_qualifier_finalize (GObject *object)
{
  RelQualifier *self = (RelQualifier *) object;

  g_clear_pointer (&self->by_first, g_hash_table_unref);
  g_clear_pointer (&self->cues, g_ptr_array_unref);
  g_clear_pointer (&self->referents, g_hash_table_unref);

  G_OBJECT_CLASS (rel_qualifier_parent_class)->finalize (object);
}

static void
rel_qualifier_class_init (RelQualifierClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = rel_qualifier_finalize;
}

static void
rel_qualifier_init (RelQualifier *self)
{
  self->cues = g_ptr_array_new_with_free_func (cue_free);
  self->by_first = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                          (GDestroyNotify) g_ptr_array_unref);
  self->referents = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
}

static gboolean
parse_enum (const char  *text,
            const char **names,
            guint        n_names,
            guint       *value)
{
  for (guint i = 0; i < n_names; i++)
    {
      if (g_str_equal (text, names[i]))
        {
          *value = i;
          return TRUE;
        }
    }
  return FALSE;
}

RelQualifier *
rel_qualifier_new (GError **error)
{
  static const char *qualifiers[] = { "negation", "hypothesis", "family", "history", "resolved",
                                      "terrain", "all" };
  static const char *roles[] = { "before", "after", "pseudo", "terminator", "both", "opener",
                                 "particle", "adjacent", "referent", "conclusive", "pathology" };
  g_autoptr(RelQualifier) self = g_object_new (REL_TYPE_QUALIFIER, NULL);
  g_autoptr(GPtrArray) rows = rel_lexicon_load ("qualifiers.tsv", 3, error);

  if (rows == NULL)
    return NULL;

  for (guint i = 0; i < rows->len; i++)
    {
      char **fields = g_ptr_array_index (rows, i);
      guint qualifier, role;
      GPtrArray *bucket;
      Cue *cue;

      if (!parse_enum (g_strstrip (fields[1]), qualifiers, G_N_ELEMENTS (qualifiers), &qualifier) ||
          !parse_enum (g_strstrip (fields[2]), roles, G_N_ELEMENTS (roles), &role))
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                       "qualifiers.tsv: unknown qualifier or role on row %u", i + 1);
          return NULL;
        }

      if (role == ROLE_REFERENT)
        {
          g_auto(GStrv) words = rel_tokens_split (fields[0]);

          /* One word each: they are looked up, not matched as cues. */
          if (words[0] != NULL)
            g_hash_table_add (self->referents, g_strdup (words[0]));
          continue;
        }

      cue = g_new0 (Cue, 1);
      cue->words = rel_tokens_split (fields[0]);
      cue->n_words = g_strv_length (cue->words);
      cue->qualifier = qualifier;
      cue->role = role;
      if (cue->n_words == 0)
        {
          /* Punctuation cues ("?") are read from the token flags instead. */
          cue_free (cue);
          continue;
        }
      bucket = g_hash_table_lookup (self->by_first, cue->words[0]);

      /* "évoque" and "évoqué" fold alike: one cue, read on both sides. */
      for (guint c = 0; bucket != NULL && c < bucket->len; c++)
        {
          Cue *other = g_ptr_array_index (bucket, c);

          if (other->qualifier == cue->qualifier && g_strv_equal ((const char * const *) other->words,
                                                                  (const char * const *) cue->words))
            {
              /* "évoque" (before) and "évoqué" (both) are read on both sides. */
              if ((other->role == ROLE_BEFORE || other->role == ROLE_AFTER ||
                   other->role == ROLE_BOTH) &&
                  (cue->role == ROLE_BEFORE || cue->role == ROLE_AFTER ||
                   cue->role == ROLE_BOTH) && other->role != cue->role)
                other->role = ROLE_BOTH;
              g_clear_pointer (&cue, cue_free);
              break;
            }
        }
      if (cue == NULL)
        continue;
      g_ptr_array_add (self->cues, cue);

      if (bucket == NULL)
        {
          bucket = g_ptr_array_new ();
          g_hash_table_insert (self->by_first, cue->words[0], bucket);
        }
      g_ptr_array_add (bucket, cue);
    }

  return g_steal_pointer (&self);
}

GArray *
rel_qualifier_scan (RelQualifier *self,
                    RelTokens    *tokens)
{
  GArray *hits = g_array_new (FALSE, FALSE, sizeof (CueHit));
  g_autoptr(GArray) pseudo = g_array_new (FALSE, FALSE, sizeof (CueHit));
  guint n = rel_tokens_get_n (tokens);
  g_autofree gpointer *buckets = NULL;
  guint covered = 0;  /* the first token after the last cue found */

  g_return_val_if_fail (REL_IS_QUALIFIER (self), NULL);

  buckets = rel_tokens_lookup_words (tokens, self->by_first);
  for (guint i = 0; i < n; i++)
    {
      GPtrArray *bucket = buckets[rel_tokens_get (tokens, i)->word];
      const Cue *best = NULL;

      /* A word of a cue starts no other: the "avec" of "compatible avec" is
       * no terminator, the "en faveur de" of "pas d'argument en faveur de"
       * no hypothesis. */
      if (bucket == NULL || i < covered)
        continue;

      /* The longest cue starting here wins: "pas d'amélioration" over "pas de". */
      for (guint c = 0; c < bucket->len; c++)
        {
          const Cue *cue = g_ptr_array_index (bucket, c);
          gboolean found = i + cue->n_words <= n;

          for (guint k = 1; k < cue->n_words && found; k++)
            found = g_str_equal (rel_tokens_get (tokens, i + k)->folded, cue->words[k]) &&
                    !(rel_tokens_get (tokens, i + k)->flags & REL_TOKEN_SENTENCE);
          if (found && (best == NULL || cue->n_words > best->n_words))
            best = cue;
        }

      if (best != NULL)
        {
          CueHit hit = { i, i + best->n_words - 1, best->qualifier, best->role };

          covered = i + best->n_words;
          g_array_append_val (best->role == ROLE_PSEUDO ? pseudo : hits, hit);
        }
    }

  /* "n'a pas montré de", "ne fume pas": an opener and its particle make one
   * negation that covers what stands between them and what follows. */
  for (guint h = 0; h < hits->len; h++)
    {
      CueHit *opener = &g_array_index (hits, CueHit, h);

      if (opener->role != ROLE_OPENER)
        continue;
      for (guint k = h + 1; k < hits->len; k++)
        {
          const CueHit *particle = &g_array_index (hits, CueHit, k);

          if (particle->first_token > opener->first_token + PARTICLE_REACH)
            break;
          if (particle->role == ROLE_PARTICLE)
            {
              opener->role = ROLE_BEFORE;
              opener->last_token = particle->last_token;
              opener->qualifier = QUALIFIER_NEGATION;
              break;
            }
        }
    }

  /* A pseudo-cue silences every cue that starts inside it. Both lists are in
   * token order: one walk, keeping the furthest reach of the pseudo-cues
   * started so far (each against every cue was quadratic in a long report). */
  {
    guint p = 0;
    guint kept = 0;
    gboolean any = FALSE;
    guint reach = 0;

    for (guint h = 0; h < hits->len; h++)
      {
        const CueHit *hit = &g_array_index (hits, CueHit, h);

        for (; p < pseudo->len &&
               g_array_index (pseudo, CueHit, p).first_token <= hit->first_token; p++)
          {
            reach = any ? MAX (reach, g_array_index (pseudo, CueHit, p).last_token)
                        : g_array_index (pseudo, CueHit, p).last_token;
            any = TRUE;
          }
        if (!(any && hit->first_token <= reach))
          g_array_index (hits, CueHit, kept++) = *hit;
      }
    g_array_set_size (hits, kept);
  }

  return hits;
}

/* Between @from and @to (the mention's first word), is there a comma that
 * does not go on with a list of the same denial ("…, de toux", "…, ni…")? */
static gboolean
comma_ends_scope (RelTokens *tokens,
                  guint      from,
                  guint      to)
{
  for (guint i = from; i <= to; i++)
    {
      const RelToken *token = rel_tokens_get (tokens, i);

      if ((token->flags & REL_TOKEN_COMMA) && i > from)
        {
          const char *word = token->folded;

          if (!(g_str_equal (word, "de") || g_str_equal (word, "d") || g_str_equal (word, "du") ||
                g_str_equal (word, "des") || g_str_equal (word, "ni") || g_str_equal (word, "ou") ||
                g_str_equal (word, "et")))
            return TRUE;
        }
    }
  return FALSE;
}

/* Is there a @c in the gap just before token @i? */
static gboolean
gap_has (RelTokens *tokens,
         guint      i,
         char       c)
{
  const char *text = rel_tokens_get_text (tokens);

  if (i == 0 || i >= rel_tokens_get_n (tokens))
    return FALSE;
  for (guint b = rel_tokens_get (tokens, i - 1)->end; b < rel_tokens_get (tokens, i)->start; b++)
    {
      if (text[b] == c)
        return TRUE;
    }
  return FALSE;
}

/* Does the cue at token @cue stand inside a parenthesis opened after the
 * mention's last word @last and qualify other words first ("primitif
 * pulmonaire (EGFR non muté, ALK négatif)")? "VIH (négatif)" stays the
 * mention's, and so does "sérologie VIH (test négatif)": a referent word
 * ("test", "résultat") names the mention again. */
static gboolean
in_other_parenthesis (RelQualifier *self,
                      RelTokens    *tokens,
                      guint         last,
                      guint         cue)
{
  const char *text = rel_tokens_get_text (tokens);
  guint opened = 0;

  for (guint i = last + 1; i <= cue; i++)
    {
      const RelToken *previous = rel_tokens_get (tokens, i - 1);
      const RelToken *token = rel_tokens_get (tokens, i);

      if (!(token->flags & REL_TOKEN_BREAK))
        continue;
      for (guint b = previous->end; b < token->start; b++)
        {
          if (text[b] == '(')
            opened = i;
          else if (text[b] == ')')
            opened = 0;
        }
    }
  if (opened == 0 || opened >= cue)
    return FALSE;
  if (g_hash_table_contains (self->referents, rel_tokens_get (tokens, opened)->folded))
    {
      for (guint i = opened + 1; i <= cue; i++)
        {
          if (rel_tokens_get (tokens, i)->flags & REL_TOKEN_COMMA)
            return TRUE;
        }
      return FALSE;
    }
  return TRUE;
}

/* Between the mention's last word @last and a cue after it at @cue, is
 * there a comma followed by other words? A hedge after an enumeration
 * ("hépatique, pulmonaire douteux") doubts its last item only; a complement
 * ("lésion frontale, de signification douteuse") still says the mention's. */
static gboolean
enumeration_between (RelTokens *tokens,
                     guint      last,
                     guint      cue)
{
  for (guint i = last + 1; i < cue; i++)
    {
      const RelToken *token = rel_tokens_get (tokens, i);

      if ((token->flags & REL_TOKEN_COMMA) &&
          !(g_str_equal (token->folded, "de") || g_str_equal (token->folded, "d") ||
            g_str_equal (token->folded, "du")))
        return TRUE;
    }
  return FALSE;
}

/* Does a pathology result stand earlier in the sentence of the cue @h?
 * "La biopsie est compatible avec un adénocarcinome" states it. */
static gboolean
concluded_by_pathology (RelTokens *tokens,
                        GArray    *cues,
                        guint      h)
{
  guint cue = g_array_index (cues, CueHit, h).first_token;
  guint start = cue;

  while (start > 0 && cue - start < PATHOLOGY_REACH &&
         !(rel_tokens_get (tokens, start)->flags & REL_TOKEN_SENTENCE))
    start--;
  for (guint k = h; k > 0; k--)
    {
      const CueHit *hit = &g_array_index (cues, CueHit, k - 1);

      if (hit->first_token < start)
        break;
      if (hit->role == ROLE_PATHOLOGY)
        return TRUE;
    }
  return FALSE;
}

/* Is the word @i the "de" that a denial puts before what it denies? */
static gboolean
is_partitive (RelTokens *tokens,
              guint      i)
{
  const char *word;

  if (i >= rel_tokens_get_n (tokens))
    return FALSE;
  word = rel_tokens_get (tokens, i)->folded;
  return g_str_equal (word, "de") || g_str_equal (word, "d") || g_str_equal (word, "du") ||
         g_str_equal (word, "des");
}

/* Is the word @i alone in its clause, which a colon opens: "Tabac : non"? */
static gboolean
answers_label (RelTokens *tokens,
               guint      i)
{
  return gap_has (tokens, i, ':') &&
         (i + 1 == rel_tokens_get_n (tokens) ||
          (rel_tokens_get (tokens, i + 1)->flags & (REL_TOKEN_SENTENCE | REL_TOKEN_NEWLINE)));
}

static void
set_qualifier (RelQualifiers *out,
               Qualifier      qualifier)
{
  switch (qualifier)
    {
    case QUALIFIER_NEGATION:
      out->negated = TRUE;
      break;
    case QUALIFIER_HYPOTHESIS:
      out->hypothesis = TRUE;
      break;
    case QUALIFIER_FAMILY:
      out->family = TRUE;
      break;
    case QUALIFIER_RESOLVED:
      out->resolved = TRUE;
      out->history = TRUE;
      break;
    case QUALIFIER_HISTORY:
      out->history = TRUE;
      break;
    case QUALIFIER_TERRAIN:
      out->terrain = TRUE;
      break;
    case QUALIFIER_ALL:
    default:
      break;
    }
}

void
rel_qualifier_qualify (RelQualifier  *self,
                       RelTokens     *tokens,
                       GArray        *cues,
                       GArray        *sections,
                       guint          first_token,
                       guint          last_token,
                       RelQualifiers *out)
{
  guint n = rel_tokens_get_n (tokens);
  guint left, right, first_hit, sentence_end;
  guint lefts[N_QUALIFIERS], rights[N_QUALIFIERS];
  guint negation_before = 0, hypothesis_before = 0;  /* the nearest cue's first word + 1 */
  gboolean hypothesis_elsewhere = FALSE;
  RelQualifiers found = { 0 };

  g_return_if_fail (REL_IS_QUALIFIER (self));
  g_return_if_fail (out != NULL);

  memset (out, 0, sizeof *out);
  if (n == 0 || first_token >= n)
    return;
  last_token = MIN (last_token, n - 1);

  /* The clause: back to the start of the sentence (or the reach of a cue)… */
  left = first_token;
  while (left > 0 && first_token - left < REACH_BEFORE &&
         !(rel_tokens_get (tokens, left)->flags & REL_TOKEN_SENTENCE))
    left--;
  /* …and on to its end. */
  right = last_token;
  while (right + 1 < n && right - last_token < REACH_AFTER &&
         !(rel_tokens_get (tokens, right + 1)->flags & REL_TOKEN_SENTENCE))
    right++;

  /* Cues are in text order: only those starting near the clause matter. */
  {
    guint low = 0, high = cues->len;
    guint from = left > REACH_BEFORE ? left - REACH_BEFORE : 0;

    while (low < high)
      {
        guint middle = (low + high) / 2;

        if (g_array_index (cues, CueHit, middle).first_token < from)
          low = middle + 1;
        else
          high = middle;
      }
    first_hit = low;
  }

  sentence_end = last_token;
  while (sentence_end + 1 < n && sentence_end - last_token < 3 * REACH_AFTER &&
         !(rel_tokens_get (tokens, sentence_end + 1)->flags & REL_TOKEN_SENTENCE))
    sentence_end++;

  /* A terminator ("mais", "cependant") closes the clause on its side, for
   * every qualifier or for its own ("confirmé" ends a doubt only). */
  for (guint q = 0; q < N_QUALIFIERS; q++)
    {
      lefts[q] = left;
      rights[q] = right;
    }
  for (guint h = first_hit; h < cues->len && g_array_index (cues, CueHit, h).first_token <= right;
       h++)
    {
      const CueHit *hit = &g_array_index (cues, CueHit, h);

      gboolean inside_negation;

      if (hit->role != ROLE_TERMINATOR)
        continue;
      inside_negation = FALSE;
      for (guint k = h; k > 0 && !inside_negation && is_partitive (tokens, hit->last_token + 1);
           k--)
        {
          const CueHit *previous = &g_array_index (cues, CueHit, k - 1);

          if (previous->first_token + PARTICLE_REACH + 1 < hit->first_token)
            break;
          inside_negation = previous->qualifier == QUALIFIER_NEGATION &&
                            previous->role == ROLE_BEFORE &&
                            previous->last_token + 1 == hit->first_token;
        }
      for (guint q = 0; q < N_QUALIFIERS; q++)
        {
          if (hit->qualifier != QUALIFIER_ALL && hit->qualifier != q)
            continue;
          /* An adverb within a verbal negation goes on with it: "il n'avait
           * pas par ailleurs de…", "ne présente pas actuellement de…". */
          if (q == QUALIFIER_NEGATION && inside_negation)
            continue;
          if (hit->last_token < first_token && hit->last_token >= lefts[q])
            lefts[q] = hit->last_token + 1;
          if (hit->first_token > last_token && hit->first_token <= rights[q])
            rights[q] = hit->first_token - 1;
        }
    }

  /* The clause ends at a colon, but its answer stands after it ("Tabac : non"). */
  for (guint h = first_hit;
       h < cues->len &&
       g_array_index (cues, CueHit, h).first_token <= MAX (MAX (right, sentence_end),
                                                           last_token + 1);
       h++)
    {
      const CueHit *hit = &g_array_index (cues, CueHit, h);
      gboolean before = hit->role == ROLE_BEFORE || hit->role == ROLE_BOTH ||
                        (hit->role == ROLE_CONCLUSIVE &&
                         !concluded_by_pathology (tokens, cues, h));
      gboolean after = hit->role == ROLE_AFTER || hit->role == ROLE_BOTH;
      guint hit_left = lefts[hit->qualifier];
      guint hit_right = rights[hit->qualifier];

      if (hit->role == ROLE_ADJACENT)
        {
          /* "non métastasé", and the answer to a label: "Tabac : non". */
          if ((hit->last_token + 1 == first_token &&
               !(rel_tokens_get (tokens, first_token)->flags &
                 (REL_TOKEN_BREAK | REL_TOKEN_NEWLINE))) ||
              (hit->first_token == last_token + 1 && answers_label (tokens, hit->first_token)))
            set_qualifier (&found, hit->qualifier);
        }
      else if (before && hit->first_token >= hit_left && hit->last_token < first_token)
        {
          /* A negation lists what it denies ("pas de fièvre, de toux ni de
           * dyspnée"); a comma not followed by such a list ends it. */
          if (hit->qualifier == QUALIFIER_NEGATION &&
              comma_ends_scope (tokens, hit->last_token + 1, first_token))
            continue;
          set_qualifier (&found, hit->qualifier);
          if (hit->qualifier == QUALIFIER_NEGATION)
            negation_before = MAX (negation_before, hit->first_token + 1);
          else if (hit->qualifier == QUALIFIER_HYPOTHESIS)
            hypothesis_before = MAX (hypothesis_before, hit->first_token + 1);
        }
      else if (after && hit->first_token > last_token && hit->first_token <= hit_right &&
               !in_other_parenthesis (self, tokens, last_token, hit->first_token) &&
               !(hit->qualifier == QUALIFIER_HYPOTHESIS &&
                 enumeration_between (tokens, last_token, hit->first_token)))
        {
          set_qualifier (&found, hit->qualifier);
          if (hit->qualifier == QUALIFIER_HYPOTHESIS)
            hypothesis_elsewhere = TRUE;
        }
      /* Past and over is said at the end of the sentence: "…, résolu." */
      else if (after && (hit->qualifier == QUALIFIER_RESOLVED ||
                         hit->qualifier == QUALIFIER_HISTORY) &&
               hit->first_token > last_token && hit->first_token <= sentence_end)
        set_qualifier (&found, hit->qualifier);
      else if (hit->role == ROLE_BEFORE && hit->first_token < first_token &&
               hit->last_token > last_token)
        set_qualifier (&found, hit->qualifier); /* "ne fume pas" */
      /* A relative as the label of a line: "Mère : diabète de type 2". */
      else if (before && hit->qualifier == QUALIFIER_FAMILY && hit->last_token + 1 == left &&
               left > 0 && left <= first_token && gap_has (tokens, left, ':') &&
               (rel_tokens_get (tokens, hit->first_token)->flags &
                (REL_TOKEN_SENTENCE | REL_TOKEN_NEWLINE)))
        set_qualifier (&found, hit->qualifier);
    }

  /* The nearer of a doubt and a denial before the mention tells: "un scanner
   * à la recherche d'une néoplasie n'a pas montré de lésion" is denied,
   * "pas de signe évocateur d'une lésion" denied and doubted. */
  if (found.hypothesis && !hypothesis_elsewhere && negation_before > hypothesis_before)
    found.hypothesis = FALSE;
  *out = found;

  /* "Embolie pulmonaire ?" */
  if (right + 1 < n && right + 1 > last_token &&
      (rel_tokens_get (tokens, right + 1)->flags & REL_TOKEN_QUESTION))
    out->hypothesis = TRUE;
  if (last_token + 1 < n && (rel_tokens_get (tokens, last_token + 1)->flags & REL_TOKEN_QUESTION))
    out->hypothesis = TRUE;
  if (last_token + 1 == n)
    {
      const char *text = rel_tokens_get_text (tokens);
      const char *after = text + rel_tokens_get (tokens, last_token)->end;

      while (*after == ' ')
        after++;
      if (*after == '?')
        out->hypothesis = TRUE;
    }

  if (sections != NULL)
    {
      const RelSection *section = rel_sections_lookup (sections,
                                                       rel_tokens_get (tokens, first_token)->start);

      if (section != NULL && section->family)
        out->family = TRUE;
      else if (section != NULL && g_str_equal (section->label, "antecedents"))
        out->history = TRUE;
    }
}
