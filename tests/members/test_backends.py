"""
members.backends: a session's account read with a prepared query, as Django's backend reads
it; log-in through the site's backend alone; sessions of the former backends kept logged in.
"""

import datetime

import pytest
from allauth.account.models import EmailAddress
from allauth.usersessions.models import UserSession
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, SESSION_KEY
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.hashers import check_password
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from diseasemaps.members import backends
from diseasemaps.members.backends import AuthenticationBackend
from diseasemaps.members.models import User
from tests.factories import TEST_PASSWORD, MemberFactory, StaffFactory

pytestmark = pytest.mark.django_db

OURS = "diseasemaps.members.backends.AuthenticationBackend"
FORMER = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]


def _fields(user: User) -> dict:
    return {field.attname: getattr(user, field.attname) for field in User._meta.concrete_fields}


def test_a_sessions_account_is_the_one_djangos_backend_reads_in_one_query():
    staff = StaffFactory()
    staff.last_login = datetime.datetime(2026, 5, 8, 9, 30, tzinfo=datetime.UTC)
    staff.save(update_fields=["last_login"])
    for user in (MemberFactory(), staff):
        with CaptureQueriesContext(connection) as queries:
            found = AuthenticationBackend().get_user(str(user.pk))  # as a session holds it
        assert len(queries) == 1
        expected = ModelBackend().get_user(user.pk)
        assert type(found) is User
        assert _fields(found) == _fields(expected)
        assert found._state.adding is False
        assert found._state.db == "default"
    # The database's values come back as the ORM gives them, on SQLite too.
    found = AuthenticationBackend().get_user(staff.pk)
    assert found.last_login == staff.last_login
    assert isinstance(found.date_joined, datetime.datetime)
    assert found.is_staff is True
    assert found.is_active is True


def test_no_account_for_an_inactive_member_a_missing_one_or_a_malformed_id():
    inactive = MemberFactory(is_active=False)
    assert AuthenticationBackend().get_user(inactive.pk) is None
    assert AuthenticationBackend().get_user(inactive.pk + 1000) is None
    assert AuthenticationBackend().get_user("not a number") is None
    assert AuthenticationBackend().get_user(None) is None


def test_the_account_read_is_the_prepared_one_and_compiles_once(monkeypatch):
    members = MemberFactory.create_batch(3)
    compiled = []
    build = backends._ACCOUNT.build
    monkeypatch.setattr(backends._ACCOUNT, "build", lambda **v: compiled.append(v) or build(**v))
    monkeypatch.setattr(backends._ACCOUNT, "_compiled", {})
    for member in members * 2:
        assert AuthenticationBackend().get_user(member.pk) == member
    assert len(compiled) == 1


def _verified_member() -> User:
    member = MemberFactory()
    EmailAddress.objects.create(user=member, email=member.email, verified=True, primary=True)
    return member


def test_logging_in_names_the_sites_backend_and_a_wrong_password_is_checked_once(monkeypatch):
    assert [OURS, *FORMER] == settings.AUTHENTICATION_BACKENDS
    member = _verified_member()
    client = Client()
    checked = []

    def counting(self, raw_password):
        checked.append(raw_password)
        return check_password(raw_password, self.password)

    monkeypatch.setattr(User, "check_password", counting)
    response = client.post(reverse("account_login"), {"login": member.email, "password": "wrong"})
    assert response.status_code == 200
    assert checked == ["wrong"]  # the backends after the first are never asked
    response = client.post(
        reverse("account_login"), {"login": member.email, "password": TEST_PASSWORD}
    )
    assert response.status_code == 302
    assert client.session[BACKEND_SESSION_KEY] == OURS
    assert client.session[SESSION_KEY] == str(member.pk)


@pytest.mark.parametrize("former", FORMER)
def test_a_session_logged_in_through_a_former_backend_stays_logged_in(former):
    member = MemberFactory()
    client = Client()
    client.force_login(member)
    session = client.session
    session[BACKEND_SESSION_KEY] = former  # as stored before the change
    session.save()
    response = client.get(reverse("members:account"))
    assert response.status_code == 200
    assert response.context["user"] == member


def test_a_session_naming_a_backend_never_used_here_is_logged_out():
    member = MemberFactory()
    client = Client()
    client.force_login(member)
    session = client.session
    session[BACKEND_SESSION_KEY] = "somewhere.else.Backend"
    session.save()
    response = client.get(reverse("members:account"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_a_former_backends_session_on_another_device_stays_in_the_list_of_sessions():
    """allauth's list of a member's sessions drops those it cannot log in."""
    member = _verified_member()
    here, there = Client(), Client()
    for client in (here, there):
        client.force_login(member)
        UserSession.objects.create(  # as allauth lists a session logged in through its form
            user=member, ip="127.0.0.1", session_key=client.session.session_key, user_agent="test"
        )
    session = there.session
    session[BACKEND_SESSION_KEY] = FORMER[0]
    session.save()
    listed = UserSession.objects.filter(user=member)
    assert here.get(reverse("usersessions_list")).status_code == 200
    assert listed.count() == 2  # the other device is listed, and can be logged out from here
    assert there.get(reverse("members:account")).status_code == 200
