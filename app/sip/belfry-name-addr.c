/* SPDX-License-Identifier: GPL-3.0-or-later */

#define G_LOG_DOMAIN "belfry-name-addr"

#include "config.h"

#include "belfry-name-addr.h"
#include "belfry-name-addr-private.h"
#include "belfry-sip-error.h"
#include "belfry-sip-loop.h"

#include <string.h>

/**
 * BelfryNameAddr:
 *
 * An immutable name-addr: an optional display name, a `sip:`, `sips:` or
 * `tel:` URI, and header parameters (a `tag`, for example).
 *
 * Parsing and printing are belle-sip's, so quoting, escapes, IPv6
 * references and URI parameters follow RFC 3261's grammar exactly.
 */
struct _BelfryNameAddr {
  belle_sip_header_address_t *address;
  /* The number of a tel: URI, cut from its opaque part once. */
  char *tel_number;
};

G_DEFINE_BOXED_TYPE (BelfryNameAddr, belfry_name_addr, belfry_name_addr_ref, belfry_name_addr_unref)

static void
name_addr_clear (gpointer data)
{
  BelfryNameAddr *self = data;

  belle_sip_object_unref (self->address);
  g_free (self->tel_number);
}

static gboolean
has_control_chars (const char *text)
{
  for (const char *p = text; *p; p++) {
    if ((guchar) *p < 0x20 || *p == 0x7f)
      return TRUE;
  }
  return FALSE;
}

/* The ANTLR parser under belle-sip recovers from a missing closing quote
 * or angle bracket by inventing one, so such text would parse. This only
 * checks that quotes close and brackets pair up, and leaves the grammar to
 * belle-sip. */
static gboolean
delimiters_balanced (const char *text)
{
  gboolean quoted = FALSE;
  int depth = 0;

  for (const char *p = text; *p; p++) {
    if (quoted) {
      if (*p == '\\' && p[1] != '\0')
        p++;
      else if (*p == '"')
        quoted = FALSE;
    } else if (*p == '"') {
      quoted = TRUE;
    } else if (*p == '<') {
      if (++depth > 1)
        return FALSE;
    } else if (*p == '>') {
      if (--depth < 0)
        return FALSE;
    }
  }

  return !quoted && depth == 0;
}

/* Takes a floating or owned belle-sip address and checks that it is one
 * Belfry can use: a sip:, sips: or tel: URI. */
static BelfryNameAddr *
name_addr_wrap (belle_sip_header_address_t *address,
                const char                 *text,
                GError                    **error)
{
  BelfryNameAddr *self;
  belle_generic_uri_t *absolute;

  belle_sip_object_ref (address);
  absolute = belle_sip_header_address_get_absolute_uri (address);

  if (belle_sip_header_address_get_uri (address) == NULL) {
    const char *scheme = absolute ? belle_generic_uri_get_scheme (absolute) : NULL;

    if (scheme == NULL || g_ascii_strcasecmp (scheme, "tel") != 0 ||
        belle_generic_uri_get_opaque_part (absolute) == NULL) {
      belle_sip_object_unref (address);
      g_set_error (error, BELFRY_SIP_ERROR, BELFRY_SIP_ERROR_INVALID_ARGUMENT,
                   "“%s” is not a sip:, sips: or tel: address", text);
      return NULL;
    }
  }

  self = g_atomic_rc_box_new0 (BelfryNameAddr);
  self->address = address;

  if (absolute != NULL) {
    const char *opaque = belle_generic_uri_get_opaque_part (absolute);
    self->tel_number = g_strndup (opaque, strcspn (opaque, ";"));
  }

  return self;
}

/**
 * belfry_name_addr_parse:
 * @text: a name-addr or addr-spec, such as `"Alice" <sip:alice@example.org>;tag=1`
 * @error: return location for a #GError
 *
 * Parses the text of a From, To or Contact header value.
 *
 * Returns: (transfer full) (nullable): the name-addr, or %NULL with
 *   %BELFRY_SIP_ERROR_INVALID_ARGUMENT when @text is not one
 */
BelfryNameAddr *
belfry_name_addr_parse (const char  *text,
                        GError     **error)
{
  belle_sip_header_address_t *address;

  g_return_val_if_fail (text != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  belfry_sip_init ();

  if (*text == '\0' || has_control_chars (text) || !delimiters_balanced (text) ||
      (address = belle_sip_header_address_parse (text)) == NULL) {
    g_set_error (error, BELFRY_SIP_ERROR, BELFRY_SIP_ERROR_INVALID_ARGUMENT,
                 "“%s” is not a SIP address", text);
    return NULL;
  }

  return name_addr_wrap (address, text, error);
}

/**
 * belfry_name_addr_new:
 * @display_name: (nullable): the display name, unquoted
 * @uri: a `sip:`, `sips:` or `tel:` URI
 * @error: return location for a #GError
 *
 * Makes a name-addr from its parts; the display name is quoted and escaped
 * as needed when printed.
 *
 * Returns: (transfer full) (nullable): the name-addr, or %NULL with
 *   %BELFRY_SIP_ERROR_INVALID_ARGUMENT
 */
BelfryNameAddr *
belfry_name_addr_new (const char  *display_name,
                      const char  *uri,
                      GError     **error)
{
  belle_sip_header_address_t *address = NULL;

  g_return_val_if_fail (uri != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  belfry_sip_init ();

  if (display_name != NULL && *display_name == '\0')
    display_name = NULL;

  if (display_name != NULL && has_control_chars (display_name)) {
    g_set_error (error, BELFRY_SIP_ERROR, BELFRY_SIP_ERROR_INVALID_ARGUMENT,
                 "A display name cannot hold control characters");
    return NULL;
  }

  if (!has_control_chars (uri)) {
    if (g_ascii_strncasecmp (uri, "sip:", 4) == 0 || g_ascii_strncasecmp (uri, "sips:", 5) == 0) {
      belle_sip_uri_t *sip_uri = belle_sip_uri_parse (uri);

      if (sip_uri != NULL)
        address = belle_sip_header_address_create (display_name, sip_uri);
    } else if (g_ascii_strncasecmp (uri, "tel:", 4) == 0) {
      belle_generic_uri_t *tel_uri = belle_generic_uri_parse (uri);

      if (tel_uri != NULL)
        address = belle_sip_header_address_create2 (display_name, tel_uri);
    }
  }

  if (address == NULL) {
    g_set_error (error, BELFRY_SIP_ERROR, BELFRY_SIP_ERROR_INVALID_ARGUMENT,
                 "“%s” is not a sip:, sips: or tel: URI", uri);
    return NULL;
  }

  return name_addr_wrap (address, uri, error);
}

/**
 * belfry_name_addr_new_for_host:
 * @display_name: (nullable): the display name, unquoted
 * @user: (nullable): the user part, unescaped
 * @host: a host name or an IP address (an IPv6 address without brackets)
 * @port: the port, or 0 for none
 * @error: return location for a #GError
 *
 * Makes a name-addr with a `sip:` URI from its parts, such as the
 * address of this machine: the user part is escaped and an IPv6 address
 * put in brackets as RFC 3261 wants them.
 *
 * Returns: (transfer full) (nullable): the name-addr, or %NULL with
 *   %BELFRY_SIP_ERROR_INVALID_ARGUMENT
 */
BelfryNameAddr *
belfry_name_addr_new_for_host (const char  *display_name,
                               const char  *user,
                               const char  *host,
                               int          port,
                               GError     **error)
{
  belle_sip_uri_t *uri;

  g_return_val_if_fail (host != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  belfry_sip_init ();

  if (display_name != NULL && *display_name == '\0')
    display_name = NULL;

  if (*host == '\0' || has_control_chars (host) || (user != NULL && has_control_chars (user)) ||
      (display_name != NULL && has_control_chars (display_name))) {
    g_set_error (error, BELFRY_SIP_ERROR, BELFRY_SIP_ERROR_INVALID_ARGUMENT,
                 "“%s” is not a host for a SIP address", host);
    return NULL;
  }

  uri = belle_sip_uri_create (user, host);
  if (port > 0)
    belle_sip_uri_set_port (uri, port);
  return name_addr_wrap (belle_sip_header_address_create (display_name, uri), host, error);
}

/**
 * belfry_name_addr_parse_typed:
 * @text: an address as a person types it into a form or a setting
 * @error: return location for a #GError
 *
 * Parses what people type for an address: a name-addr, a `sip:`, `sips:`
 * or `tel:` URI, or, without a scheme, `user@host` or a host, which is
 * taken as a `sip:` URI. White space around @text is ignored.
 *
 * Returns: (transfer full) (nullable): the name-addr, or %NULL with
 *   %BELFRY_SIP_ERROR_INVALID_ARGUMENT
 */
BelfryNameAddr *
belfry_name_addr_parse_typed (const char  *text,
                              GError     **error)
{
  g_autofree char *trimmed = NULL;
  const char *scheme;
  g_autofree char *uri = NULL;
  BelfryNameAddr *self;

  g_return_val_if_fail (text != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  trimmed = g_strstrip (g_strdup (text));
  scheme = g_uri_peek_scheme (trimmed);
  if (g_strcmp0 (scheme, "sip") == 0 || g_strcmp0 (scheme, "sips") == 0 ||
      g_strcmp0 (scheme, "tel") == 0 || strchr (trimmed, '<') != NULL)
    return belfry_name_addr_parse (trimmed, error);

  /* A host and port such as example.org:5070 looks like a scheme to
   * g_uri_peek_scheme(), so anything but the three schemes gets sip:. */
  uri = g_strconcat ("sip:", trimmed, NULL);
  self = belfry_name_addr_parse (uri, NULL);
  if (self == NULL)
    g_set_error (error, BELFRY_SIP_ERROR, BELFRY_SIP_ERROR_INVALID_ARGUMENT,
                 "“%s” is not a SIP address", trimmed);
  return self;
}

/**
 * belfry_name_addr_new_with_transport:
 * @self: a name-addr with a `sip:` or `sips:` URI
 * @transport: a transport, such as `tcp` or `tls`
 *
 * Makes a copy of @self whose URI has the `transport` parameter
 * @transport, replacing the one it had.
 *
 * Returns: (transfer full): the new name-addr
 */
BelfryNameAddr *
belfry_name_addr_new_with_transport (const BelfryNameAddr *self,
                                     const char           *transport)
{
  belle_sip_header_address_t *copy;

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (belle_sip_header_address_get_uri (self->address) != NULL, NULL);
  g_return_val_if_fail (transport != NULL, NULL);

  copy = BELLE_SIP_HEADER_ADDRESS (belle_sip_object_clone (BELLE_SIP_OBJECT (self->address)));
  belle_sip_uri_set_transport_param (belle_sip_header_address_get_uri (copy), transport);
  return name_addr_wrap (copy, "", NULL);
}

/**
 * belfry_name_addr_ref:
 * @self: a name-addr
 *
 * Returns: (transfer full): @self with one more reference
 */
BelfryNameAddr *
belfry_name_addr_ref (BelfryNameAddr *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return g_atomic_rc_box_acquire (self);
}

/**
 * belfry_name_addr_unref:
 * @self: (transfer full): a name-addr
 *
 * Drops a reference, freeing @self with the last one.
 */
void
belfry_name_addr_unref (BelfryNameAddr *self)
{
  g_return_if_fail (self != NULL);

  g_atomic_rc_box_release_full (self, name_addr_clear);
}

/**
 * belfry_name_addr_to_string:
 * @self: a name-addr
 *
 * Prints @self as a header value, which belfry_name_addr_parse() reads back
 * to an equal name-addr.
 *
 * Returns: (transfer full): the text
 */
char *
belfry_name_addr_to_string (const BelfryNameAddr *self)
{
  char *raw;
  char *copy;

  g_return_val_if_fail (self != NULL, NULL);

  /* belle-sip allocates with bctoolbox; hand back GLib memory. */
  raw = belle_sip_object_to_string (self->address);
  copy = g_strdup (raw);
  belle_sip_free (raw);
  return copy;
}

/**
 * belfry_name_addr_get_display_name:
 * @self: a name-addr
 *
 * Returns: (nullable): the display name, unquoted, or %NULL when there is none
 */
const char *
belfry_name_addr_get_display_name (const BelfryNameAddr *self)
{
  const char *name;

  g_return_val_if_fail (self != NULL, NULL);

  name = belle_sip_header_address_get_displayname (self->address);
  return name != NULL && *name != '\0' ? name : NULL;
}

/**
 * belfry_name_addr_dup_uri:
 * @self: a name-addr
 *
 * Returns: (transfer full): the URI, with its parameters and headers
 */
char *
belfry_name_addr_dup_uri (const BelfryNameAddr *self)
{
  belle_sip_uri_t *uri;
  char *raw;
  char *copy;

  g_return_val_if_fail (self != NULL, NULL);

  uri = belle_sip_header_address_get_uri (self->address);
  if (uri != NULL)
    raw = belle_sip_object_to_string (uri);
  else
    raw = belle_sip_object_to_string (belle_sip_header_address_get_absolute_uri (self->address));

  copy = g_strdup (raw);
  belle_sip_free (raw);
  return copy;
}

/**
 * belfry_name_addr_get_scheme:
 * @self: a name-addr
 *
 * Returns: `sip`, `sips` or `tel`
 */
const char *
belfry_name_addr_get_scheme (const BelfryNameAddr *self)
{
  belle_sip_uri_t *uri;

  g_return_val_if_fail (self != NULL, NULL);

  uri = belle_sip_header_address_get_uri (self->address);
  if (uri == NULL)
    return "tel";

  return belle_sip_uri_is_secure (uri) ? "sips" : "sip";
}

/**
 * belfry_name_addr_get_user:
 * @self: a name-addr
 *
 * Returns: (nullable): the user part of a SIP URI, or the number of a
 *   tel: URI
 */
const char *
belfry_name_addr_get_user (const BelfryNameAddr *self)
{
  belle_sip_uri_t *uri;

  g_return_val_if_fail (self != NULL, NULL);

  uri = belle_sip_header_address_get_uri (self->address);
  if (uri == NULL)
    return self->tel_number;

  return belle_sip_uri_get_user (uri);
}

/**
 * belfry_name_addr_get_host:
 * @self: a name-addr
 *
 * Returns: (nullable): the host of a SIP URI (an IPv6 address without
 *   brackets), or %NULL for a tel: URI
 */
const char *
belfry_name_addr_get_host (const BelfryNameAddr *self)
{
  belle_sip_uri_t *uri;

  g_return_val_if_fail (self != NULL, NULL);

  uri = belle_sip_header_address_get_uri (self->address);
  return uri != NULL ? belle_sip_uri_get_host (uri) : NULL;
}

/**
 * belfry_name_addr_get_port:
 * @self: a name-addr
 *
 * Returns: the port of a SIP URI, or 0 when it names none
 */
int
belfry_name_addr_get_port (const BelfryNameAddr *self)
{
  belle_sip_uri_t *uri;

  g_return_val_if_fail (self != NULL, 0);

  uri = belle_sip_header_address_get_uri (self->address);
  return uri != NULL ? belle_sip_uri_get_port (uri) : 0;
}

/**
 * belfry_name_addr_get_parameter:
 * @self: a name-addr
 * @name: a header parameter's name, such as `tag`
 *
 * Returns: (nullable): the header parameter's value; an empty string for a
 *   parameter without a value; %NULL when it is absent
 */
const char *
belfry_name_addr_get_parameter (const BelfryNameAddr *self,
                                const char           *name)
{
  belle_sip_parameters_t *params;
  const char *value;

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (name != NULL, NULL);

  params = BELLE_SIP_PARAMETERS (self->address);
  if (!belle_sip_parameters_has_parameter (params, name))
    return NULL;

  value = belle_sip_parameters_get_parameter (params, name);
  return value != NULL ? value : "";
}

/**
 * belfry_name_addr_get_uri_parameter:
 * @self: a name-addr
 * @name: a URI parameter's name, such as `transport`
 *
 * Returns: (nullable): the SIP URI parameter's value; an empty string for a
 *   parameter without a value; %NULL when it is absent or for a tel: URI
 */
const char *
belfry_name_addr_get_uri_parameter (const BelfryNameAddr *self,
                                    const char           *name)
{
  belle_sip_uri_t *uri;
  const char *value;

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (name != NULL, NULL);

  uri = belle_sip_header_address_get_uri (self->address);
  if (uri == NULL || !belle_sip_parameters_has_parameter (BELLE_SIP_PARAMETERS (uri), name))
    return NULL;

  value = belle_sip_parameters_get_parameter (BELLE_SIP_PARAMETERS (uri), name);
  return value != NULL ? value : "";
}

/**
 * belfry_name_addr_get_transport:
 * @self: a name-addr
 *
 * Returns: (nullable): the `transport` parameter of a SIP URI, such as
 *   `tcp`; %NULL when it names none or for a tel: URI
 */
const char *
belfry_name_addr_get_transport (const BelfryNameAddr *self)
{
  return belfry_name_addr_get_uri_parameter (self, "transport");
}

static gboolean
parameters_equal (belle_sip_parameters_t *a,
                  belle_sip_parameters_t *b)
{
  const belle_sip_list_t *names_a = belle_sip_parameters_get_parameter_names (a);
  const belle_sip_list_t *names_b = belle_sip_parameters_get_parameter_names (b);

  if (bctbx_list_size (names_a) != bctbx_list_size (names_b))
    return FALSE;

  for (const belle_sip_list_t *l = names_a; l != NULL; l = l->next) {
    const char *name = l->data;

    if (!belle_sip_parameters_has_parameter (b, name) ||
        g_strcmp0 (belle_sip_parameters_get_parameter (a, name),
                   belle_sip_parameters_get_parameter (b, name)) != 0)
      return FALSE;
  }

  return TRUE;
}

/**
 * belfry_name_addr_equal:
 * @a: a name-addr
 * @b: another
 *
 * Compares two name-addrs: the same display name, URIs that are equal by
 * the rules of RFC 3261 section 19.1.4, and the same header parameters.
 *
 * Returns: %TRUE when they are equal
 */
gboolean
belfry_name_addr_equal (const BelfryNameAddr *a,
                        const BelfryNameAddr *b)
{
  belle_sip_uri_t *uri_a, *uri_b;

  g_return_val_if_fail (a != NULL, FALSE);
  g_return_val_if_fail (b != NULL, FALSE);

  if (g_strcmp0 (belfry_name_addr_get_display_name (a),
                 belfry_name_addr_get_display_name (b)) != 0)
    return FALSE;

  if (!parameters_equal (BELLE_SIP_PARAMETERS (a->address), BELLE_SIP_PARAMETERS (b->address)))
    return FALSE;

  uri_a = belle_sip_header_address_get_uri (a->address);
  uri_b = belle_sip_header_address_get_uri (b->address);
  if (uri_a != NULL && uri_b != NULL)
    return belle_sip_uri_equals (uri_a, uri_b) != 0;

  if (uri_a == NULL && uri_b == NULL) {
    g_autofree char *text_a = belfry_name_addr_dup_uri (a);
    g_autofree char *text_b = belfry_name_addr_dup_uri (b);

    return g_ascii_strcasecmp (text_a, text_b) == 0;
  }

  return FALSE;
}

/**
 * belfry_name_addr_dup_friendly_name:
 * @self: a name-addr
 *
 * Names the party for people: the display name when there is one, else
 * `user@host`, the number of a tel: URI, or the host.
 *
 * Returns: (transfer full): the name
 */
char *
belfry_name_addr_dup_friendly_name (const BelfryNameAddr *self)
{
  const char *display_name, *user, *host;

  g_return_val_if_fail (self != NULL, NULL);

  display_name = belfry_name_addr_get_display_name (self);
  if (display_name != NULL)
    return g_strdup (display_name);

  user = belfry_name_addr_get_user (self);
  host = belfry_name_addr_get_host (self);
  if (user != NULL && host != NULL)
    return g_strdup_printf ("%s@%s", user, host);

  return g_strdup (user != NULL ? user : host);
}

BelfryNameAddr *
belfry_name_addr_new_from_header (belle_sip_header_address_t *address)
{
  belle_sip_header_address_t *copy;

  g_return_val_if_fail (address != NULL, NULL);

  /* Headers of a message are the message's; the name-addr keeps a copy of
   * the address part alone, so it stays immutable. */
  copy = belle_sip_header_address_create (NULL, NULL);
  belle_sip_header_address_set_displayname (copy, belle_sip_header_address_get_displayname (address));
  if (belle_sip_header_address_get_uri (address) != NULL)
    belle_sip_header_address_set_uri (copy,
                                      BELLE_SIP_URI (belle_sip_object_clone (BELLE_SIP_OBJECT (belle_sip_header_address_get_uri (address)))));
  else if (belle_sip_header_address_get_absolute_uri (address) != NULL)
    belle_sip_header_address_set_absolute_uri (copy,
                                               BELLE_GENERIC_URI (belle_sip_object_clone (BELLE_SIP_OBJECT (belle_sip_header_address_get_absolute_uri (address)))));
  belle_sip_parameters_copy_parameters_from (BELLE_SIP_PARAMETERS (copy),
                                             BELLE_SIP_PARAMETERS (address));

  return name_addr_wrap (copy, "", NULL);
}

belle_sip_header_address_t *
belfry_name_addr_get_header (const BelfryNameAddr *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->address;
}
