/* SPDX-License-Identifier: GPL-3.0-or-later */

#define G_LOG_DOMAIN "belfry-session"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "belfry-enum.h"
#include "belfry-incoming-request-private.h"
#include "belfry-log-private.h"
#include "belfry-name-addr-private.h"
#include "belfry-session.h"
#include "belfry-session-dialog-private.h"
#include "belfry-session-private.h"
#include "belfry-sip-enums.h"
#include "belfry-sip-error.h"
#include "belfry-sip-loop.h"
#include "belfry-user-agent.h"
#include "belfry-user-agent-private.h"

#include <string.h>

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

typedef struct {
  BelfrySessionState state;
  char *id;
  BelfryUserAgent *user_agent;
  BelfryNameAddr *local_identity;
  BelfryNameAddr *remote_identity;
  BelfryNameAddr *asserted_identity;
  BelfrySessionDialog *dialog;
  BelfrySession *replacee;
  BelfrySessionDescriptionHandler *handler;
  BelfrySessionDescriptionHandlerFactory *handler_factory;

  /* The confirmed belle-sip dialog. */
  belle_sip_dialog_t *sip_dialog;
  /* Our re-INVITE under way, and the options it was made with. */
  GTask *reinvite_task;
  BelfrySessionInviteOptions reinvite_options;
  guint reinvite_retry_id;
  /* A re-INVITE of the peer's that we answered without an offer from it:
   * its ACK carries the answer. */
  gboolean awaiting_ack_answer;
  /* Our REFER under way, until the final NOTIFY. */
  GTask *refer_task;
  /* Ends a call whose 2xx we sent but whose ACK never came. */
  guint ack_timeout_id;
  gboolean secure;
  char *termination_reason;
} BelfrySessionPrivate;

G_DEFINE_ABSTRACT_TYPE_WITH_PRIVATE (BelfrySession, belfry_session, G_TYPE_OBJECT)

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

void
belfry_session_add_body (belle_sip_message_t *message,
                         const char          *content_type,
                         const char          *body)
{
  g_auto (GStrv) parts = g_strsplit (content_type, "/", 2);
  gsize length = strlen (body);

  belle_sip_message_add_header (message, BELLE_SIP_HEADER (
    belle_sip_header_content_type_create (parts[0], parts[1] ? parts[1] : "")));
  belle_sip_message_add_header (message, BELLE_SIP_HEADER (
    belle_sip_header_content_length_create (length)));
  belle_sip_message_set_body (message, body, length);
}

char *
belfry_session_dup_body (belle_sip_message_t  *message,
                         char                **content_type)
{
  belle_sip_header_content_type_t *type;
  gsize size = belle_sip_message_get_body_size (message);

  if (content_type != NULL)
    *content_type = NULL;

  if (size == 0 || belle_sip_message_get_body (message) == NULL)
    return NULL;

  type = belle_sip_message_get_header_by_type (message, belle_sip_header_content_type_t);
  if (content_type != NULL && type != NULL)
    *content_type = g_strdup_printf ("%s/%s", belle_sip_header_content_type_get_type (type),
                                     belle_sip_header_content_type_get_subtype (type));

  return g_strndup (belle_sip_message_get_body (message), size);
}

GError *
belfry_session_error_from_response (belle_sip_response_t *response)
{
  int status = belle_sip_response_get_status_code (response);
  const char *reason = belle_sip_response_get_reason_phrase (response);

  return g_error_new (BELFRY_SIP_ERROR, status, "%d %s", status, reason ? reason : "");
}

static GError *
session_ended_error (void)
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

static void
ignore_response (GObject                        *owner,
                 belle_sip_client_transaction_t *transaction,
                 belle_sip_response_t           *response,
                 belle_sip_dialog_t             *dialog)
{
}

static const BelfryClientCallbacks ignore_callbacks = {
  .response = ignore_response,
};

static belle_sip_request_t *
create_in_dialog_request (BelfrySession      *self,
                          belle_sip_dialog_t *dialog,
                          const char         *method)
{
  BelfrySessionPrivate *priv = belfry_session_get_instance_private (self);
  belle_sip_request_t *request = belle_sip_dialog_create_request (dialog, method);

  if (request == NULL)
    request = belle_sip_dialog_create_queued_request (dialog, method);
  if (request == NULL)
    return NULL;

  belfry_user_agent_add_capabilities (priv->user_agent, BELLE_SIP_MESSAGE (request));
  return request;
}

/* Ends a dialog other than the session's own (a forked or late 2xx), or
 * the session's own without waiting on the answer. */
void
belfry_session_send_bye_on (BelfrySession      *self,
                            belle_sip_dialog_t *dialog,
                            const char         *reason)
{
  BelfrySessionPrivate *priv = belfry_session_get_instance_private (self);
  belle_sip_request_t *request = create_in_dialog_request (self, dialog, "BYE");

  if (request == NULL)
    return;

  if (reason != NULL)
    belle_sip_message_add_header (BELLE_SIP_MESSAGE (request),
                                  belle_sip_header_create ("Reason", reason));
  belfry_user_agent_send_request (priv->user_agent, request, &ignore_callbacks, G_OBJECT (self));
}

/* ---- Requests the peer sends inside the session ---- */

typedef struct {
  BelfrySession *session;
  belle_sip_server_transaction_t *transaction;
  belle_sip_request_t *request;
} IncomingInvite;

static void
incoming_invite_free (IncomingInvite *data)
{
  g_object_unref (data->session);
  belle_sip_object_unref (data->transaction);
  belle_sip_object_unref (data->request);
  g_free (data);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (IncomingInvite, incoming_invite_free)

static void
answer_reinvite (IncomingInvite *data,
                 int             status,
                 const char     *content_type,
                 const char     *body)
{
  BelfrySessionPrivate *priv = belfry_session_get_instance_private (data->session);
  belle_sip_response_t *response = belle_sip_response_create_from_request (data->request, status);

  belfry_user_agent_add_capabilities (priv->user_agent, BELLE_SIP_MESSAGE (response));
  if (status >= 200 && status < 300)
    belle_sip_message_add_header (BELLE_SIP_MESSAGE (response), BELLE_SIP_HEADER (
      belfry_user_agent_create_contact (priv->user_agent, data->request)));
  if (body != NULL)
    belfry_session_add_body (BELLE_SIP_MESSAGE (response), content_type, body);
  belle_sip_server_transaction_send_response (data->transaction, response);
  belfry_sip_loop_wake ();
}

static void
reinvite_answer_ready_cb (GObject      *object,
                          GAsyncResult *result,
                          gpointer      user_data)
{
  g_autoptr (IncomingInvite) data = user_data;
  g_autoptr (GError) error = NULL;
  g_autofree char *content_type = NULL;
  g_autofree char *body = NULL;

  body = belfry_session_description_handler_get_description_finish (
    BELFRY_SESSION_DESCRIPTION_HANDLER (object), result, &content_type, &error);
  if (body == NULL) {
    BELFRY_SESSION_MESSAGE (data->session, "cannot answer the re-INVITE: %s", error->message);
    belfry_session_description_handler_rollback_description (BELFRY_SESSION_DESCRIPTION_HANDLER (object));
    answer_reinvite (data, 488, NULL, NULL);
    return;
  }

  answer_reinvite (data, 200, content_type, body);
}

static void
reinvite_offer_taken_cb (GObject      *object,
                         GAsyncResult *result,
                         gpointer      user_data)
{
  g_autoptr (IncomingInvite) data = user_data;
  g_autoptr (GError) error = NULL;
  BelfrySessionDescriptionHandler *handler = BELFRY_SESSION_DESCRIPTION_HANDLER (object);

  if (!belfry_session_description_handler_set_description_finish (handler, result, &error)) {
    BELFRY_SESSION_MESSAGE (data->session, "refusing the re-INVITE's offer: %s", error->message);
    answer_reinvite (data, 488, NULL, NULL);
    return;
  }

  belfry_session_description_handler_get_description_async (handler, NULL, NULL,
                                                            reinvite_answer_ready_cb,
                                                            g_steal_pointer (&data));
}

static void
receive_reinvite (BelfrySession                  *self,
                  belle_sip_server_transaction_t *transaction,
                  belle_sip_request_t            *request)
{
  BelfrySessionPrivate *priv = belfry_session_get_instance_private (self);
  g_autoptr (BelfryIncomingRequest) incoming = belfry_incoming_request_new (transaction);
  g_autoptr (IncomingInvite) data = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *content_type = NULL;
  g_autofree char *body = NULL;
  BelfrySessionDescriptionHandler *handler;

  data = g_new0 (IncomingInvite, 1);
  data->session = g_object_ref (self);
  data->transaction = (belle_sip_server_transaction_t *) belle_sip_object_ref (transaction);
  data->request = (belle_sip_request_t *) belle_sip_object_ref (request);

  /* Glare: our own re-INVITE is under way (RFC 3261 section 14.2). */
  if (priv->reinvite_task != NULL) {
    answer_reinvite (data, 491, NULL, NULL);
    return;
  }

  if (priv->state != BELFRY_SESSION_STATE_ESTABLISHED) {
    answer_reinvite (data, priv->state == BELFRY_SESSION_STATE_TERMINATED ? 481 : 500, NULL, NULL);
    return;
  }

  belfry_session_update_asserted_identity (self, BELLE_SIP_MESSAGE (request));

  if (belfry_session_emit_request (self, signals[SIGNAL_INVITE], incoming) ||
      belfry_incoming_request_get_answered (incoming))
    return;

  body = belfry_session_dup_body (BELLE_SIP_MESSAGE (request), &content_type);
  handler = belfry_session_ensure_handler (self, &error);
  if (handler == NULL) {
    if (error != NULL)
      BELFRY_SESSION_MESSAGE (self, "no media handler: %s", error->message);
    answer_reinvite (data, body != NULL || error != NULL ? 488 : 200, NULL, NULL);
    return;
  }

  if (body == NULL) {
    /* An offerless re-INVITE: we offer in the 200 and the ACK answers. */
    belfry_session_expect_ack (self, TRUE);
    belfry_session_description_handler_get_description_async (handler, NULL, NULL,
                                                              reinvite_answer_ready_cb,
                                                              g_steal_pointer (&data));
    return;
  }

  if (!belfry_session_description_handler_has_description (handler, content_type)) {
    answer_reinvite (data, 415, NULL, NULL);
    return;
  }

  belfry_session_description_handler_set_description_async (handler, content_type, body, NULL,
                                                            NULL, reinvite_offer_taken_cb,
                                                            g_steal_pointer (&data));
}

static void
ack_answer_taken_cb (GObject      *object,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr (BelfrySession) self = user_data;
  BelfrySessionPrivate *priv = belfry_session_get_instance_private (self);
  g_autoptr (GError) error = NULL;

  if (!belfry_session_description_handler_set_description_finish (
        BELFRY_SESSION_DESCRIPTION_HANDLER (object), result, &error)) {
    BELFRY_SESSION_MESSAGE (self, "the answer in the ACK cannot be used: %s", error->message);
    if (priv->state == BELFRY_SESSION_STATE_ESTABLISHED && priv->sip_dialog != NULL)
      belfry_session_bye_async (self, NULL, NULL, NULL);
  }
}

/* Whether belle-sip's own BYE is on its way in @dialog. */
static gboolean
bye_underway (belle_sip_dialog_t *dialog)
{
  belle_sip_transaction_t *last = belle_sip_dialog_get_last_transaction (dialog);

  return last != NULL && BELLE_SIP_OBJECT_IS_INSTANCE_OF (last, belle_sip_client_transaction_t) &&
         g_strcmp0 (belle_sip_request_get_method (belle_sip_transaction_get_request (last)), "BYE") == 0 &&
         belle_sip_transaction_get_state (last) != BELLE_SIP_TRANSACTION_TERMINATED;
}

/* The fallback to belle-sip's own end of an unconfirmed dialog (see
 * belfry_session_expect_ack()). */
static gboolean
ack_timeout_cb (gpointer user_data)
{
  BelfrySession *self = user_data;
  BelfrySessionPrivate *priv = belfry_session_get_instance_private (self);

  priv->ack_timeout_id = 0;
  BELFRY_SESSION_MESSAGE (self, "no ACK came for our 2xx; ending the call");
  belfry_session_set_termination_reason (self, _("The other side never confirmed the call"));
  if (priv->state == BELFRY_SESSION_STATE_ESTABLISHED && priv->sip_dialog != NULL &&
      !bye_underway (priv->sip_dialog))
    belfry_session_bye_async (self, NULL, NULL, NULL);
  else if (priv->state != BELFRY_SESSION_STATE_TERMINATED)
    belfry_session_set_state (self, BELFRY_SESSION_STATE_TERMINATED);
  return G_SOURCE_REMOVE;
}

/* After sending a 2xx to an INVITE: RFC 3261 section 13.3.1.4 gives the
 * ACK 64*T1 to come. belle-sip ends the dialog itself then, with a BYE of
 * its own, and belfry_session_dialog_ended() gives the reason; our timer
 * comes 2 s later (to the millisecond: a timer in whole seconds could
 * fire first, and a second BYE would go to a peer that already took the
 * first), for a dialog belle-sip has not ended. @answer_in_ack: the 2xx
 * carried our offer. */
void
belfry_session_expect_ack (BelfrySession *self,
                           gboolean       answer_in_ack)
{
  BelfrySessionPrivate *priv = belfry_session_get_instance_private (self);

  priv->awaiting_ack_answer = answer_in_ack;
  g_clear_handle_id (&priv->ack_timeout_id, g_source_remove);
  priv->ack_timeout_id = g_timeout_add_full (G_PRIORITY_DEFAULT,
                                             64 * belfry_user_agent_get_timer_t1 (priv->user_agent) + 2000,
                                             ack_timeout_cb, g_object_ref (self), g_object_unref);
}

static void
receive_ack (BelfrySession       *self,
             belle_sip_request_t *request)
{
  BelfrySessionPrivate *priv = belfry_session_get_instance_private (self);
  g_autofree char *content_type = NULL;
  g_autofree char *body = NULL;

  g_clear_handle_id (&priv->ack_timeout_id, g_source_remove);

  if (!priv->awaiting_ack_answer)
    return;

  priv->awaiting_ack_answer = FALSE;
  body = belfry_session_dup_body (BELLE_SIP_MESSAGE (request), &content_type);
  if (body == NULL || priv->handler == NULL) {
    BELFRY_SESSION_MESSAGE (self, "the ACK carries no answer to our offer");
    belfry_session_bye_async (self, NULL, NULL, NULL);
    return;
  }

  belfry_session_description_handler_set_description_async (priv->handler, content_type, body,
                                                            NULL, NULL, ack_answer_taken_cb,
                                                            g_object_ref (self));
}


/* ---- Transfers (RFC 3515, RFC 3891) ---- */

static void
finish_refer (BelfrySession *self,
              GError        *error)
{
  BelfrySessionPrivate *priv = belfry_session_get_instance_private (self);
  g_autoptr (GTask) task = g_steal_pointer (&priv->refer_task);

  if (task == NULL) {
    g_clear_error (&error);
    return;
  }

  if (error != NULL)
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

/* Reads the status of a message/sipfrag body with belle-sip's parser. */
static int
sipfrag_status (const char *body)
{
  g_autofree char *text = g_strconcat (body, g_str_has_suffix (body, "\r\n\r\n") ? "" : "\r\n", NULL);
  belle_sip_message_t *message = belle_sip_message_parse (text);
  int status = 0;

  if (message != NULL && BELLE_SIP_OBJECT_IS_INSTANCE_OF (message, belle_sip_response_t))
    status = belle_sip_response_get_status_code (BELLE_SIP_RESPONSE (message));
  if (message != NULL)
    belle_sip_object_unref (belle_sip_object_ref (message));
  return status;
}

static gboolean
take_refer_notify (BelfrySession         *self,
                   BelfryIncomingRequest *incoming)
{
  BelfrySessionPrivate *priv = belfry_session_get_instance_private (self);
  const char *event = belfry_incoming_request_get_header (incoming, "Event");
  const char *body = belfry_incoming_request_get_body (incoming);
  int status;

  if (priv->refer_task == NULL || event == NULL || g_ascii_strncasecmp (event, "refer", 5) != 0)
    return FALSE;

  belfry_incoming_request_accept (incoming);

  status = body != NULL ? sipfrag_status (body) : 0;
  BELFRY_SESSION_INFO (self, "transfer progress: %d", status);
  if (status >= 200 && status < 300)
    finish_refer (self, NULL);
  else if (status >= 300)
    finish_refer (self, g_error_new (BELFRY_SIP_ERROR, status,
                                     "The transfer target answered %d", status));
  return TRUE;
}

static void
refer_response (GObject                        *owner,
                belle_sip_client_transaction_t *transaction,
                belle_sip_response_t           *response,
                belle_sip_dialog_t             *dialog)
{
  BelfrySession *self = BELFRY_SESSION (owner);
  int status = belle_sip_response_get_status_code (response);

  /* 202 Accepted: the outcome comes in NOTIFYs. */
  if (status >= 300)
    finish_refer (self, belfry_session_error_from_response (response));
}

static void
refer_failure (GObject                        *owner,
               belle_sip_client_transaction_t *transaction,
               const GError                   *error)
{
  finish_refer (BELFRY_SESSION (owner), g_error_copy (error));
}

static const BelfryClientCallbacks refer_callbacks = {
  .response = refer_response,
  .failure = refer_failure,
};

static char *
replaces_for (BelfrySession *replaced)
{
  BelfrySessionPrivate *priv = belfry_session_get_instance_private (replaced);
  belle_sip_dialog_t *dialog = priv->sip_dialog;
  g_autofree char *value = NULL;
  char *escaped;

  /* RFC 3891: the tags as the transfer target sees its dialog with us. */
  value = g_strdup_printf ("%s;to-tag=%s;from-tag=%s",
                           belle_sip_header_call_id_get_call_id (belle_sip_dialog_get_call_id (dialog)),
                           belle_sip_dialog_get_remote_tag (dialog),
                           belle_sip_dialog_get_local_tag (dialog));
  escaped = g_uri_escape_string (value, NULL, FALSE);
  return escaped;
}

static void
real_refer_async (BelfrySession       *self,
                  BelfryNameAddr      *target,
                  BelfrySession       *replaced,
                  GCancellable        *cancellable,
                  GAsyncReadyCallback  callback,
                  gpointer             user_data)
{
  BelfrySessionPrivate *priv = belfry_session_get_instance_private (self);
  g_autoptr (GTask) task = g_task_new (self, cancellable, callback, user_data);
  g_autofree char *refer_to = NULL;
  g_autofree char *identity = NULL;
  belle_sip_request_t *request;

  g_task_set_source_tag (task, real_refer_async);

  if (priv->state != BELFRY_SESSION_STATE_ESTABLISHED || priv->sip_dialog == NULL) {
    g_task_return_new_error (task, BELFRY_SIP_ERROR, BELFRY_SIP_ERROR_INVALID_STATE,
                             "A transfer needs an established session");
    return;
  }

  if (priv->refer_task != NULL) {
    g_task_return_new_error (task, BELFRY_SIP_ERROR, BELFRY_SIP_ERROR_REQUEST_PENDING,
                             "Another transfer is under way");
    return;
  }

  if (replaced != NULL) {
    BelfrySessionPrivate *replaced_priv = belfry_session_get_instance_private (replaced);
    g_autoptr (BelfryNameAddr) remote_target = NULL;
    g_autofree char *uri = NULL;
    g_autofree char *replaces = NULL;

    if (replaced_priv->state != BELFRY_SESSION_STATE_ESTABLISHED || replaced_priv->dialog == NULL) {
      g_task_return_new_error (task, BELFRY_SIP_ERROR, BELFRY_SIP_ERROR_INVALID_STATE,
                               "An attended transfer needs a second established session");
      return;
    }

    remote_target = belfry_session_dialog_dup_remote_target (replaced_priv->dialog);
    uri = belfry_name_addr_dup_uri (remote_target);
    replaces = replaces_for (replaced);
    refer_to = g_strdup_printf ("<%s?Replaces=%s>", uri, replaces);
  } else {
    g_autofree char *uri = belfry_name_addr_dup_uri (target);

    refer_to = g_strdup_printf ("<%s>", uri);
  }

  request = create_in_dialog_request (self, priv->sip_dialog, "REFER");
  if (request == NULL) {
    g_task_return_new_error (task, BELFRY_SIP_ERROR, BELFRY_SIP_ERROR_REQUEST_PENDING,
                             "The dialog cannot send REFER now");
    return;
  }

  belle_sip_message_add_header (BELLE_SIP_MESSAGE (request), belle_sip_header_create ("Refer-To", refer_to));
  identity = belfry_name_addr_to_string (priv->local_identity);
  belle_sip_message_add_header (BELLE_SIP_MESSAGE (request), belle_sip_header_create ("Referred-By", identity));
  belle_sip_message_add_header (BELLE_SIP_MESSAGE (request), BELLE_SIP_HEADER (
    belfry_user_agent_create_contact (priv->user_agent, request)));

  priv->refer_task = g_steal_pointer (&task);
  belfry_user_agent_send_request (priv->user_agent, request, &refer_callbacks, G_OBJECT (self));
}

static void
send_refer_notify (BelfrySession *self,
                   int            status,
                   const char    *reason,
                   gboolean       final)
{
  BelfrySessionPrivate *priv = belfry_session_get_instance_private (self);
  g_autofree char *fragment = g_strdup_printf ("SIP/2.0 %d %s\r\n", status, reason);
  belle_sip_request_t *request;

  if (priv->sip_dialog == NULL || priv->state == BELFRY_SESSION_STATE_TERMINATED)
    return;

  request = create_in_dialog_request (self, priv->sip_dialog, "NOTIFY");
  if (request == NULL)
    return;

  belle_sip_message_add_header (BELLE_SIP_MESSAGE (request), belle_sip_header_create ("Event", "refer"));
  belle_sip_message_add_header (BELLE_SIP_MESSAGE (request), belle_sip_header_create (
    "Subscription-State", final ? "terminated;reason=noresource" : "active;expires=60"));
  belle_sip_message_add_header (BELLE_SIP_MESSAGE (request), BELLE_SIP_HEADER (
    belfry_user_agent_create_contact (priv->user_agent, request)));
  belfry_session_add_body (BELLE_SIP_MESSAGE (request), "message/sipfrag;version=2.0", fragment);
  belfry_user_agent_send_request (priv->user_agent, request, &ignore_callbacks, G_OBJECT (self));
}

static void
referred_call_done_cb (GObject      *object,
                       GAsyncResult *result,
                       gpointer      user_data)
{
  g_autoptr (BelfrySession) self = user_data;
  g_autoptr (GError) error = NULL;
  guint status;

  if (belfry_session_invite_finish (BELFRY_SESSION (object), result, &error)) {
    send_refer_notify (self, 200, "OK", TRUE);
    return;
  }

  status = belfry_sip_error_get_status (error);
  send_refer_notify (self, status != 0 ? (int) status : 503,
                     status != 0 ? "Failed" : "Service Unavailable", TRUE);
}

/* SIP.js's default for a REFER nobody took: accept it and call the target,
 * telling the referrer how it goes. */
static void
follow_refer (BelfrySession         *self,
              BelfryIncomingRequest *incoming)
{
  BelfrySessionPrivate *priv = belfry_session_get_instance_private (self);
  const char *refer_to = belfry_incoming_request_get_header (incoming, "Refer-To");
  g_autoptr (BelfryNameAddr) target = NULL;
  g_autoptr (BelfrySession) call = NULL;
  g_autoptr (GError) error = NULL;

  target = refer_to ? belfry_name_addr_parse (refer_to, &error) : NULL;
  if (target == NULL) {
    belfry_incoming_request_reject (incoming, 400, "Bad Refer-To");
    return;
  }

  call = belfry_user_agent_create_referred_call (priv->user_agent, self, target, &error);
  if (call == NULL) {
    BELFRY_SESSION_MESSAGE (self, "cannot follow the REFER: %s", error->message);
    belfry_incoming_request_reject (incoming, 603, NULL);
    return;
  }

  belfry_incoming_request_respond (incoming, belle_sip_response_create_from_request (
    belfry_incoming_request_get_request (incoming), 202));
  send_refer_notify (self, 100, "Trying", FALSE);
  belfry_session_invite_async (call, NULL, NULL, referred_call_done_cb, g_object_ref (self));
}

/* The digit of an INFO with application/dtmf-relay ("Signal=5",
 * "Duration=160", one a line) or application/dtmf (the digit alone). */
static char
dtmf_info_digit (const char *content_type,
                 const char *body)
{
  g_auto (GStrv) lines = NULL;

  if (content_type == NULL || body == NULL)
    return 0;

  if (g_ascii_strncasecmp (content_type, "application/dtmf-relay", 22) == 0) {
    lines = g_strsplit_set (body, "\r\n", -1);
    for (guint i = 0; lines[i] != NULL; i++) {
      g_auto (GStrv) pair = g_strsplit (lines[i], "=", 2);

      if (pair[0] != NULL && pair[1] != NULL &&
          g_ascii_strcasecmp (g_strstrip (pair[0]), "Signal") == 0) {
        const char *value = g_strstrip (pair[1]);

        return strlen (value) == 1 && strchr ("0123456789*#ABCDabcd", value[0]) ? g_ascii_toupper (value[0]) : 0;
      }
    }
  } else if (g_ascii_strncasecmp (content_type, "application/dtmf", 16) == 0) {
    g_autofree char *value = g_strstrip (g_strdup (body));

    if (strlen (value) == 1 && strchr ("0123456789*#ABCDabcd", value[0]))
      return g_ascii_toupper (value[0]);
  }

  return 0;
}

static void
receive_dtmf_info (BelfrySession         *self,
                   BelfryIncomingRequest *incoming)
{
  char digit = dtmf_info_digit (belfry_incoming_request_get_content_type (incoming),
                                belfry_incoming_request_get_body (incoming));

  if (digit != 0)
    g_signal_emit (self, signals[SIGNAL_DTMF], 0, digit);
}

/* ---- DTMF we send ---- */

typedef struct {
  char *tones;
  guint next;
} DtmfSend;

static void
dtmf_send_free (DtmfSend *data)
{
  g_free (data->tones);
  g_free (data);
}

static void send_next_dtmf_info (GTask *task);

static void
dtmf_info_done_cb (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr (GTask) task = user_data;
  GError *error = NULL;

  if (!belfry_session_info_finish (BELFRY_SESSION (object), result, &error)) {
    g_task_return_error (task, error);
    return;
  }

  send_next_dtmf_info (g_steal_pointer (&task));
}

/* SIP INFO carries one digit a request, one request at a time. */
static void
send_next_dtmf_info (GTask *task)
{
  BelfrySession *self = g_task_get_source_object (task);
  DtmfSend *data = g_task_get_task_data (task);
  g_autofree char *body = NULL;
  char digit = data->tones[data->next++];

  if (digit == '\0') {
    g_task_return_boolean (task, TRUE);
    g_object_unref (task);
    return;
  }

  body = g_strdup_printf ("Signal=%c\r\nDuration=160\r\n", digit);
  belfry_session_info_async (self, "application/dtmf-relay", body, g_task_get_cancellable (task),
                             dtmf_info_done_cb, task);
}

/**
 * belfry_session_send_dtmf_async:
 * @self: an established session
 * @tones: digits among `0123456789*#ABCD`
 * @cancellable: (nullable): a #GCancellable
 * @callback: called once every digit went out
 * @user_data: data for @callback
 *
 * Sends digits in the media (RFC 4733) when the peer accepted
 * telephone-event, otherwise one SIP INFO (`application/dtmf-relay`) a
 * digit.
 */
void
belfry_session_send_dtmf_async (BelfrySession       *self,
                                const char          *tones,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  BelfrySessionPrivate *priv = belfry_session_get_instance_private (self);
  g_autoptr (GTask) task = NULL;
  DtmfSend *data;

  g_return_if_fail (BELFRY_IS_SESSION (self));
  g_return_if_fail (tones != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, belfry_session_send_dtmf_async);

  for (const char *p = tones; *p; p++) {
    if (strchr ("0123456789*#ABCD", g_ascii_toupper (*p)) == NULL) {
      g_task_return_new_error (task, BELFRY_SIP_ERROR, BELFRY_SIP_ERROR_INVALID_ARGUMENT,
                               "“%c” is not a DTMF digit", *p);
      return;
    }
  }

  if (priv->state != BELFRY_SESSION_STATE_ESTABLISHED) {
    g_task_return_new_error (task, BELFRY_SIP_ERROR, BELFRY_SIP_ERROR_INVALID_STATE,
                             "DTMF needs an established session");
    return;
  }

  if (priv->handler != NULL && belfry_session_description_handler_send_dtmf (priv->handler, tones)) {
    g_task_return_boolean (task, TRUE);
    return;
  }

  data = g_new0 (DtmfSend, 1);
  data->tones = g_ascii_strup (tones, -1);
  g_task_set_task_data (task, data, (GDestroyNotify) dtmf_send_free);
  send_next_dtmf_info (g_steal_pointer (&task));
}

/**
 * belfry_session_send_dtmf_finish:
 * @self: a session
 * @result: the result given to the callback
 * @error: return location for a #GError
 *
 * Returns: %TRUE once every digit was sent (and, by INFO, answered 2xx)
 */
gboolean
belfry_session_send_dtmf_finish (BelfrySession  *self,
                                 GAsyncResult   *result,
                                 GError        **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

void
belfry_session_receive_request (BelfrySession                  *self,
                                belle_sip_server_transaction_t *transaction,
                                belle_sip_request_t            *request,
                                belle_sip_dialog_t             *dialog)
{
  BelfrySessionPrivate *priv = belfry_session_get_instance_private (self);
  g_autoptr (BelfryIncomingRequest) incoming = NULL;
  const char *method = belle_sip_request_get_method (request);
  guint signal_id;

  g_object_ref (self);

  if (strcmp (method, "ACK") == 0) {
    receive_ack (self, request);
    goto out;
  }

  if (strcmp (method, "INVITE") == 0) {
    receive_reinvite (self, transaction, request);
    goto out;
  }

  incoming = belfry_incoming_request_new (transaction);
  signal_id = belfry_session_lookup_request_signal (method);
  if (signal_id == 0) {
    belfry_incoming_request_reject (incoming, 405, NULL);
    goto out;
  }

  if (strcmp (method, "NOTIFY") != 0 && strcmp (method, "BYE") != 0 &&
      priv->state != BELFRY_SESSION_STATE_ESTABLISHED) {
    belfry_incoming_request_reject (incoming, 481, NULL);
    goto out;
  }

  if (strcmp (method, "NOTIFY") == 0 && take_refer_notify (self, incoming))
    goto out;

  if (strcmp (method, "INFO") == 0)
    receive_dtmf_info (self, incoming);

  if (!belfry_session_emit_request (self, signal_id, incoming) &&
      !belfry_incoming_request_get_answered (incoming)) {
    if (strcmp (method, "REFER") == 0)
      follow_refer (self, incoming);
    else
      belfry_incoming_request_accept (incoming);
  }

  if (strcmp (method, "BYE") == 0 && priv->state != BELFRY_SESSION_STATE_TERMINATED)
    belfry_session_set_state (self, BELFRY_SESSION_STATE_TERMINATED);

out:
  g_object_unref (self);
}

/* ---- Requests we send inside the session ---- */

static void
simple_request_response (GObject                        *owner,
                         belle_sip_client_transaction_t *transaction,
                         belle_sip_response_t           *response,
                         belle_sip_dialog_t             *dialog)
{
  GTask *task = G_TASK (owner);
  int status = belle_sip_response_get_status_code (response);

  if (status < 200 || g_task_get_completed (task) || g_task_had_error (task))
    return;

  if (status < 300)
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, belfry_session_error_from_response (response));
}

static void
simple_request_failure (GObject                        *owner,
                        belle_sip_client_transaction_t *transaction,
                        const GError                   *error)
{
  GTask *task = G_TASK (owner);

  if (!g_task_get_completed (task))
    g_task_return_error (task, g_error_copy (error));
}

static const BelfryClientCallbacks simple_request_callbacks = {
  .response = simple_request_response,
  .failure = simple_request_failure,
};

static void
send_simple_request (BelfrySession       *self,
                     const char          *method,
                     const char          *content_type,
                     const char          *body,
                     GTask               *task)
{
  BelfrySessionPrivate *priv = belfry_session_get_instance_private (self);
  belle_sip_request_t *request;

  if (priv->state != BELFRY_SESSION_STATE_ESTABLISHED || priv->sip_dialog == NULL) {
    g_task_return_new_error (task, BELFRY_SIP_ERROR, BELFRY_SIP_ERROR_INVALID_STATE,
                             "%s needs an established session", method);
    return;
  }

  request = create_in_dialog_request (self, priv->sip_dialog, method);
  if (request == NULL) {
    g_task_return_new_error (task, BELFRY_SIP_ERROR, BELFRY_SIP_ERROR_REQUEST_PENDING,
                             "The dialog cannot send %s now", method);
    return;
  }

  if (body != NULL)
    belfry_session_add_body (BELLE_SIP_MESSAGE (request), content_type, body);
  belfry_user_agent_send_request (priv->user_agent, request, &simple_request_callbacks,
                                  G_OBJECT (task));
}

static void
real_info_async (BelfrySession       *self,
                 const char          *content_type,
                 const char          *body,
                 GCancellable        *cancellable,
                 GAsyncReadyCallback  callback,
                 gpointer             user_data)
{
  g_autoptr (GTask) task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, real_info_async);
  send_simple_request (self, "INFO", content_type, body, task);
}

static void
real_message_async (BelfrySession       *self,
                    const char          *content_type,
                    const char          *body,
                    GCancellable        *cancellable,
                    GAsyncReadyCallback  callback,
                    gpointer             user_data)
{
  g_autoptr (GTask) task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, real_message_async);
  send_simple_request (self, "MESSAGE", content_type, body, task);
}

static void
bye_response (GObject                        *owner,
              belle_sip_client_transaction_t *transaction,
              belle_sip_response_t           *response,
              belle_sip_dialog_t             *dialog)
{
  GTask *task = G_TASK (owner);
  BelfrySession *self = g_task_get_source_object (task);
  int status = belle_sip_response_get_status_code (response);

  if (status < 200 || g_task_get_completed (task))
    return;

  if (belfry_session_get_state (self) != BELFRY_SESSION_STATE_TERMINATED)
    belfry_session_set_state (self, BELFRY_SESSION_STATE_TERMINATED);

  if (status < 300)
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, belfry_session_error_from_response (response));
}

static void
bye_failure (GObject                        *owner,
             belle_sip_client_transaction_t *transaction,
             const GError                   *error)
{
  GTask *task = G_TASK (owner);
  BelfrySession *self = g_task_get_source_object (task);

  if (g_task_get_completed (task))
    return;

  if (belfry_session_get_state (self) != BELFRY_SESSION_STATE_TERMINATED)
    belfry_session_set_state (self, BELFRY_SESSION_STATE_TERMINATED);
  g_task_return_error (task, g_error_copy (error));
}

static const BelfryClientCallbacks bye_callbacks = {
  .response = bye_response,
  .failure = bye_failure,
};

/* Sends BYE with an optional Reason header; @task (nullable) hears the
 * answer. */
static void
send_bye (BelfrySession *self,
          const char    *reason,
          GTask         *task)
{
  BelfrySessionPrivate *priv = belfry_session_get_instance_private (self);
  g_autoptr (GTask) owned = task != NULL ? g_object_ref (task) : g_task_new (self, NULL, NULL, NULL);
  belle_sip_request_t *request;

  if (priv->state != BELFRY_SESSION_STATE_ESTABLISHED || priv->sip_dialog == NULL) {
    g_task_return_new_error (owned, BELFRY_SIP_ERROR, BELFRY_SIP_ERROR_INVALID_STATE,
                             "BYE needs an established session");
    return;
  }

  request = create_in_dialog_request (self, priv->sip_dialog, "BYE");
  if (request == NULL) {
    g_task_return_new_error (owned, BELFRY_SIP_ERROR, BELFRY_SIP_ERROR_FAILED,
                             "The dialog cannot send BYE");
    return;
  }

  if (reason != NULL)
    belle_sip_message_add_header (BELLE_SIP_MESSAGE (request), belle_sip_header_create ("Reason", reason));

  belfry_session_set_state (self, BELFRY_SESSION_STATE_TERMINATING);
  belfry_user_agent_send_request (priv->user_agent, request, &bye_callbacks, G_OBJECT (owned));
}

static void
real_bye_async (BelfrySession       *self,
                GCancellable        *cancellable,
                GAsyncReadyCallback  callback,
                gpointer             user_data)
{
  g_autoptr (GTask) task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, real_bye_async);
  send_bye (self, NULL, task);
}

/* ---- Our re-INVITE ---- */

static void send_reinvite (BelfrySession *self);

static void
finish_reinvite (BelfrySession *self,
                 GError        *error)
{
  BelfrySessionPrivate *priv = belfry_session_get_instance_private (self);
  g_autoptr (GTask) task = g_steal_pointer (&priv->reinvite_task);

  if (task == NULL) {
    g_clear_error (&error);
    return;
  }

  if (error != NULL) {
    if (priv->handler != NULL)
      belfry_session_description_handler_rollback_description (priv->handler);
    g_task_return_error (task, error);
  } else {
    g_task_return_boolean (task, TRUE);
  }
}

static void
reinvite_answer_taken_cb (GObject      *object,
                          GAsyncResult *result,
                          gpointer      user_data)
{
  g_autoptr (BelfrySession) self = user_data;
  GError *error = NULL;

  if (!belfry_session_description_handler_set_description_finish (
        BELFRY_SESSION_DESCRIPTION_HANDLER (object), result, &error))
    finish_reinvite (self, error);
  else
    finish_reinvite (self, NULL);
}

static gboolean
retry_reinvite_cb (gpointer user_data)
{
  BelfrySession *self = user_data;
  BelfrySessionPrivate *priv = belfry_session_get_instance_private (self);

  priv->reinvite_retry_id = 0;
  if (priv->reinvite_task != NULL)
    send_reinvite (self);
  return G_SOURCE_REMOVE;
}

static void
reinvite_response (GObject                        *owner,
                   belle_sip_client_transaction_t *transaction,
                   belle_sip_response_t           *response,
                   belle_sip_dialog_t             *dialog)
{
  BelfrySession *self = BELFRY_SESSION (owner);
  BelfrySessionPrivate *priv = belfry_session_get_instance_private (self);
  int status = belle_sip_response_get_status_code (response);
  g_autofree char *content_type = NULL;
  g_autofree char *body = NULL;

  if (status < 200)
    return;

  if (status < 300) {
    belle_sip_header_cseq_t *cseq = belle_sip_message_get_header_by_type (response, belle_sip_header_cseq_t);
    belle_sip_request_t *ack;

    if (priv->sip_dialog == NULL)
      return;

    /* A retransmitted 2xx is ACKed by belle-sip's dialog. */
    ack = belle_sip_dialog_create_ack (priv->sip_dialog, belle_sip_header_cseq_get_seq_number (cseq));
    if (ack != NULL)
      belle_sip_dialog_send_ack (priv->sip_dialog, ack);

    if (priv->reinvite_task == NULL)
      return;

    belfry_session_update_asserted_identity (self, BELLE_SIP_MESSAGE (response));
    body = belfry_session_dup_body (BELLE_SIP_MESSAGE (response), &content_type);
    if (priv->handler == NULL) {
      finish_reinvite (self, NULL);
    } else if (body == NULL) {
      finish_reinvite (self, g_error_new_literal (BELFRY_SIP_ERROR, BELFRY_SIP_ERROR_NOT_ACCEPTABLE,
                                                  "The peer accepted the re-INVITE without an answer"));
    } else {
      belfry_session_description_handler_set_description_async (priv->handler, content_type, body,
                                                                NULL, NULL,
                                                                reinvite_answer_taken_cb,
                                                                g_object_ref (self));
    }
    return;
  }

  if (priv->reinvite_task == NULL)
    return;

  if (status == 491) {
    /* RFC 3261 section 14.1: the owner of the Call-ID (who sent the first
     * INVITE) waits 2.1 to 4 s, the other side 0 to 2 s, then tries again. */
    gboolean call_id_owner = priv->sip_dialog != NULL && !belle_sip_dialog_is_server (priv->sip_dialog);
    guint delay = call_id_owner ? g_random_int_range (2100, 4001) : g_random_int_range (0, 2001);

    if (priv->handler != NULL)
      belfry_session_description_handler_rollback_description (priv->handler);
    BELFRY_SESSION_INFO (self, "re-INVITE met 491; trying again in %u ms", delay);
    priv->reinvite_retry_id = g_timeout_add_full (G_PRIORITY_DEFAULT, delay, retry_reinvite_cb,
                                                  g_object_ref (self), g_object_unref);
    return;
  }

  finish_reinvite (self, belfry_session_error_from_response (response));

  /* RFC 3261 section 14.1: 481 and 408 mean the dialog is gone. */
  if ((status == 481 || status == 408) && priv->state == BELFRY_SESSION_STATE_ESTABLISHED)
    belfry_session_bye_async (self, NULL, NULL, NULL);
}

static void
reinvite_failure (GObject                        *owner,
                  belle_sip_client_transaction_t *transaction,
                  const GError                   *error)
{
  finish_reinvite (BELFRY_SESSION (owner), g_error_copy (error));
}

static const BelfryClientCallbacks reinvite_callbacks = {
  .response = reinvite_response,
  .failure = reinvite_failure,
};

static void
send_reinvite_with_body (BelfrySession *self,
                         const char    *content_type,
                         const char    *body)
{
  BelfrySessionPrivate *priv = belfry_session_get_instance_private (self);
  belle_sip_request_t *request;

  if (priv->state != BELFRY_SESSION_STATE_ESTABLISHED || priv->sip_dialog == NULL) {
    finish_reinvite (self, session_ended_error ());
    return;
  }

  request = belle_sip_dialog_create_request (priv->sip_dialog, "INVITE");
  if (request == NULL) {
    finish_reinvite (self, g_error_new_literal (BELFRY_SIP_ERROR, BELFRY_SIP_ERROR_REQUEST_PENDING,
                                                "Another transaction of the dialog is under way"));
    return;
  }

  belfry_user_agent_add_capabilities (priv->user_agent, BELLE_SIP_MESSAGE (request));
  /* belle-sip's in-dialog requests have no Contact, which an INVITE needs. */
  belle_sip_message_add_header (BELLE_SIP_MESSAGE (request), BELLE_SIP_HEADER (
    belfry_user_agent_create_contact (priv->user_agent, request)));
  if (body != NULL)
    belfry_session_add_body (BELLE_SIP_MESSAGE (request), content_type, body);

  belfry_user_agent_send_request (priv->user_agent, request, &reinvite_callbacks, G_OBJECT (self));
}

static void
reinvite_offer_ready_cb (GObject      *object,
                         GAsyncResult *result,
                         gpointer      user_data)
{
  g_autoptr (BelfrySession) self = user_data;
  GError *error = NULL;
  g_autofree char *content_type = NULL;
  g_autofree char *body = NULL;

  body = belfry_session_description_handler_get_description_finish (
    BELFRY_SESSION_DESCRIPTION_HANDLER (object), result, &content_type, &error);
  if (body == NULL) {
    finish_reinvite (self, error);
    return;
  }

  send_reinvite_with_body (self, content_type, body);
}

static void
send_reinvite (BelfrySession *self)
{
  BelfrySessionPrivate *priv = belfry_session_get_instance_private (self);
  BelfrySessionDescriptionHandlerOptions options = { .hold = priv->reinvite_options.hold };

  if (priv->handler == NULL || priv->reinvite_options.without_sdp) {
    send_reinvite_with_body (self, NULL, NULL);
    return;
  }

  belfry_session_description_handler_get_description_async (priv->handler, &options, NULL,
                                                            reinvite_offer_ready_cb,
                                                            g_object_ref (self));
}

static void
real_invite_async (BelfrySession                    *self,
                   const BelfrySessionInviteOptions *options,
                   GCancellable                     *cancellable,
                   GAsyncReadyCallback               callback,
                   gpointer                          user_data)
{
  BelfrySessionPrivate *priv = belfry_session_get_instance_private (self);
  g_autoptr (GTask) task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, real_invite_async);

  if (priv->state != BELFRY_SESSION_STATE_ESTABLISHED || priv->sip_dialog == NULL) {
    g_task_return_new_error (task, BELFRY_SIP_ERROR, BELFRY_SIP_ERROR_INVALID_STATE,
                             "A re-INVITE needs an established session");
    return;
  }

  if (priv->reinvite_task != NULL || priv->awaiting_ack_answer) {
    g_task_return_new_error (task, BELFRY_SIP_ERROR, BELFRY_SIP_ERROR_REQUEST_PENDING,
                             "Another re-INVITE is under way");
    return;
  }

  priv->reinvite_task = g_steal_pointer (&task);
  priv->reinvite_options = *options;
  send_reinvite (self);
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
  finish_reinvite (self, session_ended_error ());
  finish_refer (self, session_ended_error ());
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

  klass->invite_async = real_invite_async;
  klass->invite_finish = real_task_finish;
  klass->dispose_async = real_dispose_async;
  klass->dispose_finish = real_dispose_finish;
  klass->bye_async = real_bye_async;
  klass->bye_finish = real_task_finish;
  klass->info_async = real_info_async;
  klass->info_finish = real_task_finish;
  klass->refer_async = real_refer_async;
  klass->refer_finish = real_task_finish;
  klass->message_async = real_message_async;
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
  send_bye (self, reason, NULL);
}

static void
on_handler_dtmf (BelfrySessionDescriptionHandler *handler,
                 char                             digit,
                 BelfrySession                   *self)
{
  g_signal_emit (self, signals[SIGNAL_DTMF], 0, digit);
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
 * belfry_session_invite_async:
 * @self: an established session
 * @options: (nullable): hold or resume, with or without an offer
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when the re-INVITE is answered
 * @user_data: data for @callback
 *
 * Renegotiates the session with a re-INVITE. One at a time: while one is
 * under way, another fails with %BELFRY_SIP_ERROR_REQUEST_PENDING. A 491
 * is retried after the randomized delay of RFC 3261 section 14.1; a
 * failure leaves the session as it was.
 */
void
belfry_session_invite_async (BelfrySession                    *self,
                             const BelfrySessionInviteOptions *options,
                             GCancellable                     *cancellable,
                             GAsyncReadyCallback               callback,
                             gpointer                          user_data)
{
  static const BelfrySessionInviteOptions defaults = { FALSE, FALSE };

  g_return_if_fail (BELFRY_IS_SESSION (self));

  BELFRY_SESSION_GET_CLASS (self)->invite_async (self, options ? options : &defaults,
                                                 cancellable, callback, user_data);
}

/**
 * belfry_session_invite_finish:
 * @self: a session
 * @result: the result given to the callback
 * @error: return location for a #GError
 *
 * Returns: %TRUE when the peer accepted the new description
 */
gboolean
belfry_session_invite_finish (BelfrySession  *self,
                              GAsyncResult   *result,
                              GError        **error)
{
  g_return_val_if_fail (BELFRY_IS_SESSION (self), FALSE);

  return BELFRY_SESSION_GET_CLASS (self)->invite_finish (self, result, error);
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

/**
 * belfry_session_bye_async:
 * @self: an established session
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when the BYE is answered
 * @user_data: data for @callback
 *
 * Ends an established session with BYE.
 */
void
belfry_session_bye_async (BelfrySession       *self,
                          GCancellable        *cancellable,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data)
{
  g_return_if_fail (BELFRY_IS_SESSION (self));

  BELFRY_SESSION_GET_CLASS (self)->bye_async (self, cancellable, callback, user_data);
}

/**
 * belfry_session_bye_finish:
 * @self: a session
 * @result: the result given to the callback
 * @error: return location for a #GError
 *
 * Returns: %TRUE when the BYE was answered 2xx
 */
gboolean
belfry_session_bye_finish (BelfrySession  *self,
                           GAsyncResult   *result,
                           GError        **error)
{
  g_return_val_if_fail (BELFRY_IS_SESSION (self), FALSE);

  return BELFRY_SESSION_GET_CLASS (self)->bye_finish (self, result, error);
}

/**
 * belfry_session_info_async:
 * @self: an established session
 * @content_type: the body's content type, such as `application/dtmf-relay`
 * @body: the body
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when the INFO is answered
 * @user_data: data for @callback
 *
 * Sends INFO in the dialog.
 */
void
belfry_session_info_async (BelfrySession       *self,
                           const char          *content_type,
                           const char          *body,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  g_return_if_fail (BELFRY_IS_SESSION (self));
  g_return_if_fail (content_type != NULL);
  g_return_if_fail (body != NULL);

  BELFRY_SESSION_GET_CLASS (self)->info_async (self, content_type, body, cancellable,
                                               callback, user_data);
}

/**
 * belfry_session_info_finish:
 * @self: a session
 * @result: the result given to the callback
 * @error: return location for a #GError
 *
 * Returns: %TRUE when the INFO was answered 2xx
 */
gboolean
belfry_session_info_finish (BelfrySession  *self,
                            GAsyncResult   *result,
                            GError        **error)
{
  g_return_val_if_fail (BELFRY_IS_SESSION (self), FALSE);

  return BELFRY_SESSION_GET_CLASS (self)->info_finish (self, result, error);
}

/**
 * belfry_session_refer_async:
 * @self: an established session
 * @target: (nullable): where the peer should call: a blind transfer
 * @replaced: (nullable): another established session whose peer the peer
 *   should call, replacing it: an attended transfer
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when the transfer succeeded or failed, as the peer's
 *   NOTIFYs tell
 * @user_data: data for @callback
 *
 * Transfers the peer with REFER. Exactly one of @target and @replaced is
 * given.
 */
void
belfry_session_refer_async (BelfrySession       *self,
                            BelfryNameAddr      *target,
                            BelfrySession       *replaced,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_return_if_fail (BELFRY_IS_SESSION (self));
  g_return_if_fail ((target != NULL) != (replaced != NULL));
  g_return_if_fail (replaced == NULL || BELFRY_IS_SESSION (replaced));

  BELFRY_SESSION_GET_CLASS (self)->refer_async (self, target, replaced, cancellable,
                                                callback, user_data);
}

/**
 * belfry_session_refer_finish:
 * @self: a session
 * @result: the result given to the callback
 * @error: return location for a #GError
 *
 * Returns: %TRUE when the transfer succeeded
 */
gboolean
belfry_session_refer_finish (BelfrySession  *self,
                             GAsyncResult   *result,
                             GError        **error)
{
  g_return_val_if_fail (BELFRY_IS_SESSION (self), FALSE);

  return BELFRY_SESSION_GET_CLASS (self)->refer_finish (self, result, error);
}

/**
 * belfry_session_message_async:
 * @self: an established session
 * @content_type: the body's content type, such as `text/plain`
 * @body: the body
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when the MESSAGE is answered
 * @user_data: data for @callback
 *
 * Sends MESSAGE in the dialog.
 */
void
belfry_session_message_async (BelfrySession       *self,
                              const char          *content_type,
                              const char          *body,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_return_if_fail (BELFRY_IS_SESSION (self));
  g_return_if_fail (content_type != NULL);
  g_return_if_fail (body != NULL);

  BELFRY_SESSION_GET_CLASS (self)->message_async (self, content_type, body, cancellable,
                                                  callback, user_data);
}

/**
 * belfry_session_message_finish:
 * @self: a session
 * @result: the result given to the callback
 * @error: return location for a #GError
 *
 * Returns: %TRUE when the MESSAGE was answered 2xx
 */
gboolean
belfry_session_message_finish (BelfrySession  *self,
                               GAsyncResult   *result,
                               GError        **error)
{
  g_return_val_if_fail (BELFRY_IS_SESSION (self), FALSE);

  return BELFRY_SESSION_GET_CLASS (self)->message_finish (self, result, error);
}
