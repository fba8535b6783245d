/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The whole visitor flow through the real widgets, for every bundled
 * form: the answers of tests/data/answers/<id>.json typed into the
 * wizard's fields page by page, Next refusing an empty page with errors
 * beside the fields, review, consent, submit, and the application found
 * in the queue. Then the privacy wipes: idle timeout and cancel leave no
 * typed text in any widget, in the clipboard or behind Back. */
#include "config.h"

#include "test-kiosk-util.h"

#define MARKER "Quarzschnepfe"

static void
collect_review_values_cb (GtkWidget *widget, gpointer data)
{
  if (GTK_IS_LABEL (widget) && gtk_widget_has_css_class (widget, "review-value"))
    g_string_append_printf (data, "%s\n", gtk_label_get_label (GTK_LABEL (widget)));
}

static void
collect_page_help_cb (GtkWidget *widget, gpointer data)
{
  if (GTK_IS_LABEL (widget) && gtk_widget_has_css_class (widget, "page-help") && gtk_widget_get_mapped (widget))
    g_ptr_array_add (data, (gpointer) gtk_label_get_label (GTK_LABEL (widget)));
}

/* A page's own help text is on screen under its title (it was dropped
 * before: forms.md has it, the wizard never showed it). */
static void
assert_page_help (KioskTestKiosk *kiosk, const KioskForm *form, const char *position)
{
  g_autoptr(GPtrArray) shown = g_ptr_array_new ();

  kiosk_test_walk (GTK_WIDGET (kiosk_window_get_wizard (kiosk->window)), collect_page_help_cb, shown);
  for (guint i = 0; i < form->pages->len; i++)
    {
      const KioskElement *page = g_ptr_array_index (form->pages, i);

      if (!g_str_equal (position + strlen ("page:"), page->id))
        continue;
      if (page->help == NULL)
        g_assert_cmpuint (shown->len, ==, 0);
      else
        {
          g_assert_cmpuint (shown->len, ==, 1);
          g_assert_cmpstr (g_ptr_array_index (shown, 0), ==, kiosk_text_get (page->help, "de"));
        }
      return;
    }
  g_error ("no page %s in the form", position);
}

static const char *
field_label (KioskField *field)
{
  GtkWidget *label = kiosk_test_find_css (GTK_WIDGET (field), "field-label");

  g_assert_nonnull (label);
  return gtk_label_get_label (GTK_LABEL (label));
}

static void
assert_required (KioskField *field, gboolean required)
{
  g_assert_cmpint (kiosk_field_get_required (field), ==, required);
  g_assert_cmpint (g_str_has_suffix (field_label (field), " *"), ==, required);
}

/* A field required by an expression shows its "*" when the expression
 * holds and loses it when it does not (it never showed one before):
 * Meldebescheinigung's e-mail "when no phone number is given" and back. */
static void
test_conditional_required (void)
{
  KioskTestKiosk *kiosk = kiosk_test_kiosk_new (NULL);
  g_autoptr(JsonParser) parser = NULL;
  JsonObject *answers = kiosk_test_load_answers ("meldebescheinigung", &parser);
  KioskWizard *wizard;
  KioskField *email, *telefon;

  kiosk_test_activate (kiosk, "kiosk.language", g_variant_new_string ("de"));
  kiosk_test_activate (kiosk, "kiosk.start-form", g_variant_new_string ("meldebescheinigung"));
  wizard = kiosk_window_get_wizard (kiosk->window);
  for (guint i = 0; i < 10 && g_strcmp0 (kiosk_wizard_get_position (wizard), "page:kontakt") != 0; i++)
    {
      kiosk_test_fill_page (kiosk, answers);
      kiosk_test_activate (kiosk, "wizard.next", NULL);
    }
  g_assert_cmpstr (kiosk_wizard_get_position (wizard), ==, "page:kontakt");
  email = kiosk_test_field_by_id (wizard, "email");
  telefon = kiosk_test_field_by_id (wizard, "telefon");
  g_assert_nonnull (email);
  g_assert_nonnull (telefon);
  /* neither given: each is required */
  assert_required (email, TRUE);
  assert_required (telefon, TRUE);
  /* a phone number: the e-mail is optional now */
  kiosk_test_set_field (telefon, "0351 4881234");
  kiosk_test_pump ();
  assert_required (email, FALSE);
  assert_required (telefon, TRUE);
  /* and back */
  kiosk_test_set_field (telefon, "");
  kiosk_test_pump ();
  assert_required (email, TRUE);
  kiosk_test_kiosk_free (kiosk);
}

static void
test_form_end_to_end (gconstpointer data)
{
  const char *form_id = data;
  KioskTestKiosk *kiosk = kiosk_test_kiosk_new (NULL);
  g_autoptr(JsonParser) parser = NULL;
  JsonObject *answers = kiosk_test_load_answers (form_id, &parser);
  g_autoptr(GError) error = NULL;
  g_autoptr(KioskQueueItem) item = NULL;
  KioskWizard *wizard;
  GtkWidget *consent;
  g_autofree char *first = NULL;
  guint pages = 0, help_pages = 0, legend_free_pages = 0;

  kiosk_test_activate (kiosk, "kiosk.language", g_variant_new_string ("de"));
  g_assert_cmpstr (kiosk_window_get_screen (kiosk->window), ==, "catalog");
  kiosk_test_activate (kiosk, "kiosk.start-form", g_variant_new_string (form_id));
  g_assert_cmpstr (kiosk_window_get_screen (kiosk->window), ==, "wizard");
  wizard = kiosk_window_get_wizard (kiosk->window);
  g_assert_nonnull (wizard);

  /* An empty first page: Next refuses and says why beside the fields. */
  first = g_strdup (kiosk_wizard_get_position (wizard));
  kiosk_test_activate (kiosk, "wizard.next", NULL);
  g_assert_cmpstr (kiosk_wizard_get_position (wizard), ==, first);
  g_assert_cmpuint (kiosk_test_count_errors (kiosk), >, 0);

  while (g_str_has_prefix (kiosk_wizard_get_position (wizard), "page:"))
    {
      g_autofree char *before = g_strdup (kiosk_wizard_get_position (wizard));
      assert_page_help (kiosk, kiosk_catalog_lookup (kiosk->catalog, form_id), before);
      /* "Fields marked with * …" on every page that has a required field:
       * all of the bundled forms' pages but the extended certificate's
       * choice of data, which has none (resources/forms/meldebescheinigung.json). */
      {
        gboolean without = g_str_equal (form_id, "meldebescheinigung") && g_str_equal (before, "page:erweitert");
        GtkWidget *legend = kiosk_test_find_css (GTK_WIDGET (wizard), "required-legend");

        g_assert_cmpint (legend != NULL, ==, !without);
        if (legend != NULL)
          g_assert_cmpstr (gtk_label_get_label (GTK_LABEL (legend)), ==, "Mit * markierte Felder m\xc3\xbcssen ausgef\xc3\xbcllt werden.");
        legend_free_pages += without;
      }
      if (g_str_equal (before, "page:anschrift") && g_str_equal (form_id, "meldebescheinigung"))
        help_pages++;
      kiosk_test_fill_page (kiosk, answers);
      /* Filled in: the first page's complaints (from the empty Next above)
       * went with the corrections, before Next is pressed again. */
      if (pages == 0)
        {
          g_assert_cmpuint (kiosk_test_count_errors (kiosk), ==, 0);
          g_assert_null (kiosk_test_find_css (GTK_WIDGET (wizard), "page-error"));
        }
      kiosk_test_activate (kiosk, "wizard.next", NULL);
      if (g_strcmp0 (before, kiosk_wizard_get_position (wizard)) == 0)
        g_error ("%s: Next refused page %s (%u errors)", form_id, before, kiosk_test_count_errors (kiosk));
      g_assert_cmpuint (kiosk_test_count_errors (kiosk), ==, 0);
      pages++;
    }
  g_assert_cmpuint (pages, >=, 2);
  /* (at least one page with help was really looked at) */
  if (g_str_equal (form_id, "meldebescheinigung"))
    {
      g_assert_cmpuint (help_pages, ==, 1);
      g_assert_cmpuint (legend_free_pages, ==, 1);
    }
  g_assert_cmpstr (kiosk_wizard_get_position (wizard), ==, "review");
  /* The review offers a way back to every page. */
  g_assert_nonnull (kiosk_test_find_css (GTK_WIDGET (wizard), "review-value"));
  /* It shows what the authority receives, in the visitor's forms: the
   * capital typed as "25000,00" is the amount 25.000,00 € (DIN 5008). */
  if (g_str_equal (form_id, "gewerbeanmeldung"))
    {
      g_autoptr(GString) values = g_string_new (NULL);

      kiosk_test_walk (GTK_WIDGET (wizard), collect_review_values_cb, values);
      g_assert_nonnull (strstr (values->str, "25.000,00 \xe2\x82\xac\n"));
      g_assert_null (strstr (values->str, "25000,00"));
      g_assert_nonnull (strstr (values->str, "14.03.1987\n"));
    }
  kiosk_test_activate (kiosk, "wizard.next", NULL);
  g_assert_cmpstr (kiosk_wizard_get_position (wizard), ==, "consent");
  /* No consent, no submission. */
  kiosk_test_activate (kiosk, "wizard.next", NULL);
  g_assert_cmpstr (kiosk_window_get_screen (kiosk->window), ==, "wizard");
  consent = kiosk_test_find_css (GTK_WIDGET (wizard), "consent");
  g_assert_nonnull (consent);
  gtk_check_button_set_active (GTK_CHECK_BUTTON (consent), TRUE);
  kiosk_test_activate (kiosk, "wizard.next", NULL);
  g_assert_cmpstr (kiosk_window_get_screen (kiosk->window), ==, "receipt");
  g_assert_nonnull (kiosk_window_get_reference (kiosk->window));

  item = kiosk_queue_get (kiosk->queue, kiosk_window_get_reference (kiosk->window), &error);
  g_assert_no_error (error);
  g_assert_cmpstr (item->form_id, ==, form_id);
  g_assert_cmpint (item->state, ==, KIOSK_QUEUE_STATE_QUEUED);
  g_assert_nonnull (item->data_jwe);

  /* The receipt screen says what is true: stored here until the sync has
   * delivered it, then delivered (read from the queue after a pass). */
  {
    GtkWidget *state = kiosk_test_find_css (GTK_WIDGET (kiosk->window), "receipt-state");
    const char *reference = kiosk_window_get_reference (kiosk->window);
    KioskSyncStatus status = { 0 };

    g_assert_nonnull (state);
    g_assert_cmpstr (gtk_label_get_label (GTK_LABEL (state)), ==,
                     "Ihr Antrag ist verschlüsselt auf diesem Terminal gespeichert. "
                     "Er wird automatisch an die Behörde übermittelt.");
    /* a pass that delivered nothing changes nothing */
    kiosk_window_set_sync_status (kiosk->window, &status);
    g_assert_cmpstr (gtk_label_get_label (GTK_LABEL (state)), ==,
                     "Ihr Antrag ist verschlüsselt auf diesem Terminal gespeichert. "
                     "Er wird automatisch an die Behörde übermittelt.");
    if (g_str_equal (form_id, "hundesteuer"))
      {
        g_assert_true (kiosk_queue_mark_failed (kiosk->queue, reference, "test: permanent error", &error));
        g_assert_no_error (error);
        kiosk_window_set_sync_status (kiosk->window, &status);
        g_assert_nonnull (strstr (gtk_label_get_label (GTK_LABEL (state)), "nicht automatisch"));
      }
    else
      {
        g_assert_true (kiosk_queue_mark_created (kiosk->queue, reference, "8a1b1f0e-2a41-4b7e-9c55-3f6f1d7e2b10",
                                                 "0c6f5a1e-7d2b-4c8e-a1f3-2b9d6e4c8a70", &error));
        g_assert_no_error (error);
        g_assert_true (kiosk_queue_mark_submitted (kiosk->queue, reference, &error));
        g_assert_no_error (error);
        /* while a pass runs the screen waits for its end */
        status.running = TRUE;
        kiosk_window_set_sync_status (kiosk->window, &status);
        g_assert_nonnull (strstr (gtk_label_get_label (GTK_LABEL (state)), "gespeichert"));
        status.running = FALSE;
        kiosk_window_set_sync_status (kiosk->window, &status);
        g_assert_cmpstr (gtk_label_get_label (GTK_LABEL (state)), ==, "Ihr Antrag wurde an die Behörde übermittelt.");
      }
  }

  kiosk_test_activate (kiosk, "kiosk.finish", NULL);
  g_assert_cmpstr (kiosk_window_get_screen (kiosk->window), ==, "welcome");
  kiosk_test_kiosk_free (kiosk);
}

static void
find_marker_cb (GtkWidget *widget, gpointer data)
{
  gboolean *found = data;
  const char *text = NULL;
  g_autofree char *owned = NULL;

  if (GTK_IS_EDITABLE (widget))
    text = gtk_editable_get_text (GTK_EDITABLE (widget));
  else if (GTK_IS_LABEL (widget))
    text = gtk_label_get_label (GTK_LABEL (widget));
  else if (GTK_IS_TEXT_VIEW (widget))
    {
      GtkTextIter start, end;
      GtkTextBuffer *buffer = gtk_text_view_get_buffer (GTK_TEXT_VIEW (widget));
      gtk_text_buffer_get_bounds (buffer, &start, &end);
      text = owned = gtk_text_buffer_get_text (buffer, &start, &end, TRUE);
    }
  if (text != NULL && strstr (text, MARKER) != NULL)
    *found = TRUE;
}

static void
clipboard_read_cb (GObject *source, GAsyncResult *result, gpointer data)
{
  char **out = data;

  *out = gdk_clipboard_read_text_finish (GDK_CLIPBOARD (source), result, NULL);
  if (*out == NULL)
    *out = g_strdup ("");
}

static void
assert_no_marker (KioskTestKiosk *kiosk)
{
  gboolean found = FALSE;
  g_autofree char *clip = NULL;
  GdkClipboard *clipboard = gtk_widget_get_clipboard (GTK_WIDGET (kiosk->window));
  gint64 end = g_get_monotonic_time () + G_USEC_PER_SEC * 2;

  kiosk_test_walk (GTK_WIDGET (kiosk->window), find_marker_cb, &found);
  g_assert_false (found);
  gdk_clipboard_read_text_async (clipboard, NULL, clipboard_read_cb, &clip);
  while (clip == NULL && g_get_monotonic_time () < end)
    g_main_context_iteration (NULL, FALSE);
  g_assert_true (clip == NULL || strstr (clip, MARKER) == NULL);
}

/* Starts hundesteuer, types the marker into the first fields and copies
 * it to the clipboard. */
static void
type_marker (KioskTestKiosk *kiosk)
{
  g_autoptr(GPtrArray) fields = NULL;
  guint typed = 0;

  kiosk_test_activate (kiosk, "kiosk.language", g_variant_new_string ("en"));
  kiosk_test_activate (kiosk, "kiosk.start-form", g_variant_new_string ("hundesteuer"));
  fields = kiosk_wizard_get_fields (kiosk_window_get_wizard (kiosk->window));
  for (guint i = 0; i < fields->len && typed < 2; i++)
    {
      GtkWidget *input = kiosk_field_get_input (g_ptr_array_index (fields, i));
      if (GTK_IS_EDITABLE (input))
        {
          gtk_editable_set_text (GTK_EDITABLE (input), MARKER);
          typed++;
        }
    }
  g_assert_cmpuint (typed, ==, 2);
  gdk_clipboard_set_text (gtk_widget_get_clipboard (GTK_WIDGET (kiosk->window)), MARKER);
  kiosk_test_pump ();
}

static void
assert_fresh_form (KioskTestKiosk *kiosk)
{
  g_autoptr(GPtrArray) fields = NULL;

  /* Behind Back: the same form started again is empty. */
  kiosk_test_activate (kiosk, "kiosk.language", g_variant_new_string ("en"));
  kiosk_test_activate (kiosk, "kiosk.start-form", g_variant_new_string ("hundesteuer"));
  kiosk_test_activate (kiosk, "wizard.back", NULL);
  assert_no_marker (kiosk);
  fields = kiosk_wizard_get_fields (kiosk_window_get_wizard (kiosk->window));
  for (guint i = 0; i < fields->len; i++)
    {
      KioskField *field = g_ptr_array_index (fields, i);
      guint instance = kiosk_field_get_instance (field);
      g_assert_null (kiosk_answers_get_value (kiosk_wizard_get_answers (kiosk_window_get_wizard (kiosk->window)),
                                              kiosk_field_get_element (field), &instance,
                                              instance == KIOSK_FIELD_NO_INSTANCE ? 0 : 1));
    }
}

static void
test_idle_wipe (void)
{
  KioskTestKiosk *kiosk = kiosk_test_kiosk_new (NULL);
  gint64 end;

  kiosk_window_set_idle_timeout (kiosk->window, 2500, 1500);
  type_marker (kiosk);
  /* The warning comes before the wipe, and "more time" holds it off. */
  kiosk_test_wait_ms (1400);
  g_assert_true (kiosk_window_get_idle_warning (kiosk->window));
  g_assert_cmpstr (kiosk_window_get_screen (kiosk->window), ==, "wizard");
  kiosk_test_activate (kiosk, "kiosk.more-time", NULL);
  g_assert_false (kiosk_window_get_idle_warning (kiosk->window));
  kiosk_test_wait_ms (900);
  g_assert_cmpstr (kiosk_window_get_screen (kiosk->window), ==, "wizard");
  end = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;
  while (g_strcmp0 (kiosk_window_get_screen (kiosk->window), "welcome") != 0 && g_get_monotonic_time () < end)
    kiosk_test_wait_ms (50);
  g_assert_cmpstr (kiosk_window_get_screen (kiosk->window), ==, "welcome");
  g_assert_null (kiosk_window_get_wizard (kiosk->window));
  g_assert_cmpstr (kiosk_i18n_get_language (), ==, "de");
  assert_no_marker (kiosk);
  assert_fresh_form (kiosk);
  kiosk_test_kiosk_free (kiosk);
}

static void
test_cancel_wipe (void)
{
  KioskTestKiosk *kiosk = kiosk_test_kiosk_new (NULL);

  type_marker (kiosk);
  kiosk_test_activate (kiosk, "wizard.cancel", NULL);
  g_assert_nonnull (kiosk_test_find_css (GTK_WIDGET (kiosk->window), "dialog-card"));
  /* "No, continue" keeps everything. */
  kiosk_test_activate (kiosk, "kiosk.cancel-abort", NULL);
  g_assert_cmpstr (kiosk_window_get_screen (kiosk->window), ==, "wizard");
  {
    gboolean found = FALSE;
    kiosk_test_walk (GTK_WIDGET (kiosk->window), find_marker_cb, &found);
    g_assert_true (found);
  }
  kiosk_test_activate (kiosk, "wizard.cancel", NULL);
  kiosk_test_activate (kiosk, "kiosk.cancel-confirm", NULL);
  g_assert_cmpstr (kiosk_window_get_screen (kiosk->window), ==, "welcome");
  assert_no_marker (kiosk);
  assert_fresh_form (kiosk);
  kiosk_test_kiosk_free (kiosk);
}

/* A page too long for one frame: 120 text fields, every one required;
 * field 100 asked only when field 0 says "ja". */
static KioskForm *
long_form (void)
{
  GString *json = g_string_new ("{\"format\":1,\"id\":\"lang\",\"version\":\"1.0.0\",\"leika\":\"unknown\","
                                "\"schema_uri\":\"https://example.org/lang.json\",\"category\":\"sonstiges\","
                                "\"title\":{\"de\":\"Lang\"},\"pages\":[{\"id\":\"p\",\"title\":{\"de\":\"Seite\"},"
                                "\"items\":[");
  g_autoptr(GError) error = NULL;
  KioskForm *form;

  for (guint i = 0; i < 120; i++)
    g_string_append_printf (json, "%s{\"id\":\"f%u\",\"kind\":\"text\",\"label\":{\"de\":\"Feld %u\"},"
                            "\"required\":true%s}", i ? "," : "", i, i,
                            i == 100 ? ",\"relevant\":\"f0 == 'ja'\"" : "");
  g_string_append (json, "]}]}");
  form = kiosk_form_load_data (json->str, json->len, "lang.json", NULL, &error);
  g_assert_no_error (error);
  g_string_free (json, TRUE);
  return form;
}

static guint
field_number (KioskField *field)
{
  return (guint) g_ascii_strtoull (kiosk_field_get_element (field)->id + 1, NULL, 10);
}

/* The first screenful at once, the rest over the next frames, in the
 * form's order, with conditions working on fields built later; Next
 * before the page is complete still checks (and marks) every field. */
static void
test_long_page (void)
{
  g_autoptr(KioskForm) form = long_form ();
  GtkWidget *window = gtk_window_new ();
  KioskWizard *wizard = kiosk_wizard_new (form, NULL, "2026-11-28");
  g_autoptr(GPtrArray) fields = NULL;
  KioskField *first;
  guint n = 0, errors = 0;
  gint64 deadline;

  gtk_window_set_default_size (GTK_WINDOW (window), 1280, 800);
  gtk_window_set_child (GTK_WINDOW (window), GTK_WIDGET (wizard));
  gtk_window_present (GTK_WINDOW (window));
  g_assert_false (kiosk_wizard_is_built (wizard));
  deadline = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;
  while (!kiosk_wizard_is_built (wizard) && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  g_assert_true (kiosk_wizard_is_built (wizard));

  fields = kiosk_wizard_get_fields (wizard);
  /* 119 shown: field 100 waits for field 0. */
  g_assert_cmpuint (fields->len, ==, 119);
  for (guint i = 0; i < fields->len; i++)
    {
      guint number = field_number (g_ptr_array_index (fields, i));
      g_assert_cmpuint (number, ==, i < 100 ? i : i + 1);
    }
  first = g_ptr_array_index (fields, 0);
  g_clear_pointer (&fields, g_ptr_array_unref);
  kiosk_test_set_field (first, "ja");
  fields = kiosk_wizard_get_fields (wizard);
  g_assert_cmpuint (fields->len, ==, 120);
  g_assert_cmpuint (field_number (g_ptr_array_index (fields, 100)), ==, 100);
  kiosk_test_set_field (first, "nein");
  g_clear_pointer (&fields, g_ptr_array_unref);
  fields = kiosk_wizard_get_fields (wizard);
  g_assert_cmpuint (fields->len, ==, 119);
  gtk_window_destroy (GTK_WINDOW (window));

  /* Next at once, before the frames built the rest. */
  window = gtk_window_new ();
  wizard = kiosk_wizard_new (form, NULL, "2026-11-28");
  gtk_window_set_child (GTK_WINDOW (window), GTK_WIDGET (wizard));
  gtk_window_present (GTK_WINDOW (window));
  g_assert_false (kiosk_wizard_is_built (wizard));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (wizard), "wizard.next", NULL));
  g_assert_true (kiosk_wizard_is_built (wizard));
  g_clear_pointer (&fields, g_ptr_array_unref);
  fields = kiosk_wizard_get_fields (wizard);
  for (guint i = 0; i < fields->len; i++)
    {
      n++;
      errors += kiosk_field_get_error (g_ptr_array_index (fields, i)) != NULL;
    }
  g_assert_cmpuint (n, ==, 119);
  g_assert_cmpuint (errors, ==, 119);
  /* The focus is on the first field to fix. */
  g_assert_true (gtk_widget_is_ancestor (gtk_root_get_focus (GTK_ROOT (window)),
                                         GTK_WIDGET (g_ptr_array_index (fields, 0))));
  gtk_window_destroy (GTK_WINDOW (window));
  kiosk_test_pump ();
}

int
main (int argc, char **argv)
{
  const char *forms[] = { "anwohnerparkausweis", "gewerbeanmeldung", "hundesteuer", "meldebescheinigung",
                          "wohnberechtigungsschein" };

  /* No accessibility bus for widget tests: parallel tests would share
   * (and race for) one; tests/test_kiosk_atspi.py covers AT-SPI. */
  g_setenv ("GTK_A11Y", "none", TRUE);
  gtk_test_init (&argc, &argv, NULL);
  kiosk_i18n_init ();
  for (guint i = 0; i < G_N_ELEMENTS (forms); i++)
    {
      g_autofree char *path = g_strdup_printf ("/antragskiosk/kiosk-flow/end-to-end/%s", forms[i]);
      g_test_add_data_func (path, forms[i], test_form_end_to_end);
    }
  g_test_add_func ("/antragskiosk/kiosk-flow/long-page", test_long_page);
  g_test_add_func ("/antragskiosk/kiosk-flow/conditional-required", test_conditional_required);
  g_test_add_func ("/antragskiosk/kiosk-flow/idle-wipe", test_idle_wipe);
  g_test_add_func ("/antragskiosk/kiosk-flow/cancel-wipe", test_cancel_wipe);
  return g_test_run ();
}
