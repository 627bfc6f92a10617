# A throwaway PostgreSQL 15 server in a temporary folder on a free loopback port, stopped on
# exit, also on failure. Source it from a bash script run from the repository root with
# BIN=.venv/bin set; it sets PG_URL (the app's database) and PGTMP (the folder).
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
