import secrets
import time
import types

import pytest
from allauth.account.authentication import AUTHENTICATION_METHODS_SESSION_KEY
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal import auth as totp_auth
from allauth.mfa.totp.internal.auth import (
    TOTP,
    format_hotp_value,
    generate_totp_secret,
    hotp_value,
)
from allauth.mfa.utils import decrypt
from django.test import Client

from diseasemaps.core.services import Role
from tests.factories import MemberFactory, ReviewerFactory, StaffFactory
from tests.services import (
    create_bucket,
    redis_server,
    redis_url_from_environment,
    s3_server,
    s3_url_from_environment,
)


@pytest.fixture(autouse=True)
def _test_settings(settings, tmp_path):
    """
    Test-only tweaks: plain HTTP, a fast hasher, mail in memory, uploads in a temp folder, and
    the contact address a deployment sets.
    """
    settings.SECURE_SSL_REDIRECT = False
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    # Tasks run at once, in the process that queues them, so mail lands in mail.outbox; the
    # tests of the queue itself (tests/core/test_tasks.py) use the database backend.
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.MIDDLEWARE = [*settings.MIDDLEWARE, "tests.commit.CommitAtEndOfViewMiddleware"]
    settings.DISEASEMAPS_CONTACT_EMAIL = "contact@diseasemaps.example"
    # Rate-limit counters and used two-factor codes must not leak from one test into the next.
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def _no_random_rate_limit_cleanup(monkeypatch):
    """
    The database's rate limiter deletes expired windows on one count in 200, at random: an
    extra query that tests counting queries would see now and then. The tests of the cleanup
    set it themselves.
    """
    from diseasemaps.core import ratelimit

    monkeypatch.setattr(ratelimit, "CLEANUP_ONE_IN", 10**12)


@pytest.fixture(scope="session")
def redis_url():
    """The URL of a real Redis for this test run: the one make test names, or our own."""
    url = redis_url_from_environment()
    if url:
        yield url
        return
    with redis_server() as url:
        yield url


@pytest.fixture
def redis_cache(settings, redis_url):
    """The default cache on the real Redis, emptied before and after the test."""
    from django.core.cache import cache

    settings.CACHES = {
        "default": {"BACKEND": "diseasemaps.core.cache.RedisCache", "LOCATION": redis_url}
    }
    cache.clear()
    yield cache
    cache.clear()


@pytest.fixture(scope="session")
def s3_url():
    """The endpoint of a real S3 emulator for this test run: the one make test names, or ours."""
    url = s3_url_from_environment()
    if url:
        yield url
        return
    with s3_server() as url:
        yield url


@pytest.fixture
def s3_options(s3_url):
    """The STORAGE_OPTIONS of a fresh, empty bucket on the emulator."""
    return create_bucket(s3_url, f"test-{secrets.token_hex(6)}")


@pytest.fixture
def s3_storage(settings, s3_options):
    """Uploads on S3 as in production: STORAGES built by settings.py's own rules."""
    from diseasemaps.core.storage import S3_BACKEND, public_storage

    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": S3_BACKEND, "OPTIONS": s3_options},
        "public": public_storage(backend=S3_BACKEND, options=s3_options),
    }
    return s3_options


@pytest.fixture
def member(db):
    return MemberFactory()


@pytest.fixture
def editor(db):
    return StaffFactory(roles=[Role.EDITOR])


@pytest.fixture
def reviewer(db):
    return ReviewerFactory()


@pytest.fixture
def moderator(db):
    return StaffFactory(roles=[Role.MODERATOR])


@pytest.fixture
def member_client(member):
    client = Client()
    client.force_login(member)
    return client


def totp_authenticator(user) -> Authenticator:
    """The user's authenticator app, set up with a fresh secret if they have none."""
    existing = Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).first()
    return existing or TOTP.activate(user, generate_totp_secret()).instance


def mfa_client(user) -> Client:
    """
    A client logged in as `user` in a session that passed two-factor authentication, as after
    a password log-in followed by an authenticator code (the flow itself is tested in
    tests/members/test_mfa.py). The session holds allauth's record of both steps.
    """
    authenticator = totp_authenticator(user)
    client = Client()
    client.force_login(user)
    session = client.session
    now = time.time()
    session[AUTHENTICATION_METHODS_SESSION_KEY] = [
        {"method": "password", "at": now, "email": user.email},
        {"method": "mfa", "at": now, "id": authenticator.pk, "type": authenticator.type},
    ]
    session["account_authentication_methods_user"] = str(user.pk)
    session.save()
    return client


@pytest.fixture
def staff_client_for(db):
    """`staff_client_for(user)`: a client for that staff user, past two-factor authentication."""
    return mfa_client


@pytest.fixture
def staff_client(editor, staff_client_for):
    """A client logged in as the `editor` fixture, past two-factor authentication."""
    return staff_client_for(editor)


class TOTPClock:
    """
    The clock allauth reads to check authenticator codes, stopped in the middle of a 30-second
    window: only the current window's code is accepted, so a test that typed a code as the
    window turned would fail by chance. `advance(seconds)` moves it on.
    """

    PERIOD = 30

    def __init__(self):
        self.now = (int(time.time()) // self.PERIOD) * self.PERIOD + self.PERIOD / 2

    def time(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds

    def code(self, secret_or_authenticator, *, windows: int = 0) -> str:
        """The code an authenticator app shows now (or `windows` periods away)."""
        secret = secret_or_authenticator
        if isinstance(secret, Authenticator):
            secret = decrypt(secret.data["secret"])
        counter = int(self.now) // self.PERIOD + windows
        return format_hotp_value(hotp_value(secret, counter))


@pytest.fixture
def totp_clock(monkeypatch):
    """Stops allauth's TOTP clock (only that one: sessions and caches keep the real time)."""
    clock = TOTPClock()
    monkeypatch.setattr(totp_auth, "time", types.SimpleNamespace(time=clock.time))
    return clock
