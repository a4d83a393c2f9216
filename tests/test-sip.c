/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include "belfry-invitation.h"
#include "belfry-inviter.h"
#include "belfry-sip-error.h"
#include "belfry-sipp.h"
#include "belfry-test-env.h"
#include "belfry-test-sdh.h"
#include "belfry-user-agent.h"

/* The SIP suite: a Belfry user agent in this process against sipp on
 * loopback, over UDP, TCP and IPv6. sipp's scenarios (tests/sipp/) check
 * the wire; the test checks what Belfry made of it. */

typedef struct {
  const char *address;
  const char *transport;
} Variant;

static const Variant udp4 = { "127.0.0.1", "u1" };
static const Variant tcp4 = { "127.0.0.1", "t1" };
static const Variant udp6 = { "::1", "u1" };

typedef struct {
  const Variant *variant;
  BelfryTestSdhFactory *factory;
  BelfryUserAgent *user_agent;
  int sipp_port;
  BelfryInvitation *invitation;
  guint invites;
  /* What the invite handler does with an incoming call: 0 accepts,
   * 1 rings only, a status rejects. */
  guint incoming_plan;
} Fixture;

static gboolean
pointer_true (gpointer data)
{
  return *(gboolean *) data;
}




typedef struct {
  BelfrySession *session;
  BelfrySessionState state;
} StateWait;

static gboolean
state_reached (gpointer data)
{
  StateWait *wait = data;

  return belfry_session_get_state (wait->session) == wait->state;
}

static void
wait_state (BelfrySession      *session,
            BelfrySessionState  state,
            guint               timeout_ms)
{
  StateWait wait = { session, state };

  g_assert_true (belfry_test_wait_until (state_reached, &wait, timeout_ms));
}

static void
on_invite (BelfryUserAgent  *user_agent,
           BelfryInvitation *invitation,
           Fixture          *fixture)
{
  fixture->invites++;
  g_set_object (&fixture->invitation, invitation);

  if (fixture->incoming_plan == 0 || fixture->incoming_plan == 1)
    belfry_invitation_progress (invitation, 180);
  if (fixture->incoming_plan == 0)
    belfry_invitation_accept_async (invitation, NULL, NULL, NULL);
  else if (fixture->incoming_plan >= 300)
    belfry_invitation_reject (invitation, fixture->incoming_plan, NULL);
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (BelfryNameAddr) identity = NULL;
  g_autofree char *uri = NULL;

  fixture->variant = data;
  fixture->factory = belfry_test_sdh_factory_new ();
  uri = strchr (fixture->variant->address, ':') ? g_strdup_printf ("sip:belfry@[%s]", fixture->variant->address)
                                                : g_strdup_printf ("sip:belfry@%s", fixture->variant->address);
  identity = belfry_name_addr_new ("Belfry Test", uri, &error);
  g_assert_no_error (error);

  fixture->user_agent = belfry_user_agent_new (identity, fixture->variant->address, 0,
                                               BELFRY_SESSION_DESCRIPTION_HANDLER_FACTORY (fixture->factory));
  belfry_user_agent_start_async (fixture->user_agent, NULL, belfry_test_store_result_cb, &result);
  g_assert_true (belfry_user_agent_start_finish (fixture->user_agent, belfry_test_wait_result (&result, 5000), &error));
  g_assert_no_error (error);
  g_assert_cmpint (belfry_user_agent_get_port (fixture->user_agent), >, 0);

  fixture->sipp_port = belfry_test_free_port (fixture->variant->address);
  g_signal_connect (fixture->user_agent, "invite", G_CALLBACK (on_invite), fixture);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  if (fixture->invitation != NULL)
    belfry_test_assert_finalized (g_steal_pointer (&fixture->invitation), 3000);
  g_assert_finalize_object (g_steal_pointer (&fixture->user_agent));
  g_assert_finalize_object (g_steal_pointer (&fixture->factory));
}

static BelfrySipp *
start_sipp_server (Fixture    *fixture,
                   const char *scenario)
{
  return belfry_sipp_start (scenario, fixture->variant->transport, fixture->variant->address,
                            fixture->sipp_port, NULL, NULL);
}

static BelfrySipp *
start_sipp_client_with (Fixture            *fixture,
                        const char         *scenario,
                        const char * const *extra_args)
{
  g_autofree char *remote = NULL;

  if (strchr (fixture->variant->address, ':'))
    remote = g_strdup_printf ("[%s]:%d", fixture->variant->address, belfry_user_agent_get_port (fixture->user_agent));
  else
    remote = g_strdup_printf ("%s:%d", fixture->variant->address, belfry_user_agent_get_port (fixture->user_agent));

  return belfry_sipp_start (scenario, fixture->variant->transport, fixture->variant->address,
                            fixture->sipp_port, remote, extra_args);
}

static BelfrySipp *
start_sipp_client (Fixture    *fixture,
                   const char *scenario)
{
  return start_sipp_client_with (fixture, scenario, NULL);
}

static BelfrySession *
new_call (Fixture *fixture)
{
  g_autoptr (BelfryNameAddr) target = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *uri = NULL;
  gboolean v6 = strchr (fixture->variant->address, ':') != NULL;

  uri = g_strdup_printf (v6 ? "sip:sipp@[%s]:%d;transport=%s" : "sip:sipp@%s:%d;transport=%s",
                         fixture->variant->address, fixture->sipp_port,
                         g_str_equal (fixture->variant->transport, "t1") ? "tcp" : "udp");
  target = belfry_name_addr_new (NULL, uri, &error);
  g_assert_no_error (error);

  return BELFRY_SESSION (belfry_inviter_new (fixture->user_agent, target));
}

static void
invite (BelfrySession                    *session,
        const BelfrySessionInviteOptions *options,
        GError                          **error)
{
  g_autoptr (GAsyncResult) result = NULL;

  belfry_session_invite_async (session, options, NULL, belfry_test_store_result_cb, &result);
  belfry_session_invite_finish (session, belfry_test_wait_result (&result, 20000), error);
}

static void
hang_up (BelfrySession *session)
{
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GError) error = NULL;

  belfry_session_bye_async (session, NULL, belfry_test_store_result_cb, &result);
  g_assert_true (belfry_session_bye_finish (session, belfry_test_wait_result (&result, 10000), &error));
  g_assert_no_error (error);
  g_assert_cmpint (belfry_session_get_state (session), ==, BELFRY_SESSION_STATE_TERMINATED);
}

static void
test_outgoing_forked (Fixture       *fixture,
                      gconstpointer  data)
{
  g_autoptr (BelfrySipp) sipp = start_sipp_server (fixture, "uas-forked.xml");
  g_autoptr (BelfrySession) call = new_call (fixture);
  g_autoptr (GError) error = NULL;
  g_autofree char *first_tag = NULL;

  /* Two branches answer; the call stays with the first. */
  invite (call, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (belfry_session_get_state (call), ==, BELFRY_SESSION_STATE_ESTABLISHED);
  first_tag = g_strdup (belfry_session_dialog_get_remote_tag (belfry_session_get_dialog (call)));
  g_assert_true (g_str_has_suffix (first_tag, "SIPpBranch1"));

  /* The first branch hangs up only once it saw ACK, ACK and the BYE that
   * ends the second branch, to the second's Contact, with a Reason. */
  wait_state (call, BELFRY_SESSION_STATE_TERMINATED, 10000);
  g_assert_cmpint (belfry_sipp_wait (sipp, 10000), ==, 0);
}

static void
test_outgoing_answered (Fixture       *fixture,
                        gconstpointer  data)
{
  g_autoptr (BelfrySipp) sipp = start_sipp_server (fixture, "uas-answer.xml");
  g_autoptr (BelfrySession) call = new_call (fixture);
  g_autoptr (GError) error = NULL;
  BelfrySessionDialog *dialog;
  BelfryTestSdh *handler;
  guint changes = 0;

  g_signal_connect_swapped (call, "state-changed", G_CALLBACK (g_atomic_int_inc), &changes);
  invite (call, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (belfry_session_get_state (call), ==, BELFRY_SESSION_STATE_ESTABLISHED);
  /* INITIAL -> ESTABLISHING (180) -> ESTABLISHED (200). */
  g_assert_cmpuint (changes, ==, 2);

  /* The 200 carried a P-Asserted-Identity. */
  g_assert_nonnull (belfry_session_get_asserted_identity (call));
  g_assert_cmpstr (belfry_name_addr_get_display_name (belfry_session_get_asserted_identity (call)), ==, "Bob Asserted");
  g_assert_cmpstr (belfry_name_addr_get_user (belfry_session_get_asserted_identity (call)), ==, "+4930123");

  dialog = belfry_session_get_dialog (call);
  g_assert_nonnull (dialog);
  g_assert_nonnull (belfry_session_dialog_get_call_id (dialog));
  g_assert_nonnull (belfry_session_dialog_get_remote_tag (dialog));
  g_assert_true (g_str_has_prefix (belfry_session_get_id (call), belfry_session_dialog_get_call_id (dialog)));

  handler = BELFRY_TEST_SDH (belfry_session_get_session_description_handler (call));
  g_assert_cmpstr (belfry_test_sdh_get_remote_direction (handler), ==, "sendrecv");

  hang_up (call);
  g_assert_true (belfry_test_sdh_get_closed (handler));
  g_assert_cmpint (belfry_sipp_wait (sipp, 10000), ==, 0);
  belfry_test_assert_finalized (g_steal_pointer (&call), 3000);
}

/* A call whose owner lets go of it goes on: the user agent holds it, and
 * nothing is sent until someone ends it. Stopping the user agent ends it,
 * as SIP.js's UserAgent.stop() does: sipp gets its BYE, and the user agent
 * stops once the BYE was answered. */
static void
test_owner_lets_go (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autoptr (BelfrySipp) sipp = start_sipp_server (fixture, "uas-answer.xml");
  BelfrySession *call = new_call (fixture);
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GError) error = NULL;

  invite (call, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (belfry_session_get_state (call), ==, BELFRY_SESSION_STATE_ESTABLISHED);

  g_object_add_weak_pointer (G_OBJECT (call), (gpointer *) &call);
  g_object_unref (call);
  g_assert_nonnull (call);
  g_assert_cmpint (belfry_session_get_state (call), ==, BELFRY_SESSION_STATE_ESTABLISHED);

  belfry_user_agent_stop_async (fixture->user_agent, NULL, belfry_test_store_result_cb, &result);
  g_assert_true (belfry_user_agent_stop_finish (fixture->user_agent,
                                                belfry_test_wait_result (&result, 10000), &error));
  g_assert_no_error (error);
  g_assert_false (belfry_user_agent_get_started (fixture->user_agent));
  g_assert_cmpint (belfry_sipp_wait (sipp, 10000), ==, 0);
  g_assert_true (belfry_test_wait_until (belfry_test_pointer_cleared, &call, 3000));
}

/* Tones asked for at once, as keys pressed quickly: sipp answers without
 * telephone-event, so they go out as SIP INFO, one request at a time
 * (belle-sip queues a request in a dialog until the one before it is
 * answered), and sipp checks 5, # and * in this order, then hangs up. */
static void
test_outgoing_dtmf_info (Fixture       *fixture,
                         gconstpointer  data)
{
  g_autoptr (BelfrySipp) sipp = start_sipp_server (fixture, "uas-tones.xml");
  g_autoptr (BelfrySession) call = new_call (fixture);
  g_autoptr (GAsyncResult) first = NULL;
  g_autoptr (GAsyncResult) second = NULL;
  g_autoptr (GError) error = NULL;

  invite (call, NULL, &error);
  g_assert_no_error (error);
  belfry_session_send_dtmf_async (call, "5", NULL, belfry_test_store_result_cb, &first);
  belfry_session_send_dtmf_async (call, "#*", NULL, belfry_test_store_result_cb, &second);
  belfry_test_wait_result (&first, 10000);
  g_assert_true (belfry_session_send_dtmf_finish (call, first, &error));
  g_assert_no_error (error);
  /* The second starts only now. */
  g_assert_null (second);
  belfry_test_wait_result (&second, 10000);
  g_assert_true (belfry_session_send_dtmf_finish (call, second, &error));
  g_assert_no_error (error);
  g_clear_object (&first);
  g_clear_object (&second);

  /* sipp hangs up once it has all three. */
  wait_state (call, BELFRY_SESSION_STATE_TERMINATED, 10000);
  g_assert_cmpint (belfry_sipp_wait (sipp, 10000), ==, 0);
  belfry_test_assert_finalized (g_steal_pointer (&call), 3000);
}

static void
check_refused (Fixture    *fixture,
               const char *scenario,
               int         status)
{
  g_autoptr (BelfrySipp) sipp = start_sipp_server (fixture, scenario);
  g_autoptr (BelfrySession) call = new_call (fixture);
  g_autoptr (GError) error = NULL;

  invite (call, NULL, &error);
  g_assert_error (error, BELFRY_SIP_ERROR, status);
  g_assert_cmpuint (belfry_sip_error_get_status (error), ==, (guint) status);
  g_assert_cmpint (belfry_session_get_state (call), ==, BELFRY_SESSION_STATE_TERMINATED);
  g_assert_cmpint (belfry_sipp_wait (sipp, 10000), ==, 0);
  belfry_test_assert_finalized (g_steal_pointer (&call), 3000);
}

static void
test_outgoing_busy (Fixture       *fixture,
                    gconstpointer  data)
{
  check_refused (fixture, "uas-busy.xml", 486);
}

/* A 401 without Call-ID (tests/fuzz/corpus/sip/crash-401-without-call-id,
 * found by fuzz-sip) crashed belle-sip's digest code when Belfry answered
 * it with credentials; the call fails with it instead. */
static void
test_outgoing_401_without_call_id (Fixture       *fixture,
                                   gconstpointer  data)
{
  check_refused (fixture, "uas-401-no-call-id.xml", 401);
}

static void
test_outgoing_declined (Fixture       *fixture,
                        gconstpointer  data)
{
  check_refused (fixture, "uas-decline.xml", 603);
}

static void
test_outgoing_cancelled (Fixture       *fixture,
                         gconstpointer  data)
{
  g_autoptr (BelfrySipp) sipp = start_sipp_server (fixture, "uas-cancelled.xml");
  g_autoptr (BelfrySession) call = new_call (fixture);
  g_autoptr (GAsyncResult) invited = NULL;
  g_autoptr (GAsyncResult) cancelled = NULL;
  g_autoptr (GError) error = NULL;

  belfry_session_invite_async (call, NULL, NULL, belfry_test_store_result_cb, &invited);
  wait_state (call, BELFRY_SESSION_STATE_ESTABLISHING, 10000);

  belfry_inviter_cancel_async (BELFRY_INVITER (call), NULL, belfry_test_store_result_cb, &cancelled);
  g_assert_true (belfry_inviter_cancel_finish (BELFRY_INVITER (call), belfry_test_wait_result (&cancelled, 10000), &error));
  g_assert_no_error (error);
  g_assert_false (belfry_session_invite_finish (call, belfry_test_wait_result (&invited, 10000), &error));
  g_assert_error (error, BELFRY_SIP_ERROR, BELFRY_SIP_ERROR_CANCELLED);
  g_assert_cmpint (belfry_session_get_state (call), ==, BELFRY_SESSION_STATE_TERMINATED);
  /* sipp checks the CANCEL's Reason header. */
  g_assert_cmpint (belfry_sipp_wait (sipp, 10000), ==, 0);
  g_clear_object (&invited);
  g_clear_object (&cancelled);
  belfry_test_assert_finalized (g_steal_pointer (&call), 3000);
}

static void
test_outgoing_no_answer (Fixture       *fixture,
                         gconstpointer  data)
{
  g_autoptr (BelfrySipp) sipp = start_sipp_server (fixture, "uas-cancelled.xml");
  g_autoptr (BelfrySession) call = new_call (fixture);
  g_autoptr (GError) error = NULL;

  /* The peer rings and never answers: the call gives up and cancels. */
  g_object_set (call, "ring-timeout", 1, NULL);
  invite (call, NULL, &error);
  g_assert_error (error, BELFRY_SIP_ERROR, BELFRY_SIP_ERROR_TIMEOUT);
  g_assert_cmpint (belfry_session_get_state (call), ==, BELFRY_SESSION_STATE_TERMINATED);
  g_assert_cmpint (belfry_sipp_wait (sipp, 10000), ==, 0);
  belfry_test_assert_finalized (g_steal_pointer (&call), 3000);
}

static void
test_remote_bye (Fixture       *fixture,
                 gconstpointer  data)
{
  g_autoptr (BelfrySipp) sipp = start_sipp_server (fixture, "uas-remote-bye.xml");
  g_autoptr (BelfrySession) call = new_call (fixture);
  g_autoptr (GError) error = NULL;

  invite (call, NULL, &error);
  g_assert_no_error (error);
  wait_state (call, BELFRY_SESSION_STATE_TERMINATED, 10000);
  g_assert_cmpint (belfry_sipp_wait (sipp, 10000), ==, 0);
  belfry_test_assert_finalized (g_steal_pointer (&call), 3000);
}

static void
test_hold_resume (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autoptr (BelfrySipp) sipp = start_sipp_server (fixture, "uas-hold.xml");
  g_autoptr (BelfrySession) call = new_call (fixture);
  g_autoptr (GError) error = NULL;
  BelfrySessionInviteOptions hold = { .hold = TRUE };
  BelfrySessionInviteOptions resume = { .hold = FALSE };
  BelfryTestSdh *handler;

  invite (call, NULL, &error);
  g_assert_no_error (error);
  handler = BELFRY_TEST_SDH (belfry_session_get_session_description_handler (call));

  invite (call, &hold, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (belfry_test_sdh_get_local_direction (handler), ==, "sendonly");
  g_assert_cmpstr (belfry_test_sdh_get_remote_direction (handler), ==, "recvonly");

  invite (call, &resume, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (belfry_test_sdh_get_local_direction (handler), ==, "sendrecv");
  g_assert_cmpstr (belfry_test_sdh_get_remote_direction (handler), ==, "sendrecv");
  g_assert_cmpint (belfry_session_get_state (call), ==, BELFRY_SESSION_STATE_ESTABLISHED);

  hang_up (call);
  g_assert_cmpint (belfry_sipp_wait (sipp, 10000), ==, 0);
  belfry_test_assert_finalized (g_steal_pointer (&call), 3000);
}

static void
test_reinvite_491 (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autoptr (BelfrySipp) sipp = start_sipp_server (fixture, "uas-491.xml");
  g_autoptr (BelfrySession) call = new_call (fixture);
  g_autoptr (GAsyncResult) first = NULL;
  g_autoptr (GAsyncResult) second = NULL;
  g_autoptr (GError) error = NULL;
  BelfrySessionInviteOptions hold = { .hold = TRUE };
  gint64 start;

  invite (call, NULL, &error);
  g_assert_no_error (error);

  start = g_get_monotonic_time ();
  belfry_session_invite_async (call, &hold, NULL, belfry_test_store_result_cb, &first);
  /* One re-INVITE at a time. */
  belfry_session_invite_async (call, &hold, NULL, belfry_test_store_result_cb, &second);
  g_assert_false (belfry_session_invite_finish (call, belfry_test_wait_result (&second, 1000), &error));
  g_assert_error (error, BELFRY_SIP_ERROR, BELFRY_SIP_ERROR_REQUEST_PENDING);
  g_clear_error (&error);

  g_assert_true (belfry_session_invite_finish (call, belfry_test_wait_result (&first, 10000), &error));
  g_assert_no_error (error);
  /* We sent the first INVITE, so we own the Call-ID: RFC 3261 section
   * 14.1 has us wait 2.1 to 4 s before retrying. */
  g_assert_cmpint (g_get_monotonic_time () - start, >=, 2100 * 1000);

  hang_up (call);
  g_assert_cmpint (belfry_sipp_wait (sipp, 10000), ==, 0);
  g_clear_object (&first);
  g_clear_object (&second);
  belfry_test_assert_finalized (g_steal_pointer (&call), 3000);
}

static void
test_blind_transfer (Fixture       *fixture,
                     gconstpointer  data)
{
  g_autoptr (BelfrySipp) sipp = start_sipp_server (fixture, "uas-refer.xml");
  g_autoptr (BelfrySession) call = new_call (fixture);
  g_autoptr (BelfryNameAddr) carol = belfry_name_addr_parse ("<sip:carol@example.org>", NULL);
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GError) error = NULL;

  invite (call, NULL, &error);
  g_assert_no_error (error);

  /* Completes on the NOTIFY that says the target answered. */
  belfry_session_refer_async (call, carol, NULL, NULL, belfry_test_store_result_cb, &result);
  g_assert_true (belfry_session_refer_finish (call, belfry_test_wait_result (&result, 10000), &error));
  g_assert_no_error (error);
  g_clear_object (&result);

  hang_up (call);
  g_assert_cmpint (belfry_sipp_wait (sipp, 10000), ==, 0);
  belfry_test_assert_finalized (g_steal_pointer (&call), 3000);
}

static void
test_incoming_accepted (Fixture       *fixture,
                        gconstpointer  data)
{
  g_autoptr (BelfrySipp) sipp = start_sipp_client (fixture, "uac-call.xml");
  BelfrySession *call;
  BelfryNameAddr *asserted;

  fixture->incoming_plan = 0;
  g_assert_cmpint (belfry_sipp_wait (sipp, 20000), ==, 0);
  g_assert_cmpuint (fixture->invites, ==, 1);

  call = BELFRY_SESSION (fixture->invitation);
  wait_state (call, BELFRY_SESSION_STATE_TERMINATED, 5000);
  asserted = belfry_session_get_asserted_identity (call);
  g_assert_nonnull (asserted);
  g_assert_cmpstr (belfry_name_addr_get_display_name (asserted), ==, "Alice Asserted");
  g_assert_cmpstr (belfry_name_addr_get_display_name (belfry_session_get_remote_identity (call)), ==, "SIPp Caller");
}

static void
on_dtmf (BelfrySession *session,
         char           digit,
         GString       *digits)
{
  g_string_append_c (digits, digit);
}

static char *
password_cb (BelfryUserAgent *user_agent,
             const char      *realm,
             const char      *username,
             gpointer         data)
{
  g_assert_cmpstr (realm, ==, "belfry.test");
  g_assert_cmpstr (username, ==, "belfry");
  return g_strdup ("s3cret");
}

static void
test_outgoing_auth (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autoptr (BelfrySipp) sipp = start_sipp_server (fixture, "uas-auth.xml");
  g_autoptr (BelfrySession) call = new_call (fixture);
  g_autoptr (GError) error = NULL;

  /* sipp checks the digest of the second INVITE. */
  belfry_user_agent_set_username (fixture->user_agent, "belfry");
  belfry_user_agent_set_password_func (fixture->user_agent, password_cb, NULL, NULL);
  invite (call, NULL, &error);
  g_assert_no_error (error);
  hang_up (call);
  g_assert_cmpint (belfry_sipp_wait (sipp, 10000), ==, 0);
  belfry_test_assert_finalized (g_steal_pointer (&call), 3000);
}

static void
test_cancel_race (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autoptr (BelfrySipp) sipp = start_sipp_server (fixture, "uas-cancel-race.xml");
  g_autoptr (BelfrySession) call = new_call (fixture);
  g_autoptr (GAsyncResult) invited_result = NULL;
  g_autoptr (GAsyncResult) cancelled = NULL;
  g_autoptr (GError) error = NULL;

  belfry_session_invite_async (call, NULL, NULL, belfry_test_store_result_cb, &invited_result);
  wait_state (call, BELFRY_SESSION_STATE_ESTABLISHING, 10000);
  belfry_inviter_cancel_async (BELFRY_INVITER (call), NULL, belfry_test_store_result_cb, &cancelled);

  /* The peer answered 200 to the INVITE anyway: we ACK it and send BYE,
   * which sipp waits for. */
  g_assert_false (belfry_session_invite_finish (call, belfry_test_wait_result (&invited_result, 10000), &error));
  g_assert_error (error, BELFRY_SIP_ERROR, BELFRY_SIP_ERROR_CANCELLED);
  g_assert_true (belfry_inviter_cancel_finish (BELFRY_INVITER (call), belfry_test_wait_result (&cancelled, 10000), NULL));
  g_assert_cmpint (belfry_session_get_state (call), ==, BELFRY_SESSION_STATE_TERMINATED);
  g_assert_cmpint (belfry_sipp_wait (sipp, 10000), ==, 0);
  g_clear_object (&invited_result);
  g_clear_object (&cancelled);
  belfry_test_assert_finalized (g_steal_pointer (&call), 3000);
}

static void
test_incoming_expires (Fixture       *fixture,
                       gconstpointer  data)
{
  g_autoptr (BelfrySipp) sipp = NULL;

  /* Ringing, never answered; the INVITE says Expires: 1, so 487. */
  fixture->incoming_plan = 1;
  sipp = start_sipp_client (fixture, "uac-expires.xml");
  g_assert_cmpint (belfry_sipp_wait (sipp, 10000), ==, 0);
  wait_state (BELFRY_SESSION (fixture->invitation), BELFRY_SESSION_STATE_TERMINATED, 2000);
}

static void
test_incoming_no_answer (Fixture       *fixture,
                         gconstpointer  data)
{
  g_autoptr (BelfrySipp) sipp = NULL;

  fixture->incoming_plan = 1;
  belfry_user_agent_set_no_answer_timeout (fixture->user_agent, 1);
  sipp = start_sipp_client (fixture, "uac-no-answer.xml");
  g_assert_cmpint (belfry_sipp_wait (sipp, 10000), ==, 0);
  wait_state (BELFRY_SESSION (fixture->invitation), BELFRY_SESSION_STATE_TERMINATED, 2000);
}

static void
test_incoming_no_ack (Fixture       *fixture,
                      gconstpointer  data)
{
  const char *longer[] = { "-timeout", "60s", NULL };
  g_autoptr (BelfrySipp) sipp = NULL;
  g_autofree char *reason = NULL;
  BelfrySession *call;

  /* RFC 3261 section 13.3.1.4: a 2xx that no ACK confirms within 64*T1
   * (32 s) ends the call, with a BYE and a reason for the user. */
  fixture->incoming_plan = 0;
  sipp = start_sipp_client_with (fixture, "uac-no-ack.xml", longer);
  g_assert_cmpint (belfry_sipp_wait (sipp, 50000), ==, 0);
  call = BELFRY_SESSION (fixture->invitation);
  wait_state (call, BELFRY_SESSION_STATE_TERMINATED, 5000);
  g_object_get (call, "termination-reason", &reason, NULL);
  g_assert_cmpstr (reason, ==, "The other side never confirmed the call");
}

static void
test_incoming_reinvite (Fixture       *fixture,
                        gconstpointer  data)
{
  g_autoptr (BelfrySipp) sipp = NULL;

  /* The peer holds us (we answer recvonly), then offers only PCMA, which
   * the handler cannot take (488); the call goes on until its BYE. */
  fixture->incoming_plan = 0;
  sipp = start_sipp_client (fixture, "uac-reinvite.xml");
  g_assert_cmpint (belfry_sipp_wait (sipp, 20000), ==, 0);
  wait_state (BELFRY_SESSION (fixture->invitation), BELFRY_SESSION_STATE_TERMINATED, 2000);
  g_assert_cmpstr (belfry_test_sdh_get_remote_direction (BELFRY_TEST_SDH (
    belfry_session_get_session_description_handler (BELFRY_SESSION (fixture->invitation)))), ==, "sendonly");
}

static void
test_incoming_replaces_unknown (Fixture       *fixture,
                                gconstpointer  data)
{
  g_autoptr (BelfrySipp) sipp = NULL;

  /* RFC 3891: an INVITE that replaces no dialog of ours gets 481, and
   * never rings. */
  fixture->incoming_plan = 0;
  sipp = start_sipp_client (fixture, "uac-replaces-unknown.xml");
  g_assert_cmpint (belfry_sipp_wait (sipp, 10000), ==, 0);
  g_assert_cmpuint (fixture->invites, ==, 0);
}

static void
on_referred (BelfryUserAgent  *user_agent,
             BelfrySession    *call,
             BelfrySession    *referrer,
             BelfrySession   **slot)
{
  g_set_object (slot, call);
}

static void
test_refer_followed (Fixture       *fixture,
                     gconstpointer  data)
{
  int target_port = belfry_test_free_port (fixture->variant->address);
  g_autofree char *port_text = g_strdup_printf ("%d", target_port);
  const char *extra[] = { "-key", "target_port", port_text, NULL };
  g_autoptr (BelfrySipp) target = NULL;
  g_autoptr (BelfrySipp) referrer = NULL;
  g_autoptr (BelfrySession) referred = NULL;

  /* sipp calls us, then REFERs us to carol (a second sipp). Nobody takes
   * the refer signal, so we follow it as SIP.js does: 202, NOTIFY 100,
   * call carol, NOTIFY 200. */
  fixture->incoming_plan = 0;
  g_signal_connect (fixture->user_agent, "referred", G_CALLBACK (on_referred), &referred);
  target = belfry_sipp_start ("uas-answer.xml", fixture->variant->transport, fixture->variant->address,
                              target_port, NULL, NULL);
  referrer = start_sipp_client_with (fixture, "uac-refer-us.xml", extra);

  g_assert_cmpint (belfry_sipp_wait (referrer, 20000), ==, 0);
  g_assert_nonnull (referred);
  g_assert_cmpint (belfry_session_get_state (referred), ==, BELFRY_SESSION_STATE_ESTABLISHED);
  g_assert_cmpstr (belfry_name_addr_get_user (belfry_session_get_remote_identity (referred)), ==, "carol");

  hang_up (referred);
  g_assert_cmpint (belfry_sipp_wait (target, 10000), ==, 0);
  g_signal_handlers_disconnect_by_func (fixture->user_agent, on_referred, &referred);
  belfry_test_assert_finalized (g_steal_pointer (&referred), 3000);
}

static void
test_attended_transfer (Fixture       *fixture,
                        gconstpointer  data)
{
  g_autoptr (BelfrySipp) first_sipp = start_sipp_server (fixture, "uas-refer-attended.xml");
  g_autoptr (BelfrySession) first = new_call (fixture);
  g_autoptr (BelfrySipp) second_sipp = NULL;
  g_autoptr (BelfrySession) second = NULL;
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GError) error = NULL;
  int first_port = fixture->sipp_port;

  invite (first, NULL, &error);
  g_assert_no_error (error);

  fixture->sipp_port = belfry_test_free_port (fixture->variant->address);
  second_sipp = start_sipp_server (fixture, "uas-answer.xml");
  second = new_call (fixture);
  invite (second, NULL, &error);
  g_assert_no_error (error);

  /* The first peer is asked to call the second, replacing our call with
   * it: Refer-To carries Replaces with the second dialog's tags. */
  belfry_session_refer_async (first, NULL, second, NULL, belfry_test_store_result_cb, &result);
  g_assert_true (belfry_session_refer_finish (first, belfry_test_wait_result (&result, 10000), &error));
  g_assert_no_error (error);
  g_clear_object (&result);

  hang_up (first);
  hang_up (second);
  g_assert_cmpint (belfry_sipp_wait (first_sipp, 10000), ==, 0);
  g_assert_cmpint (belfry_sipp_wait (second_sipp, 10000), ==, 0);
  fixture->sipp_port = first_port;
  belfry_test_assert_finalized (g_steal_pointer (&first), 3000);
  belfry_test_assert_finalized (g_steal_pointer (&second), 3000);
}

static gboolean
invited (gpointer data)
{
  Fixture *fixture = data;

  return fixture->invitation != NULL;
}

static void
test_incoming_dtmf_info (Fixture       *fixture,
                         gconstpointer  data)
{
  g_autoptr (BelfrySipp) sipp = NULL;
  g_autoptr (GString) digits = g_string_new (NULL);

  fixture->incoming_plan = 0;
  sipp = start_sipp_client (fixture, "uac-dtmf-info.xml");
  g_assert_true (belfry_test_wait_until (invited, fixture, 10000));
  g_signal_connect (fixture->invitation, "dtmf", G_CALLBACK (on_dtmf), digits);
  g_assert_cmpint (belfry_sipp_wait (sipp, 20000), ==, 0);
  g_assert_cmpstr (digits->str, ==, "5#");
}

static void
test_incoming_rejected (Fixture       *fixture,
                        gconstpointer  data)
{
  g_autoptr (BelfrySipp) sipp = start_sipp_client (fixture, "uac-declined.xml");

  fixture->incoming_plan = 603;
  g_assert_cmpint (belfry_sipp_wait (sipp, 20000), ==, 0);
  g_assert_cmpuint (fixture->invites, ==, 1);
  g_assert_cmpint (belfry_session_get_state (BELFRY_SESSION (fixture->invitation)), ==,
                   BELFRY_SESSION_STATE_TERMINATED);
}

static void
test_incoming_unhandled_busy (Fixture       *fixture,
                              gconstpointer  data)
{
  g_autoptr (BelfrySipp) sipp = NULL;

  /* Nobody listens to the invite signal: 486, as SIP.js does. */
  g_signal_handlers_disconnect_by_func (fixture->user_agent, on_invite, fixture);
  sipp = start_sipp_client (fixture, "uac-busy.xml");
  g_assert_cmpint (belfry_sipp_wait (sipp, 20000), ==, 0);
}

/* sipp calls with @scenario, the user agent answers as @plan says, and
 * the call ends. */
static void
check_incoming_ends (Fixture    *fixture,
                     const char *scenario,
                     guint       plan)
{
  g_autoptr (BelfrySipp) sipp = start_sipp_client (fixture, scenario);

  fixture->incoming_plan = plan;
  g_assert_cmpint (belfry_sipp_wait (sipp, 20000), ==, 0);
  g_assert_cmpuint (fixture->invites, ==, 1);
  wait_state (BELFRY_SESSION (fixture->invitation), BELFRY_SESSION_STATE_TERMINATED, 5000);
}

static void
test_incoming_cancelled (Fixture       *fixture,
                         gconstpointer  data)
{
  check_incoming_ends (fixture, "uac-cancel.xml", 1);
}

static void
test_options (Fixture       *fixture,
              gconstpointer  data)
{
  g_autoptr (BelfrySipp) sipp = start_sipp_client (fixture, "uac-options.xml");

  g_assert_cmpint (belfry_sipp_wait (sipp, 20000), ==, 0);
}

static void
test_port_taken (Fixture       *fixture,
                 gconstpointer  data)
{
  g_autoptr (BelfryUserAgent) second = NULL;
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GError) error = NULL;

  /* belle-sip binds with SO_REUSEADDR; a taken port must still fail. */
  second = belfry_user_agent_new (NULL, fixture->variant->address,
                                  belfry_user_agent_get_port (fixture->user_agent), NULL);
  belfry_user_agent_start_async (second, NULL, belfry_test_store_result_cb, &result);
  g_assert_false (belfry_user_agent_start_finish (second, belfry_test_wait_result (&result, 5000), &error));
  g_assert_error (error, BELFRY_SIP_ERROR, BELFRY_SIP_ERROR_ADDRESS_IN_USE);
  g_assert_false (belfry_user_agent_get_started (second));
  g_clear_object (&result);
  g_assert_finalize_object (g_steal_pointer (&second));
}

typedef struct {
  GSocket *socket;
  GString *received;
} Probe;

static gboolean
probe_readable (GSocket      *socket,
                GIOCondition  condition,
                gpointer      data)
{
  Probe *probe = data;
  char buffer[65536];
  gssize n = g_socket_receive (socket, buffer, sizeof buffer - 1, NULL, NULL);

  if (n > 0)
    g_string_append_len (probe->received, buffer, n);
  return n > 0 ? G_SOURCE_CONTINUE : G_SOURCE_REMOVE;
}

static gboolean
probe_has_status_line (gpointer data)
{
  Probe *probe = data;

  return strstr (probe->received->str, "SIP/2.0 ") != NULL &&
         strstr (probe->received->str, "\r\n\r\n") != NULL;
}

/* Sends @message raw over UDP or TCP and returns what came back within
 * @timeout_ms. */
static char *
send_raw_after (Fixture    *fixture,
                const char *first,
                const char *message,
                gsize       length,
                guint       timeout_ms)
{
  gboolean tcp = g_str_equal (fixture->variant->transport, "t1");
  g_autoptr (GInetAddress) inet = g_inet_address_new_from_string (fixture->variant->address);
  g_autoptr (GSocketAddress) target = g_inet_socket_address_new (inet, (guint16) belfry_user_agent_get_port (fixture->user_agent));
  g_autoptr (GSocket) socket = NULL;
  g_autoptr (GSource) source = NULL;
  g_autoptr (GError) error = NULL;
  Probe probe = { NULL, g_string_new (NULL) };
  gsize sent = 0;

  socket = g_socket_new (g_inet_address_get_family (inet), tcp ? G_SOCKET_TYPE_STREAM : G_SOCKET_TYPE_DATAGRAM,
                         tcp ? G_SOCKET_PROTOCOL_TCP : G_SOCKET_PROTOCOL_UDP, &error);
  g_assert_no_error (error);
  g_socket_set_blocking (socket, FALSE);
  probe.socket = socket;

  if (tcp) {
    g_socket_set_blocking (socket, TRUE);
    g_socket_set_timeout (socket, 5);
    g_assert_true (g_socket_connect (socket, target, NULL, &error));
    g_assert_no_error (error);
    if (first != NULL)
      g_assert_cmpint (g_socket_send (socket, first, strlen (first), NULL, &error), ==, (gssize) strlen (first));
    while (sent < length) {
      gssize n = g_socket_send (socket, message + sent, length - sent, NULL, &error);

      if (n <= 0)
        break;
      sent += (gsize) n;
    }
    g_clear_error (&error);
    g_socket_set_blocking (socket, FALSE);
  } else {
    if (first != NULL)
      g_socket_send_to (socket, target, first, strlen (first), NULL, &error);
    g_assert_no_error (error);
    g_socket_send_to (socket, target, message, length, NULL, &error);
    g_assert_no_error (error);
  }

  source = g_socket_create_source (socket, G_IO_IN, NULL);
  g_source_set_callback (source, (GSourceFunc) (void (*) (void)) probe_readable, &probe, NULL);
  g_source_attach (source, NULL);
  belfry_test_wait_until (probe_has_status_line, &probe, timeout_ms);
  g_source_destroy (source);

  return g_string_free (probe.received, FALSE);
}

static char *
send_raw (Fixture    *fixture,
          const char *message,
          gsize       length,
          guint       timeout_ms)
{
  return send_raw_after (fixture, NULL, message, length, timeout_ms);
}

static char *
request_without (Fixture    *fixture,
                 const char *method,
                 const char *omitted,
                 const char *body)
{
  g_autoptr (GString) request = g_string_new (NULL);
  const char *transport = g_str_equal (fixture->variant->transport, "t1") ? "TCP" : "UDP";
  int port = belfry_user_agent_get_port (fixture->user_agent);
  static guint counter;

  counter++;
  g_string_append_printf (request, "%s sip:belfry@127.0.0.1:%d SIP/2.0\r\n", method, port);
  if (g_strcmp0 (omitted, "Via") != 0)
    g_string_append_printf (request, "Via: SIP/2.0/%s 127.0.0.1:9;rport;branch=z9hG4bK-bad-%u\r\n", transport, counter);
  if (g_strcmp0 (omitted, "From") != 0)
    g_string_append_printf (request, "From: <sip:mallory@127.0.0.1>;tag=bad%u\r\n", counter);
  if (g_strcmp0 (omitted, "To") != 0)
    g_string_append_printf (request, "To: <sip:belfry@127.0.0.1:%d>\r\n", port);
  if (g_strcmp0 (omitted, "Call-ID") != 0)
    g_string_append_printf (request, "Call-ID: bad-%u@127.0.0.1\r\n", counter);
  if (g_strcmp0 (omitted, "CSeq") != 0)
    g_string_append_printf (request, "CSeq: 1 %s\r\n", method);
  if (g_strcmp0 (omitted, "Contact") != 0)
    g_string_append_printf (request, "Contact: <sip:mallory@127.0.0.1:9;transport=%s>\r\n", transport);
  g_string_append (request, "Max-Forwards: 70\r\n");
  if (body != NULL)
    g_string_append_printf (request, "Content-Type: application/sdp\r\nContent-Length: %zu\r\n\r\n%s",
                            strlen (body), body);
  else
    g_string_append (request, "Content-Length: 0\r\n\r\n");

  return g_string_free (g_steal_pointer (&request), FALSE);
}

/* Requests that cannot be answered: no Via, or a Via naming a transport
 * we do not listen on (tests/fuzz/corpus/sip/leak-bye-without-via, found
 * by fuzz-sip). belle-sip found no channel for the answer and kept it for
 * good, which the AddressSanitizer build reports as a leak; they are
 * dropped, and the user agent goes on answering others. */
static void
test_unanswerable (Fixture       *fixture,
                   gconstpointer  data)
{
  const char *methods[] = { "INFO", "BYE", "OPTIONS" };

  for (guint i = 0; i < G_N_ELEMENTS (methods); i++) {
    g_autofree char *without_via = request_without (fixture, methods[i], "Via", NULL);
    g_autofree char *reply = send_raw (fixture, without_via, strlen (without_via), 300);
    g_autofree char *plain = request_without (fixture, methods[i], NULL, NULL);
    g_autoptr (GString) odd_transport = g_string_new (plain);
    g_autofree char *odd_reply = NULL;

    g_assert_cmpstr (reply, ==, "");
    g_string_replace (odd_transport, "SIP/2.0/UDP", "SIP/2.0/UDEventP", 1);
    g_string_replace (odd_transport, "SIP/2.0/TCP", "SIP/2.0/TCEventP", 1);
    odd_reply = send_raw (fixture, odd_transport->str, odd_transport->len, 300);
    g_assert_cmpstr (odd_reply, ==, "");
  }

  {
    g_autofree char *options = request_without (fixture, "OPTIONS", NULL, NULL);
    g_autofree char *reply = send_raw (fixture, options, strlen (options), 2000);

    g_assert_true (g_str_has_prefix (reply, "SIP/2.0 200"));
  }
}

/* A message that belle-sip's parser returns having read none of it
 * (tests/fuzz/corpus/sip/crash-parsed-nothing, found by fuzz-sip) was kept
 * by belle-sip's channel without a reference and freed; the next message
 * from the same peer crashed the process. belfry-sip-loop.c guards the
 * parser; the user agent answers the next message. */
static void
test_parsed_nothing (Fixture       *fixture,
                     gconstpointer  data)
{
  g_autofree char *crash = NULL;
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, "fuzz", "corpus", "sip",
                                                 "crash-parsed-nothing", NULL);
  g_autofree char *options = request_without (fixture, "OPTIONS", NULL, NULL);
  g_autofree char *garbage = NULL;
  g_autofree char *reply = NULL;
  g_autoptr (GError) error = NULL;

  g_assert_true (g_file_get_contents (path, &crash, NULL, &error));
  g_assert_no_error (error);
  /* The harness's line ends and keyword, as fuzz-sip sends it. */
  {
    g_autofree char *port = g_strdup_printf ("%d", belfry_user_agent_get_port (fixture->user_agent));
    g_autoptr (GString) text = g_string_new (crash);

    g_string_replace (text, "[remote_port]", port, 0);
    g_string_replace (text, "\n", "\r\n", 0);
    /* Over TCP the next message follows in the same stream: it must start
     * on a line of its own to be found. */
    if (g_str_equal (fixture->variant->transport, "t1"))
      g_string_append (text, "\r\n");
    garbage = g_string_free (g_steal_pointer (&text), FALSE);
  }

  reply = send_raw_after (fixture, garbage, options, strlen (options), 2000);
  g_assert_true (g_str_has_prefix (reply, "SIP/2.0 200"));
}

/* An offer without Content-Type (found by fuzz-sip) reached the session
 * description handler with no type, a critical; a body that does not say
 * what it is counts as none: Belfry offers in its 200, and ends the call
 * when the ACK brings no answer. */
static void
test_body_without_type (Fixture       *fixture,
                        gconstpointer  data)
{
  check_incoming_ends (fixture, "uac-body-without-type.xml", 0);
}

/* A Request-URI that is not a SIP URI (tests/fuzz/corpus/sip/
 * crash-request-uri-not-sip, found by fuzz-sip) reads as NULL from
 * belle-sip, and an INVITE's crashed the check for sips:. Such requests
 * are answered 416 (RFC 3261 section 8.2.2.1). */
static void
test_unsupported_uri_scheme (Fixture       *fixture,
                             gconstpointer  data)
{
  const char *methods[] = { "INVITE", "OPTIONS", "MESSAGE" };

  for (guint i = 0; i < G_N_ELEMENTS (methods); i++) {
    g_autofree char *plain = request_without (fixture, methods[i], NULL, NULL);
    g_autoptr (GString) request = g_string_new (plain);
    g_autofree char *reply = NULL;
    gsize line_end = strcspn (request->str, "\r");

    g_string_erase (request, 0, line_end);
    g_string_prepend (request, " tel:+12125550101 SIP/2.0");
    g_string_prepend (request, methods[i]);
    reply = send_raw (fixture, request->str, request->len, 2000);
    g_test_message ("%s tel: answered %.40s", methods[i], reply);
    /* belle-sip's 100 Trying comes first for an INVITE. */
    g_assert_true (g_str_has_prefix (reply, "SIP/2.0 416") ||
                   (i == 0 && g_str_has_prefix (reply, "SIP/2.0 100")));
  }
  g_assert_cmpuint (fixture->invites, ==, 0);
}

static void
test_malformed (Fixture       *fixture,
                gconstpointer  data)
{
  const char *garbage[] = {
    "\x00\xff\xfe garbage \x01\x02\r\n\r\n",
    "INVITE\r\n\r\n",
    "SIP/2.0 200 OK\r\nVia: nonsense\r\n\r\n",
    "INVITE sip:belfry@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP\r\nContent-Length: 99999\r\n\r\nshort",
    "OPTIONS sip:belfry@127.0.0.1 SIP/7.0\r\nCSeq: x OPTIONS\r\nFrom: <<<\r\n\r\n",
  };
  g_autoptr (BelfrySipp) sipp = NULL;
  g_autoptr (GString) huge = g_string_new ("OPTIONS sip:belfry@127.0.0.1 SIP/2.0\r\nX-Huge: ");

  for (guint i = 0; i < G_N_ELEMENTS (garbage); i++) {
    g_autofree char *reply = send_raw (fixture, garbage[i], strlen (garbage[i]), 300);

    g_test_message ("garbage %u answered: %.40s", i, reply);
  }

  /* As large as a datagram can be; larger still over TCP. */
  for (guint i = 0; i < (g_str_equal (fixture->variant->transport, "t1") ? 200000 : 65000); i++)
    g_string_append_c (huge, 'x');
  g_string_append (huge, "\r\n\r\n");
  g_free (send_raw (fixture, huge->str, huge->len, 300));

  /* RFC 3261 section 8.2.2: a request that misses a mandatory header is
   * answered 400 (belle-sip answers those it can route back). */
  {
    const char *mandatory[] = { "Call-ID", "CSeq", "From", "To" };

    for (guint i = 0; i < G_N_ELEMENTS (mandatory); i++) {
      g_autofree char *request = request_without (fixture, "OPTIONS", mandatory[i], NULL);
      g_autofree char *reply = send_raw (fixture, request, strlen (request), 2000);

      g_test_message ("without %s: %.60s", mandatory[i], reply);
      g_assert_true (g_str_has_prefix (reply, "SIP/2.0 400"));
    }
  }

  /* An INVITE whose offer is not SDP is refused, not accepted. */
  {
    g_autofree char *request = NULL;
    g_autofree char *reply = NULL;

    fixture->incoming_plan = 0;
    request = request_without (fixture, "INVITE", NULL, "this is not SDP\r\n");
    reply = send_raw (fixture, request, strlen (request), 2000);
    g_assert_true (belfry_test_wait_until (belfry_test_pointer_set, &fixture->invitation, 5000));
    wait_state (BELFRY_SESSION (fixture->invitation), BELFRY_SESSION_STATE_TERMINATED, 5000);
  }

  /* And the user agent still works. */
  sipp = start_sipp_client (fixture, "uac-options.xml");
  g_assert_cmpint (belfry_sipp_wait (sipp, 20000), ==, 0);
  g_clear_pointer (&sipp, belfry_sipp_free);
  test_outgoing_answered (fixture, data);
}

/* ---- TLS: a real TLS server (openssl s_server) with a certificate from
 * a certificate authority the test makes ---- */

static void
run_openssl (const char *dir,
             const char *command)
{
  g_autofree char *line = g_strdup_printf ("cd '%s' && openssl %s", dir, command);
  g_autofree char *err = NULL;
  int status = 0;
  const char *argv[] = { "sh", "-c", line, NULL };

  g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL,
                               NULL, NULL, NULL, &err, &status, NULL));
  if (!g_spawn_check_wait_status (status, NULL))
    g_error ("openssl %s: %s", command, err);
}

static void
make_ca (const char *dir,
         const char *name)
{
  g_autofree char *command = g_strdup_printf (
    "req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=%s -keyout %s.key -out %s.pem", name, name, name);

  run_openssl (dir, command);
}

typedef struct {
  GSubprocess *process;
  GString *output;
  gboolean exited;
} TlsServer;

static void
tls_output_cb (GObject      *stream,
               GAsyncResult *result,
               gpointer      user_data)
{
  TlsServer *server = user_data;
  g_autoptr (GBytes) bytes = g_input_stream_read_bytes_finish (G_INPUT_STREAM (stream), result, NULL);

  if (bytes == NULL || g_bytes_get_size (bytes) == 0) {
    server->exited = TRUE;
    return;
  }
  g_string_append_len (server->output, g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
  g_input_stream_read_bytes_async (G_INPUT_STREAM (stream), 4096, G_PRIORITY_DEFAULT, NULL,
                                   tls_output_cb, server);
}

static gboolean
tls_server_got_invite (gpointer data)
{
  TlsServer *server = data;

  return strstr (server->output->str, "INVITE sip:sipp@127.0.0.1") != NULL;
}

static void
test_tls (Fixture       *fixture,
          gconstpointer  data)
{
  g_autofree char *dir = g_dir_make_tmp ("belfry-tls-XXXXXX", NULL);
  g_autofree char *port = g_strdup_printf ("127.0.0.1:%d", fixture->sipp_port);
  g_autofree char *ca_file = NULL;
  g_autoptr (BelfryUserAgent) user_agent = NULL;
  g_autoptr (BelfryNameAddr) target = NULL;
  g_autoptr (BelfrySession) call = NULL;
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GError) error = NULL;
  TlsServer server = { NULL, g_string_new (NULL), FALSE };
  g_autofree char *uri = NULL;

  make_ca (dir, "ca");
  make_ca (dir, "stranger");
  run_openssl (dir, "req -newkey rsa:2048 -nodes -subj /CN=127.0.0.1 -keyout server.key -out server.csr");
  run_openssl (dir, "x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 2 "
                    "-extfile /dev/stdin -out server.pem <<EOF\nsubjectAltName=DNS:127.0.0.1,IP:127.0.0.1\nEOF");

  for (guint round = 0; round < 2; round++) {
    gboolean trust = round == 0;
    const char *argv[] = { "openssl", "s_server", "-accept", port, "-cert", "server.pem",
                           "-key", "server.key", "-naccept", "1", NULL };
    /* s_server stops reading the connection when its standard input ends:
     * keep it open. */
    g_autoptr (GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDIN_PIPE |
                                                                          G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                                                          G_SUBPROCESS_FLAGS_STDERR_SILENCE);
    gboolean connected;

    g_string_truncate (server.output, 0);
    server.exited = FALSE;
    g_subprocess_launcher_set_cwd (launcher, dir);
    server.process = g_subprocess_launcher_spawnv (launcher, argv, &error);
    g_assert_no_error (error);
    g_input_stream_read_bytes_async (g_subprocess_get_stdout_pipe (server.process), 4096, G_PRIORITY_DEFAULT,
                                     NULL, tls_output_cb, &server);
    g_assert_true (belfry_test_wait_port_bound (fixture->sipp_port, TRUE, 10000));

    ca_file = g_build_filename (dir, trust ? "ca.pem" : "stranger.pem", NULL);
    user_agent = belfry_user_agent_new (NULL, "127.0.0.1", 0, BELFRY_SESSION_DESCRIPTION_HANDLER_FACTORY (fixture->factory));
    g_object_set (user_agent, "tls-ca-file", ca_file, NULL);
    belfry_user_agent_start_async (user_agent, NULL, belfry_test_store_result_cb, &result);
    g_assert_true (belfry_user_agent_start_finish (user_agent, belfry_test_wait_result (&result, 5000), &error));
    g_clear_object (&result);

    uri = g_strdup_printf ("sip:sipp@127.0.0.1:%d;transport=tls", fixture->sipp_port);
    target = belfry_name_addr_new (NULL, uri, &error);
    call = BELFRY_SESSION (belfry_inviter_new (user_agent, target));
    belfry_session_invite_async (call, NULL, NULL, belfry_test_store_result_cb, &result);

    if (trust) {
      /* The handshake succeeded with verification on: the server reads
       * the INVITE in clear. It never answers; when it goes away, the
       * connection breaks and the call fails. */
      connected = belfry_test_wait_until (tls_server_got_invite, &server, 10000);
      g_assert_true (connected);
      g_subprocess_force_exit (server.process);
      g_assert_false (belfry_session_invite_finish (call, belfry_test_wait_result (&result, 10000), &error));
      g_assert_error (error, BELFRY_SIP_ERROR, BELFRY_SIP_ERROR_TRANSPORT);
      g_clear_error (&error);
      g_clear_object (&result);
      belfry_test_assert_finalized (g_steal_pointer (&call), 3000);
    } else {
      /* A certificate from a stranger CA: the call fails at once, and
       * nothing was sent in clear. */
      g_assert_false (belfry_session_invite_finish (call, belfry_test_wait_result (&result, 10000), &error));
      g_assert_error (error, BELFRY_SIP_ERROR, BELFRY_SIP_ERROR_TRANSPORT);
      g_clear_error (&error);
      g_assert_false (tls_server_got_invite (&server));
      g_clear_object (&result);
      belfry_test_assert_finalized (g_steal_pointer (&call), 3000);
    }

    g_clear_object (&result);
    g_subprocess_force_exit (server.process);
    belfry_test_wait_until (pointer_true, &server.exited, 5000);
    g_clear_object (&server.process);
    g_clear_pointer (&target, belfry_name_addr_unref);
    g_clear_pointer (&uri, g_free);
    g_clear_pointer (&ca_file, g_free);
    g_assert_finalize_object (g_steal_pointer (&user_agent));
  }

  g_string_free (server.output, TRUE);
  {
    const char *argv[] = { "rm", "-rf", dir, NULL };
    g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL, NULL, NULL);
  }
}

static void
add (const char    *path,
     const Variant *variant,
     void         (*func) (Fixture *, gconstpointer))
{
  g_test_add (path, Fixture, variant, fixture_set_up, func, fixture_tear_down);
}

int
main (int   argc,
      char *argv[])
{
  const struct {
    const char *name;
    const Variant *variant;
  } variants[] = { { "udp", &udp4 }, { "tcp", &tcp4 } };
  const struct {
    const char *name;
    void (*func) (Fixture *, gconstpointer);
  } cases[] = {
    { "outgoing-answered", test_outgoing_answered },
    { "owner-lets-go", test_owner_lets_go },
    { "outgoing-dtmf-info", test_outgoing_dtmf_info },
    { "outgoing-forked", test_outgoing_forked },
    { "outgoing-busy", test_outgoing_busy },
    { "outgoing-401-without-call-id", test_outgoing_401_without_call_id },
    { "outgoing-declined", test_outgoing_declined },
    { "outgoing-cancelled", test_outgoing_cancelled },
    { "outgoing-no-answer", test_outgoing_no_answer },
    { "remote-bye", test_remote_bye },
    { "hold-resume", test_hold_resume },
    { "reinvite-491", test_reinvite_491 },
    { "blind-transfer", test_blind_transfer },
    { "incoming-accepted", test_incoming_accepted },
    { "incoming-rejected", test_incoming_rejected },
    { "incoming-dtmf-info", test_incoming_dtmf_info },
    { "incoming-unhandled-busy", test_incoming_unhandled_busy },
    { "incoming-cancelled", test_incoming_cancelled },
    { "options", test_options },
    { "port-taken", test_port_taken },
    { "malformed", test_malformed },
    { "unanswerable", test_unanswerable },
    { "parsed-nothing", test_parsed_nothing },
    { "body-without-type", test_body_without_type },
    { "unsupported-uri-scheme", test_unsupported_uri_scheme },
    { "outgoing-auth", test_outgoing_auth },
    { "cancel-race", test_cancel_race },
    { "incoming-expires", test_incoming_expires },
    { "incoming-no-answer", test_incoming_no_answer },
    { "incoming-reinvite", test_incoming_reinvite },
    { "incoming-replaces-unknown", test_incoming_replaces_unknown },
    { "refer-followed", test_refer_followed },
    { "attended-transfer", test_attended_transfer },
  };

  belfry_test_init (&argc, &argv);

  for (guint v = 0; v < G_N_ELEMENTS (variants); v++) {
    for (guint c = 0; c < G_N_ELEMENTS (cases); c++) {
      g_autofree char *path = g_strdup_printf ("/belfry/sip/%s/%s", variants[v].name, cases[c].name);

      add (path, variants[v].variant, cases[c].func);
    }
  }
  add ("/belfry/sip/ipv6/outgoing-answered", &udp6, test_outgoing_answered);
  add ("/belfry/sip/tls/verified", &tcp4, test_tls);
  add ("/belfry/sip/ipv6/incoming-accepted", &udp6, test_incoming_accepted);
  add ("/belfry/sip/udp/incoming-no-ack", &udp4, test_incoming_no_ack);

  return g_test_run ();
}
