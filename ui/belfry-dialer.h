/* SPDX-License-Identifier: GPL-3.0-or-later */

#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define BELFRY_TYPE_DIALER (belfry_dialer_get_type ())

G_DECLARE_FINAL_TYPE (BelfryDialer, belfry_dialer, BELFRY, DIALER, GtkWidget)

GtkWidget  *belfry_dialer_new                  (void);
const char *belfry_dialer_get_address          (BelfryDialer *self);
void        belfry_dialer_set_address          (BelfryDialer *self,
                                                const char   *address);
void        belfry_dialer_type                 (BelfryDialer *self,
                                                const char   *text);
void        belfry_dialer_focus                (BelfryDialer *self);
void        belfry_dialer_show_error           (BelfryDialer *self,
                                                const char   *message);
gboolean    belfry_dialer_get_dial_pad_visible (BelfryDialer *self);
void        belfry_dialer_set_dial_pad_visible (BelfryDialer *self,
                                                gboolean      visible);
GtkWidget  *belfry_dialer_get_call_button      (BelfryDialer *self);

G_END_DECLS
