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

typedef enum
{
  QUALIFIER_NEGATION,
  QUALIFIER_HYPOTHESIS,
  QUALIFIER_FAMILY,
  QUALIFIER_HISTORY,
  QUALIFIER_RESOLVED,
  QUALIFIER_TERRAIN,
  QUALIFIER_ALL,
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

  GPtrArray  *cues;      /* Cue* */
  GHashTable *by_first;  /* first word → GPtrArray of Cue* */
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
                                 "particle" };
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
              if ((other->role == ROLE_BEFORE && cue->role == ROLE_AFTER) ||
                  (other->role == ROLE_AFTER && cue->role == ROLE_BEFORE))
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

  g_return_val_if_fail (REL_IS_QUALIFIER (self), NULL);

  buckets = rel_tokens_lookup_words (tokens, self->by_first);
  for (guint i = 0; i < n; i++)
    {
      GPtrArray *bucket = buckets[rel_tokens_get (tokens, i)->word];
      const Cue *best = NULL;

      if (bucket == NULL)
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

/* Does the cue at token @cue stand inside a parenthesis opened after the
 * mention's last word @last and qualify other words first ("primitif
 * pulmonaire (EGFR non muté, ALK négatif)")? "VIH (négatif)" stays the
 * mention's. */
static gboolean
in_other_parenthesis (RelTokens *tokens,
                      guint      last,
                      guint      cue)
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
  return opened != 0 && opened < cue;
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

  /* A terminator ("mais", "cependant") closes the clause on its side. */
  for (guint h = first_hit; h < cues->len && g_array_index (cues, CueHit, h).first_token <= right;
       h++)
    {
      const CueHit *hit = &g_array_index (cues, CueHit, h);

      if (hit->role != ROLE_TERMINATOR)
        continue;
      if (hit->last_token < first_token && hit->last_token >= left)
        left = hit->last_token + 1;
      if (hit->first_token > last_token && hit->first_token <= right)
        right = hit->first_token - 1;
    }

  for (guint h = first_hit;
       h < cues->len && g_array_index (cues, CueHit, h).first_token <= MAX (right, sentence_end);
       h++)
    {
      const CueHit *hit = &g_array_index (cues, CueHit, h);
      gboolean before = hit->role == ROLE_BEFORE || hit->role == ROLE_BOTH;
      gboolean after = hit->role == ROLE_AFTER || hit->role == ROLE_BOTH;

      if (before && hit->first_token >= left && hit->last_token < first_token)
        {
          /* A negation lists what it denies ("pas de fièvre, de toux ni de
           * dyspnée"); a comma not followed by such a list ends it. */
          if (hit->qualifier == QUALIFIER_NEGATION &&
              comma_ends_scope (tokens, hit->last_token + 1, first_token))
            continue;
          set_qualifier (out, hit->qualifier);
        }
      else if (after && hit->first_token > last_token && hit->first_token <= right &&
               !in_other_parenthesis (tokens, last_token, hit->first_token))
        set_qualifier (out, hit->qualifier);
      /* Past and over is said at the end of the sentence: "…, résolu." */
      else if (after && (hit->qualifier == QUALIFIER_RESOLVED ||
                         hit->qualifier == QUALIFIER_HISTORY) &&
               hit->first_token > last_token && hit->first_token <= sentence_end)
        set_qualifier (out, hit->qualifier);
      else if (hit->role == ROLE_BEFORE && hit->first_token < first_token &&
               hit->last_token > last_token)
        set_qualifier (out, hit->qualifier); /* "ne fume pas" */
    }

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
