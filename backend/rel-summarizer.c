/* SPDX-License-Identifier: GPL-3.0-or-later */
/* rel-summarizer.c: an extractive summary — nothing in it that the report
 * does not say, each item with the span it comes from. */
#define G_LOG_DOMAIN "rel-summarizer"

#include "config.h"

#include "rel-lexicon.h"
#include "rel-summarizer.h"

#define MAX_MOTIF_BYTES 300
#define MAX_ITEMS 12

struct _RelSummarizer
{
  GObject     parent_instance;

  GHashTable *dosage;     /* folded unit, form and rhythm words */
  GHashTable *results;    /* folded lab and imaging names */
  GHashTable *abnormal;   /* folded words or expressions → TRUE abnormal, FALSE normal */
  GHashTable *openers;    /* first words of the expressions of several words */
};

G_DEFINE_FINAL_TYPE (RelSummarizer, rel_summarizer, G_TYPE_OBJECT)

static void
rel_summarizer_finalize (GObject *object)
{
  RelSummarizer *self = (RelSummarizer *) object;

  g_clear_pointer (&self->dosage, g_hash_table_unref);
  g_clear_pointer (&self->results, g_hash_table_unref);
  g_clear_pointer (&self->abnormal, g_hash_table_unref);
  g_clear_pointer (&self->openers, g_hash_table_unref);

  G_OBJECT_CLASS (rel_summarizer_parent_class)->finalize (object);
}

static void
rel_summarizer_class_init (RelSummarizerClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = rel_summarizer_finalize;
}

static void
rel_summarizer_init (RelSummarizer *self)
{
  self->dosage = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->results = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->abnormal = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->openers = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
}

static char *
fold_words (const char *text)
{
  g_auto(GStrv) words = rel_tokens_split (text);

  return g_strjoinv (" ", words);
}

static gboolean
load_words (RelSummarizer *self,
            GHashTable  *table,
            const char  *name,
            guint        columns,
            GError     **error)
{
  g_autoptr(GPtrArray) rows = rel_lexicon_load (name, columns, error);

  if (rows == NULL)
    return FALSE;
  for (guint i = 0; i < rows->len; i++)
    {
      char **fields = g_ptr_array_index (rows, i);
      gboolean abnormal = columns < 2 || !g_str_equal (fields[1], "normal");
      char *words = fold_words (fields[0]);
      const char *space = strchr (words, ' ');

      if (space != NULL)
        g_hash_table_add (self->openers, g_strndup (words, space - words));
      g_hash_table_replace (table, words, GINT_TO_POINTER (abnormal));
    }
  return TRUE;
}

RelSummarizer *
rel_summarizer_new (GError **error)
{
  g_autoptr(RelSummarizer) self = g_object_new (REL_TYPE_SUMMARIZER, NULL);

  if (!load_words (self, self->dosage, "dosage.tsv", 1, error) ||
      !load_words (self, self->results, "lab-tests.tsv", 1, error) ||
      !load_words (self, self->abnormal, "result-cues.tsv", 2, error))
    return NULL;

  return g_steal_pointer (&self);
}

typedef struct
{
  guint start;
  guint end;
  guint first_token;
  guint last_token;  /* exclusive */
} Segment;

/* The lines of a section's content (after its title), trimmed of bullets. */
static GArray *
content_lines (RelTokens        *tokens,
               const RelSection *section)
{
  GArray *lines = g_array_new (FALSE, FALSE, sizeof (Segment));
  guint n = rel_tokens_get_n (tokens);
  guint content = section->title_end;

  for (guint i = rel_tokens_find (tokens, content); i < n; i++)
    {
      const RelToken *token = rel_tokens_get (tokens, i);

      if (token->start >= section->end)
        break;
      if (lines->len == 0 || (token->flags & REL_TOKEN_NEWLINE))
        {
          Segment line = { token->start, token->end, i, i + 1 };
          g_array_append_val (lines, line);
        }
      else
        {
          Segment *line = &g_array_index (lines, Segment, lines->len - 1);

          line->end = token->end;
          line->last_token = i + 1;
        }
    }

  /* Keep a closing parenthesis or a percent sign that ends the line. */
  for (guint l = 0; l < lines->len; l++)
    {
      Segment *line = &g_array_index (lines, Segment, l);
      const char *text = rel_tokens_get_text (tokens);

      /* "°" is two bytes: strchr() took either one alone, so the line could
       * end inside "µ" or "²" and the item be invalid UTF-8 (found by fuzzing). */
      while (text[line->end] != '\0' && text[line->end] != '\n' && line->end < section->end)
        {
          if (strchr (")%]", text[line->end]) != NULL)
            line->end++;
          else if (g_str_has_prefix (text + line->end, "°"))
            line->end += strlen ("°");
          else
            break;
        }
    }
  return lines;
}

static void
add_item (RelSummarySection *summary,
          const char        *text,
          guint              start,
          guint              end)
{
  RelSummaryItem *item;
  RelSpan span = { start, end };

  if (end <= start || summary->items->len >= MAX_ITEMS)
    return;
  item = rel_summary_item_new (text + start, end - start);
  g_strstrip (item->text);
  g_array_append_val (item->evidence, span);
  g_ptr_array_add (summary->items, item);
}

/* Splits a line at commas and semicolons when it is a list ("HTA, DT2, IRC"). */
static void
add_list_items (RelSummarySection *summary,
                RelTokens         *tokens,
                const Segment     *line)
{
  const char *text = rel_tokens_get_text (tokens);
  guint item_start = line->start;
  guint commas = 0;

  for (guint i = line->first_token + 1; i < line->last_token; i++)
    commas += (rel_tokens_get (tokens, i)->flags & (REL_TOKEN_COMMA | REL_TOKEN_SENTENCE)) != 0;

  if (commas < 2)
    {
      add_item (summary, text, line->start, line->end);
      return;
    }
  /* Not inside brackets: "BPCO GOLD 3 (VEMS 42 %, groupe E), HTA" has two
   * items, the first with its closing bracket. */
  for (guint i = line->first_token + 1, depth = 0; i < line->last_token; i++)
    {
      const RelToken *token = rel_tokens_get (tokens, i);
      guint gap = rel_tokens_get (tokens, i - 1)->end;
      guint separator = 0;

      for (guint b = gap; b < token->start; b++)
        {
          if (text[b] == '(' || text[b] == '[')
            depth++;
          else if ((text[b] == ')' || text[b] == ']') && depth > 0)
            depth--;
          else if (text[b] != '\0' && strchr (",;.:!?", text[b]) != NULL && depth == 0 &&
                   separator == 0)
            separator = b;
        }
      if ((token->flags & (REL_TOKEN_COMMA | REL_TOKEN_SENTENCE)) && separator > 0)
        {
          add_item (summary, text, item_start, separator);
          item_start = token->start;
        }
    }
  add_item (summary, text, item_start, line->end);
}

static gboolean
contains_phrase (RelSummarizer *self,
                 RelTokens     *tokens,
                 const Segment *segment,
                 GHashTable    *table,
                 gboolean      *value)
{
  g_autoptr(GString) phrase = g_string_new (NULL);
  gboolean found = FALSE;

  for (guint i = segment->first_token; i < segment->last_token; i++)
    {
      /* Longer expressions only from a word that opens one. */
      guint longest = g_hash_table_contains (self->openers, rel_tokens_get (tokens, i)->folded) ? 3 : 1;

      g_string_assign (phrase, rel_tokens_get (tokens, i)->folded);
      for (guint k = 0; k < longest && i + k < segment->last_token; k++)
        {
          gpointer stored;

          if (k > 0)
            {
              g_string_append_c (phrase, ' ');
              g_string_append (phrase, rel_tokens_get (tokens, i + k)->folded);
            }
          if (g_hash_table_lookup_extended (table, phrase->str, NULL, &stored))
            {
              if (value == NULL)
                return TRUE;
              found = TRUE;
              /* Abnormal wins over normal within one result line. */
              *value = *value || GPOINTER_TO_INT (stored);
            }
        }
    }
  return found;
}

static gboolean
is_medication_line (RelSummarizer *self,
                    RelTokens     *tokens,
                    const Segment *line)
{
  for (guint i = line->first_token; i + 1 < line->last_token; i++)
    {
      const RelToken *token = rel_tokens_get (tokens, i);

      if ((token->flags & REL_TOKEN_NUMBER) &&
          g_hash_table_contains (self->dosage, rel_tokens_get (tokens, i + 1)->folded))
        return TRUE;
    }
  return contains_phrase (self, tokens, line, self->dosage, NULL) &&
         line->last_token - line->first_token <= 12;
}

static RelSummarySection *
find_or_add (GPtrArray  *summary,
             const char *label)
{
  for (guint i = 0; i < summary->len; i++)
    {
      RelSummarySection *section = g_ptr_array_index (summary, i);

      if (g_str_equal (section->section, label))
        return section;
    }
  g_ptr_array_add (summary, rel_summary_section_new (label));
  return g_ptr_array_index (summary, summary->len - 1);
}

GPtrArray *
rel_summarizer_summarize (RelSummarizer *self,
                          RelTokens     *tokens,
                          GArray        *sections,
                          GPtrArray     *codes)
{
  static const char *order[] = {
    "motif", "antecedents", "traitement_entree", "examens_complementaires", "conclusion",
    "traitement_sortie", "suivi",
  };
  g_autoptr(GPtrArray) unordered = g_ptr_array_new_with_free_func (
    (GDestroyNotify) rel_summary_section_free);
  GPtrArray *summary = g_ptr_array_new_with_free_func ((GDestroyNotify) rel_summary_section_free);
  const char *text = rel_tokens_get_text (tokens);
  gboolean motif_done = FALSE;

  g_return_val_if_fail (REL_IS_SUMMARIZER (self), NULL);

  for (guint s = 0; s < sections->len; s++)
    {
      const RelSection *section = &g_array_index (sections, RelSection, s);
      g_autoptr(GArray) lines = content_lines (tokens, section);
      const char *label = section->label;

      if (g_str_equal (label, "motif") && !motif_done && lines->len > 0)
        {
          /* The motif in one line: its first sentence. */
          const Segment *first = &g_array_index (lines, Segment, 0);
          guint end = first->end;

          for (guint i = first->first_token + 1; i < first->last_token; i++)
            if (rel_tokens_get (tokens, i)->flags & REL_TOKEN_SENTENCE &&
                !(rel_tokens_get (tokens, i)->flags & REL_TOKEN_COMMA))
              {
                end = rel_tokens_get (tokens, i - 1)->end;
                break;
              }
          if (end - first->start > MAX_MOTIF_BYTES)
            end = rel_tokens_get (tokens, rel_tokens_find (tokens, first->start + MAX_MOTIF_BYTES))->start;
          add_item (find_or_add (unordered, "motif"), text, first->start, end);
          motif_done = TRUE;
        }
      else if (g_str_equal (label, "antecedents"))
        {
          for (guint l = 0; l < lines->len; l++)
            add_list_items (find_or_add (unordered, "antecedents"), tokens,
                            &g_array_index (lines, Segment, l));
        }
      else if (g_str_equal (label, "traitement_entree") || g_str_equal (label, "traitement_sortie"))
        {
          for (guint l = 0; l < lines->len; l++)
            {
              const Segment *line = &g_array_index (lines, Segment, l);

              if (is_medication_line (self, tokens, line))
                add_item (find_or_add (unordered, label), text, line->start, line->end);
            }
        }
      else if (g_str_equal (label, "examens_complementaires"))
        {
          for (guint l = 0; l < lines->len; l++)
            {
              const Segment *line = &g_array_index (lines, Segment, l);
              gboolean abnormal = FALSE;

              if (contains_phrase (self, tokens, line, self->results, NULL) &&
                  contains_phrase (self, tokens, line, self->abnormal, &abnormal) && abnormal)
                add_item (find_or_add (unordered, "examens_complementaires"), text,
                          line->start, line->end);
            }
        }
      else if (g_str_equal (label, "suivi"))
        {
          for (guint l = 0; l < lines->len; l++)
            {
              const Segment *line = &g_array_index (lines, Segment, l);

              add_item (find_or_add (unordered, "suivi"), text, line->start, line->end);
            }
        }
    }

  /* Diagnoses retained: the codes with a role, the DP first. */
  for (guint i = 0; i < codes->len; i++)
    {
      const RelCodeSuggestion *code = g_ptr_array_index (codes, i);
      RelSummarySection *conclusion;
      RelSummaryItem *item;

      if (code->role == NULL)
        continue;
      conclusion = find_or_add (unordered, "conclusion");
      if (conclusion->items->len >= MAX_ITEMS)
        break;
      item = rel_summary_item_new (code->label, -1);
      g_array_append_vals (item->evidence, code->evidence->data, code->evidence->len);
      g_ptr_array_add (conclusion->items, item);
    }

  for (guint o = 0; o < G_N_ELEMENTS (order); o++)
    {
      for (guint i = 0; i < unordered->len; i++)
        {
          RelSummarySection *section = g_ptr_array_index (unordered, i);

          if (g_str_equal (section->section, order[o]) && section->items->len > 0)
            g_ptr_array_add (summary, g_ptr_array_steal_index (unordered, i--));
        }
    }

  return summary;
}
