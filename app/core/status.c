/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "antragskiosk-status"

#include "config.h"

#include <string.h>
#include <glib.h>

#include <antragskiosk/destination.h>
#include <antragskiosk/form.h>
#include <antragskiosk/keys.h>
#include <antragskiosk/printer.h>
#include <antragskiosk/queue.h>
#include <antragskiosk/status.h>
#include <antragskiosk/sync.h>

const char *
kiosk_status_level_to_string (KioskStatusLevel level)
{
  switch (level)
    {
    case KIOSK_STATUS_OK:
      return "ok";
    case KIOSK_STATUS_WARNING:
      return "warning";
    case KIOSK_STATUS_CRITICAL:
      return "critical";
    default:
      return "?";
    }
}

void
kiosk_status_options_init (KioskStatusOptions *options)
{
  memset (options, 0, sizeof *options);
  options->query_printer = TRUE;
}

typedef struct {
  KioskStatusLevel level;
  const char      *component;  /* static */
  char            *message;
} Alert;

typedef struct {
  JsonBuilder *builder;
  GArray      *alerts;  /* Alert */
  GDateTime   *now;
  gint64       now_ms;
} Collector;

static void
alert_clear (Alert *alert)
{
  g_free (alert->message);
}

static void add_alert (Collector *c, KioskStatusLevel level, const char *component, const char *format, ...) G_GNUC_PRINTF (4, 5);

static void
add_alert (Collector        *c,
           KioskStatusLevel  level,
           const char       *component,
           const char       *format,
           ...)
{
  Alert alert = { level, component, NULL };
  va_list args;

  va_start (args, format);
  alert.message = g_strdup_vprintf (format, args);
  va_end (args);
  g_array_append_val (c->alerts, alert);
}

static void
member_string (JsonBuilder *builder,
               const char  *name,
               const char  *value)
{
  json_builder_set_member_name (builder, name);
  if (value != NULL)
    json_builder_add_string_value (builder, value);
  else
    json_builder_add_null_value (builder);
}

static void
member_int (JsonBuilder *builder,
            const char  *name,
            gint64       value)
{
  json_builder_set_member_name (builder, name);
  json_builder_add_int_value (builder, value);
}

/* An RFC 3339 UTC time, or null for 0. */
static void
member_time (JsonBuilder *builder,
             const char  *name,
             gint64       ms)
{
  g_autoptr(GDateTime) time = ms > 0 ? g_date_time_new_from_unix_utc (ms / 1000) : NULL;
  g_autofree char *text = time != NULL ? g_date_time_format (time, "%Y-%m-%dT%H:%M:%SZ") : NULL;

  member_string (builder, name, text);
}

static void
collect_kiosk (Collector         *c,
               const KioskConfig *config,
               GPtrArray         *config_problems)
{
  JsonBuilder *b = c->builder;
  guint errors = 0;

  json_builder_set_member_name (b, "kiosk");
  json_builder_begin_object (b);
  member_string (b, "id", config->kiosk_id);
  member_string (b, "location", config->location);
  json_builder_set_member_name (b, "demo");
  json_builder_add_boolean_value (b, config->is_demo);
  member_string (b, "data_dir", config->data_dir);
  member_string (b, "forms_dir", config->forms_dir);
  json_builder_set_member_name (b, "config_files");
  json_builder_begin_array (b);
  for (guint i = 0; config->files != NULL && i < config->files->len; i++)
    json_builder_add_string_value (b, g_ptr_array_index (config->files, i));
  json_builder_end_array (b);
  json_builder_set_member_name (b, "config_problems");
  json_builder_begin_array (b);
  for (guint i = 0; config_problems != NULL && i < config_problems->len; i++)
    {
      const KioskConfigProblem *problem = g_ptr_array_index (config_problems, i);
      g_autofree char *text = kiosk_config_problem_to_string (problem);

      json_builder_add_string_value (b, text);
      errors += !problem->warning;
    }
  json_builder_end_array (b);
  json_builder_end_object (b);

  if (config->is_demo)
    add_alert (c, KIOSK_STATUS_WARNING, "config",
               "the kiosk runs on the embedded demo configuration: nothing reaches an authority; "
               "provision /etc/antragskiosk/kiosk.conf");
  if (errors > 0)
    add_alert (c, KIOSK_STATUS_CRITICAL, "config",
               "the configuration has %u problem%s; run antragskiosk-ctl check-config", errors, errors == 1 ? "" : "s");
  else if (config_problems != NULL && config_problems->len > 0)
    add_alert (c, KIOSK_STATUS_WARNING, "config",
               "the configuration has %u warning%s; run antragskiosk-ctl check-config",
               config_problems->len, config_problems->len == 1 ? "" : "s");
}

static void
collect_queue (Collector         *c,
               const KioskConfig *config,
               guint64           *pending_out)
{
  JsonBuilder *b = c->builder;
  g_autoptr(GError) error = NULL;
  g_autoptr(KioskQueue) queue = NULL;
  KioskQueueCounts counts = { 0 };
  g_autofree char *path = g_build_filename (config->data_dir, "queue.db", NULL);
  gboolean missing = !g_file_test (path, G_FILE_TEST_EXISTS);
  g_autoptr(GPtrArray) records = kiosk_queue_damage_load (config->data_dir);
  g_autofree char *damage = NULL;
  gboolean damaged_file;

  counts.oldest_pending_age_ms = -1;
  /* Read-only: status never creates, migrates, moves or repairs anything.
   * quick_check only while the file is small (a status call must be
   * quick): damage a read runs into is reported here, damage the kiosk or
   * the sync service found at their start is in the damage records. */
  if (!missing)
    queue = kiosk_queue_open (config->data_dir, kiosk_queue_monitor_flags (config->data_dir), &error);
  if (queue != NULL)
    kiosk_queue_get_counts (queue, &counts, &error);
  damaged_file = g_error_matches (error, KIOSK_QUEUE_ERROR, KIOSK_QUEUE_ERROR_CORRUPT);
  damage = kiosk_queue_describe_damage (config->data_dir, &counts);

  json_builder_set_member_name (b, "queue");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "exists");
  json_builder_add_boolean_value (b, !missing);
  member_int (b, "total", (gint64) counts.total);
  json_builder_set_member_name (b, "by_state");
  json_builder_begin_object (b);
  for (guint s = 0; s < KIOSK_QUEUE_N_STATES; s++)
    member_int (b, kiosk_queue_state_to_string (s), (gint64) counts.by_state[s]);
  json_builder_end_object (b);
  member_int (b, "pending", (gint64) (counts.by_state[KIOSK_QUEUE_STATE_QUEUED] + counts.by_state[KIOSK_QUEUE_STATE_CREATED]));
  json_builder_set_member_name (b, "oldest_pending_age_s");
  if (counts.oldest_pending_age_ms >= 0)
    json_builder_add_int_value (b, counts.oldest_pending_age_ms / 1000);
  else
    json_builder_add_null_value (b);
  member_time (b, "oldest_pending_created", counts.oldest_pending_created_ms);
  member_string (b, "path", path);
  member_string (b, "error", error != NULL ? error->message : NULL);
  json_builder_set_member_name (b, "damaged");
  json_builder_add_boolean_value (b, damaged_file);
  member_int (b, "damaged_applications", (gint64) counts.damaged);
  member_int (b, "damaged_unacknowledged", (gint64) counts.damaged_unacknowledged);
  json_builder_set_member_name (b, "damage_records");
  json_builder_begin_array (b);
  for (guint i = 0; i < records->len; i++)
    {
      const KioskQueueSalvage *record = g_ptr_array_index (records, i);

      json_builder_begin_object (b);
      member_time (b, "time", record->time_ms);
      member_string (b, "kept_file", record->kept_path);
      member_string (b, "problem", record->problem);
      member_int (b, "saved", (gint64) record->saved);
      member_int (b, "damaged", (gint64) record->damaged);
      member_int (b, "lost", (gint64) record->lost);
      member_int (b, "attachments_lost", (gint64) record->attachments_lost);
      json_builder_set_member_name (b, "lost_may_be_more");
      json_builder_add_boolean_value (b, record->unknown_rest);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  json_builder_end_object (b);

  *pending_out = counts.by_state[KIOSK_QUEUE_STATE_QUEUED] + counts.by_state[KIOSK_QUEUE_STATE_CREATED];
  if (damaged_file)
    add_alert (c, KIOSK_STATUS_CRITICAL, "queue", "the queue file is damaged; the applications in it are not "
               "being sent: %s", error->message);
  else if (error != NULL)
    add_alert (c, KIOSK_STATUS_CRITICAL, "queue", "the queue cannot be read: %s", error->message);
  if (damage != NULL)
    add_alert (c, KIOSK_STATUS_CRITICAL, "queue", "%s", damage);
  if (counts.by_state[KIOSK_QUEUE_STATE_FAILED] > 0)
    add_alert (c, KIOSK_STATUS_WARNING, "queue",
               "%" G_GUINT64_FORMAT " application%s failed permanently and need%s staff "
               "(antragskiosk-ctl queue list --state failed)",
               counts.by_state[KIOSK_QUEUE_STATE_FAILED], counts.by_state[KIOSK_QUEUE_STATE_FAILED] == 1 ? "" : "s",
               counts.by_state[KIOSK_QUEUE_STATE_FAILED] == 1 ? "s" : "");
  if (counts.oldest_pending_age_ms >= (gint64) KIOSK_STATUS_PENDING_CRITICAL_S * 1000)
    add_alert (c, KIOSK_STATUS_CRITICAL, "queue", "an application has waited %" G_GINT64_FORMAT " h to be sent",
               counts.oldest_pending_age_ms / 3600000);
  else if (counts.oldest_pending_age_ms >= (gint64) KIOSK_STATUS_PENDING_WARNING_S * 1000)
    add_alert (c, KIOSK_STATUS_WARNING, "queue", "an application has waited %" G_GINT64_FORMAT " h to be sent",
               counts.oldest_pending_age_ms / 3600000);
}

static void
collect_sync (Collector         *c,
              const KioskConfig *config,
              guint64            pending)
{
  JsonBuilder *b = c->builder;
  g_auto(KioskSyncRecord) record = { 0 };
  g_autoptr(GError) error = NULL;
  gboolean configured = config->token_url != NULL;
  gboolean readable = kiosk_sync_record_load (config->data_dir, &record, &error);

  json_builder_set_member_name (b, "sync");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "platform_configured");
  json_builder_add_boolean_value (b, configured);
  member_string (b, "submission_api", config->submission_api);
  member_time (b, "last_pass", record.last_pass_ms);
  member_time (b, "last_success", record.last_success_ms);
  json_builder_set_member_name (b, "last_success_age_s");
  if (record.last_success_ms > 0)
    json_builder_add_int_value (b, MAX (c->now_ms - record.last_success_ms, 0) / 1000);
  else
    json_builder_add_null_value (b);
  member_string (b, "platform_fault", record.last_pass_ms > 0 ? kiosk_platform_fault_to_string (record.platform_fault) : NULL);
  member_string (b, "last_error", readable ? record.last_error : error->message);
  member_string (b, "by", record.program);
  json_builder_end_object (b);

  if (!configured)
    {
      if (pending > 0)
        add_alert (c, KIOSK_STATUS_WARNING, "sync",
                   "no platform is configured ([platform] token_url): %" G_GUINT64_FORMAT " application%s stay queued",
                   pending, pending == 1 ? "" : "s");
      return;
    }
  if (record.last_pass_ms > 0 && (record.platform_fault == KIOSK_PLATFORM_UNTRUSTED
                                  || record.platform_fault == KIOSK_PLATFORM_AUTH))
    add_alert (c, KIOSK_STATUS_CRITICAL, "sync", "the platform refuses the kiosk (%s): %s; fix the configuration",
               kiosk_platform_fault_to_string (record.platform_fault),
               record.last_error != NULL ? record.last_error : "no detail");
  if (pending > 0 && (record.last_success_ms == 0
                      || c->now_ms - record.last_success_ms > (gint64) KIOSK_STATUS_SYNC_STALE_S * 1000))
    add_alert (c, KIOSK_STATUS_WARNING, "sync",
               "%" G_GUINT64_FORMAT " application%s wait and no sync pass has succeeded %s (is the sync service running? "
               "systemctl status antragskiosk-sync)",
               pending, pending == 1 ? "" : "s", record.last_success_ms == 0 ? "yet" : "for over an hour");
}

static void
collect_printer (Collector                *c,
                 const KioskConfig        *config,
                 const KioskStatusOptions *options)
{
  JsonBuilder *b = c->builder;
  g_autoptr(GError) error = NULL;
  KioskPrinter *printer = kiosk_printer_new_from_config (config, &error);
  KioskPrinterStatus *status = NULL;
  static const char *kinds[] = { "none", "file", "cups", "escpos" };

  json_builder_set_member_name (b, "printer");
  json_builder_begin_object (b);
  if (printer == NULL)
    {
      gboolean not_configured = g_error_matches (error, KIOSK_PRINTER_ERROR, KIOSK_PRINTER_ERROR_NOT_CONFIGURED);

      member_string (b, "kind", not_configured ? "none" : NULL);
      member_string (b, "state", not_configured ? kiosk_printer_state_to_string (KIOSK_PRINTER_STATE_NOT_CONFIGURED) : "error");
      member_string (b, "message", error->message);
      json_builder_end_object (b);
      if (!not_configured)
        add_alert (c, KIOSK_STATUS_CRITICAL, "printer", "the [printer] configuration cannot be used: %s", error->message);
      return;
    }
  member_string (b, "kind", kinds[kiosk_printer_get_kind (printer)]);
  if (options->query_printer)
    status = kiosk_printer_query_status (printer, NULL);
  member_string (b, "state", status != NULL ? kiosk_printer_state_to_string (status->state) : "not-queried");
  member_string (b, "message", status != NULL ? status->message : NULL);
  member_string (b, "detail", status != NULL ? status->detail : NULL);
  json_builder_end_object (b);

  if (status != NULL && !kiosk_printer_state_can_print (status->state)
      && status->state != KIOSK_PRINTER_STATE_NOT_CONFIGURED)
    add_alert (c, KIOSK_STATUS_WARNING, "printer", "the receipt printer is %s%s%s: visitors get their receipt "
               "only on screen", kiosk_printer_state_to_string (status->state),
               status->detail != NULL ? ": " : "", status->detail != NULL ? status->detail : "");
  else if (status != NULL && status->state == KIOSK_PRINTER_STATE_PAPER_LOW)
    add_alert (c, KIOSK_STATUS_WARNING, "printer", "the receipt printer's paper runs low");
  g_clear_pointer (&status, kiosk_printer_status_free);
  kiosk_printer_free (printer);
}

/* What the platform said about the destination when last asked
 * (destination.h): its status, when verified, why the last refresh failed. */
static void
collect_destination_state (Collector                    *c,
                           const KioskConfig            *config,
                           const KioskDestinationConfig *destination)
{
  g_autoptr(KioskDestinationState) state = NULL;

  if (destination->destination_id != NULL && config->data_dir != NULL)
    state = kiosk_destination_cache_load (config->data_dir, destination->destination_id, destination->trust_anchor,
                                          c->now, NULL);
  member_string (c->builder, "destination_status", state != NULL ? state->info->status : NULL);
  member_time (c->builder, "last_verified", state != NULL ? state->verified_ms : 0);
  member_string (c->builder, "last_refresh_error", state != NULL ? state->last_error : NULL);
  if (state != NULL && state->last_error != NULL)
    add_alert (c, KIOSK_STATUS_WARNING, "keys", "destination \"%s\" could not be refreshed from the platform: %s",
               destination->name, state->last_error);
}

static void
collect_keys (Collector         *c,
              const KioskConfig *config)
{
  JsonBuilder *b = c->builder;

  json_builder_set_member_name (b, "destinations");
  json_builder_begin_array (b);
  for (guint i = 0; config->destinations != NULL && i < config->destinations->len; i++)
    {
      const KioskDestinationConfig *destination = g_ptr_array_index (config->destinations, i);
      g_autoptr(GError) error = NULL;
      gboolean from_platform = FALSE;
      /* The verified key from the platform wins over key_file (destination.h). */
      g_autoptr(KioskKey) key = kiosk_destination_encryption_key_at (config, destination, c->now, &from_platform,
                                                                      &error);
      GDateTime *not_after = key != NULL ? kiosk_key_get_not_after (key) : NULL;  /* the key's */

      json_builder_begin_object (b);
      member_string (b, "name", destination->name);
      member_string (b, "destination_id", destination->destination_id);
      member_string (b, "kid", key != NULL ? kiosk_key_get_kid (key) : NULL);
      member_string (b, "key_source", key == NULL ? NULL : from_platform ? "platform" : "key_file");
      collect_destination_state (c, config, destination);
      if (not_after != NULL)
        {
          gint64 days = g_date_time_difference (not_after, c->now) / G_TIME_SPAN_DAY;

          member_time (b, "key_not_after", g_date_time_to_unix (not_after) * 1000);
          member_int (b, "key_days_left", days);
          if (days < KIOSK_STATUS_KEY_WARNING_DAYS)
            add_alert (c, KIOSK_STATUS_WARNING, "keys",
                       "the encryption key of destination \"%s\" expires in %" G_GINT64_FORMAT " day%s: "
                       "ask the authority for its new key", destination->name, days, days == 1 ? "" : "s");
        }
      else
        {
          member_string (b, "key_not_after", NULL);
          json_builder_set_member_name (b, "key_days_left");
          json_builder_add_null_value (b);
        }
      member_string (b, "problem", error != NULL ? error->message : NULL);
      json_builder_end_object (b);
      if (error != NULL)
        add_alert (c, KIOSK_STATUS_CRITICAL, "keys",
                   "destination \"%s\" cannot be used, its forms are out of service: %s", destination->name,
                   error->message);
    }
  json_builder_end_array (b);
}

static void
collect_forms (Collector         *c,
               const KioskConfig *config)
{
  JsonBuilder *b = c->builder;
  g_autoptr(GError) error = NULL;
  g_autoptr(KioskCatalog) catalog = kiosk_catalog_new_for_config (config, FALSE, &error);
  GPtrArray *problems = catalog != NULL ? kiosk_catalog_get_problems (catalog) : NULL;
  GPtrArray *kept = catalog != NULL ? kiosk_catalog_get_kept (catalog) : NULL;
  GPtrArray *forms = catalog != NULL ? kiosk_catalog_get_forms (catalog) : NULL;

  json_builder_set_member_name (b, "forms");
  json_builder_begin_object (b);
  member_int (b, "in_service", forms != NULL ? forms->len : 0);
  json_builder_set_member_name (b, "list");
  json_builder_begin_array (b);
  for (guint i = 0; forms != NULL && i < forms->len; i++)
    {
      const KioskForm *form = g_ptr_array_index (forms, i);
      const KioskDestinationConfig *destination = kiosk_config_destination_for_form (config, form->id);

      json_builder_begin_object (b);
      member_string (b, "id", form->id);
      member_string (b, "version", form->version);
      member_string (b, "source", g_str_has_prefix (form->file, "resource://") ? "bundled" : form->file);
      member_string (b, "destination", destination != NULL ? destination->name : NULL);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  json_builder_set_member_name (b, "problems");
  json_builder_begin_array (b);
  for (guint i = 0; problems != NULL && i < problems->len; i++)
    {
      g_autofree char *text = kiosk_form_problem_to_string (g_ptr_array_index (problems, i));
      json_builder_add_string_value (b, text);
    }
  json_builder_end_array (b);
  json_builder_set_member_name (b, "kept_previous");
  json_builder_begin_array (b);
  for (guint i = 0; kept != NULL && i < kept->len; i++)
    json_builder_add_string_value (b, g_ptr_array_index (kept, i));
  json_builder_end_array (b);
  member_string (b, "error", error != NULL ? error->message : NULL);
  json_builder_end_object (b);

  if (catalog == NULL)
    add_alert (c, KIOSK_STATUS_CRITICAL, "forms", "the forms cannot be loaded: %s", error->message);
  else if (problems->len > 0)
    add_alert (c, KIOSK_STATUS_WARNING, "forms",
               "%u problem%s in the forms directory (%u broken file%s kept at its last good version); "
               "run antragskiosk-ctl check-forms %s", problems->len, problems->len == 1 ? "" : "s",
               kept->len, kept->len == 1 ? "" : "s", config->forms_dir);
}

JsonNode *
kiosk_status_collect (const KioskConfig        *config,
                      GPtrArray                *config_problems,
                      GDateTime                *now,
                      const KioskStatusOptions *options,
                      KioskStatusLevel         *level_out)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(GArray) alerts = g_array_new (FALSE, TRUE, sizeof (Alert));
  g_autoptr(GDateTime) local_now = now != NULL ? g_date_time_ref (now) : g_date_time_new_now_utc ();
  KioskStatusOptions defaults;
  KioskStatusLevel level = KIOSK_STATUS_OK;
  Collector c = { builder, alerts, local_now, g_date_time_to_unix (local_now) * 1000
                                              + g_date_time_get_microsecond (local_now) / 1000 };
  guint64 pending = 0;

  if (options == NULL)
    {
      kiosk_status_options_init (&defaults);
      options = &defaults;
    }
  g_array_set_clear_func (alerts, (GDestroyNotify) alert_clear);

  json_builder_begin_object (builder);
  member_string (builder, "version", PACKAGE_VERSION);
  member_time (builder, "time", c.now_ms);
  collect_kiosk (&c, config, config_problems);
  collect_queue (&c, config, &pending);
  collect_sync (&c, config, pending);
  collect_printer (&c, config, options);
  collect_keys (&c, config);
  collect_forms (&c, config);

  for (guint i = 0; i < alerts->len; i++)
    level = MAX (level, g_array_index (alerts, Alert, i).level);
  member_string (builder, "level", kiosk_status_level_to_string (level));
  json_builder_set_member_name (builder, "alerts");
  json_builder_begin_array (builder);
  for (guint i = 0; i < alerts->len; i++)
    {
      const Alert *alert = &g_array_index (alerts, Alert, i);

      json_builder_begin_object (builder);
      member_string (builder, "level", kiosk_status_level_to_string (alert->level));
      member_string (builder, "component", alert->component);
      member_string (builder, "message", alert->message);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
  json_builder_end_object (builder);

  if (level_out != NULL)
    *level_out = level;
  return json_builder_get_root (builder);
}
