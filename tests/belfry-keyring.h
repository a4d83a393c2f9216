/* SPDX-License-Identifier: GPL-3.0-or-later */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* A real Secret Service for tests: gnome-keyring on the test's own
 * session bus, with an unlocked default keyring. */
void belfry_test_start_keyring (void);
void belfry_test_stop_keyring  (void);

G_END_DECLS
