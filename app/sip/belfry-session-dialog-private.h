/* SPDX-License-Identifier: GPL-3.0-or-later */

#pragma once

#include <belle-sip/belle-sip.h>

#include "belfry-session-dialog.h"

G_BEGIN_DECLS

BelfrySessionDialog *belfry_session_dialog_new        (belle_sip_dialog_t  *dialog);

G_END_DECLS
