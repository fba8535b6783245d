/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "antragskiosk-receipt"

/* The QR code of a receipt (receipt.h): libqrencode's matrix with its
 * quiet zone, and the pixel buffer for the screen. */

#include "config.h"

#include <string.h>
#include <glib.h>
#include <qrencode.h>

#include <antragskiosk/receipt.h>

/* ---------------------------------------------------------------- QR code */

KioskQrCode *
kiosk_qr_code_new (const char *payload, GError **error)
{
  QRcode *code;
  KioskQrCode *qr;
  guint width;

  g_return_val_if_fail (payload != NULL, NULL);

  code = QRcode_encodeString (payload, 0, QR_ECLEVEL_M, QR_MODE_8, 1);
  if (code == NULL)
    {
      g_set_error (error, KIOSK_RECEIPT_ERROR, KIOSK_RECEIPT_ERROR_QR,
                   "The status address is too long for a QR code (%zu bytes)", strlen (payload));
      return NULL;
    }
  width = (guint) code->width;
  qr = g_new0 (KioskQrCode, 1);
  qr->version = (guint) code->version;
  qr->size = width + 2 * KIOSK_QR_QUIET_ZONE;
  qr->modules = g_malloc0 ((gsize) qr->size * qr->size);
  for (guint y = 0; y < width; y++)
    for (guint x = 0; x < width; x++)
      qr->modules[(y + KIOSK_QR_QUIET_ZONE) * qr->size + x + KIOSK_QR_QUIET_ZONE]
        = code->data[y * width + x] & 1;
  QRcode_free (code);
  return qr;
}

void
kiosk_qr_code_free (KioskQrCode *qr)
{
  if (qr == NULL)
    return;
  g_free (qr->modules);
  g_free (qr);
}

guint
kiosk_qr_code_fit_scale (const KioskQrCode *qr, guint max_pixels)
{
  g_return_val_if_fail (qr != NULL && qr->size > 0, 1);
  return MAX (1u, max_pixels / qr->size);
}

GBytes *
kiosk_qr_code_render_pixels (const KioskQrCode *qr,
                             guint              scale,
                             KioskPixelFormat   format,
                             guint             *side,
                             gsize             *stride)
{
  guint bpp = format == KIOSK_PIXEL_RGBA8 ? 4 : 1;
  guint n;
  gsize row_bytes;
  guint8 *pixels;

  g_return_val_if_fail (qr != NULL, NULL);
  g_return_val_if_fail (scale >= 1 && scale <= 256, NULL);

  n = qr->size * scale;
  row_bytes = (gsize) n * bpp;
  pixels = g_malloc (row_bytes * n);
  for (guint y = 0; y < n; y++)
    {
      guint8 *row = pixels + (gsize) y * row_bytes;
      for (guint x = 0; x < n; x++)
        {
          guint8 value = kiosk_qr_code_get (qr, x / scale, y / scale) ? 0 : 255;
          if (bpp == 1)
            row[x] = value;
          else
            {
              row[4 * x + 0] = value;
              row[4 * x + 1] = value;
              row[4 * x + 2] = value;
              row[4 * x + 3] = 255;
            }
        }
    }
  if (side != NULL)
    *side = n;
  if (stride != NULL)
    *stride = row_bytes;
  return g_bytes_new_take (pixels, row_bytes * n);
}
