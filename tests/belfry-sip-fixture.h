/* SPDX-License-Identifier: GPL-3.0-or-later */

#pragma once

#include "belfry-invitation.h"
#include "belfry-inviter.h"
#include "belfry-sipp.h"
#include "belfry-test-sdh.h"
#include "belfry-user-agent.h"

G_BEGIN_DECLS

/* What the SIP tests share: a Belfry user agent in this process against
 * sipp on loopback, over UDP, TCP or IPv6. */

typedef struct {
  const char *address;
  const char *transport;
} Variant;

typedef struct {
  const Variant *variant;
  BelfryTestSdhFactory *factory;
  BelfryUserAgent *user_agent;
  int sipp_port;
  BelfryInvitation *invitation;
  guint invites;
  /* What the invite handler does with an incoming call: 0 accepts,
   * 1 rings only, a status rejects. */
  guint incoming_plan;
} Fixture;

typedef struct {
  BelfrySession *session;
  BelfrySessionState state;
} StateWait;

typedef struct {
  const char *name;
  void      (*func) (Fixture *, gconstpointer);
} SipCase;

extern const Variant belfry_sip_udp4, belfry_sip_tcp4, belfry_sip_udp6;

void           fixture_set_up         (Fixture                          *fixture,
                                       gconstpointer                     data);
void           fixture_tear_down      (Fixture                          *fixture,
                                       gconstpointer                     data);
void           on_invite              (BelfryUserAgent                  *user_agent,
                                       BelfryInvitation                 *invitation,
                                       Fixture                          *fixture);
void           add                    (const char                       *path,
                                       const Variant                    *variant,
                                       void                            (*func) (Fixture *, gconstpointer));
void           add_over_udp_and_tcp   (const SipCase                    *cases,
                                       gsize                             n_cases);
BelfrySipp    *start_sipp_server      (Fixture                          *fixture,
                                       const char                       *scenario);
BelfrySipp    *start_sipp_client_with (Fixture                          *fixture,
                                       const char                       *scenario,
                                       const char * const               *extra_args);
BelfrySipp    *start_sipp_client      (Fixture                          *fixture,
                                       const char                       *scenario);
BelfrySession *new_call               (Fixture                          *fixture);
void           invite                 (BelfrySession                    *session,
                                       const BelfrySessionInviteOptions *options,
                                       GError                          **error);
void           hang_up                (BelfrySession                    *session);
void           wait_state             (BelfrySession                    *session,
                                       BelfrySessionState                state,
                                       guint                             timeout_ms);
void           check_incoming_ends    (Fixture                          *fixture,
                                       const char                       *scenario,
                                       guint                             plan);
void           call_and_hang_up       (Fixture                          *fixture);

G_END_DECLS
