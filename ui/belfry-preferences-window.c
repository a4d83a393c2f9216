/* SPDX-License-Identifier: GPL-3.0-or-later */

#define G_LOG_DOMAIN "belfry-preferences-window"

#include "config.h"

#include "belfry-account-editor.h"
#include "belfry-autostart.h"
#include "belfry-combo-row-items.h"
#include "belfry-preferences-window.h"

#include <glib/gi18n.h>

/**
 * BelfryPreferencesWindow:
 *
 * The preferences: the accounts (added, edited and removed through
 * #BelfryAccountEditor subpages), the sound devices and the codec order,
 * and whether Belfry runs in the background.
 *
 * Everything is kept in GSettings: the devices by ID in the `microphone`,
 * `speaker` and `ringer` keys (empty for the system's default), the codecs
 * in `codecs`, most preferred first. Actions (`prefs.add-account`,
 * `prefs.edit-account`, `prefs.remove-account`, `prefs.move-codec`) do the
 * work of the buttons, so the keyboard and tests reach the same code.
 */

enum {
  PROP_0,
  PROP_ENGINE,
  PROP_MANAGER,
  PROP_SETTINGS,
  N_PROPS
};

static GParamSpec *props[N_PROPS];

/* One of the device rows, and the device IDs behind its items. */
typedef struct {
  AdwComboRow *row;
  const char *key;
  gboolean capture;
  GPtrArray *ids;
} DeviceChooser;

enum {
  CHOOSER_MICROPHONE,
  CHOOSER_SPEAKER,
  CHOOSER_RINGER,
  N_CHOOSERS
};

struct _BelfryPreferencesWindow {
  AdwPreferencesWindow parent_instance;

  BelfryAccountManager *manager;
  GSettings *settings;
  BelfryMediaEngine *engine;
  GPtrArray *devices;
  DeviceChooser choosers[N_CHOOSERS];
  GtkStringList *codecs;
  gboolean filling;

  GtkButton *add_button;
  GtkListBox *accounts_list;
  AdwComboRow *microphone_row;
  AdwComboRow *speaker_row;
  AdwComboRow *ringer_row;
  GtkListBox *codecs_list;
  GtkSwitch *background_switch;
  GtkWidget *login_row;
  GtkSwitch *login_switch;
  gulong login_handler;
};

G_DEFINE_FINAL_TYPE (BelfryPreferencesWindow, belfry_preferences_window,
                     ADW_TYPE_PREFERENCES_WINDOW)

static void on_login_switch_changed (BelfryPreferencesWindow *self);

/* The name people know a codec by, and what it is good for. */
static const struct {
  const char *name;
  const char *title;
  const char *subtitle;
} codec_names[] = {
  /* Translators: what a codec is good for; wideband sounds clearer than the telephone. */
  { "opus", "Opus", N_("Wideband; adapts to the network") },
  { "G722", "G.722", N_("Wideband") },
  { "PCMU", "G.711 μ-law (PCMU)", N_("Narrowband; the telephone network’s codec") },
  { "PCMA", "G.711 A-law (PCMA)", N_("Narrowband; the telephone network’s codec") },
  { "GSM", "GSM", N_("Narrowband; low bit rate") },
  { "speex", "Speex", N_("Narrowband; low bit rate") },
  { "G729", "G.729", N_("Narrowband; low bit rate") },
};

static char *
dup_account_title (BelfryAccount *account,
                   const char    *display_name,
                   const char    *sip_address)
{
  return g_strdup (display_name != NULL && *display_name != '\0' ? display_name : sip_address);
}

static GtkWidget *
create_account_row (gpointer item,
                    gpointer user_data)
{
  BelfryAccount *account = item;
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *arrow = gtk_image_new_from_icon_name ("go-next-symbolic");
  GtkExpression *params[2];
  GtkExpression *title;

  /* Names and addresses are text, not markup. */
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), TRUE);
  gtk_actionable_set_action_name (GTK_ACTIONABLE (row), "prefs.edit-account");
  gtk_actionable_set_action_target (GTK_ACTIONABLE (row), "s", belfry_account_get_id (account));

  params[0] = gtk_property_expression_new (BELFRY_TYPE_ACCOUNT, NULL, "display-name");
  params[1] = gtk_property_expression_new (BELFRY_TYPE_ACCOUNT, NULL, "sip-address");
  title = gtk_cclosure_expression_new (G_TYPE_STRING, NULL, 2, params,
                                       G_CALLBACK (dup_account_title), NULL, NULL);
  gtk_expression_bind (title, row, "title", account);
  g_object_bind_property (account, "status-message", row, "subtitle", G_BINDING_SYNC_CREATE);

  gtk_accessible_update_property (GTK_ACCESSIBLE (arrow), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Edit account"), -1);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), arrow);
  return row;
}

static void
add_account_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  BelfryPreferencesWindow *self = BELFRY_PREFERENCES_WINDOW (widget);
  GtkWidget *editor = belfry_account_editor_new (self->manager, NULL);

  adw_preferences_window_present_subpage (ADW_PREFERENCES_WINDOW (self), editor);
  gtk_widget_child_focus (editor, GTK_DIR_TAB_FORWARD);
}

static void
edit_account_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  BelfryPreferencesWindow *self = BELFRY_PREFERENCES_WINDOW (widget);
  BelfryAccount *account = belfry_account_manager_lookup (self->manager,
                                                          g_variant_get_string (parameter, NULL));
  GtkWidget *editor;

  if (account == NULL)
    return;

  editor = belfry_account_editor_new (self->manager, account);
  adw_preferences_window_present_subpage (ADW_PREFERENCES_WINDOW (self), editor);
  gtk_widget_child_focus (editor, GTK_DIR_TAB_FORWARD);
}

static void
account_removed_cb (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr (BelfryPreferencesWindow) self = user_data;
  g_autoptr (GError) error = NULL;

  if (!belfry_account_manager_remove_finish (BELFRY_ACCOUNT_MANAGER (source), result, &error)) {
    g_autofree char *message = NULL;

    /* Translators: %s says why the keyring did not forget the password. */
    message = g_strdup_printf (_("The account was removed, but its password could not be: %s"),
                               error->message);
    adw_preferences_window_add_toast (ADW_PREFERENCES_WINDOW (self), adw_toast_new (message));
  }
}

static void
on_remove_response (AdwMessageDialog *dialog,
                    const char       *response,
                    gpointer          user_data)
{
  GtkWindow *parent = gtk_window_get_transient_for (GTK_WINDOW (dialog));
  const char *id = g_object_get_data (G_OBJECT (dialog), "account-id");
  BelfryPreferencesWindow *self;
  BelfryAccount *account;

  if (!g_str_equal (response, "remove") || !BELFRY_IS_PREFERENCES_WINDOW (parent))
    return;
  self = BELFRY_PREFERENCES_WINDOW (parent);

  /* The account may have gone meanwhile, from another window. */
  account = belfry_account_manager_lookup (self->manager, id);
  if (account == NULL)
    return;

  adw_preferences_window_close_subpage (ADW_PREFERENCES_WINDOW (self));
  belfry_account_manager_remove_async (self->manager, account, NULL, account_removed_cb,
                                       g_object_ref (self));
}

static void
remove_account_action (GtkWidget  *widget,
                       const char *action_name,
                       GVariant   *parameter)
{
  BelfryPreferencesWindow *self = BELFRY_PREFERENCES_WINDOW (widget);
  const char *id = g_variant_get_string (parameter, NULL);
  BelfryAccount *account = belfry_account_manager_lookup (self->manager, id);
  const char *name;
  GtkWidget *dialog;

  if (account == NULL)
    return;

  name = belfry_account_get_display_name (account);
  if (*name == '\0')
    name = belfry_account_get_sip_address (account);

  dialog = adw_message_dialog_new (GTK_WINDOW (self), _("Remove Account?"), NULL);
  {
    g_autofree char *body = NULL;

    /* Translators: %s is the name or address of the account. */
    body = g_strdup_printf (_("“%s” and its password will be removed from this computer. "
                              "Calls to it will no longer reach you here."), name);
    adw_message_dialog_set_body (ADW_MESSAGE_DIALOG (dialog), body);
  }
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _("_Cancel"),
                                    "remove", _("_Remove"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "remove",
                                              ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  gtk_window_set_destroy_with_parent (GTK_WINDOW (dialog), TRUE);
  g_object_set_data_full (G_OBJECT (dialog), "account-id", g_strdup (id), g_free);
  g_signal_connect (dialog, "response", G_CALLBACK (on_remove_response), NULL);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
fill_device_chooser (BelfryPreferencesWindow *self,
                     DeviceChooser           *chooser)
{
  g_autoptr (GtkStringList) names = gtk_string_list_new (NULL);
  g_autofree char *current = g_settings_get_string (self->settings, chooser->key);
  guint selected = 0;
  gboolean found = *current == '\0';

  g_ptr_array_set_size (chooser->ids, 0);
  /* Translators: the sound device chosen in the system's sound settings. */
  gtk_string_list_append (names, _("System Default"));
  g_ptr_array_add (chooser->ids, g_strdup (""));

  for (guint i = 0; i < self->devices->len; i++) {
    BelfryMediaDevice *device = g_ptr_array_index (self->devices, i);

    if (chooser->capture ? !device->capture : !device->playback)
      continue;
    if (g_str_equal (device->id, current)) {
      selected = chooser->ids->len;
      found = TRUE;
    }
    gtk_string_list_append (names, device->name != NULL ? device->name : device->id);
    g_ptr_array_add (chooser->ids, g_strdup (device->id));
  }

  /* A chosen device that is unplugged stays chosen, and says so: calls
   * use the default until it is back. */
  if (!found) {
    /* Translators: %s names a sound device that is not plugged in now. */
    g_autofree char *name = g_strdup_printf (_("%s (not connected)"), current);

    selected = chooser->ids->len;
    gtk_string_list_append (names, name);
    g_ptr_array_add (chooser->ids, g_strdup (current));
  }

  self->filling = TRUE;
  adw_combo_row_set_model (chooser->row, G_LIST_MODEL (names));
  adw_combo_row_set_selected (chooser->row, selected);
  self->filling = FALSE;
}

static void
on_device_selected (AdwComboRow             *row,
                    GParamSpec              *pspec,
                    BelfryPreferencesWindow *self)
{
  guint selected = adw_combo_row_get_selected (row);

  if (self->filling)
    return;

  for (guint i = 0; i < N_CHOOSERS; i++) {
    DeviceChooser *chooser = &self->choosers[i];

    if (chooser->row == row && selected < chooser->ids->len)
      g_settings_set_string (self->settings, chooser->key,
                             g_ptr_array_index (chooser->ids, selected));
  }
}

static void
on_device_key_changed (GSettings               *settings,
                       const char              *key,
                       BelfryPreferencesWindow *self)
{
  g_autofree char *value = g_settings_get_string (settings, key);

  for (guint i = 0; i < N_CHOOSERS; i++) {
    DeviceChooser *chooser = &self->choosers[i];
    guint selected = adw_combo_row_get_selected (chooser->row);

    /* Our own write comes back here from inside the row's selection,
     * which must not lose its model then. */
    if (!g_str_equal (chooser->key, key))
      continue;
    if (selected < chooser->ids->len &&
        g_str_equal (g_ptr_array_index (chooser->ids, selected), value))
      continue;
    fill_device_chooser (self, chooser);
  }
}

static guint
codec_position (BelfryPreferencesWindow *self,
                const char              *name)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->codecs));

  for (guint i = 0; i < n; i++) {
    if (g_str_equal (gtk_string_list_get_string (self->codecs, i), name))
      return i;
  }
  return G_MAXUINT;
}

static GtkWidget *
codec_button (const char *icon_name,
              const char *tooltip,
              const char *name,
              int         delta,
              gboolean    sensitive)
{
  GtkWidget *button = gtk_button_new_from_icon_name (icon_name);

  gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (button, "flat");
  gtk_widget_set_tooltip_text (button, tooltip);
  gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL, tooltip,
                                  -1);
  /* At an end of the list there is nowhere to move: without an action,
   * the insensitive button stays so. */
  if (sensitive) {
    gtk_actionable_set_action_target (GTK_ACTIONABLE (button), "(si)", name, delta);
    gtk_actionable_set_action_name (GTK_ACTIONABLE (button), "prefs.move-codec");
  } else {
    gtk_widget_set_sensitive (button, FALSE);
  }
  return button;
}

static GtkWidget *
create_codec_row (gpointer item,
                  gpointer user_data)
{
  BelfryPreferencesWindow *self = user_data;
  const char *name = gtk_string_object_get_string (item);
  guint position = codec_position (self, name);
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->codecs));
  const char *title = name;
  const char *subtitle = NULL;
  g_autofree char *up_label = NULL;
  g_autofree char *down_label = NULL;
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *up, *down;

  for (guint i = 0; i < G_N_ELEMENTS (codec_names); i++) {
    if (g_ascii_strcasecmp (codec_names[i].name, name) == 0) {
      title = codec_names[i].title;
      subtitle = _(codec_names[i].subtitle);
    }
  }

  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  if (subtitle != NULL)
    adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);

  /* Translators: %s is a codec's name, such as Opus. */
  up_label = g_strdup_printf (_("Move %s up"), title);
  /* Translators: %s is a codec's name, such as Opus. */
  down_label = g_strdup_printf (_("Move %s down"), title);
  up = codec_button ("go-up-symbolic", up_label, name, -1, position > 0);
  down = codec_button ("go-down-symbolic", down_label, name, 1, position + 1 < n);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), up);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), down);
  g_object_set_data (G_OBJECT (row), "up", up);
  g_object_set_data (G_OBJECT (row), "down", down);
  return row;
}

static void
on_codecs_changed (GSettings               *settings,
                   const char              *key,
                   BelfryPreferencesWindow *self)
{
  g_auto (GStrv) codecs = g_settings_get_strv (self->settings, "codecs");
  g_autoptr (GPtrArray) unique = g_ptr_array_new ();

  /* A name listed twice is shown once: the first place is the one that counts. */
  for (guint i = 0; codecs[i] != NULL; i++) {
    if (!g_ptr_array_find_with_equal_func (unique, codecs[i], g_str_equal, NULL))
      g_ptr_array_add (unique, codecs[i]);
  }
  g_ptr_array_add (unique, NULL);
  gtk_string_list_splice (self->codecs, 0, g_list_model_get_n_items (G_LIST_MODEL (self->codecs)),
                          (const char * const *) unique->pdata);
}

static void
move_codec_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  BelfryPreferencesWindow *self = BELFRY_PREFERENCES_WINDOW (widget);
  g_autoptr (GStrvBuilder) builder = g_strv_builder_new ();
  g_auto (GStrv) order = NULL;
  g_autofree const char **names = NULL;
  const char *name;
  GtkListBoxRow *row;
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->codecs));
  guint from, to;
  int delta;

  g_variant_get (parameter, "(&si)", &name, &delta);
  from = codec_position (self, name);
  if (from == G_MAXUINT || delta == 0 || (delta < 0 && from == 0) || (delta > 0 && from + 1 >= n))
    return;
  to = delta < 0 ? from - 1 : from + 1;

  names = g_new0 (const char *, n + 1);
  for (guint i = 0; i < n; i++)
    names[i] = gtk_string_list_get_string (self->codecs, i);
  names[from] = names[to];
  names[to] = name;
  g_strv_builder_addv (builder, names);
  order = g_strv_builder_end (builder);
  g_settings_set_strv (self->settings, "codecs", (const char * const *) order);

  /* The rows were made anew: the focus follows the codec moved, so that
   * the keyboard can move it again. */
  row = gtk_list_box_get_row_at_index (self->codecs_list, codec_position (self, order[to]));
  if (row != NULL) {
    GtkWidget *same = g_object_get_data (G_OBJECT (row), delta < 0 ? "up" : "down");
    GtkWidget *other = g_object_get_data (G_OBJECT (row), delta < 0 ? "down" : "up");

    gtk_widget_grab_focus (gtk_widget_get_sensitive (same) ? same : other);
  }
}

static void
belfry_preferences_window_get_property (GObject    *object,
                                        guint       prop_id,
                                        GValue     *value,
                                        GParamSpec *pspec)
{
  BelfryPreferencesWindow *self = BELFRY_PREFERENCES_WINDOW (object);

  switch (prop_id) {
  case PROP_ENGINE:
    g_value_set_object (value, self->engine);
    break;
  case PROP_MANAGER:
    g_value_set_object (value, self->manager);
    break;
  case PROP_SETTINGS:
    g_value_set_object (value, self->settings);
    break;
  default:
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
  }
}

static void
belfry_preferences_window_set_property (GObject      *object,
                                        guint         prop_id,
                                        const GValue *value,
                                        GParamSpec   *pspec)
{
  BelfryPreferencesWindow *self = BELFRY_PREFERENCES_WINDOW (object);

  switch (prop_id) {
  case PROP_ENGINE:
    self->engine = g_value_dup_object (value);
    break;
  case PROP_MANAGER:
    self->manager = g_value_dup_object (value);
    break;
  case PROP_SETTINGS:
    self->settings = g_value_dup_object (value);
    break;
  default:
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
  }
}

static void
belfry_preferences_window_constructed (GObject *object)
{
  BelfryPreferencesWindow *self = BELFRY_PREFERENCES_WINDOW (object);

  G_OBJECT_CLASS (belfry_preferences_window_parent_class)->constructed (object);

  gtk_list_box_bind_model (self->accounts_list, G_LIST_MODEL (self->manager), create_account_row,
                           self, NULL);

  self->devices = belfry_media_engine_list_devices (self->engine);
  for (guint i = 0; i < N_CHOOSERS; i++) {
    g_autofree char *detailed = g_strconcat ("changed::", self->choosers[i].key, NULL);

    fill_device_chooser (self, &self->choosers[i]);
    g_signal_connect (self->choosers[i].row, "notify::selected", G_CALLBACK (on_device_selected),
                      self);
    g_signal_connect_object (self->settings, detailed, G_CALLBACK (on_device_key_changed), self, 0);
  }

  gtk_list_box_bind_model (self->codecs_list, G_LIST_MODEL (self->codecs), create_codec_row, self,
                           NULL);
  g_signal_connect_object (self->settings, "changed::codecs", G_CALLBACK (on_codecs_changed), self,
                           0);
  on_codecs_changed (self->settings, "codecs", self);

  g_settings_bind (self->settings, "run-in-background", self->background_switch, "active",
                   G_SETTINGS_BIND_DEFAULT);

  /* Starting at login without a window only makes sense for an
   * application that stays when its window is closed. */
  g_settings_bind (self->settings, "run-in-background", self->login_row, "sensitive", G_SETTINGS_BIND_GET);
  gtk_switch_set_active (self->login_switch, belfry_autostart_get_enabled (self->settings));
  self->login_handler = g_signal_connect_object (self->login_switch, "notify::active",
                                                 G_CALLBACK (on_login_switch_changed), self, G_CONNECT_SWAPPED);
}

static void
autostart_done_cb (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr (BelfryPreferencesWindow) self = user_data;
  g_autoptr (GError) error = NULL;
  gboolean done = belfry_autostart_set_enabled_finish (result, &error);

  gtk_widget_set_sensitive (GTK_WIDGET (self->login_switch), TRUE);
  if (done || self->settings == NULL)
    return;

  /* Refused or failed: the switch says what is true. */
  g_signal_handler_block (self->login_switch, self->login_handler);
  gtk_switch_set_active (self->login_switch, belfry_autostart_get_enabled (self->settings));
  g_signal_handler_unblock (self->login_switch, self->login_handler);
  if (error != NULL)
    adw_preferences_window_add_toast (ADW_PREFERENCES_WINDOW (self), adw_toast_new (error->message));
}

static void
on_login_switch_changed (BelfryPreferencesWindow *self)
{
  gtk_widget_set_sensitive (GTK_WIDGET (self->login_switch), FALSE);
  belfry_autostart_set_enabled_async (self->settings, gtk_switch_get_active (self->login_switch),
                                      GTK_WINDOW (self), NULL, autostart_done_cb,
                                      g_object_ref (self));
}

static void
belfry_preferences_window_dispose (GObject *object)
{
  BelfryPreferencesWindow *self = BELFRY_PREFERENCES_WINDOW (object);

  gtk_widget_dispose_template (GTK_WIDGET (self), BELFRY_TYPE_PREFERENCES_WINDOW);
  g_clear_object (&self->codecs);
  g_clear_object (&self->manager);
  g_clear_object (&self->settings);
  g_clear_object (&self->engine);

  G_OBJECT_CLASS (belfry_preferences_window_parent_class)->dispose (object);
}

static void
belfry_preferences_window_finalize (GObject *object)
{
  BelfryPreferencesWindow *self = BELFRY_PREFERENCES_WINDOW (object);

  g_clear_pointer (&self->devices, g_ptr_array_unref);
  for (guint i = 0; i < N_CHOOSERS; i++)
    g_clear_pointer (&self->choosers[i].ids, g_ptr_array_unref);

  G_OBJECT_CLASS (belfry_preferences_window_parent_class)->finalize (object);
}

/* AdwPreferencesWindow's own search entry has no accessible name in
 * libadwaita 1.2: name it, so that a screen reader says what it is for. */
static gboolean
name_search_entry (GtkWidget *widget)
{
  if (GTK_IS_SEARCH_ENTRY (widget)) {
    gtk_accessible_update_property (GTK_ACCESSIBLE (widget), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                    _("Search preferences"), -1);
    return TRUE;
  }
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child)) {
    if (name_search_entry (child))
      return TRUE;
  }
  return FALSE;
}

static void
belfry_preferences_window_class_init (BelfryPreferencesWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->get_property = belfry_preferences_window_get_property;
  object_class->set_property = belfry_preferences_window_set_property;
  object_class->constructed = belfry_preferences_window_constructed;
  object_class->dispose = belfry_preferences_window_dispose;
  object_class->finalize = belfry_preferences_window_finalize;

  /**
   * BelfryPreferencesWindow:manager:
   *
   * The accounts shown, added and removed.
   */
  props[PROP_MANAGER] =
    g_param_spec_object ("manager", NULL, NULL, BELFRY_TYPE_ACCOUNT_MANAGER,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  /**
   * BelfryPreferencesWindow:settings:
   *
   * The settings of the `org.belfry.Belfry` schema.
   */
  props[PROP_SETTINGS] =
    g_param_spec_object ("settings", NULL, NULL, G_TYPE_SETTINGS,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  /**
   * BelfryPreferencesWindow:engine:
   *
   * The media engine whose sound devices are offered.
   */
  props[PROP_ENGINE] =
    g_param_spec_object ("engine", NULL, NULL, BELFRY_TYPE_MEDIA_ENGINE,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, props);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               RESOURCE_PATH "/belfry-preferences-window.ui");
  gtk_widget_class_bind_template_child (widget_class, BelfryPreferencesWindow, add_button);
  gtk_widget_class_bind_template_child (widget_class, BelfryPreferencesWindow, accounts_list);
  gtk_widget_class_bind_template_child (widget_class, BelfryPreferencesWindow, microphone_row);
  gtk_widget_class_bind_template_child (widget_class, BelfryPreferencesWindow, speaker_row);
  gtk_widget_class_bind_template_child (widget_class, BelfryPreferencesWindow, ringer_row);
  gtk_widget_class_bind_template_child (widget_class, BelfryPreferencesWindow, codecs_list);
  gtk_widget_class_bind_template_child (widget_class, BelfryPreferencesWindow, background_switch);
  gtk_widget_class_bind_template_child (widget_class, BelfryPreferencesWindow, login_row);
  gtk_widget_class_bind_template_child (widget_class, BelfryPreferencesWindow, login_switch);

  gtk_widget_class_install_action (widget_class, "prefs.add-account", NULL, add_account_action);
  gtk_widget_class_install_action (widget_class, "prefs.edit-account", "s", edit_account_action);
  gtk_widget_class_install_action (widget_class, "prefs.remove-account", "s",
                                   remove_account_action);
  gtk_widget_class_install_action (widget_class, "prefs.move-codec", "(si)", move_codec_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_n, GDK_CONTROL_MASK,
                                       "prefs.add-account", NULL);
}

static void
belfry_preferences_window_init (BelfryPreferencesWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->codecs = gtk_string_list_new (NULL);
  self->choosers[CHOOSER_MICROPHONE] =
    (DeviceChooser) { self->microphone_row, "microphone", TRUE, NULL };
  self->choosers[CHOOSER_SPEAKER] = (DeviceChooser) { self->speaker_row, "speaker", FALSE, NULL };
  self->choosers[CHOOSER_RINGER] = (DeviceChooser) { self->ringer_row, "ringer", FALSE, NULL };
  for (guint i = 0; i < N_CHOOSERS; i++) {
    self->choosers[i].ids = g_ptr_array_new_with_free_func (g_free);
    belfry_combo_row_name_items (self->choosers[i].row);
  }

  name_search_entry (GTK_WIDGET (self));
}

/**
 * belfry_preferences_window_new:
 * @manager: the account manager
 * @settings: the settings of `org.belfry.Belfry`
 * @engine: the media engine, for its sound devices
 *
 * Returns: (transfer full): a new preferences window
 */
GtkWidget *
belfry_preferences_window_new (BelfryAccountManager *manager,
                               GSettings            *settings,
                               BelfryMediaEngine    *engine)
{
  g_return_val_if_fail (BELFRY_IS_ACCOUNT_MANAGER (manager), NULL);
  g_return_val_if_fail (G_IS_SETTINGS (settings), NULL);
  g_return_val_if_fail (BELFRY_IS_MEDIA_ENGINE (engine), NULL);

  return g_object_new (BELFRY_TYPE_PREFERENCES_WINDOW,
                       "manager", manager,
                       "settings", settings,
                       "engine", engine,
                       NULL);
}
