/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <adwaita.h>

#include "belfry-account.h"
#include "belfry-application.h"
#include "belfry-test-env.h"

/* `belfry --background`, as the autostart file starts it at login: the
 * real application, run on the test's own session bus, opens no window;
 * it stays when an account can take calls, and goes when none can. */

typedef struct {
  GApplication *application;
  guint windows;
  gboolean shut_down;
  gboolean still_running;
  guint check_id;
} Run;

static void
on_window_added (GtkApplication *application,
                 GtkWindow      *window,
                 Run            *run)
{
  run->windows++;
}

static void
on_shutdown (GApplication *application,
             Run          *run)
{
  run->shut_down = TRUE;
}

/* The first idle after the activation: the application still runs, or
 * it has shut down already (GApplication lets pending sources run at its
 * end). */
static gboolean
still_running_cb (gpointer data)
{
  Run *run = data;

  run->check_id = 0;
  run->still_running = !run->shut_down;
  if (run->still_running)
    g_action_group_activate_action (G_ACTION_GROUP (run->application), "quit", NULL);
  return G_SOURCE_REMOVE;
}

static void
on_activate (GApplication *application,
             Run          *run)
{
  run->check_id = g_idle_add (still_running_cb, run);
}

static Run
run_in_background (void)
{
  g_autoptr (BelfryApplication) application = belfry_application_new ();
  char *argv[] = { (char *) "belfry", (char *) "--background", NULL };
  Run run = { G_APPLICATION (application) };

  g_signal_connect (application, "window-added", G_CALLBACK (on_window_added), &run);
  g_signal_connect_after (application, "activate", G_CALLBACK (on_activate), &run);
  g_signal_connect (application, "shutdown", G_CALLBACK (on_shutdown), &run);
  g_assert_cmpint (g_application_run (G_APPLICATION (application), 2, argv), ==, 0);
  g_clear_handle_id (&run.check_id, g_source_remove);
  run.application = NULL;
  return run;
}

static void
test_background (void)
{
  g_autoptr (GSettings) settings = g_settings_new (APPLICATION_ID);
  g_autoptr (BelfryAccount) account = NULL;
  const char *ids[] = { "login", NULL };
  g_autofree char *registrar = g_strdup_printf ("127.0.0.1:%d", belfry_test_free_port ("127.0.0.1"));
  Run run;

  /* No account: nothing can ring, so it goes, having shown nothing. */
  g_settings_set_strv (settings, "accounts", NULL);
  run = run_in_background ();
  g_assert_cmpuint (run.windows, ==, 0);
  g_assert_false (run.still_running);

  /* An enabled account: it stays, still with no window. */
  account = belfry_account_new ("login");
  belfry_account_set_sip_address (account, "sip:login@127.0.0.1");
  belfry_account_set_registrar (account, registrar);
  g_settings_set_strv (settings, "accounts", ids);
  run = run_in_background ();
  g_assert_cmpuint (run.windows, ==, 0);
  g_assert_true (run.still_running);

  /* Run in background turned off: it goes. */
  g_settings_set_boolean (settings, "run-in-background", FALSE);
  run = run_in_background ();
  g_assert_cmpuint (run.windows, ==, 0);
  g_assert_false (run.still_running);
  g_settings_set_boolean (settings, "run-in-background", TRUE);
}

int
main (int   argc,
      char *argv[])
{
  belfry_test_init (&argc, &argv);

  g_test_add_func ("/belfry/background/at-login", test_background);

  return g_test_run ();
}
