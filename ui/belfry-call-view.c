/* SPDX-License-Identifier: GPL-3.0-or-later */

#define G_LOG_DOMAIN "belfry-call-view"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "belfry-call-manager.h"
#include "belfry-call-view.h"
#include "belfry-invitation.h"
#include "belfry-sip-error.h"

/**
 * BelfryCallView:
 *
 * One call: who it is with, its state in words, how long it has lasted,
 * the codec, and the buttons to hang up, hold and resume, send tones and
 * transfer; while a call rings here, only Decline and Accept. The buttons
 * name actions (`call.hang-up`, `call.accept`, `call.hold`, `call.dtmf`,
 * `call.transfer`), so shortcuts and tests reach the same
 * code as a click. Hold shows what the peer agreed to: it turns into
 * Resume only once the re-INVITE is answered. With a
 * #BelfryCallView:call-manager, hold and resume go through it, and a hold
 * that it makes by itself (call waiting) shows here too.
 */

enum {
  PROP_0,
  PROP_SESSION,
  PROP_CALL_MANAGER,
  PROP_ON_HOLD,
  PROP_OTHER_SESSION,
  N_PROPS
};

static GParamSpec *props[N_PROPS];

struct _BelfryCallView {
  GtkWidget parent_instance;

  BelfrySession *session;
  BelfryCallManager *call_manager;
  /* The other call, when there are two: an attended transfer joins them. */
  BelfrySession *other_session;
  GCancellable *cancellable;
  gboolean on_hold;
  gboolean hold_pending;
  gboolean hold_wanted;
  gint64 established_at;
  guint duration_id;
  GBinding *codec_binding;
  GBinding *mute_binding;

  GtkWidget *box;
  AdwAvatar *avatar;
  GtkLabel *name_label;
  GtkLabel *address_label;
  GtkLabel *state_label;
  GtkLabel *duration_label;
  GtkLabel *codec_label;
  GtkLabel *tones_label;
  GtkButton *hold_button;
  GtkButton *hang_up_button;
  GtkWidget *accept_button;
  gboolean accepting;
  GtkToggleButton *mute_button;
  GtkWidget *keypad_button;
  GtkGrid *keypad;
  GtkWidget *transfer_button;
  GtkPopover *transfer_popover;
  GtkButton *attended_button;
  GtkEntry *transfer_entry;
};

G_DEFINE_FINAL_TYPE (BelfryCallView, belfry_call_view, GTK_TYPE_WIDGET)

static gboolean
handler_flag (BelfryCallView *self,
              const char     *name)
{
  BelfrySessionDescriptionHandler *handler = belfry_session_get_session_description_handler (self->session);
  gboolean value = FALSE;

  /* The media handler's hold flags, when it has them: the view does not
   * know the handler's type. */
  if (handler != NULL && g_object_class_find_property (G_OBJECT_GET_CLASS (handler), name) != NULL)
    g_object_get (handler, name, &value, NULL);
  return value;
}

static void
update_identity (BelfryCallView *self)
{
  BelfryNameAddr *identity = belfry_session_get_asserted_identity (self->session);
  g_autofree char *name = NULL;
  g_autofree char *uri = NULL;

  if (identity == NULL)
    identity = belfry_session_get_remote_identity (self->session);
  if (identity == NULL)
    return;

  name = belfry_name_addr_dup_friendly_name (identity);
  uri = belfry_name_addr_dup_uri (identity);
  gtk_label_set_label (self->name_label, name);
  gtk_label_set_label (self->address_label, uri);
  adw_avatar_set_text (self->avatar, name);
}

static void
update_duration (BelfryCallView *self)
{
  gint64 seconds = (g_get_monotonic_time () - self->established_at) / G_USEC_PER_SEC;
  g_autofree char *text = NULL;

  if (seconds >= 3600)
    text = g_strdup_printf ("%" G_GINT64_FORMAT ":%02d:%02d", seconds / 3600,
                            (int) (seconds / 60 % 60), (int) (seconds % 60));
  else
    text = g_strdup_printf ("%d:%02d", (int) (seconds / 60), (int) (seconds % 60));
  gtk_label_set_label (self->duration_label, text);
}

static gboolean
duration_tick_cb (gpointer data)
{
  update_duration (data);
  return G_SOURCE_CONTINUE;
}

static void
on_codec_changed (GtkLabel *label)
{
  gtk_widget_set_visible (GTK_WIDGET (label), *gtk_label_get_label (label) != '\0');
}

static void
update_state (BelfryCallView *self)
{
  BelfrySessionState state = belfry_session_get_state (self->session);
  gboolean incoming = BELFRY_IS_INVITATION (self->session);
  gboolean established = state == BELFRY_SESSION_STATE_ESTABLISHED;
  gboolean remote_hold = established && handler_flag (self, "remote-hold");
  gboolean rings_here = incoming && state < BELFRY_SESSION_STATE_ESTABLISHED;
  const char *text = NULL;

  switch (state) {
  case BELFRY_SESSION_STATE_INITIAL:
    text = incoming ? _("Incoming call") : _("Calling…");
    break;
  case BELFRY_SESSION_STATE_ESTABLISHING:
    text = incoming ? _("Incoming call") : _("Ringing…");
    break;
  case BELFRY_SESSION_STATE_ESTABLISHED:
    if (self->on_hold)
      text = _("On hold");
    else if (remote_hold)
      /* Translators: the other side put the call on hold. */
      text = _("Held by the other side");
    else
      text = _("Connected");
    break;
  case BELFRY_SESSION_STATE_TERMINATING:
    text = _("Ending…");
    break;
  case BELFRY_SESSION_STATE_TERMINATED:
  default:
    text = _("Call ended");
    break;
  }
  gtk_label_set_label (self->state_label, text);
  /* Until there is a duration or a codec to tell, their lines take no room. */
  gtk_widget_set_visible (GTK_WIDGET (self->duration_label), self->established_at != 0 || established);

  if (established && self->duration_id == 0 && self->established_at == 0) {
    self->established_at = g_get_monotonic_time ();
    update_duration (self);
    self->duration_id = g_timeout_add_seconds (1, duration_tick_cb, self);
  } else if (state >= BELFRY_SESSION_STATE_TERMINATING) {
    g_clear_handle_id (&self->duration_id, g_source_remove);
  }

  gtk_button_set_label (self->hold_button, self->on_hold ? _("_Resume") : _("_Hold"));
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->hold_button),
                               self->on_hold ? _("Take the call back") : _("Put the call on hold"));
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "call.hold", established && !self->hold_pending);
  gtk_widget_set_sensitive (GTK_WIDGET (self->mute_button), established && self->mute_binding != NULL);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "call.dtmf", established);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "call.transfer", established);
  /* Their pop-overs hold only keys and addresses for a call in progress. */
  gtk_widget_set_sensitive (self->keypad_button, established);
  gtk_widget_set_sensitive (self->transfer_button, established);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "call.transfer-to-other",
                                 established && self->other_session != NULL &&
                                 belfry_session_get_state (self->other_session) == BELFRY_SESSION_STATE_ESTABLISHED);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "call.hang-up", state < BELFRY_SESSION_STATE_TERMINATING);
  /* A call that rings here offers Decline and Accept, and nothing that
   * needs a call in progress. */
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "call.accept", rings_here && !self->accepting);
  gtk_widget_set_visible (self->accept_button, rings_here);
  gtk_widget_set_visible (GTK_WIDGET (self->hold_button), !rings_here);
  gtk_widget_set_visible (GTK_WIDGET (self->mute_button), !rings_here);
  gtk_widget_set_visible (self->keypad_button, !rings_here);
  gtk_widget_set_visible (self->transfer_button, !rings_here);
  if (rings_here) {
    gtk_button_set_label (self->hang_up_button, _("_Decline"));
    gtk_widget_set_tooltip_text (GTK_WIDGET (self->hang_up_button), _("Decline the call"));
  } else {
    gtk_button_set_label (self->hang_up_button, _("Hang _Up"));
    gtk_widget_set_tooltip_text (GTK_WIDGET (self->hang_up_button), _("End the call"));
  }
}

static void
on_handler_notify (BelfryCallView *self)
{
  update_state (self);
}

static void
set_on_hold (BelfryCallView *self,
             gboolean        on_hold)
{
  if (self->on_hold == !!on_hold)
    return;

  self->on_hold = !!on_hold;
  update_state (self);
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_ON_HOLD]);
}

/* The call manager holds a call by itself when another one is answered or
 * placed: the media handler's agreed hold state is what the view shows.
 * A hold of the view's own settles when its re-INVITE completes. */
static void
on_local_hold_changed (BelfryCallView *self)
{
  if (!self->hold_pending)
    set_on_hold (self, handler_flag (self, "local-hold"));
}

static void
on_handler_changed (BelfryCallView *self)
{
  BelfrySessionDescriptionHandler *handler = belfry_session_get_session_description_handler (self->session);

  g_clear_pointer (&self->codec_binding, g_binding_unbind);
  g_clear_pointer (&self->mute_binding, g_binding_unbind);
  if (handler == NULL)
    return;

  /* Mute is the media handler's, when it has one: no signaling at all. */
  if (g_object_class_find_property (G_OBJECT_GET_CLASS (handler), "muted") != NULL)
    self->mute_binding = g_object_bind_property (handler, "muted", self->mute_button, "active",
                                                 G_BINDING_SYNC_CREATE | G_BINDING_BIDIRECTIONAL);

  if (g_object_class_find_property (G_OBJECT_GET_CLASS (handler), "codec") != NULL)
    self->codec_binding = g_object_bind_property (handler, "codec", self->codec_label, "label",
                                                  G_BINDING_SYNC_CREATE);
  g_signal_connect_object (handler, "notify::remote-hold", G_CALLBACK (on_handler_notify), self,
                           G_CONNECT_SWAPPED);
  if (g_object_class_find_property (G_OBJECT_GET_CLASS (handler), "local-hold") != NULL) {
    g_signal_connect_object (handler, "notify::local-hold", G_CALLBACK (on_local_hold_changed), self,
                             G_CONNECT_SWAPPED);
    on_local_hold_changed (self);
  }
}

static void
hold_done_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr (BelfryCallView) self = user_data;
  g_autoptr (GError) error = NULL;
  gboolean done;

  if (BELFRY_IS_CALL_MANAGER (object))
    done = belfry_call_manager_hold_finish (BELFRY_CALL_MANAGER (object), result, &error);
  else
    done = belfry_session_invite_finish (BELFRY_SESSION (object), result, &error);

  self->hold_pending = FALSE;
  if (done)
    set_on_hold (self, self->hold_wanted);
  else if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    g_message ("Hold or resume failed: %s", error->message);
  update_state (self);
}

static void
hold_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  BelfryCallView *self = BELFRY_CALL_VIEW (widget);
  BelfrySessionInviteOptions options = { .hold = !self->on_hold };

  self->hold_wanted = !self->on_hold;
  self->hold_pending = TRUE;
  update_state (self);
  /* Through the call manager, which knows the other calls: resuming this
   * one holds them. */
  if (self->call_manager != NULL)
    belfry_call_manager_hold_async (self->call_manager, self->session, self->hold_wanted,
                                    self->cancellable, hold_done_cb, g_object_ref (self));
  else
    belfry_session_invite_async (self->session, &options, self->cancellable, hold_done_cb,
                                 g_object_ref (self));
}

static void
hang_up_action (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  BelfryCallView *self = BELFRY_CALL_VIEW (widget);

  /* The call manager declines a call that rings with 603 and keeps that
   * in the history; a view without one (alone in a window) ends the
   * session as its state needs. */
  if (self->call_manager != NULL)
    belfry_call_manager_hang_up (self->call_manager, self->session);
  else if (belfry_session_get_state (self->session) == BELFRY_SESSION_STATE_ESTABLISHED)
    belfry_session_bye_async (self->session, NULL, NULL, NULL);
  else
    belfry_session_dispose_async (self->session, NULL, NULL, NULL);
}

static void
accepted_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr (GError) error = NULL;

  if (!belfry_invitation_accept_finish (BELFRY_INVITATION (object), result, &error) &&
      !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    g_message ("Cannot answer the call: %s", error->message);
}

/* The call manager answers, holding the other calls and withdrawing the
 * notification; a view alone in a window answers by itself. */
static void
accept_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  BelfryCallView *self = BELFRY_CALL_VIEW (widget);

  self->accepting = TRUE;
  update_state (self);
  if (self->call_manager != NULL)
    belfry_call_manager_accept (self->call_manager, self->session);
  else
    belfry_invitation_accept_async (BELFRY_INVITATION (self->session), NULL, accepted_cb, NULL);
}

static void
tones_sent_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr (GError) error = NULL;

  if (!belfry_session_send_dtmf_finish (BELFRY_SESSION (object), result, &error) &&
      !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    g_message ("Cannot send tones: %s", error->message);
}

/* A key of the keypad or of the keyboard: its tone goes after those still
 * on their way (by SIP INFO, belle-sip queues each request of a dialog
 * until the one before it is answered), and the call view shows the tones
 * of the call. */
static void
dtmf_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  BelfryCallView *self = BELFRY_CALL_VIEW (widget);
  const char *tone = g_variant_get_string (parameter, NULL);
  g_autofree char *tones = g_strconcat (gtk_label_get_label (self->tones_label), tone, NULL);

  /* The last ones, as many as fit a line. */
  gtk_label_set_label (self->tones_label, tones + MAX (0, (int) strlen (tones) - 24));
  gtk_widget_set_visible (GTK_WIDGET (self->tones_label), TRUE);
  belfry_session_send_dtmf_async (self->session, tone, self->cancellable, tones_sent_cb, NULL);
}

/* The digits of the keyboard, and of its number pad, send tones while
 * the call view is on screen, wherever the focus is in the window (an
 * entry keeps its digits). */
static void
add_tone_keys (BelfryCallView *self)
{
  static const struct {
    guint keyval;
    const char *tone;
  } keys[] = {
    { GDK_KEY_0, "0" }, { GDK_KEY_1, "1" }, { GDK_KEY_2, "2" }, { GDK_KEY_3, "3" }, { GDK_KEY_4, "4" },
    { GDK_KEY_5, "5" }, { GDK_KEY_6, "6" }, { GDK_KEY_7, "7" }, { GDK_KEY_8, "8" }, { GDK_KEY_9, "9" },
    { GDK_KEY_KP_0, "0" }, { GDK_KEY_KP_1, "1" }, { GDK_KEY_KP_2, "2" }, { GDK_KEY_KP_3, "3" },
    { GDK_KEY_KP_4, "4" }, { GDK_KEY_KP_5, "5" }, { GDK_KEY_KP_6, "6" }, { GDK_KEY_KP_7, "7" },
    { GDK_KEY_KP_8, "8" }, { GDK_KEY_KP_9, "9" },
    { GDK_KEY_asterisk, "*" }, { GDK_KEY_KP_Multiply, "*" }, { GDK_KEY_numbersign, "#" },
  };
  GtkEventController *controller = gtk_shortcut_controller_new ();

  /* Managed: the window runs them, for the call view that is mapped. */
  gtk_shortcut_controller_set_scope (GTK_SHORTCUT_CONTROLLER (controller), GTK_SHORTCUT_SCOPE_MANAGED);
  for (guint i = 0; i < G_N_ELEMENTS (keys); i++)
    gtk_shortcut_controller_add_shortcut (GTK_SHORTCUT_CONTROLLER (controller),
                                          gtk_shortcut_new_with_arguments (gtk_keyval_trigger_new (keys[i].keyval, 0),
                                                                           gtk_named_action_new ("call.dtmf"),
                                                                           "s", keys[i].tone));
  gtk_widget_add_controller (GTK_WIDGET (self), controller);
}

static void
transfer_done_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr (GError) error = NULL;

  if (!belfry_session_refer_finish (BELFRY_SESSION (object), result, &error) &&
      !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    g_message ("Transfer failed: %s", error->message);
}

static void
transfer_action (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *parameter)
{
  BelfryCallView *self = BELFRY_CALL_VIEW (widget);
  g_autoptr (BelfryNameAddr) target = NULL;
  g_autoptr (GError) error = NULL;

  target = belfry_name_addr_parse (g_variant_get_string (parameter, NULL), &error);
  if (target == NULL) {
    gtk_widget_add_css_class (GTK_WIDGET (self->transfer_entry), "error");
    return;
  }

  gtk_widget_remove_css_class (GTK_WIDGET (self->transfer_entry), "error");
  belfry_session_refer_async (self->session, target, NULL, self->cancellable, transfer_done_cb, NULL);
  gtk_popover_popdown (self->transfer_popover);
}

static void
transfer_to_other_action (GtkWidget  *widget,
                          const char *action_name,
                          GVariant   *parameter)
{
  BelfryCallView *self = BELFRY_CALL_VIEW (widget);

  if (self->other_session == NULL)
    return;

  /* RFC 3891: the peer calls the other call's peer, replacing that call. */
  belfry_session_refer_async (self->session, NULL, self->other_session, self->cancellable,
                              transfer_done_cb, NULL);
  gtk_popover_popdown (self->transfer_popover);
}

static void
on_transfer_entry_activate (BelfryCallView *self)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (self->transfer_entry));

  gtk_widget_activate_action (GTK_WIDGET (self), "call.transfer", "s", text);
}

static void
build_keypad (BelfryCallView *self)
{
  static const char *digits = "123456789*0#";

  for (guint i = 0; digits[i] != '\0'; i++) {
    char digit[2] = { digits[i], '\0' };
    GtkWidget *button = gtk_button_new_with_label (digit);

    gtk_actionable_set_action_name (GTK_ACTIONABLE (button), "call.dtmf");
    gtk_actionable_set_action_target (GTK_ACTIONABLE (button), "s", digit);
    gtk_widget_add_css_class (button, "circular");
    gtk_grid_attach (self->keypad, button, i % 3, i / 3, 1, 1);
  }
}

static void
belfry_call_view_get_property (GObject    *object,
                               guint       prop_id,
                               GValue     *value,
                               GParamSpec *pspec)
{
  BelfryCallView *self = BELFRY_CALL_VIEW (object);

  switch (prop_id) {
  case PROP_SESSION:
    g_value_set_object (value, self->session);
    break;
  case PROP_CALL_MANAGER:
    g_value_set_object (value, self->call_manager);
    break;
  case PROP_ON_HOLD:
    g_value_set_boolean (value, self->on_hold);
    break;
  case PROP_OTHER_SESSION:
    g_value_set_object (value, self->other_session);
    break;
  default:
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
  }
}

static void
belfry_call_view_set_property (GObject      *object,
                               guint         prop_id,
                               const GValue *value,
                               GParamSpec   *pspec)
{
  BelfryCallView *self = BELFRY_CALL_VIEW (object);

  switch (prop_id) {
  case PROP_SESSION:
    self->session = g_value_dup_object (value);
    break;
  case PROP_CALL_MANAGER:
    self->call_manager = g_value_dup_object (value);
    break;
  case PROP_OTHER_SESSION:
    belfry_call_view_set_other_session (self, g_value_get_object (value));
    break;
  default:
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
  }
}

static void
belfry_call_view_constructed (GObject *object)
{
  BelfryCallView *self = BELFRY_CALL_VIEW (object);

  G_OBJECT_CLASS (belfry_call_view_parent_class)->constructed (object);

  g_signal_connect_object (self->session, "notify::state", G_CALLBACK (update_state), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->session, "notify::asserted-identity", G_CALLBACK (update_identity),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->session, "notify::session-description-handler",
                           G_CALLBACK (on_handler_changed), self, G_CONNECT_SWAPPED);
  update_identity (self);
  on_handler_changed (self);
  update_state (self);
}

static void
belfry_call_view_dispose (GObject *object)
{
  BelfryCallView *self = BELFRY_CALL_VIEW (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->duration_id, g_source_remove);
  g_clear_pointer (&self->codec_binding, g_binding_unbind);
  g_clear_pointer (&self->mute_binding, g_binding_unbind);
  gtk_widget_dispose_template (GTK_WIDGET (self), BELFRY_TYPE_CALL_VIEW);
  g_clear_object (&self->session);
  g_clear_object (&self->call_manager);
  g_clear_object (&self->other_session);
  g_clear_object (&self->cancellable);

  G_OBJECT_CLASS (belfry_call_view_parent_class)->dispose (object);
}

static void
belfry_call_view_class_init (BelfryCallViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->get_property = belfry_call_view_get_property;
  object_class->set_property = belfry_call_view_set_property;
  object_class->constructed = belfry_call_view_constructed;
  object_class->dispose = belfry_call_view_dispose;

  /**
   * BelfryCallView:session:
   *
   * The call shown.
   */
  props[PROP_SESSION] =
    g_param_spec_object ("session", NULL, NULL, BELFRY_TYPE_SESSION,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  /**
   * BelfryCallView:call-manager:
   *
   * The call manager that the call belongs to, if any: hold and resume go
   * through it.
   */
  props[PROP_CALL_MANAGER] =
    g_param_spec_object ("call-manager", NULL, NULL, BELFRY_TYPE_CALL_MANAGER,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  /**
   * BelfryCallView:on-hold:
   *
   * Whether we hold the call, as the peer agreed.
   */
  props[PROP_ON_HOLD] =
    g_param_spec_boolean ("on-hold", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * BelfryCallView:other-session:
   *
   * The other call, while there are two; Transfer then offers to connect
   * them (an attended transfer).
   */
  props[PROP_OTHER_SESSION] =
    g_param_spec_object ("other-session", NULL, NULL, BELFRY_TYPE_SESSION,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, props);

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PATH "/belfry-call-view.ui");
  gtk_widget_class_bind_template_child (widget_class, BelfryCallView, box);
  gtk_widget_class_bind_template_child (widget_class, BelfryCallView, avatar);
  gtk_widget_class_bind_template_child (widget_class, BelfryCallView, name_label);
  gtk_widget_class_bind_template_child (widget_class, BelfryCallView, address_label);
  gtk_widget_class_bind_template_child (widget_class, BelfryCallView, state_label);
  gtk_widget_class_bind_template_child (widget_class, BelfryCallView, duration_label);
  gtk_widget_class_bind_template_child (widget_class, BelfryCallView, codec_label);
  gtk_widget_class_bind_template_child (widget_class, BelfryCallView, tones_label);
  gtk_widget_class_bind_template_child (widget_class, BelfryCallView, hold_button);
  gtk_widget_class_bind_template_child (widget_class, BelfryCallView, hang_up_button);
  gtk_widget_class_bind_template_child (widget_class, BelfryCallView, accept_button);
  gtk_widget_class_bind_template_child (widget_class, BelfryCallView, mute_button);
  gtk_widget_class_bind_template_child (widget_class, BelfryCallView, keypad_button);
  gtk_widget_class_bind_template_child (widget_class, BelfryCallView, keypad);
  gtk_widget_class_bind_template_child (widget_class, BelfryCallView, transfer_button);
  gtk_widget_class_bind_template_child (widget_class, BelfryCallView, transfer_popover);
  gtk_widget_class_bind_template_child (widget_class, BelfryCallView, attended_button);
  gtk_widget_class_bind_template_child (widget_class, BelfryCallView, transfer_entry);
  gtk_widget_class_bind_template_callback (widget_class, on_transfer_entry_activate);

  gtk_widget_class_install_action (widget_class, "call.hang-up", NULL, hang_up_action);
  gtk_widget_class_install_action (widget_class, "call.accept", NULL, accept_action);
  gtk_widget_class_install_action (widget_class, "call.hold", NULL, hold_action);
  gtk_widget_class_install_action (widget_class, "call.dtmf", "s", dtmf_action);
  gtk_widget_class_install_action (widget_class, "call.transfer", "s", transfer_action);
  gtk_widget_class_install_action (widget_class, "call.transfer-to-other", NULL, transfer_to_other_action);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_GROUP);
}

static void
belfry_call_view_init (BelfryCallView *self)
{
  self->cancellable = g_cancellable_new ();
  gtk_widget_init_template (GTK_WIDGET (self));
  g_signal_connect (self->codec_label, "notify::label", G_CALLBACK (on_codec_changed), NULL);
  build_keypad (self);
  add_tone_keys (self);
}

/**
 * belfry_call_view_new:
 * @session: a call
 *
 * Returns: (transfer full): a view of @session
 */
GtkWidget *
belfry_call_view_new (BelfrySession *session)
{
  g_return_val_if_fail (BELFRY_IS_SESSION (session), NULL);

  return g_object_new (BELFRY_TYPE_CALL_VIEW, "session", session, NULL);
}

/**
 * belfry_call_view_get_session:
 * @self: a call view
 *
 * Returns: (transfer none): the call shown
 */
BelfrySession *
belfry_call_view_get_session (BelfryCallView *self)
{
  g_return_val_if_fail (BELFRY_IS_CALL_VIEW (self), NULL);

  return self->session;
}

/**
 * belfry_call_view_get_on_hold:
 * @self: a call view
 *
 * Returns: whether we hold the call
 */
gboolean
belfry_call_view_get_on_hold (BelfryCallView *self)
{
  g_return_val_if_fail (BELFRY_IS_CALL_VIEW (self), FALSE);

  return self->on_hold;
}

/**
 * belfry_call_view_set_other_session:
 * @self: a call view
 * @other: (nullable): the other call, or %NULL when there is none
 *
 * Tells the view of a second call, to offer an attended transfer to it.
 */
void
belfry_call_view_set_other_session (BelfryCallView *self,
                                    BelfrySession  *other)
{
  g_return_if_fail (BELFRY_IS_CALL_VIEW (self));

  if (self->other_session == other)
    return;

  if (self->other_session != NULL)
    g_signal_handlers_disconnect_by_func (self->other_session, update_state, self);
  g_set_object (&self->other_session, other);
  if (other != NULL) {
    BelfryNameAddr *remote = belfry_session_get_remote_identity (other);
    g_autofree char *name = remote ? belfry_name_addr_dup_friendly_name (remote) : NULL;
    /* Translators: attended transfer: %s is the other call's party. */
    g_autofree char *label = g_strdup_printf (_("Connect with %s"), name ? name : "");

    gtk_button_set_label (self->attended_button, label);
    g_signal_connect_object (other, "notify::state", G_CALLBACK (update_state), self, G_CONNECT_SWAPPED);
  }
  gtk_widget_set_visible (GTK_WIDGET (self->attended_button), other != NULL);
  update_state (self);
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_OTHER_SESSION]);
}
