/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include "belfry-sip-error.h"

G_DEFINE_QUARK (belfry-sip-error-quark, belfry_sip_error)

/**
 * belfry_sip_error_get_status:
 * @error: (nullable): an error
 *
 * Tells the SIP status of a final response that an error reports.
 *
 * Returns: the status (300 to 699) when @error is a %BELFRY_SIP_ERROR that
 *   stands for a final response, otherwise 0
 */
guint
belfry_sip_error_get_status (const GError *error)
{
  if (error == NULL || error->domain != BELFRY_SIP_ERROR)
    return 0;

  if (error->code >= 300 && error->code <= 699)
    return (guint) error->code;

  return 0;
}
