/* SPDX-License-Identifier: GPL-3.0-or-later */

#define G_LOG_DOMAIN "belfry-media"

#include "config.h"

#include "belfry-media-backend-private.h"
#include "belfry-media-error.h"

#include <gmodule.h>

/* The desktop application: mediastreamer2 and the hundred-odd libraries
 * it depends on (video codecs among them) would add about 80 ms and 16 MB
 * to the start-up; they are loaded, as the module belfry-media, when
 * audio is first needed. $BELFRY_MEDIA_MODULE names another file (the
 * build tree's, for tests and `belfry-dev run`). */
const BelfryMediaBackend *
belfry_media_backend_load (GError **error)
{
  static const BelfryMediaBackend *backend;
  static char *failure;
  const char *path = g_getenv ("BELFRY_MEDIA_MODULE");
  GModule *module;
  gpointer symbol = NULL;

  if (backend != NULL)
    return backend;
  if (failure != NULL) {
    g_set_error_literal (error, BELFRY_MEDIA_ERROR, BELFRY_MEDIA_ERROR_FAILED, failure);
    return NULL;
  }

  if (path == NULL || *path == '\0')
    path = BELFRY_MEDIA_MODULE_PATH;
  module = g_module_open (path, G_MODULE_BIND_LOCAL);
  if (module == NULL || !g_module_symbol (module, "belfry_media_backend", &symbol) || symbol == NULL) {
    /* The reason stays: a second attempt would fail the same way. */
    failure = g_strdup_printf ("Audio is not available: %s", g_module_error ());
    g_warning ("%s", failure);
    if (module != NULL)
      g_module_close (module);
    g_set_error_literal (error, BELFRY_MEDIA_ERROR, BELFRY_MEDIA_ERROR_FAILED, failure);
    return NULL;
  }
  g_module_make_resident (module);
  g_debug ("loaded %s", g_module_name (module));
  backend = symbol;
  return backend;
}
