"""
Every label that speaks of an answer's medical review agrees with its review state: the
question page's label and badge, the home page, condition, reviewer and search lists, JSON-LD.
"""

import datetime
import json
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from diseasemaps.answers.models import AnswerRevision, Question, ReviewState
from diseasemaps.core.dates import human_date
from diseasemaps.search import services as search_services
from tests.factories import ConditionFactory, RevisionFactory, published_question

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 12, 1)


def _overdue(question: Question, *, days: int = 1) -> Question:
    revision = question.live_revision
    revision.next_review_on = timezone.localdate() - datetime.timedelta(days=days)
    revision.save()
    return question


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", html)).strip()


def _section(html: str, heading_id: str) -> str:
    start = html.index(f'id="{heading_id}"')
    return html[start : html.index("</section>", start)]


@pytest.mark.parametrize(
    ("next_review_on", "state"),
    [
        (None, ReviewState.REVIEWED),
        (TODAY + datetime.timedelta(days=1), ReviewState.REVIEWED),
        (TODAY, ReviewState.REVIEWED),
        (TODAY - datetime.timedelta(days=1), ReviewState.OVERDUE),
    ],
)
def test_the_state_of_one_answer_and_the_lists_follow_the_same_rule(next_review_on, state):
    question = published_question()
    revision = question.live_revision
    revision.next_review_on = next_review_on
    revision.save()

    assert revision.review_state_on(TODAY) == state
    current = Question.objects.review_current(today=TODAY)
    overdue = Question.objects.review_overdue(today=TODAY)
    assert (question in current, question in overdue) == (
        state == ReviewState.REVIEWED,
        state == ReviewState.OVERDUE,
    )
    assert (revision in AnswerRevision.objects.overdue(today=TODAY)) == (
        state == ReviewState.OVERDUE
    )


def test_a_draft_is_not_yet_medically_reviewed():
    draft = RevisionFactory()
    assert draft.review_state_on(TODAY) == ReviewState.NOT_REVIEWED
    assert not draft.is_medically_reviewed
    assert not draft.is_review_overdue


def test_an_overdue_answer_is_never_called_a_medically_reviewed_summary(client):
    question = _overdue(published_question())
    html = client.get(question.get_absolute_url()).content.decode()
    label = re.search(r'<p class="answer__label">(.*?)</p>', html, re.S).group(1)
    assert _text(label) == "Short answer · Review overdue · Last updated: 8 May 2026"
    assert "Medically reviewed summary" not in html
    assert "Medically reviewed by" not in html
    assert "✓" not in html
    badge = re.search(r'<div class="review-badge.*?</div>', html, re.S).group(0)
    assert _text(badge).startswith(
        f"! Review overdue: it was due {human_date(question.live_revision.next_review_on)} · "
        "Last medically reviewed by "
    )
    assert "on 8 May 2026" in _text(badge)


def test_a_current_answer_keeps_the_reviewed_label(client):
    question = published_question()
    html = client.get(question.get_absolute_url()).content.decode()
    label = re.search(r'<p class="answer__label">(.*?)</p>', html, re.S).group(1)
    assert _text(label) == "Short answer · Medically reviewed summary · Last updated: 8 May 2026"


def test_the_home_page_lists_only_answers_whose_review_holds_latest_review_first(client):
    overdue = _overdue(published_question(title="Overdue answer?"))
    older = published_question(title="Reviewed in May?")
    newer = published_question(title="Reviewed in June?")
    # An editorial change moves "last updated", not "last reviewed": the order is by review.
    AnswerRevision.objects.filter(pk=older.live_revision_id).update(
        updated_on=datetime.date(2026, 7, 1)
    )
    AnswerRevision.objects.filter(pk=newer.live_revision_id).update(
        reviewed_on=datetime.date(2026, 6, 1)
    )
    section = _section(client.get(reverse("pages:home")).content.decode(), "reviewed-heading")
    assert overdue.title not in section
    assert section.index(newer.title) < section.index(older.title)
    assert "Medically reviewed · last reviewed 1 June 2026" in _text(section)
    assert "overdue" not in section.lower()


def test_the_condition_page_labels_each_answer_by_its_review_state(client):
    condition = ConditionFactory()
    overdue = _overdue(published_question(condition=condition, title="Overdue answer?"))
    current = published_question(condition=condition, title="Current answer?")
    html = client.get(condition.get_absolute_url()).content.decode()
    section = _text(_section(html, "questions-heading"))
    assert "Questions with medically reviewed answers" not in section
    assert f"{overdue.title} Review overdue · last reviewed 8 May 2026" in section
    assert f"{current.title} Medically reviewed · last reviewed 8 May 2026" in section


def test_the_reviewer_page_labels_each_answer_by_its_review_state(client):
    overdue = _overdue(published_question(title="Overdue answer?"))
    reviewer = overdue.live_revision.reviewer
    current = published_question(title="Current answer?")
    AnswerRevision.objects.filter(pk=current.live_revision_id).update(reviewer=reviewer)
    url = reverse("answers:reviewer", kwargs={"slug": reviewer.reviewer_profile.slug})
    section = _text(_section(client.get(url).content.decode(), "reviewed-heading"))
    assert "Review overdue · last reviewed 8 May 2026" in section
    assert "Medically reviewed · last reviewed 8 May 2026" in section
    assert section.index(overdue.title) < section.index("Review overdue")


def test_search_results_label_each_answer_by_its_review_state(client):
    condition = ConditionFactory(name="Rareoma")
    overdue = _overdue(published_question(condition=condition, title="Rareoma overdue?"))
    current = published_question(condition=condition, title="Rareoma current?")
    search_services.rebuild_search_index()
    html = client.get(reverse("search:results"), {"q": "rareoma"}).content.decode()
    kinds = {
        _text(title): _text(kind)
        for kind, title in re.findall(
            r'<p class="search-result__kind">(.*?)</p>\s*'
            r'<h2 class="search-result__title">(.*?)</h2>',
            html,
            re.S,
        )
    }
    last_reviewed = "last reviewed 8 May 2026"
    assert kinds[overdue.title] == f"Answer · Rareoma · Review overdue · {last_reviewed}"
    assert kinds[current.title] == f"Answer · Rareoma · Medically reviewed · {last_reviewed}"
    assert "Reviewed answer" not in html


def test_json_ld_of_an_overdue_answer_keeps_its_real_last_review_date(client):
    question = _overdue(published_question(), days=30)
    html = client.get(question.get_absolute_url()).content.decode()
    blocks = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    page = next(data for data in map(json.loads, blocks) if data["@type"] == "MedicalWebPage")
    assert page["lastReviewed"] == "2026-05-08"
