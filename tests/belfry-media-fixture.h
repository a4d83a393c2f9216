/* SPDX-License-Identifier: GPL-3.0-or-later */

#pragma once

#include "belfry-invitation.h"
#include "belfry-inviter.h"
#include "belfry-media-engine.h"
#include "belfry-media-handler.h"
#include "belfry-user-agent.h"

G_BEGIN_DECLS

/* What the media tests share: two user agents in this process call each
 * other over loopback, each with a media engine that sends a WAV file and
 * records what it gets, and the checks of what they got. */

#define AMPLITUDE      8000.0
#define TONE_A_HZ      1000.0
#define TONE_B_HZ      600.0
#define WAIT_MS        5000

typedef struct {
  char *dir;
  char *play_a, *play_b, *record_a, *record_b;
  BelfryMediaEngine *engine_a, *engine_b;
  BelfryUserAgent *ua_a, *ua_b;
  BelfryInviter *inviter;
  BelfryInvitation *invitation;
  GAsyncResult *accept_result;
  /* place_call() mutes the caller before any stream runs. */
  gboolean mute_caller;
} Fixture;

typedef struct {
  BelfryMediaHandler *handler;
  guint64 packets;
} PacketGoal;

BelfryUserAgent    *start_user_agent  (const char        *user,
                                       BelfryMediaEngine *engine);
void                stop_user_agent   (BelfryUserAgent   *ua);
void                fixture_set_up    (Fixture           *fixture,
                                       gconstpointer      data);
void                fixture_tear_down (Fixture           *fixture,
                                       gconstpointer      data);
void                write_tones       (Fixture           *fixture,
                                       guint              rate);
BelfryMediaHandler *handler_of        (gpointer           session);
GError             *place_call        (Fixture           *fixture);
void                hang_up           (Fixture           *fixture);
gboolean            session_ended     (gpointer           data);
gboolean            received_enough   (gpointer           data);
void                assert_tone       (const char        *path,
                                       guint              rate,
                                       double             frequency);
gint16              ulaw_decode       (guint8             byte);

G_END_DECLS
