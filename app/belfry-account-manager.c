/* SPDX-License-Identifier: GPL-3.0-or-later */

#define G_LOG_DOMAIN "belfry-account-manager"

#include "config.h"

#include "belfry-account-manager.h"
#include "belfry-account-private.h"
#include "belfry-app-enums.h"
#include "belfry-enum.h"
#include "belfry-invitation.h"
#include "belfry-media-enums.h"
#include "belfry-registerer.h"
#include "belfry-sip-error.h"

#include <glib/gi18n-lib.h>
#include <ifaddrs.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <string.h>

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

#define DIRECT_PORT_ATTEMPTS 20

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

typedef struct {
  BelfryAccountManager *manager;
  /* NULL for the direct user agent. */
  BelfryAccount *account;
  BelfryUserAgent *user_agent;
  BelfryRegisterer *registerer;
  GCancellable *cancellable;
  char *password;
  gboolean password_missing;
  gboolean started;
  int port;
  guint restart_id;
  gulong notify_id;
} Entry;

/* What an asynchronous step needs to find its entry again, unless the
 * entry went away in between (then the cancellable is cancelled). */
typedef struct {
  Entry *entry;
  GCancellable *cancellable;
} Step;

struct _BelfryAccountManager {
  GObject parent_instance;

  GSettings *settings;
  BelfrySessionDescriptionHandlerFactory *factory;
  char *listen_address;
  int direct_port;
  char *direct_address;

  GPtrArray *accounts;
  /* account ID -> Entry */
  GHashTable *entries;
  Entry *direct;
};

static void belfry_account_manager_list_model_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (BelfryAccountManager, belfry_account_manager, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL,
                                                      belfry_account_manager_list_model_init))

static void entry_start (Entry *entry);
static void update_direct (BelfryAccountManager *self);

/* A shutdown's task counts the operations it waits for. */
static void
belfry_account_manager_operation_start (GTask *task)
{
  guint *pending = g_task_get_task_data (task);

  (*pending)++;
}

static void
belfry_account_manager_operation_done (GTask *task)
{
  guint *pending = g_task_get_task_data (task);

  if (--*pending == 0)
    g_task_return_boolean (task, TRUE);
}

static Step *
step_new (Entry *entry)
{
  Step *step = g_new0 (Step, 1);

  step->entry = entry;
  step->cancellable = g_object_ref (entry->cancellable);
  return step;
}

/* Returns the entry, or NULL when it was stopped meanwhile; frees @step. */
static Entry *
step_finish (Step *step)
{
  Entry *entry = g_cancellable_is_cancelled (step->cancellable) ? NULL : step->entry;

  g_object_unref (step->cancellable);
  g_free (step);
  return entry;
}

static void
wipe_password (Entry *entry)
{
  if (entry->password != NULL) {
    explicit_bzero (entry->password, strlen (entry->password));
    g_clear_pointer (&entry->password, g_free);
  }
  entry->password_missing = FALSE;
}

static void
set_status (Entry               *entry,
            BelfryAccountStatus  status,
            const char          *message)
{
  if (entry->account != NULL)
    belfry_account_set_status (entry->account, status, message);
}

static char *
password_func (BelfryUserAgent *user_agent,
               const char      *realm,
               const char      *username,
               gpointer         user_data)
{
  Entry *entry = user_data;

  return g_strdup (entry->password);
}

/* The account's media policy, for the factory of its user agent's sessions. */
static void
update_factory_options (Entry *entry)
{
  GVariantDict options;

  if (entry->account == NULL || entry->user_agent == NULL)
    return;

  g_variant_dict_init (&options, NULL);
  g_variant_dict_insert (&options, "srtp", "s",
                         belfry_enum_get_nick (BELFRY_TYPE_MEDIA_SRTP,
                                               belfry_account_get_srtp (entry->account)));
  g_variant_dict_insert (&options, "allow-srtp-without-tls", "b",
                         belfry_account_get_allow_srtp_without_tls (entry->account));
  belfry_user_agent_set_session_description_handler_factory_options (entry->user_agent,
                                                                     g_variant_dict_end (&options));
}

static void
on_invite (BelfryUserAgent  *user_agent,
           BelfryInvitation *invitation,
           Entry            *entry)
{
  g_signal_emit (entry->manager, signals[SIGNAL_INCOMING_CALL], 0, invitation, entry->account);
}

static char *
describe_failure (Entry        *entry,
                  const GError *error,
                  guint         retry_after)
{
  if (error->domain == BELFRY_SIP_ERROR) {
    switch (error->code) {
    case 401:
    case 403:
    case 407:
      return g_strdup (entry->password_missing ? _("No password set") : _("Wrong password"));
    case 423:
      return g_strdup (_("The registrar refused the registration interval"));
    case BELFRY_SIP_ERROR_TIMEOUT:
    case BELFRY_SIP_ERROR_TRANSPORT:
      if (retry_after > 0)
        /* Translators: %u is a number of seconds. */
        return g_strdup_printf (_("Registrar unreachable, retrying in %u s"), retry_after);
      return g_strdup (_("Registrar unreachable"));
    case 408:
    case 480:
    case 500:
    case 502:
    case 503:
    case 504:
      if (retry_after > 0)
        /* Translators: %u is a number of seconds. */
        return g_strdup_printf (_("Registrar unavailable, retrying in %u s"), retry_after);
      return g_strdup (_("Registrar unavailable"));
    default:
      break;
    }
  }

  /* Translators: %s is the reason, as the registrar or the network gave it. */
  return g_strdup_printf (_("Registration failed: %s"), error->message);
}

static void
update_registration_status (Entry *entry)
{
  BelfryRegisterer *registerer = entry->registerer;
  const GError *error;

  if (registerer == NULL)
    return;

  error = belfry_registerer_get_error (registerer);

  switch (belfry_registerer_get_state (registerer)) {
  case BELFRY_REGISTERER_STATE_REGISTERED:
    set_status (entry, BELFRY_ACCOUNT_STATUS_REGISTERED, _("Registered"));
    return;
  case BELFRY_REGISTERER_STATE_TERMINATED:
    set_status (entry, BELFRY_ACCOUNT_STATUS_OFFLINE, _("Offline"));
    return;
  case BELFRY_REGISTERER_STATE_INITIAL:
  case BELFRY_REGISTERER_STATE_UNREGISTERED:
  default:
    break;
  }

  if (belfry_registerer_get_waiting (registerer)) {
    set_status (entry, BELFRY_ACCOUNT_STATUS_REGISTERING, _("Registering…"));
  } else if (error != NULL) {
    g_autofree char *message = describe_failure (entry, error, belfry_registerer_get_retry_after (registerer));

    set_status (entry, BELFRY_ACCOUNT_STATUS_FAILED, message);
  } else if (belfry_registerer_get_state (registerer) == BELFRY_REGISTERER_STATE_INITIAL) {
    set_status (entry, BELFRY_ACCOUNT_STATUS_REGISTERING, _("Registering…"));
  } else {
    set_status (entry, BELFRY_ACCOUNT_STATUS_OFFLINE, _("Not registered"));
  }
}

static void
on_registerer_notify (BelfryRegisterer *registerer,
                      GParamSpec       *pspec,
                      Entry            *entry)
{
  update_registration_status (entry);
}

static void
register_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr (GError) error = NULL;

  /* The status follows the registerer's properties; the failure itself is
   * in #BelfryRegisterer:error. */
  if (!belfry_registerer_register_finish (BELFRY_REGISTERER (source), result, &error))
    g_debug ("registration did not complete: %s", error->message);
}

static void
unregistered_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr (GTask) task = user_data;
  g_autoptr (GError) error = NULL;

  if (!belfry_registerer_dispose_finish (BELFRY_REGISTERER (source), result, &error))
    g_debug ("unregistering did not complete: %s", error->message);
  if (task != NULL)
    belfry_account_manager_operation_done (task);
}

/* Lets go of the entry's user agent and registerer. With @unregister,
 * the registration is withdrawn first; without, nothing is sent (dispose
 * does no I/O) and a registration left behind lapses at its expiry. */
static void
entry_release (Entry    *entry,
               gboolean  unregister)
{
  g_cancellable_cancel (entry->cancellable);
  g_clear_object (&entry->cancellable);
  entry->cancellable = g_cancellable_new ();
  g_clear_handle_id (&entry->restart_id, g_source_remove);

  if (entry->registerer != NULL) {
    g_signal_handlers_disconnect_by_data (entry->registerer, entry);
    /* The operation keeps the registerer alive until the registrar
     * answered. */
    if (unregister)
      belfry_registerer_dispose_async (entry->registerer, NULL, unregistered_cb, NULL);
    g_clear_object (&entry->registerer);
  }
  if (entry->user_agent != NULL) {
    g_signal_handlers_disconnect_by_data (entry->user_agent, entry);
    belfry_user_agent_set_password_func (entry->user_agent, NULL, NULL, NULL);
    g_clear_object (&entry->user_agent);
  }
  entry->started = FALSE;
  wipe_password (entry);
}

static void
entry_stop (Entry *entry)
{
  entry_release (entry, TRUE);
}

static void
entry_free (Entry *entry)
{
  entry_release (entry, FALSE);
  if (entry->account != NULL) {
    g_clear_signal_handler (&entry->notify_id, entry->account);
    belfry_account_set_status (entry->account, BELFRY_ACCOUNT_STATUS_OFFLINE, _("Offline"));
  }
  g_clear_object (&entry->account);
  g_clear_object (&entry->cancellable);
  g_free (entry);
}

static char *
dup_local_ip (const char *listen_address)
{
  struct ifaddrs *addresses = NULL;
  char *found = NULL;

  if (g_strcmp0 (listen_address, "0.0.0.0") != 0 && g_strcmp0 (listen_address, "::") != 0)
    return g_strdup (listen_address);

  /* The first address of a network that other machines can reach. */
  if (getifaddrs (&addresses) == 0) {
    for (struct ifaddrs *a = addresses; a != NULL && found == NULL; a = a->ifa_next) {
      char text[INET_ADDRSTRLEN];

      if (a->ifa_addr == NULL || a->ifa_addr->sa_family != AF_INET)
        continue;
      inet_ntop (AF_INET, &((struct sockaddr_in *) a->ifa_addr)->sin_addr, text, sizeof text);
      if (!g_str_has_prefix (text, "127."))
        found = g_strdup (text);
    }
    freeifaddrs (addresses);
  }

  return found != NULL ? found : g_strdup ("127.0.0.1");
}

static void
set_direct_address (BelfryAccountManager *self,
                    const char           *address)
{
  if (g_strcmp0 (self->direct_address, address) == 0)
    return;

  g_free (self->direct_address);
  self->direct_address = g_strdup (address);
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_DIRECT_ADDRESS]);
}

static void
direct_started_cb (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  Entry *entry = step_finish (user_data);
  g_autoptr (GError) error = NULL;
  BelfryAccountManager *self;

  if (!belfry_user_agent_start_finish (BELFRY_USER_AGENT (source), result, &error) && entry != NULL) {
    entry_stop (entry);
    if (g_error_matches (error, BELFRY_SIP_ERROR, BELFRY_SIP_ERROR_ADDRESS_IN_USE) &&
        entry->manager->direct_port != 0 && entry->port < entry->manager->direct_port + DIRECT_PORT_ATTEMPTS - 1) {
      entry->port++;
      entry_start (entry);
    } else {
      g_warning ("Cannot listen for direct calls: %s", error->message);
    }
    return;
  }

  if (entry == NULL)
    return;

  self = entry->manager;
  entry->started = TRUE;

  {
    g_autofree char *ip = dup_local_ip (self->listen_address);
    g_autoptr (BelfryNameAddr) direct = NULL;
    g_autofree char *address = NULL;

    direct = belfry_name_addr_new_for_host (NULL, g_get_user_name (), ip,
                                            belfry_user_agent_get_port (entry->user_agent), NULL);
    if (direct != NULL)
      address = belfry_name_addr_dup_uri (direct);
    set_direct_address (self, address);
  }
}

static void
account_started_cb (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  Entry *entry = step_finish (user_data);
  g_autoptr (GError) error = NULL;
  g_autofree char *registrar = NULL;

  if (!belfry_user_agent_start_finish (BELFRY_USER_AGENT (source), result, &error)) {
    if (entry != NULL) {
      /* Translators: %s says why, as the system gave it. */
      g_autofree char *message = g_strdup_printf (_("Cannot listen for calls: %s"), error->message);

      set_status (entry, BELFRY_ACCOUNT_STATUS_FAILED, message);
    }
    return;
  }

  if (entry == NULL)
    return;

  entry->started = TRUE;
  registrar = belfry_account_dup_registrar_uri (entry->account);
  entry->registerer = belfry_registerer_new_for_uri (entry->user_agent, registrar,
                                                     belfry_account_get_register_expires (entry->account),
                                                     &error);
  if (entry->registerer == NULL) {
    /* Translators: %s says what is wrong with the registrar's address. */
    g_autofree char *message = g_strdup_printf (_("The registrar’s address is not valid: %s"), error->message);

    set_status (entry, BELFRY_ACCOUNT_STATUS_FAILED, message);
    return;
  }

  g_signal_connect (entry->registerer, "notify::state", G_CALLBACK (on_registerer_notify), entry);
  g_signal_connect (entry->registerer, "notify::waiting", G_CALLBACK (on_registerer_notify), entry);
  g_signal_connect (entry->registerer, "notify::error", G_CALLBACK (on_registerer_notify), entry);
  g_signal_connect (entry->registerer, "notify::retry-after", G_CALLBACK (on_registerer_notify), entry);
  belfry_registerer_register_async (entry->registerer, entry->cancellable, register_cb, NULL);
  update_registration_status (entry);
}

static void
password_found_cb (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  Entry *entry = step_finish (user_data);
  g_autoptr (GError) error = NULL;
  char *password = belfry_account_lookup_password_finish (BELFRY_ACCOUNT (source), result, &error);

  if (entry == NULL) {
    if (password != NULL)
      explicit_bzero (password, strlen (password));
    g_free (password);
    return;
  }

  /* Without a Secret Service the account may still register with a
   * registrar that asks for no password. */
  if (error != NULL)
    g_message ("No password for account %s: %s", belfry_account_get_id (entry->account), error->message);

  wipe_password (entry);
  entry->password = password;
  entry->password_missing = password == NULL;

  belfry_user_agent_start_async (entry->user_agent, entry->cancellable, account_started_cb, step_new (entry));
}

static void
entry_start (Entry *entry)
{
  BelfryAccountManager *self = entry->manager;
  g_autoptr (BelfryNameAddr) identity = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *proxy = NULL;

  if (entry->account == NULL) {
    g_autofree char *ip = dup_local_ip (self->listen_address);

    identity = belfry_name_addr_new_for_host (g_get_real_name (), g_get_user_name (), ip, 0, NULL);
    if (identity == NULL)
      identity = belfry_name_addr_new (NULL, "sip:belfry@127.0.0.1", NULL);
    entry->user_agent = belfry_user_agent_new (identity, self->listen_address, entry->port, self->factory);
    g_signal_connect (entry->user_agent, "invite", G_CALLBACK (on_invite), entry);
    belfry_user_agent_start_async (entry->user_agent, entry->cancellable, direct_started_cb, step_new (entry));
    return;
  }

  if (!belfry_account_get_enabled (entry->account)) {
    set_status (entry, BELFRY_ACCOUNT_STATUS_OFFLINE, _("Disabled"));
    return;
  }

  identity = belfry_account_dup_identity (entry->account, &error);
  if (identity == NULL) {
    set_status (entry, BELFRY_ACCOUNT_STATUS_FAILED, error->message);
    return;
  }

  proxy = belfry_account_dup_outbound_proxy_uri (entry->account);
  if (proxy != NULL && !belfry_user_agent_check_outbound_proxy (proxy, NULL)) {
    /* Translators: %s is the outbound proxy as it was typed. */
    g_autofree char *message = g_strdup_printf (_("The outbound proxy “%s” is not a SIP address"),
                                                belfry_account_get_outbound_proxy (entry->account));

    set_status (entry, BELFRY_ACCOUNT_STATUS_FAILED, message);
    return;
  }

  entry->user_agent = belfry_user_agent_new (identity, self->listen_address, 0, self->factory);
  belfry_user_agent_set_outbound_proxy (entry->user_agent, proxy);
  update_factory_options (entry);
  {
    g_autofree char *username = belfry_account_dup_auth_username (entry->account);

    if (username != NULL)
      belfry_user_agent_set_username (entry->user_agent, username);
  }
  belfry_user_agent_set_password_func (entry->user_agent, password_func, entry, NULL);
  g_signal_connect (entry->user_agent, "invite", G_CALLBACK (on_invite), entry);

  set_status (entry, BELFRY_ACCOUNT_STATUS_REGISTERING, _("Registering…"));
  /* Not cancelled with the entry: libsecret shares the loading of its
   * service between callers, and one cancellation would fail them all. A
   * late answer for a stopped entry is dropped by step_finish(). */
  belfry_account_lookup_password_async (entry->account, NULL, password_found_cb, step_new (entry));
}

static gboolean
restart_cb (gpointer user_data)
{
  Entry *entry = user_data;

  entry->restart_id = 0;
  entry_stop (entry);
  entry_start (entry);
  update_direct (entry->manager);
  return G_SOURCE_REMOVE;
}

static void
on_account_notify (BelfryAccount *account,
                   GParamSpec    *pspec,
                   Entry         *entry)
{
  /* The status is ours. */
  if (g_str_equal (pspec->name, "status") || g_str_equal (pspec->name, "status-message"))
    return;

  /* The media policy counts from the next call; no need to register again. */
  if (g_str_equal (pspec->name, "srtp") || g_str_equal (pspec->name, "allow-srtp-without-tls")) {
    update_factory_options (entry);
    return;
  }

  /* Everything else, the outbound proxy and the transport too, changes
   * how we register. */

  if (entry->restart_id == 0)
    entry->restart_id = g_idle_add (restart_cb, entry);
}

static Entry *
entry_new (BelfryAccountManager *self,
           BelfryAccount        *account)
{
  Entry *entry = g_new0 (Entry, 1);

  entry->manager = self;
  entry->cancellable = g_cancellable_new ();
  if (account != NULL) {
    entry->account = g_object_ref (account);
    entry->notify_id = g_signal_connect (account, "notify", G_CALLBACK (on_account_notify), entry);
  } else {
    entry->port = self->direct_port;
  }
  return entry;
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

static void
update_direct (BelfryAccountManager *self)
{
  if (any_enabled (self)) {
    if (self->direct != NULL) {
      g_clear_pointer (&self->direct, entry_free);
      set_direct_address (self, NULL);
    }
  } else if (self->direct == NULL) {
    self->direct = entry_new (self, NULL);
    entry_start (self->direct);
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
        entry_stop (value);
        g_hash_table_iter_remove (&iter);
      }
    }
  }
  for (guint i = 0; i < self->accounts->len; i++) {
    BelfryAccount *account = g_ptr_array_index (self->accounts, i);

    if (!g_hash_table_contains (self->entries, belfry_account_get_id (account))) {
      Entry *entry = entry_new (self, account);

      g_hash_table_insert (self->entries, g_strdup (belfry_account_get_id (account)), entry);
      entry_start (entry);
    }
  }

  if (!same)
    g_list_model_items_changed (G_LIST_MODEL (self), 0, old->len, self->accounts->len);

  update_direct (self);
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
  g_clear_pointer (&self->direct, entry_free);
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
  self->entries = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) entry_free);
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

  entry_stop (entry);
  entry_start (entry);
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
    belfry_registerer_dispose_async (entry->registerer, NULL, unregistered_cb, g_object_ref (task));
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
