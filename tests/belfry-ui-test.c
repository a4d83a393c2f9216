#include "config.h"

#include "belfry-ui-test.h"

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
