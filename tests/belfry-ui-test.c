/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include "belfry-test-env.h"
#include "belfry-dialer.h"
#include "belfry-recent-calls.h"
#include "belfry-ui-test.h"
#include "belfry-window.h"

/* Helpers of the tests that look into real windows. */

/* How many children @widget has (rows of a list, pages of a stack). */
guint
belfry_test_count_children (GtkWidget *widget)
{
  guint n = 0;

  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    n++;
  return n;
}

/* Appends the texts of the labels under @widget to @texts, one a line, in
 * the order they are in the widget tree. */
void
belfry_test_collect_labels (GtkWidget *widget,
                            GString   *texts)
{
  if (GTK_IS_LABEL (widget))
    g_string_append_printf (texts, "%s\n", gtk_label_get_label (GTK_LABEL (widget)));
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    belfry_test_collect_labels (child, texts);
}

/* Runs xdotool, which types and moves the focus on the X server (XTEST). */
static void
xdotool (const char * const *args)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GStrvBuilder) builder = g_strv_builder_new ();
  g_auto (GStrv) argv = NULL;
  int status = -1;

  g_strv_builder_add_many (builder, "timeout", "10", "xdotool", NULL);
  g_strv_builder_addv (builder, (const char **) args);
  argv = g_strv_builder_end (builder);
  g_assert_true (g_spawn_sync (NULL, argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL, &status, &error));
  g_assert_no_error (error);
  g_assert_true (g_spawn_check_wait_status (status, NULL));
}

/* Presses @keys, xdotool's names one after the other ("ctrl+l",
 * "5 numbersign"), on the X server's keyboard. */
void
belfry_test_press_keys (const char *keys)
{
  g_auto (GStrv) names = g_strsplit (keys, " ", -1);
  g_autoptr (GStrvBuilder) builder = g_strv_builder_new ();
  g_auto (GStrv) args = NULL;

  g_strv_builder_add_many (builder, "key", "--clearmodifiers", NULL);
  g_strv_builder_addv (builder, (const char **) names);
  args = g_strv_builder_end (builder);
  xdotool ((const char * const *) args);
}

/* Whether the window @data has the keyboard focus (for
 * belfry_test_wait_until()). */
gboolean
belfry_test_window_active (gpointer data)
{
  return gtk_window_is_active (data);
}

/* Gives the keyboard focus to @window, titled @title, as a window manager
 * would (Xvfb has none), and waits until GTK knows. */
void
belfry_test_focus_window (GtkWindow  *window,
                          const char *title)
{
  g_autofree char *pattern = g_strdup_printf ("^%s$", title);
  const char *args[] = { "search", "--name", pattern, "windowfocus", NULL };

  xdotool (args);
  g_assert_true (belfry_test_wait_until (belfry_test_window_active, window, 10000));
}

/* The main window's dialer, and one of its parts by its name in
 * belfry-dialer.ui. */
GtkWidget *
belfry_test_dialer (GtkWindow *window)
{
  return GTK_WIDGET (gtk_widget_get_template_child (GTK_WIDGET (window), BELFRY_TYPE_WINDOW, "dialer"));
}

GtkWidget *
belfry_test_dialer_child (GtkWindow  *window,
                          const char *name)
{
  return GTK_WIDGET (gtk_widget_get_template_child (belfry_test_dialer (window), BELFRY_TYPE_DIALER, name));
}

/* The main window's recent calls, and the list view in them. */
GtkWidget *
belfry_test_recent_calls (GtkWindow *window)
{
  return GTK_WIDGET (gtk_widget_get_template_child (GTK_WIDGET (window), BELFRY_TYPE_WINDOW, "recent_calls"));
}

GtkWidget *
belfry_test_recent_calls_list (GtkWindow *window)
{
  return GTK_WIDGET (gtk_widget_get_template_child (belfry_test_recent_calls (window), BELFRY_TYPE_RECENT_CALLS,
                                                    "list"));
}
