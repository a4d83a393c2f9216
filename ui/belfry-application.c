/* SPDX-License-Identifier: GPL-3.0-or-later */

#define G_LOG_DOMAIN "belfry-application"

#include "config.h"

#include <glib/gi18n.h>

#include "belfry-application.h"
#include "belfry-media-engine.h"
#include "belfry-preferences-window.h"
#include "belfry-window.h"

/**
 * BelfryApplication:
 *
 * The Belfry application: one instance per session. It owns the media
 * engine, the accounts and their user agents, the call history, the
 * notifications and the call manager, and one main window. With an
 * account and "run in background" on, it stays when the window closes, so
 * that calls still ring.
 */

struct _BelfryApplication {
  AdwApplication parent_instance;

  GSettings *settings;
  BelfryMediaEngine *engine;
  BelfryAccountManager *accounts;
  BelfryCallHistory *history;
  BelfryNotifier *notifier;
  BelfryCallManager *calls;
  gboolean held_in_background;
  /* started with --background (at login): no window */
  gboolean background_start;
};

G_DEFINE_FINAL_TYPE (BelfryApplication, belfry_application, ADW_TYPE_APPLICATION)

static BelfryWindow *
ensure_window (BelfryApplication *self)
{
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (self));

  if (window == NULL)
    window = GTK_WINDOW (belfry_window_new (GTK_APPLICATION (self), self->calls));
  return BELFRY_WINDOW (window);
}

static gboolean
has_enabled_account (BelfryApplication *self)
{
  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (self->accounts)); i++) {
    g_autoptr (BelfryAccount) account = g_list_model_get_item (G_LIST_MODEL (self->accounts), i);

    if (belfry_account_get_enabled (account))
      return TRUE;
  }
  return FALSE;
}

static void
on_window_removed (GtkApplication *application,
                   GtkWindow      *window)
{
  BelfryApplication *self = BELFRY_APPLICATION (application);
  g_autoptr (GNotification) notification = NULL;

  /* Windows also go at shutdown, when there is nothing left to keep. */
  if (self->settings == NULL || gtk_application_get_windows (application) != NULL ||
      self->held_in_background)
    return;

  if (!g_settings_get_boolean (self->settings, "run-in-background") || !has_enabled_account (self))
    return;

  /* Keep taking calls with no window, and say so once. */
  self->held_in_background = TRUE;
  g_application_hold (G_APPLICATION (self));
  notification = g_notification_new (_("Belfry is still running"));
  g_notification_set_body (notification, _("Incoming calls will ring. Quit Belfry from its menu to stop them."));
  g_application_send_notification (G_APPLICATION (self), "background", notification);
}

static void
about_action (GSimpleAction *action,
              GVariant      *parameter,
              gpointer       user_data)
{
  BelfryApplication *self = user_data;
  const char *developers[] = { "The Belfry developers", NULL };

  adw_show_about_window (GTK_WINDOW (ensure_window (self)),
                         "application-name", "Belfry",
                         "application-icon", APPLICATION_ID,
                         "version", PACKAGE_VERSION,
                         "developer-name", "The Belfry developers",
                         "developers", developers,
                         "license-type", GTK_LICENSE_GPL_3_0,
                         /* Translators: put your names here, one a line. */
                         "translator-credits", _("translator-credits"),
                         NULL);
}

static void
preferences_action (GSimpleAction *action,
                    GVariant      *parameter,
                    gpointer       user_data)
{
  BelfryApplication *self = user_data;
  GtkWindow *preferences = GTK_WINDOW (belfry_preferences_window_new (self->accounts, self->settings,
                                                                      self->engine));

  gtk_window_set_transient_for (preferences, GTK_WINDOW (ensure_window (self)));
  gtk_window_set_application (preferences, GTK_APPLICATION (self));
  gtk_window_present (preferences);
}

/* The audio choices of the preferences reach the engine as they change. */
static void
on_audio_setting_changed (GSettings         *settings,
                          const char        *key,
                          BelfryApplication *self)
{
  if (g_strcmp0 (key, "codecs") == 0) {
    g_auto (GStrv) codecs = g_settings_get_strv (settings, key);

    belfry_media_engine_set_codecs (self->engine, (const char * const *) codecs);
  } else if (g_strcmp0 (key, "microphone") == 0 || g_strcmp0 (key, "speaker") == 0 ||
             g_strcmp0 (key, "ringer") == 0) {
    g_autofree char *id = g_settings_get_string (settings, key);

    g_object_set (self->engine, key, *id != '\0' ? id : NULL, NULL);
  }
}

/* The call manager says when a call rings; the engine plays the ringer. */
static void
on_ringing_changed (BelfryApplication *self)
{
  g_autoptr (GError) error = NULL;

  if (!belfry_call_manager_get_ringing (self->calls))
    belfry_media_engine_stop_ringer (self->engine);
  else if (!belfry_media_engine_start_ringer (self->engine, &error))
    g_message ("No ringer: %s", error->message);
}

static void
on_ringback_changed (BelfryApplication *self)
{
  g_autoptr (GError) error = NULL;

  if (!belfry_call_manager_get_ringback (self->calls))
    belfry_media_engine_stop_ringback (self->engine);
  else if (!belfry_media_engine_start_ringback (self->engine, &error))
    g_message ("No ringback tone: %s", error->message);
}

static void
quit_action (GSimpleAction *action,
             GVariant      *parameter,
             gpointer       user_data)
{
  BelfryApplication *self = user_data;

  if (self->held_in_background) {
    self->held_in_background = FALSE;
    g_application_release (G_APPLICATION (self));
  }
  g_application_quit (G_APPLICATION (self));
}

static void
call_action (GSimpleAction *action,
             GVariant      *parameter,
             gpointer       user_data)
{
  BelfryApplication *self = user_data;
  BelfryWindow *window = ensure_window (self);

  belfry_window_set_address (window, g_variant_get_string (parameter, NULL));
  gtk_window_present (GTK_WINDOW (window));
  gtk_widget_activate_action (GTK_WIDGET (window), "win.call", NULL);
}

/* Accept, Decline and Hang Up act on the call that rings, and on the call
 * in progress; being application actions, other programs reach them over
 * D-Bus too (`gapplication action org.belfry.Belfry hang-up` from a
 * keyboard shortcut or a headset button). */
static void
accept_action (GSimpleAction *action,
               GVariant      *parameter,
               gpointer       user_data)
{
  BelfryApplication *self = user_data;
  BelfrySession *session = belfry_call_manager_get_ringing_session (self->calls);

  if (session != NULL)
    belfry_call_manager_accept (self->calls, session);
}

static void
decline_action (GSimpleAction *action,
                GVariant      *parameter,
                gpointer       user_data)
{
  BelfryApplication *self = user_data;
  BelfrySession *session = belfry_call_manager_get_ringing_session (self->calls);

  if (session != NULL)
    belfry_call_manager_decline (self->calls, session);
}

static void
hang_up_action (GSimpleAction *action,
                GVariant      *parameter,
                gpointer       user_data)
{
  BelfryApplication *self = user_data;
  BelfrySession *session = belfry_call_manager_get_current_session (self->calls);

  if (session != NULL)
    belfry_call_manager_hang_up (self->calls, session);
}

static const GActionEntry app_actions[] = {
  { "about", about_action, NULL, NULL, NULL, { 0 } },
  { "preferences", preferences_action, NULL, NULL, NULL, { 0 } },
  { "quit", quit_action, NULL, NULL, NULL, { 0 } },
  { "call", call_action, "s", NULL, NULL, { 0 } },
  { "accept", accept_action, NULL, NULL, NULL, { 0 } },
  { "decline", decline_action, NULL, NULL, NULL, { 0 } },
  { "hang-up", hang_up_action, NULL, NULL, NULL, { 0 } },
};

static void
update_call_actions (BelfryApplication *self)
{
  gboolean ringing, in_call;

  /* The calls are ending with the application. */
  if (self->calls == NULL)
    return;

  ringing = belfry_call_manager_get_ringing_session (self->calls) != NULL;
  in_call = belfry_call_manager_get_current_session (self->calls) != NULL;

  g_simple_action_set_enabled (G_SIMPLE_ACTION (g_action_map_lookup_action (G_ACTION_MAP (self), "accept")), ringing);
  g_simple_action_set_enabled (G_SIMPLE_ACTION (g_action_map_lookup_action (G_ACTION_MAP (self), "decline")), ringing);
  g_simple_action_set_enabled (G_SIMPLE_ACTION (g_action_map_lookup_action (G_ACTION_MAP (self), "hang-up")), in_call);
}

/* GTK reads the icon theme in a worker thread when a display's theme is
 * first asked for, but GtkApplication's start-up then adds the
 * application's icon path, which throws that reading away; the first icon
 * the window shows would read the theme again on the main thread (about
 * 10 ms here). Reading it again in a thread while the window is being
 * built takes that off the way to the first frame. Looking an icon up is
 * one of GtkIconTheme's thread-safe calls. */
static void
read_icon_theme (GTask        *task,
                 gpointer      source_object,
                 gpointer      task_data,
                 GCancellable *cancellable)
{
  gtk_icon_theme_has_icon (GTK_ICON_THEME (source_object), "open-menu-symbolic");
  g_task_return_boolean (task, TRUE);
}

static void
belfry_application_startup (GApplication *application)
{
  BelfryApplication *self = BELFRY_APPLICATION (application);
  const char *quit_accels[] = { "<Control>q", NULL };
  const char *help_accels[] = { "<Control>question", NULL };
  const char *preferences_accels[] = { "<Control>comma", NULL };
  g_auto (GStrv) codecs = NULL;

  G_APPLICATION_CLASS (belfry_application_parent_class)->startup (application);

  {
    g_autoptr (GTask) task = g_task_new (gtk_icon_theme_get_for_display (gdk_display_get_default ()),
                                         NULL, NULL, NULL);

    g_task_run_in_thread (task, read_icon_theme);
  }

  g_action_map_add_action_entries (G_ACTION_MAP (self), app_actions, G_N_ELEMENTS (app_actions), self);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "app.quit", quit_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "win.show-shortcuts", help_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "app.preferences", preferences_accels);

  self->settings = g_settings_new (APPLICATION_ID);
  self->engine = belfry_media_engine_new ();
  codecs = g_settings_get_strv (self->settings, "codecs");
  belfry_media_engine_set_codecs (self->engine, (const char * const *) codecs);
  g_signal_connect (self->settings, "changed", G_CALLBACK (on_audio_setting_changed), self);
  on_audio_setting_changed (self->settings, "microphone", self);
  on_audio_setting_changed (self->settings, "speaker", self);
  on_audio_setting_changed (self->settings, "ringer", self);

  /* Direct calls listen on every address at SIP's port (or the next free
   * one). BELFRY_LISTEN_ADDRESS and BELFRY_DIRECT_PORT (0 for any free
   * port) move it, so that tests and a second instance stay out of each
   * other's way. */
  {
    const char *address = g_getenv ("BELFRY_LISTEN_ADDRESS");
    const char *port = g_getenv ("BELFRY_DIRECT_PORT");
    guint64 direct_port = 5060;

    if (port != NULL && !g_ascii_string_to_unsigned (port, 10, 0, 65535, &direct_port, NULL))
      direct_port = 5060;
    self->accounts = belfry_account_manager_new (self->settings,
                                                 BELFRY_SESSION_DESCRIPTION_HANDLER_FACTORY (self->engine),
                                                 address ? address : "0.0.0.0", (int) direct_port);
  }
  /* Read in a worker thread: a long history does not hold up the window. */
  self->history = belfry_call_history_new_in_background (NULL);
  self->notifier = belfry_notifier_new ();
  self->calls = belfry_call_manager_new (self->accounts, self->history, self->notifier);
  g_signal_connect_swapped (self->calls, "notify::ringing", G_CALLBACK (on_ringing_changed), self);
  g_signal_connect_swapped (self->calls, "notify::ringback", G_CALLBACK (on_ringback_changed), self);
  g_signal_connect_swapped (self->calls, "notify::ringing", G_CALLBACK (update_call_actions), self);
  g_signal_connect_swapped (belfry_call_manager_get_sessions (self->calls), "items-changed",
                            G_CALLBACK (update_call_actions), self);
  update_call_actions (self);

  g_signal_connect (self, "window-removed", G_CALLBACK (on_window_removed), NULL);
}

static void
unregistered_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  gboolean *done = user_data;

  belfry_account_manager_unregister_all_finish (BELFRY_ACCOUNT_MANAGER (source), result, NULL);
  *done = TRUE;
  g_rc_box_release (done);
}

static void
set_flag (gpointer user_data)
{
  *(gboolean *) user_data = TRUE;
}

/* The last thing a quitting Belfry does on the network: calls are ended
 * and registrations withdrawn, so that the peers and the registrar know,
 * waiting for their answers a few seconds at most (an unreachable
 * registrar would otherwise hold up the quit for 32 s). */
#define SHUTDOWN_WAIT_S 3

static void
belfry_application_shutdown (GApplication *application)
{
  BelfryApplication *self = BELFRY_APPLICATION (application);

  if (self->accounts != NULL && self->calls != NULL) {
    /* Shared with the callback, which may come after the wait gave up. */
    gboolean *done = g_rc_box_new0 (gboolean);
    gboolean timed_out = FALSE;
    guint timeout_id = g_timeout_add_once (SHUTDOWN_WAIT_S * 1000, set_flag, &timed_out);
    GListModel *calls = belfry_call_manager_get_sessions (self->calls);

    belfry_call_manager_hang_up_all (self->calls);
    belfry_account_manager_unregister_all_async (self->accounts, NULL, unregistered_cb,
                                                 g_rc_box_acquire (done));
    while ((!*done || g_list_model_get_n_items (calls) > 0) && !timed_out)
      g_main_context_iteration (NULL, TRUE);
    if (!timed_out)
      g_source_remove (timeout_id);
    g_rc_box_release (done);
  }

  g_clear_object (&self->calls);
  g_clear_object (&self->notifier);
  g_clear_object (&self->history);
  g_clear_object (&self->accounts);
  g_clear_object (&self->engine);
  g_clear_object (&self->settings);

  G_APPLICATION_CLASS (belfry_application_parent_class)->shutdown (application);
}

static void
belfry_application_activate (GApplication *application)
{
  BelfryApplication *self = BELFRY_APPLICATION (application);

  /* Started at login: stay, with no window, when there are calls to ring
   * for; otherwise there is nothing to do. */
  if (self->background_start) {
    self->background_start = FALSE;
    if (g_settings_get_boolean (self->settings, "run-in-background") && has_enabled_account (self) &&
        !self->held_in_background) {
      self->held_in_background = TRUE;
      g_application_hold (application);
    }
    return;
  }

  gtk_window_present (GTK_WINDOW (ensure_window (self)));
}

/* `belfry --background` starts the application without a window (at
 * login); when Belfry already runs, it does nothing. */
static int
belfry_application_handle_local_options (GApplication *application,
                                         GVariantDict *options)
{
  BelfryApplication *self = BELFRY_APPLICATION (application);
  g_autoptr (GError) error = NULL;

  if (!g_variant_dict_contains (options, "background"))
    return -1;

  if (!g_application_register (application, NULL, &error)) {
    g_printerr ("%s\n", error->message);
    return 1;
  }
  if (g_application_get_is_remote (application))
    return 0;
  self->background_start = TRUE;
  return -1;
}

/* sip:, sips:, tel: and callto: links, from the desktop or the command
 * line: offered in the window, dialled only when the person says so. */
static void
belfry_application_open (GApplication  *application,
                         GFile        **files,
                         int            n_files,
                         const char    *hint)
{
  BelfryWindow *window = ensure_window (BELFRY_APPLICATION (application));

  if (n_files > 0) {
    g_autofree char *uri = g_file_get_uri (files[0]);

    if (g_str_has_prefix (uri, "callto:"))
      belfry_window_set_address (window, uri + strlen ("callto:") + (g_str_has_prefix (uri, "callto://") ? 2 : 0));
    else
      belfry_window_set_address (window, uri);
  }
  gtk_window_present (GTK_WINDOW (window));
}

static void
belfry_application_class_init (BelfryApplicationClass *klass)
{
  GApplicationClass *application_class = G_APPLICATION_CLASS (klass);

  application_class->startup = belfry_application_startup;
  application_class->shutdown = belfry_application_shutdown;
  application_class->activate = belfry_application_activate;
  application_class->handle_local_options = belfry_application_handle_local_options;
  application_class->open = belfry_application_open;
}

static void
belfry_application_init (BelfryApplication *self)
{
  g_application_add_main_option (G_APPLICATION (self), "background", 0, G_OPTION_FLAG_NONE, G_OPTION_ARG_NONE,
                                 _("Start without a window, to ring for calls (at login)"), NULL);
}

/**
 * belfry_application_new:
 *
 * Returns: (transfer full): the application
 */
BelfryApplication *
belfry_application_new (void)
{
  return g_object_new (BELFRY_TYPE_APPLICATION,
                       "application-id", APPLICATION_ID,
                       "flags", G_APPLICATION_HANDLES_OPEN,
                       "resource-base-path", RESOURCE_PATH,
                       NULL);
}

/**
 * belfry_application_get_call_manager:
 * @self: the application
 *
 * Returns: (transfer none) (nullable): the call manager, once started up
 */
BelfryCallManager *
belfry_application_get_call_manager (BelfryApplication *self)
{
  g_return_val_if_fail (BELFRY_IS_APPLICATION (self), NULL);

  return self->calls;
}
