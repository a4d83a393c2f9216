/* SPDX-License-Identifier: GPL-3.0-or-later */

#pragma once

#include <gio/gio.h>

#include "belfry-account-manager.h"
#include "belfry-call-history.h"
#include "belfry-notifier.h"
#include "belfry-session.h"

G_BEGIN_DECLS

#define BELFRY_TYPE_CALL_MANAGER (belfry_call_manager_get_type ())

G_DECLARE_FINAL_TYPE (BelfryCallManager, belfry_call_manager, BELFRY, CALL_MANAGER, GObject)

BelfryCallManager    *belfry_call_manager_new              (BelfryAccountManager *accounts,
                                                            BelfryCallHistory    *history,
                                                            BelfryNotifier       *notifier);
BelfryAccountManager *belfry_call_manager_get_accounts     (BelfryCallManager    *self);
BelfryCallHistory    *belfry_call_manager_get_history      (BelfryCallManager    *self);
BelfryNotifier       *belfry_call_manager_get_notifier     (BelfryCallManager    *self);
GListModel           *belfry_call_manager_get_sessions     (BelfryCallManager    *self);
gboolean              belfry_call_manager_get_ringing      (BelfryCallManager    *self);
gboolean              belfry_call_manager_get_ringback     (BelfryCallManager    *self);
BelfrySession        *belfry_call_manager_get_ringing_session (BelfryCallManager *self);
BelfrySession        *belfry_call_manager_get_current_session (BelfryCallManager *self);
BelfrySession        *belfry_call_manager_call             (BelfryCallManager    *self,
                                                            const char           *text,
                                                            BelfryAccount        *account,
                                                            GError              **error);
void                  belfry_call_manager_accept           (BelfryCallManager    *self,
                                                            BelfrySession        *session);
void                  belfry_call_manager_decline          (BelfryCallManager    *self,
                                                            BelfrySession        *session);
void                  belfry_call_manager_hang_up          (BelfryCallManager    *self,
                                                            BelfrySession        *session);
void                  belfry_call_manager_hang_up_all      (BelfryCallManager    *self);
gboolean              belfry_call_manager_get_held         (BelfryCallManager    *self,
                                                            BelfrySession        *session);
void                  belfry_call_manager_set_held         (BelfryCallManager    *self,
                                                            BelfrySession        *session,
                                                            gboolean              held);
void                  belfry_call_manager_hold_async       (BelfryCallManager    *self,
                                                            BelfrySession        *session,
                                                            gboolean              held,
                                                            GCancellable         *cancellable,
                                                            GAsyncReadyCallback   callback,
                                                            gpointer              user_data);
gboolean              belfry_call_manager_hold_finish      (BelfryCallManager    *self,
                                                            GAsyncResult         *result,
                                                            GError              **error);

G_END_DECLS
