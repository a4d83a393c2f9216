#include "config.h"

#include <adwaita.h>

#include "belfry-application.h"
#include "belfry-test-env.h"
#include "belfry-window.h"

/* The real application, registered on the test's own session bus, opens
 * its main window on a real X server. */

static gboolean timed_out;

static gboolean
give_up_cb (gpointer data)
{
  timed_out = TRUE;
  g_application_quit (G_APPLICATION (data));
  return G_SOURCE_REMOVE;
}

static void
on_map (GtkWidget    *window,
        GApplication *application)
{
  g_application_quit (application);
}

static void
on_activate (GApplication *application)
{
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (application));

  g_assert_nonnull (window);
  if (gtk_widget_get_mapped (GTK_WIDGET (window)))
    g_application_quit (application);
  else
    g_signal_connect (window, "map", G_CALLBACK (on_map), application);
}

static void
test_main_window (void)
{
  g_autoptr (BelfryApplication) application = belfry_application_new ();
  GtkWindow *window;
  guint give_up;
  char *argv[] = { (char *) "belfry", NULL };

  g_signal_connect_after (application, "activate", G_CALLBACK (on_activate), NULL);
  g_application_set_inactivity_timeout (G_APPLICATION (application), 0);
  give_up = g_timeout_add_seconds (20, give_up_cb, application);

  /* Quitting from the map handler keeps the window for the checks below. */
  g_application_hold (G_APPLICATION (application));
  g_assert_cmpint (g_application_run (G_APPLICATION (application), 1, argv), ==, 0);
  g_assert_false (timed_out);
  g_source_remove (give_up);

  g_assert_cmpstr (g_application_get_application_id (G_APPLICATION (application)), ==, "org.belfry.Belfry");
  window = gtk_application_get_active_window (GTK_APPLICATION (application));
  g_assert_true (BELFRY_IS_WINDOW (window));
  g_assert_true (ADW_IS_APPLICATION_WINDOW (window));
  g_assert_cmpstr (gtk_window_get_title (window), ==, "Belfry");
  g_assert_true (gtk_widget_get_mapped (GTK_WIDGET (window)));

  gtk_window_destroy (window);
  g_application_release (G_APPLICATION (application));
}

int
main (int   argc,
      char *argv[])
{
  belfry_test_init (&argc, &argv);

  g_test_add_func ("/belfry/window/opens", test_main_window);

  return g_test_run ();
}
