/* SPDX-License-Identifier: GPL-3.0-or-later */
/* rel-pseudonymizer.c: identifying data by pattern (dates, phones, NIR,
 * addresses) and by context (names after a title, in a header field, in
 * capitals beside a first name), and its replacement. */
#define G_LOG_DOMAIN "rel-pseudonymizer"

#include "config.h"

#include <stdio.h>

#include "rel-lexicon.h"
#include "rel-pseudonymizer.h"
#include "rel-text.h"
#include "rel-tokens.h"

/* The French word list of Debian's wfrench package: a capitalised word that
 * is an ordinary French word is not taken for a name without context. */
#define DICTIONARY_PATH "/usr/share/dict/french"
/* How many words after a title or a field may belong to the name, and how
 * many are looked at for them (particles and titles between). */
#define MAX_NAME_WORDS 4
#define MAX_NAME_LOOK (4 * MAX_NAME_WORDS)

/* The patterns that are costly to run over a whole text are run only around
 * the words that can start them. */
/* How far an e-mail address may reach before and after its '@', in bytes. */
#define MAIL_BEFORE 64
#define MAIL_AFTER 255
/* Folded bytes of a word found once as a name or city, at least, for its
 * other occurrences to be taken too. */
#define MIN_PROPAGATED 4
/* How many words a city's name may have: "Saint-Maur-des-Fossés" has four. */
#define MAX_CITY_WORDS 6

typedef enum
{
  TRIGGER_HOSPITAL = 1 << 0,
  TRIGGER_STREET = 1 << 1,
  TRIGGER_FIELD = 1 << 2,
  TRIGGER_MONTH = 1 << 3,
  TRIGGER_MONTH_IN_WORDS = 1 << 4, /* a month after a number written out */
  TRIGGER_EXTENSION = 1 << 5,
  TRIGGER_STREET_SUFFIX = 1 << 6, /* a way whose number follows: "Lindenstraße 4" */
  TRIGGER_ANY = TRIGGER_HOSPITAL | TRIGGER_STREET | TRIGGER_FIELD | TRIGGER_MONTH |
                TRIGGER_MONTH_IN_WORDS | TRIGGER_EXTENSION | TRIGGER_STREET_SUFFIX,
} Trigger;

/* The kinds of cue a word may end, looked up once per word of a report. */
typedef enum
{
  CUE_TITLE = 1 << 0,
  CUE_NAME_FIELD = 1 << 1,
  CUE_RELATIVE = 1 << 2,
  CUE_CITY = 1 << 3,
  CUE_BIRTH = 1 << 4,
} CueKind;

typedef enum
{
  PRIORITY_NAME = 1,
  PRIORITY_PLACE = 2,
  PRIORITY_PATTERN = 3,
} Priority;

typedef struct
{
  guint       start;
  guint       end;
  const char *label;     /* a literal; interned once it becomes a RelPhi */
  Priority    priority;
} Candidate;

struct _RelPseudonymizer
{
  GObject     parent_instance;

  GHashTable *first_names;    /* folded */
  GHashTable *not_names;      /* folded */
  GHashTable *dictionary;     /* folded ordinary French words */
  GHashTable *abbreviations;  /* medical abbreviations as written: "HTA" */
  GHashTable *cues;           /* kind → GPtrArray of GStrv (folded words) */
  GHashTable *cues_by_last;   /* kind → (last word → GPtrArray of GStrv) */
  /* The cues by last word of the kinds asked at every word, from cues_by_last. */
  GHashTable *titles;
  GHashTable *name_fields;
  GHashTable *relatives;
  GHashTable *city_cues;
  GHashTable *birth_cues;
  GHashTable *cue_kinds;      /* last word of a cue → CueKind bits */
  GHashTable *surrogates;     /* kind → GPtrArray of char* */

  GRegex     *mail;
  GRegex     *spaced_digits;
  GRegex     *nir;
  GRegex     *phone;
  GRegex     *date_numeric;
  GRegex     *date_text;
  GRegex     *identifier;
  GRegex     *zip_city;
  GRegex     *address;
  GRegex     *address_after;
  GRegex     *post_box;       /* "BP 1005", "CS 90123" */  /* number after the way: "Lindenstraße 4, 10115 Berlin" */
  GRegex     *hospital;
  GRegex     *extension;
  GRegex     *digit_run;
  GRegex     *year;
  GRegex     *date_words;
  GHashTable *units;        /* as written: "mg", "UI" */
  GHashTable *number_words; /* folded words of the numbers written out: "vingt", "et" */
  GHashTable *cities;       /* folded */
  GHashTable *hospital_names; /* folded: "bichat", "la timone" */
  GHashTable *hospital_tails; /* by last word: "university hospital" */
  GPtrArray  *street_suffixes; /* folded ends of words: "strasse" */
  GHashTable *triggers;     /* folded word → Trigger bits: where a costly pattern may start */
};

G_DEFINE_FINAL_TYPE (RelPseudonymizer, rel_pseudonymizer, G_TYPE_OBJECT)

static void
rel_pseudonymizer_finalize (GObject *object)
{
  RelPseudonymizer *self = (RelPseudonymizer *) object;

  g_clear_pointer (&self->first_names, g_hash_table_unref);
  g_clear_pointer (&self->not_names, g_hash_table_unref);
  g_clear_pointer (&self->dictionary, g_hash_table_unref);
  g_clear_pointer (&self->abbreviations, g_hash_table_unref);
  g_clear_pointer (&self->cues_by_last, g_hash_table_unref);
  g_clear_pointer (&self->cues, g_hash_table_unref);
  g_clear_pointer (&self->surrogates, g_hash_table_unref);
  g_clear_pointer (&self->mail, g_regex_unref);
  g_clear_pointer (&self->spaced_digits, g_regex_unref);
  g_clear_pointer (&self->nir, g_regex_unref);
  g_clear_pointer (&self->phone, g_regex_unref);
  g_clear_pointer (&self->date_numeric, g_regex_unref);
  g_clear_pointer (&self->date_text, g_regex_unref);
  g_clear_pointer (&self->identifier, g_regex_unref);
  g_clear_pointer (&self->zip_city, g_regex_unref);
  g_clear_pointer (&self->address, g_regex_unref);
  g_clear_pointer (&self->address_after, g_regex_unref);
  g_clear_pointer (&self->post_box, g_regex_unref);
  g_clear_pointer (&self->hospital, g_regex_unref);
  g_clear_pointer (&self->extension, g_regex_unref);
  g_clear_pointer (&self->digit_run, g_regex_unref);
  g_clear_pointer (&self->year, g_regex_unref);
  g_clear_pointer (&self->date_words, g_regex_unref);
  g_clear_pointer (&self->units, g_hash_table_unref);
  g_clear_pointer (&self->number_words, g_hash_table_unref);
  g_clear_pointer (&self->cities, g_hash_table_unref);
  g_clear_pointer (&self->hospital_names, g_hash_table_unref);
  g_clear_pointer (&self->street_suffixes, g_ptr_array_unref);
  g_clear_pointer (&self->triggers, g_hash_table_unref);
  g_clear_pointer (&self->cue_kinds, g_hash_table_unref);

  G_OBJECT_CLASS (rel_pseudonymizer_parent_class)->finalize (object);
}

static void
rel_pseudonymizer_class_init (RelPseudonymizerClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = rel_pseudonymizer_finalize;
}

static void
rel_pseudonymizer_init (RelPseudonymizer *self)
{
  self->first_names = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->not_names = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->dictionary = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->abbreviations = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->cues = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                      (GDestroyNotify) g_ptr_array_unref);
  self->cues_by_last = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                              (GDestroyNotify) g_hash_table_unref);
  self->surrogates = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                            (GDestroyNotify) g_ptr_array_unref);
  self->units = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->number_words = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->cities = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->hospital_names = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->street_suffixes = g_ptr_array_new_with_free_func (g_free);
  self->triggers = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->cue_kinds = g_hash_table_new (g_str_hash, g_str_equal);
}

static void
add_cue_kinds (GHashTable *kinds,
               GHashTable *by_last,
               CueKind     kind)
{
  GHashTableIter iter;
  gpointer word;

  if (by_last == NULL)
    return;
  g_hash_table_iter_init (&iter, by_last);
  while (g_hash_table_iter_next (&iter, &word, NULL))
    g_hash_table_insert (kinds, word,
                         GUINT_TO_POINTER (GPOINTER_TO_UINT (g_hash_table_lookup (kinds, word)) | kind));
}

static GPtrArray *
kind_list (GHashTable            *table,
           const char            *kind,
           GDestroyNotify         free_func)
{
  GPtrArray *list = g_hash_table_lookup (table, kind);

  if (list == NULL)
    {
      list = g_ptr_array_new_with_free_func (free_func);
      g_hash_table_insert (table, g_strdup (kind), list);
    }
  return list;
}

/* An alternation of the expressions of @kind for a regular expression,
 * longest first, with the accents left out as the text may lack them. */
static char *
alternation (GHashTable *raw,
             const char *kind)
{
  GPtrArray *list = g_hash_table_lookup (raw, kind);
  g_autoptr(GString) out = g_string_new (NULL);

  if (list == NULL || list->len == 0)
    return g_strdup ("(?!)");
  for (guint i = 0; i < list->len; i++)
    {
      g_autofree char *escaped = g_regex_escape_string (list->pdata[i], -1);

      if (out->len > 0)
        g_string_append_c (out, '|');
      g_string_append (out, escaped);
    }
  return g_string_free (g_steal_pointer (&out), FALSE);
}

static int
compare_longest_first (gconstpointer a,
                       gconstpointer b)
{
  return (int) strlen (*(char * const *) b) - (int) strlen (*(char * const *) a);
}

RelPseudonymizer *
rel_pseudonymizer_new (RelTerminology  *terminology,
                       GError         **error)
{
  g_autoptr(RelPseudonymizer) self = g_object_new (REL_TYPE_PSEUDONYMIZER, NULL);
  g_autoptr(GPtrArray) cues = NULL;
  g_autoptr(GPtrArray) surrogates = NULL;
  g_autoptr(GHashTable) raw = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                                     (GDestroyNotify) g_ptr_array_unref);
  g_autofree char *months = NULL, *streets = NULL, *ids = NULL, *hospitals = NULL;
  g_autofree char *pattern = NULL;
  g_autofree char *dictionary = NULL;
  gsize dictionary_length = 0;

  if (!rel_lexicon_load_words ("first-names.txt", self->first_names, error) ||
      !rel_lexicon_load_words ("not-names.txt", self->not_names, error))
    return NULL;

  cues = rel_lexicon_load ("pseudo-cues.tsv", 2, error);
  if (cues == NULL)
    return NULL;
  for (guint i = 0; i < cues->len; i++)
    {
      char **fields = g_ptr_array_index (cues, i);

      char **words = rel_tokens_split (fields[0]);
      guint n_words = g_strv_length (words);

      g_ptr_array_add (kind_list (self->cues, fields[1], (GDestroyNotify) g_strfreev), words);
      if (n_words > 0)
        {
          GHashTable *by_last = g_hash_table_lookup (self->cues_by_last, fields[1]);
          GPtrArray *bucket;

          if (by_last == NULL)
            {
              by_last = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                               (GDestroyNotify) g_ptr_array_unref);
              g_hash_table_insert (self->cues_by_last, g_strdup (fields[1]), by_last);
            }
          bucket = g_hash_table_lookup (by_last, words[n_words - 1]);
          if (bucket == NULL)
            {
              bucket = g_ptr_array_new ();
              g_hash_table_insert (by_last, words[n_words - 1], bucket);
            }
          g_ptr_array_add (bucket, words);
        }
      if (g_str_equal (fields[1], "unit"))
        g_hash_table_add (self->units, g_strdup (fields[0]));
      for (guint k = 0; k < n_words && g_str_equal (fields[1], "number"); k++)
        g_hash_table_add (self->number_words, g_strdup (words[k]));
      if (g_str_equal (fields[1], "city"))
        g_hash_table_add (self->cities, g_strjoinv (" ", words));
      if (g_str_equal (fields[1], "hospital_name"))
        g_hash_table_add (self->hospital_names, g_strjoinv (" ", words));
      if (g_str_equal (fields[1], "street_suffix") && n_words == 1)
        g_ptr_array_add (self->street_suffixes, g_strdup (words[0]));
      if (n_words > 0)
        {
          Trigger bit = g_str_equal (fields[1], "hospital") ? TRIGGER_HOSPITAL
                        : g_str_equal (fields[1], "street") ? TRIGGER_STREET
                        : g_str_equal (fields[1], "ipp_field") ? TRIGGER_FIELD
                        : g_str_equal (fields[1], "nda_field") ? TRIGGER_FIELD
                        : g_str_equal (fields[1], "month") ? TRIGGER_MONTH
                        : g_str_equal (fields[1], "extension") ? TRIGGER_EXTENSION : 0;
          /* Hospitals and fields start with their first word; streets and
           * months are found in the middle of their pattern. */
          const char *word = bit == TRIGGER_STREET || bit == TRIGGER_MONTH ? words[n_words - 1]
                                                                           : words[0];

          if (bit != 0)
            g_hash_table_insert (self->triggers, g_strdup (word),
                                 GUINT_TO_POINTER (GPOINTER_TO_UINT (
                                   g_hash_table_lookup (self->triggers, word)) | bit));
        }
      g_ptr_array_add (kind_list (raw, fields[1], g_free), g_strdup (fields[0]));
    }
  {
    GHashTableIter iter;
    gpointer value;

    g_hash_table_iter_init (&iter, raw);
    while (g_hash_table_iter_next (&iter, NULL, &value))
      g_ptr_array_sort (value, compare_longest_first);
  }

  surrogates = rel_lexicon_load ("surrogates.tsv", 2, error);
  if (surrogates == NULL)
    return NULL;
  for (guint i = 0; i < surrogates->len; i++)
    {
      char **fields = g_ptr_array_index (surrogates, i);

      g_ptr_array_add (kind_list (self->surrogates, fields[0], g_free), g_strdup (fields[1]));
    }

  /* Optional: without the word list, context rules still find names. */
  if (g_file_get_contents (DICTIONARY_PATH, &dictionary, &dictionary_length, NULL))
    {
      /* memchr, not strstr: the list is 4 MB and read line by line. */
      const char *end = dictionary + dictionary_length;

      for (const char *line = dictionary; line < end; )
        {
          const char *newline = memchr (line, '\n', end - line);
          gsize length = (newline != NULL ? newline : end) - line;

          if (length > 0)
            g_hash_table_add (self->dictionary, rel_tokens_fold_word (line, length));
          line += length + 1;
        }
    }

  if (terminology != NULL)
    {
      GPtrArray *synonyms = rel_terminology_get_synonyms (terminology);

      for (guint i = 0; i < synonyms->len; i++)
        {
          const RelSynonym *synonym = g_ptr_array_index (synonyms, i);

          if (synonym->kind != REL_SYNONYM_TERM)
            g_hash_table_add (self->abbreviations, g_strdup (synonym->expression));
        }
    }

  self->titles = g_hash_table_lookup (self->cues_by_last, "title");
  self->name_fields = g_hash_table_lookup (self->cues_by_last, "name_field");
  self->relatives = g_hash_table_lookup (self->cues_by_last, "relative");
  self->city_cues = g_hash_table_lookup (self->cues_by_last, "city_cue");
  self->birth_cues = g_hash_table_lookup (self->cues_by_last, "birth");
  self->hospital_tails = g_hash_table_lookup (self->cues_by_last, "hospital_tail");
  add_cue_kinds (self->cue_kinds, self->titles, CUE_TITLE);
  add_cue_kinds (self->cue_kinds, self->name_fields, CUE_NAME_FIELD);
  add_cue_kinds (self->cue_kinds, self->relatives, CUE_RELATIVE);
  add_cue_kinds (self->cue_kinds, self->city_cues, CUE_CITY);
  add_cue_kinds (self->cue_kinds, self->birth_cues, CUE_BIRTH);
  months = alternation (raw, "month");
  streets = alternation (raw, "street");
  hospitals = alternation (raw, "hospital");
  {
    g_autofree char *ipp = alternation (raw, "ipp_field");
    g_autofree char *nda = alternation (raw, "nda_field");

    ids = g_strdup_printf ("(?<ipp>%s)|(?<nda>%s)", ipp, nda);
  }

#define COMPILE(field, source, flags) \
  G_STMT_START { \
    self->field = g_regex_new ((source), G_REGEX_OPTIMIZE | (flags), 0, error); \
    if (self->field == NULL) \
      return NULL; \
  } G_STMT_END

  /* Digits are written [0-9]: with \d, which follows Unicode, PCRE cannot
   * skip to the bytes where a match may start and tries every character. */
  /* "secrétariat.onco@…": accents before the '@' too. */
  COMPILE (mail, "[\\p{L}0-9._%+\\-]+ ?@ ?[A-Za-z0-9\\-]+(?: ?\\. ?[A-Za-z0-9\\-]+)*", 0);
  /* Any run of five digits or more, whatever separates them ("01.42.15.93.30",
   * "( 2 2 ) 0 6 1 6", "O1.42"): identifiers, phones and dates in disguise. */
  COMPILE (digit_run, "(?<![0-9])(?<![0-9],)(?:\\+ ?)?(?:\\((?: ?[0-9])+ ?\\) ?)?"
                      "[0-9O](?:(?:[ .\\-/|]| [.\\-] )?[0-9O]){4,}(?![0-9]|,[0-9])", 0);
  COMPILE (year, "(?<![0-9\\w,.])(?:19|20)[0-9][0-9](?![0-9,.][0-9]|\\w)", 0);
  /* "2 9 0 6 2 0 1 5", "1 8 0 0 3 7 6 7 5 5 6 0 8": digits one by one. The
   * lookbehind comes after two digits: most digits fail before it. */
  COMPILE (spaced_digits, "[0-9] [0-9](?<![0-9\\w][0-9] [0-9])(?: [0-9]){6,13}(?![0-9\\w])", 0);
  COMPILE (nir, "(?<![0-9\\w])[12][ .]?[0-9][0-9][ .]?(?:0[1-9]|1[0-2]|[2-9][0-9])[ .]?(?:[0-9][0-9]|2[AB])"
                "[ .]?[0-9]{3}[ .]?[0-9]{3}(?:[ .]?[0-9][0-9])?(?![0-9\\w])", 0);
  COMPILE (phone, "(?<![0-9\\w])(?:(?:\\+|00) ?[0-9]{2,3}[ .]?(?:\\(0\\)[ .]?)?|\\(\\+?[0-9]{1,3}\\)[ .]?)?"
                  "0?[1-9](?:[ .\\-]?[0-9][0-9]){4}(?![0-9\\w])", 0);
  COMPILE (date_numeric, "(?<![0-9\\w])(?:(?:0?[1-9]|[12][0-9]|3[01])([/.\\-| ])(?:0?[1-9]|1[0-2])\\1"
                         "(?:[0-9]{4}|[0-9][0-9])|[0-9]{4}-[0-9][0-9]-[0-9][0-9]|"
                         "(?:0?[1-9]|1[0-2])[/ ][0-9]{4})(?![0-9\\w])", 0);
  pattern = g_strdup_printf ("(?<![\\w])(?:(?:1er|0?[1-9]|[12][0-9]|3[01]),?[ \\x{a0}]*(?:%s)"
                             "(?:,?[ \\x{a0}]+[0-9]{4}|[ \\x{a0}]+[0-9][0-9](?![0-9]))?|(?:%s)[ \\x{a0}]*"
                             "(?:[0-9][0-9]?,? ?)?[0-9]{4})(?![\\w])", months, months);
  COMPILE (date_text, pattern, G_REGEX_CASELESS);
  g_free (pattern);
  {
    g_autofree char *numbers = alternation (raw, "number");

    /* "vingt-quatre août deux mille dix-sept" */
    pattern = g_strdup_printf ("(?<![\\w])(?:(?:%s)[ \\-]+)+(?:%s)(?:[ \\-]+(?:%s))*(?![\\w])",
                               numbers, months, numbers);
  }
  COMPILE (date_words, pattern, G_REGEX_CASELESS);
  g_free (pattern);
  pattern = g_strdup_printf ("(?:%s)\\s*(?:n°|no|num[ée]ro)?\\s*[:=]?\\s*"
                             "(?<value>[A-Z]{0,3}[0-9][0-9A-Z]{3,}(?:[\\-/][0-9A-Z]+)*)", ids);
  COMPILE (identifier, pattern, G_REGEX_CASELESS | G_REGEX_ANCHORED);
  g_free (pattern);
  /* The city stops before an establishment ("33600 Pessac CHU Pellegrin")
   * and keeps its CEDEX and district ("75014 PARIS CEDEX 14"). */
  pattern = g_strdup_printf ("(?<![0-9\\w])(?<zip>(?:0[1-9]|[1-8][0-9]|9[0-8]) ?[0-9]{3}|2[AB] ?[0-9]{3})"
                             ",?[ \\x{a0}]+"
                             "(?<city>\\p{Lu}[\\p{L}'\\-]+(?:[ \\-](?!(?:%s)(?![\\p{L}\\-]))"
                             "(?:\\p{Lu}[\\p{L}'\\-]+|sur|sous|en|de|"
                             "du|la|le|les|d'|SUR|SOUS|EN|DE|DU|LA|LE|LES))*"
                             "(?:(?<=CEDEX|Cedex|cedex)[ \\x{a0}][0-9]{1,3}(?![0-9]))?)", hospitals);
  COMPILE (zip_city, pattern, 0);
  g_free (pattern);
  {
    g_autofree char *numbers = alternation (raw, "number");
    g_autofree char *units = alternation (raw, "address_unit");

    /* The flat or building after the street is part of the address:
     * "170 rue du Calvaire, appt 283", "12 av. Foch bât. B". */
    pattern = g_strdup_printf ("(?<![0-9])(?:[0-9]{1,4}|(?<![\\w])(?:%s))(?: ?(?:bis|ter|[ABab]))?,? +"
                               "(?:%s)\\.? +(?:[^\\n,;()|.]|\\.(?=\\p{Ll})){2,60}?"
                               "(?:,? +(?:%s)\\.? *(?:n° ?)?[0-9A-Z][0-9A-Za-z\\-]{0,5}(?![\\w]))*"
                               "(?=,|[ \\x{a0}]+(?:[0-9]{5}|[0-9][0-9] [0-9]{3}|2[AB] ?[0-9]{3})"
                               "|\\n|$|\\.(?!\\p{Ll})|;|\\||\\(| - )",
                               numbers, streets, units);
  }
  COMPILE (address, pattern, G_REGEX_CASELESS);
  g_free (pattern);
  {
    g_autofree char *suffixes = alternation (raw, "street_suffix");

    /* German and Dutch write the number after the way, and the postcode
     * may have four digits: "Lindenstraße 4, 1010 Wien". */
    pattern = g_strdup_printf ("(?<address>(?=\\p{Lu})[\\p{L}\\-]*?(?i:%s)\\.?"
                               "(?: (?:\\p{L}+|[0-9]{1,2}\\.)){0,4} [0-9]{1,4}[a-z]?)(?![\\w])"
                               "(?:, ?(?<zip>[0-9]{4,5}) (?<city>\\p{Lu}\\p{L}+))?", suffixes);
  }
  COMPILE (address_after, pattern, G_REGEX_ANCHORED);
  g_free (pattern);
  /* A post office box or a CEDEX sorting number stands for the street. */
  COMPILE (post_box, "(?<![\\w.])(?:(?:BP|B\\.P\\.|[Bb]o[iî]te postale) ?(?:n° ?)?[0-9]{2,6}|"
                     "(?:CS|TSA) ?[0-9]{5})(?![0-9]| ?(?:mm|%|/))", 0);
  pattern = g_strdup_printf ("(?<![\\w])(?i:%s)(?:[ \\-]+\\p{Ll}{4,}(?=[ \\-]+\\p{Lu}))?"
                             "(?:[ \\-]+(?:(?:de|du|des|la|le|les) |d'|l')*"
                             "(?:\\p{Lu}[\\p{L}'\\-]+|Saint|Sainte))+", hospitals);
  COMPILE (hospital, pattern, G_REGEX_ANCHORED);
  g_free (pattern);
  {
    g_autofree char *extensions = alternation (raw, "extension");

    /* "poste 1234", "ext. 56" */
    pattern = g_strdup_printf ("(?:%s)\\.?[ \\x{a0}]*:?[ \\x{a0}]*(?<digits>[0-9]{2,5})(?![0-9])",
                               extensions);
  }
  COMPILE (extension, pattern, G_REGEX_CASELESS | G_REGEX_ANCHORED);

#undef COMPILE

  return g_steal_pointer (&self);
}

static void
add (GArray     *candidates,
     guint       start,
     guint       end,
     const char *label,
     Priority    priority)
{
  Candidate candidate = { start, end, label, priority };

  if (end > start)
    g_array_append_val (candidates, candidate);
}

/* The digits of @text between @start and @end, nothing else. */
static char *
digits_of (const char *text,
           guint       start,
           guint       end)
{
  GString *digits = g_string_new (NULL);

  for (guint i = start; i < end; i++)
    if (g_ascii_isdigit (text[i]) || text[i] == 'A' || text[i] == 'B')
      g_string_append_c (digits, text[i]);
  return g_string_free (digits, FALSE);
}

/* The NIR key: 97 minus the number modulo 97 (Corsica: 2A → 19, 2B → 18). */
static gboolean
nir_key_valid (const char *digits)
{
  g_autofree char *number = g_strndup (digits, 13);
  guint64 value;

  if (strlen (digits) != 15)
    return FALSE;
  if (number[5] == 'A' || number[5] == 'B')
    {
      gboolean a = number[5] == 'A';

      number[5] = '0';
      value = g_ascii_strtoull (number, NULL, 10) - (a ? 1000000 : 2000000);
    }
  else
    value = g_ascii_strtoull (number, NULL, 10);
  return 97 - value % 97 == g_ascii_strtoull (digits + 13, NULL, 10);
}

static gboolean
valid_compact_date (const char *digits)
{
  int day = (digits[0] - '0') * 10 + digits[1] - '0';
  int month = (digits[2] - '0') * 10 + digits[3] - '0';

  return day >= 1 && day <= 31 && month >= 1 && month <= 12;
}

/* What a run of digits between @start and @end is, by its length. */
static const char *
digit_run_label (const char *text,
                 guint       start,
                 guint       end,
                 Priority   *priority)
{
  g_autofree char *digits = digits_of (text, start, end);
  gsize n = strlen (digits);

  *priority = PRIORITY_PATTERN + 1;
  /* A long run holds more than the dates a shorter pattern sees in it. */
  if (n >= 13 && (digits[0] == '1' || digits[0] == '2'))
    return "NIR";
  if (n == 10 || (n >= 9 && text[start] == '+') || (n >= 9 && text[start] == '('))
    return "TEL";
  *priority = PRIORITY_NAME;
  if (n == 5)
    return "ZIP";
  if (n == 8 && valid_compact_date (digits))
    return "DATE";
  if (n >= 9)
    *priority = PRIORITY_PATTERN + 1;
  return "IPP";
}

/* Frees the previous match state and starts @regex over @text. */
static GMatchInfo *
first_match (GRegex     *regex,
             const char *text,
             gsize       length,
             GMatchInfo *previous)
{
  GMatchInfo *info = NULL;

  if (previous != NULL)
    g_match_info_free (previous);
  g_regex_match_full (regex, text, length, 0, 0, &info, NULL);
  return info;
}

static gboolean
is_mixed (const char *word)
{
  gboolean digit = FALSE, alpha = FALSE;

  for (const char *p = word; *p != '\0'; p++)
    {
      digit |= g_ascii_isdigit (*p);
      alpha |= g_ascii_isalpha (*p);
    }
  return digit && alpha;
}

typedef void (*MatchFunc) (GMatchInfo *info,
                           GArray     *candidates);

/* A word that may start or hold a costly pattern, and which ones. */
typedef struct
{
  guint  token;
  guint8 bits;  /* Trigger */
} TriggerWord;

static gboolean is_capitalised (const char     *text,
                                const RelToken *token);

/* The words carrying Trigger bits, in order, looked up once for all the
 * patterns. A word glued to digits ("dec1993", "IPPN1123") may hide any
 * trigger. */
static GArray *
find_triggers (RelPseudonymizer *self,
               RelTokens        *tokens)
{
  guint n = rel_tokens_get_n (tokens);
  GArray *words = g_array_new (FALSE, FALSE, sizeof (TriggerWord));
  g_autofree gpointer *bits = rel_tokens_lookup_words (tokens, self->triggers);

  g_autofree guint8 *suffix_known = g_new0 (guint8, rel_tokens_get_n_words (tokens) + 1);
  const char *text = rel_tokens_get_text (tokens);

  for (guint w = 0; w < rel_tokens_get_n_words (tokens); w++)
    if (is_mixed (rel_tokens_get_word (tokens, w)))
      bits[w] = GUINT_TO_POINTER (TRIGGER_ANY);

  for (guint i = 0; i < n; i++)
    {
      const RelToken *token = rel_tokens_get (tokens, i);
      TriggerWord word = { i, 0 };
      gboolean number_before = FALSE;

      /* A way named with its number after ("Lindenstraße 4") is written with
       * a capital: only those words are looked at, once each. */
      if (!suffix_known[token->word] && is_capitalised (text, token))
        {
          gsize length = strlen (token->folded);

          suffix_known[token->word] = TRUE;
          for (guint k = 0; k < self->street_suffixes->len; k++)
            {
              const char *suffix = g_ptr_array_index (self->street_suffixes, k);
              gsize size = strlen (suffix);

              if (length >= size && memcmp (token->folded + length - size, suffix, size) == 0)
                bits[token->word] = GUINT_TO_POINTER (GPOINTER_TO_UINT (bits[token->word]) |
                                                      TRIGGER_STREET_SUFFIX);
            }
        }
      word.bits = GPOINTER_TO_UINT (bits[token->word]);

      if (word.bits == 0)
        continue;
      if ((word.bits & TRIGGER_MONTH) && i > 0 &&
          g_hash_table_contains (self->number_words, rel_tokens_get (tokens, i - 1)->folded))
        word.bits |= TRIGGER_MONTH_IN_WORDS;
      /* A street type follows its number ("12 bis, rue", "trois place"):
       * "au cours de", "mis en place" start no address. */
      if ((word.bits & TRIGGER_STREET) && word.bits != TRIGGER_ANY)
        {
          for (guint j = i > 4 ? i - 4 : 0; j < i && !number_before; j++)
            {
              const char *before = rel_tokens_get (tokens, j)->folded;

              number_before = g_ascii_isdigit (before[0]) ||
                              g_hash_table_contains (self->number_words, before);
            }
          if (!number_before)
            word.bits &= ~TRIGGER_STREET;
        }
      g_array_append_val (words, word);
    }
  return words;
}

/* Where the patterns run: the text up to a little after its last word. */
static gsize
searched_length (RelTokens *tokens)
{
  const char *text = rel_tokens_get_text (tokens);
  guint n = rel_tokens_get_n (tokens);
  gsize last_end = n > 0 ? rel_tokens_get (tokens, n - 1)->end : 0;
  gsize length = last_end;

  while (text[length] != '\0' && length < last_end + 8)
    length++;
  return length;
}

/* Runs @regex only in windows around the words carrying @bit in @triggers,
 * from @back bytes before to @ahead bytes after them (windows that touch are
 * merged). The pattern's lookbehinds still see the text before a window. */
static void
match_around (GRegex           *regex,
              RelTokens        *tokens,
              GArray           *triggers,
              Trigger           bit,
              guint             back,
              guint             ahead,
              MatchFunc         func,
              GArray           *candidates)
{
  const char *text = rel_tokens_get_text (tokens);
  gsize length = searched_length (tokens);
  gssize window_start = -1, window_end = -1;

  for (guint k = 0; k <= triggers->len; k++)
    {
      gssize start = -1, end = -1;

      if (k < triggers->len)
        {
          const TriggerWord *word = &g_array_index (triggers, TriggerWord, k);
          const RelToken *token;

          if (!(word->bits & bit))
            continue;
          token = rel_tokens_get (tokens, word->token);
          start = token->start > back ? token->start - back : 0;
          end = MIN (length, (gsize) token->end + ahead);
        }

      /* Flush the current window when the next one does not touch it. */
      if (window_start >= 0 && (k == triggers->len || start > window_end))
        {
          g_autoptr(GMatchInfo) info = NULL;

          g_regex_match_full (regex, text, window_end, window_start, 0, &info, NULL);
          for (; g_match_info_matches (info); g_match_info_next (info, NULL))
            func (info, candidates);
          window_start = -1;
        }
      if (k == triggers->len)
        break;
      if (window_start < 0)
        {
          window_start = start;
          window_end = end;
        }
      else
        window_end = MAX (window_end, end);
    }
}

/* Runs @regex, compiled anchored because its matches start with a trigger
 * word, at each word carrying @bit, on at most @ahead bytes after it. */
static void
match_at (GRegex    *regex,
          RelTokens *tokens,
          GArray    *triggers,
          Trigger    bit,
          guint      ahead,
          MatchFunc  func,
          GArray    *candidates)
{
  const char *text = rel_tokens_get_text (tokens);
  gsize length = searched_length (tokens);
  int resume = 0;

  for (guint k = 0; k < triggers->len; k++)
    {
      const TriggerWord *word = &g_array_index (triggers, TriggerWord, k);
      const RelToken *token = rel_tokens_get (tokens, word->token);
      g_autoptr(GMatchInfo) info = NULL;
      int start, end;

      if (!(word->bits & bit) || (int) token->start < resume)
        continue;
      if (g_regex_match_full (regex, text, MIN (length, (gsize) token->end + ahead), token->start,
                              0, &info, NULL))
        {
          func (info, candidates);
          g_match_info_fetch_pos (info, 0, &start, &end);
          resume = end;
        }
    }
}

static void
on_date (GMatchInfo *info,
         GArray     *candidates)
{
  int start, end;

  g_match_info_fetch_pos (info, 0, &start, &end);
  add (candidates, start, end, "DATE", PRIORITY_PATTERN);
}

static void
on_identifier (GMatchInfo *info,
               GArray     *candidates)
{
  g_autofree char *ipp = g_match_info_fetch_named (info, "ipp");
  int start, end;

  g_match_info_fetch_named_pos (info, "value", &start, &end);
  add (candidates, start, end, ipp != NULL && *ipp != '\0' ? "IPP" : "NDA", PRIORITY_PATTERN + 2);
}

static void
on_extension (GMatchInfo *info,
              GArray     *candidates)
{
  int start, end;

  g_match_info_fetch_named_pos (info, "digits", &start, &end);
  add (candidates, start, end, "TEL", PRIORITY_PATTERN);
}

static void
on_address (GMatchInfo *info,
            GArray     *candidates)
{
  int start, end;

  g_match_info_fetch_pos (info, 0, &start, &end);
  add (candidates, start, end, "ADRESSE", PRIORITY_PLACE);
}

static void
on_address_after (GMatchInfo *info,
                  GArray     *candidates)
{
  int start, end;

  g_match_info_fetch_named_pos (info, "address", &start, &end);
  add (candidates, start, end, "ADRESSE", PRIORITY_PLACE);
  if (g_match_info_fetch_named_pos (info, "zip", &start, &end) && start >= 0)
    {
      add (candidates, start, end, "ZIP", PRIORITY_PATTERN);
      g_match_info_fetch_named_pos (info, "city", &start, &end);
      add (candidates, start, end, "VILLE", PRIORITY_PLACE);
    }
}

static int
compare_candidate_ends (gconstpointer a,
                        gconstpointer b)
{
  const Candidate *ca = *(const Candidate * const *) a, *cb = *(const Candidate * const *) b;

  return ca->end < cb->end ? -1 : ca->end > cb->end;
}

/* "… 1 1 0 1 9 8 5 42 avenue du Général de Gaulle": digits read one by one
 * run into the number of the street after them; that number belongs to the
 * address, and the run ends before it. */
static void
yield_street_numbers (const char *text,
                      GArray     *candidates)
{
  g_autoptr(GPtrArray) by_end = g_ptr_array_sized_new (candidates->len);

  /* The candidates ending inside an address are found by their end: every
   * address against every candidate was quadratic in a long report. */
  for (guint c = 0; c < candidates->len; c++)
    g_ptr_array_add (by_end, &g_array_index (candidates, Candidate, c));
  g_ptr_array_sort (by_end, compare_candidate_ends);

  for (guint a = 0; a < candidates->len; a++)
    {
      const Candidate *address = &g_array_index (candidates, Candidate, a);
      guint address_start = address->start, address_end = address->end;
      guint low = 0, high = by_end->len;

      if (!g_str_equal (address->label, "ADRESSE") || address->start == 0 ||
          text[address->start - 1] != ' ')
        continue;
      while (low < high)
        {
          guint middle = low + (high - low) / 2;

          if (((Candidate *) g_ptr_array_index (by_end, middle))->end <= address_start)
            low = middle + 1;
          else
            high = middle;
        }
      for (guint c = low; c < by_end->len; c++)
        {
          Candidate *other = g_ptr_array_index (by_end, c);

          if (other->end > address_end)
            break;
          if (other == address || other->start >= address_start)
            continue;
          other->end = address_start;
          while (other->end > other->start && text[other->end - 1] == ' ')
            other->end--;
          /* What is left is read again: "1 2 0 3 1 9 5 0" is a date. */
          if (other->end > other->start && g_ascii_isdigit (text[other->end - 1]))
            {
              Priority priority;

              other->label = digit_run_label (text, other->start, other->end, &priority);
            }
        }
    }
}

static void
on_hospital (GMatchInfo *info,
             GArray     *candidates)
{
  int start, end;

  g_match_info_fetch_pos (info, 0, &start, &end);
  add (candidates, start, end, "HOPITAL", PRIORITY_PLACE);
}

static void
find_patterns (RelPseudonymizer *self,
               RelTokens        *tokens,
               const char       *text,
               gsize             length,
               GArray           *candidates)
{
  g_autoptr(GMatchInfo) info = NULL;
  g_autoptr(GArray) triggers = find_triggers (self, tokens);
  int start, end;

#define EACH_MATCH(regex) \
  for (info = first_match (self->regex, text, length, info); \
       g_match_info_matches (info); g_match_info_next (info, NULL))

  /* An e-mail address holds an '@': the pattern runs only around them. */
  {
    const char *at = memchr (text, '@', length);
    gssize window_start = -1, window_end = -1;

    for (;;)
      {
        gssize from = -1, to = -1;

        if (at != NULL)
          {
            from = at - text > MAIL_BEFORE ? at - text - MAIL_BEFORE : 0;
            to = MIN ((gssize) length, at - text + MAIL_AFTER);
          }
        if (window_start >= 0 && (at == NULL || from > window_end))
          {
            g_autoptr(GMatchInfo) mail = NULL;

            g_regex_match_full (self->mail, text, window_end, window_start, 0, &mail, NULL);
            for (; g_match_info_matches (mail); g_match_info_next (mail, NULL))
              {
                g_match_info_fetch_pos (mail, 0, &start, &end);
                add (candidates, start, end, "MAIL", PRIORITY_PATTERN);
              }
            window_start = -1;
          }
        if (at == NULL)
          break;
        if (window_start < 0)
          window_start = from;
        window_end = MAX (window_end, to);
        at = at + 1 < text + length ? memchr (at + 1, '@', text + length - (at + 1)) : NULL;
      }
  }

  EACH_MATCH (digit_run)
    {
      g_autofree char *digits = NULL;
      const char *after;
      gsize n;

      g_match_info_fetch_pos (info, 0, &start, &end);
      digits = digits_of (text, start, end);
      n = strlen (digits);
      /* "TA 120/80", "3/10000": a ratio, not an identifier (dates have
       * their own patterns). */
      if (n < 8 && memchr (text + start, '/', end - start) != NULL)
        continue;
      /* A measurement is no identifier: "250000 UI", "12 500 mg". */
      after = text + end;
      while (*after == ' ')
        after++;
      {
        gsize word = 0;
        g_autofree char *unit = NULL;

        while (after[word] != '\0' && !g_ascii_isspace (after[word]) && after[word] != ',' &&
               after[word] != '.' && after[word] != '/' && word < 8)
          word++;
        unit = g_strndup (after, word);
        if (g_hash_table_contains (self->units, unit))
          continue;
      }
      {
        Priority priority;
        const char *label = digit_run_label (text, start, end, &priority);

        add (candidates, start, end, label, priority);
      }
    }

  EACH_MATCH (year)
    {
      g_match_info_fetch_pos (info, 0, &start, &end);
      add (candidates, start, end, "DATE", PRIORITY_NAME);
    }

  match_around (self->date_words, tokens, triggers, TRIGGER_MONTH_IN_WORDS, 120, 100, on_date,
                candidates);

  EACH_MATCH (spaced_digits)
    {
      g_autofree char *digits = NULL;
      gsize n;

      g_match_info_fetch_pos (info, 0, &start, &end);
      digits = digits_of (text, start, end);
      n = strlen (digits);
      if (n == 13 || n == 15)
        add (candidates, start, end, "NIR", PRIORITY_PATTERN + 1);
      else if (n == 10 && digits[0] == '0')
        add (candidates, start, end, "TEL", PRIORITY_PATTERN + 1);
      else if ((n == 8 || n == 6) && valid_compact_date (digits))
        add (candidates, start, end, "DATE", PRIORITY_PATTERN + 1);
    }

  EACH_MATCH (nir)
    {
      g_autofree char *digits = NULL;

      g_match_info_fetch_pos (info, 0, &start, &end);
      digits = digits_of (text, start, end);
      /* With its key, a checked key; without, 13 digits shaped like a NIR. */
      if (strlen (digits) == 13 || nir_key_valid (digits))
        add (candidates, start, end, "NIR", PRIORITY_PATTERN + 1);
      else if (strlen (digits) == 15)
        add (candidates, start, end, "NIR", PRIORITY_PATTERN);
    }

  EACH_MATCH (phone)
    {
      g_match_info_fetch_pos (info, 0, &start, &end);
      add (candidates, start, end, "TEL", PRIORITY_PATTERN);
    }

  EACH_MATCH (date_numeric)
    {
      g_match_info_fetch_pos (info, 0, &start, &end);
      add (candidates, start, end, "DATE", PRIORITY_PATTERN);
    }

  match_around (self->date_text, tokens, triggers, TRIGGER_MONTH, 16, 24, on_date, candidates);
  match_at (self->identifier, tokens, triggers, TRIGGER_FIELD, 80, on_identifier, candidates);

  EACH_MATCH (zip_city)
    {
      g_match_info_fetch_named_pos (info, "zip", &start, &end);
      add (candidates, start, end, "ZIP", PRIORITY_PATTERN);
      g_match_info_fetch_named_pos (info, "city", &start, &end);
      add (candidates, start, end, "VILLE", PRIORITY_PLACE);
    }

  match_around (self->address, tokens, triggers, TRIGGER_STREET, 40, 120, on_address, candidates);
  match_at (self->address_after, tokens, triggers, TRIGGER_STREET_SUFFIX, 80, on_address_after,
            candidates);
  EACH_MATCH (post_box)
    {
      g_match_info_fetch_pos (info, 0, &start, &end);
      /* Before the digit runs, which would join it to the postcode. */
      add (candidates, start, end, "ADRESSE", PRIORITY_PATTERN + 2);
    }
  yield_street_numbers (text, candidates);
  match_at (self->hospital, tokens, triggers, TRIGGER_HOSPITAL, 160, on_hospital, candidates);
  match_at (self->extension, tokens, triggers, TRIGGER_EXTENSION, 16, on_extension, candidates);

#undef EACH_MATCH
}

/* Does a cue of @cues (by last word) end just before token @i? Returns its
 * first token or -1. */
static int
cue_before (GHashTable    *cues,
            const guint8 *kinds,
            CueKind       kind,
            RelTokens    *tokens,
            guint         i)
{
  GPtrArray *list;

  if (i == 0 || cues == NULL)
    return -1;
  /* Most words end no cue of any kind. */
  if (kinds != NULL && !(kinds[rel_tokens_get (tokens, i - 1)->word] & kind))
    return -1;
  list = g_hash_table_lookup (cues, rel_tokens_get (tokens, i - 1)->folded);

  for (guint c = 0; list != NULL && c < list->len; c++)
    {
      char **words = g_ptr_array_index (list, c);
      guint n = g_strv_length (words);
      gboolean found = n > 0 && i >= n;

      for (guint k = 0; k < n && found; k++)
        found = g_str_equal (rel_tokens_get (tokens, i - n + k)->folded, words[k]);
      if (found)
        return (int) (i - n);
    }
  return -1;
}

/* Is token @i the end of a title ("M." in "M. DURAND")? */
static gboolean
is_title (RelPseudonymizer *self,
          const guint8     *kinds,
          RelTokens        *tokens,
          guint             i)
{
  return i + 1 <= rel_tokens_get_n (tokens) &&
         (cue_before (self->titles, kinds, CUE_TITLE, tokens, i + 1) >= 0 ||
          cue_before (self->name_fields, kinds, CUE_NAME_FIELD, tokens, i + 1) >= 0);
}

static gboolean
is_capitalised (const char     *text,
                const RelToken *token)
{
  guchar first = (guchar) text[token->start];

  /* Most words open on an ASCII letter: no decoding, no Unicode table. */
  if (first < 0x80)
    return g_ascii_isupper (first);
  return g_unichar_isupper (g_utf8_get_char (text + token->start));
}

static gboolean
is_particle (const RelToken *token)
{
  static const char *particles[] = { "de", "du", "des", "le", "la", "d", "van", "von", "ben",
                                     "el", "al", "di", "da", "dos", "mac", "mc", NULL };

  return g_strv_contains (particles, token->folded);
}

/* A particle that may open a name after a title: "de", "du", "des", "d'". */
static gboolean
opens_particle (const RelToken *token)
{
  const char *f = token->folded;

  /* Asked of most words of a report, "de" the commonest: spelt out. */
  return f[0] == 'd' &&
         (f[1] == '\0' ||
          ((f[1] == 'e' || f[1] == 'u') && f[2] == '\0') ||
          (f[1] == 'e' && f[2] == 's' && f[3] == '\0'));
}

/* An initial: "J." */
static gboolean
is_initial (const char     *text,
            const RelToken *token)
{
  return token->end - token->start == 1 && g_ascii_isupper (text[token->start]) &&
         text[token->end] == '.';
}

/* Could this word be a name, all else aside? */
static gboolean
name_shaped (RelPseudonymizer *self,
             RelTokens        *tokens,
             guint             i)
{
  const char *text = rel_tokens_get_text (tokens);
  const RelToken *token = rel_tokens_get (tokens, i);
  char word[64];

  if (token->flags & REL_TOKEN_NUMBER)
    return FALSE;
  if (!is_capitalised (text, token))
    return FALSE;
  /* "N°", "Nº": a number sign, not an initial. */
  if (g_str_has_prefix (text + token->end, "°") || g_str_has_prefix (text + token->end, "º"))
    return FALSE;
  /* A unit: "g/L", "8,1 G/L", "UI/L". */
  if ((token->start > 0 && text[token->start - 1] == '/') || text[token->end] == '/')
    return FALSE;
  if (token->end - token->start >= sizeof word)
    return FALSE;
  memcpy (word, text + token->start, token->end - token->start);
  word[token->end - token->start] = '\0';
  /* A roman numeral: "NYHA III à IV", "stade II" (one letter may be an initial). */
  if (token->end - token->start > 1 && word[strspn (word, "IVX")] == '\0')
    return FALSE;
  if (g_hash_table_contains (self->not_names, token->folded) ||
      g_hash_table_contains (self->abbreviations, word))
    return FALSE;
  for (const char *p = word; *p != '\0'; p++)
    if (g_ascii_isdigit (*p))
      return FALSE;
  return TRUE;
}

static gboolean
is_first_name (RelPseudonymizer *self,
               RelTokens        *tokens,
               guint             i)
{
  return g_hash_table_contains (self->first_names, rel_tokens_get (tokens, i)->folded);
}

/* A word that needs context to be a name: an ordinary French word. */
static gboolean
is_ordinary_word (RelPseudonymizer *self,
                  RelTokens        *tokens,
                  guint             i)
{
  return g_hash_table_contains (self->dictionary, rel_tokens_get (tokens, i)->folded);
}

/* The end of the initials that start at @start ("J.-M.", "M-A", "J.G",
 * "D.M.", "Pj."), or @start when none: at most four letters, a lower-case
 * one only in a dotted pair. A lone capital without a dot counts only when
 * @bare. */
static gsize
initials_end (const char *text,
              gsize       length,
              gsize       start,
              gboolean    bare)
{
  gsize p = start;
  guint letters = 0;
  gboolean dotted = FALSE, joined = FALSE;

  if (start > 0 && (g_ascii_isalnum (text[start - 1]) || (text[start - 1] & 0x80) ||
                    text[start - 1] == '.' || text[start - 1] == '-'))
    return start;
  while (p < length && g_ascii_isupper (text[p]) && letters < 4)
    {
      p++;
      letters++;
      if (letters == 1 && p + 1 < length && g_ascii_islower (text[p]) && text[p + 1] == '.' &&
          (p + 2 >= length || !g_ascii_isalpha (text[p + 2])))
        p++;  /* "Pj." */
      if (p < length && text[p] == '.')
        {
          p++;
          dotted = TRUE;
        }
      if (p + 1 < length && text[p] == '-' && g_ascii_isupper (text[p + 1]))
        {
          p++;
          joined = TRUE;
        }
      else if (!(p < length && g_ascii_isupper (text[p]) && text[p - 1] == '.'))
        break;
    }
  /* Nothing may follow but a blank or punctuation. */
  if (letters == 0 || (p < length && (g_ascii_isalnum (text[p]) || (text[p] & 0x80))))
    return start;
  if (!dotted && !joined && !(bare && letters == 1))
    return start;
  return p;
}

/* What find_names() asks of a word, again and again until no name grows:
 * each fact looked up once. */
typedef enum
{
  FACT_SHAPED = 1 << 0,
  FACT_ORDINARY = 1 << 1,
  FACT_FIRST_NAME = 1 << 2,
  FACT_TITLE = 1 << 3,
} Fact;

typedef struct
{
  RelPseudonymizer *self;
  RelTokens        *tokens;
  const guint8     *kinds;   /* CueKind bits, per word */
  guint8           *known;   /* Fact bits computed, per token */
  guint8           *values;  /* and their values */
} Facts;

static gboolean
fact (Facts *facts,
      Fact   which,
      guint  i)
{
  if (!(facts->known[i] & which))
    {
      gboolean value = which == FACT_SHAPED ? name_shaped (facts->self, facts->tokens, i)
                       : which == FACT_ORDINARY ? is_ordinary_word (facts->self, facts->tokens, i)
                       : which == FACT_FIRST_NAME ? is_first_name (facts->self, facts->tokens, i)
                       : is_title (facts->self, facts->kinds, facts->tokens, i);

      facts->known[i] |= which;
      if (value)
        facts->values[i] |= which;
    }
  return (facts->values[i] & which) != 0;
}

/* A word in capitals that is no ordinary word nor abbreviation: "MOREL". */
static gboolean
upper_name_fact (Facts *facts,
                 guint  i)
{
  const RelToken *token = rel_tokens_get (facts->tokens, i);

  return (token->flags & REL_TOKEN_UPPER) && token->end - token->start >= 3 &&
         fact (facts, FACT_SHAPED, i) && !fact (facts, FACT_ORDINARY, i);
}

/* The next word from @from that a pass of find_names() after the first looks
 * at: every one before @reach, else the one before each word of @grown (those
 * named by the pass before, in order; *@g walks them), else @n. */
static guint
next_to_look (GArray *grown,
              guint  *g,
              guint   from,
              guint   reach,
              guint   n)
{
  if (from < reach)
    return from;
  while (*g < grown->len && g_array_index (grown, guint, *g) < from + 1)
    (*g)++;
  return *g < grown->len ? g_array_index (grown, guint, *g) - 1 : n;
}

static void
find_names (RelPseudonymizer *self,
            const guint8     *kinds,
            RelTokens        *tokens,
            GArray           *candidates)
{
  const char *text = rel_tokens_get_text (tokens);
  guint n = rel_tokens_get_n (tokens);
  g_autofree gboolean *name = g_new0 (gboolean, n + 1);
  g_autofree gboolean *shaped = g_new0 (gboolean, n + 1);
  g_autofree guint8 *known = g_new0 (guint8, n + 1);
  g_autofree guint8 *values = g_new0 (guint8, n + 1);
  Facts facts = { self, tokens, kinds, known, values };
  g_autoptr(GArray) grown = g_array_new (FALSE, FALSE, sizeof (guint));
  g_autoptr(GArray) growing = g_array_new (FALSE, FALSE, sizeof (guint));
  gsize text_length;

  /* Most words are not capitalised: nothing to look at. */
  for (guint i = 0; i < n; i++)
    shaped[i] = fact (&facts, FACT_SHAPED, i);

  /* After a title or a header field, the following capitalised words. */
  for (guint i = 0; i < n; i++)
    {
      gboolean after_title;
      guint taken = 0;

      /* A name opens on a capital or a particle ("Mme de la Tour"): most
       * words need no look at their left. */
      if (!shaped[i] && !is_initial (text, rel_tokens_get (tokens, i)) &&
          !opens_particle (rel_tokens_get (tokens, i)))
        continue;
      after_title = cue_before (self->titles, kinds, CUE_TITLE, tokens, i) >= 0 ||
                    cue_before (self->name_fields, kinds, CUE_NAME_FIELD, tokens, i) >= 0 ||
                    cue_before (self->relatives, kinds, CUE_RELATIVE, tokens, i) >= 0;
      if (!after_title)
        continue;
      /* Titles and particles are passed over without being taken: the walk
       * is bounded too, or "M. M. M. …" made it quadratic. */
      for (guint j = i; j < n && taken < MAX_NAME_WORDS && j - i < MAX_NAME_LOOK; j++)
        {
          const RelToken *token = rel_tokens_get (tokens, j);

          if (j > i && (token->flags & (REL_TOKEN_SENTENCE | REL_TOKEN_NEWLINE)) &&
              !(token->flags & REL_TOKEN_COMMA))
            break;
          if (j > i && (token->flags & REL_TOKEN_BREAK) && !is_initial (text, rel_tokens_get (tokens, j - 1)))
            break;
          /* "Mme de Villiers", "Mme de la Tour" */
          if (is_particle (token) &&
              ((j + 1 < n && fact (&facts, FACT_SHAPED, j + 1)) ||
               (j + 2 < n && is_particle (rel_tokens_get (tokens, j + 1)) &&
                fact (&facts, FACT_SHAPED, j + 2))))
            continue;
          /* "Patient : M. DURAND": a title inside the name is no part of it. */
          if (fact (&facts, FACT_TITLE, j))
            continue;
          if (!fact (&facts, FACT_SHAPED, j) && !is_initial (text, token))
            break;
          /* "Dr A Belmont": a lone capital is an initial when a name follows. */
          if (token->end - token->start == 1 && !is_initial (text, token) &&
              !(j + 1 < n && fact (&facts, FACT_SHAPED, j + 1)))
            break;
          /* After a relative's kinship word, only a real name, not "Père diabétique". */
          if (cue_before (self->relatives, kinds, CUE_RELATIVE, tokens, i) >= 0 &&
              cue_before (self->titles, kinds, CUE_TITLE, tokens, i) < 0 &&
              fact (&facts, FACT_ORDINARY, j) && !fact (&facts, FACT_FIRST_NAME, j))
            break;
          name[j] = TRUE;
          taken++;
        }
    }

  /* A first name beside a capitalised word that is not an ordinary one, or
   * beside another name; words in capitals beside a name ("Yahia BELKACEM"). */
  /* The first pass looks at every word, the next ones only where something
   * can have changed: the word before one named in the pass before, the two
   * words after one named in this pass — the same passes, without the words
   * where they find nothing new. Looking at every word at every pass was
   * quadratic on a long run of capitals ending on a name, which grows by one
   * word a pass. */
  for (gboolean changed = TRUE, first_pass = TRUE; changed; first_pass = FALSE)
    {
      guint g = 0;
      guint reach = first_pass ? n : 0;

      changed = FALSE;
      g_array_set_size (growing, 0);
      for (guint i = next_to_look (grown, &g, 0, reach, n); i < n;
           i = next_to_look (grown, &g, i + 1, reach, n))
        {
          gboolean next_to_name;

          if (name[i] || !shaped[i] || fact (&facts, FACT_TITLE, i))
            continue;
          next_to_name = (i > 0 && name[i - 1] &&
                          !(rel_tokens_get (tokens, i)->flags & (REL_TOKEN_SENTENCE | REL_TOKEN_NEWLINE))) ||
                         (i + 1 < n && name[i + 1] &&
                          !(rel_tokens_get (tokens, i + 1)->flags & (REL_TOKEN_SENTENCE | REL_TOKEN_NEWLINE)));

          if (next_to_name && (!fact (&facts, FACT_ORDINARY, i) || fact (&facts, FACT_FIRST_NAME, i) ||
                               (rel_tokens_get (tokens, i)->flags & REL_TOKEN_UPPER)))
            {
              name[i] = TRUE;
              changed = TRUE;
            }
          else if (fact (&facts, FACT_FIRST_NAME, i) && i + 1 < n &&
                   !(rel_tokens_get (tokens, i + 1)->flags & (REL_TOKEN_SENTENCE | REL_TOKEN_BREAK)) &&
                   fact (&facts, FACT_SHAPED, i + 1) &&
                   (!fact (&facts, FACT_ORDINARY, i + 1) ||
                    (rel_tokens_get (tokens, i + 1)->flags & REL_TOKEN_UPPER)))
            {
              name[i] = name[i + 1] = TRUE;
              changed = TRUE;
            }
          else if (!fact (&facts, FACT_ORDINARY, i) && i + 1 < n &&
                   !(rel_tokens_get (tokens, i + 1)->flags & (REL_TOKEN_SENTENCE | REL_TOKEN_BREAK)) &&
                   fact (&facts, FACT_FIRST_NAME, i + 1) && fact (&facts, FACT_SHAPED, i + 1))
            {
              /* "DUPONT Jean", "Duroux Olivier" */
              name[i] = name[i + 1] = TRUE;
              changed = TRUE;
            }
          else if (fact (&facts, FACT_FIRST_NAME, i) && !fact (&facts, FACT_ORDINARY, i) &&
                   i + 1 < n &&
                   !(rel_tokens_get (tokens, i + 1)->flags & (REL_TOKEN_SENTENCE | REL_TOKEN_BREAK)) &&
                   fact (&facts, FACT_SHAPED, i + 1))
            {
              /* "Patricia Cartier": a first name that is nothing else, then a capital. */
              name[i] = name[i + 1] = TRUE;
              changed = TRUE;
            }
          else if (i + 1 < n && fact (&facts, FACT_SHAPED, i) && fact (&facts, FACT_SHAPED, i + 1) &&
                   !fact (&facts, FACT_ORDINARY, i) && !fact (&facts, FACT_ORDINARY, i + 1) &&
                   rel_tokens_get (tokens, i)->end - rel_tokens_get (tokens, i)->start > 1 &&
                   rel_tokens_get (tokens, i + 1)->end - rel_tokens_get (tokens, i + 1)->start > 1 &&
                   !(rel_tokens_get (tokens, i + 1)->flags & (REL_TOKEN_SENTENCE | REL_TOKEN_BREAK)))
            {
              /* "Patrique Pizzila": two capitalised words that are no French words. */
              name[i] = name[i + 1] = TRUE;
              changed = TRUE;
            }
          else if (i + 1 < n && fact (&facts, FACT_SHAPED, i) &&
                   !(rel_tokens_get (tokens, i)->flags & REL_TOKEN_SENTENCE) &&
                   rel_tokens_get (tokens, i)->end - rel_tokens_get (tokens, i)->start > 2 &&
                   fact (&facts, FACT_FIRST_NAME, i + 1) && fact (&facts, FACT_SHAPED, i + 1) &&
                   !(rel_tokens_get (tokens, i + 1)->flags & (REL_TOKEN_SENTENCE | REL_TOKEN_BREAK)))
            {
              /* "Dossier de Pasteur Jean": a capital inside a sentence, then a first name. */
              name[i] = name[i + 1] = TRUE;
              changed = TRUE;
            }
          else if (i + 1 < n && fact (&facts, FACT_SHAPED, i) &&
                   (!fact (&facts, FACT_ORDINARY, i) ||
                    (rel_tokens_get (tokens, i)->flags & REL_TOKEN_UPPER)) &&
                   rel_tokens_get (tokens, i)->end - rel_tokens_get (tokens, i)->start > 2 &&
                   is_initial (text, rel_tokens_get (tokens, i + 1)) &&
                   !(rel_tokens_get (tokens, i + 1)->flags & REL_TOKEN_SENTENCE))
            {
              /* "MEVEL C.", "Adenet G.", "Nivor, S." */
              name[i] = name[i + 1] = TRUE;
              changed = TRUE;
            }
          else if (upper_name_fact (&facts, i) && i + 1 < n && upper_name_fact (&facts, i + 1) &&
                   !(rel_tokens_get (tokens, i + 1)->flags & (REL_TOKEN_SENTENCE | REL_TOKEN_BREAK)))
            {
              /* "BERTHA MOREL", "IVANKA PRIGOSIEV" */
              name[i] = name[i + 1] = TRUE;
              changed = TRUE;
            }
          else if (i + 1 < n && (is_initial (text, rel_tokens_get (tokens, i)) ||
                                 rel_tokens_get (tokens, i)->end - rel_tokens_get (tokens, i)->start == 1) &&
                   g_ascii_isupper (text[rel_tokens_get (tokens, i)->start]) &&
                   /* "L'ENTRÉE", "D'ORIGINE": an elided article, no initial. */
                   text[rel_tokens_get (tokens, i)->end] != '\'' &&
                   strncmp (text + rel_tokens_get (tokens, i)->end, "\xe2\x80\x99", 3) != 0 &&
                   !(rel_tokens_get (tokens, i + 1)->flags & (REL_TOKEN_SENTENCE | REL_TOKEN_NEWLINE)) &&
                   fact (&facts, FACT_SHAPED, i + 1) &&
                   (!fact (&facts, FACT_ORDINARY, i + 1) ||
                    (rel_tokens_get (tokens, i + 1)->flags & REL_TOKEN_UPPER)))
            {
              /* "C. Carlizian", "J DUPONT" */
              name[i] = name[i + 1] = TRUE;
              changed = TRUE;
            }

          if (name[i])
            {
              g_array_append_val (growing, i);
              reach = MAX (reach, i + 3);
            }
        }
      {
        GArray *swap = grown;

        grown = growing;
        growing = swap;
      }
    }

  /* "P-A. POULMANI", "M.-A BURLE": compound initials, then a name. */
  text_length = n > 0 ? rel_tokens_get (tokens, n - 1)->end : 0;
  for (gsize last_end = text_length; text[text_length] != '\0' && text_length < last_end + 8; )
    text_length++;
  for (guint i = 0; i + 1 < n; i++)
    {
      const RelToken *token = rel_tokens_get (tokens, i);
      gsize end;
      guint k = i + 1;

      if (token->end - token->start != 1 || !g_ascii_isupper (text[token->start]))
        continue;
      end = initials_end (text, text_length, token->start, FALSE);
      if (end <= token->end + 1 || memchr (text + token->start, '-', end - token->start) == NULL)
        continue;
      while (k < n && rel_tokens_get (tokens, k)->start < end)
        k++;
      if (k < n && rel_tokens_get (tokens, k)->start == end + 1 && text[end] == ' ' && !name[k] &&
          fact (&facts, FACT_SHAPED, k) &&
          ((rel_tokens_get (tokens, k)->flags & REL_TOKEN_UPPER) || !fact (&facts, FACT_ORDINARY, k)))
        {
          add (candidates, token->start, end, "PRENOM", PRIORITY_NAME);
          add (candidates, rel_tokens_get (tokens, k)->start, rel_tokens_get (tokens, k)->end, "NOM",
               PRIORITY_NAME);
        }
    }

  /* Which part is the surname: capitals, a single word after a title, the
   * last of a title's words; the other known first names are first names. */
  for (guint i = 0; i < n; )
    {
      guint j = i;
      gboolean titled;

      if (!name[i])
        {
          i++;
          continue;
        }
      while (j + 1 < n && name[j + 1] &&
             !(rel_tokens_get (tokens, j + 1)->flags & (REL_TOKEN_SENTENCE | REL_TOKEN_NEWLINE)))
        j++;
      titled = i > 0 && fact (&facts, FACT_TITLE, i - 1);

      for (guint k = i; k <= j; k++)
        {
          const RelToken *token = rel_tokens_get (tokens, k);
          gboolean surname = (token->flags & REL_TOKEN_UPPER) && token->end - token->start > 1;
          gboolean first = !surname && fact (&facts, FACT_FIRST_NAME, k);

          if (titled && k == j && first)
            {
              /* "Dr Martin", "Dr Jean Martin": the last word is the surname,
               * unless a surname stands before it ("Dr DUPONT Jean"). */
              gboolean surname_before = FALSE;

              for (guint m = i; m < j; m++)
                surname_before |= (rel_tokens_get (tokens, m)->flags & REL_TOKEN_UPPER) ||
                                  !fact (&facts, FACT_FIRST_NAME, m);
              first = surname_before;
            }
          add (candidates, token->start,
               token->end + (is_initial (text, token) ? 1 : 0),
               first || (token->end - token->start == 1 && !surname) ? "PRENOM" : "NOM",
               PRIORITY_NAME);
        }
      i = j + 1;
    }
}

/* Are tokens @i and @i + 1 written as one hyphenated word ("Saint-Malo")? */
static gboolean
hyphenated (RelTokens *tokens,
            guint      i)
{
  const char *text = rel_tokens_get_text (tokens);

  return i + 1 < rel_tokens_get_n (tokens) &&
         rel_tokens_get (tokens, i + 1)->start == rel_tokens_get (tokens, i)->end + 1 &&
         text[rel_tokens_get (tokens, i)->end] == '-';
}

/* "Nogent sur Marne", "Châlons en Champagne", "Saint-Rémy-de-Provence": the
 * last token of a place name that goes on after token @last, by its hyphens or
 * a linking word before a capital (a month is no place: "à Nice en Juin"). */
static guint
place_name_end (RelPseudonymizer *self,
                RelTokens        *tokens,
                guint             last)
{
  static const char *links[] = { "sur", "sous", "lez", "en", NULL };
  const char *text = rel_tokens_get_text (tokens);
  guint n = rel_tokens_get_n (tokens);

  for (;;)
    {
      if (hyphenated (tokens, last) && last + 1 < n)
        last++;
      else if (last + 2 < n &&
               (g_strv_contains (links, rel_tokens_get (tokens, last + 1)->folded) ||
                rel_tokens_equal_exact (tokens, last + 1, "lès")) &&
               g_ascii_islower (text[rel_tokens_get (tokens, last + 1)->start]) &&
               !(rel_tokens_get (tokens, last + 1)->flags & (REL_TOKEN_BREAK | REL_TOKEN_NEWLINE)) &&
               !(rel_tokens_get (tokens, last + 2)->flags & (REL_TOKEN_BREAK | REL_TOKEN_NEWLINE)) &&
               is_capitalised (text, rel_tokens_get (tokens, last + 2)) &&
               !(GPOINTER_TO_UINT (g_hash_table_lookup (self->triggers,
                                                        rel_tokens_get (tokens, last + 2)->folded)) &
                 TRIGGER_MONTH))
        last += 2;
      else
        return last;
    }
}

/* Is the text after byte @end ", le " and a date: the place of a dateline
 * ("Valmorin, le 22/02/2024", "Rennes, le 1er mars 2024")? */
static gboolean
dateline_after (RelPseudonymizer *self,
                const char       *text,
                gsize             end)
{
  const char *p = text + end;

  while (*p == ' ')
    p++;
  if (*p != ',')
    return FALSE;
  p++;
  while (*p == ' ')
    p++;
  if (g_ascii_strncasecmp (p, "le ", 3) != 0)
    return FALSE;
  p += 3;
  while (*p == ' ')
    p++;
  if (g_ascii_isdigit (*p))
    return TRUE;
  {
    gsize length = 0;
    g_autofree char *word = NULL;

    while (g_ascii_isalpha (p[length]) || (p[length] & 0x80))
      length++;
    word = rel_tokens_fold_word (p, length);
    return (GPOINTER_TO_UINT (g_hash_table_lookup (self->triggers, word)) & TRIGGER_MONTH) != 0 ||
           g_hash_table_contains (self->number_words, word);
  }
}

/* Is the place cue "à" before token @i an initial: "Dr P-A. POULMANI"? */
static gboolean
initial_before (RelTokens *tokens,
                guint      i)
{
  const char *text = rel_tokens_get_text (tokens);
  const RelToken *cue;

  if (i == 0)
    return FALSE;
  cue = rel_tokens_get (tokens, i - 1);
  return cue->end - cue->start == 1 && g_ascii_isupper (text[cue->start]) &&
         (text[cue->end] == '.' ||
          (cue->start > 0 && (text[cue->start - 1] == '-' || text[cue->start - 1] == '.')));
}

/* The folded words of tokens @i to @j, one space between. */
static char *
folded_words (RelTokens *tokens,
              guint      i,
              guint      j)
{
  GString *key = g_string_new (NULL);

  for (guint k = i; k <= j; k++)
    {
      if (k > i)
        g_string_append_c (key, ' ');
      g_string_append (key, rel_tokens_get (tokens, k)->folded);
    }
  return g_string_free (key, FALSE);
}

/* "transférée à Bichat", "suivie à la Timone": an establishment known by
 * its name alone, after a place cue and maybe an article. Adds it and
 * returns TRUE when token @i starts one. */
static gboolean
hospital_name_at (RelPseudonymizer *self,
                  const guint8     *kinds,
                  RelTokens        *tokens,
                  guint             i,
                  GArray           *candidates)
{
  const char *text = rel_tokens_get_text (tokens);
  guint n = rel_tokens_get_n (tokens);
  int last = -1;

  if ((cue_before (self->city_cues, kinds, CUE_CITY, tokens, i) < 0 || initial_before (tokens, i)) &&
      !(i > 0 && (g_str_equal (rel_tokens_get (tokens, i - 1)->folded, "la") ||
                  g_str_equal (rel_tokens_get (tokens, i - 1)->folded, "l")) &&
        g_ascii_islower (text[rel_tokens_get (tokens, i - 1)->start]) &&
        cue_before (self->city_cues, kinds, CUE_CITY, tokens, i - 1) >= 0))
    return FALSE;
  for (guint j = i; j < MIN (n, i + MAX_CITY_WORDS); j++)
    {
      g_autofree char *key = folded_words (tokens, i, j);

      if (j > i && (rel_tokens_get (tokens, j)->flags & (REL_TOKEN_BREAK | REL_TOKEN_NEWLINE)))
        break;
      if (g_hash_table_contains (self->hospital_names, key))
        last = j;
    }
  if (last < 0)
    return FALSE;
  add (candidates, rel_tokens_get (tokens, i)->start, rel_tokens_get (tokens, last)->end, "HOPITAL",
       PRIORITY_PLACE);
  return TRUE;
}

/* "Jefferson University Hospital", "Avicenne AP-HP Hospital": the capitalised
 * words before an English establishment's last words. */
static void
find_hospital_tails (RelPseudonymizer *self,
                     RelTokens        *tokens,
                     GArray           *candidates)
{
  static const char *determiners[] = { "the", "a", "an", "this", "that", "our", "your", "my",
                                       "his", "her", "their", "le", "la", "l", "un", "une", NULL };
  const char *text = rel_tokens_get_text (tokens);
  guint n = rel_tokens_get_n (tokens);
  g_autofree gpointer *tails = NULL;

  if (self->hospital_tails == NULL)
    return;
  tails = rel_tokens_lookup_words (tokens, self->hospital_tails);
  for (guint j = 0; j < n; j++)
    {
      int first;
      guint start;

      if (tails[rel_tokens_get (tokens, j)->word] == NULL)
        continue;
      /* The longest tail: "university hospital" before "hospital". */
      first = -1;
      {
        GPtrArray *list = tails[rel_tokens_get (tokens, j)->word];

        for (guint c = 0; c < list->len; c++)
          {
            char **words = g_ptr_array_index (list, c);
            guint length = g_strv_length (words);
            gboolean found = j + 1 >= length;

            for (guint k = 0; k < length && found; k++)
              found = g_str_equal (rel_tokens_get (tokens, j + 1 - length + k)->folded, words[k]);
            if (found && (first < 0 || (int) (j + 1 - length) < first))
              first = (int) (j + 1 - length);
          }
      }
      if (first <= 0)
        continue;
      /* Back over capitalised words joined by a space or a hyphen only;
       * "The hospital" names none. */
      start = first;
      while (start > 0 && first - start < MAX_NAME_WORDS &&
             is_capitalised (text, rel_tokens_get (tokens, start - 1)) &&
             !g_strv_contains (determiners, rel_tokens_get (tokens, start - 1)->folded) &&
             !(rel_tokens_get (tokens, start)->flags & (REL_TOKEN_BREAK | REL_TOKEN_NEWLINE)) &&
             rel_tokens_get (tokens, start)->start - rel_tokens_get (tokens, start - 1)->end == 1 &&
             strchr (" -", text[rel_tokens_get (tokens, start - 1)->end]) != NULL)
        start--;
      if (start < (guint) first)
        add (candidates, rel_tokens_get (tokens, start)->start, rel_tokens_get (tokens, j)->end,
             "HOPITAL", PRIORITY_PLACE);
    }
}

/* "habite à Marseille", "près de Toulouse": a known city, or a capitalised
 * word that is no ordinary word, after a place cue; known cities anywhere
 * after "à"; the place that opens a line of the form "Valmorin, le 22/02/2024". */
static void
find_cities (RelPseudonymizer *self,
             const guint8     *kinds,
             RelTokens        *tokens,
             GArray           *candidates)
{
  const char *text = rel_tokens_get_text (tokens);
  guint n = rel_tokens_get_n (tokens);

  for (guint i = 0; i < n; i++)
    {
      const RelToken *token = rel_tokens_get (tokens, i);
      guint last = i;
      gboolean known, compound, dateline = FALSE;

      if (!is_capitalised (text, token))
        continue;
      if (hospital_name_at (self, kinds, tokens, i, candidates))
        continue;
      if (cue_before (self->city_cues, kinds, CUE_CITY, tokens, i) < 0 || initial_before (tokens, i))
        {
          guint end;

          /* A dateline opens its line. */
          if (i > 0 && !(token->flags & REL_TOKEN_NEWLINE))
            continue;
          end = place_name_end (self, tokens, i);
          if (!dateline_after (self, text, rel_tokens_get (tokens, end)->end))
            continue;
          dateline = TRUE;
          last = end;
        }
      /* "Saint-Étienne", "Aix-en-Provence", "Le Havre": a few words. */
      for (guint j = i; j < MIN (n, i + MAX_CITY_WORDS); j++)
        {
          g_autofree char *key = folded_words (tokens, i, j);

          if (g_hash_table_contains (self->cities, key))
            last = MAX (last, j);
        }
      known = g_hash_table_contains (self->cities, token->folded) || last > i;
      /* "Patient, le 12/03/2024, a présenté": an ordinary word opens no dateline. */
      /* "à Saint-Rémy-de-Provence": a hyphenated name of capitals is a place
       * whatever its first word, unless a person's ("à Jean-Pierre"). */
      compound = !dateline && hyphenated (tokens, i) && !is_first_name (self, tokens, i) &&
                 is_capitalised (text, rel_tokens_get (tokens, place_name_end (self, tokens, i)));
      if (known || compound ||
          (dateline && name_shaped (self, tokens, i) && !is_ordinary_word (self, tokens, i)) ||
          (!dateline && !is_ordinary_word (self, tokens, i) && name_shaped (self, tokens, i) &&
           !is_first_name (self, tokens, i)))
        {
          last = place_name_end (self, tokens, last);
          add (candidates, token->start, rel_tokens_get (tokens, last)->end, "VILLE", PRIORITY_PLACE);
        }
    }
}

/* "né le 12/03/1950", "DDN : 12/03/1950": a date of birth. */
static void
mark_birth_dates (RelPseudonymizer *self,
                  const guint8     *kinds,
                  RelTokens        *tokens,
                  GArray           *candidates)
{
  for (guint c = 0; c < candidates->len; c++)
    {
      Candidate *candidate = &g_array_index (candidates, Candidate, c);
      guint first;

      if (!g_str_equal (candidate->label, "DATE"))
        continue;
      first = rel_tokens_find (tokens, candidate->start);
      for (guint back = 0; back <= 3 && back <= first; back++)
        if (cue_before (self->birth_cues, kinds, CUE_BIRTH, tokens, first - back) >= 0)
          {
            candidate->label = "DATE_NAISSANCE";
            break;
          }
    }
}

static int
compare_candidates (gconstpointer a,
                    gconstpointer b)
{
  const Candidate *ca = a, *cb = b;

  if (ca->priority != cb->priority)
    return ca->priority > cb->priority ? -1 : 1;
  if (ca->end - ca->start != cb->end - cb->start)
    return ca->end - ca->start > cb->end - cb->start ? -1 : 1;
  return ca->start < cb->start ? -1 : ca->start > cb->start;
}

static int
compare_phi (gconstpointer a,
             gconstpointer b)
{
  const RelPhi *pa = *(RelPhi * const *) a, *pb = *(RelPhi * const *) b;

  return pa->start < pb->start ? -1 : pa->start > pb->start;
}

/* Could this word, found once as a name or a city, be the same one wherever
 * the report writes it again? Name-shaped, and no ordinary word nor initial. */
static gboolean
may_propagate (RelPseudonymizer *self,
               RelTokens        *tokens,
               guint             i)
{
  const RelToken *token = rel_tokens_get (tokens, i);

  return strlen (token->folded) >= MIN_PROPAGATED &&
         !g_hash_table_contains (self->dictionary, token->folded) &&
         name_shaped (self, tokens, i);
}

/* A name or a city found once is the same person or place wherever the
 * report writes it again with a capital: "41999 VALMORIN" in the address,
 * "Valmorin, le 22/02/2024" above the letter, "CH de Valmorin" under the
 * signature. @phi is in text order; @taken marks its bytes. */
static void
propagate (RelPseudonymizer *self,
           RelTokens        *tokens,
           GPtrArray        *phi,
           guint8           *taken)
{
  const char *text = rel_tokens_get_text (tokens);
  guint n = rel_tokens_get_n (tokens);
  g_autofree const char **labels = g_new0 (const char *, rel_tokens_get_n_words (tokens) + 1);
  const char *name = g_intern_static_string ("NOM");
  const char *city = g_intern_static_string ("VILLE");
  guint n_found = phi->len;
  gboolean any = FALSE;

  for (guint i = 0, p = 0; i < n; i++)
    {
      const RelToken *token = rel_tokens_get (tokens, i);
      const RelPhi *span;

      while (p < n_found && ((const RelPhi *) g_ptr_array_index (phi, p))->end <= token->start)
        p++;
      if (p == n_found)
        break;
      span = g_ptr_array_index (phi, p);
      if (span->start > token->start || token->end > span->end ||
          (span->label != name && span->label != city) ||
          labels[token->word] != NULL || !may_propagate (self, tokens, i))
        continue;
      labels[token->word] = span->label;
      any = TRUE;
    }
  if (!any)
    return;

  for (guint i = 0; i < n; i++)
    {
      const RelToken *token = rel_tokens_get (tokens, i);
      gboolean free_span = TRUE;

      if (labels[token->word] == NULL || !is_capitalised (text, token))
        continue;
      for (guint b = token->start; b < token->end && free_span; b++)
        free_span = !taken[b];
      if (!free_span)
        continue;
      memset (taken + token->start, TRUE, token->end - token->start);
      g_ptr_array_add (phi, rel_phi_new (token->start, token->end, labels[token->word]));
    }
  g_ptr_array_sort (phi, compare_phi);
}

/* "Dr.", "Pr.", "Mr.": a title, not initials. */
static gboolean
is_title_word (RelPseudonymizer *self,
               const char       *text,
               gsize             start,
               gsize             end)
{
  g_autofree char *folded = NULL;
  gsize n;

  /* One letter is an initial here: "M." before a name is judged apart. */
  if (end - start <= 2)
    return FALSE;
  folded = rel_tokens_fold_word (text + start, end - start);
  n = strlen (folded);

  while (n > 0 && !g_ascii_isalnum (folded[n - 1]))
    folded[--n] = '\0';
  return g_hash_table_contains (self->titles, folded);
}

/* "Dr J.-M. GOFFIN", "BOUGHELLAM M.", "MARECHAL C": initials beside a name
 * are the first name's. A lone "M." before a name is "Monsieur", unless a
 * title stands before it ("Dr M. FROMONT"). @phi is in text order. */
static void
add_initials (RelPseudonymizer *self,
              const char       *text,
              gsize             length,
              GPtrArray        *phi,
              guint8           *taken)
{
  const char *first_name = g_intern_static_string ("PRENOM");
  guint n_found = phi->len;

  for (guint i = 0; i < n_found; i++)
    {
      RelPhi *span = g_ptr_array_index (phi, i);
      gsize end;

      if (!g_str_equal (span->label, "NOM") && !g_str_equal (span->label, "PRENOM"))
        continue;
      /* The rest of initials the span holds the first letter of: "J." of "J.-M.". */
      end = initials_end (text, length, span->start, FALSE);
      if (end > span->end && !memchr (taken + span->end, TRUE, end - span->end))
        {
          memset (taken + span->end, TRUE, end - span->end);
          span->end = end;
        }
      /* After the name: "DANION J-E.", "Buathier M". */
      if (span->end + 1 < length && text[span->end] == ' ')
        {
          gsize from = span->end + 1;

          /* A bare capital only after a real word: "MARECHAL C", not "AB A". */
          end = initials_end (text, length, from, span->end - span->start >= 3);
          if (end > from && !memchr (taken + from, TRUE, end - from) &&
              !is_title_word (self, text, from, end))
            {
              memset (taken + from, TRUE, end - from);
              g_ptr_array_add (phi, rel_phi_new (from, end, first_name));
            }
        }
      /* Before the name: "Dr P-A. POULMANI", "Mme M. Daret". */
      if (span->start >= 2 && text[span->start - 1] == ' ')
        {
          gsize from = span->start - 1;

          while (from > 0 && from + 8 > span->start && text[from - 1] != ' ' && text[from - 1] != '\n')
            from--;
          end = initials_end (text, length, from, FALSE);
          if (end > from && end == span->start - 1 && !memchr (taken + from, TRUE, end - from) &&
              !is_title_word (self, text, from, end))
            {
              gboolean monsieur = end - from == 2 && text[from] == 'M';
              gsize before = from;

              /* A title before "M.": "Dr M.", "Mme M." */
              if (monsieur && before > 1)
                {
                  gsize word = before - 1;
                  g_autofree char *folded = NULL;

                  while (word > 0 && text[word - 1] != ' ' && text[word - 1] != '\n')
                    word--;
                  folded = rel_tokens_fold_word (text + word, before - 1 - word);
                  monsieur = !g_hash_table_contains (self->titles, folded);
                }
              if (!monsieur)
                {
                  memset (taken + from, TRUE, end - from);
                  g_ptr_array_add (phi, rel_phi_new (from, end, first_name));
                }
            }
        }
    }
  if (phi->len > n_found)
    g_ptr_array_sort (phi, compare_phi);
}

GPtrArray *
rel_pseudonymizer_find (RelPseudonymizer *self,
                        const char       *text,
                        gsize             length)
{
  g_autoptr(RelTokens) tokens = NULL;

  g_return_val_if_fail (REL_IS_PSEUDONYMIZER (self), NULL);

  tokens = rel_tokens_new (text, length, NULL);
  return rel_pseudonymizer_find_in_tokens (self, tokens, text, length);
}

GPtrArray *
rel_pseudonymizer_find_in_tokens (RelPseudonymizer *self,
                                  RelTokens        *tokens,
                                  const char       *text,
                                  gsize             length)
{
  g_autoptr(GArray) candidates = g_array_new (FALSE, FALSE, sizeof (Candidate));
  g_autofree guint8 *taken = NULL;
  GPtrArray *phi = g_ptr_array_new_with_free_func ((GDestroyNotify) rel_phi_free);

  g_return_val_if_fail (REL_IS_PSEUDONYMIZER (self), NULL);

  find_patterns (self, tokens, text, length, candidates);
  {
    g_autofree gpointer *found = rel_tokens_lookup_words (tokens, self->cue_kinds);
    guint n_words = rel_tokens_get_n_words (tokens);
    g_autofree guint8 *kinds = g_new (guint8, n_words + 1);

    for (guint w = 0; w < n_words; w++)
      kinds[w] = (guint8) GPOINTER_TO_UINT (found[w]);
    find_names (self, kinds, tokens, candidates);
    find_cities (self, kinds, tokens, candidates);
    find_hospital_tails (self, tokens, candidates);
    mark_birth_dates (self, kinds, tokens, candidates);
  }

  /* The strongest kind of evidence wins where spans overlap, then the longest. */
  g_array_sort (candidates, compare_candidates);
  taken = g_new0 (guint8, length + 1);
  for (guint c = 0; c < candidates->len; c++)
    {
      const Candidate *candidate = &g_array_index (candidates, Candidate, c);
      gboolean free_span = TRUE;

      for (guint b = candidate->start; b < candidate->end && free_span; b++)
        free_span = !taken[b];
      if (!free_span)
        continue;
      for (guint b = candidate->start; b < candidate->end; b++)
        taken[b] = TRUE;
      g_ptr_array_add (phi, rel_phi_new (candidate->start, candidate->end, candidate->label));
    }
  g_ptr_array_sort (phi, compare_phi);
  propagate (self, tokens, phi, taken);
  add_initials (self, text, length, phi, taken);

  /* "Jean Pierre", "DUPONT DURAND": one span per name part. */
  {
    gsize n = 0;
    g_autofree RelPhi **spans = (RelPhi **) g_ptr_array_steal (phi, &n);

    for (gsize i = 0; i < n; i++)
      {
        RelPhi *previous = phi->len > 0 ? g_ptr_array_index (phi, phi->len - 1) : NULL;
        gboolean only_blanks = previous != NULL;

        for (guint b = only_blanks ? previous->end : 0; only_blanks && b < spans[i]->start; b++)
          only_blanks = text[b] == ' ' || text[b] == '-';
        if (only_blanks && previous->label == spans[i]->label &&
            (g_str_equal (spans[i]->label, "NOM") || g_str_equal (spans[i]->label, "PRENOM")))
          {
            previous->end = spans[i]->end;
            rel_phi_free (spans[i]);
          }
        else
          g_ptr_array_add (phi, spans[i]);
      }
  }

  return phi;
}

/* Replacement */

static guint
text_hash (const char *text,
           gsize       length,
           guint32     seed)
{
  g_autofree char *folded = g_utf8_casefold (text, length);

  return g_str_hash (folded) ^ (seed * 2654435761u);
}

static const char *
pick (RelPseudonymizer *self,
      const char       *kind,
      guint             hash)
{
  GPtrArray *list = g_hash_table_lookup (self->surrogates, kind);

  return list != NULL && list->len > 0 ? g_ptr_array_index (list, hash % list->len) : "X";
}

/* A date shifted by @days, written as the original was ("12/03/2024",
 * "12-03-24", "12.03.2024"); other forms keep a placeholder. */
static char *
shift_date (const char *text,
            gsize       length,
            int         days)
{
  g_autofree char *copy = g_strndup (text, length);
  int day, month, year;
  char separator;
  g_autoptr(GDateTime) date = NULL;
  g_autoptr(GDateTime) shifted = NULL;

  if (sscanf (copy, "%d%c%d%*c%d", &day, &separator, &month, &year) != 4 ||
      (separator != '/' && separator != '-' && separator != '.'))
    return NULL;
  {
    gboolean short_year = year < 100;

    if (short_year)
      year += year < 50 ? 2000 : 1900;
    date = g_date_time_new_utc (year, month, day, 12, 0, 0);
    if (date == NULL)
      return NULL;
    shifted = g_date_time_add_days (date, days);
    if (short_year)
      return g_strdup_printf ("%02d%c%02d%c%02d", g_date_time_get_day_of_month (shifted),
                              separator, g_date_time_get_month (shifted), separator,
                              g_date_time_get_year (shifted) % 100);
    return g_strdup_printf ("%02d%c%02d%c%04d", g_date_time_get_day_of_month (shifted),
                            separator, g_date_time_get_month (shifted), separator,
                            g_date_time_get_year (shifted));
  }
}

static char *
surrogate (RelPseudonymizer *self,
           const char       *label,
           const char       *text,
           gsize             length,
           guint32           seed,
           int               days)
{
  guint hash = text_hash (text, length, seed);

  if (g_str_equal (label, "NOM"))
    return g_ascii_strup (pick (self, "nom", hash), -1);
  if (g_str_equal (label, "PRENOM"))
    return g_strdup (pick (self, hash % 2 ? "prenom_f" : "prenom_m", hash / 2));
  if (g_str_equal (label, "DATE") || g_str_equal (label, "DATE_NAISSANCE"))
    {
      char *shifted = shift_date (text, length, days);

      return shifted != NULL ? shifted : g_strdup_printf ("[%s]", label);
    }
  if (g_str_equal (label, "VILLE"))
    return g_strdup (pick (self, "ville", hash));
  if (g_str_equal (label, "ADRESSE"))
    return g_strdup_printf ("%u %s", hash % 90 + 1, pick (self, "rue", hash / 90));
  if (g_str_equal (label, "HOPITAL"))
    return g_strdup (pick (self, "hopital", hash));
  if (g_str_equal (label, "ZIP"))
    return g_strdup_printf ("%05u", 10000 + hash % 89000);
  if (g_str_equal (label, "TEL"))
    return g_strdup_printf ("01 99 00 %02u %02u", hash % 100, (hash / 100) % 100);
  if (g_str_equal (label, "MAIL"))
    return g_strdup_printf ("contact%u@example.org", hash % 10000);
  /* NIR, IPP, NDA: digits of the same length, obviously not the real ones. */
  {
    GString *digits = g_string_new (NULL);

    for (gsize i = 0; i < length; i++)
      g_string_append_c (digits, g_ascii_isdigit (text[i]) ? (char) ('0' + (hash >> (i % 24)) % 10)
                                                           : text[i]);
    return g_string_free (digits, FALSE);
  }
}

char *
rel_pseudonymizer_apply (RelPseudonymizer  *self,
                         const char        *text,
                         gsize              length,
                         GPtrArray         *phi,
                         RelPseudoStrategy  strategy,
                         guint32            seed)
{
  /* "NOM\tdupont" → "[NOM-1]": the same words, the same placeholder. */
  g_autoptr(GHashTable) placeholders = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_autoptr(GHashTable) counters = g_hash_table_new (g_str_hash, g_str_equal);
  GString *out = g_string_sized_new (length);
  gsize position = 0;
  /* One shift for the whole document keeps the intervals between dates. */
  int days = (int) (seed % 700) - 350;

  g_return_val_if_fail (REL_IS_PSEUDONYMIZER (self), NULL);

  if (days == 0)
    days = 17;

  for (guint i = 0; i < phi->len; i++)
    {
      RelPhi *span = g_ptr_array_index (phi, i);

      g_clear_pointer (&span->replacement, g_free);
      switch (strategy)
        {
        case REL_PSEUDO_PLACEHOLDER:
          {
            const char *words = text + span->start;
            gsize n = span->end - span->start;
            /* ASCII folds as it lowers, without Unicode tables. */
            g_autofree char *folded = rel_text_is_ascii (words, n) ? g_ascii_strdown (words, n)
                                                                   : g_utf8_casefold (words, n);
            g_autofree char *key = g_strconcat (span->label, "\t", folded, NULL);
            const char *placeholder = g_hash_table_lookup (placeholders, key);

            if (placeholder == NULL)
              {
                guint number = GPOINTER_TO_UINT (g_hash_table_lookup (counters, span->label)) + 1;

                g_hash_table_insert (counters, (gpointer) span->label, GUINT_TO_POINTER (number));
                placeholder = g_strdup_printf ("[%s-%u]", span->label, number);
                g_hash_table_insert (placeholders, g_steal_pointer (&key), (gpointer) placeholder);
              }
            span->replacement = g_strdup (placeholder);
          }
          break;
        case REL_PSEUDO_SURROGATE:
          span->replacement = surrogate (self, span->label, text + span->start,
                                         span->end - span->start, seed, days);
          break;
        case REL_PSEUDO_REMOVE:
        default:
          span->replacement = g_strdup ("");
          break;
        }

      g_string_append_len (out, text + position, span->start - position);
      g_string_append (out, span->replacement);
      position = span->end;
    }
  g_string_append_len (out, text + position, length - position);

  return g_string_free (out, FALSE);
}
