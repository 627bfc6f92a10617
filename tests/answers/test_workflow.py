"""
The whole review state machine: every move from every state, and every move by every role.
Each move is a service call; the database is checked to hold nothing from a refused move.
"""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from diseasemaps.answers import services
from diseasemaps.answers.models import AnswerRevision, RevisionEvent
from diseasemaps.answers.signals import answer_reviewed
from diseasemaps.core.services import Role
from tests.factories import MemberFactory, QuestionFactory, ReviewerFactory, StaffFactory

pytestmark = pytest.mark.django_db

State = AnswerRevision.State
CONTENT = {"short_answer": "Short.", "body": "Body.", "change_summary": "Why."}


def _revision_in(state: str, *, editor, reviewer) -> AnswerRevision:
    """A revision brought to `state` through the services, as the admin would."""
    question = QuestionFactory()
    if state == State.SUPERSEDED:
        first = _approved(question, editor=editor, reviewer=reviewer)
        _approved(question, editor=editor, reviewer=reviewer)
        first.refresh_from_db()
        return first
    if state == State.APPROVED:
        return _approved(question, editor=editor, reviewer=reviewer)
    revision = services.create_draft(question=question, author=editor, **CONTENT)
    if state == State.DRAFT:
        return revision
    if state == State.DISCARDED:
        return services.discard_draft(revision=revision, actor=editor)
    revision = services.submit_for_review(revision=revision, actor=editor)
    if state == State.CHANGES_REQUESTED:
        return services.request_changes(revision=revision, reviewer=reviewer, note="Cite it.")
    return revision


def _approved(question, *, editor, reviewer) -> AnswerRevision:
    draft = services.create_draft(question=question, author=editor, **CONTENT)
    services.submit_for_review(revision=draft, actor=editor)
    return services.approve_revision(revision=draft, reviewer=reviewer)


MOVES = {
    "submit": lambda r, actor: services.submit_for_review(revision=r, actor=actor),
    "approve": lambda r, actor: services.approve_revision(revision=r, reviewer=actor),
    "request changes": lambda r, actor: services.request_changes(
        revision=r, reviewer=actor, note="Please cite the guideline."
    ),
    "discard": lambda r, actor: services.discard_draft(revision=r, actor=actor),
    "edit": lambda r, actor: services.update_draft(
        revision=r, editor=actor, expected_version=r.version, **{**CONTENT, "body": "Edited."}
    ),
}

# (move, from state) → state after, for every move a reviewer who is not the author may make.
ALLOWED = {
    ("submit", State.DRAFT): State.IN_REVIEW,
    ("submit", State.CHANGES_REQUESTED): State.IN_REVIEW,
    ("approve", State.IN_REVIEW): State.APPROVED,
    ("request changes", State.IN_REVIEW): State.CHANGES_REQUESTED,
    ("discard", State.DRAFT): State.DISCARDED,
    ("discard", State.IN_REVIEW): State.DISCARDED,
    ("discard", State.CHANGES_REQUESTED): State.DISCARDED,
    ("edit", State.DRAFT): State.DRAFT,
    ("edit", State.IN_REVIEW): State.IN_REVIEW,
    ("edit", State.CHANGES_REQUESTED): State.CHANGES_REQUESTED,
}


@pytest.mark.parametrize("move", MOVES)
@pytest.mark.parametrize("state", State.values)
def test_every_move_from_every_state_is_allowed_or_refused_as_the_workflow_says(
    editor, reviewer, move, state
):
    acting_reviewer = ReviewerFactory()
    revision = _revision_in(state, editor=editor, reviewer=reviewer)
    events_before = RevisionEvent.objects.filter(revision=revision).count()
    expected = ALLOWED.get((move, state))
    if expected is None:
        with pytest.raises(ValidationError):
            MOVES[move](revision, acting_reviewer)
        revision.refresh_from_db()
        assert revision.state == state
        assert RevisionEvent.objects.filter(revision=revision).count() == events_before
        return
    MOVES[move](revision, acting_reviewer)
    revision.refresh_from_db()
    assert revision.state == expected
    if move != "edit":
        last = RevisionEvent.objects.filter(revision=revision).last()
        assert (last.actor, last.from_state, last.to_state) == (acting_reviewer, state, expected)


def _role_users():
    return {
        "member": MemberFactory(),
        "moderator": StaffFactory(roles=[Role.MODERATOR]),
        "editor": StaffFactory(roles=[Role.EDITOR]),
        "reviewer": ReviewerFactory(),
    }


# The moves each role may make on someone else's revision in a state that allows the move.
ROLE_MAY = {
    "member": set(),
    "moderator": set(),
    "editor": {"submit", "discard", "edit"},
    "reviewer": {"submit", "approve", "request changes", "discard", "edit"},
}
FROM_STATE = {
    "submit": State.DRAFT,
    "approve": State.IN_REVIEW,
    "request changes": State.IN_REVIEW,
    "discard": State.DRAFT,
    "edit": State.DRAFT,
}


@pytest.mark.parametrize("move", MOVES)
@pytest.mark.parametrize("role", ROLE_MAY)
def test_each_role_may_make_only_its_own_moves(editor, reviewer, role, move):
    actor = _role_users()[role]
    revision = _revision_in(FROM_STATE[move], editor=editor, reviewer=reviewer)
    if move in ROLE_MAY[role]:
        MOVES[move](revision, actor)
        return
    with pytest.raises(PermissionDenied):
        MOVES[move](revision, actor)
    revision.refresh_from_db()
    assert revision.state == FROM_STATE[move]


@pytest.mark.parametrize("role", ["member", "moderator"])
def test_only_editors_and_reviewers_can_start_a_draft(role):
    actor = _role_users()[role]
    question = QuestionFactory()
    with pytest.raises(PermissionDenied):
        services.create_draft(question=question, author=actor, **CONTENT)
    assert not question.revisions.exists()


def test_a_reviewer_cannot_send_back_their_own_revision():
    author = ReviewerFactory(roles=[Role.MEDICAL_REVIEWER, Role.EDITOR])
    draft = services.create_draft(question=QuestionFactory(), author=author, **CONTENT)
    services.submit_for_review(revision=draft, actor=author)
    with pytest.raises(PermissionDenied, match="Another reviewer must review"):
        services.request_changes(revision=draft, reviewer=author, note="Hmm.")


def test_requesting_changes_needs_a_note(editor, reviewer):
    revision = _revision_in(State.IN_REVIEW, editor=editor, reviewer=reviewer)
    with pytest.raises(ValidationError, match="what needs to change"):
        services.request_changes(revision=revision, reviewer=reviewer, note="   ")
    revision.refresh_from_db()
    assert revision.state == State.IN_REVIEW


def test_a_revision_sent_back_goes_round_again_and_can_then_be_approved(editor, reviewer):
    revision = _revision_in(State.CHANGES_REQUESTED, editor=editor, reviewer=reviewer)
    services.update_draft(
        revision=revision, editor=editor, expected_version=revision.version, **CONTENT
    )
    services.submit_for_review(revision=revision, actor=editor)
    services.approve_revision(revision=revision, reviewer=reviewer)
    revision.question.refresh_from_db()
    assert revision.question.live_revision == revision
    moves = list(revision.events.values_list("from_state", "to_state", "note"))
    assert moves[2] == (State.IN_REVIEW, State.CHANGES_REQUESTED, "Cite it.")
    assert moves[-1][:2] == (State.IN_REVIEW, State.APPROVED)


def test_discarding_a_draft_leaves_the_live_answer_alone(editor, reviewer):
    live = _revision_in(State.APPROVED, editor=editor, reviewer=reviewer)
    draft = services.create_draft(question=live.question, author=editor, **CONTENT)
    services.discard_draft(revision=draft, actor=editor, note="Not needed.")
    live.question.refresh_from_db()
    assert live.question.live_revision == live
    # A discarded draft no longer blocks a new one.
    services.create_draft(question=live.question, author=editor, **CONTENT)


def test_a_reviewer_who_edited_someone_elses_draft_cannot_approve_it(editor):
    first, second = ReviewerFactory(), ReviewerFactory()
    draft = services.create_draft(question=QuestionFactory(), author=editor, **CONTENT)
    services.submit_for_review(revision=draft, actor=editor)
    services.update_draft(
        revision=draft, editor=first, expected_version=draft.version, **{**CONTENT, "body": "X."}
    )
    with pytest.raises(PermissionDenied, match="wrote or edited"):
        services.approve_revision(revision=draft, reviewer=first)
    with pytest.raises(PermissionDenied, match="wrote or edited"):
        services.request_changes(revision=draft, reviewer=first, note="Hmm.")
    assert draft not in AnswerRevision.objects.awaiting_review_by(first)
    assert draft in AnswerRevision.objects.awaiting_review_by(second)
    services.approve_revision(revision=draft, reviewer=second)


def test_an_edit_is_recorded_with_its_editor(editor):
    draft = services.create_draft(question=QuestionFactory(), author=editor, **CONTENT)
    services.update_draft(revision=draft, editor=editor, expected_version=1, **CONTENT)
    edit = draft.events.edits().get()
    assert (edit.actor, edit.from_state, edit.to_state) == (editor, State.DRAFT, State.DRAFT)


def _save(draft, editor, body: str) -> AnswerRevision:
    draft.refresh_from_db()
    return services.update_draft(
        revision=draft,
        editor=editor,
        expected_version=draft.version,
        **{**CONTENT, "body": body},
    )


def test_ten_saves_of_a_draft_by_one_editor_are_one_edit_in_its_history(editor):
    draft = services.create_draft(question=QuestionFactory(), author=editor, **CONTENT)
    for n in range(10):
        _save(draft, editor, f"Body, take {n}.")
    assert draft.events.count() == 2  # created, then edited
    edit = draft.events.edits().get()
    assert (edit.actor, edit.save_count) == (editor, 10)
    assert edit.last_saved_at >= edit.created_at
    draft.refresh_from_db()
    assert (draft.version, draft.body) == (11, "Body, take 9.")


def test_edits_by_different_people_or_in_different_states_stay_apart(editor):
    other = StaffFactory(roles=[Role.EDITOR])
    draft = services.create_draft(question=QuestionFactory(), author=editor, **CONTENT)
    _save(draft, editor, "One.")
    _save(draft, editor, "Two.")
    _save(draft, other, "Three.")
    _save(draft, editor, "Four.")
    services.submit_for_review(revision=draft, actor=editor)
    _save(draft, editor, "Five.")
    _save(draft, editor, "Six.")
    edits = [(e.actor, e.to_state, e.save_count) for e in draft.events.edits()]
    assert edits == [
        (editor, State.DRAFT, 2),
        (other, State.DRAFT, 1),
        (editor, State.DRAFT, 1),
        (editor, State.IN_REVIEW, 2),
    ]
    moves = [(e.from_state, e.to_state) for e in draft.events.all() if not e.is_edit]
    assert moves == [("", State.DRAFT), (State.DRAFT, State.IN_REVIEW)]


def test_a_reviewer_who_saved_a_draft_many_times_still_cannot_approve_it(editor):
    writer, second = ReviewerFactory(), ReviewerFactory()
    draft = services.create_draft(question=QuestionFactory(), author=editor, **CONTENT)
    services.submit_for_review(revision=draft, actor=editor)
    for n in range(3):
        _save(draft, writer, f"Reviewer's wording {n}.")
    with pytest.raises(PermissionDenied, match="wrote or edited"):
        services.approve_revision(revision=draft, reviewer=writer)
    assert draft not in AnswerRevision.objects.awaiting_review_by(writer)
    services.approve_revision(revision=draft, reviewer=second)


def test_a_refused_save_does_not_count_as_a_save(editor):
    draft = services.create_draft(question=QuestionFactory(), author=editor, **CONTENT)
    _save(draft, editor, "One.")
    with pytest.raises(services.StaleVersion):
        services.update_draft(revision=draft, editor=editor, expected_version=1, **CONTENT)
    assert draft.events.edits().get().save_count == 1


def test_only_an_edit_can_stand_for_several_saves_in_the_database(editor):
    draft = services.create_draft(question=QuestionFactory(), author=editor, **CONTENT)
    created = draft.events.get()
    with pytest.raises(IntegrityError), transaction.atomic():
        RevisionEvent.objects.filter(pk=created.pk).update(save_count=2)
    with pytest.raises(IntegrityError), transaction.atomic():
        RevisionEvent.objects.create(
            revision=draft, actor=editor, from_state="draft", to_state="draft", save_count=0
        )


def test_a_full_review_going_live_is_announced_and_an_editorial_change_is_not(editor, reviewer):
    sent = []

    def receiver(sender, question, revision, **kwargs):
        sent.append((question.pk, revision.pk, revision.change_summary))

    answer_reviewed.connect(receiver)
    try:
        question = QuestionFactory()
        first = _approved(question, editor=editor, reviewer=reviewer)
        draft = services.create_draft(
            question=question, author=editor, **{**CONTENT, "change_summary": "Typo."}
        )
        services.submit_for_review(revision=draft, actor=editor)
        services.approve_revision(
            revision=draft, reviewer=reviewer, review_kind=AnswerRevision.ReviewKind.EDITORIAL
        )
    finally:
        answer_reviewed.disconnect(receiver)
    assert sent == [(question.pk, first.pk, "Why.")]
