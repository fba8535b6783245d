/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The [sync] settings: their keys and ranges, the defaults, reading them
 * from the configuration, and the retry backoff they define. */
#define G_LOG_DOMAIN "antragskiosk-sync"

#include "config.h"

#include <string.h>
#include <glib.h>
#include <glib/gi18n-lib.h>

#include <antragskiosk/sync.h>
#include "config-groups.h"

G_DEFINE_QUARK (kiosk-sync-error-quark, kiosk_sync_error)

typedef struct {
  const char *key;
  gsize       offset;
  guint       min, max;
} SettingKey;

static const SettingKey setting_keys[] = {
  { "retry_base_s",      G_STRUCT_OFFSET (KioskSyncSettings, retry_base_s),      1, 86400 },
  { "retry_cap_s",       G_STRUCT_OFFSET (KioskSyncSettings, retry_cap_s),       1, 7 * 86400 },
  { "parallelism",       G_STRUCT_OFFSET (KioskSyncSettings, parallelism),       1, 64 },
  { "poll_interval_s",   G_STRUCT_OFFSET (KioskSyncSettings, poll_interval_s),   1, 86400 },
  { "status_poll_s",     G_STRUCT_OFFSET (KioskSyncSettings, status_poll_s),     1, 7 * 86400 },
  { "status_poll_cap_s", G_STRUCT_OFFSET (KioskSyncSettings, status_poll_cap_s), 1, 30 * 86400 },
  { "connect_timeout_s", G_STRUCT_OFFSET (KioskSyncSettings, connect_timeout_s), 1, 600 },
  { "stall_timeout_s",   G_STRUCT_OFFSET (KioskSyncSettings, stall_timeout_s),   1, 3600 },
  { "abandon_after_s",   G_STRUCT_OFFSET (KioskSyncSettings, abandon_after_s),   60, 86400 },
};

gboolean
kiosk_sync_setting_range (const char *key,
                          guint      *min,
                          guint      *max)
{
  for (gsize i = 0; i < G_N_ELEMENTS (setting_keys); i++)
    if (strcmp (key, setting_keys[i].key) == 0)
      {
        *min = setting_keys[i].min;
        *max = setting_keys[i].max;
        return TRUE;
      }
  return FALSE;
}

const char *const *
kiosk_sync_setting_names (void)
{
  static const char *names[G_N_ELEMENTS (setting_keys) + 1];
  static gsize initialized = 0;

  if (g_once_init_enter (&initialized))
    {
      for (gsize i = 0; i < G_N_ELEMENTS (setting_keys); i++)
        names[i] = setting_keys[i].key;
      names[G_N_ELEMENTS (setting_keys)] = NULL;
      g_once_init_leave (&initialized, 1);
    }
  return names;
}

void
kiosk_sync_settings_init (KioskSyncSettings *settings)
{
  settings->retry_base_s = 30;
  settings->retry_cap_s = 1800;
  settings->parallelism = 4;
  settings->poll_interval_s = 300;
  settings->status_poll_s = 600;
  settings->status_poll_cap_s = 21600;
  settings->connect_timeout_s = 10;
  settings->stall_timeout_s = 30;
  settings->abandon_after_s = 72000;
}

gboolean
kiosk_sync_settings_from_keyfile (GKeyFile          *keyfile,
                                  KioskSyncSettings *settings,
                                  GError           **error)
{
  g_auto(GStrv) keys = NULL;

  kiosk_sync_settings_init (settings);
  if (keyfile == NULL || !g_key_file_has_group (keyfile, "sync"))
    return TRUE;
  keys = g_key_file_get_keys (keyfile, "sync", NULL, NULL);
  for (guint k = 0; keys != NULL && keys[k] != NULL; k++)
    {
      const SettingKey *found = NULL;
      g_autofree char *value = NULL;
      guint64 number = 0;

      for (gsize i = 0; i < G_N_ELEMENTS (setting_keys); i++)
        if (strcmp (keys[k], setting_keys[i].key) == 0)
          found = &setting_keys[i];
      if (found == NULL)
        {
          g_set_error (error, KIOSK_SYNC_ERROR, KIOSK_SYNC_ERROR_INVALID,
                       _("[sync] %s: unknown key"), keys[k]);
          return FALSE;
        }
      value = g_key_file_get_value (keyfile, "sync", keys[k], NULL);
      if (value != NULL)
        g_strstrip (value);
      if (value == NULL
          || !g_ascii_string_to_unsigned (value, 10, found->min, found->max, &number, NULL))
        {
          g_set_error (error, KIOSK_SYNC_ERROR, KIOSK_SYNC_ERROR_INVALID,
                       _("[sync] %s: must be a whole number from %u to %u"),
                       found->key, found->min, found->max);
          return FALSE;
        }
      G_STRUCT_MEMBER (guint, settings, found->offset) = (guint) number;
    }
  if (settings->retry_cap_s < settings->retry_base_s)
    {
      g_set_error (error, KIOSK_SYNC_ERROR, KIOSK_SYNC_ERROR_INVALID,
                   _("[sync] retry_cap_s: must not be less than retry_base_s"));
      return FALSE;
    }
  return TRUE;
}

gint64
kiosk_sync_backoff_ms (const KioskSyncSettings *settings,
                       guint                    attempts,
                       double                   random01)
{
  gint64 base = (gint64) settings->retry_base_s * 1000;
  gint64 cap = (gint64) MAX (settings->retry_cap_s, settings->retry_base_s) * 1000;
  gint64 d = base;

  for (guint i = 0; i < attempts && d < cap; i++)
    d *= 2;
  d = MIN (d, cap);
  random01 = CLAMP (random01, 0.0, 1.0);
  return d / 2 + (gint64) (random01 * (double) (d / 2));
}


/* [sync] in `check-config`: every problem at once, with its file (the
 * reader above stops at the first). */
void
kiosk_sync_check_config (KioskConfigCheck *check,
                         const char       *group)
{
  KioskSyncSettings settings;
  gboolean base_ok = FALSE, cap_ok = FALSE;
  const char *at;

  kiosk_config_check_unknown_keys (check, group, kiosk_sync_setting_names (), NULL);
  kiosk_sync_settings_init (&settings);
  for (gsize i = 0; i < G_N_ELEMENTS (setting_keys); i++)
    {
      const SettingKey *k = &setting_keys[i];
      guint value = 0;

      if (!kiosk_config_check_number (check, group, k->key, k->min, k->max,
                                      g_str_has_suffix (k->key, "_s") ? " of seconds" : "", &value))
        continue;
      G_STRUCT_MEMBER (guint, &settings, k->offset) = value;
      base_ok |= strcmp (k->key, "retry_base_s") == 0;
      cap_ok |= strcmp (k->key, "retry_cap_s") == 0;
    }
  if (!(base_ok || cap_ok) || settings.retry_cap_s >= settings.retry_base_s)
    return;
  at = cap_ok ? "retry_cap_s" : "retry_base_s";
  kiosk_config_check_add (check, FALSE, group, at,
                          "the longest backoff (retry_cap_s, %u) must not be less than the first "
                          "(retry_base_s, %u)", settings.retry_cap_s, settings.retry_base_s);
}
