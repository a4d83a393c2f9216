/* SPDX-License-Identifier: GPL-3.0-or-later */

#pragma once

#include "belfry-session-description-handler.h"
#include "belfry-session-description-handler-factory.h"

G_BEGIN_DECLS

/* A session description handler for signaling tests: real SDP (PCMU,
 * directions for hold) made and read with belle-sdp, but no RTP. The
 * product's handler is the mediastreamer2 one in app/media. */

#define BELFRY_TYPE_TEST_SDH (belfry_test_sdh_get_type ())
G_DECLARE_FINAL_TYPE (BelfryTestSdh, belfry_test_sdh, BELFRY, TEST_SDH, GObject)

#define BELFRY_TYPE_TEST_SDH_FACTORY (belfry_test_sdh_factory_get_type ())
G_DECLARE_FINAL_TYPE (BelfryTestSdhFactory, belfry_test_sdh_factory, BELFRY, TEST_SDH_FACTORY, GObject)

BelfryTestSdhFactory *belfry_test_sdh_factory_new (void);
/* The direction the peer last asked for (sendrecv, sendonly, ...). */
const char           *belfry_test_sdh_get_remote_direction (BelfryTestSdh *self);
const char           *belfry_test_sdh_get_local_direction  (BelfryTestSdh *self);
gboolean              belfry_test_sdh_get_closed           (BelfryTestSdh *self);

G_END_DECLS
