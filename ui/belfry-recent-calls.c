/* SPDX-License-Identifier: GPL-3.0-or-later */

#define G_LOG_DOMAIN "belfry-recent-calls"

#include "config.h"

#include "belfry-recent-call-row.h"
#include "belfry-recent-calls.h"

/**
 * BelfryRecentCalls:
 *
 * The recent calls of the main window: the newest first, a row each
 * (#BelfryRecentCallRow), "No calls yet" once the saved calls have been
 * read and there are none. A click on a row asks to call back
 * (#BelfryRecentCalls::call-back); its button forgets the call
 * (`recent-calls.delete`), and Clear forgets them all
 * (`recent-calls.clear`).
 *
 * Rows exist only for what is on screen: a list view over the newest
 * calls, longer by a page whenever its end is in view. Times are told from
 * today's date ("Yesterday, 10:15") and told again after midnight.
 */

#define PAGE 25

enum {
  PROP_0,
  PROP_HISTORY,
  N_PROPS
};

static GParamSpec *props[N_PROPS];

enum {
  SIGNAL_CALL_BACK,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

struct _BelfryRecentCalls {
  GtkWidget parent_instance;

  /* The template's root, which disposing the template unparents. */
  GtkWidget *box;

  BelfryCallHistory *history;
  GtkSliceListModel *slice;
  /* The day the times are told from, and the timeout that moves it on at
   * midnight. */
  GDateTime *today;
  guint midnight_source;
  gulong first_paint_handler;

  GtkStack *stack;
  GtkScrolledWindow *scroller;
  GtkListView *list;
};

G_DEFINE_FINAL_TYPE (BelfryRecentCalls, belfry_recent_calls, GTK_TYPE_WIDGET)

static void
on_row_setup (GtkSignalListItemFactory *factory,
              GtkListItem              *item,
              gpointer                  user_data)
{
  gtk_list_item_set_child (item, belfry_recent_call_row_new ());
}

static void
on_row_bind (GtkSignalListItemFactory *factory,
             GtkListItem              *item,
             BelfryRecentCalls        *self)
{
  belfry_recent_call_row_bind (BELFRY_RECENT_CALL_ROW (gtk_list_item_get_child (item)),
                               gtk_list_item_get_item (item), self->today);
}

static void
show_more_at_end (BelfryRecentCalls *self)
{
  GtkAdjustment *adjustment = gtk_scrolled_window_get_vadjustment (self->scroller);
  guint size;

  /* Not shown yet, or going away. */
  if (self->slice == NULL || gtk_list_view_get_model (self->list) == NULL)
    return;

  size = gtk_slice_list_model_get_size (self->slice);
  if (size < g_list_model_get_n_items (gtk_slice_list_model_get_model (self->slice)) &&
      gtk_adjustment_get_value (adjustment) + gtk_adjustment_get_page_size (adjustment) >=
      gtk_adjustment_get_upper (adjustment) - 1)
    gtk_slice_list_model_set_size (self->slice, size + PAGE);
}

/* The rows are made once the window's first frame is on screen: the
 * window comes up without waiting for them, and they follow in the next
 * frame. */
static void
on_after_first_paint (GdkFrameClock     *clock,
                      BelfryRecentCalls *self)
{
  g_autoptr (GtkNoSelection) selection = NULL;

  g_clear_signal_handler (&self->first_paint_handler, clock);
  if (self->slice == NULL)
    return;
  selection = gtk_no_selection_new (G_LIST_MODEL (g_object_ref (self->slice)));
  gtk_list_view_set_model (self->list, GTK_SELECTION_MODEL (selection));
}

static void
watch_first_paint (BelfryRecentCalls *self)
{
  if (!gtk_widget_get_mapped (GTK_WIDGET (self)) || self->slice == NULL ||
      gtk_list_view_get_model (self->list) != NULL || self->first_paint_handler != 0)
    return;
  self->first_paint_handler = g_signal_connect (gtk_widget_get_frame_clock (GTK_WIDGET (self)), "after-paint",
                                                G_CALLBACK (on_after_first_paint), self);
}

/* A click on a recent call asks to call it back. */
static void
on_list_activated (BelfryRecentCalls *self,
                   guint              position)
{
  g_autoptr (BelfryCallRecord) record = g_list_model_get_item (G_LIST_MODEL (self->slice), position);

  if (record != NULL)
    g_signal_emit (self, signals[SIGNAL_CALL_BACK], 0, record);
}

static void
update_state (BelfryRecentCalls *self)
{
  guint n = self->history != NULL ? g_list_model_get_n_items (G_LIST_MODEL (self->history)) : 0;

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "recent-calls.clear", n > 0);
  /* "No calls yet" only once the calls saved before have been read. */
  gtk_stack_set_visible_child_name (self->stack,
                                    n > 0 || (self->history != NULL && belfry_call_history_get_loading (self->history))
                                    ? "calls" : "empty");
}

static void
delete_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  BelfryRecentCalls *self = BELFRY_RECENT_CALLS (widget);
  gint64 id = g_variant_get_int64 (parameter);

  if (self->history == NULL)
    return;
  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (self->history)); i++) {
    g_autoptr (BelfryCallRecord) record = g_list_model_get_item (G_LIST_MODEL (self->history), i);

    if (belfry_call_record_get_id (record) == id) {
      belfry_call_history_remove (self->history, record);
      break;
    }
  }
}

static void
clear_action (GtkWidget  *widget,
              const char *action_name,
              GVariant   *parameter)
{
  BelfryRecentCalls *self = BELFRY_RECENT_CALLS (widget);

  if (self->history != NULL)
    belfry_call_history_clear (self->history);
}

static gboolean on_midnight (gpointer user_data);

/* Wakes the widget once, just after the next local midnight. */
static void
schedule_midnight (BelfryRecentCalls *self)
{
  g_autoptr (GDateTime) now = g_date_time_new_now_local ();
  g_autoptr (GDateTime) today = g_date_time_new_local (g_date_time_get_year (now), g_date_time_get_month (now),
                                                       g_date_time_get_day_of_month (now), 0, 0, 0);
  g_autoptr (GDateTime) tomorrow = g_date_time_add_days (today, 1);
  GTimeSpan until = g_date_time_difference (tomorrow, now);

  g_clear_handle_id (&self->midnight_source, g_source_remove);
  self->midnight_source = g_timeout_add_seconds ((guint) (until / G_TIME_SPAN_SECOND) + 1, on_midnight, self);
}

static gboolean
on_midnight (gpointer user_data)
{
  BelfryRecentCalls *self = user_data;
  g_autoptr (GDateTime) now = g_date_time_new_now_local ();

  self->midnight_source = 0;
  belfry_recent_calls_refresh_times (self, now);
  schedule_midnight (self);
  return G_SOURCE_REMOVE;
}

static void
belfry_recent_calls_get_property (GObject    *object,
                                  guint       prop_id,
                                  GValue     *value,
                                  GParamSpec *pspec)
{
  BelfryRecentCalls *self = BELFRY_RECENT_CALLS (object);

  switch (prop_id) {
  case PROP_HISTORY:
    g_value_set_object (value, self->history);
    break;
  default:
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
  }
}

static void
belfry_recent_calls_set_property (GObject      *object,
                                  guint         prop_id,
                                  const GValue *value,
                                  GParamSpec   *pspec)
{
  BelfryRecentCalls *self = BELFRY_RECENT_CALLS (object);

  switch (prop_id) {
  case PROP_HISTORY:
    belfry_recent_calls_set_history (self, g_value_get_object (value));
    break;
  default:
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
  }
}

static void
belfry_recent_calls_map (GtkWidget *widget)
{
  GTK_WIDGET_CLASS (belfry_recent_calls_parent_class)->map (widget);

  watch_first_paint (BELFRY_RECENT_CALLS (widget));
}

static void
belfry_recent_calls_unmap (GtkWidget *widget)
{
  BelfryRecentCalls *self = BELFRY_RECENT_CALLS (widget);

  if (self->first_paint_handler != 0)
    g_clear_signal_handler (&self->first_paint_handler, gtk_widget_get_frame_clock (widget));

  GTK_WIDGET_CLASS (belfry_recent_calls_parent_class)->unmap (widget);
}

static void
belfry_recent_calls_dispose (GObject *object)
{
  BelfryRecentCalls *self = BELFRY_RECENT_CALLS (object);

  if (self->history != NULL)
    g_signal_handlers_disconnect_by_data (self->history, self);
  g_clear_object (&self->history);
  gtk_widget_dispose_template (GTK_WIDGET (self), BELFRY_TYPE_RECENT_CALLS);
  g_clear_object (&self->slice);
  g_clear_handle_id (&self->midnight_source, g_source_remove);
  g_clear_pointer (&self->today, g_date_time_unref);

  G_OBJECT_CLASS (belfry_recent_calls_parent_class)->dispose (object);
}

static void
belfry_recent_calls_class_init (BelfryRecentCallsClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->get_property = belfry_recent_calls_get_property;
  object_class->set_property = belfry_recent_calls_set_property;
  object_class->dispose = belfry_recent_calls_dispose;
  widget_class->map = belfry_recent_calls_map;
  widget_class->unmap = belfry_recent_calls_unmap;

  /**
   * BelfryRecentCalls:history:
   *
   * The calls shown.
   */
  props[PROP_HISTORY] =
    g_param_spec_object ("history", NULL, NULL, BELFRY_TYPE_CALL_HISTORY,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, props);

  /**
   * BelfryRecentCalls::call-back:
   * @self: the recent calls
   * @record: the call clicked
   *
   * A recent call was clicked: its caller or callee is to be called.
   */
  signals[SIGNAL_CALL_BACK] =
    g_signal_new ("call-back", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 1, BELFRY_TYPE_CALL_RECORD);

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PATH "/belfry-recent-calls.ui");
  gtk_widget_class_bind_template_child (widget_class, BelfryRecentCalls, stack);
  gtk_widget_class_bind_template_child (widget_class, BelfryRecentCalls, scroller);
  gtk_widget_class_bind_template_child (widget_class, BelfryRecentCalls, list);
  gtk_widget_class_bind_template_callback (widget_class, on_list_activated);
  gtk_widget_class_install_action (widget_class, "recent-calls.delete", "x", delete_action);
  gtk_widget_class_install_action (widget_class, "recent-calls.clear", NULL, clear_action);
  gtk_widget_class_bind_template_child (widget_class, BelfryRecentCalls, box);
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
}

static void
belfry_recent_calls_init (BelfryRecentCalls *self)
{
  g_autoptr (GtkListItemFactory) factory = gtk_signal_list_item_factory_new ();
  GtkAdjustment *adjustment;

  gtk_widget_init_template (GTK_WIDGET (self));

  g_signal_connect (factory, "setup", G_CALLBACK (on_row_setup), NULL);
  g_signal_connect (factory, "bind", G_CALLBACK (on_row_bind), self);
  gtk_list_view_set_factory (self->list, factory);

  adjustment = gtk_scrolled_window_get_vadjustment (self->scroller);
  g_signal_connect_object (adjustment, "changed", G_CALLBACK (show_more_at_end), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (adjustment, "value-changed", G_CALLBACK (show_more_at_end), self,
                           G_CONNECT_SWAPPED);

  self->today = g_date_time_new_now_local ();
  schedule_midnight (self);
  update_state (self);
}

GtkWidget *
belfry_recent_calls_new (void)
{
  return g_object_new (BELFRY_TYPE_RECENT_CALLS, NULL);
}

BelfryCallHistory *
belfry_recent_calls_get_history (BelfryRecentCalls *self)
{
  g_return_val_if_fail (BELFRY_IS_RECENT_CALLS (self), NULL);

  return self->history;
}

void
belfry_recent_calls_set_history (BelfryRecentCalls *self,
                                 BelfryCallHistory *history)
{
  g_return_if_fail (BELFRY_IS_RECENT_CALLS (self));
  g_return_if_fail (history == NULL || BELFRY_IS_CALL_HISTORY (history));

  if (self->history == history)
    return;

  if (self->history != NULL)
    g_signal_handlers_disconnect_by_data (self->history, self);
  g_set_object (&self->history, history);
  gtk_list_view_set_model (self->list, NULL);
  g_clear_object (&self->slice);
  if (history != NULL) {
    self->slice = gtk_slice_list_model_new (G_LIST_MODEL (g_object_ref (history)), 0, PAGE);
    g_signal_connect_swapped (history, "items-changed", G_CALLBACK (update_state), self);
    g_signal_connect_swapped (history, "notify::loading", G_CALLBACK (update_state), self);
    watch_first_paint (self);
  }
  update_state (self);
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_HISTORY]);
}

/**
 * belfry_recent_calls_refresh_times:
 * @self: the recent calls
 * @now: the present moment
 *
 * Tells the times again from @now's day when that is not the day they
 * were told from: yesterday's "10:15" becomes "Yesterday, 10:15".
 */
void
belfry_recent_calls_refresh_times (BelfryRecentCalls *self,
                                   GDateTime         *now)
{
  g_autoptr (GDateTime) local = NULL;
  g_autoptr (GtkListItemFactory) factory = NULL;

  g_return_if_fail (BELFRY_IS_RECENT_CALLS (self));

  local = g_date_time_to_local (now);
  if (g_date_time_get_year (local) == g_date_time_get_year (self->today) &&
      g_date_time_get_day_of_year (local) == g_date_time_get_day_of_year (self->today))
    return;

  g_date_time_unref (self->today);
  self->today = g_steal_pointer (&local);
  /* The rows on screen are bound again, from the factory set anew (GTK
   * 4.8 has no call that rebinds them). */
  factory = g_object_ref (gtk_list_view_get_factory (self->list));
  gtk_list_view_set_factory (self->list, NULL);
  gtk_list_view_set_factory (self->list, factory);
  schedule_midnight (self);
}
