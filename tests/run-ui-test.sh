#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Runs a UI test as a person's session would have it: a private D-Bus
# session bus and a real X server (Xvfb), both gone when the test ends.
# The bus starts only the services of tests/dbus (see session.conf.in).
set -eu
# Cairo renders, and GL is not even probed: GDK's probe loads Mesa's
# software driver, whose CPU detection leaks on AMD Zen processors (the
# sanitizer pass then fails on some machines only).
export GSK_RENDERER=cairo GDK_DEBUG=gl-disable GTK_A11Y=none ADW_DISABLE_PORTAL=1 NO_AT_BRIDGE=1
# Standard output is the test's TAP stream: what the bus starts (the
# accessibility registry announces itself there) writes to standard error.
exec 3>&1
exec dbus-run-session --config-file="$G_TEST_BUILDDIR/dbus/session.conf" -- sh -c 'exec 1>&3 3>&-; exec xvfb-run --auto-servernum --server-args="-screen 0 1280x1024x24" "$@"' \
  run-ui-test "$@" 1>&2
