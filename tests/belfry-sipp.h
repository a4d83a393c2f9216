/* SPDX-License-Identifier: GPL-3.0-or-later */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* Runs sipp (package sip-tester) against a user agent of the test, on
 * loopback, and waits for it with a bound while the default main context
 * keeps running. */

typedef struct _BelfrySipp BelfrySipp;

int         belfry_test_free_port       (const char  *address);
gboolean    belfry_test_wait_port_bound (int          port,
                                         gboolean     tcp,
                                         guint        timeout_ms);
gboolean    belfry_test_wait_until      (gboolean   (*condition) (gpointer data),
                                         gpointer     data,
                                         guint        timeout_ms);
gboolean    belfry_test_pointer_cleared (gpointer     data);
void        belfry_test_assert_finalized (gpointer    object,
                                          guint       timeout_ms);
void        belfry_test_store_result_cb (GObject      *source,
                                         GAsyncResult *result,
                                         gpointer      user_data);
GAsyncResult *belfry_test_wait_result   (GAsyncResult **slot,
                                         guint          timeout_ms);
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
