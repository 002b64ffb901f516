/* SPDX-License-Identifier: GPL-3.0-or-later */
/* rel-lexicon.c: reading the authored word lists bundled in the resources. */
#define G_LOG_DOMAIN "rel-lexicon"

#include "config.h"

#include <gio/gio.h>
#include <glib/gi18n-lib.h>

#include "rel-data-resources.h"
#include "rel-lexicon.h"
#include "rel-tokens.h"

#define LEXICON_DIR "/io/github/relecture/Relecture/lexicons/"

GPtrArray *
rel_lexicon_load (const char  *name,
                  guint        min_columns,
                  GError     **error)
{
  g_autoptr(GPtrArray) rows = g_ptr_array_new_with_free_func ((GDestroyNotify) g_strfreev);
  g_autoptr(GBytes) bytes = NULL;
  g_autofree char *path = g_strconcat (LEXICON_DIR, name, NULL);
  g_auto(GStrv) lines = NULL;
  const char *data;
  gsize size;

  bytes = g_resource_lookup_data (rel_data_get_resource (), path,
                                  G_RESOURCE_LOOKUP_FLAGS_NONE, error);
  if (bytes == NULL)
    return NULL;

  data = g_bytes_get_data (bytes, &size);
  {
    g_autofree char *text = g_strndup (data, size);
    lines = g_strsplit (text, "\n", -1);
  }

  for (guint i = 0; lines[i] != NULL; i++)
    {
      char **fields;

      g_strchomp (lines[i]);
      if (lines[i][0] == '\0' || lines[i][0] == '#')
        continue;

      fields = g_strsplit (lines[i], "\t", -1);
      if (g_strv_length (fields) < min_columns)
        {
          g_strfreev (fields);
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                       _("%s, line %u: %u columns expected"), name, i + 1, min_columns);
          return NULL;
        }
      g_ptr_array_add (rows, fields);
    }

  return g_steal_pointer (&rows);
}

gboolean
rel_lexicon_load_words (const char  *name,
                        GHashTable  *set,
                        GError     **error)
{
  g_autoptr(GPtrArray) rows = rel_lexicon_load (name, 1, error);

  if (rows == NULL)
    return FALSE;
  for (guint i = 0; i < rows->len; i++)
    {
      g_auto(GStrv) words = rel_tokens_split (((char **) rows->pdata[i])[0]);

      g_hash_table_add (set, g_strjoinv (" ", words));
    }
  return TRUE;
}
