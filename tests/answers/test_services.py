import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from diseasemaps.answers import services
from diseasemaps.answers.models import AnswerRevision, Question, RevisionEvent
from diseasemaps.core.services import Role
from tests.factories import (
    QuestionFactory,
    ReviewerFactory,
    SourceFactory,
    StaffFactory,
    published_question,
)

pytestmark = pytest.mark.django_db

State = AnswerRevision.State


def _draft(question, author, **fields):
    values = {"short_answer": "Short.", "body": "Body.", "change_summary": "First version."}
    values.update(fields)
    return services.create_draft(question=question, author=author, **values)


def _in_review(question, author, **fields):
    return services.submit_for_review(revision=_draft(question, author, **fields), actor=author)


def test_a_draft_is_based_on_the_live_revision_and_numbered_next(editor):
    question = published_question()
    draft = _draft(question, editor)
    assert draft.based_on == question.live_revision
    assert draft.number == 2
    assert draft.state == State.DRAFT
    assert draft.body_html == "<p>Body.</p>\n"


def test_a_second_open_draft_is_refused(editor):
    question = QuestionFactory()
    _draft(question, editor)
    with pytest.raises(ValidationError, match="already has an open draft"):
        _draft(question, editor)
    assert question.revisions.count() == 1


def test_a_new_draft_starts_with_the_live_sources(editor):
    question = published_question()
    SourceFactory(revision=question.live_revision, title="Guideline")
    draft = _draft(question, editor)
    assert [s.title for s in draft.sources.all()] == ["Guideline"]
    assert question.live_revision.sources.count() == 1


def test_approval_makes_the_revision_live_and_supersedes_the_old_one(editor, reviewer):
    question = published_question()
    old = question.live_revision
    draft = _in_review(question, editor)
    services.approve_revision(revision=draft, reviewer=reviewer, on=datetime.date(2026, 6, 1))
    question.refresh_from_db()
    old.refresh_from_db()
    assert question.live_revision == draft
    assert old.state == State.SUPERSEDED
    draft.refresh_from_db()
    assert draft.state == State.APPROVED
    assert draft.reviewer == reviewer
    assert draft.reviewed_on == datetime.date(2026, 6, 1)
    assert draft.updated_on == datetime.date(2026, 6, 1)
    assert draft.next_review_on == datetime.date(2027, 6, 1)


def test_every_move_is_recorded(editor, reviewer):
    question = QuestionFactory()
    draft = _in_review(question, editor)
    services.approve_revision(revision=draft, reviewer=reviewer)
    moves = list(
        RevisionEvent.objects.filter(revision=draft).values_list("actor", "from_state", "to_state")
    )
    assert moves == [
        (editor.pk, "", State.DRAFT),
        (editor.pk, State.DRAFT, State.IN_REVIEW),
        (reviewer.pk, State.IN_REVIEW, State.APPROVED),
    ]


def test_the_author_of_a_revision_cannot_approve_it():
    author = ReviewerFactory(roles=[Role.MEDICAL_REVIEWER, Role.EDITOR])
    question = QuestionFactory()
    draft = _in_review(question, author)
    with pytest.raises(PermissionDenied, match="author"):
        services.approve_revision(revision=draft, reviewer=author)
    question.refresh_from_db()
    assert question.live_revision is None


def test_only_a_medical_reviewer_can_approve(editor):
    other_editor = StaffFactory(roles=[Role.EDITOR])
    draft = _in_review(QuestionFactory(), editor)
    with pytest.raises(PermissionDenied):
        services.approve_revision(revision=draft, reviewer=other_editor)


def test_a_draft_not_yet_in_review_cannot_be_approved(editor, reviewer):
    draft = _draft(QuestionFactory(), editor)
    with pytest.raises(ValidationError, match="in review"):
        services.approve_revision(revision=draft, reviewer=reviewer)


def test_a_draft_whose_base_is_no_longer_live_cannot_be_approved(editor, reviewer):
    question = published_question()
    stale = _in_review(question, editor)
    # Someone else's change goes live in the meantime.
    stale.state = State.DISCARDED
    stale.save()
    newer = _in_review(question, editor)
    services.approve_revision(revision=newer, reviewer=reviewer)
    stale.state = State.IN_REVIEW
    stale.save()
    with pytest.raises(ValidationError, match="live answer changed"):
        services.approve_revision(revision=stale, reviewer=reviewer)
    question.refresh_from_db()
    assert question.live_revision == newer


def test_an_editorial_change_keeps_the_review_dates(editor, reviewer):
    question = published_question()
    live = question.live_revision
    draft = _in_review(question, editor, change_summary="Typo.")
    services.approve_revision(
        revision=draft,
        reviewer=reviewer,
        review_kind=AnswerRevision.ReviewKind.EDITORIAL,
        on=datetime.date(2026, 9, 1),
    )
    draft.refresh_from_db()
    assert draft.reviewed_on == live.reviewed_on
    assert draft.next_review_on == live.next_review_on
    assert draft.updated_on == datetime.date(2026, 9, 1)


def test_the_first_version_needs_a_full_review(editor, reviewer):
    draft = _in_review(QuestionFactory(), editor)
    with pytest.raises(ValidationError, match="full medical review"):
        services.approve_revision(
            revision=draft, reviewer=reviewer, review_kind=AnswerRevision.ReviewKind.EDITORIAL
        )


def test_approval_needs_a_change_summary(editor, reviewer):
    draft = _in_review(QuestionFactory(), editor, change_summary="")
    with pytest.raises(ValidationError, match="change summary"):
        services.approve_revision(revision=draft, reviewer=reviewer)


def test_update_draft_raises_the_version(editor):
    draft = _draft(QuestionFactory(), editor)
    saved = services.update_draft(
        revision=draft,
        editor=editor,
        expected_version=1,
        short_answer="New.",
        body="New *body*.",
        change_summary="Edited.",
    )
    assert saved.version == 2
    assert saved.body_html == "<p>New <em>body</em>.</p>\n"


def test_a_save_from_an_outdated_copy_is_refused_and_writes_nothing(editor):
    draft = _draft(QuestionFactory(), editor)
    fields = {"editor": editor, "short_answer": "x", "change_summary": "y"}
    services.update_draft(revision=draft, expected_version=1, body="First save.", **fields)
    with pytest.raises(services.StaleVersion):
        services.update_draft(revision=draft, expected_version=1, body="Second save.", **fields)
    draft.refresh_from_db()
    assert draft.body == "First save."


def test_a_reviewers_approved_revisions_are_exactly_their_published_answers(editor):
    # The reviewer page counts `approved_by()` from one index instead of joining the questions.
    first, second = ReviewerFactory(), ReviewerFactory()
    questions = [QuestionFactory() for _ in range(4)]
    rounds = [(0, first), (1, first), (2, second), (0, second), (1, first), (3, second), (2, first)]
    for index, reviewer in rounds:
        draft = _in_review(questions[index], editor)
        services.approve_revision(revision=draft, reviewer=reviewer)
        for someone in (first, second):
            published = Question.objects.published().filter(live_revision__reviewer=someone)
            assert AnswerRevision.objects.approved_by(someone).count() == published.count()
    assert AnswerRevision.objects.approved_by(first).count() == 2  # questions 1 and 2
    assert AnswerRevision.objects.approved_by(second).count() == 2  # questions 0 and 3
