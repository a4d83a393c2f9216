/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <signal.h>

#include "belfry-notification-server.h"
#include "belfry-test-env.h"

typedef struct {
  BelfryNotifications *self;
  const char *prefix;
  guint count;
} LineWait;

GPtrArray *
belfry_notifications_lines (BelfryNotifications *self,
                            const char          *prefix)
{
  g_autofree char *contents = NULL;
  g_auto (GStrv) lines = NULL;
  GPtrArray *found = g_ptr_array_new_with_free_func (g_free);

  if (!g_file_get_contents (self->log, &contents, NULL, NULL))
    return found;
  lines = g_strsplit (contents, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++) {
    if (g_str_has_prefix (lines[i], prefix))
      g_ptr_array_add (found, g_strdup (lines[i]));
  }
  return found;
}

static gboolean
enough_lines (gpointer data)
{
  LineWait *wait = data;
  g_autoptr (GPtrArray) lines = belfry_notifications_lines (wait->self, wait->prefix);

  return lines->len >= wait->count;
}

GPtrArray *
belfry_notifications_wait_lines (BelfryNotifications *self,
                                 const char          *prefix,
                                 guint                count)
{
  LineWait wait = { self, prefix, count };

  g_assert_true (belfry_test_wait_until (enough_lines, &wait, 10000));
  return belfry_notifications_lines (self, prefix);
}

/* "Notify ID (PARAMETERS)" -> ID and the parameters. */
GVariant *
belfry_notifications_parse_notify (const char *line,
                                   guint      *id)
{
  g_autoptr (GError) error = NULL;
  char *end = NULL;
  GVariant *parameters;

  g_assert_true (g_str_has_prefix (line, "Notify "));
  *id = (guint) g_ascii_strtoull (line + 7, &end, 10);
  parameters = g_variant_parse (G_VARIANT_TYPE ("(susssasa{sv}i)"), end + 1, NULL, NULL, &error);
  g_assert_no_error (error);
  return parameters;
}

void
belfry_notifications_invoke_action (guint       id,
                                    const char *action)
{
  g_autoptr (GDBusConnection) bus = g_bus_get_sync (G_BUS_TYPE_SESSION, NULL, NULL);
  g_autoptr (GVariant) reply = NULL;
  g_autoptr (GError) error = NULL;

  reply = g_dbus_connection_call_sync (bus, "org.freedesktop.Notifications", "/org/freedesktop/Notifications",
                                       "org.belfry.Test.NotificationServer", "InvokeAction",
                                       g_variant_new ("(us)", id, action), NULL, G_DBUS_CALL_FLAGS_NONE,
                                       5000, NULL, &error);
  g_assert_no_error (error);
}

void
belfry_notifications_start (BelfryNotifications *self)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *script = g_test_build_filename (G_TEST_DIST, "notification-server", NULL);
  static guint counter;

  self->log = g_strdup_printf ("%s/notifications-%u.log", g_get_user_runtime_dir (), ++counter);
  self->server = g_subprocess_new (G_SUBPROCESS_FLAGS_NONE, &error, "/usr/bin/python3", script, self->log, NULL);
  g_assert_no_error (error);
  g_ptr_array_unref (belfry_notifications_wait_lines (self, "Ready", 1));
}

static gboolean
server_gone (gpointer data)
{
  return g_subprocess_get_identifier (data) == NULL;
}

void
belfry_notifications_stop (BelfryNotifications *self)
{
  g_subprocess_send_signal (self->server, SIGTERM);
  g_subprocess_wait (self->server, NULL, NULL);
  g_assert_true (belfry_test_wait_until (server_gone, self->server, 5000));
  g_clear_object (&self->server);
  g_clear_pointer (&self->log, g_free);
}

