#!/usr/bin/env bash
# The demo command (README): sets up everything this machine needs (Node, pnpm,
# dependencies, build, Kafka, the MongoDB-wire server), runs the pipeline on
# the fixture CT log and prints alerts as they arrive. Ctrl-C stops it cleanly.
#   CTWATCH_DEMO_SECONDS=60 scripts/demo.sh   stop by itself after 60 s
#   CTWATCH_DEMO_DOMAINS=a.org,b.net          domains the demo tenant watches
#   CTWATCH_DEMO_BRANDS=a.com,b.net           brands watched for lookalikes
#   CTWATCH_KEEP_INFRA=1                      leave Kafka and the MongoDB-wire server
#                                             running at the end (they are stopped
#                                             only if this run started them)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
# shellcheck source=scripts/bootstrap.sh
. "$root/scripts/bootstrap.sh"
echo "[demo] building" >&2
pnpm -s build
started_infra=0
if ! bash "$root/scripts/infra/status.sh" --quiet >/dev/null 2>&1; then started_infra=1; fi
stop_infra() {
  if [[ $started_infra == 1 && "${CTWATCH_KEEP_INFRA:-}" != "1" ]]; then
    echo "[demo] stopping Kafka and the MongoDB-wire server" >&2
    bash "$root/scripts/infra/down.sh" >/dev/null 2>&1 || true
  fi
}
trap stop_infra EXIT
echo "[demo] starting Kafka and the MongoDB-wire server (scripts/infra/up.sh)" >&2
bash "$root/scripts/infra/up.sh" >/dev/null
set -a
# shellcheck source=/dev/null
. "${CTWATCH_STATE_DIR:-$root/.infra}/env"
set +a
export CTWATCH_ROOT="$root"
# Not exec: the EXIT trap stops the servers after the demo. Ctrl-C reaches the
# demo directly (same process group), which stops its services in order; this
# shell only waits for it (a trap handler, not an ignore, so node keeps its
# default signal dispositions).
trap 'true' INT TERM
node "$root/scripts/demo/dist/demo.js"
