/* SPDX-License-Identifier: GPL-3.0-or-later */

#pragma once

#include <gio/gio.h>

#include "belfry-account.h"
#include "belfry-session-description-handler-factory.h"
#include "belfry-user-agent.h"

G_BEGIN_DECLS

#define BELFRY_TYPE_ACCOUNT_MANAGER (belfry_account_manager_get_type ())

G_DECLARE_FINAL_TYPE (BelfryAccountManager, belfry_account_manager, BELFRY, ACCOUNT_MANAGER, GObject)

BelfryAccountManager *belfry_account_manager_new                 (GSettings                              *settings,
                                                                  BelfrySessionDescriptionHandlerFactory *factory,
                                                                  const char                             *listen_address,
                                                                  int                                     direct_port);
GSettings            *belfry_account_manager_get_settings        (BelfryAccountManager *self);
BelfryAccount        *belfry_account_manager_add                 (BelfryAccountManager *self,
                                                                  const char           *sip_address);
void                  belfry_account_manager_remove_async        (BelfryAccountManager *self,
                                                                  BelfryAccount        *account,
                                                                  GCancellable         *cancellable,
                                                                  GAsyncReadyCallback   callback,
                                                                  gpointer              user_data);
gboolean              belfry_account_manager_remove_finish       (BelfryAccountManager *self,
                                                                  GAsyncResult         *result,
                                                                  GError              **error);
BelfryAccount        *belfry_account_manager_lookup              (BelfryAccountManager *self,
                                                                  const char           *id);
BelfryAccount        *belfry_account_manager_get_default_account (BelfryAccountManager *self);
void                  belfry_account_manager_set_default_account (BelfryAccountManager *self,
                                                                  BelfryAccount        *account);
void                  belfry_account_manager_reconnect           (BelfryAccountManager *self,
                                                                  BelfryAccount        *account);
BelfryUserAgent      *belfry_account_manager_get_user_agent      (BelfryAccountManager *self,
                                                                  BelfryAccount        *account);
BelfryAccount        *belfry_account_manager_find_account_for_user_agent (BelfryAccountManager *self,
                                                                          BelfryUserAgent      *user_agent);
const char           *belfry_account_manager_get_direct_address  (BelfryAccountManager *self);
void                  belfry_account_manager_unregister_all_async  (BelfryAccountManager  *self,
                                                                    GCancellable          *cancellable,
                                                                    GAsyncReadyCallback    callback,
                                                                    gpointer               user_data);
gboolean              belfry_account_manager_unregister_all_finish (BelfryAccountManager  *self,
                                                                    GAsyncResult          *result,
                                                                    GError               **error);

G_END_DECLS
