/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include "belfry-media-error.h"

G_DEFINE_QUARK (belfry-media-error-quark, belfry_media_error)
