/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The groups of the configuration that other modules own: each module
 * checks its own group. A new module with settings adds its group here,
 * with its checker (declared in config-groups.h). */
#define G_LOG_DOMAIN "antragskiosk-config"

#include "config.h"

#include "config-groups.h"
#include "config-private.h"

const KioskConfigModuleGroup _kiosk_config_module_groups[] = {
  { "queue",   kiosk_queue_check_config },
  { "sync",    kiosk_sync_check_config },
  { "printer", kiosk_printer_check_config },
  { "receipt", kiosk_receipt_check_config },
  { "clerk",   kiosk_pin_check_config },
  { "speech",  kiosk_speech_check_config },
  { NULL, NULL }
};
