/* SPDX-License-Identifier: GPL-3.0-or-later */

#pragma once

#include <glib-object.h>

#include "belfry-media-engine.h"
#include "belfry-session-description-handler.h"

G_BEGIN_DECLS

#define BELFRY_TYPE_MEDIA_HANDLER (belfry_media_handler_get_type ())

G_DECLARE_FINAL_TYPE (BelfryMediaHandler, belfry_media_handler, BELFRY, MEDIA_HANDLER, GObject)

BelfryMediaHandler *belfry_media_handler_new             (BelfryMediaEngine  *engine);
BelfryMediaEngine  *belfry_media_handler_get_engine      (BelfryMediaHandler *self);
const char         *belfry_media_handler_get_codec       (BelfryMediaHandler *self);
gboolean            belfry_media_handler_get_local_hold  (BelfryMediaHandler *self);
gboolean            belfry_media_handler_get_remote_hold (BelfryMediaHandler *self);
int                 belfry_media_handler_get_local_port  (BelfryMediaHandler *self);
gboolean            belfry_media_handler_get_rtp_stats   (BelfryMediaHandler *self,
                                                          guint64            *packets_sent,
                                                          guint64            *packets_received);
gboolean            belfry_media_handler_get_secure_signaling (BelfryMediaHandler *self);
void                belfry_media_handler_set_secure_signaling (BelfryMediaHandler *self,
                                                               gboolean            secure);
const char         *belfry_media_handler_get_srtp_suite  (BelfryMediaHandler *self);
BelfryMediaSrtp     belfry_media_handler_get_srtp        (BelfryMediaHandler *self);
void                belfry_media_handler_set_srtp        (BelfryMediaHandler *self,
                                                          BelfryMediaSrtp     srtp);
gboolean            belfry_media_handler_get_allow_srtp_without_tls (BelfryMediaHandler *self);
void                belfry_media_handler_set_allow_srtp_without_tls (BelfryMediaHandler *self,
                                                                     gboolean            allow);

void                belfry_media_handler_set_muted       (BelfryMediaHandler *self,
                                                          gboolean            muted);
gboolean            belfry_media_handler_get_muted       (BelfryMediaHandler *self);

G_END_DECLS
