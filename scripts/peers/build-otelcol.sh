#!/usr/bin/env bash
# Builds an OpenTelemetry Collector that contains the contrib Splunk HEC receiver
# (a real, third-party HEC server to run ctwatch's Splunk adapter against) with the
# collector builder (ocb), from the Go module proxy, into a cache directory.
#
#   scripts/peers/build-otelcol.sh            # builds $CACHE/otelcol-ctwatch-hec
#   OTELCOL_VERSION=0.165.0 scripts/peers/build-otelcol.sh
#
# Not part of the default test run. Prints the build time and binary size.
# Finding (2026-11): the builder and core modules resolve, but this workplace's module
# proxy answers 403 "This module version is not available" for
# github.com/open-telemetry/opentelemetry-collector-contrib/receiver/splunkhecreceiver,
# so the build stops there; the script reports that and exits 3.
set -euo pipefail

VERSION="${OTELCOL_VERSION:-0.165.0}"
CACHE="${CTWATCH_PEER_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/ctwatch-peers}"
WORK="$CACHE/otelcol-$VERSION"
MODULE=github.com/open-telemetry/opentelemetry-collector-contrib/receiver/splunkhecreceiver
mkdir -p "$WORK"

command -v go >/dev/null || { echo "go is required (Go 1.24+)" >&2; exit 2; }
export GOFLAGS=-mod=mod GOPROXY="${GOPROXY:-https://proxy.golang.org}"
# sum.golang.org is not reachable from this workplace; the proxy still serves verified zips.
export GOSUMDB="${GOSUMDB:-off}"

probe=$(curl -sS -o /dev/null -w "%{http_code}" "$GOPROXY/$MODULE/@v/v$VERSION.info" || echo 000)
if [ "$probe" != "200" ]; then
  echo "module proxy answers HTTP $probe for $MODULE@v$VERSION: cannot build the contrib HEC receiver here" >&2
  exit 3
fi

cat > "$WORK/builder-config.yaml" <<YAML
dist:
  name: otelcol-ctwatch-hec
  description: OpenTelemetry Collector with the Splunk HEC receiver, for ctwatch peer tests
  output_path: $WORK/dist
receivers:
  - gomod: $MODULE v$VERSION
exporters:
  - gomod: go.opentelemetry.io/collector/exporter/debugexporter v$VERSION
YAML
# No providers section: the builder then includes its default confmap providers (env, file, yaml, …).

start=$(date +%s)
go run "go.opentelemetry.io/collector/cmd/builder@v$VERSION" --config "$WORK/builder-config.yaml"
end=$(date +%s)
binary="$WORK/dist/otelcol-ctwatch-hec"
echo "built $binary in $((end - start)) s, $(du -h "$binary" | cut -f1)"
