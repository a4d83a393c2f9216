/* SPDX-License-Identifier: GPL-3.0-or-later */

#define G_LOG_DOMAIN "belfry-sdh"

#include "config.h"

#include "belfry-session-description-handler.h"

/**
 * BelfrySessionDescriptionHandler:
 *
 * Makes and takes session descriptions (SDP) for a session and runs the
 * media they describe. The product's handler is the mediastreamer2 one in
 * `app/media/`; the signaling core knows only this interface.
 */

G_DEFINE_INTERFACE (BelfrySessionDescriptionHandler, belfry_session_description_handler,
                    G_TYPE_OBJECT)

static gboolean
default_has_description (BelfrySessionDescriptionHandler *self,
                         const char                      *content_type)
{
  return g_strcmp0 (content_type, "application/sdp") == 0;
}

static void
default_rollback_description (BelfrySessionDescriptionHandler *self)
{
}

static gboolean
default_send_dtmf (BelfrySessionDescriptionHandler *self,
                   const char                      *tones)
{
  return FALSE;
}

static void
belfry_session_description_handler_default_init (BelfrySessionDescriptionHandlerInterface *iface)
{
  /**
   * BelfrySessionDescriptionHandler::dtmf-received:
   * @self: the handler
   * @digit: the digit, one of `0123456789*#ABCD`
   *
   * The peer sent a digit in the media (RFC 4733). Emitted on the main
   * context.
   */
  g_signal_new ("dtmf-received", G_TYPE_FROM_INTERFACE (iface), G_SIGNAL_RUN_LAST, 0,
                NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_CHAR);

  /**
   * BelfrySessionDescriptionHandler::failed:
   * @self: the handler
   * @error: why the media cannot go on, such as no audio from the peer
   *
   * The media failed for good; the session ends the call with a reason.
   * Emitted on the main context.
   */
  g_signal_new ("failed", G_TYPE_FROM_INTERFACE (iface), G_SIGNAL_RUN_LAST, 0,
                NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_ERROR);

  iface->has_description = default_has_description;
  iface->rollback_description = default_rollback_description;
  iface->send_dtmf = default_send_dtmf;
}

/**
 * belfry_session_description_handler_get_description_async:
 * @self: a handler
 * @options: (nullable): what the description should say, such as hold
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when the description is ready
 * @user_data: data for @callback
 *
 * Makes an offer, or the answer to the offer last given to
 * belfry_session_description_handler_set_description_async().
 */
void
belfry_session_description_handler_get_description_async (BelfrySessionDescriptionHandler              *self,
                                                           const BelfrySessionDescriptionHandlerOptions *options,
                                                           GCancellable                                 *cancellable,
                                                           GAsyncReadyCallback                           callback,
                                                           gpointer                                      user_data)
{
  g_return_if_fail (BELFRY_IS_SESSION_DESCRIPTION_HANDLER (self));

  BELFRY_SESSION_DESCRIPTION_HANDLER_GET_IFACE (self)->get_description_async (self, options,
                                                                             cancellable,
                                                                             callback, user_data);
}

/**
 * belfry_session_description_handler_get_description_finish:
 * @self: a handler
 * @result: the result given to the callback
 * @content_type: (out) (optional) (transfer full): the body's content type
 * @error: return location for a #GError
 *
 * Returns: (transfer full) (nullable): the description's body
 */
char *
belfry_session_description_handler_get_description_finish (BelfrySessionDescriptionHandler  *self,
                                                           GAsyncResult                     *result,
                                                           char                            **content_type,
                                                           GError                          **error)
{
  g_return_val_if_fail (BELFRY_IS_SESSION_DESCRIPTION_HANDLER (self), NULL);

  return BELFRY_SESSION_DESCRIPTION_HANDLER_GET_IFACE (self)->get_description_finish (self, result,
                                                                                      content_type,
                                                                                      error);
}

/**
 * belfry_session_description_handler_set_description_async:
 * @self: a handler
 * @content_type: the body's content type
 * @body: the peer's offer or answer
 * @options: (nullable): options for the answer to come
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when the description was taken or refused
 * @user_data: data for @callback
 *
 * Takes the peer's description. An offer is answered by the next call of
 * belfry_session_description_handler_get_description_async().
 */
void
belfry_session_description_handler_set_description_async (BelfrySessionDescriptionHandler              *self,
                                                           const char                                   *content_type,
                                                           const char                                   *body,
                                                           const BelfrySessionDescriptionHandlerOptions *options,
                                                           GCancellable                                 *cancellable,
                                                           GAsyncReadyCallback                           callback,
                                                           gpointer                                      user_data)
{
  g_return_if_fail (BELFRY_IS_SESSION_DESCRIPTION_HANDLER (self));
  g_return_if_fail (content_type != NULL);
  g_return_if_fail (body != NULL);

  BELFRY_SESSION_DESCRIPTION_HANDLER_GET_IFACE (self)->set_description_async (self, content_type,
                                                                             body, options,
                                                                             cancellable,
                                                                             callback, user_data);
}

/**
 * belfry_session_description_handler_set_description_finish:
 * @self: a handler
 * @result: the result given to the callback
 * @error: return location for a #GError; %BELFRY_SIP_ERROR_NOT_ACCEPTABLE
 *   when the description cannot be used
 *
 * Returns: %TRUE when the description was taken
 */
gboolean
belfry_session_description_handler_set_description_finish (BelfrySessionDescriptionHandler  *self,
                                                           GAsyncResult                     *result,
                                                           GError                          **error)
{
  g_return_val_if_fail (BELFRY_IS_SESSION_DESCRIPTION_HANDLER (self), FALSE);

  return BELFRY_SESSION_DESCRIPTION_HANDLER_GET_IFACE (self)->set_description_finish (self, result,
                                                                                      error);
}

/**
 * belfry_session_description_handler_has_description:
 * @self: a handler
 * @content_type: a content type
 *
 * Returns: %TRUE when a body of @content_type can be handled
 */
gboolean
belfry_session_description_handler_has_description (BelfrySessionDescriptionHandler *self,
                                                    const char                      *content_type)
{
  g_return_val_if_fail (BELFRY_IS_SESSION_DESCRIPTION_HANDLER (self), FALSE);

  return BELFRY_SESSION_DESCRIPTION_HANDLER_GET_IFACE (self)->has_description (self,
                                                                               content_type);
}

/**
 * belfry_session_description_handler_rollback_description:
 * @self: a handler
 *
 * Goes back to the last agreed description after an offer that was never
 * answered (a re-INVITE that failed).
 */
void
belfry_session_description_handler_rollback_description (BelfrySessionDescriptionHandler *self)
{
  g_return_if_fail (BELFRY_IS_SESSION_DESCRIPTION_HANDLER (self));

  BELFRY_SESSION_DESCRIPTION_HANDLER_GET_IFACE (self)->rollback_description (self);
}

/**
 * belfry_session_description_handler_send_dtmf:
 * @self: a handler
 * @tones: digits among `0123456789*#ABCD`
 *
 * Sends digits in the media (RFC 4733) when the peer accepted that.
 *
 * Returns: %TRUE when the digits went out in the media; %FALSE when the
 *   caller should send them another way (SIP INFO)
 */
gboolean
belfry_session_description_handler_send_dtmf (BelfrySessionDescriptionHandler *self,
                                              const char                      *tones)
{
  g_return_val_if_fail (BELFRY_IS_SESSION_DESCRIPTION_HANDLER (self), FALSE);
  g_return_val_if_fail (tones != NULL, FALSE);

  return BELFRY_SESSION_DESCRIPTION_HANDLER_GET_IFACE (self)->send_dtmf (self, tones);
}

/**
 * belfry_session_description_handler_close:
 * @self: a handler
 *
 * Stops the media for good.
 */
void
belfry_session_description_handler_close (BelfrySessionDescriptionHandler *self)
{
  g_return_if_fail (BELFRY_IS_SESSION_DESCRIPTION_HANDLER (self));

  BELFRY_SESSION_DESCRIPTION_HANDLER_GET_IFACE (self)->close (self);
}
