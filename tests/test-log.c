/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <belle-sip/belle-sip.h>
#include <string.h>

#include "belfry-log-private.h"
#include "belfry-sip-loop.h"
#include "belfry-test-env.h"

/* Log lines lose their secrets and keep the rest. */

typedef struct {
  const char *name;
  const char *line;
  const char *redacted;
} Case;

static const Case cases[] = {
  { "sdes",
    "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz",
    "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:[redacted]" },
  /* A lifetime and an MKI are no secret; every key of a line goes. */
  { "sdes-lifetime-mki",
    "a=crypto:2 AES_256_CM_HMAC_SHA1_80 inline:d0RmdmcmVCspeEc3QGZiNWpVLFJhQX1cfHAwJSoj|2^20|1:4;"
    "inline:QUJjZGVmMTIzNDU2Nzg5QUJDREUwMTIzNDU2Nzg5|2^20|2:4",
    "a=crypto:2 AES_256_CM_HMAC_SHA1_80 inline:[redacted]|2^20|1:4;inline:[redacted]|2^20|2:4" },
  { "sdp-in-message",
    "INVITE sip:bob@127.0.0.1 SIP/2.0\r\nContent-Type: application/sdp\r\n\r\nv=0\r\n"
    "m=audio 4000 RTP/SAVP 0\r\n"
    "a=crypto:1 AES_CM_128_HMAC_SHA1_32 inline:Xq+PfICsysb7Bho6KQWIf6uzMYHJtfLJIEuq00uX\r\n"
    "a=sendrecv\r\n",
    "INVITE sip:bob@127.0.0.1 SIP/2.0\r\nContent-Type: application/sdp\r\n\r\nv=0\r\n"
    "m=audio 4000 RTP/SAVP 0\r\na=crypto:1 AES_CM_128_HMAC_SHA1_32 inline:[redacted]\r\n"
    "a=sendrecv\r\n" },
  { "mikey",
    "a=key-mgmt:mikey AQAFgM0XflABAAAAAAAAAAAAAAsAyO6SmTAHMAAAAAAAAAAAAA==\r\na=sendrecv",
    "a=key-mgmt:mikey [redacted]\r\na=sendrecv" },
  /* The digest response goes; what travels beside it stays. */
  { "authorization",
    "Authorization:  Digest realm=\"127.0.0.1\", nonce=\"axdSu2sXUY9Py08s\", username=\"alice\", "
    "uri=\"sip:127.0.0.1:5060\", response=\"47b1286e8aa02ca0dee5d9fd1e55997b\", "
    "cnonce=\"LflVhJTq\", nc=00000001, qop=auth",
    "Authorization:  Digest realm=\"127.0.0.1\", nonce=\"axdSu2sXUY9Py08s\", username=\"alice\", "
    "uri=\"sip:127.0.0.1:5060\", response=\"[redacted]\", "
    "cnonce=\"LflVhJTq\", nc=00000001, qop=auth" },
  { "proxy-authorization-unquoted",
    "Proxy-Authorization: Digest username=\"bob\","
    "RESPONSE=6629fae49393a05397450978507c4ef1,nc=00000002",
    "Proxy-Authorization: Digest username=\"bob\",RESPONSE=[redacted],nc=00000002" },
  { "authentication-info",
    "Authentication-Info: qop=auth, rspauth=\"6629fae49393a05397450978507c4ef1\", "
    "cnonce=\"0a4f113b\"",
    "Authentication-Info: qop=auth, rspauth=\"[redacted]\", cnonce=\"0a4f113b\"" },
  { "mediastreamer2-key-ends",
    "media_stream_set_srtp_recv_key(): key 5e..97 stream sessions is [0x55cf37f0c0e8]",
    "media_stream_set_srtp_recv_key(): key [redacted] stream sessions is [0x55cf37f0c0e8]" },
  { "uri-password",
    "To: <sip:alice:hunter2@example.org;transport=tcp>",
    "To: <sip:alice:[redacted]@example.org;transport=tcp>" },
  /* Lines without secrets come out as they went in. */
  { "plain",
    "REGISTER sip:127.0.0.1:5060 SIP/2.0\r\nContact: <sip:alice@127.0.0.1:40000;transport=udp>\r\n"
    "WWW-Authenticate: Digest realm=\"127.0.0.1\", nonce=\"axdSu2sXUY9Py08s\", qop=\"auth\"\r\n"
    "a=fingerprint:sha-256 4A:AD:B9:B1:3F:82:18:3B:54:02:12:DF:3E:5D:49:6B:19:E5:7C:AB\r\n"
    "a=zrtp-hash:1.10 fe30efd02423cb054e50efd0248742ac7a52c8f91bc2df881ae642c371ba46df\r\n",
    NULL },
  /* A malformed message need not be UTF-8. */
  { "not-utf8",
    "\xff\xfe garbage a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:WVNfX19zZW1jdGwgKCkgewkyMjA7 \xc3",
    "\xff\xfe garbage a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:[redacted] \xc3" },
};

static void
test_redact (gconstpointer data)
{
  const Case *c = data;
  g_autofree char *redacted = belfry_log_redact (c->line);

  g_assert_cmpstr (redacted, ==, c->redacted ? c->redacted : c->line);
}

static GString *written;

static GLogWriterOutput
record_writer (GLogLevelFlags   level,
               const GLogField *fields,
               gsize            n_fields,
               gpointer         user_data)
{
  for (gsize i = 0; i < n_fields; i++) {
    if (g_strcmp0 (fields[i].key, "MESSAGE") == 0)
      g_string_append_printf (written, "%s\n", (const char *) fields[i].value);
  }
  return G_LOG_WRITER_HANDLED;
}

/* What belle-sip, oRTP and mediastreamer2 log goes through the same scan on
 * its way into GLib's log. */
static void
test_library_lines (void)
{
  written = g_string_new (NULL);
  g_log_set_writer_func (record_writer, NULL, NULL);
  belfry_sip_init ();

  bctbx_log ("belle-sip", BCTBX_LOG_WARNING, "message sent to [udp://127.0.0.1:5060]\n%s",
             "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9");
  bctbx_log ("mediastreamer", BCTBX_LOG_WARNING, "media_stream_set_srtp_send_key(): key %02x..%02x",
             0x5e, 0x97);

  g_assert_nonnull (strstr (written->str, "message sent to [udp://127.0.0.1:5060]"));
  g_assert_nonnull (strstr (written->str, "inline:[redacted]"));
  g_assert_nonnull (strstr (written->str, "key [redacted]"));
  g_assert_null (strstr (written->str, "WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9"));
  g_assert_null (strstr (written->str, "5e..97"));
  g_string_free (written, TRUE);
}

int
main (int   argc,
      char *argv[])
{
  belfry_test_init (&argc, &argv);

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++) {
    g_autofree char *path = g_strdup_printf ("/belfry/log/redact/%s", cases[i].name);

    g_test_add_data_func (path, &cases[i], test_redact);
  }
  g_test_add_func ("/belfry/log/library-lines", test_library_lines);

  return g_test_run ();
}
