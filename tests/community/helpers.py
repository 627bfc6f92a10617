"""Small helpers shared by the community tests."""

from types import SimpleNamespace

from diseasemaps.community import services
from diseasemaps.community.models import Notification
from tests.factories import MemberFactory


def followers(n: int, **target) -> list:
    members = MemberFactory.create_batch(n)
    for member in members:
        services.follow(user=member, **target)
    return members


def notified(**filters) -> set[int]:
    return set(Notification.objects.filter(**filters).values_list("user_id", flat=True))


def stand_in_reply(*, pk: int, experience, author, in_reply_to=None, url="/experiences/r/1/"):
    """What h4's Reply offers the receiver: the post, its author, the reply it answers, a URL."""
    return SimpleNamespace(
        pk=pk,
        experience=experience,
        author=author,
        in_reply_to=in_reply_to,
        get_absolute_url=lambda: url,
    )
