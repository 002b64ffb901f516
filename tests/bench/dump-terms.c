/* SPDX-License-Identifier: GPL-3.0-or-later */
/* dump-terms.c: the dictionary the matcher indexes and the reports as it reads
 * them, folded the same way, for the Aho-Corasick baseline of tests/bench/run. */
#define G_LOG_DOMAIN "dump-terms"

#include "config.h"

#include <stdio.h>

#include "rel-document.h"
#include "rel-lexicon.h"
#include "rel-terminology.h"
#include "rel-tokens.h"

/* The engine's stop words: rel_embedded_engine_new() folds them so. */
static GHashTable *
load_stopwords (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) rows = rel_lexicon_load ("stopwords.tsv", 1, &error);
  GHashTable *stopwords = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  if (rows == NULL)
    g_error ("%s", error->message);
  for (guint i = 0; i < rows->len; i++)
    g_hash_table_add (stopwords, rel_tokens_fold_word (((char **) rows->pdata[i])[0], -1));
  return stopwords;
}

static gboolean
has_upper (const char *word)
{
  for (const char *p = word; *p != '\0'; p = g_utf8_next_char (p))
    if (g_unichar_isupper (g_utf8_get_char (p)))
      return TRUE;
  return FALSE;
}

/* rel-matcher.c's add_term(): the words joined by a space, as the matcher
 * keys them, less its case-sensitive check (the baseline compares folded
 * words only, which can only give it more hits). */
static void
add_term (GHashTable *terms,
          GHashTable *stopwords,
          GPtrArray  *words,
          GPtrArray  *originals,
          gboolean    case_sensitive)
{
  if (words->len == 0)
    return;
  if (words->len == 1 && g_hash_table_contains (stopwords, g_ptr_array_index (words, 0)) &&
      !(case_sensitive && has_upper (g_ptr_array_index (originals, 0))))
    return;

  g_ptr_array_add (words, NULL);
  g_hash_table_add (terms, g_strjoinv (" ", (char **) words->pdata));
  g_ptr_array_remove_index (words, words->len - 1);
}

/* rel-matcher.c's add_expression(): content words, plus the variant where
 * hyphenated words are written as one. */
static void
add_expression (GHashTable *terms,
                GHashTable *stopwords,
                const char *expression,
                gboolean    case_sensitive)
{
  g_autoptr(RelTokens) tokens = rel_tokens_new (expression, strlen (expression), stopwords);
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

      if ((token->flags & REL_TOKEN_STOP) && n > 1)
        continue;

      g_ptr_array_add (words, g_strdup (token->folded));
      g_ptr_array_add (originals,
                       g_strndup (expression + token->start, token->end - token->start));

      if (glued && joined_words->len > 0)
        {
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

  add_term (terms, stopwords, words, originals, case_sensitive);
  if (hyphenated)
    add_term (terms, stopwords, joined_words, joined_originals, case_sensitive);
}

/* rel-matcher.c's add_label(): no asides, and the head of "…, sans précision". */
static void
add_label (GHashTable       *terms,
           GHashTable       *stopwords,
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

  add_expression (terms, stopwords, clean->str, FALSE);

  cut = strstr (clean->str, ", sans précision");
  if (cut == NULL)
    cut = strstr (clean->str, ", SAI");
  if (cut != NULL && cut > clean->str)
    {
      g_autofree char *head = g_strndup (clean->str, cut - clean->str);

      add_expression (terms, stopwords, head, FALSE);
    }
}

static int
compare_strings (gconstpointer a,
                 gconstpointer b,
                 gpointer      user_data)
{
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

static int
dump_terms (GHashTable *stopwords)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(RelTerminology) terminology = rel_terminology_new_default (&error);
  g_autoptr(GHashTable) terms = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autofree const char **sorted = NULL;
  GPtrArray *concepts, *synonyms;
  guint n;

  if (terminology == NULL)
    g_error ("%s", error->message);

  concepts = rel_terminology_get_concepts (terminology);
  for (guint i = 0; i < concepts->len; i++)
    add_label (terms, stopwords, g_ptr_array_index (concepts, i));

  synonyms = rel_terminology_get_synonyms (terminology);
  for (guint i = 0; i < synonyms->len; i++)
    {
      const RelSynonym *synonym = g_ptr_array_index (synonyms, i);

      if (synonym->kind != REL_SYNONYM_AMBIGUOUS &&
          rel_terminology_lookup (terminology, synonym->codes[0]) == NULL)
        continue;
      add_expression (terms, stopwords, synonym->expression, synonym->kind != REL_SYNONYM_TERM);
    }

  sorted = (const char **) g_hash_table_get_keys_as_array (terms, &n);
  g_qsort_with_data (sorted, n, sizeof (char *), compare_strings, NULL);
  for (guint i = 0; i < n; i++)
    printf ("%s\n", sorted[i]);
  return 0;
}

/* The report as the matcher reads it: folded words, stop words left out (the
 * matcher skips them inside terms), a line break where punctuation stops a
 * term; every word between spaces, so that " term " matches whole words. */
static int
fold_files (GHashTable  *stopwords,
            char       **files,
            int          n_files)
{
  for (int f = 0; f < n_files; f++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GFile) file = g_file_new_for_commandline_arg (files[f]);
      g_autoptr(RelDocument) document = rel_document_new_from_file (file, 0, NULL, &error);
      g_autoptr(RelTokens) tokens = NULL;
      g_autoptr(GString) out = NULL;
      guint n;

      if (document == NULL)
        g_error ("%s: %s", files[f], error->message);
      tokens = rel_tokens_new (rel_document_get_text (document),
                               rel_document_get_length (document), stopwords);
      n = rel_tokens_get_n (tokens);
      out = g_string_sized_new (rel_document_get_length (document) + 2);
      g_string_append_c (out, ' ');
      for (guint i = 0; i < n; i++)
        {
          const RelToken *token = rel_tokens_get (tokens, i);

          if ((token->flags & REL_TOKEN_BREAK) && out->len > 1 && out->str[out->len - 2] != '\n')
            g_string_append (out, "\n ");
          if (token->flags & REL_TOKEN_STOP)
            continue;
          g_string_append (out, token->folded);
          g_string_append_c (out, ' ');
        }
      /* Reports are separated by a nul byte. */
      fwrite (out->str, 1, out->len + 1, stdout);
    }
  return 0;
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GHashTable) stopwords = NULL;

  if (argc >= 2 && g_str_equal (argv[1], "terms") && argc == 2)
    return dump_terms (stopwords = load_stopwords ());
  if (argc >= 2 && g_str_equal (argv[1], "fold"))
    return fold_files (stopwords = load_stopwords (), argv + 2, argc - 2);

  g_printerr ("usage: dump-terms terms          the folded terms the matcher indexes\n"
              "       dump-terms fold FILE…     the reports folded the same way, "
              "nul-separated\n");
  return 2;
}
