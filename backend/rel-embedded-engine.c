/* SPDX-License-Identifier: GPL-3.0-or-later */
/* rel-embedded-engine.c: the embedded analysis pipeline. */
#define G_LOG_DOMAIN "rel-embedded-engine"

#include "config.h"

#include "rel-embedded-engine.h"

struct _RelEmbeddedEngine
{
  GObject         parent_instance;

  RelTerminology *terminology;
};

static void rel_embedded_engine_iface_init (RelEngineInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (RelEmbeddedEngine, rel_embedded_engine, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (REL_TYPE_ENGINE,
                                                      rel_embedded_engine_iface_init))

static RelAnalysis *
rel_embedded_engine_analyze (RelEngine     *engine,
                             RelDocument   *document,
                             GCancellable  *cancellable,
                             GError       **error)
{
  gint64 start = g_get_monotonic_time ();

  return rel_analysis_new (document, "embedded", NULL,
                           (g_get_monotonic_time () - start) / 1000.0);
}

static void
rel_embedded_engine_iface_init (RelEngineInterface *iface)
{
  iface->analyze = rel_embedded_engine_analyze;
}

static void
rel_embedded_engine_dispose (GObject *object)
{
  RelEmbeddedEngine *self = (RelEmbeddedEngine *) object;

  g_clear_object (&self->terminology);

  G_OBJECT_CLASS (rel_embedded_engine_parent_class)->dispose (object);
}

static void
rel_embedded_engine_class_init (RelEmbeddedEngineClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = rel_embedded_engine_dispose;
}

static void
rel_embedded_engine_init (RelEmbeddedEngine *self)
{
}

RelEngine *
rel_embedded_engine_new (RelTerminology *terminology)
{
  RelEmbeddedEngine *self;

  g_return_val_if_fail (REL_IS_TERMINOLOGY (terminology), NULL);

  self = g_object_new (REL_TYPE_EMBEDDED_ENGINE, NULL);
  self->terminology = g_object_ref (terminology);

  return REL_ENGINE (self);
}

RelTerminology *
rel_embedded_engine_get_terminology (RelEmbeddedEngine *self)
{
  g_return_val_if_fail (REL_IS_EMBEDDED_ENGINE (self), NULL);
  return self->terminology;
}
