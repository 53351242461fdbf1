#!/usr/bin/env bash
# Builds grpcurl (github.com/fullstorydev/grpcurl) from the Go module proxy into a
# cache directory and prints the binary's path on stdout. Idempotent: a cached
# binary of the requested version is reused.
#
#   scripts/peers/grpcurl.sh                         # the pinned version (reproducible; no network once cached)
#   GRPCURL_VERSION=latest scripts/peers/grpcurl.sh  # the newest release the proxy lists
#   GRPCURL_VERSION=v1.9.3 scripts/peers/grpcurl.sh
#
# test/e2e/api-tools.test.ts calls it; when it cannot build (no Go, the proxy refuses
# the module) it exits non-zero with the reason on stderr.
set -euo pipefail

MODULE=github.com/fullstorydev/grpcurl
CACHE="${CTWATCH_PEER_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/ctwatch-peers}"
export GOFLAGS=-mod=mod GOPROXY="${GOPROXY:-https://proxy.golang.org}"
# sum.golang.org is not reachable from every workplace; the proxy serves verified zips.
export GOSUMDB="${GOSUMDB:-off}"

version="${GRPCURL_VERSION:-v1.9.4}"
if [[ "$version" == latest ]]; then
  # The proxy's @latest endpoint may be missing; the version list is enough.
  version=$(curl -fsS "$GOPROXY/$MODULE/@v/list" | grep -E '^v[0-9]+\.[0-9]+\.[0-9]+$' | sort -V | tail -1) || true
  [[ -n "$version" ]] || { echo "grpcurl.sh: the module proxy lists no version of $MODULE" >&2; exit 3; }
fi

bin="$CACHE/grpcurl-$version/grpcurl"
if [[ ! -x "$bin" ]]; then
  command -v go >/dev/null || { echo "grpcurl.sh: go is required to build grpcurl (Go 1.22+)" >&2; exit 2; }
  mkdir -p "$CACHE/grpcurl-$version"
  started=$(date +%s)
  if ! GOBIN="$CACHE/grpcurl-$version" go install "$MODULE/cmd/grpcurl@$version" >&2; then
    echo "grpcurl.sh: go install $MODULE/cmd/grpcurl@$version failed (see above)" >&2
    exit 3
  fi
  echo "grpcurl.sh: built grpcurl $version in $(($(date +%s) - started)) s" >&2
fi
echo "$bin"
