"""
A page refreshed by one app process is refreshed for every other: a second process (gunicorn,
with production settings) shares the PostgreSQL database and the real Redis cache with the test.
"""

import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from django.db import connection

from diseasemaps.answers.models import AnswerRevision
from tests.factories import ReviewerFactory, StaffFactory, published_question
from tests.pagecache.test_page_cache import _publish_new_text
from tests.services import free_port

ROOT = Path(__file__).resolve().parents[2]


def _database_url() -> str:
    db = connection.settings_dict
    return f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"


@pytest.fixture
def second_process(redis_cache, redis_url):
    """Another app process on its own port, over the test's database and Redis."""
    port = free_port()
    env = {
        **os.environ,
        "DEBUG": "0",
        "SECRET_KEY": "second-process",
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "0",
        "DATABASE_URL": _database_url(),
        "CACHE_URL": redis_url,
        "CONN_MAX_AGE": "0",
    }
    process = subprocess.Popen(  # noqa: S603 (our own server and arguments)
        [
            sys.executable,
            "-m",
            "gunicorn",
            "diseasemaps.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "1",
            "--no-control-socket",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(base + "/robots.txt", timeout=2)  # noqa: S310
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("the second app process did not start") from None
                time.sleep(0.2)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=20)


def _read(url: str) -> str:
    with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 (our own server)
        return response.read().decode()


@pytest.mark.postgres_only  # reason: two processes share the test database, which SQLite's is not
@pytest.mark.django_db(transaction=True)
def test_publishing_here_refreshes_the_page_another_process_stored(second_process):
    question = published_question(title="Is it treated with surgery?")
    url = second_process + question.get_absolute_url()
    assert "A short answer." in _read(url)
    # Changed behind the cache's back (no signal): the other process keeps serving its page.
    AnswerRevision.objects.filter(pk=question.live_revision_id).update(short_answer="Unseen.")
    assert "A short answer." in _read(url)
    editor, reviewer = StaffFactory(roles=["Editor"]), ReviewerFactory()
    _publish_new_text(question, editor, reviewer, "Published through this process.")
    assert "Published through this process." in _read(url)
