/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <glib.h>

#include <antragskiosk/log.h>

static char *log_identifier;  /* set once in main() */
static char *log_kiosk_id;    /* set before threads start */
static gsize log_to_journal;  /* 0 unknown, 1 no, 2 yes */

static GLogWriterOutput
kiosk_log_writer (GLogLevelFlags   log_level,
                  const GLogField *fields,
                  gsize            n_fields,
                  gpointer         user_data)
{
  if (g_once_init_enter (&log_to_journal))
    g_once_init_leave (&log_to_journal, g_log_writer_is_journald (fileno (stderr)) ? 2 : 1);

  if (log_to_journal == 2)
    {
      /* GLib's fields, plus ours. */
      g_autofree GLogField *all = g_new (GLogField, n_fields + 2);
      gsize n = n_fields;
      const char *domain = NULL;

      for (gsize i = 0; i < n_fields; i++)
        if (g_strcmp0 (fields[i].key, "GLIB_DOMAIN") == 0)
          domain = fields[i].value;
      if (g_log_writer_default_would_drop (log_level, domain))
        return G_LOG_WRITER_HANDLED;
      memcpy (all, fields, n_fields * sizeof (GLogField));
      if (log_identifier != NULL)
        all[n++] = (GLogField) { "SYSLOG_IDENTIFIER", log_identifier, -1 };
      if (log_kiosk_id != NULL)
        all[n++] = (GLogField) { "KIOSK_ID", log_kiosk_id, -1 };
      if (g_log_writer_journald (log_level, all, n, user_data) == G_LOG_WRITER_HANDLED)
        return G_LOG_WRITER_HANDLED;
      /* The journal socket is gone: print it rather than lose it. */
    }
  return g_log_writer_default (log_level, fields, n_fields, user_data);
}

void
kiosk_log_init (const char *identifier)
{
  log_identifier = g_strdup (identifier);
  g_log_set_writer_func (kiosk_log_writer, NULL, NULL);
}

void
kiosk_log_set_kiosk_id (const char *kiosk_id)
{
  char *old = log_kiosk_id;

  log_kiosk_id = g_strdup (kiosk_id);
  g_free (old);
}
