/* SPDX-License-Identifier: GPL-3.0-or-later */

#pragma once

#include <belle-sip/belle-sip.h>

#include "belfry-incoming-request.h"
#include "belfry-session-private.h"
#include "belfry-session.h"

G_BEGIN_DECLS

/* What the files of BelfrySession share: the class itself
 * (belfry-session.c), its re-INVITEs (belfry-session-reinvite.c), its
 * transfers (belfry-session-refer.c), its DTMF by INFO
 * (belfry-session-dtmf.c) and its other in-dialog requests
 * (belfry-session-requests.c). Subclasses and the user agent use
 * belfry-session-private.h instead. */

typedef struct {
  BelfrySessionState state;
  char *id;
  BelfryUserAgent *user_agent;
  BelfryNameAddr *local_identity;
  BelfryNameAddr *remote_identity;
  BelfryNameAddr *asserted_identity;
  BelfrySessionDialog *dialog;
  BelfrySession *replacee;
  BelfrySessionDescriptionHandler *handler;
  BelfrySessionDescriptionHandlerFactory *handler_factory;

  /* The confirmed belle-sip dialog. */
  belle_sip_dialog_t *sip_dialog;
  /* Our re-INVITE under way, and the options it was made with. */
  GTask *reinvite_task;
  BelfrySessionInviteOptions reinvite_options;
  guint reinvite_retry_id;
  /* A re-INVITE of the peer's that we answered without an offer from it:
   * its ACK carries the answer. */
  gboolean awaiting_ack_answer;
  /* Our REFER under way, until the final NOTIFY. */
  GTask *refer_task;
  /* Ends a call whose 2xx we sent but whose ACK never came. */
  guint ack_timeout_id;
  gboolean secure;
  char *termination_reason;
} BelfrySessionPrivate;

BelfrySessionPrivate *belfry_session_get_priv (BelfrySession *self);

/* belfry-session.c */
void                 belfry_session_emit_dtmf                (BelfrySession                    *self,
                                                              char                              digit);
GError              *belfry_session_ended_error              (void);

/* belfry-session-requests.c */
belle_sip_request_t *belfry_session_create_in_dialog_request (BelfrySession                    *self,
                                                              belle_sip_dialog_t               *dialog,
                                                              const char                       *method);
void                 belfry_session_send_ignoring_answer     (BelfrySession                    *self,
                                                              belle_sip_request_t              *request);
void                 belfry_session_send_bye                 (BelfrySession                    *self,
                                                              const char                       *reason,
                                                              GTask                            *task);
void                 belfry_session_real_bye_async           (BelfrySession                    *self,
                                                              GCancellable                     *cancellable,
                                                              GAsyncReadyCallback               callback,
                                                              gpointer                          user_data);
void                 belfry_session_real_info_async          (BelfrySession                    *self,
                                                              const char                       *content_type,
                                                              const char                       *body,
                                                              GCancellable                     *cancellable,
                                                              GAsyncReadyCallback               callback,
                                                              gpointer                          user_data);
void                 belfry_session_real_message_async       (BelfrySession                    *self,
                                                              const char                       *content_type,
                                                              const char                       *body,
                                                              GCancellable                     *cancellable,
                                                              GAsyncReadyCallback               callback,
                                                              gpointer                          user_data);

/* belfry-session-reinvite.c */
void                 belfry_session_receive_reinvite         (BelfrySession                    *self,
                                                              belle_sip_server_transaction_t   *transaction,
                                                              belle_sip_request_t              *request);
void                 belfry_session_receive_ack              (BelfrySession                    *self,
                                                              belle_sip_request_t              *request);
void                 belfry_session_finish_reinvite          (BelfrySession                    *self,
                                                              GError                           *error);
void                 belfry_session_real_invite_async        (BelfrySession                    *self,
                                                              const BelfrySessionInviteOptions *options,
                                                              GCancellable                     *cancellable,
                                                              GAsyncReadyCallback               callback,
                                                              gpointer                          user_data);

/* belfry-session-refer.c */
void                 belfry_session_follow_refer             (BelfrySession                    *self,
                                                              BelfryIncomingRequest            *incoming);
gboolean             belfry_session_take_refer_notify        (BelfrySession                    *self,
                                                              BelfryIncomingRequest            *incoming);
void                 belfry_session_finish_refer             (BelfrySession                    *self,
                                                              GError                           *error);
void                 belfry_session_real_refer_async         (BelfrySession                    *self,
                                                              BelfryNameAddr                   *target,
                                                              BelfrySession                    *replaced,
                                                              GCancellable                     *cancellable,
                                                              GAsyncReadyCallback               callback,
                                                              gpointer                          user_data);

/* belfry-session-dtmf.c */
void                 belfry_session_receive_dtmf_info        (BelfrySession                    *self,
                                                              BelfryIncomingRequest            *incoming);

G_END_DECLS
