/* SPDX-License-Identifier: GPL-3.0-or-later */

#pragma once

#include <belle-sip/belle-sip.h>

#include "belfry-name-addr.h"

G_BEGIN_DECLS

BelfryNameAddr              *belfry_name_addr_new_from_header (belle_sip_header_address_t *address);
belle_sip_header_address_t  *belfry_name_addr_get_header      (const BelfryNameAddr       *self);

G_END_DECLS
