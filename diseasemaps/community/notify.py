"""
Making notifications and their e-mails, on the task queue (see community.tasks).

A fan-out walks the followers of what changed in batches, in order of member (each batch one
indexed range read, one bulk insert and one queued e-mail task, in its own transaction), so a
condition with 100,000 followers costs the request that approved the post one queued task, and
a fan-out that stops half way can run again: a member is notified once per event
(Notification's unique `event`).

What an e-mail may say. Someone else may see the inbox, a lock screen or a preview line: no
subject and no body names a condition or a question, quotes a post, or repeats a review's
"what changed" line; they say what kind of thing happened and link to the member's
notification (behind the log-in), where the details are. Every e-mail carries a one-click
unsubscribe link (RFC 8058).
"""

import datetime
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import QuerySet
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from diseasemaps.answers.models import AnswerRevision, Question
from diseasemaps.community.models import (
    DEFAULT_FREQUENCY,
    EmailPreference,
    Follow,
    Frequency,
    Kind,
    Notification,
)
from diseasemaps.community.services import unsubscribe_token
from diseasemaps.core.seo import absolute_url
from diseasemaps.core.tasks import queue_email
from diseasemaps.experiences.models import Experience
from diseasemaps.members.models import User

SITE = settings.DISEASEMAPS_SITE_NAME

# The subjects, by kind: what happened, never where.
SUBJECTS = {
    Kind.NEW_EXPERIENCE: f"Someone shared a new experience on {SITE}",
    Kind.REPLY: f"Someone replied to you on {SITE}",
    Kind.ANSWER_REVIEWED: f"An answer you follow has had a new medical review on {SITE}",
    Kind.NEW_ANSWER: f"A new reviewed answer on {SITE}",
    Kind.SUGGESTION_ANSWERED: f"Your suggested question has a reviewed answer on {SITE}",
}
DIGEST_SUBJECTS = {
    Frequency.DAILY: f"Your daily summary from {SITE}",
    Frequency.WEEKLY: f"Your weekly summary from {SITE}",
}
# A summary's lines: how many of each kind.
DIGEST_LINES = {
    Kind.NEW_EXPERIENCE: (
        "new experience on what you follow",
        "new experiences on what you follow",
    ),
    Kind.REPLY: ("reply to you", "replies to you"),
    Kind.ANSWER_REVIEWED: (
        "answer you follow had a new medical review",
        "answers you follow had a new medical review",
    ),
    Kind.NEW_ANSWER: ("new reviewed answer on what you follow", "new reviewed answers"),
    Kind.SUGGESTION_ANSWERED: (
        "question you suggested has a reviewed answer",
        "questions you suggested have a reviewed answer",
    ),
}


@dataclass(frozen=True)
class Event:
    kind: str
    key: str
    text: str
    url: str
    detail: str = ""


def batch_size() -> int:
    return settings.DISEASEMAPS_NOTIFY_BATCH_SIZE


# --- Fan-out ------------------------------------------------------------------------------------


def member_batches(
    rows: QuerySet, *, size: int | None = None, distinct: bool = False
) -> Iterator[list[int]]:
    """The members behind `rows`, `size` at a time, in order of member: a range per batch."""
    size = size or batch_size()
    last = 0
    while True:
        ids = rows.filter(user_id__gt=last).order_by("user_id").values_list("user_id", flat=True)
        ids = list((ids.distinct() if distinct else ids)[:size])
        if not ids:
            return
        yield ids
        last = ids[-1]


def _email_due(frequency: str) -> str:
    return "" if frequency == Frequency.NEVER else frequency


def deliver(*, event: Event, user_ids: Iterable[int]) -> int:
    """
    Notify these members of `event`, in one transaction; those who chose "at once" get their
    e-mail from one queued task per batch. Returns how many notifications were new.
    """
    user_ids = list(dict.fromkeys(user_ids))
    if not user_ids:
        return 0
    with transaction.atomic():
        chosen = dict(
            EmailPreference.objects.filter(user_id__in=user_ids, kind=event.kind).values_list(
                "user_id", "frequency"
            )
        )
        default = DEFAULT_FREQUENCY[Kind(event.kind)]
        already = set(
            Notification.objects.filter(event=event.key, user_id__in=user_ids).values_list(
                "user_id", flat=True
            )
        )
        rows = [
            Notification(
                user_id=user_id,
                kind=event.kind,
                event=event.key,
                text=event.text[:300],
                detail=event.detail[:300],
                url=event.url,
                email_due=_email_due(chosen.get(user_id, default)),
            )
            for user_id in user_ids
            if user_id not in already
        ]
        Notification.objects.bulk_create(rows, ignore_conflicts=True)
        at_once = [row.user_id for row in rows if row.email_due == Frequency.AT_ONCE]
        if at_once:
            from diseasemaps.community.tasks import email_notifications

            transaction.on_commit(
                lambda: email_notifications.enqueue(event=event.key, user_ids=at_once)
            )
    return len(rows)


def fan_out(*, event: Event, streams: Iterable[QuerySet]) -> int:
    """Deliver `event` to the members behind each queryset of follows, batch by batch."""
    made = 0
    for follows in streams:
        for user_ids in member_batches(follows):
            made += deliver(event=event, user_ids=user_ids)
    return made


def _active_follows() -> QuerySet:
    return Follow.objects.filter(user__is_active=True)


def _title(question: Question | None, condition) -> str:
    if question is not None:
        return f"“{question.title}” ({condition.short_name})"
    return condition.display_name


def notify_new_experience(*, experience_id: int) -> int:
    """A post became visible: the followers of its question and of its condition, not its author."""
    experience = (
        Experience.objects.select_related("condition", "question")
        .filter(pk=experience_id, status=Experience.Status.APPROVED)
        .first()
    )
    if experience is None:
        return 0
    condition, question = experience.condition, experience.question
    followers = _active_follows()
    if experience.author_id is not None:
        followers = followers.exclude(user_id=experience.author_id)
    streams = [followers.filter(condition=condition)]
    if question is not None:
        also = Follow.objects.filter(condition=condition).values("user_id")
        streams.append(followers.filter(question=question).exclude(user_id__in=also))
    event = Event(
        kind=Kind.NEW_EXPERIENCE,
        key=f"experience:{experience.pk}",
        text=f"A member shared a new experience on {_title(question, condition)}",
        url=experience.get_absolute_url(),
    )
    return fan_out(event=event, streams=streams)


def notify_reply(
    *, reply_key: str, url: str, post_author_id: int | None, parent_author_id: int | None
) -> int:
    """A reply: to the post's author, and to the author of the reply it answers (once each)."""
    made = 0
    if post_author_id is not None:
        made += deliver(
            event=Event(Kind.REPLY, reply_key, "Someone replied to your post", url),
            user_ids=[post_author_id],
        )
    if parent_author_id is not None and parent_author_id != post_author_id:
        made += deliver(
            event=Event(Kind.REPLY, reply_key, "Someone replied to your reply", url),
            user_ids=[parent_author_id],
        )
    return made


def notify_answer_reviewed(*, revision_id: int) -> int:
    """A full medical review went live: the question's followers, with its "what changed"."""
    revision = (
        AnswerRevision.objects.select_related("question__condition").filter(pk=revision_id).first()
    )
    if revision is None:
        return 0
    question = revision.question
    event = Event(
        kind=Kind.ANSWER_REVIEWED,
        key=f"review:{revision.pk}",
        text=f"The answer to {_title(question, question.condition)} had a new medical review",
        detail=f"What changed: {revision.change_summary}" if revision.change_summary else "",
        url=question.get_absolute_url(),
    )
    return fan_out(event=event, streams=[_active_follows().filter(question=question)])


def notify_suggestions_answered(*, question_id: int, member_ids: list[int]) -> int:
    """
    The members who suggested the question, then the condition's other followers: each once
    (one event for both), the askers with their own kind of notification.
    """
    question = Question.objects.select_related("condition").filter(pk=question_id).first()
    if question is None:
        return 0
    key = f"answer:{question.pk}"
    url = question.get_absolute_url()
    title = _title(question, question.condition)
    askers = list(
        User.objects.filter(pk__in=member_ids, is_active=True).values_list("pk", flat=True)
    )
    made = deliver(
        event=Event(
            Kind.SUGGESTION_ANSWERED, key, f"The question you suggested is answered: {title}", url
        ),
        user_ids=askers,
    )
    followers = _active_follows().filter(condition=question.condition).exclude(user_id__in=askers)
    made += fan_out(
        event=Event(Kind.NEW_ANSWER, key, f"A new reviewed answer: {title}", url),
        streams=[followers],
    )
    return made


# --- E-mail -------------------------------------------------------------------------------------


def unsubscribe_url(*, user: User, scope: str) -> str:
    token = unsubscribe_token(user=user, scope=scope)
    return absolute_url(reverse("community:unsubscribe", kwargs={"token": token}))


def build_message(*, user: User, subject: str, template: str, context: dict, scope: str):
    """An e-mail with the one-click unsubscribe link in its body and its headers (RFC 8058)."""
    link = unsubscribe_url(user=user, scope=scope)
    body = render_to_string(
        template,
        {
            **context,
            "site_name": SITE,
            "unsubscribe_url": link,
            "preferences_url": absolute_url(reverse("community:preferences")),
            "notifications_url": absolute_url(reverse("community:notifications")),
        },
    )
    return EmailMessage(
        subject=subject,
        body=body,
        to=[user.email],
        headers={
            "List-Unsubscribe": f"<{link}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    )


def email_notifications(*, event: str, user_ids: list[int]) -> int:
    """
    The "at once" e-mails of one event for one batch of members: each taken off the list in the
    same transaction that queues it, so a second run sends nothing twice.
    """
    with transaction.atomic():
        due = list(
            Notification.objects.select_for_update(skip_locked=True)
            .filter(event=event, user_id__in=user_ids, email_due=Frequency.AT_ONCE)
            .select_related("user")
        )
        for notification in due:
            user = notification.user
            if not user.email or not user.is_active:
                continue
            queue_email(
                build_message(
                    user=user,
                    subject=SUBJECTS[Kind(notification.kind)],
                    template="community/email/notification.txt",
                    context={
                        "kind": Kind(notification.kind),
                        "open_url": absolute_url(notification.get_absolute_url()),
                    },
                    scope=notification.kind,
                )
            )
        Notification.objects.filter(pk__in=[n.pk for n in due]).update(
            email_due="", emailed_at=timezone.now()
        )
    return len(due)


def send_digests(*, frequency: str, now: datetime.datetime | None = None) -> int:
    """
    One summary e-mail per member with notifications waiting for this summary: how many of each
    kind, and a link to their notifications. Each batch of members is taken off the list in the
    transaction that queues their e-mails, so the summary of a period is sent once.
    """
    frequency = Frequency(frequency)
    now = now or timezone.now()
    waiting = Notification.objects.filter(email_due=frequency, created_at__lte=now)
    sent = 0
    for user_ids in member_batches(waiting, distinct=True):
        with transaction.atomic():
            rows = list(
                waiting.select_for_update(skip_locked=True)
                .filter(user_id__in=user_ids)
                .values_list("pk", "user_id", "kind")
            )
            counts: dict[int, Counter] = {}
            for _, user_id, kind in rows:
                counts.setdefault(user_id, Counter())[kind] += 1
            users = User.objects.filter(pk__in=counts, is_active=True).exclude(email="")
            for user in users:
                lines = [
                    f"{count} {DIGEST_LINES[Kind(kind)][0 if count == 1 else 1]}"
                    for kind, count in sorted(counts[user.pk].items())
                ]
                queue_email(
                    build_message(
                        user=user,
                        subject=DIGEST_SUBJECTS[frequency],
                        template="community/email/digest.txt",
                        context={"lines": lines, "frequency": frequency},
                        scope=frequency,
                    )
                )
                sent += 1
            Notification.objects.filter(pk__in=[row[0] for row in rows]).update(
                email_due="", emailed_at=now
            )
    return sent
