/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <belle-sip/belle-sdp.h>
#include <belle-sip/belle-sip.h>
#include <glib/gstdio.h>

#include <math.h>
#include <signal.h>
#include <string.h>

#include "belfry-invitation.h"
#include "belfry-inviter.h"
#include "belfry-media-engine-private.h"
#include "belfry-media-engine.h"
#include "belfry-media-error.h"
#include "belfry-media-handler.h"
#include "belfry-media-wav-private.h"
#include "belfry-sip-error.h"
#include "belfry-sipp.h"
#include "belfry-test-env.h"
#include "belfry-user-agent.h"
#include "media/belfry-tone.h"

/* Two user agents in this process call each other over loopback, each
 * with a media engine that sends a WAV file and records what it gets. */

#define AMPLITUDE      8000.0
#define TONE_A_HZ      1000.0
#define TONE_B_HZ      600.0
#define WAIT_MS        5000

/* ---- Fixture: two user agents with engines ---- */

typedef struct {
  char *dir;
  char *play_a, *play_b, *record_a, *record_b;
  BelfryMediaEngine *engine_a, *engine_b;
  BelfryUserAgent *ua_a, *ua_b;
  BelfryInviter *inviter;
  BelfryInvitation *invitation;
  GAsyncResult *accept_result;
  /* place_call() mutes the caller before any stream runs. */
  gboolean mute_caller;
} Fixture;

static BelfryUserAgent *
start_user_agent (const char        *user,
                  BelfryMediaEngine *engine)
{
  g_autofree char *uri = g_strdup_printf ("sip:%s@127.0.0.1", user);
  g_autoptr (BelfryNameAddr) identity = belfry_name_addr_parse (uri, NULL);
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GError) error = NULL;
  BelfryUserAgent *ua;

  g_assert_nonnull (identity);
  ua = belfry_user_agent_new (identity, "127.0.0.1", 0,
                              BELFRY_SESSION_DESCRIPTION_HANDLER_FACTORY (engine));
  belfry_user_agent_start_async (ua, NULL, belfry_test_store_result_cb, &result);
  g_assert_true (belfry_test_wait_until (belfry_test_pointer_set, &result, WAIT_MS));
  g_assert_true (belfry_user_agent_start_finish (ua, result, &error));
  g_assert_no_error (error);
  g_assert_cmpint (belfry_user_agent_get_port (ua), >, 0);
  return ua;
}

static void
invite_cb (BelfryUserAgent  *ua,
           BelfryInvitation *invitation,
           Fixture          *fixture)
{
  g_assert_null (fixture->invitation);
  fixture->invitation = g_object_ref (invitation);
  belfry_invitation_accept_async (invitation, NULL, belfry_test_store_result_cb, &fixture->accept_result);
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr (GError) error = NULL;

  fixture->dir = g_dir_make_tmp ("belfry-media-XXXXXX", &error);
  g_assert_no_error (error);
  fixture->play_a = g_build_filename (fixture->dir, "a-play.wav", NULL);
  fixture->play_b = g_build_filename (fixture->dir, "b-play.wav", NULL);
  fixture->record_a = g_build_filename (fixture->dir, "a-record.wav", NULL);
  fixture->record_b = g_build_filename (fixture->dir, "b-record.wav", NULL);

  fixture->engine_a = belfry_media_engine_new ();
  fixture->engine_b = belfry_media_engine_new ();
  g_object_set (fixture->engine_a,
                "bind-address", "127.0.0.1",
                "play-file", fixture->play_a,
                "record-file", fixture->record_a,
                NULL);
  g_object_set (fixture->engine_b,
                "bind-address", "127.0.0.1",
                "play-file", fixture->play_b,
                "record-file", fixture->record_b,
                NULL);

  fixture->ua_a = start_user_agent ("alice", fixture->engine_a);
  fixture->ua_b = start_user_agent ("bob", fixture->engine_b);
  g_signal_connect (fixture->ua_b, "invite", G_CALLBACK (invite_cb), fixture);
}

static gboolean
session_ended (gpointer data)
{
  BelfrySession *session = data;

  return session == NULL || belfry_session_get_state (session) == BELFRY_SESSION_STATE_TERMINATED;
}

static void
stop_user_agent (BelfryUserAgent *ua)
{
  g_autoptr (GAsyncResult) result = NULL;

  belfry_user_agent_stop_async (ua, NULL, belfry_test_store_result_cb, &result);
  g_assert_true (belfry_test_wait_until (belfry_test_pointer_set, &result, WAIT_MS));
  belfry_user_agent_stop_finish (ua, result, NULL);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  /* A call still up is ended, so that no stream outlives the test. */
  if (fixture->inviter != NULL && !session_ended (fixture->inviter)) {
    belfry_session_dispose_async (BELFRY_SESSION (fixture->inviter), NULL, NULL, NULL);
    belfry_test_wait_until (session_ended, fixture->inviter, WAIT_MS);
  }
  if (fixture->invitation != NULL)
    belfry_test_wait_until (session_ended, fixture->invitation, WAIT_MS);

  g_clear_object (&fixture->accept_result);
  g_clear_object (&fixture->inviter);
  g_clear_object (&fixture->invitation);
  g_signal_handlers_disconnect_by_data (fixture->ua_b, fixture);
  stop_user_agent (fixture->ua_a);
  stop_user_agent (fixture->ua_b);
  g_clear_object (&fixture->ua_a);
  g_clear_object (&fixture->ua_b);
  /* Once belle-sip dropped what it still held of the sessions, nothing
   * holds the engines: their handlers, streams and audio threads are gone. */
  belfry_test_assert_finalized (g_steal_pointer (&fixture->engine_a), WAIT_MS);
  belfry_test_assert_finalized (g_steal_pointer (&fixture->engine_b), WAIT_MS);

  belfry_test_remove_tree (fixture->dir);
  g_free (fixture->dir);
  g_free (fixture->play_a);
  g_free (fixture->play_b);
  g_free (fixture->record_a);
  g_free (fixture->record_b);
}

static void
write_tones (Fixture *fixture,
             guint    rate)
{
  g_autoptr (GError) error = NULL;

  belfry_tone_write_wav (fixture->play_a, rate, TONE_A_HZ, 2.0, AMPLITUDE, &error);
  g_assert_no_error (error);
  belfry_tone_write_wav (fixture->play_b, rate, TONE_B_HZ, 2.0, AMPLITUDE, &error);
  g_assert_no_error (error);
}

/* A calls B and waits until both sides are established. Returns the
 * caller's error, if the call failed. */
static BelfryMediaHandler *
handler_of (gpointer session)
{
  BelfrySessionDescriptionHandler *handler =
    belfry_session_get_session_description_handler (BELFRY_SESSION (session));

  g_assert_true (BELFRY_IS_MEDIA_HANDLER (handler));
  return BELFRY_MEDIA_HANDLER (handler);
}

static GError *
place_call (Fixture *fixture)
{
  g_autofree char *uri = g_strdup_printf ("sip:bob@127.0.0.1:%d",
                                          belfry_user_agent_get_port (fixture->ua_b));
  g_autoptr (BelfryNameAddr) target = belfry_name_addr_parse (uri, NULL);
  g_autoptr (GAsyncResult) result = NULL;
  GError *error = NULL;

  fixture->inviter = belfry_inviter_new (fixture->ua_a, target);
  belfry_session_invite_async (BELFRY_SESSION (fixture->inviter), NULL, NULL, belfry_test_store_result_cb,
                               &result);
  if (fixture->mute_caller)
    belfry_media_handler_set_muted (handler_of (fixture->inviter), TRUE);
  g_assert_true (belfry_test_wait_until (belfry_test_pointer_set, &result, WAIT_MS));
  if (!belfry_session_invite_finish (BELFRY_SESSION (fixture->inviter), result, &error))
    return error;

  g_assert_true (belfry_test_wait_until (belfry_test_pointer_set, &fixture->accept_result, WAIT_MS));
  g_assert_true (belfry_invitation_accept_finish (fixture->invitation, fixture->accept_result,
                                                  &error));
  g_assert_no_error (error);
  return NULL;
}


typedef struct {
  BelfryMediaHandler *handler;
  guint64 packets;
} PacketGoal;

static gboolean
received_enough (gpointer data)
{
  PacketGoal *goal = data;
  guint64 received = 0;

  belfry_media_handler_get_rtp_stats (goal->handler, NULL, &received);
  return received >= goal->packets;
}

static void
hang_up (Fixture *fixture)
{
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GError) error = NULL;

  belfry_session_bye_async (BELFRY_SESSION (fixture->inviter), NULL, belfry_test_store_result_cb, &result);
  g_assert_true (belfry_test_wait_until (belfry_test_pointer_set, &result, WAIT_MS));
  g_assert_true (belfry_session_bye_finish (BELFRY_SESSION (fixture->inviter), result, &error));
  g_assert_no_error (error);
  g_assert_true (belfry_test_wait_until (session_ended, fixture->invitation, WAIT_MS));
}

/* The header's sizes match the file (mediastreamer2's recorder counts
 * its header in the data size; Belfry corrects that when a stream stops). */
static void
assert_wav_sizes (const char *path)
{
  g_autofree char *contents = NULL;
  gsize length = 0;
  guint32 riff, data;

  g_assert_true (g_file_get_contents (path, &contents, &length, NULL));
  g_assert_cmpuint (length, >=, 44);
  g_assert_cmpmem (contents + 36, 4, "data", 4);
  memcpy (&riff, contents + 4, 4);
  memcpy (&data, contents + 40, 4);
  g_assert_cmpuint (GUINT32_FROM_LE (riff), ==, length - 8);
  g_assert_cmpuint (GUINT32_FROM_LE (data), ==, length - 44);
}

static void
assert_tone (const char *path,
             guint       rate,
             double      frequency)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (BelfryWav) wav = belfry_wav_read (path, &error);
  g_autofree char *report = NULL;
  gboolean ok;

  g_assert_no_error (error);
  assert_wav_sizes (path);
  g_assert_cmpuint (wav->rate, ==, rate);
  /* The sent tone has an RMS of AMPLITUDE / sqrt (2), about 5660: the
   * level may move by a few dB through a codec, not more. */
  ok = belfry_tone_check (wav, frequency, 15.0, 1.0, 2800.0, 8000.0, &report);
  g_test_message ("%s: %s", path, report);
  if (!ok)
    g_test_fail_printf ("expected %.0f Hz in %s: %s", frequency, path, report);
}

/* ---- Calls ---- */

typedef struct {
  const char *caller_codecs[6];
  const char *callee_codecs[6];
  const char *expected_codec;
  guint rate;
} ToneCase;

static void
set_codec_list (BelfryMediaEngine  *engine,
                const char * const *codecs)
{
  belfry_media_engine_set_codecs (engine, codecs);
}

static void
test_tone (Fixture       *fixture,
           gconstpointer  data)
{
  const ToneCase *tone_case = data;
  g_autoptr (GError) error = NULL;
  PacketGoal goal;

  set_codec_list (fixture->engine_a, tone_case->caller_codecs);
  set_codec_list (fixture->engine_b, tone_case->callee_codecs);
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

  set_codec_list (fixture->engine_a, pcmu);
  set_codec_list (fixture->engine_b, pcmu);
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

  set_codec_list (fixture->engine_a, codecs);
  set_codec_list (fixture->engine_b, codecs);
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

  set_codec_list (fixture->engine_a, pcmu);
  set_codec_list (fixture->engine_b, pcmu);
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

  set_codec_list (fixture->engine_a, pcmu);
  set_codec_list (fixture->engine_b, opus);
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

  set_codec_list (fixture->engine_a, pcmu);
  set_codec_list (fixture->engine_b, pcmu);
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

/* ---- SDP, handler alone ---- */

typedef struct {
  BelfryMediaEngine *engine;
  BelfryMediaHandler *handler;
} Alone;

static void
alone_set_up (Alone         *alone,
              gconstpointer  data)
{
  alone->engine = belfry_media_engine_new ();
  belfry_media_engine_set_bind_address (alone->engine, "127.0.0.1");
  alone->handler = belfry_media_handler_new (alone->engine);
}

static void
alone_tear_down (Alone         *alone,
                 gconstpointer  data)
{
  belfry_session_description_handler_close (BELFRY_SESSION_DESCRIPTION_HANDLER (alone->handler));
  g_assert_finalize_object (g_steal_pointer (&alone->handler));
  g_assert_finalize_object (g_steal_pointer (&alone->engine));
}

static char *
get_description (BelfryMediaHandler  *handler,
                 gboolean             hold,
                 gboolean             with_options,
                 GError             **error)
{
  BelfrySessionDescriptionHandlerOptions options = { .hold = hold };
  g_autoptr (GAsyncResult) result = NULL;
  g_autofree char *content_type = NULL;
  char *body;

  belfry_session_description_handler_get_description_async (
    BELFRY_SESSION_DESCRIPTION_HANDLER (handler), with_options ? &options : NULL, NULL,
    belfry_test_store_result_cb, &result);
  g_assert_true (belfry_test_wait_until (belfry_test_pointer_set, &result, WAIT_MS));
  body = belfry_session_description_handler_get_description_finish (
    BELFRY_SESSION_DESCRIPTION_HANDLER (handler), result, &content_type, error);
  if (body != NULL)
    g_assert_cmpstr (content_type, ==, "application/sdp");
  return body;
}

static gboolean
set_description (BelfryMediaHandler  *handler,
                 const char          *body,
                 GError             **error)
{
  g_autoptr (GAsyncResult) result = NULL;

  belfry_session_description_handler_set_description_async (
    BELFRY_SESSION_DESCRIPTION_HANDLER (handler), "application/sdp", body, NULL, NULL,
    belfry_test_store_result_cb, &result);
  g_assert_true (belfry_test_wait_until (belfry_test_pointer_set, &result, WAIT_MS));
  return belfry_session_description_handler_set_description_finish (
    BELFRY_SESSION_DESCRIPTION_HANDLER (handler), result, error);
}

/* The test reads SDP with belle-sdp too. */
static belle_sdp_session_description_t *
parse (const char *body)
{
  belle_sdp_session_description_t *sd = belle_sdp_session_description_parse (body);

  g_assert_nonnull (sd);
  belle_sip_object_ref (sd);
  return sd;
}

static belle_sdp_media_description_t *
media_at (belle_sdp_session_description_t *sd,
          guint                            index)
{
  belle_sip_list_t *list = belle_sdp_session_description_get_media_descriptions (sd);

  g_assert_cmpuint (belle_sip_list_size (list), >, index);
  return belle_sip_list_nth_data (list, index);
}

static char *
formats_of (belle_sdp_media_description_t *md)
{
  g_autoptr (GString) text = g_string_new (NULL);

  for (belle_sip_list_t *l = belle_sdp_media_get_media_formats (belle_sdp_media_description_get_media (md));
       l != NULL; l = l->next)
    g_string_append_printf (text, "%s%d", text->len > 0 ? " " : "", BELLE_SIP_POINTER_TO_INT (l->data));
  return g_strdup (text->str);
}

static char *
rtpmaps_of (belle_sdp_media_description_t *md)
{
  g_autoptr (GString) text = g_string_new (NULL);
  belle_sip_list_t *attributes = belle_sdp_media_description_find_attributes_with_name (md, "rtpmap");

  for (belle_sip_list_t *l = attributes; l != NULL; l = l->next)
    g_string_append_printf (text, "%s%s", text->len > 0 ? "," : "",
                            belle_sdp_attribute_get_value (l->data));
  belle_sip_list_free_with_data (attributes, belle_sip_object_unref);
  return g_strdup (text->str);
}

static gboolean
has_attribute (belle_sdp_media_description_t *md,
               const char                    *name)
{
  return belle_sdp_media_description_get_attribute (md, name) != NULL;
}

static void
test_sdp_offer (Alone         *alone,
                gconstpointer  data)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *first = NULL;
  g_autofree char *second = NULL;
  g_autofree char *formats = NULL;
  g_autofree char *rtpmaps = NULL;
  g_autofree char *port = NULL;
  belle_sdp_session_description_t *sd1, *sd2;
  belle_sdp_media_description_t *md;

  first = get_description (alone->handler, FALSE, FALSE, &error);
  g_assert_no_error (error);
  g_test_message ("offer:\n%s", first);
  sd1 = parse (first);
  md = media_at (sd1, 0);

  /* The default codecs in order, opus with a dynamic number, static
   * numbers without rtpmap, then telephone-event at both clocks. */
  formats = formats_of (md);
  g_assert_cmpstr (formats, ==, "96 9 0 8 3 101 100");
  rtpmaps = rtpmaps_of (md);
  g_assert_cmpstr (rtpmaps, ==, "96 opus/48000/2,101 telephone-event/8000,100 telephone-event/48000");
  g_assert_true (has_attribute (md, "sendrecv"));
  g_assert_cmpstr (belle_sdp_media_get_protocol (belle_sdp_media_description_get_media (md)), ==,
                   "RTP/AVP");
  g_assert_cmpint (belle_sdp_media_get_media_port (belle_sdp_media_description_get_media (md)), ==,
                   belfry_media_handler_get_local_port (alone->handler));
  g_assert_cmpstr (belle_sdp_connection_get_address (belle_sdp_session_description_get_connection (sd1)),
                   ==, "127.0.0.1");

  /* An offer that is not answered is rolled back; the next one is a new
   * version of the same session. */
  belfry_session_description_handler_rollback_description (
    BELFRY_SESSION_DESCRIPTION_HANDLER (alone->handler));
  second = get_description (alone->handler, TRUE, TRUE, &error);
  g_assert_no_error (error);
  sd2 = parse (second);
  g_assert_cmpuint (belle_sdp_origin_get_session_id (belle_sdp_session_description_get_origin (sd2)), ==,
                    belle_sdp_origin_get_session_id (belle_sdp_session_description_get_origin (sd1)));
  g_assert_cmpuint (belle_sdp_origin_get_session_version (belle_sdp_session_description_get_origin (sd2)), ==,
                    belle_sdp_origin_get_session_version (belle_sdp_session_description_get_origin (sd1)) + 1);
  g_assert_true (has_attribute (media_at (sd2, 0), "sendonly"));

  belle_sip_object_unref (sd1);
  belle_sip_object_unref (sd2);
}

static void
test_sdp_codec_filter (Alone         *alone,
                       gconstpointer  data)
{
  static const char * const codecs[] = { "nonesuch", "PCMA", "iLBC", "PCMA", "PCMU", NULL };
  g_autoptr (GError) error = NULL;
  g_autofree char *offer = NULL;
  g_autofree char *formats = NULL;
  g_auto (GStrv) usable = NULL;
  belle_sdp_session_description_t *sd;

  /* Unknown names and names this build cannot run are skipped. */
  belfry_media_engine_set_codecs (alone->engine, codecs);
  usable = belfry_media_engine_dup_usable_codecs (alone->engine);
  g_assert_cmpstrv (usable, ((const char * const[]) { "PCMA", "PCMU", NULL }));

  offer = get_description (alone->handler, FALSE, FALSE, &error);
  g_assert_no_error (error);
  sd = parse (offer);
  formats = formats_of (media_at (sd, 0));
  /* No opus: no telephone-event at 48 kHz. */
  g_assert_cmpstr (formats, ==, "8 0 101");
  belle_sip_object_unref (sd);
}

#define PEER_OFFER_HEAD \
  "v=0\r\n" \
  "o=peer 42 1 IN IP4 127.0.0.1\r\n" \
  "s=-\r\n"

static void
test_sdp_answer (Alone         *alone,
                 gconstpointer  data)
{
  /* c= only at media level; video and an audio line we cannot use come
   * first and are refused with port 0; the peer holds us (sendonly). */
  static const char offer[] =
    PEER_OFFER_HEAD
    "t=0 0\r\n"
    "m=video 40000 RTP/AVP 99\r\n"
    "c=IN IP4 127.0.0.1\r\n"
    "a=rtpmap:99 VP8/90000\r\n"
    "m=audio 40010 RTP/SAVP 0\r\n"
    "c=IN IP4 127.0.0.1\r\n"
    "m=audio 40020 RTP/AVP 18 0 8 110\r\n"
    "c=IN IP4 127.0.0.1\r\n"
    "a=rtpmap:18 G729/8000\r\n"
    "a=rtpmap:110 telephone-event/8000\r\n"
    "a=fmtp:110 0-15\r\n"
    "a=sendonly\r\n";
  g_autoptr (GError) error = NULL;
  g_autofree char *answer = NULL;
  g_autofree char *formats = NULL;
  g_autofree char *rtpmaps = NULL;
  static const char * const codecs[] = { "PCMA", "PCMU", NULL };
  belle_sdp_session_description_t *sd;
  belle_sdp_media_description_t *md;

  belfry_media_engine_set_codecs (alone->engine, codecs);
  g_assert_true (set_description (alone->handler, offer, &error));
  g_assert_no_error (error);
  answer = get_description (alone->handler, FALSE, FALSE, &error);
  g_assert_no_error (error);
  g_test_message ("answer:\n%s", answer);
  sd = parse (answer);

  g_assert_cmpuint (belle_sip_list_size (belle_sdp_session_description_get_media_descriptions (sd)), ==, 3);
  g_assert_cmpint (belle_sdp_media_get_media_port (belle_sdp_media_description_get_media (media_at (sd, 0))), ==, 0);
  g_assert_cmpstr (belle_sdp_media_get_media_type (belle_sdp_media_description_get_media (media_at (sd, 0))), ==, "video");
  g_assert_cmpint (belle_sdp_media_get_media_port (belle_sdp_media_description_get_media (media_at (sd, 1))), ==, 0);

  /* The offer's order wins (PCMU before PCMA), with its telephone-event
   * number; our hold-free answer to sendonly is recvonly. */
  md = media_at (sd, 2);
  g_assert_cmpint (belle_sdp_media_get_media_port (belle_sdp_media_description_get_media (md)), ==,
                   belfry_media_handler_get_local_port (alone->handler));
  formats = formats_of (md);
  g_assert_cmpstr (formats, ==, "0 110");
  rtpmaps = rtpmaps_of (md);
  g_assert_cmpstr (rtpmaps, ==, "110 telephone-event/8000");
  g_assert_true (has_attribute (md, "recvonly"));
  g_assert_cmpstr (belfry_media_handler_get_codec (alone->handler), ==, "PCMU");
  g_assert_true (belfry_media_handler_get_remote_hold (alone->handler));
  belle_sip_object_unref (sd);
}

static void
test_sdp_answer_directions (Alone         *alone,
                            gconstpointer  data)
{
  static const struct {
    const char *offered;
    gboolean hold;
    const char *answered;
  } cases[] = {
    { "sendrecv", FALSE, "sendrecv" },
    { "sendrecv", TRUE, "sendonly" },
    { "sendonly", FALSE, "recvonly" },
    { "sendonly", TRUE, "inactive" },
    { "recvonly", FALSE, "sendonly" },
    { "inactive", FALSE, "inactive" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++) {
    /* c= at session level this time. */
    g_autofree char *offer = g_strdup_printf (PEER_OFFER_HEAD
                                              "c=IN IP4 127.0.0.1\r\n"
                                              "t=0 0\r\n"
                                              "m=audio 40020 RTP/AVP 0\r\n"
                                              "a=%s\r\n", cases[i].offered);
    g_autoptr (GError) error = NULL;
    g_autofree char *answer = NULL;
    belle_sdp_session_description_t *sd;

    g_test_message ("%s offer, %s", cases[i].offered, cases[i].hold ? "holding" : "not holding");
    g_assert_true (set_description (alone->handler, offer, &error));
    g_assert_no_error (error);
    answer = get_description (alone->handler, cases[i].hold, TRUE, &error);
    g_assert_no_error (error);
    sd = parse (answer);
    g_assert_true (has_attribute (media_at (sd, 0), cases[i].answered));
    belle_sip_object_unref (sd);
  }
}

static void
test_sdp_hold_offers (Alone         *alone,
                      gconstpointer  data)
{
  static const char held_us[] =
    PEER_OFFER_HEAD
    "c=IN IP4 127.0.0.1\r\n"
    "t=0 0\r\n"
    "m=audio 40020 RTP/AVP 0\r\n"
    "a=sendonly\r\n";
  g_autoptr (GError) error = NULL;
  g_autofree char *answer = NULL;
  g_autofree char *hold = NULL;
  g_autofree char *resume = NULL;
  belle_sdp_session_description_t *sd;

  /* The peer holds us; our own hold then offers inactive. */
  g_assert_true (set_description (alone->handler, held_us, &error));
  answer = get_description (alone->handler, FALSE, TRUE, &error);
  g_assert_no_error (error);
  hold = get_description (alone->handler, TRUE, TRUE, &error);
  g_assert_no_error (error);
  sd = parse (hold);
  g_assert_true (has_attribute (media_at (sd, 0), "inactive"));
  belle_sip_object_unref (sd);

  /* A refused re-INVITE rolls back; resume offers sendrecv. */
  belfry_session_description_handler_rollback_description (
    BELFRY_SESSION_DESCRIPTION_HANDLER (alone->handler));
  g_assert_false (belfry_media_handler_get_local_hold (alone->handler));
  resume = get_description (alone->handler, FALSE, TRUE, &error);
  g_assert_no_error (error);
  sd = parse (resume);
  g_assert_true (has_attribute (media_at (sd, 0), "sendrecv"));
  belle_sip_object_unref (sd);
}

static void
test_sdp_refusals (Alone         *alone,
                   gconstpointer  data)
{
  static const char no_common[] =
    PEER_OFFER_HEAD
    "c=IN IP4 127.0.0.1\r\n"
    "t=0 0\r\n"
    "m=audio 40020 RTP/AVP 18 96\r\n"
    "a=rtpmap:96 AMR/8000\r\n";
  static const char video_only[] =
    PEER_OFFER_HEAD
    "c=IN IP4 127.0.0.1\r\n"
    "t=0 0\r\n"
    "m=video 40020 RTP/AVP 99\r\n"
    "a=rtpmap:99 VP8/90000\r\n";
  g_autoptr (GError) error = NULL;

  g_assert_false (set_description (alone->handler, no_common, &error));
  g_assert_error (error, BELFRY_SIP_ERROR, BELFRY_SIP_ERROR_NOT_ACCEPTABLE);
  g_clear_error (&error);

  g_assert_false (set_description (alone->handler, video_only, &error));
  g_assert_error (error, BELFRY_SIP_ERROR, BELFRY_SIP_ERROR_NOT_ACCEPTABLE);
  g_clear_error (&error);

  g_assert_false (set_description (alone->handler, "not SDP at all", &error));
  g_assert_error (error, BELFRY_SIP_ERROR, BELFRY_SIP_ERROR_NOT_ACCEPTABLE);
  g_clear_error (&error);

  /* After close, nothing more. */
  belfry_session_description_handler_close (BELFRY_SESSION_DESCRIPTION_HANDLER (alone->handler));
  g_assert_null (get_description (alone->handler, FALSE, FALSE, &error));
  g_assert_error (error, BELFRY_MEDIA_ERROR, BELFRY_MEDIA_ERROR_CLOSED);
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
  set_codec_list (fixture->engine_a, codecs);
  set_codec_list (fixture->engine_b, codecs);
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

  set_codec_list (fixture->engine_a, pcmu);
  set_codec_list (fixture->engine_b, pcmu);
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

static gboolean
subprocess_done (gpointer data)
{
  return g_subprocess_get_if_exited (data) || g_subprocess_get_if_signaled (data);
}

static void
subprocess_wait_cb (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  gboolean *done = user_data;

  g_subprocess_wait_finish (G_SUBPROCESS (source), result, NULL);
  *done = TRUE;
}

static gboolean
flag_set (gpointer data)
{
  return *(gboolean *) data;
}

static void
capture_stop (Capture *capture)
{
  gboolean done = FALSE;

  g_subprocess_send_signal (capture->process, SIGINT);
  g_subprocess_wait_async (capture->process, NULL, subprocess_wait_cb, &done);
  if (!belfry_test_wait_until (flag_set, &done, 10000)) {
    g_subprocess_force_exit (capture->process);
    belfry_test_wait_until (flag_set, &done, 5000);
  }
  g_assert_true (subprocess_done (capture->process));
}

static void
capture_free (Capture *capture)
{
  g_unlink (capture->path);
  g_free (capture->path);
  g_clear_object (&capture->process);
  g_free (capture);
}

static gint16
ulaw_decode (guint8 byte)
{
  int value = ~byte & 0xff;
  int magnitude = (((value & 0x0f) << 3) + 0x84) << ((value & 0x70) >> 4);

  return (gint16) ((value & 0x80) ? 0x84 - magnitude : magnitude - 0x84);
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

  set_codec_list (fixture->engine_a, pcmu);
  set_codec_list (fixture->engine_b, pcmu);
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

  set_codec_list (fixture->engine_a, pcmu);
  set_codec_list (fixture->engine_b, pcmu);
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

  set_codec_list (fixture->engine_a, pcmu);
  set_codec_list (fixture->engine_b, pcmu);
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

  set_codec_list (fixture->engine_a, pcmu);
  set_codec_list (fixture->engine_b, pcmu);
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

/* ---- SRTP in SDP, handler alone ---- */

static char *
crypto_key_of (belle_sdp_media_description_t *md,
               guint                          index,
               const char                    *expected_prefix)
{
  belle_sip_list_t *attributes = belle_sdp_media_description_find_attributes_with_name (md, "crypto");
  const char *value;
  g_autofree guchar *key = NULL;
  gsize length = 0;
  char *encoded;

  g_assert_cmpuint (belle_sip_list_size (attributes), >, index);
  value = belle_sdp_attribute_get_value (belle_sip_list_nth_data (attributes, index));
  g_assert_true (g_str_has_prefix (value, expected_prefix));
  encoded = g_strdup (value + strlen (expected_prefix));
  belle_sip_list_free_with_data (attributes, belle_sip_object_unref);

  /* 128-bit key and 112-bit salt. */
  key = g_base64_decode (encoded, &length);
  g_assert_cmpuint (length, ==, 30);
  return encoded;
}

static void
test_sdp_srtp_offer (Alone         *alone,
                     gconstpointer  data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (BelfryMediaHandler) other = NULL;
  g_autofree char *offer = NULL;
  g_autofree char *other_offer = NULL;
  g_autofree char *key1 = NULL;
  g_autofree char *key2 = NULL;
  g_autofree char *other_key = NULL;
  belle_sdp_session_description_t *sd;
  belle_sdp_media_description_t *md;

  /* Mandatory SRTP over signaling that is not known to be secure: no. */
  belfry_media_engine_set_srtp (alone->engine, BELFRY_MEDIA_SRTP_MANDATORY);
  g_assert_null (get_description (alone->handler, FALSE, FALSE, &error));
  g_assert_error (error, BELFRY_SIP_ERROR, BELFRY_SIP_ERROR_NOT_ACCEPTABLE);
  g_clear_error (&error);

  /* Over TLS: RTP/SAVP with both suites, one key. */
  belfry_media_handler_set_secure_signaling (alone->handler, TRUE);
  offer = get_description (alone->handler, FALSE, FALSE, &error);
  g_assert_no_error (error);
  g_test_message ("offer:\n%s", offer);
  sd = parse (offer);
  md = media_at (sd, 0);
  g_assert_cmpstr (belle_sdp_media_get_protocol (belle_sdp_media_description_get_media (md)), ==,
                   "RTP/SAVP");
  key1 = crypto_key_of (md, 0, "1 AES_CM_128_HMAC_SHA1_80 inline:");
  key2 = crypto_key_of (md, 1, "2 AES_CM_128_HMAC_SHA1_32 inline:");
  g_assert_cmpstr (key1, ==, key2);
  belle_sip_object_unref (sd);

  /* Another session gets another key; optional SRTP offers RTP/AVP. */
  belfry_media_engine_set_srtp (alone->engine, BELFRY_MEDIA_SRTP_OPTIONAL);
  belfry_media_engine_set_allow_srtp_without_tls (alone->engine, TRUE);
  other = belfry_media_handler_new (alone->engine);
  other_offer = get_description (other, FALSE, FALSE, &error);
  g_assert_no_error (error);
  sd = parse (other_offer);
  md = media_at (sd, 0);
  g_assert_cmpstr (belle_sdp_media_get_protocol (belle_sdp_media_description_get_media (md)), ==,
                   "RTP/AVP");
  other_key = crypto_key_of (md, 0, "1 AES_CM_128_HMAC_SHA1_80 inline:");
  g_assert_cmpstr (other_key, !=, key1);
  belle_sip_object_unref (sd);
  belfry_session_description_handler_close (BELFRY_SESSION_DESCRIPTION_HANDLER (other));
}

static void
test_sdp_srtp_answer (Alone         *alone,
                      gconstpointer  data)
{
  /* An MKI key comes first and cannot be used; the 32-bit tag suite can. */
  static const char offer[] =
    PEER_OFFER_HEAD
    "c=IN IP4 127.0.0.1\r\n"
    "t=0 0\r\n"
    "m=audio 40020 RTP/SAVP 0\r\n"
    "a=crypto:5 AES_CM_128_HMAC_SHA1_80 inline:xKpN02oR1U8BEb5XNLV9FmT6S9Y7Qjc6nrfF4eU/|2^20|1:32\r\n"
    "a=crypto:7 AES_CM_128_HMAC_SHA1_32 inline:bw2z78TQMGQzlEEHYAVft1L3aY5ER4tJr56eAlFZ|2^20\r\n";
  static const char plain_offer[] =
    PEER_OFFER_HEAD
    "c=IN IP4 127.0.0.1\r\n"
    "t=0 0\r\n"
    "m=audio 40020 RTP/AVP 0\r\n";
  g_autoptr (GError) error = NULL;
  g_autofree char *answer = NULL;
  g_autofree char *key = NULL;
  belle_sdp_session_description_t *sd;
  belle_sdp_media_description_t *md;

  belfry_media_engine_set_srtp (alone->engine, BELFRY_MEDIA_SRTP_MANDATORY);
  belfry_media_engine_set_allow_srtp_without_tls (alone->engine, TRUE);

  g_assert_false (set_description (alone->handler, plain_offer, &error));
  g_assert_error (error, BELFRY_SIP_ERROR, BELFRY_SIP_ERROR_NOT_ACCEPTABLE);
  g_assert_cmpstr (error->message, ==, "The other side does not offer encrypted audio");
  g_clear_error (&error);

  g_assert_true (set_description (alone->handler, offer, &error));
  g_assert_no_error (error);
  answer = get_description (alone->handler, FALSE, FALSE, &error);
  g_assert_no_error (error);
  g_test_message ("answer:\n%s", answer);
  sd = parse (answer);
  md = media_at (sd, 0);
  g_assert_cmpstr (belle_sdp_media_get_protocol (belle_sdp_media_description_get_media (md)), ==,
                   "RTP/SAVP");
  key = crypto_key_of (md, 0, "7 AES_CM_128_HMAC_SHA1_32 inline:");
  g_assert_cmpstr (key, !=, "bw2z78TQMGQzlEEHYAVft1L3aY5ER4tJr56eAlFZ");
  g_assert_cmpstr (belfry_media_handler_get_srtp_suite (alone->handler), ==,
                   "AES_CM_128_HMAC_SHA1_32");
  belle_sip_object_unref (sd);
}

static void
test_sdp_no_telephone_event (Alone         *alone,
                             gconstpointer  data)
{
  static const char * const codecs[] = { "opus", "PCMU", NULL };
  g_autoptr (GError) error = NULL;
  g_autofree char *offer = NULL;
  g_autofree char *formats = NULL;
  belle_sdp_session_description_t *sd;

  belfry_media_engine_set_codecs (alone->engine, codecs);
  belfry_media_engine_set_telephone_event (alone->engine, FALSE);
  offer = get_description (alone->handler, FALSE, FALSE, &error);
  g_assert_no_error (error);
  sd = parse (offer);
  formats = formats_of (media_at (sd, 0));
  g_assert_cmpstr (formats, ==, "96 0");
  belle_sip_object_unref (sd);
}

/* ---- Sound cards, ringer and ringback ---- */

#define NULL_SINK_ID "PulseAudio Unknown: Belfry-Null"
#define MIC_ID       "PulseAudio Unknown: Belfry-Mic"

/* A PulseAudio daemon of the test's own, with a null sink and a source on
 * its monitor, on a socket in a temporary folder. */
typedef struct {
  char *dir;
  char *socket;
  GSubprocess *process;
  char *old_home;
  char *old_runtime;
} Pulse;

static gboolean
socket_exists (gpointer data)
{
  return g_file_test (data, G_FILE_TEST_EXISTS);
}

static Pulse *
pulse_start (void)
{
  g_autofree char *pulseaudio = g_find_program_in_path ("pulseaudio");
  g_autoptr (GSubprocessLauncher) launcher = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *script = NULL;
  g_autofree char *script_path = NULL;
  g_autofree char *home = NULL;
  g_autofree char *runtime = NULL;
  Pulse *pulse;

  if (pulseaudio == NULL)
    return NULL;

  pulse = g_new0 (Pulse, 1);
  pulse->dir = g_dir_make_tmp ("belfry-pulse-XXXXXX", &error);
  g_assert_no_error (error);
  pulse->socket = g_build_filename (pulse->dir, "native", NULL);
  home = g_build_filename (pulse->dir, "home", NULL);
  runtime = g_build_filename (pulse->dir, "runtime", NULL);
  g_mkdir (home, 0700);
  g_mkdir (runtime, 0700);
  script_path = g_build_filename (pulse->dir, "belfry.pa", NULL);
  script = g_strdup_printf (
    "load-module module-native-protocol-unix auth-anonymous=1 socket=%s\n"
    "load-module module-null-sink sink_name=belfry_null sink_properties=device.description=Belfry-Null\n"
    "load-module module-remap-source source_name=belfry_mic master=belfry_null.monitor "
    "source_properties=device.description=Belfry-Mic\n", pulse->socket);
  g_assert_true (g_file_set_contents (script_path, script, -1, &error));

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE |
                                        G_SUBPROCESS_FLAGS_STDERR_SILENCE);
  g_subprocess_launcher_setenv (launcher, "HOME", home, TRUE);
  g_subprocess_launcher_setenv (launcher, "XDG_RUNTIME_DIR", runtime, TRUE);
  pulse->process = g_subprocess_launcher_spawn (launcher, &error, pulseaudio, "--daemonize=no",
                                                "-n", "-F", script_path, "--exit-idle-time=-1",
                                                "--use-pid-file=no", "--disable-shm=yes", NULL);
  g_assert_no_error (error);
  g_assert_true (belfry_test_wait_until (socket_exists, pulse->socket, 10000));

  /* The child test process finds the daemon through these. */
  pulse->old_home = g_strdup (g_getenv ("HOME"));
  pulse->old_runtime = g_strdup (g_getenv ("XDG_RUNTIME_DIR"));
  g_setenv ("HOME", home, TRUE);
  g_setenv ("XDG_RUNTIME_DIR", runtime, TRUE);
  g_setenv ("PULSE_SERVER", pulse->socket, TRUE);
  return pulse;
}

static void
pulse_stop (Pulse *pulse)
{
  gboolean done = FALSE;

  g_unsetenv ("PULSE_SERVER");
  if (pulse->old_home != NULL)
    g_setenv ("HOME", pulse->old_home, TRUE);
  else
    g_unsetenv ("HOME");
  if (pulse->old_runtime != NULL)
    g_setenv ("XDG_RUNTIME_DIR", pulse->old_runtime, TRUE);
  else
    g_unsetenv ("XDG_RUNTIME_DIR");
  g_free (pulse->old_home);
  g_free (pulse->old_runtime);
  g_subprocess_send_signal (pulse->process, SIGTERM);
  g_subprocess_wait_async (pulse->process, NULL, subprocess_wait_cb, &done);
  if (!belfry_test_wait_until (flag_set, &done, 5000)) {
    g_subprocess_force_exit (pulse->process);
    belfry_test_wait_until (flag_set, &done, 5000);
  }
  belfry_test_remove_tree (pulse->dir);
  g_free (pulse->dir);
  g_free (pulse->socket);
  g_clear_object (&pulse->process);
  g_free (pulse);
}

/* The number of streams playing into the sound server. */
static guint
pulse_sink_inputs (void)
{
  const char *argv[] = { "pactl", "list", "short", "sink-inputs", NULL };
  g_autofree char *out = NULL;
  g_auto (GStrv) lines = NULL;
  guint n = 0;

  if (!g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDERR_TO_DEV_NULL,
                     NULL, NULL, &out, NULL, NULL, NULL))
    return 0;
  lines = g_strsplit (out, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    n += lines[i][0] != '\0';
  return n;
}

static gboolean
something_plays (gpointer data)
{
  return pulse_sink_inputs () > 0;
}

static gboolean
nothing_plays (gpointer data)
{
  return pulse_sink_inputs () == 0;
}

static gboolean
has_device (GPtrArray  *devices,
            const char *id,
            gboolean    capture)
{
  for (guint i = 0; i < devices->len; i++) {
    BelfryMediaDevice *device = devices->pdata[i];

    if (g_str_equal (device->id, id))
      return capture ? device->capture : device->playback;
  }
  return FALSE;
}

/* Runs in a process of its own, which finds the test's sound server. */
static void
devices_child (void)
{
  g_autoptr (BelfryMediaEngine) engine = belfry_media_engine_new ();
  g_autoptr (GPtrArray) devices = belfry_media_engine_list_devices (engine);
  g_autoptr (GError) error = NULL;
  g_autofree char *speaker = NULL;
  g_autofree char *microphone = NULL;
  g_autofree char *fallback = NULL;
  g_autofree char *ringer = NULL;

  for (guint i = 0; i < devices->len; i++) {
    BelfryMediaDevice *device = devices->pdata[i];

    g_test_message ("card %s (%s)%s%s", device->id, device->name,
                    device->capture ? " capture" : "", device->playback ? " playback" : "");
  }
  g_assert_true (has_device (devices, NULL_SINK_ID, FALSE));
  g_assert_true (has_device (devices, MIC_ID, TRUE));

  /* Chosen cards are used... */
  g_object_set (engine, "speaker", NULL_SINK_ID, "microphone", MIC_ID, "ringer", NULL_SINK_ID,
                NULL);
  speaker = belfry_media_engine_dup_card_in_use (engine, "speaker");
  microphone = belfry_media_engine_dup_card_in_use (engine, "microphone");
  g_assert_cmpstr (speaker, ==, NULL_SINK_ID);
  g_assert_cmpstr (microphone, ==, MIC_ID);

  /* ...and one that is gone falls back to the default, with a message
   * (not a warning) once. */
  belfry_media_engine_set_ringer (engine, "PulseAudio Unknown: Unplugged");
  g_test_expect_message ("belfry-media", G_LOG_LEVEL_MESSAGE,
                         "The ringer \"PulseAudio Unknown: Unplugged\" is not there; using *");
  fallback = belfry_media_engine_dup_card_in_use (engine, "ringer");
  g_test_assert_expected_messages ();
  g_assert_nonnull (fallback);
  g_assert_cmpstr (fallback, !=, "PulseAudio Unknown: Unplugged");
  ringer = belfry_media_engine_dup_card_in_use (engine, "ringer");
  g_assert_cmpstr (ringer, ==, fallback);
  belfry_media_engine_set_ringer (engine, NULL_SINK_ID);

  /* The ringer and the ringback tone play into the server until stopped. */
  g_assert_cmpuint (pulse_sink_inputs (), ==, 0);
  g_assert_true (belfry_media_engine_start_ringer (engine, &error));
  g_assert_no_error (error);
  g_assert_true (belfry_media_engine_is_ringing (engine));
  g_assert_true (belfry_test_wait_until (something_plays, NULL, 5000));
  belfry_media_engine_stop_ringer (engine);
  g_assert_false (belfry_media_engine_is_ringing (engine));
  g_assert_true (belfry_test_wait_until (nothing_plays, NULL, 5000));

  g_assert_true (belfry_media_engine_start_ringback (engine, &error));
  g_assert_no_error (error);
  g_assert_true (belfry_media_engine_is_ringing_back (engine));
  g_assert_true (belfry_test_wait_until (something_plays, NULL, 5000));
  belfry_media_engine_stop_ringback (engine);
  g_assert_true (belfry_test_wait_until (nothing_plays, NULL, 5000));
}

static void
test_devices (void)
{
  Pulse *pulse;

  if (g_test_subprocess ()) {
    devices_child ();
    return;
  }

  pulse = pulse_start ();
  if (pulse == NULL) {
    g_test_skip ("pulseaudio is not installed");
    return;
  }
  g_test_trap_subprocess (NULL, 30 * G_USEC_PER_SEC, G_TEST_SUBPROCESS_INHERIT_STDERR);
  pulse_stop (pulse);
  g_test_trap_assert_passed ();
}

/* Without a sound server, a chosen card that is not there gives way to
 * the default, which may be none; the ringer then says why it cannot ring. */
static void
test_devices_fallback (void)
{
  g_autoptr (BelfryMediaEngine) engine = belfry_media_engine_new ();
  g_autoptr (GError) error = NULL;
  g_autofree char *microphone = NULL;

  belfry_media_engine_set_microphone (engine, "Nowhere: Gone");
  g_test_expect_message ("belfry-media", G_LOG_LEVEL_MESSAGE,
                         "The microphone \"Nowhere: Gone\" is not there; using *");
  microphone = belfry_media_engine_dup_card_in_use (engine, "microphone");
  g_test_assert_expected_messages ();
  g_assert_cmpstr (microphone, !=, "Nowhere: Gone");

  belfry_media_engine_set_ringer (engine, "Nowhere: Gone");
  g_test_expect_message ("belfry-media", G_LOG_LEVEL_MESSAGE, "The ringer*");
  if (!belfry_media_engine_start_ringer (engine, &error)) {
    g_assert_error (error, BELFRY_MEDIA_ERROR, BELFRY_MEDIA_ERROR_DEVICE);
    g_assert_false (belfry_media_engine_is_ringing (engine));
  }
  g_test_assert_expected_messages ();
  belfry_media_engine_stop_ringer (engine);
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
  set_codec_list (fixture->engine_b, pcmu);
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
    set_codec_list (many.engines[i], pcmu);
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

  set_codec_list (fixture->engine_a, codecs);
  set_codec_list (fixture->engine_b, codecs);
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

  set_codec_list (fixture->engine_b, pcmu);
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

  g_test_add ("/belfry/media/sdp/offer", Alone, NULL, alone_set_up, test_sdp_offer, alone_tear_down);
  g_test_add ("/belfry/media/sdp/codec-filter", Alone, NULL, alone_set_up, test_sdp_codec_filter,
              alone_tear_down);
  g_test_add ("/belfry/media/sdp/answer", Alone, NULL, alone_set_up, test_sdp_answer, alone_tear_down);
  g_test_add ("/belfry/media/sdp/answer-directions", Alone, NULL, alone_set_up,
              test_sdp_answer_directions, alone_tear_down);
  g_test_add ("/belfry/media/sdp/hold-offers", Alone, NULL, alone_set_up, test_sdp_hold_offers,
              alone_tear_down);
  g_test_add ("/belfry/media/sdp/refusals", Alone, NULL, alone_set_up, test_sdp_refusals,
              alone_tear_down);

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

  g_test_add ("/belfry/media/sdp/srtp-offer", Alone, NULL, alone_set_up, test_sdp_srtp_offer,
              alone_tear_down);
  g_test_add ("/belfry/media/sdp/srtp-answer", Alone, NULL, alone_set_up, test_sdp_srtp_answer,
              alone_tear_down);
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

  g_test_add ("/belfry/media/sdp/no-telephone-event", Alone, NULL, alone_set_up,
              test_sdp_no_telephone_event, alone_tear_down);
  g_test_add ("/belfry/media/dtmf/info", Fixture, "info", fixture_set_up, test_session_dtmf,
              fixture_tear_down);
  g_test_add ("/belfry/media/dtmf/rfc4733", Fixture, NULL, fixture_set_up, test_session_dtmf,
              fixture_tear_down);

  g_test_add_func ("/belfry/media/devices/fallback", test_devices_fallback);
  g_test_add_func ("/belfry/media/devices/pulse", test_devices);

  g_test_add ("/belfry/media/call/many", Fixture, NULL, fixture_set_up, test_many_calls,
              fixture_tear_down);

  g_test_add ("/belfry/media/speech/pcmu", Fixture, &speech_pcmu, fixture_set_up, test_speech,
              fixture_tear_down);
  g_test_add ("/belfry/media/speech/opus", Fixture, &speech_opus, fixture_set_up, test_speech,
              fixture_tear_down);
  g_test_add ("/belfry/media/sipp/pcap-pcmu", Fixture, NULL, fixture_set_up, test_sipp_pcap,
              fixture_tear_down);

  return g_test_run ();
}
