/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

/* What the receipt module's files share (receipt.c, receipt-cairo.c,
 * receipt-escpos.c, summary-pdf.c); not public. */

#include <glib.h>
#include <cairo.h>

#include <antragskiosk/receipt.h>

G_BEGIN_DECLS

G_DEFINE_AUTOPTR_CLEANUP_FUNC (cairo_surface_t, cairo_surface_destroy)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (cairo_t, cairo_destroy)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (cairo_font_options_t, cairo_font_options_destroy)

/* ---- receipt.c: text helpers of every renderer ---- */

/* Greedy word wrap of @text into lines no wider than @width as @measure
 * (called with @measure_data) counts; a word wider than a line (an
 * address) is broken between characters. At least one line. */
GPtrArray *_kiosk_receipt_wrap_lines (const char *text,
                                      gpointer    measure_data,
                                      double    (*measure) (gpointer data, const char *text),
                                      double      width);

/* The receipt's QR code in *@qr (NULL when it has no payload); FALSE with
 * @error set when the payload does not fit. */
gboolean   _kiosk_receipt_prepare_qr (const KioskReceipt  *receipt,
                                      KioskQrCode        **qr,
                                      GError             **error);

/* ---- receipt-cairo.c: page geometry and the pen ---- */

typedef struct {
  double width;      /* page width, points */
  double height;     /* A4: page height; rolls: computed */
  double margin;
  double qr_target;  /* wanted QR side, points */
  double title_size, body_size, reference_size, small_size;
  gboolean roll;
} KioskPaperLayout;

/* Geometry and type sizes of a receipt on @paper (A4 for anything else). */
KioskPaperLayout _kiosk_paper_layout (KioskPaper paper);

typedef struct {
  cairo_t *cr;
  gboolean draw;
  double   y;
  double   left, width;
  double   px_per_pt;   /* device pixels per point, to snap the QR */
  gboolean flush_left;  /* else centred */
  double   page_bottom; /* multi-page documents: break below this; 0: never */
  double   top;         /* where a new page starts */
} KioskPen;

/* Writes @text wrapped to the pen's width (DejaVu Sans, or Sans Mono with
 * @mono) and moves the pen below it; with page_bottom set, starts a new
 * page where a line would not fit. Measures only unless pen->draw. */
void       _kiosk_pen_text (KioskPen   *pen,
                            const char *text,
                            gboolean    bold,
                            gboolean    mono,
                            double      size);
/* A horizontal rule across the pen's width, @gap above and below. */
void       _kiosk_pen_rule (KioskPen *pen,
                            double    gap);

/* TRUE for CAIRO_STATUS_SUCCESS, else FALSE with KIOSK_RECEIPT_ERROR_RENDER. */
gboolean   _kiosk_receipt_check_cairo (cairo_status_t   status,
                                       GError         **error);

G_END_DECLS
