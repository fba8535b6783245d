/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "antragskiosk-receipt"

/* The receipt itself: [receipt] options, the content and its QR payload,
 * the MAC, verifying a scanned payload, the state sentence, and the text
 * helpers the renderers share (receipt-private.h). */

#include "config.h"

#include <string.h>
#include <glib.h>
#include <glib/gi18n-lib.h>

#include <antragskiosk/file.h>
#include <antragskiosk/receipt.h>
#include <antragskiosk/reference.h>

#include "receipt-private.h"
#include "config-groups.h"

G_DEFINE_QUARK (kiosk-receipt-error-quark, kiosk_receipt_error)

#define REFERENCE_MAX 32
#define MAC_DEFAULT_LENGTH 12

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

/* status_url: an http(s) URL without a fragment or blanks. */
static gboolean
read_status_url (GKeyFile             *keyfile,
                 KioskReceiptOptions  *options,
                 GError              **error)
{
  options->status_url = g_key_file_get_string (keyfile, "receipt", "status_url", NULL);
  if (options->status_url == NULL)
    return TRUE;
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
      return FALSE;
    }
  return TRUE;
}

/* mac_length: 8…64 hex digits. */
static gboolean
read_mac_length (GKeyFile             *keyfile,
                 KioskReceiptOptions  *options,
                 GError              **error)
{
  g_autoptr(GError) local_error = NULL;
  int length;

  if (!g_key_file_has_key (keyfile, "receipt", "mac_length", NULL))
    return TRUE;
  length = g_key_file_get_integer (keyfile, "receipt", "mac_length", &local_error);
  if (local_error != NULL || length < 8 || length > 64)
    {
      g_set_error (error, KIOSK_RECEIPT_ERROR, KIOSK_RECEIPT_ERROR_CONFIG,
                   "[receipt] mac_length must be a number of hex digits from 8 to 64");
      return FALSE;
    }
  options->mac_length = (guint) length;
  return TRUE;
}

/* The key from mac_key_file: its bytes, trailing newlines removed. */
static gboolean
read_mac_key_file (char                 *key_file,
                   KioskReceiptOptions  *options,
                   GError              **error)
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
      return FALSE;
    }
  length = size;
  while (length > 0 && (contents[length - 1] == '\n' || contents[length - 1] == '\r'))
    length--;
  if (length > 0)
    options->mac_key = g_bytes_new (contents, length);
  explicit_bzero (contents, size);
  return TRUE;
}

/* mac_key or mac_key_file (not both); at least 16 bytes. */
static gboolean
read_mac_key (GKeyFile             *keyfile,
              const char           *resolved_key_file,
              KioskReceiptOptions  *options,
              GError              **error)
{
  g_autofree char *key_text = g_key_file_get_string (keyfile, "receipt", "mac_key", NULL);
  g_autofree char *key_file = resolved_key_file != NULL
                              ? g_strdup (resolved_key_file)
                              : g_key_file_get_string (keyfile, "receipt", "mac_key_file", NULL);

  if (key_text != NULL && key_file != NULL)
    {
      g_set_error (error, KIOSK_RECEIPT_ERROR, KIOSK_RECEIPT_ERROR_CONFIG,
                   "[receipt] set either mac_key or mac_key_file, not both");
      return FALSE;
    }
  if (key_file != NULL)
    {
      if (!read_mac_key_file (key_file, options, error))
        return FALSE;
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
      return FALSE;
    }
  return TRUE;
}

static KioskReceiptOptions *
options_new (GKeyFile    *keyfile,
             const char  *resolved_key_file,
             GError     **error)
{
  g_autoptr(KioskReceiptOptions) options = g_new0 (KioskReceiptOptions, 1);

  options->mac_length = MAC_DEFAULT_LENGTH;
  if (keyfile == NULL || !g_key_file_has_group (keyfile, "receipt"))
    return g_steal_pointer (&options);
  if (!read_status_url (keyfile, options, error))
    return NULL;
  options->status_text = g_key_file_get_locale_string (keyfile, "receipt", "status_text", NULL, NULL);
  if (!read_mac_length (keyfile, options, error)
      || !read_mac_key (keyfile, resolved_key_file, options, error))
    return NULL;
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

/* @created as the receipt prints it (translated format). */
static char *
format_created (GDateTime *created)
{
  /* TRANSLATORS: date and time on the receipt, a g_date_time_format() format */
  return g_date_time_format (created, _("%Y-%m-%d %H:%M"));
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
  if ((int) state < KIOSK_RECEIPT_STATE_QUEUED || state > KIOSK_RECEIPT_STATE_DELETED)
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
  receipt->heading = g_strdup (_("Receipt"));
  receipt->reference_label = g_strdup (_("Your reference"));
  receipt->created_text = format_created (created);
  receipt->state_text = g_strdup (kiosk_receipt_state_text (state));
  receipt->keep_note = g_strdup (_("Please keep this receipt."));
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
  copy->heading = g_strdup (receipt->heading);
  copy->reference_label = g_strdup (receipt->reference_label);
  copy->created_text = g_strdup (receipt->created_text);
  copy->state_text = g_strdup (receipt->state_text);
  copy->keep_note = g_strdup (receipt->keep_note);
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
  g_free (receipt->heading);
  g_free (receipt->reference_label);
  g_free (receipt->created_text);
  g_free (receipt->state_text);
  g_free (receipt->keep_note);
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

const char *
kiosk_receipt_state_text (KioskReceiptState state)
{
  switch (state)
    {
    case KIOSK_RECEIPT_STATE_TRANSMITTED:
      return _("Your application has been delivered to the authority.");
    case KIOSK_RECEIPT_STATE_FAILED:
      return _("Your application is stored encrypted on this terminal, but it could not be sent automatically. "
               "Please ask at the counter, quoting your reference.");
    case KIOSK_RECEIPT_STATE_DELETED:
      return _("Your application did not reach the authority: the platform deleted it before the authority "
               "collected it. Please ask at the counter, quoting your reference.");
    case KIOSK_RECEIPT_STATE_QUEUED:
    default:
      return _("Your application is stored encrypted on this terminal. It will be sent to the authority "
               "automatically.");
    }
}

gboolean
_kiosk_receipt_prepare_qr (const KioskReceipt *receipt, KioskQrCode **qr, GError **error)
{
  *qr = NULL;
  if (receipt->qr_payload == NULL)
    return TRUE;
  *qr = kiosk_qr_code_new (receipt->qr_payload, error);
  return *qr != NULL;
}

/* ---------------------------------------------------------------- renderers */

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

/* ---------------------------------------------------------------- layout */

/* Greedy word wrap; a word wider than a line (an address) is broken
 * between characters. */
GPtrArray *
_kiosk_receipt_wrap_lines (const char *text,
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

/* ---------------------------------------------------------------- check-config */

static const char *const receipt_keys[] = {
  "status_url", "status_text", "mac_key", "mac_key_file", "mac_length", NULL
};
static const char *const receipt_localised[] = { "status_text", NULL };

/* mac_key_file: a regular file of a secret's size, at least 16 bytes,
 * private; wiped after reading. */
static void
check_mac_key_file (KioskConfigCheck *check,
                    const char       *group,
                    const char       *key_file)
{
  g_autofree char *contents = NULL;
  g_autoptr(GError) error = NULL;
  gsize size = 0, key_length;

  if (!kiosk_file_read_secret (key_file, KIOSK_FILE_MAX_SECRET, &contents, &size, &error))
    {
      kiosk_config_check_add (check, FALSE, group, "mac_key_file", "cannot be read: %s", error->message);
      return;
    }
  key_length = size;
  while (key_length > 0 && (contents[key_length - 1] == '\n' || contents[key_length - 1] == '\r'))
    key_length--;
  explicit_bzero (contents, size);
  if (key_length < 16)
    kiosk_config_check_add (check, FALSE, group, "mac_key_file",
                            "%s holds %" G_GSIZE_FORMAT " bytes; the MAC key must be at least 16 bytes long",
                            key_file, key_length);
  kiosk_config_check_private_mode (check, group, "mac_key_file", key_file, "", "restrict it with chmod 600");
}

void
kiosk_receipt_check_config (KioskConfigCheck *check,
                            const char       *group)
{
  g_autofree char *url = NULL;
  g_autofree char *key_text = NULL;
  g_autofree char *key_file = NULL;
  guint length = 0;

  kiosk_config_check_unknown_keys (check, group, receipt_keys, receipt_localised);
  url = kiosk_config_check_string (check, group, "status_url");
  if (url != NULL
      && (!(g_str_has_prefix (url, "https://") || g_str_has_prefix (url, "http://"))
          || !g_uri_is_valid (url, G_URI_FLAGS_NONE, NULL)
          || strpbrk (url, "# \t") != NULL))
    kiosk_config_check_add (check, FALSE, group, "status_url",
                            "\"%s\" must be an http(s) URL without a fragment, such as "
                            "https://buergerbuero.example/status", url);
  kiosk_config_check_number (check, group, "mac_length", 8, 64, " of hex digits", &length);

  key_text = kiosk_config_check_string (check, group, "mac_key");
  key_file = kiosk_config_check_path (check, group, "mac_key_file");
  if (key_text != NULL && key_file != NULL)
    kiosk_config_check_add (check, FALSE, group, "mac_key_file", "set either mac_key or mac_key_file, not both");
  else if (key_text != NULL)
    {
      if (strlen (key_text) < 16)
        kiosk_config_check_add (check, FALSE, group, "mac_key", "the MAC key must be at least 16 bytes long");
      kiosk_config_check_private_mode (check, group, "mac_key", kiosk_config_check_origin (check, group, "mac_key"),
                                       " holds the receipt MAC key and",
                                       "restrict it with chmod 600, or move the key to mac_key_file");
      explicit_bzero (key_text, strlen (key_text));
    }
  else if (key_file != NULL)
    check_mac_key_file (check, group, key_file);
}
