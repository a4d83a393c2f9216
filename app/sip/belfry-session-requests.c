/* SPDX-License-Identifier: GPL-3.0-or-later */

#define G_LOG_DOMAIN "belfry-session"

#include "config.h"

#include "belfry-incoming-request-private.h"
#include "belfry-session-parts-private.h"
#include "belfry-session-private.h"
#include "belfry-sip-error.h"
#include "belfry-user-agent-private.h"

#include <string.h>

/* BelfrySession's requests inside the dialog other than re-INVITE and
 * REFER: INFO and MESSAGE, and BYE. */

/* ---- Bodies, and requests in the dialog ---- */

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

  /* A body must say what it is (RFC 3261 section 20.15); one that does not
   * cannot be read, and counts as none, rather than reaching a session
   * description handler with no type (found by tests/fuzz/fuzz-sip). */
  type = belle_sip_message_get_header_by_type (message, belle_sip_header_content_type_t);
  if (type == NULL || belle_sip_header_content_type_get_type (type) == NULL ||
      belle_sip_header_content_type_get_subtype (type) == NULL)
    return NULL;
  if (content_type != NULL)
    *content_type = g_strdup_printf ("%s/%s", belle_sip_header_content_type_get_type (type),
                                     belle_sip_header_content_type_get_subtype (type));

  return g_strndup (belle_sip_message_get_body (message), size);
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

/* Sends @request in the session's name, with no interest in its answer. */
void
belfry_session_send_ignoring_answer (BelfrySession       *self,
                                     belle_sip_request_t *request)
{
  BelfrySessionPrivate *priv = belfry_session_get_priv (self);

  belfry_user_agent_send_request (priv->user_agent, request, &ignore_callbacks, G_OBJECT (self));
}

belle_sip_request_t *
belfry_session_create_in_dialog_request (BelfrySession      *self,
                                         belle_sip_dialog_t *dialog,
                                         const char         *method)
{
  BelfrySessionPrivate *priv = belfry_session_get_priv (self);
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
  belle_sip_request_t *request = belfry_session_create_in_dialog_request (self, dialog, "BYE");

  if (request == NULL)
    return;

  if (reason != NULL)
    belle_sip_message_add_header (BELLE_SIP_MESSAGE (request),
                                  belle_sip_header_create ("Reason", reason));
  belfry_session_send_ignoring_answer (self, request);
}

void
belfry_session_receive_request (BelfrySession                  *self,
                                belle_sip_server_transaction_t *transaction,
                                belle_sip_request_t            *request,
                                belle_sip_dialog_t             *dialog)
{
  BelfrySessionPrivate *priv = belfry_session_get_priv (self);
  g_autoptr (BelfryIncomingRequest) incoming = NULL;
  const char *method = belle_sip_request_get_method (request);
  guint signal_id;

  g_object_ref (self);

  if (strcmp (method, "ACK") == 0) {
    belfry_session_receive_ack (self, request);
    goto out;
  }

  if (strcmp (method, "INVITE") == 0) {
    belfry_session_receive_reinvite (self, transaction, request);
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

  if (strcmp (method, "NOTIFY") == 0 && belfry_session_take_refer_notify (self, incoming))
    goto out;

  if (strcmp (method, "INFO") == 0)
    belfry_session_receive_dtmf_info (self, incoming);

  if (!belfry_session_emit_request (self, signal_id, incoming) &&
      !belfry_incoming_request_get_answered (incoming)) {
    if (strcmp (method, "REFER") == 0)
      belfry_session_follow_refer (self, incoming);
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
  BelfrySessionPrivate *priv = belfry_session_get_priv (self);
  belle_sip_request_t *request;

  if (priv->state != BELFRY_SESSION_STATE_ESTABLISHED || priv->sip_dialog == NULL) {
    g_task_return_new_error (task, BELFRY_SIP_ERROR, BELFRY_SIP_ERROR_INVALID_STATE,
                             "%s needs an established session", method);
    return;
  }

  request = belfry_session_create_in_dialog_request (self, priv->sip_dialog, method);
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

void
belfry_session_real_info_async (BelfrySession       *self,
                                const char          *content_type,
                                const char          *body,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  g_autoptr (GTask) task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, belfry_session_real_info_async);
  send_simple_request (self, "INFO", content_type, body, task);
}

void
belfry_session_real_message_async (BelfrySession       *self,
                                   const char          *content_type,
                                   const char          *body,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data)
{
  g_autoptr (GTask) task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, belfry_session_real_message_async);
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
void
belfry_session_send_bye (BelfrySession *self,
                         const char    *reason,
                         GTask         *task)
{
  BelfrySessionPrivate *priv = belfry_session_get_priv (self);
  g_autoptr (GTask) owned = task != NULL ? g_object_ref (task) : g_task_new (self, NULL, NULL, NULL);
  belle_sip_request_t *request;

  if (priv->state != BELFRY_SESSION_STATE_ESTABLISHED || priv->sip_dialog == NULL) {
    g_task_return_new_error (owned, BELFRY_SIP_ERROR, BELFRY_SIP_ERROR_INVALID_STATE,
                             "BYE needs an established session");
    return;
  }

  request = belfry_session_create_in_dialog_request (self, priv->sip_dialog, "BYE");
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

void
belfry_session_real_bye_async (BelfrySession       *self,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  g_autoptr (GTask) task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, belfry_session_real_bye_async);
  belfry_session_send_bye (self, NULL, task);
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
