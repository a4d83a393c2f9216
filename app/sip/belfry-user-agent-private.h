/* SPDX-License-Identifier: GPL-3.0-or-later */

#pragma once

#include <belle-sip/belle-sip.h>

#include "belfry-user-agent.h"

G_BEGIN_DECLS

/* How the owner of a client transaction hears of it. @dialog is the
 * transaction's dialog, if any. A 401 or 407 is answered by the user agent
 * with credentials when it has them; the owner then hears of the new
 * transaction through @retried and of its response instead. */
typedef struct {
  void (*response) (GObject                        *owner,
                    belle_sip_client_transaction_t *transaction,
                    belle_sip_response_t           *response,
                    belle_sip_dialog_t             *dialog);
  void (*failure)  (GObject                        *owner,
                    belle_sip_client_transaction_t *transaction,
                    const GError                   *error);
  void (*retried)  (GObject                        *owner,
                    belle_sip_client_transaction_t *old_transaction,
                    belle_sip_client_transaction_t *new_transaction);
} BelfryClientCallbacks;

/* How in-dialog requests and dialog ends reach a session. */
typedef struct {
  void (*request)    (GObject                        *owner,
                      belle_sip_server_transaction_t *transaction,
                      belle_sip_request_t            *request,
                      belle_sip_dialog_t             *dialog);
  void (*terminated) (GObject                        *owner,
                      belle_sip_dialog_t             *dialog,
                      gboolean                        expired);
} BelfryDialogCallbacks;

belle_sip_provider_t           *belfry_user_agent_get_provider        (BelfryUserAgent             *self);
guint                           belfry_user_agent_get_timer_t1        (BelfryUserAgent             *self);
belle_sip_client_transaction_t *belfry_user_agent_send_request        (BelfryUserAgent             *self,
                                                                       belle_sip_request_t         *request,
                                                                       const BelfryClientCallbacks *callbacks,
                                                                       GObject                     *owner);
void                            belfry_user_agent_send_in_dialog      (BelfryUserAgent                *self,
                                                                       belle_sip_client_transaction_t *transaction,
                                                                       const BelfryClientCallbacks    *callbacks,
                                                                       GObject                        *owner);
void                            belfry_user_agent_bind_dialog         (BelfryUserAgent             *self,
                                                                       belle_sip_dialog_t          *dialog,
                                                                       const BelfryDialogCallbacks *callbacks,
                                                                       GObject                     *owner);
void                            belfry_user_agent_unbind_dialog       (BelfryUserAgent             *self,
                                                                       belle_sip_dialog_t          *dialog);
void                            belfry_user_agent_bind_server_transaction (BelfryUserAgent                *self,
                                                                           belle_sip_server_transaction_t *transaction,
                                                                           GObject                        *owner);
belle_sip_request_t            *belfry_user_agent_create_request      (BelfryUserAgent      *self,
                                                                       const char           *method,
                                                                       BelfryNameAddr       *from,
                                                                       BelfryNameAddr       *to,
                                                                       GError              **error);
gboolean                        belfry_user_agent_add_outbound_route  (BelfryUserAgent      *self,
                                                                       belle_sip_request_t  *request,
                                                                       GError              **error);
belle_sip_header_contact_t     *belfry_user_agent_create_contact      (BelfryUserAgent      *self,
                                                                       belle_sip_request_t  *request);
void                            belfry_user_agent_add_capabilities    (BelfryUserAgent      *self,
                                                                       belle_sip_message_t  *message);
char                           *belfry_user_agent_dup_password        (BelfryUserAgent      *self,
                                                                       const char           *realm,
                                                                       const char           *username);
void                            belfry_user_agent_hold_session        (BelfryUserAgent      *self,
                                                                       BelfrySession        *session);
void                            belfry_user_agent_release_session     (BelfryUserAgent      *self,
                                                                       BelfrySession        *session);

#define BELFRY_ALLOWED_METHODS "INVITE, ACK, CANCEL, BYE, OPTIONS, INFO, MESSAGE, REFER, NOTIFY"
#define BELFRY_SUPPORTED "replaces"

G_END_DECLS

G_BEGIN_DECLS

typedef struct _BelfrySession BelfrySession;

BelfrySession *belfry_user_agent_create_referred_call (BelfryUserAgent  *self,
                                                       BelfrySession    *referrer,
                                                       BelfryNameAddr   *target,
                                                       GError          **error);
BelfrySession *belfry_user_agent_find_session         (BelfryUserAgent  *self,
                                                       const char       *call_id,
                                                       const char       *local_tag,
                                                       const char       *remote_tag);

G_END_DECLS
