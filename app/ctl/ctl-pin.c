/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "antragskiosk-ctl"

#include "config.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include <antragskiosk/pin.h>

#include "ctl-private.h"

#define MIN_PIN_LENGTH 4
#define MAX_PIN_LENGTH 64

/* The terminal as it was before the echo went off, for a signal that
 * ends the program while the PIN is typed. */
static struct termios saved_termios;
static volatile sig_atomic_t echo_off;

static void
restore_and_reraise (int signum)
{
  if (echo_off)
    tcsetattr (STDIN_FILENO, TCSAFLUSH, &saved_termios);
  signal (signum, SIG_DFL);
  raise (signum);
}

static const int ending_signals[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGTSTP };

/* One line of standard input, without its line end; with the echo off
 * when it is a terminal (and back on whatever ends the program). NULL at
 * the end of the input. */
static char *
read_secret_line (const char *prompt)
{
  gboolean tty = isatty (STDIN_FILENO);
  struct termios saved, quiet;
  struct sigaction action = { 0 }, previous[G_N_ELEMENTS (ending_signals)];
  char buffer[1024];
  char *line = NULL;

  if (tty)
    {
      /* The echo goes off before the prompt shows: what is typed at once
       * is neither echoed nor flushed away. */
      if (tcgetattr (STDIN_FILENO, &saved) == 0)
        {
          saved_termios = saved;
          action.sa_handler = restore_and_reraise;
          sigemptyset (&action.sa_mask);
          for (gsize i = 0; i < G_N_ELEMENTS (ending_signals); i++)
            sigaction (ending_signals[i], &action, &previous[i]);
          echo_off = 1;
          quiet = saved;
          quiet.c_lflag &= ~(tcflag_t) ECHO;
          tcsetattr (STDIN_FILENO, TCSAFLUSH, &quiet);
        }
      else
        tty = FALSE;
      fputs (prompt, stderr);
      fflush (stderr);
    }
  if (fgets (buffer, sizeof buffer, stdin) != NULL)
    {
      buffer[strcspn (buffer, "\r\n")] = '\0';
      line = g_strdup (buffer);
    }
  explicit_bzero (buffer, sizeof buffer);
  if (tty)
    {
      tcsetattr (STDIN_FILENO, TCSAFLUSH, &saved);
      echo_off = 0;
      for (gsize i = 0; i < G_N_ELEMENTS (ending_signals); i++)
        sigaction (ending_signals[i], &previous[i], NULL);
      fputc ('\n', stderr);
    }
  return line;
}

static void
secret_free (char *secret)
{
  if (secret != NULL)
    explicit_bzero (secret, strlen (secret));
  g_free (secret);
}

typedef char *SecretString;
G_DEFINE_AUTO_CLEANUP_FREE_FUNC (SecretString, secret_free, NULL)

int
_kiosk_ctl_hash_pin (int argc, char **argv)
{
  gint iterations = KIOSK_PIN_DEFAULT_ITERATIONS;
  GOptionEntry entries[] = {
    { "iterations", 0, 0, G_OPTION_ARG_INT, &iterations,
      "PBKDF2 iterations (default 600000, from 200000 to 10000000)", "N" },
    { NULL }
  };
  g_auto(SecretString) pin = NULL;
  g_auto(SecretString) again = NULL;
  g_autofree char *hash = NULL;
  gsize length;

  if (!_kiosk_ctl_parse_options (&argc, &argv, "",
                                 "Read the clerk PIN (twice on a terminal, else one line of standard input) and "
                                 "print a configuration drop-in with its hash: [clerk] pin_hash=…\n"
                                 "Install it for the kiosk's user only, e.g.\n"
                                 "  antragskiosk-ctl hash-pin | install -m 600 -o antragskiosk /dev/stdin "
                                 "/etc/antragskiosk/kiosk.conf.d/90-clerk.conf",
                                 entries))
    return 2;
  if (argc > 1)
    {
      _kiosk_ctl_error ("hash-pin takes no arguments; the PIN is read from standard input (try 'hash-pin --help')");
      return 2;
    }
  if (iterations < KIOSK_PIN_MIN_ITERATIONS || iterations > KIOSK_PIN_MAX_ITERATIONS)
    {
      _kiosk_ctl_error ("--iterations must be from %d (the kiosk refuses weaker hashes) to %d (more makes the "
                        "clerk wait for each PIN)", KIOSK_PIN_MIN_ITERATIONS, KIOSK_PIN_MAX_ITERATIONS);
      return 2;
    }

  pin = read_secret_line ("Clerk PIN: ");
  if (pin == NULL)
    {
      _kiosk_ctl_error ("no PIN given: type it, or pipe one line into hash-pin");
      return 1;
    }
  length = g_utf8_validate (pin, -1, NULL) ? (gsize) g_utf8_strlen (pin, -1) : 0;
  if (length < MIN_PIN_LENGTH || length > MAX_PIN_LENGTH)
    {
      _kiosk_ctl_error ("the PIN must be %d to %d characters long", MIN_PIN_LENGTH, MAX_PIN_LENGTH);
      return 1;
    }
  if (isatty (STDIN_FILENO))
    {
      again = read_secret_line ("Again: ");
      if (again == NULL || strcmp (pin, again) != 0)
        {
          _kiosk_ctl_error ("the two PINs differ; nothing was written");
          return 1;
        }
    }
  if (length < 6)
    fprintf (stderr, "antragskiosk-ctl: warning: a PIN of %" G_GSIZE_FORMAT " characters is guessed quickly from "
             "its hash; keep the drop-in readable by the kiosk's user only (chmod 600)\n", length);
  hash = kiosk_pin_hash (pin, (guint) iterations);
  if (hash == NULL)
    {
      _kiosk_ctl_error ("the hash could not be computed (OpenSSL failed)");
      return 1;
    }
  printf ("[clerk]\npin_hash=%s\n", hash);
  return 0;
}
