/* SPDX-License-Identifier: GPL-3.0-or-later */

#pragma once

#include "belfry-session.h"
#include "belfry-user-agent.h"

G_BEGIN_DECLS

#define BELFRY_TYPE_INVITER (belfry_inviter_get_type ())

G_DECLARE_FINAL_TYPE (BelfryInviter, belfry_inviter, BELFRY, INVITER, BelfrySession)

BelfryInviter *belfry_inviter_new          (BelfryUserAgent     *user_agent,
                                            BelfryNameAddr      *target);
void           belfry_inviter_cancel_async  (BelfryInviter       *self,
                                             GCancellable        *cancellable,
                                             GAsyncReadyCallback  callback,
                                             gpointer             user_data);
gboolean       belfry_inviter_cancel_finish (BelfryInviter  *self,
                                             GAsyncResult   *result,
                                             GError        **error);
void           belfry_inviter_add_header    (BelfryInviter *self,
                                             const char    *name,
                                             const char    *value);

G_END_DECLS
