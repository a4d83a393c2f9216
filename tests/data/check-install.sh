#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# `meson install` into a temporary DESTDIR puts every file where the desktop
# finds it. Run from `meson test`, after the build: --no-rebuild only copies.
#
# Usage: check-install.sh BUILD_ROOT APP_ID BINDIR DATADIR LOCALEDIR
# (BINDIR, DATADIR and LOCALEDIR absolute, as configured.)
. "$(dirname "$0")/common.sh"

builddir=$1 app_id=$2 bindir=$3 datadir=$4 localedir=$5
destdir=$tmp/dest

meson install -C "$builddir" --no-rebuild --quiet --destdir "$destdir" >"$tmp/log" 2>&1 ||
  fail "meson install failed: $(cat "$tmp/log")"

status=0
want () {
  if [ -f "$destdir$1" ]; then
    echo "ok: $1"
  else
    echo "FAIL: missing $1" >&2
    status=1
  fi
}

want "$bindir/belfry"
want "$bindir/belfry-cli"
want "$datadir/applications/$app_id.desktop"
want "$datadir/metainfo/$app_id.metainfo.xml"
want "$datadir/glib-2.0/schemas/$app_id.gschema.xml"
want "$datadir/dbus-1/services/$app_id.service"
want "$datadir/icons/hicolor/scalable/apps/$app_id.svg"
want "$datadir/icons/hicolor/symbolic/apps/$app_id-symbolic.svg"
for lang in de fr; do
  want "$localedir/$lang/LC_MESSAGES/belfry.mo"
done

# The installed service file starts the installed binary.
service=$destdir$datadir/dbus-1/services/$app_id.service
if [ -f "$service" ]; then
  grep -qx "Exec=$bindir/belfry --gapplication-service" "$service" ||
    { echo "FAIL: $service does not start $bindir/belfry:" \
        "$(grep '^Exec=' "$service")" >&2; status=1; }
fi
for f in "$bindir/belfry" "$bindir/belfry-cli"; do
  if [ -f "$destdir$f" ] && [ ! -x "$destdir$f" ]; then
    echo "FAIL: $f is not executable" >&2
    status=1
  fi
done
# The installed schema still compiles on its own.
if [ -d "$destdir$datadir/glib-2.0/schemas" ]; then
  glib-compile-schemas --strict --dry-run "$destdir$datadir/glib-2.0/schemas" ||
    { echo "FAIL: installed schemas do not compile" >&2; status=1; }
fi
exit $status
