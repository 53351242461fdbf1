#!/usr/bin/env bash
# Start the test DNS server: an authoritative-only BIND9 (Debian's `bind9`
# package) on 127.0.0.1:$CTWATCH_DNS_PORT (default 15353, UDP and TCP) serving
# the detector test zones in zones/ (CAA on a parent only, issuewild only, an
# unknown critical tag, RFC 8657 parameters, a CNAME into Azure that resolves and
# ones that are NXDOMAIN, an asuid TXT, and zones that fail to load: SERVFAIL).
#
# Installs bind9 with apt-get when `named` is missing and we are root. Reuses a
# healthy server already started from the same state dir. Writes
# $STATE/dns/env (CTWATCH_TEST_DNS_SERVER=127.0.0.1:PORT) and prints it.
# Stop it with scripts/infra/dns/down.sh. Variables: CTWATCH_STATE_DIR
# (default <repo>/.infra), CTWATCH_DNS_PORT, CTWATCH_START_TIMEOUT (s, 60).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
repo=$(cd "$here/../../.." && pwd -P)
state=$(realpath -m -- "${CTWATCH_STATE_DIR:-$repo/.infra}")/dns
port=${CTWATCH_DNS_PORT:-15353}
timeout_s=${CTWATCH_START_TIMEOUT:-60}

log() { printf '[dns] %s\n' "$*" >&2; }
die() {
	printf '[dns] ERROR: %s\n' "$*" >&2
	exit 1
}
[[ $port =~ ^[0-9]+$ ]] && ((port >= 1 && port <= 65535)) || die "CTWATCH_DNS_PORT=$port is not a valid port"

find_named() {
	local p
	for p in "$(command -v named 2>/dev/null || true)" /usr/sbin/named; do
		if [[ -n $p && -x $p ]]; then
			printf '%s' "$p"
			return 0
		fi
	done
	return 1
}

install_named() {
	((EUID == 0)) || die "named (BIND9) is not installed; run: sudo apt-get install bind9"
	command -v apt-get >/dev/null || die "named (BIND9) is not installed and apt-get is not available"
	log "installing bind9 from Debian packages ..."
	export DEBIAN_FRONTEND=noninteractive
	if ! apt-get install -y --no-install-recommends bind9 >"$state/apt.log" 2>&1; then
		apt-get update >>"$state/apt.log" 2>&1 || true
		apt-get install -y --no-install-recommends bind9 >>"$state/apt.log" 2>&1 ||
			{
				tail -n 20 "$state/apt.log" >&2
				die "apt-get install bind9 failed (log: $state/apt.log)"
			}
	fi
	# Debian's package may start a system named on port 53 where services start
	# on install; ours is separate and leaves that one alone.
}

# answers: a UDP query for ". SOA" gets a response with rcode NOERROR
answers() {
	local out
	# shellcheck disable=SC2016 # expanded by the inner bash
	out=$(timeout 2 bash -c '
		exec 3<>"/dev/udp/127.0.0.1/$1" || exit 1
		printf "\x12\x34\x00\x00\x00\x01\x00\x00\x00\x00\x00\x00\x00\x00\x06\x00\x01" >&3
		dd bs=512 count=1 status=none <&3' _ "$port" 2>/dev/null | od -An -v -tx1 -N4 | tr -d ' \n') || return 1
	# id 1234, QR set, rcode 0
	[[ $out =~ ^12348[0-9a-f][0-9a-f]0$ ]]
}

running_pid() {
	local pid
	[[ -f $state/named.pid ]] || return 1
	pid=$(<"$state/named.pid")
	[[ $pid =~ ^[0-9]+$ ]] && kill -0 "$pid" 2>/dev/null &&
		tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF -- "$state/named.conf" || return 1
	printf '%s' "$pid"
}

write_env() {
	printf 'CTWATCH_TEST_DNS_SERVER=127.0.0.1:%s\n' "$port" >"$state/env"
	cat "$state/env"
}

mkdir -p "$state"
exec 9>"$state/.lock"
flock -w 120 9 || die "timed out waiting for $state/.lock"

if pid=$(running_pid); then
	read -r running_port <"$state/port" || true
	[[ ${running_port:-} == "$port" ]] ||
		die "the test DNS server already runs from $state (pid $pid) on port ${running_port:-?}; run scripts/infra/dns/down.sh first"
	if answers; then
		log "already running and healthy (pid $pid, 127.0.0.1:$port), reusing it"
		write_env
		exit 0
	fi
	die "named (pid $pid) runs from $state but does not answer on 127.0.0.1:$port; see $state/named.log or run down.sh"
fi

named=$(find_named) || {
	install_named
	named=$(find_named) || die "named still not found after installing bind9"
}
if command -v ss >/dev/null && [[ -n $(ss -Hluntp "sport = :$port" 2>/dev/null) ]]; then
	die "port $port is already in use ($(ss -Hluntp "sport = :$port" | grep -o 'users:.*' | head -n 1)); choose another with CTWATCH_DNS_PORT"
fi

rm -rf "$state/zones"
cp -r "$here/zones" "$state/zones"
sed -e "s|@STATE@|$state|g" -e "s|@PORT@|$port|g" "$here/named.conf.in" >"$state/named.conf"
printf '%s\n' "$port" >"$state/port"
[[ -f $state/named.log ]] && mv -f "$state/named.log" "$state/named.log.prev"
log "starting $("$named" -v) on 127.0.0.1:$port (state $state) ..."
# -g: foreground, log to stderr; -n 1: one worker thread (tests need little); -4: IPv4 only.
setsid nohup "$named" -g -4 -n 1 -c "$state/named.conf" >"$state/named.log" 2>&1 </dev/null 9>&- &
pid=$!
printf '%s\n' "$pid" >"$state/named.pid"
deadline=$((SECONDS + timeout_s))
until grep -q 'running' "$state/named.log" 2>/dev/null && answers; do
	if ! kill -0 "$pid" 2>/dev/null; then
		tail -n 30 "$state/named.log" >&2 || true
		die "named exited during start; log: $state/named.log"
	fi
	if ((SECONDS >= deadline)); then
		tail -n 30 "$state/named.log" >&2 || true
		kill "$pid" 2>/dev/null || true
		die "named did not answer within ${timeout_s}s; log: $state/named.log"
	fi
	sleep 0.2
done
log "ready on 127.0.0.1:$port (pid $pid)"
write_env
