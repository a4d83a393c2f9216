/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <adwaita.h>
#include <string.h>

#include "belfry-application.h"
#include "belfry-format.h"
#include "belfry-test-env.h"
#include "belfry-ui-test.h"
#include "belfry-recent-calls.h"

/* The real application on the test's own session bus, with 300 calls in
 * its history before it starts. */

typedef struct {
  GtkWidget *list;
  guint      rows;
  gboolean   at_least;
} RowCount;

static gboolean
has_rows (gpointer data)
{
  RowCount *count = data;

  guint rows = belfry_test_count_children (count->list);

  return count->at_least ? rows >= count->rows : rows == count->rows;
}

typedef struct {
  GtkWidget  *list;
  const char *text;
} RowText;

/* The first row's labels hold @text. */
static gboolean
first_row_says (gpointer data)
{
  RowText *row = data;
  g_autoptr (GString) texts = g_string_new (NULL);

  if (gtk_widget_get_first_child (row->list) == NULL)
    return FALSE;
  belfry_test_collect_labels (gtk_widget_get_first_child (row->list), texts);
  return strstr (texts->str, row->text) != NULL;
}

static gboolean
scrollable (gpointer data)
{
  return gtk_adjustment_get_upper (data) > gtk_adjustment_get_page_size (data) + 1;
}

/* A long call history does not make the window slow to come: the recent
 * calls show the newest 25, and 25 more whenever their end is in view. */
static void
test_long_history (void)
{
  g_autoptr (BelfryApplication) application = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GString) texts = g_string_new (NULL);
  GtkWindow *window;
  GtkWidget *list;
  GtkAdjustment *adjustment;
  RowCount count = { 0 };
  g_autoptr (GDateTime) newest = NULL;

  {
    g_autoptr (BelfryCallHistory) history = belfry_call_history_new (NULL);
    g_autoptr (GDateTime) now = g_date_time_new_now_local ();

    newest = g_date_time_add_seconds (now, -1);
    for (guint i = 0; i < 300; i++) {
      g_autofree char *uri = g_strdup_printf ("sip:caller%u@example.org", i);
      g_autoptr (GDateTime) when = g_date_time_add_seconds (newest, (int) i - 299);
      g_autoptr (BelfryCallRecord) record = belfry_call_record_new (BELFRY_CALL_DIRECTION_INCOMING, uri, NULL, when,
                                                                    60, BELFRY_CALL_OUTCOME_ANSWERED, NULL);

      belfry_call_history_add (history, record);
    }
    g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (history)), ==, 300);
  }

  application = belfry_application_new ();
  g_assert_true (g_application_register (G_APPLICATION (application), NULL, &error));
  g_assert_no_error (error);
  g_application_activate (G_APPLICATION (application));
  window = gtk_application_get_active_window (GTK_APPLICATION (application));
  list = belfry_test_recent_calls_list (window);

  count.list = list;
  count.rows = 25;
  g_assert_true (belfry_test_wait_until (has_rows, &count, 10000));
  /* The newest first. */
  belfry_test_collect_labels (gtk_widget_get_first_child (list), texts);
  g_assert_true (g_str_has_prefix (texts->str, "sip:caller299@example.org\n"));

  /* The times are told from the present day; the next day, the rows on
   * screen say them again: the newest call was yesterday. */
  {
    g_autoptr (GDateTime) next_day = g_date_time_add_days (newest, 1);
    g_autoptr (GDateTime) next_week = g_date_time_add_days (newest, 8);
    g_autofree char *yesterday = belfry_format_call_time (newest, next_day);
    g_autofree char *last_week = belfry_format_call_time (newest, next_week);
    RowText row = { list, NULL };

    g_assert_true (g_str_has_prefix (yesterday, "Yesterday, "));
    g_assert_false (g_str_has_prefix (last_week, "Yesterday, "));
    belfry_recent_calls_refresh_times (BELFRY_RECENT_CALLS (belfry_test_recent_calls (window)), next_day);
    row.text = yesterday;
    g_assert_true (belfry_test_wait_until (first_row_says, &row, 5000));
    belfry_recent_calls_refresh_times (BELFRY_RECENT_CALLS (belfry_test_recent_calls (window)), next_week);
    row.text = last_week;
    g_assert_true (belfry_test_wait_until (first_row_says, &row, 5000));
    count.rows = 25;
    g_assert_true (has_rows (&count));
  }

  /* Scrolled to the end, as a person would with the wheel or the keys. */
  adjustment = gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (gtk_widget_get_ancestor (
    list, GTK_TYPE_SCROLLED_WINDOW)));
  g_assert_true (belfry_test_wait_until (scrollable, adjustment, 10000));
  gtk_adjustment_set_value (adjustment, gtk_adjustment_get_upper (adjustment));
  count.rows = 50;
  g_assert_true (belfry_test_wait_until (has_rows, &count, 10000));

  /* A list taller than its rows shows more without a scroll (the window
   * cannot be taller than the X screen, so the list asks for the height). */
  gtk_adjustment_set_value (adjustment, 0);
  gtk_widget_set_size_request (gtk_widget_get_ancestor (list, GTK_TYPE_SCROLLED_WINDOW), -1, 4000);
  count.rows = 75;
  count.at_least = TRUE;
  if (!belfry_test_wait_until (has_rows, &count, 10000))
    g_error ("%u rows; window %d high, adjustment %g + %g of %g", belfry_test_count_children (list),
             gtk_widget_get_height (GTK_WIDGET (window)), gtk_adjustment_get_value (adjustment),
             gtk_adjustment_get_page_size (adjustment), gtk_adjustment_get_upper (adjustment));

  gtk_window_destroy (window);
}

int
main (int   argc,
      char *argv[])
{
  belfry_test_init (&argc, &argv);

  g_test_add_func ("/belfry/recent-calls/long-history", test_long_history);

  return g_test_run ();
}
