"""
The review workflow: each function is one move of a revision, runs in a transaction, and
records the move as a RevisionEvent.
"""

import calendar
import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Max
from django.utils import timezone

from diseasemaps.answers.models import (
    AnswerRevision,
    Question,
    RevisionEvent,
    validate_markdown_links,
)
from diseasemaps.answers.services.suggestions import mark_suggestions_answered
from diseasemaps.answers.signals import answer_reviewed, question_text_changed
from diseasemaps.core.audit import audit_on_commit
from diseasemaps.core.markdown import cited_sources
from diseasemaps.members.models import User

State = AnswerRevision.State

WRITE_PERMISSION = "answers.change_answerrevision"
ADD_PERMISSION = "answers.add_answerrevision"
REVIEW_PERMISSION = "answers.review_answerrevision"

SHORT_ANSWER_MAX = AnswerRevision._meta.get_field("short_answer").max_length
BODY_MAX = AnswerRevision._meta.get_field("body").max_length
SUMMARY_MAX = AnswerRevision._meta.get_field("change_summary").max_length
NOTE_MAX = 2000
MAX_REVIEW_MONTHS = 36  # no medical review holds longer than this


class StaleVersion(ValidationError):
    """Someone else saved the draft after this person loaded it."""


def add_months(day: datetime.date, months: int) -> datetime.date:
    """`day` moved on by `months` calendar months, clamped to the end of a shorter month."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return day.replace(
        year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1])
    )


def require(user: User | None, permission: str, message: str) -> None:
    if user is None or not user.has_perm(permission):
        raise PermissionDenied(message)


def validate_content(*, short_answer: str, body: str, change_summary: str) -> None:
    """
    What a writer typed, checked before anything is saved: everyone who writes in the admin is
    treated as untrusted (an admin account can be stolen). Errors name the field and say why.
    """
    errors: dict[str, list[str]] = {}
    if not short_answer.strip():
        errors.setdefault("short_answer", []).append("Write the short answer.")
    if len(short_answer) > SHORT_ANSWER_MAX:
        errors.setdefault("short_answer", []).append(
            f"The short answer is {len(short_answer)} characters; keep it to {SHORT_ANSWER_MAX}."
        )
    if not body.strip():
        errors.setdefault("body", []).append("Write the answer.")
    if len(body) > BODY_MAX:
        errors.setdefault("body", []).append(
            f"The answer is {len(body)} characters; keep it to {BODY_MAX}."
        )
    try:
        validate_markdown_links(body)
    except ValidationError as error:
        errors.setdefault("body", []).extend(error.messages)
    if len(change_summary) > SUMMARY_MAX:
        errors.setdefault("change_summary", []).append(
            f"The change summary is {len(change_summary)} characters; keep it to {SUMMARY_MAX}."
        )
    if errors:
        raise ValidationError(errors)


def check_citations(revision: AnswerRevision) -> None:
    """
    Every "[n]" in the answer must have an n-th source listed under it: a reference that links
    nowhere tells the reader the claim has a source when the page shows none.
    """
    count = revision.sources.count()
    missing = [number for number in cited_sources(revision.body) if number > count]
    if missing:
        cited = ", ".join(f"[{number}]" for number in missing)
        listed = f"only {count} source" + ("" if count == 1 else "s") if count else "no sources"
        raise ValidationError(
            f"The answer cites {cited}, but it lists {listed}. Add the missing sources or "
            "remove the references."
        )


def validate_note(note: str, *, required: bool, what: str) -> str:
    note = (note or "").strip()
    if required and not note:
        raise ValidationError(f"Write {what}.")
    if len(note) > NOTE_MAX:
        raise ValidationError(f"Keep {what} to {NOTE_MAX} characters (it is {len(note)}).")
    return note


def _record(
    *, revision: AnswerRevision, actor: User | None, from_state: str, note: str = ""
) -> None:
    event = RevisionEvent.objects.create(
        revision=revision, actor=actor, from_state=from_state, to_state=revision.state, note=note
    )
    audit_on_commit(
        "review_decision",
        user=actor,
        from_state=from_state,
        to_state=revision.state,
        revision_id=revision.pk,
        question_id=revision.question_id,
        event_id=event.pk,
    )


@transaction.atomic
def create_draft(
    *,
    question: Question,
    author: User,
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
    require(author, ADD_PERMISSION, "Only an editor or a medical reviewer can write a draft.")
    validate_content(short_answer=short_answer, body=body, change_summary=change_summary)
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
    require(actor, WRITE_PERMISSION, "Only an editor or a medical reviewer can send a draft.")
    revision = AnswerRevision.objects.select_for_update().get(pk=revision.pk)
    if revision.state not in (State.DRAFT, State.CHANGES_REQUESTED):
        raise ValidationError(
            f"A revision that is {revision.get_state_display().lower()} cannot be sent for review."
        )
    check_citations(revision)
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
    expected_version: int | None = None,
) -> AnswerRevision:
    """
    Approve a revision in review and make it the question's live answer.

    `expected_version` is the version the reviewer read: if an editor saved the draft since,
    the approval is refused (StaleVersion), so nobody approves text they have not seen.

    Enforces: only a revision in review can be approved; the reviewer holds the review
    permission and is not its author (two people see every change); the draft was written from
    the revision live now (else it would undo a change made since). A full review moves the
    "medically reviewed" date and sets the next review due (the question's review interval
    after it, unless given); an editorial change keeps both from the live revision and moves
    only "last updated". The previously live revision becomes superseded. A full review also
    marks the members' suggestions linked to the question answered (suggestions_answered).
    """
    if review_kind not in AnswerRevision.ReviewKind.values:
        raise ValidationError("Say whether this was a full medical review or an editorial change.")
    question = Question.objects.select_for_update().get(pk=revision.question_id)
    revision = AnswerRevision.objects.select_for_update().get(pk=revision.pk)
    if revision.state != State.IN_REVIEW:
        raise ValidationError("Only a revision in review can be approved.")
    if expected_version is not None and expected_version != revision.version:
        raise StaleVersion(
            "The draft was edited after you opened it. Read the new text before approving it."
        )
    if not reviewer.has_perm("answers.review_answerrevision"):
        raise PermissionDenied("Only a medical reviewer can approve a revision.")
    if revision.author_id == reviewer.pk or revision.events.edits().filter(actor=reviewer).exists():
        raise PermissionDenied(
            "The author of a revision cannot approve it: you wrote or edited this revision, "
            "so another medical reviewer must approve it."
        )
    if revision.based_on_id != question.live_revision_id:
        raise ValidationError(
            "The live answer changed after this draft was started; start a new draft from "
            "the live answer."
        )
    check_citations(revision)
    summary = revision.change_summary if change_summary is None else change_summary
    if not summary.strip():
        raise ValidationError("Say what changed: a change summary is required.")
    if len(summary) > SUMMARY_MAX:
        raise ValidationError(f"Keep the change summary to {SUMMARY_MAX} characters.")
    on = on or timezone.localdate()
    previous = (
        AnswerRevision.objects.select_for_update().get(pk=question.live_revision_id)
        if question.live_revision_id
        else None
    )
    if review_kind == AnswerRevision.ReviewKind.FULL:
        _check_next_review(on=on, next_review_on=next_review_on)
        revision.reviewed_on = on
        revision.next_review_on = next_review_on or add_months(on, question.review_interval_months)
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
    _record(
        revision=revision,
        actor=reviewer,
        from_state=State.IN_REVIEW,
        note=f"{revision.get_review_kind_display()}: {summary}",
    )

    if previous is not None:
        previous.state = State.SUPERSEDED
        previous.save(update_fields=["state", "updated_at"])
        _record(revision=previous, actor=reviewer, from_state=State.APPROVED)
    question.live_revision = revision
    question.save(update_fields=["live_revision", "updated_at"])
    question_text_changed.send(sender=Question, question=question)
    if review_kind == AnswerRevision.ReviewKind.FULL:
        answer_reviewed.send(sender=Question, question=question, revision=revision)
        # Members whose suggestions the editors made this question hear of its first reviewed
        # answer (or of the first full review since their suggestion was linked).
        mark_suggestions_answered(question=question)
    return revision


def _check_next_review(*, on: datetime.date, next_review_on: datetime.date | None) -> None:
    if next_review_on is None:
        return
    if next_review_on <= on:
        raise ValidationError("The next review must be due after the day of this review.")
    if next_review_on > add_months(on, MAX_REVIEW_MONTHS):
        raise ValidationError(
            f"The next review must be due within {MAX_REVIEW_MONTHS} months of this review."
        )


def _copy_sources(*, source: AnswerRevision, target: AnswerRevision) -> None:
    for item in source.sources.all():
        item.pk = None
        item.revision = target
        item.save()


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
    require(editor, WRITE_PERMISSION, "Only an editor or a medical reviewer can edit a draft.")
    if not revision.is_open:
        raise ValidationError("Only an open draft can be edited; edit the live answer instead.")
    validate_content(short_answer=short_answer, body=body, change_summary=change_summary)
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
    _record_edit(revision=revision, editor=editor)
    return revision


def _record_edit(*, revision: AnswerRevision, editor: User) -> None:
    """
    Record a save of the text as a move from the revision's state to itself: it makes the
    editor one of the revision's writers, who may not approve it. A save that follows the same
    person's last edit, with no move between, updates that event (one more save, a later last
    save) instead of adding one, so a draft saved ten times reads as one edit in its history.
    Called after the conditional UPDATE above, whose row lock orders concurrent saves.
    """
    now = timezone.now()
    last = revision.events.order_by("-created_at", "-pk").first()
    if (
        last is not None
        and last.is_edit
        and last.actor_id == editor.pk
        and last.to_state == revision.state
    ):
        RevisionEvent.objects.filter(pk=last.pk).update(
            save_count=F("save_count") + 1, last_saved_at=now
        )
        return
    RevisionEvent.objects.create(
        revision=revision,
        actor=editor,
        from_state=revision.state,
        to_state=revision.state,
        note="Edited the text.",
        last_saved_at=now,
    )


@transaction.atomic
def request_changes(*, revision: AnswerRevision, reviewer: User, note: str) -> AnswerRevision:
    """
    Send a revision in review back to its editor, saying what must change. The note is
    required (an editor cannot act on "no"), and the author cannot send back their own work.
    """
    require(reviewer, REVIEW_PERMISSION, "Only a medical reviewer can request changes.")
    note = validate_note(note, required=True, what="what needs to change")
    revision = AnswerRevision.objects.select_for_update().get(pk=revision.pk)
    if revision.state != State.IN_REVIEW:
        raise ValidationError("Changes can be requested only on a revision in review.")
    if revision.author_id == reviewer.pk or revision.events.edits().filter(actor=reviewer).exists():
        raise PermissionDenied("Another reviewer must review a revision you wrote or edited.")
    revision.state = State.CHANGES_REQUESTED
    revision.save(update_fields=["state", "updated_at"])
    _record(revision=revision, actor=reviewer, from_state=State.IN_REVIEW, note=note)
    return revision


@transaction.atomic
def discard_draft(*, revision: AnswerRevision, actor: User, note: str = "") -> AnswerRevision:
    """Drop an open draft for good; it stays on record, and the live answer is untouched."""
    require(actor, WRITE_PERMISSION, "Only an editor or a medical reviewer can discard a draft.")
    note = validate_note(note, required=False, what="the reason")
    revision = AnswerRevision.objects.select_for_update().get(pk=revision.pk)
    if not revision.is_open:
        raise ValidationError("Only an open draft can be discarded.")
    from_state = revision.state
    revision.state = State.DISCARDED
    revision.save(update_fields=["state", "updated_at"])
    _record(revision=revision, actor=actor, from_state=from_state, note=note)
    return revision


@transaction.atomic
def set_review_interval(*, question: Question, actor: User, months: int) -> Question:
    """
    Change how long a full review of this answer holds. It applies from the next full review:
    the date on the live badge was promised by its reviewer and is not moved here.
    """
    require(actor, REVIEW_PERMISSION, "Only a medical reviewer can change the review interval.")
    if not 1 <= months <= MAX_REVIEW_MONTHS:
        raise ValidationError(
            f"The review interval must be between 1 and {MAX_REVIEW_MONTHS} months."
        )
    question = Question.objects.select_for_update().get(pk=question.pk)
    question.review_interval_months = months
    question.save(update_fields=["review_interval_months", "updated_at"])
    return question
