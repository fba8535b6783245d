/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The receipt's figures: the QR code alone, a complete receipt as PDF
 * (QR + layout + cairo, the CUPS path) and PNG for each paper, and the
 * ESC/POS stream (QR + raster, the thermal path); median and p99 of RUNS
 * runs, after one warm-up run whose time (fontconfig's first lookup) is
 * reported on its own. Target: receipt build (QR + PDF) and ESC/POS
 * generation under 30 ms each. */
#include "config.h"

#include <string.h>

#include <antragskiosk/receipt.h>

#include "bench-common.h"

#define RUNS 51

static KioskReceipt *
make_receipt (void)
{
  g_autoptr(GKeyFile) keyfile = g_key_file_new ();
  g_autoptr(KioskReceiptOptions) options = NULL;
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autoptr(GError) error = NULL;
  KioskReceipt *receipt;

  g_key_file_set_string (keyfile, "receipt", "status_url", "https://buergerbuero.musterstadt.example/antrag/status");
  g_key_file_set_string (keyfile, "receipt", "mac_key", "bench-kiosk-key-0123456789abcdef");
  options = kiosk_receipt_options_new_from_keyfile (keyfile, &error);
  g_assert_no_error (error);
  receipt = kiosk_receipt_new ("K7M4QX9PRZ", "Anwohnerparkausweis für Straßen im Viertel Ölmühle", now,
                               "Bürgerbüro Musterstadt, Rathausstraße 1", KIOSK_RECEIPT_STATE_QUEUED,
                               options, &error);
  g_assert_no_error (error);
  return receipt;
}

typedef GBytes *(*RenderFunc) (const KioskReceipt *receipt, KioskPaper paper, gconstpointer data);

static GBytes *
render_pdf (const KioskReceipt *receipt, KioskPaper paper, gconstpointer data)
{
  return kiosk_receipt_render_pdf (receipt, paper, NULL);
}

static GBytes *
render_png (const KioskReceipt *receipt, KioskPaper paper, gconstpointer data)
{
  return kiosk_receipt_render_png (receipt, paper, 0, NULL);
}

static GBytes *
render_escpos (const KioskReceipt *receipt, KioskPaper paper, gconstpointer data)
{
  return kiosk_receipt_render_escpos (receipt, paper, data, NULL);
}

static void
measure (const char *measure_name, const KioskReceipt *receipt, KioskPaper paper,
         RenderFunc render, gconstpointer data, const char *target)
{
  double samples[RUNS];
  gsize size = 0;
  g_autofree char *p50_name = g_strdup_printf ("%s, p50", measure_name);
  g_autofree char *p99_name = g_strdup_printf ("%s, p99", measure_name);
  g_autofree char *size_note = NULL;

  for (guint i = 0; i < RUNS; i++)
    {
      double start = bench_now_ms ();
      g_autoptr(GBytes) bytes = render (receipt, paper, data);

      samples[i] = bench_now_ms () - start;
      g_assert_nonnull (bytes);
      size = g_bytes_get_size (bytes);
    }
  size_note = g_strdup_printf ("%s%s%zu bytes", target != NULL ? target : "", target != NULL ? "; " : "", size);
  bench_row ("receipt", p50_name, bench_median (samples, RUNS), "ms", size_note);
  bench_row ("receipt", p99_name, bench_percentile (samples, RUNS, 99), "ms", "");
}

int
main (int argc, char **argv)
{
  g_autoptr(KioskReceipt) receipt = make_receipt ();
  KioskEscposOptions raster = { KIOSK_ESCPOS_CODEPAGE_CP858, FALSE, TRUE };
  KioskEscposOptions native = { KIOSK_ESCPOS_CODEPAGE_CP858, TRUE, TRUE };
  double qr[RUNS];
  double start;

  /* the first render loads fonts through fontconfig: once per process */
  start = bench_now_ms ();
  g_bytes_unref (kiosk_receipt_render_pdf (receipt, KIOSK_PAPER_80MM, NULL));
  bench_row ("receipt", "first PDF of the process (font lookup)", bench_now_ms () - start, "ms",
             "once, at start-up");

  for (guint i = 0; i < RUNS; i++)
    {
      g_autoptr(KioskQrCode) code = NULL;

      start = bench_now_ms ();
      code = kiosk_qr_code_new (receipt->qr_payload, NULL);
      qr[i] = bench_now_ms () - start;
      g_assert_nonnull (code);
    }
  bench_row ("receipt", "QR code (libqrencode, level M), p50", bench_median (qr, RUNS), "ms", "");

  measure ("QR + PDF, 58 mm", receipt, KIOSK_PAPER_58MM, render_pdf, NULL, "target < 30 ms");
  measure ("QR + PDF, 80 mm", receipt, KIOSK_PAPER_80MM, render_pdf, NULL, "target < 30 ms");
  measure ("QR + PDF, A4", receipt, KIOSK_PAPER_A4, render_pdf, NULL, "target < 30 ms");
  measure ("QR + PNG, 80 mm, 203 dpi", receipt, KIOSK_PAPER_80MM, render_png, NULL, NULL);
  measure ("ESC/POS 58 mm, GS v 0 raster", receipt, KIOSK_PAPER_58MM, render_escpos, &raster, "target < 30 ms");
  measure ("ESC/POS 80 mm, GS v 0 raster", receipt, KIOSK_PAPER_80MM, render_escpos, &raster, "target < 30 ms");
  measure ("ESC/POS 80 mm, native GS ( k", receipt, KIOSK_PAPER_80MM, render_escpos, &native, NULL);
  {
    g_autoptr(KioskQrCode) code = kiosk_qr_code_new (receipt->qr_payload, NULL);
    double pixels[RUNS];

    for (guint i = 0; i < RUNS; i++)
      {
        g_autoptr(GBytes) bytes = NULL;

        start = bench_now_ms ();
        bytes = kiosk_qr_code_render_pixels (code, kiosk_qr_code_fit_scale (code, 600), KIOSK_PIXEL_RGBA8, NULL, NULL);
        pixels[i] = bench_now_ms () - start;
      }
    bench_row ("receipt", "screen texture RGBA, ≤ 600 px, p50", bench_median (pixels, RUNS), "ms", "");
  }
  return 0;
}
