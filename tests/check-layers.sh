#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# The layers only point down: ui -> app -> app/media -> app/sip, and the
# program app/cli sits beside ui on top of the library. Each layer is
# checked twice: against other libraries' headers (app/sip includes no
# mediastreamer2 and no GTK; app/ includes no GTK; ui/ includes no
# belle-sip or mediastreamer2 header) and against Belfry's own headers of
# the layers above it, found by listing each folder (and the enum headers
# meson generates for it).
set -u
top=${1:?source root}
status=0

# The headers of one layer's folder, as an extended regex of their names.
headers_of () {
  dir=$1 extra=$2
  names=$(cd "$top/$dir" && ls -- *.h 2>/dev/null | sed 's/\./\\./g' | tr '\n' '|')
  echo "${names}${extra}" | sed 's/|$//'
}

# Files of @dir only, or of its subfolders too (@depth).
check () {
  dir=$1 depth=$2 pattern=$3 what=$4
  [ -n "$pattern" ] || return 0
  hits=$(find "$top/$dir" $depth -name '*.[ch]' -exec \
           grep -nE "^[[:space:]]*#[[:space:]]*include[[:space:]]*[<\"]([^\">]*/)?($pattern)[\">]" {} + 2>/dev/null)
  if [ -n "$hits" ]; then
    echo "$dir must not include $what:"
    echo "$hits"
    status=1
  fi
}

sip=$(headers_of app/sip 'belfry-sip-enums\.h')
media=$(headers_of app/media 'belfry-media-enums\.h')
app=$(headers_of app 'belfry-app-enums\.h')
cli=$(headers_of app/cli '')
ui=$(headers_of ui '')
# The names must be told apart by folder: a header in two layers would
# slip through.
dups=$(for d in app/sip app/media app app/cli ui; do (cd "$top/$d" && ls -- *.h 2>/dev/null); done | sort | uniq -d)
if [ -n "$dups" ]; then
  echo "header names used in two layers: $dups"
  status=1
fi

above_sip="$media|$app|$cli|$ui"
above_media="$app|$cli|$ui"
above_app="$cli|$ui"

check app/sip '' 'mediastreamer2/|ortp/|gtk/|adwaita\.h|libnotify/' 'mediastreamer2, GTK or libnotify'
check app/sip '' "$above_sip" 'headers of app/media, app, app/cli or ui'
check app/media '' 'gtk/|adwaita\.h|libnotify/' 'GTK or libnotify'
check app/media '' "$above_media" 'headers of app, app/cli or ui'
check app '' 'gtk/|adwaita\.h' 'GTK'
check app '-maxdepth 1' "$above_app" 'headers of app/cli or ui'
check app/cli '' "$ui" 'headers of ui'
check ui '' 'belle-sip/|mediastreamer2/|ortp/|bctoolbox/' 'belle-sip or mediastreamer2 headers'
check ui '' "$cli" 'headers of app/cli'

[ $status -eq 0 ] && echo "layers: ok"
exit $status
