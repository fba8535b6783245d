/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The case's event log (GET /v1/cases/{id}/events): the event types of
 * its Security Event Tokens, their signatures checked with jws.c, and a
 * rejection's reason. */
#define G_LOG_DOMAIN "antragskiosk-platform"

#include "config.h"

#include <string.h>
#include <glib.h>
#include <json-glib/json-glib.h>

#include <antragskiosk/jws.h>
#include <antragskiosk/platform.h>

#include "platform-private.h"

#define EVENT_PREFIX "https://schema.fitko.de/fit-connect/events/"

static char *
reject_reason_from (JsonNode *event)
{
  JsonObject *object;
  JsonArray *problems;

  if (event == NULL || !JSON_NODE_HOLDS_OBJECT (event))
    return NULL;
  object = json_node_get_object (event);
  if (!json_object_has_member (object, "problems")
      || !JSON_NODE_HOLDS_ARRAY (json_object_get_member (object, "problems")))
    return NULL;
  problems = json_object_get_array_member (object, "problems");
  for (guint i = 0; i < json_array_get_length (problems); i++)
    {
      JsonNode *node = json_array_get_element (problems, i);
      JsonObject *problem;
      const char *title, *detail;
      g_autofree char *joined = NULL;

      if (!JSON_NODE_HOLDS_OBJECT (node))
        continue;
      problem = json_node_get_object (node);
      title = json_object_get_string_member_with_default (problem, "title", NULL);
      detail = json_object_get_string_member_with_default (problem, "detail", NULL);
      joined = _kiosk_platform_join_title_detail (title, detail);
      if (joined != NULL)
        return g_steal_pointer (&joined);
    }
  return NULL;
}

gboolean
kiosk_platform_parse_events (JsonNode    *body,
                             const char  *submission_id,
                             JsonNode    *jwks,
                             GPtrArray   *types,
                             char       **reject_reason,
                             guint       *n_unverified)
{
  JsonObject *object;
  JsonArray *log;
  g_autofree char *subject = submission_id != NULL ? g_strconcat ("submission:", submission_id, NULL) : NULL;

  if (n_unverified != NULL)
    *n_unverified = 0;
  if (body == NULL || !JSON_NODE_HOLDS_OBJECT (body))
    return FALSE;
  object = json_node_get_object (body);
  if (!json_object_has_member (object, "eventLog")
      || !JSON_NODE_HOLDS_ARRAY (json_object_get_member (object, "eventLog")))
    return FALSE;
  log = json_object_get_array_member (object, "eventLog");
  for (guint i = 0; i < json_array_get_length (log); i++)
    {
      JsonNode *element = json_array_get_element (log, i);
      g_autoptr(JsonNode) payload = NULL;
      JsonObject *claims;
      const char *sub;
      JsonObject *events;
      g_autoptr(GList) names = NULL;

      if (!JSON_NODE_HOLDS_VALUE (element) || json_node_get_value_type (element) != G_TYPE_STRING)
        continue;
      if (jwks != NULL && !kiosk_jws_verify_ps512 (json_node_get_string (element), jwks))
        {
          if (n_unverified != NULL)
            (*n_unverified)++;
          continue;
        }
      payload = kiosk_jws_decode_payload (json_node_get_string (element));
      if (payload == NULL)
        continue;
      claims = json_node_get_object (payload);
      sub = json_object_get_string_member_with_default (claims, "sub", NULL);
      if (sub != NULL && subject != NULL && g_str_has_prefix (sub, "submission:") && strcmp (sub, subject) != 0)
        continue;
      if (!json_object_has_member (claims, "events")
          || !JSON_NODE_HOLDS_OBJECT (json_object_get_member (claims, "events")))
        continue;
      events = json_object_get_object_member (claims, "events");
      names = json_object_get_members (events);
      for (GList *l = names; l != NULL; l = l->next)
        {
          const char *name = l->data;
          const char *type = g_str_has_prefix (name, EVENT_PREFIX) ? name + strlen (EVENT_PREFIX) : name;

          g_ptr_array_add (types, g_strdup (type));
          if (reject_reason != NULL && *reject_reason == NULL && strcmp (type, "reject-submission") == 0)
            *reject_reason = reject_reason_from (json_object_get_member (events, name));
        }
    }
  return TRUE;
}

