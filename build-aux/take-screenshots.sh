#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Takes the screenshots in data/screenshots (or the folder given): the real
# Belfry under Xvfb, on a private session bus, with a second user agent on
# loopback to call and be called by. Run after a build in _build.
#   LANGUAGE=de build-aux/take-screenshots.sh /tmp/de   for the German UI
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
out=${1:-$top/data/screenshots}
build=${BUILDDIR:-$top/_build}
meson compile -C "$build" build-aux/belfry-screenshots >/dev/null
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/home" "$tmp/run"
export HOME="$tmp/home" XDG_RUNTIME_DIR="$tmp/run" XDG_DATA_HOME="$tmp/home"
export GSETTINGS_BACKEND=memory GSETTINGS_SCHEMA_DIR="$build/data"
export BELFRY_MEDIA_MODULE="$build/app/media/belfry-media.so"
export GSK_RENDERER=cairo GTK_A11Y=none ADW_DISABLE_PORTAL=1 NO_AT_BRIDGE=1
export BELFRY_LOCALEDIR="$build/po" BELFRY_LISTEN_ADDRESS=127.0.0.1 BELFRY_DIRECT_PORT=0
exec dbus-run-session -- xvfb-run --auto-servernum --server-args="-screen 0 1280x1024x24" \
  "$build/build-aux/belfry-screenshots" "$out"
