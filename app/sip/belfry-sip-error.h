/* SPDX-License-Identifier: GPL-3.0-or-later */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define BELFRY_SIP_ERROR (belfry_sip_error_quark ())

/**
 * BelfrySipError:
 * @BELFRY_SIP_ERROR_FAILED: a failure with no better code
 * @BELFRY_SIP_ERROR_INVALID_ARGUMENT: an address, URI or option that cannot be used
 * @BELFRY_SIP_ERROR_INVALID_STATE: the operation does not fit the object's state
 * @BELFRY_SIP_ERROR_REQUEST_PENDING: another request of the same kind is still under way
 * @BELFRY_SIP_ERROR_TIMEOUT: no final response came in time (Timer B or F, or our own bound)
 * @BELFRY_SIP_ERROR_TRANSPORT: the message could not be sent or the connection broke
 * @BELFRY_SIP_ERROR_CANCELLED: the operation was cancelled
 * @BELFRY_SIP_ERROR_AUTHENTICATION: no credentials, or credentials that the server refused
 * @BELFRY_SIP_ERROR_ADDRESS_IN_USE: the address to listen on is taken
 * @BELFRY_SIP_ERROR_NOT_ACCEPTABLE: the peer's session description could not be used
 *
 * Error codes of the %BELFRY_SIP_ERROR domain.
 *
 * A request that the peer refused with a final response of 300 to 699 is
 * reported with the SIP status itself as the code (486 for Busy Here), so a
 * caller can switch on statuses too; belfry_sip_error_get_status() tells
 * whether a code is such a status.
 */
typedef enum {
  BELFRY_SIP_ERROR_FAILED,
  BELFRY_SIP_ERROR_INVALID_ARGUMENT,
  BELFRY_SIP_ERROR_INVALID_STATE,
  BELFRY_SIP_ERROR_REQUEST_PENDING,
  BELFRY_SIP_ERROR_TIMEOUT,
  BELFRY_SIP_ERROR_TRANSPORT,
  BELFRY_SIP_ERROR_CANCELLED,
  BELFRY_SIP_ERROR_AUTHENTICATION,
  BELFRY_SIP_ERROR_ADDRESS_IN_USE,
  BELFRY_SIP_ERROR_NOT_ACCEPTABLE,
} BelfrySipError;

GQuark belfry_sip_error_quark (void);
guint  belfry_sip_error_get_status (const GError *error);

G_END_DECLS
