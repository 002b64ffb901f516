/* SPDX-License-Identifier: GPL-3.0-or-later */
/* rel-export.c: the store's decisions as CSV for PMSI coding, as a FHIR R4
 * Bundle of Conditions, and as a JSONL training set (pseudonymized text,
 * kept and rejected codes with their evidence, summary feedback), which
 * another store can import. Nothing here reads the original reports. */
#define G_LOG_DOMAIN "rel-export"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "rel-json.h"
#include "rel-store-private.h"
#include "rel-terminology.h"

#define FHIR_CIM10_SYSTEM "https://smt.esante.gouv.fr/terminologie-cim-10/"
#define FHIR_VERIFICATION_SYSTEM "http://terminology.hl7.org/CodeSystem/condition-ver-status"
#define FHIR_CATEGORY_SYSTEM "http://terminology.hl7.org/CodeSystem/condition-category"
#define FHIR_ROLE_EXTENSION "https://github.com/relecture/relecture/fhir/pmsi-diagnosis-role"
#define FHIR_DOCUMENT_SYSTEM "urn:relecture:document:sha256"
#define JSONL_FORMAT "relecture-training-1"

/* The kept codes of the documents the filter selects, DP first. */
#define KEPT_CODES_SQL \
  "SELECT c.code, c.role, c.label, d.title, d.sha256, c.user, c.time, d.id " \
  "FROM decisions c JOIN documents d ON d.id = c.document_id " \
  "WHERE c.status != 'rejected' AND (?1 IS NULL OR c.time >= ?1) " \
  "AND (?2 IS NULL OR d.status = ?2) " \
  "ORDER BY d.id, c.role = 'DP' DESC, c.code"

static gboolean
write_text (GOutputStream  *out,
            const char     *text,
            GCancellable   *cancellable,
            GError        **error)
{
  return g_output_stream_write_all (out, text, strlen (text), NULL, cancellable, error);
}

static void
append_csv_field (GString    *line,
                  const char *value)
{
  if (value == NULL)
    value = "";
  if (strpbrk (value, ",\"\r\n") == NULL)
    {
      g_string_append (line, value);
      return;
    }
  g_string_append_c (line, '"');
  for (const char *c = value; *c != '\0'; c++)
    {
      if (*c == '"')
        g_string_append_c (line, '"');
      g_string_append_c (line, *c);
    }
  g_string_append_c (line, '"');
}

static void
bind_filter (RelStatement *query,
             const char   *since,
             const char   *status)
{
  rel_statement_bind_text (query, 1, since);
  rel_statement_bind_text (query, 2, status);
}

static gboolean
export_csv (RelStore       *self,
            const char     *since,
            const char     *status,
            GOutputStream  *out,
            GCancellable   *cancellable,
            GError        **error)
{
  g_autoptr(RelStatement) query = rel_store_prepare (self, KEPT_CODES_SQL, error);
  g_autoptr(GString) line = g_string_new (NULL);
  gboolean has_row = TRUE;

  if (query == NULL ||
      !write_text (out, "code,role,label,document,sha256,user,date\r\n", cancellable, error))
    return FALSE;
  bind_filter (query, since, status);
  while (rel_store_step (self, query, &has_row, error) && has_row)
    {
      g_string_truncate (line, 0);
      for (int column = 0; column < 7; column++)
        {
          if (column > 0)
            g_string_append_c (line, ',');
          append_csv_field (line, (const char *) sqlite3_column_text (query, column));
        }
      g_string_append (line, "\r\n");
      if (!write_text (out, line->str, cancellable, error))
        return FALSE;
    }
  return !has_row;
}

static void
add_coding (JsonBuilder *builder,
            const char  *system,
            const char  *code,
            const char  *display)
{
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "system");
  json_builder_add_string_value (builder, system);
  json_builder_set_member_name (builder, "code");
  json_builder_add_string_value (builder, code);
  if (display != NULL)
    {
      json_builder_set_member_name (builder, "display");
      json_builder_add_string_value (builder, display);
    }
  json_builder_end_object (builder);
}

static void
add_concept (JsonBuilder *builder,
             const char  *member,
             const char  *system,
             const char  *code,
             const char  *display)
{
  json_builder_set_member_name (builder, member);
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "coding");
  json_builder_begin_array (builder);
  add_coding (builder, system, code, display);
  json_builder_end_array (builder);
  json_builder_end_object (builder);
}

/* One Condition per kept code: the code of the ATIH CIM-10 code system of
 * the French terminology server, confirmed, about the document (the store
 * knows no patient), with the PMSI role as an extension. No report text. */
static gboolean
export_fhir (RelStore       *self,
             const char     *since,
             const char     *status,
             GOutputStream  *out,
             GCancellable   *cancellable,
             GError        **error)
{
  g_autoptr(RelStatement) query = rel_store_prepare (self, KEPT_CODES_SQL, error);
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autofree char *timestamp = g_date_time_format_iso8601 (now);
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(JsonGenerator) generator = NULL;
  gboolean has_row = TRUE;

  if (query == NULL)
    return FALSE;

  json_builder_begin_object (builder);
  rel_json_set_string (builder, "resourceType", "Bundle");
  rel_json_set_string (builder, "type", "collection");
  rel_json_set_string (builder, "timestamp", timestamp);
  json_builder_set_member_name (builder, "entry");
  json_builder_begin_array (builder);

  bind_filter (query, since, status);
  while (rel_store_step (self, query, &has_row, error) && has_row)
    {
      const char *code = (const char *) sqlite3_column_text (query, 0);
      const char *role = (const char *) sqlite3_column_text (query, 1);
      const char *label = (const char *) sqlite3_column_text (query, 2);
      g_autofree char *display = rel_code_display (code);
      g_autofree char *uuid = g_uuid_string_random ();
      g_autofree char *full_url = g_strconcat ("urn:uuid:", uuid, NULL);

      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return FALSE;

      json_builder_begin_object (builder);
      rel_json_set_string (builder, "fullUrl", full_url);
      json_builder_set_member_name (builder, "resource");
      json_builder_begin_object (builder);
      rel_json_set_string (builder, "resourceType", "Condition");
      rel_json_set_string (builder, "id", uuid);
      if (role != NULL)
        {
          json_builder_set_member_name (builder, "extension");
          json_builder_begin_array (builder);
          json_builder_begin_object (builder);
          rel_json_set_string (builder, "url", FHIR_ROLE_EXTENSION);
          rel_json_set_string (builder, "valueCode", role);
          json_builder_end_object (builder);
          json_builder_end_array (builder);
        }
      add_concept (builder, "verificationStatus", FHIR_VERIFICATION_SYSTEM, "confirmed",
                   "Confirmed");
      json_builder_set_member_name (builder, "category");
      json_builder_begin_array (builder);
      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "coding");
      json_builder_begin_array (builder);
      add_coding (builder, FHIR_CATEGORY_SYSTEM, "encounter-diagnosis", "Encounter Diagnosis");
      json_builder_end_array (builder);
      json_builder_end_object (builder);
      json_builder_end_array (builder);
      add_concept (builder, "code", FHIR_CIM10_SYSTEM, display, label);
      json_builder_set_member_name (builder, "subject");
      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "identifier");
      json_builder_begin_object (builder);
      rel_json_set_string (builder, "system", FHIR_DOCUMENT_SYSTEM);
      rel_json_set_string (builder, "value", (const char *) sqlite3_column_text (query, 4));
      json_builder_end_object (builder);
      json_builder_end_object (builder);
      rel_json_set_string (builder, "recordedDate", (const char *) sqlite3_column_text (query, 6));
      json_builder_set_member_name (builder, "recorder");
      json_builder_begin_object (builder);
      rel_json_set_string (builder, "display", (const char *) sqlite3_column_text (query, 5));
      json_builder_end_object (builder);
      json_builder_end_object (builder);
      json_builder_end_object (builder);
    }
  if (has_row)
    return FALSE;

  json_builder_end_array (builder);
  json_builder_end_object (builder);

  root = json_builder_get_root (builder);
  generator = json_generator_new ();
  json_generator_set_root (generator, root);
  json_generator_set_pretty (generator, TRUE);
  return json_generator_to_stream (generator, out, cancellable, error) &&
         write_text (out, "\n", cancellable, error);
}

/* The evidence the analysis gave for @code: offsets into the pseudonymized
 * text. */
static JsonArray *
evidence_of (JsonObject *analysis,
             const char *code)
{
  JsonArray *codes;

  if (analysis == NULL)
    return NULL;
  codes = rel_json_get_array (analysis, "codes");
  for (guint i = 0; codes != NULL && i < json_array_get_length (codes); i++)
    {
      JsonObject *entry = rel_json_get_element (codes, i);

      if (entry != NULL &&
          g_strcmp0 (rel_json_get_string (entry, "code"), code) == 0)
        return rel_json_get_array (entry, "evidence");
    }
  return NULL;
}

static void
add_evidence (JsonBuilder *builder,
              JsonArray   *evidence)
{
  json_builder_set_member_name (builder, "evidence");
  json_builder_begin_array (builder);
  for (guint i = 0; evidence != NULL && i < json_array_get_length (evidence); i++)
    {
      JsonObject *span = rel_json_get_element (evidence, i);

      if (span == NULL)
        continue;
      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "start");
      json_builder_add_int_value (builder, rel_json_get_int (span, "start", 0));
      json_builder_set_member_name (builder, "end");
      json_builder_add_int_value (builder, rel_json_get_int (span, "end", 0));
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
}

static gboolean
add_decisions (RelStore     *self,
               JsonBuilder  *builder,
               gint64        document_id,
               JsonObject   *analysis,
               GError      **error)
{
  g_autoptr(RelStatement) query = rel_store_prepare (self,
    "SELECT code, label, role, status, origin, replaces, user, time, comment FROM decisions "
    "WHERE document_id = ?1 ORDER BY status = 'rejected', role = 'DP' DESC, code", error);
  gboolean has_row = TRUE;
  gboolean in_rejected = FALSE;

  if (query == NULL)
    return FALSE;
  sqlite3_bind_int64 (query, 1, document_id);

  json_builder_set_member_name (builder, "codes");
  json_builder_begin_array (builder);
  while (rel_store_step (self, query, &has_row, error) && has_row)
    {
      const char *code = (const char *) sqlite3_column_text (query, 0);
      const char *status = (const char *) sqlite3_column_text (query, 3);

      if (g_str_equal (status, "rejected") && !in_rejected)
        {
          json_builder_end_array (builder);
          json_builder_set_member_name (builder, "rejected");
          json_builder_begin_array (builder);
          in_rejected = TRUE;
        }
      json_builder_begin_object (builder);
      rel_json_set_string (builder, "code", code);
      rel_json_set_string (builder, "label", (const char *) sqlite3_column_text (query, 1));
      rel_json_set_string (builder, "role", (const char *) sqlite3_column_text (query, 2));
      rel_json_set_string (builder, "status", status);
      rel_json_set_string (builder, "origin", (const char *) sqlite3_column_text (query, 4));
      rel_json_set_string (builder, "replaces", (const char *) sqlite3_column_text (query, 5));
      rel_json_set_string (builder, "user", (const char *) sqlite3_column_text (query, 6));
      rel_json_set_string (builder, "time", (const char *) sqlite3_column_text (query, 7));
      rel_json_set_string (builder, "comment", (const char *) sqlite3_column_text (query, 8));
      add_evidence (builder, evidence_of (analysis, code));
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
  if (!in_rejected)
    {
      json_builder_set_member_name (builder, "rejected");
      json_builder_begin_array (builder);
      json_builder_end_array (builder);
    }
  return !has_row;
}

static gboolean
add_feedback (RelStore     *self,
              JsonBuilder  *builder,
              gint64        document_id,
              GError      **error)
{
  gboolean has_row = TRUE;

  {
    g_autoptr(RelStatement) query = rel_store_prepare (self,
      "SELECT section, item, item_text, verdict, edited_text, user, time FROM summary_feedback "
      "WHERE document_id = ?1 ORDER BY section, item", error);

    if (query == NULL)
      return FALSE;
    sqlite3_bind_int64 (query, 1, document_id);
    json_builder_set_member_name (builder, "summary_feedback");
    json_builder_begin_array (builder);
    while (rel_store_step (self, query, &has_row, error) && has_row)
      {
        json_builder_begin_object (builder);
        rel_json_set_string (builder, "section", (const char *) sqlite3_column_text (query, 0));
        json_builder_set_member_name (builder, "item");
        json_builder_add_int_value (builder, sqlite3_column_int (query, 1));
        rel_json_set_string (builder, "item_text", (const char *) sqlite3_column_text (query, 2));
        rel_json_set_string (builder, "verdict", (const char *) sqlite3_column_text (query, 3));
        rel_json_set_string (builder, "edited_text", (const char *) sqlite3_column_text (query, 4));
        rel_json_set_string (builder, "user", (const char *) sqlite3_column_text (query, 5));
        rel_json_set_string (builder, "time", (const char *) sqlite3_column_text (query, 6));
        json_builder_end_object (builder);
      }
    json_builder_end_array (builder);
    if (has_row)
      return FALSE;
  }

  {
    g_autoptr(RelStatement) query = rel_store_prepare (self,
      "SELECT user, rating, comment, time FROM summary_ratings WHERE document_id = ?1 "
      "ORDER BY user", error);

    if (query == NULL)
      return FALSE;
    sqlite3_bind_int64 (query, 1, document_id);
    json_builder_set_member_name (builder, "ratings");
    json_builder_begin_array (builder);
    while (rel_store_step (self, query, &has_row, error) && has_row)
      {
        json_builder_begin_object (builder);
        rel_json_set_string (builder, "user", (const char *) sqlite3_column_text (query, 0));
        json_builder_set_member_name (builder, "rating");
        json_builder_add_int_value (builder, sqlite3_column_int (query, 1));
        rel_json_set_string (builder, "comment", (const char *) sqlite3_column_text (query, 2));
        rel_json_set_string (builder, "time", (const char *) sqlite3_column_text (query, 3));
        json_builder_end_object (builder);
      }
    json_builder_end_array (builder);
  }
  return !has_row;
}

static gboolean
export_jsonl (RelStore       *self,
              const char     *since,
              const char     *status,
              GOutputStream  *out,
              GCancellable   *cancellable,
              GError        **error)
{
  g_autoptr(GArray) ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  gboolean has_row = TRUE;

  {
    g_autoptr(RelStatement) query = rel_store_prepare (self,
      "SELECT d.id FROM documents d WHERE (?2 IS NULL OR d.status = ?2) AND "
      "(?1 IS NULL OR d.updated >= ?1 OR EXISTS (SELECT 1 FROM decisions c "
      "  WHERE c.document_id = d.id AND c.time >= ?1)) AND "
      "(EXISTS (SELECT 1 FROM decisions c WHERE c.document_id = d.id) OR "
      " EXISTS (SELECT 1 FROM summary_feedback f WHERE f.document_id = d.id) OR "
      " EXISTS (SELECT 1 FROM summary_ratings r WHERE r.document_id = d.id)) "
      "ORDER BY d.id", error);

    if (query == NULL)
      return FALSE;
    bind_filter (query, since, status);
    while (rel_store_step (self, query, &has_row, error) && has_row)
      {
        gint64 id = sqlite3_column_int64 (query, 0);

        g_array_append_val (ids, id);
      }
    if (has_row)
      return FALSE;
  }

  for (guint i = 0; i < ids->len; i++)
    {
      gint64 id = g_array_index (ids, gint64, i);
      g_autoptr(RelStatement) query = NULL;
      g_autoptr(JsonBuilder) builder = NULL;
      g_autoptr(JsonNode) analysis = NULL;
      g_autoptr(JsonNode) root = NULL;
      g_autofree char *line = NULL;
      JsonObject *analysis_object = NULL;

      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return FALSE;

      analysis = rel_store_get_latest_analysis (self, id, NULL, error);
      if (analysis == NULL && error != NULL && *error != NULL)
        return FALSE;
      if (analysis != NULL && JSON_NODE_HOLDS_OBJECT (analysis))
        analysis_object = json_node_get_object (analysis);

      query = rel_store_prepare (self,
        "SELECT d.sha256, d.title, d.kind, d.status, t.pseudonymized FROM documents d "
        "LEFT JOIN document_texts t ON t.document_id = d.id WHERE d.id = ?1", error);
      if (query == NULL)
        return FALSE;
      sqlite3_bind_int64 (query, 1, id);
      if (!rel_store_step (self, query, &has_row, error) || !has_row)
        return FALSE;

      builder = json_builder_new ();
      json_builder_begin_object (builder);
      rel_json_set_string (builder, "format", JSONL_FORMAT);
      rel_json_set_string (builder, "sha256", (const char *) sqlite3_column_text (query, 0));
      rel_json_set_string (builder, "title", (const char *) sqlite3_column_text (query, 1));
      rel_json_set_string (builder, "kind", (const char *) sqlite3_column_text (query, 2));
      rel_json_set_string (builder, "status", (const char *) sqlite3_column_text (query, 3));
      rel_json_set_string (builder, "text", (const char *) sqlite3_column_text (query, 4));
      if (analysis_object != NULL && json_object_has_member (analysis_object, "engine"))
        {
          json_builder_set_member_name (builder, "engine");
          json_builder_add_value (builder,
                                  json_node_copy (json_object_get_member (analysis_object,
                                                                          "engine")));
        }
      if (!add_decisions (self, builder, id, analysis_object, error) ||
          !add_feedback (self, builder, id, error))
        return FALSE;
      json_builder_end_object (builder);

      root = json_builder_get_root (builder);
      line = json_to_string (root, FALSE);
      if (!write_text (out, line, cancellable, error) ||
          !write_text (out, "\n", cancellable, error))
        return FALSE;
    }
  return TRUE;
}

gboolean
rel_store_export (RelStore        *self,
                  RelExportFormat  format,
                  const char      *since,
                  const char      *status,
                  GOutputStream   *out,
                  GCancellable    *cancellable,
                  GError         **error)
{
  g_autoptr(GRecMutexLocker) locker = NULL;
  gboolean ok = FALSE;

  g_return_val_if_fail (REL_IS_STORE (self), FALSE);
  g_return_val_if_fail (G_IS_OUTPUT_STREAM (out), FALSE);

  locker = g_rec_mutex_locker_new (rel_store_get_mutex (self));
  /* One read transaction: a consistent picture while others write. */
  if (!rel_store_exec (self, "BEGIN", error))
    return FALSE;

  switch (format)
    {
    case REL_EXPORT_CSV:
      ok = export_csv (self, since, status, out, cancellable, error);
      break;
    case REL_EXPORT_FHIR:
      ok = export_fhir (self, since, status, out, cancellable, error);
      break;
    case REL_EXPORT_JSONL:
      ok = export_jsonl (self, since, status, out, cancellable, error);
      break;
    default:
      g_assert_not_reached ();
    }
  rel_store_rollback (self);
  return ok;
}

/* Import */

static gboolean
is_sha256 (const char *text)
{
  if (text == NULL || strlen (text) != 64)
    return FALSE;
  for (const char *c = text; *c != '\0'; c++)
    if (!g_ascii_isxdigit (*c) || g_ascii_isupper (*c))
      return FALSE;
  return TRUE;
}

static gboolean
bad_line (GError **error,
          guint    number,
          const char *why)
{
  g_set_error (error, REL_STORE_ERROR, REL_STORE_ERROR_INVALID,
               _("Line %u of the import is not a Relecture export (%s); nothing was imported."),
               number, why);
  return FALSE;
}

/* The first member of @line whose type is not the one the import reads, or
 * NULL: "codes": {…} or "ratings": "x" were taken for absent, and the import
 * said it succeeded. */
static const char *
mistyped_member (JsonObject *line)
{
  static const char * const arrays[] = { "codes", "rejected", "summary_feedback", "ratings",
                                         NULL };
  static const char * const strings[] = { "title", "kind", "status", NULL };

  for (guint i = 0; arrays[i] != NULL; i++)
    {
      JsonNode *node = json_object_get_member (line, arrays[i]);

      if (node != NULL && !JSON_NODE_HOLDS_NULL (node) && !JSON_NODE_HOLDS_ARRAY (node))
        return arrays[i];
    }
  for (guint i = 0; strings[i] != NULL; i++)
    {
      JsonNode *node = json_object_get_member (line, strings[i]);

      if (node != NULL && !JSON_NODE_HOLDS_NULL (node) &&
          rel_json_get_string (line, strings[i]) == NULL)
        return strings[i];
    }
  return NULL;
}

/* Keeps the newer of the stored and the imported state of a decision. */
static gboolean
merge_decision (RelStore    *self,
                gint64       document_id,
                JsonObject  *entry,
                const char  *user,
                guint       *merged,
                GError     **error)
{
  g_autoptr(RelStatement) current = NULL;
  g_autoptr(RelStatement) upsert = NULL;
  const char *code = rel_json_get_string (entry, "code");
  const char *status = rel_json_get_string (entry, "status");
  const char *origin = rel_json_get_string (entry, "origin");
  const char *time = rel_json_get_string (entry, "time");
  const char *role = rel_json_get_string (entry, "role");
  gboolean has_row = FALSE;
  g_autofree char *after = NULL;
  static const char * const statuses[] = { "accepted", "rejected", "added", "modified", NULL };

  if (code == NULL || strlen (code) > 8 || time == NULL ||
      status == NULL || !g_strv_contains (statuses, status) ||
      (role != NULL && !g_str_equal (role, "DP") && !g_str_equal (role, "DAS")))
    {
      g_set_error (error, REL_STORE_ERROR, REL_STORE_ERROR_INVALID, _("a decision is incomplete"));
      return FALSE;
    }
  if (origin == NULL || (!g_str_equal (origin, "suggested") && !g_str_equal (origin, "manual")))
    origin = "manual";

  current = rel_store_prepare (self,
    "SELECT time FROM decisions WHERE document_id = ?1 AND code = ?2", error);
  if (current == NULL)
    return FALSE;
  sqlite3_bind_int64 (current, 1, document_id);
  rel_statement_bind_text (current, 2, code);
  if (!rel_store_step (self, current, &has_row, error))
    return FALSE;
  if (has_row && g_strcmp0 ((const char *) sqlite3_column_text (current, 0), time) >= 0)
    return TRUE;

  upsert = rel_store_prepare (self,
    "INSERT INTO decisions (document_id, code, label, role, status, origin, replaces, user, "
    "                       time, comment) "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10) "
    "ON CONFLICT (document_id, code) DO UPDATE SET analysis_id = NULL, "
    "label = excluded.label, role = excluded.role, status = excluded.status, "
    "origin = excluded.origin, replaces = excluded.replaces, user = excluded.user, "
    "time = excluded.time, comment = excluded.comment", error);
  if (upsert == NULL)
    return FALSE;
  sqlite3_bind_int64 (upsert, 1, document_id);
  rel_statement_bind_text (upsert, 2, code);
  rel_statement_bind_text (upsert, 3, rel_json_get_string (entry, "label"));
  rel_statement_bind_text (upsert, 4, g_str_equal (status, "rejected") ? NULL : role);
  rel_statement_bind_text (upsert, 5, status);
  rel_statement_bind_text (upsert, 6, origin);
  rel_statement_bind_text (upsert, 7, rel_json_get_string (entry, "replaces"));
  rel_statement_bind_text (upsert, 8, rel_json_get_string (entry, "user") != NULL
                                      ? rel_json_get_string (entry, "user") : user);
  rel_statement_bind_text (upsert, 9, time);
  rel_statement_bind_text (upsert, 10, rel_json_get_string (entry, "comment"));
  if (!rel_store_step (self, upsert, NULL, error))
    return FALSE;

  (*merged)++;
  {
    g_autoptr(JsonNode) node = json_node_init_object (json_node_alloc (), entry);

    after = json_to_string (node, FALSE);
  }
  return rel_store_audit (self, user, "decision.import", document_id, code, NULL, after, error);
}

static gboolean
merge_feedback (RelStore    *self,
                gint64       document_id,
                JsonObject  *line,
                const char  *user,
                GError     **error)
{
  JsonArray *feedback = rel_json_get_array (line, "summary_feedback");
  JsonArray *ratings = rel_json_get_array (line, "ratings");
  static const char * const verdicts[] = { "correct", "wrong", "edited", NULL };

  for (guint i = 0; feedback != NULL && i < json_array_get_length (feedback); i++)
    {
      JsonObject *entry = rel_json_get_element (feedback, i);
      g_autoptr(RelStatement) upsert = NULL;
      const char *verdict = entry != NULL ? rel_json_get_string (entry, "verdict") : NULL;

      if (verdict == NULL || !g_strv_contains (verdicts, verdict) ||
          rel_json_get_string (entry, "section") == NULL || rel_json_get_string (entry, "item_text") == NULL ||
          rel_json_get_string (entry, "time") == NULL)
        {
          g_set_error (error, REL_STORE_ERROR, REL_STORE_ERROR_INVALID,
                       _("a summary judgement is incomplete"));
          return FALSE;
        }
      /* Needs an analysis row: the feedback is kept with the newest one,
       * and only when newer than what the store has. */
      upsert = rel_store_prepare (self,
        "INSERT INTO summary_feedback (document_id, analysis_id, section, item, item_text, "
        "                              verdict, edited_text, user, time) "
        "SELECT ?1, max (a.id), ?2, ?3, ?4, ?5, ?6, ?7, ?8 FROM analyses a "
        "WHERE a.document_id = ?1 HAVING max (a.id) IS NOT NULL "
        "ON CONFLICT (document_id, section, item) DO UPDATE SET item_text = excluded.item_text, "
        "verdict = excluded.verdict, edited_text = excluded.edited_text, user = excluded.user, "
        "time = excluded.time WHERE excluded.time > summary_feedback.time", error);
      if (upsert == NULL)
        return FALSE;
      sqlite3_bind_int64 (upsert, 1, document_id);
      rel_statement_bind_text (upsert, 2, rel_json_get_string (entry, "section"));
      sqlite3_bind_int64 (upsert, 3, rel_json_get_int (entry, "item", 0));
      rel_statement_bind_text (upsert, 4, rel_json_get_string (entry, "item_text"));
      rel_statement_bind_text (upsert, 5, verdict);
      rel_statement_bind_text (upsert, 6, rel_json_get_string (entry, "edited_text"));
      rel_statement_bind_text (upsert, 7, rel_json_get_string (entry, "user") != NULL
                                          ? rel_json_get_string (entry, "user") : user);
      rel_statement_bind_text (upsert, 8, rel_json_get_string (entry, "time"));
      if (!rel_store_step (self, upsert, NULL, error))
        return FALSE;
    }

  for (guint i = 0; ratings != NULL && i < json_array_get_length (ratings); i++)
    {
      JsonObject *entry = rel_json_get_element (ratings, i);
      g_autoptr(RelStatement) upsert = NULL;
      gint64 rating = entry != NULL ? rel_json_get_int (entry, "rating", 0)
                                    : 0;

      if (rating < 1 || rating > 5 || rel_json_get_string (entry, "user") == NULL ||
          rel_json_get_string (entry, "time") == NULL)
        {
          g_set_error (error, REL_STORE_ERROR, REL_STORE_ERROR_INVALID,
                       _("a summary rating is incomplete"));
          return FALSE;
        }
      upsert = rel_store_prepare (self,
        "INSERT INTO summary_ratings (document_id, user, rating, comment, time) "
        "VALUES (?1, ?2, ?3, ?4, ?5) "
        "ON CONFLICT (document_id, user) DO UPDATE SET rating = excluded.rating, "
        "comment = excluded.comment, time = excluded.time "
        "WHERE excluded.time > summary_ratings.time", error);
      if (upsert == NULL)
        return FALSE;
      sqlite3_bind_int64 (upsert, 1, document_id);
      rel_statement_bind_text (upsert, 2, rel_json_get_string (entry, "user"));
      sqlite3_bind_int64 (upsert, 3, rating);
      rel_statement_bind_text (upsert, 4, rel_json_get_string (entry, "comment"));
      rel_statement_bind_text (upsert, 5, rel_json_get_string (entry, "time"));
      if (!rel_store_step (self, upsert, NULL, error))
        return FALSE;
    }
  return TRUE;
}

/* The further of two statuses along new → in_progress → validated. */
static gboolean
merge_status (RelStore    *self,
              gint64       document_id,
              const char  *status,
              const char  *user,
              GError     **error)
{
  g_autoptr(RelStatement) update = NULL;
  gboolean has_row = FALSE;

  if (status == NULL || (!g_str_equal (status, "in_progress") && !g_str_equal (status, "validated")))
    return TRUE;
  update = rel_store_prepare (self,
    "UPDATE documents SET status = ?2, updated = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') "
    "WHERE id = ?1 AND (status = 'new' OR (status = 'in_progress' AND ?2 = 'validated')) "
    "RETURNING id", error);
  if (update == NULL)
    return FALSE;
  sqlite3_bind_int64 (update, 1, document_id);
  rel_statement_bind_text (update, 2, status);
  if (!rel_store_step (self, update, &has_row, error))
    return FALSE;
  if (has_row)
    {
      g_autofree char *after = g_strdup_printf ("{\"status\":\"%s\"}", status);

      return rel_store_audit (self, user, "document.import", document_id, NULL, NULL, after,
                              error);
    }
  return TRUE;
}

gboolean
rel_store_import_jsonl (RelStore      *self,
                        GInputStream  *in,
                        const char    *user,
                        guint         *out_documents,
                        guint         *out_decisions,
                        GCancellable  *cancellable,
                        GError       **error)
{
  g_autoptr(GRecMutexLocker) locker = NULL;
  g_autoptr(GDataInputStream) lines = NULL;
  guint number = 0;
  guint n_documents = 0;
  guint n_decisions = 0;

  g_return_val_if_fail (REL_IS_STORE (self), FALSE);
  g_return_val_if_fail (G_IS_INPUT_STREAM (in), FALSE);

  if (user == NULL || user[0] == '\0')
    user = g_get_user_name ();
  lines = g_data_input_stream_new (in);
  g_data_input_stream_set_newline_type (lines, G_DATA_STREAM_NEWLINE_TYPE_ANY);

  locker = g_rec_mutex_locker_new (rel_store_get_mutex (self));
  /* All or nothing: a bad line leaves the store as it was. */
  if (!rel_store_begin (self, error))
    return FALSE;

  while (TRUE)
    {
      g_autoptr(GError) local_error = NULL;
      g_autofree char *text = g_data_input_stream_read_line_utf8 (lines, NULL, cancellable,
                                                                  &local_error);
      g_autoptr(JsonNode) root = NULL;
      JsonObject *line;
      const char *sha256;
      const char *pseudonymized;
      gboolean created = FALSE;
      gint64 document_id;

      if (local_error != NULL)
        {
          if (g_error_matches (local_error, G_CONVERT_ERROR, G_CONVERT_ERROR_ILLEGAL_SEQUENCE))
            bad_line (error, number + 1, _("invalid UTF-8"));
          else
            g_propagate_error (error, g_steal_pointer (&local_error));
          goto failed;
        }
      if (text == NULL)
        break;
      number++;
      if (g_strstrip (text)[0] == '\0')
        continue;

      root = rel_json_from_string (text, NULL);
      if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
        {
          bad_line (error, number, _("not a JSON object"));
          goto failed;
        }
      line = json_node_get_object (root);
      if (g_strcmp0 (rel_json_get_string (line, "format"), JSONL_FORMAT) != 0)
        {
          bad_line (error, number, _("unknown format"));
          goto failed;
        }
      sha256 = rel_json_get_string (line, "sha256");
      pseudonymized = rel_json_get_string (line, "text");
      if (!is_sha256 (sha256) || pseudonymized == NULL)
        {
          bad_line (error, number, _("no document"));
          goto failed;
        }
      if (mistyped_member (line) != NULL)
        {
          g_autofree char *why = g_strdup_printf (_("“%s” is not of the expected type"),
                                                  mistyped_member (line));

          bad_line (error, number, why);
          goto failed;
        }

      document_id = rel_store_insert_document (self, sha256, NULL,
                                               rel_json_get_string (line, "title") != NULL
                                               ? rel_json_get_string (line, "title") : sha256,
                                               g_strcmp0 (rel_json_get_string (line, "kind"), "pdf") == 0
                                               ? "pdf" : "text",
                                               NULL, user, &created, error);
      if (document_id == 0)
        goto failed;
      if (created)
        {
          g_autoptr(RelStatement) text_update = rel_store_prepare (self,
            "INSERT OR REPLACE INTO document_texts (document_id, pseudonymized) VALUES (?1, ?2)",
            error);

          if (text_update == NULL)
            goto failed;
          sqlite3_bind_int64 (text_update, 1, document_id);
          rel_statement_bind_text (text_update, 2, pseudonymized);
          if (!rel_store_step (self, text_update, NULL, error))
            goto failed;
          n_documents++;
        }

      for (const char * const *member = (const char * const[]) { "codes", "rejected", NULL };
           *member != NULL; member++)
        {
          JsonArray *entries = rel_json_get_array (line, *member);

          for (guint i = 0; entries != NULL && i < json_array_get_length (entries); i++)
            {
              JsonObject *entry = rel_json_get_element (entries, i);
              g_autoptr(GError) entry_error = NULL;

              if (entry == NULL ||
                  !merge_decision (self, document_id, entry, user, &n_decisions, &entry_error))
                {
                  if (entry_error != NULL && entry_error->domain == REL_STORE_ERROR &&
                      entry_error->code == REL_STORE_ERROR_INVALID)
                    bad_line (error, number, entry_error->message);
                  else if (entry_error != NULL)
                    g_propagate_error (error, g_steal_pointer (&entry_error));
                  else
                    bad_line (error, number, _("a decision is not an object"));
                  goto failed;
                }
            }
        }

      {
        g_autoptr(GError) entry_error = NULL;

        if (!merge_feedback (self, document_id, line, user, &entry_error) ||
            !merge_status (self, document_id, rel_json_get_string (line, "status"), user, &entry_error))
          {
            if (entry_error->domain == REL_STORE_ERROR &&
                entry_error->code == REL_STORE_ERROR_INVALID)
              bad_line (error, number, entry_error->message);
            else
              g_propagate_error (error, g_steal_pointer (&entry_error));
            goto failed;
          }
      }
    }

  if (!rel_store_commit (self, error))
    return FALSE;
  if (out_documents != NULL)
    *out_documents = n_documents;
  if (out_decisions != NULL)
    *out_decisions = n_decisions;
  return TRUE;

failed:
  rel_store_rollback (self);
  return FALSE;
}
