#!/usr/bin/env bash
# Regenerates packages/proto/src/gen from proto/ (buf + protoc-gen-es).
#   scripts/proto-gen.sh          regenerate in place
#   scripts/proto-gen.sh --check  fail if the committed code differs (CI)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
buf="$root/node_modules/.bin/buf"
[[ -x "$buf" ]] || { echo "proto-gen: run scripts/bootstrap.sh first (buf not installed)" >&2; exit 1; }
cd "$root/proto"
"$buf" lint
"$buf" format --diff --exit-code
if [[ "${1:-}" == "--check" ]]; then
  tmp="$(mktemp -d)"; trap 'rm -rf "$tmp"' EXIT
  cp -r "$root/packages/proto/src/gen" "$tmp/committed"
  "$buf" generate
  if ! diff -r "$tmp/committed" "$root/packages/proto/src/gen" >/dev/null; then
    diff -ru "$tmp/committed" "$root/packages/proto/src/gen" | head -40 >&2 || true
    rm -rf "$root/packages/proto/src/gen" && cp -r "$tmp/committed" "$root/packages/proto/src/gen"
    echo "proto-gen: generated code is out of date; run 'pnpm proto:gen' and commit the result" >&2
    exit 1
  fi
  echo "proto-gen: generated code is up to date"
else
  "$buf" generate
fi
