/* SPDX-License-Identifier: GPL-3.0-or-later */

#define G_LOG_DOMAIN "belfry-incoming-request"

#include "config.h"

#include "belfry-incoming-request.h"
#include "belfry-incoming-request-private.h"
#include "belfry-name-addr-private.h"

/**
 * BelfryIncomingRequest:
 *
 * A request that the peer sent inside a session (BYE, INFO, MESSAGE,
 * REFER, NOTIFY, re-INVITE), handed to the session's signals. A handler
 * that takes the request answers it with belfry_incoming_request_accept()
 * or belfry_incoming_request_reject(); a request that nobody answers gets
 * the SIP.js default from the session.
 */

struct _BelfryIncomingRequest {
  GObject parent_instance;

  belle_sip_server_transaction_t *transaction;
  belle_sip_request_t *request;
  gboolean answered;
};

G_DEFINE_FINAL_TYPE (BelfryIncomingRequest, belfry_incoming_request, G_TYPE_OBJECT)

static void
belfry_incoming_request_finalize (GObject *object)
{
  BelfryIncomingRequest *self = BELFRY_INCOMING_REQUEST (object);

  belle_sip_object_unref (self->request);
  belle_sip_object_unref (self->transaction);

  G_OBJECT_CLASS (belfry_incoming_request_parent_class)->finalize (object);
}

static void
belfry_incoming_request_class_init (BelfryIncomingRequestClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = belfry_incoming_request_finalize;
}

static void
belfry_incoming_request_init (BelfryIncomingRequest *self)
{
}

BelfryIncomingRequest *
belfry_incoming_request_new (belle_sip_server_transaction_t *transaction)
{
  BelfryIncomingRequest *self;

  g_return_val_if_fail (transaction != NULL, NULL);

  self = g_object_new (BELFRY_TYPE_INCOMING_REQUEST, NULL);
  self->transaction = (belle_sip_server_transaction_t *) belle_sip_object_ref (transaction);
  self->request = (belle_sip_request_t *) belle_sip_object_ref (
    belle_sip_transaction_get_request (BELLE_SIP_TRANSACTION (transaction)));
  return self;
}

belle_sip_request_t *
belfry_incoming_request_get_request (BelfryIncomingRequest *self)
{
  g_return_val_if_fail (BELFRY_IS_INCOMING_REQUEST (self), NULL);

  return self->request;
}

void
belfry_incoming_request_respond (BelfryIncomingRequest *self,
                                 belle_sip_response_t  *response)
{
  g_return_if_fail (BELFRY_IS_INCOMING_REQUEST (self));

  if (self->answered && belle_sip_response_get_status_code (response) >= 200) {
    g_critical ("%s request answered twice", belfry_incoming_request_get_method (self));
    belle_sip_object_unref (belle_sip_object_ref (response));
    return;
  }

  if (belle_sip_response_get_status_code (response) >= 200)
    self->answered = TRUE;

  belle_sip_server_transaction_send_response (self->transaction, response);
}

/**
 * belfry_incoming_request_get_method:
 * @self: a request
 *
 * Returns: the method, such as `INFO`
 */
const char *
belfry_incoming_request_get_method (BelfryIncomingRequest *self)
{
  g_return_val_if_fail (BELFRY_IS_INCOMING_REQUEST (self), NULL);

  return belle_sip_request_get_method (self->request);
}

/**
 * belfry_incoming_request_get_header:
 * @self: a request
 * @name: a header's name
 *
 * Returns: (nullable): the value of the first header of that name
 */
const char *
belfry_incoming_request_get_header (BelfryIncomingRequest *self,
                                    const char            *name)
{
  belle_sip_header_t *header;

  g_return_val_if_fail (BELFRY_IS_INCOMING_REQUEST (self), NULL);
  g_return_val_if_fail (name != NULL, NULL);

  header = belle_sip_message_get_header (BELLE_SIP_MESSAGE (self->request), name);
  return header != NULL ? belle_sip_header_get_unparsed_value (header) : NULL;
}

/**
 * belfry_incoming_request_get_content_type:
 * @self: a request
 *
 * Returns: (nullable): the body's type and subtype, such as `application/sdp`
 */
const char *
belfry_incoming_request_get_content_type (BelfryIncomingRequest *self)
{
  g_return_val_if_fail (BELFRY_IS_INCOMING_REQUEST (self), NULL);

  return belfry_incoming_request_get_header (self, "Content-Type");
}

/**
 * belfry_incoming_request_get_body:
 * @self: a request
 *
 * Returns: (nullable): the body, or %NULL when there is none
 */
const char *
belfry_incoming_request_get_body (BelfryIncomingRequest *self)
{
  g_return_val_if_fail (BELFRY_IS_INCOMING_REQUEST (self), NULL);

  if (belle_sip_message_get_body_size (BELLE_SIP_MESSAGE (self->request)) == 0)
    return NULL;

  return belle_sip_message_get_body (BELLE_SIP_MESSAGE (self->request));
}

/**
 * belfry_incoming_request_dup_from:
 * @self: a request
 *
 * Returns: (transfer full): the From of the request
 */
BelfryNameAddr *
belfry_incoming_request_dup_from (BelfryIncomingRequest *self)
{
  belle_sip_header_from_t *from;

  g_return_val_if_fail (BELFRY_IS_INCOMING_REQUEST (self), NULL);

  from = belle_sip_message_get_header_by_type (self->request, belle_sip_header_from_t);
  return belfry_name_addr_new_from_header (BELLE_SIP_HEADER_ADDRESS (from));
}

/**
 * belfry_incoming_request_get_answered:
 * @self: a request
 *
 * Returns: %TRUE once a final response was sent
 */
gboolean
belfry_incoming_request_get_answered (BelfryIncomingRequest *self)
{
  g_return_val_if_fail (BELFRY_IS_INCOMING_REQUEST (self), FALSE);

  return self->answered;
}

/**
 * belfry_incoming_request_accept:
 * @self: a request
 *
 * Answers 200 OK.
 */
void
belfry_incoming_request_accept (BelfryIncomingRequest *self)
{
  g_return_if_fail (BELFRY_IS_INCOMING_REQUEST (self));

  belfry_incoming_request_respond (self, belle_sip_response_create_from_request (self->request, 200));
}

/**
 * belfry_incoming_request_reject:
 * @self: a request
 * @status: a final status from 300 to 699
 * @reason: (nullable): the reason phrase, or %NULL for the usual one
 *
 * Answers with a failure.
 */
void
belfry_incoming_request_reject (BelfryIncomingRequest *self,
                                guint                  status,
                                const char            *reason)
{
  belle_sip_response_t *response;

  g_return_if_fail (BELFRY_IS_INCOMING_REQUEST (self));
  g_return_if_fail (status >= 300 && status <= 699);

  response = belle_sip_response_create_from_request (self->request, (int) status);
  if (reason != NULL)
    belle_sip_response_set_reason_phrase (response, reason);
  belfry_incoming_request_respond (self, response);
}
