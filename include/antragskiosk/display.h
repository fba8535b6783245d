/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

#include <antragskiosk/form.h>

G_BEGIN_DECLS

/* An answer as a person reads it: the one formatter of the review page and
 * the summary PDF (docs/architecture.md).
 *
 * Who reads it decides the language:
 *   KIOSK_DISPLAY_FOR_VISITOR    the kiosk's current language (gettext; the
 *                                main thread, where the language is set);
 *   KIOSK_DISPLAY_FOR_AUTHORITY  German always (the authority's official
 *                                language), from fixed words: safe on any
 *                                thread, whatever language the visitor chose. */
typedef enum {
  KIOSK_DISPLAY_FOR_VISITOR,
  KIOSK_DISPLAY_FOR_AUTHORITY,
} KioskDisplayFor;

/* @canonical is the value in the canonical data's text form (what
 * kiosk_answers_to_data() sends, as text): "true"/"false" for a checkbox,
 * a code for a select or radio field, an ISO date 2026-03-14, a number with
 * a decimal point and no grouping (12500.5), free text as typed. Returns:
 * Ja/Nein (Yes/No), the code's label, the date in the reader's form
 * (14.03.2026), an amount with two decimals, grouping and " €" (12.500,50 €),
 * a number with the reader's decimal separator; text as it is. A value
 * that is not in the canonical form of its kind is returned as it is.
 * NULL or "" gives "–" ("No" for a checkbox). Free the result with
 * kiosk_display_free(), which overwrites it (it is personal data). */
char *kiosk_display_value (const KioskElement *element,
                           const char          *canonical,
                           KioskDisplayFor      reader);

/* Overwrites and frees a string from kiosk_display_value(). */
void  kiosk_display_free  (char *text);

G_END_DECLS
