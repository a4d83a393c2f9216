/* SPDX-License-Identifier: GPL-3.0-or-later */

#pragma once

#include "belfry-autostart.h"

G_BEGIN_DECLS

/* For the tests: the same, with the sandbox's way (the Background portal)
 * or the host's (an autostart desktop file) chosen by @sandboxed. */
void belfry_autostart_set_enabled_full_async (GSettings           *settings,
                                              gboolean             enabled,
                                              gboolean             sandboxed,
                                              GtkWindow           *parent,
                                              GCancellable        *cancellable,
                                              GAsyncReadyCallback  callback,
                                              gpointer             user_data);

G_END_DECLS
