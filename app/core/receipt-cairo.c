/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "antragskiosk-receipt"

/* The receipt through cairo (receipt.h): PDF and PNG for 58 mm, 80 mm and
 * A4, and the pen (text, rules, the QR) that the summary PDF uses too. */

#include "config.h"

#include <math.h>
#include <glib.h>
#include <cairo.h>
#include <cairo-pdf.h>

#include <antragskiosk/receipt.h>

#include "receipt-private.h"

#define FONT_FAMILY "DejaVu Sans"
#define FONT_FAMILY_MONO "DejaVu Sans Mono"

#define MM (72.0 / 25.4)

KioskPaperLayout
_kiosk_paper_layout (KioskPaper paper)
{
  KioskPaperLayout layout = { 0 };

  switch (paper)
    {
    case KIOSK_PAPER_58MM:
      layout = (KioskPaperLayout) { 58 * MM, 0, 5 * MM, 38 * MM, 11, 8, 15, 7, TRUE };
      break;
    case KIOSK_PAPER_80MM:
      layout = (KioskPaperLayout) { 80 * MM, 0, 5 * MM, 45 * MM, 13, 9.5, 19, 8, TRUE };
      break;
    case KIOSK_PAPER_A4:
    default:
      layout = (KioskPaperLayout) { 210 * MM, 297 * MM, 25 * MM, 55 * MM, 20, 12, 28, 10, FALSE };
      break;
    }
  return layout;
}

static void
set_font (cairo_t *cr, gboolean bold, gboolean mono, double size)
{
  cairo_select_font_face (cr, mono ? FONT_FAMILY_MONO : FONT_FAMILY, CAIRO_FONT_SLANT_NORMAL,
                          bold ? CAIRO_FONT_WEIGHT_BOLD : CAIRO_FONT_WEIGHT_NORMAL);
  cairo_set_font_size (cr, size);
}

static double
text_width (cairo_t *cr, const char *text)
{
  cairo_text_extents_t extents;

  cairo_text_extents (cr, text, &extents);
  return extents.x_advance;
}

static double
measure_cairo (gpointer data, const char *text)
{
  return text_width (data, text);
}

void
_kiosk_pen_text (KioskPen *pen, const char *text, gboolean bold, gboolean mono, double size)
{
  g_autoptr(GPtrArray) lines = NULL;
  cairo_font_extents_t font;

  set_font (pen->cr, bold, mono, size);
  cairo_font_extents (pen->cr, &font);
  lines = _kiosk_receipt_wrap_lines (text, pen->cr, measure_cairo, pen->width);
  for (guint i = 0; i < lines->len; i++)
    {
      const char *line = lines->pdata[i];
      if (pen->page_bottom > 0 && pen->y + font.ascent + font.descent > pen->page_bottom)
        {
          if (pen->draw)
            cairo_show_page (pen->cr);
          pen->y = pen->top;
        }
      pen->y += font.ascent;
      if (pen->draw)
        {
          double w = text_width (pen->cr, line);
          cairo_move_to (pen->cr, pen->flush_left ? pen->left : pen->left + (pen->width - w) / 2, pen->y);
          cairo_show_text (pen->cr, line);
        }
      pen->y += font.descent + size * 0.15;
    }
}

void
_kiosk_pen_rule (KioskPen *pen, double gap)
{
  pen->y += gap;
  if (pen->draw)
    {
      cairo_save (pen->cr);
      cairo_set_line_width (pen->cr, 0.6);
      cairo_move_to (pen->cr, pen->left, pen->y);
      cairo_line_to (pen->cr, pen->left + pen->width, pen->y);
      cairo_stroke (pen->cr);
      cairo_restore (pen->cr);
    }
  pen->y += gap;
}

static double
snap (double value, double px_per_pt)
{
  return floor (value * px_per_pt + 0.5) / px_per_pt;
}

static void
pen_qr (KioskPen *pen, const KioskQrCode *qr, double target)
{
  /* An integer number of device pixels per module, so that PNGs stay
   * crisp; PDF is vector, the snap does no harm there. */
  double module_px = floor (MIN (target, pen->width) * pen->px_per_pt / qr->size);
  double module, x0, y0;

  if (module_px < 1)
    module_px = 1;
  module = module_px / pen->px_per_pt;
  x0 = snap (pen->left + (pen->width - module * qr->size) / 2, pen->px_per_pt);
  y0 = snap (pen->y, pen->px_per_pt);
  if (pen->draw)
    {
      cairo_save (pen->cr);
      cairo_set_antialias (pen->cr, CAIRO_ANTIALIAS_NONE);
      for (guint y = 0; y < qr->size; y++)
        {
          guint x = 0;
          while (x < qr->size)
            {
              guint run;
              if (!kiosk_qr_code_get (qr, x, y))
                {
                  x++;
                  continue;
                }
              for (run = 1; x + run < qr->size && kiosk_qr_code_get (qr, x + run, y); run++)
                ;
              cairo_rectangle (pen->cr, x0 + x * module, y0 + y * module, run * module, module);
              x += run;
            }
        }
      cairo_fill (pen->cr);
      cairo_restore (pen->cr);
    }
  pen->y = y0 + module * qr->size;
}

/* Lays out (and with @draw, draws) the receipt from the top of the page;
 * returns the height used, in points. */
static double
layout_receipt (cairo_t            *cr,
                const KioskReceipt *receipt,
                const KioskQrCode  *qr,
                const KioskPaperLayout  *layout,
                double              px_per_pt,
                gboolean            draw)
{
  KioskPen pen = { cr, draw, layout->margin, layout->margin,
              layout->width - 2 * layout->margin, px_per_pt };
  g_autoptr(cairo_font_options_t) font_options = cairo_font_options_create ();

  cairo_font_options_set_hint_metrics (font_options, CAIRO_HINT_METRICS_OFF);
  cairo_font_options_set_hint_style (font_options, CAIRO_HINT_STYLE_NONE);
  cairo_set_font_options (cr, font_options);
  cairo_set_source_rgb (cr, 0, 0, 0);

  if (!layout->roll)
    {
      /* A4: a narrower column at the top of the page */
      pen.width = MIN (pen.width, 120 * MM);
      pen.left = (layout->width - pen.width) / 2;
    }

  _kiosk_pen_text (&pen, receipt->heading, TRUE, FALSE, layout->title_size);
  if (receipt->location != NULL && *receipt->location != '\0')
    _kiosk_pen_text (&pen, receipt->location, FALSE, FALSE, layout->body_size);
  _kiosk_pen_rule (&pen, layout->body_size * 0.6);
  _kiosk_pen_text (&pen, receipt->form_title, TRUE, FALSE, layout->body_size * 1.1);
  _kiosk_pen_text (&pen, receipt->created_text, FALSE, FALSE, layout->body_size);
  pen.y += layout->body_size * 0.6;
  _kiosk_pen_text (&pen, receipt->reference_label, FALSE, FALSE, layout->body_size);
  _kiosk_pen_text (&pen, receipt->reference_display, TRUE, TRUE, layout->reference_size);
  pen.y += layout->body_size * 0.4;
  _kiosk_pen_text (&pen, receipt->state_text, FALSE, FALSE, layout->body_size);
  if (qr != NULL)
    {
      pen.y += layout->body_size * 0.6;
      pen_qr (&pen, qr, layout->qr_target);
      pen.y += layout->body_size * 0.3;
    }
  _kiosk_pen_text (&pen, receipt->status_text, FALSE, FALSE, layout->small_size);
  _kiosk_pen_rule (&pen, layout->body_size * 0.6);
  _kiosk_pen_text (&pen, receipt->keep_note, FALSE, FALSE, layout->small_size);
  return pen.y + layout->margin;
}

gboolean
_kiosk_receipt_check_cairo (cairo_status_t status, GError **error)
{
  if (status == CAIRO_STATUS_SUCCESS)
    return TRUE;
  g_set_error (error, KIOSK_RECEIPT_ERROR, KIOSK_RECEIPT_ERROR_RENDER,
               "The receipt could not be drawn: %s", cairo_status_to_string (status));
  return FALSE;
}

/* The height a roll needs, measured on a scratch surface. */
static double
measure_height (const KioskReceipt *receipt,
                const KioskQrCode  *qr,
                const KioskPaperLayout  *layout,
                double              px_per_pt)
{
  g_autoptr(cairo_surface_t) scratch = cairo_image_surface_create (CAIRO_FORMAT_A8, 1, 1);
  g_autoptr(cairo_t) cr = cairo_create (scratch);

  return ceil (layout_receipt (cr, receipt, qr, layout, px_per_pt, FALSE));
}

static cairo_status_t
append_to_bytes (void *closure, const unsigned char *data, unsigned int length)
{
  g_byte_array_append (closure, data, length);
  return CAIRO_STATUS_SUCCESS;
}

GBytes *
kiosk_receipt_render_pdf (const KioskReceipt *receipt,
                          KioskPaper          paper,
                          GError            **error)
{
  KioskPaperLayout layout = _kiosk_paper_layout (paper);
  g_autoptr(KioskQrCode) qr = NULL;
  g_autoptr(GByteArray) out = g_byte_array_new ();
  g_autoptr(cairo_surface_t) surface = NULL;
  g_autoptr(cairo_t) cr = NULL;
  const double px_per_pt = 600.0 / 72.0;   /* snap to a 600 dpi grid */
  cairo_status_t status;

  g_return_val_if_fail (receipt != NULL, NULL);
  if (!_kiosk_receipt_prepare_qr (receipt, &qr, error))
    return NULL;
  if (layout.roll)
    layout.height = measure_height (receipt, qr, &layout, px_per_pt);

  surface = cairo_pdf_surface_create_for_stream (append_to_bytes, out, layout.width, layout.height);
  cairo_pdf_surface_restrict_to_version (surface, CAIRO_PDF_VERSION_1_5);
  cairo_pdf_surface_set_metadata (surface, CAIRO_PDF_METADATA_TITLE, receipt->heading);
  cairo_pdf_surface_set_metadata (surface, CAIRO_PDF_METADATA_CREATOR, "Antragskiosk " PACKAGE_VERSION);
  cr = cairo_create (surface);
  layout_receipt (cr, receipt, qr, &layout, px_per_pt, TRUE);
  cairo_show_page (cr);
  status = cairo_status (cr);
  g_clear_pointer (&cr, cairo_destroy);
  cairo_surface_finish (surface);
  if (status == CAIRO_STATUS_SUCCESS)
    status = cairo_surface_status (surface);
  if (!_kiosk_receipt_check_cairo (status, error))
    return NULL;
  return g_byte_array_free_to_bytes (g_steal_pointer (&out));
}

GBytes *
kiosk_receipt_render_png (const KioskReceipt *receipt,
                          KioskPaper          paper,
                          guint               dpi,
                          GError            **error)
{
  KioskPaperLayout layout = _kiosk_paper_layout (paper);
  g_autoptr(KioskQrCode) qr = NULL;
  g_autoptr(GByteArray) out = g_byte_array_new ();
  g_autoptr(cairo_surface_t) surface = NULL;
  g_autoptr(cairo_t) cr = NULL;
  double px_per_pt;
  int width, height;
  cairo_status_t status;

  g_return_val_if_fail (receipt != NULL, NULL);
  if (dpi == 0)
    dpi = layout.roll ? 203 : 150;
  if (dpi < 72 || dpi > 1200)
    {
      g_set_error (error, KIOSK_RECEIPT_ERROR, KIOSK_RECEIPT_ERROR_INVALID,
                   "A PNG receipt needs a resolution from 72 to 1200 dpi");
      return NULL;
    }
  px_per_pt = dpi / 72.0;
  if (!_kiosk_receipt_prepare_qr (receipt, &qr, error))
    return NULL;
  if (layout.roll)
    layout.height = measure_height (receipt, qr, &layout, px_per_pt);

  width = (int) ceil (layout.width * px_per_pt);
  height = (int) ceil (layout.height * px_per_pt);
  surface = cairo_image_surface_create (CAIRO_FORMAT_RGB24, width, height);
  cr = cairo_create (surface);
  cairo_set_source_rgb (cr, 1, 1, 1);
  cairo_paint (cr);
  cairo_scale (cr, px_per_pt, px_per_pt);
  layout_receipt (cr, receipt, qr, &layout, px_per_pt, TRUE);
  status = cairo_status (cr);
  if (!_kiosk_receipt_check_cairo (status, error))
    return NULL;
  cairo_surface_flush (surface);
  status = cairo_surface_write_to_png_stream (surface, append_to_bytes, out);
  if (!_kiosk_receipt_check_cairo (status, error))
    return NULL;
  return g_byte_array_free_to_bytes (g_steal_pointer (&out));
}
