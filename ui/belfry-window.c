#define G_LOG_DOMAIN "belfry-window"

#include "config.h"

#include "belfry-window.h"

/**
 * BelfryWindow:
 *
 * Belfry's main window.
 */

struct _BelfryWindow {
  AdwApplicationWindow parent_instance;

  AdwStatusPage *status_page;
};

G_DEFINE_FINAL_TYPE (BelfryWindow, belfry_window, ADW_TYPE_APPLICATION_WINDOW)

static void
belfry_window_class_init (BelfryWindowClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PATH "/belfry-window.ui");
  gtk_widget_class_bind_template_child (widget_class, BelfryWindow, status_page);
}

static void
belfry_window_init (BelfryWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

/**
 * belfry_window_new:
 * @application: the application
 *
 * Returns: (transfer full): a new main window
 */
BelfryWindow *
belfry_window_new (GtkApplication *application)
{
  return g_object_new (BELFRY_TYPE_WINDOW, "application", application, NULL);
}
