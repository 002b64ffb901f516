/* SPDX-License-Identifier: GPL-3.0-or-later */
/* rel-window.h: the main window, one report at a time. */
#pragma once

#include <gtk/gtk.h>

#include "rel-analysis.h"

G_BEGIN_DECLS

#define REL_TYPE_WINDOW (rel_window_get_type ())
G_DECLARE_FINAL_TYPE (RelWindow, rel_window, REL, WINDOW, GtkApplicationWindow)

RelWindow   *rel_window_new          (GtkApplication *application);
/* Loads @file in a worker thread; a report being loaded is cancelled. */
void         rel_window_open_file    (RelWindow      *self,
                                      GFile          *file);
/* The report shown, or %NULL. */
RelDocument *rel_window_get_document (RelWindow      *self);
/* The analysis of the report shown, once the worker has finished, or %NULL. */
RelAnalysis *rel_window_get_analysis (RelWindow      *self);
/* What the window shows: "empty", "loading", "error" or "report". */
const char  *rel_window_get_state    (RelWindow      *self);

G_END_DECLS
