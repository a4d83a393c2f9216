#define G_LOG_DOMAIN "belfry-media"

#include "config.h"

#include "belfry-media-engine-private.h"
#include "belfry-media-enums.h"
#include "belfry-media-error.h"
#include "belfry-media-handler.h"
#include "belfry-media-wav-private.h"
#include "belfry-session.h"
#include "belfry-sip-loop.h"
#include "belfry-user-agent.h"

#include <glib/gstdio.h>
#include <mediastreamer2/mediastream.h>
#include <mediastreamer2/mscommon.h>
#include <mediastreamer2/mseventqueue.h>
#include <ortp/ortp.h>

#include <sys/stat.h>

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

struct _BelfryMediaEngine {
  GObject parent_instance;

  MSFactory *factory;
  MSTicker *ticker;
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

  /* Converted play files and generated tones live here until finalize;
   * converted files are keyed by source, its size and time, and rate. */
  char *work_dir;
  GHashTable *converted;
  guint n_converted;

  RingStream *ring;
  RingStream *ringback;
  /* The card IDs already reported missing, so that the message comes once. */
  GHashTable *reported_missing;
};

G_DEFINE_BOXED_TYPE (BelfryMediaDevice, belfry_media_device,
                     belfry_media_device_copy, belfry_media_device_free)

static void factory_iface_init (BelfrySessionDescriptionHandlerFactoryInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (BelfryMediaEngine, belfry_media_engine, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (BELFRY_TYPE_SESSION_DESCRIPTION_HANDLER_FACTORY,
                                                      factory_iface_init))

static const char * const default_codecs[] = { "opus", "G722", "PCMU", "PCMA", "GSM", NULL };

#define DEFAULT_RTP_TIMEOUT 30

/* Tones: the ringer is two short bursts, the ringback the North American
 * 440 + 480 Hz, two seconds on and four off. */
#define RINGER_INTERVAL_MS   1500
#define RINGBACK_INTERVAL_MS 4000

/* The SRTP policy that the session's user agent asks for, if any, goes
 * to the handler instead of the engine's. */
static gboolean
apply_options (BelfryMediaHandler  *handler,
               BelfrySession       *session,
               GError             **error)
{
  BelfryUserAgent *user_agent = belfry_session_get_user_agent (session);
  GVariant *options = NULL;
  const char *srtp = NULL;
  gboolean allow;

  if (user_agent != NULL)
    options = belfry_user_agent_get_session_description_handler_factory_options (user_agent);
  if (options == NULL)
    return TRUE;

  if (g_variant_lookup (options, "srtp", "&s", &srtp)) {
    g_autoptr (GEnumClass) klass = g_type_class_ref (BELFRY_TYPE_MEDIA_SRTP);
    GEnumValue *mode = g_enum_get_value_by_nick (klass, srtp);

    /* Better no call than a call in clear that was meant to be secret. */
    if (mode == NULL) {
      g_set_error (error, BELFRY_MEDIA_ERROR, BELFRY_MEDIA_ERROR_FAILED,
                   "Unknown SRTP mode “%s” in the factory options", srtp);
      return FALSE;
    }
    belfry_media_handler_set_srtp (handler, mode->value);
  }
  if (g_variant_lookup (options, "allow-srtp-without-tls", "b", &allow))
    belfry_media_handler_set_allow_srtp_without_tls (handler, allow);
  return TRUE;
}

static BelfrySessionDescriptionHandler *
engine_create_handler (BelfrySessionDescriptionHandlerFactory  *factory,
                       BelfrySession                           *session,
                       GError                                 **error)
{
  BelfryMediaHandler *handler = belfry_media_handler_new (BELFRY_MEDIA_ENGINE (factory));

  if (session != NULL && BELFRY_IS_SESSION (session) && !apply_options (handler, session, error)) {
    g_object_unref (handler);
    return NULL;
  }

  /* A session that knows whether its signaling is secure (TLS all the
   * way: sips: or transport=tls) tells the handler through a boolean
   * "secure" property; without one, SDES keys need allow-srtp-without-tls. */
  if (session != NULL) {
    GParamSpec *pspec = g_object_class_find_property (G_OBJECT_GET_CLASS (session), "secure");

    if (pspec != NULL && pspec->value_type == G_TYPE_BOOLEAN)
      g_object_bind_property (session, "secure", handler, "secure-signaling", G_BINDING_SYNC_CREATE);
  }
  return BELFRY_SESSION_DESCRIPTION_HANDLER (handler);
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
remove_work_dir (const char *path)
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
belfry_media_engine_finalize (GObject *object)
{
  BelfryMediaEngine *self = BELFRY_MEDIA_ENGINE (object);

  belfry_media_engine_stop_ringer (self);
  belfry_media_engine_stop_ringback (self);
  g_clear_pointer (&self->ticker, ms_ticker_destroy);
  g_clear_pointer (&self->factory, ms_factory_destroy);
  g_strfreev (self->codecs);
  g_free (self->bind_address);
  g_free (self->play_file);
  g_free (self->record_file);
  g_free (self->microphone);
  g_free (self->speaker);
  g_free (self->ringer);
  g_free (self->ringer_file);
  g_hash_table_unref (self->converted);
  g_hash_table_unref (self->reported_missing);
  if (self->work_dir != NULL)
    remove_work_dir (self->work_dir);
  g_free (self->work_dir);

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
  static gsize ortp_ready = 0;

  /* oRTP's and mediastreamer2's log goes where belle-sip's goes: GLib's. */
  belfry_sip_init ();
  if (g_once_init_enter (&ortp_ready)) {
    ortp_init ();
    g_once_init_leave (&ortp_ready, 1);
  }

  self->codecs = g_strdupv ((GStrv) default_codecs);
  self->bind_address = g_strdup ("0.0.0.0");
  self->rtp_timeout = DEFAULT_RTP_TIMEOUT;
  self->telephone_event = TRUE;
  self->converted = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->reported_missing = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
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

/* The codecs of the preference list that this build can run, as
 * BelfryMediaCodec pointers, best first, without repeats. */
GPtrArray *
belfry_media_engine_list_codecs (BelfryMediaEngine *self)
{
  GPtrArray *list = g_ptr_array_new ();

  for (guint i = 0; self->codecs[i] != NULL; i++) {
    const BelfryMediaCodec *codec = belfry_media_codec_lookup (self->codecs[i]);

    if (codec == NULL) {
      g_debug ("skipping codec %s: unknown to Belfry", self->codecs[i]);
      continue;
    }
    if (!ms_factory_codec_supported (belfry_media_engine_get_factory (self), codec->name)) {
      g_debug ("skipping codec %s: mediastreamer2 has no encoder and decoder for it", codec->name);
      continue;
    }
    if (!g_ptr_array_find (list, codec, NULL))
      g_ptr_array_add (list, (gpointer) codec);
  }
  return list;
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
  g_autoptr (GPtrArray) list = NULL;
  g_autoptr (GStrvBuilder) builder = g_strv_builder_new ();

  g_return_val_if_fail (BELFRY_IS_MEDIA_ENGINE (self), NULL);

  list = belfry_media_engine_list_codecs (self);
  for (guint i = 0; i < list->len; i++)
    g_strv_builder_add (builder, ((const BelfryMediaCodec *) list->pdata[i])->name);
  return g_strv_builder_end (builder);
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

/* mediastreamer2's factory loads its plugins and asks PulseAudio and ALSA
 * for their cards: a few hundred milliseconds that should not come before
 * the window. It is made when first needed. */
MSFactory *
belfry_media_engine_get_factory (BelfryMediaEngine *self)
{
  if (self->factory == NULL) {
    self->factory = ms_factory_new_with_voip ();
    /* Filters that notify asynchronously need a queue; it is pumped with
     * the streams on the main context. */
    ms_factory_create_event_queue (self->factory);
  }
  return self->factory;
}

/* The one thread that runs the audio of every call. Left to itself,
 * mediastreamer2 starts a thread for each stream: a thread made and joined
 * per call, and one more wake-up every 10 ms per call in progress. */
MSTicker *
belfry_media_engine_get_ticker (BelfryMediaEngine *self)
{
  if (self->ticker == NULL) {
    MSTickerParams params = { MS_TICKER_PRIO_HIGH, "Belfry audio" };

    self->ticker = ms_ticker_new_with_params (&params);
  }
  return self->ticker;
}

/* Delivers on the calling thread what filters queued for the main loop. */
void
belfry_media_engine_pump (BelfryMediaEngine *self)
{
  MSEventQueue *queue;

  if (self->factory == NULL)
    return;

  queue = ms_factory_get_event_queue (self->factory);

  if (queue != NULL)
    ms_event_queue_pump (queue);
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
  MSSndCardManager *manager;
  GPtrArray *devices;

  g_return_val_if_fail (BELFRY_IS_MEDIA_ENGINE (self), NULL);

  manager = ms_factory_get_snd_card_manager (belfry_media_engine_get_factory (self));
  devices = g_ptr_array_new_with_free_func ((GDestroyNotify) belfry_media_device_free);
  for (const bctbx_list_t *l = ms_snd_card_manager_get_list (manager); l != NULL; l = l->next) {
    MSSndCard *card = l->data;
    unsigned int capabilities = ms_snd_card_get_capabilities (card);
    BelfryMediaDevice *device;

    if ((capabilities & (MS_SND_CARD_CAP_CAPTURE | MS_SND_CARD_CAP_PLAYBACK)) == 0)
      continue;
    device = g_new0 (BelfryMediaDevice, 1);
    device->id = g_strdup (ms_snd_card_get_string_id (card));
    device->name = g_strdup (ms_snd_card_get_name (card));
    device->capture = (capabilities & MS_SND_CARD_CAP_CAPTURE) != 0;
    device->playback = (capabilities & MS_SND_CARD_CAP_PLAYBACK) != 0;
    g_ptr_array_add (devices, device);
  }
  return devices;
}

/* The card for "microphone", "speaker" or "ringer": the chosen one when it
 * is there and can do the job, else the default one, with a message the
 * first time a chosen card is missing. NULL when there is no card. */
MSSndCard *
belfry_media_engine_find_card (BelfryMediaEngine *self,
                               const char        *role)
{
  MSSndCardManager *manager = ms_factory_get_snd_card_manager (belfry_media_engine_get_factory (self));
  gboolean capture = g_str_equal (role, "microphone");
  unsigned int needed = capture ? MS_SND_CARD_CAP_CAPTURE : MS_SND_CARD_CAP_PLAYBACK;
  const char *id = capture ? self->microphone :
                   g_str_equal (role, "speaker") ? self->speaker : self->ringer;
  MSSndCard *card;

  if (id != NULL) {
    card = ms_snd_card_manager_get_card (manager, id);
    if (card != NULL && (ms_snd_card_get_capabilities (card) & needed) != 0)
      return card;
  }

  card = capture ? ms_snd_card_manager_get_default_capture_card (manager) :
                   ms_snd_card_manager_get_default_playback_card (manager);
  if (id != NULL) {
    g_autofree char *key = g_strdup_printf ("%s\n%s", role, id);

    if (!g_hash_table_contains (self->reported_missing, key)) {
      g_message ("The %s \"%s\" is not there; using %s", role, id,
                 card != NULL ? ms_snd_card_get_string_id (card) : "no card");
      g_hash_table_add (self->reported_missing, g_steal_pointer (&key));
    }
  }
  return card;
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
  MSSndCard *card;

  g_return_val_if_fail (BELFRY_IS_MEDIA_ENGINE (self), NULL);
  g_return_val_if_fail (role != NULL, NULL);

  card = belfry_media_engine_find_card (self, role);
  return card != NULL ? g_strdup (ms_snd_card_get_string_id (card)) : NULL;
}

static const char *
ensure_work_dir (BelfryMediaEngine  *self,
                 GError            **error)
{
  if (self->work_dir == NULL)
    self->work_dir = g_dir_make_tmp ("belfry-media-XXXXXX", error);
  return self->work_dir;
}

/* The play file as 16-bit mono at @rate: the file itself when it is that
 * already, else a converted copy, made once per file version and rate. */
char *
belfry_media_engine_prepare_play_file (BelfryMediaEngine  *self,
                                       guint               rate,
                                       GError            **error)
{
  g_autofree char *key = NULL;
  g_autofree char *name = NULL;
  g_autofree char *output = NULL;
  guint file_rate, channels, bits;
  const char *cached;
  GStatBuf buf;

  if (self->play_file == NULL)
    return NULL;

  if (g_stat (self->play_file, &buf) != 0) {
    g_set_error (error, BELFRY_MEDIA_ERROR, BELFRY_MEDIA_ERROR_FILE,
                 "Cannot read %s", self->play_file);
    return NULL;
  }
  if (!belfry_media_wav_probe (self->play_file, &file_rate, &channels, &bits, error))
    return NULL;
  if (file_rate == rate && channels == 1 && bits == 16)
    return g_strdup (self->play_file);

  key = g_strdup_printf ("%s\n%" G_GINT64_FORMAT "\n%" G_GINT64_FORMAT "\n%u", self->play_file,
                         (gint64) buf.st_size, (gint64) buf.st_mtime, rate);
  cached = g_hash_table_lookup (self->converted, key);
  if (cached != NULL)
    return g_strdup (cached);

  if (ensure_work_dir (self, error) == NULL)
    return NULL;
  name = g_strdup_printf ("play-%u-%u.wav", ++self->n_converted, rate);
  output = g_build_filename (self->work_dir, name, NULL);
  g_debug ("converting %s (%u Hz, %u channels, %u bits) to %u Hz mono", self->play_file,
           file_rate, channels, bits, rate);
  if (!belfry_media_wav_convert (self->play_file, output, rate, error))
    return NULL;

  g_hash_table_insert (self->converted, g_steal_pointer (&key), g_strdup (output));
  return g_steal_pointer (&output);
}

static char *
tone_file (BelfryMediaEngine  *self,
           const char         *name,
           double              frequency1,
           double              frequency2,
           double              seconds,
           GError            **error)
{
  g_autofree char *path = NULL;

  if (ensure_work_dir (self, error) == NULL)
    return NULL;
  path = g_build_filename (self->work_dir, name, NULL);
  if (!g_file_test (path, G_FILE_TEST_EXISTS) &&
      !belfry_media_wav_write_tone (path, 16000, frequency1, frequency2, seconds, 0.3, error))
    return NULL;
  return g_steal_pointer (&path);
}

static RingStream *
start_ring (BelfryMediaEngine  *self,
            const char         *role,
            const char         *file,
            int                 interval_ms,
            GError            **error)
{
  MSSndCard *card = belfry_media_engine_find_card (self, role);
  RingStream *ring;

  if (card == NULL) {
    g_set_error (error, BELFRY_MEDIA_ERROR, BELFRY_MEDIA_ERROR_DEVICE,
                 "No sound card to play the %s on", g_str_equal (role, "ringer") ? "ringer" : "ringback tone");
    return NULL;
  }

  ring = ring_start (belfry_media_engine_get_factory (self), file, interval_ms, card);
  if (ring == NULL)
    g_set_error (error, BELFRY_MEDIA_ERROR, BELFRY_MEDIA_ERROR_DEVICE,
                 "Cannot play %s on %s", file, ms_snd_card_get_string_id (card));
  return ring;
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
  g_autofree char *file = NULL;

  g_return_val_if_fail (BELFRY_IS_MEDIA_ENGINE (self), FALSE);

  if (self->ring != NULL)
    return TRUE;

  file = self->ringer_file != NULL ? g_strdup (self->ringer_file) :
                                     tone_file (self, "ringer.wav", 660, 880, 1.0, error);
  if (file == NULL)
    return FALSE;
  self->ring = start_ring (self, "ringer", file, RINGER_INTERVAL_MS, error);
  return self->ring != NULL;
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

  g_clear_pointer (&self->ring, ring_stop);
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

  return self->ring != NULL;
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
  g_autofree char *file = NULL;

  g_return_val_if_fail (BELFRY_IS_MEDIA_ENGINE (self), FALSE);

  if (self->ringback != NULL)
    return TRUE;

  file = tone_file (self, "ringback.wav", 440, 480, 2.0, error);
  if (file == NULL)
    return FALSE;
  self->ringback = start_ring (self, "speaker", file, RINGBACK_INTERVAL_MS, error);
  return self->ringback != NULL;
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

  g_clear_pointer (&self->ringback, ring_stop);
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

  return self->ringback != NULL;
}
