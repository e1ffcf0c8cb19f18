#!/usr/bin/env bash
# Provides the real services the sandbox suites run against (*.docker.test.ts, *.bwrap.test.ts): Debian's
# docker.io, bubblewrap and debootstrap when missing, python3 with Debian's python3-numpy (the bubblewrap suites
# run the canonical solutions with numpy importable and, in a virtualenv without it, without), a running Docker
# engine, and the sandbox image (built once, about 4 minutes, then kept). Safe to run again; it only does what is missing. Installing packages and
# starting dockerd need root (or password-less sudo); without either it stops and says what is missing.
# Needs the build of tools/bootstrap.sh (it builds the image with the CLI). First, the PostgreSQL server the
# leaderboard suites run against (tools/services-postgres.sh, which also runs on its own), and the single-node
# Slurm the Slurm suite submits to (tools/services-slurm.sh, which also runs on its own). Debian's chromium at
# /usr/bin/chromium, which the leaderboard page suites (*.browser.test.ts) drive through playwright-core.
set -euo pipefail
repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

bash "$repo_root/tools/services-postgres.sh"
bash "$repo_root/tools/services-slurm.sh"

root_needed_for="the Docker and bubblewrap suites run against the real services; install them, or run as root"
# shellcheck source=tools/as-root.sh
source "$(dirname "${BASH_SOURCE[0]}")/as-root.sh"

missing=()
command -v dockerd >/dev/null 2>&1 || missing+=(docker.io)
command -v bwrap >/dev/null 2>&1 || missing+=(bubblewrap)
command -v debootstrap >/dev/null 2>&1 || [ -x /usr/sbin/debootstrap ] || missing+=(debootstrap)
# The python3 the process sandbox runs: the first on its PATH.
PATH=/usr/local/bin:/usr/bin:/bin python3 -c 'import numpy' >/dev/null 2>&1 || missing+=(python3 python3-numpy)
[ -x /usr/bin/chromium ] || missing+=(chromium)
if [ "${#missing[@]}" -gt 0 ]; then
  echo "[services] installing Debian packages: ${missing[*]}"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if ! docker info >/dev/null 2>&1 && pgrep -x dockerd >/dev/null 2>&1; then
  echo "[services] dockerd runs but 'docker info' fails: is this user allowed on the Docker socket (group docker)?" >&2
  exit 1
fi
if ! docker info >/dev/null 2>&1; then
  echo "[services] starting dockerd (log: /tmp/evalchemy-dockerd.log)"
  as_root sh -c 'dockerd >/tmp/evalchemy-dockerd.log 2>&1 &'
  for _ in $(seq 1 60); do docker info >/dev/null 2>&1 && break; sleep 1; done
  if ! docker info >/dev/null 2>&1; then
    echo "[services] dockerd did not start:" >&2
    tail -20 /tmp/evalchemy-dockerd.log >&2 || true
    exit 1
  fi
fi

echo "[services] sandbox image"
node "$repo_root/packages/cli/dist/bin.js" sandbox build
