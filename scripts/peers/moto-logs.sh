#!/usr/bin/env bash
# Runs moto's server as a third-party CloudWatch Logs peer for the SigV4 / PutLogEvents
# path, with a log group and stream ready:
#
#   scripts/peers/moto-logs.sh [port] [log-group] [log-stream]     # default 5055 /ctwatch/alerts soc
#
# Installs moto[server] from PyPI into a cached venv on first use (about 40 s, ~320 MB).
# Point a cloudwatch-logs destination at http://127.0.0.1:<port> with any SigV4 keys
# (allowInsecureHttp). Not part of the default test run. Findings (moto 5.2.5):
# PutLogEvents, DescribeLogGroups/Streams and ResourceNotFoundException (HTTP 400,
# {"__type":"ResourceNotFoundException","message":"The specified log group does not exist."})
# behave like CloudWatch; moto does not check SigV4 signatures, does not implement
# JSON metric filter patterns (FilterLogEvents returns everything, TestMetricFilter
# answers 500) and has no HLC (/services/collector/event) endpoint.
set -euo pipefail

PORT="${1:-5055}"
GROUP="${2:-/ctwatch/alerts}"
STREAM="${3:-soc}"
CACHE="${CTWATCH_PEER_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/ctwatch-peers}"
VENV="$CACHE/moto-venv"

if [ ! -x "$VENV/bin/moto_server" ]; then
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet 'moto[server]==5.2.5'
fi

"$VENV/bin/moto_server" -H 127.0.0.1 -p "$PORT" &
server=$!
trap 'kill "$server" 2>/dev/null || true' EXIT INT TERM
for _ in $(seq 1 50); do
  curl -s -o /dev/null "http://127.0.0.1:$PORT/" && break
  sleep 0.2
done

"$VENV/bin/python" - "$PORT" "$GROUP" "$STREAM" <<'PY'
import sys, boto3
port, group, stream = sys.argv[1:4]
logs = boto3.client("logs", region_name="us-east-1", endpoint_url=f"http://127.0.0.1:{port}",
                    aws_access_key_id="AKIAIOSFODNN7EXAMPLE", aws_secret_access_key="moto")
logs.create_log_group(logGroupName=group)
logs.create_log_stream(logGroupName=group, logStreamName=stream)
print(f"moto CloudWatch Logs on http://127.0.0.1:{port} with {group} / {stream}; Ctrl-C stops it")
PY
wait "$server"
