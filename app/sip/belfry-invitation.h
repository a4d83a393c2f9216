/* SPDX-License-Identifier: GPL-3.0-or-later */

#pragma once

#include "belfry-session.h"

G_BEGIN_DECLS

#define BELFRY_TYPE_INVITATION (belfry_invitation_get_type ())

G_DECLARE_FINAL_TYPE (BelfryInvitation, belfry_invitation, BELFRY, INVITATION, BelfrySession)

void     belfry_invitation_progress      (BelfryInvitation    *self,
                                          guint                status);
void     belfry_invitation_accept_async  (BelfryInvitation    *self,
                                          GCancellable        *cancellable,
                                          GAsyncReadyCallback  callback,
                                          gpointer             user_data);
gboolean belfry_invitation_accept_finish (BelfryInvitation  *self,
                                          GAsyncResult      *result,
                                          GError           **error);
void     belfry_invitation_reject        (BelfryInvitation    *self,
                                          guint                status,
                                          const char          *reason);

G_END_DECLS
