/* SPDX-License-Identifier: GPL-3.0-or-later */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/**
 * BelfrySessionState:
 * @BELFRY_SESSION_STATE_INITIAL: created, nothing sent or answered yet
 * @BELFRY_SESSION_STATE_ESTABLISHING: the INVITE is under way (provisional responses)
 * @BELFRY_SESSION_STATE_ESTABLISHED: the INVITE was answered with 2xx and the ACK exchanged
 * @BELFRY_SESSION_STATE_TERMINATING: a BYE or CANCEL was sent, waiting for its answer
 * @BELFRY_SESSION_STATE_TERMINATED: over; nothing leaves this state
 *
 * The states of a session, as SIP.js's `SessionState`.
 */
typedef enum {
  BELFRY_SESSION_STATE_INITIAL,
  BELFRY_SESSION_STATE_ESTABLISHING,
  BELFRY_SESSION_STATE_ESTABLISHED,
  BELFRY_SESSION_STATE_TERMINATING,
  BELFRY_SESSION_STATE_TERMINATED,
} BelfrySessionState;

gboolean belfry_session_state_can_change (BelfrySessionState from,
                                          BelfrySessionState to);

G_END_DECLS
