/* SPDX-License-Identifier: GPL-3.0-or-later */

#define G_LOG_DOMAIN "belfry-media"

#include "config.h"

#include "belfry-enum.h"
#include "belfry-media-backend-private.h"
#include "belfry-media-engine-private.h"
#include "belfry-media-enums.h"
#include "belfry-media-error.h"
#include "belfry-media-handler.h"
#include "belfry-media-wav-private.h"
#include "belfry-session.h"
#include "belfry-user-agent.h"

#include <glib/gstdio.h>
#include <mediastreamer2/mediastream.h>
#include <mediastreamer2/mscommon.h>
#include <mediastreamer2/mseventqueue.h>
#include <ortp/ortp.h>

#include <sys/stat.h>

/* The half of the media engine that runs mediastreamer2: its factory and
 * audio thread, the sound cards, the tones, the converted play files and
 * the handlers. belfry-cli and the tests link it in; the desktop
 * application loads it as a module for the first call or device list, so
 * that mediastreamer2 and the hundred libraries it pulls in (video codecs
 * among them) cost nothing before the window is up. Its state hangs on
 * the engine it serves. */

/* Tones: the ringer is two short bursts, the ringback the North American
 * 440 + 480 Hz, two seconds on and four off. */
#define RINGER_INTERVAL_MS   1500
#define RINGBACK_INTERVAL_MS 4000

typedef struct {
  MSFactory *factory;
  MSTicker *ticker;
  guint ticker_users;
  RingStream *ringer;
  RingStream *ringback;

  /* Converted play files and generated tones live here until the engine
   * goes; converted files are keyed by source, its size and time, and
   * rate. */
  char *work_dir;
  GHashTable *converted;
  guint n_converted;

  /* The card IDs already reported missing, so that the message comes once. */
  GHashTable *reported_missing;
} State;

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
state_free (State *state)
{
  g_clear_pointer (&state->ringer, ring_stop);
  g_clear_pointer (&state->ringback, ring_stop);
  g_clear_pointer (&state->ticker, ms_ticker_destroy);
  g_clear_pointer (&state->factory, ms_factory_destroy);
  g_hash_table_unref (state->converted);
  g_hash_table_unref (state->reported_missing);
  if (state->work_dir != NULL)
    remove_work_dir (state->work_dir);
  g_free (state->work_dir);
  g_free (state);
}

static State *
peek_state (BelfryMediaEngine *engine)
{
  return g_object_get_data (G_OBJECT (engine), BELFRY_MEDIA_BACKEND_KEY);
}

static State *
get_state (BelfryMediaEngine *engine)
{
  static gsize ortp_ready = 0;
  State *state = peek_state (engine);

  if (state != NULL)
    return state;

  if (g_once_init_enter (&ortp_ready)) {
    ortp_init ();
    g_once_init_leave (&ortp_ready, 1);
  }
  state = g_new0 (State, 1);
  state->converted = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  state->reported_missing = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_object_set_data_full (G_OBJECT (engine), BELFRY_MEDIA_BACKEND_KEY, state,
                          (GDestroyNotify) state_free);
  return state;
}

/* ---- What the handlers share ---- */

/* mediastreamer2's factory loads its plugins and asks PulseAudio and ALSA
 * for their cards: a few hundred milliseconds that should not come before
 * the window. It is made when first needed. */
MSFactory *
belfry_media_engine_get_factory (BelfryMediaEngine *self)
{
  State *state = get_state (self);

  if (state->factory == NULL) {
    state->factory = ms_factory_new_with_voip ();
    /* Filters that notify asynchronously need a queue; it is pumped with
     * the streams on the main context. */
    ms_factory_create_event_queue (state->factory);
  }
  return state->factory;
}

/* The one thread that runs the audio of every call. Left to itself,
 * mediastreamer2 starts a thread for each stream: a thread made and joined
 * per call, and one more wake-up every 10 ms per call in progress. The
 * thread wakes up 100 times a second whether or not a stream runs on it,
 * so it lives only while a stream holds it: Belfry waits in the background
 * all day, and starting a thread costs a call's set-up next to nothing. */
MSTicker *
belfry_media_engine_hold_ticker (BelfryMediaEngine *self)
{
  State *state = get_state (self);

  if (state->ticker_users++ == 0) {
    MSTickerParams params = { MS_TICKER_PRIO_HIGH, "Belfry audio" };

    g_assert (state->ticker == NULL);
    state->ticker = ms_ticker_new_with_params (&params);
    g_debug ("audio thread started");
  }
  return state->ticker;
}

/* Called once for each belfry_media_engine_hold_ticker(), after the
 * stream has left the ticker. */
void
belfry_media_engine_release_ticker (BelfryMediaEngine *self)
{
  State *state = peek_state (self);

  g_return_if_fail (state != NULL && state->ticker_users > 0);

  if (--state->ticker_users == 0) {
    g_clear_pointer (&state->ticker, ms_ticker_destroy);
    g_debug ("audio thread stopped");
  }
}

gboolean
belfry_media_engine_has_audio_thread (BelfryMediaEngine *self)
{
  State *state = peek_state (self);

  return state != NULL && state->ticker != NULL;
}

/* Delivers on the calling thread what filters queued for the main loop. */
void
belfry_media_engine_pump (BelfryMediaEngine *self)
{
  State *state = peek_state (self);
  MSEventQueue *queue;

  if (state == NULL || state->factory == NULL)
    return;

  queue = ms_factory_get_event_queue (state->factory);
  if (queue != NULL)
    ms_event_queue_pump (queue);
}

/* The codecs of the preference list that this build can run, as
 * BelfryMediaCodec pointers, best first, without repeats. */
GPtrArray *
belfry_media_engine_list_codecs (BelfryMediaEngine *self)
{
  const char * const *names = belfry_media_engine_get_codecs (self);
  GPtrArray *list = g_ptr_array_new ();

  for (guint i = 0; names[i] != NULL; i++) {
    const BelfryMediaCodec *codec = belfry_media_codec_lookup (names[i]);

    if (codec == NULL) {
      g_debug ("skipping codec %s: unknown to Belfry", names[i]);
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

static GStrv
dup_usable_codecs (BelfryMediaEngine *self)
{
  g_autoptr (GPtrArray) list = belfry_media_engine_list_codecs (self);
  g_autoptr (GStrvBuilder) builder = g_strv_builder_new ();

  for (guint i = 0; i < list->len; i++)
    g_strv_builder_add (builder, ((const BelfryMediaCodec *) list->pdata[i])->name);
  return g_strv_builder_end (builder);
}

/* ---- Sound cards ---- */

static GPtrArray *
list_devices (BelfryMediaEngine *self)
{
  MSSndCardManager *manager = ms_factory_get_snd_card_manager (belfry_media_engine_get_factory (self));
  GPtrArray *devices = g_ptr_array_new_with_free_func ((GDestroyNotify) belfry_media_device_free);

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
  State *state = get_state (self);
  gboolean capture = g_str_equal (role, "microphone");
  unsigned int needed = capture ? MS_SND_CARD_CAP_CAPTURE : MS_SND_CARD_CAP_PLAYBACK;
  const char *id = capture ? belfry_media_engine_get_microphone (self) :
                   g_str_equal (role, "speaker") ? belfry_media_engine_get_speaker (self) :
                                                   belfry_media_engine_get_ringer (self);
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

    if (!g_hash_table_contains (state->reported_missing, key)) {
      g_message ("The %s \"%s\" is not there; using %s", role, id,
                 card != NULL ? ms_snd_card_get_string_id (card) : "no card");
      g_hash_table_add (state->reported_missing, g_steal_pointer (&key));
    }
  }
  return card;
}

static char *
dup_card_in_use (BelfryMediaEngine *self,
                 const char        *role)
{
  MSSndCard *card = belfry_media_engine_find_card (self, role);

  return card != NULL ? g_strdup (ms_snd_card_get_string_id (card)) : NULL;
}

/* ---- Files ---- */

static const char *
ensure_work_dir (State   *state,
                 GError **error)
{
  if (state->work_dir == NULL)
    state->work_dir = g_dir_make_tmp ("belfry-media-XXXXXX", error);
  return state->work_dir;
}

/* The play file as 16-bit mono at @rate: the file itself when it is that
 * already, else a converted copy, made once per file version and rate. */
char *
belfry_media_engine_prepare_play_file (BelfryMediaEngine  *self,
                                       guint               rate,
                                       GError            **error)
{
  const char *play_file = belfry_media_engine_get_play_file (self);
  State *state = get_state (self);
  g_autofree char *key = NULL;
  g_autofree char *name = NULL;
  g_autofree char *output = NULL;
  guint file_rate, channels, bits;
  const char *cached;
  GStatBuf buf;

  if (play_file == NULL)
    return NULL;

  if (g_stat (play_file, &buf) != 0) {
    g_set_error (error, BELFRY_MEDIA_ERROR, BELFRY_MEDIA_ERROR_FILE, "Cannot read %s", play_file);
    return NULL;
  }
  if (!belfry_media_wav_probe (play_file, &file_rate, &channels, &bits, error))
    return NULL;
  if (file_rate == rate && channels == 1 && bits == 16)
    return g_strdup (play_file);

  key = g_strdup_printf ("%s\n%" G_GINT64_FORMAT "\n%" G_GINT64_FORMAT "\n%u", play_file,
                         (gint64) buf.st_size, (gint64) buf.st_mtime, rate);
  cached = g_hash_table_lookup (state->converted, key);
  if (cached != NULL)
    return g_strdup (cached);

  if (ensure_work_dir (state, error) == NULL)
    return NULL;
  name = g_strdup_printf ("play-%u-%u.wav", ++state->n_converted, rate);
  output = g_build_filename (state->work_dir, name, NULL);
  g_debug ("converting %s (%u Hz, %u channels, %u bits) to %u Hz mono", play_file,
           file_rate, channels, bits, rate);
  if (!belfry_media_wav_convert (belfry_media_engine_get_factory (self), play_file, output, rate,
                                 error))
    return NULL;

  g_hash_table_insert (state->converted, g_steal_pointer (&key), g_strdup (output));
  return g_steal_pointer (&output);
}

/* ---- Ringer and ringback tone ---- */

static char *
tone_file (State       *state,
           const char  *name,
           double       frequency1,
           double       frequency2,
           double       seconds,
           GError     **error)
{
  g_autofree char *path = NULL;

  if (ensure_work_dir (state, error) == NULL)
    return NULL;
  path = g_build_filename (state->work_dir, name, NULL);
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

static gboolean
start_tone (BelfryMediaEngine  *self,
            BelfryMediaTone     tone,
            GError            **error)
{
  State *state = get_state (self);
  RingStream **slot = tone == BELFRY_MEDIA_TONE_RINGER ? &state->ringer : &state->ringback;
  g_autofree char *file = NULL;

  if (*slot != NULL)
    return TRUE;

  if (tone == BELFRY_MEDIA_TONE_RINGER) {
    const char *ringer_file = belfry_media_engine_get_ringer_file (self);

    file = ringer_file != NULL ? g_strdup (ringer_file) :
                                 tone_file (state, "ringer.wav", 660, 880, 1.0, error);
    if (file == NULL)
      return FALSE;
    *slot = start_ring (self, "ringer", file, RINGER_INTERVAL_MS, error);
  } else {
    file = tone_file (state, "ringback.wav", 440, 480, 2.0, error);
    if (file == NULL)
      return FALSE;
    *slot = start_ring (self, "speaker", file, RINGBACK_INTERVAL_MS, error);
  }
  return *slot != NULL;
}

static void
stop_tone (BelfryMediaEngine *self,
           BelfryMediaTone    tone)
{
  State *state = peek_state (self);

  if (state == NULL)
    return;
  if (tone == BELFRY_MEDIA_TONE_RINGER)
    g_clear_pointer (&state->ringer, ring_stop);
  else
    g_clear_pointer (&state->ringback, ring_stop);
}

static gboolean
is_playing_tone (BelfryMediaEngine *self,
                 BelfryMediaTone    tone)
{
  State *state = peek_state (self);

  if (state == NULL)
    return FALSE;
  return (tone == BELFRY_MEDIA_TONE_RINGER ? state->ringer : state->ringback) != NULL;
}

/* ---- Handlers ---- */

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
  int mode;

  if (user_agent != NULL)
    options = belfry_user_agent_get_session_description_handler_factory_options (user_agent);
  if (options == NULL)
    return TRUE;

  if (g_variant_lookup (options, "srtp", "&s", &srtp)) {
    /* Better no call than a call in clear that was meant to be secret. */
    if (!belfry_enum_from_nick (BELFRY_TYPE_MEDIA_SRTP, srtp, &mode)) {
      g_set_error (error, BELFRY_MEDIA_ERROR, BELFRY_MEDIA_ERROR_FAILED,
                   "Unknown SRTP mode “%s” in the factory options", srtp);
      return FALSE;
    }
    belfry_media_handler_set_srtp (handler, mode);
  }
  if (g_variant_lookup (options, "allow-srtp-without-tls", "b", &allow))
    belfry_media_handler_set_allow_srtp_without_tls (handler, allow);
  return TRUE;
}

static BelfrySessionDescriptionHandler *
create_handler (BelfryMediaEngine  *engine,
                BelfrySession      *session,
                GError            **error)
{
  BelfryMediaHandler *handler = belfry_media_handler_new (engine);

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

const BelfryMediaBackend belfry_media_backend = {
  .create_handler = create_handler,
  .dup_usable_codecs = dup_usable_codecs,
  .list_devices = list_devices,
  .dup_card_in_use = dup_card_in_use,
  .start_tone = start_tone,
  .stop_tone = stop_tone,
  .is_playing_tone = is_playing_tone,
};
