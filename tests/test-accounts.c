/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <gio/gio.h>
#include <stdlib.h>
#include <string.h>

#include "belfry-account-manager.h"
#include "belfry-enum.h"
#include "belfry-kamailio.h"
#include "belfry-media-enums.h"
#include "belfry-keyring.h"
#include "belfry-sip-error.h"
#include "belfry-test-env.h"
#include "belfry-test-sdh.h"

/* Accounts: what people type turned into addresses, settings bound both
 * ways, passwords in a real Secret Service (gnome-keyring, started on the
 * test's private session bus), and the registration status against a
 * real Kamailio. */

static void
check_target (BelfryAccount *account,
              const char    *text,
              const char    *expected)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (BelfryNameAddr) target = belfry_account_resolve_target (account, text, &error);
  g_autofree char *uri = NULL;

  if (expected == NULL) {
    g_assert_null (target);
    g_assert_error (error, BELFRY_SIP_ERROR, BELFRY_SIP_ERROR_INVALID_ARGUMENT);
    return;
  }
  g_assert_no_error (error);
  uri = belfry_name_addr_dup_uri (target);
  g_assert_cmpstr (uri, ==, expected);
}

static void
test_resolve (void)
{
  g_autoptr (BelfryAccount) account = belfry_account_new ("resolve");

  belfry_account_set_sip_address (account, "sip:alice@example.org");
  check_target (account, "sip:bob@example.com", "sip:bob@example.com");
  check_target (account, "  sips:bob@example.com ", "sips:bob@example.com");
  check_target (account, "bob@example.com", "sip:bob@example.com");
  check_target (account, "bob", "sip:bob@example.org");
  check_target (account, "tel:+49-30-123", "sip:+4930123@example.org;user=phone");
  check_target (account, "+49 30 123-45", "sip:+493012345@example.org;user=phone");
  check_target (account, "(030) 123.45", "sip:03012345@example.org;user=phone");
  check_target (account, "", NULL);
  check_target (account, "tel:abc", NULL);

  belfry_account_set_transport (account, BELFRY_TRANSPORT_TCP);
  check_target (account, "123", "sip:123@example.org;user=phone;transport=tcp");
  check_target (account, "bob@example.com", "sip:bob@example.com;transport=tcp");
  /* A transport of its own is kept, not doubled. */
  check_target (account, "bob@example.com;transport=udp", "sip:bob@example.com;transport=udp");
  /* A typed URI is taken as it is. */
  check_target (account, "sip:bob@example.com", "sip:bob@example.com");

  /* Without an account: addresses with a host only. */
  check_target (NULL, "bob@192.0.2.1", "sip:bob@192.0.2.1");
  check_target (NULL, "sip:bob@192.0.2.1:5070", "sip:bob@192.0.2.1:5070");
  check_target (NULL, "12345", NULL);
  check_target (NULL, "tel:+4930123", NULL);
  check_target (NULL, "bob", NULL);
}

/* A setting that holds an address as typed, and the URI made of it. */
typedef struct {
  void (*set) (BelfryAccount *account, const char *text);
  char *(*dup_uri) (BelfryAccount *account);
} UriSetting;

static const UriSetting registrar_setting = {
  belfry_account_set_registrar, belfry_account_dup_registrar_uri,
};
static const UriSetting proxy_setting = {
  belfry_account_set_outbound_proxy, belfry_account_dup_outbound_proxy_uri,
};

static void
check_uri (BelfryAccount    *account,
           const UriSetting *setting,
           const char       *typed,
           const char       *expected)
{
  g_autofree char *uri = NULL;

  setting->set (account, typed);
  uri = setting->dup_uri (account);
  g_assert_cmpstr (uri, ==, expected);
}

static void
test_settings (void)
{
  g_autoptr (BelfryAccount) account = belfry_account_new ("bound");
  GSettings *settings = belfry_account_get_settings (account);
  g_autofree char *path = NULL;
  g_autofree char *registrar = NULL;
  g_autofree char *display_name = NULL;

  g_object_get (settings, "path", &path, NULL);
  g_assert_cmpstr (path, ==, "/org/belfry/Belfry/accounts/bound/");

  belfry_account_set_display_name (account, "Alice");
  belfry_account_set_transport (account, BELFRY_TRANSPORT_TLS);
  belfry_account_set_srtp (account, BELFRY_MEDIA_SRTP_MANDATORY);
  belfry_account_set_register_expires (account, 120);
  display_name = g_settings_get_string (settings, "display-name");
  g_assert_cmpstr (display_name, ==, "Alice");
  g_assert_cmpint (g_settings_get_enum (settings, "transport"), ==, 2);
  g_assert_cmpint (g_settings_get_enum (settings, "srtp"), ==, 2);
  g_assert_cmpuint (g_settings_get_uint (settings, "register-expires"), ==, 120);

  g_settings_set_string (settings, "sip-address", "sip:carol@example.net");
  g_settings_set_string (settings, "transport", "tcp");
  g_settings_set_boolean (settings, "enabled", FALSE);
  g_assert_cmpstr (belfry_account_get_sip_address (account), ==, "sip:carol@example.net");
  g_assert_cmpint (belfry_account_get_transport (account), ==, BELFRY_TRANSPORT_TCP);
  g_assert_false (belfry_account_get_enabled (account));

  registrar = belfry_account_dup_registrar_uri (account);
  g_assert_cmpstr (registrar, ==, "sip:example.net;transport=tcp");
  check_uri (account, &registrar_setting, "registrar.example.net:5070",
             "sip:registrar.example.net:5070;transport=tcp");
  check_uri (account, &registrar_setting, "sip:registrar.example.net;transport=udp",
             "sip:registrar.example.net;transport=udp");
  check_uri (account, &registrar_setting, "", "sip:example.net;transport=tcp");

  /* The outbound proxy gets sip: and the transport, unless it has them. */
  g_assert_null (belfry_account_dup_outbound_proxy_uri (account));
  check_uri (account, &proxy_setting, "proxy.example.net:5070",
             "sip:proxy.example.net:5070;transport=tcp");
  check_uri (account, &proxy_setting, " sip:proxy.example.net;lr ",
             "sip:proxy.example.net;lr;transport=tcp");
  check_uri (account, &proxy_setting, "sip:proxy.example.net;transport=udp",
             "sip:proxy.example.net;transport=udp");
  check_uri (account, &proxy_setting, "sips:proxy.example.net", "sips:proxy.example.net");
  belfry_account_set_outbound_proxy (account, "");

  /* Settings stored before keep their meaning: the schema's SRTP nicks
   * are the media layer's, both ways. */
  g_settings_set_string (settings, "srtp", "optional");
  g_assert_cmpint (belfry_account_get_srtp (account), ==, BELFRY_MEDIA_SRTP_OPTIONAL);
  for (int srtp = BELFRY_MEDIA_SRTP_OFF; srtp <= BELFRY_MEDIA_SRTP_MANDATORY; srtp++) {
    g_autofree char *stored = NULL;

    belfry_account_set_srtp (account, srtp);
    stored = g_settings_get_string (settings, "srtp");
    g_assert_cmpstr (stored, ==, belfry_enum_get_nick (BELFRY_TYPE_MEDIA_SRTP, srtp));
  }
  belfry_account_set_srtp (account, BELFRY_MEDIA_SRTP_MANDATORY);

  g_assert_false (belfry_account_get_allow_srtp_without_tls (account));
  g_settings_set_boolean (settings, "allow-srtp-without-tls", TRUE);
  g_assert_true (belfry_account_get_allow_srtp_without_tls (account));

  /* A second object on the same path sees the same values. */
  {
    g_autoptr (BelfryAccount) again = belfry_account_new ("bound");

    g_assert_cmpstr (belfry_account_get_display_name (again), ==, "Alice");
    g_assert_cmpint (belfry_account_get_srtp (again), ==, BELFRY_MEDIA_SRTP_MANDATORY);
  }
  g_assert_finalize_object (g_steal_pointer (&account));
}

static char *
lookup (BelfryAccount *account)
{
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GError) error = NULL;
  char *password;

  belfry_account_lookup_password_async (account, NULL, belfry_test_store_result_cb, &result);
  password = belfry_account_lookup_password_finish (account, belfry_test_wait_result (&result, 10000), &error);
  g_assert_no_error (error);
  return password;
}

static void
store (BelfryAccount *account,
       const char    *password)
{
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GError) error = NULL;

  belfry_account_store_password_async (account, password, NULL, belfry_test_store_result_cb, &result);
  belfry_account_store_password_finish (account, belfry_test_wait_result (&result, 10000), &error);
  g_assert_no_error (error);
}

static void
on_items_changed (GListModel *model,
                  guint       position,
                  guint       removed,
                  guint       added,
                  guint      *changes)
{
  (*changes)++;
}

static gboolean
direct_ready (gpointer data)
{
  return belfry_account_manager_get_direct_address (data) != NULL;
}

static void
test_manager (void)
{
  g_autoptr (GSettings) settings = g_settings_new ("org.belfry.Belfry");
  g_autoptr (BelfryTestSdhFactory) factory = belfry_test_sdh_factory_new ();
  g_autoptr (BelfryAccountManager) manager = NULL;
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *password = NULL;
  g_autofree char *id = NULL;
  g_auto (GStrv) keys = NULL;
  BelfryAccount *first, *second;
  guint changes = 0;

  belfry_test_start_keyring ();
  g_settings_set_strv (settings, "accounts", NULL);
  manager = belfry_account_manager_new (settings, BELFRY_SESSION_DESCRIPTION_HANDLER_FACTORY (factory),
                                        "127.0.0.1", 0);
  g_signal_connect (manager, "items-changed", G_CALLBACK (on_items_changed), &changes);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (manager)), ==, 0);
  g_assert_null (belfry_account_manager_get_default_account (manager));
  g_assert_true (belfry_test_wait_until (direct_ready, manager, 5000));

  first = belfry_account_manager_add (manager, "sip:first@127.0.0.1:9");
  belfry_account_set_enabled (first, FALSE);
  second = belfry_account_manager_add (manager, "sip:second@127.0.0.1:9");
  belfry_account_set_enabled (second, FALSE);
  g_assert_cmpuint (changes, ==, 2);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (manager)), ==, 2);
  g_assert_true (belfry_account_manager_lookup (manager, belfry_account_get_id (second)) == second);
  g_assert_null (belfry_account_manager_get_default_account (manager));

  belfry_account_set_enabled (second, TRUE);
  g_assert_true (belfry_account_manager_get_default_account (manager) == second);
  belfry_account_set_enabled (first, TRUE);
  g_assert_true (belfry_account_manager_get_default_account (manager) == first);
  belfry_account_manager_set_default_account (manager, second);
  g_assert_true (belfry_account_manager_get_default_account (manager) == second);

  /* The password goes to the Secret Service and nowhere in GSettings. */
  store (second, "s3cret-hunter2");
  password = lookup (second);
  g_assert_cmpstr (password, ==, "s3cret-hunter2");
  g_clear_pointer (&password, g_free);
  keys = g_settings_schema_list_keys (g_settings_schema_source_lookup (g_settings_schema_source_get_default (),
                                                                       "org.belfry.Belfry.Account", TRUE));
  for (guint i = 0; keys[i] != NULL; i++) {
    g_autoptr (GVariant) value = g_settings_get_value (belfry_account_get_settings (second), keys[i]);
    g_autofree char *text = g_variant_print (value, FALSE);

    g_assert_null (strstr (text, "hunter2"));
  }

  /* Removing the account clears its password and its default. */
  id = g_strdup (belfry_account_get_id (second));
  g_object_ref (second);
  belfry_account_manager_remove_async (manager, second, NULL, belfry_test_store_result_cb, &result);
  g_assert_true (belfry_account_manager_remove_finish (manager, belfry_test_wait_result (&result, 10000), &error));
  g_assert_no_error (error);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (manager)), ==, 1);
  g_assert_null (belfry_account_manager_lookup (manager, id));
  g_assert_true (belfry_account_manager_get_default_account (manager) == first);
  password = lookup (second);
  g_assert_null (password);
  g_object_unref (second);
}

static void
test_direct_next_port (void)
{
  g_autoptr (GSettings) settings = g_settings_new ("org.belfry.Belfry");
  g_autoptr (BelfryTestSdhFactory) factory = belfry_test_sdh_factory_new ();
  g_autoptr (BelfryAccountManager) manager = NULL;
  g_autoptr (GSocket) taken = NULL;
  g_autoptr (GSocketAddress) address = NULL;
  g_autoptr (GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autofree char *prefix = NULL;
  int port = belfry_test_free_port ("127.0.0.1");
  const char *direct;

  /* The first port is taken: the next free one is used and shown. */
  taken = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_DATAGRAM, G_SOCKET_PROTOCOL_UDP, NULL);
  address = g_inet_socket_address_new (loopback, (guint16) port);
  g_assert_true (g_socket_bind (taken, address, FALSE, NULL));

  g_settings_set_strv (settings, "accounts", NULL);
  manager = belfry_account_manager_new (settings, BELFRY_SESSION_DESCRIPTION_HANDLER_FACTORY (factory),
                                        "127.0.0.1", port);
  g_assert_true (belfry_test_wait_until (direct_ready, manager, 5000));
  direct = belfry_account_manager_get_direct_address (manager);
  prefix = g_strdup_printf ("sip:%s@127.0.0.1:", g_get_user_name ());
  g_assert_true (g_str_has_prefix (direct, prefix));
  g_assert_cmpint (atoi (direct + strlen (prefix)), >, port);
  g_assert_cmpint (atoi (direct + strlen (prefix)), <, port + 20);
}

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
    g_error ("status %d \"%s\", not %d \"%s\"", belfry_account_get_status (account),
             belfry_account_get_status_message (account), status, message_prefix);
}

static void
test_status (void)
{
  g_autoptr (GSettings) settings = g_settings_new ("org.belfry.Belfry");
  g_autoptr (BelfryTestSdhFactory) factory = belfry_test_sdh_factory_new ();
  g_autoptr (BelfryAccountManager) manager = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *address = NULL;
  g_autofree char *closed = NULL;
  g_autoptr (GAsyncResult) result = NULL;
  BelfryKamailioOptions options = { .password = "right-password" };
  BelfryKamailio *kamailio;
  BelfryAccount *account, *unreachable;
  int port = belfry_kamailio_pick_port ();

  belfry_test_start_keyring ();
  kamailio = belfry_kamailio_start (port, &options, &error);
  g_assert_no_error (error);

  g_settings_set_strv (settings, "accounts", NULL);
  manager = belfry_account_manager_new (settings, BELFRY_SESSION_DESCRIPTION_HANDLER_FACTORY (factory),
                                        "127.0.0.1", 0);

  /* The wrong password first, then the right one after a reconnect. */
  address = g_strdup_printf ("sip:alice@127.0.0.1:%d", port);
  account = belfry_account_manager_add (manager, address);
  store (account, "wrong-password");
  belfry_account_manager_reconnect (manager, account);
  wait_status (account, BELFRY_ACCOUNT_STATUS_FAILED, "Wrong password", 20000);

  store (account, "right-password");
  belfry_account_manager_reconnect (manager, account);
  wait_status (account, BELFRY_ACCOUNT_STATUS_REGISTERED, "Registered", 20000);
  g_assert_nonnull (belfry_account_manager_get_user_agent (manager, account));
  g_assert_null (belfry_account_manager_get_direct_address (manager));

  /* A registrar nobody listens at, over TCP: unreachable, and retried. */
  closed = g_strdup_printf ("sip:bob@127.0.0.1:%d", belfry_test_free_port ("127.0.0.1"));
  unreachable = belfry_account_manager_add (manager, closed);
  belfry_account_set_transport (unreachable, BELFRY_TRANSPORT_TCP);
  wait_status (unreachable, BELFRY_ACCOUNT_STATUS_FAILED, "Registrar unreachable, retrying in", 20000);

  /* Disabling goes offline. */
  belfry_account_set_enabled (unreachable, FALSE);
  wait_status (unreachable, BELFRY_ACCOUNT_STATUS_OFFLINE, "Disabled", 5000);

  /* Quitting withdraws the registration, and completes once the
   * registrar answered. */
  g_assert_cmpuint (belfry_kamailio_count (kamailio, "BELFRY-REGISTER-OK user=alice expires=0"), ==, 0);
  belfry_account_manager_unregister_all_async (manager, NULL, belfry_test_store_result_cb, &result);
  g_assert_true (belfry_account_manager_unregister_all_finish (manager, belfry_test_wait_result (&result, 10000),
                                                         &error));
  g_assert_no_error (error);
  /* Kamailio logs the line after it answered. */
  g_assert_true (belfry_kamailio_wait_count (kamailio, "BELFRY-REGISTER-OK user=alice expires=0", 1, 5000));
  g_assert_cmpint (belfry_account_get_status (account), ==, BELFRY_ACCOUNT_STATUS_OFFLINE);

  g_clear_object (&manager);
  belfry_kamailio_stop (kamailio);
}

int
main (int    argc,
      char **argv)
{
  int status;

  belfry_test_init (&argc, &argv);

  g_test_add_func ("/belfry/accounts/resolve", test_resolve);
  g_test_add_func ("/belfry/accounts/settings", test_settings);
  g_test_add_func ("/belfry/accounts/manager", test_manager);
  g_test_add_func ("/belfry/accounts/direct-next-port", test_direct_next_port);
  g_test_add_func ("/belfry/accounts/status", test_status);

  status = g_test_run ();
  belfry_test_stop_keyring ();
  return status;
}
