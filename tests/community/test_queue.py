"""
The fan-out on the real queue (django-tasks-db, committed for real, one worker in this process):
the moderator's approval queues one task and nothing else; the worker notifies the followers in
batches, one e-mail task per batch, and each e-mail goes out once.
"""

import pytest
from django.core import mail
from django_tasks_db.models import DBTaskResult

from diseasemaps.community import services
from diseasemaps.community.models import Frequency, Kind, Notification
from diseasemaps.experiences import services as experience_services
from tests.community.helpers import followers
from tests.core.test_tasks import run_worker
from tests.experiences.test_services import share, sharer
from tests.factories import StaffFactory, published_question

pytestmark = pytest.mark.django_db(transaction=True)


def queued(path: str):
    return DBTaskResult.objects.filter(task_path=f"diseasemaps.community.tasks.{path}")


def test_approving_a_post_queues_one_task_and_the_worker_fans_out_in_batches(settings):
    from diseasemaps.core.services import Role

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    settings.DISEASEMAPS_NOTIFY_BATCH_SIZE = 3
    question = published_question()
    members = followers(7, condition=question.condition)
    for member in members[:5]:
        services.set_frequencies(user=member, frequencies={Kind.NEW_EXPERIENCE: Frequency.AT_ONCE})
    post = share(sharer(question.condition), question)
    moderator = StaffFactory(roles=[Role.MODERATOR])
    DBTaskResult.objects.all().delete()
    mail.outbox.clear()

    experience_services.approve_experience(experience=post, moderator=moderator)
    # The request's share: one task. The moderation decision's e-mail to the author is its own.
    assert [
        r.task_path
        for r in DBTaskResult.objects.exclude(task_path="diseasemaps.core.tasks.send_email")
    ] == ["diseasemaps.community.tasks.fan_out_experience"]
    assert not Notification.objects.exists()

    run_worker()
    assert Notification.objects.count() == 7
    # Batches of three members: 3 + 3 + 1; the five who chose "at once" are in the first two.
    batches = [r.args_kwargs["kwargs"]["user_ids"] for r in queued("email_notifications")]
    assert sorted(len(b) for b in batches) == [2, 3]
    assert all(r.status == "SUCCESSFUL" for r in DBTaskResult.objects.all())
    to = sorted(m.to[0] for m in mail.outbox if "new experience" in m.subject)
    assert to == sorted(m.email for m in members[:5])
    run_worker()  # nothing left: nothing sent twice
    assert len([m for m in mail.outbox if "new experience" in m.subject]) == 5
    assert Notification.objects.filter(email_due=Frequency.AT_ONCE).count() == 0
    assert Notification.objects.filter(email_due=Frequency.DAILY).count() == 2
