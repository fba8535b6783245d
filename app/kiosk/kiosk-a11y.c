/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "antragskiosk-a11y"

#include "config.h"

#include "kiosk-a11y.h"

#define LABEL_KEY "kiosk-a11y-label"
#define DESCRIPTION_KEY "kiosk-a11y-description"

void
kiosk_a11y_set_label (GtkWidget *widget, const char *label)
{
  if (label != NULL)
    gtk_accessible_update_property (GTK_ACCESSIBLE (widget), GTK_ACCESSIBLE_PROPERTY_LABEL, label, -1);
  else
    gtk_accessible_reset_property (GTK_ACCESSIBLE (widget), GTK_ACCESSIBLE_PROPERTY_LABEL);
  g_object_set_data_full (G_OBJECT (widget), LABEL_KEY, g_strdup (label), g_free);
}

void
kiosk_a11y_set_description (GtkWidget *widget, const char *description)
{
  if (description != NULL)
    gtk_accessible_update_property (GTK_ACCESSIBLE (widget), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, description, -1);
  else
    gtk_accessible_reset_property (GTK_ACCESSIBLE (widget), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION);
  g_object_set_data_full (G_OBJECT (widget), DESCRIPTION_KEY, g_strdup (description), g_free);
}

const char *
kiosk_a11y_get_label (GtkWidget *widget)
{
  const char *label = g_object_get_data (G_OBJECT (widget), LABEL_KEY);

  if (label != NULL)
    return label;
  if (GTK_IS_BUTTON (widget))
    return gtk_button_get_label (GTK_BUTTON (widget));
  if (GTK_IS_CHECK_BUTTON (widget))
    return gtk_check_button_get_label (GTK_CHECK_BUTTON (widget));
  if (GTK_IS_LABEL (widget))
    return gtk_label_get_text (GTK_LABEL (widget));
  return NULL;
}

const char *
kiosk_a11y_get_description (GtkWidget *widget)
{
  return g_object_get_data (G_OBJECT (widget), DESCRIPTION_KEY);
}

static void
child_activated_cb (GtkFlowBox      *flow_box,
                    GtkFlowBoxChild *child,
                    gpointer         user_data)
{
  GtkWidget *widget = gtk_flow_box_child_get_child (child);

  if (widget != NULL && gtk_widget_is_sensitive (widget))
    gtk_widget_activate (widget);
}

/* Arrow keys move the focus onto the flow box's children themselves,
 * where Enter would do nothing: it activates the widget in the child. */
static gboolean
key_pressed_cb (GtkEventControllerKey *controller,
                guint                  keyval,
                guint                  keycode,
                GdkModifierType        state,
                gpointer               user_data)
{
  GtkWidget *flow_box = gtk_event_controller_get_widget (GTK_EVENT_CONTROLLER (controller));
  GtkWidget *focus = gtk_root_get_focus (gtk_widget_get_root (flow_box));

  if (keyval != GDK_KEY_Return && keyval != GDK_KEY_KP_Enter && keyval != GDK_KEY_ISO_Enter
      && keyval != GDK_KEY_space && keyval != GDK_KEY_KP_Space)
    return GDK_EVENT_PROPAGATE;
  if (!GTK_IS_FLOW_BOX_CHILD (focus) || gtk_widget_get_parent (focus) != flow_box)
    return GDK_EVENT_PROPAGATE;
  child_activated_cb (GTK_FLOW_BOX (flow_box), GTK_FLOW_BOX_CHILD (focus), NULL);
  return GDK_EVENT_STOP;
}

void
kiosk_a11y_flow_box_activates (GtkFlowBox *flow_box)
{
  GtkEventController *keys = gtk_event_controller_key_new ();

  g_signal_connect (flow_box, "child-activated", G_CALLBACK (child_activated_cb), NULL);
  g_signal_connect (keys, "key-pressed", G_CALLBACK (key_pressed_cb), NULL);
  gtk_event_controller_set_propagation_phase (keys, GTK_PHASE_CAPTURE);
  gtk_widget_add_controller (GTK_WIDGET (flow_box), keys);
}
