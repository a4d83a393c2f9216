/* SPDX-License-Identifier: GPL-3.0-or-later */

#define G_LOG_DOMAIN "belfry-enum"

#include "config.h"

#include "belfry-enum.h"

/**
 * belfry_enum_get_nick:
 * @enum_type: a registered enum type, such as %BELFRY_TYPE_SESSION_STATE
 * @value: a value of @enum_type
 *
 * Gets the nick of @value, as log lines and `belfry-cli --events` show it.
 *
 * The enums are registered with `gnome.mkenums_simple`, so their nicks
 * are already in the type system: one lookup serves every enum.
 *
 * Returns: the nick of @value, or "invalid" when @enum_type has no such value
 */
const char *
belfry_enum_get_nick (GType enum_type,
                      int   value)
{
  g_autoptr (GEnumClass) klass = g_type_class_ref (enum_type);
  GEnumValue *enum_value = g_enum_get_value (klass, value);

  /* The nicks are static strings of the registered type, which stays
   * registered after the class reference is dropped. */
  return enum_value != NULL ? enum_value->value_nick : "invalid";
}

/**
 * belfry_enum_from_nick:
 * @enum_type: a registered enum type, such as %BELFRY_TYPE_MEDIA_SRTP
 * @nick: a nick, as an option or a setting gives it
 * @value: (out): where to store the value of @nick
 *
 * Looks up the value of an enum nick, the reverse of belfry_enum_get_nick().
 *
 * Returns: whether @enum_type has a value with the nick @nick
 */
gboolean
belfry_enum_from_nick (GType       enum_type,
                       const char *nick,
                       int        *value)
{
  g_autoptr (GEnumClass) klass = g_type_class_ref (enum_type);
  GEnumValue *enum_value = g_enum_get_value_by_nick (klass, nick);

  if (enum_value == NULL)
    return FALSE;
  *value = enum_value->value;
  return TRUE;
}
