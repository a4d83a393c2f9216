/* SPDX-License-Identifier: GPL-3.0-or-later */

/* Rows read back from the call history database. The file is Belfry's,
 * but it lives in the user's data folder where anything may have written
 * it: an older or newer Belfry, another program, a damaged disk. The
 * harness writes a database whose schema version and rows come from the
 * input, with columns of any type (SQLite keeps what it is given), and
 * loads it through BelfryCallHistory. */
#include "belfry-fuzz.h"
#include "belfry-call-history.h"

#include <glib/gstdio.h>
#include <sqlite3.h>
#include <string.h>

#define N_COLUMNS 9
#define MAX_ROWS 8

typedef struct {
  const guint8 *data;
  gsize size;
} Input;

static guint8
take_byte (Input *input)
{
  guint8 byte;

  if (input->size == 0)
    return 0;
  byte = input->data[0];
  input->data++;
  input->size--;
  return byte;
}

static gint64
take_int64 (Input *input)
{
  guint64 value = 0;

  for (guint i = 0; i < 8; i++)
    value = (value << 8) | take_byte (input);
  return (gint64) value;
}

/* Binds the next value of the input, of the type the input chooses. */
static void
bind_value (sqlite3_stmt *statement,
            int           column,
            Input        *input)
{
  guint8 type = take_byte (input);
  gsize length;
  guint8 wanted;

  switch (type % 5) {
  case 0:
    sqlite3_bind_null (statement, column);
    break;
  case 1:
    sqlite3_bind_int64 (statement, column, take_int64 (input));
    break;
  case 2: {
    gint64 bits = take_int64 (input);
    double value;

    memcpy (&value, &bits, sizeof value);
    sqlite3_bind_double (statement, column, value);
    break;
  }
  default:
    wanted = take_byte (input);
    length = MIN (wanted, input->size);
    if (type % 5 == 3)
      sqlite3_bind_text (statement, column, (const char *) input->data, length, SQLITE_TRANSIENT);
    else
      sqlite3_bind_blob (statement, column, input->data, length, SQLITE_TRANSIENT);
    input->data += length;
    input->size -= length;
    break;
  }
}

static void
write_database (const char   *path,
                const guint8 *data,
                gsize         size)
{
  Input input = { data, size };
  sqlite3 *db = NULL;
  sqlite3_stmt *statement = NULL;
  g_autofree char *version = NULL;
  guint rows = 0;

  g_assert (sqlite3_open (path, &db) == SQLITE_OK);
  /* The columns have no types and no constraints: whatever another
   * writer may have left. The schema version is 2 (this Belfry's) for
   * most inputs, so that they reach the rows rather than the migration. */
  version = g_strdup_printf ("CREATE TABLE schema_version (version INTEGER);"
                             "INSERT INTO schema_version VALUES (%d);"
                             "CREATE TABLE calls (id, direction, remote_uri, remote_name,"
                             " start_time, duration, outcome, reason, account_id)",
                             (int) take_byte (&input) % 4);
  g_assert (sqlite3_exec (db, version, NULL, NULL, NULL) == SQLITE_OK);
  g_assert (sqlite3_prepare_v2 (db, "INSERT INTO calls VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", -1,
                                &statement, NULL) == SQLITE_OK);
  while (input.size > 0 && rows++ < MAX_ROWS) {
    for (int column = 1; column <= N_COLUMNS; column++)
      bind_value (statement, column, &input);
    sqlite3_step (statement);
    sqlite3_reset (statement);
    sqlite3_clear_bindings (statement);
  }
  sqlite3_finalize (statement);
  sqlite3_close (db);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autofree char *path = g_build_filename (belfry_fuzz_scratch_dir (), "history.db", NULL);
  g_autofree char *wal = g_strconcat (path, "-wal", NULL);
  g_autofree char *shm = g_strconcat (path, "-shm", NULL);
  g_autoptr (BelfryCallHistory) history = NULL;
  guint n;

  g_remove (path);
  g_remove (wal);
  g_remove (shm);
  write_database (path, data, size);

  history = belfry_call_history_new (path);
  n = g_list_model_get_n_items (G_LIST_MODEL (history));
  for (guint i = 0; i < n; i++) {
    g_autoptr (BelfryCallRecord) record = g_list_model_get_item (G_LIST_MODEL (history), i);
    g_autofree char *uri = NULL;

    /* What the recent-calls list shows of each. */
    belfry_call_record_get_id (record);
    belfry_call_record_get_direction (record);
    g_object_get (record, "remote-uri", &uri, NULL);
    belfry_call_record_get_remote_name (record);
    g_assert (belfry_call_record_get_start_time (record) != NULL);
    belfry_call_record_get_duration (record);
    belfry_call_record_get_outcome (record);
    belfry_call_record_get_reason (record);
    belfry_call_record_get_account_id (record);
  }

  /* Removing a row that came from the file writes to it. */
  if (n > 0) {
    g_autoptr (BelfryCallRecord) first = g_list_model_get_item (G_LIST_MODEL (history), 0);

    belfry_call_history_remove (history, first);
  }
  g_clear_object (&history);
  return 0;
}
