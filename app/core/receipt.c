/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "antragskiosk-receipt"

#include "config.h"

#include <stdio.h>
#include <string.h>
#include <math.h>
#include <glib.h>
#include <glib/gi18n-lib.h>
#include <cairo.h>
#include <cairo-pdf.h>
#include <qrencode.h>
#include <json-glib/json-glib.h>

#include <antragskiosk/form.h>
#include <antragskiosk/file.h>
#include <antragskiosk/receipt.h>
#include <antragskiosk/reference.h>

G_DEFINE_QUARK (kiosk-receipt-error-quark, kiosk_receipt_error)

G_DEFINE_AUTOPTR_CLEANUP_FUNC (cairo_surface_t, cairo_surface_destroy)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (cairo_t, cairo_destroy)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (cairo_font_options_t, cairo_font_options_destroy)

#define REFERENCE_MAX 32
#define MAC_DEFAULT_LENGTH 12
#define FONT_FAMILY "DejaVu Sans"
#define FONT_FAMILY_MONO "DejaVu Sans Mono"

/* ---------------------------------------------------------------- options */

static KioskReceiptOptions *
options_new (GKeyFile    *keyfile,
             const char  *resolved_key_file,
             GError     **error);

KioskReceiptOptions *
kiosk_receipt_options_new_from_keyfile (GKeyFile  *keyfile,
                                        GError   **error)
{
  return options_new (keyfile, NULL, error);
}

KioskReceiptOptions *
kiosk_receipt_options_new_from_config (const KioskConfig  *config,
                                       GError            **error)
{
  g_autofree char *key_file = NULL;

  g_return_val_if_fail (config != NULL, NULL);
  key_file = kiosk_config_get_path (config, "receipt", "mac_key_file");
  return options_new (config->keyfile, key_file, error);
}

static KioskReceiptOptions *
options_new (GKeyFile    *keyfile,
             const char  *resolved_key_file,
             GError     **error)
{
  g_autoptr(KioskReceiptOptions) options = g_new0 (KioskReceiptOptions, 1);
  g_autofree char *key_text = NULL;
  g_autofree char *key_file = NULL;

  options->mac_length = MAC_DEFAULT_LENGTH;
  if (keyfile == NULL || !g_key_file_has_group (keyfile, "receipt"))
    return g_steal_pointer (&options);

  options->status_url = g_key_file_get_string (keyfile, "receipt", "status_url", NULL);
  if (options->status_url != NULL)
    {
      g_strstrip (options->status_url);
      if (!(g_str_has_prefix (options->status_url, "https://")
            || g_str_has_prefix (options->status_url, "http://"))
          || !g_uri_is_valid (options->status_url, G_URI_FLAGS_NONE, NULL)
          || strchr (options->status_url, '#') != NULL
          || strpbrk (options->status_url, " \t") != NULL)
        {
          g_set_error (error, KIOSK_RECEIPT_ERROR, KIOSK_RECEIPT_ERROR_CONFIG,
                       "[receipt] status_url must be an http(s) URL without a fragment, "
                       "such as https://buergerbuero.example/status");
          return NULL;
        }
    }
  options->status_text = g_key_file_get_locale_string (keyfile, "receipt", "status_text", NULL, NULL);

  if (g_key_file_has_key (keyfile, "receipt", "mac_length", NULL))
    {
      g_autoptr(GError) local_error = NULL;
      int length = g_key_file_get_integer (keyfile, "receipt", "mac_length", &local_error);

      if (local_error != NULL || length < 8 || length > 64)
        {
          g_set_error (error, KIOSK_RECEIPT_ERROR, KIOSK_RECEIPT_ERROR_CONFIG,
                       "[receipt] mac_length must be a number of hex digits from 8 to 64");
          return NULL;
        }
      options->mac_length = (guint) length;
    }

  key_text = g_key_file_get_string (keyfile, "receipt", "mac_key", NULL);
  key_file = resolved_key_file != NULL ? g_strdup (resolved_key_file)
                                       : g_key_file_get_string (keyfile, "receipt", "mac_key_file", NULL);
  if (key_text != NULL && key_file != NULL)
    {
      g_set_error (error, KIOSK_RECEIPT_ERROR, KIOSK_RECEIPT_ERROR_CONFIG,
                   "[receipt] set either mac_key or mac_key_file, not both");
      return NULL;
    }
  if (key_file != NULL)
    {
      g_autofree char *contents = NULL;
      gsize size = 0, length;
      g_autoptr(GError) local_error = NULL;

      g_strstrip (key_file);
      /* A regular file of a secret's size: a FIFO or /dev/zero is refused
       * at once; the whole buffer is wiped, not just the key. */
      if (!kiosk_file_read_secret (key_file, KIOSK_FILE_MAX_SECRET, &contents, &size, &local_error))
        {
          g_set_error (error, KIOSK_RECEIPT_ERROR, KIOSK_RECEIPT_ERROR_CONFIG,
                       "[receipt] mac_key_file cannot be read: %s", local_error->message);
          return NULL;
        }
      length = size;
      while (length > 0 && (contents[length - 1] == '\n' || contents[length - 1] == '\r'))
        length--;
      if (length > 0)
        options->mac_key = g_bytes_new (contents, length);
      explicit_bzero (contents, size);
    }
  else if (key_text != NULL && *key_text != '\0')
    {
      options->mac_key = g_bytes_new (key_text, strlen (key_text));
      memset (key_text, 0, strlen (key_text));
    }
  if (options->mac_key != NULL && g_bytes_get_size (options->mac_key) < 16)
    {
      g_set_error (error, KIOSK_RECEIPT_ERROR, KIOSK_RECEIPT_ERROR_CONFIG,
                   "[receipt] the MAC key must be at least 16 bytes long");
      return NULL;
    }
  return g_steal_pointer (&options);
}

void
kiosk_receipt_options_free (KioskReceiptOptions *options)
{
  if (options == NULL)
    return;
  g_free (options->status_url);
  g_free (options->status_text);
  g_clear_pointer (&options->mac_key, g_bytes_unref);
  g_free (options);
}

/* ---------------------------------------------------------------- content */

static gboolean
reference_is_valid (const char *reference)
{
  gsize length;

  if (reference == NULL)
    return FALSE;
  length = strlen (reference);
  if (length == 0 || length > REFERENCE_MAX)
    return FALSE;
  for (gsize i = 0; i < length; i++)
    {
      char c = reference[i];
      if (!((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-'))
        return FALSE;
    }
  return TRUE;
}

char *
kiosk_receipt_mac (GBytes     *key,
                   const char *message,
                   guint       length)
{
  g_autoptr(GHmac) hmac = NULL;
  gsize key_length = 0;
  const guchar *key_data;
  char *hex;

  g_return_val_if_fail (key != NULL, NULL);
  g_return_val_if_fail (message != NULL, NULL);
  g_return_val_if_fail (length >= 1 && length <= 64, NULL);

  key_data = g_bytes_get_data (key, &key_length);
  hmac = g_hmac_new (G_CHECKSUM_SHA256, key_data, key_length);
  g_hmac_update (hmac, (const guchar *) message, (gssize) strlen (message));
  hex = g_strdup (g_hmac_get_string (hmac));
  hex[length] = '\0';
  return hex;
}

/* The QR payload: the status URL with the reference (and MAC) when there
 * is a status page, else the bare form "REF" or "REF.MAC" (MAC in upper
 * case: digits, capitals and '.' only, which every keyboard-wedge scanner
 * types alike on a German or an English layout). */
static char *
build_payload (const char *status_url,
               const char *reference,
               GBytes     *mac_key,
               guint       mac_length)
{
  GString *payload;
  g_autofree char *mac = NULL;

  if (mac_key != NULL)
    mac = kiosk_receipt_mac (mac_key, reference, mac_length);
  if (status_url == NULL)
    {
      payload = g_string_new (reference);
      if (mac != NULL)
        {
          g_autofree char *upper = g_ascii_strup (mac, -1);

          g_string_append_c (payload, '.');
          g_string_append (payload, upper);
        }
      return g_string_free (payload, FALSE);
    }
  payload = g_string_new (status_url);
  g_string_append_c (payload, strchr (status_url, '?') != NULL ? '&' : '?');
  g_string_append (payload, "ref=");
  g_string_append (payload, reference);
  if (mac != NULL)
    {
      g_string_append (payload, "&mac=");
      g_string_append (payload, mac);
    }
  return g_string_free (payload, FALSE);
}

static gboolean
text_is_printable (const char *text)
{
  if (text == NULL)
    return TRUE;
  if (!g_utf8_validate (text, -1, NULL))
    return FALSE;
  for (const char *p = text; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);
      if (g_unichar_iscntrl (c))
        return FALSE;
    }
  return TRUE;
}

KioskReceipt *
kiosk_receipt_new (const char                *reference,
                   const char                *form_title,
                   GDateTime                 *created,
                   const char                *location,
                   KioskReceiptState          state,
                   const KioskReceiptOptions *options,
                   GError                   **error)
{
  g_autoptr(KioskReceipt) receipt = NULL;

  g_return_val_if_fail (created != NULL, NULL);

  if (!reference_is_valid (reference))
    {
      g_set_error (error, KIOSK_RECEIPT_ERROR, KIOSK_RECEIPT_ERROR_INVALID,
                   "A reference has 1 to %d characters A–Z, 0–9 and '-'", REFERENCE_MAX);
      return NULL;
    }
  if (!text_is_printable (form_title) || !text_is_printable (location))
    {
      g_set_error (error, KIOSK_RECEIPT_ERROR, KIOSK_RECEIPT_ERROR_INVALID,
                   "The form title and the location must be UTF-8 text without control characters");
      return NULL;
    }
  if (state != KIOSK_RECEIPT_STATE_QUEUED && state != KIOSK_RECEIPT_STATE_TRANSMITTED)
    {
      g_set_error (error, KIOSK_RECEIPT_ERROR, KIOSK_RECEIPT_ERROR_INVALID,
                   "Unknown receipt state %d", (int) state);
      return NULL;
    }

  receipt = g_new0 (KioskReceipt, 1);
  receipt->reference = g_strdup (reference);
  receipt->reference_display = kiosk_reference_is_valid (reference) ? kiosk_reference_format (reference)
                                                                     : g_strdup (reference);
  receipt->form_title = g_strdup (form_title != NULL ? form_title : "");
  receipt->created = g_date_time_ref (created);
  receipt->location = g_strdup (location);
  receipt->state = state;
  if (options != NULL && options->status_url != NULL)
    receipt->status_url = g_strdup (options->status_url);
  receipt->qr_payload = build_payload (receipt->status_url, reference,
                                       options != NULL ? options->mac_key : NULL,
                                       options != NULL && options->mac_length != 0 ? options->mac_length
                                                                                   : MAC_DEFAULT_LENGTH);
  if (options != NULL && options->status_text != NULL)
    receipt->status_text = g_strdup (options->status_text);
  else if (receipt->status_url != NULL)
    /* TRANSLATORS: %s is the web address of the status page */
    receipt->status_text = g_strdup_printf (_("Scan the code or visit %s and enter your reference to see the status."),
                                            receipt->status_url);
  else
    receipt->status_text = g_strdup (_("Ask at the counter about the status, quoting your reference."));
  return g_steal_pointer (&receipt);
}

KioskReceipt *
kiosk_receipt_copy (const KioskReceipt *receipt)
{
  KioskReceipt *copy;

  g_return_val_if_fail (receipt != NULL, NULL);
  copy = g_new0 (KioskReceipt, 1);
  copy->reference = g_strdup (receipt->reference);
  copy->reference_display = g_strdup (receipt->reference_display);
  copy->form_title = g_strdup (receipt->form_title);
  copy->created = g_date_time_ref (receipt->created);
  copy->location = g_strdup (receipt->location);
  copy->state = receipt->state;
  copy->status_text = g_strdup (receipt->status_text);
  copy->status_url = g_strdup (receipt->status_url);
  copy->qr_payload = g_strdup (receipt->qr_payload);
  return copy;
}

void
kiosk_receipt_free (KioskReceipt *receipt)
{
  if (receipt == NULL)
    return;
  g_free (receipt->reference);
  g_free (receipt->reference_display);
  g_free (receipt->form_title);
  g_clear_pointer (&receipt->created, g_date_time_unref);
  g_free (receipt->location);
  g_free (receipt->status_text);
  g_free (receipt->status_url);
  g_free (receipt->qr_payload);
  g_free (receipt);
}

static gboolean
equal_constant_time (const char *a, const char *b)
{
  gsize la = strlen (a), lb = strlen (b);
  guint8 diff = la == lb ? 0 : 1;

  for (gsize i = 0; i < la; i++)
    diff |= (guint8) (a[i] ^ b[i % (lb > 0 ? lb : 1)]);
  return diff == 0 && lb > 0;
}

/* The URL form: STATUS_URL, '?' or '&', then ref= and (optionally) mac=. */
static gboolean
verify_url_payload (const char  *payload,
                    const char  *status_url,
                    char       **reference,
                    char       **mac,
                    GError     **error)
{
  g_auto(GStrv) params = NULL;
  const char *query;
  char separator;

  if (!g_str_has_prefix (payload, status_url))
    {
      g_set_error (error, KIOSK_RECEIPT_ERROR, KIOSK_RECEIPT_ERROR_INVALID,
                   "The code is not a receipt of this office (unexpected address)");
      return FALSE;
    }
  separator = strchr (status_url, '?') != NULL ? '&' : '?';
  query = payload + strlen (status_url);
  if (*query != separator)
    {
      g_set_error (error, KIOSK_RECEIPT_ERROR, KIOSK_RECEIPT_ERROR_INVALID,
                   "The code is not a receipt of this office (unexpected address)");
      return FALSE;
    }
  params = g_strsplit (query + 1, "&", -1);
  for (guint i = 0; params[i] != NULL; i++)
    {
      if (g_str_has_prefix (params[i], "ref=") && *reference == NULL)
        *reference = g_strdup (params[i] + 4);
      else if (g_str_has_prefix (params[i], "mac=") && *mac == NULL)
        *mac = g_strdup (params[i] + 4);
      else
        {
          g_set_error (error, KIOSK_RECEIPT_ERROR, KIOSK_RECEIPT_ERROR_INVALID,
                       "The code carries unexpected data");
          return FALSE;
        }
    }
  return TRUE;
}

char *
kiosk_receipt_verify_payload (const char                 *payload,
                              const KioskReceiptOptions  *options,
                              GError                    **error)
{
  const char *status_url;
  GBytes *key;
  guint mac_length;
  g_autofree char *reference = NULL;
  g_autofree char *mac = NULL;

  g_return_val_if_fail (options != NULL, NULL);
  status_url = options->status_url;
  key = options->mac_key;
  mac_length = options->mac_length != 0 ? options->mac_length : MAC_DEFAULT_LENGTH;
  if (payload == NULL || *payload == '\0')
    {
      g_set_error (error, KIOSK_RECEIPT_ERROR, KIOSK_RECEIPT_ERROR_INVALID,
                   "The code carries no valid reference");
      return NULL;
    }
  if (strpbrk (payload, ":/?&=") == NULL)
    {
      /* The bare form "REF" or "REF.MAC", printed where there is no
       * status page (and accepted where there is one: receipts printed
       * before it was configured stay readable). */
      const char *dot = strchr (payload, '.');

      reference = dot != NULL ? g_strndup (payload, (gsize) (dot - payload)) : g_strdup (payload);
      if (dot != NULL)
        mac = g_ascii_strdown (dot + 1, -1);
    }
  else if (status_url == NULL)
    {
      g_set_error (error, KIOSK_RECEIPT_ERROR, KIOSK_RECEIPT_ERROR_INVALID,
                   "The code is not a receipt of this office (it carries an address, and this "
                   "kiosk has no [receipt] status_url)");
      return NULL;
    }
  else if (!verify_url_payload (payload, status_url, &reference, &mac, error))
    return NULL;
  if (!reference_is_valid (reference))
    {
      g_set_error (error, KIOSK_RECEIPT_ERROR, KIOSK_RECEIPT_ERROR_INVALID,
                   "The code carries no valid reference");
      return NULL;
    }
  if (key != NULL)
    {
      g_autofree char *expected = NULL;
      gsize length = mac != NULL ? strlen (mac) : 0;

      if (length != mac_length)
        {
          g_set_error (error, KIOSK_RECEIPT_ERROR, KIOSK_RECEIPT_ERROR_NOT_GENUINE,
                       "The receipt carries no valid seal; it was not printed by this kiosk");
          return NULL;
        }
      expected = kiosk_receipt_mac (key, reference, mac_length);
      if (!equal_constant_time (expected, mac))
        {
          g_set_error (error, KIOSK_RECEIPT_ERROR, KIOSK_RECEIPT_ERROR_NOT_GENUINE,
                       "The receipt's seal does not match; it was not printed by this kiosk");
          return NULL;
        }
    }
  return g_steal_pointer (&reference);
}

/* ---------------------------------------------------------------- QR code */

KioskQrCode *
kiosk_qr_code_new (const char *payload, GError **error)
{
  QRcode *code;
  KioskQrCode *qr;
  guint width;

  g_return_val_if_fail (payload != NULL, NULL);

  code = QRcode_encodeString (payload, 0, QR_ECLEVEL_M, QR_MODE_8, 1);
  if (code == NULL)
    {
      g_set_error (error, KIOSK_RECEIPT_ERROR, KIOSK_RECEIPT_ERROR_QR,
                   "The status address is too long for a QR code (%zu bytes)", strlen (payload));
      return NULL;
    }
  width = (guint) code->width;
  qr = g_new0 (KioskQrCode, 1);
  qr->version = (guint) code->version;
  qr->size = width + 2 * KIOSK_QR_QUIET_ZONE;
  qr->modules = g_malloc0 ((gsize) qr->size * qr->size);
  for (guint y = 0; y < width; y++)
    for (guint x = 0; x < width; x++)
      qr->modules[(y + KIOSK_QR_QUIET_ZONE) * qr->size + x + KIOSK_QR_QUIET_ZONE]
        = code->data[y * width + x] & 1;
  QRcode_free (code);
  return qr;
}

void
kiosk_qr_code_free (KioskQrCode *qr)
{
  if (qr == NULL)
    return;
  g_free (qr->modules);
  g_free (qr);
}

guint
kiosk_qr_code_fit_scale (const KioskQrCode *qr, guint max_pixels)
{
  g_return_val_if_fail (qr != NULL && qr->size > 0, 1);
  return MAX (1u, max_pixels / qr->size);
}

GBytes *
kiosk_qr_code_render_pixels (const KioskQrCode *qr,
                             guint              scale,
                             KioskPixelFormat   format,
                             guint             *side,
                             gsize             *stride)
{
  guint bpp = format == KIOSK_PIXEL_RGBA8 ? 4 : 1;
  guint n;
  gsize row_bytes;
  guint8 *pixels;

  g_return_val_if_fail (qr != NULL, NULL);
  g_return_val_if_fail (scale >= 1 && scale <= 256, NULL);

  n = qr->size * scale;
  row_bytes = (gsize) n * bpp;
  pixels = g_malloc (row_bytes * n);
  for (guint y = 0; y < n; y++)
    {
      guint8 *row = pixels + (gsize) y * row_bytes;
      for (guint x = 0; x < n; x++)
        {
          guint8 value = kiosk_qr_code_get (qr, x / scale, y / scale) ? 0 : 255;
          if (bpp == 1)
            row[x] = value;
          else
            {
              row[4 * x + 0] = value;
              row[4 * x + 1] = value;
              row[4 * x + 2] = value;
              row[4 * x + 3] = 255;
            }
        }
    }
  if (side != NULL)
    *side = n;
  if (stride != NULL)
    *stride = row_bytes;
  return g_bytes_new_take (pixels, row_bytes * n);
}

/* ---------------------------------------------------------------- paper */

guint
kiosk_paper_escpos_dots (KioskPaper paper)
{
  switch (paper)
    {
    case KIOSK_PAPER_58MM: return 384;
    case KIOSK_PAPER_80MM: return 576;
    case KIOSK_PAPER_A4:
    default: return 0;
    }
}

gboolean
kiosk_paper_from_string (const char *text, KioskPaper *paper)
{
  if (g_strcmp0 (text, "58") == 0 || g_strcmp0 (text, "58mm") == 0)
    *paper = KIOSK_PAPER_58MM;
  else if (g_strcmp0 (text, "80") == 0 || g_strcmp0 (text, "80mm") == 0)
    *paper = KIOSK_PAPER_80MM;
  else if (text != NULL && g_ascii_strcasecmp (text, "a4") == 0)
    *paper = KIOSK_PAPER_A4;
  else
    return FALSE;
  return TRUE;
}

const char *
kiosk_paper_to_string (KioskPaper paper)
{
  switch (paper)
    {
    case KIOSK_PAPER_58MM: return "58";
    case KIOSK_PAPER_80MM: return "80";
    case KIOSK_PAPER_A4: return "a4";
    default: return "?";
    }
}

/* ---------------------------------------------------------------- texts */

const char *
kiosk_receipt_state_text (KioskReceiptState state)
{
  if (state == KIOSK_RECEIPT_STATE_TRANSMITTED)
    return _("Your application has been delivered to the authority.");
  return _("Your application is stored encrypted on this terminal. It will be sent to the authority automatically.");
}

static char *
format_created (GDateTime *created)
{
  /* TRANSLATORS: date and time on the receipt, a g_date_time_format() format */
  return g_date_time_format (created, _("%Y-%m-%d %H:%M"));
}

/* ---------------------------------------------------------------- cairo */

#define MM (72.0 / 25.4)

typedef struct {
  double width;      /* page width, points */
  double height;     /* A4: page height; rolls: computed */
  double margin;
  double qr_target;  /* wanted QR side, points */
  double title_size, body_size, reference_size, small_size;
  gboolean roll;
} PaperLayout;

static PaperLayout
paper_layout (KioskPaper paper)
{
  PaperLayout layout = { 0 };

  switch (paper)
    {
    case KIOSK_PAPER_58MM:
      layout = (PaperLayout) { 58 * MM, 0, 5 * MM, 38 * MM, 11, 8, 15, 7, TRUE };
      break;
    case KIOSK_PAPER_80MM:
      layout = (PaperLayout) { 80 * MM, 0, 5 * MM, 45 * MM, 13, 9.5, 19, 8, TRUE };
      break;
    case KIOSK_PAPER_A4:
    default:
      layout = (PaperLayout) { 210 * MM, 297 * MM, 25 * MM, 55 * MM, 20, 12, 28, 10, FALSE };
      break;
    }
  return layout;
}

static void
set_font (cairo_t *cr, gboolean bold, gboolean mono, double size)
{
  cairo_select_font_face (cr, mono ? FONT_FAMILY_MONO : FONT_FAMILY, CAIRO_FONT_SLANT_NORMAL,
                          bold ? CAIRO_FONT_WEIGHT_BOLD : CAIRO_FONT_WEIGHT_NORMAL);
  cairo_set_font_size (cr, size);
}

static double
text_width (cairo_t *cr, const char *text)
{
  cairo_text_extents_t extents;

  cairo_text_extents (cr, text, &extents);
  return extents.x_advance;
}

/* Greedy word wrap; a word wider than a line (an address) is broken
 * between characters. */
static GPtrArray *
wrap_lines (const char *text,
            gpointer    measure_data,
            double    (*measure) (gpointer data, const char *text),
            double      width)
{
  GPtrArray *lines = g_ptr_array_new_with_free_func (g_free);
  g_auto(GStrv) words = g_strsplit (text, " ", -1);
  GString *line = g_string_new (NULL);

  for (guint i = 0; words[i] != NULL; i++)
    {
      const char *word = words[i];
      g_autofree char *candidate = NULL;

      if (*word == '\0')
        continue;
      candidate = line->len > 0 ? g_strconcat (line->str, " ", word, NULL) : g_strdup (word);
      if (measure (measure_data, candidate) <= width)
        {
          g_string_assign (line, candidate);
          continue;
        }
      if (line->len > 0)
        {
          g_ptr_array_add (lines, g_strdup (line->str));
          g_string_truncate (line, 0);
        }
      if (measure (measure_data, word) <= width)
        {
          g_string_assign (line, word);
          continue;
        }
      /* break the long word */
      for (const char *p = word; *p != '\0'; p = g_utf8_next_char (p))
        {
          gsize before = line->len;
          g_string_append_len (line, p, g_utf8_next_char (p) - p);
          if (measure (measure_data, line->str) > width && before > 0)
            {
              g_string_truncate (line, before);
              g_ptr_array_add (lines, g_strdup (line->str));
              g_string_assign (line, "");
              g_string_append_len (line, p, g_utf8_next_char (p) - p);
            }
        }
    }
  if (line->len > 0 || lines->len == 0)
    g_ptr_array_add (lines, g_strdup (line->str));
  g_string_free (line, TRUE);
  return lines;
}

static double
measure_cairo (gpointer data, const char *text)
{
  return text_width (data, text);
}

typedef struct {
  cairo_t *cr;
  gboolean draw;
  double   y;
  double   left, width;
  double   px_per_pt;   /* device pixels per point, to snap the QR */
  gboolean flush_left;  /* else centred */
  double   page_bottom; /* multi-page documents: break below this; 0: never */
  double   top;         /* where a new page starts */
} Pen;

static void
pen_text (Pen *pen, const char *text, gboolean bold, gboolean mono, double size)
{
  g_autoptr(GPtrArray) lines = NULL;
  cairo_font_extents_t font;

  set_font (pen->cr, bold, mono, size);
  cairo_font_extents (pen->cr, &font);
  lines = wrap_lines (text, pen->cr, measure_cairo, pen->width);
  for (guint i = 0; i < lines->len; i++)
    {
      const char *line = lines->pdata[i];
      if (pen->page_bottom > 0 && pen->y + font.ascent + font.descent > pen->page_bottom)
        {
          if (pen->draw)
            cairo_show_page (pen->cr);
          pen->y = pen->top;
        }
      pen->y += font.ascent;
      if (pen->draw)
        {
          double w = text_width (pen->cr, line);
          cairo_move_to (pen->cr, pen->flush_left ? pen->left : pen->left + (pen->width - w) / 2, pen->y);
          cairo_show_text (pen->cr, line);
        }
      pen->y += font.descent + size * 0.15;
    }
}

static void
pen_rule (Pen *pen, double gap)
{
  pen->y += gap;
  if (pen->draw)
    {
      cairo_save (pen->cr);
      cairo_set_line_width (pen->cr, 0.6);
      cairo_move_to (pen->cr, pen->left, pen->y);
      cairo_line_to (pen->cr, pen->left + pen->width, pen->y);
      cairo_stroke (pen->cr);
      cairo_restore (pen->cr);
    }
  pen->y += gap;
}

static double
snap (double value, double px_per_pt)
{
  return floor (value * px_per_pt + 0.5) / px_per_pt;
}

static void
pen_qr (Pen *pen, const KioskQrCode *qr, double target)
{
  /* An integer number of device pixels per module, so that PNGs stay
   * crisp; PDF is vector, the snap does no harm there. */
  double module_px = floor (MIN (target, pen->width) * pen->px_per_pt / qr->size);
  double module, x0, y0;

  if (module_px < 1)
    module_px = 1;
  module = module_px / pen->px_per_pt;
  x0 = snap (pen->left + (pen->width - module * qr->size) / 2, pen->px_per_pt);
  y0 = snap (pen->y, pen->px_per_pt);
  if (pen->draw)
    {
      cairo_save (pen->cr);
      cairo_set_antialias (pen->cr, CAIRO_ANTIALIAS_NONE);
      for (guint y = 0; y < qr->size; y++)
        {
          guint x = 0;
          while (x < qr->size)
            {
              guint run;
              if (!kiosk_qr_code_get (qr, x, y))
                {
                  x++;
                  continue;
                }
              for (run = 1; x + run < qr->size && kiosk_qr_code_get (qr, x + run, y); run++)
                ;
              cairo_rectangle (pen->cr, x0 + x * module, y0 + y * module, run * module, module);
              x += run;
            }
        }
      cairo_fill (pen->cr);
      cairo_restore (pen->cr);
    }
  pen->y = y0 + module * qr->size;
}

/* Lays out (and with @draw, draws) the receipt from the top of the page;
 * returns the height used, in points. */
static double
layout_receipt (cairo_t            *cr,
                const KioskReceipt *receipt,
                const KioskQrCode  *qr,
                const PaperLayout  *layout,
                double              px_per_pt,
                gboolean            draw)
{
  Pen pen = { cr, draw, layout->margin, layout->margin,
              layout->width - 2 * layout->margin, px_per_pt };
  g_autofree char *when = format_created (receipt->created);
  g_autoptr(cairo_font_options_t) font_options = cairo_font_options_create ();

  cairo_font_options_set_hint_metrics (font_options, CAIRO_HINT_METRICS_OFF);
  cairo_font_options_set_hint_style (font_options, CAIRO_HINT_STYLE_NONE);
  cairo_set_font_options (cr, font_options);
  cairo_set_source_rgb (cr, 0, 0, 0);

  if (!layout->roll)
    {
      /* A4: a narrower column at the top of the page */
      pen.width = MIN (pen.width, 120 * MM);
      pen.left = (layout->width - pen.width) / 2;
    }

  pen_text (&pen, _("Receipt"), TRUE, FALSE, layout->title_size);
  if (receipt->location != NULL && *receipt->location != '\0')
    pen_text (&pen, receipt->location, FALSE, FALSE, layout->body_size);
  pen_rule (&pen, layout->body_size * 0.6);
  pen_text (&pen, receipt->form_title, TRUE, FALSE, layout->body_size * 1.1);
  pen_text (&pen, when, FALSE, FALSE, layout->body_size);
  pen.y += layout->body_size * 0.6;
  pen_text (&pen, _("Your reference"), FALSE, FALSE, layout->body_size);
  pen_text (&pen, receipt->reference_display, TRUE, TRUE, layout->reference_size);
  pen.y += layout->body_size * 0.4;
  pen_text (&pen, kiosk_receipt_state_text (receipt->state), FALSE, FALSE, layout->body_size);
  if (qr != NULL)
    {
      pen.y += layout->body_size * 0.6;
      pen_qr (&pen, qr, layout->qr_target);
      pen.y += layout->body_size * 0.3;
    }
  pen_text (&pen, receipt->status_text, FALSE, FALSE, layout->small_size);
  pen_rule (&pen, layout->body_size * 0.6);
  pen_text (&pen, _("Please keep this receipt."), FALSE, FALSE, layout->small_size);
  return pen.y + layout->margin;
}

static gboolean
check_cairo (cairo_status_t status, GError **error)
{
  if (status == CAIRO_STATUS_SUCCESS)
    return TRUE;
  g_set_error (error, KIOSK_RECEIPT_ERROR, KIOSK_RECEIPT_ERROR_RENDER,
               "The receipt could not be drawn: %s", cairo_status_to_string (status));
  return FALSE;
}

static gboolean
prepare_qr (const KioskReceipt *receipt, KioskQrCode **qr, GError **error)
{
  *qr = NULL;
  if (receipt->qr_payload == NULL)
    return TRUE;
  *qr = kiosk_qr_code_new (receipt->qr_payload, error);
  return *qr != NULL;
}

/* The height a roll needs, measured on a scratch surface. */
static double
measure_height (const KioskReceipt *receipt,
                const KioskQrCode  *qr,
                const PaperLayout  *layout,
                double              px_per_pt)
{
  g_autoptr(cairo_surface_t) scratch = cairo_image_surface_create (CAIRO_FORMAT_A8, 1, 1);
  g_autoptr(cairo_t) cr = cairo_create (scratch);

  return ceil (layout_receipt (cr, receipt, qr, layout, px_per_pt, FALSE));
}

static cairo_status_t
append_to_bytes (void *closure, const unsigned char *data, unsigned int length)
{
  g_byte_array_append (closure, data, length);
  return CAIRO_STATUS_SUCCESS;
}

GBytes *
kiosk_receipt_render_pdf (const KioskReceipt *receipt,
                          KioskPaper          paper,
                          GError            **error)
{
  PaperLayout layout = paper_layout (paper);
  g_autoptr(KioskQrCode) qr = NULL;
  g_autoptr(GByteArray) out = g_byte_array_new ();
  g_autoptr(cairo_surface_t) surface = NULL;
  g_autoptr(cairo_t) cr = NULL;
  const double px_per_pt = 600.0 / 72.0;   /* snap to a 600 dpi grid */
  cairo_status_t status;

  g_return_val_if_fail (receipt != NULL, NULL);
  if (!prepare_qr (receipt, &qr, error))
    return NULL;
  if (layout.roll)
    layout.height = measure_height (receipt, qr, &layout, px_per_pt);

  surface = cairo_pdf_surface_create_for_stream (append_to_bytes, out, layout.width, layout.height);
  cairo_pdf_surface_restrict_to_version (surface, CAIRO_PDF_VERSION_1_5);
  cairo_pdf_surface_set_metadata (surface, CAIRO_PDF_METADATA_TITLE, _("Receipt"));
  cairo_pdf_surface_set_metadata (surface, CAIRO_PDF_METADATA_CREATOR, "Antragskiosk " PACKAGE_VERSION);
  cr = cairo_create (surface);
  layout_receipt (cr, receipt, qr, &layout, px_per_pt, TRUE);
  cairo_show_page (cr);
  status = cairo_status (cr);
  g_clear_pointer (&cr, cairo_destroy);
  cairo_surface_finish (surface);
  if (status == CAIRO_STATUS_SUCCESS)
    status = cairo_surface_status (surface);
  if (!check_cairo (status, error))
    return NULL;
  return g_byte_array_free_to_bytes (g_steal_pointer (&out));
}

GBytes *
kiosk_receipt_render_png (const KioskReceipt *receipt,
                          KioskPaper          paper,
                          guint               dpi,
                          GError            **error)
{
  PaperLayout layout = paper_layout (paper);
  g_autoptr(KioskQrCode) qr = NULL;
  g_autoptr(GByteArray) out = g_byte_array_new ();
  g_autoptr(cairo_surface_t) surface = NULL;
  g_autoptr(cairo_t) cr = NULL;
  double px_per_pt;
  int width, height;
  cairo_status_t status;

  g_return_val_if_fail (receipt != NULL, NULL);
  if (dpi == 0)
    dpi = layout.roll ? 203 : 150;
  if (dpi < 72 || dpi > 1200)
    {
      g_set_error (error, KIOSK_RECEIPT_ERROR, KIOSK_RECEIPT_ERROR_INVALID,
                   "A PNG receipt needs a resolution from 72 to 1200 dpi");
      return NULL;
    }
  px_per_pt = dpi / 72.0;
  if (!prepare_qr (receipt, &qr, error))
    return NULL;
  if (layout.roll)
    layout.height = measure_height (receipt, qr, &layout, px_per_pt);

  width = (int) ceil (layout.width * px_per_pt);
  height = (int) ceil (layout.height * px_per_pt);
  surface = cairo_image_surface_create (CAIRO_FORMAT_RGB24, width, height);
  cr = cairo_create (surface);
  cairo_set_source_rgb (cr, 1, 1, 1);
  cairo_paint (cr);
  cairo_scale (cr, px_per_pt, px_per_pt);
  layout_receipt (cr, receipt, qr, &layout, px_per_pt, TRUE);
  status = cairo_status (cr);
  if (!check_cairo (status, error))
    return NULL;
  cairo_surface_flush (surface);
  status = cairo_surface_write_to_png_stream (surface, append_to_bytes, out);
  if (!check_cairo (status, error))
    return NULL;
  return g_byte_array_free_to_bytes (g_steal_pointer (&out));
}

/* ---------------------------------------------------------------- ESC/POS */

/* Code page choice: CP858 (CP850 with the euro sign at 0xD5), selected with
 * ESC t 19, is the Western European page that Epson TM printers and most
 * clones carry, and it has every German letter. Printers without it get
 * plain ASCII with German transliteration (ä → ae, ß → ss). */

/* Unicode code points of CP858 bytes 0x80–0xFF (from the published table). */
static const guint16 cp858_high[128] = {
  0x00c7, 0x00fc, 0x00e9, 0x00e2, 0x00e4, 0x00e0, 0x00e5, 0x00e7, 0x00ea, 0x00eb, 0x00e8, 0x00ef, 0x00ee, 0x00ec, 0x00c4, 0x00c5,
  0x00c9, 0x00e6, 0x00c6, 0x00f4, 0x00f6, 0x00f2, 0x00fb, 0x00f9, 0x00ff, 0x00d6, 0x00dc, 0x00f8, 0x00a3, 0x00d8, 0x00d7, 0x0192,
  0x00e1, 0x00ed, 0x00f3, 0x00fa, 0x00f1, 0x00d1, 0x00aa, 0x00ba, 0x00bf, 0x00ae, 0x00ac, 0x00bd, 0x00bc, 0x00a1, 0x00ab, 0x00bb,
  0x2591, 0x2592, 0x2593, 0x2502, 0x2524, 0x00c1, 0x00c2, 0x00c0, 0x00a9, 0x2563, 0x2551, 0x2557, 0x255d, 0x00a2, 0x00a5, 0x2510,
  0x2514, 0x2534, 0x252c, 0x251c, 0x2500, 0x253c, 0x00e3, 0x00c3, 0x255a, 0x2554, 0x2569, 0x2566, 0x2560, 0x2550, 0x256c, 0x00a4,
  0x00f0, 0x00d0, 0x00ca, 0x00cb, 0x00c8, 0x20ac, 0x00cd, 0x00ce, 0x00cf, 0x2518, 0x250c, 0x2588, 0x2584, 0x00a6, 0x00cc, 0x2580,
  0x00d3, 0x00df, 0x00d4, 0x00d2, 0x00f5, 0x00d5, 0x00b5, 0x00fe, 0x00de, 0x00da, 0x00db, 0x00d9, 0x00fd, 0x00dd, 0x00af, 0x00b4,
  0x00ad, 0x00b1, 0x2017, 0x00be, 0x00b6, 0x00a7, 0x00f7, 0x00b8, 0x00b0, 0x00a8, 0x00b7, 0x00b9, 0x00b3, 0x00b2, 0x25a0, 0x00a0,
};

static const char *
transliterate_german (gunichar c)
{
  switch (c)
    {
    case 0x00e4: return "ae";
    case 0x00f6: return "oe";
    case 0x00fc: return "ue";
    case 0x00c4: return "Ae";
    case 0x00d6: return "Oe";
    case 0x00dc: return "Ue";
    case 0x00df: return "ss";
    case 0x20ac: return "EUR";
    case 0x2013: case 0x2014: case 0x2011: return "-";
    case 0x201e: case 0x201c: case 0x201d: return "\"";
    case 0x2018: case 0x2019: case 0x201a: return "'";
    case 0x00a0: return " ";
    default: return NULL;
    }
}

/* One printable line of UTF-8 text in the printer's code page. */
static void
append_encoded (GByteArray *out, const char *text, KioskEscposCodepage codepage)
{
  for (const char *p = text; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);
      const char *ascii = NULL;
      guint8 byte = '?';
      gboolean found = FALSE;

      if (c >= 0x20 && c < 0x7f)
        {
          byte = (guint8) c;
          found = TRUE;
        }
      else if (codepage == KIOSK_ESCPOS_CODEPAGE_CP858 && c >= 0xa0)
        {
          for (guint i = 0; i < 128 && !found; i++)
            if (cp858_high[i] == c)
              {
                byte = (guint8) (0x80 + i);
                found = TRUE;
              }
        }
      if (!found)
        ascii = transliterate_german (c);
      if (ascii != NULL)
        {
          g_byte_array_append (out, (const guint8 *) ascii, strlen (ascii));
          continue;
        }
      g_byte_array_append (out, &byte, 1);
    }
}

static double
measure_chars (gpointer data, const char *text)
{
  return (double) g_utf8_strlen (text, -1);
}

static void
append_bytes (GByteArray *out, const guint8 *bytes, gsize length)
{
  g_byte_array_append (out, bytes, (guint) length);
}

#define APPEND(out, ...) G_STMT_START { \
    static const guint8 seq_[] = { __VA_ARGS__ }; \
    append_bytes ((out), seq_, sizeof seq_); \
  } G_STMT_END

static void
escpos_text (GByteArray *out, const char *text, guint columns, KioskEscposCodepage codepage)
{
  g_autoptr(GPtrArray) lines = wrap_lines (text, NULL, measure_chars, columns);

  for (guint i = 0; i < lines->len; i++)
    {
      append_encoded (out, lines->pdata[i], codepage);
      APPEND (out, 0x0a);
    }
}

static void
escpos_raster_qr (GByteArray *out, const KioskQrCode *qr, guint dots)
{
  guint scale = MIN (8u, dots / qr->size);
  guint bytes_per_row = dots / 8;
  guint side, left;
  guint band = 128;   /* rows per GS v 0: small enough for any buffer */

  if (scale == 0)
    scale = 1;
  side = qr->size * scale;
  left = (dots - MIN (side, dots)) / 2;
  for (guint y0 = 0; y0 < side; y0 += band)
    {
      guint rows = MIN (band, side - y0);
      guint8 header[8] = { 0x1d, 'v', '0', 0,
                           (guint8) (bytes_per_row & 0xff), (guint8) (bytes_per_row >> 8),
                           (guint8) (rows & 0xff), (guint8) (rows >> 8) };
      g_autofree guint8 *data = g_malloc0 ((gsize) bytes_per_row * rows);

      for (guint y = 0; y < rows; y++)
        for (guint x = 0; x < side && left + x < dots; x++)
          if (kiosk_qr_code_get (qr, x / scale, (y0 + y) / scale))
            {
              guint px = left + x;
              data[y * bytes_per_row + px / 8] |= (guint8) (0x80 >> (px % 8));
            }
      append_bytes (out, header, sizeof header);
      append_bytes (out, data, (gsize) bytes_per_row * rows);
    }
}

static void
escpos_native_qr (GByteArray *out, const char *payload, guint module_dots)
{
  gsize length = strlen (payload) + 3;
  guint8 store[8] = { 0x1d, '(', 'k', (guint8) (length & 0xff), (guint8) (length >> 8), '1', 'P', '0' };
  guint8 size[8] = { 0x1d, '(', 'k', 3, 0, '1', 'C', (guint8) CLAMP (module_dots, 1u, 16u) };

  APPEND (out, 0x1d, '(', 'k', 4, 0, '1', 'A', '2', 0);     /* model 2 */
  append_bytes (out, size, sizeof size);                    /* module size */
  APPEND (out, 0x1d, '(', 'k', 3, 0, '1', 'E', '1');        /* level M */
  append_bytes (out, store, sizeof store);                  /* store data */
  append_bytes (out, (const guint8 *) payload, strlen (payload));
  APPEND (out, 0x1d, '(', 'k', 3, 0, '1', 'Q', '0');        /* print */
}

GBytes *
kiosk_receipt_render_escpos (const KioskReceipt       *receipt,
                             KioskPaper                paper,
                             const KioskEscposOptions *options,
                             GError                  **error)
{
  static const KioskEscposOptions defaults = { KIOSK_ESCPOS_CODEPAGE_CP858, FALSE, TRUE };
  g_autoptr(GByteArray) out = g_byte_array_sized_new (24 * 1024);
  g_autoptr(KioskQrCode) qr = NULL;
  g_autofree char *when = NULL;
  guint dots = kiosk_paper_escpos_dots (paper);
  guint columns = dots / 12;   /* font A: 12 × 24 dots */
  gsize separator_length;
  g_autofree char *separator = NULL;

  g_return_val_if_fail (receipt != NULL, NULL);
  if (options == NULL)
    options = &defaults;
  if (dots == 0)
    {
      g_set_error (error, KIOSK_RECEIPT_ERROR, KIOSK_RECEIPT_ERROR_INVALID,
                   "ESC/POS receipts are for 58 mm or 80 mm rolls, not A4");
      return NULL;
    }
  if (!prepare_qr (receipt, &qr, error))
    return NULL;
  when = format_created (receipt->created);
  separator_length = columns;
  separator = g_strnfill (separator_length, '-');

  APPEND (out, 0x1b, '@');                                  /* initialise */
  if (options->codepage == KIOSK_ESCPOS_CODEPAGE_CP858)
    APPEND (out, 0x1b, 't', 19);                            /* CP858 */
  APPEND (out, 0x1b, 'a', 1);                               /* centre */
  APPEND (out, 0x1b, 'E', 1);
  escpos_text (out, _("Receipt"), columns, options->codepage);
  APPEND (out, 0x1b, 'E', 0);
  if (receipt->location != NULL && *receipt->location != '\0')
    escpos_text (out, receipt->location, columns, options->codepage);
  escpos_text (out, separator, columns, options->codepage);
  APPEND (out, 0x1b, 'E', 1);
  escpos_text (out, receipt->form_title, columns, options->codepage);
  APPEND (out, 0x1b, 'E', 0);
  escpos_text (out, when, columns, options->codepage);
  APPEND (out, 0x0a);
  escpos_text (out, _("Your reference"), columns, options->codepage);
  APPEND (out, 0x1b, 'E', 1);
  if (strlen (receipt->reference_display) <= columns / 2)
    {
      APPEND (out, 0x1d, '!', 0x11);                        /* double size */
      escpos_text (out, receipt->reference_display, columns / 2, options->codepage);
      APPEND (out, 0x1d, '!', 0x00);
    }
  else
    escpos_text (out, receipt->reference_display, columns, options->codepage);
  APPEND (out, 0x1b, 'E', 0);
  APPEND (out, 0x0a);
  escpos_text (out, kiosk_receipt_state_text (receipt->state), columns, options->codepage);
  if (qr != NULL)
    {
      APPEND (out, 0x0a);
      if (options->native_qr)
        escpos_native_qr (out, receipt->qr_payload, MIN (8u, dots / qr->size));
      else
        escpos_raster_qr (out, qr, dots);
      APPEND (out, 0x0a);
    }
  escpos_text (out, receipt->status_text, columns, options->codepage);
  escpos_text (out, separator, columns, options->codepage);
  escpos_text (out, _("Please keep this receipt."), columns, options->codepage);
  if (options->cut)
    {
      APPEND (out, 0x1b, 'd', 4);                           /* feed 4 lines */
      APPEND (out, 0x1d, 'V', 1);                           /* partial cut */
    }
  return g_byte_array_free_to_bytes (g_steal_pointer (&out));
}

GBytes *
kiosk_receipt_render (const KioskReceipt       *receipt,
                      KioskReceiptFormat        format,
                      KioskPaper                paper,
                      const KioskEscposOptions *options,
                      GError                  **error)
{
  switch (format)
    {
    case KIOSK_RECEIPT_FORMAT_PDF:
      return kiosk_receipt_render_pdf (receipt, paper, error);
    case KIOSK_RECEIPT_FORMAT_PNG:
      return kiosk_receipt_render_png (receipt, paper, 0, error);
    case KIOSK_RECEIPT_FORMAT_ESCPOS:
      return kiosk_receipt_render_escpos (receipt, paper, options, error);
    default:
      g_set_error (error, KIOSK_RECEIPT_ERROR, KIOSK_RECEIPT_ERROR_INVALID,
                   "Unknown receipt format %d", (int) format);
      return NULL;
    }
}

/* ---------------------------------------------------------------- summary */

/* An output buffer that overwrites every copy it leaves behind: the
 * summary is plaintext personal data. */
typedef struct {
  guint8 *data;
  gsize   length;
  gsize   capacity;
} WipingBuffer;

static void
wiping_buffer_free (gpointer user_data)
{
  WipingBuffer *buffer = user_data;

  if (buffer->data != NULL)
    {
      memset (buffer->data, 0, buffer->capacity);
      g_free (buffer->data);
    }
  g_free (buffer);
}

static cairo_status_t
append_wiping (void *closure, const unsigned char *data, unsigned int length)
{
  WipingBuffer *buffer = closure;

  if (buffer->length + length > buffer->capacity)
    {
      gsize capacity = MAX (buffer->capacity * 2, buffer->length + length + 64 * 1024);
      guint8 *grown = g_malloc (capacity);

      if (buffer->data != NULL)
        {
          memcpy (grown, buffer->data, buffer->length);
          memset (buffer->data, 0, buffer->capacity);
          g_free (buffer->data);
        }
      buffer->data = grown;
      buffer->capacity = capacity;
    }
  memcpy (buffer->data + buffer->length, data, length);
  buffer->length += length;
  return CAIRO_STATUS_SUCCESS;
}

static char *
format_decimal (double value, int decimals)
{
  char text[G_ASCII_DTOSTR_BUF_SIZE];
  /* TRANSLATORS: the decimal separator in numbers of the summary */
  const char *separator = C_("decimal separator", ".");
  GString *out = g_string_new (NULL);

  if (decimals >= 0)
    g_ascii_formatd (text, sizeof text, decimals == 2 ? "%.2f" : "%.0f", value);
  else
    g_ascii_dtostr (text, sizeof text, value);
  for (const char *p = text; *p != '\0'; p++)
    {
      if (*p == '.')
        g_string_append (out, separator);
      else
        g_string_append_c (out, *p);
    }
  return g_string_free (out, FALSE);
}

/* The value as the review page shows it. */
static char *
format_value (const KioskElement *element, JsonNode *node)
{
  const char *text = JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING
                     ? json_node_get_string (node) : NULL;

  switch (element->kind)
    {
    case KIOSK_KIND_CHECKBOX:
      return g_strdup (json_node_get_boolean (node) ? C_("checkbox answer", "Yes") : C_("checkbox answer", "No"));
    case KIOSK_KIND_SELECT:
    case KIOSK_KIND_RADIO:
      {
        const KioskCode *code = text != NULL && element->code_list != NULL
                                ? kiosk_code_list_lookup (element->code_list, text) : NULL;
        return g_strdup (code != NULL ? kiosk_text_get (code->label, NULL) : text != NULL ? text : "");
      }
    case KIOSK_KIND_DATE:
      {
        int y = 0, m = 0, d = 0;
        g_autoptr(GDateTime) date = NULL;

        if (text != NULL && sscanf (text, "%4d-%2d-%2d", &y, &m, &d) == 3)
          date = g_date_time_new_utc (y, m, d, 0, 0, 0);
        /* TRANSLATORS: a date in the summary, a g_date_time_format() format */
        return date != NULL ? g_date_time_format (date, _("%Y-%m-%d")) : g_strdup (text != NULL ? text : "");
      }
    case KIOSK_KIND_CURRENCY:
      {
        g_autofree char *number = format_decimal (json_node_get_double (node), 2);
        return g_strconcat (number, " €", NULL);
      }
    case KIOSK_KIND_NUMBER:
      return format_decimal (json_node_get_double (node), -1);
    case KIOSK_KIND_INTEGER:
      return g_strdup_printf ("%" G_GINT64_FORMAT, json_node_get_int (node));
    default:
      return g_strdup (text != NULL ? text : "");
    }
}

/* Whether @object holds an answer to anything inside @element. */
static gboolean
has_answers (const KioskElement *element, JsonObject *object)
{
  if (kiosk_kind_is_input (element->kind))
    return json_object_has_member (object, element->id);
  if (kiosk_element_is_repeatable (element))
    return json_object_has_member (object, element->id);
  if (element->children == NULL)
    return FALSE;
  for (guint i = 0; i < element->children->len; i++)
    if (has_answers (element->children->pdata[i], object))
      return TRUE;
  return FALSE;
}

typedef struct {
  double heading, label, value;
} SummarySizes;

static void
summary_items (Pen *pen, const KioskElement *container, JsonObject *object, const SummarySizes *sizes)
{
  for (guint i = 0; i < container->children->len; i++)
    {
      const KioskElement *element = container->children->pdata[i];

      if (!has_answers (element, object))
        continue;
      if (kiosk_element_is_repeatable (element))
        {
          JsonArray *instances = json_object_get_array_member (object, element->id);

          for (guint n = 0; instances != NULL && n < json_array_get_length (instances); n++)
            {
              g_autofree char *heading = g_strdup_printf ("%s (%u)", kiosk_text_get (element->label, NULL), n + 1);
              JsonObject *instance = json_array_get_object_element (instances, n);

              pen->y += sizes->value * 0.5;
              pen_text (pen, heading, TRUE, FALSE, sizes->value);
              if (instance != NULL)
                summary_items (pen, element, instance, sizes);
            }
        }
      else if (kiosk_kind_is_container (element->kind))
        {
          pen->y += sizes->value * 0.5;
          pen_text (pen, kiosk_text_get (element->label, NULL), TRUE, FALSE, sizes->value);
          summary_items (pen, element, object, sizes);
        }
      else
        {
          g_autofree char *value = format_value (element, json_object_get_member (object, element->id));
          g_auto(GStrv) lines = g_strsplit (value, "\n", -1);

          pen->y += sizes->label * 0.4;
          pen_text (pen, kiosk_text_get (element->label, NULL), FALSE, FALSE, sizes->label);
          for (guint l = 0; lines[l] != NULL; l++)
            pen_text (pen, lines[l], TRUE, FALSE, sizes->value);
          memset (value, 0, strlen (value));
        }
    }
}

GBytes *
kiosk_summary_render_pdf (const KioskForm *form,
                          const char      *data_json,
                          gssize           length,
                          const char      *reference,
                          GDateTime       *created,
                          GError         **error)
{
  PaperLayout layout = paper_layout (KIOSK_PAPER_A4);
  SummarySizes sizes = { 13, 8.5, 10.5 };
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  g_autoptr(cairo_surface_t) surface = NULL;
  g_autoptr(cairo_t) cr = NULL;
  g_autoptr(cairo_font_options_t) font_options = cairo_font_options_create ();
  g_autofree char *when = NULL;
  g_autofree char *subtitle = NULL;
  WipingBuffer *buffer;
  JsonNode *root;
  JsonObject *data = NULL;
  cairo_status_t status;
  Pen pen;

  g_return_val_if_fail (form != NULL, NULL);
  g_return_val_if_fail (data_json != NULL, NULL);

  if (json_parser_load_from_data (parser, data_json, length, NULL))
    {
      root = json_parser_get_root (parser);
      if (root != NULL && JSON_NODE_HOLDS_OBJECT (root)
          && json_object_has_member (json_node_get_object (root), "data"))
        data = json_object_get_object_member (json_node_get_object (root), "data");
    }
  if (data == NULL)
    {
      /* never the input itself in a message */
      g_set_error (error, KIOSK_RECEIPT_ERROR, KIOSK_RECEIPT_ERROR_INVALID,
                   "The summary needs the canonical data JSON of the application");
      return NULL;
    }

  buffer = g_new0 (WipingBuffer, 1);
  surface = cairo_pdf_surface_create_for_stream (append_wiping, buffer, layout.width, layout.height);
  cairo_pdf_surface_restrict_to_version (surface, CAIRO_PDF_VERSION_1_5);
  cairo_pdf_surface_set_metadata (surface, CAIRO_PDF_METADATA_TITLE, kiosk_text_get (form->title, NULL));
  cairo_pdf_surface_set_metadata (surface, CAIRO_PDF_METADATA_CREATOR, "Antragskiosk " PACKAGE_VERSION);
  cr = cairo_create (surface);
  cairo_font_options_set_hint_metrics (font_options, CAIRO_HINT_METRICS_OFF);
  cairo_font_options_set_hint_style (font_options, CAIRO_HINT_STYLE_NONE);
  cairo_set_font_options (cr, font_options);
  cairo_set_source_rgb (cr, 0, 0, 0);

  pen = (Pen) { cr, TRUE, layout.margin, layout.margin, layout.width - 2 * layout.margin,
                600.0 / 72.0, TRUE, layout.height - layout.margin, layout.margin };
  pen_text (&pen, kiosk_text_get (form->title, NULL), TRUE, FALSE, layout.title_size);
  when = created != NULL ? format_created (created) : NULL;
  /* TRANSLATORS: under the title of the application summary: reference, date and time */
  subtitle = g_strdup_printf (_("Reference %s · %s"), reference != NULL ? reference : "–", when != NULL ? when : "");
  pen_text (&pen, subtitle, FALSE, FALSE, sizes.label + 1);
  pen_rule (&pen, sizes.value * 0.5);

  for (guint i = 0; i < form->pages->len; i++)
    {
      const KioskElement *page = form->pages->pdata[i];

      if (!has_answers (page, data))
        continue;
      pen.y += sizes.heading * 0.6;
      pen_text (&pen, kiosk_text_get (page->label, NULL), TRUE, FALSE, sizes.heading);
      summary_items (&pen, page, data, &sizes);
    }
  cairo_show_page (cr);
  status = cairo_status (cr);
  g_clear_pointer (&cr, cairo_destroy);
  cairo_surface_finish (surface);
  if (status == CAIRO_STATUS_SUCCESS)
    status = cairo_surface_status (surface);
  g_clear_pointer (&surface, cairo_surface_destroy);
  if (!check_cairo (status, error))
    {
      wiping_buffer_free (buffer);
      return NULL;
    }
  return g_bytes_new_with_free_func (buffer->data, buffer->length, wiping_buffer_free, buffer);
}
