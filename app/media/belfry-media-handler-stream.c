/* SPDX-License-Identifier: GPL-3.0-or-later */

#define G_LOG_DOMAIN "belfry-media"

#include "config.h"

#include "belfry-media-engine-private.h"
#include "belfry-media-error.h"
#include "belfry-media-handler-private.h"
#include "belfry-media-wav-private.h"

#include <mediastreamer2/msfileplayer.h>

#include <string.h>

/* BelfryMediaHandler's audio stream: mediastreamer2's AudioStream for an
 * Agreement, its RTP session, the events it reports (DTMF, inactivity),
 * and the tick that brings them to the main context. */

static void
on_telephone_event (const OrtpEventData *data,
                    void                *user_data)
{
  BelfryMediaHandler *self = user_data;
  int event = data->info.telephone_event;

  /* oRTP 5.1 hands the dispatcher some events twice: the same packet
   * received at the same instant is the same event. */
  if (data->packet == self->last_dtmf_packet &&
      data->ts.tv_sec == self->last_dtmf_time.tv_sec &&
      data->ts.tv_nsec == self->last_dtmf_time.tv_nsec)
    return;
  self->last_dtmf_packet = data->packet;
  self->last_dtmf_time = data->ts;

  /* Inside audio_stream_iterate(), on the main thread: only queue, so that
   * a signal handler may stop the stream safely. */
  if (event >= 0 && event < (int) strlen (DTMF_DIGITS))
    g_string_append_c (self->dtmf_in, DTMF_DIGITS[event]);
}

/* Reports a peer that sends nothing while it should, once per agreement. */
static void
check_inactivity (BelfryMediaHandler *self)
{
  guint timeout = belfry_media_engine_get_rtp_timeout (self->engine);
  gint64 now = g_get_monotonic_time ();
  g_autoptr (GError) error = NULL;
  const rtp_stats_t *stats;

  if (!self->stream_running || self->timed_out || !belfry_media_handler_agreement_expects_rtp (&self->running)) {
    self->last_rtp_time = now;
    return;
  }

  stats = rtp_session_get_stats (self->stream->ms.sessions.rtp_session);
  if (stats->packet_recv != self->last_rtp_count) {
    self->last_rtp_count = stats->packet_recv;
    self->last_rtp_time = now;
    return;
  }
  if (timeout == 0 || now - self->last_rtp_time < (gint64) timeout * G_USEC_PER_SEC)
    return;

  self->timed_out = TRUE;
  error = g_error_new (BELFRY_MEDIA_ERROR, BELFRY_MEDIA_ERROR_TIMEOUT,
                       "No audio from the other side for %u s", timeout);
  g_message ("%s", error->message);
  g_signal_emit_by_name (self, "failed", error);
}

static gboolean
tick_cb (gpointer user_data)
{
  BelfryMediaHandler *self = user_data;
  g_autoptr (BelfryMediaHandler) guard = g_object_ref (self);
  g_autofree char *digits = NULL;

  if (self->stream != NULL)
    audio_stream_iterate (self->stream);
  belfry_media_engine_pump (self->engine);

  if (self->dtmf_in->len > 0) {
    digits = g_strdup (self->dtmf_in->str);
    g_string_truncate (self->dtmf_in, 0);
    for (const char *p = digits; *p != '\0' && !self->closed; p++)
      g_signal_emit_by_name (self, "dtmf-received", *p);
  }

  if (!self->closed)
    check_inactivity (self);

  return G_SOURCE_CONTINUE;
}

/* The stream does not own its sessions (the ticker is the engine's):
 * they are taken back from it, then freed without the ticker, which the
 * engine stops when no other stream holds it. */
static void
destroy_stream (BelfryMediaHandler *self)
{
  MSMediaStreamSessions sessions;

  media_stream_reclaim_sessions (&self->stream->ms, &sessions);
  audio_stream_stop (g_steal_pointer (&self->stream));
  sessions.ticker = NULL;
  ms_media_stream_sessions_uninit (&sessions);
  belfry_media_engine_release_ticker (self->engine);
}

static gboolean
mute_settled_cb (gpointer user_data)
{
  BelfryMediaHandler *self = user_data;

  self->mute_settle_id = 0;
  if (self->stream_running)
    audio_stream_mute_rtp (self->stream, !belfry_media_handler_agreement_sends (&self->running));
  return G_SOURCE_REMOVE;
}

void
belfry_media_handler_stop_stream (BelfryMediaHandler *self)
{
  if (self->stream == NULL)
    return;

  if (self->stream_running) {
    const rtp_stats_t *stats = rtp_session_get_stats (self->stream->ms.sessions.rtp_session);

    self->sent_before += stats->packet_sent;
    self->received_before += stats->packet_recv;
    ortp_ev_dispatcher_disconnect (self->stream->ms.evd, ORTP_EVENT_TELEPHONE_EVENT, 0,
                                   on_telephone_event);
  }

  g_clear_handle_id (&self->tick_id, g_source_remove);
  g_clear_handle_id (&self->mute_settle_id, g_source_remove);
  g_clear_handle_id (&self->dtmf_send_id, g_source_remove);
  g_queue_clear (&self->dtmf_out);

  destroy_stream (self);
  g_clear_pointer (&self->profile, rtp_profile_destroy);
  if (belfry_media_engine_get_record_file (self->engine) != NULL) {
    g_autoptr (GError) error = NULL;

    if (!belfry_media_wav_repair_header (belfry_media_engine_get_record_file (self->engine), &error))
      g_message ("Cannot correct the recording's header: %s", error->message);
  }
  self->stream_running = FALSE;
  belfry_media_handler_agreement_clear (&self->running);
}

/* Binds the RTP and RTCP sockets, on the ports of before when the stream
 * is made again. */
gboolean
belfry_media_handler_ensure_stream (BelfryMediaHandler  *self,
                                    GError             **error)
{
  MSFactory *factory = belfry_media_engine_get_factory (self->engine);
  const char *bind = belfry_media_engine_get_bind_address (self->engine);
  MSMediaStreamSessions sessions = { 0 };
  RtpSession *session;

  if (self->stream != NULL)
    return TRUE;

  sessions.rtp_session = ms_create_duplex_rtp_session (bind,
                                                      self->local_rtp_port > 0 ? self->local_rtp_port : -1,
                                                      self->local_rtcp_port > 0 ? self->local_rtcp_port : -1,
                                                      ms_factory_get_mtu (factory));
  sessions.ticker = belfry_media_engine_hold_ticker (self->engine);
  self->stream = audio_stream_new_with_sessions (factory, &sessions);

  /* Only the parts a call uses. By default mediastreamer2 also builds a
   * call recorder (a Matroska writer with an opus encoder), a local
   * player, equalizers and in-band DTMF generators for every stream, which
   * made setting up a call several times dearer than its signaling. Mute
   * needs the send volume; the echo canceller and flow control only matter
   * between two sound cards, and audio_stream_start_full() drops the
   * canceller by itself when it is not asked for. */
  audio_stream_set_features (self->stream, AUDIO_STREAM_FEATURE_PLC | AUDIO_STREAM_FEATURE_EC |
                                           AUDIO_STREAM_FEATURE_VOL_SND |
                                           AUDIO_STREAM_FEATURE_VOL_RCV |
                                           AUDIO_STREAM_FEATURE_FLOW_CONTROL);

  session = self->stream->ms.sessions.rtp_session;
  self->local_rtp_port = rtp_session_get_local_port (session);
  self->local_rtcp_port = rtp_session_get_local_rtcp_port (session);
  if (self->local_rtp_port <= 0) {
    destroy_stream (self);
    g_set_error (error, BELFRY_MEDIA_ERROR, BELFRY_MEDIA_ERROR_STREAM,
                 "Cannot bind an RTP port on %s", bind);
    return FALSE;
  }
  return TRUE;
}

static void
add_telephone_events (RtpProfile      *profile,
                      const Agreement *agreement)
{
  int rate = agreement->codec->clock_rate;
  PayloadType *pt;

  /* RFC 4733 only with the flags: without them mediastreamer2 sends
   * digits as tones in the audio. */
  if (agreement->dtmf_recv_pt >= 0) {
    pt = belfry_media_telephone_event_new_payload_type (rate);
    payload_type_set_flag (pt, PAYLOAD_TYPE_FLAG_CAN_RECV);
    if (agreement->dtmf_send_pt == agreement->dtmf_recv_pt)
      payload_type_set_flag (pt, PAYLOAD_TYPE_FLAG_CAN_SEND);
    rtp_profile_set_payload (profile, agreement->dtmf_recv_pt, pt);
  }
  if (agreement->dtmf_send_pt >= 0 && agreement->dtmf_send_pt != agreement->dtmf_recv_pt) {
    pt = belfry_media_telephone_event_new_payload_type (rate);
    payload_type_set_flag (pt, PAYLOAD_TYPE_FLAG_CAN_SEND);
    rtp_profile_set_payload (profile, agreement->dtmf_send_pt, pt);
  }
}

gboolean
belfry_media_handler_start_stream (BelfryMediaHandler  *self,
                                   GError             **error)
{
  const Agreement *agreement = &self->agreed;
  const char *record_file = belfry_media_engine_get_record_file (self->engine);
  g_autofree char *play_file = NULL;
  g_autoptr (GError) file_error = NULL;
  MSSndCard *capture = NULL;
  MSSndCard *playback = NULL;
  int result;

  /* mediastreamer2's file player does not resample: the file is made to
   * match the codec's rate before the stream starts. */
  if (belfry_media_engine_get_play_file (self->engine) != NULL) {
    play_file = belfry_media_engine_prepare_play_file (self->engine, agreement->codec->sample_rate,
                                                       &file_error);
    if (play_file == NULL) {
      g_set_error (error, BELFRY_MEDIA_ERROR, BELFRY_MEDIA_ERROR_FILE,
                   "Cannot play the file: %s", file_error->message);
      return FALSE;
    }
  }

  if (!belfry_media_handler_ensure_stream (self, error))
    return FALSE;

  if (agreement->srtp_suite != MS_CRYPTO_SUITE_INVALID) {
    MSMediaStreamSessions *sessions = &self->stream->ms.sessions;

    if (ms_media_stream_sessions_set_srtp_send_key_b64 (sessions, agreement->srtp_suite,
                                                        self->local_key) != 0 ||
        ms_media_stream_sessions_set_srtp_recv_key_b64 (sessions, agreement->srtp_suite,
                                                        agreement->remote_key) != 0) {
      g_set_error_literal (error, BELFRY_MEDIA_ERROR, BELFRY_MEDIA_ERROR_STREAM,
                           "The SRTP keys could not be set");
      return FALSE;
    }
    /* With keys set, everything is encrypted already; this also drops
     * plain packets that arrive. mediastreamer2 5.1 returns -1 here even
     * when it took the setting. */
    ms_media_stream_sessions_set_encryption_mandatory (sessions, TRUE);
  }

  self->profile = rtp_profile_new ("belfry");
  rtp_profile_set_payload (self->profile, agreement->recv_pt,
                           belfry_media_codec_new_payload_type (agreement->codec));
  if (agreement->send_pt != agreement->recv_pt)
    rtp_profile_set_payload (self->profile, agreement->send_pt,
                             belfry_media_codec_new_payload_type (agreement->codec));
  add_telephone_events (self->profile, agreement);

  if (agreement->codec->network_bitrate > 0)
    media_stream_set_target_network_bitrate (&self->stream->ms, agreement->codec->network_bitrate);

  if (play_file == NULL) {
    capture = belfry_media_engine_find_card (self->engine, "microphone");
    if (capture == NULL)
      g_message ("No capture sound card: nothing will be sent");
  }
  if (record_file == NULL) {
    playback = belfry_media_engine_find_card (self->engine, "speaker");
    if (playback == NULL)
      g_message ("No playback sound card: nothing will be heard");
  }

  ortp_ev_dispatcher_connect (self->stream->ms.evd, ORTP_EVENT_TELEPHONE_EVENT, 0,
                              on_telephone_event, self);

  g_debug ("starting %s/%d%s: sending pt %d to %s:%d (RTCP %d), receiving pt %d on port %d%s%s",
           agreement->codec->name, agreement->codec->clock_rate,
           agreement->srtp_suite != MS_CRYPTO_SUITE_INVALID ? " over SRTP" : "", agreement->send_pt,
           agreement->remote_address, agreement->remote_port, agreement->remote_rtcp_port,
           agreement->recv_pt, self->local_rtp_port,
           play_file != NULL ? ", playing " : "", play_file != NULL ? play_file : "");

  if (self->muted)
    audio_stream_mute_rtp (self->stream, TRUE);
  result = audio_stream_start_full (self->stream, self->profile,
                                    agreement->remote_address, agreement->remote_port,
                                    agreement->remote_address, agreement->remote_rtcp_port,
                                    agreement->send_pt, JITTER_MS,
                                    play_file, record_file, playback, capture,
                                    capture != NULL && playback != NULL);
  self->stream_running = TRUE;
  if (result != 0) {
    belfry_media_handler_stop_stream (self);
    g_set_error (error, BELFRY_MEDIA_ERROR, BELFRY_MEDIA_ERROR_STREAM,
                 "The %s audio stream did not start", agreement->codec->name);
    return FALSE;
  }

  if (self->muted) {
    audio_stream_enable_mic (self->stream, FALSE);
    self->mute_settle_id = g_timeout_add (MUTE_SETTLE_MS, mute_settled_cb, self);
  }

  /* A file stands for a microphone that never runs dry. */
  if (play_file != NULL && self->stream->soundread != NULL &&
      ms_filter_get_id (self->stream->soundread) == MS_FILE_PLAYER_ID) {
    int loop_interval_ms = 0;

    ms_filter_call_method (self->stream->soundread, MS_FILE_PLAYER_LOOP, &loop_interval_ms);
  }

  belfry_media_handler_agreement_copy (&self->running, agreement);
  self->tick_id = g_timeout_add (TICK_MS, tick_cb, self);
  return TRUE;
}

