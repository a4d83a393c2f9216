/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <adwaita.h>

#include "belfry-application.h"
#include "belfry-call-view.h"
#include "belfry-sipp.h"
#include "belfry-test-env.h"
#include "belfry-window.h"

/* The application's call actions as another program uses them: gapplication
 * asks the running Belfry, over the test's own session bus, to accept, hang
 * up and decline calls from sipp. */

static BelfryApplication *application;

typedef struct {
  const char *action;
  gboolean enabled;
} ActionWait;

static gboolean
action_is (gpointer data)
{
  ActionWait *wait = data;

  return g_action_group_get_action_enabled (G_ACTION_GROUP (application), wait->action) == wait->enabled;
}

static void
wait_action (const char *action,
             gboolean    enabled)
{
  ActionWait wait = { action, enabled };

  if (!belfry_test_wait_until (action_is, &wait, 15000))
    g_error ("app.%s did not become %s", action, enabled ? "enabled" : "disabled");
}

static gboolean
subprocess_done (gpointer data)
{
  return *(gboolean *) data;
}

static void
subprocess_wait_cb (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_subprocess_wait_finish (G_SUBPROCESS (source), result, NULL);
  *(gboolean *) user_data = TRUE;
}

/* `gapplication action org.belfry.Belfry ACTION`, while this process's main
 * loop runs to answer it. */
static void
gapplication_action (const char *action)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GSubprocess) tool = g_subprocess_new (G_SUBPROCESS_FLAGS_NONE, &error, "gapplication", "action",
                                                   "org.belfry.Belfry", action, NULL);
  gboolean done = FALSE;

  g_assert_no_error (error);
  g_subprocess_wait_async (tool, NULL, subprocess_wait_cb, &done);
  g_assert_true (belfry_test_wait_until (subprocess_done, &done, 15000));
  g_assert_true (g_subprocess_get_successful (tool));
}

static gboolean
direct_ready (gpointer data)
{
  return belfry_account_manager_get_direct_address (data) != NULL;
}

static gboolean
history_holds_three (gpointer data)
{
  return g_list_model_get_n_items (data) == 3;
}

static void
test_call_actions (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (BelfrySipp) sipp = NULL;
  g_autofree char *remote = NULL;
  BelfryCallManager *manager;
  BelfryAccountManager *accounts;

  application = belfry_application_new ();
  g_assert_true (g_application_register (G_APPLICATION (application), NULL, &error));
  g_assert_no_error (error);
  g_application_activate (G_APPLICATION (application));
  manager = belfry_application_get_call_manager (application);
  accounts = belfry_call_manager_get_accounts (manager);
  g_assert_true (belfry_test_wait_until (direct_ready, accounts, 10000));
  remote = g_strdup_printf ("127.0.0.1:%d",
                            belfry_user_agent_get_port (belfry_account_manager_get_user_agent (accounts, NULL)));

  /* Nothing to act on yet. */
  g_assert_false (g_action_group_get_action_enabled (G_ACTION_GROUP (application), "accept"));
  g_assert_false (g_action_group_get_action_enabled (G_ACTION_GROUP (application), "decline"));
  g_assert_false (g_action_group_get_action_enabled (G_ACTION_GROUP (application), "hang-up"));

  /* A call comes in: accept it from another program, then hang up from
   * another program; sipp waits for the 200, then for the BYE. */
  sipp = belfry_sipp_start ("uac-wait-bye.xml", "u1", "127.0.0.1", belfry_test_free_port ("127.0.0.1"), remote,
                            NULL);
  wait_action ("accept", TRUE);
  g_assert_true (g_action_group_get_action_enabled (G_ACTION_GROUP (application), "decline"));
  g_assert_false (g_action_group_get_action_enabled (G_ACTION_GROUP (application), "hang-up"));
  gapplication_action ("accept");
  wait_action ("hang-up", TRUE);
  wait_action ("accept", FALSE);
  gapplication_action ("hang-up");
  g_assert_cmpint (belfry_sipp_wait (sipp, 15000), ==, 0);
  wait_action ("hang-up", FALSE);
  g_clear_pointer (&sipp, belfry_sipp_free);

  /* Another one: declined from another program, which sipp sees as 603. */
  sipp = belfry_sipp_start ("uac-declined.xml", "u1", "127.0.0.1", belfry_test_free_port ("127.0.0.1"), remote,
                            NULL);
  wait_action ("decline", TRUE);
  gapplication_action ("decline");
  g_assert_cmpint (belfry_sipp_wait (sipp, 15000), ==, 0);
  wait_action ("decline", FALSE);
  g_clear_pointer (&sipp, belfry_sipp_free);

  /* A third, declined with the red button of its call view, which says
   * Decline while the call rings: 603 again, and the history says so. */
  sipp = belfry_sipp_start ("uac-declined.xml", "u1", "127.0.0.1", belfry_test_free_port ("127.0.0.1"), remote,
                            NULL);
  wait_action ("decline", TRUE);
  {
    GtkWidget *window = GTK_WIDGET (gtk_application_get_active_window (GTK_APPLICATION (application)));
    GtkStack *calls_stack = GTK_STACK (gtk_widget_get_template_child (window, BELFRY_TYPE_WINDOW, "calls_stack"));
    GtkWidget *view = gtk_stack_get_visible_child (calls_stack);
    BelfryCallHistory *history = belfry_call_manager_get_history (manager);
    g_autoptr (BelfryCallRecord) record = NULL;

    g_assert_true (BELFRY_IS_CALL_VIEW (view));
    g_assert_cmpstr (gtk_button_get_label (GTK_BUTTON (gtk_widget_get_template_child (
      view, BELFRY_TYPE_CALL_VIEW, "hang_up_button"))), ==, "_Decline");
    g_assert_true (gtk_widget_activate_action (view, "call.hang-up", NULL));
    g_assert_cmpint (belfry_sipp_wait (sipp, 15000), ==, 0);
    wait_action ("decline", FALSE);
    g_assert_true (belfry_test_wait_until (history_holds_three, history, 5000));
    record = g_list_model_get_item (G_LIST_MODEL (history), 0);
    g_assert_cmpint (belfry_call_record_get_outcome (record), ==, BELFRY_CALL_OUTCOME_DECLINED);
  }

  gtk_window_destroy (gtk_application_get_active_window (GTK_APPLICATION (application)));
  g_clear_object (&application);
}

int
main (int   argc,
      char *argv[])
{
  belfry_test_init (&argc, &argv);

  g_test_add_func ("/belfry/app-actions/accept-hang-up-decline", test_call_actions);

  return g_test_run ();
}
