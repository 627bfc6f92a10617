"""
The sharing journey in a real browser: a member shares, a moderator approves in the admin, and a
visitor sees the new figure. Staff log in by session here; the accounts feature's MFA login
replaces it.
"""

import pytest
from django.core.management import call_command

from diseasemaps.conditions.models import Condition
from diseasemaps.core.services import Role
from tests.factories import MemberConditionFactory, MemberFactory, StaffFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

QUESTION_URL = "/conditions/dfsp/questions/standard-treatment/"


def test_a_member_shares_a_moderator_approves_and_a_visitor_sees_three_people(logged_in_page, page):
    call_command("load_demo_content", verbosity=0)
    dfsp = Condition.objects.get(slug="dfsp")
    member = MemberFactory()
    MemberConditionFactory(user=member, condition=dfsp)
    moderator = StaffFactory(roles=[Role.MODERATOR])

    # The member shares, through the preview and the personal-data warning.
    member_page = logged_in_page(member)
    member_page.goto(QUESTION_URL)
    member_page.get_by_role("link", name="Share your experience").click()
    member_page.get_by_label("Your experience").fill(
        "Mohs surgery took a whole day. My surgeon's office is on 020 7946 0958 if you ask."
    )
    member_page.get_by_label("Mohs micrographic surgery").check()
    member_page.get_by_role("button", name="Preview").click()
    assert "a phone number" in member_page.locator(".warning").inner_text()
    member_page.get_by_label("Your experience").fill(
        "Mohs surgery took a whole day, and the wait between layers was the hardest part."
    )
    member_page.get_by_role("button", name="Preview").click()
    assert member_page.locator(".warning").count() == 0
    member_page.get_by_role("button", name="Share").click()
    assert "A moderator will read your post soon" in member_page.locator(".messages").inner_text()
    assert member_page.problems.messages == []

    # Not yet: the page still says two.
    page.goto(QUESTION_URL)
    assert "2 people with Dermatofibrosarcoma Protuberans (DFSP) have shared" in (
        page.locator("main").inner_text()
    )

    # The moderator finds it in the queue and approves it.
    admin_page = logged_in_page(moderator)
    admin_page.goto("/admin/experiences/experience/?queue=waiting")
    admin_page.locator("#result_list tbody th a").first.click()
    admin_page.get_by_label("Decision:").select_option("approve")
    admin_page.get_by_role("button", name="Save", exact=True).click()
    assert "changed successfully" in admin_page.locator(".messagelist").inner_text()

    # A visitor sees the new figure and the post.
    page.goto(QUESTION_URL)
    text = page.locator("main").inner_text()
    assert "3 people with Dermatofibrosarcoma Protuberans (DFSP) have shared" in text
    assert "the wait between layers was the hardest part" in text
    assert page.problems.messages == []


def test_member_pages_have_no_console_errors_or_csp_violations(logged_in_page):
    from tests.pages import member_pages

    member = MemberFactory()
    pages = member_pages(member)
    page = logged_in_page(member)
    for name, member_page in pages.items():
        if member_page.data:
            continue  # answers to a form: covered by the journey above
        response = page.goto(member_page.url)
        assert response.status == 200, name
        assert page.locator("h1").count() == 1, name
    assert page.problems.messages == []
