"""
The community's writes: following, reading notifications, e-mail choices and unsubscribing.
The notifications themselves are made by `notify` (on the task queue).
"""

from django.core import signing
from django.db import transaction
from django.utils import timezone

from diseasemaps.answers.models import Question
from diseasemaps.community.models import (
    DEFAULT_FREQUENCY,
    EmailPreference,
    Follow,
    Frequency,
    Kind,
    Notification,
)
from diseasemaps.conditions.models import Condition
from diseasemaps.members.models import User

UNSUBSCRIBE_SALT = "diseasemaps.community.unsubscribe"
# An unsubscribe link names a kind of notification, or a summary (daily, weekly): every kind the
# member gets in that summary.
DIGESTS = (Frequency.DAILY, Frequency.WEEKLY)


# --- Following ----------------------------------------------------------------------------------


def _target(condition: Condition | None, question: Question | None) -> dict:
    if (condition is None) == (question is None):
        raise ValueError("Follow a condition or a question, not both.")
    return {"condition": condition} if condition is not None else {"question": question}


@transaction.atomic
def follow(
    *, user: User, condition: Condition | None = None, question: Question | None = None
) -> Follow:
    """Follow a condition or a question; following it again changes nothing."""
    row, _ = Follow.objects.get_or_create(user=user, **_target(condition, question))
    return row


@transaction.atomic
def unfollow(
    *, user: User, condition: Condition | None = None, question: Question | None = None
) -> None:
    """Stop following; nothing happens if the member did not follow it."""
    Follow.objects.filter(user=user, **_target(condition, question)).delete()


def is_following(
    *, user: User, condition: Condition | None = None, question: Question | None = None
) -> bool:
    if not user.is_authenticated:
        return False
    return Follow.objects.filter(user=user, **_target(condition, question)).exists()


def follows_of(user: User) -> list[Follow]:
    """What the member follows, newest first: for their own eyes only."""
    return list(Follow.objects.filter(user=user).select_related("condition", "question__condition"))


# --- Reading notifications ----------------------------------------------------------------------


def unread_count(user: User) -> int:
    """One COUNT on the partial index of unread rows."""
    return Notification.objects.for_user(user).unread().count()


@transaction.atomic
def mark_read(*, notification: Notification) -> None:
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])


@transaction.atomic
def mark_all_read(*, user: User) -> int:
    return Notification.objects.for_user(user).unread().update(read_at=timezone.now())


# --- E-mail choices -----------------------------------------------------------------------------


def frequencies_of(user: User) -> dict[str, str]:
    """Each kind's choice, the default where the member made none."""
    chosen = dict(EmailPreference.objects.filter(user=user).values_list("kind", "frequency"))
    return {kind.value: chosen.get(kind.value, DEFAULT_FREQUENCY[kind]) for kind in Kind}


@transaction.atomic
def set_frequencies(*, user: User, frequencies: dict[str, str]) -> None:
    """
    Save the member's choices. Notifications still waiting for a summary follow the new choice:
    into the other summary, or out of e-mail altogether (they stay on the site).
    """
    for kind, frequency in frequencies.items():
        kind, frequency = Kind(kind).value, Frequency(frequency).value  # refuse unknown values
        EmailPreference.objects.update_or_create(
            user=user, kind=kind, defaults={"frequency": frequency}
        )
        waiting = Notification.objects.filter(user=user, kind=kind, email_due__in=DIGESTS)
        waiting.update(email_due=frequency if frequency in DIGESTS else "")


def unsubscribe_token(*, user: User, scope: str) -> str:
    """The signed key of an unsubscribe link: one member, one kind (or one summary)."""
    return signing.dumps({"u": user.pk, "s": str(scope)}, salt=UNSUBSCRIBE_SALT, compress=True)


def read_unsubscribe_token(token: str) -> tuple[User, str] | None:
    """The member and scope a link names, or None for a link that was not ours or was changed."""
    try:
        data = signing.loads(token, salt=UNSUBSCRIBE_SALT)
        user_id, scope = int(data["u"]), str(data["s"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return None
    if scope not in Kind.values and scope not in DIGESTS:
        return None
    user = User.objects.filter(pk=user_id, is_active=True).first()
    return (user, scope) if user is not None else None


def scope_label(scope: str) -> str:
    if scope == Frequency.DAILY:
        return "the daily summary"
    if scope == Frequency.WEEKLY:
        return "the weekly summary"
    return f"e-mails about “{Kind(scope).label.lower()}”"


@transaction.atomic
def unsubscribe(*, user: User, scope: str) -> list[str]:
    """
    Stop the e-mails a link names: one kind, or every kind that goes into the named summary.
    The notifications stay on the site. Returns the kinds turned off.
    """
    current = frequencies_of(user)
    if scope in DIGESTS:
        kinds = [kind for kind, frequency in current.items() if frequency == scope]
    else:
        kinds = [Kind(scope).value]
    set_frequencies(user=user, frequencies=dict.fromkeys(kinds, Frequency.NEVER))
    return kinds
