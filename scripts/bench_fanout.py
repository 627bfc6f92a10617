"""
Times a fan-out to 100,000 followers (BENCH_FOLLOWERS) on the database `make bench` sets up
(PostgreSQL, as in production): the request that approves a post queues one task; the task
notifies every follower in batches. Two runs: a new post (followers get it in their daily
summary, the default: notifications only) and a medical review (e-mailed at once, the default:
notifications plus one queued e-mail task per batch). Writes docs/benchmarks-fanout.md.
"""

import os
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "diseasemaps.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth.hashers import make_password  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402
from django_tasks_db.models import DBTaskResult  # noqa: E402

from diseasemaps.answers.models import AnswerRevision, Question  # noqa: E402
from diseasemaps.community import notify  # noqa: E402
from diseasemaps.community.models import Follow, Notification  # noqa: E402
from diseasemaps.conditions.models import Condition  # noqa: E402
from diseasemaps.experiences.models import Experience  # noqa: E402
from diseasemaps.members.models import User  # noqa: E402

FOLLOWERS = int(os.environ.get("BENCH_FOLLOWERS", "100000"))
CHUNK = 10_000


def setup() -> tuple[Condition, Question, Experience, AnswerRevision]:
    call_command("migrate", verbosity=0)
    condition, _ = Condition.objects.get_or_create(
        slug="bench-fanout", defaults={"name": "Fan-out benchmark", "summary": "For timing."}
    )
    question, _ = Question.objects.get_or_create(
        condition=condition, slug="bench", defaults={"title": "A benchmark question?"}
    )
    revision = AnswerRevision.objects.filter(question=question).first() or (
        AnswerRevision.objects.create(
            question=question,
            number=1,
            short_answer="S.",
            body="B.",
            body_html="<p>B.</p>",
            change_summary="A benchmark review.",
        )
    )
    have = Follow.objects.filter(condition=condition).count()
    unusable = make_password(None)
    start = time.perf_counter()
    for first in range(have, FOLLOWERS, CHUNK):
        numbers = range(first, min(first + CHUNK, FOLLOWERS))
        users = User.objects.bulk_create(
            [User(email=f"fanout-{n:06d}@bench.example", password=unusable) for n in numbers]
        )
        Follow.objects.bulk_create(
            [Follow(user=user, condition=condition) for user in users]
            + [Follow(user=user, question=question) for user in users]
        )
    if have < FOLLOWERS:
        print(f"{FOLLOWERS - have} followers bulk-created in {time.perf_counter() - start:.1f} s")
    author = User.objects.filter(email="fanout-author@bench.example").first() or (
        User.objects.create(email="fanout-author@bench.example", password=unusable)
    )
    experience = Experience(
        author=author,
        condition=condition,
        question=question,
        status=Experience.Status.APPROVED,
        approved_at=timezone.now(),
    )
    experience.set_body("A benchmark post.")
    experience.save()
    return condition, question, experience, revision


def timed(label: str, run) -> dict:
    before_tasks = DBTaskResult.objects.count()
    start = time.perf_counter()
    made = run()
    seconds = time.perf_counter() - start
    tasks = DBTaskResult.objects.count() - before_tasks
    print(
        f"{label:<46} {made:>7} notifications in {seconds:6.2f} s "
        f"({made / seconds:,.0f}/s), {tasks} tasks queued"
    )
    return {"label": label, "made": made, "seconds": seconds, "tasks": tasks}


def main() -> None:
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    condition, question, experience, revision = setup()
    Notification.objects.filter(user__email__endswith="@bench.example").delete()
    rows = []
    # What the approving request pays: queueing the fan-out once its transaction commits.
    from diseasemaps.community import tasks

    start = time.perf_counter()
    with transaction.atomic():
        tasks.fan_out_experience.enqueue(experience_id=experience.pk)
    request_ms = (time.perf_counter() - start) * 1000
    print(f"{'Approving request: queue the fan-out':<46} {request_ms:.1f} ms")
    rows.append(
        timed(
            "New post: followers of condition and question",
            lambda: notify.notify_new_experience(experience_id=experience.pk),
        )
    )
    rows.append(
        timed(
            "Medical review: e-mailed at once",
            lambda: notify.notify_answer_reviewed(revision_id=revision.pk),
        )
    )
    vendor = connection.vendor
    version = connection.cursor().connection.info.server_version if vendor == "postgresql" else ""
    lines = [
        "# Fan-out benchmark",
        "",
        f"Written by `make bench` (`scripts/bench_fanout.py`): {FOLLOWERS:,} members follow "
        "one condition and its question; one task notifies them all in batches of "
        f"{settings.DISEASEMAPS_NOTIFY_BATCH_SIZE} (one range read, one bulk insert and, for "
        "e-mail at once, one queued e-mail task per batch). A report, not a test gate.",
        "",
        f"- Run: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, database {vendor}"
        f"{f' {version}' if version else ''}, {os.cpu_count()} CPU cores",
        f"- The approving request's share: queueing one task, {request_ms:.1f} ms",
        "",
        "| fan-out | notifications | seconds | per second | tasks queued |",
        "|---|---:|---:|---:|---:|",
    ]
    for row in rows:
        lines.append(
            f"| {row['label']} | {row['made']:,} | {row['seconds']:.2f} | "
            f"{row['made'] / row['seconds']:,.0f} | {row['tasks']} |"
        )
    output = ROOT / "docs" / "benchmarks-fanout.md"
    output.write_text("\n".join(lines) + "\n")
    print(f"Written to {output.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
