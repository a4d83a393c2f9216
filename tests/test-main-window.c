/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <adwaita.h>

#include "belfry-application.h"
#include "belfry-call-view.h"
#include "belfry-sipp.h"
#include "belfry-test-env.h"
#include "belfry-ui-test.h"
#include "belfry-window.h"

/* The real application on the test's own session bus: type an address in
 * the main window, call sipp, see the call, hang up, find the call in the
 * recent calls. */

static gboolean
stack_shows (gpointer data)
{
  GtkStack *stack = data;

  return g_strcmp0 (gtk_stack_get_visible_child_name (stack), "calls") == 0;
}

static gboolean
view_connected (gpointer data)
{
  GtkStack *calls = data;
  GtkWidget *view = gtk_stack_get_visible_child (calls);
  GtkLabel *state;

  if (view == NULL)
    return FALSE;
  state = GTK_LABEL (gtk_widget_get_template_child (view, BELFRY_TYPE_CALL_VIEW, "state_label"));
  return g_strcmp0 (gtk_label_get_label (state), "Connected") == 0;
}

static gboolean
history_has_row (gpointer data)
{
  return gtk_widget_get_first_child (GTK_WIDGET (data)) != NULL;
}

static gboolean
dialer_shown (gpointer data)
{
  return g_strcmp0 (gtk_stack_get_visible_child_name (data), "dialer") == 0;
}

static gboolean
direct_ready (gpointer data)
{
  return belfry_account_manager_get_direct_address (data) != NULL;
}

static void
test_call_from_window (void)
{
  g_autoptr (BelfryApplication) application = belfry_application_new ();
  g_autoptr (GError) error = NULL;
  g_autoptr (BelfrySipp) sipp = NULL;
  g_autofree char *target = NULL;
  int port = belfry_test_free_port ("127.0.0.1");
  GtkWindow *window;
  GtkStack *stack, *calls_stack;
  GtkEditable *entry;
  GtkWidget *history_list;
  GtkWidget *view;
  g_autoptr (GString) texts = g_string_new (NULL);

  g_assert_true (g_application_register (G_APPLICATION (application), NULL, &error));
  g_assert_no_error (error);
  g_application_activate (G_APPLICATION (application));

  window = gtk_application_get_active_window (GTK_APPLICATION (application));
  g_assert_true (BELFRY_IS_WINDOW (window));
  stack = GTK_STACK (gtk_widget_get_template_child (GTK_WIDGET (window), BELFRY_TYPE_WINDOW, "stack"));
  calls_stack = GTK_STACK (gtk_widget_get_template_child (GTK_WIDGET (window), BELFRY_TYPE_WINDOW, "calls_stack"));
  entry = GTK_EDITABLE (belfry_test_dialer_child (window, "address_entry"));
  history_list = belfry_test_recent_calls_list (window);

  /* An empty address says what is wrong and calls nobody. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.call", NULL));
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (belfry_test_dialer_child (window, "error_label"))));
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (belfry_test_dialer_child (window, "error_label"))),
                   ==, "Type an address or a number to call");
  g_assert_cmpstr (gtk_stack_get_visible_child_name (stack), ==, "dialer");

  /* Typing with the dial pad's action goes into the entry. */
  g_assert_true (gtk_widget_activate_action (belfry_test_dialer (window), "dialer.digit", "s", "7"));
  g_assert_cmpstr (gtk_editable_get_text (entry), ==, "7");

  /* The direct user agent starts asynchronously; a slow machine (or a
   * sanitizer build) is still binding it when the window shows. */
  g_assert_true (belfry_test_wait_until (direct_ready, belfry_call_manager_get_accounts (
    belfry_application_get_call_manager (application)), 10000));

  sipp = belfry_sipp_start ("uas-answer.xml", "u1", "127.0.0.1", port, NULL, NULL);
  target = g_strdup_printf ("sip:sipp@127.0.0.1:%d", port);
  gtk_editable_set_text (entry, target);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.call", NULL));
  if (gtk_widget_get_visible (GTK_WIDGET (belfry_test_dialer_child (window, "error_label"))))
    g_test_message ("the window says: %s", gtk_label_get_label (GTK_LABEL (belfry_test_dialer_child (window, "error_label"))));

  g_assert_true (belfry_test_wait_until (stack_shows, stack, 5000));
  g_assert_true (belfry_test_wait_until (view_connected, calls_stack, 10000));
  view = gtk_stack_get_visible_child (calls_stack);
  g_assert_true (BELFRY_IS_CALL_VIEW (view));
  g_assert_cmpstr (gtk_editable_get_text (entry), ==, "");

  /* Hang up from the call view: sipp waits for the BYE. */
  g_assert_true (gtk_widget_activate_action (view, "call.hang-up", NULL));
  g_assert_cmpint (belfry_sipp_wait (sipp, 10000), ==, 0);
  g_assert_true (belfry_test_wait_until (dialer_shown, stack, 10000));

  /* The call is in the recent calls, and a click calls it back. */
  g_assert_true (belfry_test_wait_until (history_has_row, history_list, 5000));
  belfry_test_collect_labels (gtk_widget_get_first_child (history_list), texts);
  g_assert_true (g_str_has_prefix (texts->str, "Bob Asserted\n"));
  g_assert_nonnull (strstr (texts->str, "Outgoing"));
  g_clear_pointer (&sipp, belfry_sipp_free);
  sipp = belfry_sipp_start ("uas-answer.xml", "u2", "127.0.0.1", port, NULL, NULL);
  g_signal_emit_by_name (history_list, "activate", 0);
  g_assert_true (belfry_test_wait_until (stack_shows, stack, 5000));
  g_assert_true (belfry_test_wait_until (view_connected, calls_stack, 10000));
  g_assert_true (gtk_widget_activate_action (gtk_stack_get_visible_child (calls_stack), "call.hang-up", NULL));
  g_assert_cmpint (belfry_sipp_wait (sipp, 10000), ==, 0);
  g_assert_true (belfry_test_wait_until (dialer_shown, stack, 10000));

  /* Forget it. */
  g_assert_true (gtk_widget_activate_action (belfry_test_recent_calls (window), "recent-calls.clear", NULL));
  g_assert_null (gtk_widget_get_first_child (history_list));

  /* A sip: link from another program is offered, not dialled. */
  {
    g_autoptr (GFile) link = g_file_new_for_uri ("sip:bob@example.org");

    g_application_open (G_APPLICATION (application), &link, 1, "");
  }
  g_assert_true (gtk_application_get_active_window (GTK_APPLICATION (application)) == window);
  g_assert_cmpstr (gtk_editable_get_text (entry), ==, "sip:bob@example.org");
  g_assert_cmpstr (gtk_stack_get_visible_child_name (stack), ==, "dialer");
  g_assert_cmpuint (g_list_model_get_n_items (belfry_call_manager_get_sessions (
    belfry_application_get_call_manager (application))), ==, 0);

  gtk_window_destroy (window);
}

int
main (int   argc,
      char *argv[])
{
  belfry_test_init (&argc, &argv);

  g_test_add_func ("/belfry/main-window/call", test_call_from_window);

  return g_test_run ();
}
