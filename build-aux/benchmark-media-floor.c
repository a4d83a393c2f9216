/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The floor of build-aux/benchmark-media.py: one bare mediastreamer2 audio
 * stream, WAV in and WAV out, sending to a peer on loopback; the same work
 * as one side of a belfry-cli call, with nothing around it.
 *
 *   benchmark-media-floor LOCAL_PORT REMOTE_PORT CODEC PLAY.wav RECORD.wav SECONDS
 *
 * CODEC is PCMU (8 kHz files) or opus (48 kHz files).
 *
 * Everything the stream does is set as app/media/belfry-media-handler.c
 * (ensure_stream, start_stream) and belfry-media-engine.c set it, so that
 * the ratio belfry/floor measures what Belfry adds around the stream, not
 * a different stream: the RTP session from ms_create_duplex_rtp_session(),
 * one ticker of the process at high priority, the same stream features,
 * 60 ms of jitter buffer, opus at 64 kbit/s with in-band FEC,
 * telephone-event with the send and receive flags (both belfry-cli sides
 * offer it), the played file looping, the factory's event queue, and the
 * stream iterated and the queue pumped every 50 ms. */

#include <mediastreamer2/mediastream.h>
#include <mediastreamer2/mseventqueue.h>
#include <mediastreamer2/msfileplayer.h>
#include <mediastreamer2/msticker.h>
#include <ortp/ortp.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define JITTER_MS 60
#define TICK_MS   50

static void
add_telephone_event (RtpProfile *profile,
                     int         payload,
                     int         clock_rate)
{
  PayloadType *pt = payload_type_clone (&payload_type_telephone_event);

  pt->clock_rate = clock_rate;
  payload_type_set_flag (pt, PAYLOAD_TYPE_FLAG_CAN_RECV);
  payload_type_set_flag (pt, PAYLOAD_TYPE_FLAG_CAN_SEND);
  rtp_profile_set_payload (profile, payload, pt);
}

int
main (int argc, char *argv[])
{
  MSTickerParams ticker_params = { MS_TICKER_PRIO_HIGH, "floor audio" };
  MSMediaStreamSessions sessions = { 0 };
  MSFactory *factory;
  MSTicker *ticker;
  AudioStream *stream;
  RtpProfile *profile;
  PayloadType *pt;
  int local_port, remote_port, payload, seconds, loop = 0;

  if (argc != 7) {
    fprintf (stderr, "usage: %s LOCAL_PORT REMOTE_PORT CODEC PLAY.wav RECORD.wav SECONDS\n", argv[0]);
    return 2;
  }
  local_port = atoi (argv[1]);
  remote_port = atoi (argv[2]);
  seconds = atoi (argv[6]);

  ortp_init ();
  factory = ms_factory_new_with_voip ();
  ms_factory_create_event_queue (factory);
  ticker = ms_ticker_new_with_params (&ticker_params);

  profile = rtp_profile_new ("floor");
  if (strcmp (argv[3], "opus") == 0) {
    pt = payload_type_clone (&payload_type_opus);
    payload_type_set_recv_fmtp (pt, "useinbandfec=1");
    payload_type_set_send_fmtp (pt, "useinbandfec=1");
    payload = 96;
    add_telephone_event (profile, 100, 48000);
  } else {
    pt = payload_type_clone (rtp_profile_get_payload (&av_profile, 0));
    payload = 0;
    add_telephone_event (profile, 101, 8000);
  }
  rtp_profile_set_payload (profile, payload, pt);

  sessions.rtp_session = ms_create_duplex_rtp_session ("127.0.0.1", local_port, local_port + 1,
                                                       ms_factory_get_mtu (factory));
  sessions.ticker = ticker;
  stream = audio_stream_new_with_sessions (factory, &sessions);
  audio_stream_set_features (stream, AUDIO_STREAM_FEATURE_PLC | AUDIO_STREAM_FEATURE_EC |
                                     AUDIO_STREAM_FEATURE_VOL_SND | AUDIO_STREAM_FEATURE_VOL_RCV |
                                     AUDIO_STREAM_FEATURE_FLOW_CONTROL);
  if (payload == 96)
    media_stream_set_target_network_bitrate (&stream->ms, 64000);
  if (audio_stream_start_full (stream, profile, "127.0.0.1", remote_port, "127.0.0.1",
                               remote_port + 1, payload, JITTER_MS, argv[4], argv[5], NULL, NULL,
                               FALSE) != 0) {
    fprintf (stderr, "the stream did not start\n");
    return 1;
  }
  audio_stream_mute_rtp (stream, FALSE);
  if (stream->soundread != NULL && ms_filter_get_id (stream->soundread) == MS_FILE_PLAYER_ID)
    ms_filter_call_method (stream->soundread, MS_FILE_PLAYER_LOOP, &loop);

  /* Events are consumed as Belfry's 50 ms tick on the main context does. */
  for (int i = 0; i < seconds * (1000 / TICK_MS); i++) {
    audio_stream_iterate (stream);
    ms_event_queue_pump (ms_factory_get_event_queue (factory));
    rtp_session_get_stats (stream->ms.sessions.rtp_session);
    usleep (TICK_MS * 1000);
  }

  /* The sessions are the program's: taken back, then freed without the
   * ticker, which goes last. */
  media_stream_reclaim_sessions (&stream->ms, &sessions);
  audio_stream_stop (stream);
  sessions.ticker = NULL;
  ms_media_stream_sessions_uninit (&sessions);
  ms_ticker_destroy (ticker);
  rtp_profile_destroy (profile);
  ms_factory_destroy (factory);
  return 0;
}
