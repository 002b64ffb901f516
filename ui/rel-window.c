/* SPDX-License-Identifier: GPL-3.0-or-later */
/* rel-window.c: the main window — a worklist of reports, the report with its
 * layers, the suggested codes to accept or reject, the summary to judge;
 * every decision written to the store at once. */
#define G_LOG_DOMAIN "rel-window"

#include "config.h"

#include <glib/gi18n.h>

#include "rel-code-search.h"
#include "rel-embedded-engine.h"
#include "rel-http-engine.h"
#include "rel-window.h"

#define MAX_RECENT 5
#define MAX_SEARCH_MATCHES 2000

struct _RelWindow
{
  GtkApplicationWindow  parent_instance;

  /* Template children */
  GtkInfoBar           *store_bar;
  GtkLabel             *store_label;
  GtkPaned             *outer_paned;
  GtkWidget            *sidebar;
  GtkLabel             *worklist_counts;
  GtkListBox           *worklist;
  GtkStack             *stack;
  GtkBox               *recent_box;
  GtkSpinner           *spinner;
  GtkTextView          *text_view;
  GtkLabel             *error_title;
  GtkLabel             *error_label;
  GtkSearchBar         *search_bar;
  GtkSearchEntry       *search_entry;
  GtkLabel             *search_count;
  GtkWidget            *analysis_status;
  GtkSpinner           *analysis_spinner;
  GtkLabel             *analysis_label;
  GtkWidget            *cancel_button;
  GtkStack             *panel_stack;
  GtkListBox           *kept_list;
  GtkListBox           *codes_list;
  GtkLabel             *kept_title;
  GtkMenuButton        *add_code_button;
  GtkListBox           *summary_list;
  GtkBox               *rating_box;
  GtkEntry             *rating_comment;

  RelCodeSearch        *code_search;
  GtkToggleButton      *stars[5];

  GSettings            *settings;
  RelStore             *store;
  GCancellable         *cancellable;
  GFile                *file;
  RelDocument          *document;
  RelAnalysis          *analysis;
  gint64                document_id;
  GPtrArray            *decisions;      /* RelDecision*, of the shown report */
  GPtrArray            *files;          /* GFile*, the worklist */
  GtkFileChooserNative *chooser;
  int                   rating;
  gboolean              hide_phi;

  guint                 layers_source;  /* tags the layers of a long report */
  int                   progress_pending; /* a server update waits for the main loop */
  guint                 preview_items;  /* summary items of the server shown so far */
  guint                 layer;
  guint                 layer_index;

  /* byte → character offsets in the shown text, walked forward */
  const char           *shown_text;
  guint                 cursor_byte;
  guint                 cursor_char;
};

G_DEFINE_FINAL_TYPE (RelWindow, rel_window, GTK_TYPE_APPLICATION_WINDOW)

enum {
  PROP_0,
  PROP_HIDE_PHI,
  PROP_SHOW_SIDEBAR,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void refresh_codes          (RelWindow *self);
static void start_server_analysis  (RelWindow *self);
static void refresh_worklist_row   (RelWindow *self,
                                    GFile     *file);
static void show_text              (RelWindow *self);

/* Shared across windows: one engine (indexing the nomenclature is done once,
 * in a worker thread, the first time a report is analysed) and one store. */
static RelEngine *shared_engine;
G_LOCK_DEFINE_STATIC (shared_engine);
static RelStore *shared_store;
static GError *shared_store_error;

static RelEngine *
ensure_engine (GError **error)
{
  RelEngine *engine;

  G_LOCK (shared_engine);
  if (shared_engine == NULL)
    {
      g_autoptr(RelTerminology) terminology = rel_terminology_new_default (error);

      if (terminology != NULL)
        shared_engine = rel_embedded_engine_new (terminology, error);
    }
  engine = shared_engine != NULL ? g_object_ref (shared_engine) : NULL;
  G_UNLOCK (shared_engine);
  return engine;
}

/* Opened on the main thread, once: its checks are quick, and a failure is
 * shown in every window rather than lost. */
static RelStore *
ensure_store (const GError **error)
{
  if (shared_store == NULL && shared_store_error == NULL)
    shared_store = rel_store_new (NULL, &shared_store_error);
  *error = shared_store_error;
  return shared_store;
}

static const char *
user_name (RelWindow *self)
{
  g_autofree char *name = g_settings_get_string (self->settings, "user-name");

  /* The store puts the login name for an empty one. */
  return name[0] != '\0' ? g_intern_string (name) : NULL;
}

static void
show_store_message (RelWindow      *self,
                    GtkMessageType  type,
                    const char     *message)
{
  gtk_info_bar_set_message_type (self->store_bar, type);
  gtk_label_set_text (self->store_label, message);
  gtk_info_bar_set_revealed (self->store_bar, message != NULL);
}

static void
show_store_error (RelWindow    *self,
                  const GError *error)
{
  g_autofree char *message = g_strdup_printf (_("Decisions cannot be saved: %s"), error->message);

  show_store_message (self, GTK_MESSAGE_WARNING, message);
}

static void
set_busy (RelWindow *self,
          gboolean   busy)
{
  gtk_widget_set_visible (GTK_WIDGET (self->spinner), busy);
  gtk_spinner_set_spinning (self->spinner, busy);
}

static void
show_error (RelWindow    *self,
            const char   *title,
            const GError *error)
{
  gtk_label_set_text (self->error_title, title);
  gtk_label_set_text (self->error_label, error->message);
  gtk_stack_set_visible_child_name (self->stack, "error");
}

static void
set_analysis_status (RelWindow  *self,
                     const char *message,
                     gboolean    running)
{
  gtk_widget_set_visible (self->analysis_status, message != NULL);
  gtk_spinner_set_spinning (self->analysis_spinner, running);
  gtk_widget_set_visible (GTK_WIDGET (self->analysis_spinner), running);
  gtk_widget_set_visible (self->cancel_button, running);
  gtk_label_set_text (self->analysis_label, message != NULL ? message : "");
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.cancel", running);
}

/* The analysis, and its record in the store, in a worker thread */

typedef struct
{
  RelDocument *document;
  RelStore    *store;
  char        *user;
} AnalysisData;

typedef struct
{
  RelAnalysis *analysis;
  gint64       document_id;
  GError      *store_error;
} AnalysisResult;

static void
analysis_data_free (AnalysisData *data)
{
  g_clear_object (&data->document);
  g_clear_object (&data->store);
  g_free (data->user);
  g_free (data);
}

static void
analysis_result_free (AnalysisResult *result)
{
  g_clear_object (&result->analysis);
  g_clear_error (&result->store_error);
  g_free (result);
}

static void
analyze_in_thread (GTask        *task,
                   gpointer      source_object,
                   gpointer      task_data,
                   GCancellable *cancellable)
{
  AnalysisData *data = task_data;
  g_autoptr(RelEngine) engine = NULL;
  GError *error = NULL;
  AnalysisResult *result;
  RelAnalysis *analysis = NULL;

  engine = ensure_engine (&error);
  if (engine != NULL)
    analysis = rel_engine_analyze (engine, data->document, cancellable, &error);
  if (analysis == NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  result = g_new0 (AnalysisResult, 1);
  result->analysis = analysis;
  /* The store keeps the pseudonymized text and analysis, not the report. */
  if (data->store != NULL)
    result->document_id = rel_store_record_analysis (data->store, analysis, data->user, NULL,
                                                     &result->store_error);
  g_task_return_pointer (task, result, (GDestroyNotify) analysis_result_free);
}

/* The report view */

static void
create_tags (GtkTextBuffer *buffer)
{
  gtk_text_buffer_create_tag (buffer, "title", "weight", PANGO_WEIGHT_BOLD, NULL);
  gtk_text_buffer_create_tag (buffer, "mention", "background", "#e3eefb", NULL);
  gtk_text_buffer_create_tag (buffer, "negated", "strikethrough", TRUE, "foreground", "#77767b",
                              NULL);
  gtk_text_buffer_create_tag (buffer, "hypothesis", "style", PANGO_STYLE_ITALIC,
                              "foreground", "#1c71d8", NULL);
  gtk_text_buffer_create_tag (buffer, "family", "foreground", "#813d9c", NULL);
  gtk_text_buffer_create_tag (buffer, "phi", "background", "#f6d5d5", NULL);
  gtk_text_buffer_create_tag (buffer, "search", "background", "#ffbe6f", NULL);
  gtk_text_buffer_create_tag (buffer, "evidence", "background", "#f8e45c", NULL);
}

/* A byte offset of the analysis contract (into the original text) as a
 * position in the buffer, which may show the pseudonymized text. */
static void
iter_at_byte (RelWindow   *self,
              GtkTextIter *iter,
              guint        offset,
              gboolean     is_end)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (self->text_view);

  if (self->hide_phi && self->analysis != NULL)
    offset = rel_analysis_to_pseudonymized_offset (self->analysis, offset, is_end);

  /* Tags come in text order: walk on from the last position. */
  if (offset < self->cursor_byte)
    self->cursor_byte = self->cursor_char = 0;
  self->cursor_char += (guint) g_utf8_pointer_to_offset (self->shown_text + self->cursor_byte,
                                                         self->shown_text + offset);
  self->cursor_byte = offset;
  gtk_text_buffer_get_iter_at_offset (buffer, iter, (int) self->cursor_char);
}

static void
apply_tag (RelWindow  *self,
           const char *tag,
           guint       start,
           guint       end)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (self->text_view);
  GtkTextIter from, to;

  iter_at_byte (self, &from, start, FALSE);
  iter_at_byte (self, &to, end, TRUE);
  gtk_text_buffer_apply_tag_by_name (buffer, tag, &from, &to);
}

static void
highlight_evidence (RelWindow *self,
                    GArray    *evidence)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (self->text_view);
  GtkTextIter start, end;

  gtk_text_buffer_get_bounds (buffer, &start, &end);
  gtk_text_buffer_remove_tag_by_name (buffer, "evidence", &start, &end);
  if (evidence == NULL || evidence->len == 0 || self->document == NULL)
    return;

  for (guint i = 0; i < evidence->len; i++)
    {
      const RelSpan *span = &g_array_index (evidence, RelSpan, i);

      apply_tag (self, "evidence", span->start, span->end);
    }
  iter_at_byte (self, &start, g_array_index (evidence, RelSpan, 0).start, FALSE);
  gtk_text_view_scroll_to_iter (self->text_view, &start, 0.1, TRUE, 0.0, 0.3);
}

/* Spans of one layer, or of the next: false once all are tagged. */
static gboolean
apply_some_layers (RelWindow *self,
                   guint      budget)
{
  while (budget > 0 && self->layer < 3)
    {
      GArray *sections = rel_analysis_get_sections (self->analysis);
      GPtrArray *mentions = rel_analysis_get_mentions (self->analysis);
      GPtrArray *phi = rel_analysis_get_phi (self->analysis);
      guint n = self->layer == 0 ? sections->len : self->layer == 1 ? mentions->len : phi->len;

      if (self->layer_index >= n)
        {
          self->layer++;
          self->layer_index = 0;
          continue;
        }
      if (self->layer == 0)
        {
          const RelSection *section = &g_array_index (sections, RelSection, self->layer_index);

          if (section->title_end > section->title_start)
            apply_tag (self, "title", section->title_start, section->title_end);
        }
      else if (self->layer == 1)
        {
          const RelMention *mention = g_ptr_array_index (mentions, self->layer_index);

          apply_tag (self, mention->negated ? "negated" : mention->hypothesis ? "hypothesis"
                           : mention->family ? "family" : "mention",
                     mention->start, mention->end);
        }
      else
        {
          const RelPhi *span = g_ptr_array_index (phi, self->layer_index);

          apply_tag (self, "phi", span->start, span->end);
        }
      self->layer_index++;
      budget--;
    }
  return self->layer < 3;
}

static gboolean
apply_layers_in_idle (gpointer user_data)
{
  RelWindow *self = user_data;

  if (self->analysis != NULL && apply_some_layers (self, 1500))
    return G_SOURCE_CONTINUE;
  self->layers_source = 0;
  return G_SOURCE_REMOVE;
}

/* The layers of the analysis over the text shown: at once for a report, by
 * slices between frames for a long one, which stays scrollable meanwhile. */
static void
apply_layers (RelWindow *self)
{
  g_clear_handle_id (&self->layers_source, g_source_remove);
  self->layer = 0;
  self->layer_index = 0;
  if (self->analysis == NULL)
    return;
  if (apply_some_layers (self, 3000))
    self->layers_source = g_idle_add_full (G_PRIORITY_LOW, apply_layers_in_idle, self, NULL);
}

/* The original report, or once analysed and asked for, its pseudonymized
 * text; then the layers over it. */
static void
show_text (RelWindow *self)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (self->text_view);
  gboolean pseudonymized = self->hide_phi && self->analysis != NULL &&
                           rel_analysis_get_pseudonymized_text (self->analysis) != NULL;
  GtkTextIter start;

  if (self->document == NULL)
    return;
  self->shown_text = pseudonymized ? rel_analysis_get_pseudonymized_text (self->analysis)
                                   : rel_document_get_text (self->document);
  self->cursor_byte = self->cursor_char = 0;
  gtk_text_buffer_set_text (buffer, self->shown_text, -1);
  gtk_text_buffer_get_start_iter (buffer, &start);
  gtk_text_buffer_place_cursor (buffer, &start);
  apply_layers (self);
}

/* Search in the report */

static guint
mark_matches (RelWindow *self)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (self->text_view);
  const char *needle = gtk_editable_get_text (GTK_EDITABLE (self->search_entry));
  GtkTextIter start, end, from;
  guint n = 0;

  gtk_text_buffer_get_bounds (buffer, &start, &end);
  gtk_text_buffer_remove_tag_by_name (buffer, "search", &start, &end);
  if (needle[0] == '\0')
    return 0;

  from = start;
  while (n < MAX_SEARCH_MATCHES)
    {
      GtkTextIter match_start, match_end;

      if (!gtk_text_iter_forward_search (&from, needle, GTK_TEXT_SEARCH_CASE_INSENSITIVE,
                                         &match_start, &match_end, NULL))
        break;
      gtk_text_buffer_apply_tag_by_name (buffer, "search", &match_start, &match_end);
      from = match_end;
      n++;
    }
  return n;
}

static void
find (RelWindow *self,
      gboolean   forward)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (self->text_view);
  const char *needle = gtk_editable_get_text (GTK_EDITABLE (self->search_entry));
  GtkTextIter from, start, end;
  gboolean found;

  if (needle[0] == '\0')
    return;

  gtk_text_buffer_get_selection_bounds (buffer, &start, &end);
  from = forward ? end : start;
  found = forward ? gtk_text_iter_forward_search (&from, needle, GTK_TEXT_SEARCH_CASE_INSENSITIVE,
                                                  &start, &end, NULL)
                  : gtk_text_iter_backward_search (&from, needle,
                                                   GTK_TEXT_SEARCH_CASE_INSENSITIVE,
                                                   &start, &end, NULL);
  if (!found)
    {
      /* Wrap round. */
      if (forward)
        gtk_text_buffer_get_start_iter (buffer, &from);
      else
        gtk_text_buffer_get_end_iter (buffer, &from);
      found = forward ? gtk_text_iter_forward_search (&from, needle,
                                                      GTK_TEXT_SEARCH_CASE_INSENSITIVE,
                                                      &start, &end, NULL)
                      : gtk_text_iter_backward_search (&from, needle,
                                                       GTK_TEXT_SEARCH_CASE_INSENSITIVE,
                                                       &start, &end, NULL);
    }
  if (found)
    {
      gtk_text_buffer_select_range (buffer, &start, &end);
      gtk_text_view_scroll_to_iter (self->text_view, &start, 0.1, TRUE, 0.0, 0.3);
    }
}

static void
on_search_changed (GtkSearchEntry *entry,
                   RelWindow      *self)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (self->text_view);
  GtkTextIter start;
  guint n = mark_matches (self);
  g_autofree char *count = NULL;

  if (n > 0)
    count = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u match", "%u matches", n), n);
  else if (gtk_editable_get_text (GTK_EDITABLE (entry))[0] != '\0')
    count = g_strdup (_("No match"));
  gtk_label_set_text (self->search_count, count != NULL ? count : "");

  gtk_text_buffer_get_start_iter (buffer, &start);
  gtk_text_buffer_place_cursor (buffer, &start);
  find (self, TRUE);
}

static void
on_search_activate (GtkSearchEntry *entry,
                    RelWindow      *self)
{
  find (self, TRUE);
}

static void
on_search_previous (GtkSearchEntry *entry,
                    RelWindow      *self)
{
  find (self, FALSE);
}

static gboolean
on_search_key (GtkEventControllerKey *controller,
               guint                  keyval,
               guint                  keycode,
               GdkModifierType        state,
               RelWindow             *self)
{
  if ((keyval == GDK_KEY_Return || keyval == GDK_KEY_KP_Enter) && (state & GDK_SHIFT_MASK))
    {
      find (self, FALSE);
      return TRUE;
    }
  return FALSE;
}

/* Codes and decisions */

static const RelDecision *
decision_for (RelWindow  *self,
              const char *code)
{
  for (guint i = 0; self->decisions != NULL && i < self->decisions->len; i++)
    {
      const RelDecision *decision = g_ptr_array_index (self->decisions, i);

      if (g_str_equal (decision->code, code))
        return decision;
    }
  return NULL;
}

static const RelCodeSuggestion *
suggestion_for (RelWindow  *self,
                const char *code)
{
  GPtrArray *codes = self->analysis != NULL ? rel_analysis_get_codes (self->analysis) : NULL;

  for (guint i = 0; codes != NULL && i < codes->len; i++)
    {
      const RelCodeSuggestion *suggestion = g_ptr_array_index (codes, i);

      if (g_str_equal (suggestion->code, code))
        return suggestion;
    }
  return NULL;
}

static gboolean
is_kept (const RelDecision *decision)
{
  return decision != NULL && !g_str_equal (decision->status, "rejected");
}

static GtkWidget *
icon_button (const char *icon,
             const char *tooltip,
             const char *action,
             const char *code)
{
  GtkWidget *button = icon != NULL ? gtk_button_new_from_icon_name (icon) : gtk_button_new ();

  gtk_widget_set_tooltip_text (button, tooltip);
  gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  tooltip, -1);
  gtk_actionable_set_action_name (GTK_ACTIONABLE (button), action);
  gtk_actionable_set_action_target (GTK_ACTIONABLE (button), "s", code);
  gtk_widget_add_css_class (button, "flat");
  gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
  gtk_widget_set_focus_on_click (button, FALSE);
  return button;
}

/* A row of the suggestions or of the retained codes. */
static GtkWidget *
code_row (RelWindow               *self,
          const char              *code,
          const char              *label_text,
          const RelCodeSuggestion *suggestion,
          const RelDecision       *decision,
          gboolean                 retained_list)
{
  GtkWidget *row = gtk_list_box_row_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 4);
  GtkWidget *line = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 8);
  const char *role_text = decision != NULL && decision->role != NULL ? decision->role
                          : suggestion != NULL && suggestion->role != NULL && decision == NULL
                          ? suggestion->role : "–";
  GtkWidget *role = gtk_label_new (role_text);
  g_autofree char *display = rel_code_display (code);
  GtkWidget *code_label = gtk_label_new (display);
  GtkWidget *label = gtk_label_new (label_text);
  g_autoptr(GString) details = g_string_new (NULL);
  GtkWidget *details_label;

  gtk_widget_set_size_request (role, 36, -1);
  gtk_widget_add_css_class (role, "heading");
  gtk_widget_add_css_class (code_label, "monospace");
  gtk_label_set_xalign (GTK_LABEL (label), 0.0);
  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_widget_set_hexpand (label, TRUE);
  gtk_box_append (GTK_BOX (line), role);
  gtk_box_append (GTK_BOX (line), code_label);
  gtk_box_append (GTK_BOX (line), label);

  if (suggestion != NULL && !retained_list)
    {
      GtkWidget *bar = gtk_level_bar_new_for_interval (0.0, 1.0);

      gtk_level_bar_set_value (GTK_LEVEL_BAR (bar), suggestion->score);
      gtk_widget_set_size_request (bar, 48, -1);
      gtk_widget_set_valign (bar, GTK_ALIGN_CENTER);
      gtk_widget_set_tooltip_text (bar, _("Confidence of the suggestion"));
      gtk_box_append (GTK_BOX (line), bar);
    }

  if (!retained_list)
    {
      gtk_box_append (GTK_BOX (line), icon_button ("object-select-symbolic", _("Accept (Enter)"),
                                                   "win.accept", code));
      gtk_box_append (GTK_BOX (line), icon_button ("window-close-symbolic", _("Reject (Delete)"),
                                                   "win.reject", code));
    }
  else
    {
      GtkWidget *dp = icon_button (NULL, _("Set as principal diagnosis (Ctrl+D)"),
                                   "win.set-dp", code);

      /* "DP" is what coders read; an icon would need explaining. */
      gtk_button_set_label (GTK_BUTTON (dp), "DP");
      gtk_widget_set_sensitive (dp, decision == NULL || g_strcmp0 (decision->role, "DP") != 0);
      gtk_box_append (GTK_BOX (line), dp);
      gtk_box_append (GTK_BOX (line), icon_button ("list-remove-symbolic",
                                                   _("Remove from the retained codes"),
                                                   "win.reject", code));
    }

  if (decision != NULL)
    {
      if (g_str_equal (decision->status, "rejected"))
        g_string_append (details, _("Rejected"));
      else if (g_str_equal (decision->status, "added"))
        g_string_append (details, _("Added by the coder"));
      else if (g_str_equal (decision->status, "modified"))
        g_string_append_printf (details, _("Correction of %s"), decision->replaces);
      else
        g_string_append (details, _("Accepted"));
      if (decision->user != NULL)
        g_string_append_printf (details, " · %s", decision->user);
    }
  if (suggestion != NULL)
    {
      if (details->len > 0)
        g_string_append (details, " · ");
      g_string_append_printf (details, g_dngettext (GETTEXT_PACKAGE, "%u mention", "%u mentions",
                                                    suggestion->evidence->len),
                              suggestion->evidence->len);
      if (suggestion->ambiguous)
        g_string_append_printf (details, " · %s", _("ambiguous abbreviation: check the reading"));
    }
  details_label = gtk_label_new (details->str);
  gtk_widget_add_css_class (details_label, "dim-label");
  gtk_widget_add_css_class (details_label, "caption");
  gtk_label_set_xalign (GTK_LABEL (details_label), 0.0);
  gtk_label_set_wrap (GTK_LABEL (details_label), TRUE);

  gtk_box_append (GTK_BOX (box), line);
  gtk_box_append (GTK_BOX (box), details_label);
  gtk_widget_set_margin_top (box, 4);
  gtk_widget_set_margin_bottom (box, 4);
  gtk_widget_set_margin_start (box, 6);
  gtk_widget_set_margin_end (box, 2);
  gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (row), box);

  if (decision != NULL && !retained_list)
    gtk_widget_add_css_class (row, is_kept (decision) ? "code-accepted" : "code-rejected");
  g_object_set_data_full (G_OBJECT (row), "code", g_strdup (code), g_free);
  {
    g_autofree char *accessible = g_strdup_printf ("%s %s. %s", display, label_text, details->str);

    gtk_accessible_update_property (GTK_ACCESSIBLE (row), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                    accessible, -1);
  }
  return row;
}

static const char *
selected_code (RelWindow *self)
{
  GtkListBoxRow *row = gtk_list_box_get_selected_row (self->codes_list);

  if (row == NULL)
    row = gtk_list_box_get_selected_row (self->kept_list);
  return row != NULL ? g_object_get_data (G_OBJECT (row), "code") : NULL;
}

static GtkListBoxRow *
row_for_code (GtkListBox *list,
              const char *code)
{
  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (list)); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    if (GTK_IS_LIST_BOX_ROW (child) &&
        g_strcmp0 (g_object_get_data (G_OBJECT (child), "code"), code) == 0)
      return GTK_LIST_BOX_ROW (child);
  return NULL;
}

static void
clear_list (GtkListBox *list)
{
  GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (list));

  /* Rows only: the placeholder stays. */
  while (child != NULL)
    {
      GtkWidget *next = gtk_widget_get_next_sibling (child);

      if (GTK_IS_LIST_BOX_ROW (child))
        gtk_list_box_remove (list, child);
      child = next;
    }
}

static guint
n_list_rows (GtkListBox *list)
{
  guint n = 0;

  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (list)); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    if (GTK_IS_LIST_BOX_ROW (child))
      n++;
  return n;
}

static void
load_decisions (RelWindow *self)
{
  g_autoptr(GError) error = NULL;

  g_clear_pointer (&self->decisions, g_ptr_array_unref);
  if (self->store == NULL || self->document_id == 0)
    return;
  self->decisions = rel_store_list_decisions (self->store, self->document_id, &error);
  if (self->decisions == NULL)
    show_store_error (self, error);
}

/* The retained codes (DP first) apart, then every suggestion with its state;
 * the selection stays on the same code, or moves to @next_code. */
static void
refresh_codes_selecting (RelWindow  *self,
                         const char *next_code,
                         gboolean    in_suggestions)
{
  GPtrArray *codes = self->analysis != NULL ? rel_analysis_get_codes (self->analysis) : NULL;
  g_autofree char *keep = g_strdup (next_code != NULL ? next_code : selected_code (self));
  gboolean keep_in_suggestions = next_code != NULL
                                 ? in_suggestions
                                 : gtk_list_box_get_selected_row (self->codes_list) != NULL;
  guint n_kept = 0;
  g_autofree char *title = NULL;

  clear_list (self->kept_list);
  clear_list (self->codes_list);

  for (int pass = 0; pass < 2 && self->decisions != NULL; pass++)
    for (guint i = 0; i < self->decisions->len; i++)
      {
        const RelDecision *decision = g_ptr_array_index (self->decisions, i);
        gboolean dp = g_strcmp0 (decision->role, "DP") == 0;

        if (!is_kept (decision) || dp != (pass == 0))
          continue;
        gtk_list_box_append (self->kept_list,
                             code_row (self, decision->code,
                                       decision->label != NULL ? decision->label : "",
                                       suggestion_for (self, decision->code), decision, TRUE));
        n_kept++;
      }

  for (guint i = 0; codes != NULL && i < codes->len; i++)
    {
      const RelCodeSuggestion *suggestion = g_ptr_array_index (codes, i);

      gtk_list_box_append (self->codes_list,
                           code_row (self, suggestion->code, suggestion->label, suggestion,
                                     decision_for (self, suggestion->code), FALSE));
    }

  title = n_kept > 0 ? g_strdup_printf (_("Retained Codes (%u)"), n_kept)
                     : g_strdup (_("Retained Codes"));
  gtk_label_set_text (self->kept_title, title);

  if (keep != NULL)
    {
      GtkListBox *list = keep_in_suggestions ? self->codes_list : self->kept_list;
      GtkListBoxRow *row = row_for_code (list, keep);

      if (row == NULL)
        row = row_for_code (keep_in_suggestions ? self->kept_list : self->codes_list, keep);
      if (row != NULL)
        {
          GtkListBox *owner = GTK_LIST_BOX (gtk_widget_get_parent (GTK_WIDGET (row)));

          gtk_list_box_select_row (owner, row);
          if (gtk_widget_get_focus_child (GTK_WIDGET (self->codes_list)) != NULL ||
              gtk_widget_get_focus_child (GTK_WIDGET (self->kept_list)) != NULL ||
              next_code != NULL)
            gtk_widget_grab_focus (GTK_WIDGET (row));
        }
    }
}

static void
refresh_codes (RelWindow *self)
{
  refresh_codes_selecting (self, NULL, FALSE);
}

/* The suggestion after @code, to go on with the keyboard. */
static const char *
next_suggestion (RelWindow  *self,
                 const char *code)
{
  GtkListBoxRow *row = row_for_code (self->codes_list, code);
  GtkWidget *next = row != NULL ? gtk_widget_get_next_sibling (GTK_WIDGET (row)) : NULL;

  return next != NULL ? g_object_get_data (G_OBJECT (next), "code") : code;
}

static gboolean
decide (RelWindow  *self,
        const char *code,
        const char *status,
        const char *role,
        const char *label)
{
  g_autoptr(GError) error = NULL;

  if (self->store == NULL || self->document_id == 0)
    {
      gtk_widget_error_bell (GTK_WIDGET (self));
      return FALSE;
    }
  if (!rel_store_decide (self->store, self->document_id, code, status, role, label, NULL,
                         user_name (self), NULL, &error))
    {
      show_store_error (self, error);
      return FALSE;
    }
  load_decisions (self);
  if (self->file != NULL)
    refresh_worklist_row (self, self->file);
  return TRUE;
}

static const char *
code_argument (RelWindow *self,
               GVariant  *parameter)
{
  const char *code = parameter != NULL ? g_variant_get_string (parameter, NULL) : "";

  return code[0] != '\0' ? code : selected_code (self);
}

/* Accepting or rejecting from the suggestions moves on to the next one, as
 * a coder goes down the list; from the retained codes it stays. */
static void
decide_and_move_on (RelWindow  *self,
                    GVariant   *parameter,
                    const char *status)
{
  g_autofree char *code = g_strdup (code_argument (self, parameter));
  gboolean from_suggestions = gtk_list_box_get_selected_row (self->codes_list) != NULL;
  gboolean accepted = g_str_equal (status, "accepted");

  if (code == NULL || !decide (self, code, status, NULL, NULL))
    return;
  refresh_codes_selecting (self, from_suggestions ? next_suggestion (self, code)
                                 : accepted ? code : NULL,
                           from_suggestions);
}

static void
accept_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  decide_and_move_on (REL_WINDOW (widget), parameter, "accepted");
}

static void
reject_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  decide_and_move_on (REL_WINDOW (widget), parameter, "rejected");
}

static void
set_dp_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  RelWindow *self = REL_WINDOW (widget);
  g_autofree char *code = g_strdup (code_argument (self, parameter));
  const RelDecision *decision;

  if (code == NULL)
    return;
  /* A DP is a retained code: accepting it if it was not. */
  decision = decision_for (self, code);
  if (decide (self, code, decision != NULL && is_kept (decision) ? decision->status : "accepted",
              "DP", NULL))
    refresh_codes (self);
}

static void
undo_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  RelWindow *self = REL_WINDOW (widget);
  g_autoptr(GError) error = NULL;

  if (self->store == NULL || self->document_id == 0)
    return;
  if (!rel_store_undo (self->store, self->document_id, user_name (self), &error))
    {
      if (error != NULL)
        show_store_error (self, error);
      else
        gtk_widget_error_bell (widget);
      return;
    }
  load_decisions (self);
  refresh_codes (self);
  if (self->file != NULL)
    refresh_worklist_row (self, self->file);
}

static void
on_code_chosen (RelCodeSearch *search,
                const char    *code,
                const char    *label,
                RelWindow     *self)
{
  if (decide (self, code, "added", NULL, label))
    refresh_codes_selecting (self, code, FALSE);
}

static void
add_code_action (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *parameter)
{
  RelWindow *self = REL_WINDOW (widget);

  if (g_str_equal (rel_window_get_state (self), "report"))
    {
      gtk_stack_set_visible_child_name (self->panel_stack, "codes");
      gtk_menu_button_popup (self->add_code_button);
    }
}

static void
on_code_selected (GtkListBox    *list,
                  GtkListBoxRow *row,
                  RelWindow     *self)
{
  const char *code = row != NULL ? g_object_get_data (G_OBJECT (row), "code") : NULL;
  const RelCodeSuggestion *suggestion = code != NULL ? suggestion_for (self, code) : NULL;

  /* One selection across both lists. */
  if (row != NULL)
    gtk_list_box_unselect_all (list == self->codes_list ? self->kept_list : self->codes_list);
  highlight_evidence (self, suggestion != NULL ? suggestion->evidence : NULL);
}

static void
on_code_activated (GtkListBox    *list,
                   GtkListBoxRow *row,
                   RelWindow     *self)
{
  /* Enter on a suggestion accepts it. */
  if (list == self->codes_list)
    gtk_widget_activate_action (GTK_WIDGET (self), "win.accept", "s",
                                (const char *) g_object_get_data (G_OBJECT (row), "code"));
}

/* The summary */

/* The section labels of DESIGN.md as a coder reads them. */
static const char *
section_title (const char *label)
{
  static const struct { const char *label; const char *title; } titles[] = {
    { "motif", N_("Reason for admission") }, { "antecedents", N_("History") },
    { "traitement_entree", N_("Treatment on admission") },
    { "examens_complementaires", N_("Key results") },
    { "conclusion", N_("Diagnoses retained") },
    { "traitement_sortie", N_("Treatment on discharge") }, { "suivi", N_("Follow-up") },
  };

  for (guint i = 0; i < G_N_ELEMENTS (titles); i++)
    if (g_str_equal (titles[i].label, label))
      return _(titles[i].title);
  return label;
}

static void
judge_item (RelWindow     *self,
            GtkListBoxRow *row,
            const char    *verdict,
            const char    *edited)
{
  g_autoptr(GError) error = NULL;
  const char *section = g_object_get_data (G_OBJECT (row), "section");
  guint index = GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (row), "index"));
  GtkWidget *label = g_object_get_data (G_OBJECT (row), "label");

  if (self->store == NULL || self->document_id == 0)
    {
      gtk_widget_error_bell (GTK_WIDGET (self));
      return;
    }
  if (!rel_store_judge_summary_item (self->store, self->document_id, section, index, verdict,
                                     edited, user_name (self), &error))
    {
      show_store_error (self, error);
      return;
    }
  gtk_widget_remove_css_class (GTK_WIDGET (row), "summary-correct");
  gtk_widget_remove_css_class (GTK_WIDGET (row), "summary-wrong");
  gtk_widget_remove_css_class (GTK_WIDGET (row), "summary-edited");
  {
    g_autofree char *css = g_strconcat ("summary-", verdict, NULL);

    gtk_widget_add_css_class (GTK_WIDGET (row), css);
  }
  if (edited != NULL)
    gtk_label_set_text (GTK_LABEL (label), edited);
}

static void
on_item_correct (GtkButton *button,
                 RelWindow *self)
{
  judge_item (self, GTK_LIST_BOX_ROW (gtk_widget_get_ancestor (GTK_WIDGET (button),
                                                               GTK_TYPE_LIST_BOX_ROW)),
              "correct", NULL);
}

static void
on_item_wrong (GtkButton *button,
               RelWindow *self)
{
  judge_item (self, GTK_LIST_BOX_ROW (gtk_widget_get_ancestor (GTK_WIDGET (button),
                                                               GTK_TYPE_LIST_BOX_ROW)),
              "wrong", NULL);
}

static void
on_item_edited (GtkEntry  *entry,
                RelWindow *self)
{
  GtkWidget *popover = gtk_widget_get_ancestor (GTK_WIDGET (entry), GTK_TYPE_POPOVER);
  GtkListBoxRow *row = g_object_get_data (G_OBJECT (popover), "row");
  const char *text = gtk_editable_get_text (GTK_EDITABLE (entry));

  if (text[0] != '\0')
    judge_item (self, row, "edited", text);
  gtk_popover_popdown (GTK_POPOVER (popover));
}

static GtkWidget *
edit_button (GtkListBoxRow  *row,
             const char     *text,
             RelWindow      *self)
{
  GtkWidget *button = gtk_menu_button_new ();
  GtkWidget *popover = gtk_popover_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  GtkWidget *entry = gtk_entry_new ();
  GtkWidget *hint = gtk_label_new (_("Correct the item, then press Enter."));

  gtk_menu_button_set_icon_name (GTK_MENU_BUTTON (button), "document-edit-symbolic");
  gtk_widget_set_tooltip_text (button, _("Correct this item"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Correct this item"), -1);
  gtk_menu_button_set_has_frame (GTK_MENU_BUTTON (button), FALSE);
  gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
  gtk_editable_set_text (GTK_EDITABLE (entry), text);
  gtk_editable_set_width_chars (GTK_EDITABLE (entry), 40);
  gtk_widget_add_css_class (hint, "dim-label");
  gtk_label_set_xalign (GTK_LABEL (hint), 0.0);
  gtk_box_append (GTK_BOX (box), entry);
  gtk_box_append (GTK_BOX (box), hint);
  gtk_popover_set_child (GTK_POPOVER (popover), box);
  gtk_menu_button_set_popover (GTK_MENU_BUTTON (button), popover);
  g_object_set_data (G_OBJECT (popover), "row", row);
  g_signal_connect (entry, "activate", G_CALLBACK (on_item_edited), self);
  return button;
}

static GtkWidget *
summary_row (RelWindow            *self,
             const char           *section,
             guint                 index,
             const RelSummaryItem *item)
{
  GtkWidget *row = gtk_list_box_row_new ();
  GtkWidget *line = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 2);
  const char *text = item->text;
  GtkWidget *label;
  GtkWidget *correct = gtk_button_new_from_icon_name ("object-select-symbolic");
  GtkWidget *wrong = gtk_button_new_from_icon_name ("window-close-symbolic");
  g_autofree char *pseudonymized = NULL;

  label = gtk_label_new (text);
  gtk_label_set_xalign (GTK_LABEL (label), 0.0);
  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_widget_set_hexpand (label, TRUE);
  gtk_widget_set_margin_start (label, 18);
  gtk_widget_set_margin_top (label, 3);
  gtk_widget_set_margin_bottom (label, 3);

  gtk_widget_set_tooltip_text (correct, _("This item is right"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (correct), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("This item is right"), -1);
  gtk_widget_set_tooltip_text (wrong, _("This item is wrong"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (wrong), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("This item is wrong"), -1);
  for (GtkWidget *button = correct; button != NULL; button = button == correct ? wrong : NULL)
    {
      gtk_widget_add_css_class (button, "flat");
      gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
      gtk_widget_set_focus_on_click (button, FALSE);
    }
  g_signal_connect (correct, "clicked", G_CALLBACK (on_item_correct), self);
  g_signal_connect (wrong, "clicked", G_CALLBACK (on_item_wrong), self);

  gtk_box_append (GTK_BOX (line), label);
  gtk_box_append (GTK_BOX (line), correct);
  gtk_box_append (GTK_BOX (line), wrong);
  gtk_box_append (GTK_BOX (line), edit_button (GTK_LIST_BOX_ROW (row), text, self));
  gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (row), line);

  g_object_set_data (G_OBJECT (row), "item", (gpointer) item);
  g_object_set_data (G_OBJECT (row), "section", (gpointer) g_intern_string (section));
  g_object_set_data (G_OBJECT (row), "index", GUINT_TO_POINTER (index));
  g_object_set_data (G_OBJECT (row), "label", label);
  return row;
}

static void
fill_summary (RelWindow *self)
{
  GPtrArray *summary = rel_analysis_get_summary (self->analysis);

  clear_list (self->summary_list);
  for (guint i = 0; i < summary->len; i++)
    {
      const RelSummarySection *section = g_ptr_array_index (summary, i);
      GtkWidget *header = gtk_label_new (section_title (section->section));
      GtkWidget *header_row = gtk_list_box_row_new ();

      gtk_label_set_xalign (GTK_LABEL (header), 0.0);
      gtk_widget_add_css_class (header, "heading");
      gtk_widget_set_margin_top (header, 12);
      gtk_widget_set_margin_start (header, 6);
      gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (header_row), header);
      gtk_list_box_row_set_selectable (GTK_LIST_BOX_ROW (header_row), FALSE);
      gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (header_row), FALSE);
      gtk_list_box_append (self->summary_list, header_row);

      for (guint j = 0; j < section->items->len; j++)
        gtk_list_box_append (self->summary_list,
                             summary_row (self, section->section, j,
                                          g_ptr_array_index (section->items, j)));
    }
}

static void
on_summary_selected (GtkListBox    *list,
                     GtkListBoxRow *row,
                     RelWindow     *self)
{
  const RelSummaryItem *item = row != NULL ? g_object_get_data (G_OBJECT (row), "item") : NULL;

  highlight_evidence (self, item != NULL ? item->evidence : NULL);
}

static void
set_rating (RelWindow *self,
            int        rating)
{
  self->rating = rating;
  for (int i = 0; i < 5; i++)
    {
      g_signal_handlers_block_matched (self->stars[i], G_SIGNAL_MATCH_DATA, 0, 0, NULL, NULL,
                                       self);
      gtk_toggle_button_set_active (self->stars[i], i < rating);
      gtk_button_set_icon_name (GTK_BUTTON (self->stars[i]),
                                i < rating ? "starred-symbolic" : "non-starred-symbolic");
      g_signal_handlers_unblock_matched (self->stars[i], G_SIGNAL_MATCH_DATA, 0, 0, NULL, NULL,
                                         self);
    }
}

static void
on_star_toggled (GtkToggleButton *star,
                 RelWindow       *self)
{
  for (int i = 0; i < 5; i++)
    if (self->stars[i] == star)
      set_rating (self, i + 1);
}

static void
rate_summary_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  RelWindow *self = REL_WINDOW (widget);
  g_autoptr(GError) error = NULL;
  const char *comment = gtk_editable_get_text (GTK_EDITABLE (self->rating_comment));

  if (self->rating == 0 || self->store == NULL || self->document_id == 0)
    {
      gtk_widget_error_bell (widget);
      return;
    }
  if (!rel_store_rate_summary (self->store, self->document_id, self->rating,
                               comment[0] != '\0' ? comment : NULL, user_name (self), &error))
    show_store_error (self, error);
  else
    show_store_message (self, GTK_MESSAGE_INFO, _("The rating of the summary was saved."));
}

/* The analysis and its display */

static void
show_analysis (RelWindow   *self,
               RelAnalysis *analysis)
{
  GPtrArray *codes = rel_analysis_get_codes (analysis);

  g_set_object (&self->analysis, analysis);
  /* With the identifying data hidden, the text changes once they are known. */
  if (self->hide_phi)
    show_text (self);
  else
    apply_layers (self);

  load_decisions (self);
  refresh_codes (self);
  fill_summary (self);
  set_rating (self, 0);
  gtk_editable_set_text (GTK_EDITABLE (self->rating_comment), "");

  if (shared_engine != NULL && REL_IS_EMBEDDED_ENGINE (shared_engine))
    rel_code_search_set_terminology (self->code_search,
                                     rel_embedded_engine_get_terminology (
                                       REL_EMBEDDED_ENGINE (shared_engine)));

  set_analysis_status (self, codes->len == 0 ? _("No code found in this report.") : NULL,
                       FALSE);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.validate", self->document_id > 0);
  if (self->file != NULL)
    refresh_worklist_row (self, self->file);
}

/* The inference server, after the embedded analysis: its answer replaces
 * the embedded one when it comes; if it fails, the embedded one stays. */

typedef struct
{
  RelDocument     *document;
  RelStore        *store;
  char            *user;
  RelHttpSettings *settings;
  RelWindow       *window;      /* for progress only, on the main thread */
} ServerData;

typedef struct
{
  RelWindow   *window;
  RelDocument *document;
  char        *partial;
} Progress;

static void
server_data_free (ServerData *data)
{
  g_clear_object (&data->document);
  g_clear_object (&data->store);
  g_free (data->user);
  rel_http_settings_free (data->settings);
  g_clear_object (&data->window);
  g_free (data);
}

static void
progress_free (Progress *progress)
{
  g_clear_object (&progress->window);
  g_clear_object (&progress->document);
  g_free (progress->partial);
  g_free (progress);
}

/* The summary as the server writes it: its items, not yet checked against
 * the report, in place of the embedded ones. */
static void
preview_summary (RelWindow *self,
                 GPtrArray *summary)
{
  GtkWidget *note = gtk_label_new (_("Being written by the server; checked against the report "
                                     "once complete."));
  GtkWidget *note_row = gtk_list_box_row_new ();

  clear_list (self->summary_list);
  gtk_label_set_wrap (GTK_LABEL (note), TRUE);
  gtk_label_set_xalign (GTK_LABEL (note), 0.0);
  gtk_widget_add_css_class (note, "dim-label");
  gtk_widget_add_css_class (note, "caption");
  gtk_widget_set_margin_start (note, 6);
  gtk_widget_set_margin_top (note, 6);
  gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (note_row), note);
  gtk_list_box_row_set_selectable (GTK_LIST_BOX_ROW (note_row), FALSE);
  gtk_list_box_append (self->summary_list, note_row);

  for (guint i = 0; i < summary->len; i++)
    {
      const RelSummarySection *section = g_ptr_array_index (summary, i);
      GtkWidget *header = gtk_label_new (section_title (section->section));

      gtk_label_set_xalign (GTK_LABEL (header), 0.0);
      gtk_widget_add_css_class (header, "heading");
      gtk_widget_set_margin_top (header, 12);
      gtk_widget_set_margin_start (header, 6);
      gtk_list_box_append (self->summary_list, header);
      gtk_list_box_row_set_selectable (gtk_list_box_get_row_at_index (self->summary_list,
        (int) n_list_rows (self->summary_list) - 1), FALSE);
      for (guint j = 0; j < section->items->len; j++)
        {
          const RelSummaryItem *item = g_ptr_array_index (section->items, j);
          GtkWidget *label = gtk_label_new (item->text);

          gtk_label_set_xalign (GTK_LABEL (label), 0.0);
          gtk_label_set_wrap (GTK_LABEL (label), TRUE);
          gtk_widget_set_margin_start (label, 18);
          gtk_widget_set_margin_top (label, 3);
          gtk_widget_set_margin_bottom (label, 3);
          gtk_list_box_append (self->summary_list, label);
        }
    }
}

static gboolean
show_progress (gpointer user_data)
{
  Progress *progress = user_data;
  RelWindow *self = progress->window;

  g_atomic_int_set (&self->progress_pending, FALSE);
  if (self->document == progress->document && self->analysis != NULL &&
      g_strcmp0 (rel_analysis_get_engine_name (self->analysis), "http") != 0)
    {
      gsize length = strlen (progress->partial);
      g_autoptr(GPtrArray) summary = rel_http_partial_summary (progress->partial);
      g_autofree char *message = g_strdup_printf (
        g_dngettext (GETTEXT_PACKAGE, "The server is answering… (%u character)",
                     "The server is answering… (%u characters)", (gulong) length),
        (guint) length);
      guint n_items = 0;

      for (guint i = 0; i < summary->len; i++)
        n_items += ((RelSummarySection *) g_ptr_array_index (summary, i))->items->len;
      if (n_items > 0 && n_items != self->preview_items)
        {
          self->preview_items = n_items;
          preview_summary (self, summary);
        }
      set_analysis_status (self, message, TRUE);
    }
  return G_SOURCE_REMOVE;
}

/* In the worker thread: hands what came to the main thread, at most one
 * update waiting at a time (a fast server does not flood the main loop). */
static void
on_server_progress (const char *partial,
                    gpointer    user_data)
{
  ServerData *data = user_data;
  Progress *progress;

  if (!g_atomic_int_compare_and_exchange (&data->window->progress_pending, FALSE, TRUE))
    return;
  progress = g_new0 (Progress, 1);
  progress->window = g_object_ref (data->window);
  progress->document = g_object_ref (data->document);
  progress->partial = g_strdup (partial);
  g_main_context_invoke_full (NULL, G_PRIORITY_DEFAULT, show_progress, progress,
                              (GDestroyNotify) progress_free);
}

static void
server_in_thread (GTask        *task,
                  gpointer      source_object,
                  gpointer      task_data,
                  GCancellable *cancellable)
{
  ServerData *data = task_data;
  g_autoptr(RelEngine) embedded = NULL;
  g_autoptr(RelEngine) http = NULL;
  GError *error = NULL;
  AnalysisResult *result;
  RelAnalysis *analysis;

  embedded = ensure_engine (&error);
  if (embedded != NULL)
    http = rel_http_engine_new (embedded, data->settings, &error);
  if (http == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  rel_http_engine_set_progress (REL_HTTP_ENGINE (http), on_server_progress, data, NULL);
  analysis = rel_engine_analyze (http, data->document, cancellable, &error);
  if (analysis == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  result = g_new0 (AnalysisResult, 1);
  result->analysis = analysis;
  if (data->store != NULL)
    result->document_id = rel_store_record_analysis (data->store, analysis, data->user, NULL,
                                                     &result->store_error);
  g_task_return_pointer (task, result, (GDestroyNotify) analysis_result_free);
}

static void show_analysis (RelWindow   *self,
                           RelAnalysis *analysis);

static void
server_done (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(RelWindow) self = user_data;
  g_autoptr(GError) error = NULL;
  AnalysisResult *outcome = g_task_propagate_pointer (G_TASK (result), &error);
  ServerData *data = g_task_get_task_data (G_TASK (result));

  if (data->document != self->document)
    {
      g_clear_pointer (&outcome, analysis_result_free);
      return;
    }
  set_busy (self, FALSE);
  if (outcome == NULL)
    {
      g_autofree char *message = NULL;

      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        message = g_strdup (_("The server's analysis was stopped; the embedded analysis is "
                              "shown."));
      else
        message = g_strdup_printf (_("The server could not analyse this report: %s The "
                                     "embedded analysis is shown."), error->message);
      /* The server's unfinished summary goes; the embedded one comes back. */
      if (self->preview_items > 0 && self->analysis != NULL)
        fill_summary (self);
      self->preview_items = 0;
      set_analysis_status (self, message, FALSE);
      return;
    }
  if (outcome->document_id > 0)
    self->document_id = outcome->document_id;
  if (outcome->store_error != NULL)
    show_store_error (self, outcome->store_error);
  show_analysis (self, outcome->analysis);
  {
    guint dropped = rel_analysis_get_n_unsourced (outcome->analysis) +
                    rel_analysis_get_n_dropped_codes (outcome->analysis);
    g_autofree char *message = dropped == 0
      ? g_strdup (_("Analysed by the inference server."))
      : g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                      "Analysed by the inference server; %u item it gave "
                                      "without a quote of the report, or with a code not "
                                      "offered, was left out.",
                                      "Analysed by the inference server; %u items it gave "
                                      "without a quote of the report, or with a code not "
                                      "offered, were left out.", dropped), dropped);

    set_analysis_status (self, message, FALSE);
  }
  analysis_result_free (outcome);
}

static void
start_server_analysis (RelWindow *self)
{
  g_autoptr(GTask) task = NULL;
  ServerData *data = g_new0 (ServerData, 1);

  data->document = g_object_ref (self->document);
  data->store = self->store != NULL ? g_object_ref (self->store) : NULL;
  data->user = g_strdup (user_name (self));
  data->settings = rel_http_settings_new_from_gsettings (self->settings);
  data->window = g_object_ref (self);
  self->preview_items = 0;
  set_analysis_status (self, _("Waiting for the inference server…"), TRUE);
  set_busy (self, TRUE);
  task = g_task_new (NULL, self->cancellable, server_done, g_object_ref (self));
  g_task_set_task_data (task, data, (GDestroyNotify) server_data_free);
  g_task_run_in_thread (task, server_in_thread);
}

static void
analysis_done (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(RelWindow) self = user_data;
  g_autoptr(GError) error = NULL;
  AnalysisResult *outcome = g_task_propagate_pointer (G_TASK (result), &error);
  AnalysisData *data = g_task_get_task_data (G_TASK (result));

  /* A newer report replaced the one analysed: it owns the window now. */
  if (data->document != self->document)
    {
      g_clear_pointer (&outcome, analysis_result_free);
      return;
    }
  set_busy (self, FALSE);

  if (outcome == NULL)
    {
      set_analysis_status (self,
                           g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED)
                           ? _("Analysis stopped. Press F5 to analyse again.")
                           : error->message,
                           FALSE);
      return;
    }

  self->document_id = outcome->document_id;
  if (outcome->store_error != NULL)
    show_store_error (self, outcome->store_error);
  show_analysis (self, outcome->analysis);
  analysis_result_free (outcome);

  /* The embedded result first, on screen; then the server's, if asked for. */
  {
    g_autofree char *engine = g_settings_get_string (self->settings, "engine");

    if (g_str_equal (engine, "server"))
      start_server_analysis (self);
  }
}

static void
start_analysis (RelWindow *self)
{
  g_autoptr(GTask) task = NULL;
  AnalysisData *data = g_new0 (AnalysisData, 1);

  /* A new request gets a new cancellable; the rows point into the analysis. */
  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();

  clear_list (self->codes_list);
  clear_list (self->kept_list);
  clear_list (self->summary_list);
  g_clear_object (&self->analysis);
  g_clear_pointer (&self->decisions, g_ptr_array_unref);
  self->document_id = 0;
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.validate", FALSE);
  set_analysis_status (self, _("Analysis in progress…"), TRUE);
  set_busy (self, TRUE);

  data->document = g_object_ref (self->document);
  data->store = self->store != NULL ? g_object_ref (self->store) : NULL;
  data->user = g_strdup (user_name (self));
  task = g_task_new (NULL, self->cancellable, analysis_done, g_object_ref (self));
  g_task_set_task_data (task, data, (GDestroyNotify) analysis_data_free);
  g_task_run_in_thread (task, analyze_in_thread);
}

static void
analyze_action (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  RelWindow *self = REL_WINDOW (widget);

  if (self->document != NULL && g_str_equal (rel_window_get_state (self), "report"))
    start_analysis (self);
}

static void
cancel_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  RelWindow *self = REL_WINDOW (widget);

  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
}

static void
show_document (RelWindow   *self,
               RelDocument *document)
{
  g_autofree char *basename = g_path_get_basename (rel_document_get_path (document));

  g_clear_object (&self->analysis);
  g_set_object (&self->document, document);
  show_text (self);

  gtk_window_set_title (GTK_WINDOW (self), basename);
  gtk_stack_set_visible_child_name (self->stack, "report");
  gtk_widget_grab_focus (GTK_WIDGET (self->text_view));
  start_analysis (self);
}

static void
document_loaded (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(RelWindow) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(RelDocument) document = NULL;

  document = rel_document_load_finish (result, &error);

  /* A newer request replaced this one: it owns the window now. */
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  set_busy (self, FALSE);

  if (document == NULL)
    {
      show_error (self, _("This Report Cannot Be Opened"), error);
      return;
    }

  show_document (self, document);
}

void
rel_window_open_file (RelWindow *self,
                      GFile     *file)
{
  g_autofree char *uri = NULL;

  g_return_if_fail (REL_IS_WINDOW (self));
  g_return_if_fail (G_IS_FILE (file));

  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  g_set_object (&self->file, file);
  g_clear_object (&self->document);
  g_clear_object (&self->analysis);

  set_busy (self, TRUE);
  gtk_stack_set_visible_child_name (self->stack, "loading");

  uri = g_file_get_uri (file);
  gtk_recent_manager_add_item (gtk_recent_manager_get_default (), uri);

  /* Its row of the worklist shows the report open. */
  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (self->worklist));
       child != NULL; child = gtk_widget_get_next_sibling (child))
    if (GTK_IS_LIST_BOX_ROW (child) &&
        g_file_equal (g_object_get_data (G_OBJECT (child), "file"), file))
      gtk_list_box_select_row (self->worklist, GTK_LIST_BOX_ROW (child));

  rel_document_load_async (file,
                           (gsize) g_settings_get_int (self->settings, "max-document-size") *
                           1024 * 1024,
                           self->cancellable, document_loaded, g_object_ref (self));
}

/* The worklist */

/* Where a report stands: validated, in progress, analysed or new. */
static char *
worklist_status (RelWindow *self,
                 GFile     *file,
                 gboolean  *validated)
{
  g_autoptr(RelStoreDocument) document = NULL;
  g_autofree char *path = g_file_get_path (file);

  *validated = FALSE;
  if (self->store != NULL && path != NULL)
    document = rel_store_find_document (self->store, path, NULL);
  if (document == NULL)
    return g_strdup (_("New"));
  if (g_str_equal (document->status, "validated"))
    {
      *validated = TRUE;
      return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Validated · %u code",
                                           "Validated · %u codes", document->n_kept),
                              document->n_kept);
    }
  if (g_str_equal (document->status, "in_progress"))
    return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "In progress · %u code",
                                         "In progress · %u codes", document->n_kept),
                            document->n_kept);
  if (document->n_analyses > 0)
    return g_strdup (_("Analysed"));
  return g_strdup (_("New"));
}

static void
update_worklist_counts (RelWindow *self)
{
  guint n = 0;
  guint n_validated = 0;
  g_autofree char *text = NULL;

  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (self->worklist));
       child != NULL; child = gtk_widget_get_next_sibling (child))
    if (GTK_IS_LIST_BOX_ROW (child))
      {
        n++;
        if (GPOINTER_TO_INT (g_object_get_data (G_OBJECT (child), "validated")))
          n_validated++;
      }
  if (n > 0)
    text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u report, %u validated",
                                         "%u reports, %u validated", n), n, n_validated);
  gtk_label_set_text (self->worklist_counts, text != NULL ? text : "");
}

static void
set_row_status (RelWindow     *self,
                GtkListBoxRow *row)
{
  GtkLabel *status = g_object_get_data (G_OBJECT (row), "status");
  gboolean validated = FALSE;
  g_autofree char *text = worklist_status (self, g_object_get_data (G_OBJECT (row), "file"),
                                           &validated);

  gtk_label_set_text (status, text);
  g_object_set_data (G_OBJECT (row), "validated", GINT_TO_POINTER (validated));
  if (validated)
    gtk_widget_add_css_class (GTK_WIDGET (row), "report-validated");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (row), "report-validated");
}

static void
refresh_worklist_row (RelWindow *self,
                      GFile     *file)
{
  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (self->worklist));
       child != NULL; child = gtk_widget_get_next_sibling (child))
    if (GTK_IS_LIST_BOX_ROW (child) &&
        g_file_equal (g_object_get_data (G_OBJECT (child), "file"), file))
      set_row_status (self, GTK_LIST_BOX_ROW (child));
  update_worklist_counts (self);
}

static GtkWidget *
worklist_row (RelWindow *self,
              GFile     *file)
{
  GtkWidget *row = gtk_list_box_row_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);
  g_autofree char *name = g_file_get_basename (file);
  GtkWidget *title = gtk_label_new (name);
  GtkWidget *status = gtk_label_new (NULL);

  gtk_label_set_xalign (GTK_LABEL (title), 0.0);
  gtk_label_set_ellipsize (GTK_LABEL (title), PANGO_ELLIPSIZE_MIDDLE);
  gtk_label_set_xalign (GTK_LABEL (status), 0.0);
  gtk_widget_add_css_class (status, "caption");
  gtk_widget_add_css_class (status, "dim-label");
  gtk_box_append (GTK_BOX (box), title);
  gtk_box_append (GTK_BOX (box), status);
  gtk_widget_set_margin_top (box, 3);
  gtk_widget_set_margin_bottom (box, 3);
  gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (row), box);
  g_object_set_data_full (G_OBJECT (row), "file", g_object_ref (file), g_object_unref);
  g_object_set_data (G_OBJECT (row), "status", status);
  set_row_status (self, GTK_LIST_BOX_ROW (row));
  return row;
}

static void
set_worklist (RelWindow *self,
              GPtrArray *files)
{
  clear_list (self->worklist);
  g_clear_pointer (&self->files, g_ptr_array_unref);
  self->files = g_ptr_array_ref (files);
  for (guint i = 0; i < files->len; i++)
    gtk_list_box_append (self->worklist, worklist_row (self, g_ptr_array_index (files, i)));
  update_worklist_counts (self);
  if (files->len > 0)
    g_object_set (self, "show-sidebar", TRUE, NULL);
}

static void
on_worklist_activated (GtkListBox    *list,
                       GtkListBoxRow *row,
                       RelWindow     *self)
{
  GFile *file = g_object_get_data (G_OBJECT (row), "file");

  if (self->file == NULL || !g_file_equal (file, self->file))
    rel_window_open_file (self, file);
}

static gboolean
is_report (const char *name)
{
  g_autofree char *lower = g_ascii_strdown (name, -1);

  return g_str_has_suffix (lower, ".txt") || g_str_has_suffix (lower, ".pdf");
}

static int
compare_files (gconstpointer a,
               gconstpointer b)
{
  g_autofree char *name_a = g_file_get_basename (*(GFile **) a);
  g_autofree char *name_b = g_file_get_basename (*(GFile **) b);

  return g_utf8_collate (name_a, name_b);
}

/* Folders stand for the reports they hold (one level): read off the main
 * thread, a network share may be slow. */
static void
list_reports_in_thread (GTask        *task,
                        gpointer      source_object,
                        gpointer      task_data,
                        GCancellable *cancellable)
{
  GPtrArray *inputs = task_data;
  g_autoptr(GPtrArray) files = g_ptr_array_new_with_free_func (g_object_unref);

  for (guint i = 0; i < inputs->len; i++)
    {
      GFile *input = g_ptr_array_index (inputs, i);
      g_autoptr(GFileEnumerator) children = NULL;
      g_autoptr(GPtrArray) found = NULL;
      GFileInfo *info;

      if (g_file_query_file_type (input, G_FILE_QUERY_INFO_NONE, cancellable)
          != G_FILE_TYPE_DIRECTORY)
        {
          g_ptr_array_add (files, g_object_ref (input));
          continue;
        }
      children = g_file_enumerate_children (input, G_FILE_ATTRIBUTE_STANDARD_NAME ","
                                            G_FILE_ATTRIBUTE_STANDARD_TYPE,
                                            G_FILE_QUERY_INFO_NONE, cancellable, NULL);
      if (children == NULL)
        continue;
      found = g_ptr_array_new_with_free_func (g_object_unref);
      while ((info = g_file_enumerator_next_file (children, cancellable, NULL)) != NULL)
        {
          g_autoptr(GFileInfo) owned = info;

          if (g_file_info_get_file_type (info) == G_FILE_TYPE_REGULAR &&
              is_report (g_file_info_get_name (info)))
            g_ptr_array_add (found, g_file_get_child (input, g_file_info_get_name (info)));
        }
      g_ptr_array_sort (found, compare_files);
      for (guint j = 0; j < found->len; j++)
        g_ptr_array_add (files, g_object_ref (g_ptr_array_index (found, j)));
    }
  g_task_return_pointer (task, g_steal_pointer (&files), (GDestroyNotify) g_ptr_array_unref);
}

static void
reports_listed (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(RelWindow) self = user_data;
  g_autoptr(GPtrArray) files = g_task_propagate_pointer (G_TASK (result), NULL);

  if (files == NULL)
    return;
  set_worklist (self, files);
  if (files->len > 0)
    rel_window_open_file (self, g_ptr_array_index (files, 0));
  else
    {
      g_autoptr(GError) error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                                                     _("The folder holds no report (text or "
                                                       "PDF file)."));

      show_error (self, _("No Report Found"), error);
    }
}

void
rel_window_open_files (RelWindow  *self,
                       GFile     **files,
                       guint       n_files)
{
  g_autoptr(GTask) task = NULL;
  GPtrArray *inputs;

  g_return_if_fail (REL_IS_WINDOW (self));

  inputs = g_ptr_array_new_with_free_func (g_object_unref);
  for (guint i = 0; i < n_files; i++)
    g_ptr_array_add (inputs, g_object_ref (files[i]));
  task = g_task_new (NULL, NULL, reports_listed, g_object_ref (self));
  g_task_set_task_data (task, inputs, (GDestroyNotify) g_ptr_array_unref);
  g_task_run_in_thread (task, list_reports_in_thread);
}

/* The next report of the worklist that is not validated, after the current. */
static GFile *
next_in_worklist (RelWindow *self)
{
  guint current = 0;

  if (self->files == NULL || self->files->len == 0)
    return NULL;
  for (guint i = 0; self->file != NULL && i < self->files->len; i++)
    if (g_file_equal (g_ptr_array_index (self->files, i), self->file))
      current = i;
  for (guint step = 1; step <= self->files->len; step++)
    {
      GFile *file = g_ptr_array_index (self->files, (current + step) % self->files->len);
      gboolean validated = FALSE;
      g_autofree char *status = worklist_status (self, file, &validated);

      if (!validated)
        return file;
    }
  return NULL;
}

static void
validate_action (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *parameter)
{
  RelWindow *self = REL_WINDOW (widget);
  g_autoptr(GError) error = NULL;
  GFile *next;

  if (self->store == NULL || self->document_id == 0)
    {
      gtk_widget_error_bell (widget);
      return;
    }
  if (!rel_store_set_status (self->store, self->document_id, "validated", user_name (self),
                             &error))
    {
      show_store_error (self, error);
      return;
    }
  if (self->file != NULL)
    refresh_worklist_row (self, self->file);

  next = next_in_worklist (self);
  if (next != NULL)
    {
      rel_window_open_file (self, next);
      return;
    }

  /* Without a worklist, the next report of the store still to decide. */
  {
    g_autoptr(RelStoreDocument) document = rel_store_next_undecided (self->store,
                                                                     self->document_id, NULL);

    if (document != NULL && document->path != NULL &&
        g_file_test (document->path, G_FILE_TEST_IS_REGULAR))
      {
        g_autoptr(GFile) file = g_file_new_for_path (document->path);

        rel_window_open_file (self, file);
        return;
      }
  }
  show_store_message (self, GTK_MESSAGE_INFO,
                      _("The report is validated. No other report is waiting."));
}

/* Recent reports, on the empty page */

static void
on_recent_clicked (GtkButton *button,
                   RelWindow *self)
{
  g_autoptr(GFile) file = g_file_new_for_uri (g_object_get_data (G_OBJECT (button), "uri"));

  rel_window_open_file (self, file);
}

static int
compare_recent (gconstpointer a,
                gconstpointer b)
{
  /* Most recently used first. */
  return g_date_time_compare (gtk_recent_info_get_modified ((GtkRecentInfo *) b),
                              gtk_recent_info_get_modified ((GtkRecentInfo *) a));
}

static void
fill_recent (RelWindow *self)
{
  GList *items = gtk_recent_manager_get_items (gtk_recent_manager_get_default ());
  GtkWidget *child;
  guint n = 0;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->recent_box))) != NULL)
    gtk_box_remove (self->recent_box, child);

  items = g_list_sort (items, compare_recent);
  for (GList *l = items; l != NULL && n < MAX_RECENT; l = l->next)
    {
      GtkRecentInfo *info = l->data;
      const char *uri = gtk_recent_info_get_uri (info);
      GtkWidget *button;

      if ((g_get_application_name () != NULL &&
           !gtk_recent_info_has_application (info, g_get_application_name ())) ||
          !gtk_recent_info_exists (info) || !is_report (uri))
        continue;
      if (n == 0)
        {
          GtkWidget *heading = gtk_label_new (_("Recent Reports"));

          gtk_widget_add_css_class (heading, "heading");
          gtk_box_append (self->recent_box, heading);
        }
      button = gtk_button_new_with_label (gtk_recent_info_get_display_name (info));
      gtk_widget_add_css_class (button, "flat");
      g_object_set_data_full (G_OBJECT (button), "uri", g_strdup (uri), g_free);
      g_signal_connect (button, "clicked", G_CALLBACK (on_recent_clicked), self);
      gtk_box_append (self->recent_box, button);
      n++;
    }
  g_list_free_full (items, (GDestroyNotify) gtk_recent_info_unref);
}

/* Actions */

RelDocument *
rel_window_get_document (RelWindow *self)
{
  g_return_val_if_fail (REL_IS_WINDOW (self), NULL);
  return self->document;
}

RelAnalysis *
rel_window_get_analysis (RelWindow *self)
{
  g_return_val_if_fail (REL_IS_WINDOW (self), NULL);
  return self->analysis;
}

const char *
rel_window_get_state (RelWindow *self)
{
  g_return_val_if_fail (REL_IS_WINDOW (self), NULL);
  return gtk_stack_get_visible_child_name (self->stack);
}

RelStore *
rel_window_get_store (RelWindow *self)
{
  g_return_val_if_fail (REL_IS_WINDOW (self), NULL);
  return self->store;
}

gint64
rel_window_get_document_id (RelWindow *self)
{
  g_return_val_if_fail (REL_IS_WINDOW (self), 0);
  return self->document_id;
}

GCancellable *
rel_window_get_cancellable (RelWindow *self)
{
  g_return_val_if_fail (REL_IS_WINDOW (self), NULL);
  return self->cancellable;
}

GPtrArray *
rel_window_get_worklist (RelWindow *self)
{
  g_return_val_if_fail (REL_IS_WINDOW (self), NULL);
  return self->files;
}

GtkWidget *
rel_window_get_code_search (RelWindow *self)
{
  g_return_val_if_fail (REL_IS_WINDOW (self), NULL);
  return GTK_WIDGET (self->code_search);
}

static void
chooser_response (GtkNativeDialog *dialog,
                  int              response,
                  gpointer         user_data)
{
  RelWindow *self = user_data;

  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GListModel) files = gtk_file_chooser_get_files (GTK_FILE_CHOOSER (dialog));
      guint n = g_list_model_get_n_items (files);

      if (n == 1 && gtk_file_chooser_get_action (GTK_FILE_CHOOSER (dialog))
                    == GTK_FILE_CHOOSER_ACTION_OPEN)
        {
          g_autoptr(GFile) file = g_list_model_get_item (files, 0);

          rel_window_open_file (self, file);
        }
      else if (n > 0)
        {
          g_autoptr(GPtrArray) list = g_ptr_array_new_with_free_func (g_object_unref);

          for (guint i = 0; i < n; i++)
            g_ptr_array_add (list, g_list_model_get_item (files, i));
          rel_window_open_files (self, (GFile **) list->pdata, list->len);
        }
    }
  g_clear_object (&self->chooser);
}

static void
add_report_filters (GtkFileChooser *chooser)
{
  g_autoptr(GtkFileFilter) reports = gtk_file_filter_new ();
  g_autoptr(GtkFileFilter) all = gtk_file_filter_new ();

  gtk_file_filter_set_name (reports, _("Reports (text, PDF)"));
  gtk_file_filter_add_mime_type (reports, "text/plain");
  gtk_file_filter_add_mime_type (reports, "application/pdf");
  gtk_file_filter_add_suffix (reports, "txt");
  gtk_file_filter_add_suffix (reports, "pdf");
  gtk_file_chooser_add_filter (chooser, reports);
  gtk_file_filter_set_name (all, _("All files"));
  gtk_file_filter_add_pattern (all, "*");
  gtk_file_chooser_add_filter (chooser, all);
}

static void
open_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  RelWindow *self = REL_WINDOW (widget);

  if (self->chooser != NULL)
    return;

  self->chooser = gtk_file_chooser_native_new (_("Open Reports"), GTK_WINDOW (self),
                                               GTK_FILE_CHOOSER_ACTION_OPEN,
                                               _("_Open"), _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (self->chooser), TRUE);
  gtk_file_chooser_set_select_multiple (GTK_FILE_CHOOSER (self->chooser), TRUE);
  add_report_filters (GTK_FILE_CHOOSER (self->chooser));
  g_signal_connect (self->chooser, "response", G_CALLBACK (chooser_response), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (self->chooser));
}

static void
open_folder_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  RelWindow *self = REL_WINDOW (widget);

  if (self->chooser != NULL)
    return;

  self->chooser = gtk_file_chooser_native_new (_("Open a Folder of Reports"), GTK_WINDOW (self),
                                               GTK_FILE_CHOOSER_ACTION_SELECT_FOLDER,
                                               _("_Open"), _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (self->chooser), TRUE);
  g_signal_connect (self->chooser, "response", G_CALLBACK (chooser_response), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (self->chooser));
}

/* Export */

typedef struct
{
  RelStore        *store;
  GFile           *file;
  RelExportFormat  format;
} ExportData;

static void
export_data_free (ExportData *data)
{
  g_clear_object (&data->store);
  g_clear_object (&data->file);
  g_free (data);
}

static void
export_in_thread (GTask        *task,
                  gpointer      source_object,
                  gpointer      task_data,
                  GCancellable *cancellable)
{
  ExportData *data = task_data;
  GError *error = NULL;
  g_autoptr(GFileOutputStream) out = g_file_replace (data->file, NULL, FALSE,
                                                     G_FILE_CREATE_PRIVATE, cancellable, &error);
  /* CSV and FHIR: the validated reports, as the PMSI needs them. */
  const char *status = data->format == REL_EXPORT_JSONL ? NULL : "validated";

  if (out == NULL ||
      !rel_store_export (data->store, data->format, NULL, status, G_OUTPUT_STREAM (out),
                         cancellable, &error) ||
      !g_output_stream_close (G_OUTPUT_STREAM (out), cancellable, &error))
    {
      if (out != NULL)
        {
          g_autoptr(GCancellable) abandon = g_cancellable_new ();

          /* A partial file never replaces a good one. */
          g_cancellable_cancel (abandon);
          g_output_stream_close (G_OUTPUT_STREAM (out), abandon, NULL);
        }
      g_task_return_error (task, error);
      return;
    }
  g_task_return_boolean (task, TRUE);
}

static void
export_done (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(RelWindow) self = user_data;
  g_autoptr(GError) error = NULL;
  ExportData *data = g_task_get_task_data (G_TASK (result));
  g_autofree char *name = g_file_get_basename (data->file);
  g_autofree char *message = NULL;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      message = g_strdup_printf (_("The export failed: %s"), error->message);
      show_store_message (self, GTK_MESSAGE_ERROR, message);
      return;
    }
  message = g_strdup_printf (_("Decisions exported to %s."), name);
  show_store_message (self, GTK_MESSAGE_INFO, message);
}

static void
export_response (GtkNativeDialog *dialog,
                 int              response,
                 gpointer         user_data)
{
  RelWindow *self = user_data;

  if (response == GTK_RESPONSE_ACCEPT && self->store != NULL)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));
      g_autofree char *name = g_file_get_basename (file);
      g_autoptr(GTask) task = NULL;
      ExportData *data = g_new0 (ExportData, 1);

      data->store = g_object_ref (self->store);
      data->file = g_object_ref (file);
      data->format = g_str_has_suffix (name, ".jsonl") ? REL_EXPORT_JSONL
                     : g_str_has_suffix (name, ".json") ? REL_EXPORT_FHIR : REL_EXPORT_CSV;
      task = g_task_new (NULL, NULL, export_done, g_object_ref (self));
      g_task_set_task_data (task, data, (GDestroyNotify) export_data_free);
      g_task_run_in_thread (task, export_in_thread);
    }
  g_clear_object (&self->chooser);
}

static void
export_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  RelWindow *self = REL_WINDOW (widget);
  static const struct { const char *name; const char *pattern; } formats[] = {
    { N_("CSV for the PMSI (validated reports)"), "*.csv" },
    { N_("FHIR R4 Bundle (validated reports)"), "*.json" },
    { N_("JSONL training set (pseudonymized)"), "*.jsonl" },
  };

  if (self->chooser != NULL)
    return;
  if (self->store == NULL)
    {
      gtk_widget_error_bell (widget);
      return;
    }

  self->chooser = gtk_file_chooser_native_new (_("Export the Decisions"), GTK_WINDOW (self),
                                               GTK_FILE_CHOOSER_ACTION_SAVE,
                                               _("_Export"), _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (self->chooser), TRUE);
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (self->chooser), "relecture.csv");
  for (guint i = 0; i < G_N_ELEMENTS (formats); i++)
    {
      g_autoptr(GtkFileFilter) filter = gtk_file_filter_new ();

      gtk_file_filter_set_name (filter, _(formats[i].name));
      gtk_file_filter_add_pattern (filter, formats[i].pattern);
      gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (self->chooser), filter);
    }
  g_signal_connect (self->chooser, "response", G_CALLBACK (export_response), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (self->chooser));
}

static void
find_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  RelWindow *self = REL_WINDOW (widget);

  if (!g_str_equal (rel_window_get_state (self), "report"))
    return;
  gtk_search_bar_set_search_mode (self->search_bar, TRUE);
  gtk_widget_grab_focus (GTK_WIDGET (self->search_entry));
}

static void
find_next_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  find (REL_WINDOW (widget), !g_str_equal (action_name, "win.find-previous"));
}

static gboolean
on_drop (GtkDropTarget *target,
         const GValue  *value,
         double         x,
         double         y,
         gpointer       user_data)
{
  RelWindow *self = user_data;
  g_autoptr(GPtrArray) files = g_ptr_array_new ();

  if (!G_VALUE_HOLDS (value, GDK_TYPE_FILE_LIST))
    return FALSE;

  for (GSList *l = g_value_get_boxed (value); l != NULL; l = l->next)
    g_ptr_array_add (files, l->data);
  if (files->len == 0)
    return FALSE;

  /* One file opens; several, or a folder, make a worklist. */
  if (files->len == 1 &&
      g_file_query_file_type (g_ptr_array_index (files, 0), G_FILE_QUERY_INFO_NONE, NULL)
      != G_FILE_TYPE_DIRECTORY)
    rel_window_open_file (self, g_ptr_array_index (files, 0));
  else
    rel_window_open_files (self, (GFile **) files->pdata, files->len);
  return TRUE;
}

static void
on_stack_child (GtkStack   *stack,
                GParamSpec *pspec,
                RelWindow  *self)
{
  if (g_strcmp0 (gtk_stack_get_visible_child_name (stack), "empty") == 0)
    fill_recent (self);
}

static void
rel_window_get_property (GObject    *object,
                         guint       prop_id,
                         GValue     *value,
                         GParamSpec *pspec)
{
  RelWindow *self = REL_WINDOW (object);

  switch (prop_id)
    {
    case PROP_HIDE_PHI:
      g_value_set_boolean (value, self->hide_phi);
      break;
    case PROP_SHOW_SIDEBAR:
      /* Asked by the toggle button while the template is still being built. */
      g_value_set_boolean (value, self->sidebar == NULL || gtk_widget_get_visible (self->sidebar));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
rel_window_set_property (GObject      *object,
                         guint         prop_id,
                         const GValue *value,
                         GParamSpec   *pspec)
{
  RelWindow *self = REL_WINDOW (object);

  switch (prop_id)
    {
    case PROP_HIDE_PHI:
      if (self->hide_phi != g_value_get_boolean (value))
        {
          GtkListBoxRow *row = gtk_list_box_get_selected_row (self->codes_list);

          self->hide_phi = g_value_get_boolean (value);
          show_text (self);
          if (row != NULL)
            on_code_selected (self->codes_list, row, self);
          g_object_notify_by_pspec (object, pspec);
        }
      break;
    case PROP_SHOW_SIDEBAR:
      if (gtk_widget_get_visible (self->sidebar) != g_value_get_boolean (value))
        {
          gtk_widget_set_visible (self->sidebar, g_value_get_boolean (value));
          g_object_notify_by_pspec (object, pspec);
        }
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
rel_window_dispose (GObject *object)
{
  RelWindow *self = REL_WINDOW (object);

  /* Lists emptied as the template goes must not call back into the window. */
  if (self->codes_list != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->codes_list, self);
      g_signal_handlers_disconnect_by_data (self->kept_list, self);
      g_signal_handlers_disconnect_by_data (self->summary_list, self);
      g_signal_handlers_disconnect_by_data (self->worklist, self);
      g_signal_handlers_disconnect_by_data (self->stack, self);
    }
  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_handle_id (&self->layers_source, g_source_remove);
  g_clear_object (&self->file);
  g_clear_object (&self->document);
  g_clear_object (&self->analysis);
  g_clear_object (&self->settings);
  g_clear_object (&self->store);
  g_clear_pointer (&self->decisions, g_ptr_array_unref);
  g_clear_pointer (&self->files, g_ptr_array_unref);
  if (self->chooser != NULL)
    gtk_native_dialog_destroy (GTK_NATIVE_DIALOG (self->chooser));
  g_clear_object (&self->chooser);

  G_OBJECT_CLASS (rel_window_parent_class)->dispose (object);
}

static void
rel_window_class_init (RelWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = rel_window_dispose;
  object_class->get_property = rel_window_get_property;
  object_class->set_property = rel_window_set_property;

  properties[PROP_HIDE_PHI] =
    g_param_spec_boolean ("hide-phi", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_SHOW_SIDEBAR] =
    g_param_spec_boolean ("show-sidebar", NULL, NULL, TRUE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  g_type_ensure (REL_TYPE_CODE_SEARCH);
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/relecture/Relecture/rel-window.ui");
  gtk_widget_class_bind_template_child (widget_class, RelWindow, store_bar);
  gtk_widget_class_bind_template_child (widget_class, RelWindow, store_label);
  gtk_widget_class_bind_template_child (widget_class, RelWindow, outer_paned);
  gtk_widget_class_bind_template_child (widget_class, RelWindow, sidebar);
  gtk_widget_class_bind_template_child (widget_class, RelWindow, worklist_counts);
  gtk_widget_class_bind_template_child (widget_class, RelWindow, worklist);
  gtk_widget_class_bind_template_child (widget_class, RelWindow, stack);
  gtk_widget_class_bind_template_child (widget_class, RelWindow, recent_box);
  gtk_widget_class_bind_template_child (widget_class, RelWindow, spinner);
  gtk_widget_class_bind_template_child (widget_class, RelWindow, text_view);
  gtk_widget_class_bind_template_child (widget_class, RelWindow, error_title);
  gtk_widget_class_bind_template_child (widget_class, RelWindow, error_label);
  gtk_widget_class_bind_template_child (widget_class, RelWindow, search_bar);
  gtk_widget_class_bind_template_child (widget_class, RelWindow, search_entry);
  gtk_widget_class_bind_template_child (widget_class, RelWindow, search_count);
  gtk_widget_class_bind_template_child (widget_class, RelWindow, analysis_status);
  gtk_widget_class_bind_template_child (widget_class, RelWindow, analysis_spinner);
  gtk_widget_class_bind_template_child (widget_class, RelWindow, analysis_label);
  gtk_widget_class_bind_template_child (widget_class, RelWindow, cancel_button);
  gtk_widget_class_bind_template_child (widget_class, RelWindow, panel_stack);
  gtk_widget_class_bind_template_child (widget_class, RelWindow, kept_list);
  gtk_widget_class_bind_template_child (widget_class, RelWindow, codes_list);
  gtk_widget_class_bind_template_child (widget_class, RelWindow, kept_title);
  gtk_widget_class_bind_template_child (widget_class, RelWindow, add_code_button);
  gtk_widget_class_bind_template_child (widget_class, RelWindow, summary_list);
  gtk_widget_class_bind_template_child (widget_class, RelWindow, rating_box);
  gtk_widget_class_bind_template_child (widget_class, RelWindow, rating_comment);

  gtk_widget_class_install_action (widget_class, "win.open", NULL, open_action);
  gtk_widget_class_install_action (widget_class, "win.open-folder", NULL, open_folder_action);
  gtk_widget_class_install_action (widget_class, "win.export", NULL, export_action);
  gtk_widget_class_install_action (widget_class, "win.analyze", NULL, analyze_action);
  gtk_widget_class_install_action (widget_class, "win.cancel", NULL, cancel_action);
  gtk_widget_class_install_action (widget_class, "win.accept", "s", accept_action);
  gtk_widget_class_install_action (widget_class, "win.reject", "s", reject_action);
  gtk_widget_class_install_action (widget_class, "win.set-dp", "s", set_dp_action);
  gtk_widget_class_install_action (widget_class, "win.undo", NULL, undo_action);
  gtk_widget_class_install_action (widget_class, "win.add-code", NULL, add_code_action);
  gtk_widget_class_install_action (widget_class, "win.validate", NULL, validate_action);
  gtk_widget_class_install_action (widget_class, "win.rate-summary", NULL, rate_summary_action);
  gtk_widget_class_install_action (widget_class, "win.find", NULL, find_action);
  gtk_widget_class_install_action (widget_class, "win.find-next", NULL, find_next_action);
  gtk_widget_class_install_action (widget_class, "win.find-previous", NULL, find_next_action);
  gtk_widget_class_install_property_action (widget_class, "win.hide-phi", "hide-phi");
  gtk_widget_class_install_property_action (widget_class, "win.show-sidebar", "show-sidebar");

  /* Window shortcuts run after the focused widget: text fields keep theirs. */
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_o, GDK_CONTROL_MASK,
                                       "win.open", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_o,
                                       GDK_CONTROL_MASK | GDK_SHIFT_MASK, "win.open-folder", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_e, GDK_CONTROL_MASK,
                                       "win.export", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_F5, 0, "win.analyze", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "win.cancel", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_d, GDK_CONTROL_MASK,
                                       "win.set-dp", "s", "");
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_z, GDK_CONTROL_MASK,
                                       "win.undo", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_k, GDK_CONTROL_MASK,
                                       "win.add-code", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Return, GDK_CONTROL_MASK,
                                       "win.validate", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_KP_Enter, GDK_CONTROL_MASK,
                                       "win.validate", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_f, GDK_CONTROL_MASK,
                                       "win.find", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_h, GDK_CONTROL_MASK,
                                       "win.hide-phi", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_F9, 0, "win.show-sidebar", NULL);
}

/* Delete rejects the selected code, only where codes are listed. */
static void
add_list_shortcuts (RelWindow  *self,
                    GtkListBox *list)
{
  GtkEventController *controller = gtk_shortcut_controller_new ();
  GtkShortcut *shortcut = gtk_shortcut_new (gtk_keyval_trigger_new (GDK_KEY_Delete, 0),
                                            gtk_named_action_new ("win.reject"));

  gtk_shortcut_set_arguments (shortcut, g_variant_new_string (""));
  gtk_shortcut_controller_add_shortcut (GTK_SHORTCUT_CONTROLLER (controller), shortcut);
  gtk_widget_add_controller (GTK_WIDGET (list), controller);
}

static void
rel_window_init (RelWindow *self)
{
  GtkDropTarget *drop;
  GtkEventController *key;
  const GError *store_error = NULL;

  gtk_widget_init_template (GTK_WIDGET (self));

  create_tags (gtk_text_view_get_buffer (self->text_view));
  g_signal_connect (self->codes_list, "row-selected", G_CALLBACK (on_code_selected), self);
  g_signal_connect (self->kept_list, "row-selected", G_CALLBACK (on_code_selected), self);
  g_signal_connect (self->codes_list, "row-activated", G_CALLBACK (on_code_activated), self);
  g_signal_connect (self->summary_list, "row-selected", G_CALLBACK (on_summary_selected), self);
  g_signal_connect (self->worklist, "row-activated", G_CALLBACK (on_worklist_activated), self);
  g_signal_connect (self->stack, "notify::visible-child", G_CALLBACK (on_stack_child), self);
  add_list_shortcuts (self, self->codes_list);
  add_list_shortcuts (self, self->kept_list);

  gtk_search_bar_connect_entry (self->search_bar, GTK_EDITABLE (self->search_entry));
  g_signal_connect (self->search_entry, "search-changed", G_CALLBACK (on_search_changed), self);
  g_signal_connect (self->search_entry, "activate", G_CALLBACK (on_search_activate), self);
  g_signal_connect (self->search_entry, "previous-match", G_CALLBACK (on_search_previous), self);
  g_signal_connect (self->search_entry, "next-match", G_CALLBACK (on_search_activate), self);
  key = gtk_event_controller_key_new ();
  g_signal_connect (key, "key-pressed", G_CALLBACK (on_search_key), self);
  gtk_widget_add_controller (GTK_WIDGET (self->search_entry), key);

  self->code_search = rel_code_search_new ();
  gtk_menu_button_set_popover (self->add_code_button, GTK_WIDGET (self->code_search));
  g_signal_connect (self->code_search, "code-chosen", G_CALLBACK (on_code_chosen), self);

  for (int i = 0; i < 5; i++)
    {
      g_autofree char *tooltip = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%d star",
                                                               "%d stars", i + 1), i + 1);

      self->stars[i] = GTK_TOGGLE_BUTTON (gtk_toggle_button_new ());
      gtk_button_set_icon_name (GTK_BUTTON (self->stars[i]), "non-starred-symbolic");
      gtk_widget_add_css_class (GTK_WIDGET (self->stars[i]), "flat");
      gtk_widget_set_tooltip_text (GTK_WIDGET (self->stars[i]), tooltip);
      gtk_accessible_update_property (GTK_ACCESSIBLE (self->stars[i]),
                                      GTK_ACCESSIBLE_PROPERTY_LABEL, tooltip, -1);
      g_signal_connect (self->stars[i], "toggled", G_CALLBACK (on_star_toggled), self);
      gtk_box_append (self->rating_box, GTK_WIDGET (self->stars[i]));
    }

  self->settings = g_settings_new (APP_ID);
  g_settings_bind (self->settings, "show-phi-replacements", self, "hide-phi",
                   G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "show-sidebar", self, "show-sidebar",
                   G_SETTINGS_BIND_DEFAULT);

  self->store = ensure_store (&store_error);
  if (self->store != NULL)
    g_object_ref (self->store);
  else
    show_store_error (self, store_error);

  set_analysis_status (self, NULL, FALSE);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.validate", FALSE);
  fill_recent (self);

  drop = gtk_drop_target_new (GDK_TYPE_FILE_LIST, GDK_ACTION_COPY);
  g_signal_connect (drop, "drop", G_CALLBACK (on_drop), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (drop));
}

RelWindow *
rel_window_new (GtkApplication *application)
{
  g_return_val_if_fail (application == NULL || GTK_IS_APPLICATION (application), NULL);

  return g_object_new (REL_TYPE_WINDOW, "application", application, NULL);
}
