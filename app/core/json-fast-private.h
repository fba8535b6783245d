/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* Parses @data (@length bytes, already known to be valid UTF-8) strictly
 * as RFC 8259 JSON into a json-glib tree, recording in @object_pos each
 * object's start as (line << 20 | column), both from 1. NULL for anything
 * it does not take: invalid JSON, a duplicate key, an escaped NUL, a lone
 * surrogate, an integer beyond 64 bits, nesting deeper than 256 (then
 * @object_pos is emptied). For the form loader's fast pass. */
JsonNode *_kiosk_json_fast_parse (const char *data,
                                  gsize       length,
                                  GHashTable *object_pos);

G_END_DECLS
