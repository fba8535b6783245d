/* SPDX-License-Identifier: GPL-3.0-or-later */
/* An answer as a person reads it (display.h): one formatter for the review
 * page and the summary PDF. */
#define G_LOG_DOMAIN "antragskiosk-display"

#include "config.h"

#include <stdio.h>
#include <string.h>
#include <glib.h>
#include <glib/gi18n-lib.h>

#include <antragskiosk/display.h>

/* What differs between the readers. */
typedef struct {
  const char *lang;          /* form texts; NULL: the current language */
  const char *yes, *no;
  const char *date_format;   /* g_date_time_format() */
  const char *decimal;       /* separator */
  const char *group;         /* thousands separator of amounts */
} Reader;

static void
reader_init (Reader *reader, KioskDisplayFor who)
{
  if (who == KIOSK_DISPLAY_FOR_AUTHORITY)
    {
      /* German (§ 23 VwVfG), DIN 5008: fixed, so that no thread has to
       * switch the process-wide gettext language to write it. */
      *reader = (Reader) { "de", "Ja", "Nein", "%d.%m.%Y", ",", "." };
      return;
    }
  reader->lang = NULL;
  reader->yes = C_("checkbox answer", "Yes");
  reader->no = C_("checkbox answer", "No");
  /* TRANSLATORS: how a date answer is shown to the visitor, a g_date_time_format() format */
  reader->date_format = C_("answer date", "%Y-%m-%d");
  /* TRANSLATORS: the decimal separator of numbers shown to the visitor */
  reader->decimal = C_("decimal separator", ".");
  /* TRANSLATORS: the thousands separator of amounts shown to the visitor */
  reader->group = C_("thousands separator", ",");
}

/* A plain decimal number as the canonical data writes it: an optional
 * minus, digits, an optional point and digits. */
static gboolean
is_plain_number (const char *text)
{
  const char *p = text;
  gboolean digits = FALSE, point = FALSE;

  if (*p == '-')
    p++;
  for (; *p != '\0'; p++)
    {
      if (g_ascii_isdigit (*p))
        digits = TRUE;
      else if (*p == '.' && !point)
        point = TRUE;
      else
        return FALSE;
    }
  return digits;
}

/* @number (plain) with the reader's separator; with @decimals >= 0
 * rounded to that many digits; the integer part grouped by threes when
 * @grouped. */
static char *
format_number (const char *number, const Reader *reader, int decimals, gboolean grouped)
{
  char rounded[G_ASCII_DTOSTR_BUF_SIZE];
  const char *text = number, *digits, *point;
  GString *out = g_string_new (NULL);

  if (decimals >= 0)
    text = g_ascii_formatd (rounded, sizeof rounded, decimals == 2 ? "%.2f" : "%.0f",
                            g_ascii_strtod (number, NULL));
  digits = text[0] == '-' ? text + 1 : text;
  if (digits != text)
    g_string_append_c (out, '-');
  point = strchr (digits, '.');
  for (const char *p = digits; *p != '\0'; p++)
    {
      gsize left = (point != NULL ? (gsize) (point - p) : strlen (p));

      if (*p == '.')
        g_string_append (out, reader->decimal);
      else
        g_string_append_c (out, *p);
      if (grouped && (point == NULL || p < point) && left > 1 && (left - 1) % 3 == 0)
        g_string_append (out, reader->group);
    }
  return g_string_free (out, FALSE);
}

static char *
format_date (const char *iso, const Reader *reader)
{
  int y = 0, m = 0, d = 0;
  char end = '\0';
  g_autoptr(GDateTime) date = NULL;

  if (strlen (iso) == 10 && sscanf (iso, "%4d-%2d-%2d%c", &y, &m, &d, &end) == 3)
    date = g_date_time_new_utc (y, m, d, 0, 0, 0);
  return date != NULL ? g_date_time_format (date, reader->date_format) : g_strdup (iso);
}

char *
kiosk_display_value (const KioskElement *element,
                     const char          *canonical,
                     KioskDisplayFor      who)
{
  Reader reader;

  g_return_val_if_fail (element != NULL, NULL);

  reader_init (&reader, who);
  if (element->kind == KIOSK_KIND_CHECKBOX)
    return g_strdup (g_strcmp0 (canonical, "true") == 0 ? reader.yes : reader.no);
  if (canonical == NULL || *canonical == '\0')
    return g_strdup ("–");
  switch (element->kind)
    {
    case KIOSK_KIND_SELECT:
    case KIOSK_KIND_RADIO:
      {
        const KioskCode *code = element->code_list != NULL ? kiosk_code_list_lookup (element->code_list, canonical)
                                                           : NULL;
        return g_strdup (code != NULL ? kiosk_text_get (code->label, reader.lang) : canonical);
      }
    case KIOSK_KIND_DATE:
      return format_date (canonical, &reader);
    case KIOSK_KIND_CURRENCY:
      if (is_plain_number (canonical))
        {
          g_autofree char *number = format_number (canonical, &reader, 2, TRUE);
          return g_strconcat (number, " €", NULL);
        }
      break;
    case KIOSK_KIND_NUMBER:
    case KIOSK_KIND_INTEGER:
      if (is_plain_number (canonical))
        return format_number (canonical, &reader, -1, FALSE);
      break;
    default:
      break;
    }
  return g_strdup (canonical);
}

void
kiosk_display_free (char *text)
{
  if (text == NULL)
    return;
  explicit_bzero (text, strlen (text));
  g_free (text);
}
