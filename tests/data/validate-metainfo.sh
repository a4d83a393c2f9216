#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# appstreamcli validate --no-net --pedantic FILE must pass and report nothing
# but the pedantic hints that the application ID forces on us.
. "$(dirname "$0")/common.sh"

file=$1
[ -f "$file" ] || fail "$file does not exist (build it first)"
status=0
out=$(appstreamcli validate --no-net --pedantic --no-color "$file" 2>&1) || status=$?
echo "$out"
[ "$status" -eq 0 ] || fail "appstreamcli validate exited $status"
# Issue lines start with a severity letter: E, W, I or P. The reverse-DNS ID
# org.belfry.Belfry is fixed, so its capital letter is the one accepted hint.
issues=$(printf '%s\n' "$out" | grep -E '^[EWIP]: ' |
  grep -v -E '^P: [^ ]+: cid-contains-uppercase-letter ' || true)
[ -z "$issues" ] || fail "appstreamcli validate reported: $issues"
echo "ok: $file"
