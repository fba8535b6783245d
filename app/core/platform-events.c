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


void
kiosk_event_log_init (KioskEventLog *log)
{
  memset (log, 0, sizeof *log);
  log->types = g_ptr_array_new_with_free_func (g_free);
  log->rejected = g_ptr_array_new_with_free_func (g_free);
  log->missing_kids = g_ptr_array_new_with_free_func (g_free);
}

void
kiosk_event_log_clear (KioskEventLog *log)
{
  g_clear_pointer (&log->types, g_ptr_array_unref);
  g_clear_pointer (&log->rejected, g_ptr_array_unref);
  g_clear_pointer (&log->missing_kids, g_ptr_array_unref);
  g_clear_pointer (&log->reject_reason, g_free);
}

static gboolean
is_authority_event (JsonObject *events)
{
  return json_object_has_member (events, EVENT_PREFIX "accept-submission")
         || json_object_has_member (events, EVENT_PREFIX "reject-submission");
}

static gboolean
has_kid (JsonNode   *jwks,
         const char *kid)
{
  JsonNode *keys;

  if (jwks == NULL || !JSON_NODE_HOLDS_OBJECT (jwks))
    return FALSE;
  keys = json_object_get_member (json_node_get_object (jwks), "keys");
  if (keys == NULL || !JSON_NODE_HOLDS_ARRAY (keys))
    return FALSE;
  for (guint i = 0; i < json_array_get_length (json_node_get_array (keys)); i++)
    {
      JsonNode *key = json_array_get_element (json_node_get_array (keys), i);

      if (JSON_NODE_HOLDS_OBJECT (key)
          && g_strcmp0 (json_object_get_string_member_with_default (json_node_get_object (key), "kid", NULL), kid) == 0)
        return TRUE;
    }
  return FALSE;
}

/* NULL when the claims match @check, else why not. */
static char *
claims_mismatch (JsonObject            *claims,
                 const KioskEventCheck *check,
                 gboolean               authority)
{
  const char *iss = json_object_get_string_member_with_default (claims, "iss", NULL);
  const char *txn = json_object_get_string_member_with_default (claims, "txn", NULL);
  g_autofree char *case_txn = check->case_id != NULL ? g_strconcat ("case:", check->case_id, NULL) : NULL;

  if (authority && (iss == NULL || check->destination_id == NULL || g_ascii_strcasecmp (iss, check->destination_id) != 0))
    return g_strdup ("an accept/reject event whose issuer is not the destination");
  if (case_txn != NULL && (txn == NULL || g_ascii_strcasecmp (txn, case_txn) != 0))
    return g_strdup ("an event of another case");
  return NULL;
}

/* One token: verified, checked and applied to @log, or listed as ignored. */
static void
check_token (const char            *token,
             const KioskEventCheck *check,
             KioskEventLog         *log)
{
  g_autofree char *subject = g_strconcat ("submission:", check->submission_id, NULL);
  g_autoptr(JsonNode) payload = kiosk_jws_decode_payload (token);
  g_autofree char *kid = kiosk_jws_get_kid (token);
  g_autofree char *mismatch = NULL;
  JsonObject *claims, *events;
  const char *sub;
  gboolean authority;
  g_autoptr(GList) names = NULL;

  if (payload == NULL)
    {
      g_ptr_array_add (log->rejected, g_strdup ("a token that is not a signed event"));
      return;
    }
  claims = json_node_get_object (payload);
  sub = json_object_get_string_member_with_default (claims, "sub", NULL);
  if (sub == NULL || g_ascii_strcasecmp (sub, subject) != 0)
    return;  /* another submission of the case: not ours to read */
  if (!json_object_has_member (claims, "events")
      || !JSON_NODE_HOLDS_OBJECT (json_object_get_member (claims, "events")))
    {
      g_ptr_array_add (log->rejected, g_strdup ("a token without events"));
      return;
    }
  events = json_object_get_object_member (claims, "events");
  authority = is_authority_event (events);
  if (authority && kid != NULL && !has_kid (check->destination_keys, kid))
    {
      g_ptr_array_add (log->missing_kids, g_strdup (kid));
      return;
    }
  if (!kiosk_jws_verify_ps512 (token, authority ? check->destination_keys : check->platform_jwks))
    {
      g_ptr_array_add (log->rejected, g_strdup (authority
                                                ? "an accept/reject event not signed with the destination's key"
                                                : "an event whose signature does not verify with the platform's keys"));
      return;
    }
  mismatch = claims_mismatch (claims, check, authority);
  if (mismatch != NULL)
    {
      g_ptr_array_add (log->rejected, g_steal_pointer (&mismatch));
      return;
    }
  names = json_object_get_members (events);
  for (GList *l = names; l != NULL; l = l->next)
    {
      const char *name = l->data;
      const char *type = g_str_has_prefix (name, EVENT_PREFIX) ? name + strlen (EVENT_PREFIX) : name;

      g_ptr_array_add (log->types, g_strdup (type));
      if (log->reject_reason == NULL && strcmp (type, "reject-submission") == 0)
        log->reject_reason = reject_reason_from (json_object_get_member (events, name));
    }
}

gboolean
kiosk_platform_check_events (JsonNode              *body,
                             const KioskEventCheck *check,
                             KioskEventLog         *log)
{
  JsonObject *object;
  JsonArray *array;

  if (body == NULL || !JSON_NODE_HOLDS_OBJECT (body) || check->submission_id == NULL)
    return FALSE;
  object = json_node_get_object (body);
  if (!json_object_has_member (object, "eventLog")
      || !JSON_NODE_HOLDS_ARRAY (json_object_get_member (object, "eventLog")))
    return FALSE;
  array = json_object_get_array_member (object, "eventLog");
  log->n_tokens = json_array_get_length (array);
  log->total_count = json_object_get_int_member_with_default (object, "totalCount", -1);
  if (log->total_count < 0)
    log->total_count = log->n_tokens;
  for (guint i = 0; i < log->n_tokens; i++)
    {
      JsonNode *element = json_array_get_element (array, i);

      if (!JSON_NODE_HOLDS_VALUE (element) || json_node_get_value_type (element) != G_TYPE_STRING)
        {
          g_ptr_array_add (log->rejected, g_strdup ("an entry that is not a token"));
          continue;
        }
      check_token (json_node_get_string (element), check, log);
    }
  return TRUE;
}
