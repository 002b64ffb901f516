/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fuzz-pseudonymizer.c: finding and replacing identifying data in arbitrary text. */
#define G_LOG_DOMAIN "fuzz"

#include "config.h"

#include <string.h>

#include "fuzz.h"
#include "rel-pseudonymizer.h"

static RelPseudonymizer *pseudonymizer;

int
rel_fuzz_pseudonymizer (const guint8 *data,
                        gsize         size)
{
  /* Documents are valid UTF-8 without NUL: so is what the pseudonymizer gets. */
  g_autofree char *text = g_utf8_make_valid ((const char *) data, size);
  g_autoptr(GPtrArray) phi = NULL;
  gsize length = strlen (text);
  static const RelPseudoStrategy strategies[] = {
    REL_PSEUDO_PLACEHOLDER, REL_PSEUDO_SURROGATE, REL_PSEUDO_REMOVE,
  };

  if (pseudonymizer == NULL)
    {
      g_autoptr(GError) error = NULL;

      pseudonymizer = rel_pseudonymizer_new (rel_fuzz_get_terminology (), &error);
      g_assert_no_error (error);
    }

  phi = rel_pseudonymizer_find (pseudonymizer, text, length);
  g_assert_nonnull (phi);
  for (guint i = 0; i < phi->len; i++)
    {
      const RelPhi *span = g_ptr_array_index (phi, i);

      rel_fuzz_check_span (text, length, span->start, span->end);
      g_assert_cmpuint (span->start, <, span->end);
      g_assert_nonnull (span->label);
      /* In text order, not overlapping. */
      if (i > 0)
        g_assert_cmpuint (((const RelPhi *) g_ptr_array_index (phi, i - 1))->end, <=,
                          span->start);
    }

  for (guint s = 0; s < G_N_ELEMENTS (strategies); s++)
    {
      g_autofree char *out = rel_pseudonymizer_apply (pseudonymizer, text, length, phi,
                                                      strategies[s], 20240826);

      g_assert_nonnull (out);
      g_assert_true (g_utf8_validate (out, -1, NULL));
      for (guint i = 0; i < phi->len; i++)
        g_assert_nonnull (((const RelPhi *) g_ptr_array_index (phi, i))->replacement);
    }
  return 0;
}
