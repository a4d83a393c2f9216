/* SPDX-License-Identifier: GPL-3.0-or-later */

#define G_LOG_DOMAIN "belfry-media"

#include "config.h"

#include "belfry-media-engine-private.h"
#include "belfry-media-enums.h"
#include "belfry-media-error.h"
#include "belfry-media-handler.h"
#include "belfry-media-wav-private.h"
#include "belfry-sip-error.h"

#include <belle-sip/belle-sdp.h>
#include <belle-sip/belle-sip.h>
#include <gio/gio.h>
#include <mediastreamer2/mediastream.h>
#include <mediastreamer2/msfileplayer.h>
#include <mediastreamer2/msfilter.h>
#include <mediastreamer2/ms_srtp.h>
#include <mediastreamer2/mssndcard.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

/**
 * BelfryMediaHandler:
 *
 * The session description handler of one session: it makes and takes SDP
 * offers and answers (RFC 3264) with belle-sdp and runs the one audio
 * stream they agree on with mediastreamer2.
 *
 * Hold is a direction: our hold offers `a=sendonly` (`a=inactive` when the
 * peer holds us already), and we send no RTP while either side holds. The
 * stream starts once an offer and its answer are both known, and changes
 * with each new agreement. mediastreamer2 reports through a timeout on the
 * main context, so #BelfrySessionDescriptionHandler::dtmf-received,
 * #BelfryMediaHandler::failed and property notifications come there.
 *
 * SRTP is keyed by SDES (RFC 4568): each side's `a=crypto` carries the key
 * it sends with. Keys are only written or taken when
 * #BelfryMediaHandler:secure-signaling says the SDP travels over TLS, or
 * #BelfryMediaHandler:allow-srtp-without-tls allows it anyway. The SRTP
 * mode and that permission are the engine's unless set on the handler (the
 * engine sets them from its factory options, per account).
 */

enum {
  PROP_0,
  PROP_ENGINE,
  PROP_CODEC,
  PROP_LOCAL_HOLD,
  PROP_REMOTE_HOLD,
  PROP_SECURE_SIGNALING,
  PROP_SRTP_SUITE,
  PROP_MUTED,
  PROP_SRTP,
  PROP_ALLOW_SRTP_WITHOUT_TLS,
  N_PROPS
};

static GParamSpec *props[N_PROPS];

enum {
  SIGNAL_DTMF_RECEIVED,
  SIGNAL_FAILED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* A direction as written in SDP, from the writer's side. */
typedef enum {
  DIRECTION_INACTIVE = 0,
  DIRECTION_SENDONLY = 1 << 0,
  DIRECTION_RECVONLY = 1 << 1,
  DIRECTION_SENDRECV = DIRECTION_SENDONLY | DIRECTION_RECVONLY,
} Direction;

#define SENDS(direction)    (((direction) & DIRECTION_SENDONLY) != 0)
#define RECEIVES(direction) (((direction) & DIRECTION_RECVONLY) != 0)

/* What an offer and its answer settled for the audio stream. */
typedef struct {
  /* NULL when there is no audio: the m-line was refused. */
  const BelfryMediaCodec *codec;
  /* The peer's number for the codec, which we send with, and ours. */
  int send_pt;
  int recv_pt;
  /* telephone-event numbers, -1 when the peer did not take it. */
  int dtmf_send_pt;
  int dtmf_recv_pt;
  char *remote_address;
  int remote_port;
  int remote_rtcp_port;
  Direction local_direction;
  Direction remote_direction;
  gboolean local_hold;
  /* SRTP: MS_CRYPTO_SUITE_INVALID for plain RTP; the peer's key (which
   * we receive with) and the a=crypto tag the two sides agreed on. */
  MSCryptoSuite srtp_suite;
  char *remote_key;
  int crypto_tag;
} Agreement;

struct _BelfryMediaHandler {
  GObject parent_instance;

  BelfryMediaEngine *engine;

  /* o= of our descriptions. */
  guint sdp_session_id;
  guint sdp_version;

  /* The last agreement; has_agreement is FALSE before the first. */
  Agreement agreed;
  gboolean has_agreement;
  /* What local hold the next description asks for. */
  gboolean local_hold;

  /* Our offer, while its answer has not come. */
  gboolean offer_pending;
  gboolean offer_hold;
  Direction offer_direction;
  GPtrArray *offer_codecs;
  gboolean offer_srtp;
  BelfryMediaSrtp offer_srtp_mode;

  /* Whether the SDP travels over TLS; and our SDES key (base64 of 30
   * random bytes), made when first needed and kept for the session. */
  gboolean secure_signaling;
  char *local_key;

  /* SRTP mode and permission of this session, when set; otherwise the
   * engine's are read at each description. */
  gboolean srtp_set;
  BelfryMediaSrtp srtp;
  gboolean allow_srtp_set;
  gboolean allow_srtp_without_tls;

  /* The peer's offer, while we have not answered it. */
  belle_sdp_session_description_t *remote_offer;
  Agreement remote_offer_agreement;
  guint remote_offer_index;

  /* The stream, made with the first description so that its port can be
   * written in it, and started once there is an agreement. */
  AudioStream *stream;
  RtpProfile *profile;
  Agreement running;
  gboolean stream_running;
  /* The microphone is silenced; RTP goes on, carrying silence. */
  gboolean muted;
  /* A stream that starts muted sends no RTP until its silence has gone
   * through the encoder: the shared audio thread runs the new stream at
   * once, before the microphone's gain can be set to zero. */
  guint mute_settle_id;
  /* Starts the stream of an agreement we answered, once the answer left. */
  guint apply_id;
  int local_rtp_port;
  int local_rtcp_port;
  guint tick_id;
  guint64 sent_before;
  guint64 received_before;

  /* RTP inactivity: the last received count seen, and when it changed. */
  guint64 last_rtp_count;
  gint64 last_rtp_time;
  gboolean timed_out;

  GQueue dtmf_out;
  guint dtmf_send_id;
  GString *dtmf_in;
  gconstpointer last_dtmf_packet;
  ortpTimeSpec last_dtmf_time;

  gboolean closed;
};

static void sdh_iface_init (BelfrySessionDescriptionHandlerInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (BelfryMediaHandler, belfry_media_handler, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (BELFRY_TYPE_SESSION_DESCRIPTION_HANDLER,
                                                      sdh_iface_init))

#define DTMF_DIGITS     "0123456789*#ABCD"
#define DTMF_GAP_MS     250
#define TICK_MS         50
#define JITTER_MS       60
#define MUTE_SETTLE_MS  60
#define CONTENT_TYPE    "application/sdp"
/* 128-bit master key and 112-bit salt (RFC 3711). */
#define SRTP_KEY_BYTES  30

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

static void
agreement_clear (Agreement *agreement)
{
  g_clear_pointer (&agreement->remote_address, g_free);
  g_clear_pointer (&agreement->remote_key, g_free);
  *agreement = (Agreement) { .dtmf_send_pt = -1, .dtmf_recv_pt = -1,
                             .srtp_suite = MS_CRYPTO_SUITE_INVALID };
}

static void
agreement_copy (Agreement       *dest,
                const Agreement *src)
{
  g_autofree char *old_address = dest->remote_address;
  g_autofree char *old_key = dest->remote_key;

  *dest = *src;
  dest->remote_address = g_strdup (src->remote_address);
  dest->remote_key = g_strdup (src->remote_key);
}

/* Whether the stream must be made again: everything but the directions. */
static gboolean
agreement_same_stream (const Agreement *a,
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

static gboolean
agreement_sends (const Agreement *agreement)
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
static gboolean
agreement_expects_rtp (const Agreement *agreement)
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

static const char *
crypto_suite_name (MSCryptoSuite suite)
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
  g_autofree char *value = g_strdup_printf ("%d %s inline:%s", tag, crypto_suite_name (suite), key);

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

/* ---- The stream ---- */

static void
on_telephone_event (const OrtpEventData *data,
                    void                *user_data)
{
  BelfryMediaHandler *self = user_data;
  int event = data->info.telephone_event;

  /* oRTP 5.1 hands the dispatcher some events twice: the same packet
   * received at the same instant is the same event. */
  if (data->packet == self->last_dtmf_packet &&
      data->ts.tv_sec == self->last_dtmf_time.tv_sec &&
      data->ts.tv_nsec == self->last_dtmf_time.tv_nsec)
    return;
  self->last_dtmf_packet = data->packet;
  self->last_dtmf_time = data->ts;

  /* Inside audio_stream_iterate(), on the main thread: only queue, so that
   * a signal handler may stop the stream safely. */
  if (event >= 0 && event < (int) strlen (DTMF_DIGITS))
    g_string_append_c (self->dtmf_in, DTMF_DIGITS[event]);
}

/* Reports a peer that sends nothing while it should, once per agreement. */
static void
check_inactivity (BelfryMediaHandler *self)
{
  guint timeout = belfry_media_engine_get_rtp_timeout (self->engine);
  gint64 now = g_get_monotonic_time ();
  g_autoptr (GError) error = NULL;
  const rtp_stats_t *stats;

  if (!self->stream_running || self->timed_out || !agreement_expects_rtp (&self->running)) {
    self->last_rtp_time = now;
    return;
  }

  stats = rtp_session_get_stats (self->stream->ms.sessions.rtp_session);
  if (stats->packet_recv != self->last_rtp_count) {
    self->last_rtp_count = stats->packet_recv;
    self->last_rtp_time = now;
    return;
  }
  if (timeout == 0 || now - self->last_rtp_time < (gint64) timeout * G_USEC_PER_SEC)
    return;

  self->timed_out = TRUE;
  error = g_error_new (BELFRY_MEDIA_ERROR, BELFRY_MEDIA_ERROR_TIMEOUT,
                       "No audio from the other side for %u s", timeout);
  g_message ("%s", error->message);
  g_signal_emit (self, signals[SIGNAL_FAILED], 0, error);
}

static gboolean
tick_cb (gpointer user_data)
{
  BelfryMediaHandler *self = user_data;
  g_autoptr (BelfryMediaHandler) guard = g_object_ref (self);
  g_autofree char *digits = NULL;

  if (self->stream != NULL)
    audio_stream_iterate (self->stream);
  belfry_media_engine_pump (self->engine);

  if (self->dtmf_in->len > 0) {
    digits = g_strdup (self->dtmf_in->str);
    g_string_truncate (self->dtmf_in, 0);
    for (const char *p = digits; *p != '\0' && !self->closed; p++)
      g_signal_emit (self, signals[SIGNAL_DTMF_RECEIVED], 0, *p);
  }

  if (!self->closed)
    check_inactivity (self);

  return G_SOURCE_CONTINUE;
}

/* The stream does not own its sessions (the ticker is the engine's):
 * they are taken back from it, then freed without the ticker, which the
 * engine stops when no other stream holds it. */
static void
destroy_stream (BelfryMediaHandler *self)
{
  MSMediaStreamSessions sessions;

  media_stream_reclaim_sessions (&self->stream->ms, &sessions);
  audio_stream_stop (g_steal_pointer (&self->stream));
  sessions.ticker = NULL;
  ms_media_stream_sessions_uninit (&sessions);
  belfry_media_engine_release_ticker (self->engine);
}

static gboolean
mute_settled_cb (gpointer user_data)
{
  BelfryMediaHandler *self = user_data;

  self->mute_settle_id = 0;
  if (self->stream_running)
    audio_stream_mute_rtp (self->stream, !agreement_sends (&self->running));
  return G_SOURCE_REMOVE;
}

static void
stop_stream (BelfryMediaHandler *self)
{
  if (self->stream == NULL)
    return;

  if (self->stream_running) {
    const rtp_stats_t *stats = rtp_session_get_stats (self->stream->ms.sessions.rtp_session);

    self->sent_before += stats->packet_sent;
    self->received_before += stats->packet_recv;
    ortp_ev_dispatcher_disconnect (self->stream->ms.evd, ORTP_EVENT_TELEPHONE_EVENT, 0,
                                   on_telephone_event);
  }

  g_clear_handle_id (&self->tick_id, g_source_remove);
  g_clear_handle_id (&self->mute_settle_id, g_source_remove);
  g_clear_handle_id (&self->dtmf_send_id, g_source_remove);
  g_queue_clear (&self->dtmf_out);

  destroy_stream (self);
  g_clear_pointer (&self->profile, rtp_profile_destroy);
  if (belfry_media_engine_get_record_file (self->engine) != NULL) {
    g_autoptr (GError) error = NULL;

    if (!belfry_media_wav_repair_header (belfry_media_engine_get_record_file (self->engine), &error))
      g_message ("Cannot correct the recording's header: %s", error->message);
  }
  self->stream_running = FALSE;
  agreement_clear (&self->running);
}

/* Binds the RTP and RTCP sockets, on the ports of before when the stream
 * is made again. */
static gboolean
ensure_stream (BelfryMediaHandler  *self,
               GError             **error)
{
  MSFactory *factory = belfry_media_engine_get_factory (self->engine);
  const char *bind = belfry_media_engine_get_bind_address (self->engine);
  MSMediaStreamSessions sessions = { 0 };
  RtpSession *session;

  if (self->stream != NULL)
    return TRUE;

  sessions.rtp_session = ms_create_duplex_rtp_session (bind,
                                                      self->local_rtp_port > 0 ? self->local_rtp_port : -1,
                                                      self->local_rtcp_port > 0 ? self->local_rtcp_port : -1,
                                                      ms_factory_get_mtu (factory));
  sessions.ticker = belfry_media_engine_hold_ticker (self->engine);
  self->stream = audio_stream_new_with_sessions (factory, &sessions);

  /* Only the parts a call uses. By default mediastreamer2 also builds a
   * call recorder (a Matroska writer with an opus encoder), a local
   * player, equalizers and in-band DTMF generators for every stream, which
   * made setting up a call several times dearer than its signaling. Mute
   * needs the send volume; the echo canceller and flow control only matter
   * between two sound cards, and audio_stream_start_full() drops the
   * canceller by itself when it is not asked for. */
  audio_stream_set_features (self->stream, AUDIO_STREAM_FEATURE_PLC | AUDIO_STREAM_FEATURE_EC |
                                           AUDIO_STREAM_FEATURE_VOL_SND |
                                           AUDIO_STREAM_FEATURE_VOL_RCV |
                                           AUDIO_STREAM_FEATURE_FLOW_CONTROL);

  session = self->stream->ms.sessions.rtp_session;
  self->local_rtp_port = rtp_session_get_local_port (session);
  self->local_rtcp_port = rtp_session_get_local_rtcp_port (session);
  if (self->local_rtp_port <= 0) {
    destroy_stream (self);
    g_set_error (error, BELFRY_MEDIA_ERROR, BELFRY_MEDIA_ERROR_STREAM,
                 "Cannot bind an RTP port on %s", bind);
    return FALSE;
  }
  return TRUE;
}

static void
add_telephone_events (RtpProfile      *profile,
                      const Agreement *agreement)
{
  int rate = agreement->codec->clock_rate;
  PayloadType *pt;

  /* RFC 4733 only with the flags: without them mediastreamer2 sends
   * digits as tones in the audio. */
  if (agreement->dtmf_recv_pt >= 0) {
    pt = belfry_media_telephone_event_new_payload_type (rate);
    payload_type_set_flag (pt, PAYLOAD_TYPE_FLAG_CAN_RECV);
    if (agreement->dtmf_send_pt == agreement->dtmf_recv_pt)
      payload_type_set_flag (pt, PAYLOAD_TYPE_FLAG_CAN_SEND);
    rtp_profile_set_payload (profile, agreement->dtmf_recv_pt, pt);
  }
  if (agreement->dtmf_send_pt >= 0 && agreement->dtmf_send_pt != agreement->dtmf_recv_pt) {
    pt = belfry_media_telephone_event_new_payload_type (rate);
    payload_type_set_flag (pt, PAYLOAD_TYPE_FLAG_CAN_SEND);
    rtp_profile_set_payload (profile, agreement->dtmf_send_pt, pt);
  }
}

static gboolean
start_stream (BelfryMediaHandler  *self,
              GError             **error)
{
  const Agreement *agreement = &self->agreed;
  const char *record_file = belfry_media_engine_get_record_file (self->engine);
  g_autofree char *play_file = NULL;
  g_autoptr (GError) file_error = NULL;
  MSSndCard *capture = NULL;
  MSSndCard *playback = NULL;
  int result;

  /* mediastreamer2's file player does not resample: the file is made to
   * match the codec's rate before the stream starts. */
  if (belfry_media_engine_get_play_file (self->engine) != NULL) {
    play_file = belfry_media_engine_prepare_play_file (self->engine, agreement->codec->sample_rate,
                                                       &file_error);
    if (play_file == NULL) {
      g_set_error (error, BELFRY_MEDIA_ERROR, BELFRY_MEDIA_ERROR_FILE,
                   "Cannot play the file: %s", file_error->message);
      return FALSE;
    }
  }

  if (!ensure_stream (self, error))
    return FALSE;

  if (agreement->srtp_suite != MS_CRYPTO_SUITE_INVALID) {
    MSMediaStreamSessions *sessions = &self->stream->ms.sessions;

    if (ms_media_stream_sessions_set_srtp_send_key_b64 (sessions, agreement->srtp_suite,
                                                        self->local_key) != 0 ||
        ms_media_stream_sessions_set_srtp_recv_key_b64 (sessions, agreement->srtp_suite,
                                                        agreement->remote_key) != 0) {
      g_set_error_literal (error, BELFRY_MEDIA_ERROR, BELFRY_MEDIA_ERROR_STREAM,
                           "The SRTP keys could not be set");
      return FALSE;
    }
    /* With keys set, everything is encrypted already; this also drops
     * plain packets that arrive. mediastreamer2 5.1 returns -1 here even
     * when it took the setting. */
    ms_media_stream_sessions_set_encryption_mandatory (sessions, TRUE);
  }

  self->profile = rtp_profile_new ("belfry");
  rtp_profile_set_payload (self->profile, agreement->recv_pt,
                           belfry_media_codec_new_payload_type (agreement->codec));
  if (agreement->send_pt != agreement->recv_pt)
    rtp_profile_set_payload (self->profile, agreement->send_pt,
                             belfry_media_codec_new_payload_type (agreement->codec));
  add_telephone_events (self->profile, agreement);

  if (agreement->codec->network_bitrate > 0)
    media_stream_set_target_network_bitrate (&self->stream->ms, agreement->codec->network_bitrate);

  if (play_file == NULL) {
    capture = belfry_media_engine_find_card (self->engine, "microphone");
    if (capture == NULL)
      g_message ("No capture sound card: nothing will be sent");
  }
  if (record_file == NULL) {
    playback = belfry_media_engine_find_card (self->engine, "speaker");
    if (playback == NULL)
      g_message ("No playback sound card: nothing will be heard");
  }

  ortp_ev_dispatcher_connect (self->stream->ms.evd, ORTP_EVENT_TELEPHONE_EVENT, 0,
                              on_telephone_event, self);

  g_debug ("starting %s/%d%s: sending pt %d to %s:%d (RTCP %d), receiving pt %d on port %d%s%s",
           agreement->codec->name, agreement->codec->clock_rate,
           agreement->srtp_suite != MS_CRYPTO_SUITE_INVALID ? " over SRTP" : "", agreement->send_pt,
           agreement->remote_address, agreement->remote_port, agreement->remote_rtcp_port,
           agreement->recv_pt, self->local_rtp_port,
           play_file != NULL ? ", playing " : "", play_file != NULL ? play_file : "");

  if (self->muted)
    audio_stream_mute_rtp (self->stream, TRUE);
  result = audio_stream_start_full (self->stream, self->profile,
                                    agreement->remote_address, agreement->remote_port,
                                    agreement->remote_address, agreement->remote_rtcp_port,
                                    agreement->send_pt, JITTER_MS,
                                    play_file, record_file, playback, capture,
                                    capture != NULL && playback != NULL);
  self->stream_running = TRUE;
  if (result != 0) {
    stop_stream (self);
    g_set_error (error, BELFRY_MEDIA_ERROR, BELFRY_MEDIA_ERROR_STREAM,
                 "The %s audio stream did not start", agreement->codec->name);
    return FALSE;
  }

  if (self->muted) {
    audio_stream_enable_mic (self->stream, FALSE);
    self->mute_settle_id = g_timeout_add (MUTE_SETTLE_MS, mute_settled_cb, self);
  }

  /* A file stands for a microphone that never runs dry. */
  if (play_file != NULL && self->stream->soundread != NULL &&
      ms_filter_get_id (self->stream->soundread) == MS_FILE_PLAYER_ID) {
    int loop_interval_ms = 0;

    ms_filter_call_method (self->stream->soundread, MS_FILE_PLAYER_LOOP, &loop_interval_ms);
  }

  agreement_copy (&self->running, agreement);
  self->tick_id = g_timeout_add (TICK_MS, tick_cb, self);
  return TRUE;
}

static void
notify_state (BelfryMediaHandler *self,
              const char         *old_codec,
              gboolean            old_local_hold,
              gboolean            old_remote_hold)
{
  if (g_strcmp0 (old_codec, belfry_media_handler_get_codec (self)) != 0)
    g_object_notify_by_pspec (G_OBJECT (self), props[PROP_CODEC]);
  if (old_local_hold != belfry_media_handler_get_local_hold (self))
    g_object_notify_by_pspec (G_OBJECT (self), props[PROP_LOCAL_HOLD]);
  if (old_remote_hold != belfry_media_handler_get_remote_hold (self))
    g_object_notify_by_pspec (G_OBJECT (self), props[PROP_REMOTE_HOLD]);
}

/* Makes the stream match self->agreed, which was just set. */
static gboolean
apply_agreement (BelfryMediaHandler  *self,
                 GError             **error)
{
  const Agreement *agreement = &self->agreed;

  if (agreement->codec == NULL) {
    stop_stream (self);
    return TRUE;
  }

  if (self->stream_running && !agreement_same_stream (&self->running, agreement))
    stop_stream (self);

  if (!self->stream_running && !start_stream (self, error))
    return FALSE;

  audio_stream_mute_rtp (self->stream, !agreement_sends (agreement) || self->mute_settle_id != 0);
  self->running.local_direction = agreement->local_direction;
  self->running.remote_direction = agreement->remote_direction;
  self->running.local_hold = agreement->local_hold;

  /* Each agreement gives the peer a full timeout to start sending. */
  self->last_rtp_count = G_MAXUINT64;
  self->last_rtp_time = g_get_monotonic_time ();
  self->timed_out = FALSE;
  return TRUE;
}

static gboolean
apply_deferred_cb (gpointer user_data)
{
  BelfryMediaHandler *self = user_data;
  g_autoptr (GError) error = NULL;

  self->apply_id = 0;
  if (self->closed || !self->has_agreement)
    return G_SOURCE_REMOVE;

  if (!apply_agreement (self, &error)) {
    g_autofree char *old_codec = g_strdup (belfry_media_handler_get_codec (self));

    agreement_clear (&self->agreed);
    notify_state (self, old_codec, self->local_hold, belfry_media_handler_get_remote_hold (self));
    g_signal_emit (self, signals[SIGNAL_FAILED], 0, error);
  }
  return G_SOURCE_REMOVE;
}

/* Takes @agreement as the new agreed state, but starts the stream only
 * after the answer has gone out: starting mediastreamer2's threads and
 * files takes milliseconds that the 200 OK should not wait for. A stream
 * that fails to start then fails the media. */
static void
agree_after_answer (BelfryMediaHandler *self,
                    const Agreement    *agreement)
{
  g_autofree char *old_codec = g_strdup (belfry_media_handler_get_codec (self));
  gboolean old_local_hold = belfry_media_handler_get_local_hold (self);
  gboolean old_remote_hold = belfry_media_handler_get_remote_hold (self);

  agreement_copy (&self->agreed, agreement);
  self->has_agreement = TRUE;
  self->local_hold = agreement->local_hold;
  notify_state (self, old_codec, old_local_hold, old_remote_hold);

  if (self->apply_id == 0)
    self->apply_id = g_idle_add_full (G_PRIORITY_DEFAULT_IDLE, apply_deferred_cb, self, NULL);
}

/* Takes @agreement as the new agreed state and runs it; a failure leaves
 * no stream, and the state says so. */
static gboolean
agree (BelfryMediaHandler  *self,
       const Agreement     *agreement,
       GError             **error)
{
  g_autofree char *old_codec = g_strdup (belfry_media_handler_get_codec (self));
  gboolean old_local_hold = belfry_media_handler_get_local_hold (self);
  gboolean old_remote_hold = belfry_media_handler_get_remote_hold (self);
  gboolean ok;

  agreement_copy (&self->agreed, agreement);
  self->has_agreement = TRUE;
  self->local_hold = agreement->local_hold;
  ok = apply_agreement (self, error);
  if (!ok)
    agreement_clear (&self->agreed);
  notify_state (self, old_codec, old_local_hold, old_remote_hold);
  return ok;
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

  agreement_clear (agreement);
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

static gboolean
take_offer (BelfryMediaHandler  *self,
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
      agreement_clear (&agreement);
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
    agreement_clear (&agreement);
    belle_sip_object_unref (sd);
    return FALSE;
  }
  if (agreement.srtp_suite != MS_CRYPTO_SUITE_INVALID && ensure_local_key (self, error) == NULL) {
    agreement_clear (&agreement);
    belle_sip_object_unref (sd);
    return FALSE;
  }

  /* RFC 3264 section 6.1: the answer uses the offer's numbers. */
  agreement.recv_pt = agreement.send_pt;
  agreement.dtmf_recv_pt = agreement.dtmf_send_pt;

  g_clear_pointer (&self->remote_offer, belle_sip_object_unref);
  self->remote_offer = sd;
  self->remote_offer_index = index;
  agreement_copy (&self->remote_offer_agreement, &agreement);
  agreement_clear (&agreement);
  return TRUE;
}

static gboolean
take_answer (BelfryMediaHandler  *self,
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
    agreement_clear (&agreement);
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

  ok = agree (self, &agreement, error);
  agreement_clear (&agreement);
  return ok;
}

/* ---- Writing ours ---- */

static char *
make_offer (BelfryMediaHandler  *self,
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

  if (!ensure_stream (self, error))
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

static char *
make_answer (BelfryMediaHandler  *self,
             GError             **error)
{
  Agreement *agreement = &self->remote_offer_agreement;
  g_autofree char *local_address = NULL;
  belle_sdp_session_description_t *sd;
  guint index = 0;
  char *text;

  if (!ensure_stream (self, error))
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

/* ---- BelfrySessionDescriptionHandler ---- */

static void
belfry_media_handler_get_description_async (BelfrySessionDescriptionHandler              *handler,
                                            const BelfrySessionDescriptionHandlerOptions *options,
                                            GCancellable                                 *cancellable,
                                            GAsyncReadyCallback                           callback,
                                            gpointer                                      user_data)
{
  BelfryMediaHandler *self = BELFRY_MEDIA_HANDLER (handler);
  g_autoptr (GTask) task = g_task_new (self, cancellable, callback, user_data);
  g_autoptr (GError) error = NULL;
  char *body;

  g_task_set_source_tag (task, belfry_media_handler_get_description_async);

  if (g_task_return_error_if_cancelled (task))
    return;

  if (self->closed) {
    g_task_return_new_error (task, BELFRY_MEDIA_ERROR, BELFRY_MEDIA_ERROR_CLOSED,
                             "The media handler is closed");
    return;
  }

  /* Without options the hold of before stays: answers to the peer's
   * re-INVITEs keep our hold. */
  if (options != NULL)
    self->local_hold = options->hold;

  if (self->remote_offer != NULL) {
    body = make_answer (self, &error);
    if (body != NULL) {
      Agreement agreement = { 0 };

      agreement_copy (&agreement, &self->remote_offer_agreement);
      g_clear_pointer (&self->remote_offer, belle_sip_object_unref);
      agreement_clear (&self->remote_offer_agreement);
      agree_after_answer (self, &agreement);
      agreement_clear (&agreement);
    }
  } else {
    body = make_offer (self, &error);
  }

  if (body == NULL) {
    g_task_return_error (task, g_steal_pointer (&error));
    return;
  }
  g_task_return_pointer (task, body, g_free);
}

static char *
belfry_media_handler_get_description_finish (BelfrySessionDescriptionHandler  *handler,
                                             GAsyncResult                     *result,
                                             char                            **content_type,
                                             GError                          **error)
{
  char *body;

  g_return_val_if_fail (g_task_is_valid (result, handler), NULL);

  body = g_task_propagate_pointer (G_TASK (result), error);
  if (content_type != NULL)
    *content_type = body != NULL ? g_strdup (CONTENT_TYPE) : NULL;
  return body;
}

static void
belfry_media_handler_set_description_async (BelfrySessionDescriptionHandler              *handler,
                                            const char                                   *content_type,
                                            const char                                   *body,
                                            const BelfrySessionDescriptionHandlerOptions *options,
                                            GCancellable                                 *cancellable,
                                            GAsyncReadyCallback                           callback,
                                            gpointer                                      user_data)
{
  BelfryMediaHandler *self = BELFRY_MEDIA_HANDLER (handler);
  g_autoptr (GTask) task = g_task_new (self, cancellable, callback, user_data);
  g_autoptr (GError) error = NULL;
  gboolean ok;

  g_task_set_source_tag (task, belfry_media_handler_set_description_async);

  if (g_task_return_error_if_cancelled (task))
    return;

  if (self->closed) {
    g_task_return_new_error (task, BELFRY_MEDIA_ERROR, BELFRY_MEDIA_ERROR_CLOSED,
                             "The media handler is closed");
    return;
  }

  if (options != NULL)
    self->local_hold = options->hold;

  if (self->offer_pending)
    ok = take_answer (self, content_type, body, options != NULL && options->provisional, &error);
  else
    ok = take_offer (self, content_type, body, &error);

  if (!ok)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_boolean (task, TRUE);
}

static gboolean
belfry_media_handler_set_description_finish (BelfrySessionDescriptionHandler  *handler,
                                             GAsyncResult                     *result,
                                             GError                          **error)
{
  g_return_val_if_fail (g_task_is_valid (result, handler), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
belfry_media_handler_rollback_description (BelfrySessionDescriptionHandler *handler)
{
  BelfryMediaHandler *self = BELFRY_MEDIA_HANDLER (handler);

  /* The stream still runs the last agreement: only what was not agreed
   * goes. */
  self->offer_pending = FALSE;
  self->offer_srtp = FALSE;
  g_clear_pointer (&self->offer_codecs, g_ptr_array_unref);
  g_clear_pointer (&self->remote_offer, belle_sip_object_unref);
  agreement_clear (&self->remote_offer_agreement);
  self->local_hold = self->has_agreement ? self->agreed.local_hold : FALSE;
}

static gboolean
send_next_digit_cb (gpointer user_data)
{
  BelfryMediaHandler *self = user_data;
  char digit;

  if (self->stream == NULL || g_queue_is_empty (&self->dtmf_out)) {
    self->dtmf_send_id = 0;
    return G_SOURCE_REMOVE;
  }

  digit = (char) GPOINTER_TO_INT (g_queue_pop_head (&self->dtmf_out));
  audio_stream_send_dtmf (self->stream, digit);
  return G_SOURCE_CONTINUE;
}

static gboolean
belfry_media_handler_send_dtmf (BelfrySessionDescriptionHandler *handler,
                                const char                      *tones)
{
  BelfryMediaHandler *self = BELFRY_MEDIA_HANDLER (handler);

  if (self->closed || !self->stream_running || self->running.dtmf_send_pt < 0)
    return FALSE;

  for (const char *p = tones; *p != '\0'; p++) {
    if (strchr (DTMF_DIGITS, g_ascii_toupper (*p)) == NULL)
      return FALSE;
  }

  for (const char *p = tones; *p != '\0'; p++)
    g_queue_push_tail (&self->dtmf_out, GINT_TO_POINTER (g_ascii_toupper (*p)));

  /* Digits go one at a time, apart, as RFC 4733 events of their own. */
  if (self->dtmf_send_id == 0 && send_next_digit_cb (self))
    self->dtmf_send_id = g_timeout_add (DTMF_GAP_MS, send_next_digit_cb, self);
  return TRUE;
}

static void
belfry_media_handler_close (BelfrySessionDescriptionHandler *handler)
{
  BelfryMediaHandler *self = BELFRY_MEDIA_HANDLER (handler);
  g_autofree char *old_codec = NULL;
  gboolean old_local_hold, old_remote_hold;

  if (self->closed)
    return;

  old_codec = g_strdup (belfry_media_handler_get_codec (self));
  old_local_hold = belfry_media_handler_get_local_hold (self);
  old_remote_hold = belfry_media_handler_get_remote_hold (self);

  self->closed = TRUE;
  g_clear_handle_id (&self->apply_id, g_source_remove);
  belfry_media_handler_rollback_description (handler);
  stop_stream (self);
  agreement_clear (&self->agreed);
  self->has_agreement = FALSE;
  self->local_hold = FALSE;
  notify_state (self, old_codec, old_local_hold, old_remote_hold);
}

static void
sdh_iface_init (BelfrySessionDescriptionHandlerInterface *iface)
{
  iface->get_description_async = belfry_media_handler_get_description_async;
  iface->get_description_finish = belfry_media_handler_get_description_finish;
  iface->set_description_async = belfry_media_handler_set_description_async;
  iface->set_description_finish = belfry_media_handler_set_description_finish;
  iface->rollback_description = belfry_media_handler_rollback_description;
  iface->send_dtmf = belfry_media_handler_send_dtmf;
  iface->close = belfry_media_handler_close;
}

/* ---- GObject ---- */

static void
belfry_media_handler_get_property (GObject    *object,
                                   guint       prop_id,
                                   GValue     *value,
                                   GParamSpec *pspec)
{
  BelfryMediaHandler *self = BELFRY_MEDIA_HANDLER (object);

  switch (prop_id) {
  case PROP_ENGINE:
    g_value_set_object (value, self->engine);
    break;
  case PROP_CODEC:
    g_value_set_string (value, belfry_media_handler_get_codec (self));
    break;
  case PROP_LOCAL_HOLD:
    g_value_set_boolean (value, belfry_media_handler_get_local_hold (self));
    break;
  case PROP_REMOTE_HOLD:
    g_value_set_boolean (value, belfry_media_handler_get_remote_hold (self));
    break;
  case PROP_SECURE_SIGNALING:
    g_value_set_boolean (value, self->secure_signaling);
    break;
  case PROP_SRTP_SUITE:
    g_value_set_string (value, belfry_media_handler_get_srtp_suite (self));
    break;
  case PROP_MUTED:
    g_value_set_boolean (value, self->muted);
    break;
  case PROP_SRTP:
    g_value_set_enum (value, belfry_media_handler_get_srtp (self));
    break;
  case PROP_ALLOW_SRTP_WITHOUT_TLS:
    g_value_set_boolean (value, belfry_media_handler_get_allow_srtp_without_tls (self));
    break;
  default:
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
  }
}

static void
belfry_media_handler_set_property (GObject      *object,
                                   guint         prop_id,
                                   const GValue *value,
                                   GParamSpec   *pspec)
{
  BelfryMediaHandler *self = BELFRY_MEDIA_HANDLER (object);

  switch (prop_id) {
  case PROP_ENGINE:
    self->engine = g_value_dup_object (value);
    break;
  case PROP_SECURE_SIGNALING:
    belfry_media_handler_set_secure_signaling (self, g_value_get_boolean (value));
    break;
  case PROP_MUTED:
    belfry_media_handler_set_muted (self, g_value_get_boolean (value));
    break;
  case PROP_SRTP:
    belfry_media_handler_set_srtp (self, g_value_get_enum (value));
    break;
  case PROP_ALLOW_SRTP_WITHOUT_TLS:
    belfry_media_handler_set_allow_srtp_without_tls (self, g_value_get_boolean (value));
    break;
  default:
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
  }
}

static void
belfry_media_handler_constructed (GObject *object)
{
  BelfryMediaHandler *self = BELFRY_MEDIA_HANDLER (object);

  G_OBJECT_CLASS (belfry_media_handler_parent_class)->constructed (object);

  g_return_if_fail (BELFRY_IS_MEDIA_ENGINE (self->engine));
}

static void
belfry_media_handler_dispose (GObject *object)
{
  BelfryMediaHandler *self = BELFRY_MEDIA_HANDLER (object);

  g_clear_handle_id (&self->apply_id, g_source_remove);
  if (self->engine != NULL)
    belfry_media_handler_close (BELFRY_SESSION_DESCRIPTION_HANDLER (self));
  g_clear_object (&self->engine);

  G_OBJECT_CLASS (belfry_media_handler_parent_class)->dispose (object);
}

static void
belfry_media_handler_finalize (GObject *object)
{
  BelfryMediaHandler *self = BELFRY_MEDIA_HANDLER (object);

  agreement_clear (&self->agreed);
  agreement_clear (&self->remote_offer_agreement);
  agreement_clear (&self->running);
  g_string_free (self->dtmf_in, TRUE);
  if (self->local_key != NULL)
    memset (self->local_key, 0, strlen (self->local_key));
  g_free (self->local_key);

  G_OBJECT_CLASS (belfry_media_handler_parent_class)->finalize (object);
}

static void
belfry_media_handler_class_init (BelfryMediaHandlerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->get_property = belfry_media_handler_get_property;
  object_class->set_property = belfry_media_handler_set_property;
  object_class->constructed = belfry_media_handler_constructed;
  object_class->dispose = belfry_media_handler_dispose;
  object_class->finalize = belfry_media_handler_finalize;

  props[PROP_ENGINE] =
    g_param_spec_object ("engine", NULL, NULL, BELFRY_TYPE_MEDIA_ENGINE,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  /**
   * BelfryMediaHandler:codec:
   *
   * The name of the codec agreed with the peer, or %NULL while there is
   * no audio.
   */
  props[PROP_CODEC] =
    g_param_spec_string ("codec", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * BelfryMediaHandler:local-hold:
   *
   * Whether we hold the call, as last agreed.
   */
  props[PROP_LOCAL_HOLD] =
    g_param_spec_boolean ("local-hold", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * BelfryMediaHandler:remote-hold:
   *
   * Whether the peer holds the call: it wants no audio from us.
   */
  props[PROP_REMOTE_HOLD] =
    g_param_spec_boolean ("remote-hold", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * BelfryMediaHandler:secure-signaling:
   *
   * Whether this session's SDP travels over TLS only (a `sips:` or
   * `transport=tls` dialog), so that SDES keys may be written in it. The
   * session sets it before the first description.
   */
  props[PROP_SECURE_SIGNALING] =
    g_param_spec_boolean ("secure-signaling", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * BelfryMediaHandler:srtp-suite:
   *
   * The SRTP suite of the running audio, such as
   * `AES_CM_128_HMAC_SHA1_80`, or %NULL for plain RTP.
   */
  props[PROP_SRTP_SUITE] =
    g_param_spec_string ("srtp-suite", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  /**
   * BelfryMediaHandler:muted:
   *
   * Whether the microphone is silenced. Nothing is signaled: the peer
   * keeps receiving RTP, with silence in it.
   */
  props[PROP_MUTED] =
    g_param_spec_boolean ("muted", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * BelfryMediaHandler:srtp:
   *
   * Whether this session encrypts its audio. Until set, it is
   * #BelfryMediaEngine:srtp, read at each description.
   */
  props[PROP_SRTP] =
    g_param_spec_enum ("srtp", NULL, NULL, BELFRY_TYPE_MEDIA_SRTP, BELFRY_MEDIA_SRTP_OFF,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * BelfryMediaHandler:allow-srtp-without-tls:
   *
   * Whether SDES keys may be written and taken in SDP that does not
   * travel over TLS. Until set, it is
   * #BelfryMediaEngine:allow-srtp-without-tls, read at each description.
   */
  props[PROP_ALLOW_SRTP_WITHOUT_TLS] =
    g_param_spec_boolean ("allow-srtp-without-tls", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, props);

  /* #BelfrySessionDescriptionHandler::dtmf-received belongs to the
   * interface; it is emitted from the stream's tick. */
  signals[SIGNAL_DTMF_RECEIVED] =
    g_signal_lookup ("dtmf-received", BELFRY_TYPE_SESSION_DESCRIPTION_HANDLER);

  /* "failed" is the session description handler interface's signal: the
   * interface must be set up before it can be looked up here. */
  g_type_default_interface_unref (g_type_default_interface_ref (BELFRY_TYPE_SESSION_DESCRIPTION_HANDLER));
  signals[SIGNAL_FAILED] = g_signal_lookup ("failed", BELFRY_TYPE_SESSION_DESCRIPTION_HANDLER);
  g_assert (signals[SIGNAL_FAILED] != 0);
}

static void
belfry_media_handler_init (BelfryMediaHandler *self)
{
  self->sdp_session_id = g_random_int_range (1, G_MAXINT32);
  self->sdp_version = g_random_int_range (1, 1 << 16);
  agreement_clear (&self->agreed);
  agreement_clear (&self->remote_offer_agreement);
  agreement_clear (&self->running);
  g_queue_init (&self->dtmf_out);
  self->dtmf_in = g_string_new (NULL);
}

/**
 * belfry_media_handler_new:
 * @engine: the engine whose codecs, address and files the handler uses
 *
 * Returns: (transfer full): a new handler, for one session
 */
BelfryMediaHandler *
belfry_media_handler_new (BelfryMediaEngine *engine)
{
  g_return_val_if_fail (BELFRY_IS_MEDIA_ENGINE (engine), NULL);

  return g_object_new (BELFRY_TYPE_MEDIA_HANDLER, "engine", engine, NULL);
}

/**
 * belfry_media_handler_get_engine:
 * @self: a handler
 *
 * Returns: (transfer none): the engine
 */
BelfryMediaEngine *
belfry_media_handler_get_engine (BelfryMediaHandler *self)
{
  g_return_val_if_fail (BELFRY_IS_MEDIA_HANDLER (self), NULL);

  return self->engine;
}

/**
 * belfry_media_handler_get_codec:
 * @self: a handler
 *
 * Returns: (nullable): the agreed codec's name, or %NULL without audio
 */
const char *
belfry_media_handler_get_codec (BelfryMediaHandler *self)
{
  g_return_val_if_fail (BELFRY_IS_MEDIA_HANDLER (self), NULL);

  return self->has_agreement && self->agreed.codec != NULL ? self->agreed.codec->name : NULL;
}

/**
 * belfry_media_handler_get_local_hold:
 * @self: a handler
 *
 * Returns: whether we hold the call, as last agreed
 */
gboolean
belfry_media_handler_get_local_hold (BelfryMediaHandler *self)
{
  g_return_val_if_fail (BELFRY_IS_MEDIA_HANDLER (self), FALSE);

  return self->has_agreement && self->agreed.codec != NULL && self->agreed.local_hold;
}

/**
 * belfry_media_handler_get_remote_hold:
 * @self: a handler
 *
 * Returns: whether the peer holds the call, as last agreed
 */
gboolean
belfry_media_handler_get_remote_hold (BelfryMediaHandler *self)
{
  g_return_val_if_fail (BELFRY_IS_MEDIA_HANDLER (self), FALSE);

  return self->has_agreement && self->agreed.codec != NULL &&
         !RECEIVES (self->agreed.remote_direction);
}

/**
 * belfry_media_handler_get_local_port:
 * @self: a handler
 *
 * Returns: the local RTP port, or 0 before the first description
 */
int
belfry_media_handler_get_local_port (BelfryMediaHandler *self)
{
  g_return_val_if_fail (BELFRY_IS_MEDIA_HANDLER (self), 0);

  return self->local_rtp_port;
}

/**
 * belfry_media_handler_get_rtp_stats:
 * @self: a handler
 * @packets_sent: (out) (optional): RTP packets sent during the session
 * @packets_received: (out) (optional): RTP packets received, RFC 4733 ones
 *   included
 *
 * Counts the packets of all the streams the session ran.
 *
 * Returns: %TRUE while a stream runs
 */
gboolean
belfry_media_handler_get_rtp_stats (BelfryMediaHandler *self,
                                    guint64            *packets_sent,
                                    guint64            *packets_received)
{
  guint64 sent, received;

  g_return_val_if_fail (BELFRY_IS_MEDIA_HANDLER (self), FALSE);

  sent = self->sent_before;
  received = self->received_before;
  if (self->stream_running) {
    const rtp_stats_t *stats = rtp_session_get_stats (self->stream->ms.sessions.rtp_session);

    sent += stats->packet_sent;
    received += stats->packet_recv;
  }

  if (packets_sent != NULL)
    *packets_sent = sent;
  if (packets_received != NULL)
    *packets_received = received;
  return self->stream_running;
}

/**
 * belfry_media_handler_get_secure_signaling:
 * @self: a handler
 *
 * Returns: whether the session's SDP travels over TLS only
 */
gboolean
belfry_media_handler_get_secure_signaling (BelfryMediaHandler *self)
{
  g_return_val_if_fail (BELFRY_IS_MEDIA_HANDLER (self), FALSE);

  return self->secure_signaling;
}

/**
 * belfry_media_handler_set_secure_signaling:
 * @self: a handler
 * @secure: whether the session's SDP travels over TLS only
 *
 * Lets SDES keys be written and taken; see #BelfryMediaHandler:secure-signaling.
 */
void
belfry_media_handler_set_secure_signaling (BelfryMediaHandler *self,
                                           gboolean            secure)
{
  g_return_if_fail (BELFRY_IS_MEDIA_HANDLER (self));

  secure = !!secure;
  if (self->secure_signaling == secure)
    return;
  self->secure_signaling = secure;
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_SECURE_SIGNALING]);
}

/**
 * belfry_media_handler_get_srtp:
 * @self: a handler
 *
 * Returns: the SRTP mode of this session: its own once set, otherwise
 *   the engine's
 */
BelfryMediaSrtp
belfry_media_handler_get_srtp (BelfryMediaHandler *self)
{
  g_return_val_if_fail (BELFRY_IS_MEDIA_HANDLER (self), BELFRY_MEDIA_SRTP_OFF);

  return self->srtp_set ? self->srtp : belfry_media_engine_get_srtp (self->engine);
}

/**
 * belfry_media_handler_set_srtp:
 * @self: a handler
 * @srtp: the SRTP mode of this session
 *
 * Gives this session an SRTP mode of its own instead of the engine's;
 * it counts from the next description.
 */
void
belfry_media_handler_set_srtp (BelfryMediaHandler *self,
                               BelfryMediaSrtp     srtp)
{
  g_return_if_fail (BELFRY_IS_MEDIA_HANDLER (self));

  if (self->srtp_set && self->srtp == srtp)
    return;
  self->srtp_set = TRUE;
  self->srtp = srtp;
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_SRTP]);
}

/**
 * belfry_media_handler_get_allow_srtp_without_tls:
 * @self: a handler
 *
 * Returns: whether SDES keys may travel in SDP that is not sent over
 *   TLS: this session's own answer once set, otherwise the engine's
 */
gboolean
belfry_media_handler_get_allow_srtp_without_tls (BelfryMediaHandler *self)
{
  g_return_val_if_fail (BELFRY_IS_MEDIA_HANDLER (self), FALSE);

  return self->allow_srtp_set ? self->allow_srtp_without_tls
                              : belfry_media_engine_get_allow_srtp_without_tls (self->engine);
}

/**
 * belfry_media_handler_set_allow_srtp_without_tls:
 * @self: a handler
 * @allow: whether SDES keys may travel in SDP that is not sent over TLS
 *
 * Gives this session its own permission instead of the engine's.
 */
void
belfry_media_handler_set_allow_srtp_without_tls (BelfryMediaHandler *self,
                                                 gboolean            allow)
{
  g_return_if_fail (BELFRY_IS_MEDIA_HANDLER (self));

  allow = !!allow;
  if (self->allow_srtp_set && self->allow_srtp_without_tls == allow)
    return;
  self->allow_srtp_set = TRUE;
  self->allow_srtp_without_tls = allow;
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_ALLOW_SRTP_WITHOUT_TLS]);
}

/**
 * belfry_media_handler_get_srtp_suite:
 * @self: a handler
 *
 * Returns: (nullable): the SRTP suite of the running audio, or %NULL for
 *   plain RTP or no audio
 */
const char *
belfry_media_handler_get_srtp_suite (BelfryMediaHandler *self)
{
  g_return_val_if_fail (BELFRY_IS_MEDIA_HANDLER (self), NULL);

  return self->has_agreement ? crypto_suite_name (self->agreed.srtp_suite) : NULL;
}

/**
 * belfry_media_handler_set_muted:
 * @self: a handler
 * @muted: whether to silence the microphone
 *
 * Silences the microphone, or lets it be heard again, with no signaling.
 */
void
belfry_media_handler_set_muted (BelfryMediaHandler *self,
                                gboolean            muted)
{
  g_return_if_fail (BELFRY_IS_MEDIA_HANDLER (self));

  muted = !!muted;
  if (self->muted == muted)
    return;

  self->muted = muted;
  if (self->stream_running)
    audio_stream_enable_mic (self->stream, !muted);
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_MUTED]);
}

/**
 * belfry_media_handler_get_muted:
 * @self: a handler
 *
 * Returns: whether the microphone is silenced
 */
gboolean
belfry_media_handler_get_muted (BelfryMediaHandler *self)
{
  g_return_val_if_fail (BELFRY_IS_MEDIA_HANDLER (self), FALSE);

  return self->muted;
}
