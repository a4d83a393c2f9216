/* SPDX-License-Identifier: GPL-3.0-or-later */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define BELFRY_MEDIA_ERROR (belfry_media_error_quark ())

/**
 * BelfryMediaError:
 * @BELFRY_MEDIA_ERROR_FAILED: a failure with no better code
 * @BELFRY_MEDIA_ERROR_CLOSED: the handler was closed and is not used again
 * @BELFRY_MEDIA_ERROR_STREAM: the audio stream could not be set up or started
 * @BELFRY_MEDIA_ERROR_TIMEOUT: no RTP came from the peer for
 *   #BelfryMediaEngine:rtp-timeout seconds while neither side held the call
 * @BELFRY_MEDIA_ERROR_FILE: a WAV file could not be read or written
 * @BELFRY_MEDIA_ERROR_DEVICE: no sound card could be used
 *
 * Error codes of the %BELFRY_MEDIA_ERROR domain. A session description
 * that cannot be used is reported as %BELFRY_SIP_ERROR_NOT_ACCEPTABLE, so
 * that the session answers it with 488.
 */
typedef enum {
  BELFRY_MEDIA_ERROR_FAILED,
  BELFRY_MEDIA_ERROR_CLOSED,
  BELFRY_MEDIA_ERROR_STREAM,
  BELFRY_MEDIA_ERROR_TIMEOUT,
  BELFRY_MEDIA_ERROR_FILE,
  BELFRY_MEDIA_ERROR_DEVICE,
} BelfryMediaError;

GQuark belfry_media_error_quark (void);

G_END_DECLS
