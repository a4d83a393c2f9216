/* SPDX-License-Identifier: GPL-3.0-or-later */

#define G_LOG_DOMAIN "belfry-media"

#include "config.h"

#include "belfry-media-backend-private.h"
#include "belfry-media-engine.h"
#include "belfry-media-enums.h"
#include "belfry-media-error.h"
#include "belfry-sip-loop.h"

/**
 * BelfryMediaEngine:
 *
 * The process's audio: mediastreamer2's factory, the codecs we offer in
 * the order we prefer them, the address RTP binds to, and (for tests and
 * scripted calls) the WAV files that stand for the microphone and the
 * speaker. It is the #BelfrySessionDescriptionHandlerFactory of the user
 * agent, making one #BelfryMediaHandler per session.
 *
 * It also holds what the handlers share: SRTP policy, RTP inactivity
 * timeout, the sound cards chosen for microphone, speaker and ringer, and
 * the ringer and ringback tone, which the application starts and stops
 * (the handler sees no SIP responses, so it cannot tell a 180 from a 183).
 *
 * A user agent's #BelfryUserAgent:session-description-handler-factory-options
 * override the SRTP policy for that user agent's sessions (one account's,
 * say): `srtp` (a string, `off`, `optional` or `mandatory`) and
 * `allow-srtp-without-tls` (a boolean). Other keys are ignored.
 */

enum {
  PROP_0,
  PROP_CODECS,
  PROP_BIND_ADDRESS,
  PROP_PLAY_FILE,
  PROP_RECORD_FILE,
  PROP_RTP_TIMEOUT,
  PROP_SRTP,
  PROP_ALLOW_SRTP_WITHOUT_TLS,
  PROP_TELEPHONE_EVENT,
  PROP_MICROPHONE,
  PROP_SPEAKER,
  PROP_RINGER,
  PROP_RINGER_FILE,
  N_PROPS
};

static GParamSpec *props[N_PROPS];

/* What needs mediastreamer2 (its factory, the cards, the tones, the
 * handlers) is in belfry-media-backend.c, reached through
 * belfry_media_backend_load(): this half holds the settings only. */
struct _BelfryMediaEngine {
  GObject parent_instance;

  GStrv codecs;
  char *bind_address;
  char *play_file;
  char *record_file;
  guint rtp_timeout;
  BelfryMediaSrtp srtp;
  gboolean allow_srtp_without_tls;
  gboolean telephone_event;
  char *microphone;
  char *speaker;
  char *ringer;
  char *ringer_file;

};

G_DEFINE_BOXED_TYPE (BelfryMediaDevice, belfry_media_device,
                     belfry_media_device_copy, belfry_media_device_free)

static void factory_iface_init (BelfrySessionDescriptionHandlerFactoryInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (BelfryMediaEngine, belfry_media_engine, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (BELFRY_TYPE_SESSION_DESCRIPTION_HANDLER_FACTORY,
                                                      factory_iface_init))

static const char * const default_codecs[] = { "opus", "G722", "PCMU", "PCMA", "GSM", NULL };

#define DEFAULT_RTP_TIMEOUT 30

static BelfrySessionDescriptionHandler *
engine_create_handler (BelfrySessionDescriptionHandlerFactory  *factory,
                       BelfrySession                           *session,
                       GError                                 **error)
{
  const BelfryMediaBackend *backend = belfry_media_backend_load (error);

  if (backend == NULL)
    return NULL;
  return backend->create_handler (BELFRY_MEDIA_ENGINE (factory), session, error);
}

static void
factory_iface_init (BelfrySessionDescriptionHandlerFactoryInterface *iface)
{
  iface->create = engine_create_handler;
}

static gboolean
set_string (char       **slot,
            const char  *value)
{
  if (g_strcmp0 (*slot, value) == 0)
    return FALSE;

  g_free (*slot);
  *slot = g_strdup (value);
  return TRUE;
}

static void
belfry_media_engine_get_property (GObject    *object,
                                  guint       prop_id,
                                  GValue     *value,
                                  GParamSpec *pspec)
{
  BelfryMediaEngine *self = BELFRY_MEDIA_ENGINE (object);

  switch (prop_id) {
  case PROP_CODECS:
    g_value_set_boxed (value, self->codecs);
    break;
  case PROP_BIND_ADDRESS:
    g_value_set_string (value, self->bind_address);
    break;
  case PROP_PLAY_FILE:
    g_value_set_string (value, self->play_file);
    break;
  case PROP_RECORD_FILE:
    g_value_set_string (value, self->record_file);
    break;
  case PROP_RTP_TIMEOUT:
    g_value_set_uint (value, self->rtp_timeout);
    break;
  case PROP_SRTP:
    g_value_set_enum (value, self->srtp);
    break;
  case PROP_ALLOW_SRTP_WITHOUT_TLS:
    g_value_set_boolean (value, self->allow_srtp_without_tls);
    break;
  case PROP_TELEPHONE_EVENT:
    g_value_set_boolean (value, self->telephone_event);
    break;
  case PROP_MICROPHONE:
    g_value_set_string (value, self->microphone);
    break;
  case PROP_SPEAKER:
    g_value_set_string (value, self->speaker);
    break;
  case PROP_RINGER:
    g_value_set_string (value, self->ringer);
    break;
  case PROP_RINGER_FILE:
    g_value_set_string (value, self->ringer_file);
    break;
  default:
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
  }
}

static void
belfry_media_engine_set_property (GObject      *object,
                                  guint         prop_id,
                                  const GValue *value,
                                  GParamSpec   *pspec)
{
  BelfryMediaEngine *self = BELFRY_MEDIA_ENGINE (object);

  switch (prop_id) {
  case PROP_CODECS:
    belfry_media_engine_set_codecs (self, g_value_get_boxed (value));
    break;
  case PROP_BIND_ADDRESS:
    belfry_media_engine_set_bind_address (self, g_value_get_string (value));
    break;
  case PROP_PLAY_FILE:
    belfry_media_engine_set_play_file (self, g_value_get_string (value));
    break;
  case PROP_RECORD_FILE:
    belfry_media_engine_set_record_file (self, g_value_get_string (value));
    break;
  case PROP_RTP_TIMEOUT:
    belfry_media_engine_set_rtp_timeout (self, g_value_get_uint (value));
    break;
  case PROP_SRTP:
    belfry_media_engine_set_srtp (self, g_value_get_enum (value));
    break;
  case PROP_ALLOW_SRTP_WITHOUT_TLS:
    belfry_media_engine_set_allow_srtp_without_tls (self, g_value_get_boolean (value));
    break;
  case PROP_TELEPHONE_EVENT:
    belfry_media_engine_set_telephone_event (self, g_value_get_boolean (value));
    break;
  case PROP_MICROPHONE:
    belfry_media_engine_set_microphone (self, g_value_get_string (value));
    break;
  case PROP_SPEAKER:
    belfry_media_engine_set_speaker (self, g_value_get_string (value));
    break;
  case PROP_RINGER:
    belfry_media_engine_set_ringer (self, g_value_get_string (value));
    break;
  case PROP_RINGER_FILE:
    belfry_media_engine_set_ringer_file (self, g_value_get_string (value));
    break;
  default:
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
  }
}

static void
belfry_media_engine_finalize (GObject *object)
{
  BelfryMediaEngine *self = BELFRY_MEDIA_ENGINE (object);

  belfry_media_engine_stop_ringer (self);
  belfry_media_engine_stop_ringback (self);
  g_strfreev (self->codecs);
  g_free (self->bind_address);
  g_free (self->play_file);
  g_free (self->record_file);
  g_free (self->microphone);
  g_free (self->speaker);
  g_free (self->ringer);
  g_free (self->ringer_file);

  G_OBJECT_CLASS (belfry_media_engine_parent_class)->finalize (object);
}

static void
belfry_media_engine_class_init (BelfryMediaEngineClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->get_property = belfry_media_engine_get_property;
  object_class->set_property = belfry_media_engine_set_property;
  object_class->finalize = belfry_media_engine_finalize;

  /**
   * BelfryMediaEngine:codecs:
   *
   * The codec names we offer, best first. Names this build does not know
   * or cannot run are skipped.
   */
  props[PROP_CODECS] =
    g_param_spec_boxed ("codecs", NULL, NULL, G_TYPE_STRV,
                        G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * BelfryMediaEngine:bind-address:
   *
   * The local address that RTP sockets bind to; "0.0.0.0" for all.
   */
  props[PROP_BIND_ADDRESS] =
    g_param_spec_string ("bind-address", NULL, NULL, "0.0.0.0",
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * BelfryMediaEngine:play-file:
   *
   * A WAV file sent, in a loop, instead of the microphone. Any rate and
   * channel count: it is mixed down and resampled to the codec's audio
   * rate (8 kHz for G.711 and GSM, 16 kHz for G.722, 48 kHz for Opus)
   * before the stream starts.
   */
  props[PROP_PLAY_FILE] =
    g_param_spec_string ("play-file", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * BelfryMediaEngine:record-file:
   *
   * A WAV file that what we receive is written to, instead of the
   * speaker. mediastreamer2 appends to an existing file.
   */
  props[PROP_RECORD_FILE] =
    g_param_spec_string ("record-file", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * BelfryMediaEngine:rtp-timeout:
   *
   * Seconds without RTP from the peer, while neither side holds, after
   * which a handler reports #BelfryMediaHandler::failed with
   * %BELFRY_MEDIA_ERROR_TIMEOUT; 0 never.
   */
  props[PROP_RTP_TIMEOUT] =
    g_param_spec_uint ("rtp-timeout", NULL, NULL, 0, 24 * 3600, DEFAULT_RTP_TIMEOUT,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * BelfryMediaEngine:srtp:
   *
   * Whether new offers and answers encrypt the audio (SDES, RFC 4568).
   */
  props[PROP_SRTP] =
    g_param_spec_enum ("srtp", NULL, NULL, BELFRY_TYPE_MEDIA_SRTP, BELFRY_MEDIA_SRTP_OFF,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * BelfryMediaEngine:allow-srtp-without-tls:
   *
   * SDES keys travel in the SDP: only a handler whose
   * #BelfryMediaHandler:secure-signaling is set (the session's signaling
   * runs over TLS) sends or takes them, unless this allows it anyway.
   */
  props[PROP_ALLOW_SRTP_WITHOUT_TLS] =
    g_param_spec_boolean ("allow-srtp-without-tls", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * BelfryMediaEngine:telephone-event:
   *
   * Whether offers and answers carry telephone-event (RFC 4733). Without
   * it, digits go by SIP INFO.
   */
  props[PROP_TELEPHONE_EVENT] =
    g_param_spec_boolean ("telephone-event", NULL, NULL, TRUE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * BelfryMediaEngine:microphone:
   *
   * The ID (see belfry_media_engine_list_devices()) of the capture card,
   * or %NULL for the default one, which is also used when this one is gone.
   */
  props[PROP_MICROPHONE] =
    g_param_spec_string ("microphone", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * BelfryMediaEngine:speaker:
   *
   * The ID of the playback card for calls and ringback, or %NULL for the
   * default one.
   */
  props[PROP_SPEAKER] =
    g_param_spec_string ("speaker", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * BelfryMediaEngine:ringer:
   *
   * The ID of the playback card that rings for incoming calls, or %NULL
   * for the default one.
   */
  props[PROP_RINGER] =
    g_param_spec_string ("ringer", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * BelfryMediaEngine:ringer-file:
   *
   * A WAV file the ringer plays in a loop, or %NULL for a tone.
   */
  props[PROP_RINGER_FILE] =
    g_param_spec_string ("ringer-file", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, props);
}

static void
belfry_media_engine_init (BelfryMediaEngine *self)
{
  /* oRTP's and mediastreamer2's log goes where belle-sip's goes: GLib's. */
  belfry_sip_init ();

  self->codecs = g_strdupv ((GStrv) default_codecs);
  self->bind_address = g_strdup ("0.0.0.0");
  self->rtp_timeout = DEFAULT_RTP_TIMEOUT;
  self->telephone_event = TRUE;
}

/**
 * belfry_media_engine_new:
 *
 * Returns: (transfer full): a new engine with the default codecs
 */
BelfryMediaEngine *
belfry_media_engine_new (void)
{
  return g_object_new (BELFRY_TYPE_MEDIA_ENGINE, NULL);
}

/**
 * belfry_media_engine_get_codecs:
 * @self: an engine
 *
 * Returns: (transfer none): the codec names as set, best first
 */
const char * const *
belfry_media_engine_get_codecs (BelfryMediaEngine *self)
{
  g_return_val_if_fail (BELFRY_IS_MEDIA_ENGINE (self), NULL);

  return (const char * const *) self->codecs;
}

/**
 * belfry_media_engine_set_codecs:
 * @self: an engine
 * @codecs: (nullable) (array zero-terminated=1): codec names, best first;
 *   %NULL for the default list
 *
 * Sets the codecs that new offers and answers use. Sessions keep what they
 * agreed until their next offer or answer.
 */
void
belfry_media_engine_set_codecs (BelfryMediaEngine  *self,
                                const char * const *codecs)
{
  g_return_if_fail (BELFRY_IS_MEDIA_ENGINE (self));

  if (codecs == NULL)
    codecs = default_codecs;
  if (g_strv_equal ((const char * const *) self->codecs, codecs))
    return;

  g_strfreev (self->codecs);
  self->codecs = g_strdupv ((GStrv) codecs);
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_CODECS]);
}

/**
 * belfry_media_engine_dup_usable_codecs:
 * @self: an engine
 *
 * Returns: (transfer full): the names of the codecs that offers list, best
 *   first: those of #BelfryMediaEngine:codecs that this build can run
 */
GStrv
belfry_media_engine_dup_usable_codecs (BelfryMediaEngine *self)
{
  g_autoptr (GError) error = NULL;
  const BelfryMediaBackend *backend;

  g_return_val_if_fail (BELFRY_IS_MEDIA_ENGINE (self), NULL);

  backend = belfry_media_backend_load (&error);
  if (backend == NULL)
    return g_new0 (char *, 1);
  return backend->dup_usable_codecs (self);
}

/**
 * belfry_media_engine_get_bind_address:
 * @self: an engine
 *
 * Returns: the address RTP binds to
 */
const char *
belfry_media_engine_get_bind_address (BelfryMediaEngine *self)
{
  g_return_val_if_fail (BELFRY_IS_MEDIA_ENGINE (self), NULL);

  return self->bind_address;
}

/**
 * belfry_media_engine_set_bind_address:
 * @self: an engine
 * @address: (nullable): an IP address, or %NULL for "0.0.0.0"
 *
 * Sets the address the RTP of new sessions binds to.
 */
void
belfry_media_engine_set_bind_address (BelfryMediaEngine *self,
                                      const char        *address)
{
  g_return_if_fail (BELFRY_IS_MEDIA_ENGINE (self));

  if (set_string (&self->bind_address, address != NULL ? address : "0.0.0.0"))
    g_object_notify_by_pspec (G_OBJECT (self), props[PROP_BIND_ADDRESS]);
}

/**
 * belfry_media_engine_get_play_file:
 * @self: an engine
 *
 * Returns: (nullable): the WAV file sent instead of the microphone
 */
const char *
belfry_media_engine_get_play_file (BelfryMediaEngine *self)
{
  g_return_val_if_fail (BELFRY_IS_MEDIA_ENGINE (self), NULL);

  return self->play_file;
}

/**
 * belfry_media_engine_set_play_file:
 * @self: an engine
 * @path: (nullable): a WAV file, or %NULL for the microphone
 *
 * Sets what streams started from now on send.
 */
void
belfry_media_engine_set_play_file (BelfryMediaEngine *self,
                                   const char        *path)
{
  g_return_if_fail (BELFRY_IS_MEDIA_ENGINE (self));

  if (set_string (&self->play_file, path))
    g_object_notify_by_pspec (G_OBJECT (self), props[PROP_PLAY_FILE]);
}

/**
 * belfry_media_engine_get_record_file:
 * @self: an engine
 *
 * Returns: (nullable): the WAV file written instead of the speaker
 */
const char *
belfry_media_engine_get_record_file (BelfryMediaEngine *self)
{
  g_return_val_if_fail (BELFRY_IS_MEDIA_ENGINE (self), NULL);

  return self->record_file;
}

/**
 * belfry_media_engine_set_record_file:
 * @self: an engine
 * @path: (nullable): a WAV file, or %NULL for the speaker
 *
 * Sets where streams started from now on write what they receive.
 */
void
belfry_media_engine_set_record_file (BelfryMediaEngine *self,
                                     const char        *path)
{
  g_return_if_fail (BELFRY_IS_MEDIA_ENGINE (self));

  if (set_string (&self->record_file, path))
    g_object_notify_by_pspec (G_OBJECT (self), props[PROP_RECORD_FILE]);
}

/**
 * belfry_media_device_copy:
 * @device: a device
 *
 * Returns: (transfer full): a copy of @device
 */
BelfryMediaDevice *
belfry_media_device_copy (const BelfryMediaDevice *device)
{
  BelfryMediaDevice *copy = g_new (BelfryMediaDevice, 1);

  copy->id = g_strdup (device->id);
  copy->name = g_strdup (device->name);
  copy->capture = device->capture;
  copy->playback = device->playback;
  return copy;
}

/**
 * belfry_media_device_free:
 * @device: a device
 *
 * Frees @device.
 */
void
belfry_media_device_free (BelfryMediaDevice *device)
{
  g_free (device->id);
  g_free (device->name);
  g_free (device);
}

#define DEFINE_UINT_PROPERTY(field, type, prop)                            \
  type                                                                     \
  belfry_media_engine_get_##field (BelfryMediaEngine *self)                \
  {                                                                        \
    g_return_val_if_fail (BELFRY_IS_MEDIA_ENGINE (self), 0);               \
    return self->field;                                                    \
  }                                                                        \
  void                                                                     \
  belfry_media_engine_set_##field (BelfryMediaEngine *self, type value)    \
  {                                                                        \
    g_return_if_fail (BELFRY_IS_MEDIA_ENGINE (self));                      \
    if (self->field == value)                                              \
      return;                                                              \
    self->field = value;                                                   \
    g_object_notify_by_pspec (G_OBJECT (self), props[prop]);               \
  }

#define DEFINE_STRING_PROPERTY(field, prop)                                        \
  const char *                                                                     \
  belfry_media_engine_get_##field (BelfryMediaEngine *self)                        \
  {                                                                                \
    g_return_val_if_fail (BELFRY_IS_MEDIA_ENGINE (self), NULL);                    \
    return self->field;                                                            \
  }                                                                                \
  void                                                                             \
  belfry_media_engine_set_##field (BelfryMediaEngine *self, const char *value)     \
  {                                                                                \
    g_return_if_fail (BELFRY_IS_MEDIA_ENGINE (self));                              \
    if (set_string (&self->field, value != NULL && *value != '\0' ? value : NULL)) \
      g_object_notify_by_pspec (G_OBJECT (self), props[prop]);                     \
  }

/* The accessors of the properties documented in class_init. */
DEFINE_UINT_PROPERTY (rtp_timeout, guint, PROP_RTP_TIMEOUT)
DEFINE_UINT_PROPERTY (srtp, BelfryMediaSrtp, PROP_SRTP)
DEFINE_UINT_PROPERTY (allow_srtp_without_tls, gboolean, PROP_ALLOW_SRTP_WITHOUT_TLS)
DEFINE_UINT_PROPERTY (telephone_event, gboolean, PROP_TELEPHONE_EVENT)
DEFINE_STRING_PROPERTY (microphone, PROP_MICROPHONE)
DEFINE_STRING_PROPERTY (speaker, PROP_SPEAKER)
DEFINE_STRING_PROPERTY (ringer, PROP_RINGER)
DEFINE_STRING_PROPERTY (ringer_file, PROP_RINGER_FILE)

/**
 * belfry_media_engine_list_devices:
 * @self: an engine
 *
 * Lists the sound cards that mediastreamer2 found (PulseAudio's when a
 * sound server runs), leaving out those that can neither capture nor play.
 *
 * Returns: (transfer full) (element-type BelfryMediaDevice): the cards
 */
GPtrArray *
belfry_media_engine_list_devices (BelfryMediaEngine *self)
{
  g_autoptr (GError) error = NULL;
  const BelfryMediaBackend *backend;

  g_return_val_if_fail (BELFRY_IS_MEDIA_ENGINE (self), NULL);

  backend = belfry_media_backend_load (&error);
  if (backend == NULL)
    return g_ptr_array_new_with_free_func ((GDestroyNotify) belfry_media_device_free);
  return backend->list_devices (self);
}

/**
 * belfry_media_engine_dup_card_in_use:
 * @self: an engine
 * @role: "microphone", "speaker" or "ringer"
 *
 * Tells which card a call or the ringer would use now: the chosen one, or
 * the default one when it is gone.
 *
 * Returns: (transfer full) (nullable): the card's ID, or %NULL when there
 *   is no usable card
 */
char *
belfry_media_engine_dup_card_in_use (BelfryMediaEngine *self,
                                     const char        *role)
{
  const BelfryMediaBackend *backend;

  g_return_val_if_fail (BELFRY_IS_MEDIA_ENGINE (self), NULL);
  g_return_val_if_fail (role != NULL, NULL);

  backend = belfry_media_backend_load (NULL);
  return backend != NULL ? backend->dup_card_in_use (self, role) : NULL;
}

/**
 * belfry_media_engine_start_ringer:
 * @self: an engine
 * @error: return location for a #GError
 *
 * Rings for an incoming call, on #BelfryMediaEngine:ringer, with
 * #BelfryMediaEngine:ringer-file or a tone, until
 * belfry_media_engine_stop_ringer(). Ringing already is not an error.
 *
 * Returns: %TRUE when it rings
 */
gboolean
belfry_media_engine_start_ringer (BelfryMediaEngine  *self,
                                  GError            **error)
{
  const BelfryMediaBackend *backend;

  g_return_val_if_fail (BELFRY_IS_MEDIA_ENGINE (self), FALSE);

  backend = belfry_media_backend_load (error);
  return backend != NULL && backend->start_tone (self, BELFRY_MEDIA_TONE_RINGER, error);
}

/**
 * belfry_media_engine_stop_ringer:
 * @self: an engine
 *
 * Stops the ringer, if it rings.
 */
void
belfry_media_engine_stop_ringer (BelfryMediaEngine *self)
{
  g_return_if_fail (BELFRY_IS_MEDIA_ENGINE (self));

  /* Nothing plays before the backend is there: it is not loaded for this. */
  if (g_object_get_data (G_OBJECT (self), BELFRY_MEDIA_BACKEND_KEY) != NULL)
    belfry_media_backend_load (NULL)->stop_tone (self, BELFRY_MEDIA_TONE_RINGER);
}

/**
 * belfry_media_engine_is_ringing:
 * @self: an engine
 *
 * Returns: whether the ringer rings
 */
gboolean
belfry_media_engine_is_ringing (BelfryMediaEngine *self)
{
  g_return_val_if_fail (BELFRY_IS_MEDIA_ENGINE (self), FALSE);

  return g_object_get_data (G_OBJECT (self), BELFRY_MEDIA_BACKEND_KEY) != NULL &&
         belfry_media_backend_load (NULL)->is_playing_tone (self, BELFRY_MEDIA_TONE_RINGER);
}

/**
 * belfry_media_engine_start_ringback:
 * @self: an engine
 * @error: return location for a #GError
 *
 * Plays the ringback tone on #BelfryMediaEngine:speaker: for an outgoing
 * call that got 180 Ringing without early media. Stop it when the call is
 * answered, fails, or early media (183 with SDP) starts.
 *
 * Returns: %TRUE when it plays
 */
gboolean
belfry_media_engine_start_ringback (BelfryMediaEngine  *self,
                                    GError            **error)
{
  const BelfryMediaBackend *backend;

  g_return_val_if_fail (BELFRY_IS_MEDIA_ENGINE (self), FALSE);

  backend = belfry_media_backend_load (error);
  return backend != NULL && backend->start_tone (self, BELFRY_MEDIA_TONE_RINGBACK, error);
}

/**
 * belfry_media_engine_stop_ringback:
 * @self: an engine
 *
 * Stops the ringback tone, if it plays.
 */
void
belfry_media_engine_stop_ringback (BelfryMediaEngine *self)
{
  g_return_if_fail (BELFRY_IS_MEDIA_ENGINE (self));

  /* Nothing plays before the backend is there: it is not loaded for this. */
  if (g_object_get_data (G_OBJECT (self), BELFRY_MEDIA_BACKEND_KEY) != NULL)
    belfry_media_backend_load (NULL)->stop_tone (self, BELFRY_MEDIA_TONE_RINGBACK);
}

/**
 * belfry_media_engine_is_ringing_back:
 * @self: an engine
 *
 * Returns: whether the ringback tone plays
 */
gboolean
belfry_media_engine_is_ringing_back (BelfryMediaEngine *self)
{
  g_return_val_if_fail (BELFRY_IS_MEDIA_ENGINE (self), FALSE);

  return g_object_get_data (G_OBJECT (self), BELFRY_MEDIA_BACKEND_KEY) != NULL &&
         belfry_media_backend_load (NULL)->is_playing_tone (self, BELFRY_MEDIA_TONE_RINGBACK);
}
