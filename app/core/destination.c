/* SPDX-License-Identifier: GPL-3.0-or-later */
/* A destination's document and keys: reading, checking what it accepts,
 * and the durable cache of what was verified (destination.h). */
#define G_LOG_DOMAIN "antragskiosk-destination"

#include "config.h"

#include <errno.h>
#include <string.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include <antragskiosk/destination.h>
#include <antragskiosk/keys.h>

#include "json-member-private.h"

G_DEFINE_QUARK (kiosk-destination-error-quark, kiosk_destination_error)

#define CACHE_FORMAT 1

static void
service_free (KioskDestinationService *service)
{
  g_free (service->identifier);
  g_ptr_array_unref (service->submission_schemas);
  g_free (service);
}

void
kiosk_destination_info_free (KioskDestinationInfo *info)
{
  if (info == NULL)
    return;
  g_free (info->destination_id);
  g_free (info->status);
  g_free (info->encryption_kid);
  g_ptr_array_unref (info->services);
  g_ptr_array_unref (info->metadata_versions);
  g_ptr_array_unref (info->reply_channels);
  g_clear_pointer (&info->document, json_node_unref);
  g_free (info);
}

/* The strings of array member @name (other elements skipped); FALSE when
 * the member is present and not an array. */
static gboolean
string_array (JsonObject *object,
              const char *name,
              GPtrArray  *out)
{
  JsonNode *node = json_object_get_member (object, name);
  JsonArray *array;

  if (node == NULL)
    return TRUE;
  if (!JSON_NODE_HOLDS_ARRAY (node))
    return FALSE;
  array = json_node_get_array (node);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *element = json_array_get_element (array, i);

      if (JSON_NODE_HOLDS_VALUE (element) && json_node_get_value_type (element) == G_TYPE_STRING)
        g_ptr_array_add (out, g_strdup (json_node_get_string (element)));
      else if (JSON_NODE_HOLDS_OBJECT (element))
        {
          /* submissionSchemas: [{"schemaUri", "mimeType"}] */
          const char *uri = kiosk_json_string_member (json_node_get_object (element), "schemaUri");

          if (uri != NULL)
            g_ptr_array_add (out, g_strdup (uri));
        }
    }
  return TRUE;
}

static gboolean
parse_services (JsonObject            *object,
                KioskDestinationInfo  *info)
{
  JsonNode *node = json_object_get_member (object, "services");
  JsonArray *array;

  if (node == NULL || !JSON_NODE_HOLDS_ARRAY (node))
    return FALSE;
  array = json_node_get_array (node);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *element = json_array_get_element (array, i);
      KioskDestinationService *service;
      const char *identifier;

      if (!JSON_NODE_HOLDS_OBJECT (element))
        return FALSE;
      identifier = kiosk_json_string_member (json_node_get_object (element), "identifier");
      if (identifier == NULL)
        return FALSE;
      service = g_new0 (KioskDestinationService, 1);
      service->identifier = g_strdup (identifier);
      service->submission_schemas = g_ptr_array_new_with_free_func (g_free);
      g_ptr_array_add (info->services, service);
      if (!string_array (json_node_get_object (element), "submissionSchemas", service->submission_schemas))
        return FALSE;
    }
  return TRUE;
}

KioskDestinationInfo *
kiosk_destination_info_parse (JsonNode    *document,
                              const char  *expected_id,
                              GError     **error)
{
  g_autoptr(KioskDestinationInfo) info = g_new0 (KioskDestinationInfo, 1);
  JsonObject *object;
  JsonNode *channels;
  const char *id;

  info->services = g_ptr_array_new_with_free_func ((GDestroyNotify) service_free);
  info->metadata_versions = g_ptr_array_new_with_free_func (g_free);
  info->reply_channels = g_ptr_array_new_with_free_func (g_free);
  if (document == NULL || !JSON_NODE_HOLDS_OBJECT (document))
    goto invalid;
  object = json_node_get_object (document);
  id = kiosk_json_string_member (object, "destinationId");
  if (id == NULL || kiosk_json_string_member (object, "status") == NULL || kiosk_json_string_member (object, "encryptionKid") == NULL)
    goto invalid;
  if (expected_id != NULL && g_ascii_strcasecmp (id, expected_id) != 0)
    {
      g_set_error (error, KIOSK_DESTINATION_ERROR, KIOSK_DESTINATION_ERROR_INVALID,
                   "the platform answered for another destination than %s", expected_id);
      return NULL;
    }
  info->destination_id = g_strdup (id);
  info->status = g_strdup (kiosk_json_string_member (object, "status"));
  info->encryption_kid = g_strdup (kiosk_json_string_member (object, "encryptionKid"));
  if (!parse_services (object, info) || !string_array (object, "metadataVersions", info->metadata_versions))
    goto invalid;
  channels = json_object_get_member (object, "replyChannels");
  if (channels != NULL && JSON_NODE_HOLDS_OBJECT (channels))
    {
      g_autoptr(GList) names = json_object_get_members (json_node_get_object (channels));

      for (GList *l = names; l != NULL; l = l->next)
        g_ptr_array_add (info->reply_channels, g_strdup (l->data));
    }
  info->document = json_node_copy (document);
  return g_steal_pointer (&info);

invalid:
  g_set_error (error, KIOSK_DESTINATION_ERROR, KIOSK_DESTINATION_ERROR_INVALID,
               "the destination document lacks destinationId, status, encryptionKid, services or metadataVersions");
  return NULL;
}

static gboolean
contains (GPtrArray  *strings,
          const char *value)
{
  for (guint i = 0; i < strings->len; i++)
    if (strcmp (strings->pdata[i], value) == 0)
      return TRUE;
  return FALSE;
}

gboolean
kiosk_destination_info_accepts (const KioskDestinationInfo *info,
                                const char                 *service_identifier,
                                const char                 *schema_uri,
                                const char                 *metadata_version,
                                GError                    **error)
{
  KioskDestinationService *service = NULL;

  if (strcmp (info->status, "active") != 0)
    {
      g_set_error (error, KIOSK_DESTINATION_ERROR, KIOSK_DESTINATION_ERROR_INACTIVE,
                   "destination %s is “%s”, not active: it takes no applications",
                   info->destination_id, info->status);
      return FALSE;
    }
  for (guint i = 0; i < info->services->len && service == NULL; i++)
    {
      KioskDestinationService *s = info->services->pdata[i];

      if (strcmp (s->identifier, service_identifier) == 0)
        service = s;
    }
  if (service == NULL)
    {
      g_set_error (error, KIOSK_DESTINATION_ERROR, KIOSK_DESTINATION_ERROR_REFUSED,
                   "destination %s does not offer the service %s; route the form to the destination that does",
                   info->destination_id, service_identifier);
      return FALSE;
    }
  if (schema_uri != NULL && service->submission_schemas->len > 0
      && !contains (service->submission_schemas, schema_uri))
    {
      g_set_error (error, KIOSK_DESTINATION_ERROR, KIOSK_DESTINATION_ERROR_REFUSED,
                   "destination %s does not accept the data schema %s for service %s",
                   info->destination_id, schema_uri, service_identifier);
      return FALSE;
    }
  if (metadata_version != NULL && !contains (info->metadata_versions, metadata_version))
    {
      g_set_error (error, KIOSK_DESTINATION_ERROR, KIOSK_DESTINATION_ERROR_REFUSED,
                   "destination %s does not accept metadata version %s (the kiosk writes only that version)",
                   info->destination_id, metadata_version);
      return FALSE;
    }
  return TRUE;
}

const char *
kiosk_destination_info_pick_metadata_version (const KioskDestinationInfo *info,
                                              const char *const          *supported)
{
  for (guint i = 0; supported != NULL && supported[i] != NULL; i++)
    if (contains (info->metadata_versions, supported[i]))
      return supported[i];
  return NULL;
}

/* ---- keys -------------------------------------------------------------- */

KioskKey *
kiosk_destination_verify_key (JsonNode         *jwk,
                              const char       *trust_anchor_pem,
                              gsize             pem_length,
                              KioskKeyPurpose   purpose,
                              GDateTime        *now,
                              const char       *source,
                              GError          **error)
{
  g_autofree char *text = NULL;

  if (jwk == NULL || !JSON_NODE_HOLDS_OBJECT (jwk))
    {
      g_set_error (error, KIOSK_KEYS_ERROR, KIOSK_KEYS_ERROR_SYNTAX, "%s: not a JWK", source);
      return NULL;
    }
  text = json_to_string (jwk, FALSE);
  return kiosk_key_new_checked (text, -1, trust_anchor_pem, (gssize) pem_length, purpose,
                                now, source, error);
}

/* ---- cache ------------------------------------------------------------- */

void
kiosk_destination_state_free (KioskDestinationState *state)
{
  if (state == NULL)
    return;
  kiosk_destination_info_free (state->info);
  g_clear_pointer (&state->encryption_key, kiosk_key_unref);
  g_clear_error (&state->key_error);
  g_clear_pointer (&state->signing_keys, json_node_unref);
  g_clear_pointer (&state->served_kids, g_hash_table_unref);
  g_clear_pointer (&state->retired_kids, g_hash_table_unref);
  g_free (state->last_error);
  g_free (state);
}

static gboolean
valid_id (const char *destination_id)
{
  /* A UUID-like id only: it becomes a file name. */
  if (destination_id == NULL || *destination_id == '\0' || strlen (destination_id) > 64)
    return FALSE;
  for (const char *p = destination_id; *p != '\0'; p++)
    if (!g_ascii_isxdigit (*p) && *p != '-')
      return FALSE;
  return TRUE;
}

char *
kiosk_destination_cache_path (const char *data_dir,
                              const char *destination_id)
{
  g_autofree char *lower = g_ascii_strdown (destination_id, -1);
  g_autofree char *name = g_strconcat (lower, ".json", NULL);

  return g_build_filename (data_dir, "destinations", name, NULL);
}

gboolean
kiosk_destination_cache_store (const char   *data_dir,
                               JsonNode     *document,
                               GHashTable   *keys,
                               GPtrArray    *retired_kids,
                               gint64        verified_ms,
                               const char   *last_error,
                               GError      **error)
{
  g_autoptr(KioskDestinationInfo) info = kiosk_destination_info_parse (document, NULL, error);
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *text = NULL;
  g_autofree char *path = NULL;
  g_autofree char *dir = NULL;
  GHashTableIter iter;
  gpointer kid, jwk;

  if (info == NULL)
    return FALSE;
  if (!valid_id (info->destination_id))
    {
      g_set_error (error, KIOSK_DESTINATION_ERROR, KIOSK_DESTINATION_ERROR_INVALID,
                   "the destination id is not a UUID");
      return FALSE;
    }
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "format");
  json_builder_add_int_value (builder, CACHE_FORMAT);
  json_builder_set_member_name (builder, "verifiedAt");
  json_builder_add_int_value (builder, verified_ms);
  json_builder_set_member_name (builder, "destination");
  json_builder_add_value (builder, json_node_copy (document));
  json_builder_set_member_name (builder, "keys");
  json_builder_begin_object (builder);
  g_hash_table_iter_init (&iter, keys);
  while (g_hash_table_iter_next (&iter, &kid, &jwk))
    {
      json_builder_set_member_name (builder, kid);
      json_builder_add_value (builder, json_node_copy (jwk));
    }
  json_builder_end_object (builder);
  json_builder_set_member_name (builder, "retiredKids");
  json_builder_begin_array (builder);
  for (guint i = 0; retired_kids != NULL && i < retired_kids->len; i++)
    json_builder_add_string_value (builder, retired_kids->pdata[i]);
  json_builder_end_array (builder);
  if (last_error != NULL)
    {
      json_builder_set_member_name (builder, "lastError");
      json_builder_add_string_value (builder, last_error);
    }
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  text = json_to_string (root, TRUE);

  path = kiosk_destination_cache_path (data_dir, info->destination_id);
  dir = g_path_get_dirname (path);
  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      int saved = errno;
      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved),
                   "cannot create %s: %s", dir, g_strerror (saved));
      return FALSE;
    }
  return g_file_set_contents_full (path, text, -1,
                                   G_FILE_SET_CONTENTS_CONSISTENT | G_FILE_SET_CONTENTS_DURABLE, 0600, error);
}

static JsonNode *
read_cache (const char  *path,
            GError     **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autofree char *text = NULL;
  gsize length = 0;
  g_autoptr(GError) local = NULL;

  if (!g_file_get_contents (path, &text, &length, &local))
    {
      if (g_error_matches (local, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        g_set_error (error, KIOSK_DESTINATION_ERROR, KIOSK_DESTINATION_ERROR_NO_DATA,
                     "nothing is known about this destination yet (it was never fetched from the platform)");
      else
        g_set_error (error, KIOSK_DESTINATION_ERROR, KIOSK_DESTINATION_ERROR_INVALID,
                     "%s cannot be read: %s", path, local->message);
      return NULL;
    }
  if (!json_parser_load_from_data (parser, text, (gssize) length, NULL)
      || !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    {
      g_set_error (error, KIOSK_DESTINATION_ERROR, KIOSK_DESTINATION_ERROR_INVALID,
                   "%s is damaged; it is fetched anew on the next sync", path);
      return NULL;
    }
  return json_parser_steal_root (parser);
}

/* Verifies the cached keys: the encryption key, and every PS512 key into
 * the signing key set. */
static void
verify_cached_keys (KioskDestinationState *state,
                    JsonObject            *keys,
                    const char            *pem,
                    gsize                  pem_length,
                    GDateTime             *now)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(GList) kids = json_object_get_members (keys);
  const char *enc_kid = state->info->encryption_kid;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "keys");
  json_builder_begin_array (builder);
  for (GList *l = kids; l != NULL; l = l->next)
    {
      JsonNode *jwk = json_object_get_member (keys, l->data);
      const char *alg = JSON_NODE_HOLDS_OBJECT (jwk) ? kiosk_json_string_member (json_node_get_object (jwk), "alg") : NULL;
      g_autofree char *source = g_strdup_printf ("key %s of destination %s", (const char *) l->data,
                                                 state->info->destination_id);
      g_autoptr(GError) error = NULL;
      KioskKey *key;

      g_hash_table_add (state->served_kids, g_strdup (l->data));
      if (alg != NULL && strcmp (alg, "PS512") == 0)
        {
          key = kiosk_destination_verify_key (jwk, pem, pem_length, KIOSK_KEY_PURPOSE_VERIFY, now, source, &error);
          if (key != NULL)
            json_builder_add_value (builder, json_node_copy (jwk));
          else
            g_message ("%s", error->message);
          g_clear_pointer (&key, kiosk_key_unref);
          continue;
        }
      if (strcmp (l->data, enc_kid) != 0)
        continue;
      key = kiosk_destination_verify_key (jwk, pem, pem_length, KIOSK_KEY_PURPOSE_ENCRYPT, now, source, &error);
      if (key != NULL)
        state->encryption_key = key;
      else
        state->key_error = g_steal_pointer (&error);
    }
  json_builder_end_array (builder);
  json_builder_end_object (builder);
  state->signing_keys = json_builder_get_root (builder);
  if (state->encryption_key == NULL && state->key_error == NULL)
    g_set_error (&state->key_error, KIOSK_DESTINATION_ERROR, KIOSK_DESTINATION_ERROR_KEY,
                 "the platform did not serve the destination's encryption key %s", enc_kid);
}

KioskDestinationState *
kiosk_destination_cache_load (const char  *data_dir,
                              const char  *destination_id,
                              const char  *trust_anchor_file,
                              GDateTime   *now,
                              GError     **error)
{
  g_autoptr(KioskDestinationState) state = g_new0 (KioskDestinationState, 1);
  g_autofree char *path = NULL;
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *pem = NULL;
  gsize pem_length = 0;
  JsonObject *object;
  JsonNode *keys;

  if (!valid_id (destination_id))
    {
      g_set_error (error, KIOSK_DESTINATION_ERROR, KIOSK_DESTINATION_ERROR_INVALID,
                   "the destination id is not a UUID");
      return NULL;
    }
  path = kiosk_destination_cache_path (data_dir, destination_id);
  root = read_cache (path, error);
  if (root == NULL)
    return NULL;
  object = json_node_get_object (root);
  state->info = kiosk_destination_info_parse (json_object_get_member (object, "destination"), destination_id,
                                              error);
  keys = json_object_get_member (object, "keys");
  if (state->info == NULL || keys == NULL || !JSON_NODE_HOLDS_OBJECT (keys))
    {
      g_clear_error (error);
      g_set_error (error, KIOSK_DESTINATION_ERROR, KIOSK_DESTINATION_ERROR_INVALID,
                   "%s is damaged; it is fetched anew on the next sync", path);
      return NULL;
    }
  state->verified_ms = json_object_get_int_member_with_default (object, "verifiedAt", 0);
  state->served_kids = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  state->retired_kids = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  state->last_error = g_strdup (json_object_get_string_member_with_default (object, "lastError", NULL));
  if (json_object_has_member (object, "retiredKids")
      && JSON_NODE_HOLDS_ARRAY (json_object_get_member (object, "retiredKids")))
    {
      JsonArray *retired = json_object_get_array_member (object, "retiredKids");

      for (guint i = 0; i < json_array_get_length (retired); i++)
        if (JSON_NODE_HOLDS_VALUE (json_array_get_element (retired, i)))
          g_hash_table_add (state->retired_kids, g_strdup (json_array_get_string_element (retired, i)));
    }
  if (trust_anchor_file == NULL || !kiosk_keys_read_file (trust_anchor_file, &pem, &pem_length, &state->key_error))
    {
      if (state->key_error == NULL)
        g_set_error (&state->key_error, KIOSK_DESTINATION_ERROR, KIOSK_DESTINATION_ERROR_KEY,
                     "no trust_anchor is configured, so no key can be checked");
      state->signing_keys = json_from_string ("{\"keys\":[]}", NULL);
      return g_steal_pointer (&state);
    }
  verify_cached_keys (state, json_node_get_object (keys), pem, pem_length, now);
  return g_steal_pointer (&state);
}

/* ---- for the submitter and the kiosk ---------------------------------- */

KioskKey *
kiosk_destination_encryption_key (const KioskConfig             *config,
                                  const KioskDestinationConfig  *destination,
                                  GError                       **error)
{
  return kiosk_destination_encryption_key_at (config, destination, NULL, NULL, error);
}

static KioskDestinationState *
cache_load (const KioskConfig             *config,
            const KioskDestinationConfig  *destination,
            GDateTime                     *now,
            GError                       **error)
{
  if (destination->destination_id == NULL || config->data_dir == NULL)
    return NULL;
  return kiosk_destination_cache_load (config->data_dir, destination->destination_id, destination->trust_anchor,
                                       now, error);
}

/* The key to encrypt to, given what the cache gave (@state, or
 * @cache_error when it gave nothing): the verified key from the platform,
 * else key_file. */
static KioskKey *
key_from_state (const KioskDestinationConfig  *destination,
                KioskDestinationState         *state,
                const GError                  *cache_error,
                GDateTime                     *now,
                gboolean                      *from_platform,
                GError                       **error)
{
  if (from_platform != NULL)
    *from_platform = FALSE;
  if (state != NULL && state->encryption_key != NULL)
    {
      if (strcmp (state->info->status, "active") != 0)
        {
          g_set_error (error, KIOSK_DESTINATION_ERROR, KIOSK_DESTINATION_ERROR_INACTIVE,
                       "destination “%s” is “%s” at the platform and takes no applications",
                       destination->name, state->info->status);
          return NULL;
        }
      if (from_platform != NULL)
        *from_platform = TRUE;
      return kiosk_key_ref (state->encryption_key);
    }
  if (destination->key_file != NULL)
    {
      g_autoptr(GError) file_error = NULL;
      KioskKey *key = kiosk_key_load (destination->key_file, destination->trust_anchor, now, &file_error);

      if (key != NULL)
        return key;
      g_set_error (error, KIOSK_DESTINATION_ERROR, KIOSK_DESTINATION_ERROR_KEY,
                   "the encryption key of destination “%s” cannot be used: %s",
                   destination->name, file_error->message);
      return NULL;
    }
  g_set_error (error, KIOSK_DESTINATION_ERROR, KIOSK_DESTINATION_ERROR_KEY,
               "no usable encryption key for destination “%s” yet: %s; connect the terminal and run "
               "“antragskiosk-ctl destinations --refresh”",
               destination->name,
               state != NULL ? state->key_error->message : cache_error->message);
  return NULL;
}

KioskKey *
kiosk_destination_encryption_key_at (const KioskConfig             *config,
                                     const KioskDestinationConfig  *destination,
                                     GDateTime                     *now,
                                     gboolean                      *from_platform,
                                     GError                       **error)
{
  g_autoptr(GError) cache_error = NULL;
  g_autoptr(KioskDestinationState) state = cache_load (config, destination, now, &cache_error);

  return key_from_state (destination, state, cache_error, now, from_platform, error);
}

/* kiosk_destination_usable with the cache already read. */
static gboolean
usable_with_state (const KioskDestinationConfig  *destination,
                   KioskDestinationState         *state,
                   const GError                  *cache_error,
                   char                         **reason)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(KioskKey) key = key_from_state (destination, state, cache_error, NULL, NULL, &error);
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  GDateTime *not_after;

  if (key == NULL)
    {
      if (reason != NULL)
        *reason = g_strdup (error->message);
      return FALSE;
    }
  not_after = kiosk_key_get_not_after (key);
  if (not_after != NULL && g_date_time_compare (now, not_after) >= 0)
    {
      if (reason != NULL)
        *reason = g_strdup_printf ("the encryption key of destination “%s” has expired", destination->name);
      return FALSE;
    }
  if (reason != NULL)
    *reason = NULL;
  return TRUE;
}

gboolean
kiosk_destination_usable (const KioskConfig             *config,
                          const KioskDestinationConfig  *destination,
                          char                         **reason)
{
  g_autoptr(GError) cache_error = NULL;
  g_autoptr(KioskDestinationState) state = cache_load (config, destination, NULL, &cache_error);

  return usable_with_state (destination, state, cache_error, reason);
}

JsonNode *
kiosk_destination_cache_read_raw (const char *data_dir,
                                  const char *destination_id)
{
  g_autofree char *path = NULL;

  if (!valid_id (destination_id))
    return NULL;
  path = kiosk_destination_cache_path (data_dir, destination_id);
  return read_cache (path, NULL);
}

#define LEIKA_PREFIX "urn:de:fim:leika:leistung:"

char *
kiosk_destination_service_identifier (const char *leika,
                                      const char *form_id)
{
  /* A form without a LeiKa key ("unknown") is sent with its form id: no
   * destination lists that, so it is refused before sending. */
  return g_strconcat (LEIKA_PREFIX, leika != NULL && strcmp (leika, "unknown") != 0 ? leika : form_id, NULL);
}

gboolean
kiosk_destination_form_available (const KioskConfig *config,
                                  const char        *form_id,
                                  const char        *leika,
                                  const char        *schema_uri,
                                  char             **reason)
{
  const KioskDestinationConfig *destination = kiosk_config_destination_for_form (config, form_id);
  g_autoptr(KioskDestinationState) state = NULL;
  g_autoptr(GError) cache_error = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *identifier = NULL;

  if (destination == NULL)
    {
      if (reason != NULL)
        *reason = g_strdup_printf ("no [destination] in the configuration takes the form “%s”", form_id);
      return FALSE;
    }
  /* the cache read and verified once, for the key and for the services */
  state = cache_load (config, destination, NULL, &cache_error);
  if (!usable_with_state (destination, state, cache_error, reason))
    return FALSE;
  identifier = kiosk_destination_service_identifier (leika, form_id);
  if (state != NULL && !kiosk_destination_info_accepts (state->info, identifier, schema_uri,
                                                        KIOSK_DESTINATION_METADATA_VERSION, &error))
    {
      if (reason != NULL)
        *reason = g_strdup (error->message);
      return FALSE;
    }
  return TRUE;
}
