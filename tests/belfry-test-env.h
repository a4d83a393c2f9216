/* SPDX-License-Identifier: GPL-3.0-or-later */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* What every test shares: its own HOME and runtime folder, bounded waits
 * on the default main context, and checks that objects go away. */

void          belfry_test_init             (int            *argc,
                                            char         ***argv);
void          belfry_test_remove_tree      (const char     *path);
int           belfry_test_free_port        (const char     *address);
gboolean      belfry_test_port_is_bound    (int             port,
                                            gboolean        tcp);
gboolean      belfry_test_wait_port_bound  (int             port,
                                            gboolean        tcp,
                                            guint           timeout_ms);
gboolean      belfry_test_wait_until       (gboolean      (*condition) (gpointer data),
                                            gpointer        data,
                                            guint           timeout_ms);
void          belfry_test_observe_for      (guint           ms);
gboolean      belfry_test_pointer_set      (gpointer        data);
gboolean      belfry_test_flag_set         (gpointer        data);
gboolean      belfry_test_pointer_cleared  (gpointer        data);
void          belfry_test_assert_finalized (gpointer        object,
                                            guint           timeout_ms);
void          belfry_test_store_result_cb  (GObject        *source,
                                            GAsyncResult   *result,
                                            gpointer        user_data);
GAsyncResult *belfry_test_wait_result      (GAsyncResult  **slot,
                                            guint           timeout_ms);
gboolean      belfry_test_stop_process     (GSubprocess    *process,
                                            int             signal_number,
                                            guint           timeout_ms);

G_END_DECLS
