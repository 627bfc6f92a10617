"""The answers app's background jobs (see DISEASEMAPS_PERIODIC_JOBS in settings)."""

import datetime

from django.conf import settings
from django_tasks import task

from diseasemaps.answers.services import send_review_reminders as send_reminders


@task()
def send_review_reminders(*, on: str) -> int:
    """The daily review reminders for the day `on` (YYYY-MM-DD); returns the e-mails queued."""
    return send_reminders(
        today=datetime.date.fromisoformat(on),
        within_days=settings.DISEASEMAPS_REVIEW_REMINDER_DAYS,
    )
