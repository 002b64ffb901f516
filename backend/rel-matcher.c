/* SPDX-License-Identifier: GPL-3.0-or-later */
/* rel-matcher.c: dictionary matching of labels and synonyms over report tokens. */
#define G_LOG_DOMAIN "rel-matcher"

#include "config.h"

#include "rel-matcher.h"

/* How many function words may stand between two words of a term. */
#define MAX_SKIPPED_STOPWORDS 3
/* How far around an ambiguous abbreviation the context is read, in tokens. */
#define CONTEXT_WINDOW 20

typedef enum
{
  PRIORITY_TRUNCATED_LABEL = 1, /* "Insuffisance cardiaque" from "…, sans précision" */
  PRIORITY_LABEL = 2,
  PRIORITY_SYNONYM = 3,
} Priority;

typedef struct
{
  guint             n_words;
  const char      **words;      /* folded content words */
  const char      **exact;      /* per word: the original to match case-sensitively, or NULL */
  const RelConcept *concept;    /* NULL for an ambiguous synonym */
  const RelSynonym *synonym;
  Priority          priority;
  guint             order;      /* when added: ties between readings go to the first */
} Term;

struct _RelMatcher
{
  GObject         parent_instance;

  RelTerminology *terminology;
  GHashTable     *stopwords;
  GStringChunk   *strings;
  GPtrArray      *terms;      /* Term*, owned */
  GHashTable     *by_first;   /* first word → Head */
  GHashTable     *by_key;     /* the words joined → Term*, to keep the best of duplicates */
};

/* The terms starting with one word: one lookup per token of a report, and
 * most words of a report start no term. */
typedef struct
{
  GPtrArray  *single;    /* the one-word Term*, or NULL */
  GHashTable *by_second; /* second word → GPtrArray of the longer Term*, or NULL */
} Head;

G_DEFINE_FINAL_TYPE (RelMatcher, rel_matcher, G_TYPE_OBJECT)

static void
head_free (gpointer data)
{
  Head *head = data;

  g_clear_pointer (&head->single, g_ptr_array_unref);
  g_clear_pointer (&head->by_second, g_hash_table_unref);
  g_free (head);
}

static void
term_free (gpointer data)
{
  Term *term = data;

  g_free (term->words);
  g_free (term->exact);
  g_free (term);
}

static void
rel_matcher_finalize (GObject *object)
{
  RelMatcher *self = (RelMatcher *) object;

  g_clear_pointer (&self->by_first, g_hash_table_unref);
  g_clear_pointer (&self->by_key, g_hash_table_unref);
  g_clear_pointer (&self->terms, g_ptr_array_unref);
  g_clear_pointer (&self->strings, g_string_chunk_free);
  g_clear_pointer (&self->stopwords, g_hash_table_unref);
  g_clear_object (&self->terminology);

  G_OBJECT_CLASS (rel_matcher_parent_class)->finalize (object);
}

static void
rel_matcher_class_init (RelMatcherClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = rel_matcher_finalize;
}

static void
rel_matcher_init (RelMatcher *self)
{
  self->strings = g_string_chunk_new (1024 * 1024);
  self->terms = g_ptr_array_new_with_free_func (term_free);
  self->by_first = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, head_free);
  self->by_key = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
}

GStrv
rel_matcher_dup_terms (RelMatcher *self)
{
  GStrvBuilder *builder;
  GStrv terms;

  g_return_val_if_fail (REL_IS_MATCHER (self), NULL);

  builder = g_strv_builder_new ();
  for (guint i = 0; i < self->terms->len; i++)
    {
      const Term *term = g_ptr_array_index (self->terms, i);
      g_autoptr(GString) joined = g_string_new (term->words[0]);

      for (guint k = 1; k < term->n_words; k++)
        g_string_append_printf (joined, " %s", term->words[k]);
      g_strv_builder_add (builder, joined->str);
    }
  terms = g_strv_builder_end (builder);
  g_strv_builder_unref (builder);
  return terms;
}

const RelConcept *
rel_matcher_resolve (RelMatcher       *self,
                     const RelConcept *concept)
{
  static const char suffixes[] = { '9', '8', '0' };

  /* A parent stands for its "sans précision" child, never for itself. */
  for (guint depth = 0; concept != NULL && concept->type == REL_CODE_TYPE_NOT_CODABLE &&
                        depth < 3; depth++)
    {
      const RelConcept *child = NULL, *deeper = NULL;

      /* A codable child first: the ATIH makes C80.9 itself not codable, and
       * C80.0 stands for C80. */
      for (guint i = 0; i < G_N_ELEMENTS (suffixes) && child == NULL; i++)
        {
          g_autofree char *code = g_strdup_printf ("%s%c", concept->code, suffixes[i]);
          const RelConcept *found = rel_terminology_lookup (self->terminology, code);

          if (found != NULL && found->type == REL_CODE_TYPE_NOT_CODABLE)
            deeper = deeper != NULL ? deeper : found;
          else
            child = found;
        }
      concept = child != NULL ? child : deeper;
    }

  if (concept != NULL && concept->type == REL_CODE_TYPE_NOT_CODABLE)
    return NULL;
  return concept;
}

static gboolean
has_upper (const char *word)
{
  for (const char *p = word; *p != '\0'; p = g_utf8_next_char (p))
    if (g_unichar_isupper (g_utf8_get_char (p)))
      return TRUE;
  return FALSE;
}

static gboolean
better_term (const Term *a,
             const Term *b)
{
  if (a->priority != b->priority)
    return a->priority > b->priority;
  if ((a->concept != NULL) != (b->concept != NULL))
    return a->concept != NULL;
  if (a->concept != NULL && b->concept != NULL)
    {
      gboolean a_codable = a->concept->type != REL_CODE_TYPE_NOT_CODABLE;
      gboolean b_codable = b->concept->type != REL_CODE_TYPE_NOT_CODABLE;

      if (a_codable != b_codable)
        return a_codable;
      if (strlen (a->concept->code) != strlen (b->concept->code))
        return strlen (a->concept->code) < strlen (b->concept->code);
      return strcmp (a->concept->code, b->concept->code) < 0;
    }
  return FALSE;
}

/* Adds one way of writing a term; @words are the folded words of the
 * expression, @originals the same words as written (for abbreviations). */
static void
add_term (RelMatcher        *self,
          GPtrArray         *words,
          GPtrArray         *originals,
          gboolean           case_sensitive,
          const RelConcept  *concept,
          const RelSynonym  *synonym,
          Priority           priority)
{
  g_autoptr(GString) key = g_string_new (case_sensitive ? "=" : "~");
  Term *term, *existing;
  GPtrArray *bucket;
  Head *head;

  if (words->len == 0)
    return;
  /* A lone function word ("la") would match everywhere, unless it is an
   * abbreviation written in capitals ("LA"). */
  if (words->len == 1 && self->stopwords != NULL &&
      g_hash_table_contains (self->stopwords, g_ptr_array_index (words, 0)) &&
      !(case_sensitive && has_upper (g_ptr_array_index (originals, 0))))
    return;

  term = g_new0 (Term, 1);
  term->n_words = words->len;
  term->words = g_new0 (const char *, words->len);
  term->exact = g_new0 (const char *, words->len);
  term->concept = concept;
  term->synonym = synonym;
  term->priority = priority;

  for (guint i = 0; i < words->len; i++)
    {
      const char *original = g_ptr_array_index (originals, i);

      term->words[i] = g_string_chunk_insert_const (self->strings, g_ptr_array_index (words, i));
      if (case_sensitive && has_upper (original))
        term->exact[i] = g_string_chunk_insert_const (self->strings, original);
      g_string_append_c (key, ' ');
      g_string_append (key, case_sensitive && term->exact[i] ? original : term->words[i]);
    }

  existing = g_hash_table_lookup (self->by_key, key->str);
  if (existing != NULL)
    {
      /* The same words already name something: keep the better reading. */
      if (better_term (term, existing))
        {
          Term saved = *existing;

          *existing = *term;
          existing->order = saved.order;
          term->words = saved.words;
          term->exact = saved.exact;
        }
      term_free (term);
      return;
    }

  term->order = self->terms->len;
  g_ptr_array_add (self->terms, term);
  g_hash_table_insert (self->by_key, g_strdup (key->str), term);

  /* Indexed by its first two words: where a report says "lésion", only the
   * terms going on with the report's next word are tried, not the 3,000
   * lésions of the nomenclature. */
  head = g_hash_table_lookup (self->by_first, term->words[0]);
  if (head == NULL)
    {
      head = g_new0 (Head, 1);
      g_hash_table_insert (self->by_first, (gpointer) term->words[0], head);
    }
  if (term->n_words == 1)
    {
      if (head->single == NULL)
        head->single = g_ptr_array_new ();
      bucket = head->single;
    }
  else
    {
      if (head->by_second == NULL)
        head->by_second = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                                 (GDestroyNotify) g_ptr_array_unref);
      bucket = g_hash_table_lookup (head->by_second, term->words[1]);
      if (bucket == NULL)
        {
          bucket = g_ptr_array_new ();
          g_hash_table_insert (head->by_second, (gpointer) term->words[1], bucket);
        }
    }
  g_ptr_array_add (bucket, term);
}

/* Cuts @expression into its content words (function words dropped) and adds
 * it, plus the variant where hyphenated words are written as one. */
static void
add_expression (RelMatcher       *self,
                const char       *expression,
                gboolean          case_sensitive,
                const RelConcept *concept,
                const RelSynonym *synonym,
                Priority          priority)
{
  g_autoptr(RelTokens) tokens = rel_tokens_new (expression, strlen (expression), self->stopwords);
  g_autoptr(GPtrArray) words = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) originals = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) joined_words = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) joined_originals = g_ptr_array_new_with_free_func (g_free);
  gboolean hyphenated = FALSE;
  guint n = rel_tokens_get_n (tokens);

  for (guint i = 0; i < n; i++)
    {
      const RelToken *token = rel_tokens_get (tokens, i);
      const char *gap = i > 0 ? expression + rel_tokens_get (tokens, i - 1)->end : NULL;
      gboolean glued = gap != NULL && token->start - rel_tokens_get (tokens, i - 1)->end == 1 &&
                       *gap == '-';

      /* A term made of function words only ("de la") would match anywhere. */
      if ((token->flags & REL_TOKEN_STOP) && n > 1)
        continue;

      g_ptr_array_add (words, g_strdup (token->folded));
      g_ptr_array_add (originals, g_strndup (expression + token->start, token->end - token->start));

      if (glued && joined_words->len > 0)
        {
          /* "broncho-pneumopathie" is also written "bronchopneumopathie". */
          char *last = g_ptr_array_steal_index (joined_originals, joined_originals->len - 1);
          g_autofree char *both = g_strconcat (last, expression + token->start, NULL);
          g_autofree char *trimmed = g_strndup (both, strlen (last) + token->end - token->start);

          g_free (last);
          g_ptr_array_remove_index (joined_words, joined_words->len - 1);
          g_ptr_array_add (joined_words, rel_tokens_fold_word (trimmed, -1));
          g_ptr_array_add (joined_originals, g_strdup (trimmed));
          hyphenated = TRUE;
        }
      else
        {
          g_ptr_array_add (joined_words, g_strdup (token->folded));
          g_ptr_array_add (joined_originals,
                           g_strndup (expression + token->start, token->end - token->start));
        }
    }

  add_term (self, words, originals, case_sensitive, concept, synonym, priority);
  if (hyphenated)
    add_term (self, joined_words, joined_originals, case_sensitive, concept, synonym, priority);
}

/* Labels read "Insuffisance cardiaque, sans précision": reports write the part
 * before the comma. Parenthesized and bracketed asides are dropped. */
static void
add_label (RelMatcher       *self,
           const RelConcept *concept)
{
  g_autoptr(GString) clean = g_string_new (NULL);
  int depth = 0;
  const char *cut;

  if (g_str_has_prefix (concept->label, "***"))
    return;

  for (const char *p = concept->label; *p != '\0'; p++)
    {
      if (*p == '(' || *p == '[')
        depth++;
      else if ((*p == ')' || *p == ']') && depth > 0)
        depth--;
      else if (depth == 0)
        g_string_append_c (clean, *p);
    }

  add_expression (self, clean->str, FALSE, concept, NULL, PRIORITY_LABEL);

  cut = strstr (clean->str, ", sans précision");
  if (cut == NULL)
    cut = strstr (clean->str, ", SAI");
  if (cut != NULL && cut > clean->str)
    {
      g_autofree char *head = g_strndup (clean->str, cut - clean->str);

      add_expression (self, head, FALSE, concept, NULL, PRIORITY_TRUNCATED_LABEL);
    }
}

RelMatcher *
rel_matcher_new (RelTerminology *terminology,
                 GHashTable     *stopwords)
{
  RelMatcher *self;
  GPtrArray *concepts, *synonyms;

  g_return_val_if_fail (REL_IS_TERMINOLOGY (terminology), NULL);

  self = g_object_new (REL_TYPE_MATCHER, NULL);
  self->terminology = g_object_ref (terminology);
  self->stopwords = stopwords != NULL ? g_hash_table_ref (stopwords) : NULL;

  concepts = rel_terminology_get_concepts (terminology);
  for (guint i = 0; i < concepts->len; i++)
    add_label (self, g_ptr_array_index (concepts, i));

  synonyms = rel_terminology_get_synonyms (terminology);
  for (guint i = 0; i < synonyms->len; i++)
    {
      const RelSynonym *synonym = g_ptr_array_index (synonyms, i);
      const RelConcept *concept = NULL;

      if (synonym->kind != REL_SYNONYM_AMBIGUOUS)
        {
          concept = rel_terminology_lookup (terminology, synonym->codes[0]);
          if (concept == NULL)
            continue;
        }
      add_expression (self, synonym->expression,
                      synonym->kind != REL_SYNONYM_TERM, concept, synonym, PRIORITY_SYNONYM);
    }

  return self;
}

/* Tries @term at token @first; returns the index of its last token or -1. */
static int
match_term (RelTokens  *tokens,
            guint       first,
            const Term *term)
{
  guint n = rel_tokens_get_n (tokens);
  guint position = first;

  if (term->exact[0] != NULL && !rel_tokens_equal_exact (tokens, first, term->exact[0]))
    return -1;

  for (guint k = 1; k < term->n_words; k++)
    {
      guint skipped = 0;

      position++;
      while (position < n && (rel_tokens_get (tokens, position)->flags & REL_TOKEN_STOP) &&
             !(rel_tokens_get (tokens, position)->flags & REL_TOKEN_BREAK) &&
             skipped < MAX_SKIPPED_STOPWORDS &&
             !g_str_equal (rel_tokens_get (tokens, position)->folded, term->words[k]))
        {
          position++;
          skipped++;
        }
      if (position >= n)
        return -1;
      if (rel_tokens_get (tokens, position)->flags & REL_TOKEN_BREAK)
        return -1;
      if (!g_str_equal (rel_tokens_get (tokens, position)->folded, term->words[k]))
        return -1;
      if (term->exact[k] != NULL && !rel_tokens_equal_exact (tokens, position, term->exact[k]))
        return -1;
    }

  return (int) position;
}

/* Counts the words of @concept's label found around the match. */
static guint
context_support (RelTokens        *tokens,
                 const RelMatch   *match,
                 const RelConcept *concept)
{
  g_auto(GStrv) words = rel_tokens_split (concept->label);
  guint n = rel_tokens_get_n (tokens);
  guint from = match->first_token > CONTEXT_WINDOW ? match->first_token - CONTEXT_WINDOW : 0;
  guint to = MIN (n, match->last_token + 1 + CONTEXT_WINDOW);
  guint support = 0;

  for (guint w = 0; words[w] != NULL; w++)
    {
      if (strlen (words[w]) < 5)
        continue;
      for (guint i = from; i < to; i++)
        {
          if (i >= match->first_token && i <= match->last_token)
            continue;
          if (g_str_equal (rel_tokens_get (tokens, i)->folded, words[w]))
            {
              support++;
              break;
            }
        }
    }
  return support;
}

/* Reads the context of an ambiguous abbreviation; when it does not settle
 * the reading, the first (most frequent) one is kept and flagged. */
static void
settle_ambiguity (RelMatcher *self,
                  RelTokens  *tokens,
                  RelMatch   *match)
{
  const RelConcept *best = NULL;
  guint best_support = 0;
  gboolean tie = FALSE;

  for (guint i = 0; match->synonym->codes[i] != NULL; i++)
    {
      const RelConcept *concept = rel_terminology_lookup (self->terminology,
                                                          match->synonym->codes[i]);
      guint support;

      if (concept == NULL)
        continue;
      support = context_support (tokens, match, concept);
      if (best == NULL || support > best_support)
        {
          best = concept;
          best_support = support;
          tie = FALSE;
        }
      else if (support == best_support)
        {
          tie = TRUE;
        }
    }

  match->concept = rel_matcher_resolve (self, best);
  match->ambiguous = best_support == 0 || tie;
}

static int
compare_by_length (gconstpointer a,
                   gconstpointer b)
{
  const RelMatch *ma = a, *mb = b;
  guint la = ma->last_token - ma->first_token, lb = mb->last_token - mb->first_token;

  if (la != lb)
    return la > lb ? -1 : 1;
  return ma->first_token < mb->first_token ? -1 : ma->first_token > mb->first_token;
}

static int
compare_by_order (gconstpointer a,
                  gconstpointer b)
{
  const Term *ta = *(const Term * const *) a;
  const Term *tb = *(const Term * const *) b;

  return ta->order < tb->order ? -1 : ta->order > tb->order;
}

static int
compare_by_position (gconstpointer a,
                     gconstpointer b)
{
  const RelMatch *ma = a, *mb = b;

  return ma->start < mb->start ? -1 : ma->start > mb->start;
}

GArray *
rel_matcher_find (RelMatcher *self,
                  RelTokens  *tokens)
{
  g_autoptr(GArray) candidates = g_array_new (FALSE, FALSE, sizeof (RelMatch));
  g_autofree gboolean *taken = NULL;
  g_autoptr(GPtrArray) tried = g_ptr_array_new ();
  GArray *matches = g_array_new (FALSE, FALSE, sizeof (RelMatch));
  g_autofree gpointer *heads = NULL;
  guint n;

  g_return_val_if_fail (REL_IS_MATCHER (self), NULL);

  n = rel_tokens_get_n (tokens);
  heads = rel_tokens_lookup_words (tokens, self->by_first);
  for (guint i = 0; i < n; i++)
    {
      const RelToken *token = rel_tokens_get (tokens, i);
      const Head *head = heads[token->word];
      const Term *best = NULL;
      int best_end = -1;

      if (head == NULL)
        continue;
      g_ptr_array_set_size (tried, 0);
      if (head->single != NULL)
        g_ptr_array_extend (tried, head->single, NULL, NULL);
      /* The words match_term() may take for the second: the next one, or
       * past a few function words. */
      for (guint next = i + 1, skipped = 0; head->by_second != NULL && next < n; next++, skipped++)
        {
          const RelToken *following = rel_tokens_get (tokens, next);
          GPtrArray *bucket;

          if (following->flags & REL_TOKEN_BREAK)
            break;
          bucket = g_hash_table_lookup (head->by_second, following->folded);
          if (bucket != NULL)
            g_ptr_array_extend (tried, bucket, NULL, NULL);
          if (!(following->flags & REL_TOKEN_STOP) || skipped >= MAX_SKIPPED_STOPWORDS)
            break;
        }
      if (tried->len == 0)
        continue;
      /* In the order they were added, as one bucket used to hold them. */
      g_ptr_array_sort (tried, compare_by_order);

      for (guint j = 0; j < tried->len; j++)
        {
          const Term *term = g_ptr_array_index (tried, j);
          int end = match_term (tokens, i, term);

          if (end < 0)
            continue;
          if (end > best_end || (end == best_end && better_term (term, best)))
            {
              best = term;
              best_end = end;
            }
        }

      if (best != NULL)
        {
          RelMatch match = { 0 };

          match.first_token = i;
          match.last_token = (guint) best_end;
          match.start = token->start;
          match.end = rel_tokens_get (tokens, best_end)->end;
          match.synonym = best->synonym;
          if (best->concept != NULL)
            match.concept = rel_matcher_resolve (self, best->concept);
          else
            settle_ambiguity (self, tokens, &match);
          if (match.concept != NULL)
            g_array_append_val (candidates, match);
        }
    }

  /* The longest match wins where matches overlap. */
  g_array_sort (candidates, compare_by_length);
  taken = g_new0 (gboolean, n + 1);
  for (guint i = 0; i < candidates->len; i++)
    {
      const RelMatch *match = &g_array_index (candidates, RelMatch, i);
      gboolean free_span = TRUE;

      for (guint t = match->first_token; t <= match->last_token && free_span; t++)
        free_span = !taken[t];
      if (!free_span)
        continue;
      for (guint t = match->first_token; t <= match->last_token; t++)
        taken[t] = TRUE;
      g_array_append_val (matches, *match);
    }

  g_array_sort (matches, compare_by_position);
  return matches;
}
