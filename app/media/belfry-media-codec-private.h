/* SPDX-License-Identifier: GPL-3.0-or-later */

#pragma once

#include <glib.h>
#include <ortp/ortp.h>

G_BEGIN_DECLS

/* What Belfry knows of an audio codec: how it is written in SDP, the
 * payload type it gets from us, and what mediastreamer2 needs to run it. */
typedef struct {
  /* The encoding name, as in a=rtpmap and in mediastreamer2. */
  const char *name;
  /* The RTP clock rate and channel count written in SDP. */
  int clock_rate;
  int channels;
  /* The static payload type (RFC 3551), or -1 for a dynamic one. */
  int static_pt;
  /* Our number for a dynamic payload type. */
  int dynamic_pt;
  /* The rate of the audio itself, which WAV files must have. */
  int sample_rate;
  /* The target network bitrate in bit/s, or 0 for the codec's default. */
  int network_bitrate;
  /* The a=fmtp we offer and answer with, or NULL. */
  const char *fmtp;
} BelfryMediaCodec;

/* Our numbers for telephone-event (RFC 4733) at each clock rate. */
#define BELFRY_MEDIA_TELEPHONE_EVENT_PT_8000  101
#define BELFRY_MEDIA_TELEPHONE_EVENT_PT_48000 100

const BelfryMediaCodec *belfry_media_codec_lookup       (const char             *name);
const BelfryMediaCodec *belfry_media_codec_find         (const char             *name,
                                                         int                     clock_rate,
                                                         int                     channels);
int                     belfry_media_codec_get_local_pt (const BelfryMediaCodec *codec);
PayloadType            *belfry_media_codec_new_payload_type (const BelfryMediaCodec *codec);
PayloadType            *belfry_media_telephone_event_new_payload_type (int clock_rate);

G_END_DECLS
