#!/usr/bin/env bash
# `make run`: starts the Warden agent on this host with examples/agent.yaml,
# tells the user where problems and results go, shows the first status and
# problems, then stays in the foreground until Ctrl-C.
set -uo pipefail
W=${1:-build/warden}
C=${2:-examples/agent.yaml}

$W agent --config "$C" --check >/dev/null || exit 2
S=$($W agent --config "$C" --check | sed -n 's/.*; state \(.*\))$/\1/p')
echo "Warden agent on this host with $C (Ctrl-C stops it)."
echo "  warden    this is $(realpath "$W"); the commands below call it by that path."
if command -v warden >/dev/null 2>&1; then
  echo "            On PATH, \`warden\` is $(command -v warden) ($(warden --version 2>/dev/null))."
else
  echo "            \`make install\` puts it in /usr/local/bin so that \`warden ...\` works as in the docs."
fi
echo "  problems  printed below as they open and resolve; list them: $W agent problems"
echo "            kept in $S/state.db, events also in $S/problems.jsonl"
echo "  results   scheduled query results (osquery result-log JSON) in $S/results.jsonl"
echo "  schedule  $W agent status  (last run, duration, result and next run of each job)"
echo "  runtime   HOST-RUNTIME watches execs, connections and listeners through eBPF as they"
echo "            happen; try: cp /bin/true /tmp/x && /tmp/x   (problem HOST-EXEC-FROM-TMP)"
echo "            hooks, tier and drop counters: $W events status"
echo "  SQL       $W shell  or  $W query \"SELECT * FROM listening_ports\""
if ! $W feed status >/dev/null 2>&1; then
  echo "  vulns     no vulnerability feed imported yet: HOST-VULN says skipped until you import one, e.g."
  echo "            $W feed import debian-security-tracker.json  (or an OSV all.zip, an Oracle OVAL .xml.bz2)"
  echo "            then: $W agent run-now HOST-VULN   (docs/agent.md)"
fi
echo

$W agent --config "$C" &
pid=$!
trap 'kill $pid 2>/dev/null; wait $pid; exit 0' INT TERM
sleep 6
kill -0 $pid 2>/dev/null || exit 2
echo
$W agent status --config "$C" --format table
echo
$W agent problems --config "$C" --format table
echo
echo "The agent keeps running (pid $pid); new problems print below. Ctrl-C stops it."
wait $pid
