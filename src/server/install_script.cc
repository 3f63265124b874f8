#include "server/install_script.h"

#include <string_view>

namespace warden::server {
namespace {

// Single quotes unless the value is plainly safe.
std::string ShellQuote(std::string_view value) {
  bool plain = !value.empty();
  for (char c : value) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    std::string_view("_@%+=:,./-").find(c) != std::string_view::npos;
    if (!ok) plain = false;
  }
  if (plain) return std::string(value);
  std::string out = "'";
  for (char c : value) {
    if (c == '\'')
      out += "'\\''";
    else
      out += c;
  }
  return out + "'";
}

// POSIX sh (dash on Debian). `@@PACKAGES@@` becomes one line per package:
// "ARCH FILE SHA256 PACKAGE VERSION".
constexpr std::string_view kScript = R"SH(#!/bin/sh
# Installs the Warden agent on this host and enrols it with the Warden server
# that served this script (docs/deploy.md in Warden's documentation):
#   curl ... /api/v1/agent/install.sh | sudo sh -s -- --server URL \
#     --ca-fingerprint sha256:HEX --secret wdn_enr_...
# Nothing is installed or written before the server's CA matches the
# fingerprint. Running it again is harmless: same packages, a new node key.
set -eu

server=
fingerprint=
secret=${WARDEN_ENROLL_SECRET:-}
config=/etc/warden/agent.yaml

die() {
  echo "warden install: $*" >&2
  exit 2
}

# All in one function: sh reads the whole script from the pipe before any of
# it runs, so nothing below can swallow the rest of it from stdin.
main() {
while [ $# -gt 0 ]; do
  case $1 in
    --server) [ $# -ge 2 ] || die "--server needs a value"; server=$2; shift 2 ;;
    --ca-fingerprint) [ $# -ge 2 ] || die "--ca-fingerprint needs a value"; fingerprint=$2; shift 2 ;;
    --secret) [ $# -ge 2 ] || die "--secret needs a value"; secret=$2; shift 2 ;;
    *) die "unknown argument '$1' (expected --server, --ca-fingerprint, --secret)" ;;
  esac
done
[ -n "$server" ] || die "--server https://HOST:PORT is required"
case $server in https://*) ;; *) die "--server must be an https:// URL, not '$server'" ;; esac
server=${server%/}
case $fingerprint in
  sha256:*) ;;
  *) die "--ca-fingerprint sha256:HEX is required (the server prints it; the console shows it)" ;;
esac
[ -n "$secret" ] || die "--secret (or \$WARDEN_ENROLL_SECRET) is required"
[ "$(id -u)" = 0 ] || die "run as root: ... | sudo sh -s -- ..."
for tool in curl sha256sum base64 dpkg; do
  command -v "$tool" >/dev/null 2>&1 || die "$tool is missing on this host"
done

umask 077
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# 1. The server's CA, compared with the fingerprint before anything else.
curl -fsS --insecure --max-time 60 "$server/api/v1/agent/ca" -o "$tmp/ca.pem" ||
  die "cannot fetch the server's CA from $server/api/v1/agent/ca"
got=sha256:$(sed -n '/-----BEGIN CERTIFICATE-----/,/-----END CERTIFICATE-----/p' "$tmp/ca.pem" |
  sed '1d;$d' | base64 -d | sha256sum | cut -d' ' -f1)
want=$(printf '%s' "$fingerprint" | tr 'A-F' 'a-f')
[ "$got" = "$want" ] ||
  die "the server's CA is $got, not $want: refusing to install (wrong fingerprint, or not the server you meant)"
echo "warden install: server CA $got matches"

# 2. The packages the server holds for this architecture.
arch=$(dpkg --print-architecture)
printf 'Authorization: Bearer %s\n' "$secret" >"$tmp/auth"
files=
while read -r p_arch p_file p_sha p_package p_version; do
  [ "$p_arch" = "$arch" ] || continue
  have=$(dpkg-query -W -f='${Status} ${Version}' "$p_package" 2>/dev/null || true)
  if [ "$have" = "install ok installed $p_version" ]; then
    echo "warden install: $p_package $p_version is installed"
    continue
  fi
  curl -fsS --cacert "$tmp/ca.pem" --max-time 600 -H "@$tmp/auth" \
    "$server/api/v1/agent/packages/$p_file" -o "$tmp/$p_file" ||
    die "cannot download $p_file from the server (a valid enrol secret is needed)"
  echo "$p_sha  $tmp/$p_file" | sha256sum -c --quiet - ||
    die "$p_file does not have the SHA-256 the server announced: not installed"
  files="$files $tmp/$p_file"
done <<'PACKAGES'
@@PACKAGES@@
PACKAGES
export DEBIAN_FRONTEND=noninteractive
if [ -n "$files" ]; then
  echo "warden install: installing$(for f in $files; do printf ' %s' "${f##*/}"; done)"
  # Keep this host's edits to /etc/warden (its enrolment among them).
  # shellcheck disable=SC2086
  apt-get install -y -q -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold \
    $files </dev/null || die "installing the packages failed (above)"
elif ! dpkg-query -W -f='${Status}' warden-agent 2>/dev/null | grep -q 'install ok installed'; then
  echo "warden install: the server holds no packages for $arch; trying this host's apt sources"
  apt-get install -y -q warden-agent </dev/null ||
    die "warden-agent is not installed and could not be (give the server packages: warden server packages add)"
fi

# 3. Enrolment: the secret goes through the environment, not the command line.
WARDEN_ENROLL_SECRET=$secret warden agent enroll --server "$server" \
  --ca-fingerprint "$want" --config "$config" </dev/null || die "enrolment failed (above)"

# 4. The service.
if [ -d /run/systemd/system ]; then
  systemctl enable --quiet warden-agent.service
  systemctl restart warden-agent.service
  echo "warden install: warden-agent.service is running; it reports to $server"
else
  echo "warden install: no systemd here: start the agent with"
  echo "  warden agent --config $config"
fi
}

main "$@"
)SH";

}  // namespace

std::string InstallScript(const std::vector<AgentPackage>& packages) {
  std::string lines;
  for (const AgentPackage& p : packages)
    lines += p.arch + " " + p.file + " " + p.sha256 + " " + p.package + " " + p.version + "\n";
  if (!lines.empty()) lines.pop_back();
  std::string script(kScript);
  const std::string marker = "@@PACKAGES@@";
  script.replace(script.find(marker), marker.size(), lines);
  return script;
}

std::string InstallCommand(const InstallCommandParts& parts) {
  std::string url = parts.server_url;
  while (!url.empty() && url.back() == '/') url.pop_back();
  return "curl -fsS --insecure --pinnedpubkey " + ShellQuote(parts.key_pin) + " " +
         ShellQuote(url + "/api/v1/agent/install.sh") + " | sudo sh -s -- --server " +
         ShellQuote(url) + " --ca-fingerprint " + ShellQuote(parts.ca_fingerprint) + " --secret " +
         ShellQuote(parts.secret);
}

EnrolCommands CommandsFor(const InstallCommandParts& parts) {
  std::string url = parts.server_url;
  while (!url.empty() && url.back() == '/') url.pop_back();
  EnrolCommands out;
  out.enroll =
      "warden agent enroll --server " + ShellQuote(url) + " --secret " + ShellQuote(parts.secret);
  if (!parts.ca_fingerprint.empty()) {
    out.enroll += " --ca-fingerprint " + ShellQuote(parts.ca_fingerprint);
    if (!parts.key_pin.empty()) out.install = InstallCommand(parts);
  }
  return out;
}

}  // namespace warden::server
