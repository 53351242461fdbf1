#!/usr/bin/env bash
# Download/build what the local ctwatch infrastructure needs, start nothing:
# install.sh [kafka] [mongo] (no args: both).
#
# kafka: Kafka jars + log4j2 via Maven into $CTWATCH_CACHE_DIR/kafka-<version>/libs.
# mongo: the FerretDB binary built with Go into
#        $CTWATCH_CACHE_DIR/ferretdb-<version>-<hash>/ferretdb-ctwatch
#        (skipped when MONGODB_URI or a mongod on PATH will be used instead;
#        CTWATCH_MONGO_IMPL=ferretdb forces it), or with
#        CTWATCH_MONGO_IMPL=mongo-java-server its jars + compiled launcher.
# Cached results are reused; use it in CI to warm or measure the cache.
set -euo pipefail

# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

if [[ ${1:-} == -h || ${1:-} == --help ]]; then
	sed -n '2,11s/^# \{0,1\}//p' "${BASH_SOURCE[0]}"
	exit 0
fi
parse_services "$@"

t0=$(now)
for svc in "${SERVICES[@]}"; do
	case $svc in
	kafka)
		find_java
		install_kafka
		;;
	mongo)
		resolve_mongo_impl
		case $MONGO_IMPL_RESOLVED in
		ferretdb) install_ferretdb ;;
		mongo-java-server)
			find_java
			install_mjs
			;;
		*) log "mongo: will use $MONGO_IMPL_RESOLVED, nothing to install (CTWATCH_MONGO_IMPL=ferretdb to build FerretDB anyway)" ;;
		esac
		;;
	esac
done
log "install done in $(elapsed "$t0")s (cache: $CACHE_DIR)"
