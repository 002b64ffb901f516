/* SPDX-License-Identifier: GPL-3.0-or-later */
/* store-writer.c: records decisions one by one and says "ack CODE" once each
 * is on disk, so that test-store.py can kill it and check what survived. */
#define G_LOG_DOMAIN "store-writer"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rel-store-private.h"

static int
fail (const GError *error)
{
  fprintf (stderr, "store-writer: %s\n", error != NULL ? error->message : "unknown error");
  return EXIT_FAILURE;
}

/* The writers' shared document: an upsert keyed by its sha256, so that two
 * writers starting at once end with one row. */
static gint64
ensure_document (RelStore  *store,
                 GError   **error)
{
  g_autofree char *sha256 = g_compute_checksum_for_string (G_CHECKSUM_SHA256,
                                                          "relecture-writer", -1);
  gint64 document_id;

  if (!rel_store_begin (store, error))
    return 0;
  document_id = rel_store_insert_document (store, sha256, NULL, "writer", "text",
                                           "texte pseudonymisé", "writer", NULL, error);
  if (document_id == 0)
    {
      rel_store_rollback (store);
      return 0;
    }
  if (!rel_store_commit (store, error))
    return 0;
  return document_id;
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(RelStore) store = NULL;
  const char *prefix;
  gint64 document_id;
  gint64 count;
  int width;

  if (argc != 4)
    {
      fprintf (stderr, "usage: store-writer DB_PATH PREFIX COUNT\n");
      return 2;
    }
  prefix = argv[2];
  count = g_ascii_strtoll (argv[3], NULL, 10);
  width = 8 - (int) strlen (prefix);
  if (prefix[0] == '\0' || width < 1 || count < 0)
    {
      fprintf (stderr, "store-writer: PREFIX is 1 to 7 characters, COUNT is positive\n");
      return 2;
    }
  if (width > 5)
    width = 5;

  store = rel_store_new (argv[1], &error);
  if (store == NULL)
    return fail (error);
  document_id = ensure_document (store, &error);
  if (document_id == 0)
    return fail (error);

  for (gint64 i = 1; i <= count; i++)
    {
      g_autofree char *code = g_strdup_printf ("%s%0*" G_GINT64_FORMAT, prefix, width, i);

      if (strlen (code) > 8)
        {
          fprintf (stderr, "store-writer: COUNT is too large for PREFIX\n");
          return 2;
        }
      if (!rel_store_decide (store, document_id, code, "added", NULL, NULL, NULL, "writer",
                             NULL, &error))
        return fail (error);
      printf ("ack %s\n", code);
      fflush (stdout);
    }
  return EXIT_SUCCESS;
}
