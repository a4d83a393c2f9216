/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <belle-sip/belle-sip.h>

#include "belfry-enum.h"
#include "belfry-session.h"
#include "belfry-session-private.h"
#include "belfry-sip-enums.h"
#include "belfry-sip-error.h"
#include "belfry-test-env.h"
#include "belfry-user-agent.h"

/* A concrete session for the tests: its BYE ends at once, as a peer's 200
 * would end it, so that the base class's state machine and dispose path
 * can be driven without a network. */
#define TEST_TYPE_SESSION (test_session_get_type ())
G_DECLARE_FINAL_TYPE (TestSession, test_session, TEST, SESSION, BelfrySession)

struct _TestSession {
  BelfrySession parent_instance;
  guint byes;
};

G_DEFINE_FINAL_TYPE (TestSession, test_session, BELFRY_TYPE_SESSION)

static gboolean
finish_bye_cb (gpointer user_data)
{
  GTask *task = user_data;
  BelfrySession *session = g_task_get_source_object (task);

  belfry_session_set_state (session, BELFRY_SESSION_STATE_TERMINATED);
  g_task_return_boolean (task, TRUE);
  return G_SOURCE_REMOVE;
}

static void
test_session_bye_async (BelfrySession       *session,
                        GCancellable        *cancellable,
                        GAsyncReadyCallback  callback,
                        gpointer             user_data)
{
  GTask *task = g_task_new (session, cancellable, callback, user_data);

  TEST_SESSION (session)->byes++;
  belfry_session_set_state (session, BELFRY_SESSION_STATE_TERMINATING);
  g_idle_add_full (G_PRIORITY_DEFAULT, finish_bye_cb, task, g_object_unref);
}

static gboolean
test_session_bye_finish (BelfrySession  *session,
                         GAsyncResult   *result,
                         GError        **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
test_session_class_init (TestSessionClass *klass)
{
  BelfrySessionClass *session_class = BELFRY_SESSION_CLASS (klass);

  session_class->bye_async = test_session_bye_async;
  session_class->bye_finish = test_session_bye_finish;
}

static void
test_session_init (TestSession *self)
{
}

static BelfrySession *
new_session (void)
{
  g_autoptr (BelfryNameAddr) local = belfry_name_addr_parse ("\"Alice\" <sip:alice@127.0.0.1>", NULL);
  g_autoptr (BelfryNameAddr) remote = belfry_name_addr_parse ("<sip:bob@127.0.0.1:5070>", NULL);

  return g_object_new (TEST_TYPE_SESSION,
                       "local-identity", local,
                       "remote-identity", remote,
                       NULL);
}

static void
count_cb (gpointer  object,
          gpointer  arg,
          guint    *count)
{
  (*count)++;
}

typedef struct {
  GArray *events;
} Order;

static void
order_notify_cb (GObject    *object,
                 GParamSpec *pspec,
                 Order      *order)
{
  int event = 0;

  g_array_append_val (order->events, event);
}

static void
order_state_cb (BelfrySession      *session,
                BelfrySessionState  state,
                Order              *order)
{
  int event = 1;

  g_array_append_val (order->events, event);
}

/* Puts a fresh session in @state along legal transitions. */
static BelfrySession *
session_in_state (BelfrySessionState state)
{
  BelfrySession *session = new_session ();

  if (state != BELFRY_SESSION_STATE_INITIAL)
    g_assert_true (belfry_session_set_state (session, state));
  g_assert_cmpint (belfry_session_get_state (session), ==, state);
  return session;
}

static void
test_transitions (void)
{
  /* SIP.js's table, written out so that the test does not share code with
   * what it checks. */
  static const gboolean legal[5][5] = {
    /* to:            INIT   ESTING ESTED  TING   TED */
    /* INITIAL */    { FALSE, TRUE,  TRUE,  TRUE,  TRUE  },
    /* ESTABLISHING*/{ FALSE, FALSE, TRUE,  TRUE,  TRUE  },
    /* ESTABLISHED */{ FALSE, FALSE, FALSE, TRUE,  TRUE  },
    /* TERMINATING */{ FALSE, FALSE, FALSE, FALSE, TRUE  },
    /* TERMINATED */ { FALSE, FALSE, FALSE, FALSE, FALSE },
  };

  for (int from = 0; from < 5; from++) {
    for (int to = 0; to < 5; to++) {
      g_autoptr (BelfrySession) session = session_in_state (from);
      guint notifies = 0, changes = 0;
      Order order = { g_array_new (FALSE, FALSE, sizeof (int)) };
      gboolean changed;

      g_test_message ("%s -> %s", belfry_enum_get_nick (BELFRY_TYPE_SESSION_STATE, from),
                      belfry_enum_get_nick (BELFRY_TYPE_SESSION_STATE, to));
      g_signal_connect (session, "notify::state", G_CALLBACK (count_cb), &notifies);
      g_signal_connect (session, "state-changed", G_CALLBACK (count_cb), &changes);
      g_signal_connect (session, "notify::state", G_CALLBACK (order_notify_cb), &order);
      g_signal_connect (session, "state-changed", G_CALLBACK (order_state_cb), &order);

      g_assert_cmpint (belfry_session_state_can_change (from, to), ==, legal[from][to]);

      if (legal[from][to]) {
        changed = belfry_session_set_state (session, to);
        g_assert_true (changed);
        g_assert_cmpint (belfry_session_get_state (session), ==, to);
        g_assert_cmpuint (notifies, ==, 1);
        g_assert_cmpuint (changes, ==, 1);
        /* notify::state comes before state-changed. */
        g_assert_cmpuint (order.events->len, ==, 2);
        g_assert_cmpint (g_array_index (order.events, int, 0), ==, 0);
        g_assert_cmpint (g_array_index (order.events, int, 1), ==, 1);
      } else {
        g_test_expect_message ("belfry-session", G_LOG_LEVEL_CRITICAL,
                               "*illegal state transition*");
        changed = belfry_session_set_state (session, to);
        g_test_assert_expected_messages ();
        g_assert_false (changed);
        g_assert_cmpint (belfry_session_get_state (session), ==, from);
        g_assert_cmpuint (notifies, ==, 0);
        g_assert_cmpuint (changes, ==, 0);
      }

      /* A live session would BYE when dropped; end it first so that the
       * object goes away now. */
      if (belfry_session_get_state (session) != BELFRY_SESSION_STATE_TERMINATED)
        belfry_session_set_state (session, BELFRY_SESSION_STATE_TERMINATED);
      g_assert_finalize_object (g_steal_pointer (&session));
      g_array_unref (order.events);
    }
  }
}

static void
test_state_values (void)
{
  g_autoptr (GEnumClass) klass = g_type_class_ref (BELFRY_TYPE_SESSION_STATE);
  const char *nicks[] = { "initial", "establishing", "established", "terminating", "terminated" };

  g_assert_cmpuint (klass->n_values, ==, 5);
  for (guint i = 0; i < G_N_ELEMENTS (nicks); i++)
    g_assert_cmpstr (belfry_enum_get_nick (BELFRY_TYPE_SESSION_STATE, i), ==, nicks[i]);
  /* Log lines show a value out of range rather than crash on it. */
  g_assert_cmpstr (belfry_enum_get_nick (BELFRY_TYPE_SESSION_STATE, 5), ==, "invalid");
}

/* No property lets a caller change a session: everything is read-only,
 * or writable only at construction. */
typedef struct {
  const char *name;
  gboolean construct_only;
} PropertyInfo;

static const PropertyInfo session_properties[] = {
  { "asserted-identity", FALSE },
  { "dialog", FALSE },
  { "id", FALSE },
  { "local-identity", TRUE },
  { "remote-identity", TRUE },
  { "replacee", FALSE },
  { "session-description-handler", FALSE },
  { "session-description-handler-factory", TRUE },
  { "state", FALSE },
  { "user-agent", TRUE },
  { "secure", FALSE },
  { "termination-reason", FALSE },
};

static void
test_properties_defaults (void)
{
  g_autoptr (BelfrySession) session = new_session ();
  g_autoptr (BelfryNameAddr) asserted = NULL;
  g_autoptr (BelfryNameAddr) local = NULL;
  g_autoptr (GObject) dialog = NULL, replacee = NULL, handler = NULL, factory = NULL, user_agent = NULL;
  g_autofree char *id = NULL;
  BelfrySessionState state;

  g_object_get (session,
                "asserted-identity", &asserted,
                "dialog", &dialog,
                "id", &id,
                "local-identity", &local,
                "replacee", &replacee,
                "session-description-handler", &handler,
                "session-description-handler-factory", &factory,
                "state", &state,
                "user-agent", &user_agent,
                NULL);

  g_assert_null (asserted);
  g_assert_null (dialog);
  g_assert_null (id);
  g_assert_null (replacee);
  g_assert_null (handler);
  g_assert_null (factory);
  g_assert_null (user_agent);
  g_assert_cmpint (state, ==, BELFRY_SESSION_STATE_INITIAL);
  g_assert_nonnull (local);
  g_assert_cmpstr (belfry_name_addr_get_display_name (local), ==, "Alice");
  g_assert_cmpstr (belfry_name_addr_get_user (belfry_session_get_remote_identity (session)), ==, "bob");

  belfry_session_set_state (session, BELFRY_SESSION_STATE_TERMINATED);
  g_assert_finalize_object (g_steal_pointer (&session));
}

static void
test_properties_read_only (void)
{
  g_autoptr (BelfrySession) session = new_session ();
  guint n_props;
  g_autofree GParamSpec **pspecs = g_object_class_list_properties (G_OBJECT_GET_CLASS (session), &n_props);

  /* A new property must say here how callers may set it. */
  g_assert_cmpuint (n_props, ==, G_N_ELEMENTS (session_properties));

  for (guint i = 0; i < G_N_ELEMENTS (session_properties); i++) {
    const PropertyInfo *info = &session_properties[i];
    GValue value = G_VALUE_INIT;

    g_value_init (&value, G_PARAM_SPEC_VALUE_TYPE (
      g_object_class_find_property (G_OBJECT_GET_CLASS (session), info->name)));
    g_test_message ("setting %s", info->name);
    g_test_expect_message ("GLib-GObject", G_LOG_LEVEL_WARNING,
                           info->construct_only ? "*construct*" : "*not writable*");
    g_object_set_property (G_OBJECT (session), info->name, &value);
    g_test_assert_expected_messages ();
    g_value_unset (&value);
  }

  g_assert_cmpint (belfry_session_get_state (session), ==, BELFRY_SESSION_STATE_INITIAL);
  belfry_session_set_state (session, BELFRY_SESSION_STATE_TERMINATED);
  g_assert_finalize_object (g_steal_pointer (&session));
}

static void
test_properties_notify (void)
{
  g_autoptr (BelfrySession) session = new_session ();
  g_autoptr (BelfrySession) other = new_session ();
  g_autoptr (BelfryNameAddr) pai = belfry_name_addr_parse ("\"Bob B\" <sip:+4930123@example.org;user=phone>", NULL);
  g_autoptr (BelfryNameAddr) same_pai = belfry_name_addr_parse ("\"Bob B\" <sip:+4930123@example.org;user=phone>", NULL);
  g_autoptr (BelfryNameAddr) remote = belfry_name_addr_parse ("\"Bob\" <sip:bob@127.0.0.1:5070>", NULL);
  guint id_count = 0, asserted_count = 0, replacee_count = 0, remote_count = 0;

  g_signal_connect (session, "notify::id", G_CALLBACK (count_cb), &id_count);
  g_signal_connect (session, "notify::asserted-identity", G_CALLBACK (count_cb), &asserted_count);
  g_signal_connect (session, "notify::replacee", G_CALLBACK (count_cb), &replacee_count);
  g_signal_connect (session, "notify::remote-identity", G_CALLBACK (count_cb), &remote_count);

  belfry_session_set_id (session, "abc@host" "tag1");
  belfry_session_set_id (session, "abc@host" "tag1");
  g_assert_cmpuint (id_count, ==, 1);
  g_assert_cmpstr (belfry_session_get_id (session), ==, "abc@hosttag1");

  belfry_session_set_asserted_identity (session, pai);
  belfry_session_set_asserted_identity (session, same_pai);
  g_assert_cmpuint (asserted_count, ==, 1);
  g_assert_true (belfry_name_addr_equal (belfry_session_get_asserted_identity (session), pai));

  belfry_session_set_replacee (session, other);
  belfry_session_set_replacee (session, other);
  g_assert_cmpuint (replacee_count, ==, 1);
  g_assert_true (belfry_session_get_replacee (session) == other);

  belfry_session_set_remote_identity (session, remote);
  g_assert_cmpuint (remote_count, ==, 1);
  g_assert_cmpstr (belfry_name_addr_get_display_name (belfry_session_get_remote_identity (session)), ==, "Bob");

  belfry_session_set_state (session, BELFRY_SESSION_STATE_TERMINATED);
  belfry_session_set_state (other, BELFRY_SESSION_STATE_TERMINATED);
  g_assert_finalize_object (g_steal_pointer (&session));
  g_assert_finalize_object (g_steal_pointer (&other));
}

static void
test_data (void)
{
  g_autoptr (BelfrySession) session = new_session ();

  /* SIP.js's `data` is GObject's own. */
  g_object_set_data_full (G_OBJECT (session), "contact-name", g_strdup ("Bob"), g_free);
  g_assert_cmpstr (g_object_get_data (G_OBJECT (session), "contact-name"), ==, "Bob");

  belfry_session_set_state (session, BELFRY_SESSION_STATE_TERMINATED);
  g_assert_finalize_object (g_steal_pointer (&session));
}

static gboolean
take_request_cb (BelfrySession *session,
                 gpointer       request,
                 guint         *count)
{
  (*count)++;
  return TRUE;
}

static void
test_delegate_signals (void)
{
  const char *names[] = { "bye", "info", "invite", "message", "refer", "sip-notify" };
  const char *methods[] = { "BYE", "INFO", "INVITE", "MESSAGE", "REFER", "NOTIFY" };

  for (guint i = 0; i < G_N_ELEMENTS (names); i++) {
    guint signal_id = g_signal_lookup (names[i], BELFRY_TYPE_SESSION);
    GSignalQuery query;

    g_assert_cmpuint (signal_id, !=, 0);
    g_signal_query (signal_id, &query);
    g_assert_cmpuint (query.return_type, ==, G_TYPE_BOOLEAN);
    g_assert_cmpuint (query.n_params, ==, 1);
    g_assert_cmpuint (query.param_types[0], ==, BELFRY_TYPE_INCOMING_REQUEST);
    g_assert_cmpuint (belfry_session_lookup_request_signal (methods[i]), ==, signal_id);
  }
  g_assert_cmpuint (belfry_session_lookup_request_signal ("UPDATE"), ==, 0);

  {
    g_autoptr (BelfrySession) session = new_session ();
    guint taken = 0;

    /* No handler: not taken, the default applies. */
    g_assert_false (belfry_session_emit_request (session, g_signal_lookup ("info", BELFRY_TYPE_SESSION), NULL));
    g_signal_connect (session, "info", G_CALLBACK (take_request_cb), &taken);
    g_assert_true (belfry_session_emit_request (session, g_signal_lookup ("info", BELFRY_TYPE_SESSION), NULL));
    g_assert_cmpuint (taken, ==, 1);

    belfry_session_set_state (session, BELFRY_SESSION_STATE_TERMINATED);
    g_assert_finalize_object (g_steal_pointer (&session));
  }
}

static void
test_dispose_live (void)
{
  BelfrySession *session = session_in_state (BELFRY_SESSION_STATE_ESTABLISHED);
  TestSession *test_session = TEST_SESSION (session);

  /* GObject's dispose does no I/O: a live session whose last reference
   * goes (here, one with no user agent to hold it) sends no BYE. Ending a
   * call is belfry_session_dispose_async(). */
  g_object_run_dispose (G_OBJECT (session));
  g_assert_cmpuint (test_session->byes, ==, 0);
  g_assert_finalize_object (session);
}

static void
test_dispose_async_established (void)
{
  g_autoptr (BelfrySession) session = session_in_state (BELFRY_SESSION_STATE_ESTABLISHED);
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GError) error = NULL;

  belfry_session_dispose_async (session, NULL, belfry_test_store_result_cb, &result);
  g_assert_true (belfry_session_dispose_finish (session, belfry_test_wait_result (&result, 5000), &error));
  g_assert_no_error (error);
  g_clear_object (&result);
  g_assert_cmpint (belfry_session_get_state (session), ==, BELFRY_SESSION_STATE_TERMINATED);
  g_assert_cmpuint (TEST_SESSION (session)->byes, ==, 1);
  g_assert_finalize_object (g_steal_pointer (&session));
}

static void
test_unsupported_requests (void)
{
  g_autoptr (BelfrySession) session = session_in_state (BELFRY_SESSION_STATE_INITIAL);
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GError) error = NULL;

  /* A re-INVITE needs an established session. */
  belfry_session_invite_async (session, NULL, NULL, belfry_test_store_result_cb, &result);
  g_assert_false (belfry_session_invite_finish (session, belfry_test_wait_result (&result, 5000), &error));
  g_assert_error (error, BELFRY_SIP_ERROR, BELFRY_SIP_ERROR_INVALID_STATE);

  belfry_session_set_state (session, BELFRY_SESSION_STATE_TERMINATED);
  g_clear_object (&result);
  g_assert_finalize_object (g_steal_pointer (&session));
}

static void
test_error_status (void)
{
  g_autoptr (GError) busy = g_error_new (BELFRY_SIP_ERROR, 486, "486 Busy Here");
  g_autoptr (GError) timeout = g_error_new (BELFRY_SIP_ERROR, BELFRY_SIP_ERROR_TIMEOUT, "timeout");
  g_autoptr (GError) other = g_error_new (G_IO_ERROR, 486, "not ours");

  g_assert_cmpuint (belfry_sip_error_get_status (busy), ==, 486);
  g_assert_cmpuint (belfry_sip_error_get_status (timeout), ==, 0);
  g_assert_cmpuint (belfry_sip_error_get_status (other), ==, 0);
  g_assert_cmpuint (belfry_sip_error_get_status (NULL), ==, 0);
  g_assert_true (G_TYPE_IS_ENUM (BELFRY_TYPE_SIP_ERROR));
}

int
main (int   argc,
      char *argv[])
{
  belfry_test_init (&argc, &argv);

  g_test_add_func ("/belfry/session/state-values", test_state_values);
  g_test_add_func ("/belfry/session/transitions", test_transitions);
  g_test_add_func ("/belfry/session/properties/defaults", test_properties_defaults);
  g_test_add_func ("/belfry/session/properties/read-only", test_properties_read_only);
  g_test_add_func ("/belfry/session/properties/notify", test_properties_notify);
  g_test_add_func ("/belfry/session/data", test_data);
  g_test_add_func ("/belfry/session/delegate-signals", test_delegate_signals);
  g_test_add_func ("/belfry/session/dispose-live", test_dispose_live);
  g_test_add_func ("/belfry/session/dispose-async-established", test_dispose_async_established);
  g_test_add_func ("/belfry/session/reinvite-needs-established", test_unsupported_requests);
  g_test_add_func ("/belfry/session/error-status", test_error_status);

  return g_test_run ();
}
