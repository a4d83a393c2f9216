/* SPDX-License-Identifier: GPL-3.0-or-later */

#define G_LOG_DOMAIN "belfry-session"

#include "config.h"

#include "belfry-incoming-request-private.h"
#include "belfry-session-parts-private.h"
#include "belfry-session-private.h"
#include "belfry-sip-error.h"
#include "belfry-user-agent-private.h"

/* BelfrySession's transfers: REFER (RFC 3515) sent and followed, with the
 * NOTIFYs that report on them, and Replaces (RFC 3891) for an attended
 * transfer. */

/* ---- Transfers (RFC 3515, RFC 3891) ---- */

void
belfry_session_finish_refer (BelfrySession *self,
                             GError        *error)
{
  BelfrySessionPrivate *priv = belfry_session_get_priv (self);
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

gboolean
belfry_session_take_refer_notify (BelfrySession         *self,
                                  BelfryIncomingRequest *incoming)
{
  BelfrySessionPrivate *priv = belfry_session_get_priv (self);
  const char *event = belfry_incoming_request_get_header (incoming, "Event");
  const char *body = belfry_incoming_request_get_body (incoming);
  int status;

  if (priv->refer_task == NULL || event == NULL || g_ascii_strncasecmp (event, "refer", 5) != 0)
    return FALSE;

  belfry_incoming_request_accept (incoming);

  status = body != NULL ? sipfrag_status (body) : 0;
  BELFRY_SESSION_INFO (self, "transfer progress: %d", status);
  if (status >= 200 && status < 300)
    belfry_session_finish_refer (self, NULL);
  else if (status >= 300)
    belfry_session_finish_refer (self, g_error_new (BELFRY_SIP_ERROR, status,
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
    belfry_session_finish_refer (self, belfry_session_error_from_response (response));
}

static void
refer_failure (GObject                        *owner,
               belle_sip_client_transaction_t *transaction,
               const GError                   *error)
{
  belfry_session_finish_refer (BELFRY_SESSION (owner), g_error_copy (error));
}

static const BelfryClientCallbacks refer_callbacks = {
  .response = refer_response,
  .failure = refer_failure,
};

static char *
replaces_for (BelfrySession *replaced)
{
  BelfrySessionPrivate *priv = belfry_session_get_priv (replaced);
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

void
belfry_session_real_refer_async (BelfrySession       *self,
                                 BelfryNameAddr      *target,
                                 BelfrySession       *replaced,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  BelfrySessionPrivate *priv = belfry_session_get_priv (self);
  g_autoptr (GTask) task = g_task_new (self, cancellable, callback, user_data);
  g_autofree char *refer_to = NULL;
  g_autofree char *identity = NULL;
  belle_sip_request_t *request;

  g_task_set_source_tag (task, belfry_session_real_refer_async);

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
    BelfrySessionPrivate *replaced_priv = belfry_session_get_priv (replaced);
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

  request = belfry_session_create_in_dialog_request (self, priv->sip_dialog, "REFER");
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
  BelfrySessionPrivate *priv = belfry_session_get_priv (self);
  g_autofree char *fragment = g_strdup_printf ("SIP/2.0 %d %s\r\n", status, reason);
  belle_sip_request_t *request;

  if (priv->sip_dialog == NULL || priv->state == BELFRY_SESSION_STATE_TERMINATED)
    return;

  request = belfry_session_create_in_dialog_request (self, priv->sip_dialog, "NOTIFY");
  if (request == NULL)
    return;

  belle_sip_message_add_header (BELLE_SIP_MESSAGE (request), belle_sip_header_create ("Event", "refer"));
  belle_sip_message_add_header (BELLE_SIP_MESSAGE (request), belle_sip_header_create (
    "Subscription-State", final ? "terminated;reason=noresource" : "active;expires=60"));
  belle_sip_message_add_header (BELLE_SIP_MESSAGE (request), BELLE_SIP_HEADER (
    belfry_user_agent_create_contact (priv->user_agent, request)));
  belfry_session_add_body (BELLE_SIP_MESSAGE (request), "message/sipfrag;version=2.0", fragment);
  belfry_session_send_ignoring_answer (self, request);
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
void
belfry_session_follow_refer (BelfrySession         *self,
                             BelfryIncomingRequest *incoming)
{
  BelfrySessionPrivate *priv = belfry_session_get_priv (self);
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
