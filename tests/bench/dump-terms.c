/* SPDX-License-Identifier: GPL-3.0-or-later */
/* dump-terms.c: the dictionary the matcher indexes and the reports as it reads
 * them, folded the same way, for the Aho-Corasick baseline of tests/bench/run. */
#define G_LOG_DOMAIN "dump-terms"

#include "config.h"

#include <stdio.h>

#include "rel-document.h"
#include "rel-lexicon.h"
#include "rel-matcher.h"
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
  g_autoptr(RelMatcher) matcher = NULL;
  g_auto(GStrv) all = NULL;
  guint n;

  if (terminology == NULL)
    g_error ("%s", error->message);

  /* The matcher's own terms: the same dictionary, by construction. */
  matcher = rel_matcher_new (terminology, stopwords);
  all = rel_matcher_dup_terms (matcher);
  for (guint i = 0; all[i] != NULL; i++)
    g_hash_table_add (terms, g_strdup (all[i]));

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
