"""
Every write to questions' answers. Each function is one step of the review workflow, runs in a
transaction, and records the move as a RevisionEvent.
"""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from diseasemaps.answers.models import AnswerRevision, Question, RevisionEvent
from diseasemaps.conditions import services as search_services
from diseasemaps.members.models import User

DEFAULT_REVIEW_INTERVAL = datetime.timedelta(days=365)

State = AnswerRevision.State


def _record(
    *, revision: AnswerRevision, actor: User | None, from_state: str, note: str = ""
) -> None:
    RevisionEvent.objects.create(
        revision=revision, actor=actor, from_state=from_state, to_state=revision.state, note=note
    )


@transaction.atomic
def create_draft(
    *,
    question: Question,
    author: User | None,
    short_answer: str,
    body: str,
    change_summary: str = "",
) -> AnswerRevision:
    """
    Start a new draft of `question`'s answer, based on whatever is live now.

    Refused (ValidationError) when the answer already has an open draft: two parallel drafts
    would each silently drop the other's changes. The database's partial unique constraint
    enforces the same rule against races.
    """
    question = Question.objects.select_for_update().get(pk=question.pk)
    if question.revisions.open().exists():
        raise ValidationError("This answer already has an open draft; edit that one instead.")
    number = (question.revisions.aggregate(n=Max("number"))["n"] or 0) + 1
    revision = AnswerRevision(
        question=question,
        number=number,
        based_on_id=question.live_revision_id,
        short_answer=short_answer,
        change_summary=change_summary,
        author=author,
    )
    revision.set_body(body)
    try:
        with transaction.atomic():
            revision.save()
    except IntegrityError as error:
        raise ValidationError("This answer already has an open draft.") from error
    if question.live_revision_id:
        _copy_sources(source=question.live_revision, target=revision)
    _record(revision=revision, actor=author, from_state="", note=change_summary)
    return revision


@transaction.atomic
def submit_for_review(*, revision: AnswerRevision, actor: User) -> AnswerRevision:
    """Send a draft (or one sent back with changes requested) to the medical reviewers."""
    revision = AnswerRevision.objects.select_for_update().get(pk=revision.pk)
    if revision.state not in (State.DRAFT, State.CHANGES_REQUESTED):
        raise ValidationError(
            f"A revision that is {revision.get_state_display().lower()} cannot be sent for review."
        )
    from_state = revision.state
    revision.state = State.IN_REVIEW
    revision.save(update_fields=["state", "updated_at"])
    _record(revision=revision, actor=actor, from_state=from_state)
    return revision


@transaction.atomic
def approve_revision(
    *,
    revision: AnswerRevision,
    reviewer: User,
    review_kind: str = AnswerRevision.ReviewKind.FULL,
    change_summary: str | None = None,
    on: datetime.date | None = None,
    next_review_on: datetime.date | None = None,
) -> AnswerRevision:
    """
    Approve a revision in review and make it the question's live answer.

    Enforces: only a revision in review can be approved; the reviewer holds the review
    permission and is not its author (two people see every change); the draft was written from
    the revision live now (else it would undo a change made since). A full review moves the
    "medically reviewed" date and sets the next review due; an editorial change keeps both
    from the live revision and moves only "last updated". The previously live revision becomes
    superseded.
    """
    question = Question.objects.select_for_update().get(pk=revision.question_id)
    revision = AnswerRevision.objects.select_for_update().get(pk=revision.pk)
    if revision.state != State.IN_REVIEW:
        raise ValidationError("Only a revision in review can be approved.")
    if not reviewer.has_perm("answers.review_answerrevision"):
        raise PermissionDenied("Only a medical reviewer can approve a revision.")
    if revision.author_id is not None and revision.author_id == reviewer.pk:
        raise PermissionDenied("The author of a revision cannot approve it.")
    if revision.based_on_id != question.live_revision_id:
        raise ValidationError(
            "The live answer changed after this draft was started; start a new draft from "
            "the live answer."
        )
    summary = revision.change_summary if change_summary is None else change_summary
    if not summary.strip():
        raise ValidationError("Say what changed: a change summary is required.")
    on = on or timezone.localdate()
    previous = (
        AnswerRevision.objects.select_for_update().get(pk=question.live_revision_id)
        if question.live_revision_id
        else None
    )
    if review_kind == AnswerRevision.ReviewKind.FULL:
        revision.reviewed_on = on
        revision.next_review_on = next_review_on or on + DEFAULT_REVIEW_INTERVAL
    elif previous is not None and review_kind == AnswerRevision.ReviewKind.EDITORIAL:
        revision.reviewed_on = previous.reviewed_on
        revision.next_review_on = previous.next_review_on
    else:
        raise ValidationError("The first version of an answer needs a full medical review.")
    revision.state = State.APPROVED
    revision.review_kind = review_kind
    revision.reviewer = reviewer
    revision.change_summary = summary
    revision.approved_at = timezone.now()
    revision.updated_on = on
    revision.save()
    _record(revision=revision, actor=reviewer, from_state=State.IN_REVIEW, note=summary)

    if previous is not None:
        previous.state = State.SUPERSEDED
        previous.save(update_fields=["state", "updated_at"])
        _record(revision=previous, actor=reviewer, from_state=State.APPROVED)
    question.live_revision = revision
    question.save(update_fields=["live_revision", "updated_at"])
    search_services.index_question(question=question)
    return revision


def _copy_sources(*, source: AnswerRevision, target: AnswerRevision) -> None:
    for item in source.sources.all():
        item.pk = None
        item.revision = target
        item.save()


class StaleVersion(ValidationError):
    """Someone else saved the draft after this editor loaded it."""


@transaction.atomic
def update_draft(
    *,
    revision: AnswerRevision,
    editor: User,
    expected_version: int,
    short_answer: str,
    body: str,
    change_summary: str,
) -> AnswerRevision:
    """
    Save an editor's changes to an open draft, unless someone saved it since they loaded it.

    The save is one conditional UPDATE … WHERE version = expected_version: of two editors who
    loaded the same version, the second to save matches no row and gets StaleVersion, with
    nothing written, so the caller can hand their text back.
    """
    if not revision.is_open:
        raise ValidationError("Only an open draft can be edited; edit the live answer instead.")
    scratch = AnswerRevision(body="")
    scratch.set_body(body)
    updated = AnswerRevision.objects.filter(
        pk=revision.pk, version=expected_version, state__in=AnswerRevision.OPEN_STATES
    ).update(
        short_answer=short_answer,
        body=scratch.body,
        body_html=scratch.body_html,
        change_summary=change_summary,
        version=expected_version + 1,
        updated_at=timezone.now(),
    )
    if not updated:
        raise StaleVersion(
            "Someone else saved this draft after you opened it. Your text is below: copy what "
            "you need, reload the draft, and apply your changes again."
        )
    revision.refresh_from_db()
    return revision
