/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

/* A throw-away PKI made at test time by tests/keys-testca.py
 * (python3-cryptography, independent of the code under test). */

#include <glib.h>
#include <glib/gstdio.h>

/* Makes the test PKI in a new temporary directory and returns it. */
static inline char *
testca_make (guint bits)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("antragskiosk-testca-XXXXXX", &error);
  g_autofree char *script = g_test_build_filename (G_TEST_DIST, "keys-testca.py", NULL);
  g_autofree char *bits_str = g_strdup_printf ("%u", bits);
  const char *argv[] = { "/usr/bin/python3", script, dir, bits_str, NULL };
  int status = 0;

  g_assert_no_error (error);
  if (!g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, NULL, NULL,
                     &status, &error))
    g_error ("cannot run %s: %s", script, error->message);
  if (!g_spawn_check_wait_status (status, &error))
    g_error ("%s failed: %s", script, error->message);
  return g_steal_pointer (&dir);
}

static inline void
testca_remove (const char *dir)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;

  for (name = d != NULL ? g_dir_read_name (d) : NULL; name != NULL; name = g_dir_read_name (d))
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);

      g_unlink (path);
    }
  g_rmdir (dir);
}
