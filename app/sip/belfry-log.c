/* SPDX-License-Identifier: GPL-3.0-or-later */

#define G_LOG_DOMAIN "belfry-log"

#include "config.h"

#include "belfry-log-private.h"

/*
 * Logs are meant to be attached to bug reports, so no line may carry a
 * secret at any level. belle-sip prints every SIP message in full and
 * mediastreamer2 prints parts of the SRTP keys it is given; belle-sip has
 * no switch to leave values out, and a log line is only text by then, so
 * the line is scanned for the forms that hold secrets and only their
 * values are replaced: the messages stay readable.
 *
 * Each alternative below is a prefix that is kept (group 2n-1) and a value
 * that is replaced (group 2n):
 *
 * - SDES (RFC 4568): `inline:KEY` of a=crypto, in any suite; a lifetime or
 *   MKI after `|` is kept, as it tells nothing about the key.
 * - MIKEY (RFC 4567): the data of a=key-mgmt, which can carry keys.
 * - Digest (RFC 7616): `response` of Authorization and Proxy-Authorization,
 *   and `rspauth` of Authentication-Info. With the nonce, cnonce, realm and
 *   user that travel beside it, a response lets anyone who reads the log
 *   try passwords offline at the speed of MD5, and replay it while the
 *   nonce lasts. The cnonce, the nonce and the rest are random or public
 *   and help to follow an authentication, so they stay.
 * - mediastreamer2's `media_stream_set_srtp_*_key(): key 5e..97`: the first
 *   and last bytes of a key are key material too.
 * - A password in a SIP URI (`sip:user:password@host`, deprecated by RFC
 *   3261 but still accepted).
 *
 * ZRTP and DTLS-SRTP, once Belfry has them, go here too: a=fingerprint and
 * a=zrtp-hash are public, but the SRTP keys they derive are not, and
 * bzrtp's and the DTLS code's lines must be checked with every log on.
 */
#define SECRETS_PATTERN \
  "(inline:)([^\\s|;\"'<>,]+)" \
  "|(\\ba=key-mgmt:\\s*\\S+\\s+)(\\S+)" \
  "|(\\b(?:response|rspauth)\\s*=\\s*)(\"[^\"]*\"?|[^\\s,;\"]+)" \
  "|(\\bkey\\s+)([0-9a-f]{2,}\\.\\.[0-9a-f]{2,})" \
  "|(\\bsips?:[^\\s:@<>\";]+:)([^\\s@<>\";]+)(?=@)"

static GRegex *
secrets_regex (void)
{
  static GRegex *regex = NULL;

  if (g_once_init_enter (&regex)) {
    g_autoptr (GError) error = NULL;
    /* Raw: a malformed message need not be UTF-8, and every form above is
     * ASCII. */
    GRegexCompileFlags flags = G_REGEX_CASELESS | G_REGEX_RAW | G_REGEX_OPTIMIZE;
    GRegex *compiled = g_regex_new (SECRETS_PATTERN, flags, 0, &error);

    g_assert_no_error (error);
    g_once_init_leave (&regex, compiled);
  }
  return regex;
}

static gboolean
replace_secret (const GMatchInfo *match,
                GString          *result,
                gpointer          user_data)
{
  int count = g_match_info_get_match_count (match);

  for (int group = 1; group + 1 < count; group += 2) {
    int start, end;
    g_autofree char *prefix = NULL;
    g_autofree char *value = NULL;

    if (!g_match_info_fetch_pos (match, group, &start, &end) || start < 0)
      continue;
    prefix = g_match_info_fetch (match, group);
    value = g_match_info_fetch (match, group + 1);
    g_string_append (result, prefix);
    /* A quoted value stays quoted, so the header still parses by eye. */
    if (value[0] == '"')
      g_string_append (result, "\"" BELFRY_LOG_REDACTED "\"");
    else
      g_string_append (result, BELFRY_LOG_REDACTED);
    break;
  }
  return FALSE;
}

/**
 * belfry_log_redact:
 * @text: a log line, possibly a whole SIP message
 *
 * Replaces the secrets that SIP and SDP text can carry (SRTP keys, digest
 * responses, passwords in URIs) by `[redacted]`, keeping the rest.
 *
 * Returns: (transfer full): the line to log
 */
char *
belfry_log_redact (const char *text)
{
  g_autoptr (GError) error = NULL;
  char *redacted;

  g_return_val_if_fail (text != NULL, NULL);

  redacted = g_regex_replace_eval (secrets_regex (), text, -1, 0, 0, replace_secret, NULL, &error);
  /* Should the scan itself fail, the line is dropped rather than risked. */
  if (redacted == NULL)
    return g_strdup_printf ("%s (%s)", BELFRY_LOG_REDACTED, error->message);
  return redacted;
}
