/* SPDX-License-Identifier: GPL-3.0-or-later */

#pragma once

#include <gio/gio.h>

#include "belfry-media-engine.h"
#include "belfry-name-addr.h"

G_BEGIN_DECLS

/**
 * BelfryTransport:
 * @BELFRY_TRANSPORT_UDP: SIP over UDP
 * @BELFRY_TRANSPORT_TCP: SIP over TCP
 * @BELFRY_TRANSPORT_TLS: SIP over TLS
 *
 * How an account carries its SIP messages. The nicks match the
 * `org.belfry.Belfry.Transport` enum of the schema.
 */
typedef enum {
  BELFRY_TRANSPORT_UDP,
  BELFRY_TRANSPORT_TCP,
  BELFRY_TRANSPORT_TLS,
} BelfryTransport;

/**
 * BelfryAccountStatus:
 * @BELFRY_ACCOUNT_STATUS_OFFLINE: not registered, on purpose (disabled, or not started)
 * @BELFRY_ACCOUNT_STATUS_REGISTERING: a registration is under way
 * @BELFRY_ACCOUNT_STATUS_REGISTERED: the registrar holds our contact
 * @BELFRY_ACCOUNT_STATUS_FAILED: the registration failed; see #BelfryAccount:status-message
 *
 * The registration status of an account, as the window shows it.
 */
typedef enum {
  BELFRY_ACCOUNT_STATUS_OFFLINE,
  BELFRY_ACCOUNT_STATUS_REGISTERING,
  BELFRY_ACCOUNT_STATUS_REGISTERED,
  BELFRY_ACCOUNT_STATUS_FAILED,
} BelfryAccountStatus;

#define BELFRY_TYPE_ACCOUNT (belfry_account_get_type ())

G_DECLARE_FINAL_TYPE (BelfryAccount, belfry_account, BELFRY, ACCOUNT, GObject)

BelfryAccount   *belfry_account_new                   (const char           *id);
const char      *belfry_account_get_id                (BelfryAccount        *self);
GSettings       *belfry_account_get_settings          (BelfryAccount        *self);
const char      *belfry_account_get_sip_address       (BelfryAccount        *self);
void             belfry_account_set_sip_address       (BelfryAccount        *self,
                                                       const char           *sip_address);
const char      *belfry_account_get_display_name      (BelfryAccount        *self);
void             belfry_account_set_display_name      (BelfryAccount        *self,
                                                       const char           *display_name);
const char      *belfry_account_get_username          (BelfryAccount        *self);
void             belfry_account_set_username          (BelfryAccount        *self,
                                                       const char           *username);
const char      *belfry_account_get_registrar         (BelfryAccount        *self);
void             belfry_account_set_registrar         (BelfryAccount        *self,
                                                       const char           *registrar);
const char      *belfry_account_get_outbound_proxy    (BelfryAccount        *self);
void             belfry_account_set_outbound_proxy    (BelfryAccount        *self,
                                                       const char           *outbound_proxy);
BelfryTransport  belfry_account_get_transport         (BelfryAccount        *self);
void             belfry_account_set_transport         (BelfryAccount        *self,
                                                       BelfryTransport       transport);
BelfryMediaSrtp  belfry_account_get_srtp              (BelfryAccount        *self);
void             belfry_account_set_srtp              (BelfryAccount        *self,
                                                       BelfryMediaSrtp       srtp);
gboolean         belfry_account_get_allow_srtp_without_tls (BelfryAccount   *self);
void             belfry_account_set_allow_srtp_without_tls (BelfryAccount   *self,
                                                            gboolean         allow);
gboolean         belfry_account_get_enabled           (BelfryAccount        *self);
void             belfry_account_set_enabled           (BelfryAccount        *self,
                                                       gboolean              enabled);
guint            belfry_account_get_register_expires  (BelfryAccount        *self);
void             belfry_account_set_register_expires  (BelfryAccount        *self,
                                                       guint                 seconds);
BelfryAccountStatus belfry_account_get_status       (BelfryAccount        *self);
const char      *belfry_account_get_status_message    (BelfryAccount        *self);

BelfryNameAddr  *belfry_account_dup_identity          (BelfryAccount        *self,
                                                       GError              **error);
char            *belfry_account_dup_registrar_uri     (BelfryAccount        *self);
char            *belfry_account_dup_auth_username     (BelfryAccount        *self);
char            *belfry_account_dup_outbound_proxy_uri (BelfryAccount       *self);

void             belfry_account_store_password_async  (BelfryAccount        *self,
                                                       const char           *password,
                                                       GCancellable         *cancellable,
                                                       GAsyncReadyCallback   callback,
                                                       gpointer              user_data);
gboolean         belfry_account_store_password_finish (BelfryAccount        *self,
                                                       GAsyncResult         *result,
                                                       GError              **error);
void             belfry_account_lookup_password_async (BelfryAccount        *self,
                                                       GCancellable         *cancellable,
                                                       GAsyncReadyCallback   callback,
                                                       gpointer              user_data);
char            *belfry_account_lookup_password_finish (BelfryAccount       *self,
                                                        GAsyncResult        *result,
                                                        GError             **error);
char            *belfry_account_lookup_password_sync  (BelfryAccount        *self,
                                                       GCancellable         *cancellable,
                                                       GError              **error);
void             belfry_account_clear_password_async  (BelfryAccount        *self,
                                                       GCancellable         *cancellable,
                                                       GAsyncReadyCallback   callback,
                                                       gpointer              user_data);
gboolean         belfry_account_clear_password_finish (BelfryAccount        *self,
                                                       GAsyncResult         *result,
                                                       GError              **error);

BelfryNameAddr  *belfry_account_resolve_target        (BelfryAccount        *self,
                                                       const char           *text,
                                                       GError              **error);

G_END_DECLS
