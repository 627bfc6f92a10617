#!/usr/bin/env bash
# make audit: Lighthouse on the home, condition and question pages of the demo site, served by
# gunicorn with production settings (DEBUG off, WhiteNoise) on a throwaway PostgreSQL. Writes
# the four scores per page to docs/lighthouse.md. A report, not a gate.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
# shellcheck source=scripts/lib/postgres.sh
source scripts/lib/postgres.sh  # sets PG_URL and PGTMP; stops the server on exit

PORT=$($BIN/python -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
SITE="http://127.0.0.1:$PORT"
export DEBUG=0 SECRET_KEY="audit-$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')"
export DATABASE_URL="$PG_URL" ALLOWED_HOSTS=127.0.0.1 DISEASEMAPS_SITE_URL="$SITE"
export SECURE_SSL_REDIRECT=0 SECURE_HSTS_SECONDS=0 CACHE_URL=locmemcache:// LOG_LEVEL=WARNING

$BIN/python manage.py migrate --verbosity 0
$BIN/python manage.py load_demo_content >/dev/null 2>&1
$BIN/python manage.py rebuild_search_index
$BIN/python manage.py collectstatic --noinput --verbosity 0

$BIN/gunicorn diseasemaps.wsgi --workers 2 --bind "127.0.0.1:$PORT" --pid "$PGTMP/gunicorn.pid" \
  --log-level warning &
GUNICORN=$!
stop_all() {
  kill "$GUNICORN" 2>/dev/null || true
  wait "$GUNICORN" 2>/dev/null || true
  stop_postgres
}
trap stop_all EXIT
for _ in $(seq 50); do curl -fs -o /dev/null "$SITE/" && break; sleep 0.2; done

export CHROME_PATH=${CHROME_PATH:-/usr/bin/chromium}
REPORTS="$PGTMP/reports"
mkdir -p "$REPORTS"
declare -A PAGES=(
  [home]="/"
  [condition]="/conditions/dfsp/"
  [question]="/conditions/dfsp/questions/standard-treatment/"
)
for name in home condition question; do
  echo "--- Lighthouse: $name"
  node_modules/.bin/lighthouse "$SITE${PAGES[$name]}" --quiet --output=json \
    --output-path="$REPORTS/$name.json" --only-categories=performance,accessibility,best-practices,seo \
    --chrome-flags="--headless=new --no-sandbox --disable-gpu --disable-dev-shm-usage --user-data-dir=$PGTMP/chrome-$name" \
    || echo "Lighthouse failed on $name" >&2
done
$BIN/python scripts/lighthouse_report.py "$REPORTS" docs/lighthouse.md
