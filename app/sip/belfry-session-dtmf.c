/* SPDX-License-Identifier: GPL-3.0-or-later */

#define G_LOG_DOMAIN "belfry-session"

#include "config.h"

#include "belfry-session-parts-private.h"
#include "belfry-sip-error.h"

#include <string.h>

/* BelfrySession's DTMF by SIP INFO: digits received (application/dtmf-relay
 * or application/dtmf) and digits sent, one INFO at a time, when the media
 * handler cannot send them as RFC 4733 events. */

/* The digit of an INFO with application/dtmf-relay ("Signal=5",
 * "Duration=160", one a line) or application/dtmf (the digit alone). */
static char
dtmf_info_digit (const char *content_type,
                 const char *body)
{
  g_auto (GStrv) lines = NULL;

  if (content_type == NULL || body == NULL)
    return 0;

  if (g_ascii_strncasecmp (content_type, "application/dtmf-relay", 22) == 0) {
    lines = g_strsplit_set (body, "\r\n", -1);
    for (guint i = 0; lines[i] != NULL; i++) {
      g_auto (GStrv) pair = g_strsplit (lines[i], "=", 2);

      if (pair[0] != NULL && pair[1] != NULL &&
          g_ascii_strcasecmp (g_strstrip (pair[0]), "Signal") == 0) {
        const char *value = g_strstrip (pair[1]);

        return strlen (value) == 1 && strchr ("0123456789*#ABCDabcd", value[0]) ? g_ascii_toupper (value[0]) : 0;
      }
    }
  } else if (g_ascii_strncasecmp (content_type, "application/dtmf", 16) == 0) {
    g_autofree char *value = g_strstrip (g_strdup (body));

    if (strlen (value) == 1 && strchr ("0123456789*#ABCDabcd", value[0]))
      return g_ascii_toupper (value[0]);
  }

  return 0;
}

void
belfry_session_receive_dtmf_info (BelfrySession         *self,
                                  BelfryIncomingRequest *incoming)
{
  char digit = dtmf_info_digit (belfry_incoming_request_get_content_type (incoming),
                                belfry_incoming_request_get_body (incoming));

  if (digit != 0)
    belfry_session_emit_dtmf (self, digit);
}

/* ---- DTMF we send ---- */

typedef struct {
  char *tones;
  guint next;
} DtmfSend;

static void
dtmf_send_free (DtmfSend *data)
{
  g_free (data->tones);
  g_free (data);
}

static void send_next_dtmf_info (GTask *task);

static void
dtmf_info_done_cb (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr (GTask) task = user_data;
  GError *error = NULL;

  if (!belfry_session_info_finish (BELFRY_SESSION (object), result, &error)) {
    g_task_return_error (task, error);
    return;
  }

  send_next_dtmf_info (g_steal_pointer (&task));
}

/* SIP INFO carries one digit a request, one request at a time. */
static void
send_next_dtmf_info (GTask *task)
{
  BelfrySession *self = g_task_get_source_object (task);
  DtmfSend *data = g_task_get_task_data (task);
  g_autofree char *body = NULL;
  char digit = data->tones[data->next++];

  if (digit == '\0') {
    g_task_return_boolean (task, TRUE);
    g_object_unref (task);
    return;
  }

  body = g_strdup_printf ("Signal=%c\r\nDuration=160\r\n", digit);
  belfry_session_info_async (self, "application/dtmf-relay", body, g_task_get_cancellable (task),
                             dtmf_info_done_cb, task);
}

/**
 * belfry_session_send_dtmf_async:
 * @self: an established session
 * @tones: digits among `0123456789*#ABCD`
 * @cancellable: (nullable): a #GCancellable
 * @callback: called once every digit went out
 * @user_data: data for @callback
 *
 * Sends digits in the media (RFC 4733) when the peer accepted
 * telephone-event, otherwise one SIP INFO (`application/dtmf-relay`) a
 * digit.
 */
void
belfry_session_send_dtmf_async (BelfrySession       *self,
                                const char          *tones,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  BelfrySessionPrivate *priv = belfry_session_get_priv (self);
  g_autoptr (GTask) task = NULL;
  DtmfSend *data;

  g_return_if_fail (BELFRY_IS_SESSION (self));
  g_return_if_fail (tones != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, belfry_session_send_dtmf_async);

  for (const char *p = tones; *p; p++) {
    if (strchr ("0123456789*#ABCD", g_ascii_toupper (*p)) == NULL) {
      g_task_return_new_error (task, BELFRY_SIP_ERROR, BELFRY_SIP_ERROR_INVALID_ARGUMENT,
                               "“%c” is not a DTMF digit", *p);
      return;
    }
  }

  if (priv->state != BELFRY_SESSION_STATE_ESTABLISHED) {
    g_task_return_new_error (task, BELFRY_SIP_ERROR, BELFRY_SIP_ERROR_INVALID_STATE,
                             "DTMF needs an established session");
    return;
  }

  if (priv->handler != NULL && belfry_session_description_handler_send_dtmf (priv->handler, tones)) {
    g_task_return_boolean (task, TRUE);
    return;
  }

  data = g_new0 (DtmfSend, 1);
  data->tones = g_ascii_strup (tones, -1);
  g_task_set_task_data (task, data, (GDestroyNotify) dtmf_send_free);
  send_next_dtmf_info (g_steal_pointer (&task));
}

/**
 * belfry_session_send_dtmf_finish:
 * @self: a session
 * @result: the result given to the callback
 * @error: return location for a #GError
 *
 * Returns: %TRUE once every digit was sent (and, by INFO, answered 2xx)
 */
gboolean
belfry_session_send_dtmf_finish (BelfrySession  *self,
                                 GAsyncResult   *result,
                                 GError        **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}
