/* SPDX-License-Identifier: GPL-3.0-or-later */

#pragma once

#include <gio/gio.h>

#include "belfry-test-env.h"

G_BEGIN_DECLS

/* Runs sipp (package sip-tester) against a user agent of the test, on
 * loopback, and waits for it with a bound while the default main context
 * keeps running. */

typedef struct _BelfrySipp BelfrySipp;

BelfrySipp *belfry_sipp_start           (const char  *scenario,
                                         const char  *transport,
                                         const char  *local_address,
                                         int          local_port,
                                         const char  *remote,
                                         const char * const *extra_args);
int         belfry_sipp_wait            (BelfrySipp  *sipp,
                                         guint        timeout_ms);
void        belfry_sipp_free            (BelfrySipp  *sipp);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (BelfrySipp, belfry_sipp_free)

G_END_DECLS
