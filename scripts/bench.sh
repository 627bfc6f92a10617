#!/usr/bin/env bash
# make bench: time the pages at demo size and with the scale data, in-process and under wrk
# against gunicorn, on a throwaway PostgreSQL and Redis (as in production), and write the
# figures to docs/benchmarks.md. BENCH_SCALE=0.01 makes a quick try (1 is the full size).
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
if [ "$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi
for tool in wrk redis-server; do
  command -v "$tool" >/dev/null 2>&1 || {
    echo "Installing Debian's $tool for the benchmark..."
    $SUDO apt-get update -qq && $SUDO apt-get install -y -qq "$tool" >/dev/null
  }
done
# shellcheck source=scripts/lib/postgres.sh
source scripts/lib/postgres.sh  # sets PG_URL; stops the server on exit

# The shared cache (the page cache, sessions, rate limits) on a throwaway Redis, as production.
REDIS_PORT=$($BIN/python -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
redis-server --bind 127.0.0.1 --port "$REDIS_PORT" --save '' --appendonly no --daemonize yes \
  --pidfile "$PGTMP/redis.pid" --dir "$PGTMP" >/dev/null
stop_all() {
  redis-cli -p "$REDIS_PORT" shutdown nosave >/dev/null 2>&1 || true
  stop_postgres
}
trap stop_all EXIT

export DEBUG=0 SECRET_KEY="bench-$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')"
export DATABASE_URL="$PG_URL" CACHE_URL="redis://127.0.0.1:$REDIS_PORT/0" LOG_LEVEL=WARNING
# Sessions in Redis, as the README's production settings have them.
export SESSION_ENGINE=django.contrib.sessions.backends.cache
# A member reads the question page thousands of times here: the limit is counted, not reached.
export DISEASEMAPS_MEMBER_READS_PER_ACCOUNT=1000000000 DISEASEMAPS_MEMBER_READS_PER_ADDRESS=1000000000
$BIN/python manage.py collectstatic --noinput --verbosity 0
$BIN/python scripts/bench.py
$BIN/python scripts/bench_fanout.py
