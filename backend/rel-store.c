/* SPDX-License-Identifier: GPL-3.0-or-later */
/* rel-store.c: the coders' work in SQLite.
 *
 * One file under the user data directory, mode 0600, in WAL mode. A decision
 * is in the file when rel_store_decide() returns, so a crashed or killed
 * process loses nothing; the disk itself is synced at most a second later
 * (a coder's every decision; a script's once a second), so that a power cut
 * loses at most the last second and 10,000 decisions need not wait 10,000
 * times for the disk.
 * Every write is one BEGIN IMMEDIATE transaction, so the GUI and the CLI
 * can write at once (the busy timeout makes the second one wait). The store
 * keeps the pseudonymized text and analysis, never the report's own words. */
#define G_LOG_DOMAIN "rel-store"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "rel-json.h"
#include "rel-store-private.h"

#define APPLICATION_ID 1380273219 /* "RELC" */
#define BUSY_TIMEOUT_MS 10000
/* Larger stores are checked page by page as they are read, not at open:
 * the quick check reads every page (about 150 ms for 8 MB from a cold disk). */
#define QUICK_CHECK_MAX_SIZE ((goffset) 8 * 1024 * 1024)
/* A commit waits for the disk when the last one that did is older than this:
 * SIGKILL loses nothing acknowledged, a power cut at most the last second. */
#define SYNC_INTERVAL_US (G_USEC_PER_SEC)

#define NOW "strftime('%Y-%m-%dT%H:%M:%fZ', 'now')"

struct _RelStore
{
  GObject     parent_instance;

  char       *path;
  sqlite3    *db;
  GHashTable *statements; /* SQL literal → sqlite3_stmt */
  GRecMutex   mutex;
  gint64      change;     /* audit change of the running transaction */
  gint64      last_sync;  /* monotonic time of the last commit synced to disk */
  gboolean    syncing;    /* synchronous=FULL for the running transaction */
  int         version;
};

G_DEFINE_FINAL_TYPE (RelStore, rel_store, G_TYPE_OBJECT)

G_DEFINE_QUARK (rel-store-error-quark, rel_store_error)

/* Each migration takes the schema from the version before it to its own;
 * they run in order, each in its transaction. Never edit one that shipped. */
static const char * const migrations[] = {
  /* 1: documents, analyses, suggestions, decisions, audit log */
  "PRAGMA application_id = 1380273219;"
  "CREATE TABLE documents ("
  "  id INTEGER PRIMARY KEY,"
  "  sha256 TEXT NOT NULL UNIQUE,"
  "  path TEXT,"
  "  title TEXT NOT NULL,"
  "  kind TEXT NOT NULL DEFAULT 'text' CHECK (kind IN ('text', 'pdf')),"
  "  status TEXT NOT NULL DEFAULT 'new' CHECK (status IN ('new', 'in_progress', 'validated')),"
  "  created TEXT NOT NULL,"
  "  updated TEXT NOT NULL);"
  "CREATE INDEX documents_by_status ON documents (status, id);"
  /* Apart, so that listing documents never reads their text. */
  "CREATE TABLE document_texts ("
  "  document_id INTEGER PRIMARY KEY REFERENCES documents (id),"
  "  pseudonymized TEXT NOT NULL);"
  "CREATE TABLE analyses ("
  "  id INTEGER PRIMARY KEY,"
  "  document_id INTEGER NOT NULL REFERENCES documents (id),"
  "  engine TEXT NOT NULL,"
  "  model TEXT,"
  "  version TEXT NOT NULL,"
  "  created TEXT NOT NULL,"
  "  duration_ms REAL,"
  "  json TEXT NOT NULL);"
  "CREATE INDEX analyses_by_document ON analyses (document_id, id);"
  "CREATE TABLE suggestions ("
  "  analysis_id INTEGER NOT NULL REFERENCES analyses (id),"
  "  code TEXT NOT NULL,"
  "  label TEXT,"
  "  role TEXT CHECK (role IN ('DP', 'DAS')),"
  "  score REAL NOT NULL,"
  "  rank INTEGER NOT NULL,"
  "  PRIMARY KEY (analysis_id, code)) WITHOUT ROWID;"
  "CREATE TABLE decisions ("
  "  id INTEGER PRIMARY KEY,"
  "  document_id INTEGER NOT NULL REFERENCES documents (id),"
  "  analysis_id INTEGER REFERENCES analyses (id),"
  "  code TEXT NOT NULL,"
  "  label TEXT,"
  "  role TEXT CHECK (role IN ('DP', 'DAS')),"
  "  status TEXT NOT NULL CHECK (status IN ('accepted', 'rejected', 'added', 'modified')),"
  "  origin TEXT NOT NULL CHECK (origin IN ('suggested', 'manual')),"
  "  replaces TEXT,"
  "  user TEXT NOT NULL,"
  "  time TEXT NOT NULL,"
  "  comment TEXT,"
  "  UNIQUE (document_id, code));"
  "CREATE INDEX decisions_by_time ON decisions (time);"
  "CREATE TABLE audit ("
  "  id INTEGER PRIMARY KEY,"
  "  change INTEGER NOT NULL,"
  "  time TEXT NOT NULL,"
  "  user TEXT NOT NULL,"
  "  action TEXT NOT NULL,"
  "  document_id INTEGER,"
  "  code TEXT,"
  "  undoes INTEGER,"
  "  before TEXT,"
  "  after TEXT);"
  "CREATE INDEX audit_by_document ON audit (document_id, change);"
  "CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit"
  "  BEGIN SELECT RAISE (ABORT, 'the audit log is append-only'); END;"
  "CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit"
  "  BEGIN SELECT RAISE (ABORT, 'the audit log is append-only'); END;",

  /* 2: feedback on the structured summary */
  "CREATE TABLE summary_feedback ("
  "  id INTEGER PRIMARY KEY,"
  "  document_id INTEGER NOT NULL REFERENCES documents (id),"
  "  analysis_id INTEGER NOT NULL REFERENCES analyses (id),"
  "  section TEXT NOT NULL,"
  "  item INTEGER NOT NULL,"
  "  item_text TEXT NOT NULL,"
  "  verdict TEXT NOT NULL CHECK (verdict IN ('correct', 'wrong', 'edited')),"
  "  edited_text TEXT,"
  "  user TEXT NOT NULL,"
  "  time TEXT NOT NULL,"
  "  UNIQUE (document_id, section, item));"
  "CREATE TABLE summary_ratings ("
  "  id INTEGER PRIMARY KEY,"
  "  document_id INTEGER NOT NULL REFERENCES documents (id),"
  "  user TEXT NOT NULL,"
  "  rating INTEGER NOT NULL CHECK (rating BETWEEN 1 AND 5),"
  "  comment TEXT,"
  "  time TEXT NOT NULL,"
  "  UNIQUE (document_id, user));",

  /* 3: the worklist finds a report's document by its path */
  "CREATE INDEX documents_by_path ON documents (path);",
};

G_STATIC_ASSERT (G_N_ELEMENTS (migrations) == REL_STORE_SCHEMA_VERSION);

static const char * const document_statuses[] = { "new", "in_progress", "validated", NULL };
static const char * const decision_statuses[] = { "accepted", "rejected", "added", "modified", NULL };
static const char * const verdicts[] = { "correct", "wrong", "edited", NULL };

void
rel_store_document_free (RelStoreDocument *document)
{
  if (document == NULL)
    return;
  g_free (document->sha256);
  g_free (document->path);
  g_free (document->title);
  g_free (document->kind);
  g_free (document->status);
  g_free (document->created);
  g_free (document->updated);
  g_free (document);
}

void
rel_decision_free (RelDecision *decision)
{
  if (decision == NULL)
    return;
  g_free (decision->code);
  g_free (decision->label);
  g_free (decision->role);
  g_free (decision->status);
  g_free (decision->origin);
  g_free (decision->replaces);
  g_free (decision->user);
  g_free (decision->time);
  g_free (decision->comment);
  g_free (decision);
}

void
rel_acceptance_free (RelAcceptance *acceptance)
{
  if (acceptance == NULL)
    return;
  g_free (acceptance->key);
  g_free (acceptance->code);
  g_free (acceptance);
}

/* Errors */

static void
set_error_from_code (GError     **error,
                     int          rc,
                     const char  *detail)
{
  switch (rc & 0xff)
    {
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      g_set_error (error, REL_STORE_ERROR, REL_STORE_ERROR_CORRUPT,
                   _("The database is damaged (%s). It was left as it is: restore a backup "
                     "or move it aside to start a new one."), detail);
      break;
    case SQLITE_READONLY:
    case SQLITE_PERM:
    case SQLITE_CANTOPEN:
      g_set_error (error, REL_STORE_ERROR, REL_STORE_ERROR_READ_ONLY,
                   _("The database cannot be written (%s). Check the permissions of the "
                     "file and of its folder."), detail);
      break;
    case SQLITE_FULL:
      g_set_error (error, REL_STORE_ERROR, REL_STORE_ERROR_FULL,
                   _("The disk is full: the last change was not saved (%s)."), detail);
      break;
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      g_set_error (error, REL_STORE_ERROR, REL_STORE_ERROR_BUSY,
                   _("The database is locked by another program (%s). Try again."), detail);
      break;
    case SQLITE_CONSTRAINT:
    case SQLITE_MISMATCH:
    case SQLITE_RANGE:
      g_set_error (error, REL_STORE_ERROR, REL_STORE_ERROR_INVALID,
                   _("The change was refused by the database (%s)."), detail);
      break;
    default:
      g_set_error (error, REL_STORE_ERROR, REL_STORE_ERROR_FAILED,
                   _("The database failed (%s)."), detail);
      break;
    }
}

gboolean
rel_store_check (RelStore  *self,
                 int        rc,
                 GError   **error)
{
  if (rc == SQLITE_OK || rc == SQLITE_ROW || rc == SQLITE_DONE)
    return TRUE;
  /* SQLite's messages name tables and constraints, never values. */
  set_error_from_code (error, rc, self->db != NULL ? sqlite3_errmsg (self->db)
                                                   : sqlite3_errstr (rc));
  return FALSE;
}

/* Statements */

void
rel_statement_release (RelStatement *statement)
{
  sqlite3_reset (statement);
  sqlite3_clear_bindings (statement);
}

RelStatement *
rel_store_prepare (RelStore    *self,
                   const char  *sql,
                   GError     **error)
{
  sqlite3_stmt *statement = g_hash_table_lookup (self->statements, sql);

  if (statement == NULL)
    {
      int rc = sqlite3_prepare_v3 (self->db, sql, -1, SQLITE_PREPARE_PERSISTENT,
                                   &statement, NULL);

      if (!rel_store_check (self, rc, error))
        return NULL;
      g_hash_table_insert (self->statements, (gpointer) sql, statement);
    }
  return statement;
}

gboolean
rel_store_step (RelStore      *self,
                RelStatement  *statement,
                gboolean      *has_row,
                GError       **error)
{
  int rc = sqlite3_step (statement);

  if (has_row != NULL)
    *has_row = rc == SQLITE_ROW;
  if (rc == SQLITE_ROW || rc == SQLITE_DONE)
    return TRUE;
  /* The statement's own code is in sqlite3_reset()'s answer. */
  return rel_store_check (self, rc, error);
}

void
rel_statement_bind_text (RelStatement *statement,
                         int           index,
                         const char   *text)
{
  if (text != NULL)
    sqlite3_bind_text (statement, index, text, -1, SQLITE_TRANSIENT);
  else
    sqlite3_bind_null (statement, index);
}

char *
rel_statement_dup_text (RelStatement *statement,
                        int           column)
{
  const unsigned char *text = sqlite3_column_text (statement, column);

  return text != NULL ? g_strdup ((const char *) text) : NULL;
}

gboolean
rel_store_exec (RelStore    *self,
                const char  *sql,
                GError     **error)
{
  return rel_store_check (self, sqlite3_exec (self->db, sql, NULL, NULL, NULL), error);
}

/* Transactions */

gboolean
rel_store_begin (RelStore  *self,
                 GError   **error)
{
  g_autoptr(RelStatement) next = NULL;
  gboolean sync = g_get_monotonic_time () - self->last_sync >= SYNC_INTERVAL_US;

  /* Only between transactions can the mode change. */
  if (sync != self->syncing &&
      !rel_store_exec (self, sync ? "PRAGMA synchronous = FULL" : "PRAGMA synchronous = NORMAL",
                       error))
    return FALSE;
  self->syncing = sync;

  if (!rel_store_exec (self, "BEGIN IMMEDIATE", error))
    return FALSE;

  /* The rows of the audit log written by this transaction share its
   * first id: an undo reverts them together. */
  next = rel_store_prepare (self, "SELECT coalesce (max (id), 0) + 1 FROM audit", error);
  if (next == NULL || !rel_store_step (self, next, NULL, error))
    {
      rel_store_rollback (self);
      return FALSE;
    }
  self->change = sqlite3_column_int64 (next, 0);
  return TRUE;
}

gboolean
rel_store_commit (RelStore  *self,
                  GError   **error)
{
  if (!rel_store_exec (self, "COMMIT", error))
    {
      rel_store_rollback (self);
      return FALSE;
    }
  if (self->syncing)
    self->last_sync = g_get_monotonic_time ();
  return TRUE;
}

void
rel_store_rollback (RelStore *self)
{
  if (!sqlite3_get_autocommit (self->db))
    sqlite3_exec (self->db, "ROLLBACK", NULL, NULL, NULL);
}

sqlite3 *
rel_store_get_handle (RelStore *self)
{
  return self->db;
}

GRecMutex *
rel_store_get_mutex (RelStore *self)
{
  return &self->mutex;
}

/* Opening */

static void
rel_store_finalize (GObject *object)
{
  RelStore *self = (RelStore *) object;

  g_clear_pointer (&self->statements, g_hash_table_unref);
  if (self->db != NULL)
    sqlite3_close_v2 (self->db);
  g_free (self->path);
  g_rec_mutex_clear (&self->mutex);

  G_OBJECT_CLASS (rel_store_parent_class)->finalize (object);
}

static void
finalize_statement (gpointer statement)
{
  sqlite3_finalize (statement);
}

static void
rel_store_class_init (RelStoreClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = rel_store_finalize;
}

static void
rel_store_init (RelStore *self)
{
  g_rec_mutex_init (&self->mutex);
  /* What store_open() sets. */
  self->syncing = TRUE;
  self->statements = g_hash_table_new_full (g_direct_hash, g_direct_equal, NULL,
                                            finalize_statement);
}

char *
rel_store_default_path (void)
{
  const char *path = g_getenv ("RELECTURE_DB");

  if (path != NULL && path[0] != '\0')
    return g_strdup (path);
  return g_build_filename (g_get_user_data_dir (), "relecture", "relecture.db", NULL);
}

static guint32
read_be32 (const guint8 *bytes)
{
  return ((guint32) bytes[0] << 24) | ((guint32) bytes[1] << 16) |
         ((guint32) bytes[2] << 8) | (guint32) bytes[3];
}

/* What the first 100 bytes say, before SQLite writes anything: a file that is
 * not SQLite, or shorter than its header claims, is refused untouched. */
static gboolean
check_header (const char  *path,
              gboolean    *is_empty,
              GError     **error)
{
  guint8 header[100];
  struct stat info;
  gssize got;
  int fd;

  fd = g_open (path, O_RDONLY | O_CLOEXEC, 0);
  if (fd < 0)
    {
      int saved = errno;

      g_set_error (error, REL_STORE_ERROR,
                   saved == EACCES ? REL_STORE_ERROR_READ_ONLY : REL_STORE_ERROR_FAILED,
                   _("The database cannot be opened: %s."), g_strerror (saved));
      return FALSE;
    }
  if (fstat (fd, &info) != 0 || !S_ISREG (info.st_mode))
    {
      g_close (fd, NULL);
      g_set_error (error, REL_STORE_ERROR, REL_STORE_ERROR_FOREIGN,
                   _("The database path is not a regular file."));
      return FALSE;
    }
  got = info.st_size > 0 ? read (fd, header, sizeof header) : 0;
  g_close (fd, NULL);

  *is_empty = info.st_size == 0;
  if (*is_empty)
    return TRUE;

  if (got != (gssize) sizeof header ||
      memcmp (header, "SQLite format 3", 16) != 0)
    {
      g_set_error (error, REL_STORE_ERROR, REL_STORE_ERROR_CORRUPT,
                   _("The file is not a Relecture database, or it is damaged. It was left as it "
                     "is: restore a backup or move it aside to start a new one."));
      return FALSE;
    }

  {
    guint page_size = ((guint) header[16] << 8) | header[17];
    guint32 change_counter = read_be32 (header + 24);
    guint32 n_pages = read_be32 (header + 28);
    guint32 valid_for = read_be32 (header + 92);
    guint32 application_id = read_be32 (header + 68);

    g_autofree char *wal = g_strconcat (path, "-wal", NULL);
    struct stat wal_info;
    /* A checkpoint writes page 1 before it grows the file: killed between
     * the two, the file is short and the log beside it holds the rest. */
    gboolean logged = g_stat (wal, &wal_info) == 0 && wal_info.st_size > 0;

    if (page_size == 1)
      page_size = 65536;
    if (page_size < 512 || (page_size & (page_size - 1)) != 0 ||
        info.st_size % page_size != 0 ||
        (!logged && n_pages != 0 && change_counter == valid_for &&
         (goffset) n_pages * page_size > (goffset) info.st_size))
      {
        g_set_error (error, REL_STORE_ERROR, REL_STORE_ERROR_CORRUPT,
                     _("The database is truncated or damaged. It was left as it is: restore a "
                       "backup or move it aside to start a new one."));
        return FALSE;
      }
    if (application_id != 0 && application_id != APPLICATION_ID)
      {
        g_set_error (error, REL_STORE_ERROR, REL_STORE_ERROR_FOREIGN,
                     _("The file is the database of another program; Relecture left it as it "
                       "is."));
        return FALSE;
      }
  }
  return TRUE;
}

static gboolean
create_file (const char  *path,
             GError     **error)
{
  g_autofree char *folder = g_path_get_dirname (path);
  int fd;

  if (g_mkdir_with_parents (folder, 0700) != 0)
    {
      int saved = errno;

      g_set_error (error, REL_STORE_ERROR, REL_STORE_ERROR_READ_ONLY,
                   _("The folder of the database cannot be created: %s."), g_strerror (saved));
      return FALSE;
    }
  /* Created 0600 from the start: never readable by others, even briefly. */
  fd = g_open (path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0 && errno != EEXIST)
    {
      int saved = errno;

      g_set_error (error, REL_STORE_ERROR,
                   saved == EACCES || saved == EROFS ? REL_STORE_ERROR_READ_ONLY
                                                     : REL_STORE_ERROR_FAILED,
                   _("The database cannot be created: %s."), g_strerror (saved));
      return FALSE;
    }
  if (fd >= 0)
    g_close (fd, NULL);
  return TRUE;
}

static gboolean
query_int (RelStore    *self,
           const char  *sql,
           gint64      *value,
           GError     **error)
{
  sqlite3_stmt *statement = NULL;
  int rc = sqlite3_prepare_v2 (self->db, sql, -1, &statement, NULL);

  if (rc == SQLITE_OK)
    {
      rc = sqlite3_step (statement);
      if (rc == SQLITE_ROW)
        *value = sqlite3_column_int64 (statement, 0);
      else
        rc = sqlite3_reset (statement);
    }
  sqlite3_finalize (statement);
  return rel_store_check (self, rc, error);
}

/* The quick check reads every page: done at open for stores that make it
 * cheap; larger ones report damage on the page where it is met. */
static gboolean
quick_check (RelStore  *self,
             GError   **error)
{
  sqlite3_stmt *statement = NULL;
  gboolean ok = FALSE;
  int rc = sqlite3_prepare_v2 (self->db, "PRAGMA quick_check (1)", -1, &statement, NULL);

  if (rc == SQLITE_OK && sqlite3_step (statement) == SQLITE_ROW)
    ok = g_strcmp0 ((const char *) sqlite3_column_text (statement, 0), "ok") == 0;
  rc = sqlite3_finalize (statement);
  if (!ok)
    {
      set_error_from_code (error, rc != SQLITE_OK ? rc : SQLITE_CORRUPT, "quick_check");
      return FALSE;
    }
  return TRUE;
}

static gboolean
migrate (RelStore  *self,
         int        target,
         GError   **error)
{
  while (TRUE)
    {
      gint64 version = 0;
      g_autofree char *set_version = NULL;

      if (!rel_store_exec (self, "BEGIN IMMEDIATE", error))
        return FALSE;
      /* Read again inside the lock: another process may have migrated. */
      if (!query_int (self, "PRAGMA user_version", &version, error))
        {
          rel_store_rollback (self);
          return FALSE;
        }
      if (version >= target)
        {
          self->version = (int) version;
          return rel_store_exec (self, "COMMIT", error);
        }
      set_version = g_strdup_printf ("PRAGMA user_version = %" G_GINT64_FORMAT, version + 1);
      if (!rel_store_exec (self, migrations[version], error) ||
          !rel_store_exec (self, set_version, error) ||
          !rel_store_exec (self, "COMMIT", error))
        {
          rel_store_rollback (self);
          return FALSE;
        }
    }
}

/* Switching to WAL takes the lock at once, without the busy handler: two
 * processes creating the store together wait for each other here. */
static gboolean
set_wal (RelStore  *self,
         GError   **error)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) BUSY_TIMEOUT_MS * 1000;

  while (TRUE)
    {
      int rc = sqlite3_exec (self->db, "PRAGMA journal_mode = WAL", NULL, NULL, NULL);

      if ((rc & 0xff) != SQLITE_BUSY || g_get_monotonic_time () > deadline)
        return rel_store_check (self, rc, error);
      g_usleep (10 * 1000);
    }
}

static RelStore *
store_open (const char  *path,
            int          target,
            GError     **error)
{
  g_autoptr(RelStore) self = NULL;
  g_autofree char *owned = NULL;
  gboolean is_empty = FALSE;
  gint64 application_id = 0;
  gint64 version = 0;
  gint64 n_tables = 0;
  struct stat info;
  int rc;

  if (path == NULL)
    path = owned = rel_store_default_path ();

  if (!create_file (path, error) || !check_header (path, &is_empty, error))
    return NULL;

  self = g_object_new (REL_TYPE_STORE, NULL);
  self->path = g_strdup (path);
  rc = sqlite3_open_v2 (path, &self->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_FULLMUTEX, NULL);
  if (rc != SQLITE_OK)
    {
      rel_store_check (self, rc, error);
      return NULL;
    }
  sqlite3_extended_result_codes (self->db, TRUE);
  sqlite3_busy_timeout (self->db, BUSY_TIMEOUT_MS);

  if (sqlite3_db_readonly (self->db, "main") == 1)
    {
      g_set_error (error, REL_STORE_ERROR, REL_STORE_ERROR_READ_ONLY,
                   _("The database is read-only: decisions could not be saved. Check the "
                     "permissions of the file and of its folder."));
      return NULL;
    }

  /* Reading only, until the file is known to be ours and sound; in one
   * read transaction, not to see another process halfway through creating
   * it. */
  if (!rel_store_exec (self, "BEGIN", error))
    return NULL;
  if (!query_int (self, "PRAGMA application_id", &application_id, error) ||
      !query_int (self, "PRAGMA user_version", &version, error) ||
      !query_int (self, "SELECT count(*) FROM sqlite_schema", &n_tables, error))
    {
      rel_store_rollback (self);
      return NULL;
    }
  rel_store_rollback (self);

  if (application_id != APPLICATION_ID && (application_id != 0 || n_tables > 0))
    {
      g_set_error (error, REL_STORE_ERROR, REL_STORE_ERROR_FOREIGN,
                   _("The file is the database of another program; Relecture left it as it "
                     "is."));
      return NULL;
    }
  if (version > REL_STORE_SCHEMA_VERSION)
    {
      g_set_error (error, REL_STORE_ERROR, REL_STORE_ERROR_TOO_NEW,
                   _("The database was written by a newer version of Relecture (schema %d, "
                     "this one knows %d). Update Relecture to open it."),
                   (int) version, REL_STORE_SCHEMA_VERSION);
      return NULL;
    }
  if (!is_empty && g_stat (path, &info) == 0 && info.st_size <= QUICK_CHECK_MAX_SIZE &&
      !quick_check (self, error))
    return NULL;

  /* Ours and sound: tighten a copied file's mode, then start writing. */
  if (g_stat (path, &info) == 0 && (info.st_mode & 0077) != 0)
    g_chmod (path, 0600);
  if (!set_wal (self, error) ||
      !rel_store_exec (self, "PRAGMA synchronous = FULL", error) ||
      !rel_store_exec (self, "PRAGMA foreign_keys = ON", error) ||
      !migrate (self, target, error))
    return NULL;

  return g_steal_pointer (&self);
}

RelStore *
rel_store_new (const char  *path,
               GError     **error)
{
  return store_open (path, REL_STORE_SCHEMA_VERSION, error);
}

gboolean
rel_store_create_at_version (const char  *path,
                             int          version,
                             GError     **error)
{
  g_autoptr(RelStore) self = NULL;

  g_return_val_if_fail (version >= 0 && version <= REL_STORE_SCHEMA_VERSION, FALSE);

  self = store_open (path, version, error);
  return self != NULL;
}

const char *
rel_store_get_path (RelStore *self)
{
  g_return_val_if_fail (REL_IS_STORE (self), NULL);
  return self->path;
}

int
rel_store_get_schema_version (RelStore *self)
{
  g_return_val_if_fail (REL_IS_STORE (self), 0);
  return self->version;
}

/* The audit log */

gboolean
rel_store_audit (RelStore    *self,
                 const char  *user,
                 const char  *action,
                 gint64       document_id,
                 const char  *code,
                 const char  *before,
                 const char  *after,
                 GError     **error)
{
  g_autoptr(RelStatement) insert = rel_store_prepare (self,
    "INSERT INTO audit (change, time, user, action, document_id, code, before, after) "
    "VALUES (?1, " NOW ", ?2, ?3, ?4, ?5, ?6, ?7)", error);

  if (insert == NULL)
    return FALSE;
  sqlite3_bind_int64 (insert, 1, self->change);
  rel_statement_bind_text (insert, 2, user);
  rel_statement_bind_text (insert, 3, action);
  if (document_id > 0)
    sqlite3_bind_int64 (insert, 4, document_id);
  rel_statement_bind_text (insert, 5, code);
  rel_statement_bind_text (insert, 6, before);
  rel_statement_bind_text (insert, 7, after);
  return rel_store_step (self, insert, NULL, error);
}

gint64
rel_store_count_audit (RelStore    *self,
                       gint64       document_id,
                       GError     **error)
{
  g_autoptr(GRecMutexLocker) locker = g_rec_mutex_locker_new (&self->mutex);
  g_autoptr(RelStatement) count = NULL;

  g_return_val_if_fail (REL_IS_STORE (self), -1);

  count = rel_store_prepare (self,
    "SELECT count(*) FROM audit WHERE ?1 = 0 OR document_id = ?1", error);
  if (count == NULL)
    return -1;
  sqlite3_bind_int64 (count, 1, document_id);
  if (!rel_store_step (self, count, NULL, error))
    return -1;
  return sqlite3_column_int64 (count, 0);
}

static const char *
user_or_default (const char *user)
{
  return user != NULL && user[0] != '\0' ? user : g_get_user_name ();
}

static gboolean
is_one_of (const char         *value,
           const char * const *values)
{
  return value != NULL && g_strv_contains (values, value);
}

static gboolean
invalid (GError     **error,
         const char  *what,
         const char  *value)
{
  g_set_error (error, REL_STORE_ERROR, REL_STORE_ERROR_INVALID,
               _("Invalid %s “%s”."), what, value != NULL ? value : "");
  return FALSE;
}

/* Documents and analyses */

static gboolean
set_text (RelStore    *self,
          gint64       document_id,
          const char  *pseudonymized,
          GError     **error)
{
  g_autoptr(RelStatement) upsert = rel_store_prepare (self,
    "INSERT INTO document_texts (document_id, pseudonymized) VALUES (?1, ?2) "
    "ON CONFLICT (document_id) DO UPDATE SET pseudonymized = excluded.pseudonymized", error);

  if (upsert == NULL)
    return FALSE;
  sqlite3_bind_int64 (upsert, 1, document_id);
  rel_statement_bind_text (upsert, 2, pseudonymized);
  return rel_store_step (self, upsert, NULL, error);
}

gint64
rel_store_insert_document (RelStore    *self,
                           const char  *sha256,
                           const char  *path,
                           const char  *title,
                           const char  *kind,
                           const char  *pseudonymized,
                           const char  *user,
                           gboolean    *created,
                           GError     **error)
{
  g_autoptr(RelStatement) find = NULL;
  g_autoptr(RelStatement) insert = NULL;
  gboolean has_row = FALSE;
  gint64 id;

  find = rel_store_prepare (self, "SELECT id FROM documents WHERE sha256 = ?1", error);
  if (find == NULL)
    return 0;
  rel_statement_bind_text (find, 1, sha256);
  if (!rel_store_step (self, find, &has_row, error))
    return 0;

  if (has_row)
    {
      g_autoptr(RelStatement) update = NULL;

      id = sqlite3_column_int64 (find, 0);
      if (created != NULL)
        *created = FALSE;
      /* Seen again: only what changed is written (an import twice is a no-op). */
      if (path == NULL && pseudonymized == NULL)
        return id;
      update = rel_store_prepare (self,
        "UPDATE documents SET path = coalesce (?2, path), updated = " NOW " WHERE id = ?1", error);
      if (update == NULL)
        return 0;
      sqlite3_bind_int64 (update, 1, id);
      rel_statement_bind_text (update, 2, path);
      if (!rel_store_step (self, update, NULL, error) ||
          (pseudonymized != NULL && !set_text (self, id, pseudonymized, error)))
        return 0;
      if (created != NULL)
        *created = FALSE;
      return id;
    }

  insert = rel_store_prepare (self,
    "INSERT INTO documents (sha256, path, title, kind, created, updated) "
    "VALUES (?1, ?2, ?3, ?4, " NOW ", " NOW ")", error);
  if (insert == NULL)
    return 0;
  rel_statement_bind_text (insert, 1, sha256);
  rel_statement_bind_text (insert, 2, path);
  rel_statement_bind_text (insert, 3, title);
  rel_statement_bind_text (insert, 4, kind);
  if (!rel_store_step (self, insert, NULL, error))
    return 0;
  id = sqlite3_last_insert_rowid (self->db);
  if (pseudonymized != NULL && !set_text (self, id, pseudonymized, error))
    return 0;
  if (created != NULL)
    *created = TRUE;

  {
    g_autofree char *after = g_strdup_printf ("{\"sha256\":\"%s\"}", sha256);

    if (!rel_store_audit (self, user, "document.add", id, NULL, NULL, after, error))
      return 0;
  }
  return id;
}

static char *
document_title (RelDocument *document)
{
  const char *path = rel_document_get_path (document);

  if (path == NULL || g_str_equal (path, "-"))
    return g_strndup (rel_document_get_sha256 (document), 12);
  return g_path_get_basename (path);
}

gint64
rel_store_record_analysis (RelStore     *self,
                           RelAnalysis  *analysis,
                           const char   *user,
                           gint64       *out_analysis_id,
                           GError      **error)
{
  g_autoptr(GRecMutexLocker) locker = NULL;
  g_autoptr(JsonNode) json = NULL;
  g_autofree char *text = NULL;
  g_autofree char *title = NULL;
  g_autofree char *after = NULL;
  g_autoptr(RelStatement) insert = NULL;
  RelDocument *document;
  const char *path;
  GPtrArray *codes;
  gint64 document_id;
  gint64 analysis_id;

  g_return_val_if_fail (REL_IS_STORE (self), 0);
  g_return_val_if_fail (REL_IS_ANALYSIS (analysis), 0);

  if (rel_analysis_get_pseudonymized_text (analysis) == NULL)
    {
      g_set_error (error, REL_STORE_ERROR, REL_STORE_ERROR_INVALID,
                   _("The analysis has no pseudonymized text: it cannot be stored."));
      return 0;
    }

  document = rel_analysis_get_document (analysis);
  path = rel_document_get_path (document);
  json = rel_analysis_to_pseudonymized_json (analysis);
  text = json_to_string (json, FALSE);
  title = document_title (document);
  user = user_or_default (user);

  locker = g_rec_mutex_locker_new (&self->mutex);
  if (!rel_store_begin (self, error))
    return 0;

  document_id = rel_store_insert_document (self, rel_document_get_sha256 (document),
                                           path != NULL && !g_str_equal (path, "-") ? path : NULL,
                                           title,
                                           rel_document_get_kind (document) == REL_DOCUMENT_KIND_PDF
                                           ? "pdf" : "text",
                                           rel_analysis_get_pseudonymized_text (analysis),
                                           user, NULL, error);
  if (document_id == 0)
    goto failed;

  insert = rel_store_prepare (self,
    "INSERT INTO analyses (document_id, engine, model, version, created, duration_ms, json) "
    "VALUES (?1, ?2, ?3, ?4, " NOW ", ?5, ?6)", error);
  if (insert == NULL)
    goto failed;
  sqlite3_bind_int64 (insert, 1, document_id);
  rel_statement_bind_text (insert, 2, rel_analysis_get_engine_name (analysis));
  rel_statement_bind_text (insert, 3, rel_analysis_get_model (analysis));
  rel_statement_bind_text (insert, 4, PACKAGE_VERSION);
  sqlite3_bind_double (insert, 5, rel_analysis_get_total_ms (analysis));
  rel_statement_bind_text (insert, 6, text);
  if (!rel_store_step (self, insert, NULL, error))
    goto failed;
  analysis_id = sqlite3_last_insert_rowid (self->db);

  codes = rel_analysis_get_codes (analysis);
  for (guint i = 0; i < codes->len; i++)
    {
      const RelCodeSuggestion *code = g_ptr_array_index (codes, i);
      g_autoptr(RelStatement) suggest = rel_store_prepare (self,
        "INSERT OR IGNORE INTO suggestions (analysis_id, code, label, role, score, rank) "
        "VALUES (?1, ?2, ?3, ?4, ?5, ?6)", error);

      if (suggest == NULL)
        goto failed;
      sqlite3_bind_int64 (suggest, 1, analysis_id);
      rel_statement_bind_text (suggest, 2, code->code);
      rel_statement_bind_text (suggest, 3, code->label);
      rel_statement_bind_text (suggest, 4, code->role);
      sqlite3_bind_double (suggest, 5, code->score);
      sqlite3_bind_int (suggest, 6, (int) i + 1);
      if (!rel_store_step (self, suggest, NULL, error))
        goto failed;
    }

  after = g_strdup_printf ("{\"analysis\":%" G_GINT64_FORMAT ",\"engine\":\"%s\",\"codes\":%u}",
                           analysis_id, rel_analysis_get_engine_name (analysis), codes->len);
  if (!rel_store_audit (self, user, "analysis.add", document_id, NULL, NULL, after, error) ||
      !rel_store_commit (self, error))
    goto failed;

  if (out_analysis_id != NULL)
    *out_analysis_id = analysis_id;
  return document_id;

failed:
  rel_store_rollback (self);
  return 0;
}

#define DOCUMENT_COLUMNS \
  "d.id, d.sha256, d.path, d.title, d.kind, d.status, d.created, d.updated, " \
  "(SELECT count(*) FROM analyses a WHERE a.document_id = d.id), " \
  "(SELECT count(*) FROM decisions c WHERE c.document_id = d.id AND c.status != 'rejected'), " \
  "(SELECT count(*) FROM decisions c WHERE c.document_id = d.id AND c.status = 'rejected') "

static RelStoreDocument *
document_from_row (RelStatement *row)
{
  RelStoreDocument *document = g_new0 (RelStoreDocument, 1);

  document->id = sqlite3_column_int64 (row, 0);
  document->sha256 = rel_statement_dup_text (row, 1);
  document->path = rel_statement_dup_text (row, 2);
  document->title = rel_statement_dup_text (row, 3);
  document->kind = rel_statement_dup_text (row, 4);
  document->status = rel_statement_dup_text (row, 5);
  document->created = rel_statement_dup_text (row, 6);
  document->updated = rel_statement_dup_text (row, 7);
  document->n_analyses = (guint) sqlite3_column_int (row, 8);
  document->n_kept = (guint) sqlite3_column_int (row, 9);
  document->n_rejected = (guint) sqlite3_column_int (row, 10);
  return document;
}

static RelStoreDocument *
one_document (RelStore      *self,
              RelStatement  *query,
              GError       **error)
{
  gboolean has_row = FALSE;

  if (!rel_store_step (self, query, &has_row, error) || !has_row)
    return NULL;
  return document_from_row (query);
}

static gboolean
not_found (GError     **error,
           const char  *key)
{
  g_set_error (error, REL_STORE_ERROR, REL_STORE_ERROR_NOT_FOUND,
               _("No document “%s” in the database."), key);
  return FALSE;
}

RelStoreDocument *
rel_store_get_document (RelStore     *self,
                        gint64        document_id,
                        GError      **error)
{
  g_autoptr(GRecMutexLocker) locker = NULL;
  g_autoptr(RelStatement) query = NULL;
  g_autoptr(GError) local_error = NULL;
  RelStoreDocument *document;

  g_return_val_if_fail (REL_IS_STORE (self), NULL);

  locker = g_rec_mutex_locker_new (&self->mutex);
  query = rel_store_prepare (self,
    "SELECT " DOCUMENT_COLUMNS "FROM documents d WHERE d.id = ?1", error);
  if (query == NULL)
    return NULL;
  sqlite3_bind_int64 (query, 1, document_id);
  document = one_document (self, query, &local_error);
  if (document == NULL)
    {
      g_autofree char *key = g_strdup_printf ("%" G_GINT64_FORMAT, document_id);

      if (local_error != NULL)
        g_propagate_error (error, g_steal_pointer (&local_error));
      else
        not_found (error, key);
    }
  return document;
}

RelStoreDocument *
rel_store_find_document (RelStore     *self,
                         const char   *key,
                         GError      **error)
{
  g_autoptr(GRecMutexLocker) locker = NULL;
  g_autoptr(RelStatement) query = NULL;
  g_autoptr(GError) local_error = NULL;
  RelStoreDocument *document = NULL;
  gboolean digits = key[0] != '\0';

  g_return_val_if_fail (REL_IS_STORE (self), NULL);
  g_return_val_if_fail (key != NULL, NULL);

  for (const char *c = key; *c != '\0'; c++)
    digits = digits && g_ascii_isdigit (*c);

  locker = g_rec_mutex_locker_new (&self->mutex);
  if (digits && strlen (key) < 18)
    return rel_store_get_document (self, g_ascii_strtoll (key, NULL, 10), error);

  /* The path as recorded — its latest document: a report edited since is a
   * new document —, then a sha256 prefix of 8 characters or more. Each query
   * goes through an index: the worklist asks once per report. */
  {
    g_autofree char *absolute = g_canonicalize_filename (key, NULL);

    query = rel_store_prepare (self,
      "SELECT " DOCUMENT_COLUMNS "FROM documents d WHERE d.path IN (?1, ?2) "
      "ORDER BY d.id DESC LIMIT 1", error);
    if (query == NULL)
      return NULL;
    rel_statement_bind_text (query, 1, key);
    rel_statement_bind_text (query, 2, absolute);
    document = one_document (self, query, &local_error);
    if (document != NULL || local_error != NULL)
      goto done;
  }

  if (strlen (key) >= 8)
    {
      g_autoptr(RelStatement) by_sha = rel_store_prepare (self,
        "SELECT " DOCUMENT_COLUMNS "FROM documents d "
        "WHERE d.sha256 >= lower (?1) AND d.sha256 < lower (?1) || 'g' ORDER BY d.id LIMIT 2",
        error);
      gboolean has_row = FALSE;

      if (by_sha == NULL)
        return NULL;
      rel_statement_bind_text (by_sha, 1, key);
      document = one_document (self, by_sha, &local_error);
      if (document != NULL && rel_store_step (self, by_sha, &has_row, NULL) && has_row)
        {
          g_clear_pointer (&document, rel_store_document_free);
          g_set_error (error, REL_STORE_ERROR, REL_STORE_ERROR_INVALID,
                       _("“%s” names several documents: give more of the sha256."), key);
          return NULL;
        }
    }

done:
  if (document == NULL)
    {
      if (local_error != NULL)
        g_propagate_error (error, g_steal_pointer (&local_error));
      else
        not_found (error, key);
    }
  return document;
}

JsonNode *
rel_store_get_latest_analysis (RelStore  *self,
                               gint64     document_id,
                               gint64    *out_analysis_id,
                               GError   **error)
{
  g_autoptr(GRecMutexLocker) locker = NULL;
  g_autoptr(RelStatement) query = NULL;
  gboolean has_row = FALSE;

  g_return_val_if_fail (REL_IS_STORE (self), NULL);

  locker = g_rec_mutex_locker_new (&self->mutex);
  query = rel_store_prepare (self,
    "SELECT id, json FROM analyses WHERE document_id = ?1 ORDER BY id DESC LIMIT 1", error);
  if (query == NULL)
    return NULL;
  sqlite3_bind_int64 (query, 1, document_id);
  if (!rel_store_step (self, query, &has_row, error) || !has_row)
    return NULL;
  if (out_analysis_id != NULL)
    *out_analysis_id = sqlite3_column_int64 (query, 0);
  return json_from_string ((const char *) sqlite3_column_text (query, 1), error);
}

static gboolean
document_exists (RelStore    *self,
                 gint64       document_id,
                 char       **status,
                 GError     **error)
{
  g_autoptr(RelStatement) query = rel_store_prepare (self,
    "SELECT status FROM documents WHERE id = ?1", error);
  gboolean has_row = FALSE;

  if (query == NULL)
    return FALSE;
  sqlite3_bind_int64 (query, 1, document_id);
  if (!rel_store_step (self, query, &has_row, error))
    return FALSE;
  if (!has_row)
    {
      g_autofree char *key = g_strdup_printf ("%" G_GINT64_FORMAT, document_id);

      return not_found (error, key);
    }
  if (status != NULL)
    *status = rel_statement_dup_text (query, 0);
  return TRUE;
}

static gboolean
update_status (RelStore    *self,
               gint64       document_id,
               const char  *status,
               const char  *user,
               GError     **error)
{
  g_autofree char *before = NULL;
  g_autofree char *before_json = NULL;
  g_autofree char *after_json = NULL;
  g_autoptr(RelStatement) update = NULL;

  if (!document_exists (self, document_id, &before, error))
    return FALSE;
  if (g_strcmp0 (before, status) == 0)
    return TRUE;

  update = rel_store_prepare (self,
    "UPDATE documents SET status = ?2, updated = " NOW " WHERE id = ?1", error);
  if (update == NULL)
    return FALSE;
  sqlite3_bind_int64 (update, 1, document_id);
  rel_statement_bind_text (update, 2, status);
  if (!rel_store_step (self, update, NULL, error))
    return FALSE;

  before_json = g_strdup_printf ("{\"status\":\"%s\"}", before);
  after_json = g_strdup_printf ("{\"status\":\"%s\"}", status);
  return rel_store_audit (self, user, "document.status", document_id, NULL,
                          before_json, after_json, error);
}

gboolean
rel_store_set_status (RelStore    *self,
                      gint64       document_id,
                      const char  *status,
                      const char  *user,
                      GError     **error)
{
  g_autoptr(GRecMutexLocker) locker = NULL;

  g_return_val_if_fail (REL_IS_STORE (self), FALSE);

  if (!is_one_of (status, document_statuses))
    return invalid (error, _("document status"), status);

  locker = g_rec_mutex_locker_new (&self->mutex);
  if (!rel_store_begin (self, error))
    return FALSE;
  if (!update_status (self, document_id, status, user_or_default (user), error) ||
      !rel_store_commit (self, error))
    {
      rel_store_rollback (self);
      return FALSE;
    }
  return TRUE;
}

/* Decisions */

#define DECISION_COLUMNS \
  "id, document_id, analysis_id, code, label, role, status, origin, replaces, user, time, comment "

static RelDecision *
decision_from_row (RelStatement *row)
{
  RelDecision *decision = g_new0 (RelDecision, 1);

  decision->id = sqlite3_column_int64 (row, 0);
  decision->document_id = sqlite3_column_int64 (row, 1);
  decision->analysis_id = sqlite3_column_int64 (row, 2);
  decision->code = rel_statement_dup_text (row, 3);
  decision->label = rel_statement_dup_text (row, 4);
  decision->role = rel_statement_dup_text (row, 5);
  decision->status = rel_statement_dup_text (row, 6);
  decision->origin = rel_statement_dup_text (row, 7);
  decision->replaces = rel_statement_dup_text (row, 8);
  decision->user = rel_statement_dup_text (row, 9);
  decision->time = rel_statement_dup_text (row, 10);
  decision->comment = rel_statement_dup_text (row, 11);
  return decision;
}

static gboolean
get_decision (RelStore     *self,
              gint64        document_id,
              const char   *code,
              RelDecision **decision,
              GError      **error)
{
  g_autoptr(RelStatement) query = rel_store_prepare (self,
    "SELECT " DECISION_COLUMNS "FROM decisions WHERE document_id = ?1 AND code = ?2", error);
  gboolean has_row = FALSE;

  *decision = NULL;
  if (query == NULL)
    return FALSE;
  sqlite3_bind_int64 (query, 1, document_id);
  rel_statement_bind_text (query, 2, code);
  if (!rel_store_step (self, query, &has_row, error))
    return FALSE;
  if (has_row)
    *decision = decision_from_row (query);
  return TRUE;
}

/* The state of a decision as the audit log keeps it; %NULL for none. */
static char *
decision_to_json (const RelDecision *decision)
{
  g_autoptr(JsonBuilder) builder = NULL;
  g_autoptr(JsonNode) root = NULL;

  if (decision == NULL)
    return NULL;

  builder = json_builder_new ();
  json_builder_begin_object (builder);
  rel_json_set_string (builder, "code", decision->code);
  rel_json_set_string (builder, "label", decision->label);
  rel_json_set_string (builder, "role", decision->role);
  rel_json_set_string (builder, "status", decision->status);
  rel_json_set_string (builder, "origin", decision->origin);
  rel_json_set_string (builder, "replaces", decision->replaces);
  rel_json_set_string (builder, "user", decision->user);
  rel_json_set_string (builder, "time", decision->time);
  rel_json_set_string (builder, "comment", decision->comment);
  json_builder_set_member_name (builder, "analysis");
  json_builder_add_int_value (builder, decision->analysis_id);
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  return json_to_string (root, FALSE);
}

static RelDecision *
decision_from_json (const char  *text,
                    gint64       document_id,
                    GError     **error)
{
  g_autoptr(JsonNode) root = json_from_string (text, error);
  JsonObject *object;
  RelDecision *decision;

  if (root == NULL)
    return NULL;
  if (!JSON_NODE_HOLDS_OBJECT (root))
    {
      g_set_error (error, REL_STORE_ERROR, REL_STORE_ERROR_CORRUPT,
                   _("The audit log holds an unreadable decision."));
      return NULL;
    }
  object = json_node_get_object (root);
  decision = g_new0 (RelDecision, 1);
  decision->document_id = document_id;
  decision->code = g_strdup (rel_json_get_string (object, "code"));
  decision->label = g_strdup (rel_json_get_string (object, "label"));
  decision->role = g_strdup (rel_json_get_string (object, "role"));
  decision->status = g_strdup (rel_json_get_string (object, "status"));
  decision->origin = g_strdup (rel_json_get_string (object, "origin"));
  decision->replaces = g_strdup (rel_json_get_string (object, "replaces"));
  decision->user = g_strdup (rel_json_get_string (object, "user"));
  decision->time = g_strdup (rel_json_get_string (object, "time"));
  decision->comment = g_strdup (rel_json_get_string (object, "comment"));
  decision->analysis_id = rel_json_get_int (object, "analysis", 0);
  return decision;
}

/* Writes @decision as the current state of its code; with @time %NULL the
 * time is now. */
static gboolean
put_decision (RelStore           *self,
              const RelDecision  *decision,
              GError            **error)
{
  g_autoptr(RelStatement) upsert = rel_store_prepare (self,
    "INSERT INTO decisions (document_id, analysis_id, code, label, role, status, origin, "
    "                       replaces, user, time, comment) "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, coalesce (?10, " NOW "), ?11) "
    "ON CONFLICT (document_id, code) DO UPDATE SET analysis_id = excluded.analysis_id, "
    "label = excluded.label, role = excluded.role, status = excluded.status, "
    "origin = excluded.origin, replaces = excluded.replaces, user = excluded.user, "
    "time = excluded.time, comment = excluded.comment", error);

  if (upsert == NULL)
    return FALSE;
  sqlite3_bind_int64 (upsert, 1, decision->document_id);
  if (decision->analysis_id > 0)
    sqlite3_bind_int64 (upsert, 2, decision->analysis_id);
  rel_statement_bind_text (upsert, 3, decision->code);
  rel_statement_bind_text (upsert, 4, decision->label);
  rel_statement_bind_text (upsert, 5, decision->role);
  rel_statement_bind_text (upsert, 6, decision->status);
  rel_statement_bind_text (upsert, 7, decision->origin);
  rel_statement_bind_text (upsert, 8, decision->replaces);
  rel_statement_bind_text (upsert, 9, decision->user);
  rel_statement_bind_text (upsert, 10, decision->time);
  rel_statement_bind_text (upsert, 11, decision->comment);
  return rel_store_step (self, upsert, NULL, error);
}

static gboolean
delete_decision (RelStore    *self,
                 gint64       document_id,
                 const char  *code,
                 GError     **error)
{
  g_autoptr(RelStatement) remove = rel_store_prepare (self,
    "DELETE FROM decisions WHERE document_id = ?1 AND code = ?2", error);

  if (remove == NULL)
    return FALSE;
  sqlite3_bind_int64 (remove, 1, document_id);
  rel_statement_bind_text (remove, 2, code);
  return rel_store_step (self, remove, NULL, error);
}

/* Writes the new state of a code and logs it beside the old one. */
static gboolean
change_decision (RelStore           *self,
                 const char         *action,
                 const RelDecision  *before,
                 RelDecision        *after,
                 GError            **error)
{
  g_autofree char *before_json = decision_to_json (before);
  g_autofree char *after_json = NULL;
  g_autoptr(RelDecision) written = NULL;

  if (!put_decision (self, after, error) ||
      !get_decision (self, after->document_id, after->code, &written, error))
    return FALSE;
  after_json = decision_to_json (written);
  return rel_store_audit (self, after->user, action, after->document_id, after->code,
                          before_json, after_json, error);
}

/* What the latest analysis of the document said of @code, if it said it. */
static gboolean
find_suggestion (RelStore    *self,
                 gint64       document_id,
                 const char  *code,
                 gint64      *analysis_id,
                 char       **label,
                 char       **role,
                 GError     **error)
{
  g_autoptr(RelStatement) query = rel_store_prepare (self,
    "SELECT s.analysis_id, s.label, s.role FROM suggestions s "
    "WHERE s.code = ?2 AND s.analysis_id = "
    "  (SELECT max (id) FROM analyses WHERE document_id = ?1)", error);
  gboolean has_row = FALSE;

  *analysis_id = 0;
  if (query == NULL)
    return FALSE;
  sqlite3_bind_int64 (query, 1, document_id);
  rel_statement_bind_text (query, 2, code);
  if (!rel_store_step (self, query, &has_row, error))
    return FALSE;
  if (has_row)
    {
      *analysis_id = sqlite3_column_int64 (query, 0);
      *label = rel_statement_dup_text (query, 1);
      *role = rel_statement_dup_text (query, 2);
    }
  return TRUE;
}

/* Only one DP per document: the previous one becomes a DAS. */
static gboolean
demote_other_dp (RelStore    *self,
                 gint64       document_id,
                 const char  *code,
                 const char  *user,
                 GError     **error)
{
  g_autoptr(GPtrArray) others = g_ptr_array_new_with_free_func ((GDestroyNotify) rel_decision_free);

  {
    g_autoptr(RelStatement) query = rel_store_prepare (self,
      "SELECT " DECISION_COLUMNS "FROM decisions "
      "WHERE document_id = ?1 AND role = 'DP' AND code != ?2", error);
    gboolean has_row = TRUE;

    if (query == NULL)
      return FALSE;
    sqlite3_bind_int64 (query, 1, document_id);
    rel_statement_bind_text (query, 2, code);
    while (rel_store_step (self, query, &has_row, error) && has_row)
      g_ptr_array_add (others, decision_from_row (query));
    if (has_row)
      return FALSE;
  }

  for (guint i = 0; i < others->len; i++)
    {
      RelDecision *before = g_ptr_array_index (others, i);
      RelDecision after = *before;

      after.role = (char *) "DAS";
      after.user = (char *) user;
      after.time = NULL;
      if (!change_decision (self, "decision.role", before, &after, error))
        return FALSE;
    }
  return TRUE;
}

gboolean
rel_store_decide (RelStore    *self,
                  gint64       document_id,
                  const char  *code,
                  const char  *status,
                  const char  *role,
                  const char  *label,
                  const char  *replaces,
                  const char  *user,
                  const char  *comment,
                  GError     **error)
{
  g_autoptr(GRecMutexLocker) locker = NULL;
  g_autoptr(RelDecision) before = NULL;
  g_autofree char *document_status = NULL;
  g_autofree char *suggested_label = NULL;
  g_autofree char *suggested_role = NULL;
  gint64 analysis_id = 0;
  RelDecision after = { 0 };

  g_return_val_if_fail (REL_IS_STORE (self), FALSE);
  g_return_val_if_fail (code != NULL, FALSE);

  if (!is_one_of (status, decision_statuses))
    return invalid (error, _("decision"), status);
  if (role != NULL && !g_str_equal (role, "DP") && !g_str_equal (role, "DAS"))
    return invalid (error, _("role"), role);
  if (g_str_equal (status, "modified") && (replaces == NULL || g_str_equal (replaces, code)))
    return invalid (error, _("corrected code"), replaces);
  if (code[0] == '\0' || strlen (code) > 8)
    return invalid (error, _("code"), code);

  user = user_or_default (user);
  locker = g_rec_mutex_locker_new (&self->mutex);
  if (!rel_store_begin (self, error))
    return FALSE;

  if (!document_exists (self, document_id, &document_status, error) ||
      !find_suggestion (self, document_id, code, &analysis_id, &suggested_label,
                        &suggested_role, error) ||
      !get_decision (self, document_id, code, &before, error))
    goto failed;

  /* Adding a code the analysis suggested is accepting it, and accepting
   * one it did not is adding it. */
  if (g_str_equal (status, "added") && analysis_id > 0)
    status = "accepted";
  else if (g_str_equal (status, "accepted") && analysis_id == 0)
    status = "added";

  after.document_id = document_id;
  after.code = (char *) code;
  after.status = (char *) status;
  after.origin = analysis_id > 0 ? "suggested" : "manual";
  after.analysis_id = analysis_id;
  after.user = (char *) user;
  after.comment = (char *) comment;
  after.replaces = g_str_equal (status, "modified") ? (char *) replaces : NULL;
  after.label = (char *) (label != NULL ? label
                          : suggested_label != NULL ? suggested_label
                          : before != NULL ? before->label : NULL);
  if (g_str_equal (status, "rejected"))
    after.role = NULL;
  else
    after.role = (char *) (role != NULL ? role
                           : before != NULL && before->role != NULL ? before->role
                           : suggested_role != NULL ? suggested_role : "DAS");

  if (after.role != NULL && g_str_equal (after.role, "DP") &&
      !demote_other_dp (self, document_id, code, user, error))
    goto failed;

  /* A correction rejects the code it replaces. */
  if (after.replaces != NULL)
    {
      g_autoptr(RelDecision) old = NULL;
      g_autofree char *old_label = NULL;
      g_autofree char *old_role = NULL;
      gint64 old_analysis = 0;
      RelDecision rejected = { 0 };

      if (!get_decision (self, document_id, replaces, &old, error) ||
          !find_suggestion (self, document_id, replaces, &old_analysis, &old_label, &old_role,
                            error))
        goto failed;
      rejected.document_id = document_id;
      rejected.code = (char *) replaces;
      rejected.label = old != NULL && old->label != NULL ? old->label : old_label;
      rejected.status = "rejected";
      rejected.origin = old_analysis > 0 ? "suggested" : "manual";
      rejected.analysis_id = old_analysis;
      rejected.user = (char *) user;
      rejected.comment = old != NULL ? old->comment : NULL;
      if (!change_decision (self, "decision.reject", old, &rejected, error))
        goto failed;
    }

  {
    g_autofree char *action = g_strconcat ("decision.", status, NULL);

    if (!change_decision (self, action, before, &after, error))
      goto failed;
  }

  if (g_str_equal (document_status, "new") &&
      !update_status (self, document_id, "in_progress", user, error))
    goto failed;

  return rel_store_commit (self, error);

failed:
  rel_store_rollback (self);
  return FALSE;
}

gboolean
rel_store_undo (RelStore    *self,
                gint64       document_id,
                const char  *user,
                GError     **error)
{
  g_autoptr(GRecMutexLocker) locker = NULL;
  g_autoptr(GPtrArray) rows = NULL;
  gint64 change = 0;
  gboolean has_row = FALSE;

  g_return_val_if_fail (REL_IS_STORE (self), FALSE);

  user = user_or_default (user);
  locker = g_rec_mutex_locker_new (&self->mutex);
  if (!rel_store_begin (self, error))
    return FALSE;

  {
    g_autoptr(RelStatement) last = rel_store_prepare (self,
      "SELECT max (change) FROM audit WHERE document_id = ?1 AND action LIKE 'decision.%' "
      "AND action != 'decision.undo' AND change NOT IN "
      "  (SELECT undoes FROM audit WHERE document_id = ?1 AND action = 'decision.undo')", error);

    if (last == NULL)
      goto failed;
    sqlite3_bind_int64 (last, 1, document_id);
    if (!rel_store_step (self, last, &has_row, error))
      goto failed;
    change = sqlite3_column_int64 (last, 0);
  }
  if (change == 0)
    {
      rel_store_rollback (self);
      return FALSE;
    }

  /* The rows of that change, undone last first. */
  rows = g_ptr_array_new_with_free_func ((GDestroyNotify) g_strfreev);
  {
    g_autoptr(RelStatement) query = rel_store_prepare (self,
      "SELECT code, before FROM audit WHERE change = ?1 AND document_id = ?2 "
      "AND action LIKE 'decision.%' ORDER BY id DESC", error);

    if (query == NULL)
      goto failed;
    sqlite3_bind_int64 (query, 1, change);
    sqlite3_bind_int64 (query, 2, document_id);
    while (rel_store_step (self, query, &has_row, error) && has_row)
      {
        char **row = g_new0 (char *, 3);

        row[0] = rel_statement_dup_text (query, 0);
        row[1] = rel_statement_dup_text (query, 1);
        g_ptr_array_add (rows, row);
      }
    if (has_row)
      goto failed;
  }

  for (guint i = 0; i < rows->len; i++)
    {
      char **row = g_ptr_array_index (rows, i);
      g_autoptr(RelDecision) current = NULL;
      g_autoptr(RelDecision) restored = NULL;
      g_autofree char *current_json = NULL;
      g_autoptr(RelStatement) insert = NULL;

      if (!get_decision (self, document_id, row[0], &current, error))
        goto failed;
      current_json = decision_to_json (current);
      if (row[1] == NULL)
        {
          if (!delete_decision (self, document_id, row[0], error))
            goto failed;
        }
      else
        {
          restored = decision_from_json (row[1], document_id, error);
          if (restored == NULL || !put_decision (self, restored, error))
            goto failed;
        }

      insert = rel_store_prepare (self,
        "INSERT INTO audit (change, time, user, action, document_id, code, undoes, before, after) "
        "VALUES (?1, " NOW ", ?2, 'decision.undo', ?3, ?4, ?5, ?6, ?7)", error);
      if (insert == NULL)
        goto failed;
      sqlite3_bind_int64 (insert, 1, self->change);
      rel_statement_bind_text (insert, 2, user);
      sqlite3_bind_int64 (insert, 3, document_id);
      rel_statement_bind_text (insert, 4, row[0]);
      sqlite3_bind_int64 (insert, 5, change);
      rel_statement_bind_text (insert, 6, current_json);
      rel_statement_bind_text (insert, 7, row[1]);
      if (!rel_store_step (self, insert, NULL, error))
        goto failed;
    }

  return rel_store_commit (self, error);

failed:
  rel_store_rollback (self);
  return FALSE;
}

GPtrArray *
rel_store_list_decisions (RelStore  *self,
                          gint64     document_id,
                          GError   **error)
{
  g_autoptr(GRecMutexLocker) locker = NULL;
  g_autoptr(RelStatement) query = NULL;
  g_autoptr(GPtrArray) decisions = NULL;
  gboolean has_row = TRUE;

  g_return_val_if_fail (REL_IS_STORE (self), NULL);

  locker = g_rec_mutex_locker_new (&self->mutex);
  query = rel_store_prepare (self,
    "SELECT " DECISION_COLUMNS "FROM decisions WHERE document_id = ?1 ORDER BY code", error);
  if (query == NULL)
    return NULL;
  sqlite3_bind_int64 (query, 1, document_id);
  decisions = g_ptr_array_new_with_free_func ((GDestroyNotify) rel_decision_free);
  while (rel_store_step (self, query, &has_row, error) && has_row)
    g_ptr_array_add (decisions, decision_from_row (query));
  return has_row ? NULL : g_steal_pointer (&decisions);
}

/* Summary feedback */

static char *
summary_item_text (JsonNode    *analysis,
                   const char  *section,
                   guint        item)
{
  JsonArray *summary;

  if (analysis == NULL || !JSON_NODE_HOLDS_OBJECT (analysis))
    return NULL;
  summary = rel_json_get_array (json_node_get_object (analysis), "summary");
  for (guint i = 0; summary != NULL && i < json_array_get_length (summary); i++)
    {
      JsonObject *entry = rel_json_get_element (summary, i);
      JsonArray *items;

      if (entry == NULL ||
          g_strcmp0 (rel_json_get_string (entry, "section"), section) != 0)
        continue;
      items = rel_json_get_array (entry, "items");
      if (items == NULL || item >= json_array_get_length (items))
        return NULL;
      return g_strdup (rel_json_get_string (rel_json_get_element (items, item), "text"));
    }
  return NULL;
}

gboolean
rel_store_judge_summary_item (RelStore    *self,
                              gint64       document_id,
                              const char  *section,
                              guint        item,
                              const char  *verdict,
                              const char  *edited_text,
                              const char  *user,
                              GError     **error)
{
  g_autoptr(GRecMutexLocker) locker = NULL;
  g_autoptr(JsonNode) analysis = NULL;
  g_autoptr(RelStatement) upsert = NULL;
  g_autofree char *item_text = NULL;
  g_autofree char *after = NULL;
  gint64 analysis_id = 0;

  g_return_val_if_fail (REL_IS_STORE (self), FALSE);
  g_return_val_if_fail (section != NULL, FALSE);

  if (!is_one_of (verdict, verdicts))
    return invalid (error, _("verdict"), verdict);
  if (g_str_equal (verdict, "edited") && (edited_text == NULL || edited_text[0] == '\0'))
    return invalid (error, _("edited text"), "");

  user = user_or_default (user);
  locker = g_rec_mutex_locker_new (&self->mutex);
  if (!rel_store_begin (self, error))
    return FALSE;
  if (!document_exists (self, document_id, NULL, error))
    goto failed;
  {
    g_autoptr(GError) local_error = NULL;

    analysis = rel_store_get_latest_analysis (self, document_id, &analysis_id, &local_error);
    if (local_error != NULL)
      {
        g_propagate_error (error, g_steal_pointer (&local_error));
        goto failed;
      }
  }
  item_text = summary_item_text (analysis, section, item);
  if (item_text == NULL)
    {
      g_set_error (error, REL_STORE_ERROR, REL_STORE_ERROR_NOT_FOUND,
                   _("The summary has no item %u in section “%s”."), item + 1, section);
      goto failed;
    }

  upsert = rel_store_prepare (self,
    "INSERT INTO summary_feedback (document_id, analysis_id, section, item, item_text, verdict, "
    "                              edited_text, user, time) "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, " NOW ") "
    "ON CONFLICT (document_id, section, item) DO UPDATE SET analysis_id = excluded.analysis_id, "
    "item_text = excluded.item_text, verdict = excluded.verdict, "
    "edited_text = excluded.edited_text, user = excluded.user, time = excluded.time", error);
  if (upsert == NULL)
    goto failed;
  sqlite3_bind_int64 (upsert, 1, document_id);
  sqlite3_bind_int64 (upsert, 2, analysis_id);
  rel_statement_bind_text (upsert, 3, section);
  sqlite3_bind_int (upsert, 4, (int) item);
  rel_statement_bind_text (upsert, 5, item_text);
  rel_statement_bind_text (upsert, 6, verdict);
  rel_statement_bind_text (upsert, 7, g_str_equal (verdict, "edited") ? edited_text : NULL);
  rel_statement_bind_text (upsert, 8, user);
  if (!rel_store_step (self, upsert, NULL, error))
    goto failed;

  after = g_strdup_printf ("{\"section\":\"%s\",\"item\":%u,\"verdict\":\"%s\"}",
                           section, item, verdict);
  if (!rel_store_audit (self, user, "summary.judge", document_id, NULL, NULL, after, error))
    goto failed;
  return rel_store_commit (self, error);

failed:
  rel_store_rollback (self);
  return FALSE;
}

gboolean
rel_store_rate_summary (RelStore    *self,
                        gint64       document_id,
                        int          rating,
                        const char  *comment,
                        const char  *user,
                        GError     **error)
{
  g_autoptr(GRecMutexLocker) locker = NULL;
  g_autoptr(RelStatement) upsert = NULL;
  g_autofree char *after = NULL;

  g_return_val_if_fail (REL_IS_STORE (self), FALSE);

  if (rating < 1 || rating > 5)
    {
      g_autofree char *value = g_strdup_printf ("%d", rating);

      return invalid (error, _("rating (1 to 5)"), value);
    }

  user = user_or_default (user);
  locker = g_rec_mutex_locker_new (&self->mutex);
  if (!rel_store_begin (self, error))
    return FALSE;
  if (!document_exists (self, document_id, NULL, error))
    goto failed;

  upsert = rel_store_prepare (self,
    "INSERT INTO summary_ratings (document_id, user, rating, comment, time) "
    "VALUES (?1, ?2, ?3, ?4, " NOW ") "
    "ON CONFLICT (document_id, user) DO UPDATE SET rating = excluded.rating, "
    "comment = excluded.comment, time = excluded.time", error);
  if (upsert == NULL)
    goto failed;
  sqlite3_bind_int64 (upsert, 1, document_id);
  rel_statement_bind_text (upsert, 2, user);
  sqlite3_bind_int (upsert, 3, rating);
  rel_statement_bind_text (upsert, 4, comment);
  if (!rel_store_step (self, upsert, NULL, error))
    goto failed;

  after = g_strdup_printf ("{\"rating\":%d}", rating);
  if (!rel_store_audit (self, user, "summary.rate", document_id, NULL, NULL, after, error))
    goto failed;
  return rel_store_commit (self, error);

failed:
  rel_store_rollback (self);
  return FALSE;
}

/* The worklist */

GPtrArray *
rel_store_list_documents (RelStore    *self,
                          const char  *status,
                          guint        offset,
                          guint        limit,
                          GError     **error)
{
  g_autoptr(GRecMutexLocker) locker = NULL;
  g_autoptr(RelStatement) query = NULL;
  g_autoptr(GPtrArray) documents = NULL;
  gboolean has_row = TRUE;

  g_return_val_if_fail (REL_IS_STORE (self), NULL);

  if (status != NULL && !is_one_of (status, document_statuses))
    {
      invalid (error, _("document status"), status);
      return NULL;
    }

  locker = g_rec_mutex_locker_new (&self->mutex);
  if (status != NULL)
    query = rel_store_prepare (self,
      "SELECT " DOCUMENT_COLUMNS "FROM documents d WHERE d.status = ?1 "
      "ORDER BY d.id LIMIT ?2 OFFSET ?3", error);
  else
    query = rel_store_prepare (self,
      "SELECT " DOCUMENT_COLUMNS "FROM documents d ORDER BY d.id LIMIT ?2 OFFSET ?3", error);
  if (query == NULL)
    return NULL;
  if (status != NULL)
    rel_statement_bind_text (query, 1, status);
  sqlite3_bind_int64 (query, 2, limit > 0 ? (gint64) limit : -1);
  sqlite3_bind_int64 (query, 3, offset);

  documents = g_ptr_array_new_with_free_func ((GDestroyNotify) rel_store_document_free);
  while (rel_store_step (self, query, &has_row, error) && has_row)
    g_ptr_array_add (documents, document_from_row (query));
  return has_row ? NULL : g_steal_pointer (&documents);
}

gboolean
rel_store_count_by_status (RelStore  *self,
                           guint      counts[3],
                           GError   **error)
{
  g_autoptr(GRecMutexLocker) locker = NULL;
  g_autoptr(RelStatement) query = NULL;
  gboolean has_row = TRUE;

  g_return_val_if_fail (REL_IS_STORE (self), FALSE);

  counts[0] = counts[1] = counts[2] = 0;
  locker = g_rec_mutex_locker_new (&self->mutex);
  query = rel_store_prepare (self,
    "SELECT status, count(*) FROM documents GROUP BY status", error);
  if (query == NULL)
    return FALSE;
  while (rel_store_step (self, query, &has_row, error) && has_row)
    {
      const char *status = (const char *) sqlite3_column_text (query, 0);

      for (guint i = 0; document_statuses[i] != NULL; i++)
        if (g_strcmp0 (status, document_statuses[i]) == 0)
          counts[i] = (guint) sqlite3_column_int64 (query, 1);
    }
  return !has_row;
}

RelStoreDocument *
rel_store_next_undecided (RelStore  *self,
                          gint64     after_id,
                          GError   **error)
{
  g_autoptr(GRecMutexLocker) locker = NULL;
  g_autoptr(RelStatement) query = NULL;

  g_return_val_if_fail (REL_IS_STORE (self), NULL);

  locker = g_rec_mutex_locker_new (&self->mutex);
  /* After the current one first, then from the top of the list. */
  query = rel_store_prepare (self,
    "SELECT " DOCUMENT_COLUMNS "FROM documents d WHERE d.status = 'new' "
    "ORDER BY d.id <= ?1, d.id LIMIT 1", error);
  if (query == NULL)
    return NULL;
  sqlite3_bind_int64 (query, 1, after_id);
  return one_document (self, query, error);
}

GPtrArray *
rel_store_acceptance (RelStore    *self,
                      const char  *by,
                      GError     **error)
{
  g_autoptr(GRecMutexLocker) locker = NULL;
  g_autoptr(RelStatement) query = NULL;
  g_autoptr(GPtrArray) rates = NULL;
  gboolean has_row = TRUE;

  g_return_val_if_fail (REL_IS_STORE (self), NULL);

  locker = g_rec_mutex_locker_new (&self->mutex);
  if (g_strcmp0 (by, "user") == 0)
    query = rel_store_prepare (self,
      "SELECT c.user, c.code, count(*), sum (c.status = 'accepted') FROM decisions c "
      "WHERE c.origin = 'suggested' GROUP BY c.user, c.code ORDER BY c.user, c.code", error);
  else if (g_strcmp0 (by, "engine") == 0)
    query = rel_store_prepare (self,
      "SELECT a.engine || coalesce (' ' || a.model, ''), c.code, count(*), "
      "sum (c.status = 'accepted') FROM decisions c JOIN analyses a ON a.id = c.analysis_id "
      "WHERE c.origin = 'suggested' GROUP BY 1, c.code ORDER BY 1, c.code", error);
  else
    {
      invalid (error, _("grouping"), by);
      return NULL;
    }
  if (query == NULL)
    return NULL;

  rates = g_ptr_array_new_with_free_func ((GDestroyNotify) rel_acceptance_free);
  while (rel_store_step (self, query, &has_row, error) && has_row)
    {
      RelAcceptance *rate = g_new0 (RelAcceptance, 1);

      rate->key = rel_statement_dup_text (query, 0);
      rate->code = rel_statement_dup_text (query, 1);
      rate->n_decided = (guint) sqlite3_column_int64 (query, 2);
      rate->n_accepted = (guint) sqlite3_column_int64 (query, 3);
      rate->rate = rate->n_decided > 0 ? (double) rate->n_accepted / rate->n_decided : 0.0;
      g_ptr_array_add (rates, rate);
    }
  return has_row ? NULL : g_steal_pointer (&rates);
}
