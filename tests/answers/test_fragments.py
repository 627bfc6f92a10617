"""
The reviewed answer's block is rendered once per live revision and kept in the shared cache:
a logged-in member's question page reuses it, and any change it shows (a corrected source, a
renamed reviewer, the review falling overdue) makes it again. A draft is never kept.
"""

import datetime

import pytest
from django.template import loader

from diseasemaps.answers.fragments import TEMPLATE, reviewed_answer_html
from tests.factories import RevisionFactory, SourceFactory
from tests.factories import published_question as make_published_question

pytestmark = pytest.mark.django_db


@pytest.fixture
def renders(monkeypatch):
    """How many times the block's template was rendered."""
    count = {"n": 0}
    original = loader.render_to_string

    def counting(name, *args, **kwargs):
        if name == TEMPLATE:
            count["n"] += 1
        return original(name, *args, **kwargs)

    monkeypatch.setattr("diseasemaps.answers.fragments.render_to_string", counting)
    return count


def _block(question):
    revision = question.live_revision
    return reviewed_answer_html(
        revision=revision, question=question, sources=list(revision.sources.all())
    )


def test_a_members_question_page_reuses_the_block_of_the_live_revision(member_client, renders):
    question = make_published_question()
    SourceFactory(revision=question.live_revision, title="A trial of imatinib")
    url = question.get_absolute_url()

    first = member_client.get(url)
    second = member_client.get(url)

    assert "A trial of imatinib" in first.content.decode()
    assert "A trial of imatinib" in second.content.decode()
    assert renders["n"] == 1


def test_a_corrected_source_or_renamed_reviewer_shows_at_once(renders):
    question = make_published_question()
    source = SourceFactory(revision=question.live_revision, title="Old title")
    question.refresh_from_db()
    assert "Old title" in _block(question)

    source.title = "Corrected title"
    source.save()
    question.refresh_from_db()
    assert "Corrected title" in _block(question)

    profile = question.live_revision.reviewer.reviewer_profile
    profile.display_name = "Dr Ann Lee-Smith"
    profile.save()
    question.refresh_from_db()
    assert "Dr Ann Lee-Smith" in _block(question)
    assert renders["n"] == 3


def test_an_answer_whose_review_falls_overdue_says_so_at_once(monkeypatch):
    question = make_published_question()
    assert "Review overdue" not in _block(question)
    day_after = question.live_revision.next_review_on + datetime.timedelta(days=1)
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *args: day_after)
    assert "Review overdue" in _block(question)


def test_a_draft_in_preview_is_never_kept(renders):
    question = make_published_question()
    draft = RevisionFactory(question=question, number=2, body="A new draft text.")
    for _ in range(2):
        html = reviewed_answer_html(revision=draft, question=question, sources=[])
        assert "A new draft text." in html
    assert renders["n"] == 2
