/* SPDX-License-Identifier: GPL-3.0-or-later */

#pragma once

#include <adwaita.h>

#include "belfry-call-manager.h"

G_BEGIN_DECLS

#define BELFRY_TYPE_APPLICATION (belfry_application_get_type ())

G_DECLARE_FINAL_TYPE (BelfryApplication, belfry_application, BELFRY, APPLICATION, AdwApplication)

BelfryApplication *belfry_application_new              (void);
BelfryCallManager *belfry_application_get_call_manager (BelfryApplication *self);

G_END_DECLS
