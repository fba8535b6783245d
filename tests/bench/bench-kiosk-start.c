/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The kiosk's start-up and page-opening costs (issue 6, Performance).
 *
 *   bench-kiosk-start            run everything (needs a display:
 *                                xvfb-run -a -s "-screen 0 1280x800x24")
 *   bench-kiosk-start --minimal  child: a minimal GTK 4 window
 *   bench-kiosk-start --kiosk    child: the kiosk window as the program
 *                                builds it (config, catalog, queue,
 *                                submitter checks, welcome screen)
 *
 * A child prints, once its window is mapped, has drawn its first frame
 * and the main loop is idle (interactive), the CLOCK_MONOTONIC time and
 * its peak RSS (VmHWM) and PSS (smaps_rollup); the parent took the time
 * just before fork+exec, so the figure covers process start, dynamic
 * linking, GTK init and the first frame. Minimal and kiosk runs are
 * interleaved in one session, so both see the same renderer and load.
 * Then, in-process: opening the largest page of the bundled forms and a
 * generated 200-field page, from creating the wizard to its first frame. */
#include "config.h"

#include <string.h>
#include <unistd.h>
#include <gtk/gtk.h>
#include <glib/gstdio.h>

#include <antragskiosk/i18n.h>
#include <antragskiosk/queue.h>

#include "bench-common.h"
#include "kiosk-window.h"

#define ROUNDS 7

static GMainLoop *loop;

static long
read_kb (const char *file, const char *key)
{
  g_autofree char *text = NULL;
  const char *line;

  if (!g_file_get_contents (file, &text, NULL, NULL))
    return -1;
  line = strstr (text, key);
  if (line == NULL)
    return -1;
  return strtol (line + strlen (key), NULL, 10);
}

static gboolean
report_idle_cb (gpointer data)
{
  printf ("READY %" G_GINT64_FORMAT " %ld %ld\n", g_get_monotonic_time (),
          read_kb ("/proc/self/status", "VmHWM:"), read_kb ("/proc/self/smaps_rollup", "Pss:"));
  fflush (stdout);
  g_main_loop_quit (loop);
  return G_SOURCE_REMOVE;
}

static void
after_paint_cb (GdkFrameClock *clock, gpointer data)
{
  g_signal_handlers_disconnect_by_func (clock, after_paint_cb, data);
  g_idle_add_full (G_PRIORITY_LOW, report_idle_cb, NULL, NULL);
}

static void
map_cb (GtkWidget *widget, gpointer data)
{
  g_signal_connect (gtk_widget_get_frame_clock (widget), "after-paint", G_CALLBACK (after_paint_cb), NULL);
}

static int
run_child (gboolean kiosk)
{
  GtkWidget *window;
  KioskConfig *config = NULL;
  KioskQueue *queue = NULL;
  KioskCatalog *catalog = NULL;

  gtk_init ();
  loop = g_main_loop_new (NULL, FALSE);
  if (kiosk)
    {
      kiosk_i18n_init ();
      config = kiosk_config_load (NULL, NULL, NULL);
      if (config != NULL)
        {
          catalog = kiosk_catalog_new (config->forms_dir, NULL);
          queue = kiosk_queue_open (config->data_dir, KIOSK_QUEUE_OPEN_DEFAULT, NULL);
        }
      window = GTK_WIDGET (kiosk_window_new (NULL, catalog, config, queue));
    }
  else
    {
      window = gtk_window_new ();
      gtk_window_set_child (GTK_WINDOW (window), gtk_label_new ("Willkommen"));
    }
  gtk_window_set_default_size (GTK_WINDOW (window), 1280, 800);
  g_signal_connect (window, "map", G_CALLBACK (map_cb), NULL);
  gtk_window_present (GTK_WINDOW (window));
  g_main_loop_run (loop);
  return 0;
}

typedef struct {
  double ms;
  double rss_mib;
  double pss_mib;
} Sample;

static gboolean
spawn_one (const char *self_path, const char *mode, const char *config, Sample *out)
{
  const char *argv[] = { self_path, mode, NULL };
  g_auto(GStrv) envp = g_get_environ ();
  g_autofree char *output = NULL;
  gint64 start, ready;
  long rss, pss;
  int status;

  envp = g_environ_setenv (envp, "ANTRAGSKIOSK_CONFIG", config, TRUE);
  envp = g_environ_setenv (envp, "GTK_A11Y", "none", TRUE);
  start = g_get_monotonic_time ();
  if (!g_spawn_sync (NULL, (char **) argv, envp, G_SPAWN_DEFAULT, NULL, NULL, &output, NULL, &status, NULL)
      || !g_spawn_check_wait_status (status, NULL))
    return FALSE;
  if (sscanf (strstr (output, "READY ") != NULL ? strstr (output, "READY ") : "", "READY %" G_GINT64_FORMAT " %ld %ld",
              &ready, &rss, &pss) != 3)
    return FALSE;
  out->ms = (ready - start) / 1000.0;
  out->rss_mib = rss / 1024.0;
  out->pss_mib = pss / 1024.0;
  return TRUE;
}

static char *
form_json_with_fields (guint n)
{
  GString *json = g_string_new ("{\"format\":1,\"id\":\"bench\",\"version\":\"1.0.0\",\"leika\":\"unknown\","
                                "\"schema_uri\":\"https://example.org/bench.json\",\"category\":\"sonstiges\","
                                "\"title\":{\"de\":\"Bench\"},\"pages\":[{\"id\":\"p\",\"title\":{\"de\":\"Seite\"},\"items\":[");

  for (guint i = 0; i < n; i++)
    g_string_append_printf (json, "%s{\"id\":\"f%u\",\"kind\":\"%s\",\"label\":{\"de\":\"Feld %u\"},"
                            "\"help\":{\"de\":\"Hilfe zu Feld %u\"}%s}",
                            i ? "," : "", i, i % 4 == 3 ? "date" : "text", i, i, i % 2 ? ",\"required\":true" : "");
  g_string_append (json, "]}]}");
  return g_string_free (json, FALSE);
}

static gboolean page_done;

static gboolean
page_idle_cb (gpointer data)
{
  page_done = TRUE;
  return G_SOURCE_REMOVE;
}

static void
page_painted_cb (GdkFrameClock *clock, gpointer data)
{
  g_signal_handlers_disconnect_by_func (clock, page_painted_cb, data);
  g_idle_add_full (G_PRIORITY_LOW, page_idle_cb, NULL, NULL);
}

/* From creating the wizard (its first page) to the first idle after the
 * frame that shows it. */
static double
time_open_page (KioskForm *form)
{
  GtkWidget *window = gtk_window_new ();
  gint64 start, end;

  gtk_window_set_default_size (GTK_WINDOW (window), 1280, 800);
  gtk_window_present (GTK_WINDOW (window));
  while (g_main_context_iteration (NULL, FALSE))
    ;
  page_done = FALSE;
  start = g_get_monotonic_time ();
  gtk_window_set_child (GTK_WINDOW (window), GTK_WIDGET (kiosk_wizard_new (form, NULL, NULL)));
  g_signal_connect (gtk_widget_get_frame_clock (window), "after-paint", G_CALLBACK (page_painted_cb), NULL);
  while (!page_done)
    g_main_context_iteration (NULL, TRUE);
  end = g_get_monotonic_time ();
  gtk_window_destroy (GTK_WINDOW (window));
  while (g_main_context_iteration (NULL, FALSE))
    ;
  return (end - start) / 1000.0;
}

static guint
count_fields (const KioskElement *container)
{
  guint n = 0;

  for (guint i = 0; i < container->children->len; i++)
    {
      const KioskElement *child = g_ptr_array_index (container->children, i);
      n += kiosk_kind_is_container (child->kind) ? count_fields (child) : 1;
    }
  return n;
}

static int
run_pages (void)
{
  g_autoptr(KioskCatalog) catalog = NULL;
  g_autofree char *json = form_json_with_fields (200);
  g_autoptr(KioskForm) generated = NULL;
  GPtrArray *forms;
  KioskForm *largest = NULL;
  guint largest_fields = 0;
  double samples[ROUNDS];
  char note[128];

  gtk_init ();
  kiosk_i18n_init ();
  catalog = kiosk_catalog_new (NULL, NULL);
  forms = kiosk_catalog_get_forms (catalog);
  /* The wizard opens on the first page: the form whose first page has
   * the most fields. */
  for (guint i = 0; i < forms->len; i++)
    {
      KioskForm *form = g_ptr_array_index (forms, i);
      guint n = count_fields (g_ptr_array_index (form->pages, 0));
      if (n > largest_fields)
        largest_fields = n, largest = form;
    }
  generated = kiosk_form_load_data (json, strlen (json), "bench.json", NULL, NULL);
  g_assert (generated != NULL);
  for (guint r = 0; r < ROUNDS; r++)
    samples[r] = time_open_page (largest);
  g_snprintf (note, sizeof note, "%s first page, %u fields; target < 100 ms", largest->id, largest_fields);
  bench_row ("kiosk-pages", "open largest bundled page (median)", bench_median (samples, ROUNDS), "ms", note);
  for (guint r = 0; r < ROUNDS; r++)
    samples[r] = time_open_page (generated);
  bench_row ("kiosk-pages", "open generated 200-field page (median)", bench_median (samples, ROUNDS), "ms",
             "200 fields with help, 1 in 4 a date; target < 100 ms");
  return 0;
}

int
main (int argc, char **argv)
{
  g_autofree char *self_path = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *config = NULL;
  g_autofree char *config_text = NULL;
  Sample minimal[ROUNDS], kiosk[ROUNDS];
  double values[ROUNDS];
  double minimal_ms, kiosk_ms, minimal_pss, kiosk_pss, minimal_rss, kiosk_rss;
  char note[160];

  if (argc > 1 && g_strcmp0 (argv[1], "--minimal") == 0)
    return run_child (FALSE);
  if (argc > 1 && g_strcmp0 (argv[1], "--kiosk") == 0)
    return run_child (TRUE);
  if (argc > 1 && g_strcmp0 (argv[1], "--pages") == 0)
    return run_pages ();

  self_path = g_file_read_link ("/proc/self/exe", NULL);
  /* Without a display, run under a headless X server. */
  if (g_getenv ("DISPLAY") == NULL && g_getenv ("WAYLAND_DISPLAY") == NULL)
    {
      g_autofree char *xvfb = g_find_program_in_path ("xvfb-run");
      const char *xargv[] = { "xvfb-run", "-a", "-s", "-screen 0 1280x800x24", self_path, NULL };
      if (xvfb == NULL)
        {
          g_printerr ("bench-kiosk-start: no display and no xvfb-run\n");
          return 1;
        }
      execv (xvfb, (char **) xargv);
      return 1;
    }
  dir = g_dir_make_tmp ("bench-kiosk-XXXXXX", NULL);
  config = g_build_filename (dir, "kiosk.conf", NULL);
  config_text = g_strdup_printf ("[kiosk]\nid=bench\ndata_dir=%s\n[destination demo]\n"
                                 "destination_id=4b5c7214-aa12-4624-955e-0f7deaabc342\n"
                                 "key_file=resource:///de/antragskiosk/demo/demo-destination.jwk\n"
                                 "trust_anchor=resource:///de/antragskiosk/demo/demo-root-ca.pem\nforms=*\n", dir);
  g_file_set_contents (config, config_text, -1, NULL);
  /* A warm-up run of each, not counted (page cache, fontconfig cache). */
  spawn_one (self_path, "--minimal", config, &minimal[0]);
  spawn_one (self_path, "--kiosk", config, &kiosk[0]);
  for (guint r = 0; r < ROUNDS; r++)
    if (!spawn_one (self_path, "--minimal", config, &minimal[r]) || !spawn_one (self_path, "--kiosk", config, &kiosk[r]))
      {
        g_printerr ("bench-kiosk-start: a child failed (is there a display?)\n");
        return 1;
      }
#define MEDIAN(array, field, out) \
  do { for (guint r = 0; r < ROUNDS; r++) values[r] = array[r].field; out = bench_median (values, ROUNDS); } while (0)
  MEDIAN (minimal, ms, minimal_ms);
  MEDIAN (kiosk, ms, kiosk_ms);
  MEDIAN (minimal, pss_mib, minimal_pss);
  MEDIAN (kiosk, pss_mib, kiosk_pss);
  MEDIAN (minimal, rss_mib, minimal_rss);
  MEDIAN (kiosk, rss_mib, kiosk_rss);
  bench_row ("kiosk-start", "minimal GTK 4 window: start to interactive", minimal_ms, "ms", "same session and renderer");
  g_snprintf (note, sizeof note, "%.2f x minimal; target <= 1.2 x", kiosk_ms / minimal_ms);
  bench_row ("kiosk-start", "kiosk welcome screen: start to interactive", kiosk_ms, "ms", note);
  bench_row ("kiosk-start", "minimal GTK 4 window: PSS", minimal_pss, "MiB", NULL);
  g_snprintf (note, sizeof note, "+%.1f MiB over minimal; target <= +20 MiB", kiosk_pss - minimal_pss);
  bench_row ("kiosk-start", "kiosk welcome screen: PSS", kiosk_pss, "MiB", note);
  bench_row ("kiosk-start", "minimal GTK 4 window: peak RSS", minimal_rss, "MiB", NULL);
  bench_row ("kiosk-start", "kiosk welcome screen: peak RSS", kiosk_rss, "MiB", NULL);
  {
    const char *argv_pages[] = { self_path, "--pages", NULL };
    g_auto(GStrv) envp = g_environ_setenv (g_get_environ (), "GTK_A11Y", "none", TRUE);
    g_autofree char *output = NULL;
    int status;
    if (g_spawn_sync (NULL, (char **) argv_pages, envp, G_SPAWN_CHILD_INHERITS_STDIN, NULL, NULL, &output, NULL, &status, NULL))
      fputs (output, stdout);
  }
  {
    g_autofree char *db = g_build_filename (dir, "queue.db", NULL);
    g_autofree char *wal = g_strconcat (db, "-wal", NULL);
    g_autofree char *shm = g_strconcat (db, "-shm", NULL);
    g_remove (db);
    g_remove (wal);
    g_remove (shm);
    g_remove (config);
    g_rmdir (dir);
  }
  return 0;
}
