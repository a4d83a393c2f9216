/* SPDX-License-Identifier: GPL-3.0-or-later */

#pragma once

#include <gio/gio.h>

#include "belfry-call-record.h"

G_BEGIN_DECLS

#define BELFRY_CALL_HISTORY_SCHEMA_VERSION 2

#define BELFRY_TYPE_CALL_HISTORY (belfry_call_history_get_type ())

G_DECLARE_FINAL_TYPE (BelfryCallHistory, belfry_call_history, BELFRY, CALL_HISTORY, GObject)

BelfryCallHistory *belfry_call_history_new        (const char        *path);
BelfryCallHistory *belfry_call_history_new_in_background (const char   *path);
gboolean           belfry_call_history_get_loading (BelfryCallHistory *self);
const char        *belfry_call_history_get_path   (BelfryCallHistory *self);
const char        *belfry_call_history_get_error  (BelfryCallHistory *self);
gboolean           belfry_call_history_get_persistent (BelfryCallHistory *self);
void               belfry_call_history_add        (BelfryCallHistory *self,
                                                   BelfryCallRecord  *record);
void               belfry_call_history_remove     (BelfryCallHistory *self,
                                                   BelfryCallRecord  *record);
void               belfry_call_history_clear      (BelfryCallHistory *self);

G_END_DECLS
