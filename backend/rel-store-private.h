/* SPDX-License-Identifier: GPL-3.0-or-later */
/* rel-store-private.h: what rel-store.c shares with rel-export.c. */
#pragma once

#include <sqlite3.h>

#include "rel-store.h"

G_BEGIN_DECLS

/* A cached prepared statement, reset and unbound when released. */
typedef sqlite3_stmt RelStatement;

void          rel_statement_release  (RelStatement *statement);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (RelStatement, rel_statement_release)

/* @sql must be a string literal: the cache is keyed by its address. */
RelStatement *rel_store_prepare      (RelStore      *self,
                                      const char    *sql,
                                      GError       **error);
/* sqlite3_step() with SQLITE_ROW / SQLITE_DONE as %TRUE, anything else as
 * a GError; @has_row tells which (nullable). */
gboolean      rel_store_step         (RelStore      *self,
                                      RelStatement  *statement,
                                      gboolean      *has_row,
                                      GError       **error);
gboolean      rel_store_check        (RelStore      *self,
                                      int            rc,
                                      GError       **error);
gboolean      rel_store_exec         (RelStore      *self,
                                      const char    *sql,
                                      GError       **error);
/* BEGIN IMMEDIATE … COMMIT; rollback on failure. */
gboolean      rel_store_begin        (RelStore      *self,
                                      GError       **error);
gboolean      rel_store_commit       (RelStore      *self,
                                      GError       **error);
void          rel_store_rollback     (RelStore      *self);
GRecMutex    *rel_store_get_mutex    (RelStore      *self);

void          rel_statement_bind_text (RelStatement *statement,
                                      int            index,
                                      const char    *text);
/* The column as a new string, %NULL for SQL NULL. */
char         *rel_statement_dup_text (RelStatement  *statement,
                                      int            column);

/* Internal writes shared with the importer; within a transaction. */
gint64        rel_store_insert_document (RelStore   *self,
                                      const char    *sha256,
                                      const char    *path,
                                      const char    *title,
                                      const char    *kind,
                                      const char    *pseudonymized,
                                      const char    *user,
                                      gboolean      *created,
                                      GError       **error);
gboolean      rel_store_audit        (RelStore      *self,
                                      const char    *user,
                                      const char    *action,
                                      gint64         document_id,
                                      const char    *code,
                                      const char    *before,
                                      const char    *after,
                                      GError       **error);

/* The connection itself, for tests that need to reach under the API. */
sqlite3      *rel_store_get_handle   (RelStore      *self);

/* For the tests of migrations: an empty store stopped at @version. */
gboolean      rel_store_create_at_version (const char *path,
                                      int            version,
                                      GError       **error);

G_END_DECLS
