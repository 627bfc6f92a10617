#!/usr/bin/env bash
# make bench: time the question page and search on the demo content, on a throwaway PostgreSQL
# (as in production), and write the figures to docs/benchmarks.md.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
# shellcheck source=scripts/lib/postgres.sh
source scripts/lib/postgres.sh  # sets PG_URL; stops the server on exit

export DEBUG=0 SECRET_KEY="bench-$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')"
export DATABASE_URL="$PG_URL" CACHE_URL=locmemcache:// LOG_LEVEL=WARNING
$BIN/python manage.py collectstatic --noinput --verbosity 0
$BIN/python scripts/bench.py
$BIN/python scripts/bench_fanout.py
