/* SPDX-License-Identifier: GPL-3.0-or-later */

#pragma once

#include "belfry-media-engine.h"
#include "belfry-session.h"

G_BEGIN_DECLS

/* What of the media engine needs mediastreamer2 (belfry-media-backend.c).
 * belfry-cli and the tests link it in; the application loads it as a
 * module when audio is first needed (belfry-media-backend-module.c). */

typedef enum {
  BELFRY_MEDIA_TONE_RINGER,
  BELFRY_MEDIA_TONE_RINGBACK,
} BelfryMediaTone;

typedef struct {
  BelfrySessionDescriptionHandler *(*create_handler)  (BelfryMediaEngine  *engine,
                                                       BelfrySession      *session,
                                                       GError            **error);
  GStrv                            (*dup_usable_codecs) (BelfryMediaEngine *engine);
  GPtrArray                       *(*list_devices)    (BelfryMediaEngine  *engine);
  char                            *(*dup_card_in_use) (BelfryMediaEngine  *engine,
                                                       const char         *role);
  gboolean                         (*start_tone)      (BelfryMediaEngine  *engine,
                                                       BelfryMediaTone     tone,
                                                       GError            **error);
  void                             (*stop_tone)       (BelfryMediaEngine  *engine,
                                                       BelfryMediaTone     tone);
  gboolean                         (*is_playing_tone) (BelfryMediaEngine  *engine,
                                                       BelfryMediaTone     tone);
} BelfryMediaBackend;

/* The backend's state on an engine, as object data. */
#define BELFRY_MEDIA_BACKEND_KEY "belfry-media-backend"

/* The backend's entry point, the one symbol the module is asked for. */
extern const BelfryMediaBackend belfry_media_backend;

/* The backend, linked in or loaded on the first call; NULL with @error
 * set when the module cannot be loaded. */
const BelfryMediaBackend *belfry_media_backend_load (GError **error);

G_END_DECLS
