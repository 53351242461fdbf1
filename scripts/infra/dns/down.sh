#!/usr/bin/env bash
# Stop the test DNS server started by scripts/infra/dns/up.sh (SIGTERM, then
# SIGKILL after 10 s). Idempotent. `--purge` also deletes $STATE/dns.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
repo=$(cd "$here/../../.." && pwd -P)
state=$(realpath -m -- "${CTWATCH_STATE_DIR:-$repo/.infra}")/dns

log() { printf '[dns] %s\n' "$*" >&2; }

if [[ -f $state/named.pid ]]; then
	pid=$(<"$state/named.pid")
	if [[ $pid =~ ^[0-9]+$ ]] && kill -0 "$pid" 2>/dev/null &&
		tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF -- "$state/named.conf"; then
		log "stopping named (pid $pid) ..."
		kill -TERM "$pid" 2>/dev/null || true
		for ((i = 0; i < 40; i++)); do
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.25
		done
		if kill -0 "$pid" 2>/dev/null; then
			log "named (pid $pid) did not stop after SIGTERM; sending SIGKILL"
			kill -KILL "$pid" 2>/dev/null || true
		fi
		log "stopped"
	else
		log "not running"
	fi
	rm -f "$state/named.pid"
else
	log "not running"
fi
rm -f "$state/env"
if [[ ${1:-} == --purge && -d $state ]]; then
	rm -rf "$state"
	log "removed $state"
fi
