/* SPDX-License-Identifier: GPL-3.0-or-later */

#pragma once

#include <belle-sip/belle-sip.h>

#include "belfry-invitation.h"
#include "belfry-user-agent.h"

G_BEGIN_DECLS

BelfryInvitation *belfry_invitation_new_incoming (BelfryUserAgent                *user_agent,
                                                  belle_sip_server_transaction_t *transaction,
                                                  belle_sip_request_t            *request,
                                                  GError                        **error);
void              belfry_invitation_cancelled    (BelfryInvitation               *self,
                                                  belle_sip_request_t            *cancel);

G_END_DECLS
