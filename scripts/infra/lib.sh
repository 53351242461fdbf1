# shellcheck shell=bash
# shellcheck disable=SC2034 # variables here are used by the scripts sourcing this file
# Shared code of scripts/infra/{install,up,down,status}.sh. Sourced, not run.
#
# Services: "kafka" (Apache Kafka 4.x, KRaft, one combined broker+controller)
# and "mongo" (a MongoDB-wire server: external MONGODB_URI, a mongod found on
# PATH, or FerretDB v1 with SQLite built from scripts/infra/ferretdb).
# See scripts/infra/README.md.

INFRA_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
REPO_DIR=$(cd "$INFRA_DIR/../.." && pwd -P)

CACHE_DIR=$(realpath -m -- "${CTWATCH_CACHE_DIR:-$HOME/.cache/ctwatch}")
STATE_DIR=$(realpath -m -- "${CTWATCH_STATE_DIR:-$REPO_DIR/.infra}")

HOST=127.0.0.1
KAFKA_VERSION=${CTWATCH_KAFKA_VERSION:-4.4.0}
KAFKA_PORT=${CTWATCH_KAFKA_PORT:-19092}
KAFKA_CONTROLLER_PORT=${CTWATCH_KAFKA_CONTROLLER_PORT:-19093}
KAFKA_HEAP_OPTS=${CTWATCH_KAFKA_HEAP_OPTS:--Xms256m -Xmx1g}
KAFKA_JVM_OPTS=${CTWATCH_KAFKA_JVM_OPTS:-}
MONGO_PORT=${CTWATCH_MONGO_PORT:-27027}
MONGO_IMPL=${CTWATCH_MONGO_IMPL:-auto}
FERRETDB_LOG_LEVEL=${CTWATCH_FERRETDB_LOG_LEVEL:-error}
START_TIMEOUT=${CTWATCH_START_TIMEOUT:-120}
STOP_TIMEOUT=${CTWATCH_STOP_TIMEOUT:-30}

KAFKA_MIN_JAVA=17
GO_MIN_MINOR=24 # FerretDB v1.24 needs Go >= 1.24
FERRETDB_SRC=$INFRA_DIR/ferretdb
FERRETDB_BUILD_FLAGS=(-trimpath -buildvcs=false -tags ferretdb_no_postgresql -ldflags "-s -w")

ALL_SERVICES=(kafka mongo)

log() { printf '[infra] %s\n' "$*" >&2; }
warn() { printf '[infra] WARNING: %s\n' "$*" >&2; }
die() {
	printf '[infra] ERROR: %s\n' "$*" >&2
	exit 1
}

now() { printf '%s' "${EPOCHREALTIME/,/.}"; }
elapsed() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }

check_port_var() { # NAME VALUE
	if ! [[ $2 =~ ^[0-9]+$ ]] || (($2 < 1 || $2 > 65535)); then
		die "$1=$2 is not a valid TCP port"
	fi
}
check_port_var CTWATCH_KAFKA_PORT "$KAFKA_PORT"
check_port_var CTWATCH_KAFKA_CONTROLLER_PORT "$KAFKA_CONTROLLER_PORT"
check_port_var CTWATCH_MONGO_PORT "$MONGO_PORT"
[[ $KAFKA_PORT != "$KAFKA_CONTROLLER_PORT" ]] ||
	die "CTWATCH_KAFKA_PORT and CTWATCH_KAFKA_CONTROLLER_PORT are both $KAFKA_PORT"
[[ $START_TIMEOUT =~ ^[0-9]+$ ]] || die "CTWATCH_START_TIMEOUT=$START_TIMEOUT is not a number of seconds"
[[ $STOP_TIMEOUT =~ ^[0-9]+$ ]] || die "CTWATCH_STOP_TIMEOUT=$STOP_TIMEOUT is not a number of seconds"

# parse_services ARGS... -> SERVICES array (no args: all services)
parse_services() {
	SERVICES=()
	local a
	for a in "$@"; do
		case $a in
		kafka | mongo) [[ " ${SERVICES[*]} " == *" $a "* ]] || SERVICES+=("$a") ;;
		*) die "unknown service '$a' (expected: kafka, mongo)" ;;
		esac
	done
	((${#SERVICES[@]})) || SERVICES=("${ALL_SERVICES[@]}")
}

# ---------------------------------------------------------------- locks, dirs

# lock_state / lock_cache: exclusive locks on fd 9 (state dir, held until the
# script exits) and fd 8 (cache installs, released by unlock_cache).
# Children must be started with 8>&- 9>&- so that they do not inherit a lock.
lock_fd() { # FD FILE
	mkdir -p "$(dirname "$2")"
	eval "exec $1>\"\$2\""
	if ! flock -n "$1"; then
		log "waiting for another infra script holding $2 ..."
		flock -w 900 "$1" || die "timed out waiting for lock $2"
	fi
}
lock_state() { lock_fd 9 "$STATE_DIR/.lock"; }
lock_cache() { lock_fd 8 "$CACHE_DIR/.install.lock"; }
unlock_cache() { exec 8>&-; }

ensure_state_dir() {
	mkdir -p "$STATE_DIR"
	# marker: down.sh --purge only deletes a directory carrying it
	[[ -e $STATE_DIR/.ctwatch-infra ]] || echo "ctwatch local infrastructure state (scripts/infra)" >"$STATE_DIR/.ctwatch-infra"
	# keep data, logs and pid files out of git without touching the repo's .gitignore
	[[ -e $STATE_DIR/.gitignore ]] || printf '*\n' >"$STATE_DIR/.gitignore"
}

# --------------------------------------------------------------- processes

pid_file() { printf '%s/%s/%s.pid' "$STATE_DIR" "$1" "$1"; }

# service_pid SVC: prints the pid of the running service started from this
# state dir; fails if none (a stale pid file is removed).
service_pid() {
	local f pid
	f=$(pid_file "$1")
	[[ -f $f ]] || return 1
	pid=$(<"$f")
	if [[ $pid =~ ^[0-9]+$ ]] && kill -0 "$pid" 2>/dev/null &&
		tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF -- "$STATE_DIR/$1/"; then
		printf '%s' "$pid"
		return 0
	fi
	rm -f "$f"
	return 1
}

# stop_pid SVC PID: SIGTERM, wait up to STOP_TIMEOUT s, then SIGKILL.
stop_pid() {
	local svc=$1 pid=$2 i
	kill -TERM "$pid" 2>/dev/null || return 0
	for ((i = 0; i < STOP_TIMEOUT * 4; i++)); do
		kill -0 "$pid" 2>/dev/null || return 0
		sleep 0.25
	done
	warn "$svc (pid $pid) did not stop within ${STOP_TIMEOUT}s after SIGTERM; sending SIGKILL"
	kill -KILL "$pid" 2>/dev/null || return 0
	for ((i = 0; i < 40; i++)); do
		kill -0 "$pid" 2>/dev/null || return 0
		sleep 0.25
	done
	die "$svc (pid $pid) is still alive after SIGKILL"
}

stop_service() {
	local svc=$1 pid t0
	rm -f "$STATE_DIR/$svc/external.uri"
	if pid=$(service_pid "$svc"); then
		t0=$(now)
		log "$svc: stopping pid $pid (SIGTERM) ..."
		stop_pid "$svc" "$pid"
		rm -f "$(pid_file "$svc")"
		log "$svc: stopped in $(elapsed "$t0")s"
	else
		log "$svc: not running"
	fi
}

# ------------------------------------------------------------------- ports

# port_in_use PORT: something listens on it (any local address)
port_in_use() {
	if command -v ss >/dev/null 2>&1; then
		[[ -n $(ss -Htln "sport = :$1" 2>/dev/null) ]]
	else
		# shellcheck disable=SC2016 # expanded by the inner bash
		timeout 2 bash -c 'exec 3<>"/dev/tcp/$1/$2"' _ "$HOST" "$1" 2>/dev/null
	fi
}

port_owner() {
	local out=""
	if command -v ss >/dev/null 2>&1; then
		out=$(ss -Htlnp "sport = :$1" 2>/dev/null | grep -o 'users:.*' | head -n 1)
	fi
	if [[ -z $out ]] && command -v fuser >/dev/null 2>&1; then
		out=$(fuser -n tcp "$1" 2>/dev/null | xargs -r ps -o pid=,comm= -p 2>/dev/null | head -n 1)
	fi
	printf '%s' "${out:-an unknown process}"
}

require_free_port() { # PORT WHAT VAR
	if port_in_use "$1"; then
		die "port $1 ($2) is already in use by $(port_owner "$1"). Stop that process or choose another port with $3=..."
	fi
}

# kafka_answers PORT: a Kafka ApiVersions v0 request gets error_code 0
kafka_answers() {
	local out
	# shellcheck disable=SC2016 # expanded by the inner bash
	out=$(timeout 5 bash -c '
		exec 3<>"/dev/tcp/$1/$2" || exit 1
		printf "\x00\x00\x00\x11\x00\x12\x00\x00\x00\x00\x00\x07\x00\x07ctwatch" >&3
		dd bs=1 count=10 status=none <&3' _ "$HOST" "$1" 2>/dev/null | od -An -v -tx1 | tr -d ' \n') || return 1
	# size(4) correlation_id=7(4) error_code=0(2)
	[[ $out =~ ^[0-9a-f]{8}000000070000$ ]]
}

# mongo_answers PORT: an OP_MSG {isMaster: 1, $db: "admin"} gets a reply with ok: 1
# (isMaster, not hello: mongo-java-server only knows the legacy name)
mongo_answers() {
	local out
	# shellcheck disable=SC2016 # expanded by the inner bash
	out=$(timeout 5 bash -c '
		exec 3<>"/dev/tcp/$1/$2" || exit 1
		printf "\x37\x00\x00\x00\x01\x00\x00\x00\x00\x00\x00\x00\xdd\x07\x00\x00\x00\x00\x00\x00\x00\x22\x00\x00\x00\x10isMaster\x00\x01\x00\x00\x00\x02\$db\x00\x06\x00\x00\x00admin\x00\x00" >&3
		read -r len _ respto op < <(dd bs=1 count=16 status=none <&3 | od -An -v -tu4)
		[[ ${op:-} == 2013 && ${respto:-} == 1 ]] && ((len > 16 && len < 65536)) || exit 1
		dd bs=1 count=$((len - 16)) status=none <&3' _ "$HOST" "$1" 2>/dev/null | od -An -v -tx1 | tr -d ' \n') || return 1
	# "ok" as double 1.0 or int32 1
	[[ $out == *016f6b00000000000000f03f* || $out == *106f6b0001000000* ]]
}

# ------------------------------------------------------------------- tools

find_java() {
	if [[ -n ${JAVA_HOME:-} && -x $JAVA_HOME/bin/java ]]; then
		JAVA=$JAVA_HOME/bin/java
	elif JAVA=$(command -v java); then
		:
	else
		die "java not found (neither \$JAVA_HOME/bin/java nor java on PATH). Kafka $KAFKA_VERSION needs Java $KAFKA_MIN_JAVA+ (Debian: apt-get install openjdk-17-jre-headless)"
	fi
	local ver major
	ver=$("$JAVA" -version 2>&1 | awk -F'"' '/version/ { print $2; exit }')
	major=${ver%%.*}
	[[ $major == 1 ]] && major=$(cut -d. -f2 <<<"$ver")
	[[ $major =~ ^[0-9]+$ ]] || die "cannot tell the version of $JAVA (java -version said: $("$JAVA" -version 2>&1 | head -n 1))"
	((major >= KAFKA_MIN_JAVA)) || die "$JAVA is Java $ver; Kafka $KAFKA_VERSION needs Java $KAFKA_MIN_JAVA or newer (set JAVA_HOME to a newer JDK)"
}

find_go() {
	if GO=$(command -v go); then
		:
	elif [[ -x /usr/local/go/bin/go ]]; then
		GO=/usr/local/go/bin/go
	else
		die "go not found (on PATH or /usr/local/go/bin). Building FerretDB needs Go >= 1.$GO_MIN_MINOR"
	fi
	local v minor
	v=$(GOTOOLCHAIN=local "$GO" env GOVERSION 2>/dev/null) || die "$GO env GOVERSION failed"
	minor=$(sed -nE 's/^go1\.([0-9]+).*/\1/p' <<<"$v")
	if [[ -z $minor ]] || ((minor < GO_MIN_MINOR)); then
		die "$GO is $v; building FerretDB needs Go >= 1.$GO_MIN_MINOR"
	fi
}

# ------------------------------------------------------------------ kafka

kafka_home() { printf '%s/kafka-%s' "$CACHE_DIR" "$KAFKA_VERSION"; }
kafka_libs() { printf '%s/libs' "$(kafka_home)"; }
kafka_stamp() { { printf 'kafka %s\n' "$KAFKA_VERSION"; cat "$INFRA_DIR/kafka/pom.xml"; } | sha256sum | cut -d' ' -f1; }

kafka_installed() {
	local home
	home=$(kafka_home)
	[[ -f $home/.installed && $(<"$home/.installed") == "$(kafka_stamp)" && -f $home/libs/kafka_2.13-$KAFKA_VERSION.jar ]]
}

# maven_fetch DIR POM [MVN_ARGS...]: copy POM's runtime dependencies into DIR/libs
maven_fetch() {
	local dir=$1 pom=$2
	shift 2
	command -v mvn >/dev/null 2>&1 ||
		die "mvn (Maven) not found: it is needed once to download jars into $CACHE_DIR (Debian: apt-get install maven)"
	cp "$pom" "$dir/pom.xml"
	if ! (cd "$dir" && mvn -B -ntp -Dstyle.color=never -f pom.xml dependency:copy-dependencies \
		-DincludeScope=runtime "-DoutputDirectory=$dir/libs" "$@" >"$dir/install.log" 2>&1 8>&- 9>&-); then
		tail -n 40 "$dir/install.log" >&2
		return 1
	fi
	rm -f "$dir/pom.xml"
}

# publish_dir TMP HOME: atomically replace HOME with the finished TMP
publish_dir() {
	chmod 755 "$1"
	if [[ -e $2 ]]; then
		mv "$2" "$1.old"
	fi
	mv -T "$1" "$2"
	rm -rf "$1.old"
}

install_kafka() {
	[[ $KAFKA_VERSION =~ ^4\.[0-9]+\.[0-9]+$ ]] || die "CTWATCH_KAFKA_VERSION=$KAFKA_VERSION: these scripts support Kafka 4.x (KRaft only)"
	if kafka_installed; then
		log "kafka: $KAFKA_VERSION jars cached in $(kafka_libs)"
		return 0
	fi
	lock_cache
	if kafka_installed; then
		unlock_cache
		log "kafka: $KAFKA_VERSION jars cached in $(kafka_libs)"
		return 0
	fi
	rm -rf "$CACHE_DIR"/.kafka-*.tmp.* # leftovers of interrupted installs
	local home tmp t0
	home=$(kafka_home)
	tmp=$(mktemp -d "$CACHE_DIR/.kafka-$KAFKA_VERSION.tmp.XXXXXX")
	t0=$(now)
	log "kafka: downloading Kafka $KAFKA_VERSION jars with Maven ..."
	if ! maven_fetch "$tmp" "$INFRA_DIR/kafka/pom.xml" "-Dkafka.version=$KAFKA_VERSION"; then
		rm -rf "$tmp"
		die "mvn download of the Kafka $KAFKA_VERSION jars failed (Maven output above). Check network access to Maven Central and that version $KAFKA_VERSION exists"
	fi
	if [[ ! -f $tmp/libs/kafka_2.13-$KAFKA_VERSION.jar ]]; then
		rm -rf "$tmp"
		die "mvn finished but kafka_2.13-$KAFKA_VERSION.jar is missing from the download"
	fi
	kafka_stamp >"$tmp/.installed"
	publish_dir "$tmp" "$home"
	unlock_cache
	log "kafka: $(find "$home/libs" -name '*.jar' | wc -l) jars ($(du -sh "$home/libs" | cut -f1)) in $(kafka_libs), took $(elapsed "$t0")s"
}

# ------------------------------------------------------- mongo-java-server

MJS_SRC=$INFRA_DIR/mongo-java-server
mjs_version() { sed -nE 's|.*<mongo-java-server.version>([^<]+)</mongo-java-server.version>.*|\1|p' "$MJS_SRC/pom.xml"; }
mjs_home() {
	local hash
	hash=$(cat "$MJS_SRC/pom.xml" "$MJS_SRC/CtwatchMongoJavaServer.java" | sha256sum | cut -c1-12)
	printf '%s/mongo-java-server-%s-%s' "$CACHE_DIR" "$(mjs_version)" "$hash"
}

install_mjs() {
	local home tmp t0 javac old
	home=$(mjs_home)
	if [[ -f $home/.installed ]]; then
		log "mongo: mongo-java-server $(mjs_version) cached in $home"
		return 0
	fi
	lock_cache
	if [[ -f $home/.installed ]]; then
		unlock_cache
		log "mongo: mongo-java-server $(mjs_version) cached in $home"
		return 0
	fi
	javac=$(dirname "$(realpath "$JAVA")")/javac
	[[ -x $javac ]] || die "javac not found next to $JAVA: compiling the mongo-java-server launcher needs a JDK (Debian: apt-get install openjdk-17-jdk-headless)"
	rm -rf "$CACHE_DIR"/.mongo-java-server-*.tmp.*
	tmp=$(mktemp -d "$CACHE_DIR/.mongo-java-server.tmp.XXXXXX")
	t0=$(now)
	log "mongo: downloading mongo-java-server $(mjs_version) jars with Maven ..."
	if ! maven_fetch "$tmp" "$MJS_SRC/pom.xml"; then
		rm -rf "$tmp"
		die "mvn download of mongo-java-server $(mjs_version) failed (Maven output above)"
	fi
	if ! "$javac" -nowarn -d "$tmp/classes" -cp "$tmp/libs/*" "$MJS_SRC/CtwatchMongoJavaServer.java" >>"$tmp/install.log" 2>&1; then
		tail -n 20 "$tmp/install.log" >&2
		rm -rf "$tmp"
		die "javac of CtwatchMongoJavaServer.java failed (output above)"
	fi
	date -u +%FT%TZ >"$tmp/.installed"
	publish_dir "$tmp" "$home"
	for old in "$CACHE_DIR"/mongo-java-server-*; do
		if [[ -d $old && $old != "$home" ]]; then rm -rf "$old"; fi
	done
	unlock_cache
	log "mongo: mongo-java-server $(mjs_version) in $home, took $(elapsed "$t0")s"
}

# ---------------------------------------------------------------- ferretdb

ferretdb_version() {
	grep -oE 'github\.com/FerretDB/FerretDB v[0-9A-Za-z.+-]+' "$FERRETDB_SRC/go.mod" | head -n 1 | cut -d' ' -f2
}
ferretdb_bin() {
	local hash
	hash=$({ cat "$FERRETDB_SRC/main.go" "$FERRETDB_SRC/go.mod" "$FERRETDB_SRC/go.sum"; printf '%s\n' "${FERRETDB_BUILD_FLAGS[@]}"; } | sha256sum | cut -c1-12)
	printf '%s/ferretdb-%s-%s/ferretdb-ctwatch' "$CACHE_DIR" "$(ferretdb_version)" "$hash"
}

install_ferretdb() {
	local bin dir tmp t0 old
	bin=$(ferretdb_bin)
	dir=$(dirname "$bin")
	if [[ -x $bin ]]; then
		log "mongo: FerretDB $(ferretdb_version) binary cached at $bin"
		return 0
	fi
	lock_cache
	if [[ -x $bin ]]; then
		unlock_cache
		log "mongo: FerretDB $(ferretdb_version) binary cached at $bin"
		return 0
	fi
	find_go
	mkdir -p "$dir"
	rm -f "$dir"/.ferretdb-ctwatch.tmp.*
	tmp=$(mktemp "$dir/.ferretdb-ctwatch.tmp.XXXXXX")
	t0=$(now)
	log "mongo: building FerretDB $(ferretdb_version) (Go module proxy, SQLite backend, CGO off) with $("$GO" env GOVERSION) ..."
	if ! (cd "$FERRETDB_SRC" && CGO_ENABLED=0 GOTOOLCHAIN=local GOWORK=off GOFLAGS=-mod=readonly \
		"$GO" build "${FERRETDB_BUILD_FLAGS[@]}" -o "$tmp" . >"$dir/build.log" 2>&1 8>&- 9>&-); then
		tail -n 40 "$dir/build.log" >&2
		rm -f "$tmp"
		die "go build of FerretDB $(ferretdb_version) failed (output above, full log: $dir/build.log)"
	fi
	chmod 755 "$tmp"
	mv -f "$tmp" "$bin"
	# drop binaries of older main.go/go.mod/go.sum versions
	for old in "$CACHE_DIR"/ferretdb-*; do
		if [[ -d $old && $old != "$dir" ]]; then rm -rf "$old"; fi
	done
	unlock_cache
	log "mongo: built $bin ($(du -h "$bin" | cut -f1)), took $(elapsed "$t0")s"
}

own_mongo_uri() { printf 'mongodb://%s:%s/' "$HOST" "$MONGO_PORT"; }

# resolve_mongo_impl -> MONGO_IMPL_RESOLVED: external | mongod | ferretdb
resolve_mongo_impl() {
	local uri=${MONGODB_URI:-}
	case $MONGO_IMPL in
	auto)
		if [[ -n $uri && $uri != "$(own_mongo_uri)" ]]; then
			MONGO_IMPL_RESOLVED=external
		elif command -v mongod >/dev/null 2>&1; then
			MONGO_IMPL_RESOLVED=mongod
		else
			MONGO_IMPL_RESOLVED=ferretdb
		fi
		;;
	external)
		[[ -n $uri ]] || die "CTWATCH_MONGO_IMPL=external but MONGODB_URI is not set"
		MONGO_IMPL_RESOLVED=external
		;;
	mongod)
		command -v mongod >/dev/null 2>&1 || die "CTWATCH_MONGO_IMPL=mongod but no mongod on PATH"
		MONGO_IMPL_RESOLVED=mongod
		;;
	ferretdb | mongo-java-server) MONGO_IMPL_RESOLVED=$MONGO_IMPL ;;
	*) die "CTWATCH_MONGO_IMPL=$MONGO_IMPL: expected auto, external, mongod, ferretdb or mongo-java-server" ;;
	esac
}

# --------------------------------------------------------------------- env

# env_quote VALUE: raw when safe, else single-quoted (valid for sh and dotenv)
env_quote() {
	if [[ $1 =~ ^[A-Za-z0-9_@%+=:,./?~-]*$ ]]; then
		printf '%s' "$1"
	else
		printf "'%s'" "${1//\'/\'\\\'\'}"
	fi
}

# write_env: $STATE_DIR/env lists what is running now (KEY=VALUE lines)
write_env() {
	local lines=() port impl uri f=$STATE_DIR/env
	[[ -d $STATE_DIR ]] || return 0
	if service_pid kafka >/dev/null; then
		read -r port _ <"$STATE_DIR/kafka/ports"
		lines+=("KAFKA_BROKERS=$HOST:$port")
	fi
	if [[ -f $STATE_DIR/mongo/external.uri ]]; then
		uri=$(<"$STATE_DIR/mongo/external.uri")
		lines+=("MONGODB_URI=$(env_quote "$uri")" "CTWATCH_MONGO_IMPL=external")
	elif service_pid mongo >/dev/null; then
		read -r port <"$STATE_DIR/mongo/port"
		impl=$(<"$STATE_DIR/mongo/impl")
		lines+=("MONGODB_URI=mongodb://$HOST:$port/" "CTWATCH_MONGO_IMPL=$impl")
	fi
	if ((${#lines[@]})); then
		printf '%s\n' "${lines[@]}" >"$f.tmp"
		mv -f "$f.tmp" "$f"
	else
		rm -f "$f"
	fi
}

print_tail() { # FILE [N]
	[[ -s $1 ]] || return 0
	printf '[infra] ---- last %s lines of %s ----\n' "${2:-30}" "$1" >&2
	tail -n "${2:-30}" "$1" >&2
	printf '[infra] ----\n' >&2
}
