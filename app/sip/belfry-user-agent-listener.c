/* SPDX-License-Identifier: GPL-3.0-or-later */

#define G_LOG_DOMAIN "belfry-user-agent"

#include "config.h"

#include "belfry-invitation-private.h"
#include "belfry-sip-error.h"
#include "belfry-sip-loop.h"
#include "belfry-user-agent-parts-private.h"

#include <string.h>

/* BelfryUserAgent's side of belle-sip's listener: requests that arrive
 * (OPTIONS, CANCEL, a new INVITE, the rest to the session or dialog they
 * belong to), responses and timeouts for the client transactions it sent,
 * digest challenges, and the dialogs and transactions that end. */

void
belfry_user_agent_client_op_free (ClientOp *op)
{
  g_clear_object (&op->owner);
  g_weak_ref_clear (&op->weak_owner);
  g_free (op);
}

static GObject *
client_op_dup_owner (ClientOp *op)
{
  return op->owner != NULL ? g_object_ref (op->owner) : g_weak_ref_get (&op->weak_owner);
}

static void
forget_op (BelfryUserAgent                *self,
           belle_sip_client_transaction_t *transaction,
           ClientOp                       *op)
{
  belle_sip_transaction_set_application_data (BELLE_SIP_TRANSACTION (transaction), NULL);
  g_hash_table_remove (self->ops, op);
}

enum { CAPABILITY_USER_AGENT, CAPABILITY_ALLOW, CAPABILITY_SUPPORTED };

/* A copy of one of self->capabilities, for a message. */
static belle_sip_header_t *
copy_capability (BelfryUserAgent *self,
                 gsize            which)
{
  if (self->capabilities[0] == NULL) {
    self->capabilities[CAPABILITY_USER_AGENT] = belle_sip_header_create ("User-Agent", USER_AGENT_STRING);
    self->capabilities[CAPABILITY_ALLOW] = belle_sip_header_create ("Allow", BELFRY_ALLOWED_METHODS);
    self->capabilities[CAPABILITY_SUPPORTED] = belle_sip_header_create ("Supported", BELFRY_SUPPORTED);
    for (gsize i = 0; i < G_N_ELEMENTS (self->capabilities); i++)
      belle_sip_object_ref (self->capabilities[i]);
  }
  return BELLE_SIP_HEADER (belle_sip_object_clone (BELLE_SIP_OBJECT (self->capabilities[which])));
}

static void
respond (BelfryUserAgent                *self,
         belle_sip_server_transaction_t *transaction,
         belle_sip_request_t            *request,
         int                             status)
{
  belle_sip_response_t *response = belle_sip_response_create_from_request (request, status);

  belle_sip_message_add_header (BELLE_SIP_MESSAGE (response), copy_capability (self, CAPABILITY_USER_AGENT));
  if (status == 405)
    belle_sip_message_add_header (BELLE_SIP_MESSAGE (response), copy_capability (self, CAPABILITY_ALLOW));
  belle_sip_server_transaction_send_response (transaction, response);
}

static void
handle_options (BelfryUserAgent                *self,
                belle_sip_server_transaction_t *transaction,
                belle_sip_request_t            *request)
{
  belle_sip_response_t *response = belle_sip_response_create_from_request (request, 200);

  belfry_user_agent_add_capabilities (self, BELLE_SIP_MESSAGE (response));
  belle_sip_message_add_header (BELLE_SIP_MESSAGE (response),
                                belle_sip_header_create ("Accept", "application/sdp"));
  belle_sip_server_transaction_send_response (transaction, response);
}

static void
handle_cancel (BelfryUserAgent                *self,
               belle_sip_server_transaction_t *invite_transaction,
               belle_sip_request_t            *request)
{
  belle_sip_server_transaction_t *cancel_transaction;
  GObject *owner = NULL;

  /* belle-sip hands a CANCEL over with the INVITE's server transaction;
   * the CANCEL gets a transaction of its own and its 200 there. */
  cancel_transaction = belle_sip_provider_create_server_transaction (self->provider, request);
  respond (self, cancel_transaction, request, 200);

  if (invite_transaction != NULL)
    owner = belle_sip_transaction_get_application_data (BELLE_SIP_TRANSACTION (invite_transaction));

  if (owner != NULL && BELFRY_IS_INVITATION (owner))
    belfry_invitation_cancelled (BELFRY_INVITATION (owner), request);
}

static void
handle_new_invite (BelfryUserAgent                *self,
                   belle_sip_server_transaction_t *transaction,
                   belle_sip_request_t            *request)
{
  g_autoptr (BelfryInvitation) invitation = NULL;
  g_autoptr (GError) error = NULL;

  invitation = belfry_invitation_new_incoming (self, transaction, request, &error);
  if (invitation == NULL) {
    g_message ("Refused an INVITE: %s", error->message);
    return;
  }
  belfry_user_agent_hold_session (self, BELFRY_SESSION (invitation));
  belfry_user_agent_offer_invitation (self, invitation);
}

/* RFC 3261 section 8.1.1 lists the headers every request carries, and
 * a response copies them (section 8.2.6.2); belle-sip lets some messages
 * without them through. @method is the request's, or for a response the
 * method of the request it answers. Returns what is wrong, or NULL. */
static const char *
missing_mandatory_header (belle_sip_message_t *message,
                          const char          *method)
{
  belle_sip_header_cseq_t *cseq = belle_sip_message_get_header_by_type (message, belle_sip_header_cseq_t);

  if (belle_sip_message_get_header_by_type (message, belle_sip_header_call_id_t) == NULL)
    return "Missing Call-ID";
  if (belle_sip_message_get_header_by_type (message, belle_sip_header_from_t) == NULL)
    return "Missing From";
  if (belle_sip_message_get_header_by_type (message, belle_sip_header_to_t) == NULL)
    return "Missing To";
  if (cseq == NULL)
    return "Missing CSeq";
  if (g_strcmp0 (belle_sip_header_cseq_get_method (cseq), method) != 0)
    return "CSeq method does not match";
  return NULL;
}

/* An answer goes over the transport that the top Via names (RFC 3261
 * section 18.2.2). Without a Via, or with one naming a transport we do
 * not listen on, belle-sip finds no channel for the answer and keeps it
 * for good; such a request cannot be answered and is dropped. */
static gboolean
can_answer (BelfryUserAgent     *self,
            belle_sip_request_t *request)
{
  belle_sip_header_via_t *via = belle_sip_message_get_header_by_type (request, belle_sip_header_via_t);
  g_autofree char *transport = NULL;

  if (via == NULL || belle_sip_header_via_get_transport (via) == NULL)
    return FALSE;
  /* belle-sip names its listening points in lower case. */
  transport = g_ascii_strdown (belle_sip_header_via_get_transport (via), -1);
  return belle_sip_provider_get_listening_point (self->provider, transport) != NULL;
}

static void
on_request_event (void                            *user_ctx,
                  const belle_sip_request_event_t *event)
{
  BelfryUserAgent *self = user_ctx;
  belle_sip_request_t *request = belle_sip_request_event_get_request (event);
  belle_sip_server_transaction_t *transaction = belle_sip_request_event_get_server_transaction (event);
  belle_sip_dialog_t *dialog = belle_sip_request_event_get_dialog (event);
  belle_sip_header_to_t *to = belle_sip_message_get_header_by_type (request, belle_sip_header_to_t);
  const char *method = belle_sip_request_get_method (request);
  DialogBinding *binding = dialog ? belle_sip_dialog_get_application_data (dialog) : NULL;

  g_object_ref (self);

  if (!can_answer (self, request)) {
    g_message ("Dropped a %s request whose Via names no transport of ours", method);
  } else if (strcmp (method, "ACK") != 0 &&
             missing_mandatory_header (BELLE_SIP_MESSAGE (request), method) != NULL) {
    belle_sip_response_t *response = belle_sip_response_create_from_request (request, 400);

    belle_sip_response_set_reason_phrase (response,
                                          missing_mandatory_header (BELLE_SIP_MESSAGE (request), method));
    if (transaction == NULL)
      belle_sip_provider_send_response (self->provider, response);
    else
      belle_sip_server_transaction_send_response (transaction, response);
  } else if (belle_sip_request_get_uri (request) == NULL) {
    /* belle-sip keeps a Request-URI of another scheme (tel:, or garbage
     * such as "pi:x") apart, and the SIP URI reads as NULL. RFC 3261
     * section 8.2.2.1: 416 Unsupported URI Scheme (found by fuzz-sip, where
     * an INVITE's crashed the check for sips:). An ACK has no answer. */
    if (strcmp (method, "ACK") != 0) {
      if (transaction == NULL)
        transaction = belle_sip_provider_create_server_transaction (self->provider, request);
      respond (self, transaction, request, 416);
    }
  } else if (strcmp (method, "CANCEL") == 0) {
    handle_cancel (self, transaction, request);
  } else if (binding != NULL && binding->owner != NULL) {
    if (transaction == NULL && strcmp (method, "ACK") != 0)
      transaction = belle_sip_provider_create_server_transaction (self->provider, request);
    binding->callbacks->request (binding->owner, transaction, request, dialog);
  } else if (strcmp (method, "ACK") == 0) {
    /* An ACK for a dialog we no longer know, or for a non-2xx answer,
     * which belle-sip absorbs: nothing to do. */
  } else {
    if (transaction == NULL)
      transaction = belle_sip_provider_create_server_transaction (self->provider, request);

    if (to != NULL && belle_sip_header_to_get_tag (to) != NULL)
      respond (self, transaction, request, 481);
    else if (strcmp (method, "INVITE") == 0)
      handle_new_invite (self, transaction, request);
    else if (strcmp (method, "OPTIONS") == 0)
      handle_options (self, transaction, request);
    else if (strcmp (method, "BYE") == 0)
      respond (self, transaction, request, 481);
    else
      respond (self, transaction, request, 405);
  }

  g_object_unref (self);
  belfry_sip_loop_wake ();
}

static void
fail_op (ClientOp                       *op,
         belle_sip_client_transaction_t *transaction,
         int                             code,
         const char                     *message)
{
  g_autoptr (GError) error = g_error_new_literal (BELFRY_SIP_ERROR, code, message);
  g_autoptr (GObject) owner = client_op_dup_owner (op);

  if (op->callbacks->failure != NULL && owner != NULL)
    op->callbacks->failure (owner, transaction, error);
}

static gboolean
retry_with_credentials (BelfryUserAgent                *self,
                        ClientOp                       *op,
                        belle_sip_client_transaction_t *transaction,
                        belle_sip_response_t           *response)
{
  belle_sip_request_t *request;
  belle_sip_client_transaction_t *retry;

  /* A second challenge to credentials we sent means they were refused. */
  if (op->auth_attempts++ >= 1)
    return FALSE;

  request = belle_sip_client_transaction_create_authenticated_request (transaction, NULL, NULL);
  if (request == NULL)
    return FALSE;

  retry = belle_sip_provider_create_client_transaction (self->provider, request);
  /* The op moves to the new transaction; the old one forgets it. */
  belle_sip_transaction_set_application_data (BELLE_SIP_TRANSACTION (transaction), NULL);
  belle_sip_transaction_set_application_data (BELLE_SIP_TRANSACTION (retry), op);
  if (op->callbacks->retried != NULL && op->owner != NULL)
    op->callbacks->retried (op->owner, transaction, retry);
  belle_sip_client_transaction_send_request (retry);
  return TRUE;
}

static void
on_response_event (void                             *user_ctx,
                   const belle_sip_response_event_t *event)
{
  BelfryUserAgent *self = user_ctx;
  belle_sip_client_transaction_t *transaction = belle_sip_response_event_get_client_transaction (event);
  belle_sip_response_t *response = belle_sip_response_event_get_response (event);
  const char *reason;
  GObject *owner;
  ClientOp *op;
  int status;

  if (transaction == NULL)
    goto out;

  op = belle_sip_transaction_get_application_data (BELLE_SIP_TRANSACTION (transaction));
  if (op == NULL)
    goto out;

  /* belle-sip matches a response to its transaction by the Via branch
   * alone, and its own code (digest authentication, dialogs) then reads
   * the Call-ID, From, To and CSeq that a malformed response may lack.
   * Neither belle-sip nor the owner reads such a response: a provisional
   * one is ignored; a final one, which has already ended the transaction,
   * fails the request with its status. */
  status = belle_sip_response_get_status_code (response);
  reason = missing_mandatory_header (BELLE_SIP_MESSAGE (response),
                                     belle_sip_request_get_method (belle_sip_transaction_get_request (
                                       BELLE_SIP_TRANSACTION (transaction))));
  if (reason != NULL) {
    g_message ("A %d response is malformed (%s)", status, reason);
    if (status >= 200) {
      g_autofree char *message = g_strdup_printf ("The peer's %d response is malformed: %s",
                                                  status, reason);

      fail_op (op, transaction, status, message);
      forget_op (self, transaction, op);
    }
    goto out;
  }

  if ((status == 401 || status == 407) && retry_with_credentials (self, op, transaction, response))
    goto out;

  owner = client_op_dup_owner (op);
  if (op->callbacks->response != NULL && owner != NULL)
    op->callbacks->response (owner, transaction, response,
                             belle_sip_response_event_get_dialog (event));
  g_clear_object (&owner);

  /* A final response ends what a transaction means to its owner; the
   * transaction itself lingers (Timer K, or RFC 6026's Accepted state) to
   * absorb retransmissions and must not keep the owner alive meanwhile.
   * An INVITE's owner may still hear of forked 2xx while it lives. */
  if (status >= 200) {
    if (status < 300 && strcmp (belle_sip_request_get_method (
          belle_sip_transaction_get_request (BELLE_SIP_TRANSACTION (transaction))), "INVITE") == 0) {
      if (op->owner != NULL) {
        g_weak_ref_set (&op->weak_owner, op->owner);
        g_clear_object (&op->owner);
      }
    } else {
      forget_op (self, transaction, op);
    }
  }

out:
  belfry_sip_loop_wake ();
}

static void
on_timeout (void                            *user_ctx,
            const belle_sip_timeout_event_t *event)
{
  belle_sip_client_transaction_t *transaction = belle_sip_timeout_event_get_client_transaction (event);
  ClientOp *op = transaction ? belle_sip_transaction_get_application_data (BELLE_SIP_TRANSACTION (transaction)) : NULL;

  if (op != NULL) {
    fail_op (op, transaction, BELFRY_SIP_ERROR_TIMEOUT, "The peer did not answer in time");
    forget_op (user_ctx, transaction, op);
  }

  belfry_sip_loop_wake ();
}

static void
on_io_error (void                             *user_ctx,
             const belle_sip_io_error_event_t *event)
{
  belle_sip_object_t *source = belle_sip_io_error_event_get_source (event);

  if (BELLE_SIP_OBJECT_IS_INSTANCE_OF (source, belle_sip_client_transaction_t)) {
    belle_sip_client_transaction_t *transaction = BELLE_SIP_CLIENT_TRANSACTION (source);
    ClientOp *op = belle_sip_transaction_get_application_data (BELLE_SIP_TRANSACTION (transaction));

    if (op != NULL) {
      fail_op (op, transaction, BELFRY_SIP_ERROR_TRANSPORT,
               "The request could not be sent to the peer");
      forget_op (user_ctx, transaction, op);
    }
  }

  belfry_sip_loop_wake ();
}

static void
on_transaction_terminated (void                                           *user_ctx,
                           const belle_sip_transaction_terminated_event_t *event)
{
  belle_sip_client_transaction_t *transaction =
    belle_sip_transaction_terminated_event_get_client_transaction (event);

  if (transaction != NULL) {
    ClientOp *op = belle_sip_transaction_get_application_data (BELLE_SIP_TRANSACTION (transaction));

    if (op != NULL)
      forget_op (user_ctx, transaction, op);
  }

  belfry_sip_loop_wake ();
}

static void
on_dialog_terminated (void                                      *user_ctx,
                      const belle_sip_dialog_terminated_event_t *event)
{
  belle_sip_dialog_t *dialog = belle_sip_dialog_terminated_event_get_dialog (event);
  DialogBinding *binding = belle_sip_dialog_get_application_data (dialog);

  if (binding != NULL) {
    GObject *owner = g_object_ref (binding->owner);
    const BelfryDialogCallbacks *callbacks = binding->callbacks;

    belle_sip_dialog_set_application_data (dialog, NULL);
    g_free (binding);
    if (callbacks->terminated != NULL)
      callbacks->terminated (owner, dialog, belle_sip_dialog_terminated_event_is_expired (event));
    g_object_unref (owner);
  }

  belfry_sip_loop_wake ();
}

static void
on_auth_requested (void                   *user_ctx,
                   belle_sip_auth_event_t *event)
{
  BelfryUserAgent *self = user_ctx;
  g_autofree char *password = NULL;
  const char *username;

  if (belle_sip_auth_event_get_mode (event) != BELLE_SIP_AUTH_MODE_HTTP_DIGEST)
    return;

  if (self->username != NULL)
    belle_sip_auth_event_set_username (event, self->username);
  username = belle_sip_auth_event_get_username (event);

  password = belfry_user_agent_dup_password (self, belle_sip_auth_event_get_realm (event), username);
  if (password != NULL) {
    belle_sip_auth_event_set_passwd (event, password);
    explicit_bzero (password, strlen (password));
  }
}

static const belle_sip_listener_callbacks_t listener_callbacks = {
  .process_dialog_terminated = on_dialog_terminated,
  .process_io_error = on_io_error,
  .process_request_event = on_request_event,
  .process_response_event = on_response_event,
  .process_timeout = on_timeout,
  .process_transaction_terminated = on_transaction_terminated,
  .process_auth_requested = on_auth_requested,
};

/* The listener that hands what belle-sip reports to this user agent. */
belle_sip_listener_t *
belfry_user_agent_create_listener (BelfryUserAgent *self)
{
  return belle_sip_listener_create_from_callbacks (&listener_callbacks, self);
}

belle_sip_client_transaction_t *
belfry_user_agent_send_request (BelfryUserAgent             *self,
                                belle_sip_request_t         *request,
                                const BelfryClientCallbacks *callbacks,
                                GObject                     *owner)
{
  belle_sip_client_transaction_t *transaction;

  g_return_val_if_fail (BELFRY_IS_USER_AGENT (self), NULL);
  g_return_val_if_fail (self->provider != NULL, NULL);

  transaction = belle_sip_provider_create_client_transaction (self->provider, request);
  belfry_user_agent_send_in_dialog (self, transaction, callbacks, owner);
  return transaction;
}

/* Sends a transaction made elsewhere (by a dialog, for instance) with the
 * same bookkeeping as belfry_user_agent_send_request(). */
void
belfry_user_agent_send_in_dialog (BelfryUserAgent                *self,
                                  belle_sip_client_transaction_t *transaction,
                                  const BelfryClientCallbacks    *callbacks,
                                  GObject                        *owner)
{
  ClientOp *op = g_new0 (ClientOp, 1);

  op->callbacks = callbacks;
  op->owner = g_object_ref (owner);
  g_hash_table_add (self->ops, op);
  belle_sip_transaction_set_application_data (BELLE_SIP_TRANSACTION (transaction), op);
  belle_sip_client_transaction_send_request (transaction);
}

void
belfry_user_agent_bind_dialog (BelfryUserAgent             *self,
                               belle_sip_dialog_t          *dialog,
                               const BelfryDialogCallbacks *callbacks,
                               GObject                     *owner)
{
  DialogBinding *binding = belle_sip_dialog_get_application_data (dialog);

  if (binding == NULL) {
    binding = g_new0 (DialogBinding, 1);
    belle_sip_dialog_set_application_data (dialog, binding);
  }
  binding->callbacks = callbacks;
  binding->owner = owner;
}

void
belfry_user_agent_unbind_dialog (BelfryUserAgent    *self,
                                 belle_sip_dialog_t *dialog)
{
  DialogBinding *binding = belle_sip_dialog_get_application_data (dialog);

  if (binding != NULL) {
    belle_sip_dialog_set_application_data (dialog, NULL);
    g_free (binding);
  }
}

/* RFC 3261's T1, in milliseconds, as belle-sip runs its transactions
 * with it: 64*T1 is how long a request or an answer may go unanswered. */
guint
belfry_user_agent_get_timer_t1 (BelfryUserAgent *self)
{
  g_return_val_if_fail (BELFRY_IS_USER_AGENT (self), 500);

  if (self->stack == NULL)
    return 500;
  return (guint) belle_sip_stack_get_timer_config (self->stack)->T1;
}

void
belfry_user_agent_bind_server_transaction (BelfryUserAgent                *self,
                                           belle_sip_server_transaction_t *transaction,
                                           GObject                        *owner)
{
  belle_sip_transaction_set_application_data (BELLE_SIP_TRANSACTION (transaction), owner);
}

void
belfry_user_agent_add_capabilities (BelfryUserAgent     *self,
                                    belle_sip_message_t *message)
{
  for (gsize i = 0; i < G_N_ELEMENTS (self->capabilities); i++)
    belle_sip_message_add_header (message, copy_capability (self, i));
}
