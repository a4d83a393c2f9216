/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include "belfry-test-env.h"

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <stdlib.h>

static char *test_root;

/* Removes @path and everything below it, links not followed. */
void
belfry_test_remove_tree (const char *path)
{
  g_autoptr (GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  if (dir != NULL) {
    while ((name = g_dir_read_name (dir)) != NULL) {
      g_autofree char *child = g_build_filename (path, name, NULL);

      if (g_file_test (child, G_FILE_TEST_IS_DIR) && !g_file_test (child, G_FILE_TEST_IS_SYMLINK))
        belfry_test_remove_tree (child);
      else
        g_unlink (child);
    }
  }
  g_rmdir (path);
}

static void
cleanup (void)
{
  if (test_root != NULL)
    belfry_test_remove_tree (test_root);
  g_clear_pointer (&test_root, g_free);
}

/* g_test_init(), with HOME and XDG_RUNTIME_DIR in a temporary folder of
 * their own (libpulse and GLib write there), removed at exit. */
void
belfry_test_init (int    *argc,
                  char ***argv)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *home = NULL;
  g_autofree char *runtime = NULL;

  test_root = g_dir_make_tmp ("belfry-test-XXXXXX", &error);
  g_assert_no_error (error);
  home = g_build_filename (test_root, "home", NULL);
  runtime = g_build_filename (test_root, "runtime", NULL);
  g_mkdir (home, 0700);
  g_mkdir (runtime, 0700);
  g_setenv ("HOME", home, TRUE);
  g_setenv ("XDG_RUNTIME_DIR", runtime, TRUE);
  g_setenv ("XDG_DATA_HOME", home, TRUE);
  g_setenv ("XDG_CONFIG_HOME", home, TRUE);
  g_setenv ("XDG_CACHE_HOME", home, TRUE);
  atexit (cleanup);

  g_test_init (argc, argv, NULL);
}

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

/* Whether the pointer at @data is set (a result stored, an object made),
 * for belfry_test_wait_until(). */
gboolean
belfry_test_pointer_set (gpointer data)
{
  return *(gpointer *) data != NULL;
}

/* The result belfry_test_store_result_cb() keeps in @slot, once it came
 * within @timeout_ms; the test fails otherwise. */
GAsyncResult *
belfry_test_wait_result (GAsyncResult **slot,
                         guint          timeout_ms)
{
  g_assert_true (belfry_test_wait_until (belfry_test_pointer_set, slot, timeout_ms));
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

/* Whether something listens on @port of loopback or any address, over
 * TCP or UDP, as the kernel's tables say. */
gboolean
belfry_test_port_is_bound (int      port,
                           gboolean tcp)
{
  PortWait wait = { port, tcp };

  return port_bound (&wait);
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
never (gpointer data)
{
  return FALSE;
}

/* Runs the default main context for @ms to see that something does NOT
 * happen (no packet, no second digit, no failure) in that time. Never use
 * it to wait for something that does: wait for that with
 * belfry_test_wait_until(). */
void
belfry_test_observe_for (guint ms)
{
  belfry_test_wait_until (never, NULL, ms);
}

static void
process_exited_cb (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  gboolean *exited = user_data;

  g_subprocess_wait_finish (G_SUBPROCESS (source), result, NULL);
  *exited = TRUE;
  g_rc_box_release (exited);
}

/* Sends @signal_number to @process and waits up to @timeout_ms for it to
 * exit; one that does not is killed, and waited for again. Returns
 * whether it exited by itself. */
gboolean
belfry_test_stop_process (GSubprocess *process,
                          int          signal_number,
                          guint        timeout_ms)
{
  /* Shared with the callback, which may come after the waits gave up. */
  gboolean *exited = g_rc_box_new0 (gboolean);
  gboolean by_itself;

  g_subprocess_send_signal (process, signal_number);
  g_subprocess_wait_async (process, NULL, process_exited_cb, g_rc_box_acquire (exited));
  by_itself = belfry_test_wait_until (belfry_test_flag_set, exited, timeout_ms);
  if (!by_itself) {
    g_subprocess_force_exit (process);
    belfry_test_wait_until (belfry_test_flag_set, exited, 5000);
  }
  g_rc_box_release (exited);
  return by_itself;
}

/* Whether the gboolean at @data is TRUE, for belfry_test_wait_until(). */
gboolean
belfry_test_flag_set (gpointer data)
{
  return *(gboolean *) data;
}
