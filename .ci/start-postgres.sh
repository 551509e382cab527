#!/usr/bin/env bash
# Starts a throw-away PostgreSQL 15 server (Debian's packages) as the postgres user, on a temporary
# data directory and port, and prints the TEST_DATABASE_URL for it. Installs the server if missing.
# Usage: eval "$(bash .ci/start-postgres.sh)"   (exports TEST_DATABASE_URL and PG_TEST_DIR)
set -euo pipefail
# The first free port from 55432 up, so a server left running elsewhere does not get in the way.
port="${PG_TEST_PORT:-55432}"
while (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do port=$((port + 1)); done
bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
if [ -z "$bindir" ] || [ ! -x "$bindir/initdb" ]; then
  echo "installing PostgreSQL from Debian's packages…" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  apt-get install -y -qq postgresql >&2
  bindir=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
fi
dir=$(mktemp -d /tmp/poortwachter-pg.XXXXXX)
chown postgres:postgres "$dir"
runuser -u postgres -- "$bindir/initdb" -D "$dir/data" -U postgres -A trust --no-sync >/dev/null
if ! runuser -u postgres -- "$bindir/pg_ctl" -D "$dir/data" -l "$dir/log" -w \
  -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200" start >&2; then
  cat "$dir/log" >&2
  exit 1
fi
runuser -u postgres -- "$bindir/psql" -h 127.0.0.1 -p "$port" -U postgres -c "create database poortwachter_test" >/dev/null
echo "export PG_TEST_DIR=$dir PG_TEST_BIN=$bindir"
echo "export TEST_DATABASE_URL=postgres://postgres@127.0.0.1:$port/poortwachter_test"
