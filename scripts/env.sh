#!/usr/bin/env bash
# Runs a command with the project's toolchain on PATH (after bootstrapping it).
#   scripts/env.sh pnpm build
set -euo pipefail
# shellcheck source=scripts/bootstrap.sh
. "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/bootstrap.sh"
exec "$@"
