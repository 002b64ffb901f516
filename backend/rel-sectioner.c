/* SPDX-License-Identifier: GPL-3.0-or-later */
/* rel-sectioner.c: section titles from the authored lexicon, and content cues
 * for reports written without titles. */
#define G_LOG_DOMAIN "rel-sectioner"

#include "config.h"

#include <math.h>

#include "rel-lexicon.h"
#include "rel-sectioner.h"
#include "rel-text.h"

/* A title line is short; a colon further than this starts a sentence. */
#define MAX_TITLE_BYTES 70
#define MAX_COLON_BYTES 60
/* Below this, a paragraph's cues do not make it a header or a signature. */
#define MIN_CUE_SCORE 2.0
/* Reading paragraphs without titles: going back in the usual order of a
 * report costs this much cue weight; staying on the same matter earns a little. */
#define BACKWARD_PENALTY 8.0
#define SAME_LABEL_BONUS 0.75
/* How many words open a paragraph. */
#define OPENING_WORDS 12
/* Past this many words after its opening, the rest of a paragraph counts
 * less and less (as one over the square root of its length). */
#define TAIL_WORDS 40.0
/* A paragraph this short, in words, is a statement rather than a story. */
#define SHORT_PARAGRAPH 30
/* How much the place of a paragraph in an untitled report says of it: a
 * case report tells the story first and the outcome last, and the words of
 * both (dates, treatments, scans) are alike. */
#define OUTCOME_PRIOR 5.0

typedef struct
{
  GStrv        words;
  const char  *label;
  double       weight;
} Cue;

struct _RelSectioner
{
  GObject     parent_instance;

  GHashTable *titles;        /* folded title → interned label */
  guint       max_title_words;
  GPtrArray  *cues;          /* Cue* */
  GHashTable *cues_by_first; /* first word → GPtrArray of Cue* */
  GHashTable *labs;          /* folded lab, imaging and vital names */
  GHashTable *dosage;        /* folded dose units, forms and rhythms */
};

G_DEFINE_FINAL_TYPE (RelSectioner, rel_sectioner, G_TYPE_OBJECT)

static void
cue_free (gpointer data)
{
  Cue *cue = data;

  g_strfreev (cue->words);
  g_free (cue);
}

static void
rel_sectioner_finalize (GObject *object)
{
  RelSectioner *self = (RelSectioner *) object;

  g_clear_pointer (&self->titles, g_hash_table_unref);
  g_clear_pointer (&self->cues_by_first, g_hash_table_unref);
  g_clear_pointer (&self->cues, g_ptr_array_unref);
  g_clear_pointer (&self->labs, g_hash_table_unref);
  g_clear_pointer (&self->dosage, g_hash_table_unref);

  G_OBJECT_CLASS (rel_sectioner_parent_class)->finalize (object);
}

static void
rel_sectioner_class_init (RelSectionerClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = rel_sectioner_finalize;
}

static void
rel_sectioner_init (RelSectioner *self)
{
  self->titles = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->cues = g_ptr_array_new_with_free_func (cue_free);
  self->cues_by_first = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                               (GDestroyNotify) g_ptr_array_unref);
  self->labs = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->dosage = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
}

/* The words of @text folded as tokens are, joined by spaces. */
static char *
fold_key (const char *text,
          gssize      length)
{
  gsize n = length < 0 ? strlen (text) : (gsize) length;
  g_autoptr(RelTokens) tokens = rel_tokens_new (text, n, NULL);
  GString *key = g_string_sized_new (n);

  for (guint i = 0; i < rel_tokens_get_n (tokens); i++)
    {
      if (i > 0)
        g_string_append_c (key, ' ');
      g_string_append (key, rel_tokens_get (tokens, i)->folded);
    }
  return g_string_free (key, FALSE);
}

RelSectioner *
rel_sectioner_new (GError **error)
{
  g_autoptr(RelSectioner) self = g_object_new (REL_TYPE_SECTIONER, NULL);
  g_autoptr(GPtrArray) titles = NULL;
  g_autoptr(GPtrArray) cues = NULL;

  titles = rel_lexicon_load ("sections.tsv", 2, error);
  if (titles == NULL)
    return NULL;
  for (guint i = 0; i < titles->len; i++)
    {
      char **fields = g_ptr_array_index (titles, i);
      char *key = fold_key (fields[0], -1);
      guint n_words = 1;

      for (const char *p = key; *p != '\0'; p++)
        n_words += *p == ' ';
      self->max_title_words = MAX (self->max_title_words, n_words);
      g_hash_table_replace (self->titles, key, (gpointer) g_intern_string (g_strstrip (fields[1])));
    }

  cues = rel_lexicon_load ("section-cues.tsv", 3, error);
  if (cues == NULL)
    return NULL;
  for (guint i = 0; i < cues->len; i++)
    {
      char **fields = g_ptr_array_index (cues, i);
      Cue *cue = g_new0 (Cue, 1);

      cue->words = rel_tokens_split (fields[0]);
      cue->label = g_intern_string (fields[1]);
      cue->weight = g_ascii_strtod (fields[2], NULL);
      g_ptr_array_add (self->cues, cue);
      if (cue->words[0] != NULL)
        {
          GPtrArray *bucket = g_hash_table_lookup (self->cues_by_first, cue->words[0]);

          if (bucket == NULL)
            {
              bucket = g_ptr_array_new ();
              g_hash_table_insert (self->cues_by_first, cue->words[0], bucket);
            }
          g_ptr_array_add (bucket, cue);
        }
    }

  if (!rel_lexicon_load_words ("lab-tests.tsv", self->labs, error) ||
      !rel_lexicon_load_words ("dosage.tsv", self->dosage, error))
    return NULL;

  return g_steal_pointer (&self);
}

typedef struct
{
  guint       line_start;
  guint       line_end;
  guint       title_start;
  guint       title_end;
  const char *label;
  gboolean    family;
  gboolean    inline_title;  /* "Antécédents : HTA, DT2", the content on the same line */
} Title;

static gboolean
is_decoration (gunichar c)
{
  return c == '-' || c == 0x2013 || c == 0x2014 || c == '*' || c == 0x2022 || c == '#' ||
         c == '=' || c == '_' || c == '>' || c == '~' || c == 0x25CF || c == 0x25AA ||
         c == ' ' || c == '\t' || c == 0xA0;
}

/* Skips "1.", "II -", "A)", "3/" before a title. */
static const char *
skip_numbering (const char *p,
                const char *end)
{
  const char *q = p;

  if (q < end && g_ascii_isdigit (*q))
    while (q < end && g_ascii_isdigit (*q))
      q++;
  else if (q < end && strchr ("IVX", *q) != NULL)
    while (q < end && strchr ("IVX", *q) != NULL)
      q++;
  else if (q + 1 < end && g_ascii_isalpha (*q) && (q[1] == ')' || q[1] == '.'))
    q++;
  else
    return p;

  if (q < end && (*q == '.' || *q == ')' || *q == '-' || *q == '/' || *q == ':'))
    {
      q++;
      while (q < end && (*q == ' ' || *q == '\t'))
        q++;
      return q;
    }
  if (q < end && (*q == ' ') && q > p && g_ascii_isdigit (p[0]))
    {
      while (q < end && *q == ' ')
        q++;
      return q;
    }
  return p;
}

static gboolean
has_lowercase (const char *text,
               const char *end)
{
  for (const char *p = text; p < end; p = g_utf8_next_char (p))
    if (g_unichar_islower (g_utf8_get_char (p)))
      return TRUE;
  return FALSE;
}

static guint
count_words (const char *key)
{
  guint n = *key != '\0';

  for (const char *p = key; *p != '\0'; p++)
    n += *p == ' ';
  return n;
}

/* At least how many words stand between @p and @end: the runs without
 * blanks holding an ASCII letter or digit (each is one word or more). */
static guint
least_words (const char *p,
             const char *end)
{
  guint n = 0;
  gboolean counted = FALSE;

  for (; p < end; p++)
    {
      if (g_ascii_isspace (*p))
        counted = FALSE;
      else if (!counted && g_ascii_isalnum (*p))
        {
          counted = TRUE;
          n++;
        }
    }
  return n;
}

/* fold_key() of the text from @start to @end, from the report's own tokens
 * when they fall within it, as they do but for a word cut by @start or @end. */
static char *
fold_key_in (RelTokens *tokens,
             guint      start,
             guint      end)
{
  guint n = rel_tokens_get_n (tokens);
  guint i = rel_tokens_find (tokens, start);
  GString *key = g_string_new (NULL);

  for (; i < n && rel_tokens_get (tokens, i)->start < end; i++)
    {
      const RelToken *token = rel_tokens_get (tokens, i);

      if (token->start < start || token->end > end)
        {
          g_string_free (key, TRUE);
          return fold_key (rel_tokens_get_text (tokens) + start, end - start);
        }
      if (key->len > 0)
        g_string_append_c (key, ' ');
      g_string_append (key, token->folded);
    }
  return g_string_free (key, FALSE);
}

/* Decides whether a line is a section title, and which. */
static gboolean
read_title (RelSectioner *self,
            RelTokens    *tokens,
            const char   *text,
            guint         line_start,
            guint         line_end,
            Title        *title)
{
  const char *p = text + line_start;
  const char *end = text + line_end;
  const char *head_end, *colon;
  g_autofree char *key = NULL;
  const char *label;
  gboolean upper, short_line;
  guint n_words;

  while (p < end && is_decoration (g_utf8_get_char (p)))
    p = g_utf8_next_char (p);
  p = skip_numbering (p, end);
  if (p >= end || !g_unichar_isalpha (g_utf8_get_char (p)))
    return FALSE;

  colon = memchr (p, ':', end - p);
  if (colon != NULL && colon - p <= MAX_COLON_BYTES)
    head_end = colon;
  else if (end - p <= MAX_TITLE_BYTES)
    {
      head_end = end;
      colon = NULL;
    }
  else
    return FALSE;

  /* Trailing decoration: "--- Évolution ---". */
  while (head_end > p)
    {
      const char *prev = g_utf8_prev_char (head_end);

      if (!is_decoration (g_utf8_get_char (prev)))
        break;
      head_end = prev;
    }
  if (head_end <= p)
    return FALSE;

  /* "Patient fragile. ECOG : 1" is a sentence, not a title. */
  for (const char *q = p; q + 1 < head_end; q++)
    if (*q == '.' && q[1] == ' ')
      return FALSE;

  /* Most lines of a report are sentences: a line with no colon, not in
   * capitals, and more words than a title has is not folded at all. */
  upper = !has_lowercase (p, head_end);
  if (colon == NULL && !upper && least_words (p, head_end) > MAX (self->max_title_words + 1, 4))
    return FALSE;

  key = fold_key_in (tokens, p - text, head_end - text);
  /* "L'évolution", "Le traitement": the article changes nothing. */
  if (g_str_has_prefix (key, "l ") || g_str_has_prefix (key, "le ") ||
      g_str_has_prefix (key, "la ") || g_str_has_prefix (key, "les "))
    {
      char *bare = g_strdup (strchr (key, ' ') + 1);

      g_free (key);
      key = bare;
    }
  n_words = count_words (key);
  if (n_words == 0)
    return FALSE;

  label = g_hash_table_lookup (self->titles, key);
  short_line = colon == NULL && n_words <= 4 && head_end[-1] != '.' && end[-1] != '.';

  if (label == NULL && (colon != NULL || upper || short_line))
    {
      /* "BILAN BIOLOGIQUE D'ENTRÉE" begins with the title "bilan biologique". */
      g_auto(GStrv) words = g_strsplit (key, " ", -1);

      for (guint k = MIN (n_words - 1, self->max_title_words); k >= 1 && label == NULL; k--)
        {
          g_autofree char *prefix = NULL;
          char *saved = words[k];

          words[k] = NULL;
          prefix = g_strjoinv (" ", words);
          words[k] = saved;
          label = g_hash_table_lookup (self->titles, prefix);
        }
    }

  title->family = strstr (key, "famil") != NULL;
  if (label == NULL && title->family && (colon != NULL || upper || short_line))
    label = g_intern_static_string ("antecedents");
  if (label == NULL)
    return FALSE;

  title->line_start = line_start;
  title->line_end = line_end;
  title->title_start = p - text;
  title->title_end = colon != NULL ? (guint) (colon + 1 - text) : (guint) (head_end - text);
  title->label = label;
  title->inline_title = FALSE;
  if (colon != NULL)
    {
      /* Anything but blanks after the colon: the content shares the line. */
      for (const char *q = colon + 1; q < end && !title->inline_title; q++)
        title->inline_title = !g_ascii_isspace (*q);
    }
  return TRUE;
}

static guint
trim_end (const char *text,
          guint       start,
          guint       end)
{
  while (end > start && g_ascii_isspace (text[end - 1]))
    end--;
  return end;
}

typedef struct
{
  guint first_token;
  guint last_token;   /* exclusive */
} Paragraph;

/* Adds the weights of the cues found in @paragraph to @scores (label → double);
 * a word counts for one cue only, the longest. */
static void
score_cues (RelSectioner *self,
            RelTokens    *tokens,
            Paragraph    *paragraph,
            GHashTable   *scores)
{
  guint covered_until = paragraph->first_token;
  guint length = paragraph->last_token - paragraph->first_token;
  /* A long paragraph names many things in passing: the cues further on are
   * damped by its length, or a story of a page outweighs by its length
   * alone what its opening says. */
  double further = length > OPENING_WORDS
                   ? 0.5 * MIN (1.0, sqrt (TAIL_WORDS / (length - OPENING_WORDS)))
                   : 0.5;

  for (guint i = paragraph->first_token; i < paragraph->last_token; i++)
    {
      GPtrArray *bucket;
      const Cue *best = NULL;
      guint best_words = 0;
      double *score;

      if (i < covered_until)
        continue;
      bucket = g_hash_table_lookup (self->cues_by_first, rel_tokens_get (tokens, i)->folded);
      for (guint c = 0; bucket != NULL && c < bucket->len; c++)
        {
          const Cue *cue = g_ptr_array_index (bucket, c);
          guint n_words = g_strv_length (cue->words);
          gboolean found = i + n_words <= paragraph->last_token;

          for (guint k = 1; k < n_words && found; k++)
            found = g_str_equal (rel_tokens_get (tokens, i + k)->folded, cue->words[k]);
          if (found && n_words > best_words)
            {
              best = cue;
              best_words = n_words;
            }
        }
      if (best == NULL)
        continue;
      covered_until = i + best_words;

      score = g_hash_table_lookup (scores, best->label);
      if (score == NULL)
        {
          score = g_new0 (double, 1);
          g_hash_table_insert (scores, (gpointer) best->label, score);
        }
      /* The opening words of a paragraph say what it is about; further
       * on, words are mostly its matter ("Après six cycles de…"). */
      *score += best->weight * (i - paragraph->first_token < OPENING_WORDS ? 2.0 : further);
    }
}

/* Where untitled paragraphs stand, which says what they may be. */
typedef enum
{
  ZONE_WHOLE,   /* a report without titles: header, story, signature */
  ZONE_HEADER,  /* before the first title: administrative unless clearly clinical */
  ZONE_BODY,    /* after a section that ended early: clinical, or a signature */
  ZONE_TAIL,    /* after the signature: administrative unless clearly clinical */
} Zone;

static void classify_paragraphs (RelSectioner *self,
                                 RelTokens    *tokens,
                                 guint         from,
                                 guint         to,
                                 Zone          zone,
                                 GArray       *sections);

/* Where a paragraph of a titled section starts a signature or a greeting,
 * the section ends; so does an administrative one ("Objet", "Copie à") or a
 * title sharing its line with the content, at its first blank line. */
static guint
section_end (RelSectioner *self,
             RelTokens    *tokens,
             const Title  *title,
             guint         end,
             gboolean     *signed_off)
{
  const char *text = rel_tokens_get_text (tokens);
  guint n = rel_tokens_get_n (tokens);

  for (guint i = rel_tokens_find (tokens, title->title_end); i < n; i++)
    {
      const RelToken *token = rel_tokens_get (tokens, i);
      const RelToken *before;
      g_autoptr(GHashTable) scores = NULL;
      Paragraph paragraph;
      double *signature, *header;

      if (token->start >= end)
        break;
      if (i == 0 || !(token->flags & REL_TOKEN_NEWLINE))
        continue;
      before = rel_tokens_get (tokens, i - 1);
      if (before->end < title->title_end ||
          g_strstr_len (text + before->end, token->start - before->end, "\n\n") == NULL)
        continue;

      if (g_str_equal (title->label, "autre") || title->inline_title)
        return before->end;

      /* The first words of the paragraph only: a signature opens with them. */
      paragraph.first_token = i;
      paragraph.last_token = MIN (n, i + 3);
      scores = g_hash_table_new_full (NULL, NULL, NULL, g_free);
      score_cues (self, tokens, &paragraph, scores);
      signature = g_hash_table_lookup (scores, g_intern_static_string ("signature"));
      header = g_hash_table_lookup (scores, g_intern_static_string ("entete"));
      if ((signature != NULL && *signature >= MIN_CUE_SCORE) ||
          (header != NULL && *header >= MIN_CUE_SCORE))
        {
          *signed_off = TRUE;
          return before->end;
        }
    }
  return end;
}

static GArray *
sections_from_titles (RelSectioner *self,
                      RelTokens    *tokens,
                      gsize         length,
                      GArray       *titles)
{
  const char *text = rel_tokens_get_text (tokens);
  GArray *sections = g_array_new (FALSE, TRUE, sizeof (RelSection));

  guint first = 0;

  /* Before the first clinical title: the administrative header ("Patient :",
   * "Copie à :"), unless a paragraph reads as clinical (a case report that
   * opens on its story). */
  while (first < titles->len && g_str_equal (g_array_index (titles, Title, first).label, "autre"))
    first++;
  classify_paragraphs (self, tokens, 0,
                       first < titles->len
                       ? rel_tokens_find (tokens, g_array_index (titles, Title, first).line_start)
                       : rel_tokens_get_n (tokens),
                       ZONE_HEADER, sections);

  for (guint i = first; i < titles->len; i++)
    {
      const Title *title = &g_array_index (titles, Title, i);
      guint next = i + 1 < titles->len ? g_array_index (titles, Title, i + 1).line_start
                                       : (guint) length;
      RelSection section = { 0 };
      guint full = trim_end (text, title->title_start, next);
      gboolean signed_off = FALSE;
      guint end = section_end (self, tokens, title, full, &signed_off);

      section.label = title->label;
      section.start = title->title_start;
      section.end = end;
      section.title_start = title->title_start;
      section.title_end = title->title_end;
      section.family = title->family;
      g_array_append_val (sections, section);

      /* What follows a section that ended early is read for what it says. */
      if (end < full)
        classify_paragraphs (self, tokens, rel_tokens_find (tokens, end),
                             rel_tokens_find (tokens, next), signed_off ? ZONE_TAIL : ZONE_BODY,
                             sections);
    }

  return sections;
}

/* Results and prescriptions have a shape: a name followed by a number, a
 * number followed by a unit. */
static void
score_shapes (RelSectioner *self,
              RelTokens    *tokens,
              Paragraph    *paragraph,
              double       *labs,
              double       *drugs)
{
  for (guint i = paragraph->first_token; i + 1 < paragraph->last_token; i++)
    {
      const RelToken *token = rel_tokens_get (tokens, i);
      const RelToken *next = rel_tokens_get (tokens, i + 1);

      if (g_hash_table_contains (self->labs, token->folded) && (next->flags & REL_TOKEN_NUMBER))
        *labs += 1.0;
      if ((token->flags & REL_TOKEN_NUMBER) && g_hash_table_contains (self->dosage, next->folded))
        *drugs += 0.75;
    }
}

/* Labels the paragraphs of tokens @from..@to (exclusive) from what they say
 * and appends the sections to @sections. */
static void
classify_paragraphs (RelSectioner *self,
                     RelTokens    *tokens,
                     guint         from,
                     guint         to,
                     Zone          zone,
                     GArray       *sections)
{
  /* The labels of DESIGN.md in the order reports give them; those of equal
   * rank come in any order ("Diagnostic" then "Traitement" or the reverse).
   * A conclusion after the evolution ("Au total") outweighs the cost. */
  static const struct { const char *label; int rank; } clinical[] = {
    { "motif", 0 }, { "antecedents", 1 }, { "allergies", 1 }, { "mode_de_vie", 1 },
    { "traitement_entree", 2 }, { "histoire", 3 }, { "examen_clinique", 4 },
    { "examens_complementaires", 5 }, { "conclusion", 6 }, { "traitement", 6 },
    { "evolution", 7 }, { "traitement_sortie", 8 }, { "suivi", 9 },
  };
  const char *text = rel_tokens_get_text (tokens);
  g_autoptr(GArray) paragraphs = g_array_new (FALSE, FALSE, sizeof (Paragraph));
  guint n = to;
  gboolean blank_lines = FALSE;
  guint first_new = sections->len;

  for (guint i = from + 1; i < n && !blank_lines; i++)
    {
      const RelToken *token = rel_tokens_get (tokens, i);
      const char *gap = text + rel_tokens_get (tokens, i - 1)->end;

      blank_lines = (token->flags & REL_TOKEN_NEWLINE) &&
                    g_strstr_len (gap, token->start - rel_tokens_get (tokens, i - 1)->end,
                                  "\n\n") != NULL;
    }

  /* Paragraphs: separated by blank lines, or by line breaks when there are none. */
  for (guint i = from; i < n; i++)
    {
      const RelToken *token = rel_tokens_get (tokens, i);
      gboolean starts = i == from;

      if (!starts && (token->flags & REL_TOKEN_NEWLINE))
        {
          const RelToken *before = rel_tokens_get (tokens, i - 1);

          starts = !blank_lines ||
                   g_strstr_len (text + before->end, token->start - before->end, "\n\n") != NULL;
        }
      if (starts)
        {
          Paragraph paragraph = { i, i + 1 };
          g_array_append_val (paragraphs, paragraph);
        }
      else
        g_array_index (paragraphs, Paragraph, paragraphs->len - 1).last_token = i + 1;
    }

  /* What each paragraph says (cue weights), then the most likely sequence of
   * labels: reports go forward in their usual order, so going back costs. */
  {
    guint n_paragraphs = paragraphs->len;
    guint n_labels = G_N_ELEMENTS (clinical);
    g_autofree double *emission = g_new0 (double, n_paragraphs * n_labels);
    g_autofree double *best = g_new0 (double, n_paragraphs * n_labels);
    g_autofree int *back = g_new0 (int, n_paragraphs * n_labels);
    g_autofree gboolean *skip = g_new0 (gboolean, n_paragraphs);
    g_autofree int *path = g_new0 (int, n_paragraphs);
    const char *interned[G_N_ELEMENTS (clinical)];
    const char *header_label = g_intern_static_string ("entete");
    const char *signature_label = g_intern_static_string ("signature");
    int previous_kept = -1;
    gboolean seen_clinical = zone == ZONE_BODY;
    gboolean administrative = zone == ZONE_HEADER || zone == ZONE_TAIL;
    int before = -1;

    /* The scores are keyed by interned label: interned once, not per paragraph. */
    for (guint l = 0; l < n_labels; l++)
      interned[l] = g_intern_static_string (clinical[l].label);

    /* Paragraphs after a titled section go on from it: a story that the
     * report has already left is not gone back to lightly. */
    if (sections->len > 0)
      {
        const char *last = g_array_index (sections, RelSection, sections->len - 1).label;

        for (guint l = 0; l < n_labels; l++)
          if (g_str_equal (clinical[l].label, last))
            before = (int) l;
      }

    for (guint p = 0; p < n_paragraphs; p++)
      {
        Paragraph *paragraph = &g_array_index (paragraphs, Paragraph, p);
        g_autoptr(GHashTable) scores = g_hash_table_new_full (NULL, NULL, NULL, g_free);
        double labs = 0.0, drugs = 0.0, top = 0.0, cue_top = 0.0, *aside;
        /* Where in the whole report, not in the stretch between two titles. */
        double position = (double) paragraph->first_token / MAX (1, rel_tokens_get_n (tokens));

        score_shapes (self, tokens, paragraph, &labs, &drugs);
        score_cues (self, tokens, paragraph, scores);
        for (guint l = 0; l < n_labels; l++)
          {
            double *cue = g_hash_table_lookup (scores, interned[l]);
            double score = cue != NULL ? *cue : 0.0;

            if (g_str_equal (clinical[l].label, "examens_complementaires"))
              score += MIN (labs, 6.0);
            else if (g_str_equal (clinical[l].label, "traitement"))
              score += MIN (drugs, 6.0);
            /* A paragraph of a line or two, after the results, names the
             * diagnosis ("Carcinome microcytaire du poumon."). */
            else if (g_str_equal (clinical[l].label, "conclusion") &&
                     paragraph->last_token - paragraph->first_token <= SHORT_PARAGRAPH)
              score += 2.5;
            cue_top = MAX (cue_top, score);
            /* Stories open on why the patient came and the history, and
             * close on the outcome. */
            if (g_str_equal (clinical[l].label, "evolution"))
              score += OUTCOME_PRIOR * position;
            else if (g_str_equal (clinical[l].label, "histoire") ||
                     g_str_equal (clinical[l].label, "motif"))
              score += OUTCOME_PRIOR * (1.0 - position);
            emission[p * n_labels + l] = score;
            top = MAX (top, score);
          }

        /* The administrative header and the greeting open a report, the
         * signature closes it: neither is clinical. */
        aside = g_hash_table_lookup (scores, header_label);
        if (aside != NULL && *aside >= MIN_CUE_SCORE && *aside >= top && !seen_clinical)
          skip[p] = TRUE;
        aside = g_hash_table_lookup (scores, signature_label);
        /* A signature is short and opens on its cue ("Dr …", "Bien confraternellement"). */
        if (aside != NULL && *aside >= 2 * MIN_CUE_SCORE && *aside >= top && seen_clinical &&
            paragraph->last_token - paragraph->first_token <= SHORT_PARAGRAPH)
          {
            skip[p] = TRUE;
            /* Past a signature in the body, the rest is the tail of the letter. */
            administrative |= zone == ZONE_BODY || zone == ZONE_WHOLE;
          }
        /* In the header zone, only what reads as clinical counts; once the
         * story has begun, the header is behind. */
        if (administrative && cue_top < 2 * MIN_CUE_SCORE &&
            !(zone == ZONE_HEADER && seen_clinical))
          skip[p] = TRUE;
        seen_clinical |= !skip[p];
      }

    for (guint p = 0; p < n_paragraphs; p++)
      {
        if (skip[p])
          continue;
        for (guint l = 0; l < n_labels; l++)
          {
            double e = emission[p * n_labels + l];

            if (previous_kept < 0)
              {
                /* A report without titles opens on the story. */
                if (before < 0)
                  e += g_str_equal (clinical[l].label, "histoire") ? 1.0 : 0.0;
                else if ((int) l == before)
                  e += SAME_LABEL_BONUS;
                else if (clinical[l].rank < clinical[before].rank)
                  e -= BACKWARD_PENALTY;
                best[p * n_labels + l] = e;
                back[p * n_labels + l] = -1;
                continue;
              }
            best[p * n_labels + l] = -G_MAXDOUBLE;
            for (guint k = 0; k < n_labels; k++)
              {
                double score = best[previous_kept * n_labels + k] + e;

                if (k == l)
                  score += SAME_LABEL_BONUS;
                else if (clinical[l].rank < clinical[k].rank)
                  score -= BACKWARD_PENALTY;
                if (score > best[p * n_labels + l])
                  {
                    best[p * n_labels + l] = score;
                    back[p * n_labels + l] = (int) k;
                  }
              }
          }
        previous_kept = (int) p;
      }

    if (previous_kept >= 0)
      {
        int label = 0;

        for (guint l = 1; l < n_labels; l++)
          if (best[previous_kept * n_labels + l] > best[previous_kept * n_labels + label])
            label = (int) l;
        for (int p = previous_kept; p >= 0; p--)
          {
            if (skip[p])
              {
                path[p] = -1;
                continue;
              }
            path[p] = label;
            label = back[p * n_labels + label];
          }
      }
    else
      {
        for (guint p = 0; p < n_paragraphs; p++)
          path[p] = -1;
      }

    for (guint p = 0; p < n_paragraphs; p++)
      {
        Paragraph *paragraph = &g_array_index (paragraphs, Paragraph, p);
        RelSection section = { 0 };
        const char *label;

        if (path[p] < 0)
          continue;
        label = g_intern_static_string (clinical[path[p]].label);

        section.label = label;
        section.start = rel_tokens_get (tokens, paragraph->first_token)->start;
        section.end = rel_tokens_get (tokens, paragraph->last_token - 1)->end;
        section.title_start = section.title_end = section.start;
        section.inferred = TRUE;

        /* Consecutive paragraphs on the same matter make one section. */
        if (sections->len > first_new && p > 0 && path[p - 1] == path[p] &&
            g_array_index (sections, RelSection, sections->len - 1).label == label)
          g_array_index (sections, RelSection, sections->len - 1).end = section.end;
        else
          g_array_append_val (sections, section);
      }
  }
}

static GArray *
sections_from_content (RelSectioner *self,
                       RelTokens    *tokens)
{
  GArray *sections = g_array_new (FALSE, TRUE, sizeof (RelSection));

  classify_paragraphs (self, tokens, 0, rel_tokens_get_n (tokens), ZONE_WHOLE, sections);
  return sections;
}

GArray *
rel_sectioner_find (RelSectioner *self,
                    RelTokens    *tokens)
{
  g_autoptr(GArray) titles = g_array_new (FALSE, TRUE, sizeof (Title));
  const char *text;
  gsize length;
  guint line_start = 0;

  g_return_val_if_fail (REL_IS_SECTIONER (self), NULL);

  text = rel_tokens_get_text (tokens);
  length = rel_tokens_get_n (tokens) > 0
           ? rel_tokens_get (tokens, rel_tokens_get_n (tokens) - 1)->end : 0;
  while (length > 0 && text[length] != '\0' && text[length] != '\n')
    length++;

  while (line_start < length)
    {
      const char *newline = memchr (text + line_start, '\n', length - line_start);
      guint line_end = newline != NULL ? (guint) (newline - text) : (guint) length;
      Title title = { 0 };

      if (read_title (self, tokens, text, line_start, line_end, &title))
        g_array_append_val (titles, title);
      line_start = line_end + 1;
    }

  /* A report structured by heading lines uses "Label : …" lines inside its
   * sections as sub-headings: they do not open a section of their own. */
  {
    guint standalone = 0;

    for (guint i = 0; i < titles->len; i++)
      standalone += !g_array_index (titles, Title, i).inline_title;
    if (standalone >= 2)
      {
        gboolean seen_standalone = FALSE;
        guint kept = 0;

        /* Compacted in place: removing one by one moved the rest of the
         * array each time, quadratic in the titles of a long report. */
        for (guint i = 0; i < titles->len; i++)
          {
            const Title *title = &g_array_index (titles, Title, i);

            if (!title->inline_title)
              seen_standalone = TRUE;
            if (!(title->inline_title && seen_standalone))
              g_array_index (titles, Title, kept++) = *title;
          }
        g_array_set_size (titles, kept);
      }
  }

  if (titles->len > 0)
    return sections_from_titles (self, tokens, length, titles);
  return sections_from_content (self, tokens);
}

const RelSection *
rel_sections_lookup (GArray *sections,
                     guint   offset)
{
  guint low = 0;
  guint high = sections->len;
  const RelSection *section;

  /* Asked for every mention: a linear walk made a long report quadratic
   * (minutes for 50 MB). The sections are in text order and do not overlap,
   * so the only candidate is the last one starting at or before @offset. */
  while (low < high)
    {
      guint middle = low + (high - low) / 2;

      if (g_array_index (sections, RelSection, middle).start <= offset)
        low = middle + 1;
      else
        high = middle;
    }
  if (low == 0)
    return NULL;
  section = &g_array_index (sections, RelSection, low - 1);
  return offset >= section->start && offset < section->end ? section : NULL;
}
