/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include "belfry-media-backend-private.h"

/* belfry-cli and the tests: the backend is linked in. */
const BelfryMediaBackend *
belfry_media_backend_load (GError **error)
{
  return &belfry_media_backend;
}
