/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The configuration module: reading kiosk.conf and its drop-ins into one
 * key file (with the file every key came from), the [kiosk] group, and
 * kiosk_config_check_files(), which hands each group to the module that
 * owns it (config-groups.c). [platform] is in config-platform.c,
 * [destination NAME] in config-destination.c, the checkers' helpers in
 * config-check.c. */
#define G_LOG_DOMAIN "antragskiosk-config"

#include "config.h"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>

#include <gio/gio.h>

#include "antragskiosk/file.h"
#include "config-private.h"

/* From glib-compile-resources (resources/antragskiosk-demo.gresource.xml). */
GResource *kiosk_demo_get_resource (void);

G_DEFINE_QUARK (kiosk-config-error-quark, kiosk_config_error)

#define DEMO_RESOURCE   "/de/antragskiosk/demo/kiosk.conf"
#define SYSTEM_DATA_DIR "/var/lib/antragskiosk"

static const char *const kiosk_keys[] = {
  "id", "location", "data_dir", "forms_dir",
  "idle_timeout_s", "onscreen_keyboard",   /* read by the kiosk window */
  NULL
};

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
          g_hash_table_replace (priv->origins, _kiosk_config_origin_key (groups[i], keys[j]), g_strdup (file));
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
           KioskConfigCheck           *problems,
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
        _kiosk_config_add_problem_at (problems, FALSE, file, NULL, NULL, "the file does not exist");
      else if (error->domain == KIOSK_FILE_ERROR)
        _kiosk_config_add_problem_at (problems, FALSE, file, NULL, NULL, "cannot be used: %s", error->message);
      else
        _kiosk_config_add_problem_at (problems, FALSE, file, NULL, NULL, "cannot be read: %s", error->message);
      return FALSE;
    }
  if (!g_key_file_load_from_data (source, data, length, G_KEY_FILE_NONE, &error))
    {
      g_autofree char *where = describe_syntax_error (data, length);

      _kiosk_config_add_problem_at (problems, FALSE, file, NULL, NULL,
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
              KioskConfigCheck           *problems)
{
  g_autofree char *value = kiosk_config_check_string (problems, "kiosk", "data_dir");

  if (value == NULL)
    return NULL;
  if (g_uri_peek_scheme (value) != NULL && strstr (value, "://") != NULL)
    {
      _kiosk_config_add_problem_at (problems, FALSE, _kiosk_config_origin_of (priv, "kiosk", "data_dir"), "kiosk", "data_dir",
                   "\"%s\" is a URI; give the path of a directory, such as /var/lib/antragskiosk", value);
      return NULL;
    }
  return _kiosk_config_resolve_path (value, _kiosk_config_origin_of (priv, "kiosk", "data_dir"));
}

/* The queue's directory (set or default): an absolute path other than /,
 * a directory or one that can be created (its nearest existing ancestor a
 * directory), not writable by others (an error: anyone could replace the
 * queue of personal data) and preferably not by the group (a warning). */
static void
check_data_dir (KioskConfigPrivate *priv,
                KioskConfigCheck           *problems)
{
  const char *dir = priv->pub.data_dir;
  const char *origin = _kiosk_config_origin_of (priv, "kiosk", "data_dir");
  g_autofree char *canonical = NULL;
  g_autofree char *ancestor = NULL;
  struct stat st;

  if (origin == NULL && !priv->pub.is_demo && priv->pub.files->len > 0)
    origin = g_ptr_array_index (priv->pub.files, 0);
  if (!g_path_is_absolute (dir))
    {
      _kiosk_config_add_problem_at (problems, FALSE, origin, "kiosk", "data_dir",
                   "\"%s\" is not an absolute path; give the queue's directory, such as /var/lib/antragskiosk", dir);
      return;
    }
  canonical = g_canonicalize_filename (dir, NULL);
  if (strcmp (canonical, "/") == 0)
    {
      _kiosk_config_add_problem_at (problems, FALSE, origin, "kiosk", "data_dir",
                   "is the root directory; give the queue a directory of its own, such as /var/lib/antragskiosk");
      return;
    }
  if (stat (canonical, &st) == 0)
    {
      if (!S_ISDIR (st.st_mode))
        _kiosk_config_add_problem_at (problems, FALSE, origin, "kiosk", "data_dir",
                     "%s is %s, not a directory", canonical, kiosk_file_describe_type (st.st_mode));
      else if ((st.st_mode & S_IWOTH) != 0)
        _kiosk_config_add_problem_at (problems, FALSE, origin, "kiosk", "data_dir",
                     "%s can be changed by anyone (mode %04o): they could replace or remove the queue; "
                     "restrict it with chmod 700 (owned by the kiosk's user)",
                     canonical, (unsigned) (st.st_mode & 07777));
      else if ((st.st_mode & S_IWGRP) != 0)
        _kiosk_config_add_problem_at (problems, TRUE, origin, "kiosk", "data_dir",
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
    _kiosk_config_add_problem_at (problems, FALSE, origin, "kiosk", "data_dir",
                 "%s cannot be created: %s is %s, not a directory",
                 canonical, ancestor, kiosk_file_describe_type (st.st_mode));
}

static void
validate_kiosk (KioskConfigPrivate *priv,
                KioskConfigCheck           *problems)
{
  KioskConfig *config = &priv->pub;
  g_autofree char *id = NULL;

  if (!g_key_file_has_group (config->keyfile, "kiosk"))
    {
      _kiosk_config_add_problem_at (problems, FALSE, config->files->len > 0 ? g_ptr_array_index (config->files, 0) : NULL,
                   "kiosk", NULL, "the group is missing; it needs at least id=");
      return;
    }
  id = kiosk_config_check_string (problems, "kiosk", "id");
  if (id == NULL && !g_key_file_has_key (config->keyfile, "kiosk", "id", NULL))
    _kiosk_config_add_problem_at (problems, FALSE, _kiosk_config_group_origin_of (priv, "kiosk"), "kiosk", "id",
                 "is missing; every terminal needs an id (letters, digits, '-', '_', '.')");
  else if (id != NULL && !_kiosk_config_is_name (id, 64))
    _kiosk_config_add_problem_at (problems, FALSE, _kiosk_config_origin_of (priv, "kiosk", "id"), "kiosk", "id",
                 "must be 1 to 64 letters, digits, '-', '_' or '.', starting with a letter or digit");
  else if (id != NULL)
    config->kiosk_id = g_steal_pointer (&id);

  config->location = kiosk_config_check_string (problems, "kiosk", "location");
  config->data_dir = get_data_dir (priv, problems);
  config->forms_dir = kiosk_config_check_path (problems, "kiosk", "forms_dir");

  {
    g_autofree char *text = kiosk_config_check_string (problems, "kiosk", "idle_timeout_s");
    guint64 seconds = 0;

    if (text != NULL && !g_ascii_string_to_unsigned (text, 10, KIOSK_CONFIG_IDLE_TIMEOUT_MIN_S,
                                                     KIOSK_CONFIG_IDLE_TIMEOUT_MAX_S, &seconds, NULL))
      _kiosk_config_add_problem_at (problems, FALSE, _kiosk_config_origin_of (priv, "kiosk", "idle_timeout_s"), "kiosk", "idle_timeout_s",
                   "\"%s\" is not a whole number of seconds from %u to %u", text,
                   KIOSK_CONFIG_IDLE_TIMEOUT_MIN_S, KIOSK_CONFIG_IDLE_TIMEOUT_MAX_S);
    else if (text != NULL)
      config->idle_timeout_s = (guint) seconds;
  }
  {
    g_autofree char *text = kiosk_config_check_string (problems, "kiosk", "onscreen_keyboard");

    /* as GKeyFile reads booleans */
    if (text != NULL && !_kiosk_config_strv_has ((const char *const[]) { "true", "false", "1", "0", NULL }, text))
      _kiosk_config_add_problem_at (problems, FALSE, _kiosk_config_origin_of (priv, "kiosk", "onscreen_keyboard"), "kiosk", "onscreen_keyboard",
                   "\"%s\" must be true or false", text);
    else if (text != NULL)
      config->onscreen_keyboard = strcmp (text, "true") == 0 || strcmp (text, "1") == 0;
  }
}

/* The names of every group, for "did you mean" and the list of known
 * groups. */
static GPtrArray *
known_group_names (void)
{
  GPtrArray *names = g_ptr_array_new ();

  g_ptr_array_add (names, (gpointer) "kiosk");
  g_ptr_array_add (names, (gpointer) "platform");
  g_ptr_array_add (names, (gpointer) "destination NAME");
  for (gsize i = 0; _kiosk_config_module_groups[i].group != NULL; i++)
    g_ptr_array_add (names, (gpointer) _kiosk_config_module_groups[i].group);
  g_ptr_array_add (names, NULL);
  return names;
}

static gboolean
is_module_group (const char *group)
{
  for (gsize i = 0; _kiosk_config_module_groups[i].group != NULL; i++)
    if (strcmp (_kiosk_config_module_groups[i].group, group) == 0)
      return TRUE;
  return FALSE;
}

static void
report_unknown_group (KioskConfigCheck *check,
                      const char       *group)
{
  g_autoptr(GPtrArray) names = known_group_names ();
  const char *const *known = (const char *const *) names->pdata;
  const char *suggestion = _kiosk_config_did_you_mean (group, known);
  g_autofree char *first = g_strdup (group);
  char *space = strchr (first, ' ');
  g_autoptr(GString) list = g_string_new (NULL);

  /* "destinaton foo" → "destination foo" */
  if (space != NULL)
    {
      *space = '\0';
      if (_kiosk_config_did_you_mean (first, (const char *const[]) { "destination", NULL }) != NULL)
        {
          kiosk_config_check_add (check, FALSE, group, NULL,
                                  "unknown group; did you mean [destination %s]?", space + 1);
          return;
        }
    }
  if (suggestion != NULL)
    {
      kiosk_config_check_add (check, FALSE, group, NULL, "unknown group; did you mean [%s]?", suggestion);
      return;
    }
  for (gsize i = 0; known[i] != NULL; i++)
    g_string_append_printf (list, "%s[%s]", i > 0 ? ", " : "", known[i]);
  kiosk_config_check_add (check, FALSE, group, NULL, "unknown group (known: %s)", list->str);
}

/* [destination NAME]: NULL (reported) when the name is missing. */
static const char *
destination_name (KioskConfigCheck *check,
                  const char       *group)
{
  const char *name;

  if (!(g_str_has_prefix (group, "destination ") || strcmp (group, "destination") == 0))
    return NULL;
  name = group + strlen ("destination");
  while (*name == ' ')
    name++;
  if (*name == '\0')
    kiosk_config_check_add (check, FALSE, group, NULL, "a destination needs a name: [destination NAME]");
  return name;
}

/* The groups this module reads; the others' keys are checked by their
 * modules (kiosk_config_check_files), unknown groups here. */
static void
validate (KioskConfigPrivate *priv,
          KioskConfigCheck   *check)
{
  KioskConfig *config = &priv->pub;
  g_auto(GStrv) groups = g_key_file_get_groups (config->keyfile, NULL);
  g_autoptr(GHashTable) routed = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_autoptr(GHashTable) ids = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);

  validate_kiosk (priv, check);
  _kiosk_config_load_platform (check);

  for (gsize i = 0; groups[i] != NULL; i++)
    {
      const char *group = groups[i];
      const char *name = destination_name (check, group);

      if (strcmp (group, "kiosk") == 0)
        kiosk_config_check_unknown_keys (check, group, kiosk_keys, NULL);
      else if (strcmp (group, "platform") == 0)
        kiosk_config_check_unknown_keys (check, group, _kiosk_config_platform_keys, NULL);
      else if (name != NULL && *name != '\0')
        {
          _kiosk_config_load_destination (check, group, name, routed, ids);
          kiosk_config_check_unknown_keys (check, group, _kiosk_config_destination_keys, NULL);
        }
      else if (name == NULL && !is_module_group (group))
        report_unknown_group (check, group);
    }

  if (config->destinations->len == 0 && check->n_errors == 0)
    _kiosk_config_add_problem_at (check, TRUE, config->files->len > 0 ? g_ptr_array_index (config->files, 0) : NULL,
                                  NULL, NULL, "no [destination NAME] group: no form can be submitted on this terminal");
}

/* ---- loading ---------------------------------------------------------------- */

static KioskConfigPrivate *
config_new (void)
{
  KioskConfigPrivate *priv = g_new0 (KioskConfigPrivate, 1);

  priv->pub.destinations = g_ptr_array_new_with_free_func ((GDestroyNotify) _kiosk_config_destination_free);
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
        KioskConfigCheck            *problems,
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
  KioskConfigCheck problems = { priv, g_ptr_array_new_with_free_func ((GDestroyNotify) kiosk_config_problem_free), 0, FALSE, NULL };
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
  KioskConfigCheck problems = { priv, g_ptr_array_new_with_free_func ((GDestroyNotify) kiosk_config_problem_free), 0, FALSE, NULL };

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

const char *
kiosk_config_get_origin (const KioskConfig *config,
                         const char        *group,
                         const char        *key)
{
  g_return_val_if_fail (config != NULL, NULL);
  return _kiosk_config_origin_of ((KioskConfigPrivate *) config, group, key);
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
  return _kiosk_config_resolve_path (value, kiosk_config_get_origin (config, group, key));
}

/* ---- checking what the configuration points to -------------------------- */

gboolean
kiosk_config_check_files (const KioskConfig  *config,
                          GDateTime          *now,
                          GPtrArray          *problems)
{
  KioskConfigCheck check = { (KioskConfigPrivate *) config, problems, 0, FALSE, NULL };
  g_autoptr(GDateTime) now_owned = NULL;

  g_return_val_if_fail (config != NULL, FALSE);
  g_return_val_if_fail (problems != NULL, FALSE);

  check.now = now != NULL ? now : (now_owned = g_date_time_new_now_utc ());
  _kiosk_config_check_platform_files (&check);
  for (guint i = 0; i < config->destinations->len; i++)
    _kiosk_config_check_destination_files (&check, g_ptr_array_index (config->destinations, i));
  for (gsize i = 0; _kiosk_config_module_groups[i].group != NULL; i++)
    if (g_key_file_has_group (config->keyfile, _kiosk_config_module_groups[i].group))
      _kiosk_config_module_groups[i].check (&check, _kiosk_config_module_groups[i].group);
  return check.n_errors == 0;
}
