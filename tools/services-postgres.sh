#!/usr/bin/env bash
# Starts the real PostgreSQL the leaderboard suites run against (packages/leaderboard: *.test.ts read
# EVALCHEMY_TEST_DATABASE_URL, default postgres://evalchemy:evalchemy@127.0.0.1:54329/evalchemy), when nothing
# listens on 127.0.0.1:54329 yet: Debian's postgresql when initdb is missing, a cluster in
# /var/tmp/evalchemy-postgres (owned by the postgres user when run as root, since initdb refuses root), the
# server on 127.0.0.1:54329, and the role evalchemy (password evalchemy, CREATEDB and CREATEROLE: each test file
# makes a database of its own, and one test a role of its own) with its database evalchemy.
# Safe to run again; it only does what is missing. tools/services.sh runs it; it also runs on its own.
set -euo pipefail

port=54329
cluster=/var/tmp/evalchemy-postgres
log=/var/tmp/evalchemy-postgres.log

root_needed_for="the leaderboard suites run against a real PostgreSQL; install Debian's postgresql, or run as root"
# shellcheck source=tools/as-root.sh
source "$(dirname "${BASH_SOURCE[0]}")/as-root.sh"

pg_bin() {
  local found
  found="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)"
  [ -n "$found" ] && [ -x "$found/initdb" ] && echo "$found"
}

listening() { (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; }

bin="$(pg_bin || true)"
if [ -z "$bin" ] && ! listening; then
  echo "[services] installing Debian package: postgresql"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends postgresql >/dev/null
  bin="$(pg_bin)"
fi

# As root, the cluster belongs to the postgres user (initdb and postgres refuse to run as root).
if [ "$(id -u)" -eq 0 ]; then
  run_as() { su postgres -s /bin/sh -c "$*"; }
  owner=postgres
else
  run_as() { sh -c "$*"; }
  owner="$(id -un)"
fi

if listening; then
  echo "[services] PostgreSQL already listens on 127.0.0.1:$port"
  # A server that is not this script's cluster is left as it is (its roles are its owner's business).
  if [ -z "$bin" ] || [ ! -S "$cluster/.s.PGSQL.$port" ]; then exit 0; fi
else
  if [ ! -s "$cluster/PG_VERSION" ]; then
    echo "[services] creating a PostgreSQL cluster in $cluster"
    mkdir -p "$cluster"
    chown "$owner" "$cluster"
    chmod 700 "$cluster"
    run_as "'$bin/initdb' -D '$cluster' -U postgres --auth-local=trust --auth-host=scram-sha-256 -E UTF8 --locale=C.UTF-8 >/dev/null"
  fi
  touch "$log"
  chown "$owner" "$log"
  echo "[services] starting PostgreSQL on 127.0.0.1:$port (log: $log)"
  # The socket goes into the cluster folder: /var/run/postgresql may not exist or not be writable.
  run_as "'$bin/pg_ctl' -D '$cluster' -l '$log' -w -t 60 -o \"-p $port -c listen_addresses=127.0.0.1 -c unix_socket_directories='$cluster' -c max_connections=200\" start >/dev/null"
fi

psql_admin() { run_as "'$bin/psql' -h '$cluster' -p $port -U postgres -d postgres -v ON_ERROR_STOP=1 -qtA $*"; }
if [ "$(psql_admin "-c \"SELECT 1 FROM pg_roles WHERE rolname = 'evalchemy'\"")" != "1" ]; then
  psql_admin "-c \"CREATE ROLE evalchemy LOGIN CREATEDB CREATEROLE PASSWORD 'evalchemy'\""
else
  psql_admin "-c \"ALTER ROLE evalchemy CREATEDB CREATEROLE\""
fi
if [ "$(psql_admin "-c \"SELECT 1 FROM pg_database WHERE datname = 'evalchemy'\"")" != "1" ]; then
  psql_admin "-c \"CREATE DATABASE evalchemy OWNER evalchemy\""
fi
echo "[services] PostgreSQL ready: postgres://evalchemy:…@127.0.0.1:$port/evalchemy"
