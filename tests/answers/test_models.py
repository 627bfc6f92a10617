import pytest
from django.db import IntegrityError, transaction

from diseasemaps.answers.models import AnswerRevision, Question
from tests.factories import QuestionFactory, RevisionFactory, published_question

pytestmark = pytest.mark.django_db


def test_a_question_with_only_a_draft_is_not_published():
    RevisionFactory()
    assert not Question.objects.published().exists()


def test_a_question_with_a_live_revision_is_published():
    question = published_question()
    assert list(Question.objects.published()) == [question]


def test_the_database_refuses_a_second_open_draft():
    question = QuestionFactory()
    RevisionFactory(question=question, state=AnswerRevision.State.DRAFT)
    with pytest.raises(IntegrityError), transaction.atomic():
        RevisionFactory(question=question, state=AnswerRevision.State.IN_REVIEW)


def test_closed_revisions_do_not_count_as_open_drafts():
    question = QuestionFactory()
    RevisionFactory(question=question, state=AnswerRevision.State.DISCARDED)
    RevisionFactory(question=question, state=AnswerRevision.State.DRAFT)
    assert question.revisions.open().count() == 1


def test_the_database_refuses_an_approved_revision_without_a_review():
    with pytest.raises(IntegrityError), transaction.atomic():
        RevisionFactory(state=AnswerRevision.State.APPROVED)


def test_set_body_makes_the_sanitized_html():
    revision = AnswerRevision()
    revision.set_body("# Title\n\n<script>x</script>")
    assert "<h2>Title</h2>" in revision.body_html
    assert "<script" not in revision.body_html
