/* SPDX-License-Identifier: GPL-3.0-or-later */
/* [destination NAME]: who receives which forms, and with which key
 * (docs/configuration.md). */
#define G_LOG_DOMAIN "antragskiosk-config"

#include "config.h"

#include <string.h>

#include "antragskiosk/destination.h"
#include "antragskiosk/keys.h"
#include "config-private.h"

/* A key about to expire is reported this long before. */
#define EXPIRY_WARNING_DAYS 30

const char *const _kiosk_config_destination_keys[] = {
  "destination_id", "key_file", "trust_anchor", "forms", NULL
};

/* key_file is optional: a terminal that is online fetches the destination's
 * key from the platform and checks it against the trust anchor
 * (destination.h); key_file is for terminals provisioned offline. */
static const char *const required_keys[] = {
  "destination_id", "trust_anchor", "forms", NULL
};

void
_kiosk_config_destination_free (KioskDestinationConfig *destination)
{
  g_free (destination->name);
  g_free (destination->destination_id);
  g_free (destination->key_file);
  g_free (destination->trust_anchor);
  g_strfreev (destination->forms);
  g_free (destination);
}

static char **
split_forms (const char *value)
{
  g_auto(GStrv) parts = g_strsplit_set (value, ";,", -1);
  GPtrArray *forms = g_ptr_array_new ();

  for (gsize i = 0; parts[i] != NULL; i++)
    {
      g_strstrip (parts[i]);
      if (*parts[i] != '\0')
        g_ptr_array_add (forms, g_strdup (parts[i]));
    }
  g_ptr_array_add (forms, NULL);
  return (char **) g_ptr_array_free (forms, FALSE);
}

static void
load_destination_id (KioskConfigCheck       *check,
                     const char             *group,
                     KioskDestinationConfig *destination,
                     GHashTable             *ids)
{
  g_autofree char *lower = NULL;
  const char *other;

  destination->destination_id = kiosk_config_check_string (check, group, "destination_id");
  if (destination->destination_id == NULL)
    return;
  lower = g_ascii_strdown (destination->destination_id, -1);
  other = g_hash_table_lookup (ids, lower);
  if (!g_uuid_string_is_valid (destination->destination_id))
    kiosk_config_check_add (check, FALSE, group, "destination_id",
                            "\"%s\" is not a UUID (like 4b5c7214-aa12-4624-955e-0f7deaabc342)",
                            destination->destination_id);
  else if (other != NULL)
    kiosk_config_check_add (check, TRUE, group, "destination_id",
                            "the same destination is also configured as [%s]", other);
  else
    g_hash_table_insert (ids, g_steal_pointer (&lower), g_strdup (group));
}

static void
load_forms (KioskConfigCheck       *check,
            const char             *group,
            KioskDestinationConfig *destination,
            GHashTable             *routed)
{
  g_autofree char *forms = kiosk_config_check_string (check, group, "forms");

  destination->forms = split_forms (forms != NULL ? forms : "");
  if (forms != NULL && destination->forms[0] == NULL)
    kiosk_config_check_add (check, FALSE, group, "forms",
                            "lists no form; give form ids separated by ';' or * for every form");
  for (gsize i = 0; destination->forms[i] != NULL; i++)
    {
      const char *form = destination->forms[i];
      const char *other;

      if (strcmp (form, "*") != 0 && !_kiosk_config_is_name (form, 128))
        {
          kiosk_config_check_add (check, FALSE, group, "forms",
                                  "\"%s\" is not a form id (letters, digits, '-', '_', '.') or *", form);
          continue;
        }
      other = g_hash_table_lookup (routed, form);
      if (other != NULL && strcmp (other, group) == 0)
        kiosk_config_check_add (check, TRUE, group, "forms", "\"%s\" is listed twice", form);
      else if (other != NULL && strcmp (form, "*") == 0)
        kiosk_config_check_add (check, FALSE, group, "forms",
                                "* (every form) is already routed to [%s]; only one destination can take "
                                "every remaining form", other);
      else if (other != NULL)
        kiosk_config_check_add (check, FALSE, group, "forms",
                                "form \"%s\" is also routed to [%s]; a form goes to exactly one destination",
                                form, other);
      else
        g_hash_table_insert (routed, g_strdup (form), g_strdup (group));
    }
}

void
_kiosk_config_load_destination (KioskConfigCheck *check,
                                const char       *group,
                                const char       *name,
                                GHashTable       *routed,     /* form id → group */
                                GHashTable       *ids)        /* destination_id → group */
{
  KioskConfig *config = &check->priv->pub;
  KioskDestinationConfig *destination;
  guint errors_before = check->n_errors;

  if (!_kiosk_config_is_name (name, 64))
    kiosk_config_check_add (check, FALSE, group, NULL,
                            "the destination name must be letters, digits, '-', '_' or '.', "
                            "starting with a letter or digit");

  destination = g_new0 (KioskDestinationConfig, 1);
  destination->name = g_strdup (name);
  for (gsize i = 0; required_keys[i] != NULL; i++)
    if (!g_key_file_has_key (config->keyfile, group, required_keys[i], NULL))
      kiosk_config_check_add (check, FALSE, group, required_keys[i], "is missing");

  load_destination_id (check, group, destination, ids);
  if (g_key_file_has_key (config->keyfile, group, "key_file", NULL))
    destination->key_file = kiosk_config_check_path (check, group, "key_file");
  destination->trust_anchor = kiosk_config_check_path (check, group, "trust_anchor");
  load_forms (check, group, destination, routed);

  if (check->n_errors == errors_before)
    g_ptr_array_add (config->destinations, destination);
  else
    _kiosk_config_destination_free (destination);
}

void
_kiosk_config_check_destination_files (KioskConfigCheck             *check,
                                       const KioskDestinationConfig *destination)
{
  g_autofree char *group = g_strconcat ("destination ", destination->name, NULL);
  GDateTime *now = kiosk_config_check_get_now (check);
  g_autoptr(GError) error = NULL;
  g_autoptr(KioskKey) key = NULL;
  g_autofree char *pem = NULL;
  GDateTime *not_after;

  if (!kiosk_keys_read_file (destination->trust_anchor, &pem, NULL, &error))
    {
      kiosk_config_check_add (check, FALSE, group, "trust_anchor", "cannot be read: %s", error->message);
      return;
    }
  if (destination->key_file == NULL)
    {
      const KioskConfig *config = kiosk_config_check_get_config (check);
      g_autofree char *reason = NULL;

      if (config->token_url == NULL)
        kiosk_config_check_add (check, FALSE, group, NULL,
                                "has no key_file and there is no [platform] to fetch the destination's key "
                                "from; the forms routed here are out of service");
      else if (!kiosk_destination_usable (config, destination, &reason))
        kiosk_config_check_add (check, TRUE, group, NULL,
                                "has no key_file and no verified key from the platform yet (%s); the forms "
                                "routed here are out of service until the kiosk is online "
                                "(antragskiosk-ctl destinations --refresh)", reason);
      return;
    }
  key = kiosk_key_load (destination->key_file, destination->trust_anchor, now, &error);
  if (key == NULL)
    {
      kiosk_config_check_add (check, FALSE, group, "key_file",
                              "%s; the forms routed here are out of service", error->message);
      return;
    }
  not_after = kiosk_key_get_not_after (key);
  if (not_after != NULL && g_date_time_difference (not_after, now) < EXPIRY_WARNING_DAYS * G_TIME_SPAN_DAY)
    {
      g_autofree char *date = g_date_time_format (not_after, "%Y-%m-%d");

      kiosk_config_check_add (check, TRUE, group, "key_file",
                              "the key's certificate expires on %s; get the destination's new key in time", date);
    }
}

const KioskDestinationConfig *
kiosk_config_destination_for_form (const KioskConfig *config,
                                   const char        *form_id)
{
  const KioskDestinationConfig *fallback = NULL;

  g_return_val_if_fail (config != NULL, NULL);
  g_return_val_if_fail (form_id != NULL, NULL);

  for (guint i = 0; i < config->destinations->len; i++)
    {
      const KioskDestinationConfig *destination = g_ptr_array_index (config->destinations, i);

      for (gsize j = 0; destination->forms[j] != NULL; j++)
        {
          if (strcmp (destination->forms[j], form_id) == 0)
            return destination;
          if (strcmp (destination->forms[j], "*") == 0)
            fallback = destination;
        }
    }
  return fallback;
}
