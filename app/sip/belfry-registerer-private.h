/* SPDX-License-Identifier: GPL-3.0-or-later */

#pragma once

#include <belle-sip/belle-sip.h>

#include "belfry-registerer.h"

G_BEGIN_DECLS

/* What the two files of BelfryRegisterer share: the class with its state
 * and API (belfry-registerer.c), and the REGISTER requests with belle-sip's
 * refresher that keeps them going (belfry-registerer-refresher.c). */

struct _BelfryRegisterer {
  GObject parent_instance;

  BelfryUserAgent *user_agent;
  BelfryNameAddr *registrar;
  guint expires;
  BelfryRegistererState state;
  gboolean waiting;
  GError *error;
  guint retry_after;
  guint retry_interval;
  guint retry_interval_max;

  /* Whether the application asked to be registered: only then do failures
   * lead to new attempts, and a restarted user agent registers again. */
  gboolean wanted;
  /* Failed attempts in a row, for the back-off. */
  guint failures;
  guint retry_id;
  guint unregister_guard_id;
  gulong started_handler;

  /* One Call-ID and a growing CSeq for every REGISTER to this registrar
   * (RFC 3261 section 10.2). */
  char *call_id;
  guint cseq;

  /* belle-sip's refresher of the registration under way or in place, with
   * the provider it was made on; NULL when not registered. */
  belle_sip_refresher_t *refresher;
  belle_sip_provider_t *provider;
  /* The refresher was told to send Expires: 0. */
  gboolean unregistering;

  GQueue register_tasks;
  GQueue unregister_tasks;
};

#define DEFAULT_EXPIRES 600
#define DEFAULT_RETRY_INTERVAL 2
#define DEFAULT_RETRY_INTERVAL_MAX 60
/* An unregistration ends in Timer F (32 s) at the latest; a little more,
 * in case belle-sip reports nothing at all. */
#define UNREGISTER_GUARD_SECONDS 40

/* belfry-registerer.c */
void     belfry_registerer_set_waiting         (BelfryRegisterer *self,
                                                gboolean          waiting);
void     belfry_registerer_cancel_retry        (BelfryRegisterer *self);
void     belfry_registerer_registered          (BelfryRegisterer *self);
void     belfry_registerer_registration_failed (BelfryRegisterer *self,
                                                GError           *error,
                                                guint             delay);
void     belfry_registerer_unregistration_done (BelfryRegisterer *self,
                                                GError           *error);

/* belfry-registerer-refresher.c */
void     belfry_registerer_start_attempt       (BelfryRegisterer *self);
gboolean belfry_registerer_start_unregister    (BelfryRegisterer *self);

G_END_DECLS

