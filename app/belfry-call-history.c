/* SPDX-License-Identifier: GPL-3.0-or-later */

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
  PROP_BACKGROUND,
  PROP_LOADING,
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
  /* Reading the calls in a worker thread (BelfryCallHistory:loading);
   * a clear() meanwhile makes what it reads stale. */
  gboolean background;
  gboolean loading;
  guint load_generation;
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

/* Appends the calls of @db whose id is at most @last_id to @records,
 * newest first. It touches nothing but its arguments, so that a worker
 * thread can read with a connection of its own. */
static gboolean
read_records (sqlite3   *db,
              gint64     last_id,
              GPtrArray *records,
              int       *code)
{
  sqlite3_stmt *statement = NULL;
  int rc;

  rc = sqlite3_prepare_v2 (db,
                           "SELECT id, direction, remote_uri, remote_name, start_time, duration,"
                           " outcome, reason, account_id FROM calls WHERE id <= ?"
                           " ORDER BY start_time DESC, id DESC",
                           -1, &statement, NULL);
  if (statement != NULL)
    sqlite3_bind_int64 (statement, 1, last_id);
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
    g_ptr_array_add (records, record);
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

static void fail_db (BelfryCallHistory *self,
                     int                rc);
static void load_in_background (BelfryCallHistory *self);

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
    if (exec (self->db, "PRAGMA journal_mode=WAL", &code) && migrate (self->db, &code) &&
        (self->background || read_records (self->db, G_MAXINT64, self->records, &code))) {
      g_object_notify_by_pspec (G_OBJECT (self), props[PROP_PERSISTENT]);
      if (self->background)
        load_in_background (self);
      return;
    }
    rc = code;
  }

  g_ptr_array_set_size (self->records, 0);
  fail_db (self, rc);
}

/* The database cannot be used: the calls live in memory from now on, and
 * a damaged file is moved aside, never deleted. */
static void
fail_db (BelfryCallHistory *self,
         int                rc)
{
  gboolean was_open = self->db != NULL;

  g_message ("Call history %s cannot be used: %s", self->path,
             self->db != NULL ? sqlite3_errmsg (self->db) : sqlite3_errstr (rc));
  g_clear_pointer (&self->db, sqlite3_close_v2);
  if (was_open)
    g_object_notify_by_pspec (G_OBJECT (self), props[PROP_PERSISTENT]);

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

typedef struct {
  char *path;
  gint64 last_id;
  guint generation;
  GPtrArray *records;
  int code;
} Load;

static void
load_free (Load *load)
{
  g_free (load->path);
  g_clear_pointer (&load->records, g_ptr_array_unref);
  g_free (load);
}

/* In a worker thread, with a read-only connection of its own. */
static void
read_in_thread (GTask        *task,
                gpointer      source_object,
                gpointer      task_data,
                GCancellable *cancellable)
{
  Load *load = task_data;
  sqlite3 *db = NULL;

  load->code = sqlite3_open_v2 (load->path, &db, SQLITE_OPEN_READONLY, NULL);
  if (load->code == SQLITE_OK) {
    sqlite3_busy_timeout (db, 2000);
    sqlite3_extended_result_codes (db, 0);
    read_records (db, load->last_id, load->records, &load->code);
  }
  sqlite3_close_v2 (db);
  g_task_return_boolean (task, TRUE);
}

static void
set_loading (BelfryCallHistory *self,
             gboolean           loading)
{
  if (self->loading == loading)
    return;
  self->loading = loading;
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_LOADING]);
}

static void
read_done (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  BelfryCallHistory *self = BELFRY_CALL_HISTORY (source);
  Load *load = g_task_get_task_data (G_TASK (result));
  g_autoptr (GPtrArray) records = NULL;
  guint before = self->records->len;

  /* Everything was deleted while it was being read. */
  if (load->generation != self->load_generation)
    return;

  if (load->code != SQLITE_OK) {
    if (self->db != NULL)
      fail_db (self, load->code);
    set_loading (self, FALSE);
    return;
  }

  /* The calls added meanwhile (newer, and not read: their ids are higher)
   * go in among those read, in their places by start time. */
  records = g_steal_pointer (&load->records);
  for (guint i = 0; i < self->records->len; i++) {
    BelfryCallRecord *record = g_ptr_array_index (self->records, i);
    guint position = 0;

    while (position < records->len &&
           compare_newest_first (g_ptr_array_index (records, position), record) <= 0)
      position++;
    g_ptr_array_insert (records, position, g_object_ref (record));
  }
  g_ptr_array_unref (self->records);
  self->records = g_steal_pointer (&records);
  set_loading (self, FALSE);
  g_list_model_items_changed (G_LIST_MODEL (self), 0, before, self->records->len);
}

static gboolean
start_reading (gpointer data)
{
  g_autoptr (GTask) task = data;

  g_task_run_in_thread (task, read_in_thread);
  return G_SOURCE_REMOVE;
}

/* Reads the calls in a worker thread; the calls added meanwhile are not
 * read again, as only the ids there are now are. */
static void
load_in_background (BelfryCallHistory *self)
{
  g_autoptr (GTask) task = g_task_new (self, NULL, read_done, NULL);
  Load *load = g_new0 (Load, 1);
  sqlite3_stmt *statement = NULL;

  load->path = g_strdup (self->path);
  load->generation = self->load_generation;
  load->records = g_ptr_array_new_with_free_func (g_object_unref);
  if (sqlite3_prepare_v2 (self->db, "SELECT COALESCE(MAX(id), 0) FROM calls", -1, &statement, NULL) == SQLITE_OK &&
      sqlite3_step (statement) == SQLITE_ROW)
    load->last_id = sqlite3_column_int64 (statement, 0);
  sqlite3_finalize (statement);

  g_task_set_task_data (task, load, (GDestroyNotify) load_free);
  set_loading (self, TRUE);
  /* From the main loop's first idle moment: an application opening its
   * window reads its history once the window is up, not on the way to it,
   * where the worker would take the second core from the window system. */
  g_idle_add_full (G_PRIORITY_DEFAULT_IDLE, start_reading, g_steal_pointer (&task), NULL);
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
  case PROP_BACKGROUND:
    g_value_set_boolean (value, self->background);
    break;
  case PROP_LOADING:
    g_value_set_boolean (value, self->loading);
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
  case PROP_BACKGROUND:
    self->background = g_value_get_boolean (value);
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

  /**
   * BelfryCallHistory:background:
   *
   * Whether the calls are read in a worker thread, so that a long history
   * does not hold up the caller; #BelfryCallHistory:loading says when
   * they are all there.
   */
  props[PROP_BACKGROUND] =
    g_param_spec_boolean ("background", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  /**
   * BelfryCallHistory:loading:
   *
   * Whether the calls saved before are still being read: until then the
   * history holds only the calls added since it was opened.
   */
  props[PROP_LOADING] =
    g_param_spec_boolean ("loading", NULL, NULL, FALSE,
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

/**
 * belfry_call_history_new_in_background:
 * @path: (nullable): the database, or %NULL for `$XDG_DATA_HOME/belfry/history.db`
 *
 * Opens the history like belfry_call_history_new(), but reads the calls
 * saved before in a worker thread: they come in one #GListModel::items-changed
 * when #BelfryCallHistory:loading turns %FALSE. Calls can be added, removed
 * and cleared meanwhile.
 *
 * Returns: (transfer full): a new #BelfryCallHistory
 */
BelfryCallHistory *
belfry_call_history_new_in_background (const char *path)
{
  return g_object_new (BELFRY_TYPE_CALL_HISTORY, "path", path, "background", TRUE, NULL);
}

gboolean
belfry_call_history_get_loading (BelfryCallHistory *self)
{
  g_return_val_if_fail (BELFRY_IS_CALL_HISTORY (self), FALSE);

  return self->loading;
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
  /* What a worker thread is still reading is deleted too. */
  self->load_generation++;
  set_loading (self, FALSE);

  removed = self->records->len;
  if (removed == 0)
    return;

  g_ptr_array_set_size (self->records, 0);
  g_list_model_items_changed (G_LIST_MODEL (self), 0, removed, 0);
}
