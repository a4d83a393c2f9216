/* SPDX-License-Identifier: GPL-3.0-or-later */

/* name-addr parsing (RFC 3261 section 20.10 and 25.1) as Belfry reads it
 * from a header, an address typed by a person or a Refer-To. */
#include "belfry-fuzz.h"
#include "belfry-name-addr.h"


int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autofree char *text = g_strndup ((const char *) data, size);
  g_autoptr (BelfryNameAddr) address = NULL;
  g_autoptr (BelfryNameAddr) again = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *printed = NULL;
  g_autofree char *uri = NULL;
  g_autofree char *friendly = NULL;

  address = belfry_name_addr_parse (text, &error);
  if (address == NULL) {
    g_assert (error != NULL);
    return 0;
  }

  /* Everything a caller may ask of a parsed address. */
  belfry_name_addr_get_display_name (address);
  belfry_name_addr_get_scheme (address);
  belfry_name_addr_get_user (address);
  belfry_name_addr_get_host (address);
  belfry_name_addr_get_port (address);
  belfry_name_addr_get_parameter (address, "tag");
  belfry_name_addr_get_uri_parameter (address, "transport");
  friendly = belfry_name_addr_dup_friendly_name (address);
  uri = belfry_name_addr_dup_uri (address);
  printed = belfry_name_addr_to_string (address);
  g_assert (printed != NULL && uri != NULL);

  /* What Belfry prints, it must read again: a header it wrote goes out. */
  again = belfry_name_addr_parse (printed, NULL);
  if (again != NULL)
    belfry_name_addr_equal (address, again);
  g_clear_error (&error);
  {
    g_autoptr (BelfryNameAddr) rebuilt =
      belfry_name_addr_new (belfry_name_addr_get_display_name (address), uri, &error);

    if (rebuilt != NULL)
      belfry_name_addr_equal (address, rebuilt);
  }
  return 0;
}
