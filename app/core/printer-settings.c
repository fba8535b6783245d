/* SPDX-License-Identifier: GPL-3.0-or-later */
/* [printer]: reading the settings into a printer, and checking them for
 * `check-config` with every problem at once (docs/receipts.md). */
#define G_LOG_DOMAIN "antragskiosk-printer"

#include "config.h"

#include <string.h>
#include <sys/stat.h>
#include <glib.h>
#include <gio/gio.h>
#include <cups/cups.h>

#include <antragskiosk/file.h>
#include <antragskiosk/printer.h>

#include "config-groups.h"
#include "printer-private.h"

/* ------------------------------------------------------------ config */

static gboolean
config_error (GError **error, const char *format, ...) G_GNUC_PRINTF (2, 3);

static gboolean
config_error (GError **error, const char *format, ...)
{
  va_list args;
  g_autofree char *message = NULL;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  g_set_error_literal (error, KIOSK_PRINTER_ERROR, KIOSK_PRINTER_ERROR_CONFIG, message);
  return FALSE;
}

static char *
get_string (GKeyFile *keyfile, const char *key)
{
  char *value = g_key_file_get_string (keyfile, "printer", key, NULL);

  if (value != NULL)
    g_strstrip (value);
  if (value != NULL && *value == '\0')
    g_clear_pointer (&value, g_free);
  return value;
}

static gboolean
get_boolean (GKeyFile *keyfile, const char *key, gboolean fallback, gboolean *value, GError **error)
{
  g_autoptr(GError) local_error = NULL;

  *value = fallback;
  if (!g_key_file_has_key (keyfile, "printer", key, NULL))
    return TRUE;
  *value = g_key_file_get_boolean (keyfile, "printer", key, &local_error);
  if (local_error != NULL)
    return config_error (error, "[printer] %s must be true or false", key);
  return TRUE;
}

static gboolean
parse_server (KioskPrinter *printer, const char *server, GError **error)
{
  const char *colon = strrchr (server, ':');
  const char *bracket = strrchr (server, ']');

  if (server[0] == '/')
    {
      printer->server_host = g_strdup (server);
      printer->server_port = 0;
      return TRUE;
    }
  if (colon != NULL && (bracket == NULL || bracket < colon))
    {
      guint64 port = 0;

      if (!g_ascii_string_to_unsigned (colon + 1, 10, 1, 65535, &port, NULL))
        return config_error (error, "[printer] server must be HOST, HOST:PORT or a socket path");
      printer->server_host = g_strndup (server, (gsize) (colon - server));
      printer->server_port = (int) port;
    }
  else
    {
      printer->server_host = g_strdup (server);
      printer->server_port = ippPort ();
    }
  if (printer->server_host[0] == '\0')
    return config_error (error, "[printer] server must be HOST, HOST:PORT or a socket path");
  return TRUE;
}

static KioskPrinter *
printer_new (GKeyFile    *keyfile,
             const char  *resolved_path,
             GError     **error);

KioskPrinter *
kiosk_printer_new (GKeyFile  *keyfile,
                   GError   **error)
{
  return printer_new (keyfile, NULL, error);
}

KioskPrinter *
kiosk_printer_new_from_config (const KioskConfig  *config,
                               GError            **error)
{
  g_autofree char *path = NULL;

  g_return_val_if_fail (config != NULL, NULL);
  path = kiosk_config_get_path (config, "printer", "path");
  return printer_new (config->keyfile, path, error);
}

static KioskPrinter *
printer_new (GKeyFile    *keyfile,
             const char  *resolved_path,
             GError     **error)
{
  g_autoptr(KioskPrinter) printer = g_new0 (KioskPrinter, 1);
  g_autofree char *kind = NULL;
  g_autofree char *paper = NULL;
  g_autofree char *server = NULL;
  g_autofree char *codepage = NULL;
  g_autofree char *format = NULL;

  printer->kind = KIOSK_PRINTER_KIND_NONE;
  printer->paper = KIOSK_PAPER_80MM;
  printer->timeout = KIOSK_PRINTER_DEFAULT_TIMEOUT;
  printer->escpos = (KioskEscposOptions) { KIOSK_ESCPOS_CODEPAGE_CP858, FALSE, TRUE };
  printer->query_status = TRUE;
  if (keyfile == NULL || !g_key_file_has_group (keyfile, "printer"))
    return g_steal_pointer (&printer);

  kind = get_string (keyfile, "kind");
  if (kind == NULL || g_str_equal (kind, "none"))
    printer->kind = KIOSK_PRINTER_KIND_NONE;
  else if (g_str_equal (kind, "file"))
    printer->kind = KIOSK_PRINTER_KIND_FILE;
  else if (g_str_equal (kind, "cups"))
    printer->kind = KIOSK_PRINTER_KIND_CUPS;
  else if (g_str_equal (kind, "escpos"))
    printer->kind = KIOSK_PRINTER_KIND_ESCPOS;
  else
    {
      config_error (error, "[printer] kind must be none, file, cups or escpos");
      return NULL;
    }

  paper = get_string (keyfile, "paper");
  if (paper != NULL && !kiosk_paper_from_string (paper, &printer->paper))
    {
      config_error (error, "[printer] paper must be 58, 80 or a4");
      return NULL;
    }
  if (g_key_file_has_key (keyfile, "printer", "timeout", NULL))
    {
      g_autoptr(GError) local_error = NULL;
      int timeout = g_key_file_get_integer (keyfile, "printer", "timeout", &local_error);

      if (local_error != NULL || timeout < 1 || timeout > 300)
        {
          config_error (error, "[printer] timeout must be a number of seconds from 1 to 300");
          return NULL;
        }
      printer->timeout = (guint) timeout;
    }

  switch (printer->kind)
    {
    case KIOSK_PRINTER_KIND_FILE:
      printer->path = resolved_path != NULL ? g_strdup (resolved_path) : get_string (keyfile, "path");
      if (printer->path == NULL)
        {
          config_error (error, "[printer] kind = file needs path = FILE");
          return NULL;
        }
      format = get_string (keyfile, "format");
      if (format == NULL)
        {
          if (g_str_has_suffix (printer->path, ".png"))
            printer->file_format = KIOSK_RECEIPT_FORMAT_PNG;
          else if (g_str_has_suffix (printer->path, ".bin") || g_str_has_suffix (printer->path, ".escpos"))
            printer->file_format = KIOSK_RECEIPT_FORMAT_ESCPOS;
          else
            printer->file_format = KIOSK_RECEIPT_FORMAT_PDF;
        }
      else if (g_str_equal (format, "pdf"))
        printer->file_format = KIOSK_RECEIPT_FORMAT_PDF;
      else if (g_str_equal (format, "png"))
        printer->file_format = KIOSK_RECEIPT_FORMAT_PNG;
      else if (g_str_equal (format, "escpos"))
        printer->file_format = KIOSK_RECEIPT_FORMAT_ESCPOS;
      else
        {
          config_error (error, "[printer] format must be pdf, png or escpos");
          return NULL;
        }
      break;

    case KIOSK_PRINTER_KIND_CUPS:
      printer->queue = get_string (keyfile, "queue");
      server = get_string (keyfile, "server");
      if (server != NULL && !parse_server (printer, server, error))
        return NULL;
      break;

    case KIOSK_PRINTER_KIND_ESCPOS:
      printer->device = get_string (keyfile, "device");
      if (printer->device == NULL)
        {
          config_error (error, "[printer] kind = escpos needs device = /dev/usb/lp0 or tcp://HOST:9100");
          return NULL;
        }
      if (g_str_has_prefix (printer->device, "tcp://"))
        {
          g_autoptr(GSocketConnectable) address = g_network_address_parse_uri (printer->device, 9100, NULL);
          if (address == NULL)
            {
              config_error (error, "[printer] device must be a path or tcp://HOST:PORT");
              return NULL;
            }
          printer->device_is_tcp = TRUE;
        }
      else if (printer->device[0] != '/')
        {
          config_error (error, "[printer] device must be an absolute path or tcp://HOST:PORT");
          return NULL;
        }
      if (printer->paper == KIOSK_PAPER_A4)
        {
          config_error (error, "[printer] an ESC/POS printer takes paper = 58 or 80");
          return NULL;
        }
      codepage = get_string (keyfile, "codepage");
      if (codepage == NULL || g_str_equal (codepage, "cp858"))
        printer->escpos.codepage = KIOSK_ESCPOS_CODEPAGE_CP858;
      else if (g_str_equal (codepage, "ascii"))
        printer->escpos.codepage = KIOSK_ESCPOS_CODEPAGE_ASCII;
      else
        {
          config_error (error, "[printer] codepage must be cp858 or ascii");
          return NULL;
        }
      if (!get_boolean (keyfile, "native_qr", FALSE, &printer->escpos.native_qr, error)
          || !get_boolean (keyfile, "query_status", TRUE, &printer->query_status, error))
        return NULL;
      break;

    case KIOSK_PRINTER_KIND_NONE:
    default:
      break;
    }
  return g_steal_pointer (&printer);
}

/* ------------------------------------------------------------ check-config */

static const char *const printer_keys[] = {
  "kind", "paper", "timeout", "path", "format", "queue", "server", "device",
  "native_qr", "codepage", "query_status", NULL
};
static const char *const printer_kinds[] = { "none", "file", "cups", "escpos", NULL };

/* path: as kiosk_printer_write_output() takes it: a file, a device or
 * FIFO, a link only to a device or FIFO, in an existing directory. */
static void
check_file_path (KioskConfigCheck *check,
                 const char       *group,
                 const char       *path)
{
  g_autofree char *dir = g_path_get_dirname (path);
  struct stat link_st, st;

  if (!g_file_test (dir, G_FILE_TEST_IS_DIR))
    kiosk_config_check_add (check, FALSE, group, "path", "the directory %s does not exist", dir);
  else if (g_file_test (path, G_FILE_TEST_IS_DIR))
    kiosk_config_check_add (check, FALSE, group, "path", "%s is a directory; give a file name", path);
  else if (lstat (path, &link_st) != 0)
    return;
  else if (S_ISLNK (link_st.st_mode)
           && !(stat (path, &st) == 0 && (S_ISCHR (st.st_mode) || S_ISFIFO (st.st_mode))))
    kiosk_config_check_add (check, FALSE, group, "path",
                            "%s is a symbolic link to something other than a device or FIFO; the printer "
                            "neither replaces it nor writes through it: give the path of the file itself", path);
  else if (!S_ISLNK (link_st.st_mode) && !S_ISREG (link_st.st_mode)
           && !S_ISCHR (link_st.st_mode) && !S_ISFIFO (link_st.st_mode))
    kiosk_config_check_add (check, FALSE, group, "path", "%s is %s; give the path of a file, a printer device or a FIFO",
                            path, kiosk_file_describe_type (link_st.st_mode));
}

static void
check_kind_file (KioskConfigCheck *check,
                 const char       *group)
{
  g_autofree char *path = kiosk_config_check_path (check, group, "path");

  /* reported when wrong; nothing else depends on it */
  g_free (kiosk_config_check_choice (check, group, "format", (const char *const[]) { "pdf", "png", "escpos", NULL }));
  if (path == NULL && !g_key_file_has_key (kiosk_config_check_get_keyfile (check), group, "path", NULL))
    kiosk_config_check_add (check, FALSE, group, "path",
                            "is missing: kind=file needs path=FILE, where the receipt is written");
  else if (path != NULL)
    check_file_path (check, group, path);
}

static void
check_kind_cups (KioskConfigCheck *check,
                 const char       *group)
{
  g_autofree char *server = kiosk_config_check_string (check, group, "server");
  const char *colon, *bracket;
  guint64 port = 0;

  if (server == NULL)
    return;
  if (server[0] == '/')
    {
      if (!g_file_test (server, G_FILE_TEST_EXISTS))
        kiosk_config_check_add (check, TRUE, group, "server", "the socket %s does not exist (is cupsd running?)", server);
      return;
    }
  colon = strrchr (server, ':');
  bracket = strrchr (server, ']');
  if (server[0] == ':' || (colon != NULL && (bracket == NULL || bracket < colon)
                           && !g_ascii_string_to_unsigned (colon + 1, 10, 1, 65535, &port, NULL)))
    kiosk_config_check_add (check, FALSE, group, "server",
                            "\"%s\" must be HOST, HOST:PORT (port 1 to 65535) or a socket path", server);
}

static void
check_kind_escpos (KioskConfigCheck *check,
                   const char       *group,
                   KioskPaper        paper)
{
  GKeyFile *keyfile = kiosk_config_check_get_keyfile (check);
  g_autofree char *device = kiosk_config_check_string (check, group, "device");
  gboolean flag;

  g_free (kiosk_config_check_choice (check, group, "codepage", (const char *const[]) { "cp858", "ascii", NULL }));
  kiosk_config_check_boolean (check, group, "native_qr", &flag);
  kiosk_config_check_boolean (check, group, "query_status", &flag);
  if (device == NULL && !g_key_file_has_key (keyfile, group, "device", NULL))
    kiosk_config_check_add (check, FALSE, group, "device",
                            "is missing: kind=escpos needs device=/dev/usb/lp0 or device=tcp://HOST:9100");
  else if (device != NULL && g_str_has_prefix (device, "tcp://"))
    {
      g_autoptr(GSocketConnectable) address = g_network_address_parse_uri (device, 9100, NULL);

      if (address == NULL)
        kiosk_config_check_add (check, FALSE, group, "device", "\"%s\" is not tcp://HOST or tcp://HOST:PORT", device);
    }
  else if (device != NULL && device[0] != '/')
    kiosk_config_check_add (check, FALSE, group, "device",
                            "\"%s\" must be an absolute path (/dev/usb/lp0) or tcp://HOST:PORT", device);
  else if (device != NULL && !g_file_test (device, G_FILE_TEST_EXISTS))
    kiosk_config_check_add (check, TRUE, group, "device",
                            "%s does not exist (is the printer connected and switched on?)", device);
  if (paper == KIOSK_PAPER_A4)
    kiosk_config_check_add (check, FALSE, group, "paper", "an ESC/POS printer takes paper=58 or paper=80");
}

void
kiosk_printer_check_config (KioskConfigCheck *check,
                            const char       *group)
{
  static const struct { const char *key; const char *kind; } only_for[] = {
    { "path", "file" }, { "format", "file" }, { "queue", "cups" }, { "server", "cups" },
    { "device", "escpos" }, { "native_qr", "escpos" }, { "codepage", "escpos" }, { "query_status", "escpos" },
  };
  GKeyFile *keyfile = kiosk_config_check_get_keyfile (check);
  g_autofree char *kind = NULL;
  g_autofree char *paper = NULL;
  KioskPaper paper_value = KIOSK_PAPER_80MM;
  gboolean paper_set = FALSE;
  guint timeout = 0;

  kiosk_config_check_unknown_keys (check, group, printer_keys, NULL);
  kind = kiosk_config_check_choice (check, group, "kind", printer_kinds);
  if (kind == NULL && g_key_file_has_key (keyfile, group, "kind", NULL))
    return;   /* the other keys depend on the kind */
  if (kind == NULL)
    kind = g_strdup ("none");

  paper = kiosk_config_check_string (check, group, "paper");
  if (paper != NULL && !kiosk_paper_from_string (paper, &paper_value))
    kiosk_config_check_add (check, FALSE, group, "paper", "\"%s\" must be 58, 80 or a4", paper);
  else
    paper_set = paper != NULL;
  kiosk_config_check_number (check, group, "timeout", 1, 300, " of seconds", &timeout);

  for (gsize i = 0; i < G_N_ELEMENTS (only_for); i++)
    if (g_key_file_has_key (keyfile, group, only_for[i].key, NULL) && strcmp (kind, only_for[i].kind) != 0)
      kiosk_config_check_add (check, TRUE, group, only_for[i].key,
                              "has no effect with kind=%s (it is for kind=%s)", kind, only_for[i].kind);

  if (strcmp (kind, "file") == 0)
    check_kind_file (check, group);
  else if (strcmp (kind, "cups") == 0)
    check_kind_cups (check, group);
  else if (strcmp (kind, "escpos") == 0)
    check_kind_escpos (check, group, paper_set ? paper_value : KIOSK_PAPER_80MM);
}
