/* SPDX-License-Identifier: GPL-3.0-or-later */

#pragma once

#include <glib-object.h>

#include "belfry-name-addr.h"

G_BEGIN_DECLS

#define BELFRY_TYPE_INCOMING_REQUEST (belfry_incoming_request_get_type ())

G_DECLARE_FINAL_TYPE (BelfryIncomingRequest, belfry_incoming_request, BELFRY, INCOMING_REQUEST, GObject)

const char     *belfry_incoming_request_get_method       (BelfryIncomingRequest *self);
const char     *belfry_incoming_request_get_header       (BelfryIncomingRequest *self,
                                                          const char            *name);
const char     *belfry_incoming_request_get_content_type (BelfryIncomingRequest *self);
const char     *belfry_incoming_request_get_body         (BelfryIncomingRequest *self);
BelfryNameAddr *belfry_incoming_request_dup_from         (BelfryIncomingRequest *self);
gboolean        belfry_incoming_request_get_answered     (BelfryIncomingRequest *self);
void            belfry_incoming_request_accept           (BelfryIncomingRequest *self);
void            belfry_incoming_request_reject           (BelfryIncomingRequest *self,
                                                          guint                  status,
                                                          const char            *reason);

G_END_DECLS
