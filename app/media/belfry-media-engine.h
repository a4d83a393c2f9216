#pragma once

#include <glib-object.h>

#include "belfry-session-description-handler-factory.h"

G_BEGIN_DECLS

#define BELFRY_TYPE_MEDIA_ENGINE (belfry_media_engine_get_type ())

G_DECLARE_FINAL_TYPE (BelfryMediaEngine, belfry_media_engine, BELFRY, MEDIA_ENGINE, GObject)

BelfryMediaEngine  *belfry_media_engine_new               (void);
const char * const *belfry_media_engine_get_codecs        (BelfryMediaEngine  *self);
void                belfry_media_engine_set_codecs        (BelfryMediaEngine  *self,
                                                           const char * const *codecs);
GStrv               belfry_media_engine_dup_usable_codecs (BelfryMediaEngine  *self);
const char         *belfry_media_engine_get_bind_address  (BelfryMediaEngine  *self);
void                belfry_media_engine_set_bind_address  (BelfryMediaEngine  *self,
                                                           const char         *address);
const char         *belfry_media_engine_get_play_file     (BelfryMediaEngine  *self);
void                belfry_media_engine_set_play_file     (BelfryMediaEngine  *self,
                                                           const char         *path);
const char         *belfry_media_engine_get_record_file   (BelfryMediaEngine  *self);
void                belfry_media_engine_set_record_file   (BelfryMediaEngine  *self,
                                                           const char         *path);

G_END_DECLS
