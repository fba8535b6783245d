/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The checkers of the groups that other modules own (each defined in its
 * module, listed in config-groups.c). A checker is called only when its
 * group exists; it reports unknown keys, types, ranges and the files the
 * group points to. */
#pragma once

#include "antragskiosk/config-check.h"

void kiosk_sync_check_config    (KioskConfigCheck *check,
                                 const char       *group);   /* sync-settings.c */
void kiosk_printer_check_config (KioskConfigCheck *check,
                                 const char       *group);   /* printer-settings.c */
void kiosk_receipt_check_config (KioskConfigCheck *check,
                                 const char       *group);   /* receipt.c */
void kiosk_queue_check_config   (KioskConfigCheck *check,
                                 const char       *group);   /* queue-retention.c */
void kiosk_pin_check_config     (KioskConfigCheck *check,
                                 const char       *group);   /* pin.c */
void kiosk_speech_check_config  (KioskConfigCheck *check,
                                 const char       *group);   /* speech-settings.c */
