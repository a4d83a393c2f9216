/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include "belfry-sip-fixture.h"
#include "belfry-test-env.h"

const Variant belfry_sip_udp4 = { "127.0.0.1", "u1" };
const Variant belfry_sip_tcp4 = { "127.0.0.1", "t1" };
const Variant belfry_sip_udp6 = { "::1", "u1" };

static gboolean
state_reached (gpointer data)
{
  StateWait *wait = data;

  return belfry_session_get_state (wait->session) == wait->state;
}

void
wait_state (BelfrySession      *session,
            BelfrySessionState  state,
            guint               timeout_ms)
{
  StateWait wait = { session, state };

  g_assert_true (belfry_test_wait_until (state_reached, &wait, timeout_ms));
}

void
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

void
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

void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  if (fixture->invitation != NULL)
    belfry_test_assert_finalized (g_steal_pointer (&fixture->invitation), 3000);
  g_assert_finalize_object (g_steal_pointer (&fixture->user_agent));
  g_assert_finalize_object (g_steal_pointer (&fixture->factory));
}

BelfrySipp *
start_sipp_server (Fixture    *fixture,
                   const char *scenario)
{
  return belfry_sipp_start (scenario, fixture->variant->transport, fixture->variant->address,
                            fixture->sipp_port, NULL, NULL);
}

BelfrySipp *
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

BelfrySipp *
start_sipp_client (Fixture    *fixture,
                   const char *scenario)
{
  return start_sipp_client_with (fixture, scenario, NULL);
}

BelfrySession *
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

void
invite (BelfrySession                    *session,
        const BelfrySessionInviteOptions *options,
        GError                          **error)
{
  g_autoptr (GAsyncResult) result = NULL;

  belfry_session_invite_async (session, options, NULL, belfry_test_store_result_cb, &result);
  belfry_session_invite_finish (session, belfry_test_wait_result (&result, 20000), error);
}

void
hang_up (BelfrySession *session)
{
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GError) error = NULL;

  belfry_session_bye_async (session, NULL, belfry_test_store_result_cb, &result);
  g_assert_true (belfry_session_bye_finish (session, belfry_test_wait_result (&result, 10000), &error));
  g_assert_no_error (error);
  g_assert_cmpint (belfry_session_get_state (session), ==, BELFRY_SESSION_STATE_TERMINATED);
}

void
add (const char    *path,
     const Variant *variant,
     void         (*func) (Fixture *, gconstpointer))
{
  g_test_add (path, Fixture, variant, fixture_set_up, func, fixture_tear_down);
}

/* Adds each of @cases as /belfry/sip/udp/NAME and /belfry/sip/tcp/NAME. */
void
add_over_udp_and_tcp (const SipCase *cases,
                      gsize          n_cases)
{
  const struct {
    const char *name;
    const Variant *variant;
  } variants[] = { { "udp", &belfry_sip_udp4 }, { "tcp", &belfry_sip_tcp4 } };

  for (guint v = 0; v < G_N_ELEMENTS (variants); v++) {
    for (gsize c = 0; c < n_cases; c++) {
      g_autofree char *path = g_strdup_printf ("/belfry/sip/%s/%s", variants[v].name, cases[c].name);

      add (path, variants[v].variant, cases[c].func);
    }
  }
}

/* sipp calls with @scenario, the user agent answers as @plan says, and
 * the call ends. */
void
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

/* A whole call to sipp (uas-answer.xml) that Belfry places and ends: the
 * user agent still works. */
void
call_and_hang_up (Fixture *fixture)
{
  g_autoptr (BelfrySipp) sipp = start_sipp_server (fixture, "uas-answer.xml");
  g_autoptr (BelfrySession) call = new_call (fixture);
  g_autoptr (GError) error = NULL;

  invite (call, NULL, &error);
  g_assert_no_error (error);
  hang_up (call);
  g_assert_cmpint (belfry_sipp_wait (sipp, 10000), ==, 0);
}
