/* SPDX-License-Identifier: GPL-3.0-or-later */

#pragma once

#include <belle-sip/belle-sip.h>

#include "belfry-invitation.h"
#include "belfry-user-agent-private.h"
#include "belfry-user-agent.h"

G_BEGIN_DECLS

/* What the two files of BelfryUserAgent share: the user agent with its
 * listening points and API (belfry-user-agent.c), and belle-sip's listener
 * with the transactions and dialogs it reports on
 * (belfry-user-agent-listener.c). */

struct _BelfryUserAgent {
  GObject parent_instance;

  BelfryNameAddr *identity;
  char *listen_address;
  int listen_port;
  int port;
  char *username;
  guint no_answer_timeout;
  BelfrySessionDescriptionHandlerFactory *factory;
  GVariant *factory_options;
  char *outbound_proxy;
  /* The parsed proxy with ;lr, or NULL when there is none or it does not
   * parse (requests then fail with an error that says so). */
  belle_sip_uri_t *outbound_proxy_uri;

  BelfryPasswordFunc password_func;
  gpointer password_data;
  GDestroyNotify password_destroy;

  belle_sip_stack_t *stack;
  belle_sip_provider_t *provider;
  belle_sip_listener_t *listener;
  belle_sip_listening_point_t *udp;
  belle_sip_listening_point_t *tcp;
  belle_sip_listening_point_t *tls;
  char *tls_ca_file;
  /* The ClientOps of live client transactions, freed at the latest when
   * the user agent stops (belle-sip frees application data never). */
  GHashTable *ops;
  /* User-Agent, Allow and Supported, parsed once and copied into each
   * message: belle-sip parses a header made from text every time. */
  belle_sip_header_t *capabilities[3];
  /* The sessions the peer knows of, held from their first message until
   * they end, as SIP.js's UserAgent holds them: a call whose owner let go
   * of it goes on until someone ends it, rather than being cut off
   * unannounced, and stopping the user agent ends it. */
  GHashTable *live_sessions;
};


/* What hangs on a client transaction as its application data. */
typedef struct {
  const BelfryClientCallbacks *callbacks;
  /* Held until the final response; after a 2xx to an INVITE, only
   * weakly, so that a late forked 2xx still reaches a live owner. */
  GObject *owner;
  GWeakRef weak_owner;
  guint auth_attempts;
} ClientOp;

/* What hangs on a dialog as its application data. The owner clears the
 * binding before it goes away, so it holds no reference. */
typedef struct {
  const BelfryDialogCallbacks *callbacks;
  GObject *owner;
} DialogBinding;

#define USER_AGENT_STRING "Belfry/" PACKAGE_VERSION

/* belfry-user-agent.c */
void                  belfry_user_agent_offer_invitation (BelfryUserAgent  *self,
                                                          BelfryInvitation *invitation);

/* belfry-user-agent-listener.c */
belle_sip_listener_t *belfry_user_agent_create_listener  (BelfryUserAgent  *self);
void                  belfry_user_agent_client_op_free   (ClientOp         *op);

G_END_DECLS

