/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <glib/gstdio.h>

#include "belfry-media-engine-private.h"
#include "belfry-media-error.h"
#include "belfry-media-wav-private.h"
#include "belfry-sip-error.h"
#include "belfry-sipp.h"
#include "media/belfry-tone.h"
#include "belfry-media-fixture.h"

/* ---- Calls ---- */

typedef struct {
  const char *caller_codecs[6];
  const char *callee_codecs[6];
  const char *expected_codec;
  guint rate;
} ToneCase;

static void
test_tone (Fixture       *fixture,
           gconstpointer  data)
{
  const ToneCase *tone_case = data;
  g_autoptr (GError) error = NULL;
  PacketGoal goal;

  belfry_media_engine_set_codecs (fixture->engine_a, tone_case->caller_codecs);
  belfry_media_engine_set_codecs (fixture->engine_b, tone_case->callee_codecs);
  write_tones (fixture, tone_case->rate);

  error = place_call (fixture);
  g_assert_no_error (error);

  g_assert_cmpstr (belfry_media_handler_get_codec (handler_of (fixture->inviter)), ==,
                   tone_case->expected_codec);
  g_assert_cmpstr (belfry_media_handler_get_codec (handler_of (fixture->invitation)), ==,
                   tone_case->expected_codec);

  /* 1.5 s of audio each way, at 50 packets a second. */
  goal = (PacketGoal) { handler_of (fixture->invitation), 75 };
  g_assert_true (belfry_test_wait_until (received_enough, &goal, WAIT_MS));
  goal = (PacketGoal) { handler_of (fixture->inviter), 75 };
  g_assert_true (belfry_test_wait_until (received_enough, &goal, WAIT_MS));

  hang_up (fixture);

  assert_tone (fixture->record_b, tone_case->rate, TONE_A_HZ);
  assert_tone (fixture->record_a, tone_case->rate, TONE_B_HZ);
}

/* The audio thread runs while a call has audio and stops with the last
 * one, so that a Belfry waiting for calls wakes up for nothing; the next
 * call starts it again. */
static void
test_audio_thread (Fixture       *fixture,
                   gconstpointer  data)
{
  static const char * const pcmu[] = { "PCMU", NULL };
  g_autoptr (GError) error = NULL;
  PacketGoal goal;

  belfry_media_engine_set_codecs (fixture->engine_a, pcmu);
  belfry_media_engine_set_codecs (fixture->engine_b, pcmu);
  write_tones (fixture, 8000);
  g_assert_false (belfry_media_engine_has_audio_thread (fixture->engine_a));
  g_assert_false (belfry_media_engine_has_audio_thread (fixture->engine_b));

  for (guint call = 0; call < 2; call++) {
    error = place_call (fixture);
    g_assert_no_error (error);
    goal = (PacketGoal) { handler_of (fixture->invitation), 25 };
    g_assert_true (belfry_test_wait_until (received_enough, &goal, WAIT_MS));
    g_assert_true (belfry_media_engine_has_audio_thread (fixture->engine_a));
    g_assert_true (belfry_media_engine_has_audio_thread (fixture->engine_b));

    hang_up (fixture);
    g_assert_false (belfry_media_engine_has_audio_thread (fixture->engine_a));
    g_assert_false (belfry_media_engine_has_audio_thread (fixture->engine_b));

    g_clear_object (&fixture->inviter);
    g_clear_object (&fixture->invitation);
    g_clear_object (&fixture->accept_result);
  }
}

static void
test_mute (Fixture       *fixture,
           gconstpointer  data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (BelfryWav) wav = NULL;
  const char *codecs[] = { "PCMU", NULL };
  PacketGoal goal;
  guint64 sent_before = 0, sent_after = 0;
  double rms;

  belfry_media_engine_set_codecs (fixture->engine_a, codecs);
  belfry_media_engine_set_codecs (fixture->engine_b, codecs);
  write_tones (fixture, 8000);

  /* A silences its microphone before the call has a stream: no re-INVITE,
   * RTP goes on, B hears nothing, not even the first packets. */
  fixture->mute_caller = TRUE;
  error = place_call (fixture);
  g_assert_no_error (error);
  g_assert_true (belfry_media_handler_get_muted (handler_of (fixture->inviter)));
  belfry_media_handler_get_rtp_stats (handler_of (fixture->inviter), &sent_before, NULL);
  goal = (PacketGoal) { handler_of (fixture->invitation), 75 };
  g_assert_true (belfry_test_wait_until (received_enough, &goal, WAIT_MS));
  belfry_media_handler_get_rtp_stats (handler_of (fixture->inviter), &sent_after, NULL);
  g_assert_cmpuint (sent_after, >, sent_before);
  g_assert_cmpint (belfry_session_get_state (BELFRY_SESSION (fixture->inviter)), ==,
                   BELFRY_SESSION_STATE_ESTABLISHED);

  hang_up (fixture);

  wav = belfry_wav_read (fixture->record_b, &error);
  g_assert_no_error (error);
  rms = belfry_tone_rms ((const gint16 *) wav->samples->data, wav->samples->len);
  g_test_message ("B recorded %u samples at RMS %.1f while A was muted", wav->samples->len, rms);
  g_assert_cmpuint (wav->samples->len, >, 8000);
  g_assert_cmpfloat (rms, <, 50.0);
  /* And B was heard by A all along. */
  assert_tone (fixture->record_a, 8000, TONE_B_HZ);
}

static const ToneCase pcmu_case = {
  { "PCMU", NULL }, { "PCMU", NULL }, "PCMU", 8000
};

/* The answer keeps the first codec of the offer that both have, not the
 * answerer's favourite. */
static const ToneCase g722_case = {
  { "opus", "G722", "PCMU", NULL }, { "PCMU", "G722", NULL }, "G722", 16000
};

static const ToneCase opus_case = {
  { "opus", "PCMU", NULL }, { "PCMU", "opus", NULL }, "opus", 48000
};

static const ToneCase pcma_case = {
  { "PCMA", NULL }, { "GSM", "PCMA", NULL }, "PCMA", 8000
};

static const ToneCase gsm_case = {
  { "GSM", "PCMU", NULL }, { "GSM", NULL }, "GSM", 8000
};

static void
reinvite (Fixture  *fixture,
          gboolean  hold)
{
  BelfrySessionInviteOptions options = { .hold = hold };
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GError) error = NULL;

  belfry_session_invite_async (BELFRY_SESSION (fixture->inviter), &options, NULL, belfry_test_store_result_cb,
                               &result);
  g_assert_true (belfry_test_wait_until (belfry_test_pointer_set, &result, WAIT_MS));
  g_assert_true (belfry_session_invite_finish (BELFRY_SESSION (fixture->inviter), result, &error));
  g_assert_no_error (error);
}

static guint64
packets_received (BelfryMediaHandler *handler)
{
  guint64 received = 0;

  belfry_media_handler_get_rtp_stats (handler, NULL, &received);
  return received;
}

typedef struct {
  BelfryMediaHandler *handler;
  guint64 last;
  gint64 last_change;
} Silence;

/* True once no packet came for 300 ms. */
static gboolean
quiet_for_a_while (gpointer data)
{
  Silence *silence = data;
  guint64 now = packets_received (silence->handler);

  if (now != silence->last) {
    silence->last = now;
    silence->last_change = g_get_monotonic_time ();
    return FALSE;
  }
  return g_get_monotonic_time () - silence->last_change >= 300 * 1000;
}

static void
test_hold (Fixture       *fixture,
           gconstpointer  data)
{
  static const char * const pcmu[] = { "PCMU", NULL };
  BelfryMediaHandler *caller, *callee;
  g_autoptr (GError) error = NULL;
  Silence silence;
  PacketGoal goal;
  gint64 held_at;
  guint64 frozen;

  belfry_media_engine_set_codecs (fixture->engine_a, pcmu);
  belfry_media_engine_set_codecs (fixture->engine_b, pcmu);
  write_tones (fixture, 8000);

  error = place_call (fixture);
  g_assert_no_error (error);
  caller = handler_of (fixture->inviter);
  callee = handler_of (fixture->invitation);

  goal = (PacketGoal) { callee, 25 };
  g_assert_true (belfry_test_wait_until (received_enough, &goal, WAIT_MS));

  /* Hold: A offers sendonly, B answers recvonly, and A's RTP stops. */
  reinvite (fixture, TRUE);
  held_at = g_get_monotonic_time ();
  g_assert_true (belfry_media_handler_get_local_hold (caller));
  g_assert_true (belfry_media_handler_get_remote_hold (callee));
  g_assert_false (belfry_media_handler_get_local_hold (callee));

  silence = (Silence) { callee, packets_received (callee), g_get_monotonic_time () };
  g_assert_true (belfry_test_wait_until (quiet_for_a_while, &silence, 1000 + 300));
  g_assert_cmpint (silence.last_change - held_at, <, 1000 * 1000);
  frozen = packets_received (callee);
  belfry_test_observe_for (500);
  g_assert_cmpuint (packets_received (callee), ==, frozen);

  /* B, held, sends nothing either: its answer was recvonly. */
  silence = (Silence) { caller, packets_received (caller), g_get_monotonic_time () };
  g_assert_true (belfry_test_wait_until (quiet_for_a_while, &silence, 1000 + 300));

  /* Resume: RTP comes back within a second. */
  reinvite (fixture, FALSE);
  g_assert_false (belfry_media_handler_get_local_hold (caller));
  g_assert_false (belfry_media_handler_get_remote_hold (callee));
  goal = (PacketGoal) { callee, frozen + 10 };
  g_assert_true (belfry_test_wait_until (received_enough, &goal, 1000));
  goal = (PacketGoal) { caller, packets_received (caller) + 10 };
  g_assert_true (belfry_test_wait_until (received_enough, &goal, 1000));

  hang_up (fixture);
}

static void
test_no_common_codec (Fixture       *fixture,
                      gconstpointer  data)
{
  static const char * const pcmu[] = { "PCMU", NULL };
  static const char * const opus[] = { "opus", NULL };
  g_autoptr (GError) error = NULL;
  g_autoptr (GError) accept_error = NULL;

  belfry_media_engine_set_codecs (fixture->engine_a, pcmu);
  belfry_media_engine_set_codecs (fixture->engine_b, opus);
  write_tones (fixture, 8000);

  error = place_call (fixture);
  g_assert_nonnull (error);
  g_test_message ("caller's error: %s", error->message);
  g_assert_cmpuint (belfry_sip_error_get_status (error), ==, 488);
  g_assert_cmpint (belfry_session_get_state (BELFRY_SESSION (fixture->inviter)), ==,
                   BELFRY_SESSION_STATE_TERMINATED);

  g_assert_true (belfry_test_wait_until (belfry_test_pointer_set, &fixture->accept_result, WAIT_MS));
  g_assert_false (belfry_invitation_accept_finish (fixture->invitation, fixture->accept_result,
                                                   &accept_error));
  g_assert_error (accept_error, BELFRY_SIP_ERROR, BELFRY_SIP_ERROR_NOT_ACCEPTABLE);
}

static void
dtmf_cb (BelfryMediaHandler *handler,
         gchar               digit,
         GString            *digits)
{
  g_string_append_c (digits, digit);
}

typedef struct {
  GString *digits;
  guint count;
} DigitGoal;

static gboolean
digits_arrived (gpointer data)
{
  DigitGoal *goal = data;

  return goal->digits->len >= goal->count;
}

static void
test_dtmf (Fixture       *fixture,
           gconstpointer  data)
{
  static const char * const pcmu[] = { "PCMU", NULL };
  g_autoptr (GString) digits = g_string_new (NULL);
  g_autoptr (GError) error = NULL;
  DigitGoal goal = { digits, 3 };
  BelfryMediaHandler *callee;

  belfry_media_engine_set_codecs (fixture->engine_a, pcmu);
  belfry_media_engine_set_codecs (fixture->engine_b, pcmu);
  write_tones (fixture, 8000);

  error = place_call (fixture);
  g_assert_no_error (error);
  callee = handler_of (fixture->invitation);
  g_signal_connect (callee, "dtmf-received", G_CALLBACK (dtmf_cb), digits);

  g_assert_false (belfry_session_description_handler_send_dtmf (
    BELFRY_SESSION_DESCRIPTION_HANDLER (handler_of (fixture->inviter)), "1x"));
  g_assert_true (belfry_session_description_handler_send_dtmf (
    BELFRY_SESSION_DESCRIPTION_HANDLER (handler_of (fixture->inviter)), "1#9"));
  g_assert_true (belfry_test_wait_until (digits_arrived, &goal, WAIT_MS));
  g_assert_cmpstr (digits->str, ==, "1#9");

  g_signal_handlers_disconnect_by_data (callee, digits);
  hang_up (fixture);
}

/* ---- Play files of any rate ---- */

static void
test_wav_convert (void)
{
  static const guint rates[] = { 8000, 16000, 22050, 32000, 44100, 48000 };
  static const guint targets[] = { 8000, 16000, 48000 };
  g_autoptr (BelfryMediaEngine) engine = belfry_media_engine_new ();
  MSFactory *factory = belfry_media_engine_get_factory (engine);
  g_autoptr (GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("belfry-wav-XXXXXX", &error);
  g_autofree char *input = g_build_filename (dir, "in.wav", NULL);
  g_autofree char *output = g_build_filename (dir, "out.wav", NULL);

  g_assert_no_error (error);
  for (guint r = 0; r < G_N_ELEMENTS (rates); r++) {
    for (guint channels = 1; channels <= 2; channels++) {
      g_assert_true (belfry_tone_write_wav_full (input, rates[r], channels, channels == 2,
                                                 TONE_A_HZ, 2.0, AMPLITUDE, &error));
      for (guint t = 0; t < G_N_ELEMENTS (targets); t++) {
        g_autoptr (BelfryWav) wav = NULL;
        g_autofree char *report = NULL;
        guint rate, n_channels, bits;

        g_assert_true (belfry_media_wav_convert (factory, input, output, targets[t], &error));
        g_assert_no_error (error);
        g_assert_true (belfry_media_wav_probe (output, &rate, &n_channels, &bits, &error));
        g_assert_cmpuint (rate, ==, targets[t]);
        g_assert_cmpuint (n_channels, ==, 1);
        g_assert_cmpuint (bits, ==, 16);
        wav = belfry_wav_read (output, &error);
        g_assert_no_error (error);
        /* Two seconds in, two seconds out, at the same pitch and level. */
        g_assert_cmpint (ABS ((int) wav->samples->len - (int) (2 * targets[t])), <=, 2);
        if (!belfry_tone_check (wav, TONE_A_HZ, 15.0, 1.5, 5000.0, 6300.0, &report))
          g_test_fail_printf ("%u Hz, %u channels to %u Hz: %s", rates[r], channels,
                              targets[t], report);
      }
    }
  }

  /* What is not a WAV file says so. */
  g_assert_true (g_file_set_contents (input, "RIFF....WAVEnothing", -1, &error));
  g_assert_false (belfry_media_wav_convert (factory, input, output, 8000, &error));
  g_assert_error (error, BELFRY_MEDIA_ERROR, BELFRY_MEDIA_ERROR_FILE);

  g_unlink (input);
  g_unlink (output);
  g_rmdir (dir);
}

/* Float samples that are NaN or infinite (tests/fuzz/corpus/wav/crash-float-nan,
 * found by fuzz-wav) were cast to 16 bits, which C leaves undefined; they
 * play as silence, and loud ones clip. */
static void
test_wav_non_finite_float (void)
{
  g_autoptr (BelfryMediaEngine) engine = belfry_media_engine_new ();
  MSFactory *factory = belfry_media_engine_get_factory (engine);
  g_autoptr (GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("belfry-wav-XXXXXX", &error);
  g_autofree char *output = g_build_filename (dir, "out.wav", NULL);
  g_autofree char *input = g_test_build_filename (G_TEST_DIST, "fuzz", "corpus", "wav",
                                                  "crash-float-nan", NULL);
  guint rate, channels, bits;

  g_assert_no_error (error);
  for (guint target = 8000; target <= 48000; target *= 2) {
    g_autoptr (BelfryWav) wav = NULL;

    g_assert_true (belfry_media_wav_convert (factory, input, output, target, &error));
    g_assert_no_error (error);
    g_assert_true (belfry_media_wav_probe (output, &rate, &channels, &bits, &error));
    g_assert_cmpuint (rate, ==, target);
    wav = belfry_wav_read (output, &error);
    g_assert_no_error (error);
  }

  g_unlink (output);
  g_rmdir (dir);
}

/* A header's rate sizes the resampler's filter: a file claiming 4 GHz
 * asks for gigabytes. Rates beyond any sound card's are refused. */
static void
test_wav_absurd_rate (void)
{
  static const guint8 header[] = {
    'R', 'I', 'F', 'F', 40, 0, 0, 0, 'W', 'A', 'V', 'E',
    'f', 'm', 't', ' ', 16, 0, 0, 0, 1, 0, 1, 0, 0, 0x28, 0x6b, 0xee, 0, 0, 0, 0, 2, 0, 16, 0,
    'd', 'a', 't', 'a', 4, 0, 0, 0, 0, 0, 0, 0,
  };
  g_autoptr (GError) error = NULL;
  g_autofree char *input = NULL;
  int fd = g_file_open_tmp ("belfry-wav-XXXXXX.wav", &input, &error);
  guint rate, channels, bits;

  g_assert_no_error (error);
  close (fd);
  g_assert_true (g_file_set_contents (input, (const char *) header, sizeof header, &error));
  /* --play probes a file before it converts it; both read the header
   * the same way. */
  g_assert_false (belfry_media_wav_probe (input, &rate, &channels, &bits, &error));
  g_assert_error (error, BELFRY_MEDIA_ERROR, BELFRY_MEDIA_ERROR_FILE);
  g_unlink (input);
}

typedef struct {
  const char *codec;
  guint codec_rate;
} ResampleCase;

static void
test_resample_call (Fixture       *fixture,
                    gconstpointer  data)
{
  const ResampleCase *resample_case = data;
  const char *codecs[] = { resample_case->codec, NULL };
  g_autoptr (GError) error = NULL;
  PacketGoal goal;

  /* A sends 44.1 kHz mono, B 16 kHz stereo: neither is the codec's rate. */
  belfry_media_engine_set_codecs (fixture->engine_a, codecs);
  belfry_media_engine_set_codecs (fixture->engine_b, codecs);
  g_assert_true (belfry_tone_write_wav_full (fixture->play_a, 44100, 1, FALSE, TONE_A_HZ, 2.0,
                                             AMPLITUDE, &error));
  g_assert_true (belfry_tone_write_wav_full (fixture->play_b, 16000, 2, TRUE, TONE_A_HZ, 2.0,
                                             AMPLITUDE, &error));

  error = place_call (fixture);
  g_assert_no_error (error);
  g_assert_cmpstr (belfry_media_handler_get_codec (handler_of (fixture->inviter)), ==,
                   resample_case->codec);

  goal = (PacketGoal) { handler_of (fixture->invitation), 75 };
  g_assert_true (belfry_test_wait_until (received_enough, &goal, WAIT_MS));
  goal = (PacketGoal) { handler_of (fixture->inviter), 75 };
  g_assert_true (belfry_test_wait_until (received_enough, &goal, WAIT_MS));
  hang_up (fixture);

  assert_tone (fixture->record_b, resample_case->codec_rate, TONE_A_HZ);
  assert_tone (fixture->record_a, resample_case->codec_rate, TONE_A_HZ);
}

static const ResampleCase resample_pcmu = { "PCMU", 8000 };
static const ResampleCase resample_opus = { "opus", 48000 };

/* ---- RTP inactivity ---- */

static void
failed_cb (BelfryMediaHandler  *handler,
           const GError        *error,
           GError             **slot)
{
  g_assert_null (*slot);
  *slot = g_error_copy (error);
}

static void
test_rtp_timeout (Fixture       *fixture,
                  gconstpointer  data)
{
  static const char * const pcmu[] = { "PCMU", NULL };
  g_autoptr (GError) error = NULL;
  g_autoptr (GError) caller_failed = NULL;
  g_autoptr (GError) callee_failed = NULL;
  BelfryMediaHandler *caller, *callee;
  PacketGoal goal;
  gint64 stopped_at;

  belfry_media_engine_set_codecs (fixture->engine_a, pcmu);
  belfry_media_engine_set_codecs (fixture->engine_b, pcmu);
  belfry_media_engine_set_rtp_timeout (fixture->engine_a, 2);
  belfry_media_engine_set_rtp_timeout (fixture->engine_b, 2);
  write_tones (fixture, 8000);

  error = place_call (fixture);
  g_assert_no_error (error);
  caller = handler_of (fixture->inviter);
  callee = handler_of (fixture->invitation);
  g_signal_connect (caller, "failed", G_CALLBACK (failed_cb), &caller_failed);
  g_signal_connect (callee, "failed", G_CALLBACK (failed_cb), &callee_failed);
  goal = (PacketGoal) { callee, 25 };
  g_assert_true (belfry_test_wait_until (received_enough, &goal, WAIT_MS));

  /* While A holds, neither side sends: longer than the timeout, and no
   * side complains. */
  reinvite (fixture, TRUE);
  belfry_test_observe_for (3500);
  g_assert_no_error (caller_failed);
  g_assert_no_error (callee_failed);

  reinvite (fixture, FALSE);
  goal = (PacketGoal) { caller, packets_received (caller) + 25 };
  g_assert_true (belfry_test_wait_until (received_enough, &goal, WAIT_MS));
  g_assert_no_error (caller_failed);

  /* B's media goes without a word of signaling, as when its process dies
   * or its network goes: A reports it after about two seconds. */
  belfry_session_description_handler_close (BELFRY_SESSION_DESCRIPTION_HANDLER (callee));
  stopped_at = g_get_monotonic_time ();
  g_assert_true (belfry_test_wait_until (belfry_test_pointer_set, &caller_failed, 2000 + 3000));
  g_assert_error (caller_failed, BELFRY_MEDIA_ERROR, BELFRY_MEDIA_ERROR_TIMEOUT);
  g_assert_cmpstr (caller_failed->message, ==, "No audio from the other side for 2 s");
  g_assert_cmpint (g_get_monotonic_time () - stopped_at, >=, 1500 * 1000);
  g_assert_no_error (callee_failed);

  /* And the call ends by itself: A sends BYE with a Reason and says why. */
  g_assert_true (belfry_test_wait_until (session_ended, fixture->inviter, WAIT_MS));
  g_assert_true (belfry_test_wait_until (session_ended, fixture->invitation, WAIT_MS));
  {
    g_autofree char *reason = NULL;

    g_object_get (fixture->inviter, "termination-reason", &reason, NULL);
    g_assert_cmpstr (reason, ==, "No audio from the other side for 2 s");
  }

  g_signal_handlers_disconnect_by_data (caller, &caller_failed);
  g_signal_handlers_disconnect_by_data (callee, &callee_failed);
}

/* ---- SRTP ---- */

typedef struct {
  GSubprocess *process;
  char *path;
} Capture;

static goffset
file_size (const char *path)
{
  GStatBuf buf;

  return g_stat (path, &buf) == 0 ? buf.st_size : 0;
}

static gboolean
file_not_empty (gpointer data)
{
  return file_size (data) > 0;
}

typedef struct {
  const char *path;
  goffset header_size;
  GSocket *socket;
  GSocketAddress *sink;
} ProbeWait;

/* Sends one more datagram to a socket nobody reads, and tells whether the
 * capture has recorded one: then it is capturing. */
static gboolean
probe_captured (gpointer data)
{
  ProbeWait *wait = data;

  g_socket_send_to (wait->socket, wait->sink, "probe", 5, NULL, NULL);
  return file_size (wait->path) > wait->header_size;
}

/* tshark on loopback, all UDP, into a file; NULL without tshark. */
static Capture *
capture_start (const char *dir)
{
  g_autofree char *tshark = g_find_program_in_path ("tshark");
  g_autoptr (GError) error = NULL;
  Capture *capture;

  if (tshark == NULL)
    return NULL;

  capture = g_new0 (Capture, 1);
  capture->path = g_build_filename (dir, "capture.pcapng", NULL);
  /* The capture stops by itself after a minute, should the test die. */
  capture->process = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE |
                                       G_SUBPROCESS_FLAGS_STDERR_SILENCE, &error,
                                       tshark, "-i", "lo", "-f", "udp", "-w", capture->path,
                                       "-a", "duration:60", NULL);
  g_assert_no_error (error);
  /* The file gets its header once the interface is open, and grows once a
   * packet went through the filter. */
  g_assert_true (belfry_test_wait_until (file_not_empty, capture->path, 10000));
  {
    g_autoptr (GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
    g_autoptr (GSocketAddress) any = g_inet_socket_address_new (loopback, 0);
    g_autoptr (GSocket) sink = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_DATAGRAM,
                                             G_SOCKET_PROTOCOL_UDP, &error);
    g_autoptr (GSocket) socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_DATAGRAM,
                                               G_SOCKET_PROTOCOL_UDP, &error);
    g_autoptr (GSocketAddress) sink_address = NULL;
    ProbeWait wait = { capture->path, file_size (capture->path), socket, NULL };

    g_assert_no_error (error);
    g_assert_true (g_socket_bind (sink, any, FALSE, &error));
    g_assert_no_error (error);
    sink_address = g_socket_get_local_address (sink, &error);
    g_assert_no_error (error);
    wait.sink = sink_address;
    g_assert_true (belfry_test_wait_until (probe_captured, &wait, 10000));
  }
  return capture;
}

static void
capture_stop (Capture *capture)
{
  belfry_test_stop_process (capture->process, SIGINT, 10000);
}

static void
capture_free (Capture *capture)
{
  g_unlink (capture->path);
  g_free (capture->path);
  g_clear_object (&capture->process);
  g_free (capture);
}

static gsize
parse_hex (const char *text,
           guint8     *bytes,
           gsize       size)
{
  gsize n = 0;

  /* Hex bytes, with or without colons between them. */
  for (const char *p = text; p[0] != '\0' && p[1] != '\0' && n < size;) {
    if (!g_ascii_isxdigit (p[0])) {
      p++;
      continue;
    }
    bytes[n++] = (guint8) (g_ascii_xdigit_value (p[0]) << 4 | g_ascii_xdigit_value (p[1]));
    p += 2;
  }
  return n;
}

/* The payloads of the PCMU RTP packets sent to @port, decoded as PCMU.
 * The RTP header is read here, not by tshark, whose SRTP dissector would
 * otherwise take the packets of a call with a=crypto. */
static GArray *
captured_pcmu (Capture *capture,
               int      port,
               guint   *n_packets)
{
  g_autofree char *filter = g_strdup_printf ("udp.dstport==%d", port);
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autoptr (GError) error = NULL;
  g_auto (GStrv) lines = NULL;
  const char *argv[] = { "tshark", "-r", capture->path, "-Y", filter,
                         "-T", "fields", "-e", "udp.payload", NULL };
  GArray *samples = g_array_new (FALSE, FALSE, sizeof (gint16));
  int status;

  g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL,
                               &out, &err, &status, &error));
  g_assert_no_error (error);
  if (!g_spawn_check_wait_status (status, NULL))
    g_test_message ("tshark: %s", err);

  *n_packets = 0;
  lines = g_strsplit (out, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++) {
    guint8 packet[2048];
    gsize length = parse_hex (lines[i], packet, sizeof packet);
    gsize header;

    /* RTP version 2, payload type 0, then CSRCs and an extension. */
    if (length < 12 || (packet[0] >> 6) != 2 || (packet[1] & 0x7f) != 0)
      continue;
    header = 12 + 4 * (packet[0] & 0x0f);
    if ((packet[0] & 0x10) != 0 && length >= header + 4)
      header += 4 + 4 * (packet[header + 2] << 8 | packet[header + 3]);
    if (header >= length)
      continue;

    (*n_packets)++;
    for (gsize j = header; j < length; j++) {
      gint16 sample = ulaw_decode (packet[j]);

      g_array_append_val (samples, sample);
    }
  }
  return samples;
}

static void
set_srtp (BelfryMediaEngine *engine,
          BelfryMediaSrtp    srtp)
{
  g_object_set (engine, "srtp", srtp, "allow-srtp-without-tls", TRUE, NULL);
}

/* A call whose A-to-B audio is captured: SRTP when @data is non-NULL. */
static void
test_capture (Fixture       *fixture,
              gconstpointer  data)
{
  static const char * const pcmu[] = { "PCMU", NULL };
  gboolean srtp = data != NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GArray) samples = NULL;
  Capture *capture;
  PacketGoal goal;
  guint n_packets = 0;
  double ratio;
  int port;

  belfry_media_engine_set_codecs (fixture->engine_a, pcmu);
  belfry_media_engine_set_codecs (fixture->engine_b, pcmu);
  if (srtp) {
    set_srtp (fixture->engine_a, BELFRY_MEDIA_SRTP_MANDATORY);
    set_srtp (fixture->engine_b, BELFRY_MEDIA_SRTP_MANDATORY);
  }
  write_tones (fixture, 8000);

  capture = capture_start (fixture->dir);
  if (capture == NULL) {
    g_test_skip ("tshark is not installed");
    return;
  }

  error = place_call (fixture);
  g_assert_no_error (error);
  g_assert_cmpstr (belfry_media_handler_get_srtp_suite (handler_of (fixture->inviter)), ==,
                   srtp ? "AES_CM_128_HMAC_SHA1_80" : NULL);
  g_assert_cmpstr (belfry_media_handler_get_srtp_suite (handler_of (fixture->invitation)), ==,
                   srtp ? "AES_CM_128_HMAC_SHA1_80" : NULL);
  port = belfry_media_handler_get_local_port (handler_of (fixture->invitation));

  goal = (PacketGoal) { handler_of (fixture->invitation), 75 };
  g_assert_true (belfry_test_wait_until (received_enough, &goal, WAIT_MS));
  goal = (PacketGoal) { handler_of (fixture->inviter), 75 };
  g_assert_true (belfry_test_wait_until (received_enough, &goal, WAIT_MS));
  hang_up (fixture);
  capture_stop (capture);

  /* The tone arrived either way... */
  assert_tone (fixture->record_b, 8000, TONE_A_HZ);
  assert_tone (fixture->record_a, 8000, TONE_B_HZ);

  /* ...but only plain RTP shows it on the wire. */
  samples = captured_pcmu (capture, port, &n_packets);
  ratio = belfry_tone_goertzel_ratio ((const gint16 *) samples->data, samples->len, 8000, TONE_A_HZ);
  g_test_message ("%u packets to port %d, %u payload bytes, %.3f of the energy at %.0f Hz",
                  n_packets, port, samples->len, ratio, TONE_A_HZ);
  g_assert_cmpuint (n_packets, >=, 50);
  if (srtp)
    g_assert_cmpfloat (ratio, <, 0.05);
  else
    g_assert_cmpfloat (ratio, >, 0.5);

  capture_free (capture);
}

typedef struct {
  BelfryMediaSrtp caller;
  BelfryMediaSrtp callee;
  const char *callee_reason;
} SrtpRefusal;

static void
test_srtp_refused (Fixture       *fixture,
                   gconstpointer  data)
{
  const SrtpRefusal *refusal = data;
  static const char * const pcmu[] = { "PCMU", NULL };
  g_autoptr (GError) error = NULL;
  g_autoptr (GError) accept_error = NULL;

  belfry_media_engine_set_codecs (fixture->engine_a, pcmu);
  belfry_media_engine_set_codecs (fixture->engine_b, pcmu);
  set_srtp (fixture->engine_a, refusal->caller);
  set_srtp (fixture->engine_b, refusal->callee);
  write_tones (fixture, 8000);

  error = place_call (fixture);
  g_assert_nonnull (error);
  g_test_message ("caller's error: %s", error->message);
  g_assert_cmpuint (belfry_sip_error_get_status (error), ==, 488);

  g_assert_true (belfry_test_wait_until (belfry_test_pointer_set, &fixture->accept_result, WAIT_MS));
  g_assert_false (belfry_invitation_accept_finish (fixture->invitation, fixture->accept_result,
                                                   &accept_error));
  g_assert_error (accept_error, BELFRY_SIP_ERROR, BELFRY_SIP_ERROR_NOT_ACCEPTABLE);
  /* The session may put the handler's reason in a sentence of its own. */
  g_test_message ("callee's error: %s", accept_error->message);
  g_assert_nonnull (strstr (accept_error->message, refusal->callee_reason));
}

static const SrtpRefusal plain_to_mandatory = {
  BELFRY_MEDIA_SRTP_OFF, BELFRY_MEDIA_SRTP_MANDATORY, "The other side does not offer encrypted audio"
};
static const SrtpRefusal optional_to_mandatory_savp = {
  BELFRY_MEDIA_SRTP_MANDATORY, BELFRY_MEDIA_SRTP_OFF,
  "The other side wants encrypted audio, which is turned off"
};

/* Optional SRTP offers keys on RTP/AVP: a plain peer takes the call
 * without them, an SRTP one with them. */
static void
test_srtp_optional (Fixture       *fixture,
                    gconstpointer  data)
{
  static const char * const pcmu[] = { "PCMU", NULL };
  g_autoptr (GError) error = NULL;
  PacketGoal goal;

  belfry_media_engine_set_codecs (fixture->engine_a, pcmu);
  belfry_media_engine_set_codecs (fixture->engine_b, pcmu);
  set_srtp (fixture->engine_a, BELFRY_MEDIA_SRTP_OPTIONAL);
  set_srtp (fixture->engine_b, data != NULL ? BELFRY_MEDIA_SRTP_OPTIONAL : BELFRY_MEDIA_SRTP_OFF);
  write_tones (fixture, 8000);

  error = place_call (fixture);
  g_assert_no_error (error);
  g_assert_cmpstr (belfry_media_handler_get_srtp_suite (handler_of (fixture->inviter)), ==,
                   data != NULL ? "AES_CM_128_HMAC_SHA1_80" : NULL);
  goal = (PacketGoal) { handler_of (fixture->invitation), 75 };
  g_assert_true (belfry_test_wait_until (received_enough, &goal, WAIT_MS));
  hang_up (fixture);
  assert_tone (fixture->record_b, 8000, TONE_A_HZ);
}

/* ---- DTMF through the session, both ways of sending ---- */

static void
session_dtmf_cb (BelfrySession *session,
                 gchar          digit,
                 GString       *digits)
{
  g_string_append_c (digits, digit);
}

static gboolean
count_info_cb (BelfrySession         *session,
               BelfryIncomingRequest *request,
               guint                 *count)
{
  (*count)++;
  return FALSE;
}

static void
test_session_dtmf (Fixture       *fixture,
                   gconstpointer  data)
{
  static const char * const pcmu[] = { "PCMU", NULL };
  static const char digits_sent[] = "0123456789*#";
  gboolean by_info = data != NULL;
  g_autoptr (GString) digits = g_string_new (NULL);
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GError) error = NULL;
  DigitGoal goal = { digits, strlen (digits_sent) };
  guint infos = 0;

  belfry_media_engine_set_codecs (fixture->engine_a, pcmu);
  belfry_media_engine_set_codecs (fixture->engine_b, pcmu);
  belfry_media_engine_set_telephone_event (fixture->engine_a, !by_info);
  belfry_media_engine_set_telephone_event (fixture->engine_b, !by_info);
  write_tones (fixture, 8000);

  error = place_call (fixture);
  g_assert_no_error (error);
  g_signal_connect (fixture->invitation, "dtmf", G_CALLBACK (session_dtmf_cb), digits);
  g_signal_connect (fixture->invitation, "info", G_CALLBACK (count_info_cb), &infos);

  /* Without telephone-event the media path says no, and INFO takes over. */
  if (by_info)
    g_assert_false (belfry_session_description_handler_send_dtmf (
      BELFRY_SESSION_DESCRIPTION_HANDLER (handler_of (fixture->inviter)), "1"));

  belfry_session_send_dtmf_async (BELFRY_SESSION (fixture->inviter), digits_sent, NULL,
                                  belfry_test_store_result_cb, &result);
  g_assert_true (belfry_test_wait_until (belfry_test_pointer_set, &result, WAIT_MS));
  g_assert_true (belfry_session_send_dtmf_finish (BELFRY_SESSION (fixture->inviter), result,
                                                  &error));
  g_assert_no_error (error);
  g_assert_true (belfry_test_wait_until (digits_arrived, &goal, WAIT_MS));
  /* A little longer, so that a digit sent twice would show. */
  belfry_test_observe_for (300);
  g_assert_cmpstr (digits->str, ==, digits_sent);
  g_assert_cmpuint (infos, ==, by_info ? strlen (digits_sent) : 0);

  g_signal_handlers_disconnect_by_data (fixture->invitation, digits);
  g_signal_handlers_disconnect_by_data (fixture->invitation, &infos);
  hang_up (fixture);
}

/* ---- Many calls at once ---- */

#define N_CALLS 20

typedef struct {
  Fixture *fixture;
  BelfryMediaEngine *engines[N_CALLS];
  BelfryUserAgent *uas[N_CALLS];
  BelfryInviter *inviters[N_CALLS];
  GAsyncResult *invite_results[N_CALLS];
  char *records[N_CALLS];
  GPtrArray *invitations;
  /* Fixed slots: the accept callbacks write into them. */
  GAsyncResult *accept_results[N_CALLS];
} Many;

static void
many_invite_cb (BelfryUserAgent  *ua,
                BelfryInvitation *invitation,
                Many             *many)
{
  guint index = many->invitations->len;

  g_assert_cmpuint (index, <, N_CALLS);
  g_ptr_array_add (many->invitations, g_object_ref (invitation));
  belfry_invitation_accept_async (invitation, NULL, belfry_test_store_result_cb,
                                  &many->accept_results[index]);
}

static gboolean
all_set (gpointer data)
{
  gpointer *slots = data;

  for (guint i = 0; i < N_CALLS; i++) {
    if (slots[i] == NULL)
      return FALSE;
  }
  return TRUE;
}

static gboolean
all_received (gpointer data)
{
  Many *many = data;

  if (many->invitations->len < N_CALLS)
    return FALSE;
  for (guint i = 0; i < N_CALLS; i++) {
    if (packets_received (handler_of (many->invitations->pdata[i])) < 75 ||
        packets_received (handler_of (many->inviters[i])) < 75)
      return FALSE;
  }
  return TRUE;
}

static gboolean
all_ended (gpointer data)
{
  Many *many = data;

  for (guint i = 0; i < many->invitations->len; i++) {
    if (!session_ended (many->invitations->pdata[i]))
      return FALSE;
  }
  for (guint i = 0; i < N_CALLS; i++) {
    if (!session_ended (many->inviters[i]))
      return FALSE;
  }
  return TRUE;
}

/* One user agent (B) answers N_CALLS callers at once; every caller hears
 * B's tone and B gets audio from every caller. */
static void
test_many_calls (Fixture       *fixture,
                 gconstpointer  data)
{
  static const char * const pcmu[] = { "PCMU", NULL };
  g_autofree char *uri = g_strdup_printf ("sip:bob@127.0.0.1:%d",
                                          belfry_user_agent_get_port (fixture->ua_b));
  g_autoptr (BelfryNameAddr) target = belfry_name_addr_parse (uri, NULL);
  Many many = { fixture };

  many.invitations = g_ptr_array_new_with_free_func (g_object_unref);
  belfry_media_engine_set_codecs (fixture->engine_b, pcmu);
  write_tones (fixture, 8000);
  /* B plays its tone to everyone; what it gets goes nowhere but its
   * counters, since one file cannot take twenty streams. */
  belfry_media_engine_set_record_file (fixture->engine_b, NULL);
  g_signal_handlers_disconnect_by_data (fixture->ua_b, fixture);
  g_signal_connect (fixture->ua_b, "invite", G_CALLBACK (many_invite_cb), &many);

  for (guint i = 0; i < N_CALLS; i++) {
    g_autofree char *user = g_strdup_printf ("caller%u", i);
    g_autofree char *name = g_strdup_printf ("record-%u.wav", i);

    many.records[i] = g_build_filename (fixture->dir, name, NULL);
    many.engines[i] = belfry_media_engine_new ();
    g_object_set (many.engines[i], "bind-address", "127.0.0.1", "play-file", fixture->play_a,
                  "record-file", many.records[i], NULL);
    belfry_media_engine_set_codecs (many.engines[i], pcmu);
    many.uas[i] = start_user_agent (user, many.engines[i]);
  }

  for (guint i = 0; i < N_CALLS; i++) {
    many.inviters[i] = belfry_inviter_new (many.uas[i], target);
    belfry_session_invite_async (BELFRY_SESSION (many.inviters[i]), NULL, NULL, belfry_test_store_result_cb,
                                 &many.invite_results[i]);
  }
  g_assert_true (belfry_test_wait_until (all_set, many.invite_results, 20000));
  for (guint i = 0; i < N_CALLS; i++) {
    g_autoptr (GError) error = NULL;

    g_assert_true (belfry_session_invite_finish (BELFRY_SESSION (many.inviters[i]),
                                                 many.invite_results[i], &error));
    g_assert_no_error (error);
  }
  g_assert_cmpuint (many.invitations->len, ==, N_CALLS);
  g_assert_true (belfry_test_wait_until (all_set, many.accept_results, 20000));
  for (guint i = 0; i < N_CALLS; i++) {
    g_autoptr (GError) error = NULL;

    g_assert_true (belfry_invitation_accept_finish (many.invitations->pdata[i],
                                                    many.accept_results[i], &error));
    g_assert_no_error (error);
  }

  /* 1.5 s of audio each way on every call. */
  g_assert_true (belfry_test_wait_until (all_received, &many, 20000));

  for (guint i = 0; i < N_CALLS; i++)
    belfry_session_bye_async (BELFRY_SESSION (many.inviters[i]), NULL, NULL, NULL);
  g_assert_true (belfry_test_wait_until (all_ended, &many, 20000));

  for (guint i = 0; i < N_CALLS; i++)
    assert_tone (many.records[i], 8000, TONE_B_HZ);

  g_signal_handlers_disconnect_by_data (fixture->ua_b, &many);
  for (guint i = 0; i < N_CALLS; i++) {
    stop_user_agent (many.uas[i]);
    g_clear_object (&many.inviters[i]);
    g_clear_object (&many.invite_results[i]);
    g_clear_object (&many.uas[i]);
  }
  for (guint i = 0; i < N_CALLS; i++)
    g_clear_object (&many.accept_results[i]);
  g_ptr_array_unref (many.invitations);
  for (guint i = 0; i < N_CALLS; i++) {
    belfry_test_assert_finalized (g_steal_pointer (&many.engines[i]), WAIT_MS);
    g_free (many.records[i]);
  }
}

int
main (int   argc,
      char *argv[])
{
  belfry_test_init (&argc, &argv);

  g_test_add ("/belfry/media/call/mute", Fixture, NULL, fixture_set_up, test_mute,
              fixture_tear_down);
  g_test_add ("/belfry/media/call/audio-thread", Fixture, NULL, fixture_set_up, test_audio_thread,
              fixture_tear_down);
  g_test_add ("/belfry/media/call/pcmu", Fixture, &pcmu_case, fixture_set_up, test_tone,
              fixture_tear_down);
  g_test_add ("/belfry/media/call/g722", Fixture, &g722_case, fixture_set_up, test_tone,
              fixture_tear_down);
  g_test_add ("/belfry/media/call/opus", Fixture, &opus_case, fixture_set_up, test_tone,
              fixture_tear_down);
  g_test_add ("/belfry/media/call/pcma", Fixture, &pcma_case, fixture_set_up, test_tone,
              fixture_tear_down);
  g_test_add ("/belfry/media/call/gsm", Fixture, &gsm_case, fixture_set_up, test_tone,
              fixture_tear_down);
  g_test_add ("/belfry/media/call/hold", Fixture, NULL, fixture_set_up, test_hold,
              fixture_tear_down);
  g_test_add ("/belfry/media/call/no-common-codec", Fixture, NULL, fixture_set_up,
              test_no_common_codec, fixture_tear_down);
  g_test_add ("/belfry/media/call/dtmf", Fixture, NULL, fixture_set_up, test_dtmf,
              fixture_tear_down);
  g_test_add_func ("/belfry/media/wav/convert", test_wav_convert);
  g_test_add_func ("/belfry/media/wav/non-finite-float", test_wav_non_finite_float);
  g_test_add_func ("/belfry/media/wav/absurd-rate", test_wav_absurd_rate);
  g_test_add ("/belfry/media/call/resample-pcmu", Fixture, &resample_pcmu, fixture_set_up,
              test_resample_call, fixture_tear_down);
  g_test_add ("/belfry/media/call/resample-opus", Fixture, &resample_opus, fixture_set_up,
              test_resample_call, fixture_tear_down);
  g_test_add ("/belfry/media/call/rtp-timeout", Fixture, NULL, fixture_set_up, test_rtp_timeout,
              fixture_tear_down);
  g_test_add ("/belfry/media/srtp/capture-plain", Fixture, NULL, fixture_set_up, test_capture,
              fixture_tear_down);
  g_test_add ("/belfry/media/srtp/capture-srtp", Fixture, "srtp", fixture_set_up, test_capture,
              fixture_tear_down);
  g_test_add ("/belfry/media/srtp/refused-plain-offer", Fixture, &plain_to_mandatory,
              fixture_set_up, test_srtp_refused, fixture_tear_down);
  g_test_add ("/belfry/media/srtp/refused-savp-offer", Fixture, &optional_to_mandatory_savp,
              fixture_set_up, test_srtp_refused, fixture_tear_down);
  g_test_add ("/belfry/media/srtp/optional-to-plain", Fixture, NULL, fixture_set_up,
              test_srtp_optional, fixture_tear_down);
  g_test_add ("/belfry/media/srtp/optional-to-optional", Fixture, "both", fixture_set_up,
              test_srtp_optional, fixture_tear_down);
  g_test_add ("/belfry/media/dtmf/info", Fixture, "info", fixture_set_up, test_session_dtmf,
              fixture_tear_down);
  g_test_add ("/belfry/media/dtmf/rfc4733", Fixture, NULL, fixture_set_up, test_session_dtmf,
              fixture_tear_down);
  g_test_add ("/belfry/media/call/many", Fixture, NULL, fixture_set_up, test_many_calls,
              fixture_tear_down);

  return g_test_run ();
}
