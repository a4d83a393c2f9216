/* SPDX-License-Identifier: GPL-3.0-or-later */

#pragma once

#include <adwaita.h>

#include "belfry-account-manager.h"
#include "belfry-media-engine.h"

G_BEGIN_DECLS

#define BELFRY_TYPE_PREFERENCES_WINDOW (belfry_preferences_window_get_type ())

G_DECLARE_FINAL_TYPE (BelfryPreferencesWindow, belfry_preferences_window,
                      BELFRY, PREFERENCES_WINDOW, AdwPreferencesWindow)

GtkWidget *belfry_preferences_window_new (BelfryAccountManager *manager,
                                          GSettings            *settings,
                                          BelfryMediaEngine    *engine);

G_END_DECLS
