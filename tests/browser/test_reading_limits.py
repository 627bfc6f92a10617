"""
A member who reads members' pages and posts faster than a person does is asked, kindly, to come
back later; the page that says so is as accessible as every other.
"""

import pytest

from tests.browser.conftest import log_in
from tests.browser.test_accessibility import RUN_AXE, VIEWPORTS
from tests.checkers import AXE, checker
from tests.factories import (
    TEST_PASSWORD,
    ExperienceFactory,
    MemberConditionFactory,
    MemberFactory,
    published_question,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_member_clicking_through_members_pages_too_fast_is_asked_to_come_back(
    page, audit_page, live_server, settings
):
    from allauth.account.models import EmailAddress

    settings.DISEASEMAPS_MEMBER_READS_PER_ACCOUNT = 4
    question = published_question(title="How is it treated?")
    authors = [MemberFactory(profile__display_name=name) for name in ("Heron", "Lynx")]
    for author in authors:
        MemberConditionFactory(user=author, condition=question.condition, visibility="members")
        ExperienceFactory(question=question, author=author, audience="members")
    reader = MemberFactory()
    EmailAddress.objects.create(user=reader, email=reader.email, verified=True, primary=True)

    # Logging in through the form sets the __Host- session cookie over http://localhost.
    page.goto("/accounts/login/")
    page.get_by_label("E-mail address").fill(reader.email)
    page.get_by_label("Password", exact=True).fill(TEST_PASSWORD)
    page.locator("main").get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{live_server.url}/")

    # Every page counts, the question page too (going back asks the server again: no-store).
    assert page.goto(question.get_absolute_url()).status == 200  # 1
    page.get_by_role("link", name="Heron").click()  # 2
    page.wait_for_url("**/members/*/")
    assert page.get_by_role("heading", level=1).inner_text() == "Heron"
    assert page.go_back().status == 200  # 3
    with page.expect_response(lambda response: "/members/" in response.url) as lynx:
        page.get_by_role("link", name="Lynx").click()  # 4
    assert lynx.value.status == 200
    assert page.go_back().status == 429  # 5: one too many
    assert page.get_by_role("heading", level=1).inner_text() == "Please come back in a few minutes"
    assert "Nothing is wrong with your account" in page.locator("main").inner_text()

    page.get_by_role("link", name="browse conditions A–Z").click()
    page.wait_for_url("**/conditions/")
    # The browser notes the 429 itself; nothing else (no CSP violation, no script error).
    assert [text for text in page.problems.messages if "status of 429" not in text] == []

    # The paused page passes axe at a phone's width and a desktop's.
    log_in(audit_page.context, live_server, reader)
    violations = []
    for viewport in VIEWPORTS:
        audit_page.set_viewport_size(viewport)
        response = audit_page.goto(question.get_absolute_url())
        assert response.status == 429
        audit_page.add_script_tag(path=str(checker(AXE)))
        violations += audit_page.evaluate(RUN_AXE)
    assert violations == []
