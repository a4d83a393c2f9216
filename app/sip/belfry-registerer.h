/* SPDX-License-Identifier: GPL-3.0-or-later */

#pragma once

#include <gio/gio.h>

#include "belfry-name-addr.h"
#include "belfry-user-agent.h"

G_BEGIN_DECLS

/**
 * BelfryRegistererState:
 * @BELFRY_REGISTERER_STATE_INITIAL: created, no REGISTER answered yet
 * @BELFRY_REGISTERER_STATE_REGISTERED: the registrar holds our contact
 * @BELFRY_REGISTERER_STATE_UNREGISTERED: not registered: unregistered on purpose, or the
 *   last attempt failed (see #BelfryRegisterer:error)
 * @BELFRY_REGISTERER_STATE_TERMINATED: disposed of; nothing leaves this state
 *
 * The states of a registerer, as SIP.js's `RegistererState`.
 */
typedef enum {
  BELFRY_REGISTERER_STATE_INITIAL,
  BELFRY_REGISTERER_STATE_REGISTERED,
  BELFRY_REGISTERER_STATE_UNREGISTERED,
  BELFRY_REGISTERER_STATE_TERMINATED,
} BelfryRegistererState;

#define BELFRY_TYPE_REGISTERER (belfry_registerer_get_type ())

G_DECLARE_FINAL_TYPE (BelfryRegisterer, belfry_registerer, BELFRY, REGISTERER, GObject)

BelfryRegisterer      *belfry_registerer_new                    (BelfryUserAgent      *user_agent,
                                                                 BelfryNameAddr       *registrar,
                                                                 guint                 expires);
BelfryRegisterer      *belfry_registerer_new_for_uri            (BelfryUserAgent      *user_agent,
                                                                 const char           *registrar_uri,
                                                                 guint                 expires,
                                                                 GError              **error);
BelfryUserAgent       *belfry_registerer_get_user_agent         (BelfryRegisterer     *self);
BelfryNameAddr        *belfry_registerer_get_registrar          (BelfryRegisterer     *self);
guint                  belfry_registerer_get_expires            (BelfryRegisterer     *self);
void                   belfry_registerer_set_expires            (BelfryRegisterer     *self,
                                                                 guint                 expires);
BelfryRegistererState  belfry_registerer_get_state              (BelfryRegisterer     *self);
gboolean               belfry_registerer_get_waiting            (BelfryRegisterer     *self);
const GError          *belfry_registerer_get_error              (BelfryRegisterer     *self);
guint                  belfry_registerer_get_retry_after        (BelfryRegisterer     *self);
guint                  belfry_registerer_get_retry_interval     (BelfryRegisterer     *self);
void                   belfry_registerer_set_retry_interval     (BelfryRegisterer     *self,
                                                                 guint                 seconds);
guint                  belfry_registerer_get_retry_interval_max (BelfryRegisterer     *self);
void                   belfry_registerer_set_retry_interval_max (BelfryRegisterer     *self,
                                                                 guint                 seconds);
void                   belfry_registerer_register_async         (BelfryRegisterer     *self,
                                                                 GCancellable         *cancellable,
                                                                 GAsyncReadyCallback   callback,
                                                                 gpointer              user_data);
gboolean               belfry_registerer_register_finish        (BelfryRegisterer     *self,
                                                                 GAsyncResult         *result,
                                                                 GError              **error);
void                   belfry_registerer_unregister_async       (BelfryRegisterer     *self,
                                                                 GCancellable         *cancellable,
                                                                 GAsyncReadyCallback   callback,
                                                                 gpointer              user_data);
gboolean               belfry_registerer_unregister_finish      (BelfryRegisterer     *self,
                                                                 GAsyncResult         *result,
                                                                 GError              **error);
void                   belfry_registerer_dispose_async          (BelfryRegisterer     *self,
                                                                 GCancellable         *cancellable,
                                                                 GAsyncReadyCallback   callback,
                                                                 gpointer              user_data);
gboolean               belfry_registerer_dispose_finish         (BelfryRegisterer     *self,
                                                                 GAsyncResult         *result,
                                                                 GError              **error);

G_END_DECLS
