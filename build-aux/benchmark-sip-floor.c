/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The floor of build-aux/benchmark-sip.py: belle-sip alone, on its own main
 * loop, answering every INVITE at once with a 200 and a fixed SDP body,
 * and every other request but ACK with a 200. No Belfry code, no SDP
 * handling, no media: what belle-sip itself costs per call.
 *
 * Usage: benchmark-sip-floor PORT   (UDP on 127.0.0.1) */

#include <belle-sip/belle-sip.h>

#include <stdlib.h>
#include <string.h>

static belle_sip_provider_t *provider;

static const char answer[] =
  "v=0\r\n"
  "o=floor 1 1 IN IP4 127.0.0.1\r\n"
  "s=-\r\n"
  "c=IN IP4 127.0.0.1\r\n"
  "t=0 0\r\n"
  "m=audio 40000 RTP/AVP 0\r\n"
  "a=sendrecv\r\n";

static void
on_request (void                           *data,
            const belle_sip_request_event_t *event)
{
  belle_sip_request_t *request = belle_sip_request_event_get_request (event);
  const char *method = belle_sip_request_get_method (request);
  belle_sip_server_transaction_t *transaction;
  belle_sip_response_t *response;

  if (strcmp (method, "ACK") == 0)
    return;

  transaction = belle_sip_provider_create_server_transaction (provider, request);
  response = belle_sip_response_create_from_request (request, 200);
  if (strcmp (method, "INVITE") == 0) {
    belle_sip_message_t *message = BELLE_SIP_MESSAGE (response);

    belle_sip_provider_create_dialog (provider, BELLE_SIP_TRANSACTION (transaction));
    belle_sip_header_to_set_tag (belle_sip_message_get_header_by_type (message, belle_sip_header_to_t),
                                 "floor");
    belle_sip_message_add_header (message, BELLE_SIP_HEADER (belle_sip_header_contact_create (
                                    belle_sip_header_address_create (NULL, belle_sip_uri_create ("floor", "127.0.0.1")))));
    belle_sip_message_add_header (message, BELLE_SIP_HEADER (belle_sip_header_content_type_create ("application", "sdp")));
    belle_sip_message_set_body (message, answer, strlen (answer));
  }
  belle_sip_server_transaction_send_response (transaction, response);
}

static void on_response (void *data, const belle_sip_response_event_t *event) {}
static void on_timeout (void *data, const belle_sip_timeout_event_t *event) {}
static void on_transaction_terminated (void *data, const belle_sip_transaction_terminated_event_t *event) {}
static void on_dialog_terminated (void *data, const belle_sip_dialog_terminated_event_t *event) {}
static void on_io_error (void *data, const belle_sip_io_error_event_t *event) {}

int
main (int    argc,
      char **argv)
{
  belle_sip_listener_callbacks_t callbacks = {
    .process_request_event = on_request,
    .process_response_event = on_response,
    .process_timeout = on_timeout,
    .process_transaction_terminated = on_transaction_terminated,
    .process_dialog_terminated = on_dialog_terminated,
    .process_io_error = on_io_error,
  };
  belle_sip_stack_t *stack;
  belle_sip_listening_point_t *point;

  if (argc != 2)
    return 2;
  stack = belle_sip_stack_new (NULL);
  belle_sip_set_log_level (BELLE_SIP_LOG_ERROR);
  point = belle_sip_stack_create_listening_point (stack, "127.0.0.1", atoi (argv[1]), "UDP");
  if (point == NULL)
    return 1;
  provider = belle_sip_stack_create_provider (stack, point);
  belle_sip_provider_add_sip_listener (provider, belle_sip_listener_create_from_callbacks (&callbacks, NULL));
  belle_sip_main_loop_run (belle_sip_stack_get_main_loop (stack));
  return 0;
}
