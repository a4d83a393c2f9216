/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <adwaita.h>

#include "belfry-application.h"
#include "belfry-call-view.h"
#include "belfry-notification-server.h"
#include "belfry-sipp.h"
#include "belfry-test-env.h"
#include "belfry-ui-test.h"
#include "belfry-window.h"

/* Call waiting in the real application: the person talks to one sipp
 * (which checks the hold and resume offers), a second sipp calls, the
 * person answers it the way the desktop offers it, the first call goes on
 * hold, both calls show in the window, and after the second call the first
 * one is taken back. And a call that rings alone: its view answers it. */

/* One application, registered once on the test's bus, for every test. */
static BelfryApplication *application;

typedef struct {
  GtkWidget *view;
  const char *state;
} StateWait;

static GtkWidget *
view_child (GtkWidget  *view,
            const char *name)
{
  return GTK_WIDGET (gtk_widget_get_template_child (view, BELFRY_TYPE_CALL_VIEW, name));
}

static const char *
view_state (GtkWidget *view)
{
  return gtk_label_get_label (GTK_LABEL (view_child (view, "state_label")));
}

static gboolean
view_in_state (gpointer data)
{
  StateWait *wait = data;

  return g_strcmp0 (view_state (wait->view), wait->state) == 0;
}

static void
assert_view_reaches (GtkWidget  *view,
                     const char *state)
{
  StateWait wait = { view, state };

  if (!belfry_test_wait_until (view_in_state, &wait, 15000))
    g_error ("the call view says “%s”, not “%s”", view_state (view), state);
}

/* The call view that shows @session, among the window's calls. */
static GtkWidget *
find_view (GtkStack      *calls_stack,
           BelfrySession *session)
{
  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (calls_stack)); child != NULL;
       child = gtk_widget_get_next_sibling (child)) {
    if (BELFRY_IS_CALL_VIEW (child) && belfry_call_view_get_session (BELFRY_CALL_VIEW (child)) == session)
      return child;
  }
  return NULL;
}

typedef struct {
  GListModel *sessions;
  guint count;
} CountWait;

static gboolean
sessions_are (gpointer data)
{
  CountWait *wait = data;

  return g_list_model_get_n_items (wait->sessions) == wait->count;
}

typedef struct {
  GtkWidget *parent;
  guint count;
} ChildrenWait;

static gboolean
children_are (gpointer data)
{
  ChildrenWait *wait = data;

  return belfry_test_count_children (wait->parent) == wait->count;
}

typedef struct {
  BelfryWindow *window;
  BelfryNotifications *notifications;
} RingWait;

static gboolean
banner_shown (BelfryWindow *window)
{
  GtkRevealer *banner = GTK_REVEALER (gtk_widget_get_template_child (GTK_WIDGET (window), BELFRY_TYPE_WINDOW,
                                                                     "banner_revealer"));

  /* Hidden while it has nothing to say; shown and revealed when a call rings. */
  return gtk_widget_get_visible (GTK_WIDGET (banner)) && gtk_revealer_get_reveal_child (banner);
}

/* The second call rings: in the window's banner or in a notification. */
static gboolean
rings_somewhere (gpointer data)
{
  RingWait *wait = data;
  g_autoptr (GPtrArray) lines = belfry_notifications_lines (wait->notifications, "Notify ");

  return banner_shown (wait->window) || lines->len > 0;
}

static gboolean
direct_ready (gpointer data)
{
  return belfry_account_manager_get_direct_address (data) != NULL;
}

/* The application's window, once its direct-call user agent listens. */
typedef struct {
  GtkWindow *window;
  GtkStack *calls_stack;
  BelfryCallManager *manager;
  GListModel *sessions;
  int direct_port;
} App;

static App
open_window (void)
{
  App app = { 0 };
  BelfryAccountManager *accounts;

  g_application_activate (G_APPLICATION (application));
  app.window = gtk_application_get_active_window (GTK_APPLICATION (application));
  g_assert_true (BELFRY_IS_WINDOW (app.window));
  app.calls_stack = GTK_STACK (gtk_widget_get_template_child (GTK_WIDGET (app.window), BELFRY_TYPE_WINDOW,
                                                             "calls_stack"));
  app.manager = belfry_application_get_call_manager (application);
  accounts = belfry_call_manager_get_accounts (app.manager);
  app.sessions = belfry_call_manager_get_sessions (app.manager);
  g_assert_true (belfry_test_wait_until (direct_ready, accounts, 5000));
  app.direct_port = belfry_user_agent_get_port (belfry_account_manager_get_user_agent (accounts, NULL));
  return app;
}

/* Hangs up the last call from its view: its sipp takes the BYE, and the
 * call manager has no call left. */
static void
hang_up_last (App        *app,
              GtkWidget  *view,
              BelfrySipp *sipp)
{
  CountWait count_wait = { app->sessions, 0 };

  g_assert_true (gtk_widget_activate_action (view, "call.hang-up", NULL));
  g_assert_cmpint (belfry_sipp_wait (sipp, 15000), ==, 0);
  g_assert_true (belfry_test_wait_until (sessions_are, &count_wait, 10000));
}

static void
test_call_waiting (void)
{
  g_autoptr (BelfrySipp) first_sipp = NULL;
  g_autoptr (BelfrySipp) second_sipp = NULL;
  g_autoptr (BelfrySession) first = NULL;
  g_autoptr (BelfrySession) second = NULL;
  g_autofree char *target = NULL;
  g_autofree char *remote = NULL;
  BelfryNotifications notifications = { 0 };
  App app;
  BelfryCallManager *manager;
  GListModel *sessions;
  GtkWindow *window;
  GtkStack *calls_stack;
  GtkWidget *first_view, *second_view;
  int first_port = belfry_test_free_port ("127.0.0.1");
  CountWait count_wait;
  ChildrenWait children_wait;
  RingWait ring_wait;

  belfry_notifications_start (&notifications);
  app = open_window ();
  window = app.window;
  calls_stack = app.calls_stack;
  manager = app.manager;
  sessions = app.sessions;

  /* The first call, placed from the window: sipp answers, and will insist
   * on a=sendonly, then a=sendrecv, then a BYE. */
  first_sipp = belfry_sipp_start ("uas-hold.xml", "u1", "127.0.0.1", first_port, NULL, NULL);
  target = g_strdup_printf ("sip:sipp@127.0.0.1:%d", first_port);
  belfry_window_set_address (BELFRY_WINDOW (window), target);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.call", NULL));
  g_assert_cmpuint (g_list_model_get_n_items (sessions), ==, 1);
  first = g_list_model_get_item (sessions, 0);
  first_view = find_view (calls_stack, first);
  g_assert_nonnull (first_view);
  assert_view_reaches (first_view, "Connected");

  /* The second call comes in while the first one talks. */
  remote = g_strdup_printf ("127.0.0.1:%d", app.direct_port);
  second_sipp = belfry_sipp_start ("uac-wait-bye.xml", "u1", "127.0.0.1", belfry_test_free_port ("127.0.0.1"),
                                   remote, NULL);
  count_wait = (CountWait) { sessions, 2 };
  g_assert_true (belfry_test_wait_until (sessions_are, &count_wait, 10000));
  second = g_list_model_get_item (sessions, 1);
  g_assert_true (belfry_call_manager_get_ringing (manager));
  /* The call in progress stays on screen; the ringing one has its view,
   * with Decline and Accept, a click on the switcher away. */
  g_assert_true (gtk_stack_get_visible_child (calls_stack) == first_view);
  second_view = find_view (calls_stack, second);
  g_assert_nonnull (second_view);
  g_assert_true (gtk_widget_get_visible (view_child (second_view, "accept_button")));
  g_assert_false (gtk_widget_get_visible (view_child (second_view, "hold_button")));

  /* It rings where the person would see it: the banner while the window
   * has the focus, a notification with Accept otherwise. */
  ring_wait = (RingWait) { BELFRY_WINDOW (window), &notifications };
  g_assert_true (belfry_test_wait_until (rings_somewhere, &ring_wait, 10000));
  if (gtk_window_is_active (window)) {
    g_autoptr (GPtrArray) lines = belfry_notifications_lines (&notifications, "Notify ");
    GtkLabel *banner_label = GTK_LABEL (gtk_widget_get_template_child (GTK_WIDGET (window), BELFRY_TYPE_WINDOW,
                                                                       "banner_label"));

    g_test_message ("the window is active: the call rings in its banner");
    g_assert_true (banner_shown (BELFRY_WINDOW (window)));
    g_assert_cmpstr (gtk_label_get_label (banner_label), ==, "Incoming call from Waiting Caller");
    /* No popup over the window the person is looking at. */
    g_assert_cmpuint (lines->len, ==, 0);
    g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.accept-incoming", NULL));
    g_assert_false (banner_shown (BELFRY_WINDOW (window)));
  } else {
    g_autoptr (GPtrArray) lines = belfry_notifications_lines (&notifications, "Notify ");
    g_autoptr (GVariant) parameters = NULL;
    g_autofree const char **actions = NULL;
    const char *summary;
    guint id;

    g_test_message ("the window is not active: the call rings in a notification");
    g_assert_false (banner_shown (BELFRY_WINDOW (window)));
    g_assert_cmpuint (lines->len, ==, 1);
    parameters = belfry_notifications_parse_notify (lines->pdata[0], &id);
    g_variant_get_child (parameters, 3, "&s", &summary);
    g_variant_get_child (parameters, 5, "^a&s", &actions);
    g_assert_cmpstr (summary, ==, "Waiting Caller");
    g_assert_cmpstr (actions[0], ==, "accept");
    belfry_notifications_invoke_action (id, "accept");
  }

  /* Answered: the first call is on hold (sipp has checked a=sendonly), the
   * second talks, and the window shows both, the second in front. */
  g_assert_true (find_view (calls_stack, second) == second_view);
  assert_view_reaches (second_view, "Connected");
  assert_view_reaches (first_view, "On hold");
  g_assert_true (belfry_call_view_get_on_hold (BELFRY_CALL_VIEW (first_view)));
  g_assert_false (belfry_call_view_get_on_hold (BELFRY_CALL_VIEW (second_view)));
  g_assert_cmpstr (gtk_button_get_label (GTK_BUTTON (view_child (first_view, "hold_button"))), ==, "_Resume");
  g_assert_cmpuint (belfry_test_count_children (GTK_WIDGET (calls_stack)), ==, 2);
  g_assert_true (find_view (calls_stack, first) == first_view);
  g_assert_true (gtk_stack_get_visible_child (calls_stack) == second_view);
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (gtk_widget_get_template_child (GTK_WIDGET (window),
                                                                                   BELFRY_TYPE_WINDOW,
                                                                                   "calls_switcher"))));
  g_assert_false (belfry_call_manager_get_ringing (manager));

  /* Hang up the second call: its sipp gets the BYE, its view goes. */
  g_assert_true (gtk_widget_activate_action (second_view, "call.hang-up", NULL));
  g_assert_cmpint (belfry_sipp_wait (second_sipp, 15000), ==, 0);
  children_wait = (ChildrenWait) { GTK_WIDGET (calls_stack), 1 };
  g_assert_true (belfry_test_wait_until (children_are, &children_wait, 10000));
  g_assert_true (gtk_stack_get_visible_child (calls_stack) == first_view);
  g_assert_cmpstr (gtk_stack_get_visible_child_name (GTK_STACK (gtk_widget_get_template_child (
    GTK_WIDGET (window), BELFRY_TYPE_WINDOW, "stack"))), ==, "calls");
  g_assert_cmpstr (view_state (first_view), ==, "On hold");

  /* Take the first call back from its view: sipp checks a=sendrecv. */
  g_assert_true (gtk_widget_activate_action (first_view, "call.hold", NULL));
  assert_view_reaches (first_view, "Connected");
  g_assert_false (belfry_call_view_get_on_hold (BELFRY_CALL_VIEW (first_view)));
  g_assert_cmpstr (gtk_button_get_label (GTK_BUTTON (view_child (first_view, "hold_button"))), ==, "_Hold");
  g_assert_false (belfry_call_manager_get_held (manager, first));

  hang_up_last (&app, first_view, first_sipp);

  gtk_window_destroy (window);
  belfry_notifications_stop (&notifications);
}

static gboolean
manager_ringing (gpointer data)
{
  return belfry_call_manager_get_ringing (data);
}

static gboolean
view_is_visible (gpointer data)
{
  GtkWidget *view = data;
  GtkWidget *stack = gtk_widget_get_parent (view);

  return gtk_widget_get_mapped (view) && gtk_stack_get_visible_child (GTK_STACK (stack)) == view;
}

/* One call comes in while the window has the focus and no other call:
 * the window shows its view, which offers Decline and Accept and nothing
 * that needs a call in progress; no banner repeats them, no popup covers
 * the window. Accept in the view answers (sipp checks the 200's
 * a=sendrecv), and the view then offers the controls of a call. */
static void
test_answer_in_view (void)
{
  g_autoptr (BelfrySipp) sipp = NULL;
  g_autoptr (BelfrySession) session = NULL;
  g_autoptr (GPtrArray) lines = NULL;
  g_autofree char *remote = NULL;
  BelfryNotifications notifications = { 0 };
  App app;
  GListModel *sessions;
  GtkWindow *window;
  GtkWidget *view;
  CountWait count_wait;

  belfry_notifications_start (&notifications);
  app = open_window ();
  window = app.window;
  sessions = app.sessions;
  belfry_test_focus_window (window, "Belfry");

  remote = g_strdup_printf ("127.0.0.1:%d", app.direct_port);
  sipp = belfry_sipp_start ("uac-wait-bye.xml", "u1", "127.0.0.1", belfry_test_free_port ("127.0.0.1"), remote,
                            NULL);
  count_wait = (CountWait) { sessions, 1 };
  g_assert_true (belfry_test_wait_until (sessions_are, &count_wait, 10000));
  session = g_list_model_get_item (sessions, 0);
  g_assert_true (belfry_test_wait_until (manager_ringing, app.manager, 10000));
  view = find_view (app.calls_stack, session);
  g_assert_nonnull (view);
  g_assert_true (belfry_test_wait_until (view_is_visible, view, 5000));
  g_assert_cmpstr (view_state (view), ==, "Incoming call");
  g_assert_true (gtk_widget_get_visible (view_child (view, "accept_button")));
  g_assert_true (gtk_widget_get_visible (view_child (view, "hang_up_button")));
  g_assert_cmpstr (gtk_button_get_label (GTK_BUTTON (view_child (view, "hang_up_button"))), ==, "_Decline");
  for (guint i = 0; i < 4; i++) {
    const char *names[] = { "hold_button", "mute_button", "keypad_button", "transfer_button" };

    g_assert_false (gtk_widget_get_visible (view_child (view, names[i])));
  }
  g_assert_false (banner_shown (BELFRY_WINDOW (window)));
  lines = belfry_notifications_lines (&notifications, "Notify ");
  g_assert_cmpuint (lines->len, ==, 0);

  g_assert_true (gtk_widget_activate_action (view, "call.accept", NULL));
  assert_view_reaches (view, "Connected");
  g_assert_false (gtk_widget_get_visible (view_child (view, "accept_button")));
  g_assert_true (gtk_widget_get_visible (view_child (view, "hold_button")));
  g_assert_cmpstr (gtk_button_get_label (GTK_BUTTON (view_child (view, "hang_up_button"))), ==, "Hang _Up");

  hang_up_last (&app, view, sipp);

  gtk_window_destroy (window);
  belfry_notifications_stop (&notifications);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr (GError) error = NULL;
  int status;

  belfry_test_init (&argc, &argv);

  application = belfry_application_new ();
  g_assert_true (g_application_register (G_APPLICATION (application), NULL, &error));
  g_assert_no_error (error);

  g_test_add_func ("/belfry/call-waiting/hold-answer-resume", test_call_waiting);
  g_test_add_func ("/belfry/call-waiting/answer-in-view", test_answer_in_view);

  status = g_test_run ();
  g_clear_object (&application);
  return status;
}
