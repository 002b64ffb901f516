/* SPDX-License-Identifier: GPL-3.0-or-later */
/* rel-preferences.h: the preferences window, backed by GSettings. */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define REL_TYPE_PREFERENCES (rel_preferences_get_type ())
G_DECLARE_FINAL_TYPE (RelPreferences, rel_preferences, REL, PREFERENCES, GtkWindow)

RelPreferences *rel_preferences_new (GtkWindow *parent);

G_END_DECLS
