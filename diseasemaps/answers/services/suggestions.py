"""
Members' suggested questions: asking, and the editors' queue (plan, merge, link to a question,
decline, a note back), down to the moment the question's reviewed answer goes live.

The editors act on a group: a suggestion and every suggestion merged into it. Whatever they do
to a merged suggestion they do to the one it was merged into, and the merged ones follow its
status and question, so that everyone who asked the same thing hears the same outcome.
"""

from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models.functions import Coalesce
from django.utils import timezone

from diseasemaps.answers.models import Question, QuestionSuggestion
from diseasemaps.answers.signals import suggestions_answered
from diseasemaps.conditions.models import Condition
from diseasemaps.core.audit import audit_on_commit
from diseasemaps.core.ratelimit import RateLimit
from diseasemaps.core.screening import find_personal_data
from diseasemaps.members.models import User

Status = QuestionSuggestion.Status

HANDLE_PERMISSION = "answers.change_questionsuggestion"
# A member asks a few questions at a time; more in an hour is a script or a flood.
SUGGEST_LIMIT = RateLimit("suggest-question", limit=5, period=3600)
TEXT_MIN_LENGTH = 10


def _require_editor(editor: User | None) -> None:
    if editor is None or not editor.has_perm(HANDLE_PERMISSION):
        raise PermissionDenied("Only an editor can handle suggested questions.")


def _check_contact_details(errors: dict[str, list[str]], field: str, text: str) -> None:
    """Editors never need a way to reach the member: refuse addresses and phone numbers."""
    found = [f for f in find_personal_data(text) if f.kind in ("email", "phone")]
    if found:
        errors.setdefault(field, []).append(
            "Please remove contact details ("
            + ", ".join(f"“{f.text}”" for f in found)
            + "): the editors answer on the site, never by e-mail or phone."
        )


def validate_suggestion(*, text: str, details: str) -> tuple[str, str]:
    """The member's text, stripped and checked; errors name the field and say why."""
    text, details = (text or "").strip(), (details or "").strip()
    errors: dict[str, list[str]] = {}
    if len(text) < TEXT_MIN_LENGTH:
        errors.setdefault("text", []).append(
            f"Write your question in at least {TEXT_MIN_LENGTH} characters."
        )
    if len(text) > QuestionSuggestion.TEXT_MAX_LENGTH:
        errors.setdefault("text", []).append(
            f"Your question is {len(text)} characters; keep it to "
            f"{QuestionSuggestion.TEXT_MAX_LENGTH} and add the rest below."
        )
    if len(details) > QuestionSuggestion.DETAILS_MAX_LENGTH:
        errors.setdefault("details", []).append(
            f"The details are {len(details)} characters; keep them to "
            f"{QuestionSuggestion.DETAILS_MAX_LENGTH}."
        )
    _check_contact_details(errors, "text", text)
    _check_contact_details(errors, "details", details)
    if errors:
        raise ValidationError(errors)
    return text, details


@transaction.atomic
def suggest_question(
    *,
    member: User,
    condition: Condition,
    text: str,
    details: str = "",
    submission_key: str = "",
) -> QuestionSuggestion:
    """
    Save a member's question for the editors. Private: nothing public changes, so no page is
    refreshed. At most SUGGEST_LIMIT.limit an hour per member (ValidationError, code
    "rate_limited"). `submission_key` is the form's random key: the same form sent again (a
    double click, a retry) returns the suggestion already saved, and is not counted again.
    """
    if not member.is_authenticated or not member.is_active:
        raise PermissionDenied("Log in to suggest a question.")
    if submission_key:
        existing = QuestionSuggestion.objects.filter(
            member=member, submission_key=submission_key
        ).first()
        if existing is not None:
            return existing
    text, details = validate_suggestion(text=text, details=details)
    if SUGGEST_LIMIT.hit(f"user:{member.pk}"):
        raise ValidationError(
            f"You have suggested {SUGGEST_LIMIT.limit} questions in the last hour, the most we "
            "take. Your text is still here: please try again later.",
            code="rate_limited",
        )
    suggestion = QuestionSuggestion(
        condition=condition,
        member=member,
        text=text,
        details=details,
        submission_key=submission_key,
    )
    try:
        with transaction.atomic():
            suggestion.save()
    except IntegrityError:
        if not submission_key:
            raise
        return QuestionSuggestion.objects.get(member=member, submission_key=submission_key)
    audit_on_commit(
        "question_suggested", user=member, suggestion_id=suggestion.pk, condition_id=condition.pk
    )
    return suggestion


def _groups(suggestions: Iterable[QuestionSuggestion]) -> list[QuestionSuggestion]:
    """
    The suggestions the editors keep for these (a merged one stands for the one it was merged
    into), locked with every suggestion merged into them, oldest first.
    """
    pks = {suggestion.pk for suggestion in suggestions}
    if not pks:
        raise ValidationError("Choose at least one suggested question.")
    roots = set(
        QuestionSuggestion.objects.filter(pk__in=pks)
        .annotate(root=Coalesce("duplicate_of", "pk"))
        .values_list("root", flat=True)
    )
    list(QuestionSuggestion.objects.select_for_update().filter(duplicate_of__in=roots))
    return list(
        QuestionSuggestion.objects.select_for_update()
        .filter(pk__in=roots)
        .select_related("condition")
        .order_by("created_at", "pk")
    )


def _save_group(root: QuestionSuggestion, *, editor: User | None, note: str | None = None) -> None:
    """
    Save the kept suggestion and make those merged into it follow: its status ("merged" while
    it is new), its question and, when given, the note.
    """
    now = timezone.now()
    root.handled_by = editor
    root.handled_at = now
    root.save()
    follow = {
        "status": Status.MERGED if root.status == Status.NEW else root.status,
        "question": root.question,
        "answered_at": root.answered_at,
        "handled_by": editor,
        "handled_at": now,
        "updated_at": now,
    }
    if note is not None:
        follow["note_to_member"] = note
    root.duplicates.update(**follow)


def _answer(rows: list[QuestionSuggestion], *, question: Question) -> list[QuestionSuggestion]:
    """
    Mark these suggestions answered by `question` and announce them (suggestions_answered), in
    the current transaction; each is announced once, when it becomes answered.
    """
    rows = [row for row in rows if row.status != Status.ANSWERED]
    if not rows:
        return []
    now = timezone.now()
    QuestionSuggestion.objects.filter(pk__in=[row.pk for row in rows]).update(
        status=Status.ANSWERED, question=question, answered_at=now, updated_at=now
    )
    answered = list(
        QuestionSuggestion.objects.filter(pk__in=[row.pk for row in rows])
        .select_related("member", "condition")
        .order_by("created_at", "pk")
    )
    suggestions_answered.send(sender=QuestionSuggestion, question=question, suggestions=answered)
    audit_on_commit(
        "suggestions_answered",
        question_id=question.pk,
        suggestion_ids=[row.pk for row in answered],
    )
    return answered


def _audit(action: str, *, editor: User, roots: list[QuestionSuggestion]) -> None:
    audit_on_commit(
        "suggestions_handled",
        user=editor,
        action=action,
        suggestion_ids=[root.pk for root in roots],
    )


def _refuse_answered(roots: list[QuestionSuggestion], what: str) -> None:
    answered = [root for root in roots if root.status == Status.ANSWERED]
    if answered:
        raise ValidationError(
            f"“{answered[0].text}” is already answered: it cannot be {what}.", code="answered"
        )


def _validate_note(note: str, *, required: bool) -> str:
    note = (note or "").strip()
    if required and not note:
        raise ValidationError(
            {"note_to_member": "Write a note to the member saying why."}, code="note_required"
        )
    if len(note) > QuestionSuggestion.NOTE_MAX_LENGTH:
        raise ValidationError(
            {
                "note_to_member": f"Keep the note to {QuestionSuggestion.NOTE_MAX_LENGTH} "
                f"characters (it is {len(note)})."
            }
        )
    return note


@transaction.atomic
def plan_suggestions(
    *, suggestions: Iterable[QuestionSuggestion], editor: User
) -> list[QuestionSuggestion]:
    """The editors mean to answer these (a declined one comes back to the queue this way)."""
    _require_editor(editor)
    roots = _groups(suggestions)
    _refuse_answered(roots, "planned again")
    for root in roots:
        root.status = Status.PLANNED
        _save_group(root, editor=editor)
    _audit("plan", editor=editor, roots=roots)
    return roots


@transaction.atomic
def decline_suggestions(
    *, suggestions: Iterable[QuestionSuggestion], editor: User, note: str
) -> list[QuestionSuggestion]:
    """
    The editors will not answer these. The note, required, tells each member who asked why
    (those whose suggestions were merged in too); an answered suggestion cannot be declined.
    """
    _require_editor(editor)
    note = _validate_note(note, required=True)
    roots = _groups(suggestions)
    _refuse_answered(roots, "declined")
    for root in roots:
        root.status = Status.DECLINED
        root.question = None
        root.note_to_member = note
        _save_group(root, editor=editor, note=note)
    _audit("decline", editor=editor, roots=roots)
    return roots


@transaction.atomic
def write_note(*, suggestion: QuestionSuggestion, editor: User, note: str) -> QuestionSuggestion:
    """The editors' note back to the member who asked this one suggestion (empty removes it)."""
    _require_editor(editor)
    note = _validate_note(note, required=False)
    suggestion = QuestionSuggestion.objects.select_for_update().get(pk=suggestion.pk)
    suggestion.note_to_member = note
    suggestion.handled_by = editor
    suggestion.handled_at = timezone.now()
    suggestion.save(update_fields=["note_to_member", "handled_by", "handled_at", "updated_at"])
    _audit("note", editor=editor, roots=[suggestion])
    return suggestion


@transaction.atomic
def merge_suggestions(
    *,
    suggestions: Iterable[QuestionSuggestion],
    into: QuestionSuggestion,
    editor: User,
) -> QuestionSuggestion:
    """
    Merge suggestions that ask the same thing into `into` (or into the one `into` was merged
    into): they, and any merged into them, follow its status and question from now on. Only
    suggestions about the same condition merge; an answered one is not merged. Merging into an
    answered suggestion answers the merged ones at once (and announces them).
    """
    _require_editor(editor)
    (target,) = _groups([into])
    others = [root for root in _groups(suggestions) if root.pk != target.pk]
    if not others:
        raise ValidationError("Choose suggestions other than the one to merge them into.")
    _refuse_answered(others, "merged")
    wrong = [root for root in others if root.condition_id != target.condition_id]
    if wrong:
        raise ValidationError(
            f"“{wrong[0].text}” is about {wrong[0].condition}, not {target.condition}: only "
            "suggestions about the same condition can be merged."
        )
    moved = QuestionSuggestion.objects.filter(
        models.Q(pk__in=[root.pk for root in others])
        | models.Q(duplicate_of__in=[root.pk for root in others])
    )
    moved_rows = list(moved)
    now = timezone.now()
    moved.update(duplicate_of=target, status=Status.MERGED, updated_at=now)
    _save_group(target, editor=editor)
    if target.status == Status.ANSWERED:
        _answer(moved_rows, question=target.question)
    _audit("merge", editor=editor, roots=[target, *others])
    return target


@transaction.atomic
def link_suggestions(
    *,
    suggestions: Iterable[QuestionSuggestion],
    question: Question,
    editor: User,
) -> list[QuestionSuggestion]:
    """
    The editors answer these suggestions with `question` (one they wrote, in their own words):
    planned until its reviewed answer is live, when approve_revision marks them answered. When
    it is live already, they are answered at once and announced. The question must be about
    the suggestions' condition.
    """
    _require_editor(editor)
    roots = _groups(suggestions)
    wrong = [root for root in roots if root.condition_id != question.condition_id]
    if wrong:
        raise ValidationError(
            f"“{wrong[0].text}” is about {wrong[0].condition}: link it to a question about "
            "that condition."
        )
    elsewhere = [
        root for root in roots if root.status == Status.ANSWERED and root.question_id != question.pk
    ]
    if elsewhere:
        raise ValidationError(f"“{elsewhere[0].text}” is already answered by another question.")
    for root in roots:
        root.question = question
        if root.status != Status.ANSWERED:
            root.status = Status.PLANNED
        _save_group(root, editor=editor)
    _audit("link", editor=editor, roots=roots)
    if Question.objects.published().filter(pk=question.pk).exists():
        mark_suggestions_answered(question=question)
    return roots


@transaction.atomic
def mark_suggestions_answered(*, question: Question) -> list[QuestionSuggestion]:
    """
    `question`'s reviewed answer is live: every suggestion linked to it (merged ones included)
    that is not yet answered becomes answered, and suggestions_answered is sent once with them.
    Called by approve_revision on a full medical review, and by link_suggestions.
    """
    rows = list(
        QuestionSuggestion.objects.select_for_update()
        .filter(question=question)
        .exclude(status__in=[Status.ANSWERED, Status.DECLINED])
        .order_by("pk")
    )
    return _answer(rows, question=question)


def erase_suggestions(rows: models.QuerySet) -> int:
    """
    A member's suggestions go with their account. Suggestions by others merged into one of
    them stay: they keep the outcome they followed, or come back to the queue as new.
    """
    orphans = QuestionSuggestion.objects.filter(duplicate_of__in=rows.values("pk"))
    orphans.filter(status=Status.MERGED).update(
        duplicate_of=None, status=Status.NEW, updated_at=timezone.now()
    )
    orphans.update(duplicate_of=None)
    return rows.delete()[0]
