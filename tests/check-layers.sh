#!/bin/sh
# The layers only point down: ui -> app -> app/media -> app/sip.
# app/sip includes no mediastreamer2 and no GTK; app/ includes no GTK;
# ui/ includes no belle-sip or mediastreamer2 header.
set -u
top=${1:?source root}
status=0

check () {
  dir=$1 pattern=$2 what=$3
  hits=$(grep -rnE "^[[:space:]]*#[[:space:]]*include[[:space:]]*[<\"]($pattern)" "$top/$dir" \
           --include='*.c' --include='*.h' 2>/dev/null)
  if [ -n "$hits" ]; then
    echo "$dir must not include $what:"
    echo "$hits"
    status=1
  fi
}

check app/sip 'mediastreamer2/|ortp/|gtk/|adwaita\.h|libnotify/|belfry-media|belfry-window|belfry-application' \
  'mediastreamer2, GTK or anything above app/sip'
check app/media 'gtk/|adwaita\.h|libnotify/|belfry-window|belfry-application' 'GTK or the UI'
check app 'gtk/|adwaita\.h|belfry-window|belfry-application' 'GTK or the UI'
check ui 'belle-sip/|mediastreamer2/|ortp/|bctoolbox/' 'belle-sip or mediastreamer2 headers'

[ $status -eq 0 ] && echo "layers: ok"
exit $status
