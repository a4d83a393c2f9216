/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <glib/gstdio.h>

#include "belfry-media-engine-private.h"
#include "belfry-media-error.h"
#include "belfry-sipp.h"

/* Sound cards, the ringer and the ringback, with a private PulseAudio. */

/* ---- Sound cards, ringer and ringback ---- */

#define NULL_SINK_ID "PulseAudio Unknown: Belfry-Null"
#define MIC_ID       "PulseAudio Unknown: Belfry-Mic"

/* A PulseAudio daemon of the test's own, with a null sink and a source on
 * its monitor, on a socket in a temporary folder. */
typedef struct {
  char *dir;
  char *socket;
  GSubprocess *process;
  char *old_home;
  char *old_runtime;
} Pulse;

static gboolean
socket_exists (gpointer data)
{
  return g_file_test (data, G_FILE_TEST_EXISTS);
}

static Pulse *
pulse_start (void)
{
  g_autofree char *pulseaudio = g_find_program_in_path ("pulseaudio");
  g_autoptr (GSubprocessLauncher) launcher = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *script = NULL;
  g_autofree char *script_path = NULL;
  g_autofree char *home = NULL;
  g_autofree char *runtime = NULL;
  Pulse *pulse;

  if (pulseaudio == NULL)
    return NULL;

  pulse = g_new0 (Pulse, 1);
  pulse->dir = g_dir_make_tmp ("belfry-pulse-XXXXXX", &error);
  g_assert_no_error (error);
  pulse->socket = g_build_filename (pulse->dir, "native", NULL);
  home = g_build_filename (pulse->dir, "home", NULL);
  runtime = g_build_filename (pulse->dir, "runtime", NULL);
  g_mkdir (home, 0700);
  g_mkdir (runtime, 0700);
  script_path = g_build_filename (pulse->dir, "belfry.pa", NULL);
  script = g_strdup_printf (
    "load-module module-native-protocol-unix auth-anonymous=1 socket=%s\n"
    "load-module module-null-sink sink_name=belfry_null sink_properties=device.description=Belfry-Null\n"
    "load-module module-remap-source source_name=belfry_mic master=belfry_null.monitor "
    "source_properties=device.description=Belfry-Mic\n", pulse->socket);
  g_assert_true (g_file_set_contents (script_path, script, -1, &error));

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE |
                                        G_SUBPROCESS_FLAGS_STDERR_SILENCE);
  g_subprocess_launcher_setenv (launcher, "HOME", home, TRUE);
  g_subprocess_launcher_setenv (launcher, "XDG_RUNTIME_DIR", runtime, TRUE);
  pulse->process = g_subprocess_launcher_spawn (launcher, &error, pulseaudio, "--daemonize=no",
                                                "-n", "-F", script_path, "--exit-idle-time=-1",
                                                "--use-pid-file=no", "--disable-shm=yes", NULL);
  g_assert_no_error (error);
  g_assert_true (belfry_test_wait_until (socket_exists, pulse->socket, 10000));

  /* The child test process finds the daemon through these. */
  pulse->old_home = g_strdup (g_getenv ("HOME"));
  pulse->old_runtime = g_strdup (g_getenv ("XDG_RUNTIME_DIR"));
  g_setenv ("HOME", home, TRUE);
  g_setenv ("XDG_RUNTIME_DIR", runtime, TRUE);
  g_setenv ("PULSE_SERVER", pulse->socket, TRUE);
  return pulse;
}

static void
pulse_stop (Pulse *pulse)
{

  g_unsetenv ("PULSE_SERVER");
  if (pulse->old_home != NULL)
    g_setenv ("HOME", pulse->old_home, TRUE);
  else
    g_unsetenv ("HOME");
  if (pulse->old_runtime != NULL)
    g_setenv ("XDG_RUNTIME_DIR", pulse->old_runtime, TRUE);
  else
    g_unsetenv ("XDG_RUNTIME_DIR");
  g_free (pulse->old_home);
  g_free (pulse->old_runtime);
  belfry_test_stop_process (pulse->process, SIGTERM, 5000);
  belfry_test_remove_tree (pulse->dir);
  g_free (pulse->dir);
  g_free (pulse->socket);
  g_clear_object (&pulse->process);
  g_free (pulse);
}

/* The number of streams playing into the sound server. */
static guint
pulse_sink_inputs (void)
{
  const char *argv[] = { "pactl", "list", "short", "sink-inputs", NULL };
  g_autofree char *out = NULL;
  g_auto (GStrv) lines = NULL;
  guint n = 0;

  if (!g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDERR_TO_DEV_NULL,
                     NULL, NULL, &out, NULL, NULL, NULL))
    return 0;
  lines = g_strsplit (out, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    n += lines[i][0] != '\0';
  return n;
}

static gboolean
something_plays (gpointer data)
{
  return pulse_sink_inputs () > 0;
}

static gboolean
nothing_plays (gpointer data)
{
  return pulse_sink_inputs () == 0;
}

static gboolean
has_device (GPtrArray  *devices,
            const char *id,
            gboolean    capture)
{
  for (guint i = 0; i < devices->len; i++) {
    BelfryMediaDevice *device = devices->pdata[i];

    if (g_str_equal (device->id, id))
      return capture ? device->capture : device->playback;
  }
  return FALSE;
}

/* Runs in a process of its own, which finds the test's sound server. */
static void
devices_child (void)
{
  g_autoptr (BelfryMediaEngine) engine = belfry_media_engine_new ();
  g_autoptr (GPtrArray) devices = belfry_media_engine_list_devices (engine);
  g_autoptr (GError) error = NULL;
  g_autofree char *speaker = NULL;
  g_autofree char *microphone = NULL;
  g_autofree char *fallback = NULL;
  g_autofree char *ringer = NULL;

  for (guint i = 0; i < devices->len; i++) {
    BelfryMediaDevice *device = devices->pdata[i];

    g_test_message ("card %s (%s)%s%s", device->id, device->name,
                    device->capture ? " capture" : "", device->playback ? " playback" : "");
  }
  g_assert_true (has_device (devices, NULL_SINK_ID, FALSE));
  g_assert_true (has_device (devices, MIC_ID, TRUE));

  /* Chosen cards are used... */
  g_object_set (engine, "speaker", NULL_SINK_ID, "microphone", MIC_ID, "ringer", NULL_SINK_ID,
                NULL);
  speaker = belfry_media_engine_dup_card_in_use (engine, "speaker");
  microphone = belfry_media_engine_dup_card_in_use (engine, "microphone");
  g_assert_cmpstr (speaker, ==, NULL_SINK_ID);
  g_assert_cmpstr (microphone, ==, MIC_ID);

  /* ...and one that is gone falls back to the default, with a message
   * (not a warning) once. */
  belfry_media_engine_set_ringer (engine, "PulseAudio Unknown: Unplugged");
  g_test_expect_message ("belfry-media", G_LOG_LEVEL_MESSAGE,
                         "The ringer \"PulseAudio Unknown: Unplugged\" is not there; using *");
  fallback = belfry_media_engine_dup_card_in_use (engine, "ringer");
  g_test_assert_expected_messages ();
  g_assert_nonnull (fallback);
  g_assert_cmpstr (fallback, !=, "PulseAudio Unknown: Unplugged");
  ringer = belfry_media_engine_dup_card_in_use (engine, "ringer");
  g_assert_cmpstr (ringer, ==, fallback);
  belfry_media_engine_set_ringer (engine, NULL_SINK_ID);

  /* The ringer and the ringback tone play into the server until stopped. */
  g_assert_cmpuint (pulse_sink_inputs (), ==, 0);
  g_assert_true (belfry_media_engine_start_ringer (engine, &error));
  g_assert_no_error (error);
  g_assert_true (belfry_media_engine_is_ringing (engine));
  g_assert_true (belfry_test_wait_until (something_plays, NULL, 5000));
  belfry_media_engine_stop_ringer (engine);
  g_assert_false (belfry_media_engine_is_ringing (engine));
  g_assert_true (belfry_test_wait_until (nothing_plays, NULL, 5000));

  g_assert_true (belfry_media_engine_start_ringback (engine, &error));
  g_assert_no_error (error);
  g_assert_true (belfry_media_engine_is_ringing_back (engine));
  g_assert_true (belfry_test_wait_until (something_plays, NULL, 5000));
  belfry_media_engine_stop_ringback (engine);
  g_assert_true (belfry_test_wait_until (nothing_plays, NULL, 5000));
}

static void
test_devices (void)
{
  Pulse *pulse;

  if (g_test_subprocess ()) {
    devices_child ();
    return;
  }

  pulse = pulse_start ();
  if (pulse == NULL) {
    g_test_skip ("pulseaudio is not installed");
    return;
  }
  g_test_trap_subprocess (NULL, 30 * G_USEC_PER_SEC, G_TEST_SUBPROCESS_INHERIT_STDERR);
  pulse_stop (pulse);
  g_test_trap_assert_passed ();
}

/* Without a sound server, a chosen card that is not there gives way to
 * the default, which may be none; the ringer then says why it cannot ring. */
static void
test_devices_fallback (void)
{
  g_autoptr (BelfryMediaEngine) engine = belfry_media_engine_new ();
  g_autoptr (GError) error = NULL;
  g_autofree char *microphone = NULL;

  belfry_media_engine_set_microphone (engine, "Nowhere: Gone");
  g_test_expect_message ("belfry-media", G_LOG_LEVEL_MESSAGE,
                         "The microphone \"Nowhere: Gone\" is not there; using *");
  microphone = belfry_media_engine_dup_card_in_use (engine, "microphone");
  g_test_assert_expected_messages ();
  g_assert_cmpstr (microphone, !=, "Nowhere: Gone");

  belfry_media_engine_set_ringer (engine, "Nowhere: Gone");
  g_test_expect_message ("belfry-media", G_LOG_LEVEL_MESSAGE, "The ringer*");
  if (!belfry_media_engine_start_ringer (engine, &error)) {
    g_assert_error (error, BELFRY_MEDIA_ERROR, BELFRY_MEDIA_ERROR_DEVICE);
    g_assert_false (belfry_media_engine_is_ringing (engine));
  }
  g_test_assert_expected_messages ();
  belfry_media_engine_stop_ringer (engine);
}

int
main (int   argc,
      char *argv[])
{
  belfry_test_init (&argc, &argv);

  g_test_add_func ("/belfry/media/devices/fallback", test_devices_fallback);
  g_test_add_func ("/belfry/media/devices/pulse", test_devices);

  return g_test_run ();
}
