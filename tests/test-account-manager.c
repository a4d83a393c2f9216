/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <gio/gio.h>
#include <string.h>

#include "belfry-account-manager.h"
#include "belfry-inviter.h"
#include "belfry-media-engine.h"
#include "belfry-sip-error.h"
#include "belfry-sipp.h"
#include "belfry-test-env.h"
#include "belfry-test-sdh.h"
#include "belfry-user-agent.h"

/* What an account's settings do on the wire: its outbound proxy, its
 * transport and its SRTP mode, seen by sipp playing the proxy. The
 * accounts run in a BelfryAccountManager as in the application; there is
 * no Secret Service, so they register without a password, which sipp
 * does not ask for. */

typedef struct {
  GSettings *settings;
  BelfryAccountManager *manager;
} Fixture;




typedef struct {
  BelfryAccount *account;
  BelfryAccountStatus status;
  const char *message_prefix;
} StatusWait;

static gboolean
status_reached (gpointer data)
{
  StatusWait *wait = data;

  return belfry_account_get_status (wait->account) == wait->status &&
         g_str_has_prefix (belfry_account_get_status_message (wait->account), wait->message_prefix);
}

static void
wait_status (BelfryAccount       *account,
             BelfryAccountStatus  status,
             const char          *message_prefix,
             guint                timeout_ms)
{
  StatusWait wait = { account, status, message_prefix };

  if (!belfry_test_wait_until (status_reached, &wait, timeout_ms))
    g_error ("account %s: status %d “%s”, not %d “%s”", belfry_account_get_sip_address (account),
             belfry_account_get_status (account), belfry_account_get_status_message (account),
             status, message_prefix);
}

typedef struct {
  const char *sip_address;
  const char *registrar;
  int proxy_port;
  const char *proxy;
  BelfryTransport transport;
  BelfryMediaSrtp srtp;
  gboolean allow_srtp_without_tls;
} AccountSpec;

/* Writes an account's settings first and lists it afterwards, so that the
 * manager starts it once, with everything in place. */
static BelfryAccount *
add_account (Fixture           *fixture,
             const AccountSpec *spec)
{
  g_autoptr (BelfryAccount) account = NULL;
  g_autoptr (GStrvBuilder) builder = g_strv_builder_new ();
  g_auto (GStrv) ids = g_settings_get_strv (fixture->settings, "accounts");
  g_auto (GStrv) updated = NULL;
  g_autofree char *id = g_uuid_string_random ();
  g_autofree char *proxy = NULL;

  account = belfry_account_new (id);
  belfry_account_set_sip_address (account, spec->sip_address);
  belfry_account_set_registrar (account, spec->registrar != NULL ? spec->registrar : "");
  if (spec->proxy != NULL)
    proxy = g_strdup (spec->proxy);
  else if (spec->proxy_port != 0)
    proxy = g_strdup_printf ("127.0.0.1:%d", spec->proxy_port);
  belfry_account_set_outbound_proxy (account, proxy != NULL ? proxy : "");
  belfry_account_set_transport (account, spec->transport);
  belfry_account_set_srtp (account, spec->srtp);
  belfry_account_set_allow_srtp_without_tls (account, spec->allow_srtp_without_tls);

  g_strv_builder_addv (builder, (const char **) ids);
  g_strv_builder_add (builder, id);
  updated = g_strv_builder_end (builder);
  g_settings_set_strv (fixture->settings, "accounts", (const char * const *) updated);

  return belfry_account_manager_lookup (fixture->manager, id);
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  BelfrySessionDescriptionHandlerFactory *factory = (gpointer) data;

  fixture->settings = g_settings_new ("org.belfry.Belfry");
  g_settings_set_strv (fixture->settings, "accounts", NULL);
  fixture->manager = belfry_account_manager_new (fixture->settings, factory, "127.0.0.1", 0);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  belfry_test_assert_finalized (g_steal_pointer (&fixture->manager), 10000);
  g_settings_set_strv (fixture->settings, "accounts", NULL);
  g_clear_object (&fixture->settings);
}

/* Calls @text from @account; returns the outcome of the INVITE. */
static BelfrySession *
call (Fixture        *fixture,
      BelfryAccount  *account,
      const char     *text,
      GError        **error)
{
  BelfryUserAgent *user_agent = belfry_account_manager_get_user_agent (fixture->manager, account);
  g_autoptr (BelfryNameAddr) target = NULL;
  g_autoptr (GAsyncResult) result = NULL;
  BelfrySession *session;

  g_assert_nonnull (user_agent);
  target = belfry_account_resolve_target (account, text, error);
  g_assert_nonnull (target);
  session = BELFRY_SESSION (belfry_inviter_new (user_agent, target));
  belfry_session_invite_async (session, NULL, NULL, belfry_test_store_result_cb, &result);
  belfry_session_invite_finish (session, belfry_test_wait_result (&result, 20000), error);
  return session;
}

static void
hang_up (BelfrySession *session)
{
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GError) error = NULL;

  belfry_session_bye_async (session, NULL, belfry_test_store_result_cb, &result);
  g_assert_true (belfry_session_bye_finish (session, belfry_test_wait_result (&result, 10000), &error));
  g_assert_no_error (error);
}

/* REGISTER and INVITE go to the proxy with a Route to it, their
 * Request-URIs are the registrar and the callee (sipp checks both); ACK
 * and BYE follow the dialog; the registration is withdrawn through the
 * proxy too. Over TCP, sipp listens on TCP alone. */
static void
test_outbound_proxy (Fixture       *fixture,
                     gconstpointer  data)
{
  gboolean tcp = g_str_has_suffix (g_test_get_path (), "/tcp");
  const char *two_dialogs[] = { "-m", "2", NULL };
  int port = belfry_test_free_port ("127.0.0.1");
  g_autoptr (BelfrySipp) sipp = belfry_sipp_start ("uas-proxy.xml", tcp ? "t1" : "u1", "127.0.0.1", port,
                                                   NULL, two_dialogs);
  AccountSpec spec = {
    .sip_address = "sip:alice@example.invalid",
    .registrar = "sip:registrar.invalid",
    .proxy_port = port,
    .transport = tcp ? BELFRY_TRANSPORT_TCP : BELFRY_TRANSPORT_UDP,
  };
  g_autofree char *proxy = g_strdup_printf (tcp ? "sip:127.0.0.1:%d;transport=tcp" : "sip:127.0.0.1:%d", port);
  g_autoptr (BelfrySession) session = NULL;
  g_autoptr (GError) error = NULL;
  BelfryAccount *account = add_account (fixture, &spec);

  g_assert_nonnull (account);
  wait_status (account, BELFRY_ACCOUNT_STATUS_REGISTERED, "Registered", 20000);
  /* The proxy as typed, with sip: and the account's transport added. */
  g_assert_cmpstr (belfry_user_agent_get_outbound_proxy (belfry_account_manager_get_user_agent (fixture->manager,
                                                                                                account)),
                   ==, proxy);

  session = call (fixture, account, "bob", &error);
  g_assert_no_error (error);
  g_assert_cmpint (belfry_session_get_state (session), ==, BELFRY_SESSION_STATE_ESTABLISHED);
  hang_up (session);
  belfry_test_assert_finalized (g_steal_pointer (&session), 3000);

  belfry_account_set_enabled (account, FALSE);
  g_assert_cmpint (belfry_sipp_wait (sipp, 20000), ==, 0);
}

/* Each account's calls offer its own SRTP mode, whatever the engine's:
 * the mandatory one RTP/SAVP with a key, the other plain RTP/AVP (two
 * sipp proxies check). Over UDP, keys go only where the account allows
 * it. */
static void
test_srtp (Fixture       *fixture,
           gconstpointer  data)
{
  BelfryMediaEngine *engine = BELFRY_MEDIA_ENGINE ((gpointer) data);
  const char *two_dialogs[] = { "-m", "2", NULL };
  int secure_port = belfry_test_free_port ("127.0.0.1");
  g_autoptr (BelfrySipp) secure_sipp = belfry_sipp_start ("uas-proxy-srtp.xml", "u1", "127.0.0.1",
                                                          secure_port, NULL, two_dialogs);
  int plain_port = belfry_test_free_port ("127.0.0.1");
  g_autoptr (BelfrySipp) plain_sipp = belfry_sipp_start ("uas-proxy-rtp.xml", "u1", "127.0.0.1",
                                                         plain_port, NULL, two_dialogs);
  AccountSpec secure_spec = {
    .sip_address = "sip:secure@example.invalid",
    .registrar = "sip:registrar.invalid",
    .proxy_port = secure_port,
    .srtp = BELFRY_MEDIA_SRTP_MANDATORY,
    .allow_srtp_without_tls = TRUE,
  };
  AccountSpec plain_spec = {
    .sip_address = "sip:plain@example.invalid",
    .registrar = "sip:registrar.invalid",
    .proxy_port = plain_port,
    .srtp = BELFRY_MEDIA_SRTP_OFF,
  };
  g_autoptr (BelfrySession) session = NULL;
  g_autoptr (GError) error = NULL;
  BelfryAccount *secure, *plain;

  /* The engine's own policy is the opposite of the plain account's and
   * stricter than the secure one's. */
  belfry_media_engine_set_srtp (engine, BELFRY_MEDIA_SRTP_MANDATORY);
  belfry_media_engine_set_allow_srtp_without_tls (engine, FALSE);

  secure = add_account (fixture, &secure_spec);
  plain = add_account (fixture, &plain_spec);
  wait_status (secure, BELFRY_ACCOUNT_STATUS_REGISTERED, "Registered", 20000);
  wait_status (plain, BELFRY_ACCOUNT_STATUS_REGISTERED, "Registered", 20000);

  /* sipp answers 488 only to the offer it expects. */
  session = call (fixture, secure, "bob", &error);
  g_assert_error (error, BELFRY_SIP_ERROR, 488);
  g_clear_error (&error);
  belfry_test_assert_finalized (g_steal_pointer (&session), 3000);

  session = call (fixture, plain, "bob", &error);
  g_assert_error (error, BELFRY_SIP_ERROR, 488);
  g_clear_error (&error);
  belfry_test_assert_finalized (g_steal_pointer (&session), 3000);

  /* Mandatory SRTP over UDP without the permission: no key goes out in
   * clear, and the call fails before anything is sent. */
  belfry_account_set_allow_srtp_without_tls (secure, FALSE);
  session = call (fixture, secure, "bob", &error);
  g_assert_nonnull (error);
  g_assert_false (error->domain == BELFRY_SIP_ERROR && error->code == 488);
  g_clear_error (&error);
  belfry_test_assert_finalized (g_steal_pointer (&session), 3000);

  belfry_account_set_enabled (secure, FALSE);
  belfry_account_set_enabled (plain, FALSE);
  g_assert_cmpint (belfry_sipp_wait (secure_sipp, 20000), ==, 0);
  g_assert_cmpint (belfry_sipp_wait (plain_sipp, 20000), ==, 0);
}

/* Without a proxy, a TCP account registers and calls over TCP straight to
 * its registrar's host: sipp listens on TCP alone. */
static void
test_transport_tcp (Fixture       *fixture,
                    gconstpointer  data)
{
  const char *two_dialogs[] = { "-m", "2", NULL };
  int port = belfry_test_free_port ("127.0.0.1");
  g_autoptr (BelfrySipp) sipp = belfry_sipp_start ("uas-direct-tcp.xml", "t1", "127.0.0.1", port, NULL,
                                                   two_dialogs);
  g_autofree char *address = g_strdup_printf ("sip:alice@127.0.0.1:%d", port);
  AccountSpec spec = {
    .sip_address = address,
    .transport = BELFRY_TRANSPORT_TCP,
  };
  g_autoptr (BelfrySession) session = NULL;
  g_autoptr (GError) error = NULL;
  BelfryAccount *account = add_account (fixture, &spec);

  wait_status (account, BELFRY_ACCOUNT_STATUS_REGISTERED, "Registered", 20000);
  session = call (fixture, account, "bob", &error);
  g_assert_no_error (error);
  hang_up (session);
  belfry_test_assert_finalized (g_steal_pointer (&session), 3000);

  belfry_account_set_enabled (account, FALSE);
  g_assert_cmpint (belfry_sipp_wait (sipp, 20000), ==, 0);
}

/* A proxy that is not a SIP address is an error in words, for the account
 * and for a user agent used directly; nothing is sent, nothing crashes. */
static void
test_bad_proxy (Fixture       *fixture,
                gconstpointer  data)
{
  AccountSpec spec = {
    .sip_address = "sip:alice@example.invalid",
    .registrar = "sip:registrar.invalid",
    .proxy = "sip:<nowhere>",
  };
  BelfryAccount *account = add_account (fixture, &spec);
  g_autoptr (BelfryUserAgent) user_agent = NULL;
  g_autoptr (BelfryNameAddr) target = NULL;
  g_autoptr (BelfrySession) session = NULL;
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GError) error = NULL;

  wait_status (account, BELFRY_ACCOUNT_STATUS_FAILED, "The outbound proxy “sip:<nowhere>” is not a SIP address",
               5000);
  g_assert_null (belfry_account_manager_get_user_agent (fixture->manager, account));

  g_assert_false (belfry_user_agent_check_outbound_proxy ("tel:+4930123", &error));
  g_assert_error (error, BELFRY_SIP_ERROR, BELFRY_SIP_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_assert_true (belfry_user_agent_check_outbound_proxy ("sips:proxy.example.org:5061", &error));
  g_assert_no_error (error);

  user_agent = belfry_user_agent_new (NULL, "127.0.0.1", 0, NULL);
  belfry_user_agent_set_outbound_proxy (user_agent, "sip:");
  belfry_user_agent_start_async (user_agent, NULL, belfry_test_store_result_cb, &result);
  g_assert_true (belfry_user_agent_start_finish (user_agent, belfry_test_wait_result (&result, 5000), &error));
  g_clear_object (&result);
  target = belfry_name_addr_new (NULL, "sip:bob@127.0.0.1:9", &error);
  g_assert_no_error (error);
  session = BELFRY_SESSION (belfry_inviter_new (user_agent, target));
  belfry_session_invite_async (session, NULL, NULL, belfry_test_store_result_cb, &result);
  g_assert_false (belfry_session_invite_finish (session, belfry_test_wait_result (&result, 5000), &error));
  g_assert_error (error, BELFRY_SIP_ERROR, BELFRY_SIP_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error->message, "outbound proxy"));
  g_clear_object (&result);
  belfry_test_assert_finalized (g_steal_pointer (&session), 3000);
  g_assert_finalize_object (g_steal_pointer (&user_agent));
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr (BelfryTestSdhFactory) factory = NULL;
  g_autoptr (BelfryMediaEngine) engine = NULL;
  g_autofree char *no_bus = NULL;
  int status;

  belfry_test_init (&argc, &argv);

  /* No session bus, so no Secret Service: the lookup of a password fails
   * at once and the account registers without one. */
  no_bus = g_strdup_printf ("unix:path=%s/no-bus", g_get_home_dir ());
  g_setenv ("DBUS_SESSION_BUS_ADDRESS", no_bus, TRUE);

  factory = belfry_test_sdh_factory_new ();
  engine = belfry_media_engine_new ();
  belfry_media_engine_set_bind_address (engine, "127.0.0.1");

  g_test_add ("/belfry/account-manager/outbound-proxy/udp", Fixture, factory,
              fixture_set_up, test_outbound_proxy, fixture_tear_down);
  g_test_add ("/belfry/account-manager/outbound-proxy/tcp", Fixture, factory,
              fixture_set_up, test_outbound_proxy, fixture_tear_down);
  g_test_add ("/belfry/account-manager/transport/tcp", Fixture, factory,
              fixture_set_up, test_transport_tcp, fixture_tear_down);
  g_test_add ("/belfry/account-manager/srtp", Fixture, engine,
              fixture_set_up, test_srtp, fixture_tear_down);
  g_test_add ("/belfry/account-manager/bad-proxy", Fixture, factory,
              fixture_set_up, test_bad_proxy, fixture_tear_down);

  status = g_test_run ();
  return status;
}
