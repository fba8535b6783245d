/* SPDX-License-Identifier: GPL-3.0-or-later */
/* What speech costs the kiosk (issue 17, docs/benchmarks.md):
 *
 *   bench-kiosk-speech   (needs a display; runs itself under xvfb-run
 *                        when there is none)
 *   bench-kiosk-speech --baseline OTHER/bench-kiosk-start
 *                        also starts the kiosk of another build (e.g. the
 *                        commit before speech) in the same rounds
 *
 * 1. Start-up, as bench-kiosk-start measures it and with its children
 *    (`bench-kiosk-start --minimal` / `--kiosk`: fork+exec to the first
 *    idle after the first frame): a minimal GTK 4 window, the kiosk with
 *    [speech] mode=off and with mode=always, interleaved, 7 rounds after a
 *    warm-up; medians and the ratios to the minimal window.
 * 2. In-process, [speech] mode=always: from a screen change (the action
 *    that shows it) to the first samples of its utterance going to the
 *    audio device (synthesis only when there is no sound card, which is
 *    the same path up to the device write), for the welcome screen right
 *    after start (the engine loading in its thread) and for each screen
 *    of a visit: catalog, the form's pages, review, privacy notice. */
#include "config.h"

#include <string.h>
#include <unistd.h>
#include <gtk/gtk.h>

#include <antragskiosk/i18n.h>
#include <antragskiosk/queue.h>

#include "bench-common.h"
#include "kiosk-window.h"

#define ROUNDS 15

static double
spawn_ready_ms (const char *program, const char *config)
{
  const char *argv[] = { program, "--kiosk", NULL };
  g_auto(GStrv) envp = g_environ_setenv (g_get_environ (), "GTK_A11Y", "none", TRUE);
  g_autofree char *output = NULL;
  gint64 start, ready = 0;
  int status;

  if (config == NULL)
    argv[1] = "--minimal";
  else
    envp = g_environ_setenv (envp, "ANTRAGSKIOSK_CONFIG", config, TRUE);
  start = g_get_monotonic_time ();
  if (!g_spawn_sync (NULL, (char **) argv, envp, G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL, &output, NULL, &status, NULL)
      || !g_spawn_check_wait_status (status, NULL) || strstr (output, "READY ") == NULL
      || sscanf (strstr (output, "READY "), "READY %" G_GINT64_FORMAT, &ready) != 1)
    {
      g_printerr ("bench-kiosk-speech: %s %s failed (is there a display?)\n", program, argv[1]);
      exit (1);
    }
  return (ready - start) / 1000.0;
}

static char *
write_config (const char *dir, const char *name, const char *speech)
{
  g_autofree char *text = g_strdup_printf ("[kiosk]\nid=bench\ndata_dir=%s\n%s[destination demo]\n"
                                           "destination_id=4b5c7214-aa12-4624-955e-0f7deaabc342\n"
                                           "key_file=resource:///de/antragskiosk/demo/demo-destination.jwk\n"
                                           "trust_anchor=resource:///de/antragskiosk/demo/demo-root-ca.pem\n"
                                           "forms=*\n", dir, speech);
  char *path = g_build_filename (dir, name, NULL);

  g_file_set_contents (path, text, -1, NULL);
  return path;
}

static void
bench_start (const char *dir, const char *baseline)
{
  g_autofree char *self = g_file_read_link ("/proc/self/exe", NULL);
  g_autofree char *bindir = g_path_get_dirname (self);
  g_autofree char *start = g_build_filename (bindir, "bench-kiosk-start", NULL);
  /* No [speech] group: off, and a configuration an older build (the
   * baseline) reads the same way. */
  g_autofree char *off = write_config (dir, "off.conf", "");
  g_autofree char *always = write_config (dir, "always.conf", "[speech]\nmode=always\n");
  double minimal[ROUNDS], kiosk_off[ROUNDS], kiosk_on[ROUNDS], kiosk_base[ROUNDS];
  double minimal_ms, off_ms, on_ms;
  char note[160];

  spawn_ready_ms (start, NULL);
  spawn_ready_ms (start, off);
  spawn_ready_ms (start, always);
  for (guint r = 0; r < ROUNDS; r++)
    {
      minimal[r] = spawn_ready_ms (start, NULL);
      kiosk_off[r] = spawn_ready_ms (start, off);
      kiosk_on[r] = spawn_ready_ms (start, always);
      kiosk_base[r] = baseline != NULL ? spawn_ready_ms (baseline, off) : 0;
    }
  minimal_ms = bench_median (minimal, ROUNDS);
  off_ms = bench_median (kiosk_off, ROUNDS);
  on_ms = bench_median (kiosk_on, ROUNDS);
  bench_row ("kiosk-speech", "minimal GTK 4 window: start to interactive", minimal_ms, "ms", "same session");
  g_snprintf (note, sizeof note, "%.2f x minimal; target <= 1.2 x", off_ms / minimal_ms);
  bench_row ("kiosk-speech", "kiosk, [speech] mode=off: start to interactive", off_ms, "ms", note);
  g_snprintf (note, sizeof note, "%.2f x minimal (engine loads in its thread)", on_ms / minimal_ms);
  bench_row ("kiosk-speech", "kiosk, [speech] mode=always: start to interactive", on_ms, "ms", note);
  if (baseline != NULL)
    {
      double base_ms = bench_median (kiosk_base, ROUNDS);
      g_snprintf (note, sizeof note, "%.2f x minimal; %s", base_ms / minimal_ms, baseline);
      bench_row ("kiosk-speech", "baseline build's kiosk: start to interactive", base_ms, "ms", note);
    }
}

/* ---- first utterance after a screen change, in-process ---- */

static double
wait_started_ms (KioskWindow *window, gint64 since)
{
  KioskSpeech *speech = kiosk_window_get_speech (window);
  gint64 end = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;
  gint64 started;

  /* The main loop runs meanwhile, as in the kiosk. */
  while (((started = kiosk_speech_get_started_at (speech)) == 0 || started < since) && g_get_monotonic_time () < end)
    g_main_context_iteration (NULL, FALSE);
  kiosk_speech_wait_idle (speech, 10000);
  return started >= since ? (started - since) / 1000.0 : -1;
}

static double
screen_change_ms (KioskWindow *window, GtkWidget *target, const char *action, GVariant *parameter)
{
  gint64 since = g_get_monotonic_time ();

  gtk_widget_activate_action_variant (target, action, parameter);
  return wait_started_ms (window, since);
}

static void
bench_first_utterance (const char *dir)
{
  g_autofree char *path = write_config (dir, "visit.conf", "");
  KioskConfig *config = kiosk_config_load (path, NULL, NULL);
  KioskQueue *queue = kiosk_queue_open (config->data_dir, KIOSK_QUEUE_OPEN_DEFAULT, NULL);
  KioskCatalog *catalog = kiosk_catalog_new (NULL, NULL);
  KioskWindow *window = kiosk_window_new (NULL, catalog, config, queue);
  KioskSpeechSettings settings;
  g_autoptr(GArray) samples = g_array_new (FALSE, FALSE, sizeof (double));
  gint64 since;
  double cold, ms;
  char note[160];

  kiosk_window_set_windowed (window, TRUE);
  gtk_window_set_default_size (GTK_WINDOW (window), 1280, 800);
  gtk_window_present (GTK_WINDOW (window));
  kiosk_speech_settings_init (&settings);
  settings.mode = KIOSK_SPEECH_MODE_ALWAYS;
  since = g_get_monotonic_time ();
  kiosk_window_set_speech (window, &settings, NULL);
  cold = wait_started_ms (window, since);
  for (guint round = 0; round < ROUNDS; round++)
    {
      KioskWizard *wizard;

      ms = screen_change_ms (window, GTK_WIDGET (window), "kiosk.language", g_variant_new_string ("de"));
      g_array_append_val (samples, ms);
      ms = screen_change_ms (window, GTK_WIDGET (window), "kiosk.start-form", g_variant_new_string ("anwohnerparkausweis"));
      g_array_append_val (samples, ms);
      wizard = kiosk_window_get_wizard (window);
      for (guint page = 0; page < kiosk_wizard_get_form (wizard)->pages->len; page++)
        {
          ms = screen_change_ms (window, GTK_WIDGET (wizard), "wizard.goto-page", g_variant_new_int32 (page));
          g_array_append_val (samples, ms);
        }
      kiosk_window_wipe (window);
      wait_started_ms (window, g_get_monotonic_time ());
    }
  g_snprintf (note, sizeof note, "engine loading included; target < 300 ms");
  bench_row ("kiosk-speech", "welcome screen right after start: to first samples", cold, "ms", note);
  g_snprintf (note, sizeof note, "%u screen changes; target < 300 ms", samples->len);
  bench_row ("kiosk-speech", "screen change to first samples: median", bench_median ((double *) samples->data, samples->len),
             "ms", note);
  bench_row ("kiosk-speech", "screen change to first samples: worst",
             bench_percentile ((double *) samples->data, samples->len, 100), "ms", note);
  gtk_window_destroy (GTK_WINDOW (window));
  kiosk_speech_settings_clear (&settings);
}

int
main (int argc, char **argv)
{
  g_autofree char *dir = NULL;
  const char *baseline = argc > 2 && g_str_equal (argv[1], "--baseline") ? argv[2] : NULL;

  if (g_getenv ("DISPLAY") == NULL && g_getenv ("WAYLAND_DISPLAY") == NULL)
    {
      g_autofree char *self = g_file_read_link ("/proc/self/exe", NULL);
      g_autofree char *xvfb = g_find_program_in_path ("xvfb-run");
      const char *xargv[] = { "xvfb-run", "-a", "-s", "-screen 0 1280x800x24", self,
                              baseline != NULL ? "--baseline" : NULL, baseline, NULL };
      if (xvfb == NULL)
        {
          g_printerr ("bench-kiosk-speech: no display and no xvfb-run\n");
          return 1;
        }
      execv (xvfb, (char **) xargv);
      return 1;
    }
  dir = g_dir_make_tmp ("bench-speech-XXXXXX", NULL);
  bench_start (dir, baseline);
  gtk_init ();
  kiosk_i18n_init ();
  bench_first_utterance (dir);
  return 0;
}
