#!/usr/bin/env bash
# Runs a real SMTP server (aiosmtpd from PyPI: Python's asyncio SMTP server, RFC 5321)
# on 127.0.0.1 that stores every message it accepts in a Maildir, with the envelope
# in X-MailFrom / X-RcptTo headers. The sink's incident emails are tested against it.
#
#   scripts/peers/smtp-server.sh <port> <maildir>      # foreground; SIGTERM stops it
#   scripts/peers/smtp-server.sh --install             # only install (cached venv)
#
# Installs aiosmtpd into $CTWATCH_PEER_CACHE/aiosmtpd-venv on first use (a few seconds,
# ~10 MB). Tried first: mailpit through the Go module proxy (the proxy answers 403 for
# github.com/axllent/mailpit here); exim4/postfix would need root and a system config.
set -euo pipefail

VERSION=1.4.6
CACHE="${CTWATCH_PEER_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/ctwatch-peers}"
VENV="$CACHE/aiosmtpd-venv"

command -v python3 >/dev/null || { echo "smtp-server.sh: python3 is required" >&2; exit 2; }
if [[ ! -x "$VENV/bin/python" ]] || ! "$VENV/bin/python" -c "import aiosmtpd, sys; sys.exit(aiosmtpd.__version__ != '$VERSION')" 2>/dev/null; then
  mkdir -p "$CACHE"
  python3 -m venv "$VENV" >&2
  "$VENV/bin/pip" install --quiet --disable-pip-version-check "aiosmtpd==$VERSION" >&2
fi
[[ "${1:-}" == "--install" ]] && exit 0

PORT="${1:?usage: smtp-server.sh <port> <maildir>}"
MAILDIR="${2:?usage: smtp-server.sh <port> <maildir>}"
mkdir -p "$MAILDIR/tmp" "$MAILDIR/new" "$MAILDIR/cur"
# aiosmtpd's Mailbox handler writes each message to a Maildir (new/), adding
# X-Peer, X-MailFrom and X-RcptTo. -n: no setuid; the server answers EHLO with
# SIZE, 8BITMIME, SMTPUTF8 and rejects malformed commands like any MTA.
exec "$VENV/bin/python" -m aiosmtpd -n -l "127.0.0.1:$PORT" -c aiosmtpd.handlers.Mailbox "$MAILDIR"
