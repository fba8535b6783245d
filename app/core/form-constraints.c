/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "antragskiosk-form"

/* What a field requires of its value: required, constraint, lengths and
 * pattern, bounds of numbers and dates, the code list (form-private.h). */

#include "config.h"

#include <string.h>

#include <antragskiosk/validate.h>

#include "form-private.h"

static gboolean
is_iso_date (const char *s)
{
  g_autofree char *normalized = NULL;

  return strlen (s) == 10 && s[4] == '-' && kiosk_validate_date (s, &normalized, NULL)
         && strcmp (normalized, s) == 0;
}

/* @key and @message_key go together: a problem at @seg when only one of
 * them is there. */
static void
check_pair (Loader          *loader,
            const KioskJson *object,
            const PathSeg   *seg,
            const char      *key,
            const char      *message_key,
            const char      *without_message,
            const char      *without_key)
{
  gboolean has_key = kiosk_json_get (object, key) != NULL;

  if (has_key != (kiosk_json_get (object, message_key) != NULL))
    _kiosk_form_problem (loader, NULL, seg, "%s", has_key ? without_message : without_key);
}

/* "placeholder", "required" (a boolean or an expression) and "constraint"
 * with its message: what every input field takes. */
static void
parse_common (Loader          *loader,
              KioskElement    *element,
              const KioskJson *object,
              const PathSeg   *seg)
{
  const KioskJson *node = kiosk_json_get (object, "required");
  MEMBER_SEG (required_seg, seg, object, "required");

  element->placeholder = _kiosk_form_get_text (loader, object, seg, "placeholder", FALSE, "a field");
  if (node != NULL && kiosk_json_is_string (node))
    element->required_if = _kiosk_form_parse_expr (loader, element, object, seg, "required");
  else if (node != NULL && node->type == KIOSK_JSON_BOOLEAN)
    element->required = node->v.boolean;
  else if (node != NULL)
    _kiosk_form_problem (loader, node, &required_seg,
                         "\"required\" must be true, false or an expression in a string, not %s",
                         kiosk_json_type_name (node));

  element->constraint = _kiosk_form_parse_expr (loader, element, object, seg, "constraint");
  element->constraint_message = _kiosk_form_get_text (loader, object, seg, "constraint_message", FALSE, "a field");
  check_pair (loader, object, seg, "constraint", "constraint_message",
              "a \"constraint\" needs a \"constraint_message\" that tells the citizen what to change",
              "\"constraint_message\" without a \"constraint\"; add the constraint or remove the message");
}

/* The regex of pattern @s, anchored and limited: one compiled regex per
 * distinct pattern and limit (forms repeat theirs); no JIT: the values are
 * short, and compiling for JIT costs more than it saves. */
static void
compile_pattern (Loader          *loader,
                 KioskElement    *element,
                 const KioskJson *object,
                 const PathSeg   *pattern_seg,
                 const char      *s)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GRegex) alone = NULL;
  g_autofree char *anchored = g_strdup_printf ("(*LIMIT_MATCH=%u)\\A(?:%s)\\z",
                                               _kiosk_form_pattern_match_limit (element->max_length), s);

  element->pattern = g_hash_table_lookup (loader->regexes, anchored);
  if (element->pattern != NULL)
    {
      g_regex_ref (element->pattern);
      return;
    }
  element->pattern = g_regex_new (anchored, 0, 0, &error);
  if (element->pattern != NULL)
    {
      g_hash_table_insert (loader->regexes, g_strdup (anchored), g_regex_ref (element->pattern));
      return;
    }
  /* The author's pattern on its own, so that the message counts characters
   * as they wrote them. */
  g_clear_error (&error);
  alone = g_regex_new (s, 0, 0, &error);
  _kiosk_form_problem (loader, kiosk_json_get (object, "pattern"), pattern_seg,
                       "\"pattern\" is not a valid regular expression: %s",
                       error != NULL ? error->message : "it cannot stand inside a group");
}

/* "pattern": refused when it backtracks catastrophically, else compiled;
 * and its "pattern_message". */
static void
parse_pattern (Loader          *loader,
               KioskElement    *element,
               const KioskJson *object,
               const PathSeg   *seg)
{
  const char *s = _kiosk_form_get_string (loader, object, seg, "pattern", FALSE, "a field");
  MEMBER_SEG (pattern_seg, seg, object, "pattern");

  if (s != NULL)
    {
      gsize offset = 0;
      const char *bad = _kiosk_form_pattern_problem (s, &offset);

      element->pattern_source = g_strdup (s);
      if (bad != NULL && strcmp (bad, "nested") == 0)
        _kiosk_form_problem (loader, kiosk_json_get (object, "pattern"), &pattern_seg,
                             "\"pattern\" repeats without bound a group that itself contains an unbounded repeat (the "
                             "quantifier at character %ld), as in \"(a+)+\"; matching it can take exponentially long for "
                             "some inputs. Repeat each part once (e.g. \"[a-z ]*\" instead of \"(?:[a-z]+ ?)*\"), or, "
                             "where the repeated parts cannot overlap, make the inner repeat possessive (\"++\", \"*+\") "
                             "or atomic (\"(?>…)\")", _kiosk_form_character_at (s, offset));
      else if (bad != NULL)
        _kiosk_form_problem (loader, kiosk_json_get (object, "pattern"), &pattern_seg,
                             "\"pattern\" has a \")\" without its \"(\" at character %ld; the pattern must match the whole "
                             "value, so every parenthesis must be closed inside it", _kiosk_form_character_at (s, offset));
      else
        compile_pattern (loader, element, object, &pattern_seg, s);
    }
  element->pattern_message = _kiosk_form_get_text (loader, object, seg, "pattern_message", FALSE, "a field");
  check_pair (loader, object, seg, "pattern", "pattern_message",
              "a \"pattern\" needs a \"pattern_message\" that tells the citizen what the input must look like",
              "\"pattern_message\" without a \"pattern\"; add the pattern or remove the message");
}

static void
parse_text_constraints (Loader          *loader,
                        KioskElement    *element,
                        const KioskJson *object,
                        const PathSeg   *seg)
{
  gint64 value;

  if (_kiosk_form_get_integer (loader, object, seg, "min_length", 0, 100000, &value))
    element->min_length = (gint) value;
  if (_kiosk_form_get_integer (loader, object, seg, "max_length", 1, 100000, &value))
    element->max_length = (gint) value;
  else
    element->max_length = element->kind == KIOSK_KIND_MULTILINE ? DEFAULT_MAX_LENGTH_MULTILINE : DEFAULT_MAX_LENGTH;
  if (element->min_length > element->max_length)
    _kiosk_form_problem (loader, NULL, seg, "\"min_length\" (%d) is larger than \"max_length\" (%d)",
                         element->min_length, element->max_length);
  parse_pattern (loader, element, object, seg);
}

static void
parse_numeric_constraints (Loader          *loader,
                           KioskElement    *element,
                           const KioskJson *object,
                           const PathSeg   *seg)
{
  element->has_min = _kiosk_form_get_number (loader, object, seg, "min", &element->min);
  element->has_max = _kiosk_form_get_number (loader, object, seg, "max", &element->max);
  if (element->has_min && element->has_max && element->min > element->max)
    _kiosk_form_problem (loader, NULL, seg, "\"min\" is larger than \"max\"");
}

/* "min_date" or "max_date": a real date YYYY-MM-DD, or NULL. */
static char *
parse_date_bound (Loader          *loader,
                  const KioskJson *object,
                  const PathSeg   *seg,
                  const char      *key)
{
  const char *s = _kiosk_form_get_string (loader, object, seg, key, FALSE, "a date field");
  MEMBER_SEG (date_seg, seg, object, key);

  if (s == NULL)
    return NULL;
  if (!is_iso_date (s))
    {
      _kiosk_form_problem (loader, kiosk_json_get (object, key), &date_seg,
                           "\"%s\" must be a real date written YYYY-MM-DD", key);
      return NULL;
    }
  return g_strdup (s);
}

static void
parse_date_constraints (Loader          *loader,
                        KioskElement    *element,
                        const KioskJson *object,
                        const PathSeg   *seg)
{
  gint64 value;

  element->not_future = _kiosk_form_get_bool (loader, object, seg, "not_future", FALSE);
  element->not_past = _kiosk_form_get_bool (loader, object, seg, "not_past", FALSE);
  if (element->not_future && element->not_past)
    _kiosk_form_problem (loader, NULL, seg, "a date cannot be both \"not_future\" and \"not_past\" (only today would "
                         "be allowed); use min_date/max_date");
  element->min_date = parse_date_bound (loader, object, seg, "min_date");
  element->max_date = parse_date_bound (loader, object, seg, "max_date");
  if (element->min_date != NULL && element->max_date != NULL && strcmp (element->min_date, element->max_date) > 0)
    _kiosk_form_problem (loader, NULL, seg, "\"min_date\" lies after \"max_date\"");
  if (_kiosk_form_get_integer (loader, object, seg, "min_age", 0, 150, &value))
    element->min_age = (gint) value;
  if (_kiosk_form_get_integer (loader, object, seg, "max_age", 0, 150, &value))
    element->max_age = (gint) value;
  if (element->min_age >= 0 && element->max_age >= 0 && element->min_age > element->max_age)
    _kiosk_form_problem (loader, NULL, seg, "\"min_age\" is larger than \"max_age\"");
}

static void
parse_choice_constraints (Loader          *loader,
                          KioskElement    *element,
                          const KioskJson *object,
                          const PathSeg   *seg)
{
  const char *s = _kiosk_form_get_string (loader, object, seg, "code_list", TRUE, "a select or radio field");
  MEMBER_SEG (list_seg, seg, object, "code_list");

  if (s == NULL)
    return;
  element->code_list = g_hash_table_lookup (loader->code_lists, s);
  if (element->code_list == NULL)
    _kiosk_form_problem (loader, kiosk_json_get (object, "code_list"), &list_seg,
                         "there is no code list \"%s\"; define it under \"code_lists\" or fix the name", s);
}

void
_kiosk_form_parse_field_constraints (Loader          *loader,
                                     KioskElement    *element,
                                     const KioskJson *object,
                                     const PathSeg   *seg)
{
  element->min_length = -1;
  element->max_length = -1;
  element->min_age = -1;
  element->max_age = -1;
  if (element->kind == KIOSK_KIND_STATIC)
    return;

  parse_common (loader, element, object, seg);
  switch (element->kind)
    {
    case KIOSK_KIND_TEXT:
    case KIOSK_KIND_MULTILINE:
    case KIOSK_KIND_EMAIL:
    case KIOSK_KIND_PHONE:
    case KIOSK_KIND_NAME:
      parse_text_constraints (loader, element, object, seg);
      break;
    case KIOSK_KIND_NUMBER:
    case KIOSK_KIND_INTEGER:
    case KIOSK_KIND_CURRENCY:
      parse_numeric_constraints (loader, element, object, seg);
      break;
    case KIOSK_KIND_DATE:
      parse_date_constraints (loader, element, object, seg);
      break;
    case KIOSK_KIND_SELECT:
    case KIOSK_KIND_RADIO:
      parse_choice_constraints (loader, element, object, seg);
      break;
    case KIOSK_KIND_CHECKBOX:
    case KIOSK_KIND_IBAN:
    case KIOSK_KIND_POSTCODE:
    case KIOSK_KIND_TAXID:
    case KIOSK_KIND_PAGE:
    case KIOSK_KIND_GROUP:
    case KIOSK_KIND_STATIC:
    case KIOSK_N_KINDS:
    default:
      break;
    }
}
