/* SPDX-License-Identifier: GPL-3.0-or-later */
/* rel-tokens.c: tokenization of report text for the matcher, sections and qualifiers. */
#define G_LOG_DOMAIN "rel-tokens"

#include "config.h"

#include "rel-text.h"
#include "rel-tokens.h"

struct _RelTokens
{
  const char   *text;
  gsize         length;
  RelToken     *tokens;
  guint         n_tokens;
  guint         allocated;
  GStringChunk *strings;
  GArray       *words;       /* Word: the distinct folded words, in order of appearance */
  GHashTable   *word_index;  /* folded word → its index + 1; built past a few words */
};

typedef struct
{
  const char    *folded;
  RelTokenFlags  flags;      /* REL_TOKEN_STOP or 0 */
} Word;

#define WORD(self, i) (g_array_index ((self)->words, Word, (i)))

/* Below this many distinct words, a word is found by looking at each. */
#define LINEAR_WORDS 16

/* g_ascii_tolower() without a call, for the loops over every byte. */
static inline char
ascii_lower (char c)
{
  return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c;
}

static gboolean
is_word_char (gunichar c)
{
  GUnicodeType type;

  if (c < 0x80)
    return g_ascii_isalnum (c);
  type = g_unichar_type (c);
  return g_unichar_isalnum (c) || type == G_UNICODE_NON_SPACING_MARK ||
         type == G_UNICODE_SPACING_MARK;
}

static gboolean
is_apostrophe (gunichar c)
{
  return c == '\'' || c == 0x2019 || c == 0x2018 || c == 0x02BC;
}

static gboolean
is_hyphen (gunichar c)
{
  return c == '-' || c == 0x2010 || c == 0x2011;
}

/* The ASCII letter each of U+00C0–U+017F decomposes to, or 0. */
static const guchar *
latin_bases (void)
{
  static guchar bases[0x017F - 0x00C0 + 1];
  static gsize initialized = 0;

  if (g_once_init_enter (&initialized))
    {
      for (gunichar c = 0x00C0; c <= 0x017F; c++)
        {
          gunichar decomposed[4];

          if (g_unichar_fully_decompose (c, FALSE, decomposed, G_N_ELEMENTS (decomposed)) >= 1 &&
              decomposed[0] < 0x80 && g_ascii_isalpha ((char) decomposed[0]))
            bases[c - 0x00C0] = (guchar) g_ascii_tolower ((char) decomposed[0]);
        }
      g_once_init_leave (&initialized, 1);
    }
  return bases;
}

/* The common case of French words, without normalizing: Latin letters
 * whose decomposition starts with an ASCII letter, folded into @out (at
 * least @n + 1 bytes: no character folds longer than it is written).
 * FALSE for anything else. */
static gboolean
fold_latin (const char *word,
            gsize       n,
            char       *out)
{
  const guchar *bases = latin_bases ();
  const char *end = word + n;
  char *o = out;

  for (const char *p = word; p < end; p = g_utf8_next_char (p))
    {
      gunichar c;

      if ((guchar) *p < 0x80)
        {
          *o++ = ascii_lower (*p);
          continue;
        }
      c = g_utf8_get_char (p);
      if (c == 0x0153 || c == 0x0152 || c == 0x00E6 || c == 0x00C6)
        {
          *o++ = c == 0x0153 || c == 0x0152 ? 'o' : 'a';
          *o++ = 'e';
          continue;
        }
      if (c < 0x00C0 || c > 0x017F || bases[c - 0x00C0] == 0)
        return FALSE;
      *o++ = (char) bases[c - 0x00C0];
    }
  *o = '\0';
  return TRUE;
}

/* French plurals: -aux → -al ("rénaux"), final -s or -x dropped. Both the
 * text and the lexicons go through this, so only consistency matters. */
static void
depluralize (char *folded)
{
  gsize len = strlen (folded);

  if (len > 4 && memcmp (folded + len - 3, "aux", 3) == 0)
    {
      folded[len - 2] = 'l';
      folded[len - 1] = '\0';
    }
  else if (len > 3 && (folded[len - 1] == 's' || folded[len - 1] == 'x') &&
           !g_ascii_isdigit (folded[len - 2]) && folded[len - 2] != 's')
    {
      folded[len - 1] = '\0';
    }
}

char *
rel_tokens_fold_word (const char *word,
                      gssize      length)
{
  gsize n = length < 0 ? strlen (word) : (gsize) length;
  gboolean ascii = rel_text_is_ascii (word, n);
  char *folded;

  folded = g_malloc (n + 1);
  if (ascii)
    {
      for (gsize i = 0; i < n; i++)
        folded[i] = ascii_lower (word[i]);
      folded[n] = '\0';
    }
  else if (!fold_latin (word, n, folded))
    {
      /* Folding never adds spaces inside a word, but a ligature or a
       * superscript may; keep the word whole. */
      g_autofree char *spaced = rel_text_fold (word, n);
      GString *joined = g_string_new (NULL);

      for (const char *p = spaced; *p != '\0'; p++)
        if (*p != ' ')
          g_string_append_c (joined, *p);
      g_free (folded);
      folded = g_string_free (joined, FALSE);
    }

  depluralize (folded);
  return folded;
}

/* Looks at what stands between two tokens and says what kind of break it is. */
static RelTokenFlags
classify_gap (const char *text,
              gsize       gap_start,
              gsize       gap_end,
              gsize       previous_length)
{
  RelTokenFlags flags = 0;
  guint newlines = 0;
  gboolean line_start = gap_start == 0;

  for (const char *p = text + gap_start; p < text + gap_end; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (c == '\n' || c == '\f')
        {
          newlines++;
          flags |= REL_TOKEN_NEWLINE;
          line_start = TRUE;
          continue;
        }
      if (c == ' ' || c == '\t' || c == '\r' || c == 0xA0 || c == 0x202F)
        continue;

      if (line_start && (is_hyphen (c) || c == '*' || c == 0x2022 || c == 0x2013 ||
                         c == 0x2014 || c == '>' || c == 0x25CF || c == 0x25AA))
        {
          /* A bullet opens a new item. */
          flags |= REL_TOKEN_SENTENCE | REL_TOKEN_BREAK;
          line_start = FALSE;
          continue;
        }
      line_start = FALSE;

      if (is_apostrophe (c))
        continue;
      if (is_hyphen (c) && gap_end - gap_start == 1)
        continue; /* "anti-inflammatoire", "broncho-pneumopathie" */
      if (c == '.' && previous_length == 1 && gap_end - gap_start <= 2)
        continue; /* an initial: "E. coli" */

      flags |= REL_TOKEN_BREAK;
      if (c == '.' || c == '!' || c == '?' || c == ';' || c == ':' || c == 0x2026)
        flags |= REL_TOKEN_SENTENCE;
      if (c == '?')
        flags |= REL_TOKEN_QUESTION;
      if (c == ',')
        flags |= REL_TOKEN_COMMA;
    }

  if (newlines >= 2)
    flags |= REL_TOKEN_SENTENCE | REL_TOKEN_BREAK;
  return flags;
}

/* The index of @word among the text's distinct words, added if new: each
 * word of a report is copied and looked up in @stopwords once. */
static guint
intern (RelTokens  *self,
        const char *word,
        GHashTable *stopwords)
{
  Word entry = { NULL, 0 };
  guint index;

  if (self->word_index != NULL)
    {
      gpointer found = g_hash_table_lookup (self->word_index, word);

      if (found != NULL)
        return GPOINTER_TO_UINT (found) - 1;
    }
  else
    {
      for (guint i = 0; i < self->words->len; i++)
        if (strcmp (WORD (self, i).folded, word) == 0)
          return i;
    }

  index = self->words->len;
  entry.folded = g_string_chunk_insert (self->strings, word);
  if (stopwords != NULL && g_hash_table_contains (stopwords, word))
    entry.flags = REL_TOKEN_STOP;
  g_array_append_val (self->words, entry);

  if (self->word_index == NULL && self->words->len > LINEAR_WORDS)
    {
      self->word_index = g_hash_table_new (g_str_hash, g_str_equal);
      for (guint i = 0; i < self->words->len; i++)
        g_hash_table_insert (self->word_index, (gpointer) WORD (self, i).folded,
                             GUINT_TO_POINTER (i + 1));
    }
  else if (self->word_index != NULL)
    g_hash_table_insert (self->word_index, (gpointer) entry.folded, GUINT_TO_POINTER (index + 1));
  return index;
}

RelTokens *
rel_tokens_new (const char *text,
                gsize       length,
                GHashTable *stopwords)
{
  RelTokens *self = g_new0 (RelTokens, 1);
  const char *end = text + length;
  const char *p = text;
  gsize gap_start = 0;
  gsize previous_length = 0;

  self->text = text;
  self->length = length;
  self->allocated = length / 6 + 16;
  self->tokens = g_new (RelToken, self->allocated);
  self->words = g_array_sized_new (FALSE, FALSE, sizeof (Word), MIN (self->allocated, 1024));
  self->strings = g_string_chunk_new (length + 64);

  while (p < end)
    {
      gunichar c;
      const char *word_start;
      gboolean has_upper = FALSE, has_lower = FALSE, digits = TRUE;
      RelToken token;

      /* Blanks and punctuation between words, most of them ASCII. */
      if ((guchar) *p < 0x80)
        {
          if (!g_ascii_isalnum (*p))
            {
              p++;
              continue;
            }
          c = (gunichar) *p;
        }
      else
        c = g_utf8_get_char_validated (p, end - p);
      if (c == (gunichar) -1 || c == (gunichar) -2)
        {
          p++;
          continue;
        }
      if (!is_word_char (c))
        {
          p = g_utf8_next_char (p);
          continue;
        }

      word_start = p;
      while (p < end)
        {
          gunichar d;

          /* Most of a report is ASCII: no decoding, no Unicode tables. */
          if ((guchar) *p < 0x80)
            {
              if (g_ascii_isalnum (*p))
                {
                  if (g_ascii_isupper (*p))
                    has_upper = TRUE;
                  else if (g_ascii_islower (*p))
                    has_lower = TRUE;
                  if (!g_ascii_isdigit (*p))
                    digits = FALSE;
                  p++;
                  continue;
                }
              d = (gunichar) *p;
            }
          else
            d = g_utf8_get_char_validated (p, end - p);

          if (d == (gunichar) -1 || d == (gunichar) -2)
            break;
          if (is_word_char (d))
            {
              if (g_unichar_isupper (d))
                has_upper = TRUE;
              else if (g_unichar_islower (d))
                has_lower = TRUE;
              if (!g_unichar_isdigit (d))
                digits = FALSE;
              p = g_utf8_next_char (p);
              continue;
            }
          /* A decimal number stays one token: "2,5 mg", "37.8". */
          if ((d == ',' || d == '.') && digits && p + 1 < end && g_ascii_isdigit (p[1]) &&
              p > word_start && g_ascii_isdigit (p[-1]))
            {
              p++;
              continue;
            }
          break;
        }

      token.start = word_start - text;
      token.end = p - text;
      /* One space between two words: nothing to classify. */
      token.flags = token.start - gap_start == 1 && text[gap_start] == ' ' && self->n_tokens > 0
                    ? 0 : classify_gap (text, gap_start, token.start, previous_length);
      if (self->n_tokens == 0)
        token.flags |= REL_TOKEN_SENTENCE;
      if (digits)
        token.flags |= REL_TOKEN_NUMBER;
      if (has_upper && !has_lower)
        token.flags |= REL_TOKEN_UPPER;

      {
        g_autofree char *folded = NULL;
        char buffer[64];
        gsize n = token.end - token.start;
        const char *word;

        /* Short words, most of them, are folded without allocating. */
        if (n < sizeof buffer && rel_text_is_ascii (word_start, n))
          {
            for (gsize k = 0; k < n; k++)
              buffer[k] = ascii_lower (word_start[k]);
            buffer[n] = '\0';
            depluralize (buffer);
            word = buffer;
          }
        else if (n < sizeof buffer && fold_latin (word_start, n, buffer))
          {
            depluralize (buffer);
            word = buffer;
          }
        else
          word = folded = rel_tokens_fold_word (word_start, n);
        token.word = intern (self, word, stopwords);
        token.folded = WORD (self, token.word).folded;
        token.flags |= WORD (self, token.word).flags;
      }

      if (self->n_tokens == self->allocated)
        {
          self->allocated *= 2;
          self->tokens = g_renew (RelToken, self->tokens, self->allocated);
        }
      self->tokens[self->n_tokens++] = token;
      gap_start = token.end;
      /* Only whether the word is a single letter matters (an initial). */
      previous_length = token.end - token.start <= 4 ? (gsize) g_utf8_strlen (word_start, token.end - token.start)
                                                     : 5;
    }

  return self;
}

void
rel_tokens_free (RelTokens *self)
{
  if (self == NULL)
    return;
  g_free (self->tokens);
  g_string_chunk_free (self->strings);
  g_array_unref (self->words);
  g_clear_pointer (&self->word_index, g_hash_table_unref);
  g_free (self);
}

guint
rel_tokens_get_n (RelTokens *self)
{
  return self->n_tokens;
}

const RelToken *
rel_tokens_get (RelTokens *self,
                guint      index)
{
  g_return_val_if_fail (index < self->n_tokens, NULL);
  return &self->tokens[index];
}

guint
rel_tokens_get_n_words (RelTokens *self)
{
  return self->words->len;
}

const char *
rel_tokens_get_word (RelTokens *self,
                     guint      word)
{
  g_return_val_if_fail (word < self->words->len, NULL);
  return WORD (self, word).folded;
}

gpointer *
rel_tokens_lookup_words (RelTokens  *self,
                         GHashTable *table)
{
  gpointer *values = g_new0 (gpointer, self->words->len + 1);

  if (table == NULL)
    return values;
  for (guint i = 0; i < self->words->len; i++)
    values[i] = g_hash_table_lookup (table, WORD (self, i).folded);
  return values;
}

const char *
rel_tokens_get_text (RelTokens *self)
{
  return self->text;
}

guint
rel_tokens_find (RelTokens *self,
                 guint      offset)
{
  guint low = 0, high = self->n_tokens;

  while (low < high)
    {
      guint middle = (low + high) / 2;

      if (self->tokens[middle].end <= offset)
        low = middle + 1;
      else
        high = middle;
    }
  return low;
}

gboolean
rel_tokens_equal_exact (RelTokens  *self,
                        guint       index,
                        const char *word)
{
  const RelToken *token = rel_tokens_get (self, index);
  gsize n = token->end - token->start;

  return strlen (word) == n && memcmp (self->text + token->start, word, n) == 0;
}

GStrv
rel_tokens_split (const char *expression)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_autoptr(RelTokens) tokens = rel_tokens_new (expression, strlen (expression), NULL);

  for (guint i = 0; i < rel_tokens_get_n (tokens); i++)
    g_strv_builder_add (builder, rel_tokens_get (tokens, i)->folded);
  return g_strv_builder_end (builder);
}
