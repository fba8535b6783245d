/* SPDX-License-Identifier: GPL-3.0-or-later */
/* [speech]: read by the kiosk, checked by check-config. */
#define G_LOG_DOMAIN "antragskiosk-speech"

#include "config.h"

#include <string.h>

#include <antragskiosk/config-check.h>
#include <antragskiosk/speech-settings.h>

#include "config-groups.h"

G_DEFINE_QUARK (kiosk-speech-settings-error-quark, kiosk_speech_settings_error)

static const char *const speech_keys[] = { "mode", "rate", "volume", "transcript", "device", NULL };
static const char *const speech_modes[] = { "off", "button", "always", NULL };

void
kiosk_speech_settings_init (KioskSpeechSettings *settings)
{
  memset (settings, 0, sizeof *settings);
  settings->mode = KIOSK_SPEECH_MODE_OFF;
  settings->rate = KIOSK_SPEECH_RATE_DEFAULT;
  settings->volume = KIOSK_SPEECH_VOLUME_DEFAULT;
}

void
kiosk_speech_settings_clear (KioskSpeechSettings *settings)
{
  g_clear_pointer (&settings->transcript, g_free);
  g_clear_pointer (&settings->device, g_free);
}

const char *
kiosk_speech_mode_to_string (KioskSpeechMode mode)
{
  switch (mode)
    {
    case KIOSK_SPEECH_MODE_BUTTON: return "button";
    case KIOSK_SPEECH_MODE_ALWAYS: return "always";
    case KIOSK_SPEECH_MODE_OFF:
    default: return "off";
    }
}

static gboolean
parse_number (GKeyFile *keyfile, const char *key, guint min, guint max, guint *value, GError **error)
{
  g_autofree char *text = g_key_file_get_string (keyfile, "speech", key, NULL);
  guint64 number;

  if (text == NULL)
    return TRUE;
  g_strstrip (text);
  if (!g_ascii_string_to_unsigned (text, 10, min, max, &number, NULL))
    {
      g_set_error (error, KIOSK_SPEECH_SETTINGS_ERROR, 0,
                   "[speech] %s must be a whole number from %u to %u", key, min, max);
      return FALSE;
    }
  *value = (guint) number;
  return TRUE;
}

gboolean
kiosk_speech_settings_parse (KioskSpeechSettings *settings,
                             GKeyFile            *keyfile,
                             GError             **error)
{
  g_autofree char *mode = g_key_file_get_string (keyfile, "speech", "mode", NULL);
  g_autofree char *transcript = g_key_file_get_string (keyfile, "speech", "transcript", NULL);
  g_autofree char *device = g_key_file_get_string (keyfile, "speech", "device", NULL);

  if (mode != NULL)
    {
      g_strstrip (mode);
      if (strcmp (mode, "off") == 0)
        settings->mode = KIOSK_SPEECH_MODE_OFF;
      else if (strcmp (mode, "button") == 0)
        settings->mode = KIOSK_SPEECH_MODE_BUTTON;
      else if (strcmp (mode, "always") == 0)
        settings->mode = KIOSK_SPEECH_MODE_ALWAYS;
      else
        {
          g_set_error_literal (error, KIOSK_SPEECH_SETTINGS_ERROR, 0,
                               "[speech] mode must be off, button or always");
          return FALSE;
        }
    }
  if (!parse_number (keyfile, "rate", KIOSK_SPEECH_RATE_MIN, KIOSK_SPEECH_RATE_MAX, &settings->rate, error)
      || !parse_number (keyfile, "volume", 0, KIOSK_SPEECH_VOLUME_MAX, &settings->volume, error))
    return FALSE;
  if (transcript != NULL && *g_strstrip (transcript) != '\0')
    {
      if (!g_path_is_absolute (transcript))
        {
          g_set_error_literal (error, KIOSK_SPEECH_SETTINGS_ERROR, 0,
                               "[speech] transcript must be an absolute path");
          return FALSE;
        }
      g_free (settings->transcript);
      settings->transcript = g_steal_pointer (&transcript);
    }
  if (device != NULL && *g_strstrip (device) != '\0')
    {
      g_free (settings->device);
      settings->device = g_steal_pointer (&device);
    }
  return TRUE;
}

/* [speech] in `check-config`: every problem at once, with its file. */
void
kiosk_speech_check_config (KioskConfigCheck *check,
                           const char       *group)
{
  g_autofree char *mode = NULL;
  g_autofree char *transcript = NULL;
  g_autofree char *device = NULL;
  guint value;

  kiosk_config_check_unknown_keys (check, group, speech_keys, NULL);
  if (g_key_file_has_key (kiosk_config_check_get_keyfile (check), group, "mode", NULL))
    mode = kiosk_config_check_choice (check, group, "mode", speech_modes);
  if (g_key_file_has_key (kiosk_config_check_get_keyfile (check), group, "rate", NULL))
    kiosk_config_check_number (check, group, "rate", KIOSK_SPEECH_RATE_MIN, KIOSK_SPEECH_RATE_MAX,
                               " of words per minute", &value);
  if (g_key_file_has_key (kiosk_config_check_get_keyfile (check), group, "volume", NULL))
    kiosk_config_check_number (check, group, "volume", 0, KIOSK_SPEECH_VOLUME_MAX, " (percent)", &value);
  if (g_key_file_has_key (kiosk_config_check_get_keyfile (check), group, "transcript", NULL))
    {
      transcript = kiosk_config_check_string (check, group, "transcript");
      if (transcript != NULL && !g_path_is_absolute (transcript))
        kiosk_config_check_add (check, FALSE, group, "transcript", "must be an absolute path");
      else if (transcript != NULL)
        kiosk_config_check_add (check, TRUE, group, "transcript",
                                "a diagnostic transcript of everything read aloud is written (the visitor's input as "
                                "\"…\"); switch it off after testing");
    }
  if (g_key_file_has_key (kiosk_config_check_get_keyfile (check), group, "device", NULL))
    device = kiosk_config_check_string (check, group, "device");
}
