/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

/* Shared between the files of the jwe module: jwe.c (compact JWE,
 * RSA-OAEP-256 + A256GCM) and jwe-metadata.c (the submission metadata). */

#include <glib.h>

G_BEGIN_DECLS

/* Whether @cty (a content or MIME type) is printable ASCII without quotes
 * or backslashes, 1 to 255 characters. */
gboolean _kiosk_jwe_cty_is_valid (const char *cty);

G_END_DECLS
