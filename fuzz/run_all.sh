#!/usr/bin/env bash
# Runs every fuzz target for a while: fuzz/run_all.sh [BUILD_DIR] [SECONDS]
# Each target starts from its seed corpus in fuzz/corpus/<target>/ (copied,
# never written to) and works in BUILD_DIR/fuzz-work/<target>/: the grown
# corpus, the log and any crash/leak/timeout/oom artifact stay there, out of
# the source tree. Every run is bounded by an outer `timeout` (libFuzzer's own
# -max_total_time is only checked between inputs, and a run stuck in its
# timeout handler would otherwise never end). At the end it prints, per
# target, the executions and the coverage (edges, libFuzzer's `cov:`) and the
# path of each artifact; it exits non-zero when a target crashed, leaked, hung
# or was killed. FUZZ_JOBS=N runs N targets side by side; FUZZ_TARGETS
# names the targets to run (default: all). It does not
# minimise or triage what it finds.
set -uo pipefail
build=${1:-build-fuzz}
seconds=${2:-60}
# Grace past -max_total_time: one input may still run for -timeout seconds,
# then libFuzzer prints its statistics.
grace=60
here=$(cd "$(dirname "$0")" && pwd)
build=$(cd "$build" && pwd) || { echo "run_all.sh: no build directory $build" >&2; exit 2; }
workroot="$build/fuzz-work"
mkdir -p "$workroot"

shopt -s nullglob
bins=("$build"/fuzz/*_fuzz)
if [ -n "${FUZZ_TARGETS:-}" ]; then  # e.g. FUZZ_TARGETS="osv_fuzz oval_fuzz"
  picked=()
  for name in $FUZZ_TARGETS; do
    [ -x "$build/fuzz/$name" ] || { echo "run_all.sh: no fuzz target $name in $build/fuzz" >&2; exit 2; }
    picked+=("$build/fuzz/$name")
  done
  bins=("${picked[@]}")
fi
if [ ${#bins[@]} -eq 0 ]; then
  echo "run_all.sh: no fuzz targets in $build/fuzz (build with: cmake --preset fuzz && cmake --build $build)" >&2
  exit 2
fi

# One target: runs it, then writes "row<TAB>finding..." lines to $work/result
# (the summary below reads them, so targets can run side by side).
run_target() {
  local bin=$1 name work log rc execs cov result artifact
  name=$(basename "$bin")
  work="$workroot/$name"
  rm -rf "$work"
  mkdir -p "$work/corpus" "$work/artifacts"
  [ -d "$here/corpus/$name" ] && cp -r "$here/corpus/$name/." "$work/corpus/"
  log="$work/fuzz.log"
  echo "== $name (${seconds}s) -> $work"
  timeout --signal=TERM --kill-after=15 $((seconds + grace)) \
    "$bin" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
    -artifact_prefix="$work/artifacts/" "$work/corpus" >"$log" 2>&1
  rc=$?
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
  if [ -z "$execs" ]; then
    execs=$(grep -o '^#[0-9]*' "$log" | tail -n 1 | tr -d '#')
  fi
  cov=$(grep -o 'cov: [0-9]*' "$log" | tail -n 1 | cut -d' ' -f2)
  result=ok
  local -a found=()
  if [ $rc -eq 124 ] || [ $rc -eq 137 ]; then
    result="killed after $((seconds + grace))s (hung)"
    found+=("$name: did not end; log $log")
  elif [ $rc -ne 0 ]; then
    result="failed (exit $rc)"
    found+=("$name: exit $rc; log $log")
  fi
  for artifact in "$work/artifacts"/{crash,leak,timeout,oom}-*; do
    result="found $(basename "$artifact" | cut -d- -f1)"
    found+=("$name: $artifact")
  done
  if [ "$result" != ok ]; then
    grep -m 1 -E '^==[0-9]+==ERROR|^SUMMARY|deadly signal|ERROR: libFuzzer' "$log" | sed "s/^/   $name: /"
  fi
  {
    printf 'row\t%-24s %14s %8s  %s\n' "$name" "${execs:-?}" "${cov:-?}" "$result"
    for f in "${found[@]}"; do printf 'finding\t%s\n' "$f"; done
  } >"$work/result"
}

# FUZZ_JOBS targets at a time (default 1: each target has a core to itself,
# so executions are comparable between runs).
jobs=${FUZZ_JOBS:-1}
for bin in "${bins[@]}"; do
  while [ "$(jobs -rp | wc -l)" -ge "$jobs" ]; do wait -n; done
  run_target "$bin" &
done
wait

status=0
rows=()
findings=()
for bin in "${bins[@]}"; do
  result="$workroot/$(basename "$bin")/result"
  if [ ! -f "$result" ]; then
    status=1
    findings+=("$(basename "$bin"): no result (the runner itself failed)")
    continue
  fi
  while IFS=$'\t' read -r kind text; do
    case $kind in
      row) rows+=("$text"); [[ $text == *"  ok" ]] || status=1 ;;
      finding) findings+=("$text"); status=1 ;;
    esac
  done <"$result"
done

echo
printf '%-24s %14s %8s  %s\n' target executions edges result
for row in "${rows[@]}"; do echo "$row"; done
echo
echo "work directory (corpora, logs, artifacts): $workroot"
if [ ${#findings[@]} -gt 0 ]; then
  echo "findings:"
  for f in "${findings[@]}"; do echo "  $f"; done
fi
exit $status
