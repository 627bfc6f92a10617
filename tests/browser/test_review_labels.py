"""
What a reader meets of the review state and the sources, click by click: an overdue answer reads
as overdue everywhere it is listed, and a numbered reference takes the reader to its source.
"""

import datetime

import pytest
from django.core.management import call_command
from django.utils import timezone

from diseasemaps.answers.models import AnswerRevision, Question

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TITLE = "What is the standard approach to treating Dermatofibrosarcoma Protuberans?"


def test_a_reader_clicks_a_numbered_reference_and_reaches_its_source(page):
    call_command("load_demo_content", verbosity=0)
    page.goto("/conditions/dfsp/questions/standard-treatment/")
    body = page.locator(".answer__body")
    body.get_by_role("link", name="[2]").first.click()
    page.wait_for_url("**/standard-treatment/#source-2")
    target = page.locator("li.source:target")
    assert target.count() == 1
    assert target.inner_text().startswith("Lowe GC, Onajin O, Baum CL")
    assert target.get_by_role("link", name="10.1097/DSS.0000000000000910").count() == 1
    assert target.get_by_role("link", name="27749444").count() == 1
    # Every reference in the text leads to a source in the list.
    for href in body.locator('a[href^="#source-"]').evaluate_all("els => els.map(e => e.hash)"):
        assert page.locator(f"li.source{href}").count() == 1, href
    assert page.problems.messages == []


def test_an_overdue_answer_reads_as_overdue_wherever_a_reader_meets_it(page):
    call_command("load_demo_content", verbosity=0)
    question = Question.objects.get(slug="standard-treatment")
    AnswerRevision.objects.filter(pk=question.live_revision_id).update(
        next_review_on=timezone.localdate() - datetime.timedelta(days=2)
    )

    page.goto("/")
    reviewed = page.locator("section", has=page.get_by_role("heading", name="Recently reviewed"))
    assert TITLE not in reviewed.inner_text()

    page.get_by_role("link", name="Dermatofibrosarcoma Protuberans (DFSP)").first.click()
    page.wait_for_url("**/conditions/dfsp/")
    item = page.locator("li", has=page.get_by_role("link", name=TITLE))
    assert "Review overdue" in item.inner_text()
    assert "Questions with medically reviewed answers" not in page.locator("main").inner_text()

    item.get_by_role("link", name=TITLE).click()
    page.wait_for_url("**/questions/standard-treatment/")
    label = page.locator(".answer__label").inner_text()
    assert "REVIEW OVERDUE" in label.upper()
    assert "MEDICALLY REVIEWED SUMMARY" not in label.upper()
    badge = page.locator(".review-badge")
    assert " ".join(badge.inner_text().split()).startswith("! Review overdue: it was due")

    badge.get_by_role("link", name="Dr Jordan Avery, MD, dermatologic surgeon").click()
    page.wait_for_url("**/reviewers/jordan-avery/")
    listed = page.locator("li", has=page.get_by_role("link", name=TITLE))
    assert "Review overdue" in listed.inner_text()

    page.get_by_role("searchbox").first.fill("DFSP treatment")
    page.get_by_role("searchbox").first.press("Enter")
    page.wait_for_url("**/search/?q=DFSP+treatment")
    result = page.locator("li.search-result", has=page.get_by_role("link", name=TITLE))
    assert "Review overdue" in result.inner_text()
    assert "Reviewed answer" not in page.locator("main").inner_text()
    assert page.problems.messages == []
