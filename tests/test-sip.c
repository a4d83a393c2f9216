/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include "belfry-sip-error.h"
#include "belfry-sip-fixture.h"

/* The SIP suite: a Belfry user agent in this process against sipp on
 * loopback, over UDP, TCP and IPv6. sipp's scenarios (tests/sipp/) check
 * the wire; the test checks what Belfry made of it. */

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

int
main (int   argc,
      char *argv[])
{
  static const SipCase cases[] = {
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

  add_over_udp_and_tcp (cases, G_N_ELEMENTS (cases));
  add ("/belfry/sip/ipv6/outgoing-answered", &belfry_sip_udp6, test_outgoing_answered);
  add ("/belfry/sip/ipv6/incoming-accepted", &belfry_sip_udp6, test_incoming_accepted);
  add ("/belfry/sip/udp/incoming-no-ack", &belfry_sip_udp4, test_incoming_no_ack);

  return g_test_run ();
}
