/* SPDX-License-Identifier: GPL-3.0-or-later */

#define G_LOG_DOMAIN "belfry-user-agent"

#include "config.h"

#include "belfry-inviter.h"
#include "belfry-name-addr-private.h"
#include "belfry-sip-error.h"
#include "belfry-sip-loop.h"
#include "belfry-user-agent-parts-private.h"

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

G_DEFINE_FINAL_TYPE (BelfryUserAgent, belfry_user_agent, G_TYPE_OBJECT)

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
  self->listener = belfry_user_agent_create_listener (self);
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
  self->ops = g_hash_table_new_full (NULL, NULL, (GDestroyNotify) belfry_user_agent_client_op_free, NULL);
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

/* A new incoming call goes to the application's #BelfryUserAgent::invite
 * handler; with none connected, nobody would answer it: 486 Busy Here. */
void
belfry_user_agent_offer_invitation (BelfryUserAgent  *self,
                                    BelfryInvitation *invitation)
{
  if (!g_signal_has_handler_pending (self, signals[SIGNAL_INVITE], 0, TRUE)) {
    belfry_invitation_reject (invitation, 486, NULL);
    return;
  }

  g_signal_emit (self, signals[SIGNAL_INVITE], 0, invitation);
}
