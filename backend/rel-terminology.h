/* SPDX-License-Identifier: GPL-3.0-or-later */
/* rel-terminology.h: the CIM-10 nomenclature, its synonyms and its search. */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define REL_TERMINOLOGY_ERROR (rel_terminology_error_quark ())

typedef enum
{
  REL_TERMINOLOGY_ERROR_MALFORMED,
  REL_TERMINOLOGY_ERROR_IO,
  REL_TERMINOLOGY_ERROR_EMPTY,
} RelTerminologyError;

/* The ATIH "type MCO" of a code: where PMSI allows it. */
typedef enum
{
  REL_CODE_TYPE_ANY = 0,         /* anywhere */
  REL_CODE_TYPE_NOT_DP_DR = 1,   /* not as principal or related diagnosis */
  REL_CODE_TYPE_EXTERNAL = 2,    /* external cause, not as DP nor DR */
  REL_CODE_TYPE_NOT_CODABLE = 3, /* a parent of finer codes */
  REL_CODE_TYPE_NOT_DP = 4,      /* not as principal diagnosis */
} RelCodeType;

typedef enum
{
  REL_SYNONYM_TERM,       /* matched case- and accent-insensitively */
  REL_SYNONYM_ABBREV,     /* a whole token, case-sensitive */
  REL_SYNONYM_AMBIGUOUS,  /* several readings: never suggested blindly */
} RelSynonymKind;

typedef struct
{
  const char  *code;      /* ATIH form, no dot: "E1198" */
  const char  *label;     /* French label */
  const char  *folded;    /* rel_text_fold() of the label, with a leading space */
  RelCodeType  type;
  guint        id;        /* position in rel_terminology_get_concepts() */
  gboolean     frequent;  /* among the codes MCO coders use most (the starter set) */
} RelConcept;

typedef struct
{
  const char      *expression;  /* as reports write it: "IRC stade 3" */
  const char      *folded;      /* rel_text_fold() of it, with a leading space */
  const char     **codes;       /* nul-terminated; several for an ambiguous one */
  RelSynonymKind   kind;
} RelSynonym;

typedef struct
{
  const char *numeral;    /* "IX" */
  const char *title;
  const char *first;      /* first 3-character category: "I00" */
  const char *last;
} RelChapter;

typedef struct
{
  const RelConcept *concept;
  const RelSynonym *synonym;  /* the synonym that matched, or %NULL */
  double            score;
} RelSearchHit;

#define REL_TYPE_TERMINOLOGY (rel_terminology_get_type ())
G_DECLARE_FINAL_TYPE (RelTerminology, rel_terminology, REL, TERMINOLOGY, GObject)

GQuark              rel_terminology_error_quark          (void);

/* The bundled starter nomenclature and synonyms. */
RelTerminology     *rel_terminology_new_bundled          (GError       **error);
/* A nomenclature written by rel_terminology_import(), plus the bundled synonyms. */
RelTerminology     *rel_terminology_new_from_file        (const char    *path,
                                                          GError       **error);
/* The imported nomenclature if there is one, else the bundled one. */
RelTerminology     *rel_terminology_new_default          (GError       **error);
/* Where rel_terminology_import() writes by default, under the user data directory. */
char               *rel_terminology_get_default_path     (void);

/* Reads the ATIH file (LIBCIM10MULTI.TXT: Windows-1252, CRLF, '|'-separated)
 * or the CSV of the same content and replaces @destination atomically.
 * A malformed file is refused with its line number and nothing changes. */
gboolean            rel_terminology_import               (const char    *source,
                                                          const char    *edition,
                                                          const char    *destination,
                                                          guint         *n_codes,
                                                          GCancellable  *cancellable,
                                                          GError       **error);

const RelConcept   *rel_terminology_lookup               (RelTerminology *self,
                                                          const char     *code);
gboolean            rel_terminology_is_codable           (RelTerminology *self,
                                                          const char     *code);
const RelChapter   *rel_terminology_get_chapter          (RelTerminology *self,
                                                          const char     *code);
const char         *rel_terminology_get_category_label   (RelTerminology *self,
                                                          const char     *code);
/* Ranked hits for a code prefix ("I50", "E11.9") or words ("insuf card"). */
GArray             *rel_terminology_search               (RelTerminology *self,
                                                          const char     *query,
                                                          guint           limit);

GPtrArray          *rel_terminology_get_concepts         (RelTerminology *self);
GPtrArray          *rel_terminology_get_synonyms         (RelTerminology *self);
guint               rel_terminology_get_n_codable        (RelTerminology *self);
const char         *rel_terminology_get_edition          (RelTerminology *self);
const char         *rel_terminology_get_source           (RelTerminology *self);
gboolean            rel_terminology_is_bundled           (RelTerminology *self);

/* "E1198" → "E11.98" */
char               *rel_code_display                     (const char *code);
/* "e11.98" → "E1198", or %NULL when @text is not shaped like a code. */
char               *rel_code_normalize                   (const char *text);

G_END_DECLS
