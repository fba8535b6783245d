/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "kiosk-speech.h"

G_BEGIN_DECLS

/* What the kiosk says, and when (docs/accessibility.md): each new screen
 * (its labels marked with the CSS class "speak", in reading order; a
 * reference, class "reference", spelled in groups), then the focused
 * element (its accessible name and description from kiosk-a11y.h,
 * "required", the value or "empty", a choice's position, its error).
 * Everything goes through one KioskSpeech in the visitor's language. */
typedef struct _KioskSpeaker KioskSpeaker;

/* Follows the focus of @window (borrowed; it must outlive the speaker).
 * Speech starts inactive. NULL with an error when the transcript cannot
 * be opened. */
KioskSpeaker *kiosk_speaker_new        (GtkWindow                 *window,
                                        const KioskSpeechSettings *settings,
                                        GError                   **error);
void          kiosk_speaker_free       (KioskSpeaker *speaker);
/* Turns speech on (the current screen is read) or off (stops at once). */
void          kiosk_speaker_set_active (KioskSpeaker *speaker, gboolean active);
gboolean      kiosk_speaker_get_active (KioskSpeaker *speaker);
/* @screen (a screen or a card over it) is now shown: read it, then the
 * focused element, once the focus has settled. */
void          kiosk_speaker_screen     (KioskSpeaker *speaker, GtkWidget *screen);
/* A message for the whole screen (a page's error summary, the idle
 * warning): read before the focused element. */
void          kiosk_speaker_message    (KioskSpeaker *speaker, const char *text);
/* Reads the focused element with its help (the help key). */
void          kiosk_speaker_help       (KioskSpeaker *speaker, const char *keys_help);
/* The repeat key. */
void          kiosk_speaker_repeat     (KioskSpeaker *speaker);
/* The session wipe: stops and forgets. */
void          kiosk_speaker_stop       (KioskSpeaker *speaker);
/* The visitor's keys for the voice (EN 301 549 5.1.3.11, a non-visual
 * volume control): @volume_steps and @rate_steps of KIOSK_SPEAKER_VOLUME_STEP
 * percent and KIOSK_SPEAKER_RATE_STEP words per minute up (> 0) or down,
 * within bounds that keep speech audible and understandable; says the new
 * value. Nothing while speech is off. */
#define KIOSK_SPEAKER_VOLUME_STEP 20
#define KIOSK_SPEAKER_VOLUME_LOW  20
#define KIOSK_SPEAKER_RATE_STEP   20
#define KIOSK_SPEAKER_RATE_LOW    100
#define KIOSK_SPEAKER_RATE_HIGH   360
void          kiosk_speaker_adjust     (KioskSpeaker *speaker, int volume_steps, int rate_steps);
KioskSpeech  *kiosk_speaker_get_speech (KioskSpeaker *speaker);

/* Spells @reference in groups ("K7QM-4TXR" → "K 7 Q M, 4 T X R"). */
char         *kiosk_speaker_spell_reference (const char *reference);

G_END_DECLS
