/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <glib/gstdio.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#include "belfry-call-history.h"
#include "belfry-test-env.h"

/* The call history: the database on disk, its schema and migration, and
 * what happens when the file is damaged or cannot be written. */

typedef struct {
  char *dir;
  char *path;
  guint changes;
  guint last_position, last_removed, last_added;
} Fixture;

static void
on_items_changed (GListModel *model,
                  guint       position,
                  guint       removed,
                  guint       added,
                  Fixture    *fixture)
{
  fixture->changes++;
  fixture->last_position = position;
  fixture->last_removed = removed;
  fixture->last_added = added;
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  static guint counter;

  fixture->dir = g_strdup_printf ("%s/history-%u", g_get_user_data_dir (), ++counter);
  g_assert_cmpint (g_mkdir_with_parents (fixture->dir, 0700), ==, 0);
  fixture->path = g_build_filename (fixture->dir, "history.db", NULL);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  g_free (fixture->dir);
  g_free (fixture->path);
}

static BelfryCallRecord *
record_at (gint64              unix_time,
           const char         *uri,
           BelfryCallOutcome   outcome)
{
  g_autoptr (GDateTime) start = g_date_time_new_from_unix_local (unix_time);

  return belfry_call_record_new (BELFRY_CALL_DIRECTION_INCOMING, uri, "Someone", start, 42, outcome,
                                 outcome == BELFRY_CALL_OUTCOME_FAILED ? "Busy Here" : NULL);
}

static BelfryCallRecord *
item (BelfryCallHistory *history,
      guint              position)
{
  BelfryCallRecord *record = g_list_model_get_item (G_LIST_MODEL (history), position);

  g_object_unref (record);
  return record;
}

static char *
query_text (const char *path,
            const char *sql)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *statement = NULL;
  char *result = NULL;

  g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &statement, NULL), ==, SQLITE_OK);
  if (sqlite3_step (statement) == SQLITE_ROW)
    result = g_strdup ((const char *) sqlite3_column_text (statement, 0));
  sqlite3_finalize (statement);
  sqlite3_close (db);
  return result;
}

static void
test_create_reopen (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autoptr (BelfryCallHistory) history = belfry_call_history_new (fixture->path);
  g_autoptr (BelfryCallRecord) older = record_at (1700000000, "sip:old@example.org", BELFRY_CALL_OUTCOME_MISSED);
  g_autoptr (BelfryCallRecord) newer = record_at (1700000600, "sip:new@example.org", BELFRY_CALL_OUTCOME_FAILED);
  g_autofree char *mode = NULL;
  g_autofree char *version = NULL;

  g_assert_null (belfry_call_history_get_error (history));
  g_assert_true (belfry_call_history_get_persistent (history));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (history)), ==, 0);
  g_signal_connect (history, "items-changed", G_CALLBACK (on_items_changed), fixture);

  belfry_call_history_add (history, newer);
  g_assert_cmpuint (fixture->changes, ==, 1);
  belfry_call_history_add (history, older);
  g_assert_cmpuint (fixture->changes, ==, 2);
  /* The older call goes after the newer one. */
  g_assert_cmpuint (fixture->last_position, ==, 1);
  g_assert_cmpuint (fixture->last_added, ==, 1);
  g_assert_true (item (history, 0) == newer);
  g_assert_cmpint (belfry_call_record_get_id (newer), >, 0);
  g_assert_finalize_object (g_steal_pointer (&history));

  history = belfry_call_history_new (fixture->path);
  g_assert_null (belfry_call_history_get_error (history));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (history)), ==, 2);
  g_assert_cmpstr (belfry_call_record_get_remote_uri (item (history, 0)), ==, "sip:new@example.org");
  g_assert_cmpstr (belfry_call_record_get_remote_uri (item (history, 1)), ==, "sip:old@example.org");
  g_assert_cmpint (belfry_call_record_get_outcome (item (history, 0)), ==, BELFRY_CALL_OUTCOME_FAILED);
  g_assert_cmpstr (belfry_call_record_get_reason (item (history, 0)), ==, "Busy Here");
  g_assert_cmpint (belfry_call_record_get_outcome (item (history, 1)), ==, BELFRY_CALL_OUTCOME_MISSED);
  g_assert_cmpint (belfry_call_record_get_direction (item (history, 1)), ==, BELFRY_CALL_DIRECTION_INCOMING);
  g_assert_cmpuint (belfry_call_record_get_duration (item (history, 1)), ==, 42);
  g_assert_cmpstr (belfry_call_record_get_remote_name (item (history, 1)), ==, "Someone");
  g_assert_cmpint (g_date_time_to_unix (belfry_call_record_get_start_time (item (history, 1))), ==, 1700000000);
  g_assert_finalize_object (g_steal_pointer (&history));

  mode = query_text (fixture->path, "PRAGMA journal_mode");
  g_assert_cmpstr (mode, ==, "wal");
  version = query_text (fixture->path, "SELECT version FROM schema_version");
  g_assert_cmpint (atoi (version), ==, BELFRY_CALL_HISTORY_SCHEMA_VERSION);
}

static void
test_delete (Fixture       *fixture,
             gconstpointer  data)
{
  g_autoptr (BelfryCallHistory) history = belfry_call_history_new (fixture->path);

  for (guint i = 0; i < 3; i++) {
    g_autoptr (BelfryCallRecord) record = record_at (1700000000 + i, "sip:a@example.org", BELFRY_CALL_OUTCOME_ANSWERED);

    belfry_call_history_add (history, record);
  }
  g_signal_connect (history, "items-changed", G_CALLBACK (on_items_changed), fixture);

  belfry_call_history_remove (history, item (history, 1));
  g_assert_cmpuint (fixture->changes, ==, 1);
  g_assert_cmpuint (fixture->last_position, ==, 1);
  g_assert_cmpuint (fixture->last_removed, ==, 1);
  g_assert_cmpuint (fixture->last_added, ==, 0);
  g_assert_finalize_object (g_steal_pointer (&history));

  history = belfry_call_history_new (fixture->path);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (history)), ==, 2);
  g_assert_cmpint (g_date_time_to_unix (belfry_call_record_get_start_time (item (history, 1))), ==, 1700000000);
  g_signal_connect (history, "items-changed", G_CALLBACK (on_items_changed), fixture);

  belfry_call_history_clear (history);
  g_assert_cmpuint (fixture->changes, ==, 2);
  g_assert_cmpuint (fixture->last_removed, ==, 2);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (history)), ==, 0);
  g_assert_finalize_object (g_steal_pointer (&history));

  history = belfry_call_history_new (fixture->path);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (history)), ==, 0);
}

static void
test_migrate (Fixture       *fixture,
              gconstpointer  data)
{
  g_autoptr (BelfryCallHistory) history = NULL;
  g_autoptr (BelfryCallRecord) record = record_at (1700001000, "sip:b@example.org", BELFRY_CALL_OUTCOME_DECLINED);
  g_autofree char *version = NULL;
  sqlite3 *db = NULL;

  /* A database as the first schema wrote it: no account column. */
  g_assert_cmpint (sqlite3_open (fixture->path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db,
                                 "CREATE TABLE schema_version (version INTEGER NOT NULL);"
                                 "INSERT INTO schema_version VALUES (1);"
                                 "CREATE TABLE calls (id INTEGER PRIMARY KEY AUTOINCREMENT, direction TEXT NOT NULL,"
                                 " remote_uri TEXT NOT NULL, remote_name TEXT, start_time INTEGER NOT NULL,"
                                 " duration INTEGER NOT NULL DEFAULT 0, outcome TEXT NOT NULL, reason TEXT);"
                                 "INSERT INTO calls (direction, remote_uri, start_time, duration, outcome)"
                                 " VALUES ('outgoing', 'sip:old@example.org', 1600000000, 7, 'answered');",
                                 NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);

  history = belfry_call_history_new (fixture->path);
  g_assert_null (belfry_call_history_get_error (history));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (history)), ==, 1);
  g_assert_cmpstr (belfry_call_record_get_remote_uri (item (history, 0)), ==, "sip:old@example.org");
  g_assert_cmpint (belfry_call_record_get_direction (item (history, 0)), ==, BELFRY_CALL_DIRECTION_OUTGOING);
  g_assert_cmpuint (belfry_call_record_get_duration (item (history, 0)), ==, 7);
  g_assert_null (belfry_call_record_get_account_id (item (history, 0)));

  belfry_call_record_set_account_id (record, "work");
  belfry_call_history_add (history, record);
  g_assert_finalize_object (g_steal_pointer (&history));

  version = query_text (fixture->path, "SELECT version FROM schema_version");
  g_assert_cmpint (atoi (version), ==, 2);

  history = belfry_call_history_new (fixture->path);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (history)), ==, 2);
  g_assert_cmpstr (belfry_call_record_get_account_id (item (history, 0)), ==, "work");
  g_assert_cmpint (belfry_call_record_get_outcome (item (history, 0)), ==, BELFRY_CALL_OUTCOME_DECLINED);
}

static void
test_corrupt (Fixture       *fixture,
              gconstpointer  data)
{
  g_autoptr (BelfryCallHistory) history = NULL;
  g_autoptr (BelfryCallRecord) record = record_at (1700000000, "sip:c@example.org", BELFRY_CALL_OUTCOME_MISSED);
  g_autoptr (GString) garbage = g_string_new (NULL);
  g_autofree char *aside = g_strconcat (fixture->path, ".broken-1", NULL);
  g_autofree char *aside2 = g_strconcat (fixture->path, ".broken-2", NULL);
  g_autofree char *kept = NULL;
  gsize length;

  for (guint i = 0; i < 512; i++)
    g_string_append (garbage, "not a database; ");
  g_assert_true (g_file_set_contents (fixture->path, garbage->str, garbage->len, NULL));

  history = belfry_call_history_new (fixture->path);
  g_assert_nonnull (belfry_call_history_get_error (history));
  g_assert_nonnull (strstr (belfry_call_history_get_error (history), aside));
  g_assert_false (belfry_call_history_get_persistent (history));
  /* The damaged file is kept, whole, beside; nothing took its name. */
  g_assert_true (g_file_get_contents (aside, &kept, &length, NULL));
  g_assert_cmpmem (kept, length, garbage->str, garbage->len);
  g_assert_false (g_file_test (fixture->path, G_FILE_TEST_EXISTS));

  /* The session goes on in memory. */
  g_signal_connect (history, "items-changed", G_CALLBACK (on_items_changed), fixture);
  belfry_call_history_add (history, record);
  g_assert_cmpuint (fixture->changes, ==, 1);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (history)), ==, 1);
  g_assert_false (g_file_test (fixture->path, G_FILE_TEST_EXISTS));
  g_assert_finalize_object (g_steal_pointer (&history));

  /* A second damaged file never replaces the first one kept. */
  g_assert_true (g_file_set_contents (fixture->path, "garbage again, longer than a header ...........", -1, NULL));
  history = belfry_call_history_new (fixture->path);
  g_assert_nonnull (belfry_call_history_get_error (history));
  g_clear_pointer (&kept, g_free);
  g_assert_true (g_file_get_contents (aside, &kept, &length, NULL));
  g_assert_cmpmem (kept, length, garbage->str, garbage->len);
  g_assert_true (g_file_test (aside2, G_FILE_TEST_IS_REGULAR));
}

static gboolean
loaded (gpointer data)
{
  return !belfry_call_history_get_loading (data);
}

/* The worker's task holds the history until the task is gone. */
static gboolean
only_ours (gpointer data)
{
  return G_OBJECT (data)->ref_count == 1;
}

/* The application reads the calls in a worker thread: a call added while
 * they are read comes first and only once, and a clear while they are read
 * leaves nothing. */
static void
test_background (Fixture       *fixture,
                 gconstpointer  data)
{
  g_autoptr (BelfryCallHistory) history = belfry_call_history_new (fixture->path);
  g_autoptr (BelfryCallRecord) newest = record_at (1800000000, "sip:newest@example.org", BELFRY_CALL_OUTCOME_MISSED);

  for (guint i = 0; i < 200; i++) {
    g_autofree char *uri = g_strdup_printf ("sip:caller%u@example.org", i);
    g_autoptr (BelfryCallRecord) record = record_at (1700000000 + i, uri, BELFRY_CALL_OUTCOME_MISSED);

    belfry_call_history_add (history, record);
  }
  g_assert_finalize_object (g_steal_pointer (&history));

  history = belfry_call_history_new_in_background (fixture->path);
  g_assert_null (belfry_call_history_get_error (history));
  g_assert_true (belfry_call_history_get_persistent (history));
  g_assert_true (belfry_call_history_get_loading (history));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (history)), ==, 0);
  g_signal_connect (history, "items-changed", G_CALLBACK (on_items_changed), fixture);
  belfry_call_history_add (history, newest);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (history)), ==, 1);

  g_assert_true (belfry_test_wait_until (loaded, history, 10000));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (history)), ==, 201);
  g_assert_cmpuint (fixture->changes, ==, 2);
  g_assert_cmpuint (fixture->last_position, ==, 0);
  g_assert_cmpuint (fixture->last_removed, ==, 1);
  g_assert_cmpuint (fixture->last_added, ==, 201);
  g_assert_true (item (history, 0) == newest);
  g_assert_cmpstr (belfry_call_record_get_remote_uri (item (history, 1)), ==, "sip:caller199@example.org");
  g_assert_cmpstr (belfry_call_record_get_remote_uri (item (history, 200)), ==, "sip:caller0@example.org");
  /* The worker thread may drop its hold on the task (and so on the
   * history) a moment after the result came in. */
  belfry_test_assert_finalized (g_steal_pointer (&history), 5000);

  /* Cleared while it is read: what is read is gone too. */
  history = belfry_call_history_new_in_background (fixture->path);
  g_assert_true (belfry_call_history_get_loading (history));
  belfry_call_history_clear (history);
  g_assert_false (belfry_call_history_get_loading (history));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (history)), ==, 0);
  /* The worker's reading ends, and changes nothing. */
  g_assert_true (belfry_test_wait_until (only_ours, history, 10000));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (history)), ==, 0);
  g_assert_finalize_object (g_steal_pointer (&history));
  history = belfry_call_history_new (fixture->path);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (history)), ==, 0);
}

static void
test_unwritable (Fixture       *fixture,
                 gconstpointer  data)
{
  g_autoptr (BelfryCallHistory) history = NULL;
  g_autoptr (BelfryCallRecord) record = record_at (1700000000, "sip:d@example.org", BELFRY_CALL_OUTCOME_ANSWERED);
  g_autofree char *blocker = g_build_filename (fixture->dir, "not-a-folder", NULL);
  g_autofree char *below = g_build_filename (blocker, "belfry", "history.db", NULL);

  /* Tests run as root, which writes anywhere: a directory in the place
   * of the database fails for root too. */
  g_assert_cmpint (g_mkdir (fixture->path, 0700), ==, 0);
  history = belfry_call_history_new (fixture->path);
  g_assert_nonnull (belfry_call_history_get_error (history));
  g_assert_false (belfry_call_history_get_persistent (history));
  belfry_call_history_add (history, record);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (history)), ==, 1);
  g_assert_true (g_file_test (fixture->path, G_FILE_TEST_IS_DIR));
  g_assert_finalize_object (g_steal_pointer (&history));

  /* So does a folder whose parent is a regular file. */
  g_assert_true (g_file_set_contents (blocker, "", 0, NULL));
  history = belfry_call_history_new (below);
  g_assert_nonnull (belfry_call_history_get_error (history));
  g_assert_nonnull (strstr (belfry_call_history_get_error (history), blocker));
  belfry_call_history_add (history, record);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (history)), ==, 1);
}

static void
test_default_path (void)
{
  g_autoptr (BelfryCallHistory) history = belfry_call_history_new (NULL);
  g_autofree char *expected = g_build_filename (g_get_user_data_dir (), "belfry", "history.db", NULL);

  g_assert_cmpstr (belfry_call_history_get_path (history), ==, expected);
  g_assert_true (g_file_test (expected, G_FILE_TEST_IS_REGULAR));
}

int
main (int    argc,
      char **argv)
{
  belfry_test_init (&argc, &argv);

  g_test_add_func ("/belfry/history/default-path", test_default_path);
  g_test_add ("/belfry/history/create-reopen", Fixture, NULL, fixture_set_up, test_create_reopen, fixture_tear_down);
  g_test_add ("/belfry/history/delete", Fixture, NULL, fixture_set_up, test_delete, fixture_tear_down);
  g_test_add ("/belfry/history/migrate", Fixture, NULL, fixture_set_up, test_migrate, fixture_tear_down);
  g_test_add ("/belfry/history/corrupt", Fixture, NULL, fixture_set_up, test_corrupt, fixture_tear_down);
  g_test_add ("/belfry/history/background", Fixture, NULL, fixture_set_up, test_background, fixture_tear_down);
  g_test_add ("/belfry/history/unwritable", Fixture, NULL, fixture_set_up, test_unwritable, fixture_tear_down);

  return g_test_run ();
}
