#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* What every harness shares: quiet logs, fatal criticals, a scratch folder. */
void        belfry_fuzz_init        (void);
const char *belfry_fuzz_scratch_dir (void);
char       *belfry_fuzz_write_file  (const char   *name,
                                     const guint8 *data,
                                     gsize         size);

G_END_DECLS
