"""
The reply journey in a real browser: a member replies under a post and sees it waiting, a
moderator approves it in the admin, and a visitor then reads it under the post.
"""

import pytest
from django.core.management import call_command

from diseasemaps.conditions.models import Condition
from diseasemaps.core.services import Role
from tests.factories import MemberConditionFactory, MemberFactory, StaffFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

QUESTION_URL = "/conditions/dfsp/questions/standard-treatment/"
REPLY = "Did the scar from the Mohs layers fade after the first year?"


def test_a_member_replies_a_moderator_approves_and_a_visitor_reads_it(logged_in_page, page):
    call_command("load_demo_content", verbosity=0)
    dfsp = Condition.objects.get(slug="dfsp")
    member = MemberFactory()
    MemberConditionFactory(user=member, condition=dfsp)
    moderator = StaffFactory(roles=[Role.MODERATOR])

    # The member replies under the first post, and sees their reply waiting.
    member_page = logged_in_page(member)
    member_page.goto(QUESTION_URL)
    member_page.locator(".experience").first.get_by_role("link", name="Reply", exact=True).click()
    member_page.get_by_label("Your reply").fill(REPLY)
    member_page.get_by_role("button", name="Reply", exact=True).click()
    assert "A moderator will read your reply soon" in member_page.locator(".messages").inner_text()
    mine = member_page.locator(".reply", has_text=REPLY)
    assert "waiting for a moderator" in mine.inner_text()
    assert member_page.problems.messages == []

    # Not yet for a visitor.
    page.goto(QUESTION_URL)
    assert REPLY not in page.locator("main").inner_text()

    # The moderator finds it in the queue of replies and approves it.
    admin_page = logged_in_page(moderator)
    admin_page.goto("/admin/")
    admin_page.get_by_role("link", name="Replies", exact=True).first.click()
    admin_page.locator("#searchbar").fill("scar from the Mohs layers")
    admin_page.locator("#searchbar").press("Enter")
    admin_page.locator("#result_list tbody th a").first.click()
    assert REPLY in admin_page.locator("main").inner_text()
    admin_page.get_by_label("Decision:").select_option("approve")
    admin_page.get_by_role("button", name="Save", exact=True).click()
    assert "changed successfully" in admin_page.locator(".messagelist").inner_text()

    # A visitor now reads it under the post; the figure still counts people who shared.
    page.goto(QUESTION_URL)
    text = page.locator("main").inner_text()
    assert REPLY in text
    assert "2 people with Dermatofibrosarcoma Protuberans (DFSP) have shared" in text
    assert page.problems.messages == []
