"""Numbered references in an answer's text link to the sources listed under it, and only to them."""

import re

import pytest
from django.core.exceptions import ValidationError

from diseasemaps.answers import services
from diseasemaps.answers.models import AnswerRevision, Source
from tests.factories import QuestionFactory, SourceFactory, published_question

pytestmark = pytest.mark.django_db


def _draft(editor, body: str, *, sources: int) -> AnswerRevision:
    draft = services.create_draft(
        question=QuestionFactory(),
        author=editor,
        short_answer="Short.",
        body=body,
        change_summary="Why.",
    )
    for position in range(1, sources + 1):
        SourceFactory(revision=draft, position=position)
    return draft


def test_a_draft_citing_a_source_it_does_not_list_cannot_be_sent_for_review(editor):
    draft = _draft(editor, "Surgery first [1], imatinib later [3].", sources=2)
    with pytest.raises(ValidationError) as error:
        services.submit_for_review(revision=draft, actor=editor)
    assert error.value.messages == [
        "The answer cites [3], but it lists only 2 sources. Add the missing sources or remove "
        "the references."
    ]
    draft.refresh_from_db()
    assert draft.state == AnswerRevision.State.DRAFT


def test_an_answer_whose_source_was_removed_in_review_cannot_be_approved(editor, reviewer):
    draft = _draft(editor, "Surgery first [1].", sources=1)
    services.submit_for_review(revision=draft, actor=editor)
    Source.objects.filter(revision=draft).delete()
    with pytest.raises(ValidationError) as error:
        services.approve_revision(revision=draft, reviewer=reviewer)
    assert "cites [1], but it lists no sources" in error.value.messages[0]
    draft.refresh_from_db()
    assert draft.state == AnswerRevision.State.IN_REVIEW


def test_an_answer_citing_its_sources_goes_live_with_links_to_the_list(client, editor, reviewer):
    draft = _draft(editor, "Surgery first [1], imatinib later [2].", sources=2)
    services.submit_for_review(revision=draft, actor=editor)
    services.approve_revision(revision=draft, reviewer=reviewer)
    html = client.get(draft.question.get_absolute_url()).content.decode()
    targets = re.findall(r'<a href="#(source-\d+)"', html)
    assert targets == ["source-1", "source-2"]
    for target in targets:
        assert f'<li id="{target}" class="source">' in html


def test_a_source_lists_its_authors_before_the_title(client):
    question = published_question()
    source = SourceFactory.build(
        revision=question.live_revision,
        authors="Lowe GC, Onajin O, Baum CL, et al.",
        title="A comparison",
        publisher="Dermatologic Surgery",
        year=2017,
        url="",
    )
    source.full_clean()
    source.save()
    assert source.authors == "Lowe GC, Onajin O, Baum CL, et al"
    html = client.get(question.get_absolute_url()).content.decode()
    assert (
        '<li id="source-1" class="source">Lowe GC, Onajin O, Baum CL, et al. A comparison. '
        "Dermatologic Surgery, 2017.</li>"
    ) in html
