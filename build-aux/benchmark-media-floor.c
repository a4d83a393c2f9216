/* The floor of build-aux/benchmark-media.sh: one bare mediastreamer2 audio
 * stream, WAV in and WAV out, sending to a peer on loopback; the same work
 * as one side of a belfry-cli call, with nothing around it.
 *
 *   benchmark-media-floor LOCAL_PORT REMOTE_PORT CODEC PLAY.wav RECORD.wav SECONDS
 *
 * CODEC is PCMU (8 kHz files) or opus (48 kHz files). */

#include <mediastreamer2/mediastream.h>
#include <mediastreamer2/msfileplayer.h>
#include <ortp/ortp.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int
main (int argc, char *argv[])
{
  MSFactory *factory;
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
  profile = rtp_profile_new ("floor");
  if (strcmp (argv[3], "opus") == 0) {
    pt = payload_type_clone (&payload_type_opus);
    payload_type_set_recv_fmtp (pt, "useinbandfec=1");
    payload_type_set_send_fmtp (pt, "useinbandfec=1");
    payload = 96;
  } else {
    pt = payload_type_clone (&payload_type_pcmu8000);
    payload = 0;
  }
  rtp_profile_set_payload (profile, payload, pt);

  stream = audio_stream_new2 (factory, "127.0.0.1", local_port, local_port + 1);
  if (payload == 96)
    media_stream_set_target_network_bitrate (&stream->ms, 64000);
  if (audio_stream_start_full (stream, profile, "127.0.0.1", remote_port, "127.0.0.1",
                               remote_port + 1, payload, 60, argv[4], argv[5], NULL, NULL,
                               FALSE) != 0) {
    fprintf (stderr, "the stream did not start\n");
    return 1;
  }
  ms_filter_call_method (stream->soundread, MS_FILE_PLAYER_LOOP, &loop);

  /* Events are consumed as a GLib client's 50 ms tick would. */
  for (int i = 0; i < seconds * 20; i++) {
    audio_stream_iterate (stream);
    usleep (50 * 1000);
  }

  audio_stream_stop (stream);
  rtp_profile_destroy (profile);
  ms_factory_destroy (factory);
  return 0;
}
