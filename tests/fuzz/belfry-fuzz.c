/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "belfry-fuzz.h"

#include <belle-sip/belle-sip.h>
#include <glib/gstdio.h>
#include <stdlib.h>

static char *scratch_dir;

/* A harness runs hundreds of thousands of inputs: messages about refused
 * input would bury what matters. A critical or an error is a programming
 * error reached from outside input, so it stays loud and aborts, which
 * libFuzzer reports as a crash. */
static GLogWriterOutput
quiet_writer (GLogLevelFlags   log_level,
              const GLogField *fields,
              gsize            n_fields,
              gpointer         user_data)
{
  if (log_level & (G_LOG_LEVEL_ERROR | G_LOG_LEVEL_CRITICAL)) {
    g_log_writer_standard_streams (log_level, fields, n_fields, user_data);
    /* GLib would stop on a breakpoint trap, which libFuzzer does not catch
     * (no crash input would be written); an abort it does. */
    abort ();
  }
  if (g_getenv ("BELFRY_FUZZ_VERBOSE") != NULL)
    return g_log_writer_standard_streams (log_level, fields, n_fields, user_data);
  return G_LOG_WRITER_HANDLED;
}

static void
remove_scratch_dir (void)
{
  g_autoptr (GDir) dir = NULL;
  const char *name;

  if (scratch_dir == NULL)
    return;
  dir = g_dir_open (scratch_dir, 0, NULL);
  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL) {
    g_autofree char *path = g_build_filename (scratch_dir, name, NULL);

    g_remove (path);
  }
  g_rmdir (scratch_dir);
}

/* A harness with something to set up once (a user agent, a media
 * engine) has its own. */
__attribute__ ((weak)) void
belfry_fuzz_set_up (void)
{
}

int
LLVMFuzzerInitialize (int    *argc,
                      char ***argv)
{
  g_log_set_writer_func (quiet_writer, NULL, NULL);
  g_log_set_always_fatal (G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_ERROR);
  /* belle-sip's parser reports every malformed input on stderr. */
  belle_sip_set_log_level (BELLE_SIP_LOG_FATAL);
  belfry_fuzz_set_up ();
  return 0;
}

/* One folder per process for the files a harness writes, removed at exit
 * (libFuzzer leaves through exit()). It is in memory where the system
 * has a place for that: the history harness writes a SQLite database, with
 * its syncs, for every input. */
const char *
belfry_fuzz_scratch_dir (void)
{
  if (scratch_dir == NULL) {
    g_autoptr (GError) error = NULL;

    if (g_file_test ("/dev/shm", G_FILE_TEST_IS_DIR)) {
      scratch_dir = g_strdup ("/dev/shm/belfry-fuzz-XXXXXX");
      if (g_mkdtemp (scratch_dir) == NULL)
        g_clear_pointer (&scratch_dir, g_free);
    }
    if (scratch_dir == NULL)
      scratch_dir = g_dir_make_tmp ("belfry-fuzz-XXXXXX", &error);
    if (scratch_dir == NULL)
      g_error ("No scratch folder: %s", error->message);
    atexit (remove_scratch_dir);
  }
  return scratch_dir;
}

char *
belfry_fuzz_write_file (const char   *name,
                        const guint8 *data,
                        gsize         size)
{
  g_autofree char *path = g_build_filename (belfry_fuzz_scratch_dir (), name, NULL);
  g_autoptr (GError) error = NULL;

  if (!g_file_set_contents (path, (const char *) data, size, &error))
    g_error ("Cannot write %s: %s", path, error->message);
  return g_steal_pointer (&path);
}
