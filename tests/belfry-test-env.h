/* SPDX-License-Identifier: GPL-3.0-or-later */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

void belfry_test_init (int    *argc,
                       char ***argv);

G_END_DECLS
