#!/usr/bin/env bash
# Sets up a fresh checkout: Node 22 (from the npm registry when the machine's Node is older), pnpm (pinned
# in package.json), dependencies and a build. Safe to run again; it only does what is missing.
# Source it (`. tools/bootstrap.sh`) to keep the PATH it sets.
set -euo pipefail
repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
tools_dir="$repo_root/.tools"
mkdir -p "$tools_dir"
export PATH="$tools_dir/node_modules/.bin:$PATH"

node_major() { node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }
if [ "$(node_major)" -lt 22 ]; then
  echo "[bootstrap] Node $(node --version 2>/dev/null || echo none) is older than 22: installing node@22 from the npm registry into .tools/"
  npm install --prefix "$tools_dir" --no-audit --no-fund --loglevel=error node@22 >/dev/null
  hash -r
fi
pnpm_version="$(node -p 'require(process.argv[1]).packageManager.split("@")[1]' "$repo_root/package.json")"
if [ "$(pnpm --version 2>/dev/null || true)" != "$pnpm_version" ]; then
  echo "[bootstrap] installing pnpm@$pnpm_version into .tools/"
  npm install --prefix "$tools_dir" --no-audit --no-fund --loglevel=error "pnpm@$pnpm_version" >/dev/null
  hash -r
fi
echo "[bootstrap] node $(node --version), pnpm $(pnpm --version)"
cd "$repo_root"
pnpm install --frozen-lockfile --reporter=append-only
pnpm exec nx run-many -t build --outputStyle=static
