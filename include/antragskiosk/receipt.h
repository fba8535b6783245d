/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>
#include <antragskiosk/answers.h>
#include <antragskiosk/config.h>

G_BEGIN_DECLS

/* The visitor's receipt (docs/receipts.md): what it says, its QR code, and
 * its renderers — a module matrix and pixel buffer for the screen, PDF and
 * PNG through cairo for CUPS printers (58 mm and 80 mm rolls, A4), and an
 * ESC/POS byte stream for thermal printers.
 *
 * A receipt holds nothing personal from the application: the public
 * reference, the form's title, when, where, the state and how to check
 * the status. Renderers are pure functions of the receipt; they can run in
 * any thread (one receipt per thread at a time). */

#define KIOSK_RECEIPT_ERROR (kiosk_receipt_error_quark ())
GQuark kiosk_receipt_error_quark (void);

typedef enum {
  KIOSK_RECEIPT_ERROR_INVALID,   /* a field cannot be put on a receipt */
  KIOSK_RECEIPT_ERROR_CONFIG,    /* [receipt] group unusable */
  KIOSK_RECEIPT_ERROR_QR,        /* the payload does not fit a QR code */
  KIOSK_RECEIPT_ERROR_RENDER,    /* cairo failed (fonts, memory) */
  KIOSK_RECEIPT_ERROR_IO,        /* writing the output file failed */
  KIOSK_RECEIPT_ERROR_NOT_GENUINE, /* verify: the MAC does not match */
} KioskReceiptError;

typedef enum {
  KIOSK_RECEIPT_STATE_QUEUED,       /* stored, will be transmitted */
  KIOSK_RECEIPT_STATE_TRANSMITTED,  /* accepted by the platform */
  KIOSK_RECEIPT_STATE_FAILED,       /* stored, but could not be sent: ask at the counter */
  KIOSK_RECEIPT_STATE_DELETED,      /* the platform deleted it before the authority collected it */
} KioskReceiptState;

typedef enum {
  KIOSK_PAPER_58MM,
  KIOSK_PAPER_80MM,
  KIOSK_PAPER_A4,
} KioskPaper;

typedef enum {
  KIOSK_RECEIPT_FORMAT_PDF,
  KIOSK_RECEIPT_FORMAT_PNG,
  KIOSK_RECEIPT_FORMAT_ESCPOS,
} KioskReceiptFormat;

/* The [receipt] settings that shape the QR code.
 *   status_url   = https://buergerbuero.example/status   (optional: with
 *                  it the QR is that URL with the reference, without it
 *                  the bare reference)
 *   mac_key      = secret text, or mac_key_file = path (its bytes, trailing
 *                  newline removed); no key: no MAC in the QR
 *   mac_length   = hex digits of HMAC-SHA256 kept (8…64, default 12)
 *   status_text  = how to check the status (default: a sentence naming
 *                  the status URL) */
typedef struct {
  char   *status_url;
  char   *status_text;   /* may be NULL: the default sentence */
  GBytes *mac_key;       /* may be NULL */
  guint   mac_length;
} KioskReceiptOptions;

/* Reads the [receipt] group of @keyfile (NULL or a missing group: the
 * defaults, no status URL, no MAC). */
KioskReceiptOptions *kiosk_receipt_options_new_from_keyfile (GKeyFile  *keyfile,
                                                             GError   **error);
/* The same from the loaded configuration; a relative mac_key_file is
 * relative to the file that set it. */
KioskReceiptOptions *kiosk_receipt_options_new_from_config (const KioskConfig  *config,
                                                            GError            **error);
void                 kiosk_receipt_options_free (KioskReceiptOptions *options);

typedef struct {
  char              *reference;    /* public reference, [A-Z0-9-], ≤ 32 (in the QR) */
  char              *reference_display; /* as printed: "K7M4Q-X9PRZ" for a valid
                                         * canonical reference, else = reference */
  char              *form_title;   /* in the receipt's language */
  GDateTime         *created;      /* local time of the submission */
  char              *location;     /* kiosk location, may be NULL */
  KioskReceiptState  state;
  char              *status_text;  /* how to check the status */
  char              *status_url;   /* base status URL, may be NULL */
  char              *qr_payload;   /* what the QR encodes (never NULL) */
  /* The receipt's own words, translated when it is built (in the
   * visitor's language): a receipt is printed in a worker thread while
   * the kiosk may already speak the next visitor's language. */
  char              *heading;        /* "Receipt" */
  char              *reference_label; /* "Your reference" */
  char              *created_text;   /* the date and time, in the language's form */
  char              *state_text;     /* kiosk_receipt_state_text (state) */
  char              *keep_note;      /* "Please keep this receipt." */
} KioskReceipt;

/* Builds a receipt. @reference must be 1–32 characters of A–Z, 0–9 and
 * '-' (it goes into a URL and onto thermal paper as is). @options may be
 * NULL (no status page, no MAC). A canonical reference (reference.h) is
 * printed in its display form and encoded canonical. Every receipt has a
 * QR code: with a status URL its payload is "STATUS_URL?ref=REF" ('&'
 * when the URL already has a query), plus "&mac=HEX" when a MAC key is
 * set; without one it is the bare "REF", or "REF.HEX" with the MAC in
 * upper case. Texts are translated with the current locale (the
 * receipt's language) here, once: rendering it later, in any thread,
 * translates nothing. */
KioskReceipt *kiosk_receipt_new   (const char                *reference,
                                   const char                *form_title,
                                   GDateTime                 *created,
                                   const char                *location,
                                   KioskReceiptState          state,
                                   const KioskReceiptOptions *options,
                                   GError                   **error);
KioskReceipt *kiosk_receipt_copy  (const KioskReceipt *receipt);
/* The sentence that says where the application is, in the current
 * language: stored on this terminal (to be sent automatically), or
 * delivered to the authority. The printed receipt and the receipt screen
 * use the same sentence, so they never disagree. */
const char   *kiosk_receipt_state_text (KioskReceiptState state);
void          kiosk_receipt_free  (KioskReceipt *receipt);

/* Lower-case hex HMAC-SHA256 of @message under @key, the first @length
 * digits (1…64). */
char         *kiosk_receipt_mac   (GBytes     *key,
                                   const char *message,
                                   guint       length);

/* Checks a scanned QR payload against this kiosk's @options. Either
 * form is read: the URL form (it must start with options->status_url and
 * carry ref= and, optionally, mac=), accepted only when a status URL is
 * configured; and the bare form "REF" / "REF.MAC" (MAC in either case),
 * accepted always, so that receipts printed before a status page was
 * configured stay readable. The reference must be well formed; when a MAC
 * key is configured, a MAC of exactly options->mac_length digits equal
 * (constant time) to the one this kiosk prints must be there. Without a
 * key a MAC is not checked. Returns the reference (newly allocated) or
 * NULL with KIOSK_RECEIPT_ERROR_NOT_GENUINE / _INVALID. */
char         *kiosk_receipt_verify_payload (const char                 *payload,
                                            const KioskReceiptOptions  *options,
                                            GError                    **error);

/* ---- QR code ---- */

#define KIOSK_QR_QUIET_ZONE 4

/* A QR code as a square matrix of modules, the 4-module quiet zone
 * included: modules[y * size + x] is 1 for dark, 0 for light. */
typedef struct {
  guint   size;       /* modules per side, quiet zone included */
  guint   version;    /* QR version 1…40 */
  guint8 *modules;
} KioskQrCode;

/* Encodes @payload (UTF-8) with libqrencode: error correction M, 8-bit
 * mode, the smallest version that fits. */
KioskQrCode  *kiosk_qr_code_new   (const char *payload, GError **error);
void          kiosk_qr_code_free  (KioskQrCode *qr);
static inline gboolean
kiosk_qr_code_get (const KioskQrCode *qr, guint x, guint y)
{
  return qr->modules[y * qr->size + x] != 0;
}

/* The largest integer module scale (≥ 1) at which the code fits in
 * @max_pixels per side. */
guint         kiosk_qr_code_fit_scale (const KioskQrCode *qr, guint max_pixels);

typedef enum {
  KIOSK_PIXEL_GREY8,   /* one byte per pixel: 0 dark, 255 light */
  KIOSK_PIXEL_RGBA8,   /* R, G, B, A bytes (GDK_MEMORY_R8G8B8A8), opaque */
} KioskPixelFormat;

/* The code as pixels, each module @scale × @scale pixels (integer scaling:
 * crisp at any size). Sets @side (pixels per side) and @stride (bytes per
 * row). For the kiosk's texture: gdk_memory_texture_new (side, side,
 * GDK_MEMORY_R8G8B8A8, bytes, stride). */
GBytes       *kiosk_qr_code_render_pixels (const KioskQrCode *qr,
                                           guint              scale,
                                           KioskPixelFormat   format,
                                           guint             *side,
                                           gsize             *stride);

/* ---- renderers ---- */

/* ESC/POS choices (the [printer] group: native_qr, codepage). */
typedef enum {
  KIOSK_ESCPOS_CODEPAGE_CP858,  /* ESC t 19, text converted to CP858 */
  KIOSK_ESCPOS_CODEPAGE_ASCII,  /* no ESC t; ä → ae, ß → ss, others '?' */
} KioskEscposCodepage;

typedef struct {
  KioskEscposCodepage codepage;
  gboolean            native_qr;  /* GS ( k instead of a GS v 0 raster */
  gboolean            cut;        /* feed and partial cut at the end */
} KioskEscposOptions;

/* Printable dots per line of an ESC/POS printer at 203 dpi: 384 (58 mm),
 * 576 (80 mm); 0 for A4. */
guint         kiosk_paper_escpos_dots (KioskPaper paper);
/* "58", "80", "a4" ↔ KioskPaper; FALSE for anything else. */
gboolean      kiosk_paper_from_string (const char *text, KioskPaper *paper);
const char   *kiosk_paper_to_string   (KioskPaper paper);

/* A one-page PDF: roll paper is as long as the content; A4 is A4. */
GBytes       *kiosk_receipt_render_pdf    (const KioskReceipt *receipt,
                                           KioskPaper          paper,
                                           GError            **error);
/* A PNG at @dpi (0: 203 dpi for rolls, 150 for A4), white background. */
GBytes       *kiosk_receipt_render_png    (const KioskReceipt *receipt,
                                           KioskPaper          paper,
                                           guint               dpi,
                                           GError            **error);
/* ESC/POS: ESC @, text, the QR (GS v 0 raster, centred, integer module
 * scale; or GS ( k model 2, level M when @options->native_qr), ESC d feed
 * and GS V partial cut. @paper: 58 or 80 mm. @options NULL: CP858, raster,
 * cut. */
GBytes       *kiosk_receipt_render_escpos (const KioskReceipt       *receipt,
                                           KioskPaper                paper,
                                           const KioskEscposOptions *options,
                                           GError                  **error);
/* Any of the above by @format (@options only for ESC/POS). */
GBytes       *kiosk_receipt_render        (const KioskReceipt       *receipt,
                                           KioskReceiptFormat        format,
                                           KioskPaper                paper,
                                           const KioskEscposOptions *options,
                                           GError                  **error);

/* ---- the application as a document ---- */

typedef struct _KioskForm KioskForm;

/* A PDF (A4, as many pages as needed) of a whole application for the
 * authority's staff, always German: the form's title, the reference and
 * time, then each relevant page's heading and every answered, relevant
 * field's label and value (display.h for the authority: code list labels,
 * 14.03.1987, 25.000,00 €, Ja/Nein), repeatable groups numbered. It is
 * built from @answers as held in memory (relevance and values at @today,
 * ISO or NULL for the real date), with the values kiosk_answers_to_data()
 * sends; no copy of the data JSON is parsed. The result is plaintext
 * personal data: it is built in memory only, in a buffer that is
 * overwritten when it grows and when the GBytes is freed, every value
 * string is overwritten after drawing (cairo's own working memory is not);
 * encrypt it and drop it, never write it to disk. */
GBytes       *kiosk_summary_render_pdf    (KioskAnswers    *answers,
                                           const char      *today,
                                           const char      *reference,
                                           GDateTime       *created,
                                           GError         **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (KioskReceipt, kiosk_receipt_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (KioskReceiptOptions, kiosk_receipt_options_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (KioskQrCode, kiosk_qr_code_free)

G_END_DECLS
