/* SPDX-License-Identifier: GPL-3.0-or-later */
/* rel-embedded-engine.c: the embedded pipeline — sections, terms, qualifiers,
 * codes, summary — timed stage by stage. */
#define G_LOG_DOMAIN "rel-embedded-engine"

#include "config.h"

#include "rel-coder.h"
#include "rel-embedded-engine.h"
#include "rel-lexicon.h"
#include "rel-matcher.h"
#include "rel-neoplasms.h"
#include "rel-pseudonymizer.h"
#include "rel-qualifier.h"
#include "rel-sectioner.h"
#include "rel-summarizer.h"

struct _RelEmbeddedEngine
{
  GObject         parent_instance;

  RelTerminology *terminology;
  GHashTable     *stopwords;
  RelMatcher     *matcher;
  RelNeoplasms   *neoplasms;
  RelPseudonymizer *pseudonymizer;
  RelSectioner   *sectioner;
  RelQualifier   *qualifier;
  RelCoder       *coder;
  RelSummarizer  *summarizer;
  GThreadPool    *pool;      /* where pseudonymization runs beside the rest */
};

static void rel_embedded_engine_iface_init (RelEngineInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (RelEmbeddedEngine, rel_embedded_engine, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (REL_TYPE_ENGINE,
                                                      rel_embedded_engine_iface_init))

static void
add_timing (GArray     *timings,
            const char *stage,
            gint64     *since)
{
  gint64 now = g_get_monotonic_time ();
  RelTiming timing = { stage, (now - *since) / 1000.0 };

  g_array_append_val (timings, timing);
  *since = now;
}

/* Words that identify someone ("Hôpital Saint-Louis", "Parkinson" as a name)
 * are not diagnoses. */
static void
drop_identifying (GArray    *matches,
                  GArray    *qualifiers,
                  GPtrArray *phi)
{
  guint p = 0;
  guint kept = 0;

  /* Compacted in place: removing one match at a time moved all the others,
   * quadratic in a long report. */
  for (guint m = 0; m < matches->len; m++)
    {
      const RelMatch *match = &g_array_index (matches, RelMatch, m);
      gboolean overlaps = FALSE;

      while (p < phi->len && ((RelPhi *) g_ptr_array_index (phi, p))->end <= match->start)
        p++;
      for (guint q = p; q < phi->len && !overlaps; q++)
        {
          const RelPhi *span = g_ptr_array_index (phi, q);

          if (span->start >= match->end)
            break;
          overlaps = TRUE;
        }
      if (overlaps)
        continue;
      g_array_index (qualifiers, RelQualifiers, kept) = g_array_index (qualifiers, RelQualifiers, m);
      g_array_index (matches, RelMatch, kept++) = *match;
    }
  g_array_set_size (matches, kept);
  g_array_set_size (qualifiers, kept);
}

/* Pseudonymization needs nothing of the other stages but the tokens, and
 * they need nothing of it until identifying words are taken out of the
 * matches: past a few kilobytes it runs beside sections and matching, in a
 * thread of GLib's shared pool (starting a thread per report cost more than
 * it saved on a short one). */
#define PARALLEL_BYTES (8 * 1024)

typedef struct
{
  RelPseudonymizer *pseudonymizer;
  RelTokens        *tokens;
  RelDocument      *document;
  GPtrArray        *phi;
  char             *pseudonymized;
  double            ms;
  GMutex            lock;
  GCond             finished;
  gboolean          done;
} Pseudonymization;

static void
pseudonymize (Pseudonymization *job)
{
  const char *text = rel_document_get_text (job->document);
  gsize length = rel_document_get_length (job->document);
  gint64 start = g_get_monotonic_time ();

  job->phi = rel_pseudonymizer_find_in_tokens (job->pseudonymizer, job->tokens, text, length);
  job->pseudonymized = rel_pseudonymizer_apply (job->pseudonymizer, text, length, job->phi,
                                                REL_PSEUDO_PLACEHOLDER, 0);
  job->ms = (g_get_monotonic_time () - start) / 1000.0;
}

static void
pseudonymize_in_pool (gpointer data,
                      gpointer user_data)
{
  Pseudonymization *job = data;

  pseudonymize (job);
  g_mutex_lock (&job->lock);
  job->done = TRUE;
  g_cond_signal (&job->finished);
  g_mutex_unlock (&job->lock);
}

static RelAnalysis *
rel_embedded_engine_analyze (RelEngine     *engine,
                             RelDocument   *document,
                             GCancellable  *cancellable,
                             GError       **error)
{
  RelEmbeddedEngine *self = REL_EMBEDDED_ENGINE (engine);
  g_autoptr(RelTokens) tokens = NULL;
  g_autoptr(GArray) matches = NULL;
  g_autoptr(GArray) cues = NULL;
  g_autoptr(GArray) qualifiers = NULL;
  GArray *sections, *timings;
  GPtrArray *mentions = NULL, *codes = NULL, *summary;
  Pseudonymization job = { self->pseudonymizer, NULL, document, NULL, NULL, 0 };
  gboolean pooled = FALSE;
  gint64 start = g_get_monotonic_time ();
  gint64 since = start;
  RelAnalysis *analysis;
  RelTiming timing;

  timings = g_array_new (FALSE, TRUE, sizeof (RelTiming));

  /* Cut once, for every stage: the pseudonymizer reads the same tokens. */
  tokens = rel_tokens_new (rel_document_get_text (document), rel_document_get_length (document),
                           self->stopwords);
  add_timing (timings, "tokenize", &since);

  job.tokens = tokens;
  g_mutex_init (&job.lock);
  g_cond_init (&job.finished);
  /* Without a thread (none left to the process), in this one. */
  if (rel_document_get_length (document) >= PARALLEL_BYTES && self->pool != NULL)
    pooled = g_thread_pool_push (self->pool, &job, NULL);
  if (!pooled)
    pseudonymize (&job);
  since = g_get_monotonic_time ();

  /* Beside the pseudonymization: nothing from here to the join below may
   * change the tokens. */
  sections = rel_sectioner_find (self->sectioner, tokens);
  add_timing (timings, "sections", &since);

  matches = rel_matcher_find (self->matcher, tokens);
  {
    g_autoptr(GArray) tumours = rel_neoplasms_find (self->neoplasms, tokens);

    rel_neoplasms_merge (matches, tumours);
  }
  add_timing (timings, "match", &since);

  cues = rel_qualifier_scan (self->qualifier, tokens);
  qualifiers = g_array_sized_new (FALSE, TRUE, sizeof (RelQualifiers), matches->len);
  for (guint i = 0; i < matches->len; i++)
    {
      const RelMatch *match = &g_array_index (matches, RelMatch, i);
      RelQualifiers q;

      rel_qualifier_qualify (self->qualifier, tokens, cues, sections, match->first_token,
                             match->last_token, &q);
      g_array_append_val (qualifiers, q);
    }
  add_timing (timings, "qualify", &since);

  if (pooled)
    {
      g_mutex_lock (&job.lock);
      while (!job.done)
        g_cond_wait (&job.finished, &job.lock);
      g_mutex_unlock (&job.lock);
    }
  g_mutex_clear (&job.lock);
  g_cond_clear (&job.finished);
  /* In the order of the pipeline, though it ran beside the stages after it. */
  timing.stage = "pseudonymize";
  timing.ms = job.ms;
  g_array_insert_val (timings, 1, timing);

  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    {
      g_array_unref (sections);
      g_array_unref (timings);
      g_ptr_array_unref (job.phi);
      g_free (job.pseudonymized);
      return NULL;
    }
  since = g_get_monotonic_time ();
  drop_identifying (matches, qualifiers, job.phi);

  rel_coder_code (self->coder, tokens, sections, self->qualifier, cues, matches, qualifiers,
                  &mentions, &codes);
  add_timing (timings, "code", &since);

  summary = rel_summarizer_summarize (self->summarizer, tokens, sections, codes);
  add_timing (timings, "summarize", &since);

  timing.stage = "total";
  timing.ms = (g_get_monotonic_time () - start) / 1000.0;
  g_array_append_val (timings, timing);

  analysis = rel_analysis_new (document, "embedded", NULL, job.pseudonymized, job.phi, sections,
                               mentions, codes, summary, timings);
  g_free (job.pseudonymized);
  return analysis;
}

static void
rel_embedded_engine_iface_init (RelEngineInterface *iface)
{
  iface->analyze = rel_embedded_engine_analyze;
}

static void
rel_embedded_engine_dispose (GObject *object)
{
  RelEmbeddedEngine *self = (RelEmbeddedEngine *) object;

  g_clear_object (&self->terminology);
  g_clear_object (&self->neoplasms);
  g_clear_object (&self->pseudonymizer);
  g_clear_object (&self->matcher);
  g_clear_object (&self->sectioner);
  g_clear_object (&self->qualifier);
  g_clear_object (&self->coder);
  g_clear_object (&self->summarizer);
  g_clear_pointer (&self->stopwords, g_hash_table_unref);
  if (self->pool != NULL)
    g_thread_pool_free (g_steal_pointer (&self->pool), FALSE, TRUE);

  G_OBJECT_CLASS (rel_embedded_engine_parent_class)->dispose (object);
}

static void
rel_embedded_engine_class_init (RelEmbeddedEngineClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = rel_embedded_engine_dispose;
}

static void
rel_embedded_engine_init (RelEmbeddedEngine *self)
{
  self->stopwords = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  /* Shared threads, as many as analyses run at once; NULL (every report in
   * its caller's thread) if none can be had. */
  self->pool = g_thread_pool_new (pseudonymize_in_pool, NULL, -1, FALSE, NULL);
}

RelEngine *
rel_embedded_engine_new (RelTerminology  *terminology,
                         GError         **error)
{
  g_autoptr(RelEmbeddedEngine) self = NULL;
  g_autoptr(GPtrArray) stopwords = NULL;

  g_return_val_if_fail (REL_IS_TERMINOLOGY (terminology), NULL);

  self = g_object_new (REL_TYPE_EMBEDDED_ENGINE, NULL);
  self->terminology = g_object_ref (terminology);

  stopwords = rel_lexicon_load ("stopwords.tsv", 1, error);
  if (stopwords == NULL)
    return NULL;
  for (guint i = 0; i < stopwords->len; i++)
    g_hash_table_add (self->stopwords,
                      rel_tokens_fold_word (((char **) stopwords->pdata[i])[0], -1));

  self->pseudonymizer = rel_pseudonymizer_new (terminology, error);
  if (self->pseudonymizer == NULL)
    return NULL;
  self->sectioner = rel_sectioner_new (error);
  if (self->sectioner == NULL)
    return NULL;
  self->qualifier = rel_qualifier_new (error);
  if (self->qualifier == NULL)
    return NULL;
  self->coder = rel_coder_new (terminology, error);
  if (self->coder == NULL)
    return NULL;
  self->summarizer = rel_summarizer_new (error);
  if (self->summarizer == NULL)
    return NULL;
  self->matcher = rel_matcher_new (terminology, self->stopwords);
  self->neoplasms = rel_neoplasms_new (self->matcher, terminology, error);
  if (self->neoplasms == NULL)
    return NULL;

  return REL_ENGINE (g_steal_pointer (&self));
}

RelPseudonymizer *
rel_embedded_engine_get_pseudonymizer (RelEmbeddedEngine *self)
{
  g_return_val_if_fail (REL_IS_EMBEDDED_ENGINE (self), NULL);
  return self->pseudonymizer;
}

RelTerminology *
rel_embedded_engine_get_terminology (RelEmbeddedEngine *self)
{
  g_return_val_if_fail (REL_IS_EMBEDDED_ENGINE (self), NULL);
  return self->terminology;
}

GArray *
rel_embedded_engine_qualify_spans (RelEmbeddedEngine *self,
                                   const char        *text,
                                   gsize              length,
                                   GArray            *spans)
{
  g_autoptr(RelTokens) tokens = NULL;
  g_autoptr(GArray) sections = NULL;
  g_autoptr(GArray) cues = NULL;
  GArray *result;

  g_return_val_if_fail (REL_IS_EMBEDDED_ENGINE (self), NULL);

  tokens = rel_tokens_new (text, length, self->stopwords);
  sections = rel_sectioner_find (self->sectioner, tokens);
  cues = rel_qualifier_scan (self->qualifier, tokens);
  result = g_array_sized_new (FALSE, TRUE, sizeof (RelQualifiers), spans->len);

  for (guint i = 0; i < spans->len; i++)
    {
      const RelSpan *span = &g_array_index (spans, RelSpan, i);
      guint first = rel_tokens_find (tokens, span->start);
      guint last = span->end > 0 ? rel_tokens_find (tokens, span->end - 1) : first;
      RelQualifiers q = { 0 };

      if (first < rel_tokens_get_n (tokens))
        rel_qualifier_qualify (self->qualifier, tokens, cues, sections, first,
                               MAX (first, last), &q);
      g_array_append_val (result, q);
    }

  return result;
}
