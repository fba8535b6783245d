/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "antragskiosk-answers"

/* The canonical value of a field: its typed text checked against its kind
 * and constraints (answers-private.h). */

#include "config.h"

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <glib/gi18n-lib.h>

#include <antragskiosk/answers.h>
#include <antragskiosk/i18n.h>
#include <antragskiosk/validate.h>

#include "answers-private.h"

static void
trim (const char *raw, const char **start, gsize *length)
{
  const char *s = raw, *e = raw + strlen (raw);

  while (s < e && g_ascii_isspace (*s))
    s++;
  while (e > s && g_ascii_isspace (e[-1]))
    e--;
  *start = s;
  *length = (gsize) (e - s);
}

/* A number field takes at most this many decimal places (the message
 * that says so names the figure: keep them together). */
#define MAX_NUMBER_DECIMALS 12

/* A text value may have at most this many bytes (UTF-8, after NFC) per
 * character of its max_length: room for a letter with several combining
 * marks in every position, not for a flood of them (docs/forms.md). */
#define TEXT_MAX_BYTES_PER_CHARACTER 16

static gsize
text_max_bytes (const KioskElement *element)
{
  return (gsize) element->max_length * TEXT_MAX_BYTES_PER_CHARACTER;
}

/* The bidi embedding, override and isolate controls (U+202A–U+202E,
 * U+2066–U+2069) make a text show other than it reads; no field takes
 * them. @s is @length bytes of UTF-8 (not yet checked: a byte sequence
 * that is not UTF-8 is found later). */
static gboolean
has_bidi_control (const char *s,
                  gsize       length)
{
  /* All are E2 80 AA–AE or E2 81 A6–A9. */
  for (gsize i = 0; i + 2 < length; i++)
    if ((guchar) s[i] == 0xe2
        && (((guchar) s[i + 1] == 0x80 && (guchar) s[i + 2] >= 0xaa && (guchar) s[i + 2] <= 0xae)
            || ((guchar) s[i + 1] == 0x81 && (guchar) s[i + 2] >= 0xa6 && (guchar) s[i + 2] <= 0xa9)))
      return TRUE;
  return FALSE;
}

/* Replaces the spaces people type between groups of digits (no-break,
 * narrow no-break, thin) and the apostrophe by a plain space / '\''. */
static void
plain_separators (char *copy)
{
  static const char *const spaces[] = { "\xc2\xa0", "\xe2\x80\xaf", "\xe2\x80\x89", NULL };
  char *w = copy;

  for (const char *r = copy; *r != '\0';)
    {
      gboolean replaced = FALSE;

      for (gsize i = 0; spaces[i] != NULL && !replaced; i++)
        if (g_str_has_prefix (r, spaces[i]))
          {
            *w++ = ' ';
            r += strlen (spaces[i]);
            replaced = TRUE;
          }
      if (!replaced && g_str_has_prefix (r, "\xe2\x80\x99"))   /* ’ */
        {
          *w++ = '\'';
          r += 3;
          replaced = TRUE;
        }
      if (!replaced)
        *w++ = *r++;
    }
  *w = '\0';
}

/* Thousands separators where they cannot be read as a decimal mark:
 * "24.180,50" and "24,180.50" (a different decimal mark follows),
 * "1.500.000" (more than one), "24 180,50" and "1'500" (a space or an
 * apostrophe). The first group has one to three digits and does not begin
 * with 0, every further group exactly three, the separator is the same
 * throughout. A single "." or "," before three digits ("1.500") stays a
 * decimal mark: it is ambiguous. Removes the separators from @copy and
 * returns TRUE; leaves @copy alone otherwise. */
static gboolean
strip_grouping (char *copy)
{
  char *p = copy + (copy[0] == '-' || copy[0] == '+');
  char *q = p;
  char separator = 0;
  guint groups = 0;
  gboolean decimals = FALSE;

  while (g_ascii_isdigit (*q))
    q++;
  if (q == p || q - p > 3 || *p == '0' || strchr (".,' ", *q) == NULL || *q == '\0')
    return FALSE;
  separator = *q;
  while (*q == separator)
    {
      if (!g_ascii_isdigit (q[1]) || !g_ascii_isdigit (q[2]) || !g_ascii_isdigit (q[3]))
        return FALSE;
      q += 4;
      groups++;
    }
  if ((*q == ',' || *q == '.') && *q != separator && g_ascii_isdigit (q[1]))
    {
      decimals = TRUE;
      for (q++; g_ascii_isdigit (*q); q++)
        ;
    }
  if (*q != '\0')
    return FALSE;
  if (!decimals && groups == 1 && (separator == '.' || separator == ','))
    return FALSE;
  for (char *r = p, *w = p;; r++)
    if (*r != separator && (*w++ = *r) == '\0')
      break;
  return TRUE;
}

/* Parses a decimal number as typed in Germany or in JSON: optional sign,
 * digits, one decimal comma or point, thousands separators where they are
 * unambiguous (strip_grouping). */
static gboolean
parse_decimal (const char *raw,
               gboolean    integer_only,
               guint       max_decimals,
               double     *out,
               char      **error)
{
  g_autofree char *copy = NULL;
  const char *s;
  gsize length, i = 0, decimals = 0;
  gboolean digits = FALSE, point = FALSE, grouped;

  trim (raw, &s, &length);
  copy = g_strndup (s, length);
  /* "12,50 €", "€ 12,50" */
  if (max_decimals == 2)
    {
      char *euro = strstr (copy, "€");
      if (euro != NULL)
        {
          memmove (euro, euro + strlen ("€"), strlen (euro + strlen ("€")) + 1);
          g_strstrip (copy);
        }
    }
  plain_separators (copy);
  grouped = strip_grouping (copy);
  length = strlen (copy);
  if (i < length && (copy[i] == '-' || copy[i] == '+'))
    i++;
  for (; i < length; i++)
    {
      if (g_ascii_isdigit (copy[i]))
        {
          digits = TRUE;
          if (point)
            decimals++;
        }
      else if ((copy[i] == ',' || copy[i] == '.') && !point && !integer_only)
        {
          point = TRUE;
          copy[i] = '.';
        }
      else
        {
          *error = g_strdup (integer_only
                             ? _("Please enter a whole number, using digits only.")
                             : _("Please enter a number, using digits and at most one decimal comma."));
          return FALSE;
        }
    }
  if (!digits)
    {
      *error = g_strdup (integer_only ? _("Please enter a whole number, using digits only.")
                                      : _("Please enter a number, using digits."));
      return FALSE;
    }
  if (decimals > max_decimals)
    {
      /* Only a currency amount is limited to cents; a number field to
       * MAX_NUMBER_DECIMALS places. "1.500" for an amount is most likely
       * a thousands point: say how to write it instead. */
      if (max_decimals == 2 && !grouped && decimals == 3 && strspn (copy, "0123456789") <= 3 && copy[0] != '0')
        *error = g_strdup (_("Please enter the amount without a thousands separator (1500) or with cents (1.500,00)."));
      else
        *error = g_strdup (max_decimals == 2 ? _("Please enter an amount with at most two decimal places (cents).")
                                             : _("Please enter a number with at most 12 decimal places."));
      return FALSE;
    }
  *out = g_ascii_strtod (copy, NULL);
  if (!isfinite (*out) || fabs (*out) > 1e15)
    {
      *error = g_strdup (_("This number is too large."));
      return FALSE;
    }
  return TRUE;
}

static char *
format_number_for_message (double value, gboolean currency)
{
  char buffer[G_ASCII_DTOSTR_BUF_SIZE];
  char *s;

  if (currency)
    s = g_strdup (g_ascii_formatd (buffer, sizeof buffer, "%.2f", value));
  else
    {
      _kiosk_answers_format_shortest (buffer, sizeof buffer, value);
      s = g_strdup (buffer);
    }
  /* Every kiosk language but English writes a decimal comma. */
  if (!g_str_equal (kiosk_i18n_get_language (), "en"))
    g_strdelimit (s, ".", ',');
  return s;
}

static gboolean
date_add_years (const char *iso, int years, char out[11])
{
  int y, m, d;

  if (sscanf (iso, "%4d-%2d-%2d", &y, &m, &d) != 3)
    return FALSE;
  y += years;
  /* 29 February plus years in a non-leap year: 1 March (the person
   * reaches their age on the day after 28 February). */
  if (m == 2 && d == 29 && !g_date_is_leap_year ((GDateYear) y))
    {
      m = 3;
      d = 1;
    }
  g_snprintf (out, 11, "%04d-%02d-%02d", y, m, d);
  return TRUE;
}

static int
whole_years_between (const char *birth, const char *today)
{
  int by, bm, bd, ty, tm, td, years;

  if (sscanf (birth, "%4d-%2d-%2d", &by, &bm, &bd) != 3 || sscanf (today, "%4d-%2d-%2d", &ty, &tm, &td) != 3)
    return -1;
  years = ty - by;
  if (tm < bm || (tm == bm && td < bd))
    years--;
  return years;
}

static void
format_date_for_message (const char *iso, char out[11])
{
  /* TT.MM.JJJJ, as DIN 5008 writes it. */
  g_snprintf (out, 11, "%.2s.%.2s.%.4s", iso + 8, iso + 5, iso);
}

/* The reason the value is invalid, from @error (or a general one); a
 * normalized value a validator left is wiped. */
static void
set_invalid (Derived *derived,
             GError  *error,
             char    *normalized)
{
  derived->error = g_strdup (error != NULL ? error->message : _("This input is not valid."));
  if (normalized != NULL)
    _kiosk_answers_secure_str_free (normalized);
}

static void
set_string (Derived *derived,
            char    *value)
{
  derived->type = KIOSK_VALUE_STRING;
  derived->string = value;
}

static gboolean
word_is (const char *s,
         gsize       length,
         const char *word)
{
  return length == strlen (word) && g_ascii_strncasecmp (s, word, length) == 0;
}

/* A checkbox: empty or unset is unticked. */
static void
derive_checkbox (const char *raw,
                 Derived    *derived)
{
  static const char * const ticked[] = { "true", "1", "ja", "yes" };
  static const char * const unticked[] = { "false", "0", "nein", "no", "" };
  const char *s;
  gsize length;

  derived->type = KIOSK_VALUE_BOOL;
  derived->boolean = FALSE;
  if (raw == NULL)
    return;
  trim (raw, &s, &length);
  for (guint i = 0; i < G_N_ELEMENTS (ticked); i++)
    if (word_is (s, length, ticked[i]))
      {
        derived->boolean = TRUE;
        return;
      }
  for (guint i = 0; i < G_N_ELEMENTS (unticked); i++)
    if (word_is (s, length, unticked[i]))
      return;
  derived->type = KIOSK_VALUE_NULL;
  derived->error = g_strdup (_("Please tick the box or leave it empty."));
}

/* Plain text (text, multiline): NFC, and no control character but the
 * line breaks and tabs of a multiline field. */
static gboolean
normalize_plain_text (const char         *text,
                      const KioskElement *element,
                      char              **normalized,
                      Derived            *derived)
{
  *normalized = kiosk_utf8_nfc (text, -1);
  if (*normalized == NULL)
    {
      derived->error = g_strdup (_("The text contains characters that cannot be read; please type it again."));
      return FALSE;
    }
  for (const char *p = *normalized; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);
      gboolean allowed_break = element->kind == KIOSK_KIND_MULTILINE && (c == '\n' || c == '\t' || c == '\r');
      if ((g_unichar_iscntrl (c) && !allowed_break) || c == 0x2028 || c == 0x2029)
        {
          derived->error = g_strdup (element->kind == KIOSK_KIND_MULTILINE
                                     ? _("The text contains an invisible control character; please remove it.")
                                     : _("Please write this on one line, without line breaks or control characters."));
          return FALSE;
        }
    }
  return TRUE;
}

static gboolean
validate_name (const char  *text,
               char       **normalized,
               GError     **error)
{
  return kiosk_validate_din91379 (text, KIOSK_DIN_TYPE_A, normalized, error);
}

/* The validator of the kinds whose values have a fixed form, by kind (NULL:
 * plain text). */
typedef gboolean (*Validator) (const char *text, char **normalized, GError **error);

static const Validator validators[KIOSK_N_KINDS] = {
  [KIOSK_KIND_EMAIL] = kiosk_validate_email,
  [KIOSK_KIND_PHONE] = kiosk_validate_phone,
  [KIOSK_KIND_NAME] = validate_name,
  [KIOSK_KIND_IBAN] = kiosk_validate_iban,
  [KIOSK_KIND_POSTCODE] = kiosk_validate_postcode,
  [KIOSK_KIND_TAXID] = kiosk_validate_tax_id,
};

/* min_length, max_length and the bytes per character of a normalized
 * text; FALSE with the reason in @derived when it is refused. */
static gboolean
text_length_ok (const KioskElement *element,
                const char         *normalized,
                Derived            *derived)
{
  glong chars = kiosk_text_length (normalized);

  if (element->min_length >= 0 && chars < element->min_length)
    derived->error = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                                   "Please enter at least %d character; you entered %ld.",
                                                   "Please enter at least %d characters; you entered %ld.",
                                                   (gulong) element->min_length),
                                      element->min_length, chars);
  else if (element->max_length >= 0 && chars > element->max_length)
    derived->error = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                                   "Please enter at most %d character; you entered %ld.",
                                                   "Please enter at most %d characters; you entered %ld.",
                                                   (gulong) element->max_length),
                                      element->max_length, chars);
  else if (element->max_length >= 0 && strlen (normalized) > text_max_bytes (element))
    derived->error = g_strdup (_("This text is too long: it has too many accents or other marks on its letters. "
                                 "Please shorten it."));
  else
    return TRUE;
  return FALSE;
}

/* The field's pattern; FALSE with the reason in @derived when a normalized
 * text does not match it. */
static gboolean
text_pattern_ok (EvalContext        *ctx,
                 const KioskElement *element,
                 const char         *normalized,
                 Derived            *derived)
{
  g_autoptr(GError) match_error = NULL;

  if (element->pattern == NULL || g_regex_match_full (element->pattern, normalized, -1, 0, 0, NULL, &match_error))
    return TRUE;
  if (match_error == NULL)
    {
      derived->error = g_strdup (kiosk_text_get (element->pattern_message, NULL));
      return FALSE;
    }
  /* The pattern reached its match limit (form-pattern.c): a fault of the
   * form, not of the visitor's input, and never a pass. The administrator
   * learns which field; the value is not logged. */
  g_warning ("The pattern of the field \"%s\" (line %u of the form definition of \"%s\") could not "
             "check a value: %s; the value was refused. Simplify the pattern (see docs/forms.md, "
             "\"pattern\") and check the form with antragskiosk-ctl check-forms",
             element->id, element->line, ctx->answers->form->id,
             g_error_matches (match_error, G_REGEX_ERROR, G_REGEX_ERROR_MATCH)
             ? "it needed more backtracking steps than the limit" : "the match failed");
  derived->error = g_strdup (_("This entry cannot be checked because of a fault in the form. "
                               "Please ask the staff for help."));
  return FALSE;
}

/* text, multiline, email, phone, name: @s is the trimmed value. */
static void
derive_text (EvalContext        *ctx,
             const KioskElement *element,
             const char         *raw,
             const char         *s,
             gsize               length,
             Derived            *derived)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *normalized = NULL;
  g_autofree char *text = NULL;

  /* Bytes as well as characters: a glyph is a base character with its
   * combining marks, so a flood of marks would put megabytes into a short
   * field (and the queue). Checked first, before any work proportional to
   * the input. */
  if (element->max_length >= 0 && length > text_max_bytes (element))
    {
      derived->error = g_strdup (_("This text is too long: it has too many accents or other marks on its letters. "
                                   "Please shorten it."));
      return;
    }
  if (has_bidi_control (s, length))
    {
      derived->error = g_strdup (_("The text contains an invisible character that changes the writing direction; "
                                   "please remove it."));
      return;
    }
  text = g_strndup (s, length);
  if (validators[element->kind] != NULL)
    {
      if (!validators[element->kind] (text, &normalized, &error))
        {
          set_invalid (derived, error, g_steal_pointer (&normalized));
          return;
        }
    }
  else if (!normalize_plain_text (text, element, &normalized, derived))
    return;
  if (text_length_ok (element, normalized, derived) && text_pattern_ok (ctx, element, normalized, derived))
    set_string (derived, g_steal_pointer (&normalized));
}

/* number, integer, currency. */
static void
derive_number (EvalContext        *ctx,
               const KioskElement *element,
               const char         *raw,
               const char         *s,
               gsize               length,
               Derived            *derived)
{
  double value = 0;
  gboolean currency = element->kind == KIOSK_KIND_CURRENCY;

  if (!parse_decimal (raw, element->kind == KIOSK_KIND_INTEGER, currency ? 2 : MAX_NUMBER_DECIMALS, &value,
                      &derived->error))
    return;
  if (currency)
    value = round (value * 100.0) / 100.0;
  if (element->has_min && value < element->min)
    {
      g_autofree char *bound = format_number_for_message (element->min, currency);
      derived->error = g_strdup_printf (currency ? _("Please enter an amount of at least %s €.")
                                                 : _("Please enter a number of at least %s."), bound);
      return;
    }
  if (element->has_max && value > element->max)
    {
      g_autofree char *bound = format_number_for_message (element->max, currency);
      derived->error = g_strdup_printf (currency ? _("Please enter an amount of at most %s €.")
                                                 : _("Please enter a number of at most %s."), bound);
      return;
    }
  derived->type = KIOSK_VALUE_NUMBER;
  derived->number = value;
}

/* The bounds of a date field for the valid date @date; the reason it is
 * refused, or NULL. */
static char *
date_bounds_problem (const KioskElement *element,
                     const char         *date,
                     const char         *today)
{
  char bound[11], shown[11];

  if (element->not_future && strcmp (date, today) > 0)
    return g_strdup (_("This date may not lie in the future."));
  if (element->not_past && strcmp (date, today) < 0)
    return g_strdup (_("This date may not lie in the past."));
  if (element->min_date != NULL && strcmp (date, element->min_date) < 0)
    {
      format_date_for_message (element->min_date, shown);
      return g_strdup_printf (_("Please enter a date on or after %s."), shown);
    }
  if (element->max_date != NULL && strcmp (date, element->max_date) > 0)
    {
      format_date_for_message (element->max_date, shown);
      return g_strdup_printf (_("Please enter a date on or before %s."), shown);
    }
  /* Born on @date, at least min_age today: birth + min_age <= today. */
  if (element->min_age >= 0 && date_add_years (date, element->min_age, bound) && strcmp (bound, today) > 0)
    return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                         "The person must be at least %d year old.",
                                         "The person must be at least %d years old.",
                                         (gulong) element->min_age),
                            element->min_age);
  if (element->max_age >= 0 && whole_years_between (date, today) > element->max_age)
    return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                         "The person may be at most %d year old.",
                                         "The person may be at most %d years old.",
                                         (gulong) element->max_age),
                            element->max_age);
  return NULL;
}

static void
derive_date (EvalContext        *ctx,
             const KioskElement *element,
             const char         *raw,
             const char         *s,
             gsize               length,
             Derived            *derived)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *normalized = NULL;

  if (!kiosk_validate_date (raw, &normalized, &error))
    {
      set_invalid (derived, error, g_steal_pointer (&normalized));
      return;
    }
  derived->error = date_bounds_problem (element, normalized, ctx->today);
  if (derived->error == NULL)
    set_string (derived, g_steal_pointer (&normalized));
}

/* select, radio: a code of the field's code list. */
static void
derive_choice (EvalContext        *ctx,
               const KioskElement *element,
               const char         *raw,
               const char         *s,
               gsize               length,
               Derived            *derived)
{
  g_autofree char *code = g_strndup (s, length);

  if (element->code_list == NULL || kiosk_code_list_lookup (element->code_list, code) == NULL)
    {
      derived->error = g_strdup (_("Please choose one of the offered options."));
      return;
    }
  set_string (derived, g_steal_pointer (&code));
}

/* iban, postcode, taxid: the kind's validator on the value as typed. */
static void
derive_fixed (EvalContext        *ctx,
              const KioskElement *element,
              const char         *raw,
              const char         *s,
              gsize               length,
              Derived            *derived)
{
  g_autoptr(GError) error = NULL;
  char *normalized = NULL;

  if (!validators[element->kind] (raw, &normalized, &error))
    set_invalid (derived, error, normalized);
  else
    set_string (derived, normalized);
}

/* How each kind's value is derived from the text typed (@raw, and @s of
 * @length bytes with the white space around it removed, never empty). */
typedef void (*DeriveFunc) (EvalContext        *ctx,
                            const KioskElement *element,
                            const char         *raw,
                            const char         *s,
                            gsize               length,
                            Derived            *derived);

static const DeriveFunc derive_funcs[KIOSK_N_KINDS] = {
  [KIOSK_KIND_TEXT] = derive_text,
  [KIOSK_KIND_MULTILINE] = derive_text,
  [KIOSK_KIND_EMAIL] = derive_text,
  [KIOSK_KIND_PHONE] = derive_text,
  [KIOSK_KIND_NAME] = derive_text,
  [KIOSK_KIND_NUMBER] = derive_number,
  [KIOSK_KIND_INTEGER] = derive_number,
  [KIOSK_KIND_CURRENCY] = derive_number,
  [KIOSK_KIND_DATE] = derive_date,
  [KIOSK_KIND_SELECT] = derive_choice,
  [KIOSK_KIND_RADIO] = derive_choice,
  [KIOSK_KIND_IBAN] = derive_fixed,
  [KIOSK_KIND_POSTCODE] = derive_fixed,
  [KIOSK_KIND_TAXID] = derive_fixed,
};

void
_kiosk_answers_derive_value (EvalContext        *ctx,
                             Scope              *scope,
                             const KioskElement *element,
                             Derived            *derived)
{
  const char *raw = scope->raw[element->index];
  const char *s;
  gsize length;

  derived->type = KIOSK_VALUE_NULL;
  if (element->kind == KIOSK_KIND_CHECKBOX)
    {
      derive_checkbox (raw, derived);
      return;
    }
  if (raw == NULL || (guint) element->kind >= KIOSK_N_KINDS || derive_funcs[element->kind] == NULL)
    return;
  trim (raw, &s, &length);
  if (length == 0)
    return;
  derive_funcs[element->kind] (ctx, element, raw, s, length, derived);
}
