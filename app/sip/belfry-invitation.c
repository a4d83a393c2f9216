/* SPDX-License-Identifier: GPL-3.0-or-later */

#define G_LOG_DOMAIN "belfry-invitation"

#include "config.h"

#include "belfry-invitation.h"
#include "belfry-invitation-private.h"
#include "belfry-name-addr-private.h"
#include "belfry-session-private.h"
#include "belfry-sip-error.h"
#include "belfry-sip-loop.h"
#include "belfry-user-agent-private.h"

#include <string.h>

/**
 * BelfryInvitation:
 *
 * A call that comes in, as SIP.js's `Invitation`: ring it with
 * belfry_invitation_progress(), take it with belfry_invitation_accept_async()
 * or refuse it with belfry_invitation_reject(). A caller who cancels ends
 * it with 487; so does an INVITE Expires running out; nobody answering for
 * #BelfryUserAgent:no-answer-timeout seconds ends it with 480.
 */

struct _BelfryInvitation {
  BelfrySession parent_instance;

  belle_sip_server_transaction_t *transaction;
  belle_sip_request_t *request;
  belle_sip_dialog_t *dialog;
  char *offer;
  char *offer_type;
  GTask *accept_task;
  guint no_answer_id;
  guint expires_id;
  gboolean final_sent;
};

G_DEFINE_FINAL_TYPE (BelfryInvitation, belfry_invitation, BELFRY_TYPE_SESSION)

static void
clear_timers (BelfryInvitation *self)
{
  g_clear_handle_id (&self->no_answer_id, g_source_remove);
  g_clear_handle_id (&self->expires_id, g_source_remove);
}

static belle_sip_response_t *
create_response (BelfryInvitation *self,
                 int               status)
{
  BelfryUserAgent *user_agent = belfry_session_get_user_agent (BELFRY_SESSION (self));
  belle_sip_response_t *response = belle_sip_response_create_from_request (self->request, status);
  belle_sip_header_to_t *to = belle_sip_message_get_header_by_type (response, belle_sip_header_to_t);

  if (status > 100 && belle_sip_header_to_get_tag (to) == NULL && self->dialog != NULL)
    belle_sip_header_to_set_tag (to, belle_sip_dialog_get_local_tag (self->dialog));

  belfry_user_agent_add_capabilities (user_agent, BELLE_SIP_MESSAGE (response));
  if (status > 100 && status < 300)
    belle_sip_message_add_header (BELLE_SIP_MESSAGE (response), BELLE_SIP_HEADER (
      belfry_user_agent_create_contact (user_agent, self->request)));
  return response;
}

static void
send_final (BelfryInvitation *self,
            int               status,
            const char       *reason)
{
  belle_sip_response_t *response;

  if (self->final_sent)
    return;

  response = create_response (self, status);
  if (reason != NULL)
    belle_sip_response_set_reason_phrase (response, reason);
  self->final_sent = TRUE;
  clear_timers (self);
  belle_sip_server_transaction_send_response (self->transaction, response);
  belfry_sip_loop_wake ();
}

static void
fail_accept (BelfryInvitation *self,
             GError           *error)
{
  g_autoptr (GTask) task = g_steal_pointer (&self->accept_task);

  if (task != NULL)
    g_task_return_error (task, error);
  else
    g_error_free (error);
}

static void
end_with (BelfryInvitation *self,
          int               status,
          const char       *reason)
{
  g_object_ref (self);
  send_final (self, status, reason);
  if (belfry_session_get_state (BELFRY_SESSION (self)) != BELFRY_SESSION_STATE_TERMINATED)
    belfry_session_set_state (BELFRY_SESSION (self), BELFRY_SESSION_STATE_TERMINATED);
  fail_accept (self, g_error_new (BELFRY_SIP_ERROR, BELFRY_SIP_ERROR_INVALID_STATE,
                                  "The call ended (%d) before it was accepted", status));
  g_object_unref (self);
}

static gboolean
no_answer_cb (gpointer user_data)
{
  BelfryInvitation *self = user_data;

  self->no_answer_id = 0;
  BELFRY_SESSION_INFO (self, "nobody answered");
  end_with (self, 480, NULL);
  return G_SOURCE_REMOVE;
}

static gboolean
expires_cb (gpointer user_data)
{
  BelfryInvitation *self = user_data;

  /* RFC 3261 section 13.3.1: an INVITE that expires is answered 487. */
  self->expires_id = 0;
  BELFRY_SESSION_INFO (self, "the INVITE expired");
  end_with (self, 487, NULL);
  return G_SOURCE_REMOVE;
}

static void
send_accept (BelfryInvitation *self,
             const char       *content_type,
             const char       *body,
             gboolean          answer_in_ack)
{
  BelfrySession *session = BELFRY_SESSION (self);
  g_autoptr (GTask) task = g_steal_pointer (&self->accept_task);
  belle_sip_response_t *response;

  if (self->final_sent || belfry_session_get_state (session) >= BELFRY_SESSION_STATE_ESTABLISHED) {
    if (task != NULL)
      g_task_return_new_error (task, BELFRY_SIP_ERROR, BELFRY_SIP_ERROR_INVALID_STATE,
                               "The call ended before it could be accepted");
    return;
  }

  response = create_response (self, 200);
  if (body != NULL)
    belfry_session_add_body (BELLE_SIP_MESSAGE (response), content_type, body);

  self->final_sent = TRUE;
  clear_timers (self);
  belfry_session_confirm_dialog (session, self->dialog);
  belle_sip_server_transaction_send_response (self->transaction, response);
  belfry_session_expect_ack (session, answer_in_ack);
  belfry_session_set_state (session, BELFRY_SESSION_STATE_ESTABLISHED);
  belfry_sip_loop_wake ();

  if (task != NULL)
    g_task_return_boolean (task, TRUE);
}

static void
description_ready_cb (GObject      *object,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  g_autoptr (BelfryInvitation) self = user_data;
  GError *error = NULL;
  g_autofree char *content_type = NULL;
  g_autofree char *body = NULL;

  body = belfry_session_description_handler_get_description_finish (
    BELFRY_SESSION_DESCRIPTION_HANDLER (object), result, &content_type, &error);
  if (body == NULL) {
    send_final (self, 488, NULL);
    if (belfry_session_get_state (BELFRY_SESSION (self)) != BELFRY_SESSION_STATE_TERMINATED)
      belfry_session_set_state (BELFRY_SESSION (self), BELFRY_SESSION_STATE_TERMINATED);
    fail_accept (self, error);
    return;
  }

  send_accept (self, content_type, body, self->offer == NULL);
}

static void
offer_taken_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr (BelfryInvitation) self = user_data;
  GError *error = NULL;

  if (!belfry_session_description_handler_set_description_finish (
        BELFRY_SESSION_DESCRIPTION_HANDLER (object), result, &error)) {
    BELFRY_SESSION_INFO (self, "refusing the offer: %s", error->message);
    send_final (self, 488, NULL);
    if (belfry_session_get_state (BELFRY_SESSION (self)) != BELFRY_SESSION_STATE_TERMINATED)
      belfry_session_set_state (BELFRY_SESSION (self), BELFRY_SESSION_STATE_TERMINATED);
    fail_accept (self, g_error_new (BELFRY_SIP_ERROR, BELFRY_SIP_ERROR_NOT_ACCEPTABLE,
                                    "The caller's offer cannot be used: %s", error->message));
    g_error_free (error);
    return;
  }

  belfry_session_description_handler_get_description_async (BELFRY_SESSION_DESCRIPTION_HANDLER (object),
                                                            NULL, NULL, description_ready_cb,
                                                            g_object_ref (self));
}

static void
belfry_invitation_dispose_async (BelfrySession       *session,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  BelfryInvitation *self = BELFRY_INVITATION (session);
  BelfrySessionState state = belfry_session_get_state (session);

  if ((state == BELFRY_SESSION_STATE_INITIAL || state == BELFRY_SESSION_STATE_ESTABLISHING) &&
      !self->final_sent) {
    g_autoptr (GTask) task = g_task_new (self, cancellable, callback, user_data);

    g_task_set_source_tag (task, belfry_invitation_dispose_async);
    belfry_invitation_reject (self, 480, NULL);
    g_task_return_boolean (task, TRUE);
    return;
  }

  BELFRY_SESSION_CLASS (belfry_invitation_parent_class)->dispose_async (session, cancellable,
                                                                        callback, user_data);
}

static gboolean
belfry_invitation_dispose_finish (BelfrySession  *session,
                                  GAsyncResult   *result,
                                  GError        **error)
{
  if (g_async_result_is_tagged (result, belfry_invitation_dispose_async))
    return g_task_propagate_boolean (G_TASK (result), error);

  return BELFRY_SESSION_CLASS (belfry_invitation_parent_class)->dispose_finish (session, result,
                                                                                error);
}

static void
belfry_invitation_dispose (GObject *object)
{
  BelfryInvitation *self = BELFRY_INVITATION (object);

  G_OBJECT_CLASS (belfry_invitation_parent_class)->dispose (object);

  clear_timers (self);
  if (self->transaction != NULL) {
    belle_sip_transaction_set_application_data (BELLE_SIP_TRANSACTION (self->transaction), NULL);
    g_clear_pointer (&self->transaction, belle_sip_object_unref);
  }
  g_clear_pointer (&self->request, belle_sip_object_unref);
  g_clear_pointer (&self->dialog, belle_sip_object_unref);
}

static void
belfry_invitation_finalize (GObject *object)
{
  BelfryInvitation *self = BELFRY_INVITATION (object);

  g_free (self->offer);
  g_free (self->offer_type);

  G_OBJECT_CLASS (belfry_invitation_parent_class)->finalize (object);
}

static void
belfry_invitation_class_init (BelfryInvitationClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  BelfrySessionClass *session_class = BELFRY_SESSION_CLASS (klass);

  object_class->dispose = belfry_invitation_dispose;
  object_class->finalize = belfry_invitation_finalize;

  session_class->dispose_async = belfry_invitation_dispose_async;
  session_class->dispose_finish = belfry_invitation_dispose_finish;
}

static void
belfry_invitation_init (BelfryInvitation *self)
{
}

static BelfrySession *
find_replaced (BelfryUserAgent     *user_agent,
               belle_sip_request_t *request,
               int                 *status)
{
  belle_sip_header_replaces_t *replaces =
    belle_sip_message_get_header_by_type (request, belle_sip_header_replaces_t);
  BelfrySession *session;

  *status = 0;
  if (replaces == NULL)
    return NULL;

  /* RFC 3891: to-tag names our side of the dialog to replace. */
  session = belfry_user_agent_find_session (user_agent,
                                            belle_sip_header_replaces_get_call_id (replaces),
                                            belle_sip_header_replaces_get_to_tag (replaces),
                                            belle_sip_header_replaces_get_from_tag (replaces));
  if (session == NULL || belfry_session_get_state (session) >= BELFRY_SESSION_STATE_TERMINATING) {
    *status = 481;
    session = NULL;
  } else if (belle_sip_parameters_has_parameter (BELLE_SIP_PARAMETERS (replaces), "early-only") &&
             belfry_session_get_state (session) == BELFRY_SESSION_STATE_ESTABLISHED) {
    *status = 486;
    session = NULL;
  }

  return session;
}

BelfryInvitation *
belfry_invitation_new_incoming (BelfryUserAgent                *user_agent,
                                belle_sip_server_transaction_t *transaction,
                                belle_sip_request_t            *request,
                                GError                        **error)
{
  belle_sip_provider_t *provider = belfry_user_agent_get_provider (user_agent);
  belle_sip_header_from_t *from = belle_sip_message_get_header_by_type (request, belle_sip_header_from_t);
  belle_sip_header_to_t *to = belle_sip_message_get_header_by_type (request, belle_sip_header_to_t);
  belle_sip_header_call_id_t *call_id = belle_sip_message_get_header_by_type (request, belle_sip_header_call_id_t);
  belle_sip_header_expires_t *expires = belle_sip_message_get_header_by_type (request, belle_sip_header_expires_t);
  g_autoptr (BelfryNameAddr) local = NULL;
  g_autoptr (BelfryNameAddr) remote = NULL;
  g_autoptr (BelfryInvitation) self = NULL;
  g_autofree char *id = NULL;
  BelfrySession *replaced;
  int replaces_status;

  local = belfry_name_addr_new_from_header (BELLE_SIP_HEADER_ADDRESS (to));
  remote = belfry_name_addr_new_from_header (BELLE_SIP_HEADER_ADDRESS (from));
  if (local == NULL || remote == NULL) {
    belle_sip_server_transaction_send_response (transaction,
                                                belle_sip_response_create_from_request (request, 400));
    g_set_error (error, BELFRY_SIP_ERROR, BELFRY_SIP_ERROR_INVALID_ARGUMENT,
                 "The INVITE's From or To is not a usable address");
    return NULL;
  }

  self = g_object_new (BELFRY_TYPE_INVITATION,
                       "user-agent", user_agent,
                       "local-identity", local,
                       "remote-identity", remote,
                       NULL);
  self->transaction = (belle_sip_server_transaction_t *) belle_sip_object_ref (transaction);
  self->request = (belle_sip_request_t *) belle_sip_object_ref (request);
  id = g_strconcat (belle_sip_header_call_id_get_call_id (call_id),
                    belle_sip_header_from_get_tag (from), NULL);
  belfry_session_set_id (BELFRY_SESSION (self), id);

  replaced = find_replaced (user_agent, request, &replaces_status);
  if (replaces_status != 0) {
    send_final (self, replaces_status, NULL);
    belfry_session_set_state (BELFRY_SESSION (self), BELFRY_SESSION_STATE_TERMINATED);
    g_set_error (error, BELFRY_SIP_ERROR, replaces_status,
                 "The INVITE's Replaces matches no call that can be replaced");
    return NULL;
  }

  self->dialog = belle_sip_provider_create_dialog (provider, BELLE_SIP_TRANSACTION (transaction));
  if (self->dialog == NULL) {
    send_final (self, 500, NULL);
    belfry_session_set_state (BELFRY_SESSION (self), BELFRY_SESSION_STATE_TERMINATED);
    g_set_error (error, BELFRY_SIP_ERROR, BELFRY_SIP_ERROR_FAILED, "No dialog for the INVITE");
    return NULL;
  }
  belle_sip_object_ref (self->dialog);

  {
    belle_sip_header_via_t *via = belle_sip_message_get_header_by_type (request, belle_sip_header_via_t);
    const char *transport = via ? belle_sip_header_via_get_transport (via) : NULL;

    belfry_session_set_secure (BELFRY_SESSION (self),
                               belle_sip_uri_is_secure (belle_sip_request_get_uri (request)) ||
                               g_ascii_strcasecmp (transport ? transport : "", "TLS") == 0);
  }

  belfry_user_agent_bind_server_transaction (user_agent, transaction, G_OBJECT (self));
  belfry_session_set_replacee (BELFRY_SESSION (self), replaced);
  belfry_session_update_asserted_identity (BELFRY_SESSION (self), BELLE_SIP_MESSAGE (request));
  self->offer = belfry_session_dup_body (BELLE_SIP_MESSAGE (request), &self->offer_type);

  self->no_answer_id = g_timeout_add_seconds (belfry_user_agent_get_no_answer_timeout (user_agent),
                                              no_answer_cb, self);
  if (expires != NULL)
    self->expires_id = g_timeout_add_seconds ((guint) MAX (belle_sip_header_expires_get_expires (expires), 0),
                                              expires_cb, self);

  return g_steal_pointer (&self);
}

void
belfry_invitation_cancelled (BelfryInvitation    *self,
                             belle_sip_request_t *cancel)
{
  if (self->final_sent)
    return;

  BELFRY_SESSION_INFO (self, "the caller cancelled");
  end_with (self, 487, NULL);
}

/**
 * belfry_invitation_progress:
 * @self: an incoming call not yet answered
 * @status: 180 (ringing) or 183 (session progress), or another 1xx
 *
 * Tells the caller how the call goes, and moves it to Establishing.
 */
void
belfry_invitation_progress (BelfryInvitation *self,
                            guint             status)
{
  BelfrySession *session = BELFRY_SESSION (self);

  g_return_if_fail (BELFRY_IS_INVITATION (self));
  g_return_if_fail (status > 100 && status < 200);

  if (self->final_sent || belfry_session_get_state (session) > BELFRY_SESSION_STATE_ESTABLISHING)
    return;

  belle_sip_server_transaction_send_response (self->transaction,
                                              create_response (self, (int) status));
  if (belfry_session_get_state (session) == BELFRY_SESSION_STATE_INITIAL)
    belfry_session_set_state (session, BELFRY_SESSION_STATE_ESTABLISHING);
}

/**
 * belfry_invitation_accept_async:
 * @self: an incoming call not yet answered
 * @cancellable: (nullable): a #GCancellable
 * @callback: called once the 200 went out
 * @user_data: data for @callback
 *
 * Answers the call: the caller's offer goes to the session description
 * handler and its answer goes in the 200 (or our offer, when the INVITE
 * had none, and the ACK answers). The 200 is sent again until the ACK
 * comes; a call whose ACK never comes is ended. An offer that cannot be
 * used is refused with 488.
 */
void
belfry_invitation_accept_async (BelfryInvitation    *self,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  BelfrySession *session = BELFRY_SESSION (self);
  BelfrySessionDescriptionHandler *handler;
  g_autoptr (GTask) task = NULL;
  g_autoptr (GError) error = NULL;

  g_return_if_fail (BELFRY_IS_INVITATION (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, belfry_invitation_accept_async);

  if (self->final_sent || self->accept_task != NULL ||
      belfry_session_get_state (session) > BELFRY_SESSION_STATE_ESTABLISHING) {
    g_task_return_new_error (task, BELFRY_SIP_ERROR, BELFRY_SIP_ERROR_INVALID_STATE,
                             "The call was answered or ended already");
    return;
  }

  self->accept_task = g_steal_pointer (&task);
  g_clear_handle_id (&self->no_answer_id, g_source_remove);

  handler = belfry_session_ensure_handler (session, &error);
  if (error != NULL) {
    end_with (self, 500, NULL);
    return;
  }

  if (handler == NULL) {
    if (self->offer != NULL)
      end_with (self, 488, NULL);
    else
      send_accept (self, NULL, NULL, FALSE);
    return;
  }

  if (self->offer == NULL) {
    belfry_session_description_handler_get_description_async (handler, NULL, NULL,
                                                              description_ready_cb,
                                                              g_object_ref (self));
    return;
  }

  if (!belfry_session_description_handler_has_description (handler, self->offer_type)) {
    end_with (self, 415, NULL);
    return;
  }

  belfry_session_description_handler_set_description_async (handler, self->offer_type, self->offer,
                                                            NULL, NULL, offer_taken_cb,
                                                            g_object_ref (self));
}

/**
 * belfry_invitation_accept_finish:
 * @self: an incoming call
 * @result: the result given to the callback
 * @error: return location for a #GError
 *
 * Returns: %TRUE once the call is established
 */
gboolean
belfry_invitation_accept_finish (BelfryInvitation  *self,
                                 GAsyncResult      *result,
                                 GError           **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/**
 * belfry_invitation_reject:
 * @self: an incoming call not yet answered
 * @status: a final status from 300 to 699, or 0 for 480 Temporarily Unavailable
 * @reason: (nullable): the reason phrase, or %NULL for the usual one
 *
 * Refuses the call; 603 Decline says the person does not want it, 486
 * Busy Here that they are busy.
 */
void
belfry_invitation_reject (BelfryInvitation *self,
                          guint             status,
                          const char       *reason)
{
  g_return_if_fail (BELFRY_IS_INVITATION (self));
  g_return_if_fail (status == 0 || (status >= 300 && status <= 699));

  if (self->final_sent)
    return;

  end_with (self, status != 0 ? (int) status : 480, reason);
}
