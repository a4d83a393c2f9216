#define G_LOG_DOMAIN "belfry-application"

#include "config.h"

#include "belfry-application.h"
#include "belfry-window.h"

/**
 * BelfryApplication:
 *
 * The Belfry application: one instance per session, one main window.
 */

struct _BelfryApplication {
  AdwApplication parent_instance;
};

G_DEFINE_FINAL_TYPE (BelfryApplication, belfry_application, ADW_TYPE_APPLICATION)

static void
belfry_application_activate (GApplication *application)
{
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (application));

  if (window == NULL)
    window = GTK_WINDOW (belfry_window_new (GTK_APPLICATION (application)));

  gtk_window_present (window);
}

static void
belfry_application_class_init (BelfryApplicationClass *klass)
{
  GApplicationClass *application_class = G_APPLICATION_CLASS (klass);

  application_class->activate = belfry_application_activate;
}

static void
belfry_application_init (BelfryApplication *self)
{
}

/**
 * belfry_application_new:
 *
 * Returns: (transfer full): the application
 */
BelfryApplication *
belfry_application_new (void)
{
  return g_object_new (BELFRY_TYPE_APPLICATION,
                       "application-id", APPLICATION_ID,
                       "flags", G_APPLICATION_DEFAULT_FLAGS,
                       "resource-base-path", RESOURCE_PATH,
                       NULL);
}
