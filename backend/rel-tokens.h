/* SPDX-License-Identifier: GPL-3.0-or-later */
/* rel-tokens.h: words of a text with their byte offsets, folded forms and breaks. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum
{
  REL_TOKEN_BREAK    = 1 << 0, /* punctuation other than a space, hyphen or apostrophe before it */
  REL_TOKEN_SENTENCE = 1 << 1, /* a sentence or clause ends before it: . ! ? ; : blank line, bullet */
  REL_TOKEN_COMMA    = 1 << 2, /* a comma before it */
  REL_TOKEN_NEWLINE  = 1 << 3, /* a line break before it */
  REL_TOKEN_STOP     = 1 << 4, /* a function word ("de", "la") that terms may skip */
  REL_TOKEN_NUMBER   = 1 << 5, /* digits, with a decimal separator maybe */
  REL_TOKEN_UPPER    = 1 << 6, /* has letters, all upper case */
  REL_TOKEN_QUESTION = 1 << 7, /* a question mark before it */
} RelTokenFlags;

typedef struct
{
  guint          start;   /* UTF-8 byte offsets into the text, end exclusive */
  guint          end;
  RelTokenFlags  flags;
  const char    *folded;  /* lower case, no accents, singular: "embolies" → "embolie" */
  guint          word;    /* index of @folded among the text's distinct words */
} RelToken;

typedef struct _RelTokens RelTokens;

/* Splits @text; @stopwords (folded words, may be %NULL) are flagged REL_TOKEN_STOP. */
RelTokens      *rel_tokens_new          (const char *text,
                                         gsize       length,
                                         GHashTable *stopwords);
void            rel_tokens_free         (RelTokens  *self);
guint           rel_tokens_get_n        (RelTokens  *self);
const RelToken *rel_tokens_get          (RelTokens  *self,
                                         guint       index);
const char     *rel_tokens_get_text     (RelTokens  *self);
/* The distinct folded words of the text: a token's word is one of them. */
guint           rel_tokens_get_n_words  (RelTokens  *self);
const char     *rel_tokens_get_word     (RelTokens  *self,
                                         guint       word);
/* @table looked up once per distinct word: the value for a token is
 * values[token->word]. Free with g_free(). */
gpointer       *rel_tokens_lookup_words (RelTokens  *self,
                                         GHashTable *table);
/* Index of the first token ending after @offset (n when none). */
guint           rel_tokens_find         (RelTokens  *self,
                                         guint       offset);
/* TRUE if the token's own bytes equal @word exactly (case and accents kept). */
gboolean        rel_tokens_equal_exact  (RelTokens  *self,
                                         guint       index,
                                         const char *word);

/* The folded, singular form used for every comparison of words. */
char           *rel_tokens_fold_word    (const char *word,
                                         gssize      length);
/* The folded words of an expression from a lexicon, as rel_tokens_new() would
 * cut them: "Fracture du col du fémur" → fracture, du, col, du, femur. */
GStrv           rel_tokens_split        (const char *expression);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (RelTokens, rel_tokens_free)

G_END_DECLS
