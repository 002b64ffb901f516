/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-store.c: the SQLite store — schema and migrations, refused files,
 * decisions and their undo, the worklist, feedback, exports and import. */
#define _GNU_SOURCE
#define G_LOG_DOMAIN "test-store"

#include "config.h"

#include <glib/gstdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "rel-embedded-engine.h"
#include "rel-store-private.h"

static RelTerminology *terminology;
static RelEngine *engine;
static char *folder;
static guint counter;

static char *
new_path (void)
{
  return g_strdup_printf ("%s/store-%u.db", folder, ++counter);
}

static char *
file_digest (const char *path)
{
  g_autofree char *contents = NULL;
  gsize length = 0;

  if (!g_file_get_contents (path, &contents, &length, NULL))
    return NULL;
  return g_compute_checksum_for_data (G_CHECKSUM_SHA256, (const guchar *) contents, length);
}

static RelAnalysis *
analyze_sample (const char *name)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, "..", "data", "samples", name, NULL);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(RelDocument) document = rel_document_new_from_file (file, 0, NULL, &error);
  RelAnalysis *analysis;

  g_assert_no_error (error);
  analysis = rel_engine_analyze (engine, document, NULL, &error);
  g_assert_no_error (error);
  return analysis;
}

static gint64
sql_int (RelStore   *store,
         const char *sql)
{
  sqlite3_stmt *statement = NULL;
  gint64 value;

  g_assert_cmpint (sqlite3_prepare_v2 (rel_store_get_handle (store), sql, -1, &statement, NULL),
                   ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (statement), ==, SQLITE_ROW);
  value = sqlite3_column_int64 (statement, 0);
  sqlite3_finalize (statement);
  return value;
}

static char *
sql_text (RelStore   *store,
          const char *sql)
{
  sqlite3_stmt *statement = NULL;
  char *value;

  g_assert_cmpint (sqlite3_prepare_v2 (rel_store_get_handle (store), sql, -1, &statement, NULL),
                   ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (statement), ==, SQLITE_ROW);
  value = g_strdup ((const char *) sqlite3_column_text (statement, 0));
  sqlite3_finalize (statement);
  return value;
}

static const RelDecision *
find_decision (GPtrArray  *decisions,
               const char *code)
{
  for (guint i = 0; i < decisions->len; i++)
    {
      const RelDecision *decision = g_ptr_array_index (decisions, i);

      if (g_str_equal (decision->code, code))
        return decision;
    }
  return NULL;
}

static void
test_create (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_strdup_printf ("%s/nested/folder/relecture.db", folder);
  g_autoptr(RelStore) store = NULL;
  g_autofree char *mode = NULL;
  struct stat info;
  mode_t old_mask = umask (022);

  store = rel_store_new (path, &error);
  umask (old_mask);
  g_assert_no_error (error);
  g_assert_cmpint (rel_store_get_schema_version (store), ==, REL_STORE_SCHEMA_VERSION);
  g_assert_cmpint (g_stat (path, &info), ==, 0);
  g_assert_cmpint (info.st_mode & 0777, ==, 0600);
  mode = sql_text (store, "PRAGMA journal_mode");
  g_assert_cmpstr (mode, ==, "wal");
  g_assert_cmpint (sql_int (store, "PRAGMA synchronous"), ==, 2);
  g_assert_cmpint (sql_int (store, "PRAGMA foreign_keys"), ==, 1);
  g_assert_cmpint (sql_int (store, "PRAGMA application_id"), ==, 1380273219);
  g_assert_cmpint (sql_int (store, "PRAGMA user_version"), ==, REL_STORE_SCHEMA_VERSION);
  g_clear_object (&store);

  /* Opened again: the same, nothing migrated twice. */
  store = rel_store_new (path, &error);
  g_assert_no_error (error);
  g_assert_cmpint (rel_store_get_schema_version (store), ==, REL_STORE_SCHEMA_VERSION);
}

/* A store left at each older version, with data of that version, opens
 * migrated and keeps its data. */
static void
test_migrations (void)
{
  for (int version = 0; version < REL_STORE_SCHEMA_VERSION; version++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *path = new_path ();
      g_autoptr(RelStore) store = NULL;
      g_autoptr(GPtrArray) decisions = NULL;

      g_assert_true (rel_store_create_at_version (path, version, &error));
      g_assert_no_error (error);

      if (version >= 1)
        {
          sqlite3 *db = NULL;

          g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
          g_assert_cmpint (sqlite3_exec (db,
            "INSERT INTO documents (sha256, title, created, updated) "
            "VALUES ('0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef', 'ancien',"
            "        '2025-01-01T00:00:00Z', '2025-01-01T00:00:00Z');"
            "INSERT INTO decisions (document_id, code, role, status, origin, user, time) "
            "VALUES (1, 'I10', 'DAS', 'accepted', 'manual', 'dim', '2025-01-01T00:00:00Z');",
            NULL, NULL, NULL), ==, SQLITE_OK);
          sqlite3_close (db);
        }

      store = rel_store_new (path, &error);
      g_assert_no_error (error);
      g_assert_cmpint (rel_store_get_schema_version (store), ==, REL_STORE_SCHEMA_VERSION);
      g_assert_cmpint (sql_int (store, "PRAGMA user_version"), ==, REL_STORE_SCHEMA_VERSION);
      /* The tables of the latest version are there. */
      g_assert_cmpint (sql_int (store, "SELECT count(*) FROM summary_ratings"), ==, 0);

      if (version >= 1)
        {
          decisions = rel_store_list_decisions (store, 1, &error);
          g_assert_no_error (error);
          g_assert_cmpuint (decisions->len, ==, 1);
          g_assert_cmpstr (((RelDecision *) g_ptr_array_index (decisions, 0))->code, ==, "I10");
          g_assert_true (rel_store_rate_summary (store, 1, 4, NULL, "dim", &error));
          g_assert_no_error (error);
        }
    }
}

static void
assert_refused (const char    *path,
                RelStoreError  code)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *before = file_digest (path);
  g_autofree char *after = NULL;
  g_autofree char *wal = g_strconcat (path, "-wal", NULL);
  gboolean had_wal = g_file_test (wal, G_FILE_TEST_EXISTS);
  g_autoptr(RelStore) store = rel_store_new (path, &error);

  g_assert_null (store);
  g_assert_error (error, REL_STORE_ERROR, (int) code);
  g_assert_nonnull (error->message);
  after = file_digest (path);
  g_assert_cmpstr (before, ==, after);
  g_assert_cmpint (g_file_test (wal, G_FILE_TEST_EXISTS), ==, had_wal);
}

static void
test_refused_files (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *valid = new_path ();
  g_autofree char *contents = NULL;
  gsize length = 0;

  /* A real store with some pages, to damage in copies. */
  {
    g_autoptr(RelStore) store = rel_store_new (valid, &error);
    g_autoptr(RelAnalysis) analysis = analyze_sample ("crh-cardiologie.txt");

    g_assert_no_error (error);
    g_assert_cmpint (rel_store_record_analysis (store, analysis, "dim", NULL, &error), >, 0);
    g_assert_no_error (error);
  }
  g_assert_true (g_file_get_contents (valid, &contents, &length, NULL));
  g_assert_cmpuint (length, >, 8 * 4096);

  /* Random bytes. */
  {
    g_autofree char *path = new_path ();
    g_autofree char *noise = g_malloc (20000);

    for (guint i = 0; i < 20000; i++)
      noise[i] = (char) g_test_rand_int_range (0, 256);
    g_assert_true (g_file_set_contents (path, noise, 20000, NULL));
    assert_refused (path, REL_STORE_ERROR_CORRUPT);
  }

  /* A plain text file. */
  {
    g_autofree char *path = new_path ();

    g_assert_true (g_file_set_contents (path, "Compte rendu\n", -1, NULL));
    assert_refused (path, REL_STORE_ERROR_CORRUPT);
  }

  /* Truncated in the middle of the file, and in the middle of a page. */
  {
    g_autofree char *path = new_path ();
    g_autofree char *odd = new_path ();

    g_assert_true (g_file_set_contents (path, contents, (length / 4096 / 2) * 4096, NULL));
    assert_refused (path, REL_STORE_ERROR_CORRUPT);
    g_assert_true (g_file_set_contents (odd, contents, length - 1000, NULL));
    assert_refused (odd, REL_STORE_ERROR_CORRUPT);
  }

  /* A page of the tables overwritten. */
  {
    g_autofree char *path = new_path ();
    g_autofree char *damaged = g_memdup2 (contents, length);

    for (gsize i = 2 * 4096; i < 4 * 4096; i++)
      damaged[i] = (char) (i * 7);
    g_assert_true (g_file_set_contents (path, damaged, length, NULL));
    assert_refused (path, REL_STORE_ERROR_CORRUPT);
  }

  /* Another program's database. */
  {
    g_autofree char *path = new_path ();
    sqlite3 *db = NULL;

    g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
    g_assert_cmpint (sqlite3_exec (db, "CREATE TABLE patients (name TEXT);", NULL, NULL, NULL),
                     ==, SQLITE_OK);
    sqlite3_close (db);
    assert_refused (path, REL_STORE_ERROR_FOREIGN);

    g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
    g_assert_cmpint (sqlite3_exec (db, "PRAGMA application_id = 42;", NULL, NULL, NULL),
                     ==, SQLITE_OK);
    sqlite3_close (db);
    assert_refused (path, REL_STORE_ERROR_FOREIGN);
  }

  /* Written by a newer Relecture. */
  {
    g_autofree char *path = new_path ();
    sqlite3 *db = NULL;

    g_assert_true (g_file_set_contents (path, contents, length, NULL));
    g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
    g_assert_cmpint (sqlite3_exec (db, "PRAGMA user_version = 99;", NULL, NULL, NULL),
                     ==, SQLITE_OK);
    sqlite3_close (db);
    assert_refused (path, REL_STORE_ERROR_TOO_NEW);
  }

  /* A folder. */
  assert_refused (folder, REL_STORE_ERROR_FOREIGN);
}

static void
test_read_only (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(RelStore) store = NULL;

  /* A folder nobody can write in. */
  store = rel_store_new ("/proc/relecture/relecture.db", &error);
  g_assert_null (store);
  g_assert_error (error, REL_STORE_ERROR, REL_STORE_ERROR_READ_ONLY);
  g_clear_error (&error);

  if (geteuid () == 0)
    {
      g_test_message ("running as root: file permissions do not stop writes");
      return;
    }

  {
    g_autofree char *path = new_path ();

    store = rel_store_new (path, &error);
    g_assert_no_error (error);
    g_clear_object (&store);
    g_assert_cmpint (g_chmod (path, 0400), ==, 0);
    assert_refused (path, REL_STORE_ERROR_READ_ONLY);
  }
}

/* When the disk fills, the change fails with an error and what was saved
 * before stays. */
static void
test_full (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = new_path ();
  g_autoptr(RelStore) store = rel_store_new (path, &error);
  g_autoptr(RelAnalysis) analysis = analyze_sample ("crh-cardiologie.txt");
  g_autoptr(GPtrArray) decisions = NULL;
  gint64 document_id;
  guint saved = 0;
  char sql[64];

  g_assert_no_error (error);
  document_id = rel_store_record_analysis (store, analysis, "dim", NULL, &error);
  g_assert_no_error (error);

  g_snprintf (sql, sizeof sql, "PRAGMA max_page_count = %" G_GINT64_FORMAT,
              sql_int (store, "PRAGMA page_count") + 2);
  g_assert_cmpint (sqlite3_exec (rel_store_get_handle (store), sql, NULL, NULL, NULL),
                   ==, SQLITE_OK);
  for (guint i = 0; i < 10000; i++)
    {
      g_autofree char *code = g_strdup_printf ("Z%05u", i);
      g_autofree char *comment = g_strnfill (200, 'x');

      if (!rel_store_decide (store, document_id, code, "added", NULL, NULL, NULL, "dim",
                             comment, &error))
        break;
      saved++;
    }
  g_assert_error (error, REL_STORE_ERROR, REL_STORE_ERROR_FULL);
  g_clear_error (&error);
  g_assert_cmpuint (saved, >, 0);
  g_clear_object (&store);

  store = rel_store_new (path, &error);
  g_assert_no_error (error);
  decisions = rel_store_list_decisions (store, document_id, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (decisions->len, ==, saved);
  {
    g_autofree char *check = sql_text (store, "PRAGMA integrity_check");

    g_assert_cmpstr (check, ==, "ok");
  }
}

/* Whether @words stand in @bytes as a whole: a postcode inside a longer
 * number (a timing printed as 0.041999999999999996) is not that postcode. */
static gboolean
contains_word (const char *bytes,
               gsize       length,
               const char *words)
{
  gsize n = strlen (words);
  const char *end = bytes + length;

  for (const char *at = memmem (bytes, length, words, n);
       at != NULL;
       at = memmem (at + 1, end - (at + 1), words, n))
    {
      if ((at == bytes || !g_ascii_isalnum (at[-1])) &&
          (at + n == end || !g_ascii_isalnum (at[n])))
        return TRUE;
    }

  return FALSE;
}

/* What the store keeps of an analysis: the pseudonymized text, offsets into
 * it, and no identifying word of the report. */
static void
test_pseudonymized (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = new_path ();
  g_autoptr(RelStore) store = rel_store_new (path, &error);
  g_autoptr(RelAnalysis) analysis = analyze_sample ("crh-cardiologie.txt");
  g_autoptr(JsonNode) stored = NULL;
  g_autofree char *contents = NULL;
  g_autofree char *wal_contents = NULL;
  g_autofree char *wal = g_strconcat (path, "-wal", NULL);
  const char *original = rel_document_get_text (rel_analysis_get_document (analysis));
  const char *pseudonymized = rel_analysis_get_pseudonymized_text (analysis);
  GPtrArray *phi = rel_analysis_get_phi (analysis);
  JsonArray *codes;
  gsize length = 0;
  gsize wal_length = 0;
  gint64 document_id;
  guint n_checked = 0;

  g_assert_no_error (error);
  document_id = rel_store_record_analysis (store, analysis, "dim", NULL, &error);
  g_assert_no_error (error);
  stored = rel_store_get_latest_analysis (store, document_id, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (stored);

  /* Every quoted span is the pseudonymized text at its offsets. */
  codes = json_object_get_array_member (json_node_get_object (stored), "codes");
  g_assert_cmpuint (json_array_get_length (codes), >, 3);
  for (guint i = 0; i < json_array_get_length (codes); i++)
    {
      JsonArray *evidence = json_object_get_array_member (json_array_get_object_element (codes, i),
                                                          "evidence");

      for (guint j = 0; j < json_array_get_length (evidence); j++)
        {
          JsonObject *span = json_array_get_object_element (evidence, j);
          gint64 start = json_object_get_int_member (span, "start");
          gint64 end = json_object_get_int_member (span, "end");
          const char *words = json_object_get_string_member (span, "text");

          g_assert_cmpint (end, <=, strlen (pseudonymized));
          g_assert_cmpmem (pseudonymized + start, end - start, words, strlen (words));
          n_checked++;
        }
    }
  g_assert_cmpuint (n_checked, >, 5);
  g_assert_null (json_object_get_member (json_object_get_object_member (json_node_get_object (stored),
                                                                        "document"), "path"));
  g_clear_object (&store);

  /* No identifying words anywhere in the files. */
  g_assert_true (g_file_get_contents (path, &contents, &length, NULL));
  g_file_get_contents (wal, &wal_contents, &wal_length, NULL);
  g_assert_cmpuint (phi->len, >, 10);
  for (guint i = 0; i < phi->len; i++)
    {
      const RelPhi *span = g_ptr_array_index (phi, i);
      g_autofree char *words = g_strndup (original + span->start, span->end - span->start);

      if (strlen (words) < 5 || g_str_equal (span->label, "HOPITAL") ||
          g_str_equal (span->label, "VILLE"))
        continue;
      if (contains_word (contents, length, words) ||
          (wal_contents != NULL && contains_word (wal_contents, wal_length, words)))
        g_error ("identifying data of label %s found in the database", span->label);
    }
}

static void
test_decisions (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = new_path ();
  g_autoptr(RelStore) store = rel_store_new (path, &error);
  g_autoptr(RelAnalysis) analysis = analyze_sample ("crh-cardiologie.txt");
  g_autoptr(GPtrArray) decisions = NULL;
  g_autoptr(RelStoreDocument) document = NULL;
  GPtrArray *codes = rel_analysis_get_codes (analysis);
  const RelCodeSuggestion *first;
  const RelCodeSuggestion *second;
  const RelCodeSuggestion *third;
  gint64 document_id;
  gint64 analysis_id = 0;
  gint64 n_audit;

  g_assert_no_error (error);
  g_assert_cmpuint (codes->len, >=, 3);
  first = g_ptr_array_index (codes, 0);
  second = g_ptr_array_index (codes, 1);
  third = g_ptr_array_index (codes, 2);
  g_assert_cmpstr (first->role, ==, "DP");

  document_id = rel_store_record_analysis (store, analysis, "dim", &analysis_id, &error);
  g_assert_no_error (error);
  g_assert_cmpint (analysis_id, >, 0);
  /* The same report again: the same document, a second analysis. */
  g_assert_cmpint (rel_store_record_analysis (store, analysis, "dim", NULL, &error), ==,
                   document_id);
  document = rel_store_get_document (store, document_id, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (document->status, ==, "new");
  g_assert_cmpuint (document->n_analyses, ==, 2);
  g_assert_cmpstr (document->title, ==, "crh-cardiologie.txt");
  g_clear_pointer (&document, rel_store_document_free);

  /* Accept the DP, reject the second, correct the third. */
  g_assert_true (rel_store_decide (store, document_id, first->code, "accepted", NULL, NULL, NULL,
                                   "dim", NULL, &error));
  g_assert_true (rel_store_decide (store, document_id, second->code, "rejected", NULL, NULL,
                                   NULL, "dim", "pas retenu", &error));
  g_assert_true (rel_store_decide (store, document_id, "I10", "modified", "DAS",
                                   "Hypertension essentielle", third->code, "dim", NULL, &error));
  g_assert_no_error (error);

  decisions = rel_store_list_decisions (store, document_id, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (decisions->len, ==, 4);
  g_assert_cmpstr (find_decision (decisions, first->code)->role, ==, "DP");
  g_assert_cmpstr (find_decision (decisions, first->code)->origin, ==, "suggested");
  g_assert_cmpstr (find_decision (decisions, first->code)->label, ==, first->label);
  g_assert_cmpstr (find_decision (decisions, second->code)->status, ==, "rejected");
  g_assert_null (find_decision (decisions, second->code)->role);
  g_assert_cmpstr (find_decision (decisions, second->code)->comment, ==, "pas retenu");
  g_assert_cmpstr (find_decision (decisions, third->code)->status, ==, "rejected");
  g_assert_cmpstr (find_decision (decisions, "I10")->status, ==, "modified");
  g_assert_cmpstr (find_decision (decisions, "I10")->replaces, ==, third->code);
  g_clear_pointer (&decisions, g_ptr_array_unref);

  document = rel_store_get_document (store, document_id, &error);
  g_assert_cmpstr (document->status, ==, "in_progress");
  g_assert_cmpuint (document->n_kept, ==, 2);
  g_assert_cmpuint (document->n_rejected, ==, 2);
  g_clear_pointer (&document, rel_store_document_free);

  /* One DP: setting another makes the first a DAS, and one undo reverts both. */
  g_assert_true (rel_store_decide (store, document_id, "J189", "added", "DP", NULL, NULL, "dim",
                                   NULL, &error));
  decisions = rel_store_list_decisions (store, document_id, &error);
  g_assert_cmpstr (find_decision (decisions, first->code)->role, ==, "DAS");
  g_assert_cmpstr (find_decision (decisions, "J189")->role, ==, "DP");
  g_assert_cmpstr (find_decision (decisions, "J189")->origin, ==, "manual");
  g_clear_pointer (&decisions, g_ptr_array_unref);

  g_assert_true (rel_store_undo (store, document_id, "dim", &error));
  g_assert_no_error (error);
  decisions = rel_store_list_decisions (store, document_id, &error);
  g_assert_null (find_decision (decisions, "J189"));
  g_assert_cmpstr (find_decision (decisions, first->code)->role, ==, "DP");
  g_clear_pointer (&decisions, g_ptr_array_unref);

  /* The correction next: the rejected code comes back undecided. */
  g_assert_true (rel_store_undo (store, document_id, "dim", &error));
  decisions = rel_store_list_decisions (store, document_id, &error);
  g_assert_null (find_decision (decisions, "I10"));
  g_assert_null (find_decision (decisions, third->code));
  g_assert_cmpuint (decisions->len, ==, 2);
  g_clear_pointer (&decisions, g_ptr_array_unref);

  g_assert_true (rel_store_undo (store, document_id, "dim", &error));
  g_assert_true (rel_store_undo (store, document_id, "dim", &error));
  decisions = rel_store_list_decisions (store, document_id, &error);
  g_assert_cmpuint (decisions->len, ==, 0);
  g_clear_pointer (&decisions, g_ptr_array_unref);
  g_assert_false (rel_store_undo (store, document_id, "dim", &error));
  g_assert_no_error (error);

  /* Bad values are refused with an error. */
  g_assert_false (rel_store_decide (store, document_id, "I10", "maybe", NULL, NULL, NULL, "dim",
                                    NULL, &error));
  g_assert_error (error, REL_STORE_ERROR, REL_STORE_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_false (rel_store_decide (store, document_id, "I10", "accepted", "DR", NULL, NULL,
                                    "dim", NULL, &error));
  g_assert_error (error, REL_STORE_ERROR, REL_STORE_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_false (rel_store_decide (store, document_id + 100, "I10", "accepted", NULL, NULL,
                                    NULL, "dim", NULL, &error));
  g_assert_error (error, REL_STORE_ERROR, REL_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);

  /* The audit log only grows. */
  n_audit = rel_store_count_audit (store, document_id, &error);
  g_assert_cmpint (n_audit, >=, 12);
  g_assert_cmpint (sqlite3_exec (rel_store_get_handle (store), "UPDATE audit SET user = 'x'",
                                 NULL, NULL, NULL), ==, SQLITE_CONSTRAINT_TRIGGER);
  g_assert_cmpint (sqlite3_exec (rel_store_get_handle (store), "DELETE FROM audit",
                                 NULL, NULL, NULL), ==, SQLITE_CONSTRAINT_TRIGGER);
  g_assert_cmpint (rel_store_count_audit (store, document_id, &error), ==, n_audit);

  /* Found by id, sha256 prefix and path. */
  document = rel_store_find_document (store, "1", &error);
  g_assert_no_error (error);
  g_assert_cmpint (document->id, ==, document_id);
  g_clear_pointer (&document, rel_store_document_free);
  {
    g_autofree char *prefix = g_strndup (rel_document_get_sha256 (rel_analysis_get_document (analysis)), 10);

    document = rel_store_find_document (store, prefix, &error);
    g_assert_no_error (error);
    g_assert_cmpint (document->id, ==, document_id);
    g_clear_pointer (&document, rel_store_document_free);
  }
  document = rel_store_find_document (store,
                                      rel_document_get_path (rel_analysis_get_document (analysis)),
                                      &error);
  g_assert_no_error (error);
  g_clear_pointer (&document, rel_store_document_free);
  document = rel_store_find_document (store, "nowhere.txt", &error);
  g_assert_null (document);
  g_assert_error (error, REL_STORE_ERROR, REL_STORE_ERROR_NOT_FOUND);
}

static const char * const samples[] = {
  "crh-cardiologie.txt", "crh-pneumologie.txt", "crh-neurologie.txt", "crh-geriatrie.txt",
};

static RelStore *
store_with_samples (const char *path,
                    gint64      ids[G_N_ELEMENTS (samples)])
{
  g_autoptr(GError) error = NULL;
  RelStore *store = rel_store_new (path, &error);

  g_assert_no_error (error);
  for (guint i = 0; i < G_N_ELEMENTS (samples); i++)
    {
      g_autoptr(RelAnalysis) analysis = analyze_sample (samples[i]);

      ids[i] = rel_store_record_analysis (store, analysis, "dim", NULL, &error);
      g_assert_no_error (error);
    }
  return store;
}

static void
test_worklist (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = new_path ();
  gint64 ids[G_N_ELEMENTS (samples)];
  g_autoptr(RelStore) store = store_with_samples (path, ids);
  g_autoptr(GPtrArray) documents = NULL;
  g_autoptr(GPtrArray) rates = NULL;
  g_autoptr(RelStoreDocument) next = NULL;
  guint counts[3];

  g_assert_true (rel_store_decide (store, ids[0], "J189", "added", NULL, NULL, NULL, "anne", NULL,
                                   &error));
  g_assert_true (rel_store_set_status (store, ids[1], "validated", "anne", &error));
  g_assert_no_error (error);

  g_assert_true (rel_store_count_by_status (store, counts, &error));
  g_assert_cmpuint (counts[0], ==, 2);
  g_assert_cmpuint (counts[1], ==, 1);
  g_assert_cmpuint (counts[2], ==, 1);

  documents = rel_store_list_documents (store, "new", 0, 50, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (documents->len, ==, 2);
  g_assert_cmpint (((RelStoreDocument *) g_ptr_array_index (documents, 0))->id, ==, ids[2]);
  g_clear_pointer (&documents, g_ptr_array_unref);
  documents = rel_store_list_documents (store, NULL, 1, 2, &error);
  g_assert_cmpuint (documents->len, ==, 2);
  g_assert_cmpint (((RelStoreDocument *) g_ptr_array_index (documents, 0))->id, ==, ids[1]);
  g_clear_pointer (&documents, g_ptr_array_unref);
  g_assert_null (rel_store_list_documents (store, "done", 0, 50, &error));
  g_assert_error (error, REL_STORE_ERROR, REL_STORE_ERROR_INVALID);
  g_clear_error (&error);

  /* The next undecided after the third is the fourth, then it wraps. */
  next = rel_store_next_undecided (store, ids[2], &error);
  g_assert_cmpint (next->id, ==, ids[3]);
  g_clear_pointer (&next, rel_store_document_free);
  next = rel_store_next_undecided (store, ids[3], &error);
  g_assert_cmpint (next->id, ==, ids[2]);
  g_clear_pointer (&next, rel_store_document_free);
  g_assert_true (rel_store_set_status (store, ids[2], "validated", "anne", &error));
  g_assert_true (rel_store_set_status (store, ids[3], "validated", "anne", &error));
  next = rel_store_next_undecided (store, 0, &error);
  g_assert_null (next);
  g_assert_no_error (error);

  /* Acceptance: two users on the suggestions of the second report. */
  {
    g_autoptr(JsonNode) analysis = rel_store_get_latest_analysis (store, ids[0], NULL, &error);
    JsonArray *codes = json_object_get_array_member (json_node_get_object (analysis), "codes");
    const char *a = json_object_get_string_member (json_array_get_object_element (codes, 0),
                                                   "code");
    const char *b = json_object_get_string_member (json_array_get_object_element (codes, 1),
                                                   "code");

    g_assert_true (rel_store_decide (store, ids[0], a, "accepted", NULL, NULL, NULL, "anne", NULL,
                                     &error));
    g_assert_true (rel_store_decide (store, ids[0], b, "rejected", NULL, NULL, NULL, "bruno", NULL,
                                     &error));
    g_assert_no_error (error);

    rates = rel_store_acceptance (store, "user", &error);
    g_assert_no_error (error);
    g_assert_cmpuint (rates->len, ==, 2);
    g_assert_cmpstr (((RelAcceptance *) g_ptr_array_index (rates, 0))->key, ==, "anne");
    g_assert_cmpfloat (((RelAcceptance *) g_ptr_array_index (rates, 0))->rate, ==, 1.0);
    g_assert_cmpstr (((RelAcceptance *) g_ptr_array_index (rates, 1))->key, ==, "bruno");
    g_assert_cmpfloat (((RelAcceptance *) g_ptr_array_index (rates, 1))->rate, ==, 0.0);
    g_clear_pointer (&rates, g_ptr_array_unref);

    rates = rel_store_acceptance (store, "engine", &error);
    g_assert_no_error (error);
    g_assert_cmpuint (rates->len, ==, 2);
    g_assert_cmpstr (((RelAcceptance *) g_ptr_array_index (rates, 0))->key, ==, "embedded");
  }
}

static void
test_summary_feedback (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = new_path ();
  g_autoptr(RelStore) store = rel_store_new (path, &error);
  g_autoptr(RelAnalysis) analysis = analyze_sample ("crh-cardiologie.txt");
  GPtrArray *summary = rel_analysis_get_summary (analysis);
  const RelSummarySection *section;
  gint64 document_id;

  g_assert_no_error (error);
  g_assert_cmpuint (summary->len, >, 0);
  section = g_ptr_array_index (summary, 0);
  document_id = rel_store_record_analysis (store, analysis, "dim", NULL, &error);

  g_assert_true (rel_store_judge_summary_item (store, document_id, section->section, 0,
                                               "correct", NULL, "anne", &error));
  g_assert_true (rel_store_judge_summary_item (store, document_id, section->section, 0,
                                               "edited", "Dyspnée d'effort", "anne", &error));
  g_assert_no_error (error);
  g_assert_cmpint (sql_int (store, "SELECT count(*) FROM summary_feedback"), ==, 1);
  {
    g_autofree char *verdict = sql_text (store, "SELECT verdict FROM summary_feedback");

    g_assert_cmpstr (verdict, ==, "edited");
  }

  g_assert_false (rel_store_judge_summary_item (store, document_id, section->section, 999,
                                                "wrong", NULL, "anne", &error));
  g_assert_error (error, REL_STORE_ERROR, REL_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_false (rel_store_judge_summary_item (store, document_id, section->section, 0,
                                                "edited", NULL, "anne", &error));
  g_assert_error (error, REL_STORE_ERROR, REL_STORE_ERROR_INVALID);
  g_clear_error (&error);

  g_assert_true (rel_store_rate_summary (store, document_id, 4, "utile", "anne", &error));
  g_assert_true (rel_store_rate_summary (store, document_id, 5, NULL, "anne", &error));
  g_assert_no_error (error);
  g_assert_cmpint (sql_int (store, "SELECT rating FROM summary_ratings"), ==, 5);
  g_assert_false (rel_store_rate_summary (store, document_id, 6, NULL, "anne", &error));
  g_assert_error (error, REL_STORE_ERROR, REL_STORE_ERROR_INVALID);
}

static char *
export_to_string (RelStore        *store,
                  RelExportFormat  format,
                  const char      *since,
                  const char      *status)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GOutputStream) out = g_memory_output_stream_new_resizable ();

  g_assert_true (rel_store_export (store, format, since, status, out, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (g_output_stream_write_all (out, "", 1, NULL, NULL, NULL));
  g_assert_true (g_output_stream_close (out, NULL, NULL));
  return g_memory_output_stream_steal_data (G_MEMORY_OUTPUT_STREAM (out));
}

static gboolean
import_string (RelStore    *store,
               const char  *text,
               guint       *n_documents,
               guint       *n_decisions,
               GError     **error)
{
  g_autoptr(GInputStream) in = g_memory_input_stream_new_from_data (g_strdup (text), -1, g_free);

  return rel_store_import_jsonl (store, in, "import", n_documents, n_decisions, NULL, error);
}

static void
test_export_import (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = new_path ();
  g_autofree char *other_path = new_path ();
  gint64 ids[G_N_ELEMENTS (samples)];
  g_autoptr(RelStore) store = store_with_samples (path, ids);
  g_autoptr(RelStore) other = NULL;
  g_autofree char *csv = NULL;
  g_autofree char *fhir = NULL;
  g_autofree char *jsonl = NULL;
  g_autofree char *again = NULL;
  g_autoptr(JsonNode) bundle = NULL;
  g_auto(GStrv) lines = NULL;
  JsonArray *entries;
  guint n_documents = 0;
  guint n_decisions = 0;

  /* A label with a comma and quotes, to quote. */
  g_assert_true (rel_store_decide (store, ids[0], "I10", "added", "DAS",
                                   "Hypertension, dite \"essentielle\"", NULL, "anne", NULL,
                                   &error));
  g_assert_true (rel_store_decide (store, ids[0], "J189", "added", "DP", NULL, NULL, "anne", NULL,
                                   &error));
  g_assert_true (rel_store_decide (store, ids[0], "E1198", "rejected", NULL, NULL, NULL, "anne",
                                   NULL, &error));
  g_assert_true (rel_store_set_status (store, ids[0], "validated", "anne", &error));
  g_assert_true (rel_store_decide (store, ids[1], "N183", "added", NULL, NULL, NULL, "bruno", NULL,
                                   &error));
  g_assert_no_error (error);

  csv = export_to_string (store, REL_EXPORT_CSV, NULL, "validated");
  lines = g_strsplit (csv, "\r\n", -1);
  g_assert_cmpstr (lines[0], ==, "code,role,label,document,sha256,user,date");
  g_assert_true (g_str_has_prefix (lines[1], "J189,DP,"));
  g_assert_true (g_str_has_prefix (lines[2], "I10,DAS,\"Hypertension, dite \"\"essentielle\"\"\","
                                   "crh-cardiologie.txt,"));
  g_assert_cmpstr (lines[3], ==, "");
  g_clear_pointer (&lines, g_strfreev);
  g_clear_pointer (&csv, g_free);
  /* All documents: the undecided one's code too; a future date: none. */
  csv = export_to_string (store, REL_EXPORT_CSV, NULL, NULL);
  g_assert_nonnull (strstr (csv, "\r\nN183,DAS,"));
  g_clear_pointer (&csv, g_free);
  csv = export_to_string (store, REL_EXPORT_CSV, "2999-01-01", NULL);
  g_assert_cmpstr (csv, ==, "code,role,label,document,sha256,user,date\r\n");

  fhir = export_to_string (store, REL_EXPORT_FHIR, NULL, "validated");
  bundle = json_from_string (fhir, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (bundle), "resourceType"),
                   ==, "Bundle");
  entries = json_object_get_array_member (json_node_get_object (bundle), "entry");
  g_assert_cmpuint (json_array_get_length (entries), ==, 2);
  for (guint i = 0; i < 2; i++)
    {
      JsonObject *condition = json_object_get_object_member (json_array_get_object_element (entries, i),
                                                             "resource");
      JsonObject *coding = json_array_get_object_element (
        json_object_get_array_member (json_object_get_object_member (condition, "code"), "coding"),
        0);

      g_assert_cmpstr (json_object_get_string_member (condition, "resourceType"), ==, "Condition");
      g_assert_cmpstr (json_object_get_string_member (coding, "system"), ==,
                       "https://smt.esante.gouv.fr/terminologie-cim-10/");
      g_assert_cmpstr (json_object_get_string_member (coding, "code"), ==,
                       i == 0 ? "J18.9" : "I10");
    }

  /* JSONL into another store, twice: the second time changes nothing. */
  g_assert_true (rel_store_judge_summary_item (store, ids[0], "motif", 0, "correct", NULL, "anne",
                                               &error) || error != NULL);
  g_clear_error (&error);
  g_assert_true (rel_store_rate_summary (store, ids[0], 3, NULL, "anne", &error));
  jsonl = export_to_string (store, REL_EXPORT_JSONL, NULL, NULL);
  lines = g_strsplit (jsonl, "\n", -1);
  g_assert_cmpuint (g_strv_length (lines), ==, 3);
  {
    g_autoptr(JsonNode) line = json_from_string (lines[0], &error);
    JsonObject *object = json_node_get_object (line);
    const char *text = json_object_get_string_member (object, "text");
    JsonArray *kept = json_object_get_array_member (object, "codes");

    g_assert_no_error (error);
    g_assert_cmpstr (json_object_get_string_member (object, "format"), ==, "relecture-training-1");
    g_assert_nonnull (strstr (text, "[NOM-"));
    g_assert_cmpuint (json_array_get_length (kept), ==, 2);
    g_assert_cmpuint (json_array_get_length (json_object_get_array_member (object, "rejected")),
                      ==, 1);
    g_assert_cmpuint (json_array_get_length (json_object_get_array_member (object, "ratings")),
                      ==, 1);
  }

  other = rel_store_new (other_path, &error);
  g_assert_no_error (error);
  g_assert_true (import_string (other, jsonl, &n_documents, &n_decisions, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (n_documents, ==, 2);
  g_assert_cmpuint (n_decisions, ==, 4);
  again = export_to_string (other, REL_EXPORT_CSV, NULL, NULL);
  g_clear_pointer (&csv, g_free);
  csv = export_to_string (store, REL_EXPORT_CSV, NULL, NULL);
  g_assert_cmpstr (again, ==, csv);

  g_assert_true (import_string (other, jsonl, &n_documents, &n_decisions, &error));
  g_assert_cmpuint (n_documents, ==, 0);
  g_assert_cmpuint (n_decisions, ==, 0);
  g_clear_pointer (&again, g_free);
  again = export_to_string (other, REL_EXPORT_CSV, NULL, NULL);
  g_assert_cmpstr (again, ==, csv);

  /* A broken line: refused whole, nothing imported. */
  {
    g_autoptr(RelStore) empty = NULL;
    g_autofree char *empty_path = new_path ();
    g_autofree char *broken = g_strconcat (jsonl, "{\"format\": \"relecture-training-1\", \n", NULL);
    g_autofree char *none = NULL;

    empty = rel_store_new (empty_path, &error);
    g_assert_false (import_string (empty, broken, NULL, NULL, &error));
    g_assert_error (error, REL_STORE_ERROR, REL_STORE_ERROR_INVALID);
    g_clear_error (&error);
    g_assert_false (import_string (empty, "\xff\xfe garbage\n", NULL, NULL, &error));
    g_assert_error (error, REL_STORE_ERROR, REL_STORE_ERROR_INVALID);
    g_clear_error (&error);
    none = export_to_string (empty, REL_EXPORT_JSONL, NULL, NULL);
    g_assert_cmpstr (none, ==, "");
  }
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GError) error = NULL;
  int status;

  g_test_init (&argc, &argv, NULL);

  terminology = rel_terminology_new_bundled (&error);
  g_assert_no_error (error);
  engine = rel_embedded_engine_new (terminology, &error);
  g_assert_no_error (error);
  folder = g_dir_make_tmp ("relecture-store-XXXXXX", &error);
  g_assert_no_error (error);

  g_test_add_func ("/store/create", test_create);
  g_test_add_func ("/store/migrations", test_migrations);
  g_test_add_func ("/store/refused-files", test_refused_files);
  g_test_add_func ("/store/read-only", test_read_only);
  g_test_add_func ("/store/full", test_full);
  g_test_add_func ("/store/pseudonymized", test_pseudonymized);
  g_test_add_func ("/store/decisions", test_decisions);
  g_test_add_func ("/store/worklist", test_worklist);
  g_test_add_func ("/store/summary-feedback", test_summary_feedback);
  g_test_add_func ("/store/export-import", test_export_import);

  status = g_test_run ();

  {
    g_autoptr(GFile) root = g_file_new_for_path (folder);
    g_autoptr(GFileEnumerator) children = g_file_enumerate_children (root, "standard::name",
                                                                     G_FILE_QUERY_INFO_NONE,
                                                                     NULL, NULL);
    GFileInfo *info;

    /* Two levels at most: the stores and the nested folder of /store/create. */
    while (children != NULL && (info = g_file_enumerator_next_file (children, NULL, NULL)) != NULL)
      {
        g_autoptr(GFileInfo) owned = info;
        g_autoptr(GFile) child = g_file_get_child (root, g_file_info_get_name (info));

        if (!g_file_delete (child, NULL, NULL))
          {
            g_autofree char *nested = g_file_get_path (child);
            g_autofree char *db = g_build_filename (nested, "folder", "relecture.db", NULL);
            g_autofree char *inner = g_build_filename (nested, "folder", NULL);

            g_unlink (db);
            g_rmdir (inner);
            g_rmdir (nested);
          }
      }
    g_rmdir (folder);
  }
  g_free (folder);
  g_clear_object (&engine);
  g_clear_object (&terminology);
  return status;
}
