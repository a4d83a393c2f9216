/* SPDX-License-Identifier: GPL-3.0-or-later */

#define G_LOG_DOMAIN "belfry-call-manager"

#include "config.h"

#include "belfry-call-manager.h"
#include "belfry-invitation.h"
#include "belfry-inviter.h"
#include "belfry-sip-error.h"

#include <glib/gi18n-lib.h>

/**
 * BelfryCallManager:
 *
 * The calls of the application, without any window: it places calls
 * (belfry_call_manager_call()), takes the incoming ones of every user agent
 * of the #BelfryAccountManager (a notification through the
 * #BelfryNotifier, #BelfryCallManager:ringing for the ringer), answers or
 * declines them (603) from the notification or from the window, holds the
 * call in progress when another is answered or placed (call waiting), and
 * writes every call that ends into the #BelfryCallHistory with its
 * outcome. #BelfryCallManager:sessions lists the calls that are not over.
 */

enum {
  PROP_0,
  PROP_ACCOUNTS,
  PROP_HISTORY,
  PROP_NOTIFIER,
  PROP_RINGING,
  PROP_RINGBACK,
  PROP_SESSIONS,
  N_PROPS
};

static GParamSpec *props[N_PROPS];

enum {
  SIGNAL_CALL_ENDED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* What the manager knows of one call, kept on the session. */
typedef struct {
  BelfryCallDirection direction;
  char *account_id;
  GDateTime *start_time;
  gint64 established_at;
  gboolean declined;
  gboolean held;
  /* An outgoing call that rings with no early media: the ringback plays. */
  gboolean ringback;
  char *failure;
  guint failure_status;
} CallInfo;

struct _BelfryCallManager {
  GObject parent_instance;

  BelfryAccountManager *accounts;
  BelfryCallHistory *history;
  BelfryNotifier *notifier;
  GListStore *sessions;
  gboolean ringing;
  gboolean ringback;
};

G_DEFINE_FINAL_TYPE (BelfryCallManager, belfry_call_manager, G_TYPE_OBJECT)

#define CALL_INFO_KEY "belfry-call-manager-info"

static void
call_info_free (gpointer data)
{
  CallInfo *info = data;

  g_free (info->account_id);
  g_clear_pointer (&info->start_time, g_date_time_unref);
  g_free (info->failure);
  g_free (info);
}

static CallInfo *
get_info (BelfrySession *session)
{
  return g_object_get_data (G_OBJECT (session), CALL_INFO_KEY);
}

static gboolean is_ringing (BelfrySession *session);

static void
update_ringing (BelfryCallManager *self)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->sessions));
  gboolean ringing = FALSE;

  for (guint i = 0; i < n && !ringing; i++) {
    g_autoptr (BelfrySession) session = g_list_model_get_item (G_LIST_MODEL (self->sessions), i);

    ringing = is_ringing (session);
  }

  if (self->ringing == ringing)
    return;

  self->ringing = ringing;
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_RINGING]);
}

static void
update_ringback (BelfryCallManager *self)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->sessions));
  gboolean ringback = FALSE;

  for (guint i = 0; i < n && !ringback; i++) {
    g_autoptr (BelfrySession) session = g_list_model_get_item (G_LIST_MODEL (self->sessions), i);
    CallInfo *info = get_info (session);

    ringback = info != NULL && info->ringback &&
               belfry_session_get_state (session) == BELFRY_SESSION_STATE_ESTABLISHING;
  }

  if (self->ringback == ringback)
    return;

  self->ringback = ringback;
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_RINGBACK]);
}

static void
on_progress (BelfryInviter     *inviter,
             guint              status,
             gboolean           early_media,
             BelfryCallManager *self)
{
  CallInfo *info = get_info (BELFRY_SESSION (inviter));

  if (info == NULL)
    return;

  /* 180 without media: ring back; any early media replaces the tone. */
  if (early_media)
    info->ringback = FALSE;
  else if (status == 180)
    info->ringback = TRUE;
  update_ringback (self);
}

static void
hold_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr (GError) error = NULL;

  if (!belfry_call_manager_hold_finish (BELFRY_CALL_MANAGER (source), result, &error))
    g_message ("Cannot change the hold state of a call: %s", error->message);
}

static void
hold_invite_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr (GTask) task = user_data;
  g_autoptr (GError) error = NULL;
  BelfrySession *session = BELFRY_SESSION (source);
  CallInfo *info = get_info (session);

  if (belfry_session_invite_finish (session, result, &error)) {
    g_task_return_boolean (task, TRUE);
    return;
  }

  /* The peer did not agree: the call stays as it was, so that the next
   * attempt (or call waiting) sees the truth. */
  if (info != NULL)
    info->held = !GPOINTER_TO_INT (g_task_get_task_data (task));
  g_task_return_error (task, g_steal_pointer (&error));
}

/* Call waiting: only one call talks at a time. */
static void
hold_others (BelfryCallManager *self,
             BelfrySession     *keep)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->sessions));

  for (guint i = 0; i < n; i++) {
    g_autoptr (BelfrySession) session = g_list_model_get_item (G_LIST_MODEL (self->sessions), i);

    if (session != keep && belfry_session_get_state (session) == BELFRY_SESSION_STATE_ESTABLISHED &&
        !get_info (session)->held)
      belfry_call_manager_hold_async (self, session, TRUE, NULL, hold_cb, NULL);
  }
}

static BelfryCallOutcome
outcome_of (BelfrySession *session,
            CallInfo      *info)
{
  if (info->established_at != 0)
    return BELFRY_CALL_OUTCOME_ANSWERED;
  if (info->direction == BELFRY_CALL_DIRECTION_INCOMING)
    return info->declined ? BELFRY_CALL_OUTCOME_DECLINED : BELFRY_CALL_OUTCOME_MISSED;

  switch (info->failure_status) {
  case 486:
  case 600:
  case 603:
    return BELFRY_CALL_OUTCOME_DECLINED;
  default:
    return BELFRY_CALL_OUTCOME_FAILED;
  }
}

static void
call_ended (BelfryCallManager *self,
            BelfrySession     *session)
{
  g_autoptr (BelfryCallRecord) record = NULL;
  g_autofree char *uri = NULL;
  g_autofree char *name = NULL;
  CallInfo *info = get_info (session);
  BelfryNameAddr *remote = belfry_session_get_remote_identity (session);
  BelfryCallOutcome outcome;
  guint duration = 0;
  guint position;

  g_signal_handlers_disconnect_by_data (session, self);

  outcome = outcome_of (session, info);
  if (info->established_at != 0)
    duration = (guint) ((g_get_monotonic_time () - info->established_at) / G_USEC_PER_SEC);

  if (outcome == BELFRY_CALL_OUTCOME_MISSED)
    belfry_notifier_missed_call (self->notifier, session);
  else
    belfry_notifier_withdraw (self->notifier, session);

  uri = remote != NULL ? belfry_name_addr_dup_uri (remote) : g_strdup ("");
  if ((belfry_session_get_asserted_identity (session) != NULL &&
       belfry_name_addr_get_display_name (belfry_session_get_asserted_identity (session)) != NULL) ||
      (remote != NULL && belfry_name_addr_get_display_name (remote) != NULL))
    name = belfry_notifier_dup_caller_name (session);

  record = belfry_call_record_new (info->direction, uri, name, info->start_time, duration, outcome,
                                   outcome == BELFRY_CALL_OUTCOME_ANSWERED ? NULL : info->failure);
  belfry_call_record_set_account_id (record, info->account_id);
  belfry_call_history_add (self->history, record);

  g_object_ref (session);
  if (g_list_store_find (self->sessions, session, &position))
    g_list_store_remove (self->sessions, position);
  update_ringing (self);
  update_ringback (self);
  g_signal_emit (self, signals[SIGNAL_CALL_ENDED], 0, session, record);
  g_object_unref (session);
}

static void
on_state_changed (BelfrySession      *session,
                  BelfrySessionState  state,
                  BelfryCallManager  *self)
{
  CallInfo *info = get_info (session);

  switch (state) {
  case BELFRY_SESSION_STATE_ESTABLISHED:
    if (info->established_at == 0)
      info->established_at = g_get_monotonic_time ();
    belfry_notifier_withdraw (self->notifier, session);
    update_ringing (self);
    update_ringback (self);
    break;
  case BELFRY_SESSION_STATE_TERMINATED:
    call_ended (self, session);
    break;
  case BELFRY_SESSION_STATE_INITIAL:
  case BELFRY_SESSION_STATE_ESTABLISHING:
  case BELFRY_SESSION_STATE_TERMINATING:
  default:
    break;
  }
}

static void
track (BelfryCallManager   *self,
       BelfrySession       *session,
       BelfryCallDirection  direction,
       BelfryAccount       *account)
{
  CallInfo *info = g_new0 (CallInfo, 1);

  info->direction = direction;
  info->account_id = account != NULL ? g_strdup (belfry_account_get_id (account)) : NULL;
  info->start_time = g_date_time_new_now_local ();
  g_object_set_data_full (G_OBJECT (session), CALL_INFO_KEY, info, call_info_free);

  g_signal_connect (session, "state-changed", G_CALLBACK (on_state_changed), self);
  g_list_store_append (self->sessions, session);
}

static void
on_incoming_call (BelfryAccountManager *accounts,
                  BelfryInvitation     *invitation,
                  BelfryAccount        *account,
                  BelfryCallManager    *self)
{
  BelfrySession *session = BELFRY_SESSION (invitation);

  track (self, session, BELFRY_CALL_DIRECTION_INCOMING, account);
  belfry_invitation_progress (invitation, 180);
  update_ringing (self);
  update_ringback (self);

  /* The caller may have given up already. */
  if (belfry_session_get_state (session) != BELFRY_SESSION_STATE_TERMINATED)
    belfry_notifier_incoming_call (self->notifier, session);
}

static void
on_notifier_accept (BelfryNotifier    *notifier,
                    BelfrySession     *session,
                    BelfryCallManager *self)
{
  belfry_call_manager_accept (self, session);
}

static void
on_notifier_decline (BelfryNotifier    *notifier,
                     BelfrySession     *session,
                     BelfryCallManager *self)
{
  belfry_call_manager_decline (self, session);
}

static void
on_notifier_call_back (BelfryNotifier    *notifier,
                       const char        *uri,
                       BelfryCallManager *self)
{
  g_autoptr (GError) error = NULL;

  if (belfry_call_manager_call (self, uri, NULL, &error) == NULL)
    g_warning ("Cannot call %s back: %s", uri, error->message);
}

static void
accept_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr (GError) error = NULL;

  if (!belfry_invitation_accept_finish (BELFRY_INVITATION (source), result, &error))
    g_message ("Cannot answer the call: %s", error->message);
}

static void
invite_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr (GError) error = NULL;
  BelfrySession *session = BELFRY_SESSION (source);

  if (!belfry_session_invite_finish (session, result, &error)) {
    CallInfo *info = get_info (session);

    if (info != NULL && info->failure == NULL) {
      info->failure = g_strdup (error->message);
      info->failure_status = error->domain == BELFRY_SIP_ERROR ? belfry_sip_error_get_status (error) : 0;
    }
  }
}

static void
dispose_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr (GError) error = NULL;

  if (!belfry_session_dispose_finish (BELFRY_SESSION (source), result, &error))
    g_debug ("Hanging up failed: %s", error->message);
}

static void
belfry_call_manager_get_property (GObject    *object,
                                  guint       prop_id,
                                  GValue     *value,
                                  GParamSpec *pspec)
{
  BelfryCallManager *self = BELFRY_CALL_MANAGER (object);

  switch (prop_id) {
  case PROP_ACCOUNTS:
    g_value_set_object (value, self->accounts);
    break;
  case PROP_HISTORY:
    g_value_set_object (value, self->history);
    break;
  case PROP_NOTIFIER:
    g_value_set_object (value, self->notifier);
    break;
  case PROP_RINGING:
    g_value_set_boolean (value, self->ringing);
    break;
  case PROP_RINGBACK:
    g_value_set_boolean (value, self->ringback);
    break;
  case PROP_SESSIONS:
    g_value_set_object (value, self->sessions);
    break;
  default:
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
  }
}

static void
belfry_call_manager_set_property (GObject      *object,
                                  guint         prop_id,
                                  const GValue *value,
                                  GParamSpec   *pspec)
{
  BelfryCallManager *self = BELFRY_CALL_MANAGER (object);

  switch (prop_id) {
  case PROP_ACCOUNTS:
    self->accounts = g_value_dup_object (value);
    break;
  case PROP_HISTORY:
    self->history = g_value_dup_object (value);
    break;
  case PROP_NOTIFIER:
    self->notifier = g_value_dup_object (value);
    break;
  default:
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
  }
}

static void
belfry_call_manager_constructed (GObject *object)
{
  BelfryCallManager *self = BELFRY_CALL_MANAGER (object);

  G_OBJECT_CLASS (belfry_call_manager_parent_class)->constructed (object);

  g_signal_connect (self->accounts, "incoming-call", G_CALLBACK (on_incoming_call), self);
  g_signal_connect (self->notifier, "accept", G_CALLBACK (on_notifier_accept), self);
  g_signal_connect (self->notifier, "decline", G_CALLBACK (on_notifier_decline), self);
  g_signal_connect (self->notifier, "call-back", G_CALLBACK (on_notifier_call_back), self);
}

static void
belfry_call_manager_dispose (GObject *object)
{
  BelfryCallManager *self = BELFRY_CALL_MANAGER (object);

  if (self->sessions != NULL) {
    guint n = g_list_model_get_n_items (G_LIST_MODEL (self->sessions));

    for (guint i = 0; i < n; i++) {
      g_autoptr (BelfrySession) session = g_list_model_get_item (G_LIST_MODEL (self->sessions), i);

      g_signal_handlers_disconnect_by_data (session, self);
    }
    g_list_store_remove_all (self->sessions);
  }
  if (self->accounts != NULL)
    g_signal_handlers_disconnect_by_data (self->accounts, self);
  if (self->notifier != NULL)
    g_signal_handlers_disconnect_by_data (self->notifier, self);

  g_clear_object (&self->sessions);
  g_clear_object (&self->accounts);
  g_clear_object (&self->history);
  g_clear_object (&self->notifier);

  G_OBJECT_CLASS (belfry_call_manager_parent_class)->dispose (object);
}

static void
belfry_call_manager_class_init (BelfryCallManagerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->get_property = belfry_call_manager_get_property;
  object_class->set_property = belfry_call_manager_set_property;
  object_class->constructed = belfry_call_manager_constructed;
  object_class->dispose = belfry_call_manager_dispose;

  props[PROP_ACCOUNTS] =
    g_param_spec_object ("accounts", NULL, NULL, BELFRY_TYPE_ACCOUNT_MANAGER,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  props[PROP_HISTORY] =
    g_param_spec_object ("history", NULL, NULL, BELFRY_TYPE_CALL_HISTORY,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  props[PROP_NOTIFIER] =
    g_param_spec_object ("notifier", NULL, NULL, BELFRY_TYPE_NOTIFIER,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  /**
   * BelfryCallManager:ringing:
   *
   * Whether an incoming call rings: the hook for the ringer.
   */
  props[PROP_RINGING] =
    g_param_spec_boolean ("ringing", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * BelfryCallManager:ringback:
   *
   * Whether an outgoing call rings at the other end with no early media,
   * so that the caller should hear a ringback tone.
   */
  props[PROP_RINGBACK] =
    g_param_spec_boolean ("ringback", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * BelfryCallManager:sessions:
   *
   * The calls that are not over, as a #GListModel of #BelfrySession, in
   * the order they began.
   */
  props[PROP_SESSIONS] =
    g_param_spec_object ("sessions", NULL, NULL, G_TYPE_LIST_MODEL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, props);

  /**
   * BelfryCallManager::call-ended:
   * @self: the call manager
   * @session: the call
   * @record: its record, as written to the history
   *
   * A call is over and in the history.
   */
  signals[SIGNAL_CALL_ENDED] =
    g_signal_new ("call-ended", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 2, BELFRY_TYPE_SESSION, BELFRY_TYPE_CALL_RECORD);
}

static void
belfry_call_manager_init (BelfryCallManager *self)
{
  self->sessions = g_list_store_new (BELFRY_TYPE_SESSION);
}

/**
 * belfry_call_manager_new:
 * @accounts: the accounts, whose user agents place and take the calls
 * @history: where ended calls are written
 * @notifier: how incoming and missed calls are shown
 *
 * Returns: (transfer full): a new #BelfryCallManager
 */
BelfryCallManager *
belfry_call_manager_new (BelfryAccountManager *accounts,
                         BelfryCallHistory    *history,
                         BelfryNotifier       *notifier)
{
  g_return_val_if_fail (BELFRY_IS_ACCOUNT_MANAGER (accounts), NULL);
  g_return_val_if_fail (BELFRY_IS_CALL_HISTORY (history), NULL);
  g_return_val_if_fail (BELFRY_IS_NOTIFIER (notifier), NULL);

  return g_object_new (BELFRY_TYPE_CALL_MANAGER,
                       "accounts", accounts,
                       "history", history,
                       "notifier", notifier,
                       NULL);
}

/**
 * belfry_call_manager_get_accounts:
 * @self: the call manager
 *
 * Returns: (transfer none): the account manager
 */
BelfryAccountManager *
belfry_call_manager_get_accounts (BelfryCallManager *self)
{
  g_return_val_if_fail (BELFRY_IS_CALL_MANAGER (self), NULL);

  return self->accounts;
}

/**
 * belfry_call_manager_get_history:
 * @self: the call manager
 *
 * Returns: (transfer none): the call history
 */
BelfryCallHistory *
belfry_call_manager_get_history (BelfryCallManager *self)
{
  g_return_val_if_fail (BELFRY_IS_CALL_MANAGER (self), NULL);

  return self->history;
}

/**
 * belfry_call_manager_get_notifier:
 * @self: the call manager
 *
 * Returns: (transfer none): the notifier
 */
BelfryNotifier *
belfry_call_manager_get_notifier (BelfryCallManager *self)
{
  g_return_val_if_fail (BELFRY_IS_CALL_MANAGER (self), NULL);

  return self->notifier;
}

/**
 * belfry_call_manager_get_sessions:
 * @self: the call manager
 *
 * Returns: (transfer none): #BelfryCallManager:sessions
 */
GListModel *
belfry_call_manager_get_sessions (BelfryCallManager *self)
{
  g_return_val_if_fail (BELFRY_IS_CALL_MANAGER (self), NULL);

  return G_LIST_MODEL (self->sessions);
}

gboolean
belfry_call_manager_get_ringing (BelfryCallManager *self)
{
  g_return_val_if_fail (BELFRY_IS_CALL_MANAGER (self), FALSE);

  return self->ringing;
}

static gboolean
is_ringing (BelfrySession *session)
{
  return BELFRY_IS_INVITATION (session) && belfry_session_get_state (session) < BELFRY_SESSION_STATE_ESTABLISHED;
}

/**
 * belfry_call_manager_get_ringing_session:
 * @self: the call manager
 *
 * Returns: (transfer none) (nullable): the newest incoming call that rings
 *   (not answered yet), which Accept and Decline without a call named act on
 */
BelfrySession *
belfry_call_manager_get_ringing_session (BelfryCallManager *self)
{
  g_return_val_if_fail (BELFRY_IS_CALL_MANAGER (self), NULL);

  for (guint i = g_list_model_get_n_items (G_LIST_MODEL (self->sessions)); i > 0; i--) {
    g_autoptr (BelfrySession) session = g_list_model_get_item (G_LIST_MODEL (self->sessions), i - 1);

    if (is_ringing (session))
      return session;
  }
  return NULL;
}

/**
 * belfry_call_manager_get_current_session:
 * @self: the call manager
 *
 * Returns: (transfer none) (nullable): the call a person talks in (or is
 *   placing): the newest one that is neither ringing nor on hold, or else
 *   the newest one on hold. Hang Up without a call named ends it.
 */
BelfrySession *
belfry_call_manager_get_current_session (BelfryCallManager *self)
{
  BelfrySession *held = NULL;

  g_return_val_if_fail (BELFRY_IS_CALL_MANAGER (self), NULL);

  for (guint i = g_list_model_get_n_items (G_LIST_MODEL (self->sessions)); i > 0; i--) {
    g_autoptr (BelfrySession) session = g_list_model_get_item (G_LIST_MODEL (self->sessions), i - 1);

    if (is_ringing (session))
      continue;
    if (!belfry_call_manager_get_held (self, session))
      return session;
    if (held == NULL)
      held = session;
  }
  return held;
}

/**
 * belfry_call_manager_call:
 * @self: the call manager
 * @text: what the person typed: an address, a URI or a number
 * @account: (nullable): the account to call from, or %NULL for the default
 *   one (or a direct call when no account is enabled)
 * @error: return location for a #GError
 *
 * Places a call; a call in progress is put on hold first.
 *
 * Returns: (transfer none) (nullable): the new call, listed in
 *   #BelfryCallManager:sessions, or %NULL when @text cannot be called
 */
BelfrySession *
belfry_call_manager_call (BelfryCallManager  *self,
                          const char         *text,
                          BelfryAccount      *account,
                          GError            **error)
{
  g_autoptr (BelfryNameAddr) target = NULL;
  g_autoptr (BelfryInviter) inviter = NULL;
  BelfryUserAgent *user_agent;

  g_return_val_if_fail (BELFRY_IS_CALL_MANAGER (self), NULL);
  g_return_val_if_fail (text != NULL, NULL);

  if (account == NULL)
    account = belfry_account_manager_get_default_account (self->accounts);

  target = belfry_account_resolve_target (account, text, error);
  if (target == NULL)
    return NULL;

  user_agent = belfry_account_manager_get_user_agent (self->accounts, account);
  if (user_agent == NULL) {
    g_set_error_literal (error, BELFRY_SIP_ERROR, BELFRY_SIP_ERROR_INVALID_STATE,
                         _("Not ready to call yet; try again in a moment"));
    return NULL;
  }

  hold_others (self, NULL);

  inviter = belfry_inviter_new (user_agent, target);
  track (self, BELFRY_SESSION (inviter), BELFRY_CALL_DIRECTION_OUTGOING, account);
  g_signal_connect_object (inviter, "progress", G_CALLBACK (on_progress), self, 0);
  belfry_session_invite_async (BELFRY_SESSION (inviter), NULL, NULL, invite_cb, NULL);

  return BELFRY_SESSION (inviter);
}

/**
 * belfry_call_manager_accept:
 * @self: the call manager
 * @session: an incoming call that rings
 *
 * Answers the call; a call in progress is put on hold first.
 */
void
belfry_call_manager_accept (BelfryCallManager *self,
                            BelfrySession     *session)
{
  g_return_if_fail (BELFRY_IS_CALL_MANAGER (self));
  g_return_if_fail (BELFRY_IS_SESSION (session));

  if (!BELFRY_IS_INVITATION (session) || get_info (session) == NULL ||
      belfry_session_get_state (session) >= BELFRY_SESSION_STATE_ESTABLISHED)
    return;

  belfry_notifier_withdraw (self->notifier, session);
  hold_others (self, session);
  belfry_invitation_accept_async (BELFRY_INVITATION (session), NULL, accept_cb, NULL);
}

/**
 * belfry_call_manager_decline:
 * @self: the call manager
 * @session: an incoming call that rings
 *
 * Declines the call with 603 Decline.
 */
void
belfry_call_manager_decline (BelfryCallManager *self,
                             BelfrySession     *session)
{
  CallInfo *info;

  g_return_if_fail (BELFRY_IS_CALL_MANAGER (self));
  g_return_if_fail (BELFRY_IS_SESSION (session));

  info = get_info (session);
  if (!BELFRY_IS_INVITATION (session) || info == NULL ||
      belfry_session_get_state (session) >= BELFRY_SESSION_STATE_ESTABLISHED)
    return;

  info->declined = TRUE;
  belfry_notifier_withdraw (self->notifier, session);
  belfry_invitation_reject (BELFRY_INVITATION (session), 603, NULL);
}

/**
 * belfry_call_manager_hang_up:
 * @self: the call manager
 * @session: a call
 *
 * Ends the call as its state needs: BYE, CANCEL, or 603 for one that
 * rings.
 */
void
belfry_call_manager_hang_up (BelfryCallManager *self,
                             BelfrySession     *session)
{
  g_return_if_fail (BELFRY_IS_CALL_MANAGER (self));
  g_return_if_fail (BELFRY_IS_SESSION (session));

  if (is_ringing (session)) {
    belfry_call_manager_decline (self, session);
    return;
  }

  belfry_session_dispose_async (session, NULL, dispose_cb, NULL);
}

/**
 * belfry_call_manager_hang_up_all:
 * @self: the call manager
 *
 * Ends every call, as belfry_call_manager_hang_up() does each: what an
 * application does before it quits. The calls leave
 * belfry_call_manager_get_sessions() as they end.
 */
void
belfry_call_manager_hang_up_all (BelfryCallManager *self)
{
  guint n;

  g_return_if_fail (BELFRY_IS_CALL_MANAGER (self));

  n = g_list_model_get_n_items (G_LIST_MODEL (self->sessions));
  for (guint i = n; i > 0; i--) {
    g_autoptr (BelfrySession) session = g_list_model_get_item (G_LIST_MODEL (self->sessions), i - 1);

    belfry_call_manager_hang_up (self, session);
  }
}

gboolean
belfry_call_manager_get_held (BelfryCallManager *self,
                              BelfrySession     *session)
{
  CallInfo *info;

  g_return_val_if_fail (BELFRY_IS_CALL_MANAGER (self), FALSE);
  g_return_val_if_fail (BELFRY_IS_SESSION (session), FALSE);

  info = get_info (session);
  return info != NULL && info->held;
}

/**
 * belfry_call_manager_set_held:
 * @self: the call manager
 * @session: an established call
 * @held: %TRUE to hold, %FALSE to resume
 *
 * Sends the re-INVITE that holds (`a=sendonly`) or resumes the call, as
 * belfry_call_manager_hold_async() does, and logs a failure.
 */
void
belfry_call_manager_set_held (BelfryCallManager *self,
                              BelfrySession     *session,
                              gboolean           held)
{
  g_return_if_fail (BELFRY_IS_CALL_MANAGER (self));
  g_return_if_fail (BELFRY_IS_SESSION (session));

  belfry_call_manager_hold_async (self, session, held, NULL, hold_cb, NULL);
}

/**
 * belfry_call_manager_hold_async:
 * @self: the call manager
 * @session: an established call
 * @held: %TRUE to hold, %FALSE to resume
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when the peer has answered the re-INVITE
 * @user_data: data for @callback
 *
 * Holds (`a=sendonly`) or resumes the call with a re-INVITE. Resuming one
 * call holds the others, so that only one call talks at a time; a window
 * that holds or resumes through here keeps the call manager's idea of
 * which calls are held right.
 */
void
belfry_call_manager_hold_async (BelfryCallManager   *self,
                                BelfrySession       *session,
                                gboolean             held,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  g_autoptr (GTask) task = NULL;
  BelfrySessionInviteOptions options = { 0 };
  CallInfo *info;

  g_return_if_fail (BELFRY_IS_CALL_MANAGER (self));
  g_return_if_fail (BELFRY_IS_SESSION (session));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, belfry_call_manager_hold_async);
  g_task_set_task_data (task, GINT_TO_POINTER (!!held), NULL);

  info = get_info (session);
  if (info == NULL || belfry_session_get_state (session) != BELFRY_SESSION_STATE_ESTABLISHED) {
    g_task_return_new_error (task, BELFRY_SIP_ERROR, BELFRY_SIP_ERROR_INVALID_STATE,
                             _("Only a call in progress can be held or resumed"));
    return;
  }
  if (info->held == !!held) {
    g_task_return_boolean (task, TRUE);
    return;
  }

  if (!held)
    hold_others (self, session);

  info->held = !!held;
  options.hold = info->held;
  belfry_session_invite_async (session, &options, cancellable, hold_invite_cb,
                               g_steal_pointer (&task));
}

/**
 * belfry_call_manager_hold_finish:
 * @self: the call manager
 * @result: the result given to the callback
 * @error: return location for a #GError
 *
 * Returns: %TRUE when the peer agreed to hold or resume the call
 */
gboolean
belfry_call_manager_hold_finish (BelfryCallManager  *self,
                                 GAsyncResult       *result,
                                 GError            **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/**
 * belfry_call_manager_get_ringback:
 * @self: the call manager
 *
 * Returns: whether the ringback tone should play
 */
gboolean
belfry_call_manager_get_ringback (BelfryCallManager *self)
{
  g_return_val_if_fail (BELFRY_IS_CALL_MANAGER (self), FALSE);

  return self->ringback;
}
