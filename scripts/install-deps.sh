#!/usr/bin/env bash
# Installs every Debian 12 package Warden needs to build, test, benchmark and fuzz.
# Idempotent: packages already present are skipped, and apt is not touched at all
# when nothing is missing. Must run as root (or with sudo available).
set -euo pipefail

PACKAGES=(
  # toolchain
  build-essential cmake ninja-build pkg-config ccache clang llvm libclang-rt-14-dev
  # libraries
  libsqlite3-dev libsimdjson-dev nlohmann-json3-dev libyaml-cpp-dev libpcre2-dev
  libcurl4-openssl-dev libssl-dev libcli11-dev libedit-dev libmagic-dev libsystemd-dev
  librpm-dev zlib1g-dev libbz2-dev libzip-dev libxml2-dev libbpf-dev libelf-dev bpftool
  # the server: Boost.Beast/Asio 1.81 (not 1.74, see docs/architecture.md), passwords and tokens,
  # JSON Schema validation of API requests and responses
  libboost1.81-dev libsodium-dev libvalijson-dev
  # lint (make lint pins clang-format 14, Debian 12's)
  clang-format clang-tidy
  # the web console's browser tests drive Debian's Chromium (Node.js and npm: below)
  chromium
  # make package (debhelper, a manual page from --help) and its test: lintian,
  # a fresh Debian 12 root from mmdebstrap, systemd-analyze for the units
  debhelper dpkg-dev help2man lintian mmdebstrap systemd
  # tests and benchmarks
  libgtest-dev libgmock-dev libbenchmark-dev rpm python3 python3-apt python3-rpm
  bzip2 procps iproute2 iptables jq sqlite3 rsyslog pciutils usbutils file openssh-client kmod util-linux
)

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q '^install ok installed$'; then
    missing+=("$p")
  fi
done
# The web console (make web) needs Node.js 18 or later and npm: Debian's nodejs and npm
# packages, unless node and npm are already there (a NodeSource nodejs brings its own
# npm and conflicts with Debian's npm package).
command -v node >/dev/null 2>&1 || missing+=(nodejs)
command -v npm >/dev/null 2>&1 || missing+=(npm)

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
echo "install-deps: installing ${missing[*]}" >&2
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
