/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "antragskiosk-keyboard"

#include "config.h"

#include <glib/gi18n-lib.h>

#include <antragskiosk/i18n.h>

#include "kiosk-keyboard.h"
#include "kiosk-keyboard-letters.h"

struct _KioskKeyboard {
  GtkBox               parent_instance;
  GtkWindow           *window;
  KioskKeyboardLayout  layout;
  gboolean             shift;
  GtkBox              *rows;
  GtkBox              *panel;          /* the variants of one key, instead of the rows */
  const _KioskKeyGroup *group;         /* shown in the panel, or NULL */
  GtkWidget           *held;           /* the key whose long press opened it */
  char                *language;       /* of the labels */
};

G_DEFINE_FINAL_TYPE (KioskKeyboard, kiosk_keyboard, GTK_TYPE_BOX)

/* Special keys are named by a leading control character. */
#define KEY_BACKSPACE "\x01"
#define KEY_SHIFT     "\x02"
#define KEY_SPACE     "\x03"
#define KEY_TAB       "\x04"
#define KEY_DONE      "\x05"
#define KEY_BACK      "\x06"

/* The variants panel: up to 4 rows of 12 keys (the largest group, o, has
 * 34), then shift and back; as tall as the five rows it replaces. */
#define PANEL_COLUMNS 12
#define PANEL_ROWS    4

static const char *const text_rows[][13] = {
  { "1", "2", "3", "4", "5", "6", "7", "8", "9", "0", "ß", KEY_BACKSPACE, NULL },
  { "q", "w", "e", "r", "t", "z", "u", "i", "o", "p", "ü", NULL },
  { "a", "s", "d", "f", "g", "h", "j", "k", "l", "ö", "ä", NULL },
  { KEY_SHIFT, "y", "x", "c", "v", "b", "n", "m", ",", ".", "-", "’", NULL },
  { KEY_SPACE, KEY_TAB, KEY_DONE, NULL },
};

static const char *const numeric_rows[][13] = {
  { "7", "8", "9", NULL },
  { "4", "5", "6", NULL },
  { "1", "2", "3", NULL },
  { ",", "0", ".", KEY_BACKSPACE, NULL },
  { KEY_TAB, KEY_DONE, NULL },
};

static const char *const email_rows[][13] = {
  { "1", "2", "3", "4", "5", "6", "7", "8", "9", "0", KEY_BACKSPACE, NULL },
  { "q", "w", "e", "r", "t", "z", "u", "i", "o", "p", NULL },
  { "a", "s", "d", "f", "g", "h", "j", "k", "l", "@", NULL },
  { "y", "x", "c", "v", "b", "n", "m", ".", "-", "_", ".de", NULL },
  { KEY_TAB, KEY_DONE, NULL },
};

static GtkWidget *
focused_target (KioskKeyboard *self)
{
  GtkWidget *focus = self->window != NULL ? gtk_root_get_focus (GTK_ROOT (self->window)) : NULL;

  if (focus == NULL)
    return NULL;
  if (GTK_IS_EDITABLE (focus) || GTK_IS_TEXT_VIEW (focus))
    return focus;
  return NULL;
}

static void
type_text (KioskKeyboard *self, const char *text)
{
  GtkWidget *target = focused_target (self);

  if (target == NULL)
    return;
  if (GTK_IS_TEXT_VIEW (target))
    {
      GtkTextBuffer *buffer = gtk_text_view_get_buffer (GTK_TEXT_VIEW (target));
      gtk_text_buffer_insert_interactive_at_cursor (buffer, text, -1, TRUE);
    }
  else
    {
      int position = gtk_editable_get_position (GTK_EDITABLE (target));
      gtk_editable_delete_selection (GTK_EDITABLE (target));
      position = gtk_editable_get_position (GTK_EDITABLE (target));
      gtk_editable_insert_text (GTK_EDITABLE (target), text, -1, &position);
      gtk_editable_set_position (GTK_EDITABLE (target), position);
    }
}

static void
backspace (KioskKeyboard *self)
{
  GtkWidget *target = focused_target (self);

  if (target == NULL)
    return;
  if (GTK_IS_TEXT_VIEW (target))
    {
      GtkTextBuffer *buffer = gtk_text_view_get_buffer (GTK_TEXT_VIEW (target));
      GtkTextIter iter;
      gtk_text_buffer_get_iter_at_mark (buffer, &iter, gtk_text_buffer_get_insert (buffer));
      gtk_text_buffer_backspace (buffer, &iter, TRUE, TRUE);
    }
  else
    {
      int start, end;
      if (gtk_editable_get_selection_bounds (GTK_EDITABLE (target), &start, &end))
        gtk_editable_delete_selection (GTK_EDITABLE (target));
      else if (start > 0)
        gtk_editable_delete_text (GTK_EDITABLE (target), start - 1, start);
    }
}

static void rebuild (KioskKeyboard *self);
static void show_group (KioskKeyboard *self, const _KioskKeyGroup *group);

static void
key_clicked_cb (GtkButton     *button,
                KioskKeyboard *self)
{
  const char *key = g_object_get_data (G_OBJECT (button), "kiosk-key");
  const char *variant = g_object_get_data (G_OBJECT (button), "kiosk-variant");

  /* The release of a long press that opened the panel is no tap. */
  if (self->held != NULL && GTK_WIDGET (button) == self->held)
    return;
  if (variant != NULL)
    {
      /* Typed as listed (NFC), whatever the case mapping would make. */
      type_text (self, variant);
      self->shift = FALSE;
      show_group (self, NULL);
      rebuild (self);
    }
  else if (g_strcmp0 (key, KEY_BACK) == 0)
    show_group (self, NULL);
  else if (g_strcmp0 (key, KEY_DONE) == 0)
    kiosk_keyboard_dismiss (self);
  else if (g_strcmp0 (key, KEY_BACKSPACE) == 0)
    backspace (self);
  else if (g_strcmp0 (key, KEY_SHIFT) == 0)
    {
      self->shift = !self->shift;
      rebuild (self);
      if (self->group != NULL)
        show_group (self, self->group);
    }
  else if (g_strcmp0 (key, KEY_SPACE) == 0)
    type_text (self, " ");
  else if (g_strcmp0 (key, KEY_TAB) == 0)
    {
      GtkWidget *target = focused_target (self);
      if (target != NULL)
        gtk_widget_child_focus (GTK_WIDGET (self->window), GTK_DIR_TAB_FORWARD);
    }
  else
    {
      g_autofree char *text = self->shift ? g_utf8_strup (key, -1) : g_strdup (key);
      /* ß has no single upper-case letter in everyday use. */
      type_text (self, g_strcmp0 (key, "ß") == 0 ? key : text);
      if (self->shift)
        {
          self->shift = FALSE;
          rebuild (self);
        }
    }
}

/* A long press on a letter (or the apostrophe) shows its variants in
 * place of the rows; the finger lifted, a tap types one. */
static void
key_held_cb (GtkGestureLongPress *gesture,
             double               x,
             double               y,
             KioskKeyboard       *self)
{
  GtkWidget *button = gtk_event_controller_get_widget (GTK_EVENT_CONTROLLER (gesture));
  const _KioskKeyGroup *group = _kiosk_keyboard_group_for_key (g_object_get_data (G_OBJECT (button), "kiosk-key"));

  if (group == NULL)
    return;
  /* The button's own click gesture lets go: no letter on release. */
  gtk_gesture_set_state (GTK_GESTURE (gesture), GTK_EVENT_SEQUENCE_CLAIMED);
  show_group (self, group);
  self->held = button;
}

static GtkWidget *
key_new (KioskKeyboard *self, const char *key)
{
  const char *label = key;
  const char *name = NULL;
  GtkWidget *button;
  g_autofree char *upper = NULL;

  if (g_strcmp0 (key, KEY_BACKSPACE) == 0)
    label = "⌫", name = _("Delete");
  else if (g_strcmp0 (key, KEY_SHIFT) == 0)
    label = "⇧", name = _("Capital letter");
  else if (g_strcmp0 (key, KEY_SPACE) == 0)
    label = name = _("Space");
  else if (g_strcmp0 (key, KEY_TAB) == 0)
    label = name = _("Next field");
  else if (g_strcmp0 (key, KEY_DONE) == 0)
    label = name = _("Done");
  else if (g_strcmp0 (key, KEY_BACK) == 0)
    label = name = _("Back");
  else if (self->shift && g_strcmp0 (key, "ß") != 0)
    label = upper = g_utf8_strup (key, -1);
  button = gtk_button_new_with_label (label);
  gtk_widget_set_focusable (button, FALSE);
  gtk_widget_set_focus_on_click (button, FALSE);
  gtk_widget_add_css_class (button, "key");
  gtk_widget_set_hexpand (button, TRUE);
  if (g_strcmp0 (key, KEY_SPACE) == 0)
    gtk_widget_add_css_class (button, "key-space");
  gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  name != NULL ? name : label, -1);
  g_object_set_data_full (G_OBJECT (button), "kiosk-key", g_strdup (key), g_free);
  g_signal_connect (button, "clicked", G_CALLBACK (key_clicked_cb), self);
  if (self->layout == KIOSK_KEYBOARD_TEXT && _kiosk_keyboard_group_for_key (key) != NULL)
    {
      GtkGesture *hold = gtk_gesture_long_press_new ();
      g_signal_connect (hold, "pressed", G_CALLBACK (key_held_cb), self);
      gtk_widget_add_controller (button, GTK_EVENT_CONTROLLER (hold));
      gtk_widget_add_css_class (button, "has-variants");
      gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION,
                                      _("Hold for more letters"), -1);
    }
  return button;
}

/* A key of the panel: types @text exactly. */
static GtkWidget *
variant_key_new (KioskKeyboard *self, const _KioskKeyVariant *variant)
{
  const char *text = self->shift ? variant->upper : variant->lower;
  GtkWidget *button = gtk_button_new_with_label (text);
  g_autofree char *name = NULL;

  gtk_widget_set_focusable (button, FALSE);
  gtk_widget_set_focus_on_click (button, FALSE);
  gtk_widget_add_css_class (button, "key");
  gtk_widget_add_css_class (button, "key-variant");
  gtk_widget_set_hexpand (button, TRUE);
  /* The name of the letter; upper case named from the upper-case form. */
  if (self->shift && g_strcmp0 (variant->upper, variant->lower) != 0)
    name = g_strconcat ("capital ", variant->name, NULL);
  gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  name != NULL ? name : variant->name, -1);
  g_object_set_data_full (G_OBJECT (button), "kiosk-name", g_strdup (name != NULL ? name : variant->name), g_free);
  g_object_set_data_full (G_OBJECT (button), "kiosk-variant", g_strdup (text), g_free);
  g_signal_connect (button, "clicked", G_CALLBACK (key_clicked_cb), self);
  return button;
}

static GtkWidget *
row_new (gboolean homogeneous)
{
  GtkWidget *row = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);

  gtk_box_set_homogeneous (GTK_BOX (row), homogeneous);
  /* Latin letters in QWERTZ order, also when the page is right to left. */
  gtk_widget_set_direction (row, GTK_TEXT_DIR_LTR);
  return row;
}

/* Shows the variants of @group in place of the rows, or (NULL) the rows. */
static void
show_group (KioskKeyboard *self, const _KioskKeyGroup *group)
{
  GtkWidget *child;

  self->group = group;
  self->held = NULL;
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->panel))) != NULL)
    gtk_box_remove (self->panel, child);
  if (group != NULL)
    {
      GtkWidget *row = NULL, *controls;

      for (guint i = 0; i < PANEL_COLUMNS * PANEL_ROWS; i++)
        {
          if (i % PANEL_COLUMNS == 0)
            {
              row = row_new (TRUE);
              gtk_box_append (self->panel, row);
            }
          if (i < group->variants->len)
            gtk_box_append (GTK_BOX (row), variant_key_new (self, g_ptr_array_index (group->variants, i)));
          else
            {
              /* An empty cell keeps the columns where they are. */
              GtkWidget *blank = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 0);
              gtk_widget_set_hexpand (blank, TRUE);
              gtk_box_append (GTK_BOX (row), blank);
            }
        }
      controls = row_new (TRUE);
      gtk_box_append (GTK_BOX (controls), key_new (self, KEY_SHIFT));
      gtk_box_append (GTK_BOX (controls), key_new (self, KEY_BACK));
      gtk_box_append (self->panel, controls);
    }
  gtk_widget_set_visible (GTK_WIDGET (self->rows), group == NULL);
  gtk_widget_set_visible (GTK_WIDGET (self->panel), group != NULL);
}

static void
rebuild (KioskKeyboard *self)
{
  const char *const (*rows)[13];
  guint n_rows;
  GtkWidget *child;

  switch (self->layout)
    {
    case KIOSK_KEYBOARD_NUMERIC: rows = numeric_rows; n_rows = G_N_ELEMENTS (numeric_rows); break;
    case KIOSK_KEYBOARD_EMAIL: rows = email_rows; n_rows = G_N_ELEMENTS (email_rows); break;
    default: rows = text_rows; n_rows = G_N_ELEMENTS (text_rows); break;
    }
  g_free (self->language);
  self->language = g_strdup (kiosk_i18n_get_language ());
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->rows), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("On-screen keyboard"), -1);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->panel), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("More letters"), -1);
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->rows))) != NULL)
    gtk_box_remove (self->rows, child);
  for (guint r = 0; r < n_rows; r++)
    {
      GtkWidget *row = row_new (self->layout != KIOSK_KEYBOARD_TEXT || r != 4);
      if (self->layout == KIOSK_KEYBOARD_NUMERIC)
        gtk_widget_set_halign (row, GTK_ALIGN_CENTER);
      for (guint k = 0; rows[r][k] != NULL; k++)
        gtk_box_append (GTK_BOX (row), key_new (self, rows[r][k]));
      gtk_box_append (self->rows, row);
    }
}

static void
focus_changed_cb (GtkWindow     *window,
                  GParamSpec    *pspec,
                  KioskKeyboard *self)
{
  GtkWidget *target = focused_target (self);
  GtkInputPurpose purpose = GTK_INPUT_PURPOSE_FREE_FORM;
  KioskKeyboardLayout layout = KIOSK_KEYBOARD_TEXT;

  gtk_widget_set_visible (GTK_WIDGET (self), target != NULL);
  if (self->group != NULL)
    show_group (self, NULL);
  if (target == NULL)
    return;
  /* The labels follow the visitor's language. */
  if (g_strcmp0 (self->language, kiosk_i18n_get_language ()) != 0)
    {
      self->shift = FALSE;
      rebuild (self);
    }
  if (GTK_IS_TEXT_VIEW (target))
    purpose = gtk_text_view_get_input_purpose (GTK_TEXT_VIEW (target));
  else if (g_object_class_find_property (G_OBJECT_GET_CLASS (target), "input-purpose") != NULL)
    g_object_get (target, "input-purpose", &purpose, NULL);
  if (purpose == GTK_INPUT_PURPOSE_DIGITS || purpose == GTK_INPUT_PURPOSE_NUMBER
      || purpose == GTK_INPUT_PURPOSE_PHONE || purpose == GTK_INPUT_PURPOSE_PIN)
    layout = KIOSK_KEYBOARD_NUMERIC;
  else if (purpose == GTK_INPUT_PURPOSE_EMAIL)
    layout = KIOSK_KEYBOARD_EMAIL;
  kiosk_keyboard_set_layout (self, layout);
}

static void
kiosk_keyboard_dispose (GObject *object)
{
  KioskKeyboard *self = KIOSK_KEYBOARD (object);

  if (self->window != NULL)
    g_signal_handlers_disconnect_by_data (self->window, self);
  self->window = NULL;
  self->group = NULL;
  self->held = NULL;
  g_clear_pointer (&self->language, g_free);
  gtk_widget_dispose_template (GTK_WIDGET (self), KIOSK_TYPE_KEYBOARD);
  G_OBJECT_CLASS (kiosk_keyboard_parent_class)->dispose (object);
}

static void
kiosk_keyboard_class_init (KioskKeyboardClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = kiosk_keyboard_dispose;
  gtk_widget_class_set_template_from_resource (widget_class, "/de/antragskiosk/kiosk/ui/kiosk-keyboard.ui");
  gtk_widget_class_bind_template_child (widget_class, KioskKeyboard, rows);
  gtk_widget_class_bind_template_child (widget_class, KioskKeyboard, panel);
}

static void
kiosk_keyboard_init (KioskKeyboard *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  rebuild (self);
}

KioskKeyboard *
kiosk_keyboard_new (void)
{
  return g_object_new (KIOSK_TYPE_KEYBOARD, NULL);
}

void
kiosk_keyboard_attach (KioskKeyboard *self, GtkWindow *window)
{
  self->window = window;
  g_signal_connect (window, "notify::focus-widget", G_CALLBACK (focus_changed_cb), self);
  focus_changed_cb (window, NULL, self);
}

gboolean
kiosk_keyboard_dismiss (KioskKeyboard *self)
{
  if (self->window == NULL || !gtk_widget_get_visible (GTK_WIDGET (self)))
    return FALSE;
  /* The keyboard follows the focus: without a focused field it goes, and
   * a tap on the field brings it back. */
  gtk_window_set_focus (self->window, NULL);
  gtk_widget_set_visible (GTK_WIDGET (self), FALSE);
  show_group (self, NULL);
  return TRUE;
}

KioskKeyboardLayout
kiosk_keyboard_get_layout (KioskKeyboard *self)
{
  return self->layout;
}

void
kiosk_keyboard_set_layout (KioskKeyboard *self, KioskKeyboardLayout layout)
{
  if (self->layout == layout)
    return;
  self->layout = layout;
  self->shift = FALSE;
  show_group (self, NULL);
  rebuild (self);
}

static GtkWidget *
find_key (GtkWidget *widget, const char *label)
{
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found;
      if (GTK_IS_BUTTON (child) && g_strcmp0 (gtk_button_get_label (GTK_BUTTON (child)), label) == 0)
        return child;
      found = find_key (child, label);
      if (found != NULL)
        return found;
    }
  return NULL;
}

GtkWidget *
kiosk_keyboard_get_key (KioskKeyboard *self, const char *label)
{
  return find_key (GTK_WIDGET (self->group != NULL ? self->panel : self->rows), label);
}

const char *
kiosk_keyboard_get_variants_key (KioskKeyboard *self)
{
  return self->group != NULL ? self->group->key : NULL;
}

gboolean
kiosk_keyboard_get_shift (KioskKeyboard *self)
{
  return self->shift;
}
