/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "antragskiosk-receipt"

/* The summary PDF of a whole application (receipt.h,
 * kiosk_summary_render_pdf): plaintext personal data, built in memory from
 * the answers held in memory, never from a copy of the data JSON. */

#include "config.h"

#include <string.h>
#include <glib.h>
#include <cairo.h>
#include <cairo-pdf.h>

#include <antragskiosk/answers.h>
#include <antragskiosk/display.h>
#include <antragskiosk/form.h>
#include <antragskiosk/receipt.h>

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

typedef struct {
  double heading, label, value;
} SummarySizes;

/* What the summary shows, in order: built from the answers held in
 * memory (no plaintext JSON is parsed again), then drawn. */
typedef enum {
  ROW_PAGE,      /* a page's title */
  ROW_HEADING,   /* a group's label, or "Label (n)" of a repeat instance */
  ROW_FIELD,     /* a field's label and value */
} RowKind;

typedef struct {
  RowKind  kind;
  char    *label;
  char    *value;    /* personal data: overwritten when freed */
} Row;

typedef struct {
  KioskAnswers *answers;
  const char   *today;
  guint         instance[1];   /* repeatable groups do not nest (form-elements.c) */
  guint         n_instance;
  GArray       *rows;          /* Row */
  guint         fields;        /* ROW_FIELD rows so far */
} Walk;

static void
row_clear (gpointer data)
{
  Row *row = data;

  g_free (row->label);
  kiosk_display_free (row->value);
}

static void
add_row (Walk *walk, RowKind kind, char *label, char *value)
{
  Row row = { kind, label, value };

  g_array_append_val (walk->rows, row);
  if (kind == ROW_FIELD)
    walk->fields++;
}

/* Drops the rows from @from on when no field was added since (a heading
 * without answers under it). */
static void
drop_empty (Walk *walk, guint from, guint fields_before)
{
  if (walk->fields == fields_before)
    g_array_set_size (walk->rows, from);
}

static void walk_container (Walk *walk, const KioskElement *container);

static gboolean
relevant (Walk *walk, const KioskElement *element)
{
  return kiosk_answers_is_relevant (walk->answers, element, walk->instance, walk->n_instance, walk->today);
}

static void
walk_repeats (Walk *walk, const KioskElement *group)
{
  guint n = kiosk_answers_count_instances (walk->answers, group);

  for (guint j = 0; j < n; j++)
    {
      guint from = walk->rows->len, fields = walk->fields;

      add_row (walk, ROW_HEADING, g_strdup_printf ("%s (%u)", kiosk_text_get (group->label, SUMMARY_LANG), j + 1),
               NULL);
      walk->instance[0] = j;
      walk->n_instance = 1;
      walk_container (walk, group);
      walk->n_instance = 0;
      drop_empty (walk, from, fields);
    }
}

static void
walk_container (Walk *walk, const KioskElement *container)
{
  for (guint i = 0; i < container->children->len; i++)
    {
      const KioskElement *element = container->children->pdata[i];
      guint from = walk->rows->len, fields = walk->fields;

      if (kiosk_element_is_repeatable (element) && walk->n_instance == 0 && relevant (walk, element))
        walk_repeats (walk, element);
      else if (kiosk_kind_is_container (element->kind) && relevant (walk, element))
        {
          add_row (walk, ROW_HEADING, g_strdup (kiosk_text_get (element->label, SUMMARY_LANG)), NULL);
          walk_container (walk, element);
          drop_empty (walk, from, fields);
        }
      else if (kiosk_kind_is_input (element->kind) && relevant (walk, element))
        {
          char *canonical = kiosk_answers_get_canonical (walk->answers, element, walk->instance,
                                                         walk->n_instance, walk->today);

          if (canonical != NULL)
            add_row (walk, ROW_FIELD, g_strdup (kiosk_text_get (element->label, SUMMARY_LANG)),
                     kiosk_display_value (element, canonical, KIOSK_DISPLAY_FOR_AUTHORITY));
          kiosk_display_free (canonical);
        }
    }
}

/* Every relevant page with answers, and what is answered on it. */
static GArray *
summary_rows (KioskAnswers *answers, const char *today)
{
  const KioskForm *form = kiosk_answers_get_form (answers);
  Walk walk = { answers, today, { 0 }, 0, g_array_new (FALSE, FALSE, sizeof (Row)), 0 };

  g_array_set_clear_func (walk.rows, row_clear);
  for (guint i = 0; i < form->pages->len; i++)
    {
      const KioskElement *page = form->pages->pdata[i];
      guint from = walk.rows->len, fields = walk.fields;

      if (!relevant (&walk, page))
        continue;
      add_row (&walk, ROW_PAGE, g_strdup (kiosk_text_get (page->label, SUMMARY_LANG)), NULL);
      walk_container (&walk, page);
      drop_empty (&walk, from, fields);
    }
  return walk.rows;
}

static void
draw_row (KioskPen *pen, const Row *row, const SummarySizes *sizes)
{
  char **lines;

  switch (row->kind)
    {
    case ROW_PAGE:
      pen->y += sizes->heading * 0.6;
      _kiosk_pen_text (pen, row->label, TRUE, FALSE, sizes->heading);
      return;
    case ROW_HEADING:
      pen->y += sizes->value * 0.5;
      _kiosk_pen_text (pen, row->label, TRUE, FALSE, sizes->value);
      return;
    case ROW_FIELD:
    default:
      pen->y += sizes->label * 0.4;
      _kiosk_pen_text (pen, row->label, FALSE, FALSE, sizes->label);
      lines = g_strsplit (row->value, "\n", -1);
      for (guint l = 0; lines[l] != NULL; l++)
        {
          _kiosk_pen_text (pen, lines[l], TRUE, FALSE, sizes->value);
          kiosk_display_free (lines[l]);
        }
      g_free (lines);
      return;
    }
}

/* The title, the reference and time, then the rows. */
static void
summary_document (cairo_t         *cr,
                  const KioskForm *form,
                  GArray          *rows,
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
  for (guint i = 0; i < rows->len; i++)
    draw_row (&pen, &g_array_index (rows, Row, i), &sizes);
  cairo_show_page (cr);
}

GBytes *
kiosk_summary_render_pdf (KioskAnswers  *answers,
                          const char    *today,
                          const char    *reference,
                          GDateTime     *created,
                          GError       **error)
{
  KioskPaperLayout layout = _kiosk_paper_layout (KIOSK_PAPER_A4);
  const KioskForm *form;
  g_autoptr(cairo_surface_t) surface = NULL;
  g_autoptr(cairo_t) cr = NULL;
  g_autoptr(GArray) rows = NULL;
  WipingBuffer *buffer;
  cairo_status_t status;
  char day[11];

  g_return_val_if_fail (answers != NULL, NULL);

  form = kiosk_answers_get_form (answers);
  kiosk_date_today (today, day);
  rows = summary_rows (answers, day);
  buffer = g_new0 (WipingBuffer, 1);
  surface = cairo_pdf_surface_create_for_stream (append_wiping, buffer, layout.width, layout.height);
  cairo_pdf_surface_restrict_to_version (surface, CAIRO_PDF_VERSION_1_5);
  cairo_pdf_surface_set_metadata (surface, CAIRO_PDF_METADATA_TITLE, kiosk_text_get (form->title, SUMMARY_LANG));
  cairo_pdf_surface_set_metadata (surface, CAIRO_PDF_METADATA_CREATOR, "Antragskiosk " PACKAGE_VERSION);
  cr = cairo_create (surface);
  summary_document (cr, form, rows, reference, created);
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
