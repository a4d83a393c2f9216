/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <gio/gio.h>
#include <string.h>

#include "belfry-inviter.h"
#include "belfry-notifier.h"
#include "belfry-notification-server.h"
#include "belfry-test-env.h"
#include "belfry-test-sdh.h"
#include "belfry-user-agent.h"

/* The notifier against tests/notification-server, which owns
 * org.freedesktop.Notifications on the test's private session bus,
 * records every call and emits ActionInvoked when asked. */

typedef struct {
  BelfryNotifications notifications;
  BelfryTestSdhFactory *factory;
  BelfryUserAgent *user_agent;
  BelfrySession *session;
  BelfryNotifier *notifier;
  BelfrySession *accepted;
  BelfrySession *declined;
  char *called_back;
  guint banners_shown;
  guint banners_hidden;
} Fixture;

static void
on_accept (BelfryNotifier *notifier,
           BelfrySession  *session,
           Fixture        *fixture)
{
  fixture->accepted = session;
}

static void
on_decline (BelfryNotifier *notifier,
            BelfrySession  *session,
            Fixture        *fixture)
{
  fixture->declined = session;
}

static void
on_call_back (BelfryNotifier *notifier,
              const char     *uri,
              Fixture        *fixture)
{
  g_free (fixture->called_back);
  fixture->called_back = g_strdup (uri);
}

static void
on_show_banner (BelfryNotifier *notifier,
                BelfrySession  *session,
                Fixture        *fixture)
{
  fixture->banners_shown++;
}

static void
on_hide_banner (BelfryNotifier *notifier,
                BelfrySession  *session,
                Fixture        *fixture)
{
  fixture->banners_hidden++;
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr (BelfryNameAddr) identity = NULL;
  g_autoptr (BelfryNameAddr) target = NULL;

  belfry_notifications_start (&fixture->notifications);

  fixture->factory = belfry_test_sdh_factory_new ();
  identity = belfry_name_addr_parse ("sip:me@127.0.0.1", NULL);
  fixture->user_agent = belfry_user_agent_new (identity, "127.0.0.1", 0,
                                               BELFRY_SESSION_DESCRIPTION_HANDLER_FACTORY (fixture->factory));
  /* A session stands for the call; the notifier only reads who it is with. */
  target = belfry_name_addr_parse ("\"Bob Builder\" <sip:bob@example.org>", NULL);
  g_assert_nonnull (target);
  fixture->session = BELFRY_SESSION (belfry_inviter_new (fixture->user_agent, target));

  fixture->notifier = belfry_notifier_new ();
  g_signal_connect (fixture->notifier, "accept", G_CALLBACK (on_accept), fixture);
  g_signal_connect (fixture->notifier, "decline", G_CALLBACK (on_decline), fixture);
  g_signal_connect (fixture->notifier, "call-back", G_CALLBACK (on_call_back), fixture);
  g_signal_connect (fixture->notifier, "show-banner", G_CALLBACK (on_show_banner), fixture);
  g_signal_connect (fixture->notifier, "hide-banner", G_CALLBACK (on_hide_banner), fixture);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  g_assert_finalize_object (g_steal_pointer (&fixture->notifier));
  /* A session that never went out ends itself first, so it may take a
   * moment to go. */
  belfry_test_assert_finalized (g_steal_pointer (&fixture->session), 3000);
  belfry_test_assert_finalized (g_steal_pointer (&fixture->user_agent), 3000);
  g_assert_finalize_object (g_steal_pointer (&fixture->factory));
  g_clear_pointer (&fixture->called_back, g_free);
  belfry_notifications_stop (&fixture->notifications);
}

static guint
check_incoming (Fixture *fixture)
{
  g_autoptr (GPtrArray) lines = belfry_notifications_wait_lines (&fixture->notifications, "Notify ", 1);
  g_autoptr (GVariant) parameters = NULL;
  g_autoptr (GVariant) hints = NULL;
  g_autofree const char **actions = NULL;
  const char *app_name, *summary, *body, *category = NULL;
  guchar urgency = 0;
  gboolean resident = FALSE;
  guint id;

  g_assert_cmpuint (lines->len, ==, 1);
  parameters = belfry_notifications_parse_notify (lines->pdata[0], &id);
  g_variant_get_child (parameters, 0, "&s", &app_name);
  g_variant_get_child (parameters, 3, "&s", &summary);
  g_variant_get_child (parameters, 4, "&s", &body);
  g_variant_get_child (parameters, 5, "^a&s", &actions);
  hints = g_variant_get_child_value (parameters, 6);

  g_assert_cmpstr (app_name, ==, "Belfry");
  g_assert_cmpstr (summary, ==, "Bob Builder");
  g_assert_cmpstr (body, ==, "sip:bob@example.org");
  g_assert_cmpuint (g_strv_length ((char **) actions), ==, 4);
  g_assert_cmpstr (actions[0], ==, "accept");
  g_assert_cmpstr (actions[1], ==, "Accept");
  g_assert_cmpstr (actions[2], ==, "decline");
  g_assert_cmpstr (actions[3], ==, "Decline");
  g_assert_true (g_variant_lookup (hints, "category", "&s", &category));
  g_assert_cmpstr (category, ==, "call.incoming");
  g_assert_true (g_variant_lookup (hints, "urgency", "y", &urgency));
  g_assert_cmpuint (urgency, ==, 2);
  g_assert_true (g_variant_lookup (hints, "resident", "b", &resident));
  g_assert_true (resident);
  return id;
}

static void
test_accept (Fixture       *fixture,
             gconstpointer  data)
{
  guint id;

  belfry_notifier_incoming_call (fixture->notifier, fixture->session);
  id = check_incoming (fixture);

  belfry_notifications_invoke_action (id, "accept");
  g_assert_true (belfry_test_wait_until (belfry_test_pointer_set, &fixture->accepted, 5000));
  g_assert_true (fixture->accepted == fixture->session);
  g_assert_null (fixture->declined);
}

static void
test_decline (Fixture       *fixture,
              gconstpointer  data)
{
  guint id;

  belfry_notifier_incoming_call (fixture->notifier, fixture->session);
  id = check_incoming (fixture);

  belfry_notifications_invoke_action (id, "decline");
  g_assert_true (belfry_test_wait_until (belfry_test_pointer_set, &fixture->declined, 5000));
  g_assert_true (fixture->declined == fixture->session);
  g_assert_null (fixture->accepted);
}

static void
test_missed (Fixture       *fixture,
             gconstpointer  data)
{
  g_autoptr (GPtrArray) closes = NULL;
  g_autoptr (GPtrArray) lines = NULL;
  g_autoptr (GVariant) parameters = NULL;
  g_autoptr (GVariant) hints = NULL;
  g_autofree const char **actions = NULL;
  g_autofree char *expected_close = NULL;
  const char *summary, *category = NULL;
  guint id, missed_id;

  belfry_notifier_incoming_call (fixture->notifier, fixture->session);
  id = check_incoming (fixture);

  belfry_notifier_missed_call (fixture->notifier, fixture->session);
  closes = belfry_notifications_wait_lines (&fixture->notifications, "CloseNotification ", 1);
  expected_close = g_strdup_printf ("CloseNotification %u", id);
  g_assert_cmpstr (closes->pdata[0], ==, expected_close);

  lines = belfry_notifications_wait_lines (&fixture->notifications, "Notify ", 2);
  parameters = belfry_notifications_parse_notify (lines->pdata[1], &missed_id);
  g_assert_cmpuint (missed_id, !=, id);
  g_variant_get_child (parameters, 3, "&s", &summary);
  g_variant_get_child (parameters, 5, "^a&s", &actions);
  hints = g_variant_get_child_value (parameters, 6);
  g_assert_cmpstr (summary, ==, "Missed call from Bob Builder");
  g_assert_cmpuint (g_strv_length ((char **) actions), ==, 2);
  g_assert_cmpstr (actions[0], ==, "call-back");
  g_assert_true (g_variant_lookup (hints, "category", "&s", &category));
  g_assert_cmpstr (category, ==, "call.unanswered");

  belfry_notifications_invoke_action (missed_id, "call-back");
  g_assert_true (belfry_test_wait_until (belfry_test_pointer_set, &fixture->called_back, 5000));
  g_assert_cmpstr (fixture->called_back, ==, "sip:bob@example.org");
}

static void
test_window_active (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autoptr (GPtrArray) lines = NULL;
  g_autoptr (GPtrArray) closes = NULL;

  belfry_notifier_set_window_active (fixture->notifier, TRUE);
  belfry_notifier_incoming_call (fixture->notifier, fixture->session);
  g_assert_cmpuint (fixture->banners_shown, ==, 1);

  /* The window loses the focus: the call moves to a notification. */
  belfry_notifier_set_window_active (fixture->notifier, FALSE);
  g_assert_cmpuint (fixture->banners_hidden, ==, 1);
  check_incoming (fixture);

  belfry_notifier_withdraw (fixture->notifier, fixture->session);
  closes = belfry_notifications_wait_lines (&fixture->notifications, "CloseNotification ", 1);

  /* Nothing but one Notify went to the server while the window was active. */
  lines = belfry_notifications_lines (&fixture->notifications, "Notify ");
  g_assert_cmpuint (lines->len, ==, 1);

  belfry_notifier_set_window_active (fixture->notifier, TRUE);
  belfry_notifier_incoming_call (fixture->notifier, fixture->session);
  belfry_notifier_withdraw (fixture->notifier, fixture->session);
  g_assert_cmpuint (fixture->banners_shown, ==, 2);
  g_assert_cmpuint (fixture->banners_hidden, ==, 2);
}

int
main (int    argc,
      char **argv)
{
  belfry_test_init (&argc, &argv);

  g_test_add ("/belfry/notifier/accept", Fixture, NULL, fixture_set_up, test_accept, fixture_tear_down);
  g_test_add ("/belfry/notifier/decline", Fixture, NULL, fixture_set_up, test_decline, fixture_tear_down);
  g_test_add ("/belfry/notifier/missed", Fixture, NULL, fixture_set_up, test_missed, fixture_tear_down);
  g_test_add ("/belfry/notifier/window-active", Fixture, NULL, fixture_set_up, test_window_active, fixture_tear_down);

  return g_test_run ();
}
