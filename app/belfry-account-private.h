/* SPDX-License-Identifier: GPL-3.0-or-later */

#pragma once

#include "belfry-account.h"

G_BEGIN_DECLS

void belfry_account_set_status (BelfryAccount       *self,
                                BelfryAccountStatus  status,
                                const char          *message);

G_END_DECLS
