/* SPDX-License-Identifier: GPL-3.0-or-later */
/* What every group's checker uses: problems with their file, values read
 * as the modules read them, near-miss suggestions. */
#define G_LOG_DOMAIN "antragskiosk-config"

#include "config.h"

#include <string.h>
#include <sys/stat.h>

#include "antragskiosk/suggest.h"
#include "config-private.h"

/* ---- problems ------------------------------------------------------------ */

void
kiosk_config_problem_free (KioskConfigProblem *problem)
{
  if (problem == NULL)
    return;
  g_free (problem->file);
  g_free (problem->group);
  g_free (problem->key);
  g_free (problem->message);
  g_free (problem);
}

char *
kiosk_config_problem_to_string (const KioskConfigProblem *problem)
{
  GString *out = g_string_new (problem->file != NULL ? problem->file : KIOSK_CONFIG_EMBEDDED_NAME);

  g_string_append (out, ":");
  if (problem->group != NULL)
    g_string_append_printf (out, " [%s]", problem->group);
  if (problem->key != NULL)
    g_string_append_printf (out, " %s", problem->key);
  if (problem->group != NULL || problem->key != NULL)
    g_string_append (out, ":");
  g_string_append_printf (out, " %s", problem->message);
  return g_string_free (out, FALSE);
}

static void
add_problem_va (KioskConfigCheck *check,
                gboolean          warning,
                const char       *file,
                const char       *group,
                const char       *key,
                const char       *format,
                va_list           args) G_GNUC_PRINTF (6, 0);

static void
add_problem_va (KioskConfigCheck *check,
                gboolean          warning,
                const char       *file,
                const char       *group,
                const char       *key,
                const char       *format,
                va_list           args)
{
  KioskConfigProblem *problem = g_new0 (KioskConfigProblem, 1);

  problem->file = g_strdup (file);
  problem->group = g_strdup (group);
  problem->key = g_strdup (key);
  problem->warning = warning;
  problem->message = g_strdup_vprintf (format, args);
  g_ptr_array_add (check->problems, problem);
  if (!warning)
    check->n_errors++;
}

void
_kiosk_config_add_problem_at (KioskConfigCheck *check,
                              gboolean          warning,
                              const char       *file,
                              const char       *group,
                              const char       *key,
                              const char       *format,
                              ...)
{
  va_list args;

  va_start (args, format);
  add_problem_va (check, warning, file, group, key, format, args);
  va_end (args);
}

void
kiosk_config_check_add (KioskConfigCheck *check,
                        gboolean          warning,
                        const char       *group,
                        const char       *key,
                        const char       *format,
                        ...)
{
  va_list args;

  va_start (args, format);
  add_problem_va (check, warning, kiosk_config_check_origin (check, group, key), group, key, format, args);
  va_end (args);
}

/* ---- small helpers ------------------------------------------------------- */

/* The closest candidate, if it is close enough to be a typo. */
const char *
_kiosk_config_did_you_mean (const char        *word,
                            const char *const *candidates)
{
  return kiosk_suggest_word (word, candidates, 0);
}

gboolean
_kiosk_config_strv_has (const char *const *strv,
                        const char        *word)
{
  for (gsize i = 0; strv[i] != NULL; i++)
    if (strcmp (strv[i], word) == 0)
      return TRUE;
  return FALSE;
}

gboolean
_kiosk_config_is_name (const char *text,
                       gsize       max_length)
{
  gsize length = strlen (text);

  if (length == 0 || length > max_length || !g_ascii_isalnum (text[0]))
    return FALSE;
  for (const char *p = text; *p != '\0'; p++)
    if (!g_ascii_isalnum (*p) && *p != '-' && *p != '_' && *p != '.')
      return FALSE;
  return TRUE;
}

char *
_kiosk_config_origin_key (const char *group,
                          const char *key)
{
  return g_strconcat (group, "\x1f", key, NULL);
}

const char *
_kiosk_config_origin_of (KioskConfigPrivate *priv,
                         const char         *group,
                         const char         *key)
{
  g_autofree char *k = _kiosk_config_origin_key (group, key);

  return g_hash_table_lookup (priv->origins, k);
}

const char *
_kiosk_config_group_origin_of (KioskConfigPrivate *priv,
                               const char         *group)
{
  return g_hash_table_lookup (priv->group_origins, group);
}

/* A path from the configuration: relative paths are relative to the
 * directory of the file that set the key. */
char *
_kiosk_config_resolve_path (const char *value,
                            const char *origin)
{
  g_autofree char *dir = NULL;

  if (g_path_is_absolute (value) || g_str_has_prefix (value, "resource://") || origin == NULL)
    return g_strdup (value);
  dir = g_path_get_dirname (origin);
  return g_canonicalize_filename (value, dir);
}

/* ---- what a checker uses ---------------------------------------------------- */

const KioskConfig *
kiosk_config_check_get_config (KioskConfigCheck *check)
{
  return &check->priv->pub;
}

GKeyFile *
kiosk_config_check_get_keyfile (KioskConfigCheck *check)
{
  return check->priv->pub.keyfile;
}

GDateTime *
kiosk_config_check_get_now (KioskConfigCheck *check)
{
  return check->now;
}

const char *
kiosk_config_check_origin (KioskConfigCheck *check,
                           const char       *group,
                           const char       *key)
{
  const char *origin = NULL;

  if (group == NULL)
    return NULL;
  if (key != NULL)
    origin = _kiosk_config_origin_of (check->priv, group, key);
  if (origin == NULL)
    origin = _kiosk_config_group_origin_of (check->priv, group);
  return origin;
}

char *
kiosk_config_check_string (KioskConfigCheck *check,
                           const char       *group,
                           const char       *key)
{
  GKeyFile *keyfile = check->priv->pub.keyfile;
  g_autoptr(GError) error = NULL;
  g_autofree char *value = NULL;

  if (!g_key_file_has_key (keyfile, group, key, NULL))
    return NULL;
  value = g_key_file_get_string (keyfile, group, key, &error);
  if (value == NULL)
    {
      kiosk_config_check_add (check, FALSE, group, key, "cannot be read: %s", error->message);
      return NULL;
    }
  g_strstrip (value);
  if (*value == '\0')
    {
      kiosk_config_check_add (check, FALSE, group, key, "is empty; give a value or remove the line");
      return NULL;
    }
  return g_steal_pointer (&value);
}

char *
kiosk_config_check_path (KioskConfigCheck *check,
                         const char       *group,
                         const char       *key)
{
  g_autofree char *value = kiosk_config_check_string (check, group, key);

  if (value == NULL)
    return NULL;
  return _kiosk_config_resolve_path (value, _kiosk_config_origin_of (check->priv, group, key));
}

gboolean
kiosk_config_check_number (KioskConfigCheck *check,
                           const char       *group,
                           const char       *key,
                           guint             min,
                           guint             max,
                           const char       *unit,
                           guint            *value)
{
  g_autofree char *text = kiosk_config_check_string (check, group, key);
  guint64 number = 0;

  if (text == NULL)
    return FALSE;
  if (!g_ascii_string_to_unsigned (text, 10, min, max, &number, NULL))
    {
      kiosk_config_check_add (check, FALSE, group, key,
                              "\"%s\" is not a whole number%s from %u to %u", text, unit, min, max);
      return FALSE;
    }
  *value = (guint) number;
  return TRUE;
}

gboolean
kiosk_config_check_boolean (KioskConfigCheck *check,
                            const char       *group,
                            const char       *key,
                            gboolean         *value)
{
  g_autofree char *text = kiosk_config_check_string (check, group, key);

  if (text == NULL)
    return FALSE;
  if (!_kiosk_config_strv_has ((const char *const[]) { "true", "false", "1", "0", NULL }, text))
    {
      kiosk_config_check_add (check, FALSE, group, key, "\"%s\" must be true or false", text);
      return FALSE;
    }
  *value = strcmp (text, "true") == 0 || strcmp (text, "1") == 0;
  return TRUE;
}

char *
kiosk_config_check_choice (KioskConfigCheck  *check,
                           const char        *group,
                           const char        *key,
                           const char *const *choices)
{
  g_autofree char *text = kiosk_config_check_string (check, group, key);
  g_autofree char *list = NULL;
  const char *suggestion;

  if (text == NULL || _kiosk_config_strv_has (choices, text))
    return g_steal_pointer (&text);
  list = g_strjoinv (", ", (char **) choices);
  suggestion = _kiosk_config_did_you_mean (text, choices);
  if (suggestion != NULL)
    kiosk_config_check_add (check, FALSE, group, key,
                            "\"%s\" is not one of %s; did you mean \"%s\"?", text, list, suggestion);
  else
    kiosk_config_check_add (check, FALSE, group, key, "\"%s\" is not one of %s", text, list);
  return NULL;
}

void
kiosk_config_check_unknown_keys (KioskConfigCheck  *check,
                                 const char        *group,
                                 const char *const *known_keys,
                                 const char *const *localised)
{
  g_auto(GStrv) keys = g_key_file_get_keys (check->priv->pub.keyfile, group, NULL, NULL);

  for (gsize j = 0; keys != NULL && keys[j] != NULL; j++)
    {
      g_autofree char *bare = g_strdup (keys[j]);
      char *bracket = strchr (bare, '[');
      const char *suggestion;

      if (bracket != NULL && g_str_has_suffix (bare, "]"))
        {
          *bracket = '\0';
          if (localised != NULL && _kiosk_config_strv_has (localised, bare))
            continue;
          bracket[0] = '[';
        }
      if (_kiosk_config_strv_has (known_keys, bare))
        continue;
      suggestion = _kiosk_config_did_you_mean (bare, known_keys);
      if (suggestion != NULL)
        kiosk_config_check_add (check, FALSE, group, keys[j], "unknown key; did you mean \"%s\"?", suggestion);
      else
        kiosk_config_check_add (check, FALSE, group, keys[j], "unknown key");
    }
}

void
kiosk_config_check_private_mode (KioskConfigCheck *check,
                                 const char       *group,
                                 const char       *key,
                                 const char       *path,
                                 const char       *holds,
                                 const char       *advice)
{
  struct stat st;
  const char *access;

  if (path == NULL || stat (path, &st) != 0)
    return;
  if ((st.st_mode & (S_IRGRP | S_IROTH)) != 0)
    access = "read";
  else if ((st.st_mode & (S_IWGRP | S_IWOTH)) != 0)
    access = "changed";
  else
    return;
  kiosk_config_check_add (check, TRUE, group, key, "%s%s can be %s by group or others (mode %04o); %s",
                          path, holds, access, (unsigned) (st.st_mode & 07777), advice);
}
