/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include "belfry-name-addr.h"
#include "belfry-sip-error.h"
#include "belfry-test-env.h"

typedef struct {
  const char *input;
  /* How belle-sip prints it back; parsing that again must give the same. */
  const char *printed;
  const char *display_name;
  const char *scheme;
  const char *user;
  const char *host;
  int port;
} RoundTrip;

static const RoundTrip round_trips[] = {
  { "\"Alice \\\"Al\\\" Smith\" <sip:alice@example.org;transport=tcp>;tag=abc;foo=bar",
    "\"Alice \\\"Al\\\" Smith\" <sip:alice@example.org;transport=tcp>;tag=abc;foo=bar",
    "Alice \"Al\" Smith", "sip", "alice", "example.org", 0 },
  { "Bob <sip:bob@[2001:db8::1]:5070>", "\"Bob\" <sip:bob@[2001:db8::1]:5070>",
    "Bob", "sip", "bob", "2001:db8::1", 5070 },
  { "sip:carol@example.org", "sip:carol@example.org", NULL, "sip", "carol", "example.org", 0 },
  { "<sips:dave@example.org:5061>", "sips:dave@example.org:5061", NULL, "sips", "dave", "example.org", 5061 },
  { "<tel:+4930123;phone-context=example.org>", "<tel:+4930123;phone-context=example.org>",
    NULL, "tel", "+4930123", NULL, 0 },
  { "tel:+4930123", "<tel:+4930123>", NULL, "tel", "+4930123", NULL, 0 },
  { "\"J\xc3\xa9r\xc3\xb4me\" <sip:j%20r@example.org?Subject=hi>",
    "\"J\xc3\xa9r\xc3\xb4me\" <sip:j%20r@example.org?Subject=hi>", "J\xc3\xa9r\xc3\xb4me", "sip", "j r", "example.org", 0 },
  { "<sip:alice@example.org>;tag=xyz", "<sip:alice@example.org>;tag=xyz", NULL, "sip", "alice", "example.org", 0 },
  { "\"\" <sip:anonymous@anonymous.invalid>", "sip:anonymous@anonymous.invalid", NULL, "sip", "anonymous", "anonymous.invalid", 0 },
  { "<sip:[::1]:5090;transport=udp>", "<sip:[::1]:5090;transport=udp>", NULL, "sip", NULL, "::1", 5090 },
};

static void
test_round_trip (gconstpointer data)
{
  const RoundTrip *rt = data;
  g_autoptr (GError) error = NULL;
  g_autoptr (BelfryNameAddr) parsed = belfry_name_addr_parse (rt->input, &error);
  g_autoptr (BelfryNameAddr) again = NULL;
  g_autofree char *printed = NULL;
  g_autofree char *printed_again = NULL;

  g_assert_no_error (error);
  g_assert_nonnull (parsed);
  g_assert_cmpstr (belfry_name_addr_get_display_name (parsed), ==, rt->display_name);
  g_assert_cmpstr (belfry_name_addr_get_scheme (parsed), ==, rt->scheme);
  g_assert_cmpstr (belfry_name_addr_get_user (parsed), ==, rt->user);
  g_assert_cmpstr (belfry_name_addr_get_host (parsed), ==, rt->host);
  g_assert_cmpint (belfry_name_addr_get_port (parsed), ==, rt->port);

  printed = belfry_name_addr_to_string (parsed);
  g_assert_cmpstr (printed, ==, rt->printed);

  again = belfry_name_addr_parse (printed, &error);
  g_assert_no_error (error);
  g_assert_true (belfry_name_addr_equal (parsed, again));
  printed_again = belfry_name_addr_to_string (again);
  g_assert_cmpstr (printed_again, ==, printed);
}

static void
test_parameters (void)
{
  g_autoptr (BelfryNameAddr) addr = belfry_name_addr_parse (
    "\"A\" <sip:a@example.org;transport=tcp;lr>;tag=t1;expires=60;flag", NULL);

  g_assert_cmpstr (belfry_name_addr_get_parameter (addr, "tag"), ==, "t1");
  g_assert_cmpstr (belfry_name_addr_get_parameter (addr, "expires"), ==, "60");
  g_assert_cmpstr (belfry_name_addr_get_parameter (addr, "flag"), ==, "");
  g_assert_null (belfry_name_addr_get_parameter (addr, "missing"));
  g_assert_cmpstr (belfry_name_addr_get_uri_parameter (addr, "transport"), ==, "tcp");
  g_assert_cmpstr (belfry_name_addr_get_uri_parameter (addr, "lr"), ==, "");
  g_assert_null (belfry_name_addr_get_uri_parameter (addr, "tag"));
}

static void
test_new (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (BelfryNameAddr) addr = belfry_name_addr_new ("Alice \"the\" <Admin>", "sip:alice@example.org:5070", &error);
  g_autoptr (BelfryNameAddr) parsed = NULL;
  g_autoptr (BelfryNameAddr) tel = NULL;
  g_autoptr (BelfryNameAddr) bare = NULL;
  g_autofree char *text = NULL;
  g_autofree char *uri = NULL;

  g_assert_no_error (error);
  text = belfry_name_addr_to_string (addr);
  parsed = belfry_name_addr_parse (text, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (belfry_name_addr_get_display_name (parsed), ==, "Alice \"the\" <Admin>");
  g_assert_true (belfry_name_addr_equal (addr, parsed));
  uri = belfry_name_addr_dup_uri (parsed);
  g_assert_cmpstr (uri, ==, "sip:alice@example.org:5070");

  tel = belfry_name_addr_new (NULL, "tel:+4930123", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (belfry_name_addr_get_scheme (tel), ==, "tel");

  bare = belfry_name_addr_new ("", "sip:bob@example.org", &error);
  g_assert_no_error (error);
  g_assert_null (belfry_name_addr_get_display_name (bare));
}

/* An address made of this machine's parts: IPv6 in brackets, the user
 * part escaped, so that it parses back to the same parts. */
static void
test_for_host (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (BelfryNameAddr) v6 = belfry_name_addr_new_for_host (NULL, "belfry", "2001:db8::1", 5070,
                                                                  &error);
  g_autoptr (BelfryNameAddr) named = NULL;
  g_autoptr (BelfryNameAddr) parsed = NULL;
  g_autofree char *v6_uri = NULL;
  g_autofree char *printed = NULL;

  g_assert_no_error (error);
  v6_uri = belfry_name_addr_dup_uri (v6);
  g_assert_cmpstr (v6_uri, ==, "sip:belfry@[2001:db8::1]:5070");

  named = belfry_name_addr_new_for_host ("Jo \"Admin\"", "jo smith", "192.0.2.7", 0, &error);
  g_assert_no_error (error);
  printed = belfry_name_addr_to_string (named);
  parsed = belfry_name_addr_parse (printed, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (belfry_name_addr_get_display_name (parsed), ==, "Jo \"Admin\"");
  g_assert_cmpstr (belfry_name_addr_get_user (parsed), ==, "jo smith");
  g_assert_cmpstr (belfry_name_addr_get_host (parsed), ==, "192.0.2.7");
  g_assert_cmpint (belfry_name_addr_get_port (parsed), ==, 0);

  g_assert_null (belfry_name_addr_new_for_host (NULL, "belfry", "", 0, &error));
  g_assert_error (error, BELFRY_SIP_ERROR, BELFRY_SIP_ERROR_INVALID_ARGUMENT);
}

/* What people type into a form or a setting: sip: is added when the text
 * names no scheme, and a host with a port is not taken for a scheme. */
static void
test_typed (void)
{
  const struct {
    const char *typed;
    const char *uri;
    const char *display_name;
  } cases[] = {
    { "  bob@example.org ", "sip:bob@example.org", NULL },
    { "example.org:5070", "sip:example.org:5070", NULL },
    { "proxy.example.net;lr", "sip:proxy.example.net;lr", NULL },
    { "SIPS:bob@example.org", "sips:bob@example.org", NULL },
    { "tel:+4930123", "tel:+4930123", NULL },
    { "Alice <sip:alice@example.org>", "sip:alice@example.org", "Alice" },
  };
  const char *refused[] = {
    "", "   ", "sip:<nowhere>", "<nowhere>", "bob@", "http://example.org/",
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++) {
    g_autoptr (GError) error = NULL;
    g_autoptr (BelfryNameAddr) addr = belfry_name_addr_parse_typed (cases[i].typed, &error);
    g_autofree char *uri = NULL;

    g_test_message ("typed “%s”", cases[i].typed);
    g_assert_no_error (error);
    uri = belfry_name_addr_dup_uri (addr);
    g_assert_cmpstr (uri, ==, cases[i].uri);
    g_assert_cmpstr (belfry_name_addr_get_display_name (addr), ==, cases[i].display_name);
  }

  for (guint i = 0; i < G_N_ELEMENTS (refused); i++) {
    g_autoptr (GError) error = NULL;
    g_autoptr (BelfryNameAddr) addr = belfry_name_addr_parse_typed (refused[i], &error);

    g_test_message ("refusing typed “%s”", refused[i]);
    g_assert_null (addr);
    g_assert_error (error, BELFRY_SIP_ERROR, BELFRY_SIP_ERROR_INVALID_ARGUMENT);
  }
}

/* The transport is a URI parameter; a copy with another one leaves the
 * original, its display name and its header parameters alone. */
static void
test_transport (void)
{
  g_autoptr (BelfryNameAddr) addr = belfry_name_addr_parse ("\"A\" <sip:a@example.org;lr>;tag=t1",
                                                            NULL);
  g_autoptr (BelfryNameAddr) tcp = belfry_name_addr_new_with_transport (addr, "tcp");
  g_autoptr (BelfryNameAddr) tls = belfry_name_addr_new_with_transport (tcp, "tls");
  g_autoptr (BelfryNameAddr) tel = belfry_name_addr_parse ("tel:+4930123", NULL);
  g_autofree char *original = belfry_name_addr_to_string (addr);
  g_autofree char *printed = belfry_name_addr_to_string (tcp);
  g_autofree char *replaced = belfry_name_addr_dup_uri (tls);

  g_assert_null (belfry_name_addr_get_transport (addr));
  g_assert_null (belfry_name_addr_get_transport (tel));
  g_assert_cmpstr (belfry_name_addr_get_transport (tcp), ==, "tcp");
  g_assert_cmpstr (original, ==, "\"A\" <sip:a@example.org;lr>;tag=t1");
  g_assert_cmpstr (printed, ==, "\"A\" <sip:a@example.org;lr;transport=tcp>;tag=t1");
  g_assert_cmpstr (replaced, ==, "sip:a@example.org;lr;transport=tls");
}

static void
test_equal (void)
{
  g_autoptr (BelfryNameAddr) a = belfry_name_addr_parse ("<sip:alice@EXAMPLE.org;transport=TCP>", NULL);
  g_autoptr (BelfryNameAddr) b = belfry_name_addr_parse ("sip:alice@example.org;transport=tcp", NULL);
  g_autoptr (BelfryNameAddr) c = belfry_name_addr_parse ("<sip:ALICE@example.org>", NULL);
  g_autoptr (BelfryNameAddr) d = belfry_name_addr_parse ("<sip:alice@example.org;transport=tcp>;tag=1", NULL);
  g_autoptr (BelfryNameAddr) e = belfry_name_addr_parse ("\"Alice\" <sip:alice@example.org;transport=tcp>", NULL);

  /* RFC 3261 section 19.1.4: hosts and parameter values are compared
   * without case, the user part with case. */
  g_assert_true (belfry_name_addr_equal (a, b));
  g_assert_false (belfry_name_addr_equal (a, c));
  g_assert_false (belfry_name_addr_equal (a, d));
  g_assert_false (belfry_name_addr_equal (a, e));
}

static void
test_friendly_name (void)
{
  g_autoptr (BelfryNameAddr) named = belfry_name_addr_parse ("\"Bob\" <sip:bob@example.org>", NULL);
  g_autoptr (BelfryNameAddr) plain = belfry_name_addr_parse ("sip:bob@example.org", NULL);
  g_autoptr (BelfryNameAddr) tel = belfry_name_addr_parse ("tel:+4930123", NULL);
  g_autofree char *a = belfry_name_addr_dup_friendly_name (named);
  g_autofree char *b = belfry_name_addr_dup_friendly_name (plain);
  g_autofree char *c = belfry_name_addr_dup_friendly_name (tel);

  g_assert_cmpstr (a, ==, "Bob");
  g_assert_cmpstr (b, ==, "bob@example.org");
  g_assert_cmpstr (c, ==, "+4930123");
}

static void
test_refusals (void)
{
  const char *garbage[] = {
    "", "garbage <<>>", "sip:", "<sip:@>", "alice", "http://example.org",
    "<mailto:alice@example.org>", "\"unterminated <sip:a@b>", "sip:alice@example.org\r\nVia: x",
    "<sip:alice@example.org", "\x01\x02\x03", "\"A\" sip:a@b",
  };

  for (guint i = 0; i < G_N_ELEMENTS (garbage); i++) {
    g_autoptr (GError) error = NULL;
    g_autoptr (BelfryNameAddr) addr = NULL;

    g_test_message ("refusing “%s”", garbage[i]);
    addr = belfry_name_addr_parse (garbage[i], &error);
    g_assert_null (addr);
    g_assert_error (error, BELFRY_SIP_ERROR, BELFRY_SIP_ERROR_INVALID_ARGUMENT);
  }

  {
    const char *bad_uris[] = { "alice@example.org", "http://x", "sip:a@b>;tag=1", "sip:a@b\r\n", "" };

    for (guint i = 0; i < G_N_ELEMENTS (bad_uris); i++) {
      g_autoptr (GError) error = NULL;
      g_autoptr (BelfryNameAddr) addr = belfry_name_addr_new ("A", bad_uris[i], &error);

      g_test_message ("refusing URI “%s”", bad_uris[i]);
      g_assert_null (addr);
      g_assert_error (error, BELFRY_SIP_ERROR, BELFRY_SIP_ERROR_INVALID_ARGUMENT);
    }
  }

  {
    g_autoptr (GError) error = NULL;
    g_autoptr (BelfryNameAddr) addr = belfry_name_addr_new ("A\nB", "sip:a@example.org", &error);

    g_assert_null (addr);
    g_assert_error (error, BELFRY_SIP_ERROR, BELFRY_SIP_ERROR_INVALID_ARGUMENT);
  }
}

static void
test_boxed (void)
{
  g_autoptr (BelfryNameAddr) addr = belfry_name_addr_parse ("sip:a@example.org", NULL);
  BelfryNameAddr *copy = g_boxed_copy (BELFRY_TYPE_NAME_ADDR, addr);
  GValue value = G_VALUE_INIT;

  g_assert_true (copy == addr);
  g_boxed_free (BELFRY_TYPE_NAME_ADDR, copy);

  g_value_init (&value, BELFRY_TYPE_NAME_ADDR);
  g_value_set_boxed (&value, addr);
  g_assert_true (g_value_get_boxed (&value) == addr);
  g_value_unset (&value);
}

int
main (int   argc,
      char *argv[])
{
  belfry_test_init (&argc, &argv);

  for (guint i = 0; i < G_N_ELEMENTS (round_trips); i++) {
    g_autofree char *path = g_strdup_printf ("/belfry/name-addr/round-trip/%u", i);

    g_test_add_data_func (path, &round_trips[i], test_round_trip);
  }
  g_test_add_func ("/belfry/name-addr/parameters", test_parameters);
  g_test_add_func ("/belfry/name-addr/new", test_new);
  g_test_add_func ("/belfry/name-addr/for-host", test_for_host);
  g_test_add_func ("/belfry/name-addr/typed", test_typed);
  g_test_add_func ("/belfry/name-addr/transport", test_transport);
  g_test_add_func ("/belfry/name-addr/equal", test_equal);
  g_test_add_func ("/belfry/name-addr/friendly-name", test_friendly_name);
  g_test_add_func ("/belfry/name-addr/refusals", test_refusals);
  g_test_add_func ("/belfry/name-addr/boxed", test_boxed);

  return g_test_run ();
}
