/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "antragskiosk-speech"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <json-glib/json-glib.h>

#include <antragskiosk/file.h>

#include "kiosk-speech.h"
#include "kiosk-speech-api.h"

G_DEFINE_QUARK (kiosk-speech-error-quark, kiosk_speech_error)

/* eSpeak NG keeps its state in globals: one engine per process, used by
 * one thread at a time (the worker, or kiosk_speech_render()). */
static GMutex engine_lock;
static gsize engine_once;
static espeak_ng_STATUS engine_status;
static const KioskSpeechApi *api;   /* loaded by engine_init() */

/* Where the synthesis callback puts its samples. */
typedef struct {
  GArray              *samples;   /* render: collected here */
  struct audio_object *audio;     /* worker: written here (may be NULL) */
  KioskSpeech         *speech;    /* worker: for cancellation and timing */
  gint                 generation;
} Sink;

typedef struct {
  char   *text;
  char   *lang;
  gint64  queued_us;
  guint   volume;      /* the visitor's volume and rate when it was queued */
  guint   rate;
} Item;

struct _KioskSpeech {
  KioskSpeechSettings  settings;
  GThread             *thread;
  GMutex               lock;
  GCond                cond;
  GQueue               pending;      /* Item* */
  gboolean             quit;
  gboolean             busy;         /* the worker is speaking */
  gint                 generation;   /* bumped by interrupt/stop (atomic) */
  int                  transcript_fd;
  struct audio_object *audio;
  gboolean             has_audio;
  gint64               queued_us;    /* of the last say (lock) */
  gint64               started_us;   /* its first samples (lock), 0: not yet */
  char                *last_text;    /* for repeat (main thread) */
  char                *last_logged;
  char                *last_lang;
  guint                volume;       /* the visitor's (main thread); */
  guint                rate;         /* settings.volume/rate at each start */
};

/* ---- utterances ---- */

KioskUtterance *
kiosk_utterance_new (void)
{
  KioskUtterance *utterance = g_new0 (KioskUtterance, 1);

  utterance->spoken = g_string_new (NULL);
  utterance->logged = g_string_new (NULL);
  return utterance;
}

static void
append_part (GString *string, const char *text)
{
  gsize end;

  if (text == NULL || *text == '\0')
    return;
  end = string->len;
  /* Parts are phrases: a pause between them, as a full stop gives. */
  if (end > 0 && strchr (".!?:؟", string->str[end - 1]) == NULL && !g_str_has_suffix (string->str, "؟"))
    g_string_append_c (string, '.');
  if (end > 0)
    g_string_append_c (string, ' ');
  g_string_append (string, text);
}

void
kiosk_utterance_add (KioskUtterance *utterance, const char *text)
{
  append_part (utterance->spoken, text);
  append_part (utterance->logged, text);
}

void
kiosk_utterance_add_personal (KioskUtterance *utterance, const char *text)
{
  append_part (utterance->spoken, text);
  append_part (utterance->logged, "…");
}

static void
wipe_string (GString *string)
{
  if (string == NULL)
    return;
  explicit_bzero (string->str, string->allocated_len);
  g_string_free (string, TRUE);
}

void
kiosk_utterance_free (KioskUtterance *utterance)
{
  if (utterance == NULL)
    return;
  wipe_string (utterance->spoken);
  wipe_string (utterance->logged);
  g_free (utterance);
}

static void
wipe_free (char *text)
{
  if (text != NULL)
    explicit_bzero (text, strlen (text));
  g_free (text);
}

static void
item_free (Item *item)
{
  wipe_free (item->text);
  g_free (item->lang);
  g_free (item);
}

/* ---- the engine ---- */

static int
synth_cb (short *wav, int n_samples, espeak_EVENT *events)
{
  Sink *sink = events != NULL ? events->user_data : NULL;

  if (sink == NULL)
    return 0;
  if (sink->speech != NULL && g_atomic_int_get (&sink->speech->generation) != sink->generation)
    return 1;   /* interrupted: abort this utterance */
  if (wav == NULL || n_samples <= 0)
    return 0;
  if (sink->samples != NULL)
    g_array_append_vals (sink->samples, wav, n_samples);
  if (sink->speech != NULL)
    {
      g_mutex_lock (&sink->speech->lock);
      if (sink->speech->started_us == 0)
        sink->speech->started_us = g_get_monotonic_time ();
      g_mutex_unlock (&sink->speech->lock);
      if (sink->audio != NULL)
        api->audio_write (sink->audio, wav, (size_t) n_samples * sizeof (short));
    }
  return 0;
}

static gboolean
engine_init (GError **error)
{
  if (api == NULL && (api = _kiosk_speech_api_load (error)) == NULL)
    return FALSE;
  if (g_once_init_enter (&engine_once))
    {
      espeak_ng_ERROR_CONTEXT context = NULL;

      api->initialize_path (NULL);
      engine_status = api->initialize (&context);
      if (engine_status == ENS_OK)
        engine_status = api->initialize_output (ENOUTPUT_MODE_SYNCHRONOUS, 60, NULL);
      if (engine_status == ENS_OK)
        api->set_synth_callback (synth_cb);
      api->clear_error_context (&context);
      g_once_init_leave (&engine_once, 1);
    }
  if (engine_status != ENS_OK)
    {
      char message[512];

      api->get_status_message (engine_status, message, sizeof message);
      g_set_error (error, KIOSK_SPEECH_ERROR, KIOSK_SPEECH_ERROR_ENGINE,
                   "eSpeak NG cannot start (%s); is espeak-ng-data installed?", message);
      return FALSE;
    }
  return TRUE;
}

/* Speaks @text in @lang into @sink; the engine lock is held. */
static gboolean
engine_synthesize (const char *text, const char *lang, gboolean fallback, guint rate, guint volume, Sink *sink,
                   GError **error)
{
  espeak_ng_STATUS status = api->set_voice_by_name (lang != NULL ? lang : "de");

  /* A language without a voice: German rather than silence. */
  if (status != ENS_OK && fallback)
    status = api->set_voice_by_name ("de");
  if (status == ENS_OK)
    status = api->set_parameter (espeakRATE, (int) rate, 0);
  if (status == ENS_OK)
    status = api->set_parameter (espeakVOLUME, (int) volume, 0);
  if (status == ENS_OK)
    status = api->synthesize (text, strlen (text) + 1, 0, POS_CHARACTER, 0,
                                   espeakCHARS_UTF8, NULL, sink);
  if (status != ENS_OK && status != ENS_SPEECH_STOPPED)
    {
      char message[512];

      api->get_status_message (status, message, sizeof message);
      g_set_error (error, KIOSK_SPEECH_ERROR, KIOSK_SPEECH_ERROR_ENGINE, "eSpeak NG: %s", message);
      return FALSE;
    }
  return TRUE;
}

gint16 *
kiosk_speech_render (const char  *text,
                     const char  *lang,
                     guint        rate,
                     guint        volume,
                     gsize       *n_samples,
                     guint       *sample_rate,
                     GError     **error)
{
  g_autoptr(GArray) samples = g_array_new (FALSE, FALSE, sizeof (gint16));
  Sink sink = { .samples = samples };
  gboolean ok;

  g_mutex_lock (&engine_lock);
  ok = engine_init (error) && engine_synthesize (text, lang, FALSE, rate, volume, &sink, error);
  if (ok)
    *sample_rate = (guint) api->get_sample_rate ();
  g_mutex_unlock (&engine_lock);
  if (!ok)
    return NULL;
  *n_samples = samples->len;
  return (gint16 *) g_array_free (g_steal_pointer (&samples), FALSE);
}

/* ---- the worker ---- */

static void
open_audio (KioskSpeech *speech)
{
  int status;

  speech->audio = api->audio_create (speech->settings.device, "antragskiosk", "Vorlesen");
  if (speech->audio == NULL)
    {
      g_message ("Speech: no audio output; speech goes only to the transcript");
      return;
    }
  status = api->audio_open (speech->audio, AUDIO_OBJECT_FORMAT_S16LE, (uint32_t) api->get_sample_rate (), 1);
  if (status != 0)
    {
      g_message ("Speech: the audio device %s cannot be opened (%s); speech goes only to the transcript",
                 speech->settings.device != NULL ? speech->settings.device : "(default)",
                 api->audio_strerror (speech->audio, status));
      api->audio_destroy (speech->audio);
      speech->audio = NULL;
      return;
    }
  g_atomic_int_set (&speech->has_audio, TRUE);
}

static Item *
next_item (KioskSpeech *speech, gint *generation)
{
  Item *item;

  g_mutex_lock (&speech->lock);
  speech->busy = FALSE;
  g_cond_broadcast (&speech->cond);
  while (g_queue_is_empty (&speech->pending) && !speech->quit)
    g_cond_wait (&speech->cond, &speech->lock);
  item = speech->quit ? NULL : g_queue_pop_head (&speech->pending);
  speech->busy = item != NULL;
  *generation = g_atomic_int_get (&speech->generation);
  g_mutex_unlock (&speech->lock);
  return item;
}

static gpointer
worker (gpointer data)
{
  KioskSpeech *speech = data;
  g_autoptr(GError) error = NULL;
  Item *item;
  gint generation;

  g_mutex_lock (&engine_lock);
  if (!engine_init (&error))
    g_warning ("Speech is off: %s", error->message);
  else
    open_audio (speech);
  g_mutex_unlock (&engine_lock);
  while ((item = next_item (speech, &generation)) != NULL)
    {
      Sink sink = { .audio = speech->audio, .speech = speech, .generation = generation };

      g_mutex_lock (&engine_lock);
      if (error == NULL && !engine_synthesize (item->text, item->lang, TRUE, item->rate, item->volume, &sink,
                                               &error))
        {
          g_warning ("Speech failed: %s", error->message);
          g_clear_error (&error);
        }
      if (speech->audio != NULL)
        {
          if (g_atomic_int_get (&speech->generation) != generation)
            api->audio_flush (speech->audio);
          else
            api->audio_drain (speech->audio);
        }
      g_mutex_unlock (&engine_lock);
      item_free (item);
    }
  return NULL;
}

/* ---- the transcript ---- */

static int
open_transcript (const char *path, GError **error)
{
  struct stat st;
  int fd;

  /* What is there already must be a regular file (a FIFO would block or
   * fail obscurely, a link could point anywhere). */
  if (lstat (path, &st) == 0 && !S_ISREG (st.st_mode))
    {
      g_set_error (error, KIOSK_SPEECH_ERROR, KIOSK_SPEECH_ERROR_TRANSCRIPT,
                   "The speech transcript %s is %s, not a regular file", path,
                   kiosk_file_describe_type (st.st_mode));
      return -1;
    }
  fd = open (path, O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC, 0600);
  if (fd < 0)
    {
      int saved = errno;
      g_set_error (error, KIOSK_SPEECH_ERROR, KIOSK_SPEECH_ERROR_TRANSCRIPT,
                   "The speech transcript %s cannot be opened: %s", path, g_strerror (saved));
      return -1;
    }
  if (fstat (fd, &st) != 0 || !S_ISREG (st.st_mode))
    {
      g_set_error (error, KIOSK_SPEECH_ERROR, KIOSK_SPEECH_ERROR_TRANSCRIPT,
                   "The speech transcript %s is not a regular file", path);
      close (fd);
      return -1;
    }
  return fd;
}

static void
write_transcript (KioskSpeech *speech, const char *lang, const char *text)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autofree char *time = g_date_time_format_iso8601 (now);
  g_autofree char *line = NULL;
  g_autofree char *json = NULL;
  gsize done = 0, length;

  if (speech->transcript_fd < 0)
    return;
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "text");
  json_builder_add_string_value (builder, text);
  json_builder_set_member_name (builder, "lang");
  json_builder_add_string_value (builder, lang);
  json_builder_set_member_name (builder, "time");
  json_builder_add_string_value (builder, time);
  json_builder_set_member_name (builder, "volume");
  json_builder_add_int_value (builder, speech->volume);
  json_builder_set_member_name (builder, "rate");
  json_builder_add_int_value (builder, speech->rate);
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  json_generator_set_root (generator, root);
  json = json_generator_to_data (generator, NULL);
  line = g_strconcat (json, "\n", NULL);
  length = strlen (line);
  while (done < length)
    {
      ssize_t n = write (speech->transcript_fd, line + done, length - done);
      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        {
          g_message ("Speech transcript: a line could not be written: %s", g_strerror (errno));
          return;
        }
      done += (gsize) n;
    }
}

/* ---- public ---- */

KioskSpeech *
kiosk_speech_new (const KioskSpeechSettings *settings,
                  GError                   **error)
{
  KioskSpeech *speech = g_new0 (KioskSpeech, 1);

  speech->settings = *settings;
  speech->settings.transcript = g_strdup (settings->transcript);
  speech->settings.device = g_strdup (settings->device);
  speech->volume = settings->volume;
  speech->rate = settings->rate;
  speech->transcript_fd = -1;
  if (settings->transcript != NULL)
    {
      speech->transcript_fd = open_transcript (settings->transcript, error);
      if (speech->transcript_fd < 0)
        {
          kiosk_speech_free (speech);
          return NULL;
        }
    }
  g_mutex_init (&speech->lock);
  g_cond_init (&speech->cond);
  g_queue_init (&speech->pending);
  speech->busy = TRUE;   /* until the worker has started */
  speech->thread = g_thread_new ("kiosk-speech", worker, speech);
  return speech;
}

static void
clear_pending (KioskSpeech *speech)
{
  Item *item;

  while ((item = g_queue_pop_head (&speech->pending)) != NULL)
    item_free (item);
}

static void
queue_text (KioskSpeech *speech, const char *lang, const char *text, KioskSpeechFlags flags)
{
  Item *item = g_new0 (Item, 1);

  item->text = g_strdup (text);
  item->lang = g_strdup (lang);
  item->queued_us = g_get_monotonic_time ();
  item->volume = speech->volume;
  item->rate = speech->rate;
  g_mutex_lock (&speech->lock);
  if ((flags & KIOSK_SPEECH_APPEND) == 0)
    {
      clear_pending (speech);
      g_atomic_int_inc (&speech->generation);
    }
  g_queue_push_tail (&speech->pending, item);
  speech->started_us = 0;
  speech->queued_us = item->queued_us;
  g_cond_broadcast (&speech->cond);
  g_mutex_unlock (&speech->lock);
}

static void
remember (KioskSpeech *speech, const char *lang, const char *spoken, const char *logged)
{
  char *text = g_strdup (spoken);
  char *log = g_strdup (logged);
  char *language = g_strdup (lang);

  wipe_free (speech->last_text);
  wipe_free (speech->last_logged);
  g_free (speech->last_lang);
  speech->last_text = text;
  speech->last_logged = log;
  speech->last_lang = language;
}

void
kiosk_speech_say (KioskSpeech          *speech,
                  const char           *lang,
                  const KioskUtterance *utterance,
                  KioskSpeechFlags      flags)
{
  if (utterance->spoken->len == 0)
    return;
  write_transcript (speech, lang, utterance->logged->str);
  queue_text (speech, lang, utterance->spoken->str, flags);
  if ((flags & KIOSK_SPEECH_TRANSIENT) == 0)
    remember (speech, lang, utterance->spoken->str, utterance->logged->str);
}

void
kiosk_speech_repeat (KioskSpeech *speech)
{
  if (speech->last_text == NULL)
    return;
  write_transcript (speech, speech->last_lang, speech->last_logged);
  queue_text (speech, speech->last_lang, speech->last_text, KIOSK_SPEECH_INTERRUPT);
}

void
kiosk_speech_stop (KioskSpeech *speech)
{
  g_mutex_lock (&speech->lock);
  clear_pending (speech);
  g_atomic_int_inc (&speech->generation);
  g_mutex_unlock (&speech->lock);
  remember (speech, NULL, NULL, NULL);
}

void
kiosk_speech_set_voice (KioskSpeech *speech, guint volume, guint rate)
{
  speech->volume = MIN (volume, KIOSK_SPEECH_VOLUME_MAX);
  speech->rate = CLAMP (rate, KIOSK_SPEECH_RATE_MIN, KIOSK_SPEECH_RATE_MAX);
}

guint
kiosk_speech_get_volume (KioskSpeech *speech)
{
  return speech->volume;
}

guint
kiosk_speech_get_rate (KioskSpeech *speech)
{
  return speech->rate;
}

void
kiosk_speech_reset_voice (KioskSpeech *speech)
{
  kiosk_speech_set_voice (speech, speech->settings.volume, speech->settings.rate);
}

gboolean
kiosk_speech_wait_idle (KioskSpeech *speech, guint timeout_ms)
{
  gint64 end = g_get_monotonic_time () + (gint64) timeout_ms * 1000;
  gboolean idle;

  g_mutex_lock (&speech->lock);
  while (speech->busy || !g_queue_is_empty (&speech->pending))
    if (!g_cond_wait_until (&speech->cond, &speech->lock, end))
      break;
  idle = !speech->busy && g_queue_is_empty (&speech->pending);
  g_mutex_unlock (&speech->lock);
  return idle;
}

static void
read_times (KioskSpeech *speech, gint64 *queued, gint64 *started)
{
  g_mutex_lock (&speech->lock);
  *queued = speech->queued_us;
  *started = speech->started_us;
  g_mutex_unlock (&speech->lock);
}

gint64
kiosk_speech_get_start_latency (KioskSpeech *speech)
{
  gint64 queued, started;

  read_times (speech, &queued, &started);
  return started != 0 ? started - queued : -1;
}

gint64
kiosk_speech_get_started_at (KioskSpeech *speech)
{
  gint64 queued, started;

  read_times (speech, &queued, &started);
  return started;
}

gboolean
kiosk_speech_has_audio (KioskSpeech *speech)
{
  return g_atomic_int_get (&speech->has_audio);
}

void
kiosk_speech_free (KioskSpeech *speech)
{
  if (speech == NULL)
    return;
  if (speech->thread != NULL)
    {
      g_mutex_lock (&speech->lock);
      speech->quit = TRUE;
      clear_pending (speech);
      g_atomic_int_inc (&speech->generation);
      g_cond_broadcast (&speech->cond);
      g_mutex_unlock (&speech->lock);
      g_thread_join (speech->thread);
      g_mutex_clear (&speech->lock);
      g_cond_clear (&speech->cond);
    }
  if (speech->audio != NULL)
    {
      api->audio_close (speech->audio);
      api->audio_destroy (speech->audio);
    }
  if (speech->transcript_fd >= 0)
    close (speech->transcript_fd);
  remember (speech, NULL, NULL, NULL);
  kiosk_speech_settings_clear (&speech->settings);
  g_free (speech);
}
