/* SPDX-License-Identifier: GPL-3.0-or-later */
/* How the recent calls say when a call was, against a fixed present. */

#include <locale.h>

#include "belfry-format.h"

static char *
told (int year, int month, int day, int hour, int minute,
      GDateTime *now)
{
  g_autoptr (GDateTime) when = g_date_time_new_local (year, month, day, hour, minute, 30);

  return belfry_format_call_time (when, now);
}

static void
test_call_time (void)
{
  /* Wednesday 25 November 2026, 00:20 local time: just after midnight. */
  g_autoptr (GDateTime) now = g_date_time_new_local (2026, 11, 25, 0, 20, 0);
  g_autoptr (GDateTime) now_utc = g_date_time_to_utc (now);
  struct {
    int year, month, day, hour, minute;
    const char *expected;
  } cases[] = {
    { 2026, 11, 25, 0, 5, "00:05" },                     /* today */
    { 2026, 11, 24, 23, 55, "Yesterday, 23:55" },        /* a few minutes ago, but yesterday */
    { 2026, 11, 24, 0, 0, "Yesterday, 00:00" },
    { 2026, 11, 23, 14, 7, "Monday, 14:07" },
    { 2026, 11, 19, 9, 0, "Thursday, 09:00" },           /* six days ago */
    { 2026, 11, 18, 9, 0, "November 18" },               /* a week ago */
    { 2026, 1, 1, 12, 0, "January 1" },
    { 2025, 12, 31, 23, 59, "December 31, 2025" },
    { 2026, 11, 26, 8, 0, "November 26, 2026" },         /* ahead: the clock was set back */
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++) {
    g_autofree char *text = told (cases[i].year, cases[i].month, cases[i].day, cases[i].hour, cases[i].minute, now);

    g_assert_cmpstr (text, ==, cases[i].expected);
  }

  /* The present given in UTC (still the 24th there) is the same moment:
   * days are counted in local time. */
  {
    g_autofree char *text = told (2026, 11, 24, 23, 55, now_utc);

    g_assert_cmpstr (text, ==, "Yesterday, 23:55");
  }
}

int
main (int   argc,
      char *argv[])
{
  /* English month and weekday names, untranslated formats; local time an
   * hour ahead of UTC, where just after midnight is still yesterday. */
  setlocale (LC_ALL, "C.UTF-8");
  g_setenv ("TZ", "Europe/Berlin", TRUE);
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/belfry/format/call-time", test_call_time);

  return g_test_run ();
}
