/* SPDX-License-Identifier: GPL-3.0-or-later */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* The tests' own notification server (tests/notification-server) on the
 * private session bus: it writes every Notify and CloseNotification to a
 * log the test reads, and emits ActionInvoked when asked. */

typedef struct {
  GSubprocess *server;
  char *log;
} BelfryNotifications;

void       belfry_notifications_start         (BelfryNotifications *self);
void       belfry_notifications_stop          (BelfryNotifications *self);
GPtrArray *belfry_notifications_lines         (BelfryNotifications *self,
                                               const char          *prefix);
GPtrArray *belfry_notifications_wait_lines    (BelfryNotifications *self,
                                               const char          *prefix,
                                               guint                count);
GVariant  *belfry_notifications_parse_notify  (const char          *line,
                                               guint               *id);
void       belfry_notifications_invoke_action (guint                id,
                                               const char          *action);

G_END_DECLS
