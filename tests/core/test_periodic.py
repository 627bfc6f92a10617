"""
Periodic jobs are started by the workers themselves, once a day in all: the review reminders
run once even with two worker processes ticking at the same moment.
"""

import datetime
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.db import connection
from django_tasks_db.models import DBTaskResult

from diseasemaps.core import tasks
from diseasemaps.core.models import PeriodicRun
from tests.factories import ReviewerFactory, published_question

REMINDERS = "diseasemaps.answers.tasks.send_review_reminders"
MORNING = datetime.datetime(2026, 12, 1, 6, 30, tzinfo=datetime.UTC)


@pytest.fixture
def db_queue(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    settings.DISEASEMAPS_PERIODIC_JOBS = [
        {"name": "review-reminders", "task": REMINDERS, "at": "06:00"}
    ]
    return settings


def due_answer_for(reviewer):
    revision = published_question().live_revision
    revision.reviewer = reviewer
    revision.next_review_on = datetime.date(2026, 11, 1)
    revision.save()
    return revision


@pytest.mark.django_db
def test_a_job_is_queued_once_its_time_of_day_has_come_and_once_a_day(db_queue):
    assert tasks.enqueue_due_jobs(now=MORNING.replace(hour=5)) == []
    assert tasks.enqueue_due_jobs(now=MORNING) == ["review-reminders"]
    assert tasks.enqueue_due_jobs(now=MORNING + datetime.timedelta(hours=3)) == []
    assert tasks.enqueue_due_jobs(now=MORNING + datetime.timedelta(days=1)) == ["review-reminders"]
    runs = PeriodicRun.objects.order_by("period")
    assert [run.period for run in runs] == ["2026-12-01", "2026-12-02"]
    queued = DBTaskResult.objects.filter(task_path=REMINDERS).order_by("enqueued_at")
    assert [r.args_kwargs["kwargs"] for r in queued] == [{"on": "2026-12-01"}, {"on": "2026-12-02"}]
    assert {run.task_id for run in runs} == {str(r.id) for r in queued}


@pytest.mark.postgres_only  # SQLite lets one writer in at a time: there is no race to lose
@pytest.mark.django_db(transaction=True)
def test_two_workers_ticking_at_the_same_moment_queue_the_job_once(db_queue):
    barrier = threading.Barrier(2)
    results: list[list[str]] = []

    def tick():
        try:
            barrier.wait(timeout=30)
            results.append(tasks.enqueue_due_jobs(now=MORNING))
        finally:
            connection.close()

    threads = [threading.Thread(target=tick) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(results) == [[], ["review-reminders"]]
    assert PeriodicRun.objects.count() == 1
    assert DBTaskResult.objects.filter(task_path=REMINDERS).count() == 1


@pytest.mark.postgres_only  # the worker processes share the test database through its server
@pytest.mark.django_db(transaction=True)
def test_the_daily_reminders_go_out_once_with_two_worker_processes(tmp_path: Path):
    reviewer = ReviewerFactory()
    due_answer_for(reviewer)
    database = connection.settings_dict
    env = {
        **os.environ,
        "DEBUG": "0",
        "DATABASE_URL": (
            f"postgres://{database['USER']}:{database['PASSWORD']}@{database['HOST']}:"
            f"{database['PORT']}/{database['NAME']}"
        ),
        "EMAIL_URL": f"filemail:///{tmp_path}",  # four slashes: an absolute path
        "TASKS_BACKEND": "django_tasks_db.DatabaseBackend",
        "DISEASEMAPS_REVIEW_REMINDERS_AT": "00:00",  # due at any time of day
        "DISEASEMAPS_REVIEW_REMINDER_DAYS": "36500",  # whatever today is, the answer is due
    }
    command = [
        sys.executable,
        "manage.py",
        "run_worker",
        "--batch",
        "--no-reload",
        "--no-startup-delay",
        "--interval",
        "0.1",
    ]
    workers = [
        subprocess.Popen(  # noqa: S603 (our own command)
            command,
            cwd=django_settings.BASE_DIR,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )
        for _ in range(2)
    ]
    outputs = [worker.communicate(timeout=120)[0].decode() for worker in workers]
    assert [worker.returncode for worker in workers] == [0, 0], outputs

    assert PeriodicRun.objects.filter(job="review-reminders").count() == 1
    assert DBTaskResult.objects.filter(task_path=REMINDERS, status="SUCCESSFUL").count() == 1
    results = list(DBTaskResult.objects.values_list("task_path", "status", "return_value"))
    sent = "".join(path.read_text() for path in tmp_path.iterdir())
    assert results, outputs
    assert sent.count(f"To: {reviewer.email}") == 1, (results, outputs)
    assert "needs a medical review" in sent
