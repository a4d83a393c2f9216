/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include "belfry-test-env.h"

#include <glib/gstdio.h>
#include <stdlib.h>

static char *test_root;

static void
remove_tree (const char *path)
{
  g_autoptr (GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  if (dir != NULL) {
    while ((name = g_dir_read_name (dir)) != NULL) {
      g_autofree char *child = g_build_filename (path, name, NULL);

      if (g_file_test (child, G_FILE_TEST_IS_DIR) && !g_file_test (child, G_FILE_TEST_IS_SYMLINK))
        remove_tree (child);
      else
        g_unlink (child);
    }
  }
  g_rmdir (path);
}

static void
cleanup (void)
{
  if (test_root != NULL)
    remove_tree (test_root);
  g_clear_pointer (&test_root, g_free);
}

/* g_test_init(), with HOME and XDG_RUNTIME_DIR in a temporary folder of
 * their own (libpulse and GLib write there), removed at exit. */
void
belfry_test_init (int    *argc,
                  char ***argv)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *home = NULL;
  g_autofree char *runtime = NULL;

  test_root = g_dir_make_tmp ("belfry-test-XXXXXX", &error);
  g_assert_no_error (error);
  home = g_build_filename (test_root, "home", NULL);
  runtime = g_build_filename (test_root, "runtime", NULL);
  g_mkdir (home, 0700);
  g_mkdir (runtime, 0700);
  g_setenv ("HOME", home, TRUE);
  g_setenv ("XDG_RUNTIME_DIR", runtime, TRUE);
  g_setenv ("XDG_DATA_HOME", home, TRUE);
  g_setenv ("XDG_CONFIG_HOME", home, TRUE);
  g_setenv ("XDG_CACHE_HOME", home, TRUE);
  atexit (cleanup);

  g_test_init (argc, argv, NULL);
}
