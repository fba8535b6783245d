/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "antragskiosk-validate"

/* Dates (FORMS.md, "Validators"; validate-private.h). */

#include <string.h>

#include <glib.h>
#include <glib/gi18n-lib.h>

#include <antragskiosk/validate.h>

#include "validate-private.h"

/* ------------------------------------------------------------------ */
/* Dates                                                               */
/* ------------------------------------------------------------------ */

/* Reads up to @max + 1 ASCII digits (one more than allowed, so that a
 * number too long shows) into @value; returns how many it read. */
static guint
read_number (const char **p,
             const char  *end,
             guint        max,
             guint       *value)
{
  guint n = 0, v = 0;

  while (*p < end && n < max + 1 && g_ascii_isdigit (**p))
    {
      v = v * 10 + (guint) (**p - '0');
      (*p)++;
      n++;
    }
  *value = v;
  return n;
}

static const char *
month_name (guint month)
{
  switch (month)
    {
    case 1: return C_("month name in a date message", "January");
    case 2: return C_("month name in a date message", "February");
    case 3: return C_("month name in a date message", "March");
    case 4: return C_("month name in a date message", "April");
    case 5: return C_("month name in a date message", "May");
    case 6: return C_("month name in a date message", "June");
    case 7: return C_("month name in a date message", "July");
    case 8: return C_("month name in a date message", "August");
    case 9: return C_("month name in a date message", "September");
    case 10: return C_("month name in a date message", "October");
    case 11: return C_("month name in a date message", "November");
    default: return C_("month name in a date message", "December");
    }
}

static gboolean
is_leap_year (guint year)
{
  return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

static guint
days_in_month (guint month,
               guint year)
{
  static const guint8 days[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

  if (month == 2 && is_leap_year (year))
    return 29;
  return days[month - 1];
}

gboolean
kiosk_validate_date (const char  *input,
                     char       **normalized,
                     GError     **error)
{
  const char *p, *end;
  guint day = 0, month = 0, year = 0, len_d = 0, len_m = 0, len_y = 0;
  gboolean ok;

  if (!_kiosk_validate_prepare_input (input, &p, &end, error))
    return FALSE;
  if (p == end)
    return _kiosk_validate_fail (error, KIOSK_VALIDATE_ERROR_FORMAT,
                                 _("Please enter a date as DD.MM.YYYY, for example 24.12.1990."));

  /* ISO 8601: YYYY-MM-DD. */
  if (end - p == 10 && p[4] == '-' && p[7] == '-')
    {
      len_y = read_number (&p, end, 4, &year);
      p++;
      len_m = read_number (&p, end, 2, &month);
      p++;
      len_d = read_number (&p, end, 2, &day);
      ok = len_y == 4 && len_m == 2 && len_d == 2 && p == end;
    }
  else
    {
      /* DIN 5008: D.M.YYYY or DD.MM.YYYY, a space after a dot allowed. */
      len_d = read_number (&p, end, 2, &day);
      ok = len_d >= 1 && len_d <= 2 && p < end && *p == '.';
      if (ok)
        {
          p++;
          if (p < end && *p == ' ')
            p++;
          len_m = read_number (&p, end, 2, &month);
          ok = len_m >= 1 && len_m <= 2 && p < end && *p == '.';
        }
      if (ok)
        {
          p++;
          if (p < end && *p == ' ')
            p++;
          len_y = read_number (&p, end, 4, &year);
          ok = len_y >= 1 && p == end;
          if (ok && len_y != 4)
            return _kiosk_validate_fail (error, KIOSK_VALIDATE_ERROR_FORMAT,
                                         _("Please write the year with all four digits, for example 1990 rather than 90."));
        }
    }
  if (!ok)
    return _kiosk_validate_fail (error, KIOSK_VALIDATE_ERROR_FORMAT,
                                 _("Please enter a date as DD.MM.YYYY, for example 24.12.1990."));

  if (year < 1000)
    return _kiosk_validate_fail (error, KIOSK_VALIDATE_ERROR_RANGE,
                                 _("The year must lie between 1000 and 9999."));
  if (month < 1 || month > 12)
    return _kiosk_validate_fail_printf (error, KIOSK_VALIDATE_ERROR_CALENDAR,
                                        _("There is no month %u; the month is a number from 1 to 12."), month);
  if (day == 0)
    return _kiosk_validate_fail (error, KIOSK_VALIDATE_ERROR_CALENDAR,
                                 _("There is no day 0; the days of a month are counted from 1."));
  if (month == 2 && day == 29 && !is_leap_year (year))
    return _kiosk_validate_fail_printf (error, KIOSK_VALIDATE_ERROR_CALENDAR,
                                        _("%u is not a leap year, so February has only 28 days."), year);
  if (day > days_in_month (month, year))
    return _kiosk_validate_fail_printf (error, KIOSK_VALIDATE_ERROR_CALENDAR,
                                        g_dngettext (GETTEXT_PACKAGE, "%s has only %u day.", "%s has only %u days.",
                                                     (gulong) days_in_month (month, year)),
                                        month_name (month), days_in_month (month, year));

  if (normalized != NULL)
    *normalized = g_strdup_printf ("%04u-%02u-%02u", year, month, day);
  return TRUE;
}
