/* SPDX-License-Identifier: GPL-3.0-or-later */

#pragma once

#include <glib-object.h>

#include "belfry-session-description-handler.h"

G_BEGIN_DECLS

#define BELFRY_TYPE_SESSION_DESCRIPTION_HANDLER_FACTORY (belfry_session_description_handler_factory_get_type ())

G_DECLARE_INTERFACE (BelfrySessionDescriptionHandlerFactory, belfry_session_description_handler_factory,
                     BELFRY, SESSION_DESCRIPTION_HANDLER_FACTORY, GObject)

typedef struct _BelfrySession BelfrySession;

/**
 * BelfrySessionDescriptionHandlerFactoryInterface:
 * @create: makes the handler for one session
 *
 * Makes a #BelfrySessionDescriptionHandler for each session.
 */
struct _BelfrySessionDescriptionHandlerFactoryInterface {
  GTypeInterface parent_iface;

  BelfrySessionDescriptionHandler *(*create) (BelfrySessionDescriptionHandlerFactory  *self,
                                              BelfrySession                           *session,
                                              GError                                 **error);
};

BelfrySessionDescriptionHandler *belfry_session_description_handler_factory_create (BelfrySessionDescriptionHandlerFactory  *self,
                                                                                     BelfrySession                           *session,
                                                                                     GError                                 **error);

G_END_DECLS
