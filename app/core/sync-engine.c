/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The sync engine: one pass takes every due application through create,
 * upload and submit as far as it goes, then polls the status of the
 * submitted ones (docs/sync.md). */
#define G_LOG_DOMAIN "antragskiosk-sync"

#include "config.h"

#include <string.h>
#include <unistd.h>
#include <glib.h>
#include <json-glib/json-glib.h>

#include <antragskiosk/destination.h>
#include <antragskiosk/form.h>
#include <antragskiosk/jws.h>
#include <antragskiosk/sync.h>

#include "sync-private.h"

#define REFILL_BATCH 64
/* A Retry-After up to this long is waited out within the pass. */
#define MAX_SLOW_DOWN_WAIT_MS 30000

void
kiosk_sync_summary_clear (KioskSyncSummary *summary)
{
  g_clear_pointer (&summary->last_error, g_free);
}


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
  engine->destinations = _kiosk_sync_destinations_new (config, engine->platform);
  return g_steal_pointer (&engine);
}

void
kiosk_sync_engine_free (KioskSyncEngine *engine)
{
  if (engine == NULL)
    return;
  g_clear_pointer (&engine->destinations, _kiosk_sync_destinations_free);
  g_clear_pointer (&engine->platform, kiosk_platform_free);
  g_clear_pointer (&engine->catalog, kiosk_catalog_free);
  g_clear_pointer (&engine->rand, g_rand_free);
  g_clear_pointer (&engine->polls, g_hash_table_unref);
  g_clear_pointer (&engine->jwks, json_node_unref);
  g_free (engine);
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

void
_kiosk_sync_set_last_error (KioskSyncEngine *engine,
                const char      *message)
{
  if (engine->summary->platform_fault != KIOSK_PLATFORM_OK && engine->summary->last_error != NULL)
    return;  /* the platform-wide fault stays the headline */
  g_free (engine->summary->last_error);
  engine->summary->last_error = g_strdup (message);
}

static void
op_free (Op *op)
{
  if (op->events_started)
    kiosk_event_log_clear (&op->events);
  g_clear_pointer (&op->kids_tried, g_hash_table_unref);
  kiosk_queue_item_free (op->item);
  g_free (op);
}

void
_kiosk_sync_op_done (Op *op)
{
  op->engine->in_flight--;
  op_free (op);
}

/* A queue call failed: log it, stop the pass (the disk is in trouble). */
void
_kiosk_sync_queue_failed (Op     *op,
              GError *error)
{
  KioskSyncEngine *engine = op->engine;
  g_autofree char *shown = g_strdup (op->item->reference);

  g_message ("sync: the queue refused an update of %s: %s", shown, error->message);
  engine->n_stuck++;
  _kiosk_sync_set_last_error (engine, error->message);
  if (error->domain == KIOSK_QUEUE_ERROR
      && error->code != KIOSK_QUEUE_ERROR_STATE && error->code != KIOSK_QUEUE_ERROR_NOT_FOUND)
    {
      if (engine->queue_error == NULL)
        engine->queue_error = g_error_copy (error);
      engine->paused = TRUE;
    }
}

gint64
_kiosk_sync_now_ms (KioskSyncEngine *engine)
{
  return kiosk_queue_now_ms (engine->queue);
}


void
_kiosk_sync_schedule_retry (Op         *op,
                gint64      delay_ms,
                const char *message)
{
  KioskSyncEngine *engine = op->engine;
  g_autoptr(GError) error = NULL;

  if (!kiosk_queue_schedule_retry (engine->queue, op->item->reference, _kiosk_sync_now_ms (engine) + delay_ms,
                                   message, &error))
    _kiosk_sync_queue_failed (op, error);
  else
    engine->summary->retried++;
  _kiosk_sync_set_last_error (engine, message);
}

static void
mark_submitted (Op *op)
{
  KioskSyncEngine *engine = op->engine;
  g_autoptr(GError) error = NULL;

  if (!kiosk_queue_mark_submitted (engine->queue, op->item->reference, &error))
    _kiosk_sync_queue_failed (op, error);
  else
    {
      engine->summary->sent++;
      g_debug ("%s submitted", op->item->reference);
    }
  _kiosk_sync_op_done (op);
}

/* A platform-wide fault (or no token): nothing about this application,
 * which stays as it is; the pass pauses, the first such fault is its
 * headline. */
void
_kiosk_sync_pause_pass (KioskSyncEngine             *engine,
            const KioskPlatformResponse *response,
            const char                  *message)
{
  KioskSyncSummary *summary = engine->summary;

  if (!engine->paused || summary->platform_fault == KIOSK_PLATFORM_OK)
    {
      g_free (summary->last_error);
      summary->last_error = g_strdup (message);
      summary->platform_fault = response->fault;
      if (response->fault == KIOSK_PLATFORM_SLOW_DOWN && response->retry_after_ms >= 0)
        summary->resume_after_ms = _kiosk_sync_now_ms (engine) + response->retry_after_ms;
      g_message ("sync paused: %s", message);
    }
  engine->paused = TRUE;
}

/* Slow down for this application: retried later; with a Retry-After no
 * new request goes out before then, and a long wait ends the pass. */
static void
slow_down (Op                          *op,
           const KioskPlatformResponse *response,
           const char                  *message)
{
  KioskSyncEngine *engine = op->engine;
  gint64 delay = response->retry_after_ms >= 0
                 ? response->retry_after_ms
                 : kiosk_sync_backoff_ms (&engine->settings, op->item->attempts, g_rand_double (engine->rand));

  delay = MAX (delay, 1000);
  _kiosk_sync_schedule_retry (op, delay, message);
  if (response->retry_after_ms >= 0)
    {
      /* The platform asked everyone to slow down: no new request
       * before then; a long wait ends the pass. */
      engine->slow_until_ms = MAX (engine->slow_until_ms, _kiosk_sync_now_ms (engine) + delay);
      if (delay > MAX_SLOW_DOWN_WAIT_MS)
        {
          engine->paused = TRUE;
          engine->summary->resume_after_ms = MAX (engine->summary->resume_after_ms, engine->slow_until_ms);
        }
    }
}

/* The platform refuses this application for good. */
void
_kiosk_sync_fail_permanently (Op         *op,
                  const char *message)
{
  KioskSyncEngine *engine = op->engine;
  g_autoptr(GError) error = NULL;

  if (!kiosk_queue_mark_failed (engine->queue, op->item->reference, message, &error))
    _kiosk_sync_queue_failed (op, error);
  else
    engine->summary->failed++;
  _kiosk_sync_set_last_error (engine, message);
  g_message ("%s failed permanently: %s", op->item->reference, message);
}

/* A transient fault or a conflict: retried after the backoff. No answer
 * at all, again and again, means the platform is down: the pass pauses. */
static void
retry_later (Op                          *op,
             const KioskPlatformResponse *response,
             const char                  *message)
{
  KioskSyncEngine *engine = op->engine;
  KioskSyncSummary *summary = engine->summary;

  _kiosk_sync_schedule_retry (op, kiosk_sync_backoff_ms (&engine->settings, op->item->attempts,
                                             g_rand_double (engine->rand)), message);
  if (response->fault != KIOSK_PLATFORM_TRANSIENT || response->status != 0)
    return;
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

/* The common answer to a fault. Returns after the op is finished. */
void
_kiosk_sync_handle_fault (Op                          *op,
              const KioskPlatformResponse *response)
{
  const char *message = response->message != NULL ? response->message : kiosk_platform_fault_to_string (response->fault);

  if (response->fault == KIOSK_PLATFORM_CANCELLED)
    {
      _kiosk_sync_op_done (op);
      return;
    }
  if (kiosk_platform_fault_is_platform_wide (response->fault) || response->token_failed)
    {
      _kiosk_sync_pause_pass (op->engine, response, message);
      _kiosk_sync_op_done (op);
      return;
    }
  switch (response->fault)
    {
    case KIOSK_PLATFORM_SLOW_DOWN:
      slow_down (op, response, message);
      break;
    case KIOSK_PLATFORM_PERMANENT:
      _kiosk_sync_fail_permanently (op, message);
      break;
    case KIOSK_PLATFORM_CONFLICT:
    case KIOSK_PLATFORM_TRANSIENT:
    default:
      retry_later (op, response, message);
      break;
    }
  _kiosk_sync_op_done (op);
}

/* handle_fault for @response as if its fault were @fault, with @message
 * instead of the platform's when not NULL. */
static void
handle_fault_as (Op                          *op,
                 const KioskPlatformResponse *response,
                 KioskPlatformFault           fault,
                 const char                  *message)
{
  KioskPlatformResponse copy = *response;

  copy.fault = fault;
  if (message != NULL)
    copy.message = (char *) message;
  _kiosk_sync_handle_fault (op, &copy);
}

gboolean
_kiosk_sync_has_type (GPtrArray  *types,
          const char *type)
{
  for (guint i = 0; i < types->len; i++)
    if (strcmp (types->pdata[i], type) == 0)
      return TRUE;
  return FALSE;
}

static gboolean
handed_over (GPtrArray *types)
{
  return _kiosk_sync_has_type (types, "submit-submission") || _kiosk_sync_has_type (types, "notify-submission")
         || _kiosk_sync_has_type (types, "forward-submission") || _kiosk_sync_has_type (types, "accept-submission")
         || _kiosk_sync_has_type (types, "reject-submission");
}

static void
restart_and_create (Op *op)
{
  g_autoptr(GError) error = NULL;

  if (!kiosk_queue_restart (op->engine->queue, op->item->reference, &error))
    {
      _kiosk_sync_queue_failed (op, error);
      _kiosk_sync_op_done (op);
      return;
    }
  g_clear_pointer (&op->item->submission_id, g_free);
  g_clear_pointer (&op->item->case_id, g_free);
  op->item->state = KIOSK_QUEUE_STATE_QUEUED;
  op->step = STEP_CREATE;
  _kiosk_sync_step_run (op);
}

/* POST /v1/submissions answered: the ids are stored, then the uploads. */
static void
on_create_response (Op                          *op,
                    const KioskPlatformResponse *response)
{
  KioskSyncEngine *engine = op->engine;
  JsonObject *object = response->body != NULL && JSON_NODE_HOLDS_OBJECT (response->body)
                       ? json_node_get_object (response->body) : NULL;
  const char *submission_id = object != NULL ? json_object_get_string_member_with_default (object, "submissionId", NULL) : NULL;
  const char *case_id = object != NULL ? json_object_get_string_member_with_default (object, "caseId", NULL) : NULL;
  g_autoptr(GError) error = NULL;

  if (response->fault != KIOSK_PLATFORM_OK)
    {
      handle_fault_as (op, response,
                       response->fault == KIOSK_PLATFORM_CONFLICT ? KIOSK_PLATFORM_TRANSIENT : response->fault, NULL);
      return;
    }
  if (submission_id == NULL || case_id == NULL
      || !g_uuid_string_is_valid (submission_id) || !g_uuid_string_is_valid (case_id))
    {
      handle_fault_as (op, response, KIOSK_PLATFORM_TRANSIENT,
                       "the answer to POST /v1/submissions has no valid submissionId and caseId");
      return;
    }
  if (!kiosk_queue_mark_created (engine->queue, op->item->reference, submission_id, case_id, &error))
    {
      _kiosk_sync_queue_failed (op, error);
      _kiosk_sync_op_done (op);
      return;
    }
  op->item->submission_id = g_strdup (submission_id);
  op->item->case_id = g_strdup (case_id);
  op->item->state = KIOSK_QUEUE_STATE_CREATED;
  op->step = STEP_UPLOAD;
  op->attachment = 0;
  _kiosk_sync_step_run (op);
}

/* PUT of one attachment answered: the next one, or the submit. */
static void
on_upload_response (Op                          *op,
                    const KioskPlatformResponse *response)
{
  /* 409: this attachment is there already (a resumed upload). */
  if (response->fault != KIOSK_PLATFORM_OK && response->fault != KIOSK_PLATFORM_CONFLICT)
    {
      _kiosk_sync_handle_fault (op, response);
      return;
    }
  op->attachment++;
  _kiosk_sync_step_run (op);
}

/* PUT submit answered; a 409 sends the op to the event log. */
static void
on_submit_response (Op                          *op,
                    const KioskPlatformResponse *response)
{
  if (response->fault == KIOSK_PLATFORM_CONFLICT)
    {
      g_message ("%s: 409 on submit; reading the case's event log", op->item->reference);
      op->step = STEP_CONFLICT_CHECK;
      _kiosk_sync_step_run (op);
      return;
    }
  if (response->fault != KIOSK_PLATFORM_OK)
    {
      _kiosk_sync_handle_fault (op, response);
      return;
    }
  mark_submitted (op);
}

/* The case's event log, read before resuming a created application
 * (STEP_CHECK) or after a 409 on submit (STEP_CONFLICT_CHECK). */
static void
on_check_response (Op                          *op,
                   const KioskPlatformResponse *response)
{
  KioskSyncEngine *engine = op->engine;
  g_autoptr(GPtrArray) types = g_ptr_array_new_with_free_func (g_free);
  guint n_unverified = 0;
  gboolean old = op->item->platform_created_ms != 0
                 && _kiosk_sync_now_ms (engine) - op->item->platform_created_ms >= (gint64) engine->settings.abandon_after_s * 1000;

  if (response->fault == KIOSK_PLATFORM_PERMANENT && response->status == 404 && op->step == STEP_CHECK)
    {
      /* The platform no longer knows the case: start anew. */
      restart_and_create (op);
      return;
    }
  if (response->fault != KIOSK_PLATFORM_OK)
    {
      /* Never fail an item over its event log. */
      gboolean refusal = response->fault == KIOSK_PLATFORM_PERMANENT || response->fault == KIOSK_PLATFORM_CONFLICT;

      handle_fault_as (op, response, refusal ? KIOSK_PLATFORM_TRANSIENT : response->fault, NULL);
      return;
    }
  if (!kiosk_platform_parse_events (response->body, op->item->submission_id, engine->jwks, types, NULL,
                                    &n_unverified))
    {
      handle_fault_as (op, response, KIOSK_PLATFORM_TRANSIENT,
                       "the case's event log is not a FIT-Connect event log");
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
      handle_fault_as (op, response, KIOSK_PLATFORM_CONFLICT,
                       "HTTP 409 on submit and no submit event in the case's event log; checked again later");
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
  _kiosk_sync_step_run (op);
}

/* A request of @op finished: the answer to its step. */
static void
on_response (KioskPlatform               *platform,
             const KioskPlatformResponse *response,
             gpointer                     user_data)
{
  Op *op = user_data;

  if (response->fault == KIOSK_PLATFORM_OK)
    op->engine->consecutive_transient = 0;

  switch (op->step)
    {
    case STEP_CREATE:
      on_create_response (op, response);
      return;
    case STEP_UPLOAD:
      on_upload_response (op, response);
      return;
    case STEP_SUBMIT:
      on_submit_response (op, response);
      return;
    case STEP_CHECK:
    case STEP_CONFLICT_CHECK:
      on_check_response (op, response);
      return;
    case STEP_STATUS:
      _kiosk_sync_on_status_response (op, response);
      return;
    }
}

void
_kiosk_sync_service_of (KioskSyncEngine       *engine,
            const KioskQueueItem  *item,
            char                 **name,
            char                 **identifier)
{
  KioskForm *form = kiosk_catalog_lookup (engine->catalog, item->form_id);

  *name = g_strdup (form != NULL ? kiosk_text_get (form->title, "de") : item->form_id);
  *identifier = kiosk_destination_service_identifier (form != NULL ? form->leika : NULL, item->form_id);
}

void
_kiosk_sync_step_run (Op *op)
{
  KioskSyncEngine *engine = op->engine;
  KioskQueueItem *item = op->item;

  /* Retry-After: not even the next step of an application in flight goes
   * out before then. */
  if (engine->slow_until_ms > _kiosk_sync_now_ms (engine))
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
        _kiosk_sync_service_of (engine, item, &name, &identifier);
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
      kiosk_platform_get_events (engine->platform, item->case_id, on_response, op);
      return;
    case STEP_STATUS:
      if (!op->events_started)
        {
          kiosk_event_log_init (&op->events);
          op->events_started = TRUE;
        }
      kiosk_platform_get_events_page (engine->platform, item->case_id, op->events_offset, EVENT_PAGE,
                                      on_response, op);
      return;
    }
}

static void
start_item (KioskSyncEngine *engine,
            KioskQueueItem  *item,
            Step             step)
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
  if (op->step == STEP_CREATE && _kiosk_sync_refused_by_destination (op))
    {
      _kiosk_sync_op_done (op);
      return;
    }
  _kiosk_sync_step_run (op);
}

static gboolean
should_stop (KioskSyncEngine *engine)
{
  return engine->paused || g_atomic_int_get (&engine->cancelled);
}

/* Runs the transfers until every op finished or @done says so. */
static void
drive (KioskSyncEngine  *engine,
       GQueue           *pending,
       gboolean        (*refill) (KioskSyncEngine *, GQueue *),
       Step              step)
{
  gboolean exhausted = FALSE;

  for (;;)
    {
      if (!g_queue_is_empty (&engine->deferred) && (should_stop (engine) || _kiosk_sync_now_ms (engine) >= engine->slow_until_ms))
        {
          GQueue ready = engine->deferred;
          Op *op;

          g_queue_init (&engine->deferred);
          while ((op = g_queue_pop_head (&ready)) != NULL)
            {
              if (should_stop (engine))
                _kiosk_sync_op_done (op);   /* stays as stored; picked up next pass */
              else
                _kiosk_sync_step_run (op);
            }
        }
      while (!should_stop (engine) && engine->in_flight < engine->settings.parallelism
             && _kiosk_sync_now_ms (engine) >= engine->slow_until_ms)
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
          gint64 wait = engine->slow_until_ms - _kiosk_sync_now_ms (engine);

          if (should_stop (engine) || wait <= 0 || (g_queue_is_empty (pending) && exhausted))
            break;
          /* Retry-After: wait it out (it is short), then go on. */
          g_usleep ((gulong) MIN (wait, 200) * 1000);
          continue;
        }
      {
        gint64 wait = engine->slow_until_ms - _kiosk_sync_now_ms (engine);
        kiosk_platform_iterate (engine->platform, (int) CLAMP (wait, 10, 1000));
      }
    }
  g_queue_clear_full (pending, (GDestroyNotify) kiosk_queue_item_free);
}

static gboolean
refill_due (KioskSyncEngine *engine,
            GQueue          *pending)
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
refill_none (KioskSyncEngine *engine,
             GQueue          *pending)
{
  return FALSE;
}

static void
count_waiting (KioskSyncEngine  *engine,
               KioskSyncSummary *summary)
{
  gint64 now = _kiosk_sync_now_ms (engine);

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
      engine->jwks_loaded_ms = _kiosk_sync_now_ms (engine);
      engine->jwks_absent = FALSE;
      return;
    }
  if (response->fault == KIOSK_PLATFORM_PERMANENT && response->status == 404)
    {
      if (!engine->jwks_absent)
        g_message ("the platform publishes no signature keys (.well-known/jwks.json); event tokens are not verified");
      engine->jwks_absent = TRUE;
      engine->jwks_loaded_ms = _kiosk_sync_now_ms (engine);
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
  if (engine->jwks_loaded_ms != 0 && _kiosk_sync_now_ms (engine) - engine->jwks_loaded_ms < 3600 * 1000)
    return;
  kiosk_platform_get_jwks (engine->platform, on_jwks, engine);
  while (kiosk_platform_get_n_active (engine->platform) > 0)
    kiosk_platform_iterate (engine->platform, 1000);
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
  lock_fd = _kiosk_sync_take_pass_lock (engine->config->data_dir, &lock_error);
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
  engine->pass_start_ms = _kiosk_sync_now_ms (engine);

  load_jwks (engine);
  if (!should_stop (engine))
    _kiosk_sync_refresh_destinations (engine, FALSE);
  if (!should_stop (engine))
    drive (engine, &pending, refill_due, STEP_CREATE);
  if (!should_stop (engine))
    {
      _kiosk_sync_collect_status_polls (engine, &pending);
      drive (engine, &pending, refill_none, STEP_STATUS);
    }

  g_clear_pointer (&engine->handled, g_hash_table_unref);
  count_waiting (engine, summary);
  kiosk_platform_get_stats (engine->platform, &after);
  summary->requests = after.requests - before.requests;
  engine->summary = NULL;
  if (engine->queue_error != NULL && summary->last_error == NULL)
    summary->last_error = g_strdup (engine->queue_error->message);
  _kiosk_sync_record_write (engine->config->data_dir, _kiosk_sync_now_ms (engine), summary, engine->queue_error == NULL);
  close (lock_fd);  /* releases the pass lock */
  if (engine->queue_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&engine->queue_error));
      return FALSE;
    }
  return TRUE;
}

