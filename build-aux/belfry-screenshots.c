/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Takes the screenshots of the README and the metainfo: the real
 * application, real calls to and from a second user agent on loopback,
 * each window rendered to a PNG by GTK itself.
 *
 *   build-aux/take-screenshots.sh [OUTPUT-DIR]
 */
#include "config.h"

#include <adwaita.h>
#include <glib/gi18n.h>
#include <locale.h>

#include "belfry-application.h"
#include "belfry-call-manager.h"
#include "belfry-invitation.h"
#include "belfry-inviter.h"
#include "belfry-media-engine.h"
#include "belfry-preferences-window.h"
#include "belfry-user-agent.h"
#include "belfry-window.h"

static gboolean
tick_cb (gpointer data)
{
  return G_SOURCE_CONTINUE;
}

static gboolean
wait_until (gboolean (*condition) (gpointer), gpointer data, guint timeout_ms)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) timeout_ms * 1000;
  guint tick = g_timeout_add (10, tick_cb, NULL);
  gboolean met;

  while (!(met = condition (data)) && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (tick);
  return met;
}

static gboolean
never (gpointer data)
{
  return FALSE;
}

/* Lets GTK lay out and draw for a moment. */
static void
settle (guint ms)
{
  wait_until (never, NULL, ms);
}

static void
save_png (GtkWidget  *widget,
          const char *dir,
          const char *name)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  g_autoptr (GdkPaintable) paintable = gtk_widget_paintable_new (widget);
  int width = gtk_widget_get_width (widget);
  int height = gtk_widget_get_height (widget);
  GtkSnapshot *snapshot = gtk_snapshot_new ();
  g_autoptr (GskRenderNode) node = NULL;
  g_autoptr (GdkTexture) texture = NULL;
  GskRenderer *renderer = gtk_native_get_renderer (gtk_widget_get_native (widget));

  gdk_paintable_snapshot (paintable, snapshot, width, height);
  node = gtk_snapshot_free_to_node (snapshot);
  texture = gsk_renderer_render_texture (renderer, node, &GRAPHENE_RECT_INIT (0, 0, width, height));
  if (!gdk_texture_save_to_png (texture, path))
    g_error ("Could not write %s", path);
  g_print ("%s\n", path);
}

static void
on_invite (BelfryUserAgent  *user_agent,
           BelfryInvitation *invitation,
           gpointer          data)
{
  /* The call lives as long as someone holds it. */
  g_ptr_array_add (data, g_object_ref (invitation));
  belfry_invitation_progress (invitation, 180);
  belfry_invitation_accept_async (invitation, NULL, NULL, NULL);
}

typedef struct {
  GListModel *sessions;
  BelfrySessionState state;
} Wait;

static gboolean
first_session_in (gpointer data)
{
  Wait *wait = data;
  g_autoptr (BelfrySession) session = g_list_model_get_item (wait->sessions, 0);

  return session != NULL && belfry_session_get_state (session) == wait->state;
}

static gboolean
no_session (gpointer data)
{
  return g_list_model_get_n_items (data) == 0;
}

static void
started_cb (GObject *source, GAsyncResult *result, gpointer data)
{
  *(gboolean *) data = TRUE;
}

static gboolean
flag_set (gpointer data)
{
  return *(gboolean *) data;
}

int
main (int   argc,
      char *argv[])
{
  const char *dir = argc > 1 ? argv[1] : "data/screenshots";
  g_autoptr (BelfryApplication) application = NULL;
  g_autoptr (BelfryMediaEngine) engine = NULL;
  g_autoptr (BelfryUserAgent) peer = NULL;
  g_autoptr (BelfryNameAddr) alice = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *target = NULL;
  gboolean started = FALSE;
  BelfryCallManager *calls;
  GListModel *sessions;
  GtkWindow *window;
  GtkWidget *preferences;
  g_autoptr (GPtrArray) answered = g_ptr_array_new_with_free_func (g_object_unref);
  Wait wait;

  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, g_getenv ("BELFRY_LOCALEDIR") ? g_getenv ("BELFRY_LOCALEDIR") : LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  g_mkdir_with_parents (dir, 0755);
  application = belfry_application_new ();
  if (!g_application_register (G_APPLICATION (application), NULL, &error))
    g_error ("%s", error->message);
  g_application_activate (G_APPLICATION (application));
  window = gtk_application_get_active_window (GTK_APPLICATION (application));
  gtk_window_set_default_size (window, 720, 640);
  calls = belfry_application_get_call_manager (application);
  sessions = belfry_call_manager_get_sessions (calls);

  /* The other side: a user agent that answers, on loopback. */
  alice = belfry_name_addr_parse ("\"Alice Martin\" <sip:alice@127.0.0.1>", NULL);
  engine = belfry_media_engine_new ();
  belfry_media_engine_set_bind_address (engine, "127.0.0.1");
  peer = belfry_user_agent_new (alice, "127.0.0.1", 0, BELFRY_SESSION_DESCRIPTION_HANDLER_FACTORY (engine));
  g_signal_connect (peer, "invite", G_CALLBACK (on_invite), answered);
  belfry_user_agent_start_async (peer, NULL, started_cb, &started);
  wait_until (flag_set, &started, 5000);

  /* A call in progress, after a few seconds. */
  target = g_strdup_printf ("Alice Martin <sip:alice@127.0.0.1:%d>", belfry_user_agent_get_port (peer));
  g_action_group_activate_action (G_ACTION_GROUP (application), "call", g_variant_new_string (target));
  wait = (Wait) { sessions, BELFRY_SESSION_STATE_ESTABLISHED };
  if (!wait_until (first_session_in, &wait, 10000))
    g_error ("The call was not answered");
  settle (3200);
  save_png (GTK_WIDGET (window), dir, "call.png");
  {
    g_autoptr (BelfrySession) session = g_list_model_get_item (sessions, 0);

    belfry_call_manager_hang_up (calls, session);
  }
  wait_until (no_session, sessions, 10000);

  /* An incoming call while the window has the focus: its view offers
   * Decline and Accept (the banner is for a call that rings during another). */
  g_object_set (belfry_call_manager_get_notifier (calls), "window-active", TRUE, NULL);
  {
    BelfryAccountManager *accounts = belfry_call_manager_get_accounts (calls);
    g_autoptr (BelfryNameAddr) bob = belfry_name_addr_parse ("\"Bob Dupont\" <sip:bob@127.0.0.1>", NULL);
    g_autoptr (BelfryUserAgent) caller = belfry_user_agent_new (bob, "127.0.0.1", 0, NULL);
    g_autoptr (BelfryNameAddr) us = NULL;
    g_autoptr (BelfrySession) call = NULL;
    g_autofree char *uri = NULL;
    BelfryUserAgent *ours = belfry_account_manager_get_user_agent (accounts, NULL);

    started = FALSE;
    belfry_user_agent_start_async (caller, NULL, started_cb, &started);
    wait_until (flag_set, &started, 5000);
    uri = g_strdup_printf ("sip:belfry@127.0.0.1:%d", belfry_user_agent_get_port (ours));
    us = belfry_name_addr_parse (uri, NULL);
    call = BELFRY_SESSION (belfry_inviter_new (caller, us));
    belfry_session_invite_async (call, NULL, NULL, NULL, NULL);
    wait = (Wait) { sessions, BELFRY_SESSION_STATE_ESTABLISHING };
    wait_until (first_session_in, &wait, 10000);
    settle (800);
    save_png (GTK_WIDGET (window), dir, "incoming.png");
    gtk_widget_activate_action (GTK_WIDGET (window), "win.decline-incoming", NULL);
    wait_until (no_session, sessions, 10000);
    settle (500);
  }

  /* The main window with its recent calls. */
  gtk_widget_activate_action (GTK_WIDGET (window), "win.focus-address", NULL);
  settle (800);
  save_png (GTK_WIDGET (window), dir, "main.png");

  /* The preferences. */
  g_action_group_activate_action (G_ACTION_GROUP (application), "preferences", NULL);
  settle (300);
  preferences = NULL;
  for (GList *l = gtk_application_get_windows (GTK_APPLICATION (application)); l; l = l->next) {
    if (l->data != window)
      preferences = l->data;
  }
  if (preferences == NULL)
    g_error ("No preferences window");
  gtk_window_set_default_size (GTK_WINDOW (preferences), 640, 560);
  settle (800);
  save_png (preferences, dir, "preferences.png");

  gtk_window_destroy (GTK_WINDOW (preferences));
  gtk_window_destroy (window);
  return 0;
}
