/* SPDX-License-Identifier: GPL-3.0-or-later */

#define G_LOG_DOMAIN "belfry-cli"

#include "config.h"

#include <gio/gio.h>
#include <glib/gi18n.h>
#include <json-glib/json-glib.h>
#include <locale.h>
#include <stdio.h>
#include <string.h>

#include "belfry-enum.h"
#include "belfry-invitation.h"
#include "belfry-inviter.h"
#include "belfry-media-engine.h"
#include "belfry-media-enums.h"
#include "belfry-registerer.h"
#include "belfry-sip-enums.h"
#include "belfry-sip-error.h"
#include "belfry-user-agent.h"

/*
 * belfry-cli: Belfry's core with no display. It places or takes calls as
 * its options say, for scripts, interoperability tests and benchmarks,
 * and exits 0 only when every call went as asked.
 */

typedef struct {
  /* Options */
  char *listen;
  char *from;
  char *registrar;
  char *outbound_proxy;
  char *username;
  char *password_file;
  char *target;
  gboolean auto_answer;
  int answer_delay_ms;
  int reject;
  double duration;
  double hold_after;
  double resume_after;
  char *dtmf;
  double dtmf_after;
  char *play;
  char *record;
  char *codecs;
  char *srtp;
  gboolean srtp_without_tls;
  int rtp_timeout;
  gboolean no_telephone_event;
  int calls;
  int exit_after_calls;
  gboolean events;
  gboolean verbose;

  /* State */
  GMainLoop *loop;
  BelfryMediaEngine *engine;
  BelfryUserAgent *user_agent;
  BelfryRegisterer *registerer;
  char *password;
  GPtrArray *sessions;
  int calls_placed;
  int calls_ended;
  int failures;
  int exit_status;
} Cli;

/* One JSON object a line on standard output: pairs of key and string
 * value, ending with NULL; a key starting with '#' has an int value.
 * Strings may come from the network (a caller's display name, a reason
 * phrase), so each is made valid UTF-8 before it goes into the JSON. */
static void
emit_event (Cli        *cli,
            const char *event,
            ...)
{
  g_autoptr (JsonBuilder) builder = NULL;
  g_autoptr (JsonGenerator) generator = NULL;
  g_autoptr (JsonNode) root = NULL;
  g_autofree char *line = NULL;
  const char *key;
  va_list args;

  if (!cli->events)
    return;

  builder = json_builder_new ();
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "event");
  json_builder_add_string_value (builder, event);

  va_start (args, event);
  while ((key = va_arg (args, const char *)) != NULL) {
    if (key[0] == '#') {
      json_builder_set_member_name (builder, key + 1);
      json_builder_add_int_value (builder, va_arg (args, int));
    } else {
      const char *value = va_arg (args, const char *);
      g_autofree char *valid = g_utf8_make_valid (value ? value : "", -1);

      json_builder_set_member_name (builder, key);
      json_builder_add_string_value (builder, valid);
    }
  }
  va_end (args);
  json_builder_end_object (builder);

  root = json_builder_get_root (builder);
  generator = json_generator_new ();
  json_generator_set_root (generator, root);
  line = json_generator_to_data (generator, NULL);
  fputs (line, stdout);
  fputc ('\n', stdout);
  fflush (stdout);
}

static void
fail (Cli        *cli,
      const char *format,
      ...) G_GNUC_PRINTF (2, 3);

static void
fail (Cli        *cli,
      const char *format,
      ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);

  g_printerr ("belfry-cli: %s\n", message);
  emit_event (cli, "error", "message", message, NULL);
  cli->exit_status = 1;
  g_main_loop_quit (cli->loop);
}

static void place_next_call (Cli *cli);

static void
maybe_finish (Cli *cli)
{
  if (cli->target != NULL && cli->calls_ended >= cli->calls)
    g_main_loop_quit (cli->loop);
  else if (cli->target == NULL && cli->exit_after_calls > 0 && cli->calls_ended >= cli->exit_after_calls)
    g_main_loop_quit (cli->loop);
}

typedef struct {
  Cli *cli;
  BelfrySession *session;
} Step;

static Step *
step_new (Cli           *cli,
          BelfrySession *session)
{
  Step *step = g_new0 (Step, 1);

  step->cli = cli;
  step->session = g_object_ref (session);
  return step;
}

static void
step_free (gpointer data)
{
  Step *step = data;

  g_object_unref (step->session);
  g_free (step);
}

static void
hold_done_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  Cli *cli = user_data;
  g_autoptr (GError) error = NULL;

  if (!belfry_session_invite_finish (BELFRY_SESSION (object), result, &error)) {
    cli->failures++;
    emit_event (cli, "error", "session", belfry_session_get_id (BELFRY_SESSION (object)),
                "#code", (int) belfry_sip_error_get_status (error), "message", error->message, NULL);
    return;
  }
  emit_event (cli, "reinvite", "session", belfry_session_get_id (BELFRY_SESSION (object)), NULL);
}

static gboolean
hold_cb (gpointer data)
{
  Step *step = data;
  BelfrySessionInviteOptions options = { .hold = TRUE };

  if (belfry_session_get_state (step->session) == BELFRY_SESSION_STATE_ESTABLISHED)
    belfry_session_invite_async (step->session, &options, NULL, hold_done_cb, step->cli);
  return G_SOURCE_REMOVE;
}

static gboolean
resume_cb (gpointer data)
{
  Step *step = data;
  BelfrySessionInviteOptions options = { .hold = FALSE };

  if (belfry_session_get_state (step->session) == BELFRY_SESSION_STATE_ESTABLISHED)
    belfry_session_invite_async (step->session, &options, NULL, hold_done_cb, step->cli);
  return G_SOURCE_REMOVE;
}

static void
dtmf_done_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  Cli *cli = user_data;
  g_autoptr (GError) error = NULL;

  if (!belfry_session_send_dtmf_finish (BELFRY_SESSION (object), result, &error)) {
    cli->failures++;
    emit_event (cli, "error", "session", belfry_session_get_id (BELFRY_SESSION (object)),
                "message", error->message, NULL);
  }
}

static gboolean
dtmf_cb (gpointer data)
{
  Step *step = data;

  if (belfry_session_get_state (step->session) == BELFRY_SESSION_STATE_ESTABLISHED)
    belfry_session_send_dtmf_async (step->session, step->cli->dtmf, NULL, dtmf_done_cb, step->cli);
  return G_SOURCE_REMOVE;
}

static gboolean
hang_up_cb (gpointer data)
{
  Step *step = data;

  if (belfry_session_get_state (step->session) == BELFRY_SESSION_STATE_ESTABLISHED)
    belfry_session_bye_async (step->session, NULL, NULL, NULL);
  return G_SOURCE_REMOVE;
}

static void
schedule (Cli           *cli,
          BelfrySession *session,
          double         seconds,
          GSourceFunc    func)
{
  if (seconds < 0)
    return;

  g_timeout_add_full (G_PRIORITY_DEFAULT, (guint) (seconds * 1000), func,
                      step_new (cli, session), step_free);
}

static void
on_dtmf (BelfrySession *session,
         char           digit,
         Cli           *cli)
{
  char text[2] = { digit, '\0' };

  emit_event (cli, "dtmf", "session", belfry_session_get_id (session), "digit", text, NULL);
}

static void
on_state_changed (BelfrySession      *session,
                  BelfrySessionState  state,
                  Cli                *cli)
{
  g_autofree char *remote = belfry_name_addr_dup_uri (belfry_session_get_remote_identity (session));

  emit_event (cli, "state", "session", belfry_session_get_id (session),
              "state", belfry_enum_get_nick (BELFRY_TYPE_SESSION_STATE, state),
              "remote", remote, NULL);

  if (state == BELFRY_SESSION_STATE_ESTABLISHED) {
    schedule (cli, session, cli->hold_after, hold_cb);
    schedule (cli, session, cli->resume_after, resume_cb);
    if (cli->dtmf != NULL)
      schedule (cli, session, MAX (cli->dtmf_after, 0), dtmf_cb);
    schedule (cli, session, cli->duration, hang_up_cb);
  } else if (state == BELFRY_SESSION_STATE_TERMINATED) {
    cli->calls_ended++;
    g_ptr_array_remove (cli->sessions, session);
    if (cli->target != NULL && cli->calls_placed < cli->calls)
      place_next_call (cli);
    maybe_finish (cli);
  }
}

static void
track (Cli           *cli,
       BelfrySession *session)
{
  g_ptr_array_add (cli->sessions, g_object_ref (session));
  g_signal_connect (session, "state-changed", G_CALLBACK (on_state_changed), cli);
  g_signal_connect (session, "dtmf", G_CALLBACK (on_dtmf), cli);
}

static void
call_done_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  Cli *cli = user_data;
  g_autoptr (GError) error = NULL;

  if (!belfry_session_invite_finish (BELFRY_SESSION (object), result, &error)) {
    guint status = belfry_sip_error_get_status (error);

    cli->failures++;
    emit_event (cli, "error", "session", belfry_session_get_id (BELFRY_SESSION (object)),
                "#code", (int) status, "message", error->message, NULL);
    g_printerr ("belfry-cli: call failed: %s\n", error->message);
  }
}

static void
place_next_call (Cli *cli)
{
  g_autoptr (BelfryNameAddr) target = NULL;
  g_autoptr (BelfryInviter) call = NULL;
  g_autoptr (GError) error = NULL;

  target = belfry_name_addr_parse (cli->target, &error);
  if (target == NULL) {
    fail (cli, "%s", error->message);
    return;
  }

  cli->calls_placed++;
  call = belfry_inviter_new (cli->user_agent, target);
  track (cli, BELFRY_SESSION (call));
  belfry_session_invite_async (BELFRY_SESSION (call), NULL, NULL, call_done_cb, cli);
}

static void
accept_done_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  Cli *cli = user_data;
  g_autoptr (GError) error = NULL;

  if (!belfry_invitation_accept_finish (BELFRY_INVITATION (object), result, &error)) {
    cli->failures++;
    emit_event (cli, "error", "session", belfry_session_get_id (BELFRY_SESSION (object)),
                "message", error->message, NULL);
  }
}

static gboolean
answer_cb (gpointer data)
{
  Step *step = data;

  belfry_invitation_accept_async (BELFRY_INVITATION (step->session), NULL, accept_done_cb, step->cli);
  return G_SOURCE_REMOVE;
}

static void
on_invite (BelfryUserAgent  *user_agent,
           BelfryInvitation *invitation,
           Cli              *cli)
{
  BelfrySession *session = BELFRY_SESSION (invitation);
  BelfryNameAddr *remote_identity = belfry_session_get_remote_identity (session);
  g_autofree char *remote = belfry_name_addr_dup_uri (remote_identity);

  track (cli, session);
  emit_event (cli, "incoming", "session", belfry_session_get_id (session), "remote", remote,
              "display-name", belfry_name_addr_get_display_name (remote_identity), NULL);

  if (cli->reject != 0) {
    belfry_invitation_reject (invitation, (guint) cli->reject, NULL);
    return;
  }

  /* Answering at once needs no ringing first. */
  if (cli->auto_answer && cli->answer_delay_ms <= 0) {
    belfry_invitation_accept_async (invitation, NULL, accept_done_cb, cli);
    return;
  }

  belfry_invitation_progress (invitation, 180);
  if (cli->auto_answer)
    g_timeout_add_full (G_PRIORITY_DEFAULT, (guint) cli->answer_delay_ms, answer_cb,
                        step_new (cli, session), step_free);
}

static char *
password_func (BelfryUserAgent *user_agent,
               const char      *realm,
               const char      *username,
               gpointer         user_data)
{
  Cli *cli = user_data;

  return g_strdup (cli->password);
}

static void
on_registerer_state (BelfryRegisterer      *registerer,
                     GParamSpec            *pspec,
                     Cli                   *cli)
{
  BelfryRegistererState state = belfry_registerer_get_state (registerer);
  const GError *error = belfry_registerer_get_error (registerer);

  emit_event (cli, "registration",
              "state", belfry_enum_get_nick (BELFRY_TYPE_REGISTERER_STATE, state),
              "message", error ? error->message : "", NULL);
}

static void
registered_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  Cli *cli = user_data;
  g_autoptr (GError) error = NULL;

  if (!belfry_registerer_register_finish (BELFRY_REGISTERER (object), result, &error)) {
    fail (cli, "registration failed: %s", error->message);
    return;
  }

  if (cli->target != NULL)
    place_next_call (cli);
}

static void
started_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  Cli *cli = user_data;
  g_autoptr (GError) error = NULL;

  if (!belfry_user_agent_start_finish (cli->user_agent, result, &error)) {
    fail (cli, "%s", error->message);
    return;
  }

  emit_event (cli, "listening", "address", belfry_user_agent_get_listen_address (cli->user_agent),
              "#port", belfry_user_agent_get_port (cli->user_agent), NULL);

  if (cli->registrar != NULL) {
    cli->registerer = belfry_registerer_new_for_uri (cli->user_agent, cli->registrar, 600, &error);
    if (cli->registerer == NULL) {
      fail (cli, "%s", error->message);
      return;
    }
    g_signal_connect (cli->registerer, "notify::state", G_CALLBACK (on_registerer_state), cli);
    belfry_registerer_register_async (cli->registerer, NULL, registered_cb, cli);
    return;
  }

  if (cli->target != NULL)
    place_next_call (cli);
}

static gboolean
parse_listen (const char  *text,
              char       **address,
              int         *port,
              GError     **error)
{
  g_autoptr (GSocketConnectable) connectable = NULL;
  const char *first_colon = strchr (text, ':');

  /* A bare IPv6 address ("::1") names no port. */
  if (text[0] != '[' && first_colon != NULL && strchr (first_colon + 1, ':') != NULL) {
    *address = g_strdup (text);
    *port = 5060;
    return TRUE;
  }

  /* "ADDR:PORT", "[V6]:PORT" or "ADDR" */
  connectable = g_network_address_parse (text, 5060, error);
  if (connectable == NULL)
    return FALSE;

  *address = g_strdup (g_network_address_get_hostname (G_NETWORK_ADDRESS (connectable)));
  *port = g_network_address_get_port (G_NETWORK_ADDRESS (connectable));
  return TRUE;
}

int
main (int   argc,
      char *argv[])
{
  Cli cli = {
    .answer_delay_ms = 0,
    .duration = -1,
    .hold_after = -1,
    .resume_after = -1,
    .dtmf_after = -1,
    .rtp_timeout = -1,
    .calls = 1,
  };
  g_autoptr (GOptionContext) context = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (BelfryNameAddr) identity = NULL;
  g_autofree char *listen_address = NULL;
  int listen_port = 5060;
  g_auto (GStrv) positional = NULL;
  GOptionEntry entries[] = {
    { "listen", 0, 0, G_OPTION_ARG_STRING, &cli.listen, "Listen on ADDR:PORT, UDP and TCP (default 0.0.0.0:5060; port 0 for any)", "ADDR:PORT" },
    { "from", 0, 0, G_OPTION_ARG_STRING, &cli.from, "Our identity, the From of our requests", "URI" },
    { "registrar", 0, 0, G_OPTION_ARG_STRING, &cli.registrar, "Register with this registrar first", "URI" },
    { "outbound-proxy", 0, 0, G_OPTION_ARG_STRING, &cli.outbound_proxy, "Send every request outside a call through this proxy", "URI" },
    { "username", 0, 0, G_OPTION_ARG_STRING, &cli.username, "User name for digest authentication", "NAME" },
    { "password-file", 0, 0, G_OPTION_ARG_FILENAME, &cli.password_file, "Read the password from FILE (its first line)", "FILE" },
    { "auto-answer", 0, 0, G_OPTION_ARG_NONE, &cli.auto_answer, "Answer incoming calls", NULL },
    { "answer-delay", 0, 0, G_OPTION_ARG_INT, &cli.answer_delay_ms, "Ring this long before answering", "MS" },
    { "reject", 0, 0, G_OPTION_ARG_INT, &cli.reject, "Refuse incoming calls with this status (300 to 699)", "CODE" },
    { "duration", 0, 0, G_OPTION_ARG_DOUBLE, &cli.duration, "Hang up S seconds after the call is established", "S" },
    { "hold-after", 0, 0, G_OPTION_ARG_DOUBLE, &cli.hold_after, "Put the call on hold S seconds after it is established", "S" },
    { "resume-after", 0, 0, G_OPTION_ARG_DOUBLE, &cli.resume_after, "Resume the call S seconds after it is established", "S" },
    { "dtmf", 0, 0, G_OPTION_ARG_STRING, &cli.dtmf, "Send these DTMF digits", "DIGITS" },
    { "dtmf-after", 0, 0, G_OPTION_ARG_DOUBLE, &cli.dtmf_after, "Send the digits S seconds after the call is established", "S" },
    { "play", 0, 0, G_OPTION_ARG_FILENAME, &cli.play, "Send this WAV file instead of the microphone", "WAV" },
    { "record", 0, 0, G_OPTION_ARG_FILENAME, &cli.record, "Record what the peer sends into this WAV file", "WAV" },
    { "codecs", 0, 0, G_OPTION_ARG_STRING, &cli.codecs, "Codecs in order of preference, such as opus,PCMU", "LIST" },
    { "srtp", 0, 0, G_OPTION_ARG_STRING, &cli.srtp, "Encrypt audio with SRTP (SDES): off, optional or mandatory", "MODE" },
    { "allow-srtp-without-tls", 0, 0, G_OPTION_ARG_NONE, &cli.srtp_without_tls, "Send SRTP keys over signaling that is not TLS", NULL },
    { "rtp-timeout", 0, 0, G_OPTION_ARG_INT, &cli.rtp_timeout, "End a call after S seconds without audio from the peer (0: never; default 30)", "S" },
    { "no-telephone-event", 0, 0, G_OPTION_ARG_NONE, &cli.no_telephone_event, "Send DTMF by SIP INFO instead of RFC 4733", NULL },
    { "calls", 0, 0, G_OPTION_ARG_INT, &cli.calls, "As caller, place N calls one after another", "N" },
    { "exit-after-calls", 0, 0, G_OPTION_ARG_INT, &cli.exit_after_calls, "As callee, exit after N calls ended", "N" },
    { "events", 0, 0, G_OPTION_ARG_NONE, &cli.events, "Print one JSON object a line for every event", NULL },
    { "verbose", 'v', 0, G_OPTION_ARG_NONE, &cli.verbose, "Log what happens, SIP included", NULL },
    { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_STRING_ARRAY, &positional, NULL, "[TARGET-URI]" },
    { NULL }
  };

  setlocale (LC_ALL, "");

  context = g_option_context_new ("— place or take SIP calls without a display");
  g_option_context_add_main_entries (context, entries, NULL);
  g_option_context_set_description (context,
    "With TARGET-URI, belfry-cli calls it (--calls times); without, it waits\n"
    "for calls and answers them as --auto-answer or --reject say.\n"
    "Exit status: 0 when every call went as asked, 1 otherwise, 2 for bad options.");
  if (!g_option_context_parse (context, &argc, &argv, &error)) {
    g_printerr ("belfry-cli: %s\n", error->message);
    cli.exit_status = 2;
    goto out;
  }

  if (positional != NULL && positional[0] != NULL && positional[1] != NULL) {
    g_printerr ("belfry-cli: only one TARGET-URI can be called\n");
    cli.exit_status = 2;
    goto out;
  }
  cli.target = positional ? g_strdup (positional[0]) : NULL;

  /* Standard output carries the --events lines and nothing else, so that
   * a script can read them as JSON; GLib would print debug and info log
   * lines there. */
  g_log_writer_default_set_use_stderr (TRUE);
  if (cli.verbose)
    g_log_set_debug_enabled (TRUE);

  if (cli.reject != 0 && (cli.reject < 300 || cli.reject > 699)) {
    g_printerr ("belfry-cli: --reject takes a status from 300 to 699\n");
    cli.exit_status = 2;
    goto out;
  }

  if (cli.calls < 1) {
    g_printerr ("belfry-cli: --calls takes a number from 1\n");
    cli.exit_status = 2;
    goto out;
  }

  if (!parse_listen (cli.listen ? cli.listen : "0.0.0.0:5060", &listen_address, &listen_port, &error)) {
    g_printerr ("belfry-cli: bad --listen: %s\n", error->message);
    cli.exit_status = 2;
    goto out;
  }

  if (cli.target != NULL) {
    g_autoptr (BelfryNameAddr) check = belfry_name_addr_parse (cli.target, &error);

    if (check == NULL) {
      g_printerr ("belfry-cli: %s\n", error->message);
      cli.exit_status = 2;
      goto out;
    }
  }

  if (cli.from != NULL) {
    identity = belfry_name_addr_parse (cli.from, &error);
    if (identity == NULL) {
      g_printerr ("belfry-cli: bad --from: %s\n", error->message);
      cli.exit_status = 2;
      goto out;
    }
  }

  if (cli.outbound_proxy != NULL && !belfry_user_agent_check_outbound_proxy (cli.outbound_proxy, &error)) {
    g_printerr ("belfry-cli: bad --outbound-proxy: %s\n", error->message);
    cli.exit_status = 2;
    goto out;
  }

  if (cli.password_file != NULL) {
    g_autofree char *contents = NULL;

    if (!g_file_get_contents (cli.password_file, &contents, NULL, &error)) {
      g_printerr ("belfry-cli: %s\n", error->message);
      cli.exit_status = 2;
      goto out;
    }
    cli.password = g_strndup (contents, strcspn (contents, "\r\n"));
    explicit_bzero (contents, strlen (contents));
  }

  cli.loop = g_main_loop_new (NULL, FALSE);
  cli.sessions = g_ptr_array_new_with_free_func (g_object_unref);

  cli.engine = belfry_media_engine_new ();
  if (cli.codecs != NULL) {
    g_auto (GStrv) codecs = g_strsplit (cli.codecs, ",", -1);

    belfry_media_engine_set_codecs (cli.engine, (const char * const *) codecs);
  }
  if (g_strcmp0 (listen_address, "0.0.0.0") != 0 && g_strcmp0 (listen_address, "::") != 0)
    belfry_media_engine_set_bind_address (cli.engine, listen_address);
  belfry_media_engine_set_play_file (cli.engine, cli.play);
  belfry_media_engine_set_allow_srtp_without_tls (cli.engine, cli.srtp_without_tls);
  belfry_media_engine_set_telephone_event (cli.engine, !cli.no_telephone_event);
  if (cli.rtp_timeout >= 0)
    belfry_media_engine_set_rtp_timeout (cli.engine, (guint) cli.rtp_timeout);
  if (cli.srtp != NULL) {
    int mode;

    if (!belfry_enum_from_nick (BELFRY_TYPE_MEDIA_SRTP, cli.srtp, &mode)) {
      g_printerr ("belfry-cli: --srtp takes off, optional or mandatory\n");
      cli.exit_status = 2;
      goto out;
    }
    belfry_media_engine_set_srtp (cli.engine, mode);
  }
  belfry_media_engine_set_record_file (cli.engine, cli.record);

  cli.user_agent = belfry_user_agent_new (identity, listen_address, listen_port,
                                          BELFRY_SESSION_DESCRIPTION_HANDLER_FACTORY (cli.engine));
  if (cli.username != NULL)
    belfry_user_agent_set_username (cli.user_agent, cli.username);
  belfry_user_agent_set_outbound_proxy (cli.user_agent, cli.outbound_proxy);
  if (cli.password != NULL)
    belfry_user_agent_set_password_func (cli.user_agent, password_func, &cli, NULL);
  g_signal_connect (cli.user_agent, "invite", G_CALLBACK (on_invite), &cli);

  belfry_user_agent_start_async (cli.user_agent, NULL, started_cb, &cli);
  g_main_loop_run (cli.loop);

  if (cli.exit_status == 0 && cli.failures > 0) {
    g_printerr ("belfry-cli: %d of %d calls failed\n", cli.failures, MAX (cli.calls_placed, cli.calls_ended));
    cli.exit_status = 1;
  }

out:
  g_clear_pointer (&cli.sessions, g_ptr_array_unref);
  g_clear_object (&cli.registerer);
  g_clear_object (&cli.user_agent);
  g_clear_object (&cli.engine);
  g_clear_pointer (&cli.loop, g_main_loop_unref);
  if (cli.password != NULL)
    explicit_bzero (cli.password, strlen (cli.password));
  g_free (cli.password);
  g_free (cli.listen);
  g_free (cli.from);
  g_free (cli.registrar);
  g_free (cli.outbound_proxy);
  g_free (cli.username);
  g_free (cli.password_file);
  g_free (cli.target);
  g_free (cli.dtmf);
  g_free (cli.play);
  g_free (cli.record);
  g_free (cli.codecs);
  g_free (cli.srtp);

  return cli.exit_status;
}
