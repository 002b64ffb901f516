/* SPDX-License-Identifier: GPL-3.0-or-later */
/* rel-engine.c: the engine interface and its worker-thread wrapper. */
#define G_LOG_DOMAIN "rel-engine"

#include "config.h"

#include "rel-engine.h"

G_DEFINE_INTERFACE (RelEngine, rel_engine, G_TYPE_OBJECT)

static void
rel_engine_default_init (RelEngineInterface *iface)
{
}

RelAnalysis *
rel_engine_analyze (RelEngine     *self,
                    RelDocument   *document,
                    GCancellable  *cancellable,
                    GError       **error)
{
  g_return_val_if_fail (REL_IS_ENGINE (self), NULL);
  g_return_val_if_fail (REL_IS_DOCUMENT (document), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return NULL;

  return REL_ENGINE_GET_IFACE (self)->analyze (self, document, cancellable, error);
}

static void
analyze_in_thread (GTask        *task,
                   gpointer      source_object,
                   gpointer      task_data,
                   GCancellable *cancellable)
{
  GError *error = NULL;
  RelAnalysis *analysis;

  analysis = rel_engine_analyze (source_object, task_data, cancellable, &error);
  if (analysis == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, analysis, g_object_unref);
}

void
rel_engine_analyze_async (RelEngine           *self,
                          RelDocument         *document,
                          GCancellable        *cancellable,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (REL_IS_ENGINE (self));
  g_return_if_fail (REL_IS_DOCUMENT (document));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, rel_engine_analyze_async);
  /* The document is immutable, so the worker may read it freely. */
  g_task_set_task_data (task, g_object_ref (document), g_object_unref);
  g_task_run_in_thread (task, analyze_in_thread);
}

RelAnalysis *
rel_engine_analyze_finish (RelEngine     *self,
                           GAsyncResult  *result,
                           GError       **error)
{
  g_return_val_if_fail (REL_IS_ENGINE (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
