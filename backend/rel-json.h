/* SPDX-License-Identifier: GPL-3.0-or-later */
/* rel-json.h: the few json-glib steps every writer and reader here repeats. */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* A member with a string value, or null when @value is %NULL. */
void        rel_json_set_string  (JsonBuilder *builder,
                                  const char  *name,
                                  const char  *value);
void        rel_json_set_int     (JsonBuilder *builder,
                                  const char  *name,
                                  gint64       value);
void        rel_json_set_bool    (JsonBuilder *builder,
                                  const char  *name,
                                  gboolean     value);

/* json_from_string() for what another program wrote: json-glib 1.6 takes
 * "{…}{…}" or "1[…]" for their first value, dropping (and leaking) the
 * rest; here only one value, and nothing but white space after it, is JSON.
 * Nor more than REL_JSON_MAX_DEPTH nested arrays and objects: json-glib
 * recurses once a level and ran out of stack on 100,000 of them. */
JsonNode   *rel_json_from_string (const char  *text,
                                  GError     **error);
#define REL_JSON_MAX_DEPTH 64

/* Reading what another program wrote: a member of another type, or absent,
 * is %NULL — never a critical warning. */
const char *rel_json_get_string  (JsonObject  *object,
                                  const char  *name);
/* An integer member, @fallback when absent or of another type. */
gint64      rel_json_get_int     (JsonObject  *object,
                                  const char  *name,
                                  gint64       fallback);
JsonArray  *rel_json_get_array   (JsonObject  *object,
                                  const char  *name);
JsonObject *rel_json_get_object  (JsonObject  *object,
                                  const char  *name);
JsonObject *rel_json_get_element (JsonArray   *array,
                                  guint        index);

G_END_DECLS
