/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "antragskiosk-printer"

/* Receipts on an ESC/POS printer behind a device file or a TCP socket:
 * the DLE EOT status queries and the byte stream (printer-private.h). */

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <string.h>
#include <unistd.h>
#include <glib.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <gio/gio.h>

#include "printer-private.h"

#define STATUS_TIMEOUT_MS 1000

/* A DLE EOT answer has bits 1 and 4 set, bits 0 and 7 clear. */
static gboolean
dle_eot_valid (int byte)
{
  return byte >= 0 && (byte & 0x93) == 0x12;
}

KioskPrinterState
_kiosk_printer_state_from_dle_eot (int printer,
                                   int offline,
                                   int paper)
{
  gboolean any = FALSE;

  if (dle_eot_valid (paper))
    {
      any = TRUE;
      if (paper & 0x60)
        return KIOSK_PRINTER_STATE_OUT_OF_PAPER;
    }
  if (dle_eot_valid (offline))
    {
      any = TRUE;
      if (offline & 0x20)
        return KIOSK_PRINTER_STATE_OUT_OF_PAPER;
      if (offline & 0x04)
        return KIOSK_PRINTER_STATE_COVER_OPEN;
      if (offline & 0x40)
        return KIOSK_PRINTER_STATE_ERROR;
    }
  if (dle_eot_valid (printer))
    {
      any = TRUE;
      if (printer & 0x08)
        return KIOSK_PRINTER_STATE_OFFLINE;
    }
  if (!any)
    return KIOSK_PRINTER_STATE_UNKNOWN;
  if (dle_eot_valid (paper) && (paper & 0x0c))
    return KIOSK_PRINTER_STATE_PAPER_LOW;
  return KIOSK_PRINTER_STATE_READY;
}

typedef struct {
  GSocketClient     *client;
  GSocketConnection *connection;
  GSocket           *socket;    /* owned by connection */
  int                fd;        /* device; -1 for TCP */
  gboolean           readable;  /* the device can answer */
  guint              timeout_ms;
} Channel;

static void
channel_close (Channel *channel)
{
  if (channel->connection != NULL)
    g_io_stream_close (G_IO_STREAM (channel->connection), NULL, NULL);
  g_clear_object (&channel->connection);
  g_clear_object (&channel->client);
  if (channel->fd >= 0)
    close (channel->fd);
  channel->fd = -1;
}

static gboolean
dropped (GError **error, const char *detail)
{
  return _kiosk_printer_fail (error, KIOSK_PRINTER_ERROR_FAILED,
                              _("The connection to the receipt printer broke off; the receipt is incomplete."), detail);
}

static gboolean
gio_failure (GError **error, GError *io_error)
{
  if (g_error_matches (io_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return _kiosk_printer_fail (error, KIOSK_PRINTER_ERROR_CANCELLED, _("Printing was cancelled."), NULL);
  if (g_error_matches (io_error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT))
    return _kiosk_printer_fail (error, KIOSK_PRINTER_ERROR_TIMED_OUT, _("The receipt printer did not respond in time."),
                                io_error->message);
  return dropped (error, io_error->message);
}

static gboolean
channel_open (KioskPrinter *printer, Channel *channel, GCancellable *cancellable, GError **error)
{
  memset (channel, 0, sizeof *channel);
  channel->fd = -1;
  channel->timeout_ms = printer->timeout * 1000;

  if (printer->device_is_tcp)
    {
      g_autoptr(GError) local_error = NULL;

      channel->client = g_socket_client_new ();
      g_socket_client_set_timeout (channel->client, printer->timeout);
      channel->connection = g_socket_client_connect_to_uri (channel->client, printer->device, 9100,
                                                            cancellable, &local_error);
      if (channel->connection == NULL)
        {
          channel_close (channel);
          if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
            return _kiosk_printer_fail (error, KIOSK_PRINTER_ERROR_CANCELLED, _("Printing was cancelled."), NULL);
          return _kiosk_printer_fail (error, KIOSK_PRINTER_ERROR_OFFLINE, _("The receipt printer is offline."),
                                      local_error->message);
        }
      channel->socket = g_socket_connection_get_socket (channel->connection);
      g_socket_set_timeout (channel->socket, printer->timeout);
      channel->readable = TRUE;
      return TRUE;
    }
  else
    {
      struct stat info;
      int saved;

      channel->fd = open (printer->device, O_RDWR | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
      if (channel->fd >= 0)
        channel->readable = TRUE;
      else
        channel->fd = open (printer->device, O_WRONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
      saved = errno;
      if (channel->fd < 0)
        {
          g_autofree char *detail = g_strdup_printf ("%s: %s", printer->device, g_strerror (saved));
          return _kiosk_printer_fail (error, KIOSK_PRINTER_ERROR_OFFLINE, _("The receipt printer is offline."), detail);
        }
      /* A FIFO opened read-write would read back our own bytes as
       * "status"; holding its read end also means no SIGPIPE. */
      if (fstat (channel->fd, &info) == 0 && S_ISFIFO (info.st_mode))
        channel->readable = FALSE;
      if (fstat (channel->fd, &info) == 0 && S_ISREG (info.st_mode))
        {
          /* a plain file stands in for a device: it cannot answer */
          channel->readable = FALSE;
          if (ftruncate (channel->fd, 0) != 0)
            {
              g_autofree char *detail = g_strdup_printf ("%s: %s", printer->device, g_strerror (errno));
              channel_close (channel);
              return _kiosk_printer_fail (error, KIOSK_PRINTER_ERROR_FAILED, _("The receipt could not be printed."), detail);
            }
        }
      return TRUE;
    }
}

static int
poll_fd (Channel *channel, short events, guint timeout_ms, GCancellable *cancellable)
{
  GPollFD fds[2] = { { channel->fd, (gushort) events, 0 } };
  guint n = 1;
  int result;

  if (cancellable != NULL && g_cancellable_make_pollfd (cancellable, &fds[1]))
    n = 2;
  do
    result = g_poll (fds, n, (int) timeout_ms);
  while (result < 0 && errno == EINTR);
  if (n == 2)
    g_cancellable_release_fd (cancellable);
  if (result > 0 && n == 2 && fds[1].revents != 0)
    return -2;
  if (result > 0 && (fds[0].revents & (G_IO_ERR | G_IO_HUP | G_IO_NVAL)) && !(fds[0].revents & events))
    return -3;
  return result;
}

static gboolean
channel_write_all (Channel *channel, const guint8 *data, gsize length,
                   GCancellable *cancellable, GError **error)
{
  if (channel->socket != NULL)
    {
      while (length > 0)
        {
          g_autoptr(GError) local_error = NULL;
          gssize written = g_socket_send (channel->socket, (const char *) data, length,
                                          cancellable, &local_error);
          if (written < 0)
            return gio_failure (error, local_error);
          data += written;
          length -= (gsize) written;
        }
      return TRUE;
    }

  while (length > 0)
    {
      ssize_t written = write (channel->fd, data, length);
      if (written < 0 && (errno == EAGAIN || errno == EINTR))
        {
          int ready = poll_fd (channel, G_IO_OUT, channel->timeout_ms, cancellable);
          if (ready == -2)
            return _kiosk_printer_fail (error, KIOSK_PRINTER_ERROR_CANCELLED, _("Printing was cancelled."), NULL);
          if (ready == 0)
            return _kiosk_printer_fail (error, KIOSK_PRINTER_ERROR_TIMED_OUT,
                                        _("The receipt printer did not respond in time."), "device write timed out");
          if (ready < 0)
            return dropped (error, "device hung up");
          continue;
        }
      if (written < 0)
        return dropped (error, g_strerror (errno));
      data += written;
      length -= (gsize) written;
    }
  return TRUE;
}

/* One answer byte: ≥ 0 the byte, -1 no answer in time (not an error),
 * -2 the connection is gone (@error set). */
static int
channel_read_byte (Channel *channel, guint timeout_ms, GCancellable *cancellable, GError **error)
{
  guint8 byte = 0;

  if (!channel->readable)
    return -1;
  if (channel->socket != NULL)
    {
      g_autoptr(GError) local_error = NULL;
      gssize received;

      if (!g_socket_condition_timed_wait (channel->socket, G_IO_IN, (gint64) timeout_ms * 1000,
                                          cancellable, &local_error))
        {
          if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT))
            return -1;
          gio_failure (error, local_error);
          return -2;
        }
      received = g_socket_receive (channel->socket, (char *) &byte, 1, cancellable, &local_error);
      if (received < 0)
        {
          gio_failure (error, local_error);
          return -2;
        }
      if (received == 0)
        {
          dropped (error, "the printer closed the connection");
          return -2;
        }
      return byte;
    }
  else
    {
      int ready = poll_fd (channel, G_IO_IN, timeout_ms, cancellable);
      ssize_t received;

      if (ready == 0)
        return -1;
      if (ready == -2)
        {
          _kiosk_printer_fail (error, KIOSK_PRINTER_ERROR_CANCELLED, _("Printing was cancelled."), NULL);
          return -2;
        }
      if (ready < 0)
        {
          dropped (error, "device hung up");
          return -2;
        }
      received = read (channel->fd, &byte, 1);
      if (received == 1)
        return byte;
      if (received < 0 && errno == EAGAIN)
        return -1;
      /* a device that cannot be read does not answer; not an error */
      channel->readable = FALSE;
      return -1;
    }
}

/* Discards answers already waiting (stray status bytes). */
static gboolean
channel_drain (Channel *channel, GCancellable *cancellable, GError **error)
{
  for (guint i = 0; i < 64; i++)
    {
      int byte = channel_read_byte (channel, 0, cancellable, error);
      if (byte == -2)
        return FALSE;
      if (byte == -1)
        return TRUE;
    }
  return TRUE;
}

/* DLE EOT 1, 2, 4. Returns FALSE only when the connection is gone. */
static gboolean
escpos_query (Channel *channel, KioskPrinterStatus **status, GCancellable *cancellable, GError **error)
{
  int answers[3] = { -1, -1, -1 };
  static const guint8 requests[3] = { 1, 2, 4 };
  char detail[64];

  if (!channel->readable)
    {
      *status = _kiosk_printer_status_new (KIOSK_PRINTER_STATE_UNKNOWN, "the device does not answer");
      return TRUE;
    }
  if (!channel_drain (channel, cancellable, error))
    return FALSE;
  for (guint i = 0; i < G_N_ELEMENTS (requests); i++)
    {
      guint8 command[3] = { 0x10, 0x04, requests[i] };

      if (!channel_write_all (channel, command, sizeof command, cancellable, error))
        return FALSE;
      answers[i] = channel_read_byte (channel, MIN (channel->timeout_ms, STATUS_TIMEOUT_MS),
                                      cancellable, error);
      if (answers[i] == -2)
        return FALSE;
      if (answers[i] == -1)
        break;   /* it does not answer: do not wait three times */
    }
  g_snprintf (detail, sizeof detail, "DLE EOT answers %d %d %d", answers[0], answers[1], answers[2]);
  *status = _kiosk_printer_status_new (_kiosk_printer_state_from_dle_eot (answers[0], answers[1], answers[2]), detail);
  return TRUE;
}

gboolean
_kiosk_printer_escpos_print (KioskPrinter  *printer,
                             GBytes        *document,
                             GCancellable  *cancellable,
                             GError       **error)
{
  Channel channel;
  gsize length = 0;
  const guint8 *data = g_bytes_get_data (document, &length);
  gboolean ok = FALSE;

  if (!channel_open (printer, &channel, cancellable, error))
    return FALSE;

  if (printer->query_status)
    {
      g_autoptr(KioskPrinterStatus) status = NULL;

      if (!escpos_query (&channel, &status, cancellable, error))
        goto out;
      if (!kiosk_printer_state_can_print (status->state))
        {
          _kiosk_printer_fail (error, _kiosk_printer_state_error (status->state), status->message, status->detail);
          goto out;
        }
    }
  if (!channel_write_all (&channel, data, length, cancellable, error))
    goto out;

  /* A printer that went away while the stream was in the socket buffers
   * shows up only now: ask again (or, without status, watch for the
   * connection closing for a moment). */
  if (printer->query_status)
    {
      g_autoptr(KioskPrinterStatus) status = NULL;

      if (!escpos_query (&channel, &status, cancellable, error))
        goto out;
      if (status->state == KIOSK_PRINTER_STATE_OUT_OF_PAPER || status->state == KIOSK_PRINTER_STATE_COVER_OPEN)
        {
          _kiosk_printer_fail (error, _kiosk_printer_state_error (status->state), status->message, status->detail);
          goto out;
        }
    }
  else if (channel.socket != NULL && channel_read_byte (&channel, 200, cancellable, error) == -2)
    goto out;
  ok = TRUE;

out:
  channel_close (&channel);
  return ok;
}

/* The state an ESC/POS printer reports (offline when it cannot be
 * reached). */
KioskPrinterStatus *
_kiosk_printer_escpos_query_status (KioskPrinter *printer,
                                    GCancellable *cancellable)
{
  g_autoptr(GError) error = NULL;
  KioskPrinterStatus *status = NULL;
  Channel channel;

  if (!channel_open (printer, &channel, cancellable, &error))
    return _kiosk_printer_status_new (KIOSK_PRINTER_STATE_OFFLINE, error->message);
  if (!escpos_query (&channel, &status, cancellable, &error))
    status = _kiosk_printer_status_new (KIOSK_PRINTER_STATE_OFFLINE, error->message);
  channel_close (&channel);
  return status;
}
