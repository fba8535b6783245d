/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "antragskiosk-sync"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>
#include <gio/gio.h>
#include <glib.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include <antragskiosk/form.h>
#include <antragskiosk/sync.h>

G_DEFINE_QUARK (kiosk-sync-error-quark, kiosk_sync_error)

#define LEIKA_PREFIX "urn:de:fim:leika:leistung:"
#define REFILL_BATCH 64
#define MAX_STATUS_POLLS_PER_PASS 200
/* A Retry-After up to this long is waited out within the pass. */
#define MAX_SLOW_DOWN_WAIT_MS 30000

/* ---- settings ---- */

typedef struct {
  const char *key;
  gsize       offset;
  guint       min, max;
} SettingKey;

static const SettingKey setting_keys[] = {
  { "retry_base_s",      G_STRUCT_OFFSET (KioskSyncSettings, retry_base_s),      1, 86400 },
  { "retry_cap_s",       G_STRUCT_OFFSET (KioskSyncSettings, retry_cap_s),       1, 7 * 86400 },
  { "parallelism",       G_STRUCT_OFFSET (KioskSyncSettings, parallelism),       1, 64 },
  { "poll_interval_s",   G_STRUCT_OFFSET (KioskSyncSettings, poll_interval_s),   1, 86400 },
  { "status_poll_s",     G_STRUCT_OFFSET (KioskSyncSettings, status_poll_s),     1, 7 * 86400 },
  { "status_poll_cap_s", G_STRUCT_OFFSET (KioskSyncSettings, status_poll_cap_s), 1, 30 * 86400 },
  { "connect_timeout_s", G_STRUCT_OFFSET (KioskSyncSettings, connect_timeout_s), 1, 600 },
  { "stall_timeout_s",   G_STRUCT_OFFSET (KioskSyncSettings, stall_timeout_s),   1, 3600 },
  { "abandon_after_s",   G_STRUCT_OFFSET (KioskSyncSettings, abandon_after_s),   60, 86400 },
};

gboolean
kiosk_sync_setting_range (const char *key,
                          guint      *min,
                          guint      *max)
{
  for (gsize i = 0; i < G_N_ELEMENTS (setting_keys); i++)
    if (strcmp (key, setting_keys[i].key) == 0)
      {
        *min = setting_keys[i].min;
        *max = setting_keys[i].max;
        return TRUE;
      }
  return FALSE;
}

const char *const *
kiosk_sync_setting_names (void)
{
  static const char *names[G_N_ELEMENTS (setting_keys) + 1];
  static gsize initialized = 0;

  if (g_once_init_enter (&initialized))
    {
      for (gsize i = 0; i < G_N_ELEMENTS (setting_keys); i++)
        names[i] = setting_keys[i].key;
      names[G_N_ELEMENTS (setting_keys)] = NULL;
      g_once_init_leave (&initialized, 1);
    }
  return names;
}

void
kiosk_sync_settings_init (KioskSyncSettings *settings)
{
  settings->retry_base_s = 30;
  settings->retry_cap_s = 1800;
  settings->parallelism = 4;
  settings->poll_interval_s = 300;
  settings->status_poll_s = 600;
  settings->status_poll_cap_s = 21600;
  settings->connect_timeout_s = 10;
  settings->stall_timeout_s = 30;
  settings->abandon_after_s = 72000;
}

gboolean
kiosk_sync_settings_from_keyfile (GKeyFile          *keyfile,
                                  KioskSyncSettings *settings,
                                  GError           **error)
{
  g_auto(GStrv) keys = NULL;

  kiosk_sync_settings_init (settings);
  if (keyfile == NULL || !g_key_file_has_group (keyfile, "sync"))
    return TRUE;
  keys = g_key_file_get_keys (keyfile, "sync", NULL, NULL);
  for (guint k = 0; keys != NULL && keys[k] != NULL; k++)
    {
      const SettingKey *found = NULL;
      g_autofree char *value = NULL;
      guint64 number = 0;

      for (gsize i = 0; i < G_N_ELEMENTS (setting_keys); i++)
        if (strcmp (keys[k], setting_keys[i].key) == 0)
          found = &setting_keys[i];
      if (found == NULL)
        {
          g_set_error (error, KIOSK_SYNC_ERROR, KIOSK_SYNC_ERROR_INVALID,
                       _("[sync] %s: unknown key"), keys[k]);
          return FALSE;
        }
      value = g_key_file_get_value (keyfile, "sync", keys[k], NULL);
      if (value != NULL)
        g_strstrip (value);
      if (value == NULL
          || !g_ascii_string_to_unsigned (value, 10, found->min, found->max, &number, NULL))
        {
          g_set_error (error, KIOSK_SYNC_ERROR, KIOSK_SYNC_ERROR_INVALID,
                       _("[sync] %s: must be a whole number from %u to %u"),
                       found->key, found->min, found->max);
          return FALSE;
        }
      G_STRUCT_MEMBER (guint, settings, found->offset) = (guint) number;
    }
  if (settings->retry_cap_s < settings->retry_base_s)
    {
      g_set_error (error, KIOSK_SYNC_ERROR, KIOSK_SYNC_ERROR_INVALID,
                   _("[sync] retry_cap_s: must not be less than retry_base_s"));
      return FALSE;
    }
  return TRUE;
}

gint64
kiosk_sync_backoff_ms (const KioskSyncSettings *settings,
                       guint                    attempts,
                       double                   random01)
{
  gint64 base = (gint64) settings->retry_base_s * 1000;
  gint64 cap = (gint64) MAX (settings->retry_cap_s, settings->retry_base_s) * 1000;
  gint64 d = base;

  for (guint i = 0; i < attempts && d < cap; i++)
    d *= 2;
  d = MIN (d, cap);
  random01 = CLAMP (random01, 0.0, 1.0);
  return d / 2 + (gint64) (random01 * (double) (d / 2));
}

void
kiosk_sync_summary_clear (KioskSyncSummary *summary)
{
  g_clear_pointer (&summary->last_error, g_free);
}

/* ---- the engine ---- */

typedef enum {
  STEP_CHECK,           /* created, picked up again: read the event log first */
  STEP_CREATE,
  STEP_UPLOAD,
  STEP_SUBMIT,
  STEP_CONFLICT_CHECK,  /* 409 on submit: the event log decides */
  STEP_STATUS,          /* submitted: accepted or rejected yet? */
} Step;

typedef struct {
  gint64 next_ms;
  gint64 interval_ms;
} PollState;

struct _KioskSyncEngine {
  const KioskConfig *config;
  KioskQueue        *queue;
  KioskSyncSettings  settings;
  KioskPlatform     *platform;
  KioskCatalog      *catalog;
  GRand             *rand;
  GHashTable        *polls;          /* reference → PollState* */
  JsonNode          *jwks;           /* the platform's signature keys, or NULL */
  gint64             jwks_loaded_ms; /* when; 0 not yet */
  gboolean           jwks_absent;    /* the platform publishes none (404) */
  gint               cancelled;      /* atomic */

  /* per pass */
  KioskSyncSummary  *summary;
  GHashTable        *handled;        /* references taken in this pass */
  gint64             pass_start_ms;
  gint64             slow_until_ms;  /* Retry-After: no new request before */
  GQueue             deferred;       /* Op* waiting for slow_until_ms */
  guint              in_flight;
  guint              n_stuck;        /* taken, not in flight, maybe still due */
  gboolean           paused;
  guint              consecutive_transient;
  GError            *queue_error;    /* the first queue failure */
};

typedef struct {
  KioskSyncEngine *engine;
  KioskQueueItem  *item;
  Step             step;
  guint            attachment;
} Op;

KioskSyncEngine *
kiosk_sync_engine_new (const KioskConfig       *config,
                       KioskQueue              *queue,
                       const KioskSyncSettings *settings,
                       GError                 **error)
{
  g_autoptr(KioskSyncEngine) engine = g_new0 (KioskSyncEngine, 1);
  KioskPlatformOptions options;

  engine->config = config;
  engine->queue = queue;
  engine->rand = g_rand_new ();
  engine->polls = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  if (settings != NULL)
    engine->settings = *settings;
  else if (!kiosk_sync_settings_from_keyfile (config->keyfile, &engine->settings, error))
    return NULL;

  kiosk_platform_options_init (&options);
  options.parallelism = engine->settings.parallelism;
  options.connect_timeout_s = engine->settings.connect_timeout_s;
  options.stall_timeout_s = engine->settings.stall_timeout_s;
  engine->platform = kiosk_platform_new (config, &options, error);
  if (engine->platform == NULL)
    return NULL;
  engine->catalog = kiosk_catalog_new_for_config (config, TRUE, error);
  if (engine->catalog == NULL)
    return NULL;
  return g_steal_pointer (&engine);
}

void
kiosk_sync_engine_free (KioskSyncEngine *engine)
{
  if (engine == NULL)
    return;
  g_clear_pointer (&engine->platform, kiosk_platform_free);
  g_clear_pointer (&engine->catalog, kiosk_catalog_free);
  g_clear_pointer (&engine->rand, g_rand_free);
  g_clear_pointer (&engine->polls, g_hash_table_unref);
  g_clear_pointer (&engine->jwks, json_node_unref);
  g_free (engine);
}

const KioskSyncSettings *
kiosk_sync_engine_get_settings (KioskSyncEngine *engine)
{
  return &engine->settings;
}

KioskPlatform *
kiosk_sync_engine_get_platform (KioskSyncEngine *engine)
{
  return engine->platform;
}

void
kiosk_sync_engine_cancel (KioskSyncEngine *engine)
{
  g_atomic_int_set (&engine->cancelled, 1);
  kiosk_platform_cancel (engine->platform);
}

static void
set_last_error (KioskSyncEngine *engine, const char *message)
{
  if (engine->summary->platform_fault != KIOSK_PLATFORM_OK && engine->summary->last_error != NULL)
    return;  /* the platform-wide fault stays the headline */
  g_free (engine->summary->last_error);
  engine->summary->last_error = g_strdup (message);
}

static void
op_free (Op *op)
{
  kiosk_queue_item_free (op->item);
  g_free (op);
}

static void
op_done (Op *op)
{
  op->engine->in_flight--;
  op_free (op);
}

/* A queue call failed: log it, stop the pass (the disk is in trouble). */
static void
queue_failed (Op *op, GError *error)
{
  KioskSyncEngine *engine = op->engine;
  g_autofree char *shown = g_strdup (op->item->reference);

  g_message ("sync: the queue refused an update of %s: %s", shown, error->message);
  engine->n_stuck++;
  set_last_error (engine, error->message);
  if (error->domain == KIOSK_QUEUE_ERROR
      && error->code != KIOSK_QUEUE_ERROR_STATE && error->code != KIOSK_QUEUE_ERROR_NOT_FOUND)
    {
      if (engine->queue_error == NULL)
        engine->queue_error = g_error_copy (error);
      engine->paused = TRUE;
    }
}

static gint64
now_ms (KioskSyncEngine *engine)
{
  return kiosk_queue_now_ms (engine->queue);
}

static void step_run (Op *op);

static void
schedule_retry (Op *op, gint64 delay_ms, const char *message)
{
  KioskSyncEngine *engine = op->engine;
  g_autoptr(GError) error = NULL;

  if (!kiosk_queue_schedule_retry (engine->queue, op->item->reference, now_ms (engine) + delay_ms,
                                   message, &error))
    queue_failed (op, error);
  else
    engine->summary->retried++;
  set_last_error (engine, message);
}

static void
mark_submitted (Op *op)
{
  KioskSyncEngine *engine = op->engine;
  g_autoptr(GError) error = NULL;

  if (!kiosk_queue_mark_submitted (engine->queue, op->item->reference, &error))
    queue_failed (op, error);
  else
    {
      engine->summary->sent++;
      g_debug ("%s submitted", op->item->reference);
    }
  op_done (op);
}

/* The common answer to a fault. Returns after the op is finished. */
static void
handle_fault (Op *op, const KioskPlatformResponse *response)
{
  KioskSyncEngine *engine = op->engine;
  KioskSyncSummary *summary = engine->summary;
  const char *message = response->message != NULL ? response->message : kiosk_platform_fault_to_string (response->fault);
  g_autoptr(GError) error = NULL;

  if (response->fault == KIOSK_PLATFORM_CANCELLED)
    {
      op_done (op);
      return;
    }
  if (kiosk_platform_fault_is_platform_wide (response->fault) || response->token_failed)
    {
      /* Nothing about this application: leave it as it is and pause. */
      if (!engine->paused || summary->platform_fault == KIOSK_PLATFORM_OK)
        {
          g_free (summary->last_error);
          summary->last_error = g_strdup (message);
          summary->platform_fault = response->fault;
          if (response->fault == KIOSK_PLATFORM_SLOW_DOWN && response->retry_after_ms >= 0)
            summary->resume_after_ms = now_ms (engine) + response->retry_after_ms;
          g_message ("sync paused: %s", message);
        }
      engine->paused = TRUE;
      op_done (op);
      return;
    }

  switch (response->fault)
    {
    case KIOSK_PLATFORM_SLOW_DOWN:
      {
        gint64 delay = response->retry_after_ms >= 0
                       ? response->retry_after_ms
                       : kiosk_sync_backoff_ms (&engine->settings, op->item->attempts, g_rand_double (engine->rand));
        delay = MAX (delay, 1000);
        schedule_retry (op, delay, message);
        if (response->retry_after_ms >= 0)
          {
            /* The platform asked everyone to slow down: no new request
             * before then; a long wait ends the pass. */
            engine->slow_until_ms = MAX (engine->slow_until_ms, now_ms (engine) + delay);
            if (delay > MAX_SLOW_DOWN_WAIT_MS)
              {
                engine->paused = TRUE;
                summary->resume_after_ms = MAX (summary->resume_after_ms, engine->slow_until_ms);
              }
          }
        break;
      }
    case KIOSK_PLATFORM_PERMANENT:
      if (!kiosk_queue_mark_failed (engine->queue, op->item->reference, message, &error))
        queue_failed (op, error);
      else
        summary->failed++;
      set_last_error (engine, message);
      g_message ("%s failed permanently: %s", op->item->reference, message);
      break;
    case KIOSK_PLATFORM_CONFLICT:
    case KIOSK_PLATFORM_TRANSIENT:
    default:
      schedule_retry (op, kiosk_sync_backoff_ms (&engine->settings, op->item->attempts,
                                                 g_rand_double (engine->rand)), message);
      if (response->fault == KIOSK_PLATFORM_TRANSIENT && response->status == 0)
        {
          /* No answer at all, again and again: the platform is down. */
          engine->consecutive_transient++;
          if (engine->consecutive_transient >= MAX (4u, 2 * engine->settings.parallelism))
            {
              engine->paused = TRUE;
              if (summary->platform_fault == KIOSK_PLATFORM_OK)
                {
                  summary->platform_fault = KIOSK_PLATFORM_TRANSIENT;
                  g_free (summary->last_error);
                  summary->last_error = g_strdup_printf ("the platform does not answer (%s)", message);
                }
            }
        }
      break;
    }
  op_done (op);
}

static gboolean
has_type (GPtrArray *types, const char *type)
{
  for (guint i = 0; i < types->len; i++)
    if (strcmp (types->pdata[i], type) == 0)
      return TRUE;
  return FALSE;
}

static gboolean
handed_over (GPtrArray *types)
{
  return has_type (types, "submit-submission") || has_type (types, "notify-submission")
         || has_type (types, "forward-submission") || has_type (types, "accept-submission")
         || has_type (types, "reject-submission");
}

static void
restart_and_create (Op *op)
{
  g_autoptr(GError) error = NULL;

  if (!kiosk_queue_restart (op->engine->queue, op->item->reference, &error))
    {
      queue_failed (op, error);
      op_done (op);
      return;
    }
  g_clear_pointer (&op->item->submission_id, g_free);
  g_clear_pointer (&op->item->case_id, g_free);
  op->item->state = KIOSK_QUEUE_STATE_QUEUED;
  op->step = STEP_CREATE;
  step_run (op);
}

static void
on_response (KioskPlatform               *platform,
             const KioskPlatformResponse *response,
             gpointer                     user_data)
{
  Op *op = user_data;
  KioskSyncEngine *engine = op->engine;
  g_autoptr(GError) error = NULL;

  if (response->fault == KIOSK_PLATFORM_OK)
    engine->consecutive_transient = 0;

  switch (op->step)
    {
    case STEP_CREATE:
      {
        JsonObject *object = response->body != NULL && JSON_NODE_HOLDS_OBJECT (response->body)
                             ? json_node_get_object (response->body) : NULL;
        const char *submission_id = object != NULL ? json_object_get_string_member_with_default (object, "submissionId", NULL) : NULL;
        const char *case_id = object != NULL ? json_object_get_string_member_with_default (object, "caseId", NULL) : NULL;

        if (response->fault != KIOSK_PLATFORM_OK)
          {
            KioskPlatformResponse copy = *response;
            if (copy.fault == KIOSK_PLATFORM_CONFLICT)
              copy.fault = KIOSK_PLATFORM_TRANSIENT;
            handle_fault (op, &copy);
            return;
          }
        if (submission_id == NULL || case_id == NULL
            || !g_uuid_string_is_valid (submission_id) || !g_uuid_string_is_valid (case_id))
          {
            KioskPlatformResponse bad = *response;
            bad.fault = KIOSK_PLATFORM_TRANSIENT;
            bad.message = (char *) "the answer to POST /v1/submissions has no valid submissionId and caseId";
            handle_fault (op, &bad);
            return;
          }
        if (!kiosk_queue_mark_created (engine->queue, op->item->reference, submission_id, case_id, &error))
          {
            queue_failed (op, error);
            op_done (op);
            return;
          }
        op->item->submission_id = g_strdup (submission_id);
        op->item->case_id = g_strdup (case_id);
        op->item->state = KIOSK_QUEUE_STATE_CREATED;
        op->step = STEP_UPLOAD;
        op->attachment = 0;
        step_run (op);
        return;
      }

    case STEP_UPLOAD:
      /* 409: this attachment is there already (a resumed upload). */
      if (response->fault != KIOSK_PLATFORM_OK && response->fault != KIOSK_PLATFORM_CONFLICT)
        {
          handle_fault (op, response);
          return;
        }
      op->attachment++;
      step_run (op);
      return;

    case STEP_SUBMIT:
      if (response->fault == KIOSK_PLATFORM_CONFLICT)
        {
          g_message ("%s: 409 on submit; reading the case's event log", op->item->reference);
          op->step = STEP_CONFLICT_CHECK;
          step_run (op);
          return;
        }
      if (response->fault != KIOSK_PLATFORM_OK)
        {
          handle_fault (op, response);
          return;
        }
      mark_submitted (op);
      return;

    case STEP_CHECK:
    case STEP_CONFLICT_CHECK:
      {
        g_autoptr(GPtrArray) types = g_ptr_array_new_with_free_func (g_free);
        guint n_unverified = 0;
        gboolean old = op->item->platform_created_ms != 0
                       && now_ms (engine) - op->item->platform_created_ms >= (gint64) engine->settings.abandon_after_s * 1000;

        if (response->fault == KIOSK_PLATFORM_PERMANENT && response->status == 404 && op->step == STEP_CHECK)
          {
            /* The platform no longer knows the case: start anew. */
            restart_and_create (op);
            return;
          }
        if (response->fault != KIOSK_PLATFORM_OK)
          {
            KioskPlatformResponse copy = *response;
            if (copy.fault == KIOSK_PLATFORM_PERMANENT || copy.fault == KIOSK_PLATFORM_CONFLICT)
              copy.fault = KIOSK_PLATFORM_TRANSIENT;  /* never fail an item over its event log */
            handle_fault (op, &copy);
            return;
          }
        if (!kiosk_platform_parse_events (response->body, op->item->submission_id, engine->jwks, types, NULL,
                                          &n_unverified))
          {
            KioskPlatformResponse bad = *response;
            bad.fault = KIOSK_PLATFORM_TRANSIENT;
            bad.message = (char *) "the case's event log is not a FIT-Connect event log";
            handle_fault (op, &bad);
            return;
          }
        if (n_unverified > 0)
          g_message ("%s: %u event token(s) with a bad signature ignored", op->item->reference, n_unverified);
        if (handed_over (types))
          {
            g_message ("%s: the event log shows it submitted; nothing resent", op->item->reference);
            mark_submitted (op);
            return;
          }
        if (op->step == STEP_CONFLICT_CHECK)
          {
            KioskPlatformResponse conflict = *response;
            conflict.fault = KIOSK_PLATFORM_CONFLICT;
            conflict.message = (char *) "HTTP 409 on submit and no submit event in the case's event log; checked again later";
            handle_fault (op, &conflict);
            return;
          }
        if (old)
          {
            g_message ("%s: unfinished submission older than %u s; creating it anew",
                       op->item->reference, engine->settings.abandon_after_s);
            restart_and_create (op);
            return;
          }
        op->step = STEP_UPLOAD;
        op->attachment = 0;
        step_run (op);
        return;
      }

    case STEP_STATUS:
      {
        g_autoptr(GPtrArray) types = g_ptr_array_new_with_free_func (g_free);
        g_autofree char *reason = NULL;
        guint n_unverified = 0;
        PollState *poll = g_hash_table_lookup (engine->polls, op->item->reference);

        if (response->fault != KIOSK_PLATFORM_OK
            || !kiosk_platform_parse_events (response->body, op->item->submission_id, engine->jwks, types, &reason,
                                             &n_unverified))
          {
            if (kiosk_platform_fault_is_platform_wide (response->fault) || response->token_failed)
              {
                handle_fault (op, response);
                return;
              }
            op_done (op);
            return;
          }
        if (has_type (types, "accept-submission"))
          {
            if (!kiosk_queue_mark_accepted (engine->queue, op->item->reference, &error))
              queue_failed (op, error);
            else
              engine->summary->accepted++;
            g_hash_table_remove (engine->polls, op->item->reference);
          }
        else if (has_type (types, "reject-submission"))
          {
            if (!kiosk_queue_mark_rejected (engine->queue, op->item->reference,
                                            reason != NULL ? reason : "rejected by the authority", &error))
              queue_failed (op, error);
            else
              engine->summary->rejected++;
            g_hash_table_remove (engine->polls, op->item->reference);
          }
        else if (poll != NULL)
          {
            poll->interval_ms = MIN (poll->interval_ms * 2, (gint64) engine->settings.status_poll_cap_s * 1000);
            poll->next_ms = now_ms (engine) + poll->interval_ms;
          }
        op_done (op);
        return;
      }
    }
}

static void
service_of (KioskSyncEngine *engine, const KioskQueueItem *item, char **name, char **identifier)
{
  KioskForm *form = kiosk_catalog_lookup (engine->catalog, item->form_id);

  *name = g_strdup (form != NULL ? kiosk_text_get (form->title, "de") : item->form_id);
  /* A form without a LeiKa key ("unknown") is sent with the form id as
   * the service key: the platform decides whether it takes it. */
  *identifier = g_strconcat (LEIKA_PREFIX, form != NULL && form->leika != NULL ? form->leika : item->form_id, NULL);
}

static void
step_run (Op *op)
{
  KioskSyncEngine *engine = op->engine;
  KioskQueueItem *item = op->item;

  /* Retry-After: not even the next step of an application in flight goes
   * out before then. */
  if (engine->slow_until_ms > now_ms (engine))
    {
      g_queue_push_tail (&engine->deferred, op);
      return;
    }

  switch (op->step)
    {
    case STEP_CREATE:
      {
        g_autofree const char **ids = g_new0 (const char *, item->attachments != NULL ? item->attachments->len + 1 : 1);
        g_autofree char *name = NULL;
        g_autofree char *identifier = NULL;
        guint n = 0;

        for (guint i = 0; item->attachments != NULL && i < item->attachments->len; i++)
          ids[n++] = ((KioskQueueAttachment *) item->attachments->pdata[i])->attachment_id;
        service_of (engine, item, &name, &identifier);
        kiosk_platform_create_submission (engine->platform, item->destination_id, ids, n, name, identifier,
                                          on_response, op);
        return;
      }
    case STEP_UPLOAD:
      if (item->attachments != NULL && op->attachment < item->attachments->len)
        {
          KioskQueueAttachment *attachment = item->attachments->pdata[op->attachment];
          kiosk_platform_upload_attachment (engine->platform, item->submission_id, attachment->attachment_id,
                                            attachment->ciphertext, on_response, op);
          return;
        }
      op->step = STEP_SUBMIT;
      G_GNUC_FALLTHROUGH;
    case STEP_SUBMIT:
      kiosk_platform_submit (engine->platform, item->submission_id, item->metadata_jwe, item->data_jwe,
                             on_response, op);
      return;
    case STEP_CHECK:
    case STEP_CONFLICT_CHECK:
    case STEP_STATUS:
      kiosk_platform_get_events (engine->platform, item->case_id, on_response, op);
      return;
    }
}

static void
start_item (KioskSyncEngine *engine, KioskQueueItem *item, Step step)
{
  Op *op = g_new0 (Op, 1);

  op->engine = engine;
  op->item = item;
  if (step == STEP_STATUS)
    op->step = STEP_STATUS;
  else if (item->state == KIOSK_QUEUE_STATE_CREATED && item->submission_id != NULL && item->case_id != NULL)
    op->step = STEP_CHECK;
  else
    op->step = STEP_CREATE;
  engine->in_flight++;
  step_run (op);
}

static gboolean
should_stop (KioskSyncEngine *engine)
{
  return engine->paused || g_atomic_int_get (&engine->cancelled);
}

/* Runs the transfers until every op finished or @done says so. */
static void
drive (KioskSyncEngine *engine, GQueue *pending, gboolean (*refill) (KioskSyncEngine *, GQueue *), Step step)
{
  gboolean exhausted = FALSE;

  for (;;)
    {
      if (!g_queue_is_empty (&engine->deferred) && (should_stop (engine) || now_ms (engine) >= engine->slow_until_ms))
        {
          GQueue ready = engine->deferred;
          Op *op;

          g_queue_init (&engine->deferred);
          while ((op = g_queue_pop_head (&ready)) != NULL)
            {
              if (should_stop (engine))
                op_done (op);   /* stays as stored; picked up next pass */
              else
                step_run (op);
            }
        }
      while (!should_stop (engine) && engine->in_flight < engine->settings.parallelism
             && now_ms (engine) >= engine->slow_until_ms)
        {
          KioskQueueItem *item;

          if (g_queue_is_empty (pending) && !exhausted)
            exhausted = !refill (engine, pending);
          item = g_queue_pop_head (pending);
          if (item == NULL)
            break;
          start_item (engine, item, step);
        }
      if (engine->in_flight == 0 && kiosk_platform_get_n_active (engine->platform) == 0)
        {
          gint64 wait = engine->slow_until_ms - now_ms (engine);

          if (should_stop (engine) || wait <= 0 || (g_queue_is_empty (pending) && exhausted))
            break;
          /* Retry-After: wait it out (it is short), then go on. */
          g_usleep ((gulong) MIN (wait, 200) * 1000);
          continue;
        }
      {
        gint64 wait = engine->slow_until_ms - now_ms (engine);
        kiosk_platform_iterate (engine->platform, (int) CLAMP (wait, 10, 1000));
      }
    }
  g_queue_clear_full (pending, (GDestroyNotify) kiosk_queue_item_free);
}

static gboolean
refill_due (KioskSyncEngine *engine, GQueue *pending)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) items = NULL;
  guint added = 0;

  /* Those still due that were taken already are the ones in flight and
   * the stuck ones; the batch comes after them (never all at once: each
   * item carries its ciphertexts). */
  items = kiosk_queue_take_due (engine->queue, engine->pass_start_ms,
                                engine->in_flight + engine->n_stuck + REFILL_BATCH, &error);
  if (items == NULL)
    {
      if (engine->queue_error == NULL)
        engine->queue_error = g_steal_pointer (&error);
      engine->paused = TRUE;
      return FALSE;
    }
  for (guint i = 0; i < items->len; i++)
    {
      KioskQueueItem *item = items->pdata[i];

      if (g_hash_table_contains (engine->handled, item->reference))
        continue;
      g_hash_table_add (engine->handled, g_strdup (item->reference));
      items->pdata[i] = NULL;
      g_queue_push_tail (pending, item);
      added++;
    }
  g_ptr_array_set_free_func (items, (GDestroyNotify) kiosk_queue_item_free);
  return added > 0;
}

static gboolean
refill_none (KioskSyncEngine *engine, GQueue *pending)
{
  return FALSE;
}

/* The submitted applications whose status poll is due. */
static void
collect_status_polls (KioskSyncEngine *engine, GQueue *pending)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) items = kiosk_queue_list (engine->queue, KIOSK_QUEUE_STATE_SUBMITTED, 0, 0, &error);
  gint64 now = now_ms (engine);
  guint n = 0;

  if (items == NULL)
    return;
  for (guint i = items->len; i > 0 && n < MAX_STATUS_POLLS_PER_PASS; i--)  /* oldest first */
    {
      KioskQueueItem *item = items->pdata[i - 1];
      PollState *poll = g_hash_table_lookup (engine->polls, item->reference);

      if (item->case_id == NULL)
        continue;
      if (poll == NULL)
        {
          poll = g_new0 (PollState, 1);
          poll->interval_ms = (gint64) engine->settings.status_poll_s * 1000;
          poll->next_ms = item->submitted_ms + poll->interval_ms;
          g_hash_table_insert (engine->polls, g_strdup (item->reference), poll);
        }
      if (poll->next_ms > now)
        continue;
      /* Until the answer comes, not again. */
      poll->next_ms = now + poll->interval_ms;
      items->pdata[i - 1] = NULL;
      g_queue_push_tail (pending, item);
      n++;
    }
  g_ptr_array_set_free_func (items, (GDestroyNotify) kiosk_queue_item_free);
}

static void
count_waiting (KioskSyncEngine  *engine,
               KioskSyncSummary *summary)
{
  gint64 now = now_ms (engine);

  for (int state = KIOSK_QUEUE_STATE_QUEUED; state <= KIOSK_QUEUE_STATE_CREATED; state++)
    {
      g_autoptr(GPtrArray) items = kiosk_queue_list (engine->queue, state, 0, 0, NULL);

      for (guint i = 0; items != NULL && i < items->len; i++)
        {
          KioskQueueItem *item = items->pdata[i];

          summary->waiting++;
          if (item->next_attempt_ms <= now)
            summary->waiting_due++;
          if (summary->next_due_ms == 0 || item->next_attempt_ms < summary->next_due_ms)
            summary->next_due_ms = item->next_attempt_ms;
        }
    }
}

static void
on_jwks (KioskPlatform               *platform,
         const KioskPlatformResponse *response,
         gpointer                     user_data)
{
  KioskSyncEngine *engine = user_data;
  KioskSyncSummary *summary = engine->summary;

  if (response->fault == KIOSK_PLATFORM_OK && response->body != NULL && JSON_NODE_HOLDS_OBJECT (response->body)
      && json_object_has_member (json_node_get_object (response->body), "keys"))
    {
      g_clear_pointer (&engine->jwks, json_node_unref);
      engine->jwks = json_node_ref (response->body);
      engine->jwks_loaded_ms = now_ms (engine);
      engine->jwks_absent = FALSE;
      return;
    }
  if (response->fault == KIOSK_PLATFORM_PERMANENT && response->status == 404)
    {
      if (!engine->jwks_absent)
        g_message ("the platform publishes no signature keys (.well-known/jwks.json); event tokens are not verified");
      engine->jwks_absent = TRUE;
      engine->jwks_loaded_ms = now_ms (engine);
      return;
    }
  if (kiosk_platform_fault_is_platform_wide (response->fault) || response->token_failed)
    {
      summary->platform_fault = response->fault;
      g_free (summary->last_error);
      summary->last_error = g_strdup (response->message);
      g_message ("sync paused: %s", response->message);
      engine->paused = TRUE;
    }
  /* Otherwise: the keys we had (if any) stay in use; try again next pass. */
}

/* The platform's signature keys, hourly. */
static void
load_jwks (KioskSyncEngine *engine)
{
  if (engine->jwks_loaded_ms != 0 && now_ms (engine) - engine->jwks_loaded_ms < 3600 * 1000)
    return;
  kiosk_platform_get_jwks (engine->platform, on_jwks, engine);
  while (kiosk_platform_get_n_active (engine->platform) > 0)
    kiosk_platform_iterate (engine->platform, 1000);
}

/* ---- one pass at a time per queue, and its record ---- */

/* The kiosk's own worker and the sync service (antragskiosk-ctl sync) may
 * both run on one data directory; two passes at once would send the same
 * application twice. A pass holds an exclusive flock() on
 * DATA_DIR/sync.lock; the kernel drops it when the process dies. Returns
 * the descriptor, -1 when another process holds the lock (@error unset),
 * or -1 with @error when the lock file cannot be opened. */
static int
take_pass_lock (const char  *data_dir,
                GError     **error)
{
  g_autofree char *path = g_build_filename (data_dir, KIOSK_SYNC_LOCK_FILE, NULL);
  int fd = g_open (path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  int saved;

  if (fd < 0)
    {
      saved = errno;
      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved),
                   "cannot open the sync lock %s: %s", path, g_strerror (saved));
      return -1;
    }
  if (flock (fd, LOCK_EX | LOCK_NB) == 0)
    return fd;
  saved = errno;
  close (fd);
  if (saved != EWOULDBLOCK)
    g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved),
                 "cannot lock %s: %s", path, g_strerror (saved));
  return -1;
}

void
kiosk_sync_record_clear (KioskSyncRecord *record)
{
  g_clear_pointer (&record->last_error, g_free);
  g_clear_pointer (&record->program, g_free);
}

static gint64
member_int (JsonObject *object, const char *name)
{
  JsonNode *node = json_object_get_member (object, name);

  return node != NULL && JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_INT64
           ? json_node_get_int (node) : 0;
}

static const char *
member_string (JsonObject *object, const char *name)
{
  JsonNode *node = json_object_get_member (object, name);

  return node != NULL && JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING
           ? json_node_get_string (node) : NULL;
}

gboolean
kiosk_sync_record_load (const char       *data_dir,
                        KioskSyncRecord  *record,
                        GError          **error)
{
  g_autofree char *path = g_build_filename (data_dir, KIOSK_SYNC_RECORD_FILE, NULL);
  g_autofree char *contents = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) local_error = NULL;
  gsize length = 0;
  JsonObject *object;
  const char *fault;

  memset (record, 0, sizeof *record);
  if (!g_file_get_contents (path, &contents, &length, &local_error))
    {
      if (g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        return TRUE;  /* no pass yet */
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  if (!json_parser_load_from_data (parser, contents, (gssize) length, NULL)
      || !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    {
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
                   "%s is not a sync record (damaged?); it is rewritten after the next sync pass", path);
      return FALSE;
    }
  object = json_node_get_object (json_parser_get_root (parser));
  record->last_pass_ms = member_int (object, "last_pass_ms");
  record->last_success_ms = member_int (object, "last_success_ms");
  record->sent = (guint64) MAX (member_int (object, "sent"), 0);
  record->failed = (guint64) MAX (member_int (object, "failed"), 0);
  record->pid = (int) member_int (object, "pid");
  record->last_error = g_strdup (member_string (object, "last_error"));
  record->program = g_strdup (member_string (object, "program"));
  record->platform_fault = KIOSK_PLATFORM_OK;
  fault = member_string (object, "platform_fault");
  for (int f = KIOSK_PLATFORM_OK; fault != NULL && f <= KIOSK_PLATFORM_CANCELLED; f++)
    if (strcmp (fault, kiosk_platform_fault_to_string ((KioskPlatformFault) f)) == 0)
      record->platform_fault = (KioskPlatformFault) f;
  return TRUE;
}

/* After each pass, under the pass lock: what `antragskiosk-ctl status`
 * reports however many processes sync. Technical facts only: the last
 * error names a reference at most, never an answer. */
static void
write_record (KioskSyncEngine        *engine,
              const KioskSyncSummary *summary,
              gboolean                queue_ok)
{
  const char *data_dir = engine->config->data_dir;
  g_autofree char *path = g_build_filename (data_dir, KIOSK_SYNC_RECORD_FILE, NULL);
  g_auto(KioskSyncRecord) previous = { 0 };
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *json = NULL;
  gint64 now = now_ms (engine);
  gboolean success = queue_ok && summary->platform_fault == KIOSK_PLATFORM_OK;
  /* Which program: the kiosk or the sync service (antragskiosk-ctl). */
  g_autofree char *exe = g_file_read_link ("/proc/self/exe", NULL);
  g_autofree char *program = exe != NULL ? g_path_get_basename (exe)
                                         : g_strdup (g_get_prgname () != NULL ? g_get_prgname () : "?");

  kiosk_sync_record_load (data_dir, &previous, NULL);
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "last_pass_ms");
  json_builder_add_int_value (builder, now);
  json_builder_set_member_name (builder, "last_success_ms");
  json_builder_add_int_value (builder, success ? now : previous.last_success_ms);
  json_builder_set_member_name (builder, "platform_fault");
  json_builder_add_string_value (builder, kiosk_platform_fault_to_string (summary->platform_fault));
  json_builder_set_member_name (builder, "last_error");
  if (summary->last_error != NULL)
    json_builder_add_string_value (builder, summary->last_error);
  else
    json_builder_add_null_value (builder);
  json_builder_set_member_name (builder, "sent");
  json_builder_add_int_value (builder, (gint64) summary->sent);
  json_builder_set_member_name (builder, "failed");
  json_builder_add_int_value (builder, (gint64) summary->failed);
  json_builder_set_member_name (builder, "pid");
  json_builder_add_int_value (builder, getpid ());
  json_builder_set_member_name (builder, "program");
  json_builder_add_string_value (builder, program);
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  json_generator_set_root (generator, root);
  json = json_generator_to_data (generator, NULL);
  /* Replaced atomically (rename); no fsync: losing the last record in a
   * power cut costs nothing but one line of status. */
  if (!g_file_set_contents_full (path, json, -1, G_FILE_SET_CONTENTS_CONSISTENT, 0600, &error))
    g_message ("sync: cannot write %s: %s", path, error->message);
}

gboolean
kiosk_sync_engine_run_pass (KioskSyncEngine  *engine,
                            KioskSyncSummary *summary,
                            GError          **error)
{
  GQueue pending = G_QUEUE_INIT;
  KioskPlatformStats before, after;
  g_autoptr(GError) lock_error = NULL;
  int lock_fd;

  memset (summary, 0, sizeof *summary);
  lock_fd = take_pass_lock (engine->config->data_dir, &lock_error);
  if (lock_fd < 0)
    {
      if (lock_error != NULL)
        {
          g_propagate_error (error, g_steal_pointer (&lock_error));
          return FALSE;
        }
      /* Another process is in a pass on this queue: it does the work. */
      summary->busy = TRUE;
      count_waiting (engine, summary);
      return TRUE;
    }
  engine->summary = summary;
  engine->paused = FALSE;
  engine->consecutive_transient = 0;
  engine->in_flight = 0;
  engine->n_stuck = 0;
  engine->slow_until_ms = 0;
  g_clear_error (&engine->queue_error);
  kiosk_platform_get_stats (engine->platform, &before);
  engine->handled = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  engine->pass_start_ms = now_ms (engine);

  load_jwks (engine);
  if (!should_stop (engine))
    drive (engine, &pending, refill_due, STEP_CREATE);
  if (!should_stop (engine))
    {
      collect_status_polls (engine, &pending);
      drive (engine, &pending, refill_none, STEP_STATUS);
    }

  g_clear_pointer (&engine->handled, g_hash_table_unref);
  count_waiting (engine, summary);
  kiosk_platform_get_stats (engine->platform, &after);
  summary->requests = after.requests - before.requests;
  engine->summary = NULL;
  if (engine->queue_error != NULL && summary->last_error == NULL)
    summary->last_error = g_strdup (engine->queue_error->message);
  write_record (engine, summary, engine->queue_error == NULL);
  close (lock_fd);  /* releases the pass lock */
  if (engine->queue_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&engine->queue_error));
      return FALSE;
    }
  return TRUE;
}

/* ---- the worker ---- */

struct _KioskSyncWorker {
  const KioskConfig   *config;
  GMainContext        *context;
  KioskSyncStatusFunc  func;
  gpointer             user_data;
  GThread             *thread;
  GMutex               mutex;
  GCond                cond;
  gboolean             triggered;
  gboolean             stopping;
  KioskSyncEngine     *engine;     /* while the thread runs; cancel only */
  GNetworkMonitor     *monitor;
  gulong               network_handler;
  gboolean             network_available;
};

typedef struct {
  KioskSyncWorker *worker;
  KioskSyncStatus  status;
} StatusReport;

static gboolean
deliver_status (gpointer data)
{
  StatusReport *report = data;

  if (report->worker->func != NULL)
    report->worker->func (&report->status, report->worker->user_data);
  return G_SOURCE_REMOVE;
}

static void
status_report_free (gpointer data)
{
  StatusReport *report = data;

  g_free (report->status.last_error);
  g_free (report);
}

static void
report (KioskSyncWorker *worker, const KioskSyncStatus *status)
{
  StatusReport *copy = g_new0 (StatusReport, 1);

  copy->worker = worker;
  copy->status = *status;
  copy->status.last_error = g_strdup (status->last_error);
  g_main_context_invoke_full (worker->context, G_PRIORITY_DEFAULT, deliver_status, copy, status_report_free);
}

static gpointer
worker_thread (gpointer data)
{
  KioskSyncWorker *worker = data;
  g_autoptr(KioskQueue) queue = NULL;
  g_autoptr(KioskSyncEngine) engine = NULL;
  g_autoptr(GError) error = NULL;
  KioskSyncStatus status = { 0 };
  KioskSyncSettings settings;
  guint paused_passes = 0;
  gint64 last_purge = 0;
  KioskQueueRetention retention;

  kiosk_queue_retention_init (&retention);
  kiosk_queue_retention_from_keyfile (worker->config->keyfile, &retention, NULL);
  if (!kiosk_sync_settings_from_keyfile (worker->config->keyfile, &settings, &error))
    goto failed;
  queue = kiosk_queue_open (worker->config->data_dir, KIOSK_QUEUE_OPEN_DEFAULT, &error);
  if (queue == NULL)
    goto failed;
  engine = kiosk_sync_engine_new (worker->config, queue, &settings, &error);
  if (engine == NULL)
    goto failed;
  g_mutex_lock (&worker->mutex);
  worker->engine = engine;
  worker->triggered = TRUE;  /* a first pass at once */
  g_mutex_unlock (&worker->mutex);

  for (;;)
    {
      KioskSyncSummary summary;
      gint64 deadline_us, wait_ms;
      g_autoptr(GError) pass_error = NULL;

      g_mutex_lock (&worker->mutex);
      wait_ms = status.next_pass_ms > 0 ? status.next_pass_ms - g_get_real_time () / 1000 : 0;
      deadline_us = g_get_monotonic_time () + MAX (wait_ms, 0) * 1000;
      while (!worker->triggered && !worker->stopping)
        if (!g_cond_wait_until (&worker->cond, &worker->mutex, deadline_us))
          break;
      worker->triggered = FALSE;
      if (worker->stopping)
        {
          worker->engine = NULL;
          g_mutex_unlock (&worker->mutex);
          break;
        }
      g_mutex_unlock (&worker->mutex);

      status.running = TRUE;
      report (worker, &status);
      if (!kiosk_sync_engine_run_pass (engine, &summary, &pass_error))
        {
          g_free (summary.last_error);
          summary.last_error = g_strdup (pass_error->message);
        }
      status.running = FALSE;
      if (summary.busy)
        {
          /* The sync service is in a pass on this queue; look again at
           * the next timer tick. */
          kiosk_queue_get_counts (queue, &status.counts, NULL);
          status.next_pass_ms = g_get_real_time () / 1000 + (gint64) settings.poll_interval_s * 1000;
          report (worker, &status);
          kiosk_sync_summary_clear (&summary);
          continue;
        }
      status.sent_total += summary.sent;
      status.failed_total += summary.failed;
      status.last_pass_ms = g_get_real_time () / 1000;
      status.platform_fault = summary.platform_fault;
      g_free (status.last_error);
      status.last_error = g_strdup (summary.last_error);
      if (summary.platform_fault == KIOSK_PLATFORM_OK && pass_error == NULL)
        {
          status.last_success_ms = status.last_pass_ms;
          paused_passes = 0;
        }
      else
        paused_passes++;
      kiosk_queue_get_counts (queue, &status.counts, NULL);

      /* The next pass: the timer, the next due application, or after a
       * platform-wide fault a backoff of its own (the network monitor and
       * triggers come earlier). */
      {
        gint64 now = g_get_real_time () / 1000;
        gint64 next = now + (gint64) settings.poll_interval_s * 1000;

        if (summary.next_due_ms > 0 && summary.platform_fault == KIOSK_PLATFORM_OK)
          next = MIN (next, MAX (summary.next_due_ms, now + 1000));
        if (paused_passes > 0)
          next = now + kiosk_sync_backoff_ms (&settings, paused_passes - 1, g_random_double ());
        if (summary.resume_after_ms > 0)
          next = MAX (next, summary.resume_after_ms);
        status.next_pass_ms = next;
      }
      report (worker, &status);
      kiosk_sync_summary_clear (&summary);

      /* Idle: the checkpoint the kiosk's connection leaves to us, and
       * the retention, hourly. */
      kiosk_queue_checkpoint (queue, NULL);
      if (g_get_monotonic_time () - last_purge > G_TIME_SPAN_HOUR)
        {
          kiosk_queue_purge (queue, &retention, NULL, NULL, NULL);
          last_purge = g_get_monotonic_time ();
        }
    }
  g_free (status.last_error);
  return NULL;

failed:
  g_warning ("sync worker: %s", error->message);
  status.platform_fault = KIOSK_PLATFORM_OK;
  status.last_error = g_strdup (error->message);
  report (worker, &status);
  g_free (status.last_error);
  return NULL;
}

KioskSyncWorker *
kiosk_sync_worker_new (const KioskConfig   *config,
                       GMainContext        *context,
                       KioskSyncStatusFunc  func,
                       gpointer             user_data)
{
  KioskSyncWorker *worker = g_new0 (KioskSyncWorker, 1);

  worker->config = config;
  worker->context = context != NULL ? g_main_context_ref (context) : g_main_context_ref (g_main_context_default ());
  worker->func = func;
  worker->user_data = user_data;
  g_mutex_init (&worker->mutex);
  g_cond_init (&worker->cond);
  return worker;
}

static void
on_network_changed (GNetworkMonitor *monitor, gboolean available, gpointer user_data)
{
  KioskSyncWorker *worker = user_data;

  if (available && !worker->network_available)
    {
      g_debug ("network back: a sync pass");
      kiosk_sync_worker_trigger (worker);
    }
  worker->network_available = available;
}

void
kiosk_sync_worker_start (KioskSyncWorker *worker)
{
  g_return_if_fail (worker->thread == NULL);

  worker->stopping = FALSE;
  worker->monitor = g_object_ref (g_network_monitor_get_default ());
  worker->network_available = g_network_monitor_get_network_available (worker->monitor);
  worker->network_handler = g_signal_connect (worker->monitor, "network-changed",
                                              G_CALLBACK (on_network_changed), worker);
  worker->thread = g_thread_new ("antragskiosk-sync", worker_thread, worker);
}

void
kiosk_sync_worker_trigger (KioskSyncWorker *worker)
{
  g_mutex_lock (&worker->mutex);
  worker->triggered = TRUE;
  g_cond_signal (&worker->cond);
  g_mutex_unlock (&worker->mutex);
}

void
kiosk_sync_worker_stop (KioskSyncWorker *worker)
{
  if (worker->thread == NULL)
    return;
  g_mutex_lock (&worker->mutex);
  worker->stopping = TRUE;
  if (worker->engine != NULL)
    kiosk_sync_engine_cancel (worker->engine);
  g_cond_signal (&worker->cond);
  g_mutex_unlock (&worker->mutex);
  g_thread_join (worker->thread);
  worker->thread = NULL;
  if (worker->monitor != NULL)
    {
      g_signal_handler_disconnect (worker->monitor, worker->network_handler);
      g_clear_object (&worker->monitor);
    }
}

void
kiosk_sync_worker_free (KioskSyncWorker *worker)
{
  if (worker == NULL)
    return;
  kiosk_sync_worker_stop (worker);
  g_mutex_clear (&worker->mutex);
  g_cond_clear (&worker->cond);
  g_main_context_unref (worker->context);
  g_free (worker);
}
