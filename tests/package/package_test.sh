#!/usr/bin/env bash
# The Debian packages (make package, docs/deploy.md) as an operator meets
# them, on a fresh Debian 12 root made by mmdebstrap in a temporary folder
# (cached as a tarball between runs: the first run needs the Debian mirror
# that `make test` installs from anyway). Checked, in order:
#   1. lintian finds no error or warning in the three packages;
#   2. the one-command install against a real server on loopback: with a
#      wrong CA fingerprint it refuses and installs nothing; with the right one
#      it installs the packages the server holds, enrols, and the config
#      checks pass; the installed units verify (systemd-analyze verify) and
#      their exposure scores (systemd-analyze security --offline) stay at or
#      under the recorded ones; run again it changes nothing but the node key;
#   3. an upgrade keeps the enrolment, the config and the records queued while
#      the server was down, which arrive after it;
#   4. remove keeps the agent's state, purge deletes it.
# The root shares this machine's network namespace, so the server listens on
# 127.0.0.1 only. No systemd runs in the root: the services' commands are run
# there as their units run them.
#   tests/package/package_test.sh build/warden build/packages
set -euo pipefail

W=$(realpath "$1")
PKG_DIR=$(realpath "$2")
AGENT_SCORE_MAX=${AGENT_SCORE_MAX:-6.4}
SERVER_SCORE_MAX=${SERVER_SCORE_MAX:-1.3}

step() { echo "package_test: == $*"; }
fail() {
  echo "package_test: FAILED: $*" >&2
  exit 1
}
[[ $(id -u) == 0 ]] || fail "needs root (chroot, mounts, package installs in the test root)"
for tool in mmdebstrap lintian systemd-analyze dpkg-deb curl sqlite3 python3; do
  command -v "$tool" >/dev/null || fail "$tool is missing (scripts/install-deps.sh installs it)"
done

deb() { # the newest file of package $1 in $PKG_DIR
  local f
  f=$(ls -1 "$PKG_DIR"/"$1"_*_*.deb 2>/dev/null | sort -V | tail -1)
  [[ -n $f ]] || fail "no $1 package in $PKG_DIR: run make package"
  echo "$f"
}
WARDEN_DEB=$(deb warden)
AGENT_DEB=$(deb warden-agent)
SERVER_DEB=$(deb warden-server)

work=$(mktemp -d /tmp/warden-package-test.XXXXXX)
root=$work/root
server_pid=
agent_pid=
listener_pid=
cleanup() {
  for pid in $agent_pid $listener_pid $server_pid; do
    kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
  done
  for m in "$root/proc" "$root/sys"; do
    mountpoint -q "$m" && umount -l "$m"
  done
  if [[ -n ${PACKAGE_TEST_KEEP:-} ]]; then echo "package_test: kept $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT

# Waits up to $1 seconds for the command after it to succeed.
await() {
  local seconds=$1
  shift
  local deadline=$((SECONDS + seconds))
  until "$@" >/dev/null 2>&1; do
    ((SECONDS < deadline)) || return 1
    sleep 0.2
  done
}

step "1. lintian"
lintian_out=$(lintian --fail-on error,warning "$WARDEN_DEB" "$AGENT_DEB" "$SERVER_DEB" 2>&1) || {
  echo "$lintian_out"
  fail "lintian found errors or warnings"
}
echo "${lintian_out:-lintian: no tags}"

dpkg-deb -c "$WARDEN_DEB" | grep -q '/usr/share/man/man1/warden.1.gz$' || fail "no manual page in the warden package"

step "the fresh Debian 12 root"
# Runtime dependencies come in the cached root, so installing the packages
# needs no mirror; curl is what the install command uses.
deps=$(dpkg-deb -f "$WARDEN_DEB" Depends | tr ',' '\n' | sed 's/[(|].*//; s/ //g' | grep -v '^$' | sort -u | tr '\n' ',')
key=$(printf '%s' "$deps" | sha256sum | cut -c1-16)
cache=${XDG_CACHE_HOME:-${HOME:-/root}/.cache}/warden-package-test
tarball=$cache/bookworm-$key.tar
if [[ ! -s $tarball ]]; then
  mkdir -p "$cache"
  mmdebstrap --quiet --format=tar --variant=apt --include="${deps}curl,systemd,sqlite3" bookworm "$tarball.partial" ||
    fail "mmdebstrap could not make a Debian 12 root (is the Debian mirror reachable?)"
  mv "$tarball.partial" "$tarball"
fi
mkdir -p "$root"
tar -C "$root" -xf "$tarball"
mount -t proc proc "$root/proc"
mount --rbind /sys "$root/sys"
in_root() { chroot "$root" "$@"; }
# A booted host has a machine id (the server tells hosts apart by it); a
# fresh root gets one as systemd's first boot would make it.
in_root systemd-machine-id-setup >/dev/null

step "2. the one-command install against a server on loopback"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
server_state=$work/server
start_server() {
  "$W" server --state-dir "$server_state" --listen "127.0.0.1:$port" >>"$work/server.log" 2>&1 &
  server_pid=$!
  await 30 curl -fsk "https://127.0.0.1:$port/api/v1/agent/ca" || {
    cat "$work/server.log"
    fail "the server did not start"
  }
}
stop_server() {
  kill "$server_pid"
  wait "$server_pid" 2>/dev/null || true
  server_pid=
}
start_server
"$W" server packages add --state-dir "$server_state" "$WARDEN_DEB" "$AGENT_DEB"
secret=$("$W" server enroll-secret create package-test --secret-only --state-dir "$server_state")
headers=$(curl -fsSk -D - -o /dev/null "https://127.0.0.1:$port/api/v1/agent/ca")
fingerprint=$(printf '%s' "$headers" | sed -n 's/^[Xx]-[Ww]arden-[Cc]a-[Ff]ingerprint: *\([^[:space:]]*\).*/\1/p')
pin=$(printf '%s' "$headers" | sed -n 's/^[Xx]-[Ww]arden-[Ss]erver-[Kk]ey-[Pp]in: *\([^[:space:]]*\).*/\1/p')
[[ $fingerprint == sha256:* && $pin == sha256//* ]] || fail "no fingerprint or key pin from /api/v1/agent/ca"
url=https://127.0.0.1:$port
install_host() { # $1: the CA fingerprint to give
  in_root sh -c "curl -fsS --insecure --pinnedpubkey '$pin' '$url/api/v1/agent/install.sh' |
    sh -s -- --server '$url' --ca-fingerprint '$1' --secret '$secret'"
}

wrong=sha256:$(printf '0%.0s' $(seq 64))
if out=$(install_host "$wrong" 2>&1); then
  fail "the install went on with a wrong CA fingerprint: $out"
fi
grep -q "refusing to install" <<<"$out" || fail "no refusal message: $out"
in_root dpkg-query -W warden >/dev/null 2>&1 && fail "a package was installed despite the wrong fingerprint"
echo "package_test: a wrong fingerprint is refused, nothing installed"

# A wrong key pin: curl refuses before any script runs.
if in_root curl -fsS --insecure --pinnedpubkey "sha256//$(printf 'A%.0s' $(seq 43))=" \
  "$url/api/v1/agent/install.sh" >/dev/null 2>&1; then
  fail "curl fetched install.sh despite a wrong key pin"
fi

install_host "$fingerprint" | tee "$work/install.log" || fail "the install failed"
in_root dpkg-query -W -f='${Status}\n' warden-agent | grep -q 'install ok installed' ||
  fail "warden-agent is not installed"
in_root warden --version
in_root test -s /var/lib/warden/node-key || fail "no node key after enrolment"
grep -q '^server:' "$root/etc/warden/agent.yaml" || fail "no server section in /etc/warden/agent.yaml"
in_root warden agent --config /etc/warden/agent.yaml --check || fail "the agent config check failed"
host_count() { sqlite3 "$server_state/server.db" "SELECT COUNT(*) FROM hosts"; }
[[ $(host_count) == 1 ]] || fail "the server has $(host_count) hosts, not 1"

# The server package: its config check, as its unit runs it (as warden-server).
cp "$SERVER_DEB" "$root/tmp/"
in_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "/tmp/$(basename "$SERVER_DEB")" >"$work/server-install.log" 2>&1 ||
  { cat "$work/server-install.log"; fail "installing warden-server failed"; }
in_root id warden-server >/dev/null || fail "no warden-server user after installing warden-server"
check=$(in_root setpriv --reuid=warden-server --regid=warden-server --init-groups \
  warden server --config /etc/warden/server.yaml --check) || fail "the server config check failed"
echo "$check"
grep -q '^  data      /var/lib/warden-server$' <<<"$check" || fail "the packaged server keeps its data elsewhere"
grep -q '^listen: 0.0.0.0:8443$' "$root/etc/warden/server.yaml" || fail "the packaged server does not listen for the fleet"
in_root test -f /usr/share/warden/console/index.html || fail "no console in the server package"

step "the units, installed"
for unit in warden-agent warden-server; do
  file=$root/lib/systemd/system/$unit.service
  [[ -f $file ]] || fail "$unit.service is not installed"
  systemd-analyze verify --man=no --root="$root" "$file" || fail "$unit.service does not verify"
  score=$(systemd-analyze security --offline=true --root="$root" "$file" 2>/dev/null |
    sed -n 's/.*Overall exposure level for .*: \([0-9.]*\).*/\1/p')
  max=$([[ $unit == warden-agent ]] && echo "$AGENT_SCORE_MAX" || echo "$SERVER_SCORE_MAX")
  echo "package_test: $unit.service exposure $score (at most $max)"
  python3 -c "import sys; sys.exit(0 if float('$score') <= float('$max') else 1)" ||
    fail "$unit.service exposure $score is over $max"
done

install_host "$fingerprint" >"$work/install-again.log" 2>&1 || { cat "$work/install-again.log"; fail "running the install again failed"; }
grep -q "warden-agent .* is installed" "$work/install-again.log" || fail "the second install reinstalled the packages"
[[ $(host_count) == 1 ]] || fail "the second install made another host ($(host_count))"
echo "package_test: installed, enrolled; run again: same packages, same host"

step "3. an upgrade keeps enrolment, config and queued records"
stop_server
# A listener the agent reports while the server is down: its problem can only
# reach the server from the queue that survives the upgrade.
python3 -c 'import socket,time; s=socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(); print(s.getsockname()[1], flush=True); time.sleep(600)' >"$work/listener" &
listener_pid=$!
await 10 test -s "$work/listener" || fail "no test listener"
listen_port=$(cat "$work/listener")
sed -n '/^server:/,$p' "$root/etc/warden/agent.yaml" >"$work/server-section.yaml"
{
  cat <<YAML
recipe:
  rules:
    HOST-OPEN-PORTS: {enabled: true, schedule: {interval: 1h, run_at_start: true}, settings: {allowed_tcp: [], allowed_udp: [], loopback: report}}
    HOST-VULN: {enabled: false}
    HOST-RUNTIME: {enabled: false}
YAML
  cat "$work/server-section.yaml"
} >"$root/etc/warden/queue-test.yaml"
chroot "$root" warden agent --config /etc/warden/queue-test.yaml >"$work/agent-1.log" 2>&1 &
agent_pid=$!
queued() {
  local n
  n=$(sqlite3 "$root/var/lib/warden/queues/server.db" \
    "SELECT COUNT(*) FROM records WHERE CAST(payload AS TEXT) LIKE '%$listen_port%'" 2>/dev/null) || return 1
  [[ ${n:-0} -gt 0 ]]
}
await 60 queued || { cat "$work/agent-1.log"; fail "the agent queued no record of port $listen_port"; }
kill "$agent_pid"
wait "$agent_pid" 2>/dev/null || true
agent_pid=
kill "$listener_pid"
wait "$listener_pid" 2>/dev/null || true
listener_pid=
node_key=$(cat "$root/var/lib/warden/node-key")

# The next version: the same files under a higher version number.
next() { # $1 package file -> the same package as version VERSION+upgrade1
  local dir=$work/next-$(basename "$1" .deb)
  dpkg-deb -R "$1" "$dir"
  sed -i 's/^Version: \(.*\)$/Version: \1+upgrade1/; s/warden (= \([^)]*\))/warden (= \1+upgrade1)/' \
    "$dir/DEBIAN/control"
  dpkg-deb --root-owner-group -b "$dir" "$root/tmp/" >/dev/null
}
next "$WARDEN_DEB"
next "$AGENT_DEB"
in_root sh -c 'DEBIAN_FRONTEND=noninteractive apt-get install -y -q -o Dpkg::Options::=--force-confold /tmp/warden_*+upgrade1_*.deb /tmp/warden-agent_*+upgrade1_*.deb' \
  >"$work/upgrade.log" 2>&1 || { cat "$work/upgrade.log"; fail "the upgrade failed"; }
in_root dpkg-query -W -f='${Version}\n' warden-agent | grep -q 'upgrade1' || fail "warden-agent was not upgraded"
[[ $(cat "$root/var/lib/warden/node-key") == "$node_key" ]] || fail "the upgrade changed the node key"
grep -q '^server:' "$root/etc/warden/agent.yaml" || fail "the upgrade lost the server section"
queued || fail "the upgrade lost the queued records"

start_server
chroot "$root" warden agent --config /etc/warden/queue-test.yaml >"$work/agent-2.log" 2>&1 &
agent_pid=$!
arrived() {
  [[ $(sqlite3 "$server_state/server.db" \
    "SELECT COUNT(*) FROM fleet_problems WHERE (finding_json || title || resource) LIKE '%$listen_port%'" 2>/dev/null) -gt 0 ]]
}
await 60 arrived || { cat "$work/agent-2.log"; fail "the queued problem of port $listen_port never reached the server"; }
kill -0 "$agent_pid" 2>/dev/null || { cat "$work/agent-2.log"; fail "the agent stopped by itself"; }
kill "$agent_pid"
wait "$agent_pid" 2>/dev/null || true
agent_pid=
echo "package_test: the problem queued before the upgrade arrived after it"

step "4. remove keeps state, purge deletes it"
in_root env DEBIAN_FRONTEND=noninteractive apt-get remove -y -q warden-agent >/dev/null
in_root test -s /var/lib/warden/node-key || fail "apt remove deleted the agent's state"
in_root env DEBIAN_FRONTEND=noninteractive apt-get purge -y -q warden-agent >/dev/null
in_root test ! -e /var/lib/warden || fail "apt purge left /var/lib/warden"
in_root test ! -e /etc/warden/agent.yaml || fail "apt purge left /etc/warden/agent.yaml"
echo "package_test: OK"
