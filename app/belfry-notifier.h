/* SPDX-License-Identifier: GPL-3.0-or-later */

#pragma once

#include <glib-object.h>

#include "belfry-session.h"

G_BEGIN_DECLS

#define BELFRY_TYPE_NOTIFIER (belfry_notifier_get_type ())

G_DECLARE_FINAL_TYPE (BelfryNotifier, belfry_notifier, BELFRY, NOTIFIER, GObject)

BelfryNotifier *belfry_notifier_new               (void);
gboolean        belfry_notifier_get_window_active (BelfryNotifier *self);
void            belfry_notifier_set_window_active (BelfryNotifier *self,
                                                   gboolean        window_active);
void            belfry_notifier_incoming_call     (BelfryNotifier *self,
                                                   BelfrySession  *session);
void            belfry_notifier_withdraw          (BelfryNotifier *self,
                                                   BelfrySession  *session);
void            belfry_notifier_missed_call       (BelfryNotifier *self,
                                                   BelfrySession  *session);
char           *belfry_notifier_dup_caller_name   (BelfrySession  *session);

G_END_DECLS
