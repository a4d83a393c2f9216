/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <glib/gstdio.h>
#include <gtk/gtk.h>

#include "belfry-autostart-private.h"
#include "belfry-test-env.h"

/* Starting at login: on the host, an autostart desktop file that
 * desktop-file-validate accepts and that starts this very program with
 * --background; in a sandbox, a request to the Background portal, here
 * answered by a portal of the test's own on its session bus, which reads
 * the request and answers on the request's object path as
 * xdg-desktop-portal does. */

static void
done_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

static gboolean
set_enabled_for (GSettings  *settings,
                 gboolean    enabled,
                 gboolean    sandboxed,
                 GtkWindow  *parent,
                 GError    **error)
{
  g_autoptr (GAsyncResult) result = NULL;

  belfry_autostart_set_enabled_full_async (settings, enabled, sandboxed, parent, NULL, done_cb,
                                           &result);
  belfry_test_wait_result (&result, 10000);
  return belfry_autostart_set_enabled_finish (result, error);
}

static gboolean
set_enabled (GSettings  *settings,
             gboolean    enabled,
             gboolean    sandboxed,
             GError    **error)
{
  return set_enabled_for (settings, enabled, sandboxed, NULL, error);
}

static void
test_host (void)
{
  g_autoptr (GSettings) settings = g_settings_new (APPLICATION_ID);
  g_autoptr (GError) error = NULL;
  g_autoptr (GKeyFile) key_file = g_key_file_new ();
  g_autofree char *path = g_build_filename (g_get_user_config_dir (), "autostart", APPLICATION_ID ".desktop", NULL);
  g_autofree char *program = g_file_read_link ("/proc/self/exe", NULL);
  g_autofree char *exec = NULL;
  g_autofree char *expected = NULL;
  const char *validate[] = { "desktop-file-validate", path, NULL };
  int status = -1;

  g_assert_false (belfry_autostart_get_enabled (settings));

  g_assert_true (set_enabled (settings, TRUE, FALSE, &error));
  g_assert_no_error (error);
  g_assert_true (belfry_autostart_get_enabled (settings));
  g_assert_true (g_spawn_sync (NULL, (char **) validate, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL, &status,
                               &error));
  g_assert_no_error (error);
  g_assert_true (g_spawn_check_wait_status (status, NULL));
  g_assert_true (g_key_file_load_from_file (key_file, path, G_KEY_FILE_NONE, &error));
  g_assert_no_error (error);
  exec = g_key_file_get_string (key_file, G_KEY_FILE_DESKTOP_GROUP, G_KEY_FILE_DESKTOP_KEY_EXEC, &error);
  g_assert_no_error (error);
  /* This program runs from its build tree, with the schemas and the media
   * module found through the environment: the login session has to be
   * told them too. (An installed Belfry has neither set: the program
   * alone.) */
  expected = g_strdup_printf ("env GSETTINGS_SCHEMA_DIR=%s BELFRY_MEDIA_MODULE=%s %s --background",
                              g_getenv ("GSETTINGS_SCHEMA_DIR"), g_getenv ("BELFRY_MEDIA_MODULE"), program);
  g_assert_cmpstr (exec, ==, expected);

  /* Turned off in the desktop's own settings: it does not start. */
  g_key_file_set_boolean (key_file, G_KEY_FILE_DESKTOP_GROUP, "X-GNOME-Autostart-enabled", FALSE);
  g_assert_true (g_key_file_save_to_file (key_file, path, &error));
  g_assert_false (belfry_autostart_get_enabled (settings));

  g_assert_true (set_enabled (settings, FALSE, FALSE, &error));
  g_assert_no_error (error);
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
  g_assert_false (belfry_autostart_get_enabled (settings));
  /* Off twice is still off. */
  g_assert_true (set_enabled (settings, FALSE, FALSE, &error));
  g_assert_no_error (error);
}

/* The test's Background portal. */

static const char portal_xml[] =
  "<node>"
  "  <interface name='org.freedesktop.portal.Background'>"
  "    <method name='RequestBackground'>"
  "      <arg type='s' name='parent_window' direction='in'/>"
  "      <arg type='a{sv}' name='options' direction='in'/>"
  "      <arg type='o' name='handle' direction='out'/>"
  "    </method>"
  "  </interface>"
  "</node>";

typedef struct {
  GDBusConnection *connection;
  guint registration;
  guint owner;
  gboolean owned;
  /* what the next request gets: 0 yes, 1 the person said no */
  guint32 response;
  /* the last request's parent window and options */
  char *parent_window;
  GVariant *options;
} Portal;

static void
portal_method_call (GDBusConnection       *connection,
                    const char            *sender,
                    const char            *object_path,
                    const char            *interface_name,
                    const char            *method_name,
                    GVariant              *parameters,
                    GDBusMethodInvocation *invocation,
                    gpointer               user_data)
{
  Portal *portal = user_data;
  g_autofree char *sender_path = g_strdelimit (g_strdup (sender + 1), ".", '_');
  g_autofree char *handle = NULL;
  const char *token = NULL;
  gboolean autostart = FALSE;
  GVariantBuilder results;

  g_clear_pointer (&portal->parent_window, g_free);
  g_clear_pointer (&portal->options, g_variant_unref);
  g_variant_get (parameters, "(s@a{sv})", &portal->parent_window, &portal->options);
  g_assert_true (g_variant_lookup (portal->options, "handle_token", "&s", &token));
  g_variant_lookup (portal->options, "autostart", "b", &autostart);
  handle = g_strdup_printf ("/org/freedesktop/portal/desktop/request/%s/%s", sender_path, token);
  g_dbus_method_invocation_return_value (invocation, g_variant_new ("(o)", handle));

  g_variant_builder_init (&results, G_VARIANT_TYPE_VARDICT);
  if (portal->response == 0) {
    g_variant_builder_add (&results, "{sv}", "background", g_variant_new_boolean (TRUE));
    g_variant_builder_add (&results, "{sv}", "autostart", g_variant_new_boolean (autostart));
  }
  g_dbus_connection_emit_signal (connection, sender, handle, "org.freedesktop.portal.Request", "Response",
                                 g_variant_new ("(ua{sv})", portal->response, &results), NULL);
}

static const GDBusInterfaceVTable portal_vtable = { portal_method_call, NULL, NULL, { 0 } };

static void
on_name_acquired (GDBusConnection *connection,
                  const char      *name,
                  gpointer         user_data)
{
  ((Portal *) user_data)->owned = TRUE;
}

static gboolean
portal_owned (gpointer data)
{
  return ((Portal *) data)->owned;
}

static void
portal_start (Portal *portal)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GDBusNodeInfo) info = g_dbus_node_info_new_for_xml (portal_xml, &error);
  g_autofree char *address = g_dbus_address_get_for_bus_sync (G_BUS_TYPE_SESSION, NULL, &error);

  g_assert_no_error (error);
  /* A connection of its own, as the portal is another program. */
  portal->connection = g_dbus_connection_new_for_address_sync (address,
                                                               G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT |
                                                               G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION,
                                                               NULL, NULL, &error);
  g_assert_no_error (error);
  portal->registration = g_dbus_connection_register_object (portal->connection, "/org/freedesktop/portal/desktop",
                                                            info->interfaces[0], &portal_vtable, portal, NULL,
                                                            &error);
  g_assert_no_error (error);
  portal->owner = g_bus_own_name_on_connection (portal->connection, "org.freedesktop.portal.Desktop",
                                                G_BUS_NAME_OWNER_FLAGS_NONE, on_name_acquired, NULL, portal, NULL);
  g_assert_true (belfry_test_wait_until (portal_owned, portal, 5000));
}

static void
portal_stop (Portal *portal)
{
  g_bus_unown_name (portal->owner);
  g_dbus_connection_unregister_object (portal->connection, portal->registration);
  g_dbus_connection_close_sync (portal->connection, NULL, NULL);
  g_clear_object (&portal->connection);
  g_clear_pointer (&portal->parent_window, g_free);
  g_clear_pointer (&portal->options, g_variant_unref);
}

static gboolean
portal_activatable (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GDBusConnection) bus = g_bus_get_sync (G_BUS_TYPE_SESSION, NULL, &error);
  g_autoptr (GVariant) reply = NULL;
  g_autofree const char **names = NULL;

  g_assert_no_error (error);
  reply = g_dbus_connection_call_sync (bus, "org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus",
                                       "ListActivatableNames", NULL, G_VARIANT_TYPE ("(as)"),
                                       G_DBUS_CALL_FLAGS_NONE, 5000, NULL, &error);
  g_assert_no_error (error);
  g_variant_get (reply, "(^a&s)", &names);
  return g_strv_contains (names, "org.freedesktop.portal.Desktop");
}

static void
test_portal (void)
{
  g_autoptr (GSettings) settings = g_settings_new (APPLICATION_ID);
  g_autoptr (GError) error = NULL;
  g_autofree const char **commandline = NULL;
  const char *reason = NULL;
  gboolean autostart = FALSE;
  gboolean activatable = TRUE;
  GtkWidget *window;
  Portal portal = { 0 };

  portal_start (&portal);
  g_settings_set_boolean (settings, "start-at-login", FALSE);

  /* Asked for from the preferences, granted: remembered, since the
   * portal cannot be asked. The question belongs to the window that
   * asked (on X11, its window ID). */
  window = gtk_window_new ();
  gtk_widget_realize (window);
  g_assert_true (set_enabled_for (settings, TRUE, TRUE, GTK_WINDOW (window), &error));
  g_assert_no_error (error);
  g_assert_true (g_str_has_prefix (portal.parent_window, "x11:"));
  gtk_window_destroy (GTK_WINDOW (window));
  g_assert_true (g_settings_get_boolean (settings, "start-at-login"));
  g_assert_true (g_variant_lookup (portal.options, "autostart", "b", &autostart));
  g_assert_true (autostart);
  g_assert_true (g_variant_lookup (portal.options, "commandline", "^a&s", &commandline));
  g_assert_cmpuint (g_strv_length ((char **) commandline), ==, 2);
  g_assert_cmpstr (commandline[0], ==, "belfry");
  g_assert_cmpstr (commandline[1], ==, "--background");
  g_assert_true (g_variant_lookup (portal.options, "reason", "&s", &reason));
  g_assert_cmpstr (reason, !=, "");
  g_assert_true (g_variant_lookup (portal.options, "dbus-activatable", "b", &activatable));
  g_assert_false (activatable);

  /* The person says no: an error, and what was granted before stays. */
  portal.response = 1;
  g_assert_false (set_enabled (settings, FALSE, TRUE, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED);
  g_clear_error (&error);
  g_assert_true (g_settings_get_boolean (settings, "start-at-login"));

  /* Turned off, with no window to ask from. */
  portal.response = 0;
  g_assert_true (set_enabled (settings, FALSE, TRUE, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (portal.parent_window, ==, "");
  g_assert_false (g_settings_get_boolean (settings, "start-at-login"));
  g_assert_true (g_variant_lookup (portal.options, "autostart", "b", &autostart));
  g_assert_false (autostart);

  portal_stop (&portal);

  /* No portal at all (unless the bus would start a real one): an error
   * that says so. */
  if (portal_activatable ()) {
    g_test_message ("xdg-desktop-portal is installed: not checked without a portal");
    return;
  }
  g_assert_false (set_enabled (settings, TRUE, TRUE, &error));
  g_assert_nonnull (error);
  g_assert_false (g_settings_get_boolean (settings, "start-at-login"));
}

int
main (int   argc,
      char *argv[])
{
  belfry_test_init (&argc, &argv);
  gtk_init ();

  g_test_add_func ("/belfry/autostart/host", test_host);
  g_test_add_func ("/belfry/autostart/portal", test_portal);

  return g_test_run ();
}
