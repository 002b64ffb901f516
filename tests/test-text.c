/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-text.c: folding of French text for matching and search. */
#define G_LOG_DOMAIN "test-text"

#include "config.h"

#include "rel-text.h"

static void
assert_folds (const char *text,
              const char *expected)
{
  g_autofree char *folded = rel_text_fold (text, -1);

  g_assert_cmpstr (folded, ==, expected);
}

static void
test_fold (void)
{
  assert_folds ("Insuffisance Cardiaque à FEVG  altérée", "insuffisance cardiaque a fevg alteree");
  assert_folds ("ŒDÈME pulmonaire", "oedeme pulmonaire");
  assert_folds ("cœur", "coeur");
  assert_folds ("  (HTA) ; DT2…", "hta dt2");
  assert_folds ("Ca²⁺", "ca2");
  assert_folds ("l'œil", "l oeil");
  assert_folds ("Pneumopathie à E. coli", "pneumopathie a e coli");
  assert_folds ("", "");
  assert_folds ("-- --", "");
}

static void
test_fold_invalid (void)
{
  g_autofree char *folded = rel_text_fold ("caf\xe9 noir", -1);

  g_assert_true (g_utf8_validate (folded, -1, NULL));
  g_assert_true (g_str_has_suffix (folded, "noir"));
}

static void
test_blank (void)
{
  g_assert_true (rel_text_is_blank ("", -1));
  g_assert_true (rel_text_is_blank (" \n\t\f\xc2\xa0", -1));
  g_assert_false (rel_text_is_blank ("  a ", -1));
  g_assert_true (rel_text_is_blank ("  a ", 2));
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/text/fold", test_fold);
  g_test_add_func ("/text/fold-invalid", test_fold_invalid);
  g_test_add_func ("/text/blank", test_blank);

  return g_test_run ();
}
