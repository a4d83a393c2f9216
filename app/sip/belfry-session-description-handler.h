/* SPDX-License-Identifier: GPL-3.0-or-later */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define BELFRY_TYPE_SESSION_DESCRIPTION_HANDLER (belfry_session_description_handler_get_type ())

G_DECLARE_INTERFACE (BelfrySessionDescriptionHandler, belfry_session_description_handler,
                     BELFRY, SESSION_DESCRIPTION_HANDLER, GObject)

/**
 * BelfrySessionDescriptionHandlerOptions:
 * @hold: offer or answer so that the local side holds the call
 * @provisional: the answer came in an unreliable provisional response
 *   (early media): the offer stays open, and the answer of the final
 *   response, which may differ, replaces it (RFC 3261 section 13.2.1)
 *
 * What a caller asks of the next description.
 */
typedef struct {
  gboolean hold;
  gboolean provisional;
} BelfrySessionDescriptionHandlerOptions;

/**
 * BelfrySessionDescriptionHandlerInterface:
 * @get_description_async: makes an offer, or the answer to the last description set
 * @get_description_finish: returns the description's body and content type
 * @set_description_async: takes the peer's offer or answer
 * @set_description_finish: tells whether it could be used
 * @has_description: whether a body of this content type can be handled
 * @rollback_description: forgets an offer that the peer did not answer
 * @send_dtmf: sends digits over the media path, when it can
 * @close: stops all media; the handler is not used again
 *
 * The media side of a session, as SIP.js's `SessionDescriptionHandler`.
 */
struct _BelfrySessionDescriptionHandlerInterface {
  GTypeInterface parent_iface;

  void      (*get_description_async)  (BelfrySessionDescriptionHandler              *self,
                                       const BelfrySessionDescriptionHandlerOptions *options,
                                       GCancellable                                 *cancellable,
                                       GAsyncReadyCallback                           callback,
                                       gpointer                                      user_data);
  char     *(*get_description_finish) (BelfrySessionDescriptionHandler  *self,
                                       GAsyncResult                     *result,
                                       char                            **content_type,
                                       GError                          **error);
  void      (*set_description_async)  (BelfrySessionDescriptionHandler              *self,
                                       const char                                   *content_type,
                                       const char                                   *body,
                                       const BelfrySessionDescriptionHandlerOptions *options,
                                       GCancellable                                 *cancellable,
                                       GAsyncReadyCallback                           callback,
                                       gpointer                                      user_data);
  gboolean  (*set_description_finish) (BelfrySessionDescriptionHandler  *self,
                                       GAsyncResult                     *result,
                                       GError                          **error);
  gboolean  (*has_description)        (BelfrySessionDescriptionHandler *self,
                                       const char                      *content_type);
  void      (*rollback_description)   (BelfrySessionDescriptionHandler *self);
  gboolean  (*send_dtmf)              (BelfrySessionDescriptionHandler *self,
                                       const char                      *tones);
  void      (*close)                  (BelfrySessionDescriptionHandler *self);
};

void     belfry_session_description_handler_get_description_async  (BelfrySessionDescriptionHandler              *self,
                                                                     const BelfrySessionDescriptionHandlerOptions *options,
                                                                     GCancellable                                 *cancellable,
                                                                     GAsyncReadyCallback                           callback,
                                                                     gpointer                                      user_data);
char    *belfry_session_description_handler_get_description_finish (BelfrySessionDescriptionHandler  *self,
                                                                     GAsyncResult                     *result,
                                                                     char                            **content_type,
                                                                     GError                          **error);
void     belfry_session_description_handler_set_description_async  (BelfrySessionDescriptionHandler              *self,
                                                                     const char                                   *content_type,
                                                                     const char                                   *body,
                                                                     const BelfrySessionDescriptionHandlerOptions *options,
                                                                     GCancellable                                 *cancellable,
                                                                     GAsyncReadyCallback                           callback,
                                                                     gpointer                                      user_data);
gboolean belfry_session_description_handler_set_description_finish (BelfrySessionDescriptionHandler  *self,
                                                                     GAsyncResult                     *result,
                                                                     GError                          **error);
gboolean belfry_session_description_handler_has_description        (BelfrySessionDescriptionHandler *self,
                                                                     const char                      *content_type);
void     belfry_session_description_handler_rollback_description   (BelfrySessionDescriptionHandler *self);
gboolean belfry_session_description_handler_send_dtmf              (BelfrySessionDescriptionHandler *self,
                                                                     const char                      *tones);
void     belfry_session_description_handler_close                  (BelfrySessionDescriptionHandler *self);

G_END_DECLS
