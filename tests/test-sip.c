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
result_arrived (gpointer data)
{
  return *(GAsyncResult **) data != NULL;
}

static void
store_result_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

static GAsyncResult *
wait_result (GAsyncResult **slot,
             guint          timeout_ms)
{
  g_assert_true (belfry_test_wait_until (result_arrived, slot, timeout_ms));
  return *slot;
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
  belfry_user_agent_start_async (fixture->user_agent, NULL, store_result_cb, &result);
  g_assert_true (belfry_user_agent_start_finish (fixture->user_agent, wait_result (&result, 5000), &error));
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
start_sipp_client (Fixture    *fixture,
                   const char *scenario)
{
  g_autofree char *remote = NULL;

  if (strchr (fixture->variant->address, ':'))
    remote = g_strdup_printf ("[%s]:%d", fixture->variant->address, belfry_user_agent_get_port (fixture->user_agent));
  else
    remote = g_strdup_printf ("%s:%d", fixture->variant->address, belfry_user_agent_get_port (fixture->user_agent));

  return belfry_sipp_start (scenario, fixture->variant->transport, fixture->variant->address,
                            fixture->sipp_port, remote, NULL);
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

  belfry_session_invite_async (session, options, NULL, store_result_cb, &result);
  belfry_session_invite_finish (session, wait_result (&result, 20000), error);
}

static void
hang_up (BelfrySession *session)
{
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GError) error = NULL;

  belfry_session_bye_async (session, NULL, store_result_cb, &result);
  g_assert_true (belfry_session_bye_finish (session, wait_result (&result, 10000), &error));
  g_assert_no_error (error);
  g_assert_cmpint (belfry_session_get_state (session), ==, BELFRY_SESSION_STATE_TERMINATED);
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

  belfry_session_invite_async (call, NULL, NULL, store_result_cb, &invited);
  wait_state (call, BELFRY_SESSION_STATE_ESTABLISHING, 10000);

  belfry_inviter_cancel_async (BELFRY_INVITER (call), NULL, store_result_cb, &cancelled);
  g_assert_true (belfry_inviter_cancel_finish (BELFRY_INVITER (call), wait_result (&cancelled, 10000), &error));
  g_assert_no_error (error);
  g_assert_false (belfry_session_invite_finish (call, wait_result (&invited, 10000), &error));
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
  belfry_session_invite_async (call, &hold, NULL, store_result_cb, &first);
  /* One re-INVITE at a time. */
  belfry_session_invite_async (call, &hold, NULL, store_result_cb, &second);
  g_assert_false (belfry_session_invite_finish (call, wait_result (&second, 1000), &error));
  g_assert_error (error, BELFRY_SIP_ERROR, BELFRY_SIP_ERROR_REQUEST_PENDING);
  g_clear_error (&error);

  g_assert_true (belfry_session_invite_finish (call, wait_result (&first, 10000), &error));
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
  belfry_session_refer_async (call, carol, NULL, NULL, store_result_cb, &result);
  g_assert_true (belfry_session_refer_finish (call, wait_result (&result, 10000), &error));
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
  g_autoptr (BelfrySipp) sipp = start_sipp_client (fixture, "uac-cancel.xml");

  fixture->incoming_plan = 1;
  g_assert_cmpint (belfry_sipp_wait (sipp, 20000), ==, 0);
  g_assert_cmpuint (fixture->invites, ==, 1);
  wait_state (BELFRY_SESSION (fixture->invitation), BELFRY_SESSION_STATE_TERMINATED, 5000);
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
  belfry_user_agent_start_async (second, NULL, store_result_cb, &result);
  g_assert_false (belfry_user_agent_start_finish (second, wait_result (&result, 5000), &error));
  g_assert_error (error, BELFRY_SIP_ERROR, BELFRY_SIP_ERROR_ADDRESS_IN_USE);
  g_assert_false (belfry_user_agent_get_started (second));
  g_clear_object (&result);
  g_assert_finalize_object (g_steal_pointer (&second));
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
    { "outgoing-busy", test_outgoing_busy },
    { "outgoing-declined", test_outgoing_declined },
    { "outgoing-cancelled", test_outgoing_cancelled },
    { "outgoing-no-answer", test_outgoing_no_answer },
    { "remote-bye", test_remote_bye },
    { "hold-resume", test_hold_resume },
    { "reinvite-491", test_reinvite_491 },
    { "blind-transfer", test_blind_transfer },
    { "incoming-accepted", test_incoming_accepted },
    { "incoming-rejected", test_incoming_rejected },
    { "incoming-unhandled-busy", test_incoming_unhandled_busy },
    { "incoming-cancelled", test_incoming_cancelled },
    { "options", test_options },
    { "port-taken", test_port_taken },
  };

  belfry_test_init (&argc, &argv);

  for (guint v = 0; v < G_N_ELEMENTS (variants); v++) {
    for (guint c = 0; c < G_N_ELEMENTS (cases); c++) {
      g_autofree char *path = g_strdup_printf ("/belfry/sip/%s/%s", variants[v].name, cases[c].name);

      add (path, variants[v].variant, cases[c].func);
    }
  }
  add ("/belfry/sip/ipv6/outgoing-answered", &udp6, test_outgoing_answered);
  add ("/belfry/sip/ipv6/incoming-accepted", &udp6, test_incoming_accepted);

  return g_test_run ();
}
