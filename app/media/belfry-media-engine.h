/* SPDX-License-Identifier: GPL-3.0-or-later */

#pragma once

#include <glib-object.h>

#include "belfry-session-description-handler-factory.h"

G_BEGIN_DECLS

/**
 * BelfryMediaSrtp:
 * @BELFRY_MEDIA_SRTP_OFF: plain RTP; offers of SRTP are answered with RTP
 *   when the offer allows it
 * @BELFRY_MEDIA_SRTP_OPTIONAL: offers carry SDES keys (`a=crypto`) on
 *   `RTP/AVP`, so a peer may take or leave them; offered keys are taken
 * @BELFRY_MEDIA_SRTP_MANDATORY: offers are `RTP/SAVP`, and a call without
 *   usable keys is refused
 *
 * Whether audio is encrypted with SRTP, keyed by SDES (RFC 4568).
 */
typedef enum {
  BELFRY_MEDIA_SRTP_OFF,
  BELFRY_MEDIA_SRTP_OPTIONAL,
  BELFRY_MEDIA_SRTP_MANDATORY,
} BelfryMediaSrtp;

#define BELFRY_TYPE_MEDIA_DEVICE (belfry_media_device_get_type ())

/**
 * BelfryMediaDevice:
 * @id: the ID to store in settings and to give #BelfryMediaEngine:microphone,
 *   #BelfryMediaEngine:speaker or #BelfryMediaEngine:ringer
 * @name: a name to show
 * @capture: whether it can be a microphone
 * @playback: whether it can be a speaker or ringer
 *
 * A sound card, as mediastreamer2's card manager lists it.
 */
typedef struct {
  char *id;
  char *name;
  gboolean capture;
  gboolean playback;
} BelfryMediaDevice;

GType              belfry_media_device_get_type (void) G_GNUC_CONST;
BelfryMediaDevice *belfry_media_device_copy     (const BelfryMediaDevice *device);
void               belfry_media_device_free     (BelfryMediaDevice       *device);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (BelfryMediaDevice, belfry_media_device_free)

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
guint               belfry_media_engine_get_rtp_timeout   (BelfryMediaEngine  *self);
void                belfry_media_engine_set_rtp_timeout   (BelfryMediaEngine  *self,
                                                           guint               seconds);
BelfryMediaSrtp     belfry_media_engine_get_srtp          (BelfryMediaEngine  *self);
void                belfry_media_engine_set_srtp          (BelfryMediaEngine  *self,
                                                           BelfryMediaSrtp     srtp);
gboolean            belfry_media_engine_get_allow_srtp_without_tls (BelfryMediaEngine *self);
void                belfry_media_engine_set_allow_srtp_without_tls (BelfryMediaEngine *self,
                                                                    gboolean           allow);
gboolean            belfry_media_engine_get_telephone_event (BelfryMediaEngine *self);
void                belfry_media_engine_set_telephone_event (BelfryMediaEngine *self,
                                                             gboolean           enabled);

GPtrArray          *belfry_media_engine_list_devices      (BelfryMediaEngine  *self);
const char         *belfry_media_engine_get_microphone    (BelfryMediaEngine  *self);
void                belfry_media_engine_set_microphone    (BelfryMediaEngine  *self,
                                                           const char         *id);
const char         *belfry_media_engine_get_speaker       (BelfryMediaEngine  *self);
void                belfry_media_engine_set_speaker       (BelfryMediaEngine  *self,
                                                           const char         *id);
const char         *belfry_media_engine_get_ringer        (BelfryMediaEngine  *self);
void                belfry_media_engine_set_ringer        (BelfryMediaEngine  *self,
                                                           const char         *id);
const char         *belfry_media_engine_get_ringer_file   (BelfryMediaEngine  *self);
void                belfry_media_engine_set_ringer_file   (BelfryMediaEngine  *self,
                                                           const char         *path);
char               *belfry_media_engine_dup_card_in_use   (BelfryMediaEngine  *self,
                                                           const char         *role);

gboolean            belfry_media_engine_start_ringer      (BelfryMediaEngine  *self,
                                                           GError            **error);
void                belfry_media_engine_stop_ringer       (BelfryMediaEngine  *self);
gboolean            belfry_media_engine_is_ringing        (BelfryMediaEngine  *self);
gboolean            belfry_media_engine_start_ringback    (BelfryMediaEngine  *self,
                                                           GError            **error);
void                belfry_media_engine_stop_ringback     (BelfryMediaEngine  *self);
gboolean            belfry_media_engine_is_ringing_back   (BelfryMediaEngine  *self);

G_END_DECLS
