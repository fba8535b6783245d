/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

/* Helpers shared by test-receipt and test-printer: an ESC/POS parser
 * written from the Epson ESC/POS command reference (independent of the
 * renderer in app/core/receipt.c), and the independent decoders: zbarimg
 * (zbar-tools) for QR codes, pdftoppm/pdftotext/pdfinfo (poppler-utils)
 * for PDFs. */

#include <string.h>
#include <glib.h>
#include <glib/gstdio.h>

typedef struct {
  GByteArray *text;          /* printed bytes, as sent (code page) and LF */
  GByteArray *raster;        /* 1 byte per pixel, 1 = dark, row by row */
  guint       raster_width;  /* pixels */
  guint       raster_height;
  guint       raster_blocks; /* GS v 0 commands */
  gboolean    initialised;   /* ESC @ came first */
  int         codepage;      /* ESC t n, -1 if none */
  gboolean    cut;           /* GS V */
  guint       feed_lines;    /* ESC d n */
  char       *native_payload;     /* GS ( k 1 P 0 data */
  int         native_model;       /* GS ( k 1 A n1 */
  int         native_level;       /* GS ( k 1 E n */
  gboolean    native_printed;     /* GS ( k 1 Q 0 */
  guint       dle_eot;       /* DLE EOT requests */
  guint       commands;
} EscposDoc;

static inline void
escpos_doc_init (EscposDoc *doc)
{
  memset (doc, 0, sizeof *doc);
  doc->text = g_byte_array_new ();
  doc->raster = g_byte_array_new ();
  doc->codepage = -1;
  doc->native_model = -1;
  doc->native_level = -1;
}

static inline void
escpos_doc_clear (EscposDoc *doc)
{
  g_byte_array_unref (doc->text);
  g_byte_array_unref (doc->raster);
  g_free (doc->native_payload);
}

/* Parses one command at @data. Returns the bytes it takes, 0 when the
 * command is not complete yet, -1 when it is malformed (@problem set).
 * Sets @dle_eot to n for a DLE EOT n request, else 0. */
static inline gssize
escpos_parse_one (EscposDoc *doc, const guint8 *data, gsize length, int *dle_eot, char **problem)
{
  guint8 c = data[0];

  *dle_eot = 0;
  if (c == 0x0a || (c >= 0x20 && c != 0x7f))
    {
      if (!doc->initialised && doc->commands == 0)
        {
          *problem = g_strdup ("text before ESC @");
          return -1;
        }
      g_byte_array_append (doc->text, &c, 1);
      return 1;
    }
  if (c == 0x10)
    {
      if (length < 3)
        return 0;
      if (data[1] != 0x04 || data[2] < 1 || data[2] > 4)
        {
          *problem = g_strdup_printf ("bad DLE command %02x %02x", data[1], data[2]);
          return -1;
        }
      doc->dle_eot++;
      *dle_eot = data[2];
      return 3;
    }
  if (length < 2)
    return 0;
  if (c == 0x1b)
    {
      switch (data[1])
        {
        case '@':
          if (doc->commands > 0 && !doc->initialised)
            {
              *problem = g_strdup ("ESC @ is not the first command");
              return -1;
            }
          doc->initialised = TRUE;
          doc->commands++;
          return 2;
        case 't': case 'a': case 'E': case 'd':
          if (length < 3)
            return 0;
          if (data[1] == 'a' && data[2] > 2 && !(data[2] >= '0' && data[2] <= '2'))
            {
              *problem = g_strdup ("bad ESC a");
              return -1;
            }
          if (data[1] == 't')
            doc->codepage = data[2];
          if (data[1] == 'd')
            doc->feed_lines += data[2];
          doc->commands++;
          return 3;
        default:
          *problem = g_strdup_printf ("unknown command ESC %02x", data[1]);
          return -1;
        }
    }
  if (c == 0x1d)
    {
      switch (data[1])
        {
        case '!':
          if (length < 3)
            return 0;
          doc->commands++;
          return 3;
        case 'V':
          if (length < 3)
            return 0;
          if (data[2] == 0 || data[2] == 1 || data[2] == 48 || data[2] == 49)
            {
              doc->cut = TRUE;
              doc->commands++;
              return 3;
            }
          if (data[2] == 65 || data[2] == 66)
            {
              if (length < 4)
                return 0;
              doc->cut = TRUE;
              doc->commands++;
              return 4;
            }
          *problem = g_strdup_printf ("bad GS V %d", data[2]);
          return -1;
        case 'v':
          {
            guint width_bytes, rows;
            gsize size;

            if (length < 8)
              return 0;
            if (data[2] != '0' || (data[3] != 0 && data[3] != 48))
              {
                *problem = g_strdup ("only GS v 0 in normal mode is expected");
                return -1;
              }
            width_bytes = data[4] + data[5] * 256u;
            rows = data[6] + data[7] * 256u;
            if (width_bytes == 0 || width_bytes > 128 || rows == 0 || rows > 2303)
              {
                *problem = g_strdup_printf ("GS v 0 of %u bytes × %u rows is out of range", width_bytes, rows);
                return -1;
              }
            size = (gsize) width_bytes * rows;
            if (length < 8 + size)
              return 0;
            if (doc->raster_blocks > 0 && doc->raster_width != width_bytes * 8)
              {
                *problem = g_strdup ("GS v 0 blocks of different widths");
                return -1;
              }
            doc->raster_width = width_bytes * 8;
            for (guint y = 0; y < rows; y++)
              for (guint x = 0; x < width_bytes * 8; x++)
                {
                  guint8 bit = (data[8 + y * width_bytes + x / 8] >> (7 - x % 8)) & 1;
                  g_byte_array_append (doc->raster, &bit, 1);
                }
            doc->raster_height += rows;
            doc->raster_blocks++;
            doc->commands++;
            return (gssize) (8 + size);
          }
        case '(':
          {
            gsize size;
            const guint8 *p;

            if (length < 5)
              return 0;
            if (data[2] != 'k')
              {
                *problem = g_strdup ("only GS ( k is expected");
                return -1;
              }
            size = data[3] + data[4] * 256u;
            if (length < 5 + size)
              return 0;
            p = data + 5;
            if (size < 3 || p[0] != 49)
              {
                *problem = g_strdup ("GS ( k is not a QR code command");
                return -1;
              }
            if (p[1] == 'A' && size == 4)
              doc->native_model = p[2];
            else if (p[1] == 'C' && size == 3)
              ;
            else if (p[1] == 'E' && size == 3)
              doc->native_level = p[2];
            else if (p[1] == 'P' && p[2] == '0')
              {
                g_free (doc->native_payload);
                doc->native_payload = g_strndup ((const char *) p + 3, size - 3);
              }
            else if (p[1] == 'Q' && p[2] == '0' && size == 3)
              doc->native_printed = TRUE;
            else
              {
                *problem = g_strdup_printf ("unexpected GS ( k function %c", p[1]);
                return -1;
              }
            doc->commands++;
            return (gssize) (5 + size);
          }
        default:
          *problem = g_strdup_printf ("unknown command GS %02x", data[1]);
          return -1;
        }
    }
  *problem = g_strdup_printf ("unexpected control byte %02x", c);
  return -1;
}

/* Parses a whole stream; FALSE with @problem when it is malformed or
 * truncated. */
static inline gboolean
escpos_parse (EscposDoc *doc, const guint8 *data, gsize length, char **problem)
{
  gsize offset = 0;

  while (offset < length)
    {
      int dle_eot;
      gssize used = escpos_parse_one (doc, data + offset, length - offset, &dle_eot, problem);

      if (used < 0)
        return FALSE;
      if (used == 0)
        {
          *problem = g_strdup_printf ("truncated command at byte %zu", offset);
          return FALSE;
        }
      offset += (gsize) used;
    }
  return TRUE;
}

/* Writes the raster as a binary PGM with a white margin. */
static inline void
escpos_write_pgm (const EscposDoc *doc, const char *path)
{
  const guint margin = 16;
  guint w = doc->raster_width + 2 * margin, h = doc->raster_height + 2 * margin;
  g_autofree char *header = g_strdup_printf ("P5\n%u %u\n255\n", w, h);
  gsize header_length = strlen (header);
  g_autofree guint8 *image = g_malloc (header_length + (gsize) w * h);
  g_autoptr(GError) error = NULL;

  memcpy (image, header, header_length);
  memset (image + header_length, 255, (gsize) w * h);
  for (guint y = 0; y < doc->raster_height; y++)
    for (guint x = 0; x < doc->raster_width; x++)
      if (doc->raster->data[y * doc->raster_width + x])
        image[header_length + (y + margin) * w + x + margin] = 0;
  g_file_set_contents (path, (const char *) image, (gssize) (header_length + (gsize) w * h), &error);
  g_assert_no_error (error);
}

/* Runs @argv; returns its stdout, NULL when it fails (reported). */
static inline char *
run_tool (const char *const *argv, int *status_out)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  int status = 0;

  if (!g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL,
                     &out, &err, &status, &error))
    {
      g_test_message ("%s: %s", argv[0], error->message);
      g_test_fail ();
      return NULL;
    }
  if (status_out != NULL)
    *status_out = status;
  if (!g_spawn_check_wait_status (status, NULL))
    {
      g_test_message ("%s failed: %s", argv[0], err);
      return NULL;
    }
  return g_steal_pointer (&out);
}

/* The QR payloads zbarimg finds in an image, one per line (no trailing
 * newline), or NULL. */
static inline char *
zbar_decode (const char *image)
{
  const char *argv[] = { "zbarimg", "--raw", "-q", "-Sdisable", "-Sqrcode.enable", image, NULL };
  char *out = run_tool (argv, NULL);

  if (out != NULL)
    g_strchomp (out);
  return out;
}

/* Renders page 1 of @pdf at 300 dpi with pdftoppm; returns the PNG path. */
static inline char *
pdf_to_png (const char *pdf)
{
  g_autofree char *prefix = g_strconcat (pdf, "-page", NULL);
  const char *argv[] = { "pdftoppm", "-png", "-r", "300", "-singlefile", pdf, prefix, NULL };
  g_autofree char *out = run_tool (argv, NULL);

  if (out == NULL)
    return NULL;
  return g_strconcat (prefix, ".png", NULL);
}

static inline char *
make_temp_dir (void)
{
  g_autoptr(GError) error = NULL;
  char *dir = g_dir_make_tmp ("antragskiosk-receipt-XXXXXX", &error);

  g_assert_no_error (error);
  g_chmod (dir, 0755);
  return dir;
}

static inline void
remove_tree (const char *path)
{
  const char *argv[] = { "rm", "-rf", path, NULL };

  g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL,
                NULL, NULL, NULL, NULL, NULL, NULL);
}
