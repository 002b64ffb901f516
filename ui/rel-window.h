/* SPDX-License-Identifier: GPL-3.0-or-later */
/* rel-window.h: the main window — a worklist, the report, its codes and summary. */
#pragma once

#include <gtk/gtk.h>

#include "rel-analysis.h"
#include "rel-store.h"

G_BEGIN_DECLS

#define REL_TYPE_WINDOW (rel_window_get_type ())
G_DECLARE_FINAL_TYPE (RelWindow, rel_window, REL, WINDOW, GtkApplicationWindow)

RelWindow    *rel_window_new             (GtkApplication *application);
/* Loads @file in a worker thread; a report being loaded or analysed is
 * cancelled. */
void          rel_window_open_file       (RelWindow      *self,
                                          GFile          *file);
/* Makes @files the worklist (a folder stands for its reports) and opens the
 * first one. */
void          rel_window_open_files      (RelWindow      *self,
                                          GFile         **files,
                                          guint           n_files);
/* The report shown, or %NULL. */
RelDocument  *rel_window_get_document    (RelWindow      *self);
/* The analysis of the report shown, once the worker has finished, or %NULL. */
RelAnalysis  *rel_window_get_analysis    (RelWindow      *self);
/* What the window shows: "empty", "loading", "error" or "report". */
const char   *rel_window_get_state       (RelWindow      *self);
/* Where decisions are written (%NULL when the database could not be opened)
 * and the shown report's id in it (0 before its analysis is recorded). */
RelStore     *rel_window_get_store       (RelWindow      *self);
gint64        rel_window_get_document_id (RelWindow      *self);
/* Cancelled when another report is opened or the user stops the analysis. */
GCancellable *rel_window_get_cancellable (RelWindow      *self);
/* The files of the worklist, in order (GFile*). */
GPtrArray    *rel_window_get_worklist    (RelWindow      *self);
/* The popover that searches the nomenclature for a code to add. */
GtkWidget    *rel_window_get_code_search (RelWindow      *self);

G_END_DECLS
