/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* [speech] of the configuration (docs/accessibility.md): how the kiosk
 * reads aloud. Read by the kiosk (app/kiosk/kiosk-speech.c speaks), checked
 * by `antragskiosk-ctl check-config` (kiosk_speech_check_config). */

typedef enum {
  KIOSK_SPEECH_MODE_OFF,     /* no speech, no engine loaded */
  KIOSK_SPEECH_MODE_BUTTON,  /* "Read aloud" on every screen turns it on */
  KIOSK_SPEECH_MODE_ALWAYS,  /* on from the welcome screen (headphone socket) */
} KioskSpeechMode;

#define KIOSK_SPEECH_RATE_MIN       80   /* words per minute (eSpeak NG's range) */
#define KIOSK_SPEECH_RATE_MAX       450
#define KIOSK_SPEECH_RATE_DEFAULT   160
#define KIOSK_SPEECH_VOLUME_MAX     200  /* percent */
#define KIOSK_SPEECH_VOLUME_DEFAULT 100

typedef struct {
  KioskSpeechMode  mode;
  guint            rate;        /* words per minute */
  guint            volume;      /* percent, 0–200 */
  char            *transcript;  /* diagnostic transcript file, or NULL (off) */
  char            *device;      /* audio device (ALSA name such as "plughw:1,0"), or NULL: the default */
} KioskSpeechSettings;

#define KIOSK_SPEECH_SETTINGS_ERROR (kiosk_speech_settings_error_quark ())
GQuark kiosk_speech_settings_error_quark (void);

/* Defaults: off, 160 words per minute, 100 %, no transcript. */
void        kiosk_speech_settings_init  (KioskSpeechSettings *settings);
/* Reads the [speech] group of @keyfile (absent: the defaults) into
 * @settings; FALSE with a message naming the key and what it takes. */
gboolean    kiosk_speech_settings_parse (KioskSpeechSettings *settings,
                                         GKeyFile            *keyfile,
                                         GError             **error);
void        kiosk_speech_settings_clear (KioskSpeechSettings *settings);
/* "off", "button", "always". */
const char *kiosk_speech_mode_to_string (KioskSpeechMode mode);

G_END_DECLS
