/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "antragskiosk-ctl"

#include "config.h"

#include <stdio.h>
#include <string.h>
#include <glib.h>
#include <json-glib/json-glib.h>

#include <antragskiosk/config.h>
#include <antragskiosk/status.h>

#include "ctl-private.h"

/* status: the terminal's health for IT staff and monitoring
 * (docs/operations.md). --json prints the whole object; without it, a
 * summary. Exit 0 whenever the status could be collected, whatever its
 * level ("level" says ok, warning or critical); 1 when the configuration
 * cannot be loaded at all. */

static const char *
get_string (JsonObject *object,
            const char *name)
{
  JsonNode *node = json_object_get_member (object, name);

  return node != NULL && JSON_NODE_HOLDS_VALUE (node) ? json_node_get_string (node) : NULL;
}

static void
print_summary (JsonObject *status)
{
  JsonObject *kiosk = json_object_get_object_member (status, "kiosk");
  JsonObject *queue = json_object_get_object_member (status, "queue");
  JsonObject *by_state = json_object_get_object_member (queue, "by_state");
  JsonObject *sync = json_object_get_object_member (status, "sync");
  JsonObject *printer = json_object_get_object_member (status, "printer");
  JsonObject *forms = json_object_get_object_member (status, "forms");
  JsonArray *destinations = json_object_get_array_member (status, "destinations");
  JsonArray *alerts = json_object_get_array_member (status, "alerts");
  JsonObjectIter iter;
  const char *name;
  JsonNode *node;

  printf ("antragskiosk %s on %s (%s): %s\n", get_string (status, "version"),
          get_string (kiosk, "id") != NULL ? get_string (kiosk, "id") : "?",
          get_string (kiosk, "location") != NULL ? get_string (kiosk, "location") : "no location",
          get_string (status, "level"));
  printf ("Queue:");
  json_object_iter_init_ordered (&iter, by_state);
  while (json_object_iter_next_ordered (&iter, &name, &node))
    printf (" %s %" G_GINT64_FORMAT, name, json_node_get_int (node));
  if (!json_object_get_null_member (queue, "oldest_pending_age_s"))
    printf ("; oldest pending %" G_GINT64_FORMAT " s", json_object_get_int_member (queue, "oldest_pending_age_s"));
  printf ("\n");
  printf ("Sync: %s; last pass %s, last success %s%s%s\n",
          json_object_get_boolean_member (sync, "platform_configured") ? "platform configured" : "no platform configured",
          get_string (sync, "last_pass") != NULL ? get_string (sync, "last_pass") : "never",
          get_string (sync, "last_success") != NULL ? get_string (sync, "last_success") : "never",
          get_string (sync, "last_error") != NULL ? "; last error: " : "",
          get_string (sync, "last_error") != NULL ? get_string (sync, "last_error") : "");
  printf ("Printer: %s, %s\n", get_string (printer, "kind") != NULL ? get_string (printer, "kind") : "?",
          get_string (printer, "state"));
  for (guint i = 0; i < json_array_get_length (destinations); i++)
    {
      JsonObject *destination = json_array_get_object_element (destinations, i);

      if (get_string (destination, "problem") != NULL)
        printf ("Destination %s: %s\n", get_string (destination, "name"), get_string (destination, "problem"));
      else
        printf ("Destination %s: key %s valid until %s\n", get_string (destination, "name"),
                get_string (destination, "kid"), get_string (destination, "key_not_after"));
    }
  printf ("Forms: %" G_GINT64_FORMAT " in service, %u problem(s)\n", json_object_get_int_member (forms, "in_service"),
          json_array_get_length (json_object_get_array_member (forms, "problems")));
  for (guint i = 0; i < json_array_get_length (alerts); i++)
    {
      JsonObject *alert = json_array_get_object_element (alerts, i);

      printf ("%s: %s: %s\n", get_string (alert, "level"), get_string (alert, "component"),
              get_string (alert, "message"));
    }
}

static void
print_json (JsonNode *node)
{
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autofree char *text = NULL;

  json_generator_set_root (generator, node);
  json_generator_set_pretty (generator, TRUE);
  text = json_generator_to_data (generator, NULL);
  printf ("%s\n", text);
}

int
_kiosk_ctl_status (int argc, char **argv)
{
  g_autofree char *opt_config = NULL;
  gboolean opt_json = FALSE, opt_no_printer = FALSE;
  GOptionEntry entries[] = {
    { "config", 0, 0, G_OPTION_ARG_FILENAME, &opt_config,
      "Read FILE (and FILE.d/*.conf) instead of the default configuration", "FILE" },
    { "json", 0, 0, G_OPTION_ARG_NONE, &opt_json, "Print the whole status as JSON", NULL },
    { "no-printer", 0, 0, G_OPTION_ARG_NONE, &opt_no_printer, "Do not ask the printer (it may take its timeout)", NULL },
    { NULL }
  };
  g_autoptr(GPtrArray) problems = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(KioskConfig) config = NULL;
  g_autoptr(JsonNode) status = NULL;
  KioskStatusOptions options;

  if (!_kiosk_ctl_parse_options (&argc, &argv, "",
                                 "The kiosk's health: version, queue, sync, printer, keys, forms, alerts "
                                 "(docs/operations.md).", entries))
    return 2;
  if (argc != 1)
    {
      _kiosk_ctl_error ("status takes no arguments (try 'antragskiosk-ctl status --help')");
      return 2;
    }
  config = kiosk_config_load (opt_config, &problems, &error);
  if (config == NULL)
    {
      if (opt_json)
        {
          /* Monitoring still gets an object it can alert on. */
          g_autoptr(JsonBuilder) builder = json_builder_new ();
          g_autofree char *message = g_strdup_printf ("the configuration cannot be loaded: %s", error->message);

          json_builder_begin_object (builder);
          json_builder_set_member_name (builder, "version");
          json_builder_add_string_value (builder, PACKAGE_VERSION);
          json_builder_set_member_name (builder, "level");
          json_builder_add_string_value (builder, "critical");
          json_builder_set_member_name (builder, "alerts");
          json_builder_begin_array (builder);
          json_builder_begin_object (builder);
          json_builder_set_member_name (builder, "level");
          json_builder_add_string_value (builder, "critical");
          json_builder_set_member_name (builder, "component");
          json_builder_add_string_value (builder, "config");
          json_builder_set_member_name (builder, "message");
          json_builder_add_string_value (builder, message);
          json_builder_end_object (builder);
          json_builder_end_array (builder);
          json_builder_end_object (builder);
          status = json_builder_get_root (builder);
          print_json (status);
        }
      _kiosk_ctl_error ("cannot load the configuration: %s (see 'antragskiosk-ctl check-config')", error->message);
      return 1;
    }

  kiosk_status_options_init (&options);
  options.query_printer = !opt_no_printer;
  status = kiosk_status_collect (config, problems, NULL, &options, NULL);
  if (opt_json)
    print_json (status);
  else
    print_summary (json_node_get_object (status));
  return 0;
}
