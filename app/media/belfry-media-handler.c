/* SPDX-License-Identifier: GPL-3.0-or-later */

#define G_LOG_DOMAIN "belfry-media"

#include "config.h"

#include "belfry-media-enums.h"
#include "belfry-media-error.h"
#include "belfry-media-handler-private.h"

#include <belle-sip/belle-sip.h>

#include <string.h>

/**
 * BelfryMediaHandler:
 *
 * The session description handler of one session: it makes and takes SDP
 * offers and answers (RFC 3264) with belle-sdp and runs the one audio
 * stream they agree on with mediastreamer2.
 *
 * Hold is a direction: our hold offers `a=sendonly` (`a=inactive` when the
 * peer holds us already), and we send no RTP while either side holds. The
 * stream starts once an offer and its answer are both known, and changes
 * with each new agreement. mediastreamer2 reports through a timeout on the
 * main context, so #BelfrySessionDescriptionHandler::dtmf-received,
 * #BelfryMediaHandler::failed and property notifications come there.
 *
 * SRTP is keyed by SDES (RFC 4568): each side's `a=crypto` carries the key
 * it sends with. Keys are only written or taken when
 * #BelfryMediaHandler:secure-signaling says the SDP travels over TLS, or
 * #BelfryMediaHandler:allow-srtp-without-tls allows it anyway. The SRTP
 * mode and that permission are the engine's unless set on the handler (the
 * engine sets them from its factory options, per account).
 */

enum {
  PROP_0,
  PROP_ENGINE,
  PROP_CODEC,
  PROP_LOCAL_HOLD,
  PROP_REMOTE_HOLD,
  PROP_SECURE_SIGNALING,
  PROP_SRTP_SUITE,
  PROP_MUTED,
  PROP_SRTP,
  PROP_ALLOW_SRTP_WITHOUT_TLS,
  N_PROPS
};

static GParamSpec *props[N_PROPS];

enum {
  SIGNAL_DTMF_RECEIVED,
  SIGNAL_FAILED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void sdh_iface_init (BelfrySessionDescriptionHandlerInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (BelfryMediaHandler, belfry_media_handler, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (BELFRY_TYPE_SESSION_DESCRIPTION_HANDLER,
                                                      sdh_iface_init))

static void
notify_state (BelfryMediaHandler *self,
              const char         *old_codec,
              gboolean            old_local_hold,
              gboolean            old_remote_hold)
{
  if (g_strcmp0 (old_codec, belfry_media_handler_get_codec (self)) != 0)
    g_object_notify_by_pspec (G_OBJECT (self), props[PROP_CODEC]);
  if (old_local_hold != belfry_media_handler_get_local_hold (self))
    g_object_notify_by_pspec (G_OBJECT (self), props[PROP_LOCAL_HOLD]);
  if (old_remote_hold != belfry_media_handler_get_remote_hold (self))
    g_object_notify_by_pspec (G_OBJECT (self), props[PROP_REMOTE_HOLD]);
}

/* Makes the stream match self->agreed, which was just set. */
static gboolean
apply_agreement (BelfryMediaHandler  *self,
                 GError             **error)
{
  const Agreement *agreement = &self->agreed;

  if (agreement->codec == NULL) {
    belfry_media_handler_stop_stream (self);
    return TRUE;
  }

  if (self->stream_running && !belfry_media_handler_agreement_same_stream (&self->running, agreement))
    belfry_media_handler_stop_stream (self);

  if (!self->stream_running && !belfry_media_handler_start_stream (self, error))
    return FALSE;

  audio_stream_mute_rtp (self->stream, !belfry_media_handler_agreement_sends (agreement) || self->mute_settle_id != 0);
  self->running.local_direction = agreement->local_direction;
  self->running.remote_direction = agreement->remote_direction;
  self->running.local_hold = agreement->local_hold;

  /* Each agreement gives the peer a full timeout to start sending. */
  self->last_rtp_count = G_MAXUINT64;
  self->last_rtp_time = g_get_monotonic_time ();
  self->timed_out = FALSE;
  return TRUE;
}

static gboolean
apply_deferred_cb (gpointer user_data)
{
  BelfryMediaHandler *self = user_data;
  g_autoptr (GError) error = NULL;

  self->apply_id = 0;
  if (self->closed || !self->has_agreement)
    return G_SOURCE_REMOVE;

  if (!apply_agreement (self, &error)) {
    g_autofree char *old_codec = g_strdup (belfry_media_handler_get_codec (self));

    belfry_media_handler_agreement_clear (&self->agreed);
    notify_state (self, old_codec, self->local_hold, belfry_media_handler_get_remote_hold (self));
    g_signal_emit (self, signals[SIGNAL_FAILED], 0, error);
  }
  return G_SOURCE_REMOVE;
}

/* Takes @agreement as the new agreed state, but starts the stream only
 * after the answer has gone out: starting mediastreamer2's threads and
 * files takes milliseconds that the 200 OK should not wait for. A stream
 * that fails to start then fails the media. */
static void
agree_after_answer (BelfryMediaHandler *self,
                    const Agreement    *agreement)
{
  g_autofree char *old_codec = g_strdup (belfry_media_handler_get_codec (self));
  gboolean old_local_hold = belfry_media_handler_get_local_hold (self);
  gboolean old_remote_hold = belfry_media_handler_get_remote_hold (self);

  belfry_media_handler_agreement_copy (&self->agreed, agreement);
  self->has_agreement = TRUE;
  self->local_hold = agreement->local_hold;
  notify_state (self, old_codec, old_local_hold, old_remote_hold);

  if (self->apply_id == 0)
    self->apply_id = g_idle_add_full (G_PRIORITY_DEFAULT_IDLE, apply_deferred_cb, self, NULL);
}

/* Takes @agreement as the new agreed state and runs it; a failure leaves
 * no stream, and the state says so. */
gboolean
belfry_media_handler_agree (BelfryMediaHandler  *self,
                            const Agreement     *agreement,
                            GError             **error)
{
  g_autofree char *old_codec = g_strdup (belfry_media_handler_get_codec (self));
  gboolean old_local_hold = belfry_media_handler_get_local_hold (self);
  gboolean old_remote_hold = belfry_media_handler_get_remote_hold (self);
  gboolean ok;

  belfry_media_handler_agreement_copy (&self->agreed, agreement);
  self->has_agreement = TRUE;
  self->local_hold = agreement->local_hold;
  ok = apply_agreement (self, error);
  if (!ok)
    belfry_media_handler_agreement_clear (&self->agreed);
  notify_state (self, old_codec, old_local_hold, old_remote_hold);
  return ok;
}

/* ---- BelfrySessionDescriptionHandler ---- */

static void
belfry_media_handler_get_description_async (BelfrySessionDescriptionHandler              *handler,
                                            const BelfrySessionDescriptionHandlerOptions *options,
                                            GCancellable                                 *cancellable,
                                            GAsyncReadyCallback                           callback,
                                            gpointer                                      user_data)
{
  BelfryMediaHandler *self = BELFRY_MEDIA_HANDLER (handler);
  g_autoptr (GTask) task = g_task_new (self, cancellable, callback, user_data);
  g_autoptr (GError) error = NULL;
  char *body;

  g_task_set_source_tag (task, belfry_media_handler_get_description_async);

  if (g_task_return_error_if_cancelled (task))
    return;

  if (self->closed) {
    g_task_return_new_error (task, BELFRY_MEDIA_ERROR, BELFRY_MEDIA_ERROR_CLOSED,
                             "The media handler is closed");
    return;
  }

  /* Without options the hold of before stays: answers to the peer's
   * re-INVITEs keep our hold. */
  if (options != NULL)
    self->local_hold = options->hold;

  if (self->remote_offer != NULL) {
    body = belfry_media_handler_make_answer (self, &error);
    if (body != NULL) {
      Agreement agreement = { 0 };

      belfry_media_handler_agreement_copy (&agreement, &self->remote_offer_agreement);
      g_clear_pointer (&self->remote_offer, belle_sip_object_unref);
      belfry_media_handler_agreement_clear (&self->remote_offer_agreement);
      agree_after_answer (self, &agreement);
      belfry_media_handler_agreement_clear (&agreement);
    }
  } else {
    body = belfry_media_handler_make_offer (self, &error);
  }

  if (body == NULL) {
    g_task_return_error (task, g_steal_pointer (&error));
    return;
  }
  g_task_return_pointer (task, body, g_free);
}

static char *
belfry_media_handler_get_description_finish (BelfrySessionDescriptionHandler  *handler,
                                             GAsyncResult                     *result,
                                             char                            **content_type,
                                             GError                          **error)
{
  char *body;

  g_return_val_if_fail (g_task_is_valid (result, handler), NULL);

  body = g_task_propagate_pointer (G_TASK (result), error);
  if (content_type != NULL)
    *content_type = body != NULL ? g_strdup (CONTENT_TYPE) : NULL;
  return body;
}

static void
belfry_media_handler_set_description_async (BelfrySessionDescriptionHandler              *handler,
                                            const char                                   *content_type,
                                            const char                                   *body,
                                            const BelfrySessionDescriptionHandlerOptions *options,
                                            GCancellable                                 *cancellable,
                                            GAsyncReadyCallback                           callback,
                                            gpointer                                      user_data)
{
  BelfryMediaHandler *self = BELFRY_MEDIA_HANDLER (handler);
  g_autoptr (GTask) task = g_task_new (self, cancellable, callback, user_data);
  g_autoptr (GError) error = NULL;
  gboolean ok;

  g_task_set_source_tag (task, belfry_media_handler_set_description_async);

  if (g_task_return_error_if_cancelled (task))
    return;

  if (self->closed) {
    g_task_return_new_error (task, BELFRY_MEDIA_ERROR, BELFRY_MEDIA_ERROR_CLOSED,
                             "The media handler is closed");
    return;
  }

  if (options != NULL)
    self->local_hold = options->hold;

  if (self->offer_pending)
    ok = belfry_media_handler_take_answer (self, content_type, body, options != NULL && options->provisional, &error);
  else
    ok = belfry_media_handler_take_offer (self, content_type, body, &error);

  if (!ok)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_boolean (task, TRUE);
}

static gboolean
belfry_media_handler_set_description_finish (BelfrySessionDescriptionHandler  *handler,
                                             GAsyncResult                     *result,
                                             GError                          **error)
{
  g_return_val_if_fail (g_task_is_valid (result, handler), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
belfry_media_handler_rollback_description (BelfrySessionDescriptionHandler *handler)
{
  BelfryMediaHandler *self = BELFRY_MEDIA_HANDLER (handler);

  /* The stream still runs the last agreement: only what was not agreed
   * goes. */
  self->offer_pending = FALSE;
  self->offer_srtp = FALSE;
  g_clear_pointer (&self->offer_codecs, g_ptr_array_unref);
  g_clear_pointer (&self->remote_offer, belle_sip_object_unref);
  belfry_media_handler_agreement_clear (&self->remote_offer_agreement);
  self->local_hold = self->has_agreement ? self->agreed.local_hold : FALSE;
}

static gboolean
send_next_digit_cb (gpointer user_data)
{
  BelfryMediaHandler *self = user_data;
  char digit;

  if (self->stream == NULL || g_queue_is_empty (&self->dtmf_out)) {
    self->dtmf_send_id = 0;
    return G_SOURCE_REMOVE;
  }

  digit = (char) GPOINTER_TO_INT (g_queue_pop_head (&self->dtmf_out));
  audio_stream_send_dtmf (self->stream, digit);
  return G_SOURCE_CONTINUE;
}

static gboolean
belfry_media_handler_send_dtmf (BelfrySessionDescriptionHandler *handler,
                                const char                      *tones)
{
  BelfryMediaHandler *self = BELFRY_MEDIA_HANDLER (handler);

  if (self->closed || !self->stream_running || self->running.dtmf_send_pt < 0)
    return FALSE;

  for (const char *p = tones; *p != '\0'; p++) {
    if (strchr (DTMF_DIGITS, g_ascii_toupper (*p)) == NULL)
      return FALSE;
  }

  for (const char *p = tones; *p != '\0'; p++)
    g_queue_push_tail (&self->dtmf_out, GINT_TO_POINTER (g_ascii_toupper (*p)));

  /* Digits go one at a time, apart, as RFC 4733 events of their own. */
  if (self->dtmf_send_id == 0 && send_next_digit_cb (self))
    self->dtmf_send_id = g_timeout_add (DTMF_GAP_MS, send_next_digit_cb, self);
  return TRUE;
}

static void
belfry_media_handler_close (BelfrySessionDescriptionHandler *handler)
{
  BelfryMediaHandler *self = BELFRY_MEDIA_HANDLER (handler);
  g_autofree char *old_codec = NULL;
  gboolean old_local_hold, old_remote_hold;

  if (self->closed)
    return;

  old_codec = g_strdup (belfry_media_handler_get_codec (self));
  old_local_hold = belfry_media_handler_get_local_hold (self);
  old_remote_hold = belfry_media_handler_get_remote_hold (self);

  self->closed = TRUE;
  g_clear_handle_id (&self->apply_id, g_source_remove);
  belfry_media_handler_rollback_description (handler);
  belfry_media_handler_stop_stream (self);
  belfry_media_handler_agreement_clear (&self->agreed);
  self->has_agreement = FALSE;
  self->local_hold = FALSE;
  notify_state (self, old_codec, old_local_hold, old_remote_hold);
}

static void
sdh_iface_init (BelfrySessionDescriptionHandlerInterface *iface)
{
  iface->get_description_async = belfry_media_handler_get_description_async;
  iface->get_description_finish = belfry_media_handler_get_description_finish;
  iface->set_description_async = belfry_media_handler_set_description_async;
  iface->set_description_finish = belfry_media_handler_set_description_finish;
  iface->rollback_description = belfry_media_handler_rollback_description;
  iface->send_dtmf = belfry_media_handler_send_dtmf;
  iface->close = belfry_media_handler_close;
}

/* ---- GObject ---- */

static void
belfry_media_handler_get_property (GObject    *object,
                                   guint       prop_id,
                                   GValue     *value,
                                   GParamSpec *pspec)
{
  BelfryMediaHandler *self = BELFRY_MEDIA_HANDLER (object);

  switch (prop_id) {
  case PROP_ENGINE:
    g_value_set_object (value, self->engine);
    break;
  case PROP_CODEC:
    g_value_set_string (value, belfry_media_handler_get_codec (self));
    break;
  case PROP_LOCAL_HOLD:
    g_value_set_boolean (value, belfry_media_handler_get_local_hold (self));
    break;
  case PROP_REMOTE_HOLD:
    g_value_set_boolean (value, belfry_media_handler_get_remote_hold (self));
    break;
  case PROP_SECURE_SIGNALING:
    g_value_set_boolean (value, self->secure_signaling);
    break;
  case PROP_SRTP_SUITE:
    g_value_set_string (value, belfry_media_handler_get_srtp_suite (self));
    break;
  case PROP_MUTED:
    g_value_set_boolean (value, self->muted);
    break;
  case PROP_SRTP:
    g_value_set_enum (value, belfry_media_handler_get_srtp (self));
    break;
  case PROP_ALLOW_SRTP_WITHOUT_TLS:
    g_value_set_boolean (value, belfry_media_handler_get_allow_srtp_without_tls (self));
    break;
  default:
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
  }
}

static void
belfry_media_handler_set_property (GObject      *object,
                                   guint         prop_id,
                                   const GValue *value,
                                   GParamSpec   *pspec)
{
  BelfryMediaHandler *self = BELFRY_MEDIA_HANDLER (object);

  switch (prop_id) {
  case PROP_ENGINE:
    self->engine = g_value_dup_object (value);
    break;
  case PROP_SECURE_SIGNALING:
    belfry_media_handler_set_secure_signaling (self, g_value_get_boolean (value));
    break;
  case PROP_MUTED:
    belfry_media_handler_set_muted (self, g_value_get_boolean (value));
    break;
  case PROP_SRTP:
    belfry_media_handler_set_srtp (self, g_value_get_enum (value));
    break;
  case PROP_ALLOW_SRTP_WITHOUT_TLS:
    belfry_media_handler_set_allow_srtp_without_tls (self, g_value_get_boolean (value));
    break;
  default:
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
  }
}

static void
belfry_media_handler_constructed (GObject *object)
{
  BelfryMediaHandler *self = BELFRY_MEDIA_HANDLER (object);

  G_OBJECT_CLASS (belfry_media_handler_parent_class)->constructed (object);

  g_return_if_fail (BELFRY_IS_MEDIA_ENGINE (self->engine));
}

static void
belfry_media_handler_dispose (GObject *object)
{
  BelfryMediaHandler *self = BELFRY_MEDIA_HANDLER (object);

  g_clear_handle_id (&self->apply_id, g_source_remove);
  if (self->engine != NULL)
    belfry_media_handler_close (BELFRY_SESSION_DESCRIPTION_HANDLER (self));
  g_clear_object (&self->engine);

  G_OBJECT_CLASS (belfry_media_handler_parent_class)->dispose (object);
}

static void
belfry_media_handler_finalize (GObject *object)
{
  BelfryMediaHandler *self = BELFRY_MEDIA_HANDLER (object);

  belfry_media_handler_agreement_clear (&self->agreed);
  belfry_media_handler_agreement_clear (&self->remote_offer_agreement);
  belfry_media_handler_agreement_clear (&self->running);
  g_string_free (self->dtmf_in, TRUE);
  if (self->local_key != NULL)
    memset (self->local_key, 0, strlen (self->local_key));
  g_free (self->local_key);

  G_OBJECT_CLASS (belfry_media_handler_parent_class)->finalize (object);
}

static void
belfry_media_handler_class_init (BelfryMediaHandlerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->get_property = belfry_media_handler_get_property;
  object_class->set_property = belfry_media_handler_set_property;
  object_class->constructed = belfry_media_handler_constructed;
  object_class->dispose = belfry_media_handler_dispose;
  object_class->finalize = belfry_media_handler_finalize;

  props[PROP_ENGINE] =
    g_param_spec_object ("engine", NULL, NULL, BELFRY_TYPE_MEDIA_ENGINE,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  /**
   * BelfryMediaHandler:codec:
   *
   * The name of the codec agreed with the peer, or %NULL while there is
   * no audio.
   */
  props[PROP_CODEC] =
    g_param_spec_string ("codec", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * BelfryMediaHandler:local-hold:
   *
   * Whether we hold the call, as last agreed.
   */
  props[PROP_LOCAL_HOLD] =
    g_param_spec_boolean ("local-hold", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * BelfryMediaHandler:remote-hold:
   *
   * Whether the peer holds the call: it wants no audio from us.
   */
  props[PROP_REMOTE_HOLD] =
    g_param_spec_boolean ("remote-hold", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * BelfryMediaHandler:secure-signaling:
   *
   * Whether this session's SDP travels over TLS only (a `sips:` or
   * `transport=tls` dialog), so that SDES keys may be written in it. The
   * session sets it before the first description.
   */
  props[PROP_SECURE_SIGNALING] =
    g_param_spec_boolean ("secure-signaling", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * BelfryMediaHandler:srtp-suite:
   *
   * The SRTP suite of the running audio, such as
   * `AES_CM_128_HMAC_SHA1_80`, or %NULL for plain RTP.
   */
  props[PROP_SRTP_SUITE] =
    g_param_spec_string ("srtp-suite", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  /**
   * BelfryMediaHandler:muted:
   *
   * Whether the microphone is silenced. Nothing is signaled: the peer
   * keeps receiving RTP, with silence in it.
   */
  props[PROP_MUTED] =
    g_param_spec_boolean ("muted", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * BelfryMediaHandler:srtp:
   *
   * Whether this session encrypts its audio. Until set, it is
   * #BelfryMediaEngine:srtp, read at each description.
   */
  props[PROP_SRTP] =
    g_param_spec_enum ("srtp", NULL, NULL, BELFRY_TYPE_MEDIA_SRTP, BELFRY_MEDIA_SRTP_OFF,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * BelfryMediaHandler:allow-srtp-without-tls:
   *
   * Whether SDES keys may be written and taken in SDP that does not
   * travel over TLS. Until set, it is
   * #BelfryMediaEngine:allow-srtp-without-tls, read at each description.
   */
  props[PROP_ALLOW_SRTP_WITHOUT_TLS] =
    g_param_spec_boolean ("allow-srtp-without-tls", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, props);

  /* #BelfrySessionDescriptionHandler::dtmf-received belongs to the
   * interface; it is emitted from the stream's tick. */
  signals[SIGNAL_DTMF_RECEIVED] =
    g_signal_lookup ("dtmf-received", BELFRY_TYPE_SESSION_DESCRIPTION_HANDLER);

  /* "failed" is the session description handler interface's signal: the
   * interface must be set up before it can be looked up here. */
  g_type_default_interface_unref (g_type_default_interface_ref (BELFRY_TYPE_SESSION_DESCRIPTION_HANDLER));
  signals[SIGNAL_FAILED] = g_signal_lookup ("failed", BELFRY_TYPE_SESSION_DESCRIPTION_HANDLER);
  g_assert (signals[SIGNAL_FAILED] != 0);
}

static void
belfry_media_handler_init (BelfryMediaHandler *self)
{
  self->sdp_session_id = g_random_int_range (1, G_MAXINT32);
  self->sdp_version = g_random_int_range (1, 1 << 16);
  belfry_media_handler_agreement_clear (&self->agreed);
  belfry_media_handler_agreement_clear (&self->remote_offer_agreement);
  belfry_media_handler_agreement_clear (&self->running);
  g_queue_init (&self->dtmf_out);
  self->dtmf_in = g_string_new (NULL);
}

/**
 * belfry_media_handler_new:
 * @engine: the engine whose codecs, address and files the handler uses
 *
 * Returns: (transfer full): a new handler, for one session
 */
BelfryMediaHandler *
belfry_media_handler_new (BelfryMediaEngine *engine)
{
  g_return_val_if_fail (BELFRY_IS_MEDIA_ENGINE (engine), NULL);

  return g_object_new (BELFRY_TYPE_MEDIA_HANDLER, "engine", engine, NULL);
}

/**
 * belfry_media_handler_get_engine:
 * @self: a handler
 *
 * Returns: (transfer none): the engine
 */
BelfryMediaEngine *
belfry_media_handler_get_engine (BelfryMediaHandler *self)
{
  g_return_val_if_fail (BELFRY_IS_MEDIA_HANDLER (self), NULL);

  return self->engine;
}

/**
 * belfry_media_handler_get_codec:
 * @self: a handler
 *
 * Returns: (nullable): the agreed codec's name, or %NULL without audio
 */
const char *
belfry_media_handler_get_codec (BelfryMediaHandler *self)
{
  g_return_val_if_fail (BELFRY_IS_MEDIA_HANDLER (self), NULL);

  return self->has_agreement && self->agreed.codec != NULL ? self->agreed.codec->name : NULL;
}

/**
 * belfry_media_handler_get_local_hold:
 * @self: a handler
 *
 * Returns: whether we hold the call, as last agreed
 */
gboolean
belfry_media_handler_get_local_hold (BelfryMediaHandler *self)
{
  g_return_val_if_fail (BELFRY_IS_MEDIA_HANDLER (self), FALSE);

  return self->has_agreement && self->agreed.codec != NULL && self->agreed.local_hold;
}

/**
 * belfry_media_handler_get_remote_hold:
 * @self: a handler
 *
 * Returns: whether the peer holds the call, as last agreed
 */
gboolean
belfry_media_handler_get_remote_hold (BelfryMediaHandler *self)
{
  g_return_val_if_fail (BELFRY_IS_MEDIA_HANDLER (self), FALSE);

  return self->has_agreement && self->agreed.codec != NULL &&
         !RECEIVES (self->agreed.remote_direction);
}

/**
 * belfry_media_handler_get_local_port:
 * @self: a handler
 *
 * Returns: the local RTP port, or 0 before the first description
 */
int
belfry_media_handler_get_local_port (BelfryMediaHandler *self)
{
  g_return_val_if_fail (BELFRY_IS_MEDIA_HANDLER (self), 0);

  return self->local_rtp_port;
}

/**
 * belfry_media_handler_get_rtp_stats:
 * @self: a handler
 * @packets_sent: (out) (optional): RTP packets sent during the session
 * @packets_received: (out) (optional): RTP packets received, RFC 4733 ones
 *   included
 *
 * Counts the packets of all the streams the session ran.
 *
 * Returns: %TRUE while a stream runs
 */
gboolean
belfry_media_handler_get_rtp_stats (BelfryMediaHandler *self,
                                    guint64            *packets_sent,
                                    guint64            *packets_received)
{
  guint64 sent, received;

  g_return_val_if_fail (BELFRY_IS_MEDIA_HANDLER (self), FALSE);

  sent = self->sent_before;
  received = self->received_before;
  if (self->stream_running) {
    const rtp_stats_t *stats = rtp_session_get_stats (self->stream->ms.sessions.rtp_session);

    sent += stats->packet_sent;
    received += stats->packet_recv;
  }

  if (packets_sent != NULL)
    *packets_sent = sent;
  if (packets_received != NULL)
    *packets_received = received;
  return self->stream_running;
}

/**
 * belfry_media_handler_get_secure_signaling:
 * @self: a handler
 *
 * Returns: whether the session's SDP travels over TLS only
 */
gboolean
belfry_media_handler_get_secure_signaling (BelfryMediaHandler *self)
{
  g_return_val_if_fail (BELFRY_IS_MEDIA_HANDLER (self), FALSE);

  return self->secure_signaling;
}

/**
 * belfry_media_handler_set_secure_signaling:
 * @self: a handler
 * @secure: whether the session's SDP travels over TLS only
 *
 * Lets SDES keys be written and taken; see #BelfryMediaHandler:secure-signaling.
 */
void
belfry_media_handler_set_secure_signaling (BelfryMediaHandler *self,
                                           gboolean            secure)
{
  g_return_if_fail (BELFRY_IS_MEDIA_HANDLER (self));

  secure = !!secure;
  if (self->secure_signaling == secure)
    return;
  self->secure_signaling = secure;
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_SECURE_SIGNALING]);
}

/**
 * belfry_media_handler_get_srtp:
 * @self: a handler
 *
 * Returns: the SRTP mode of this session: its own once set, otherwise
 *   the engine's
 */
BelfryMediaSrtp
belfry_media_handler_get_srtp (BelfryMediaHandler *self)
{
  g_return_val_if_fail (BELFRY_IS_MEDIA_HANDLER (self), BELFRY_MEDIA_SRTP_OFF);

  return self->srtp_set ? self->srtp : belfry_media_engine_get_srtp (self->engine);
}

/**
 * belfry_media_handler_set_srtp:
 * @self: a handler
 * @srtp: the SRTP mode of this session
 *
 * Gives this session an SRTP mode of its own instead of the engine's;
 * it counts from the next description.
 */
void
belfry_media_handler_set_srtp (BelfryMediaHandler *self,
                               BelfryMediaSrtp     srtp)
{
  g_return_if_fail (BELFRY_IS_MEDIA_HANDLER (self));

  if (self->srtp_set && self->srtp == srtp)
    return;
  self->srtp_set = TRUE;
  self->srtp = srtp;
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_SRTP]);
}

/**
 * belfry_media_handler_get_allow_srtp_without_tls:
 * @self: a handler
 *
 * Returns: whether SDES keys may travel in SDP that is not sent over
 *   TLS: this session's own answer once set, otherwise the engine's
 */
gboolean
belfry_media_handler_get_allow_srtp_without_tls (BelfryMediaHandler *self)
{
  g_return_val_if_fail (BELFRY_IS_MEDIA_HANDLER (self), FALSE);

  return self->allow_srtp_set ? self->allow_srtp_without_tls
                              : belfry_media_engine_get_allow_srtp_without_tls (self->engine);
}

/**
 * belfry_media_handler_set_allow_srtp_without_tls:
 * @self: a handler
 * @allow: whether SDES keys may travel in SDP that is not sent over TLS
 *
 * Gives this session its own permission instead of the engine's.
 */
void
belfry_media_handler_set_allow_srtp_without_tls (BelfryMediaHandler *self,
                                                 gboolean            allow)
{
  g_return_if_fail (BELFRY_IS_MEDIA_HANDLER (self));

  allow = !!allow;
  if (self->allow_srtp_set && self->allow_srtp_without_tls == allow)
    return;
  self->allow_srtp_set = TRUE;
  self->allow_srtp_without_tls = allow;
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_ALLOW_SRTP_WITHOUT_TLS]);
}

/**
 * belfry_media_handler_get_srtp_suite:
 * @self: a handler
 *
 * Returns: (nullable): the SRTP suite of the running audio, or %NULL for
 *   plain RTP or no audio
 */
const char *
belfry_media_handler_get_srtp_suite (BelfryMediaHandler *self)
{
  g_return_val_if_fail (BELFRY_IS_MEDIA_HANDLER (self), NULL);

  return self->has_agreement ? belfry_media_handler_crypto_suite_name (self->agreed.srtp_suite) : NULL;
}

/**
 * belfry_media_handler_set_muted:
 * @self: a handler
 * @muted: whether to silence the microphone
 *
 * Silences the microphone, or lets it be heard again, with no signaling.
 */
void
belfry_media_handler_set_muted (BelfryMediaHandler *self,
                                gboolean            muted)
{
  g_return_if_fail (BELFRY_IS_MEDIA_HANDLER (self));

  muted = !!muted;
  if (self->muted == muted)
    return;

  self->muted = muted;
  if (self->stream_running)
    audio_stream_enable_mic (self->stream, !muted);
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_MUTED]);
}

/**
 * belfry_media_handler_get_muted:
 * @self: a handler
 *
 * Returns: whether the microphone is silenced
 */
gboolean
belfry_media_handler_get_muted (BelfryMediaHandler *self)
{
  g_return_val_if_fail (BELFRY_IS_MEDIA_HANDLER (self), FALSE);

  return self->muted;
}
