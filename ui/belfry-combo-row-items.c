/* SPDX-License-Identifier: GPL-3.0-or-later */

#define G_LOG_DOMAIN "belfry-combo-row-items"

#include "config.h"

#include "belfry-combo-row-items.h"

/* The choices of an AdwComboRow, each with an accessible name. GTK 4.8
 * gives the list items of a drop-down no name of their own (it does not
 * read their labels), so a screen reader says nothing as the person
 * moves through the devices or transports, nor for the chosen one that
 * the row shows. These items look like libadwaita's: the text, and in the
 * pop-up a check mark on the chosen one. */

static char *
item_text (AdwComboRow *row,
           gpointer     item)
{
  GtkExpression *expression = adw_combo_row_get_expression (row);
  GValue value = G_VALUE_INIT;
  char *text = NULL;

  if (GTK_IS_STRING_OBJECT (item))
    return g_strdup (gtk_string_object_get_string (item));

  if (expression != NULL && gtk_expression_evaluate (expression, item, &value)) {
    text = g_value_dup_string (&value);
    g_value_unset (&value);
  }
  return text;
}

static void
update_check (GtkListItem *list_item)
{
  AdwComboRow *row = g_object_get_data (G_OBJECT (list_item), "row");
  GtkWidget *label = gtk_widget_get_first_child (gtk_list_item_get_child (list_item));
  GtkWidget *check = gtk_widget_get_last_child (gtk_list_item_get_child (list_item));

  if (row != NULL && check != label)
    gtk_widget_set_opacity (check,
                            adw_combo_row_get_selected (row) == gtk_list_item_get_position (list_item));
}

static GtkWidget *
new_item_box (void)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  GtkWidget *label = gtk_label_new (NULL);

  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
  gtk_widget_set_hexpand (label, TRUE);
  gtk_box_append (GTK_BOX (box), label);
  return box;
}

static void
setup_shown_cb (GtkSignalListItemFactory *factory,
                GtkListItem              *list_item,
                AdwComboRow              *row)
{
  gtk_list_item_set_child (list_item, new_item_box ());
}

static void
setup_choice_cb (GtkSignalListItemFactory *factory,
                 GtkListItem              *list_item,
                 AdwComboRow              *row)
{
  GtkWidget *box = new_item_box ();

  gtk_box_append (GTK_BOX (box), gtk_image_new_from_icon_name ("object-select-symbolic"));
  gtk_list_item_set_child (list_item, box);
}

static void
bind_cb (GtkSignalListItemFactory *factory,
         GtkListItem              *list_item,
         AdwComboRow              *row)
{
  GtkWidget *box = gtk_list_item_get_child (list_item);
  GtkWidget *item_widget = gtk_widget_get_parent (box);
  g_autofree char *text = item_text (row, gtk_list_item_get_item (list_item));

  gtk_label_set_label (GTK_LABEL (gtk_widget_get_first_child (box)), text);

  /* The list item's own widget is what AT-SPI presents. */
  if (item_widget != NULL)
    gtk_accessible_update_property (GTK_ACCESSIBLE (item_widget), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                    text != NULL ? text : "", -1);

  g_object_set_data (G_OBJECT (list_item), "row", row);
  g_signal_connect_object (row, "notify::selected", G_CALLBACK (update_check), list_item,
                           G_CONNECT_SWAPPED);
  update_check (list_item);
}

static void
unbind_cb (GtkSignalListItemFactory *factory,
           GtkListItem              *list_item,
           AdwComboRow              *row)
{
  g_signal_handlers_disconnect_by_func (row, update_check, list_item);
  g_object_set_data (G_OBJECT (list_item), "row", NULL);
}

static GtkListItemFactory *
new_factory (AdwComboRow *row,
             GCallback    setup)
{
  GtkListItemFactory *factory = gtk_signal_list_item_factory_new ();

  /* The row owns its factories, and so outlives their items. */
  g_signal_connect (factory, "setup", setup, row);
  g_signal_connect (factory, "bind", G_CALLBACK (bind_cb), row);
  g_signal_connect (factory, "unbind", G_CALLBACK (unbind_cb), row);
  return factory;
}

/**
 * belfry_combo_row_name_items:
 * @row: a combo row whose model holds strings (or has an expression)
 *
 * Gives the choice that @row shows and those it pops up an accessible
 * name each.
 */
void
belfry_combo_row_name_items (AdwComboRow *row)
{
  g_autoptr (GtkListItemFactory) shown = NULL;
  g_autoptr (GtkListItemFactory) choices = NULL;

  g_return_if_fail (ADW_IS_COMBO_ROW (row));

  shown = new_factory (row, G_CALLBACK (setup_shown_cb));
  choices = new_factory (row, G_CALLBACK (setup_choice_cb));
  adw_combo_row_set_factory (row, shown);
  adw_combo_row_set_list_factory (row, choices);
}
