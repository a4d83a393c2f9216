#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

guint belfry_test_count_children (GtkWidget *widget);
void  belfry_test_collect_labels (GtkWidget *widget,
                                  GString   *texts);

G_END_DECLS
