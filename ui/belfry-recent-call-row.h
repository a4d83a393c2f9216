/* SPDX-License-Identifier: GPL-3.0-or-later */

#pragma once

#include <gtk/gtk.h>

#include "belfry-call-record.h"

G_BEGIN_DECLS

#define BELFRY_TYPE_RECENT_CALL_ROW (belfry_recent_call_row_get_type ())

G_DECLARE_FINAL_TYPE (BelfryRecentCallRow, belfry_recent_call_row, BELFRY, RECENT_CALL_ROW, GtkWidget)

GtkWidget *belfry_recent_call_row_new  (void);
void       belfry_recent_call_row_bind (BelfryRecentCallRow *self,
                                        BelfryCallRecord    *record,
                                        GDateTime           *today);

G_END_DECLS
