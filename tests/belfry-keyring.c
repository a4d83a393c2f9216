/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <gio/gio.h>

#include "belfry-keyring.h"
#include "belfry-test-env.h"

static GSubprocess *keyring;

static gboolean
pointer_true (gpointer data)
{
  return *(gboolean *) data;
}

static void
on_secrets_appeared (GDBusConnection *bus,
                     const char      *name,
                     const char      *owner,
                     gpointer         user_data)
{
  *(gboolean *) user_data = TRUE;
}

static void
on_launcher_exited (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_subprocess_wait_finish (G_SUBPROCESS (source), result, NULL);
  *(gboolean *) user_data = TRUE;
}

static gboolean
default_collection_ready (gpointer data)
{
  g_autoptr (GDBusConnection) bus = g_bus_get_sync (G_BUS_TYPE_SESSION, NULL, NULL);
  g_autoptr (GVariant) reply = NULL;
  g_autoptr (GVariant) locked = NULL;
  g_autoptr (GVariant) value = NULL;
  const char *path = "/";

  reply = g_dbus_connection_call_sync (bus, "org.freedesktop.secrets", "/org/freedesktop/secrets",
                                       "org.freedesktop.Secret.Service", "ReadAlias",
                                       g_variant_new ("(s)", "default"), G_VARIANT_TYPE ("(o)"),
                                       G_DBUS_CALL_FLAGS_NONE, 1000, NULL, NULL);
  if (reply != NULL)
    g_variant_get (reply, "(&o)", &path);
  if (g_str_equal (path, "/"))
    return FALSE;

  /* ...and unlocked a moment later still. */
  locked = g_dbus_connection_call_sync (bus, "org.freedesktop.secrets", path, "org.freedesktop.DBus.Properties",
                                        "Get", g_variant_new ("(ss)", "org.freedesktop.Secret.Collection", "Locked"),
                                        G_VARIANT_TYPE ("(v)"), G_DBUS_CALL_FLAGS_NONE, 1000, NULL, NULL);
  if (locked == NULL)
    return FALSE;
  g_variant_get (locked, "(v)", &value);
  return !g_variant_get_boolean (value);
}

/* gnome-keyring on the private bus, unlocked with a password on stdin so
 * that nothing prompts; it leaves with the bus. Once per process. */
void
belfry_test_start_keyring (void)
{
  g_autoptr (GError) error = NULL;
  gboolean appeared = FALSE;
  gboolean launched = FALSE;
  GOutputStream *input;
  guint watch;

  if (keyring != NULL)
    return;

  /* --unlock reads the login keyring's password on stdin and creates the
   * keyring unlocked, so that nothing prompts. The launcher returns once
   * the daemon is ready (in the foreground the bus name comes before the
   * keyring); the daemon leaves with the test's session bus. */
  keyring = g_subprocess_new (G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_SILENCE, &error,
                              "gnome-keyring-daemon", "--unlock", "--components=secrets", NULL);
  g_assert_no_error (error);
  input = g_subprocess_get_stdin_pipe (keyring);
  g_output_stream_write_all (input, "test", 4, NULL, NULL, &error);
  g_assert_no_error (error);
  g_output_stream_close (input, NULL, NULL);
  g_subprocess_wait_async (keyring, NULL, on_launcher_exited, &launched);
  if (!belfry_test_wait_until (pointer_true, &launched, 10000))
    g_error ("gnome-keyring-daemon did not start");

  watch = g_bus_watch_name (G_BUS_TYPE_SESSION, "org.freedesktop.secrets", G_BUS_NAME_WATCHER_FLAGS_NONE,
                            on_secrets_appeared, NULL, &appeared, NULL);
  if (!belfry_test_wait_until (pointer_true, &appeared, 10000))
    g_error ("gnome-keyring-daemon did not take org.freedesktop.secrets");
  g_bus_unwatch_name (watch);

  /* The name comes a moment before the login keyring is the default. */
  if (!belfry_test_wait_until (default_collection_ready, NULL, 10000))
    g_error ("gnome-keyring-daemon made no default keyring");
}

void
belfry_test_stop_keyring (void)
{
  g_clear_object (&keyring);
}
