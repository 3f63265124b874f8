#!/usr/bin/env bash
# Runs every fuzz target for a while: fuzz/run_all.sh BUILD_DIR SECONDS
# Each target starts from its seed corpus in fuzz/corpus/<target>/; new
# interesting inputs are kept in a scratch copy, not in the repository.
set -euo pipefail
build=${1:-build-fuzz}
seconds=${2:-60}
here=$(cd "$(dirname "$0")" && pwd)
status=0
for bin in "$build"/fuzz/*_fuzz; do
  name=$(basename "$bin")
  work=$(mktemp -d)
  [ -d "$here/corpus/$name" ] && cp -r "$here/corpus/$name/." "$work/"
  echo "== $name (${seconds}s)"
  if ! "$bin" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
      -artifact_prefix="$here/corpus/$name/" "$work" 2>&1 | tail -n 4; then
    status=1
  fi
  rm -rf "$work"
done
exit $status
