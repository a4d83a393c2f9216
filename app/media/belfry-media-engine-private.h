/* SPDX-License-Identifier: GPL-3.0-or-later */

#pragma once

#include <mediastreamer2/msfactory.h>
#include <mediastreamer2/mssndcard.h>
#include <mediastreamer2/msticker.h>

#include "belfry-media-codec-private.h"
#include "belfry-media-engine.h"

G_BEGIN_DECLS

MSFactory  *belfry_media_engine_get_factory        (BelfryMediaEngine *self);
MSTicker   *belfry_media_engine_hold_ticker        (BelfryMediaEngine *self);
void        belfry_media_engine_release_ticker     (BelfryMediaEngine *self);
gboolean    belfry_media_engine_has_audio_thread   (BelfryMediaEngine *self);
GPtrArray  *belfry_media_engine_list_codecs        (BelfryMediaEngine *self);
void        belfry_media_engine_pump               (BelfryMediaEngine *self);
char       *belfry_media_engine_prepare_play_file  (BelfryMediaEngine  *self,
                                                    guint               rate,
                                                    GError            **error);
MSSndCard  *belfry_media_engine_find_card          (BelfryMediaEngine *self,
                                                    const char        *role);

G_END_DECLS
