/* SPDX-License-Identifier: GPL-3.0-or-later */
/* main.c: starts the Relecture desktop application. */
#define G_LOG_DOMAIN "relecture"

#include "config.h"

#include <glib/gi18n.h>
#include <locale.h>

#include "rel-application.h"

int
main (int    argc,
      char **argv)
{
  g_autoptr(RelApplication) application = NULL;

  setlocale (LC_ALL, "");
  /* Run from the build tree (build-aux/run-app), the catalogs are there. */
  bindtextdomain (GETTEXT_PACKAGE, g_getenv ("RELECTURE_LOCALEDIR") != NULL
                                   ? g_getenv ("RELECTURE_LOCALEDIR") : LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  g_set_application_name ("Relecture");
  application = rel_application_new ();

  return g_application_run (G_APPLICATION (application), argc, argv);
}
