/* SPDX-License-Identifier: GPL-3.0-or-later */

#define G_LOG_DOMAIN "belfry-format"

#include "config.h"

#include <glib/gi18n.h>

#include "belfry-format.h"

static void
local_day (GDateTime *time,
           GDate     *day)
{
  g_date_clear (day, 1);
  g_date_set_dmy (day, g_date_time_get_day_of_month (time), g_date_time_get_month (time),
                  g_date_time_get_year (time));
}

/**
 * belfry_format_call_time:
 * @when: when a call began
 * @now: the present moment
 *
 * When a call was, said the way people say it, in local time: the time of
 * day for a call of today, "Yesterday" or the weekday and the time in the
 * week before, the day and month earlier in the year, and the whole date
 * before that (or for a call that seems to lie ahead, when the clock was
 * set back).
 *
 * Returns: (transfer full): the text
 */
char *
belfry_format_call_time (GDateTime *when,
                         GDateTime *now)
{
  g_autoptr (GDateTime) local = g_date_time_to_local (when);
  g_autoptr (GDateTime) local_now = g_date_time_to_local (now);
  GDate day, today;
  int days;
  const char *format;

  local_day (local, &day);
  local_day (local_now, &today);
  days = g_date_days_between (&day, &today);

  if (days == 0)
    /* Translators: g_date_time_format() formats of when a recent call was
     * (https://docs.gtk.org/glib/method.DateTime.format.html); this one: a
     * call of today, its time of day. */
    /* xgettext:no-c-format */
    format = _("%H:%M");
  else if (days == 1)
    /* Translators: a call of yesterday, and its time of day. */
    /* xgettext:no-c-format */
    format = _("Yesterday, %H:%M");
  else if (days > 1 && days < 7)
    /* Translators: a call of the last week: the weekday and the time of day. */
    /* xgettext:no-c-format */
    format = _("%A, %H:%M");
  else if (days > 0 && g_date_get_year (&day) == g_date_get_year (&today))
    /* Translators: a call earlier this year: the month and the day. */
    /* xgettext:no-c-format */
    format = _("%B %-d");
  else
    /* Translators: an older call: the month, the day and the year. */
    /* xgettext:no-c-format */
    format = _("%B %-d, %Y");

  return g_date_time_format (local, format);
}
