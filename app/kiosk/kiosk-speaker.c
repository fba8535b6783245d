/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "antragskiosk-speaker"

#include "config.h"

#include <string.h>
#include <glib/gi18n-lib.h>

#include <antragskiosk/i18n.h>

#include "kiosk-a11y.h"
#include "kiosk-field.h"
#include "kiosk-speaker.h"

struct _KioskSpeaker {
  GtkWindow   *window;
  KioskSpeech *speech;
  gboolean     active;
  GtkWidget   *screen;     /* to be read at the next flush (weak) */
  char        *message;    /* likewise */
  gboolean     focus_changed;
  guint        flush_source;
};

char *
kiosk_speaker_spell_reference (const char *reference)
{
  GString *spelled = g_string_new (NULL);
  gboolean group_start = TRUE;

  for (const char *p = reference; p != NULL && *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (c == '-' || g_unichar_isspace (c))
        {
          if (!group_start)
            g_string_append (spelled, ",");
          group_start = TRUE;
          continue;
        }
      if (spelled->len > 0)
        g_string_append_c (spelled, ' ');
      g_string_append_unichar (spelled, c);
      group_start = FALSE;
    }
  return g_string_free (spelled, FALSE);
}

/* ---- the screen ---- */

static void
collect_screen (GtkWidget *widget, KioskUtterance *utterance)
{
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      if (!gtk_widget_get_visible (child))
        continue;
      if (GTK_IS_STACK (widget) && child != gtk_stack_get_visible_child (GTK_STACK (widget)))
        continue;
      if (GTK_IS_LABEL (child) && gtk_widget_has_css_class (child, "speak"))
        {
          const char *text = kiosk_a11y_get_label (child);

          if (gtk_widget_has_css_class (child, "reference"))
            {
              g_autofree char *spelled = kiosk_speaker_spell_reference (text);
              kiosk_utterance_add (utterance, _("Your reference:"));
              kiosk_utterance_add (utterance, spelled);
            }
          else
            kiosk_utterance_add (utterance, text);
        }
      collect_screen (child, utterance);
    }
}

/* ---- the focused element ---- */

static void
add_position (KioskUtterance *utterance, guint position, guint n)
{
  g_autofree char *text = g_strdup_printf (_("%u of %u"), position, n);

  kiosk_utterance_add (utterance, text);
}

static void
describe_choice (KioskUtterance *utterance, GtkWidget *toggle, GtkWidget *group)
{
  guint position = 0, n = 0;

  for (GtkWidget *child = gtk_widget_get_first_child (group); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      n++;
      if (gtk_widget_is_ancestor (toggle, child))
        position = n;
    }
  kiosk_utterance_add (utterance, kiosk_a11y_get_label (group));
  kiosk_utterance_add (utterance, kiosk_a11y_get_label (toggle));
  /* What the visitor chose is theirs: "…" in the transcript. */
  kiosk_utterance_add_personal (utterance, gtk_toggle_button_get_active (GTK_TOGGLE_BUTTON (toggle))
                                           ? _("selected") : _("not selected"));
  add_position (utterance, position, n);
}

static void
describe_drop_down (KioskUtterance *utterance, GtkDropDown *drop_down)
{
  GListModel *model = gtk_drop_down_get_model (drop_down);
  guint selected = gtk_drop_down_get_selected (drop_down);
  guint n = model != NULL ? g_list_model_get_n_items (model) : 0;

  kiosk_utterance_add (utterance, kiosk_a11y_get_label (GTK_WIDGET (drop_down)));
  /* The first item is "Please choose": no answer yet. */
  if (selected == 0 || selected == GTK_INVALID_LIST_POSITION || n < 2)
    kiosk_utterance_add (utterance, _("empty"));
  else
    {
      g_autoptr(GObject) item = g_list_model_get_item (model, selected);
      if (GTK_IS_STRING_OBJECT (item))
        kiosk_utterance_add_personal (utterance, gtk_string_object_get_string (GTK_STRING_OBJECT (item)));
      add_position (utterance, selected, n - 1);
    }
}

/* A row of an open drop-down's list, which arrow keys move through: its
 * text and position among the choices (the first row, "Please choose",
 * is none of them). */
static gboolean
describe_list_row (KioskUtterance *utterance, GtkWidget *focus, GtkWidget *drop_down)
{
  GtkWidget *list = gtk_widget_get_ancestor (focus, GTK_TYPE_LIST_VIEW);
  GtkWidget *row = focus, *label = focus;
  guint position = 0, n = 0;

  if (list == NULL || gtk_widget_get_ancestor (focus, GTK_TYPE_POPOVER) == NULL)
    return FALSE;
  while (row != NULL && gtk_widget_get_parent (row) != list)
    row = gtk_widget_get_parent (row);
  while (label != NULL && !GTK_IS_LABEL (label))
    label = gtk_widget_get_first_child (label);
  if (row == NULL || label == NULL)
    return FALSE;
  for (GtkWidget *child = gtk_widget_get_first_child (list); child != NULL; child = gtk_widget_get_next_sibling (child))
    {
      if (child == row)
        position = n;
      n++;
    }
  kiosk_utterance_add (utterance, gtk_label_get_text (GTK_LABEL (label)));
  if (position > 0)
    add_position (utterance, position, n - 1);
  return TRUE;
}

static void
describe_text (KioskUtterance *utterance, GtkWidget *input)
{
  g_autofree char *text = NULL;

  kiosk_utterance_add (utterance, kiosk_a11y_get_label (input));
  /* A masked entry (a PIN) is never read out (EN 301 549 5.1.3.8). */
  if (GTK_IS_PASSWORD_ENTRY (input) || (GTK_IS_ENTRY (input) && !gtk_entry_get_visibility (GTK_ENTRY (input))))
    return;
  if (GTK_IS_EDITABLE (input))
    text = g_strdup (gtk_editable_get_text (GTK_EDITABLE (input)));
  else if (GTK_IS_TEXT_VIEW (input))
    {
      GtkTextBuffer *buffer = gtk_text_view_get_buffer (GTK_TEXT_VIEW (input));
      GtkTextIter start, end;
      gtk_text_buffer_get_bounds (buffer, &start, &end);
      text = gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
    }
  if (text == NULL || *text == '\0')
    kiosk_utterance_add (utterance, _("empty"));
  else
    kiosk_utterance_add_personal (utterance, text);
  if (text != NULL)
    explicit_bzero (text, strlen (text));
}

/* The element a focused widget stands for: an entry for its inner text,
 * a drop-down for its button, a choice's toggle button. */
static GtkWidget *
focus_target (GtkWidget *focus)
{
  GtkWidget *up;

  if ((up = gtk_widget_get_ancestor (focus, GTK_TYPE_DROP_DOWN)) != NULL)
    return up;
  if (GTK_IS_TEXT (focus) && GTK_IS_EDITABLE (gtk_widget_get_parent (focus)))
    return gtk_widget_get_parent (focus);
  if (GTK_IS_FLOW_BOX_CHILD (focus) && gtk_flow_box_child_get_child (GTK_FLOW_BOX_CHILD (focus)) != NULL)
    return gtk_flow_box_child_get_child (GTK_FLOW_BOX_CHILD (focus));
  if ((up = gtk_widget_get_ancestor (focus, GTK_TYPE_TOGGLE_BUTTON)) != NULL)
    return up;
  if ((up = gtk_widget_get_ancestor (focus, GTK_TYPE_BUTTON)) != NULL)
    return up;
  if ((up = gtk_widget_get_ancestor (focus, GTK_TYPE_CHECK_BUTTON)) != NULL)
    return up;
  return focus;
}

static void
describe_control (KioskUtterance *utterance, GtkWidget *target, GtkWidget *group)
{
  if (group != NULL && GTK_IS_TOGGLE_BUTTON (target))
    describe_choice (utterance, target, group);
  else if (GTK_IS_DROP_DOWN (target) && describe_list_row (utterance, gtk_root_get_focus (gtk_widget_get_root (target)),
                                                          target))
    return;
  else if (GTK_IS_DROP_DOWN (target))
    describe_drop_down (utterance, GTK_DROP_DOWN (target));
  else if (GTK_IS_EDITABLE (target) || GTK_IS_TEXT_VIEW (target))
    describe_text (utterance, target);
  else if (GTK_IS_CHECK_BUTTON (target))
    {
      kiosk_utterance_add (utterance, kiosk_a11y_get_label (target));
      kiosk_utterance_add_personal (utterance, gtk_check_button_get_active (GTK_CHECK_BUTTON (target))
                                               ? _("checked") : _("not checked"));
    }
  else
    {
      kiosk_utterance_add (utterance, kiosk_a11y_get_label (target));
      if (GTK_IS_BUTTON (target))
        kiosk_utterance_add (utterance, _("button"));
    }
  if (!gtk_widget_get_sensitive (target))
    kiosk_utterance_add (utterance, _("not available"));
}

static void
describe_focus (KioskSpeaker *speaker, KioskUtterance *utterance, gboolean with_help)
{
  GtkWidget *focus = gtk_root_get_focus (GTK_ROOT (speaker->window));
  GtkWidget *target, *field, *group = NULL, *input = NULL;
  const char *description;

  if (focus == NULL || !gtk_widget_get_mapped (focus))
    return;
  target = focus_target (focus);
  field = gtk_widget_get_ancestor (target, KIOSK_TYPE_FIELD);
  if (field != NULL)
    {
      input = kiosk_field_get_input (KIOSK_FIELD (field));
      if (GTK_IS_FLOW_BOX (input))
        group = input;
    }
  describe_control (utterance, target, group);
  if (field != NULL && kiosk_field_get_required (KIOSK_FIELD (field)))
    kiosk_utterance_add (utterance, _("required"));
  /* The description is the field's error and help, as AT-SPI has it. */
  description = kiosk_a11y_get_description (input != NULL ? input : target);
  if (description != NULL)
    kiosk_utterance_add (utterance, description);
  if (with_help && description == NULL && field != NULL)
    kiosk_utterance_add (utterance, _("No help for this field."));
}

/* ---- flushing: one utterance per settled change ---- */

static gboolean
flush_cb (gpointer data)
{
  KioskSpeaker *speaker = data;
  g_autoptr(KioskUtterance) utterance = kiosk_utterance_new ();

  speaker->flush_source = 0;
  if (speaker->screen != NULL)
    collect_screen (speaker->screen, utterance);
  if (speaker->message != NULL)
    kiosk_utterance_add (utterance, speaker->message);
  describe_focus (speaker, utterance, FALSE);
  g_clear_weak_pointer (&speaker->screen);
  g_clear_pointer (&speaker->message, g_free);
  speaker->focus_changed = FALSE;
  if (speaker->active)
    kiosk_speech_say (speaker->speech, kiosk_i18n_get_language (), utterance, KIOSK_SPEECH_INTERRUPT);
  return G_SOURCE_REMOVE;
}

static void
queue_flush (KioskSpeaker *speaker)
{
  if (speaker->active && speaker->flush_source == 0)
    speaker->flush_source = g_idle_add_full (G_PRIORITY_DEFAULT, flush_cb, speaker, NULL);
}

static void
focus_cb (GtkWindow    *window,
          GParamSpec   *pspec,
          KioskSpeaker *speaker)
{
  speaker->focus_changed = TRUE;
  queue_flush (speaker);
}

KioskSpeaker *
kiosk_speaker_new (GtkWindow                 *window,
                   const KioskSpeechSettings *settings,
                   GError                   **error)
{
  KioskSpeech *speech = kiosk_speech_new (settings, error);
  KioskSpeaker *speaker;

  if (speech == NULL)
    return NULL;
  speaker = g_new0 (KioskSpeaker, 1);
  speaker->window = window;
  speaker->speech = speech;
  g_signal_connect (window, "notify::focus-widget", G_CALLBACK (focus_cb), speaker);
  return speaker;
}

void
kiosk_speaker_free (KioskSpeaker *speaker)
{
  if (speaker == NULL)
    return;
  g_signal_handlers_disconnect_by_data (speaker->window, speaker);
  g_clear_handle_id (&speaker->flush_source, g_source_remove);
  g_clear_weak_pointer (&speaker->screen);
  g_clear_pointer (&speaker->message, g_free);
  kiosk_speech_free (speaker->speech);
  g_free (speaker);
}

void
kiosk_speaker_set_active (KioskSpeaker *speaker, gboolean active)
{
  speaker->active = active;
  if (!active)
    {
      g_clear_handle_id (&speaker->flush_source, g_source_remove);
      kiosk_speech_stop (speaker->speech);
    }
}

gboolean
kiosk_speaker_get_active (KioskSpeaker *speaker)
{
  return speaker->active;
}

void
kiosk_speaker_screen (KioskSpeaker *speaker, GtkWidget *screen)
{
  if (!speaker->active)
    return;
  g_clear_pointer (&speaker->message, g_free);
  g_set_weak_pointer (&speaker->screen, screen);
  queue_flush (speaker);
}

void
kiosk_speaker_message (KioskSpeaker *speaker, const char *text)
{
  if (!speaker->active)
    return;
  g_free (speaker->message);
  speaker->message = g_strdup (text);
  queue_flush (speaker);
}

void
kiosk_speaker_help (KioskSpeaker *speaker, const char *keys_help)
{
  g_autoptr(KioskUtterance) utterance = kiosk_utterance_new ();

  if (!speaker->active)
    return;
  describe_focus (speaker, utterance, TRUE);
  kiosk_utterance_add (utterance, keys_help);
  kiosk_speech_say (speaker->speech, kiosk_i18n_get_language (), utterance, KIOSK_SPEECH_INTERRUPT);
}

void
kiosk_speaker_repeat (KioskSpeaker *speaker)
{
  if (speaker->active)
    kiosk_speech_repeat (speaker->speech);
}

void
kiosk_speaker_stop (KioskSpeaker *speaker)
{
  g_clear_handle_id (&speaker->flush_source, g_source_remove);
  g_clear_weak_pointer (&speaker->screen);
  g_clear_pointer (&speaker->message, g_free);
  kiosk_speech_stop (speaker->speech);
  /* The next visitor starts with the configured voice. */
  kiosk_speech_reset_voice (speaker->speech);
}

static guint
step (guint value, int steps, guint size, guint low, guint high)
{
  gint64 next = (gint64) value + (gint64) steps * size;

  /* A configured value outside the visitor's range stays until a key
   * moves it towards the range. */
  if (steps < 0 && value <= low)
    return value;
  if (steps > 0 && value >= high)
    return value;
  return (guint) CLAMP (next, (gint64) low, (gint64) high);
}

void
kiosk_speaker_adjust (KioskSpeaker *speaker, int volume_steps, int rate_steps)
{
  g_autoptr(KioskUtterance) utterance = kiosk_utterance_new ();
  guint volume = kiosk_speech_get_volume (speaker->speech);
  guint rate = kiosk_speech_get_rate (speaker->speech);
  g_autofree char *said = NULL;

  if (!speaker->active)
    return;
  volume = step (volume, volume_steps, KIOSK_SPEAKER_VOLUME_STEP, KIOSK_SPEAKER_VOLUME_LOW, KIOSK_SPEECH_VOLUME_MAX);
  rate = step (rate, rate_steps, KIOSK_SPEAKER_RATE_STEP, KIOSK_SPEAKER_RATE_LOW, KIOSK_SPEAKER_RATE_HIGH);
  kiosk_speech_set_voice (speaker->speech, volume, rate);
  if (volume_steps != 0)
    /* TRANSLATORS: said when the visitor changes the speech volume (%u: 20 to 200) */
    said = g_strdup_printf (_("Volume %u percent"), volume);
  else
    /* TRANSLATORS: said when the visitor changes the speaking rate (%u: words per minute) */
    said = g_strdup_printf (_("Speaking rate %u words per minute"), rate);
  kiosk_utterance_add (utterance, said);
  /* F2 afterwards repeats the screen, now in the new voice. */
  kiosk_speech_say (speaker->speech, kiosk_i18n_get_language (), utterance,
                    KIOSK_SPEECH_INTERRUPT | KIOSK_SPEECH_TRANSIENT);
}

KioskSpeech *
kiosk_speaker_get_speech (KioskSpeaker *speaker)
{
  return speaker->speech;
}
