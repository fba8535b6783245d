/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "antragskiosk-speech"

#include "config.h"

#include <gmodule.h>

#include "kiosk-speech.h"
#include "kiosk-speech-api.h"

static KioskSpeechApi api;
static char *load_error;

typedef struct {
  const char *name;
  gsize       offset;
} Symbol;

#define SYMBOL(name, member) { name, G_STRUCT_OFFSET (KioskSpeechApi, member) }

static const Symbol espeak_symbols[] = {
  SYMBOL ("espeak_ng_InitializePath", initialize_path),
  SYMBOL ("espeak_ng_Initialize", initialize),
  SYMBOL ("espeak_ng_InitializeOutput", initialize_output),
  SYMBOL ("espeak_ng_ClearErrorContext", clear_error_context),
  SYMBOL ("espeak_ng_GetStatusCodeMessage", get_status_message),
  SYMBOL ("espeak_SetSynthCallback", set_synth_callback),
  SYMBOL ("espeak_ng_SetVoiceByName", set_voice_by_name),
  SYMBOL ("espeak_ng_SetParameter", set_parameter),
  SYMBOL ("espeak_ng_Synthesize", synthesize),
  SYMBOL ("espeak_ng_GetSampleRate", get_sample_rate),
};

static const Symbol pcaudio_symbols[] = {
  SYMBOL ("create_audio_device_object", audio_create),
  SYMBOL ("audio_object_open", audio_open),
  SYMBOL ("audio_object_close", audio_close),
  SYMBOL ("audio_object_destroy", audio_destroy),
  SYMBOL ("audio_object_write", audio_write),
  SYMBOL ("audio_object_drain", audio_drain),
  SYMBOL ("audio_object_flush", audio_flush),
  SYMBOL ("audio_object_strerror", audio_strerror),
};

/* Opens @library (kept open for the process) and fills its symbols. */
static gboolean
load_library (const char *library, const char *package, const Symbol *symbols, gsize n)
{
  GModule *module = g_module_open (library, G_MODULE_BIND_LAZY | G_MODULE_BIND_LOCAL);

  if (module == NULL)
    {
      load_error = g_strdup_printf ("%s cannot be loaded (%s); is the Debian package %s installed?",
                                    library, g_module_error (), package);
      return FALSE;
    }
  for (gsize i = 0; i < n; i++)
    if (!g_module_symbol (module, symbols[i].name, &G_STRUCT_MEMBER (gpointer, &api, symbols[i].offset)))
      {
        load_error = g_strdup_printf ("%s has no %s (%s)", library, symbols[i].name, g_module_error ());
        return FALSE;
      }
  g_module_make_resident (module);
  return TRUE;
}

const KioskSpeechApi *
_kiosk_speech_api_load (GError **error)
{
  static gsize once;

  if (g_once_init_enter (&once))
    {
      if (load_library ("libespeak-ng.so.1", "libespeak-ng1", espeak_symbols, G_N_ELEMENTS (espeak_symbols)))
        load_library ("libpcaudio.so.0", "libpcaudio0", pcaudio_symbols, G_N_ELEMENTS (pcaudio_symbols));
      g_once_init_leave (&once, 1);
    }
  if (load_error != NULL)
    {
      g_set_error_literal (error, KIOSK_SPEECH_ERROR, KIOSK_SPEECH_ERROR_ENGINE, load_error);
      return NULL;
    }
  return &api;
}
