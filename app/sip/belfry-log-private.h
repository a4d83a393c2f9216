/* SPDX-License-Identifier: GPL-3.0-or-later */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* What stands in a log line where a secret was. */
#define BELFRY_LOG_REDACTED "[redacted]"

char *belfry_log_redact (const char *text);

G_END_DECLS
