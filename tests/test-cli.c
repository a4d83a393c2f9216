/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <gio/gio.h>
#include <string.h>

#include "belfry-kamailio.h"
#include "belfry-sipp.h"
#include "belfry-test-env.h"

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

static Cli *
cli_start (const char *first,
           ...)
{
  g_autoptr (GPtrArray) argv = g_ptr_array_new ();
  g_autoptr (GError) error = NULL;
  g_autofree char *program = g_test_build_filename (G_TEST_BUILT, "..", "app", "cli", "belfry-cli", NULL);
  Cli *cli = g_new0 (Cli, 1);
  va_list args;

  g_ptr_array_add (argv, program);
  va_start (args, first);
  for (const char *arg = first; arg != NULL; arg = va_arg (args, const char *))
    g_ptr_array_add (argv, (gpointer) arg);
  va_end (args);
  g_ptr_array_add (argv, NULL);

  cli->events = g_string_new (NULL);
  cli->errors = g_string_new (NULL);
  cli->process = g_subprocess_newv ((const char * const *) argv->pdata,
                                    G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE, &error);
  g_assert_no_error (error);
  cli->pending_reads = 2;
  read_more (cli, g_subprocess_get_stdout_pipe (cli->process), cli->events);
  read_more (cli, g_subprocess_get_stderr_pipe (cli->process), cli->errors);
  g_subprocess_wait_async (cli->process, NULL, wait_cb, cli);
  return cli;
}

static gboolean
cli_done (gpointer data)
{
  Cli *cli = data;

  return cli->exited && cli->pending_reads == 0;
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

static void
test_call_between_two (void)
{
  int port = belfry_test_free_port ("127.0.0.1");
  g_autofree char *listen = g_strdup_printf ("127.0.0.1:%d", port);
  g_autofree char *target = g_strdup_printf ("sip:callee@127.0.0.1:%d", port);
  g_autoptr (Cli) callee = NULL;
  g_autoptr (Cli) caller = NULL;
  EventWait wait;

  callee = cli_start ("--listen", listen, "--from", "sip:callee@127.0.0.1", "--auto-answer",
                      "--answer-delay", "100", "--exit-after-calls", "1", "--events", NULL);
  wait = (EventWait) { callee, "\"event\":\"listening\"" };
  g_assert_true (belfry_test_wait_until (event_seen, &wait, 10000));

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
  EventWait wait;

  callee = cli_start ("--listen", listen, "--reject", "486", "--exit-after-calls", "1", "--events", NULL);
  wait = (EventWait) { callee, "\"event\":\"listening\"" };
  g_assert_true (belfry_test_wait_until (event_seen, &wait, 10000));

  caller = cli_start ("--listen", "127.0.0.1:0", "--events", target, NULL);
  g_assert_cmpint (cli_wait (caller, 20000), ==, 1);
  g_assert_cmpint (cli_wait (callee, 10000), ==, 0);
  g_assert_true (has_event (caller, "\"code\":486"));
  g_assert_nonnull (strstr (caller->errors->str, "486"));
}

static void
test_bad_uri (void)
{
  g_autoptr (Cli) cli = cli_start ("--listen", "127.0.0.1:0", "not a uri", NULL);

  g_assert_cmpint (cli_wait (cli, 10000), ==, 2);
  g_assert_nonnull (strstr (cli->errors->str, "not a SIP address"));
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
  EventWait wait = { first, "\"event\":\"listening\"" };

  g_assert_true (belfry_test_wait_until (event_seen, &wait, 10000));
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
  EventWait wait = { callee, "\"state\":\"registered\"" };

  g_assert_true (belfry_test_wait_until (event_seen, &wait, 15000));
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
  caller = belfry_sipp_start ("uac-cancel.xml", "u1", "127.0.0.1", belfry_test_free_port ("127.0.0.1"), proxy,
                              NULL);
  g_assert_cmpint (belfry_sipp_wait (caller, 20000), ==, 0);
  g_assert_cmpint (cli_wait (callee, 20000), ==, 0);
  g_assert_true (has_event (callee, "\"event\":\"incoming\""));
  g_assert_true (has_event (callee, "\"state\":\"terminated\""));
  g_assert_false (has_event (callee, "\"state\":\"established\""));
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
  g_test_add_func ("/belfry/cli/bad-uri", test_bad_uri);
  g_test_add_func ("/belfry/cli/port-taken", test_port_taken);
  g_test_add_func ("/belfry/cli/bad-outbound-proxy", test_bad_outbound_proxy);
  g_test_add_func ("/belfry/cli/outbound-proxy", test_outbound_proxy);
  g_test_add_func ("/belfry/cli/registrar/registered-call", test_registered_call);
  g_test_add_func ("/belfry/cli/registrar/wrong-password", test_wrong_password);
  g_test_add_func ("/belfry/cli/registrar/unreachable", test_registrar_unreachable);
  g_test_add_func ("/belfry/cli/registrar/cancelled-through-proxy", test_cancelled_through_proxy);

  return g_test_run ();
}
