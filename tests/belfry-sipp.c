/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include "belfry-sipp.h"

#include <glib/gstdio.h>
#include <string.h>

struct _BelfrySipp {
  GSubprocess *process;
  gboolean exited;
  char *dir;
  char *error_file;
  int port;
  gboolean tcp;
};

static gboolean
sipp_exited (gpointer data)
{
  BelfrySipp *sipp = data;

  return sipp->exited;
}

static void
sipp_wait_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  gboolean *exited = user_data;

  g_subprocess_wait_finish (G_SUBPROCESS (object), result, NULL);
  *exited = TRUE;
}

static gboolean
sipp_listening (gpointer data)
{
  BelfrySipp *sipp = data;

  return sipp->exited || belfry_test_port_is_bound (sipp->port, sipp->tcp);
}

/* @transport: "u1" (UDP) or "t1" (TCP); @remote: "host:port" for a
 * scenario that sends first, or NULL for one that waits. */
BelfrySipp *
belfry_sipp_start (const char         *scenario,
                   const char         *transport,
                   const char         *local_address,
                   int                 local_port,
                   const char         *remote,
                   const char * const *extra_args)
{
  g_autoptr (GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GError) error = NULL;
  g_autofree char *scenario_path = NULL;
  BelfrySipp *sipp = g_new0 (BelfrySipp, 1);

  sipp->dir = g_dir_make_tmp ("belfry-sipp-XXXXXX", &error);
  g_assert_no_error (error);
  sipp->error_file = g_build_filename (sipp->dir, "errors.log", NULL);
  sipp->port = local_port;
  sipp->tcp = g_str_equal (transport, "t1");
  scenario_path = g_test_build_filename (G_TEST_DIST, "sipp", scenario, NULL);

  g_ptr_array_add (argv, g_strdup ("sipp"));
  g_ptr_array_add (argv, g_strdup ("-sf"));
  g_ptr_array_add (argv, g_strdup (scenario_path));
  g_ptr_array_add (argv, g_strdup ("-i"));
  g_ptr_array_add (argv, g_strdup (local_address));
  g_ptr_array_add (argv, g_strdup ("-p"));
  g_ptr_array_add (argv, g_strdup_printf ("%d", local_port));
  g_ptr_array_add (argv, g_strdup ("-t"));
  g_ptr_array_add (argv, g_strdup (transport));
  g_ptr_array_add (argv, g_strdup ("-m"));
  g_ptr_array_add (argv, g_strdup ("1"));
  g_ptr_array_add (argv, g_strdup ("-timeout"));
  g_ptr_array_add (argv, g_strdup ("40s"));
  g_ptr_array_add (argv, g_strdup ("-timeout_error"));
  g_ptr_array_add (argv, g_strdup ("-nostdin"));
  g_ptr_array_add (argv, g_strdup ("-trace_err"));
  g_ptr_array_add (argv, g_strdup ("-error_file"));
  g_ptr_array_add (argv, g_strdup (sipp->error_file));
  for (guint i = 0; extra_args != NULL && extra_args[i] != NULL; i++)
    g_ptr_array_add (argv, g_strdup (extra_args[i]));
  if (remote != NULL)
    g_ptr_array_add (argv, g_strdup (remote));
  g_ptr_array_add (argv, NULL);

  {
    g_autofree char *line = g_strjoinv (" ", (char **) argv->pdata);
    /* An argument may be bytes that are not UTF-8, which TAP must not get. */
    g_autofree char *printable = g_utf8_make_valid (line, -1);

    g_test_message ("starting %s", printable);
  }

  /* sipp draws its screens on standard output, which is TAP's. */
  sipp->process = g_subprocess_newv ((const char * const *) argv->pdata,
                                     G_SUBPROCESS_FLAGS_STDOUT_SILENCE, &error);
  g_assert_no_error (error);
  g_subprocess_wait_async (sipp->process, NULL, sipp_wait_cb, &sipp->exited);

  /* A scenario that waits must be listening before the test sends. */
  if (remote == NULL) {
    g_assert_true (belfry_test_wait_until (sipp_listening, sipp, 10000));
    g_assert_false (sipp->exited);
  }

  return sipp;
}

/* Returns sipp's exit status: 0 when every call of the scenario went as
 * written. */
int
belfry_sipp_wait (BelfrySipp *sipp,
                  guint       timeout_ms)
{
  g_autofree char *errors = NULL;
  int status;

  if (!belfry_test_wait_until (sipp_exited, sipp, timeout_ms)) {
    g_test_message ("sipp did not finish within %u ms", timeout_ms);
    return -1;
  }

  status = g_subprocess_get_if_exited (sipp->process) ? g_subprocess_get_exit_status (sipp->process) : -1;
  if (status != 0 && g_file_get_contents (sipp->error_file, &errors, NULL, NULL))
    g_test_message ("sipp errors:\n%s", errors);
  return status;
}

void
belfry_sipp_free (BelfrySipp *sipp)
{
  g_autoptr (GDir) dir = NULL;
  const char *name;

  if (!sipp->exited) {
    g_subprocess_force_exit (sipp->process);
    belfry_test_wait_until (sipp_exited, sipp, 5000);
  }
  g_clear_object (&sipp->process);

  dir = g_dir_open (sipp->dir, 0, NULL);
  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL) {
    g_autofree char *path = g_build_filename (sipp->dir, name, NULL);
    g_unlink (path);
  }
  g_rmdir (sipp->dir);
  g_free (sipp->dir);
  g_free (sipp->error_file);
  g_free (sipp);
}
