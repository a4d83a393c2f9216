#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# desktop-file-validate FILE must print nothing: some of its errors still exit 0.
. "$(dirname "$0")/common.sh"

file=$1
[ -f "$file" ] || fail "$file does not exist (build it first)"
out=$(desktop-file-validate "$file" 2>&1) || fail "desktop-file-validate exited $?: $out"
[ -z "$out" ] || fail "desktop-file-validate reported: $out"
echo "ok: $file"
