/* SPDX-License-Identifier: GPL-3.0-or-later */

#define G_LOG_DOMAIN "belfry-media"

#include "config.h"

#include "belfry-media-codec-private.h"

#include <mediastreamer2/mscommon.h>

/* In the order of the default preference. The dynamic numbers are ours;
 * a peer's offer may use others, which the answer then keeps. */
static const BelfryMediaCodec codecs[] = {
  { "opus",  48000, 2, -1, 96, 48000, 64000, "useinbandfec=1" },
  { "speex", 16000, 1, -1, 97, 16000, 0,     NULL },
  { "G722",   8000, 1,  9,  9, 16000, 0,     NULL },
  { "PCMU",   8000, 1,  0,  0,  8000, 0,     NULL },
  { "PCMA",   8000, 1,  8,  8,  8000, 0,     NULL },
  { "GSM",    8000, 1,  3,  3,  8000, 0,     NULL },
};


const BelfryMediaCodec *
belfry_media_codec_lookup (const char *name)
{
  for (guint i = 0; i < G_N_ELEMENTS (codecs); i++) {
    if (g_ascii_strcasecmp (codecs[i].name, name) == 0)
      return &codecs[i];
  }
  return NULL;
}

/* SDP writes the channel count only when it is not 1. */
const BelfryMediaCodec *
belfry_media_codec_find (const char *name,
                         int         clock_rate,
                         int         channels)
{
  if (name == NULL)
    return NULL;

  for (guint i = 0; i < G_N_ELEMENTS (codecs); i++) {
    if (g_ascii_strcasecmp (codecs[i].name, name) == 0 &&
        codecs[i].clock_rate == clock_rate &&
        codecs[i].channels == MAX (channels, 1))
      return &codecs[i];
  }
  return NULL;
}

int
belfry_media_codec_get_local_pt (const BelfryMediaCodec *codec)
{
  return codec->static_pt >= 0 ? codec->static_pt : codec->dynamic_pt;
}

PayloadType *
belfry_media_codec_new_payload_type (const BelfryMediaCodec *codec)
{
  PayloadType *pt;

  if (codec->static_pt >= 0)
    pt = payload_type_clone (rtp_profile_get_payload (&av_profile, codec->static_pt));
  else if (g_str_equal (codec->name, "opus"))
    pt = payload_type_clone (&payload_type_opus);
  else if (g_str_equal (codec->name, "speex"))
    pt = payload_type_clone (&payload_type_speex_wb);
  else
    g_return_val_if_reached (NULL);

  if (codec->fmtp != NULL) {
    payload_type_set_recv_fmtp (pt, codec->fmtp);
    payload_type_set_send_fmtp (pt, codec->fmtp);
  }
  return pt;
}

PayloadType *
belfry_media_telephone_event_new_payload_type (int clock_rate)
{
  PayloadType *pt = payload_type_clone (&payload_type_telephone_event);

  pt->clock_rate = clock_rate;
  return pt;
}
