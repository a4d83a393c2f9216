#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Runs Belfry's libFuzzer harnesses (tests/fuzz) one after the other, one
# process at a time, each for the given number of seconds.
#
#   build-aux/fuzz.sh [SECONDS-PER-HARNESS] [HARNESS...]
#
# Harnesses: name-addr sdp wav history sip (all by default); 60 seconds
# each by default. It builds _build-fuzz (clang, -Dfuzzing=true) when that
# is missing. New inputs go to _build-fuzz/fuzz/corpus/HARNESS, never to
# tests/fuzz: a crash, leak or UB report is written to
# _build-fuzz/fuzz/artifacts/HARNESS/; minimize it (-minimize_crash=1), fix
# the bug, and add the input to tests/fuzz/corpus/HARNESS and a regression
# test. The exit status is 1 when a harness found something.
set -euo pipefail

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=$top/_build-fuzz
seconds=${1:-60}
shift || true
harnesses=("$@")
[ ${#harnesses[@]} -gt 0 ] || harnesses=(name-addr sdp wav history sip)

case "$seconds" in
  ''|*[!0-9]*) echo "usage: build-aux/fuzz.sh [SECONDS-PER-HARNESS] [HARNESS...]" >&2; exit 2 ;;
esac

if [ ! -f "$build/build.ninja" ]; then
  CC=clang meson setup "$build" "$top" -Dfuzzing=true -Db_lundef=false
fi
meson compile -C "$build"

export GSETTINGS_BACKEND=memory
export GSETTINGS_SCHEMA_DIR=$build/data
export LSAN_OPTIONS=suppressions=$top/tests/fuzz/lsan.supp:print_suppressions=0
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1

status=0
summary=()
for name in "${harnesses[@]}"; do
  exe=$build/tests/fuzz/fuzz-$name
  if [ ! -x "$exe" ]; then
    echo "fuzz.sh: no harness $name" >&2
    exit 2
  fi
  corpus=$build/fuzz/corpus/$name
  artifacts=$build/fuzz/artifacts/$name
  log=$build/fuzz/$name.log
  mkdir -p "$corpus" "$artifacts"
  echo "fuzz.sh: $name for ${seconds}s (log: $log)"
  # One process (no -jobs, which would fork workers): the machine is
  # shared. An input that runs for more than 30 s is a hang (the SIP
  # harness bounds each message at 1 s).
  if "$exe" -max_total_time="$seconds" -timeout=30 -rss_limit_mb=4096 \
       -max_len=8192 -dict="$top/tests/fuzz/$name.dict" -print_final_stats=1 \
       -artifact_prefix="$artifacts/" "$corpus" "$top/tests/fuzz/corpus/$name" > "$log" 2>&1; then
    result=clean
  else
    result="FOUND SOMETHING: $(ls "$artifacts" | tr '\n' ' ')"
    status=1
  fi
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
  summary+=("$name: ${runs:-?} executions, ${rate:-?} exec/s, $result")
done

printf 'fuzz.sh: %s\n' "${summary[@]}"
exit $status
