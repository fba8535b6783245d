/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The speech engine (eSpeak NG) for real, without a sound card: an
 * utterance in each of the kiosk's languages renders to samples that are
 * not silent (RMS above a threshold), while a silent control (volume 0,
 * and a buffer of zeros) is found silent; speed changes the length; the
 * worker speaks off the caller's thread and writes the diagnostic
 * transcript with the visitor's input as "…"; [speech] settings are
 * checked. */
#include "config.h"

#include <math.h>
#include <sys/stat.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include <antragskiosk/config.h>

#include "kiosk-speech.h"

/* Full scale is 32767; speech at volume 100 has an RMS in the thousands,
 * silence 0. The threshold: -50 dBFS. */
#define SILENCE_RMS 100.0

static double
rms (const gint16 *samples, gsize n)
{
  double sum = 0;

  for (gsize i = 0; i < n; i++)
    sum += (double) samples[i] * samples[i];
  return n > 0 ? sqrt (sum / n) : 0;
}

static gint16 *
render (const char *text, const char *lang, guint rate, guint volume, gsize *n, guint *sample_rate)
{
  g_autoptr(GError) error = NULL;
  gint16 *samples = kiosk_speech_render (text, lang, rate, volume, n, sample_rate, &error);

  g_assert_no_error (error);
  g_assert_nonnull (samples);
  return samples;
}

static void
test_languages (void)
{
  static const struct { const char *lang, *text; } phrases[] = {
    { "de", "Bitte wählen Sie Ihre Sprache." },
    { "en", "Please choose your language." },
    { "tr", "Lütfen dilinizi seçin." },
    { "ar", "من فضلك اختر لغتك." },
    { "uk", "Будь ласка, оберіть свою мову." },
  };

  for (guint i = 0; i < G_N_ELEMENTS (phrases); i++)
    {
      gsize n = 0;
      guint sample_rate = 0;
      g_autofree gint16 *samples = render (phrases[i].text, phrases[i].lang, 160, 100, &n, &sample_rate);
      double seconds = (double) n / sample_rate;
      double level = rms (samples, n);

      g_test_message ("%s: %.2f s, RMS %.0f", phrases[i].lang, seconds, level);
      g_assert_cmpuint (sample_rate, >=, 16000);
      /* A short sentence: about one to four seconds of speech. */
      g_assert_cmpfloat (seconds, >, 0.5);
      g_assert_cmpfloat (seconds, <, 8.0);
      g_assert_cmpfloat (level, >, SILENCE_RMS);
    }
}

/* The check above must be able to fail: the same engine at volume 0, and
 * a buffer of zeros, are found silent. */
static void
test_silent_control (void)
{
  gsize n = 0;
  guint sample_rate = 0;
  g_autofree gint16 *quiet = render ("Bitte wählen Sie Ihre Sprache.", "de", 160, 0, &n, &sample_rate);
  g_autofree gint16 *zeros = g_new0 (gint16, 22050);

  g_assert_cmpuint (n, >, 0);
  g_assert_cmpfloat (rms (quiet, n), <, SILENCE_RMS);
  g_assert_cmpfloat (rms (zeros, 22050), <, SILENCE_RMS);
}

static void
test_rate_and_unknown_voice (void)
{
  g_autoptr(GError) error = NULL;
  gsize slow_n = 0, fast_n = 0, n = 0;
  guint sample_rate = 0;
  g_autofree gint16 *slow = render ("Ihre Vorgangsnummer lautet K 7 Q M.", "de", 100, 100, &slow_n, &sample_rate);
  g_autofree gint16 *fast = render ("Ihre Vorgangsnummer lautet K 7 Q M.", "de", 300, 100, &fast_n, &sample_rate);
  gint16 *none;

  /* Three times the speed: clearly shorter (pauses do not scale fully),
   * and still speech. */
  g_assert_cmpfloat ((double) fast_n, <, 0.6 * slow_n);
  g_assert_cmpfloat (rms (slow, slow_n), >, SILENCE_RMS);
  g_assert_cmpfloat (rms (fast, fast_n), >, SILENCE_RMS);
  none = kiosk_speech_render ("test", "xx-nonexistent", 160, 100, &n, &sample_rate, &error);
  g_assert_null (none);
  g_assert_error (error, KIOSK_SPEECH_ERROR, KIOSK_SPEECH_ERROR_ENGINE);
}

/* The playback path without a sound card: ALSA's "null" device opens
 * and takes every sample (it does not pace them), so the worker's way to
 * a device runs for real here. */
static void
test_playback_null_device (void)
{
  g_autoptr(GError) error = NULL;
  KioskSpeechSettings settings;
  g_autoptr(KioskSpeech) speech = NULL;
  g_autoptr(KioskUtterance) utterance = kiosk_utterance_new ();

  kiosk_speech_settings_init (&settings);
  settings.mode = KIOSK_SPEECH_MODE_ALWAYS;
  settings.device = g_strdup ("null");
  speech = kiosk_speech_new (&settings, &error);
  g_assert_no_error (error);
  kiosk_utterance_add (utterance, "Bitte wählen Sie Ihre Sprache.");
  kiosk_speech_say (speech, "de", utterance, KIOSK_SPEECH_INTERRUPT);
  g_assert_true (kiosk_speech_wait_idle (speech, 20000));
  g_assert_true (kiosk_speech_has_audio (speech));
  g_assert_cmpint (kiosk_speech_get_start_latency (speech), >=, 0);
  kiosk_speech_settings_clear (&settings);
}

static GPtrArray *
read_transcript (const char *path)
{
  g_autofree char *text = NULL;
  g_auto(GStrv) lines = NULL;
  GPtrArray *objects = g_ptr_array_new_with_free_func ((GDestroyNotify) json_node_unref);

  g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
  lines = g_strsplit (text, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    if (*lines[i] != '\0')
      {
        g_autoptr(GError) error = NULL;
        JsonNode *node = json_from_string (lines[i], &error);
        g_assert_no_error (error);
        g_assert_true (JSON_NODE_HOLDS_OBJECT (node));
        g_ptr_array_add (objects, node);
      }
  return objects;
}

static void
test_worker_and_transcript (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("kiosk-speech-XXXXXX", &error);
  g_autofree char *path = g_build_filename (dir, "transcript.jsonl", NULL);
  g_autofree char *fifo = g_build_filename (dir, "fifo", NULL);
  KioskSpeechSettings settings;
  g_autoptr(KioskSpeech) speech = NULL;
  g_autoptr(KioskUtterance) utterance = kiosk_utterance_new ();
  g_autoptr(GPtrArray) lines = NULL;
  JsonObject *line;
  g_autoptr(GDateTime) time = NULL;
  GStatBuf st;
  gint64 latency;

  g_assert_no_error (error);
  kiosk_speech_settings_init (&settings);
  settings.mode = KIOSK_SPEECH_MODE_ALWAYS;
  settings.transcript = g_strdup (path);
  speech = kiosk_speech_new (&settings, &error);
  g_assert_no_error (error);
  kiosk_utterance_add (utterance, "Familienname");
  kiosk_utterance_add_personal (utterance, "Łukasiewicz");
  kiosk_utterance_add (utterance, "Pflichtfeld");
  kiosk_speech_say (speech, "de", utterance, KIOSK_SPEECH_INTERRUPT);
  g_assert_true (kiosk_speech_wait_idle (speech, 10000));
  latency = kiosk_speech_get_start_latency (speech);
  g_test_message ("first samples %.1f ms after the call (audio device: %s)", latency / 1000.0,
                  kiosk_speech_has_audio (speech) ? "yes" : "no");
  g_assert_cmpint (latency, >=, 0);
  g_assert_cmpint (latency, <, 300 * 1000);

  lines = read_transcript (path);
  g_assert_cmpuint (lines->len, ==, 1);
  line = json_node_get_object (g_ptr_array_index (lines, 0));
  g_assert_cmpstr (json_object_get_string_member (line, "text"), ==, "Familienname. …. Pflichtfeld");
  g_assert_cmpstr (json_object_get_string_member (line, "lang"), ==, "de");
  time = g_date_time_new_from_iso8601 (json_object_get_string_member (line, "time"), NULL);
  g_assert_nonnull (time);
  /* the voice it was spoken in: the settings' until the visitor changes it */
  g_assert_cmpint (json_object_get_int_member (line, "volume"), ==, settings.volume);
  g_assert_cmpint (json_object_get_int_member (line, "rate"), ==, settings.rate);
  g_assert_cmpuint (json_object_get_size (line), ==, 5);
  /* Owner only. */
  g_assert_cmpint (g_stat (path, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);
  /* Repeat writes the same line again; stop forgets it. */
  kiosk_speech_repeat (speech);
  kiosk_speech_stop (speech);
  kiosk_speech_repeat (speech);
  g_assert_true (kiosk_speech_wait_idle (speech, 10000));
  g_clear_pointer (&lines, g_ptr_array_unref);
  lines = read_transcript (path);
  g_assert_cmpuint (lines->len, ==, 2);
  g_clear_pointer (&speech, kiosk_speech_free);

  /* A FIFO is no transcript: refused at once (never blocks). */
  g_assert_cmpint (mkfifo (fifo, 0600), ==, 0);
  g_free (settings.transcript);
  settings.transcript = g_strdup (fifo);
  speech = kiosk_speech_new (&settings, &error);
  g_assert_null (speech);
  g_assert_error (error, KIOSK_SPEECH_ERROR, KIOSK_SPEECH_ERROR_TRANSCRIPT);
  g_assert_nonnull (strstr (error->message, "FIFO"));
  kiosk_speech_settings_clear (&settings);
  g_unlink (path);
  g_unlink (fifo);
  g_rmdir (dir);
}

static void
test_settings (void)
{
  static const struct { const char *text; gboolean ok; const char *message; } cases[] = {
    { "", TRUE, NULL },
    { "[speech]\nmode=always\nrate=200\nvolume=80\ntranscript=/var/log/t.jsonl\n", TRUE, NULL },
    { "[speech]\nmode=loud\n", FALSE, "[speech] mode must be off, button or always" },
    { "[speech]\nrate=20\n", FALSE, "[speech] rate must be a whole number from 80 to 450" },
    { "[speech]\nvolume=-1\n", FALSE, "[speech] volume must be a whole number from 0 to 200" },
    { "[speech]\ntranscript=relative.jsonl\n", FALSE, "[speech] transcript must be an absolute path" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GKeyFile) keyfile = g_key_file_new ();
      g_autoptr(GError) error = NULL;
      KioskSpeechSettings settings;

      g_assert_true (g_key_file_load_from_data (keyfile, cases[i].text, -1, G_KEY_FILE_NONE, NULL));
      kiosk_speech_settings_init (&settings);
      g_assert_cmpint (kiosk_speech_settings_parse (&settings, keyfile, &error), ==, cases[i].ok);
      if (cases[i].ok)
        g_assert_no_error (error);
      else
        g_assert_cmpstr (error->message, ==, cases[i].message);
      if (i == 0)
        {
          g_assert_cmpint (settings.mode, ==, KIOSK_SPEECH_MODE_OFF);
          g_assert_null (settings.transcript);
        }
      if (i == 1)
        {
          g_assert_cmpint (settings.mode, ==, KIOSK_SPEECH_MODE_ALWAYS);
          g_assert_cmpuint (settings.rate, ==, 200);
          g_assert_cmpuint (settings.volume, ==, 80);
          g_assert_cmpstr (settings.transcript, ==, "/var/log/t.jsonl");
        }
      kiosk_speech_settings_clear (&settings);
    }
}

/* check-config knows [speech] (its checker is registered with the
 * configuration's module groups) and reports each problem at its key. */
static void
test_check_config (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("kiosk-speech-XXXXXX", &error);
  g_autofree char *path = g_build_filename (dir, "kiosk.conf", NULL);
  g_autofree char *text = g_strdup_printf ("[kiosk]\nid=t\nlocation=x\ndata_dir=%s\n"
                                           "[speech]\nmode=always\nrate=900\nvolum=3\ntranscript=rel.jsonl\n"
                                           "[destination demo]\n"
                                           "destination_id=4b5c7214-aa12-4624-955e-0f7deaabc342\n"
                                           "key_file=resource:///de/antragskiosk/demo/demo-destination.jwk\n"
                                           "trust_anchor=resource:///de/antragskiosk/demo/demo-root-ca.pem\n"
                                           "forms=*\n", dir);
  g_autoptr(GPtrArray) problems = g_ptr_array_new_with_free_func ((GDestroyNotify) kiosk_config_problem_free);
  g_autoptr(KioskConfig) config = NULL;
  GString *all = g_string_new (NULL);

  g_assert_true (g_file_set_contents (path, text, -1, NULL));
  config = kiosk_config_load (path, NULL, &error);
  g_assert_no_error (error);
  g_assert_false (kiosk_config_check_files (config, NULL, problems));
  for (guint i = 0; i < problems->len; i++)
    {
      KioskConfigProblem *problem = g_ptr_array_index (problems, i);
      g_string_append_printf (all, "[%s] %s: %s\n", problem->group, problem->key, problem->message);
    }
  g_test_message ("%s", all->str);
  g_assert_nonnull (strstr (all->str, "[speech] volum: unknown key; did you mean \"volume\"?"));
  g_assert_nonnull (strstr (all->str, "[speech] rate: \"900\" is not a whole number of words per minute from 80 to 450"));
  g_assert_nonnull (strstr (all->str, "[speech] transcript: must be an absolute path"));
  g_assert_null (strstr (all->str, "unknown group"));
  g_string_free (all, TRUE);
  g_unlink (path);
  g_rmdir (dir);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/antragskiosk/speech/languages", test_languages);
  g_test_add_func ("/antragskiosk/speech/silent-control", test_silent_control);
  g_test_add_func ("/antragskiosk/speech/rate-and-unknown-voice", test_rate_and_unknown_voice);
  g_test_add_func ("/antragskiosk/speech/worker-and-transcript", test_worker_and_transcript);
  g_test_add_func ("/antragskiosk/speech/playback-null-device", test_playback_null_device);
  g_test_add_func ("/antragskiosk/speech/settings", test_settings);
  g_test_add_func ("/antragskiosk/speech/check-config", test_check_config);
  return g_test_run ();
}
