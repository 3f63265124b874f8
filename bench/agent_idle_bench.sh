#!/usr/bin/env bash
# Idle cost of the Warden host agent: starts `warden agent` with the
# documented example config (examples/agent.yaml: open-ports rule every
# minute, vulnerability rule, three scheduled queries, file and stdout sinks)
# in a scratch state directory, lets the first runs finish, then measures
# for DURATION seconds (default 60):
#   CPU  - user+system time of the agent / wall time (percent of one core),
#          which includes the scheduled work that falls in the window
#   RSS  - resident memory sampled every second (mean and max)
# and compares them with the targets (< 1% CPU, < 50 MB RSS).
# Usage: bench/agent_idle_bench.sh [path/to/warden]   (default build/warden)
set -euo pipefail
cd "$(dirname "$0")/.."
WARDEN=${1:-build/warden}
DURATION=${DURATION:-60}
WARMUP=${WARMUP:-10}
TMP=$(mktemp -d /tmp/warden-agent-bench-XXXXXX)
trap 'kill "$PID" 2>/dev/null; wait "$PID" 2>/dev/null; rm -rf "$TMP"' EXIT
{ echo "state_dir: $TMP/state"; cat examples/agent.yaml; } > "$TMP/agent.yaml"
"$WARDEN" agent --config "$TMP/agent.yaml" > "$TMP/stdout.log" 2> "$TMP/agent.log" &
PID=$!
sleep "$WARMUP"
kill -0 "$PID" || { echo "agent exited:"; cat "$TMP/agent.log"; exit 1; }
TCK=$(getconf CLK_TCK)
cpu_ticks() { awk '{print $14 + $15}' "/proc/$PID/stat"; }
rss_kb() { awk '/^VmRSS:/ {print $2}' "/proc/$PID/status"; }
T0=$(date +%s.%N); C0=$(cpu_ticks)
SUM=0; MAX=0; N=0
for _ in $(seq 1 "$DURATION"); do
  sleep 1
  R=$(rss_kb); SUM=$((SUM + R)); N=$((N + 1)); [ "$R" -gt "$MAX" ] && MAX=$R
done
T1=$(date +%s.%N); C1=$(cpu_ticks)
RUNS=$(grep -c " ok in \| skipped in " "$TMP/agent.log" || true)
awk -v c0="$C0" -v c1="$C1" -v t0="$T0" -v t1="$T1" -v tck="$TCK" -v sum="$SUM" -v n="$N" -v max="$MAX" \
    -v runs="$RUNS" -v dur="$DURATION" 'BEGIN {
  cpu = (c1 - c0) / tck / (t1 - t0) * 100; mean = sum / n / 1024; mx = max / 1024;
  printf "warden agent, example config, %d s after a %s job-run warm-up\n", dur, runs;
  printf "  CPU  %6.3f %% of one core   (target < 1%%)   %s\n", cpu, cpu < 1 ? "ok" : "OVER";
  printf "  RSS  %6.1f MB mean, %.1f MB max   (target < 50 MB)   %s\n", mean, mx, mx < 50 ? "ok" : "OVER";
  exit (cpu < 1 && mx < 50) ? 0 : 1 }'
