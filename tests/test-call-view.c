/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <adwaita.h>

#include "belfry-call-view.h"
#include "belfry-invitation.h"
#include "belfry-inviter.h"
#include "belfry-media-engine.h"
#include "belfry-sipp.h"
#include "belfry-test-env.h"
#include "belfry-ui-test.h"
#include "belfry-user-agent.h"

/* A call view in a real window, for a call to sipp with Belfry's own
 * media engine: the buttons' actions reach the wire. */



typedef struct {
  GObject *object;
  const char *property;
  gboolean value;
} FlagWait;

static gboolean
flag_is (gpointer data)
{
  FlagWait *wait = data;
  gboolean value;

  g_object_get (wait->object, wait->property, &value, NULL);
  return value == wait->value;
}

typedef struct {
  GtkLabel *label;
  const char *text;
} LabelWait;

static gboolean
label_differs (gpointer data)
{
  LabelWait *wait = data;

  return g_strcmp0 (gtk_label_get_label (wait->label), wait->text) != 0;
}

static gboolean
session_ended (gpointer data)
{
  return belfry_session_get_state (data) == BELFRY_SESSION_STATE_TERMINATED;
}

/* A user agent on loopback, any free port, with Belfry's media engine. */
static BelfryUserAgent *
start_user_agent (BelfryMediaEngine *engine)
{
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GError) error = NULL;
  BelfryUserAgent *user_agent;

  belfry_media_engine_set_bind_address (engine, "127.0.0.1");
  user_agent = belfry_user_agent_new (NULL, "127.0.0.1", 0, BELFRY_SESSION_DESCRIPTION_HANDLER_FACTORY (engine));
  belfry_user_agent_start_async (user_agent, NULL, belfry_test_store_result_cb, &result);
  belfry_test_wait_result (&result, 5000);
  g_assert_true (belfry_user_agent_start_finish (user_agent, result, &error));
  g_assert_no_error (error);
  return user_agent;
}

static GtkLabel *
child_label (GtkWidget  *view,
             const char *name)
{
  return GTK_LABEL (gtk_widget_get_template_child (view, BELFRY_TYPE_CALL_VIEW, name));
}

static void
test_hold_resume_hang_up (void)
{
  g_autoptr (BelfryMediaEngine) engine = belfry_media_engine_new ();
  g_autoptr (BelfryUserAgent) user_agent = NULL;
  g_autoptr (BelfryNameAddr) target = NULL;
  g_autoptr (BelfrySession) call = NULL;
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (BelfrySipp) sipp = NULL;
  g_autofree char *uri = NULL;
  g_autofree char *first_duration = NULL;
  GtkWidget *window;
  GtkWidget *view;
  GtkButton *hold_button;
  int port = belfry_test_free_port ("127.0.0.1");
  FlagWait wait;
  LabelWait label_wait;

  user_agent = start_user_agent (engine);

  sipp = belfry_sipp_start ("uas-hold.xml", "u1", "127.0.0.1", port, NULL, NULL);
  uri = g_strdup_printf ("sip:sipp@127.0.0.1:%d", port);
  target = belfry_name_addr_new ("Sipp Peer", uri, &error);
  call = BELFRY_SESSION (belfry_inviter_new (user_agent, target));

  window = gtk_window_new ();
  view = belfry_call_view_new (call);
  gtk_window_set_child (GTK_WINDOW (window), view);
  gtk_window_present (GTK_WINDOW (window));
  g_assert_cmpstr (gtk_label_get_label (child_label (view, "state_label")), ==, "Calling…");
  g_assert_cmpstr (gtk_label_get_label (child_label (view, "name_label")), ==, "Sipp Peer");
  g_assert_false (gtk_widget_is_sensitive (GTK_WIDGET (gtk_widget_get_template_child (view, BELFRY_TYPE_CALL_VIEW, "hold_button"))));
  /* No duration nor codec to tell yet: their lines take no room. */
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (child_label (view, "duration_label"))));
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (child_label (view, "codec_label"))));
  /* No keys to send nor a call to transfer before it is answered. */
  g_assert_false (gtk_widget_is_sensitive (GTK_WIDGET (gtk_widget_get_template_child (view, BELFRY_TYPE_CALL_VIEW, "keypad_button"))));
  g_assert_false (gtk_widget_is_sensitive (GTK_WIDGET (gtk_widget_get_template_child (view, BELFRY_TYPE_CALL_VIEW, "transfer_button"))));

  belfry_session_invite_async (call, NULL, NULL, belfry_test_store_result_cb, &result);
  belfry_test_wait_result (&result, 10000);
  g_assert_true (belfry_session_invite_finish (call, result, &error));
  g_assert_no_error (error);
  g_clear_object (&result);

  /* Established: the state says so, the codec shows, and the timer runs. */
  g_assert_cmpstr (gtk_label_get_label (child_label (view, "state_label")), ==, "Connected");
  g_assert_cmpstr (gtk_label_get_label (child_label (view, "codec_label")), ==, "PCMU");
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (child_label (view, "codec_label"))));
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (child_label (view, "duration_label"))));
  g_assert_true (gtk_widget_is_sensitive (GTK_WIDGET (gtk_widget_get_template_child (view, BELFRY_TYPE_CALL_VIEW, "keypad_button"))));
  g_assert_true (gtk_widget_is_sensitive (GTK_WIDGET (gtk_widget_get_template_child (view, BELFRY_TYPE_CALL_VIEW, "transfer_button"))));
  g_assert_cmpstr (gtk_label_get_label (child_label (view, "name_label")), ==, "Sipp Peer");
  first_duration = g_strdup (gtk_label_get_label (child_label (view, "duration_label")));
  g_assert_cmpstr (first_duration, ==, "0:00");
  label_wait = (LabelWait) { child_label (view, "duration_label"), first_duration };
  g_assert_true (belfry_test_wait_until (label_differs, &label_wait, 3000));
  g_assert_cmpstr (gtk_label_get_label (child_label (view, "duration_label")), ==, "0:01");

  /* Mute silences the microphone with no signaling (sipp would fail on an
   * unexpected request); the handler follows the button and back. */
  {
    GtkToggleButton *mute = GTK_TOGGLE_BUTTON (gtk_widget_get_template_child (view, BELFRY_TYPE_CALL_VIEW, "mute_button"));
    GObject *handler = G_OBJECT (belfry_session_get_session_description_handler (call));
    gboolean muted;

    g_assert_true (gtk_widget_is_sensitive (GTK_WIDGET (mute)));
    gtk_toggle_button_set_active (mute, TRUE);
    g_object_get (handler, "muted", &muted, NULL);
    g_assert_true (muted);
    g_object_set (handler, "muted", FALSE, NULL);
    g_assert_false (gtk_toggle_button_get_active (mute));
  }

  /* Hold: sipp checks a=sendonly; the button offers Resume once answered. */
  hold_button = GTK_BUTTON (gtk_widget_get_template_child (view, BELFRY_TYPE_CALL_VIEW, "hold_button"));
  g_assert_cmpstr (gtk_button_get_label (hold_button), ==, "_Hold");
  g_assert_true (gtk_widget_activate_action (view, "call.hold", NULL));
  wait = (FlagWait) { G_OBJECT (view), "on-hold", TRUE };
  g_assert_true (belfry_test_wait_until (flag_is, &wait, 10000));
  g_assert_cmpstr (gtk_button_get_label (hold_button), ==, "_Resume");
  g_assert_cmpstr (gtk_label_get_label (child_label (view, "state_label")), ==, "On hold");

  /* Resume: sipp checks a=sendrecv. */
  g_assert_true (gtk_widget_activate_action (view, "call.hold", NULL));
  wait = (FlagWait) { G_OBJECT (view), "on-hold", FALSE };
  g_assert_true (belfry_test_wait_until (flag_is, &wait, 10000));
  g_assert_cmpstr (gtk_button_get_label (hold_button), ==, "_Hold");

  /* Hang up: sipp waits for the BYE. */
  g_assert_true (gtk_widget_activate_action (view, "call.hang-up", NULL));
  g_assert_true (belfry_test_wait_until (session_ended, call, 10000));
  g_assert_cmpstr (gtk_label_get_label (child_label (view, "state_label")), ==, "Call ended");
  g_assert_cmpint (belfry_sipp_wait (sipp, 10000), ==, 0);

  gtk_window_destroy (GTK_WINDOW (window));
  belfry_test_assert_finalized (g_steal_pointer (&call), 5000);
  g_assert_finalize_object (g_steal_pointer (&user_agent));
}

static gboolean
label_is (gpointer data)
{
  LabelWait *wait = data;

  return g_strcmp0 (gtk_label_get_label (wait->label), wait->text) == 0;
}

static gboolean
session_established (gpointer data)
{
  return belfry_session_get_state (data) == BELFRY_SESSION_STATE_ESTABLISHED;
}

static gboolean
peer_notified (gpointer data)
{
  BelfrySessionDialog *dialog = belfry_session_get_dialog (data);

  /* The peer's NOTIFY is its first request in the dialog. */
  return dialog != NULL && belfry_session_dialog_get_remote_cseq (dialog) > 0;
}

static BelfrySession *
call_sipp (BelfryUserAgent *user_agent,
           int              port)
{
  g_autofree char *uri = g_strdup_printf ("sip:sipp@127.0.0.1:%d", port);
  g_autoptr (BelfryNameAddr) target = belfry_name_addr_parse (uri, NULL);
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GError) error = NULL;
  BelfrySession *call = BELFRY_SESSION (belfry_inviter_new (user_agent, target));

  belfry_session_invite_async (call, NULL, NULL, belfry_test_store_result_cb, &result);
  belfry_test_wait_result (&result, 10000);
  g_assert_true (belfry_session_invite_finish (call, result, &error));
  g_assert_no_error (error);
  return call;
}

/* Keys typed on the keyboard, quickly, while the call view is on screen
 * and the focus is on one of its buttons: sipp answers without
 * telephone-event, so each tone is a SIP INFO, and it checks 5, # and *
 * in this order, then hangs up; the view shows the tones. */
static void
test_tones_from_keyboard (void)
{
  g_autoptr (BelfryMediaEngine) engine = belfry_media_engine_new ();
  g_autoptr (BelfryUserAgent) user_agent = start_user_agent (engine);
  int port = belfry_test_free_port ("127.0.0.1");
  g_autoptr (BelfrySipp) sipp = belfry_sipp_start ("uas-tones.xml", "u1", "127.0.0.1", port, NULL, NULL);
  g_autoptr (BelfrySession) call = call_sipp (user_agent, port);
  GtkWidget *window = gtk_window_new ();
  GtkWidget *view = belfry_call_view_new (call);
  GtkLabel *tones = child_label (view, "tones_label");
  LabelWait wait = { tones, "5#*" };

  gtk_window_set_title (GTK_WINDOW (window), "Tones");
  gtk_window_set_child (GTK_WINDOW (window), view);
  gtk_window_present (GTK_WINDOW (window));
  g_assert_true (belfry_test_wait_until (session_established, call, 10000));
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (tones)));

  belfry_test_focus_window (GTK_WINDOW (window), "Tones");
  gtk_widget_grab_focus (GTK_WIDGET (gtk_widget_get_template_child (view, BELFRY_TYPE_CALL_VIEW, "hold_button")));
  belfry_test_press_keys ("5 numbersign asterisk");
  g_assert_true (belfry_test_wait_until (label_is, &wait, 10000));
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (tones)));

  /* The label shows a tone when it is asked for, not when it is answered:
   * sipp hangs up once it has all three, and fails without them. */
  g_assert_true (belfry_test_wait_until (session_ended, call, 15000));
  g_assert_cmpint (belfry_sipp_wait (sipp, 10000), ==, 0);

  gtk_window_destroy (GTK_WINDOW (window));
  belfry_test_assert_finalized (g_steal_pointer (&call), 5000);
  g_assert_finalize_object (g_steal_pointer (&user_agent));
}

static void
on_invite (BelfryUserAgent   *user_agent,
           BelfryInvitation  *invitation,
           BelfryInvitation **slot)
{
  g_set_object (slot, invitation);
  belfry_invitation_progress (invitation, 180);
}

static gboolean
invited (gpointer data)
{
  return *(BelfryInvitation **) data != NULL;
}

/* A call that rings, in a view alone in its window (no call manager):
 * the view offers only Decline and Accept, and Accept answers by itself;
 * sipp checks the 200's a=sendrecv, then takes the BYE. */
static void
test_accept_incoming (void)
{
  g_autoptr (BelfryMediaEngine) engine = belfry_media_engine_new ();
  g_autoptr (BelfryUserAgent) user_agent = start_user_agent (engine);
  g_autoptr (BelfryInvitation) invitation = NULL;
  g_autoptr (BelfrySipp) sipp = NULL;
  g_autofree char *remote = g_strdup_printf ("127.0.0.1:%d", belfry_user_agent_get_port (user_agent));
  GtkWidget *window = gtk_window_new ();
  GtkWidget *view;

  g_signal_connect (user_agent, "invite", G_CALLBACK (on_invite), &invitation);
  sipp = belfry_sipp_start ("uac-wait-bye.xml", "u1", "127.0.0.1", belfry_test_free_port ("127.0.0.1"), remote, NULL);
  g_assert_true (belfry_test_wait_until (invited, &invitation, 10000));

  view = belfry_call_view_new (BELFRY_SESSION (invitation));
  gtk_window_set_child (GTK_WINDOW (window), view);
  gtk_window_present (GTK_WINDOW (window));
  g_assert_cmpstr (gtk_label_get_label (child_label (view, "state_label")), ==, "Incoming call");
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (gtk_widget_get_template_child (view, BELFRY_TYPE_CALL_VIEW, "accept_button"))));
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (gtk_widget_get_template_child (view, BELFRY_TYPE_CALL_VIEW, "hold_button"))));

  g_assert_true (gtk_widget_activate_action (view, "call.accept", NULL));
  g_assert_true (belfry_test_wait_until (session_established, invitation, 10000));
  g_assert_cmpstr (gtk_label_get_label (child_label (view, "state_label")), ==, "Connected");
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (gtk_widget_get_template_child (view, BELFRY_TYPE_CALL_VIEW, "accept_button"))));
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (gtk_widget_get_template_child (view, BELFRY_TYPE_CALL_VIEW, "hold_button"))));

  g_assert_true (gtk_widget_activate_action (view, "call.hang-up", NULL));
  g_assert_cmpint (belfry_sipp_wait (sipp, 15000), ==, 0);
  g_assert_true (belfry_test_wait_until (session_ended, invitation, 10000));

  gtk_window_destroy (GTK_WINDOW (window));
  g_signal_handlers_disconnect_by_func (user_agent, on_invite, &invitation);
  belfry_test_assert_finalized (g_steal_pointer (&invitation), 5000);
  g_assert_finalize_object (g_steal_pointer (&user_agent));
}

static void
test_attended_transfer (void)
{
  g_autoptr (BelfryMediaEngine) engine = belfry_media_engine_new ();
  g_autoptr (BelfryUserAgent) user_agent = NULL;
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (BelfrySipp) first_sipp = NULL;
  g_autoptr (BelfrySipp) second_sipp = NULL;
  g_autoptr (BelfrySession) first = NULL;
  g_autoptr (BelfrySession) second = NULL;
  int first_port = belfry_test_free_port ("127.0.0.1");
  int second_port = belfry_test_free_port ("127.0.0.1");
  GtkWidget *window, *view, *attended;

  user_agent = start_user_agent (engine);

  /* sipp checks that the REFER's Refer-To carries Replaces. */
  first_sipp = belfry_sipp_start ("uas-refer-attended.xml", "u1", "127.0.0.1", first_port, NULL, NULL);
  second_sipp = belfry_sipp_start ("uas-answer.xml", "u1", "127.0.0.1", second_port, NULL, NULL);
  first = call_sipp (user_agent, first_port);
  second = call_sipp (user_agent, second_port);

  window = gtk_window_new ();
  view = belfry_call_view_new (first);
  gtk_window_set_child (GTK_WINDOW (window), view);
  gtk_window_present (GTK_WINDOW (window));

  /* One call alone offers no attended transfer; two do. */
  attended = GTK_WIDGET (gtk_widget_get_template_child (view, BELFRY_TYPE_CALL_VIEW, "attended_button"));
  g_assert_false (gtk_widget_get_visible (attended));
  belfry_call_view_set_other_session (BELFRY_CALL_VIEW (view), second);
  g_assert_true (gtk_widget_get_visible (attended));
  g_assert_true (gtk_widget_activate_action (view, "call.transfer-to-other", NULL));
  g_assert_true (belfry_test_wait_until (peer_notified, first, 10000));

  g_assert_true (gtk_widget_activate_action (view, "call.hang-up", NULL));
  belfry_session_bye_async (second, NULL, NULL, NULL);
  g_assert_cmpint (belfry_sipp_wait (first_sipp, 10000), ==, 0);
  g_assert_cmpint (belfry_sipp_wait (second_sipp, 10000), ==, 0);

  gtk_window_destroy (GTK_WINDOW (window));
  belfry_test_assert_finalized (g_steal_pointer (&first), 5000);
  belfry_test_assert_finalized (g_steal_pointer (&second), 5000);
  g_assert_finalize_object (g_steal_pointer (&user_agent));
}

int
main (int   argc,
      char *argv[])
{
  belfry_test_init (&argc, &argv);
  gtk_init ();
  adw_init ();

  g_test_add_func ("/belfry/call-view/hold-resume-hang-up", test_hold_resume_hang_up);
  g_test_add_func ("/belfry/call-view/attended-transfer", test_attended_transfer);
  g_test_add_func ("/belfry/call-view/tones-from-keyboard", test_tones_from_keyboard);
  g_test_add_func ("/belfry/call-view/accept-incoming", test_accept_incoming);

  return g_test_run ();
}
