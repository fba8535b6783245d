/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define KIOSK_TYPE_KEYBOARD (kiosk_keyboard_get_type ())
G_DECLARE_FINAL_TYPE (KioskKeyboard, kiosk_keyboard, KIOSK, KEYBOARD, GtkBox)

typedef enum {
  KIOSK_KEYBOARD_TEXT,     /* German QWERTZ with ä ö ü ß and ’; a long press on a
                            * letter shows its DIN 91379 variants */
  KIOSK_KEYBOARD_NUMERIC,  /* digits, comma, point */
  KIOSK_KEYBOARD_EMAIL,    /* lower case with @ . - _ and ".de" */
} KioskKeyboardLayout;

/* The built-in on-screen keyboard. It types into the focused GtkEditable
 * or GtkTextView of its window through GTK (never taking the focus
 * itself) and picks its layout from the focused field's input purpose. */
KioskKeyboard      *kiosk_keyboard_new         (void);
/* Follows the focus of @window: layout, and hidden when no text field
 * has the focus. */
void                kiosk_keyboard_attach      (KioskKeyboard *self, GtkWindow *window);
/* Closes the keyboard if it is up (the field loses the focus; touching it
 * again brings the keyboard back). Returns whether it was up. */
gboolean            kiosk_keyboard_dismiss     (KioskKeyboard *self);
KioskKeyboardLayout kiosk_keyboard_get_layout  (KioskKeyboard *self);
void                kiosk_keyboard_set_layout  (KioskKeyboard *self, KioskKeyboardLayout layout);
/* The key labelled @label in the current layout, or in the variants panel
 * while it is open, or NULL (tests). */
GtkWidget          *kiosk_keyboard_get_key     (KioskKeyboard *self, const char *label);
/* The base key ("a", "’", …) whose variants panel is open, or NULL when
 * the keyboard shows its rows. */
const char         *kiosk_keyboard_get_variants_key (KioskKeyboard *self);
/* Whether the next letter is typed in upper case. */
gboolean            kiosk_keyboard_get_shift   (KioskKeyboard *self);

G_END_DECLS
