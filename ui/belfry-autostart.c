/* SPDX-License-Identifier: GPL-3.0-or-later */

#define G_LOG_DOMAIN "belfry-autostart"

#include "config.h"

#include "belfry-autostart-private.h"

#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <libportal-gtk4/portal-gtk4.h>

#include <errno.h>
#include <string.h>

/* Starting Belfry at login, without a window (`belfry --background`), so
 * that calls ring from the moment the person logs in.
 *
 * On the host, that is an autostart desktop file in the user's
 * configuration (XDG Autostart). In a Flatpak sandbox, which cannot write
 * there, the desktop grants it through the Background portal; the portal
 * cannot be asked afterwards what it granted, so the answer is kept in
 * the `start-at-login` setting. */

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

  if (xdp_portal_running_under_flatpak ())
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
} PortalRequest;

static void
portal_request_free (PortalRequest *request)
{
  g_clear_object (&request->settings);
  g_free (request);
}

/* The portal's answer, once the person chose (or the desktop did). */
static void
request_background_cb (GObject      *source,
                       GAsyncResult *result,
                       gpointer      user_data)
{
  g_autoptr (GTask) task = user_data;
  PortalRequest *request = g_task_get_task_data (task);
  g_autoptr (GError) error = NULL;
  gboolean granted;

  granted = xdp_portal_request_background_finish (XDP_PORTAL (source), result, &error);
  /* libportal's word for the person's "no". */
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED)) {
    g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED,
                             _("The desktop did not allow Belfry to start at login"));
    return;
  }
  if (error != NULL) {
    /* Translators: %s says why (from D-Bus). */
    g_task_return_new_error (task, error->domain, error->code,
                             _("The desktop cannot start Belfry at login: %s"), error->message);
    return;
  }

  /* Asked for autostart, libportal tells whether it was granted. */
  g_settings_set_boolean (request->settings, "start-at-login", request->enabled && granted);
  g_task_return_boolean (task, !request->enabled || granted);
}

/**
 * belfry_autostart_set_enabled_full_async:
 * @settings: the application's settings
 * @enabled: whether Belfry should start at login
 * @sandboxed: whether to ask the Background portal (in a sandbox) rather
 *   than write the autostart file (on the host)
 * @parent: (nullable): the window the portal's question belongs to
 * @cancellable: (nullable): a #GCancellable, checked before the portal is
 *   asked
 * @callback: called once it is done or refused
 * @user_data: data for @callback
 *
 * As belfry_autostart_set_enabled_async(), the way chosen by the caller.
 */
void
belfry_autostart_set_enabled_full_async (GSettings           *settings,
                                         gboolean             enabled,
                                         gboolean             sandboxed,
                                         GtkWindow           *parent,
                                         GCancellable        *cancellable,
                                         GAsyncReadyCallback  callback,
                                         gpointer             user_data)
{
  g_autoptr (GTask) task = NULL;
  g_autoptr (XdpPortal) portal = NULL;
  g_autoptr (XdpParent) xdp_parent = NULL;
  g_autoptr (GPtrArray) commandline = NULL;
  g_autofree char *reason = NULL;
  PortalRequest *request;
  GError *error = NULL;

  g_return_if_fail (G_IS_SETTINGS (settings));
  g_return_if_fail (parent == NULL || GTK_IS_WINDOW (parent));

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, belfry_autostart_set_enabled_full_async);

  if (!sandboxed) {
    if (write_desktop_file (enabled, &error))
      g_task_return_boolean (task, TRUE);
    else
      g_task_return_error (task, error);
    return;
  }

  /* libportal would drop the request, callback and all, if cancelled
   * while the person is asked: once asked, the answer is awaited. */
  if (g_task_return_error_if_cancelled (task))
    return;

  request = g_new0 (PortalRequest, 1);
  request->settings = g_object_ref (settings);
  request->enabled = enabled;
  g_task_set_task_data (task, request, (GDestroyNotify) portal_request_free);

  portal = xdp_portal_new ();
  if (parent != NULL)
    xdp_parent = xdp_parent_new_gtk (parent);
  commandline = g_ptr_array_new_with_free_func (g_free);
  g_ptr_array_add (commandline, g_strdup ("belfry"));
  g_ptr_array_add (commandline, g_strdup ("--background"));
  reason = g_strdup (_("Belfry rings for incoming calls while its window is closed"));
  xdp_portal_request_background (portal, xdp_parent, reason, commandline,
                                 enabled ? XDP_BACKGROUND_FLAG_AUTOSTART : XDP_BACKGROUND_FLAG_NONE,
                                 NULL, request_background_cb, g_steal_pointer (&task));
}

/**
 * belfry_autostart_set_enabled_async:
 * @settings: the application's settings
 * @enabled: whether Belfry should start at login
 * @parent: (nullable): the window the question belongs to, when the
 *   desktop asks the person
 * @cancellable: (nullable): a #GCancellable, checked before the desktop
 *   is asked (once asked, its answer is awaited)
 * @callback: called once it is done or refused
 * @user_data: data for @callback
 *
 * Makes Belfry start at login, without a window, or no longer. In a
 * sandbox the desktop may ask the person first.
 */
void
belfry_autostart_set_enabled_async (GSettings           *settings,
                                    gboolean             enabled,
                                    GtkWindow           *parent,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data)
{
  belfry_autostart_set_enabled_full_async (settings, enabled, xdp_portal_running_under_flatpak (),
                                           parent, cancellable, callback, user_data);
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
