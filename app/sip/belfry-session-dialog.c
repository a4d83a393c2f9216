/* SPDX-License-Identifier: GPL-3.0-or-later */

#define G_LOG_DOMAIN "belfry-session-dialog"

#include "config.h"

#include "belfry-name-addr-private.h"
#include "belfry-session-dialog.h"
#include "belfry-session-dialog-private.h"

/**
 * BelfrySessionDialog:
 *
 * A read-only view of a confirmed dialog's identifiers: Call-ID, tags, CSeq
 * numbers, remote target and route set, as SIP.js's `SessionDialog` shows
 * them. The values are read from belle-sip's dialog at each call, so the
 * CSeq numbers and the target stay current as the dialog goes on.
 */

enum {
  PROP_0,
  PROP_CALL_ID,
  PROP_LOCAL_TAG,
  PROP_REMOTE_TAG,
  PROP_LOCAL_CSEQ,
  PROP_REMOTE_CSEQ,
  PROP_REMOTE_TARGET,
  PROP_ROUTE_SET,
  N_PROPS
};

static GParamSpec *props[N_PROPS];

struct _BelfrySessionDialog {
  GObject parent_instance;

  belle_sip_dialog_t *dialog;
};

G_DEFINE_FINAL_TYPE (BelfrySessionDialog, belfry_session_dialog, G_TYPE_OBJECT)

static void
belfry_session_dialog_get_property (GObject    *object,
                                    guint       prop_id,
                                    GValue     *value,
                                    GParamSpec *pspec)
{
  BelfrySessionDialog *self = BELFRY_SESSION_DIALOG (object);

  switch (prop_id) {
  case PROP_CALL_ID:
    g_value_set_string (value, belfry_session_dialog_get_call_id (self));
    break;
  case PROP_LOCAL_TAG:
    g_value_set_string (value, belfry_session_dialog_get_local_tag (self));
    break;
  case PROP_REMOTE_TAG:
    g_value_set_string (value, belfry_session_dialog_get_remote_tag (self));
    break;
  case PROP_LOCAL_CSEQ:
    g_value_set_uint (value, belfry_session_dialog_get_local_cseq (self));
    break;
  case PROP_REMOTE_CSEQ:
    g_value_set_uint (value, belfry_session_dialog_get_remote_cseq (self));
    break;
  case PROP_REMOTE_TARGET:
    g_value_take_boxed (value, belfry_session_dialog_dup_remote_target (self));
    break;
  case PROP_ROUTE_SET:
    g_value_take_boxed (value, belfry_session_dialog_dup_route_set (self));
    break;
  default:
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
  }
}

static void
belfry_session_dialog_finalize (GObject *object)
{
  BelfrySessionDialog *self = BELFRY_SESSION_DIALOG (object);

  belle_sip_object_unref (self->dialog);

  G_OBJECT_CLASS (belfry_session_dialog_parent_class)->finalize (object);
}

static void
belfry_session_dialog_class_init (BelfrySessionDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->get_property = belfry_session_dialog_get_property;
  object_class->finalize = belfry_session_dialog_finalize;

  props[PROP_CALL_ID] =
    g_param_spec_string ("call-id", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  props[PROP_LOCAL_TAG] =
    g_param_spec_string ("local-tag", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  props[PROP_REMOTE_TAG] =
    g_param_spec_string ("remote-tag", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  props[PROP_LOCAL_CSEQ] =
    g_param_spec_uint ("local-cseq", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  props[PROP_REMOTE_CSEQ] =
    g_param_spec_uint ("remote-cseq", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  props[PROP_REMOTE_TARGET] =
    g_param_spec_boxed ("remote-target", NULL, NULL, BELFRY_TYPE_NAME_ADDR,
                        G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  props[PROP_ROUTE_SET] =
    g_param_spec_boxed ("route-set", NULL, NULL, G_TYPE_STRV,
                        G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, props);
}

static void
belfry_session_dialog_init (BelfrySessionDialog *self)
{
}

BelfrySessionDialog *
belfry_session_dialog_new (belle_sip_dialog_t *dialog)
{
  BelfrySessionDialog *self;

  g_return_val_if_fail (dialog != NULL, NULL);

  self = g_object_new (BELFRY_TYPE_SESSION_DIALOG, NULL);
  self->dialog = (belle_sip_dialog_t *) belle_sip_object_ref (dialog);
  return self;
}

/**
 * belfry_session_dialog_get_call_id:
 * @self: a dialog
 *
 * Returns: the Call-ID
 */
const char *
belfry_session_dialog_get_call_id (BelfrySessionDialog *self)
{
  const belle_sip_header_call_id_t *call_id;

  g_return_val_if_fail (BELFRY_IS_SESSION_DIALOG (self), NULL);

  call_id = belle_sip_dialog_get_call_id (self->dialog);
  return call_id != NULL ? belle_sip_header_call_id_get_call_id (call_id) : NULL;
}

/**
 * belfry_session_dialog_get_local_tag:
 * @self: a dialog
 *
 * Returns: (nullable): our tag
 */
const char *
belfry_session_dialog_get_local_tag (BelfrySessionDialog *self)
{
  g_return_val_if_fail (BELFRY_IS_SESSION_DIALOG (self), NULL);

  return belle_sip_dialog_get_local_tag (self->dialog);
}

/**
 * belfry_session_dialog_get_remote_tag:
 * @self: a dialog
 *
 * Returns: (nullable): the peer's tag
 */
const char *
belfry_session_dialog_get_remote_tag (BelfrySessionDialog *self)
{
  g_return_val_if_fail (BELFRY_IS_SESSION_DIALOG (self), NULL);

  return belle_sip_dialog_get_remote_tag (self->dialog);
}

/**
 * belfry_session_dialog_get_local_cseq:
 * @self: a dialog
 *
 * Returns: the CSeq number of the last request we sent in the dialog
 */
guint
belfry_session_dialog_get_local_cseq (BelfrySessionDialog *self)
{
  g_return_val_if_fail (BELFRY_IS_SESSION_DIALOG (self), 0);

  return belle_sip_dialog_get_local_seq_number (self->dialog);
}

/**
 * belfry_session_dialog_get_remote_cseq:
 * @self: a dialog
 *
 * Returns: the CSeq number of the last request the peer sent in the dialog
 */
guint
belfry_session_dialog_get_remote_cseq (BelfrySessionDialog *self)
{
  g_return_val_if_fail (BELFRY_IS_SESSION_DIALOG (self), 0);

  return belle_sip_dialog_get_remote_seq_number (self->dialog);
}

/**
 * belfry_session_dialog_dup_remote_target:
 * @self: a dialog
 *
 * Returns: (transfer full) (nullable): the peer's Contact, where requests
 *   in the dialog go
 */
BelfryNameAddr *
belfry_session_dialog_dup_remote_target (BelfrySessionDialog *self)
{
  const belle_sip_header_address_t *target;

  g_return_val_if_fail (BELFRY_IS_SESSION_DIALOG (self), NULL);

  target = belle_sip_dialog_get_remote_target (self->dialog);
  return target != NULL ? belfry_name_addr_new_from_header ((belle_sip_header_address_t *) target)
                        : NULL;
}

/**
 * belfry_session_dialog_dup_route_set:
 * @self: a dialog
 *
 * Returns: (transfer full): the route set, one Route value a string, in order
 */
GStrv
belfry_session_dialog_dup_route_set (BelfrySessionDialog *self)
{
  g_autoptr (GStrvBuilder) builder = g_strv_builder_new ();

  g_return_val_if_fail (BELFRY_IS_SESSION_DIALOG (self), NULL);

  for (const belle_sip_list_t *l = belle_sip_dialog_get_route_set (self->dialog); l; l = l->next)
    g_strv_builder_add (builder, belle_sip_header_get_unparsed_value (BELLE_SIP_HEADER (l->data)));

  return g_strv_builder_end (builder);
}
