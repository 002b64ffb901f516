/* SPDX-License-Identifier: GPL-3.0-or-later */
/* rel-json.c: the few json-glib steps every writer and reader here repeats. */
#define G_LOG_DOMAIN "rel-json"

#include "config.h"

#include <string.h>

#include "rel-json.h"

#define JSON_SPACE " \t\r\n"

/* Where the value at the start of @text ends: only its nesting and its
 * strings are followed, the parser checks the rest. */
static const char *
value_end (const char *text)
{
  const char *p = text + strspn (text, JSON_SPACE);
  gboolean in_string = FALSE;
  gboolean escaped = FALSE;
  int depth = 0;

  if (*p != '{' && *p != '[' && *p != '"')
    return p + strcspn (p, JSON_SPACE "{}[]\",:");

  for (; *p != '\0'; p++)
    {
      if (in_string)
        {
          if (escaped)
            escaped = FALSE;
          else if (*p == '\\')
            escaped = TRUE;
          else if (*p == '"')
            {
              in_string = FALSE;
              if (depth == 0)
                return p + 1;
            }
        }
      else if (*p == '"')
        in_string = TRUE;
      else if (*p == '{' || *p == '[')
        depth++;
      else if ((*p == '}' || *p == ']') && --depth == 0)
        return p + 1;
    }
  return p;
}

/* Are arrays and objects nested more than @max_depth deep in @text? */
static gboolean
too_deep (const char *text,
          int         max_depth)
{
  gboolean in_string = FALSE;
  int depth = 0;

  for (const char *p = text; *p != '\0'; p++)
    {
      if (in_string)
        {
          if (*p == '\\' && p[1] != '\0')
            p++;
          else if (*p == '"')
            in_string = FALSE;
        }
      else if (*p == '"')
        in_string = TRUE;
      else if ((*p == '{' || *p == '[') && ++depth > max_depth)
        return TRUE;
      else if ((*p == '}' || *p == ']') && depth > 0)
        depth--;
    }
  return FALSE;
}

JsonNode *
rel_json_from_string (const char  *text,
                      GError     **error)
{
  const char *end;

  g_return_val_if_fail (text != NULL, NULL);

  if (too_deep (text, REL_JSON_MAX_DEPTH))
    {
      g_set_error (error, JSON_PARSER_ERROR, JSON_PARSER_ERROR_INVALID_DATA,
                   "JSON nested deeper than %d levels", REL_JSON_MAX_DEPTH);
      return NULL;
    }
  /* Found by fuzzing: json-glib leaked the values after the first one. */
  end = value_end (text);
  if (end[strspn (end, JSON_SPACE)] != '\0')
    {
      /* Not for the user's eyes: every caller says "not JSON" its own way. */
      g_set_error (error, JSON_PARSER_ERROR, JSON_PARSER_ERROR_INVALID_DATA,
                   "unexpected data after the JSON value at byte %u", (guint) (end - text));
      return NULL;
    }
  return json_from_string (text, error);
}

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
