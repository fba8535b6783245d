/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "antragskiosk-wizard"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "kiosk-wizard.h"

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

static void
update_relevance (KioskWizard *self, GtkWidget *page_widget)
{
  g_autoptr(GPtrArray) fields = g_ptr_array_new ();

  collect_fields (page_widget, fields, FALSE);
  for (guint i = 0; i < fields->len; i++)
    kiosk_field_update_relevance (g_ptr_array_index (fields, i), self->today);
  /* Group frames follow their condition as well. */
  for (GtkWidget *child = gtk_widget_get_first_child (page_widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      const KioskElement *group = g_object_get_data (G_OBJECT (child), "kiosk-group");
      if (group != NULL)
        gtk_widget_set_visible (child, kiosk_answers_is_relevant (self->answers, group, NULL, 0, self->today));
    }
}

static void
field_changed_cb (KioskField  *field,
                  KioskWizard *self)
{
  GtkWidget *page_widget = gtk_stack_get_visible_child (self->stack);

  if (page_widget != NULL)
    update_relevance (self, page_widget);
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

static void
append_children (KioskWizard *self, GtkBox *box, const KioskElement *container, guint instance)
{
  for (guint i = 0; i < container->children->len; i++)
    {
      const KioskElement *child = g_ptr_array_index (container->children, i);

      if (kiosk_element_is_repeatable (child))
        {
          GtkWidget *section = gtk_box_new (GTK_ORIENTATION_VERTICAL, 12);
          g_object_set_data (G_OBJECT (section), "kiosk-group", (gpointer) child);
          gtk_widget_add_css_class (section, "group-section");
          build_group_section (self, GTK_BOX (section));
          gtk_box_append (box, section);
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
          gtk_accessible_update_property (GTK_ACCESSIBLE (remove), GTK_ACCESSIBLE_PROPERTY_LABEL, remove_label, -1);
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
  update_relevance (self, GTK_WIDGET (section));
}

static GtkWidget *
page_widget_new (KioskWizard *self, const KioskElement *page)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 24);

  gtk_widget_add_css_class (box, "wizard-page");
  append_children (self, GTK_BOX (box), page, KIOSK_FIELD_NO_INSTANCE);
  update_relevance (self, box);
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

static char *
display_value (KioskWizard *self, const KioskElement *element, guint instance)
{
  const char *value = kiosk_answers_get_value (self->answers, element, &instance,
                                               instance == KIOSK_FIELD_NO_INSTANCE ? 0 : 1);

  if (value == NULL || *value == '\0')
    return g_strdup (element->kind == KIOSK_KIND_CHECKBOX ? _("No") : "–");
  if (element->kind == KIOSK_KIND_CHECKBOX)
    return g_strdup (g_strcmp0 (value, "true") == 0 ? _("Yes") : _("No"));
  if ((element->kind == KIOSK_KIND_SELECT || element->kind == KIOSK_KIND_RADIO) && element->code_list != NULL)
    {
      const KioskCode *code = kiosk_code_list_lookup (element->code_list, value);
      if (code != NULL)
        return g_strdup (kiosk_text_get (code->label, NULL));
    }
  return g_strdup (value);
}

static void
review_append (KioskWizard *self, GtkWidget *box, const KioskElement *container, guint instance)
{
  for (guint i = 0; i < container->children->len; i++)
    {
      const KioskElement *child = g_ptr_array_index (container->children, i);

      if (kiosk_element_is_repeatable (child))
        {
          guint n;
          if (!kiosk_answers_is_relevant (self->answers, child, NULL, 0, self->today))
            continue;
          n = kiosk_answers_count_instances (self->answers, child);
          for (guint j = 0; j < n; j++)
            {
              g_autofree char *title = g_strdup_printf ("%s %u", kiosk_text_get (child->label, NULL), j + 1);
              GtkWidget *heading = gtk_label_new (title);
              gtk_label_set_xalign (GTK_LABEL (heading), 0);
              gtk_widget_add_css_class (heading, "group-title");
              gtk_box_append (GTK_BOX (box), heading);
              review_append (self, box, child, j);
            }
        }
      else if (child->kind == KIOSK_KIND_GROUP)
        {
          if (kiosk_answers_is_relevant (self->answers, child, &instance,
                                         instance == KIOSK_FIELD_NO_INSTANCE ? 0 : 1, self->today))
            review_append (self, box, child, instance);
        }
      else if (kiosk_kind_is_input (child->kind)
               && kiosk_answers_is_relevant (self->answers, child, &instance,
                                             instance == KIOSK_FIELD_NO_INSTANCE ? 0 : 1, self->today))
        {
          GtkWidget *row = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);
          GtkWidget *label = gtk_label_new (kiosk_text_get (child->label, NULL));
          g_autofree char *text = display_value (self, child, instance);
          GtkWidget *value = gtk_label_new (text);

          gtk_widget_add_css_class (row, "review-row");
          gtk_label_set_xalign (GTK_LABEL (label), 0);
          gtk_label_set_wrap (GTK_LABEL (label), TRUE);
          gtk_widget_add_css_class (label, "review-label");
          gtk_label_set_xalign (GTK_LABEL (value), 0);
          gtk_label_set_wrap (GTK_LABEL (value), TRUE);
          gtk_label_set_wrap_mode (GTK_LABEL (value), PANGO_WRAP_WORD_CHAR);
          gtk_widget_add_css_class (value, "review-value");
          gtk_box_append (GTK_BOX (row), label);
          gtk_box_append (GTK_BOX (row), value);
          gtk_box_append (GTK_BOX (box), row);
        }
    }
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
      gtk_accessible_update_property (GTK_ACCESSIBLE (change), GTK_ACCESSIBLE_PROPERTY_LABEL, change_label, -1);
      gtk_actionable_set_action_name (GTK_ACTIONABLE (change), "wizard.goto-page");
      gtk_actionable_set_action_target (GTK_ACTIONABLE (change), "i", (gint32) i);
      gtk_box_append (GTK_BOX (header), heading);
      gtk_box_append (GTK_BOX (header), change);
      gtk_box_append (self->review_box, header);
      review_append (self, GTK_WIDGET (self->review_box), page, KIOSK_FIELD_NO_INSTANCE);
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
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->page_error), GTK_ACCESSIBLE_PROPERTY_LABEL, message, -1);
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

  reference = kiosk_submitter_submit (self->submitter, self->answers, self->today, &problems, &error);
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
    collect_fields (page, fields, TRUE);
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

  return page != NULL ? find_named (page, group_id) : NULL;
}

void
kiosk_wizard_wipe (KioskWizard *self)
{
  g_autoptr(GPtrArray) fields = g_ptr_array_new ();
  GtkWidget *child;

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
