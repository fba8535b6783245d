/* SPDX-License-Identifier: GPL-3.0-or-later */
/* [platform]: where the kiosk delivers (docs/configuration.md). */
#define G_LOG_DOMAIN "antragskiosk-config"

#include "config.h"

#include <string.h>

#include <gio/gio.h>

#include "antragskiosk/platform.h"
#include "config-private.h"

const char *const _kiosk_config_platform_keys[] = {
  "token_url", "submission_api", "client_id", "client_secret_file", "ca_file", NULL
};
static const char *const platform_required[] = {
  "token_url", "submission_api", "client_id", "client_secret_file", NULL
};

/* token_url and submission_api: https:// with a host, no user name or
 * password, no white space or control character (curl would send it as it
 * is and every request would fail), no #fragment (RFC 6749 §3.2 forbids it
 * for the token endpoint; the API base gets /v1/… appended). The token
 * endpoint may have a query (RFC 6749 §3.2: it is kept as it is); the
 * Submission API's base may not, since the paths are appended to it. */
static void
check_https_url (KioskConfigCheck *check,
                 const char       *key,
                 const char       *value,
                 gboolean          query_allowed)
{
  const char *group = "platform";
  g_autoptr(GUri) uri = NULL;

  if (value == NULL)
    return;
  for (const char *p = value; *p != '\0'; p++)
    if ((guchar) *p <= 0x20 || *p == 0x7f)
      {
        kiosk_config_check_add (check, FALSE, group, key,
                                "the URL contains %s at position %d; remove it, or write a space as %%20",
                                *p == ' ' ? "a space" : "a control character", (int) (p - value) + 1);
        return;
      }
  uri = g_uri_parse (value, G_URI_FLAGS_NONE, NULL);
  if (uri != NULL && g_uri_get_userinfo (uri) != NULL)
    kiosk_config_check_add (check, FALSE, group, key,
                            "the URL must not contain a user name or password; the client secret belongs in "
                            "client_secret_file");
  else if (uri == NULL || g_strcmp0 (g_uri_get_scheme (uri), "https") != 0
           || g_uri_get_host (uri) == NULL || *g_uri_get_host (uri) == '\0')
    kiosk_config_check_add (check, FALSE, group, key,
                            "\"%s\" is not an https:// URL; the platform is only reached over TLS", value);
  else if (g_uri_get_fragment (uri) != NULL)
    kiosk_config_check_add (check, FALSE, group, key,
                            "the URL must not have a #fragment; remove everything from the #");
  else if (!query_allowed && g_uri_get_query (uri) != NULL)
    kiosk_config_check_add (check, FALSE, group, key,
                            "the URL must not have a ?query: the kiosk appends /v1/… to it; "
                            "give the API's base, such as https://submission-api.example.de");
}

void
_kiosk_config_load_platform (KioskConfigCheck *check)
{
  KioskConfig *config = &check->priv->pub;
  const char *group = "platform";
  g_auto(GStrv) keys = NULL;
  gboolean any = FALSE;

  if (!g_key_file_has_group (config->keyfile, group))
    return;
  keys = g_key_file_get_keys (config->keyfile, group, NULL, NULL);
  for (gsize i = 0; keys != NULL && keys[i] != NULL; i++)
    if (_kiosk_config_strv_has (_kiosk_config_platform_keys, keys[i]))
      any = TRUE;
  if (!any)
    {
      kiosk_config_check_add (check, TRUE, group, NULL,
                              "the group is empty: no platform is configured and submissions stay queued");
      return;
    }
  for (gsize i = 0; platform_required[i] != NULL; i++)
    if (!g_key_file_has_key (config->keyfile, group, platform_required[i], NULL))
      kiosk_config_check_add (check, FALSE, group, platform_required[i],
                              "is missing: the platform is half configured; give all of token_url, "
                              "submission_api, client_id and client_secret_file, or remove [platform] "
                              "to keep submissions queued");

  config->token_url = kiosk_config_check_string (check, group, "token_url");
  config->submission_api = kiosk_config_check_string (check, group, "submission_api");
  config->client_id = kiosk_config_check_string (check, group, "client_id");
  config->client_secret_file = kiosk_config_check_path (check, group, "client_secret_file");
  config->ca_file = kiosk_config_check_path (check, group, "ca_file");
  check_https_url (check, "token_url", config->token_url, TRUE);
  check_https_url (check, "submission_api", config->submission_api, FALSE);

  /* token_url NULL means "no platform": keep the struct consistent. */
  if (config->token_url == NULL || config->submission_api == NULL
      || config->client_id == NULL || config->client_secret_file == NULL)
    {
      g_clear_pointer (&config->token_url, g_free);
      g_clear_pointer (&config->submission_api, g_free);
      g_clear_pointer (&config->client_id, g_free);
      g_clear_pointer (&config->client_secret_file, g_free);
      g_clear_pointer (&config->ca_file, g_free);
    }
}

/* client_secret_file: read exactly as the platform client reads it, so
 * that both agree; ca_file: certificates OpenSSL can use. */
void
_kiosk_config_check_platform_files (KioskConfigCheck *check)
{
  const KioskConfig *config = &check->priv->pub;
  g_autoptr(GError) error = NULL;

  if (config->client_secret_file != NULL)
    {
      char *secret = kiosk_platform_read_client_secret (config->client_secret_file, &error);

      if (secret == NULL)
        kiosk_config_check_add (check, FALSE, "platform", "client_secret_file", "%s", error->message);
      else
        {
          explicit_bzero (secret, strlen (secret));
          g_free (secret);
        }
      g_clear_error (&error);
      kiosk_config_check_private_mode (check, "platform", "client_secret_file", config->client_secret_file, "",
                                       "restrict it with chmod 600");
    }
  if (config->ca_file != NULL && !kiosk_platform_check_ca_file (config->ca_file, &error))
    kiosk_config_check_add (check, FALSE, "platform", "ca_file", "%s", error->message);
}
