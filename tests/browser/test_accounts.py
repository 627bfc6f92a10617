import re
import time

import pytest
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.core import mail
from django.core.management import call_command

from diseasemaps.core.services import Role
from tests.factories import TEST_PASSWORD, StaffFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_visitor_signs_up_verifies_joins_dfsp_counted_and_sees_the_figure_grow(page):
    call_command("load_demo_content", verbosity=0)
    page.goto("/conditions/dfsp/")
    assert "172 members of the DiseaseMaps community" in page.locator("main").inner_text()

    page.get_by_role("link", name="Join").click()
    page.get_by_label("Email").fill("new.member@example.org")
    page.get_by_label("Public name (a pseudonym)").fill("BraveOtter")
    page.get_by_label("Password", exact=True).fill("a-long-enough-passphrase")
    page.get_by_label("Password (again)").fill("a-long-enough-passphrase")
    page.get_by_role("button", name="Sign Up").click()
    page.wait_for_url("**/accounts/confirm-email/")

    link = re.search(r"https?://\S+", mail.outbox[-1].body).group(0)
    page.goto(link)
    page.get_by_role("button", name="Confirm").click()
    page.get_by_label("Email").fill("new.member@example.org")
    page.get_by_label("Password").fill("a-long-enough-passphrase")
    page.get_by_role("button", name="Sign In").click()
    page.wait_for_url("**/")

    page.goto("/conditions/dfsp/")
    page.get_by_role("link", name="I live with this condition").click()
    page.wait_for_url("**/members/me/conditions/?condition=dfsp")
    page.get_by_label("I live with it").check()
    page.get_by_label("Count me in the community figure").check()
    page.get_by_label("I agree that DiseaseMaps stores").check()
    page.get_by_role("button", name="Add to my list").click()
    page.wait_for_url("**/members/me/conditions/")
    assert "is on your list" in page.locator("main").inner_text()

    page.goto("/conditions/dfsp/")
    assert "173 members of the DiseaseMaps community" in page.locator("main").inner_text()
    assert page.problems.messages == []


def test_a_staff_member_enrols_totp_and_reaches_the_admin(page):
    staff = StaffFactory(roles=[Role.EDITOR])
    from allauth.account.models import EmailAddress

    EmailAddress.objects.create(user=staff, email=staff.email, verified=True, primary=True)

    failed = []
    page.on("response", lambda r: failed.append((r.status, r.url)) if r.status >= 400 else None)
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(staff.email)
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    page.goto("/admin/")
    # No authenticator yet: sent to set one up, after confirming the password.
    page.wait_for_url("**/accounts/reauthenticate/**")
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Confirm").click()
    page.wait_for_url("**/accounts/2fa/totp/activate/")
    assert page.locator(".totp-qr svg").is_visible()  # the QR code shows under the CSP
    secret = page.locator("#authenticator_secret").input_value()
    counter = int(time.time()) // 30
    page.get_by_label("Authenticator code").fill(format_hotp_value(hotp_value(secret, counter)))
    page.get_by_role("button", name="Activate").click()

    page.goto("/admin/")
    page.wait_for_url("**/accounts/2fa/reauthenticate/**")
    page.locator("input[name=code]").fill(
        format_hotp_value(hotp_value(secret, int(time.time()) // 30))
    )
    page.get_by_role("button", name="Confirm").click()
    page.wait_for_url("**/admin/")
    assert "Site administration" in page.locator("body").inner_text()
    assert failed == []
    assert page.problems.messages == []


def test_no_member_page_has_console_errors_or_csp_violations(page, live_server):
    from django.conf import settings
    from django.test import Client

    from tests.factories import MemberConditionFactory, MemberFactory
    from tests.pages import account_pages

    member = MemberFactory()
    MemberConditionFactory(user=member)
    client = Client()
    client.force_login(member)
    page.context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )
    for name, url in account_pages().items():
        response = page.goto(url)
        assert response.status == 200, name
        assert page.url == live_server.url + url, name  # not sent to the log-in page
        assert page.locator("h1").count() == 1, name
    assert page.problems.messages == []
