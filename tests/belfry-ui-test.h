/* SPDX-License-Identifier: GPL-3.0-or-later */

#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

guint belfry_test_count_children (GtkWidget *widget);
void  belfry_test_collect_labels (GtkWidget *widget,
                                  GString   *texts);
gboolean belfry_test_window_active (gpointer data);
void  belfry_test_press_keys     (const char *keys);
void  belfry_test_focus_window   (GtkWindow  *window,
                                  const char *title);
GtkWidget *belfry_test_dialer            (GtkWindow  *window);
GtkWidget *belfry_test_dialer_child      (GtkWindow  *window,
                                          const char *name);
GtkWidget *belfry_test_recent_calls      (GtkWindow *window);
GtkWidget *belfry_test_recent_calls_list (GtkWindow *window);

G_END_DECLS
