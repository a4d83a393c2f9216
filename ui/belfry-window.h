/* SPDX-License-Identifier: GPL-3.0-or-later */

#pragma once

#include <adwaita.h>

#include "belfry-call-manager.h"

G_BEGIN_DECLS

#define BELFRY_TYPE_WINDOW (belfry_window_get_type ())

G_DECLARE_FINAL_TYPE (BelfryWindow, belfry_window, BELFRY, WINDOW, AdwApplicationWindow)

BelfryWindow *belfry_window_new         (GtkApplication    *application,
                                         BelfryCallManager *call_manager);
void          belfry_window_set_address (BelfryWindow      *self,
                                         const char        *address);

G_END_DECLS
