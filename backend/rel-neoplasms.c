/* SPDX-License-Identifier: GPL-3.0-or-later */
/* rel-neoplasms.c: reports name tumours by what they are and where they are,
 * in many more ways than a nomenclature lists; the code is built from both. */
#define G_LOG_DOMAIN "rel-neoplasms"

#include "config.h"

#include "rel-lexicon.h"
#include "rel-neoplasms.h"

/* How far from its morphology a site word may stand, in words. */
#define SITE_AFTER 10
#define SITE_BEFORE 3

typedef enum
{
  BEHAVIOUR_MALIGNANT,
  BEHAVIOUR_SECONDARY,
  BEHAVIOUR_UNCERTAIN,   /* "tumeur", "masse": malignant only where the report says so elsewhere */
  BEHAVIOUR_OTHER,       /* in situ, benign: not composed */
} Behaviour;

typedef struct
{
  GStrv       words;
  guint       n_words;
  Behaviour   behaviour;
  char       *code;      /* the morphology's own code (lymphoma, melanoma…) or NULL */
  char       *primary;   /* for a site */
  char       *secondary;
} Entry;

typedef struct
{
  guint        first;
  guint        last;  /* inclusive */
  const Entry *entry;
} Hit;

struct _RelNeoplasms
{
  GObject         parent_instance;

  RelMatcher     *matcher;
  RelTerminology *terminology;
  GPtrArray      *entries;        /* Entry*, morphologies then sites */
  GHashTable     *morphologies;   /* first word → GPtrArray of Entry* */
  GHashTable     *sites;
  GHashTable     *regions;        /* "C765 C49" → "C492" */
};

G_DEFINE_FINAL_TYPE (RelNeoplasms, rel_neoplasms, G_TYPE_OBJECT)

static void
entry_free (gpointer data)
{
  Entry *entry = data;

  g_strfreev (entry->words);
  g_free (entry->code);
  g_free (entry->primary);
  g_free (entry->secondary);
  g_free (entry);
}

static void
rel_neoplasms_finalize (GObject *object)
{
  RelNeoplasms *self = (RelNeoplasms *) object;

  g_clear_pointer (&self->morphologies, g_hash_table_unref);
  g_clear_pointer (&self->sites, g_hash_table_unref);
  g_clear_pointer (&self->regions, g_hash_table_unref);
  g_clear_pointer (&self->entries, g_ptr_array_unref);
  g_clear_object (&self->matcher);
  g_clear_object (&self->terminology);

  G_OBJECT_CLASS (rel_neoplasms_parent_class)->finalize (object);
}

static void
rel_neoplasms_class_init (RelNeoplasmsClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = rel_neoplasms_finalize;
}

static void
rel_neoplasms_init (RelNeoplasms *self)
{
  self->entries = g_ptr_array_new_with_free_func (entry_free);
  self->morphologies = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                              (GDestroyNotify) g_ptr_array_unref);
  self->sites = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                       (GDestroyNotify) g_ptr_array_unref);
  self->regions = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
}

static char *
code_or_null (const char *text)
{
  g_autofree char *stripped = g_strstrip (g_strdup (text));

  return g_str_equal (stripped, "-") || *stripped == '\0' ? NULL : g_steal_pointer (&stripped);
}

static void
index_entry (GHashTable *index,
             Entry      *entry)
{
  GPtrArray *bucket = g_hash_table_lookup (index, entry->words[0]);

  if (bucket == NULL)
    {
      bucket = g_ptr_array_new ();
      g_hash_table_insert (index, entry->words[0], bucket);
    }
  g_ptr_array_add (bucket, entry);
}

RelNeoplasms *
rel_neoplasms_new (RelMatcher      *matcher,
                   RelTerminology  *terminology,
                   GError         **error)
{
  g_autoptr(RelNeoplasms) self = g_object_new (REL_TYPE_NEOPLASMS, NULL);
  g_autoptr(GPtrArray) morphologies = NULL;
  g_autoptr(GPtrArray) sites = NULL;
  g_autoptr(GPtrArray) regions = NULL;

  self->matcher = g_object_ref (matcher);
  self->terminology = g_object_ref (terminology);

  morphologies = rel_lexicon_load ("neoplasm-morphologies.tsv", 3, error);
  if (morphologies == NULL)
    return NULL;
  for (guint i = 0; i < morphologies->len; i++)
    {
      char **fields = g_ptr_array_index (morphologies, i);
      Entry *entry = g_new0 (Entry, 1);

      entry->words = rel_tokens_split (fields[0]);
      entry->n_words = g_strv_length (entry->words);
      entry->behaviour = g_str_equal (fields[1], "malignant") ? BEHAVIOUR_MALIGNANT
                         : g_str_equal (fields[1], "secondary") ? BEHAVIOUR_SECONDARY
                         : g_str_equal (fields[1], "uncertain") ? BEHAVIOUR_UNCERTAIN
                         : BEHAVIOUR_OTHER;
      entry->code = code_or_null (fields[2]);
      g_ptr_array_add (self->entries, entry);
      if (entry->n_words > 0)
        index_entry (self->morphologies, entry);
    }

  sites = rel_lexicon_load ("neoplasm-sites.tsv", 3, error);
  if (sites == NULL)
    return NULL;
  for (guint i = 0; i < sites->len; i++)
    {
      char **fields = g_ptr_array_index (sites, i);
      Entry *entry = g_new0 (Entry, 1);

      entry->words = rel_tokens_split (fields[0]);
      entry->n_words = g_strv_length (entry->words);
      entry->primary = code_or_null (fields[1]);
      entry->secondary = code_or_null (fields[2]);
      g_ptr_array_add (self->entries, entry);
      if (entry->n_words > 0)
        index_entry (self->sites, entry);
    }

  regions = rel_lexicon_load ("neoplasm-regions.tsv", 3, error);
  if (regions == NULL)
    return NULL;
  for (guint i = 0; i < regions->len; i++)
    {
      char **fields = g_ptr_array_index (regions, i);

      g_hash_table_insert (self->regions, g_strdup_printf ("%s %s", fields[0], fields[1]),
                           g_strdup (fields[2]));
    }

  return g_steal_pointer (&self);
}

/* The longest entry of @index at each token, not overlapping. */
static GArray *
find_hits (GHashTable *index,
           RelTokens  *tokens)
{
  GArray *hits = g_array_new (FALSE, FALSE, sizeof (Hit));
  g_autofree gpointer *buckets = rel_tokens_lookup_words (tokens, index);
  guint n = rel_tokens_get_n (tokens);

  for (guint i = 0; i < n; i++)
    {
      GPtrArray *bucket = buckets[rel_tokens_get (tokens, i)->word];
      const Entry *best = NULL;

      for (guint e = 0; bucket != NULL && e < bucket->len; e++)
        {
          const Entry *entry = g_ptr_array_index (bucket, e);
          gboolean found = i + entry->n_words <= n;

          for (guint k = 1; k < entry->n_words && found; k++)
            found = g_str_equal (rel_tokens_get (tokens, i + k)->folded, entry->words[k]) &&
                    !(rel_tokens_get (tokens, i + k)->flags & REL_TOKEN_BREAK);
          if (found && (best == NULL || entry->n_words > best->n_words))
            best = entry;
        }
      if (best != NULL)
        {
          Hit hit = { i, i + best->n_words - 1, best };

          g_array_append_val (hits, hit);
          i += best->n_words - 1;
        }
    }
  return hits;
}

/* Is there a sentence end between tokens @a and @b (a < b)? */
static gboolean
crosses_sentence (RelTokens *tokens,
                  guint      a,
                  guint      b)
{
  for (guint i = a + 1; i <= b; i++)
    if (rel_tokens_get (tokens, i)->flags & REL_TOKEN_SENTENCE)
      return TRUE;
  return FALSE;
}

/* The codable code for a category: itself, or its "sans précision" child
 * (C34 → C349) when the nomenclature in use lists only the children. */
static const RelConcept *
codable (RelNeoplasms *self,
         const char   *code)
{
  static const char *suffixes[] = { "", "9", "8", "0", "99", "90" };

  for (guint i = 0; i < G_N_ELEMENTS (suffixes); i++)
    {
      g_autofree char *candidate = g_strconcat (code, suffixes[i], NULL);
      const RelConcept *concept = rel_terminology_lookup (self->terminology, candidate);

      if (concept != NULL)
        return rel_matcher_resolve (self->matcher, concept);
    }

  /* The starter nomenclature may list only some children of a category. */
  {
    GPtrArray *concepts = rel_terminology_get_concepts (self->terminology);

    for (guint i = 0; i < concepts->len; i++)
      {
        const RelConcept *concept = g_ptr_array_index (concepts, i);

        if (g_str_has_prefix (concept->code, code) && concept->type != REL_CODE_TYPE_NOT_CODABLE)
          return concept;
      }
  }
  return NULL;
}

/* Skin cancers, melanomas, mesotheliomas, Kaposi sarcomas, the blood cancers
 * and the unknown primaries have their own categories wherever they stand;
 * other tumours are coded by their site. */
static gboolean
morphology_decides (const char *code)
{
  return (strncmp (code, "C43", 3) >= 0 && strncmp (code, "C46", 3) <= 0) ||
         (strncmp (code, "C81", 3) >= 0 && strncmp (code, "C96", 3) <= 0) ||
         strncmp (code, "C80", 3) == 0;
}

/* The code of a category subdivided by body region (skin, nerves, soft
 * tissue) in the region of an ill-defined site (C76.x), or NULL. */
static const RelConcept *
in_region (RelNeoplasms *self,
           const char   *category,
           const char   *region)
{
  g_autofree char *key = g_strdup_printf ("%.4s %.3s", region, category);
  const char *code = g_hash_table_lookup (self->regions, key);

  return code != NULL ? codable (self, code) : NULL;
}

/* The first of @hits (in token order, apart from one another) that may stand
 * within SITE_BEFORE tokens before @first or after it: every site against
 * every morphology was quadratic in a long report. */
static guint
first_within_reach (GArray *hits,
                    guint   first)
{
  guint low = 0;
  guint high = hits->len;

  while (low < high)
    {
      guint middle = low + (high - low) / 2;

      if (g_array_index (hits, Hit, middle).last + SITE_BEFORE < first)
        low = middle + 1;
      else
        high = middle;
    }
  return low;
}

/* The nearest site of @morphology in its sentence, after it first
 * ("carcinome du sein"), just before it next ("lésion pulmonaire maligne");
 * none of those @claimed (may be %NULL). */
static const Hit *
nearest_site (RelTokens      *tokens,
              GArray         *sites,
              const Hit      *morphology,
              const gboolean *claimed)
{
  const Hit *site = NULL;
  guint distance = G_MAXUINT;

  for (guint s = first_within_reach (sites, morphology->first); s < sites->len; s++)
    {
      const Hit *candidate = &g_array_index (sites, Hit, s);
      guint d;

      if (candidate->first > morphology->last + SITE_AFTER)
        break;
      if (claimed != NULL && claimed[s])
        continue;
      if (candidate->first > morphology->last &&
          candidate->first - morphology->last <= SITE_AFTER &&
          !crosses_sentence (tokens, morphology->last, candidate->first))
        d = candidate->first - morphology->last;
      else if (candidate->last < morphology->first &&
               morphology->first - candidate->last <= SITE_BEFORE &&
               !crosses_sentence (tokens, candidate->last, morphology->first))
        d = (morphology->first - candidate->last) * 3;
      else
        continue;
      if (d < distance)
        {
          site = candidate;
          distance = d;
        }
    }
  return site;
}

/* "secondaires à un carcinome pulmonaire", "compatible avec un primitif
 * pulmonaire": a primary tumour between the secondary one (morphology @m)
 * and @site makes the site the primary's. */
static gboolean
primary_between (GArray    *morphologies,
                 guint      m,
                 const Hit *site)
{
  const Hit *morphology = &g_array_index (morphologies, Hit, m);

  /* Only the morphologies after this one and before the site can be between
   * them (the hits are in order and apart). */
  for (guint o = m + 1; o < morphologies->len &&
                        g_array_index (morphologies, Hit, o).first < site->first; o++)
    {
      const Hit *other = &g_array_index (morphologies, Hit, o);

      if ((other->entry->behaviour == BEHAVIOUR_MALIGNANT ||
           other->entry->behaviour == BEHAVIOUR_UNCERTAIN) &&
          other->first > morphology->last && other->last < site->first)
        return TRUE;
    }
  return FALSE;
}

GArray *
rel_neoplasms_find (RelNeoplasms *self,
                    RelTokens    *tokens)
{
  g_autoptr(GArray) morphologies = NULL;
  g_autoptr(GArray) sites = NULL;
  g_autofree gboolean *claimed = NULL;
  GArray *matches = g_array_new (FALSE, FALSE, sizeof (RelMatch));
  gboolean malignant_context = FALSE;

  g_return_val_if_fail (REL_IS_NEOPLASMS (self), NULL);

  morphologies = find_hits (self->morphologies, tokens);
  sites = find_hits (self->sites, tokens);
  claimed = g_new0 (gboolean, sites->len + 1);

  /* "métastases hépatiques d'un adénocarcinome": the site a metastasis
   * names is where the secondary tumour is, not the primary's. */
  for (guint m = 0; m < morphologies->len; m++)
    {
      const Hit *morphology = &g_array_index (morphologies, Hit, m);
      const Hit *site;

      if (morphology->entry->behaviour != BEHAVIOUR_SECONDARY)
        continue;
      site = nearest_site (tokens, sites, morphology, NULL);
      if (site != NULL && site->entry->secondary != NULL && !primary_between (morphologies, m, site))
        claimed[site - &g_array_index (sites, Hit, 0)] = TRUE;
    }

  /* In a report about a cancer, "la tumeur du fémur" is that cancer; a
   * metastasis says there is one. */
  for (guint m = 0; m < morphologies->len && !malignant_context; m++)
    {
      Behaviour behaviour = g_array_index (morphologies, Hit, m).entry->behaviour;

      malignant_context = behaviour == BEHAVIOUR_MALIGNANT || behaviour == BEHAVIOUR_SECONDARY;
    }

  for (guint m = 0; m < morphologies->len; m++)
    {
      const Hit *morphology = &g_array_index (morphologies, Hit, m);
      const Hit *site = NULL;
      const RelConcept *concept = NULL;
      const RelConcept *regional = NULL;
      RelMatch match = { 0 };

      /* In situ and benign tumours are coded only where the word names its
       * code ("carcinome canalaire in situ" D05.1): the sites lexicon gives
       * the malignant categories of a site, not its in situ or benign ones. */
      if ((morphology->entry->behaviour == BEHAVIOUR_OTHER && morphology->entry->code == NULL) ||
          (morphology->entry->behaviour == BEHAVIOUR_UNCERTAIN && !malignant_context))
        continue;

      site = nearest_site (tokens, sites, morphology,
                           morphology->entry->behaviour == BEHAVIOUR_SECONDARY ? NULL : claimed);

      if (morphology->entry->behaviour == BEHAVIOUR_OTHER)
        site = NULL;

      /* "sarcome de la cuisse" */
      if (morphology->entry->code != NULL && site != NULL && site->entry->primary != NULL)
        regional = in_region (self, morphology->entry->code, site->entry->primary);

      if (morphology->entry->behaviour == BEHAVIOUR_SECONDARY)
        {
          /* "secondaires à un carcinome pulmonaire", "compatible avec un
           * primitif pulmonaire": the site is the primary's. */
          if (site != NULL && site->entry->secondary != NULL &&
              !primary_between (morphologies, m, site))
            concept = codable (self, site->entry->secondary);
          /* "carcinose", "adénopathies métastatiques d'un cancer du sein": the
           * word says where the secondary tumour is when no site does. */
          if (concept == NULL && morphology->entry->code != NULL)
            {
              concept = codable (self, morphology->entry->code);
              site = NULL;
            }
        }
      else if (regional != NULL)
        {
          concept = regional;
        }
      else if (morphology->entry->code != NULL &&
               (site == NULL || site->entry->primary == NULL ||
                morphology_decides (morphology->entry->code)))
        {
          concept = codable (self, morphology->entry->code);
        }
      else if (site != NULL && site->entry->primary != NULL)
        {
          concept = codable (self, site->entry->primary);
        }
      else if (site != NULL && site->entry->secondary != NULL &&
               morphology->entry->behaviour == BEHAVIOUR_MALIGNANT)
        {
          /* A malignant lymph node ("adénopathie carcinomateuse axillaire"). */
          concept = codable (self, site->entry->secondary);
        }

      if (concept == NULL)
        continue;

      match.first_token = site != NULL ? MIN (morphology->first, site->first) : morphology->first;
      match.last_token = site != NULL ? MAX (morphology->last, site->last) : morphology->last;
      match.start = rel_tokens_get (tokens, match.first_token)->start;
      match.end = rel_tokens_get (tokens, match.last_token)->end;
      match.concept = concept;
      g_array_append_val (matches, match);
    }

  return matches;
}

static int
compare_by_position (gconstpointer a,
                     gconstpointer b)
{
  const RelMatch *ma = a, *mb = b;

  return ma->start < mb->start ? -1 : ma->start > mb->start;
}

static gboolean
is_neoplasm (const RelConcept *concept)
{
  return concept->code[0] == 'C' || (concept->code[0] == 'D' && concept->code[1] <= '4');
}

/* Weighs @other against @tumour where they overlap: FALSE when @other names
 * the tumour as well (the tumour is left out), otherwise TRUE, with *@drop
 * set when @other gives way. */
static gboolean
weigh (const RelMatch *other,
       const RelMatch *tumour,
       gboolean       *drop)
{
  guint other_length = other->last_token - other->first_token;
  guint tumour_length = tumour->last_token - tumour->first_token;

  if (other->last_token < tumour->first_token || other->first_token > tumour->last_token)
    return TRUE;
  /* A dictionary term as long names the tumour as well or better. */
  if (is_neoplasm (other->concept) && other_length >= tumour_length)
    return FALSE;
  /* Inside the composed span, a shorter tumour term ("cancer") or the
   * site's own disease gives way; anything else stays. */
  if (is_neoplasm (other->concept) ||
      (other->first_token >= tumour->first_token && other->last_token <= tumour->last_token))
    *drop = TRUE;
  return TRUE;
}

void
rel_neoplasms_merge (GArray *matches,
                     GArray *composed)
{
  guint n_found = matches->len;
  g_autofree gboolean *dropped = g_new0 (gboolean, matches->len + composed->len + 1);
  guint kept = 0;

  /* Each tumour meets the tumours kept before it, newest first, then the
   * matches found, from the last. Those are in text order and apart
   * (rel_matcher_find()): only the ones overlapping the tumour are looked at,
   * and the ones that give way are marked, then left out at the end. Walking
   * and shifting the whole array for each tumour was quadratic in a long
   * report. */
  for (guint c = 0; c < composed->len; c++)
    {
      const RelMatch *tumour = &g_array_index (composed, RelMatch, c);
      gboolean keep = TRUE;
      guint low = 0;
      guint high = n_found;

      for (guint m = matches->len; keep && m > n_found; m--)
        if (!dropped[m - 1])
          keep = weigh (&g_array_index (matches, RelMatch, m - 1), tumour, &dropped[m - 1]);

      /* The found matches that overlap it: [low, high). */
      for (guint top = n_found; low < top; )
        {
          guint middle = low + (top - low) / 2;

          if (g_array_index (matches, RelMatch, middle).last_token < tumour->first_token)
            low = middle + 1;
          else
            top = middle;
        }
      for (guint bottom = low; bottom < high; )
        {
          guint middle = bottom + (high - bottom) / 2;

          if (g_array_index (matches, RelMatch, middle).first_token <= tumour->last_token)
            bottom = middle + 1;
          else
            high = middle;
        }
      for (guint m = high; keep && m > low; m--)
        if (!dropped[m - 1])
          keep = weigh (&g_array_index (matches, RelMatch, m - 1), tumour, &dropped[m - 1]);

      if (keep)
        g_array_append_val (matches, *tumour);
    }

  for (guint m = 0; m < matches->len; m++)
    if (!dropped[m])
      g_array_index (matches, RelMatch, kept++) = g_array_index (matches, RelMatch, m);
  g_array_set_size (matches, kept);
  g_array_sort (matches, compare_by_position);
}
