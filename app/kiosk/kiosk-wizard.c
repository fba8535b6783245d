/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "antragskiosk-wizard"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "kiosk-a11y.h"
#include "kiosk-wizard.h"
#include "kiosk-wizard-review.h"

#define REVIEW "review"
#define CONSENT "consent"

struct _KioskWizard {
  GtkBox           parent_instance;
  KioskForm       *form;
  KioskAnswers    *answers;
  KioskSubmitter  *submitter;
  char            *today;
  int              page;          /* index into form->pages; -1: review, -2: consent */
  char            *position;
  gboolean         assisted;
  guint            build_source;  /* tick callback: builds the rest of the pages' fields */

  GtkLabel        *step_label;
  GtkLabel        *title_label;
  GtkStack        *stack;
  GtkLabel        *page_error;
  GtkButton       *next_button;
  GtkButton       *back_button;
  GtkScrolledWindow *scroller;
  GtkCheckButton  *consent_check;
  GtkBox          *review_box;
  GtkLabel        *privacy_label;
};

G_DEFINE_FINAL_TYPE (KioskWizard, kiosk_wizard, GTK_TYPE_BOX)

enum {
  SIGNAL_SUBMITTED,
  SIGNAL_CANCEL_REQUESTED,
  SIGNAL_PAGE_SHOWN,
  SIGNAL_ANNOUNCED,
  N_SIGNALS,
};

static guint signals[N_SIGNALS];

static void kiosk_wizard_show_page (KioskWizard *self, int page);

static void
collect_fields (GtkWidget *widget, GPtrArray *fields, gboolean visible_only)
{
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      if (visible_only && !gtk_widget_get_visible (child))
        continue;
      if (KIOSK_IS_FIELD (child))
        g_ptr_array_add (fields, child);
      else
        collect_fields (child, fields, visible_only);
    }
}

static gboolean
page_relevant (KioskWizard *self, int page)
{
  return kiosk_answers_is_relevant (self->answers, g_ptr_array_index (self->form->pages, page),
                                    NULL, 0, self->today);
}

/* A form page is built in steps: the first screenful at once, the rest in
 * idle chunks (after the first frame), each chunk a few top-level items
 * appended in order, so tab order and reading order stay those of the
 * form. Whatever needs every field (Next, the fields getter, the wipe)
 * completes the page first. */
#define FIRST_SCREENFUL_FIELDS 8
/* Building a field costs about half of laying it out: 4 ms of building
 * per frame keeps a frame with its layout well under 20 ms here. */
#define CHUNK_US              (4 * 1000)

typedef struct {
  const KioskElement *page;
  guint               next;         /* the next item of page->children to build */
  GPtrArray          *conditional;  /* (owned) fields and group frames that have a condition */
} PageState;

static void
page_state_free (PageState *state)
{
  g_ptr_array_unref (state->conditional);
  g_free (state);
}

static PageState *
page_state (GtkWidget *page_widget)
{
  return page_widget != NULL ? g_object_get_data (G_OBJECT (page_widget), "kiosk-page-state") : NULL;
}

static gboolean
has_condition (const KioskElement *element)
{
  /* (a `required` expression: the field's "*" follows the answers) */
  if (element->required_if != NULL)
    return TRUE;
  for (const KioskElement *e = element; e != NULL; e = e->parent)
    if (e->relevant != NULL)
      return TRUE;
  return FALSE;
}

/* Fields under @widget whose relevance can change. */
static void
collect_conditional (GtkWidget *widget, GPtrArray *conditional)
{
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      if (KIOSK_IS_FIELD (child))
        {
          if (has_condition (kiosk_field_get_element (KIOSK_FIELD (child))))
            g_ptr_array_add (conditional, g_object_ref (child));
        }
      else
        collect_conditional (child, conditional);
    }
}

/* A group frame or repeatable section at the top of a page, when it has
 * a condition (the fields inside carry their own). */
static gboolean
is_conditional_group (GtkWidget *widget)
{
  const KioskElement *group = g_object_get_data (G_OBJECT (widget), "kiosk-group");

  return group != NULL && group->relevant != NULL;
}

static void
update_one (KioskWizard *self, GtkWidget *widget)
{
  const KioskElement *group;

  if (KIOSK_IS_FIELD (widget))
    {
      kiosk_field_update_relevance (KIOSK_FIELD (widget), self->today);
      return;
    }
  group = g_object_get_data (G_OBJECT (widget), "kiosk-group");
  if (group != NULL)
    gtk_widget_set_visible (widget, kiosk_answers_is_relevant (self->answers, group, NULL, 0, self->today));
}

/* Re-evaluates what can change on the page: only fields and groups with a
 * condition, so the cost of a keystroke does not grow with the page. */
static void
update_relevance (KioskWizard *self, GtkWidget *page_widget)
{
  PageState *state = page_state (page_widget);

  if (state == NULL)
    return;
  for (guint i = 0; i < state->conditional->len; i++)
    update_one (self, g_ptr_array_index (state->conditional, i));
}

/* The page box (a child of the stack) that holds @widget, or NULL while
 * @widget is not in one yet. */
static GtkWidget *
page_of (GtkWidget *widget)
{
  GtkWidget *parent;

  for (; widget != NULL; widget = parent)
    {
      parent = gtk_widget_get_parent (widget);
      if (parent != NULL && GTK_IS_STACK (parent))
        return widget;
    }
  return NULL;
}

/* Makes the page's list of what can change afresh (after items were
 * added or a repeatable group's instances rebuilt). */
static void
recollect_conditional (GtkWidget *page_widget)
{
  PageState *state = page_state (page_widget);

  if (state == NULL)
    return;
  g_ptr_array_set_size (state->conditional, 0);
  for (GtkWidget *child = gtk_widget_get_first_child (page_widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    if (is_conditional_group (child))
      g_ptr_array_add (state->conditional, g_object_ref (child));
  collect_conditional (page_widget, state->conditional);
}

static void
field_changed_cb (KioskField  *field,
                  KioskWizard *self)
{
  GtkWidget *page_widget = gtk_stack_get_visible_child (self->stack);

  if (page_widget == NULL)
    return;
  update_relevance (self, page_widget);
  /* "Please correct N answers" goes with the last answer it was about. */
  if (gtk_widget_get_visible (GTK_WIDGET (self->page_error)))
    {
      g_autoptr(GPtrArray) fields = g_ptr_array_new ();
      gboolean any = FALSE;

      collect_fields (page_widget, fields, TRUE);
      for (guint i = 0; i < fields->len && !any; i++)
        any = kiosk_field_get_error (g_ptr_array_index (fields, i)) != NULL;
      if (!any)
        gtk_widget_set_visible (GTK_WIDGET (self->page_error), FALSE);
    }
}

static GtkWidget *
field_widget_new (KioskWizard *self, const KioskElement *element, guint instance)
{
  KioskField *field = kiosk_field_new (self->answers, element, instance);

  g_signal_connect (field, "changed", G_CALLBACK (field_changed_cb), self);
  return GTK_WIDGET (field);
}

static void build_group_section (KioskWizard *self, GtkBox *section);

static void
add_instance_cb (GtkButton   *button,
                 KioskWizard *self)
{
  GtkBox *section = g_object_get_data (G_OBJECT (button), "kiosk-section");
  const KioskElement *group = g_object_get_data (G_OBJECT (section), "kiosk-group");

  if (kiosk_answers_add_instance (self->answers, group))
    build_group_section (self, section);
}

static void
remove_instance_cb (GtkButton   *button,
                    KioskWizard *self)
{
  GtkBox *section = g_object_get_data (G_OBJECT (button), "kiosk-section");
  const KioskElement *group = g_object_get_data (G_OBJECT (section), "kiosk-group");
  guint instance = GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (button), "kiosk-instance"));
  g_autoptr(GPtrArray) fields = g_ptr_array_new ();

  collect_fields (GTK_WIDGET (section), fields, FALSE);
  for (guint i = 0; i < fields->len; i++)
    kiosk_field_wipe (g_ptr_array_index (fields, i));
  if (kiosk_answers_remove_instance (self->answers, group, instance))
    build_group_section (self, section);
}

static void append_children (KioskWizard *self, GtkBox *box, const KioskElement *container, guint instance);

static void
append_element (KioskWizard *self, GtkBox *box, const KioskElement *child, guint instance)
{
  if (kiosk_element_is_repeatable (child))
    {
      GtkWidget *section = gtk_box_new (GTK_ORIENTATION_VERTICAL, 12);
      g_object_set_data (G_OBJECT (section), "kiosk-group", (gpointer) child);
      gtk_widget_add_css_class (section, "group-section");
      gtk_box_append (box, section);
      build_group_section (self, GTK_BOX (section));
    }
  else if (child->kind == KIOSK_KIND_GROUP)
    {
      GtkWidget *frame = gtk_box_new (GTK_ORIENTATION_VERTICAL, 16);
      GtkWidget *heading = gtk_label_new (kiosk_text_get (child->label, NULL));
      gtk_label_set_xalign (GTK_LABEL (heading), 0);
      gtk_label_set_wrap (GTK_LABEL (heading), TRUE);
      gtk_widget_add_css_class (heading, "group-title");
      gtk_widget_add_css_class (frame, "group");
      gtk_box_append (GTK_BOX (frame), heading);
      if (child->help != NULL)
        {
          GtkWidget *help = gtk_label_new (kiosk_text_get (child->help, NULL));
          gtk_label_set_xalign (GTK_LABEL (help), 0);
          gtk_label_set_wrap (GTK_LABEL (help), TRUE);
          gtk_widget_add_css_class (help, "field-help");
          gtk_box_append (GTK_BOX (frame), help);
        }
      g_object_set_data (G_OBJECT (frame), "kiosk-group", (gpointer) child);
      append_children (self, GTK_BOX (frame), child, instance);
      gtk_box_append (box, frame);
    }
  else
    gtk_box_append (box, field_widget_new (self, child, instance));
}

static void
append_children (KioskWizard *self, GtkBox *box, const KioskElement *container, guint instance)
{
  for (guint i = 0; i < container->children->len; i++)
    append_element (self, box, g_ptr_array_index (container->children, i), instance);
}

static void
build_group_section (KioskWizard *self, GtkBox *section)
{
  const KioskElement *group = g_object_get_data (G_OBJECT (section), "kiosk-group");
  guint n = kiosk_answers_count_instances (self->answers, group);
  GtkWidget *child;
  GtkWidget *add;
  g_autofree char *add_label = NULL;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (section))) != NULL)
    gtk_box_remove (section, child);
  if (group->help != NULL)
    {
      GtkWidget *help = gtk_label_new (kiosk_text_get (group->help, NULL));
      gtk_label_set_xalign (GTK_LABEL (help), 0);
      gtk_label_set_wrap (GTK_LABEL (help), TRUE);
      gtk_widget_add_css_class (help, "field-help");
      gtk_box_append (section, help);
    }
  for (guint i = 0; i < n; i++)
    {
      GtkWidget *frame = gtk_box_new (GTK_ORIENTATION_VERTICAL, 16);
      GtkWidget *header = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
      g_autofree char *title = g_strdup_printf ("%s %u", kiosk_text_get (group->label, NULL), i + 1);
      GtkWidget *heading = gtk_label_new (title);

      gtk_widget_add_css_class (frame, "group");
      gtk_label_set_xalign (GTK_LABEL (heading), 0);
      gtk_widget_set_hexpand (heading, TRUE);
      gtk_widget_add_css_class (heading, "group-title");
      gtk_box_append (GTK_BOX (header), heading);
      if (n > group->min_occurs)
        {
          g_autofree char *remove_label = g_strdup_printf (_("Remove %s"), title);
          GtkWidget *remove = gtk_button_new_with_label (_("Remove"));
          kiosk_a11y_set_label (remove, remove_label);
          g_object_set_data (G_OBJECT (remove), "kiosk-section", section);
          g_object_set_data (G_OBJECT (remove), "kiosk-instance", GUINT_TO_POINTER (i));
          g_signal_connect (remove, "clicked", G_CALLBACK (remove_instance_cb), self);
          gtk_box_append (GTK_BOX (header), remove);
        }
      gtk_box_append (GTK_BOX (frame), header);
      append_children (self, GTK_BOX (frame), group, i);
      gtk_box_append (section, frame);
    }
  add_label = g_strdup_printf (_("Add another: %s"), kiosk_text_get (group->label, NULL));
  add = gtk_button_new_with_label (add_label);
  gtk_widget_set_halign (add, GTK_ALIGN_START);
  gtk_widget_set_name (add, group->id);
  gtk_widget_add_css_class (add, "add-instance");
  gtk_widget_set_sensitive (add, n < group->max_occurs);
  g_object_set_data (G_OBJECT (add), "kiosk-section", section);
  g_signal_connect (add, "clicked", G_CALLBACK (add_instance_cb), self);
  gtk_box_append (section, add);
  {
    g_autoptr(GPtrArray) conditional = g_ptr_array_new_with_free_func (g_object_unref);
    collect_conditional (GTK_WIDGET (section), conditional);
    for (guint i = 0; i < conditional->len; i++)
      update_one (self, g_ptr_array_index (conditional, i));
  }
  /* The instances were replaced: the page's list follows. */
  recollect_conditional (page_of (GTK_WIDGET (section)));
}

static guint
count_fields (const KioskElement *element)
{
  guint n = 0;

  if (!kiosk_kind_is_container (element->kind))
    return 1;
  for (guint i = 0; i < element->children->len; i++)
    n += count_fields (g_ptr_array_index (element->children, i));
  return MAX (n, 1);
}

/* Builds items of the page until @budget fields are built or @budget_us
 * (0: no limit) have passed, at least one item, or the page is complete;
 * the new items get their relevance. */
static void
build_items (KioskWizard *self, GtkWidget *page_widget, guint budget, gint64 budget_us)
{
  PageState *state = page_state (page_widget);
  GtkWidget *last = gtk_widget_get_last_child (page_widget);
  guint built = 0;

  gint64 deadline = budget_us > 0 ? g_get_monotonic_time () + budget_us : 0;

  if (state == NULL)
    return;
  while (state->next < state->page->children->len
         && (built == 0 || (built < budget && (deadline == 0 || g_get_monotonic_time () < deadline))))
    {
      const KioskElement *item = g_ptr_array_index (state->page->children, state->next);

      append_element (self, GTK_BOX (page_widget), item, KIOSK_FIELD_NO_INSTANCE);
      built += count_fields (item);
      state->next++;
    }
  /* The new items take their relevance from the answers so far. */
  for (GtkWidget *child = last != NULL ? gtk_widget_get_next_sibling (last) : gtk_widget_get_first_child (page_widget);
       child != NULL; child = gtk_widget_get_next_sibling (child))
    {
      g_autoptr(GPtrArray) conditional = g_ptr_array_new_with_free_func (g_object_unref);

      if (KIOSK_IS_FIELD (child) || is_conditional_group (child))
        update_one (self, child);
      collect_conditional (child, conditional);
      for (guint i = 0; i < conditional->len; i++)
        update_one (self, g_ptr_array_index (conditional, i));
    }
  recollect_conditional (page_widget);
}

static gboolean
page_complete (GtkWidget *page_widget)
{
  PageState *state = page_state (page_widget);

  return state == NULL || state->next >= state->page->children->len;
}

/* Builds what is left of @page_widget at once. */
static void
complete_page (KioskWizard *self, GtkWidget *page_widget)
{
  if (!page_complete (page_widget))
    build_items (self, page_widget, G_MAXUINT, 0);
}

static GtkWidget *
incomplete_page (KioskWizard *self)
{
  GtkWidget *visible = gtk_stack_get_visible_child (self->stack);

  if (visible != NULL && !page_complete (visible))
    return visible;
  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (self->stack)); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    if (!page_complete (child))
      return child;
  return NULL;
}

/* One chunk per frame, before its layout: the frame lays out only what
 * the chunk added, and input is dispatched between frames. */
static gboolean
build_chunk_cb (GtkWidget     *widget,
                GdkFrameClock *clock,
                gpointer       user_data)
{
  KioskWizard *self = KIOSK_WIZARD (widget);
  GtkWidget *page_widget = incomplete_page (self);

  if (page_widget != NULL)
    build_items (self, page_widget, G_MAXUINT, CHUNK_US);
  if (incomplete_page (self) != NULL)
    return G_SOURCE_CONTINUE;
  self->build_source = 0;
  return G_SOURCE_REMOVE;
}

static void
stop_building (KioskWizard *self)
{
  if (self->build_source != 0)
    gtk_widget_remove_tick_callback (GTK_WIDGET (self), self->build_source);
  self->build_source = 0;
}

/* Whether a field under @container may have to be answered. */
static gboolean
asks_required (const KioskElement *container)
{
  for (guint i = 0; i < container->children->len; i++)
    {
      const KioskElement *child = g_ptr_array_index (container->children, i);

      if (child->required || child->required_if != NULL
          || (child->children != NULL && asks_required (child)))
        return TRUE;
    }
  return FALSE;
}

static GtkWidget *
page_widget_new (KioskWizard *self, const KioskElement *page)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 24);
  PageState *state = g_new0 (PageState, 1);

  state->page = page;
  state->conditional = g_ptr_array_new_with_free_func (g_object_unref);
  g_object_set_data_full (G_OBJECT (box), "kiosk-page-state", state, (GDestroyNotify) page_state_free);
  gtk_widget_add_css_class (box, "wizard-page");
  /* The page's own help (docs/forms.md "Pages and groups") under its title,
   * and read out with the screen. */
  if (page->help != NULL)
    {
      GtkWidget *help = gtk_label_new (kiosk_text_get (page->help, NULL));

      gtk_label_set_xalign (GTK_LABEL (help), 0);
      gtk_label_set_wrap (GTK_LABEL (help), TRUE);
      gtk_label_set_wrap_mode (GTK_LABEL (help), PANGO_WRAP_WORD_CHAR);
      gtk_widget_add_css_class (help, "field-help");
      gtk_widget_add_css_class (help, "page-help");
      gtk_widget_add_css_class (help, "speak");
      gtk_box_append (GTK_BOX (box), help);
    }
  /* What the "*" means (WCAG 3.3.2), on a page that has one; speech says
   * "required" at each such field instead. */
  if (asks_required (page))
    {
      GtkWidget *legend = gtk_label_new (_("Fields marked with * must be filled in."));

      gtk_label_set_xalign (GTK_LABEL (legend), 0);
      gtk_label_set_wrap (GTK_LABEL (legend), TRUE);
      gtk_widget_add_css_class (legend, "field-help");
      gtk_widget_add_css_class (legend, "required-legend");
      gtk_box_append (GTK_BOX (box), legend);
    }
  build_items (self, box, FIRST_SCREENFUL_FIELDS, 0);
  /* The rest in the frames that follow the first. */
  if (!page_complete (box) && self->build_source == 0)
    self->build_source = gtk_widget_add_tick_callback (GTK_WIDGET (self), build_chunk_cb, NULL, NULL);
  return box;
}

static int
relevant_page_count (KioskWizard *self, int up_to, int *position)
{
  int count = 0;

  for (guint i = 0; i < self->form->pages->len; i++)
    if (page_relevant (self, i))
      {
        count++;
        if ((int) i == up_to)
          *position = count;
      }
  return count;
}

static void
update_step (KioskWizard *self)
{
  int position = 0;
  int n = relevant_page_count (self, self->page, &position) + 2;
  g_autofree char *step = NULL;

  if (self->page == -1)
    position = n - 1;
  else if (self->page == -2)
    position = n;
  step = g_strdup_printf (_("Step %d of %d"), position, n);
  gtk_label_set_label (self->step_label, step);
  g_signal_emit (self, signals[SIGNAL_PAGE_SHOWN], 0);
}

static void
scroll_to_top (KioskWizard *self)
{
  gtk_adjustment_set_value (gtk_scrolled_window_get_vadjustment (self->scroller), 0);
}

static void
kiosk_wizard_show_page (KioskWizard *self, int page)
{
  g_autofree char *name = g_strdup_printf ("page-%d", page);
  const KioskElement *element = g_ptr_array_index (self->form->pages, page);
  GtkWidget *widget = gtk_stack_get_child_by_name (self->stack, name);

  if (widget == NULL)
    {
      widget = page_widget_new (self, element);
      gtk_stack_add_named (self->stack, widget, name);
    }
  else
    update_relevance (self, widget);
  self->page = page;
  g_free (self->position);
  self->position = g_strdup_printf ("page:%s", element->id);
  gtk_stack_set_visible_child (self->stack, widget);
  gtk_label_set_label (self->title_label, kiosk_text_get (element->label, NULL));
  gtk_widget_set_visible (GTK_WIDGET (self->page_error), FALSE);
  gtk_button_set_label (self->next_button, _("Next"));
  gtk_widget_set_sensitive (GTK_WIDGET (self->next_button), TRUE);
  update_step (self);
  scroll_to_top (self);
}

static void
show_review (KioskWizard *self)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->review_box))) != NULL)
    gtk_box_remove (self->review_box, child);
  for (guint i = 0; i < self->form->pages->len; i++)
    {
      const KioskElement *page = g_ptr_array_index (self->form->pages, i);
      GtkWidget *header, *heading, *change;
      g_autofree char *change_label = NULL;

      if (!page_relevant (self, i))
        continue;
      header = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
      heading = gtk_label_new (kiosk_text_get (page->label, NULL));
      gtk_label_set_xalign (GTK_LABEL (heading), 0);
      gtk_label_set_wrap (GTK_LABEL (heading), TRUE);
      gtk_widget_set_hexpand (heading, TRUE);
      gtk_widget_add_css_class (heading, "review-page-title");
      change = gtk_button_new_with_label (_("Change"));
      change_label = g_strdup_printf (_("Change: %s"), kiosk_text_get (page->label, NULL));
      kiosk_a11y_set_label (change, change_label);
      gtk_actionable_set_action_name (GTK_ACTIONABLE (change), "wizard.goto-page");
      gtk_actionable_set_action_target (GTK_ACTIONABLE (change), "i", (gint32) i);
      gtk_box_append (GTK_BOX (header), heading);
      gtk_box_append (GTK_BOX (header), change);
      gtk_box_append (self->review_box, header);
      _kiosk_wizard_review_append (self->answers, self->today, GTK_WIDGET (self->review_box), page,
                                   KIOSK_FIELD_NO_INSTANCE);
    }
  self->page = -1;
  g_free (self->position);
  self->position = g_strdup (REVIEW);
  gtk_stack_set_visible_child_name (self->stack, REVIEW);
  gtk_label_set_label (self->title_label, _("Please check your answers"));
  gtk_widget_set_visible (GTK_WIDGET (self->page_error), FALSE);
  gtk_button_set_label (self->next_button, _("Next"));
  gtk_widget_set_sensitive (GTK_WIDGET (self->next_button), TRUE);
  update_step (self);
  scroll_to_top (self);
}

static void
consent_toggled_cb (GtkCheckButton *check,
                    KioskWizard    *self)
{
  if (self->page == -2)
    gtk_widget_set_sensitive (GTK_WIDGET (self->next_button), gtk_check_button_get_active (check));
}

static void
show_consent (KioskWizard *self)
{
  self->page = -2;
  g_free (self->position);
  self->position = g_strdup (CONSENT);
  gtk_stack_set_visible_child_name (self->stack, CONSENT);
  gtk_label_set_label (self->title_label, _("Privacy notice"));
  gtk_widget_set_visible (GTK_WIDGET (self->page_error), FALSE);
  gtk_button_set_label (self->next_button, _("Send application"));
  gtk_widget_set_sensitive (GTK_WIDGET (self->next_button), gtk_check_button_get_active (self->consent_check));
  update_step (self);
  scroll_to_top (self);
}

static void
announce (KioskWizard *self, const char *message)
{
  gtk_label_set_label (self->page_error, message);
  gtk_widget_set_visible (GTK_WIDGET (self->page_error), TRUE);
  /* A live region: screen readers read the alert out as it changes. */
  kiosk_a11y_set_label (GTK_WIDGET (self->page_error), message);
  g_signal_emit (self, signals[SIGNAL_ANNOUNCED], 0, message);
}

/* Validates the whole set but shows only the problems of the page shown.
 * Returns TRUE when it has none. */
static gboolean
check_current_page (KioskWizard *self)
{
  const KioskElement *page = g_ptr_array_index (self->form->pages, self->page);
  GtkWidget *page_widget = gtk_stack_get_visible_child (self->stack);
  g_autoptr(GPtrArray) problems = NULL;
  g_autoptr(GPtrArray) fields = g_ptr_array_new ();
  KioskField *first = NULL;
  guint n = 0;
  GString *unplaced = g_string_new (NULL);

  complete_page (self, page_widget);
  kiosk_answers_validate (self->answers, self->today, &problems);
  collect_fields (page_widget, fields, FALSE);
  for (guint i = 0; i < fields->len; i++)
    kiosk_field_set_error (g_ptr_array_index (fields, i), NULL);
  for (guint p = 0; problems != NULL && p < problems->len; p++)
    {
      KioskAnswerProblem *problem = g_ptr_array_index (problems, p);
      gboolean placed = FALSE;
      guint instance = problem->n_instances > 0 ? problem->instances[0] : KIOSK_FIELD_NO_INSTANCE;

      if (problem->element->page != page)
        continue;
      n++;
      for (guint i = 0; i < fields->len; i++)
        {
          KioskField *field = g_ptr_array_index (fields, i);
          if (kiosk_field_get_element (field) == problem->element && kiosk_field_get_instance (field) == instance
              && kiosk_field_get_error (field) == NULL)
            {
              kiosk_field_set_error (field, problem->message);
              if (first == NULL)
                first = field;
              placed = TRUE;
              break;
            }
        }
      if (!placed)
        {
          if (unplaced->len > 0)
            g_string_append_c (unplaced, '\n');
          g_string_append (unplaced, problem->message);
        }
    }
  if (n > 0)
    {
      g_autofree char *summary = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Please correct %u answer on this page.",
                                                            "Please correct %u answers on this page.", n), n);
      if (unplaced->len > 0)
        {
          g_string_prepend_c (unplaced, '\n');
          g_string_prepend (unplaced, summary);
          announce (self, unplaced->str);
        }
      else
        announce (self, summary);
      if (first != NULL)
        kiosk_field_focus (first);
    }
  g_string_free (unplaced, TRUE);
  return n == 0;
}

static void
submit (KioskWizard *self)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) problems = NULL;
  g_autofree char *reference = NULL;

  kiosk_submitter_set_assisted (self->submitter, self->assisted);
  reference = kiosk_submitter_submit (self->submitter, self->answers, self->today, &problems, &error);
  kiosk_submitter_set_assisted (self->submitter, FALSE);
  if (reference == NULL)
    {
      /* The reason goes to the log for staff; never the answers. */
      g_warning ("Submission of form %s failed: %s", self->form->id, error->message);
      announce (self, _("Your application could not be sent. Your answers are kept: please try again, or ask at the counter."));
      return;
    }
  g_signal_emit (self, signals[SIGNAL_SUBMITTED], 0, reference);
}

static void
next_cb (GtkWidget  *widget,
         const char *action_name,
         GVariant   *parameter)
{
  KioskWizard *self = KIOSK_WIZARD (widget);

  if (self->page == -1)
    {
      show_consent (self);
      return;
    }
  if (self->page == -2)
    {
      if (gtk_check_button_get_active (self->consent_check))
        submit (self);
      return;
    }
  if (!check_current_page (self))
    return;
  for (guint i = self->page + 1; i < self->form->pages->len; i++)
    if (page_relevant (self, i))
      {
        kiosk_wizard_show_page (self, i);
        return;
      }
  show_review (self);
}

static void
back_cb (GtkWidget  *widget,
         const char *action_name,
         GVariant   *parameter)
{
  KioskWizard *self = KIOSK_WIZARD (widget);
  int from = self->page;

  if (self->page == -2)
    {
      show_review (self);
      return;
    }
  if (self->page == -1)
    from = self->form->pages->len;
  for (int i = from - 1; i >= 0; i--)
    if (page_relevant (self, i))
      {
        kiosk_wizard_show_page (self, i);
        return;
      }
  /* Back from the first page: as Cancel, it asks first. */
  g_signal_emit (self, signals[SIGNAL_CANCEL_REQUESTED], 0);
}

static void
cancel_cb (GtkWidget  *widget,
           const char *action_name,
           GVariant   *parameter)
{
  g_signal_emit (widget, signals[SIGNAL_CANCEL_REQUESTED], 0);
}

static void
goto_page_cb (GtkWidget  *widget,
              const char *action_name,
              GVariant   *parameter)
{
  KioskWizard *self = KIOSK_WIZARD (widget);
  int page = g_variant_get_int32 (parameter);

  if (page >= 0 && page < (int) self->form->pages->len)
    kiosk_wizard_show_page (self, page);
}

static void
kiosk_wizard_dispose (GObject *object)
{
  KioskWizard *self = KIOSK_WIZARD (object);

  stop_building (self);
  gtk_widget_dispose_template (GTK_WIDGET (self), KIOSK_TYPE_WIZARD);
  G_OBJECT_CLASS (kiosk_wizard_parent_class)->dispose (object);
}

static void
kiosk_wizard_finalize (GObject *object)
{
  KioskWizard *self = KIOSK_WIZARD (object);

  g_clear_pointer (&self->answers, kiosk_answers_free);
  g_clear_pointer (&self->form, kiosk_form_unref);
  g_clear_pointer (&self->today, g_free);
  g_clear_pointer (&self->position, g_free);
  G_OBJECT_CLASS (kiosk_wizard_parent_class)->finalize (object);
}

static void
kiosk_wizard_class_init (KioskWizardClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = kiosk_wizard_dispose;
  object_class->finalize = kiosk_wizard_finalize;
  signals[SIGNAL_SUBMITTED] = g_signal_new ("submitted", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                            0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);
  signals[SIGNAL_CANCEL_REQUESTED] = g_signal_new ("cancel-requested", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                                   0, NULL, NULL, NULL, G_TYPE_NONE, 0);
  signals[SIGNAL_PAGE_SHOWN] = g_signal_new ("page-shown", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                             0, NULL, NULL, NULL, G_TYPE_NONE, 0);
  signals[SIGNAL_ANNOUNCED] = g_signal_new ("announced", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                            0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);
  gtk_widget_class_set_template_from_resource (widget_class, "/de/antragskiosk/kiosk/ui/kiosk-wizard.ui");
  gtk_widget_class_bind_template_child (widget_class, KioskWizard, step_label);
  gtk_widget_class_bind_template_child (widget_class, KioskWizard, title_label);
  gtk_widget_class_bind_template_child (widget_class, KioskWizard, stack);
  gtk_widget_class_bind_template_child (widget_class, KioskWizard, page_error);
  gtk_widget_class_bind_template_child (widget_class, KioskWizard, next_button);
  gtk_widget_class_bind_template_child (widget_class, KioskWizard, back_button);
  gtk_widget_class_bind_template_child (widget_class, KioskWizard, scroller);
  gtk_widget_class_bind_template_child (widget_class, KioskWizard, consent_check);
  gtk_widget_class_bind_template_child (widget_class, KioskWizard, review_box);
  gtk_widget_class_bind_template_child (widget_class, KioskWizard, privacy_label);
  gtk_widget_class_bind_template_callback (widget_class, consent_toggled_cb);
  gtk_widget_class_install_action (widget_class, "wizard.next", NULL, next_cb);
  gtk_widget_class_install_action (widget_class, "wizard.back", NULL, back_cb);
  gtk_widget_class_install_action (widget_class, "wizard.cancel", NULL, cancel_cb);
  gtk_widget_class_install_action (widget_class, "wizard.goto-page", "i", goto_page_cb);
}

static void
kiosk_wizard_init (KioskWizard *self)
{
  GtkWidget *label;

  gtk_widget_init_template (GTK_WIDGET (self));
  /* A check button's label does not wrap by itself (GTK 4.8). */
  label = gtk_widget_get_last_child (GTK_WIDGET (self->consent_check));
  if (GTK_IS_LABEL (label))
    {
      gtk_label_set_wrap (GTK_LABEL (label), TRUE);
      gtk_label_set_xalign (GTK_LABEL (label), 0);
    }
}

KioskWizard *
kiosk_wizard_new (KioskForm      *form,
                  KioskSubmitter *submitter,
                  const char     *today)
{
  KioskWizard *self = g_object_new (KIOSK_TYPE_WIZARD, NULL);
  g_autofree char *privacy = NULL;

  self->form = kiosk_form_ref (form);
  self->answers = kiosk_answers_new (form);
  self->submitter = submitter;
  self->today = g_strdup (today);
  privacy = g_strdup_printf (_("When you send the application “%s”, your answers are encrypted on this terminal "
                               "and stored only until they have been delivered to the responsible authority "
                               "through the FIT-Connect platform; then they are deleted from the terminal. Only "
                               "the authority can read them; it uses them to process your application and keeps "
                               "them as long as the law requires. This terminal keeps no copy of your answers "
                               "and clears the screen when you leave. You can ask the authority for information, "
                               "correction and deletion (Art. 15–17 GDPR)."),
                             kiosk_text_get (form->title, NULL));
  gtk_label_set_label (self->privacy_label, privacy);
  for (guint i = 0; i < form->pages->len; i++)
    if (page_relevant (self, i))
      {
        kiosk_wizard_show_page (self, i);
        break;
      }
  return self;
}

gboolean
kiosk_wizard_is_built (KioskWizard *self)
{
  return incomplete_page (self) == NULL;
}

KioskForm *
kiosk_wizard_get_form (KioskWizard *self)
{
  return self->form;
}

KioskAnswers *
kiosk_wizard_get_answers (KioskWizard *self)
{
  return self->answers;
}

const char *
kiosk_wizard_get_position (KioskWizard *self)
{
  return self->position;
}

GPtrArray *
kiosk_wizard_get_fields (KioskWizard *self)
{
  GPtrArray *fields = g_ptr_array_new ();
  GtkWidget *page = gtk_stack_get_visible_child (self->stack);

  if (page != NULL && self->page >= 0)
    {
      complete_page (self, page);
      collect_fields (page, fields, TRUE);
    }
  return fields;
}

static GtkWidget *
find_named (GtkWidget *widget, const char *name)
{
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found;
      if (GTK_IS_BUTTON (child) && g_strcmp0 (gtk_widget_get_name (child), name) == 0)
        return child;
      found = find_named (child, name);
      if (found != NULL)
        return found;
    }
  return NULL;
}

GtkWidget *
kiosk_wizard_get_add_button (KioskWizard *self, const char *group_id)
{
  GtkWidget *page = gtk_stack_get_visible_child (self->stack);

  if (page == NULL)
    return NULL;
  complete_page (self, page);
  return find_named (page, group_id);
}

void
kiosk_wizard_wipe (KioskWizard *self)
{
  g_autoptr(GPtrArray) fields = g_ptr_array_new ();
  GtkWidget *child;

  /* Fields not built yet hold nothing; no more are built after this. */
  stop_building (self);
  collect_fields (GTK_WIDGET (self->stack), fields, FALSE);
  for (guint i = 0; i < fields->len; i++)
    kiosk_field_wipe (g_ptr_array_index (fields, i));
  kiosk_answers_clear (self->answers);
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->review_box))) != NULL)
    gtk_box_remove (self->review_box, child);
  gtk_check_button_set_active (self->consent_check, FALSE);
}

void
kiosk_wizard_set_assisted (KioskWizard *self, gboolean assisted)
{
  self->assisted = assisted;
}
