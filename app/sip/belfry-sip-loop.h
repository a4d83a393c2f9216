/* SPDX-License-Identifier: GPL-3.0-or-later */

#pragma once

#include <belle-sip/belle-sip.h>
#include <glib.h>

G_BEGIN_DECLS

void               belfry_sip_init         (void);
belle_sip_stack_t *belfry_sip_loop_acquire (void);
void               belfry_sip_loop_release (void);
void               belfry_sip_loop_retire  (gpointer object);
void               belfry_sip_loop_wake    (void);

G_END_DECLS
