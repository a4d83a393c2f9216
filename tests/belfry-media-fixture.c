/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include "belfry-media-fixture.h"
#include "belfry-sipp.h"
#include "media/belfry-tone.h"

/* The media tests' fixture: two user agents with engines. */

BelfryUserAgent *
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

void
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

gboolean
session_ended (gpointer data)
{
  BelfrySession *session = data;

  return session == NULL || belfry_session_get_state (session) == BELFRY_SESSION_STATE_TERMINATED;
}

void
stop_user_agent (BelfryUserAgent *ua)
{
  g_autoptr (GAsyncResult) result = NULL;

  belfry_user_agent_stop_async (ua, NULL, belfry_test_store_result_cb, &result);
  g_assert_true (belfry_test_wait_until (belfry_test_pointer_set, &result, WAIT_MS));
  belfry_user_agent_stop_finish (ua, result, NULL);
}

void
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

void
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
BelfryMediaHandler *
handler_of (gpointer session)
{
  BelfrySessionDescriptionHandler *handler =
    belfry_session_get_session_description_handler (BELFRY_SESSION (session));

  g_assert_true (BELFRY_IS_MEDIA_HANDLER (handler));
  return BELFRY_MEDIA_HANDLER (handler);
}

GError *
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

gboolean
received_enough (gpointer data)
{
  PacketGoal *goal = data;
  guint64 received = 0;

  belfry_media_handler_get_rtp_stats (goal->handler, NULL, &received);
  return received >= goal->packets;
}

void
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

void
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

gint16
ulaw_decode (guint8 byte)
{
  int value = ~byte & 0xff;
  int magnitude = (((value & 0x0f) << 3) + 0x84) << ((value & 0x70) >> 4);

  return (gint16) ((value & 0x80) ? 0x84 - magnitude : magnitude - 0x84);
}

