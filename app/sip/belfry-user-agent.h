/* SPDX-License-Identifier: GPL-3.0-or-later */

#pragma once

#include <gio/gio.h>

#include "belfry-name-addr.h"
#include "belfry-session-description-handler-factory.h"

G_BEGIN_DECLS

#define BELFRY_TYPE_USER_AGENT (belfry_user_agent_get_type ())

G_DECLARE_FINAL_TYPE (BelfryUserAgent, belfry_user_agent, BELFRY, USER_AGENT, GObject)

/**
 * BelfryPasswordFunc:
 * @user_agent: the user agent
 * @realm: the realm of the challenge
 * @username: the user name that will be sent
 * @user_data: the data given with the function
 *
 * Asked at each digest challenge (401 or 407) for the password.
 *
 * Returns: (transfer full) (nullable): the password, or %NULL for none;
 *   it is wiped and freed after use
 */
typedef char *(*BelfryPasswordFunc) (BelfryUserAgent *user_agent,
                                     const char      *realm,
                                     const char      *username,
                                     gpointer         user_data);

BelfryUserAgent *belfry_user_agent_new                (BelfryNameAddr                         *identity,
                                                       const char                             *listen_address,
                                                       int                                     listen_port,
                                                       BelfrySessionDescriptionHandlerFactory *factory);
void             belfry_user_agent_start_async        (BelfryUserAgent     *self,
                                                       GCancellable        *cancellable,
                                                       GAsyncReadyCallback  callback,
                                                       gpointer             user_data);
gboolean         belfry_user_agent_start_finish       (BelfryUserAgent  *self,
                                                       GAsyncResult     *result,
                                                       GError          **error);
void             belfry_user_agent_stop_async         (BelfryUserAgent     *self,
                                                       GCancellable        *cancellable,
                                                       GAsyncReadyCallback  callback,
                                                       gpointer             user_data);
gboolean         belfry_user_agent_stop_finish        (BelfryUserAgent  *self,
                                                       GAsyncResult     *result,
                                                       GError          **error);
gboolean         belfry_user_agent_get_started        (BelfryUserAgent *self);
BelfryNameAddr  *belfry_user_agent_get_identity       (BelfryUserAgent *self);
const char      *belfry_user_agent_get_listen_address (BelfryUserAgent *self);
int              belfry_user_agent_get_port           (BelfryUserAgent *self);
const char      *belfry_user_agent_get_username       (BelfryUserAgent *self);
void             belfry_user_agent_set_username       (BelfryUserAgent *self,
                                                       const char      *username);
void             belfry_user_agent_set_password_func  (BelfryUserAgent    *self,
                                                       BelfryPasswordFunc  func,
                                                       gpointer            user_data,
                                                       GDestroyNotify      destroy);
guint            belfry_user_agent_get_no_answer_timeout (BelfryUserAgent *self);
void             belfry_user_agent_set_no_answer_timeout (BelfryUserAgent *self,
                                                          guint            seconds);
BelfrySessionDescriptionHandlerFactory *
                 belfry_user_agent_get_session_description_handler_factory (BelfryUserAgent *self);
GVariant        *belfry_user_agent_get_session_description_handler_factory_options (BelfryUserAgent *self);
void             belfry_user_agent_set_session_description_handler_factory_options (BelfryUserAgent *self,
                                                                                    GVariant        *options);
const char      *belfry_user_agent_get_outbound_proxy (BelfryUserAgent *self);
void             belfry_user_agent_set_outbound_proxy (BelfryUserAgent *self,
                                                       const char      *uri);
gboolean         belfry_user_agent_check_outbound_proxy (const char  *uri,
                                                         GError     **error);

G_END_DECLS
