/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "antragskiosk-test-config"

#include "config.h"

#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib.h>
#include <glib/gstdio.h>

#include <antragskiosk/config.h>
#include <antragskiosk/file.h>

#include "testca.h"

#define UUID_A "0f9d4c1e-6c51-4f3e-9a43-2a5f7f7e1a01"
#define UUID_B "5d2b8a90-1b7c-4e26-8f0a-6c3e9d4b2f02"

static char *ca_dir;   /* test PKI, for key checks */

typedef struct {
  char *dir;           /* a temporary directory per test */
} Fixture;

static void
write_file (const char *dir,
            const char *name,
            const char *contents)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  g_autofree char *parent = g_path_get_dirname (path);
  g_autoptr(GError) error = NULL;

  g_assert_cmpint (g_mkdir_with_parents (parent, 0700), ==, 0);
  g_file_set_contents (path, contents, -1, &error);
  g_assert_no_error (error);
}

static void
remove_tree (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  for (name = dir != NULL ? g_dir_read_name (dir) : NULL; name != NULL; name = g_dir_read_name (dir))
    {
      g_autofree char *child = g_build_filename (path, name, NULL);

      if (g_file_test (child, G_FILE_TEST_IS_DIR) && !g_file_test (child, G_FILE_TEST_IS_SYMLINK))
        remove_tree (child);
      else
        g_unlink (child);
    }
  g_rmdir (path);
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  fixture->dir = g_dir_make_tmp ("antragskiosk-config-XXXXXX", &error);
  g_assert_no_error (error);
  g_unsetenv ("ANTRAGSKIOSK_CONFIG");
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  remove_tree (fixture->dir);
  g_free (fixture->dir);
  g_unsetenv ("ANTRAGSKIOSK_CONFIG");
}

static char *
path_in (Fixture    *fixture,
         const char *name)
{
  return g_build_filename (fixture->dir, name, NULL);
}

/* A complete, valid configuration (keys not checked by load). */
static const char *valid_conf =
  "[kiosk]\n"
  "id=rathaus-1\n"
  "location=Bürgerbüro Mitte\n"
  "data_dir=data\n"
  "\n"
  "[destination meldeamt]\n"
  "destination_id=" UUID_A "\n"
  "key_file=keys/meldeamt.jwk\n"
  "trust_anchor=/etc/ssl/root.pem\n"
  "forms=meldebescheinigung;anwohnerparken\n"
  "\n"
  "[destination gewerbeamt]\n"
  "destination_id=" UUID_B "\n"
  "key_file=gewerbe.jwk\n"
  "trust_anchor=gewerbe-root.pem\n"
  "forms=*\n";

/* Loads @conf (written as kiosk.conf) and returns the problems as
 * "file: [group] key: message" strings with the fixture dir replaced by
 * "DIR"; the config in @out (may be NULL). */
static GPtrArray *
load_text (Fixture      *fixture,
           const char   *conf,
           KioskConfig **out)
{
  g_autofree char *path = path_in (fixture, "kiosk.conf");
  g_autoptr(GPtrArray) problems = NULL;
  g_autoptr(GError) error = NULL;
  KioskConfig *config;
  GPtrArray *strings = g_ptr_array_new_with_free_func (g_free);

  write_file (fixture->dir, "kiosk.conf", conf);
  config = kiosk_config_load (path, &problems, &error);
  g_assert_nonnull (problems);
  for (guint i = 0; i < problems->len; i++)
    {
      KioskConfigProblem *problem = g_ptr_array_index (problems, i);
      g_autofree char *text = kiosk_config_problem_to_string (problem);
      g_auto(GStrv) pieces = g_strsplit (text, fixture->dir, -1);
      g_autofree char *joined = g_strjoinv ("DIR", pieces);

      g_ptr_array_add (strings, g_strdup_printf ("%s%s", problem->warning ? "warning: " : "", joined));
    }
  /* Errors ⇔ NULL with an error set. */
  {
    gboolean has_error = FALSE;

    for (guint i = 0; i < problems->len; i++)
      if (!((KioskConfigProblem *) g_ptr_array_index (problems, i))->warning)
        has_error = TRUE;
    g_assert_true (has_error == (config == NULL));
    g_assert_true (has_error == (error != NULL));
    if (error != NULL)
      g_assert_true (error->domain == KIOSK_CONFIG_ERROR);
  }
  if (out != NULL)
    *out = config;
  else
    kiosk_config_free (config);
  return strings;
}

static void
assert_problem (GPtrArray  *strings,
                const char *expected)
{
  for (guint i = 0; i < strings->len; i++)
    if (strcmp (g_ptr_array_index (strings, i), expected) == 0)
      return;
  for (guint i = 0; i < strings->len; i++)
    g_printerr ("  got: %s\n", (char *) g_ptr_array_index (strings, i));
  g_error ("expected problem not found: %s", expected);
}

static void
assert_problem_prefix (GPtrArray  *strings,
                       const char *prefix)
{
  for (guint i = 0; i < strings->len; i++)
    if (g_str_has_prefix (g_ptr_array_index (strings, i), prefix))
      return;
  for (guint i = 0; i < strings->len; i++)
    g_printerr ("  got: %s\n", (char *) g_ptr_array_index (strings, i));
  g_error ("no problem starts with: %s", prefix);
}

static void
test_valid (Fixture       *fixture,
            gconstpointer  data)
{
  KioskConfig *config = NULL;
  g_autoptr(GPtrArray) problems = load_text (fixture, valid_conf, &config);
  g_autofree char *expected_data = path_in (fixture, "data");
  g_autofree char *expected_key = path_in (fixture, "keys/meldeamt.jwk");
  g_autofree char *expected_anchor = path_in (fixture, "gewerbe-root.pem");
  g_autofree char *conf_path = path_in (fixture, "kiosk.conf");
  const KioskDestinationConfig *d;

  g_assert_cmpuint (problems->len, ==, 0);
  g_assert_nonnull (config);
  g_assert_false (config->is_demo);
  g_assert_cmpstr (config->kiosk_id, ==, "rathaus-1");
  g_assert_cmpstr (config->location, ==, "Bürgerbüro Mitte");
  g_assert_cmpstr (config->data_dir, ==, expected_data);
  g_assert_null (config->token_url);
  g_assert_cmpuint (config->files->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (config->files, 0), ==, conf_path);
  g_assert_cmpuint (config->destinations->len, ==, 2);

  d = kiosk_config_destination_for_form (config, "meldebescheinigung");
  g_assert_cmpstr (d->name, ==, "meldeamt");
  g_assert_cmpstr (d->destination_id, ==, UUID_A);
  g_assert_cmpstr (d->key_file, ==, expected_key);
  g_assert_cmpstr (d->trust_anchor, ==, "/etc/ssl/root.pem");
  g_assert_cmpstr (d->forms[1], ==, "anwohnerparken");
  g_assert_null (d->forms[2]);
  /* "*" takes every other form. */
  d = kiosk_config_destination_for_form (config, "gewerbeanmeldung");
  g_assert_cmpstr (d->name, ==, "gewerbeamt");
  g_assert_cmpstr (d->trust_anchor, ==, expected_anchor);
  g_assert_cmpstr (kiosk_config_get_origin (config, "kiosk", "id"), ==, conf_path);
  kiosk_config_free (config);
}

static void
test_defaults (Fixture       *fixture,
               gconstpointer  data)
{
  KioskConfig *config = NULL;
  g_autoptr(GPtrArray) problems = load_text (fixture,
    "[kiosk]\nid=k1\n[destination a]\ndestination_id=" UUID_A "\nkey_file=k\ntrust_anchor=t\nforms=f1\n",
    &config);
  g_autofree char *forms_dir = g_build_filename (SYSCONFDIR, "antragskiosk", "forms", NULL);

  g_assert_cmpuint (problems->len, ==, 0);
  /* A configuration file means a system installation. */
  g_assert_cmpstr (config->data_dir, ==, "/var/lib/antragskiosk");
  g_assert_cmpstr (config->forms_dir, ==, forms_dir);
  g_assert_cmpstr (config->location, ==, "");
  g_assert_null (kiosk_config_destination_for_form (config, "other"));
  kiosk_config_free (config);
}

static void
test_demo (Fixture       *fixture,
           gconstpointer  data)
{
  g_autoptr(GPtrArray) problems = NULL;
  g_autoptr(GError) error = NULL;
  /* An empty system directory: no kiosk.conf, no drop-ins. */
  g_autoptr(KioskConfig) config = kiosk_config_load_lookup (fixture->dir, &problems, &error);
  g_autofree char *data_dir = g_build_filename (g_get_user_data_dir (), "antragskiosk", NULL);
  const KioskDestinationConfig *d;

  g_assert_no_error (error);
  g_assert_cmpuint (problems->len, ==, 0);
  g_assert_true (config->is_demo);
  g_assert_cmpuint (config->files->len, ==, 0);
  g_assert_cmpstr (config->kiosk_id, ==, "demo");
  g_assert_cmpstr (config->location, ==, "Demo-Bürgerbüro");
  g_assert_cmpstr (config->data_dir, ==, data_dir);
  g_assert_null (config->token_url);
  g_assert_cmpuint (config->destinations->len, ==, 1);
  d = kiosk_config_destination_for_form (config, "any-form-at-all");
  g_assert_nonnull (d);
  g_assert_cmpstr (d->name, ==, "demo");
  g_assert_true (g_str_has_prefix (d->key_file, "resource:///"));

  /* The demo key is good for years. */
  {
    g_autoptr(GPtrArray) file_problems = g_ptr_array_new_with_free_func ((GDestroyNotify) kiosk_config_problem_free);

    g_assert_true (kiosk_config_check_files (config, NULL, file_problems));
    g_assert_cmpuint (file_problems->len, ==, 0);
  }
}

static void
test_lookup (Fixture       *fixture,
             gconstpointer  data)
{
  g_autoptr(GPtrArray) problems = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(KioskConfig) config = NULL;
  g_autoptr(KioskConfig) from_env = NULL;
  g_autofree char *env_conf = NULL;

  write_file (fixture->dir, "antragskiosk/kiosk.conf",
              "[kiosk]\nid=system\nlocation=Rathaus\n"
              "[destination a]\ndestination_id=" UUID_A "\nkey_file=k\ntrust_anchor=t\nforms=*\n");
  config = kiosk_config_load_lookup (fixture->dir, &problems, &error);
  g_assert_no_error (error);
  g_assert_false (config->is_demo);
  g_assert_cmpstr (config->kiosk_id, ==, "system");

  /* ANTRAGSKIOSK_CONFIG replaces the lookup. */
  write_file (fixture->dir, "other.conf",
              "[kiosk]\nid=from-env\n"
              "[destination a]\ndestination_id=" UUID_A "\nkey_file=k\ntrust_anchor=t\nforms=*\n");
  env_conf = path_in (fixture, "other.conf");
  g_setenv ("ANTRAGSKIOSK_CONFIG", env_conf, TRUE);
  g_clear_pointer (&problems, g_ptr_array_unref);
  from_env = kiosk_config_load_lookup (fixture->dir, &problems, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (from_env->kiosk_id, ==, "from-env");
  g_assert_cmpstr (from_env->location, ==, "");

  /* A missing ANTRAGSKIOSK_CONFIG file is an error, not the demo. */
  g_setenv ("ANTRAGSKIOSK_CONFIG", "/nonexistent/kiosk.conf", TRUE);
  g_clear_pointer (&problems, g_ptr_array_unref);
  g_assert_null (kiosk_config_load_lookup (fixture->dir, &problems, &error));
  g_assert_error (error, KIOSK_CONFIG_ERROR, KIOSK_CONFIG_ERROR_INVALID);
  g_assert_nonnull (strstr (error->message, "/nonexistent/kiosk.conf: the file does not exist"));
}

static void
test_dropins (Fixture       *fixture,
              gconstpointer  data)
{
  g_autoptr(GPtrArray) problems = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(KioskConfig) config = NULL;
  g_autofree char *main_conf = NULL;
  g_autofree char *first = NULL;
  g_autofree char *second = NULL;
  g_autofree char *key = NULL;

  write_file (fixture->dir, "antragskiosk/kiosk.conf",
              "[kiosk]\nid=base\nlocation=Base\ndata_dir=/srv/a\n"
              "[destination a]\ndestination_id=" UUID_A "\nkey_file=k.jwk\ntrust_anchor=t\nforms=*\n");
  /* Sorted by name: 10-… before 20-…, whatever the creation order. */
  write_file (fixture->dir, "antragskiosk/kiosk.conf.d/20-site.conf", "[kiosk]\nlocation=Second\n");
  write_file (fixture->dir, "antragskiosk/kiosk.conf.d/10-site.conf",
              "[kiosk]\nid=dropin\nlocation=First\n[destination a]\nkey_file=keys/a.jwk\n");
  /* Not a .conf: ignored. */
  write_file (fixture->dir, "antragskiosk/kiosk.conf.d/30-site.conf.dpkg-old", "[kiosk]\nid=old\n");

  config = kiosk_config_load_lookup (fixture->dir, &problems, &error);
  g_assert_no_error (error);
  /* Key by key: id from 10-, location from 20-, data_dir from the base. */
  g_assert_cmpstr (config->kiosk_id, ==, "dropin");
  g_assert_cmpstr (config->location, ==, "Second");
  g_assert_cmpstr (config->data_dir, ==, "/srv/a");
  main_conf = g_build_filename (fixture->dir, "antragskiosk", "kiosk.conf", NULL);
  first = g_build_filename (fixture->dir, "antragskiosk", "kiosk.conf.d", "10-site.conf", NULL);
  second = g_build_filename (fixture->dir, "antragskiosk", "kiosk.conf.d", "20-site.conf", NULL);
  g_assert_cmpuint (config->files->len, ==, 3);
  g_assert_cmpstr (g_ptr_array_index (config->files, 0), ==, main_conf);
  g_assert_cmpstr (g_ptr_array_index (config->files, 1), ==, first);
  g_assert_cmpstr (g_ptr_array_index (config->files, 2), ==, second);
  /* A path is relative to the file that set it: the drop-in's directory. */
  key = g_build_filename (fixture->dir, "antragskiosk", "kiosk.conf.d", "keys", "a.jwk", NULL);
  g_assert_cmpstr (((KioskDestinationConfig *) g_ptr_array_index (config->destinations, 0))->key_file, ==, key);

  /* --config FILE takes FILE.d/ drop-ins. */
  {
    g_autoptr(KioskConfig) with_file = NULL;
    g_autofree char *file = path_in (fixture, "site.conf");

    write_file (fixture->dir, "site.conf", valid_conf);
    write_file (fixture->dir, "site.conf.d/50-id.conf", "[kiosk]\nid=from-dropin\n");
    g_clear_pointer (&problems, g_ptr_array_unref);
    with_file = kiosk_config_load (file, &problems, &error);
    g_assert_no_error (error);
    g_assert_cmpstr (with_file->kiosk_id, ==, "from-dropin");
    g_assert_cmpuint (with_file->files->len, ==, 2);
  }
}

static void
test_unknown (Fixture       *fixture,
              gconstpointer  data)
{
  g_autoptr(GPtrArray) p = load_text (fixture,
    "[kiosk]\nid=k\nlocaton=x\ncolour=blue\n"
    "[platfrom]\ntoken_url=https://a\n"
    "[destinaton amt]\nforms=*\n"
    "[whatever]\nx=1\n"
    "[destination a]\ndestination_id=" UUID_A "\nkey_file=k\ntrust_anchor=t\nforms=*\nkeyfile=x\n"
    "[queue]\nanything=goes\n", NULL);

  assert_problem (p, "DIR/kiosk.conf: [kiosk] locaton: unknown key; did you mean \"location\"?");
  assert_problem (p, "DIR/kiosk.conf: [kiosk] colour: unknown key");
  assert_problem (p, "DIR/kiosk.conf: [platfrom]: unknown group; did you mean [platform]?");
  assert_problem (p, "DIR/kiosk.conf: [destinaton amt]: unknown group; did you mean [destination amt]?");
  assert_problem_prefix (p, "DIR/kiosk.conf: [whatever]: unknown group (known:");
  assert_problem (p, "DIR/kiosk.conf: [destination a] keyfile: unknown key; did you mean \"key_file\"?");
  /* [queue] belongs to the queue module: not reported here. */
  for (guint i = 0; i < p->len; i++)
    g_assert_false (g_str_has_prefix (g_ptr_array_index (p, i), "DIR/kiosk.conf: [queue]"));
  g_assert_cmpuint (p->len, ==, 6);
}

static void
test_missing (Fixture       *fixture,
              gconstpointer  data)
{
  g_autoptr(GPtrArray) p = load_text (fixture,
    "[kiosk]\nlocation=x\n"
    "[destination a]\nforms=f\n"
    "[destination]\nforms=g\n", NULL);
  g_autoptr(GPtrArray) no_kiosk = NULL;

  assert_problem (p, "DIR/kiosk.conf: [kiosk] id: is missing; every terminal needs an id "
                     "(letters, digits, '-', '_', '.')");
  assert_problem (p, "DIR/kiosk.conf: [destination a] destination_id: is missing");
  /* key_file is optional (issue #14): the key can come from the platform. */
  for (guint i = 0; i < p->len; i++)
    g_assert_false (g_str_has_prefix (g_ptr_array_index (p, i), "DIR/kiosk.conf: [destination a] key_file:"));
  assert_problem (p, "DIR/kiosk.conf: [destination a] trust_anchor: is missing");
  assert_problem (p, "DIR/kiosk.conf: [destination]: a destination needs a name: [destination NAME]");

  no_kiosk = load_text (fixture, "[destination a]\ndestination_id=" UUID_A "\nkey_file=k\ntrust_anchor=t\nforms=*\n", NULL);
  assert_problem (no_kiosk, "DIR/kiosk.conf: [kiosk]: the group is missing; it needs at least id=");
}

static void
test_values (Fixture       *fixture,
             gconstpointer  data)
{
  g_autoptr(GPtrArray) p = load_text (fixture,
    "[kiosk]\nid=has space\ndata_dir=\n"
    "[destination a]\ndestination_id=not-a-uuid\nkey_file=k\ntrust_anchor=t\nforms=good;bad form\n", NULL);

  assert_problem (p, "DIR/kiosk.conf: [kiosk] id: must be 1 to 64 letters, digits, '-', '_' or '.', "
                     "starting with a letter or digit");
  assert_problem (p, "DIR/kiosk.conf: [kiosk] data_dir: is empty; give a value or remove the line");
  assert_problem (p, "DIR/kiosk.conf: [destination a] destination_id: \"not-a-uuid\" is not a UUID "
                     "(like 4b5c7214-aa12-4624-955e-0f7deaabc342)");
  assert_problem (p, "DIR/kiosk.conf: [destination a] forms: \"bad form\" is not a form id "
                     "(letters, digits, '-', '_', '.') or *");
}

static void
test_routing (Fixture       *fixture,
              gconstpointer  data)
{
  g_autoptr(GPtrArray) twice = load_text (fixture,
    "[kiosk]\nid=k\n"
    "[destination a]\ndestination_id=" UUID_A "\nkey_file=k\ntrust_anchor=t\nforms=meldung;parken\n"
    "[destination b]\ndestination_id=" UUID_B "\nkey_file=k\ntrust_anchor=t\nforms=parken\n", NULL);
  g_autoptr(GPtrArray) stars = load_text (fixture,
    "[kiosk]\nid=k\n"
    "[destination a]\ndestination_id=" UUID_A "\nkey_file=k\ntrust_anchor=t\nforms=*\n"
    "[destination b]\ndestination_id=" UUID_B "\nkey_file=k\ntrust_anchor=t\nforms=*\n", NULL);
  g_autoptr(GPtrArray) same_id = load_text (fixture,
    "[kiosk]\nid=k\n"
    "[destination a]\ndestination_id=" UUID_A "\nkey_file=k\ntrust_anchor=t\nforms=x\n"
    "[destination b]\ndestination_id=" UUID_A "\nkey_file=k\ntrust_anchor=t\nforms=y\n", NULL);

  assert_problem (twice, "DIR/kiosk.conf: [destination b] forms: form \"parken\" is also routed to "
                         "[destination a]; a form goes to exactly one destination");
  assert_problem (stars, "DIR/kiosk.conf: [destination b] forms: * (every form) is already routed to "
                         "[destination a]; only one destination can take every remaining form");
  assert_problem (same_id, "warning: DIR/kiosk.conf: [destination b] destination_id: the same "
                           "destination is also configured as [destination a]");
  g_assert_cmpuint (same_id->len, ==, 1);
}

static void
test_platform (Fixture       *fixture,
               gconstpointer  data)
{
  static const char *dest =
    "[destination a]\ndestination_id=" UUID_A "\nkey_file=k\ntrust_anchor=t\nforms=*\n";
  g_autofree char *half_conf = g_strconcat ("[kiosk]\nid=k\n[platform]\ntoken_url=https://t.example/token\n", dest, NULL);
  g_autofree char *http_conf = g_strconcat ("[kiosk]\nid=k\n[platform]\n"
                                            "token_url=http://127.0.0.1/token\n"
                                            "submission_api=ftp://x\nclient_id=c\n"
                                            "client_secret_file=secret\n", dest, NULL);
  g_autofree char *good_conf = g_strconcat ("[kiosk]\nid=k\n[platform]\n"
                                            "token_url=https://auth.example/token\n"
                                            "submission_api=https://api.example/v1\nclient_id=c\n"
                                            "client_secret_file=secret\nca_file=ca.pem\n", dest, NULL);
  g_autoptr(GPtrArray) half = load_text (fixture, half_conf, NULL);
  g_autoptr(GPtrArray) http = load_text (fixture, http_conf, NULL);
  KioskConfig *config = NULL;
  g_autoptr(GPtrArray) good = load_text (fixture, good_conf, &config);
  g_autofree char *secret = path_in (fixture, "secret");
  g_autofree char *ca = path_in (fixture, "ca.pem");

  assert_problem (half, "DIR/kiosk.conf: [platform] submission_api: is missing: the platform is half "
                        "configured; give all of token_url, submission_api, client_id and "
                        "client_secret_file, or remove [platform] to keep submissions queued");
  g_assert_cmpuint (half->len, ==, 3);
  assert_problem_prefix (half, "DIR/kiosk.conf: [platform] client_id: is missing");
  assert_problem_prefix (half, "DIR/kiosk.conf: [platform] client_secret_file: is missing");
  assert_problem (http, "DIR/kiosk.conf: [platform] token_url: \"http://127.0.0.1/token\" is not an "
                        "https:// URL; the platform is only reached over TLS");
  assert_problem (http, "DIR/kiosk.conf: [platform] submission_api: \"ftp://x\" is not an https:// "
                        "URL; the platform is only reached over TLS");

  g_assert_cmpuint (good->len, ==, 0);
  g_assert_cmpstr (config->token_url, ==, "https://auth.example/token");
  g_assert_cmpstr (config->submission_api, ==, "https://api.example/v1");
  g_assert_cmpstr (config->client_id, ==, "c");
  g_assert_cmpstr (config->client_secret_file, ==, secret);
  g_assert_cmpstr (config->ca_file, ==, ca);
  kiosk_config_free (config);
}

static void
test_syntax (Fixture       *fixture,
             gconstpointer  data)
{
  g_autofree char *path = path_in (fixture, "kiosk.conf");
  g_autoptr(GPtrArray) problems = NULL;
  g_autoptr(GError) error = NULL;
  KioskConfig *config;

  write_file (fixture->dir, "kiosk.conf", "[kiosk\nid=x\n");
  config = kiosk_config_load (path, &problems, &error);
  g_assert_null (config);
  g_assert_error (error, KIOSK_CONFIG_ERROR, KIOSK_CONFIG_ERROR_SYNTAX);
  g_assert_true (g_str_has_prefix (error->message, path));
  g_assert_cmpuint (problems->len, ==, 1);
}

/* key_file, trust_anchor, client_secret_file, ca_file: checked by
 * kiosk_config_check_files against the test PKI. */
static void
test_files (Fixture       *fixture,
            gconstpointer  data)
{
  g_autofree char *conf = g_strdup_printf (
    "[kiosk]\nid=k\n"
    "[platform]\ntoken_url=https://a.example/t\nsubmission_api=https://a.example/\n"
    "client_id=c\nclient_secret_file=secret\nca_file=missing-ca.pem\n"
    "[destination good]\ndestination_id=" UUID_A "\nkey_file=%s/valid.jwk\ntrust_anchor=%s/root.pem\nforms=a\n"
    "[destination old]\ndestination_id=" UUID_B "\nkey_file=%s/expired.jwk\ntrust_anchor=%s/root.pem\nforms=b\n"
    "[destination gone]\ndestination_id=6a1f0c3e-2b4d-4e5f-8a9b-0c1d2e3f4a5b\nkey_file=nokey.jwk\n"
    "trust_anchor=%s/root.pem\nforms=c\n"
    "[destination noanchor]\ndestination_id=7b2e1d4f-3c5e-4f60-9b0c-1d2e3f4a5b6c\nkey_file=%s/valid.jwk\n"
    "trust_anchor=noanchor.pem\nforms=d\n",
    ca_dir, ca_dir, ca_dir, ca_dir, ca_dir, ca_dir);
  KioskConfig *config = NULL;
  g_autoptr(GPtrArray) load_problems = load_text (fixture, conf, &config);
  g_autoptr(GPtrArray) problems = g_ptr_array_new_with_free_func ((GDestroyNotify) kiosk_config_problem_free);
  g_autoptr(GDateTime) when = g_date_time_new_utc (2026, 6, 1, 0, 0, 0);
  g_autoptr(GDateTime) near_end = g_date_time_new_utc (2035, 6, 20, 0, 0, 0);
  g_autofree char *secret = path_in (fixture, "secret");
  GPtrArray *strings = g_ptr_array_new_with_free_func (g_free);

  g_assert_cmpuint (load_problems->len, ==, 0);
  g_assert_nonnull (config);
  write_file (fixture->dir, "secret", "s3cr3t\n");
  g_assert_cmpint (g_chmod (secret, 0644), ==, 0);

  g_assert_false (kiosk_config_check_files (config, when, problems));
  for (guint i = 0; i < problems->len; i++)
    {
      KioskConfigProblem *problem = g_ptr_array_index (problems, i);
      g_autofree char *text = kiosk_config_problem_to_string (problem);
      g_auto(GStrv) pieces = g_strsplit (text, fixture->dir, -1);
      g_autofree char *joined = g_strjoinv ("DIR", pieces);
      g_auto(GStrv) pieces2 = g_strsplit (joined, ca_dir, -1);
      g_autofree char *joined2 = g_strjoinv ("CA", pieces2);

      g_ptr_array_add (strings, g_strdup_printf ("%s%s", problem->warning ? "warning: " : "", joined2));
    }
  assert_problem (strings, "warning: DIR/kiosk.conf: [platform] client_secret_file: DIR/secret can be "
                           "read by group or others (mode 0644); restrict it with chmod 600");
  assert_problem_prefix (strings, "DIR/kiosk.conf: [platform] ca_file: cannot be read:");
  assert_problem_prefix (strings, "DIR/kiosk.conf: [destination old] key_file: CA/expired.jwk: the certificate");
  assert_problem_prefix (strings, "DIR/kiosk.conf: [destination gone] key_file: ");
  assert_problem_prefix (strings, "DIR/kiosk.conf: [destination noanchor] trust_anchor: cannot be read:");
  for (guint i = 0; i < strings->len; i++)
    g_assert_null (strstr (g_ptr_array_index (strings, i), "[destination good]"));
  g_assert_cmpuint (strings->len, ==, 5);
  g_ptr_array_unref (strings);

  /* A private secret file, and a key that expires within 30 days. */
  g_assert_cmpint (g_chmod (secret, 0600), ==, 0);
  g_ptr_array_set_size (problems, 0);
  kiosk_config_check_files (config, near_end, problems);
  for (guint i = 0; i < problems->len; i++)
    {
      KioskConfigProblem *problem = g_ptr_array_index (problems, i);

      g_assert_false (problem->group != NULL && strcmp (problem->group, "platform") == 0
                      && strcmp (problem->key, "client_secret_file") == 0);
      if (problem->group != NULL && strcmp (problem->group, "destination good") == 0)
        {
          g_assert_true (problem->warning);
          g_assert_cmpstr (problem->message, ==, "the key's certificate expires on 2035-06-30; "
                                                 "get the destination's new key in time");
        }
    }
  kiosk_config_free (config);
}

/* Issue #18 item 7: check-config said OK to a submission_api with a query
 * or fragment (every submission then failed with 404) or with a space
 * (every sync retried for ever). The load refuses them, so every program
 * refuses what check-config refuses. token_url may have a query (RFC 6749
 * §3.2), never a fragment. */
static void
test_urls (Fixture       *fixture,
           gconstpointer  data)
{
  static const struct { const char *token; const char *api; const char *expected; } cases[] = {
    { "https://a.example/t", "https://api.example/base?x=1",
      "DIR/kiosk.conf: [platform] submission_api: the URL must not have a ?query: the kiosk appends /v1/… "
      "to it; give the API's base, such as https://submission-api.example.de" },
    { "https://a.example/t", "https://api.example/base#top",
      "DIR/kiosk.conf: [platform] submission_api: the URL must not have a #fragment; remove everything from the #" },
    { "https://a.example/t", "https://api.example/my base",
      "DIR/kiosk.conf: [platform] submission_api: the URL contains a space at position 23; remove it, or "
      "write a space as %20" },
    { "https://a.example/t#x", "https://api.example/",
      "DIR/kiosk.conf: [platform] token_url: the URL must not have a #fragment; remove everything from the #" },
    { "https://a.example/t\tx", "https://api.example/",
      "DIR/kiosk.conf: [platform] token_url: the URL contains a control character at position 20; remove it, "
      "or write a space as %20" },
    { "https://user:pw@a.example/t", "https://api.example/",
      "DIR/kiosk.conf: [platform] token_url: the URL must not contain a user name or password; the client "
      "secret belongs in client_secret_file" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *conf = g_strdup_printf ("[kiosk]\nid=k\n[platform]\ntoken_url=%s\nsubmission_api=%s\n"
                                               "client_id=c\nclient_secret_file=secret\n"
                                               "[destination a]\ndestination_id=" UUID_A "\nkey_file=k\n"
                                               "trust_anchor=t\nforms=*\n", cases[i].token, cases[i].api);
      g_autoptr(GPtrArray) p = load_text (fixture, conf, NULL);

      assert_problem (p, cases[i].expected);
      g_assert_cmpuint (p->len, ==, 1);
      g_assert_null (strstr (g_ptr_array_index (p, 0), ":pw@"));
    }
  {
    KioskConfig *config = NULL;
    g_autoptr(GPtrArray) p = load_text (fixture,
      "[kiosk]\nid=k\n[platform]\ntoken_url=https://a.example/token?realm=kiosk\n"
      "submission_api=https://api.example/\nclient_id=c\nclient_secret_file=secret\n"
      "[destination a]\ndestination_id=" UUID_A "\nkey_file=k\ntrust_anchor=t\nforms=*\n", &config);

    g_assert_cmpuint (p->len, ==, 0);
    g_assert_cmpstr (config->token_url, ==, "https://a.example/token?realm=kiosk");
    kiosk_config_free (config);
  }
}

/* Issue #18 item 8: data_dir must be a directory path the queue can live
 * in, and idle_timeout_s a number of seconds from 30. */
static void
test_kiosk_values (Fixture       *fixture,
                   gconstpointer  data)
{
  static const char *dest = "[destination a]\ndestination_id=" UUID_A "\nkey_file=k\ntrust_anchor=t\nforms=*\n";
  g_autofree char *open_dir = path_in (fixture, "open");
  g_autofree char *group_dir = path_in (fixture, "group");
  g_autofree char *private_dir = path_in (fixture, "private");
  struct { const char *value; const char *expected; } cases[] = {
    { "resource:///de/antragskiosk/demo", "DIR/kiosk.conf: [kiosk] data_dir: \"resource:///de/antragskiosk/demo\" "
      "is a URI; give the path of a directory, such as /var/lib/antragskiosk" },
    { "/", "DIR/kiosk.conf: [kiosk] data_dir: is the root directory; give the queue a directory of its own, "
      "such as /var/lib/antragskiosk" },
    { "/usr/..", "DIR/kiosk.conf: [kiosk] data_dir: is the root directory; give the queue a directory of its own, "
      "such as /var/lib/antragskiosk" },
    { "plain", "DIR/kiosk.conf: [kiosk] data_dir: DIR/plain is a regular file, not a directory" },
    { "plain/queue", "DIR/kiosk.conf: [kiosk] data_dir: DIR/plain/queue cannot be created: DIR/plain is a "
      "regular file, not a directory" },
    { "open", "DIR/kiosk.conf: [kiosk] data_dir: DIR/open can be changed by anyone (mode 0777): they could "
      "replace or remove the queue; restrict it with chmod 700 (owned by the kiosk's user)" },
    { "group", "warning: DIR/kiosk.conf: [kiosk] data_dir: DIR/group can be changed by its group (mode 0770); "
      "restrict it with chmod 700 (owned by the kiosk's user)" },
    { "private", NULL },
    { "private/not/yet", NULL },
  };
  static const struct { const char *line; const char *expected; } values[] = {
    { "idle_timeout_s=-5", "DIR/kiosk.conf: [kiosk] idle_timeout_s: \"-5\" is not a whole number of seconds from 30 to 3600" },
    { "idle_timeout_s=29", "DIR/kiosk.conf: [kiosk] idle_timeout_s: \"29\" is not a whole number of seconds from 30 to 3600" },
    { "idle_timeout_s=2min", "DIR/kiosk.conf: [kiosk] idle_timeout_s: \"2min\" is not a whole number of seconds from 30 to 3600" },
    { "idle_timeout_s=3601", "DIR/kiosk.conf: [kiosk] idle_timeout_s: \"3601\" is not a whole number of seconds from 30 to 3600" },
    { "onscreen_keyboard=yes", "DIR/kiosk.conf: [kiosk] onscreen_keyboard: \"yes\" must be true or false" },
  };

  write_file (fixture->dir, "plain", "x");
  g_assert_cmpint (g_mkdir (open_dir, 0700), ==, 0);
  g_assert_cmpint (g_chmod (open_dir, 0777), ==, 0);
  g_assert_cmpint (g_mkdir (group_dir, 0700), ==, 0);
  g_assert_cmpint (g_chmod (group_dir, 0770), ==, 0);
  g_assert_cmpint (g_mkdir (private_dir, 0700), ==, 0);
  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *conf = g_strdup_printf ("[kiosk]\nid=k\ndata_dir=%s\n%s", cases[i].value, dest);
      KioskConfig *config = NULL;
      g_autoptr(GPtrArray) p = load_text (fixture, conf, &config);

      if (cases[i].expected != NULL)
        {
          assert_problem (p, cases[i].expected);
          g_assert_cmpuint (p->len, ==, 1);
        }
      else
        {
          g_autofree char *expected = g_build_filename (fixture->dir, cases[i].value, NULL);

          g_assert_cmpuint (p->len, ==, 0);
          g_assert_cmpstr (config->data_dir, ==, expected);
          /* checking never creates it */
          if (strchr (cases[i].value, '/') != NULL)
            g_assert_false (g_file_test (expected, G_FILE_TEST_EXISTS));
        }
      kiosk_config_free (config);
    }
  for (gsize i = 0; i < G_N_ELEMENTS (values); i++)
    {
      g_autofree char *conf = g_strdup_printf ("[kiosk]\nid=k\ndata_dir=private\n%s\n%s", values[i].line, dest);
      g_autoptr(GPtrArray) p = load_text (fixture, conf, NULL);

      assert_problem (p, values[i].expected);
      g_assert_cmpuint (p->len, ==, 1);
    }
  {
    KioskConfig *config = NULL;
    g_autofree char *conf = g_strdup_printf ("[kiosk]\nid=k\ndata_dir=private\nidle_timeout_s=30\n"
                                             "onscreen_keyboard=0\n%s", dest);
    g_autoptr(GPtrArray) p = load_text (fixture, conf, &config);

    g_assert_cmpuint (p->len, ==, 0);
    g_assert_cmpuint (config->idle_timeout_s, ==, 30);
    g_assert_false (config->onscreen_keyboard);
    kiosk_config_free (config);
  }
}

/* Issue #18 item 4: a FIFO or a device as a configuration file, drop-in,
 * client secret, CA file or MAC key file used to block for ever (FIFO) or
 * fill the memory (/dev/zero); each is refused at once. alarm() fails the
 * test when a read hangs. */
static void
test_not_regular (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autofree char *fifo = path_in (fixture, "fifo");
  g_autofree char *main_conf = path_in (fixture, "kiosk.conf");
  g_autofree char *dropin = path_in (fixture, "kiosk.conf.d/50-fifo.conf");
  g_autofree char *dropin_dir = path_in (fixture, "kiosk.conf.d");
  static const char *const targets[] = { "fifo", "/dev/zero" };

  g_assert_cmpint (mkfifo (fifo, 0600), ==, 0);
  alarm (30);

  /* the configuration files themselves */
  {
    g_autoptr(GPtrArray) problems = NULL;
    g_autoptr(GError) error = NULL;
    KioskConfig *config = kiosk_config_load (fifo, &problems, &error);

    g_assert_null (config);
    g_assert_nonnull (strstr (error->message, "is a FIFO (named pipe), not a regular file"));
  }
  {
    g_autoptr(GPtrArray) problems = NULL;
    g_autoptr(GError) error = NULL;
    KioskConfig *config;

    write_file (fixture->dir, "kiosk.conf", "[kiosk]\nid=k\n");
    g_assert_cmpint (g_mkdir (dropin_dir, 0700), ==, 0);
    g_assert_cmpint (mkfifo (dropin, 0600), ==, 0);
    config = kiosk_config_load (main_conf, &problems, &error);
    g_assert_null (config);
    g_assert_nonnull (strstr (error->message, "50-fifo.conf is a FIFO (named pipe), not a regular file"));
    g_unlink (dropin);
    g_rmdir (dropin_dir);
  }
  {
    g_autofree char *big = g_strnfill (KIOSK_FILE_MAX_CONFIG + 1, '#');
    g_autoptr(GPtrArray) problems = NULL;
    g_autoptr(GError) error = NULL;
    KioskConfig *config;

    write_file (fixture->dir, "kiosk.conf", big);
    config = kiosk_config_load (main_conf, &problems, &error);
    g_assert_null (config);
    /* g_format_size puts a no-break space before the unit */
    if (strstr (error->message, "more than the 1.0\u00a0MiB this file may have") == NULL)
      g_error ("not refused as too large: %s", error->message);
  }

  /* the files it points to */
  for (gsize i = 0; i < G_N_ELEMENTS (targets); i++)
    {
      g_autofree char *conf = g_strdup_printf (
        "[kiosk]\nid=k\n[platform]\ntoken_url=https://a.example/t\nsubmission_api=https://a.example/\n"
        "client_id=c\nclient_secret_file=%s\nca_file=%s\n[receipt]\nmac_key_file=%s\n"
        "[destination a]\ndestination_id=" UUID_A "\nkey_file=%s\ntrust_anchor=%s/root.pem\nforms=*\n",
        targets[i], targets[i], targets[i], targets[i], ca_dir);
      KioskConfig *config = NULL;
      g_autoptr(GPtrArray) p = load_text (fixture, conf, &config);
      g_autoptr(GPtrArray) problems = g_ptr_array_new_with_free_func ((GDestroyNotify) kiosk_config_problem_free);
      const char *kind = i == 0 ? "a FIFO (named pipe)" : "a character device";
      static const char *const keys[] = { "client_secret_file", "ca_file", "mac_key_file", "key_file" };

      g_assert_cmpuint (p->len, ==, 0);
      g_assert_false (kiosk_config_check_files (config, NULL, problems));
      for (gsize k = 0; k < G_N_ELEMENTS (keys); k++)
        {
          gboolean found = FALSE;

          for (guint j = 0; j < problems->len; j++)
            {
              KioskConfigProblem *problem = g_ptr_array_index (problems, j);

              if (g_strcmp0 (problem->key, keys[k]) == 0 && !problem->warning
                  && strstr (problem->message, kind) != NULL)
                found = TRUE;
            }
          if (!found)
            g_error ("%s = %s: no error saying it is %s", keys[k], targets[i], kind);
        }
      kiosk_config_free (config);
    }
  alarm (0);
}

/* A configuration file that is not one (a secret named by mistake):
 * GKeyFile's message would quote the line; ours names the line number. */
static void
test_syntax_not_quoted (Fixture       *fixture,
                        gconstpointer  data)
{
  static const struct { const char *content; const char *expected; } cases[] = {
    { "Zq8vN3secretTOKENx7Kp2\n", "DIR/kiosk.conf: not a valid configuration file: line 1 is not a [group] "
      "header, a key=value line or a # comment; is this the right file?" },
    { "# a comment\n\n[kiosk]\nid=k\n  Zq8vN3secretTOKENx7Kp2  \n", "DIR/kiosk.conf: not a valid configuration "
      "file: line 5 is not a [group] header, a key=value line or a # comment; is this the right file?" },
    { "key=Zq8vN3secretTOKENx7Kp2\n", "DIR/kiosk.conf: not a valid configuration file: line 1 sets a key "
      "before the first [group] header; is this the right file?" },
    { "[Zq8vN3secretTOKENx7Kp2\n", "DIR/kiosk.conf: not a valid configuration file: line 1 is not a [group] "
      "header (a [ without its name or closing ]); is this the right file?" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GPtrArray) p = load_text (fixture, cases[i].content, NULL);

      assert_problem (p, cases[i].expected);
      g_assert_cmpuint (p->len, ==, 1);
    }
}

int
main (int argc, char **argv)
{
  int status;

  g_test_init (&argc, &argv, NULL);
  ca_dir = testca_make (4096);

#define ADD(name, func) \
  g_test_add ("/antragskiosk/config/" name, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("valid", test_valid);
  ADD ("defaults", test_defaults);
  ADD ("demo", test_demo);
  ADD ("lookup", test_lookup);
  ADD ("drop-ins", test_dropins);
  ADD ("unknown", test_unknown);
  ADD ("missing", test_missing);
  ADD ("values", test_values);
  ADD ("routing", test_routing);
  ADD ("platform", test_platform);
  ADD ("syntax", test_syntax);
  ADD ("files", test_files);
  ADD ("urls", test_urls);
  ADD ("kiosk-values", test_kiosk_values);
  ADD ("not-regular", test_not_regular);
  ADD ("syntax-not-quoted", test_syntax_not_quoted);
#undef ADD

  status = g_test_run ();
  testca_remove (ca_dir);
  g_free (ca_dir);
  return status;
}
