#!/usr/bin/env bash
# Stop the local ctwatch infrastructure: down.sh [--purge] [kafka] [mongo]
# (no service args: all).
#
# Each service gets SIGTERM, up to CTWATCH_STOP_TIMEOUT (30) seconds to exit,
# then SIGKILL; pid files are removed. Idempotent: stopping what is not
# running is fine. --purge also deletes the data: the whole state dir
# ($CTWATCH_STATE_DIR, default <repo>/.infra) when no service is named, else
# only the named services' directories in it. The download cache is kept.
set -euo pipefail

# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

purge=0
args=()
for a in "$@"; do
	case $a in
	--purge) purge=1 ;;
	-h | --help)
		sed -n '2,9s/^# \{0,1\}//p' "${BASH_SOURCE[0]}"
		exit 0
		;;
	*) args+=("$a") ;;
	esac
done
parse_services "${args[@]}"

if [[ ! -d $STATE_DIR ]]; then
	log "nothing to stop: $STATE_DIR does not exist"
	exit 0
fi
lock_state

for svc in "${SERVICES[@]}"; do
	stop_service "$svc"
done

if ((purge)); then
	if ((${#args[@]} == 0)); then
		[[ -f $STATE_DIR/.ctwatch-infra ]] ||
			die "refusing to delete $STATE_DIR: it lacks the .ctwatch-infra marker that up.sh writes"
		case $STATE_DIR in / | "$HOME" | "$REPO_DIR") die "refusing to delete $STATE_DIR" ;; esac
		rm -rf -- "$STATE_DIR"
		log "purged $STATE_DIR"
		exit 0
	fi
	for svc in "${SERVICES[@]}"; do
		rm -rf -- "${STATE_DIR:?}/$svc"
		log "$svc: purged $STATE_DIR/$svc"
	done
fi
write_env
