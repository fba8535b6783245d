/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "antragskiosk"

#include "config.h"

#include <antragskiosk/i18n.h>
#include <antragskiosk/log.h>

#include "kiosk-application.h"

int
main (int argc, char **argv)
{
  g_autoptr(KioskApplication) application = NULL;

  kiosk_log_init ("antragskiosk");
  kiosk_i18n_init ();
  application = kiosk_application_new ();
  return g_application_run (G_APPLICATION (application), argc, argv);
}
