/* SPDX-License-Identifier: GPL-3.0-or-later */
/* bench-store.c: the speed of the SQLite store — 10,000 decisions, each its
 * own transaction, and opening a store of 100,000 documents at the worklist. */
#define G_LOG_DOMAIN "bench-store"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "rel-store-private.h"
#include "bench-common.h"

#define DECISION_DOCUMENTS 100
#define DECISION_CODES     100 /* per document; the first SUGGESTED were suggested */
#define SUGGESTED          70
#define TEXT_SIZE          3000
#define WORKLIST_DOCUMENTS 100000
#define SMALL_DOCUMENTS    1400  /* a store under QUICK_CHECK_SIZE */
/* rel-store.c runs PRAGMA quick_check at open on stores up to this size. */
#define QUICK_CHECK_SIZE   ((goffset) 8 * 1024 * 1024)
#define PAGE               50
#define RUNS               5

#define DECISIONS_TARGET_S 2.0
#define WORKLIST_TARGET_MS 200.0

static double
maximum (GArray *times)
{
  bench_sort (times);
  return g_array_index (times, double, times->len - 1);
}

static double
now_ms (void)
{
  return g_get_monotonic_time () / 1000.0;
}

static const char *
verdict (gboolean ok)
{
  return ok ? "PASS" : "FAIL";
}

static goffset
file_size (const char *path)
{
  struct stat info;

  return g_stat (path, &info) == 0 ? (goffset) info.st_size : 0;
}

static void
remove_tree (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);

      if (g_file_test (child, G_FILE_TEST_IS_DIR) && !g_file_test (child, G_FILE_TEST_IS_SYMLINK))
        remove_tree (child);
      else
        g_unlink (child);
    }
  g_rmdir (path);
}

/* The fictitious sample reports with names, dates and phone numbers replaced
 * by placeholders, as the pseudonymizer leaves them. Only their size matters. */
static GPtrArray *
load_samples (void)
{
  const char *root = g_getenv ("REL_SOURCE_ROOT") ? g_getenv ("REL_SOURCE_ROOT") : ".";
  g_autofree char *folder = g_build_filename (root, "data", "samples", NULL);
  g_autoptr(GDir) dir = g_dir_open (folder, 0, NULL);
  g_autoptr(GRegex) dates = g_regex_new ("\\b\\d{2}/\\d{2}/\\d{4}\\b", 0, 0, NULL);
  g_autoptr(GRegex) names = g_regex_new ("\\b\\p{Lu}{3,}(?:-\\p{Lu}{2,})*\\b", 0, 0, NULL);
  g_autoptr(GRegex) phones = g_regex_new ("\\b0\\d(?: \\d{2}){4}\\b", 0, 0, NULL);
  GPtrArray *samples = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) paths = g_ptr_array_new_with_free_func (g_free);
  const char *name;

  g_assert_nonnull (dir);
  while ((name = g_dir_read_name (dir)) != NULL)
    if (g_str_has_suffix (name, ".txt"))
      g_ptr_array_add (paths, g_build_filename (folder, name, NULL));
  g_ptr_array_sort (paths, (GCompareFunc) g_strcmp0);
  g_assert_cmpuint (paths->len, >, 0);

  for (guint i = 0; i < paths->len; i++)
    {
      g_autofree char *contents = NULL;
      g_autofree char *step1 = NULL;
      g_autofree char *step2 = NULL;

      g_assert_true (g_file_get_contents (paths->pdata[i], &contents, NULL, NULL));
      step1 = g_regex_replace_literal (dates, contents, -1, 0, "[DATE]", 0, NULL);
      step2 = g_regex_replace_literal (phones, step1, -1, 0, "[TEL]", 0, NULL);
      g_ptr_array_add (samples, g_regex_replace_literal (names, step2, -1, 0, "[NOM]", 0, NULL));
    }
  return samples;
}

/* About TEXT_SIZE bytes of pseudonymized report, different for each @index. */
static char *
make_text (GPtrArray *samples,
           guint      index)
{
  GString *text = g_string_sized_new (TEXT_SIZE + 512);
  gsize size = TEXT_SIZE;

  g_string_append_printf (text, "Compte rendu n° %06u — patient [PATIENT-%06u], séjour du "
                          "[DATE] au [DATE]\n\n", index, index);
  for (guint i = index; text->len < size; i++)
    {
      g_string_append (text, samples->pdata[i % samples->len]);
      g_string_append_c (text, '\n');
    }
  while (size < text->len && text->str[size] != '\n')
    size++;
  g_string_truncate (text, size);
  return g_string_free (text, FALSE);
}

static char *
make_sha256 (const char *series,
             guint       index)
{
  g_autofree char *seed = g_strdup_printf ("relecture-bench-%s-%u", series, index);

  return g_compute_checksum_for_string (G_CHECKSUM_SHA256, seed, -1);
}

/* One hundred distinct CIM-10-looking codes (ATIH form, no dot). */
static char *
make_code (guint index)
{
  return g_strdup_printf ("%c%02u%u", "CEIJKNRSZ"[index % 9], index, (index * 3) % 10);
}

static void
exec_or_die (sqlite3    *db,
             const char *sql)
{
  char *message = NULL;

  if (sqlite3_exec (db, sql, NULL, NULL, &message) != SQLITE_OK)
    g_error ("%s: %s", sql, message);
}

static sqlite3_stmt *
prepare_or_die (sqlite3    *db,
                const char *sql)
{
  sqlite3_stmt *statement = NULL;

  if (sqlite3_prepare_v2 (db, sql, -1, &statement, NULL) != SQLITE_OK)
    g_error ("%s: %s", sql, sqlite3_errmsg (db));
  return statement;
}

static void
step_or_die (sqlite3      *db,
             sqlite3_stmt *statement)
{
  if (sqlite3_step (statement) != SQLITE_DONE)
    g_error ("%s: %s", sqlite3_sql (statement), sqlite3_errmsg (db));
  sqlite3_reset (statement);
  sqlite3_clear_bindings (statement);
}

/* 1. Decisions */

static gboolean
bench_decisions (const char *dir,
                 GPtrArray  *samples)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(RelStore) store = NULL;
  g_autofree char *path = g_build_filename (dir, "decisions.db", NULL);
  g_autoptr(GPtrArray) codes = g_ptr_array_new_with_free_func (g_free);
  gint64 ids[DECISION_DOCUMENTS];
  guint n_decisions = 0, n_dp = 0;
  guint counts[3];
  gint64 n_audit;
  double start, total_s;

  store = rel_store_new (path, &error);
  g_assert_no_error (error);
  for (guint j = 0; j < DECISION_CODES; j++)
    g_ptr_array_add (codes, make_code (j));

  /* The documents, each with an analysis suggesting its first SUGGESTED
   * codes, as if the engine had run on them. */
  {
    sqlite3 *db = rel_store_get_handle (store);
    sqlite3_stmt *analysis = NULL;
    sqlite3_stmt *suggestion = NULL;

    g_assert_true (rel_store_begin (store, &error));
    analysis = prepare_or_die (db,
      "INSERT INTO analyses (document_id, engine, model, version, created, duration_ms, json) "
      "VALUES (?1, 'embedded', NULL, '" PACKAGE_VERSION "', "
      "strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), 12.5, '{}')");
    suggestion = prepare_or_die (db,
      "INSERT INTO suggestions (analysis_id, code, label, role, score, rank) "
      "VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
    for (guint i = 0; i < DECISION_DOCUMENTS; i++)
      {
        g_autofree char *sha256 = make_sha256 ("decisions", i);
        g_autofree char *text = make_text (samples, i);
        g_autofree char *title = g_strdup_printf ("crh-%05u.txt", i);
        g_autofree char *file = g_strdup_printf ("/srv/comptes-rendus/%s", title);
        gint64 analysis_id;

        ids[i] = rel_store_insert_document (store, sha256, file, title, "text", text, "bench",
                                            NULL, &error);
        g_assert_no_error (error);
        g_assert_cmpint (ids[i], >, 0);

        sqlite3_bind_int64 (analysis, 1, ids[i]);
        step_or_die (db, analysis);
        analysis_id = sqlite3_last_insert_rowid (db);
        for (guint j = 0; j < SUGGESTED; j++)
          {
            g_autofree char *label = g_strdup_printf ("Libellé du code %s",
                                                      (char *) codes->pdata[j]);

            sqlite3_bind_int64 (suggestion, 1, analysis_id);
            sqlite3_bind_text (suggestion, 2, codes->pdata[j], -1, SQLITE_TRANSIENT);
            sqlite3_bind_text (suggestion, 3, label, -1, SQLITE_TRANSIENT);
            sqlite3_bind_text (suggestion, 4, j == 0 ? "DP" : "DAS", -1, SQLITE_STATIC);
            sqlite3_bind_double (suggestion, 5, 1.0 - j / 100.0);
            sqlite3_bind_int (suggestion, 6, (int) j + 1);
            step_or_die (db, suggestion);
          }
      }
    sqlite3_finalize (analysis);
    sqlite3_finalize (suggestion);
    g_assert_true (rel_store_commit (store, &error));
  }

  /* A coder goes through the documents one after the other: suggested codes
   * accepted or rejected, the rest added by hand, the DP changed once. */
  start = now_ms ();
  for (guint i = 0; i < DECISION_DOCUMENTS; i++)
    for (guint j = 0; j < DECISION_CODES; j++)
      {
        const char *status = j >= SUGGESTED ? "added" : j % 3 == 2 ? "rejected" : "accepted";
        const char *role = j == 0 || j == 40 ? "DP" : NULL;
        const char *comment = j % 10 == 7 ? "vu avec le médecin" : NULL;

        if (!rel_store_decide (store, ids[i], codes->pdata[j], status, role, NULL, NULL,
                               "bench", comment, &error))
          g_error ("decision %u: %s", n_decisions, error->message);
        n_decisions++;
        n_dp += role != NULL;
      }
  total_s = (now_ms () - start) / 1000.0;

  g_assert_true (rel_store_count_by_status (store, counts, &error));
  g_assert_cmpuint (counts[1], ==, DECISION_DOCUMENTS);

  printf ("%-56s %10s %10s\n", "Decisions (own transaction each, disk synced each second)",
          "measured", "target");
  printf ("%-56s %8.2f s  %7s s   %s\n", "10,000 decisions recorded", total_s, "< 2",
          verdict (total_s < DECISIONS_TARGET_S));
  printf ("%-56s %8.0f /s\n", "decisions per second", n_decisions / total_s);
  printf ("%-56s %8.3f ms\n", "one decision (mean)", total_s * 1000.0 / n_decisions);
  n_audit = rel_store_count_audit (store, 0, NULL);
  /* Closing checkpoints the WAL into the database file. */
  g_clear_object (&store);
  printf ("decisions: %u on %u documents (%u with role DP), audit rows: %" G_GINT64_FORMAT
          ", database %.1f MB\n\n",
          n_decisions, DECISION_DOCUMENTS, n_dp, n_audit, file_size (path) / 1048576.0);

  return total_s < DECISIONS_TARGET_S;
}

/* 2. The worklist */

/* Adds documents @from to @to - 1 in one transaction, with an analysis each,
 * and decisions (with their audit rows) on those not new. */
static void
fill_worklist (const char *path,
               GPtrArray  *samples,
               guint       from,
               guint       to)
{
  static const char * const codes[] = { "I500", "I10", "E119", "N179", "E440", "J189" };
  g_autoptr(GError) error = NULL;
  g_autoptr(RelStore) store = rel_store_new (path, &error);
  g_autoptr(GDateTime) base = g_date_time_new_utc (2023, 1, 2, 8, 0, 0);
  sqlite3 *db;
  sqlite3_stmt *document, *document_text, *analysis, *suggestion, *decision, *audit;

  g_assert_no_error (error);
  db = rel_store_get_handle (store);

  document = prepare_or_die (db,
    "INSERT INTO documents (id, sha256, path, title, kind, status, created, updated) "
    "VALUES (?1, ?2, ?3, ?4, 'text', ?5, ?6, ?6)");
  document_text = prepare_or_die (db,
    "INSERT INTO document_texts (document_id, pseudonymized) VALUES (?1, ?2)");
  analysis = prepare_or_die (db,
    "INSERT INTO analyses (id, document_id, engine, model, version, created, duration_ms, json) "
    "VALUES (?1, ?1, 'embedded', NULL, '" PACKAGE_VERSION "', ?2, 14.2, ?3)");
  suggestion = prepare_or_die (db,
    "INSERT INTO suggestions (analysis_id, code, label, role, score, rank) "
    "VALUES (?1, ?2, 'Libellé', ?3, ?4, ?5)");
  decision = prepare_or_die (db,
    "INSERT INTO decisions (document_id, analysis_id, code, label, role, status, origin, user, "
    "                       time) "
    "VALUES (?1, ?1, ?2, 'Libellé', ?3, ?4, 'suggested', 'bench', ?5)");
  audit = prepare_or_die (db,
    "INSERT INTO audit (change, time, user, action, document_id, code, before, after) "
    "VALUES (coalesce ((SELECT max (id) FROM audit), 0) + 1, ?1, 'bench', ?2, ?3, ?4, NULL, ?5)");

  exec_or_die (db, "BEGIN IMMEDIATE");
  for (guint i = from; i < to; i++)
    {
      g_autofree char *sha256 = make_sha256 ("worklist", i);
      g_autofree char *text = make_text (samples, i);
      g_autofree char *title = g_strdup_printf ("crh-%06u.txt", i);
      g_autofree char *file = g_strdup_printf ("/srv/comptes-rendus/%s", title);
      g_autoptr(GDateTime) when = g_date_time_add_seconds (base, i * 300.0);
      g_autofree char *created = g_date_time_format (when, "%Y-%m-%dT%H:%M:%S.000Z");
      g_autofree char *after = g_strdup_printf ("{\"sha256\":\"%s\"}", sha256);
      /* Older documents are more often done; a mix throughout. */
      guint roll = g_str_hash (sha256) % 100;
      const char *status = roll < 40 ? "validated" : roll < 55 ? "in_progress" : "new";
      gint64 id = i + 1;

      sqlite3_bind_int64 (document, 1, id);
      sqlite3_bind_text (document, 2, sha256, -1, SQLITE_STATIC);
      sqlite3_bind_text (document, 3, file, -1, SQLITE_STATIC);
      sqlite3_bind_text (document, 4, title, -1, SQLITE_STATIC);
      sqlite3_bind_text (document, 5, status, -1, SQLITE_STATIC);
      sqlite3_bind_text (document, 6, created, -1, SQLITE_STATIC);
      step_or_die (db, document);
      sqlite3_bind_int64 (document_text, 1, id);
      sqlite3_bind_text (document_text, 2, text, -1, SQLITE_STATIC);
      step_or_die (db, document_text);

      sqlite3_bind_text (audit, 1, created, -1, SQLITE_STATIC);
      sqlite3_bind_text (audit, 2, "document.add", -1, SQLITE_STATIC);
      sqlite3_bind_int64 (audit, 3, id);
      sqlite3_bind_text (audit, 5, after, -1, SQLITE_STATIC);
      step_or_die (db, audit);

      sqlite3_bind_int64 (analysis, 1, id);
      sqlite3_bind_text (analysis, 2, created, -1, SQLITE_STATIC);
      sqlite3_bind_text (analysis, 3,
                         "{\"engine\":\"embedded\",\"codes\":[{\"code\":\"I500\",\"role\":\"DP\"},"
                         "{\"code\":\"I10\"},{\"code\":\"E119\"},{\"code\":\"N179\"},"
                         "{\"code\":\"E440\"},{\"code\":\"J189\"}],\"summary\":[]}",
                         -1, SQLITE_STATIC);
      step_or_die (db, analysis);
      for (guint j = 0; j < G_N_ELEMENTS (codes); j++)
        {
          sqlite3_bind_int64 (suggestion, 1, id);
          sqlite3_bind_text (suggestion, 2, codes[j], -1, SQLITE_STATIC);
          sqlite3_bind_text (suggestion, 3, j == 0 ? "DP" : "DAS", -1, SQLITE_STATIC);
          sqlite3_bind_double (suggestion, 4, 0.9 - j / 10.0);
          sqlite3_bind_int (suggestion, 5, (int) j + 1);
          step_or_die (db, suggestion);
        }

      if (g_str_equal (status, "new"))
        continue;
      for (guint j = 0; j < 4; j++)
        {
          const char *decided = j == 3 ? "rejected" : "accepted";
          g_autofree char *state = g_strdup_printf ("{\"code\":\"%s\",\"status\":\"%s\"}",
                                                    codes[j], decided);

          sqlite3_bind_int64 (decision, 1, id);
          sqlite3_bind_text (decision, 2, codes[j], -1, SQLITE_STATIC);
          if (j < 3)
            sqlite3_bind_text (decision, 3, j == 0 ? "DP" : "DAS", -1, SQLITE_STATIC);
          sqlite3_bind_text (decision, 4, decided, -1, SQLITE_STATIC);
          sqlite3_bind_text (decision, 5, created, -1, SQLITE_STATIC);
          step_or_die (db, decision);

          sqlite3_bind_text (audit, 1, created, -1, SQLITE_STATIC);
          sqlite3_bind_text (audit, 2, j == 3 ? "decision.rejected" : "decision.accepted",
                             -1, SQLITE_STATIC);
          sqlite3_bind_int64 (audit, 3, id);
          sqlite3_bind_text (audit, 4, codes[j], -1, SQLITE_STATIC);
          sqlite3_bind_text (audit, 5, state, -1, SQLITE_STATIC);
          step_or_die (db, audit);
        }
    }
  exec_or_die (db, "COMMIT");

  sqlite3_finalize (document);
  sqlite3_finalize (document_text);
  sqlite3_finalize (analysis);
  sqlite3_finalize (suggestion);
  sqlite3_finalize (decision);
  sqlite3_finalize (audit);
  /* Closing checkpoints the WAL into the database file. */
}

/* Asks the kernel to forget the file's cached pages (clean after the
 * checkpoint): the next open reads them from the disk, or the host's cache. */
static void
evict_from_cache (const char *path)
{
  int fd = g_open (path, O_RDONLY | O_CLOEXEC, 0);

  if (fd < 0)
    return;
  fdatasync (fd);
  posix_fadvise (fd, 0, 0, POSIX_FADV_DONTNEED);
  g_close (fd, NULL);
}

typedef struct
{
  GArray *total;
  GArray *open;
  GArray *count;
  GArray *list;
} Timings;

static void
timings_init (Timings *t)
{
  t->total = g_array_new (FALSE, FALSE, sizeof (double));
  t->open = g_array_new (FALSE, FALSE, sizeof (double));
  t->count = g_array_new (FALSE, FALSE, sizeof (double));
  t->list = g_array_new (FALSE, FALSE, sizeof (double));
}

static void
timings_clear (Timings *t)
{
  g_array_unref (t->total);
  g_array_unref (t->open);
  g_array_unref (t->count);
  g_array_unref (t->list);
}

/* Open, count by status, list the first page of @status, close. */
static void
open_and_list (const char *path,
               const char *status,
               guint       offset,
               guint       expected_total,
               Timings    *t,
               guint       counts[3])
{
  g_autoptr(GError) error = NULL;
  g_autoptr(RelStore) store = NULL;
  g_autoptr(GPtrArray) page = NULL;
  double start, opened, counted, listed, ms;

  start = now_ms ();
  store = rel_store_new (path, &error);
  opened = now_ms ();
  g_assert_no_error (error);
  g_assert_true (rel_store_count_by_status (store, counts, &error));
  counted = now_ms ();
  g_assert_no_error (error);
  page = rel_store_list_documents (store, status, offset, PAGE, &error);
  listed = now_ms ();
  g_assert_no_error (error);
  g_assert_nonnull (page);
  g_assert_cmpuint (page->len, ==, PAGE);
  g_assert_cmpuint (counts[0] + counts[1] + counts[2], ==, expected_total);

  ms = listed - start;
  g_array_append_val (t->total, ms);
  ms = opened - start;
  g_array_append_val (t->open, ms);
  ms = counted - opened;
  g_array_append_val (t->count, ms);
  ms = listed - counted;
  g_array_append_val (t->list, ms);
}

static gboolean
print_timings (const char *what,
               Timings    *t,
               gboolean    judged)
{
  double worst = maximum (t->total);
  char label[128];

  g_snprintf (label, sizeof label, "%s, median of %u", what, t->total->len);
  g_assert_cmpuint (strlen (label), <=, 56);
  if (judged)
    printf ("%-56s %8.1f ms %7s ms   %s\n", label, bench_median (t->total), "< 200",
            verdict (worst < WORKLIST_TARGET_MS));
  else
    printf ("%-56s %8.1f ms\n", label, bench_median (t->total));
  printf ("%-56s %8.1f ms\n", "  slowest", worst);
  printf ("  (medians: open %.1f ms, count %.1f ms, first page %.1f ms)\n",
          bench_median (t->open), bench_median (t->count), bench_median (t->list));
  return !judged || worst < WORKLIST_TARGET_MS;
}

static gboolean
bench_worklist (const char *dir,
                GPtrArray  *samples)
{
  g_autofree char *path = g_build_filename (dir, "worklist.db", NULL);
  guint counts[3];
  gboolean ok = TRUE;
  double start, build_s;
  goffset size;
  Timings t;

  printf ("%-56s %10s %10s\n", "Worklist (open, count by status, a page of 50, close)",
          "measured", "target");

  /* A store small enough for rel_store_new() to quick_check it at open. */
  start = now_ms ();
  fill_worklist (path, samples, 0, SMALL_DOCUMENTS);
  build_s = (now_ms () - start) / 1000.0;
  size = file_size (path);
  timings_init (&t);
  for (guint i = 0; i < RUNS; i++)
    open_and_list (path, NULL, 0, SMALL_DOCUMENTS, &t, counts);
  printf ("%u documents, %.1f MB, quick_check at open: %s\n", SMALL_DOCUMENTS,
          size / 1048576.0, size <= QUICK_CHECK_SIZE ? "yes" : "no");
  print_timings ("first page", &t, FALSE);
  timings_clear (&t);
  timings_init (&t);
  for (guint i = 0; i < RUNS; i++)
    {
      evict_from_cache (path);
      open_and_list (path, NULL, 0, SMALL_DOCUMENTS, &t, counts);
    }
  print_timings ("first page, file evicted from page cache", &t, FALSE);
  timings_clear (&t);

  start = now_ms ();
  fill_worklist (path, samples, SMALL_DOCUMENTS, WORKLIST_DOCUMENTS);
  build_s += (now_ms () - start) / 1000.0;
  size = file_size (path);

  timings_init (&t);
  for (guint i = 0; i < RUNS; i++)
    open_and_list (path, NULL, 0, WORKLIST_DOCUMENTS, &t, counts);
  printf ("%u documents (%u new, %u in progress, %u validated), %.1f MB, "
          "quick_check at open: %s, built in %.1f s\n", WORKLIST_DOCUMENTS,
          counts[0], counts[1], counts[2], size / 1048576.0,
          size <= QUICK_CHECK_SIZE ? "yes" : "no", build_s);
  ok &= print_timings ("first page, all documents", &t, TRUE);
  timings_clear (&t);

  timings_init (&t);
  for (guint i = 0; i < RUNS; i++)
    open_and_list (path, "new", 0, WORKLIST_DOCUMENTS, &t, counts);
  ok &= print_timings ("first page, status new", &t, TRUE);
  timings_clear (&t);

  /* Not targets: what a cold start and the end of the list cost. */
  timings_init (&t);
  for (guint i = 0; i < RUNS; i++)
    open_and_list (path, NULL, WORKLIST_DOCUMENTS - PAGE, WORKLIST_DOCUMENTS, &t, counts);
  print_timings ("last page (offset 99,950), all documents", &t, FALSE);
  timings_clear (&t);

  timings_init (&t);
  for (guint i = 0; i < RUNS; i++)
    {
      evict_from_cache (path);
      open_and_list (path, NULL, 0, WORKLIST_DOCUMENTS, &t, counts);
    }
  print_timings ("first page, file evicted from page cache", &t, FALSE);
  timings_clear (&t);

  printf ("database size: %.1f MB\n", size / 1048576.0);
  return ok;
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) samples = load_samples ();
  g_autofree char *dir = NULL;
  const char *root = g_getenv ("REL_BUILD_ROOT");
  gboolean ok = TRUE;

  /* On the real disk: fsync() on tmpfs costs nothing. */
  dir = g_build_filename (root != NULL ? root : g_get_tmp_dir (),
                          "relecture-bench-store-XXXXXX", NULL);
  if (g_mkdtemp_full (dir, 0700) == NULL)
    g_error ("%s: %s", dir, g_strerror (errno));
  printf ("store in %s\n\n", dir);

  ok &= bench_decisions (dir, samples);
  ok &= bench_worklist (dir, samples);

  remove_tree (dir);
  return ok ? 0 : 1;
}
