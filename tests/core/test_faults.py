"""
Faults of the services the site stands on, as a reader meets them: a database that refuses
connections, one that accepts and never answers, a statement that runs too long, a cache that
cannot be reached. Each ends in the 503 page with Retry-After, never a hang or a traceback.

The first tests run the real thing: gunicorn with gunicorn.conf.py and production settings, in
a process of its own, asked over HTTP with a client that gives up after 5 seconds.
"""

import contextlib
import json
import os
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request

import psycopg
import pytest
from django.conf import settings as django_settings
from django.db import connection
from django.test import Client
from django.urls import reverse

from tests.factories import ConditionFactory

BOUND = 5  # seconds a reader may wait for an answer, whatever is down


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def fetch(port: int, path: str, timeout: float = BOUND) -> tuple[int, dict, str]:
    request = urllib.request.Request(  # noqa: S310 (our own loopback server)
        f"http://127.0.0.1:{port}{path}",
        headers={"Host": "diseasemaps.example", "X-Forwarded-Proto": "https"},
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            return response.status, dict(response.headers), response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read().decode()


@contextlib.contextmanager
def gunicorn(database_url: str, **environ):
    """gunicorn on a free port with production settings; yields (port, its log lines)."""
    port = free_port()
    env = {
        **os.environ,
        "DEBUG": "0",
        "SECRET_KEY": "fault-test-" + "x" * 40,
        "ALLOWED_HOSTS": "diseasemaps.example",
        "SECURE_PROXY_SSL_HEADER": "1",
        "DATABASE_URL": database_url,
        "DB_CONNECT_TIMEOUT": "2",
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "GUNICORN_WORKERS": "1",
        **environ,
    }
    env.pop("DJANGO_SETTINGS_MODULE", None)
    process = subprocess.Popen(  # noqa: S603 (our own server)
        [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "diseasemaps.wsgi"],
        cwd=django_settings.BASE_DIR,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    lines: list[str] = []
    reader = threading.Thread(
        target=lambda: lines.extend(line.decode() for line in process.stdout), daemon=True
    )
    reader.start()
    try:
        deadline = time.monotonic() + 90
        while True:  # until a worker has loaded the app (start-up is not what is measured)
            with contextlib.suppress(OSError):
                if fetch(port, "/static/css/site.css", timeout=30)[0] == 200:
                    break
            assert process.poll() is None, "".join(lines)
            assert time.monotonic() < deadline, "gunicorn did not start"
            time.sleep(0.2)
        yield port, lines
    finally:
        process.terminate()
        process.wait(timeout=30)
        reader.join(timeout=5)


def assert_friendly_503(status: int, headers: dict, body: str) -> None:
    assert status == 503
    assert headers["Retry-After"] == "30"
    assert "DiseaseMaps is busy for a moment" in body
    assert "Traceback" not in body


def test_a_database_that_refuses_connections_gives_a_503_and_health_names_it():
    closed = free_port()
    with gunicorn(f"postgres://app:app@127.0.0.1:{closed}/app") as (port, log):
        assert_friendly_503(*fetch(port, "/"))
        assert_friendly_503(*fetch(port, "/search/?q=canary-search-term"))
        status, _, body = fetch(port, "/health/")
        assert status == 503
        checks = json.loads(body)["checks"]
        assert checks["database"] == "unavailable"
        assert checks["storage"] == "ok"
    # The access log has the request, as JSON, without the search terms.
    access = [json.loads(line) for line in log if line.startswith("{") and '"path"' in line]
    (search,) = [record for record in access if record["path"] == "/search/"]
    assert search["status"] == "503"
    assert search["method"] == "GET"
    assert len(search["request_id"]) == 32
    assert not any("canary-search-term" in line for line in log)


def test_a_database_that_accepts_and_never_answers_gives_a_503_within_the_bound():
    listener = socket.create_server(("127.0.0.1", 0))
    held = []

    def accept_and_say_nothing():
        with contextlib.suppress(OSError):
            while True:
                held.append(listener.accept())

    threading.Thread(target=accept_and_say_nothing, daemon=True).start()
    try:
        url = f"postgres://app:app@127.0.0.1:{listener.getsockname()[1]}/app"
        with gunicorn(url) as (port, _):
            assert_friendly_503(*fetch(port, "/"))
    finally:
        for accepted, _ in held:
            accepted.close()
        listener.close()


@pytest.mark.postgres_only  # statement_timeout is PostgreSQL's
@pytest.mark.django_db
def test_connections_are_opened_with_the_configured_timeouts():
    with connection.cursor() as cursor:
        cursor.execute("SHOW statement_timeout")
        assert cursor.fetchone() == ("3s",)
        cursor.execute("SHOW idle_in_transaction_session_timeout")
        assert cursor.fetchone() == ("10s",)
    assert connection.settings_dict["OPTIONS"]["connect_timeout"] == 3


@pytest.mark.postgres_only  # statement_timeout is PostgreSQL's
@pytest.mark.django_db(transaction=True)
def test_a_statement_that_runs_past_the_timeout_gives_a_503():
    condition = ConditionFactory()
    params = connection.get_connection_params()
    params.pop("cursor_factory", None)
    params.pop("context", None)
    with psycopg.connect(**params) as other:
        # Another session holds the table, so the page's query waits until it is cancelled.
        other.execute("LOCK TABLE conditions_condition IN ACCESS EXCLUSIVE MODE")
        response = Client().get(condition.get_absolute_url())
        other.rollback()
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert "DiseaseMaps is busy for a moment" in response.content.decode()


@pytest.mark.django_db
def test_a_cache_that_cannot_be_reached_gives_a_503(settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "diseasemaps.core.cache.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{free_port()}/0",
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
    response = Client().post(
        reverse("account_login"), {"login": "someone@example.org", "password": "whatever-it-is"}
    )
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
