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

typedef struct {
  double interactive_ms;  /* first frame painted and the loop free for input */
  double complete_ms;     /* every field built and laid out, the loop idle */
  double stall_ms;        /* the longest wait of an input-priority source meanwhile */
} PageTimes;

static gint64 painted_us;
static gint64 interactive_us;
static gint64 complete_us;
static gint64 last_probe_us;
static gint64 max_gap_us;

/* Input events are dispatched at G_PRIORITY_DEFAULT: a source of that
 * priority runs as soon as the main loop could handle a tap. */
static gboolean
interactive_cb (gpointer data)
{
  interactive_us = g_get_monotonic_time ();
  return G_SOURCE_REMOVE;
}

/* Low priority: runs only once nothing else (building, layout, drawing)
 * is pending. */
static gboolean
complete_cb (gpointer data)
{
  GtkWidget *child = gtk_window_get_child (GTK_WINDOW (data));

  /* Between two frames the loop is idle while the wizard still builds. */
  if (KIOSK_IS_WIZARD (child) && !kiosk_wizard_is_built (KIOSK_WIZARD (child)))
    return G_SOURCE_CONTINUE;
  complete_us = g_get_monotonic_time ();
  return G_SOURCE_REMOVE;
}

static gboolean
probe_cb (gpointer data)
{
  gint64 now = g_get_monotonic_time ();

  if (last_probe_us != 0)
    max_gap_us = MAX (max_gap_us, now - last_probe_us);
  last_probe_us = now;
  return complete_us == 0 ? G_SOURCE_CONTINUE : G_SOURCE_REMOVE;
}

static void
page_painted_cb (GdkFrameClock *clock, gpointer data)
{
  g_signal_handlers_disconnect_by_func (clock, page_painted_cb, data);
  painted_us = g_get_monotonic_time ();
  g_idle_add_full (G_PRIORITY_DEFAULT, interactive_cb, NULL, NULL);
  g_timeout_add_full (G_PRIORITY_LOW, 1, complete_cb, data, NULL);
  last_probe_us = 0;
  g_timeout_add_full (G_PRIORITY_DEFAULT, 1, probe_cb, NULL, NULL);
}

static void
wait_frame (GtkWidget *window)
{
  complete_us = 0;
  g_signal_connect (gtk_widget_get_frame_clock (window), "after-paint", G_CALLBACK (page_painted_cb), window);
  gtk_widget_queue_draw (window);
  while (complete_us == 0)
    g_main_context_iteration (NULL, TRUE);
  /* Let the probe see complete_us and go. */
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

/* From creating the wizard (its first page) to the frame that shows it
 * and the first moment the loop can take input; then until the page is
 * complete, and the longest the loop was busy in between. Then, on the
 * complete page, @typing: the medians of typing one character into the
 * first field until the frame that shows it. */
static PageTimes
time_open_page (GtkWidget *window, KioskForm *form, double *typing)
{
  KioskWizard *wizard;
  PageTimes times;
  gint64 start;

  /* As in the kiosk: the window is there; the previous page goes. */
  gtk_window_set_child (GTK_WINDOW (window), NULL);
  wait_frame (window);
  interactive_us = complete_us = 0;
  max_gap_us = 0;
  start = g_get_monotonic_time ();
  wizard = kiosk_wizard_new (form, NULL, NULL);
  gtk_window_set_child (GTK_WINDOW (window), GTK_WIDGET (wizard));
  g_signal_connect (gtk_widget_get_frame_clock (window), "after-paint", G_CALLBACK (page_painted_cb), window);
  while (complete_us == 0)
    g_main_context_iteration (NULL, TRUE);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  times.interactive_ms = (interactive_us - start) / 1000.0;
  times.complete_ms = (complete_us - start) / 1000.0;
  times.stall_ms = max_gap_us / 1000.0;
  if (typing != NULL)
    {
      g_autoptr(GPtrArray) fields = kiosk_wizard_get_fields (wizard);
      GtkWidget *entry = NULL;
      double samples[ROUNDS];

      for (guint i = 0; i < fields->len && entry == NULL; i++)
        if (GTK_IS_EDITABLE (kiosk_field_get_input (g_ptr_array_index (fields, i))))
          entry = kiosk_field_get_input (g_ptr_array_index (fields, i));
      g_assert (entry != NULL);
      gtk_widget_grab_focus (entry);
      wait_frame (window);
      for (guint r = 0; r < ROUNDS; r++)
        {
          int position = -1;
          start = g_get_monotonic_time ();
          gtk_editable_insert_text (GTK_EDITABLE (entry), "a", 1, &position);
          wait_frame (window);
          samples[r] = (painted_us - start) / 1000.0;
        }
      *typing = bench_median (samples, ROUNDS);
    }
  return times;
}

static void
report_pages (GtkWidget *window, const char *what, KioskForm *form, const char *note)
{
  double interactive[ROUNDS], complete[ROUNDS], stall[ROUNDS], typing[ROUNDS];
  char measure[160];

  for (guint r = 0; r < ROUNDS; r++)
    {
      PageTimes times = time_open_page (window, form, &typing[r]);
      interactive[r] = times.interactive_ms;
      complete[r] = times.complete_ms;
      stall[r] = times.stall_ms;
    }
  g_snprintf (measure, sizeof measure, "open %s: to interactive (median)", what);
  bench_row ("kiosk-pages", measure, bench_median (interactive, ROUNDS), "ms", note);
  g_snprintf (measure, sizeof measure, "open %s: all fields built (median)", what);
  bench_row ("kiosk-pages", measure, bench_median (complete, ROUNDS), "ms", "the rest over the following frames");
  g_snprintf (measure, sizeof measure, "open %s: longest input wait meanwhile", what);
  bench_row ("kiosk-pages", measure, bench_percentile (stall, ROUNDS, 100), "ms", "worst of the rounds");
  g_snprintf (measure, sizeof measure, "typing on %s: key to frame (median)", what);
  bench_row ("kiosk-pages", measure, bench_median (typing, ROUNDS), "ms", "independent of the page's size");
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
  GtkWidget *window;
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
  /* A warm-up (fonts, CSS, GL shaders), not counted. */
  /* The kiosk's style sheet (it stays with the display), then a plain
   * window for the pages. */
  gtk_window_destroy (GTK_WINDOW (kiosk_window_new (NULL, NULL, NULL, NULL)));
  window = gtk_window_new ();
  gtk_widget_add_css_class (window, "text-normal");
  gtk_window_set_default_size (GTK_WINDOW (window), 1280, 800);
  gtk_window_present (GTK_WINDOW (window));
  time_open_page (window, generated, NULL);
  g_snprintf (note, sizeof note, "%s first page, %u fields; target < 100 ms", largest->id, largest_fields);
  report_pages (window, "largest bundled page", largest, note);
  report_pages (window, "generated 200-field page", generated, "200 fields with help, 1 in 4 a date; target < 100 ms");
  gtk_window_destroy (GTK_WINDOW (window));
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
