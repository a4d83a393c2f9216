/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include "belfry-sip-error.h"
#include "belfry-sip-fixture.h"

/* What reaches a Belfry user agent on the wire that is not a well-formed
 * call: malformed and unanswerable messages, bytes belle-sip reads nothing
 * of, URIs that are not SIP, and TLS against a real openssl s_server. */

typedef struct {
  GSocket *socket;
  GString *received;
} Probe;

static gboolean
probe_readable (GSocket      *socket,
                GIOCondition  condition,
                gpointer      data)
{
  Probe *probe = data;
  char buffer[65536];
  gssize n = g_socket_receive (socket, buffer, sizeof buffer - 1, NULL, NULL);

  if (n > 0)
    g_string_append_len (probe->received, buffer, n);
  return n > 0 ? G_SOURCE_CONTINUE : G_SOURCE_REMOVE;
}

static gboolean
probe_has_status_line (gpointer data)
{
  Probe *probe = data;

  return strstr (probe->received->str, "SIP/2.0 ") != NULL &&
         strstr (probe->received->str, "\r\n\r\n") != NULL;
}

/* Sends @message raw over UDP or TCP and returns what came back within
 * @timeout_ms. */
static char *
send_raw_after (Fixture    *fixture,
                const char *first,
                const char *message,
                gsize       length,
                guint       timeout_ms)
{
  gboolean tcp = g_str_equal (fixture->variant->transport, "t1");
  g_autoptr (GInetAddress) inet = g_inet_address_new_from_string (fixture->variant->address);
  g_autoptr (GSocketAddress) target = g_inet_socket_address_new (inet, (guint16) belfry_user_agent_get_port (fixture->user_agent));
  g_autoptr (GSocket) socket = NULL;
  g_autoptr (GSource) source = NULL;
  g_autoptr (GError) error = NULL;
  Probe probe = { NULL, g_string_new (NULL) };
  gsize sent = 0;

  socket = g_socket_new (g_inet_address_get_family (inet), tcp ? G_SOCKET_TYPE_STREAM : G_SOCKET_TYPE_DATAGRAM,
                         tcp ? G_SOCKET_PROTOCOL_TCP : G_SOCKET_PROTOCOL_UDP, &error);
  g_assert_no_error (error);
  g_socket_set_blocking (socket, FALSE);
  probe.socket = socket;

  if (tcp) {
    g_socket_set_blocking (socket, TRUE);
    g_socket_set_timeout (socket, 5);
    g_assert_true (g_socket_connect (socket, target, NULL, &error));
    g_assert_no_error (error);
    if (first != NULL)
      g_assert_cmpint (g_socket_send (socket, first, strlen (first), NULL, &error), ==, (gssize) strlen (first));
    while (sent < length) {
      gssize n = g_socket_send (socket, message + sent, length - sent, NULL, &error);

      if (n <= 0)
        break;
      sent += (gsize) n;
    }
    g_clear_error (&error);
    g_socket_set_blocking (socket, FALSE);
  } else {
    if (first != NULL)
      g_socket_send_to (socket, target, first, strlen (first), NULL, &error);
    g_assert_no_error (error);
    g_socket_send_to (socket, target, message, length, NULL, &error);
    g_assert_no_error (error);
  }

  source = g_socket_create_source (socket, G_IO_IN, NULL);
  g_source_set_callback (source, (GSourceFunc) (void (*) (void)) probe_readable, &probe, NULL);
  g_source_attach (source, NULL);
  belfry_test_wait_until (probe_has_status_line, &probe, timeout_ms);
  g_source_destroy (source);

  return g_string_free (probe.received, FALSE);
}

static char *
send_raw (Fixture    *fixture,
          const char *message,
          gsize       length,
          guint       timeout_ms)
{
  return send_raw_after (fixture, NULL, message, length, timeout_ms);
}

static char *
request_without (Fixture    *fixture,
                 const char *method,
                 const char *omitted,
                 const char *body)
{
  g_autoptr (GString) request = g_string_new (NULL);
  const char *transport = g_str_equal (fixture->variant->transport, "t1") ? "TCP" : "UDP";
  int port = belfry_user_agent_get_port (fixture->user_agent);
  static guint counter;

  counter++;
  g_string_append_printf (request, "%s sip:belfry@127.0.0.1:%d SIP/2.0\r\n", method, port);
  if (g_strcmp0 (omitted, "Via") != 0)
    g_string_append_printf (request, "Via: SIP/2.0/%s 127.0.0.1:9;rport;branch=z9hG4bK-bad-%u\r\n", transport, counter);
  if (g_strcmp0 (omitted, "From") != 0)
    g_string_append_printf (request, "From: <sip:mallory@127.0.0.1>;tag=bad%u\r\n", counter);
  if (g_strcmp0 (omitted, "To") != 0)
    g_string_append_printf (request, "To: <sip:belfry@127.0.0.1:%d>\r\n", port);
  if (g_strcmp0 (omitted, "Call-ID") != 0)
    g_string_append_printf (request, "Call-ID: bad-%u@127.0.0.1\r\n", counter);
  if (g_strcmp0 (omitted, "CSeq") != 0)
    g_string_append_printf (request, "CSeq: 1 %s\r\n", method);
  if (g_strcmp0 (omitted, "Contact") != 0)
    g_string_append_printf (request, "Contact: <sip:mallory@127.0.0.1:9;transport=%s>\r\n", transport);
  g_string_append (request, "Max-Forwards: 70\r\n");
  if (body != NULL)
    g_string_append_printf (request, "Content-Type: application/sdp\r\nContent-Length: %zu\r\n\r\n%s",
                            strlen (body), body);
  else
    g_string_append (request, "Content-Length: 0\r\n\r\n");

  return g_string_free (g_steal_pointer (&request), FALSE);
}

/* Requests that cannot be answered: no Via, or a Via naming a transport
 * we do not listen on (tests/fuzz/corpus/sip/leak-bye-without-via, found
 * by fuzz-sip). belle-sip found no channel for the answer and kept it for
 * good, which the AddressSanitizer build reports as a leak; they are
 * dropped, and the user agent goes on answering others. */
static void
test_unanswerable (Fixture       *fixture,
                   gconstpointer  data)
{
  const char *methods[] = { "INFO", "BYE", "OPTIONS" };

  for (guint i = 0; i < G_N_ELEMENTS (methods); i++) {
    g_autofree char *without_via = request_without (fixture, methods[i], "Via", NULL);
    g_autofree char *reply = send_raw (fixture, without_via, strlen (without_via), 300);
    g_autofree char *plain = request_without (fixture, methods[i], NULL, NULL);
    g_autoptr (GString) odd_transport = g_string_new (plain);
    g_autofree char *odd_reply = NULL;

    g_assert_cmpstr (reply, ==, "");
    g_string_replace (odd_transport, "SIP/2.0/UDP", "SIP/2.0/UDEventP", 1);
    g_string_replace (odd_transport, "SIP/2.0/TCP", "SIP/2.0/TCEventP", 1);
    odd_reply = send_raw (fixture, odd_transport->str, odd_transport->len, 300);
    g_assert_cmpstr (odd_reply, ==, "");
  }

  {
    g_autofree char *options = request_without (fixture, "OPTIONS", NULL, NULL);
    g_autofree char *reply = send_raw (fixture, options, strlen (options), 2000);

    g_assert_true (g_str_has_prefix (reply, "SIP/2.0 200"));
  }
}

/* A message that belle-sip's parser returns having read none of it
 * (tests/fuzz/corpus/sip/crash-parsed-nothing, found by fuzz-sip) was kept
 * by belle-sip's channel without a reference and freed; the next message
 * from the same peer crashed the process. belfry-sip-loop.c guards the
 * parser; the user agent answers the next message. */
static void
test_parsed_nothing (Fixture       *fixture,
                     gconstpointer  data)
{
  g_autofree char *crash = NULL;
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, "fuzz", "corpus", "sip",
                                                 "crash-parsed-nothing", NULL);
  g_autofree char *options = request_without (fixture, "OPTIONS", NULL, NULL);
  g_autofree char *garbage = NULL;
  g_autofree char *reply = NULL;
  g_autoptr (GError) error = NULL;

  g_assert_true (g_file_get_contents (path, &crash, NULL, &error));
  g_assert_no_error (error);
  /* The harness's line ends and keyword, as fuzz-sip sends it. */
  {
    g_autofree char *port = g_strdup_printf ("%d", belfry_user_agent_get_port (fixture->user_agent));
    g_autoptr (GString) text = g_string_new (crash);

    g_string_replace (text, "[remote_port]", port, 0);
    g_string_replace (text, "\n", "\r\n", 0);
    /* Over TCP the next message follows in the same stream: it must start
     * on a line of its own to be found. */
    if (g_str_equal (fixture->variant->transport, "t1"))
      g_string_append (text, "\r\n");
    garbage = g_string_free (g_steal_pointer (&text), FALSE);
  }

  reply = send_raw_after (fixture, garbage, options, strlen (options), 2000);
  g_assert_true (g_str_has_prefix (reply, "SIP/2.0 200"));
}

/* An offer without Content-Type (found by fuzz-sip) reached the session
 * description handler with no type, a critical; a body that does not say
 * what it is counts as none: Belfry offers in its 200, and ends the call
 * when the ACK brings no answer. */
static void
test_body_without_type (Fixture       *fixture,
                        gconstpointer  data)
{
  check_incoming_ends (fixture, "uac-body-without-type.xml", 0);
}

/* A Request-URI that is not a SIP URI (tests/fuzz/corpus/sip/
 * crash-request-uri-not-sip, found by fuzz-sip) reads as NULL from
 * belle-sip, and an INVITE's crashed the check for sips:. Such requests
 * are answered 416 (RFC 3261 section 8.2.2.1). */
static void
test_unsupported_uri_scheme (Fixture       *fixture,
                             gconstpointer  data)
{
  const char *methods[] = { "INVITE", "OPTIONS", "MESSAGE" };

  for (guint i = 0; i < G_N_ELEMENTS (methods); i++) {
    g_autofree char *plain = request_without (fixture, methods[i], NULL, NULL);
    g_autoptr (GString) request = g_string_new (plain);
    g_autofree char *reply = NULL;
    gsize line_end = strcspn (request->str, "\r");

    g_string_erase (request, 0, line_end);
    g_string_prepend (request, " tel:+12125550101 SIP/2.0");
    g_string_prepend (request, methods[i]);
    reply = send_raw (fixture, request->str, request->len, 2000);
    g_test_message ("%s tel: answered %.40s", methods[i], reply);
    /* belle-sip's 100 Trying comes first for an INVITE. */
    g_assert_true (g_str_has_prefix (reply, "SIP/2.0 416") ||
                   (i == 0 && g_str_has_prefix (reply, "SIP/2.0 100")));
  }
  g_assert_cmpuint (fixture->invites, ==, 0);
}

static void
test_malformed (Fixture       *fixture,
                gconstpointer  data)
{
  const char *garbage[] = {
    "\x00\xff\xfe garbage \x01\x02\r\n\r\n",
    "INVITE\r\n\r\n",
    "SIP/2.0 200 OK\r\nVia: nonsense\r\n\r\n",
    "INVITE sip:belfry@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP\r\nContent-Length: 99999\r\n\r\nshort",
    "OPTIONS sip:belfry@127.0.0.1 SIP/7.0\r\nCSeq: x OPTIONS\r\nFrom: <<<\r\n\r\n",
  };
  g_autoptr (BelfrySipp) sipp = NULL;
  g_autoptr (GString) huge = g_string_new ("OPTIONS sip:belfry@127.0.0.1 SIP/2.0\r\nX-Huge: ");

  for (guint i = 0; i < G_N_ELEMENTS (garbage); i++) {
    g_autofree char *reply = send_raw (fixture, garbage[i], strlen (garbage[i]), 300);

    g_test_message ("garbage %u answered: %.40s", i, reply);
  }

  /* As large as a datagram can be; larger still over TCP. */
  for (guint i = 0; i < (g_str_equal (fixture->variant->transport, "t1") ? 200000 : 65000); i++)
    g_string_append_c (huge, 'x');
  g_string_append (huge, "\r\n\r\n");
  g_free (send_raw (fixture, huge->str, huge->len, 300));

  /* RFC 3261 section 8.2.2: a request that misses a mandatory header is
   * answered 400 (belle-sip answers those it can route back). */
  {
    const char *mandatory[] = { "Call-ID", "CSeq", "From", "To" };

    for (guint i = 0; i < G_N_ELEMENTS (mandatory); i++) {
      g_autofree char *request = request_without (fixture, "OPTIONS", mandatory[i], NULL);
      g_autofree char *reply = send_raw (fixture, request, strlen (request), 2000);

      g_test_message ("without %s: %.60s", mandatory[i], reply);
      g_assert_true (g_str_has_prefix (reply, "SIP/2.0 400"));
    }
  }

  /* An INVITE whose offer is not SDP is refused, not accepted. */
  {
    g_autofree char *request = NULL;
    g_autofree char *reply = NULL;

    fixture->incoming_plan = 0;
    request = request_without (fixture, "INVITE", NULL, "this is not SDP\r\n");
    reply = send_raw (fixture, request, strlen (request), 2000);
    g_assert_true (belfry_test_wait_until (belfry_test_pointer_set, &fixture->invitation, 5000));
    wait_state (BELFRY_SESSION (fixture->invitation), BELFRY_SESSION_STATE_TERMINATED, 5000);
  }

  /* And the user agent still works. */
  sipp = start_sipp_client (fixture, "uac-options.xml");
  g_assert_cmpint (belfry_sipp_wait (sipp, 20000), ==, 0);
  g_clear_pointer (&sipp, belfry_sipp_free);
  call_and_hang_up (fixture);
}

/* ---- TLS: a real TLS server (openssl s_server) with a certificate from
 * a certificate authority the test makes ---- */

static void
run_openssl (const char *dir,
             const char *command)
{
  g_autofree char *line = g_strdup_printf ("cd '%s' && openssl %s", dir, command);
  g_autofree char *err = NULL;
  int status = 0;
  const char *argv[] = { "sh", "-c", line, NULL };

  g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL,
                               NULL, NULL, NULL, &err, &status, NULL));
  if (!g_spawn_check_wait_status (status, NULL))
    g_error ("openssl %s: %s", command, err);
}

static void
make_ca (const char *dir,
         const char *name)
{
  g_autofree char *command = g_strdup_printf (
    "req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=%s -keyout %s.key -out %s.pem", name, name, name);

  run_openssl (dir, command);
}

typedef struct {
  GSubprocess *process;
  GString *output;
  gboolean exited;
} TlsServer;

static void
tls_output_cb (GObject      *stream,
               GAsyncResult *result,
               gpointer      user_data)
{
  TlsServer *server = user_data;
  g_autoptr (GBytes) bytes = g_input_stream_read_bytes_finish (G_INPUT_STREAM (stream), result, NULL);

  if (bytes == NULL || g_bytes_get_size (bytes) == 0) {
    server->exited = TRUE;
    return;
  }
  g_string_append_len (server->output, g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
  g_input_stream_read_bytes_async (G_INPUT_STREAM (stream), 4096, G_PRIORITY_DEFAULT, NULL,
                                   tls_output_cb, server);
}

static gboolean
tls_server_got_invite (gpointer data)
{
  TlsServer *server = data;

  return strstr (server->output->str, "INVITE sip:sipp@127.0.0.1") != NULL;
}

static void
test_tls (Fixture       *fixture,
          gconstpointer  data)
{
  g_autofree char *dir = g_dir_make_tmp ("belfry-tls-XXXXXX", NULL);
  g_autofree char *port = g_strdup_printf ("127.0.0.1:%d", fixture->sipp_port);
  g_autofree char *ca_file = NULL;
  g_autoptr (BelfryUserAgent) user_agent = NULL;
  g_autoptr (BelfryNameAddr) target = NULL;
  g_autoptr (BelfrySession) call = NULL;
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GError) error = NULL;
  TlsServer server = { NULL, g_string_new (NULL), FALSE };
  g_autofree char *uri = NULL;

  make_ca (dir, "ca");
  make_ca (dir, "stranger");
  run_openssl (dir, "req -newkey rsa:2048 -nodes -subj /CN=127.0.0.1 -keyout server.key -out server.csr");
  run_openssl (dir, "x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 2 "
                    "-extfile /dev/stdin -out server.pem <<EOF\nsubjectAltName=DNS:127.0.0.1,IP:127.0.0.1\nEOF");

  for (guint round = 0; round < 2; round++) {
    gboolean trust = round == 0;
    const char *argv[] = { "openssl", "s_server", "-accept", port, "-cert", "server.pem",
                           "-key", "server.key", "-naccept", "1", NULL };
    /* s_server stops reading the connection when its standard input ends:
     * keep it open. */
    g_autoptr (GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDIN_PIPE |
                                                                          G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                                                          G_SUBPROCESS_FLAGS_STDERR_SILENCE);
    gboolean connected;

    g_string_truncate (server.output, 0);
    server.exited = FALSE;
    g_subprocess_launcher_set_cwd (launcher, dir);
    server.process = g_subprocess_launcher_spawnv (launcher, argv, &error);
    g_assert_no_error (error);
    g_input_stream_read_bytes_async (g_subprocess_get_stdout_pipe (server.process), 4096, G_PRIORITY_DEFAULT,
                                     NULL, tls_output_cb, &server);
    g_assert_true (belfry_test_wait_port_bound (fixture->sipp_port, TRUE, 10000));

    ca_file = g_build_filename (dir, trust ? "ca.pem" : "stranger.pem", NULL);
    user_agent = belfry_user_agent_new (NULL, "127.0.0.1", 0, BELFRY_SESSION_DESCRIPTION_HANDLER_FACTORY (fixture->factory));
    g_object_set (user_agent, "tls-ca-file", ca_file, NULL);
    belfry_user_agent_start_async (user_agent, NULL, belfry_test_store_result_cb, &result);
    g_assert_true (belfry_user_agent_start_finish (user_agent, belfry_test_wait_result (&result, 5000), &error));
    g_clear_object (&result);

    uri = g_strdup_printf ("sip:sipp@127.0.0.1:%d;transport=tls", fixture->sipp_port);
    target = belfry_name_addr_new (NULL, uri, &error);
    call = BELFRY_SESSION (belfry_inviter_new (user_agent, target));
    belfry_session_invite_async (call, NULL, NULL, belfry_test_store_result_cb, &result);

    if (trust) {
      /* The handshake succeeded with verification on: the server reads
       * the INVITE in clear. It never answers; when it goes away, the
       * connection breaks and the call fails. */
      connected = belfry_test_wait_until (tls_server_got_invite, &server, 10000);
      g_assert_true (connected);
      g_subprocess_force_exit (server.process);
      g_assert_false (belfry_session_invite_finish (call, belfry_test_wait_result (&result, 10000), &error));
      g_assert_error (error, BELFRY_SIP_ERROR, BELFRY_SIP_ERROR_TRANSPORT);
      g_clear_error (&error);
      g_clear_object (&result);
      belfry_test_assert_finalized (g_steal_pointer (&call), 3000);
    } else {
      /* A certificate from a stranger CA: the call fails at once, and
       * nothing was sent in clear. */
      g_assert_false (belfry_session_invite_finish (call, belfry_test_wait_result (&result, 10000), &error));
      g_assert_error (error, BELFRY_SIP_ERROR, BELFRY_SIP_ERROR_TRANSPORT);
      g_clear_error (&error);
      g_assert_false (tls_server_got_invite (&server));
      g_clear_object (&result);
      belfry_test_assert_finalized (g_steal_pointer (&call), 3000);
    }

    g_clear_object (&result);
    g_subprocess_force_exit (server.process);
    belfry_test_wait_until (belfry_test_flag_set, &server.exited, 5000);
    g_clear_object (&server.process);
    g_clear_pointer (&target, belfry_name_addr_unref);
    g_clear_pointer (&uri, g_free);
    g_clear_pointer (&ca_file, g_free);
    g_assert_finalize_object (g_steal_pointer (&user_agent));
  }

  g_string_free (server.output, TRUE);
  {
    const char *argv[] = { "rm", "-rf", dir, NULL };
    g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL, NULL, NULL);
  }
}

int
main (int   argc,
      char *argv[])
{
  static const SipCase cases[] = {
    { "malformed", test_malformed },
    { "unanswerable", test_unanswerable },
    { "parsed-nothing", test_parsed_nothing },
    { "body-without-type", test_body_without_type },
    { "unsupported-uri-scheme", test_unsupported_uri_scheme },
  };

  belfry_test_init (&argc, &argv);

  add_over_udp_and_tcp (cases, G_N_ELEMENTS (cases));
  add ("/belfry/sip/tls/verified", &belfry_sip_tcp4, test_tls);

  return g_test_run ();
}
