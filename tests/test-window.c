/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <adwaita.h>

#include "belfry-application.h"
#include "belfry-test-env.h"
#include "belfry-ui-test.h"
#include "belfry-window.h"

/* The real application, registered on the test's own session bus, opens
 * its main window on a real X server; the keyboard test types on that
 * server's keyboard (xdotool, through the XTEST extension). */

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

/* Runs the application until its main window is mapped, and holds it:
 * the window stays for the test's checks. */
static GtkWindow *
run_until_window (BelfryApplication *application)
{
  guint give_up;
  char *argv[] = { (char *) "belfry", NULL };

  g_signal_connect_after (application, "activate", G_CALLBACK (on_activate), NULL);
  g_application_set_inactivity_timeout (G_APPLICATION (application), 0);
  give_up = g_timeout_add_seconds (20, give_up_cb, application);
  g_application_hold (G_APPLICATION (application));
  g_assert_cmpint (g_application_run (G_APPLICATION (application), 1, argv), ==, 0);
  g_assert_false (timed_out);
  g_source_remove (give_up);
  return gtk_application_get_active_window (GTK_APPLICATION (application));
}

static gboolean
label_shown (gpointer data)
{
  return gtk_widget_get_visible (data) && *gtk_label_get_label (data) != '\0';
}

static void
test_main_window (void)
{
  g_autoptr (BelfryApplication) application = belfry_application_new ();
  GtkWindow *window = run_until_window (application);

  g_assert_cmpstr (g_application_get_application_id (G_APPLICATION (application)), ==, "org.belfry.Belfry");
  g_assert_true (BELFRY_IS_WINDOW (window));
  g_assert_true (ADW_IS_APPLICATION_WINDOW (window));
  g_assert_cmpstr (gtk_window_get_title (window), ==, "Belfry");
  g_assert_true (gtk_widget_get_mapped (GTK_WIDGET (window)));

  /* No account: the window says where others can call, on the port the
   * direct-call user agent took; the title has nothing to add. */
  {
    g_autoptr (BelfryCallManager) calls = NULL;
    BelfryAccountManager *accounts;
    GtkLabel *direct = GTK_LABEL (gtk_widget_get_template_child (GTK_WIDGET (window), BELFRY_TYPE_WINDOW,
                                                                 "direct_label"));
    AdwWindowTitle *title = ADW_WINDOW_TITLE (gtk_widget_get_template_child (GTK_WIDGET (window),
                                                                            BELFRY_TYPE_WINDOW, "window_title"));
    g_autofree char *port = NULL;

    /* The application has shut down; the window keeps its calls. */
    g_object_get (window, "call-manager", &calls, NULL);
    accounts = belfry_call_manager_get_accounts (calls);
    g_assert_true (belfry_test_wait_until (label_shown, direct, 10000));
    port = g_strdup_printf ("@127.0.0.1:%d",
                            belfry_user_agent_get_port (belfry_account_manager_get_user_agent (accounts, NULL)));
    g_assert_true (g_str_has_prefix (gtk_label_get_label (direct), "Without an account, others can call you at sip:"));
    g_assert_true (g_str_has_suffix (gtk_label_get_label (direct), port));
    g_assert_cmpstr (adw_window_title_get_subtitle (title), ==, "");
  }

  gtk_window_destroy (window);
  g_application_release (G_APPLICATION (application));
}

/* A window manager gives the focus back to the main window when a dialog
 * closes; Xvfb has none, so the test does. */
static void
give_focus_back (GtkWindow *window)
{
  belfry_test_focus_window (window, "Belfry");
}

/* Whether the focus is in the address entry (its text, inside it). */
static gboolean
address_focused (gpointer data)
{
  GtkWidget *address = GTK_WIDGET (belfry_test_dialer_child (data, "address_entry"));
  GtkWidget *focus = gtk_root_get_focus (data);

  return focus != NULL && (focus == address || gtk_widget_is_ancestor (focus, address));
}

typedef struct {
  GtkWindow *window;
  const char *text;
} AddressIs;

static gboolean
address_is (gpointer data)
{
  AddressIs *wait = data;
  GtkEditable *address = GTK_EDITABLE (belfry_test_dialer_child (GTK_WINDOW (wait->window), "address_entry"));

  return g_strcmp0 (gtk_editable_get_text (address), wait->text) == 0;
}

/* The shortcuts window transient for @data, if one is shown. */
static GtkWindow *
find_shortcuts_window (GtkWindow *main_window)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++) {
    g_autoptr (GtkWindow) window = g_list_model_get_item (toplevels, i);

    if (GTK_IS_SHORTCUTS_WINDOW (window) && gtk_window_get_transient_for (window) == main_window &&
        gtk_widget_get_mapped (GTK_WIDGET (window)))
      return window;
  }
  return NULL;
}

static gboolean
shortcuts_shown (gpointer data)
{
  return find_shortcuts_window (data) != NULL;
}

static gboolean
shortcuts_hidden (gpointer data)
{
  return find_shortcuts_window (data) == NULL;
}

static gboolean
menu_shown (gpointer data)
{
  GtkPopover *popover = gtk_menu_button_get_popover (data);

  return popover != NULL && gtk_widget_get_mapped (GTK_WIDGET (popover));
}

/* The keys the shortcuts window promises, pressed on the X server's
 * keyboard: F10 opens the main menu, Ctrl+L moves to the address, Ctrl+?
 * shows the shortcuts window and Escape closes it. The menu and the
 * shortcuts window are built only when first asked for. */
static void
test_keyboard (void)
{
  g_autoptr (BelfryApplication) application = belfry_application_new ();
  g_autoptr (GError) error = NULL;
  GtkWindow *window, *shortcuts;
  GtkWidget *call_button;
  GtkMenuButton *menu;
  GMenuModel *model;

  g_assert_true (g_application_register (G_APPLICATION (application), NULL, &error));
  g_assert_no_error (error);
  g_application_activate (G_APPLICATION (application));
  window = gtk_application_get_active_window (GTK_APPLICATION (application));
  g_assert_true (BELFRY_IS_WINDOW (window));
  call_button = GTK_WIDGET (belfry_test_dialer_child (window, "call_button"));
  menu = GTK_MENU_BUTTON (gtk_widget_get_template_child (GTK_WIDGET (window), BELFRY_TYPE_WINDOW, "menu_button"));

  g_assert_true (belfry_test_wait_until (belfry_test_window_active, window, 10000));
  g_assert_null (find_shortcuts_window (window));
  g_assert_null (gtk_menu_button_get_menu_model (menu));

  gtk_widget_grab_focus (call_button);
  g_assert_false (address_focused (window));
  belfry_test_press_keys ("ctrl+l");
  g_assert_true (belfry_test_wait_until (address_focused, window, 10000));

  belfry_test_press_keys ("ctrl+question");
  g_assert_true (belfry_test_wait_until (shortcuts_shown, window, 10000));
  shortcuts = find_shortcuts_window (window);
  g_assert_true (gtk_window_get_modal (shortcuts));
  belfry_test_press_keys ("Escape");
  g_assert_true (belfry_test_wait_until (shortcuts_hidden, window, 10000));
  give_focus_back (window);
  /* Shown again, it is the same window, not a second one. */
  belfry_test_press_keys ("ctrl+question");
  g_assert_true (belfry_test_wait_until (shortcuts_shown, window, 10000));
  g_assert_true (find_shortcuts_window (window) == shortcuts);
  belfry_test_press_keys ("Escape");
  g_assert_true (belfry_test_wait_until (shortcuts_hidden, window, 10000));
  give_focus_back (window);

  belfry_test_press_keys ("F10");
  g_assert_true (belfry_test_wait_until (menu_shown, menu, 10000));
  model = gtk_menu_button_get_menu_model (menu);
  g_assert_nonnull (model);
  g_assert_cmpint (g_menu_model_get_n_items (model), ==, 1);
  g_assert_cmpint (g_menu_model_get_n_items (g_menu_model_get_item_link (model, 0, G_MENU_LINK_SECTION)), ==, 3);
  gtk_menu_button_popdown (menu);

  /* Typed with the focus on a button, an address goes into the entry. */
  give_focus_back (window);
  gtk_editable_set_text (GTK_EDITABLE (belfry_test_dialer_child (window, "address_entry")), "");
  gtk_widget_grab_focus (call_button);
  belfry_test_press_keys ("b o b at 2");
  g_assert_true (belfry_test_wait_until (address_is, (gpointer) &(AddressIs) { window, "bob@2" }, 10000));
  g_assert_true (address_focused (window));

  gtk_window_destroy (window);
}

/* The UI tests render with cairo, and they must not even probe OpenGL:
 * GDK's probe loads Mesa's software driver, whose CPU detection leaks an
 * allocation on AMD Zen processors before the driver is unloaded, so the
 * sanitizer pass failed on AMD machines and passed on Intel ones.
 * tests/run-ui-test.sh turns GL off for every UI test. */
static void
test_no_gl (void)
{
  g_autoptr (GError) error = NULL;

  gtk_init ();
  g_assert_false (gdk_display_prepare_gl (gdk_display_get_default (), &error));
  g_assert_error (error, GDK_GL_ERROR, GDK_GL_ERROR_NOT_AVAILABLE);
}

int
main (int   argc,
      char *argv[])
{
  belfry_test_init (&argc, &argv);

  g_test_add_func ("/belfry/window/no-gl", test_no_gl);
  g_test_add_func ("/belfry/window/opens", test_main_window);
  g_test_add_func ("/belfry/window/keyboard", test_keyboard);

  return g_test_run ();
}
