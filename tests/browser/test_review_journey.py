"""
The review journey in a real browser: an editor drafts a change in the admin, a medical reviewer
approves it, and a visitor reads the new text with the new review date.
"""

import pytest
from django.utils import timezone

from diseasemaps.core.services import Role
from tests.factories import ReviewerFactory, StaffFactory, published_question

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_editor_drafts_a_reviewer_approves_and_a_visitor_sees_it(page, logged_in_page):
    question = published_question(
        title="How is it treated?", condition__name="Gout", condition__slug="gout"
    )
    live = question.live_revision
    editor = StaffFactory(roles=[Role.EDITOR])
    reviewer = ReviewerFactory(reviewer_profile__display_name="Dr Ada Lane")
    new_text = "Surgery with clear margins comes first; newer evidence is summarised below."

    # The editor opens the live answer and saves a change: that starts a draft.
    editor_page = logged_in_page(editor)
    editor_page.goto(f"/admin/answers/answerrevision/{live.pk}/change/")
    editor_page.get_by_label("Short answer").fill(new_text)
    editor_page.get_by_label("Change summary").fill("Rewrote the short answer.")
    editor_page.get_by_role("button", name="Save and continue editing").click()
    editor_page.wait_for_url("**/change/")
    draft_url = editor_page.url
    assert f"/{live.pk}/change/" not in draft_url

    # A visitor still reads the approved text.
    page.goto(question.get_absolute_url())
    assert new_text not in page.locator("main").inner_text()

    # The editor sends the draft for review with the admin action.
    editor_page.goto("/admin/answers/answerrevision/?state__exact=draft")
    editor_page.locator("input[name=_selected_action]").first.check()
    editor_page.locator("select[name=action]").select_option("send_for_review")
    editor_page.get_by_role("button", name="Go").click()
    assert "is now in review" in editor_page.locator(".messagelist").inner_text()

    # The reviewer finds it in their queue, reads the diff and approves a full review.
    reviewer_page = logged_in_page(reviewer)
    reviewer_page.goto("/admin/answers/answerrevision/?queue=awaiting")
    reviewer_page.get_by_role("link", name="How is it treated?").first.click()
    reviewer_page.get_by_role("link", name="Review", exact=True).click()
    assert "Surgery" in reviewer_page.locator("ins.diff-ins").first.inner_text()
    reviewer_page.get_by_label("Approve: full medical review (moves the review date)").check()
    reviewer_page.get_by_label("Change summary").fill("Checked against the 2025 guideline.")
    reviewer_page.get_by_role("button", name="Record my decision").click()
    assert "Approved" in reviewer_page.locator(".messagelist").inner_text()

    # The visitor now reads the new text, reviewed today by the reviewer.
    page.goto(question.get_absolute_url())
    main = page.locator("main").inner_text()
    today = timezone.localdate()
    today = f"{today.day} {today:%B %Y}"  # "8 May 2026"
    assert new_text in main
    assert f"Medically reviewed by Dr Ada Lane, MD · Last reviewed {today}" in " ".join(
        page.locator(".review-badge__line").inner_text().split()
    )
    page.get_by_role("link", name="Review history").click()
    history = page.locator("main").inner_text()
    assert "Checked against the 2025 guideline." in history
    assert "Dr Ada Lane" in history
    assert page.problems.messages == []


def test_a_visitor_reports_an_error_and_a_reviewer_resolves_it(page, logged_in_page):
    question = published_question(title="What helps?", condition__slug="gout")
    reviewer = ReviewerFactory()

    page.goto(question.get_absolute_url())
    page.get_by_role("link", name="Report an error in this answer").click()
    page.get_by_role("button", name="Send the report").click()
    assert "Tell us what is wrong" in page.locator("main").inner_text()
    page.get_by_label("What is wrong in this answer?").fill("The second paragraph says 40 mg.")
    page.get_by_role("button", name="Send the report").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Thank you"
    assert page.problems.messages == []

    reviewer_page = logged_in_page(reviewer)
    reviewer_page.goto("/admin/answers/answerfeedback/?status=open")
    reviewer_page.get_by_role("link", name="What helps?").click()
    assert "The second paragraph says 40 mg." in reviewer_page.locator("#content").inner_text()
    reviewer_page.get_by_label("Resolution note").fill("Checked: 400 mg is right.")
    reviewer_page.get_by_label("Mark as resolved").check()
    reviewer_page.get_by_role("button", name="Save", exact=True).click()
    reviewer_page.goto("/admin/answers/answerfeedback/?status=open")
    assert "0 reader feedback" in reviewer_page.locator("#content").inner_text()
