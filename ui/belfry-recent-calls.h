/* SPDX-License-Identifier: GPL-3.0-or-later */

#pragma once

#include <gtk/gtk.h>

#include "belfry-call-history.h"

G_BEGIN_DECLS

#define BELFRY_TYPE_RECENT_CALLS (belfry_recent_calls_get_type ())

G_DECLARE_FINAL_TYPE (BelfryRecentCalls, belfry_recent_calls, BELFRY, RECENT_CALLS, GtkWidget)

GtkWidget         *belfry_recent_calls_new           (void);
BelfryCallHistory *belfry_recent_calls_get_history   (BelfryRecentCalls *self);
void               belfry_recent_calls_set_history   (BelfryRecentCalls *self,
                                                      BelfryCallHistory *history);
void               belfry_recent_calls_refresh_times (BelfryRecentCalls *self,
                                                      GDateTime         *now);

G_END_DECLS
