"""gunicorn.conf.py: the settings the README's serve command runs with."""

import datetime
import io
import json
import logging
import runpy
from pathlib import Path
from types import SimpleNamespace

import pytest
from gunicorn.config import Config
from gunicorn.glogging import Logger

CONF = Path(__file__).resolve().parents[2] / "gunicorn.conf.py"


def load(monkeypatch, **environ) -> Config:
    """gunicorn's own Config, filled from our file the way `gunicorn -c` fills it."""
    for name, value in environ.items():
        monkeypatch.setenv(name, value)
    config = Config()
    for name, value in runpy.run_path(str(CONF)).items():
        if name in config.settings:
            config.set(name, value)
    return config


def test_workers_threads_and_timeouts_come_from_the_environment(monkeypatch):
    config = load(monkeypatch, GUNICORN_WORKERS="3", GUNICORN_THREADS="4", GUNICORN_TIMEOUT="20")
    assert (config.workers, config.threads, config.timeout) == (3, 4, 20)
    assert config.timeout < 60  # below the proxy's
    assert config.graceful_timeout == config.timeout  # a request in flight may finish
    assert config.max_requests > 0
    assert config.max_requests_jitter > 0


def test_the_control_socket_is_off_unless_this_instance_names_its_own(monkeypatch):
    assert load(monkeypatch).control_socket_disable is True
    config = load(monkeypatch, GUNICORN_CONTROL_SOCKET="/run/diseasemaps/a.ctl")
    assert config.control_socket_disable is False
    assert config.control_socket == "/run/diseasemaps/a.ctl"


def test_the_access_log_is_json_without_the_query_string(monkeypatch):
    config = load(monkeypatch)
    assert "%(q)s" not in config.access_log_format
    assert "%(r)s" not in config.access_log_format
    assert "%(f)s" not in config.access_log_format  # the referrer may hold a query too
    logger = Logger(config)
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.getLogger("gunicorn.access").handlers[0].formatter)
    logger.access_log.handlers = [handler]
    environ = {
        "REQUEST_METHOD": "GET",
        "RAW_URI": "/search/?q=canary-dfsp-symptom",
        "PATH_INFO": "/search/",
        "QUERY_STRING": "q=canary-dfsp-symptom",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "192.0.2.1",
        "HTTP_REFERER": "https://diseasemaps.example/search/?q=canary-dfsp-symptom",
    }
    response = SimpleNamespace(
        status="200 OK", sent=1234, headers=[("X-Request-ID", "abcdef0123456789")]
    )
    request = SimpleNamespace(headers=[], method="GET")
    logger.access(response, request, environ, datetime.timedelta(milliseconds=42))
    line = stream.getvalue().strip()
    assert "canary" not in line
    record = json.loads(line)
    assert record["path"] == "/search/"
    assert record["status"] == "200"
    assert record["request_id"] == "abcdef0123456789"
    assert record["duration_ms"] == 42


@pytest.fixture(autouse=True)
def _restore_logging():
    """Logger(config) applies our logconfig_dict to the process's logging: undo it after."""
    saved = {name: logging.getLogger(name).handlers[:] for name in ("gunicorn.access", "")}
    yield
    for name, handlers in saved.items():
        logging.getLogger(name).handlers = handlers
