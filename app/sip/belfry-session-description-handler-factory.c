/* SPDX-License-Identifier: GPL-3.0-or-later */

#define G_LOG_DOMAIN "belfry-sdh"

#include "config.h"

#include "belfry-session-description-handler-factory.h"

/**
 * BelfrySessionDescriptionHandlerFactory:
 *
 * Makes the session description handler of each new session, as SIP.js's
 * `SessionDescriptionHandlerFactory`. What SIP.js passes as the factory's
 * options, a factory finds on the session's user agent:
 * #BelfryUserAgent:session-description-handler-factory-options.
 */

G_DEFINE_INTERFACE (BelfrySessionDescriptionHandlerFactory,
                    belfry_session_description_handler_factory, G_TYPE_OBJECT)

static void
belfry_session_description_handler_factory_default_init (BelfrySessionDescriptionHandlerFactoryInterface *iface)
{
}

/**
 * belfry_session_description_handler_factory_create:
 * @self: a factory
 * @session: the session the handler is for
 * @error: return location for a #GError
 *
 * Returns: (transfer full) (nullable): a new handler
 */
BelfrySessionDescriptionHandler *
belfry_session_description_handler_factory_create (BelfrySessionDescriptionHandlerFactory  *self,
                                                   BelfrySession                           *session,
                                                   GError                                 **error)
{
  g_return_val_if_fail (BELFRY_IS_SESSION_DESCRIPTION_HANDLER_FACTORY (self), NULL);

  return BELFRY_SESSION_DESCRIPTION_HANDLER_FACTORY_GET_IFACE (self)->create (self, session, error);
}
