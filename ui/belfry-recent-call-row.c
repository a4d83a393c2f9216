/* SPDX-License-Identifier: GPL-3.0-or-later */

#define G_LOG_DOMAIN "belfry-recent-calls"

#include "config.h"

#include <glib/gi18n.h>

#include "belfry-format.h"
#include "belfry-recent-call-row.h"

/**
 * BelfryRecentCallRow:
 *
 * A recent call in #BelfryRecentCalls: the outcome's icon, the caller or
 * callee, when and how it went, and a button that forgets it. The list
 * view makes rows only for what is on screen and binds them again, with
 * belfry_recent_call_row_bind(), as the list scrolls.
 */

struct _BelfryRecentCallRow {
  GtkWidget parent_instance;

  /* The template's root, which disposing the template unparents. */
  GtkWidget *box;

  GtkImage *icon;
  GtkLabel *title;
  GtkLabel *subtitle;
  GtkButton *delete_button;
};

G_DEFINE_FINAL_TYPE (BelfryRecentCallRow, belfry_recent_call_row, GTK_TYPE_WIDGET)

static const char *
outcome_text (BelfryCallRecord *record)
{
  switch (belfry_call_record_get_outcome (record)) {
  case BELFRY_CALL_OUTCOME_ANSWERED:
    return belfry_call_record_get_direction (record) == BELFRY_CALL_DIRECTION_INCOMING
           ? _("Incoming") : _("Outgoing");
  case BELFRY_CALL_OUTCOME_MISSED:
    return _("Missed");
  case BELFRY_CALL_OUTCOME_DECLINED:
    return _("Declined");
  case BELFRY_CALL_OUTCOME_FAILED:
  default:
    return _("Failed");
  }
}

static const char *
outcome_icon (BelfryCallRecord *record)
{
  switch (belfry_call_record_get_outcome (record)) {
  case BELFRY_CALL_OUTCOME_MISSED:
    return "call-missed-symbolic";
  case BELFRY_CALL_OUTCOME_ANSWERED:
    return belfry_call_record_get_direction (record) == BELFRY_CALL_DIRECTION_INCOMING
           ? "call-incoming-symbolic" : "call-outgoing-symbolic";
  case BELFRY_CALL_OUTCOME_DECLINED:
  case BELFRY_CALL_OUTCOME_FAILED:
  default:
    return "call-stop-symbolic";
  }
}

static void
belfry_recent_call_row_dispose (GObject *object)
{
  gtk_widget_dispose_template (GTK_WIDGET (object), BELFRY_TYPE_RECENT_CALL_ROW);

  G_OBJECT_CLASS (belfry_recent_call_row_parent_class)->dispose (object);
}

static void
belfry_recent_call_row_class_init (BelfryRecentCallRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = belfry_recent_call_row_dispose;

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PATH "/belfry-recent-call-row.ui");
  gtk_widget_class_bind_template_child (widget_class, BelfryRecentCallRow, icon);
  gtk_widget_class_bind_template_child (widget_class, BelfryRecentCallRow, title);
  gtk_widget_class_bind_template_child (widget_class, BelfryRecentCallRow, subtitle);
  gtk_widget_class_bind_template_child (widget_class, BelfryRecentCallRow, delete_button);
  gtk_widget_class_bind_template_child (widget_class, BelfryRecentCallRow, box);
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
}

static void
belfry_recent_call_row_init (BelfryRecentCallRow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

GtkWidget *
belfry_recent_call_row_new (void)
{
  return g_object_new (BELFRY_TYPE_RECENT_CALL_ROW, NULL);
}

/**
 * belfry_recent_call_row_bind:
 * @self: a row
 * @record: the call it shows
 * @today: the day times are told from ("Yesterday, 10:15")
 *
 * Shows @record in the row.
 */
void
belfry_recent_call_row_bind (BelfryRecentCallRow *self,
                             BelfryCallRecord    *record,
                             GDateTime           *today)
{
  const char *name = belfry_call_record_get_remote_name (record);
  const char *uri = belfry_call_record_get_remote_uri (record);
  const char *who = name && *name ? name : uri;
  const char *reason = belfry_call_record_get_reason (record);
  guint duration = belfry_call_record_get_duration (record);
  g_autofree char *when = NULL;
  g_autofree char *how = NULL;
  g_autofree char *delete_label = NULL;
  g_autofree char *row_label = NULL;
  GtkWidget *holder = gtk_widget_get_parent (GTK_WIDGET (self));

  g_return_if_fail (BELFRY_IS_RECENT_CALL_ROW (self));

  when = belfry_format_call_time (belfry_call_record_get_start_time (record), today);
  if (belfry_call_record_get_outcome (record) == BELFRY_CALL_OUTCOME_ANSWERED)
    /* Translators: call history: the date, whether the call came in or went out, and its length. */
    how = g_strdup_printf (_("%s · %s · %u:%02u"), when, outcome_text (record), duration / 60, duration % 60);
  else if (reason != NULL && *reason != '\0')
    how = g_strdup_printf ("%s · %s · %s", when, outcome_text (record), reason);
  else
    how = g_strdup_printf ("%s · %s", when, outcome_text (record));

  gtk_image_set_from_icon_name (self->icon, outcome_icon (record));
  gtk_label_set_label (self->title, who);
  gtk_label_set_label (self->subtitle, how);
  /* The target first: an action name without its target is an error. */
  gtk_actionable_set_action_target (GTK_ACTIONABLE (self->delete_button), "x", belfry_call_record_get_id (record));
  gtk_actionable_set_action_name (GTK_ACTIONABLE (self->delete_button), "recent-calls.delete");
  delete_label = g_strdup_printf (_("Forget the call with %s"), who);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->delete_button), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  delete_label, -1);
  /* What a screen reader says of the row itself: GTK 4.8 has no accessible
   * label on a GtkListItem (4.12 has), so it goes on the row widget the
   * list view holds this one in. */
  if (holder != NULL) {
    /* Translators: what a screen reader says of a recent call; %s is who called or was called. */
    row_label = g_strdup_printf (_("Call back %s"), who);
    gtk_accessible_update_property (GTK_ACCESSIBLE (holder),
                                    GTK_ACCESSIBLE_PROPERTY_LABEL, row_label,
                                    GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, how,
                                    -1);
  }
}
