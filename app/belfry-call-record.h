/* SPDX-License-Identifier: GPL-3.0-or-later */

#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

/**
 * BelfryCallDirection:
 * @BELFRY_CALL_DIRECTION_INCOMING: the other party called
 * @BELFRY_CALL_DIRECTION_OUTGOING: we called
 *
 * Who placed a call.
 */
typedef enum {
  BELFRY_CALL_DIRECTION_INCOMING,
  BELFRY_CALL_DIRECTION_OUTGOING,
} BelfryCallDirection;

/**
 * BelfryCallOutcome:
 * @BELFRY_CALL_OUTCOME_ANSWERED: the call was answered (by either side)
 * @BELFRY_CALL_OUTCOME_MISSED: an incoming call that nobody answered
 * @BELFRY_CALL_OUTCOME_DECLINED: declined: by us (incoming) or by the callee (outgoing)
 * @BELFRY_CALL_OUTCOME_FAILED: the call could not be made; see #BelfryCallRecord:reason
 *
 * How a call ended up.
 */
typedef enum {
  BELFRY_CALL_OUTCOME_ANSWERED,
  BELFRY_CALL_OUTCOME_MISSED,
  BELFRY_CALL_OUTCOME_DECLINED,
  BELFRY_CALL_OUTCOME_FAILED,
} BelfryCallOutcome;

#define BELFRY_TYPE_CALL_RECORD (belfry_call_record_get_type ())

G_DECLARE_FINAL_TYPE (BelfryCallRecord, belfry_call_record, BELFRY, CALL_RECORD, GObject)

BelfryCallRecord    *belfry_call_record_new             (BelfryCallDirection  direction,
                                                         const char          *remote_uri,
                                                         const char          *remote_name,
                                                         GDateTime           *start_time,
                                                         guint                duration,
                                                         BelfryCallOutcome    outcome,
                                                         const char          *reason);
gint64               belfry_call_record_get_id          (BelfryCallRecord    *self);
BelfryCallDirection  belfry_call_record_get_direction   (BelfryCallRecord    *self);
const char          *belfry_call_record_get_remote_uri  (BelfryCallRecord    *self);
const char          *belfry_call_record_get_remote_name (BelfryCallRecord    *self);
GDateTime           *belfry_call_record_get_start_time  (BelfryCallRecord    *self);
guint                belfry_call_record_get_duration    (BelfryCallRecord    *self);
BelfryCallOutcome    belfry_call_record_get_outcome     (BelfryCallRecord    *self);
const char          *belfry_call_record_get_reason      (BelfryCallRecord    *self);
const char          *belfry_call_record_get_account_id  (BelfryCallRecord    *self);
void                 belfry_call_record_set_account_id  (BelfryCallRecord    *self,
                                                         const char          *account_id);

G_END_DECLS
