"""The community's background work: fan-outs, their e-mails, and the daily and weekly summaries."""

import datetime

from django.conf import settings
from django_tasks import task

from diseasemaps.community import notify
from diseasemaps.community.models import Frequency


@task()
def fan_out_experience(*, experience_id: int) -> int:
    return notify.notify_new_experience(experience_id=experience_id)


@task()
def fan_out_reply(
    *, reply_key: str, url: str, post_author_id: int | None, parent_author_id: int | None
) -> int:
    return notify.notify_reply(
        reply_key=reply_key,
        url=url,
        post_author_id=post_author_id,
        parent_author_id=parent_author_id,
    )


@task()
def fan_out_review(*, revision_id: int) -> int:
    return notify.notify_answer_reviewed(revision_id=revision_id)


@task()
def fan_out_suggestions_answered(*, question_id: int, member_ids: list[int]) -> int:
    return notify.notify_suggestions_answered(question_id=question_id, member_ids=member_ids)


@task()
def email_notifications(*, event: str, user_ids: list[int]) -> int:
    return notify.email_notifications(event=event, user_ids=user_ids)


@task()
def send_daily_digests(*, on: str) -> int:
    """The daily summaries (a periodic job, once a day: DISEASEMAPS_PERIODIC_JOBS)."""
    return notify.send_digests(frequency=Frequency.DAILY)


@task()
def send_weekly_digests(*, on: str) -> int:
    """
    The weekly summaries: started every day like any periodic job, it sends only on the
    DISEASEMAPS_WEEKLY_DIGEST_WEEKDAY (0 is Monday), so once a week.
    """
    if datetime.date.fromisoformat(on).weekday() != settings.DISEASEMAPS_WEEKLY_DIGEST_WEEKDAY:
        return 0
    return notify.send_digests(frequency=Frequency.WEEKLY)
