/* SPDX-License-Identifier: GPL-3.0-or-later */

#define G_LOG_DOMAIN "belfry-autostart"

#include "config.h"

#include <errno.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <string.h>

#include "belfry-autostart-private.h"

/* Starting Belfry at login, without a window (`belfry --background`), so
 * that calls ring from the moment the person logs in.
 *
 * On the host, that is an autostart desktop file in the user's
 * configuration (XDG Autostart). In a Flatpak sandbox, which cannot write
 * there, the desktop grants it through the Background portal; the portal
 * cannot be asked afterwards what it granted, so the answer is kept in
 * the `start-at-login` setting. */

#define PORTAL_BUS_NAME "org.freedesktop.portal.Desktop"
#define PORTAL_OBJECT_PATH "/org/freedesktop/portal/desktop"
#define PORTAL_REQUEST_INTERFACE "org.freedesktop.portal.Request"

static gboolean
running_sandboxed (void)
{
  return g_file_test ("/.flatpak-info", G_FILE_TEST_EXISTS);
}

static char *
desktop_file_path (void)
{
  return g_build_filename (g_get_user_config_dir (), "autostart", APPLICATION_ID ".desktop", NULL);
}

/* One argument of a desktop file's Exec key: quoted, with the characters
 * the Desktop Entry Specification reserves escaped, when it needs it. */
static char *
quote_exec_argument (const char *argument)
{
  GString *quoted;

  if (strpbrk (argument, " \t\n\"'\\><~|&;$*?#()`") == NULL)
    return g_strdup (argument);

  quoted = g_string_new ("\"");
  for (const char *p = argument; *p != '\0'; p++) {
    if (strchr ("\"`$\\", *p) != NULL)
      g_string_append_c (quoted, '\\');
    g_string_append_c (quoted, *p);
  }
  g_string_append_c (quoted, '"');
  return g_string_free (quoted, FALSE);
}

/**
 * belfry_autostart_get_enabled:
 * @settings: the application's settings
 *
 * Returns: whether Belfry starts at login
 */
gboolean
belfry_autostart_get_enabled (GSettings *settings)
{
  g_autoptr (GKeyFile) key_file = g_key_file_new ();
  g_autofree char *path = NULL;

  g_return_val_if_fail (G_IS_SETTINGS (settings), FALSE);

  if (running_sandboxed ())
    return g_settings_get_boolean (settings, "start-at-login");

  /* A file that is there but turned off (by the desktop's own settings)
   * does not start anything. */
  path = desktop_file_path ();
  if (!g_key_file_load_from_file (key_file, path, G_KEY_FILE_NONE, NULL))
    return FALSE;
  return !g_key_file_get_boolean (key_file, G_KEY_FILE_DESKTOP_GROUP, G_KEY_FILE_DESKTOP_KEY_HIDDEN, NULL) &&
         (!g_key_file_has_key (key_file, G_KEY_FILE_DESKTOP_GROUP, "X-GNOME-Autostart-enabled", NULL) ||
          g_key_file_get_boolean (key_file, G_KEY_FILE_DESKTOP_GROUP, "X-GNOME-Autostart-enabled", NULL));
}

/* What tells this Belfry where its own parts are, when they are not where
 * it was built to look (a build tree, or a prefix the desktop does not
 * know): the login session will not have it, so the Exec line carries it,
 * as "env NAME=value …". Empty for an ordinary installation. */
static GString *
own_environment (void)
{
  const char *names[] = { "GSETTINGS_SCHEMA_DIR", "BELFRY_MEDIA_MODULE" };
  GString *line = g_string_new (NULL);

  for (guint i = 0; i < G_N_ELEMENTS (names); i++) {
    const char *value = g_getenv (names[i]);
    g_autofree char *assignment = NULL;
    g_autofree char *quoted = NULL;

    if (value == NULL || *value == '\0')
      continue;
    assignment = g_strconcat (names[i], "=", value, NULL);
    quoted = quote_exec_argument (assignment);
    g_string_append_printf (line, "%s%s ", line->len == 0 ? "env " : "", quoted);
  }
  return line;
}

static gboolean
write_desktop_file (gboolean   enabled,
                    GError   **error)
{
  g_autoptr (GKeyFile) key_file = g_key_file_new ();
  g_autofree char *path = desktop_file_path ();
  g_autofree char *folder = NULL;
  g_autofree char *program = NULL;
  g_autofree char *quoted = NULL;
  g_autoptr (GString) exec = NULL;

  if (!enabled) {
    if (g_unlink (path) != 0 && errno != ENOENT) {
      int saved_errno = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno), _("Cannot remove %s: %s"), path,
                   g_strerror (saved_errno));
      return FALSE;
    }
    return TRUE;
  }

  /* The program that runs now, wherever it is installed (and where it
   * was, if an upgrade has replaced it since it started). */
  program = g_file_read_link ("/proc/self/exe", NULL);
  if (program != NULL && g_str_has_suffix (program, " (deleted)"))
    program[strlen (program) - strlen (" (deleted)")] = '\0';
  quoted = quote_exec_argument (program != NULL ? program : "belfry");
  exec = own_environment ();
  g_string_append_printf (exec, "%s --background", quoted);

  g_key_file_set_string (key_file, G_KEY_FILE_DESKTOP_GROUP, G_KEY_FILE_DESKTOP_KEY_TYPE,
                         G_KEY_FILE_DESKTOP_TYPE_APPLICATION);
  g_key_file_set_string (key_file, G_KEY_FILE_DESKTOP_GROUP, G_KEY_FILE_DESKTOP_KEY_NAME, "Belfry");
  g_key_file_set_string (key_file, G_KEY_FILE_DESKTOP_GROUP, G_KEY_FILE_DESKTOP_KEY_COMMENT,
                         "Ring for incoming calls from login");
  g_key_file_set_string (key_file, G_KEY_FILE_DESKTOP_GROUP, G_KEY_FILE_DESKTOP_KEY_ICON, APPLICATION_ID);
  g_key_file_set_string (key_file, G_KEY_FILE_DESKTOP_GROUP, G_KEY_FILE_DESKTOP_KEY_EXEC, exec->str);
  g_key_file_set_boolean (key_file, G_KEY_FILE_DESKTOP_GROUP, G_KEY_FILE_DESKTOP_KEY_NO_DISPLAY, TRUE);
  g_key_file_set_boolean (key_file, G_KEY_FILE_DESKTOP_GROUP, "X-GNOME-Autostart-enabled", TRUE);

  folder = g_path_get_dirname (path);
  if (g_mkdir_with_parents (folder, 0700) != 0) {
    int saved_errno = errno;

    g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno), _("Cannot create %s: %s"), folder,
                 g_strerror (saved_errno));
    return FALSE;
  }
  return g_key_file_save_to_file (key_file, path, error);
}

typedef struct {
  GSettings *settings;
  gboolean enabled;
  GDBusConnection *bus;
  char *request_path;
  guint response_id;
} PortalRequest;

static void
portal_request_free (PortalRequest *request)
{
  if (request->response_id != 0)
    g_dbus_connection_signal_unsubscribe (request->bus, request->response_id);
  g_clear_object (&request->settings);
  g_clear_object (&request->bus);
  g_free (request->request_path);
  g_free (request);
}

static void
finish_portal_request (GTask    *task,
                       gboolean  granted,
                       GError   *error)
{
  PortalRequest *request = g_task_get_task_data (task);

  if (request->response_id != 0) {
    g_dbus_connection_signal_unsubscribe (request->bus, request->response_id);
    request->response_id = 0;
  }
  if (error != NULL)
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, granted);
  g_object_unref (task);
}

/* The portal's answer, once the person chose (or the desktop did). */
static void
on_response (GDBusConnection *connection,
             const char      *sender,
             const char      *object_path,
             const char      *interface_name,
             const char      *signal_name,
             GVariant        *parameters,
             gpointer         user_data)
{
  GTask *task = user_data;
  PortalRequest *request = g_task_get_task_data (task);
  g_autoptr (GVariant) results = NULL;
  guint32 response;
  gboolean autostart = FALSE;

  if (!g_variant_is_of_type (parameters, G_VARIANT_TYPE ("(ua{sv})")))
    return;

  g_variant_get (parameters, "(u@a{sv})", &response, &results);
  if (response != 0) {
    finish_portal_request (task, FALSE,
                           g_error_new_literal (G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED,
                                                _("The desktop did not allow Belfry to start at login")));
    return;
  }

  g_variant_lookup (results, "autostart", "b", &autostart);
  g_settings_set_boolean (request->settings, "start-at-login", autostart);
  finish_portal_request (task, autostart == request->enabled, NULL);
}

static void
request_background_cb (GObject      *source,
                       GAsyncResult *result,
                       gpointer      user_data)
{
  GTask *task = user_data;
  g_autoptr (GVariant) reply = NULL;
  GError *error = NULL;

  reply = g_dbus_connection_call_finish (G_DBUS_CONNECTION (source), result, &error);
  if (reply == NULL) {
    /* Translators: %s says why (from D-Bus). */
    GError *explained = g_error_new (error->domain, error->code, _("The desktop cannot start Belfry at login: %s"),
                                     error->message);

    g_error_free (error);
    finish_portal_request (task, FALSE, explained);
  }
  /* Otherwise the answer comes as the request's Response signal. */
}

static void
bus_cb (GObject      *source,
        GAsyncResult *result,
        gpointer      user_data)
{
  GTask *task = user_data;
  PortalRequest *request = g_task_get_task_data (task);
  g_autofree char *token = NULL;
  g_autofree char *sender = NULL;
  const char *commandline[] = { "belfry", "--background", NULL };
  GVariantBuilder options;
  GError *error = NULL;

  request->bus = g_bus_get_finish (result, &error);
  if (request->bus == NULL) {
    finish_portal_request (task, FALSE, error);
    return;
  }

  /* The request's object path is known before the call, so that its
   * Response cannot come before the subscription. */
  token = g_strdup_printf ("belfry%u", g_random_int ());
  sender = g_strdelimit (g_strdup (g_dbus_connection_get_unique_name (request->bus) + 1), ".", '_');
  request->request_path = g_strdup_printf ("%s/request/%s/%s", PORTAL_OBJECT_PATH, sender, token);
  request->response_id = g_dbus_connection_signal_subscribe (request->bus, PORTAL_BUS_NAME, PORTAL_REQUEST_INTERFACE,
                                                             "Response", request->request_path, NULL,
                                                             G_DBUS_SIGNAL_FLAGS_NONE, on_response, task, NULL);

  g_variant_builder_init (&options, G_VARIANT_TYPE_VARDICT);
  g_variant_builder_add (&options, "{sv}", "handle_token", g_variant_new_string (token));
  g_variant_builder_add (&options, "{sv}", "reason",
                         g_variant_new_string (_("Belfry rings for incoming calls while its window is closed")));
  g_variant_builder_add (&options, "{sv}", "autostart", g_variant_new_boolean (request->enabled));
  g_variant_builder_add (&options, "{sv}", "commandline", g_variant_new_strv (commandline, -1));
  g_variant_builder_add (&options, "{sv}", "dbus-activatable", g_variant_new_boolean (FALSE));
  g_dbus_connection_call (request->bus, PORTAL_BUS_NAME, PORTAL_OBJECT_PATH, "org.freedesktop.portal.Background",
                          "RequestBackground", g_variant_new ("(sa{sv})", "", &options), G_VARIANT_TYPE ("(o)"),
                          G_DBUS_CALL_FLAGS_NONE, -1, NULL, request_background_cb, task);
}

/**
 * belfry_autostart_set_enabled_full_async:
 * @settings: the application's settings
 * @enabled: whether Belfry should start at login
 * @sandboxed: whether to ask the Background portal (in a sandbox) rather
 *   than write the autostart file (on the host)
 * @cancellable: (nullable): a #GCancellable, for reaching the bus
 * @callback: called once it is done or refused
 * @user_data: data for @callback
 *
 * As belfry_autostart_set_enabled_async(), the way chosen by the caller.
 */
void
belfry_autostart_set_enabled_full_async (GSettings           *settings,
                                         gboolean             enabled,
                                         gboolean             sandboxed,
                                         GCancellable        *cancellable,
                                         GAsyncReadyCallback  callback,
                                         gpointer             user_data)
{
  g_autoptr (GTask) task = NULL;
  PortalRequest *request;
  GError *error = NULL;

  g_return_if_fail (G_IS_SETTINGS (settings));

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, belfry_autostart_set_enabled_full_async);

  if (!sandboxed) {
    if (write_desktop_file (enabled, &error))
      g_task_return_boolean (task, TRUE);
    else
      g_task_return_error (task, error);
    return;
  }

  request = g_new0 (PortalRequest, 1);
  request->settings = g_object_ref (settings);
  request->enabled = enabled;
  g_task_set_task_data (task, request, (GDestroyNotify) portal_request_free);
  g_bus_get (G_BUS_TYPE_SESSION, cancellable, bus_cb, g_steal_pointer (&task));
}

/**
 * belfry_autostart_set_enabled_async:
 * @settings: the application's settings
 * @enabled: whether Belfry should start at login
 * @cancellable: (nullable): a #GCancellable, for reaching the bus (once
 *   asked, the portal's answer is awaited)
 * @callback: called once it is done or refused
 * @user_data: data for @callback
 *
 * Makes Belfry start at login, without a window, or no longer. In a
 * sandbox the desktop may ask the person first.
 */
void
belfry_autostart_set_enabled_async (GSettings           *settings,
                                    gboolean             enabled,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data)
{
  belfry_autostart_set_enabled_full_async (settings, enabled, running_sandboxed (), cancellable, callback,
                                           user_data);
}

/**
 * belfry_autostart_set_enabled_finish:
 * @result: the result given to the callback
 * @error: return location for a #GError
 *
 * Returns: %TRUE if Belfry now starts at login as asked; %FALSE with no
 *   error when the desktop gave another answer, and with @error set when
 *   it could not be asked or refused
 */
gboolean
belfry_autostart_set_enabled_finish (GAsyncResult  *result,
                                     GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}
