/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include "belfry-sipp.h"

#include <glib/gstdio.h>
#include <string.h>

struct _BelfrySipp {
  GSubprocess *process;
  gboolean exited;
  char *dir;
  char *error_file;
  int port;
  gboolean tcp;
};

/* A port that is free for both UDP and TCP on @address right now. */
int
belfry_test_free_port (const char *address)
{
  for (guint attempt = 0; attempt < 50; attempt++) {
    g_autoptr (GInetAddress) inet = g_inet_address_new_from_string (address);
    g_autoptr (GSocketAddress) any = g_inet_socket_address_new (inet, 0);
    g_autoptr (GSocketAddress) bound = NULL;
    g_autoptr (GSocketAddress) same = NULL;
    g_autoptr (GSocket) udp = g_socket_new (g_inet_address_get_family (inet), G_SOCKET_TYPE_DATAGRAM,
                                            G_SOCKET_PROTOCOL_UDP, NULL);
    g_autoptr (GSocket) tcp = g_socket_new (g_inet_address_get_family (inet), G_SOCKET_TYPE_STREAM,
                                            G_SOCKET_PROTOCOL_TCP, NULL);
    int port;

    if (!g_socket_bind (udp, any, FALSE, NULL))
      continue;
    bound = g_socket_get_local_address (udp, NULL);
    port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
    same = g_inet_socket_address_new (inet, (guint16) port);
    if (g_socket_bind (tcp, same, FALSE, NULL))
      return port;
  }

  g_error ("no free port on %s", address);
  return 0;
}

static gboolean
port_in_table (const char *path,
               int         port,
               gboolean    tcp)
{
  g_autofree char *contents = NULL;
  g_auto (GStrv) lines = NULL;
  g_autofree char *suffix = g_strdup_printf (":%04X", port);

  if (!g_file_get_contents (path, &contents, NULL, NULL))
    return FALSE;

  /* Each line: "sl local_address rem_address st ...", addresses in hex. */
  lines = g_strsplit (contents, "\n", -1);
  for (guint i = 1; lines[i] != NULL; i++) {
    g_auto (GStrv) fields = g_strsplit_set (g_strstrip (lines[i]), " ", -1);
    const char *columns[4] = { NULL };
    guint n = 0;

    for (guint j = 0; fields[j] != NULL && n < 4; j++) {
      if (*fields[j] != '\0')
        columns[n++] = fields[j];
    }

    if (n < 4 || !g_str_has_suffix (columns[1], suffix))
      continue;
    /* TCP must be listening (state 0A); UDP has no state to speak of. */
    if (!tcp || g_str_equal (columns[3], "0A"))
      return TRUE;
  }

  return FALSE;
}

static gboolean
tick_cb (gpointer data)
{
  return G_SOURCE_CONTINUE;
}

/* Runs the default main context until @condition holds, at most
 * @timeout_ms. A 10 ms tick lets conditions that are not events of this
 * process (a port showing in /proc) be seen. */
gboolean
belfry_test_wait_until (gboolean (*condition) (gpointer data),
                        gpointer   data,
                        guint      timeout_ms)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) timeout_ms * 1000;
  guint tick = g_timeout_add (10, tick_cb, NULL);
  gboolean met;

  while (!(met = condition (data)) && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);

  g_source_remove (tick);
  return met;
}

/* A GAsyncReadyCallback that keeps the result in *(GAsyncResult **)
 * @user_data, for belfry_test_wait_result(). */
void
belfry_test_store_result_cb (GObject      *source,
                             GAsyncResult *result,
                             gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

static gboolean
result_arrived (gpointer data)
{
  return *(GAsyncResult **) data != NULL;
}

/* The result belfry_test_store_result_cb() keeps in @slot, once it came
 * within @timeout_ms; the test fails otherwise. */
GAsyncResult *
belfry_test_wait_result (GAsyncResult **slot,
                         guint          timeout_ms)
{
  g_assert_true (belfry_test_wait_until (result_arrived, slot, timeout_ms));
  return *slot;
}

/* Whether the pointer at @data is NULL (a weak pointer whose object went
 * away), for belfry_test_wait_until(). */
gboolean
belfry_test_pointer_cleared (gpointer data)
{
  return *(gpointer *) data == NULL;
}

/* Drops the caller's reference and checks that the object goes away
 * within @timeout_ms: transactions may hold it until their last message. */
void
belfry_test_assert_finalized (gpointer object,
                              guint    timeout_ms)
{
  gpointer weak = object;

  g_object_add_weak_pointer (object, &weak);
  g_object_unref (object);
  if (!belfry_test_wait_until (belfry_test_pointer_cleared, &weak, timeout_ms))
    g_error ("%s %p was not finalized within %u ms", G_OBJECT_TYPE_NAME (weak), weak, timeout_ms);
}

typedef struct {
  int port;
  gboolean tcp;
} PortWait;

static gboolean
port_bound (gpointer data)
{
  PortWait *wait = data;
  const char *tables_udp[] = { "/proc/net/udp", "/proc/net/udp6" };
  const char *tables_tcp[] = { "/proc/net/tcp", "/proc/net/tcp6" };
  const char **tables = wait->tcp ? tables_tcp : tables_udp;

  return port_in_table (tables[0], wait->port, wait->tcp) ||
         port_in_table (tables[1], wait->port, wait->tcp);
}

gboolean
belfry_test_wait_port_bound (int      port,
                             gboolean tcp,
                             guint    timeout_ms)
{
  PortWait wait = { port, tcp };

  return belfry_test_wait_until (port_bound, &wait, timeout_ms);
}

static gboolean
sipp_exited (gpointer data)
{
  BelfrySipp *sipp = data;

  return sipp->exited;
}

static void
sipp_wait_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  gboolean *exited = user_data;

  g_subprocess_wait_finish (G_SUBPROCESS (object), result, NULL);
  *exited = TRUE;
}

static gboolean
sipp_listening (gpointer data)
{
  BelfrySipp *sipp = data;
  PortWait wait = { sipp->port, sipp->tcp };

  return sipp->exited || port_bound (&wait);
}

/* @transport: "u1" (UDP) or "t1" (TCP); @remote: "host:port" for a
 * scenario that sends first, or NULL for one that waits. */
BelfrySipp *
belfry_sipp_start (const char         *scenario,
                   const char         *transport,
                   const char         *local_address,
                   int                 local_port,
                   const char         *remote,
                   const char * const *extra_args)
{
  g_autoptr (GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GError) error = NULL;
  g_autofree char *scenario_path = NULL;
  BelfrySipp *sipp = g_new0 (BelfrySipp, 1);

  sipp->dir = g_dir_make_tmp ("belfry-sipp-XXXXXX", &error);
  g_assert_no_error (error);
  sipp->error_file = g_build_filename (sipp->dir, "errors.log", NULL);
  sipp->port = local_port;
  sipp->tcp = g_str_equal (transport, "t1");
  scenario_path = g_test_build_filename (G_TEST_DIST, "sipp", scenario, NULL);

  g_ptr_array_add (argv, g_strdup ("sipp"));
  g_ptr_array_add (argv, g_strdup ("-sf"));
  g_ptr_array_add (argv, g_strdup (scenario_path));
  g_ptr_array_add (argv, g_strdup ("-i"));
  g_ptr_array_add (argv, g_strdup (local_address));
  g_ptr_array_add (argv, g_strdup ("-p"));
  g_ptr_array_add (argv, g_strdup_printf ("%d", local_port));
  g_ptr_array_add (argv, g_strdup ("-t"));
  g_ptr_array_add (argv, g_strdup (transport));
  g_ptr_array_add (argv, g_strdup ("-m"));
  g_ptr_array_add (argv, g_strdup ("1"));
  g_ptr_array_add (argv, g_strdup ("-timeout"));
  g_ptr_array_add (argv, g_strdup ("40s"));
  g_ptr_array_add (argv, g_strdup ("-timeout_error"));
  g_ptr_array_add (argv, g_strdup ("-nostdin"));
  g_ptr_array_add (argv, g_strdup ("-trace_err"));
  g_ptr_array_add (argv, g_strdup ("-error_file"));
  g_ptr_array_add (argv, g_strdup (sipp->error_file));
  for (guint i = 0; extra_args != NULL && extra_args[i] != NULL; i++)
    g_ptr_array_add (argv, g_strdup (extra_args[i]));
  if (remote != NULL)
    g_ptr_array_add (argv, g_strdup (remote));
  g_ptr_array_add (argv, NULL);

  {
    g_autofree char *line = g_strjoinv (" ", (char **) argv->pdata);
    /* An argument may be bytes that are not UTF-8, which TAP must not get. */
    g_autofree char *printable = g_utf8_make_valid (line, -1);

    g_test_message ("starting %s", printable);
  }

  /* sipp draws its screens on standard output, which is TAP's. */
  sipp->process = g_subprocess_newv ((const char * const *) argv->pdata,
                                     G_SUBPROCESS_FLAGS_STDOUT_SILENCE, &error);
  g_assert_no_error (error);
  g_subprocess_wait_async (sipp->process, NULL, sipp_wait_cb, &sipp->exited);

  /* A scenario that waits must be listening before the test sends. */
  if (remote == NULL) {
    g_assert_true (belfry_test_wait_until (sipp_listening, sipp, 10000));
    g_assert_false (sipp->exited);
  }

  return sipp;
}

/* Returns sipp's exit status: 0 when every call of the scenario went as
 * written. */
int
belfry_sipp_wait (BelfrySipp *sipp,
                  guint       timeout_ms)
{
  g_autofree char *errors = NULL;
  int status;

  if (!belfry_test_wait_until (sipp_exited, sipp, timeout_ms)) {
    g_test_message ("sipp did not finish within %u ms", timeout_ms);
    return -1;
  }

  status = g_subprocess_get_if_exited (sipp->process) ? g_subprocess_get_exit_status (sipp->process) : -1;
  if (status != 0 && g_file_get_contents (sipp->error_file, &errors, NULL, NULL))
    g_test_message ("sipp errors:\n%s", errors);
  return status;
}

void
belfry_sipp_free (BelfrySipp *sipp)
{
  g_autoptr (GDir) dir = NULL;
  const char *name;

  if (!sipp->exited) {
    g_subprocess_force_exit (sipp->process);
    belfry_test_wait_until (sipp_exited, sipp, 5000);
  }
  g_clear_object (&sipp->process);

  dir = g_dir_open (sipp->dir, 0, NULL);
  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL) {
    g_autofree char *path = g_build_filename (sipp->dir, name, NULL);
    g_unlink (path);
  }
  g_rmdir (sipp->dir);
  g_free (sipp->dir);
  g_free (sipp->error_file);
  g_free (sipp);
}
