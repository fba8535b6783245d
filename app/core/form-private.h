/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <antragskiosk/form.h>

G_BEGIN_DECLS

struct _KioskText {
  guint n_entries;
  struct {
    char lang[8];
    char *text;
  } *entries;
};

KioskText *_kiosk_text_new      (void);
void       _kiosk_text_add      (KioskText *text, const char *lang, const char *value);
void       _kiosk_text_free     (KioskText *text);
void       _kiosk_element_free  (KioskElement *element);
void       _kiosk_code_list_free (KioskCodeList *list);
void       _kiosk_code_free     (KioskCode *code);
KioskForm *_kiosk_form_new      (void);

G_END_DECLS
