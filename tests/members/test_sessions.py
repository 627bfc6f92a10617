"""
Sessions: the cookies that carry them, how long they last, when their key changes and when
they end.
"""

import os
import subprocess
import sys
import time

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.usersessions.models import UserSession
from django.conf import settings
from django.contrib.sessions.models import Session
from django.core import mail
from django.core.checks import run_checks
from django.test import Client
from django.urls import reverse

from diseasemaps.members.middleware import SESSION_SEEN_AT, SESSION_STARTED_AT
from tests.conftest import totp_authenticator
from tests.factories import TEST_PASSWORD, MemberFactory, StaffFactory

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a-brand-new-passphrase"


def verified(user):
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    return user


def logged_in(user, *, totp_clock=None) -> Client:
    """A client logged in through the log-in form (and the code step, for staff)."""
    client = Client()
    response = client.post(
        reverse("account_login"), {"login": user.email, "password": TEST_PASSWORD}
    )
    assert response.status_code == 302
    if response["Location"] == reverse("mfa_authenticate"):
        code = totp_clock.code(Authenticator.objects.get(user=user, type="totp"))
        assert client.post(reverse("mfa_authenticate"), {"code": code}).status_code == 302
    assert client.session.get("_auth_user_id") == str(user.pk)
    return client


def is_logged_in(client) -> bool:
    """Whether the client's next request is still made as its user."""
    return client.get("/").wsgi_request.user.is_authenticated


def age_session(client, *, started_ago: float, seen_ago: float) -> None:
    """Rewrite the session's record as if it began and was last used that many seconds ago."""
    client.get("/")  # the first request starts the record
    session = client.session
    now = time.time()
    session[SESSION_STARTED_AT] = now - started_ago
    session[SESSION_SEEN_AT] = now - seen_ago
    session.save()


MINUTE, HOUR, DAY = 60, 3600, 86400


# --- Cookies -------------------------------------------------------------------------------


def test_the_session_and_csrf_cookies_are_host_prefixed_secure_at_the_root_without_a_domain():
    member = verified(MemberFactory())
    client = Client()
    page = client.get(reverse("account_login"))
    csrf = page.cookies["__Host-csrftoken"]
    response = client.post(
        reverse("account_login"), {"login": member.email, "password": TEST_PASSWORD}
    )
    session = response.cookies["__Host-sessionid"]
    for cookie in (csrf, session):
        assert cookie["secure"] is True
        assert cookie["path"] == "/"
        assert cookie["domain"] == ""
        assert cookie["httponly"] is True
    assert "sessionid" not in response.cookies
    assert "csrftoken" not in page.cookies


def _cookie_settings(**environment) -> str:
    """The cookie settings as a process with this environment reads them."""
    code = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.SESSION_COOKIE_NAME, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_NAME, "
        "s.CSRF_COOKIE_SECURE)"
    )
    env = {key: value for key, value in os.environ.items() if key not in ("DEBUG", "SECRET_KEY")}
    env.update(DJANGO_SETTINGS_MODULE="diseasemaps.settings", **environment)
    result = subprocess.run(  # noqa: S603 (our own interpreter and fixed code)
        [sys.executable, "-c", code],
        env=env,
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout.strip()


def test_production_names_the_cookies_with_the_host_prefix_and_development_without_it():
    """`make run` serves plain HTTP, where a browser refuses a __Host- (always Secure) cookie."""
    assert _cookie_settings(SECRET_KEY="x") == "__Host-sessionid True __Host-csrftoken True"
    assert _cookie_settings(DEBUG="1") == "sessionid False csrftoken False"


@pytest.mark.parametrize(
    "overrides",
    [
        {"SESSION_COOKIE_DOMAIN": ".diseasemaps.example"},
        {"SESSION_COOKIE_PATH": "/members/"},
        {"SESSION_COOKIE_SECURE": False},
        {"CSRF_COOKIE_DOMAIN": ".diseasemaps.example"},
    ],
)
def test_a_host_prefixed_cookie_that_browsers_would_drop_fails_the_checks(settings, overrides):
    for name, value in overrides.items():
        setattr(settings, name, value)
    errors = [message.id for message in run_checks()]
    assert "diseasemaps.E001" in errors


def test_the_checks_pass_with_the_production_cookie_settings():
    assert "diseasemaps.E001" not in [message.id for message in run_checks()]


# --- Lifetimes -------------------------------------------------------------------------------


def test_a_staff_session_ends_after_30_minutes_without_a_request(staff_client_for, moderator):
    client = staff_client_for(moderator)
    age_session(client, started_ago=31 * MINUTE, seen_ago=31 * MINUTE)
    response = client.get(reverse("members:account"), follow=True)
    assert response.redirect_chain[-1][0].startswith(reverse("account_login"))
    assert "logged out after 30 minutes without activity" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_a_staff_session_in_use_lasts_past_30_minutes(staff_client_for, moderator):
    client = staff_client_for(moderator)
    age_session(client, started_ago=11 * HOUR, seen_ago=29 * MINUTE)
    assert is_logged_in(client)
    assert client.get(reverse("admin:index")).status_code == 200
    # The request counted as activity: another 29 minutes later, still logged in.
    session = client.session
    assert time.time() - session[SESSION_SEEN_AT] < MINUTE
    session[SESSION_SEEN_AT] -= 29 * MINUTE
    session.save()
    assert is_logged_in(client)


def test_a_staff_session_ends_12_hours_after_logging_in_however_busy(staff_client_for, editor):
    client = staff_client_for(editor)
    age_session(client, started_ago=12 * HOUR + 1, seen_ago=10)
    response = client.get(reverse("admin:index"), follow=True)
    assert response.redirect_chain[-1][0].startswith(reverse("account_login"))
    assert "logged out: a session lasts at most 12 hours" in response.content.decode()


def test_a_staff_session_cookie_expires_within_the_idle_timeout(totp_clock):
    staff = verified(StaffFactory())
    authenticator = totp_authenticator(staff)
    client = Client()
    client.post(
        reverse("account_login"),
        {"login": staff.email, "password": TEST_PASSWORD, "remember": "on"},
    )
    response = client.post(reverse("mfa_authenticate"), {"code": totp_clock.code(authenticator)})
    assert response.cookies[settings.SESSION_COOKIE_NAME]["max-age"] == 30 * MINUTE
    assert client.session.get_expiry_age() == 30 * MINUTE
    # Each minute of activity sets it again, as the idle timeout moves on.
    age_session(client, started_ago=HOUR, seen_ago=2 * MINUTE)
    response = client.get(reverse("admin:index"))
    assert response.cookies[settings.SESSION_COOKIE_NAME]["max-age"] == 30 * MINUTE


def test_near_the_end_of_a_staff_session_the_cookie_expires_with_it(staff_client_for, editor):
    client = staff_client_for(editor)
    age_session(client, started_ago=12 * HOUR - 10 * MINUTE, seen_ago=2 * MINUTE)
    response = client.get(reverse("admin:index"))
    assert 9 * MINUTE < response.cookies[settings.SESSION_COOKIE_NAME]["max-age"] <= 10 * MINUTE


def test_a_member_stays_logged_in_for_days_of_absence_but_not_a_week(member_client):
    age_session(member_client, started_ago=6 * DAY, seen_ago=6 * DAY)
    assert is_logged_in(member_client)
    age_session(member_client, started_ago=13 * DAY, seen_ago=7 * DAY + 1)
    response = member_client.get(reverse("members:account"), follow=True)
    assert response.redirect_chain[-1][0].startswith(reverse("account_login"))
    assert "logged out after 7 days without activity" in response.content.decode()


def test_a_member_session_ends_14_days_after_logging_in(member_client):
    age_session(member_client, started_ago=14 * DAY + 1, seen_ago=HOUR)
    assert not is_logged_in(member_client)


def test_a_remembered_member_session_cookie_lasts_the_idle_timeout():
    member = verified(MemberFactory())
    response = Client().post(
        reverse("account_login"),
        {"login": member.email, "password": TEST_PASSWORD, "remember": "on"},
    )
    assert response.cookies[settings.SESSION_COOKIE_NAME]["max-age"] == 7 * DAY


def test_a_session_not_to_be_remembered_keeps_a_cookie_that_ends_with_the_browser():
    member = verified(MemberFactory())
    client = Client()
    response = client.post(
        reverse("account_login"), {"login": member.email, "password": TEST_PASSWORD}
    )
    assert response.cookies[settings.SESSION_COOKIE_NAME]["max-age"] == ""
    age_session(client, started_ago=HOUR, seen_ago=2 * MINUTE)
    response = client.get("/")
    assert response.cookies[settings.SESSION_COOKIE_NAME]["max-age"] == ""
    assert client.session.get_expire_at_browser_close()


def test_the_lifetimes_are_settings(settings, member_client, staff_client_for, moderator):
    settings.DISEASEMAPS_MEMBER_SESSION_IDLE_DAYS = 1
    settings.DISEASEMAPS_STAFF_SESSION_IDLE_MINUTES = 5
    age_session(member_client, started_ago=2 * DAY, seen_ago=DAY + 1)
    assert not is_logged_in(member_client)
    staff = staff_client_for(moderator)
    age_session(staff, started_ago=6 * MINUTE, seen_ago=6 * MINUTE)
    response = staff.get(reverse("members:account"), follow=True)
    assert "logged out after 5 minutes without activity" in response.content.decode()


def test_a_member_made_staff_gets_the_staff_lifetime(member_client, member):
    age_session(member_client, started_ago=13 * HOUR, seen_ago=MINUTE)
    assert is_logged_in(member_client)
    member.is_staff = True
    member.save()
    assert not is_logged_in(member_client)


def test_visitors_get_no_session_from_the_lifetime_rules(client):
    response = client.get("/")
    assert settings.SESSION_COOKIE_NAME not in response.cookies


# --- The key changes after the second factor ---------------------------------------------------


def test_the_session_key_changes_when_the_code_completes_the_log_in(totp_clock):
    staff = verified(StaffFactory())
    authenticator = totp_authenticator(staff)
    client = Client()
    client.post(reverse("account_login"), {"login": staff.email, "password": TEST_PASSWORD})
    after_password = client.cookies[settings.SESSION_COOKIE_NAME].value
    response = client.post(reverse("mfa_authenticate"), {"code": totp_clock.code(authenticator)})
    assert response.status_code == 302
    after_code = client.cookies[settings.SESSION_COOKIE_NAME].value
    assert after_code != after_password
    # The key seen before the code opens nothing.
    stale = Client()
    stale.cookies[settings.SESSION_COOKIE_NAME] = after_password
    assert stale.get(reverse("admin:index")).status_code == 302
    assert client.get(reverse("admin:index")).status_code == 200


def test_the_session_key_changes_when_staff_confirm_a_code_to_reach_the_admin(totp_clock):
    """A session logged in earlier (or past an idle admin check) proves a code again."""
    staff = verified(StaffFactory())
    authenticator = totp_authenticator(staff)
    client = logged_in(staff, totp_clock=totp_clock)
    UserSession.objects.get(user=staff)  # allauth lists the session
    # The admin asks for a fresh code once the session's record of one is dropped.
    session = client.session
    session["account_authentication_methods"] = [
        record for record in session["account_authentication_methods"] if record["method"] != "mfa"
    ]
    session.save()
    before = client.cookies[settings.SESSION_COOKIE_NAME].value
    response = client.get(reverse("admin:index"))
    assert response["Location"].startswith(reverse("mfa_reauthenticate"))

    totp_clock.advance(30)
    response = client.post(
        reverse("mfa_reauthenticate") + "?next=/admin/",
        {"code": totp_clock.code(authenticator), "next": "/admin/"},
    )
    assert response.status_code == 302
    after = client.cookies[settings.SESSION_COOKIE_NAME].value
    assert after != before
    assert client.get(reverse("admin:index")).status_code == 200
    stale = Client()
    stale.cookies[settings.SESSION_COOKIE_NAME] = before
    assert stale.get(reverse("members:account")).status_code == 302
    # allauth's list of sessions follows the new key, so "log out other sessions" still works.
    assert list(UserSession.objects.filter(user=staff).values_list("session_key", flat=True)) == [
        after
    ]


# --- Other sessions end when the password changes ---------------------------------------------


def test_changing_the_password_logs_out_the_members_other_sessions():
    member = verified(MemberFactory())
    laptop, phone = logged_in(member), logged_in(member)
    assert UserSession.objects.filter(user=member).count() == 2
    response = laptop.post(
        reverse("account_change_password"),
        {"oldpassword": TEST_PASSWORD, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    assert response.status_code == 302
    assert is_logged_in(laptop)
    assert not is_logged_in(phone)
    sessions = laptop.get(reverse("usersessions_list"))
    assert [session.session_key for session in sessions.context["sessions"]] == [
        laptop.session.session_key
    ]


def test_resetting_the_password_by_mail_logs_out_every_session():
    member = verified(MemberFactory())
    phone = logged_in(member)
    visitor = Client()
    visitor.post(reverse("account_reset_password"), {"email": member.email})
    reset_mail = next(message for message in mail.outbox if message.to == [member.email])
    url = next(word for word in reset_mail.body.split() if "/password/reset/key/" in word)
    url = url.split("testserver", 1)[-1]
    response = visitor.get(url)
    form_url = response["Location"] if response.status_code == 302 else url
    response = visitor.post(form_url, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert response.status_code == 302
    assert not is_logged_in(phone)


def test_an_administrator_setting_a_password_logs_out_the_members_sessions(staff_client_for):
    from tests.factories import UserFactory

    admin = UserFactory(is_staff=True, is_superuser=True)
    member = verified(MemberFactory())
    phone = logged_in(member)
    response = staff_client_for(admin).post(
        reverse("admin:auth_user_password_change", args=[member.pk]),
        {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "usable_password": "true"},
    )
    assert response.status_code == 302
    assert not is_logged_in(phone)


def test_sessions_on_redis_hold_across_clients_and_end_on_log_out(settings, redis_cache):
    """SESSION_ENGINE on the cache, the cache on a real Redis: as many app nodes share it."""
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.cache"
    member = verified(MemberFactory())
    first = logged_in(member)
    key = first.cookies[settings.SESSION_COOKIE_NAME].value
    assert redis_cache.get(f"django.contrib.sessions.cache{key}")["_auth_user_id"] == str(member.pk)
    assert not Session.objects.exists()  # nothing in the database

    second = Client()
    second.cookies[settings.SESSION_COOKIE_NAME] = key
    assert is_logged_in(second)
    first.post(reverse("account_logout"))
    assert not is_logged_in(second)
    assert redis_cache.get(f"django.contrib.sessions.cache{key}") is None
