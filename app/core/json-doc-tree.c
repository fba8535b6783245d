/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "antragskiosk-json"

/* Reading the tree json-doc.c builds: members by key (a binary search in
 * the sorted index of a large object), numbers, type names for messages
 * (json-doc-private.h). */

#include "config.h"

#include <string.h>

#include "json-doc-private.h"

const KioskJsonMember *
kiosk_json_get_member (const KioskJson *object,
                       const char      *key)
{
  gsize length;

  if (object == NULL || object->type != KIOSK_JSON_OBJECT)
    return NULL;
  length = strlen (key);
  if (object->sorted == NULL)
    {
      for (guint32 i = 0; i < object->length; i++)
        {
          const KioskJsonMember *member = &object->v.members[i];

          if (member->key_length == length && memcmp (member->key, key, length) == 0)
            return member;
        }
      return NULL;
    }

  {
    /* The first of the members not less than @key. */
    guint32 lo = 0, hi = object->length;

    while (lo < hi)
      {
        guint32 mid = lo + (hi - lo) / 2;
        const KioskJsonMember *member = &object->v.members[object->sorted[mid]];
        int c = memcmp (member->key, key, MIN (member->key_length, length));

        if (c == 0)
          c = member->key_length < length ? -1 : member->key_length > length;
        if (c < 0)
          lo = mid + 1;
        else
          hi = mid;
      }
    if (lo < object->length)
      {
        const KioskJsonMember *member = &object->v.members[object->sorted[lo]];

        if (member->key_length == length && memcmp (member->key, key, length) == 0)
          return member;
      }
    return NULL;
  }
}

const KioskJson *
kiosk_json_get (const KioskJson *object,
                const char      *key)
{
  const KioskJsonMember *member = kiosk_json_get_member (object, key);

  return member != NULL ? &member->value : NULL;
}

double
kiosk_json_get_number (const KioskJson *node)
{
  if (node->type == KIOSK_JSON_INTEGER)
    return (double) node->v.integer;
  if (node->type == KIOSK_JSON_DOUBLE)
    return node->v.number;
  return 0.0;
}

const char *
kiosk_json_type_name (const KioskJson *node)
{
  switch (node->type)
    {
    case KIOSK_JSON_OBJECT:
      return "an object";
    case KIOSK_JSON_ARRAY:
      return "an array";
    case KIOSK_JSON_NULL:
      return "null";
    case KIOSK_JSON_STRING:
      return "a string";
    case KIOSK_JSON_BOOLEAN:
      return "a boolean";
    case KIOSK_JSON_INTEGER:
    case KIOSK_JSON_DOUBLE:
      return "a number";
    default:
      break;
    }
  return "a value";
}
