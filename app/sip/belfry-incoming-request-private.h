/* SPDX-License-Identifier: GPL-3.0-or-later */

#pragma once

#include <belle-sip/belle-sip.h>

#include "belfry-incoming-request.h"

G_BEGIN_DECLS

BelfryIncomingRequest        *belfry_incoming_request_new             (belle_sip_server_transaction_t *transaction);
belle_sip_request_t          *belfry_incoming_request_get_request     (BelfryIncomingRequest          *self);
void                          belfry_incoming_request_respond         (BelfryIncomingRequest          *self,
                                                                       belle_sip_response_t           *response);

G_END_DECLS
