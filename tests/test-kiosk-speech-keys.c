/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Keys alone, speech on: a visitor goes from the welcome screen to the
 * receipt of a whole bundled form with real key presses through the X
 * server (xdotool: Tab, Return, space, typed text; no widget is called
 * directly), in German and in Arabic, with [speech] mode=always and a
 * transcript. The transcript is checked screen by screen: each screen's
 * title (from the translation catalog and the form definition, not from
 * the widgets) in the visitor's language, each field reached by its
 * label, the reference spelled in groups, and nothing the visitor typed. */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "test-kiosk-util.h"
#include "kiosk-a11y.h"
#include "kiosk-speaker.h"

typedef struct {
  KioskTestKiosk *kiosk;
  char           *transcript;
  guint           lines_seen;
  const char     *lang;
  GPtrArray      *typed;     /* every value typed, never to be in the transcript */
  GString        *form_text; /* the form's own texts (a help may give an example value) */
  GString        *spoken;    /* the new transcript text since the last check */
} Visit;

static void
xdo (const char *const *args)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_auto(GStrv) argv = NULL;
  g_autoptr(GError) error = NULL;
  int status = 0;

  g_strv_builder_add (builder, "xdotool");
  g_strv_builder_addv (builder, (const char **) args);
  argv = g_strv_builder_end (builder);
  g_spawn_sync (NULL, argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL, &status, &error);
  g_assert_no_error (error);
  g_assert_true (g_spawn_check_wait_status (status, NULL));
  kiosk_test_wait_ms (60);
}

static void
key (const char *name)
{
  xdo ((const char *const[]) { "key", "--delay", "20", name, NULL });
}

/* Types @text: ASCII as it is on the keys, any other character as GTK's
 * input method takes it from a keyboard without it (Ctrl+Shift+U, the
 * code point in hex, space). */
static void
type (Visit *visit, const char *text)
{
  GString *run = g_string_new (NULL);

  g_ptr_array_add (visit->typed, g_strdup (text));
  for (const char *p = text; ; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (c != 0 && c < 0x80)
        {
          g_string_append_c (run, (char) c);
          continue;
        }
      if (run->len > 0)
        xdo ((const char *const[]) { "type", "--delay", "15", run->str, NULL });
      g_string_truncate (run, 0);
      if (c == 0)
        break;
      {
        g_autofree char *hex = g_strdup_printf ("%x", c);
        key ("ctrl+shift+u");
        xdo ((const char *const[]) { "type", "--delay", "15", hex, NULL });
        key ("space");
      }
    }
  g_string_free (run, TRUE);
  kiosk_test_wait_ms (100);
}

/* Enter on a button acts after its short press animation. */
static void
wait_screen (Visit *visit, const char *screen)
{
  gint64 end = g_get_monotonic_time () + G_USEC_PER_SEC;

  while (g_strcmp0 (kiosk_window_get_screen (visit->kiosk->window), screen) != 0 && g_get_monotonic_time () < end)
    kiosk_test_wait_ms (20);
  g_assert_cmpstr (kiosk_window_get_screen (visit->kiosk->window), ==, screen);
}

/* The transcript lines written since the last call, as one text; checks
 * each line's language and that no typed value is in it. */
static const char *
new_speech (Visit *visit)
{
  g_autofree char *text = NULL;
  g_auto(GStrv) lines = NULL;
  guint n = 0;

  kiosk_speech_wait_idle (kiosk_window_get_speech (visit->kiosk->window), 5000);
  kiosk_test_wait_ms (50);
  g_assert_true (g_file_get_contents (visit->transcript, &text, NULL, NULL));
  lines = g_strsplit (text, "\n", -1);
  g_string_truncate (visit->spoken, 0);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_autoptr(JsonNode) node = NULL;
      JsonObject *object;

      if (*lines[i] == '\0')
        continue;
      if (n++ < visit->lines_seen)
        continue;
      node = json_from_string (lines[i], NULL);
      g_assert_nonnull (node);
      object = json_node_get_object (node);
      g_assert_cmpstr (json_object_get_string_member (object, "lang"), ==, kiosk_i18n_get_language ());
      g_string_append (visit->spoken, json_object_get_string_member (object, "text"));
      g_string_append_c (visit->spoken, '\n');
    }
  visit->lines_seen = n;
  /* (Values of a few characters, such as a house number 7, could stand in
   * any sentence: "Step 1 of 7".) */
  for (guint i = 0; i < visit->typed->len; i++)
    if (g_utf8_strlen (g_ptr_array_index (visit->typed, i), -1) > 3
        && strstr (visit->spoken->str, g_ptr_array_index (visit->typed, i)) != NULL
        && strstr (visit->form_text->str, g_ptr_array_index (visit->typed, i)) == NULL)
      g_error ("the transcript shows the typed value %s:\n%s", (char *) g_ptr_array_index (visit->typed, i),
               visit->spoken->str);
  return visit->spoken->str;
}

static void
assert_spoken (Visit *visit, const char *expected)
{
  if (strstr (visit->spoken->str, expected) == NULL)
    g_error ("expected \"%s\" in the speech of this screen, got:\n%s", expected, visit->spoken->str);
}

static const char *
tr (const char *msgid)
{
  return g_dgettext (GETTEXT_PACKAGE, msgid);
}

/* ---- what the visitor does at the focused widget ---- */

static GtkWidget *
focus_of (Visit *visit)
{
  return gtk_root_get_focus (GTK_ROOT (visit->kiosk->window));
}

static gboolean
is_next_button (GtkWidget *focus)
{
  GtkWidget *button = focus != NULL ? gtk_widget_get_ancestor (focus, GTK_TYPE_BUTTON) : NULL;

  return button != NULL && g_strcmp0 (gtk_actionable_get_action_name (GTK_ACTIONABLE (button)), "wizard.next") == 0;
}

/* A toggle of a radio group stands for @code; is it the wanted one? */
static gboolean
act_on_choice (GtkWidget *toggle, const char *wanted)
{
  if (g_strcmp0 (g_object_get_data (G_OBJECT (toggle), "kiosk-code"), wanted) == 0
      && !gtk_toggle_button_get_active (GTK_TOGGLE_BUTTON (toggle)))
    {
      key ("space");
      return TRUE;
    }
  return FALSE;
}

static gboolean
act_on_drop_down (Visit *visit, GtkDropDown *drop_down, const KioskElement *element, const char *wanted)
{
  guint index = 0;
  const char *row = NULL;

  for (guint i = 0; element->code_list != NULL && i < element->code_list->codes->len; i++)
    if (g_strcmp0 (((KioskCode *) g_ptr_array_index (element->code_list->codes, i))->code, wanted) == 0)
      {
        index = i + 1;
        row = kiosk_text_get (((KioskCode *) g_ptr_array_index (element->code_list->codes, i))->label, visit->lang);
      }
  if (index == 0 || gtk_drop_down_get_selected (drop_down) == index)
    return FALSE;
  /* Open the list, walk down to the item (each row is read), choose it. */
  key ("space");
  kiosk_test_wait_ms (150);
  for (guint i = 0; i < index; i++)
    key ("Down");
  new_speech (visit);
  assert_spoken (visit, row);
  key ("Return");
  kiosk_test_wait_ms (150);
  g_assert_cmpuint (gtk_drop_down_get_selected (drop_down), ==, index);
  return TRUE;
}

/* Whether @field already shows its answer from the test file. */
static gboolean
field_done (KioskField *field, JsonObject *answers)
{
  const KioskElement *element = kiosk_field_get_element (field);
  JsonNode *node = kiosk_test_answer_for (answers, element, kiosk_field_get_instance (field));
  g_autofree char *wanted = node != NULL ? kiosk_test_node_text (node) : NULL;
  GtkWidget *input = kiosk_field_get_input (field);

  if (wanted == NULL || !gtk_widget_get_visible (GTK_WIDGET (field)))
    return TRUE;
  if (GTK_IS_EDITABLE (input))
    return g_str_equal (gtk_editable_get_text (GTK_EDITABLE (input)), wanted);
  if (GTK_IS_CHECK_BUTTON (input))
    return gtk_check_button_get_active (GTK_CHECK_BUTTON (input)) == g_str_equal (wanted, "true");
  if (GTK_IS_DROP_DOWN (input))
    return gtk_drop_down_get_selected (GTK_DROP_DOWN (input)) != 0;
  if (GTK_IS_FLOW_BOX (input))
    for (GtkWidget *child = gtk_widget_get_first_child (input); child != NULL; child = gtk_widget_get_next_sibling (child))
      {
        GtkWidget *toggle = gtk_flow_box_child_get_child (GTK_FLOW_BOX_CHILD (child));
        if (gtk_toggle_button_get_active (GTK_TOGGLE_BUTTON (toggle)))
          return g_strcmp0 (g_object_get_data (G_OBJECT (toggle), "kiosk-code"), wanted) == 0;
      }
  return !GTK_IS_FLOW_BOX (input);
}

static gboolean
page_done (KioskWizard *wizard, JsonObject *answers)
{
  g_autoptr(GPtrArray) fields = kiosk_wizard_get_fields (wizard);

  for (guint i = 0; i < fields->len; i++)
    if (!field_done (g_ptr_array_index (fields, i), answers))
      return FALSE;
  return TRUE;
}

/* Acts on the focused field if its answer is not there yet; FALSE when
 * there is nothing to do here. */
static gboolean
act_on_field (Visit *visit, KioskField *field, GtkWidget *focus, JsonObject *answers)
{
  const KioskElement *element = kiosk_field_get_element (field);
  JsonNode *node = kiosk_test_answer_for (answers, element, kiosk_field_get_instance (field));
  g_autofree char *wanted = node != NULL ? kiosk_test_node_text (node) : NULL;
  GtkWidget *input = kiosk_field_get_input (field);
  GtkWidget *toggle = gtk_widget_get_ancestor (focus, GTK_TYPE_TOGGLE_BUTTON);

  if (wanted == NULL)
    return FALSE;
  if (GTK_IS_DROP_DOWN (input))
    return act_on_drop_down (visit, GTK_DROP_DOWN (input), element, wanted);
  if (GTK_IS_FLOW_BOX (input))
    return toggle != NULL && act_on_choice (toggle, wanted);
  if (GTK_IS_CHECK_BUTTON (input))
    {
      if (gtk_check_button_get_active (GTK_CHECK_BUTTON (input)) == g_str_equal (wanted, "true"))
        return FALSE;
      key ("space");
      return TRUE;
    }
  if (GTK_IS_EDITABLE (input) && *gtk_editable_get_text (GTK_EDITABLE (input)) == '\0')
    {
      type (visit, wanted);
      g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (input)), ==, wanted);
      return TRUE;
    }
  return FALSE;
}

/* ---- the visit ---- */

static void
check_page_speech (Visit *visit, KioskWizard *wizard, const char *position)
{
  KioskForm *form = kiosk_wizard_get_form (wizard);

  new_speech (visit);
  if (g_str_equal (position, "review"))
    assert_spoken (visit, tr ("Please check your answers"));
  else if (g_str_equal (position, "consent"))
    assert_spoken (visit, tr ("Privacy notice"));
  else
    for (guint i = 0; i < form->pages->len; i++)
      {
        const KioskElement *page = g_ptr_array_index (form->pages, i);
        if (g_str_equal (position + strlen ("page:"), page->id))
          assert_spoken (visit, kiosk_text_get (page->label, visit->lang));
      }
  /* "Step 2 of 6": the word of the catalog's format. */
  {
    g_autofree char *step = g_strdup (tr ("Step %d of %d"));
    *strchr (step, '%') = '\0';
    assert_spoken (visit, g_strstrip (step));
  }
}

static void
fill_form_by_keys (Visit *visit, const char *form_id)
{
  g_autoptr(JsonParser) parser = NULL;
  JsonObject *answers = kiosk_test_load_answers (form_id, &parser);
  g_autofree char *position = NULL;
  gboolean privacy_checked = FALSE;

  for (guint step = 0; step < 600; step++)
    {
      KioskWizard *wizard = kiosk_window_get_wizard (visit->kiosk->window);
      GtkWidget *focus = focus_of (visit);
      GtkWidget *field = focus != NULL ? gtk_widget_get_ancestor (focus, KIOSK_TYPE_FIELD) : NULL;

      if (wizard == NULL)
        return;   /* the receipt */
      if (g_strcmp0 (position, kiosk_wizard_get_position (wizard)) != 0)
        {
          g_free (position);
          position = g_strdup (kiosk_wizard_get_position (wizard));
          check_page_speech (visit, wizard, position);
        }
      if (field != NULL && act_on_field (visit, KIOSK_FIELD (field), focus, answers))
        {
          /* Back and forth: the field is read with its value as "…". */
          if (!privacy_checked && GTK_IS_EDITABLE (kiosk_field_get_input (KIOSK_FIELD (field))))
            {
              const char *label = kiosk_text_get (kiosk_field_get_element (KIOSK_FIELD (field))->label, visit->lang);
              key ("Tab");
              key ("shift+Tab");
              new_speech (visit);
              assert_spoken (visit, label);
              assert_spoken (visit, "…");
              privacy_checked = TRUE;
            }
          continue;
        }
      if (g_strcmp0 (kiosk_wizard_get_position (wizard), "consent") == 0 && GTK_IS_CHECK_BUTTON (focus)
          && !gtk_check_button_get_active (GTK_CHECK_BUTTON (focus)))
        {
          key ("space");
          continue;
        }
      key (is_next_button (focus) && page_done (wizard, answers) ? "Return" : "Tab");
    }
  g_error ("the form was not done after 600 key presses (at %s)", position);
}

/* A kiosk with [speech] mode=always and a transcript, a hardware keyboard
 * (no on-screen one), the pointer over the window; FALSE (skipped)
 * without an X display and xdotool. */
static gboolean
visit_start (Visit *visit, const char *lang)
{
  g_autoptr(GError) error = NULL;
  KioskSpeechSettings settings;

  if (g_getenv ("DISPLAY") == NULL || g_find_program_in_path ("xdotool") == NULL)
    {
      g_test_skip ("needs an X display and xdotool");
      return FALSE;
    }
  visit->lang = lang;
  visit->kiosk = kiosk_test_kiosk_new ("onscreen_keyboard=false\n");
  visit->typed = g_ptr_array_new_with_free_func (g_free);
  visit->spoken = g_string_new (NULL);
  visit->form_text = g_string_new (NULL);
  visit->transcript = g_build_filename (visit->kiosk->dir, "speech.jsonl", NULL);
  kiosk_speech_settings_init (&settings);
  settings.mode = KIOSK_SPEECH_MODE_ALWAYS;
  settings.transcript = g_strdup (visit->transcript);
  g_assert_true (kiosk_window_set_speech (visit->kiosk->window, &settings, &error));
  g_assert_no_error (error);
  kiosk_speech_settings_clear (&settings);
  xdo ((const char *const[]) { "mousemove", "5", "5", NULL });
  return TRUE;
}

static void
visit_end (Visit *visit)
{
  g_ptr_array_unref (visit->typed);
  g_string_free (visit->spoken, TRUE);
  g_string_free (visit->form_text, TRUE);
  g_free (visit->transcript);
  kiosk_test_kiosk_free (visit->kiosk);
}

/* Tab to the first language button, then @right times Right. */
static void
focus_language (Visit *visit, guint right)
{
  while (!GTK_IS_BUTTON (focus_of (visit))
         || g_strcmp0 (gtk_actionable_get_action_name (GTK_ACTIONABLE (focus_of (visit))), "kiosk.language") != 0)
    key ("Tab");
  for (guint i = 0; i < right; i++)
    key ("Right");
}

static const char *const language_names[] = { "Deutsch", "English", "Türkçe", "العربية", "Українська" };

static void
visit_by_keys (const char *lang, guint language_button, const char *form_id)
{
  Visit visit = { 0 };
  const char *reference;
  KioskForm *form;

  if (!visit_start (&visit, lang))
    return;
  form = kiosk_catalog_lookup (visit.kiosk->catalog, form_id);
  for (guint i = 0; i < form->elements->len; i++)
    {
      const KioskElement *element = g_ptr_array_index (form->elements, i);
      if (element->help != NULL)
        g_string_append_printf (visit.form_text, "%s\n%s\n", kiosk_text_get (element->help, "de"),
                                kiosk_text_get (element->help, lang));
    }

  /* Welcome: read in German; Tab to the language, Enter. */
  new_speech (&visit);
  assert_spoken (&visit, "Bitte wählen Sie Ihre Sprache");
  focus_language (&visit, language_button);
  /* Each language button is read as it gets the focus, in its own name. */
  new_speech (&visit);
  assert_spoken (&visit, language_names[language_button]);
  key ("Return");
  wait_screen (&visit, "catalog");
  g_assert_cmpstr (kiosk_i18n_get_language (), ==, lang);
  new_speech (&visit);
  assert_spoken (&visit, tr ("Which application would you like to make?"));

  /* The catalog: Tab to the form's tile, Enter. */
  for (guint i = 0; i < 40 && g_strcmp0 (kiosk_window_get_screen (visit.kiosk->window), "wizard") != 0; i++)
    {
      GtkWidget *focus = focus_of (&visit);
      GtkWidget *tile = focus != NULL ? gtk_widget_get_ancestor (focus, GTK_TYPE_BUTTON) : NULL;
      gboolean ours = tile != NULL && gtk_widget_has_css_class (tile, "tile")
                      && g_str_equal (kiosk_a11y_get_label (tile), kiosk_text_get (form->title, lang));
      key (ours ? "Return" : "Tab");
    }
  g_assert_cmpstr (kiosk_window_get_screen (visit.kiosk->window), ==, "wizard");

  fill_form_by_keys (&visit, form_id);

  /* The receipt, its reference spelled in groups. */
  g_assert_cmpstr (kiosk_window_get_screen (visit.kiosk->window), ==, "receipt");
  reference = kiosk_window_get_reference (visit.kiosk->window);
  new_speech (&visit);
  assert_spoken (&visit, tr ("Thank you!"));
  {
    g_autofree char *first = g_strdup_printf ("%c %c %c", reference[0], reference[1], reference[2]);
    assert_spoken (&visit, first);
  }
  /* Enter on "Done": welcome again, in German. */
  key ("Return");
  wait_screen (&visit, "welcome");
  new_speech (&visit);
  assert_spoken (&visit, "Bitte wählen Sie Ihre Sprache");
  visit_end (&visit);
}

static void
test_german (void)
{
  visit_by_keys ("de", 0, "anwohnerparkausweis");
}

static void
test_arabic (void)
{
  /* Deutsch, English, Türkçe, العربية: the fourth button. */
  visit_by_keys ("ar", 3, "anwohnerparkausweis");
}

/* The idle warning is read when it appears; the wipe stops speech and the
 * welcome screen is read again, in German. */
static void
test_idle_warning (void)
{
  Visit visit = { 0 };
  g_autofree char *warning = NULL;
  gint64 end;

  if (!visit_start (&visit, "en"))
    return;
  kiosk_window_set_idle_timeout (visit.kiosk->window, 4000, 2500);
  new_speech (&visit);
  focus_language (&visit, 1);
  new_speech (&visit);
  key ("Return");
  wait_screen (&visit, "catalog");
  end = g_get_monotonic_time () + 3 * G_USEC_PER_SEC;
  while (!kiosk_window_get_idle_warning (visit.kiosk->window) && g_get_monotonic_time () < end)
    kiosk_test_wait_ms (50);
  g_assert_true (kiosk_window_get_idle_warning (visit.kiosk->window));
  new_speech (&visit);
  /* "Are you still there? …": the catalogue's sentence up to the number. */
  warning = g_strdup (g_dngettext (GETTEXT_PACKAGE,
                                   "Are you still there? For your privacy, everything you entered will be deleted in %u second.",
                                   "Are you still there? For your privacy, everything you entered will be deleted in %u seconds.",
                                   2));
  *strchr (warning, '%') = '\0';
  assert_spoken (&visit, warning);
  /* The wipe: welcome, in German again. */
  end = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;
  while (g_strcmp0 (kiosk_window_get_screen (visit.kiosk->window), "welcome") != 0 && g_get_monotonic_time () < end)
    kiosk_test_wait_ms (50);
  g_assert_cmpstr (kiosk_window_get_screen (visit.kiosk->window), ==, "welcome");
  new_speech (&visit);
  assert_spoken (&visit, "Bitte wählen Sie Ihre Sprache");
  visit_end (&visit);
}

/* The clerk panel is for staff and has a PIN entry: nothing is read
 * there, and the PIN typed on the keys never reaches the transcript. */
static void
test_clerk_silent (void)
{
  Visit visit = { 0 };
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;

  if (!visit_start (&visit, "de"))
    return;
  kiosk_speech_wait_idle (kiosk_window_get_speech (visit.kiosk->window), 5000);
  /* (The gesture is a 3 s press on the logo; its action is the same.) */
  kiosk_test_activate (visit.kiosk, "kiosk.clerk", NULL);
  g_assert_cmpstr (kiosk_window_get_screen (visit.kiosk->window), ==, "clerk");
  kiosk_test_wait_ms (200);
  g_assert_true (g_file_get_contents (visit.transcript, &before, NULL, NULL));
  for (guint i = 0; i < 20 && !GTK_IS_PASSWORD_ENTRY (gtk_widget_get_parent (focus_of (&visit))); i++)
    key ("Tab");
  g_assert_true (GTK_IS_PASSWORD_ENTRY (gtk_widget_get_parent (focus_of (&visit))));
  xdo ((const char *const[]) { "type", "--delay", "15", "4711", NULL });
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (gtk_widget_get_parent (focus_of (&visit)))), ==, "4711");
  key ("Tab");
  key ("shift+Tab");
  kiosk_test_wait_ms (300);
  g_assert_true (g_file_get_contents (visit.transcript, &after, NULL, NULL));
  g_assert_cmpstr (after, ==, before);
  visit_end (&visit);
}

/* The volume and rate of the last transcript line. */
static void
last_voice (Visit *visit, gint64 *volume, gint64 *rate)
{
  g_autofree char *text = NULL;
  g_auto(GStrv) lines = NULL;
  g_autoptr(JsonNode) node = NULL;
  guint n;

  kiosk_speech_wait_idle (kiosk_window_get_speech (visit->kiosk->window), 5000);
  g_assert_true (g_file_get_contents (visit->transcript, &text, NULL, NULL));
  lines = g_strsplit (g_strstrip (text), "\n", -1);
  n = g_strv_length (lines);
  g_assert_cmpuint (n, >, 0);
  node = json_from_string (lines[n - 1], NULL);
  *volume = json_object_get_int_member (json_node_get_object (node), "volume");
  *rate = json_object_get_int_member (json_node_get_object (node), "rate");
}

static void
assert_said (Visit *visit, char *expected)
{
  new_speech (visit);
  assert_spoken (visit, expected);
  g_free (expected);
}

#define SAID_VOLUME(v) g_strdup_printf (_("Volume %u percent"), (guint) (v))
#define SAID_RATE(r) g_strdup_printf (_("Speaking rate %u words per minute"), (guint) (r))

/* EN 301 549 5.1.3.11 and 5.1.3.13: the visitor sets the volume (and the
 * rate) with keys alone, each change is said in the new voice, F2 then
 * repeats the screen (not the change) in it, the bounds hold, and the next
 * visitor starts with the configured voice. */
static void
test_voice_keys (void)
{
  Visit visit = { 0 };
  gint64 volume = 0, rate = 0;

  if (!visit_start (&visit, "en"))
    return;
  new_speech (&visit);
  focus_language (&visit, 1);
  new_speech (&visit);
  key ("Return");
  wait_screen (&visit, "catalog");
  new_speech (&visit);
  last_voice (&visit, &volume, &rate);
  g_assert_cmpint (volume, ==, KIOSK_SPEECH_VOLUME_DEFAULT);
  g_assert_cmpint (rate, ==, KIOSK_SPEECH_RATE_DEFAULT);

  key ("F4");
  key ("F4");
  assert_said (&visit, SAID_VOLUME (140));
  last_voice (&visit, &volume, &rate);
  g_assert_cmpint (volume, ==, 140);
  key ("F3");
  assert_said (&visit, SAID_VOLUME (120));
  /* a keypad's volume key */
  key ("XF86AudioRaiseVolume");
  assert_said (&visit, SAID_VOLUME (140));
  key ("F6");
  assert_said (&visit, SAID_RATE (KIOSK_SPEECH_RATE_DEFAULT + 20));
  key ("F5");
  key ("F5");
  assert_said (&visit, SAID_RATE (KIOSK_SPEECH_RATE_DEFAULT - 20));
  last_voice (&visit, &volume, &rate);
  g_assert_cmpint (volume, ==, 140);
  g_assert_cmpint (rate, ==, KIOSK_SPEECH_RATE_DEFAULT - 20);

  /* F2: the screen again, in the visitor's voice */
  key ("F2");
  new_speech (&visit);
  assert_spoken (&visit, tr ("Which application would you like to make?"));
  last_voice (&visit, &volume, &rate);
  g_assert_cmpint (volume, ==, 140);

  /* the bounds: 200 % at most, 20 % at least (never silent) */
  for (guint i = 0; i < 8; i++)
    key ("F4");
  assert_said (&visit, SAID_VOLUME (KIOSK_SPEECH_VOLUME_MAX));
  for (guint i = 0; i < 12; i++)
    key ("F3");
  assert_said (&visit, SAID_VOLUME (KIOSK_SPEAKER_VOLUME_LOW));

  /* the visitor leaves: the next one hears the configured voice */
  kiosk_test_activate (visit.kiosk, "kiosk.cancel", NULL);
  wait_screen (&visit, "welcome");
  new_speech (&visit);
  assert_spoken (&visit, "Bitte wählen Sie Ihre Sprache");
  last_voice (&visit, &volume, &rate);
  g_assert_cmpint (volume, ==, KIOSK_SPEECH_VOLUME_DEFAULT);
  g_assert_cmpint (rate, ==, KIOSK_SPEECH_RATE_DEFAULT);
  visit_end (&visit);
}

int
main (int argc, char **argv)
{
  gtk_test_init (&argc, &argv, NULL);
  kiosk_i18n_init ();
  g_test_add_func ("/antragskiosk/speech-keys/german", test_german);
  g_test_add_func ("/antragskiosk/speech-keys/arabic", test_arabic);
  g_test_add_func ("/antragskiosk/speech-keys/idle-warning", test_idle_warning);
  g_test_add_func ("/antragskiosk/speech-keys/clerk-silent", test_clerk_silent);
  g_test_add_func ("/antragskiosk/speech-keys/voice", test_voice_keys);
  return g_test_run ();
}
