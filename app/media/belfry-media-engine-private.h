#pragma once

#include <mediastreamer2/msfactory.h>

#include "belfry-media-codec-private.h"
#include "belfry-media-engine.h"

G_BEGIN_DECLS

MSFactory  *belfry_media_engine_get_factory        (BelfryMediaEngine *self);
GPtrArray  *belfry_media_engine_list_codecs        (BelfryMediaEngine *self);
void        belfry_media_engine_pump               (BelfryMediaEngine *self);

G_END_DECLS
