/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "antragskiosk-file"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <glib.h>
#include <glib/gstdio.h>

#include <antragskiosk/file.h>

G_DEFINE_QUARK (kiosk-file-error-quark, kiosk_file_error)

const char *
kiosk_file_describe_type (unsigned int mode)
{
  switch (mode & S_IFMT)
    {
    case S_IFREG:  return "a regular file";
    case S_IFDIR:  return "a directory";
    case S_IFIFO:  return "a FIFO (named pipe)";
    case S_IFCHR:  return "a character device";
    case S_IFBLK:  return "a block device";
    case S_IFSOCK: return "a socket";
    case S_IFLNK:  return "a symbolic link";
    default:       return "not a regular file";
    }
}

static char *
format_size (gsize bytes)
{
  return g_format_size_full (bytes, G_FORMAT_SIZE_IEC_UNITS);
}

static gboolean
read_file (const char  *path,
           gsize        max_bytes,
           gboolean     secret,
           char       **contents,
           gsize       *length,
           GError     **error)
{
  struct stat st;
  char *buffer = NULL;
  gsize capacity, used = 0;
  int fd;

  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (contents != NULL, FALSE);

  fd = g_open (path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC, 0);
  if (fd < 0)
    {
      int saved = errno;

      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved),
                   "%s: %s", path, g_strerror (saved));
      return FALSE;
    }
  if (fstat (fd, &st) != 0)
    {
      int saved = errno;

      close (fd);
      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved),
                   "%s: %s", path, g_strerror (saved));
      return FALSE;
    }
  if (!S_ISREG (st.st_mode))
    {
      close (fd);
      g_set_error (error, KIOSK_FILE_ERROR, KIOSK_FILE_ERROR_NOT_REGULAR,
                   "%s is %s, not a regular file; give the path of a file",
                   path, kiosk_file_describe_type (st.st_mode));
      return FALSE;
    }
  if ((guint64) st.st_size > max_bytes)
    {
      g_autofree char *size = format_size ((gsize) st.st_size);
      g_autofree char *limit = format_size (max_bytes);

      close (fd);
      g_set_error (error, KIOSK_FILE_ERROR, KIOSK_FILE_ERROR_TOO_LARGE,
                   "%s is %s, more than the %s this file may have; is it the right file?",
                   path, size, limit);
      return FALSE;
    }
  /* The file may grow between fstat() and read(): never read past the
   * limit, whatever it has become. */
  capacity = (gsize) st.st_size + 1;
  buffer = g_malloc (capacity + 1);
  for (;;)
    {
      ssize_t n;

      if (used == capacity)
        {
          if (used > max_bytes)
            break;
          capacity = MIN (capacity * 2, (gsize) max_bytes + 1);
          if (capacity <= used)
            capacity = used + 1;
          {
            char *grown = g_malloc (capacity + 1);

            memcpy (grown, buffer, used);
            if (secret)
              explicit_bzero (buffer, used);
            g_free (buffer);
            buffer = grown;
          }
        }
      n = read (fd, buffer + used, capacity - used);
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        {
          int saved = errno;

          close (fd);
          if (secret)
            explicit_bzero (buffer, used);
          g_free (buffer);
          g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved),
                       "%s: %s", path, g_strerror (saved));
          return FALSE;
        }
      if (n == 0)
        break;
      used += (gsize) n;
    }
  close (fd);
  if (used > max_bytes)
    {
      g_autofree char *limit = format_size (max_bytes);

      if (secret)
        explicit_bzero (buffer, used);
      g_free (buffer);
      g_set_error (error, KIOSK_FILE_ERROR, KIOSK_FILE_ERROR_TOO_LARGE,
                   "%s is more than the %s this file may have; is it the right file?",
                   path, limit);
      return FALSE;
    }
  buffer[used] = '\0';
  *contents = buffer;
  if (length != NULL)
    *length = used;
  return TRUE;
}

gboolean
kiosk_file_read (const char  *path,
                 gsize        max_bytes,
                 char       **contents,
                 gsize       *length,
                 GError     **error)
{
  return read_file (path, max_bytes, FALSE, contents, length, error);
}

gboolean
kiosk_file_read_secret (const char  *path,
                        gsize        max_bytes,
                        char       **contents,
                        gsize       *length,
                        GError     **error)
{
  return read_file (path, max_bytes, TRUE, contents, length, error);
}
