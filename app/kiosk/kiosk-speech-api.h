/* SPDX-License-Identifier: GPL-3.0-or-later */
/* eSpeak NG and pcaudiolib, loaded when speech is first used (not
 * linked): a kiosk with [speech] mode=off loads neither them nor the
 * sound libraries they bring (PulseAudio, ALSA, libsndfile and its
 * codecs), so speech costs its start-up nothing. Not public. */
#pragma once

#include <glib.h>
#include <espeak-ng/espeak_ng.h>
#include <pcaudiolib/audio.h>

G_BEGIN_DECLS

typedef struct {
  void             (*initialize_path)    (const char *path);
  espeak_ng_STATUS (*initialize)         (espeak_ng_ERROR_CONTEXT *context);
  espeak_ng_STATUS (*initialize_output)  (espeak_ng_OUTPUT_MODE mode, int buffer_length, const char *device);
  void             (*clear_error_context) (espeak_ng_ERROR_CONTEXT *context);
  void             (*get_status_message) (espeak_ng_STATUS status, char *buffer, size_t length);
  void             (*set_synth_callback) (t_espeak_callback *callback);
  espeak_ng_STATUS (*set_voice_by_name)  (const char *name);
  espeak_ng_STATUS (*set_parameter)      (espeak_PARAMETER parameter, int value, int relative);
  espeak_ng_STATUS (*synthesize)         (const void *text, size_t size, unsigned int position,
                                          espeak_POSITION_TYPE position_type, unsigned int end_position,
                                          unsigned int flags, unsigned int *unique_identifier, void *user_data);
  int              (*get_sample_rate)    (void);

  struct audio_object *(*audio_create)   (const char *device, const char *application_name,
                                          const char *description);
  int              (*audio_open)         (struct audio_object *object, enum audio_object_format format,
                                          uint32_t rate, uint8_t channels);
  void             (*audio_close)        (struct audio_object *object);
  void             (*audio_destroy)      (struct audio_object *object);
  int              (*audio_write)        (struct audio_object *object, const void *data, size_t bytes);
  int              (*audio_drain)        (struct audio_object *object);
  int              (*audio_flush)        (struct audio_object *object);
  const char      *(*audio_strerror)     (struct audio_object *object, int error);
} KioskSpeechApi;

/* Loads libespeak-ng.so.1 and libpcaudio.so.0 once (thread-safe); NULL
 * with a message naming the Debian package when one is missing. */
const KioskSpeechApi *_kiosk_speech_api_load (GError **error);

G_END_DECLS
