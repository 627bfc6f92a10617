"""
The task worker: django-tasks-db's `db_worker`, plus the clock of the periodic jobs.

Besides running queued tasks, each worker checks every --schedule-interval seconds (and once at
start) whether a periodic job is due (core.tasks.enqueue_due_jobs). Run as many workers as you
like, on as many machines: each job still starts once a day.
"""

import logging
import os
import threading

from django.db import close_old_connections, connection
from django.utils.autoreload import DJANGO_AUTORELOAD_ENV
from django_tasks_db.management.commands.db_worker import Command as DBWorkerCommand

from diseasemaps.core.tasks import enqueue_due_jobs

logger = logging.getLogger("diseasemaps.tasks")


def tick() -> None:
    close_old_connections()
    try:
        enqueue_due_jobs()
    except Exception:
        # A database that is down now may be back at the next tick; the worker carries on.
        logger.exception("periodic jobs could not be checked")


class Command(DBWorkerCommand):
    help = "Run queued tasks (e-mail and periodic jobs) and start the periodic jobs when due."

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument(
            "--schedule-interval",
            type=float,
            default=30.0,
            help="Seconds between checks for due periodic jobs (default: %(default)s).",
        )

    def handle(self, *args, schedule_interval: float, **options):
        reloading = options["reload"] and not options["batch"]
        if reloading and os.environ.get(DJANGO_AUTORELOAD_ENV) != "true":
            # The autoreloader's watching parent: the clock runs in the child it restarts.
            return super().handle(*args, **options)
        tick()
        stop = threading.Event()

        def clock():
            while not stop.wait(schedule_interval):
                tick()
            connection.close()

        thread = threading.Thread(target=clock, name="periodic-jobs", daemon=True)
        thread.start()
        try:
            super().handle(*args, **options)
        finally:
            stop.set()
