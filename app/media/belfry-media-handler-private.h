/* SPDX-License-Identifier: GPL-3.0-or-later */

#pragma once

#include <belle-sip/belle-sdp.h>
#include <mediastreamer2/mediastream.h>
#include <mediastreamer2/ms_srtp.h>

#include "belfry-media-codec-private.h"
#include "belfry-media-handler.h"

G_BEGIN_DECLS

/* What the three files of BelfryMediaHandler share: the handler itself
 * (belfry-media-handler.c), its SDP offer/answer
 * (belfry-media-handler-sdp.c) and its audio stream
 * (belfry-media-handler-stream.c). */

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

#define DTMF_DIGITS     "0123456789*#ABCD"
#define DTMF_GAP_MS     250
#define TICK_MS         50
#define JITTER_MS       60
#define MUTE_SETTLE_MS  60
#define CONTENT_TYPE    "application/sdp"
/* 128-bit master key and 112-bit salt (RFC 3711). */
#define SRTP_KEY_BYTES  30

/* belfry-media-handler-sdp.c */
void        belfry_media_handler_agreement_clear       (Agreement           *agreement);
void        belfry_media_handler_agreement_copy        (Agreement           *dest,
                                                        const Agreement     *src);
gboolean    belfry_media_handler_agreement_same_stream (const Agreement     *a,
                                                        const Agreement     *b);
gboolean    belfry_media_handler_agreement_sends       (const Agreement     *agreement);
gboolean    belfry_media_handler_agreement_expects_rtp (const Agreement     *agreement);
const char *belfry_media_handler_crypto_suite_name     (MSCryptoSuite        suite);
gboolean    belfry_media_handler_take_offer            (BelfryMediaHandler  *self,
                                                        const char          *content_type,
                                                        const char          *body,
                                                        GError             **error);
gboolean    belfry_media_handler_take_answer           (BelfryMediaHandler  *self,
                                                        const char          *content_type,
                                                        const char          *body,
                                                        gboolean             provisional,
                                                        GError             **error);
char       *belfry_media_handler_make_offer            (BelfryMediaHandler  *self,
                                                        GError             **error);
char       *belfry_media_handler_make_answer           (BelfryMediaHandler  *self,
                                                        GError             **error);

/* belfry-media-handler-stream.c */
gboolean    belfry_media_handler_ensure_stream         (BelfryMediaHandler  *self,
                                                        GError             **error);
gboolean    belfry_media_handler_start_stream          (BelfryMediaHandler  *self,
                                                        GError             **error);
void        belfry_media_handler_stop_stream           (BelfryMediaHandler  *self);

/* belfry-media-handler.c */
gboolean    belfry_media_handler_agree                 (BelfryMediaHandler  *self,
                                                        const Agreement     *agreement,
                                                        GError             **error);

G_END_DECLS
