/* SPDX-License-Identifier: GPL-3.0-or-later */

#pragma once

#include <adwaita.h>

#include "belfry-account-manager.h"

G_BEGIN_DECLS

#define BELFRY_TYPE_ACCOUNT_EDITOR (belfry_account_editor_get_type ())

G_DECLARE_FINAL_TYPE (BelfryAccountEditor, belfry_account_editor, BELFRY, ACCOUNT_EDITOR, GtkWidget)

GtkWidget     *belfry_account_editor_new         (BelfryAccountManager *manager,
                                                  BelfryAccount        *account);
BelfryAccount *belfry_account_editor_get_account (BelfryAccountEditor  *self);
gboolean       belfry_account_editor_get_busy    (BelfryAccountEditor  *self);

G_END_DECLS
