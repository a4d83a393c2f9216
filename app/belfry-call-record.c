/* SPDX-License-Identifier: GPL-3.0-or-later */

#define G_LOG_DOMAIN "belfry-call-record"

#include "config.h"

#include "belfry-app-enums.h"
#include "belfry-call-record.h"
#include "belfry-call-record-private.h"

/**
 * BelfryCallRecord:
 *
 * One call of the history: who called whom, when, for how long, and how
 * it ended. Everything but the row ID and the account is fixed when the
 * record is made.
 */

enum {
  PROP_0,
  PROP_ACCOUNT_ID,
  PROP_DIRECTION,
  PROP_DURATION,
  PROP_ID,
  PROP_OUTCOME,
  PROP_REASON,
  PROP_REMOTE_NAME,
  PROP_REMOTE_URI,
  PROP_START_TIME,
  N_PROPS
};

static GParamSpec *props[N_PROPS];

struct _BelfryCallRecord {
  GObject parent_instance;

  gint64 id;
  BelfryCallDirection direction;
  char *remote_uri;
  char *remote_name;
  GDateTime *start_time;
  guint duration;
  BelfryCallOutcome outcome;
  char *reason;
  char *account_id;
};

G_DEFINE_FINAL_TYPE (BelfryCallRecord, belfry_call_record, G_TYPE_OBJECT)

static void
belfry_call_record_get_property (GObject    *object,
                                 guint       prop_id,
                                 GValue     *value,
                                 GParamSpec *pspec)
{
  BelfryCallRecord *self = BELFRY_CALL_RECORD (object);

  switch (prop_id) {
  case PROP_ACCOUNT_ID:
    g_value_set_string (value, self->account_id);
    break;
  case PROP_DIRECTION:
    g_value_set_enum (value, self->direction);
    break;
  case PROP_DURATION:
    g_value_set_uint (value, self->duration);
    break;
  case PROP_ID:
    g_value_set_int64 (value, self->id);
    break;
  case PROP_OUTCOME:
    g_value_set_enum (value, self->outcome);
    break;
  case PROP_REASON:
    g_value_set_string (value, self->reason);
    break;
  case PROP_REMOTE_NAME:
    g_value_set_string (value, self->remote_name);
    break;
  case PROP_REMOTE_URI:
    g_value_set_string (value, self->remote_uri);
    break;
  case PROP_START_TIME:
    g_value_set_boxed (value, self->start_time);
    break;
  default:
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
  }
}

static void
belfry_call_record_set_property (GObject      *object,
                                 guint         prop_id,
                                 const GValue *value,
                                 GParamSpec   *pspec)
{
  BelfryCallRecord *self = BELFRY_CALL_RECORD (object);

  switch (prop_id) {
  case PROP_ACCOUNT_ID:
    belfry_call_record_set_account_id (self, g_value_get_string (value));
    break;
  case PROP_DIRECTION:
    self->direction = g_value_get_enum (value);
    break;
  case PROP_DURATION:
    self->duration = g_value_get_uint (value);
    break;
  case PROP_OUTCOME:
    self->outcome = g_value_get_enum (value);
    break;
  case PROP_REASON:
    self->reason = g_value_dup_string (value);
    break;
  case PROP_REMOTE_NAME:
    self->remote_name = g_value_dup_string (value);
    break;
  case PROP_REMOTE_URI:
    self->remote_uri = g_value_dup_string (value);
    break;
  case PROP_START_TIME:
    self->start_time = g_value_dup_boxed (value);
    break;
  default:
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
  }
}

static void
belfry_call_record_constructed (GObject *object)
{
  BelfryCallRecord *self = BELFRY_CALL_RECORD (object);

  G_OBJECT_CLASS (belfry_call_record_parent_class)->constructed (object);

  if (self->start_time == NULL)
    self->start_time = g_date_time_new_now_local ();
  if (self->remote_uri == NULL)
    self->remote_uri = g_strdup ("");
}

static void
belfry_call_record_finalize (GObject *object)
{
  BelfryCallRecord *self = BELFRY_CALL_RECORD (object);

  g_free (self->remote_uri);
  g_free (self->remote_name);
  g_clear_pointer (&self->start_time, g_date_time_unref);
  g_free (self->reason);
  g_free (self->account_id);

  G_OBJECT_CLASS (belfry_call_record_parent_class)->finalize (object);
}

static void
belfry_call_record_class_init (BelfryCallRecordClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->get_property = belfry_call_record_get_property;
  object_class->set_property = belfry_call_record_set_property;
  object_class->constructed = belfry_call_record_constructed;
  object_class->finalize = belfry_call_record_finalize;

  /**
   * BelfryCallRecord:id:
   *
   * The record's row in the database; 0 until it is stored.
   */
  props[PROP_ID] =
    g_param_spec_int64 ("id", NULL, NULL, 0, G_MAXINT64, 0,
                        G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * BelfryCallRecord:direction:
   *
   * Who placed the call.
   */
  props[PROP_DIRECTION] =
    g_param_spec_enum ("direction", NULL, NULL, BELFRY_TYPE_CALL_DIRECTION, BELFRY_CALL_DIRECTION_OUTGOING,
                       G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  /**
   * BelfryCallRecord:remote-uri:
   *
   * The other party's URI, such as `sip:bob@example.org`.
   */
  props[PROP_REMOTE_URI] =
    g_param_spec_string ("remote-uri", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  /**
   * BelfryCallRecord:remote-name:
   *
   * The other party's display name, if it gave one.
   */
  props[PROP_REMOTE_NAME] =
    g_param_spec_string ("remote-name", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  /**
   * BelfryCallRecord:start-time:
   *
   * When the call began ringing or was placed.
   */
  props[PROP_START_TIME] =
    g_param_spec_boxed ("start-time", NULL, NULL, G_TYPE_DATE_TIME,
                        G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  /**
   * BelfryCallRecord:duration:
   *
   * How many seconds the call was established; 0 for a call that was not
   * answered.
   */
  props[PROP_DURATION] =
    g_param_spec_uint ("duration", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  /**
   * BelfryCallRecord:outcome:
   *
   * How the call ended up.
   */
  props[PROP_OUTCOME] =
    g_param_spec_enum ("outcome", NULL, NULL, BELFRY_TYPE_CALL_OUTCOME, BELFRY_CALL_OUTCOME_ANSWERED,
                       G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  /**
   * BelfryCallRecord:reason:
   *
   * Why a call failed or was declined, in words, if known.
   */
  props[PROP_REASON] =
    g_param_spec_string ("reason", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  /**
   * BelfryCallRecord:account-id:
   *
   * The ID of the account the call went through; %NULL for a direct call.
   */
  props[PROP_ACCOUNT_ID] =
    g_param_spec_string ("account-id", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, props);
}

static void
belfry_call_record_init (BelfryCallRecord *self)
{
  self->direction = BELFRY_CALL_DIRECTION_OUTGOING;
}

/**
 * belfry_call_record_new:
 * @direction: who placed the call
 * @remote_uri: the other party's URI
 * @remote_name: (nullable): the other party's display name
 * @start_time: (nullable): when the call began, or %NULL for now
 * @duration: the seconds it was established
 * @outcome: how it ended up
 * @reason: (nullable): why it failed or was declined
 *
 * Returns: (transfer full): a new record, not yet in any history
 */
BelfryCallRecord *
belfry_call_record_new (BelfryCallDirection  direction,
                        const char          *remote_uri,
                        const char          *remote_name,
                        GDateTime           *start_time,
                        guint                duration,
                        BelfryCallOutcome    outcome,
                        const char          *reason)
{
  return g_object_new (BELFRY_TYPE_CALL_RECORD,
                       "direction", direction,
                       "remote-uri", remote_uri,
                       "remote-name", remote_name,
                       "start-time", start_time,
                       "duration", duration,
                       "outcome", outcome,
                       "reason", reason,
                       NULL);
}

gint64
belfry_call_record_get_id (BelfryCallRecord *self)
{
  g_return_val_if_fail (BELFRY_IS_CALL_RECORD (self), 0);

  return self->id;
}

void
belfry_call_record_set_id (BelfryCallRecord *self,
                           gint64            id)
{
  g_return_if_fail (BELFRY_IS_CALL_RECORD (self));

  if (self->id == id)
    return;

  self->id = id;
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_ID]);
}

BelfryCallDirection
belfry_call_record_get_direction (BelfryCallRecord *self)
{
  g_return_val_if_fail (BELFRY_IS_CALL_RECORD (self), BELFRY_CALL_DIRECTION_OUTGOING);

  return self->direction;
}

const char *
belfry_call_record_get_remote_uri (BelfryCallRecord *self)
{
  g_return_val_if_fail (BELFRY_IS_CALL_RECORD (self), NULL);

  return self->remote_uri;
}

const char *
belfry_call_record_get_remote_name (BelfryCallRecord *self)
{
  g_return_val_if_fail (BELFRY_IS_CALL_RECORD (self), NULL);

  return self->remote_name;
}

/**
 * belfry_call_record_get_start_time:
 * @self: a record
 *
 * Returns: (transfer none): when the call began
 */
GDateTime *
belfry_call_record_get_start_time (BelfryCallRecord *self)
{
  g_return_val_if_fail (BELFRY_IS_CALL_RECORD (self), NULL);

  return self->start_time;
}

guint
belfry_call_record_get_duration (BelfryCallRecord *self)
{
  g_return_val_if_fail (BELFRY_IS_CALL_RECORD (self), 0);

  return self->duration;
}

BelfryCallOutcome
belfry_call_record_get_outcome (BelfryCallRecord *self)
{
  g_return_val_if_fail (BELFRY_IS_CALL_RECORD (self), BELFRY_CALL_OUTCOME_FAILED);

  return self->outcome;
}

const char *
belfry_call_record_get_reason (BelfryCallRecord *self)
{
  g_return_val_if_fail (BELFRY_IS_CALL_RECORD (self), NULL);

  return self->reason;
}

const char *
belfry_call_record_get_account_id (BelfryCallRecord *self)
{
  g_return_val_if_fail (BELFRY_IS_CALL_RECORD (self), NULL);

  return self->account_id;
}

void
belfry_call_record_set_account_id (BelfryCallRecord *self,
                                   const char       *account_id)
{
  g_return_if_fail (BELFRY_IS_CALL_RECORD (self));

  if (g_strcmp0 (self->account_id, account_id) == 0)
    return;

  g_free (self->account_id);
  self->account_id = g_strdup (account_id);
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_ACCOUNT_ID]);
}
