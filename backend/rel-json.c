/* SPDX-License-Identifier: GPL-3.0-or-later */
/* rel-json.c: the few json-glib steps every writer and reader here repeats. */
#define G_LOG_DOMAIN "rel-json"

#include "config.h"

#include "rel-json.h"

void
rel_json_set_string (JsonBuilder *builder,
                     const char  *name,
                     const char  *value)
{
  json_builder_set_member_name (builder, name);
  if (value != NULL)
    json_builder_add_string_value (builder, value);
  else
    json_builder_add_null_value (builder);
}

void
rel_json_set_int (JsonBuilder *builder,
                  const char  *name,
                  gint64       value)
{
  json_builder_set_member_name (builder, name);
  json_builder_add_int_value (builder, value);
}

void
rel_json_set_bool (JsonBuilder *builder,
                   const char  *name,
                   gboolean     value)
{
  json_builder_set_member_name (builder, name);
  json_builder_add_boolean_value (builder, value);
}

const char *
rel_json_get_string (JsonObject *object,
                     const char *name)
{
  JsonNode *node = object != NULL ? json_object_get_member (object, name) : NULL;

  return node != NULL && JSON_NODE_HOLDS_VALUE (node) &&
         json_node_get_value_type (node) == G_TYPE_STRING ? json_node_get_string (node) : NULL;
}

gint64
rel_json_get_int (JsonObject *object,
                  const char *name,
                  gint64      fallback)
{
  JsonNode *node = object != NULL ? json_object_get_member (object, name) : NULL;

  return node != NULL && JSON_NODE_HOLDS_VALUE (node) &&
         json_node_get_value_type (node) == G_TYPE_INT64 ? json_node_get_int (node) : fallback;
}

JsonArray *
rel_json_get_array (JsonObject *object,
                    const char *name)
{
  JsonNode *node = object != NULL ? json_object_get_member (object, name) : NULL;

  return node != NULL && JSON_NODE_HOLDS_ARRAY (node) ? json_node_get_array (node) : NULL;
}

JsonObject *
rel_json_get_object (JsonObject *object,
                     const char *name)
{
  JsonNode *node = object != NULL ? json_object_get_member (object, name) : NULL;

  return node != NULL && JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
}

JsonObject *
rel_json_get_element (JsonArray *array,
                      guint      index)
{
  JsonNode *node = array != NULL && index < json_array_get_length (array)
                   ? json_array_get_element (array, index) : NULL;

  return node != NULL && JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
}
