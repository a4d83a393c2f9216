/* SPDX-License-Identifier: GPL-3.0-or-later */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* A Kamailio registrar and proxy that a test starts on 127.0.0.1, from
 * tests/kamailio/registrar.cfg.in. */
typedef struct _BelfryKamailio BelfryKamailio;

typedef struct {
  /* The one password every user registers with. */
  const char *password;
  /* The registrar's min_expires: shorter registrations get 423. 0 for 1. */
  guint min_expires;
  /* How many REGISTERs are answered 503 with Retry-After: 1 first. */
  guint fail_503;
} BelfryKamailioOptions;

int             belfry_kamailio_pick_port  (void);
BelfryKamailio *belfry_kamailio_start      (int                           port,
                                            const BelfryKamailioOptions *options,
                                            GError                      **error);
int             belfry_kamailio_get_port   (BelfryKamailio *self);
gboolean        belfry_kamailio_ping       (BelfryKamailio *self,
                                            guint           timeout_ms);
guint           belfry_kamailio_count      (BelfryKamailio *self,
                                            const char     *marker);
gboolean        belfry_kamailio_wait_count (BelfryKamailio *self,
                                            const char     *marker,
                                            guint           count,
                                            guint           timeout_ms);
void            belfry_kamailio_dump_log   (BelfryKamailio *self);
void            belfry_kamailio_stop       (BelfryKamailio *self);

G_END_DECLS
