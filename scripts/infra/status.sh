#!/usr/bin/env bash
# Show the local ctwatch infrastructure: status.sh [--quiet]
#
# Prints, per service, whether it runs from this state dir, its pid, ports,
# memory (RSS), and whether it answers a protocol-level probe (Kafka
# ApiVersions, MongoDB isMaster). Exit status: 0 when every service runs (or
# mongo is external), 3 otherwise. --quiet prints nothing (exit status only).
set -euo pipefail

# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

case ${1:-} in
-h | --help)
	sed -n '2,7s/^# \{0,1\}//p' "${BASH_SOURCE[0]}"
	exit 0
	;;
-q | --quiet) exec >/dev/null ;;
"") ;;
*) die "unknown argument '$1' (usage: status.sh [--quiet])" ;;
esac

rss() { awk '{ printf "%.0f MiB", $1 / 1024 }' < <(ps -o rss= -p "$1"); }
uptime_of() { ps -o etime= -p "$1" | tr -d ' '; }

echo "state dir: $STATE_DIR"
echo "cache dir: $CACHE_DIR"
rc=0

if pid=$(service_pid kafka 2>/dev/null); then
	read -r kport cport <"$STATE_DIR/kafka/ports"
	health="NOT ANSWERING"
	kafka_answers "$kport" && health="answering"
	printf 'kafka  running  pid %-7s %s:%s (controller %s)  Kafka %s  rss %s  up %s  %s\n' \
		"$pid" "$HOST" "$kport" "$cport" "$(cat "$STATE_DIR/kafka/version" 2>/dev/null)" "$(rss "$pid")" "$(uptime_of "$pid")" "$health"
	[[ $health == answering ]] || rc=3
else
	printf 'kafka  stopped\n'
	rc=3
fi

if [[ -f $STATE_DIR/mongo/external.uri ]]; then
	printf 'mongo  external %s (MONGODB_URI; nothing started)\n' "$(<"$STATE_DIR/mongo/external.uri")"
elif pid=$(service_pid mongo 2>/dev/null); then
	read -r mport <"$STATE_DIR/mongo/port"
	impl=$(cat "$STATE_DIR/mongo/desc" 2>/dev/null || cat "$STATE_DIR/mongo/impl")
	health="NOT ANSWERING"
	mongo_answers "$mport" && health="answering"
	printf 'mongo  running  pid %-7s %s:%s  %s  rss %s  up %s  %s\n' \
		"$pid" "$HOST" "$mport" "$impl" "$(rss "$pid")" "$(uptime_of "$pid")" "$health"
	[[ $health == answering ]] || rc=3
else
	printf 'mongo  stopped\n'
	rc=3
fi

if [[ -f $STATE_DIR/env ]]; then
	echo "env file: $STATE_DIR/env"
	sed 's/^/  /' "$STATE_DIR/env"
fi
exit "$rc"
