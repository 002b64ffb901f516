/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-terminology.c: the bundled nomenclature, the ATIH importer and the search. */
#define G_LOG_DOMAIN "test-terminology"

#include "config.h"

#include <glib/gstdio.h>

#include "rel-terminology.h"

static RelTerminology *bundled;

static const char *
shared_csv (void)
{
  static char *path;

  /* meson points REL_SHARED_DATA at ../shared/data beside the checkout. */
  if (path == NULL)
    path = g_build_filename (g_getenv ("REL_SHARED_DATA") ? g_getenv ("REL_SHARED_DATA") : "",
                             "cim10", "cim10-atih-2022.csv", NULL);
  return path;
}

static void
test_bundled (void)
{
  GPtrArray *concepts = rel_terminology_get_concepts (bundled);
  GPtrArray *synonyms = rel_terminology_get_synonyms (bundled);
  const RelConcept *e1198;
  guint n_abbrev = 0, n_ambiguous = 0;
  g_autoptr(GHashTable) chapters = g_hash_table_new (g_str_hash, g_str_equal);

  g_assert_true (rel_terminology_is_bundled (bundled));
  g_assert_cmpuint (rel_terminology_get_n_codable (bundled), >=, 2500);
  g_assert_cmpuint (concepts->len, ==, rel_terminology_get_n_codable (bundled));
  g_assert_cmpuint (synonyms->len, >=, 4000);

  e1198 = rel_terminology_lookup (bundled, "E1198");
  g_assert_nonnull (e1198);
  g_assert_cmpint (e1198->type, ==, REL_CODE_TYPE_ANY);
  g_assert_null (rel_terminology_lookup (bundled, "E11"));
  g_assert_false (rel_terminology_is_codable (bundled, "E119"));

  for (guint i = 0; i < concepts->len; i++)
    {
      const RelConcept *concept = g_ptr_array_index (concepts, i);
      const RelChapter *chapter = rel_terminology_get_chapter (bundled, concept->code);

      g_assert_cmpint (concept->type, !=, REL_CODE_TYPE_NOT_CODABLE);
      g_assert_nonnull (chapter);
      g_assert_nonnull (rel_terminology_get_category_label (bundled, concept->code));
      g_hash_table_add (chapters, (gpointer) chapter->numeral);
    }
  /* Every chapter of the nomenclature is represented. */
  g_assert_cmpuint (g_hash_table_size (chapters), >=, 21);

  for (guint i = 0; i < synonyms->len; i++)
    {
      const RelSynonym *synonym = g_ptr_array_index (synonyms, i);

      for (guint j = 0; synonym->codes[j] != NULL; j++)
        g_assert_true (rel_terminology_is_codable (bundled, synonym->codes[j]));
      if (synonym->kind == REL_SYNONYM_ABBREV)
        n_abbrev++;
      else if (synonym->kind == REL_SYNONYM_AMBIGUOUS)
        {
          n_ambiguous++;
          g_assert_nonnull (synonym->codes[1]);
        }
    }
  g_assert_cmpuint (n_abbrev, >=, 200);
  g_assert_cmpuint (n_ambiguous, >=, 5);
}

static void
test_chapters (void)
{
  const RelChapter *chapter = rel_terminology_get_chapter (bundled, "I5019");

  g_assert_nonnull (chapter);
  g_assert_cmpstr (chapter->numeral, ==, "IX");
  chapter = rel_terminology_get_chapter (bundled, "T814");
  g_assert_cmpstr (chapter->numeral, ==, "XIX");
  chapter = rel_terminology_get_chapter (bundled, "D489");
  g_assert_cmpstr (chapter->numeral, ==, "II");
  chapter = rel_terminology_get_chapter (bundled, "D500");
  g_assert_cmpstr (chapter->numeral, ==, "III");
}

static void
test_code_forms (void)
{
  g_autofree char *d1 = rel_code_display ("E1198");
  g_autofree char *d2 = rel_code_display ("I10");
  g_autofree char *d3 = rel_code_display ("C169+0");
  g_autofree char *n1 = rel_code_normalize ("e11.98");
  g_autofree char *n2 = rel_code_normalize ("I50");
  g_autofree char *n3 = rel_code_normalize ("insuf");
  g_autofree char *n4 = rel_code_normalize ("12.3");

  g_assert_cmpstr (d1, ==, "E11.98");
  g_assert_cmpstr (d2, ==, "I10");
  g_assert_cmpstr (d3, ==, "C16.9+0");
  g_assert_cmpstr (n1, ==, "E1198");
  g_assert_cmpstr (n2, ==, "I50");
  g_assert_null (n3);
  g_assert_null (n4);
}

static const char *
first_code (RelTerminology *terminology,
            const char     *query)
{
  g_autoptr(GArray) hits = rel_terminology_search (terminology, query, 10);

  if (hits->len == 0)
    return NULL;
  return g_array_index (hits, RelSearchHit, 0).concept->code;
}

static gboolean
finds (RelTerminology *terminology,
       const char     *query,
       const char     *code,
       guint           within)
{
  g_autoptr(GArray) hits = rel_terminology_search (terminology, query, within);

  for (guint i = 0; i < hits->len; i++)
    {
      if (g_str_equal (g_array_index (hits, RelSearchHit, i).concept->code, code))
        return TRUE;
    }
  return FALSE;
}

static void
test_search_bundled (void)
{
  g_autoptr(GArray) hits = NULL;

  /* Codes, with or without the dot, any case. */
  g_assert_cmpstr (first_code (bundled, "E11.98"), ==, "E1198");
  g_assert_cmpstr (first_code (bundled, "e1198"), ==, "E1198");
  g_assert_true (g_str_has_prefix (first_code (bundled, "I50"), "I50"));
  hits = rel_terminology_search (bundled, "E11.9", 20);
  g_assert_cmpuint (hits->len, >=, 2);
  for (guint i = 0; i < hits->len; i++)
    g_assert_true (g_str_has_prefix (g_array_index (hits, RelSearchHit, i).concept->code,
                                     "E119"));

  /* Words: accents, case, prefixes, abbreviations. */
  g_assert_true (finds (bundled, "insuf card", "I509", 20));
  g_assert_true (finds (bundled, "INSUFFISANCE CARDIAQUE", "I509", 20));
  g_assert_true (finds (bundled, "pneumopathie pneumocoque", "J13", 10));
  g_assert_true (finds (bundled, "diabete type 2", "E1198", 10));
  g_assert_cmpstr (first_code (bundled, "HTA"), ==, "I10");
  g_assert_true (finds (bundled, "fémur col fracture", "S7200", 20));
  g_assert_null (first_code (bundled, "zzzzqqq"));
}

static char *
write_atih_file (const char *name,
                 const char *rows)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *cp1252 = NULL;
  gsize length;
  char *path = g_build_filename (g_get_tmp_dir (), name, NULL);

  cp1252 = g_convert (rows, -1, "WINDOWS-1252", "UTF-8", NULL, &length, &error);
  g_assert_no_error (error);
  g_file_set_contents (path, cp1252, length, &error);
  g_assert_no_error (error);
  return path;
}

/* The official layout: Windows-1252, CRLF, '|', codes padded with spaces. */
static const char atih_rows[] =
  "E11  |3|NNNN|3|DIABETE TYPE 2|Diabète sucré de type 2\r\n"
  "E119 |3|NNNN|3|DIABETE TYPE 2, SANS COMPLIC.|Diabète sucré de type 2, sans complication\r\n"
  "E1190|0|NOOO|0|DIABETE TYPE 2 INSULINOTRAITE|Diabète sucré de type 2 insulinotraité, sans complication\r\n"
  "E1198|0|NOOO|0|DIABETE TYPE 2 NON INSULINOTRAITE|Diabète sucré de type 2 non insulinotraité ou sans précision, sans complication\r\n"
  "I10  |0|NOOO|0|HYPERTENSION ESSENTIELLE|Hypertension essentielle (primitive)\r\n"
  "I50  |3|NNNN|3|INSUFFISANCE CARDIAQUE|Insuffisance cardiaque\r\n"
  "I509 |0|NOOO|0|INSUFFISANCE CARDIAQUE, SAI|Insuffisance cardiaque, sans précision\r\n"
  "W19  |2|NOOO|2|CHUTE, SAI|Chute, sans précision\r\n"
  "C169+0|0|NOOO|0|TUMEUR|Tumeur maligne de l'estomac — « œsophage » exclu\r\n";

static void
test_import_atih (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *source = write_atih_file ("LIBCIM10MULTI.TXT", atih_rows);
  g_autofree char *destination = rel_terminology_get_default_path ();
  g_autoptr(RelTerminology) imported = NULL;
  const RelConcept *concept;
  guint n_codes = 0;
  GStatBuf st;

  g_assert_true (rel_terminology_import (source, "2024", destination, &n_codes, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (n_codes, ==, 9);

  imported = rel_terminology_new_default (&error);
  g_assert_no_error (error);
  g_assert_false (rel_terminology_is_bundled (imported));
  g_assert_cmpstr (rel_terminology_get_edition (imported), ==, "2024");
  g_assert_cmpstr (rel_terminology_get_source (imported), ==, "LIBCIM10MULTI.TXT");
  g_assert_cmpuint (rel_terminology_get_concepts (imported)->len, ==, 9);
  g_assert_cmpuint (rel_terminology_get_n_codable (imported), ==, 6);

  concept = rel_terminology_lookup (imported, "E1198");
  g_assert_nonnull (concept);
  g_assert_cmpstr (concept->label, ==,
                   "Diabète sucré de type 2 non insulinotraité ou sans précision, "
                   "sans complication");
  g_assert_cmpstr (rel_terminology_lookup (imported, "C169+0")->label, ==,
                   "Tumeur maligne de l'estomac — « œsophage » exclu");
  g_assert_false (rel_terminology_is_codable (imported, "E11"));
  g_assert_cmpint (rel_terminology_lookup (imported, "W19")->type, ==, REL_CODE_TYPE_EXTERNAL);
  g_assert_cmpstr (rel_terminology_get_category_label (imported, "E1190"), ==,
                   "Diabète sucré de type 2");

  /* The bundled synonyms stay, for the codes the edition knows. */
  g_assert_cmpstr (first_code (imported, "HTA"), ==, "I10");
  for (guint i = 0; i < rel_terminology_get_synonyms (imported)->len; i++)
    {
      const RelSynonym *synonym = g_ptr_array_index (rel_terminology_get_synonyms (imported), i);

      g_assert_true (rel_terminology_is_codable (imported, synonym->codes[0]));
    }

  /* Codable codes come before their non-codable parent. */
  g_assert_cmpstr (first_code (imported, "E11"), !=, "E11");
  g_assert_cmpstr (first_code (imported, "insuf card"), ==, "I509");

  g_assert_cmpint (g_stat (destination, &st), ==, 0);
}

static void
test_import_malformed (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *good = write_atih_file ("good.txt", atih_rows);
  g_autofree char *destination = g_build_filename (g_get_tmp_dir (), "nomenclature.tsv", NULL);
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  const char *bad_files[] = {
    "I10  |0|NOOO|0|HTA|Hypertension\r\nI509 |0|NOOO|0|IC\r\n",           /* 5 fields */
    "I10  |0|NOOO|0|HTA|Hypertension\r\n1234 |0|NOOO|0|X|Pas un code\r\n", /* bad code */
    "I10  |0|NOOO|0|HTA|Hypertension\r\nI509 |9|NOOO|0|X|Type 9\r\n",      /* bad type */
    "I10  |0|NOOO|0|HTA|Hypertension\r\nI10  |0|NOOO|0|HTA|Encore\r\n",    /* repeated */
  };

  g_assert_true (rel_terminology_import (good, NULL, destination, NULL, NULL, &error));
  g_assert_no_error (error);
  g_file_get_contents (destination, &before, NULL, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (bad_files); i++)
    {
      g_autofree char *bad = write_atih_file ("bad.txt", bad_files[i]);

      g_assert_false (rel_terminology_import (bad, NULL, destination, NULL, NULL, &error));
      g_assert_error (error, REL_TERMINOLOGY_ERROR, REL_TERMINOLOGY_ERROR_MALFORMED);
      /* The message names the line so that IT can find it. */
      g_assert_nonnull (strstr (error->message, "2"));
      g_clear_error (&error);
    }

  g_file_get_contents (destination, &after, NULL, NULL);
  g_assert_cmpstr (before, ==, after);
}

static void
test_import_replaces (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *first = write_atih_file ("first.txt", atih_rows);
  g_autofree char *second = write_atih_file ("CIM10-2023.txt",
                                             "J13  |0|NOOO|0|PNEUMO|Pneumopathie due à "
                                             "Streptococcus pneumoniae\r\n");
  g_autofree char *destination = g_build_filename (g_get_tmp_dir (), "replace.tsv", NULL);
  g_autoptr(RelTerminology) terminology = NULL;

  g_assert_true (rel_terminology_import (first, NULL, destination, NULL, NULL, &error));
  g_assert_true (rel_terminology_import (second, NULL, destination, NULL, NULL, &error));
  g_assert_no_error (error);

  terminology = rel_terminology_new_from_file (destination, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (rel_terminology_get_concepts (terminology)->len, ==, 1);
  g_assert_null (rel_terminology_lookup (terminology, "E1198"));
  g_assert_cmpstr (rel_terminology_get_edition (terminology), ==, "2023");
}

static void
test_import_shared_csv (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *destination = g_build_filename (g_get_tmp_dir (), "atih2022.tsv", NULL);
  g_autoptr(RelTerminology) full = NULL;
  guint n_codes = 0;

  if (!g_file_test (shared_csv (), G_FILE_TEST_EXISTS))
    {
      g_test_skip ("../shared/data/cim10 is absent");
      return;
    }

  g_assert_true (rel_terminology_import (shared_csv (), NULL, destination, &n_codes, NULL,
                                         &error));
  g_assert_no_error (error);
  g_assert_cmpuint (n_codes, ==, 42886);

  full = rel_terminology_new_from_file (destination, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (rel_terminology_get_edition (full), ==, "2022");
  g_assert_true (rel_terminology_is_codable (full, "E1198"));
  g_assert_false (rel_terminology_is_codable (full, "E11"));
  g_assert_false (rel_terminology_is_codable (full, "E119"));
  g_assert_cmpint (rel_terminology_lookup (full, "E119")->type, ==, REL_CODE_TYPE_NOT_CODABLE);

  g_assert_cmpstr (first_code (full, "E11.98"), ==, "E1198");
  g_assert_true (finds (full, "insuf card", "I509", 20));
  g_assert_true (finds (full, "pneumopathie pneumocoque", "J13", 10));
  g_assert_cmpstr (first_code (full, "HTA"), ==, "I10");
  /* Non-codable parents come after every codable code. */
  {
    g_autoptr(GArray) hits = rel_terminology_search (full, "I50", 50);
    gboolean seen_parent = FALSE;

    for (guint i = 0; i < hits->len; i++)
      {
        const RelConcept *concept = g_array_index (hits, RelSearchHit, i).concept;

        if (concept->type == REL_CODE_TYPE_NOT_CODABLE)
          seen_parent = TRUE;
        else
          g_assert_false (seen_parent);
      }
  }
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GError) error = NULL;
  int status;

  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  bundled = rel_terminology_new_bundled (&error);
  g_assert_no_error (error);

  g_test_add_func ("/terminology/bundled", test_bundled);
  g_test_add_func ("/terminology/chapters", test_chapters);
  g_test_add_func ("/terminology/code-forms", test_code_forms);
  g_test_add_func ("/terminology/search/bundled", test_search_bundled);
  g_test_add_func ("/terminology/import/atih", test_import_atih);
  g_test_add_func ("/terminology/import/malformed", test_import_malformed);
  g_test_add_func ("/terminology/import/replaces", test_import_replaces);
  g_test_add_func ("/terminology/import/shared-csv", test_import_shared_csv);

  status = g_test_run ();
  g_clear_object (&bundled);
  return status;
}
