/* SPDX-License-Identifier: GPL-3.0-or-later */

#define G_LOG_DOMAIN "belfry-session"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "belfry-incoming-request-private.h"
#include "belfry-session-parts-private.h"
#include "belfry-session-private.h"
#include "belfry-sip-error.h"
#include "belfry-sip-loop.h"
#include "belfry-user-agent-private.h"

/* BelfrySession's re-INVITEs (RFC 3261 section 14): the peer's, with the
 * ACK that may carry our answer's counterpart, and ours, for hold, resume
 * and a new offer, retried after a 491 as section 14.1 says. */

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
  BelfrySessionPrivate *priv = belfry_session_get_priv (data->session);
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

void
belfry_session_receive_reinvite (BelfrySession                  *self,
                                 belle_sip_server_transaction_t *transaction,
                                 belle_sip_request_t            *request)
{
  BelfrySessionPrivate *priv = belfry_session_get_priv (self);
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

  if (belfry_session_emit_request (self, belfry_session_lookup_request_signal ("INVITE"), incoming) ||
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
  BelfrySessionPrivate *priv = belfry_session_get_priv (self);
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
  BelfrySessionPrivate *priv = belfry_session_get_priv (self);

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
  BelfrySessionPrivate *priv = belfry_session_get_priv (self);

  priv->awaiting_ack_answer = answer_in_ack;
  g_clear_handle_id (&priv->ack_timeout_id, g_source_remove);
  priv->ack_timeout_id = g_timeout_add_full (G_PRIORITY_DEFAULT,
                                             64 * belfry_user_agent_get_timer_t1 (priv->user_agent) + 2000,
                                             ack_timeout_cb, g_object_ref (self), g_object_unref);
}

void
belfry_session_receive_ack (BelfrySession       *self,
                            belle_sip_request_t *request)
{
  BelfrySessionPrivate *priv = belfry_session_get_priv (self);
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

/* ---- Our re-INVITE ---- */

static void send_reinvite (BelfrySession *self);

void
belfry_session_finish_reinvite (BelfrySession *self,
                                GError        *error)
{
  BelfrySessionPrivate *priv = belfry_session_get_priv (self);
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
    belfry_session_finish_reinvite (self, error);
  else
    belfry_session_finish_reinvite (self, NULL);
}

static gboolean
retry_reinvite_cb (gpointer user_data)
{
  BelfrySession *self = user_data;
  BelfrySessionPrivate *priv = belfry_session_get_priv (self);

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
  BelfrySessionPrivate *priv = belfry_session_get_priv (self);
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
      belfry_session_finish_reinvite (self, NULL);
    } else if (body == NULL) {
      belfry_session_finish_reinvite (self, g_error_new_literal (BELFRY_SIP_ERROR, BELFRY_SIP_ERROR_NOT_ACCEPTABLE,
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

  belfry_session_finish_reinvite (self, belfry_session_error_from_response (response));

  /* RFC 3261 section 14.1: 481 and 408 mean the dialog is gone. */
  if ((status == 481 || status == 408) && priv->state == BELFRY_SESSION_STATE_ESTABLISHED)
    belfry_session_bye_async (self, NULL, NULL, NULL);
}

static void
reinvite_failure (GObject                        *owner,
                  belle_sip_client_transaction_t *transaction,
                  const GError                   *error)
{
  belfry_session_finish_reinvite (BELFRY_SESSION (owner), g_error_copy (error));
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
  BelfrySessionPrivate *priv = belfry_session_get_priv (self);
  belle_sip_request_t *request;

  if (priv->state != BELFRY_SESSION_STATE_ESTABLISHED || priv->sip_dialog == NULL) {
    belfry_session_finish_reinvite (self, belfry_session_ended_error ());
    return;
  }

  request = belle_sip_dialog_create_request (priv->sip_dialog, "INVITE");
  if (request == NULL) {
    belfry_session_finish_reinvite (self, g_error_new_literal (BELFRY_SIP_ERROR, BELFRY_SIP_ERROR_REQUEST_PENDING,
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
    belfry_session_finish_reinvite (self, error);
    return;
  }

  send_reinvite_with_body (self, content_type, body);
}

static void
send_reinvite (BelfrySession *self)
{
  BelfrySessionPrivate *priv = belfry_session_get_priv (self);
  BelfrySessionDescriptionHandlerOptions options = { .hold = priv->reinvite_options.hold };

  if (priv->handler == NULL || priv->reinvite_options.without_sdp) {
    send_reinvite_with_body (self, NULL, NULL);
    return;
  }

  belfry_session_description_handler_get_description_async (priv->handler, &options, NULL,
                                                            reinvite_offer_ready_cb,
                                                            g_object_ref (self));
}

void
belfry_session_real_invite_async (BelfrySession                    *self,
                                  const BelfrySessionInviteOptions *options,
                                  GCancellable                     *cancellable,
                                  GAsyncReadyCallback               callback,
                                  gpointer                          user_data)
{
  BelfrySessionPrivate *priv = belfry_session_get_priv (self);
  g_autoptr (GTask) task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, belfry_session_real_invite_async);

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
