/* SPDX-License-Identifier: GPL-3.0-or-later */

/* SIP requests and responses delivered to a started BelfryUserAgent over
 * UDP, as a peer would send them, with the mediastreamer2 session
 * description handler behind the sessions.
 *
 * An input is one or more SIP messages separated by a line "%%". Before
 * a message is sent, the harness fills in sipp-like keywords, so that a
 * seed can build a dialog and go on inside it:
 *
 *   [local_port]   the harness's UDP port     [remote_port]  the user agent's
 *   [call_id]      a Call-ID new to this input  [call_id2]   a second one
 *   [branch]       a Via branch new to this message
 *   [peer_tag]     the user agent's tag in the dialog (its To-tag when it
 *                  is called, its From-tag when it calls)
 *   [peer_branch] [peer_cseq] [peer_via] [peer_from] [peer_to]
 *                  the user agent's INVITE, to answer it
 *   [len]          the length of the message's body
 *
 * Line ends are made CRLF, as sipp does, and a message without a body
 * gets its closing empty line. If the first message is a response, the
 * user agent first calls the harness (a BelfryInviter) and the input's
 * responses answer that INVITE; once answered, the call transfers the
 * harness (REFER), so that the input's NOTIFYs reach the subscription.
 * Otherwise the input calls the user agent, which accepts every call.
 * Requests that the user agent sends (BYE, NOTIFY, REFER, a referred
 * INVITE, CANCEL) are answered by the harness, with belle-sip building the
 * responses.
 *
 * After each message the harness sends an OPTIONS and waits for its 200:
 * belle-sip reads a socket's datagrams in order, so by then the message
 * has been read and dispatched. Every wait has a bound. At the end of an
 * input every session it made is disposed of and waited for. */
#include "belfry-fuzz.h"
#include "belfry-incoming-request.h"
#include "belfry-invitation.h"
#include "belfry-inviter.h"
#include "belfry-media-engine.h"
#include "belfry-media-wav-private.h"
#include "belfry-test-env.h"
#include "belfry-user-agent.h"

#include <belle-sip/belle-sip.h>
#include <errno.h>
#include <glib-unix.h>
#include <glib/gstdio.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define DELIMITER "\n%%\n"
#define MAX_MESSAGES 8
/* Loopback answers within milliseconds; these bounds only stop a hang. */
#define MESSAGE_WAIT_MS 1000
#define END_WAIT_MS 1000
#define IDLE_ITERATIONS 100

typedef struct {
  BelfryMediaEngine *engine;
  BelfryUserAgent *user_agent;
  char *record_path;
  int fd;
  guint16 port;
  guint64 input_number;
  guint message_number;

  /* What the current input has made and learnt. */
  GPtrArray *sessions;
  char *call_id;
  char *call_id2;
  char *peer_tag;
  char *peer_branch;
  char *peer_cseq;
  char *peer_via;
  char *peer_from;
  char *peer_to;
  belle_sip_request_t *peer_invite;
  char *sentinel_call_id;
  gboolean sentinel_answered;
  gboolean peer_invite_seen;
} Harness;

static Harness harness;

static void
send_text (const char *text,
           gsize       length)
{
  struct sockaddr_in to = { .sin_family = AF_INET };

  to.sin_addr.s_addr = htonl (INADDR_LOOPBACK);
  to.sin_port = htons (belfry_user_agent_get_port (harness.user_agent));
  /* A datagram too long for UDP is simply not sent. */
  sendto (harness.fd, text, length, 0, (struct sockaddr *) &to, sizeof to);
}

static void
send_message (belle_sip_message_t *message)
{
  char *text = belle_sip_object_to_string (message);

  send_text (text, strlen (text));
  belle_sip_free (text);
}

/* A header's value as it would be written, for a response to copy. */
static char *
header_value (belle_sip_header_t *header)
{
  char *text = belle_sip_object_to_string (header);
  const char *colon = strchr (text, ':');
  char *value = g_strstrip (g_strdup (colon != NULL ? colon + 1 : ""));

  belle_sip_free (text);
  return value;
}

/* Answers the user agent's call to the harness 487, as a peer does when
 * the call is cancelled. After a final response of the input's, belle-sip
 * takes it for a retransmission. */
static void
end_peer_invite (void)
{
  belle_sip_response_t *terminated;
  belle_sip_header_to_t *to;

  if (harness.peer_invite == NULL)
    return;
  terminated = belle_sip_response_create_from_request (harness.peer_invite, 487);
  to = belle_sip_message_get_header_by_type (terminated, belle_sip_header_to_t);
  if (belle_sip_header_to_get_tag (to) == NULL)
    belle_sip_header_to_set_tag (to, "fuzzpeer");
  send_message (BELLE_SIP_MESSAGE (terminated));
  belle_sip_object_unref (belle_sip_object_ref (terminated));
}

/* The harness plays a patient peer: what the user agent asks, it grants,
 * except a new call (a referred one), which it declines, so that no
 * second media stream starts. */
static void
answer_request (belle_sip_request_t *request)
{
  const char *method = belle_sip_request_get_method (request);
  belle_sip_header_call_id_t *call_id = belle_sip_message_get_header_by_type (request,
                                                                             belle_sip_header_call_id_t);
  belle_sip_header_via_t *via = belle_sip_message_get_header_by_type (request, belle_sip_header_via_t);
  gboolean ours = harness.peer_invite != NULL && call_id != NULL &&
                  g_strcmp0 (belle_sip_header_call_id_get_call_id (call_id), harness.call_id) == 0;
  belle_sip_response_t *response;

  if (strcmp (method, "ACK") == 0)
    return;

  if (strcmp (method, "INVITE") == 0 && harness.peer_invite == NULL && harness.peer_branch == NULL &&
      harness.call_id == NULL) {
    /* The user agent's call that the input answers. */
    belle_sip_header_from_t *from = belle_sip_message_get_header_by_type (request, belle_sip_header_from_t);
    belle_sip_header_cseq_t *cseq = belle_sip_message_get_header_by_type (request, belle_sip_header_cseq_t);

    harness.peer_invite = BELLE_SIP_REQUEST (belle_sip_object_ref (request));
    harness.call_id = g_strdup (belle_sip_header_call_id_get_call_id (call_id));
    harness.peer_tag = g_strdup (belle_sip_header_from_get_tag (from));
    harness.peer_branch = g_strdup (belle_sip_header_via_get_branch (via));
    harness.peer_cseq = g_strdup_printf ("%u", belle_sip_header_cseq_get_seq_number (cseq));
    harness.peer_via = header_value (BELLE_SIP_HEADER (via));
    harness.peer_from = header_value (BELLE_SIP_HEADER (from));
    harness.peer_to = header_value (belle_sip_message_get_header (BELLE_SIP_MESSAGE (request), "To"));
    harness.peer_invite_seen = TRUE;
    return;
  }

  if (strcmp (method, "INVITE") == 0 && ours &&
      g_strcmp0 (belle_sip_header_via_get_branch (via), harness.peer_branch) == 0)
    return;   /* A retransmission of it. */

  if (strcmp (method, "CANCEL") == 0 && ours)
    end_peer_invite ();

  response = belle_sip_response_create_from_request (request, strcmp (method, "INVITE") == 0 ? 486 : 200);
  send_message (BELLE_SIP_MESSAGE (response));
  belle_sip_object_unref (belle_sip_object_ref (response));
}

static void
read_response (belle_sip_response_t *response)
{
  belle_sip_header_call_id_t *call_id = belle_sip_message_get_header_by_type (response,
                                                                             belle_sip_header_call_id_t);
  belle_sip_header_cseq_t *cseq = belle_sip_message_get_header_by_type (response, belle_sip_header_cseq_t);
  belle_sip_header_to_t *to = belle_sip_message_get_header_by_type (response, belle_sip_header_to_t);
  const char *id = call_id ? belle_sip_header_call_id_get_call_id (call_id) : NULL;

  if (g_strcmp0 (id, harness.sentinel_call_id) == 0) {
    harness.sentinel_answered = TRUE;
    return;
  }

  /* The user agent's tag in the dialog the input's INVITE made. */
  if (g_strcmp0 (id, harness.call_id) == 0 && cseq != NULL && to != NULL &&
      g_strcmp0 (belle_sip_header_cseq_get_method (cseq), "INVITE") == 0 &&
      belle_sip_header_to_get_tag (to) != NULL && harness.peer_invite == NULL) {
    g_free (harness.peer_tag);
    harness.peer_tag = g_strdup (belle_sip_header_to_get_tag (to));
  }
}

static gboolean
on_readable (int          fd,
             GIOCondition condition,
             gpointer     user_data)
{
  char buffer[65536];
  ssize_t length;

  while ((length = recv (fd, buffer, sizeof buffer - 1, MSG_DONTWAIT)) > 0) {
    belle_sip_message_t *message;

    buffer[length] = '\0';
    message = belle_sip_message_parse (buffer);
    if (message == NULL)
      continue;
    belle_sip_object_ref (message);
    if (BELLE_SIP_OBJECT_IS_INSTANCE_OF (message, belle_sip_request_t))
      answer_request (BELLE_SIP_REQUEST (message));
    else
      read_response (BELLE_SIP_RESPONSE (message));
    belle_sip_object_unref (message);
  }
  return G_SOURCE_CONTINUE;
}

/* Lets what the last message set going (idle callbacks, answers made
 * asynchronously) run to its end, with a bound. */
static void
run_pending (void)
{
  for (guint i = 0; i < IDLE_ITERATIONS && g_main_context_iteration (NULL, FALSE); i++)
    ;
}

static gboolean
sentinel_answered (gpointer data)
{
  return harness.sentinel_answered;
}

static gboolean
peer_invite_seen (gpointer data)
{
  return harness.peer_invite_seen;
}

/* Sends an OPTIONS after the last message and waits for its answer. */
static void
wait_processed (void)
{
  g_autofree char *options = NULL;

  g_free (harness.sentinel_call_id);
  harness.sentinel_call_id = g_strdup_printf ("sentinel-%" G_GUINT64_FORMAT "-%u",
                                              harness.input_number, harness.message_number);
  harness.sentinel_answered = FALSE;
  options = g_strdup_printf ("OPTIONS sip:belfry@127.0.0.1:%d SIP/2.0\r\n"
                             "Via: SIP/2.0/UDP 127.0.0.1:%u;branch=z9hG4bK%s\r\n"
                             "From: <sip:fuzz@127.0.0.1:%u>;tag=sentinel\r\n"
                             "To: <sip:belfry@127.0.0.1:%d>\r\n"
                             "Call-ID: %s\r\n"
                             "CSeq: 1 OPTIONS\r\n"
                             "Max-Forwards: 70\r\n"
                             "Content-Length: 0\r\n\r\n",
                             belfry_user_agent_get_port (harness.user_agent), harness.port,
                             harness.sentinel_call_id, harness.port,
                             belfry_user_agent_get_port (harness.user_agent),
                             harness.sentinel_call_id);
  send_text (options, strlen (options));
  belfry_test_wait_until (sentinel_answered, NULL, MESSAGE_WAIT_MS);
  run_pending ();
}

static void
replace_all (GString    *text,
             const char *keyword,
             const char *value)
{
  g_string_replace (text, keyword, value != NULL ? value : "", 0);
}

/* Fills in the keywords and the line ends of one message. */
static GString *
prepare (const char *chunk,
         gsize       length)
{
  GString *text = g_string_new_len (chunk, length);
  g_autofree char *branch = g_strdup_printf ("z9hG4bK-%" G_GUINT64_FORMAT "-%u",
                                             harness.input_number, harness.message_number);
  g_autofree char *local_port = g_strdup_printf ("%u", harness.port);
  g_autofree char *remote_port = g_strdup_printf ("%d", belfry_user_agent_get_port (harness.user_agent));
  const char *body;
  gsize i;

  replace_all (text, "[local_port]", local_port);
  replace_all (text, "[remote_port]", remote_port);
  replace_all (text, "[call_id]", harness.call_id);
  replace_all (text, "[call_id2]", harness.call_id2);
  replace_all (text, "[branch]", branch);
  replace_all (text, "[peer_tag]", harness.peer_tag);
  replace_all (text, "[peer_branch]", harness.peer_branch);
  replace_all (text, "[peer_cseq]", harness.peer_cseq);
  replace_all (text, "[peer_via]", harness.peer_via);
  replace_all (text, "[peer_from]", harness.peer_from);
  replace_all (text, "[peer_to]", harness.peer_to);

  for (i = 0; i < text->len; i++) {
    if (text->str[i] == '\n' && (i == 0 || text->str[i - 1] != '\r'))
      g_string_insert_c (text, i++, '\r');
  }

  /* A message without a body ends with an empty line, which a seed
   * need not write. */
  if (strstr (text->str, "\r\n\r\n") == NULL)
    g_string_append (text, g_str_has_suffix (text->str, "\r\n") ? "\r\n" : "\r\n\r\n");

  body = strstr (text->str, "\r\n\r\n");
  if (body != NULL) {
    gsize body_length = text->len - (body + 4 - text->str);
    g_autofree char *value = NULL;

    /* The keyword's own length changes the header part only. */
    value = g_strdup_printf ("%" G_GSIZE_FORMAT, body_length);
    replace_all (text, "[len]", value);
  }
  return text;
}

/* ---- What the application does with sessions: read them ---- */

static void
read_identity (BelfryNameAddr *address)
{
  g_autofree char *text = NULL;
  g_autofree char *friendly = NULL;

  if (address == NULL)
    return;
  text = belfry_name_addr_to_string (address);
  friendly = belfry_name_addr_dup_friendly_name (address);
}

static gboolean
on_request (BelfrySession         *session,
            BelfryIncomingRequest *request,
            gpointer               user_data)
{
  static const char * const headers[] = {
    "Refer-To", "Referred-By", "Replaces", "Event", "Subscription-State",
    "P-Asserted-Identity", "Content-Type",
  };
  g_autoptr (BelfryNameAddr) from = belfry_incoming_request_dup_from (request);

  belfry_incoming_request_get_method (request);
  belfry_incoming_request_get_content_type (request);
  belfry_incoming_request_get_body (request);
  for (gsize i = 0; i < G_N_ELEMENTS (headers); i++)
    belfry_incoming_request_get_header (request, headers[i]);
  read_identity (from);
  /* The defaults of SIP.js apply: answer, follow the REFER, take the
   * re-INVITE's offer. */
  return FALSE;
}

static void
on_dtmf (BelfrySession *session,
         char           digit,
         gpointer       user_data)
{
  g_assert (strchr ("0123456789*#ABCD", digit) != NULL);
}

static void
on_asserted_identity (BelfrySession *session,
                      GParamSpec    *pspec,
                      gpointer       user_data)
{
  read_identity (belfry_session_get_asserted_identity (session));
}

static void
watch_session (BelfrySession *session)
{
  static const char * const signals[] = { "bye", "info", "invite", "message", "refer", "sip-notify" };

  g_ptr_array_add (harness.sessions, g_object_ref (session));
  for (gsize i = 0; i < G_N_ELEMENTS (signals); i++)
    g_signal_connect (session, signals[i], G_CALLBACK (on_request), NULL);
  g_signal_connect (session, "dtmf", G_CALLBACK (on_dtmf), NULL);
  g_signal_connect (session, "notify::asserted-identity", G_CALLBACK (on_asserted_identity), NULL);
  read_identity (belfry_session_get_remote_identity (session));
  read_identity (belfry_session_get_asserted_identity (session));
}

static void
on_invite (BelfryUserAgent  *user_agent,
           BelfryInvitation *invitation,
           gpointer          user_data)
{
  watch_session (BELFRY_SESSION (invitation));
  belfry_session_get_replacee (BELFRY_SESSION (invitation));
  belfry_invitation_progress (invitation, 180);
  belfry_invitation_accept_async (invitation, NULL, NULL, NULL);
}

static void
on_referred (BelfryUserAgent *user_agent,
             BelfrySession   *call,
             BelfrySession   *referrer,
             gpointer         user_data)
{
  watch_session (call);
}

static gboolean
sessions_ended (gpointer data)
{
  for (guint i = 0; i < harness.sessions->len; i++) {
    if (belfry_session_get_state (harness.sessions->pdata[i]) != BELFRY_SESSION_STATE_TERMINATED)
      return FALSE;
  }
  return TRUE;
}

/* Ends what the input started, as the application does when it quits. */
static void
end_input (void)
{
  for (guint i = 0; i < harness.sessions->len; i++) {
    BelfrySession *session = harness.sessions->pdata[i];

    if (belfry_session_get_state (session) != BELFRY_SESSION_STATE_TERMINATED)
      belfry_session_dispose_async (session, NULL, NULL, NULL);
  }
  /* A call of ours that heard nothing yet cannot be cancelled (RFC 3261
   * section 9.1): the harness ends it as a peer would. */
  end_peer_invite ();
  if (!belfry_test_wait_until (sessions_ended, NULL, END_WAIT_MS))
    g_debug ("input %" G_GUINT64_FORMAT ": a session did not end in time", harness.input_number);
  run_pending ();

  for (guint i = 0; i < harness.sessions->len; i++)
    g_signal_handlers_disconnect_by_data (harness.sessions->pdata[i], NULL);
  g_ptr_array_set_size (harness.sessions, 0);
  g_clear_pointer (&harness.call_id, g_free);
  g_clear_pointer (&harness.call_id2, g_free);
  g_clear_pointer (&harness.peer_tag, g_free);
  g_clear_pointer (&harness.peer_branch, g_free);
  g_clear_pointer (&harness.peer_cseq, g_free);
  g_clear_pointer (&harness.peer_via, g_free);
  g_clear_pointer (&harness.peer_from, g_free);
  g_clear_pointer (&harness.peer_to, g_free);
  g_clear_pointer (&harness.sentinel_call_id, g_free);
  if (harness.peer_invite != NULL) {
    belle_sip_object_unref (harness.peer_invite);
    harness.peer_invite = NULL;
  }
  harness.peer_invite_seen = FALSE;
  g_remove (harness.record_path);
}

/* A call of ours that is answered transfers the harness's peer, so that
 * the input's NOTIFYs (message/sipfrag) reach the REFER's subscription. */
static void
on_call_state_changed (BelfrySession      *session,
                       BelfrySessionState  state,
                       gpointer            user_data)
{
  g_autofree char *uri = NULL;
  g_autoptr (BelfryNameAddr) target = NULL;

  if (state != BELFRY_SESSION_STATE_ESTABLISHED)
    return;
  uri = g_strdup_printf ("sip:transfer@127.0.0.1:%u", harness.port);
  target = belfry_name_addr_parse (uri, NULL);
  belfry_session_refer_async (session, target, NULL, NULL, NULL, NULL);
}

static void
call_harness (void)
{
  g_autofree char *uri = g_strdup_printf ("sip:fuzz@127.0.0.1:%u", harness.port);
  g_autoptr (BelfryNameAddr) target = belfry_name_addr_parse (uri, NULL);
  g_autoptr (BelfryInviter) inviter = belfry_inviter_new (harness.user_agent, target);

  watch_session (BELFRY_SESSION (inviter));
  g_signal_connect (inviter, "state-changed", G_CALLBACK (on_call_state_changed), NULL);
  belfry_session_invite_async (BELFRY_SESSION (inviter), NULL, NULL, NULL, NULL);
  belfry_test_wait_until (peer_invite_seen, NULL, MESSAGE_WAIT_MS);
}

void
belfry_fuzz_set_up (void)
{
  g_autoptr (BelfryNameAddr) identity = NULL;
  g_autoptr (GAsyncResult) started = NULL;
  g_autofree char *play_path = NULL;
  g_autoptr (GError) error = NULL;
  struct sockaddr_in address = { .sin_family = AF_INET };
  socklen_t length = sizeof address;

  belle_sip_set_log_level (BELLE_SIP_LOG_FATAL);

  play_path = g_build_filename (belfry_fuzz_scratch_dir (), "play.wav", NULL);
  harness.record_path = g_build_filename (belfry_fuzz_scratch_dir (), "record.wav", NULL);
  if (!belfry_media_wav_write_tone (play_path, 8000, 1000, 0, 0.5, 0.5, &error))
    g_error ("%s", error->message);
  harness.engine = belfry_media_engine_new ();
  g_object_set (harness.engine,
                "bind-address", "127.0.0.1",
                "play-file", play_path,
                "record-file", harness.record_path,
                NULL);

  identity = belfry_name_addr_parse ("sip:belfry@127.0.0.1", NULL);
  harness.user_agent = belfry_user_agent_new (identity, "127.0.0.1", 0,
                                              BELFRY_SESSION_DESCRIPTION_HANDLER_FACTORY (harness.engine));
  belfry_user_agent_start_async (harness.user_agent, NULL, belfry_test_store_result_cb, &started);
  if (!belfry_user_agent_start_finish (harness.user_agent, belfry_test_wait_result (&started, 5000),
                                       &error))
    g_error ("The user agent did not start: %s", error->message);
  g_signal_connect (harness.user_agent, "invite", G_CALLBACK (on_invite), NULL);
  g_signal_connect (harness.user_agent, "referred", G_CALLBACK (on_referred), NULL);

  harness.fd = socket (AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  address.sin_addr.s_addr = htonl (INADDR_LOOPBACK);
  if (harness.fd < 0 || bind (harness.fd, (struct sockaddr *) &address, sizeof address) != 0 ||
      getsockname (harness.fd, (struct sockaddr *) &address, &length) != 0)
    g_error ("No UDP socket for the harness: %s", g_strerror (errno));
  harness.port = ntohs (address.sin_port);
  g_unix_fd_add (harness.fd, G_IO_IN, on_readable, NULL);
  harness.sessions = g_ptr_array_new_with_free_func (g_object_unref);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autofree char *text = g_strndup ((const char *) data, size);
  g_auto (GStrv) chunks = g_strsplit (text, DELIMITER, MAX_MESSAGES + 1);

  harness.input_number++;
  harness.message_number = 0;

  if (chunks[0] != NULL && g_str_has_prefix (g_strchug (chunks[0]), "SIP/2.0")) {
    call_harness ();
  } else {
    harness.call_id = g_strdup_printf ("fuzz-%" G_GUINT64_FORMAT "@127.0.0.1", harness.input_number);
  }
  harness.call_id2 = g_strdup_printf ("fuzz2-%" G_GUINT64_FORMAT "@127.0.0.1", harness.input_number);

  for (guint i = 0; chunks[i] != NULL && i < MAX_MESSAGES; i++) {
    g_autoptr (GString) message = NULL;

    harness.message_number = i + 1;
    message = prepare (chunks[i], strlen (chunks[i]));
    send_text (message->str, message->len);
    wait_processed ();
  }

  end_input ();
  return 0;
}
