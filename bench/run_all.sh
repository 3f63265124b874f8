#!/usr/bin/env bash
# Runs every benchmark of bench/ against the build in build/ and prints each
# one's side-by-side summary. Used by `make bench`; each program can also be
# run alone (see bench/README.md for their options).
set -uo pipefail
cd "$(dirname "$0")/.."
status=0
for bin in build/bench/*_bench; do
  [ -x "$bin" ] || continue
  echo "=== $(basename "$bin")"
  "$bin" || status=1
done
for script in bench/*_bench.sh; do
  [ -x "$script" ] || continue
  echo "=== $(basename "$script")"
  "$script" build/warden || status=1
done
exit $status
