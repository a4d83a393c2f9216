#define G_LOG_DOMAIN "belfry-media"

#include "config.h"

#include "belfry-media-engine-private.h"
#include "belfry-media-handler.h"
#include "belfry-sip-loop.h"

#include <mediastreamer2/mscommon.h>
#include <mediastreamer2/mseventqueue.h>
#include <ortp/ortp.h>

/**
 * BelfryMediaEngine:
 *
 * The process's audio: mediastreamer2's factory, the codecs we offer in
 * the order we prefer them, the address RTP binds to, and (for tests and
 * scripted calls) the WAV files that stand for the microphone and the
 * speaker. It is the #BelfrySessionDescriptionHandlerFactory of the user
 * agent, making one #BelfryMediaHandler per session.
 */

enum {
  PROP_0,
  PROP_CODECS,
  PROP_BIND_ADDRESS,
  PROP_PLAY_FILE,
  PROP_RECORD_FILE,
  N_PROPS
};

static GParamSpec *props[N_PROPS];

struct _BelfryMediaEngine {
  GObject parent_instance;

  MSFactory *factory;
  GStrv codecs;
  char *bind_address;
  char *play_file;
  char *record_file;
};

static void factory_iface_init (BelfrySessionDescriptionHandlerFactoryInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (BelfryMediaEngine, belfry_media_engine, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (BELFRY_TYPE_SESSION_DESCRIPTION_HANDLER_FACTORY,
                                                      factory_iface_init))

static const char * const default_codecs[] = { "opus", "G722", "PCMU", "PCMA", "GSM", NULL };

static BelfrySessionDescriptionHandler *
engine_create_handler (BelfrySessionDescriptionHandlerFactory  *factory,
                       BelfrySession                           *session,
                       GError                                 **error)
{
  return BELFRY_SESSION_DESCRIPTION_HANDLER (belfry_media_handler_new (BELFRY_MEDIA_ENGINE (factory)));
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
  default:
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
  }
}

static void
belfry_media_engine_finalize (GObject *object)
{
  BelfryMediaEngine *self = BELFRY_MEDIA_ENGINE (object);

  g_clear_pointer (&self->factory, ms_factory_destroy);
  g_strfreev (self->codecs);
  g_free (self->bind_address);
  g_free (self->play_file);
  g_free (self->record_file);

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
   * A WAV file sent, in a loop, instead of the microphone. Its rate must
   * be the codec's audio rate (8 kHz for G.711 and GSM, 16 kHz for G.722,
   * 48 kHz for Opus): it is not resampled yet.
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

  self->factory = ms_factory_new_with_voip ();
  /* Filters that notify asynchronously need a queue; it is pumped with the
   * streams on the main context. */
  ms_factory_create_event_queue (self->factory);
  self->codecs = g_strdupv ((GStrv) default_codecs);
  self->bind_address = g_strdup ("0.0.0.0");
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
    if (!ms_factory_codec_supported (self->factory, codec->name)) {
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

MSFactory *
belfry_media_engine_get_factory (BelfryMediaEngine *self)
{
  return self->factory;
}

/* Delivers on the calling thread what filters queued for the main loop. */
void
belfry_media_engine_pump (BelfryMediaEngine *self)
{
  MSEventQueue *queue = ms_factory_get_event_queue (self->factory);

  if (queue != NULL)
    ms_event_queue_pump (queue);
}
