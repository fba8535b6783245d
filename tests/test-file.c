/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "antragskiosk-test"

#include "config.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>
#include <glib.h>
#include <glib/gstdio.h>

#include <antragskiosk/file.h>

/* Each refusal must come at once: a reader that blocked on a FIFO or kept
 * reading /dev/zero would hang the test, which meson's timeout turns into
 * a failure; the alarm makes it fail sooner and clearly. */

static char *
make_dir (void)
{
  g_autoptr(GError) error = NULL;
  char *dir = g_dir_make_tmp ("test-file-XXXXXX", &error);

  g_assert_no_error (error);
  return dir;
}

static void
test_regular (void)
{
  g_autofree char *dir = make_dir ();
  g_autofree char *path = g_build_filename (dir, "f", NULL);
  g_autofree char *contents = NULL;
  g_autoptr(GError) error = NULL;
  gsize length = 0;
  static const char text[] = "line one\nline two\0with a NUL";

  g_assert_true (g_file_set_contents (path, text, sizeof text - 1, NULL));
  g_assert_true (kiosk_file_read (path, 100, &contents, &length, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (length, ==, sizeof text - 1);
  g_assert_cmpmem (contents, length, text, sizeof text - 1);
  g_assert_cmpint (contents[length], ==, '\0');

  /* Exactly at the limit is fine, one byte over is not. */
  g_clear_pointer (&contents, g_free);
  g_assert_true (kiosk_file_read (path, sizeof text - 1, &contents, NULL, &error));
  g_assert_no_error (error);
  g_clear_pointer (&contents, g_free);
  g_assert_false (kiosk_file_read (path, sizeof text - 2, &contents, NULL, &error));
  g_assert_error (error, KIOSK_FILE_ERROR, KIOSK_FILE_ERROR_TOO_LARGE);
  g_assert_nonnull (strstr (error->message, path));
  g_assert_null (contents);
  g_clear_error (&error);

  /* An empty file is an empty string. */
  g_assert_true (g_file_set_contents (path, "", 0, NULL));
  g_assert_true (kiosk_file_read_secret (path, 10, &contents, &length, &error));
  g_assert_cmpuint (length, ==, 0);
  g_assert_cmpstr (contents, ==, "");
  g_unlink (path);
  g_rmdir (dir);
}

static void
test_not_regular (void)
{
  g_autofree char *dir = make_dir ();
  g_autofree char *fifo = g_build_filename (dir, "fifo", NULL);
  g_autofree char *sock = g_build_filename (dir, "sock", NULL);
  g_autofree char *missing = g_build_filename (dir, "missing", NULL);
  struct sockaddr_un addr = { .sun_family = AF_UNIX };
  struct {
    const char *path;
    const char *what;
  } cases[] = {
    { fifo, "FIFO" },
    { "/dev/zero", "character device" },
    { "/dev/null", "character device" },
    { dir, "directory" },
    { sock, "socket" },
  };
  int fd;

  g_assert_cmpint (mkfifo (fifo, 0600), ==, 0);
  fd = socket (AF_UNIX, SOCK_STREAM, 0);
  g_assert_cmpint (fd, >=, 0);
  g_strlcpy (addr.sun_path, sock, sizeof addr.sun_path);
  g_assert_cmpint (bind (fd, (struct sockaddr *) &addr, sizeof addr), ==, 0);

  alarm (20);
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *contents = NULL;
      g_autoptr(GError) error = NULL;

      g_assert_false (kiosk_file_read (cases[i].path, KIOSK_FILE_MAX_KEY, &contents, NULL, &error));
      g_assert_null (contents);
      /* A socket cannot be opened at all (ENXIO); everything else is
       * refused by its type. */
      if (g_str_equal (cases[i].what, "socket"))
        g_assert_nonnull (error);
      else
        {
          g_assert_error (error, KIOSK_FILE_ERROR, KIOSK_FILE_ERROR_NOT_REGULAR);
          g_assert_nonnull (strstr (error->message, cases[i].what));
        }
      g_assert_nonnull (strstr (error->message, cases[i].path));
    }
  {
    g_autofree char *contents = NULL;
    g_autoptr(GError) error = NULL;

    g_assert_false (kiosk_file_read_secret (missing, 10, &contents, NULL, &error));
    g_assert_error (error, G_FILE_ERROR, G_FILE_ERROR_NOENT);
  }
  alarm (0);
  close (fd);
  g_unlink (sock);
  g_unlink (fifo);
  g_rmdir (dir);
}

/* A link to a regular file is followed (a configured path may be a link
 * into /etc/alternatives); a link to a FIFO is refused like the FIFO. */
static void
test_symlink (void)
{
  g_autofree char *dir = make_dir ();
  g_autofree char *target = g_build_filename (dir, "target", NULL);
  g_autofree char *link = g_build_filename (dir, "link", NULL);
  g_autofree char *fifo = g_build_filename (dir, "fifo", NULL);
  g_autofree char *fifo_link = g_build_filename (dir, "fifo-link", NULL);
  g_autofree char *contents = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_true (g_file_set_contents (target, "abc", 3, NULL));
  g_assert_cmpint (symlink (target, link), ==, 0);
  g_assert_cmpint (mkfifo (fifo, 0600), ==, 0);
  g_assert_cmpint (symlink (fifo, fifo_link), ==, 0);
  g_assert_true (kiosk_file_read (link, 10, &contents, NULL, &error));
  g_assert_cmpstr (contents, ==, "abc");
  g_clear_pointer (&contents, g_free);
  alarm (20);
  g_assert_false (kiosk_file_read (fifo_link, 10, &contents, NULL, &error));
  alarm (0);
  g_assert_error (error, KIOSK_FILE_ERROR, KIOSK_FILE_ERROR_NOT_REGULAR);
  g_unlink (fifo_link);
  g_unlink (fifo);
  g_unlink (link);
  g_unlink (target);
  g_rmdir (dir);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/antragskiosk/file/regular", test_regular);
  g_test_add_func ("/antragskiosk/file/not-regular", test_not_regular);
  g_test_add_func ("/antragskiosk/file/symlink", test_symlink);
  return g_test_run ();
}
