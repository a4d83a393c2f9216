/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Early media against sipp: the RTP of a call goes where the 183's answer
 * says, then where the 200's answer says, read by two UDP sockets of the
 * test standing for the two media addresses of a gateway. */

#include "config.h"

#include "belfry-inviter.h"
#include "belfry-media-engine.h"
#include "belfry-sipp.h"
#include "belfry-test-env.h"
#include "belfry-user-agent.h"
#include "media/belfry-tone.h"

#include <glib/gstdio.h>

#define WAIT_MS 8000

/* One media address of the peer: counts the RTP that reaches it. */
typedef struct {
  GSocket *socket;
  GSource *source;
  int port;
  guint packets;
  guint pcmu_packets;
} Sink;

typedef struct {
  char *dir;
  BelfryMediaEngine *engine;
  BelfryUserAgent *ua;
  BelfryInviter *inviter;
  Sink early;
  Sink final;
  guint early_at_established;
  guint final_at_established;
  guint early_mark;
  guint final_mark;
} Fixture;

static gboolean
on_datagram (GSocket      *socket,
             GIOCondition  condition,
             gpointer      user_data)
{
  Sink *sink = user_data;
  guint8 buffer[2048];
  gssize size;

  while ((size = g_socket_receive (socket, (char *) buffer, sizeof buffer, NULL, NULL)) > 0) {
    /* RTP version 2; RTCP (payload types 200 to 204) is not counted. */
    if (size < 12 || (buffer[0] >> 6) != 2 || (buffer[1] >= 200 && buffer[1] <= 204))
      continue;
    sink->packets++;
    if ((buffer[1] & 0x7f) == 0)
      sink->pcmu_packets++;
  }
  return G_SOURCE_CONTINUE;
}

static void
sink_open (Sink *sink)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr (GSocketAddress) any_port = g_inet_socket_address_new (loopback, 0);
  g_autoptr (GSocketAddress) bound = NULL;

  sink->socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_DATAGRAM, G_SOCKET_PROTOCOL_UDP, &error);
  g_assert_no_error (error);
  g_socket_set_blocking (sink->socket, FALSE);
  g_assert_true (g_socket_bind (sink->socket, any_port, FALSE, &error));
  g_assert_no_error (error);
  bound = g_socket_get_local_address (sink->socket, &error);
  g_assert_no_error (error);
  sink->port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
  sink->source = g_socket_create_source (sink->socket, G_IO_IN, NULL);
  g_source_set_callback (sink->source, G_SOURCE_FUNC (on_datagram), sink, NULL);
  g_source_attach (sink->source, NULL);
}

static void
sink_close (Sink *sink)
{
  g_source_destroy (sink->source);
  g_clear_pointer (&sink->source, g_source_unref);
  g_clear_object (&sink->socket);
}



static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (BelfryNameAddr) identity = belfry_name_addr_parse ("sip:alice@127.0.0.1", NULL);
  g_autoptr (GAsyncResult) result = NULL;
  g_autofree char *play = NULL;

  fixture->dir = g_dir_make_tmp ("belfry-early-XXXXXX", &error);
  g_assert_no_error (error);
  play = g_build_filename (fixture->dir, "play.wav", NULL);
  g_assert_true (belfry_tone_write_wav (play, 8000, 1000.0, 2.0, 8000.0, &error));
  g_assert_no_error (error);

  fixture->engine = belfry_media_engine_new ();
  g_object_set (fixture->engine,
                "bind-address", "127.0.0.1",
                "play-file", play,
                "codecs", (const char * const[]) { "PCMU", NULL },
                NULL);
  fixture->ua = belfry_user_agent_new (identity, "127.0.0.1", 0,
                                       BELFRY_SESSION_DESCRIPTION_HANDLER_FACTORY (fixture->engine));
  belfry_user_agent_start_async (fixture->ua, NULL, belfry_test_store_result_cb, &result);
  belfry_test_wait_result (&result, WAIT_MS);
  g_assert_true (belfry_user_agent_start_finish (fixture->ua, result, &error));
  g_assert_no_error (error);

  sink_open (&fixture->early);
  sink_open (&fixture->final);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autoptr (GAsyncResult) result = NULL;
  g_autofree char *play = g_build_filename (fixture->dir, "play.wav", NULL);

  sink_close (&fixture->early);
  sink_close (&fixture->final);
  if (fixture->inviter != NULL)
    belfry_test_assert_finalized (g_steal_pointer (&fixture->inviter), WAIT_MS);
  belfry_user_agent_stop_async (fixture->ua, NULL, belfry_test_store_result_cb, &result);
  belfry_test_wait_result (&result, WAIT_MS);
  g_clear_object (&result);
  belfry_test_assert_finalized (g_steal_pointer (&fixture->ua), WAIT_MS);
  belfry_test_assert_finalized (g_steal_pointer (&fixture->engine), WAIT_MS);
  g_unlink (play);
  g_rmdir (fixture->dir);
  g_free (fixture->dir);
}

static gboolean
early_media_flows (gpointer data)
{
  Fixture *fixture = data;

  return fixture->early.pcmu_packets >= 25 ||
         belfry_session_get_state (BELFRY_SESSION (fixture->inviter)) > BELFRY_SESSION_STATE_ESTABLISHING;
}

static gboolean
established (gpointer data)
{
  Fixture *fixture = data;

  return belfry_session_get_state (BELFRY_SESSION (fixture->inviter)) >= BELFRY_SESSION_STATE_ESTABLISHED;
}

static gboolean
final_got_50_more (gpointer data)
{
  Fixture *fixture = data;

  return fixture->final.pcmu_packets >= fixture->final_mark + 50;
}

static gboolean
early_got_50_more (gpointer data)
{
  Fixture *fixture = data;

  return fixture->early.pcmu_packets >= fixture->early_mark + 50;
}

static gboolean
terminated (gpointer data)
{
  Fixture *fixture = data;

  return belfry_session_get_state (BELFRY_SESSION (fixture->inviter)) == BELFRY_SESSION_STATE_TERMINATED;
}

/* data: the scenario; its 200 names the final port, or has no body. */
static void
test_early_media (Fixture       *fixture,
                  gconstpointer  data)
{
  const char *scenario = data;
  gboolean moves = g_str_equal (scenario, "uas-early-media.xml");
  int sipp_port = belfry_test_free_port ("127.0.0.1");
  g_autofree char *early_port = g_strdup_printf ("%d", fixture->early.port);
  g_autofree char *final_port = g_strdup_printf ("%d", fixture->final.port);
  const char *args[] = { "-set", "early", early_port, "-set", "final", final_port, NULL };
  g_autoptr (BelfrySipp) sipp = belfry_sipp_start (scenario, "u1", "127.0.0.1", sipp_port, NULL, args);
  g_autofree char *uri = g_strdup_printf ("sip:gateway@127.0.0.1:%d", sipp_port);
  g_autoptr (BelfryNameAddr) target = belfry_name_addr_parse (uri, NULL);
  g_autoptr (GAsyncResult) invited = NULL;
  g_autoptr (GAsyncResult) ended = NULL;
  g_autoptr (GError) error = NULL;

  g_assert_true (belfry_test_wait_port_bound (sipp_port, FALSE, WAIT_MS));
  fixture->inviter = belfry_inviter_new (fixture->ua, target);
  belfry_session_invite_async (BELFRY_SESSION (fixture->inviter), NULL, NULL, belfry_test_store_result_cb, &invited);

  /* The 183's answer: audio plays to the early address while it rings. */
  g_assert_true (belfry_test_wait_until (early_media_flows, fixture, WAIT_MS));
  g_assert_cmpint (belfry_session_get_state (BELFRY_SESSION (fixture->inviter)), ==,
                   BELFRY_SESSION_STATE_ESTABLISHING);
  g_assert_cmpuint (fixture->final.packets, ==, 0);

  g_assert_true (belfry_test_wait_until (established, fixture, WAIT_MS));
  belfry_test_wait_result (&invited, WAIT_MS);
  g_assert_true (belfry_session_invite_finish (BELFRY_SESSION (fixture->inviter), invited, &error));
  g_assert_no_error (error);
  g_assert_cmpint (belfry_session_get_state (BELFRY_SESSION (fixture->inviter)), ==,
                   BELFRY_SESSION_STATE_ESTABLISHED);

  fixture->early_mark = fixture->early.pcmu_packets;
  fixture->final_mark = fixture->final.pcmu_packets;
  if (moves) {
    /* The 200's answer wins: one second of audio goes to the final
     * address, and next to none still to the early one. */
    g_assert_true (belfry_test_wait_until (final_got_50_more, fixture, WAIT_MS));
    g_assert_cmpuint (fixture->early.pcmu_packets, <=, fixture->early_mark + 3);
  } else {
    /* A 200 without a body keeps the early answer. */
    g_assert_true (belfry_test_wait_until (early_got_50_more, fixture, WAIT_MS));
    g_assert_cmpuint (fixture->final.packets, ==, 0);
  }

  belfry_session_bye_async (BELFRY_SESSION (fixture->inviter), NULL, belfry_test_store_result_cb, &ended);
  belfry_test_wait_result (&ended, WAIT_MS);
  g_assert_true (belfry_session_bye_finish (BELFRY_SESSION (fixture->inviter), ended, &error));
  g_assert_no_error (error);
  g_assert_true (belfry_test_wait_until (terminated, fixture, WAIT_MS));
  g_assert_cmpint (belfry_sipp_wait (sipp, WAIT_MS), ==, 0);
}

int
main (int    argc,
      char **argv)
{
  belfry_test_init (&argc, &argv);

  g_test_add ("/belfry/early-media/answer-moves", Fixture, "uas-early-media.xml",
              fixture_set_up, test_early_media, fixture_tear_down);
  g_test_add ("/belfry/early-media/no-final-answer", Fixture, "uas-early-media-no-sdp.xml",
              fixture_set_up, test_early_media, fixture_tear_down);
  return g_test_run ();
}
