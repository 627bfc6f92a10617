import re

import pytest
from django.core import mail
from django.core.management import call_command

from diseasemaps.core.services import Role
from diseasemaps.members.models import HealthDataConsent, MemberCondition, MemberProfile
from tests.browser.conftest import log_in
from tests.factories import TEST_PASSWORD, ConditionFactory, MemberFactory, StaffFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _confirmation_link() -> str:
    """The link in the last confirmation e-mail, as the new member reads it in their inbox."""
    message = mail.outbox[-1]
    assert message.subject == "[DiseaseMaps] Confirm your e-mail address"
    return re.search(r"https?://\S+", message.body).group(0)


def _create_an_account(page, *, email: str, name: str) -> None:
    """Fills in the sign-up page the browser is on and sends it, as a person does."""
    main = page.locator("main")
    assert "privacy notice" in main.locator("#health-data").inner_text()
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Public name (a pseudonym)").fill(name)
    page.get_by_label("Password", exact=True).fill("a-long-enough-passphrase")
    page.get_by_label("Type your password again").fill("a-long-enough-passphrase")
    main.get_by_role("button", name="Create an account").click()
    page.wait_for_url("**/accounts/confirm-email/")
    assert page.locator("h1").inner_text() == "Check your e-mail"


def _confirm_from_the_email(page) -> None:
    page.goto(_confirmation_link())
    page.get_by_role("button", name="Confirm my e-mail address").click()


def test_a_visitor_signs_up_confirms_and_lands_logged_in_where_they_started(page):
    call_command("load_demo_content", verbosity=0)
    page.goto("/conditions/dfsp/")
    assert "172 members of the DiseaseMaps community" in page.locator("main").inner_text()
    assert page.get_by_text("This needs an account").is_visible()

    page.get_by_role("link", name="I live with this condition").click()
    page.wait_for_url(re.compile(r".*/accounts/signup/\?next=.+"))
    _create_an_account(page, email="new.member@example.org", name="BraveOtter")
    _confirm_from_the_email(page)

    # Logged in, without typing the password again, on the page they were going to.
    page.wait_for_url("**/members/me/conditions/?condition=dfsp")
    assert page.get_by_role("button", name="Log out").is_visible()
    assert "You are logged in as BraveOtter." in page.locator(".messages").inner_text()
    page.get_by_label("I live with it").check()
    page.get_by_label("Count me in the community figure").check()
    page.get_by_label("I agree that DiseaseMaps stores").check()
    page.get_by_role("button", name="Add to my list").click()
    page.wait_for_url("**/members/me/conditions/")
    assert "is on your list" in page.locator("main").inner_text()

    page.goto("/conditions/dfsp/")
    assert "173 members of the DiseaseMaps community" in page.locator("main").inner_text()
    assert page.problems.messages == []


def test_a_lookalike_of_a_members_name_is_refused_with_what_was_typed_kept(page):
    MemberFactory(profile__display_name="BraveWillow1")
    page.goto("/")
    page.get_by_role("link", name="Create an account").first.click()
    page.get_by_label("E-mail address").fill("new.member@example.org")
    name = page.get_by_label("Public name (a pseudonym)")

    for typed, message in [
        ("ＢｒａｖｅＷｉｌｌｏｗ1", "Another member already uses this name, or one that looks"),
        ("Br\u0430veWillow1", "Another member already uses this name, or one that looks"),
        ("Brave\u200bWillow1", "(U+200B ZERO WIDTH SPACE). Please remove it."),
    ]:
        name.fill(typed)
        page.get_by_label("Password", exact=True).fill("a-long-enough-passphrase")
        page.get_by_label("Type your password again").fill("a-long-enough-passphrase")
        with page.expect_navigation():  # the same address: the form comes back
            page.locator("main").get_by_role("button", name="Create an account").click()
        assert message in page.locator("main").inner_text(), typed
        assert name.input_value() == typed
        assert page.get_by_label("E-mail address").input_value() == "new.member@example.org"

    name.fill("BraveOtter")
    page.get_by_label("Password", exact=True).fill("a-long-enough-passphrase")
    page.get_by_label("Type your password again").fill("a-long-enough-passphrase")
    page.locator("main").get_by_role("button", name="Create an account").click()
    page.wait_for_url("**/accounts/confirm-email/")
    assert MemberProfile.objects.filter(display_name="BraveOtter").exists()
    assert MemberProfile.objects.count() == 2
    assert page.problems.messages == []


def test_a_condition_is_stored_only_with_the_box_ticked_and_removing_it_withdraws_consent(
    page, live_server
):
    member = MemberFactory()
    ConditionFactory(name="Gout")
    log_in(page.context, live_server, member)
    page.goto("/members/me/")
    page.get_by_role("link", name="Conditions I live with").first.click()
    page.get_by_label(re.compile("^Condition")).select_option(label="Gout")
    page.get_by_label("I care for someone who has it").check()
    page.get_by_role("button", name="Add to my list").click()
    main = page.locator("main")
    assert "Tick the box to continue." in main.inner_text()
    assert page.get_by_label("I care for someone who has it").is_checked()
    assert not MemberCondition.objects.exists()
    # The refused form comes back as 400, which the console reports; nothing else may be there.
    assert page.problems.messages == [
        "error: Failed to load resource: the server responded with a status of 400 (Bad Request)"
    ]
    page.problems.messages.clear()

    page.get_by_label("I agree that DiseaseMaps stores").check()
    page.get_by_role("button", name="Add to my list").click()
    page.wait_for_url("**/members/me/conditions/")
    assert "Gout is on your list." in main.inner_text()
    consent = HealthDataConsent.objects.get(user=member)
    assert consent.purpose == HealthDataConsent.Purpose.MEMBER_CONDITION

    page.get_by_role("button", name="Remove Gout").click()
    page.wait_for_url("**/members/me/conditions/")
    assert "Gout is deleted from your list and your consent withdrawn." in main.inner_text()
    assert "Your list is empty." in main.inner_text()
    assert not MemberCondition.objects.exists()
    consent.refresh_from_db()
    assert consent.withdrawn_at is not None
    assert page.problems.messages == []


def test_a_visitor_who_wants_to_share_signs_up_adds_the_condition_and_is_back_on_the_share_form(
    page,
):
    call_command("load_demo_content", verbosity=0)
    share_path = "/experiences/share/dfsp/standard-treatment/"
    page.goto("/conditions/dfsp/questions/standard-treatment/")
    page.get_by_role("link", name="Share your experience").click()

    # Not a member yet: from the log-in page to creating an account, still on the way to share.
    page.wait_for_url(re.compile(r".*/accounts/login/\?next=.+"))
    page.locator("main").get_by_role("link", name="Create an account").click()
    page.wait_for_url(re.compile(r".*/accounts/signup/\?next=.+"))
    _create_an_account(page, email="sharer@example.org", name="QuietHeron")
    _confirm_from_the_email(page)

    # Logged in and back on the way to share, which first asks for the condition.
    page.wait_for_url(f"**{share_path}")
    assert page.locator("h1").inner_text() == "Add DFSP to your profile first"
    page.get_by_role("link", name="Add DFSP to my conditions").click()
    page.wait_for_url(re.compile(r".*/members/me/conditions/\?condition=dfsp&next=.+"))
    assert "we take you back to where you were" in page.locator("main").inner_text()
    page.get_by_label("I live with it").check()
    page.get_by_label("I agree that DiseaseMaps stores").check()
    page.get_by_role("button", name="Add to my list").click()

    # Back on the share form, which says what comes before sharing.
    page.wait_for_url(f"**{share_path}")
    assert page.locator("h1").inner_text() == "Share your experience"
    assert "is on your list" in page.locator(".messages").inner_text()
    assert "Sharing takes two steps" in page.locator("main").inner_text()
    assert page.get_by_role("button", name="Share", exact=True).count() == 0
    page.get_by_label("Your experience").fill(
        "Mohs surgery took a whole day, and the wait between layers was the hardest part."
    )
    page.get_by_role("button", name="Preview").click()
    page.get_by_role("button", name="Share", exact=True).click()
    assert "A moderator will read your post soon" in page.locator(".messages").inner_text()
    assert page.problems.messages == []


def test_a_staff_member_enrols_totp_and_reaches_the_admin(page, totp_clock):
    staff = StaffFactory(roles=[Role.EDITOR])
    from allauth.account.models import EmailAddress

    EmailAddress.objects.create(user=staff, email=staff.email, verified=True, primary=True)

    failed = []
    page.on("response", lambda r: failed.append((r.status, r.url)) if r.status >= 400 else None)
    page.goto("/accounts/login/")
    page.get_by_label("E-mail address").fill(staff.email)
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.locator("main").get_by_role("button", name="Log in").click()
    page.goto("/admin/")
    # No authenticator yet: sent to set one up, after confirming the password.
    page.wait_for_url("**/accounts/reauthenticate/**")
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Confirm").click()
    page.wait_for_url("**/accounts/2fa/totp/activate/")
    assert page.locator(".totp-qr svg").is_visible()  # the QR code shows under the CSP
    secret = page.locator("#authenticator_secret").input_value()
    page.get_by_label("Code from your authenticator app").fill(totp_clock.code(secret))
    page.get_by_role("button", name="Turn on two-factor authentication").click()

    page.goto("/admin/")
    page.wait_for_url("**/accounts/2fa/reauthenticate/**")
    totp_clock.advance(30)  # the app shows the next code; each code is accepted once
    page.locator("input[name=code]").fill(totp_clock.code(secret))
    page.get_by_role("button", name="Confirm").click()
    page.wait_for_url("**/admin/")
    assert "Site administration" in page.locator("body").inner_text()
    assert failed == []
    assert page.problems.messages == []


def test_no_member_page_has_console_errors_or_csp_violations(page, live_server):

    from tests.factories import MemberConditionFactory, MemberFactory
    from tests.pages import account_pages

    member = MemberFactory()
    MemberConditionFactory(user=member)
    log_in(page.context, live_server, member)
    for name, url in account_pages().items():
        response = page.goto(url)
        assert response.status == 200, name
        assert page.url == live_server.url + url, name  # not sent to the log-in page
        assert page.locator("h1").count() == 1, name
    assert page.problems.messages == []
