/* SPDX-License-Identifier: GPL-3.0-or-later */

#pragma once

#include "belfry-account-manager.h"
#include "belfry-invitation.h"
#include "belfry-registerer.h"

G_BEGIN_DECLS

/* What the two files of BelfryAccountManager share: the manager and its
 * list of accounts (belfry-account-manager.c), and the entry that runs
 * one account's user agent and registration, or the direct one's
 * (belfry-account-manager-entry.c). */

#define DIRECT_PORT_ATTEMPTS 20

typedef struct {
  BelfryAccountManager *manager;
  /* NULL for the direct user agent. */
  BelfryAccount *account;
  BelfryUserAgent *user_agent;
  BelfryRegisterer *registerer;
  GCancellable *cancellable;
  char *password;
  gboolean password_missing;
  gboolean started;
  int port;
  guint restart_id;
  gulong notify_id;
} Entry;

/* What an asynchronous step needs to find its entry again, unless the
 * entry went away in between (then the cancellable is cancelled). */
typedef struct {
  Entry *entry;
  GCancellable *cancellable;
} Step;

struct _BelfryAccountManager {
  GObject parent_instance;

  GSettings *settings;
  BelfrySessionDescriptionHandlerFactory *factory;
  char *listen_address;
  int direct_port;
  char *direct_address;

  GPtrArray *accounts;
  /* account ID -> Entry */
  GHashTable *entries;
  Entry *direct;
};

/* belfry-account-manager.c */
void   belfry_account_manager_operation_done     (GTask                *task);
void   belfry_account_manager_update_direct      (BelfryAccountManager *self);
void   belfry_account_manager_set_direct_address (BelfryAccountManager *self,
                                                  const char           *address);
void   belfry_account_manager_emit_incoming_call (BelfryAccountManager *self,
                                                  BelfryInvitation     *invitation,
                                                  BelfryAccount        *account);

/* belfry-account-manager-entry.c */
Entry *belfry_account_manager_entry_new          (BelfryAccountManager *self,
                                                  BelfryAccount        *account);
void   belfry_account_manager_entry_start        (Entry                *entry);
void   belfry_account_manager_entry_stop         (Entry                *entry);
void   belfry_account_manager_entry_free         (Entry                *entry);
void   belfry_account_manager_unregistered_cb    (GObject              *source,
                                                  GAsyncResult         *result,
                                                  gpointer              user_data);

G_END_DECLS

