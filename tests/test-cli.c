/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <gio/gio.h>
#include <json-glib/json-glib.h>
#include <signal.h>
#include <string.h>

#include "belfry-kamailio.h"
#include "belfry-sipp.h"
#include "belfry-test-env.h"
#include "media/belfry-tone.h"

/* belfry-cli as scripts use it: two processes calling each other on
 * loopback, read through their --events lines and exit statuses. */

typedef struct {
  GSubprocess *process;
  GString *events;
  GString *errors;
  gboolean exited;
  int pending_reads;
} Cli;

static void read_more (Cli *cli, GInputStream *stream, GString *into);

typedef struct {
  Cli *cli;
  GString *into;
} ReadData;

static void
read_cb (GObject      *stream,
         GAsyncResult *result,
         gpointer      user_data)
{
  ReadData *data = user_data;
  g_autoptr (GBytes) bytes = g_input_stream_read_bytes_finish (G_INPUT_STREAM (stream), result, NULL);

  if (bytes == NULL || g_bytes_get_size (bytes) == 0) {
    data->cli->pending_reads--;
    g_free (data);
    return;
  }

  g_string_append_len (data->into, g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
  read_more (data->cli, G_INPUT_STREAM (stream), data->into);
  g_free (data);
}

static void
read_more (Cli          *cli,
           GInputStream *stream,
           GString      *into)
{
  ReadData *data = g_new0 (ReadData, 1);

  data->cli = cli;
  data->into = into;
  g_input_stream_read_bytes_async (stream, 4096, G_PRIORITY_DEFAULT, NULL, read_cb, data);
}

static void
wait_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  Cli *cli = user_data;

  g_subprocess_wait_finish (G_SUBPROCESS (object), result, NULL);
  cli->exited = TRUE;
}

/* Runs @argv with its output read into the returned Cli; with @all_logs,
 * every GLib log domain is on, as people are asked to run it for a bug
 * report. */
static Cli *
cli_spawn (const char * const *argv,
           gboolean            all_logs)
{
  g_autoptr (GSubprocessLauncher) launcher = NULL;
  g_autoptr (GError) error = NULL;
  Cli *cli = g_new0 (Cli, 1);

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                        G_SUBPROCESS_FLAGS_STDERR_PIPE);
  if (all_logs)
    g_subprocess_launcher_setenv (launcher, "G_MESSAGES_DEBUG", "all", TRUE);

  cli->events = g_string_new (NULL);
  cli->errors = g_string_new (NULL);
  cli->process = g_subprocess_launcher_spawnv (launcher, argv, &error);
  g_assert_no_error (error);
  cli->pending_reads = 2;
  read_more (cli, g_subprocess_get_stdout_pipe (cli->process), cli->events);
  read_more (cli, g_subprocess_get_stderr_pipe (cli->process), cli->errors);
  g_subprocess_wait_async (cli->process, NULL, wait_cb, cli);
  return cli;
}

/* belfry-cli with @args (NULL-terminated). */
static Cli *
cli_startv (const char * const *args,
            gboolean            all_logs)
{
  g_autoptr (GPtrArray) argv = g_ptr_array_new ();
  g_autofree char *program = g_test_build_filename (G_TEST_BUILT, "..", "app", "cli", "belfry-cli", NULL);

  g_ptr_array_add (argv, program);
  for (gsize i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (gpointer) args[i]);
  g_ptr_array_add (argv, NULL);

  return cli_spawn ((const char * const *) argv->pdata, all_logs);
}

static Cli *
cli_start (const char *first,
           ...)
{
  g_autoptr (GPtrArray) args = g_ptr_array_new ();
  va_list ap;

  va_start (ap, first);
  for (const char *arg = first; arg != NULL; arg = va_arg (ap, const char *))
    g_ptr_array_add (args, (gpointer) arg);
  va_end (ap);
  g_ptr_array_add (args, NULL);

  return cli_startv ((const char * const *) args->pdata, FALSE);
}

static gboolean
cli_done (gpointer data)
{
  Cli *cli = data;

  return cli->exited && cli->pending_reads == 0;
}

/* Every line that --events wrote is a JSON object in valid UTF-8, read
 * with json-glib as a script would read it. */
static void
assert_events_are_json (Cli *cli)
{
  g_auto (GStrv) lines = g_strsplit (cli->events->str, "\n", -1);

  for (guint i = 0; lines[i] != NULL; i++) {
    g_autoptr (JsonParser) parser = json_parser_new ();
    g_autoptr (GError) error = NULL;

    if (lines[i][0] == '\0')
      continue;
    g_assert_true (g_utf8_validate (lines[i], -1, NULL));
    json_parser_load_from_data (parser, lines[i], -1, &error);
    g_assert_no_error (error);
    g_assert_true (JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)));
  }
}

/* The first event named @name, or NULL. */
static JsonObject *
find_event (Cli        *cli,
            const char *name)
{
  g_auto (GStrv) lines = g_strsplit (cli->events->str, "\n", -1);

  for (guint i = 0; lines[i] != NULL; i++) {
    g_autoptr (JsonParser) parser = json_parser_new ();
    JsonObject *object;

    if (!json_parser_load_from_data (parser, lines[i], -1, NULL))
      continue;
    object = json_node_get_object (json_parser_get_root (parser));
    if (g_strcmp0 (json_object_get_string_member_with_default (object, "event", NULL), name) == 0)
      return json_object_ref (object);
  }
  return NULL;
}

/* Waits for the process to end and returns its exit status. */
static int
cli_wait (Cli   *cli,
          guint  timeout_ms)
{
  if (!belfry_test_wait_until (cli_done, cli, timeout_ms)) {
    g_subprocess_force_exit (cli->process);
    belfry_test_wait_until (cli_done, cli, 5000);
    g_test_message ("belfry-cli did not finish; stderr:\n%s\nevents:\n%s", cli->errors->str, cli->events->str);
    return -1;
  }

  g_test_message ("events:\n%s", cli->events->str);
  if (cli->errors->len > 0)
    g_test_message ("stderr:\n%s", cli->errors->str);
  assert_events_are_json (cli);
  return g_subprocess_get_if_exited (cli->process) ? g_subprocess_get_exit_status (cli->process) : -1;
}

static void
cli_free (Cli *cli)
{
  if (!cli->exited) {
    g_subprocess_force_exit (cli->process);
    belfry_test_wait_until (cli_done, cli, 5000);
  }
  g_object_unref (cli->process);
  g_string_free (cli->events, TRUE);
  g_string_free (cli->errors, TRUE);
  g_free (cli);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Cli, cli_free)

static gboolean
has_event (Cli        *cli,
           const char *fragment)
{
  return strstr (cli->events->str, fragment) != NULL;
}

typedef struct {
  Cli *cli;
  const char *fragment;
} EventWait;

static gboolean
event_seen (gpointer data)
{
  EventWait *wait = data;

  return has_event (wait->cli, wait->fragment);
}

/* Waits, with a bound, for @cli to write @fragment on its --events output. */
static void
wait_for_event (Cli        *cli,
                const char *fragment,
                guint       timeout_ms)
{
  EventWait wait = { cli, fragment };

  g_assert_true (belfry_test_wait_until (event_seen, &wait, timeout_ms));
}

static void
test_call_between_two (void)
{
  int port = belfry_test_free_port ("127.0.0.1");
  g_autofree char *listen = g_strdup_printf ("127.0.0.1:%d", port);
  g_autofree char *target = g_strdup_printf ("sip:callee@127.0.0.1:%d", port);
  g_autoptr (Cli) callee = NULL;
  g_autoptr (Cli) caller = NULL;

  callee = cli_start ("--listen", listen, "--from", "sip:callee@127.0.0.1", "--auto-answer",
                      "--answer-delay", "100", "--exit-after-calls", "1", "--events", NULL);
  wait_for_event (callee, "\"event\":\"listening\"", 10000);

  caller = cli_start ("--listen", "127.0.0.1:0", "--from", "\"Caller\" <sip:caller@127.0.0.1>",
                      "--duration", "2", "--hold-after", "0.3", "--resume-after", "0.8",
                      "--dtmf", "12#", "--dtmf-after", "1.2", "--events", target, NULL);

  g_assert_cmpint (cli_wait (caller, 20000), ==, 0);
  g_assert_cmpint (cli_wait (callee, 10000), ==, 0);

  g_assert_true (has_event (caller, "\"state\":\"establishing\""));
  g_assert_true (has_event (caller, "\"state\":\"established\""));
  g_assert_true (has_event (caller, "\"state\":\"terminated\""));
  /* Hold and resume both answered. */
  g_assert_nonnull (strstr (strstr (caller->events->str, "\"event\":\"reinvite\"") + 1, "\"event\":\"reinvite\""));
  g_assert_true (has_event (callee, "\"event\":\"incoming\""));
  g_assert_true (has_event (callee, "\"remote\":\"sip:caller@127.0.0.1\""));
  g_assert_true (has_event (callee, "\"state\":\"established\""));
  g_assert_true (has_event (callee, "\"digit\":\"1\""));
  g_assert_true (has_event (callee, "\"digit\":\"2\""));
  g_assert_true (has_event (callee, "\"digit\":\"#\""));
  g_assert_true (has_event (callee, "\"state\":\"terminated\""));
  g_assert_false (has_event (caller, "\"event\":\"error\""));
}

static void
test_rejected (void)
{
  int port = belfry_test_free_port ("127.0.0.1");
  g_autofree char *listen = g_strdup_printf ("127.0.0.1:%d", port);
  g_autofree char *target = g_strdup_printf ("sip:callee@127.0.0.1:%d;transport=tcp", port);
  g_autoptr (Cli) callee = NULL;
  g_autoptr (Cli) caller = NULL;

  callee = cli_start ("--listen", listen, "--reject", "486", "--exit-after-calls", "1", "--events", NULL);
  wait_for_event (callee, "\"event\":\"listening\"", 10000);

  caller = cli_start ("--listen", "127.0.0.1:0", "--events", target, NULL);
  g_assert_cmpint (cli_wait (caller, 20000), ==, 1);
  g_assert_cmpint (cli_wait (callee, 10000), ==, 0);
  g_assert_true (has_event (caller, "\"code\":486"));
  g_assert_nonnull (strstr (caller->errors->str, "486"));
}

/* A display name comes from the network in whatever bytes the caller
 * sent: here Latin-1 and a stray byte, which are not UTF-8. The --events
 * line stays valid JSON and UTF-8, the bad bytes replaced. */
static void
test_display_name_not_utf8 (void)
{
  int port = belfry_test_free_port ("127.0.0.1");
  g_autofree char *listen = g_strdup_printf ("127.0.0.1:%d", port);
  g_autofree char *remote = g_strdup_printf ("127.0.0.1:%d", port);
  const char *sipp_args[] = { "-key", "display", "Caf\xe9 \xff", NULL };
  g_autoptr (Cli) callee = NULL;
  g_autoptr (BelfrySipp) sipp = NULL;
  g_autoptr (JsonObject) incoming = NULL;

  callee = cli_start ("--listen", listen, "--reject", "486", "--exit-after-calls", "1", "--events", NULL);
  wait_for_event (callee, "\"event\":\"listening\"", 10000);

  sipp = belfry_sipp_start ("uac-busy-display-name.xml", "u1", "127.0.0.1", belfry_test_free_port ("127.0.0.1"),
                            remote, sipp_args);
  g_assert_cmpint (belfry_sipp_wait (sipp, 20000), ==, 0);
  g_assert_cmpint (cli_wait (callee, 10000), ==, 0);

  incoming = find_event (callee, "incoming");
  g_assert_nonnull (incoming);
  g_assert_cmpstr (json_object_get_string_member (incoming, "display-name"), ==, "Caf\uFFFD \uFFFD");
}

static void
test_bad_uri (void)
{
  g_autoptr (Cli) cli = cli_start ("--listen", "127.0.0.1:0", "not a uri", NULL);

  g_assert_cmpint (cli_wait (cli, 10000), ==, 2);
  g_assert_nonnull (strstr (cli->errors->str, "not a SIP address"));
}

/* --srtp takes the nicks of the media layer's SRTP modes, and nothing else. */
static void
test_bad_srtp (void)
{
  g_autoptr (Cli) cli = cli_start ("--listen", "127.0.0.1:0", "--srtp", "sometimes", "sip:bob@127.0.0.1:9",
                                   NULL);

  g_assert_cmpint (cli_wait (cli, 10000), ==, 2);
  g_assert_nonnull (strstr (cli->errors->str, "--srtp takes off, optional or mandatory"));
}

static void
test_bad_outbound_proxy (void)
{
  g_autoptr (Cli) cli = cli_start ("--listen", "127.0.0.1:0", "--outbound-proxy", "sip:<nowhere>",
                                   "sip:bob@127.0.0.1:9", NULL);

  g_assert_cmpint (cli_wait (cli, 10000), ==, 2);
  g_assert_nonnull (strstr (cli->errors->str, "outbound proxy"));
}

/* sipp plays the proxy: the INVITE comes to it with a Route to it and the
 * callee as Request-URI (sipp checks both), and is answered. */
static void
test_outbound_proxy (void)
{
  int port = belfry_test_free_port ("127.0.0.1");
  g_autoptr (BelfrySipp) sipp = belfry_sipp_start ("uas-proxy.xml", "u1", "127.0.0.1", port, NULL, NULL);
  g_autofree char *proxy = g_strdup_printf ("sip:127.0.0.1:%d", port);
  g_autoptr (Cli) cli = cli_start ("--listen", "127.0.0.1:0", "--from", "sip:alice@example.invalid",
                                   "--outbound-proxy", proxy, "--duration", "0.2",
                                   "sip:bob@example.invalid", NULL);

  g_assert_cmpint (cli_wait (cli, 20000), ==, 0);
  g_assert_cmpint (belfry_sipp_wait (sipp, 10000), ==, 0);
}

static void
test_port_taken (void)
{
  int port = belfry_test_free_port ("127.0.0.1");
  g_autofree char *listen = g_strdup_printf ("127.0.0.1:%d", port);
  g_autoptr (Cli) first = cli_start ("--listen", listen, "--events", NULL);
  g_autoptr (Cli) second = NULL;

  wait_for_event (first, "\"event\":\"listening\"", 10000);
  second = cli_start ("--listen", listen, NULL);
  g_assert_cmpint (cli_wait (second, 10000), ==, 1);
  g_assert_nonnull (strstr (second->errors->str, "already in use"));
  /* One clear line. */
  g_assert_cmpuint (strlen (second->errors->str), ==, strcspn (second->errors->str, "\n") + 1);
}

static char *
write_password (const char *password)
{
  g_autoptr (GError) error = NULL;
  char *path = g_build_filename (g_get_home_dir (), "password", NULL);

  g_assert_true (g_file_set_contents (path, password, -1, &error));
  return path;
}

/* @user registers with @kamailio (digest, its password s3cret) to take one
 * call, answering it when @answer; returns once the registration holds. */
static Cli *
start_registered_callee (BelfryKamailio *kamailio,
                         const char     *user,
                         gboolean        answer)
{
  g_autofree char *registrar = g_strdup_printf ("sip:127.0.0.1:%d", belfry_kamailio_get_port (kamailio));
  g_autofree char *from = g_strdup_printf ("sip:%s@127.0.0.1", user);
  g_autofree char *password_file = write_password ("s3cret\n");
  Cli *callee = cli_start ("--listen", "127.0.0.1:0", "--from", from, "--registrar", registrar,
                           "--username", user, "--password-file", password_file, "--exit-after-calls", "1",
                           "--events", answer ? "--auto-answer" : NULL, NULL);

  wait_for_event (callee, "\"state\":\"registered\"", 15000);
  return callee;
}

static void
test_registered_call (void)
{
  BelfryKamailioOptions options = { .password = "s3cret" };
  g_autoptr (GError) error = NULL;
  BelfryKamailio *kamailio = belfry_kamailio_start (0, &options, &error);
  g_autofree char *target = NULL;
  g_autoptr (Cli) callee = NULL;
  g_autoptr (Cli) caller = NULL;

  g_assert_no_error (error);
  target = g_strdup_printf ("sip:bob@127.0.0.1:%d", belfry_kamailio_get_port (kamailio));

  /* bob registers with Kamailio (digest), alice calls bob through it. */
  callee = start_registered_callee (kamailio, "bob", TRUE);

  caller = cli_start ("--listen", "127.0.0.1:0", "--from", "sip:alice@127.0.0.1", "--duration", "0.5",
                      "--events", target, NULL);
  g_assert_cmpint (cli_wait (caller, 20000), ==, 0);
  g_assert_cmpint (cli_wait (callee, 20000), ==, 0);
  g_assert_true (has_event (caller, "\"state\":\"established\""));
  g_assert_true (has_event (callee, "\"state\":\"established\""));
  /* The password never shows. */
  g_assert_null (strstr (callee->events->str, "s3cret"));
  g_assert_null (strstr (callee->errors->str, "s3cret"));
  belfry_kamailio_stop (kamailio);
}

static void
test_wrong_password (void)
{
  BelfryKamailioOptions options = { .password = "s3cret" };
  g_autoptr (GError) error = NULL;
  BelfryKamailio *kamailio = belfry_kamailio_start (0, &options, &error);
  g_autofree char *registrar = NULL;
  g_autofree char *password_file = write_password ("wrong\n");
  g_autoptr (Cli) cli = NULL;

  g_assert_no_error (error);
  registrar = g_strdup_printf ("sip:127.0.0.1:%d", belfry_kamailio_get_port (kamailio));
  cli = cli_start ("--listen", "127.0.0.1:0", "--from", "sip:bob@127.0.0.1", "--registrar", registrar,
                   "--username", "bob", "--password-file", password_file, "--events", NULL);
  g_assert_cmpint (cli_wait (cli, 20000), ==, 1);
  g_assert_nonnull (strstr (cli->errors->str, "registration failed"));
  g_assert_nonnull (strstr (cli->errors->str, "password"));
  g_assert_null (strstr (cli->errors->str, "wrong"));
  belfry_kamailio_stop (kamailio);
}

/* A caller who gives up while a registered callee rings, with Kamailio in
 * between: Kamailio answers the CANCEL, relays it with its own Via, and the
 * callee must match it to the INVITE it rings for and end that with 487,
 * which sipp checks. */
static void
test_cancelled_through_proxy (void)
{
  BelfryKamailioOptions options = { .password = "s3cret" };
  g_autoptr (GError) error = NULL;
  BelfryKamailio *kamailio = belfry_kamailio_start (0, &options, &error);
  g_autofree char *proxy = NULL;
  g_autoptr (Cli) callee = NULL;
  g_autoptr (BelfrySipp) caller = NULL;

  g_assert_no_error (error);
  callee = start_registered_callee (kamailio, "belfry", FALSE);

  /* sipp calls sip:belfry@ Kamailio, waits for the 180, cancels. */
  proxy = g_strdup_printf ("127.0.0.1:%d", belfry_kamailio_get_port (kamailio));
  caller = belfry_sipp_start ("uac-cancel-proxy.xml", "u1", "127.0.0.1", belfry_test_free_port ("127.0.0.1"), proxy,
                              NULL);
  g_assert_cmpint (belfry_sipp_wait (caller, 20000), ==, 0);
  g_assert_cmpint (cli_wait (callee, 20000), ==, 0);
  g_assert_true (has_event (callee, "\"event\":\"incoming\""));
  g_assert_true (has_event (callee, "\"state\":\"terminated\""));
  g_assert_false (has_event (callee, "\"state\":\"established\""));
  belfry_kamailio_stop (kamailio);
}

/* ---- Logs that are safe to attach to a bug report ---- */

static gboolean
capturing_or_exited (gpointer data)
{
  Cli *capture = data;

  return capture->exited || strstr (capture->errors->str, "Capturing on") != NULL;
}

/* tshark prints the payload of every packet that passes @port on loopback,
 * one line each, as it sees them; this returns once it captures, so that
 * nothing sent afterwards is missed. Capturing needs root or the
 * wireshark group: without either, it returns NULL. */
static Cli *
capture_start (int port)
{
  g_autofree char *filter = g_strdup_printf ("port %d", port);
  const char *argv[] = { "tshark", "-l", "-i", "lo", "-f", filter, "-T", "fields",
                         "-e", "udp.payload", "-e", "tcp.payload", NULL };
  g_autofree char *program = g_find_program_in_path ("tshark");
  g_autoptr (Cli) capture = NULL;

  if (program == NULL)
    return NULL;
  capture = cli_spawn (argv, FALSE);
  g_assert_true (belfry_test_wait_until (capturing_or_exited, capture, 20000));
  if (capture->exited) {
    g_test_message ("tshark cannot capture: %s", capture->errors->str);
    return NULL;
  }
  return g_steal_pointer (&capture);
}

/* The payloads captured so far as text: tshark prints them as hexadecimal
 * digits, with or without colons. */
static char *
capture_text (Cli *capture)
{
  const char *hex = capture->events->str;
  GString *text = g_string_new (NULL);

  for (gsize i = 0; hex[i] != '\0'; i++) {
    if (g_ascii_isxdigit (hex[i]) && g_ascii_isxdigit (hex[i + 1])) {
      int byte = g_ascii_xdigit_value (hex[i]) * 16 + g_ascii_xdigit_value (hex[i + 1]);

      g_string_append_c (text, (char) byte);
      i++;
    } else if (hex[i] == '\n') {
      g_string_append_c (text, '\n');
    }
  }
  return g_string_free (text, FALSE);
}

static gboolean
capture_has_ready (gpointer data)
{
  g_autofree char *text = capture_text (data);

  return strstr (text, "SIP/2.0 200 Ready") != NULL;
}

/* Stops the capture once it holds everything sent to @kamailio so far,
 * and returns its text. Kamailio's answer to an OPTIONS comes after what it
 * received before, so the capture is complete when that answer is in it. */
static char *
capture_finish (Cli            *capture,
                BelfryKamailio *kamailio)
{
  g_assert_true (belfry_kamailio_ping (kamailio, 5000));
  g_assert_true (belfry_test_wait_until (capture_has_ready, capture, 10000));
  g_subprocess_send_signal (capture->process, SIGINT);
  g_assert_true (belfry_test_wait_until (cli_done, capture, 15000));
  return capture_text (capture);
}

/* Adds to @into each distinct first group of @pattern in @text. */
static void
collect (GPtrArray  *into,
         const char *text,
         const char *pattern)
{
  g_autoptr (GRegex) regex = g_regex_new (pattern, 0, 0, NULL);
  g_autoptr (GMatchInfo) match = NULL;

  g_regex_match (regex, text, 0, &match);
  while (g_match_info_matches (match)) {
    char *value = g_match_info_fetch (match, 1);

    if (g_ptr_array_find_with_equal_func (into, value, g_str_equal, NULL))
      g_free (value);
    else
      g_ptr_array_add (into, value);
    g_match_info_next (match, NULL);
  }
}

/* Counts the places where @secret shows in what @cli printed, saying for
 * each which line it is in. */
static guint
count_leaks (Cli        *cli,
             const char *who,
             const char *what,
             const char *secret)
{
  GString *outputs[] = { cli->events, cli->errors };
  guint leaks = 0;

  for (gsize i = 0; i < G_N_ELEMENTS (outputs); i++) {
    const char *text = outputs[i]->str;

    for (const char *at = strstr (text, secret); at != NULL; at = strstr (at + 1, secret)) {
      const char *start = at;
      g_autofree char *line = NULL;

      while (start > text && start[-1] != '\n')
        start--;
      line = g_strndup (start, strcspn (start, "\n"));
      g_test_message ("%s's log carries %s: %s", who, what, line);
      leaks++;
    }
  }
  return leaks;
}

static gboolean
cli_printed (Cli        *cli,
             const char *fragment)
{
  return strstr (cli->events->str, fragment) != NULL || strstr (cli->errors->str, fragment) != NULL;
}

/* Both sides register with digest authentication and talk over SRTP through
 * Kamailio, logging everything. The keys and digest responses that crossed
 * the wire are read from a capture; neither they nor the password nor the
 * digest's HA1 may show in any log line, while the SIP messages still do. */
static void
test_logs_keep_secrets (void)
{
  const char *password = "Kq7-belfry-pa55word";
  const char *users[] = { "alice", "bob" };
  BelfryKamailioOptions options = { .password = password };
  g_autoptr (GError) error = NULL;
  BelfryKamailio *kamailio = belfry_kamailio_start (0, &options, &error);
  g_autofree char *registrar = NULL;
  g_autofree char *target = NULL;
  g_autofree char *password_file = NULL;
  g_autofree char *line = NULL;
  g_autofree char *tone = g_build_filename (g_get_home_dir (), "tone.wav", NULL);
  g_autofree char *heard = g_build_filename (g_get_home_dir (), "heard.wav", NULL);
  g_autofree char *wire = NULL;
  g_autofree char *report = NULL;
  g_autoptr (GPtrArray) keys = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GPtrArray) responses = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GPtrArray) realms = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (BelfryWav) wav = NULL;
  g_autoptr (Cli) capture = NULL;
  g_autoptr (Cli) callee = NULL;
  g_autoptr (Cli) caller = NULL;
  const char * const *callee_args;
  const char * const *caller_args;
  Cli *both[2];
  EventWait wait;
  gboolean heard_tone;
  guint leaks = 0;

  g_assert_no_error (error);
  registrar = g_strdup_printf ("sip:127.0.0.1:%d", belfry_kamailio_get_port (kamailio));
  target = g_strdup_printf ("sip:bob@127.0.0.1:%d", belfry_kamailio_get_port (kamailio));
  line = g_strconcat (password, "\n", NULL);
  password_file = write_password (line);
  g_assert_true (belfry_tone_write_wav (tone, 8000, 1000.0, 4.0, 8000.0, &error));
  g_assert_no_error (error);
  capture = capture_start (belfry_kamailio_get_port (kamailio));
  if (capture == NULL) {
    belfry_kamailio_stop (kamailio);
    g_test_skip ("tshark cannot capture on lo here (it needs root or the wireshark group)");
    return;
  }

  callee_args = (const char *[]) {
    "--verbose", "--listen", "127.0.0.1:0", "--from", "sip:bob@127.0.0.1", "--registrar", registrar,
    "--username", "bob", "--password-file", password_file, "--srtp", "mandatory",
    "--allow-srtp-without-tls", "--auto-answer", "--record", heard, "--exit-after-calls", "1",
    "--events", NULL
  };
  callee = cli_startv (callee_args, TRUE);
  wait = (EventWait) { callee, "\"state\":\"registered\"" };
  g_assert_true (belfry_test_wait_until (event_seen, &wait, 15000));

  caller_args = (const char *[]) {
    "--verbose", "--listen", "127.0.0.1:0", "--from", "sip:alice@127.0.0.1", "--registrar", registrar,
    "--username", "alice", "--password-file", password_file, "--srtp", "mandatory",
    "--allow-srtp-without-tls", "--play", tone, "--duration", "2", "--events", target, NULL
  };
  caller = cli_startv (caller_args, TRUE);
  g_assert_cmpint (cli_wait (caller, 30000), ==, 0);
  g_assert_cmpint (cli_wait (callee, 20000), ==, 0);
  g_assert_true (has_event (caller, "\"state\":\"registered\""));
  g_assert_true (has_event (caller, "\"state\":\"established\""));
  g_assert_true (has_event (callee, "\"state\":\"established\""));
  g_assert_true (has_event (caller, "\"state\":\"terminated\""));
  g_assert_true (has_event (callee, "\"state\":\"terminated\""));

  /* The audio really went through SRTP: the callee heard the tone. */
  wav = belfry_wav_read (heard, &error);
  g_assert_no_error (error);
  heard_tone = belfry_tone_check (wav, 1000.0, 15.0, 1.0, 2800.0, 8000.0, &report);
  g_test_message ("what the callee heard: %s", report);
  g_assert_true (heard_tone);

  /* What the wire carried: both a=crypto keys and both registrations'
   * digest responses, so that the checks below cannot pass for want of
   * anything to look for. */
  wire = capture_finish (capture, kamailio);
  collect (keys, wire, "inline:([A-Za-z0-9+/]{16,}={0,2})");
  collect (responses, wire, "[Rr]esponse=\"?([0-9A-Fa-f]{16,})");
  collect (realms, wire, "realm=\"([^\"]+)\"");
  g_test_message ("on the wire: %u SRTP keys, %u digest responses", keys->len, responses->len);
  g_assert_cmpuint (keys->len, >=, 2);
  g_assert_cmpuint (responses->len, >=, 2);
  g_assert_cmpuint (realms->len, >=, 1);

  both[0] = caller;
  both[1] = callee;
  for (gsize c = 0; c < G_N_ELEMENTS (both); c++) {
    const char *who = c == 0 ? "the caller" : "the callee";

    leaks += count_leaks (both[c], who, "the password", password);
    for (guint i = 0; i < keys->len; i++) {
      g_autofree guchar *raw = NULL;
      g_autofree char *hex = NULL;
      gsize length = 0;
      GString *upper;

      leaks += count_leaks (both[c], who, "an SRTP key", keys->pdata[i]);
      /* The same key printed as hexadecimal, as SRTP libraries might. */
      raw = g_base64_decode (keys->pdata[i], &length);
      upper = g_string_new (NULL);
      for (gsize b = 0; b < length; b++)
        g_string_append_printf (upper, "%02X", raw[b]);
      hex = g_ascii_strdown (upper->str, -1);
      leaks += count_leaks (both[c], who, "an SRTP key in hexadecimal", hex);
      leaks += count_leaks (both[c], who, "an SRTP key in hexadecimal", upper->str);
      g_string_free (upper, TRUE);
      /* Its first and last bytes, as mediastreamer2 prints them. */
      if (length > 0) {
        g_autofree char *ends = g_strdup_printf ("%02x..%02x", raw[0], raw[length - 1]);

        leaks += count_leaks (both[c], who, "the ends of an SRTP key", ends);
      }
    }
    for (guint i = 0; i < responses->len; i++)
      leaks += count_leaks (both[c], who, "a digest response", responses->pdata[i]);
    for (guint i = 0; i < realms->len; i++) {
      for (gsize u = 0; u < G_N_ELEMENTS (users); u++) {
        g_autofree char *a1 = g_strdup_printf ("%s:%s:%s", users[u], (char *) realms->pdata[i],
                                               password);
        g_autofree char *ha1 = g_compute_checksum_for_string (G_CHECKSUM_MD5, a1, -1);

        leaks += count_leaks (both[c], who, "a digest HA1", ha1);
      }
    }
  }
  g_assert_cmpuint (leaks, ==, 0);

  /* The logs still show the SIP messages, with markers where secrets were. */
  g_assert_true (cli_printed (caller, "INVITE sip:bob@"));
  g_assert_true (cli_printed (callee, "INVITE sip:bob@"));
  g_assert_true (cli_printed (caller, "REGISTER sip:"));
  g_assert_true (cli_printed (caller, "inline:[redacted]"));
  g_assert_true (cli_printed (callee, "inline:[redacted]"));
  g_assert_true (cli_printed (callee, "response=\"[redacted]\""));
  belfry_kamailio_stop (kamailio);
}

static void
test_registrar_unreachable (void)
{
  int port = belfry_test_free_port ("127.0.0.1");
  g_autofree char *registrar = g_strdup_printf ("sip:127.0.0.1:%d;transport=tcp", port);
  g_autofree char *password_file = write_password ("s3cret\n");
  g_autoptr (Cli) cli = cli_start ("--listen", "127.0.0.1:0", "--from", "sip:bob@127.0.0.1",
                                   "--registrar", registrar, "--password-file", password_file, NULL);

  /* Nobody listens there: TCP says so at once. */
  g_assert_cmpint (cli_wait (cli, 20000), ==, 1);
  g_assert_nonnull (strstr (cli->errors->str, "registration failed"));
}

int
main (int   argc,
      char *argv[])
{
  belfry_test_init (&argc, &argv);

  g_test_add_func ("/belfry/cli/call-between-two", test_call_between_two);
  g_test_add_func ("/belfry/cli/rejected", test_rejected);
  g_test_add_func ("/belfry/cli/display-name-not-utf8", test_display_name_not_utf8);
  g_test_add_func ("/belfry/cli/bad-uri", test_bad_uri);
  g_test_add_func ("/belfry/cli/port-taken", test_port_taken);
  g_test_add_func ("/belfry/cli/bad-srtp", test_bad_srtp);
  g_test_add_func ("/belfry/cli/bad-outbound-proxy", test_bad_outbound_proxy);
  g_test_add_func ("/belfry/cli/outbound-proxy", test_outbound_proxy);
  g_test_add_func ("/belfry/cli/registrar/registered-call", test_registered_call);
  g_test_add_func ("/belfry/cli/registrar/wrong-password", test_wrong_password);
  g_test_add_func ("/belfry/cli/registrar/unreachable", test_registrar_unreachable);
  g_test_add_func ("/belfry/cli/registrar/cancelled-through-proxy", test_cancelled_through_proxy);
  g_test_add_func ("/belfry/cli/registrar/logs-keep-secrets", test_logs_keep_secrets);

  return g_test_run ();
}
