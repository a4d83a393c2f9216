#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Every source file says its licence in its first lines, so that a file
# copied out of Belfry still carries it: C, headers, meson, shell and
# Python, .ui templates, and every script with a #! line (test corpora
# and build trees aside).
set -eu
top=${1:?source root}
want='SPDX-License-Identifier: GPL-3.0-or-later'
missing=0

for f in $(cd "$top" && find . -path './_build*' -prune -o -path ./.git -prune \
             -o -path ./tests/fuzz/corpus -prune -o -type f -print | sort); do
  case "$f" in
    *.c|*.h|*.py|*.sh|*/meson.build|*.ui) ;;
    *) [ "$(head -c 2 "$top/$f")" = '#!' ] || continue ;;
  esac
  if ! head -n 5 "$top/$f" | grep -qF "$want"; then
    echo "no '$want' in the first lines of $f"
    missing=1
  fi
done
# The licence those lines name is the one that comes with the source, and
# the one the project and its metainfo declare.
if ! grep -q 'GNU GENERAL PUBLIC LICENSE' "$top/COPYING" || ! grep -q 'Version 3,' "$top/COPYING"; then
  echo "COPYING is not the GNU GPL, version 3"
  missing=1
fi
grep -q "license: 'GPL-3.0-or-later'" "$top/meson.build" || { echo "meson.build declares another licence"; missing=1; }
grep -q '<project_license>GPL-3.0-or-later</project_license>' "$top"/data/*.metainfo.xml.in ||
  { echo "the metainfo declares another licence"; missing=1; }
[ $missing -eq 0 ] && echo "spdx: ok"
exit $missing
