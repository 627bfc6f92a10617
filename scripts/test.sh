#!/usr/bin/env bash
# The whole suite: checks, then pytest on a throwaway PostgreSQL 15 server and on SQLite.
# The server lives in a temporary folder on a free loopback port and is stopped on exit,
# also on failure.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin

# shellcheck source=scripts/lib/postgres.sh
source scripts/lib/postgres.sh  # sets PG_URL and PGTMP; stops the server on exit

# Settings as in production, so that the deploy checks see the real configuration.
prod_env=(
  DEBUG=0
  SECRET_KEY="check-deploy-$(od -An -N32 -tx1 /dev/urandom | tr -d ' \n')"
  ALLOWED_HOSTS=diseasemaps.example
  DATABASE_URL="$PG_URL"
  DISEASEMAPS_SITE_URL=https://diseasemaps.example
  DISEASEMAPS_CONTACT_EMAIL=contact@diseasemaps.example
)

echo "--- collectstatic"
env "${prod_env[@]}" $BIN/python manage.py collectstatic --noinput --verbosity 0
echo "--- makemigrations --check"
env "${prod_env[@]}" $BIN/python manage.py makemigrations --check --dry-run
echo "--- check --deploy"
env "${prod_env[@]}" $BIN/python manage.py check --deploy --fail-level WARNING

echo "--- pip-audit (requirements.txt and requirements-dev.txt; allowlist: pip-audit-allowlist.toml)"
$BIN/python scripts/audit_dependencies.py

# The suite runs with the production defaults (DEBUG off), which require a secret key.
export SECRET_KEY="test-$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')"
export DJANGO_ALLOW_ASYNC_UNSAFE=true  # Playwright's sync API runs an event loop in the test thread
# The two runs share nothing (each test starts its own servers on free ports, in its own
# temporary folders), so they run side by side, one per core; each one's output is shown whole
# when it ends.
echo "--- pytest on PostgreSQL, and on SQLite (tests marked postgres_only are left out), at once"
DATABASE_URL="$PG_URL" $BIN/python -m pytest "$@" >"$PGTMP/postgresql.log" 2>&1 &
on_postgresql=$!
DATABASE_URL="sqlite:///$PGTMP/test.sqlite3" $BIN/python -m pytest -m "not postgres_only" "$@" \
  >"$PGTMP/sqlite.log" 2>&1 &
on_sqlite=$!
status=0
wait "$on_sqlite" || status=$?
echo "--- pytest on SQLite"
cat "$PGTMP/sqlite.log"
wait "$on_postgresql" || status=$?
echo "--- pytest on PostgreSQL"
cat "$PGTMP/postgresql.log"
exit "$status"
