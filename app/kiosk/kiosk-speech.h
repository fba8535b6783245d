/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>
#include <antragskiosk/speech-settings.h>

G_BEGIN_DECLS

/* Speech output through eSpeak NG (libespeak-ng), without GTK: one worker
 * thread owns the engine and the audio device, so that nothing the
 * visitor hears ever blocks the GTK main thread (docs/accessibility.md). */

#define KIOSK_SPEECH_ERROR (kiosk_speech_error_quark ())
typedef enum {
  KIOSK_SPEECH_ERROR_ENGINE,     /* eSpeak NG cannot start (no voice data) */
  KIOSK_SPEECH_ERROR_TRANSCRIPT, /* the transcript file cannot be written */
} KioskSpeechError;
GQuark kiosk_speech_error_quark (void);

/* One utterance: what is spoken, and what the transcript may show (the
 * visitor's own input as "…"). */
typedef struct {
  GString *spoken;
  GString *logged;
} KioskUtterance;

KioskUtterance *kiosk_utterance_new          (void);
/* Appends @text (spoken and logged) as a sentence or phrase of its own. */
void            kiosk_utterance_add          (KioskUtterance *utterance, const char *text);
/* Appends the visitor's own input: spoken, logged as "…". */
void            kiosk_utterance_add_personal (KioskUtterance *utterance, const char *text);
/* Wipes and frees. */
void            kiosk_utterance_free         (KioskUtterance *utterance);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (KioskUtterance, kiosk_utterance_free)

typedef struct _KioskSpeech KioskSpeech;

typedef enum {
  KIOSK_SPEECH_INTERRUPT = 0,  /* stop what is being said, say this */
  KIOSK_SPEECH_APPEND    = 1,  /* say this after what is queued */
  KIOSK_SPEECH_TRANSIENT = 2,  /* (with either) not what the repeat key repeats */
} KioskSpeechFlags;

/* Starts the worker thread, which loads the engine and opens the audio
 * device; returns at once. The transcript file (if any) is opened here:
 * a regular file or a new one, mode 0600, appended to. Without an audio
 * device the kiosk still runs (and the transcript is still written):
 * one message in the log says so. */
KioskSpeech *kiosk_speech_new    (const KioskSpeechSettings *settings,
                                  GError                   **error);
/* Queues @utterance in @lang (de, en, tr, ar, uk) and writes its
 * transcript line. Never blocks. */
void         kiosk_speech_say    (KioskSpeech          *speech,
                                  const char           *lang,
                                  const KioskUtterance *utterance,
                                  KioskSpeechFlags      flags);
/* Says the last utterance again (the repeat key). */
void         kiosk_speech_repeat (KioskSpeech *speech);
/* Stops at once and forgets everything queued and the last utterance
 * (the session wipe). */
void         kiosk_speech_stop   (KioskSpeech *speech);
/* The visitor's own volume (percent, ≤ KIOSK_SPEECH_VOLUME_MAX) and rate
 * (words per minute, within eSpeak NG's range) for what is queued from now
 * on; main thread. reset_voice() goes back to the [speech] settings (the
 * session wipe: EN 301 549 5.1.3.13, the volume reset after every use). */
void         kiosk_speech_set_voice   (KioskSpeech *speech, guint volume, guint rate);
guint        kiosk_speech_get_volume  (KioskSpeech *speech);
guint        kiosk_speech_get_rate    (KioskSpeech *speech);
void         kiosk_speech_reset_voice (KioskSpeech *speech);
/* Waits (at most @timeout_ms) until everything queued has been spoken;
 * FALSE on timeout. For tests and the benchmark. */
gboolean     kiosk_speech_wait_idle (KioskSpeech *speech, guint timeout_ms);
/* Microseconds from the last kiosk_speech_say() to its first samples
 * going to the audio device, or -1 while it has not started. */
gint64       kiosk_speech_get_start_latency (KioskSpeech *speech);
/* When (g_get_monotonic_time) the first samples of the last utterance
 * went to the audio device, or 0 while it has not started. */
gint64       kiosk_speech_get_started_at (KioskSpeech *speech);
/* Whether an audio device is open (FALSE: synthesis only). */
gboolean     kiosk_speech_has_audio (KioskSpeech *speech);
void         kiosk_speech_free   (KioskSpeech *speech);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (KioskSpeech, kiosk_speech_free)

/* Synthesises @text in @lang to 16-bit mono samples, synchronously and
 * without an audio device (tests, diagnostics); a language without a
 * voice is an error here (the kiosk falls back to German). Returns the samples
 * (g_free) with their count and rate, or NULL with an error. */
gint16      *kiosk_speech_render (const char  *text,
                                  const char  *lang,
                                  guint        rate,
                                  guint        volume,
                                  gsize       *n_samples,
                                  guint       *sample_rate,
                                  GError     **error);

G_END_DECLS
