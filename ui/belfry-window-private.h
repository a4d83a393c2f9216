/* SPDX-License-Identifier: GPL-3.0-or-later */

#pragma once

#include "belfry-window.h"

G_BEGIN_DECLS

void belfry_window_refresh_call_times (BelfryWindow *self,
                                       GDateTime    *now);

G_END_DECLS
