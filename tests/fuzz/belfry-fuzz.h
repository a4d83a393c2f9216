/* SPDX-License-Identifier: GPL-3.0-or-later */

#pragma once

#include <glib.h>
#include <stdint.h>

G_BEGIN_DECLS

/* libFuzzer's entry points. belfry-fuzz.c has LLVMFuzzerInitialize, which
 * quiets the logs and then calls the harness's belfry_fuzz_set_up(), if
 * it has one. */
int  LLVMFuzzerInitialize   (int           *argc,
                             char        ***argv);
int  LLVMFuzzerTestOneInput (const uint8_t *data,
                             size_t         size);
void belfry_fuzz_set_up     (void);

/* What every harness shares: a scratch folder, removed at exit. */
const char *belfry_fuzz_scratch_dir (void);
char       *belfry_fuzz_write_file  (const char   *name,
                                     const guint8 *data,
                                     gsize         size);

G_END_DECLS
