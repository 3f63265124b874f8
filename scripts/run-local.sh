#!/usr/bin/env bash
# `make run`: Warden on this host, as a user meets it first.
#   1. start_server  the control-plane server (warden server) in the background
#                    with examples/server.yaml: prints its URL, its CA
#                    fingerprint, the login and where its data is kept
#   2. enrol_agent   an enrol secret from the server's store, and the local
#                    agent enrolled with it (CA pinned by its fingerprint) into
#                    a copy of the agent config kept in the agent's state
#                    directory (the repository's example stays unchanged)
#   3. start_agent   the host agent in the foreground (scripts/run-agent.sh)
# Ctrl-C stops both.
set -uo pipefail
W=${1:-build/warden}
AGENT_CONFIG=${2:-examples/agent.yaml}
SERVER_CONFIG=${3:-examples/server.yaml}

server_pid=
server_log=

stop_server() {
  if [[ -n $server_pid ]] && kill -0 "$server_pid" 2>/dev/null; then
    kill -TERM "$server_pid" 2>/dev/null
    wait "$server_pid" 2>/dev/null
  fi
}

start_server() {
  server_log=$(mktemp -t warden-server.XXXXXX.log)
  "$W" server --config "$SERVER_CONFIG" >"$server_log" 2>&1 &
  server_pid=$!
  # The banner ends with the line naming the data directory.
  for _ in $(seq 1 100); do
    grep -q '^  data ' "$server_log" && break
    kill -0 "$server_pid" 2>/dev/null || break
    sleep 0.1
  done
  if ! grep -q '^  data ' "$server_log"; then
    echo "warden server did not start:" >&2
    cat "$server_log" >&2
    return 1
  fi
  sed -n '1,/^  data /p' "$server_log"
  echo "  log       $server_log (the server keeps running while the agent runs below)"
  echo
}

enrol_agent() {
  local state url fingerprint secret
  state=$("$W" agent --config "$AGENT_CONFIG" --check | sed -n 's/.*; state \(.*\))$/\1/p')
  [[ -n $state ]] || return 1
  mkdir -p "$state" || return 1
  url=$(sed -n 's/^Warden server at \(https:[^ ]*\).*/\1/p' "$server_log")
  fingerprint=$(grep -o 'sha256:[0-9a-f]\{64\}' "$server_log" | head -1)
  secret=$("$W" server enroll-secret create "local agent (make run)" --label local \
    --secret-only --config "$SERVER_CONFIG") || return 1
  cp "$AGENT_CONFIG" "$state/agent-make-run.yaml" || return 1
  AGENT_CONFIG=$state/agent-make-run.yaml
  "$W" agent enroll --server "$url" --secret "$secret" --ca-fingerprint "$fingerprint" \
    --config "$AGENT_CONFIG" || return 1
  echo "  agent     enrolled into $url with config $AGENT_CONFIG"
  echo "            its host, problems and open ports: the console URL above (docs/console.md)"
  echo
}

start_agent() {
  bash scripts/run-agent.sh "$W" "$AGENT_CONFIG"
}

trap stop_server EXIT
trap 'exit 0' INT TERM
start_server || exit 2
enrol_agent || { echo "enrolling the local agent failed (above)" >&2; exit 2; }
start_agent
