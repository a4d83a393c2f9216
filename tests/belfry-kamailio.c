/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include "belfry-kamailio.h"
#include "belfry-test-env.h"

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

struct _BelfryKamailio {
  GSubprocess *process;
  pid_t group;
  char *dir;
  char *log_path;
  int port;
};

/* How long Kamailio may take to answer its first OPTIONS. */
#define READY_TIMEOUT_MS 10000
/* How long it may take to stop after SIGTERM. */
#define STOP_TIMEOUT_MS 5000

/* Kamailio forks worker processes that outlive a main process killed
 * with SIGKILL, so each instance runs in a process group of its own, and
 * the groups still running are killed when the test aborts or is killed
 * by the test runner, whose SIGTERM skips every teardown. */
#define MAX_GROUPS 8
static volatile sig_atomic_t running_groups[MAX_GROUPS];

static void
kill_running_groups (void)
{
  for (guint i = 0; i < MAX_GROUPS; i++) {
    pid_t group = running_groups[i];

    if (group > 0)
      kill (-group, SIGKILL);
  }
}

static void
on_fatal_signal (int signum)
{
  kill_running_groups ();
  signal (signum, SIG_DFL);
  raise (signum);
}

static void
install_cleanup_once (void)
{
  static gsize installed = 0;

  if (g_once_init_enter (&installed)) {
    const int signums[] = { SIGABRT, SIGTERM, SIGINT, SIGHUP, SIGSEGV, SIGBUS };

    for (guint i = 0; i < G_N_ELEMENTS (signums); i++) {
      struct sigaction action = { 0 };
      struct sigaction previous = { 0 };

      /* Keep a handler that someone else (a sanitizer) put in place. */
      sigaction (signums[i], NULL, &previous);
      if (previous.sa_handler != SIG_DFL)
        continue;
      action.sa_handler = on_fatal_signal;
      sigemptyset (&action.sa_mask);
      sigaction (signums[i], &action, NULL);
    }
    atexit (kill_running_groups);
    g_once_init_leave (&installed, 1);
  }
}

static void
track_group (pid_t group,
             gboolean running)
{
  for (guint i = 0; i < MAX_GROUPS; i++) {
    if (running && running_groups[i] == 0) {
      running_groups[i] = group;
      return;
    }
    if (!running && running_groups[i] == group) {
      running_groups[i] = 0;
      return;
    }
  }
}

static void
child_setup (gpointer user_data)
{
  /* A group of its own, and SIGTERM if the test process dies first. */
  setpgid (0, 0);
  prctl (PR_SET_PDEATHSIG, SIGTERM);
}

/**
 * belfry_kamailio_pick_port:
 *
 * Returns: a port of 127.0.0.1 that is free for both UDP and TCP now
 */
int
belfry_kamailio_pick_port (void)
{
  g_autoptr (GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);

  for (guint attempt = 0; attempt < 50; attempt++) {
    g_autoptr (GSocketAddress) any = g_inet_socket_address_new (loopback, 0);
    g_autoptr (GSocketAddress) bound = NULL;
    g_autoptr (GSocketAddress) same = NULL;
    g_autoptr (GSocket) udp = NULL;
    g_autoptr (GSocket) tcp = NULL;
    int port;

    udp = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_DATAGRAM, G_SOCKET_PROTOCOL_UDP, NULL);
    tcp = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, NULL);
    if (udp == NULL || tcp == NULL || !g_socket_bind (udp, any, FALSE, NULL))
      continue;

    bound = g_socket_get_local_address (udp, NULL);
    port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
    same = g_inet_socket_address_new (loopback, (guint16) port);
    if (g_socket_bind (tcp, same, FALSE, NULL))
      return port;
  }

  g_error ("Found no port of 127.0.0.1 free for UDP and TCP");
  return 0;
}

static char *
make_config (int                          port,
             const BelfryKamailioOptions *options,
             GError                     **error)
{
  g_autofree char *template_path = NULL;
  g_autofree char *template = NULL;
  g_autofree char *port_text = g_strdup_printf ("%d", port);
  g_autofree char *min_expires =
    g_strdup_printf ("%u", options->min_expires > 0 ? options->min_expires : 1);
  g_autofree char *fail_503 = g_strdup_printf ("%u", options->fail_503);
  GString *config;

  template_path = g_test_build_filename (G_TEST_DIST, "kamailio", "registrar.cfg.in", NULL);
  if (!g_file_get_contents (template_path, &template, NULL, error))
    return NULL;

  config = g_string_new (template);
  g_string_replace (config, "@PORT@", port_text, 0);
  g_string_replace (config, "@PASSWORD@", options->password ? options->password : "", 0);
  g_string_replace (config, "@MIN_EXPIRES@", min_expires, 0);
  g_string_replace (config, "@FAIL_503@", fail_503, 0);
  return g_string_free (config, FALSE);
}

static gboolean
process_exited (BelfryKamailio *self)
{
  /* GLib reaps the child in its worker thread and then forgets its id. */
  return g_subprocess_get_identifier (self->process) == NULL;
}

static gboolean
process_exited_cb (gpointer data)
{
  return process_exited (data);
}

static gboolean
listening_or_exited (gpointer data)
{
  BelfryKamailio *self = data;

  return process_exited (self) ||
         (belfry_test_port_is_bound (self->port, FALSE) && belfry_test_port_is_bound (self->port, TRUE));
}

/* Sends OPTIONS over UDP and waits up to @timeout_ms for a 200. */
static gboolean
answers_options (int   port,
                 guint timeout_ms)
{
  g_autoptr (GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr (GSocketAddress) any = g_inet_socket_address_new (loopback, 0);
  g_autoptr (GSocketAddress) local = NULL;
  g_autoptr (GSocketAddress) target = g_inet_socket_address_new (loopback, (guint16) port);
  g_autoptr (GSocket) socket = NULL;
  g_autofree char *request = NULL;
  g_autofree char *call_id = g_uuid_string_random ();
  char answer[2048];
  gint64 deadline = g_get_monotonic_time () + (gint64) timeout_ms * 1000;
  int local_port;

  socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_DATAGRAM, G_SOCKET_PROTOCOL_UDP, NULL);
  if (socket == NULL || !g_socket_bind (socket, any, FALSE, NULL))
    return FALSE;
  local = g_socket_get_local_address (socket, NULL);
  local_port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (local));

  request = g_strdup_printf ("OPTIONS sip:127.0.0.1:%d SIP/2.0\r\n"
                             "Via: SIP/2.0/UDP 127.0.0.1:%d;branch=z9hG4bK%s;rport\r\n"
                             "From: <sip:probe@127.0.0.1>;tag=probe\r\n"
                             "To: <sip:127.0.0.1:%d>\r\n"
                             "Call-ID: %s\r\n"
                             "CSeq: 1 OPTIONS\r\n"
                             "Max-Forwards: 70\r\n"
                             "Content-Length: 0\r\n\r\n",
                             port, local_port, call_id, port, call_id);
  if (g_socket_send_to (socket, target, request, strlen (request), NULL, NULL) < 0)
    return FALSE;

  while (g_get_monotonic_time () < deadline) {
    gint64 left = deadline - g_get_monotonic_time ();
    gssize size;

    g_socket_set_timeout (socket, 0);
    if (!g_socket_condition_timed_wait (socket, G_IO_IN, MAX (left, 1), NULL, NULL))
      return FALSE;
    size = g_socket_receive (socket, answer, sizeof answer - 1, NULL, NULL);
    if (size <= 0)
      return FALSE;
    answer[size] = '\0';
    if (g_str_has_prefix (answer, "SIP/2.0 200"))
      return TRUE;
  }

  return FALSE;
}

static gboolean
accepts_tcp (int port)
{
  g_autoptr (GSocketClient) client = g_socket_client_new ();
  g_autoptr (GSocketConnection) connection = NULL;

  g_socket_client_set_timeout (client, 1);
  connection = g_socket_client_connect_to_host (client, "127.0.0.1", (guint16) port, NULL, NULL);
  if (connection == NULL)
    return FALSE;
  g_io_stream_close (G_IO_STREAM (connection), NULL, NULL);
  return TRUE;
}

static char *
log_tail (BelfryKamailio *self,
          guint           lines)
{
  g_autofree char *contents = NULL;
  g_auto (GStrv) split = NULL;
  guint n;

  if (!g_file_get_contents (self->log_path, &contents, NULL, NULL))
    return g_strdup ("");

  split = g_strsplit (contents, "\n", -1);
  n = g_strv_length (split);
  return g_strjoinv ("\n", split + (n > lines ? n - lines : 0));
}

static void
kamailio_free (BelfryKamailio *self)
{
  if (self->process != NULL && !process_exited (self)) {
    g_subprocess_send_signal (self->process, SIGTERM);
    belfry_test_wait_until (process_exited_cb, self, STOP_TIMEOUT_MS);
  }

  /* Whatever is left of the group, the main process included if it did
   * not stop in time. */
  if (self->group > 0) {
    kill (-self->group, SIGKILL);
    track_group (self->group, FALSE);
  }

  g_clear_object (&self->process);
  if (self->dir != NULL)
    belfry_test_remove_tree (self->dir);
  g_free (self->dir);
  g_free (self->log_path);
  g_free (self);
}

static BelfryKamailio *
try_start (int                          port,
           const BelfryKamailioOptions *options,
           GError                     **error)
{
  g_autoptr (GSubprocessLauncher) launcher = NULL;
  g_autofree char *config = NULL;
  g_autofree char *config_path = NULL;
  g_autofree char *pid_path = NULL;
  g_autofree char *program = NULL;
  BelfryKamailio *self;

  self = g_new0 (BelfryKamailio, 1);
  self->port = port;
  self->dir = g_dir_make_tmp ("belfry-kamailio-XXXXXX", error);
  if (self->dir == NULL) {
    kamailio_free (self);
    return NULL;
  }

  config = make_config (port, options, error);
  config_path = g_build_filename (self->dir, "registrar.cfg", NULL);
  if (config == NULL || !g_file_set_contents (config_path, config, -1, error)) {
    kamailio_free (self);
    return NULL;
  }

  program = g_strdup (g_getenv ("BELFRY_KAMAILIO"));
  if (program == NULL)
    program = g_find_program_in_path ("kamailio");
  if (program == NULL)
    program = g_strdup ("/usr/sbin/kamailio");

  pid_path = g_build_filename (self->dir, "kamailio.pid", NULL);
  self->log_path = g_build_filename (self->dir, "kamailio.log", NULL);

  install_cleanup_once ();

  /* Its stdout would mix with the TAP stream. */
  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE);
  g_subprocess_launcher_set_stderr_file_path (launcher, self->log_path);
  g_subprocess_launcher_set_cwd (launcher, self->dir);
  g_subprocess_launcher_set_child_setup (launcher, child_setup, NULL, NULL);
  self->process = g_subprocess_launcher_spawn (launcher, error,
                                               program, "-DD", "-E",
                                               "-f", config_path,
                                               "-w", self->dir,
                                               "-P", pid_path,
                                               "-Y", self->dir,
                                               "-m", "64", "-M", "8",
                                               NULL);
  if (self->process == NULL) {
    kamailio_free (self);
    return NULL;
  }

  self->group = (pid_t) g_ascii_strtoll (g_subprocess_get_identifier (self->process), NULL, 10);
  track_group (self->group, TRUE);

  /* Ready once its ports are bound (or it gave up), then answers OPTIONS
   * over UDP and accepts TCP. */
  belfry_test_wait_until (listening_or_exited, self, READY_TIMEOUT_MS);
  if (process_exited (self)) {
    g_autofree char *tail = log_tail (self, 20);

    g_set_error (error, G_IO_ERROR, G_IO_ERROR_ADDRESS_IN_USE,
                 "Kamailio exited at start on port %d:\n%s", port, tail);
    kamailio_free (self);
    return NULL;
  }
  if (answers_options (port, 2000) && accepts_tcp (port))
    return self;

  {
    g_autofree char *tail = log_tail (self, 20);

    g_set_error (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT,
                 "Kamailio did not answer on port %d within %d ms:\n%s", port,
                 READY_TIMEOUT_MS, tail);
  }
  kamailio_free (self);
  return NULL;
}

/**
 * belfry_kamailio_start:
 * @port: the port to listen on, or 0 for one picked now
 * @options: the registrar's password and behaviour
 * @error: return location for a #GError
 *
 * Starts Kamailio on 127.0.0.1 and waits, at most 10 s, until it answers.
 * With @port 0 a port that another process took meanwhile is replaced by
 * a new one, a few times.
 *
 * Returns: (transfer full) (nullable): the running Kamailio
 */
BelfryKamailio *
belfry_kamailio_start (int                           port,
                       const BelfryKamailioOptions  *options,
                       GError                      **error)
{
  guint attempts = port == 0 ? 5 : 1;

  for (guint attempt = 1; attempt <= attempts; attempt++) {
    g_autoptr (GError) local_error = NULL;
    BelfryKamailio *self = try_start (port != 0 ? port : belfry_kamailio_pick_port (), options,
                                      &local_error);

    if (self != NULL)
      return self;

    if (attempt == attempts ||
        !g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_ADDRESS_IN_USE)) {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }
    g_test_message ("Kamailio did not start, trying another port: %s", local_error->message);
  }

  g_assert_not_reached ();
}

/* Whether Kamailio answers an OPTIONS within @timeout_ms: what it received
 * before has been read by then. */
gboolean
belfry_kamailio_ping (BelfryKamailio *self,
                      guint           timeout_ms)
{
  return answers_options (self->port, timeout_ms);
}

int
belfry_kamailio_get_port (BelfryKamailio *self)
{
  return self->port;
}

/* How many lines of Kamailio's log contain @marker. */
guint
belfry_kamailio_count (BelfryKamailio *self,
                       const char     *marker)
{
  g_autofree char *contents = NULL;
  g_auto (GStrv) lines = NULL;
  guint count = 0;

  if (!g_file_get_contents (self->log_path, &contents, NULL, NULL))
    return 0;

  lines = g_strsplit (contents, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++) {
    if (strstr (lines[i], marker) != NULL)
      count++;
  }
  return count;
}

typedef struct {
  BelfryKamailio *self;
  const char *marker;
  guint count;
} CountWait;

static gboolean
count_reached (gpointer data)
{
  CountWait *wait = data;

  return belfry_kamailio_count (wait->self, wait->marker) >= wait->count;
}

/* Runs the default main context until the log has @count lines with
 * @marker, at most @timeout_ms. */
gboolean
belfry_kamailio_wait_count (BelfryKamailio *self,
                            const char     *marker,
                            guint           count,
                            guint           timeout_ms)
{
  CountWait wait = { self, marker, count };

  return belfry_test_wait_until (count_reached, &wait, timeout_ms);
}

/* Puts the end of Kamailio's log into the test's output. */
void
belfry_kamailio_dump_log (BelfryKamailio *self)
{
  g_autofree char *tail = log_tail (self, 60);

  g_test_message ("Kamailio on port %d said:\n%s", self->port, tail);
}

/**
 * belfry_kamailio_stop:
 * @self: (transfer full): a running Kamailio
 *
 * Stops it (SIGTERM, then SIGKILL for whatever is left after 5 s) and
 * removes its folder.
 */
void
belfry_kamailio_stop (BelfryKamailio *self)
{
  if (self != NULL)
    kamailio_free (self);
}
