"""Small helpers shared by the community tests."""

from django.utils import timezone

from diseasemaps.community import services
from diseasemaps.community.models import Notification
from diseasemaps.experiences.models import Reply
from tests.factories import MemberFactory


def followers(n: int, **target) -> list:
    members = MemberFactory.create_batch(n)
    for member in members:
        services.follow(user=member, **target)
    return members


def notified(**filters) -> set[int]:
    return set(Notification.objects.filter(**filters).values_list("user_id", flat=True))


def reply_row(*, experience, author, in_reply_to=None) -> Reply:
    """An approved reply under `experience`, saved as it is, without announcing it."""
    reply = Reply(
        experience=experience,
        author=author,
        in_reply_to=in_reply_to,
        status=Reply.Status.APPROVED,
        approved_at=timezone.now(),
    )
    reply.set_body("Thank you for writing this, it helped me prepare for my own surgery.")
    reply.save()
    return reply
