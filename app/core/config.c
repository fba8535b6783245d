/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "antragskiosk-config"

#include "config.h"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>

#include <gio/gio.h>

#include "antragskiosk/config.h"
#include "antragskiosk/file.h"
#include "antragskiosk/keys.h"
#include "antragskiosk/pin.h"
#include "antragskiosk/platform.h"
#include "antragskiosk/receipt.h"
#include "antragskiosk/sync.h"
/* From glib-compile-resources (resources/antragskiosk-demo.gresource.xml). */
GResource *kiosk_demo_get_resource (void);

G_DEFINE_QUARK (kiosk-config-error-quark, kiosk_config_error)

#define DEMO_RESOURCE   "/de/antragskiosk/demo/kiosk.conf"
#define EMBEDDED_NAME   "built-in demo configuration"
#define SYSTEM_DATA_DIR "/var/lib/antragskiosk"
/* A key about to expire is reported this long before. */
#define EXPIRY_WARNING_DAYS 30

typedef struct {
  KioskConfig  pub;
  /* "group\x1fkey" → the file that set the value (NULL: embedded) */
  GHashTable  *origins;
  /* group → the last file that had the group */
  GHashTable  *group_origins;
} KioskConfigPrivate;

/* ---- the keys this module knows ----------------------------------------- */

static const char *const kiosk_keys[] = {
  "id", "location", "data_dir", "forms_dir",
  "idle_timeout_s", "onscreen_keyboard",   /* read by the kiosk window */
  NULL
};
static const char *const platform_keys[] = {
  "token_url", "submission_api", "client_id", "client_secret_file", "ca_file", NULL
};
static const char *const platform_required[] = {
  "token_url", "submission_api", "client_id", "client_secret_file", NULL
};
static const char *const destination_keys[] = {
  "destination_id", "key_file", "trust_anchor", "forms", NULL
};
/* Groups other modules read; their keys are checked by those modules. */
static const char *const module_groups[] = { "queue", "sync", "printer", "receipt", "clerk", NULL };

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
  GString *out = g_string_new (problem->file != NULL ? problem->file : EMBEDDED_NAME);

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

typedef struct {
  GPtrArray *problems;
  guint      n_errors;
  gboolean   syntax;    /* a file is not a key file at all */
} Problems;

static void add_problem (Problems   *problems,
                         gboolean    warning,
                         const char *file,
                         const char *group,
                         const char *key,
                         const char *format,
                         ...) G_GNUC_PRINTF (6, 7);

static void
add_problem (Problems   *problems,
             gboolean    warning,
             const char *file,
             const char *group,
             const char *key,
             const char *format,
             ...)
{
  KioskConfigProblem *problem = g_new0 (KioskConfigProblem, 1);
  va_list args;

  problem->file = g_strdup (file);
  problem->group = g_strdup (group);
  problem->key = g_strdup (key);
  problem->warning = warning;
  va_start (args, format);
  problem->message = g_strdup_vprintf (format, args);
  va_end (args);
  g_ptr_array_add (problems->problems, problem);
  if (!warning)
    problems->n_errors++;
}

/* ---- small helpers ------------------------------------------------------- */

static guint
edit_distance (const char *a,
               const char *b)
{
  gsize la = strlen (a);
  gsize lb = strlen (b);
  g_autofree guint *row = g_new (guint, lb + 1);

  for (gsize j = 0; j <= lb; j++)
    row[j] = (guint) j;
  for (gsize i = 1; i <= la; i++)
    {
      guint diagonal = row[0];

      row[0] = (guint) i;
      for (gsize j = 1; j <= lb; j++)
        {
          guint above = row[j];
          guint cost = g_ascii_tolower (a[i - 1]) == g_ascii_tolower (b[j - 1]) ? 0 : 1;

          row[j] = MIN (MIN (row[j] + 1, row[j - 1] + 1), diagonal + cost);
          diagonal = above;
        }
    }
  return row[lb];
}

/* The closest candidate, if it is close enough to be a typo. */
static const char *
did_you_mean (const char        *word,
              const char *const *candidates)
{
  const char *best = NULL;
  guint best_distance = G_MAXUINT;

  for (gsize i = 0; candidates[i] != NULL; i++)
    {
      guint d = edit_distance (word, candidates[i]);

      if (d < best_distance)
        {
          best_distance = d;
          best = candidates[i];
        }
    }
  if (best != NULL && best_distance <= MAX (1u, (guint) strlen (best) / 3))
    return best;
  return NULL;
}

static gboolean
strv_has (const char *const *strv,
          const char        *word)
{
  for (gsize i = 0; strv[i] != NULL; i++)
    if (strcmp (strv[i], word) == 0)
      return TRUE;
  return FALSE;
}

static gboolean
is_name (const char *text,
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

static char *
origin_key (const char *group,
            const char *key)
{
  return g_strconcat (group, "\x1f", key, NULL);
}

static const char *
origin_of (KioskConfigPrivate *priv,
           const char         *group,
           const char         *key)
{
  g_autofree char *k = origin_key (group, key);

  return g_hash_table_lookup (priv->origins, k);
}

static const char *
group_origin_of (KioskConfigPrivate *priv,
                 const char         *group)
{
  return g_hash_table_lookup (priv->group_origins, group);
}

/* A path from the configuration: relative paths are relative to the
 * directory of the file that set the key. */
static char *
resolve_path (const char *value,
              const char *origin)
{
  g_autofree char *dir = NULL;

  if (g_path_is_absolute (value) || g_str_has_prefix (value, "resource://") || origin == NULL)
    return g_strdup (value);
  dir = g_path_get_dirname (origin);
  return g_canonicalize_filename (value, dir);
}

/* A string value, trimmed; NULL when the key is absent. Empty values are
 * reported as a problem and give NULL too. */
static char *
get_string (KioskConfigPrivate *priv,
            Problems           *problems,
            const char         *group,
            const char         *key)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *value = NULL;

  if (!g_key_file_has_key (priv->pub.keyfile, group, key, NULL))
    return NULL;
  value = g_key_file_get_string (priv->pub.keyfile, group, key, &error);
  if (value == NULL)
    {
      add_problem (problems, FALSE, origin_of (priv, group, key), group, key,
                   "cannot be read: %s", error->message);
      return NULL;
    }
  g_strstrip (value);
  if (*value == '\0')
    {
      add_problem (problems, FALSE, origin_of (priv, group, key), group, key,
                   "is empty; give a value or remove the line");
      return NULL;
    }
  return g_steal_pointer (&value);
}

static char *
get_path (KioskConfigPrivate *priv,
          Problems           *problems,
          const char         *group,
          const char         *key)
{
  g_autofree char *value = get_string (priv, problems, group, key);

  if (value == NULL)
    return NULL;
  return resolve_path (value, origin_of (priv, group, key));
}

/* token_url and submission_api: https:// with a host, no user name or
 * password, no white space or control character (curl would send it as it
 * is and every request would fail), no #fragment (RFC 6749 §3.2 forbids it
 * for the token endpoint; the API base gets /v1/… appended). The token
 * endpoint may have a query (RFC 6749 §3.2: it is kept as it is); the
 * Submission API's base may not, since the paths are appended to it. */
static void
check_https_url (KioskConfigPrivate *priv,
                 Problems           *problems,
                 const char         *group,
                 const char         *key,
                 const char         *value,
                 gboolean            query_allowed)
{
  g_autoptr(GUri) uri = NULL;
  const char *origin = origin_of (priv, group, key);

  if (value == NULL)
    return;
  for (const char *p = value; *p != '\0'; p++)
    if ((guchar) *p <= 0x20 || *p == 0x7f)
      {
        add_problem (problems, FALSE, origin, group, key,
                     "the URL contains %s at position %d; remove it, or write a space as %%20",
                     *p == ' ' ? "a space" : "a control character", (int) (p - value) + 1);
        return;
      }
  uri = g_uri_parse (value, G_URI_FLAGS_NONE, NULL);
  if (uri != NULL && g_uri_get_userinfo (uri) != NULL)
    add_problem (problems, FALSE, origin, group, key,
                 "the URL must not contain a user name or password; the client secret belongs in client_secret_file");
  else if (uri == NULL || g_strcmp0 (g_uri_get_scheme (uri), "https") != 0
           || g_uri_get_host (uri) == NULL || *g_uri_get_host (uri) == '\0')
    add_problem (problems, FALSE, origin, group, key,
                 "\"%s\" is not an https:// URL; the platform is only reached over TLS", value);
  else if (g_uri_get_fragment (uri) != NULL)
    add_problem (problems, FALSE, origin, group, key,
                 "the URL must not have a #fragment; remove everything from the #");
  else if (!query_allowed && g_uri_get_query (uri) != NULL)
    add_problem (problems, FALSE, origin, group, key,
                 "the URL must not have a ?query: the kiosk appends /v1/… to it; "
                 "give the API's base, such as https://submission-api.example.de");
}

/* An error for every key of @group that is not in @known_keys, with a
 * suggestion for a near miss. KEY[LOCALE] is known when KEY is in
 * @localised (may be NULL). */
static void
check_unknown_keys (KioskConfigPrivate *priv,
                    Problems           *problems,
                    const char         *group,
                    const char *const  *known_keys,
                    const char *const  *localised)
{
  g_auto(GStrv) keys = g_key_file_get_keys (priv->pub.keyfile, group, NULL, NULL);

  for (gsize j = 0; keys != NULL && keys[j] != NULL; j++)
    {
      g_autofree char *bare = g_strdup (keys[j]);
      char *bracket = strchr (bare, '[');
      const char *suggestion;

      if (bracket != NULL && g_str_has_suffix (bare, "]"))
        {
          *bracket = '\0';
          if (localised != NULL && strv_has (localised, bare))
            continue;
          bracket[0] = '[';
        }
      if (strv_has (known_keys, bare))
        continue;
      suggestion = did_you_mean (bare, known_keys);
      if (suggestion != NULL)
        add_problem (problems, FALSE, origin_of (priv, group, keys[j]), group, keys[j],
                     "unknown key; did you mean \"%s\"?", suggestion);
      else
        add_problem (problems, FALSE, origin_of (priv, group, keys[j]), group, keys[j],
                     "unknown key");
    }
}

/* ---- reading files -------------------------------------------------------- */

static int
compare_names (gconstpointer a,
               gconstpointer b)
{
  return strcmp (*(const char *const *) a, *(const char *const *) b);
}

/* The NAME.conf files in @dir (FILE.d/ or kiosk.conf.d/), sorted by name. */
static GPtrArray *
list_dropins (const char *dir)
{
  GPtrArray *files = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;

  if (d == NULL)
    return files;
  for (name = g_dir_read_name (d); name != NULL; name = g_dir_read_name (d))
    {
      g_autofree char *path = NULL;

      if (name[0] == '.' || !g_str_has_suffix (name, ".conf"))
        continue;
      path = g_build_filename (dir, name, NULL);
      if (g_file_test (path, G_FILE_TEST_IS_DIR))
        continue;
      g_ptr_array_add (files, g_steal_pointer (&path));
    }
  g_ptr_array_sort (files, compare_names);
  return files;
}

/* Merges @source into the merged key file, key by key. */
static void
merge_keyfile (KioskConfigPrivate *priv,
               GKeyFile           *source,
               const char         *file)
{
  g_auto(GStrv) groups = g_key_file_get_groups (source, NULL);

  for (gsize i = 0; groups[i] != NULL; i++)
    {
      g_auto(GStrv) keys = g_key_file_get_keys (source, groups[i], NULL, NULL);

      g_hash_table_replace (priv->group_origins, g_strdup (groups[i]), g_strdup (file));
      if (!g_key_file_has_group (priv->pub.keyfile, groups[i]))
        {
          /* Keep the group even when it is empty (for "unknown group"):
           * GKeyFile has no "add group", but removing a key keeps it. */
          g_key_file_set_value (priv->pub.keyfile, groups[i], "-", "");
          g_key_file_remove_key (priv->pub.keyfile, groups[i], "-", NULL);
        }
      for (gsize j = 0; keys != NULL && keys[j] != NULL; j++)
        {
          g_autofree char *value = g_key_file_get_value (source, groups[i], keys[j], NULL);

          if (value == NULL)
            continue;
          g_key_file_set_value (priv->pub.keyfile, groups[i], keys[j], value);
          g_hash_table_replace (priv->origins, origin_key (groups[i], keys[j]), g_strdup (file));
        }
    }
}

/* Where GKeyFile's syntax breaks in @data: a sentence naming the first
 * line it cannot take, never quoting it (a file named by mistake may be a
 * secret). GKeyFile's own messages quote the line. */
static char *
describe_syntax_error (const char *data,
                       gsize       length)
{
  const char *p = data;
  const char *end = data + length;
  gboolean in_group = FALSE;
  guint line = 0;

  if (!g_utf8_validate_len (data, length, NULL))
    return g_strdup ("it is not UTF-8 text");
  while (p < end)
    {
      const char *eol = memchr (p, '\n', (gsize) (end - p));
      const char *stop = eol != NULL ? eol : end;
      const char *start = p;
      const char *last = stop;

      line++;
      while (start < stop && g_ascii_isspace (*start))
        start++;
      while (last > start && g_ascii_isspace (last[-1]))
        last--;
      if (start == last || *start == '#')
        ;   /* blank or a comment */
      else if (*start == '[')
        {
          if (last[-1] != ']' || last - start < 3)
            return g_strdup_printf ("line %u is not a [group] header (a [ without its name or closing ])", line);
          in_group = TRUE;
        }
      else if (memchr (start, '=', (gsize) (last - start)) == NULL)
        return g_strdup_printf ("line %u is not a [group] header, a key=value line or a # comment", line);
      else if (*start == '=')
        return g_strdup_printf ("line %u has no key before its =", line);
      else if (!in_group)
        return g_strdup_printf ("line %u sets a key before the first [group] header", line);
      p = eol != NULL ? eol + 1 : end;
    }
  return g_strdup ("GKeyFile cannot read it ([group] headers, key=value lines, # comments)");
}

static gboolean
read_file (KioskConfigPrivate *priv,
           Problems           *problems,
           const char         *file)
{
  g_autoptr(GKeyFile) source = g_key_file_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *data = NULL;
  gsize length = 0;

  /* A regular file of at most KIOSK_FILE_MAX_CONFIG: a FIFO or a device
   * named as a configuration file is refused at once. */
  if (!kiosk_file_read (file, KIOSK_FILE_MAX_CONFIG, &data, &length, &error))
    {
      if (g_error_matches (error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        add_problem (problems, FALSE, file, NULL, NULL, "the file does not exist");
      else if (error->domain == KIOSK_FILE_ERROR)
        add_problem (problems, FALSE, file, NULL, NULL, "cannot be used: %s", error->message);
      else
        add_problem (problems, FALSE, file, NULL, NULL, "cannot be read: %s", error->message);
      return FALSE;
    }
  if (!g_key_file_load_from_data (source, data, length, G_KEY_FILE_NONE, &error))
    {
      g_autofree char *where = describe_syntax_error (data, length);

      add_problem (problems, FALSE, file, NULL, NULL,
                   "not a valid configuration file: %s; is this the right file?", where);
      problems->syntax = TRUE;
      explicit_bzero (data, length);
      return FALSE;
    }
  /* it may hold [receipt] mac_key or [clerk] pin_hash */
  explicit_bzero (data, length);
  merge_keyfile (priv, source, file);
  g_ptr_array_add (priv->pub.files, g_strdup (file));
  return TRUE;
}

/* ---- validation ------------------------------------------------------------ */

/* [kiosk] data_dir as written: a directory path (absolute, or relative to
 * the file that sets it), not a URI such as resource:///… (which would
 * put the queue relative to the working directory). */
static char *
get_data_dir (KioskConfigPrivate *priv,
              Problems           *problems)
{
  g_autofree char *value = get_string (priv, problems, "kiosk", "data_dir");

  if (value == NULL)
    return NULL;
  if (g_uri_peek_scheme (value) != NULL && strstr (value, "://") != NULL)
    {
      add_problem (problems, FALSE, origin_of (priv, "kiosk", "data_dir"), "kiosk", "data_dir",
                   "\"%s\" is a URI; give the path of a directory, such as /var/lib/antragskiosk", value);
      return NULL;
    }
  return resolve_path (value, origin_of (priv, "kiosk", "data_dir"));
}

/* The queue's directory (set or default): an absolute path other than /,
 * a directory or one that can be created (its nearest existing ancestor a
 * directory), not writable by others (an error: anyone could replace the
 * queue of personal data) and preferably not by the group (a warning). */
static void
check_data_dir (KioskConfigPrivate *priv,
                Problems           *problems)
{
  const char *dir = priv->pub.data_dir;
  const char *origin = origin_of (priv, "kiosk", "data_dir");
  g_autofree char *canonical = NULL;
  g_autofree char *ancestor = NULL;
  struct stat st;

  if (origin == NULL && !priv->pub.is_demo && priv->pub.files->len > 0)
    origin = g_ptr_array_index (priv->pub.files, 0);
  if (!g_path_is_absolute (dir))
    {
      add_problem (problems, FALSE, origin, "kiosk", "data_dir",
                   "\"%s\" is not an absolute path; give the queue's directory, such as /var/lib/antragskiosk", dir);
      return;
    }
  canonical = g_canonicalize_filename (dir, NULL);
  if (strcmp (canonical, "/") == 0)
    {
      add_problem (problems, FALSE, origin, "kiosk", "data_dir",
                   "is the root directory; give the queue a directory of its own, such as /var/lib/antragskiosk");
      return;
    }
  if (stat (canonical, &st) == 0)
    {
      if (!S_ISDIR (st.st_mode))
        add_problem (problems, FALSE, origin, "kiosk", "data_dir",
                     "%s is %s, not a directory", canonical, kiosk_file_describe_type (st.st_mode));
      else if ((st.st_mode & S_IWOTH) != 0)
        add_problem (problems, FALSE, origin, "kiosk", "data_dir",
                     "%s can be changed by anyone (mode %04o): they could replace or remove the queue; "
                     "restrict it with chmod 700 (owned by the kiosk's user)",
                     canonical, (unsigned) (st.st_mode & 07777));
      else if ((st.st_mode & S_IWGRP) != 0)
        add_problem (problems, TRUE, origin, "kiosk", "data_dir",
                     "%s can be changed by its group (mode %04o); restrict it with chmod 700 "
                     "(owned by the kiosk's user)", canonical, (unsigned) (st.st_mode & 07777));
      return;
    }
  if (errno != ENOENT && errno != ENOTDIR)
    return;   /* not ours to see (EACCES): the program says more when it opens the queue */
  /* Created on first use: the nearest existing ancestor must be a directory. */
  ancestor = g_path_get_dirname (canonical);
  while (stat (ancestor, &st) != 0 && (errno == ENOENT || errno == ENOTDIR) && strcmp (ancestor, "/") != 0)
    {
      char *up = g_path_get_dirname (ancestor);

      g_free (ancestor);
      ancestor = up;
    }
  if (stat (ancestor, &st) == 0 && !S_ISDIR (st.st_mode))
    add_problem (problems, FALSE, origin, "kiosk", "data_dir",
                 "%s cannot be created: %s is %s, not a directory",
                 canonical, ancestor, kiosk_file_describe_type (st.st_mode));
}

static void
validate_kiosk (KioskConfigPrivate *priv,
                Problems           *problems)
{
  KioskConfig *config = &priv->pub;
  g_autofree char *id = NULL;

  if (!g_key_file_has_group (config->keyfile, "kiosk"))
    {
      add_problem (problems, FALSE, config->files->len > 0 ? g_ptr_array_index (config->files, 0) : NULL,
                   "kiosk", NULL, "the group is missing; it needs at least id=");
      return;
    }
  id = get_string (priv, problems, "kiosk", "id");
  if (id == NULL && !g_key_file_has_key (config->keyfile, "kiosk", "id", NULL))
    add_problem (problems, FALSE, group_origin_of (priv, "kiosk"), "kiosk", "id",
                 "is missing; every terminal needs an id (letters, digits, '-', '_', '.')");
  else if (id != NULL && !is_name (id, 64))
    add_problem (problems, FALSE, origin_of (priv, "kiosk", "id"), "kiosk", "id",
                 "must be 1 to 64 letters, digits, '-', '_' or '.', starting with a letter or digit");
  else if (id != NULL)
    config->kiosk_id = g_steal_pointer (&id);

  config->location = get_string (priv, problems, "kiosk", "location");
  config->data_dir = get_data_dir (priv, problems);
  config->forms_dir = get_path (priv, problems, "kiosk", "forms_dir");

  {
    g_autofree char *text = get_string (priv, problems, "kiosk", "idle_timeout_s");
    guint64 seconds = 0;

    if (text != NULL && !g_ascii_string_to_unsigned (text, 10, KIOSK_CONFIG_IDLE_TIMEOUT_MIN_S,
                                                     KIOSK_CONFIG_IDLE_TIMEOUT_MAX_S, &seconds, NULL))
      add_problem (problems, FALSE, origin_of (priv, "kiosk", "idle_timeout_s"), "kiosk", "idle_timeout_s",
                   "\"%s\" is not a whole number of seconds from %u to %u", text,
                   KIOSK_CONFIG_IDLE_TIMEOUT_MIN_S, KIOSK_CONFIG_IDLE_TIMEOUT_MAX_S);
    else if (text != NULL)
      config->idle_timeout_s = (guint) seconds;
  }
  {
    g_autofree char *text = get_string (priv, problems, "kiosk", "onscreen_keyboard");

    /* as GKeyFile reads booleans */
    if (text != NULL && !strv_has ((const char *const[]) { "true", "false", "1", "0", NULL }, text))
      add_problem (problems, FALSE, origin_of (priv, "kiosk", "onscreen_keyboard"), "kiosk", "onscreen_keyboard",
                   "\"%s\" must be true or false", text);
    else if (text != NULL)
      config->onscreen_keyboard = strcmp (text, "true") == 0 || strcmp (text, "1") == 0;
  }
}

static void
validate_platform (KioskConfigPrivate *priv,
                   Problems           *problems)
{
  KioskConfig *config = &priv->pub;
  const char *group = "platform";
  const char *file = group_origin_of (priv, group);
  g_auto(GStrv) keys = NULL;
  gboolean any = FALSE;

  if (!g_key_file_has_group (config->keyfile, group))
    return;
  keys = g_key_file_get_keys (config->keyfile, group, NULL, NULL);
  for (gsize i = 0; keys != NULL && keys[i] != NULL; i++)
    if (strv_has (platform_keys, keys[i]))
      any = TRUE;
  if (!any)
    {
      add_problem (problems, TRUE, file, group, NULL,
                   "the group is empty: no platform is configured and submissions stay queued");
      return;
    }
  for (gsize i = 0; platform_required[i] != NULL; i++)
    if (!g_key_file_has_key (config->keyfile, group, platform_required[i], NULL))
      add_problem (problems, FALSE, file, group, platform_required[i],
                   "is missing: the platform is half configured; give all of token_url, "
                   "submission_api, client_id and client_secret_file, or remove [platform] "
                   "to keep submissions queued");

  config->token_url = get_string (priv, problems, group, "token_url");
  config->submission_api = get_string (priv, problems, group, "submission_api");
  config->client_id = get_string (priv, problems, group, "client_id");
  config->client_secret_file = get_path (priv, problems, group, "client_secret_file");
  config->ca_file = get_path (priv, problems, group, "ca_file");
  check_https_url (priv, problems, group, "token_url", config->token_url, TRUE);
  check_https_url (priv, problems, group, "submission_api", config->submission_api, FALSE);

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

static void
destination_config_free (KioskDestinationConfig *destination)
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
validate_destination (KioskConfigPrivate *priv,
                      Problems           *problems,
                      const char         *group,
                      const char         *name,
                      GHashTable         *routed,     /* form id → group */
                      GHashTable         *ids)        /* destination_id → group */
{
  KioskConfig *config = &priv->pub;
  const char *file = group_origin_of (priv, group);
  KioskDestinationConfig *destination;
  g_autofree char *forms = NULL;
  guint errors_before = problems->n_errors;

  if (!is_name (name, 64))
    add_problem (problems, FALSE, file, group, NULL,
                 "the destination name must be letters, digits, '-', '_' or '.', "
                 "starting with a letter or digit");

  destination = g_new0 (KioskDestinationConfig, 1);
  destination->name = g_strdup (name);
  for (gsize i = 0; destination_keys[i] != NULL; i++)
    if (!g_key_file_has_key (config->keyfile, group, destination_keys[i], NULL))
      add_problem (problems, FALSE, file, group, destination_keys[i], "is missing");

  destination->destination_id = get_string (priv, problems, group, "destination_id");
  if (destination->destination_id != NULL)
    {
      g_autofree char *lower = g_ascii_strdown (destination->destination_id, -1);
      const char *other = g_hash_table_lookup (ids, lower);

      if (!g_uuid_string_is_valid (destination->destination_id))
        add_problem (problems, FALSE, origin_of (priv, group, "destination_id"), group, "destination_id",
                     "\"%s\" is not a UUID (like 4b5c7214-aa12-4624-955e-0f7deaabc342)",
                     destination->destination_id);
      else if (other != NULL)
        add_problem (problems, TRUE, origin_of (priv, group, "destination_id"), group, "destination_id",
                     "the same destination is also configured as [%s]", other);
      else
        g_hash_table_insert (ids, g_steal_pointer (&lower), g_strdup (group));
    }
  destination->key_file = get_path (priv, problems, group, "key_file");
  destination->trust_anchor = get_path (priv, problems, group, "trust_anchor");

  forms = get_string (priv, problems, group, "forms");
  destination->forms = split_forms (forms != NULL ? forms : "");
  if (forms != NULL && destination->forms[0] == NULL)
    add_problem (problems, FALSE, origin_of (priv, group, "forms"), group, "forms",
                 "lists no form; give form ids separated by ';' or * for every form");
  for (gsize i = 0; destination->forms[i] != NULL; i++)
    {
      const char *form = destination->forms[i];
      const char *other;

      if (strcmp (form, "*") != 0 && !is_name (form, 128))
        {
          add_problem (problems, FALSE, origin_of (priv, group, "forms"), group, "forms",
                       "\"%s\" is not a form id (letters, digits, '-', '_', '.') or *", form);
          continue;
        }
      other = g_hash_table_lookup (routed, form);
      if (other != NULL && strcmp (other, group) == 0)
        add_problem (problems, TRUE, origin_of (priv, group, "forms"), group, "forms",
                     "\"%s\" is listed twice", form);
      else if (other != NULL && strcmp (form, "*") == 0)
        add_problem (problems, FALSE, origin_of (priv, group, "forms"), group, "forms",
                     "* (every form) is already routed to [%s]; only one destination can take "
                     "every remaining form", other);
      else if (other != NULL)
        add_problem (problems, FALSE, origin_of (priv, group, "forms"), group, "forms",
                     "form \"%s\" is also routed to [%s]; a form goes to exactly one destination",
                     form, other);
      else
        g_hash_table_insert (routed, g_strdup (form), g_strdup (group));
    }

  if (problems->n_errors == errors_before)
    g_ptr_array_add (config->destinations, destination);
  else
    destination_config_free (destination);
}

static void
validate (KioskConfigPrivate *priv,
          Problems           *problems)
{
  KioskConfig *config = &priv->pub;
  g_auto(GStrv) groups = g_key_file_get_groups (config->keyfile, NULL);
  g_autoptr(GHashTable) routed = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_autoptr(GHashTable) ids = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  static const char *const group_names[] = {
    "kiosk", "platform", "destination NAME", "queue", "sync", "printer", "receipt", "clerk", NULL
  };

  validate_kiosk (priv, problems);
  validate_platform (priv, problems);

  for (gsize i = 0; groups[i] != NULL; i++)
    {
      const char *group = groups[i];
      const char *const *known_keys = NULL;

      if (strcmp (group, "kiosk") == 0)
        known_keys = kiosk_keys;
      else if (strcmp (group, "platform") == 0)
        known_keys = platform_keys;
      else if (g_str_has_prefix (group, "destination ") || strcmp (group, "destination") == 0)
        {
          const char *name = group + strlen ("destination");

          while (*name == ' ')
            name++;
          if (*name == '\0')
            {
              add_problem (problems, FALSE, group_origin_of (priv, group), group, NULL,
                           "a destination needs a name: [destination NAME]");
              continue;
            }
          known_keys = destination_keys;
          validate_destination (priv, problems, group, name, routed, ids);
        }
      else if (strv_has (module_groups, group))
        continue;   /* read and checked by its module */
      else
        {
          const char *suggestion = did_you_mean (group, group_names);
          g_autofree char *first = g_strdup (group);
          char *space = strchr (first, ' ');

          /* "destinaton foo" → "destination foo" */
          if (space != NULL)
            {
              *space = '\0';
              if (did_you_mean (first, (const char *const[]) { "destination", NULL }) != NULL)
                {
                  add_problem (problems, FALSE, group_origin_of (priv, group), group, NULL,
                               "unknown group; did you mean [destination %s]?", space + 1);
                  continue;
                }
            }
          if (suggestion != NULL)
            add_problem (problems, FALSE, group_origin_of (priv, group), group, NULL,
                         "unknown group; did you mean [%s]?", suggestion);
          else
            add_problem (problems, FALSE, group_origin_of (priv, group), group, NULL,
                         "unknown group (known: [kiosk], [platform], [destination NAME], "
                         "[queue], [sync], [printer], [receipt], [clerk])");
          continue;
        }

      check_unknown_keys (priv, problems, group, known_keys, NULL);
    }

  if (config->destinations->len == 0 && problems->n_errors == 0)
    add_problem (problems, TRUE, config->files->len > 0 ? g_ptr_array_index (config->files, 0) : NULL,
                 NULL, NULL,
                 "no [destination NAME] group: no form can be submitted on this terminal");
}

/* ---- loading ---------------------------------------------------------------- */

static KioskConfigPrivate *
config_new (void)
{
  KioskConfigPrivate *priv = g_new0 (KioskConfigPrivate, 1);

  priv->pub.destinations = g_ptr_array_new_with_free_func ((GDestroyNotify) destination_config_free);
  priv->pub.files = g_ptr_array_new_with_free_func (g_free);
  priv->pub.keyfile = g_key_file_new ();
  priv->pub.idle_timeout_s = KIOSK_CONFIG_IDLE_TIMEOUT_DEFAULT_S;
  priv->pub.onscreen_keyboard = TRUE;
  priv->origins = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  priv->group_origins = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  return priv;
}

void
kiosk_config_free (KioskConfig *config)
{
  KioskConfigPrivate *priv = (KioskConfigPrivate *) config;

  if (config == NULL)
    return;
  g_free (config->kiosk_id);
  g_free (config->location);
  g_free (config->data_dir);
  g_free (config->forms_dir);
  g_free (config->token_url);
  g_free (config->submission_api);
  g_free (config->client_id);
  g_free (config->client_secret_file);
  g_free (config->ca_file);
  g_ptr_array_unref (config->destinations);
  g_ptr_array_unref (config->files);
  g_key_file_unref (config->keyfile);
  g_hash_table_unref (priv->origins);
  g_hash_table_unref (priv->group_origins);
  g_free (priv);
}

/* Validates, fills in defaults and hands over the problems. */
static KioskConfig *
finish (KioskConfigPrivate  *priv,
        Problems            *problems,
        GPtrArray          **problems_out,
        GError             **error)
{
  KioskConfig *config = &priv->pub;

  if (problems->n_errors == 0)
    validate (priv, problems);

  if (config->location == NULL)
    config->location = g_strdup ("");
  if (config->data_dir == NULL)
    config->data_dir = config->is_demo
      ? g_build_filename (g_get_user_data_dir (), "antragskiosk", NULL)
      : g_strdup (SYSTEM_DATA_DIR);
  if (problems->n_errors == 0)
    check_data_dir (priv, problems);
  if (config->forms_dir == NULL)
    config->forms_dir = g_build_filename (SYSCONFDIR, "antragskiosk", "forms", NULL);

  if (problems->n_errors > 0)
    {
      KioskConfigProblem *first = NULL;

      for (guint i = 0; i < problems->problems->len && first == NULL; i++)
        {
          KioskConfigProblem *p = g_ptr_array_index (problems->problems, i);

          if (!p->warning)
            first = p;
        }
      {
        g_autofree char *text = kiosk_config_problem_to_string (first);

        g_set_error (error, KIOSK_CONFIG_ERROR,
                     problems->syntax ? KIOSK_CONFIG_ERROR_SYNTAX : KIOSK_CONFIG_ERROR_INVALID,
                     problems->n_errors == 1 ? "%s" : "%s (and %u more problems; "
                     "antragskiosk-ctl check-config lists them)",
                     text, problems->n_errors - 1);
      }
      kiosk_config_free (config);
      config = NULL;
    }
  if (problems_out != NULL)
    *problems_out = g_steal_pointer (&problems->problems);
  g_clear_pointer (&problems->problems, g_ptr_array_unref);
  return config;
}

static KioskConfig *
load_demo (GPtrArray **problems_out,
           GError    **error)
{
  KioskConfigPrivate *priv = config_new ();
  Problems problems = { g_ptr_array_new_with_free_func ((GDestroyNotify) kiosk_config_problem_free), 0, FALSE };
  g_autoptr(GKeyFile) source = g_key_file_new ();
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) local_error = NULL;
  gsize size = 0;
  const char *data;

  priv->pub.is_demo = TRUE;
  bytes = g_resource_lookup_data (kiosk_demo_get_resource (), DEMO_RESOURCE,
                                  G_RESOURCE_LOOKUP_FLAGS_NONE, &local_error);
  if (bytes == NULL)
    g_error ("the built-in demo configuration is missing: %s", local_error->message);
  data = g_bytes_get_data (bytes, &size);
  if (!g_key_file_load_from_data (source, data, size, G_KEY_FILE_NONE, &local_error))
    g_error ("the built-in demo configuration is broken: %s", local_error->message);
  merge_keyfile (priv, source, NULL);
  return finish (priv, &problems, problems_out, error);
}

static KioskConfig *
load_files (const char  *main_file,
            GPtrArray   *dropins,
            gboolean     main_must_exist,
            GPtrArray  **problems_out,
            GError     **error)
{
  KioskConfigPrivate *priv = config_new ();
  Problems problems = { g_ptr_array_new_with_free_func ((GDestroyNotify) kiosk_config_problem_free), 0, FALSE };

  if (main_must_exist || g_file_test (main_file, G_FILE_TEST_EXISTS))
    read_file (priv, &problems, main_file);
  for (guint i = 0; i < dropins->len; i++)
    read_file (priv, &problems, g_ptr_array_index (dropins, i));
  return finish (priv, &problems, problems_out, error);
}

KioskConfig *
kiosk_config_load_lookup (const char  *sysconfdir,
                          GPtrArray  **problems,
                          GError     **error)
{
  const char *env = g_getenv ("ANTRAGSKIOSK_CONFIG");
  g_autofree char *main_file = NULL;
  g_autofree char *dropin_dir = NULL;
  g_autoptr(GPtrArray) dropins = NULL;

  if (env != NULL && *env != '\0')
    return kiosk_config_load (env, problems, error);

  main_file = g_build_filename (sysconfdir, "antragskiosk", "kiosk.conf", NULL);
  dropin_dir = g_build_filename (sysconfdir, "antragskiosk", "kiosk.conf.d", NULL);
  dropins = list_dropins (dropin_dir);
  if (!g_file_test (main_file, G_FILE_TEST_EXISTS) && dropins->len == 0)
    return load_demo (problems, error);
  return load_files (main_file, dropins, FALSE, problems, error);
}

KioskConfig *
kiosk_config_load (const char  *path,
                   GPtrArray  **problems,
                   GError     **error)
{
  g_autofree char *absolute = NULL;
  g_autofree char *dropin_dir = NULL;
  g_autoptr(GPtrArray) dropins = NULL;

  if (problems != NULL)
    *problems = NULL;
  if (path == NULL)
    return kiosk_config_load_lookup (SYSCONFDIR, problems, error);

  /* Absolute, so that relative paths inside resolve against its directory. */
  absolute = g_canonicalize_filename (path, NULL);
  dropin_dir = g_strconcat (absolute, ".d", NULL);
  dropins = list_dropins (dropin_dir);
  return load_files (absolute, dropins, TRUE, problems, error);
}

KioskConfig *
kiosk_config_load_demo (GPtrArray **problems,
                        GError    **error)
{
  if (problems != NULL)
    *problems = NULL;
  return load_demo (problems, error);
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

const char *
kiosk_config_get_origin (const KioskConfig *config,
                         const char        *group,
                         const char        *key)
{
  g_return_val_if_fail (config != NULL, NULL);
  return origin_of ((KioskConfigPrivate *) config, group, key);
}

char *
kiosk_config_get_path (const KioskConfig *config,
                       const char        *group,
                       const char        *key)
{
  g_autofree char *value = NULL;

  g_return_val_if_fail (config != NULL, NULL);
  value = g_key_file_get_string (config->keyfile, group, key, NULL);
  if (value == NULL)
    return NULL;
  g_strstrip (value);
  if (*value == '\0')
    return NULL;
  return resolve_path (value, kiosk_config_get_origin (config, group, key));
}

/* ---- secrets -------------------------------------------------------------- */

/* A warning when the secret file @path may be read or changed by anyone
 * but its owner (the service's user): "PATH[ @holds] can be read by group
 * or others (mode 0644); @advice". */
static void
check_private_mode (Problems   *problems,
                    const char *origin,
                    const char *group,
                    const char *key,
                    const char *path,
                    const char *holds,
                    const char *advice)
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
  add_problem (problems, TRUE, origin, group, key,
               "%s%s can be %s by group or others (mode %04o); %s",
               path, holds, access, (unsigned) (st.st_mode & 07777), advice);
}

/* ---- files the configuration points to ------------------------------------------ */

static void
check_secret_file (KioskConfigPrivate *priv,
                   Problems           *problems)
{
  const char *path = priv->pub.client_secret_file;
  const char *origin = origin_of (priv, "platform", "client_secret_file");
  g_autoptr(GError) error = NULL;
  char *secret;

  if (path == NULL)
    return;
  /* read exactly as the platform client reads it, so that both agree */
  secret = kiosk_platform_read_client_secret (path, &error);
  if (secret == NULL)
    add_problem (problems, FALSE, origin, "platform", "client_secret_file", "%s", error->message);
  else
    {
      explicit_bzero (secret, strlen (secret));
      g_free (secret);
    }
  check_private_mode (problems, origin, "platform", "client_secret_file", path, "", "restrict it with chmod 600");
}

static void
check_ca_file (KioskConfigPrivate *priv,
               Problems           *problems)
{
  g_autoptr(GError) error = NULL;

  if (priv->pub.ca_file == NULL)
    return;
  if (!kiosk_platform_check_ca_file (priv->pub.ca_file, &error))
    add_problem (problems, FALSE, origin_of (priv, "platform", "ca_file"), "platform", "ca_file",
                 "%s", error->message);
}

static void
check_destination_key (KioskConfigPrivate           *priv,
                       Problems                     *problems,
                       const KioskDestinationConfig *destination,
                       GDateTime                    *now)
{
  g_autofree char *group = g_strconcat ("destination ", destination->name, NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(KioskKey) key = NULL;
  g_autofree char *pem = NULL;
  GDateTime *not_after;

  if (!kiosk_keys_read_file (destination->trust_anchor, &pem, NULL, &error))
    {
      add_problem (problems, FALSE, origin_of (priv, group, "trust_anchor"), group, "trust_anchor",
                   "cannot be read: %s", error->message);
      return;
    }
  key = kiosk_key_load (destination->key_file, destination->trust_anchor, now, &error);
  if (key == NULL)
    {
      add_problem (problems, FALSE, origin_of (priv, group, "key_file"), group, "key_file",
                   "%s; the forms routed here are out of service", error->message);
      return;
    }
  not_after = kiosk_key_get_not_after (key);
  if (not_after != NULL && g_date_time_difference (not_after, now) < EXPIRY_WARNING_DAYS * G_TIME_SPAN_DAY)
    {
      g_autofree char *date = g_date_time_format (not_after, "%Y-%m-%d");

      add_problem (problems, TRUE, origin_of (priv, group, "key_file"), group, "key_file",
                   "the key's certificate expires on %s; get the destination's new key in time", date);
    }
}

/* ---- the groups other modules read ------------------------------------------ */

static const char *const printer_keys[] = {
  "kind", "paper", "timeout", "path", "format", "queue", "server", "device",
  "native_qr", "codepage", "query_status", NULL
};
static const char *const printer_kinds[] = { "none", "file", "cups", "escpos", NULL };
static const char *const receipt_keys[] = {
  "status_url", "status_text", "mac_key", "mac_key_file", "mac_length", NULL
};
static const char *const receipt_localised[] = { "status_text", NULL };

/* A whole number in [@min, @max]; FALSE (reported) when it is not. */
static gboolean
check_number (KioskConfigPrivate *priv,
              Problems           *problems,
              const char         *group,
              const char         *key,
              guint               min,
              guint               max,
              const char         *unit,
              guint              *value)
{
  g_autofree char *text = get_string (priv, problems, group, key);
  guint64 number = 0;

  if (text == NULL)
    return FALSE;
  if (!g_ascii_string_to_unsigned (text, 10, min, max, &number, NULL))
    {
      add_problem (problems, FALSE, origin_of (priv, group, key), group, key,
                   "\"%s\" is not a whole number%s from %u to %u", text, unit, min, max);
      return FALSE;
    }
  *value = (guint) number;
  return TRUE;
}

static void
check_boolean (KioskConfigPrivate *priv,
               Problems           *problems,
               const char         *group,
               const char         *key)
{
  g_autofree char *text = get_string (priv, problems, group, key);

  /* As GKeyFile reads booleans: true, false, 1 or 0. */
  if (text != NULL && !strv_has ((const char *const[]) { "true", "false", "1", "0", NULL }, text))
    add_problem (problems, FALSE, origin_of (priv, group, key), group, key,
                 "\"%s\" must be true or false", text);
}

/* One of @choices (reported with a suggestion when not); NULL when absent
 * or wrong. */
static char *
check_choice (KioskConfigPrivate *priv,
              Problems           *problems,
              const char         *group,
              const char         *key,
              const char *const  *choices)
{
  g_autofree char *text = get_string (priv, problems, group, key);
  g_autofree char *list = NULL;
  const char *suggestion;

  if (text == NULL || strv_has (choices, text))
    return g_steal_pointer (&text);
  list = g_strjoinv (", ", (char **) choices);
  suggestion = did_you_mean (text, choices);
  if (suggestion != NULL)
    add_problem (problems, FALSE, origin_of (priv, group, key), group, key,
                 "\"%s\" is not one of %s; did you mean \"%s\"?", text, list, suggestion);
  else
    add_problem (problems, FALSE, origin_of (priv, group, key), group, key,
                 "\"%s\" is not one of %s", text, list);
  return NULL;
}

static void
check_sync_group (KioskConfigPrivate *priv,
                  Problems           *problems)
{
  g_auto(GStrv) keys = NULL;
  KioskSyncSettings settings;
  gboolean base_ok = FALSE, cap_ok = FALSE;

  if (!g_key_file_has_group (priv->pub.keyfile, "sync"))
    return;
  check_unknown_keys (priv, problems, "sync", kiosk_sync_setting_names (), NULL);
  kiosk_sync_settings_init (&settings);
  keys = g_key_file_get_keys (priv->pub.keyfile, "sync", NULL, NULL);
  for (gsize i = 0; keys != NULL && keys[i] != NULL; i++)
    {
      guint min, max, value = 0;
      gboolean ok;

      if (!kiosk_sync_setting_range (keys[i], &min, &max))
        continue;
      ok = check_number (priv, problems, "sync", keys[i], min, max,
                         g_str_has_suffix (keys[i], "_s") ? " of seconds" : "", &value);
      if (ok && strcmp (keys[i], "retry_base_s") == 0)
        {
          settings.retry_base_s = value;
          base_ok = TRUE;
        }
      else if (ok && strcmp (keys[i], "retry_cap_s") == 0)
        {
          settings.retry_cap_s = value;
          cap_ok = TRUE;
        }
    }
  if ((base_ok || cap_ok) && settings.retry_cap_s < settings.retry_base_s)
    add_problem (problems, FALSE, origin_of (priv, "sync", cap_ok ? "retry_cap_s" : "retry_base_s"), "sync",
                 cap_ok ? "retry_cap_s" : "retry_base_s",
                 "the longest backoff (retry_cap_s, %u) must not be less than the first (retry_base_s, %u)",
                 settings.retry_cap_s, settings.retry_base_s);
}

static void
check_printer_group (KioskConfigPrivate *priv,
                     Problems           *problems)
{
  static const struct { const char *key; const char *kind; } only_for[] = {
    { "path", "file" }, { "format", "file" }, { "queue", "cups" }, { "server", "cups" },
    { "device", "escpos" }, { "native_qr", "escpos" }, { "codepage", "escpos" }, { "query_status", "escpos" },
  };
  GKeyFile *keyfile = priv->pub.keyfile;
  const char *group = "printer";
  g_autofree char *kind = NULL;
  g_autofree char *paper = NULL;
  g_autofree char *format = NULL;
  g_autofree char *codepage = NULL;
  g_autofree char *path = NULL;
  g_autofree char *server = NULL;
  g_autofree char *device = NULL;
  KioskPaper paper_value = KIOSK_PAPER_80MM;
  guint timeout = 0;

  if (!g_key_file_has_group (keyfile, group))
    return;
  check_unknown_keys (priv, problems, group, printer_keys, NULL);
  kind = check_choice (priv, problems, group, "kind", printer_kinds);
  if (kind == NULL && g_key_file_has_key (keyfile, group, "kind", NULL))
    return;   /* the other keys depend on the kind */
  if (kind == NULL)
    kind = g_strdup ("none");

  paper = get_string (priv, problems, group, "paper");
  if (paper != NULL && !kiosk_paper_from_string (paper, &paper_value))
    add_problem (problems, FALSE, origin_of (priv, group, "paper"), group, "paper",
                 "\"%s\" must be 58, 80 or a4", paper);
  check_number (priv, problems, group, "timeout", 1, 300, " of seconds", &timeout);

  for (gsize i = 0; i < G_N_ELEMENTS (only_for); i++)
    if (g_key_file_has_key (keyfile, group, only_for[i].key, NULL) && strcmp (kind, only_for[i].kind) != 0)
      add_problem (problems, TRUE, origin_of (priv, group, only_for[i].key), group, only_for[i].key,
                   "has no effect with kind=%s (it is for kind=%s)", kind, only_for[i].kind);

  if (strcmp (kind, "file") == 0)
    {
      path = get_path (priv, problems, group, "path");
      format = check_choice (priv, problems, group, "format", (const char *const[]) { "pdf", "png", "escpos", NULL });
      if (path == NULL && !g_key_file_has_key (keyfile, group, "path", NULL))
        add_problem (problems, FALSE, group_origin_of (priv, group), group, "path",
                     "is missing: kind=file needs path=FILE, where the receipt is written");
      else if (path != NULL)
        {
          g_autofree char *dir = g_path_get_dirname (path);

          if (!g_file_test (dir, G_FILE_TEST_IS_DIR))
            add_problem (problems, FALSE, origin_of (priv, group, "path"), group, "path",
                         "the directory %s does not exist", dir);
          else if (g_file_test (path, G_FILE_TEST_IS_DIR))
            add_problem (problems, FALSE, origin_of (priv, group, "path"), group, "path",
                         "%s is a directory; give a file name", path);
          else
            {
              struct stat link_st, st;

              /* as kiosk_printer_write_output() takes it: a file, a device
               * or FIFO, a link only to a device or FIFO */
              if (lstat (path, &link_st) == 0 && S_ISLNK (link_st.st_mode)
                  && !(stat (path, &st) == 0 && (S_ISCHR (st.st_mode) || S_ISFIFO (st.st_mode))))
                add_problem (problems, FALSE, origin_of (priv, group, "path"), group, "path",
                             "%s is a symbolic link to something other than a device or FIFO; the printer "
                             "neither replaces it nor writes through it: give the path of the file itself", path);
              else if (lstat (path, &link_st) == 0 && !S_ISLNK (link_st.st_mode) && !S_ISREG (link_st.st_mode)
                       && !S_ISCHR (link_st.st_mode) && !S_ISFIFO (link_st.st_mode))
                add_problem (problems, FALSE, origin_of (priv, group, "path"), group, "path",
                             "%s is %s; give the path of a file, a printer device or a FIFO",
                             path, kiosk_file_describe_type (link_st.st_mode));
            }
        }
    }
  else if (strcmp (kind, "cups") == 0)
    {
      server = get_string (priv, problems, group, "server");
      if (server != NULL && server[0] == '/')
        {
          if (!g_file_test (server, G_FILE_TEST_EXISTS))
            add_problem (problems, TRUE, origin_of (priv, group, "server"), group, "server",
                         "the socket %s does not exist (is cupsd running?)", server);
        }
      else if (server != NULL)
        {
          const char *colon = strrchr (server, ':');
          const char *bracket = strrchr (server, ']');
          guint64 port = 0;

          if (server[0] == ':' || (colon != NULL && (bracket == NULL || bracket < colon)
                                   && !g_ascii_string_to_unsigned (colon + 1, 10, 1, 65535, &port, NULL)))
            add_problem (problems, FALSE, origin_of (priv, group, "server"), group, "server",
                         "\"%s\" must be HOST, HOST:PORT (port 1 to 65535) or a socket path", server);
        }
    }
  else if (strcmp (kind, "escpos") == 0)
    {
      device = get_string (priv, problems, group, "device");
      codepage = check_choice (priv, problems, group, "codepage", (const char *const[]) { "cp858", "ascii", NULL });
      check_boolean (priv, problems, group, "native_qr");
      check_boolean (priv, problems, group, "query_status");
      if (device == NULL && !g_key_file_has_key (keyfile, group, "device", NULL))
        add_problem (problems, FALSE, group_origin_of (priv, group), group, "device",
                     "is missing: kind=escpos needs device=/dev/usb/lp0 or device=tcp://HOST:9100");
      else if (device != NULL && g_str_has_prefix (device, "tcp://"))
        {
          g_autoptr(GSocketConnectable) address = g_network_address_parse_uri (device, 9100, NULL);

          if (address == NULL)
            add_problem (problems, FALSE, origin_of (priv, group, "device"), group, "device",
                         "\"%s\" is not tcp://HOST or tcp://HOST:PORT", device);
        }
      else if (device != NULL && device[0] != '/')
        add_problem (problems, FALSE, origin_of (priv, group, "device"), group, "device",
                     "\"%s\" must be an absolute path (/dev/usb/lp0) or tcp://HOST:PORT", device);
      else if (device != NULL && !g_file_test (device, G_FILE_TEST_EXISTS))
        add_problem (problems, TRUE, origin_of (priv, group, "device"), group, "device",
                     "%s does not exist (is the printer connected and switched on?)", device);
      if (paper != NULL && paper_value == KIOSK_PAPER_A4)
        add_problem (problems, FALSE, origin_of (priv, group, "paper"), group, "paper",
                     "an ESC/POS printer takes paper=58 or paper=80");
    }
}

static void
check_receipt_group (KioskConfigPrivate *priv,
                     Problems           *problems)
{
  GKeyFile *keyfile = priv->pub.keyfile;
  const char *group = "receipt";
  g_autofree char *url = NULL;
  g_autofree char *key_text = NULL;
  g_autofree char *key_file = NULL;
  guint length = 0;

  if (!g_key_file_has_group (keyfile, group))
    return;
  check_unknown_keys (priv, problems, group, receipt_keys, receipt_localised);
  url = get_string (priv, problems, group, "status_url");
  if (url != NULL
      && (!(g_str_has_prefix (url, "https://") || g_str_has_prefix (url, "http://"))
          || !g_uri_is_valid (url, G_URI_FLAGS_NONE, NULL)
          || strpbrk (url, "# \t") != NULL))
    add_problem (problems, FALSE, origin_of (priv, group, "status_url"), group, "status_url",
                 "\"%s\" must be an http(s) URL without a fragment, such as "
                 "https://buergerbuero.example/status", url);
  check_number (priv, problems, group, "mac_length", 8, 64, " of hex digits", &length);

  key_text = get_string (priv, problems, group, "mac_key");
  key_file = get_path (priv, problems, group, "mac_key_file");
  if (key_text != NULL && key_file != NULL)
    add_problem (problems, FALSE, origin_of (priv, group, "mac_key_file"), group, "mac_key_file",
                 "set either mac_key or mac_key_file, not both");
  else if (key_text != NULL)
    {
      if (strlen (key_text) < 16)
        add_problem (problems, FALSE, origin_of (priv, group, "mac_key"), group, "mac_key",
                     "the MAC key must be at least 16 bytes long");
      check_private_mode (problems, origin_of (priv, group, "mac_key"), group, "mac_key",
                          origin_of (priv, group, "mac_key"), " holds the receipt MAC key and",
                          "restrict it with chmod 600, or move the key to mac_key_file");
      memset (key_text, 0, strlen (key_text));
    }
  else if (key_file != NULL)
    {
      g_autofree char *contents = NULL;
      g_autoptr(GError) error = NULL;
      gsize size = 0, key_length;

      /* a regular file of a secret's size, wiped after use */
      if (!kiosk_file_read_secret (key_file, KIOSK_FILE_MAX_SECRET, &contents, &size, &error))
        {
          add_problem (problems, FALSE, origin_of (priv, group, "mac_key_file"), group, "mac_key_file",
                       "cannot be read: %s", error->message);
          return;
        }
      key_length = size;
      while (key_length > 0 && (contents[key_length - 1] == '\n' || contents[key_length - 1] == '\r'))
        key_length--;
      explicit_bzero (contents, size);
      if (key_length < 16)
        add_problem (problems, FALSE, origin_of (priv, group, "mac_key_file"), group, "mac_key_file",
                     "%s holds %" G_GSIZE_FORMAT " bytes; the MAC key must be at least 16 bytes long",
                     key_file, key_length);
      check_private_mode (problems, origin_of (priv, group, "mac_key_file"), group, "mac_key_file",
                          key_file, "", "restrict it with chmod 600");
    }
}

/* [queue]: retention (docs/queue.md). */
static void
check_queue_group (KioskConfigPrivate *priv,
                   Problems           *problems)
{
  static const char *const queue_keys[] = { "purge_after", "keep_days", "tombstone_days", NULL };
  if (!g_key_file_has_group (priv->pub.keyfile, "queue"))
    return;
  check_unknown_keys (priv, problems, "queue", queue_keys, NULL);
  g_free (check_choice (priv, problems, "queue", "purge_after", (const char *const[]) { "submitted", "accepted", NULL }));
  for (gsize i = 1; i < 3; i++)
    {
      guint days;

      check_number (priv, problems, "queue", queue_keys[i], 0, 36500, " of days", &days);
    }
}

/* [clerk] pin_hash: a hash the panel can use; a short PIN is quickly
 * found from a readable hash. */
static void
check_clerk_group (KioskConfigPrivate *priv,
                   Problems           *problems)
{
  static const char *const clerk_keys[] = { "pin_hash", NULL };
  const char *origin = origin_of (priv, "clerk", "pin_hash");
  g_autofree char *stored = NULL;
  g_autoptr(GError) error = NULL;

  if (!g_key_file_has_group (priv->pub.keyfile, "clerk"))
    return;
  check_unknown_keys (priv, problems, "clerk", clerk_keys, NULL);
  stored = get_string (priv, problems, "clerk", "pin_hash");
  if (stored != NULL && !kiosk_pin_hash_check (stored, &error))
    add_problem (problems, FALSE, origin, "clerk", "pin_hash", "%s; the clerk panel cannot be opened", error->message);
  check_private_mode (problems, origin, "clerk", "pin_hash", origin, " holds the clerk PIN hash and",
                      "a short PIN is quickly found from its hash: restrict the file with chmod 600 "
                      "(owned by the kiosk's user), or move pin_hash into a drop-in that is");
}

gboolean
kiosk_config_check_files (const KioskConfig  *config,
                          GDateTime          *now,
                          GPtrArray          *problems)
{
  KioskConfigPrivate *priv = (KioskConfigPrivate *) config;
  Problems p = { problems, 0, FALSE };
  g_autoptr(GDateTime) now_owned = NULL;

  g_return_val_if_fail (config != NULL, FALSE);
  g_return_val_if_fail (problems != NULL, FALSE);

  if (now == NULL)
    now = now_owned = g_date_time_new_now_utc ();
  check_secret_file (priv, &p);
  check_ca_file (priv, &p);
  for (guint i = 0; i < config->destinations->len; i++)
    check_destination_key (priv, &p, g_ptr_array_index (config->destinations, i), now);
  check_sync_group (priv, &p);
  check_printer_group (priv, &p);
  check_receipt_group (priv, &p);
  check_queue_group (priv, &p);
  check_clerk_group (priv, &p);
  return p.n_errors == 0;
}
