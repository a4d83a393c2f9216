#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Runs a libFuzzer harness over its seed corpus, then on a bounded number
# of new inputs. New inputs go to a scratch folder, never to the source
# tree: libFuzzer writes into the first folder it is given.
#
#   run-fuzzer.sh HARNESS SCRATCH-DIR CORPUS-DIR [LIBFUZZER-ARGS...]
set -eu
harness=$1 scratch=$2 corpus=$3
shift 3
mkdir -p "$scratch"
exec "$harness" -seed=1 -print_final_stats=1 "$@" "$scratch" "$corpus"
