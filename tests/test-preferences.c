/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <adwaita.h>
#include <glib/gstdio.h>
#include <libsecret/secret.h>
#include <signal.h>
#include <string.h>

#include "belfry-account-editor.h"
#include "belfry-preferences-window.h"
#include "belfry-keyring.h"
#include "belfry-test-env.h"

/* The preferences window, driven through its own actions and widgets,
 * with a real account manager and a real Secret Service (gnome-keyring,
 * started on the test's private session bus). Every log line of the
 * process is recorded, so that a password that leaks into one is found. */

#define PASSWORD "pw-Xq7-belfry-hunter2"
#define OTHER_PASSWORD "pw-never-stored-9Kz"

static GSubprocess *pulse;
static char *pulse_dir;
static GMutex log_lock;
static GString *log_record;

/* The schema the account layer stores passwords under, written out here
 * so that the lookup does not go through the code under test. */
static const SecretSchema account_secret_schema = {
  "org.belfry.Belfry.Account", SECRET_SCHEMA_NONE,
  {
    { "account-id", SECRET_SCHEMA_ATTRIBUTE_STRING },
    { NULL, 0 },
  },
};

static GLogWriterOutput
record_writer (GLogLevelFlags   level,
               const GLogField *fields,
               gsize            n_fields,
               gpointer         user_data)
{
  g_mutex_lock (&log_lock);
  for (gsize i = 0; i < n_fields; i++) {
    g_string_append (log_record, fields[i].key);
    g_string_append_c (log_record, '=');
    if (fields[i].length < 0)
      g_string_append (log_record, fields[i].value);
    else
      g_string_append_len (log_record, fields[i].value, fields[i].length);
    g_string_append_c (log_record, ' ');
  }
  g_string_append_c (log_record, '\n');
  g_mutex_unlock (&log_lock);

  /* Everything is recorded; only what matters is printed. */
  if (level & (G_LOG_LEVEL_DEBUG | G_LOG_LEVEL_INFO))
    return G_LOG_WRITER_HANDLED;
  return g_log_writer_default (level, fields, n_fields, user_data);
}

static gboolean
log_contains (const char *text)
{
  gboolean found;

  g_mutex_lock (&log_lock);
  found = strstr (log_record->str, text) != NULL;
  g_mutex_unlock (&log_lock);
  return found;
}

static gboolean
file_exists (gpointer data)
{
  return g_file_test (data, G_FILE_TEST_EXISTS);
}

/* A PulseAudio daemon with a null sink and a source on its monitor, so
 * that the media engine lists real devices to choose from. Without
 * pulseaudio, only the system's default is offered. */
static void
start_pulse (void)
{
  g_autofree char *program = g_find_program_in_path ("pulseaudio");
  g_autofree char *script = NULL;
  g_autofree char *script_path = NULL;
  g_autofree char *socket = NULL;
  g_autoptr (GError) error = NULL;

  if (program == NULL)
    return;

  pulse_dir = g_dir_make_tmp ("belfry-prefs-pulse-XXXXXX", &error);
  g_assert_no_error (error);
  socket = g_build_filename (pulse_dir, "native", NULL);
  script_path = g_build_filename (pulse_dir, "belfry.pa", NULL);
  script = g_strdup_printf (
    "load-module module-native-protocol-unix auth-anonymous=1 socket=%s\n"
    "load-module module-null-sink sink_name=belfry_null "
    "sink_properties=device.description=Belfry-Speaker\n"
    "load-module module-remap-source source_name=belfry_mic master=belfry_null.monitor "
    "source_properties=device.description=Belfry-Microphone\n", socket);
  g_assert_true (g_file_set_contents (script_path, script, -1, &error));

  pulse = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE | G_SUBPROCESS_FLAGS_STDERR_SILENCE,
                            &error, program, "--daemonize=no", "-n", "-F", script_path,
                            "--exit-idle-time=-1", "--use-pid-file=no", "--disable-shm=yes", NULL);
  g_assert_no_error (error);
  if (!belfry_test_wait_until (file_exists, socket, 10000))
    g_error ("pulseaudio made no socket");
  g_setenv ("PULSE_SERVER", socket, TRUE);
}

static void
stop_pulse (void)
{
  g_autofree char *socket = NULL;
  g_autofree char *script_path = NULL;

  if (pulse == NULL)
    return;

  g_subprocess_send_signal (pulse, SIGTERM);
  g_subprocess_wait (pulse, NULL, NULL);
  g_clear_object (&pulse);
  socket = g_build_filename (pulse_dir, "native", NULL);
  script_path = g_build_filename (pulse_dir, "belfry.pa", NULL);
  g_unlink (socket);
  g_unlink (script_path);
  g_rmdir (pulse_dir);
  g_clear_pointer (&pulse_dir, g_free);
}

/* The password as the Secret Service has it, looked up without Belfry. */
static char *
lookup_secret (const char *account_id)
{
  g_autoptr (GError) error = NULL;
  char *secret;
  char *copy;

  secret = secret_password_lookup_sync (&account_secret_schema, NULL, &error,
                                        "account-id", account_id, NULL);
  g_assert_no_error (error);
  copy = g_strdup (secret);
  secret_password_free (secret);
  return copy;
}

static GtkWidget *
find_widget (GtkWidget *root,
             GType      type)
{
  if (G_TYPE_CHECK_INSTANCE_TYPE (root, type))
    return root;

  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL;
       child = gtk_widget_get_next_sibling (child)) {
    GtkWidget *found = find_widget (child, type);

    if (found != NULL)
      return found;
  }
  return NULL;
}

static gboolean
no_editor (gpointer data)
{
  return find_widget (data, BELFRY_TYPE_ACCOUNT_EDITOR) == NULL;
}

static gboolean
editor_shown (gpointer data)
{
  GtkWidget *editor = find_widget (data, BELFRY_TYPE_ACCOUNT_EDITOR);

  return editor != NULL && gtk_widget_get_mapped (editor);
}

static GtkWidget *
open_editor (GtkWidget  *window,
             const char *action,
             const char *account_id)
{
  /* A closed editor leaves after its transition; wait for that first. */
  g_assert_true (belfry_test_wait_until (no_editor, window, 5000));
  if (account_id != NULL)
    g_assert_true (gtk_widget_activate_action (window, action, "s", account_id));
  else
    g_assert_true (gtk_widget_activate_action (window, action, NULL));
  g_assert_true (belfry_test_wait_until (editor_shown, window, 5000));
  return find_widget (window, BELFRY_TYPE_ACCOUNT_EDITOR);
}

static gpointer
child (GtkWidget  *widget,
       GType       type,
       const char *name)
{
  GObject *object = gtk_widget_get_template_child (widget, type, name);

  g_assert_nonnull (object);
  return object;
}

static gpointer
editor_child (GtkWidget  *editor,
              const char *name)
{
  return child (editor, BELFRY_TYPE_ACCOUNT_EDITOR, name);
}

static void
set_field (GtkWidget  *editor,
           const char *name,
           const char *text)
{
  gtk_editable_set_text (GTK_EDITABLE (editor_child (editor, name)), text);
}

static const char *
field_text (GtkWidget  *editor,
            const char *name)
{
  return gtk_editable_get_text (GTK_EDITABLE (editor_child (editor, name)));
}

static gboolean
editor_idle (gpointer data)
{
  return !belfry_account_editor_get_busy (data);
}

static gboolean
secret_is (gpointer data)
{
  const char **wait = data;
  g_autofree char *secret = lookup_secret (wait[0]);

  return g_strcmp0 (secret, wait[1]) == 0;
}

/* Every value of every key of @settings, printed. */
static char *
dump_settings (GSettings *settings)
{
  g_autoptr (GSettingsSchema) schema = NULL;
  g_auto (GStrv) keys = NULL;
  GString *dump = g_string_new (NULL);

  g_object_get (settings, "settings-schema", &schema, NULL);
  keys = g_settings_schema_list_keys (schema);
  for (guint i = 0; keys[i] != NULL; i++) {
    g_autoptr (GVariant) value = g_settings_get_value (settings, keys[i]);
    g_autofree char *text = g_variant_print (value, FALSE);

    g_string_append_printf (dump, "%s=%s\n", keys[i], text);
  }
  return g_string_free (dump, FALSE);
}

static BelfryAccountManager *
manager_new (GSettings         *settings,
             BelfryMediaEngine *engine)
{
  return belfry_account_manager_new (settings, BELFRY_SESSION_DESCRIPTION_HANDLER_FACTORY (engine),
                                     "127.0.0.1", 0);
}

static gboolean
window_gone (gpointer data)
{
  return *(gpointer *) data == NULL;
}

static void
destroy_window (GtkWidget *window)
{
  gpointer weak = window;

  g_object_add_weak_pointer (G_OBJECT (window), &weak);
  gtk_window_destroy (GTK_WINDOW (window));
  g_assert_true (belfry_test_wait_until (window_gone, &weak, 5000));
}

/* Sensitive again once the change it started is done. */
static gboolean
switch_usable (gpointer data)
{
  return gtk_widget_get_sensitive (data);
}

static void
test_templates (void)
{
  g_autoptr (GSettings) settings = g_settings_new ("org.belfry.Belfry");
  g_autoptr (BelfryMediaEngine) engine = belfry_media_engine_new ();
  g_autoptr (BelfryAccountManager) manager = NULL;
  g_autoptr (BelfryAccount) account = belfry_account_new ("templates");
  GtkWidget *window, *editor;
  static const char * const window_children[] = {
    "add_button", "accounts_list", "microphone_row", "speaker_row", "ringer_row", "codecs_list",
    "background_switch", "login_row", "login_switch",
  };
  static const char * const editor_children[] = {
    "window_title", "apply_button", "address_row", "display_name_row", "enabled_switch",
    "address_error_label", "username_row", "password_row", "password_entry", "password_error_label",
    "registrar_row", "proxy_row", "transport_row", "srtp_row", "srtp_without_tls_row", "srtp_without_tls_switch",
    "server_error_label",
    "remove_button",
  };

  g_settings_set_strv (settings, "accounts", NULL);
  manager = manager_new (settings, engine);

  window = belfry_preferences_window_new (manager, settings, engine);
  g_assert_true (ADW_IS_PREFERENCES_WINDOW (window));
  for (guint i = 0; i < G_N_ELEMENTS (window_children); i++)
    child (window, BELFRY_TYPE_PREFERENCES_WINDOW, window_children[i]);
  destroy_window (window);

  /* The editor, both to add and to edit. */
  editor = g_object_ref_sink (belfry_account_editor_new (manager, NULL));
  for (guint i = 0; i < G_N_ELEMENTS (editor_children); i++)
    editor_child (editor, editor_children[i]);
  g_assert_null (belfry_account_editor_get_account (BELFRY_ACCOUNT_EDITOR (editor)));
  g_assert_finalize_object (editor);

  belfry_account_set_sip_address (account, "sip:carol@example.org");
  editor = g_object_ref_sink (belfry_account_editor_new (manager, account));
  g_assert_cmpstr (field_text (editor, "address_row"), ==, "sip:carol@example.org");
  g_assert_true (belfry_test_wait_until (editor_idle, editor, 5000));
  /* The password lookup it started holds it for a moment. */
  belfry_test_assert_finalized (editor, 10000);
}

static gboolean
password_said_stored (gpointer data)
{
  return g_str_has_prefix (adw_action_row_get_subtitle (data), "Stored in your keyring");
}

static gboolean
dialog_shown (gpointer data)
{
  GtkWidget **dialog = data;
  g_autoptr (GList) toplevels = gtk_window_list_toplevels ();

  *dialog = NULL;
  for (GList *l = toplevels; l != NULL; l = l->next) {
    if (ADW_IS_MESSAGE_DIALOG (l->data) && gtk_widget_get_visible (l->data))
      *dialog = l->data;
  }
  return *dialog != NULL;
}

static gboolean
no_accounts (gpointer data)
{
  return g_list_model_get_n_items (data) == 0;
}

static void
check_bad_input (GtkWidget  *window,
                 GSettings  *account_settings,
                 const char *account_id,
                 const char *field,
                 const char *text)
{
  const char *error_label = g_str_equal (field, "address_row") ? "address_error_label"
                                                                : "server_error_label";
  g_autofree char *before = dump_settings (account_settings);
  g_autofree char *after = NULL;
  g_autofree char *secret = NULL;
  GtkWidget *editor = open_editor (window, "prefs.edit-account", account_id);
  GtkWidget *row = editor_child (editor, field);

  set_field (editor, field, text);
  /* A password typed with bad input is not stored either. */
  set_field (editor, "password_entry", OTHER_PASSWORD);
  g_assert_true (gtk_widget_activate_action (editor, "editor.apply", NULL));

  g_assert_true (gtk_widget_has_css_class (row, "error"));
  g_assert_true (gtk_widget_get_visible (editor_child (editor, error_label)));
  g_assert_cmpstr (gtk_label_get_label (editor_child (editor, error_label)), !=, "");
  g_assert_false (belfry_account_editor_get_busy (BELFRY_ACCOUNT_EDITOR (editor)));
  /* Still open, for a correction. */
  g_assert_true (find_widget (window, BELFRY_TYPE_ACCOUNT_EDITOR) == editor);

  after = dump_settings (account_settings);
  g_assert_cmpstr (before, ==, after);
  secret = lookup_secret (account_id);
  g_assert_cmpstr (secret, ==, PASSWORD);

  /* Typing again takes the complaint away. */
  set_field (editor, field, "sip:x@example.org");
  g_assert_false (gtk_widget_has_css_class (row, "error"));
  g_assert_true (gtk_widget_activate_action (editor, "editor.cancel", NULL));
}

static void
test_account (void)
{
  g_autoptr (GSettings) settings = g_settings_new ("org.belfry.Belfry");
  g_autoptr (BelfryMediaEngine) engine = belfry_media_engine_new ();
  g_autoptr (BelfryAccountManager) manager = NULL;
  g_autofree char *typed = NULL;
  g_autofree char *expected = NULL;
  g_autofree char *secret = NULL;
  g_autofree char *id = NULL;
  g_autofree char *main_dump = NULL;
  g_autofree char *account_dump = NULL;
  GtkWidget *window, *editor, *dialog = NULL;
  GtkWidget *row_widget;
  GtkListBox *list;
  GtkListBoxRow *row;
  BelfryAccount *account;
  GSettings *account_settings;
  int port = belfry_test_free_port ("127.0.0.1");
  const char *wait[2];

  g_settings_set_strv (settings, "accounts", NULL);
  manager = manager_new (settings, engine);
  window = belfry_preferences_window_new (manager, settings, engine);
  gtk_window_present (GTK_WINDOW (window));
  list = child (window, BELFRY_TYPE_PREFERENCES_WINDOW, "accounts_list");
  g_assert_null (gtk_list_box_get_row_at_index (list, 0));

  /* Add one through the window's own action and form; typed without a
   * scheme, as people do. */
  editor = open_editor (window, "prefs.add-account", NULL);
  typed = g_strdup_printf ("alice@127.0.0.1:%d", port);
  expected = g_strdup_printf ("sip:alice@127.0.0.1:%d", port);
  set_field (editor, "address_row", typed);
  set_field (editor, "display_name_row", "Alice Example");
  set_field (editor, "password_entry", PASSWORD);
  /* Keys over signaling that is not TLS: a choice only with SRTP and
   * without TLS. */
  g_assert_false (gtk_widget_get_sensitive (editor_child (editor, "srtp_without_tls_row")));
  adw_combo_row_set_selected (editor_child (editor, "srtp_row"), BELFRY_MEDIA_SRTP_OPTIONAL);
  g_assert_true (gtk_widget_get_sensitive (editor_child (editor, "srtp_without_tls_row")));
  adw_combo_row_set_selected (editor_child (editor, "transport_row"), BELFRY_TRANSPORT_TLS);
  g_assert_false (gtk_widget_get_sensitive (editor_child (editor, "srtp_without_tls_row")));
  adw_combo_row_set_selected (editor_child (editor, "transport_row"), BELFRY_TRANSPORT_UDP);
  g_assert_true (gtk_widget_get_sensitive (editor_child (editor, "srtp_without_tls_row")));
  gtk_switch_set_active (GTK_SWITCH (editor_child (editor, "srtp_without_tls_switch")), TRUE);
  g_object_ref (editor);
  g_assert_true (gtk_widget_activate_action (editor, "editor.apply", NULL));
  g_assert_true (belfry_test_wait_until (editor_idle, editor, 10000));
  /* Saved: the field forgets the password, and the editor closes. */
  g_assert_cmpstr (field_text (editor, "password_entry"), ==, "");
  g_assert_false (gtk_widget_get_visible (editor_child (editor, "password_error_label")));
  g_object_unref (editor);

  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (manager)), ==, 1);
  account = g_list_model_get_item (G_LIST_MODEL (manager), 0);
  g_object_unref (account);
  id = g_strdup (belfry_account_get_id (account));
  account_settings = belfry_account_get_settings (account);
  g_assert_cmpstr (belfry_account_get_sip_address (account), ==, expected);
  g_assert_cmpstr (belfry_account_get_display_name (account), ==, "Alice Example");
  g_assert_cmpint (belfry_account_get_srtp (account), ==, BELFRY_MEDIA_SRTP_OPTIONAL);
  g_assert_cmpint (g_settings_get_enum (account_settings, "srtp"), ==, BELFRY_MEDIA_SRTP_OPTIONAL);
  g_assert_true (belfry_account_get_allow_srtp_without_tls (account));
  g_assert_true (g_settings_get_boolean (account_settings, "allow-srtp-without-tls"));
  g_assert_true (belfry_account_get_enabled (account));

  /* Its row: the name, and the status in words, following the account. */
  row = gtk_list_box_get_row_at_index (list, 0);
  g_assert_nonnull (row);
  g_assert_cmpstr (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row)), ==, "Alice Example");
  g_assert_cmpstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (row)), ==,
                   belfry_account_get_status_message (account));
  belfry_account_set_display_name (account, "");
  g_assert_cmpstr (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row)), ==, expected);
  belfry_account_set_display_name (account, "Alice Example");

  /* The password is in the Secret Service... */
  wait[0] = id;
  wait[1] = PASSWORD;
  g_assert_true (belfry_test_wait_until (secret_is, wait, 10000));

  /* ...and in no settings key, and in no log line. */
  main_dump = dump_settings (settings);
  account_dump = dump_settings (account_settings);
  g_assert_null (strstr (main_dump, PASSWORD));
  g_assert_null (strstr (account_dump, PASSWORD));
  g_assert_true (strstr (main_dump, id) != NULL);
  g_assert_true (strstr (account_dump, expected) != NULL);

  /* The editor says one is stored, and shows nothing of it. */
  editor = open_editor (window, "prefs.edit-account", id);
  row_widget = editor_child (editor, "password_row");
  g_assert_true (belfry_test_wait_until (password_said_stored, row_widget, 10000));
  g_assert_cmpstr (field_text (editor, "password_entry"), ==, "");
  g_assert_cmpstr (field_text (editor, "address_row"), ==, expected);
  g_assert_true (gtk_widget_activate_action (editor, "editor.cancel", NULL));

  /* Bad input is shown where it is and changes nothing. */
  check_bad_input (window, account_settings, id, "address_row", "not an address");
  check_bad_input (window, account_settings, id, "address_row", "<sip:bob@example.org");
  check_bad_input (window, account_settings, id, "address_row", "tel:+4930123");
  check_bad_input (window, account_settings, id, "address_row", "sip:@");
  check_bad_input (window, account_settings, id, "address_row", "   ");
  check_bad_input (window, account_settings, id, "address_row", "sip:alice@example.org>");
  check_bad_input (window, account_settings, id, "address_row", "\"Alice <sip:alice@example.org>");
  check_bad_input (window, account_settings, id, "registrar_row", "sip:");
  check_bad_input (window, account_settings, id, "proxy_row", "http://proxy.example.org");

  /* Removing asks first; Cancel keeps the account. */
  g_assert_true (gtk_widget_activate_action (window, "prefs.remove-account", "s", id));
  g_assert_true (belfry_test_wait_until (dialog_shown, &dialog, 5000));
  g_assert_true (gtk_window_get_transient_for (GTK_WINDOW (dialog)) == GTK_WINDOW (window));
  adw_message_dialog_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (manager)), ==, 1);

  g_assert_true (gtk_widget_activate_action (window, "prefs.remove-account", "s", id));
  g_assert_true (belfry_test_wait_until (dialog_shown, &dialog, 5000));
  adw_message_dialog_response (ADW_MESSAGE_DIALOG (dialog), "remove");
  g_assert_true (belfry_test_wait_until (no_accounts, manager, 5000));
  g_assert_null (gtk_list_box_get_row_at_index (list, 0));
  wait[1] = NULL;
  g_assert_true (belfry_test_wait_until (secret_is, wait, 10000));
  secret = lookup_secret (id);
  g_assert_null (secret);

  destroy_window (window);
  /* The recorder saw the registration's own lines... */
  g_assert_true (log_contains ("GLIB_DOMAIN=belfry-registerer"));
  /* ...and no password in any line. */
  g_assert_false (log_contains (PASSWORD));
  g_assert_false (log_contains (OTHER_PASSWORD));
}

static gboolean
setting_is (GSettings  *settings,
            const char *key,
            const char *value)
{
  g_autofree char *current = g_settings_get_string (settings, key);

  return g_strcmp0 (current, value) == 0;
}

static void
check_codec_rows (GtkWidget          *window,
                  const char * const *expected)
{
  GtkListBox *list = child (window, BELFRY_TYPE_PREFERENCES_WINDOW, "codecs_list");
  guint n = g_strv_length ((char **) expected);

  for (guint i = 0; i < n; i++) {
    GtkListBoxRow *row = gtk_list_box_get_row_at_index (list, i);
    GtkWidget *up, *down;

    g_assert_nonnull (row);
    up = g_object_get_data (G_OBJECT (row), "up");
    down = g_object_get_data (G_OBJECT (row), "down");
    g_assert_cmpint (gtk_widget_get_sensitive (up), ==, i > 0);
    g_assert_cmpint (gtk_widget_get_sensitive (down), ==, i + 1 < n);
  }
  g_assert_null (gtk_list_box_get_row_at_index (list, n));
}

static void
test_audio (void)
{
  g_autoptr (GSettings) settings = g_settings_new ("org.belfry.Belfry");
  g_autoptr (BelfryMediaEngine) engine = belfry_media_engine_new ();
  g_autoptr (BelfryAccountManager) manager = NULL;
  g_autoptr (GPtrArray) devices = belfry_media_engine_list_devices (engine);
  g_auto (GStrv) codecs = NULL;
  static const char * const initial[] = { "opus", "G722", "PCMU", "PCMA", "GSM", NULL };
  static const char * const moved[] = { "G722", "PCMU", "opus", "PCMA", "GSM", NULL };
  GtkWidget *window;
  AdwComboRow *microphone, *ringer;
  GtkSwitch *background;
  GListModel *items;
  guint n;

  g_settings_set_strv (settings, "accounts", NULL);
  g_settings_set_strv (settings, "codecs", initial);
  g_settings_reset (settings, "microphone");
  g_settings_reset (settings, "ringer");
  g_settings_reset (settings, "speaker");
  manager = manager_new (settings, engine);
  window = belfry_preferences_window_new (manager, settings, engine);
  gtk_window_present (GTK_WINDOW (window));

  /* Codec order: up and down, and nothing beyond the ends. */
  check_codec_rows (window, initial);
  g_assert_true (gtk_widget_activate_action (window, "prefs.move-codec", "(si)", "G722", -1));
  g_assert_true (gtk_widget_activate_action (window, "prefs.move-codec", "(si)", "opus", 1));
  g_assert_true (gtk_widget_activate_action (window, "prefs.move-codec", "(si)", "G722", -1));
  g_assert_true (gtk_widget_activate_action (window, "prefs.move-codec", "(si)", "GSM", 1));
  codecs = g_settings_get_strv (settings, "codecs");
  g_assert_cmpstrv (codecs, moved);
  check_codec_rows (window, moved);
  /* A change made elsewhere shows. */
  g_settings_set_strv (settings, "codecs", initial);
  check_codec_rows (window, initial);

  /* Devices: the system's default first, stored as the empty ID. */
  microphone = child (window, BELFRY_TYPE_PREFERENCES_WINDOW, "microphone_row");
  ringer = child (window, BELFRY_TYPE_PREFERENCES_WINDOW, "ringer_row");
  items = adw_combo_row_get_model (microphone);
  g_assert_cmpstr (gtk_string_list_get_string (GTK_STRING_LIST (items), 0), ==, "System Default");
  g_assert_cmpuint (adw_combo_row_get_selected (microphone), ==, 0);

  /* Each real device lands in the key by its ID. */
  n = 1;
  for (guint i = 0; i < devices->len; i++) {
    BelfryMediaDevice *device = g_ptr_array_index (devices, i);

    if (!device->capture)
      continue;
    adw_combo_row_set_selected (microphone, n++);
    g_assert_true (setting_is (settings, "microphone", device->id));
  }
  g_test_message ("%u capture devices", n - 1);
  if (pulse != NULL)
    g_assert_cmpuint (n, >, 1);
  else
    g_test_message ("pulseaudio is not installed: only the default device was offered");
  adw_combo_row_set_selected (microphone, 0);
  g_assert_true (setting_is (settings, "microphone", ""));
  for (guint i = 0, playback = 0; i < devices->len; i++) {
    BelfryMediaDevice *device = g_ptr_array_index (devices, i);
    AdwComboRow *speaker = child (window, BELFRY_TYPE_PREFERENCES_WINDOW, "speaker_row");

    if (!device->playback)
      continue;
    adw_combo_row_set_selected (speaker, ++playback);
    g_assert_true (setting_is (settings, "speaker", device->id));
  }

  /* A device chosen before and unplugged now stays chosen, and says so. */
  g_settings_set_string (settings, "ringer", "belfry-test-card");
  items = adw_combo_row_get_model (ringer);
  n = g_list_model_get_n_items (items);
  g_assert_cmpuint (adw_combo_row_get_selected (ringer), ==, n - 1);
  g_assert_nonnull (strstr (gtk_string_list_get_string (GTK_STRING_LIST (items), n - 1),
                            "belfry-test-card"));
  adw_combo_row_set_selected (ringer, 0);
  g_assert_true (setting_is (settings, "ringer", ""));
  /* It stays on offer while the window is open, to be chosen again. */
  adw_combo_row_set_selected (ringer, n - 1);
  g_assert_true (setting_is (settings, "ringer", "belfry-test-card"));
  /* A change made elsewhere shows. */
  g_settings_set_string (settings, "ringer", "");
  g_assert_cmpuint (adw_combo_row_get_selected (ringer), ==, 0);

  /* Run in background follows its switch both ways. */
  g_settings_set_boolean (settings, "run-in-background", TRUE);
  background = child (window, BELFRY_TYPE_PREFERENCES_WINDOW, "background_switch");
  gtk_switch_set_active (background, FALSE);
  g_assert_false (g_settings_get_boolean (settings, "run-in-background"));
  g_settings_set_boolean (settings, "run-in-background", TRUE);
  g_assert_true (gtk_switch_get_active (background));

  /* Start at login writes the autostart file, and takes it away; it only
   * applies while Belfry runs in the background. */
  {
    GtkSwitch *login = child (window, BELFRY_TYPE_PREFERENCES_WINDOW, "login_switch");
    GtkWidget *login_row = GTK_WIDGET (child (window, BELFRY_TYPE_PREFERENCES_WINDOW, "login_row"));
    g_autofree char *path = g_build_filename (g_get_user_config_dir (), "autostart", "org.belfry.Belfry.desktop",
                                              NULL);

    g_assert_true (gtk_widget_get_sensitive (login_row));
    g_assert_false (gtk_switch_get_active (login));
    gtk_switch_set_active (login, TRUE);
    g_assert_true (belfry_test_wait_until (switch_usable, login, 5000));
    g_assert_true (g_file_test (path, G_FILE_TEST_EXISTS));
    gtk_switch_set_active (login, FALSE);
    g_assert_true (belfry_test_wait_until (switch_usable, login, 5000));
    g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
    g_settings_set_boolean (settings, "run-in-background", FALSE);
    g_assert_false (gtk_widget_get_sensitive (login_row));
    g_settings_set_boolean (settings, "run-in-background", TRUE);
  }

  destroy_window (window);
}

int
main (int   argc,
      char *argv[])
{
  int status;

  log_record = g_string_new (NULL);
  g_log_set_writer_func (record_writer, NULL, NULL);
  /* Debug messages are made too, so that they are searched. */
  g_log_set_debug_enabled (TRUE);

  belfry_test_init (&argc, &argv);
  gtk_init ();
  adw_init ();
  /* Subpages come and go at once, without their slide. */
  g_object_set (gtk_settings_get_default (), "gtk-enable-animations", FALSE, NULL);
  /* Before anything asks for the Secret Service: D-Bus would otherwise
   * start a keyring of its own, locked and without a default collection. */
  belfry_test_start_keyring ();
  start_pulse ();

  g_test_add_func ("/belfry/preferences/templates", test_templates);
  g_test_add_func ("/belfry/preferences/account", test_account);
  g_test_add_func ("/belfry/preferences/audio", test_audio);

  status = g_test_run ();
  stop_pulse ();
  belfry_test_stop_keyring ();
  g_string_free (log_record, TRUE);
  return status;
}
