/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "antragskiosk-field"

#include "config.h"

#include <string.h>
#include <glib/gi18n-lib.h>

#include "kiosk-a11y.h"
#include "kiosk-field.h"

struct _KioskField {
  GtkBox              parent_instance;
  KioskAnswers       *answers;
  const KioskElement *element;
  guint               instance;
  GtkWidget          *input;
  GtkDropDown        *dropdown;   /* select */
  GPtrArray          *toggles;    /* radio: GtkToggleButton*, in code order */
  GtkLabel           *label;
  GtkLabel           *help;
  GtkLabel           *error;
  GtkBox             *input_box;
  gboolean            loading;
  gboolean            required;   /* now: "*", AT-SPI, speech */
  char               *error_text;
};

G_DEFINE_FINAL_TYPE (KioskField, kiosk_field, GTK_TYPE_BOX)

enum {
  SIGNAL_CHANGED,
  N_SIGNALS,
};

static guint signals[N_SIGNALS];

static void
kiosk_field_store (KioskField *self, const char *value)
{
  if (self->loading)
    return;
  kiosk_answers_set_value (self->answers, self->element, &self->instance,
                           self->instance == KIOSK_FIELD_NO_INSTANCE ? 0 : 1, value);
  /* The visitor is correcting it: the old complaint goes (it said "please
   * fill in" beside what they had just typed); Next checks again. */
  kiosk_field_set_error (self, NULL);
  g_signal_emit (self, signals[SIGNAL_CHANGED], 0);
}

static void
editable_changed_cb (GtkEditable *editable,
                     KioskField  *self)
{
  kiosk_field_store (self, gtk_editable_get_text (editable));
}

static void
buffer_changed_cb (GtkTextBuffer *buffer,
                   KioskField    *self)
{
  GtkTextIter start, end;
  g_autofree char *text = NULL;

  gtk_text_buffer_get_bounds (buffer, &start, &end);
  text = gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
  kiosk_field_store (self, text);
  memset (text, 0, strlen (text));
}

static void
wrapping_label_setup_cb (GtkSignalListItemFactory *factory,
                         GtkListItem              *item,
                         gpointer                  user_data)
{
  GtkWidget *label = gtk_label_new (NULL);

  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_label_set_wrap_mode (GTK_LABEL (label), PANGO_WRAP_WORD_CHAR);
  gtk_label_set_max_width_chars (GTK_LABEL (label), 40);
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_list_item_set_child (item, label);
}

static void
wrapping_label_bind_cb (GtkSignalListItemFactory *factory,
                        GtkListItem              *item,
                        gpointer                  user_data)
{
  GtkStringObject *string = gtk_list_item_get_item (item);

  gtk_label_set_label (GTK_LABEL (gtk_list_item_get_child (item)), gtk_string_object_get_string (string));
}

/* Rows of a drop-down as labels that wrap at 40 characters. */
static GtkListItemFactory *
wrapping_label_factory_new (void)
{
  GtkListItemFactory *factory = gtk_signal_list_item_factory_new ();

  g_signal_connect (factory, "setup", G_CALLBACK (wrapping_label_setup_cb), NULL);
  g_signal_connect (factory, "bind", G_CALLBACK (wrapping_label_bind_cb), NULL);
  return factory;
}

static void
dropdown_selected_cb (GtkDropDown *dropdown,
                      GParamSpec  *pspec,
                      KioskField  *self)
{
  guint selected = gtk_drop_down_get_selected (dropdown);
  const KioskCodeList *list = self->element->code_list;

  if (selected == GTK_INVALID_LIST_POSITION || selected == 0 || list == NULL)
    kiosk_field_store (self, NULL);
  else
    kiosk_field_store (self, ((KioskCode *) g_ptr_array_index (list->codes, selected - 1))->code);
}

static void
toggle_cb (GtkToggleButton *button,
           KioskField      *self)
{
  if (!gtk_toggle_button_get_active (button))
    return;
  kiosk_field_store (self, g_object_get_data (G_OBJECT (button), "kiosk-code"));
}

static void
check_cb (GtkCheckButton *button,
          KioskField     *self)
{
  kiosk_field_store (self, gtk_check_button_get_active (button) ? "true" : "false");
}

static void
entry_setup (KioskField *self, GtkEntry *entry)
{
  GtkInputPurpose purpose = GTK_INPUT_PURPOSE_FREE_FORM;
  GtkInputHints hints = GTK_INPUT_HINT_NO_SPELLCHECK | GTK_INPUT_HINT_NO_EMOJI;

  switch (self->element->kind)
    {
    case KIOSK_KIND_EMAIL: purpose = GTK_INPUT_PURPOSE_EMAIL; hints |= GTK_INPUT_HINT_LOWERCASE; break;
    case KIOSK_KIND_PHONE: purpose = GTK_INPUT_PURPOSE_PHONE; break;
    case KIOSK_KIND_POSTCODE:
    case KIOSK_KIND_TAXID:
    case KIOSK_KIND_INTEGER: purpose = GTK_INPUT_PURPOSE_DIGITS; break;
    /* An IBAN starts with letters ("DE"): a digit pad could not type it. */
    case KIOSK_KIND_IBAN: purpose = GTK_INPUT_PURPOSE_ALPHA; hints |= GTK_INPUT_HINT_UPPERCASE_CHARS; break;
    case KIOSK_KIND_NUMBER:
    case KIOSK_KIND_CURRENCY:
    case KIOSK_KIND_DATE: purpose = GTK_INPUT_PURPOSE_NUMBER; break;
    case KIOSK_KIND_NAME: purpose = GTK_INPUT_PURPOSE_NAME; hints |= GTK_INPUT_HINT_UPPERCASE_WORDS; break;
    default: break;
    }
  gtk_entry_set_input_purpose (entry, purpose);
  gtk_entry_set_input_hints (entry, hints);
  gtk_editable_set_enable_undo (GTK_EDITABLE (entry), FALSE);
  if (self->element->max_length > 0)
    gtk_entry_set_max_length (entry, self->element->max_length);
  /* The narrow kinds are as wide as their text at every text size. */
  if (self->element->kind == KIOSK_KIND_DATE)
    gtk_editable_set_width_chars (GTK_EDITABLE (entry), 11);
  else if (self->element->kind == KIOSK_KIND_POSTCODE)
    gtk_editable_set_width_chars (GTK_EDITABLE (entry), 6);
  if (self->element->placeholder != NULL)
    gtk_entry_set_placeholder_text (entry, kiosk_text_get (self->element->placeholder, NULL));
  else if (self->element->kind == KIOSK_KIND_DATE)
    gtk_entry_set_placeholder_text (entry, _("DD.MM.YYYY"));
}

/* The label, with " *" while the field must be answered. */
static void
show_label (KioskField *self)
{
  const char *label = kiosk_text_get (self->element->label, NULL);
  g_autofree char *text = self->required ? g_strdup_printf ("%s *", label) : g_strdup (label);

  gtk_label_set_label (self->label, text);
}

static void
kiosk_field_build (KioskField *self)
{
  const KioskElement *element = self->element;
  const char *label = kiosk_text_get (element->label, NULL);
  const char *value = NULL;

  if (kiosk_kind_is_input (element->kind))
    value = kiosk_answers_get_value (self->answers, element, &self->instance,
                                     self->instance == KIOSK_FIELD_NO_INSTANCE ? 0 : 1);
  self->required = element->required;
  show_label (self);
  self->loading = TRUE;
  switch (element->kind)
    {
    case KIOSK_KIND_STATIC:
      gtk_label_set_label (self->label, label);
      gtk_widget_remove_css_class (GTK_WIDGET (self->label), "field-label");
      gtk_widget_add_css_class (GTK_WIDGET (self->label), "field-static");
      break;
    case KIOSK_KIND_MULTILINE:
      {
        GtkWidget *view = gtk_text_view_new ();
        GtkTextBuffer *buffer = gtk_text_view_get_buffer (GTK_TEXT_VIEW (view));
        gtk_text_buffer_set_enable_undo (buffer, FALSE);
        gtk_text_view_set_wrap_mode (GTK_TEXT_VIEW (view), GTK_WRAP_WORD_CHAR);
        gtk_text_view_set_accepts_tab (GTK_TEXT_VIEW (view), FALSE);
        gtk_widget_add_css_class (view, "field-multiline");
        gtk_text_buffer_set_text (buffer, value != NULL ? value : "", -1);
        g_signal_connect (buffer, "changed", G_CALLBACK (buffer_changed_cb), self);
        self->input = view;
        gtk_box_append (self->input_box, view);
      }
      break;
    case KIOSK_KIND_SELECT:
      {
        GtkStringList *strings = gtk_string_list_new (NULL);
        guint selected = 0;
        gtk_string_list_append (strings, _("Please choose"));
        for (guint i = 0; element->code_list != NULL && i < element->code_list->codes->len; i++)
          {
            KioskCode *code = g_ptr_array_index (element->code_list->codes, i);
            gtk_string_list_append (strings, kiosk_text_get (code->label, NULL));
            if (g_strcmp0 (value, code->code) == 0)
              selected = i + 1;
          }
        self->dropdown = GTK_DROP_DOWN (gtk_drop_down_new (G_LIST_MODEL (strings), NULL));
        /* Long choices (a dog breed in Ukrainian with its German name in
         * brackets) wrap instead of widening the page past the screen. */
        {
          g_autoptr(GtkListItemFactory) factory = wrapping_label_factory_new ();

          gtk_drop_down_set_factory (self->dropdown, factory);
          gtk_drop_down_set_list_factory (self->dropdown, factory);
        }
        gtk_drop_down_set_selected (self->dropdown, selected);
        g_signal_connect (self->dropdown, "notify::selected", G_CALLBACK (dropdown_selected_cb), self);
        self->input = GTK_WIDGET (self->dropdown);
        gtk_widget_set_halign (self->input, GTK_ALIGN_START);
        gtk_box_append (self->input_box, self->input);
      }
      break;
    case KIOSK_KIND_RADIO:
      {
        GtkWidget *box = gtk_flow_box_new ();
        GtkToggleButton *first = NULL;
        gtk_flow_box_set_selection_mode (GTK_FLOW_BOX (box), GTK_SELECTION_NONE);
        gtk_flow_box_set_max_children_per_line (GTK_FLOW_BOX (box), 4);
        gtk_flow_box_set_homogeneous (GTK_FLOW_BOX (box), FALSE);
        kiosk_a11y_flow_box_activates (GTK_FLOW_BOX (box));
        kiosk_a11y_set_label (box, label);
        self->toggles = g_ptr_array_new ();
        for (guint i = 0; element->code_list != NULL && i < element->code_list->codes->len; i++)
          {
            KioskCode *code = g_ptr_array_index (element->code_list->codes, i);
            GtkWidget *toggle = gtk_toggle_button_new_with_label (kiosk_text_get (code->label, NULL));
            g_object_set_data_full (G_OBJECT (toggle), "kiosk-code", g_strdup (code->code), g_free);
            gtk_widget_add_css_class (toggle, "choice");
            if (first == NULL)
              first = GTK_TOGGLE_BUTTON (toggle);
            else
              gtk_toggle_button_set_group (GTK_TOGGLE_BUTTON (toggle), first);
            if (g_strcmp0 (value, code->code) == 0)
              gtk_toggle_button_set_active (GTK_TOGGLE_BUTTON (toggle), TRUE);
            g_signal_connect (toggle, "toggled", G_CALLBACK (toggle_cb), self);
            gtk_flow_box_append (GTK_FLOW_BOX (box), toggle);
            g_ptr_array_add (self->toggles, toggle);
          }
        self->input = box;
        gtk_box_append (self->input_box, box);
      }
      break;
    case KIOSK_KIND_CHECKBOX:
      {
        GtkWidget *check = gtk_check_button_new_with_label (label);
        GtkWidget *child;
        gtk_check_button_set_active (GTK_CHECK_BUTTON (check), g_strcmp0 (value, "true") == 0);
        /* The check button's own label wraps; the field label would repeat it. */
        child = gtk_widget_get_last_child (check);
        if (GTK_IS_LABEL (child))
          {
            gtk_label_set_wrap (GTK_LABEL (child), TRUE);
            gtk_label_set_xalign (GTK_LABEL (child), 0);
          }
        gtk_widget_set_visible (GTK_WIDGET (self->label), FALSE);
        g_signal_connect (check, "toggled", G_CALLBACK (check_cb), self);
        self->input = check;
        gtk_box_append (self->input_box, check);
      }
      break;
    default:
      {
        GtkWidget *entry = gtk_entry_new ();
        entry_setup (self, GTK_ENTRY (entry));
        gtk_editable_set_text (GTK_EDITABLE (entry), value != NULL ? value : "");
        g_signal_connect (entry, "changed", G_CALLBACK (editable_changed_cb), self);
        if (element->kind == KIOSK_KIND_POSTCODE || element->kind == KIOSK_KIND_DATE
            || element->kind == KIOSK_KIND_INTEGER)
          gtk_widget_set_halign (entry, GTK_ALIGN_START);
        self->input = entry;
        gtk_box_append (self->input_box, entry);
      }
      break;
    }
  self->loading = FALSE;
  if (self->input != NULL)
    {
      gtk_label_set_mnemonic_widget (self->label, self->input);
      if (!GTK_IS_CHECK_BUTTON (self->input) && !GTK_IS_FLOW_BOX (self->input))
        kiosk_a11y_set_label (self->input, label);
      /* The focus goes to the drop-down's own button, which GTK 4.8 names
       * "GtkToggleButton" on AT-SPI: it gets the field's label too. */
      if (self->dropdown != NULL)
        for (GtkWidget *child = gtk_widget_get_first_child (self->input); child != NULL;
             child = gtk_widget_get_next_sibling (child))
          if (GTK_IS_TOGGLE_BUTTON (child))
            kiosk_a11y_set_label (child, label);
      if (element->required)
        gtk_accessible_update_property (GTK_ACCESSIBLE (self->input), GTK_ACCESSIBLE_PROPERTY_REQUIRED, TRUE, -1);
    }
  if (element->help != NULL)
    {
      gtk_label_set_label (self->help, kiosk_text_get (element->help, NULL));
      gtk_widget_set_visible (GTK_WIDGET (self->help), TRUE);
      if (self->input != NULL)
        kiosk_a11y_set_description (self->input, kiosk_text_get (element->help, NULL));
    }
}

static void
kiosk_field_dispose (GObject *object)
{
  KioskField *self = KIOSK_FIELD (object);

  g_clear_pointer (&self->toggles, g_ptr_array_unref);
  g_clear_pointer (&self->error_text, g_free);
  gtk_widget_dispose_template (GTK_WIDGET (self), KIOSK_TYPE_FIELD);
  G_OBJECT_CLASS (kiosk_field_parent_class)->dispose (object);
}

static void
kiosk_field_class_init (KioskFieldClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = kiosk_field_dispose;
  signals[SIGNAL_CHANGED] = g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                          0, NULL, NULL, NULL, G_TYPE_NONE, 0);
  gtk_widget_class_set_template_from_resource (widget_class, "/de/antragskiosk/kiosk/ui/kiosk-field.ui");
  gtk_widget_class_bind_template_child (widget_class, KioskField, label);
  gtk_widget_class_bind_template_child (widget_class, KioskField, help);
  gtk_widget_class_bind_template_child (widget_class, KioskField, error);
  gtk_widget_class_bind_template_child (widget_class, KioskField, input_box);
}

static void
kiosk_field_init (KioskField *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

KioskField *
kiosk_field_new (KioskAnswers       *answers,
                 const KioskElement *element,
                 guint               instance)
{
  KioskField *self = g_object_new (KIOSK_TYPE_FIELD, NULL);

  self->answers = answers;
  self->element = element;
  self->instance = instance;
  kiosk_field_build (self);
  return self;
}

const KioskElement *
kiosk_field_get_element (KioskField *self)
{
  return self->element;
}

guint
kiosk_field_get_instance (KioskField *self)
{
  return self->instance;
}

GtkWidget *
kiosk_field_get_input (KioskField *self)
{
  return self->input;
}

const char *
kiosk_field_get_error (KioskField *self)
{
  return self->error_text;
}

void
kiosk_field_set_error (KioskField *self,
                       const char *message)
{
  gboolean invalid = message != NULL && *message != '\0';

  if (g_strcmp0 (self->error_text, message) == 0)
    return;
  g_free (self->error_text);
  self->error_text = invalid ? g_strdup (message) : NULL;
  gtk_label_set_label (self->error, invalid ? message : "");
  gtk_widget_set_visible (GTK_WIDGET (self->error), invalid);
  if (invalid)
    gtk_widget_add_css_class (GTK_WIDGET (self), "invalid");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self), "invalid");
  if (self->input != NULL)
    {
      gtk_accessible_update_state (GTK_ACCESSIBLE (self->input), GTK_ACCESSIBLE_STATE_INVALID,
                                   invalid ? GTK_ACCESSIBLE_INVALID_TRUE : GTK_ACCESSIBLE_INVALID_FALSE, -1);
      /* The error label is an alert (read out when it appears); the input
       * also carries it as its description, beside the help text. */
      if (invalid || self->element->help != NULL)
        {
          g_autofree char *description = NULL;
          const char *help = self->element->help != NULL ? kiosk_text_get (self->element->help, NULL) : NULL;
          if (invalid && help != NULL)
            description = g_strdup_printf ("%s %s", message, help);
          else
            description = g_strdup (invalid ? message : help);
          kiosk_a11y_set_description (self->input, description);
        }
      else
        kiosk_a11y_set_description (self->input, NULL);
    }
}

/* A field required by an expression ("when no phone number is given")
 * shows it as the answers change: the "*", AT-SPI's required state, and
 * speech says "required". */
static void
update_required (KioskField *self, const char *today)
{
  gboolean required = kiosk_answers_is_required (self->answers, self->element, &self->instance,
                                                 self->instance == KIOSK_FIELD_NO_INSTANCE ? 0 : 1, today);

  if (required == self->required)
    return;
  self->required = required;
  show_label (self);
  if (self->input != NULL)
    gtk_accessible_update_property (GTK_ACCESSIBLE (self->input), GTK_ACCESSIBLE_PROPERTY_REQUIRED, required, -1);
}

gboolean
kiosk_field_get_required (KioskField *self)
{
  return self->required;
}

void
kiosk_field_update_relevance (KioskField *self,
                              const char *today)
{
  gboolean conditional = FALSE;
  gboolean relevant;

  /* Most fields have no condition on themselves or their groups: they
   * are always asked, and evaluating would cost a pass over the whole
   * answer set per field (quadratic on a big page). */
  for (const KioskElement *e = self->element; e != NULL; e = e->parent)
    conditional |= e->relevant != NULL;
  relevant = !conditional
             || kiosk_answers_is_relevant (self->answers, self->element, &self->instance,
                                           self->instance == KIOSK_FIELD_NO_INSTANCE ? 0 : 1, today);

  gtk_widget_set_visible (GTK_WIDGET (self), relevant);
  if (!relevant)
    kiosk_field_set_error (self, NULL);
  else if (self->element->required_if != NULL)
    update_required (self, today);
}

void
kiosk_field_wipe (KioskField *self)
{
  self->loading = TRUE;
  if (GTK_IS_EDITABLE (self->input))
    {
      const char *text = gtk_editable_get_text (GTK_EDITABLE (self->input));
      g_autofree char *blank = g_strnfill (strlen (text), ' ');
      gtk_editable_set_text (GTK_EDITABLE (self->input), blank);
      gtk_editable_set_text (GTK_EDITABLE (self->input), "");
    }
  else if (GTK_IS_TEXT_VIEW (self->input))
    {
      GtkTextBuffer *buffer = gtk_text_view_get_buffer (GTK_TEXT_VIEW (self->input));
      int n = gtk_text_buffer_get_char_count (buffer);
      g_autofree char *blank = g_strnfill (n, ' ');
      gtk_text_buffer_set_text (buffer, blank, -1);
      gtk_text_buffer_set_text (buffer, "", -1);
    }
  else if (self->dropdown != NULL)
    gtk_drop_down_set_selected (self->dropdown, 0);
  else if (GTK_IS_CHECK_BUTTON (self->input))
    gtk_check_button_set_active (GTK_CHECK_BUTTON (self->input), FALSE);
  else if (self->toggles != NULL)
    for (guint i = 0; i < self->toggles->len; i++)
      gtk_toggle_button_set_active (g_ptr_array_index (self->toggles, i), FALSE);
  self->loading = FALSE;
  kiosk_field_set_error (self, NULL);
}

void
kiosk_field_focus (KioskField *self)
{
  if (self->toggles != NULL && self->toggles->len > 0)
    gtk_widget_grab_focus (g_ptr_array_index (self->toggles, 0));
  else if (self->input != NULL)
    gtk_widget_grab_focus (self->input);
}
