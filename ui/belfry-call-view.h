/* SPDX-License-Identifier: GPL-3.0-or-later */

#pragma once

#include <adwaita.h>

#include "belfry-session.h"

G_BEGIN_DECLS

#define BELFRY_TYPE_CALL_VIEW (belfry_call_view_get_type ())

G_DECLARE_FINAL_TYPE (BelfryCallView, belfry_call_view, BELFRY, CALL_VIEW, GtkWidget)

GtkWidget     *belfry_call_view_new         (BelfrySession  *session);
BelfrySession *belfry_call_view_get_session (BelfryCallView *self);
gboolean       belfry_call_view_get_on_hold (BelfryCallView *self);
void           belfry_call_view_set_other_session (BelfryCallView *self,
                                                   BelfrySession  *other);

G_END_DECLS
