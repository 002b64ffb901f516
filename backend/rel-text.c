/* SPDX-License-Identifier: GPL-3.0-or-later */
/* rel-text.c: accent- and case-insensitive folding of French text. */
#define G_LOG_DOMAIN "rel-text"

#include "config.h"

#include "rel-text.h"

static void
append_folded_char (GString  *out,
                    gunichar  c)
{
  switch (c)
    {
    case 0x0153: /* œ */
    case 0x0152:
      g_string_append (out, "oe");
      return;
    case 0x00E6: /* æ */
    case 0x00C6:
      g_string_append (out, "ae");
      return;
    case 0x00DF: /* ß */
      g_string_append (out, "ss");
      return;
    default:
      break;
    }

  if (g_unichar_isalnum (c))
    g_string_append_unichar (out, g_unichar_tolower (c));
  else if (out->len > 0 && out->str[out->len - 1] != ' ')
    g_string_append_c (out, ' ');
}

/**
 * rel_text_fold:
 * @text: UTF-8 text
 * @length: length of @text in bytes, or -1 if nul-terminated
 *
 * Folds @text for comparison: compatibility decomposition, accents dropped,
 * lower case, ligatures expanded, every run of non-alphanumeric characters
 * turned into one space, no leading or trailing space.
 * "Insuffisance Cardiaque à FEVG  altérée" becomes
 * "insuffisance cardiaque a fevg alteree".
 *
 * Returns: (transfer full): the folded text
 */
char *
rel_text_fold (const char *text,
               gssize      length)
{
  g_autofree char *decomposed = NULL;
  GString *out;

  g_return_val_if_fail (text != NULL, NULL);

  decomposed = g_utf8_normalize (text, length, G_NORMALIZE_ALL);
  if (decomposed == NULL)
    {
      /* Invalid UTF-8: fold what is valid rather than lose the whole string. */
      g_autofree char *valid = g_utf8_make_valid (text, length);
      decomposed = g_utf8_normalize (valid, -1, G_NORMALIZE_ALL);
    }

  out = g_string_sized_new (strlen (decomposed));
  for (const char *p = decomposed; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (g_unichar_type (c) == G_UNICODE_NON_SPACING_MARK ||
          g_unichar_type (c) == G_UNICODE_SPACING_MARK ||
          g_unichar_type (c) == G_UNICODE_ENCLOSING_MARK)
        continue;
      append_folded_char (out, c);
    }

  if (out->len > 0 && out->str[out->len - 1] == ' ')
    g_string_truncate (out, out->len - 1);

  return g_string_free (out, FALSE);
}

/**
 * rel_text_is_blank:
 * @text: UTF-8 text
 * @length: length in bytes, or -1 if nul-terminated
 *
 * Returns: %TRUE if @text holds nothing but white space
 */
gboolean
rel_text_is_blank (const char *text,
                   gssize      length)
{
  const char *end;

  g_return_val_if_fail (text != NULL, TRUE);

  end = length < 0 ? text + strlen (text) : text + length;
  for (const char *p = text; p < end; p = g_utf8_next_char (p))
    {
      if (!g_unichar_isspace (g_utf8_get_char (p)))
        return FALSE;
    }

  return TRUE;
}

/* Whether @length bytes of @text are all ASCII, so that byte-wise case
 * mapping is enough. */
gboolean
rel_text_is_ascii (const char *text,
                   gsize       length)
{
  for (gsize i = 0; i < length; i++)
    if ((guchar) text[i] >= 0x80)
      return FALSE;
  return TRUE;
}
