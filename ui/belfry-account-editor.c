/* SPDX-License-Identifier: GPL-3.0-or-later */

#define G_LOG_DOMAIN "belfry-account-editor"

#include "config.h"

#include "belfry-account-editor.h"
#include "belfry-combo-row-items.h"

#include <glib/gi18n.h>
#include <string.h>

/**
 * BelfryAccountEditor:
 *
 * The form for one account, shown as a subpage of the preferences: its
 * address, display name, sign-in, registrar, outbound proxy, transport,
 * media encryption and whether it is enabled. Without an account it adds
 * one.
 *
 * Nothing changes until `editor.apply`: then every field is checked, and
 * only when all are valid do they go to the account (whose properties are
 * bound to GSettings). An invalid field is marked with the `error` style
 * class and explained under its group, and the account stays as it was.
 *
 * The password field never shows a stored password: the form only says
 * whether one is stored. A typed password goes to the Secret Service, and
 * the account's registration restarts with it.
 */

enum {
  PROP_0,
  PROP_ACCOUNT,
  PROP_BUSY,
  PROP_MANAGER,
  N_PROPS
};

static GParamSpec *props[N_PROPS];

struct _BelfryAccountEditor {
  GtkWidget parent_instance;

  BelfryAccountManager *manager;
  BelfryAccount *account;
  gboolean busy;
  /* Whether the keyring has a password for the account: unknown until
   * the lookup answers. */
  gboolean password_known;
  gboolean password_stored;

  GtkWidget *box;
  AdwWindowTitle *window_title;
  GtkButton *apply_button;
  GtkSpinner *spinner;
  AdwEntryRow *address_row;
  AdwEntryRow *display_name_row;
  GtkSwitch *enabled_switch;
  GtkLabel *address_error_label;
  AdwEntryRow *username_row;
  AdwActionRow *password_row;
  GtkPasswordEntry *password_entry;
  GtkLabel *password_error_label;
  AdwEntryRow *registrar_row;
  AdwEntryRow *proxy_row;
  AdwComboRow *transport_row;
  AdwComboRow *srtp_row;
  GtkWidget *srtp_without_tls_row;
  GtkSwitch *srtp_without_tls_switch;
  GtkLabel *server_error_label;
  GtkWidget *remove_group;
  GtkButton *remove_button;
};

G_DEFINE_FINAL_TYPE (BelfryAccountEditor, belfry_account_editor, GTK_TYPE_WIDGET)

/* Checks that @text is a sip: or sips: address with a host (and a user
 * when @need_user). Returns the URI to store, or NULL; @display_name gets
 * the display name of a name-addr such as `Alice <sip:alice@example.org>`. */
static char *
parse_sip_uri (const char  *text,
               gboolean     need_user,
               char       **display_name)
{
  g_autoptr (BelfryNameAddr) address = NULL;
  const char *scheme;
  const char *host;
  const char *user;

  /* The parser's own message is for developers; the form says it in words. */
  address = belfry_name_addr_parse_typed (text, NULL);
  if (address == NULL)
    return NULL;

  scheme = belfry_name_addr_get_scheme (address);
  host = belfry_name_addr_get_host (address);
  user = belfry_name_addr_get_user (address);
  if (scheme == NULL ||
      (g_ascii_strcasecmp (scheme, "sip") != 0 && g_ascii_strcasecmp (scheme, "sips") != 0))
    return NULL;
  if (host == NULL || *host == '\0')
    return NULL;
  if (need_user && (user == NULL || *user == '\0'))
    return NULL;

  if (display_name != NULL) {
    const char *name = belfry_name_addr_get_display_name (address);

    *display_name = name != NULL && *name != '\0' ? g_strdup (name) : NULL;
  }
  return belfry_name_addr_dup_uri (address);
}

static gboolean
is_blank (const char *text)
{
  for (const char *p = text; *p != '\0'; p++) {
    if (!g_ascii_isspace (*p))
      return FALSE;
  }
  return TRUE;
}

static void
set_row_error (GtkWidget *row,
               gboolean   error)
{
  if (error)
    gtk_widget_add_css_class (row, "error");
  else
    gtk_widget_remove_css_class (row, "error");
  gtk_accessible_update_state (GTK_ACCESSIBLE (row), GTK_ACCESSIBLE_STATE_INVALID,
                               error ? GTK_ACCESSIBLE_INVALID_TRUE : GTK_ACCESSIBLE_INVALID_FALSE,
                               -1);
}

static void
show_error (GtkLabel   *label,
            const char *message)
{
  gtk_label_set_label (label, message != NULL ? message : "");
  gtk_widget_set_visible (GTK_WIDGET (label), message != NULL);
}

static void
set_busy (BelfryAccountEditor *self,
          gboolean             busy)
{
  if (self->busy == busy)
    return;

  self->busy = busy;
  gtk_widget_set_visible (GTK_WIDGET (self->spinner), busy);
  gtk_spinner_set_spinning (self->spinner, busy);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "editor.apply", !busy);
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_BUSY]);
}

static void
update_password_status (BelfryAccountEditor *self)
{
  const char *status;

  if (self->account == NULL)
    status = _("Kept in your keyring");
  else if (!self->password_known)
    status = _("Looking in your keyring…");
  else if (self->password_stored)
    status = _("Stored in your keyring; type a new one to replace it");
  else
    status = _("None stored");
  adw_action_row_set_subtitle (self->password_row, status);
}

static void
password_found_cb (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr (BelfryAccountEditor) self = user_data;
  g_autoptr (GError) error = NULL;
  char *password;

  password = belfry_account_lookup_password_finish (BELFRY_ACCOUNT (source), result, &error);
  /* Only whether there is one matters here: the text is wiped at once. */
  self->password_known = TRUE;
  self->password_stored = password != NULL;
  if (password != NULL) {
    explicit_bzero (password, strlen (password));
    g_free (password);
  }
  if (error != NULL)
    g_debug ("Could not look up the account’s password: %s", error->message);
  update_password_status (self);
}

static void
set_text (AdwEntryRow *row,
          const char  *text)
{
  gtk_editable_set_text (GTK_EDITABLE (row), text);
}

/* The parts that differ between adding and editing. */
static void
update_mode (BelfryAccountEditor *self)
{
  gboolean editing = self->account != NULL;

  adw_window_title_set_title (self->window_title, editing ? _("Account") : _("New Account"));
  adw_window_title_set_subtitle (self->window_title,
                                 editing ? belfry_account_get_sip_address (self->account) : NULL);
  gtk_button_set_label (self->apply_button, editing ? _("_Apply") : _("_Add"));
  gtk_widget_set_visible (self->remove_group, editing);
  /* The target first: an action name without its target would not fit. */
  if (editing) {
    gtk_actionable_set_action_target (GTK_ACTIONABLE (self->remove_button), "s",
                                      belfry_account_get_id (self->account));
    gtk_actionable_set_action_name (GTK_ACTIONABLE (self->remove_button), "prefs.remove-account");
  }
  update_password_status (self);
}

static void
load_account (BelfryAccountEditor *self)
{
  BelfryAccount *account;

  update_mode (self);
  if (self->account == NULL)
    return;

  account = self->account;
  set_text (self->address_row, belfry_account_get_sip_address (account));
  set_text (self->display_name_row, belfry_account_get_display_name (account));
  gtk_switch_set_active (self->enabled_switch, belfry_account_get_enabled (account));
  set_text (self->username_row, belfry_account_get_username (account));
  set_text (self->registrar_row, belfry_account_get_registrar (account));
  set_text (self->proxy_row, belfry_account_get_outbound_proxy (account));
  adw_combo_row_set_selected (self->transport_row, belfry_account_get_transport (self->account));
  adw_combo_row_set_selected (self->srtp_row, belfry_account_get_srtp (self->account));
  gtk_switch_set_active (self->srtp_without_tls_switch, belfry_account_get_allow_srtp_without_tls (account));

  /* Not cancelled with the editor: libsecret shares the loading of its
   * service between callers, and one cancellation would fail them all. */
  belfry_account_lookup_password_async (account, NULL, password_found_cb, g_object_ref (self));
}

/* Keys without TLS only matter when there is SRTP and no TLS. */
static void
update_srtp_without_tls (BelfryAccountEditor *self)
{
  gtk_widget_set_sensitive (self->srtp_without_tls_row,
                            adw_combo_row_get_selected (self->srtp_row) != BELFRY_MEDIA_SRTP_OFF &&
                            adw_combo_row_get_selected (self->transport_row) != BELFRY_TRANSPORT_TLS);
}

static void
close_editor (BelfryAccountEditor *self)
{
  GtkWidget *window = gtk_widget_get_ancestor (GTK_WIDGET (self), ADW_TYPE_PREFERENCES_WINDOW);

  if (window != NULL)
    adw_preferences_window_close_subpage (ADW_PREFERENCES_WINDOW (window));
}

static void
toast (BelfryAccountEditor *self,
       const char          *title)
{
  GtkWidget *window = gtk_widget_get_ancestor (GTK_WIDGET (self), ADW_TYPE_PREFERENCES_WINDOW);

  if (window != NULL)
    adw_preferences_window_add_toast (ADW_PREFERENCES_WINDOW (window), adw_toast_new (title));
}

static void
password_stored_cb (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr (BelfryAccountEditor) self = user_data;
  g_autoptr (GError) error = NULL;
  BelfryAccount *account = BELFRY_ACCOUNT (source);

  set_busy (self, FALSE);
  if (!belfry_account_store_password_finish (account, result, &error)) {
    g_autofree char *message = NULL;

    /* Translators: %s says why the keyring did not take the password. */
    message = g_strdup_printf (_("The password could not be saved: %s"), error->message);
    show_error (self->password_error_label, message);
    set_row_error (GTK_WIDGET (self->password_row), TRUE);
    return;
  }

  /* The registration starts again and asks the keyring anew. */
  belfry_account_manager_reconnect (self->manager, account);
  self->password_known = TRUE;
  self->password_stored = TRUE;
  update_password_status (self);
  toast (self, _("Account saved"));
  close_editor (self);
}

static gboolean
validate (BelfryAccountEditor  *self,
          char                **address,
          char                **address_name,
          char                **registrar,
          char                **proxy)
{
  const char *registrar_text = gtk_editable_get_text (GTK_EDITABLE (self->registrar_row));
  const char *proxy_text = gtk_editable_get_text (GTK_EDITABLE (self->proxy_row));
  const char *address_text = gtk_editable_get_text (GTK_EDITABLE (self->address_row));
  const char *server_error = NULL;
  gboolean registrar_bad, proxy_bad;

  *address = parse_sip_uri (address_text, TRUE, address_name);
  set_row_error (GTK_WIDGET (self->address_row), *address == NULL);
  if (*address == NULL)
    show_error (self->address_error_label,
                is_blank (address_text)
                  ? _("Type the address of the account, such as sip:alice@example.org.")
                  : _("This is not a SIP address. Type one such as sip:alice@example.org."));
  else
    show_error (self->address_error_label, NULL);

  /* Empty is fine for both: the account then uses its defaults. */
  *registrar = NULL;
  *proxy = NULL;
  registrar_bad = !is_blank (registrar_text) &&
                  (*registrar = parse_sip_uri (registrar_text, FALSE, NULL)) == NULL;
  proxy_bad = !is_blank (proxy_text) &&
              (*proxy = parse_sip_uri (proxy_text, FALSE, NULL)) == NULL;
  set_row_error (GTK_WIDGET (self->registrar_row), registrar_bad);
  set_row_error (GTK_WIDGET (self->proxy_row), proxy_bad);
  if (registrar_bad)
    server_error = _("The registrar is not a SIP address. "
                     "Type one such as sip:example.org, or leave it empty.");
  else if (proxy_bad)
    server_error = _("The outbound proxy is not a SIP address. "
                     "Type one such as sip:proxy.example.org, or leave it empty.");
  show_error (self->server_error_label, server_error);

  return *address != NULL && !registrar_bad && !proxy_bad;
}

static void
apply_action (GtkWidget  *widget,
              const char *action_name,
              GVariant   *parameter)
{
  BelfryAccountEditor *self = BELFRY_ACCOUNT_EDITOR (widget);
  g_autofree char *address = NULL;
  g_autofree char *address_name = NULL;
  g_autofree char *registrar = NULL;
  g_autofree char *proxy = NULL;
  g_autofree char *display_name = NULL;
  g_autofree char *username = NULL;
  const char *password;
  guint transport, srtp;

  if (self->busy)
    return;

  if (!validate (self, &address, &address_name, &registrar, &proxy)) {
    gtk_widget_error_bell (widget);
    return;
  }

  display_name = g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->display_name_row)));
  g_strstrip (display_name);
  if (*display_name == '\0' && address_name != NULL) {
    g_free (display_name);
    display_name = g_steal_pointer (&address_name);
  }
  username = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->username_row))));
  transport = adw_combo_row_get_selected (self->transport_row);
  srtp = adw_combo_row_get_selected (self->srtp_row);

  if (self->account == NULL) {
    self->account = g_object_ref (belfry_account_manager_add (self->manager, address));
    g_object_notify_by_pspec (G_OBJECT (self), props[PROP_ACCOUNT]);
  } else {
    belfry_account_set_sip_address (self->account, address);
  }
  belfry_account_set_display_name (self->account, display_name);
  belfry_account_set_username (self->account, username);
  belfry_account_set_registrar (self->account, registrar);
  belfry_account_set_outbound_proxy (self->account, proxy);
  if (transport <= BELFRY_TRANSPORT_TLS)
    belfry_account_set_transport (self->account, transport);
  if (srtp <= BELFRY_MEDIA_SRTP_MANDATORY)
    belfry_account_set_srtp (self->account, srtp);
  belfry_account_set_allow_srtp_without_tls (self->account, gtk_switch_get_active (self->srtp_without_tls_switch));
  belfry_account_set_enabled (self->account, gtk_switch_get_active (self->enabled_switch));
  update_mode (self);

  show_error (self->password_error_label, NULL);
  set_row_error (GTK_WIDGET (self->password_row), FALSE);
  password = gtk_editable_get_text (GTK_EDITABLE (self->password_entry));
  if (*password == '\0') {
    toast (self, _("Account saved"));
    close_editor (self);
    return;
  }

  /* libsecret copies the password before this returns, so the field can
   * be emptied at once; its buffer is wiped memory. */
  set_busy (self, TRUE);
  belfry_account_store_password_async (self->account, password, NULL, password_stored_cb,
                                       g_object_ref (self));
  gtk_editable_set_text (GTK_EDITABLE (self->password_entry), "");
}

static void
cancel_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  close_editor (BELFRY_ACCOUNT_EDITOR (widget));
}

static void
on_entry_activated (BelfryAccountEditor *self)
{
  gtk_widget_activate_action (GTK_WIDGET (self), "editor.apply", NULL);
}

static void
on_address_row_changed (BelfryAccountEditor *self)
{
  /* A new attempt: the old complaint no longer fits what is typed. */
  set_row_error (GTK_WIDGET (self->address_row), FALSE);
  show_error (self->address_error_label, NULL);
}

static void
on_server_row_changed (BelfryAccountEditor *self)
{
  set_row_error (GTK_WIDGET (self->registrar_row), FALSE);
  set_row_error (GTK_WIDGET (self->proxy_row), FALSE);
  show_error (self->server_error_label, NULL);
}

static void
belfry_account_editor_get_property (GObject    *object,
                                    guint       prop_id,
                                    GValue     *value,
                                    GParamSpec *pspec)
{
  BelfryAccountEditor *self = BELFRY_ACCOUNT_EDITOR (object);

  switch (prop_id) {
  case PROP_ACCOUNT:
    g_value_set_object (value, self->account);
    break;
  case PROP_BUSY:
    g_value_set_boolean (value, self->busy);
    break;
  case PROP_MANAGER:
    g_value_set_object (value, self->manager);
    break;
  default:
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
  }
}

static void
belfry_account_editor_set_property (GObject      *object,
                                    guint         prop_id,
                                    const GValue *value,
                                    GParamSpec   *pspec)
{
  BelfryAccountEditor *self = BELFRY_ACCOUNT_EDITOR (object);

  switch (prop_id) {
  case PROP_ACCOUNT:
    self->account = g_value_dup_object (value);
    break;
  case PROP_MANAGER:
    self->manager = g_value_dup_object (value);
    break;
  default:
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
  }
}

static void
belfry_account_editor_constructed (GObject *object)
{
  BelfryAccountEditor *self = BELFRY_ACCOUNT_EDITOR (object);

  G_OBJECT_CLASS (belfry_account_editor_parent_class)->constructed (object);

  load_account (self);
}

static void
belfry_account_editor_dispose (GObject *object)
{
  BelfryAccountEditor *self = BELFRY_ACCOUNT_EDITOR (object);

  gtk_widget_dispose_template (GTK_WIDGET (self), BELFRY_TYPE_ACCOUNT_EDITOR);
  g_clear_object (&self->account);
  g_clear_object (&self->manager);

  G_OBJECT_CLASS (belfry_account_editor_parent_class)->dispose (object);
}

static void
belfry_account_editor_class_init (BelfryAccountEditorClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->get_property = belfry_account_editor_get_property;
  object_class->set_property = belfry_account_editor_set_property;
  object_class->constructed = belfry_account_editor_constructed;
  object_class->dispose = belfry_account_editor_dispose;

  /**
   * BelfryAccountEditor:manager:
   *
   * The account manager that a new account is added to.
   */
  props[PROP_MANAGER] =
    g_param_spec_object ("manager", NULL, NULL, BELFRY_TYPE_ACCOUNT_MANAGER,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  /**
   * BelfryAccountEditor:account:
   *
   * The account edited; %NULL until a new one is added.
   */
  props[PROP_ACCOUNT] =
    g_param_spec_object ("account", NULL, NULL, BELFRY_TYPE_ACCOUNT,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_EXPLICIT_NOTIFY |
                         G_PARAM_STATIC_STRINGS);

  /**
   * BelfryAccountEditor:busy:
   *
   * Whether a password is being saved.
   */
  props[PROP_BUSY] =
    g_param_spec_boolean ("busy", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, props);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               RESOURCE_PATH "/belfry-account-editor.ui");
  gtk_widget_class_bind_template_child (widget_class, BelfryAccountEditor, box);
  gtk_widget_class_bind_template_child (widget_class, BelfryAccountEditor, window_title);
  gtk_widget_class_bind_template_child (widget_class, BelfryAccountEditor, apply_button);
  gtk_widget_class_bind_template_child (widget_class, BelfryAccountEditor, spinner);
  gtk_widget_class_bind_template_child (widget_class, BelfryAccountEditor, address_row);
  gtk_widget_class_bind_template_child (widget_class, BelfryAccountEditor, display_name_row);
  gtk_widget_class_bind_template_child (widget_class, BelfryAccountEditor, enabled_switch);
  gtk_widget_class_bind_template_child (widget_class, BelfryAccountEditor, address_error_label);
  gtk_widget_class_bind_template_child (widget_class, BelfryAccountEditor, username_row);
  gtk_widget_class_bind_template_child (widget_class, BelfryAccountEditor, password_row);
  gtk_widget_class_bind_template_child (widget_class, BelfryAccountEditor, password_entry);
  gtk_widget_class_bind_template_child (widget_class, BelfryAccountEditor, password_error_label);
  gtk_widget_class_bind_template_child (widget_class, BelfryAccountEditor, registrar_row);
  gtk_widget_class_bind_template_child (widget_class, BelfryAccountEditor, proxy_row);
  gtk_widget_class_bind_template_child (widget_class, BelfryAccountEditor, transport_row);
  gtk_widget_class_bind_template_child (widget_class, BelfryAccountEditor, srtp_row);
  gtk_widget_class_bind_template_child (widget_class, BelfryAccountEditor, srtp_without_tls_row);
  gtk_widget_class_bind_template_child (widget_class, BelfryAccountEditor, srtp_without_tls_switch);
  gtk_widget_class_bind_template_callback (widget_class, update_srtp_without_tls);
  gtk_widget_class_bind_template_child (widget_class, BelfryAccountEditor, server_error_label);
  gtk_widget_class_bind_template_child (widget_class, BelfryAccountEditor, remove_group);
  gtk_widget_class_bind_template_child (widget_class, BelfryAccountEditor, remove_button);
  gtk_widget_class_bind_template_callback (widget_class, on_entry_activated);
  gtk_widget_class_bind_template_callback (widget_class, on_address_row_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_server_row_changed);

  gtk_widget_class_install_action (widget_class, "editor.apply", NULL, apply_action);
  gtk_widget_class_install_action (widget_class, "editor.cancel", NULL, cancel_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "editor.cancel", NULL);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_GROUP);
}

static void
belfry_account_editor_init (BelfryAccountEditor *self)
{
  AdwEntryRow *entry_rows[5];

  gtk_widget_init_template (GTK_WIDGET (self));

  /* The text field inside an entry row is what takes the focus: it is
   * named after its row, so that a screen reader says what to type. */
  entry_rows[0] = self->address_row;
  entry_rows[1] = self->display_name_row;
  entry_rows[2] = self->username_row;
  entry_rows[3] = self->registrar_row;
  entry_rows[4] = self->proxy_row;
  for (guint i = 0; i < G_N_ELEMENTS (entry_rows); i++) {
    GtkEditable *text = gtk_editable_get_delegate (GTK_EDITABLE (entry_rows[i]));
    const char *title = adw_preferences_row_get_title (ADW_PREFERENCES_ROW (entry_rows[i]));

    if (text != NULL)
      gtk_accessible_update_property (GTK_ACCESSIBLE (text), GTK_ACCESSIBLE_PROPERTY_LABEL, title,
                                      -1);
  }

  belfry_combo_row_name_items (self->transport_row);
  belfry_combo_row_name_items (self->srtp_row);
  update_srtp_without_tls (self);
}

/**
 * belfry_account_editor_new:
 * @manager: the account manager
 * @account: (nullable): the account to edit, or %NULL to add one
 *
 * Returns: (transfer full): a form for @account
 */
GtkWidget *
belfry_account_editor_new (BelfryAccountManager *manager,
                           BelfryAccount        *account)
{
  g_return_val_if_fail (BELFRY_IS_ACCOUNT_MANAGER (manager), NULL);
  g_return_val_if_fail (account == NULL || BELFRY_IS_ACCOUNT (account), NULL);

  return g_object_new (BELFRY_TYPE_ACCOUNT_EDITOR, "manager", manager, "account", account, NULL);
}

/**
 * belfry_account_editor_get_account:
 * @self: an account editor
 *
 * Returns: (transfer none) (nullable): the account edited, or %NULL while
 *   a new one is not added yet
 */
BelfryAccount *
belfry_account_editor_get_account (BelfryAccountEditor *self)
{
  g_return_val_if_fail (BELFRY_IS_ACCOUNT_EDITOR (self), NULL);

  return self->account;
}

/**
 * belfry_account_editor_get_busy:
 * @self: an account editor
 *
 * Returns: whether a password is being saved
 */
gboolean
belfry_account_editor_get_busy (BelfryAccountEditor *self)
{
  g_return_val_if_fail (BELFRY_IS_ACCOUNT_EDITOR (self), FALSE);

  return self->busy;
}
