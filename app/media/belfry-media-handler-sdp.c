/* SPDX-License-Identifier: GPL-3.0-or-later */

#define G_LOG_DOMAIN "belfry-media"

#include "config.h"

#include "belfry-media-engine-private.h"
#include "belfry-media-error.h"
#include "belfry-media-handler-private.h"
#include "belfry-sip-error.h"

#include <belle-sip/belle-sip.h>

#include <string.h>
#include <sys/random.h>

/* BelfryMediaHandler's SDP offer/answer (RFC 3264) with belle-sdp: what
 * each side offered and answered, reduced to an Agreement for the stream,
 * and SDES keys (RFC 4568). */

typedef struct {
  const char *name;
  MSCryptoSuite suite;
} CryptoSuite;

/* The suites we offer, best first, with the tag each gets in our offers. */
static const CryptoSuite crypto_suites[] = {
  { "AES_CM_128_HMAC_SHA1_80", MS_AES_128_SHA1_80 },
  { "AES_CM_128_HMAC_SHA1_32", MS_AES_128_SHA1_32 },
};

/* ---- Agreements ---- */

void
belfry_media_handler_agreement_clear (Agreement *agreement)
{
  g_clear_pointer (&agreement->remote_address, g_free);
  g_clear_pointer (&agreement->remote_key, g_free);
  *agreement = (Agreement) { .dtmf_send_pt = -1, .dtmf_recv_pt = -1,
                             .srtp_suite = MS_CRYPTO_SUITE_INVALID };
}

void
belfry_media_handler_agreement_copy (Agreement       *dest,
                                     const Agreement *src)
{
  g_autofree char *old_address = dest->remote_address;
  g_autofree char *old_key = dest->remote_key;

  *dest = *src;
  dest->remote_address = g_strdup (src->remote_address);
  dest->remote_key = g_strdup (src->remote_key);
}

/* Whether the stream must be made again: everything but the directions. */
gboolean
belfry_media_handler_agreement_same_stream (const Agreement *a,
                                            const Agreement *b)
{
  return a->codec == b->codec &&
         a->send_pt == b->send_pt &&
         a->recv_pt == b->recv_pt &&
         a->dtmf_send_pt == b->dtmf_send_pt &&
         a->dtmf_recv_pt == b->dtmf_recv_pt &&
         g_strcmp0 (a->remote_address, b->remote_address) == 0 &&
         a->remote_port == b->remote_port &&
         a->remote_rtcp_port == b->remote_rtcp_port &&
         a->srtp_suite == b->srtp_suite &&
         g_strcmp0 (a->remote_key, b->remote_key) == 0;
}

gboolean
belfry_media_handler_agreement_sends (const Agreement *agreement)
{
  /* No RTP from us while either side holds: ours is local_hold, the
   * peer's shows as a direction that does not receive. */
  return agreement->codec != NULL &&
         !agreement->local_hold &&
         SENDS (agreement->local_direction) &&
         RECEIVES (agreement->remote_direction);
}

/* Whether RTP must come from the peer: an agreed stream that neither side
 * holds, so that its silence means something is wrong. */
gboolean
belfry_media_handler_agreement_expects_rtp (const Agreement *agreement)
{
  return agreement->codec != NULL &&
         !agreement->local_hold &&
         agreement->local_direction == DIRECTION_SENDRECV &&
         agreement->remote_direction == DIRECTION_SENDRECV;
}

/* ---- SRTP (SDES) ---- */

static const CryptoSuite *
crypto_suite_by_name (const char *name)
{
  for (guint i = 0; i < G_N_ELEMENTS (crypto_suites); i++) {
    if (g_ascii_strcasecmp (crypto_suites[i].name, name) == 0)
      return &crypto_suites[i];
  }
  return NULL;
}

const char *
belfry_media_handler_crypto_suite_name (MSCryptoSuite suite)
{
  for (guint i = 0; i < G_N_ELEMENTS (crypto_suites); i++) {
    if (crypto_suites[i].suite == suite)
      return crypto_suites[i].name;
  }
  return NULL;
}

/* SDES sends keys in the SDP: only over TLS, unless the user allows it. */
static gboolean
srtp_allowed (BelfryMediaHandler *self)
{
  return self->secure_signaling || belfry_media_handler_get_allow_srtp_without_tls (self);
}

static BelfryMediaSrtp
srtp_mode (BelfryMediaHandler *self)
{
  return belfry_media_handler_get_srtp (self);
}

/* Our key, from the kernel's cryptographically secure generator. */
static const char *
ensure_local_key (BelfryMediaHandler  *self,
                  GError             **error)
{
  guint8 key[SRTP_KEY_BYTES];
  gsize done = 0;

  if (self->local_key != NULL)
    return self->local_key;

  while (done < sizeof key) {
    ssize_t n = getrandom (key + done, sizeof key - done, 0);

    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0) {
      g_set_error (error, BELFRY_MEDIA_ERROR, BELFRY_MEDIA_ERROR_FAILED,
                   "No random bytes for an SRTP key: %s", g_strerror (errno));
      return NULL;
    }
    done += (gsize) n;
  }
  self->local_key = g_base64_encode (key, sizeof key);
  memset (key, 0, sizeof key);
  return self->local_key;
}

/* The first a=crypto of @md (RFC 4568 section 9.1) that names a suite we
 * run, and, when @tags_offered, one of the tags we offered with its suite.
 * Key parameters with an MKI, several keys, or session parameters are
 * skipped: mediastreamer2 takes one plain inline key. */
static gboolean
read_crypto (belle_sdp_media_description_t *md,
             gboolean                       tags_offered,
             Agreement                     *agreement)
{
  belle_sip_list_t *attributes = belle_sdp_media_description_find_attributes_with_name (md, "crypto");
  gboolean found = FALSE;

  for (belle_sip_list_t *l = attributes; l != NULL && !found; l = l->next) {
    const char *value = belle_sdp_attribute_get_value (l->data);
    g_auto (GStrv) fields = value != NULL ? g_strsplit_set (value, " \t", -1) : NULL;
    g_auto (GStrv) key_parts = NULL;
    g_autofree guchar *key = NULL;
    const CryptoSuite *suite;
    gsize key_length = 0;
    char *end = NULL;
    long tag;

    if (fields == NULL || g_strv_length (fields) != 3)
      continue;
    tag = strtol (fields[0], &end, 10);
    suite = crypto_suite_by_name (fields[1]);
    if (end == fields[0] || *end != '\0' || tag < 0 || tag > 999999999 || suite == NULL ||
        !g_str_has_prefix (fields[2], "inline:"))
      continue;
    if (tags_offered && (tag < 1 || tag > (long) G_N_ELEMENTS (crypto_suites) ||
                         crypto_suites[tag - 1].suite != suite->suite))
      continue;

    /* inline:KEY|LIFETIME|MKI:LENGTH; a lifetime is fine, an MKI is not. */
    key_parts = g_strsplit (fields[2] + strlen ("inline:"), "|", -1);
    if (key_parts[0] == NULL || (key_parts[1] != NULL && (strchr (key_parts[1], ':') != NULL ||
                                                          key_parts[2] != NULL)))
      continue;
    key = g_base64_decode (key_parts[0], &key_length);
    if (key_length != SRTP_KEY_BYTES)
      continue;

    agreement->srtp_suite = suite->suite;
    agreement->crypto_tag = (int) tag;
    g_free (agreement->remote_key);
    agreement->remote_key = g_strdup (key_parts[0]);
    found = TRUE;
  }
  belle_sip_list_free_with_data (attributes, belle_sip_object_unref);
  return found;
}

static void
add_crypto (belle_sdp_media_description_t *md,
            int                            tag,
            MSCryptoSuite                  suite,
            const char                    *key)
{
  g_autofree char *value = g_strdup_printf ("%d %s inline:%s", tag, belfry_media_handler_crypto_suite_name (suite), key);

  belle_sdp_media_description_add_attribute (md, belle_sdp_attribute_create ("crypto", value));
}

/* ---- SDP helpers ---- */

static const char *
direction_to_string (Direction direction)
{
  switch (direction) {
  case DIRECTION_SENDONLY:
    return "sendonly";
  case DIRECTION_RECVONLY:
    return "recvonly";
  case DIRECTION_INACTIVE:
    return "inactive";
  case DIRECTION_SENDRECV:
  default:
    return "sendrecv";
  }
}

static gboolean
find_direction (belle_sip_list_t *attributes,
                Direction        *direction)
{
  for (belle_sip_list_t *l = attributes; l != NULL; l = l->next) {
    const char *name = belle_sdp_attribute_get_name (l->data);

    if (g_strcmp0 (name, "sendrecv") == 0)
      *direction = DIRECTION_SENDRECV;
    else if (g_strcmp0 (name, "sendonly") == 0)
      *direction = DIRECTION_SENDONLY;
    else if (g_strcmp0 (name, "recvonly") == 0)
      *direction = DIRECTION_RECVONLY;
    else if (g_strcmp0 (name, "inactive") == 0)
      *direction = DIRECTION_INACTIVE;
    else
      continue;
    return TRUE;
  }
  return FALSE;
}

/* A media-level direction wins over the session's; sendrecv is the default. */
static Direction
media_direction (belle_sdp_session_description_t *sd,
                 belle_sdp_media_description_t   *md)
{
  Direction direction = DIRECTION_SENDRECV;

  if (!find_direction (belle_sdp_media_description_get_attributes (md), &direction))
    find_direction (belle_sdp_session_description_get_attributes (sd), &direction);
  return direction;
}

static gboolean
is_wildcard (const char *address)
{
  return address == NULL || g_str_equal (address, "0.0.0.0") || g_str_equal (address, "::");
}

/* The address to write in c= and o=: the bind address, or when that is a
 * wildcard the one the kernel would send to @peer from. Connecting a UDP
 * socket sends nothing. */
static char *
guess_local_address (BelfryMediaHandler *self,
                     const char         *peer)
{
  const char *bind = belfry_media_engine_get_bind_address (self->engine);
  g_autoptr (GInetAddress) target = NULL;
  g_autoptr (GSocketAddress) target_address = NULL;
  g_autoptr (GSocketAddress) local = NULL;
  g_autoptr (GSocket) socket = NULL;

  if (!is_wildcard (bind))
    return g_strdup (bind);

  /* 192.0.2.1 (TEST-NET-1) stands for "anywhere" when no peer is known. */
  target = g_inet_address_new_from_string (peer != NULL && !is_wildcard (peer) ? peer : "192.0.2.1");
  if (target == NULL)
    return g_strdup ("127.0.0.1");

  socket = g_socket_new (g_inet_address_get_family (target), G_SOCKET_TYPE_DATAGRAM,
                         G_SOCKET_PROTOCOL_UDP, NULL);
  target_address = g_inet_socket_address_new (target, 9);
  if (socket == NULL || !g_socket_connect (socket, target_address, NULL, NULL) ||
      (local = g_socket_get_local_address (socket, NULL)) == NULL)
    return g_strdup ("127.0.0.1");

  return g_inet_address_to_string (g_inet_socket_address_get_address (G_INET_SOCKET_ADDRESS (local)));
}

static const char *
address_type (const char *address)
{
  return strchr (address, ':') != NULL ? "IP6" : "IP4";
}

static belle_sdp_session_description_t *
new_session_description (BelfryMediaHandler *self,
                         const char         *local_address)
{
  belle_sdp_session_description_t *sd = belle_sdp_session_description_new ();

  belle_sip_object_ref (sd);
  belle_sdp_session_description_set_version (sd, belle_sdp_version_create (0));
  belle_sdp_session_description_set_origin (sd, belle_sdp_origin_create (
    "belfry", self->sdp_session_id, ++self->sdp_version, "IN", address_type (local_address),
    local_address));
  belle_sdp_session_description_set_session_name (sd, belle_sdp_session_name_create ("Belfry"));
  belle_sdp_session_description_set_connection (sd, belle_sdp_connection_create (
    "IN", address_type (local_address), local_address));
  belle_sdp_session_description_set_time_description (sd, belle_sdp_time_description_create (0, 0));
  return sd;
}

static void
append_payload (belle_sdp_media_description_t *md,
                const char                    *name,
                int                            pt,
                int                            clock_rate,
                int                            channels,
                const char                    *fmtp)
{
  belle_sdp_mime_parameter_t *mime = belle_sdp_mime_parameter_create (name, pt, clock_rate, channels);

  belle_sip_object_ref (mime);
  if (fmtp != NULL)
    belle_sdp_mime_parameter_set_parameters (mime, fmtp);
  belle_sdp_media_description_append_values_from_mime_parameter (md, mime);
  belle_sip_object_unref (mime);
}

static void
append_common_attributes (BelfryMediaHandler            *self,
                          belle_sdp_media_description_t *md,
                          Direction                      direction)
{
  /* RFC 3605: mediastreamer2 picks the RTCP port apart from the RTP one. */
  if (self->local_rtcp_port != self->local_rtp_port + 1) {
    g_autofree char *rtcp = g_strdup_printf ("%d", self->local_rtcp_port);

    belle_sdp_media_description_add_attribute (md, belle_sdp_attribute_create ("rtcp", rtcp));
  }
  belle_sdp_media_description_add_attribute (md, belle_sdp_attribute_create (
    direction_to_string (direction), NULL));
}

static char *
session_description_to_string (belle_sdp_session_description_t *sd)
{
  char *text = belle_sip_object_to_string (sd);
  char *result = g_strdup (text);

  belle_sip_free (text);
  return result;
}

/* ---- Reading the peer's descriptions ---- */

static int
rtcp_port_of (belle_sdp_media_description_t *md,
              int                            rtp_port)
{
  /* a=rtcp:PORT [IN IP4 ADDRESS] (RFC 3605); belle-sdp keeps its value as
   * text, and only the leading port matters here. */
  const char *value = belle_sdp_media_description_get_attribute_value (md, "rtcp");
  long port;
  char *end = NULL;

  if (value == NULL)
    return rtp_port + 1;

  port = strtol (value, &end, 10);
  return end != value && port > 0 && port < 65536 ? (int) port : rtp_port + 1;
}

/* Audio over RTP/AVP or RTP/SAVP (RFC 3711), with a port. */
static gboolean
is_audio_rtp (belle_sdp_media_description_t *md,
              gboolean                      *savp)
{
  belle_sdp_media_t *media = belle_sdp_media_description_get_media (md);
  const char *protocol = belle_sdp_media_get_protocol (media);

  *savp = g_ascii_strcasecmp (protocol ?: "", "RTP/SAVP") == 0;
  return g_strcmp0 (belle_sdp_media_get_media_type (media), "audio") == 0 &&
         (*savp || g_ascii_strcasecmp (protocol ?: "", "RTP/AVP") == 0) &&
         belle_sdp_media_get_media_port (media) > 0;
}

static belle_sdp_connection_t *
connection_of (belle_sdp_session_description_t *sd,
               belle_sdp_media_description_t   *md)
{
  belle_sdp_connection_t *connection = belle_sdp_media_description_get_connection (md);

  return connection != NULL ? connection : belle_sdp_session_description_get_connection (sd);
}

/* Fills @agreement from one audio m-line of the peer: its address, port,
 * direction, and the first of its codecs that @usable holds, with the
 * telephone-event of the same clock. */
static gboolean
read_media (belle_sdp_session_description_t *sd,
            belle_sdp_media_description_t   *md,
            GPtrArray                       *usable,
            gboolean                         telephone_event,
            Agreement                       *agreement)
{
  belle_sdp_media_t *media = belle_sdp_media_description_get_media (md);
  belle_sdp_connection_t *connection = connection_of (sd, md);
  belle_sip_list_t *mimes;
  const char *address;

  if (connection == NULL || (address = belle_sdp_connection_get_address (connection)) == NULL)
    return FALSE;

  belfry_media_handler_agreement_clear (agreement);
  mimes = belle_sdp_media_description_build_mime_parameters (md);
  for (belle_sip_list_t *l = mimes; l != NULL && agreement->codec == NULL; l = l->next) {
    const BelfryMediaCodec *codec = belfry_media_codec_find (
      belle_sdp_mime_parameter_get_type (l->data), belle_sdp_mime_parameter_get_rate (l->data),
      belle_sdp_mime_parameter_get_channel_count (l->data));

    if (codec != NULL && g_ptr_array_find (usable, codec, NULL)) {
      agreement->codec = codec;
      agreement->send_pt = belle_sdp_mime_parameter_get_media_format (l->data);
    }
  }
  for (belle_sip_list_t *l = mimes; l != NULL && agreement->codec != NULL && telephone_event;
       l = l->next) {
    if (g_ascii_strcasecmp (belle_sdp_mime_parameter_get_type (l->data) ?: "", "telephone-event") == 0 &&
        belle_sdp_mime_parameter_get_rate (l->data) == agreement->codec->clock_rate) {
      agreement->dtmf_send_pt = belle_sdp_mime_parameter_get_media_format (l->data);
      break;
    }
  }
  belle_sip_list_free_with_data (mimes, belle_sip_object_unref);

  if (agreement->codec == NULL)
    return FALSE;

  agreement->remote_address = g_strdup (address);
  agreement->remote_port = belle_sdp_media_get_media_port (media);
  agreement->remote_rtcp_port = rtcp_port_of (md, agreement->remote_port);
  agreement->remote_direction = media_direction (sd, md);
  /* RFC 2543 hold: c=0.0.0.0 means "send me nothing". */
  if (is_wildcard (address))
    agreement->remote_direction &= ~DIRECTION_RECVONLY;
  return TRUE;
}

static belle_sdp_session_description_t *
parse_sdp (const char  *content_type,
           const char  *body,
           GError     **error)
{
  belle_sdp_session_description_t *sd;

  if (g_ascii_strcasecmp (content_type, CONTENT_TYPE) != 0) {
    g_set_error (error, BELFRY_SIP_ERROR, BELFRY_SIP_ERROR_NOT_ACCEPTABLE,
                 "Cannot use a body of type %s", content_type);
    return NULL;
  }

  sd = belle_sdp_session_description_parse (body);
  if (sd == NULL) {
    g_set_error_literal (error, BELFRY_SIP_ERROR, BELFRY_SIP_ERROR_NOT_ACCEPTABLE,
                         "The session description cannot be parsed");
    return NULL;
  }
  belle_sip_object_ref (sd);
  return sd;
}

gboolean
belfry_media_handler_take_offer (BelfryMediaHandler  *self,
                                 const char          *content_type,
                                 const char          *body,
                                 GError             **error)
{
  belle_sdp_session_description_t *sd = parse_sdp (content_type, body, error);
  g_autoptr (GPtrArray) usable = NULL;
  Agreement agreement = { .dtmf_send_pt = -1, .dtmf_recv_pt = -1,
                          .srtp_suite = MS_CRYPTO_SUITE_INVALID };
  gboolean telephone_event = belfry_media_engine_get_telephone_event (self->engine);
  BelfryMediaSrtp mode = srtp_mode (self);
  gboolean take_keys = mode != BELFRY_MEDIA_SRTP_OFF && srtp_allowed (self);
  gboolean audio_seen = FALSE, crypto_missing = FALSE;
  guint index = 0;

  if (sd == NULL)
    return FALSE;

  usable = belfry_media_engine_list_codecs (self->engine);
  for (belle_sip_list_t *l = belle_sdp_session_description_get_media_descriptions (sd);
       l != NULL; l = l->next, index++) {
    gboolean savp;

    if (!is_audio_rtp (l->data, &savp))
      continue;
    audio_seen = TRUE;
    if (!read_media (sd, l->data, usable, telephone_event, &agreement))
      continue;
    if (take_keys)
      read_crypto (l->data, FALSE, &agreement);
    /* RTP/SAVP needs keys we can take; so does our mandatory SRTP. */
    if (agreement.srtp_suite == MS_CRYPTO_SUITE_INVALID &&
        (savp || mode == BELFRY_MEDIA_SRTP_MANDATORY)) {
      crypto_missing = TRUE;
      belfry_media_handler_agreement_clear (&agreement);
      continue;
    }
    break;
  }

  if (agreement.codec == NULL) {
    const char *reason = !audio_seen ? "The offer has no RTP audio stream" :
                         !crypto_missing ? "No codec in common with the offer" :
                         mode == BELFRY_MEDIA_SRTP_MANDATORY && !srtp_allowed (self) ?
                           "Encrypted audio needs a secure (TLS) connection to the other side" :
                         mode == BELFRY_MEDIA_SRTP_MANDATORY ?
                           "The other side does not offer encrypted audio" :
                         mode == BELFRY_MEDIA_SRTP_OFF ?
                           "The other side wants encrypted audio, which is turned off" :
                           "The other side wants encrypted audio without keys Belfry can use";

    g_set_error_literal (error, BELFRY_SIP_ERROR, BELFRY_SIP_ERROR_NOT_ACCEPTABLE, reason);
    belfry_media_handler_agreement_clear (&agreement);
    belle_sip_object_unref (sd);
    return FALSE;
  }
  if (agreement.srtp_suite != MS_CRYPTO_SUITE_INVALID && ensure_local_key (self, error) == NULL) {
    belfry_media_handler_agreement_clear (&agreement);
    belle_sip_object_unref (sd);
    return FALSE;
  }

  /* RFC 3264 section 6.1: the answer uses the offer's numbers. */
  agreement.recv_pt = agreement.send_pt;
  agreement.dtmf_recv_pt = agreement.dtmf_send_pt;

  g_clear_pointer (&self->remote_offer, belle_sip_object_unref);
  self->remote_offer = sd;
  self->remote_offer_index = index;
  belfry_media_handler_agreement_copy (&self->remote_offer_agreement, &agreement);
  belfry_media_handler_agreement_clear (&agreement);
  return TRUE;
}

gboolean
belfry_media_handler_take_answer (BelfryMediaHandler  *self,
                                  const char          *content_type,
                                  const char          *body,
                                  gboolean             provisional,
                                  GError             **error)
{
  g_autoptr (GError) local_error = NULL;
  belle_sdp_session_description_t *sd = parse_sdp (content_type, body, error);
  Agreement agreement = { .dtmf_send_pt = -1, .dtmf_recv_pt = -1,
                          .srtp_suite = MS_CRYPTO_SUITE_INVALID };
  gboolean ok;

  if (sd == NULL)
    return FALSE;

  /* Our offer had one m-line: its answer is the first. */
  for (belle_sip_list_t *l = belle_sdp_session_description_get_media_descriptions (sd);
       l != NULL; l = l->next) {
    gboolean savp;

    if (is_audio_rtp (l->data, &savp) &&
        read_media (sd, l->data, self->offer_codecs,
                    belfry_media_engine_get_telephone_event (self->engine), &agreement) &&
        self->offer_srtp)
      read_crypto (l->data, TRUE, &agreement);
    break;
  }
  belle_sip_object_unref (sd);

  if (agreement.codec == NULL) {
    g_set_error_literal (error, BELFRY_SIP_ERROR, BELFRY_SIP_ERROR_NOT_ACCEPTABLE,
                         "The answer refuses our audio or names no codec we offered");
    return FALSE;
  }
  if (agreement.srtp_suite == MS_CRYPTO_SUITE_INVALID &&
      self->offer_srtp_mode == BELFRY_MEDIA_SRTP_MANDATORY) {
    g_set_error_literal (error, BELFRY_SIP_ERROR, BELFRY_SIP_ERROR_NOT_ACCEPTABLE,
                         "The other side does not offer encrypted audio");
    belfry_media_handler_agreement_clear (&agreement);
    return FALSE;
  }

  agreement.recv_pt = belfry_media_codec_get_local_pt (agreement.codec);
  if (agreement.dtmf_send_pt >= 0)
    agreement.dtmf_recv_pt = agreement.codec->clock_rate == 48000 ?
                               BELFRY_MEDIA_TELEPHONE_EVENT_PT_48000 :
                               BELFRY_MEDIA_TELEPHONE_EVENT_PT_8000;
  agreement.local_direction = self->offer_direction;
  agreement.local_hold = self->offer_hold;

  /* Early media plays this answer until the final one comes. */
  if (!provisional) {
    self->offer_pending = FALSE;
    g_clear_pointer (&self->offer_codecs, g_ptr_array_unref);
  }

  ok = belfry_media_handler_agree (self, &agreement, error);
  belfry_media_handler_agreement_clear (&agreement);
  return ok;
}

/* ---- Writing ours ---- */

char *
belfry_media_handler_make_offer (BelfryMediaHandler  *self,
                                 GError             **error)
{
  g_autoptr (GPtrArray) usable = belfry_media_engine_list_codecs (self->engine);
  g_autofree char *local_address = NULL;
  belle_sdp_session_description_t *sd;
  belle_sdp_media_description_t *md;
  gboolean clock_8000 = FALSE, clock_48000 = FALSE;
  gboolean telephone_event = belfry_media_engine_get_telephone_event (self->engine);
  BelfryMediaSrtp mode = srtp_mode (self);
  gboolean with_keys = FALSE;
  gboolean peer_holds;
  char *text;

  if (usable->len == 0) {
    g_set_error_literal (error, BELFRY_MEDIA_ERROR, BELFRY_MEDIA_ERROR_FAILED,
                         "No codec of the preference list can be used");
    return NULL;
  }

  if (mode != BELFRY_MEDIA_SRTP_OFF) {
    if (srtp_allowed (self)) {
      if (ensure_local_key (self, error) == NULL)
        return NULL;
      with_keys = TRUE;
    } else if (mode == BELFRY_MEDIA_SRTP_MANDATORY) {
      g_set_error_literal (error, BELFRY_SIP_ERROR, BELFRY_SIP_ERROR_NOT_ACCEPTABLE,
                           "Encrypted audio needs a secure (TLS) connection to the other side");
      return NULL;
    }
  }

  if (!belfry_media_handler_ensure_stream (self, error))
    return NULL;

  local_address = guess_local_address (self, self->has_agreement ? self->agreed.remote_address : NULL);
  sd = new_session_description (self, local_address);
  md = belle_sdp_media_description_create ("audio", self->local_rtp_port, 1,
                                           mode == BELFRY_MEDIA_SRTP_MANDATORY && with_keys ?
                                             "RTP/SAVP" : "RTP/AVP",
                                           NULL);

  for (guint i = 0; i < usable->len; i++) {
    const BelfryMediaCodec *codec = usable->pdata[i];

    append_payload (md, codec->name, belfry_media_codec_get_local_pt (codec), codec->clock_rate,
                    codec->channels, codec->fmtp);
    clock_8000 |= codec->clock_rate == 8000;
    clock_48000 |= codec->clock_rate == 48000;
  }
  if (clock_8000 && telephone_event)
    append_payload (md, "telephone-event", BELFRY_MEDIA_TELEPHONE_EVENT_PT_8000, 8000, 1, "0-15");
  if (clock_48000 && telephone_event)
    append_payload (md, "telephone-event", BELFRY_MEDIA_TELEPHONE_EVENT_PT_48000, 48000, 1, "0-15");
  /* One key for all suites: only one of them is ever used. */
  for (guint i = 0; with_keys && i < G_N_ELEMENTS (crypto_suites); i++)
    add_crypto (md, (int) i + 1, crypto_suites[i].suite, self->local_key);

  peer_holds = self->has_agreement && self->agreed.codec != NULL &&
               !RECEIVES (self->agreed.remote_direction);
  self->offer_hold = self->local_hold;
  self->offer_direction = !self->local_hold ? DIRECTION_SENDRECV :
                          peer_holds ? DIRECTION_INACTIVE : DIRECTION_SENDONLY;
  append_common_attributes (self, md, self->offer_direction);
  belle_sdp_session_description_add_media_description (sd, md);

  g_clear_pointer (&self->offer_codecs, g_ptr_array_unref);
  self->offer_codecs = g_steal_pointer (&usable);
  self->offer_pending = TRUE;
  self->offer_srtp = with_keys;
  self->offer_srtp_mode = mode;

  text = session_description_to_string (sd);
  belle_sip_object_unref (sd);
  return text;
}

static belle_sdp_media_description_t *
refused_media (belle_sdp_media_description_t *offered)
{
  belle_sdp_media_t *media = belle_sdp_media_description_get_media (offered);
  belle_sdp_media_description_t *md = belle_sdp_media_description_create (
    belle_sdp_media_get_media_type (media), 0, 1, belle_sdp_media_get_protocol (media), NULL);

  belle_sdp_media_set_media_formats (belle_sdp_media_description_get_media (md),
                                     belle_sip_list_copy (belle_sdp_media_get_media_formats (media)));
  return md;
}

char *
belfry_media_handler_make_answer (BelfryMediaHandler  *self,
                                  GError             **error)
{
  Agreement *agreement = &self->remote_offer_agreement;
  g_autofree char *local_address = NULL;
  belle_sdp_session_description_t *sd;
  guint index = 0;
  char *text;

  if (!belfry_media_handler_ensure_stream (self, error))
    return NULL;

  /* What we do is what the peer lets us (RFC 3264 section 6.1), less
   * receiving while we hold. */
  agreement->local_hold = self->local_hold;
  agreement->local_direction =
    (RECEIVES (agreement->remote_direction) ? DIRECTION_SENDONLY : 0) |
    (SENDS (agreement->remote_direction) && !self->local_hold ? DIRECTION_RECVONLY : 0);

  local_address = guess_local_address (self, agreement->remote_address);
  sd = new_session_description (self, local_address);

  for (belle_sip_list_t *l = belle_sdp_session_description_get_media_descriptions (self->remote_offer);
       l != NULL; l = l->next, index++) {
    belle_sdp_media_description_t *md;

    if (index != self->remote_offer_index) {
      md = refused_media (l->data);
    } else {
      const BelfryMediaCodec *codec = agreement->codec;

      md = belle_sdp_media_description_create ("audio", self->local_rtp_port, 1,
                                               belle_sdp_media_get_protocol (
                                                 belle_sdp_media_description_get_media (l->data)),
                                               NULL);
      append_payload (md, codec->name, agreement->recv_pt, codec->clock_rate, codec->channels,
                      codec->fmtp);
      if (agreement->dtmf_recv_pt >= 0)
        append_payload (md, "telephone-event", agreement->dtmf_recv_pt, codec->clock_rate, 1,
                        "0-15");
      if (agreement->srtp_suite != MS_CRYPTO_SUITE_INVALID)
        add_crypto (md, agreement->crypto_tag, agreement->srtp_suite, self->local_key);
      append_common_attributes (self, md, agreement->local_direction);
    }
    belle_sdp_session_description_add_media_description (sd, md);
  }

  text = session_description_to_string (sd);
  belle_sip_object_unref (sd);
  return text;
}

