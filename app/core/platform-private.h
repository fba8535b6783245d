/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

#include "antragskiosk/platform.h"

G_BEGIN_DECLS

/* Shared by the files of the platform module (platform.c: the HTTP
 * client; platform-classify.c: answers → faults; platform-events.c: event
 * logs); not public. */

/* "@title: @detail", either alone, or NULL when both are NULL or empty;
 * cleaned for a message (valid UTF-8, no control characters, at most 300
 * characters). Free with g_free. */
char *_kiosk_platform_join_title_detail (const char *title,
                                         const char *detail);

G_END_DECLS
