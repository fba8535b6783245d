/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* Member @name of a json-glib object from outside (a JOSE header, a JWK, a
 * destination document, a status file) when it is a string; NULL when it
 * is missing or anything else. */
static inline const char *
kiosk_json_string_member (JsonObject *object,
                          const char *name)
{
  JsonNode *node = json_object_get_member (object, name);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (node);
}

G_END_DECLS
