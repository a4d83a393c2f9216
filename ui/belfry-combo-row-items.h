/* SPDX-License-Identifier: GPL-3.0-or-later */

#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

void belfry_combo_row_name_items (AdwComboRow *row);

G_END_DECLS
