/* SPDX-License-Identifier: GPL-3.0-or-later */

#define G_LOG_DOMAIN "belfry-dialer"

#include "config.h"

#include "belfry-dialer.h"

/**
 * BelfryDialer:
 *
 * Where a call starts: the address entry, the dial pad behind its toggle,
 * the Call button and the error that a refused address gets. Call and
 * Enter in the entry activate `win.call`, which reads
 * belfry_dialer_get_address(); the dial pad's keys (`dialer.digit`) type
 * into the entry.
 */

enum {
  PROP_0,
  PROP_DIAL_PAD_VISIBLE,
  N_PROPS
};

static GParamSpec *props[N_PROPS];

struct _BelfryDialer {
  GtkWidget parent_instance;

  /* The template's root, which disposing the template unparents. */
  GtkWidget *box;
  GtkEntry *address_entry;
  GtkToggleButton *dialpad_button;
  GtkWidget *call_button;
  GtkLabel *error_label;
  GtkGrid *dialpad;
};

G_DEFINE_FINAL_TYPE (BelfryDialer, belfry_dialer, GTK_TYPE_WIDGET)

static void
on_address_entry_activate (BelfryDialer *self)
{
  gtk_widget_activate_action (GTK_WIDGET (self), "win.call", NULL);
}

static void
on_address_entry_changed (BelfryDialer *self)
{
  belfry_dialer_show_error (self, NULL);
}

/* The dial pad's keys are made the first time it is shown: hidden, they
 * would still be measured on the way to the window's first frame. */
static void
on_dialpad_toggled (BelfryDialer *self)
{
  static const char *digits = "123456789*0#";

  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_DIAL_PAD_VISIBLE]);
  if (!gtk_toggle_button_get_active (self->dialpad_button) ||
      gtk_widget_get_first_child (GTK_WIDGET (self->dialpad)) != NULL)
    return;

  for (guint i = 0; digits[i] != '\0'; i++) {
    char digit[2] = { digits[i], '\0' };
    GtkWidget *button = gtk_button_new_with_label (digit);

    gtk_actionable_set_action_target (GTK_ACTIONABLE (button), "s", digit);
    gtk_actionable_set_action_name (GTK_ACTIONABLE (button), "dialer.digit");
    gtk_widget_set_size_request (button, 64, 48);
    gtk_grid_attach (self->dialpad, button, i % 3, i / 3, 1, 1);
  }
}

static void
digit_action (GtkWidget  *widget,
              const char *action_name,
              GVariant   *parameter)
{
  BelfryDialer *self = BELFRY_DIALER (widget);
  int position = -1;

  gtk_editable_insert_text (GTK_EDITABLE (self->address_entry), g_variant_get_string (parameter, NULL), -1,
                            &position);
}

static void
belfry_dialer_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  BelfryDialer *self = BELFRY_DIALER (object);

  switch (prop_id) {
  case PROP_DIAL_PAD_VISIBLE:
    g_value_set_boolean (value, belfry_dialer_get_dial_pad_visible (self));
    break;
  default:
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
  }
}

static void
belfry_dialer_set_property (GObject      *object,
                            guint         prop_id,
                            const GValue *value,
                            GParamSpec   *pspec)
{
  BelfryDialer *self = BELFRY_DIALER (object);

  switch (prop_id) {
  case PROP_DIAL_PAD_VISIBLE:
    belfry_dialer_set_dial_pad_visible (self, g_value_get_boolean (value));
    break;
  default:
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
  }
}

static void
belfry_dialer_dispose (GObject *object)
{
  gtk_widget_dispose_template (GTK_WIDGET (object), BELFRY_TYPE_DIALER);

  G_OBJECT_CLASS (belfry_dialer_parent_class)->dispose (object);
}

static void
belfry_dialer_class_init (BelfryDialerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->get_property = belfry_dialer_get_property;
  object_class->set_property = belfry_dialer_set_property;
  object_class->dispose = belfry_dialer_dispose;

  /**
   * BelfryDialer:dial-pad-visible:
   *
   * Whether the dial pad shows below the entry.
   */
  props[PROP_DIAL_PAD_VISIBLE] =
    g_param_spec_boolean ("dial-pad-visible", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, props);

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PATH "/belfry-dialer.ui");
  gtk_widget_class_bind_template_child (widget_class, BelfryDialer, box);
  gtk_widget_class_bind_template_child (widget_class, BelfryDialer, address_entry);
  gtk_widget_class_bind_template_child (widget_class, BelfryDialer, dialpad_button);
  gtk_widget_class_bind_template_child (widget_class, BelfryDialer, call_button);
  gtk_widget_class_bind_template_child (widget_class, BelfryDialer, error_label);
  gtk_widget_class_bind_template_child (widget_class, BelfryDialer, dialpad);
  gtk_widget_class_bind_template_callback (widget_class, on_address_entry_activate);
  gtk_widget_class_bind_template_callback (widget_class, on_address_entry_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_dialpad_toggled);
  gtk_widget_class_install_action (widget_class, "dialer.digit", "s", digit_action);
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
}

static void
belfry_dialer_init (BelfryDialer *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

GtkWidget *
belfry_dialer_new (void)
{
  return g_object_new (BELFRY_TYPE_DIALER, NULL);
}

/**
 * belfry_dialer_get_address:
 * @self: the dialer
 *
 * Returns: what the entry holds
 */
const char *
belfry_dialer_get_address (BelfryDialer *self)
{
  g_return_val_if_fail (BELFRY_IS_DIALER (self), NULL);

  return gtk_editable_get_text (GTK_EDITABLE (self->address_entry));
}

/**
 * belfry_dialer_set_address:
 * @self: the dialer
 * @address: what the entry is to hold
 *
 * Replaces the entry's text.
 */
void
belfry_dialer_set_address (BelfryDialer *self,
                           const char   *address)
{
  g_return_if_fail (BELFRY_IS_DIALER (self));

  gtk_editable_set_text (GTK_EDITABLE (self->address_entry), address != NULL ? address : "");
}

/**
 * belfry_dialer_type:
 * @self: the dialer
 * @text: what was typed
 *
 * Gives the entry the focus and adds @text at its end, as typing into it
 * would.
 */
void
belfry_dialer_type (BelfryDialer *self,
                    const char   *text)
{
  int position = -1;

  g_return_if_fail (BELFRY_IS_DIALER (self));

  gtk_widget_grab_focus (GTK_WIDGET (self->address_entry));
  gtk_editable_insert_text (GTK_EDITABLE (self->address_entry), text, -1, &position);
  gtk_editable_set_position (GTK_EDITABLE (self->address_entry), -1);
}

/**
 * belfry_dialer_focus:
 * @self: the dialer
 *
 * Gives the entry the keyboard focus.
 */
void
belfry_dialer_focus (BelfryDialer *self)
{
  g_return_if_fail (BELFRY_IS_DIALER (self));

  gtk_widget_grab_focus (GTK_WIDGET (self->address_entry));
}

/**
 * belfry_dialer_show_error:
 * @self: the dialer
 * @message: (nullable): why the address was refused, or %NULL
 *
 * Shows @message below the entry, which turns red, or hides it. Editing
 * the address hides it too.
 */
void
belfry_dialer_show_error (BelfryDialer *self,
                          const char   *message)
{
  g_return_if_fail (BELFRY_IS_DIALER (self));

  gtk_label_set_label (self->error_label, message ? message : "");
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), message != NULL);
  if (message != NULL)
    gtk_widget_add_css_class (GTK_WIDGET (self->address_entry), "error");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self->address_entry), "error");
}

gboolean
belfry_dialer_get_dial_pad_visible (BelfryDialer *self)
{
  g_return_val_if_fail (BELFRY_IS_DIALER (self), FALSE);

  return gtk_toggle_button_get_active (self->dialpad_button);
}

void
belfry_dialer_set_dial_pad_visible (BelfryDialer *self,
                                    gboolean      visible)
{
  g_return_if_fail (BELFRY_IS_DIALER (self));

  /* The toggle notifies through on_dialpad_toggled() when it changes. */
  gtk_toggle_button_set_active (self->dialpad_button, visible);
}

/**
 * belfry_dialer_get_call_button:
 * @self: the dialer
 *
 * Returns: (transfer none): the Call button, which a link from another
 *   program focuses so that Enter confirms the call
 */
GtkWidget *
belfry_dialer_get_call_button (BelfryDialer *self)
{
  g_return_val_if_fail (BELFRY_IS_DIALER (self), NULL);

  return self->call_button;
}
