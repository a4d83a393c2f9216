/* SPDX-License-Identifier: GPL-3.0-or-later */

#define G_LOG_DOMAIN "belfry-inviter"

#include "config.h"

#include "belfry-inviter.h"
#include "belfry-name-addr-private.h"
#include "belfry-session-private.h"
#include "belfry-sip-error.h"
#include "belfry-sip-loop.h"
#include "belfry-user-agent-private.h"

#include <string.h>

/**
 * BelfryInviter:
 *
 * A call we place, as SIP.js's `Inviter`. belfry_session_invite_async()
 * sends the INVITE with the offer of the session description handler and
 * completes when the call is answered (the ACK sent) or has failed; the
 * error of a refused call carries the SIP status as its code. Once
 * established, the same call sends re-INVITEs.
 */

enum {
  PROP_0,
  PROP_RING_TIMEOUT,
  N_PROPS
};

static GParamSpec *props[N_PROPS];

enum {
  SIGNAL_PROGRESS,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

struct _BelfryInviter {
  BelfrySession parent_instance;

  GPtrArray *extra_headers;
  belle_sip_client_transaction_t *invite_transaction;
  GTask *invite_task;
  GTask *cancel_task;
  char *early_answer;
  char *early_content_type;
  gboolean offered;
  gboolean provisional_seen;
  gboolean cancel_wanted;
  gboolean cancel_sent;
  guint ring_timeout;
  guint ring_timeout_id;
  guint cancel_guard_id;
};

G_DEFINE_FINAL_TYPE (BelfryInviter, belfry_inviter, BELFRY_TYPE_SESSION)

#define CANCEL_REASON "SIP;cause=487;text=\"Call cancelled by the caller\""

static void
clear_timers (BelfryInviter *self)
{
  g_clear_handle_id (&self->ring_timeout_id, g_source_remove);
  g_clear_handle_id (&self->cancel_guard_id, g_source_remove);
}

static void
complete_tasks (BelfryInviter *self,
                GError        *error)
{
  g_autoptr (GTask) invite_task = g_steal_pointer (&self->invite_task);
  g_autoptr (GTask) cancel_task = g_steal_pointer (&self->cancel_task);

  clear_timers (self);

  if (invite_task != NULL) {
    if (error != NULL)
      g_task_return_error (invite_task, g_error_copy (error));
    else
      g_task_return_boolean (invite_task, TRUE);
  }

  if (cancel_task != NULL)
    g_task_return_boolean (cancel_task, TRUE);

  g_clear_error (&error);
}

static void
terminate (BelfryInviter *self,
           GError        *error)
{
  BelfrySession *session = BELFRY_SESSION (self);

  g_object_ref (self);
  if (error != NULL)
    BELFRY_SESSION_INFO (self, "call ended: %s", error->message);
  if (belfry_session_get_state (session) != BELFRY_SESSION_STATE_TERMINATED)
    belfry_session_set_state (session, BELFRY_SESSION_STATE_TERMINATED);
  complete_tasks (self, error);
  g_object_unref (self);
}

/* The CANCEL's own answer tells nothing: the INVITE's 487 does. */
static const BelfryClientCallbacks cancel_callbacks = { 0 };

static void
send_cancel (BelfryInviter *self)
{
  BelfryUserAgent *user_agent = belfry_session_get_user_agent (BELFRY_SESSION (self));
  belle_sip_request_t *cancel;

  if (self->cancel_sent || self->invite_transaction == NULL)
    return;

  cancel = belle_sip_client_transaction_create_cancel (self->invite_transaction);
  if (cancel == NULL)
    return;

  self->cancel_sent = TRUE;
  belle_sip_message_add_header (BELLE_SIP_MESSAGE (cancel),
                                belle_sip_header_create ("Reason", CANCEL_REASON));
  belfry_user_agent_send_request (user_agent, cancel, &cancel_callbacks, G_OBJECT (self));
}

static void
ack_and_bye (BelfryInviter        *self,
             belle_sip_response_t *response,
             belle_sip_dialog_t   *dialog,
             const char           *reason)
{
  belle_sip_header_cseq_t *cseq = belle_sip_message_get_header_by_type (response, belle_sip_header_cseq_t);
  belle_sip_request_t *ack;

  if (dialog == NULL)
    return;

  ack = belle_sip_dialog_create_ack (dialog, belle_sip_header_cseq_get_seq_number (cseq));
  if (ack != NULL)
    belle_sip_dialog_send_ack (dialog, ack);
  belfry_session_send_bye_on (BELFRY_SESSION (self), dialog, reason);
}

static void
answer_taken_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr (BelfryInviter) self = user_data;
  BelfrySession *session = BELFRY_SESSION (self);
  g_autoptr (GError) error = NULL;

  if (belfry_session_get_state (session) == BELFRY_SESSION_STATE_TERMINATED)
    return;

  if (!belfry_session_description_handler_set_description_finish (
        BELFRY_SESSION_DESCRIPTION_HANDLER (object), result, &error)) {
    belfry_session_send_bye_on (session, belfry_session_get_sip_dialog (session),
                                "SIP;cause=488;text=\"Unusable answer\"");
    terminate (self, g_error_new (BELFRY_SIP_ERROR, BELFRY_SIP_ERROR_NOT_ACCEPTABLE,
                                  "The answer cannot be used: %s", error->message));
    return;
  }

  belfry_session_set_state (session, BELFRY_SESSION_STATE_ESTABLISHED);
  complete_tasks (self, NULL);
}

static void
handle_success (BelfryInviter        *self,
                belle_sip_response_t *response,
                belle_sip_dialog_t   *dialog)
{
  BelfrySession *session = BELFRY_SESSION (self);
  BelfrySessionDescriptionHandler *handler = belfry_session_get_session_description_handler (session);
  belle_sip_dialog_t *confirmed = belfry_session_get_sip_dialog (session);
  BelfrySessionState state = belfry_session_get_state (session);
  belle_sip_header_cseq_t *cseq;
  belle_sip_request_t *ack;
  g_autofree char *content_type = NULL;
  g_autofree char *body = NULL;

  if (dialog == NULL)
    return;

  /* Another branch of a forked INVITE answered too: RFC 3261 section
   * 13.2.2.4 has us ACK it, then end it. */
  if (confirmed != NULL && dialog != confirmed) {
    ack_and_bye (self, response, dialog, "SIP;cause=200;text=\"Call completed elsewhere\"");
    return;
  }

  /* A retransmission of the 2xx we took: belle-sip's dialog ACKs it. */
  if (confirmed != NULL)
    return;

  /* The 2xx raced our CANCEL: the call exists at the peer; end it. */
  if (self->cancel_wanted || state == BELFRY_SESSION_STATE_TERMINATING ||
      state == BELFRY_SESSION_STATE_TERMINATED) {
    ack_and_bye (self, response, dialog, CANCEL_REASON);
    terminate (self, g_error_new_literal (BELFRY_SIP_ERROR, BELFRY_SIP_ERROR_CANCELLED,
                                          "The call was cancelled"));
    return;
  }

  cseq = belle_sip_message_get_header_by_type (response, belle_sip_header_cseq_t);
  ack = belle_sip_dialog_create_ack (dialog, belle_sip_header_cseq_get_seq_number (cseq));
  if (ack != NULL)
    belle_sip_dialog_send_ack (dialog, ack);

  clear_timers (self);
  belfry_session_confirm_dialog (session, dialog);
  belfry_session_update_asserted_identity (session, BELLE_SIP_MESSAGE (response));

  body = belfry_session_dup_body (BELLE_SIP_MESSAGE (response), &content_type);
  if (handler == NULL) {
    belfry_session_set_state (session, BELFRY_SESSION_STATE_ESTABLISHED);
    complete_tasks (self, NULL);
    return;
  }

  /* The answer of an early 183 stands when the 2xx has none. */
  if (body == NULL && self->early_answer != NULL) {
    body = g_strdup (self->early_answer);
    content_type = g_strdup (self->early_content_type);
  }

  if (body == NULL && self->offered) {
    /* DESIGN.md: a 2xx without an answer gets ACK, then BYE. */
    belfry_session_send_bye_on (session, dialog, "SIP;cause=488;text=\"No answer to the offer\"");
    terminate (self, g_error_new_literal (BELFRY_SIP_ERROR, BELFRY_SIP_ERROR_NOT_ACCEPTABLE,
                                          "The peer answered without a session description"));
    return;
  }

  /* Even an answer equal to the early one goes to the handler: it closes
   * the offer that the early answer left open. */
  if (body == NULL) {
    belfry_session_set_state (session, BELFRY_SESSION_STATE_ESTABLISHED);
    complete_tasks (self, NULL);
    return;
  }

  belfry_session_description_handler_set_description_async (handler, content_type, body, NULL,
                                                            NULL, answer_taken_cb,
                                                            g_object_ref (self));
}

static void
early_answer_taken_cb (GObject      *object,
                       GAsyncResult *result,
                       gpointer      user_data)
{
  g_autoptr (BelfryInviter) self = user_data;
  g_autoptr (GError) error = NULL;

  if (!belfry_session_description_handler_set_description_finish (
        BELFRY_SESSION_DESCRIPTION_HANDLER (object), result, &error)) {
    BELFRY_SESSION_MESSAGE (self, "ignoring the early media answer: %s", error->message);
    g_clear_pointer (&self->early_answer, g_free);
    g_clear_pointer (&self->early_content_type, g_free);
  }
}

static gboolean
ring_timeout_cb (gpointer user_data)
{
  BelfryInviter *self = user_data;
  g_autoptr (GError) error = NULL;

  self->ring_timeout_id = 0;
  error = g_error_new (BELFRY_SIP_ERROR, BELFRY_SIP_ERROR_TIMEOUT,
                       "No final answer came within %u s", self->ring_timeout);
  send_cancel (self);
  terminate (self, g_steal_pointer (&error));
  return G_SOURCE_REMOVE;
}

static void
handle_provisional (BelfryInviter        *self,
                    belle_sip_response_t *response)
{
  BelfrySession *session = BELFRY_SESSION (self);
  BelfrySessionDescriptionHandler *handler = belfry_session_get_session_description_handler (session);
  g_autofree char *content_type = NULL;
  g_autofree char *body = NULL;
  int status = belle_sip_response_get_status_code (response);

  self->provisional_seen = TRUE;

  if (self->cancel_wanted) {
    send_cancel (self);
    return;
  }

  if (status == 100 || belfry_session_get_state (session) > BELFRY_SESSION_STATE_ESTABLISHING)
    return;

  if (belfry_session_get_state (session) == BELFRY_SESSION_STATE_INITIAL)
    belfry_session_set_state (session, BELFRY_SESSION_STATE_ESTABLISHING);
  belfry_session_update_asserted_identity (session, BELLE_SIP_MESSAGE (response));
  g_signal_emit (self, signals[SIGNAL_PROGRESS], 0, (guint) status,
                 belle_sip_message_get_body_size (BELLE_SIP_MESSAGE (response)) > 0);

  /* A peer that answers 2xx without a Contact is dropped by belle-sip, and
   * the transaction then waits with no timer: bound the ringing. */
  if (self->ring_timeout_id == 0)
    self->ring_timeout_id = g_timeout_add_seconds_full (G_PRIORITY_DEFAULT, self->ring_timeout,
                                                        ring_timeout_cb, g_object_ref (self),
                                                        g_object_unref);

  /* Early media: a 183 with an answer (RFC 3960, gateway model). */
  body = belfry_session_dup_body (BELLE_SIP_MESSAGE (response), &content_type);
  if (body != NULL && handler != NULL && self->offered && self->early_answer == NULL) {
    static const BelfrySessionDescriptionHandlerOptions early = { .provisional = TRUE };

    self->early_answer = g_strdup (body);
    self->early_content_type = g_strdup (content_type);
    belfry_session_description_handler_set_description_async (handler, content_type, body, &early,
                                                              NULL, early_answer_taken_cb,
                                                              g_object_ref (self));
  }
}

static void
on_invite_response (GObject                        *owner,
                    belle_sip_client_transaction_t *transaction,
                    belle_sip_response_t           *response,
                    belle_sip_dialog_t             *dialog)
{
  BelfryInviter *self = BELFRY_INVITER (owner);
  int status = belle_sip_response_get_status_code (response);

  if (transaction != self->invite_transaction)
    return;

  if (status < 200)
    handle_provisional (self, response);
  else if (status < 300)
    handle_success (self, response, dialog);
  else if (belfry_session_get_state (BELFRY_SESSION (self)) != BELFRY_SESSION_STATE_TERMINATED) {
    if (status == 487 && self->cancel_wanted)
      terminate (self, g_error_new_literal (BELFRY_SIP_ERROR, BELFRY_SIP_ERROR_CANCELLED,
                                            "The call was cancelled"));
    else
      terminate (self, belfry_session_error_from_response (response));
  }
}

static void
on_invite_failure (GObject                        *owner,
                   belle_sip_client_transaction_t *transaction,
                   const GError                   *error)
{
  BelfryInviter *self = BELFRY_INVITER (owner);

  if (transaction != self->invite_transaction ||
      belfry_session_get_state (BELFRY_SESSION (self)) == BELFRY_SESSION_STATE_TERMINATED)
    return;

  terminate (self, g_error_copy (error));
}

static void
on_invite_retried (GObject                        *owner,
                   belle_sip_client_transaction_t *old_transaction,
                   belle_sip_client_transaction_t *new_transaction)
{
  BelfryInviter *self = BELFRY_INVITER (owner);

  if (old_transaction != self->invite_transaction)
    return;

  belle_sip_object_unref (self->invite_transaction);
  self->invite_transaction = (belle_sip_client_transaction_t *) belle_sip_object_ref (new_transaction);
  self->provisional_seen = FALSE;
}

static const BelfryClientCallbacks invite_callbacks = {
  .response = on_invite_response,
  .failure = on_invite_failure,
  .retried = on_invite_retried,
};

static void
send_invite (BelfryInviter *self,
             const char    *content_type,
             const char    *body)
{
  BelfrySession *session = BELFRY_SESSION (self);
  BelfryUserAgent *user_agent = belfry_session_get_user_agent (session);
  belle_sip_request_t *request;
  belle_sip_header_call_id_t *call_id;
  belle_sip_header_from_t *from;
  g_autofree char *id = NULL;
  GError *error = NULL;

  if (self->cancel_wanted) {
    terminate (self, g_error_new_literal (BELFRY_SIP_ERROR, BELFRY_SIP_ERROR_CANCELLED,
                                          "The call was cancelled"));
    return;
  }

  request = belfry_user_agent_create_request (user_agent, "INVITE",
                                              belfry_session_get_local_identity (session),
                                              belfry_session_get_remote_identity (session),
                                              &error);
  if (request == NULL) {
    terminate (self, error);
    return;
  }

  belle_sip_message_add_header (BELLE_SIP_MESSAGE (request), BELLE_SIP_HEADER (
    belfry_user_agent_create_contact (user_agent, request)));
  for (guint i = 0; i + 1 < self->extra_headers->len; i += 2)
    belle_sip_message_add_header (BELLE_SIP_MESSAGE (request),
                                  belle_sip_header_create (self->extra_headers->pdata[i],
                                                           self->extra_headers->pdata[i + 1]));
  if (body != NULL) {
    belfry_session_add_body (BELLE_SIP_MESSAGE (request), content_type, body);
    self->offered = TRUE;
  }

  {
    /* The SDP is as safe as the hop we send it on: to the outbound proxy
     * (the Route) when there is one, otherwise to the Request-URI. */
    belle_sip_header_route_t *route =
      belle_sip_message_get_header_by_type (request, belle_sip_header_route_t);
    belle_sip_uri_t *next_hop =
      route != NULL ? belle_sip_header_address_get_uri (BELLE_SIP_HEADER_ADDRESS (route))
                    : belle_sip_request_get_uri (request);
    const char *transport = belle_sip_uri_get_transport_param (next_hop);

    belfry_session_set_secure (session, belle_sip_uri_is_secure (next_hop) ||
                                        g_strcmp0 (transport, "tls") == 0 ||
                                        g_strcmp0 (transport, "TLS") == 0);
  }

  call_id = belle_sip_message_get_header_by_type (request, belle_sip_header_call_id_t);
  from = belle_sip_message_get_header_by_type (request, belle_sip_header_from_t);
  id = g_strconcat (belle_sip_header_call_id_get_call_id (call_id),
                    belle_sip_header_from_get_tag (from), NULL);
  belfry_session_set_id (session, id);

  BELFRY_SESSION_INFO (self, "calling");
  self->invite_transaction = (belle_sip_client_transaction_t *) belle_sip_object_ref (
    belfry_user_agent_send_request (user_agent, request, &invite_callbacks, G_OBJECT (self)));
}

static void
offer_ready_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr (BelfryInviter) self = user_data;
  GError *error = NULL;
  g_autofree char *content_type = NULL;
  g_autofree char *body = NULL;

  body = belfry_session_description_handler_get_description_finish (
    BELFRY_SESSION_DESCRIPTION_HANDLER (object), result, &content_type, &error);
  if (body == NULL) {
    terminate (self, error);
    return;
  }

  send_invite (self, content_type, body);
}

static void
belfry_inviter_invite_async (BelfrySession                    *session,
                             const BelfrySessionInviteOptions *options,
                             GCancellable                     *cancellable,
                             GAsyncReadyCallback               callback,
                             gpointer                          user_data)
{
  BelfryInviter *self = BELFRY_INVITER (session);
  BelfrySessionDescriptionHandler *handler;
  g_autoptr (GTask) task = NULL;
  GError *error = NULL;

  /* Once the first INVITE went out, invite means re-INVITE. */
  if (belfry_session_get_state (session) != BELFRY_SESSION_STATE_INITIAL ||
      self->invite_task != NULL || self->invite_transaction != NULL) {
    BELFRY_SESSION_CLASS (belfry_inviter_parent_class)->invite_async (session, options, cancellable,
                                                                      callback, user_data);
    return;
  }

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, belfry_inviter_invite_async);

  if (!belfry_user_agent_get_started (belfry_session_get_user_agent (session))) {
    g_task_return_new_error (task, BELFRY_SIP_ERROR, BELFRY_SIP_ERROR_INVALID_STATE,
                             "The user agent is not started");
    return;
  }

  self->invite_task = g_steal_pointer (&task);

  handler = belfry_session_ensure_handler (session, &error);
  if (error != NULL) {
    terminate (self, error);
    return;
  }

  if (handler == NULL || (options != NULL && options->without_sdp)) {
    send_invite (self, NULL, NULL);
    return;
  }

  belfry_session_description_handler_get_description_async (handler, NULL, NULL, offer_ready_cb,
                                                            g_object_ref (self));
}

static gboolean
belfry_inviter_invite_finish (BelfrySession  *session,
                              GAsyncResult   *result,
                              GError        **error)
{
  if (g_async_result_is_tagged (result, belfry_inviter_invite_async))
    return g_task_propagate_boolean (G_TASK (result), error);

  return BELFRY_SESSION_CLASS (belfry_inviter_parent_class)->invite_finish (session, result, error);
}

static gboolean
cancel_guard_cb (gpointer user_data)
{
  BelfryInviter *self = user_data;

  /* RFC 3261 section 9.1: no final answer 64*T1 after the CANCEL. */
  self->cancel_guard_id = 0;
  terminate (self, g_error_new_literal (BELFRY_SIP_ERROR, BELFRY_SIP_ERROR_CANCELLED,
                                        "The call was cancelled"));
  return G_SOURCE_REMOVE;
}

static void
start_cancel (BelfryInviter *self)
{
  BelfrySession *session = BELFRY_SESSION (self);

  if (self->cancel_wanted)
    return;

  self->cancel_wanted = TRUE;

  /* Nothing went out yet (the offer is still being made). */
  if (self->invite_transaction == NULL) {
    terminate (self, g_error_new_literal (BELFRY_SIP_ERROR, BELFRY_SIP_ERROR_CANCELLED,
                                          "The call was cancelled"));
    return;
  }

  belfry_session_set_state (session, BELFRY_SESSION_STATE_TERMINATING);

  /* A CANCEL may only follow a provisional response (RFC 3261 section
   * 9.1); until one comes, handle_provisional() sends it. */
  if (self->provisional_seen)
    send_cancel (self);

  self->cancel_guard_id = g_timeout_add_seconds_full (G_PRIORITY_DEFAULT, 32, cancel_guard_cb,
                                                      g_object_ref (self), g_object_unref);
}

static void
belfry_inviter_dispose_async (BelfrySession       *session,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  BelfrySessionState state = belfry_session_get_state (session);

  if (state == BELFRY_SESSION_STATE_INITIAL || state == BELFRY_SESSION_STATE_ESTABLISHING) {
    belfry_inviter_cancel_async (BELFRY_INVITER (session), cancellable, callback, user_data);
    return;
  }

  BELFRY_SESSION_CLASS (belfry_inviter_parent_class)->dispose_async (session, cancellable,
                                                                     callback, user_data);
}

static gboolean
belfry_inviter_dispose_finish (BelfrySession  *session,
                               GAsyncResult   *result,
                               GError        **error)
{
  if (g_async_result_is_tagged (result, belfry_inviter_cancel_async))
    return g_task_propagate_boolean (G_TASK (result), error);

  return BELFRY_SESSION_CLASS (belfry_inviter_parent_class)->dispose_finish (session, result, error);
}

static void
belfry_inviter_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  BelfryInviter *self = BELFRY_INVITER (object);

  switch (prop_id) {
  case PROP_RING_TIMEOUT:
    g_value_set_uint (value, self->ring_timeout);
    break;
  default:
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
  }
}

static void
belfry_inviter_set_property (GObject      *object,
                             guint         prop_id,
                             const GValue *value,
                             GParamSpec   *pspec)
{
  BelfryInviter *self = BELFRY_INVITER (object);

  switch (prop_id) {
  case PROP_RING_TIMEOUT:
    if (self->ring_timeout != g_value_get_uint (value)) {
      self->ring_timeout = g_value_get_uint (value);
      g_object_notify_by_pspec (object, pspec);
    }
    break;
  default:
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
  }
}

static void
belfry_inviter_dispose (GObject *object)
{
  BelfryInviter *self = BELFRY_INVITER (object);

  G_OBJECT_CLASS (belfry_inviter_parent_class)->dispose (object);

  clear_timers (self);
  g_clear_pointer (&self->invite_transaction, belle_sip_object_unref);
}

static void
belfry_inviter_finalize (GObject *object)
{
  BelfryInviter *self = BELFRY_INVITER (object);

  g_ptr_array_unref (self->extra_headers);
  g_free (self->early_answer);
  g_free (self->early_content_type);

  G_OBJECT_CLASS (belfry_inviter_parent_class)->finalize (object);
}

static void
belfry_inviter_class_init (BelfryInviterClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  BelfrySessionClass *session_class = BELFRY_SESSION_CLASS (klass);

  object_class->get_property = belfry_inviter_get_property;
  object_class->set_property = belfry_inviter_set_property;
  object_class->dispose = belfry_inviter_dispose;
  object_class->finalize = belfry_inviter_finalize;

  session_class->invite_async = belfry_inviter_invite_async;
  session_class->invite_finish = belfry_inviter_invite_finish;
  session_class->dispose_async = belfry_inviter_dispose_async;
  session_class->dispose_finish = belfry_inviter_dispose_finish;

  /**
   * BelfryInviter:ring-timeout:
   *
   * Seconds the call may ring (after a provisional response) before it
   * is cancelled.
   */
  props[PROP_RING_TIMEOUT] =
    g_param_spec_uint ("ring-timeout", NULL, NULL, 1, 3600, 180,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, props);

  /**
   * BelfryInviter::progress:
   * @self: the call
   * @status: the provisional status, such as 180 or 183
   * @early_media: whether the response carried a session description,
   *   whose media now plays
   *
   * The callee sent a provisional response. A 180 without early media is
   * when the caller should hear a ringback tone.
   */
  signals[SIGNAL_PROGRESS] =
    g_signal_new ("progress", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 2, G_TYPE_UINT, G_TYPE_BOOLEAN);
}

static void
belfry_inviter_init (BelfryInviter *self)
{
  self->extra_headers = g_ptr_array_new_with_free_func (g_free);
  self->ring_timeout = 180;
}

/**
 * belfry_inviter_new:
 * @user_agent: a started user agent
 * @target: whom to call
 *
 * Makes a call to @target from the user agent's identity; nothing is sent
 * until belfry_session_invite_async().
 *
 * Returns: (transfer full): the call
 */
BelfryInviter *
belfry_inviter_new (BelfryUserAgent *user_agent,
                    BelfryNameAddr  *target)
{
  g_return_val_if_fail (BELFRY_IS_USER_AGENT (user_agent), NULL);
  g_return_val_if_fail (target != NULL, NULL);

  return g_object_new (BELFRY_TYPE_INVITER,
                       "user-agent", user_agent,
                       "local-identity", belfry_user_agent_get_identity (user_agent),
                       "remote-identity", target,
                       NULL);
}

/**
 * belfry_inviter_add_header:
 * @self: a call not yet sent
 * @name: a header's name
 * @value: its value
 *
 * Adds a header to the INVITE.
 */
void
belfry_inviter_add_header (BelfryInviter *self,
                           const char    *name,
                           const char    *value)
{
  g_return_if_fail (BELFRY_IS_INVITER (self));
  g_return_if_fail (name != NULL && value != NULL);

  g_ptr_array_add (self->extra_headers, g_strdup (name));
  g_ptr_array_add (self->extra_headers, g_strdup (value));
}

/**
 * belfry_inviter_cancel_async:
 * @self: a call that is not answered yet
 * @cancellable: (nullable): a #GCancellable
 * @callback: (nullable): called once the call has ended
 * @user_data: data for @callback
 *
 * Cancels the call with CANCEL and a Reason header. If the peer answers
 * before the CANCEL reaches it, the call is ACKed and ended with BYE.
 */
void
belfry_inviter_cancel_async (BelfryInviter       *self,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  g_autoptr (GTask) task = NULL;
  BelfrySessionState state;

  g_return_if_fail (BELFRY_IS_INVITER (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, belfry_inviter_cancel_async);
  state = belfry_session_get_state (BELFRY_SESSION (self));

  if (state == BELFRY_SESSION_STATE_TERMINATED) {
    g_task_return_boolean (task, TRUE);
    return;
  }

  if (state != BELFRY_SESSION_STATE_INITIAL && state != BELFRY_SESSION_STATE_ESTABLISHING &&
      !(state == BELFRY_SESSION_STATE_TERMINATING && self->cancel_wanted)) {
    g_task_return_new_error (task, BELFRY_SIP_ERROR, BELFRY_SIP_ERROR_INVALID_STATE,
                             "Only a call that is not answered yet can be cancelled");
    return;
  }

  if (self->invite_task == NULL && self->invite_transaction == NULL && !self->cancel_wanted) {
    /* Never sent: nothing to tell anyone. */
    belfry_session_set_state (BELFRY_SESSION (self), BELFRY_SESSION_STATE_TERMINATED);
    g_task_return_boolean (task, TRUE);
    return;
  }

  if (self->cancel_task != NULL) {
    g_task_return_new_error (task, BELFRY_SIP_ERROR, BELFRY_SIP_ERROR_REQUEST_PENDING,
                             "The call is being cancelled already");
    return;
  }

  self->cancel_task = g_steal_pointer (&task);
  start_cancel (self);
}

/**
 * belfry_inviter_cancel_finish:
 * @self: a call
 * @result: the result given to the callback
 * @error: return location for a #GError
 *
 * Returns: %TRUE once the call has ended
 */
gboolean
belfry_inviter_cancel_finish (BelfryInviter  *self,
                              GAsyncResult   *result,
                              GError        **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}
