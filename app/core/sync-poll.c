/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The sync engine's dealings with the authority and the destination
 * (issue #14): a submitted application's event log read page by page and
 * checked (the authority's events with the destination's key), accepted /
 * rejected / deleted, the status polls' backoff; what the destination
 * accepts before anything is sent; the destinations' refresh at the start
 * of a pass. The rest of the engine is sync-engine.c. */
#define G_LOG_DOMAIN "antragskiosk-sync"

#include "config.h"

#include <string.h>
#include <glib.h>
#include <json-glib/json-glib.h>

#include <antragskiosk/destination.h>
#include <antragskiosk/form.h>
#include <antragskiosk/jws.h>
#include <antragskiosk/sync.h>

#include "sync-private.h"

#define MAX_STATUS_POLLS_PER_PASS 200

/* The checked event log of a submitted application: accepted, rejected,
 * deleted, or the next poll later (doubling up to status_poll_cap_s).
 * Events that failed a check are logged and never applied. */
static void
apply_status (Op *op)
{
  KioskSyncEngine *engine = op->engine;
  KioskEventLog *log = &op->events;
  g_autoptr(GError) error = NULL;
  PollState *poll = g_hash_table_lookup (engine->polls, op->item->reference);
  gboolean final = TRUE;
  gboolean ok = TRUE;

  for (guint i = 0; i < log->rejected->len; i++)
    g_message ("warning: %s: %s in the event log ignored", op->item->reference, (char *) log->rejected->pdata[i]);
  for (guint i = 0; i < log->missing_kids->len; i++)
    g_message ("warning: %s: an accept/reject event signed with key %s, which the destination does not serve "
               "with a valid certificate, ignored", op->item->reference, (char *) log->missing_kids->pdata[i]);
  if (_kiosk_sync_has_type (log->types, "accept-submission"))
    {
      if ((ok = kiosk_queue_mark_accepted (engine->queue, op->item->reference, &error)))
        engine->summary->accepted++;
    }
  else if (_kiosk_sync_has_type (log->types, "reject-submission"))
    {
      if ((ok = kiosk_queue_mark_rejected (engine->queue, op->item->reference,
                                           log->reject_reason != NULL ? log->reject_reason
                                                                      : "rejected by the authority", &error)))
        engine->summary->rejected++;
    }
  else if (_kiosk_sync_has_type (log->types, "delete-submission"))
    {
      /* The Zustelldienst deleted it (checked with its own keys) before
       * the authority fetched it: it will never be delivered, nothing
       * more will come, polling ends with a state of its own. */
      if ((ok = kiosk_queue_mark_deleted (engine->queue, op->item->reference,
                                          "the Zustelldienst deleted the submission (delete-submission) before "
                                          "the authority fetched it; the applicant must apply again", &error)))
        {
          engine->summary->deleted++;
          g_message ("%s: deleted by the Zustelldienst before the authority fetched it; the applicant must "
                     "apply again", op->item->reference);
        }
    }
  else
    final = FALSE;
  if (!ok)
    _kiosk_sync_queue_failed (op, error);
  if (final)
    g_hash_table_remove (engine->polls, op->item->reference);
  else if (poll != NULL)
    {
      poll->interval_ms = MIN (poll->interval_ms * 2, (gint64) engine->settings.status_poll_cap_s * 1000);
      poll->next_ms = _kiosk_sync_now_ms (engine) + poll->interval_ms;
    }
  _kiosk_sync_op_done (op);
}

static void on_signing_key_fetched (gboolean                     stored,
                                    const KioskPlatformResponse *response,
                                    gpointer                     user_data);

/* Fetches the next key an authority's event named that was not tried in
 * this poll; TRUE when a fetch started. */
static gboolean
fetch_next_signing_key (Op *op)
{
  if (op->kids_tried == NULL)
    op->kids_tried = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  for (guint i = 0; i < op->events.missing_kids->len; i++)
    {
      const char *kid = op->events.missing_kids->pdata[i];

      if (g_hash_table_contains (op->kids_tried, kid))
        continue;
      g_hash_table_add (op->kids_tried, g_strdup (kid));
      if (_kiosk_sync_destinations_fetch_signing_key (op->engine->destinations, op->item->destination_id, kid,
                                                      on_signing_key_fetched, op))
        return TRUE;
    }
  return FALSE;
}

static void
on_signing_key_fetched (gboolean                     stored,
                        const KioskPlatformResponse *response,
                        gpointer                     user_data)
{
  Op *op = user_data;

  if (response->fault == KIOSK_PLATFORM_CANCELLED)
    {
      _kiosk_sync_op_done (op);
      return;
    }
  op->key_stored = op->key_stored || stored;
  if (fetch_next_signing_key (op))
    return;
  if (!op->key_stored)
    {
      apply_status (op);
      return;
    }
  /* Read the log again, now with the keys. */
  op->key_stored = FALSE;
  kiosk_event_log_clear (&op->events);
  kiosk_event_log_init (&op->events);
  op->events_offset = 0;
  _kiosk_sync_step_run (op);
}

void
_kiosk_sync_on_status_response (Op                          *op,
                    const KioskPlatformResponse *response)
{
  KioskSyncEngine *engine = op->engine;
  KioskDestinationState *state = _kiosk_sync_destinations_get (engine->destinations, op->item->destination_id);
  KioskEventCheck check = {
    .submission_id = op->item->submission_id,
    .case_id = op->item->case_id,
    .destination_id = op->item->destination_id,
    .platform_jwks = engine->jwks,
    .destination_keys = state != NULL ? state->signing_keys : NULL,
  };

  if (response->fault != KIOSK_PLATFORM_OK || !kiosk_platform_check_events (response->body, &check, &op->events))
    {
      if (kiosk_platform_fault_is_platform_wide (response->fault) || response->token_failed)
        {
          _kiosk_sync_handle_fault (op, response);
          return;
        }
      _kiosk_sync_op_done (op);
      return;
    }
  op->events_offset += op->events.n_tokens;
  if (op->events.n_tokens > 0 && op->events_offset < op->events.total_count)
    {
      _kiosk_sync_step_run (op);  /* the next page */
      return;
    }
  if (op->events.missing_kids->len > 0 && fetch_next_signing_key (op))
    return;
  apply_status (op);
}

/* What the destination accepts, checked before anything is sent: its
 * service, data schema and metadata version, and that the key the
 * application was encrypted to is still served. TRUE when it refuses:
 * the application failed permanently with the reason. */
gboolean
_kiosk_sync_refused_by_destination (Op *op)
{
  KioskSyncEngine *engine = op->engine;
  KioskQueueItem *item = op->item;
  KioskDestinationState *state = _kiosk_sync_destinations_get (engine->destinations, item->destination_id);
  KioskForm *form = kiosk_catalog_lookup (engine->catalog, item->form_id);
  g_autofree char *name = NULL;
  g_autofree char *identifier = NULL;
  g_autofree char *kid = NULL;
  g_autoptr(GError) error = NULL;

  if (state == NULL)
    return FALSE;  /* nothing known (no trust anchor): the platform decides */
  _kiosk_sync_service_of (engine, item, &name, &identifier);
  kid = item->data_jwe != NULL ? kiosk_jws_get_kid (item->data_jwe) : NULL;
  if (!kiosk_destination_info_accepts (state->info, identifier, form != NULL ? form->schema_uri : NULL,
                                       KIOSK_SYNC_METADATA_VERSION, &error))
    {
      _kiosk_sync_fail_permanently (op, error->message);
      return TRUE;
    }
  if (kid != NULL && strcmp (kid, state->info->encryption_kid) != 0
      && !g_hash_table_contains (state->served_kids, kid) && !g_hash_table_contains (state->retired_kids, kid))
    {
      /* Encrypted to a key neither current nor known: ask the platform
       * whether it still serves it before sending. */
      g_autofree char *message = g_strdup_printf ("checking whether destination %s still serves key %s",
                                                  item->destination_id, kid);

      _kiosk_sync_destinations_ask_kid (engine->destinations, item->destination_id, kid);
      _kiosk_sync_schedule_retry (op, 1000, message);
      return TRUE;
    }
  if (kid != NULL && g_hash_table_contains (state->retired_kids, kid))
    {
      g_autofree char *message = g_strdup_printf ("key-retired: encrypted to key %s, which destination %s no "
                                                  "longer serves; the authority cannot read it — ask the "
                                                  "applicant to file it again", kid, item->destination_id);
      _kiosk_sync_fail_permanently (op, message);
      return TRUE;
    }
  return FALSE;
}

/* The submitted applications whose status poll is due. */
void
_kiosk_sync_collect_status_polls (KioskSyncEngine *engine,
                      GQueue          *pending)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) items = kiosk_queue_list (engine->queue, KIOSK_QUEUE_STATE_SUBMITTED, 0, 0, &error);
  gint64 now = _kiosk_sync_now_ms (engine);
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

/* Stale destination data is fetched again (sync-destinations.c); a
 * platform-wide fault pauses the pass, any other failure is reported and
 * the cached data stays in use. */
void
_kiosk_sync_refresh_destinations (KioskSyncEngine *engine,
                      gboolean         force)
{
  KioskPlatformFault fault;
  g_autofree char *message = NULL;

  if (_kiosk_sync_destinations_refresh (engine->destinations, engine->queue, _kiosk_sync_now_ms (engine), force,
                                        &fault, &message))
    return;
  if (fault != KIOSK_PLATFORM_OK)
    {
      KioskPlatformResponse response = { .fault = fault, .retry_after_ms = -1 };

      _kiosk_sync_pause_pass (engine, &response, message);
      return;
    }
  _kiosk_sync_set_last_error (engine, message);
}

gboolean
kiosk_sync_engine_refresh_destinations (KioskSyncEngine  *engine,
                                        gboolean          force,
                                        GError          **error)
{
  KioskPlatformFault fault;
  g_autofree char *message = NULL;

  if (_kiosk_sync_destinations_refresh (engine->destinations, engine->queue, _kiosk_sync_now_ms (engine), force,
                                        &fault, &message))
    return TRUE;
  g_set_error (error, KIOSK_DESTINATION_ERROR, KIOSK_DESTINATION_ERROR_KEY, "%s", message);
  return FALSE;
}

