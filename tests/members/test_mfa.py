import re

import pytest
from allauth.mfa.models import Authenticator
from django.test import Client
from django.urls import reverse

from diseasemaps.core.services import Role
from tests.conftest import totp_authenticator
from tests.factories import TEST_PASSWORD, StaffFactory

pytestmark = pytest.mark.django_db


def verified_staff(**kwargs):
    from allauth.account.models import EmailAddress

    user = StaffFactory(**kwargs)
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    return user


def test_a_staff_user_without_an_authenticator_is_sent_to_set_one_up():
    user = verified_staff()
    client = Client()
    response = client.post(
        reverse("account_login"), {"login": user.email, "password": TEST_PASSWORD}
    )
    assert response.status_code == 302
    for url in ["/", reverse("admin:index"), reverse("members:conditions")]:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"] == reverse("mfa_activate_totp"), url
    # Setting up a second factor asks for the password again, as any security change does.
    response = client.get(reverse("mfa_activate_totp"))
    assert response["Location"].startswith(reverse("account_reauthenticate"))
    reauthenticate(client)
    assert client.get(reverse("mfa_activate_totp")).status_code == 200


def reauthenticate(client) -> None:
    response = client.post(reverse("account_reauthenticate"), {"password": TEST_PASSWORD})
    assert response.status_code == 302


def test_a_staff_user_enrols_totp_and_then_reaches_the_admin_after_a_code(totp_clock):
    user = verified_staff(roles=[Role.EDITOR])
    client = Client()
    client.post(reverse("account_login"), {"login": user.email, "password": TEST_PASSWORD})
    reauthenticate(client)
    page = client.get(reverse("mfa_activate_totp")).content.decode()
    assert "<svg" in page  # the QR code is inline, allowed by the CSP
    assert "data:image" not in page
    secret = re.search(r'id="authenticator_secret"[^>]*value="([A-Z2-7]+)"', page)
    secret = secret.group(1) if secret else re.search(r'value="([A-Z2-7]{32})"', page).group(1)
    response = client.post(reverse("mfa_activate_totp"), {"code": totp_clock.code(secret)})
    assert response.status_code == 302
    assert Authenticator.objects.filter(user=user, type="totp").exists()

    # The session proved the password, not yet a code: the admin asks for one.
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("mfa_reauthenticate"))

    authenticator = Authenticator.objects.get(user=user, type="totp")
    code = totp_clock.code(authenticator)
    cache_clear_used_code(user, code)
    response = client.post(
        reverse("mfa_reauthenticate") + "?next=/admin/", {"code": code, "next": "/admin/"}
    )
    assert response.status_code == 302
    assert client.get(reverse("admin:index")).status_code == 200


def cache_clear_used_code(user, code):
    """The code just used to enrol may still be current; allauth refuses a code twice."""
    from django.core.cache import cache

    cache.delete(f"allauth.mfa.totp.used?user={user.pk}&code={code}")


def test_logging_in_with_password_and_code_reaches_the_admin(totp_clock):
    user = verified_staff()
    authenticator = totp_authenticator(user)
    client = Client()
    response = client.post(
        reverse("account_login"), {"login": user.email, "password": TEST_PASSWORD}
    )
    assert response["Location"] == reverse("mfa_authenticate")
    assert client.get(reverse("admin:index")).status_code == 302  # not logged in yet
    code = totp_clock.code(authenticator)
    response = client.post(reverse("mfa_authenticate"), {"code": code})
    assert response.status_code == 302
    assert client.get(reverse("admin:index")).status_code == 200


def test_a_wrong_code_does_not_log_in():
    user = verified_staff()
    totp_authenticator(user)
    client = Client()
    client.post(reverse("account_login"), {"login": user.email, "password": TEST_PASSWORD})
    response = client.post(reverse("mfa_authenticate"), {"code": "000000"})
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_the_admin_is_refused_to_a_session_that_did_not_pass_mfa():
    user = verified_staff()
    totp_authenticator(user)
    client = Client()
    client.force_login(user)  # e.g. a session from before the authenticator was required
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("mfa_reauthenticate"))


def test_the_admin_login_page_is_allauths(client):
    response = client.get(reverse("admin:login"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_staff_client_reaches_the_admin(staff_client):
    assert staff_client.get(reverse("admin:index")).status_code == 200


def test_staff_client_for_logs_in_the_given_user_with_their_roles(staff_client_for, moderator):
    client = staff_client_for(moderator)
    response = client.get(reverse("admin:index"))
    assert response.status_code == 200
    assert response.wsgi_request.user == moderator


def test_members_are_not_asked_for_a_second_factor(member_client):
    assert member_client.get(reverse("members:conditions")).status_code == 200


def test_the_demo_staff_get_an_authenticator_and_their_codes_are_printed(settings):
    from io import StringIO

    from django.core.management import call_command

    settings.DEBUG = True
    out = StringIO()
    call_command("load_demo_content", stdout=out)
    text = out.getvalue()
    assert "Two-factor codes for the demo staff" in text
    assert re.search(r"Editor\s+code: \d{6}", text)
    assert Authenticator.objects.filter(user__email__startswith="editor@").count() == 1


def test_demo_codes_are_never_printed_without_debug(settings):
    from django.core.management import CommandError, call_command

    settings.DEBUG = False
    with pytest.raises(CommandError):
        call_command("demo_totp_codes")


def _password_step(user) -> Client:
    client = Client()
    response = client.post(
        reverse("account_login"), {"login": user.email, "password": TEST_PASSWORD}
    )
    assert response["Location"] == reverse("mfa_authenticate")
    return client


@pytest.mark.parametrize("windows", [-1, 1])
def test_only_the_current_windows_code_is_accepted(totp_clock, windows):
    """One 30-second window: a code from the window before or after is refused."""
    user = verified_staff()
    authenticator = totp_authenticator(user)
    client = _password_step(user)
    response = client.post(
        reverse("mfa_authenticate"), {"code": totp_clock.code(authenticator, windows=windows)}
    )
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    response = client.post(reverse("mfa_authenticate"), {"code": totp_clock.code(authenticator)})
    assert response.status_code == 302
    assert "_auth_user_id" in client.session


def test_a_code_that_logged_in_once_is_refused_the_second_time(totp_clock):
    user = verified_staff()
    authenticator = totp_authenticator(user)
    code = totp_clock.code(authenticator)
    first = _password_step(user)
    assert first.post(reverse("mfa_authenticate"), {"code": code}).status_code == 302
    assert "_auth_user_id" in first.session

    totp_clock.advance(10)  # the same window: the app still shows the same code
    second = _password_step(user)
    response = second.post(reverse("mfa_authenticate"), {"code": code})
    assert response.status_code == 200
    assert "_auth_user_id" not in second.session
    assert "that code is not right" in response.content.decode().lower()


def test_the_code_that_set_up_the_app_does_not_also_log_in(totp_clock):
    user = verified_staff()
    client = Client()
    client.post(reverse("account_login"), {"login": user.email, "password": TEST_PASSWORD})
    reauthenticate(client)
    page = client.get(reverse("mfa_activate_totp")).content.decode()
    secret = re.search(r'id="authenticator_secret"[^>]*value="([A-Z2-7]+)"', page).group(1)
    code = totp_clock.code(secret)
    assert client.post(reverse("mfa_activate_totp"), {"code": code}).status_code == 302
    client.post(reverse("account_logout"))

    second = _password_step(user)
    response = second.post(reverse("mfa_authenticate"), {"code": code})
    assert response.status_code == 200
    assert "_auth_user_id" not in second.session
    totp_clock.advance(30)
    second.post(reverse("mfa_authenticate"), {"code": totp_clock.code(secret)})
    assert "_auth_user_id" in second.session
