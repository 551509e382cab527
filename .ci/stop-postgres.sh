#!/usr/bin/env bash
# Stops the server started by start-postgres.sh and removes its directory.
set -u
if [ -n "${PG_TEST_DIR:-}" ] && [ -d "$PG_TEST_DIR/data" ]; then
  runuser -u postgres -- "${PG_TEST_BIN:-/usr/lib/postgresql/15/bin}/pg_ctl" -D "$PG_TEST_DIR/data" -m fast stop >/dev/null 2>&1 || true
  rm -rf "$PG_TEST_DIR"
fi
