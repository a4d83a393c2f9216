/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <belle-sip/belle-sdp.h>
#include <belle-sip/belle-sip.h>

#include "belfry-sip-error.h"
#include "belfry-test-sdh.h"

struct _BelfryTestSdh {
  GObject parent_instance;

  guint version;
  /* set_description() took an offer that get_description() must answer. */
  gboolean answering;
  /* get_description() made an offer that set_description() will answer. */
  gboolean offering;
  char *remote_direction;
  char *local_direction;
  char *agreed_local_direction;
  gboolean closed;
};

static void belfry_test_sdh_iface_init (BelfrySessionDescriptionHandlerInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (BelfryTestSdh, belfry_test_sdh, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (BELFRY_TYPE_SESSION_DESCRIPTION_HANDLER,
                                                      belfry_test_sdh_iface_init))

static void
set_string (char       **slot,
            const char  *value)
{
  char *copy = g_strdup (value);

  g_free (*slot);
  *slot = copy;
}

static const char *
answer_direction (const char *offered,
                  gboolean    hold)
{
  if (g_strcmp0 (offered, "sendonly") == 0)
    return hold ? "inactive" : "recvonly";
  if (g_strcmp0 (offered, "recvonly") == 0)
    return hold ? "inactive" : "sendonly";
  if (g_strcmp0 (offered, "inactive") == 0)
    return "inactive";
  return hold ? "sendonly" : "sendrecv";
}

static void
test_sdh_get_description_async (BelfrySessionDescriptionHandler              *handler,
                                const BelfrySessionDescriptionHandlerOptions *options,
                                GCancellable                                 *cancellable,
                                GAsyncReadyCallback                           callback,
                                gpointer                                      user_data)
{
  BelfryTestSdh *self = BELFRY_TEST_SDH (handler);
  g_autoptr (GTask) task = g_task_new (self, cancellable, callback, user_data);
  gboolean hold = options != NULL && options->hold;
  gboolean peer_holds = g_strcmp0 (self->remote_direction, "sendonly") == 0 ||
                        g_strcmp0 (self->remote_direction, "inactive") == 0;
  const char *direction;

  if (self->answering)
    direction = answer_direction (self->remote_direction, hold);
  else if (hold)
    direction = peer_holds ? "inactive" : "sendonly";
  else
    direction = "sendrecv";

  set_string (&self->local_direction, direction);
  if (self->answering)
    set_string (&self->agreed_local_direction, direction);
  self->offering = !self->answering;
  self->answering = FALSE;
  self->version++;

  g_task_return_pointer (task, g_strdup_printf (
    "v=0\r\n"
    "o=belfry 1 %u IN IP4 127.0.0.1\r\n"
    "s=Belfry test\r\n"
    "c=IN IP4 127.0.0.1\r\n"
    "t=0 0\r\n"
    "m=audio 40000 RTP/AVP 0 101\r\n"
    "a=rtpmap:101 telephone-event/8000\r\n"
    "a=%s\r\n", self->version, direction), g_free);
}

static char *
test_sdh_get_description_finish (BelfrySessionDescriptionHandler  *handler,
                                 GAsyncResult                     *result,
                                 char                            **content_type,
                                 GError                          **error)
{
  char *body = g_task_propagate_pointer (G_TASK (result), error);

  if (content_type != NULL)
    *content_type = body ? g_strdup ("application/sdp") : NULL;
  return body;
}

static void
test_sdh_set_description_async (BelfrySessionDescriptionHandler              *handler,
                                const char                                   *content_type,
                                const char                                   *body,
                                const BelfrySessionDescriptionHandlerOptions *options,
                                GCancellable                                 *cancellable,
                                GAsyncReadyCallback                           callback,
                                gpointer                                      user_data)
{
  BelfryTestSdh *self = BELFRY_TEST_SDH (handler);
  g_autoptr (GTask) task = g_task_new (self, cancellable, callback, user_data);
  belle_sdp_session_description_t *sdp = belle_sdp_session_description_parse (body);
  const char *direction = "sendrecv";
  gboolean has_pcmu = FALSE;

  if (sdp == NULL) {
    g_task_return_new_error (task, BELFRY_SIP_ERROR, BELFRY_SIP_ERROR_NOT_ACCEPTABLE,
                             "Not SDP");
    return;
  }
  belle_sip_object_ref (sdp);

  for (const belle_sip_list_t *l = belle_sdp_session_description_get_media_descriptions (sdp); l; l = l->next) {
    belle_sdp_media_description_t *md = l->data;
    belle_sdp_media_t *media = belle_sdp_media_description_get_media (md);
    const char *directions[] = { "sendrecv", "sendonly", "recvonly", "inactive" };

    if (g_strcmp0 (belle_sdp_media_get_media_type (media), "audio") != 0 ||
        belle_sdp_media_get_media_port (media) == 0)
      continue;

    for (const belle_sip_list_t *f = belle_sdp_media_get_media_formats (media); f; f = f->next)
      has_pcmu |= GPOINTER_TO_INT (f->data) == 0;

    for (guint i = 0; i < G_N_ELEMENTS (directions); i++) {
      if (belle_sdp_media_description_get_attribute (md, directions[i]) != NULL)
        direction = directions[i];
    }
  }
  belle_sip_object_unref (sdp);

  if (!has_pcmu) {
    g_task_return_new_error (task, BELFRY_SIP_ERROR, BELFRY_SIP_ERROR_NOT_ACCEPTABLE,
                             "No PCMU audio stream offered");
    return;
  }

  set_string (&self->remote_direction, direction);
  if (self->offering) {
    set_string (&self->agreed_local_direction, self->local_direction);
    self->offering = FALSE;
  } else {
    self->answering = TRUE;
  }
  g_task_return_boolean (task, TRUE);
}

static gboolean
test_sdh_set_description_finish (BelfrySessionDescriptionHandler  *handler,
                                 GAsyncResult                     *result,
                                 GError                          **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
test_sdh_rollback (BelfrySessionDescriptionHandler *handler)
{
  BelfryTestSdh *self = BELFRY_TEST_SDH (handler);

  set_string (&self->local_direction, self->agreed_local_direction);
  self->answering = FALSE;
  self->offering = FALSE;
}

static void
test_sdh_close (BelfrySessionDescriptionHandler *handler)
{
  BELFRY_TEST_SDH (handler)->closed = TRUE;
}

static void
belfry_test_sdh_iface_init (BelfrySessionDescriptionHandlerInterface *iface)
{
  iface->get_description_async = test_sdh_get_description_async;
  iface->get_description_finish = test_sdh_get_description_finish;
  iface->set_description_async = test_sdh_set_description_async;
  iface->set_description_finish = test_sdh_set_description_finish;
  iface->rollback_description = test_sdh_rollback;
  iface->close = test_sdh_close;
}

static void
belfry_test_sdh_finalize (GObject *object)
{
  BelfryTestSdh *self = BELFRY_TEST_SDH (object);

  g_free (self->remote_direction);
  g_free (self->local_direction);
  g_free (self->agreed_local_direction);

  G_OBJECT_CLASS (belfry_test_sdh_parent_class)->finalize (object);
}

static void
belfry_test_sdh_class_init (BelfryTestSdhClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = belfry_test_sdh_finalize;
}

static void
belfry_test_sdh_init (BelfryTestSdh *self)
{
}

const char *
belfry_test_sdh_get_remote_direction (BelfryTestSdh *self)
{
  return self->remote_direction;
}

const char *
belfry_test_sdh_get_local_direction (BelfryTestSdh *self)
{
  return self->agreed_local_direction;
}

gboolean
belfry_test_sdh_get_closed (BelfryTestSdh *self)
{
  return self->closed;
}

struct _BelfryTestSdhFactory {
  GObject parent_instance;
};

static void belfry_test_sdh_factory_iface_init (BelfrySessionDescriptionHandlerFactoryInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (BelfryTestSdhFactory, belfry_test_sdh_factory, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (BELFRY_TYPE_SESSION_DESCRIPTION_HANDLER_FACTORY,
                                                      belfry_test_sdh_factory_iface_init))

static BelfrySessionDescriptionHandler *
test_sdh_factory_create (BelfrySessionDescriptionHandlerFactory  *factory,
                         BelfrySession                           *session,
                         GError                                 **error)
{
  return g_object_new (BELFRY_TYPE_TEST_SDH, NULL);
}

static void
belfry_test_sdh_factory_iface_init (BelfrySessionDescriptionHandlerFactoryInterface *iface)
{
  iface->create = test_sdh_factory_create;
}

static void
belfry_test_sdh_factory_class_init (BelfryTestSdhFactoryClass *klass)
{
}

static void
belfry_test_sdh_factory_init (BelfryTestSdhFactory *self)
{
}

BelfryTestSdhFactory *
belfry_test_sdh_factory_new (void)
{
  return g_object_new (BELFRY_TYPE_TEST_SDH_FACTORY, NULL);
}
