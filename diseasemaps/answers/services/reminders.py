"""Reminders to medical reviewers of the answers whose review is due or overdue."""

import datetime

from django.conf import settings
from django.core.mail import EmailMessage
from django.db.models import Q, QuerySet
from django.template.loader import render_to_string
from django.urls import reverse

from diseasemaps.answers.models import AnswerRevision, ReviewState
from diseasemaps.answers.services.revisions import REVIEW_PERMISSION
from diseasemaps.core.tasks import queue_email
from diseasemaps.members.models import User


def reviewers() -> QuerySet:
    """Active accounts that hold the review permission through a role or directly."""
    app_label, codename = REVIEW_PERMISSION.split(".")
    permission = Q(
        groups__permissions__codename=codename,
        groups__permissions__content_type__app_label=app_label,
    ) | Q(
        user_permissions__codename=codename,
        user_permissions__content_type__app_label=app_label,
    )
    return User.objects.filter(permission, is_active=True).distinct().order_by("email")


def reminder_subject(*, due: int, overdue: int) -> str:
    """
    The reminder's subject: counts only. A subject shows in lock screens and shared inboxes, so
    it never names a condition or a question.
    """
    total = due + overdue
    noun = "answer needs" if total == 1 else "answers need"
    late = f" ({overdue} overdue)" if overdue else ""
    return f"{settings.DISEASEMAPS_SITE_NAME}: {total} {noun} a medical review{late}"


def send_review_reminders(*, today: datetime.date, within_days: int) -> int:
    """
    E-mail each medical reviewer the live answers they last reviewed that are overdue or due
    within `within_days`. An answer whose reviewer can no longer review goes to every reviewer,
    so that none falls through. Returns how many e-mails were queued (each is sent, and retried,
    on its own by the task worker). Sends nothing when nothing is due; running it twice a day
    sends the same reminder twice: the workers start it once a day (DISEASEMAPS_PERIODIC_JOBS).
    """
    pending = list(
        AnswerRevision.objects.live()
        .filter(next_review_on__lte=today + datetime.timedelta(days=within_days))
        .select_related("question__condition")
        .order_by("next_review_on", "pk")
    )
    if not pending:
        return 0
    people = list(reviewers())
    by_reviewer: dict[int, list[AnswerRevision]] = {person.pk: [] for person in people}
    for revision in pending:
        if revision.reviewer_id in by_reviewer:
            by_reviewer[revision.reviewer_id].append(revision)
        else:
            for items in by_reviewer.values():
                items.append(revision)
    base = settings.DISEASEMAPS_SITE_URL
    messages = []
    for person in people:
        items = sorted(by_reviewer[person.pk], key=lambda r: (r.next_review_on, r.pk))
        if not items:
            continue
        overdue = [r for r in items if r.review_state_on(today) == ReviewState.OVERDUE]
        due = [r for r in items if r.review_state_on(today) != ReviewState.OVERDUE]
        body = render_to_string(
            "answers/email/review_reminder.txt",
            {
                "overdue": overdue,
                "due": due,
                "admin_url": base + reverse("admin:answers_answerrevision_changelist"),
                "base": base,
                "site_name": settings.DISEASEMAPS_SITE_NAME,
            },
        )
        messages.append(
            EmailMessage(
                subject=reminder_subject(due=len(due), overdue=len(overdue)),
                body=body,
                to=[person.email],
            )
        )
    for message in messages:
        queue_email(message)
    return len(messages)
