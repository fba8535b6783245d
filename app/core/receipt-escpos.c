/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "antragskiosk-receipt"

/* The receipt as an ESC/POS byte stream for thermal printers (receipt.h). */

#include "config.h"

#include <string.h>
#include <glib.h>

#include <antragskiosk/receipt.h>

#include "receipt-private.h"

/* ---------------------------------------------------------------- ESC/POS */

/* Code page choice: CP858 (CP850 with the euro sign at 0xD5), selected with
 * ESC t 19, is the Western European page that Epson TM printers and most
 * clones carry, and it has every German letter. Printers without it get
 * plain ASCII with German transliteration (ä → ae, ß → ss). */

/* Unicode code points of CP858 bytes 0x80–0xFF (from the published table). */
static const guint16 cp858_high[128] = {
  0x00c7, 0x00fc, 0x00e9, 0x00e2, 0x00e4, 0x00e0, 0x00e5, 0x00e7, 0x00ea, 0x00eb, 0x00e8, 0x00ef, 0x00ee, 0x00ec, 0x00c4, 0x00c5,
  0x00c9, 0x00e6, 0x00c6, 0x00f4, 0x00f6, 0x00f2, 0x00fb, 0x00f9, 0x00ff, 0x00d6, 0x00dc, 0x00f8, 0x00a3, 0x00d8, 0x00d7, 0x0192,
  0x00e1, 0x00ed, 0x00f3, 0x00fa, 0x00f1, 0x00d1, 0x00aa, 0x00ba, 0x00bf, 0x00ae, 0x00ac, 0x00bd, 0x00bc, 0x00a1, 0x00ab, 0x00bb,
  0x2591, 0x2592, 0x2593, 0x2502, 0x2524, 0x00c1, 0x00c2, 0x00c0, 0x00a9, 0x2563, 0x2551, 0x2557, 0x255d, 0x00a2, 0x00a5, 0x2510,
  0x2514, 0x2534, 0x252c, 0x251c, 0x2500, 0x253c, 0x00e3, 0x00c3, 0x255a, 0x2554, 0x2569, 0x2566, 0x2560, 0x2550, 0x256c, 0x00a4,
  0x00f0, 0x00d0, 0x00ca, 0x00cb, 0x00c8, 0x20ac, 0x00cd, 0x00ce, 0x00cf, 0x2518, 0x250c, 0x2588, 0x2584, 0x00a6, 0x00cc, 0x2580,
  0x00d3, 0x00df, 0x00d4, 0x00d2, 0x00f5, 0x00d5, 0x00b5, 0x00fe, 0x00de, 0x00da, 0x00db, 0x00d9, 0x00fd, 0x00dd, 0x00af, 0x00b4,
  0x00ad, 0x00b1, 0x2017, 0x00be, 0x00b6, 0x00a7, 0x00f7, 0x00b8, 0x00b0, 0x00a8, 0x00b7, 0x00b9, 0x00b3, 0x00b2, 0x25a0, 0x00a0,
};

static const char *
transliterate_german (gunichar c)
{
  switch (c)
    {
    case 0x00e4: return "ae";
    case 0x00f6: return "oe";
    case 0x00fc: return "ue";
    case 0x00c4: return "Ae";
    case 0x00d6: return "Oe";
    case 0x00dc: return "Ue";
    case 0x00df: return "ss";
    case 0x20ac: return "EUR";
    case 0x2013: case 0x2014: case 0x2011: return "-";
    case 0x201e: case 0x201c: case 0x201d: return "\"";
    case 0x2018: case 0x2019: case 0x201a: return "'";
    case 0x00a0: return " ";
    default: return NULL;
    }
}

/* One printable line of UTF-8 text in the printer's code page. */
static void
append_encoded (GByteArray *out, const char *text, KioskEscposCodepage codepage)
{
  for (const char *p = text; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);
      const char *ascii = NULL;
      guint8 byte = '?';
      gboolean found = FALSE;

      if (c >= 0x20 && c < 0x7f)
        {
          byte = (guint8) c;
          found = TRUE;
        }
      else if (codepage == KIOSK_ESCPOS_CODEPAGE_CP858 && c >= 0xa0)
        {
          for (guint i = 0; i < 128 && !found; i++)
            if (cp858_high[i] == c)
              {
                byte = (guint8) (0x80 + i);
                found = TRUE;
              }
        }
      if (!found)
        ascii = transliterate_german (c);
      if (ascii != NULL)
        {
          g_byte_array_append (out, (const guint8 *) ascii, strlen (ascii));
          continue;
        }
      g_byte_array_append (out, &byte, 1);
    }
}

static double
measure_chars (gpointer data, const char *text)
{
  return (double) g_utf8_strlen (text, -1);
}

static void
append_bytes (GByteArray *out, const guint8 *bytes, gsize length)
{
  g_byte_array_append (out, bytes, (guint) length);
}

#define APPEND(out, ...) G_STMT_START { \
    static const guint8 seq_[] = { __VA_ARGS__ }; \
    append_bytes ((out), seq_, sizeof seq_); \
  } G_STMT_END

static void
escpos_text (GByteArray *out, const char *text, guint columns, KioskEscposCodepage codepage)
{
  g_autoptr(GPtrArray) lines = _kiosk_receipt_wrap_lines (text, NULL, measure_chars, columns);

  for (guint i = 0; i < lines->len; i++)
    {
      append_encoded (out, lines->pdata[i], codepage);
      APPEND (out, 0x0a);
    }
}

static void
escpos_raster_qr (GByteArray *out, const KioskQrCode *qr, guint dots)
{
  guint scale = MIN (8u, dots / qr->size);
  guint bytes_per_row = dots / 8;
  guint side, left;
  guint band = 128;   /* rows per GS v 0: small enough for any buffer */

  if (scale == 0)
    scale = 1;
  side = qr->size * scale;
  left = (dots - MIN (side, dots)) / 2;
  for (guint y0 = 0; y0 < side; y0 += band)
    {
      guint rows = MIN (band, side - y0);
      guint8 header[8] = { 0x1d, 'v', '0', 0,
                           (guint8) (bytes_per_row & 0xff), (guint8) (bytes_per_row >> 8),
                           (guint8) (rows & 0xff), (guint8) (rows >> 8) };
      g_autofree guint8 *data = g_malloc0 ((gsize) bytes_per_row * rows);

      for (guint y = 0; y < rows; y++)
        for (guint x = 0; x < side && left + x < dots; x++)
          if (kiosk_qr_code_get (qr, x / scale, (y0 + y) / scale))
            {
              guint px = left + x;
              data[y * bytes_per_row + px / 8] |= (guint8) (0x80 >> (px % 8));
            }
      append_bytes (out, header, sizeof header);
      append_bytes (out, data, (gsize) bytes_per_row * rows);
    }
}

static void
escpos_native_qr (GByteArray *out, const char *payload, guint module_dots)
{
  gsize length = strlen (payload) + 3;
  guint8 store[8] = { 0x1d, '(', 'k', (guint8) (length & 0xff), (guint8) (length >> 8), '1', 'P', '0' };
  guint8 size[8] = { 0x1d, '(', 'k', 3, 0, '1', 'C', (guint8) CLAMP (module_dots, 1u, 16u) };

  APPEND (out, 0x1d, '(', 'k', 4, 0, '1', 'A', '2', 0);     /* model 2 */
  append_bytes (out, size, sizeof size);                    /* module size */
  APPEND (out, 0x1d, '(', 'k', 3, 0, '1', 'E', '1');        /* level M */
  append_bytes (out, store, sizeof store);                  /* store data */
  append_bytes (out, (const guint8 *) payload, strlen (payload));
  APPEND (out, 0x1d, '(', 'k', 3, 0, '1', 'Q', '0');        /* print */
}

GBytes *
kiosk_receipt_render_escpos (const KioskReceipt       *receipt,
                             KioskPaper                paper,
                             const KioskEscposOptions *options,
                             GError                  **error)
{
  static const KioskEscposOptions defaults = { KIOSK_ESCPOS_CODEPAGE_CP858, FALSE, TRUE };
  g_autoptr(GByteArray) out = g_byte_array_sized_new (24 * 1024);
  g_autoptr(KioskQrCode) qr = NULL;
  guint dots = kiosk_paper_escpos_dots (paper);
  guint columns = dots / 12;   /* font A: 12 × 24 dots */
  gsize separator_length;
  g_autofree char *separator = NULL;

  g_return_val_if_fail (receipt != NULL, NULL);
  if (options == NULL)
    options = &defaults;
  if (dots == 0)
    {
      g_set_error (error, KIOSK_RECEIPT_ERROR, KIOSK_RECEIPT_ERROR_INVALID,
                   "ESC/POS receipts are for 58 mm or 80 mm rolls, not A4");
      return NULL;
    }
  if (!_kiosk_receipt_prepare_qr (receipt, &qr, error))
    return NULL;
  separator_length = columns;
  separator = g_strnfill (separator_length, '-');

  APPEND (out, 0x1b, '@');                                  /* initialise */
  if (options->codepage == KIOSK_ESCPOS_CODEPAGE_CP858)
    APPEND (out, 0x1b, 't', 19);                            /* CP858 */
  APPEND (out, 0x1b, 'a', 1);                               /* centre */
  APPEND (out, 0x1b, 'E', 1);
  escpos_text (out, receipt->heading, columns, options->codepage);
  APPEND (out, 0x1b, 'E', 0);
  if (receipt->location != NULL && *receipt->location != '\0')
    escpos_text (out, receipt->location, columns, options->codepage);
  escpos_text (out, separator, columns, options->codepage);
  APPEND (out, 0x1b, 'E', 1);
  escpos_text (out, receipt->form_title, columns, options->codepage);
  APPEND (out, 0x1b, 'E', 0);
  escpos_text (out, receipt->created_text, columns, options->codepage);
  APPEND (out, 0x0a);
  escpos_text (out, receipt->reference_label, columns, options->codepage);
  APPEND (out, 0x1b, 'E', 1);
  if (strlen (receipt->reference_display) <= columns / 2)
    {
      APPEND (out, 0x1d, '!', 0x11);                        /* double size */
      escpos_text (out, receipt->reference_display, columns / 2, options->codepage);
      APPEND (out, 0x1d, '!', 0x00);
    }
  else
    escpos_text (out, receipt->reference_display, columns, options->codepage);
  APPEND (out, 0x1b, 'E', 0);
  APPEND (out, 0x0a);
  escpos_text (out, receipt->state_text, columns, options->codepage);
  if (qr != NULL)
    {
      APPEND (out, 0x0a);
      if (options->native_qr)
        escpos_native_qr (out, receipt->qr_payload, MIN (8u, dots / qr->size));
      else
        escpos_raster_qr (out, qr, dots);
      APPEND (out, 0x0a);
    }
  escpos_text (out, receipt->status_text, columns, options->codepage);
  escpos_text (out, separator, columns, options->codepage);
  escpos_text (out, receipt->keep_note, columns, options->codepage);
  if (options->cut)
    {
      APPEND (out, 0x1b, 'd', 4);                           /* feed 4 lines */
      APPEND (out, 0x1d, 'V', 1);                           /* partial cut */
    }
  return g_byte_array_free_to_bytes (g_steal_pointer (&out));
}


/* ---------------------------------------------------------------- summary */
