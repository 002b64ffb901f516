/* SPDX-License-Identifier: GPL-3.0-or-later */
/* rel-code-search.c: type-ahead search of the nomenclature, in a popover. */
#define G_LOG_DOMAIN "rel-code-search"

#include "config.h"

#include <glib/gi18n.h>

#include "rel-code-search.h"

#define MAX_RESULTS 30

struct _RelCodeSearch
{
  GtkPopover         parent_instance;

  GtkSearchEntry    *entry;
  GtkStack          *stack;
  GtkScrolledWindow *scroller;
  GtkListBox        *list;

  RelTerminology    *terminology;
  /* The query the rows were built for, to skip a search already done. */
  char              *query;
};

G_DEFINE_FINAL_TYPE (RelCodeSearch, rel_code_search, GTK_TYPE_POPOVER)

enum {
  CODE_CHOSEN,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* The rows point into the terminology: they must go before it does. */
static void
clear_rows (RelCodeSearch *self)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->list))) != NULL)
    gtk_list_box_remove (self->list, child);
}

static const RelConcept *
row_get_concept (GtkListBoxRow *row)
{
  return g_object_get_data (G_OBJECT (row), "concept");
}

static gboolean
row_is_codable (GtkListBoxRow *row)
{
  return row_get_concept (row)->type != REL_CODE_TYPE_NOT_CODABLE;
}

static GtkListBoxRow *
first_codable_row (RelCodeSearch *self)
{
  GtkListBoxRow *row;

  for (int i = 0; (row = gtk_list_box_get_row_at_index (self->list, i)) != NULL; i++)
    if (row_is_codable (row))
      return row;
  return NULL;
}

static GtkWidget *
caption_new (const char *text,
             gboolean    dim)
{
  GtkWidget *caption = gtk_label_new (text);

  gtk_label_set_xalign (GTK_LABEL (caption), 0.0);
  gtk_label_set_wrap (GTK_LABEL (caption), TRUE);
  gtk_label_set_wrap_mode (GTK_LABEL (caption), PANGO_WRAP_WORD_CHAR);
  gtk_widget_add_css_class (caption, "caption");
  /* A row already dimmed as a whole would be dimmed twice. */
  if (dim)
    gtk_widget_add_css_class (caption, "dim-label");
  return caption;
}

static GtkWidget *
row_new (const RelSearchHit *hit)
{
  const RelConcept *concept = hit->concept;
  gboolean codable = concept->type != REL_CODE_TYPE_NOT_CODABLE;
  g_autofree char *display = rel_code_display (concept->code);
  g_autofree char *accessible_label = g_strdup_printf ("%s %s", display, concept->label);
  GtkWidget *row = gtk_list_box_row_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  GtkWidget *text = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);
  GtkWidget *code = gtk_label_new (display);
  GtkWidget *label = gtk_label_new (concept->label);
  const char *description = NULL;

  gtk_label_set_xalign (GTK_LABEL (code), 0.0);
  gtk_label_set_yalign (GTK_LABEL (code), 0.0);
  /* Room for "E11.98" so that the labels line up. */
  gtk_label_set_width_chars (GTK_LABEL (code), 7);
  gtk_widget_set_valign (code, GTK_ALIGN_START);
  gtk_widget_add_css_class (code, "monospace");
  gtk_widget_add_css_class (code, "code-display");

  gtk_label_set_xalign (GTK_LABEL (label), 0.0);
  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_label_set_wrap_mode (GTK_LABEL (label), PANGO_WRAP_WORD_CHAR);
  gtk_widget_set_hexpand (label, TRUE);
  gtk_box_append (GTK_BOX (text), label);

  if (hit->synonym != NULL)
    {
      gtk_box_append (GTK_BOX (text), caption_new (hit->synonym->expression, codable));
      description = hit->synonym->expression;
    }
  if (!codable)
    {
      description = _("Not codable: choose a subdivision");
      gtk_box_append (GTK_BOX (text), caption_new (description, FALSE));
      gtk_widget_add_css_class (box, "dim-label");
      gtk_widget_add_css_class (row, "not-codable");
    }

  gtk_box_append (GTK_BOX (box), code);
  gtk_box_append (GTK_BOX (box), text);
  gtk_widget_set_margin_top (box, 4);
  gtk_widget_set_margin_bottom (box, 4);
  gtk_widget_set_margin_start (box, 4);
  gtk_widget_set_margin_end (box, 4);
  gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (row), box);

  gtk_accessible_update_property (GTK_ACCESSIBLE (row),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, accessible_label,
                                  -1);
  if (description != NULL)
    gtk_accessible_update_property (GTK_ACCESSIBLE (row),
                                    GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, description,
                                    -1);

  g_object_set_data (G_OBJECT (row), "concept", (gpointer) concept);
  return row;
}

static void
focus_entry (RelCodeSearch *self)
{
  GtkEditable *delegate = gtk_editable_get_delegate (GTK_EDITABLE (self->entry));

  /* Keep what was typed: the coder goes on typing after it. */
  if (GTK_IS_TEXT (delegate))
    gtk_text_grab_focus_without_selecting (GTK_TEXT (delegate));
  else
    gtk_widget_grab_focus (GTK_WIDGET (self->entry));
  gtk_editable_set_position (GTK_EDITABLE (self->entry), -1);
}

static void
run_search (RelCodeSearch *self)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (self->entry));
  g_autofree char *query = g_strstrip (g_strdup (text));
  g_autoptr(GArray) hits = NULL;
  GtkListBoxRow *first;

  if (g_strcmp0 (query, self->query) == 0)
    return;
  g_free (self->query);
  self->query = g_strdup (query);

  /* The focused row is about to go: the coder is typing. */
  if (gtk_widget_get_focus_child (GTK_WIDGET (self->list)) != NULL)
    focus_entry (self);
  clear_rows (self);

  if (*query == '\0' || self->terminology == NULL)
    {
      gtk_stack_set_visible_child_name (self->stack, "hint");
      return;
    }

  hits = rel_terminology_search (self->terminology, query, MAX_RESULTS);
  for (guint i = 0; i < hits->len; i++)
    gtk_list_box_append (self->list, row_new (&g_array_index (hits, RelSearchHit, i)));

  gtk_stack_set_visible_child_name (self->stack, hits->len > 0 ? "results" : "empty");

  /* What Enter in the entry will pick. */
  first = first_codable_row (self);
  gtk_list_box_select_row (self->list, first);
  gtk_adjustment_set_value (gtk_scrolled_window_get_vadjustment (self->scroller), 0.0);
}

static void
choose_row (RelCodeSearch *self,
            GtkListBoxRow *row)
{
  g_autoptr(RelCodeSearch) keep = NULL;
  const RelConcept *concept = row_get_concept (row);
  g_autofree char *code = g_strdup (concept->code);
  g_autofree char *label = g_strdup (concept->label);

  if (!row_is_codable (row))
    {
      /* Listing the code again shows its subdivisions, best first. */
      g_autofree char *display = rel_code_display (code);

      rel_code_search_set_query (self, display);
      focus_entry (self);
      return;
    }

  /* A handler may drop the last reference to the popover. */
  keep = g_object_ref (self);
  g_signal_emit (self, signals[CODE_CHOSEN], 0, code, label);
  rel_code_search_set_query (self, "");
  gtk_popover_popdown (GTK_POPOVER (self));
}

static void
on_search_changed (RelCodeSearch *self)
{
  run_search (self);
}

static void
on_entry_activate (RelCodeSearch *self)
{
  GtkListBoxRow *row;

  run_search (self);
  row = first_codable_row (self);
  if (row != NULL)
    choose_row (self, row);
  else
    gtk_widget_error_bell (GTK_WIDGET (self->entry));
}

static void
on_stop_search (RelCodeSearch *self)
{
  gtk_popover_popdown (GTK_POPOVER (self));
}

static gboolean
on_entry_key_pressed (RelCodeSearch         *self,
                      guint                  keyval,
                      guint                  keycode,
                      GdkModifierType        state,
                      GtkEventControllerKey *controller)
{
  GtkListBoxRow *row;

  if ((keyval != GDK_KEY_Down && keyval != GDK_KEY_KP_Down) ||
      (state & gtk_accelerator_get_default_mod_mask ()) != 0)
    return GDK_EVENT_PROPAGATE;

  row = gtk_list_box_get_row_at_index (self->list, 0);
  if (row == NULL)
    return GDK_EVENT_PROPAGATE;

  gtk_list_box_select_row (self->list, row);
  gtk_widget_grab_focus (GTK_WIDGET (row));
  return GDK_EVENT_STOP;
}

/* Typing on a row goes on with the query. Not gtk_search_entry_set_key_capture_widget():
 * it forwards Enter and space too, and the window activates the focused row with them. */
static gboolean
on_list_key_pressed (RelCodeSearch         *self,
                     guint                  keyval,
                     guint                  keycode,
                     GdkModifierType        state,
                     GtkEventControllerKey *controller)
{
  GtkEditable *delegate = gtk_editable_get_delegate (GTK_EDITABLE (self->entry));
  GtkWidget *target = delegate != NULL ? GTK_WIDGET (delegate) : GTK_WIDGET (self->entry);

  if ((state & (GDK_CONTROL_MASK | GDK_ALT_MASK | GDK_SUPER_MASK)) != 0 ||
      (!g_unichar_isgraph (gdk_keyval_to_unicode (keyval)) && keyval != GDK_KEY_BackSpace))
    return GDK_EVENT_PROPAGATE;

  focus_entry (self);
  return gtk_event_controller_key_forward (controller, target);
}

static gboolean
on_list_keynav_failed (RelCodeSearch    *self,
                       GtkDirectionType  direction)
{
  if (direction != GTK_DIR_UP)
    return FALSE;

  /* Back in the entry, Enter picks the first codable result again. */
  gtk_list_box_select_row (self->list, first_codable_row (self));
  focus_entry (self);
  return TRUE;
}

static void
on_row_activated (RelCodeSearch *self,
                  GtkListBoxRow *row)
{
  choose_row (self, row);
}

static void
rel_code_search_map (GtkWidget *widget)
{
  GTK_WIDGET_CLASS (rel_code_search_parent_class)->map (widget);

  focus_entry (REL_CODE_SEARCH (widget));
}

static void
rel_code_search_dispose (GObject *object)
{
  RelCodeSearch *self = REL_CODE_SEARCH (object);

  if (self->list != NULL)
    clear_rows (self);
  g_clear_object (&self->terminology);
  g_clear_pointer (&self->query, g_free);

  G_OBJECT_CLASS (rel_code_search_parent_class)->dispose (object);
}

static void
rel_code_search_class_init (RelCodeSearchClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = rel_code_search_dispose;
  widget_class->map = rel_code_search_map;

  /**
   * RelCodeSearch::code-chosen:
   * @code: the code in ATIH form, without a dot ("E1198")
   * @label: its French label
   *
   * The coder picked a codable code.
   */
  signals[CODE_CHOSEN] = g_signal_new ("code-chosen",
                                       G_TYPE_FROM_CLASS (klass),
                                       G_SIGNAL_RUN_LAST,
                                       0, NULL, NULL, NULL,
                                       G_TYPE_NONE, 2, G_TYPE_STRING, G_TYPE_STRING);

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/relecture/Relecture/"
                                               "rel-code-search.ui");
  gtk_widget_class_bind_template_child (widget_class, RelCodeSearch, entry);
  gtk_widget_class_bind_template_child (widget_class, RelCodeSearch, stack);
  gtk_widget_class_bind_template_child (widget_class, RelCodeSearch, scroller);
  gtk_widget_class_bind_template_child (widget_class, RelCodeSearch, list);
}

static void
rel_code_search_init (RelCodeSearch *self)
{
  GtkEventController *keys;

  gtk_widget_init_template (GTK_WIDGET (self));

  g_signal_connect_swapped (self->entry, "search-changed", G_CALLBACK (on_search_changed), self);
  g_signal_connect_swapped (self->entry, "activate", G_CALLBACK (on_entry_activate), self);
  g_signal_connect_swapped (self->entry, "stop-search", G_CALLBACK (on_stop_search), self);
  g_signal_connect_swapped (self->list, "row-activated", G_CALLBACK (on_row_activated), self);
  g_signal_connect_swapped (self->list, "keynav-failed", G_CALLBACK (on_list_keynav_failed), self);

  /* Before the entry's text moves its cursor on Down. */
  keys = gtk_event_controller_key_new ();
  gtk_event_controller_set_propagation_phase (keys, GTK_PHASE_CAPTURE);
  g_signal_connect_swapped (keys, "key-pressed", G_CALLBACK (on_entry_key_pressed), self);
  gtk_widget_add_controller (GTK_WIDGET (self->entry), keys);

  /* After the list's own keys (Enter, arrows), in the bubble phase. */
  keys = gtk_event_controller_key_new ();
  g_signal_connect_swapped (keys, "key-pressed", G_CALLBACK (on_list_key_pressed), self);
  gtk_widget_add_controller (GTK_WIDGET (self->scroller), keys);

  gtk_stack_set_visible_child_name (self->stack, "hint");
}

RelCodeSearch *
rel_code_search_new (void)
{
  return g_object_new (REL_TYPE_CODE_SEARCH, NULL);
}

void
rel_code_search_set_terminology (RelCodeSearch  *self,
                                 RelTerminology *terminology)
{
  g_return_if_fail (REL_IS_CODE_SEARCH (self));
  g_return_if_fail (terminology == NULL || REL_IS_TERMINOLOGY (terminology));

  if (self->terminology == terminology)
    return;

  clear_rows (self);
  g_set_object (&self->terminology, terminology);
  g_clear_pointer (&self->query, g_free);
  run_search (self);
}

void
rel_code_search_set_query (RelCodeSearch *self,
                           const char    *query)
{
  g_return_if_fail (REL_IS_CODE_SEARCH (self));
  g_return_if_fail (query != NULL);

  gtk_editable_set_text (GTK_EDITABLE (self->entry), query);
  gtk_editable_set_position (GTK_EDITABLE (self->entry), -1);
  /* Now rather than when the entry emits "search-changed". */
  run_search (self);
}

GStrv
rel_code_search_get_results (RelCodeSearch *self)
{
  g_autoptr(GStrvBuilder) builder = NULL;
  GtkListBoxRow *row;

  g_return_val_if_fail (REL_IS_CODE_SEARCH (self), NULL);

  builder = g_strv_builder_new ();
  for (int i = 0; (row = gtk_list_box_get_row_at_index (self->list, i)) != NULL; i++)
    g_strv_builder_add (builder, row_get_concept (row)->code);
  return g_strv_builder_end (builder);
}
