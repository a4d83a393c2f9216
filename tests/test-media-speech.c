/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <glib/gstdio.h>

#include <math.h>

#include "belfry-media-engine-private.h"
#include "belfry-media-wav-private.h"
#include "belfry-sipp.h"
#include "media/belfry-tone.h"
#include "belfry-media-fixture.h"

/* What a person hears: speech keeps its shape through a call, sipp plays
 * a capture to Belfry, and the checker itself can say no. */

/* ---- Speech keeps its shape ---- */

/* Words with pauses between them, so that the envelope has loud and
 * silent stretches to compare. */
#define SPEECH_TEXT "One, two, three. Hello from Belfry."
#define SPEECH_MIN_CORRELATION 0.8
/* Blocks of 500 ms, each of which may be heard up to 40 ms later or
 * earlier than the speech as a whole: a busy machine moved them by 20 ms
 * at most, and more freedom lets a wrong signal fit (speech played
 * backwards reached 0.73 with 100 ms, 0.62 with 40 ms). */
#define SPEECH_BLOCK_FRAMES    25
#define SPEECH_DRIFT_FRAMES    2

typedef struct {
  const char *codec;
  guint rate;
} SpeechCase;

/* Writes @text as speech to @path with espeak-ng (22050 Hz mono). A test
 * that needs it fails without it: the test command installs it. */
static gboolean
speak (const char *text,
       const char *path)
{
  g_autofree char *espeak = g_find_program_in_path ("espeak-ng");
  g_autofree char *err = NULL;
  g_autoptr (GError) error = NULL;
  int status;

  if (espeak == NULL) {
    g_test_fail_printf ("espeak-ng is not installed; it is in build-aux/debian-packages.txt, "
                        "which the test command installs");
    return FALSE;
  }
  {
    const char *argv[] = { espeak, "-w", path, text, NULL };

    g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_STDOUT_TO_DEV_NULL, NULL,
                                 NULL, NULL, &err, &status, &error));
  }
  g_assert_no_error (error);
  if (!g_spawn_check_wait_status (status, &error)) {
    g_test_fail_printf ("espeak-ng failed: %s: %s", error->message, err);
    return FALSE;
  }
  return TRUE;
}

/* The offset, in frames, from @first to @last at which @n frames of
 * @recorded follow @reference best: @centre unless another one does
 * strictly better, so that silence, which matches anywhere, stays put. */
static gsize
best_offset (const double *reference,
             gsize         n,
             GArray       *recorded,
             gsize         centre,
             gsize         first,
             gsize         last,
             double       *correlation)
{
  gsize best = centre;

  g_assert_cmpuint (centre + n, <=, recorded->len);
  *correlation = belfry_tone_correlation (reference, &g_array_index (recorded, double, centre), n);
  for (gsize offset = first; offset <= last && offset + n <= recorded->len; offset++) {
    double c = belfry_tone_correlation (reference, &g_array_index (recorded, double, offset), n);

    if (c > *correlation) {
      *correlation = c;
      best = offset;
    }
  }
  return best;
}

/* The frames of @recorded that match @reference, one for one. Where the
 * speech is heard whole (after the call's latency, in the first or the
 * second time round) is found by cross-correlating all of it; then each
 * block may move up to SPEECH_DRIFT_FRAMES from there, since a jitter
 * buffer that catches up after the machine was busy moves the rest of the
 * call by a frame or a few. */
static GArray *
align_envelope (GArray  *reference,
                GArray  *recorded,
                gsize   *start,
                GString *offsets)
{
  GArray *aligned = g_array_new (FALSE, FALSE, sizeof (double));
  double correlation;

  g_assert_cmpuint (recorded->len, >=, reference->len);
  *start = best_offset ((const double *) reference->data, reference->len, recorded, 0, 0,
                        recorded->len, &correlation);
  for (gsize block = 0; block < reference->len; block += SPEECH_BLOCK_FRAMES) {
    gsize n = MIN (SPEECH_BLOCK_FRAMES, reference->len - block);
    gsize centre = MIN (block + *start, recorded->len - n);
    gsize shift = best_offset (&g_array_index (reference, double, block), n, recorded, centre,
                         MAX (centre, block + SPEECH_DRIFT_FRAMES) - SPEECH_DRIFT_FRAMES,
                         centre + SPEECH_DRIFT_FRAMES, &correlation) - block;
    g_string_append_printf (offsets, "%s%" G_GSIZE_FORMAT, block > 0 ? " " : "", shift * 20);
    g_array_append_vals (aligned, &g_array_index (recorded, double, block + shift), n);
  }
  return aligned;
}

static gboolean
frame_and_neighbours (GArray  *envelope,
                      gsize    i,
                      double   threshold,
                      gboolean above)
{
  for (gsize j = MAX (i, 1) - 1; j <= i + 1 && j < envelope->len; j++) {
    double value = g_array_index (envelope, double, j);

    if (above ? value <= threshold : value >= threshold)
      return FALSE;
  }
  return TRUE;
}

static void
test_speech (Fixture       *fixture,
             gconstpointer  data)
{
  const SpeechCase *speech = data;
  const char *codecs[] = { speech->codec, NULL };
  g_autofree char *reference_path = g_build_filename (fixture->dir, "reference.wav", NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (BelfryWav) reference = NULL;
  g_autoptr (BelfryWav) recorded = NULL;
  g_autoptr (GArray) reference_envelope = NULL;
  g_autoptr (GArray) recorded_envelope = NULL;
  g_autoptr (GArray) aligned = NULL;
  g_autoptr (GString) offsets = g_string_new (NULL);
  double peak = 0, correlation, gap_sum = 0, gap_max = 0, word_ratio_sum = 0;
  guint gaps = 0, words = 0, weak_words = 0;
  PacketGoal goal;
  gsize start;

  if (!speak (SPEECH_TEXT, fixture->play_a))
    return;
  g_assert_true (belfry_tone_write_wav (fixture->play_b, speech->rate, TONE_B_HZ, 2.0, AMPLITUDE,
                                        &error));
  /* The reference is what A sends: the speech converted to the codec's
   * rate by Belfry's own converter, whose band limit is then no loss. */
  g_assert_true (belfry_media_wav_convert (belfry_media_engine_get_factory (fixture->engine_a),
                                           fixture->play_a, reference_path, speech->rate, &error));
  g_assert_no_error (error);
  reference = belfry_wav_read (reference_path, &error);
  g_assert_no_error (error);
  reference_envelope = belfry_tone_envelope (reference);
  for (guint i = 0; i < reference_envelope->len; i++)
    peak = MAX (peak, g_array_index (reference_envelope, double, i));

  belfry_media_engine_set_codecs (fixture->engine_a, codecs);
  belfry_media_engine_set_codecs (fixture->engine_b, codecs);
  error = place_call (fixture);
  g_assert_no_error (error);
  g_assert_cmpstr (belfry_media_handler_get_codec (handler_of (fixture->invitation)), ==,
                   speech->codec);

  /* The speech twice over, at a packet per 20 ms frame, and half a
   * second more. A plays it in a loop, and on a busy machine B's jitter
   * buffer may drop the first few hundred ms of the call (seen: up to
   * 440 ms under AddressSanitizer), so that only the second time is
   * whole. */
  goal = (PacketGoal) { handler_of (fixture->invitation), 2 * reference_envelope->len + 25 };
  g_assert_true (belfry_test_wait_until (received_enough, &goal, 4 * WAIT_MS));
  hang_up (fixture);

  recorded = belfry_wav_read (fixture->record_b, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (recorded->rate, ==, speech->rate);
  recorded_envelope = belfry_tone_envelope (recorded);
  aligned = align_envelope (reference_envelope, recorded_envelope, &start, offsets);
  correlation = belfry_tone_correlation ((const double *) reference_envelope->data,
                                         (const double *) aligned->data, aligned->len);

  for (guint i = 0; i < reference_envelope->len; i++) {
    double heard = g_array_index (aligned, double, i);
    double sent = g_array_index (reference_envelope, double, i);

    if (frame_and_neighbours (reference_envelope, i, peak / 100, FALSE)) {
      gaps++;
      gap_sum += heard;
      gap_max = MAX (gap_max, heard);
    } else if (frame_and_neighbours (reference_envelope, i, peak / 4, TRUE)) {
      words++;
      word_ratio_sum += heard / sent;
      if (heard < sent / 4)
        weak_words++;
    }
  }
  g_test_message ("%s: %u frames sent, %u recorded, heard whole from %" G_GSIZE_FORMAT " ms "
                  "(blocks at %s ms), correlation %.3f; %u gap frames at RMS %.1f (max %.1f), "
                  "%u word frames at %.2f of the level sent, %u of them weak", speech->codec,
                  reference_envelope->len, recorded_envelope->len, start * 20, offsets->str,
                  correlation, gaps, gaps > 0 ? gap_sum / gaps : 0, gap_max, words,
                  words > 0 ? word_ratio_sum / words : 0, weak_words);

  /* Measured: 0.955 to 0.992 for both codecs, in plain and
   * AddressSanitizer builds, with busy loops beside them. Silence gives
   * 0, a steady tone 0.15 to 0.36, noise 0.29 to 0.39 and the speech
   * backwards 0.62: none has the speech's envelope to follow. */
  g_assert_cmpfloat (correlation, >=, SPEECH_MIN_CORRELATION);
  /* The pauses stay pauses (measured: RMS 0 to 1 against a peak of about
   * 8000)... */
  g_assert_cmpuint (gaps, >=, 20);
  g_assert_cmpfloat (gap_sum / gaps, <, peak / 50);
  /* ...and the words keep their level (measured: 0.97 to 1.01 of it, no
   * frame below a quarter). */
  g_assert_cmpuint (words, >=, 20);
  g_assert_cmpfloat (word_ratio_sum / words, >, 0.5);
  g_assert_cmpfloat (word_ratio_sum / words, <, 2.0);
  g_assert_cmpuint (weak_words, <=, words / 10);
}

static const SpeechCase speech_pcmu = { "PCMU", 8000 };
static const SpeechCase speech_opus = { "opus", 48000 };

/* ---- sipp plays a capture of PCMU to Belfry ---- */

#define PCAP_SECONDS  2
#define PCAP_PACKETS  (PCAP_SECONDS * 50)
#define PCMU_FRAME    160

/* G.711 µ-law (ITU-T G.711): a sign, a 3-bit segment and a 4-bit step of
 * the sample plus a bias of 132, all bits inverted. */
static guint8
ulaw_encode (gint16 sample)
{
  int value = sample;
  guint8 sign = 0;
  int segment = 7;

  if (value < 0) {
    value = -value;
    sign = 0x80;
  }
  value = MIN (value, 32635) + 0x84;
  while (segment > 0 && (value & (0x80 << segment)) == 0)
    segment--;
  return ~(sign | segment << 4 | ((value >> (segment + 3)) & 0x0f));
}

static void
put_be16 (GByteArray *bytes,
          guint16     value)
{
  guint8 be[2] = { value >> 8, value & 0xff };

  g_byte_array_append (bytes, be, 2);
}

static void
put_be32 (GByteArray *bytes,
          guint32     value)
{
  put_be16 (bytes, value >> 16);
  put_be16 (bytes, value & 0xffff);
}

/* pcap's headers are in the writer's byte order, which its magic number
 * tells; this file is little endian whatever the machine. */
static void
put_le32 (GByteArray *bytes,
          guint32     value)
{
  guint8 le[4] = { value & 0xff, (value >> 8) & 0xff, (value >> 16) & 0xff, value >> 24 };

  g_byte_array_append (bytes, le, 4);
}

static guint16
ip_checksum (const guint8 *header,
             gsize         length)
{
  guint32 sum = 0;

  for (gsize i = 0; i + 1 < length; i += 2)
    sum += header[i] << 8 | header[i + 1];
  while (sum >> 16)
    sum = (sum & 0xffff) + (sum >> 16);
  return ~sum & 0xffff;
}

/* A capture (pcap, Ethernet) of PCAP_SECONDS of a tone at @frequency sent
 * as PCMU over RTP, a packet of 20 ms every 20 ms, as sipp's
 * play_pcap_audio wants it. sipp replaces the addresses and ports and
 * computes the UDP checksum, so they are placeholders here. */
static gboolean
write_pcmu_pcap (const char  *path,
                 double       frequency,
                 double       amplitude,
                 GError     **error)
{
  g_autoptr (GByteArray) bytes = g_byte_array_new ();
  const guint udp_length = 8 + 12 + PCMU_FRAME;
  const guint ip_length = 20 + udp_length;
  const guint frame_length = 14 + ip_length;

  put_le32 (bytes, 0xa1b2c3d4);
  put_le32 (bytes, 2 | 4 << 16);  /* Version 2.4 */
  put_le32 (bytes, 0);            /* Time zone */
  put_le32 (bytes, 0);            /* Timestamp accuracy */
  put_le32 (bytes, 65535);        /* Snapshot length */
  put_le32 (bytes, 1);            /* Link type: Ethernet */

  for (guint32 packet = 0; packet < PCAP_PACKETS; packet++) {
    static const guint8 macs[12] = { 0x02, 0, 0, 0, 0, 0x02, 0x02, 0, 0, 0, 0, 0x01 };
    guint ip_start;
    guint16 checksum;

    put_le32 (bytes, packet / 50);
    put_le32 (bytes, packet % 50 * 20000);
    put_le32 (bytes, frame_length);
    put_le32 (bytes, frame_length);

    g_byte_array_append (bytes, macs, sizeof macs);
    put_be16 (bytes, 0x0800);       /* IPv4 */

    /* IPv4, a 20-byte header, don't fragment, TTL 64, UDP, loopback to
     * loopback, and the header's checksum. */
    ip_start = bytes->len;
    put_be32 (bytes, 0x4500 << 16 | ip_length);
    put_be32 (bytes, packet << 16 | 0x4000);
    put_be32 (bytes, 64 << 24 | 17 << 16);
    put_be32 (bytes, 0x7f000001);
    put_be32 (bytes, 0x7f000001);
    checksum = ip_checksum (bytes->data + ip_start, 20);
    bytes->data[ip_start + 10] = checksum >> 8;
    bytes->data[ip_start + 11] = checksum & 0xff;

    put_be16 (bytes, 40000);
    put_be16 (bytes, 40002);
    put_be16 (bytes, udp_length);
    put_be16 (bytes, 0);

    /* RTP version 2, PT 0, marker on the first packet of the talk spurt. */
    put_be16 (bytes, packet == 0 ? 0x8080 : 0x8000);
    put_be16 (bytes, packet);
    put_be32 (bytes, packet * PCMU_FRAME);
    put_be32 (bytes, 0x42656c66);
    for (guint i = 0; i < PCMU_FRAME; i++) {
      guint n = packet * PCMU_FRAME + i;
      double value = amplitude * sin (2 * G_PI * frequency * n / 8000);
      guint8 byte = ulaw_encode ((gint16) lround (value));

      g_byte_array_append (bytes, &byte, 1);
    }
  }

  return g_file_set_contents (path, (const char *) bytes->data, bytes->len, error);
}

static gboolean
sipp_call_ended (gpointer data)
{
  Fixture *fixture = data;

  return fixture->invitation != NULL && session_ended (fixture->invitation);
}

/* sipp calls B offering PCMU alone and plays a capture of a 1 kHz tone:
 * B, which knows sipp only from its SDP, records the tone. */
static void
test_sipp_pcap (Fixture       *fixture,
                gconstpointer  data)
{
  static const char * const pcmu[] = { "PCMU", NULL };
  g_autofree char *pcap = g_build_filename (fixture->dir, "tone-pcmu.pcap", NULL);
  g_autofree char *remote = g_strdup_printf ("127.0.0.1:%d",
                                             belfry_user_agent_get_port (fixture->ua_b));
  g_autofree char *media_port = NULL;
  /* The capture, and a second more for sipp to be late under load. */
  g_autofree char *duration = g_strdup_printf ("%d", PCAP_SECONDS * 1000 + 1000);
  g_autoptr (BelfrySipp) sipp = NULL;
  g_autoptr (GError) error = NULL;
  guint64 sent = 0, received = 0;
  int sipp_port, rtp_port;
  PacketGoal goal;

  /* The encoder agrees with the decoder that reads captures. */
  for (int sample = -32768; sample < 32768; sample += 97)
    g_assert_cmpint (ABS (ulaw_decode (ulaw_encode (sample)) - sample), <=,
                     MAX (8, ABS (sample) / 16));

  belfry_media_engine_set_codecs (fixture->engine_b, pcmu);
  write_tones (fixture, 8000);
  g_assert_true (write_pcmu_pcap (pcap, TONE_A_HZ, AMPLITUDE, &error));
  g_assert_no_error (error);

  sipp_port = belfry_test_free_port ("127.0.0.1");
  do
    rtp_port = belfry_test_free_port ("127.0.0.1");
  while (rtp_port == sipp_port);
  media_port = g_strdup_printf ("%d", rtp_port);
  {
    const char *extra[] = { "-mi", "127.0.0.1", "-mp", media_port, "-key", "pcap_file", pcap,
                            "-d", duration, NULL };

    sipp = belfry_sipp_start ("uac-pcap-audio.xml", "u1", "127.0.0.1", sipp_port, remote, extra);
  }

  g_assert_true (belfry_test_wait_until (belfry_test_pointer_set, &fixture->accept_result, 2 * WAIT_MS));
  g_assert_true (belfry_invitation_accept_finish (fixture->invitation, fixture->accept_result,
                                                  &error));
  g_assert_no_error (error);
  g_assert_cmpstr (belfry_media_handler_get_codec (handler_of (fixture->invitation)), ==, "PCMU");

  /* Nearly all of the capture arrives, before sipp hangs up. */
  goal = (PacketGoal) { handler_of (fixture->invitation), PCAP_PACKETS * 9 / 10 };
  g_assert_true (belfry_test_wait_until (received_enough, &goal, 2 * WAIT_MS));
  belfry_media_handler_get_rtp_stats (handler_of (fixture->invitation), &sent, &received);
  g_test_message ("B sent %" G_GUINT64_FORMAT " RTP packets and received %" G_GUINT64_FORMAT,
                  sent, received);
  g_assert_cmpuint (received, <=, PCAP_PACKETS);

  g_assert_true (belfry_test_wait_until (sipp_call_ended, fixture, 2 * WAIT_MS));
  g_assert_cmpint (belfry_sipp_wait (sipp, 2 * WAIT_MS), ==, 0);

  assert_tone (fixture->record_b, 8000, TONE_A_HZ);
}

/* ---- The checker itself must be able to say no ---- */

static void
test_checker (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("belfry-tone-XXXXXX", &error);
  g_autofree char *path = g_build_filename (dir, "tone.wav", NULL);
  g_autofree char *silent = g_build_filename (dir, "silent.wav", NULL);
  g_autoptr (BelfryWav) wav = NULL;
  g_autoptr (BelfryWav) quiet = NULL;
  char *report = NULL;

  g_assert_true (belfry_tone_write_wav (path, 8000, 1000.0, 2.0, AMPLITUDE, &error));
  g_assert_true (belfry_tone_write_wav (silent, 8000, 1000.0, 2.0, 0.0, &error));
  wav = belfry_wav_read (path, &error);
  g_assert_no_error (error);
  quiet = belfry_wav_read (silent, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (wav->rate, ==, 8000);
  g_assert_cmpuint (wav->samples->len, ==, 16000);

  g_assert_true (belfry_tone_check (wav, 1000.0, 15.0, 1.0, 2800.0, 8000.0, &report));
  g_clear_pointer (&report, g_free);
  /* A wrong frequency, a level out of range, and silence all fail. */
  g_assert_false (belfry_tone_check (wav, 1100.0, 15.0, 1.0, 2800.0, 8000.0, &report));
  g_clear_pointer (&report, g_free);
  g_assert_false (belfry_tone_check (wav, 1000.0, 15.0, 1.0, 6000.0, 8000.0, &report));
  g_clear_pointer (&report, g_free);
  g_assert_false (belfry_tone_check (wav, 1000.0, 15.0, 3.0, 2800.0, 8000.0, &report));
  g_clear_pointer (&report, g_free);
  g_assert_false (belfry_tone_check (quiet, 1000.0, 15.0, 1.0, 2800.0, 8000.0, &report));
  g_clear_pointer (&report, g_free);

  /* A dropout of 40 ms, which a decoder conceals by fading out when a
   * packet comes too late, does not cut the tone in two; a pause of
   * 200 ms does. */
  for (guint i = 8000; i < 8000 + 320; i++)
    g_array_index (wav->samples, gint16, i) /= 10;
  g_assert_true (belfry_tone_check (wav, 1000.0, 15.0, 1.5, 2800.0, 8000.0, &report));
  g_clear_pointer (&report, g_free);
  memset (&g_array_index (wav->samples, gint16, 8000), 0, 1600 * sizeof (gint16));
  g_assert_false (belfry_tone_check (wav, 1000.0, 15.0, 1.5, 2800.0, 8000.0, &report));
  g_clear_pointer (&report, g_free);

  g_unlink (path);
  g_unlink (silent);
  g_rmdir (dir);
}

int
main (int   argc,
      char *argv[])
{
  belfry_test_init (&argc, &argv);

  g_test_add_func ("/belfry/media/checker", test_checker);
  g_test_add ("/belfry/media/speech/pcmu", Fixture, &speech_pcmu, fixture_set_up, test_speech,
              fixture_tear_down);
  g_test_add ("/belfry/media/speech/opus", Fixture, &speech_opus, fixture_set_up, test_speech,
              fixture_tear_down);
  g_test_add ("/belfry/media/sipp/pcap-pcmu", Fixture, NULL, fixture_set_up, test_sipp_pcap,
              fixture_tear_down);

  return g_test_run ();
}
