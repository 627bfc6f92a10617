"""
Staff at work in a real browser: a moderator triages the queue from the list and approves a post
after reading it on the confirmation page; a medical reviewer reads what changed before the
decision form and sends a draft back.
"""

import pytest

from diseasemaps.answers import services as answer_services
from diseasemaps.core.services import Role
from diseasemaps.experiences import services
from diseasemaps.experiences.models import Experience, render_experience_markdown
from tests.factories import (
    ExperienceFactory,
    MemberFactory,
    ReviewerFactory,
    StaffFactory,
    published_question,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

POST = (
    "Imatinib shrank the tumour enough for surgery to take it out with clear margins. The "
    "tiredness in the first month was the hardest part, and it eased."
)


def _post_by(pseudonym: str, question, body: str, **fields) -> Experience:
    return ExperienceFactory(
        author=MemberFactory(profile__display_name=pseudonym),
        question=question,
        body=body,
        body_html=render_experience_markdown(body),
        **fields,
    )


def test_a_moderator_triages_the_queue_and_approves_a_post_after_reading_it(page, logged_in_page):
    question = published_question(title="How is it treated?", condition__slug="dfsp")
    waiting = _post_by(
        "MossyOak5", question, POST, status=Experience.Status.PENDING, approved_at=None
    )
    reported = _post_by("BrightFern9", question, "Buy my cream, it cures everything you have.")
    for reporter in (MemberFactory(), MemberFactory()):
        services.report_experience(experience=reported, reporter=reporter, reason="promotion")
    moderator = StaffFactory(roles=[Role.MODERATOR])

    admin = logged_in_page(moderator)
    admin.goto("/admin/")
    admin.get_by_role("link", name="Experiences").last.click()
    admin.get_by_role("link", name="Waiting for a moderator").click()
    headers = admin.locator("#result_list thead").inner_text()
    for column in ("AUTHOR", "EXCERPT", "AGE", "OPEN REPORTS"):
        assert column in headers.upper()
    waiting_row = admin.locator("#result_list tbody tr", has_text="MossyOak5")
    assert "Imatinib shrank the tumour enough for surgery" in waiting_row.inner_text()
    assert "just now" in waiting_row.locator("td.field-age").inner_text()
    reported_row = admin.locator("#result_list tbody tr", has_text="BrightFern9")
    assert reported_row.locator("td.field-open_report_count").inner_text() == "2"
    assert "Buy my cream" in reported_row.locator("td.field-excerpt").inner_text()

    # The moderator picks the waiting post and the bulk action, and reads it before approving.
    waiting_row.locator("input[name=_selected_action]").check()
    admin.locator("select[name=action]").select_option("approve")
    admin.get_by_role("button", name="Go").click()
    assert admin.get_by_role("heading", level=1).inner_text() == (
        "Read the posts before approving them"
    )
    shown = admin.locator(".moderation-confirm__post")
    assert shown.count() == 1
    assert "MossyOak5" in shown.inner_text()
    assert "A new post: approving publishes it." in shown.inner_text()
    assert "the hardest part, and it eased" in shown.locator(".experience-body").inner_text()
    admin.get_by_role("button", name="Yes, approve this post").click()
    assert f"Experience {waiting.pk} on How is it treated?: approved." in (
        admin.locator(".messagelist").inner_text()
    )
    assert admin.locator("#result_list tbody tr", has_text="MossyOak5").count() == 0
    assert admin.problems.messages == []

    # A visitor reads it on the question page.
    page.goto(question.get_absolute_url())
    assert "the hardest part, and it eased" in page.locator("main").inner_text()
    reported.refresh_from_db()
    assert reported.reports.filter(status="open").count() == 2  # not part of the approval


def test_a_moderator_can_go_back_from_the_confirmation_without_approving(logged_in_page):
    question = published_question(condition__slug="dfsp")
    waiting = _post_by(
        "CalmRiver2", question, POST, status=Experience.Status.PENDING, approved_at=None
    )
    admin = logged_in_page(StaffFactory(roles=[Role.MODERATOR]))
    admin.goto("/admin/experiences/experience/?queue=waiting")
    admin.locator("#result_list tbody tr", has_text="CalmRiver2").locator(
        "input[name=_selected_action]"
    ).check()
    admin.locator("select[name=action]").select_option("approve")
    admin.get_by_role("button", name="Go").click()
    admin.get_by_role("link", name="No, take me back").click()
    assert "CalmRiver2" in admin.locator("#result_list").inner_text()
    waiting.refresh_from_db()
    assert waiting.status == Experience.Status.PENDING
    assert admin.problems.messages == []


def test_a_reviewer_reads_what_changed_above_the_decision_and_sends_it_back(logged_in_page):
    question = published_question(title="Is it inherited?", condition__slug="dfsp")
    editor = StaffFactory(roles=[Role.EDITOR])
    draft = answer_services.create_draft(
        question=question,
        author=editor,
        short_answer="No: it is not passed down in families.",
        body="It is not inherited.",
        change_summary="Says it plainly.",
    )
    answer_services.submit_for_review(revision=draft, actor=editor)
    reviewer = logged_in_page(ReviewerFactory())

    reviewer.goto("/admin/answers/answerrevision/?queue=awaiting")
    reviewer.get_by_role("link", name="Is it inherited?").first.click()
    reviewer.get_by_role("link", name="Review", exact=True).click()
    changes = reviewer.get_by_role("heading", name="What changed since revision 1")
    decision = reviewer.get_by_role("heading", name="Your decision")
    added = reviewer.locator("ins.diff-ins").first
    assert "inherited" in reviewer.locator(".review-changes").inner_text()
    assert changes.bounding_box()["y"] < added.bounding_box()["y"]
    assert added.bounding_box()["y"] < decision.bounding_box()["y"]

    reviewer.get_by_label("Request changes (sends it back to the editor)").check()
    reviewer.get_by_label("Note to the editor").fill("Cite the genetics review.")
    reviewer.get_by_role("button", name="Record my decision").click()
    assert "Sent back to the editor" in reviewer.locator(".messagelist").inner_text()
    draft.refresh_from_db()
    assert draft.state == draft.State.CHANGES_REQUESTED
    assert reviewer.problems.messages == []
