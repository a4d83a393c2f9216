/* SPDX-License-Identifier: GPL-3.0-or-later */

#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

#define BELFRY_TYPE_NAME_ADDR (belfry_name_addr_get_type ())

typedef struct _BelfryNameAddr BelfryNameAddr;

GType           belfry_name_addr_get_type           (void) G_GNUC_CONST;
BelfryNameAddr *belfry_name_addr_parse              (const char      *text,
                                                     GError         **error);
BelfryNameAddr *belfry_name_addr_new                (const char      *display_name,
                                                     const char      *uri,
                                                     GError         **error);
BelfryNameAddr *belfry_name_addr_new_for_host       (const char      *display_name,
                                                     const char      *user,
                                                     const char      *host,
                                                     int              port,
                                                     GError         **error);
BelfryNameAddr *belfry_name_addr_parse_typed        (const char      *text,
                                                     GError         **error);
BelfryNameAddr *belfry_name_addr_new_with_transport (const BelfryNameAddr *self,
                                                     const char           *transport);
BelfryNameAddr *belfry_name_addr_ref                (BelfryNameAddr  *self);
void            belfry_name_addr_unref              (BelfryNameAddr  *self);
char           *belfry_name_addr_to_string          (const BelfryNameAddr *self);
const char     *belfry_name_addr_get_display_name   (const BelfryNameAddr *self);
char           *belfry_name_addr_dup_uri            (const BelfryNameAddr *self);
const char     *belfry_name_addr_get_scheme         (const BelfryNameAddr *self);
const char     *belfry_name_addr_get_user           (const BelfryNameAddr *self);
const char     *belfry_name_addr_get_host           (const BelfryNameAddr *self);
int             belfry_name_addr_get_port           (const BelfryNameAddr *self);
const char     *belfry_name_addr_get_parameter      (const BelfryNameAddr *self,
                                                     const char           *name);
const char     *belfry_name_addr_get_uri_parameter  (const BelfryNameAddr *self,
                                                     const char           *name);
const char     *belfry_name_addr_get_transport      (const BelfryNameAddr *self);
gboolean        belfry_name_addr_equal              (const BelfryNameAddr *a,
                                                     const BelfryNameAddr *b);
char           *belfry_name_addr_dup_friendly_name  (const BelfryNameAddr *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (BelfryNameAddr, belfry_name_addr_unref)

G_END_DECLS
