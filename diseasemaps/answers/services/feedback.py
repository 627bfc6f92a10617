"""Readers' feedback on answers, and the reviewers' queue it lands in."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from diseasemaps.answers.models import AnswerFeedback, Question
from diseasemaps.answers.services.revisions import REVIEW_PERMISSION, require, validate_note
from diseasemaps.members.models import User

FEEDBACK_MESSAGE_MAX = AnswerFeedback._meta.get_field("message").max_length


def _feedback_message(message: str, *, required: bool) -> str:
    message = (message or "").strip()
    if required and not message:
        raise ValidationError(
            {"message": "Tell us what is wrong, so that a reviewer can check it."}
        )
    if len(message) > FEEDBACK_MESSAGE_MAX:
        raise ValidationError(
            {"message": f"Keep it to {FEEDBACK_MESSAGE_MAX} characters (it is {len(message)})."}
        )
    return message


@transaction.atomic
def record_helpfulness(
    *, question: Question, is_helpful: bool, message: str = ""
) -> AnswerFeedback:
    """A reader's yes or no to "Was this answer helpful?", on the revision they were reading."""
    return AnswerFeedback.objects.create(
        question=question,
        revision_id=question.live_revision_id,
        kind=AnswerFeedback.Kind.HELPFUL,
        is_helpful=is_helpful,
        message=_feedback_message(message, required=False),
    )


@transaction.atomic
def report_error(*, question: Question, message: str) -> AnswerFeedback:
    """A reader's report of an error in the live answer, queued for the medical reviewers."""
    return AnswerFeedback.objects.create(
        question=question,
        revision_id=question.live_revision_id,
        kind=AnswerFeedback.Kind.ERROR,
        message=_feedback_message(message, required=True),
    )


@transaction.atomic
def resolve_feedback(*, feedback: AnswerFeedback, reviewer: User, note: str = "") -> AnswerFeedback:
    """Take a reader's feedback off the reviewers' queue, saying what was done about it."""
    require(reviewer, REVIEW_PERMISSION, "Only a medical reviewer can resolve reader feedback.")
    note = validate_note(note, required=False, what="the note")
    feedback = AnswerFeedback.objects.select_for_update().get(pk=feedback.pk)
    if feedback.is_resolved:
        raise ValidationError("This feedback is already resolved.")
    feedback.resolved_at = timezone.now()
    feedback.resolved_by = reviewer
    feedback.resolution_note = note
    feedback.save(update_fields=["resolved_at", "resolved_by", "resolution_note"])
    return feedback
