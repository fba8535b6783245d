/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "antragskiosk-receipt"

/* The summary PDF of a whole application (receipt.h,
 * kiosk_summary_render_pdf): plaintext personal data, built in memory. */

#include "config.h"

#include <string.h>
#include <glib.h>
#include <cairo.h>
#include <cairo-pdf.h>

#include <antragskiosk/display.h>
#include <antragskiosk/form.h>
#include <antragskiosk/receipt.h>

#include "json-doc-private.h"
#include "receipt-private.h"

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

/* The summary goes to the authority, whose official language is German
 * (§ 23 VwVfG): it is German whatever language the visitor used. Form
 * texts are taken in "de", values formatted for the authority
 * (display.h), so that rendering never switches the process-wide gettext
 * language, which the sync thread may be using at the same moment. */
#define SUMMARY_LANG "de"

/* The value of the canonical data, as the authority reads it. */
static char *
format_value (const KioskElement *element, const KioskJson *node)
{
  char number[G_ASCII_DTOSTR_BUF_SIZE];
  g_autofree char *integer = NULL;
  const char *canonical = NULL;

  if (node == NULL)
    canonical = NULL;
  else if (node->type == KIOSK_JSON_BOOLEAN)
    canonical = node->v.boolean ? "true" : "false";
  else if (node->type == KIOSK_JSON_INTEGER)
    canonical = integer = g_strdup_printf ("%" G_GINT64_FORMAT, node->v.integer);
  else if (node->type == KIOSK_JSON_DOUBLE)
    canonical = g_ascii_dtostr (number, sizeof number, node->v.number);
  else if (node->type == KIOSK_JSON_STRING)
    canonical = node->v.string;
  return kiosk_display_value (element, canonical, KIOSK_DISPLAY_FOR_AUTHORITY);
}

/* Whether @object holds an answer to anything inside @element. */
static gboolean
has_answers (const KioskElement *element, const KioskJson *object)
{
  if (kiosk_kind_is_input (element->kind) || kiosk_element_is_repeatable (element))
    return kiosk_json_get (object, element->id) != NULL;
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
summary_items (KioskPen *pen, const KioskElement *container, const KioskJson *object, const SummarySizes *sizes)
{
  for (guint i = 0; i < container->children->len; i++)
    {
      const KioskElement *element = container->children->pdata[i];

      if (!has_answers (element, object))
        continue;
      if (kiosk_element_is_repeatable (element))
        {
          const KioskJson *instances = kiosk_json_get (object, element->id);

          for (guint n = 0; kiosk_json_is_array (instances) && n < instances->length; n++)
            {
              g_autofree char *heading = g_strdup_printf ("%s (%u)", kiosk_text_get (element->label, SUMMARY_LANG), n + 1);
              const KioskJson *instance = &instances->v.elements[n];

              pen->y += sizes->value * 0.5;
              _kiosk_pen_text (pen, heading, TRUE, FALSE, sizes->value);
              if (kiosk_json_is_object (instance))
                summary_items (pen, element, instance, sizes);
            }
        }
      else if (kiosk_kind_is_container (element->kind))
        {
          pen->y += sizes->value * 0.5;
          _kiosk_pen_text (pen, kiosk_text_get (element->label, SUMMARY_LANG), TRUE, FALSE, sizes->value);
          summary_items (pen, element, object, sizes);
        }
      else
        {
          char *value = format_value (element, kiosk_json_get (object, element->id));
          char **lines = g_strsplit (value, "\n", -1);

          pen->y += sizes->label * 0.4;
          _kiosk_pen_text (pen, kiosk_text_get (element->label, SUMMARY_LANG), FALSE, FALSE, sizes->label);
          for (guint l = 0; lines[l] != NULL; l++)
            {
              _kiosk_pen_text (pen, lines[l], TRUE, FALSE, sizes->value);
              kiosk_display_free (lines[l]);
            }
          g_free (lines);
          kiosk_display_free (value);
        }
    }
}

/* The "data" object of the canonical data JSON, in @doc; NULL when the
 * text is not that. */
static const KioskJson *
summary_data (const KioskJsonDoc *doc)
{
  const KioskJson *root = kiosk_json_doc_get_root (doc);
  const KioskJson *data = kiosk_json_doc_get_problems (doc)->len == 0 ? kiosk_json_get (root, "data") : NULL;

  return kiosk_json_is_object (data) ? data : NULL;
}

/* The title, the reference and time, then every page with answers. */
static void
summary_document (cairo_t         *cr,
                  const KioskForm *form,
                  const KioskJson *data,
                  const char      *reference,
                  GDateTime       *created)
{
  KioskPaperLayout layout = _kiosk_paper_layout (KIOSK_PAPER_A4);
  SummarySizes sizes = { 13, 8.5, 10.5 };
  g_autoptr(cairo_font_options_t) font_options = cairo_font_options_create ();
  g_autofree char *when = NULL;
  g_autofree char *subtitle = NULL;
  KioskPen pen;

  cairo_font_options_set_hint_metrics (font_options, CAIRO_HINT_METRICS_OFF);
  cairo_font_options_set_hint_style (font_options, CAIRO_HINT_STYLE_NONE);
  cairo_set_font_options (cr, font_options);
  cairo_set_source_rgb (cr, 0, 0, 0);

  pen = (KioskPen) { cr, TRUE, layout.margin, layout.margin, layout.width - 2 * layout.margin,
                     600.0 / 72.0, TRUE, layout.height - layout.margin, layout.margin };
  _kiosk_pen_text (&pen, kiosk_text_get (form->title, SUMMARY_LANG), TRUE, FALSE, layout.title_size);
  when = created != NULL ? g_date_time_format (created, "%d.%m.%Y %H:%M") : NULL;
  subtitle = g_strdup_printf ("Vorgangsnummer %s · %s", reference != NULL ? reference : "–", when != NULL ? when : "");
  _kiosk_pen_text (&pen, subtitle, FALSE, FALSE, sizes.label + 1);
  _kiosk_pen_rule (&pen, sizes.value * 0.5);

  for (guint i = 0; i < form->pages->len; i++)
    {
      const KioskElement *page = form->pages->pdata[i];

      if (!has_answers (page, data))
        continue;
      pen.y += sizes.heading * 0.6;
      _kiosk_pen_text (&pen, kiosk_text_get (page->label, SUMMARY_LANG), TRUE, FALSE, sizes.heading);
      summary_items (&pen, page, data, &sizes);
    }
  cairo_show_page (cr);
}

GBytes *
kiosk_summary_render_pdf (const KioskForm *form,
                          const char      *data_json,
                          gssize           length,
                          const char      *reference,
                          GDateTime       *created,
                          GError         **error)
{
  KioskPaperLayout layout = _kiosk_paper_layout (KIOSK_PAPER_A4);
  KioskJsonDoc *doc;
  g_autoptr(cairo_surface_t) surface = NULL;
  g_autoptr(cairo_t) cr = NULL;
  WipingBuffer *buffer;
  const KioskJson *data;
  cairo_status_t status;

  g_return_val_if_fail (form != NULL, NULL);
  g_return_val_if_fail (data_json != NULL, NULL);

  /* our parser, not json-glib's: its arena is wiped when it is freed */
  doc = kiosk_json_doc_parse (data_json, length < 0 ? strlen (data_json) : (gsize) length);
  data = summary_data (doc);
  if (data == NULL)
    {
      kiosk_json_doc_free (doc);
      /* never the input itself in a message */
      g_set_error (error, KIOSK_RECEIPT_ERROR, KIOSK_RECEIPT_ERROR_INVALID,
                   "The summary needs the canonical data JSON of the application");
      return NULL;
    }

  buffer = g_new0 (WipingBuffer, 1);
  surface = cairo_pdf_surface_create_for_stream (append_wiping, buffer, layout.width, layout.height);
  cairo_pdf_surface_restrict_to_version (surface, CAIRO_PDF_VERSION_1_5);
  cairo_pdf_surface_set_metadata (surface, CAIRO_PDF_METADATA_TITLE, kiosk_text_get (form->title, SUMMARY_LANG));
  cairo_pdf_surface_set_metadata (surface, CAIRO_PDF_METADATA_CREATOR, "Antragskiosk " PACKAGE_VERSION);
  cr = cairo_create (surface);
  summary_document (cr, form, data, reference, created);
  kiosk_json_doc_free (doc);
  status = cairo_status (cr);
  g_clear_pointer (&cr, cairo_destroy);
  cairo_surface_finish (surface);
  if (status == CAIRO_STATUS_SUCCESS)
    status = cairo_surface_status (surface);
  g_clear_pointer (&surface, cairo_surface_destroy);
  if (!_kiosk_receipt_check_cairo (status, error))
    {
      wiping_buffer_free (buffer);
      return NULL;
    }
  return g_bytes_new_with_free_func (buffer->data, buffer->length, wiping_buffer_free, buffer);
}
