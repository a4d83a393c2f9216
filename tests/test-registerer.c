/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include "belfry-enum.h"
#include "belfry-invitation.h"
#include "belfry-inviter.h"
#include "belfry-kamailio.h"
#include "belfry-registerer.h"
#include "belfry-session.h"
#include "belfry-sip-enums.h"
#include "belfry-sip-error.h"
#include "belfry-test-env.h"
#include "belfry-user-agent.h"

#include <string.h>

/* Every wait of these tests is bounded by one of these. */
#define SHORT_WAIT_MS 5000
#define LONG_WAIT_MS 15000

typedef struct {
  gboolean start_kamailio;
  guint min_expires;
  guint fail_503;
} TestConfig;

typedef struct {
  const TestConfig *config;
  BelfryKamailio *kamailio;
  /* What Kamailio takes, and what the user agent gives when asked. */
  char *password;
  char *given_password;
  guint password_requests;

  BelfryUserAgent *bob;
  BelfryUserAgent *alice;
  /* Calls that reached bob. */
  GPtrArray *invitations;
} Fixture;

/* ---- The password must never reach a log line ---- */

static char *watched_password;
static gboolean password_logged;

static GLogWriterOutput
watch_password_writer (GLogLevelFlags   level,
                       const GLogField *fields,
                       gsize            n_fields,
                       gpointer         user_data)
{
  for (gsize i = 0; i < n_fields && watched_password != NULL; i++) {
    if (g_strcmp0 (fields[i].key, "MESSAGE") == 0 && fields[i].length < 0 &&
        strstr (fields[i].value, watched_password) != NULL)
      password_logged = TRUE;
  }

  return g_log_writer_default (level, fields, n_fields, user_data);
}

/* ---- Waiting ---- */

static void
dump_and_fail (Fixture    *fixture,
               const char *what)
{
  if (fixture->kamailio != NULL)
    belfry_kamailio_dump_log (fixture->kamailio);
  g_error ("Timed out waiting for %s", what);
}

typedef struct {
  BelfryRegisterer *registerer;
  BelfryRegistererState state;
} StateWait;

static gboolean
registerer_in_state (gpointer data)
{
  StateWait *wait = data;

  return belfry_registerer_get_state (wait->registerer) == wait->state;
}

static void
wait_registerer_state (Fixture               *fixture,
                       BelfryRegisterer      *registerer,
                       BelfryRegistererState  state,
                       guint                  timeout_ms)
{
  StateWait wait = { registerer, state };

  if (!belfry_test_wait_until (registerer_in_state, &wait, timeout_ms))
    dump_and_fail (fixture, "a registerer state");
}

typedef struct {
  BelfrySession *session;
  BelfrySessionState state;
} SessionWait;

static gboolean
session_in_state (gpointer data)
{
  SessionWait *wait = data;

  return belfry_session_get_state (wait->session) == wait->state;
}

static void
wait_session_state (Fixture            *fixture,
                    gpointer            session,
                    BelfrySessionState  state)
{
  SessionWait wait = { session, state };

  if (!belfry_test_wait_until (session_in_state, &wait, SHORT_WAIT_MS))
    dump_and_fail (fixture, "a session state");
}

static gboolean
has_invitation (gpointer data)
{
  Fixture *fixture = data;

  return fixture->invitations->len > 0;
}

static void
wait_kamailio (Fixture    *fixture,
               const char *marker,
               guint       count,
               guint       timeout_ms)
{
  if (!belfry_kamailio_wait_count (fixture->kamailio, marker, count, timeout_ms))
    dump_and_fail (fixture, marker);
}

/* Kamailio answers before it writes its log line: wait for the line,
 * then check that there are exactly @count. */
static void
assert_kamailio_count (Fixture    *fixture,
                       const char *marker,
                       guint       count)
{
  if (count > 0)
    wait_kamailio (fixture, marker, count, SHORT_WAIT_MS);
  g_assert_cmpuint (belfry_kamailio_count (fixture->kamailio, marker), ==, count);
}

/* ---- The fixture: Kamailio and two user agents, bob and alice ---- */

static char *
password_cb (BelfryUserAgent *user_agent,
             const char      *realm,
             const char      *username,
             gpointer         user_data)
{
  Fixture *fixture = user_data;

  fixture->password_requests++;
  return g_strdup (fixture->given_password);
}

static void
invite_cb (BelfryUserAgent  *user_agent,
           BelfryInvitation *invitation,
           Fixture          *fixture)
{
  g_ptr_array_add (fixture->invitations, g_object_ref (invitation));
}

static BelfryUserAgent *
start_user_agent (Fixture    *fixture,
                  const char *identity_uri)
{
  g_autoptr (BelfryNameAddr) identity = belfry_name_addr_parse (identity_uri, NULL);
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GError) error = NULL;
  BelfryUserAgent *user_agent;

  user_agent = belfry_user_agent_new (identity, "127.0.0.1", 0, NULL);
  belfry_user_agent_set_password_func (user_agent, password_cb, fixture, NULL);
  belfry_user_agent_start_async (user_agent, NULL, belfry_test_store_result_cb, &result);
  g_assert_true (belfry_user_agent_start_finish (user_agent, belfry_test_wait_result (&result, SHORT_WAIT_MS),
                                                 &error));
  g_assert_no_error (error);
  return user_agent;
}

static void
stop_user_agent (BelfryUserAgent **slot)
{
  g_autoptr (GAsyncResult) result = NULL;
  BelfryUserAgent *user_agent = g_steal_pointer (slot);

  if (user_agent == NULL)
    return;

  belfry_user_agent_stop_async (user_agent, NULL, belfry_test_store_result_cb, &result);
  g_assert_true (belfry_user_agent_stop_finish (user_agent, belfry_test_wait_result (&result, SHORT_WAIT_MS),
                                                NULL));
  g_clear_object (&result);
  belfry_test_assert_finalized (user_agent, SHORT_WAIT_MS);
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autofree char *uuid = g_uuid_string_random ();

  fixture->config = data;
  fixture->password = g_strdup_printf ("pw-%.8s", uuid);
  fixture->given_password = g_strdup (fixture->password);
  g_free (watched_password);
  watched_password = g_strdup (fixture->password);
  password_logged = FALSE;
  fixture->invitations = g_ptr_array_new_with_free_func (g_object_unref);

  if (fixture->config->start_kamailio) {
    g_autoptr (GError) error = NULL;
    BelfryKamailioOptions options = {
      .password = fixture->password,
      .min_expires = fixture->config->min_expires,
      .fail_503 = fixture->config->fail_503,
    };

    fixture->kamailio = belfry_kamailio_start (0, &options, &error);
    g_assert_no_error (error);
    g_test_message ("Kamailio listens on port %d", belfry_kamailio_get_port (fixture->kamailio));
  }

  fixture->bob = start_user_agent (fixture, "sip:bob@127.0.0.1");
  fixture->alice = start_user_agent (fixture, "sip:alice@127.0.0.1");
  g_signal_connect (fixture->bob, "invite", G_CALLBACK (invite_cb), fixture);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  gint64 deadline;

  g_clear_pointer (&fixture->invitations, g_ptr_array_unref);
  stop_user_agent (&fixture->alice);
  stop_user_agent (&fixture->bob);
  g_clear_pointer (&fixture->kamailio, belfry_kamailio_stop);

  /* Let what belle-sip and the registerer deferred run. */
  deadline = g_get_monotonic_time () + SHORT_WAIT_MS * 1000;
  while (g_main_context_pending (NULL) && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, FALSE);

  g_assert_false (password_logged);
  g_clear_pointer (&watched_password, g_free);
  g_free (fixture->password);
  g_free (fixture->given_password);
}

static BelfryRegisterer *
new_registerer (Fixture         *fixture,
                BelfryUserAgent *user_agent,
                int              port,
                const char      *parameters,
                guint            expires)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *uri = g_strdup_printf ("sip:127.0.0.1:%d%s", port, parameters ? parameters : "");
  BelfryRegisterer *registerer = belfry_registerer_new_for_uri (user_agent, uri, expires, &error);

  g_assert_no_error (error);
  g_assert_nonnull (registerer);
  return registerer;
}

static int
kamailio_port (Fixture *fixture)
{
  return belfry_kamailio_get_port (fixture->kamailio);
}

static BelfryRegisterer *
bob_registerer (Fixture *fixture,
                guint    expires)
{
  return new_registerer (fixture, fixture->bob, kamailio_port (fixture), NULL, expires);
}

#define assert_state(registerer, name) \
  g_assert_cmpint (belfry_registerer_get_state (registerer), ==, BELFRY_REGISTERER_STATE_##name)

static gboolean
register_now (BelfryRegisterer  *registerer,
              GError           **error)
{
  g_autoptr (GAsyncResult) result = NULL;

  belfry_registerer_register_async (registerer, NULL, belfry_test_store_result_cb, &result);
  return belfry_registerer_register_finish (registerer, belfry_test_wait_result (&result, LONG_WAIT_MS), error);
}

static gboolean
unregister_now (BelfryRegisterer  *registerer,
                GError           **error)
{
  g_autoptr (GAsyncResult) result = NULL;

  belfry_registerer_unregister_async (registerer, NULL, belfry_test_store_result_cb, &result);
  return belfry_registerer_unregister_finish (registerer, belfry_test_wait_result (&result, LONG_WAIT_MS),
                                              error);
}

static BelfryInviter *
call_bob (Fixture       *fixture,
          GAsyncResult **result)
{
  g_autofree char *uri = g_strdup_printf ("sip:bob@127.0.0.1:%d", kamailio_port (fixture));
  g_autoptr (BelfryNameAddr) target = belfry_name_addr_parse (uri, NULL);
  BelfryInviter *inviter = belfry_inviter_new (fixture->alice, target);

  belfry_session_invite_async (BELFRY_SESSION (inviter), NULL, NULL, belfry_test_store_result_cb, result);
  return inviter;
}

/* Records notify::state (0) and state-changed (the new state + 1). */
static void
record_notify_cb (GObject    *object,
                  GParamSpec *pspec,
                  GArray     *events)
{
  int event = 0;

  g_array_append_val (events, event);
}

static void
record_state_cb (BelfryRegisterer      *registerer,
                 BelfryRegistererState  state,
                 GArray                *events)
{
  int event = (int) state + 1;

  g_array_append_val (events, event);
}

static GArray *
record_states (BelfryRegisterer *registerer)
{
  GArray *events = g_array_new (FALSE, FALSE, sizeof (int));

  g_signal_connect (registerer, "notify::state", G_CALLBACK (record_notify_cb), events);
  g_signal_connect (registerer, "state-changed", G_CALLBACK (record_state_cb), events);
  return events;
}

static void
assert_states (GArray                      *events,
               const BelfryRegistererState *states,
               guint                        n_states)
{
  g_assert_cmpuint (events->len, ==, 2 * n_states);
  for (guint i = 0; i < n_states; i++) {
    /* notify::state first, then state-changed with the state. */
    g_assert_cmpint (g_array_index (events, int, 2 * i), ==, 0);
    g_assert_cmpint (g_array_index (events, int, 2 * i + 1), ==, (int) states[i] + 1);
  }
}

/* ---- Tests ---- */

static const TestConfig with_kamailio = { .start_kamailio = TRUE };
static const TestConfig with_min_expires = { .start_kamailio = TRUE, .min_expires = 3 };
static const TestConfig with_503 = { .start_kamailio = TRUE, .fail_503 = 1 };
static const TestConfig without_kamailio = { .start_kamailio = FALSE };

static void
test_properties (Fixture       *fixture,
                 gconstpointer  data)
{
  g_autoptr (BelfryRegisterer) registerer = belfry_registerer_new (fixture->bob, NULL, 0);
  g_autoptr (GEnumClass) klass = g_type_class_ref (BELFRY_TYPE_REGISTERER_STATE);
  const char *nicks[] = { "initial", "registered", "unregistered", "terminated" };
  g_autoptr (BelfryUserAgent) user_agent = NULL;
  g_autoptr (BelfryNameAddr) registrar = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GError) parse_error = NULL;
  BelfryRegistererState state;
  guint expires, retry_after;
  gboolean waiting;

  g_assert_cmpuint (klass->n_values, ==, G_N_ELEMENTS (nicks));
  for (guint i = 0; i < G_N_ELEMENTS (nicks); i++)
    g_assert_cmpstr (belfry_enum_get_nick (BELFRY_TYPE_REGISTERER_STATE, i), ==, nicks[i]);

  g_object_get (registerer,
                "user-agent", &user_agent,
                "registrar", &registrar,
                "expires", &expires,
                "state", &state,
                "waiting", &waiting,
                "error", &error,
                "retry-after", &retry_after,
                NULL);
  g_assert_true (user_agent == fixture->bob);
  g_assert_null (registrar);
  g_assert_cmpuint (expires, ==, 600);
  g_assert_cmpint (state, ==, BELFRY_REGISTERER_STATE_INITIAL);
  g_assert_false (waiting);
  g_assert_null (error);
  g_assert_cmpuint (retry_after, ==, 0);
  g_assert_cmpuint (belfry_registerer_get_retry_interval (registerer), ==, 2);
  g_assert_cmpuint (belfry_registerer_get_retry_interval_max (registerer), ==, 60);

  g_assert_true (G_PARAM_SPEC_VALUE_TYPE (g_object_class_find_property (
    G_OBJECT_GET_CLASS (registerer), "state")) == BELFRY_TYPE_REGISTERER_STATE);
  g_assert_true (G_PARAM_SPEC_VALUE_TYPE (g_object_class_find_property (
    G_OBJECT_GET_CLASS (registerer), "error")) == G_TYPE_ERROR);
  g_assert_true (G_PARAM_SPEC_VALUE_TYPE (g_object_class_find_property (
    G_OBJECT_GET_CLASS (registerer), "registrar")) == BELFRY_TYPE_NAME_ADDR);

  g_assert_null (belfry_registerer_new_for_uri (fixture->bob, "not an address <", 0, &parse_error));
  g_assert_nonnull (parse_error);

  /* Nothing registered: unregistering and disposing of it are immediate. */
  g_assert_true (unregister_now (registerer, NULL));
  assert_state (registerer, UNREGISTERED);
  g_clear_object (&user_agent);
  g_assert_finalize_object (g_steal_pointer (&registerer));
}

static void
test_register_digest (Fixture       *fixture,
                      gconstpointer  data)
{
  g_autoptr (BelfryRegisterer) registerer = bob_registerer (fixture, 600);
  g_autoptr (GArray) events = record_states (registerer);
  g_autoptr (GAsyncResult) call_result = NULL;
  g_autoptr (BelfryInviter) inviter = NULL;
  g_autoptr (GError) error = NULL;
  const BelfryRegistererState expected[] = {
    BELFRY_REGISTERER_STATE_REGISTERED, BELFRY_REGISTERER_STATE_UNREGISTERED,
  };

  g_assert_true (register_now (registerer, &error));
  g_assert_no_error (error);
  assert_state (registerer, REGISTERED);
  g_assert_null (belfry_registerer_get_error (registerer));
  g_assert_false (belfry_registerer_get_waiting (registerer));

  /* Kamailio challenged, then took the credentials. */
  g_assert_cmpuint (belfry_kamailio_count (fixture->kamailio, "BELFRY-REGISTER-CHALLENGE user=bob"),
                    >=, 1);
  assert_kamailio_count (fixture, "BELFRY-REGISTER-OK user=bob", 1);
  g_assert_cmpuint (fixture->password_requests, >=, 1);

  /* Kamailio really holds the contact: a call to bob's address of record
   * reaches bob's user agent, which turns it down. */
  inviter = call_bob (fixture, &call_result);
  if (!belfry_test_wait_until (has_invitation, fixture, SHORT_WAIT_MS))
    dump_and_fail (fixture, "the call to bob");
  belfry_invitation_reject (g_ptr_array_index (fixture->invitations, 0), 486, NULL);
  g_assert_false (belfry_session_invite_finish (BELFRY_SESSION (inviter),
                                                belfry_test_wait_result (&call_result, SHORT_WAIT_MS), &error));
  g_assert_cmpuint (belfry_sip_error_get_status (error), ==, 486);
  g_clear_error (&error);
  g_clear_object (&call_result);

  /* Registering again while registered renews in place: one more
   * REGISTER, no change of state. */
  g_assert_true (register_now (registerer, &error));
  g_assert_no_error (error);
  assert_kamailio_count (fixture, "BELFRY-REGISTER-OK user=bob", 2);
  assert_state (registerer, REGISTERED);

  g_assert_true (unregister_now (registerer, &error));
  g_assert_no_error (error);
  assert_states (events, expected, G_N_ELEMENTS (expected));

  g_ptr_array_set_size (fixture->invitations, 0);
  belfry_test_assert_finalized (g_steal_pointer (&inviter), SHORT_WAIT_MS);
  g_assert_finalize_object (g_steal_pointer (&registerer));
}

static void
test_refresh (Fixture       *fixture,
              gconstpointer  data)
{
  g_autoptr (BelfryRegisterer) registerer = bob_registerer (fixture, 2);
  g_autoptr (GArray) events = record_states (registerer);
  g_autoptr (GError) error = NULL;
  const BelfryRegistererState registered_only[] = { BELFRY_REGISTERER_STATE_REGISTERED };
  guint requests_before;

  g_assert_true (register_now (registerer, &error));
  g_assert_no_error (error);
  requests_before = fixture->password_requests;

  /* belle-sip's refresher renews at 90 % of the 2 s: two renewals, each
   * taken by Kamailio's digest check, within about 4 s. */
  wait_kamailio (fixture, "BELFRY-REGISTER-OK user=bob expires=2", 3, LONG_WAIT_MS);
  assert_state (registerer, REGISTERED);
  assert_states (events, registered_only, G_N_ELEMENTS (registered_only));
  /* The password was asked for again at each renewal, not kept. */
  g_assert_cmpuint (fixture->password_requests, >=, requests_before + 2);

  g_assert_true (unregister_now (registerer, NULL));
  g_assert_finalize_object (g_steal_pointer (&registerer));
}

static void
test_call (Fixture       *fixture,
           gconstpointer  data)
{
  g_autoptr (BelfryRegisterer) registerer = bob_registerer (fixture, 600);
  g_autoptr (GAsyncResult) call_result = NULL;
  g_autoptr (GAsyncResult) accept_result = NULL;
  g_autoptr (GAsyncResult) bye_result = NULL;
  g_autoptr (BelfryInviter) inviter = NULL;
  g_autoptr (BelfryInvitation) invitation = NULL;
  g_autoptr (GError) error = NULL;

  g_assert_true (register_now (registerer, &error));
  g_assert_no_error (error);

  /* Alice, not registered herself, calls bob's address of record at
   * Kamailio, which routes to bob's contact and stays in the route. */
  inviter = call_bob (fixture, &call_result);
  if (!belfry_test_wait_until (has_invitation, fixture, SHORT_WAIT_MS))
    dump_and_fail (fixture, "the call to bob");
  invitation = g_object_ref (g_ptr_array_index (fixture->invitations, 0));
  g_ptr_array_set_size (fixture->invitations, 0);

  belfry_invitation_accept_async (invitation, NULL, belfry_test_store_result_cb, &accept_result);
  g_assert_true (belfry_invitation_accept_finish (invitation,
                                                  belfry_test_wait_result (&accept_result, SHORT_WAIT_MS),
                                                  &error));
  g_assert_no_error (error);
  g_assert_true (belfry_session_invite_finish (BELFRY_SESSION (inviter),
                                               belfry_test_wait_result (&call_result, SHORT_WAIT_MS), &error));
  g_assert_no_error (error);
  wait_session_state (fixture, inviter, BELFRY_SESSION_STATE_ESTABLISHED);
  wait_session_state (fixture, invitation, BELFRY_SESSION_STATE_ESTABLISHED);

  /* The BYE follows the record route through Kamailio. */
  belfry_session_bye_async (BELFRY_SESSION (inviter), NULL, belfry_test_store_result_cb, &bye_result);
  g_assert_true (belfry_session_bye_finish (BELFRY_SESSION (inviter),
                                            belfry_test_wait_result (&bye_result, SHORT_WAIT_MS), &error));
  g_assert_no_error (error);
  wait_session_state (fixture, inviter, BELFRY_SESSION_STATE_TERMINATED);
  wait_session_state (fixture, invitation, BELFRY_SESSION_STATE_TERMINATED);
  assert_kamailio_count (fixture, "BELFRY-NOT-FOUND", 0);

  g_assert_true (unregister_now (registerer, NULL));
  g_clear_object (&call_result);
  g_clear_object (&accept_result);
  g_clear_object (&bye_result);
  belfry_test_assert_finalized (g_steal_pointer (&inviter), SHORT_WAIT_MS);
  belfry_test_assert_finalized (g_steal_pointer (&invitation), SHORT_WAIT_MS);
  g_assert_finalize_object (g_steal_pointer (&registerer));
}

static void
test_unregister (Fixture       *fixture,
                 gconstpointer  data)
{
  g_autoptr (BelfryRegisterer) registerer = bob_registerer (fixture, 600);
  g_autoptr (GArray) events = record_states (registerer);
  g_autoptr (GAsyncResult) call_result = NULL;
  g_autoptr (BelfryInviter) inviter = NULL;
  g_autoptr (GError) error = NULL;
  const BelfryRegistererState expected[] = {
    BELFRY_REGISTERER_STATE_REGISTERED, BELFRY_REGISTERER_STATE_UNREGISTERED,
  };
  guint status;

  g_assert_true (register_now (registerer, &error));
  g_assert_no_error (error);

  g_assert_true (unregister_now (registerer, &error));
  g_assert_no_error (error);
  assert_state (registerer, UNREGISTERED);
  g_assert_null (belfry_registerer_get_error (registerer));
  g_assert_cmpuint (belfry_registerer_get_retry_after (registerer), ==, 0);
  assert_kamailio_count (fixture, "BELFRY-REGISTER-OK user=bob expires=0", 1);
  assert_states (events, expected, G_N_ELEMENTS (expected));

  /* Kamailio forgot the contact: a call to bob fails there. */
  inviter = call_bob (fixture, &call_result);
  g_assert_false (belfry_session_invite_finish (BELFRY_SESSION (inviter),
                                                belfry_test_wait_result (&call_result, SHORT_WAIT_MS), &error));
  status = belfry_sip_error_get_status (error);
  g_assert_true (status == 404 || status == 480);
  g_assert_cmpuint (fixture->invitations->len, ==, 0);

  g_clear_object (&call_result);
  belfry_test_assert_finalized (g_steal_pointer (&inviter), SHORT_WAIT_MS);
  g_assert_finalize_object (g_steal_pointer (&registerer));
}

static void
test_wrong_password (Fixture       *fixture,
                     gconstpointer  data)
{
  g_autoptr (BelfryRegisterer) registerer = bob_registerer (fixture, 600);
  g_autoptr (GArray) events = record_states (registerer);
  g_autoptr (GError) error = NULL;
  const GError *last;
  const BelfryRegistererState expected[] = { BELFRY_REGISTERER_STATE_UNREGISTERED };

  g_free (fixture->given_password);
  fixture->given_password = g_strdup ("not-the-password");

  g_assert_false (register_now (registerer, &error));
  g_assert_nonnull (error);
  g_assert_true (error->domain == BELFRY_SIP_ERROR);
  g_assert_true (belfry_sip_error_get_status (error) == 401 ||
                 belfry_sip_error_get_status (error) == 403);
  g_test_message ("error: %s", error->message);

  assert_state (registerer, UNREGISTERED);
  last = belfry_registerer_get_error (registerer);
  g_assert_nonnull (last);
  g_assert_cmpint (last->code, ==, error->code);
  g_assert_nonnull (strstr (last->message, "refused the password"));
  g_assert_false (belfry_registerer_get_waiting (registerer));
  /* A refused password is not tried again by itself. */
  g_assert_cmpuint (belfry_registerer_get_retry_after (registerer), ==, 0);
  assert_states (events, expected, G_N_ELEMENTS (expected));

  /* The challenge and one answer to it, then nothing more: no REGISTER
   * comes within a second and a half (the refresher would retry at once). */
  assert_kamailio_count (fixture, "BELFRY-REGISTER user=bob", 2);
  g_assert_false (belfry_kamailio_wait_count (fixture->kamailio, "BELFRY-REGISTER user=bob", 3,
                                              1500));
  assert_kamailio_count (fixture, "BELFRY-REGISTER-OK", 0);

  g_assert_finalize_object (g_steal_pointer (&registerer));
}

static char *
no_password_cb (BelfryUserAgent *user_agent,
                const char      *realm,
                const char      *username,
                gpointer         user_data)
{
  return NULL;
}

static void
test_no_password (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autoptr (BelfryRegisterer) registerer = bob_registerer (fixture, 600);
  g_autoptr (GError) error = NULL;

  belfry_user_agent_set_password_func (fixture->bob, no_password_cb, NULL, NULL);

  g_assert_false (register_now (registerer, &error));
  g_assert_cmpuint (belfry_sip_error_get_status (error), ==, 401);
  g_assert_nonnull (strstr (error->message, "none is set"));
  assert_state (registerer, UNREGISTERED);
  g_assert_cmpuint (belfry_registerer_get_retry_after (registerer), ==, 0);
  g_assert_cmpuint (belfry_kamailio_count (fixture->kamailio, "BELFRY-REGISTER user=bob"), <=, 2);

  g_assert_finalize_object (g_steal_pointer (&registerer));
}

static void
test_registrar_down (Fixture       *fixture,
                     gconstpointer  data)
{
  int port = belfry_kamailio_pick_port ();
  g_autoptr (BelfryRegisterer) registerer =
    new_registerer (fixture, fixture->bob, port, ";transport=tcp", 600);
  g_autoptr (GArray) events = record_states (registerer);
  g_autoptr (GError) error = NULL;
  const BelfryRegistererState expected[] = {
    BELFRY_REGISTERER_STATE_UNREGISTERED, BELFRY_REGISTERER_STATE_REGISTERED,
  };
  BelfryKamailioOptions options = { .password = fixture->password };
  gint64 started;

  /* Short back-off for the test: 1 s, then 2 s at most. */
  belfry_registerer_set_retry_interval (registerer, 1);
  belfry_registerer_set_retry_interval_max (registerer, 2);

  /* Nobody listens: TCP fails at once. */
  started = g_get_monotonic_time ();
  g_assert_false (register_now (registerer, &error));
  g_assert_error (error, BELFRY_SIP_ERROR, BELFRY_SIP_ERROR_TRANSPORT);
  g_assert_cmpint (g_get_monotonic_time () - started, <, 5 * G_USEC_PER_SEC);
  assert_state (registerer, UNREGISTERED);
  g_assert_nonnull (belfry_registerer_get_error (registerer));
  g_assert_cmpuint (belfry_registerer_get_retry_after (registerer), >=, 1);
  g_assert_cmpuint (belfry_registerer_get_retry_after (registerer), <=, 2);
  g_clear_error (&error);

  /* The registrar comes up on that port; the registerer finds it alone. */
  fixture->kamailio = belfry_kamailio_start (port, &options, &error);
  g_assert_no_error (error);
  wait_registerer_state (fixture, registerer, BELFRY_REGISTERER_STATE_REGISTERED, LONG_WAIT_MS);
  g_assert_null (belfry_registerer_get_error (registerer));
  g_assert_cmpuint (belfry_registerer_get_retry_after (registerer), ==, 0);
  assert_kamailio_count (fixture, "BELFRY-REGISTER-OK user=bob", 1);
  assert_states (events, expected, G_N_ELEMENTS (expected));

  g_assert_true (unregister_now (registerer, NULL));
  g_assert_finalize_object (g_steal_pointer (&registerer));
}

static void
test_interval_too_brief (Fixture       *fixture,
                         gconstpointer  data)
{
  g_autoptr (BelfryRegisterer) registerer = bob_registerer (fixture, 1);
  g_autoptr (GError) error = NULL;

  /* Kamailio wants 3 s at least and says so with 423 and Min-Expires. */
  g_assert_true (register_now (registerer, &error));
  g_assert_no_error (error);
  assert_state (registerer, REGISTERED);
  g_assert_cmpuint (belfry_registerer_get_expires (registerer), ==, 3);
  assert_kamailio_count (fixture, "BELFRY-REGISTER-REFUSED user=bob", 1);
  assert_kamailio_count (fixture, "BELFRY-REGISTER-OK user=bob expires=3", 1);

  g_assert_true (unregister_now (registerer, NULL));
  g_assert_finalize_object (g_steal_pointer (&registerer));
}

static void
test_retry_after (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autoptr (BelfryRegisterer) registerer = bob_registerer (fixture, 600);
  g_autoptr (GError) error = NULL;

  /* A long back-off, so that only the registrar's Retry-After: 1 can
   * explain an attempt within the bound below. */
  belfry_registerer_set_retry_interval (registerer, 60);

  g_assert_false (register_now (registerer, &error));
  g_assert_cmpuint (belfry_sip_error_get_status (error), ==, 503);
  assert_state (registerer, UNREGISTERED);
  g_assert_cmpuint (belfry_registerer_get_retry_after (registerer), ==, 1);

  wait_registerer_state (fixture, registerer, BELFRY_REGISTERER_STATE_REGISTERED, SHORT_WAIT_MS);
  assert_kamailio_count (fixture, "BELFRY-REGISTER-503", 1);
  g_assert_null (belfry_registerer_get_error (registerer));

  g_assert_true (unregister_now (registerer, NULL));
  g_assert_finalize_object (g_steal_pointer (&registerer));
}

static void
test_user_agent_restart (Fixture       *fixture,
                         gconstpointer  data)
{
  g_autoptr (BelfryRegisterer) registerer = bob_registerer (fixture, 600);
  g_autoptr (GArray) events = record_states (registerer);
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GError) error = NULL;
  const BelfryRegistererState expected[] = {
    BELFRY_REGISTERER_STATE_REGISTERED, BELFRY_REGISTERER_STATE_UNREGISTERED,
    BELFRY_REGISTERER_STATE_REGISTERED, BELFRY_REGISTERER_STATE_UNREGISTERED,
  };

  g_assert_true (register_now (registerer, &error));
  g_assert_no_error (error);

  /* A stopped user agent cannot keep the registration up. */
  belfry_user_agent_stop_async (fixture->bob, NULL, belfry_test_store_result_cb, &result);
  g_assert_true (belfry_user_agent_stop_finish (fixture->bob, belfry_test_wait_result (&result, SHORT_WAIT_MS),
                                                NULL));
  g_clear_object (&result);
  assert_state (registerer, UNREGISTERED);
  g_assert_error (belfry_registerer_get_error (registerer), BELFRY_SIP_ERROR,
                  BELFRY_SIP_ERROR_TRANSPORT);
  g_assert_cmpuint (belfry_registerer_get_retry_after (registerer), ==, 0);

  /* Started again, it registers again by itself. */
  belfry_user_agent_start_async (fixture->bob, NULL, belfry_test_store_result_cb, &result);
  g_assert_true (belfry_user_agent_start_finish (fixture->bob, belfry_test_wait_result (&result, SHORT_WAIT_MS),
                                                 NULL));
  g_clear_object (&result);
  wait_registerer_state (fixture, registerer, BELFRY_REGISTERER_STATE_REGISTERED, SHORT_WAIT_MS);
  assert_kamailio_count (fixture, "BELFRY-REGISTER-OK user=bob expires=600", 2);

  g_assert_true (unregister_now (registerer, NULL));
  assert_states (events, expected, G_N_ELEMENTS (expected));
  g_assert_finalize_object (g_steal_pointer (&registerer));
}

static void
test_dispose_registered (Fixture       *fixture,
                         gconstpointer  data)
{
  BelfryRegisterer *registerer = bob_registerer (fixture, 600);
  g_autoptr (GArray) events = record_states (registerer);
  g_autoptr (GError) error = NULL;
  const BelfryRegistererState expected[] = {
    BELFRY_REGISTERER_STATE_REGISTERED, BELFRY_REGISTERER_STATE_UNREGISTERED,
    BELFRY_REGISTERER_STATE_TERMINATED,
  };

  g_assert_true (register_now (registerer, &error));
  g_assert_no_error (error);

  /* SIP.js's dispose() unregisters first; the operation keeps the
   * registerer alive until Kamailio answered. */
  g_object_add_weak_pointer (G_OBJECT (registerer), (gpointer *) &registerer);
  belfry_registerer_dispose_async (registerer, NULL, NULL, NULL);
  g_object_unref (registerer);
  g_assert_nonnull (registerer);
  g_assert_true (belfry_registerer_get_waiting (registerer));

  g_assert_true (belfry_test_wait_until (belfry_test_pointer_cleared, &registerer, SHORT_WAIT_MS));
  assert_kamailio_count (fixture, "BELFRY-REGISTER-OK user=bob expires=0", 1);
  assert_states (events, expected, G_N_ELEMENTS (expected));
}

int
main (int   argc,
      char *argv[])
{
  belfry_test_init (&argc, &argv);
  g_log_set_writer_func (watch_password_writer, NULL, NULL);

#define ADD(path, config, func) \
  g_test_add ("/belfry/registerer/" path, Fixture, &config, fixture_set_up, func, fixture_tear_down)

  ADD ("properties", without_kamailio, test_properties);
  ADD ("register-digest", with_kamailio, test_register_digest);
  ADD ("refresh", with_kamailio, test_refresh);
  ADD ("call-through-registrar", with_kamailio, test_call);
  ADD ("unregister", with_kamailio, test_unregister);
  ADD ("wrong-password", with_kamailio, test_wrong_password);
  ADD ("no-password", with_kamailio, test_no_password);
  ADD ("registrar-down", without_kamailio, test_registrar_down);
  ADD ("interval-too-brief", with_min_expires, test_interval_too_brief);
  ADD ("retry-after-503", with_503, test_retry_after);
  ADD ("user-agent-restart", with_kamailio, test_user_agent_restart);
  ADD ("dispose-registered", with_kamailio, test_dispose_registered);

#undef ADD

  return g_test_run ();
}
