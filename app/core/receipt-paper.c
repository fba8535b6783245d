/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "antragskiosk-receipt"

/* Paper sizes of receipts (receipt.h): names and ESC/POS line widths. */

#include "config.h"

#include <glib.h>

#include <antragskiosk/receipt.h>

/* ---------------------------------------------------------------- paper */

guint
kiosk_paper_escpos_dots (KioskPaper paper)
{
  switch (paper)
    {
    case KIOSK_PAPER_58MM: return 384;
    case KIOSK_PAPER_80MM: return 576;
    case KIOSK_PAPER_A4:
    default: return 0;
    }
}

gboolean
kiosk_paper_from_string (const char *text, KioskPaper *paper)
{
  if (g_strcmp0 (text, "58") == 0 || g_strcmp0 (text, "58mm") == 0)
    *paper = KIOSK_PAPER_58MM;
  else if (g_strcmp0 (text, "80") == 0 || g_strcmp0 (text, "80mm") == 0)
    *paper = KIOSK_PAPER_80MM;
  else if (text != NULL && g_ascii_strcasecmp (text, "a4") == 0)
    *paper = KIOSK_PAPER_A4;
  else
    return FALSE;
  return TRUE;
}

const char *
kiosk_paper_to_string (KioskPaper paper)
{
  switch (paper)
    {
    case KIOSK_PAPER_58MM: return "58";
    case KIOSK_PAPER_80MM: return "80";
    case KIOSK_PAPER_A4: return "a4";
    default: return "?";
    }
}
