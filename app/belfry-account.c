/* SPDX-License-Identifier: GPL-3.0-or-later */

#define G_LOG_DOMAIN "belfry-account"

#include "config.h"

#include "belfry-account.h"
#include "belfry-account-private.h"
#include "belfry-app-enums.h"
#include "belfry-enum.h"
#include "belfry-media-enums.h"
#include "belfry-sip-error.h"

#include <glib/gi18n-lib.h>
#include <libsecret/secret.h>
#include <string.h>

/**
 * BelfryAccount:
 *
 * One SIP account. Its settings live in a #GSettings object of the
 * relocatable schema `org.belfry.Belfry.Account` at
 * `/org/belfry/Belfry/accounts/ID/`, bound to the properties both ways, so
 * a change made anywhere (the preferences, dconf-editor, another process)
 * shows here.
 *
 * The password is not a property and never touches GSettings: it is kept
 * by the Secret Service under the schema `org.belfry.Belfry.Account` with
 * the attribute `account-id`, and read, written and cleared with the
 * asynchronous functions below. Nothing here logs it.
 */

enum {
  PROP_0,
  PROP_ALLOW_SRTP_WITHOUT_TLS,
  PROP_DISPLAY_NAME,
  PROP_ENABLED,
  PROP_ID,
  PROP_OUTBOUND_PROXY,
  PROP_REGISTER_EXPIRES,
  PROP_REGISTRAR,
  PROP_SETTINGS,
  PROP_SIP_ADDRESS,
  PROP_SRTP,
  PROP_STATUS,
  PROP_STATUS_MESSAGE,
  PROP_TRANSPORT,
  PROP_USERNAME,
  N_PROPS
};

static GParamSpec *props[N_PROPS];

struct _BelfryAccount {
  GObject parent_instance;

  char *id;
  GSettings *settings;

  char *sip_address;
  char *display_name;
  char *username;
  char *registrar;
  char *outbound_proxy;
  BelfryTransport transport;
  BelfryMediaSrtp srtp;
  gboolean allow_srtp_without_tls;
  gboolean enabled;
  guint register_expires;

  BelfryAccountStatus status;
  char *status_message;
};

G_DEFINE_FINAL_TYPE (BelfryAccount, belfry_account, G_TYPE_OBJECT)

static const SecretSchema account_secret_schema = {
  "org.belfry.Belfry.Account", SECRET_SCHEMA_NONE,
  {
    { "account-id", SECRET_SCHEMA_ATTRIBUTE_STRING },
    { NULL, 0 },
  },
};

static gboolean
set_string (char       **field,
            const char  *value)
{
  if (value == NULL)
    value = "";
  if (g_strcmp0 (*field, value) == 0)
    return FALSE;

  g_free (*field);
  *field = g_strdup (value);
  return TRUE;
}

static void
password_stored_cb (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr (GTask) task = user_data;
  GError *error = NULL;

  if (secret_password_store_finish (result, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

static void
password_found_cb (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr (GTask) task = user_data;
  GError *error = NULL;
  char *secret = secret_password_lookup_finish (result, &error);

  if (error != NULL) {
    g_task_return_error (task, error);
    return;
  }

  /* A copy in ordinary memory, which the caller wipes and frees as the
   * user agent's password function result is. */
  g_task_return_pointer (task, g_strdup (secret), g_free);
  secret_password_free (secret);
}

static void
password_cleared_cb (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr (GTask) task = user_data;
  GError *error = NULL;

  /* Nothing to clear is no failure: the account simply had no password. */
  secret_password_clear_finish (result, &error);
  if (error != NULL)
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

/* The host, with the port when the account's address names one, that
 * numbers and bare names are sent to. */
static char *
dup_domain (BelfryAccount  *self,
            GError        **error)
{
  g_autoptr (BelfryNameAddr) identity = belfry_account_dup_identity (self, error);
  const char *host;
  int port;

  if (identity == NULL)
    return NULL;

  host = belfry_name_addr_get_host (identity);
  if (host == NULL || *host == '\0') {
    g_set_error (error, BELFRY_SIP_ERROR, BELFRY_SIP_ERROR_INVALID_ARGUMENT,
                 _("The account’s address has no domain"));
    return NULL;
  }

  port = belfry_name_addr_get_port (identity);
  if (strchr (host, ':') != NULL && host[0] != '[')
    return port > 0 ? g_strdup_printf ("[%s]:%d", host, port) : g_strdup_printf ("[%s]", host);
  return port > 0 ? g_strdup_printf ("%s:%d", host, port) : g_strdup (host);
}

/* Takes @address (nullable) and gives it the account's transport, so
 * that requests to it go the way the account registers. UDP is SIP's
 * default and left unsaid; a transport that @address names is kept. */
static BelfryNameAddr *
with_account_transport (BelfryAccount  *self,
                        BelfryNameAddr *address)
{
  g_autoptr (BelfryNameAddr) owned = address;
  const char *transport;

  if (address == NULL || self->transport == BELFRY_TRANSPORT_UDP ||
      g_str_equal (belfry_name_addr_get_scheme (address), "tel") ||
      belfry_name_addr_get_transport (address) != NULL)
    return g_steal_pointer (&owned);

  transport = belfry_enum_get_nick (BELFRY_TYPE_TRANSPORT, self->transport);
  return belfry_name_addr_new_with_transport (address, transport);
}

/* Whether @text is a telephone number as people type it: digits with
 * visual separators, an optional leading +, and * or # for services. */
static gboolean
looks_like_number (const char *text)
{
  gboolean digit = FALSE;

  for (const char *p = text; *p != '\0'; p++) {
    if (g_ascii_isdigit (*p))
      digit = TRUE;
    else if (*p == '+' && p == text)
      continue;
    else if (strchr (" -./()*#", *p) == NULL)
      return FALSE;
  }

  return digit;
}

/* Keeps the digits, * and # and a leading +; drops the separators. '#' is
 * escaped, since it cannot stand in the user part of a SIP URI. */
static char *
normalize_number (const char *text)
{
  GString *number = g_string_new (NULL);

  for (const char *p = text; *p != '\0'; p++) {
    if (g_ascii_isdigit (*p) || *p == '*')
      g_string_append_c (number, *p);
    else if (*p == '#')
      g_string_append (number, "%23");
    else if (*p == '+' && number->len == 0)
      g_string_append_c (number, '+');
  }

  return g_string_free (number, FALSE);
}

static BelfryNameAddr *
resolve_number (BelfryAccount  *self,
                const char     *number,
                GError        **error)
{
  g_autofree char *normalized = normalize_number (number);
  g_autofree char *domain = NULL;
  g_autofree char *uri = NULL;

  if (self == NULL) {
    g_set_error (error, BELFRY_SIP_ERROR, BELFRY_SIP_ERROR_INVALID_ARGUMENT,
                 _("Calling a number needs an account; without one, type an address such as bob@example.org"));
    return NULL;
  }

  if (*normalized == '\0' || g_str_equal (normalized, "+")) {
    g_set_error (error, BELFRY_SIP_ERROR, BELFRY_SIP_ERROR_INVALID_ARGUMENT,
                 _("“%s” is not a telephone number"), number);
    return NULL;
  }

  domain = dup_domain (self, error);
  if (domain == NULL)
    return NULL;

  uri = g_strdup_printf ("sip:%s@%s;user=phone", normalized, domain);
  return with_account_transport (self, belfry_name_addr_new (NULL, uri, error));
}

static void
belfry_account_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  BelfryAccount *self = BELFRY_ACCOUNT (object);

  switch (prop_id) {
  case PROP_DISPLAY_NAME:
    g_value_set_string (value, self->display_name);
    break;
  case PROP_ENABLED:
    g_value_set_boolean (value, self->enabled);
    break;
  case PROP_ID:
    g_value_set_string (value, self->id);
    break;
  case PROP_OUTBOUND_PROXY:
    g_value_set_string (value, self->outbound_proxy);
    break;
  case PROP_REGISTER_EXPIRES:
    g_value_set_uint (value, self->register_expires);
    break;
  case PROP_REGISTRAR:
    g_value_set_string (value, self->registrar);
    break;
  case PROP_SETTINGS:
    g_value_set_object (value, self->settings);
    break;
  case PROP_SIP_ADDRESS:
    g_value_set_string (value, self->sip_address);
    break;
  case PROP_SRTP:
    g_value_set_enum (value, self->srtp);
    break;
  case PROP_ALLOW_SRTP_WITHOUT_TLS:
    g_value_set_boolean (value, self->allow_srtp_without_tls);
    break;
  case PROP_STATUS:
    g_value_set_enum (value, self->status);
    break;
  case PROP_STATUS_MESSAGE:
    g_value_set_string (value, self->status_message);
    break;
  case PROP_TRANSPORT:
    g_value_set_enum (value, self->transport);
    break;
  case PROP_USERNAME:
    g_value_set_string (value, self->username);
    break;
  default:
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
  }
}

static void
belfry_account_set_property (GObject      *object,
                             guint         prop_id,
                             const GValue *value,
                             GParamSpec   *pspec)
{
  BelfryAccount *self = BELFRY_ACCOUNT (object);

  switch (prop_id) {
  case PROP_DISPLAY_NAME:
    belfry_account_set_display_name (self, g_value_get_string (value));
    break;
  case PROP_ENABLED:
    belfry_account_set_enabled (self, g_value_get_boolean (value));
    break;
  case PROP_ID:
    self->id = g_value_dup_string (value);
    break;
  case PROP_OUTBOUND_PROXY:
    belfry_account_set_outbound_proxy (self, g_value_get_string (value));
    break;
  case PROP_REGISTER_EXPIRES:
    belfry_account_set_register_expires (self, g_value_get_uint (value));
    break;
  case PROP_REGISTRAR:
    belfry_account_set_registrar (self, g_value_get_string (value));
    break;
  case PROP_SIP_ADDRESS:
    belfry_account_set_sip_address (self, g_value_get_string (value));
    break;
  case PROP_SRTP:
    belfry_account_set_srtp (self, g_value_get_enum (value));
    break;
  case PROP_ALLOW_SRTP_WITHOUT_TLS:
    belfry_account_set_allow_srtp_without_tls (self, g_value_get_boolean (value));
    break;
  case PROP_TRANSPORT:
    belfry_account_set_transport (self, g_value_get_enum (value));
    break;
  case PROP_USERNAME:
    belfry_account_set_username (self, g_value_get_string (value));
    break;
  default:
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
  }
}

static void
belfry_account_constructed (GObject *object)
{
  BelfryAccount *self = BELFRY_ACCOUNT (object);
  g_autofree char *path = NULL;
  static const char * const keys[] = {
    "sip-address", "display-name", "username", "registrar", "outbound-proxy",
    "transport", "srtp", "allow-srtp-without-tls", "enabled", "register-expires",
  };

  G_OBJECT_CLASS (belfry_account_parent_class)->constructed (object);

  g_return_if_fail (self->id != NULL && *self->id != '\0');

  path = g_strdup_printf ("/org/belfry/Belfry/accounts/%s/", self->id);
  self->settings = g_settings_new_with_path ("org.belfry.Belfry.Account", path);

  for (guint i = 0; i < G_N_ELEMENTS (keys); i++)
    g_settings_bind (self->settings, keys[i], self, keys[i], G_SETTINGS_BIND_DEFAULT);
}

static void
belfry_account_dispose (GObject *object)
{
  BelfryAccount *self = BELFRY_ACCOUNT (object);

  if (self->settings != NULL) {
    static const char * const keys[] = {
      "sip-address", "display-name", "username", "registrar", "outbound-proxy",
      "transport", "srtp", "allow-srtp-without-tls", "enabled", "register-expires",
    };

    for (guint i = 0; i < G_N_ELEMENTS (keys); i++)
      g_settings_unbind (self, keys[i]);
  }
  g_clear_object (&self->settings);

  G_OBJECT_CLASS (belfry_account_parent_class)->dispose (object);
}

static void
belfry_account_finalize (GObject *object)
{
  BelfryAccount *self = BELFRY_ACCOUNT (object);

  g_free (self->id);
  g_free (self->sip_address);
  g_free (self->display_name);
  g_free (self->username);
  g_free (self->registrar);
  g_free (self->outbound_proxy);
  g_free (self->status_message);

  G_OBJECT_CLASS (belfry_account_parent_class)->finalize (object);
}

static void
belfry_account_class_init (BelfryAccountClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->get_property = belfry_account_get_property;
  object_class->set_property = belfry_account_set_property;
  object_class->constructed = belfry_account_constructed;
  object_class->dispose = belfry_account_dispose;
  object_class->finalize = belfry_account_finalize;

  /**
   * BelfryAccount:id:
   *
   * The account's ID: the name of its folder under
   * `/org/belfry/Belfry/accounts/` and the `account-id` of its secret.
   */
  props[PROP_ID] =
    g_param_spec_string ("id", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  /**
   * BelfryAccount:settings:
   *
   * The #GSettings object that the properties are bound to.
   */
  props[PROP_SETTINGS] =
    g_param_spec_object ("settings", NULL, NULL, G_TYPE_SETTINGS,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  /**
   * BelfryAccount:sip-address:
   *
   * The account's address of record, such as `sip:alice@example.org`.
   */
  props[PROP_SIP_ADDRESS] =
    g_param_spec_string ("sip-address", NULL, NULL, "",
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * BelfryAccount:display-name:
   *
   * The name that the people called see next to the address.
   */
  props[PROP_DISPLAY_NAME] =
    g_param_spec_string ("display-name", NULL, NULL, "",
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * BelfryAccount:username:
   *
   * The user name for digest authentication; empty for the user part of
   * the address.
   */
  props[PROP_USERNAME] =
    g_param_spec_string ("username", NULL, NULL, "",
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * BelfryAccount:registrar:
   *
   * The registrar's URI; empty for the domain of the address.
   */
  props[PROP_REGISTRAR] =
    g_param_spec_string ("registrar", NULL, NULL, "",
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * BelfryAccount:outbound-proxy:
   *
   * The URI of a proxy that every request goes through; empty for none.
   */
  props[PROP_OUTBOUND_PROXY] =
    g_param_spec_string ("outbound-proxy", NULL, NULL, "",
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * BelfryAccount:transport:
   *
   * How SIP messages are carried.
   */
  props[PROP_TRANSPORT] =
    g_param_spec_enum ("transport", NULL, NULL, BELFRY_TYPE_TRANSPORT, BELFRY_TRANSPORT_UDP,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * BelfryAccount:srtp:
   *
   * Whether calls encrypt their audio. The nicks of #BelfryMediaSrtp are
   * the values of the schema's `org.belfry.Belfry.Srtp` enum, so settings
   * bind to it as they are stored.
   */
  props[PROP_SRTP] =
    g_param_spec_enum ("srtp", NULL, NULL, BELFRY_TYPE_MEDIA_SRTP, BELFRY_MEDIA_SRTP_OFF,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * BelfryAccount:allow-srtp-without-tls:
   *
   * Whether calls may send their SRTP keys in SDP that does not travel
   * over TLS, where anyone who reads the traffic can read them too.
   */
  props[PROP_ALLOW_SRTP_WITHOUT_TLS] =
    g_param_spec_boolean ("allow-srtp-without-tls", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * BelfryAccount:enabled:
   *
   * Whether the account registers and makes and takes calls.
   */
  props[PROP_ENABLED] =
    g_param_spec_boolean ("enabled", NULL, NULL, TRUE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * BelfryAccount:register-expires:
   *
   * How many seconds a registration asks to last.
   */
  props[PROP_REGISTER_EXPIRES] =
    g_param_spec_uint ("register-expires", NULL, NULL, 60, 86400, 600,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * BelfryAccount:status:
   *
   * The registration status, kept up to date by the #BelfryAccountManager
   * that runs the account.
   */
  props[PROP_STATUS] =
    g_param_spec_enum ("status", NULL, NULL, BELFRY_TYPE_ACCOUNT_STATUS, BELFRY_ACCOUNT_STATUS_OFFLINE,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * BelfryAccount:status-message:
   *
   * The status in words for people, translated: “Registered”, “Wrong
   * password”, “Registrar unreachable, retrying in 8 s”.
   */
  props[PROP_STATUS_MESSAGE] =
    g_param_spec_string ("status-message", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, props);
}

static void
belfry_account_init (BelfryAccount *self)
{
  self->sip_address = g_strdup ("");
  self->display_name = g_strdup ("");
  self->username = g_strdup ("");
  self->registrar = g_strdup ("");
  self->outbound_proxy = g_strdup ("");
  self->enabled = TRUE;
  self->register_expires = 600;
  self->status_message = g_strdup (_("Offline"));
}

/**
 * belfry_account_new:
 * @id: the account's ID: letters, digits and dashes
 *
 * Creates the account object for @id, bound to its settings at
 * `/org/belfry/Belfry/accounts/ID/`. It does not add it to the list of
 * accounts: see belfry_account_manager_add().
 *
 * Returns: (transfer full): a new #BelfryAccount
 */
BelfryAccount *
belfry_account_new (const char *id)
{
  g_return_val_if_fail (id != NULL && *id != '\0', NULL);

  return g_object_new (BELFRY_TYPE_ACCOUNT, "id", id, NULL);
}

const char *
belfry_account_get_id (BelfryAccount *self)
{
  g_return_val_if_fail (BELFRY_IS_ACCOUNT (self), NULL);

  return self->id;
}

/**
 * belfry_account_get_settings:
 * @self: an account
 *
 * Returns: (transfer none): the settings the account is bound to
 */
GSettings *
belfry_account_get_settings (BelfryAccount *self)
{
  g_return_val_if_fail (BELFRY_IS_ACCOUNT (self), NULL);

  return self->settings;
}

#define STRING_PROPERTY(name, field, PROP)                                  \
const char *                                                                \
belfry_account_get_##name (BelfryAccount *self)                             \
{                                                                           \
  g_return_val_if_fail (BELFRY_IS_ACCOUNT (self), NULL);                    \
  return self->field;                                                       \
}                                                                           \
                                                                            \
void                                                                        \
belfry_account_set_##name (BelfryAccount *self,                             \
                           const char    *value)                            \
{                                                                           \
  g_return_if_fail (BELFRY_IS_ACCOUNT (self));                              \
  if (set_string (&self->field, value))                                     \
    g_object_notify_by_pspec (G_OBJECT (self), props[PROP]);                \
}

STRING_PROPERTY (sip_address, sip_address, PROP_SIP_ADDRESS)
STRING_PROPERTY (display_name, display_name, PROP_DISPLAY_NAME)
STRING_PROPERTY (username, username, PROP_USERNAME)
STRING_PROPERTY (registrar, registrar, PROP_REGISTRAR)
STRING_PROPERTY (outbound_proxy, outbound_proxy, PROP_OUTBOUND_PROXY)

#undef STRING_PROPERTY

BelfryTransport
belfry_account_get_transport (BelfryAccount *self)
{
  g_return_val_if_fail (BELFRY_IS_ACCOUNT (self), BELFRY_TRANSPORT_UDP);

  return self->transport;
}

void
belfry_account_set_transport (BelfryAccount   *self,
                              BelfryTransport  transport)
{
  g_return_if_fail (BELFRY_IS_ACCOUNT (self));

  if (self->transport == transport)
    return;

  self->transport = transport;
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_TRANSPORT]);
}

BelfryMediaSrtp
belfry_account_get_srtp (BelfryAccount *self)
{
  g_return_val_if_fail (BELFRY_IS_ACCOUNT (self), BELFRY_MEDIA_SRTP_OFF);

  return self->srtp;
}

void
belfry_account_set_srtp (BelfryAccount   *self,
                         BelfryMediaSrtp  srtp)
{
  g_return_if_fail (BELFRY_IS_ACCOUNT (self));

  if (self->srtp == srtp)
    return;

  self->srtp = srtp;
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_SRTP]);
}

gboolean
belfry_account_get_allow_srtp_without_tls (BelfryAccount *self)
{
  g_return_val_if_fail (BELFRY_IS_ACCOUNT (self), FALSE);

  return self->allow_srtp_without_tls;
}

void
belfry_account_set_allow_srtp_without_tls (BelfryAccount *self,
                                           gboolean       allow)
{
  g_return_if_fail (BELFRY_IS_ACCOUNT (self));

  allow = !!allow;
  if (self->allow_srtp_without_tls == allow)
    return;

  self->allow_srtp_without_tls = allow;
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_ALLOW_SRTP_WITHOUT_TLS]);
}

gboolean
belfry_account_get_enabled (BelfryAccount *self)
{
  g_return_val_if_fail (BELFRY_IS_ACCOUNT (self), FALSE);

  return self->enabled;
}

void
belfry_account_set_enabled (BelfryAccount *self,
                            gboolean       enabled)
{
  g_return_if_fail (BELFRY_IS_ACCOUNT (self));

  enabled = !!enabled;
  if (self->enabled == enabled)
    return;

  self->enabled = enabled;
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_ENABLED]);
}

guint
belfry_account_get_register_expires (BelfryAccount *self)
{
  g_return_val_if_fail (BELFRY_IS_ACCOUNT (self), 0);

  return self->register_expires;
}

void
belfry_account_set_register_expires (BelfryAccount *self,
                                     guint          seconds)
{
  g_return_if_fail (BELFRY_IS_ACCOUNT (self));

  seconds = CLAMP (seconds, 60, 86400);
  if (self->register_expires == seconds)
    return;

  self->register_expires = seconds;
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_REGISTER_EXPIRES]);
}

/**
 * belfry_account_get_status:
 * @self: an account
 *
 * Returns: the registration status
 */
BelfryAccountStatus
belfry_account_get_status (BelfryAccount *self)
{
  g_return_val_if_fail (BELFRY_IS_ACCOUNT (self), BELFRY_ACCOUNT_STATUS_OFFLINE);

  return self->status;
}

/**
 * belfry_account_get_status_message:
 * @self: an account
 *
 * Returns: the registration status in words, translated
 */
const char *
belfry_account_get_status_message (BelfryAccount *self)
{
  g_return_val_if_fail (BELFRY_IS_ACCOUNT (self), NULL);

  return self->status_message;
}

/* Called by the account manager, the one owner of the registration. */
void
belfry_account_set_status (BelfryAccount       *self,
                           BelfryAccountStatus  status,
                           const char          *message)
{
  g_return_if_fail (BELFRY_IS_ACCOUNT (self));

  g_object_freeze_notify (G_OBJECT (self));
  if (self->status != status) {
    self->status = status;
    g_object_notify_by_pspec (G_OBJECT (self), props[PROP_STATUS]);
  }
  if (set_string (&self->status_message, message))
    g_object_notify_by_pspec (G_OBJECT (self), props[PROP_STATUS_MESSAGE]);
  g_object_thaw_notify (G_OBJECT (self));
}

/**
 * belfry_account_dup_identity:
 * @self: an account
 * @error: return location for a #GError
 *
 * The account's address with its display name, as calls and registrations
 * show it. An address typed without a scheme is taken as `sip:`.
 *
 * Returns: (transfer full) (nullable): the identity, or %NULL when the
 *   address cannot be used
 */
BelfryNameAddr *
belfry_account_dup_identity (BelfryAccount  *self,
                             GError        **error)
{
  g_autoptr (BelfryNameAddr) address = NULL;
  g_autofree char *uri = NULL;

  g_return_val_if_fail (BELFRY_IS_ACCOUNT (self), NULL);

  if (*self->sip_address == '\0') {
    g_set_error (error, BELFRY_SIP_ERROR, BELFRY_SIP_ERROR_INVALID_ARGUMENT,
                 _("The account has no SIP address"));
    return NULL;
  }

  address = belfry_name_addr_parse_typed (self->sip_address, error);
  if (address == NULL)
    return NULL;
  if (*self->display_name == '\0')
    return g_steal_pointer (&address);

  uri = belfry_name_addr_dup_uri (address);
  return belfry_name_addr_new (self->display_name, uri, error);
}

/**
 * belfry_account_dup_registrar_uri:
 * @self: an account
 *
 * The URI that REGISTER goes to: #BelfryAccount:registrar, or the domain
 * of the address, with the account's transport.
 *
 * Returns: (transfer full) (nullable): the URI, or %NULL when the account
 *   has neither a registrar nor a usable address
 */
char *
belfry_account_dup_registrar_uri (BelfryAccount *self)
{
  g_autoptr (BelfryNameAddr) registrar = NULL;

  g_return_val_if_fail (BELFRY_IS_ACCOUNT (self), NULL);

  if (*self->registrar != '\0') {
    registrar = belfry_name_addr_parse_typed (self->registrar, NULL);
    /* The registerer says in words what is wrong with the address. */
    if (registrar == NULL)
      return g_strdup (self->registrar);
  } else {
    g_autofree char *domain = dup_domain (self, NULL);
    g_autofree char *uri = NULL;

    if (domain == NULL)
      return NULL;
    uri = g_strconcat ("sip:", domain, NULL);
    registrar = belfry_name_addr_new (NULL, uri, NULL);
    if (registrar == NULL)
      return NULL;
  }

  registrar = with_account_transport (self, g_steal_pointer (&registrar));
  return belfry_name_addr_dup_uri (registrar);
}

/**
 * belfry_account_dup_outbound_proxy_uri:
 * @self: an account
 *
 * The URI of #BelfryAccount:outbound-proxy as a user agent takes it:
 * with `sip:` in front when it has no scheme, and with the account's
 * transport unless it names one, so that the first hop of every request
 * uses the account's transport.
 *
 * Returns: (transfer full) (nullable): the URI, or %NULL when the account
 *   has no outbound proxy
 */
char *
belfry_account_dup_outbound_proxy_uri (BelfryAccount *self)
{
  g_autofree char *trimmed = NULL;
  g_autoptr (BelfryNameAddr) proxy = NULL;

  g_return_val_if_fail (BELFRY_IS_ACCOUNT (self), NULL);

  trimmed = g_strstrip (g_strdup (self->outbound_proxy));
  if (*trimmed == '\0')
    return NULL;

  proxy = belfry_name_addr_parse_typed (trimmed, NULL);
  /* The user agent refuses it, and the account says so in words. */
  if (proxy == NULL)
    return g_steal_pointer (&trimmed);

  /* sips: is TLS already. */
  if (!g_str_equal (belfry_name_addr_get_scheme (proxy), "sips"))
    proxy = with_account_transport (self, g_steal_pointer (&proxy));
  return belfry_name_addr_dup_uri (proxy);
}

/**
 * belfry_account_dup_auth_username:
 * @self: an account
 *
 * Returns: (transfer full) (nullable): #BelfryAccount:username, or the
 *   user part of the address when it is empty
 */
char *
belfry_account_dup_auth_username (BelfryAccount *self)
{
  g_autoptr (BelfryNameAddr) identity = NULL;

  g_return_val_if_fail (BELFRY_IS_ACCOUNT (self), NULL);

  if (*self->username != '\0')
    return g_strdup (self->username);

  identity = belfry_account_dup_identity (self, NULL);
  return identity != NULL ? g_strdup (belfry_name_addr_get_user (identity)) : NULL;
}

/**
 * belfry_account_store_password_async:
 * @self: an account
 * @password: the password
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when the Secret Service kept it
 * @user_data: data for @callback
 *
 * Keeps @password in the default keyring, replacing the account's
 * previous one.
 */
void
belfry_account_store_password_async (BelfryAccount       *self,
                                     const char          *password,
                                     GCancellable        *cancellable,
                                     GAsyncReadyCallback  callback,
                                     gpointer             user_data)
{
  g_autoptr (GTask) task = NULL;
  g_autofree char *label = NULL;

  g_return_if_fail (BELFRY_IS_ACCOUNT (self));
  g_return_if_fail (password != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, belfry_account_store_password_async);

  /* Translators: the label of the password in the keyring (Passwords and
   * Keys); %s is the account's SIP address. */
  label = g_strdup_printf (_("Belfry password for %s"),
                           *self->sip_address != '\0' ? self->sip_address : self->id);
  secret_password_store (&account_secret_schema, SECRET_COLLECTION_DEFAULT, label, password,
                         cancellable, password_stored_cb, g_steal_pointer (&task),
                         "account-id", self->id, NULL);
}

gboolean
belfry_account_store_password_finish (BelfryAccount  *self,
                                      GAsyncResult   *result,
                                      GError        **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/**
 * belfry_account_lookup_password_async:
 * @self: an account
 * @cancellable: (nullable): a #GCancellable
 * @callback: called with the result
 * @user_data: data for @callback
 *
 * Looks the account's password up in the Secret Service.
 */
void
belfry_account_lookup_password_async (BelfryAccount       *self,
                                      GCancellable        *cancellable,
                                      GAsyncReadyCallback  callback,
                                      gpointer             user_data)
{
  GTask *task;

  g_return_if_fail (BELFRY_IS_ACCOUNT (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, belfry_account_lookup_password_async);
  secret_password_lookup (&account_secret_schema, cancellable, password_found_cb, task,
                          "account-id", self->id, NULL);
}

/**
 * belfry_account_lookup_password_finish:
 * @self: an account
 * @result: the result given to the callback
 * @error: return location for a #GError
 *
 * Returns: (transfer full) (nullable): the password, or %NULL with no
 *   error when none is kept; wipe it before freeing it with g_free()
 */
char *
belfry_account_lookup_password_finish (BelfryAccount  *self,
                                       GAsyncResult   *result,
                                       GError        **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/**
 * belfry_account_lookup_password_sync:
 * @self: an account
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Looks the password up and waits for the answer. Meant for the user
 * agent's password function, which must answer a challenge at once.
 *
 * Returns: (transfer full) (nullable): the password, or %NULL; wipe it
 *   before freeing it with g_free()
 */
char *
belfry_account_lookup_password_sync (BelfryAccount  *self,
                                     GCancellable   *cancellable,
                                     GError        **error)
{
  char *secret;
  char *copy;

  g_return_val_if_fail (BELFRY_IS_ACCOUNT (self), NULL);

  secret = secret_password_lookup_sync (&account_secret_schema, cancellable, error,
                                        "account-id", self->id, NULL);
  if (secret == NULL)
    return NULL;

  copy = g_strdup (secret);
  secret_password_free (secret);
  return copy;
}

/**
 * belfry_account_clear_password_async:
 * @self: an account
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when done
 * @user_data: data for @callback
 *
 * Removes the account's password from the Secret Service. An account with
 * no password kept is no error.
 */
void
belfry_account_clear_password_async (BelfryAccount       *self,
                                     GCancellable        *cancellable,
                                     GAsyncReadyCallback  callback,
                                     gpointer             user_data)
{
  GTask *task;

  g_return_if_fail (BELFRY_IS_ACCOUNT (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, belfry_account_clear_password_async);
  secret_password_clear (&account_secret_schema, cancellable, password_cleared_cb, task,
                         "account-id", self->id, NULL);
}

gboolean
belfry_account_clear_password_finish (BelfryAccount  *self,
                                      GAsyncResult   *result,
                                      GError        **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/**
 * belfry_account_resolve_target:
 * @self: (nullable): the account that will place the call, or %NULL for a
 *   direct (peer-to-peer) call
 * @text: what the person typed
 * @error: return location for a #GError
 *
 * Turns what a person types into the address to call: `sip:` and `sips:`
 * URIs (with or without a display name) as they are, `user@host` as a
 * `sip:` URI, and with an account `tel:` URIs, telephone numbers (digits
 * with spaces, dashes, dots, brackets and a leading +) and bare user names
 * at the account's domain; numbers become `sip:NUMBER@domain;user=phone`.
 * Except for typed `sip:` URIs, an account's addresses carry its transport
 * (`;transport=tcp`), so that calls go the way the account registers.
 * Without an account only addresses with a host can be called.
 *
 * Returns: (transfer full) (nullable): the address, or %NULL with @error
 *   set to %BELFRY_SIP_ERROR_INVALID_ARGUMENT
 */
BelfryNameAddr *
belfry_account_resolve_target (BelfryAccount  *self,
                               const char     *text,
                               GError        **error)
{
  g_autofree char *trimmed = NULL;
  const char *scheme;

  g_return_val_if_fail (self == NULL || BELFRY_IS_ACCOUNT (self), NULL);
  g_return_val_if_fail (text != NULL, NULL);

  trimmed = g_strstrip (g_strdup (text));
  scheme = g_uri_peek_scheme (trimmed);

  if (*trimmed == '\0') {
    g_set_error (error, BELFRY_SIP_ERROR, BELFRY_SIP_ERROR_INVALID_ARGUMENT,
                 _("Type an address or a number to call"));
    return NULL;
  }

  if (g_strcmp0 (scheme, "sip") == 0 || g_strcmp0 (scheme, "sips") == 0 ||
      strchr (trimmed, '<') != NULL)
    return belfry_name_addr_parse (trimmed, error);

  if (g_strcmp0 (scheme, "tel") == 0) {
    g_autofree char *number = g_strndup (trimmed + 4, strcspn (trimmed + 4, ";"));

    if (!looks_like_number (number)) {
      g_set_error (error, BELFRY_SIP_ERROR, BELFRY_SIP_ERROR_INVALID_ARGUMENT,
                   _("“%s” is not a telephone number"), trimmed);
      return NULL;
    }
    return resolve_number (self, number, error);
  }

  if (strchr (trimmed, '@') != NULL) {
    BelfryNameAddr *target = belfry_name_addr_parse_typed (trimmed, NULL);

    if (target == NULL) {
      g_set_error (error, BELFRY_SIP_ERROR, BELFRY_SIP_ERROR_INVALID_ARGUMENT,
                   _("“%s” is not an address that can be called"), trimmed);
      return NULL;
    }
    /* With the account's transport, as its registration has. */
    return self != NULL ? with_account_transport (self, target) : target;
  }

  if (looks_like_number (trimmed))
    return resolve_number (self, trimmed, error);

  if (self == NULL) {
    g_set_error (error, BELFRY_SIP_ERROR, BELFRY_SIP_ERROR_INVALID_ARGUMENT,
                 _("Without an account, type a full address such as bob@example.org"));
    return NULL;
  }

  {
    g_autofree char *domain = dup_domain (self, error);
    g_autofree char *uri = NULL;
    BelfryNameAddr *target;

    if (domain == NULL)
      return NULL;

    uri = g_strdup_printf ("sip:%s@%s", trimmed, domain);
    target = belfry_name_addr_new (NULL, uri, NULL);
    if (target == NULL)
      g_set_error (error, BELFRY_SIP_ERROR, BELFRY_SIP_ERROR_INVALID_ARGUMENT,
                   _("“%s” is not an address that can be called"), trimmed);
    return with_account_transport (self, target);
  }
}
