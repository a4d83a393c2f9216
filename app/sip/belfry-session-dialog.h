/* SPDX-License-Identifier: GPL-3.0-or-later */

#pragma once

#include <glib-object.h>

#include "belfry-name-addr.h"

G_BEGIN_DECLS

#define BELFRY_TYPE_SESSION_DIALOG (belfry_session_dialog_get_type ())

G_DECLARE_FINAL_TYPE (BelfrySessionDialog, belfry_session_dialog, BELFRY, SESSION_DIALOG, GObject)

const char      *belfry_session_dialog_get_call_id       (BelfrySessionDialog *self);
const char      *belfry_session_dialog_get_local_tag     (BelfrySessionDialog *self);
const char      *belfry_session_dialog_get_remote_tag    (BelfrySessionDialog *self);
guint            belfry_session_dialog_get_local_cseq    (BelfrySessionDialog *self);
guint            belfry_session_dialog_get_remote_cseq   (BelfrySessionDialog *self);
BelfryNameAddr  *belfry_session_dialog_dup_remote_target (BelfrySessionDialog *self);
GStrv            belfry_session_dialog_dup_route_set     (BelfrySessionDialog *self);

G_END_DECLS
