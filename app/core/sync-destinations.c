/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The sync's view of the destinations: refresh their documents and keys
 * from the platform (GET /v1/destinations/{id}, …/keys/{kid}), verify
 * each key against the destination's trust anchor, cache what verified
 * (destination.h), and fetch an authority's signature key when an event
 * names one not known yet. */
#define G_LOG_DOMAIN "antragskiosk-sync"

#include "config.h"

#include <string.h>
#include <glib.h>

#include <antragskiosk/destination.h>
#include <antragskiosk/jws.h>
#include <antragskiosk/keys.h>

#include "sync-private.h"

/* Destination data older than this is fetched again by a pass. */
#define REFRESH_AFTER_MS (3600 * 1000)

struct _KioskSyncDestinations {
  const KioskConfig *config;
  KioskPlatform     *platform;
  GHashTable        *states;  /* lower-case destination id → KioskDestinationState* */
  GHashTable        *asked;   /* lower-case destination id → set of kids to ask for at the next refresh */
};

/* One destination's refresh in progress. */
typedef struct {
  KioskSyncDestinations        *self;
  const KioskDestinationConfig *config;
  JsonNode                     *document;
  GHashTable                   *keys;      /* kid → JsonNode (verified or kept) */
  GPtrArray                    *retired;   /* kids answered 404 */
  GPtrArray                    *wanted;    /* kids to ask for */
  char                         *error;     /* first failure */
  gboolean                      platform_wide;
  KioskPlatformFault            fault;
} Refresh;

typedef struct {
  Refresh *refresh;
  char    *kid;
} KeyRequest;

KioskSyncDestinations *
_kiosk_sync_destinations_new (const KioskConfig *config,
                              KioskPlatform     *platform)
{
  KioskSyncDestinations *self = g_new0 (KioskSyncDestinations, 1);

  self->config = config;
  self->platform = platform;
  self->states = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                        (GDestroyNotify) kiosk_destination_state_free);
  self->asked = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) g_hash_table_unref);
  return self;
}

void
_kiosk_sync_destinations_free (KioskSyncDestinations *self)
{
  if (self == NULL)
    return;
  g_hash_table_unref (self->states);
  g_hash_table_unref (self->asked);
  g_free (self);
}

static const KioskDestinationConfig *
config_for (KioskSyncDestinations *self,
            const char            *destination_id)
{
  for (guint i = 0; self->config->destinations != NULL && i < self->config->destinations->len; i++)
    {
      const KioskDestinationConfig *d = self->config->destinations->pdata[i];

      if (d->destination_id != NULL && g_ascii_strcasecmp (d->destination_id, destination_id) == 0)
        return d;
    }
  return NULL;
}

/* (Re)loads the cached state of @config into the table. */
static KioskDestinationState *
reload (KioskSyncDestinations        *self,
        const KioskDestinationConfig *config)
{
  g_autoptr(GError) error = NULL;
  KioskDestinationState *state = kiosk_destination_cache_load (self->config->data_dir, config->destination_id,
                                                               config->trust_anchor, NULL, &error);
  char *key = g_ascii_strdown (config->destination_id, -1);

  if (state == NULL)
    {
      if (!g_error_matches (error, KIOSK_DESTINATION_ERROR, KIOSK_DESTINATION_ERROR_NO_DATA))
        g_message ("destination “%s”: %s", config->name, error->message);
      g_hash_table_remove (self->states, key);
      g_free (key);
      return NULL;
    }
  g_hash_table_replace (self->states, key, state);
  return state;
}

KioskDestinationState *
_kiosk_sync_destinations_get (KioskSyncDestinations *self,
                              const char            *destination_id)
{
  g_autofree char *key = destination_id != NULL ? g_ascii_strdown (destination_id, -1) : NULL;
  KioskDestinationState *state;
  const KioskDestinationConfig *config;

  if (key == NULL)
    return NULL;
  state = g_hash_table_lookup (self->states, key);
  if (state != NULL)
    return state;
  config = config_for (self, destination_id);
  return config != NULL ? reload (self, config) : NULL;
}

static void
refresh_fail (Refresh                     *refresh,
              const KioskPlatformResponse *response,
              const char                  *what)
{
  if (refresh->error == NULL)
    refresh->error = g_strdup_printf ("%s: %s", what,
                                      response->message != NULL ? response->message
                                      : kiosk_platform_fault_to_string (response->fault));
  if (kiosk_platform_fault_is_platform_wide (response->fault) || response->token_failed)
    {
      refresh->platform_wide = TRUE;
      refresh->fault = response->fault;
    }
}

static void
on_document (KioskPlatform               *platform,
             const KioskPlatformResponse *response,
             gpointer                     user_data)
{
  Refresh *refresh = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(KioskDestinationInfo) info = NULL;

  if (response->fault != KIOSK_PLATFORM_OK)
    {
      refresh_fail (refresh, response, "the destination could not be fetched");
      return;
    }
  info = kiosk_destination_info_parse (response->body, refresh->config->destination_id, &error);
  if (info == NULL)
    {
      refresh->error = g_strdup (error->message);
      return;
    }
  refresh->document = json_node_ref (response->body);
  g_ptr_array_add (refresh->wanted, g_strdup (info->encryption_kid));
}

static gboolean
verify_served_key (Refresh    *refresh,
                   const char *kid,
                   JsonNode   *jwk)
{
  g_autofree char *pem = NULL;
  gsize pem_length = 0;
  g_autoptr(GError) error = NULL;
  g_autoptr(KioskKey) key = NULL;
  g_autofree char *source = g_strdup_printf ("key %s of destination “%s”", kid, refresh->config->name);
  const char *alg = JSON_NODE_HOLDS_OBJECT (jwk)
                    ? json_object_get_string_member_with_default (json_node_get_object (jwk), "alg", "") : "";

  if (g_strcmp0 (JSON_NODE_HOLDS_OBJECT (jwk)
                 ? json_object_get_string_member_with_default (json_node_get_object (jwk), "kid", NULL) : NULL,
                 kid) != 0)
    error = g_error_new (KIOSK_KEYS_ERROR, KIOSK_KEYS_ERROR_SYNTAX, "%s: the platform answered with another kid",
                         source);
  else if (refresh->config->trust_anchor == NULL
           || !kiosk_keys_read_file (refresh->config->trust_anchor, &pem, &pem_length, &error))
    {
      if (error == NULL)
        error = g_error_new (KIOSK_KEYS_ERROR, KIOSK_KEYS_ERROR_UNTRUSTED, "%s: no trust_anchor configured", source);
    }
  else
    key = kiosk_destination_verify_key (jwk, pem, pem_length,
                                        strcmp (alg, "PS512") == 0 ? KIOSK_KEY_PURPOSE_VERIFY
                                                                   : KIOSK_KEY_PURPOSE_ENCRYPT,
                                        NULL, source, &error);
  if (key == NULL)
    {
      g_message ("%s", error->message);
      if (refresh->error == NULL)
        refresh->error = g_strdup (error->message);
      return FALSE;
    }
  return TRUE;
}

static void
on_key (KioskPlatform               *platform,
        const KioskPlatformResponse *response,
        gpointer                     user_data)
{
  KeyRequest *request = user_data;
  Refresh *refresh = request->refresh;

  if (response->fault == KIOSK_PLATFORM_OK)
    {
      if (verify_served_key (refresh, request->kid, response->body))
        g_hash_table_replace (refresh->keys, g_strdup (request->kid), json_node_ref (response->body));
      else
        g_hash_table_remove (refresh->keys, request->kid);
    }
  else if (response->fault == KIOSK_PLATFORM_PERMANENT && response->status == 404)
    {
      g_hash_table_remove (refresh->keys, request->kid);
      g_ptr_array_add (refresh->retired, g_strdup (request->kid));
    }
  else
    refresh_fail (refresh, response, "a key could not be fetched");
  g_free (request->kid);
  g_free (request);
}

static void
drain (KioskSyncDestinations *self)
{
  while (kiosk_platform_get_n_active (self->platform) > 0)
    kiosk_platform_iterate (self->platform, 1000);
}

static void
want (Refresh    *refresh,
      const char *kid)
{
  if (!g_ptr_array_find_with_equal_func (refresh->wanted, kid, g_str_equal, NULL))
    g_ptr_array_add (refresh->wanted, g_strdup (kid));
}

/* The kids an application named (_kiosk_sync_destinations_ask_kid). */
static void
want_asked (Refresh    *refresh,
            const char *current)
{
  g_autofree char *lower = g_ascii_strdown (refresh->config->destination_id, -1);
  GHashTable *asked = g_hash_table_lookup (refresh->self->asked, lower);
  GHashTableIter iter;
  gpointer kid;

  if (asked == NULL)
    return;
  g_hash_table_iter_init (&iter, asked);
  while (g_hash_table_iter_next (&iter, &kid, NULL))
    if (g_strcmp0 (kid, current) != 0)
      want (refresh, kid);
  g_hash_table_remove (refresh->self->asked, lower);
}

/* Retired stays retired unless asked for again (and then served). */
static void
keep_retired (Refresh  *refresh,
              JsonNode *raw)
{
  JsonNode *retired = raw != NULL ? json_object_get_member (json_node_get_object (raw), "retiredKids") : NULL;

  for (guint i = 0; retired != NULL && JSON_NODE_HOLDS_ARRAY (retired)
                    && i < json_array_get_length (json_node_get_array (retired)); i++)
    {
      const char *kid = json_array_get_string_element (json_node_get_array (retired), i);

      if (kid != NULL && !g_ptr_array_find_with_equal_func (refresh->wanted, kid, g_str_equal, NULL))
        g_ptr_array_add (refresh->retired, g_strdup (kid));
    }
}

/* The kids to ask for: the current encryptionKid when it is not cached
 * yet, the kids applications named, and on a @full refresh every cached
 * encryption key again. Cached keys not asked for are kept as they are
 * (signature keys are asked for when an event names them). */
static void
collect_wanted (Refresh  *refresh,
                JsonNode *raw,
                gboolean  full)
{
  JsonObject *cached = raw != NULL && json_object_has_member (json_node_get_object (raw), "keys")
                       ? json_object_get_object_member (json_node_get_object (raw), "keys") : NULL;
  g_autofree char *current = refresh->wanted->len > 0 ? g_strdup (refresh->wanted->pdata[0]) : NULL;
  g_autoptr(GList) kids = cached != NULL ? json_object_get_members (cached) : NULL;

  if (!full && current != NULL && cached != NULL && json_object_has_member (cached, current))
    g_ptr_array_remove_index (refresh->wanted, 0);  /* known and verified at the last refresh */
  want_asked (refresh, current);
  keep_retired (refresh, raw);
  for (GList *l = kids; l != NULL; l = l->next)
    {
      gboolean signing = g_strcmp0 (json_object_get_string_member_with_default (
                                      json_object_get_object_member (cached, l->data), "alg", NULL),
                                    "PS512") == 0;

      if (full && !signing)
        want (refresh, l->data);
      else if (!g_ptr_array_find_with_equal_func (refresh->wanted, l->data, g_str_equal, NULL))
        g_hash_table_replace (refresh->keys, g_strdup (l->data),
                              json_node_copy (json_object_get_member (cached, l->data)));
    }
}

static void
refresh_free (Refresh *refresh)
{
  g_clear_pointer (&refresh->document, json_node_unref);
  g_hash_table_unref (refresh->keys);
  g_ptr_array_unref (refresh->retired);
  g_ptr_array_unref (refresh->wanted);
  g_free (refresh->error);
  g_free (refresh);
}

/* Fetches and verifies one destination; FALSE with @message on failure
 * (the cache keeps what it had, with the failure noted). */
static gboolean
refresh_one (KioskSyncDestinations        *self,
             const KioskDestinationConfig *config,
             KioskQueue                   *queue,
             gint64                        now_ms,
             gboolean                      full,
             KioskPlatformFault           *fault,
             char                        **message)
{
  Refresh *refresh = g_new0 (Refresh, 1);
  g_autoptr(JsonNode) raw = kiosk_destination_cache_read_raw (self->config->data_dir, config->destination_id);
  g_autoptr(GError) error = NULL;
  gboolean ok;

  refresh->self = self;
  refresh->config = config;
  refresh->keys = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) json_node_unref);
  refresh->retired = g_ptr_array_new_with_free_func (g_free);
  refresh->wanted = g_ptr_array_new_with_free_func (g_free);
  kiosk_platform_get_destination (self->platform, config->destination_id, on_document, refresh);
  drain (self);
  if (refresh->document != NULL)
    {
      collect_wanted (refresh, raw, full);
      for (guint i = 0; i < refresh->wanted->len; i++)
        {
          KeyRequest *request = g_new0 (KeyRequest, 1);

          request->refresh = refresh;
          request->kid = g_strdup (refresh->wanted->pdata[i]);
          kiosk_platform_get_destination_key (self->platform, config->destination_id, request->kid, on_key, request);
        }
      drain (self);
    }
  ok = refresh->document != NULL && refresh->error == NULL;
  /* verifiedAt: when every key was last checked (a light refresh reads the
   * document only and keeps it). */
  if (!full && raw != NULL)
    now_ms = json_object_get_int_member_with_default (json_node_get_object (raw), "verifiedAt", now_ms);
  if (refresh->document != NULL
      && !kiosk_destination_cache_store (self->config->data_dir, refresh->document, refresh->keys, refresh->retired,
                                         now_ms, refresh->error, &error))
    {
      g_message ("destination “%s”: the cache cannot be written: %s", config->name, error->message);
      ok = FALSE;
    }
  *fault = refresh->platform_wide ? refresh->fault : KIOSK_PLATFORM_OK;
  *message = ok ? NULL : g_strdup_printf ("destination “%s”: %s", config->name,
                                          refresh->error != NULL ? refresh->error
                                          : error != NULL ? error->message : "no answer");
  refresh_free (refresh);
  reload (self, config);
  return ok;
}

void
_kiosk_sync_destinations_ask_kid (KioskSyncDestinations *self,
                                  const char            *destination_id,
                                  const char            *kid)
{
  char *lower = g_ascii_strdown (destination_id, -1);
  GHashTable *set = g_hash_table_lookup (self->asked, lower);

  if (set == NULL)
    {
      set = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
      g_hash_table_insert (self->asked, lower, set);
    }
  else
    g_free (lower);
  g_hash_table_add (set, g_strdup (kid));
}

/* Whether applications for @destination_id wait to be sent, or keys are to
 * be asked for. */
static gboolean
has_waiting (KioskSyncDestinations *self,
             KioskQueue            *queue,
             const char            *destination_id)
{
  g_autoptr(GPtrArray) items = queue != NULL ? kiosk_queue_list (queue, KIOSK_QUEUE_STATE_QUEUED, 0, 0, NULL) : NULL;
  gboolean found = FALSE;
  g_autofree char *lower = g_ascii_strdown (destination_id, -1);

  if (g_hash_table_contains (self->asked, lower))
    return TRUE;
  for (guint i = 0; items != NULL && i < items->len && !found; i++)
    found = g_ascii_strcasecmp (((KioskQueueItem *) items->pdata[i])->destination_id, destination_id) == 0;
  if (items != NULL)
    g_ptr_array_set_free_func (items, (GDestroyNotify) kiosk_queue_item_free);
  return found;
}

gboolean
_kiosk_sync_destinations_refresh (KioskSyncDestinations *self,
                                  KioskQueue            *queue,
                                  gint64                 now_ms,
                                  gboolean               force,
                                  KioskPlatformFault    *fault,
                                  char                 **message)
{
  gboolean all_ok = TRUE;

  *fault = KIOSK_PLATFORM_OK;
  *message = NULL;
  for (guint i = 0; self->config->destinations != NULL && i < self->config->destinations->len; i++)
    {
      const KioskDestinationConfig *config = self->config->destinations->pdata[i];
      KioskDestinationState *state;
      KioskPlatformFault one_fault;
      char *one_message = NULL;
      gboolean stale;

      if (config->destination_id == NULL || config->trust_anchor == NULL)
        continue;
      state = _kiosk_sync_destinations_get (self, config->destination_id);
      stale = force || state == NULL || state->last_error != NULL || now_ms - state->verified_ms >= REFRESH_AFTER_MS;
      /* Before sending, the document is read again (a changed encryptionKid
       * is seen on the next pass); the keys only when new or stale. */
      if (!stale && !has_waiting (self, queue, config->destination_id))
        continue;
      if (!refresh_one (self, config, queue, now_ms, stale, &one_fault, &one_message))
        {
          all_ok = FALSE;
          g_message ("%s", one_message);
          if (*message == NULL)
            *message = one_message;
          else
            g_free (one_message);
          if (one_fault != KIOSK_PLATFORM_OK)
            {
              *fault = one_fault;
              break;  /* the platform is unreachable or refuses us: the others would fail alike */
            }
        }
    }
  return all_ok;
}

/* ---- an authority's signature key, when an event names it ------------- */

typedef struct {
  KioskSyncDestinations        *self;
  const KioskDestinationConfig *config;
  char                         *kid;
  KioskSyncKeyDone              done;
  gpointer                      user_data;
} SigningKeyFetch;

/* Adds verified signature key @jwk to the cached destination @object. */
static gboolean
store_signing_key (SigningKeyFetch *fetch,
                   JsonObject      *object,
                   JsonNode        *jwk)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GHashTable) keys = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GPtrArray) retired = g_ptr_array_new_with_free_func (g_free);
  JsonObject *cached = json_object_get_object_member (object, "keys");
  JsonNode *retired_node = json_object_get_member (object, "retiredKids");
  g_autoptr(GList) kids = cached != NULL ? json_object_get_members (cached) : NULL;

  for (GList *l = kids; l != NULL; l = l->next)
    g_hash_table_replace (keys, g_strdup (l->data), json_object_get_member (cached, l->data));
  for (guint i = 0; retired_node != NULL && JSON_NODE_HOLDS_ARRAY (retired_node)
                    && i < json_array_get_length (json_node_get_array (retired_node)); i++)
    g_ptr_array_add (retired, g_strdup (json_array_get_string_element (json_node_get_array (retired_node), i)));
  g_hash_table_replace (keys, g_strdup (fetch->kid), jwk);
  if (kiosk_destination_cache_store (fetch->self->config->data_dir, json_object_get_member (object, "destination"),
                                     keys, retired, json_object_get_int_member_with_default (object, "verifiedAt", 0),
                                     NULL, &error))
    return TRUE;
  g_message ("destination “%s”: the cache cannot be written: %s", fetch->config->name, error->message);
  return FALSE;
}

static void
on_signing_key (KioskPlatform               *platform,
                const KioskPlatformResponse *response,
                gpointer                     user_data)
{
  SigningKeyFetch *fetch = user_data;
  g_autoptr(JsonNode) raw = kiosk_destination_cache_read_raw (fetch->self->config->data_dir,
                                                              fetch->config->destination_id);
  gboolean stored = FALSE;

  if (response->fault == KIOSK_PLATFORM_OK && raw != NULL)
    {
      Refresh probe = { .self = fetch->self, .config = fetch->config };
      const char *alg = JSON_NODE_HOLDS_OBJECT (response->body)
                        ? json_object_get_string_member_with_default (json_node_get_object (response->body), "alg", "")
                        : "";

      if (strcmp (alg, "PS512") != 0)
        g_message ("destination “%s”: key %s is not a signature key (alg PS512); events signed with it are ignored",
                   fetch->config->name, fetch->kid);
      else if (verify_served_key (&probe, fetch->kid, response->body))
        stored = store_signing_key (fetch, json_node_get_object (raw), response->body);
      g_free (probe.error);
    }
  if (stored)
    reload (fetch->self, fetch->config);
  fetch->done (stored, response, fetch->user_data);
  g_free (fetch->kid);
  g_free (fetch);
}

gboolean
_kiosk_sync_destinations_fetch_signing_key (KioskSyncDestinations *self,
                                            const char            *destination_id,
                                            const char            *kid,
                                            KioskSyncKeyDone       done,
                                            gpointer               user_data)
{
  const KioskDestinationConfig *config = config_for (self, destination_id);
  g_autoptr(JsonNode) raw = NULL;
  SigningKeyFetch *fetch;

  if (config == NULL || config->trust_anchor == NULL)
    return FALSE;
  raw = kiosk_destination_cache_read_raw (self->config->data_dir, destination_id);
  if (raw == NULL)
    return FALSE;
  fetch = g_new0 (SigningKeyFetch, 1);
  fetch->self = self;
  fetch->config = config;
  fetch->kid = g_strdup (kid);
  fetch->done = done;
  fetch->user_data = user_data;
  kiosk_platform_get_destination_key (self->platform, destination_id, kid, on_signing_key, fetch);
  return TRUE;
}
