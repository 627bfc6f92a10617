"""
Suggesting a question in a real browser: a member asks from the condition page and finds it on
their account; an editor logs in to the admin and finds it in the editors' queue.
"""

import pytest
from django.core.management import call_command

from diseasemaps.core.services import Role
from tests.factories import MemberFactory, StaffFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

QUESTION = "Can DFSP come back in a scar years after Mohs surgery?"


def test_a_member_asks_a_question_and_an_editor_finds_it_in_the_queue(logged_in_page, page):
    call_command("load_demo_content", verbosity=0)
    member = MemberFactory()
    editor = StaffFactory(roles=[Role.EDITOR])

    # A visitor is asked to log in first.
    page.goto("/conditions/dfsp/")
    assert page.get_by_role("link", name="Log in to ask a question").is_visible()

    # The member asks from the condition page.
    member_page = logged_in_page(member)
    member_page.goto("/conditions/dfsp/")
    member_page.get_by_role("link", name="Ask a question about DFSP").click()
    assert member_page.get_by_role("heading", level=1).inner_text() == "Ask a question about DFSP"
    member_page.get_by_label("Your question").fill("Why?")
    details = "I had Mohs surgery in 2019 and the scar has changed."
    member_page.get_by_label("Anything that would help the editors understand it").fill(details)
    member_page.get_by_role("button", name="Send to the editors").click()
    assert "at least 10 characters" in member_page.locator("main").inner_text()
    assert member_page.get_by_label("Your question").input_value() == "Why?"
    member_page.get_by_label("Your question").fill(QUESTION)
    member_page.get_by_role("button", name="Send to the editors").click()
    assert "your question is with the editors" in member_page.locator(".messages").inner_text()
    listed = member_page.locator("main").inner_text()
    assert QUESTION in listed
    assert "New" in listed
    # It is listed from the account page too.
    member_page.goto("/members/me/")
    member_page.get_by_role("link", name="Questions I suggested").click()
    assert QUESTION in member_page.locator("main").inner_text()
    # The refused form answered 400, which the browser logs; nothing else went wrong.
    problems = member_page.problems.messages
    assert [message for message in problems if "status of 400" not in message] == []
    assert len(problems) == 1

    # The editor finds it in the queue.
    admin_page = logged_in_page(editor)
    admin_page.goto("/admin/")
    admin_page.get_by_role("link", name="Suggested questions").click()
    admin_page.get_by_role("link", name="To handle (new or planned)").click()
    row = admin_page.locator("#result_list tbody tr", has_text=QUESTION)
    assert "New" in row.inner_text()
    row.get_by_role("link", name=QUESTION).click()
    assert details in admin_page.locator("#content").inner_text()
    admin_page.get_by_label("Plan an answer").check()
    admin_page.get_by_label("Note to the member:").fill("We are writing an answer.")
    admin_page.get_by_role("button", name="Save", exact=True).click()
    assert "changed successfully" in admin_page.locator(".messagelist").inner_text()

    # The member reads the editors' decision and note.
    member_page.goto("/questions/suggested/")
    listed = member_page.locator("main").inner_text()
    assert "Planned" in listed
    assert "We are writing an answer." in listed
