/* SPDX-License-Identifier: GPL-3.0-or-later */

#define G_LOG_DOMAIN "belfry-account-manager"

#include "config.h"

#include "belfry-account-manager-private.h"
#include "belfry-account-private.h"

#include <glib/gi18n-lib.h>

/**
 * BelfryAccountManager:
 *
 * The list of accounts (a #GListModel of #BelfryAccount, in the order of
 * the `accounts` key) and the machinery behind each enabled one: a
 * #BelfryUserAgent and a #BelfryRegisterer, whose progress it turns into
 * #BelfryAccount:status and #BelfryAccount:status-message.
 *
 * Each account's user agent sends its requests through the account's
 * outbound proxy, if any, on the account's transport, and tells the
 * session description handler factory the account's SRTP mode and whether
 * SRTP keys may travel without TLS, through
 * #BelfryUserAgent:session-description-handler-factory-options (`srtp`,
 * `allow-srtp-without-tls`).
 *
 * The password is looked up in the Secret Service when the registration
 * starts and kept in memory only while it runs, for the digest challenges
 * of its refreshes; it is wiped when the registration stops.
 *
 * With no enabled account, a user agent for direct (peer-to-peer) calls
 * listens on the default SIP port, or the next free one, and
 * #BelfryAccountManager:direct-address says where.
 *
 * Every incoming call, whichever user agent it reaches, is handed on by
 * #BelfryAccountManager::incoming-call.
 */

enum {
  PROP_0,
  PROP_DIRECT_ADDRESS,
  PROP_DIRECT_PORT,
  PROP_FACTORY,
  PROP_LISTEN_ADDRESS,
  PROP_SETTINGS,
  N_PROPS
};

static GParamSpec *props[N_PROPS];

enum {
  SIGNAL_INCOMING_CALL,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void belfry_account_manager_list_model_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (BelfryAccountManager, belfry_account_manager, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL,
                                                      belfry_account_manager_list_model_init))

/* A shutdown's task counts the operations it waits for. */
static void
belfry_account_manager_operation_start (GTask *task)
{
  guint *pending = g_task_get_task_data (task);

  (*pending)++;
}

void
belfry_account_manager_operation_done (GTask *task)
{
  guint *pending = g_task_get_task_data (task);

  if (--*pending == 0)
    g_task_return_boolean (task, TRUE);
}

void
belfry_account_manager_set_direct_address (BelfryAccountManager *self,
                                           const char           *address)
{
  if (g_strcmp0 (self->direct_address, address) == 0)
    return;

  g_free (self->direct_address);
  self->direct_address = g_strdup (address);
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_DIRECT_ADDRESS]);
}

void
belfry_account_manager_emit_incoming_call (BelfryAccountManager *self,
                                           BelfryInvitation     *invitation,
                                           BelfryAccount        *account)
{
  g_signal_emit (self, signals[SIGNAL_INCOMING_CALL], 0, invitation, account);
}

static gboolean
any_enabled (BelfryAccountManager *self)
{
  for (guint i = 0; i < self->accounts->len; i++) {
    if (belfry_account_get_enabled (g_ptr_array_index (self->accounts, i)))
      return TRUE;
  }
  return FALSE;
}

void
belfry_account_manager_update_direct (BelfryAccountManager *self)
{
  if (any_enabled (self)) {
    if (self->direct != NULL) {
      g_clear_pointer (&self->direct, belfry_account_manager_entry_free);
      belfry_account_manager_set_direct_address (self, NULL);
    }
  } else if (self->direct == NULL) {
    self->direct = belfry_account_manager_entry_new (self, NULL);
    belfry_account_manager_entry_start (self->direct);
  }
}

/* Brings the list and the running registrations in line with the
 * `accounts` key; @fresh is an account object just made for a new ID. */
static void
sync_accounts (BelfryAccountManager *self,
               BelfryAccount        *fresh)
{
  g_auto (GStrv) ids = g_settings_get_strv (self->settings, "accounts");
  g_autoptr (GPtrArray) old = self->accounts;
  gboolean same;

  self->accounts = g_ptr_array_new_with_free_func (g_object_unref);

  for (guint i = 0; ids[i] != NULL; i++) {
    BelfryAccount *account = NULL;

    if (*ids[i] == '\0')
      continue;

    for (guint j = 0; j < old->len && account == NULL; j++) {
      if (g_str_equal (belfry_account_get_id (g_ptr_array_index (old, j)), ids[i]))
        account = g_object_ref (g_ptr_array_index (old, j));
    }
    for (guint j = 0; j < self->accounts->len && account != NULL; j++) {
      /* An ID listed twice is shown once. */
      if (g_ptr_array_index (self->accounts, j) == account)
        g_clear_object (&account);
    }
    if (account == NULL && fresh != NULL && g_str_equal (belfry_account_get_id (fresh), ids[i]))
      account = g_object_ref (fresh);
    if (account == NULL) {
      gboolean listed = FALSE;

      for (guint j = 0; j < self->accounts->len; j++)
        listed |= g_str_equal (belfry_account_get_id (g_ptr_array_index (self->accounts, j)), ids[i]);
      if (listed)
        continue;
      account = belfry_account_new (ids[i]);
    }
    g_ptr_array_add (self->accounts, account);
  }

  same = old->len == self->accounts->len;
  for (guint i = 0; same && i < old->len; i++)
    same = g_ptr_array_index (old, i) == g_ptr_array_index (self->accounts, i);

  /* Entries for accounts that went away stop; new ones start. */
  {
    GHashTableIter iter;
    gpointer key, value;

    g_hash_table_iter_init (&iter, self->entries);
    while (g_hash_table_iter_next (&iter, &key, &value)) {
      if (!g_strv_contains ((const char * const *) ids, key)) {
        belfry_account_manager_entry_stop (value);
        g_hash_table_iter_remove (&iter);
      }
    }
  }
  for (guint i = 0; i < self->accounts->len; i++) {
    BelfryAccount *account = g_ptr_array_index (self->accounts, i);

    if (!g_hash_table_contains (self->entries, belfry_account_get_id (account))) {
      Entry *entry = belfry_account_manager_entry_new (self, account);

      g_hash_table_insert (self->entries, g_strdup (belfry_account_get_id (account)), entry);
      belfry_account_manager_entry_start (entry);
    }
  }

  if (!same)
    g_list_model_items_changed (G_LIST_MODEL (self), 0, old->len, self->accounts->len);

  belfry_account_manager_update_direct (self);
}

static void
on_accounts_changed (GSettings            *settings,
                     const char           *key,
                     BelfryAccountManager *self)
{
  sync_accounts (self, NULL);
}

static GType
belfry_account_manager_get_item_type (GListModel *model)
{
  return BELFRY_TYPE_ACCOUNT;
}

static guint
belfry_account_manager_get_n_items (GListModel *model)
{
  return BELFRY_ACCOUNT_MANAGER (model)->accounts->len;
}

static gpointer
belfry_account_manager_get_item (GListModel *model,
                                 guint       position)
{
  BelfryAccountManager *self = BELFRY_ACCOUNT_MANAGER (model);

  if (position >= self->accounts->len)
    return NULL;
  return g_object_ref (g_ptr_array_index (self->accounts, position));
}

static void
belfry_account_manager_list_model_init (GListModelInterface *iface)
{
  iface->get_item_type = belfry_account_manager_get_item_type;
  iface->get_n_items = belfry_account_manager_get_n_items;
  iface->get_item = belfry_account_manager_get_item;
}

static void
password_cleared_cb (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr (GTask) task = user_data;
  GError *error = NULL;

  if (belfry_account_clear_password_finish (BELFRY_ACCOUNT (source), result, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

static void
belfry_account_manager_get_property (GObject    *object,
                                     guint       prop_id,
                                     GValue     *value,
                                     GParamSpec *pspec)
{
  BelfryAccountManager *self = BELFRY_ACCOUNT_MANAGER (object);

  switch (prop_id) {
  case PROP_DIRECT_ADDRESS:
    g_value_set_string (value, self->direct_address);
    break;
  case PROP_DIRECT_PORT:
    g_value_set_int (value, self->direct_port);
    break;
  case PROP_FACTORY:
    g_value_set_object (value, self->factory);
    break;
  case PROP_LISTEN_ADDRESS:
    g_value_set_string (value, self->listen_address);
    break;
  case PROP_SETTINGS:
    g_value_set_object (value, self->settings);
    break;
  default:
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
  }
}

static void
belfry_account_manager_set_property (GObject      *object,
                                     guint         prop_id,
                                     const GValue *value,
                                     GParamSpec   *pspec)
{
  BelfryAccountManager *self = BELFRY_ACCOUNT_MANAGER (object);

  switch (prop_id) {
  case PROP_DIRECT_PORT:
    self->direct_port = g_value_get_int (value);
    break;
  case PROP_FACTORY:
    self->factory = g_value_dup_object (value);
    break;
  case PROP_LISTEN_ADDRESS:
    g_free (self->listen_address);
    self->listen_address = g_value_dup_string (value);
    break;
  case PROP_SETTINGS:
    self->settings = g_value_dup_object (value);
    break;
  default:
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
  }
}

static void
belfry_account_manager_constructed (GObject *object)
{
  BelfryAccountManager *self = BELFRY_ACCOUNT_MANAGER (object);

  G_OBJECT_CLASS (belfry_account_manager_parent_class)->constructed (object);

  if (self->settings == NULL)
    self->settings = g_settings_new (APPLICATION_ID);
  if (self->listen_address == NULL)
    self->listen_address = g_strdup ("0.0.0.0");

  g_signal_connect (self->settings, "changed::accounts", G_CALLBACK (on_accounts_changed), self);
  sync_accounts (self, NULL);
}

static void
belfry_account_manager_dispose (GObject *object)
{
  BelfryAccountManager *self = BELFRY_ACCOUNT_MANAGER (object);

  if (self->settings != NULL)
    g_signal_handlers_disconnect_by_data (self->settings, self);
  g_clear_pointer (&self->direct, belfry_account_manager_entry_free);
  if (self->entries != NULL)
    g_hash_table_remove_all (self->entries);
  if (self->accounts != NULL)
    g_ptr_array_set_size (self->accounts, 0);
  g_clear_object (&self->settings);
  g_clear_object (&self->factory);

  G_OBJECT_CLASS (belfry_account_manager_parent_class)->dispose (object);
}

static void
belfry_account_manager_finalize (GObject *object)
{
  BelfryAccountManager *self = BELFRY_ACCOUNT_MANAGER (object);

  g_hash_table_unref (self->entries);
  g_ptr_array_unref (self->accounts);
  g_free (self->listen_address);
  g_free (self->direct_address);

  G_OBJECT_CLASS (belfry_account_manager_parent_class)->finalize (object);
}

static void
belfry_account_manager_class_init (BelfryAccountManagerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->get_property = belfry_account_manager_get_property;
  object_class->set_property = belfry_account_manager_set_property;
  object_class->constructed = belfry_account_manager_constructed;
  object_class->dispose = belfry_account_manager_dispose;
  object_class->finalize = belfry_account_manager_finalize;

  /**
   * BelfryAccountManager:settings:
   *
   * The `org.belfry.Belfry` settings whose `accounts` key lists the
   * accounts.
   */
  props[PROP_SETTINGS] =
    g_param_spec_object ("settings", NULL, NULL, G_TYPE_SETTINGS,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  /**
   * BelfryAccountManager:factory:
   *
   * The session description handler factory of every user agent.
   */
  props[PROP_FACTORY] =
    g_param_spec_object ("factory", NULL, NULL, BELFRY_TYPE_SESSION_DESCRIPTION_HANDLER_FACTORY,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  /**
   * BelfryAccountManager:listen-address:
   *
   * The local address every user agent listens on.
   */
  props[PROP_LISTEN_ADDRESS] =
    g_param_spec_string ("listen-address", NULL, NULL, "0.0.0.0",
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  /**
   * BelfryAccountManager:direct-port:
   *
   * The first port tried for direct calls; the next ones are tried while
   * it is taken. 0 takes any free port.
   */
  props[PROP_DIRECT_PORT] =
    g_param_spec_int ("direct-port", NULL, NULL, 0, 65535, 5060,
                      G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  /**
   * BelfryAccountManager:direct-address:
   *
   * The address that others call for a direct call, such as
   * `sip:alice@192.0.2.7:5060`, while there is no enabled account;
   * otherwise %NULL.
   */
  props[PROP_DIRECT_ADDRESS] =
    g_param_spec_string ("direct-address", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, props);

  /**
   * BelfryAccountManager::incoming-call:
   * @self: the account manager
   * @invitation: the incoming call
   * @account: (nullable): the account it came in on, or %NULL for a direct call
   *
   * A call came in. A handler keeps a reference to @invitation and answers
   * it; with no handler it is answered 486 Busy Here.
   */
  signals[SIGNAL_INCOMING_CALL] =
    g_signal_new ("incoming-call", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 2, BELFRY_TYPE_INVITATION, BELFRY_TYPE_ACCOUNT);
}

static void
belfry_account_manager_init (BelfryAccountManager *self)
{
  self->accounts = g_ptr_array_new_with_free_func (g_object_unref);
  self->entries = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) belfry_account_manager_entry_free);
  self->direct_port = 5060;
}

/**
 * belfry_account_manager_new:
 * @settings: (nullable): the `org.belfry.Belfry` settings, or %NULL for the default ones
 * @factory: the session description handler factory for calls
 * @listen_address: (nullable): the local address to listen on, or %NULL for all
 * @direct_port: the first port to try for direct calls (5060), or 0 for any
 *
 * Creates the account manager and starts the registration of every
 * enabled account, or the user agent for direct calls when there is none.
 *
 * Returns: (transfer full): a new #BelfryAccountManager
 */
BelfryAccountManager *
belfry_account_manager_new (GSettings                              *settings,
                            BelfrySessionDescriptionHandlerFactory *factory,
                            const char                             *listen_address,
                            int                                     direct_port)
{
  g_return_val_if_fail (settings == NULL || G_IS_SETTINGS (settings), NULL);
  g_return_val_if_fail (BELFRY_IS_SESSION_DESCRIPTION_HANDLER_FACTORY (factory), NULL);

  return g_object_new (BELFRY_TYPE_ACCOUNT_MANAGER,
                       "settings", settings,
                       "factory", factory,
                       "listen-address", listen_address != NULL ? listen_address : "0.0.0.0",
                       "direct-port", direct_port,
                       NULL);
}

/**
 * belfry_account_manager_get_settings:
 * @self: an account manager
 *
 * Returns: (transfer none): the application's settings
 */
GSettings *
belfry_account_manager_get_settings (BelfryAccountManager *self)
{
  g_return_val_if_fail (BELFRY_IS_ACCOUNT_MANAGER (self), NULL);

  return self->settings;
}

/**
 * belfry_account_manager_add:
 * @self: an account manager
 * @sip_address: the new account's address
 *
 * Adds an account with a new ID at the end of the list. Set its other
 * settings on the returned object; a password goes in with
 * belfry_account_store_password_async(), then
 * belfry_account_manager_reconnect().
 *
 * Returns: (transfer none): the new account
 */
BelfryAccount *
belfry_account_manager_add (BelfryAccountManager *self,
                            const char           *sip_address)
{
  g_autoptr (BelfryAccount) account = NULL;
  g_autoptr (GStrvBuilder) builder = g_strv_builder_new ();
  g_auto (GStrv) ids = NULL;
  g_auto (GStrv) updated = NULL;
  g_autofree char *uuid = g_uuid_string_random ();

  g_return_val_if_fail (BELFRY_IS_ACCOUNT_MANAGER (self), NULL);
  g_return_val_if_fail (sip_address != NULL, NULL);

  account = belfry_account_new (uuid);
  /* Fresh settings: an old account of the same ID cannot exist, but a
   * stray folder in dconf should not leak into the new one. */
  belfry_account_set_sip_address (account, sip_address);

  ids = g_settings_get_strv (self->settings, "accounts");
  g_strv_builder_addv (builder, (const char **) ids);
  g_strv_builder_add (builder, uuid);
  updated = g_strv_builder_end (builder);
  g_settings_set_strv (self->settings, "accounts", (const char * const *) updated);

  sync_accounts (self, account);
  return belfry_account_manager_lookup (self, uuid);
}

/**
 * belfry_account_manager_remove_async:
 * @self: an account manager
 * @account: the account to remove
 * @cancellable: (nullable): a #GCancellable
 * @callback: called once the password is cleared too
 * @user_data: data for @callback
 *
 * Removes @account from the list, stops its registration (unregistering),
 * resets its settings and clears its password from the Secret Service.
 */
void
belfry_account_manager_remove_async (BelfryAccountManager *self,
                                     BelfryAccount        *account,
                                     GCancellable         *cancellable,
                                     GAsyncReadyCallback   callback,
                                     gpointer              user_data)
{
  g_autoptr (GStrvBuilder) builder = g_strv_builder_new ();
  g_auto (GStrv) ids = NULL;
  g_auto (GStrv) updated = NULL;
  g_autofree char *default_id = NULL;
  GSettings *account_settings;
  GSettingsSchema *schema = NULL;
  g_auto (GStrv) keys = NULL;
  GTask *task;
  const char *id;

  g_return_if_fail (BELFRY_IS_ACCOUNT_MANAGER (self));
  g_return_if_fail (BELFRY_IS_ACCOUNT (account));

  g_object_ref (account);
  id = belfry_account_get_id (account);
  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, belfry_account_manager_remove_async);
  g_task_set_task_data (task, account, g_object_unref);

  ids = g_settings_get_strv (self->settings, "accounts");
  for (guint i = 0; ids[i] != NULL; i++) {
    if (!g_str_equal (ids[i], id))
      g_strv_builder_add (builder, ids[i]);
  }
  updated = g_strv_builder_end (builder);
  g_settings_set_strv (self->settings, "accounts", (const char * const *) updated);

  default_id = g_settings_get_string (self->settings, "default-account");
  if (g_str_equal (default_id, id))
    g_settings_reset (self->settings, "default-account");

  sync_accounts (self, NULL);

  /* Its folder in dconf goes too. */
  account_settings = belfry_account_get_settings (account);
  g_object_get (account_settings, "settings-schema", &schema, NULL);
  keys = g_settings_schema_list_keys (schema);
  for (guint i = 0; keys[i] != NULL; i++)
    g_settings_reset (account_settings, keys[i]);
  g_settings_schema_unref (schema);

  belfry_account_clear_password_async (account, cancellable, password_cleared_cb, task);
}

gboolean
belfry_account_manager_remove_finish (BelfryAccountManager  *self,
                                      GAsyncResult          *result,
                                      GError               **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/**
 * belfry_account_manager_lookup:
 * @self: an account manager
 * @id: an account ID
 *
 * Returns: (transfer none) (nullable): the account of ID @id, if listed
 */
BelfryAccount *
belfry_account_manager_lookup (BelfryAccountManager *self,
                               const char           *id)
{
  g_return_val_if_fail (BELFRY_IS_ACCOUNT_MANAGER (self), NULL);

  if (id == NULL)
    return NULL;

  for (guint i = 0; i < self->accounts->len; i++) {
    BelfryAccount *account = g_ptr_array_index (self->accounts, i);

    if (g_str_equal (belfry_account_get_id (account), id))
      return account;
  }
  return NULL;
}

/**
 * belfry_account_manager_get_default_account:
 * @self: an account manager
 *
 * The account that calls use unless another is chosen: the one of the
 * `default-account` key when it is enabled, otherwise the first enabled
 * one.
 *
 * Returns: (transfer none) (nullable): the account, or %NULL when no
 *   account is enabled (calls are then direct)
 */
BelfryAccount *
belfry_account_manager_get_default_account (BelfryAccountManager *self)
{
  g_autofree char *id = NULL;
  BelfryAccount *account;

  g_return_val_if_fail (BELFRY_IS_ACCOUNT_MANAGER (self), NULL);

  id = g_settings_get_string (self->settings, "default-account");
  account = belfry_account_manager_lookup (self, id);
  if (account != NULL && belfry_account_get_enabled (account))
    return account;

  for (guint i = 0; i < self->accounts->len; i++) {
    account = g_ptr_array_index (self->accounts, i);
    if (belfry_account_get_enabled (account))
      return account;
  }
  return NULL;
}

void
belfry_account_manager_set_default_account (BelfryAccountManager *self,
                                            BelfryAccount        *account)
{
  g_return_if_fail (BELFRY_IS_ACCOUNT_MANAGER (self));
  g_return_if_fail (account == NULL || BELFRY_IS_ACCOUNT (account));

  g_settings_set_string (self->settings, "default-account",
                         account != NULL ? belfry_account_get_id (account) : "");
}

/**
 * belfry_account_manager_reconnect:
 * @self: an account manager
 * @account: an account
 *
 * Starts the account's registration again from the beginning, with its
 * password looked up anew: after the password was changed, or to retry at
 * once.
 */
void
belfry_account_manager_reconnect (BelfryAccountManager *self,
                                  BelfryAccount        *account)
{
  Entry *entry;

  g_return_if_fail (BELFRY_IS_ACCOUNT_MANAGER (self));
  g_return_if_fail (BELFRY_IS_ACCOUNT (account));

  entry = g_hash_table_lookup (self->entries, belfry_account_get_id (account));
  if (entry == NULL)
    return;

  belfry_account_manager_entry_stop (entry);
  belfry_account_manager_entry_start (entry);
}

/**
 * belfry_account_manager_get_user_agent:
 * @self: an account manager
 * @account: (nullable): an account, or %NULL for direct calls
 *
 * Returns: (transfer none) (nullable): the user agent that serves
 *   @account, once it listens
 */
BelfryUserAgent *
belfry_account_manager_get_user_agent (BelfryAccountManager *self,
                                       BelfryAccount        *account)
{
  Entry *entry;

  g_return_val_if_fail (BELFRY_IS_ACCOUNT_MANAGER (self), NULL);

  entry = account != NULL ? g_hash_table_lookup (self->entries, belfry_account_get_id (account)) : self->direct;
  return entry != NULL && entry->started ? entry->user_agent : NULL;
}

/**
 * belfry_account_manager_find_account_for_user_agent:
 * @self: an account manager
 * @user_agent: a user agent
 *
 * Returns: (transfer none) (nullable): the account that @user_agent
 *   serves, or %NULL for the direct one
 */
BelfryAccount *
belfry_account_manager_find_account_for_user_agent (BelfryAccountManager *self,
                                                    BelfryUserAgent      *user_agent)
{
  GHashTableIter iter;
  gpointer value;

  g_return_val_if_fail (BELFRY_IS_ACCOUNT_MANAGER (self), NULL);

  g_hash_table_iter_init (&iter, self->entries);
  while (g_hash_table_iter_next (&iter, NULL, &value)) {
    Entry *entry = value;

    if (entry->user_agent == user_agent)
      return entry->account;
  }
  return NULL;
}

/**
 * belfry_account_manager_get_direct_address:
 * @self: an account manager
 *
 * Returns: (nullable): #BelfryAccountManager:direct-address
 */
const char *
belfry_account_manager_get_direct_address (BelfryAccountManager *self)
{
  g_return_val_if_fail (BELFRY_IS_ACCOUNT_MANAGER (self), NULL);

  return self->direct_address;
}

/**
 * belfry_account_manager_unregister_all_async:
 * @self: the account manager
 * @cancellable: (nullable): a #GCancellable
 * @callback: called once every registrar answered
 * @user_data: data for @callback
 *
 * What an application does before it quits: every account's registration
 * is withdrawn, so that the registrar routes no call to a Belfry that is
 * gone. The accounts go offline; their user agents stay until the manager
 * goes, so that calls can still be ended.
 */
void
belfry_account_manager_unregister_all_async (BelfryAccountManager *self,
                                             GCancellable         *cancellable,
                                             GAsyncReadyCallback   callback,
                                             gpointer              user_data)
{
  g_autoptr (GTask) task = NULL;
  GHashTableIter iter;
  gpointer value;

  g_return_if_fail (BELFRY_IS_ACCOUNT_MANAGER (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, belfry_account_manager_unregister_all_async);
  /* One operation stands for the loop below, so that the task cannot
   * complete before every account was asked. */
  g_task_set_task_data (task, g_new0 (guint, 1), g_free);
  belfry_account_manager_operation_start (task);

  g_hash_table_iter_init (&iter, self->entries);
  while (g_hash_table_iter_next (&iter, NULL, &value)) {
    Entry *entry = value;

    g_cancellable_cancel (entry->cancellable);
    g_clear_handle_id (&entry->restart_id, g_source_remove);
    if (entry->registerer == NULL)
      continue;
    g_signal_handlers_disconnect_by_data (entry->registerer, entry);
    belfry_account_manager_operation_start (task);
    belfry_registerer_dispose_async (entry->registerer, NULL, belfry_account_manager_unregistered_cb, g_object_ref (task));
    g_clear_object (&entry->registerer);
    belfry_account_set_status (entry->account, BELFRY_ACCOUNT_STATUS_OFFLINE, _("Offline"));
  }

  belfry_account_manager_operation_done (task);
}

/**
 * belfry_account_manager_unregister_all_finish:
 * @self: the account manager
 * @result: the result given to the callback
 * @error: return location for a #GError
 *
 * Returns: %TRUE once done
 */
gboolean
belfry_account_manager_unregister_all_finish (BelfryAccountManager  *self,
                                              GAsyncResult          *result,
                                              GError               **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}
