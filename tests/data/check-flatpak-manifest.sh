#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# flatpak-builder must parse the manifest: with fatal warnings it rejects
# unknown keys and values of the wrong type (it does not check permission names).
. "$(dirname "$0")/common.sh"

manifest=$(realpath "$1")
[ -f "$manifest" ] || fail "$manifest does not exist"
command -v flatpak-builder >/dev/null ||
  fail "flatpak-builder is not installed (see build-aux/debian-packages.txt)"
cd "$tmp"
G_DEBUG=fatal-warnings flatpak-builder --show-manifest "$manifest" \
  >"$tmp/shown.json" 2>"$tmp/err" ||
  fail "flatpak-builder --show-manifest rejected $manifest: $(cat "$tmp/err")"
[ -s "$tmp/shown.json" ] || fail "flatpak-builder showed nothing"
echo "ok: $manifest"
