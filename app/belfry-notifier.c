/* SPDX-License-Identifier: GPL-3.0-or-later */

#define G_LOG_DOMAIN "belfry-notifier"

#include "config.h"

#include "belfry-notifier.h"

#include <glib/gi18n-lib.h>
#include <libnotify/notify.h>

/**
 * BelfryNotifier:
 *
 * Tells the person about calls through desktop notifications (libnotify):
 * an incoming call shows a resident, critical `call.incoming`
 * notification with Accept and Decline, which emit
 * #BelfryNotifier::accept and #BelfryNotifier::decline; it is withdrawn
 * when the call is answered, declined or cancelled, and a call that the
 * caller gave up on leaves a `call.unanswered` notification with a Call
 * Back action (#BelfryNotifier::call-back).
 *
 * While #BelfryNotifier:window-active is set, the window is in front of
 * the person: incoming calls then raise no popup but
 * #BelfryNotifier::show-banner, for a banner in the window, and
 * #BelfryNotifier::hide-banner when it is over. A missed call is always
 * notified, since a banner would vanish with the call.
 */

enum {
  PROP_0,
  PROP_WINDOW_ACTIVE,
  N_PROPS
};

static GParamSpec *props[N_PROPS];

enum {
  SIGNAL_ACCEPT,
  SIGNAL_CALL_BACK,
  SIGNAL_DECLINE,
  SIGNAL_HIDE_BANNER,
  SIGNAL_SHOW_BANNER,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

struct _BelfryNotifier {
  GObject parent_instance;

  gboolean window_active;
  /* BelfrySession -> NotifyNotification, or NULL while a banner shows it */
  GHashTable *incoming;
  /* Missed-call notifications, kept so that their action still works. */
  GPtrArray *missed;
};

G_DEFINE_FINAL_TYPE (BelfryNotifier, belfry_notifier, G_TYPE_OBJECT)

typedef struct {
  BelfryNotifier *notifier;
  BelfrySession *session;
} ActionData;

static void
action_data_free (gpointer data)
{
  ActionData *action = data;

  g_clear_weak_pointer (&action->notifier);
  g_clear_object (&action->session);
  g_free (action);
}

static ActionData *
action_data_new (BelfryNotifier *self,
                 BelfrySession  *session)
{
  ActionData *action = g_new0 (ActionData, 1);

  g_set_weak_pointer (&action->notifier, self);
  action->session = g_object_ref (session);
  return action;
}

static void
close_notification (NotifyNotification *notification)
{
  g_autoptr (GError) error = NULL;

  if (notification == NULL)
    return;
  if (!notify_notification_close (notification, &error))
    g_debug ("Cannot withdraw a notification: %s", error->message);
}

static void
on_accept (NotifyNotification *notification,
           char               *action,
           gpointer            user_data)
{
  ActionData *data = user_data;
  g_autoptr (BelfrySession) session = g_object_ref (data->session);
  BelfryNotifier *self = data->notifier;

  if (self == NULL)
    return;

  g_object_ref (self);
  g_hash_table_remove (self->incoming, session);
  g_signal_emit (self, signals[SIGNAL_ACCEPT], 0, session);
  g_object_unref (self);
}

static void
on_decline (NotifyNotification *notification,
            char               *action,
            gpointer            user_data)
{
  ActionData *data = user_data;
  g_autoptr (BelfrySession) session = g_object_ref (data->session);
  BelfryNotifier *self = data->notifier;

  if (self == NULL)
    return;

  g_object_ref (self);
  g_hash_table_remove (self->incoming, session);
  g_signal_emit (self, signals[SIGNAL_DECLINE], 0, session);
  g_object_unref (self);
}

static void
on_call_back (NotifyNotification *notification,
              char               *action,
              gpointer            user_data)
{
  ActionData *data = user_data;
  g_autofree char *uri = NULL;
  BelfryNameAddr *remote;

  if (data->notifier == NULL)
    return;

  remote = belfry_session_get_remote_identity (data->session);
  uri = remote != NULL ? belfry_name_addr_dup_uri (remote) : NULL;
  if (uri != NULL)
    g_signal_emit (data->notifier, signals[SIGNAL_CALL_BACK], 0, uri);
}

static char *
dup_address (BelfrySession *session)
{
  BelfryNameAddr *address = belfry_session_get_asserted_identity (session);

  if (address == NULL)
    address = belfry_session_get_remote_identity (session);
  return address != NULL ? belfry_name_addr_dup_uri (address) : g_strdup ("");
}

static NotifyNotification *
new_notification (const char *summary,
                  const char *body)
{
  NotifyNotification *notification = notify_notification_new (summary, body, "call-start-symbolic");

  notify_notification_set_app_name (notification, _("Belfry"));
  notify_notification_set_hint (notification, "desktop-entry", g_variant_new_string (APPLICATION_ID));
  return notification;
}

static NotifyNotification *
show_incoming (BelfryNotifier *self,
               BelfrySession  *session)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *name = belfry_notifier_dup_caller_name (session);
  g_autofree char *address = dup_address (session);
  NotifyNotification *notification = new_notification (name, address);

  notify_notification_set_category (notification, "call.incoming");
  notify_notification_set_urgency (notification, NOTIFY_URGENCY_CRITICAL);
  notify_notification_set_timeout (notification, NOTIFY_EXPIRES_NEVER);
  notify_notification_set_hint (notification, "resident", g_variant_new_boolean (TRUE));
  /* Translators: a button of the incoming-call notification. */
  notify_notification_add_action (notification, "accept", _("Accept"), on_accept,
                                  action_data_new (self, session), action_data_free);
  /* Translators: a button of the incoming-call notification. */
  notify_notification_add_action (notification, "decline", _("Decline"), on_decline,
                                  action_data_new (self, session), action_data_free);

  if (!notify_notification_show (notification, &error))
    g_message ("Cannot show the incoming-call notification: %s", error->message);
  return notification;
}

static void
notification_unref_closing (gpointer data)
{
  if (data != NULL) {
    close_notification (data);
    g_object_unref (data);
  }
}

static void
belfry_notifier_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  BelfryNotifier *self = BELFRY_NOTIFIER (object);

  switch (prop_id) {
  case PROP_WINDOW_ACTIVE:
    g_value_set_boolean (value, self->window_active);
    break;
  default:
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
  }
}

static void
belfry_notifier_set_property (GObject      *object,
                              guint         prop_id,
                              const GValue *value,
                              GParamSpec   *pspec)
{
  BelfryNotifier *self = BELFRY_NOTIFIER (object);

  switch (prop_id) {
  case PROP_WINDOW_ACTIVE:
    belfry_notifier_set_window_active (self, g_value_get_boolean (value));
    break;
  default:
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
  }
}

static void
belfry_notifier_dispose (GObject *object)
{
  BelfryNotifier *self = BELFRY_NOTIFIER (object);

  g_clear_pointer (&self->incoming, g_hash_table_unref);
  g_clear_pointer (&self->missed, g_ptr_array_unref);

  G_OBJECT_CLASS (belfry_notifier_parent_class)->dispose (object);
}

static void
belfry_notifier_class_init (BelfryNotifierClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->get_property = belfry_notifier_get_property;
  object_class->set_property = belfry_notifier_set_property;
  object_class->dispose = belfry_notifier_dispose;

  /**
   * BelfryNotifier:window-active:
   *
   * Whether a Belfry window has the focus: incoming calls then show as a
   * banner in it rather than as a popup.
   */
  props[PROP_WINDOW_ACTIVE] =
    g_param_spec_boolean ("window-active", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, props);

  /**
   * BelfryNotifier::accept:
   * @self: the notifier
   * @session: the incoming call
   *
   * The person chose Accept in the notification.
   */
  signals[SIGNAL_ACCEPT] =
    g_signal_new ("accept", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 1, BELFRY_TYPE_SESSION);

  /**
   * BelfryNotifier::decline:
   * @self: the notifier
   * @session: the incoming call
   *
   * The person chose Decline in the notification.
   */
  signals[SIGNAL_DECLINE] =
    g_signal_new ("decline", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 1, BELFRY_TYPE_SESSION);

  /**
   * BelfryNotifier::call-back:
   * @self: the notifier
   * @uri: the address of the caller
   *
   * The person chose Call Back in a missed-call notification.
   */
  signals[SIGNAL_CALL_BACK] =
    g_signal_new ("call-back", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);

  /**
   * BelfryNotifier::show-banner:
   * @self: the notifier
   * @session: the incoming call
   *
   * A call rings while the window is active: show it in the window.
   */
  signals[SIGNAL_SHOW_BANNER] =
    g_signal_new ("show-banner", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 1, BELFRY_TYPE_SESSION);

  /**
   * BelfryNotifier::hide-banner:
   * @self: the notifier
   * @session: the call that no longer rings here
   *
   * The call is answered, declined, over, or shown as a popup now that the
   * window lost the focus.
   */
  signals[SIGNAL_HIDE_BANNER] =
    g_signal_new ("hide-banner", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 1, BELFRY_TYPE_SESSION);
}

static void
belfry_notifier_init (BelfryNotifier *self)
{
  self->incoming = g_hash_table_new_full (NULL, NULL, g_object_unref, notification_unref_closing);
  self->missed = g_ptr_array_new_with_free_func (g_object_unref);

  if (!notify_is_initted ())
    notify_init ("Belfry");
}

/**
 * belfry_notifier_new:
 *
 * Returns: (transfer full): a new #BelfryNotifier
 */
BelfryNotifier *
belfry_notifier_new (void)
{
  return g_object_new (BELFRY_TYPE_NOTIFIER, NULL);
}

gboolean
belfry_notifier_get_window_active (BelfryNotifier *self)
{
  g_return_val_if_fail (BELFRY_IS_NOTIFIER (self), FALSE);

  return self->window_active;
}

/**
 * belfry_notifier_set_window_active:
 * @self: the notifier
 * @window_active: whether a window has the focus
 *
 * Ringing calls move with the focus: into banners when the window gains
 * it, back into notifications when it loses it.
 */
void
belfry_notifier_set_window_active (BelfryNotifier *self,
                                   gboolean        window_active)
{
  g_autoptr (GList) sessions = NULL;

  g_return_if_fail (BELFRY_IS_NOTIFIER (self));

  window_active = !!window_active;
  if (self->window_active == window_active)
    return;

  self->window_active = window_active;

  sessions = g_hash_table_get_keys (self->incoming);
  for (GList *l = sessions; l != NULL; l = l->next) {
    BelfrySession *session = l->data;

    if (window_active) {
      g_hash_table_insert (self->incoming, g_object_ref (session), NULL);
      g_signal_emit (self, signals[SIGNAL_SHOW_BANNER], 0, session);
    } else {
      g_signal_emit (self, signals[SIGNAL_HIDE_BANNER], 0, session);
      g_hash_table_insert (self->incoming, g_object_ref (session), show_incoming (self, session));
    }
  }

  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_WINDOW_ACTIVE]);
}

/**
 * belfry_notifier_incoming_call:
 * @self: the notifier
 * @session: a call that rings
 *
 * Shows the incoming-call notification, or the banner while the window
 * is active.
 */
void
belfry_notifier_incoming_call (BelfryNotifier *self,
                               BelfrySession  *session)
{
  g_return_if_fail (BELFRY_IS_NOTIFIER (self));
  g_return_if_fail (BELFRY_IS_SESSION (session));

  if (g_hash_table_contains (self->incoming, session))
    return;

  if (self->window_active) {
    g_hash_table_insert (self->incoming, g_object_ref (session), NULL);
    g_signal_emit (self, signals[SIGNAL_SHOW_BANNER], 0, session);
  } else {
    g_hash_table_insert (self->incoming, g_object_ref (session), show_incoming (self, session));
  }
}

/**
 * belfry_notifier_withdraw:
 * @self: the notifier
 * @session: a call
 *
 * The call no longer rings (answered or declined here or elsewhere):
 * withdraws its notification or banner.
 */
void
belfry_notifier_withdraw (BelfryNotifier *self,
                          BelfrySession  *session)
{
  gpointer notification = NULL;

  g_return_if_fail (BELFRY_IS_NOTIFIER (self));
  g_return_if_fail (BELFRY_IS_SESSION (session));

  if (!g_hash_table_lookup_extended (self->incoming, session, NULL, &notification))
    return;

  g_object_ref (session);
  if (notification == NULL)
    g_signal_emit (self, signals[SIGNAL_HIDE_BANNER], 0, session);
  g_hash_table_remove (self->incoming, session);
  g_object_unref (session);
}

/**
 * belfry_notifier_missed_call:
 * @self: the notifier
 * @session: a call that the caller gave up on
 *
 * Withdraws the call's notification and leaves a missed-call one with a
 * Call Back action in its place.
 */
void
belfry_notifier_missed_call (BelfryNotifier *self,
                             BelfrySession  *session)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *name = NULL;
  g_autofree char *address = NULL;
  g_autofree char *summary = NULL;
  NotifyNotification *notification;

  g_return_if_fail (BELFRY_IS_NOTIFIER (self));
  g_return_if_fail (BELFRY_IS_SESSION (session));

  belfry_notifier_withdraw (self, session);

  name = belfry_notifier_dup_caller_name (session);
  address = dup_address (session);
  /* Translators: the title of a notification; %s is the caller's name or number. */
  summary = g_strdup_printf (_("Missed call from %s"), name);
  notification = new_notification (summary, address);
  notify_notification_set_category (notification, "call.unanswered");
  notify_notification_set_urgency (notification, NOTIFY_URGENCY_NORMAL);
  /* Translators: a button of the missed-call notification. */
  notify_notification_add_action (notification, "call-back", _("Call Back"), on_call_back,
                                  action_data_new (self, session), action_data_free);

  if (!notify_notification_show (notification, &error))
    g_message ("Cannot show the missed-call notification: %s", error->message);
  g_ptr_array_add (self->missed, notification);
}

/**
 * belfry_notifier_dup_caller_name:
 * @session: a call
 *
 * The name to show for the other party: the asserted identity's display
 * name, the remote identity's, or else its address.
 *
 * Returns: (transfer full): the name
 */
char *
belfry_notifier_dup_caller_name (BelfrySession *session)
{
  BelfryNameAddr *asserted = belfry_session_get_asserted_identity (session);
  BelfryNameAddr *remote = belfry_session_get_remote_identity (session);
  const char *name;

  if (asserted != NULL && (name = belfry_name_addr_get_display_name (asserted)) != NULL && *name != '\0')
    return g_strdup (name);
  if (remote != NULL && (name = belfry_name_addr_get_display_name (remote)) != NULL && *name != '\0')
    return g_strdup (name);
  if (asserted != NULL)
    return belfry_name_addr_dup_friendly_name (asserted);
  if (remote != NULL)
    return belfry_name_addr_dup_friendly_name (remote);
  return g_strdup (_("Unknown caller"));
}
