/* SPDX-License-Identifier: GPL-3.0-or-later */

/* SDP offers and answers given to the mediastreamer2 session description
 * handler (app/media/belfry-media-handler.c): what a peer's INVITE, 183,
 * 200 or re-INVITE carries. The first byte of an input chooses the
 * exchange and the handler's SRTP settings; the rest is the SDP. */
#include "belfry-fuzz.h"
#include "belfry-media-handler.h"
#include "belfry-media-wav-private.h"
#include "belfry-test-env.h"

#include <glib/gstdio.h>

/* Every wait has a bound; the handler answers from an idle callback. */
#define WAIT_MS 2000

typedef enum {
  EXCHANGE_OFFER,           /* the peer offers (INVITE): we answer */
  EXCHANGE_ANSWER,          /* we offer, the peer answers (200) */
  EXCHANGE_EARLY_ANSWER,    /* the answer comes in a 183 first, then again */
  EXCHANGE_REOFFER,         /* an answered offer, then the same as a re-INVITE */
  N_EXCHANGES
} Exchange;

static BelfryMediaEngine *engine;
static char *record_path;

static char *
get_description (BelfrySessionDescriptionHandler *handler,
                 gboolean                         hold)
{
  BelfrySessionDescriptionHandlerOptions options = { .hold = hold };
  g_autoptr (GAsyncResult) result = NULL;
  g_autofree char *content_type = NULL;

  belfry_session_description_handler_get_description_async (handler, &options, NULL,
                                                            belfry_test_store_result_cb, &result);
  return belfry_session_description_handler_get_description_finish (handler, belfry_test_wait_result (&result, WAIT_MS),
                                                                    &content_type, NULL);
}

static gboolean
set_description (BelfrySessionDescriptionHandler *handler,
                 const char                      *body,
                 gboolean                         provisional)
{
  BelfrySessionDescriptionHandlerOptions options = { .provisional = provisional };
  g_autoptr (GAsyncResult) result = NULL;

  belfry_session_description_handler_set_description_async (handler, "application/sdp", body,
                                                            &options, NULL, belfry_test_store_result_cb,
                                                            &result);
  return belfry_session_description_handler_set_description_finish (handler, belfry_test_wait_result (&result, WAIT_MS),
                                                                    NULL);
}

void
belfry_fuzz_set_up (void)
{
  g_autofree char *play_path = NULL;
  g_autoptr (GError) error = NULL;

  play_path = g_build_filename (belfry_fuzz_scratch_dir (), "play.wav", NULL);
  record_path = g_build_filename (belfry_fuzz_scratch_dir (), "record.wav", NULL);
  if (!belfry_media_wav_write_tone (play_path, 8000, 1000, 0, 0.5, 0.5, &error))
    g_error ("%s", error->message);

  /* Files for microphone and speaker: an answer that is agreed starts a
   * stream, and without a sound server no card is safe to open. */
  engine = belfry_media_engine_new ();
  g_object_set (engine,
                "bind-address", "127.0.0.1",
                "play-file", play_path,
                "record-file", record_path,
                NULL);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr (BelfryMediaHandler) media = NULL;
  BelfrySessionDescriptionHandler *handler;
  g_autofree char *body = NULL;
  g_autofree char *ours = NULL;
  Exchange exchange;

  if (size < 1)
    return 0;
  exchange = (data[0] & 0x3) % N_EXCHANGES;
  body = g_strndup ((const char *) data + 1, size - 1);

  media = belfry_media_handler_new (engine);
  handler = BELFRY_SESSION_DESCRIPTION_HANDLER (media);
  belfry_media_handler_set_srtp (media, ((data[0] >> 2) & 0x3) % 3);
  belfry_media_handler_set_secure_signaling (media, (data[0] >> 4) & 1);
  belfry_media_handler_set_allow_srtp_without_tls (media, (data[0] >> 5) & 1);

  switch (exchange) {
  case EXCHANGE_OFFER:
  case EXCHANGE_REOFFER:
    if (set_description (handler, body, FALSE)) {
      g_autofree char *answer = get_description (handler, FALSE);

      g_assert (answer != NULL);
      if (exchange == EXCHANGE_REOFFER && set_description (handler, body, FALSE))
        ours = get_description (handler, (data[0] >> 6) & 1);
    } else {
      belfry_session_description_handler_rollback_description (handler);
    }
    break;
  case EXCHANGE_ANSWER:
  case EXCHANGE_EARLY_ANSWER:
    /* Mandatory SRTP without TLS makes no offer, which is right. */
    ours = get_description (handler, (data[0] >> 6) & 1);
    if (ours == NULL)
      break;
    if (exchange == EXCHANGE_EARLY_ANSWER)
      set_description (handler, body, TRUE);
    set_description (handler, body, FALSE);
    break;
  default:
    g_assert_not_reached ();
  }

  belfry_media_handler_get_codec (media);
  belfry_media_handler_get_remote_hold (media);
  belfry_media_handler_get_srtp_suite (media);
  belfry_session_description_handler_close (handler);
  g_remove (record_path);
  return 0;
}
