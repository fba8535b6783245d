/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <antragskiosk/printer.h>

G_BEGIN_DECLS

#define KIOSK_PRINTER_DEFAULT_TIMEOUT 10

struct _KioskPrinter {
  KioskPrinterKind    kind;
  KioskPaper          paper;
  guint               timeout;        /* seconds */
  /* file */
  char               *path;
  KioskReceiptFormat  file_format;
  /* cups */
  char               *queue;          /* NULL: the server's default */
  char               *server_host;    /* NULL: libcups' choice */
  int                 server_port;
  /* escpos */
  char               *device;         /* a path, or a tcp:// URI */
  gboolean            device_is_tcp;
  KioskEscposOptions  escpos;
  gboolean            query_status;
};

/* The state a CUPS queue is in, from its IPP printer-state (3 idle,
 * 4 processing, 5 stopped), printer-state-reasons keywords (RFC 8011
 * §5.4.12, with or without the -report/-warning/-error suffix) and
 * printer-is-accepting-jobs. */
KioskPrinterState _kiosk_printer_state_from_ipp (int                state,
                                                 const char *const *reasons,
                                                 gboolean           accepting);

/* The state an ESC/POS printer reports in its DLE EOT answers: @printer
 * (n = 1), @offline (n = 2), @paper (n = 4); a negative value means no
 * answer to that request. */
KioskPrinterState _kiosk_printer_state_from_dle_eot (int printer,
                                                     int offline,
                                                     int paper);

/* printer.c: what the transports share. */
KioskPrinterStatus *_kiosk_printer_status_new      (KioskPrinterState state, const char *detail);
/* The error a printer in @state (one that cannot print) gives. */
KioskPrinterError   _kiosk_printer_state_error     (KioskPrinterState state);
/* Sets @error to @message (logging @detail, which names hosts, queues and
 * system errors, never personal data); returns FALSE. */
gboolean            _kiosk_printer_fail            (GError **error, KioskPrinterError code, const char *message,
                                                    const char *detail);
gboolean            _kiosk_printer_check_cancelled (GCancellable *cancellable, GError **error);

/* printer-cups.c */
KioskPrinterStatus *_kiosk_printer_cups_query_status (KioskPrinter *printer);
gboolean            _kiosk_printer_cups_print        (KioskPrinter *printer, GBytes *document, const char *title,
                                                      GCancellable *cancellable, GError **error);

/* printer-escpos.c */
KioskPrinterStatus *_kiosk_printer_escpos_query_status (KioskPrinter *printer, GCancellable *cancellable);
gboolean            _kiosk_printer_escpos_print        (KioskPrinter *printer, GBytes *document,
                                                        GCancellable *cancellable, GError **error);

G_END_DECLS
