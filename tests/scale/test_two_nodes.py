"""
Two app nodes, as in production: two gunicorn processes started with gunicorn.conf.py and the
README's production environment (DEBUG off, the cache and the sessions on Redis, uploads on
S3), over the same PostgreSQL test database, the same Redis and the same S3 bucket. A visitor
goes from one node to the other at every step, as a load balancer without sticky sessions
would send them, and nothing of what they did is lost on the way.
"""

import http.client
import os
import re
import subprocess
import sys
import time
import urllib.request
from contextlib import ExitStack, contextmanager
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import pytest
from allauth.account.models import EmailAddress
from django.conf import global_settings, settings
from django.core import mail
from django.db import connection
from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart

from diseasemaps.members.models import MemberProfile
from diseasemaps.search.views import SEARCH_LIMIT
from tests.core.test_tasks import run_worker
from tests.factories import TEST_PASSWORD, ExperienceFactory, MemberFactory, published_question
from tests.members import images
from tests.services import free_port

ROOT = Path(__file__).resolve().parents[2]
pytestmark = [
    pytest.mark.postgres_only,  # reason: the nodes share the test database, not possible on SQLite
    pytest.mark.django_db(transaction=True),
]


def _database_url() -> str:
    db = connection.settings_dict
    return f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"


@contextmanager
def _node(environment: dict):
    """One gunicorn process with gunicorn.conf.py on a free loopback port; yields its URL."""
    port = free_port()
    process = subprocess.Popen(  # noqa: S603 (our own server and arguments)
        [sys.executable, "-m", "gunicorn", "diseasemaps.wsgi"],
        cwd=ROOT,
        env={
            **environment,
            "GUNICORN_BIND": f"127.0.0.1:{port}",
            "GUNICORN_WORKERS": "1",
            "GUNICORN_THREADS": "2",
        },
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(base + "/robots.txt", timeout=2)  # noqa: S310
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("an app node did not start") from None
                time.sleep(0.2)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=30)


@pytest.fixture
def nodes(settings, redis_cache, redis_url, s3_storage):
    """Two nodes with the production environment; the test process shares their services."""
    import json

    settings.SESSION_ENGINE = "django.contrib.sessions.backends.cache"
    # The nodes check passwords with the production hashers: the test stores them that way.
    settings.PASSWORD_HASHERS = global_settings.PASSWORD_HASHERS
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}
    }
    environment = {
        **os.environ,
        "DEBUG": "0",
        # The test process reads the sessions the nodes write: one secret for all.
        "SECRET_KEY": settings.SECRET_KEY,
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "0",
        "DATABASE_URL": _database_url(),
        "CACHE_URL": redis_url,
        "SESSION_ENGINE": "django.contrib.sessions.backends.cache",
        "STORAGE_BACKEND": "storages.backends.s3.S3Storage",
        "STORAGE_OPTIONS": json.dumps(s3_storage),
        "CONN_MAX_AGE": "0",
        "DISEASEMAPS_SITE_URL": "http://127.0.0.1",
    }
    with ExitStack() as stack:
        yield [stack.enter_context(_node(environment)) for _ in range(2)]


class Visitor:
    """
    A person's browser, cut down: it keeps the cookies the site sets (Secure ones included, as
    the proxy in front of the nodes would carry them over HTTPS) and sends each request to
    whichever node it is told to.
    """

    def __init__(self):
        self.cookies = SimpleCookie()

    def request(self, base: str, method: str, path: str, body=None, content_type=None):
        parts = urlsplit(base)
        conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=20)
        headers = {"Host": "127.0.0.1"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={m.value}" for k, m in self.cookies.items())
        if content_type:
            headers["Content-Type"] = content_type
        conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        response.text = response.read().decode(errors="replace")
        for header in response.headers.get_all("Set-Cookie") or []:
            self.cookies.load(header)
            for name, morsel in list(self.cookies.items()):
                if morsel["max-age"] == "0" or not morsel.value:
                    del self.cookies[name]
        conn.close()
        return response

    def get(self, base: str, path: str):
        return self.request(base, "GET", path)

    def post_form(self, base: str, path: str, data: dict, *, form_from: str | None = None):
        """Fill in the form of the page at `path` (or `form_from`) read from `base`; send it."""
        page = self.get(base, form_from or path)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
        fields = {"csrfmiddlewaretoken": token, **data}
        if any(hasattr(value, "read") for value in fields.values()):
            return self.request(
                base, "POST", path, encode_multipart(BOUNDARY, fields), MULTIPART_CONTENT
            )
        return self.request(
            base, "POST", path, urlencode(fields), "application/x-www-form-urlencoded"
        )


def _verified_member(**kwargs):
    user = MemberFactory(**kwargs)
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    return user


def _log_in(visitor, base, user):
    response = visitor.post_form(
        base, "/accounts/login/", {"login": user.email, "password": TEST_PASSWORD}
    )
    assert (response.status, response.getheader("Location")) == (302, "/"), response.text[:3000]


def test_a_session_made_on_one_node_is_valid_on_the_other_and_ends_on_both(nodes):
    one, two = nodes
    member = _verified_member()
    visitor = Visitor()
    _log_in(visitor, one, member)
    assert settings.SESSION_COOKIE_NAME in visitor.cookies
    for base in (two, one, two):
        assert visitor.get(base, "/members/me/profile/").status == 200
    response = visitor.post_form(two, "/accounts/logout/", {})
    assert response.status == 302
    assert visitor.get(one, "/members/me/profile/").status == 302


def test_a_rate_limit_is_counted_across_both_nodes(nodes):
    one, two = nodes
    visitor = Visitor()
    for attempt in range(SEARCH_LIMIT.limit):
        base = (one, two)[attempt % 2]
        assert visitor.get(base, f"/search/?q=surgery+{attempt}").status == 200
    # Each node has served only half the limit: the count is shared.
    for base in (one, two):
        response = visitor.get(base, "/search/?q=surgery")
        assert response.status == 429
        assert "Please wait a minute" in response.text


def test_a_change_through_one_node_refreshes_the_cached_page_of_the_other_with_its_avatar(
    nodes, s3_storage
):
    one, two = nodes
    member = _verified_member(profile__display_name="QuietHeron")
    question = published_question(title="Is it treated with surgery?")
    ExperienceFactory(question=question, author=member)
    reader = Visitor()
    page = question.get_absolute_url()
    assert "QuietHeron" in reader.get(two, page).text  # now in the page cache

    visitor = Visitor()
    _log_in(visitor, one, member)
    response = visitor.post_form(
        one,
        "/members/me/profile/",
        {"display_name": "CalmHeron", "bio": ""},
    )
    assert response.status == 302
    assert "CalmHeron" in reader.get(two, page).text

    picture = images.png(300, 300)
    upload = type("Upload", (), {"read": lambda self: picture, "name": "me.png"})()
    response = visitor.post_form(
        one, "/members/me/avatar/", {"avatar": upload}, form_from="/members/me/profile/"
    )
    assert response.status == 302
    profile = MemberProfile.objects.get(user=member)
    assert profile.avatar.name.startswith("avatars/")
    shown = visitor.get(two, "/members/me/profile/").text
    src = re.search(r'<img class="avatar avatar--large" src="([^"]+)"', shown).group(1)
    assert src.startswith(f"{s3_storage['endpoint_url']}/{s3_storage['bucket_name']}/avatars/")
    with urllib.request.urlopen(src, timeout=10) as fetched:  # noqa: S310 (the emulator)
        assert fetched.read()[:4] == b"RIFF"
    policy = visitor.get(two, "/members/me/profile/").getheader("Content-Security-Policy")
    assert f"img-src 'self' {s3_storage['endpoint_url']}" in policy


def test_sign_up_on_one_node_and_confirm_the_address_on_the_other(nodes):
    one, two = nodes
    visitor = Visitor()
    response = visitor.post_form(
        one,
        "/accounts/signup/",
        {
            "email": "new.person@example.org",
            "display_name": "HopefulLark",
            "password1": "a-long-enough-passphrase",
            "password2": "a-long-enough-passphrase",
        },
    )
    assert response.status == 302
    run_worker()  # the queue's worker, on the same database: the e-mail goes out
    (message,) = mail.outbox
    link = urlsplit(re.search(r"https?://[^\s]+", message.body).group(0)).path
    response = visitor.post_form(two, link, {})
    assert response.status == 302
    assert EmailAddress.objects.get(email="new.person@example.org").verified
    other = Visitor()
    response = other.post_form(
        two,
        "/accounts/login/",
        {"login": "new.person@example.org", "password": "a-long-enough-passphrase"},
    )
    assert response.status == 302
    assert other.get(one, "/members/me/profile/").status == 200
