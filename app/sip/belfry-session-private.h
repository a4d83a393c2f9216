/* SPDX-License-Identifier: GPL-3.0-or-later */

#pragma once

#include "belfry-session.h"

G_BEGIN_DECLS

/* What the subclasses and the user agent change; the public sees these as
 * read-only properties. */
gboolean belfry_session_set_state                      (BelfrySession                   *self,
                                                        BelfrySessionState               state);
void     belfry_session_set_id                         (BelfrySession                   *self,
                                                        const char                      *id);
void     belfry_session_set_secure                     (BelfrySession                   *self,
                                                        gboolean                         secure);
void     belfry_session_set_termination_reason         (BelfrySession                   *self,
                                                        const char                      *reason);
void     belfry_session_set_remote_identity            (BelfrySession                   *self,
                                                        BelfryNameAddr                  *identity);
void     belfry_session_set_asserted_identity          (BelfrySession                   *self,
                                                        BelfryNameAddr                  *identity);
void     belfry_session_set_dialog                     (BelfrySession                   *self,
                                                        BelfrySessionDialog             *dialog);
void     belfry_session_set_replacee                   (BelfrySession                   *self,
                                                        BelfrySession                   *replacee);
void     belfry_session_set_session_description_handler (BelfrySession                  *self,
                                                        BelfrySessionDescriptionHandler *handler);
gboolean belfry_session_emit_request                   (BelfrySession                   *self,
                                                        guint                            signal_id,
                                                        BelfryIncomingRequest           *request);
guint    belfry_session_lookup_request_signal          (const char                      *method);

void     belfry_session_log                            (BelfrySession                   *self,
                                                        const char                      *log_domain,
                                                        GLogLevelFlags                   level,
                                                        const char                      *format,
                                                        ...) G_GNUC_PRINTF (4, 5);

#define BELFRY_SESSION_DEBUG(session, ...) \
  belfry_session_log (BELFRY_SESSION (session), G_LOG_DOMAIN, G_LOG_LEVEL_DEBUG, __VA_ARGS__)
#define BELFRY_SESSION_INFO(session, ...) \
  belfry_session_log (BELFRY_SESSION (session), G_LOG_DOMAIN, G_LOG_LEVEL_INFO, __VA_ARGS__)
#define BELFRY_SESSION_MESSAGE(session, ...) \
  belfry_session_log (BELFRY_SESSION (session), G_LOG_DOMAIN, G_LOG_LEVEL_MESSAGE, __VA_ARGS__)

G_END_DECLS

#include <belle-sip/belle-sip.h>

G_BEGIN_DECLS

/* The in-dialog machinery that inviter and invitation share. */
void                             belfry_session_confirm_dialog      (BelfrySession      *self,
                                                                     belle_sip_dialog_t *dialog);
belle_sip_dialog_t              *belfry_session_get_sip_dialog      (BelfrySession      *self);
BelfrySessionDescriptionHandler *belfry_session_ensure_handler      (BelfrySession      *self,
                                                                     GError            **error);
void                             belfry_session_update_asserted_identity (BelfrySession       *self,
                                                                          belle_sip_message_t *message);
void                             belfry_session_receive_request     (BelfrySession                  *self,
                                                                     belle_sip_server_transaction_t *transaction,
                                                                     belle_sip_request_t            *request,
                                                                     belle_sip_dialog_t             *dialog);
void                             belfry_session_dialog_ended        (BelfrySession      *self,
                                                                     belle_sip_dialog_t *dialog);
void                             belfry_session_send_bye_on         (BelfrySession      *self,
                                                                     belle_sip_dialog_t *dialog,
                                                                     const char         *reason);
void                             belfry_session_add_body            (belle_sip_message_t *message,
                                                                     const char          *content_type,
                                                                     const char          *body);
char                            *belfry_session_dup_body            (belle_sip_message_t  *message,
                                                                     char                **content_type);
void                             belfry_session_expect_ack          (BelfrySession       *self,
                                                                     gboolean             answer_in_ack);
GError                          *belfry_session_error_from_response (belle_sip_response_t *response);

G_END_DECLS
