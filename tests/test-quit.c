/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include "belfry-application.h"
#include "belfry-kamailio.h"
#include "belfry-keyring.h"
#include "belfry-test-env.h"

/* The real application, on the test's own session bus and a real X
 * server, with an account registered at a real Kamailio. */

static gboolean timed_out;

static gboolean
give_up_cb (gpointer data)
{
  timed_out = TRUE;
  g_application_quit (G_APPLICATION (data));
  return G_SOURCE_REMOVE;
}

/* Quitting ends what the network knows of this Belfry: the application
 * withdraws the account's registration before it goes, and Kamailio sees
 * the REGISTER with Expires 0. */
typedef struct {
  char *address;
  BelfryAccount *account;
} QuitCase;

static void
on_account_status (BelfryAccount *account,
                   GParamSpec    *pspec,
                   GApplication  *application)
{
  if (belfry_account_get_status (account) == BELFRY_ACCOUNT_STATUS_REGISTERED)
    g_application_quit (application);
}

static void
on_activate_add_account (GApplication *application,
                         QuitCase     *quit_case)
{
  BelfryCallManager *calls = belfry_application_get_call_manager (BELFRY_APPLICATION (application));
  BelfryAccountManager *accounts = belfry_call_manager_get_accounts (calls);
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GError) error = NULL;

  if (quit_case->account != NULL)
    return;
  quit_case->account = belfry_account_manager_add (accounts, quit_case->address);
  belfry_account_store_password_async (quit_case->account, "s3cret", NULL, belfry_test_store_result_cb,
                                       &result);
  belfry_account_store_password_finish (quit_case->account, belfry_test_wait_result (&result, 10000),
                                        &error);
  g_assert_no_error (error);
  g_signal_connect_object (quit_case->account, "notify::status", G_CALLBACK (on_account_status),
                           application, 0);
  belfry_account_manager_reconnect (accounts, quit_case->account);
}

static void
test_quit_unregisters (void)
{
  BelfryKamailioOptions options = { .password = "s3cret" };
  g_autoptr (GError) error = NULL;
  g_autoptr (BelfryApplication) application = NULL;
  BelfryKamailio *kamailio;
  QuitCase quit_case = { NULL, NULL };
  char *argv[] = { (char *) "belfry", NULL };
  guint give_up;

  belfry_test_start_keyring ();
  kamailio = belfry_kamailio_start (0, &options, &error);
  g_assert_no_error (error);
  quit_case.address = g_strdup_printf ("sip:alice@127.0.0.1:%d", belfry_kamailio_get_port (kamailio));

  application = belfry_application_new ();
  g_signal_connect_after (application, "activate", G_CALLBACK (on_activate_add_account), &quit_case);
  give_up = g_timeout_add_seconds (20, give_up_cb, application);
  g_assert_cmpint (g_application_run (G_APPLICATION (application), 1, argv), ==, 0);
  g_assert_false (timed_out);
  g_source_remove (give_up);

  /* g_application_run() returned after shutdown, which waited for the
   * registrar's answer; Kamailio logs the line after it answered. */
  g_assert_true (belfry_kamailio_wait_count (kamailio, "BELFRY-REGISTER-OK user=alice expires=600", 1, 5000));
  g_assert_true (belfry_kamailio_wait_count (kamailio, "BELFRY-REGISTER-OK user=alice expires=0", 1, 5000));

  belfry_kamailio_stop (kamailio);
  belfry_test_stop_keyring ();
  g_free (quit_case.address);
}

int
main (int   argc,
      char *argv[])
{
  belfry_test_init (&argc, &argv);

  g_test_add_func ("/belfry/application/quit-unregisters", test_quit_unregisters);

  return g_test_run ();
}
