/* SPDX-License-Identifier: GPL-3.0-or-later */
/* rel-store.h: the coders' work in SQLite — documents, analyses, decisions,
 * summary feedback and an append-only audit log. */
#pragma once

#include <gio/gio.h>

#include "rel-analysis.h"

G_BEGIN_DECLS

#define REL_STORE_ERROR (rel_store_error_quark ())

typedef enum
{
  REL_STORE_ERROR_CORRUPT,   /* damaged, truncated or not a database */
  REL_STORE_ERROR_FOREIGN,   /* a database of another program */
  REL_STORE_ERROR_TOO_NEW,   /* written by a newer Relecture */
  REL_STORE_ERROR_READ_ONLY,
  REL_STORE_ERROR_FULL,
  REL_STORE_ERROR_BUSY,
  REL_STORE_ERROR_NOT_FOUND,
  REL_STORE_ERROR_INVALID,
  REL_STORE_ERROR_FAILED,
} RelStoreError;

/* The schema version this build writes (PRAGMA user_version). */
#define REL_STORE_SCHEMA_VERSION 3

/* Document status: "new", "in_progress", "validated". Decision status:
 * "accepted", "rejected", "added", "modified". Decision origin:
 * "suggested" (the latest analysis proposed the code) or "manual".
 * Summary verdict: "correct", "wrong", "edited". */

typedef struct
{
  gint64  id;
  char   *sha256;
  char   *path;
  char   *title;
  char   *kind;         /* "text" or "pdf" */
  char   *status;
  char   *created;      /* ISO 8601, UTC */
  char   *updated;
  guint   n_analyses;
  guint   n_kept;       /* codes accepted, added or modified */
  guint   n_rejected;
} RelStoreDocument;

typedef struct
{
  gint64  id;
  gint64  document_id;
  gint64  analysis_id;  /* the analysis that suggested the code, 0 when manual */
  char   *code;         /* ATIH form, no dot */
  char   *label;
  char   *role;         /* "DP", "DAS" or %NULL */
  char   *status;
  char   *origin;
  char   *replaces;     /* the code a "modified" decision corrects */
  char   *user;
  char   *time;
  char   *comment;
} RelDecision;

typedef struct
{
  char   *key;          /* the user or the engine */
  char   *code;
  guint   n_decided;    /* suggestions of the code that got a decision */
  guint   n_accepted;
  double  rate;
} RelAcceptance;

void              rel_store_document_free    (RelStoreDocument *document);
void              rel_decision_free          (RelDecision      *decision);
void              rel_acceptance_free        (RelAcceptance    *acceptance);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (RelStoreDocument, rel_store_document_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (RelDecision, rel_decision_free)

#define REL_TYPE_STORE (rel_store_get_type ())
G_DECLARE_FINAL_TYPE (RelStore, rel_store, REL, STORE, GObject)

GQuark            rel_store_error_quark      (void);

/* relecture/relecture.db under the user data directory, or $RELECTURE_DB. */
char             *rel_store_default_path     (void);

/* Opens the store at @path (%NULL for the default), creating it with mode
 * 0600 and migrating an older schema. A file that is damaged, truncated,
 * foreign, newer or read-only is refused and left untouched. */
RelStore         *rel_store_new              (const char  *path,
                                              GError     **error);
const char       *rel_store_get_path         (RelStore    *self);
int               rel_store_get_schema_version (RelStore  *self);

/* Documents and analyses. The document is keyed by its sha256; the store
 * keeps its path and the pseudonymized text of @analysis, never the report. */
gint64            rel_store_record_analysis  (RelStore     *self,
                                              RelAnalysis  *analysis,
                                              const char   *user,
                                              gint64       *out_analysis_id,
                                              GError      **error);
RelStoreDocument *rel_store_get_document     (RelStore     *self,
                                              gint64        document_id,
                                              GError      **error);
/* @key: a document id, a sha256 (or its first 8+ characters) or a path. */
RelStoreDocument *rel_store_find_document    (RelStore     *self,
                                              const char   *key,
                                              GError      **error);
/* The pseudonymized analysis JSON last recorded (nullable, no error). */
JsonNode         *rel_store_get_latest_analysis (RelStore  *self,
                                              gint64        document_id,
                                              gint64       *out_analysis_id,
                                              GError      **error);
gboolean          rel_store_set_status       (RelStore     *self,
                                              gint64        document_id,
                                              const char   *status,
                                              const char   *user,
                                              GError      **error);

/* Decisions. @role %NULL keeps the suggested (or previous) role; @label %NULL
 * the suggested one. "modified" needs @replaces, which becomes rejected.
 * Setting a DP makes the document's previous DP a DAS. Returns once the
 * decision is on disk. */
gboolean          rel_store_decide           (RelStore     *self,
                                              gint64        document_id,
                                              const char   *code,
                                              const char   *status,
                                              const char   *role,
                                              const char   *label,
                                              const char   *replaces,
                                              const char   *user,
                                              const char   *comment,
                                              GError      **error);
/* Reverts the document's latest change of decisions not already undone;
 * %FALSE without error when there is nothing to undo. */
gboolean          rel_store_undo             (RelStore     *self,
                                              gint64        document_id,
                                              const char   *user,
                                              GError      **error);
/* RelDecision*, by code. */
GPtrArray        *rel_store_list_decisions   (RelStore     *self,
                                              gint64        document_id,
                                              GError      **error);

/* Summary feedback on item @item (0-based) of section @section of the latest
 * analysis; the item's words are taken from the stored analysis. */
gboolean          rel_store_judge_summary_item (RelStore   *self,
                                              gint64        document_id,
                                              const char   *section,
                                              guint         item,
                                              const char   *verdict,
                                              const char   *edited_text,
                                              const char   *user,
                                              GError      **error);
gboolean          rel_store_rate_summary     (RelStore     *self,
                                              gint64        document_id,
                                              int           rating,
                                              const char   *comment,
                                              const char   *user,
                                              GError      **error);

/* The worklist. @status %NULL for all; RelStoreDocument*, oldest first. */
GPtrArray        *rel_store_list_documents   (RelStore     *self,
                                              const char   *status,
                                              guint         offset,
                                              guint         limit,
                                              GError      **error);
/* Counts of "new", "in_progress", "validated", in that order. */
gboolean          rel_store_count_by_status  (RelStore     *self,
                                              guint         counts[3],
                                              GError      **error);
/* The first new document after @after_id (wrapping round); %NULL without
 * error when none is left. */
RelStoreDocument *rel_store_next_undecided   (RelStore     *self,
                                              gint64        after_id,
                                              GError      **error);
/* RelAcceptance* by @by ("user" or "engine") and code. */
GPtrArray        *rel_store_acceptance       (RelStore     *self,
                                              const char   *by,
                                              GError      **error);
/* Number of rows of the audit log about @document_id (0: all). */
gint64            rel_store_count_audit      (RelStore     *self,
                                              gint64        document_id,
                                              GError      **error);

/* Exports (rel-export.c). @since: ISO 8601 date or %NULL; @status: the
 * documents' status or %NULL for all. */
typedef enum
{
  REL_EXPORT_CSV,
  REL_EXPORT_FHIR,
  REL_EXPORT_JSONL,
} RelExportFormat;

gboolean          rel_store_export           (RelStore       *self,
                                              RelExportFormat format,
                                              const char     *since,
                                              const char     *status,
                                              GOutputStream  *out,
                                              GCancellable   *cancellable,
                                              GError        **error);
/* Merges a JSONL export; importing it again changes nothing. */
gboolean          rel_store_import_jsonl     (RelStore       *self,
                                              GInputStream   *in,
                                              const char     *user,
                                              guint          *out_documents,
                                              guint          *out_decisions,
                                              GCancellable   *cancellable,
                                              GError        **error);

G_END_DECLS
