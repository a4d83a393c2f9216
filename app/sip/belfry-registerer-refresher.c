/* SPDX-License-Identifier: GPL-3.0-or-later */

#define G_LOG_DOMAIN "belfry-registerer"

#include "config.h"

#include "belfry-name-addr-private.h"
#include "belfry-registerer-private.h"
#include "belfry-sip-error.h"
#include "belfry-sip-loop.h"
#include "belfry-user-agent-private.h"

/* BelfryRegisterer on the wire: the REGISTER requests it builds, belle-sip's
 * refresher that sends and renews them, and what the refresher reports. */

static gboolean
password_was_missing (belle_sip_refresher_t *refresher)
{
  const belle_sip_list_t *events = belle_sip_refresher_get_auth_events (refresher);

  for (const belle_sip_list_t *l = events; l != NULL; l = l->next) {
    const belle_sip_auth_event_t *event = l->data;

    if (belle_sip_auth_event_get_passwd (event) == NULL &&
        belle_sip_auth_event_get_ha1 (event) == NULL)
      return TRUE;
  }
  return FALSE;
}

/* Turns what the refresher reported into an error, and the registrar's
 * Retry-After into @delay. */
static GError *
error_from_refresher (belle_sip_refresher_t *refresher,
                      unsigned int           status,
                      const char            *reason,
                      guint                 *delay)
{
  const belle_sip_client_transaction_t *transaction =
    belle_sip_refresher_get_transaction (refresher);
  belle_sip_response_t *response = NULL;

  *delay = 0;

  /* The refresher reports a transport failure as 503 and a transaction
   * timeout as 408, with no such response behind them. */
  if (transaction != NULL)
    response = belle_sip_transaction_get_response (BELLE_SIP_TRANSACTION (transaction));
  if (response != NULL && (unsigned int) belle_sip_response_get_status_code (response) != status)
    response = NULL;

  if (response == NULL) {
    if (status == 408)
      return g_error_new_literal (BELFRY_SIP_ERROR, BELFRY_SIP_ERROR_TIMEOUT,
                                  "The registrar did not answer");
    if (status == 503)
      return g_error_new_literal (BELFRY_SIP_ERROR, BELFRY_SIP_ERROR_TRANSPORT,
                                  "The registrar cannot be reached");
  } else {
    belle_sip_header_retry_after_t *retry_after =
      belle_sip_message_get_header_by_type (response, belle_sip_header_retry_after_t);

    reason = belle_sip_response_get_reason_phrase (response);
    if (retry_after != NULL && belle_sip_header_retry_after_get_retry_after (retry_after) > 0)
      *delay = (guint) belle_sip_header_retry_after_get_retry_after (retry_after);
  }

  if (reason == NULL)
    reason = "";

  switch (status) {
  case 401:
  case 407:
    if (password_was_missing (refresher))
      return g_error_new (BELFRY_SIP_ERROR, status,
                          "The registrar asks for a password and none is set (%u %s)",
                          status, reason);
    return g_error_new (BELFRY_SIP_ERROR, status,
                        "The registrar refused the password (%u %s)", status, reason);
  case 403:
    return g_error_new (BELFRY_SIP_ERROR, status,
                        "The registrar refused the account or its password (%u %s)",
                        status, reason);
  case 423:
    return g_error_new (BELFRY_SIP_ERROR, status,
                        "The registrar refused the registration interval (%u %s)",
                        status, reason);
  default:
    return g_error_new (BELFRY_SIP_ERROR, status, "The registrar answered %u %s", status, reason);
  }
}

static void
on_refresher_event (belle_sip_refresher_t *refresher,
                    void                  *user_pointer,
                    unsigned int           status,
                    const char            *reason,
                    int                    will_retry)
{
  BelfryRegisterer *self = user_pointer;

  if (refresher != self->refresher || status < 200)
    return;

  g_object_ref (self);

  if (status < 300) {
    if (self->unregistering)
      belfry_registerer_unregistration_done (self, NULL);
    else if (self->state != BELFRY_REGISTERER_STATE_REGISTERED || self->waiting)
      belfry_registerer_registered (self);
    else
      g_debug ("registration refreshed");
  } else {
    guint delay = 0;
    GError *error = error_from_refresher (refresher, status, reason, &delay);

    if (self->unregistering)
      belfry_registerer_unregistration_done (self, error);
    else
      belfry_registerer_registration_failed (self, error, delay);
  }

  g_object_unref (self);
  belfry_sip_loop_wake ();
}

static BelfryNameAddr *
registrar_for_identity (BelfryNameAddr *identity)
{
  belle_sip_header_address_t *address = belfry_name_addr_get_header (identity);
  belle_sip_uri_t *uri = belle_sip_header_address_get_uri (address);
  belle_sip_uri_t *copy;
  BelfryNameAddr *registrar;
  char *text;

  if (uri == NULL)
    return NULL;

  /* SIP.js's default: the domain of the address of record. */
  copy = BELLE_SIP_URI (belle_sip_object_clone (BELLE_SIP_OBJECT (uri)));
  belle_sip_object_ref (copy);
  belle_sip_uri_set_user (copy, NULL);
  belle_sip_uri_set_user_password (copy, NULL);
  belle_sip_uri_headers_clean (copy);
  text = belle_sip_object_to_string (copy);
  registrar = belfry_name_addr_new (NULL, text, NULL);
  belle_sip_free (text);
  belle_sip_object_unref (copy);
  return registrar;
}

static belle_sip_request_t *
create_register (BelfryRegisterer  *self,
                 GError           **error)
{
  BelfryNameAddr *identity = belfry_user_agent_get_identity (self->user_agent);
  belle_sip_provider_t *provider = belfry_user_agent_get_provider (self->user_agent);
  belle_sip_header_address_t *aor;
  belle_sip_uri_t *registrar_uri;
  belle_sip_uri_t *request_uri;
  belle_sip_header_call_id_t *call_id;
  belle_sip_header_contact_t *contact;
  belle_sip_request_t *request;

  if (identity == NULL ||
      belle_sip_header_address_get_uri (belfry_name_addr_get_header (identity)) == NULL) {
    g_set_error_literal (error, BELFRY_SIP_ERROR, BELFRY_SIP_ERROR_INVALID_ARGUMENT,
                         "Registering needs a sip: address as the user agent's identity");
    return NULL;
  }

  if (self->registrar == NULL) {
    self->registrar = registrar_for_identity (identity);
    g_object_notify (G_OBJECT (self), "registrar");
  }

  registrar_uri = self->registrar != NULL
    ? belle_sip_header_address_get_uri (belfry_name_addr_get_header (self->registrar))
    : NULL;
  if (registrar_uri == NULL) {
    g_set_error_literal (error, BELFRY_SIP_ERROR, BELFRY_SIP_ERROR_INVALID_ARGUMENT,
                         "The registrar is not a sip: address");
    return NULL;
  }

  request_uri = BELLE_SIP_URI (belle_sip_object_clone (BELLE_SIP_OBJECT (registrar_uri)));
  belle_sip_uri_headers_clean (request_uri);

  call_id = belle_sip_header_call_id_new ();
  if (self->call_id == NULL) {
    belle_sip_header_call_id_t *fresh = belle_sip_provider_create_call_id (provider);

    self->call_id = g_strdup (belle_sip_header_call_id_get_call_id (fresh));
    belle_sip_object_unref (belle_sip_object_ref (fresh));
  }
  belle_sip_header_call_id_set_call_id (call_id, self->call_id);

  aor = belfry_name_addr_get_header (identity);
  request = belle_sip_request_create (
    request_uri, "REGISTER", call_id,
    belle_sip_header_cseq_create (++self->cseq, "REGISTER"),
    belle_sip_header_from_create (aor, BELLE_SIP_RANDOM_TAG),
    belle_sip_header_to_create (aor, NULL),
    belle_sip_header_via_new (),
    70);

  /* Through the outbound proxy, if any; the refresher's later REGISTERs
   * are copies of this one and keep the Route. */
  if (!belfry_user_agent_add_outbound_route (self->user_agent, request, error)) {
    belle_sip_object_unref (belle_sip_object_ref (request));
    return NULL;
  }

  belfry_user_agent_add_capabilities (self->user_agent, BELLE_SIP_MESSAGE (request));

  /* A Contact without a host, which belle-sip completes with the address
   * and port of the channel the REGISTER leaves on. */
  contact = belfry_user_agent_create_contact (self->user_agent, request);
  belle_sip_header_contact_set_expires (contact, (int) self->expires);
  belle_sip_message_add_header (BELLE_SIP_MESSAGE (request), BELLE_SIP_HEADER (contact));
  belle_sip_message_add_header (BELLE_SIP_MESSAGE (request), BELLE_SIP_HEADER (
    belle_sip_header_expires_create ((int) self->expires)));
  return request;
}

/* Sends a new REGISTER with a refresher of its own. */
void
belfry_registerer_start_attempt (BelfryRegisterer *self)
{
  belle_sip_client_transaction_t *transaction;
  belle_sip_request_t *request;
  GError *error = NULL;

  g_assert (self->refresher == NULL);

  belfry_registerer_cancel_retry (self);

  if (!belfry_user_agent_get_started (self->user_agent)) {
    belfry_registerer_registration_failed (self,
                                           g_error_new_literal (BELFRY_SIP_ERROR, BELFRY_SIP_ERROR_INVALID_STATE,
                                              "The user agent is not started"),
                                           0);
    return;
  }

  request = create_register (self, &error);
  if (request == NULL) {
    belfry_registerer_registration_failed (self, error, 0);
    return;
  }

  self->provider = (belle_sip_provider_t *) belle_sip_object_ref (
    belfry_user_agent_get_provider (self->user_agent));
  belfry_sip_loop_acquire ();

  /* Made before the request leaves, the refresher owns the transaction:
   * it answers challenges and 423 itself and renews the registration
   * before it expires. */
  transaction = belle_sip_provider_create_client_transaction (self->provider, request);
  /* A refresher is born owned: this is our reference. */
  self->refresher = belle_sip_client_transaction_create_refresher (transaction);
  belle_sip_refresher_set_listener (self->refresher, on_refresher_event, self);

  belfry_registerer_set_waiting (self, TRUE);
  g_debug ("registering (expires %u)", self->expires);

  if (belle_sip_client_transaction_send_request (transaction) != 0)
    belfry_registerer_registration_failed (self, g_error_new_literal (BELFRY_SIP_ERROR, BELFRY_SIP_ERROR_TRANSPORT,
                                                    "The REGISTER could not be sent"), 0);
}

static gboolean
unregister_guard_cb (gpointer user_data)
{
  BelfryRegisterer *self = user_data;

  self->unregister_guard_id = 0;
  belfry_registerer_unregistration_done (self, g_error_new_literal (BELFRY_SIP_ERROR, BELFRY_SIP_ERROR_TIMEOUT,
                                                  "The registrar did not answer"));
  return G_SOURCE_REMOVE;
}

/* Withdraws what is registered or under way; the outcome comes through
 * belfry_registerer_unregistration_done(). Returns FALSE when there was nothing to withdraw. */
gboolean
belfry_registerer_start_unregister (BelfryRegisterer *self)
{
  if (self->unregistering)
    return TRUE;

  if (self->refresher == NULL)
    return FALSE;

  g_debug ("unregistering");
  self->unregistering = TRUE;
  belfry_registerer_set_waiting (self, TRUE);

  if (belle_sip_refresher_refresh (self->refresher, 0) != 0) {
    belfry_registerer_unregistration_done (self, g_error_new_literal (BELFRY_SIP_ERROR, BELFRY_SIP_ERROR_TRANSPORT,
                                                    "The REGISTER could not be sent"));
    return TRUE;
  }

  self->unregister_guard_id = g_timeout_add_seconds (UNREGISTER_GUARD_SECONDS,
                                                     unregister_guard_cb, self);
  return TRUE;
}

