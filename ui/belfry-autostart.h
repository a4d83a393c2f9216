/* SPDX-License-Identifier: GPL-3.0-or-later */

#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

gboolean belfry_autostart_get_enabled        (GSettings            *settings);
void     belfry_autostart_set_enabled_async  (GSettings            *settings,
                                              gboolean              enabled,
                                              GtkWindow            *parent,
                                              GCancellable         *cancellable,
                                              GAsyncReadyCallback   callback,
                                              gpointer              user_data);
gboolean belfry_autostart_set_enabled_finish (GAsyncResult         *result,
                                              GError              **error);

G_END_DECLS
