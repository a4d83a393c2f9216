/* SPDX-License-Identifier: GPL-3.0-or-later */

#pragma once

#include "belfry-call-record.h"

G_BEGIN_DECLS

/* The history gives a record its row ID once it is stored. */
void belfry_call_record_set_id (BelfryCallRecord *self,
                                gint64            id);

G_END_DECLS
