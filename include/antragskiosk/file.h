/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Reading the files a person points us at (forms, answers, keys, secrets,
 * certificates, configuration): only regular files, never more than a
 * stated size, never blocking. A FIFO, a device such as /dev/zero, a
 * directory or a socket is refused at once with a sentence that names the
 * path and what it is; so is a file larger than its limit. What the
 * system refuses (missing, no permission) comes as G_FILE_ERROR, these two
 * as KIOSK_FILE_ERROR; no message ever quotes the file's content. */

#define KIOSK_FILE_ERROR (kiosk_file_error_quark ())
typedef enum {
  KIOSK_FILE_ERROR_NOT_REGULAR,  /* a FIFO, device, directory, socket */
  KIOSK_FILE_ERROR_TOO_LARGE,    /* more bytes than the caller's limit */
} KioskFileError;
GQuark kiosk_file_error_quark (void);

/* Size limits of what we read (bytes). */
#define KIOSK_FILE_MAX_FORM        (4u * 1024 * 1024)   /* one form file */
#define KIOSK_FILE_MAX_ANSWERS     (4u * 1024 * 1024)   /* one answers file */
#define KIOSK_FILE_MAX_KEY         (256u * 1024)        /* JWK, PEM key or certificate chain */
#define KIOSK_FILE_MAX_SECRET      (64u * 1024)         /* client secret, MAC key, PIN hash */
#define KIOSK_FILE_MAX_CONFIG      (1024u * 1024)       /* one configuration file or drop-in */

/* Reads @path (a regular file of at most @max_bytes) into a newly allocated,
 * NUL-terminated buffer. The file is opened with O_NONBLOCK, so that a
 * FIFO never blocks the call, and checked with fstat() before anything is
 * read. @length may be NULL. Returns FALSE with G_FILE_ERROR (NOENT,
 * ACCES, … as the system says) or KIOSK_FILE_ERROR. */
gboolean kiosk_file_read (const char  *path,
                          gsize        max_bytes,
                          char       **contents,
                          gsize       *length,
                          GError     **error);

/* Like kiosk_file_read(), but for secrets: the buffer is wiped before it
 * is freed on every error path, and the caller must wipe it
 * (explicit_bzero) before g_free(). */
gboolean kiosk_file_read_secret (const char  *path,
                                 gsize        max_bytes,
                                 char       **contents,
                                 gsize       *length,
                                 GError     **error);

/* A human description of what @mode (st_mode) is, for messages: "a
 * directory", "a FIFO (named pipe)", "a character device", … */
const char *kiosk_file_describe_type (unsigned int mode);

G_END_DECLS
