#!/usr/bin/env bash
# `make lint`: the formatting and static-analysis gate that CI runs first.
#   1. clang-format 14 (Debian 12's; other versions format differently, so the
#      version is checked, not assumed) over every tracked .cc/.h file;
#   2. clang-tidy with .clang-tidy's checks, findings as errors, over the .cc
#      files changed relative to the main line: origin/main (or main) when this
#      branch has commits of its own, else the last commit, which is what a
#      merge into main brought; plus uncommitted and untracked ones. It uses
#      BUILD_DIR/compile_commands.json (configured here when missing).
#      The checks are few on purpose, so that every finding is worth acting on:
#      bugprone-* (unchecked results, dangling references, misused strings and
#      macros), performance-* (copies of parameters and in loops) and
#      modernize-use-override; the handful that fire on correct code here are
#      disabled in .clang-tidy, each with its reason. A false positive of an
#      enabled check is silenced in place: NOLINT(check) with a comment.
#      Cost: 10-30 s of CPU per file (the headers are parsed as for a compile);
#      a change of 20 files takes about 3 minutes on 2 cores.
# Usage: scripts/lint.sh [BUILD_DIR]. LINT_ALL=1 runs clang-tidy over every .cc.
# It does not fix anything: run `clang-format -i FILE` and read clang-tidy's notes.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
jobs=${JOBS:-$(nproc)}

version=$(clang-format --version 2>/dev/null || true)
if [[ ! $version =~ version\ 14\. ]]; then
  echo "lint: clang-format 14.x (Debian 12's package clang-format) is required;" >&2
  echo "      found: ${version:-no clang-format on PATH}" >&2
  exit 2
fi
echo "lint: clang-format check ($version)"
git ls-files -z '*.cc' '*.h' | xargs -0 clang-format --dry-run --Werror

base=""
for ref in origin/main main; do
  if git rev-parse -q --verify "$ref^{commit}" >/dev/null; then
    base=$(git merge-base HEAD "$ref")
    break
  fi
done
if [[ -z $base || $base == "$(git rev-parse HEAD)" ]]; then
  base=$(git rev-parse -q --verify HEAD~1 || true)
fi
if [[ ${LINT_ALL:-0} == 1 ]]; then
  mapfile -t files < <(git ls-files '*.cc')
  what="every .cc file"
else
  mapfile -t files < <({
    if [[ -n $base ]]; then git diff --name-only --diff-filter=d "$base" -- '*.cc'; fi
    git ls-files --others --exclude-standard -- '*.cc'
  } | sort -u)
  what="the .cc files changed since ${base:0:12}"
fi
# Only files that are compiled (fuzz targets and benchmarks are in other
# presets' compile databases).
if [[ ! -f $build/compile_commands.json ]]; then
  cmake --preset release >/dev/null
fi
mapfile -t files < <(for f in "${files[@]}"; do
  grep -q "\"file\": \"$(pwd)/$f\"" "$build/compile_commands.json" && echo "$f"
done)
if [[ ${#files[@]} -eq 0 ]]; then
  echo "lint: clang-tidy: no compiled .cc file changed since ${base:0:12}"
  exit 0
fi
# The eBPF collector includes a skeleton generated at build time.
if printf '%s\n' "${files[@]}" | grep -q '^src/ebpf/' &&
  ninja -C "$build" -t targets all 2>/dev/null | grep -q '^warden_ebpf_programs:'; then
  cmake --build "$build" --target warden_ebpf_programs >/dev/null
fi
echo "lint: clang-tidy over ${#files[@]} file(s): $what"
if ! printf '%s\0' "${files[@]}" |
  xargs -0 -n 1 -P "$jobs" clang-tidy -p "$build" --quiet --warnings-as-errors='*' \
    --extra-arg=-Wno-unknown-warning-option; then
  echo "lint: clang-tidy found problems (above); checks and their reasons: .clang-tidy" >&2
  exit 1
fi
echo "lint: ok"
