import pytest
from django.test import Client

from diseasemaps.core.services import Role
from tests.factories import TEST_PASSWORD, MemberFactory, ReviewerFactory, StaffFactory


@pytest.fixture(autouse=True)
def _test_settings(settings, tmp_path):
    """Test-only tweaks: plain HTTP, a fast hasher, mail in memory, uploads in a temp folder."""
    settings.SECURE_SSL_REDIRECT = False
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}


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


def logged_in_client(user) -> Client:
    client = Client()
    assert client.login(email=user.email, password=TEST_PASSWORD)
    return client
