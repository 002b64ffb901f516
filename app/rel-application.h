/* SPDX-License-Identifier: GPL-3.0-or-later */
/* rel-application.h: the Relecture GtkApplication. */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define REL_TYPE_APPLICATION (rel_application_get_type ())
G_DECLARE_FINAL_TYPE (RelApplication, rel_application, REL, APPLICATION, GtkApplication)

RelApplication *rel_application_new (void);

G_END_DECLS
