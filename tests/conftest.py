import time

import pytest
from allauth.account.authentication import AUTHENTICATION_METHODS_SESSION_KEY
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.test import Client

from diseasemaps.core.services import Role
from tests.factories import MemberFactory, ReviewerFactory, StaffFactory


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
    settings.DISEASEMAPS_CONTACT_EMAIL = "contact@diseasemaps.example"
    # Rate-limit counters and used two-factor codes must not leak from one test into the next.
    from django.core.cache import cache

    cache.clear()


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
