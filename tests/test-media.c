#include "config.h"

#include <belle-sip/belle-sdp.h>
#include <belle-sip/belle-sip.h>
#include <glib/gstdio.h>

#include "belfry-invitation.h"
#include "belfry-inviter.h"
#include "belfry-media-engine.h"
#include "belfry-media-error.h"
#include "belfry-media-handler.h"
#include "belfry-sip-error.h"
#include "belfry-test-env.h"
#include "belfry-user-agent.h"
#include "media/belfry-tone.h"

/* Two user agents in this process call each other over loopback, each
 * with a media engine that sends a WAV file and records what it gets. */

#define AMPLITUDE      8000.0
#define TONE_A_HZ      1000.0
#define TONE_B_HZ      600.0
#define WAIT_MS        5000

/* ---- Waiting, always with a bound ---- */

typedef gboolean (*Condition) (gpointer data);

static gboolean
keep_awake_cb (gpointer data)
{
  return G_SOURCE_CONTINUE;
}

/* Iterates the default main context until @condition holds or @timeout_ms
 * have passed; a short timeout keeps the iterations coming. */
static gboolean
wait_for (Condition condition,
          gpointer  data,
          guint     timeout_ms)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) timeout_ms * 1000;
  guint awake = g_timeout_add (10, keep_awake_cb, NULL);
  gboolean met;

  while (!(met = condition (data)) && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);

  g_source_remove (awake);
  return met;
}

static gboolean
pointer_set (gpointer data)
{
  return *(gpointer *) data != NULL;
}

static gboolean
never (gpointer data)
{
  return FALSE;
}

/* Runs the loop for @ms: a bounded wait for audio to flow, not a sleep. */
static void
run_for (guint ms)
{
  wait_for (never, NULL, ms);
}

static void
store_result_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  GAsyncResult **slot = user_data;

  *slot = g_object_ref (result);
}

/* ---- Fixture: two user agents with engines ---- */

typedef struct {
  char *dir;
  char *play_a, *play_b, *record_a, *record_b;
  BelfryMediaEngine *engine_a, *engine_b;
  BelfryUserAgent *ua_a, *ua_b;
  BelfryInviter *inviter;
  BelfryInvitation *invitation;
  GAsyncResult *accept_result;
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
  belfry_user_agent_start_async (ua, NULL, store_result_cb, &result);
  g_assert_true (wait_for (pointer_set, &result, WAIT_MS));
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
  belfry_invitation_accept_async (invitation, NULL, store_result_cb, &fixture->accept_result);
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

  belfry_user_agent_stop_async (ua, NULL, store_result_cb, &result);
  g_assert_true (wait_for (pointer_set, &result, WAIT_MS));
  belfry_user_agent_stop_finish (ua, result, NULL);
}

static void
remove_dir (const char *path)
{
  g_autoptr (GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL) {
    g_autofree char *child = g_build_filename (path, name, NULL);

    g_unlink (child);
  }
  g_rmdir (path);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  /* A call still up is ended, so that no stream outlives the test. */
  if (fixture->inviter != NULL && !session_ended (fixture->inviter)) {
    belfry_session_dispose_async (BELFRY_SESSION (fixture->inviter), NULL, NULL, NULL);
    wait_for (session_ended, fixture->inviter, WAIT_MS);
  }
  if (fixture->invitation != NULL)
    wait_for (session_ended, fixture->invitation, WAIT_MS);

  g_clear_object (&fixture->accept_result);
  g_clear_object (&fixture->inviter);
  g_clear_object (&fixture->invitation);
  g_signal_handlers_disconnect_by_data (fixture->ua_b, fixture);
  stop_user_agent (fixture->ua_a);
  stop_user_agent (fixture->ua_b);
  g_clear_object (&fixture->ua_a);
  g_clear_object (&fixture->ua_b);
  /* Let belle-sip drop what it still holds of the sessions. */
  run_for (100);
  g_clear_object (&fixture->engine_a);
  g_clear_object (&fixture->engine_b);

  remove_dir (fixture->dir);
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
static GError *
place_call (Fixture *fixture)
{
  g_autofree char *uri = g_strdup_printf ("sip:bob@127.0.0.1:%d",
                                          belfry_user_agent_get_port (fixture->ua_b));
  g_autoptr (BelfryNameAddr) target = belfry_name_addr_parse (uri, NULL);
  g_autoptr (GAsyncResult) result = NULL;
  GError *error = NULL;

  fixture->inviter = belfry_inviter_new (fixture->ua_a, target);
  belfry_session_invite_async (BELFRY_SESSION (fixture->inviter), NULL, NULL, store_result_cb,
                               &result);
  g_assert_true (wait_for (pointer_set, &result, WAIT_MS));
  if (!belfry_session_invite_finish (BELFRY_SESSION (fixture->inviter), result, &error))
    return error;

  g_assert_true (wait_for (pointer_set, &fixture->accept_result, WAIT_MS));
  g_assert_true (belfry_invitation_accept_finish (fixture->invitation, fixture->accept_result,
                                                  &error));
  g_assert_no_error (error);
  return NULL;
}

static BelfryMediaHandler *
handler_of (gpointer session)
{
  BelfrySessionDescriptionHandler *handler =
    belfry_session_get_session_description_handler (BELFRY_SESSION (session));

  g_assert_true (BELFRY_IS_MEDIA_HANDLER (handler));
  return BELFRY_MEDIA_HANDLER (handler);
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

  belfry_session_bye_async (BELFRY_SESSION (fixture->inviter), NULL, store_result_cb, &result);
  g_assert_true (wait_for (pointer_set, &result, WAIT_MS));
  g_assert_true (belfry_session_bye_finish (BELFRY_SESSION (fixture->inviter), result, &error));
  g_assert_no_error (error);
  g_assert_true (wait_for (session_ended, fixture->invitation, WAIT_MS));
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
  g_assert_true (wait_for (received_enough, &goal, WAIT_MS));
  goal = (PacketGoal) { handler_of (fixture->inviter), 75 };
  g_assert_true (wait_for (received_enough, &goal, WAIT_MS));

  hang_up (fixture);

  assert_tone (fixture->record_b, tone_case->rate, TONE_A_HZ);
  assert_tone (fixture->record_a, tone_case->rate, TONE_B_HZ);
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

  belfry_session_invite_async (BELFRY_SESSION (fixture->inviter), &options, NULL, store_result_cb,
                               &result);
  g_assert_true (wait_for (pointer_set, &result, WAIT_MS));
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
  g_assert_true (wait_for (received_enough, &goal, WAIT_MS));

  /* Hold: A offers sendonly, B answers recvonly, and A's RTP stops. */
  reinvite (fixture, TRUE);
  held_at = g_get_monotonic_time ();
  g_assert_true (belfry_media_handler_get_local_hold (caller));
  g_assert_true (belfry_media_handler_get_remote_hold (callee));
  g_assert_false (belfry_media_handler_get_local_hold (callee));

  silence = (Silence) { callee, packets_received (callee), g_get_monotonic_time () };
  g_assert_true (wait_for (quiet_for_a_while, &silence, 1000 + 300));
  g_assert_cmpint (silence.last_change - held_at, <, 1000 * 1000);
  frozen = packets_received (callee);
  run_for (500);
  g_assert_cmpuint (packets_received (callee), ==, frozen);

  /* B, held, sends nothing either: its answer was recvonly. */
  silence = (Silence) { caller, packets_received (caller), g_get_monotonic_time () };
  g_assert_true (wait_for (quiet_for_a_while, &silence, 1000 + 300));

  /* Resume: RTP comes back within a second. */
  reinvite (fixture, FALSE);
  g_assert_false (belfry_media_handler_get_local_hold (caller));
  g_assert_false (belfry_media_handler_get_remote_hold (callee));
  goal = (PacketGoal) { callee, frozen + 10 };
  g_assert_true (wait_for (received_enough, &goal, 1000));
  goal = (PacketGoal) { caller, packets_received (caller) + 10 };
  g_assert_true (wait_for (received_enough, &goal, 1000));

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

  g_assert_true (wait_for (pointer_set, &fixture->accept_result, WAIT_MS));
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
  g_assert_true (wait_for (digits_arrived, &goal, WAIT_MS));
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
    store_result_cb, &result);
  g_assert_true (wait_for (pointer_set, &result, WAIT_MS));
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
    store_result_cb, &result);
  g_assert_true (wait_for (pointer_set, &result, WAIT_MS));
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

  return g_test_run ();
}
