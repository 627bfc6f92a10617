"""The settings PgBouncer in transaction mode needs are environment variables (README)."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _database_settings(**environment) -> dict:
    code = (
        "import json; from diseasemaps import settings as s; d = s.DATABASES['default'];"
        "print(json.dumps([d['CONN_MAX_AGE'], d['DISABLE_SERVER_SIDE_CURSORS']]))"
    )
    env = {
        **os.environ,
        "SECRET_KEY": "db-test",
        "DATABASE_URL": "postgres://u:p@127.0.0.1:6432/diseasemaps",
        **environment,
    }
    result = subprocess.run(  # noqa: S603 (our own settings module)
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    )
    return json.loads(result.stdout)


def test_behind_pgbouncer_connections_are_not_kept_and_cursors_stay_client_side():
    assert _database_settings() == [60, False]
    assert _database_settings(CONN_MAX_AGE="0", DB_DISABLE_SERVER_SIDE_CURSORS="1") == [0, True]
