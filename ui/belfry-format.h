/* SPDX-License-Identifier: GPL-3.0-or-later */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

char *belfry_format_call_time (GDateTime *when,
                               GDateTime *now);

G_END_DECLS
