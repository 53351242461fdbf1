#!/usr/bin/env bash
# The project's test command (README, CI): installs the toolchain and
# dependencies, checks lint/format, generated-code drift and types, builds,
# starts real Kafka and a MongoDB-wire server (scripts/infra), and runs unit,
# integration and end-to-end tests. Ends with one summary line:
#   tests: N passed, N failed, N skipped
#
#   scripts/test.sh                 everything
#   scripts/test.sh --unit          unit tests only (no servers)
#   scripts/test.sh -- <jest args>  pass arguments to jest
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

unit_only=0
jest_args=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --unit) unit_only=1 ;;
    --) shift; jest_args=("$@"); break ;;
    *) echo "test.sh: unknown option $1" >&2; exit 2 ;;
  esac
  shift
done

export DEBIAN_FRONTEND=noninteractive
step() { printf '\n==> %s\n' "$1" >&2; }

step "toolchain and dependencies"
# shellcheck source=scripts/bootstrap.sh
. "$root/scripts/bootstrap.sh"
node --version >&2

step "lint and format (biome)"
pnpm -s lint
step "generated protobuf code is up to date"
pnpm -s proto:check
step "type check"
pnpm -s typecheck
step "build"
pnpm -s build

state="${CTWATCH_STATE_DIR:-$root/.infra}"
mkdir -p "$state"
results="$state/jest-results.json"
rm -f "$results"

started_infra=0
started_dns=0
cleanup() {
  if [[ $started_infra == 1 && "${CTWATCH_KEEP_INFRA:-}" != "1" ]]; then
    step "stopping infrastructure"
    bash "$root/scripts/infra/down.sh" >&2 || true
  fi
  if [[ $started_dns == 1 && "${CTWATCH_KEEP_INFRA:-}" != "1" ]]; then
    bash "$root/scripts/infra/dns/down.sh" >&2 || true
  fi
}
trap cleanup EXIT

projects=(--selectProjects unit integration)
if [[ $unit_only == 1 ]]; then
  projects=(--selectProjects unit)
elif [[ "${TEST_INFRA:-auto}" != "external" && "${TEST_INFRA:-auto}" != "docker" ]]; then
  step "infrastructure (Kafka, MongoDB-wire server)"
  if ! bash "$root/scripts/infra/status.sh" --quiet >/dev/null 2>&1; then started_infra=1; fi
  bash "$root/scripts/infra/up.sh" >&2
  step "test DNS server (BIND9, for the DNS-based detectors)"
  started_dns=1
  bash "$root/scripts/infra/dns/up.sh" >&2
fi

step "jest"
set +e
node "$root/node_modules/jest/bin/jest.js" "${projects[@]}" --ci --json --outputFile="$results" "${jest_args[@]}"
rc=$?
set -e
if [[ -f "$results" ]]; then
  node -e '
    const r = require(process.argv[1]);
    const skipped = r.numPendingTests + r.numTodoTests;
    console.log(`tests: ${r.numPassedTests} passed, ${r.numFailedTests} failed, ${skipped} skipped`);
    if (r.numTotalTests === 0) { console.error("no tests ran"); process.exit(1); }
  ' "$results" || rc=1
else
  echo "tests: 0 passed, 1 failed, 0 skipped"
  rc=1
fi
exit $rc
