#define G_LOG_DOMAIN "belfry-call-history"

#include "config.h"

#include "belfry-call-history.h"
#include "belfry-call-record-private.h"

#include <errno.h>
#include <unistd.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <sqlite3.h>

/**
 * BelfryCallHistory:
 *
 * Every call, newest first, as a #GListModel of #BelfryCallRecord, kept in
 * an SQLite database (by default `$XDG_DATA_HOME/belfry/history.db`) in
 * WAL mode with a `schema_version` table; an older schema is migrated when
 * the database is opened.
 *
 * A database that cannot be used never takes the calls down with it: the
 * history then lives in memory for the session and #BelfryCallHistory:error
 * says why, for the window to show. A file that is not a database, or a
 * damaged one, is renamed aside (`history.db.broken-1`, never over an
 * existing file) and kept for the person to rescue; nothing is deleted.
 */

enum {
  PROP_0,
  PROP_ERROR,
  PROP_PATH,
  PROP_PERSISTENT,
  N_PROPS
};

static GParamSpec *props[N_PROPS];

struct _BelfryCallHistory {
  GObject parent_instance;

  char *path;
  sqlite3 *db;
  char *error;
  /* Newest first. */
  GPtrArray *records;
};

static void belfry_call_history_list_model_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (BelfryCallHistory, belfry_call_history, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL,
                                                      belfry_call_history_list_model_init))

static const char * const direction_names[] = { "incoming", "outgoing" };
static const char * const outcome_names[] = { "answered", "missed", "declined", "failed" };

static void
set_error (BelfryCallHistory *self,
           const char        *message)
{
  if (g_strcmp0 (self->error, message) == 0)
    return;

  g_free (self->error);
  self->error = g_strdup (message);
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_ERROR]);
}

static void
close_db (BelfryCallHistory *self)
{
  gboolean was_open = self->db != NULL;

  g_clear_pointer (&self->db, sqlite3_close_v2);
  if (was_open)
    g_object_notify_by_pspec (G_OBJECT (self), props[PROP_PERSISTENT]);
}

/* Writing failed in the middle of the session: keep going in memory. */
static void
lose_db (BelfryCallHistory *self,
         const char        *what)
{
  g_autofree char *message = NULL;

  g_message ("Call history: %s: %s", what, self->db ? sqlite3_errmsg (self->db) : "");
  /* Translators: %s is the path of the history file. */
  message = g_strdup_printf (_("The call history could not be saved to %s. Calls are kept until Belfry quits."),
                             self->path);
  close_db (self);
  set_error (self, message);
}

static gboolean
exec (sqlite3     *db,
      const char  *sql,
      int         *code)
{
  int rc = sqlite3_exec (db, sql, NULL, NULL, NULL);

  if (code != NULL)
    *code = rc;
  return rc == SQLITE_OK;
}

static int
read_version (sqlite3 *db,
              int     *code)
{
  sqlite3_stmt *statement = NULL;
  int version = 0;
  int rc;

  rc = sqlite3_prepare_v2 (db, "SELECT version FROM schema_version", -1, &statement, NULL);
  if (rc == SQLITE_OK) {
    rc = sqlite3_step (statement);
    if (rc == SQLITE_ROW) {
      version = sqlite3_column_int (statement, 0);
      rc = SQLITE_OK;
    } else if (rc == SQLITE_DONE) {
      rc = SQLITE_OK;
    }
  }
  sqlite3_finalize (statement);
  *code = rc;
  return version;
}

/* Brings the schema to BELFRY_CALL_HISTORY_SCHEMA_VERSION, one step at a
 * time, in one transaction. Version 1 had no account column. */
static gboolean
migrate (sqlite3 *db,
         int     *code)
{
  int version;

  if (!exec (db, "BEGIN IMMEDIATE", code))
    return FALSE;

  if (!exec (db, "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)", code))
    goto failed;

  version = read_version (db, code);
  if (*code != SQLITE_OK)
    goto failed;

  if (version > BELFRY_CALL_HISTORY_SCHEMA_VERSION) {
    /* A newer Belfry wrote it; read what we know, change nothing. */
    exec (db, "ROLLBACK", NULL);
    return TRUE;
  }

  if (version < 1) {
    if (!exec (db,
               "CREATE TABLE calls ("
               "  id INTEGER PRIMARY KEY AUTOINCREMENT,"
               "  direction TEXT NOT NULL,"
               "  remote_uri TEXT NOT NULL,"
               "  remote_name TEXT,"
               "  start_time INTEGER NOT NULL,"
               "  duration INTEGER NOT NULL DEFAULT 0,"
               "  outcome TEXT NOT NULL,"
               "  reason TEXT)", code))
      goto failed;
    if (!exec (db, "CREATE INDEX calls_by_start ON calls (start_time)", code))
      goto failed;
  }

  if (version < 2) {
    if (!exec (db, "ALTER TABLE calls ADD COLUMN account_id TEXT", code))
      goto failed;
  }

  if (version != BELFRY_CALL_HISTORY_SCHEMA_VERSION) {
    g_autofree char *sql = g_strdup_printf ("DELETE FROM schema_version;"
                                            "INSERT INTO schema_version (version) VALUES (%d)",
                                            BELFRY_CALL_HISTORY_SCHEMA_VERSION);

    if (!exec (db, sql, code))
      goto failed;
    if (version > 0)
      g_message ("Call history migrated from schema %d to %d", version, BELFRY_CALL_HISTORY_SCHEMA_VERSION);
  }

  return exec (db, "COMMIT", code);

failed:
  exec (db, "ROLLBACK", NULL);
  return FALSE;
}

static gboolean
load (BelfryCallHistory *self,
      int               *code)
{
  sqlite3_stmt *statement = NULL;
  int rc;

  rc = sqlite3_prepare_v2 (self->db,
                           "SELECT id, direction, remote_uri, remote_name, start_time, duration,"
                           " outcome, reason, account_id FROM calls ORDER BY start_time DESC, id DESC",
                           -1, &statement, NULL);
  while (statement != NULL && (rc = sqlite3_step (statement)) == SQLITE_ROW) {
    g_autoptr (GDateTime) start = NULL;
    BelfryCallRecord *record;
    BelfryCallDirection direction = BELFRY_CALL_DIRECTION_OUTGOING;
    BelfryCallOutcome outcome = BELFRY_CALL_OUTCOME_FAILED;
    const char *text;

    text = (const char *) sqlite3_column_text (statement, 1);
    for (guint i = 0; i < G_N_ELEMENTS (direction_names); i++) {
      if (g_strcmp0 (text, direction_names[i]) == 0)
        direction = i;
    }
    text = (const char *) sqlite3_column_text (statement, 6);
    for (guint i = 0; i < G_N_ELEMENTS (outcome_names); i++) {
      if (g_strcmp0 (text, outcome_names[i]) == 0)
        outcome = i;
    }
    start = g_date_time_new_from_unix_local (sqlite3_column_int64 (statement, 4));

    record = belfry_call_record_new (direction,
                                     (const char *) sqlite3_column_text (statement, 2),
                                     (const char *) sqlite3_column_text (statement, 3),
                                     start,
                                     (guint) sqlite3_column_int (statement, 5),
                                     outcome,
                                     (const char *) sqlite3_column_text (statement, 7));
    belfry_call_record_set_account_id (record, (const char *) sqlite3_column_text (statement, 8));
    belfry_call_record_set_id (record, sqlite3_column_int64 (statement, 0));
    g_ptr_array_add (self->records, record);
  }
  sqlite3_finalize (statement);

  *code = rc == SQLITE_DONE ? SQLITE_OK : rc;
  return *code == SQLITE_OK;
}

/* Renames a damaged database, and its WAL and shared-memory files, to the
 * first free "PATH.broken-N"; returns the new path, or NULL. */
static char *
move_aside (const char *path)
{
  for (guint n = 1; n < 1000; n++) {
    g_autofree char *target = g_strdup_printf ("%s.broken-%u", path, n);
    g_autofree char *target_wal = g_strconcat (target, "-wal", NULL);
    g_autofree char *target_shm = g_strconcat (target, "-shm", NULL);
    g_autofree char *wal = g_strconcat (path, "-wal", NULL);
    g_autofree char *shm = g_strconcat (path, "-shm", NULL);

    if (g_file_test (target, G_FILE_TEST_EXISTS) || g_file_test (target_wal, G_FILE_TEST_EXISTS) ||
        g_file_test (target_shm, G_FILE_TEST_EXISTS))
      continue;

    /* link() and unlink() rather than rename(), which would replace a
     * file that appeared meanwhile. */
    if (link (path, target) != 0) {
      if (errno == EEXIST)
        continue;
      return NULL;
    }
    g_unlink (path);
    if (g_file_test (wal, G_FILE_TEST_EXISTS) && link (wal, target_wal) == 0)
      g_unlink (wal);
    if (g_file_test (shm, G_FILE_TEST_EXISTS) && link (shm, target_shm) == 0)
      g_unlink (shm);
    return g_steal_pointer (&target);
  }

  return NULL;
}

static void
open_db (BelfryCallHistory *self)
{
  g_autofree char *folder = g_path_get_dirname (self->path);
  int code = SQLITE_OK;
  int rc;

  if (g_mkdir_with_parents (folder, 0700) != 0) {
    g_autofree char *message = NULL;
    int saved = errno;

    /* Translators: the first %s is a folder, the second why it cannot be made. */
    message = g_strdup_printf (_("The call history cannot be saved: the folder %s cannot be created (%s). "
                                 "Calls are kept until Belfry quits."),
                               folder, g_strerror (saved));
    set_error (self, message);
    return;
  }

  rc = sqlite3_open_v2 (self->path, &self->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL);
  if (rc == SQLITE_OK) {
    sqlite3_busy_timeout (self->db, 2000);
    sqlite3_extended_result_codes (self->db, 0);
    if (exec (self->db, "PRAGMA journal_mode=WAL", &code) && migrate (self->db, &code) && load (self, &code)) {
      g_object_notify_by_pspec (G_OBJECT (self), props[PROP_PERSISTENT]);
      return;
    }
    rc = code;
  }

  g_message ("Call history %s cannot be used: %s", self->path,
             self->db != NULL ? sqlite3_errmsg (self->db) : sqlite3_errstr (rc));
  g_clear_pointer (&self->db, sqlite3_close_v2);
  g_ptr_array_set_size (self->records, 0);

  if (rc == SQLITE_NOTADB || rc == SQLITE_CORRUPT) {
    g_autofree char *aside = move_aside (self->path);
    g_autofree char *message = NULL;

    if (aside != NULL)
      /* Translators: %s is the path the damaged file was moved to. */
      message = g_strdup_printf (_("The call history was damaged and could not be read. It was kept as %s; "
                                   "a new history starts the next time Belfry starts. Calls are kept until "
                                   "Belfry quits."),
                                 aside);
    else
      /* Translators: %s is the path of the history file. */
      message = g_strdup_printf (_("The call history %s was damaged and could not be read. It was left as it "
                                   "is; calls are kept until Belfry quits."),
                                 self->path);
    set_error (self, message);
  } else {
    /* Translators: the first %s is the path of the history file, the second why it cannot be used. */
    g_autofree char *message = g_strdup_printf (_("The call history cannot be saved to %s (%s). Calls are kept "
                                                  "until Belfry quits."),
                                                self->path, sqlite3_errstr (rc));

    set_error (self, message);
  }
}

static gint
compare_newest_first (BelfryCallRecord *a,
                      BelfryCallRecord *b)
{
  return g_date_time_compare (belfry_call_record_get_start_time (b), belfry_call_record_get_start_time (a));
}

static GType
belfry_call_history_get_item_type (GListModel *model)
{
  return BELFRY_TYPE_CALL_RECORD;
}

static guint
belfry_call_history_get_n_items (GListModel *model)
{
  return BELFRY_CALL_HISTORY (model)->records->len;
}

static gpointer
belfry_call_history_get_item (GListModel *model,
                              guint       position)
{
  BelfryCallHistory *self = BELFRY_CALL_HISTORY (model);

  if (position >= self->records->len)
    return NULL;
  return g_object_ref (g_ptr_array_index (self->records, position));
}

static void
belfry_call_history_list_model_init (GListModelInterface *iface)
{
  iface->get_item_type = belfry_call_history_get_item_type;
  iface->get_n_items = belfry_call_history_get_n_items;
  iface->get_item = belfry_call_history_get_item;
}

static void
belfry_call_history_get_property (GObject    *object,
                                  guint       prop_id,
                                  GValue     *value,
                                  GParamSpec *pspec)
{
  BelfryCallHistory *self = BELFRY_CALL_HISTORY (object);

  switch (prop_id) {
  case PROP_ERROR:
    g_value_set_string (value, self->error);
    break;
  case PROP_PATH:
    g_value_set_string (value, self->path);
    break;
  case PROP_PERSISTENT:
    g_value_set_boolean (value, self->db != NULL);
    break;
  default:
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
  }
}

static void
belfry_call_history_set_property (GObject      *object,
                                  guint         prop_id,
                                  const GValue *value,
                                  GParamSpec   *pspec)
{
  BelfryCallHistory *self = BELFRY_CALL_HISTORY (object);

  switch (prop_id) {
  case PROP_PATH:
    self->path = g_value_dup_string (value);
    break;
  default:
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
  }
}

static void
belfry_call_history_constructed (GObject *object)
{
  BelfryCallHistory *self = BELFRY_CALL_HISTORY (object);

  G_OBJECT_CLASS (belfry_call_history_parent_class)->constructed (object);

  if (self->path == NULL)
    self->path = g_build_filename (g_get_user_data_dir (), "belfry", "history.db", NULL);

  open_db (self);
}

static void
belfry_call_history_finalize (GObject *object)
{
  BelfryCallHistory *self = BELFRY_CALL_HISTORY (object);

  g_clear_pointer (&self->db, sqlite3_close_v2);
  g_ptr_array_unref (self->records);
  g_free (self->path);
  g_free (self->error);

  G_OBJECT_CLASS (belfry_call_history_parent_class)->finalize (object);
}

static void
belfry_call_history_class_init (BelfryCallHistoryClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->get_property = belfry_call_history_get_property;
  object_class->set_property = belfry_call_history_set_property;
  object_class->constructed = belfry_call_history_constructed;
  object_class->finalize = belfry_call_history_finalize;

  /**
   * BelfryCallHistory:path:
   *
   * The database file.
   */
  props[PROP_PATH] =
    g_param_spec_string ("path", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  /**
   * BelfryCallHistory:error:
   *
   * Why the history is not saved, in words for people; %NULL while it
   * is.
   */
  props[PROP_ERROR] =
    g_param_spec_string ("error", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * BelfryCallHistory:persistent:
   *
   * Whether calls are written to the database.
   */
  props[PROP_PERSISTENT] =
    g_param_spec_boolean ("persistent", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, props);
}

static void
belfry_call_history_init (BelfryCallHistory *self)
{
  self->records = g_ptr_array_new_with_free_func (g_object_unref);
}

/**
 * belfry_call_history_new:
 * @path: (nullable): the database, or %NULL for `$XDG_DATA_HOME/belfry/history.db`
 *
 * Opens the history, creating or migrating the database as needed. It
 * never fails: see #BelfryCallHistory:error.
 *
 * Returns: (transfer full): a new #BelfryCallHistory
 */
BelfryCallHistory *
belfry_call_history_new (const char *path)
{
  return g_object_new (BELFRY_TYPE_CALL_HISTORY, "path", path, NULL);
}

const char *
belfry_call_history_get_path (BelfryCallHistory *self)
{
  g_return_val_if_fail (BELFRY_IS_CALL_HISTORY (self), NULL);

  return self->path;
}

/**
 * belfry_call_history_get_error:
 * @self: a history
 *
 * Returns: (nullable): #BelfryCallHistory:error
 */
const char *
belfry_call_history_get_error (BelfryCallHistory *self)
{
  g_return_val_if_fail (BELFRY_IS_CALL_HISTORY (self), NULL);

  return self->error;
}

gboolean
belfry_call_history_get_persistent (BelfryCallHistory *self)
{
  g_return_val_if_fail (BELFRY_IS_CALL_HISTORY (self), FALSE);

  return self->db != NULL;
}

/**
 * belfry_call_history_add:
 * @self: a history
 * @record: a record that is in no history yet
 *
 * Stores @record and shows it in its place by start time (a new call
 * comes first).
 */
void
belfry_call_history_add (BelfryCallHistory *self,
                         BelfryCallRecord  *record)
{
  guint position = 0;

  g_return_if_fail (BELFRY_IS_CALL_HISTORY (self));
  g_return_if_fail (BELFRY_IS_CALL_RECORD (record));

  if (self->db != NULL) {
    sqlite3_stmt *statement = NULL;
    int rc;

    rc = sqlite3_prepare_v2 (self->db,
                             "INSERT INTO calls (direction, remote_uri, remote_name, start_time, duration,"
                             " outcome, reason, account_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                             -1, &statement, NULL);
    if (rc == SQLITE_OK) {
      sqlite3_bind_text (statement, 1, direction_names[belfry_call_record_get_direction (record)], -1, SQLITE_STATIC);
      sqlite3_bind_text (statement, 2, belfry_call_record_get_remote_uri (record), -1, SQLITE_TRANSIENT);
      sqlite3_bind_text (statement, 3, belfry_call_record_get_remote_name (record), -1, SQLITE_TRANSIENT);
      sqlite3_bind_int64 (statement, 4, g_date_time_to_unix (belfry_call_record_get_start_time (record)));
      sqlite3_bind_int64 (statement, 5, belfry_call_record_get_duration (record));
      sqlite3_bind_text (statement, 6, outcome_names[belfry_call_record_get_outcome (record)], -1, SQLITE_STATIC);
      sqlite3_bind_text (statement, 7, belfry_call_record_get_reason (record), -1, SQLITE_TRANSIENT);
      sqlite3_bind_text (statement, 8, belfry_call_record_get_account_id (record), -1, SQLITE_TRANSIENT);
      rc = sqlite3_step (statement);
    }
    sqlite3_finalize (statement);

    if (rc == SQLITE_DONE)
      belfry_call_record_set_id (record, sqlite3_last_insert_rowid (self->db));
    else
      lose_db (self, "cannot add a call");
  }

  while (position < self->records->len &&
         compare_newest_first (g_ptr_array_index (self->records, position), record) <= 0)
    position++;

  g_ptr_array_insert (self->records, position, g_object_ref (record));
  g_list_model_items_changed (G_LIST_MODEL (self), position, 0, 1);
}

/**
 * belfry_call_history_remove:
 * @self: a history
 * @record: a record of @self
 *
 * Deletes one call.
 */
void
belfry_call_history_remove (BelfryCallHistory *self,
                            BelfryCallRecord  *record)
{
  guint position;

  g_return_if_fail (BELFRY_IS_CALL_HISTORY (self));
  g_return_if_fail (BELFRY_IS_CALL_RECORD (record));

  if (!g_ptr_array_find (self->records, record, &position))
    return;

  if (self->db != NULL && belfry_call_record_get_id (record) > 0) {
    sqlite3_stmt *statement = NULL;
    int rc;

    rc = sqlite3_prepare_v2 (self->db, "DELETE FROM calls WHERE id = ?", -1, &statement, NULL);
    if (rc == SQLITE_OK) {
      sqlite3_bind_int64 (statement, 1, belfry_call_record_get_id (record));
      rc = sqlite3_step (statement);
    }
    sqlite3_finalize (statement);
    if (rc != SQLITE_DONE)
      lose_db (self, "cannot delete a call");
  }

  g_ptr_array_remove_index (self->records, position);
  g_list_model_items_changed (G_LIST_MODEL (self), position, 1, 0);
}

/**
 * belfry_call_history_clear:
 * @self: a history
 *
 * Deletes every call.
 */
void
belfry_call_history_clear (BelfryCallHistory *self)
{
  guint removed;

  g_return_if_fail (BELFRY_IS_CALL_HISTORY (self));

  if (self->db != NULL && !exec (self->db, "DELETE FROM calls", NULL))
    lose_db (self, "cannot delete the calls");

  removed = self->records->len;
  if (removed == 0)
    return;

  g_ptr_array_set_size (self->records, 0);
  g_list_model_items_changed (G_LIST_MODEL (self), 0, removed, 0);
}
