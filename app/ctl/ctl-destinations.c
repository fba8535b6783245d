/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "antragskiosk-ctl"

#include "config.h"

#include <stdio.h>
#include <string.h>
#include <glib.h>
#include <json-glib/json-glib.h>

#include <antragskiosk/config.h>
#include <antragskiosk/destination.h>
#include <antragskiosk/log.h>
#include <antragskiosk/queue.h>
#include <antragskiosk/sync.h>

#include "ctl-private.h"

/* destinations: what the kiosk knows about each [destination] — the
 * platform's destination document and keys as last verified (cached in
 * DATA_DIR/destinations/), the key in use and why. --refresh fetches
 * them now. */

static char *
format_ms (gint64 ms)
{
  g_autoptr(GDateTime) time = ms > 0 ? g_date_time_new_from_unix_utc (ms / 1000) : NULL;

  return time != NULL ? g_date_time_format (time, "%Y-%m-%dT%H:%M:%SZ") : NULL;
}

/* Members without a value are left out (the text output says "-"). */
static void
add_string (JsonBuilder *builder,
            const char  *name,
            const char  *value)
{
  if (value == NULL)
    return;
  json_builder_set_member_name (builder, name);
  json_builder_add_string_value (builder, value);
}

static void
add_services (JsonBuilder          *builder,
              KioskDestinationInfo *info)
{
  json_builder_set_member_name (builder, "services");
  json_builder_begin_array (builder);
  for (guint i = 0; info != NULL && i < info->services->len; i++)
    {
      KioskDestinationService *service = info->services->pdata[i];

      json_builder_begin_object (builder);
      add_string (builder, "identifier", service->identifier);
      json_builder_set_member_name (builder, "submissionSchemas");
      json_builder_begin_array (builder);
      for (guint j = 0; j < service->submission_schemas->len; j++)
        json_builder_add_string_value (builder, service->submission_schemas->pdata[j]);
      json_builder_end_array (builder);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
  json_builder_set_member_name (builder, "metadataVersions");
  json_builder_begin_array (builder);
  for (guint i = 0; info != NULL && i < info->metadata_versions->len; i++)
    json_builder_add_string_value (builder, info->metadata_versions->pdata[i]);
  json_builder_end_array (builder);
}

/* One destination as a JSON object. */
static void
describe (JsonBuilder                  *builder,
          const KioskConfig            *config,
          const KioskDestinationConfig *destination)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(KioskDestinationState) state = NULL;
  g_autofree char *reason = NULL;
  g_autofree char *verified = NULL;
  g_autofree char *expires = NULL;
  gboolean usable = kiosk_destination_usable (config, destination, &reason);
  gboolean from_platform = FALSE;
  g_autoptr(KioskKey) key = kiosk_destination_encryption_key_at (config, destination, NULL, &from_platform, NULL);

  if (destination->destination_id != NULL)
    state = kiosk_destination_cache_load (config->data_dir, destination->destination_id,
                                          destination->trust_anchor, NULL, &error);
  verified = state != NULL ? format_ms (state->verified_ms) : NULL;
  if (key != NULL && kiosk_key_get_not_after (key) != NULL)
    expires = g_date_time_format (kiosk_key_get_not_after (key), "%Y-%m-%dT%H:%M:%SZ");

  json_builder_begin_object (builder);
  add_string (builder, "name", destination->name);
  add_string (builder, "destinationId", destination->destination_id);
  add_string (builder, "status", state != NULL ? state->info->status : NULL);
  add_string (builder, "encryptionKid", state != NULL ? state->info->encryption_kid : NULL);
  add_string (builder, "keyInUse", key != NULL ? kiosk_key_get_kid (key) : NULL);
  add_string (builder, "keySource", key == NULL ? NULL : from_platform ? "platform" : "key_file");
  json_builder_set_member_name (builder, "keyBits");
  json_builder_add_int_value (builder, key != NULL ? kiosk_key_get_bits (key) : 0);
  add_string (builder, "keyExpires", expires);
  add_string (builder, "lastVerified", verified);
  json_builder_set_member_name (builder, "usable");
  json_builder_add_boolean_value (builder, usable);
  add_string (builder, "problem", usable ? NULL : reason);
  add_string (builder, "keyProblem", state != NULL && state->key_error != NULL ? state->key_error->message
                                     : error != NULL ? error->message : NULL);
  add_string (builder, "lastRefreshError", state != NULL ? state->last_error : NULL);
  add_services (builder, state != NULL ? state->info : NULL);
  json_builder_end_object (builder);
}

static void
print_text (JsonObject *d)
{
  const char *problem = json_object_get_string_member_with_default (d, "problem", NULL);
  const char *refresh = json_object_get_string_member_with_default (d, "lastRefreshError", NULL);
  JsonArray *services = json_object_get_array_member (d, "services");
  JsonArray *versions = json_object_get_array_member (d, "metadataVersions");

  printf ("[%s] %s\n", json_object_get_string_member_with_default (d, "name", "?"),
          json_object_get_string_member_with_default (d, "destinationId", "(no destination_id)"));
  printf ("  status %s, key %s (%s, %" G_GINT64_FORMAT " bit, expires %s), last verified %s\n",
          json_object_get_string_member_with_default (d, "status", "unknown"),
          json_object_get_string_member_with_default (d, "keyInUse", "-"),
          json_object_get_string_member_with_default (d, "keySource", "none"),
          json_object_get_int_member (d, "keyBits"),
          json_object_get_string_member_with_default (d, "keyExpires", "-"),
          json_object_get_string_member_with_default (d, "lastVerified", "never"));
  for (guint i = 0; i < json_array_get_length (services); i++)
    {
      JsonObject *s = json_array_get_object_element (services, i);
      JsonArray *schemas = json_object_get_array_member (s, "submissionSchemas");

      printf ("  service %s (%u schema%s)\n", json_object_get_string_member (s, "identifier"),
              json_array_get_length (schemas), json_array_get_length (schemas) == 1 ? "" : "s");
    }
  if (json_array_get_length (versions) > 0)
    {
      printf ("  metadata versions");
      for (guint i = 0; i < json_array_get_length (versions); i++)
        printf (" %s", json_array_get_string_element (versions, i));
      printf ("\n");
    }
  if (refresh != NULL)
    printf ("  last refresh failed: %s\n", refresh);
  printf ("  %s%s\n", problem == NULL ? "usable" : "NOT USABLE: ", problem != NULL ? problem : "");
}

static gboolean
refresh (const KioskConfig *config)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(KioskQueue) queue = kiosk_queue_open (config->data_dir, KIOSK_QUEUE_OPEN_DEFAULT, &error);
  g_autoptr(KioskSyncEngine) engine = NULL;

  if (queue == NULL)
    {
      _kiosk_ctl_error ("cannot open the queue in %s: %s", config->data_dir, error->message);
      return FALSE;
    }
  engine = kiosk_sync_engine_new (config, queue, NULL, &error);
  if (engine == NULL || !kiosk_sync_engine_refresh_destinations (engine, TRUE, &error))
    {
      _kiosk_ctl_error ("%s", error->message);
      return FALSE;
    }
  return TRUE;
}

int
_kiosk_ctl_destinations (int argc, char **argv)
{
  g_autofree char *config_path = NULL;
  gboolean json = FALSE, do_refresh = FALSE;
  GOptionEntry entries[] = {
    { "refresh", 0, 0, G_OPTION_ARG_NONE, &do_refresh, "Fetch and verify every destination from the platform now", NULL },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, "Print JSON", NULL },
    { "config", 0, 0, G_OPTION_ARG_FILENAME, &config_path, "Read the configuration from FILE", "FILE" },
    { NULL }
  };
  g_autoptr(KioskConfig) config = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  gboolean ok = TRUE, all_usable = TRUE;
  JsonArray *list;

  if (!_kiosk_ctl_parse_options (&argc, &argv, NULL,
                                 "Each destination: its services, metadata versions, encryption key (id, source,\n"
                                 "expiry) and when it was last verified. --refresh fetches them from the platform\n"
                                 "first. Exit 0 when every destination is usable, 1 otherwise.", entries))
    return 2;
  if (argc > 1)
    {
      _kiosk_ctl_error ("destinations takes no arguments (try 'destinations --help')");
      return 2;
    }
  config = kiosk_config_load (config_path, NULL, &error);
  if (config == NULL)
    {
      _kiosk_ctl_error ("cannot use the configuration: %s (see 'antragskiosk-ctl check-config')", error->message);
      return 1;
    }
  kiosk_log_set_kiosk_id (config->kiosk_id);
  if (do_refresh)
    {
      if (config->token_url == NULL)
        {
          _kiosk_ctl_error ("no [platform] is configured, so there is nothing to refresh from");
          return 1;
        }
      ok = refresh (config);
    }
  json_builder_begin_array (builder);
  for (guint i = 0; config->destinations != NULL && i < config->destinations->len; i++)
    describe (builder, config, config->destinations->pdata[i]);
  json_builder_end_array (builder);
  root = json_builder_get_root (builder);
  list = json_node_get_array (root);
  for (guint i = 0; i < json_array_get_length (list); i++)
    all_usable = all_usable && json_object_get_boolean_member (json_array_get_object_element (list, i), "usable");
  if (json)
    {
      g_autofree char *text = json_to_string (root, TRUE);
      printf ("%s\n", text);
    }
  else
    for (guint i = 0; i < json_array_get_length (list); i++)
      print_text (json_array_get_object_element (list, i));
  return ok && all_usable ? 0 : 1;
}
