/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The review page's list of answers (kiosk-wizard.c shows the page). */
#define G_LOG_DOMAIN "antragskiosk-wizard"

#include "config.h"

#include <glib/gi18n-lib.h>

#include <antragskiosk/display.h>

#include "kiosk-field.h"
#include "kiosk-wizard-review.h"

/* The answer as the authority will receive it (the canonical value), in
 * the visitor's language and formats: the formatter of the summary PDF
 * (display.h), so that the review shows what is sent. */
static char *
display_value (KioskAnswers *answers, const KioskElement *element, guint instance, const char *today)
{
  guint n = instance == KIOSK_FIELD_NO_INSTANCE ? 0 : 1;
  char *canonical = kiosk_answers_get_canonical (answers, element, &instance, n, today);
  char *text;

  /* no canonical value: empty (or, before validation, not valid yet) */
  if (canonical == NULL)
    return kiosk_display_value (element, kiosk_answers_get_value (answers, element, &instance, n),
                                KIOSK_DISPLAY_FOR_VISITOR);
  text = kiosk_display_value (element, canonical, KIOSK_DISPLAY_FOR_VISITOR);
  kiosk_display_free (canonical);
  return text;
}

void
_kiosk_wizard_review_append (KioskAnswers       *answers,
                             const char         *today,
                             GtkWidget          *box,
                             const KioskElement *container,
                             guint               instance)
{
  for (guint i = 0; i < container->children->len; i++)
    {
      const KioskElement *child = g_ptr_array_index (container->children, i);

      if (kiosk_element_is_repeatable (child))
        {
          guint n;
          if (!kiosk_answers_is_relevant (answers, child, NULL, 0, today))
            continue;
          n = kiosk_answers_count_instances (answers, child);
          for (guint j = 0; j < n; j++)
            {
              g_autofree char *title = g_strdup_printf ("%s %u", kiosk_text_get (child->label, NULL), j + 1);
              GtkWidget *heading = gtk_label_new (title);
              gtk_label_set_xalign (GTK_LABEL (heading), 0);
              gtk_widget_add_css_class (heading, "group-title");
              gtk_box_append (GTK_BOX (box), heading);
              _kiosk_wizard_review_append (answers, today, box, child, j);
            }
        }
      else if (child->kind == KIOSK_KIND_GROUP)
        {
          if (kiosk_answers_is_relevant (answers, child, &instance,
                                         instance == KIOSK_FIELD_NO_INSTANCE ? 0 : 1, today))
            _kiosk_wizard_review_append (answers, today, box, child, instance);
        }
      else if (kiosk_kind_is_input (child->kind)
               && kiosk_answers_is_relevant (answers, child, &instance,
                                             instance == KIOSK_FIELD_NO_INSTANCE ? 0 : 1, today))
        {
          GtkWidget *row = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);
          GtkWidget *label = gtk_label_new (kiosk_text_get (child->label, NULL));
          char *text = display_value (answers, child, instance, today);
          GtkWidget *value = gtk_label_new (text);

          gtk_widget_add_css_class (row, "review-row");
          gtk_label_set_xalign (GTK_LABEL (label), 0);
          gtk_label_set_wrap (GTK_LABEL (label), TRUE);
          gtk_widget_add_css_class (label, "review-label");
          gtk_label_set_xalign (GTK_LABEL (value), 0);
          gtk_label_set_wrap (GTK_LABEL (value), TRUE);
          gtk_label_set_wrap_mode (GTK_LABEL (value), PANGO_WRAP_WORD_CHAR);
          gtk_widget_add_css_class (value, "review-value");
          gtk_box_append (GTK_BOX (row), label);
          gtk_box_append (GTK_BOX (row), value);
          gtk_box_append (GTK_BOX (box), row);
          kiosk_display_free (text);
        }
    }
}
