/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <adwaita.h>
#include <unistd.h>

#include "belfry-application.h"
#include "belfry-call-view.h"
#include "belfry-sipp.h"
#include "belfry-test-env.h"
#include "belfry-ui-test.h"
#include "belfry-window.h"

/* Every control a person can operate has an accessible name: the real
 * application, with GTK's AT-SPI backend on the accessibility bus that the
 * private session bus starts, is walked by tests/accessibility-walker as a
 * screen reader would see it, in the main window, during a call (with the
 * keypad and transfer popovers open) and in every page of the preferences
 * and the account editor. */

static BelfryApplication *application;

typedef struct {
  GSubprocess *walker;
  gboolean done;
  char *output;
} Walk;

static void
walk_done_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  Walk *walk = user_data;
  g_autoptr (GError) error = NULL;

  g_subprocess_communicate_utf8_finish (G_SUBPROCESS (object), result, &walk->output, NULL, &error);
  g_assert_no_error (error);
  walk->done = TRUE;
}

static gboolean
walk_finished (gpointer data)
{
  return ((Walk *) data)->done;
}

/* Runs the walker over the application while this process keeps its main
 * loop running to answer it; @expected are names that must be found. */
static void
assert_every_control_named (const char * const *expected)
{
  g_autoptr (GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GError) error = NULL;
  Walk walk = { 0 };

  g_ptr_array_add (argv, g_strdup ("/usr/bin/python3"));
  g_ptr_array_add (argv, g_test_build_filename (G_TEST_DIST, "accessibility-walker", NULL));
  g_ptr_array_add (argv, g_strdup_printf ("%d", (int) getpid ()));
  for (guint i = 0; expected != NULL && expected[i] != NULL; i++)
    g_ptr_array_add (argv, g_strdup (expected[i]));
  g_ptr_array_add (argv, NULL);

  walk.walker = g_subprocess_newv ((const char * const *) argv->pdata, G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8_async (walk.walker, NULL, NULL, walk_done_cb, &walk);
  if (!belfry_test_wait_until (walk_finished, &walk, 60000)) {
    g_subprocess_force_exit (walk.walker);
    belfry_test_wait_until (walk_finished, &walk, 5000);
    g_error ("the accessibility walker did not finish within 60 s");
  }

  g_test_message ("%s", walk.output);
  g_subprocess_wait (walk.walker, NULL, NULL);
  if (!g_subprocess_get_if_exited (walk.walker) || g_subprocess_get_exit_status (walk.walker) != 0)
    g_error ("controls without an accessible name:\n%s", walk.output);
  g_free (walk.output);
  g_object_unref (walk.walker);
}

static gboolean
window_mapped (gpointer data)
{
  return gtk_widget_get_mapped (data);
}

static BelfryWindow *
main_window (void)
{
  GtkWindow *window;

  g_application_activate (G_APPLICATION (application));
  window = gtk_application_get_active_window (GTK_APPLICATION (application));
  g_assert_true (BELFRY_IS_WINDOW (window));
  g_assert_true (belfry_test_wait_until (window_mapped, window, 10000));
  return BELFRY_WINDOW (window);
}

static void
test_main_window (void)
{
  const char *expected[] = { "Call", "Address or number to call", "Main Menu", "Dial Pad", "5", NULL };
  BelfryWindow *window = main_window ();

  /* The dial pad shown, so that its keys are walked too. */
  gtk_toggle_button_set_active (GTK_TOGGLE_BUTTON (belfry_test_dialer_child (GTK_WINDOW (window), "dialpad_button")), TRUE);
  assert_every_control_named (expected);
}

static gboolean
view_connected (gpointer data)
{
  GtkLabel *state = GTK_LABEL (gtk_widget_get_template_child (data, BELFRY_TYPE_CALL_VIEW, "state_label"));

  return g_strcmp0 (gtk_label_get_label (state), "Connected") == 0;
}

static gboolean
history_has_row (gpointer data)
{
  GtkWidget *list = belfry_test_recent_calls_list (data);

  return gtk_widget_get_first_child (list) != NULL;
}

static gboolean
popover_mapped (gpointer data)
{
  GtkPopover *popover = gtk_menu_button_get_popover (data);

  return popover != NULL && gtk_widget_get_mapped (GTK_WIDGET (popover));
}

/* A widget of a template by its id in the .ui, bound or not. */
static GtkWidget *
find_by_id (GtkWidget  *widget,
            const char *id)
{
  if (g_strcmp0 (gtk_buildable_get_buildable_id (GTK_BUILDABLE (widget)), id) == 0)
    return widget;
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child)) {
    GtkWidget *found = find_by_id (child, id);

    if (found != NULL)
      return found;
  }
  return NULL;
}

static void
open_popover (GtkWidget  *view,
              const char *name)
{
  GtkMenuButton *button = GTK_MENU_BUTTON (find_by_id (view, name));

  gtk_menu_button_popup (button);
  g_assert_true (belfry_test_wait_until (popover_mapped, button, 10000));
}

static void
close_popover (GtkWidget  *view,
               const char *name)
{
  gtk_menu_button_popdown (GTK_MENU_BUTTON (find_by_id (view, name)));
}

static void
test_call_view (void)
{
  const char *in_call[] = { "Hang Up", "Hold", "Mute", "Keypad", "Transfer", "Back to the Dialer", NULL };
  const char *keypad[] = { "Hang Up", "9", "#", NULL };
  const char *transfer[] = { "Hang Up", "Address to transfer to", NULL };
  const char *recent[] = { "Forget the call with", "Call back", "Clear", NULL };
  g_autoptr (BelfrySipp) sipp = NULL;
  g_autofree char *target = NULL;
  int port = belfry_test_free_port ("127.0.0.1");
  BelfryWindow *window = main_window ();
  GtkStack *calls_stack = GTK_STACK (gtk_widget_get_template_child (GTK_WIDGET (window), BELFRY_TYPE_WINDOW,
                                                                    "calls_stack"));
  GtkWidget *view;

  sipp = belfry_sipp_start ("uas-answer.xml", "u1", "127.0.0.1", port, NULL, NULL);
  target = g_strdup_printf ("sip:sipp@127.0.0.1:%d", port);
  belfry_window_set_address (window, target);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.call", NULL));
  view = gtk_stack_get_visible_child (calls_stack);
  g_assert_true (BELFRY_IS_CALL_VIEW (view));
  g_assert_true (belfry_test_wait_until (view_connected, view, 10000));

  assert_every_control_named (in_call);

  /* The popovers' controls are there only while they are open. */
  open_popover (view, "keypad_button");
  assert_every_control_named (keypad);
  close_popover (view, "keypad_button");
  open_popover (view, "transfer_button");
  assert_every_control_named (transfer);
  close_popover (view, "transfer_button");

  g_assert_true (gtk_widget_activate_action (view, "call.hang-up", NULL));
  g_assert_cmpint (belfry_sipp_wait (sipp, 10000), ==, 0);

  /* The call is now in the recent calls, with a button to forget it. */
  g_assert_true (belfry_test_wait_until (history_has_row, window, 10000));
  assert_every_control_named (recent);
}

static GtkWindow *
find_preferences (void)
{
  for (GList *l = gtk_application_get_windows (GTK_APPLICATION (application)); l != NULL; l = l->next) {
    if (ADW_IS_PREFERENCES_WINDOW (l->data))
      return l->data;
  }
  return NULL;
}

static gboolean
preferences_mapped (gpointer data)
{
  GtkWindow *preferences = find_preferences ();

  return preferences != NULL && gtk_widget_get_mapped (GTK_WIDGET (preferences));
}

static void
test_preferences (void)
{
  /* AT-SPI presents every page, not only the one in view: one name from
   * each shows that they were all walked. */
  const char *pages[] = { "Add account", "Microphone", "Move G.722 up", "Run in background", NULL };
  const char *editor[] = { "SIP address", "Transport", NULL };
  GtkWindow *preferences;

  main_window ();
  g_action_group_activate_action (G_ACTION_GROUP (application), "preferences", NULL);
  g_assert_true (belfry_test_wait_until (preferences_mapped, NULL, 10000));
  preferences = find_preferences ();
  assert_every_control_named (pages);

  /* The account editor, as Add opens it. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (preferences), "prefs.add-account", NULL));
  assert_every_control_named (editor);

  gtk_window_destroy (preferences);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr (GError) error = NULL;
  int status;

  /* run-ui-test.sh turns accessibility off for the other tests; this one
   * is about what it shows. */
  g_setenv ("GTK_A11Y", "atspi", TRUE);
  belfry_test_init (&argc, &argv);

  application = belfry_application_new ();
  g_assert_true (g_application_register (G_APPLICATION (application), NULL, &error));
  g_assert_no_error (error);

  g_test_add_func ("/belfry/accessibility/main-window", test_main_window);
  g_test_add_func ("/belfry/accessibility/call-view", test_call_view);
  g_test_add_func ("/belfry/accessibility/preferences", test_preferences);

  status = g_test_run ();

  for (GList *l = gtk_application_get_windows (GTK_APPLICATION (application)); l != NULL;
       l = gtk_application_get_windows (GTK_APPLICATION (application)))
    gtk_window_destroy (l->data);
  g_clear_object (&application);
  return status;
}
