#!/usr/bin/env bash
# Puts a suitable Node (>= 22) and pnpm on PATH, installs the workspace, then runs the given pnpm
# command. The machine's Node is used when it is new enough; otherwise Node 24 comes from the npm
# registry's `node` package (never from anywhere else) into .tools/, which is reused afterwards.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
tools="$root/.tools"
pnpm_version="$(sed -n 's/.*"packageManager": *"pnpm@\([^"]*\)".*/\1/p' "$root/package.json")"

node_major() { "${1:-node}" -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }

if [ "$(node_major)" -lt 22 ]; then
  if [ ! -x "$tools/node24/node_modules/.bin/node" ]; then
    echo "callhooks: Node $(node --version 2>/dev/null || echo none) is older than 22; fetching Node 24 from the npm registry into .tools/node24" >&2
    npm install --prefix "$tools/node24" --no-save --no-audit --no-fund --loglevel=error node@24 >&2
  fi
  export PATH="$tools/node24/node_modules/.bin:$PATH"
fi

if ! command -v pnpm >/dev/null 2>&1 || [ "$(pnpm --version 2>/dev/null)" != "$pnpm_version" ]; then
  if [ ! -x "$tools/pnpm/node_modules/.bin/pnpm" ] || [ "$("$tools/pnpm/node_modules/.bin/pnpm" --version)" != "$pnpm_version" ]; then
    echo "callhooks: installing pnpm@$pnpm_version into .tools/pnpm" >&2
    npm install --prefix "$tools/pnpm" --no-save --no-audit --no-fund --loglevel=error "pnpm@$pnpm_version" >&2
  fi
  export PATH="$tools/pnpm/node_modules/.bin:$PATH"
fi

cd "$root"
# A frozen install is a no-op when node_modules already matches the lockfile.
if [ -z "${CALLHOOKS_SKIP_INSTALL:-}" ]; then
  pnpm install --frozen-lockfile --prefer-offline --reporter=silent >&2
fi
export CALLHOOKS_SKIP_INSTALL=1
exec "$@"
