/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The kiosk window's keys and speech (docs/accessibility.md): Escape
 * goes back, F1 gives help, F2 repeats what was read aloud, F3–F6 change
 * the voice's volume and rate; "Read aloud"
 * in the header, and every screen and focused element spoken in the
 * visitor's language when speech is on. */
#define G_LOG_DOMAIN "antragskiosk-window"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "kiosk-window-private.h"

static const char *
keys_help (void)
{
  return _("Keys: Tab or the arrow keys move, Enter chooses, Escape goes back, "
           "F1 gives this help, F2 repeats what was read aloud, "
           "F3 and F4 make the voice quieter and louder, F5 and F6 slower and faster.");
}

/* On the welcome screen, before a language is chosen, in German and
 * English (as the screen's own greeting); then in the visitor's language. */
static void
label_speech_button (KioskWindow *self)
{
  gboolean welcome = g_strcmp0 (kiosk_window_get_screen (self), "welcome") == 0;

  gtk_button_set_label (self->speech_button, welcome ? "Vorlesen · Read aloud" : _("Read aloud"));
}

void
_kiosk_window_retranslate_access (KioskWindow *self)
{
  label_speech_button (self);
  gtk_label_set_label (self->help_label, keys_help ());
}

static void
update_speech_button (KioskWindow *self)
{
  gboolean active = self->speaker != NULL && kiosk_speaker_get_active (self->speaker);

  gtk_widget_set_visible (GTK_WIDGET (self->speech_button), self->speaker != NULL);
  gtk_accessible_update_state (GTK_ACCESSIBLE (self->speech_button), GTK_ACCESSIBLE_STATE_PRESSED,
                               active ? GTK_ACCESSIBLE_TRISTATE_TRUE : GTK_ACCESSIBLE_TRISTATE_FALSE, -1);
  if (active)
    gtk_widget_add_css_class (GTK_WIDGET (self->speech_button), "active");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self->speech_button), "active");
}

/* ---- speech follows the screens ---- */

void
_kiosk_window_speak_screen (KioskWindow *self, GtkWidget *screen)
{
  label_speech_button (self);
  if (self->speaker == NULL)
    return;
  /* The clerk panel is for staff and has the PIN: no speech there (the
   * session's end switches it back as configured). */
  if (screen != NULL && screen == GTK_WIDGET (self->clerk_panel))
    {
      kiosk_speaker_set_active (self->speaker, FALSE);
      update_speech_button (self);
      return;
    }
  kiosk_speaker_screen (self->speaker, screen);
}

void
_kiosk_window_speech_session_end (KioskWindow *self)
{
  gtk_widget_set_visible (self->help_card, FALSE);
  self->idle_spoken_s = 0;
  if (self->speaker == NULL)
    return;
  kiosk_speaker_stop (self->speaker);
  /* The next visitor starts as configured. */
  kiosk_speaker_set_active (self->speaker, self->speech_mode == KIOSK_SPEECH_MODE_ALWAYS);
  update_speech_button (self);
}

void
_kiosk_window_speak_idle (KioskWindow *self, guint seconds_left, const char *text)
{
  /* When the warning appears (0: every time), then at 20, 10 and 5
   * seconds (each once: the tick runs four times a second). */
  if (self->speaker == NULL)
    return;
  if (seconds_left != 0
      && ((seconds_left != 20 && seconds_left != 10 && seconds_left != 5) || seconds_left == self->idle_spoken_s))
    return;
  self->idle_spoken_s = seconds_left;
  kiosk_speaker_message (self->speaker, text);
}

static void
page_shown_cb (KioskWizard *wizard,
               KioskWindow *self)
{
  _kiosk_window_speak_screen (self, GTK_WIDGET (wizard));
}

static void
announced_cb (KioskWizard *wizard,
              const char  *message,
              KioskWindow *self)
{
  if (self->speaker != NULL)
    kiosk_speaker_message (self->speaker, message);
}

void
_kiosk_window_speech_follow (KioskWindow *self, KioskWizard *wizard)
{
  g_signal_connect (wizard, "page-shown", G_CALLBACK (page_shown_cb), self);
  g_signal_connect (wizard, "announced", G_CALLBACK (announced_cb), self);
}

/* ---- configuration ---- */

gboolean
kiosk_window_set_speech (KioskWindow               *self,
                         const KioskSpeechSettings *settings,
                         GError                   **error)
{
  g_clear_pointer (&self->speaker, kiosk_speaker_free);
  self->speech_mode = settings->mode;
  if (settings->mode != KIOSK_SPEECH_MODE_OFF)
    {
      self->speaker = kiosk_speaker_new (GTK_WINDOW (self), settings, error);
      if (self->speaker == NULL)
        self->speech_mode = KIOSK_SPEECH_MODE_OFF;
      else
        kiosk_speaker_set_active (self->speaker, settings->mode == KIOSK_SPEECH_MODE_ALWAYS);
    }
  update_speech_button (self);
  if (self->speaker != NULL)
    _kiosk_window_speak_screen (self, gtk_stack_get_visible_child (self->stack));
  return self->speaker != NULL || settings->mode == KIOSK_SPEECH_MODE_OFF;
}

KioskSpeech *
kiosk_window_get_speech (KioskWindow *self)
{
  return self->speaker != NULL ? kiosk_speaker_get_speech (self->speaker) : NULL;
}

/* ---- cards over the screen ---- */

static void
card_visible_cb (GtkWidget   *card,
                 GParamSpec  *pspec,
                 KioskWindow *self)
{
  gboolean card_up = gtk_widget_get_visible (self->cancel_confirm) || gtk_widget_get_visible (self->idle_warning);

  /* can-focus FALSE keeps the focus out of the whole screen under it. */
  gtk_widget_set_can_focus (self->content, !card_up);
}

void
_kiosk_window_watch_cards (KioskWindow *self)
{
  g_signal_connect (self->cancel_confirm, "notify::visible", G_CALLBACK (card_visible_cb), self);
  g_signal_connect (self->idle_warning, "notify::visible", G_CALLBACK (card_visible_cb), self);
}

/* ---- actions ---- */

static void
read_aloud_cb (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  KioskWindow *self = KIOSK_WINDOW (widget);

  if (self->speaker == NULL)
    return;
  kiosk_speaker_set_active (self->speaker, !kiosk_speaker_get_active (self->speaker));
  update_speech_button (self);
  _kiosk_window_speak_screen (self, gtk_stack_get_visible_child (self->stack));
}

static void
help_cb (GtkWidget  *widget,
         const char *action_name,
         GVariant   *parameter)
{
  KioskWindow *self = KIOSK_WINDOW (widget);
  gboolean show = !gtk_widget_get_visible (self->help_card);

  gtk_widget_set_visible (self->help_card, show);
  if (show && self->speaker != NULL)
    kiosk_speaker_help (self->speaker, keys_help ());
}

void
_kiosk_window_class_init_access (GtkWidgetClass *widget_class)
{
  gtk_widget_class_install_action (widget_class, "kiosk.read-aloud", NULL, read_aloud_cb);
  gtk_widget_class_install_action (widget_class, "kiosk.help", NULL, help_cb);
}

/* ---- keys ---- */

/* Escape closes what is open over the screen, else goes back a step: the
 * wizard's Back (its first page asks before cancelling), the catalog's
 * "Change language". */
static gboolean
escape_cb (GtkWidget *widget,
           GVariant  *args,
           gpointer   user_data)
{
  KioskWindow *self = KIOSK_WINDOW (widget);
  const char *screen = kiosk_window_get_screen (self);

  /* The cancel question: Escape means "No, continue". */
  if (gtk_widget_get_visible (self->cancel_confirm))
    {
      gtk_widget_activate_action (widget, "kiosk.cancel-abort", NULL);
      return TRUE;
    }
  if (gtk_widget_get_visible (self->help_card))
    {
      gtk_widget_set_visible (self->help_card, FALSE);
      return TRUE;
    }
  if (kiosk_keyboard_dismiss (self->keyboard))
    return TRUE;
  if (gtk_widget_get_visible (self->idle_warning))
    return TRUE;   /* only "I need more time" answers it */
  if (g_strcmp0 (screen, "wizard") == 0 && self->wizard != NULL)
    return gtk_widget_activate_action (GTK_WIDGET (self->wizard), "wizard.back", NULL);
  if (g_strcmp0 (screen, "catalog") == 0)
    return gtk_widget_activate_action (widget, "kiosk.cancel", NULL);
  /* Nothing of ours: the focused widget may use it. */
  return FALSE;
}

static gboolean
help_key_cb (GtkWidget *widget,
             GVariant  *args,
             gpointer   user_data)
{
  return gtk_widget_activate_action (widget, "kiosk.help", NULL);
}

static gboolean
repeat_key_cb (GtkWidget *widget,
               GVariant  *args,
               gpointer   user_data)
{
  KioskWindow *self = KIOSK_WINDOW (widget);

  if (self->speaker != NULL)
    kiosk_speaker_repeat (self->speaker);
  return TRUE;
}

/* The voice: F3/F4 (and a keypad's volume keys) quieter/louder, F5/F6
 * slower/faster: steps of volume and of rate. */
typedef struct {
  int volume;
  int rate;
} VoiceStep;

static const VoiceStep quieter = { -1, 0 }, louder = { 1, 0 }, slower = { 0, -1 }, faster = { 0, 1 };

static gboolean
voice_key_cb (GtkWidget *widget,
              GVariant  *args,
              gpointer   user_data)
{
  KioskWindow *self = KIOSK_WINDOW (widget);
  const VoiceStep *step = user_data;

  if (self->speaker != NULL)
    kiosk_speaker_adjust (self->speaker, step->volume, step->rate);
  return TRUE;
}

static gboolean
swallow_cb (GtkWidget *widget,
            GVariant  *args,
            gpointer   user_data)
{
  /* A desktop's ways out (F11, Ctrl+Q, Ctrl+W, Alt+F4) do nothing. */
  return TRUE;
}

static void
add_key_data (GtkEventController *controller, guint key, GdkModifierType mods, GtkShortcutFunc func, gpointer data)
{
  gtk_shortcut_controller_add_shortcut (GTK_SHORTCUT_CONTROLLER (controller),
                                        gtk_shortcut_new (gtk_keyval_trigger_new (key, mods),
                                                          gtk_callback_action_new (func, data, NULL)));
}

static void
add_key (GtkEventController *controller, guint key, GdkModifierType mods, GtkShortcutFunc func)
{
  add_key_data (controller, key, mods, func, NULL);
}

void
_kiosk_window_add_shortcuts (KioskWindow *self)
{
  GtkEventController *controller = gtk_shortcut_controller_new ();

  /* In the capture phase: they act before (and whatever) the focused
   * widget, which could otherwise take them. */
  gtk_event_controller_set_propagation_phase (controller, GTK_PHASE_CAPTURE);
  gtk_event_controller_set_name (controller, "kiosk-shortcuts");
  add_key (controller, GDK_KEY_Escape, 0, escape_cb);
  add_key (controller, GDK_KEY_F1, 0, help_key_cb);
  add_key (controller, GDK_KEY_Help, 0, help_key_cb);
  add_key (controller, GDK_KEY_F2, 0, repeat_key_cb);
  add_key_data (controller, GDK_KEY_F3, 0, voice_key_cb, (gpointer) &quieter);
  add_key_data (controller, GDK_KEY_F4, 0, voice_key_cb, (gpointer) &louder);
  add_key_data (controller, GDK_KEY_AudioLowerVolume, 0, voice_key_cb, (gpointer) &quieter);
  add_key_data (controller, GDK_KEY_AudioRaiseVolume, 0, voice_key_cb, (gpointer) &louder);
  add_key_data (controller, GDK_KEY_F5, 0, voice_key_cb, (gpointer) &slower);
  add_key_data (controller, GDK_KEY_F6, 0, voice_key_cb, (gpointer) &faster);
  add_key (controller, GDK_KEY_F11, 0, swallow_cb);
  add_key (controller, GDK_KEY_q, GDK_CONTROL_MASK, swallow_cb);
  add_key (controller, GDK_KEY_w, GDK_CONTROL_MASK, swallow_cb);
  add_key (controller, GDK_KEY_F4, GDK_ALT_MASK, swallow_cb);
  gtk_widget_add_controller (GTK_WIDGET (self), controller);
}
