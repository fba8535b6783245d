/* SPDX-License-Identifier: GPL-3.0-or-later */
/* What an HTTP exchange with the platform means: the fault names and
 * kinds, Retry-After, and the classification of a finished transfer (curl
 * code, status, problem+json body) into a KioskPlatformFault with a
 * message a person can act on. No I/O. */
#define G_LOG_DOMAIN "antragskiosk-platform"

#include "config.h"

#include <string.h>
#include <curl/curl.h>
#include <glib.h>
#include <json-glib/json-glib.h>

#include <antragskiosk/platform.h>

#include "platform-private.h"

#define MAX_MESSAGE 300

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
clean_text (const char *text,
            gssize      length)
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
char *
_kiosk_platform_join_title_detail (const char *title,
                                   const char *detail)
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
problem_text (const char *body,
              gsize       body_len)
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
      joined = _kiosk_platform_join_title_detail (title, detail);
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
