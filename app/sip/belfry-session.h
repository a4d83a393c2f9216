/* SPDX-License-Identifier: GPL-3.0-or-later */

#pragma once

#include <gio/gio.h>

#include "belfry-incoming-request.h"
#include "belfry-name-addr.h"
#include "belfry-session-description-handler.h"
#include "belfry-session-description-handler-factory.h"
#include "belfry-session-dialog.h"
#include "belfry-session-state.h"

G_BEGIN_DECLS

#define BELFRY_TYPE_SESSION (belfry_session_get_type ())

G_DECLARE_DERIVABLE_TYPE (BelfrySession, belfry_session, BELFRY, SESSION, GObject)

typedef struct _BelfryUserAgent BelfryUserAgent;

#define BELFRY_TYPE_SESSION_INVITE_OPTIONS (belfry_session_invite_options_get_type ())

/**
 * BelfrySessionInviteOptions:
 * @hold: offer to hold the call (`a=sendonly`), or to resume it when %FALSE
 * @without_sdp: send the re-INVITE without an offer, so the peer offers
 *
 * Options of belfry_session_invite_async(), as SIP.js's `SessionInviteOptions`.
 */
typedef struct {
  gboolean hold;
  gboolean without_sdp;
} BelfrySessionInviteOptions;

GType                       belfry_session_invite_options_get_type (void) G_GNUC_CONST;
BelfrySessionInviteOptions *belfry_session_invite_options_copy     (const BelfrySessionInviteOptions *options);
void                        belfry_session_invite_options_free     (BelfrySessionInviteOptions       *options);

/**
 * BelfrySessionClass:
 * @invite_async: sends a re-INVITE
 * @invite_finish: completes @invite_async
 * @dispose_async: ends the session as its state needs: CANCEL, reject or BYE
 * @dispose_finish: completes @dispose_async
 * @bye_async: sends BYE in an established session
 * @bye_finish: completes @bye_async
 * @info_async: sends INFO
 * @info_finish: completes @info_async
 * @refer_async: sends REFER to a URI (blind transfer) or to another session (attended)
 * @refer_finish: completes @refer_async
 * @message_async: sends MESSAGE in the dialog
 * @message_finish: completes @message_async
 * @state_changed: class handler of #BelfrySession::state-changed
 *
 * The virtual methods that #BelfryInviter and #BelfryInvitation fill.
 */
struct _BelfrySessionClass {
  GObjectClass parent_class;

  void     (*invite_async)   (BelfrySession                    *self,
                              const BelfrySessionInviteOptions *options,
                              GCancellable                     *cancellable,
                              GAsyncReadyCallback               callback,
                              gpointer                          user_data);
  gboolean (*invite_finish)  (BelfrySession  *self,
                              GAsyncResult   *result,
                              GError        **error);
  void     (*dispose_async)  (BelfrySession       *self,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data);
  gboolean (*dispose_finish) (BelfrySession  *self,
                              GAsyncResult   *result,
                              GError        **error);
  void     (*bye_async)      (BelfrySession       *self,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data);
  gboolean (*bye_finish)     (BelfrySession  *self,
                              GAsyncResult   *result,
                              GError        **error);
  void     (*info_async)     (BelfrySession       *self,
                              const char          *content_type,
                              const char          *body,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data);
  gboolean (*info_finish)    (BelfrySession  *self,
                              GAsyncResult   *result,
                              GError        **error);
  void     (*refer_async)    (BelfrySession       *self,
                              BelfryNameAddr      *target,
                              BelfrySession       *replaced,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data);
  gboolean (*refer_finish)   (BelfrySession  *self,
                              GAsyncResult   *result,
                              GError        **error);
  void     (*message_async)  (BelfrySession       *self,
                              const char          *content_type,
                              const char          *body,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data);
  gboolean (*message_finish) (BelfrySession  *self,
                              GAsyncResult   *result,
                              GError        **error);

  void     (*state_changed)  (BelfrySession      *self,
                              BelfrySessionState  state);

  /*< private >*/
  gpointer padding[8];
};

BelfrySessionState                      belfry_session_get_state                               (BelfrySession *self);
const char                             *belfry_session_get_id                                  (BelfrySession *self);
BelfryUserAgent                        *belfry_session_get_user_agent                          (BelfrySession *self);
BelfryNameAddr                         *belfry_session_get_local_identity                      (BelfrySession *self);
BelfryNameAddr                         *belfry_session_get_remote_identity                     (BelfrySession *self);
BelfryNameAddr                         *belfry_session_get_asserted_identity                   (BelfrySession *self);
BelfrySessionDialog                    *belfry_session_get_dialog                              (BelfrySession *self);
BelfrySession                          *belfry_session_get_replacee                            (BelfrySession *self);
BelfrySessionDescriptionHandler        *belfry_session_get_session_description_handler         (BelfrySession *self);
BelfrySessionDescriptionHandlerFactory *belfry_session_get_session_description_handler_factory (BelfrySession *self);

void     belfry_session_invite_async   (BelfrySession                    *self,
                                        const BelfrySessionInviteOptions *options,
                                        GCancellable                     *cancellable,
                                        GAsyncReadyCallback               callback,
                                        gpointer                          user_data);
gboolean belfry_session_invite_finish  (BelfrySession  *self,
                                        GAsyncResult   *result,
                                        GError        **error);
void     belfry_session_dispose_async  (BelfrySession       *self,
                                        GCancellable        *cancellable,
                                        GAsyncReadyCallback  callback,
                                        gpointer             user_data);
gboolean belfry_session_dispose_finish (BelfrySession  *self,
                                        GAsyncResult   *result,
                                        GError        **error);
void     belfry_session_bye_async      (BelfrySession       *self,
                                        GCancellable        *cancellable,
                                        GAsyncReadyCallback  callback,
                                        gpointer             user_data);
gboolean belfry_session_bye_finish     (BelfrySession  *self,
                                        GAsyncResult   *result,
                                        GError        **error);
void     belfry_session_info_async     (BelfrySession       *self,
                                        const char          *content_type,
                                        const char          *body,
                                        GCancellable        *cancellable,
                                        GAsyncReadyCallback  callback,
                                        gpointer             user_data);
gboolean belfry_session_info_finish    (BelfrySession  *self,
                                        GAsyncResult   *result,
                                        GError        **error);
void     belfry_session_refer_async    (BelfrySession       *self,
                                        BelfryNameAddr      *target,
                                        BelfrySession       *replaced,
                                        GCancellable        *cancellable,
                                        GAsyncReadyCallback  callback,
                                        gpointer             user_data);
gboolean belfry_session_refer_finish   (BelfrySession  *self,
                                        GAsyncResult   *result,
                                        GError        **error);
void     belfry_session_message_async  (BelfrySession       *self,
                                        const char          *content_type,
                                        const char          *body,
                                        GCancellable        *cancellable,
                                        GAsyncReadyCallback  callback,
                                        gpointer             user_data);
gboolean belfry_session_message_finish (BelfrySession  *self,
                                        GAsyncResult   *result,
                                        GError        **error);
void     belfry_session_send_dtmf_async  (BelfrySession       *self,
                                          const char          *tones,
                                          GCancellable        *cancellable,
                                          GAsyncReadyCallback  callback,
                                          gpointer             user_data);
gboolean belfry_session_send_dtmf_finish (BelfrySession  *self,
                                          GAsyncResult   *result,
                                          GError        **error);

G_END_DECLS
