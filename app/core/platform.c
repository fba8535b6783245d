/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The platform's HTTP client: libcurl multi transfers, the OAuth token,
 * the submission API's requests. What an answer means is decided in
 * platform-classify.c, event logs are read in platform-events.c. */
#define G_LOG_DOMAIN "antragskiosk-platform"

#include "config.h"

#include <string.h>
#include <curl/curl.h>
#include <glib.h>
#include <glib/gi18n-lib.h>

#include <antragskiosk/file.h>
#include <antragskiosk/platform.h>

G_DEFINE_QUARK (kiosk-platform-error-quark, kiosk_platform_error)

typedef struct _Request Request;

struct _KioskPlatform {
  CURLM                *multi;
  GPtrArray            *free_easies;   /* CURL*, reused */
  char                 *token_url;
  char                 *api_base;      /* without a trailing slash */
  char                 *client_id;
  char                 *client_secret;
  char                 *ca_file;
  KioskPlatformOptions  options;

  char                 *token;
  gint64                token_expires_ms;
  gint64                token_margin_ms;
  guint                 token_generation;
  Request              *token_request; /* in flight, or NULL */
  GQueue                waiting;       /* Request* waiting for a token */
  GHashTable           *running;       /* Request* in the multi handle */
  guint                 n_active;
  gint                  cancelled;     /* atomic */
  KioskPlatformStats    stats;
};

struct _Request {
  KioskPlatform        *platform;
  CURL                 *easy;
  gboolean              is_token;
  char                 *method;
  char                 *url;
  char                 *content_type;
  char                 *body;
  gsize                 body_len;
  gboolean              auth_retried;
  guint                 token_generation;
  struct curl_slist    *headers;
  GByteArray           *answer;
  gboolean              too_big;
  gboolean              stalled;
  gint64                progress_us;   /* monotonic time of the last progress */
  curl_off_t            progress_bytes;
  char                 *retry_after;
  KioskPlatformCallback callback;
  gpointer              user_data;
  char                  errbuf[CURL_ERROR_SIZE];
};

void
kiosk_platform_response_clear (KioskPlatformResponse *response)
{
  g_clear_pointer (&response->message, g_free);
  g_clear_pointer (&response->body, json_node_unref);
}

void
kiosk_platform_options_init (KioskPlatformOptions *options)
{
  options->parallelism = 4;
  options->connect_timeout_s = 10;
  options->stall_timeout_s = 30;
  options->request_timeout_s = 300;
}

/* ---- the client ---- */

char *
kiosk_platform_read_client_secret (const char  *path,
                                   GError     **error)
{
  g_autoptr(GError) local = NULL;
  char *contents = NULL;
  gsize length = 0;
  char *start, *end;

  if (path == NULL)
    {
      g_set_error (error, KIOSK_PLATFORM_ERROR, KIOSK_PLATFORM_ERROR_SECRET,
                   "is not set");
      return NULL;
    }
  if (!kiosk_file_read_secret (path, KIOSK_FILE_MAX_SECRET, &contents, &length, &local))
    {
      g_set_error (error, KIOSK_PLATFORM_ERROR, KIOSK_PLATFORM_ERROR_SECRET,
                   "cannot be read: %s", local->message);
      return NULL;
    }
  start = contents;
  end = contents + length;
  while (start < end && g_ascii_isspace (*start))
    start++;
  while (end > start && g_ascii_isspace (end[-1]))
    end--;
  if (start == end)
    {
      explicit_bzero (contents, length);
      g_free (contents);
      g_set_error (error, KIOSK_PLATFORM_ERROR, KIOSK_PLATFORM_ERROR_SECRET,
                   "%s is empty; it must hold the client secret", path);
      return NULL;
    }
  for (const char *p = start; p < end; p++)
    if ((guchar) *p < 0x20 || *p == 0x7f)
      {
        explicit_bzero (contents, length);
        g_free (contents);
        g_set_error (error, KIOSK_PLATFORM_ERROR, KIOSK_PLATFORM_ERROR_SECRET,
                     "%s holds more than one line or a control character; it must hold the "
                     "client secret alone: is this the right file?", path);
        return NULL;
      }
  /* in place: the copy would be one more to wipe */
  memmove (contents, start, (gsize) (end - start));
  explicit_bzero (contents + (end - start), length - (gsize) (end - start));
  contents[end - start] = '\0';
  return contents;
}

gboolean
kiosk_platform_check_ca_file (const char  *path,
                              GError     **error)
{
  g_autoptr(GError) local = NULL;
  g_autofree char *contents = NULL;
  gsize length = 0;

  if (!kiosk_file_read (path, KIOSK_PLATFORM_MAX_CA_FILE, &contents, &length, &local))
    {
      g_set_error (error, KIOSK_PLATFORM_ERROR, KIOSK_PLATFORM_ERROR_CA_FILE,
                   "cannot be read: %s", local->message);
      return FALSE;
    }
  if (g_strstr_len (contents, (gssize) length, "-----BEGIN CERTIFICATE-----") == NULL)
    {
      g_set_error (error, KIOSK_PLATFORM_ERROR, KIOSK_PLATFORM_ERROR_CA_FILE,
                   "%s holds no PEM certificate (-----BEGIN CERTIFICATE-----); "
                   "is this the right file?", path);
      return FALSE;
    }
  return TRUE;
}

static gsize
on_curl_init (void)
{
  static gsize once = 0;

  if (g_once_init_enter (&once))
    {
      curl_global_init (CURL_GLOBAL_DEFAULT);
      g_once_init_leave (&once, 1);
    }
  return once;
}

KioskPlatform *
kiosk_platform_new (const KioskConfig          *config,
                    const KioskPlatformOptions *options,
                    GError                    **error)
{
  g_autoptr(KioskPlatform) platform = NULL;
  g_autofree char *secret_path = NULL;
  g_autofree char *ca_path = NULL;

  g_return_val_if_fail (config != NULL, NULL);

  if (config->token_url == NULL || config->submission_api == NULL || config->client_id == NULL)
    {
      g_set_error (error, KIOSK_PLATFORM_ERROR, KIOSK_PLATFORM_ERROR_NOT_CONFIGURED,
                   _("No platform is configured ([platform] group); applications stay queued."));
      return NULL;
    }
  on_curl_init ();

  platform = g_new0 (KioskPlatform, 1);
  g_queue_init (&platform->waiting);
  platform->running = g_hash_table_new (NULL, NULL);
  platform->free_easies = g_ptr_array_new_with_free_func ((GDestroyNotify) curl_easy_cleanup);
  if (options != NULL)
    platform->options = *options;
  else
    kiosk_platform_options_init (&platform->options);
  platform->options.parallelism = MAX (platform->options.parallelism, 1);

  secret_path = kiosk_config_get_path (config, "platform", "client_secret_file");
  if (secret_path == NULL && config->client_secret_file != NULL)
    secret_path = g_strdup (config->client_secret_file);
  platform->client_secret = kiosk_platform_read_client_secret (secret_path, error);
  if (platform->client_secret == NULL)
    {
      g_prefix_error (error, "[platform] client_secret_file: ");
      return NULL;
    }
  ca_path = kiosk_config_get_path (config, "platform", "ca_file");
  if (ca_path == NULL && config->ca_file != NULL)
    ca_path = g_strdup (config->ca_file);
  /* libcurl opens it itself for every connection: make sure it is a
   * regular file now (a FIFO would hang every connection) */
  if (ca_path != NULL && !kiosk_platform_check_ca_file (ca_path, error))
    {
      g_prefix_error (error, "[platform] ca_file: ");
      return NULL;
    }
  platform->ca_file = g_steal_pointer (&ca_path);
  platform->token_url = g_strdup (config->token_url);
  platform->api_base = g_strdup (config->submission_api);
  while (g_str_has_suffix (platform->api_base, "/"))
    platform->api_base[strlen (platform->api_base) - 1] = '\0';
  platform->client_id = g_strdup (config->client_id);

  platform->multi = curl_multi_init ();
  if (platform->multi == NULL)
    {
      g_set_error (error, KIOSK_PLATFORM_ERROR, KIOSK_PLATFORM_ERROR_FAILED,
                   _("libcurl could not be initialised."));
      return NULL;
    }
  curl_multi_setopt (platform->multi, CURLMOPT_MAX_HOST_CONNECTIONS, (long) platform->options.parallelism);
  curl_multi_setopt (platform->multi, CURLMOPT_MAXCONNECTS, (long) platform->options.parallelism + 2);
  curl_multi_setopt (platform->multi, CURLMOPT_PIPELINING, (long) CURLPIPE_MULTIPLEX);
  return g_steal_pointer (&platform);
}

static void
request_free (Request *request)
{
  if (request->body != NULL)
    memset (request->body, 0, request->body_len);
  g_free (request->body);
  g_free (request->method);
  g_free (request->url);
  g_free (request->content_type);
  g_free (request->retry_after);
  if (request->headers != NULL)
    curl_slist_free_all (request->headers);
  if (request->answer != NULL)
    g_byte_array_unref (request->answer);
  g_free (request);
}

void
kiosk_platform_free (KioskPlatform *platform)
{
  Request *request;

  if (platform == NULL)
    return;
  /* Requests still running are dropped without their callbacks. */
  if (platform->running != NULL)
    {
      GHashTableIter iter;
      gpointer key;

      g_hash_table_iter_init (&iter, platform->running);
      while (g_hash_table_iter_next (&iter, &key, NULL))
        {
          Request *running = key;
          curl_multi_remove_handle (platform->multi, running->easy);
          curl_easy_cleanup (running->easy);
          request_free (running);
        }
      g_hash_table_unref (platform->running);
    }
  while ((request = g_queue_pop_head (&platform->waiting)) != NULL)
    request_free (request);
  g_ptr_array_unref (platform->free_easies);
  if (platform->multi != NULL)
    curl_multi_cleanup (platform->multi);
  if (platform->client_secret != NULL)
    explicit_bzero (platform->client_secret, strlen (platform->client_secret));
  g_free (platform->client_secret);
  g_free (platform->token);
  g_free (platform->token_url);
  g_free (platform->api_base);
  g_free (platform->client_id);
  g_free (platform->ca_file);
  g_free (platform);
}

static size_t
on_write (char   *data,
          size_t  size,
          size_t  nmemb,
          void   *user_data)
{
  Request *request = user_data;
  gsize n = size * nmemb;

  if (request->answer->len + n > KIOSK_PLATFORM_MAX_RESPONSE)
    {
      request->too_big = TRUE;
      return 0;
    }
  g_byte_array_append (request->answer, (const guint8 *) data, (guint) n);
  return n;
}

static size_t
on_header (char   *data,
           size_t  size,
           size_t  nmemb,
           void   *user_data)
{
  Request *request = user_data;
  gsize n = size * nmemb;
  static const char name[] = "retry-after:";

  if (n > sizeof name - 1 && g_ascii_strncasecmp (data, name, sizeof name - 1) == 0)
    {
      g_free (request->retry_after);
      request->retry_after = g_strstrip (g_strndup (data + sizeof name - 1, n - (sizeof name - 1)));
    }
  /* A new response (after an interim 1xx): start the answer anew. */
  if (n >= 5 && strncmp (data, "HTTP/", 5) == 0)
    {
      g_byte_array_set_size (request->answer, 0);
      g_clear_pointer (&request->retry_after, g_free);
    }
  return n;
}

/* Cancellation, and stall detection: no byte in either direction for
 * stall_timeout_s (libcurl's low-speed limit averages over a window that
 * still holds the upload, so a server that takes the request and then
 * never answers would be noticed only seconds later). */
static int
on_progress (void       *user_data,
             curl_off_t  dltotal,
             curl_off_t  dlnow,
             curl_off_t  ultotal,
             curl_off_t  ulnow)
{
  Request *request = user_data;
  KioskPlatform *platform = request->platform;
  gint64 now = g_get_monotonic_time ();

  if (g_atomic_int_get (&platform->cancelled))
    return 1;
  if (dlnow + ulnow != request->progress_bytes || request->progress_us == 0)
    {
      request->progress_bytes = dlnow + ulnow;
      request->progress_us = now;
    }
  else if (now - request->progress_us > (gint64) MAX (platform->options.stall_timeout_s, 1) * G_USEC_PER_SEC)
    {
      request->stalled = TRUE;
      return 1;
    }
  return 0;
}

static gboolean
token_is_valid (KioskPlatform *platform)
{
  return platform->token != NULL
         && g_get_real_time () / 1000 < platform->token_expires_ms - platform->token_margin_ms;
}

static void request_start (Request *request);

/* Configures a (reused) easy handle for @request and adds it to the multi. */
static void
request_launch (Request *request)
{
  KioskPlatform *platform = request->platform;
  CURL *easy;

  if (platform->free_easies->len > 0)
    {
      easy = g_ptr_array_steal_index_fast (platform->free_easies, platform->free_easies->len - 1);
      curl_easy_reset (easy);
    }
  else
    easy = curl_easy_init ();
  request->easy = easy;

  if (request->headers != NULL)
    curl_slist_free_all (request->headers);
  request->headers = NULL;
  if (!request->is_token)
    {
      g_autofree char *authorization = g_strdup_printf ("Authorization: Bearer %s", platform->token);
      request->headers = curl_slist_append (request->headers, authorization);
      request->token_generation = platform->token_generation;
    }
  if (request->content_type != NULL)
    {
      g_autofree char *content_type = g_strdup_printf ("Content-Type: %s", request->content_type);
      request->headers = curl_slist_append (request->headers, content_type);
    }
  request->headers = curl_slist_append (request->headers, "Accept: application/json, application/problem+json");
  request->headers = curl_slist_append (request->headers, "Expect:");
  g_byte_array_set_size (request->answer, 0);
  request->too_big = FALSE;
  request->stalled = FALSE;
  request->progress_us = 0;
  request->progress_bytes = 0;
  g_clear_pointer (&request->retry_after, g_free);
  request->errbuf[0] = '\0';

  curl_easy_setopt (easy, CURLOPT_URL, request->url);
  curl_easy_setopt (easy, CURLOPT_PROTOCOLS_STR, "https");
  curl_easy_setopt (easy, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt (easy, CURLOPT_HTTP_VERSION, (long) CURL_HTTP_VERSION_2TLS);
  curl_easy_setopt (easy, CURLOPT_PIPEWAIT, 1L);
  /* Always verified; there is no code path that sets these to 0. */
  curl_easy_setopt (easy, CURLOPT_SSL_VERIFYPEER, 1L);
  curl_easy_setopt (easy, CURLOPT_SSL_VERIFYHOST, 2L);
  if (platform->ca_file != NULL)
    curl_easy_setopt (easy, CURLOPT_CAINFO, platform->ca_file);
  curl_easy_setopt (easy, CURLOPT_CONNECTTIMEOUT, (long) platform->options.connect_timeout_s);
  curl_easy_setopt (easy, CURLOPT_LOW_SPEED_LIMIT, 1L);
  curl_easy_setopt (easy, CURLOPT_LOW_SPEED_TIME, (long) MAX (platform->options.stall_timeout_s, 1));
  curl_easy_setopt (easy, CURLOPT_TIMEOUT, (long) platform->options.request_timeout_s);
  curl_easy_setopt (easy, CURLOPT_TCP_KEEPALIVE, 1L);
  curl_easy_setopt (easy, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt (easy, CURLOPT_WRITEFUNCTION, on_write);
  curl_easy_setopt (easy, CURLOPT_WRITEDATA, request);
  curl_easy_setopt (easy, CURLOPT_HEADERFUNCTION, on_header);
  curl_easy_setopt (easy, CURLOPT_HEADERDATA, request);
  curl_easy_setopt (easy, CURLOPT_NOPROGRESS, 0L);
  curl_easy_setopt (easy, CURLOPT_XFERINFOFUNCTION, on_progress);
  curl_easy_setopt (easy, CURLOPT_XFERINFODATA, request);
  curl_easy_setopt (easy, CURLOPT_ERRORBUFFER, request->errbuf);
  curl_easy_setopt (easy, CURLOPT_PRIVATE, request);
  curl_easy_setopt (easy, CURLOPT_HTTPHEADER, request->headers);
  if (strcmp (request->method, "GET") == 0)
    curl_easy_setopt (easy, CURLOPT_HTTPGET, 1L);
  else
    {
      curl_easy_setopt (easy, CURLOPT_CUSTOMREQUEST, request->method);
      curl_easy_setopt (easy, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t) request->body_len);
      curl_easy_setopt (easy, CURLOPT_POSTFIELDS, request->body != NULL ? request->body : "");
    }
  g_hash_table_add (platform->running, request);
  curl_multi_add_handle (platform->multi, easy);
}

static Request *
token_request_new (KioskPlatform *platform)
{
  Request *request = g_new0 (Request, 1);
  char *id = curl_easy_escape (NULL, platform->client_id, 0);
  char *secret = curl_easy_escape (NULL, platform->client_secret, 0);

  request->platform = platform;
  request->is_token = TRUE;
  request->method = g_strdup ("POST");
  request->url = g_strdup (platform->token_url);
  request->content_type = g_strdup ("application/x-www-form-urlencoded");
  request->body = g_strdup_printf ("grant_type=client_credentials&client_id=%s&client_secret=%s", id, secret);
  request->body_len = strlen (request->body);
  request->answer = g_byte_array_new ();
  memset (secret, 0, strlen (secret));
  curl_free (id);
  curl_free (secret);
  return request;
}

static void
request_start (Request *request)
{
  KioskPlatform *platform = request->platform;

  if (!request->is_token && !token_is_valid (platform))
    {
      g_queue_push_tail (&platform->waiting, request);
      if (platform->token_request == NULL)
        {
          platform->token_request = token_request_new (platform);
          platform->n_active++;
          request_launch (platform->token_request);
        }
      return;
    }
  request_launch (request);
}

static void
start_api_request (KioskPlatform         *platform,
                   const char            *method,
                   char                  *path,          /* taken */
                   const char            *content_type,
                   char                  *body,          /* taken */
                   KioskPlatformCallback  callback,
                   gpointer               user_data)
{
  Request *request = g_new0 (Request, 1);

  request->platform = platform;
  request->method = g_strdup (method);
  request->url = g_strconcat (platform->api_base, path, NULL);
  g_free (path);
  request->content_type = g_strdup (content_type);
  request->body = body;
  request->body_len = body != NULL ? strlen (body) : 0;
  request->answer = g_byte_array_new ();
  request->callback = callback;
  request->user_data = user_data;
  platform->n_active++;
  request_start (request);
}

static char *
escape_segment (const char *segment)
{
  char *escaped = curl_easy_escape (NULL, segment, 0);
  char *copy = g_strdup (escaped);

  curl_free (escaped);
  return copy;
}

static char *
builder_to_string (JsonBuilder *builder)
{
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = json_builder_get_root (builder);

  json_generator_set_root (generator, root);
  return json_generator_to_data (generator, NULL);
}

void
kiosk_platform_create_submission (KioskPlatform         *platform,
                                  const char            *destination_id,
                                  const char *const     *attachment_ids,
                                  guint                  n_attachments,
                                  const char            *service_name,
                                  const char            *service_identifier,
                                  KioskPlatformCallback  callback,
                                  gpointer               user_data)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "destinationId");
  json_builder_add_string_value (builder, destination_id);
  json_builder_set_member_name (builder, "announcedAttachments");
  json_builder_begin_array (builder);
  for (guint i = 0; i < n_attachments; i++)
    json_builder_add_string_value (builder, attachment_ids[i]);
  json_builder_end_array (builder);
  json_builder_set_member_name (builder, "serviceType");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "name");
  json_builder_add_string_value (builder, service_name);
  json_builder_set_member_name (builder, "identifier");
  json_builder_add_string_value (builder, service_identifier);
  json_builder_end_object (builder);
  json_builder_end_object (builder);

  start_api_request (platform, "POST", g_strdup ("/v1/submissions"), "application/json",
                     builder_to_string (builder), callback, user_data);
}

void
kiosk_platform_upload_attachment (KioskPlatform         *platform,
                                  const char            *submission_id,
                                  const char            *attachment_id,
                                  const char            *jwe,
                                  KioskPlatformCallback  callback,
                                  gpointer               user_data)
{
  g_autofree char *sid = escape_segment (submission_id);
  g_autofree char *aid = escape_segment (attachment_id);

  start_api_request (platform, "PUT", g_strdup_printf ("/v1/submissions/%s/attachments/%s", sid, aid),
                     "application/jose", g_strdup (jwe), callback, user_data);
}

void
kiosk_platform_submit (KioskPlatform         *platform,
                       const char            *submission_id,
                       const char            *metadata_jwe,
                       const char            *data_jwe,
                       KioskPlatformCallback  callback,
                       gpointer               user_data)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autofree char *sid = escape_segment (submission_id);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "encryptedMetadata");
  json_builder_add_string_value (builder, metadata_jwe);
  json_builder_set_member_name (builder, "encryptedData");
  json_builder_add_string_value (builder, data_jwe);
  json_builder_end_object (builder);
  start_api_request (platform, "PUT", g_strdup_printf ("/v1/submissions/%s", sid), "application/json",
                     builder_to_string (builder), callback, user_data);
}

void
kiosk_platform_get_events (KioskPlatform         *platform,
                           const char            *case_id,
                           KioskPlatformCallback  callback,
                           gpointer               user_data)
{
  g_autofree char *cid = escape_segment (case_id);

  start_api_request (platform, "GET", g_strdup_printf ("/v1/cases/%s/events", cid), NULL, NULL,
                     callback, user_data);
}

void
kiosk_platform_get_events_page (KioskPlatform         *platform,
                                const char            *case_id,
                                guint                  offset,
                                guint                  limit,
                                KioskPlatformCallback  callback,
                                gpointer               user_data)
{
  g_autofree char *cid = escape_segment (case_id);

  start_api_request (platform, "GET", g_strdup_printf ("/v1/cases/%s/events?offset=%u&limit=%u", cid, offset, limit),
                     NULL, NULL, callback, user_data);
}

void
kiosk_platform_get_destination (KioskPlatform         *platform,
                                const char            *destination_id,
                                KioskPlatformCallback  callback,
                                gpointer               user_data)
{
  g_autofree char *did = escape_segment (destination_id);

  start_api_request (platform, "GET", g_strdup_printf ("/v1/destinations/%s", did), NULL, NULL,
                     callback, user_data);
}

void
kiosk_platform_get_destination_key (KioskPlatform         *platform,
                                    const char            *destination_id,
                                    const char            *kid,
                                    KioskPlatformCallback  callback,
                                    gpointer               user_data)
{
  g_autofree char *did = escape_segment (destination_id);
  g_autofree char *k = escape_segment (kid);

  start_api_request (platform, "GET", g_strdup_printf ("/v1/destinations/%s/keys/%s", did, k), NULL, NULL,
                     callback, user_data);
}

void
kiosk_platform_get_jwks (KioskPlatform         *platform,
                         KioskPlatformCallback  callback,
                         gpointer               user_data)
{
  start_api_request (platform, "GET", g_strdup ("/.well-known/jwks.json"), NULL, NULL, callback, user_data);
}

guint
kiosk_platform_get_n_active (KioskPlatform *platform)
{
  return platform->n_active;
}

void
kiosk_platform_cancel (KioskPlatform *platform)
{
  g_atomic_int_set (&platform->cancelled, 1);
  curl_multi_wakeup (platform->multi);
}

void
kiosk_platform_forget_token (KioskPlatform *platform)
{
  g_clear_pointer (&platform->token, g_free);
}

void
kiosk_platform_get_stats (KioskPlatform      *platform,
                          KioskPlatformStats *stats)
{
  *stats = platform->stats;
}

static void
complete (Request               *request,
          KioskPlatformResponse *response)
{
  KioskPlatform *platform = request->platform;

  platform->n_active--;
  if (request->callback != NULL)
    request->callback (platform, response, request->user_data);
  kiosk_platform_response_clear (response);
  request_free (request);
}

static void
token_finished (KioskPlatform         *platform,
                KioskPlatformResponse *response)
{
  Request *waiting;
  JsonObject *object = NULL;
  const char *token = NULL;
  gint64 expires_in = 300;

  if (response->fault == KIOSK_PLATFORM_OK && response->body != NULL && JSON_NODE_HOLDS_OBJECT (response->body))
    {
      object = json_node_get_object (response->body);
      token = json_object_get_string_member_with_default (object, "access_token", NULL);
      expires_in = json_object_get_int_member_with_default (object, "expires_in", 300);
    }
  if (token != NULL && *token != '\0')
    {
      g_free (platform->token);
      platform->token = g_strdup (token);
      expires_in = CLAMP (expires_in, 1, 86400);
      platform->token_expires_ms = g_get_real_time () / 1000 + expires_in * 1000;
      platform->token_margin_ms = MIN (60000, expires_in * 1000 / 5);
      platform->token_generation++;
      g_debug ("new access token, valid for %" G_GINT64_FORMAT " s", expires_in);
      while ((waiting = g_queue_pop_head (&platform->waiting)) != NULL)
        request_launch (waiting);
      return;
    }

  /* No token: every waiting request fails alike. */
  {
    KioskPlatformFault fault = response->fault;
    g_autofree char *message = NULL;

    if (fault == KIOSK_PLATFORM_OK || fault == KIOSK_PLATFORM_PERMANENT || fault == KIOSK_PLATFORM_AUTH
        || fault == KIOSK_PLATFORM_CONFLICT)
      fault = KIOSK_PLATFORM_AUTH;
    message = g_strdup_printf ("no access token from the token endpoint: %s",
                               response->message != NULL ? response->message : "the answer has no access_token");
    while ((waiting = g_queue_pop_head (&platform->waiting)) != NULL)
      {
        KioskPlatformResponse failed = { 0 };

        failed.fault = fault;
        failed.status = response->status;
        failed.curl_code = response->curl_code;
        failed.retry_after_ms = response->retry_after_ms;
        failed.token_failed = TRUE;
        failed.message = g_strdup (message);
        complete (waiting, &failed);
      }
  }
}

static void
request_finished (Request  *request,
                  CURLcode  code)
{
  KioskPlatform *platform = request->platform;
  KioskPlatformResponse response;
  long status = 0, connects = 0;
  const char *curl_message = request->errbuf;

  curl_easy_getinfo (request->easy, CURLINFO_RESPONSE_CODE, &status);
  curl_easy_getinfo (request->easy, CURLINFO_NUM_CONNECTS, &connects);
  platform->stats.requests++;
  platform->stats.connections += (guint64) MAX (connects, 0);
  curl_multi_remove_handle (platform->multi, request->easy);
  g_hash_table_remove (platform->running, request);
  g_ptr_array_add (platform->free_easies, request->easy);
  request->easy = NULL;

  if (g_atomic_int_get (&platform->cancelled))
    code = CURLE_ABORTED_BY_CALLBACK;
  else if (code == CURLE_ABORTED_BY_CALLBACK && request->stalled)
    {
      code = CURLE_OPERATION_TIMEDOUT;
      g_snprintf (request->errbuf, sizeof request->errbuf,
                  "the transfer stalled: no data for %u s (timed out)", platform->options.stall_timeout_s);
    }
  if (code == CURLE_WRITE_ERROR && request->too_big)
    curl_message = "the answer is larger than 1 MiB";
  kiosk_platform_classify (code, curl_message, status, request->retry_after,
                           (const char *) request->answer->data, request->answer->len,
                           g_get_real_time () / 1000, &response);

  if (request->is_token)
    {
      platform->stats.token_requests++;
      platform->token_request = NULL;
      platform->n_active--;
      token_finished (platform, &response);
      kiosk_platform_response_clear (&response);
      request_free (request);
      return;
    }

  if (response.fault == KIOSK_PLATFORM_AUTH && !request->auth_retried)
    {
      /* Refresh once (unless another request did already), then again. */
      request->auth_retried = TRUE;
      if (request->token_generation == platform->token_generation)
        kiosk_platform_forget_token (platform);
      kiosk_platform_response_clear (&response);
      request_start (request);
      return;
    }
  if (response.fault == KIOSK_PLATFORM_AUTH)
    {
      g_free (response.message);
      response.message = g_strdup ("HTTP 401 after a fresh access token: the platform refuses this client");
    }
  complete (request, &response);
}

void
kiosk_platform_iterate (KioskPlatform *platform,
                        int            timeout_ms)
{
  int running = 0, queued = 0;
  CURLMsg *message;

  curl_multi_perform (platform->multi, &running);
  if (running > 0 || timeout_ms > 0)
    {
      curl_multi_poll (platform->multi, NULL, 0, MAX (timeout_ms, 0), NULL);
      curl_multi_perform (platform->multi, &running);
    }
  while ((message = curl_multi_info_read (platform->multi, &queued)) != NULL)
    {
      Request *request = NULL;

      if (message->msg != CURLMSG_DONE)
        continue;
      curl_easy_getinfo (message->easy_handle, CURLINFO_PRIVATE, (char **) &request);
      request_finished (request, message->data.result);
    }
}
