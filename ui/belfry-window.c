/* SPDX-License-Identifier: GPL-3.0-or-later */

#define G_LOG_DOMAIN "belfry-window"

#include "config.h"

#include <glib/gi18n.h>

#include "belfry-call-view.h"
#include "belfry-dialer.h"
#include "belfry-format.h"
#include "belfry-invitation.h"
#include "belfry-recent-calls.h"
#include "belfry-window.h"

/**
 * BelfryWindow:
 *
 * Belfry's main window: an address entry with a dial pad and a Call
 * button, the account's status, the recent calls, and one call view a
 * call (two while a second call waits). A call that comes in while the
 * window has the focus shows in a banner here instead of a popup.
 */

enum {
  PROP_0,
  PROP_CALL_MANAGER,
  N_PROPS
};

static GParamSpec *props[N_PROPS];

struct _BelfryWindow {
  AdwApplicationWindow parent_instance;

  BelfryCallManager *call_manager;
  /* BelfrySession -> its BelfryCallView */
  GHashTable *views;
  BelfrySession *banner_session;
  BelfryAccount *status_account;

  /* built when first asked for */
  GtkWindow *shortcuts_window;

  AdwWindowTitle *window_title;
  GtkWidget *back_button;
  GtkMenuButton *menu_button;
  GMenuModel *primary_menu;
  GtkRevealer *banner_revealer;
  GtkLabel *banner_label;
  GtkStack *stack;
  GtkLabel *direct_label;
  BelfryDialer *dialer;
  BelfryRecentCalls *recent_calls;
  /* the day the recent calls' times are told from ("Yesterday", ...),
   * and the timeout that moves it on at midnight */
  GSettings *settings;
  GtkStack *calls_stack;
  GtkWidget *calls_switcher;
};

G_DEFINE_FINAL_TYPE (BelfryWindow, belfry_window, ADW_TYPE_APPLICATION_WINDOW)

static void update_page (BelfryWindow *self);

/* The banner offers the call that rings, unless that call's own view,
 * with its Accept and Decline, is what the window shows. */
static void
update_banner (BelfryWindow *self)
{
  GtkWidget *view = NULL;
  gboolean on_view;

  if (self->banner_session != NULL && self->views != NULL)
    view = g_hash_table_lookup (self->views, self->banner_session);
  on_view = view != NULL && gtk_stack_get_visible_child (self->calls_stack) == view &&
            g_strcmp0 (gtk_stack_get_visible_child_name (self->stack), "calls") == 0;

  if (self->banner_session != NULL && !on_view) {
    gtk_widget_set_visible (GTK_WIDGET (self->banner_revealer), TRUE);
    gtk_revealer_set_reveal_child (self->banner_revealer, TRUE);
  } else {
    gtk_revealer_set_reveal_child (self->banner_revealer, FALSE);
  }
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.accept-incoming", self->banner_session != NULL);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.decline-incoming", self->banner_session != NULL);
}

static void
show_view (BelfryWindow *self,
           GtkWidget    *view)
{
  gtk_stack_set_visible_child (self->calls_stack, view);
  gtk_stack_set_visible_child_name (self->stack, "calls");
}

/* A call that rang while another one was on screen: once answered (in the
 * banner, the notification or its own view), the window turns to it. */
static void
on_waiting_call_state (BelfrySession *session,
                       GParamSpec    *pspec,
                       BelfryWindow  *self)
{
  BelfrySessionState state = belfry_session_get_state (session);
  GtkWidget *view;

  if (state < BELFRY_SESSION_STATE_ESTABLISHED)
    return;
  g_signal_handlers_disconnect_by_func (session, on_waiting_call_state, self);
  view = self->views != NULL ? g_hash_table_lookup (self->views, session) : NULL;
  if (view != NULL && state == BELFRY_SESSION_STATE_ESTABLISHED) {
    show_view (self, view);
    update_page (self);
  }
}

static void
update_page (BelfryWindow *self)
{
  guint calls = g_hash_table_size (self->views);
  gboolean on_calls = g_strcmp0 (gtk_stack_get_visible_child_name (self->stack), "calls") == 0;

  if (calls == 0 && on_calls)
    gtk_stack_set_visible_child_name (self->stack, "dialer");
  gtk_widget_set_visible (self->calls_switcher, calls > 1);
  gtk_widget_set_visible (self->back_button, calls > 0 && on_calls);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.show-calls", calls > 0);
}

static void
on_sessions_changed (GListModel   *sessions,
                     guint         position,
                     guint         removed,
                     guint         added,
                     BelfryWindow *self)
{
  g_autoptr (GHashTable) present = g_hash_table_new (NULL, NULL);
  GHashTableIter iter;
  gpointer key, value;
  GtkWidget *newest = NULL;

  /* The call manager may drop its calls after the window is disposed. */
  if (self->views == NULL)
    return;

  for (guint i = 0; i < g_list_model_get_n_items (sessions); i++) {
    g_autoptr (BelfrySession) session = g_list_model_get_item (sessions, i);

    g_hash_table_add (present, session);
    if (!g_hash_table_contains (self->views, session)) {
      GtkWidget *view = g_object_new (BELFRY_TYPE_CALL_VIEW,
                                      "session", session,
                                      "call-manager", self->call_manager,
                                      NULL);
      BelfryNameAddr *remote = belfry_session_get_remote_identity (session);
      g_autofree char *title = remote ? belfry_name_addr_dup_friendly_name (remote) : NULL;
      gboolean waiting = g_hash_table_size (self->views) > 0 && BELFRY_IS_INVITATION (session) &&
                         belfry_session_get_state (session) < BELFRY_SESSION_STATE_ESTABLISHED;

      gtk_stack_add_titled (self->calls_stack, view, NULL, title ? title : _("Call"));
      g_hash_table_insert (self->views, g_object_ref (session), view);
      /* A second call that rings does not push the one in progress off the
       * screen: the banner or the notification offers it. */
      if (waiting)
        g_signal_connect_object (session, "notify::state", G_CALLBACK (on_waiting_call_state), self, 0);
      else
        newest = view;
    }
  }

  g_hash_table_iter_init (&iter, self->views);
  while (g_hash_table_iter_next (&iter, &key, &value)) {
    if (!g_hash_table_contains (present, key)) {
      gtk_stack_remove (self->calls_stack, value);
      g_hash_table_iter_remove (&iter);
    }
  }

  /* With two calls, each view offers to connect them (attended transfer). */
  g_hash_table_iter_init (&iter, self->views);
  while (g_hash_table_iter_next (&iter, &key, &value)) {
    BelfrySession *other = NULL;

    if (g_hash_table_size (self->views) == 2) {
      GHashTableIter others;
      gpointer other_key;

      g_hash_table_iter_init (&others, self->views);
      while (g_hash_table_iter_next (&others, &other_key, NULL)) {
        if (other_key != key)
          other = other_key;
      }
    }
    belfry_call_view_set_other_session (value, other);
  }

  /* GtkStack shows nothing once its visible child is removed: when a call
   * ends and another one remains (a held call, say), show the latest. */
  if (newest == NULL && gtk_stack_get_visible_child (self->calls_stack) == NULL) {
    guint n = g_list_model_get_n_items (sessions);

    for (guint i = n; i > 0 && newest == NULL; i--) {
      g_autoptr (BelfrySession) session = g_list_model_get_item (sessions, i - 1);

      newest = g_hash_table_lookup (self->views, session);
    }
    if (newest != NULL)
      gtk_stack_set_visible_child (self->calls_stack, newest);
  } else if (newest != NULL) {
    show_view (self, newest);
  }
  update_page (self);
}

static void
update_status (BelfryWindow *self)
{
  BelfryAccountManager *accounts;

  if (self->call_manager == NULL)
    return;

  accounts = belfry_call_manager_get_accounts (self->call_manager);
  BelfryAccount *account = belfry_account_manager_get_default_account (accounts);
  const char *direct = belfry_account_manager_get_direct_address (accounts);

  if (account != self->status_account) {
    if (self->status_account != NULL)
      g_signal_handlers_disconnect_by_func (self->status_account, update_status, self);
    g_set_object (&self->status_account, account);
    if (account != NULL)
      g_signal_connect_object (account, "notify::status-message", G_CALLBACK (update_status), self,
                               G_CONNECT_SWAPPED);
  }

  if (account != NULL) {
    g_autofree char *subtitle = g_strdup_printf ("%s — %s", belfry_account_get_sip_address (account),
                                                 belfry_account_get_status_message (account));

    adw_window_title_set_subtitle (self->window_title, subtitle);
    gtk_widget_set_visible (GTK_WIDGET (self->direct_label), FALSE);
  } else {
    g_autofree char *text = NULL;

    /* The label under the address says it all when there is one. */
    adw_window_title_set_subtitle (self->window_title, direct != NULL ? NULL : _("No account: direct calls only"));
    if (direct != NULL)
      /* Translators: %s is a SIP address such as sip:belfry@192.0.2.1:5060. */
      text = g_strdup_printf (_("Without an account, others can call you at %s"), direct);
    gtk_label_set_label (self->direct_label, text ? text : "");
    gtk_widget_set_visible (GTK_WIDGET (self->direct_label), text != NULL);
  }
}

static void
on_show_banner (BelfryNotifier *notifier,
                BelfrySession  *session,
                BelfryWindow   *self)
{
  g_autofree char *name = belfry_notifier_dup_caller_name (session);
  g_autofree char *text = g_strdup_printf (_("Incoming call from %s"), name);

  g_set_object (&self->banner_session, session);
  gtk_label_set_label (self->banner_label, text);
  update_banner (self);
}

/* The banner is hidden while it has nothing to say, so that the window's
 * size is worked out without it (its labels cost start-up time). */
static void
on_banner_child_revealed (BelfryWindow *self)
{
  if (!gtk_revealer_get_reveal_child (self->banner_revealer) &&
      !gtk_revealer_get_child_revealed (self->banner_revealer))
    gtk_widget_set_visible (GTK_WIDGET (self->banner_revealer), FALSE);
}

static void
on_hide_banner (BelfryNotifier *notifier,
                BelfrySession  *session,
                BelfryWindow   *self)
{
  if (session != NULL && session != self->banner_session)
    return;

  g_clear_object (&self->banner_session);
  update_banner (self);
}

static void
call_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  BelfryWindow *self = BELFRY_WINDOW (widget);
  BelfryAccountManager *accounts = belfry_call_manager_get_accounts (self->call_manager);
  const char *text = belfry_dialer_get_address (self->dialer);
  g_autoptr (GError) error = NULL;
  BelfrySession *session;

  /* An empty or blank address is refused there too, in the same words. */
  session = belfry_call_manager_call (self->call_manager, text,
                                      belfry_account_manager_get_default_account (accounts), &error);
  if (session == NULL) {
    belfry_dialer_show_error (self->dialer, error->message);
    return;
  }

  belfry_dialer_show_error (self->dialer, NULL);
  belfry_dialer_set_address (self->dialer, NULL);
}

/* A click on a recent call calls it back. */
static void
on_call_back (BelfryWindow     *self,
              BelfryCallRecord *record)
{
  belfry_dialer_set_address (self->dialer, belfry_call_record_get_remote_uri (record));
  gtk_widget_activate_action (GTK_WIDGET (self), "win.call", NULL);
}

static void
focus_address_action (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *parameter)
{
  BelfryWindow *self = BELFRY_WINDOW (widget);

  gtk_stack_set_visible_child_name (self->stack, "dialer");
  update_page (self);
  belfry_dialer_focus (self->dialer);
}

/* Typing on the dialer with the focus elsewhere (a recent call, a button)
 * starts the address: the focus goes to the entry with what was typed.
 * Keys that widgets use (Space on a button, the arrows) are theirs first:
 * the window sees only what the focused widget left. */
static gboolean
on_key_pressed (GtkEventControllerKey *controller,
                guint                  keyval,
                guint                  keycode,
                GdkModifierType        state,
                BelfryWindow          *self)
{
  gunichar character = gdk_keyval_to_unicode (keyval);
  GtkWidget *focus = gtk_root_get_focus (GTK_ROOT (self));
  char text[7] = { 0 };

  if (character == 0 || !g_unichar_isgraph (character) ||
      (state & (GDK_CONTROL_MASK | GDK_ALT_MASK | GDK_SUPER_MASK)) != 0 ||
      g_strcmp0 (gtk_stack_get_visible_child_name (self->stack), "dialer") != 0 ||
      (focus != NULL && GTK_IS_EDITABLE (focus)))
    return FALSE;

  g_unichar_to_utf8 (character, text);
  belfry_dialer_type (self->dialer, text);
  return TRUE;
}

static void
show_dialer_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  BelfryWindow *self = BELFRY_WINDOW (widget);

  gtk_stack_set_visible_child_name (self->stack, "dialer");
  update_page (self);
}

static void
show_calls_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  BelfryWindow *self = BELFRY_WINDOW (widget);

  gtk_stack_set_visible_child_name (self->stack, "calls");
  update_page (self);
}

static void
accept_incoming_action (GtkWidget  *widget,
                        const char *action_name,
                        GVariant   *parameter)
{
  BelfryWindow *self = BELFRY_WINDOW (widget);
  g_autoptr (BelfrySession) session = g_steal_pointer (&self->banner_session);

  on_hide_banner (NULL, NULL, self);
  if (session != NULL) {
    GtkWidget *view = g_hash_table_lookup (self->views, session);

    belfry_call_manager_accept (self->call_manager, session);
    if (view != NULL) {
      show_view (self, view);
      update_page (self);
    }
  }
}

static void
decline_incoming_action (GtkWidget  *widget,
                         const char *action_name,
                         GVariant   *parameter)
{
  BelfryWindow *self = BELFRY_WINDOW (widget);
  g_autoptr (BelfrySession) session = g_steal_pointer (&self->banner_session);

  on_hide_banner (NULL, NULL, self);
  if (session != NULL)
    belfry_call_manager_decline (self->call_manager, session);
}

/* The main menu and the shortcuts window are built the first time they are
 * opened, not on the way to the window's first frame. */
static void
create_main_menu (GtkMenuButton *button,
                  gpointer       user_data)
{
  BelfryWindow *self = user_data;

  gtk_menu_button_set_menu_model (button, self->primary_menu);
}

static void
show_shortcuts_action (GtkWidget  *widget,
                       const char *action_name,
                       GVariant   *parameter)
{
  BelfryWindow *self = BELFRY_WINDOW (widget);

  if (self->shortcuts_window == NULL) {
    g_autoptr (GtkBuilder) builder = gtk_builder_new_from_resource (RESOURCE_PATH "/belfry-shortcuts-window.ui");

    self->shortcuts_window = GTK_WINDOW (g_object_ref_sink (gtk_builder_get_object (builder, "shortcuts_window")));
    gtk_window_set_transient_for (self->shortcuts_window, GTK_WINDOW (self));
    gtk_window_set_hide_on_close (self->shortcuts_window, TRUE);
  }
  gtk_window_present (self->shortcuts_window);
}

static void
belfry_window_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  BelfryWindow *self = BELFRY_WINDOW (object);

  switch (prop_id) {
  case PROP_CALL_MANAGER:
    g_value_set_object (value, self->call_manager);
    break;
  default:
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
  }
}

static void
belfry_window_set_property (GObject      *object,
                            guint         prop_id,
                            const GValue *value,
                            GParamSpec   *pspec)
{
  BelfryWindow *self = BELFRY_WINDOW (object);

  switch (prop_id) {
  case PROP_CALL_MANAGER:
    self->call_manager = g_value_dup_object (value);
    break;
  default:
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
  }
}

/* A computer that slept through midnight wakes with the recent calls'
 * midnight timeout late: their times are checked again whenever the
 * window gets the focus. */
static void
on_active_changed (BelfryWindow *self)
{
  g_autoptr (GDateTime) now = NULL;

  if (!gtk_window_is_active (GTK_WINDOW (self)))
    return;
  now = g_date_time_new_now_local ();
  belfry_recent_calls_refresh_times (self->recent_calls, now);
}

static void
belfry_window_constructed (GObject *object)
{
  BelfryWindow *self = BELFRY_WINDOW (object);
  BelfryCallHistory *history;
  BelfryAccountManager *accounts;
  BelfryNotifier *notifier;
  GListModel *sessions;

  G_OBJECT_CLASS (belfry_window_parent_class)->constructed (object);

  g_return_if_fail (self->call_manager != NULL);

  g_signal_connect (self, "notify::is-active", G_CALLBACK (on_active_changed), NULL);

  history = belfry_call_manager_get_history (self->call_manager);
  accounts = belfry_call_manager_get_accounts (self->call_manager);
  notifier = belfry_call_manager_get_notifier (self->call_manager);
  sessions = belfry_call_manager_get_sessions (self->call_manager);

  belfry_recent_calls_set_history (self->recent_calls, history);

  g_signal_connect_object (sessions, "items-changed", G_CALLBACK (on_sessions_changed), self, 0);
  on_sessions_changed (sessions, 0, 0, 0, self);

  g_signal_connect_object (accounts, "items-changed", G_CALLBACK (update_status), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (accounts, "notify::direct-address", G_CALLBACK (update_status), self,
                           G_CONNECT_SWAPPED);
  update_status (self);

  /* While the window has the focus, calls ring in its banner. */
  g_object_bind_property (self, "is-active", notifier, "window-active", G_BINDING_SYNC_CREATE);
  g_signal_connect_object (notifier, "show-banner", G_CALLBACK (on_show_banner), self, 0);
  g_signal_connect_object (notifier, "hide-banner", G_CALLBACK (on_hide_banner), self, 0);
}

static void
belfry_window_dispose (GObject *object)
{
  BelfryWindow *self = BELFRY_WINDOW (object);

  g_clear_pointer (&self->views, g_hash_table_unref);
  g_clear_object (&self->banner_session);
  g_clear_object (&self->status_account);
  g_clear_object (&self->call_manager);
  g_clear_object (&self->settings);
  if (self->shortcuts_window != NULL)
    gtk_window_destroy (self->shortcuts_window);
  g_clear_object (&self->shortcuts_window);

  G_OBJECT_CLASS (belfry_window_parent_class)->dispose (object);
}

static void
belfry_window_class_init (BelfryWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->get_property = belfry_window_get_property;
  object_class->set_property = belfry_window_set_property;
  object_class->constructed = belfry_window_constructed;
  object_class->dispose = belfry_window_dispose;

  /**
   * BelfryWindow:call-manager:
   *
   * The calls, accounts and history the window shows.
   */
  props[PROP_CALL_MANAGER] =
    g_param_spec_object ("call-manager", NULL, NULL, BELFRY_TYPE_CALL_MANAGER,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, props);

  g_type_ensure (BELFRY_TYPE_DIALER);
  g_type_ensure (BELFRY_TYPE_RECENT_CALLS);
  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PATH "/belfry-window.ui");
  gtk_widget_class_bind_template_child (widget_class, BelfryWindow, window_title);
  gtk_widget_class_bind_template_child (widget_class, BelfryWindow, back_button);
  gtk_widget_class_bind_template_child (widget_class, BelfryWindow, menu_button);
  gtk_widget_class_bind_template_child (widget_class, BelfryWindow, primary_menu);
  gtk_widget_class_bind_template_child (widget_class, BelfryWindow, banner_revealer);
  gtk_widget_class_bind_template_child (widget_class, BelfryWindow, banner_label);
  gtk_widget_class_bind_template_child (widget_class, BelfryWindow, stack);
  gtk_widget_class_bind_template_child (widget_class, BelfryWindow, direct_label);
  gtk_widget_class_bind_template_child (widget_class, BelfryWindow, dialer);
  gtk_widget_class_bind_template_child (widget_class, BelfryWindow, recent_calls);
  gtk_widget_class_bind_template_callback (widget_class, on_call_back);
  gtk_widget_class_bind_template_child (widget_class, BelfryWindow, calls_stack);
  gtk_widget_class_bind_template_child (widget_class, BelfryWindow, calls_switcher);
  gtk_widget_class_bind_template_callback (widget_class, on_banner_child_revealed);

  gtk_widget_class_install_action (widget_class, "win.call", NULL, call_action);
  gtk_widget_class_install_action (widget_class, "win.focus-address", NULL, focus_address_action);
  gtk_widget_class_install_action (widget_class, "win.show-dialer", NULL, show_dialer_action);
  gtk_widget_class_install_action (widget_class, "win.show-calls", NULL, show_calls_action);
  gtk_widget_class_install_action (widget_class, "win.accept-incoming", NULL, accept_incoming_action);
  gtk_widget_class_install_action (widget_class, "win.decline-incoming", NULL, decline_incoming_action);
  gtk_widget_class_install_action (widget_class, "win.show-shortcuts", NULL, show_shortcuts_action);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_l, GDK_CONTROL_MASK, "win.focus-address", NULL);
}

static void
belfry_window_init (BelfryWindow *self)
{
  self->views = g_hash_table_new_full (NULL, NULL, g_object_unref, NULL);
  gtk_widget_init_template (GTK_WIDGET (self));
  g_signal_connect_object (self->stack, "notify::visible-child", G_CALLBACK (update_banner), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->calls_stack, "notify::visible-child", G_CALLBACK (update_banner), self,
                           G_CONNECT_SWAPPED);
  gtk_menu_button_set_create_popup_func (self->menu_button, create_main_menu, self, NULL);
  {
    GtkEventController *keys = gtk_event_controller_key_new ();

    g_signal_connect_object (keys, "key-pressed", G_CALLBACK (on_key_pressed), self, 0);
    gtk_widget_add_controller (GTK_WIDGET (self), keys);
  }
  self->settings = g_settings_new (APPLICATION_ID);
  g_settings_bind (self->settings, "show-dial-pad", self->dialer, "dial-pad-visible", G_SETTINGS_BIND_DEFAULT);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.accept-incoming", FALSE);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.decline-incoming", FALSE);
}

/**
 * belfry_window_new:
 * @application: the application
 * @call_manager: the calls, accounts and history to show
 *
 * Returns: (transfer full): a new main window
 */
BelfryWindow *
belfry_window_new (GtkApplication    *application,
                   BelfryCallManager *call_manager)
{
  return g_object_new (BELFRY_TYPE_WINDOW,
                       "application", application,
                       "call-manager", call_manager,
                       NULL);
}

/**
 * belfry_window_set_address:
 * @self: the window
 * @address: an address to offer for calling
 *
 * Puts @address in the entry, ready to call, without calling: a link from
 * another program must not dial by itself.
 */
void
belfry_window_set_address (BelfryWindow *self,
                           const char   *address)
{
  g_return_if_fail (BELFRY_IS_WINDOW (self));

  gtk_stack_set_visible_child_name (self->stack, "dialer");
  update_page (self);
  belfry_dialer_set_address (self->dialer, address);
  gtk_widget_grab_focus (belfry_dialer_get_call_button (self->dialer));
}
