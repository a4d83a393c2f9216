#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# glib-compile-schemas --strict --dry-run DIR must accept every schema in DIR.
. "$(dirname "$0")/common.sh"

dir=$1
ls "$dir"/*.gschema.xml >/dev/null 2>&1 || fail "no schema in $dir"
out=$(glib-compile-schemas --strict --dry-run "$dir" 2>&1) || fail "glib-compile-schemas: $out"
[ -z "$out" ] || fail "glib-compile-schemas reported: $out"
echo "ok: $dir"
