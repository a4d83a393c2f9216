/* SPDX-License-Identifier: GPL-3.0-or-later */

#define G_LOG_DOMAIN "belfry-user-agent"

#include "config.h"

#include "belfry-invitation-private.h"
#include "belfry-inviter.h"
#include "belfry-name-addr-private.h"
#include "belfry-session.h"
#include "belfry-sip-error.h"
#include "belfry-sip-loop.h"
#include "belfry-user-agent.h"
#include "belfry-user-agent-private.h"

#include <string.h>

/**
 * BelfryUserAgent:
 *
 * A SIP user agent, as SIP.js's `UserAgent`: it listens on UDP and TCP,
 * places calls through #BelfryInviter, hands incoming calls to the
 * #BelfryUserAgent::invite signal as #BelfryInvitation (answered 486 Busy
 * Here when nobody listens, as SIP.js does), answers OPTIONS, and routes
 * requests inside a dialog to their session.
 *
 * With #BelfryUserAgent:outbound-proxy set, every request outside a dialog
 * (REGISTER, INVITE and its CANCEL) carries a pre-loaded Route header
 * `<PROXY;lr>` (RFC 3261 section 8.1.2), so belle-sip sends it to the proxy
 * while the Request-URI stays the target. Requests inside a dialog follow
 * the dialog's route set, which the Record-Route of the answer makes.
 *
 * belle-sip does the signaling; it runs in the default #GMainContext, so
 * every signal is emitted there.
 */

enum {
  PROP_0,
  PROP_IDENTITY,
  PROP_LISTEN_ADDRESS,
  PROP_LISTEN_PORT,
  PROP_PORT,
  PROP_STARTED,
  PROP_USERNAME,
  PROP_NO_ANSWER_TIMEOUT,
  PROP_SESSION_DESCRIPTION_HANDLER_FACTORY,
  PROP_TLS_CA_FILE,
  PROP_OUTBOUND_PROXY,
  PROP_SESSION_DESCRIPTION_HANDLER_FACTORY_OPTIONS,
  N_PROPS
};

static GParamSpec *props[N_PROPS];

enum {
  SIGNAL_INVITE,
  SIGNAL_REFERRED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

struct _BelfryUserAgent {
  GObject parent_instance;

  BelfryNameAddr *identity;
  char *listen_address;
  int listen_port;
  int port;
  char *username;
  guint no_answer_timeout;
  BelfrySessionDescriptionHandlerFactory *factory;
  GVariant *factory_options;
  char *outbound_proxy;
  /* The parsed proxy with ;lr, or NULL when there is none or it does not
   * parse (requests then fail with an error that says so). */
  belle_sip_uri_t *outbound_proxy_uri;

  BelfryPasswordFunc password_func;
  gpointer password_data;
  GDestroyNotify password_destroy;

  belle_sip_stack_t *stack;
  belle_sip_provider_t *provider;
  belle_sip_listener_t *listener;
  belle_sip_listening_point_t *udp;
  belle_sip_listening_point_t *tcp;
  belle_sip_listening_point_t *tls;
  char *tls_ca_file;
  /* The ClientOps of live client transactions, freed at the latest when
   * the user agent stops (belle-sip frees application data never). */
  GHashTable *ops;
  /* User-Agent, Allow and Supported, parsed once and copied into each
   * message: belle-sip parses a header made from text every time. */
  belle_sip_header_t *capabilities[3];
  /* The sessions the peer knows of, held from their first message until
   * they end, as SIP.js's UserAgent holds them: a call whose owner let go
   * of it goes on until someone ends it, rather than being cut off
   * unannounced, and stopping the user agent ends it. */
  GHashTable *live_sessions;
};

G_DEFINE_FINAL_TYPE (BelfryUserAgent, belfry_user_agent, G_TYPE_OBJECT)

/* What hangs on a client transaction as its application data. */
typedef struct {
  const BelfryClientCallbacks *callbacks;
  /* Held until the final response; after a 2xx to an INVITE, only
   * weakly, so that a late forked 2xx still reaches a live owner. */
  GObject *owner;
  GWeakRef weak_owner;
  guint auth_attempts;
} ClientOp;

/* What hangs on a dialog as its application data. The owner clears the
 * binding before it goes away, so it holds no reference. */
typedef struct {
  const BelfryDialogCallbacks *callbacks;
  GObject *owner;
} DialogBinding;

#define USER_AGENT_STRING "Belfry/" PACKAGE_VERSION

/* The proxy as a Route URI: a sip: or sips: URI with a host, and ;lr,
 * since every proxy of this century routes loosely (RFC 3261 16.12).
 * Returns a reference, or NULL. */
static belle_sip_uri_t *
parse_proxy (const char *text)
{
  g_autofree char *trimmed = g_strstrip (g_strdup (text));
  belle_sip_uri_t *uri;

  if (g_ascii_strncasecmp (trimmed, "sip:", 4) != 0 && g_ascii_strncasecmp (trimmed, "sips:", 5) != 0)
    return NULL;

  uri = belle_sip_uri_parse (trimmed);
  if (uri == NULL)
    return NULL;
  belle_sip_object_ref (uri);
  if (belle_sip_uri_get_host (uri) == NULL || *belle_sip_uri_get_host (uri) == '\0') {
    belle_sip_object_unref (uri);
    return NULL;
  }
  belle_sip_uri_headers_clean (uri);
  belle_sip_uri_set_lr_param (uri, TRUE);
  return uri;
}

static void
set_proxy_error (const char  *text,
                 GError     **error)
{
  g_set_error (error, BELFRY_SIP_ERROR, BELFRY_SIP_ERROR_INVALID_ARGUMENT,
               "The outbound proxy “%s” is not a sip: or sips: URI", text);
}

static void
client_op_free (ClientOp *op)
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

  if (!g_signal_has_handler_pending (self, signals[SIGNAL_INVITE], 0, TRUE)) {
    belfry_invitation_reject (invitation, 486, NULL);
    return;
  }

  g_signal_emit (self, signals[SIGNAL_INVITE], 0, invitation);
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

/* belle-sip binds with SO_REUSEADDR, so a port that another process holds
 * binds without error and the datagrams are shared. Probe it first with a
 * socket that does not reuse. */
static gboolean
check_port_free (const char      *address,
                 int              port,
                 GSocketType      type,
                 GError         **error)
{
  g_autoptr (GInetAddress) inet = g_inet_address_new_from_string (address);
  g_autoptr (GSocketAddress) socket_address = NULL;
  g_autoptr (GSocket) socket = NULL;
  g_autoptr (GError) local_error = NULL;

  if (inet == NULL) {
    g_set_error (error, BELFRY_SIP_ERROR, BELFRY_SIP_ERROR_INVALID_ARGUMENT,
                 "“%s” is not an IP address to listen on", address);
    return FALSE;
  }

  socket = g_socket_new (g_inet_address_get_family (inet), type,
                         type == G_SOCKET_TYPE_DATAGRAM ? G_SOCKET_PROTOCOL_UDP : G_SOCKET_PROTOCOL_TCP,
                         &local_error);
  if (socket == NULL) {
    g_set_error (error, BELFRY_SIP_ERROR, BELFRY_SIP_ERROR_TRANSPORT,
                 "Cannot open a socket for %s: %s", address, local_error->message);
    return FALSE;
  }

  socket_address = g_inet_socket_address_new (inet, (guint16) port);
  if (!g_socket_bind (socket, socket_address, FALSE, &local_error)) {
    if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_ADDRESS_IN_USE))
      g_set_error (error, BELFRY_SIP_ERROR, BELFRY_SIP_ERROR_ADDRESS_IN_USE,
                   "Port %d on %s is already in use (%s)", port, address,
                   type == G_SOCKET_TYPE_DATAGRAM ? "UDP" : "TCP");
    else
      g_set_error (error, BELFRY_SIP_ERROR, BELFRY_SIP_ERROR_TRANSPORT,
                   "Cannot listen on %s port %d: %s", address, port, local_error->message);
    return FALSE;
  }

  return TRUE;
}

static void
close_listening_points (BelfryUserAgent *self)
{
  g_hash_table_remove_all (self->ops);

  if (self->provider != NULL) {
    belle_sip_provider_remove_sip_listener (self->provider, self->listener);
    if (self->udp != NULL)
      belle_sip_provider_remove_listening_point (self->provider, self->udp);
    if (self->tcp != NULL)
      belle_sip_provider_remove_listening_point (self->provider, self->tcp);
    if (self->tls != NULL)
      belle_sip_provider_remove_listening_point (self->provider, self->tls);
    belle_sip_provider_clean_channels (self->provider);
    belfry_sip_loop_retire (g_steal_pointer (&self->provider));
  }

  /* The last references to the listening points: the sockets close now
   * and the port is free again. */
  g_clear_pointer (&self->udp, belle_sip_object_unref);
  g_clear_pointer (&self->tcp, belle_sip_object_unref);
  g_clear_pointer (&self->tls, belle_sip_object_unref);
  g_clear_pointer (&self->listener, belle_sip_object_unref);
}

static belle_sip_listening_point_t *
create_listening_point (BelfryUserAgent  *self,
                        int               port,
                        const char       *transport,
                        GError          **error)
{
  belle_sip_listening_point_t *point;

  point = belle_sip_stack_create_listening_point (self->stack, self->listen_address, port, transport);
  if (point == NULL) {
    g_set_error (error, BELFRY_SIP_ERROR, BELFRY_SIP_ERROR_TRANSPORT,
                 "Cannot listen on %s port %d (%s)", self->listen_address, port, transport);
    return NULL;
  }

  return (belle_sip_listening_point_t *) belle_sip_object_ref (point);
}

static gboolean
open_listening_points (BelfryUserAgent  *self,
                       GError          **error)
{
  /* With no port asked for, take the one the system gives UDP and hope
   * TCP can have it too; try a few times before giving up. */
  for (guint attempt = 0; attempt < 10; attempt++) {
    g_autoptr (GError) local_error = NULL;
    int port = self->listen_port;

    if (port != 0 && !check_port_free (self->listen_address, port, G_SOCKET_TYPE_DATAGRAM, error))
      return FALSE;

    self->udp = create_listening_point (self, port != 0 ? port : BELLE_SIP_LISTENING_POINT_RANDOM_PORT,
                                        "UDP", error);
    if (self->udp == NULL)
      return FALSE;

    port = belle_sip_listening_point_get_port (self->udp);
    if (check_port_free (self->listen_address, port, G_SOCKET_TYPE_STREAM, &local_error))
      self->tcp = create_listening_point (self, port, "TCP", &local_error);

    if (self->tcp != NULL) {
      self->port = port;
      return TRUE;
    }

    g_clear_pointer (&self->udp, belle_sip_object_unref);

    if (self->listen_port != 0) {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  }

  g_set_error (error, BELFRY_SIP_ERROR, BELFRY_SIP_ERROR_ADDRESS_IN_USE,
               "Found no port on %s free for both UDP and TCP", self->listen_address);
  return FALSE;
}

#define SYSTEM_CA_FILE "/etc/ssl/certs/ca-certificates.crt"

/* TLS for sips: and ;transport=tls targets: the server's certificate must
 * chain to the CA file and name the host; there is no way to turn the
 * check off. */
static void
open_tls (BelfryUserAgent *self)
{
  belle_tls_crypto_config_t *config;
  belle_sip_listening_point_t *point;

  if (!belle_sip_stack_tls_available (self->stack)) {
    g_message ("belle-sip was built without TLS; sips: calls will fail");
    return;
  }

  point = belle_sip_stack_create_listening_point (self->stack, self->listen_address,
                                                  BELLE_SIP_LISTENING_POINT_RANDOM_PORT, "TLS");
  if (point == NULL) {
    g_message ("No TLS listening point on %s", self->listen_address);
    return;
  }

  self->tls = (belle_sip_listening_point_t *) belle_sip_object_ref (point);
  config = belle_tls_crypto_config_new ();
  belle_tls_crypto_config_set_root_ca (config, self->tls_ca_file ? self->tls_ca_file : SYSTEM_CA_FILE);
  belle_tls_crypto_config_set_verify_exceptions (config, 0);
  belle_sip_tls_listening_point_set_crypto_config (BELLE_SIP_TLS_LISTENING_POINT (point), config);
  /* The listening point took its own reference; this constructor, like
   * the provider's, hands one over. */
  belle_sip_object_unref (config);
  belle_sip_provider_add_listening_point (self->provider, point);
}

static gboolean
user_agent_start (BelfryUserAgent  *self,
                  GError          **error)
{
  if (self->provider != NULL)
    return TRUE;

  self->stack = belfry_sip_loop_acquire ();

  if (!open_listening_points (self, error)) {
    self->stack = NULL;
    belfry_sip_loop_release ();
    return FALSE;
  }

  /* Unlike most belle-sip constructors, this one hands over a reference. */
  self->provider = belle_sip_stack_create_provider (self->stack, self->udp);
  belle_sip_provider_add_listening_point (self->provider, self->tcp);
  open_tls (self);
  self->listener = belle_sip_listener_create_from_callbacks (&listener_callbacks, self);
  belle_sip_provider_add_sip_listener (self->provider, self->listener);

  if (self->identity == NULL) {
    self->identity = belfry_name_addr_new_for_host (NULL, "belfry", self->listen_address, self->port,
                                                    NULL);
    g_object_notify_by_pspec (G_OBJECT (self), props[PROP_IDENTITY]);
  }

  g_debug ("Listening on %s port %d (UDP and TCP)", self->listen_address, self->port);
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_PORT]);
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_STARTED]);
  return TRUE;
}

static void
user_agent_stop (BelfryUserAgent *self)
{
  if (self->provider == NULL)
    return;

  close_listening_points (self);
  self->stack = NULL;
  self->port = 0;
  belfry_sip_loop_release ();

  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_PORT]);
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_STARTED]);
}

static void
belfry_user_agent_get_property (GObject    *object,
                                guint       prop_id,
                                GValue     *value,
                                GParamSpec *pspec)
{
  BelfryUserAgent *self = BELFRY_USER_AGENT (object);

  switch (prop_id) {
  case PROP_IDENTITY:
    g_value_set_boxed (value, self->identity);
    break;
  case PROP_LISTEN_ADDRESS:
    g_value_set_string (value, self->listen_address);
    break;
  case PROP_LISTEN_PORT:
    g_value_set_int (value, self->listen_port);
    break;
  case PROP_PORT:
    g_value_set_int (value, self->port);
    break;
  case PROP_STARTED:
    g_value_set_boolean (value, self->provider != NULL);
    break;
  case PROP_USERNAME:
    g_value_set_string (value, self->username);
    break;
  case PROP_NO_ANSWER_TIMEOUT:
    g_value_set_uint (value, self->no_answer_timeout);
    break;
  case PROP_SESSION_DESCRIPTION_HANDLER_FACTORY:
    g_value_set_object (value, self->factory);
    break;
  case PROP_TLS_CA_FILE:
    g_value_set_string (value, self->tls_ca_file);
    break;
  case PROP_OUTBOUND_PROXY:
    g_value_set_string (value, self->outbound_proxy);
    break;
  case PROP_SESSION_DESCRIPTION_HANDLER_FACTORY_OPTIONS:
    g_value_set_variant (value, self->factory_options);
    break;
  default:
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
  }
}

static void
belfry_user_agent_set_property (GObject      *object,
                                guint         prop_id,
                                const GValue *value,
                                GParamSpec   *pspec)
{
  BelfryUserAgent *self = BELFRY_USER_AGENT (object);

  switch (prop_id) {
  case PROP_IDENTITY:
    self->identity = g_value_dup_boxed (value);
    break;
  case PROP_LISTEN_ADDRESS:
    g_free (self->listen_address);
    self->listen_address = g_value_dup_string (value);
    if (self->listen_address == NULL)
      self->listen_address = g_strdup ("0.0.0.0");
    break;
  case PROP_LISTEN_PORT:
    self->listen_port = g_value_get_int (value);
    break;
  case PROP_USERNAME:
    belfry_user_agent_set_username (self, g_value_get_string (value));
    break;
  case PROP_NO_ANSWER_TIMEOUT:
    belfry_user_agent_set_no_answer_timeout (self, g_value_get_uint (value));
    break;
  case PROP_SESSION_DESCRIPTION_HANDLER_FACTORY:
    self->factory = g_value_dup_object (value);
    break;
  case PROP_TLS_CA_FILE:
    g_free (self->tls_ca_file);
    self->tls_ca_file = g_value_dup_string (value);
    break;
  case PROP_OUTBOUND_PROXY:
    belfry_user_agent_set_outbound_proxy (self, g_value_get_string (value));
    break;
  case PROP_SESSION_DESCRIPTION_HANDLER_FACTORY_OPTIONS:
    belfry_user_agent_set_session_description_handler_factory_options (self, g_value_get_variant (value));
    break;
  default:
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
  }
}

static void
belfry_user_agent_dispose (GObject *object)
{
  BelfryUserAgent *self = BELFRY_USER_AGENT (object);

  /* Sessions hold their user agent: the table is empty unless dispose
   * was run by hand. */
  g_hash_table_remove_all (self->live_sessions);
  user_agent_stop (self);
  g_clear_object (&self->factory);
  if (self->password_destroy != NULL)
    g_clear_pointer (&self->password_data, self->password_destroy);
  self->password_func = NULL;

  G_OBJECT_CLASS (belfry_user_agent_parent_class)->dispose (object);
}

static void
belfry_user_agent_finalize (GObject *object)
{
  BelfryUserAgent *self = BELFRY_USER_AGENT (object);

  g_clear_pointer (&self->identity, belfry_name_addr_unref);
  g_hash_table_unref (self->ops);
  g_hash_table_unref (self->live_sessions);
  for (gsize i = 0; i < G_N_ELEMENTS (self->capabilities); i++)
    g_clear_pointer (&self->capabilities[i], belle_sip_object_unref);
  g_free (self->listen_address);
  g_free (self->username);
  g_free (self->tls_ca_file);
  g_free (self->outbound_proxy);
  if (self->outbound_proxy_uri != NULL)
    belle_sip_object_unref (self->outbound_proxy_uri);
  g_clear_pointer (&self->factory_options, g_variant_unref);

  G_OBJECT_CLASS (belfry_user_agent_parent_class)->finalize (object);
}

static void
belfry_user_agent_class_init (BelfryUserAgentClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->get_property = belfry_user_agent_get_property;
  object_class->set_property = belfry_user_agent_set_property;
  object_class->dispose = belfry_user_agent_dispose;
  object_class->finalize = belfry_user_agent_finalize;

  /**
   * BelfryUserAgent:identity:
   *
   * Who we are: the From of our requests. Without one, the user agent
   * takes `sip:belfry@ADDRESS:PORT` when it starts.
   */
  props[PROP_IDENTITY] =
    g_param_spec_boxed ("identity", NULL, NULL, BELFRY_TYPE_NAME_ADDR,
                        G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_EXPLICIT_NOTIFY |
                        G_PARAM_STATIC_STRINGS);

  /**
   * BelfryUserAgent:listen-address:
   *
   * The IPv4 or IPv6 address to listen on; `0.0.0.0` for all.
   */
  props[PROP_LISTEN_ADDRESS] =
    g_param_spec_string ("listen-address", NULL, NULL, "0.0.0.0",
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  /**
   * BelfryUserAgent:listen-port:
   *
   * The port to listen on, for UDP and TCP; 0 for any free one.
   */
  props[PROP_LISTEN_PORT] =
    g_param_spec_int ("listen-port", NULL, NULL, 0, 65535, 5060,
                      G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  /**
   * BelfryUserAgent:port:
   *
   * The port listened on once started, otherwise 0.
   */
  props[PROP_PORT] =
    g_param_spec_int ("port", NULL, NULL, 0, 65535, 0,
                      G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * BelfryUserAgent:started:
   *
   * Whether the user agent listens.
   */
  props[PROP_STARTED] =
    g_param_spec_boolean ("started", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * BelfryUserAgent:username:
   *
   * The user name for digest authentication; %NULL for the user part of
   * the identity.
   */
  props[PROP_USERNAME] =
    g_param_spec_string ("username", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * BelfryUserAgent:no-answer-timeout:
   *
   * Seconds an incoming call may ring before it is answered 480.
   */
  props[PROP_NO_ANSWER_TIMEOUT] =
    g_param_spec_uint ("no-answer-timeout", NULL, NULL, 1, 3600, 60,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * BelfryUserAgent:session-description-handler-factory:
   *
   * What makes the media handler of each session.
   */
  props[PROP_SESSION_DESCRIPTION_HANDLER_FACTORY] =
    g_param_spec_object ("session-description-handler-factory", NULL, NULL,
                         BELFRY_TYPE_SESSION_DESCRIPTION_HANDLER_FACTORY,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  /**
   * BelfryUserAgent:tls-ca-file:
   *
   * The PEM file of the certificate authorities that TLS servers must
   * chain to; %NULL for the system's. Read when the user agent starts.
   */
  props[PROP_TLS_CA_FILE] =
    g_param_spec_string ("tls-ca-file", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS);

  /**
   * BelfryUserAgent:outbound-proxy:
   *
   * The URI of the proxy that every request outside a dialog goes
   * through, such as `sip:proxy.example.org;transport=tcp`, or %NULL to
   * send requests where their Request-URI points. Its transport and port
   * decide how the first hop is made. A value that is not a `sip:` or
   * `sips:` URI makes those requests fail with
   * %BELFRY_SIP_ERROR_INVALID_ARGUMENT. Taken by requests made after it
   * is set; a running registration keeps the route it started with.
   */
  props[PROP_OUTBOUND_PROXY] =
    g_param_spec_string ("outbound-proxy", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * BelfryUserAgent:session-description-handler-factory-options:
   *
   * What the factory is told when it makes the handler of a session of
   * this user agent, as SIP.js's `sessionDescriptionHandlerFactoryOptions`:
   * a dictionary (`a{sv}`) whose keys the factory defines, or %NULL. The
   * user agent only carries it; a factory reads it from the session's
   * user agent.
   */
  props[PROP_SESSION_DESCRIPTION_HANDLER_FACTORY_OPTIONS] =
    g_param_spec_variant ("session-description-handler-factory-options", NULL, NULL,
                          G_VARIANT_TYPE_VARDICT, NULL,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, props);

  /**
   * BelfryUserAgent::invite:
   * @self: the user agent
   * @invitation: the incoming call
   *
   * A call comes in. The handler keeps a reference to @invitation and
   * answers it with progress, accept or reject. With no handler the call
   * is answered 486 Busy Here.
   */
  signals[SIGNAL_INVITE] =
    g_signal_new ("invite", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 1, BELFRY_TYPE_INVITATION);

  /**
   * BelfryUserAgent::referred:
   * @self: the user agent
   * @call: the new call to the transfer target
   * @referrer: the session whose peer asked for the transfer
   *
   * A peer transferred us (REFER) and nobody took the
   * #BelfrySession::refer signal, so the user agent follows it, as SIP.js
   * does, with @call. Keep a reference to @call to see it through.
   */
  signals[SIGNAL_REFERRED] =
    g_signal_new ("referred", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 2, BELFRY_TYPE_SESSION, BELFRY_TYPE_SESSION);
}

static void
belfry_user_agent_init (BelfryUserAgent *self)
{
  self->no_answer_timeout = 60;
  self->ops = g_hash_table_new_full (NULL, NULL, (GDestroyNotify) client_op_free, NULL);
  self->live_sessions = g_hash_table_new_full (NULL, NULL, g_object_unref, NULL);
}

/**
 * belfry_user_agent_new:
 * @identity: (nullable): who we are
 * @listen_address: (nullable): the address to listen on, or %NULL for all IPv4 ones
 * @listen_port: the port, or 0 for any free one
 * @factory: (nullable): what makes the media handler of each session
 *
 * Returns: (transfer full): a new user agent, not started
 */
BelfryUserAgent *
belfry_user_agent_new (BelfryNameAddr                         *identity,
                       const char                             *listen_address,
                       int                                     listen_port,
                       BelfrySessionDescriptionHandlerFactory *factory)
{
  return g_object_new (BELFRY_TYPE_USER_AGENT,
                       "identity", identity,
                       "listen-address", listen_address,
                       "listen-port", listen_port,
                       "session-description-handler-factory", factory,
                       NULL);
}

/**
 * belfry_user_agent_start_async:
 * @self: a user agent
 * @cancellable: (nullable): a #GCancellable
 * @callback: called once listening, or on failure
 * @user_data: data for @callback
 *
 * Starts listening on UDP and TCP. A port that is taken fails with
 * %BELFRY_SIP_ERROR_ADDRESS_IN_USE.
 */
void
belfry_user_agent_start_async (BelfryUserAgent     *self,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  g_autoptr (GTask) task = NULL;
  g_autoptr (GError) error = NULL;

  g_return_if_fail (BELFRY_IS_USER_AGENT (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, belfry_user_agent_start_async);

  if (g_task_return_error_if_cancelled (task))
    return;

  if (!user_agent_start (self, &error))
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_boolean (task, TRUE);
}

/**
 * belfry_user_agent_start_finish:
 * @self: a user agent
 * @result: the result given to the callback
 * @error: return location for a #GError
 *
 * Returns: %TRUE when the user agent listens
 */
gboolean
belfry_user_agent_start_finish (BelfryUserAgent  *self,
                                GAsyncResult     *result,
                                GError          **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
session_ended_for_stop_cb (GObject      *source,
                           GAsyncResult *result,
                           gpointer      user_data)
{
  g_autoptr (GTask) task = user_data;
  guint *pending = g_task_get_task_data (task);
  g_autoptr (GError) error = NULL;

  if (!belfry_session_dispose_finish (BELFRY_SESSION (source), result, &error))
    g_debug ("a session ended with an error while stopping: %s", error->message);
  if (--*pending == 0) {
    user_agent_stop (g_task_get_source_object (task));
    g_task_return_boolean (task, TRUE);
  }
}

/**
 * belfry_user_agent_stop_async:
 * @self: a user agent
 * @cancellable: (nullable): a #GCancellable
 * @callback: called once stopped
 * @user_data: data for @callback
 *
 * Stops listening. As SIP.js's UserAgent.stop(), it first ends the
 * sessions still in progress, each as belfry_session_dispose_async()
 * does (a BYE, a CANCEL or a rejection), and stops once they have ended.
 */
void
belfry_user_agent_stop_async (BelfryUserAgent     *self,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_autoptr (GTask) task = NULL;
  g_autoptr (GPtrArray) sessions = g_ptr_array_new_with_free_func (g_object_unref);
  GHashTableIter iter;
  gpointer session;
  guint *pending;

  g_return_if_fail (BELFRY_IS_USER_AGENT (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, belfry_user_agent_stop_async);

  /* Ending a session may take it out of the table at once. */
  g_hash_table_iter_init (&iter, self->live_sessions);
  while (g_hash_table_iter_next (&iter, &session, NULL))
    g_ptr_array_add (sessions, g_object_ref (session));
  if (sessions->len == 0) {
    user_agent_stop (self);
    g_task_return_boolean (task, TRUE);
    return;
  }

  pending = g_new (guint, 1);
  *pending = sessions->len;
  g_task_set_task_data (task, pending, g_free);
  for (guint i = 0; i < sessions->len; i++)
    belfry_session_dispose_async (sessions->pdata[i], NULL, session_ended_for_stop_cb,
                                  g_object_ref (task));
}

/**
 * belfry_user_agent_stop_finish:
 * @self: a user agent
 * @result: the result given to the callback
 * @error: return location for a #GError
 *
 * Returns: %TRUE when stopped
 */
gboolean
belfry_user_agent_stop_finish (BelfryUserAgent  *self,
                               GAsyncResult     *result,
                               GError          **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/**
 * belfry_user_agent_get_started:
 * @self: a user agent
 *
 * Returns: whether it listens
 */
gboolean
belfry_user_agent_get_started (BelfryUserAgent *self)
{
  g_return_val_if_fail (BELFRY_IS_USER_AGENT (self), FALSE);

  return self->provider != NULL;
}

/**
 * belfry_user_agent_get_identity:
 * @self: a user agent
 *
 * Returns: (transfer none) (nullable): who we are
 */
BelfryNameAddr *
belfry_user_agent_get_identity (BelfryUserAgent *self)
{
  g_return_val_if_fail (BELFRY_IS_USER_AGENT (self), NULL);

  return self->identity;
}

/**
 * belfry_user_agent_get_listen_address:
 * @self: a user agent
 *
 * Returns: the address listened on
 */
const char *
belfry_user_agent_get_listen_address (BelfryUserAgent *self)
{
  g_return_val_if_fail (BELFRY_IS_USER_AGENT (self), NULL);

  return self->listen_address;
}

/**
 * belfry_user_agent_get_port:
 * @self: a user agent
 *
 * Returns: the port listened on, or 0 when stopped
 */
int
belfry_user_agent_get_port (BelfryUserAgent *self)
{
  g_return_val_if_fail (BELFRY_IS_USER_AGENT (self), 0);

  return self->port;
}

/**
 * belfry_user_agent_get_username:
 * @self: a user agent
 *
 * Returns: (nullable): the user name for authentication
 */
const char *
belfry_user_agent_get_username (BelfryUserAgent *self)
{
  g_return_val_if_fail (BELFRY_IS_USER_AGENT (self), NULL);

  return self->username;
}

/**
 * belfry_user_agent_set_username:
 * @self: a user agent
 * @username: (nullable): the user name for authentication
 */
void
belfry_user_agent_set_username (BelfryUserAgent *self,
                                const char      *username)
{
  g_return_if_fail (BELFRY_IS_USER_AGENT (self));

  if (g_strcmp0 (self->username, username) == 0)
    return;

  g_free (self->username);
  self->username = g_strdup (username);
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_USERNAME]);
}

/**
 * belfry_user_agent_set_password_func:
 * @self: a user agent
 * @func: (nullable): asked for the password at each challenge
 * @user_data: data for @func
 * @destroy: (nullable): frees @user_data
 *
 * Sets where passwords come from. They are asked for each time a server
 * challenges, never stored by the user agent, and never logged.
 */
void
belfry_user_agent_set_password_func (BelfryUserAgent    *self,
                                     BelfryPasswordFunc  func,
                                     gpointer            user_data,
                                     GDestroyNotify      destroy)
{
  g_return_if_fail (BELFRY_IS_USER_AGENT (self));

  if (self->password_destroy != NULL && self->password_data != NULL)
    self->password_destroy (self->password_data);

  self->password_func = func;
  self->password_data = user_data;
  self->password_destroy = destroy;
}

/**
 * belfry_user_agent_get_no_answer_timeout:
 * @self: a user agent
 *
 * Returns: seconds an incoming call rings before it is answered 480
 */
guint
belfry_user_agent_get_no_answer_timeout (BelfryUserAgent *self)
{
  g_return_val_if_fail (BELFRY_IS_USER_AGENT (self), 60);

  return self->no_answer_timeout;
}

/**
 * belfry_user_agent_set_no_answer_timeout:
 * @self: a user agent
 * @seconds: seconds an incoming call rings before it is answered 480
 */
void
belfry_user_agent_set_no_answer_timeout (BelfryUserAgent *self,
                                         guint            seconds)
{
  g_return_if_fail (BELFRY_IS_USER_AGENT (self));
  g_return_if_fail (seconds > 0);

  if (self->no_answer_timeout == seconds)
    return;

  self->no_answer_timeout = seconds;
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_NO_ANSWER_TIMEOUT]);
}

/**
 * belfry_user_agent_get_session_description_handler_factory:
 * @self: a user agent
 *
 * Returns: (transfer none) (nullable): what makes the media handlers
 */
BelfrySessionDescriptionHandlerFactory *
belfry_user_agent_get_session_description_handler_factory (BelfryUserAgent *self)
{
  g_return_val_if_fail (BELFRY_IS_USER_AGENT (self), NULL);

  return self->factory;
}

/**
 * belfry_user_agent_get_session_description_handler_factory_options:
 * @self: a user agent
 *
 * Returns: (transfer none) (nullable): the options for the factory, an
 *   `a{sv}` dictionary
 */
GVariant *
belfry_user_agent_get_session_description_handler_factory_options (BelfryUserAgent *self)
{
  g_return_val_if_fail (BELFRY_IS_USER_AGENT (self), NULL);

  return self->factory_options;
}

/**
 * belfry_user_agent_set_session_description_handler_factory_options:
 * @self: a user agent
 * @options: (nullable): an `a{sv}` dictionary for the factory, or %NULL
 *
 * Sets #BelfryUserAgent:session-description-handler-factory-options; the
 * handlers of sessions made afterwards see the new options. A floating
 * @options is sunk.
 */
void
belfry_user_agent_set_session_description_handler_factory_options (BelfryUserAgent *self,
                                                                   GVariant        *options)
{
  g_return_if_fail (BELFRY_IS_USER_AGENT (self));
  g_return_if_fail (options == NULL || g_variant_is_of_type (options, G_VARIANT_TYPE_VARDICT));

  if (options != NULL)
    g_variant_ref_sink (options);

  if (self->factory_options == options ||
      (self->factory_options != NULL && options != NULL &&
       g_variant_equal (self->factory_options, options))) {
    if (options != NULL)
      g_variant_unref (options);
    return;
  }

  g_clear_pointer (&self->factory_options, g_variant_unref);
  self->factory_options = options;
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_SESSION_DESCRIPTION_HANDLER_FACTORY_OPTIONS]);
}

/**
 * belfry_user_agent_get_outbound_proxy:
 * @self: a user agent
 *
 * Returns: (nullable): #BelfryUserAgent:outbound-proxy
 */
const char *
belfry_user_agent_get_outbound_proxy (BelfryUserAgent *self)
{
  g_return_val_if_fail (BELFRY_IS_USER_AGENT (self), NULL);

  return self->outbound_proxy;
}

/**
 * belfry_user_agent_set_outbound_proxy:
 * @self: a user agent
 * @uri: (nullable): the proxy's `sip:` or `sips:` URI, or %NULL (or empty)
 *   for none
 *
 * Sets #BelfryUserAgent:outbound-proxy. A URI that does not parse is
 * kept, and the requests that would use it fail with an error that says
 * so; belfry_user_agent_check_outbound_proxy() tells beforehand.
 */
void
belfry_user_agent_set_outbound_proxy (BelfryUserAgent *self,
                                      const char      *uri)
{
  g_return_if_fail (BELFRY_IS_USER_AGENT (self));

  if (uri != NULL && *uri == '\0')
    uri = NULL;
  if (g_strcmp0 (self->outbound_proxy, uri) == 0)
    return;

  g_free (self->outbound_proxy);
  self->outbound_proxy = g_strdup (uri);
  if (self->outbound_proxy_uri != NULL)
    belle_sip_object_unref (self->outbound_proxy_uri);
  self->outbound_proxy_uri = uri != NULL ? parse_proxy (uri) : NULL;
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_OUTBOUND_PROXY]);
}

/**
 * belfry_user_agent_check_outbound_proxy:
 * @uri: a proxy's URI, as for #BelfryUserAgent:outbound-proxy
 * @error: return location for a #GError
 *
 * Tells whether @uri can serve as #BelfryUserAgent:outbound-proxy.
 *
 * Returns: %TRUE when it can; otherwise %FALSE with @error set to
 *   %BELFRY_SIP_ERROR_INVALID_ARGUMENT
 */
gboolean
belfry_user_agent_check_outbound_proxy (const char  *uri,
                                        GError     **error)
{
  belle_sip_uri_t *parsed;

  g_return_val_if_fail (uri != NULL, FALSE);

  parsed = parse_proxy (uri);
  if (parsed == NULL) {
    set_proxy_error (uri, error);
    return FALSE;
  }
  belle_sip_object_unref (parsed);
  return TRUE;
}

belle_sip_provider_t *
belfry_user_agent_get_provider (BelfryUserAgent *self)
{
  g_return_val_if_fail (BELFRY_IS_USER_AGENT (self), NULL);

  return self->provider;
}

char *
belfry_user_agent_dup_password (BelfryUserAgent *self,
                                const char      *realm,
                                const char      *username)
{
  if (self->password_func == NULL)
    return NULL;

  return self->password_func (self, realm, username, self->password_data);
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

belle_sip_header_contact_t *
belfry_user_agent_create_contact (BelfryUserAgent     *self,
                                  belle_sip_request_t *request)
{
  const char *user = self->identity ? belfry_name_addr_get_user (self->identity) : NULL;
  belle_sip_uri_t *uri = belle_sip_uri_create (user, NULL);
  belle_sip_uri_t *request_uri = belle_sip_request_get_uri (request);
  const char *transport = request_uri ? belle_sip_uri_get_transport_param (request_uri) : NULL;

  /* belle-sip fills in the host, port and transport of a Contact that has
   * no host with those of the channel the message leaves on. */
  if (transport != NULL)
    belle_sip_uri_set_transport_param (uri, transport);
  return belle_sip_header_contact_create (belle_sip_header_address_create (NULL, uri));
}

/* Pre-loads the outbound proxy as the Route of a request outside a
 * dialog: belle-sip sends a request to its topmost Route when it has
 * one, and CANCEL, ACK for non-2xx, digest retries and refreshes copy it. */
gboolean
belfry_user_agent_add_outbound_route (BelfryUserAgent      *self,
                                      belle_sip_request_t  *request,
                                      GError              **error)
{
  belle_sip_header_address_t *address;
  belle_sip_uri_t *uri;

  g_return_val_if_fail (BELFRY_IS_USER_AGENT (self), FALSE);

  if (self->outbound_proxy == NULL)
    return TRUE;
  if (self->outbound_proxy_uri == NULL) {
    set_proxy_error (self->outbound_proxy, error);
    return FALSE;
  }

  /* The Route is a copy of the address, which is ours to drop. */
  uri = BELLE_SIP_URI (belle_sip_object_clone (BELLE_SIP_OBJECT (self->outbound_proxy_uri)));
  address = (belle_sip_header_address_t *) belle_sip_object_ref (belle_sip_header_address_create (NULL, uri));
  belle_sip_message_add_header (BELLE_SIP_MESSAGE (request),
                                BELLE_SIP_HEADER (belle_sip_header_route_create (address)));
  belle_sip_object_unref (address);
  return TRUE;
}

belle_sip_request_t *
belfry_user_agent_create_request (BelfryUserAgent  *self,
                                  const char       *method,
                                  BelfryNameAddr   *from,
                                  BelfryNameAddr   *to,
                                  GError          **error)
{
  belle_sip_header_address_t *to_address = belfry_name_addr_get_header (to);
  belle_sip_uri_t *request_uri;
  belle_sip_request_t *request;

  g_return_val_if_fail (BELFRY_IS_USER_AGENT (self), NULL);

  if (self->provider == NULL) {
    g_set_error (error, BELFRY_SIP_ERROR, BELFRY_SIP_ERROR_INVALID_STATE,
                 "The user agent is not started");
    return NULL;
  }

  if (belle_sip_header_address_get_uri (to_address) == NULL) {
    g_set_error (error, BELFRY_SIP_ERROR, BELFRY_SIP_ERROR_INVALID_ARGUMENT,
                 "A tel: address needs an account to route it; call a sip: address");
    return NULL;
  }

  request_uri = BELLE_SIP_URI (belle_sip_object_clone (
    BELLE_SIP_OBJECT (belle_sip_header_address_get_uri (to_address))));
  /* Header parameters of the target (a tag) belong to no request URI;
   * URI headers (?Subject=) neither. */
  belle_sip_uri_headers_clean (request_uri);

  request = belle_sip_request_create (
    request_uri, method,
    belle_sip_provider_create_call_id (self->provider),
    belle_sip_header_cseq_create (20, method),
    belle_sip_header_from_create (belfry_name_addr_get_header (from), BELLE_SIP_RANDOM_TAG),
    belle_sip_header_to_create (to_address, NULL),
    belle_sip_header_via_new (),
    70);

  if (!belfry_user_agent_add_outbound_route (self, request, error)) {
    belle_sip_object_unref (belle_sip_object_ref (request));
    return NULL;
  }

  belfry_user_agent_add_capabilities (self, BELLE_SIP_MESSAGE (request));
  return request;
}

BelfrySession *
belfry_user_agent_find_session (BelfryUserAgent *self,
                                const char      *call_id,
                                const char      *local_tag,
                                const char      *remote_tag)
{
  belle_sip_dialog_t *dialog;
  DialogBinding *binding;

  g_return_val_if_fail (BELFRY_IS_USER_AGENT (self), NULL);

  if (self->provider == NULL || call_id == NULL || local_tag == NULL || remote_tag == NULL)
    return NULL;

  dialog = belle_sip_provider_find_dialog (self->provider, call_id, local_tag, remote_tag);
  binding = dialog ? belle_sip_dialog_get_application_data (dialog) : NULL;
  if (binding == NULL || !BELFRY_IS_SESSION (binding->owner))
    return NULL;

  return BELFRY_SESSION (binding->owner);
}

BelfrySession *
belfry_user_agent_create_referred_call (BelfryUserAgent  *self,
                                        BelfrySession    *referrer,
                                        BelfryNameAddr   *target,
                                        GError          **error)
{
  belle_sip_header_address_t *address = belfry_name_addr_get_header (target);
  belle_sip_uri_t *uri = belle_sip_header_address_get_uri (address);
  g_autoptr (BelfryNameAddr) clean_target = NULL;
  g_autofree char *clean_uri = NULL;
  g_autofree char *referred_by = NULL;
  const char *replaces = NULL;
  BelfryInviter *call;

  if (uri == NULL) {
    g_set_error (error, BELFRY_SIP_ERROR, BELFRY_SIP_ERROR_INVALID_ARGUMENT,
                 "The transfer target is not a SIP address");
    return NULL;
  }

  /* An attended transfer puts the Replaces header of the new INVITE in the
   * Refer-To URI's headers. */
  replaces = belle_sip_uri_get_header (uri, "Replaces");
  {
    belle_sip_uri_t *copy = BELLE_SIP_URI (belle_sip_object_clone (BELLE_SIP_OBJECT (uri)));
    char *text;

    belle_sip_uri_headers_clean (copy);
    text = belle_sip_object_to_string (copy);
    clean_uri = g_strdup (text);
    belle_sip_free (text);
    belle_sip_object_unref (belle_sip_object_ref (copy));
  }

  clean_target = belfry_name_addr_new (belfry_name_addr_get_display_name (target), clean_uri, error);
  if (clean_target == NULL)
    return NULL;

  call = belfry_inviter_new (self, clean_target);
  if (replaces != NULL) {
    g_autofree char *unescaped = g_uri_unescape_string (replaces, NULL);

    belfry_inviter_add_header (call, "Replaces", unescaped ? unescaped : replaces);
  }
  referred_by = belfry_name_addr_to_string (belfry_session_get_remote_identity (referrer));
  belfry_inviter_add_header (call, "Referred-By", referred_by);

  g_signal_emit (self, signals[SIGNAL_REFERRED], 0, call, referrer);
  return BELFRY_SESSION (call);
}

/* Called by a session when the peer first hears of it, and again when it
 * ends (belfry_user_agent_release_session()). */
void
belfry_user_agent_hold_session (BelfryUserAgent *self,
                                BelfrySession   *session)
{
  g_return_if_fail (BELFRY_IS_USER_AGENT (self));

  if (!g_hash_table_contains (self->live_sessions, session))
    g_hash_table_add (self->live_sessions, g_object_ref (session));
}

void
belfry_user_agent_release_session (BelfryUserAgent *self,
                                   BelfrySession   *session)
{
  g_return_if_fail (BELFRY_IS_USER_AGENT (self));

  g_hash_table_remove (self->live_sessions, session);
}
