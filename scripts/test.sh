#!/usr/bin/env bash
# The whole suite: checks, then pytest on a throwaway PostgreSQL 15 server, then on SQLite.
# The server lives in a temporary folder on a free loopback port and is stopped on exit,
# also on failure.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin

PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}
[ -x "$PGBIN/initdb" ] || { echo "PostgreSQL 15 server binaries not found in $PGBIN" >&2; exit 1; }
PGPORT=$($BIN/python -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
PGTMP=$(mktemp -d)
if [ "$(id -u)" = 0 ]; then
  chown postgres:postgres "$PGTMP"
  aspg() { runuser -u postgres -- "$@"; }
else
  aspg() { "$@"; }
fi
stop_postgres() {
  aspg "$PGBIN/pg_ctl" -D "$PGTMP/data" -m fast -w stop >/dev/null 2>&1 || true
  rm -rf "$PGTMP"
}
trap stop_postgres EXIT
aspg "$PGBIN/initdb" -D "$PGTMP/data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 --no-sync >/dev/null
aspg "$PGBIN/pg_ctl" -D "$PGTMP/data" -l "$PGTMP/server.log" -w -t 30 \
  -o "-c listen_addresses=127.0.0.1 -p $PGPORT -k $PGTMP -c fsync=off -c full_page_writes=off" start >/dev/null
aspg "$PGBIN/psql" -h 127.0.0.1 -p "$PGPORT" -U postgres -q \
  -c "CREATE ROLE app LOGIN PASSWORD 'app' CREATEDB" -c "CREATE DATABASE app OWNER app"
PG_URL="postgres://app:app@127.0.0.1:$PGPORT/app"

# Settings as in production, so that the deploy checks see the real configuration.
prod_env=(
  DEBUG=0
  SECRET_KEY="check-deploy-$(od -An -N32 -tx1 /dev/urandom | tr -d ' \n')"
  ALLOWED_HOSTS=diseasemaps.example
  DATABASE_URL="$PG_URL"
  DISEASEMAPS_SITE_URL=https://diseasemaps.example
)

echo "--- collectstatic"
env "${prod_env[@]}" $BIN/python manage.py collectstatic --noinput --verbosity 0
echo "--- makemigrations --check"
env "${prod_env[@]}" $BIN/python manage.py makemigrations --check --dry-run
echo "--- check --deploy"
env "${prod_env[@]}" $BIN/python manage.py check --deploy --fail-level WARNING

# The suite runs with the production defaults (DEBUG off), which require a secret key.
export SECRET_KEY="test-$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')"
export DJANGO_ALLOW_ASYNC_UNSAFE=true  # Playwright's sync API runs an event loop in the test thread
echo "--- pytest on PostgreSQL"
DATABASE_URL="$PG_URL" $BIN/python -m pytest "$@"
echo "--- pytest on SQLite (tests marked postgres_only are left out)"
DATABASE_URL="sqlite:///$PGTMP/test.sqlite3" $BIN/python -m pytest -m "not postgres_only" "$@"
