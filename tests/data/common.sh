# SPDX-License-Identifier: GPL-3.0-or-later
# Sourced by the data tests: a private temporary folder, removed on exit, with
# HOME and XDG_RUNTIME_DIR inside it so that tools that write there (caches,
# flatpak-builder state) never touch the real ones.
set -eu

tmp=$(mktemp -d "${TMPDIR:-/tmp}/belfry-data-test.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/home" "$tmp/runtime"
chmod 700 "$tmp/runtime"
export HOME="$tmp/home"
export XDG_RUNTIME_DIR="$tmp/runtime"
export XDG_CACHE_HOME="$tmp/home/.cache"
export XDG_CONFIG_HOME="$tmp/home/.config"
export XDG_DATA_HOME="$tmp/home/.local/share"
export LC_ALL=C.UTF-8

fail () {
  echo "FAIL: $*" >&2
  exit 1
}
