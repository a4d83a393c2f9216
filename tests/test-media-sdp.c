/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <belle-sip/belle-sip.h>

#include "belfry-media-error.h"
#include "belfry-sip-error.h"
#include "belfry-sipp.h"
#include "belfry-media-fixture.h"

/* The media handler alone: its SDP offers and answers, SRTP keys among
 * them, read with belle-sdp. */

typedef struct {
  BelfryMediaEngine *engine;
  BelfryMediaHandler *handler;
} Alone;

static void
alone_set_up (Alone         *alone,
              gconstpointer  data)
{
  alone->engine = belfry_media_engine_new ();
  belfry_media_engine_set_bind_address (alone->engine, "127.0.0.1");
  alone->handler = belfry_media_handler_new (alone->engine);
}

static void
alone_tear_down (Alone         *alone,
                 gconstpointer  data)
{
  belfry_session_description_handler_close (BELFRY_SESSION_DESCRIPTION_HANDLER (alone->handler));
  g_assert_finalize_object (g_steal_pointer (&alone->handler));
  g_assert_finalize_object (g_steal_pointer (&alone->engine));
}

static char *
get_description (BelfryMediaHandler  *handler,
                 gboolean             hold,
                 gboolean             with_options,
                 GError             **error)
{
  BelfrySessionDescriptionHandlerOptions options = { .hold = hold };
  g_autoptr (GAsyncResult) result = NULL;
  g_autofree char *content_type = NULL;
  char *body;

  belfry_session_description_handler_get_description_async (
    BELFRY_SESSION_DESCRIPTION_HANDLER (handler), with_options ? &options : NULL, NULL,
    belfry_test_store_result_cb, &result);
  g_assert_true (belfry_test_wait_until (belfry_test_pointer_set, &result, WAIT_MS));
  body = belfry_session_description_handler_get_description_finish (
    BELFRY_SESSION_DESCRIPTION_HANDLER (handler), result, &content_type, error);
  if (body != NULL)
    g_assert_cmpstr (content_type, ==, "application/sdp");
  return body;
}

static gboolean
set_description (BelfryMediaHandler  *handler,
                 const char          *body,
                 GError             **error)
{
  g_autoptr (GAsyncResult) result = NULL;

  belfry_session_description_handler_set_description_async (
    BELFRY_SESSION_DESCRIPTION_HANDLER (handler), "application/sdp", body, NULL, NULL,
    belfry_test_store_result_cb, &result);
  g_assert_true (belfry_test_wait_until (belfry_test_pointer_set, &result, WAIT_MS));
  return belfry_session_description_handler_set_description_finish (
    BELFRY_SESSION_DESCRIPTION_HANDLER (handler), result, error);
}

/* The test reads SDP with belle-sdp too. */
static belle_sdp_session_description_t *
parse (const char *body)
{
  belle_sdp_session_description_t *sd = belle_sdp_session_description_parse (body);

  g_assert_nonnull (sd);
  belle_sip_object_ref (sd);
  return sd;
}

static belle_sdp_media_description_t *
media_at (belle_sdp_session_description_t *sd,
          guint                            index)
{
  belle_sip_list_t *list = belle_sdp_session_description_get_media_descriptions (sd);

  g_assert_cmpuint (belle_sip_list_size (list), >, index);
  return belle_sip_list_nth_data (list, index);
}

static char *
formats_of (belle_sdp_media_description_t *md)
{
  g_autoptr (GString) text = g_string_new (NULL);

  for (belle_sip_list_t *l = belle_sdp_media_get_media_formats (belle_sdp_media_description_get_media (md));
       l != NULL; l = l->next)
    g_string_append_printf (text, "%s%d", text->len > 0 ? " " : "", BELLE_SIP_POINTER_TO_INT (l->data));
  return g_strdup (text->str);
}

static char *
rtpmaps_of (belle_sdp_media_description_t *md)
{
  g_autoptr (GString) text = g_string_new (NULL);
  belle_sip_list_t *attributes = belle_sdp_media_description_find_attributes_with_name (md, "rtpmap");

  for (belle_sip_list_t *l = attributes; l != NULL; l = l->next)
    g_string_append_printf (text, "%s%s", text->len > 0 ? "," : "",
                            belle_sdp_attribute_get_value (l->data));
  belle_sip_list_free_with_data (attributes, belle_sip_object_unref);
  return g_strdup (text->str);
}

static gboolean
has_attribute (belle_sdp_media_description_t *md,
               const char                    *name)
{
  return belle_sdp_media_description_get_attribute (md, name) != NULL;
}

static void
test_sdp_offer (Alone         *alone,
                gconstpointer  data)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *first = NULL;
  g_autofree char *second = NULL;
  g_autofree char *formats = NULL;
  g_autofree char *rtpmaps = NULL;
  g_autofree char *port = NULL;
  belle_sdp_session_description_t *sd1, *sd2;
  belle_sdp_media_description_t *md;

  first = get_description (alone->handler, FALSE, FALSE, &error);
  g_assert_no_error (error);
  g_test_message ("offer:\n%s", first);
  sd1 = parse (first);
  md = media_at (sd1, 0);

  /* The default codecs in order, opus with a dynamic number, static
   * numbers without rtpmap, then telephone-event at both clocks. */
  formats = formats_of (md);
  g_assert_cmpstr (formats, ==, "96 9 0 8 3 101 100");
  rtpmaps = rtpmaps_of (md);
  g_assert_cmpstr (rtpmaps, ==, "96 opus/48000/2,101 telephone-event/8000,100 telephone-event/48000");
  g_assert_true (has_attribute (md, "sendrecv"));
  g_assert_cmpstr (belle_sdp_media_get_protocol (belle_sdp_media_description_get_media (md)), ==,
                   "RTP/AVP");
  g_assert_cmpint (belle_sdp_media_get_media_port (belle_sdp_media_description_get_media (md)), ==,
                   belfry_media_handler_get_local_port (alone->handler));
  g_assert_cmpstr (belle_sdp_connection_get_address (belle_sdp_session_description_get_connection (sd1)),
                   ==, "127.0.0.1");

  /* An offer that is not answered is rolled back; the next one is a new
   * version of the same session. */
  belfry_session_description_handler_rollback_description (
    BELFRY_SESSION_DESCRIPTION_HANDLER (alone->handler));
  second = get_description (alone->handler, TRUE, TRUE, &error);
  g_assert_no_error (error);
  sd2 = parse (second);
  g_assert_cmpuint (belle_sdp_origin_get_session_id (belle_sdp_session_description_get_origin (sd2)), ==,
                    belle_sdp_origin_get_session_id (belle_sdp_session_description_get_origin (sd1)));
  g_assert_cmpuint (belle_sdp_origin_get_session_version (belle_sdp_session_description_get_origin (sd2)), ==,
                    belle_sdp_origin_get_session_version (belle_sdp_session_description_get_origin (sd1)) + 1);
  g_assert_true (has_attribute (media_at (sd2, 0), "sendonly"));

  belle_sip_object_unref (sd1);
  belle_sip_object_unref (sd2);
}

static void
test_sdp_codec_filter (Alone         *alone,
                       gconstpointer  data)
{
  static const char * const codecs[] = { "nonesuch", "PCMA", "iLBC", "PCMA", "PCMU", NULL };
  g_autoptr (GError) error = NULL;
  g_autofree char *offer = NULL;
  g_autofree char *formats = NULL;
  g_auto (GStrv) usable = NULL;
  belle_sdp_session_description_t *sd;

  /* Unknown names and names this build cannot run are skipped. */
  belfry_media_engine_set_codecs (alone->engine, codecs);
  usable = belfry_media_engine_dup_usable_codecs (alone->engine);
  g_assert_cmpstrv (usable, ((const char * const[]) { "PCMA", "PCMU", NULL }));

  offer = get_description (alone->handler, FALSE, FALSE, &error);
  g_assert_no_error (error);
  sd = parse (offer);
  formats = formats_of (media_at (sd, 0));
  /* No opus: no telephone-event at 48 kHz. */
  g_assert_cmpstr (formats, ==, "8 0 101");
  belle_sip_object_unref (sd);
}

#define PEER_OFFER_HEAD \
  "v=0\r\n" \
  "o=peer 42 1 IN IP4 127.0.0.1\r\n" \
  "s=-\r\n"

static void
test_sdp_answer (Alone         *alone,
                 gconstpointer  data)
{
  /* c= only at media level; video and an audio line we cannot use come
   * first and are refused with port 0; the peer holds us (sendonly). */
  static const char offer[] =
    PEER_OFFER_HEAD
    "t=0 0\r\n"
    "m=video 40000 RTP/AVP 99\r\n"
    "c=IN IP4 127.0.0.1\r\n"
    "a=rtpmap:99 VP8/90000\r\n"
    "m=audio 40010 RTP/SAVP 0\r\n"
    "c=IN IP4 127.0.0.1\r\n"
    "m=audio 40020 RTP/AVP 18 0 8 110\r\n"
    "c=IN IP4 127.0.0.1\r\n"
    "a=rtpmap:18 G729/8000\r\n"
    "a=rtpmap:110 telephone-event/8000\r\n"
    "a=fmtp:110 0-15\r\n"
    "a=sendonly\r\n";
  g_autoptr (GError) error = NULL;
  g_autofree char *answer = NULL;
  g_autofree char *formats = NULL;
  g_autofree char *rtpmaps = NULL;
  static const char * const codecs[] = { "PCMA", "PCMU", NULL };
  belle_sdp_session_description_t *sd;
  belle_sdp_media_description_t *md;

  belfry_media_engine_set_codecs (alone->engine, codecs);
  g_assert_true (set_description (alone->handler, offer, &error));
  g_assert_no_error (error);
  answer = get_description (alone->handler, FALSE, FALSE, &error);
  g_assert_no_error (error);
  g_test_message ("answer:\n%s", answer);
  sd = parse (answer);

  g_assert_cmpuint (belle_sip_list_size (belle_sdp_session_description_get_media_descriptions (sd)), ==, 3);
  g_assert_cmpint (belle_sdp_media_get_media_port (belle_sdp_media_description_get_media (media_at (sd, 0))), ==, 0);
  g_assert_cmpstr (belle_sdp_media_get_media_type (belle_sdp_media_description_get_media (media_at (sd, 0))), ==, "video");
  g_assert_cmpint (belle_sdp_media_get_media_port (belle_sdp_media_description_get_media (media_at (sd, 1))), ==, 0);

  /* The offer's order wins (PCMU before PCMA), with its telephone-event
   * number; our hold-free answer to sendonly is recvonly. */
  md = media_at (sd, 2);
  g_assert_cmpint (belle_sdp_media_get_media_port (belle_sdp_media_description_get_media (md)), ==,
                   belfry_media_handler_get_local_port (alone->handler));
  formats = formats_of (md);
  g_assert_cmpstr (formats, ==, "0 110");
  rtpmaps = rtpmaps_of (md);
  g_assert_cmpstr (rtpmaps, ==, "110 telephone-event/8000");
  g_assert_true (has_attribute (md, "recvonly"));
  g_assert_cmpstr (belfry_media_handler_get_codec (alone->handler), ==, "PCMU");
  g_assert_true (belfry_media_handler_get_remote_hold (alone->handler));
  belle_sip_object_unref (sd);
}

static void
test_sdp_answer_directions (Alone         *alone,
                            gconstpointer  data)
{
  static const struct {
    const char *offered;
    gboolean hold;
    const char *answered;
  } cases[] = {
    { "sendrecv", FALSE, "sendrecv" },
    { "sendrecv", TRUE, "sendonly" },
    { "sendonly", FALSE, "recvonly" },
    { "sendonly", TRUE, "inactive" },
    { "recvonly", FALSE, "sendonly" },
    { "inactive", FALSE, "inactive" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++) {
    /* c= at session level this time. */
    g_autofree char *offer = g_strdup_printf (PEER_OFFER_HEAD
                                              "c=IN IP4 127.0.0.1\r\n"
                                              "t=0 0\r\n"
                                              "m=audio 40020 RTP/AVP 0\r\n"
                                              "a=%s\r\n", cases[i].offered);
    g_autoptr (GError) error = NULL;
    g_autofree char *answer = NULL;
    belle_sdp_session_description_t *sd;

    g_test_message ("%s offer, %s", cases[i].offered, cases[i].hold ? "holding" : "not holding");
    g_assert_true (set_description (alone->handler, offer, &error));
    g_assert_no_error (error);
    answer = get_description (alone->handler, cases[i].hold, TRUE, &error);
    g_assert_no_error (error);
    sd = parse (answer);
    g_assert_true (has_attribute (media_at (sd, 0), cases[i].answered));
    belle_sip_object_unref (sd);
  }
}

static void
test_sdp_hold_offers (Alone         *alone,
                      gconstpointer  data)
{
  static const char held_us[] =
    PEER_OFFER_HEAD
    "c=IN IP4 127.0.0.1\r\n"
    "t=0 0\r\n"
    "m=audio 40020 RTP/AVP 0\r\n"
    "a=sendonly\r\n";
  g_autoptr (GError) error = NULL;
  g_autofree char *answer = NULL;
  g_autofree char *hold = NULL;
  g_autofree char *resume = NULL;
  belle_sdp_session_description_t *sd;

  /* The peer holds us; our own hold then offers inactive. */
  g_assert_true (set_description (alone->handler, held_us, &error));
  answer = get_description (alone->handler, FALSE, TRUE, &error);
  g_assert_no_error (error);
  hold = get_description (alone->handler, TRUE, TRUE, &error);
  g_assert_no_error (error);
  sd = parse (hold);
  g_assert_true (has_attribute (media_at (sd, 0), "inactive"));
  belle_sip_object_unref (sd);

  /* A refused re-INVITE rolls back; resume offers sendrecv. */
  belfry_session_description_handler_rollback_description (
    BELFRY_SESSION_DESCRIPTION_HANDLER (alone->handler));
  g_assert_false (belfry_media_handler_get_local_hold (alone->handler));
  resume = get_description (alone->handler, FALSE, TRUE, &error);
  g_assert_no_error (error);
  sd = parse (resume);
  g_assert_true (has_attribute (media_at (sd, 0), "sendrecv"));
  belle_sip_object_unref (sd);
}

static void
test_sdp_refusals (Alone         *alone,
                   gconstpointer  data)
{
  static const char no_common[] =
    PEER_OFFER_HEAD
    "c=IN IP4 127.0.0.1\r\n"
    "t=0 0\r\n"
    "m=audio 40020 RTP/AVP 18 96\r\n"
    "a=rtpmap:96 AMR/8000\r\n";
  static const char video_only[] =
    PEER_OFFER_HEAD
    "c=IN IP4 127.0.0.1\r\n"
    "t=0 0\r\n"
    "m=video 40020 RTP/AVP 99\r\n"
    "a=rtpmap:99 VP8/90000\r\n";
  g_autoptr (GError) error = NULL;

  g_assert_false (set_description (alone->handler, no_common, &error));
  g_assert_error (error, BELFRY_SIP_ERROR, BELFRY_SIP_ERROR_NOT_ACCEPTABLE);
  g_clear_error (&error);

  g_assert_false (set_description (alone->handler, video_only, &error));
  g_assert_error (error, BELFRY_SIP_ERROR, BELFRY_SIP_ERROR_NOT_ACCEPTABLE);
  g_clear_error (&error);

  g_assert_false (set_description (alone->handler, "not SDP at all", &error));
  g_assert_error (error, BELFRY_SIP_ERROR, BELFRY_SIP_ERROR_NOT_ACCEPTABLE);
  g_clear_error (&error);

  /* After close, nothing more. */
  belfry_session_description_handler_close (BELFRY_SESSION_DESCRIPTION_HANDLER (alone->handler));
  g_assert_null (get_description (alone->handler, FALSE, FALSE, &error));
  g_assert_error (error, BELFRY_MEDIA_ERROR, BELFRY_MEDIA_ERROR_CLOSED);
}

/* ---- SRTP in SDP, handler alone ---- */

static char *
crypto_key_of (belle_sdp_media_description_t *md,
               guint                          index,
               const char                    *expected_prefix)
{
  belle_sip_list_t *attributes = belle_sdp_media_description_find_attributes_with_name (md, "crypto");
  const char *value;
  g_autofree guchar *key = NULL;
  gsize length = 0;
  char *encoded;

  g_assert_cmpuint (belle_sip_list_size (attributes), >, index);
  value = belle_sdp_attribute_get_value (belle_sip_list_nth_data (attributes, index));
  g_assert_true (g_str_has_prefix (value, expected_prefix));
  encoded = g_strdup (value + strlen (expected_prefix));
  belle_sip_list_free_with_data (attributes, belle_sip_object_unref);

  /* 128-bit key and 112-bit salt. */
  key = g_base64_decode (encoded, &length);
  g_assert_cmpuint (length, ==, 30);
  return encoded;
}

static void
test_sdp_srtp_offer (Alone         *alone,
                     gconstpointer  data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (BelfryMediaHandler) other = NULL;
  g_autofree char *offer = NULL;
  g_autofree char *other_offer = NULL;
  g_autofree char *key1 = NULL;
  g_autofree char *key2 = NULL;
  g_autofree char *other_key = NULL;
  belle_sdp_session_description_t *sd;
  belle_sdp_media_description_t *md;

  /* Mandatory SRTP over signaling that is not known to be secure: no. */
  belfry_media_engine_set_srtp (alone->engine, BELFRY_MEDIA_SRTP_MANDATORY);
  g_assert_null (get_description (alone->handler, FALSE, FALSE, &error));
  g_assert_error (error, BELFRY_SIP_ERROR, BELFRY_SIP_ERROR_NOT_ACCEPTABLE);
  g_clear_error (&error);

  /* Over TLS: RTP/SAVP with both suites, one key. */
  belfry_media_handler_set_secure_signaling (alone->handler, TRUE);
  offer = get_description (alone->handler, FALSE, FALSE, &error);
  g_assert_no_error (error);
  g_test_message ("offer:\n%s", offer);
  sd = parse (offer);
  md = media_at (sd, 0);
  g_assert_cmpstr (belle_sdp_media_get_protocol (belle_sdp_media_description_get_media (md)), ==,
                   "RTP/SAVP");
  key1 = crypto_key_of (md, 0, "1 AES_CM_128_HMAC_SHA1_80 inline:");
  key2 = crypto_key_of (md, 1, "2 AES_CM_128_HMAC_SHA1_32 inline:");
  g_assert_cmpstr (key1, ==, key2);
  belle_sip_object_unref (sd);

  /* Another session gets another key; optional SRTP offers RTP/AVP. */
  belfry_media_engine_set_srtp (alone->engine, BELFRY_MEDIA_SRTP_OPTIONAL);
  belfry_media_engine_set_allow_srtp_without_tls (alone->engine, TRUE);
  other = belfry_media_handler_new (alone->engine);
  other_offer = get_description (other, FALSE, FALSE, &error);
  g_assert_no_error (error);
  sd = parse (other_offer);
  md = media_at (sd, 0);
  g_assert_cmpstr (belle_sdp_media_get_protocol (belle_sdp_media_description_get_media (md)), ==,
                   "RTP/AVP");
  other_key = crypto_key_of (md, 0, "1 AES_CM_128_HMAC_SHA1_80 inline:");
  g_assert_cmpstr (other_key, !=, key1);
  belle_sip_object_unref (sd);
  belfry_session_description_handler_close (BELFRY_SESSION_DESCRIPTION_HANDLER (other));
}

static void
test_sdp_srtp_answer (Alone         *alone,
                      gconstpointer  data)
{
  /* An MKI key comes first and cannot be used; the 32-bit tag suite can. */
  static const char offer[] =
    PEER_OFFER_HEAD
    "c=IN IP4 127.0.0.1\r\n"
    "t=0 0\r\n"
    "m=audio 40020 RTP/SAVP 0\r\n"
    "a=crypto:5 AES_CM_128_HMAC_SHA1_80 inline:xKpN02oR1U8BEb5XNLV9FmT6S9Y7Qjc6nrfF4eU/|2^20|1:32\r\n"
    "a=crypto:7 AES_CM_128_HMAC_SHA1_32 inline:bw2z78TQMGQzlEEHYAVft1L3aY5ER4tJr56eAlFZ|2^20\r\n";
  static const char plain_offer[] =
    PEER_OFFER_HEAD
    "c=IN IP4 127.0.0.1\r\n"
    "t=0 0\r\n"
    "m=audio 40020 RTP/AVP 0\r\n";
  g_autoptr (GError) error = NULL;
  g_autofree char *answer = NULL;
  g_autofree char *key = NULL;
  belle_sdp_session_description_t *sd;
  belle_sdp_media_description_t *md;

  belfry_media_engine_set_srtp (alone->engine, BELFRY_MEDIA_SRTP_MANDATORY);
  belfry_media_engine_set_allow_srtp_without_tls (alone->engine, TRUE);

  g_assert_false (set_description (alone->handler, plain_offer, &error));
  g_assert_error (error, BELFRY_SIP_ERROR, BELFRY_SIP_ERROR_NOT_ACCEPTABLE);
  g_assert_cmpstr (error->message, ==, "The other side does not offer encrypted audio");
  g_clear_error (&error);

  g_assert_true (set_description (alone->handler, offer, &error));
  g_assert_no_error (error);
  answer = get_description (alone->handler, FALSE, FALSE, &error);
  g_assert_no_error (error);
  g_test_message ("answer:\n%s", answer);
  sd = parse (answer);
  md = media_at (sd, 0);
  g_assert_cmpstr (belle_sdp_media_get_protocol (belle_sdp_media_description_get_media (md)), ==,
                   "RTP/SAVP");
  key = crypto_key_of (md, 0, "7 AES_CM_128_HMAC_SHA1_32 inline:");
  g_assert_cmpstr (key, !=, "bw2z78TQMGQzlEEHYAVft1L3aY5ER4tJr56eAlFZ");
  g_assert_cmpstr (belfry_media_handler_get_srtp_suite (alone->handler), ==,
                   "AES_CM_128_HMAC_SHA1_32");
  belle_sip_object_unref (sd);
}

static void
test_sdp_no_telephone_event (Alone         *alone,
                             gconstpointer  data)
{
  static const char * const codecs[] = { "opus", "PCMU", NULL };
  g_autoptr (GError) error = NULL;
  g_autofree char *offer = NULL;
  g_autofree char *formats = NULL;
  belle_sdp_session_description_t *sd;

  belfry_media_engine_set_codecs (alone->engine, codecs);
  belfry_media_engine_set_telephone_event (alone->engine, FALSE);
  offer = get_description (alone->handler, FALSE, FALSE, &error);
  g_assert_no_error (error);
  sd = parse (offer);
  formats = formats_of (media_at (sd, 0));
  g_assert_cmpstr (formats, ==, "96 0");
  belle_sip_object_unref (sd);
}

int
main (int   argc,
      char *argv[])
{
  belfry_test_init (&argc, &argv);

  g_test_add ("/belfry/media/sdp/offer", Alone, NULL, alone_set_up, test_sdp_offer, alone_tear_down);
  g_test_add ("/belfry/media/sdp/codec-filter", Alone, NULL, alone_set_up, test_sdp_codec_filter,
              alone_tear_down);
  g_test_add ("/belfry/media/sdp/answer", Alone, NULL, alone_set_up, test_sdp_answer, alone_tear_down);
  g_test_add ("/belfry/media/sdp/answer-directions", Alone, NULL, alone_set_up,
              test_sdp_answer_directions, alone_tear_down);
  g_test_add ("/belfry/media/sdp/hold-offers", Alone, NULL, alone_set_up, test_sdp_hold_offers,
              alone_tear_down);
  g_test_add ("/belfry/media/sdp/refusals", Alone, NULL, alone_set_up, test_sdp_refusals,
              alone_tear_down);
  g_test_add ("/belfry/media/sdp/srtp-offer", Alone, NULL, alone_set_up, test_sdp_srtp_offer,
              alone_tear_down);
  g_test_add ("/belfry/media/sdp/srtp-answer", Alone, NULL, alone_set_up, test_sdp_srtp_answer,
              alone_tear_down);
  g_test_add ("/belfry/media/sdp/no-telephone-event", Alone, NULL, alone_set_up,
              test_sdp_no_telephone_event, alone_tear_down);

  return g_test_run ();
}
