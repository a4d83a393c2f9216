/* SPDX-License-Identifier: GPL-3.0-or-later */

#define G_LOG_DOMAIN "belfry-registerer"

#include "config.h"

#include "belfry-enum.h"
#include "belfry-registerer-private.h"
#include "belfry-sip-enums.h"
#include "belfry-sip-error.h"
#include "belfry-sip-loop.h"

/**
 * BelfryRegisterer:
 *
 * Keeps the user agent's contact registered at a registrar, as SIP.js's
 * `Registerer`: belfry_registerer_register_async() sends REGISTER and
 * completes once the registrar answered, belle-sip's refresher renews the
 * registration before it expires, and belfry_registerer_unregister_async()
 * withdraws it (Expires: 0).
 *
 * Digest challenges are answered with the password that the user agent's
 * #BelfryPasswordFunc gives, asked for again at every challenge; the
 * registerer neither keeps nor logs it. A refused password (a second 401
 * or 407, or a 403) ends in %BELFRY_REGISTERER_STATE_UNREGISTERED with
 * #BelfryRegisterer:error set and no further attempts. A registrar that is
 * unreachable, times out or answers 5xx is tried again after
 * #BelfryRegisterer:retry-interval seconds, doubling up to
 * #BelfryRegisterer:retry-interval-max, or after the Retry-After that it
 * gave; 423 Interval Too Brief is retried at once with the registrar's
 * Min-Expires, which then becomes #BelfryRegisterer:expires.
 *
 * Its owner ends it with belfry_registerer_dispose_async(), which
 * unregisters first, as SIP.js's dispose() does; dropping the last
 * reference sends nothing, and a registration left behind lapses at its
 * expiry.
 */

enum {
  PROP_0,
  PROP_ERROR,
  PROP_EXPIRES,
  PROP_REGISTRAR,
  PROP_RETRY_AFTER,
  PROP_RETRY_INTERVAL,
  PROP_RETRY_INTERVAL_MAX,
  PROP_STATE,
  PROP_USER_AGENT,
  PROP_WAITING,
  N_PROPS
};

static GParamSpec *props[N_PROPS];

enum {
  SIGNAL_STATE_CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (BelfryRegisterer, belfry_registerer, G_TYPE_OBJECT)

static gboolean
state_can_change (BelfryRegistererState from,
                  BelfryRegistererState to)
{
  switch (from) {
  case BELFRY_REGISTERER_STATE_INITIAL:
    return to != BELFRY_REGISTERER_STATE_INITIAL;
  case BELFRY_REGISTERER_STATE_REGISTERED:
    return to == BELFRY_REGISTERER_STATE_UNREGISTERED || to == BELFRY_REGISTERER_STATE_TERMINATED;
  case BELFRY_REGISTERER_STATE_UNREGISTERED:
    return to == BELFRY_REGISTERER_STATE_REGISTERED || to == BELFRY_REGISTERER_STATE_TERMINATED;
  case BELFRY_REGISTERER_STATE_TERMINATED:
  default:
    return FALSE;
  }
}

static void
set_state (BelfryRegisterer      *self,
           BelfryRegistererState  state)
{
  if (self->state == state)
    return;

  if (!state_can_change (self->state, state)) {
    g_critical ("Registerer: illegal state transition from %s to %s",
                belfry_enum_get_nick (BELFRY_TYPE_REGISTERER_STATE, self->state),
                belfry_enum_get_nick (BELFRY_TYPE_REGISTERER_STATE, state));
    return;
  }

  g_debug ("state %s -> %s", belfry_enum_get_nick (BELFRY_TYPE_REGISTERER_STATE, self->state),
           belfry_enum_get_nick (BELFRY_TYPE_REGISTERER_STATE, state));
  self->state = state;

  g_object_ref (self);
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_STATE]);
  g_signal_emit (self, signals[SIGNAL_STATE_CHANGED], 0, state);
  g_object_unref (self);
}

void
belfry_registerer_set_waiting (BelfryRegisterer *self,
                               gboolean          waiting)
{
  if (self->waiting == waiting)
    return;

  self->waiting = waiting;
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_WAITING]);
}

/* Takes @error, which may be NULL to clear. */
static void
set_error (BelfryRegisterer *self,
           GError           *error)
{
  if (self->error == NULL && error == NULL)
    return;

  g_clear_error (&self->error);
  self->error = error;
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_ERROR]);
}

static void
set_retry_after (BelfryRegisterer *self,
                 guint             seconds)
{
  if (self->retry_after == seconds)
    return;

  self->retry_after = seconds;
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_RETRY_AFTER]);
}

void
belfry_registerer_cancel_retry (BelfryRegisterer *self)
{
  g_clear_handle_id (&self->retry_id, g_source_remove);
  set_retry_after (self, 0);
}

/* Completes every task of @queue, with a copy of @error or with TRUE. */
static void
complete_tasks (GQueue       *queue,
                const GError *error)
{
  GQueue tasks = G_QUEUE_INIT;
  GTask *task;

  /* A callback may queue new tasks; those wait for the next outcome. */
  tasks = *queue;
  g_queue_init (queue);

  while ((task = g_queue_pop_head (&tasks)) != NULL) {
    if (error != NULL)
      g_task_return_error (task, g_error_copy (error));
    else
      g_task_return_boolean (task, TRUE);
    g_object_unref (task);
  }
}

typedef struct {
  belle_sip_refresher_t *refresher;
  belle_sip_provider_t *provider;
} DroppedRefresher;

static gboolean
release_refresher_cb (gpointer user_data)
{
  DroppedRefresher *dropped = user_data;

  /* The refresher's destruction reaches into its provider and the stack,
   * so both outlive it. */
  belle_sip_object_unref (dropped->refresher);
  belle_sip_object_unref (dropped->provider);
  belfry_sip_loop_release ();
  g_free (dropped);
  return G_SOURCE_REMOVE;
}

/* Stops the refresher now and frees it from the main loop: it may be in
 * the middle of calling us. */
static void
drop_refresher (BelfryRegisterer *self)
{
  const belle_sip_client_transaction_t *transaction;
  DroppedRefresher *dropped;

  if (self->refresher == NULL)
    return;

  /* The next REGISTER continues this one's CSeq. */
  transaction = belle_sip_refresher_get_transaction (self->refresher);
  if (transaction != NULL) {
    belle_sip_request_t *request =
      belle_sip_transaction_get_request (BELLE_SIP_TRANSACTION (transaction));
    belle_sip_header_cseq_t *cseq =
      request ? belle_sip_message_get_header_by_type (request, belle_sip_header_cseq_t) : NULL;

    if (cseq != NULL)
      self->cseq = MAX (self->cseq, belle_sip_header_cseq_get_seq_number (cseq));
  }

  belle_sip_refresher_set_listener (self->refresher, NULL, NULL);
  belle_sip_refresher_stop (self->refresher);

  dropped = g_new0 (DroppedRefresher, 1);
  dropped->refresher = g_steal_pointer (&self->refresher);
  dropped->provider = g_steal_pointer (&self->provider);
  g_idle_add (release_refresher_cb, dropped);
  belfry_sip_loop_wake ();

  self->unregistering = FALSE;
  g_clear_handle_id (&self->unregister_guard_id, g_source_remove);
}

static gboolean
is_retryable (const GError *error)
{
  if (error->domain != BELFRY_SIP_ERROR)
    return FALSE;

  switch (error->code) {
  case BELFRY_SIP_ERROR_TIMEOUT:
  case BELFRY_SIP_ERROR_TRANSPORT:
  case 408:
  case 480:
  case 500:
  case 502:
  case 503:
  case 504:
    return TRUE;
  default:
    return FALSE;
  }
}

static gboolean
retry_cb (gpointer user_data)
{
  BelfryRegisterer *self = user_data;

  self->retry_id = 0;
  set_retry_after (self, 0);
  if (self->wanted && self->refresher == NULL && belfry_user_agent_get_started (self->user_agent)) {
    g_debug ("trying the registrar again");
    belfry_registerer_start_attempt (self);
  }
  return G_SOURCE_REMOVE;
}

static void
schedule_retry (BelfryRegisterer *self,
                guint             delay)
{
  if (delay == 0) {
    guint shift = MIN (self->failures > 0 ? self->failures - 1 : 0, 16);

    delay = MIN ((guint64) self->retry_interval << shift, (guint64) self->retry_interval_max);
  }

  g_debug ("next attempt in %u s", delay);
  g_clear_handle_id (&self->retry_id, g_source_remove);
  self->retry_id = g_timeout_add_full (G_PRIORITY_DEFAULT, delay * 1000, retry_cb, self, NULL);
  set_retry_after (self, delay);
}

/* The registration failed or was lost: @error tells why, @delay is the
 * registrar's Retry-After (0 for none). Takes @error. */
void
belfry_registerer_registration_failed (BelfryRegisterer *self,
                                       GError           *error,
                                       guint             delay)
{
  g_autoptr (GError) task_error = g_error_copy (error);

  /* A registrar that stays down fails every minute: say it once. */
  if (self->failures == 0)
    g_message ("Registration failed: %s", error->message);
  else
    g_debug ("registration failed again: %s", error->message);

  drop_refresher (self);
  self->failures++;
  belfry_registerer_set_waiting (self, FALSE);
  set_error (self, error);

  if (self->wanted && is_retryable (task_error))
    schedule_retry (self, delay);
  else
    self->wanted = FALSE;

  set_state (self, BELFRY_REGISTERER_STATE_UNREGISTERED);
  complete_tasks (&self->register_tasks, task_error);
}

/* The unregistration is over: @error is NULL when the registrar took it.
 * Takes @error. */
void
belfry_registerer_unregistration_done (BelfryRegisterer *self,
                                       GError           *error)
{
  g_autoptr (GError) task_error = error ? g_error_copy (error) : NULL;

  if (error != NULL)
    g_message ("Unregistration failed: %s", error->message);
  else
    g_debug ("unregistered");

  drop_refresher (self);
  belfry_registerer_set_waiting (self, FALSE);
  if (error != NULL)
    set_error (self, error);
  if (self->state != BELFRY_REGISTERER_STATE_TERMINATED)
    set_state (self, BELFRY_REGISTERER_STATE_UNREGISTERED);
  complete_tasks (&self->unregister_tasks, task_error);
}

void
belfry_registerer_registered (BelfryRegisterer *self)
{
  int expires = belle_sip_refresher_get_expires (self->refresher);

  self->failures = 0;
  belfry_registerer_cancel_retry (self);

  /* A 423 made the refresher take the registrar's Min-Expires. */
  if (expires > 0 && (guint) expires != self->expires) {
    g_debug ("the registrar wants expires %d instead of %u", expires, self->expires);
    self->expires = (guint) expires;
    g_object_notify_by_pspec (G_OBJECT (self), props[PROP_EXPIRES]);
  }

  belfry_registerer_set_waiting (self, FALSE);
  set_error (self, NULL);
  set_state (self, BELFRY_REGISTERER_STATE_REGISTERED);
  complete_tasks (&self->register_tasks, NULL);
}

static void
on_user_agent_started (BelfryUserAgent  *user_agent,
                       GParamSpec       *pspec,
                       BelfryRegisterer *self)
{
  if (self->state == BELFRY_REGISTERER_STATE_TERMINATED)
    return;

  g_object_ref (self);

  if (belfry_user_agent_get_started (user_agent)) {
    if (self->wanted && self->refresher == NULL) {
      g_debug ("the user agent started again; registering");
      belfry_registerer_start_attempt (self);
    }
  } else {
    /* The provider is gone: what was registered cannot be refreshed. */
    GError *error = g_error_new_literal (BELFRY_SIP_ERROR, BELFRY_SIP_ERROR_TRANSPORT,
                                         "The user agent stopped");
    gboolean wanted = self->wanted;

    belfry_registerer_cancel_retry (self);
    if (self->unregistering) {
      belfry_registerer_unregistration_done (self, error);
    } else if (self->refresher != NULL) {
      /* No attempt on a timer: the user agent's return brings the next. */
      self->wanted = FALSE;
      belfry_registerer_registration_failed (self, error, 0);
      self->wanted = wanted;
    } else {
      g_error_free (error);
    }
  }

  g_object_unref (self);
}

static void
belfry_registerer_get_property (GObject    *object,
                                guint       prop_id,
                                GValue     *value,
                                GParamSpec *pspec)
{
  BelfryRegisterer *self = BELFRY_REGISTERER (object);

  switch (prop_id) {
  case PROP_ERROR:
    g_value_set_boxed (value, self->error);
    break;
  case PROP_EXPIRES:
    g_value_set_uint (value, self->expires);
    break;
  case PROP_REGISTRAR:
    g_value_set_boxed (value, self->registrar);
    break;
  case PROP_RETRY_AFTER:
    g_value_set_uint (value, self->retry_after);
    break;
  case PROP_RETRY_INTERVAL:
    g_value_set_uint (value, self->retry_interval);
    break;
  case PROP_RETRY_INTERVAL_MAX:
    g_value_set_uint (value, self->retry_interval_max);
    break;
  case PROP_STATE:
    g_value_set_enum (value, self->state);
    break;
  case PROP_USER_AGENT:
    g_value_set_object (value, self->user_agent);
    break;
  case PROP_WAITING:
    g_value_set_boolean (value, self->waiting);
    break;
  default:
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
  }
}

static void
belfry_registerer_set_property (GObject      *object,
                                guint         prop_id,
                                const GValue *value,
                                GParamSpec   *pspec)
{
  BelfryRegisterer *self = BELFRY_REGISTERER (object);

  switch (prop_id) {
  case PROP_EXPIRES:
    belfry_registerer_set_expires (self, g_value_get_uint (value));
    break;
  case PROP_REGISTRAR:
    self->registrar = g_value_dup_boxed (value);
    break;
  case PROP_RETRY_INTERVAL:
    belfry_registerer_set_retry_interval (self, g_value_get_uint (value));
    break;
  case PROP_RETRY_INTERVAL_MAX:
    belfry_registerer_set_retry_interval_max (self, g_value_get_uint (value));
    break;
  case PROP_USER_AGENT:
    self->user_agent = g_value_dup_object (value);
    break;
  default:
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
  }
}

static void
belfry_registerer_constructed (GObject *object)
{
  BelfryRegisterer *self = BELFRY_REGISTERER (object);

  G_OBJECT_CLASS (belfry_registerer_parent_class)->constructed (object);

  g_return_if_fail (BELFRY_IS_USER_AGENT (self->user_agent));

  self->started_handler = g_signal_connect (self->user_agent, "notify::started",
                                            G_CALLBACK (on_user_agent_started), self);
}

static void
belfry_registerer_dispose (GObject *object)
{
  BelfryRegisterer *self = BELFRY_REGISTERER (object);

  /* No I/O here: withdrawing the registration is
   * belfry_registerer_dispose_async(), which its owner calls. */
  if (self->refresher != NULL)
    g_debug ("dropped while %s; the registration lapses at its expiry",
             belfry_enum_get_nick (BELFRY_TYPE_REGISTERER_STATE, self->state));
  self->wanted = FALSE;
  belfry_registerer_cancel_retry (self);
  drop_refresher (self);
  /* No signal from an object that is going away. */
  self->state = BELFRY_REGISTERER_STATE_TERMINATED;

  if (self->user_agent != NULL)
    g_clear_signal_handler (&self->started_handler, self->user_agent);
  g_clear_object (&self->user_agent);

  G_OBJECT_CLASS (belfry_registerer_parent_class)->dispose (object);
}

static void
belfry_registerer_finalize (GObject *object)
{
  BelfryRegisterer *self = BELFRY_REGISTERER (object);

  g_clear_pointer (&self->registrar, belfry_name_addr_unref);
  g_clear_error (&self->error);
  g_free (self->call_id);

  G_OBJECT_CLASS (belfry_registerer_parent_class)->finalize (object);
}

static void
belfry_registerer_class_init (BelfryRegistererClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->get_property = belfry_registerer_get_property;
  object_class->set_property = belfry_registerer_set_property;
  object_class->constructed = belfry_registerer_constructed;
  object_class->dispose = belfry_registerer_dispose;
  object_class->finalize = belfry_registerer_finalize;

  /**
   * BelfryRegisterer:error:
   *
   * Why the last attempt failed, as a %BELFRY_SIP_ERROR whose code is the
   * registrar's status where there was one (401 for a refused password);
   * %NULL once registered.
   */
  props[PROP_ERROR] =
    g_param_spec_boxed ("error", NULL, NULL, G_TYPE_ERROR,
                        G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * BelfryRegisterer:expires:
   *
   * The registration interval asked for, in seconds. A change applies to
   * the next REGISTER that belfry_registerer_register_async() sends.
   */
  props[PROP_EXPIRES] =
    g_param_spec_uint ("expires", NULL, NULL, 1, G_MAXINT32, DEFAULT_EXPIRES,
                       G_PARAM_READWRITE | G_PARAM_CONSTRUCT | G_PARAM_EXPLICIT_NOTIFY |
                       G_PARAM_STATIC_STRINGS);

  /**
   * BelfryRegisterer:registrar:
   *
   * Where REGISTER goes. Without one, the domain of the user agent's
   * identity is taken at the first registration.
   */
  props[PROP_REGISTRAR] =
    g_param_spec_boxed ("registrar", NULL, NULL, BELFRY_TYPE_NAME_ADDR,
                        G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_EXPLICIT_NOTIFY |
                        G_PARAM_STATIC_STRINGS);

  /**
   * BelfryRegisterer:retry-after:
   *
   * Seconds after which the next automatic attempt was scheduled, when the
   * last one failed in a way worth repeating; 0 when none is scheduled.
   */
  props[PROP_RETRY_AFTER] =
    g_param_spec_uint ("retry-after", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * BelfryRegisterer:retry-interval:
   *
   * Seconds before the first new attempt after a registrar that could
   * not be reached or failed; it doubles with each failure in a row.
   */
  props[PROP_RETRY_INTERVAL] =
    g_param_spec_uint ("retry-interval", NULL, NULL, 1, 3600, DEFAULT_RETRY_INTERVAL,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * BelfryRegisterer:retry-interval-max:
   *
   * The longest wait between automatic attempts, in seconds.
   */
  props[PROP_RETRY_INTERVAL_MAX] =
    g_param_spec_uint ("retry-interval-max", NULL, NULL, 1, 86400, DEFAULT_RETRY_INTERVAL_MAX,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * BelfryRegisterer:state:
   *
   * The registerer's state. #GObject::notify comes first, then
   * #BelfryRegisterer::state-changed.
   */
  props[PROP_STATE] =
    g_param_spec_enum ("state", NULL, NULL, BELFRY_TYPE_REGISTERER_STATE,
                       BELFRY_REGISTERER_STATE_INITIAL,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * BelfryRegisterer:user-agent:
   *
   * The user agent whose contact is registered.
   */
  props[PROP_USER_AGENT] =
    g_param_spec_object ("user-agent", NULL, NULL, BELFRY_TYPE_USER_AGENT,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  /**
   * BelfryRegisterer:waiting:
   *
   * Whether a REGISTER that was asked for (a registration, a new attempt
   * or an unregistration) waits for its final answer, as SIP.js's
   * `waiting`. The refresher's own renewals do not count.
   */
  props[PROP_WAITING] =
    g_param_spec_boolean ("waiting", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, props);

  /**
   * BelfryRegisterer::state-changed:
   * @self: the registerer
   * @state: the new state
   *
   * Emitted after #GObject::notify for #BelfryRegisterer:state, once for
   * every change, as SIP.js's `stateChange`.
   */
  signals[SIGNAL_STATE_CHANGED] =
    g_signal_new ("state-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 1, BELFRY_TYPE_REGISTERER_STATE);
}

static void
belfry_registerer_init (BelfryRegisterer *self)
{
  self->expires = DEFAULT_EXPIRES;
  self->retry_interval = DEFAULT_RETRY_INTERVAL;
  self->retry_interval_max = DEFAULT_RETRY_INTERVAL_MAX;
  g_queue_init (&self->register_tasks);
  g_queue_init (&self->unregister_tasks);
}

/**
 * belfry_registerer_new:
 * @user_agent: the user agent whose contact to register
 * @registrar: (nullable): the registrar, or %NULL for the domain of the
 *   user agent's identity
 * @expires: the registration interval in seconds, or 0 for 600
 *
 * Returns: (transfer full): a new registerer, not registered yet
 */
BelfryRegisterer *
belfry_registerer_new (BelfryUserAgent *user_agent,
                       BelfryNameAddr  *registrar,
                       guint            expires)
{
  g_return_val_if_fail (BELFRY_IS_USER_AGENT (user_agent), NULL);

  return g_object_new (BELFRY_TYPE_REGISTERER,
                       "user-agent", user_agent,
                       "registrar", registrar,
                       "expires", expires > 0 ? expires : DEFAULT_EXPIRES,
                       NULL);
}

/**
 * belfry_registerer_new_for_uri:
 * @user_agent: the user agent whose contact to register
 * @registrar_uri: the registrar's URI, such as `sip:example.org;transport=tcp`
 * @expires: the registration interval in seconds, or 0 for 600
 * @error: return location for a #GError
 *
 * Returns: (transfer full) (nullable): a new registerer, or %NULL with
 *   %BELFRY_SIP_ERROR_INVALID_ARGUMENT when @registrar_uri is no address
 */
BelfryRegisterer *
belfry_registerer_new_for_uri (BelfryUserAgent  *user_agent,
                               const char       *registrar_uri,
                               guint             expires,
                               GError          **error)
{
  g_autoptr (BelfryNameAddr) registrar = NULL;

  g_return_val_if_fail (BELFRY_IS_USER_AGENT (user_agent), NULL);
  g_return_val_if_fail (registrar_uri != NULL, NULL);

  registrar = belfry_name_addr_parse (registrar_uri, error);
  if (registrar == NULL)
    return NULL;

  return belfry_registerer_new (user_agent, registrar, expires);
}

/**
 * belfry_registerer_get_user_agent:
 * @self: a registerer
 *
 * Returns: (transfer none): the user agent
 */
BelfryUserAgent *
belfry_registerer_get_user_agent (BelfryRegisterer *self)
{
  g_return_val_if_fail (BELFRY_IS_REGISTERER (self), NULL);

  return self->user_agent;
}

/**
 * belfry_registerer_get_registrar:
 * @self: a registerer
 *
 * Returns: (transfer none) (nullable): the registrar, %NULL until the
 *   first registration when it comes from the identity
 */
BelfryNameAddr *
belfry_registerer_get_registrar (BelfryRegisterer *self)
{
  g_return_val_if_fail (BELFRY_IS_REGISTERER (self), NULL);

  return self->registrar;
}

/**
 * belfry_registerer_get_expires:
 * @self: a registerer
 *
 * Returns: the registration interval asked for, in seconds
 */
guint
belfry_registerer_get_expires (BelfryRegisterer *self)
{
  g_return_val_if_fail (BELFRY_IS_REGISTERER (self), 0);

  return self->expires;
}

/**
 * belfry_registerer_set_expires:
 * @self: a registerer
 * @expires: the registration interval in seconds
 *
 * Applies to the next REGISTER that belfry_registerer_register_async()
 * sends.
 */
void
belfry_registerer_set_expires (BelfryRegisterer *self,
                               guint             expires)
{
  g_return_if_fail (BELFRY_IS_REGISTERER (self));
  g_return_if_fail (expires > 0 && expires <= G_MAXINT32);

  if (self->expires == expires)
    return;

  self->expires = expires;
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_EXPIRES]);
}

/**
 * belfry_registerer_get_state:
 * @self: a registerer
 *
 * Returns: the state
 */
BelfryRegistererState
belfry_registerer_get_state (BelfryRegisterer *self)
{
  g_return_val_if_fail (BELFRY_IS_REGISTERER (self), BELFRY_REGISTERER_STATE_TERMINATED);

  return self->state;
}

/**
 * belfry_registerer_get_waiting:
 * @self: a registerer
 *
 * Returns: whether a REGISTER asked for waits for its final answer
 */
gboolean
belfry_registerer_get_waiting (BelfryRegisterer *self)
{
  g_return_val_if_fail (BELFRY_IS_REGISTERER (self), FALSE);

  return self->waiting;
}

/**
 * belfry_registerer_get_error:
 * @self: a registerer
 *
 * Returns: (transfer none) (nullable): why the last attempt failed
 */
const GError *
belfry_registerer_get_error (BelfryRegisterer *self)
{
  g_return_val_if_fail (BELFRY_IS_REGISTERER (self), NULL);

  return self->error;
}

/**
 * belfry_registerer_get_retry_after:
 * @self: a registerer
 *
 * Returns: seconds after which the next automatic attempt was scheduled,
 *   or 0 when none is
 */
guint
belfry_registerer_get_retry_after (BelfryRegisterer *self)
{
  g_return_val_if_fail (BELFRY_IS_REGISTERER (self), 0);

  return self->retry_after;
}

/**
 * belfry_registerer_get_retry_interval:
 * @self: a registerer
 *
 * Returns: seconds before the first new attempt after a failure
 */
guint
belfry_registerer_get_retry_interval (BelfryRegisterer *self)
{
  g_return_val_if_fail (BELFRY_IS_REGISTERER (self), 0);

  return self->retry_interval;
}

/**
 * belfry_registerer_set_retry_interval:
 * @self: a registerer
 * @seconds: seconds before the first new attempt after a failure
 */
void
belfry_registerer_set_retry_interval (BelfryRegisterer *self,
                                      guint             seconds)
{
  g_return_if_fail (BELFRY_IS_REGISTERER (self));
  g_return_if_fail (seconds > 0);

  if (self->retry_interval == seconds)
    return;

  self->retry_interval = seconds;
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_RETRY_INTERVAL]);
}

/**
 * belfry_registerer_get_retry_interval_max:
 * @self: a registerer
 *
 * Returns: the longest wait between automatic attempts, in seconds
 */
guint
belfry_registerer_get_retry_interval_max (BelfryRegisterer *self)
{
  g_return_val_if_fail (BELFRY_IS_REGISTERER (self), 0);

  return self->retry_interval_max;
}

/**
 * belfry_registerer_set_retry_interval_max:
 * @self: a registerer
 * @seconds: the longest wait between automatic attempts
 */
void
belfry_registerer_set_retry_interval_max (BelfryRegisterer *self,
                                          guint             seconds)
{
  g_return_if_fail (BELFRY_IS_REGISTERER (self));
  g_return_if_fail (seconds > 0);

  if (self->retry_interval_max == seconds)
    return;

  self->retry_interval_max = seconds;
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_RETRY_INTERVAL_MAX]);
}

/**
 * belfry_registerer_register_async:
 * @self: a registerer
 * @cancellable: (nullable): a #GCancellable
 * @callback: called once belfry_registerer_registered, or on failure
 * @user_data: data for @callback
 *
 * Sends REGISTER, or renews the registration in place, and completes with
 * the registrar's final answer. A call while a REGISTER is under way waits
 * for that one's answer. After a failure worth repeating (see
 * #BelfryRegisterer:retry-after) the registerer goes on trying by itself
 * until belfry_registerer_unregister_async().
 */
void
belfry_registerer_register_async (BelfryRegisterer    *self,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  g_autoptr (GTask) task = NULL;

  g_return_if_fail (BELFRY_IS_REGISTERER (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, belfry_registerer_register_async);

  if (g_task_return_error_if_cancelled (task))
    return;

  if (self->state == BELFRY_REGISTERER_STATE_TERMINATED) {
    g_task_return_new_error (task, BELFRY_SIP_ERROR, BELFRY_SIP_ERROR_INVALID_STATE,
                             "The registerer was disposed of");
    return;
  }

  if (!belfry_user_agent_get_started (self->user_agent)) {
    g_task_return_new_error (task, BELFRY_SIP_ERROR, BELFRY_SIP_ERROR_INVALID_STATE,
                             "The user agent is not started");
    return;
  }

  self->wanted = TRUE;

  /* A registration replaces a withdrawal under way. */
  if (self->unregistering) {
    g_autoptr (GError) error = NULL;

    error = g_error_new_literal (BELFRY_SIP_ERROR, BELFRY_SIP_ERROR_CANCELLED,
                                 "A new registration replaced the unregistration");

    drop_refresher (self);
    belfry_registerer_set_waiting (self, FALSE);
    complete_tasks (&self->unregister_tasks, error);
  }

  g_queue_push_tail (&self->register_tasks, g_steal_pointer (&task));

  if (self->waiting)
    return;

  if (self->refresher != NULL &&
      belle_sip_refresher_refresh (self->refresher, (int) self->expires) == 0) {
    belfry_registerer_set_waiting (self, TRUE);
    return;
  }

  drop_refresher (self);
  belfry_registerer_start_attempt (self);
}

/**
 * belfry_registerer_register_finish:
 * @self: a registerer
 * @result: the result given to the callback
 * @error: return location for a #GError
 *
 * Returns: %TRUE when registered; otherwise @error tells why, with the
 *   registrar's status as its code where there was one
 */
gboolean
belfry_registerer_register_finish (BelfryRegisterer  *self,
                                   GAsyncResult      *result,
                                   GError           **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/**
 * belfry_registerer_unregister_async:
 * @self: a registerer
 * @cancellable: (nullable): a #GCancellable
 * @callback: called once the registrar answered
 * @user_data: data for @callback
 *
 * Withdraws the registration (REGISTER with Expires: 0) and stops the
 * automatic attempts. The state becomes
 * %BELFRY_REGISTERER_STATE_UNREGISTERED whatever the registrar answers.
 */
void
belfry_registerer_unregister_async (BelfryRegisterer    *self,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data)
{
  g_autoptr (GTask) task = NULL;
  g_autoptr (GError) cancelled = NULL;

  g_return_if_fail (BELFRY_IS_REGISTERER (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, belfry_registerer_unregister_async);

  if (self->state == BELFRY_REGISTERER_STATE_TERMINATED) {
    g_task_return_new_error (task, BELFRY_SIP_ERROR, BELFRY_SIP_ERROR_INVALID_STATE,
                             "The registerer was disposed of");
    return;
  }

  self->wanted = FALSE;
  belfry_registerer_cancel_retry (self);

  g_object_ref (self);
  g_queue_push_tail (&self->unregister_tasks, g_steal_pointer (&task));

  if (!belfry_registerer_start_unregister (self)) {
    /* Nothing registered and nothing under way. */
    set_state (self, BELFRY_REGISTERER_STATE_UNREGISTERED);
    complete_tasks (&self->unregister_tasks, NULL);
  }

  cancelled = g_error_new_literal (BELFRY_SIP_ERROR, BELFRY_SIP_ERROR_CANCELLED,
                                   "The registration was withdrawn");
  complete_tasks (&self->register_tasks, cancelled);
  g_object_unref (self);
}

/**
 * belfry_registerer_unregister_finish:
 * @self: a registerer
 * @result: the result given to the callback
 * @error: return location for a #GError
 *
 * Returns: %TRUE when the registrar took the unregistration, or there was
 *   nothing to withdraw
 */
gboolean
belfry_registerer_unregister_finish (BelfryRegisterer  *self,
                                     GAsyncResult      *result,
                                     GError           **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
unregister_for_dispose_cb (GObject      *object,
                           GAsyncResult *result,
                           gpointer      user_data)
{
  BelfryRegisterer *self = BELFRY_REGISTERER (object);
  g_autoptr (GTask) task = user_data;
  g_autoptr (GError) error = NULL;

  /* A registrar that did not take it leaves nothing for us to do. */
  if (!belfry_registerer_unregister_finish (self, result, &error))
    g_debug ("disposing of the registerer anyway: %s", error->message);

  set_state (self, BELFRY_REGISTERER_STATE_TERMINATED);
  g_task_return_boolean (task, TRUE);
}

/**
 * belfry_registerer_dispose_async:
 * @self: a registerer
 * @cancellable: (nullable): a #GCancellable
 * @callback: called once done
 * @user_data: data for @callback
 *
 * Unregisters if belfry_registerer_registered, then moves to
 * %BELFRY_REGISTERER_STATE_TERMINATED, as SIP.js's `dispose()`.
 */
void
belfry_registerer_dispose_async (BelfryRegisterer    *self,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  g_autoptr (GTask) task = NULL;

  g_return_if_fail (BELFRY_IS_REGISTERER (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, belfry_registerer_dispose_async);

  if (self->state == BELFRY_REGISTERER_STATE_TERMINATED) {
    g_task_return_boolean (task, TRUE);
    return;
  }

  belfry_registerer_unregister_async (self, NULL, unregister_for_dispose_cb,
                                      g_steal_pointer (&task));
}

/**
 * belfry_registerer_dispose_finish:
 * @self: a registerer
 * @result: the result given to the callback
 * @error: return location for a #GError
 *
 * Returns: %TRUE once terminated
 */
gboolean
belfry_registerer_dispose_finish (BelfryRegisterer  *self,
                                  GAsyncResult      *result,
                                  GError           **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}
