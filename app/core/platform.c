/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "antragskiosk-platform"

#include "config.h"

#include <string.h>
#include <curl/curl.h>
#include <glib.h>
#include <glib/gi18n-lib.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/rsa.h>

#include <antragskiosk/file.h>
#include <antragskiosk/platform.h>

#include "keys-private.h"

G_DEFINE_QUARK (kiosk-platform-error-quark, kiosk_platform_error)

#define EVENT_PREFIX "https://schema.fitko.de/fit-connect/events/"
#define MAX_MESSAGE 300

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

static const char *const fault_names[] = {
  "ok", "transient", "slow-down", "auth", "permanent", "conflict",
  "untrusted", "unreachable", "cancelled",
};

const char *
kiosk_platform_fault_to_string (KioskPlatformFault fault)
{
  if ((guint) fault >= G_N_ELEMENTS (fault_names))
    return "unknown";
  return fault_names[fault];
}

gboolean
kiosk_platform_fault_is_platform_wide (KioskPlatformFault fault)
{
  return fault == KIOSK_PLATFORM_AUTH || fault == KIOSK_PLATFORM_UNTRUSTED
         || fault == KIOSK_PLATFORM_UNREACHABLE;
}

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

/* ---- classification ---- */

gint64
kiosk_platform_parse_retry_after (const char *value,
                                  gint64      now_ms)
{
  const char *p;
  time_t when;

  if (value == NULL)
    return -1;
  while (g_ascii_isspace (*value))
    value++;
  if (*value == '\0')
    return -1;
  for (p = value; g_ascii_isdigit (*p); p++)
    ;
  if (p > value)
    {
      const char *q = p;
      guint64 seconds = 0;

      while (g_ascii_isspace (*q))
        q++;
      if (*q != '\0')
        return -1;
      if (p - value > 9)
        seconds = 999999999;
      else
        {
          for (const char *d = value; d < p; d++)
            seconds = seconds * 10 + (guint64) (*d - '0');
        }
      return (gint64) seconds * 1000;
    }
  when = curl_getdate (value, NULL);
  if (when == (time_t) -1)
    return -1;
  return MAX ((gint64) when * 1000 - now_ms, 0);
}

/* Printable ASCII and UTF-8 only, control characters as spaces, clipped. */
static char *
clean_text (const char *text, gssize length)
{
  g_autofree char *valid = g_utf8_make_valid (text, length);
  GString *out = g_string_new (NULL);

  for (const char *p = valid; *p != '\0' && out->len < MAX_MESSAGE; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);
      if (g_unichar_iscntrl (c))
        c = ' ';
      g_string_append_unichar (out, c);
    }
  g_strstrip (out->str);
  out->len = strlen (out->str);
  return g_string_free (out, FALSE);
}

/* "title: detail", either alone, or NULL; cleaned. */
static char *
join_title_detail (const char *title, const char *detail)
{
  g_autofree char *joined = NULL;

  if (title != NULL && detail != NULL)
    joined = g_strdup_printf ("%s: %s", title, detail);
  else if (title != NULL || detail != NULL)
    joined = g_strdup (title != NULL ? title : detail);
  return joined != NULL ? clean_text (joined, -1) : NULL;
}

/* The platform's reason from a problem detail (RFC 7807) or the text. */
static char *
problem_text (const char *body, gsize body_len)
{
  g_autoptr(JsonParser) parser = NULL;
  JsonNode *root;

  if (body == NULL || body_len == 0)
    return NULL;
  parser = json_parser_new ();
  if (json_parser_load_from_data (parser, body, (gssize) body_len, NULL)
      && (root = json_parser_get_root (parser)) != NULL
      && JSON_NODE_HOLDS_OBJECT (root))
    {
      JsonObject *object = json_node_get_object (root);
      const char *title = json_object_get_string_member_with_default (object, "title", NULL);
      const char *detail = json_object_get_string_member_with_default (object, "detail", NULL);
      g_autofree char *joined = NULL;

      if (detail == NULL)
        detail = json_object_get_string_member_with_default (object, "message", NULL);
      if (detail == NULL)
        detail = json_object_get_string_member_with_default (object, "error_description", NULL);
      if (detail == NULL)
        detail = json_object_get_string_member_with_default (object, "error", NULL);
      joined = join_title_detail (title, detail);
      if (joined != NULL)
        return g_steal_pointer (&joined);
    }
  {
    const char *end = memchr (body, '\n', body_len);
    return clean_text (body, end != NULL ? end - body : (gssize) body_len);
  }
}

static KioskPlatformFault
fault_for_curl (int curl_code)
{
  switch ((CURLcode) curl_code)
    {
    case CURLE_OK:
      return KIOSK_PLATFORM_OK;
    case CURLE_ABORTED_BY_CALLBACK:
      return KIOSK_PLATFORM_CANCELLED;
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_ISSUER_ERROR:
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
    case CURLE_SSL_INVALIDCERTSTATUS:
    case CURLE_SSL_CRL_BADFILE:
      return KIOSK_PLATFORM_UNTRUSTED;
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
    case CURLE_COULDNT_CONNECT:
      return KIOSK_PLATFORM_UNREACHABLE;
    default:
      /* timeouts, resets, empty or cut answers, TLS handshake failures,
       * oversized answers, HTTP/2 stream errors */
      return KIOSK_PLATFORM_TRANSIENT;
    }
}

void
kiosk_platform_classify (int                    curl_code,
                         const char            *curl_message,
                         long                   status,
                         const char            *retry_after,
                         const char            *body,
                         gsize                  body_len,
                         gint64                 now_ms,
                         KioskPlatformResponse *response)
{
  g_autofree char *reason = NULL;

  memset (response, 0, sizeof *response);
  response->status = status;
  response->curl_code = curl_code;
  response->retry_after_ms = -1;

  if (curl_code != CURLE_OK)
    {
      response->status = 0;
      response->fault = fault_for_curl (curl_code);
      if (response->fault == KIOSK_PLATFORM_UNTRUSTED)
        response->message = g_strdup_printf ("the platform's TLS certificate is not trusted (%s); "
                                             "check [platform] ca_file and the URLs; nothing was sent",
                                             curl_message != NULL && *curl_message ? curl_message
                                             : curl_easy_strerror ((CURLcode) curl_code));
      else
        response->message = g_strdup_printf ("%s",
                                             curl_message != NULL && *curl_message ? curl_message
                                             : curl_easy_strerror ((CURLcode) curl_code));
      return;
    }

  if (status >= 200 && status < 300)
    {
      if (body != NULL && body_len > 0)
        {
          g_autoptr(JsonParser) parser = json_parser_new ();
          g_autoptr(GError) error = NULL;

          if (!json_parser_load_from_data (parser, body, (gssize) body_len, &error)
              || json_parser_get_root (parser) == NULL)
            {
              response->fault = KIOSK_PLATFORM_TRANSIENT;
              response->message = g_strdup_printf ("HTTP %ld with an answer that is not valid JSON", status);
              return;
            }
          response->body = json_node_ref (json_parser_get_root (parser));
        }
      response->fault = KIOSK_PLATFORM_OK;
      return;
    }

  reason = problem_text (body, body_len);
  if (status == 429 || status == 503)
    {
      response->fault = KIOSK_PLATFORM_SLOW_DOWN;
      response->retry_after_ms = kiosk_platform_parse_retry_after (retry_after, now_ms);
    }
  else if (status == 401)
    response->fault = KIOSK_PLATFORM_AUTH;
  else if (status == 409)
    response->fault = KIOSK_PLATFORM_CONFLICT;
  else if (status == 408 || status >= 500 || status < 200)
    response->fault = KIOSK_PLATFORM_TRANSIENT;
  else if (status >= 300 && status < 400)
    response->fault = KIOSK_PLATFORM_PERMANENT;
  else
    response->fault = KIOSK_PLATFORM_PERMANENT;  /* 400, 403, 404, 410, 413, 415, 422 … */

  if (reason != NULL && *reason != '\0')
    response->message = g_strdup_printf ("HTTP %ld: %s", status, reason);
  else
    response->message = g_strdup_printf ("HTTP %ld", status);
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
on_write (char *data, size_t size, size_t nmemb, void *user_data)
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
on_header (char *data, size_t size, size_t nmemb, void *user_data)
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
on_progress (void *user_data, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal, curl_off_t ulnow)
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
kiosk_platform_reset_cancel (KioskPlatform *platform)
{
  g_atomic_int_set (&platform->cancelled, 0);
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
complete (Request *request, KioskPlatformResponse *response)
{
  KioskPlatform *platform = request->platform;

  platform->n_active--;
  if (request->callback != NULL)
    request->callback (platform, response, request->user_data);
  kiosk_platform_response_clear (response);
  request_free (request);
}

static void
token_finished (KioskPlatform *platform, KioskPlatformResponse *response)
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
request_finished (Request *request, CURLcode code)
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

/* ---- event logs ---- */

static JsonNode *
decode_jwt_payload (const char *token)
{
  g_auto(GStrv) parts = g_strsplit (token, ".", 4);
  g_autofree guchar *decoded = NULL;
  g_autoptr(JsonParser) parser = NULL;
  GString *b64;
  gsize length = 0;

  if (g_strv_length (parts) != 3)
    return NULL;
  b64 = g_string_new (parts[1]);
  for (gsize i = 0; i < b64->len; i++)
    {
      if (b64->str[i] == '-')
        b64->str[i] = '+';
      else if (b64->str[i] == '_')
        b64->str[i] = '/';
    }
  while (b64->len % 4 != 0)
    g_string_append_c (b64, '=');
  decoded = g_base64_decode (b64->str, &length);
  g_string_free (b64, TRUE);
  if (decoded == NULL || length == 0)
    return NULL;
  parser = json_parser_new ();
  if (!json_parser_load_from_data (parser, (const char *) decoded, (gssize) length, NULL)
      || json_parser_get_root (parser) == NULL || !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    return NULL;
  return json_node_ref (json_parser_get_root (parser));
}

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
      joined = join_title_detail (title, detail);
      if (joined != NULL)
        return g_steal_pointer (&joined);
    }
  return NULL;
}

static BIGNUM *
jwk_bignum (JsonObject *key, const char *name)
{
  const char *text = json_object_get_string_member_with_default (key, name, NULL);
  g_autofree guint8 *bytes = NULL;
  gsize length = 0;

  if (text == NULL)
    return NULL;
  bytes = _kiosk_base64url_decode (text, strlen (text), &length);
  if (bytes == NULL || length == 0)
    return NULL;
  return BN_bin2bn (bytes, (int) length, NULL);
}

static EVP_PKEY *
rsa_from_jwk (JsonObject *key)
{
  BIGNUM *n = jwk_bignum (key, "n"), *e = jwk_bignum (key, "e");
  OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new ();
  OSSL_PARAM *params = NULL;
  EVP_PKEY_CTX *ctx = NULL;
  EVP_PKEY *pkey = NULL;

  if (n != NULL && e != NULL && bld != NULL
      && OSSL_PARAM_BLD_push_BN (bld, OSSL_PKEY_PARAM_RSA_N, n)
      && OSSL_PARAM_BLD_push_BN (bld, OSSL_PKEY_PARAM_RSA_E, e))
    params = OSSL_PARAM_BLD_to_param (bld);
  if (params != NULL)
    ctx = EVP_PKEY_CTX_new_from_name (NULL, "RSA", NULL);
  if (ctx != NULL && EVP_PKEY_fromdata_init (ctx) == 1
      && EVP_PKEY_fromdata (ctx, &pkey, EVP_PKEY_PUBLIC_KEY, params) != 1)
    pkey = NULL;
  EVP_PKEY_CTX_free (ctx);
  OSSL_PARAM_free (params);
  OSSL_PARAM_BLD_free (bld);
  BN_free (n);
  BN_free (e);
  return pkey;
}

/* The RSA key with @kid in a JWK set, or NULL. */
static EVP_PKEY *
find_key (JsonNode *jwks, const char *kid)
{
  JsonArray *keys;

  if (jwks == NULL || !JSON_NODE_HOLDS_OBJECT (jwks)
      || !json_object_has_member (json_node_get_object (jwks), "keys")
      || !JSON_NODE_HOLDS_ARRAY (json_object_get_member (json_node_get_object (jwks), "keys")))
    return NULL;
  keys = json_object_get_array_member (json_node_get_object (jwks), "keys");
  for (guint i = 0; i < json_array_get_length (keys); i++)
    {
      JsonNode *node = json_array_get_element (keys, i);
      JsonObject *key;

      if (!JSON_NODE_HOLDS_OBJECT (node))
        continue;
      key = json_node_get_object (node);
      if (g_strcmp0 (json_object_get_string_member_with_default (key, "kty", NULL), "RSA") != 0
          || g_strcmp0 (json_object_get_string_member_with_default (key, "kid", NULL), kid) != 0)
        continue;
      return rsa_from_jwk (key);
    }
  return NULL;
}

gboolean
kiosk_platform_verify_set (const char *token,
                           JsonNode   *jwks)
{
  const char *dot1 = strchr (token, '.');
  const char *dot2 = dot1 != NULL ? strchr (dot1 + 1, '.') : NULL;
  g_autofree guint8 *header_json = NULL;
  g_autofree guint8 *signature = NULL;
  g_autoptr(JsonNode) header = NULL;
  g_autofree char *header_text = NULL;
  const char *alg = NULL, *kid = NULL;
  EVP_PKEY *pkey = NULL;
  EVP_MD_CTX *md = NULL;
  EVP_PKEY_CTX *pctx = NULL;
  gsize header_len = 0, signature_len = 0;
  gboolean ok = FALSE;

  if (dot1 == NULL || dot2 == NULL || strchr (dot2 + 1, '.') != NULL)
    return FALSE;
  header_json = _kiosk_base64url_decode (token, (gsize) (dot1 - token), &header_len);
  signature = _kiosk_base64url_decode (dot2 + 1, strlen (dot2 + 1), &signature_len);
  if (header_json == NULL || signature == NULL)
    return FALSE;
  header_text = g_strndup ((const char *) header_json, header_len);
  header = json_from_string (header_text, NULL);
  if (header == NULL || !JSON_NODE_HOLDS_OBJECT (header))
    return FALSE;
  alg = json_object_get_string_member_with_default (json_node_get_object (header), "alg", NULL);
  kid = json_object_get_string_member_with_default (json_node_get_object (header), "kid", NULL);
  /* FIT-Connect signs its event tokens with PS512 only. */
  if (g_strcmp0 (alg, "PS512") != 0 || kid == NULL)
    return FALSE;
  pkey = find_key (jwks, kid);
  if (pkey == NULL)
    return FALSE;
  md = EVP_MD_CTX_new ();
  if (md != NULL
      && EVP_DigestVerifyInit (md, &pctx, EVP_sha512 (), NULL, pkey) == 1
      && EVP_PKEY_CTX_set_rsa_padding (pctx, RSA_PKCS1_PSS_PADDING) == 1
      && EVP_PKEY_CTX_set_rsa_mgf1_md (pctx, EVP_sha512 ()) == 1
      && EVP_PKEY_CTX_set_rsa_pss_saltlen (pctx, 64) == 1
      && EVP_DigestVerify (md, signature, signature_len, (const unsigned char *) token, (size_t) (dot2 - token)) == 1)
    ok = TRUE;
  EVP_MD_CTX_free (md);
  EVP_PKEY_free (pkey);
  return ok;
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
      if (jwks != NULL && !kiosk_platform_verify_set (json_node_get_string (element), jwks))
        {
          if (n_unverified != NULL)
            (*n_unverified)++;
          continue;
        }
      payload = decode_jwt_payload (json_node_get_string (element));
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
