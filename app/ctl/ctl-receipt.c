/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "antragskiosk-ctl"

#include "config.h"

#include <stdio.h>
#include <string.h>
#include <glib.h>

#include <antragskiosk/config.h>
#include <antragskiosk/form.h>
#include <antragskiosk/i18n.h>
#include <antragskiosk/printer.h>
#include <antragskiosk/queue.h>
#include <antragskiosk/receipt.h>
#include <antragskiosk/receipt-item.h>

#include "ctl-private.h"

/* receipt REF: renders the receipt of a queued or sent application, as the
 * kiosk printed it, to a file (--output) or to the configured printer
 * (--print: a reprint). Nothing personal is read: the queue's plain
 * columns (reference, form, state, time) are enough. */

/* What the command line asks for. */
typedef struct {
  char               *config;
  char               *format;
  char               *paper_text;
  char               *output;
  char               *lang;
  gboolean            print;
  KioskReceiptFormat  kind;
  KioskPaper          paper;
} ReceiptArgs;

static void
receipt_args_clear (ReceiptArgs *args)
{
  g_free (args->config);
  g_free (args->format);
  g_free (args->paper_text);
  g_free (args->output);
  g_free (args->lang);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (ReceiptArgs, receipt_args_clear)

/* Checks the options after parsing: --output or --print, the format and
 * the paper. Returns 0, or 2 with the message printed. */
static int
check_args (ReceiptArgs *args, int argc)
{
  if (argc != 2)
    {
      _kiosk_ctl_error ("receipt takes one reference (try 'receipt --help')");
      return 2;
    }
  if ((args->output == NULL) == !args->print)
    {
      _kiosk_ctl_error ("receipt needs either --output FILE or --print (try 'receipt --help')");
      return 2;
    }
  if (args->output != NULL)
    {
      if (args->format == NULL || g_str_equal (args->format, "pdf"))
        args->kind = KIOSK_RECEIPT_FORMAT_PDF;
      else if (g_str_equal (args->format, "png"))
        args->kind = KIOSK_RECEIPT_FORMAT_PNG;
      else if (g_str_equal (args->format, "escpos"))
        args->kind = KIOSK_RECEIPT_FORMAT_ESCPOS;
      else
        {
          _kiosk_ctl_error ("--format must be pdf, png or escpos (try 'receipt --help')");
          return 2;
        }
    }
  if (args->paper_text != NULL && !kiosk_paper_from_string (args->paper_text, &args->paper))
    {
      _kiosk_ctl_error ("--paper must be 58, 80 or a4 (try 'receipt --help')");
      return 2;
    }
  if (args->paper_text != NULL && args->kind == KIOSK_RECEIPT_FORMAT_ESCPOS && args->paper == KIOSK_PAPER_A4)
    {
      _kiosk_ctl_error ("ESC/POS receipts are for 58 or 80 mm paper (try 'receipt --help')");
      return 2;
    }
  return 0;
}

/* The configuration, checked [receipt] settings and the printer; the
 * paper from [printer] unless --paper chose it. NULL with the message
 * printed. */
static KioskConfig *
load_config (ReceiptArgs *args, KioskPrinter **printer)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(KioskConfig) config = NULL;
  g_autoptr(KioskReceiptOptions) options = NULL;

  config = kiosk_config_load (args->config, NULL, &error);
  if (config == NULL)
    {
      _kiosk_ctl_error ("the configuration cannot be used: %s (antragskiosk-ctl check-config says more)",
                        error->message);
      return NULL;
    }
  /* the [receipt] settings are checked before anything else is opened */
  options = kiosk_receipt_options_new_from_config (config, &error);
  if (options == NULL)
    {
      _kiosk_ctl_error ("%s", error->message);
      return NULL;
    }
  *printer = kiosk_printer_new_from_config (config, &error);
  if (*printer == NULL)
    {
      _kiosk_ctl_error ("%s", error->message);
      return NULL;
    }
  if (args->paper_text == NULL)
    {
      args->paper = kiosk_printer_get_paper (*printer);
      if (args->kind == KIOSK_RECEIPT_FORMAT_ESCPOS && args->paper == KIOSK_PAPER_A4)
        args->paper = KIOSK_PAPER_80MM;
    }
  return g_steal_pointer (&config);
}

/* The receipt of @reference as stored in the queue (opened read-only).
 * NULL with the message printed. */
static KioskReceipt *
receipt_for_reference (KioskConfig *config, const char *reference)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(KioskQueue) queue = NULL;
  g_autoptr(KioskCatalog) catalog = NULL;
  KioskQueueItem *item = NULL;
  KioskReceipt *receipt;

  queue = kiosk_queue_open (config->data_dir, KIOSK_QUEUE_OPEN_READ_ONLY, &error);
  if (queue == NULL)
    {
      _kiosk_ctl_error ("the queue in %s cannot be opened: %s", config->data_dir, error->message);
      return NULL;
    }
  item = kiosk_queue_get (queue, reference, &error);
  if (item == NULL)
    {
      _kiosk_ctl_error ("%s", error->message);
      return NULL;
    }

  /* without a catalog the receipt names the form by its id */
  catalog = kiosk_catalog_new_for_config (config, FALSE, NULL);
  receipt = kiosk_receipt_new_for_item (item, catalog, config, NULL, &error);
  if (receipt == NULL)
    _kiosk_ctl_error ("%s", error->message);
  kiosk_queue_item_free (item);
  return receipt;
}

/* --print, or rendered to --output. 0 or 1 with the message printed. */
static int
deliver (const ReceiptArgs *args, KioskPrinter *printer, const KioskReceipt *receipt)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = NULL;
  gsize length = 0;
  const void *data;

  if (args->print)
    {
      if (!kiosk_printer_print (printer, receipt, NULL, &error))
        {
          _kiosk_ctl_error ("%s", error->message);
          return 1;
        }
      printf ("%s: sent to the printer\n", receipt->reference_display);
      return 0;
    }
  bytes = kiosk_receipt_render (receipt, args->kind, args->paper,
                                kiosk_printer_get_escpos_options (printer), &error);
  if (bytes == NULL)
    {
      _kiosk_ctl_error ("%s", error->message);
      return 1;
    }
  /* a regular file atomically; a device or FIFO (a raw printer)
   * directly, never replaced; a symbolic link to a file refused */
  data = g_bytes_get_data (bytes, &length);
  if (!kiosk_printer_write_output (args->output, data, length, &error))
    {
      _kiosk_ctl_error ("the receipt was not written: %s", error->message);
      return 1;
    }
  return 0;
}

int
_kiosk_ctl_receipt (int argc, char **argv)
{
  g_auto(ReceiptArgs) args = { .kind = KIOSK_RECEIPT_FORMAT_PDF };
  GOptionEntry entries[] = {
    { "format", 0, 0, G_OPTION_ARG_STRING, &args.format, "pdf, png or escpos", "FORMAT" },
    { "paper", 0, 0, G_OPTION_ARG_STRING, &args.paper_text, "58, 80 or a4 (default: [printer] paper, else 80)", "PAPER" },
    { "output", 'o', 0, G_OPTION_ARG_FILENAME, &args.output,
      "Write the receipt to FILE (replaced atomically), or straight to a device or FIFO such as /dev/usb/lp0", "FILE" },
    { "print", 0, 0, G_OPTION_ARG_NONE, &args.print, "Send it to the configured printer instead (a reprint)", NULL },
    { "lang", 0, 0, G_OPTION_ARG_STRING, &args.lang, "Language of the receipt (default de)", "LANG" },
    { "config", 0, 0, G_OPTION_ARG_FILENAME, &args.config, "Use FILE (and FILE.d/*.conf) as the configuration", "FILE" },
    { NULL }
  };
  g_autoptr(KioskConfig) config = NULL;
  g_autoptr(KioskPrinter) printer = NULL;
  g_autoptr(KioskReceipt) receipt = NULL;
  int status;

  if (!_kiosk_ctl_parse_options (&argc, &argv, "REF",
                                 "Render the receipt of a queued or sent application (docs/receipts.md): "
                                 "to FILE with --output, or to the configured printer with --print.",
                                 entries))
    return 2;
  status = check_args (&args, argc);
  if (status != 0)
    return status;

  kiosk_i18n_set_language (args.lang != NULL ? args.lang : "de");

  config = load_config (&args, &printer);
  if (config == NULL)
    return 1;
  receipt = receipt_for_reference (config, argv[1]);
  if (receipt == NULL)
    return 1;
  return deliver (&args, printer, receipt);
}
