/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <gio/gio.h>
#include <string.h>

#include "belfry-call-manager.h"
#include "belfry-inviter.h"
#include "belfry-sip-error.h"
#include "belfry-notification-server.h"
#include "belfry-sipp.h"
#include "belfry-test-env.h"
#include "belfry-test-sdh.h"

/* The call manager end to end: sipp calls a direct user agent (no
 * account), the test answers through the notification server's
 * ActionInvoked, and every call ends in the history. */

typedef struct {
  BelfryNotifications notifications;
  GSettings *settings;
  BelfryTestSdhFactory *factory;
  BelfryAccountManager *accounts;
  BelfryCallHistory *history;
  BelfryNotifier *notifier;
  BelfryCallManager *manager;
  int port;
} Fixture;

static gboolean
direct_ready (gpointer data)
{
  return belfry_account_manager_get_direct_address (data) != NULL;
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autofree char *db = NULL;
  static guint counter;

  belfry_notifications_start (&fixture->notifications);
  fixture->settings = g_settings_new ("org.belfry.Belfry");
  g_settings_set_strv (fixture->settings, "accounts", NULL);
  fixture->factory = belfry_test_sdh_factory_new ();
  fixture->accounts = belfry_account_manager_new (fixture->settings,
                                                  BELFRY_SESSION_DESCRIPTION_HANDLER_FACTORY (fixture->factory),
                                                  "127.0.0.1", 0);
  g_assert_true (belfry_test_wait_until (direct_ready, fixture->accounts, 5000));
  fixture->port = belfry_user_agent_get_port (belfry_account_manager_get_user_agent (fixture->accounts, NULL));
  db = g_strdup_printf ("%s/calls-%u/history.db", g_get_user_data_dir (), ++counter);
  fixture->history = belfry_call_history_new (db);
  fixture->notifier = belfry_notifier_new ();
  fixture->manager = belfry_call_manager_new (fixture->accounts, fixture->history, fixture->notifier);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  g_assert_finalize_object (g_steal_pointer (&fixture->manager));
  g_assert_finalize_object (g_steal_pointer (&fixture->notifier));
  g_assert_finalize_object (g_steal_pointer (&fixture->history));
  belfry_test_assert_finalized (g_steal_pointer (&fixture->accounts), 3000);
  g_clear_object (&fixture->factory);
  g_clear_object (&fixture->settings);
  belfry_notifications_stop (&fixture->notifications);
}

static gboolean
history_has (gpointer data)
{
  Fixture *fixture = data;

  return g_list_model_get_n_items (G_LIST_MODEL (fixture->history)) >= 1 &&
         g_list_model_get_n_items (belfry_call_manager_get_sessions (fixture->manager)) == 0;
}

static BelfryCallRecord *
wait_record (Fixture *fixture)
{
  BelfryCallRecord *record;

  g_assert_true (belfry_test_wait_until (history_has, fixture, 15000));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (fixture->history)), ==, 1);
  record = g_list_model_get_item (G_LIST_MODEL (fixture->history), 0);
  g_object_unref (record);
  return record;
}

static BelfrySipp *
sipp_client (Fixture    *fixture,
             const char *scenario)
{
  g_autofree char *remote = g_strdup_printf ("127.0.0.1:%d", fixture->port);

  return belfry_sipp_start (scenario, "u1", "127.0.0.1", belfry_test_free_port ("127.0.0.1"), remote, NULL);
}

static guint
wait_incoming_notification (Fixture *fixture)
{
  g_autoptr (GPtrArray) lines = belfry_notifications_wait_lines (&fixture->notifications, "Notify ", 1);
  g_autoptr (GVariant) parameters = NULL;
  g_autofree const char **actions = NULL;
  const char *summary;
  guint id;

  parameters = belfry_notifications_parse_notify (lines->pdata[0], &id);
  g_variant_get_child (parameters, 3, "&s", &summary);
  g_variant_get_child (parameters, 5, "^a&s", &actions);
  /* sipp asserts "Alice Asserted" with P-Asserted-Identity. */
  g_assert_cmpstr (summary, ==, "Alice Asserted");
  g_assert_cmpstr (actions[0], ==, "accept");
  g_assert_cmpstr (actions[2], ==, "decline");
  g_assert_true (belfry_call_manager_get_ringing (fixture->manager));
  return id;
}

static void
test_incoming_accepted (Fixture       *fixture,
                        gconstpointer  data)
{
  g_autoptr (BelfrySipp) sipp = sipp_client (fixture, "uac-call.xml");
  BelfryCallRecord *record;
  guint id = wait_incoming_notification (fixture);

  belfry_notifications_invoke_action (id, "accept");
  g_assert_cmpint (belfry_sipp_wait (sipp, 20000), ==, 0);

  record = wait_record (fixture);
  g_assert_cmpint (belfry_call_record_get_direction (record), ==, BELFRY_CALL_DIRECTION_INCOMING);
  g_assert_cmpint (belfry_call_record_get_outcome (record), ==, BELFRY_CALL_OUTCOME_ANSWERED);
  g_assert_true (g_str_has_prefix (belfry_call_record_get_remote_uri (record), "sip:sipp@127.0.0.1"));
  g_assert_false (belfry_call_manager_get_ringing (fixture->manager));
}

static void
test_incoming_declined (Fixture       *fixture,
                        gconstpointer  data)
{
  g_autoptr (BelfrySipp) sipp = sipp_client (fixture, "uac-declined.xml");
  BelfryCallRecord *record;
  guint id = wait_incoming_notification (fixture);

  belfry_notifications_invoke_action (id, "decline");
  g_assert_cmpint (belfry_sipp_wait (sipp, 20000), ==, 0);

  record = wait_record (fixture);
  g_assert_cmpint (belfry_call_record_get_outcome (record), ==, BELFRY_CALL_OUTCOME_DECLINED);
}

static void
test_missed (Fixture       *fixture,
             gconstpointer  data)
{
  g_autoptr (BelfrySipp) sipp = sipp_client (fixture, "uac-cancel.xml");
  g_autoptr (GPtrArray) lines = NULL;
  g_autoptr (GPtrArray) closes = NULL;
  g_autoptr (GVariant) parameters = NULL;
  g_autofree char *expected_close = NULL;
  g_autofree const char **actions = NULL;
  BelfryCallRecord *record;
  guint id = wait_incoming_notification (fixture);
  guint missed_id;

  g_assert_cmpint (belfry_sipp_wait (sipp, 20000), ==, 0);
  record = wait_record (fixture);
  g_assert_cmpint (belfry_call_record_get_outcome (record), ==, BELFRY_CALL_OUTCOME_MISSED);
  g_assert_cmpstr (belfry_call_record_get_remote_name (record), ==, "Alice Asserted");

  closes = belfry_notifications_wait_lines (&fixture->notifications, "CloseNotification ", 1);
  expected_close = g_strdup_printf ("CloseNotification %u", id);
  g_assert_cmpstr (closes->pdata[0], ==, expected_close);
  lines = belfry_notifications_wait_lines (&fixture->notifications, "Notify ", 2);
  parameters = belfry_notifications_parse_notify (lines->pdata[1], &missed_id);
  g_variant_get_child (parameters, 5, "^a&s", &actions);
  g_assert_cmpstr (actions[0], ==, "call-back");
}

static gboolean
session_established (gpointer data)
{
  return belfry_session_get_state (data) == BELFRY_SESSION_STATE_ESTABLISHED;
}

static void
count_ringback (BelfryCallManager *manager,
                GParamSpec        *pspec,
                guint             *rang)
{
  if (belfry_call_manager_get_ringback (manager))
    (*rang)++;
}

static void
test_outgoing (Fixture       *fixture,
               gconstpointer  data)
{
  guint rang = 0;
  int sipp_port = belfry_test_free_port ("127.0.0.1");
  g_autoptr (BelfrySipp) sipp = belfry_sipp_start ("uas-answer.xml", "u1", "127.0.0.1", sipp_port, NULL, NULL);
  g_autoptr (GError) error = NULL;
  g_autofree char *text = g_strdup_printf ("sipp@127.0.0.1:%d", sipp_port);
  BelfryCallRecord *record;
  BelfrySession *session;

  g_assert_null (belfry_call_manager_call (fixture->manager, "12345", NULL, &error));
  g_assert_error (error, BELFRY_SIP_ERROR, BELFRY_SIP_ERROR_INVALID_ARGUMENT);

  g_signal_connect (fixture->manager, "notify::ringback", G_CALLBACK (count_ringback), &rang);
  session = belfry_call_manager_call (fixture->manager, text, NULL, NULL);
  g_assert_nonnull (session);
  g_assert_cmpuint (g_list_model_get_n_items (belfry_call_manager_get_sessions (fixture->manager)), ==, 1);
  g_assert_true (belfry_test_wait_until (session_established, session, 10000));
  /* sipp's 180 came without media: the ringback rang, and stopped at 200. */
  g_assert_cmpuint (rang, ==, 1);
  g_assert_false (belfry_call_manager_get_ringback (fixture->manager));
  g_signal_handlers_disconnect_by_func (fixture->manager, count_ringback, &rang);

  belfry_call_manager_hang_up (fixture->manager, session);
  g_assert_cmpint (belfry_sipp_wait (sipp, 20000), ==, 0);

  record = wait_record (fixture);
  g_assert_cmpint (belfry_call_record_get_direction (record), ==, BELFRY_CALL_DIRECTION_OUTGOING);
  g_assert_cmpint (belfry_call_record_get_outcome (record), ==, BELFRY_CALL_OUTCOME_ANSWERED);
  g_assert_true (g_str_has_prefix (belfry_call_record_get_remote_uri (record), "sip:sipp@127.0.0.1:"));
}

int
main (int    argc,
      char **argv)
{
  belfry_test_init (&argc, &argv);

  g_test_add ("/belfry/call-manager/incoming-accepted", Fixture, NULL, fixture_set_up, test_incoming_accepted, fixture_tear_down);
  g_test_add ("/belfry/call-manager/incoming-declined", Fixture, NULL, fixture_set_up, test_incoming_declined, fixture_tear_down);
  g_test_add ("/belfry/call-manager/missed", Fixture, NULL, fixture_set_up, test_missed, fixture_tear_down);
  g_test_add ("/belfry/call-manager/outgoing", Fixture, NULL, fixture_set_up, test_outgoing, fixture_tear_down);

  return g_test_run ();
}
