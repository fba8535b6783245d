/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>
#include <antragskiosk/form.h>

G_BEGIN_DECLS

#define KIOSK_TYPE_CATALOG_PAGE (kiosk_catalog_page_get_type ())
G_DECLARE_FINAL_TYPE (KioskCatalogPage, kiosk_catalog_page, KIOSK, CATALOG_PAGE, GtkBox)

/* The catalog screen: the forms on offer as tiles grouped by category, a
 * search field and "Change language". A tile activates the action
 * "kiosk.start-form" (target: the form's id), "Change language"
 * "kiosk.cancel"; both are the window's. */
KioskCatalogPage *kiosk_catalog_page_new          (void);
/* The forms on offer (KioskForm*, borrowed; the array is referenced). */
void              kiosk_catalog_page_set_forms    (KioskCatalogPage *self, GPtrArray *forms);
/* Marks @form_id as out of service (@available FALSE) with a @reason the
 * visitor reads on its tile (may be NULL for a general one), or in
 * service again. An unavailable form keeps its tile, insensitive, so the
 * visitor sees it exists and why it cannot be taken now. */
void              kiosk_catalog_page_set_form_available (KioskCatalogPage *self,
                                                         const char       *form_id,
                                                         gboolean          available,
                                                         const char       *reason);
/* Whether @form_id is on offer and not marked out of service. */
gboolean          kiosk_catalog_page_get_form_available (KioskCatalogPage *self,
                                                         const char       *form_id);
/* Empties the search and shows every tile again, in the current language. */
void              kiosk_catalog_page_reset        (KioskCatalogPage *self);
/* Labels in the current language. */
void              kiosk_catalog_page_retranslate  (KioskCatalogPage *self);
/* Puts the focus on the first tile (not the search field, so that the
 * on-screen keyboard comes up only when the visitor asks for it). */
void              kiosk_catalog_page_focus_first  (KioskCatalogPage *self);

G_END_DECLS
