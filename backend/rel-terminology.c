/* SPDX-License-Identifier: GPL-3.0-or-later */
/* rel-terminology.c: loading, importing and searching the CIM-10 nomenclature. */
#define G_LOG_DOMAIN "rel-terminology"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

#include "rel-data-resources.h"
#include "rel-terminology.h"
#include "rel-text.h"

#define RESOURCE_DIR "/io/github/relecture/Relecture/terminology/"
#define IMPORTED_MAGIC "#relecture-terminology 1"

struct _RelTerminology
{
  GObject       parent_instance;

  GStringChunk *strings;
  GPtrArray    *concepts;        /* RelConcept*, sorted by code */
  GHashTable   *by_code;         /* code → RelConcept* */
  GHashTable   *category_labels; /* 3-character category → label */
  GPtrArray    *synonyms;        /* RelSynonym* */
  GArray       *chapters;        /* RelChapter */
  char         *edition;
  char         *source;
  guint         n_codable;
  gboolean      bundled;
};

G_DEFINE_FINAL_TYPE (RelTerminology, rel_terminology, G_TYPE_OBJECT)
G_DEFINE_QUARK (rel-terminology-error-quark, rel_terminology_error)

static void
synonym_free (gpointer data)
{
  RelSynonym *synonym = data;

  g_free (synonym->codes);
  g_free (synonym);
}

static void
rel_terminology_finalize (GObject *object)
{
  RelTerminology *self = (RelTerminology *) object;

  g_clear_pointer (&self->concepts, g_ptr_array_unref);
  g_clear_pointer (&self->by_code, g_hash_table_unref);
  g_clear_pointer (&self->category_labels, g_hash_table_unref);
  g_clear_pointer (&self->synonyms, g_ptr_array_unref);
  g_clear_pointer (&self->chapters, g_array_unref);
  g_clear_pointer (&self->strings, g_string_chunk_free);
  g_free (self->edition);
  g_free (self->source);

  G_OBJECT_CLASS (rel_terminology_parent_class)->finalize (object);
}

static void
rel_terminology_class_init (RelTerminologyClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = rel_terminology_finalize;
}

static void
rel_terminology_init (RelTerminology *self)
{
  self->strings = g_string_chunk_new (256 * 1024);
  self->concepts = g_ptr_array_new_with_free_func (g_free);
  self->by_code = g_hash_table_new (g_str_hash, g_str_equal);
  self->category_labels = g_hash_table_new (g_str_hash, g_str_equal);
  self->synonyms = g_ptr_array_new_with_free_func (synonym_free);
  self->chapters = g_array_new (FALSE, TRUE, sizeof (RelChapter));
}

/* Code helpers */

static gboolean
is_code_shaped (const char *code)
{
  gsize n = strlen (code);

  if (n < 3 || n > 8)
    return FALSE;
  if (!g_ascii_isupper (code[0]) || !g_ascii_isdigit (code[1]) || !g_ascii_isalnum (code[2]))
    return FALSE;
  for (gsize i = 3; i < n; i++)
    {
      if (!g_ascii_isdigit (code[i]) && !g_ascii_isupper (code[i]) && code[i] != '+')
        return FALSE;
    }
  return TRUE;
}

char *
rel_code_display (const char *code)
{
  g_return_val_if_fail (code != NULL, NULL);

  if (strlen (code) <= 3)
    return g_strdup (code);
  return g_strdup_printf ("%.3s.%s", code, code + 3);
}

char *
rel_code_normalize (const char *text)
{
  g_autoptr(GString) code = NULL;

  g_return_val_if_fail (text != NULL, NULL);

  code = g_string_new (NULL);
  for (const char *p = text; *p != '\0'; p++)
    {
      if (*p == '.' || *p == ' ')
        continue;
      g_string_append_c (code, g_ascii_toupper (*p));
    }

  if (!is_code_shaped (code->str))
    return NULL;
  return g_string_free (g_steal_pointer (&code), FALSE);
}

/* Parsing of the bundled files */

typedef gboolean (*RowFunc) (RelTerminology  *self,
                             char           **fields,
                             guint            n_fields,
                             GError         **error);

static gboolean
parse_rows (RelTerminology  *self,
            const char      *name,
            const char      *text,
            gsize            length,
            RowFunc          func,
            GError         **error)
{
  g_autofree char *copy = g_strndup (text, length);
  char *line = copy;
  char *end = copy + length;
  guint line_number = 0;

  while (line != NULL && *line != '\0')
    {
      char *next = memchr (line, '\n', end - line);
      g_auto(GStrv) fields = NULL;
      g_autoptr(GError) local_error = NULL;

      if (next != NULL)
        *next++ = '\0';
      line_number++;
      g_strchomp (line);

      if (*line != '\0' && *line != '#')
        {
          fields = g_strsplit (line, "\t", -1);
          if (!func (self, fields, g_strv_length (fields), &local_error))
            {
              g_set_error (error, REL_TERMINOLOGY_ERROR, REL_TERMINOLOGY_ERROR_MALFORMED,
                           _("%s, line %u: %s"), name, line_number, local_error->message);
              return FALSE;
            }
        }
      line = next;
    }

  return TRUE;
}

static gboolean
add_concept (RelTerminology  *self,
             const char      *code,
             int              type,
             const char      *label,
             const char      *folded,
             GError         **error)
{
  RelConcept *concept;

  if (!is_code_shaped (code))
    {
      g_set_error (error, REL_TERMINOLOGY_ERROR, REL_TERMINOLOGY_ERROR_MALFORMED,
                   _("“%s” is not a CIM-10 code"), code);
      return FALSE;
    }
  if (type < 0 || type > 4)
    {
      g_set_error (error, REL_TERMINOLOGY_ERROR, REL_TERMINOLOGY_ERROR_MALFORMED,
                   _("the type of %s must be 0 to 4"), code);
      return FALSE;
    }
  if (label == NULL || *label == '\0')
    {
      g_set_error (error, REL_TERMINOLOGY_ERROR, REL_TERMINOLOGY_ERROR_MALFORMED,
                   _("%s has no label"), code);
      return FALSE;
    }
  if (g_hash_table_contains (self->by_code, code))
    {
      g_set_error (error, REL_TERMINOLOGY_ERROR, REL_TERMINOLOGY_ERROR_MALFORMED,
                   _("%s appears twice"), code);
      return FALSE;
    }

  concept = g_new0 (RelConcept, 1);
  concept->code = g_string_chunk_insert_const (self->strings, code);
  concept->label = g_string_chunk_insert (self->strings, label);
  concept->type = (RelCodeType) type;
  if (folded != NULL && *folded == ' ')
    {
      concept->folded = g_string_chunk_insert (self->strings, folded);
    }
  else
    {
      g_autofree char *f = rel_text_fold (label, -1);
      g_autofree char *spaced = g_strconcat (" ", f, NULL);
      concept->folded = g_string_chunk_insert (self->strings, spaced);
    }

  g_ptr_array_add (self->concepts, concept);
  g_hash_table_insert (self->by_code, (gpointer) concept->code, concept);
  if (concept->type != REL_CODE_TYPE_NOT_CODABLE)
    self->n_codable++;
  if (strlen (code) == 3 && !g_hash_table_contains (self->category_labels, concept->code))
    g_hash_table_insert (self->category_labels, (gpointer) concept->code,
                         (gpointer) concept->label);

  return TRUE;
}

static int
parse_type (const char *text)
{
  g_autofree char *stripped = g_strstrip (g_strdup (text));

  if (strlen (stripped) != 1 || !g_ascii_isdigit (stripped[0]))
    return -1;
  return stripped[0] - '0';
}

static gboolean
bundled_code_row (RelTerminology  *self,
                  char           **fields,
                  guint            n_fields,
                  GError         **error)
{
  if (n_fields != 3)
    {
      g_set_error_literal (error, REL_TERMINOLOGY_ERROR, REL_TERMINOLOGY_ERROR_MALFORMED,
                           _("expected code, type and label"));
      return FALSE;
    }
  if (parse_type (fields[1]) == REL_CODE_TYPE_NOT_CODABLE)
    {
      g_set_error (error, REL_TERMINOLOGY_ERROR, REL_TERMINOLOGY_ERROR_MALFORMED,
                   _("%s is not codable and has no place in the starter nomenclature"),
                   fields[0]);
      return FALSE;
    }
  return add_concept (self, fields[0], parse_type (fields[1]), fields[2], NULL, error);
}

static gboolean
category_row (RelTerminology  *self,
              char           **fields,
              guint            n_fields,
              GError         **error)
{
  if (n_fields != 2 || strlen (fields[0]) != 3)
    {
      g_set_error_literal (error, REL_TERMINOLOGY_ERROR, REL_TERMINOLOGY_ERROR_MALFORMED,
                           _("expected a 3-character category and its label"));
      return FALSE;
    }
  /* An imported nomenclature names its own categories; these only fill gaps. */
  if (!g_hash_table_contains (self->category_labels, fields[0]))
    g_hash_table_insert (self->category_labels,
                         g_string_chunk_insert_const (self->strings, fields[0]),
                         g_string_chunk_insert (self->strings, fields[1]));
  return TRUE;
}

static gboolean
chapter_row (RelTerminology  *self,
             char           **fields,
             guint            n_fields,
             GError         **error)
{
  RelChapter chapter;

  if (n_fields != 4)
    {
      g_set_error_literal (error, REL_TERMINOLOGY_ERROR, REL_TERMINOLOGY_ERROR_MALFORMED,
                           _("expected first category, last category, numeral and title"));
      return FALSE;
    }
  chapter.first = g_string_chunk_insert_const (self->strings, fields[0]);
  chapter.last = g_string_chunk_insert_const (self->strings, fields[1]);
  chapter.numeral = g_string_chunk_insert_const (self->strings, fields[2]);
  chapter.title = g_string_chunk_insert (self->strings, fields[3]);
  g_array_append_val (self->chapters, chapter);
  return TRUE;
}

/* @folded: rel_text_fold() of @expression; @codes: nul-terminated. */
static void
add_synonym (RelTerminology     *self,
             const char         *expression,
             const char         *folded,
             RelSynonymKind      kind,
             const char * const *codes)
{
  RelSynonym *synonym = g_new0 (RelSynonym, 1);
  g_autofree char *spaced = g_strconcat (" ", folded, NULL);
  guint n_codes = g_strv_length ((char **) codes);

  synonym->expression = g_string_chunk_insert (self->strings, expression);
  synonym->folded = g_string_chunk_insert (self->strings, spaced);
  synonym->kind = kind;
  synonym->codes = g_new0 (const char *, n_codes + 1);
  for (guint i = 0; i < n_codes; i++)
    synonym->codes[i] = g_string_chunk_insert_const (self->strings, codes[i]);
  g_ptr_array_add (self->synonyms, synonym);
}

static gboolean
synonym_row (RelTerminology  *self,
             char           **fields,
             guint            n_fields,
             GError         **error)
{
  g_auto(GStrv) codes = NULL;
  g_autofree char *folded = NULL;
  RelSynonymKind kind;
  guint n_codes;

  if (n_fields < 3 || n_fields > 4)
    {
      g_set_error_literal (error, REL_TERMINOLOGY_ERROR, REL_TERMINOLOGY_ERROR_MALFORMED,
                           _("expected expression, code, kind and an optional note"));
      return FALSE;
    }

  if (g_str_equal (fields[2], "terme"))
    kind = REL_SYNONYM_TERM;
  else if (g_str_equal (fields[2], "abrev"))
    kind = REL_SYNONYM_ABBREV;
  else if (g_str_equal (fields[2], "ambigu"))
    kind = REL_SYNONYM_AMBIGUOUS;
  else
    {
      g_set_error (error, REL_TERMINOLOGY_ERROR, REL_TERMINOLOGY_ERROR_MALFORMED,
                   _("unknown kind “%s”"), fields[2]);
      return FALSE;
    }

  codes = g_strsplit (fields[1], "|", -1);
  n_codes = g_strv_length (codes);
  if (n_codes == 0 || (n_codes > 1 && kind != REL_SYNONYM_AMBIGUOUS))
    {
      g_set_error (error, REL_TERMINOLOGY_ERROR, REL_TERMINOLOGY_ERROR_MALFORMED,
                   _("“%s” needs exactly one code unless it is ambiguous"), fields[0]);
      return FALSE;
    }

  folded = rel_text_fold (fields[0], -1);
  if (*folded == '\0')
    {
      g_set_error (error, REL_TERMINOLOGY_ERROR, REL_TERMINOLOGY_ERROR_MALFORMED,
                   _("“%s” has no letters"), fields[0]);
      return FALSE;
    }

  for (guint i = 0; i < n_codes; i++)
    g_strstrip (codes[i]);
  add_synonym (self, fields[0], folded, kind, (const char * const *) codes);

  return TRUE;
}

static int
compare_names (const void *a,
               const void *b)
{
  return strcmp (*(char * const *) a, *(char * const *) b);
}

static gboolean
load_resources (RelTerminology  *self,
                const char      *prefix,
                RowFunc          func,
                GError         **error)
{
  GResource *resource = rel_data_get_resource ();
  g_auto(GStrv) names = NULL;

  names = g_resource_enumerate_children (resource, RESOURCE_DIR,
                                         G_RESOURCE_LOOKUP_FLAGS_NONE, error);
  if (names == NULL)
    return FALSE;

  /* Enumeration order is not defined; sort so that loading is reproducible. */
  qsort (names, g_strv_length (names), sizeof (char *), compare_names);

  for (guint i = 0; names[i] != NULL; i++)
    {
      g_autofree char *path = NULL;
      g_autoptr(GBytes) bytes = NULL;
      const char *data;
      gsize size;

      if (!g_str_has_prefix (names[i], prefix) || !g_str_has_suffix (names[i], ".tsv"))
        continue;

      path = g_strconcat (RESOURCE_DIR, names[i], NULL);
      bytes = g_resource_lookup_data (resource, path, G_RESOURCE_LOOKUP_FLAGS_NONE, error);
      if (bytes == NULL)
        return FALSE;
      data = g_bytes_get_data (bytes, &size);
      if (!parse_rows (self, names[i], data, size, func, error))
        return FALSE;
    }

  return TRUE;
}

static int
compare_concepts (gconstpointer a,
                  gconstpointer b)
{
  const RelConcept *ca = *(const RelConcept **) a;
  const RelConcept *cb = *(const RelConcept **) b;

  return strcmp (ca->code, cb->code);
}

/* Drops synonyms whose codes the nomenclature does not know (an imported
 * edition may have retired one), so that no lookup ever comes back empty. */
static void
prune_synonyms (RelTerminology *self)
{
  for (guint i = self->synonyms->len; i > 0; i--)
    {
      RelSynonym *synonym = g_ptr_array_index (self->synonyms, i - 1);
      gboolean known = TRUE;

      for (guint j = 0; synonym->codes[j] != NULL; j++)
        known = known && rel_terminology_is_codable (self, synonym->codes[j]);
      if (!known)
        g_ptr_array_remove_index (self->synonyms, i - 1);
    }
}

/* In an imported nomenclature, the codes of the starter set are marked as
 * the frequent ones, so that the search ranks them first among equals; their
 * starter labels, written as reports word them ("Bronchiolite aiguë à VRS"
 * where the ATIH writes "… due au virus respiratoire syncytial [VRS]"),
 * stay as synonyms. */
static gboolean
frequent_row (RelTerminology  *self,
              char           **fields,
              guint            n_fields,
              GError         **error)
{
  RelConcept *concept = g_hash_table_lookup (self->by_code, fields[0]);
  g_autofree char *folded = NULL;

  if (concept == NULL)
    return TRUE;
  concept->frequent = TRUE;
  if (n_fields != 3 || concept->type == REL_CODE_TYPE_NOT_CODABLE)
    return TRUE;

  folded = rel_text_fold (fields[2], -1);
  if (*folded != '\0' && !g_str_equal (folded, concept->folded + 1))
    add_synonym (self, fields[2], folded, REL_SYNONYM_TERM,
                 (const char * const[]) { concept->code, NULL });
  return TRUE;
}

static gboolean
load_common (RelTerminology  *self,
             GError         **error)
{
  if (!load_resources (self, "chapters", chapter_row, error) ||
      !load_resources (self, "categories-", category_row, error) ||
      !load_resources (self, "synonyms-", synonym_row, error))
    return FALSE;

  if (self->bundled)
    {
      for (guint i = 0; i < self->concepts->len; i++)
        ((RelConcept *) g_ptr_array_index (self->concepts, i))->frequent = TRUE;
    }
  else if (!load_resources (self, "codes-", frequent_row, error))
    {
      return FALSE;
    }

  g_ptr_array_sort (self->concepts, compare_concepts);
  for (guint i = 0; i < self->concepts->len; i++)
    ((RelConcept *) g_ptr_array_index (self->concepts, i))->id = i;
  prune_synonyms (self);
  return TRUE;
}

RelTerminology *
rel_terminology_new_bundled (GError **error)
{
  g_autoptr(RelTerminology) self = g_object_new (REL_TYPE_TERMINOLOGY, NULL);

  self->bundled = TRUE;
  self->edition = g_strdup (_("starter"));
  self->source = g_strdup (_("bundled with Relecture"));

  if (!load_resources (self, "codes-", bundled_code_row, error) ||
      !load_common (self, error))
    return NULL;

  return g_steal_pointer (&self);
}

static gboolean
imported_row (RelTerminology  *self,
              char           **fields,
              guint            n_fields,
              GError         **error)
{
  if (n_fields < 3)
    {
      g_set_error_literal (error, REL_TERMINOLOGY_ERROR, REL_TERMINOLOGY_ERROR_MALFORMED,
                           _("expected code, type and label"));
      return FALSE;
    }
  return add_concept (self, fields[0], parse_type (fields[1]), fields[2],
                      n_fields > 3 ? fields[3] : NULL, error);
}

RelTerminology *
rel_terminology_new_from_file (const char  *path,
                               GError     **error)
{
  g_autoptr(RelTerminology) self = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autofree char *contents = NULL;
  gsize length;

  g_return_val_if_fail (path != NULL, NULL);

  if (!g_file_get_contents (path, &contents, &length, &local_error))
    {
      g_set_error (error, REL_TERMINOLOGY_ERROR, REL_TERMINOLOGY_ERROR_IO,
                   _("The imported nomenclature cannot be read (%s). Import the ATIH file "
                     "again."), local_error->message);
      return NULL;
    }
  if (!g_str_has_prefix (contents, IMPORTED_MAGIC))
    {
      g_set_error_literal (error, REL_TERMINOLOGY_ERROR, REL_TERMINOLOGY_ERROR_MALFORMED,
                           _("The imported nomenclature is damaged. Import the ATIH file "
                             "again."));
      return NULL;
    }

  self = g_object_new (REL_TYPE_TERMINOLOGY, NULL);

  /* The header lines carry "#key<TAB>value". */
  for (char *line = contents; line != NULL && *line == '#'; )
    {
      char *end = strchr (line, '\n');
      g_autofree char *text = g_strndup (line, end != NULL ? (gsize) (end - line) : strlen (line));
      char *tab = strchr (text, '\t');

      if (tab != NULL)
        {
          *tab = '\0';
          if (g_str_equal (text, "#edition"))
            self->edition = g_strdup (tab + 1);
          else if (g_str_equal (text, "#source"))
            self->source = g_strdup (tab + 1);
        }
      line = end != NULL ? end + 1 : NULL;
    }

  if (!parse_rows (self, path, contents, length, imported_row, error) ||
      !load_common (self, error))
    return NULL;

  if (self->concepts->len == 0)
    {
      g_set_error_literal (error, REL_TERMINOLOGY_ERROR, REL_TERMINOLOGY_ERROR_EMPTY,
                           _("The imported nomenclature holds no code. Import the ATIH file "
                             "again."));
      return NULL;
    }

  if (self->edition == NULL)
    self->edition = g_strdup (_("unknown"));
  if (self->source == NULL)
    self->source = g_strdup (_("unknown"));

  return g_steal_pointer (&self);
}

char *
rel_terminology_get_default_path (void)
{
  return g_build_filename (g_get_user_data_dir (), "relecture", "cim10.tsv", NULL);
}

RelTerminology *
rel_terminology_new_default (GError **error)
{
  g_autofree char *path = rel_terminology_get_default_path ();

  if (g_file_test (path, G_FILE_TEST_EXISTS))
    return rel_terminology_new_from_file (path, error);

  return rel_terminology_new_bundled (error);
}

/* Import */

/* Splits one CSV record (RFC 4180 quoting, no line break inside a field). */
static GPtrArray *
split_csv (const char *line)
{
  GPtrArray *fields = g_ptr_array_new_with_free_func (g_free);
  GString *field = g_string_new (NULL);
  gboolean quoted = FALSE;

  for (const char *p = line; ; p++)
    {
      if (quoted)
        {
          if (*p == '\0')
            break;
          if (*p == '"' && p[1] == '"')
            {
              g_string_append_c (field, '"');
              p++;
            }
          else if (*p == '"')
            quoted = FALSE;
          else
            g_string_append_c (field, *p);
        }
      else if (*p == '"' && field->len == 0)
        quoted = TRUE;
      else if (*p == ',' || *p == '\0')
        {
          g_ptr_array_add (fields, g_string_free (field, FALSE));
          field = g_string_new (NULL);
          if (*p == '\0')
            break;
        }
      else
        g_string_append_c (field, *p);
    }

  g_string_free (field, TRUE);
  if (quoted)
    {
      g_ptr_array_unref (fields);
      return NULL;
    }
  return fields;
}

static char *
guess_edition (const char *source)
{
  g_autofree char *base = g_path_get_basename (source);

  for (const char *p = base; *p != '\0'; p++)
    {
      if ((p[0] == '1' || p[0] == '2') && g_ascii_isdigit (p[1]) && g_ascii_isdigit (p[2]) &&
          g_ascii_isdigit (p[3]) && !g_ascii_isdigit (p[4]) &&
          (p == base || !g_ascii_isdigit (p[-1])))
        return g_strndup (p, 4);
    }
  return NULL;
}

gboolean
rel_terminology_import (const char    *source,
                        const char    *edition,
                        const char    *destination,
                        guint         *n_codes,
                        GCancellable  *cancellable,
                        GError       **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GString) out = NULL;
  g_autoptr(GHashTable) seen = NULL;
  g_autofree char *raw = NULL;
  g_autofree char *text = NULL;
  g_autofree char *guessed = NULL;
  g_autofree char *base = NULL;
  g_autofree char *dir = NULL;
  g_autoptr(GDateTime) now = NULL;
  g_autofree char *stamp = NULL;
  gsize raw_length;
  gboolean csv = FALSE;
  gboolean first = TRUE;
  char *text_end;
  guint line_number = 0;
  guint count = 0;
  char *line;

  g_return_val_if_fail (source != NULL, FALSE);
  g_return_val_if_fail (destination != NULL, FALSE);

  if (!g_file_get_contents (source, &raw, &raw_length, &local_error))
    {
      g_set_error (error, REL_TERMINOLOGY_ERROR, REL_TERMINOLOGY_ERROR_IO,
                   _("The nomenclature file cannot be read: %s"), local_error->message);
      return FALSE;
    }

  /* The ATIH distributes Windows-1252; a converted copy may be UTF-8. */
  if (g_utf8_validate (raw, raw_length, NULL))
    text = g_steal_pointer (&raw);
  else
    text = g_convert (raw, raw_length, "UTF-8", "WINDOWS-1252", NULL, NULL, NULL);
  if (text == NULL)
    {
      g_set_error_literal (error, REL_TERMINOLOGY_ERROR, REL_TERMINOLOGY_ERROR_MALFORMED,
                           _("The nomenclature file is neither UTF-8 nor Windows-1252 text."));
      return FALSE;
    }
  if (g_str_has_prefix (text, "\xef\xbb\xbf"))
    memmove (text, text + 3, strlen (text + 3) + 1);

  base = g_path_get_basename (source);
  guessed = guess_edition (source);
  now = g_date_time_new_now_local ();
  stamp = g_date_time_format_iso8601 (now);
  out = g_string_sized_new (8 * 1024 * 1024);
  g_string_append_printf (out, "%s\n#edition\t%s\n#source\t%s\n#imported\t%s\n",
                          IMPORTED_MAGIC,
                          edition != NULL ? edition : guessed != NULL ? guessed : _("unknown"),
                          base, stamp);
  seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  line = text;
  text_end = text + strlen (text);
  while (line != NULL && *line != '\0')
    {
      char *next = memchr (line, '\n', text_end - line);
      g_autoptr(GPtrArray) fields = NULL;
      g_autofree char *code = NULL;
      g_autofree char *folded = NULL;
      const char *label;
      int type;

      if (next != NULL)
        *next++ = '\0';
      line_number++;
      g_strchomp (line);

      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return FALSE;

      if (*line == '\0')
        {
          line = next;
          continue;
        }

      if (first)
        {
          first = FALSE;
          if (g_str_has_prefix (line, "code,"))
            {
              csv = TRUE;
              line = next;
              continue;
            }
          csv = strchr (line, '|') == NULL && strchr (line, ',') != NULL;
        }

      if (csv)
        fields = split_csv (line);
      else
        {
          g_auto(GStrv) parts = g_strsplit (line, "|", -1);

          fields = g_ptr_array_new_with_free_func (g_free);
          for (guint i = 0; parts[i] != NULL; i++)
            g_ptr_array_add (fields, g_strdup (parts[i]));
        }

      if (fields == NULL || fields->len < 6)
        {
          g_set_error (error, REL_TERMINOLOGY_ERROR, REL_TERMINOLOGY_ERROR_MALFORMED,
                       _("Line %u of the nomenclature file does not have the six fields "
                         "code|type|SSR|PSY|short label|long label. Nothing was changed."),
                       line_number);
          return FALSE;
        }

      code = g_strstrip (g_strdup (g_ptr_array_index (fields, 0)));
      type = parse_type (g_ptr_array_index (fields, 1));
      label = g_strstrip ((char *) g_ptr_array_index (fields, 5));
      if (*label == '\0')
        label = g_strstrip ((char *) g_ptr_array_index (fields, 4));

      if (!is_code_shaped (code) || type < 0 || type > 4 || *label == '\0' ||
          strchr (label, '\t') != NULL)
        {
          g_set_error (error, REL_TERMINOLOGY_ERROR, REL_TERMINOLOGY_ERROR_MALFORMED,
                       _("Line %u of the nomenclature file has an invalid code, type or "
                         "label. Nothing was changed."), line_number);
          return FALSE;
        }
      if (!g_hash_table_add (seen, g_strdup (code)))
        {
          g_set_error (error, REL_TERMINOLOGY_ERROR, REL_TERMINOLOGY_ERROR_MALFORMED,
                       _("Line %u of the nomenclature file repeats a code. Nothing was "
                         "changed."), line_number);
          return FALSE;
        }

      folded = rel_text_fold (label, -1);
      g_string_append_printf (out, "%s\t%d\t%s\t %s\n", code, type, label, folded);
      count++;
      line = next;
    }

  if (count == 0)
    {
      g_set_error_literal (error, REL_TERMINOLOGY_ERROR, REL_TERMINOLOGY_ERROR_EMPTY,
                           _("The nomenclature file holds no code. Nothing was changed."));
      return FALSE;
    }

  dir = g_path_get_dirname (destination);
  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      int saved_errno = errno;
      g_set_error (error, REL_TERMINOLOGY_ERROR, REL_TERMINOLOGY_ERROR_IO,
                   _("Cannot create the folder for the nomenclature: %s"),
                   g_strerror (saved_errno));
      return FALSE;
    }

  /* Written beside the old file and renamed over it: a reader sees the old
   * nomenclature or the new one, never half of one. */
  if (!g_file_set_contents_full (destination, out->str, out->len,
                                 G_FILE_SET_CONTENTS_CONSISTENT, 0644, &local_error))
    {
      g_set_error (error, REL_TERMINOLOGY_ERROR, REL_TERMINOLOGY_ERROR_IO,
                   _("Cannot write the nomenclature: %s"), local_error->message);
      return FALSE;
    }

  if (n_codes != NULL)
    *n_codes = count;
  return TRUE;
}

/* Queries */

const RelConcept *
rel_terminology_lookup (RelTerminology *self,
                        const char     *code)
{
  g_return_val_if_fail (REL_IS_TERMINOLOGY (self), NULL);
  g_return_val_if_fail (code != NULL, NULL);

  return g_hash_table_lookup (self->by_code, code);
}

gboolean
rel_terminology_is_codable (RelTerminology *self,
                            const char     *code)
{
  const RelConcept *concept = rel_terminology_lookup (self, code);

  return concept != NULL && concept->type != REL_CODE_TYPE_NOT_CODABLE;
}

const RelChapter *
rel_terminology_get_chapter (RelTerminology *self,
                             const char     *code)
{
  g_return_val_if_fail (REL_IS_TERMINOLOGY (self), NULL);
  g_return_val_if_fail (code != NULL, NULL);

  for (guint i = 0; i < self->chapters->len; i++)
    {
      const RelChapter *chapter = &g_array_index (self->chapters, RelChapter, i);

      if (strncmp (code, chapter->first, 3) >= 0 && strncmp (code, chapter->last, 3) <= 0)
        return chapter;
    }
  return NULL;
}

const char *
rel_terminology_get_category_label (RelTerminology *self,
                                    const char     *code)
{
  char category[4] = { 0 };

  g_return_val_if_fail (REL_IS_TERMINOLOGY (self), NULL);
  g_return_val_if_fail (code != NULL, NULL);

  if (strlen (code) < 3)
    return NULL;
  memcpy (category, code, 3);
  return g_hash_table_lookup (self->category_labels, category);
}

/* How well @needle, a folded word, starts a word of @haystack (folded, with a
 * leading space): 0 when it does not, more for a whole word and an early one. */
static double
word_prefix_score (const char *haystack,
                   const char *needle)
{
  gsize n = strlen (needle);
  const char *p = haystack;

  while ((p = strstr (p, needle)) != NULL)
    {
      if (p > haystack && p[-1] == ' ')
        {
          double score = 1.0;

          if (p[n] == '\0' || p[n] == ' ')
            score += 0.5;
          if (p - haystack <= 1)
            score += 0.25;
          return score;
        }
      p++;
    }
  return 0.0;
}

static double
words_score (const char  *folded,
             char       **words)
{
  double total = 0.0;

  for (guint i = 0; words[i] != NULL; i++)
    {
      double score;

      if (*words[i] == '\0')
        continue;
      score = word_prefix_score (folded, words[i]);
      if (score == 0.0)
        return 0.0;
      total += score;
    }
  return total;
}

typedef struct
{
  double           *scores;  /* by concept id; 0 when not a hit */
  const RelSynonym **via;
} Hits;

static void
add_hit (Hits             *hits,
         const RelConcept *concept,
         const RelSynonym *synonym,
         double            score)
{
  /* Codable codes always come first: a coder can only use those. Among
   * equals, the codes coders use most come before the rare ones. */
  if (concept->type != REL_CODE_TYPE_NOT_CODABLE)
    score += 100.0;
  if (concept->frequent)
    score += 1.0;

  if (hits->scores[concept->id] >= score)
    return;
  hits->scores[concept->id] = score;
  hits->via[concept->id] = synonym;
}

static int
compare_hits (gconstpointer a,
              gconstpointer b)
{
  const RelSearchHit *ha = a;
  const RelSearchHit *hb = b;

  if (ha->score != hb->score)
    return ha->score > hb->score ? -1 : 1;
  return strcmp (ha->concept->code, hb->concept->code);
}

GArray *
rel_terminology_search (RelTerminology *self,
                        const char     *query,
                        guint           limit)
{
  g_autofree char *code = NULL;
  g_autofree char *folded = NULL;
  Hits hits;
  GArray *result;
  guint n = self != NULL ? self->concepts->len : 0;

  g_return_val_if_fail (REL_IS_TERMINOLOGY (self), NULL);
  g_return_val_if_fail (query != NULL, NULL);

  hits.scores = g_new0 (double, n);
  hits.via = g_new0 (const RelSynonym *, n);
  result = g_array_new (FALSE, FALSE, sizeof (RelSearchHit));

  code = rel_code_normalize (query);
  if (code != NULL)
    {
      gsize length = strlen (code);

      for (guint i = 0; i < n; i++)
        {
          const RelConcept *concept = g_ptr_array_index (self->concepts, i);

          /* The code itself, then its nearest children, then deeper ones. */
          if (strncmp (concept->code, code, length) == 0)
            add_hit (&hits, concept, NULL, 50.0 - (double) (strlen (concept->code) - length));
        }
    }

  folded = rel_text_fold (query, -1);
  if (*folded != '\0')
    {
      g_auto(GStrv) words = g_strsplit (folded, " ", -1);

      for (guint i = 0; i < n; i++)
        {
          const RelConcept *concept = g_ptr_array_index (self->concepts, i);
          double score = words_score (concept->folded, words);

          /* Shorter labels are the more general and more likely wanted. */
          if (score > 0.0)
            add_hit (&hits, concept, NULL, score - strlen (concept->folded) / 1000.0);
        }

      for (guint i = 0; i < self->synonyms->len; i++)
        {
          const RelSynonym *synonym = g_ptr_array_index (self->synonyms, i);
          double score = words_score (synonym->folded, words);

          if (score == 0.0)
            continue;
          /* An exact synonym ("HTA") is as good as a code typed in full. */
          if (g_str_equal (synonym->folded + 1, folded))
            score += 10.0;
          for (guint j = 0; synonym->codes[j] != NULL; j++)
            {
              const RelConcept *concept = rel_terminology_lookup (self, synonym->codes[j]);

              if (concept != NULL)
                add_hit (&hits, concept, synonym, score - strlen (synonym->folded) / 1000.0);
            }
        }
    }

  for (guint i = 0; i < n; i++)
    {
      if (hits.scores[i] > 0.0)
        {
          RelSearchHit hit = { g_ptr_array_index (self->concepts, i), hits.via[i],
                               hits.scores[i] };

          g_array_append_val (result, hit);
        }
    }
  g_array_sort (result, compare_hits);
  if (limit > 0 && result->len > limit)
    g_array_set_size (result, limit);

  g_free (hits.scores);
  g_free (hits.via);
  return result;
}

GPtrArray *
rel_terminology_get_concepts (RelTerminology *self)
{
  g_return_val_if_fail (REL_IS_TERMINOLOGY (self), NULL);
  return self->concepts;
}

GPtrArray *
rel_terminology_get_synonyms (RelTerminology *self)
{
  g_return_val_if_fail (REL_IS_TERMINOLOGY (self), NULL);
  return self->synonyms;
}

guint
rel_terminology_get_n_codable (RelTerminology *self)
{
  g_return_val_if_fail (REL_IS_TERMINOLOGY (self), 0);
  return self->n_codable;
}

const char *
rel_terminology_get_edition (RelTerminology *self)
{
  g_return_val_if_fail (REL_IS_TERMINOLOGY (self), NULL);
  return self->edition;
}

const char *
rel_terminology_get_source (RelTerminology *self)
{
  g_return_val_if_fail (REL_IS_TERMINOLOGY (self), NULL);
  return self->source;
}

gboolean
rel_terminology_is_bundled (RelTerminology *self)
{
  g_return_val_if_fail (REL_IS_TERMINOLOGY (self), FALSE);
  return self->bundled;
}
