/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "antragskiosk-ctl"

#include "config.h"

#include <stdio.h>
#include <string.h>
#include <glib.h>
#include <json-glib/json-glib.h>

#include <antragskiosk/config.h>
#include <antragskiosk/queue.h>
#include <antragskiosk/reference.h>

#include "ctl-private.h"

/* queue status|list|retry|purge|salvage|acknowledge: the outbox in
 * data_dir (docs/queue.md). Nothing personal is shown: the queue holds
 * only ciphertext and bookkeeping. status and list open the queue
 * read-only without the integrity check: they never create, migrate, move
 * or repair anything, and a damaged file is reported as such. retry and
 * purge, which write, check it first and refuse a damaged file; salvage
 * carries what can be read into a fresh queue; acknowledge ends the
 * critical alert after a person looked. None of them creates a queue. */

static const char queue_usage[] =
  "Usage: antragskiosk-ctl queue COMMAND [OPTIONS…]\n\n"
  "Commands:\n"
  "  status [--json]             Counts per state and the age of the oldest pending application\n"
  "  list [--json] [--state S] [--limit N]\n"
  "                              Applications, newest first (reference, form, state, times,\n"
  "                              attempts, last error); --limit 0 lists all (default 50)\n"
  "  retry REF                   Queue a failed application again\n"
  "  purge                       Apply the retention of the [queue] group now\n"
  "  salvage                     Check the queue file; when it is damaged, carry every readable\n"
  "                              application into a fresh queue and keep the damaged file\n"
  "                              (stop the kiosk and antragskiosk-sync first)\n"
  "  acknowledge                 A person has dealt with the queue's damage: end the critical\n"
  "                              alert (the damaged files and applications stay)\n\n"
  "Every command takes --config FILE. Exit status: 0 success, 1 failure, 2 usage error.\n";

typedef struct {
  char        *config_path;
  KioskConfig *config;
} CtlQueueContext;

static gboolean
load_config (CtlQueueContext *ctx)
{
  g_autoptr(GError) error = NULL;

  ctx->config = kiosk_config_load (ctx->config_path, NULL, &error);
  if (ctx->config == NULL)
    {
      _kiosk_ctl_error ("the configuration cannot be used: %s (antragskiosk-ctl check-config lists "
                        "every problem)", error->message);
      return FALSE;
    }
  return TRUE;
}

/* NULL with *missing = TRUE when there is no queue yet. */
static KioskQueue *
open_queue (CtlQueueContext     *ctx,
            KioskQueueOpenFlags  flags,
            gboolean            *missing)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_build_filename (ctx->config->data_dir, "queue.db", NULL);
  KioskQueue *queue;

  *missing = FALSE;
  if (!g_file_test (path, G_FILE_TEST_EXISTS))
    {
      *missing = TRUE;
      return NULL;
    }
  /* _NO_CREATE: never created, and a damaged file is left as it is */
  queue = kiosk_queue_open (ctx->config->data_dir, flags | KIOSK_QUEUE_OPEN_NO_CREATE, &error);
  if (queue == NULL)
    {
      _kiosk_ctl_error ("%s", error->message);
      return NULL;
    }
  return queue;
}

static char *
format_utc (gint64 ms)
{
  g_autoptr(GDateTime) time = NULL;

  if (ms <= 0)
    return NULL;
  time = g_date_time_new_from_unix_utc (ms / 1000);
  return time != NULL ? g_date_time_format (time, "%Y-%m-%dT%H:%M:%SZ") : NULL;
}

static char *
format_age (gint64 ms)
{
  gint64 s = ms / 1000;

  if (s < 60)
    return g_strdup_printf ("%" G_GINT64_FORMAT " s", s);
  if (s < 3600)
    return g_strdup_printf ("%" G_GINT64_FORMAT " min", s / 60);
  if (s < 86400)
    return g_strdup_printf ("%" G_GINT64_FORMAT " h %" G_GINT64_FORMAT " min", s / 3600, s % 3600 / 60);
  return g_strdup_printf ("%" G_GINT64_FORMAT " d %" G_GINT64_FORMAT " h", s / 86400, s % 86400 / 3600);
}

static void
print_json (JsonBuilder *builder)
{
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = json_builder_get_root (builder);
  g_autofree char *text = NULL;

  json_generator_set_root (generator, root);
  json_generator_set_pretty (generator, TRUE);
  text = json_generator_to_data (generator, NULL);
  printf ("%s\n", text);
}

static void
add_time (JsonBuilder *builder,
          const char  *name,
          gint64       ms)
{
  g_autofree char *text = format_utc (ms);

  json_builder_set_member_name (builder, name);
  if (text != NULL)
    json_builder_add_string_value (builder, text);
  else
    json_builder_add_null_value (builder);
}

static void
add_string (JsonBuilder *builder,
            const char  *name,
            const char  *value)
{
  json_builder_set_member_name (builder, name);
  if (value != NULL)
    json_builder_add_string_value (builder, value);
  else
    json_builder_add_null_value (builder);
}

static int
queue_status (CtlQueueContext *ctx,
              gboolean         json)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(KioskQueue) queue = NULL;
  g_autofree char *path = g_build_filename (ctx->config->data_dir, "queue.db", NULL);
  g_autoptr(GPtrArray) records = kiosk_queue_damage_load (ctx->config->data_dir);
  g_autofree char *damage = NULL;
  KioskQueueCounts counts = { 0 };
  gboolean missing = !g_file_test (path, G_FILE_TEST_EXISTS);
  gboolean damaged;

  counts.oldest_pending_age_ms = -1;
  if (!missing)
    {
      queue = kiosk_queue_open (ctx->config->data_dir, kiosk_queue_monitor_flags (ctx->config->data_dir), &error);
      if (queue != NULL)
        kiosk_queue_get_counts (queue, &counts, &error);
    }
  damaged = g_error_matches (error, KIOSK_QUEUE_ERROR, KIOSK_QUEUE_ERROR_CORRUPT);
  damage = kiosk_queue_describe_damage (ctx->config->data_dir, &counts);
  if (error != NULL && !damaged)
    {
      _kiosk_ctl_error ("%s", error->message);
      return 1;
    }

  if (json)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();

      json_builder_begin_object (builder);
      add_string (builder, "path", path);
      json_builder_set_member_name (builder, "exists");
      json_builder_add_boolean_value (builder, !missing);
      json_builder_set_member_name (builder, "total");
      json_builder_add_int_value (builder, (gint64) counts.total);
      json_builder_set_member_name (builder, "by_state");
      json_builder_begin_object (builder);
      for (guint s = 0; s < KIOSK_QUEUE_N_STATES; s++)
        {
          json_builder_set_member_name (builder, kiosk_queue_state_to_string (s));
          json_builder_add_int_value (builder, (gint64) counts.by_state[s]);
        }
      json_builder_end_object (builder);
      json_builder_set_member_name (builder, "purged");
      json_builder_add_int_value (builder, (gint64) counts.purged);
      json_builder_set_member_name (builder, "oldest_pending_age_s");
      if (counts.oldest_pending_age_ms >= 0)
        json_builder_add_int_value (builder, counts.oldest_pending_age_ms / 1000);
      else
        json_builder_add_null_value (builder);
      add_time (builder, "oldest_pending_created", counts.oldest_pending_created_ms);
      json_builder_set_member_name (builder, "damaged");
      json_builder_add_boolean_value (builder, damaged);
      add_string (builder, "error", error != NULL ? error->message : NULL);
      json_builder_set_member_name (builder, "damaged_applications");
      json_builder_add_int_value (builder, (gint64) counts.damaged);
      json_builder_set_member_name (builder, "damage_records");
      json_builder_add_int_value (builder, records->len);
      add_string (builder, "attention", damage);
      json_builder_end_object (builder);
      print_json (builder);
      return damaged ? 1 : 0;
    }

  if (damaged)
    {
      printf ("Queue: %s is DAMAGED and was left untouched; its applications are not being sent.\n"
              "  %s\n", path, error->message);
      if (damage != NULL)
        printf ("Attention: %s\n", damage);
      return 1;
    }
  printf ("Queue: %s%s\n", path, missing ? " (none yet: nothing was stored on this kiosk)" : "");
  for (guint s = 0; s < KIOSK_QUEUE_N_STATES; s++)
    {
      printf ("  %-10s %8" G_GUINT64_FORMAT, kiosk_queue_state_to_string (s), counts.by_state[s]);
      if (s == KIOSK_QUEUE_STATE_FAILED && counts.by_state[s] > 0)
        printf ("   (need staff: antragskiosk-ctl queue list --state failed)");
      if (s == KIOSK_QUEUE_STATE_DELETED && counts.by_state[s] > 0)
        printf ("   (never delivered: the applicant must apply again; queue list --state deleted)");
      printf ("\n");
    }
  printf ("  %-10s %8" G_GUINT64_FORMAT "   (%" G_GUINT64_FORMAT " of them purged: ciphertext deleted)\n",
          "total", counts.total, counts.purged);
  if (counts.oldest_pending_age_ms >= 0)
    {
      g_autofree char *age = format_age (counts.oldest_pending_age_ms);
      g_autofree char *since = format_utc (counts.oldest_pending_created_ms);

      printf ("Oldest pending: %s (stored %s)\n", age, since);
    }
  else
    printf ("Oldest pending: none\n");
  if (counts.damaged > 0)
    printf ("Damaged: %" G_GUINT64_FORMAT " application%s (failed, never sent; %" G_GUINT64_FORMAT
            " not acknowledged)\n", counts.damaged, counts.damaged == 1 ? "" : "s", counts.damaged_unacknowledged);
  if (damage != NULL)
    printf ("Attention: %s\n", damage);
  return 0;
}

static int
queue_list (CtlQueueContext *ctx,
            gboolean         json,
            const char      *state_name,
            int              limit)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(KioskQueue) queue = NULL;
  g_autoptr(GPtrArray) items = NULL;
  KioskQueueState state = KIOSK_QUEUE_STATE_QUEUED;
  gboolean missing;

  if (state_name != NULL && !kiosk_queue_state_from_string (state_name, &state))
    {
      _kiosk_ctl_error ("unknown state '%s': use queued, created, submitted, accepted, rejected, "
                        "failed or deleted (try 'queue list --help')", state_name);
      return 2;
    }
  if (limit < 0)
    {
      _kiosk_ctl_error ("--limit takes a number of applications, 0 for all (try 'queue list --help')");
      return 2;
    }

  queue = open_queue (ctx, kiosk_queue_monitor_flags (ctx->config->data_dir), &missing);
  if (queue == NULL && !missing)
    return 1;
  if (queue != NULL)
    {
      items = kiosk_queue_list (queue, state_name != NULL ? (int) state : -1, (guint) limit, 0, &error);
      if (items == NULL)
        {
          _kiosk_ctl_error ("%s", error->message);
          return 1;
        }
    }
  else
    items = g_ptr_array_new ();

  if (json)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();

      json_builder_begin_array (builder);
      for (guint i = 0; i < items->len; i++)
        {
          KioskQueueItem *item = items->pdata[i];
          g_autofree char *shown = kiosk_reference_format (item->reference);

          json_builder_begin_object (builder);
          add_string (builder, "reference", shown);
          add_string (builder, "form_id", item->form_id);
          add_string (builder, "form_version", item->form_version);
          add_string (builder, "destination", item->destination_name);
          add_string (builder, "state", kiosk_queue_state_to_string (item->state));
          json_builder_set_member_name (builder, "purged");
          json_builder_add_boolean_value (builder, item->purged_ms != 0);
          json_builder_set_member_name (builder, "damaged");
          json_builder_add_boolean_value (builder, item->damaged_ms != 0);
          json_builder_set_member_name (builder, "attempts");
          json_builder_add_int_value (builder, item->attempts);
          add_time (builder, "created", item->created_ms);
          add_time (builder, "updated", item->updated_ms);
          add_time (builder, "next_attempt",
                    item->state == KIOSK_QUEUE_STATE_QUEUED || item->state == KIOSK_QUEUE_STATE_CREATED
                    ? item->next_attempt_ms : 0);
          add_time (builder, "submitted", item->submitted_ms);
          add_time (builder, "decided", item->decided_ms);
          add_string (builder, "submission_id", item->submission_id);
          add_string (builder, "case_id", item->case_id);
          add_string (builder, "last_error", item->last_error);
          json_builder_end_object (builder);
        }
      json_builder_end_array (builder);
      print_json (builder);
      return 0;
    }

  if (items->len == 0)
    {
      printf ("No applications%s%s.\n", state_name != NULL ? " in state " : "", state_name != NULL ? state_name : "");
      return 0;
    }
  printf ("%-11s  %-24s  %-9s  %-20s  %-20s  %3s  %s\n",
          "REFERENCE", "FORM", "STATE", "CREATED (UTC)", "UPDATED (UTC)", "TRY", "LAST ERROR");
  for (guint i = 0; i < items->len; i++)
    {
      KioskQueueItem *item = items->pdata[i];
      g_autofree char *shown = kiosk_reference_format (item->reference);
      g_autofree char *form = g_strdup_printf ("%s %s", item->form_id, item->form_version);
      g_autofree char *created = format_utc (item->created_ms);
      g_autofree char *updated = format_utc (item->updated_ms);
      g_autofree char *state_text = g_strdup_printf ("%s%s", item->damaged_ms != 0 ? "DAMAGED"
                                                     : kiosk_queue_state_to_string (item->state),
                                                     item->purged_ms != 0 ? "*" : "");

      printf ("%-11s  %-24s  %-9s  %-20s  %-20s  %3u  %s\n", shown, form, state_text,
              created != NULL ? created : "-", updated != NULL ? updated : "-",
              item->attempts, item->last_error != NULL ? item->last_error : "");
    }
  if (limit > 0 && items->len == (guint) limit)
    printf ("(the newest %d; --limit 0 lists all)\n", limit);
  for (guint i = 0; i < items->len; i++)
    if (((KioskQueueItem *) items->pdata[i])->purged_ms != 0)
      {
        printf ("* purged: the ciphertext was deleted after confirmation; the row stays for reference\n");
        break;
      }
  for (guint i = 0; i < items->len; i++)
    if (((KioskQueueItem *) items->pdata[i])->damaged_ms != 0)
      {
        printf ("DAMAGED: a stored ciphertext is damaged on disk; the application (state failed) is never "
                "sent: the citizen must submit it again\n");
        break;
      }
  return 0;
}

static int
queue_retry (CtlQueueContext *ctx,
             const char      *reference)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) ref_error = NULL;
  g_autoptr(KioskQueue) queue = NULL;
  g_autofree char *canonical = kiosk_reference_normalize (reference, &ref_error);
  g_autofree char *shown = NULL;
  gboolean missing;

  if (canonical == NULL)
    {
      _kiosk_ctl_error ("%s", ref_error->message);
      return 1;
    }
  shown = kiosk_reference_format (canonical);
  queue = open_queue (ctx, KIOSK_QUEUE_OPEN_DEFAULT, &missing);
  if (queue == NULL)
    {
      if (missing)
        _kiosk_ctl_error ("there is no queue in %s yet, so there is no application %s",
                          ctx->config->data_dir, shown);
      return 1;
    }
  if (!kiosk_queue_retry (queue, canonical, &error))
    {
      if (g_error_matches (error, KIOSK_QUEUE_ERROR, KIOSK_QUEUE_ERROR_STATE))
        {
          g_autoptr(KioskQueueItem) item = kiosk_queue_get (queue, canonical, NULL);

          _kiosk_ctl_error ("%s is %s, not failed: only failed applications are retried by hand "
                            "(the kiosk retries the others by itself); nothing was changed",
                            shown, item != NULL ? kiosk_queue_state_to_string (item->state) : "not failed");
        }
      else
        _kiosk_ctl_error ("%s", error->message);
      return 1;
    }
  printf ("%s is queued again; it is sent at the next attempt.\n", shown);
  return 0;
}

static int
queue_purge (CtlQueueContext *ctx)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(KioskQueue) queue = NULL;
  KioskQueueRetention retention;
  guint purged = 0, deleted = 0;
  gboolean missing;

  if (!kiosk_queue_retention_from_keyfile (ctx->config->keyfile, &retention, &error))
    {
      _kiosk_ctl_error ("%s", error->message);
      return 1;
    }
  queue = open_queue (ctx, KIOSK_QUEUE_OPEN_DEFAULT, &missing);
  if (queue == NULL)
    {
      if (missing)
        {
          printf ("There is no queue yet; nothing to purge.\n");
          return 0;
        }
      return 1;
    }
  if (!kiosk_queue_purge (queue, &retention, &purged, &deleted, &error))
    {
      _kiosk_ctl_error ("%s", error->message);
      return 1;
    }
  printf ("Purged the ciphertexts of %u application%s (%s + %u days); deleted %u tombstone%s "
          "(older than %u days).\n",
          purged, purged == 1 ? "" : "s", kiosk_queue_state_to_string (retention.purge_after),
          retention.keep_days, deleted, deleted == 1 ? "" : "s", retention.tombstone_days);
  return 0;
}

static int
queue_salvage (CtlQueueContext *ctx)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(KioskQueueSalvage) salvage = NULL;
  g_autofree char *path = g_build_filename (ctx->config->data_dir, "queue.db", NULL);

  if (!g_file_test (path, G_FILE_TEST_EXISTS))
    {
      printf ("There is no queue at %s; nothing to salvage.\n", path);
      return 0;
    }
  if (!kiosk_queue_salvage (ctx->config->data_dir, NULL, &salvage, &error))
    {
      _kiosk_ctl_error ("%s", error->message);
      return 1;
    }
  if (salvage == NULL)
    {
      printf ("%s passes the integrity check; nothing to salvage.\n", path);
      return 0;
    }
  printf ("The queue file %s was damaged (%s).\n"
          "Saved:    %" G_GUINT64_FORMAT " application%s, carried into a fresh queue with their states\n"
          "Damaged:  %" G_GUINT64_FORMAT " (a ciphertext no longer matches: failed, never sent)\n"
          "Lost:     %" G_GUINT64_FORMAT " row%s could not be read%s\n"
          "Kept:     %s (never deleted: look at it, then delete it yourself)\n"
          "antragskiosk-ctl status stays critical until 'antragskiosk-ctl queue acknowledge'.\n",
          path, salvage->problem, salvage->saved, salvage->saved == 1 ? "" : "s", salvage->damaged,
          salvage->lost, salvage->lost == 1 ? "" : "s",
          salvage->unknown_rest ? " (part of the file could not be walked: maybe more)" : "",
          salvage->kept_path);
  if (salvage->attachments_lost > 0)
    printf ("Attachments lost: %" G_GUINT64_FORMAT "\n", salvage->attachments_lost);
  return 0;
}

static int
queue_acknowledge (CtlQueueContext *ctx)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(KioskQueue) queue = NULL;
  guint records = 0;
  guint64 applications = 0;
  gboolean missing;

  queue = open_queue (ctx, KIOSK_QUEUE_OPEN_DEFAULT, &missing);
  if (queue == NULL && !missing)
    {
      _kiosk_ctl_error ("nothing was acknowledged: the queue must be readable first (a damaged queue: "
                        "antragskiosk-ctl queue salvage)");
      return 1;
    }
  if (!kiosk_queue_damage_acknowledge (ctx->config->data_dir, queue, &records, &applications, &error))
    {
      _kiosk_ctl_error ("%s", error->message);
      return 1;
    }
  if (records == 0 && applications == 0)
    printf ("Nothing to acknowledge: no damage is recorded.\n");
  else
    printf ("Acknowledged %u damage record%s and %" G_GUINT64_FORMAT " damaged application%s. The kept "
            "queue.db.damaged-* files and the damaged applications stay until you delete them.\n",
            records, records == 1 ? "" : "s", applications, applications == 1 ? "" : "s");
  return 0;
}

int
_kiosk_ctl_queue (int argc, char **argv)
{
  g_autofree char *opt_config = NULL;
  g_autofree char *opt_state = NULL;
  gboolean opt_json = FALSE;
  int opt_limit = 50;
  GOptionEntry entries[] = {
    { "config", 0, 0, G_OPTION_ARG_FILENAME, &opt_config,
      "Read FILE (and FILE.d/*.conf) instead of the default configuration", "FILE" },
    { "json", 0, 0, G_OPTION_ARG_NONE, &opt_json, "status, list: print JSON", NULL },
    { "state", 0, 0, G_OPTION_ARG_STRING, &opt_state, "list: only applications in STATE", "STATE" },
    { "limit", 0, 0, G_OPTION_ARG_INT, &opt_limit, "list: at most N, newest first (0: all; default 50)", "N" },
    { NULL }
  };
  g_autofree char *name = NULL;
  g_autofree char **args = NULL;
  CtlQueueContext ctx = { 0 };
  const char *command;
  int n_args, status;

  if (argc < 2 || strcmp (argv[1], "--help") == 0 || strcmp (argv[1], "-h") == 0)
    {
      fputs (queue_usage, argc < 2 ? stderr : stdout);
      return argc < 2 ? 2 : 0;
    }
  command = argv[1];
  if (strcmp (command, "status") != 0 && strcmp (command, "list") != 0
      && strcmp (command, "retry") != 0 && strcmp (command, "purge") != 0
      && strcmp (command, "salvage") != 0 && strcmp (command, "acknowledge") != 0)
    {
      _kiosk_ctl_error ("unknown queue command '%s' (try 'antragskiosk-ctl queue --help')", command);
      return 2;
    }

  /* "queue status --json …" → argv[0] = "queue status" for the messages */
  name = g_strconcat ("queue ", command, NULL);
  n_args = argc - 1;
  args = g_new0 (char *, n_args + 1);
  args[0] = name;
  for (int i = 2; i < argc; i++)
    args[i - 1] = argv[i];
  {
    char **parsed = args;

    if (!_kiosk_ctl_parse_options (&n_args, &parsed,
                                   strcmp (command, "retry") == 0 ? "REF" : "",
                                   "Inspect and manage the outbox of applications (docs/queue.md).",
                                   entries))
      return 2;
    args = parsed;
  }

  if (strcmp (command, "retry") == 0 ? n_args != 2 : n_args != 1)
    {
      _kiosk_ctl_error ("%s: %s (try 'antragskiosk-ctl %s --help')", name,
                        strcmp (command, "retry") == 0 ? "give exactly one reference" : "takes no arguments",
                        name);
      return 2;
    }
  if ((opt_json && strcmp (command, "status") != 0 && strcmp (command, "list") != 0)
      || ((opt_state != NULL || opt_limit != 50) && strcmp (command, "list") != 0))
    {
      _kiosk_ctl_error ("%s: an option does not apply to this command (try 'antragskiosk-ctl %s --help')",
                        name, name);
      return 2;
    }

  ctx.config_path = opt_config;
  if (!load_config (&ctx))
    return 1;

  if (strcmp (command, "status") == 0)
    status = queue_status (&ctx, opt_json);
  else if (strcmp (command, "list") == 0)
    status = queue_list (&ctx, opt_json, opt_state, opt_limit);
  else if (strcmp (command, "retry") == 0)
    status = queue_retry (&ctx, args[1]);
  else if (strcmp (command, "salvage") == 0)
    status = queue_salvage (&ctx);
  else if (strcmp (command, "acknowledge") == 0)
    status = queue_acknowledge (&ctx);
  else
    status = queue_purge (&ctx);

  kiosk_config_free (ctx.config);
  return status;
}
