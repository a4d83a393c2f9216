/* SPDX-License-Identifier: GPL-3.0-or-later */

#define G_LOG_DOMAIN "belfry-session"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "belfry-enum.h"
#include "belfry-log-private.h"
#include "belfry-session-dialog-private.h"
#include "belfry-session-parts-private.h"
#include "belfry-session-private.h"
#include "belfry-sip-enums.h"
#include "belfry-sip-error.h"
#include "belfry-user-agent-private.h"

/**
 * BelfrySession:
 *
 * A call between us and one peer, as SIP.js's `Session`: identities, a
 * dialog once confirmed, a session description handler for the media and a
 * state that only moves forward along SIP.js's transitions.
 *
 * #BelfryInviter (calls we place) and #BelfryInvitation (calls we take) are
 * the concrete sessions. Requests that the peer sends in the session reach
 * the signals #BelfrySession::bye, #BelfrySession::info,
 * #BelfrySession::invite, #BelfrySession::message, #BelfrySession::refer and
 * #BelfrySession::sip-notify; a handler that returns %TRUE takes the
 * request, otherwise SIP.js's default applies. Arbitrary data goes through
 * g_object_set_data(), which SIP.js calls `data`.
 *
 * Dropping the last reference of a live session ends it as
 * belfry_session_dispose_async() does: the session keeps itself alive until
 * the CANCEL, rejection or BYE is done.
 */

enum {
  PROP_0,
  PROP_ASSERTED_IDENTITY,
  PROP_DIALOG,
  PROP_ID,
  PROP_LOCAL_IDENTITY,
  PROP_REMOTE_IDENTITY,
  PROP_REPLACEE,
  PROP_SESSION_DESCRIPTION_HANDLER,
  PROP_SESSION_DESCRIPTION_HANDLER_FACTORY,
  PROP_STATE,
  PROP_USER_AGENT,
  PROP_SECURE,
  PROP_TERMINATION_REASON,
  N_PROPS
};

static GParamSpec *props[N_PROPS];

enum {
  SIGNAL_STATE_CHANGED,
  SIGNAL_BYE,
  SIGNAL_INFO,
  SIGNAL_INVITE,
  SIGNAL_MESSAGE,
  SIGNAL_REFER,
  SIGNAL_SIP_NOTIFY,
  SIGNAL_DTMF,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

G_DEFINE_ABSTRACT_TYPE_WITH_PRIVATE (BelfrySession, belfry_session, G_TYPE_OBJECT)

/* For the files of the class, which G_DEFINE's accessor does not reach. */
BelfrySessionPrivate *
belfry_session_get_priv (BelfrySession *self)
{
  return belfry_session_get_instance_private (self);
}

static void session_terminated (BelfrySession *self);

G_DEFINE_BOXED_TYPE (BelfrySessionInviteOptions, belfry_session_invite_options,
                     belfry_session_invite_options_copy, belfry_session_invite_options_free)

/**
 * belfry_session_invite_options_copy:
 * @options: options
 *
 * Returns: (transfer full): a copy of @options
 */
BelfrySessionInviteOptions *
belfry_session_invite_options_copy (const BelfrySessionInviteOptions *options)
{
  g_return_val_if_fail (options != NULL, NULL);

  return g_memdup2 (options, sizeof *options);
}

/**
 * belfry_session_invite_options_free:
 * @options: (transfer full): options
 */
void
belfry_session_invite_options_free (BelfrySessionInviteOptions *options)
{
  g_free (options);
}

/**
 * belfry_session_state_can_change:
 * @from: the current state
 * @to: a new state
 *
 * Tells whether SIP.js allows a session to go from @from to @to:
 * Initial goes to any later state, Establishing to Established,
 * Terminating or Terminated, Established to Terminating or Terminated,
 * Terminating to Terminated, and nothing leaves Terminated.
 *
 * Returns: %TRUE when the transition is legal
 */
gboolean
belfry_session_state_can_change (BelfrySessionState from,
                                 BelfrySessionState to)
{
  switch (from) {
  case BELFRY_SESSION_STATE_INITIAL:
    return to == BELFRY_SESSION_STATE_ESTABLISHING ||
           to == BELFRY_SESSION_STATE_ESTABLISHED ||
           to == BELFRY_SESSION_STATE_TERMINATING ||
           to == BELFRY_SESSION_STATE_TERMINATED;
  case BELFRY_SESSION_STATE_ESTABLISHING:
    return to == BELFRY_SESSION_STATE_ESTABLISHED ||
           to == BELFRY_SESSION_STATE_TERMINATING ||
           to == BELFRY_SESSION_STATE_TERMINATED;
  case BELFRY_SESSION_STATE_ESTABLISHED:
    return to == BELFRY_SESSION_STATE_TERMINATING ||
           to == BELFRY_SESSION_STATE_TERMINATED;
  case BELFRY_SESSION_STATE_TERMINATING:
    return to == BELFRY_SESSION_STATE_TERMINATED;
  case BELFRY_SESSION_STATE_TERMINATED:
  default:
    return FALSE;
  }
}

static gboolean
set_name_addr (BelfryNameAddr **slot,
               BelfryNameAddr  *value)
{
  if (*slot == value)
    return FALSE;
  if (*slot != NULL && value != NULL && belfry_name_addr_equal (*slot, value))
    return FALSE;

  g_clear_pointer (slot, belfry_name_addr_unref);
  if (value != NULL)
    *slot = belfry_name_addr_ref (value);
  return TRUE;
}

static void
belfry_session_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  BelfrySession *self = BELFRY_SESSION (object);
  BelfrySessionPrivate *priv = belfry_session_get_instance_private (self);

  switch (prop_id) {
  case PROP_ASSERTED_IDENTITY:
    g_value_set_boxed (value, priv->asserted_identity);
    break;
  case PROP_DIALOG:
    g_value_set_object (value, priv->dialog);
    break;
  case PROP_ID:
    g_value_set_string (value, priv->id);
    break;
  case PROP_LOCAL_IDENTITY:
    g_value_set_boxed (value, priv->local_identity);
    break;
  case PROP_REMOTE_IDENTITY:
    g_value_set_boxed (value, priv->remote_identity);
    break;
  case PROP_REPLACEE:
    g_value_set_object (value, priv->replacee);
    break;
  case PROP_SESSION_DESCRIPTION_HANDLER:
    g_value_set_object (value, priv->handler);
    break;
  case PROP_SESSION_DESCRIPTION_HANDLER_FACTORY:
    g_value_set_object (value, priv->handler_factory);
    break;
  case PROP_STATE:
    g_value_set_enum (value, priv->state);
    break;
  case PROP_USER_AGENT:
    g_value_set_object (value, priv->user_agent);
    break;
  case PROP_SECURE:
    g_value_set_boolean (value, priv->secure);
    break;
  case PROP_TERMINATION_REASON:
    g_value_set_string (value, priv->termination_reason);
    break;
  default:
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
  }
}

static void
belfry_session_set_property (GObject      *object,
                             guint         prop_id,
                             const GValue *value,
                             GParamSpec   *pspec)
{
  BelfrySession *self = BELFRY_SESSION (object);
  BelfrySessionPrivate *priv = belfry_session_get_instance_private (self);

  switch (prop_id) {
  case PROP_LOCAL_IDENTITY:
    priv->local_identity = g_value_dup_boxed (value);
    break;
  case PROP_REMOTE_IDENTITY:
    priv->remote_identity = g_value_dup_boxed (value);
    break;
  case PROP_SESSION_DESCRIPTION_HANDLER_FACTORY:
    priv->handler_factory = g_value_dup_object (value);
    break;
  case PROP_USER_AGENT:
    priv->user_agent = g_value_dup_object (value);
    break;
  default:
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
  }
}

static void
belfry_session_dispose (GObject *object)
{
  BelfrySession *self = BELFRY_SESSION (object);
  BelfrySessionPrivate *priv = belfry_session_get_instance_private (self);

  /* The user agent holds a session the peer knows of until it ends, so a
   * live one gets here only without a user agent: nothing is sent, as
   * dispose does no I/O. Ending a call is belfry_session_dispose_async(). */
  if (priv->state != BELFRY_SESSION_STATE_TERMINATED) {
    BELFRY_SESSION_DEBUG (self, "dropped while %s",
                          belfry_enum_get_nick (BELFRY_TYPE_SESSION_STATE, priv->state));
    session_terminated (self);
  }
  g_clear_object (&priv->handler);
  g_clear_object (&priv->handler_factory);
  g_clear_object (&priv->dialog);
  g_clear_object (&priv->replacee);
  g_clear_object (&priv->user_agent);

  G_OBJECT_CLASS (belfry_session_parent_class)->dispose (object);
}

static void
belfry_session_finalize (GObject *object)
{
  BelfrySession *self = BELFRY_SESSION (object);
  BelfrySessionPrivate *priv = belfry_session_get_instance_private (self);

  g_clear_pointer (&priv->local_identity, belfry_name_addr_unref);
  g_clear_pointer (&priv->remote_identity, belfry_name_addr_unref);
  g_clear_pointer (&priv->asserted_identity, belfry_name_addr_unref);
  g_free (priv->id);
  g_free (priv->termination_reason);

  G_OBJECT_CLASS (belfry_session_parent_class)->finalize (object);
}

static void
bye_for_dispose_cb (GObject      *object,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr (GTask) task = user_data;
  g_autoptr (GError) error = NULL;

  if (!belfry_session_bye_finish (BELFRY_SESSION (object), result, &error))
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_boolean (task, TRUE);
}

static void
real_dispose_async (BelfrySession       *self,
                    GCancellable        *cancellable,
                    GAsyncReadyCallback  callback,
                    gpointer             user_data)
{
  BelfrySessionPrivate *priv = belfry_session_get_instance_private (self);
  g_autoptr (GTask) task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, real_dispose_async);

  /* Subclasses end the early states themselves (the inviter cancels, the
   * invitation rejects) and chain up for the rest. */
  if (priv->state == BELFRY_SESSION_STATE_ESTABLISHED) {
    belfry_session_bye_async (self, cancellable, bye_for_dispose_cb, g_steal_pointer (&task));
    return;
  }

  g_task_return_boolean (task, TRUE);
}

static gboolean
real_dispose_finish (BelfrySession  *self,
                     GAsyncResult   *result,
                     GError        **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}

GError *
belfry_session_error_from_response (belle_sip_response_t *response)
{
  int status = belle_sip_response_get_status_code (response);
  const char *reason = belle_sip_response_get_reason_phrase (response);

  return g_error_new (BELFRY_SIP_ERROR, status, "%d %s", status, reason ? reason : "");
}

GError *
belfry_session_ended_error (void)
{
  return g_error_new_literal (BELFRY_SIP_ERROR, BELFRY_SIP_ERROR_INVALID_STATE,
                              "The session has ended");
}

BelfrySessionDescriptionHandler *
belfry_session_ensure_handler (BelfrySession  *self,
                               GError        **error)
{
  BelfrySessionPrivate *priv = belfry_session_get_instance_private (self);
  BelfrySessionDescriptionHandlerFactory *factory = priv->handler_factory;
  g_autoptr (BelfrySessionDescriptionHandler) handler = NULL;

  if (priv->handler != NULL)
    return priv->handler;

  if (factory == NULL && priv->user_agent != NULL)
    factory = belfry_user_agent_get_session_description_handler_factory (priv->user_agent);

  /* A session without a factory carries no session description at all. */
  if (factory == NULL)
    return NULL;

  handler = belfry_session_description_handler_factory_create (factory, self, error);
  if (handler == NULL)
    return NULL;

  belfry_session_set_session_description_handler (self, handler);
  return priv->handler;
}

void
belfry_session_update_asserted_identity (BelfrySession       *self,
                                         belle_sip_message_t *message)
{
  belle_sip_header_t *header = belle_sip_message_get_header (message, "P-Asserted-Identity");
  g_autoptr (BelfryNameAddr) identity = NULL;
  g_autoptr (GError) error = NULL;

  if (header == NULL)
    return;

  identity = belfry_name_addr_parse (belle_sip_header_get_unparsed_value (header), &error);
  if (identity == NULL) {
    BELFRY_SESSION_MESSAGE (self, "ignoring P-Asserted-Identity: %s", error->message);
    return;
  }

  belfry_session_set_asserted_identity (self, identity);
}

belle_sip_dialog_t *
belfry_session_get_sip_dialog (BelfrySession *self)
{
  BelfrySessionPrivate *priv = belfry_session_get_instance_private (self);

  return priv->sip_dialog;
}

static void
on_dialog_request (GObject                        *owner,
                   belle_sip_server_transaction_t *transaction,
                   belle_sip_request_t            *request,
                   belle_sip_dialog_t             *dialog)
{
  belfry_session_receive_request (BELFRY_SESSION (owner), transaction, request, dialog);
}

static void
on_dialog_terminated (GObject            *owner,
                      belle_sip_dialog_t *dialog,
                      gboolean            expired)
{
  belfry_session_dialog_ended (BELFRY_SESSION (owner), dialog);
}

static const BelfryDialogCallbacks session_dialog_callbacks = {
  .request = on_dialog_request,
  .terminated = on_dialog_terminated,
};

void
belfry_session_confirm_dialog (BelfrySession      *self,
                               belle_sip_dialog_t *dialog)
{
  BelfrySessionPrivate *priv = belfry_session_get_instance_private (self);
  g_autoptr (BelfrySessionDialog) view = NULL;

  if (priv->sip_dialog == dialog)
    return;

  if (priv->sip_dialog != NULL) {
    belfry_user_agent_unbind_dialog (priv->user_agent, priv->sip_dialog);
    belle_sip_object_unref (priv->sip_dialog);
  }

  priv->sip_dialog = (belle_sip_dialog_t *) belle_sip_object_ref (dialog);
  belfry_user_agent_bind_dialog (priv->user_agent, dialog, &session_dialog_callbacks,
                                 G_OBJECT (self));

  view = belfry_session_dialog_new (dialog);
  belfry_session_set_dialog (self, view);
}

void
belfry_session_dialog_ended (BelfrySession      *self,
                             belle_sip_dialog_t *dialog)
{
  BelfrySessionPrivate *priv = belfry_session_get_instance_private (self);

  if (dialog != priv->sip_dialog)
    return;

  if (priv->state != BELFRY_SESSION_STATE_TERMINATED) {
    BELFRY_SESSION_INFO (self, "the dialog ended");
    /* belle-sip ends a dialog whose 2xx no ACK confirmed after 64*T1
     * itself, with a BYE, before our own timer would. */
    if (priv->ack_timeout_id != 0) {
      g_clear_handle_id (&priv->ack_timeout_id, g_source_remove);
      belfry_session_set_termination_reason (self, _("The other side never confirmed the call"));
    }
    belfry_session_set_state (self, BELFRY_SESSION_STATE_TERMINATED);
  }
}

static gboolean
real_task_finish (BelfrySession  *self,
                  GAsyncResult   *result,
                  GError        **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* Once terminated, nothing of the session goes on: media stops, the dialog
 * forgets us, and what we still waited for fails. */
static void
session_terminated (BelfrySession *self)
{
  BelfrySessionPrivate *priv = belfry_session_get_instance_private (self);

  g_clear_handle_id (&priv->reinvite_retry_id, g_source_remove);
  g_clear_handle_id (&priv->ack_timeout_id, g_source_remove);
  belfry_session_finish_reinvite (self, belfry_session_ended_error ());
  belfry_session_finish_refer (self, belfry_session_ended_error ());
  priv->awaiting_ack_answer = FALSE;

  if (priv->handler != NULL)
    belfry_session_description_handler_close (priv->handler);

  if (priv->sip_dialog != NULL) {
    belfry_user_agent_unbind_dialog (priv->user_agent, priv->sip_dialog);
    g_clear_pointer (&priv->sip_dialog, belle_sip_object_unref);
  }
}

static void
belfry_session_class_init (BelfrySessionClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->get_property = belfry_session_get_property;
  object_class->set_property = belfry_session_set_property;
  object_class->dispose = belfry_session_dispose;
  object_class->finalize = belfry_session_finalize;

  klass->invite_async = belfry_session_real_invite_async;
  klass->invite_finish = real_task_finish;
  klass->dispose_async = real_dispose_async;
  klass->dispose_finish = real_dispose_finish;
  klass->bye_async = belfry_session_real_bye_async;
  klass->bye_finish = real_task_finish;
  klass->info_async = belfry_session_real_info_async;
  klass->info_finish = real_task_finish;
  klass->refer_async = belfry_session_real_refer_async;
  klass->refer_finish = real_task_finish;
  klass->message_async = belfry_session_real_message_async;
  klass->message_finish = real_task_finish;

  /**
   * BelfrySession:asserted-identity:
   *
   * The peer's identity as its network asserts it (P-Asserted-Identity),
   * or %NULL when none was sent.
   */
  props[PROP_ASSERTED_IDENTITY] =
    g_param_spec_boxed ("asserted-identity", NULL, NULL, BELFRY_TYPE_NAME_ADDR,
                        G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * BelfrySession:dialog:
   *
   * The confirmed dialog, set once the session is established.
   */
  props[PROP_DIALOG] =
    g_param_spec_object ("dialog", NULL, NULL, BELFRY_TYPE_SESSION_DIALOG,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * BelfrySession:id:
   *
   * A unique identifier: the Call-ID followed by our From tag.
   */
  props[PROP_ID] =
    g_param_spec_string ("id", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * BelfrySession:local-identity:
   *
   * Our identity in this session (the From of our INVITE, or the To of
   * the peer's).
   */
  props[PROP_LOCAL_IDENTITY] =
    g_param_spec_boxed ("local-identity", NULL, NULL, BELFRY_TYPE_NAME_ADDR,
                        G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  /**
   * BelfrySession:remote-identity:
   *
   * The peer's identity (the To of our INVITE, or the From of the peer's).
   */
  props[PROP_REMOTE_IDENTITY] =
    g_param_spec_boxed ("remote-identity", NULL, NULL, BELFRY_TYPE_NAME_ADDR,
                        G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_EXPLICIT_NOTIFY |
                        G_PARAM_STATIC_STRINGS);

  /**
   * BelfrySession:replacee:
   *
   * The session that this one replaces (an INVITE with Replaces), or %NULL.
   */
  props[PROP_REPLACEE] =
    g_param_spec_object ("replacee", NULL, NULL, BELFRY_TYPE_SESSION,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * BelfrySession:session-description-handler:
   *
   * The handler of this session's media, made by the factory when the
   * first description is needed.
   */
  props[PROP_SESSION_DESCRIPTION_HANDLER] =
    g_param_spec_object ("session-description-handler", NULL, NULL,
                         BELFRY_TYPE_SESSION_DESCRIPTION_HANDLER,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * BelfrySession:session-description-handler-factory:
   *
   * What makes this session's description handler.
   */
  props[PROP_SESSION_DESCRIPTION_HANDLER_FACTORY] =
    g_param_spec_object ("session-description-handler-factory", NULL, NULL,
                         BELFRY_TYPE_SESSION_DESCRIPTION_HANDLER_FACTORY,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  /**
   * BelfrySession:state:
   *
   * The session's state. #GObject::notify comes first, then
   * #BelfrySession::state-changed.
   */
  props[PROP_STATE] =
    g_param_spec_enum ("state", NULL, NULL, BELFRY_TYPE_SESSION_STATE,
                       BELFRY_SESSION_STATE_INITIAL,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * BelfrySession:user-agent:
   *
   * The user agent the session belongs to.
   */
  props[PROP_USER_AGENT] =
    g_param_spec_object ("user-agent", NULL, NULL, BELFRY_TYPE_USER_AGENT,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  /**
   * BelfrySession:secure:
   *
   * Whether the signaling travels over TLS (a sips: URI or
   * transport=tls), so that keys for encrypted audio may go in it.
   */
  props[PROP_SECURE] =
    g_param_spec_boolean ("secure", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * BelfrySession:termination-reason:
   *
   * Why Belfry ended the call by itself (the media failed, for
   * instance), in words for people; %NULL otherwise.
   */
  props[PROP_TERMINATION_REASON] =
    g_param_spec_string ("termination-reason", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, props);

  /**
   * BelfrySession::state-changed:
   * @self: the session
   * @state: the new state
   *
   * Emitted after #GObject::notify for #BelfrySession:state, once for
   * every change, as SIP.js's `stateChange`.
   */
  signals[SIGNAL_STATE_CHANGED] =
    g_signal_new ("state-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  G_STRUCT_OFFSET (BelfrySessionClass, state_changed), NULL, NULL, NULL,
                  G_TYPE_NONE, 1, BELFRY_TYPE_SESSION_STATE);

  /**
   * BelfrySession::bye:
   * @self: the session
   * @request: the BYE
   *
   * The peer ends the session. Returns %TRUE to take the request;
   * otherwise it is answered 200 and the session terminates.
   */
  signals[SIGNAL_BYE] =
    g_signal_new ("bye", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  g_signal_accumulator_true_handled, NULL, NULL,
                  G_TYPE_BOOLEAN, 1, BELFRY_TYPE_INCOMING_REQUEST);

  /**
   * BelfrySession::info:
   * @self: the session
   * @request: the INFO
   *
   * Returns %TRUE to take the request; otherwise it is answered 200.
   */
  signals[SIGNAL_INFO] =
    g_signal_new ("info", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  g_signal_accumulator_true_handled, NULL, NULL,
                  G_TYPE_BOOLEAN, 1, BELFRY_TYPE_INCOMING_REQUEST);

  /**
   * BelfrySession::invite:
   * @self: the session
   * @request: the re-INVITE
   *
   * The peer renegotiates the session. Returns %TRUE to take the request;
   * otherwise its offer goes to the session description handler and is
   * answered.
   */
  signals[SIGNAL_INVITE] =
    g_signal_new ("invite", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  g_signal_accumulator_true_handled, NULL, NULL,
                  G_TYPE_BOOLEAN, 1, BELFRY_TYPE_INCOMING_REQUEST);

  /**
   * BelfrySession::message:
   * @self: the session
   * @request: the MESSAGE
   *
   * Returns %TRUE to take the request; otherwise it is answered 200.
   */
  signals[SIGNAL_MESSAGE] =
    g_signal_new ("message", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  g_signal_accumulator_true_handled, NULL, NULL,
                  G_TYPE_BOOLEAN, 1, BELFRY_TYPE_INCOMING_REQUEST);

  /**
   * BelfrySession::refer:
   * @self: the session
   * @request: the REFER
   *
   * The peer asks us to call someone else (a transfer). Returns %TRUE to
   * take the request; otherwise it is accepted and followed.
   */
  signals[SIGNAL_REFER] =
    g_signal_new ("refer", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  g_signal_accumulator_true_handled, NULL, NULL,
                  G_TYPE_BOOLEAN, 1, BELFRY_TYPE_INCOMING_REQUEST);

  /**
   * BelfrySession::sip-notify:
   * @self: the session
   * @request: the NOTIFY
   *
   * Named so as not to clash with #GObject::notify. Returns %TRUE to take
   * the request; otherwise it is answered 200.
   */
  signals[SIGNAL_SIP_NOTIFY] =
    g_signal_new ("sip-notify", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  g_signal_accumulator_true_handled, NULL, NULL,
                  G_TYPE_BOOLEAN, 1, BELFRY_TYPE_INCOMING_REQUEST);

  /**
   * BelfrySession::dtmf:
   * @self: the session
   * @digit: the digit, one of `0123456789*#ABCD`
   *
   * The peer sent a digit, in the media (RFC 4733) or in SIP INFO
   * (`application/dtmf-relay`), whichever it used.
   */
  signals[SIGNAL_DTMF] =
    g_signal_new ("dtmf", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_CHAR);
}

static void
belfry_session_init (BelfrySession *self)
{
}

void
belfry_session_log (BelfrySession  *self,
                    const char     *log_domain,
                    GLogLevelFlags  level,
                    const char     *format,
                    ...)
{
  BelfrySessionPrivate *priv = belfry_session_get_instance_private (self);
  g_autofree char *formatted = NULL;
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  formatted = g_strdup_vprintf (format, args);
  va_end (args);

  /* Sessions log what the peer sent (reasons, errors about its SDP), which
   * may quote keys: the same scan as belle-sip's own lines. */
  message = belfry_log_redact (formatted);
  g_log_structured (log_domain, level,
                    "BELFRY_SESSION_ID", priv->id ? priv->id : "",
                    "MESSAGE", "%s%s%s", priv->id ? priv->id : "", priv->id ? ": " : "", message);
}

gboolean
belfry_session_set_state (BelfrySession      *self,
                          BelfrySessionState  state)
{
  BelfrySessionPrivate *priv = belfry_session_get_instance_private (self);

  g_return_val_if_fail (BELFRY_IS_SESSION (self), FALSE);

  if (!belfry_session_state_can_change (priv->state, state)) {
    g_critical ("Session %s: illegal state transition from %s to %s",
                priv->id ? priv->id : "(no id)",
                belfry_enum_get_nick (BELFRY_TYPE_SESSION_STATE, priv->state),
                belfry_enum_get_nick (BELFRY_TYPE_SESSION_STATE, state));
    return FALSE;
  }

  BELFRY_SESSION_DEBUG (self, "state %s -> %s",
                        belfry_enum_get_nick (BELFRY_TYPE_SESSION_STATE, priv->state),
                        belfry_enum_get_nick (BELFRY_TYPE_SESSION_STATE, state));
  priv->state = state;

  g_object_ref (self);
  if (state == BELFRY_SESSION_STATE_TERMINATED)
    session_terminated (self);
  else if (priv->user_agent != NULL)
    belfry_user_agent_hold_session (priv->user_agent, self);
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_STATE]);
  g_signal_emit (self, signals[SIGNAL_STATE_CHANGED], 0, state);
  if (state == BELFRY_SESSION_STATE_TERMINATED && priv->user_agent != NULL)
    belfry_user_agent_release_session (priv->user_agent, self);
  g_object_unref (self);

  return TRUE;
}

void
belfry_session_set_secure (BelfrySession *self,
                           gboolean       secure)
{
  BelfrySessionPrivate *priv = belfry_session_get_instance_private (self);

  g_return_if_fail (BELFRY_IS_SESSION (self));

  if (priv->secure == !!secure)
    return;

  priv->secure = !!secure;
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_SECURE]);
}

void
belfry_session_set_termination_reason (BelfrySession *self,
                                       const char    *reason)
{
  BelfrySessionPrivate *priv = belfry_session_get_instance_private (self);

  g_return_if_fail (BELFRY_IS_SESSION (self));

  if (g_strcmp0 (priv->termination_reason, reason) == 0)
    return;

  g_free (priv->termination_reason);
  priv->termination_reason = g_strdup (reason);
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_TERMINATION_REASON]);
}

void
belfry_session_set_id (BelfrySession *self,
                       const char    *id)
{
  BelfrySessionPrivate *priv = belfry_session_get_instance_private (self);

  g_return_if_fail (BELFRY_IS_SESSION (self));

  if (g_strcmp0 (priv->id, id) == 0)
    return;

  g_free (priv->id);
  priv->id = g_strdup (id);
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_ID]);
}

void
belfry_session_set_remote_identity (BelfrySession  *self,
                                    BelfryNameAddr *identity)
{
  BelfrySessionPrivate *priv = belfry_session_get_instance_private (self);

  g_return_if_fail (BELFRY_IS_SESSION (self));
  g_return_if_fail (identity != NULL);

  if (set_name_addr (&priv->remote_identity, identity))
    g_object_notify_by_pspec (G_OBJECT (self), props[PROP_REMOTE_IDENTITY]);
}

void
belfry_session_set_asserted_identity (BelfrySession  *self,
                                      BelfryNameAddr *identity)
{
  BelfrySessionPrivate *priv = belfry_session_get_instance_private (self);

  g_return_if_fail (BELFRY_IS_SESSION (self));

  if (set_name_addr (&priv->asserted_identity, identity))
    g_object_notify_by_pspec (G_OBJECT (self), props[PROP_ASSERTED_IDENTITY]);
}

void
belfry_session_set_dialog (BelfrySession       *self,
                           BelfrySessionDialog *dialog)
{
  BelfrySessionPrivate *priv = belfry_session_get_instance_private (self);

  g_return_if_fail (BELFRY_IS_SESSION (self));

  if (g_set_object (&priv->dialog, dialog))
    g_object_notify_by_pspec (G_OBJECT (self), props[PROP_DIALOG]);
}

void
belfry_session_set_replacee (BelfrySession *self,
                             BelfrySession *replacee)
{
  BelfrySessionPrivate *priv = belfry_session_get_instance_private (self);

  g_return_if_fail (BELFRY_IS_SESSION (self));

  if (g_set_object (&priv->replacee, replacee))
    g_object_notify_by_pspec (G_OBJECT (self), props[PROP_REPLACEE]);
}

static void
on_handler_failed (BelfrySessionDescriptionHandler *handler,
                   const GError                    *error,
                   BelfrySession                   *self)
{
  BelfrySessionPrivate *priv = belfry_session_get_instance_private (self);
  g_autofree char *reason = NULL;
  g_autofree char *text = NULL;

  BELFRY_SESSION_MESSAGE (self, "media failed: %s", error->message);

  /* Early media has the INVITE's own timers. */
  if (priv->state != BELFRY_SESSION_STATE_ESTABLISHED)
    return;

  belfry_session_set_termination_reason (self, error->message);
  /* RFC 3326: say why, as a Q.850 cause (41, temporary failure). */
  text = g_strescape (error->message, NULL);
  reason = g_strdup_printf ("Q.850;cause=41;text=\"%s\"", text);
  belfry_session_send_bye (self, reason, NULL);
}

/* A digit the peer sent, by RFC 4733 or by INFO. */
void
belfry_session_emit_dtmf (BelfrySession *self,
                          char           digit)
{
  g_signal_emit (self, signals[SIGNAL_DTMF], 0, digit);
}

static void
on_handler_dtmf (BelfrySessionDescriptionHandler *handler,
                 char                             digit,
                 BelfrySession                   *self)
{
  belfry_session_emit_dtmf (self, digit);
}

void
belfry_session_set_session_description_handler (BelfrySession                   *self,
                                                BelfrySessionDescriptionHandler *handler)
{
  BelfrySessionPrivate *priv = belfry_session_get_instance_private (self);

  g_return_if_fail (BELFRY_IS_SESSION (self));

  if (priv->handler == handler)
    return;

  if (priv->handler != NULL) {
    g_signal_handlers_disconnect_by_func (priv->handler, on_handler_dtmf, self);
    g_signal_handlers_disconnect_by_func (priv->handler, on_handler_failed, self);
  }
  g_set_object (&priv->handler, handler);
  if (handler != NULL) {
    g_signal_connect_object (handler, "dtmf-received", G_CALLBACK (on_handler_dtmf), self, 0);
    g_signal_connect_object (handler, "failed", G_CALLBACK (on_handler_failed), self, 0);
  }
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_SESSION_DESCRIPTION_HANDLER]);
}

guint
belfry_session_lookup_request_signal (const char *method)
{
  static const struct {
    const char *method;
    guint signal;
  } map[] = {
    { "BYE", SIGNAL_BYE },
    { "INFO", SIGNAL_INFO },
    { "INVITE", SIGNAL_INVITE },
    { "MESSAGE", SIGNAL_MESSAGE },
    { "REFER", SIGNAL_REFER },
    { "NOTIFY", SIGNAL_SIP_NOTIFY },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (map); i++) {
    if (g_strcmp0 (method, map[i].method) == 0)
      return signals[map[i].signal];
  }

  return 0;
}

/* Offers a request to the signal's handlers; TRUE when one took it. */
gboolean
belfry_session_emit_request (BelfrySession         *self,
                             guint                  signal_id,
                             BelfryIncomingRequest *request)
{
  gboolean handled = FALSE;

  g_return_val_if_fail (BELFRY_IS_SESSION (self), FALSE);
  g_return_val_if_fail (signal_id != 0, FALSE);

  g_signal_emit (self, signal_id, 0, request, &handled);
  return handled;
}

/**
 * belfry_session_get_state:
 * @self: a session
 *
 * Returns: the state
 */
BelfrySessionState
belfry_session_get_state (BelfrySession *self)
{
  BelfrySessionPrivate *priv = belfry_session_get_instance_private (self);

  g_return_val_if_fail (BELFRY_IS_SESSION (self), BELFRY_SESSION_STATE_TERMINATED);

  return priv->state;
}

/**
 * belfry_session_get_id:
 * @self: a session
 *
 * Returns: (nullable): the Call-ID and our tag, once the first request was
 *   made or received
 */
const char *
belfry_session_get_id (BelfrySession *self)
{
  BelfrySessionPrivate *priv = belfry_session_get_instance_private (self);

  g_return_val_if_fail (BELFRY_IS_SESSION (self), NULL);

  return priv->id;
}

/**
 * belfry_session_get_user_agent:
 * @self: a session
 *
 * Returns: (transfer none) (nullable): the user agent
 */
BelfryUserAgent *
belfry_session_get_user_agent (BelfrySession *self)
{
  BelfrySessionPrivate *priv = belfry_session_get_instance_private (self);

  g_return_val_if_fail (BELFRY_IS_SESSION (self), NULL);

  return priv->user_agent;
}

/**
 * belfry_session_get_local_identity:
 * @self: a session
 *
 * Returns: (transfer none) (nullable): our identity
 */
BelfryNameAddr *
belfry_session_get_local_identity (BelfrySession *self)
{
  BelfrySessionPrivate *priv = belfry_session_get_instance_private (self);

  g_return_val_if_fail (BELFRY_IS_SESSION (self), NULL);

  return priv->local_identity;
}

/**
 * belfry_session_get_remote_identity:
 * @self: a session
 *
 * Returns: (transfer none) (nullable): the peer's identity
 */
BelfryNameAddr *
belfry_session_get_remote_identity (BelfrySession *self)
{
  BelfrySessionPrivate *priv = belfry_session_get_instance_private (self);

  g_return_val_if_fail (BELFRY_IS_SESSION (self), NULL);

  return priv->remote_identity;
}

/**
 * belfry_session_get_asserted_identity:
 * @self: a session
 *
 * Returns: (transfer none) (nullable): the peer's asserted identity
 */
BelfryNameAddr *
belfry_session_get_asserted_identity (BelfrySession *self)
{
  BelfrySessionPrivate *priv = belfry_session_get_instance_private (self);

  g_return_val_if_fail (BELFRY_IS_SESSION (self), NULL);

  return priv->asserted_identity;
}

/**
 * belfry_session_get_dialog:
 * @self: a session
 *
 * Returns: (transfer none) (nullable): the confirmed dialog
 */
BelfrySessionDialog *
belfry_session_get_dialog (BelfrySession *self)
{
  BelfrySessionPrivate *priv = belfry_session_get_instance_private (self);

  g_return_val_if_fail (BELFRY_IS_SESSION (self), NULL);

  return priv->dialog;
}

/**
 * belfry_session_get_replacee:
 * @self: a session
 *
 * Returns: (transfer none) (nullable): the session this one replaces
 */
BelfrySession *
belfry_session_get_replacee (BelfrySession *self)
{
  BelfrySessionPrivate *priv = belfry_session_get_instance_private (self);

  g_return_val_if_fail (BELFRY_IS_SESSION (self), NULL);

  return priv->replacee;
}

/**
 * belfry_session_get_session_description_handler:
 * @self: a session
 *
 * Returns: (transfer none) (nullable): the media handler
 */
BelfrySessionDescriptionHandler *
belfry_session_get_session_description_handler (BelfrySession *self)
{
  BelfrySessionPrivate *priv = belfry_session_get_instance_private (self);

  g_return_val_if_fail (BELFRY_IS_SESSION (self), NULL);

  return priv->handler;
}

/**
 * belfry_session_get_session_description_handler_factory:
 * @self: a session
 *
 * Returns: (transfer none) (nullable): the factory of the media handler
 */
BelfrySessionDescriptionHandlerFactory *
belfry_session_get_session_description_handler_factory (BelfrySession *self)
{
  BelfrySessionPrivate *priv = belfry_session_get_instance_private (self);

  g_return_val_if_fail (BELFRY_IS_SESSION (self), NULL);

  return priv->handler_factory;
}

/**
 * belfry_session_dispose_async:
 * @self: a session
 * @cancellable: (nullable): a #GCancellable
 * @callback: (nullable): called when the session has ended
 * @user_data: data for @callback
 *
 * Ends the session whatever its state, as SIP.js's `dispose()`: an
 * outgoing call still ringing is cancelled, an incoming one rejected, an
 * established one ended with BYE.
 */
void
belfry_session_dispose_async (BelfrySession       *self,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_return_if_fail (BELFRY_IS_SESSION (self));

  BELFRY_SESSION_GET_CLASS (self)->dispose_async (self, cancellable, callback, user_data);
}

/**
 * belfry_session_dispose_finish:
 * @self: a session
 * @result: the result given to the callback
 * @error: return location for a #GError
 *
 * Returns: %TRUE when the session ended cleanly
 */
gboolean
belfry_session_dispose_finish (BelfrySession  *self,
                               GAsyncResult   *result,
                               GError        **error)
{
  g_return_val_if_fail (BELFRY_IS_SESSION (self), FALSE);

  return BELFRY_SESSION_GET_CLASS (self)->dispose_finish (self, result, error);
}
