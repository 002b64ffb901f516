/* SPDX-License-Identifier: GPL-3.0-or-later */
/* rel-engine.h: what every analysis engine (embedded, HTTP) provides. */
#pragma once

#include "rel-analysis.h"
#include "rel-document.h"

G_BEGIN_DECLS

#define REL_TYPE_ENGINE (rel_engine_get_type ())
G_DECLARE_INTERFACE (RelEngine, rel_engine, REL, ENGINE, GObject)

struct _RelEngineInterface
{
  GTypeInterface parent_iface;

  /* Runs in a worker thread: must not touch widgets nor shared mutable state. */
  RelAnalysis *(*analyze) (RelEngine     *self,
                           RelDocument   *document,
                           GCancellable  *cancellable,
                           GError       **error);
};

/* Blocking: for the CLI and for worker threads. */
RelAnalysis *rel_engine_analyze        (RelEngine            *self,
                                        RelDocument          *document,
                                        GCancellable         *cancellable,
                                        GError              **error);
/* Runs rel_engine_analyze() in a worker thread. */
void         rel_engine_analyze_async  (RelEngine            *self,
                                        RelDocument          *document,
                                        GCancellable         *cancellable,
                                        GAsyncReadyCallback   callback,
                                        gpointer              user_data);
RelAnalysis *rel_engine_analyze_finish (RelEngine            *self,
                                        GAsyncResult         *result,
                                        GError              **error);

G_END_DECLS
