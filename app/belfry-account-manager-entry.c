/* SPDX-License-Identifier: GPL-3.0-or-later */

#define G_LOG_DOMAIN "belfry-account-manager"

#include "config.h"

#include "belfry-account-manager-private.h"
#include "belfry-account-private.h"
#include "belfry-enum.h"
#include "belfry-media-enums.h"
#include "belfry-sip-error.h"

#include <glib/gi18n-lib.h>
#include <ifaddrs.h>
#include <arpa/inet.h>
#include <string.h>

/* One account's user agent and registration, or the direct-call user
 * agent's: started when the account is enabled and its password found,
 * restarted when its settings change, stopped when it goes. */

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
  belfry_account_manager_emit_incoming_call (entry->manager, invitation, entry->account);
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

void
belfry_account_manager_unregistered_cb (GObject      *source,
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
      belfry_registerer_dispose_async (entry->registerer, NULL, belfry_account_manager_unregistered_cb, NULL);
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

void
belfry_account_manager_entry_stop (Entry *entry)
{
  entry_release (entry, TRUE);
}

void
belfry_account_manager_entry_free (Entry *entry)
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
direct_started_cb (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  Entry *entry = step_finish (user_data);
  g_autoptr (GError) error = NULL;
  BelfryAccountManager *self;

  if (!belfry_user_agent_start_finish (BELFRY_USER_AGENT (source), result, &error) && entry != NULL) {
    belfry_account_manager_entry_stop (entry);
    if (g_error_matches (error, BELFRY_SIP_ERROR, BELFRY_SIP_ERROR_ADDRESS_IN_USE) &&
        entry->manager->direct_port != 0 && entry->port < entry->manager->direct_port + DIRECT_PORT_ATTEMPTS - 1) {
      entry->port++;
      belfry_account_manager_entry_start (entry);
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
    belfry_account_manager_set_direct_address (self, address);
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

void
belfry_account_manager_entry_start (Entry *entry)
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
  belfry_account_manager_entry_stop (entry);
  belfry_account_manager_entry_start (entry);
  belfry_account_manager_update_direct (entry->manager);
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

Entry *
belfry_account_manager_entry_new (BelfryAccountManager *self,
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

