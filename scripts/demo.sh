#!/usr/bin/env bash
# The demo command (README): sets up everything this machine needs (Node, pnpm,
# dependencies, build, Kafka, the MongoDB-wire server), runs the pipeline on
# the fixture CT log and prints alerts as they arrive. Ctrl-C stops it cleanly.
#   CTWATCH_DEMO_SECONDS=60 scripts/demo.sh   stop by itself after 60 s
#   CTWATCH_DEMO_DOMAINS=a.org,b.net          domains the demo tenant watches
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
# shellcheck source=scripts/bootstrap.sh
. "$root/scripts/bootstrap.sh"
echo "[demo] building" >&2
pnpm -s build
echo "[demo] starting Kafka and the MongoDB-wire server (scripts/infra/up.sh)" >&2
bash "$root/scripts/infra/up.sh" >/dev/null
set -a
# shellcheck source=/dev/null
. "${CTWATCH_STATE_DIR:-$root/.infra}/env"
set +a
export CTWATCH_ROOT="$root"
exec node "$root/scripts/demo/dist/demo.js"
