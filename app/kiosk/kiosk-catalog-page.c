/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "antragskiosk-catalog"

#include "config.h"

#include <string.h>
#include <glib/gi18n-lib.h>

#include "kiosk-a11y.h"
#include "kiosk-catalog-page.h"

struct _KioskCatalogPage {
  GtkBox          parent_instance;
  GPtrArray      *forms;        /* KioskForm*, borrowed */
  GHashTable     *unavailable;  /* form id -> reason ("" for the general one) */
  GtkLabel       *catalog_title;
  GtkSearchEntry *search_entry;
  GtkBox         *catalog_box;
  GtkButton      *catalog_back;
};

G_DEFINE_FINAL_TYPE (KioskCatalogPage, kiosk_catalog_page, GTK_TYPE_BOX)

static const char *
category_title (const char *category)
{
  if (g_strcmp0 (category, "meldewesen") == 0) return _("Registration");
  if (g_strcmp0 (category, "verkehr") == 0) return _("Traffic and parking");
  if (g_strcmp0 (category, "steuern") == 0) return _("Taxes");
  if (g_strcmp0 (category, "abfall") == 0) return _("Waste");
  if (g_strcmp0 (category, "gewerbe") == 0) return _("Business");
  if (g_strcmp0 (category, "soziales") == 0) return _("Social matters");
  return _("Other");
}

static gboolean
form_matches (KioskForm *form, const char *query)
{
  g_autofree char *needle = NULL;
  g_autofree char *title = NULL;
  g_autofree char *description = NULL;

  if (query == NULL || *query == '\0')
    return TRUE;
  needle = g_utf8_casefold (query, -1);
  title = g_utf8_casefold (kiosk_text_get (form->title, NULL), -1);
  if (strstr (title, needle) != NULL)
    return TRUE;
  if (form->description != NULL)
    {
      description = g_utf8_casefold (kiosk_text_get (form->description, NULL), -1);
      return strstr (description, needle) != NULL;
    }
  return FALSE;
}

static GtkWidget *
wrapped_label (const char *text, const char *css_class)
{
  GtkWidget *label = gtk_label_new (text);

  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  /* A German compound ("Wohnberechtigungsschein") can be wider than a tile
   * at the largest text: broken inside the word (Pango adds the hyphen)
   * rather than widening the window past the screen. */
  gtk_label_set_wrap_mode (GTK_LABEL (label), PANGO_WRAP_WORD_CHAR);
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_widget_add_css_class (label, css_class);
  return label;
}

static GtkWidget *
tile_new (KioskForm *form, const char *unavailable_reason)
{
  GtkWidget *button = gtk_button_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 8);

  gtk_box_append (GTK_BOX (box), wrapped_label (kiosk_text_get (form->title, NULL), "form-title"));
  if (form->description != NULL)
    gtk_box_append (GTK_BOX (box), wrapped_label (kiosk_text_get (form->description, NULL), "form-description"));
  gtk_button_set_child (GTK_BUTTON (button), box);
  gtk_widget_add_css_class (button, "tile");
  gtk_widget_set_size_request (button, 320, -1);
  gtk_widget_set_valign (button, GTK_ALIGN_START);
  kiosk_a11y_set_label (button, kiosk_text_get (form->title, NULL));
  if (unavailable_reason != NULL)
    {
      /* Out of service: shown, with the reason, but it cannot be taken. */
      const char *reason = *unavailable_reason != '\0' ? unavailable_reason
                                                       : _("Out of service – please ask at the counter");
      gtk_box_append (GTK_BOX (box), wrapped_label (reason, "form-unavailable"));
      kiosk_a11y_set_description (button, reason);
      gtk_widget_add_css_class (button, "unavailable");
      gtk_widget_set_sensitive (button, FALSE);
      return button;
    }
  gtk_actionable_set_action_name (GTK_ACTIONABLE (button), "kiosk.start-form");
  gtk_actionable_set_action_target (GTK_ACTIONABLE (button), "s", form->id);
  return button;
}

static GtkWidget *
category_flow_new (void)
{
  GtkWidget *flow = gtk_flow_box_new ();

  gtk_flow_box_set_selection_mode (GTK_FLOW_BOX (flow), GTK_SELECTION_NONE);
  gtk_flow_box_set_homogeneous (GTK_FLOW_BOX (flow), TRUE);
  gtk_flow_box_set_min_children_per_line (GTK_FLOW_BOX (flow), 2);
  gtk_flow_box_set_max_children_per_line (GTK_FLOW_BOX (flow), 3);
  gtk_flow_box_set_column_spacing (GTK_FLOW_BOX (flow), 16);
  gtk_flow_box_set_row_spacing (GTK_FLOW_BOX (flow), 16);
  kiosk_a11y_flow_box_activates (GTK_FLOW_BOX (flow));
  return flow;
}

static void
populate (KioskCatalogPage *self)
{
  const char *query = gtk_editable_get_text (GTK_EDITABLE (self->search_entry));
  const char *category = NULL;
  GtkWidget *flow = NULL;
  GtkWidget *child;
  guint shown = 0;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->catalog_box))) != NULL)
    gtk_box_remove (self->catalog_box, child);
  for (guint i = 0; self->forms != NULL && i < self->forms->len; i++)
    {
      KioskForm *form = g_ptr_array_index (self->forms, i);

      if (!form_matches (form, query))
        continue;
      if (flow == NULL || g_strcmp0 (category, form->category) != 0)
        {
          GtkWidget *heading = gtk_label_new (category_title (form->category));
          gtk_label_set_xalign (GTK_LABEL (heading), 0);
          gtk_widget_add_css_class (heading, "category-title");
          gtk_box_append (self->catalog_box, heading);
          flow = category_flow_new ();
          gtk_box_append (self->catalog_box, flow);
          category = form->category;
        }
      gtk_flow_box_append (GTK_FLOW_BOX (flow), tile_new (form, g_hash_table_lookup (self->unavailable, form->id)));
      shown++;
    }
  if (shown == 0)
    {
      GtkWidget *none = gtk_label_new (_("No application matches your search."));
      gtk_label_set_xalign (GTK_LABEL (none), 0);
      gtk_box_append (self->catalog_box, none);
    }
}

static void
search_changed_cb (GtkSearchEntry   *entry,
                   KioskCatalogPage *self)
{
  populate (self);
}

static void
kiosk_catalog_page_dispose (GObject *object)
{
  KioskCatalogPage *self = KIOSK_CATALOG_PAGE (object);

  gtk_widget_dispose_template (GTK_WIDGET (self), KIOSK_TYPE_CATALOG_PAGE);
  G_OBJECT_CLASS (kiosk_catalog_page_parent_class)->dispose (object);
}

static void
kiosk_catalog_page_finalize (GObject *object)
{
  KioskCatalogPage *self = KIOSK_CATALOG_PAGE (object);

  g_clear_pointer (&self->forms, g_ptr_array_unref);
  g_clear_pointer (&self->unavailable, g_hash_table_unref);
  G_OBJECT_CLASS (kiosk_catalog_page_parent_class)->finalize (object);
}

static void
kiosk_catalog_page_class_init (KioskCatalogPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = kiosk_catalog_page_dispose;
  object_class->finalize = kiosk_catalog_page_finalize;
  gtk_widget_class_set_template_from_resource (widget_class, "/de/antragskiosk/kiosk/ui/kiosk-catalog-page.ui");
  gtk_widget_class_bind_template_child (widget_class, KioskCatalogPage, catalog_title);
  gtk_widget_class_bind_template_child (widget_class, KioskCatalogPage, search_entry);
  gtk_widget_class_bind_template_child (widget_class, KioskCatalogPage, catalog_box);
  gtk_widget_class_bind_template_child (widget_class, KioskCatalogPage, catalog_back);
  gtk_widget_class_bind_template_callback (widget_class, search_changed_cb);
}

static void
kiosk_catalog_page_init (KioskCatalogPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->unavailable = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
}

KioskCatalogPage *
kiosk_catalog_page_new (void)
{
  return g_object_new (KIOSK_TYPE_CATALOG_PAGE, NULL);
}

void
kiosk_catalog_page_set_forms (KioskCatalogPage *self, GPtrArray *forms)
{
  g_clear_pointer (&self->forms, g_ptr_array_unref);
  self->forms = forms != NULL ? g_ptr_array_ref (forms) : NULL;
  populate (self);
}

void
kiosk_catalog_page_set_form_available (KioskCatalogPage *self,
                                       const char       *form_id,
                                       gboolean          available,
                                       const char       *reason)
{
  g_return_if_fail (form_id != NULL);

  if (available)
    g_hash_table_remove (self->unavailable, form_id);
  else
    g_hash_table_replace (self->unavailable, g_strdup (form_id), g_strdup (reason != NULL ? reason : ""));
  populate (self);
}

gboolean
kiosk_catalog_page_get_form_available (KioskCatalogPage *self,
                                       const char       *form_id)
{
  gboolean offered = FALSE;

  for (guint i = 0; self->forms != NULL && i < self->forms->len; i++)
    if (g_strcmp0 (((KioskForm *) g_ptr_array_index (self->forms, i))->id, form_id) == 0)
      offered = TRUE;
  return offered && !g_hash_table_contains (self->unavailable, form_id);
}

void
kiosk_catalog_page_reset (KioskCatalogPage *self)
{
  gtk_editable_set_text (GTK_EDITABLE (self->search_entry), "");
  populate (self);
}

void
kiosk_catalog_page_retranslate (KioskCatalogPage *self)
{
  gtk_label_set_label (self->catalog_title, _("Which application would you like to make?"));
  kiosk_a11y_set_label (GTK_WIDGET (self->search_entry), _("Search applications"));
  g_object_set (self->search_entry, "placeholder-text", _("Search applications"), NULL);
  gtk_button_set_label (self->catalog_back, _("Change language"));
}

void
kiosk_catalog_page_focus_first (KioskCatalogPage *self)
{
  GtkWidget *flow = gtk_widget_get_first_child (GTK_WIDGET (self->catalog_box));

  while (flow != NULL && !GTK_IS_FLOW_BOX (flow))
    flow = gtk_widget_get_next_sibling (flow);
  if (flow != NULL)
    gtk_widget_child_focus (flow, GTK_DIR_TAB_FORWARD);
}
