/* SPDX-License-Identifier: GPL-3.0-or-later */
/* rel-document.h: a clinical report loaded as immutable UTF-8 text. */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define REL_DOCUMENT_ERROR (rel_document_error_quark ())

typedef enum
{
  REL_DOCUMENT_ERROR_NOT_FOUND,
  REL_DOCUMENT_ERROR_UNREADABLE,
  REL_DOCUMENT_ERROR_EMPTY,
  REL_DOCUMENT_ERROR_BINARY,
  REL_DOCUMENT_ERROR_TOO_LARGE,
  REL_DOCUMENT_ERROR_PDF_NO_TEXT,
  REL_DOCUMENT_ERROR_PDF_ENCRYPTED,
  REL_DOCUMENT_ERROR_PDF_INVALID,
} RelDocumentError;

typedef enum
{
  REL_DOCUMENT_KIND_TEXT,
  REL_DOCUMENT_KIND_PDF,
} RelDocumentKind;

/* The default limit on the size of a report file, in bytes. */
#define REL_DOCUMENT_DEFAULT_MAX_SIZE ((gsize) 20 * 1024 * 1024)

#define REL_TYPE_DOCUMENT (rel_document_get_type ())
G_DECLARE_FINAL_TYPE (RelDocument, rel_document, REL, DOCUMENT, GObject)

GQuark           rel_document_error_quark     (void);

/* Loads @file (plain text in UTF-8, UTF-16, Windows-1252 or ISO-8859-1, or a
 * PDF with a text layer), refusing files larger than @max_size bytes
 * (0 for the default). Blocking: call it from a worker thread. */
RelDocument     *rel_document_new_from_file   (GFile         *file,
                                               gsize          max_size,
                                               GCancellable  *cancellable,
                                               GError       **error);
/* Reads a whole stream (standard input, say) as a document named @path. */
RelDocument     *rel_document_new_from_stream (GInputStream  *stream,
                                               const char    *path,
                                               gsize          max_size,
                                               GCancellable  *cancellable,
                                               GError       **error);
/* Decodes @bytes, the original bytes of a file named @path. */
RelDocument     *rel_document_new_from_bytes  (GBytes        *bytes,
                                               const char    *path,
                                               gsize          max_size,
                                               GError       **error);
/* rel_document_new_from_file() in a worker thread. */
void             rel_document_load_async      (GFile               *file,
                                               gsize                max_size,
                                               GCancellable        *cancellable,
                                               GAsyncReadyCallback  callback,
                                               gpointer             user_data);
RelDocument     *rel_document_load_finish     (GAsyncResult        *result,
                                               GError             **error);

const char      *rel_document_get_path        (RelDocument *self);
const char      *rel_document_get_text        (RelDocument *self);
gsize            rel_document_get_length      (RelDocument *self);
const char      *rel_document_get_sha256      (RelDocument *self);
const char      *rel_document_get_encoding    (RelDocument *self);
RelDocumentKind  rel_document_get_kind        (RelDocument *self);
guint            rel_document_get_n_pages     (RelDocument *self);

G_END_DECLS
