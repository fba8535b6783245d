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

/* Sets @error from errno @saved for @path; returns FALSE. */
static gboolean
fail_errno (GError     **error,
            const char  *path,
            int          saved)
{
  g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved), "%s: %s", path, g_strerror (saved));
  return FALSE;
}

static void
buffer_free (char     *buffer,
             gsize     used,
             gboolean  secret)
{
  if (secret)
    explicit_bzero (buffer, used);
  g_free (buffer);
}

/* Opens @path without blocking and checks that it is a regular file of at
 * most @max_bytes; its size in *@size. Returns the descriptor, or -1. */
static int
open_regular (const char  *path,
              gsize        max_bytes,
              gsize       *size,
              GError     **error)
{
  struct stat st;
  int fd = g_open (path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC, 0);

  if (fd < 0)
    return fail_errno (error, path, errno), -1;
  if (fstat (fd, &st) != 0)
    {
      int saved = errno;

      close (fd);
      return fail_errno (error, path, saved), -1;
    }
  if (!S_ISREG (st.st_mode))
    {
      close (fd);
      g_set_error (error, KIOSK_FILE_ERROR, KIOSK_FILE_ERROR_NOT_REGULAR,
                   "%s is %s, not a regular file; give the path of a file",
                   path, kiosk_file_describe_type (st.st_mode));
      return -1;
    }
  if ((guint64) st.st_size > max_bytes)
    {
      g_autofree char *size_text = format_size ((gsize) st.st_size);
      g_autofree char *limit = format_size (max_bytes);

      close (fd);
      g_set_error (error, KIOSK_FILE_ERROR, KIOSK_FILE_ERROR_TOO_LARGE,
                   "%s is %s, more than the %s this file may have; is it the right file?",
                   path, size_text, limit);
      return -1;
    }
  *size = (gsize) st.st_size;
  return fd;
}

/* Reads @fd to its end, or to one byte past @max_bytes (the file may grow
 * between fstat() and read(): never read past the limit, whatever it has
 * become), starting with room for @size bytes and a NUL. Returns the
 * buffer (*@used bytes), or NULL with @error set. */
static char *
read_all (int          fd,
          const char  *path,
          gsize        size,
          gsize        max_bytes,
          gboolean     secret,
          gsize       *used,
          GError     **error)
{
  gsize capacity = size + 1;
  char *buffer = g_malloc (capacity + 1);

  *used = 0;
  for (;;)
    {
      ssize_t n;

      if (*used == capacity)
        {
          char *grown;

          if (*used > max_bytes)
            return buffer;
          capacity = MIN (capacity * 2, (gsize) max_bytes + 1);
          if (capacity <= *used)
            capacity = *used + 1;
          grown = g_malloc (capacity + 1);
          memcpy (grown, buffer, *used);
          buffer_free (buffer, *used, secret);
          buffer = grown;
        }
      n = read (fd, buffer + *used, capacity - *used);
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        {
          int saved = errno;

          buffer_free (buffer, *used, secret);
          fail_errno (error, path, saved);
          return NULL;
        }
      if (n == 0)
        return buffer;
      *used += (gsize) n;
    }
}

static gboolean
read_file (const char  *path,
           gsize        max_bytes,
           gboolean     secret,
           char       **contents,
           gsize       *length,
           GError     **error)
{
  char *buffer;
  gsize size = 0, used = 0;
  int fd;

  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (contents != NULL, FALSE);

  fd = open_regular (path, max_bytes, &size, error);
  if (fd < 0)
    return FALSE;
  buffer = read_all (fd, path, size, max_bytes, secret, &used, error);
  close (fd);
  if (buffer == NULL)
    return FALSE;
  if (used > max_bytes)
    {
      g_autofree char *limit = format_size (max_bytes);

      buffer_free (buffer, used, secret);
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
