"""
The figures a question page shows of its members' posts, stored on the question: how many
posts readers can see (the paginator's count) and the people behind them (`PeopleCount`). The
page reads them with the question, so no request counts posts, however many there are.

How they stay exact: every service that changes posts calls `refresh_question_figures` in its
own transaction, after its change. It locks the questions' rows (`SELECT ... FOR NO KEY
UPDATE`, in primary-key order, so that two writers cannot deadlock), then counts the posts
with COUNT and stores the result. Counting, rather than adding one or taking one away, is what
makes this exact: the people figure counts distinct authors, which no increment can follow
without reading the other posts, and a recount under the lock is right whatever the change.
Under READ COMMITTED a second writer waits for the lock until the first has committed; its
COUNT, a new statement, then sees the first one's posts and its own, so the last to commit
always stores the count of everything committed. (On SQLite one writer at a time holds the
whole database, which gives the same order.) The lock is FOR NO KEY UPDATE so that it does not
wait for, or hold up, posts being inserted on the question (their foreign key's KEY SHARE).

`recount_question_figures` (manage.py recount) rebuilds them all, one batch of questions at a
time, the same way.
"""

from collections.abc import Iterable
from dataclasses import dataclass

from django.db import models, transaction

from diseasemaps.answers.models import Question
from diseasemaps.experiences.models import Experience, PeopleCount, people_aggregates
from diseasemaps.experiences.signals import question_figures_changed

FIELDS = Question.stored_figures
BATCH = 500


@dataclass(frozen=True)
class Correction:
    """A stored figure that was not what the rows say: what it was, what it is now."""

    question_id: int
    before: tuple[int, ...]
    after: tuple[int, ...]

    def __str__(self) -> str:
        changes = ", ".join(
            f"{name} {old} → {new}"
            for name, old, new in zip(FIELDS, self.before, self.after, strict=True)
            if old != new
        )
        return f"question {self.question_id}: {changes}"


def counted_figures(question_ids: Iterable[int]) -> dict[int, tuple[int, ...]]:
    """Each question's figures as its visible posts say now, in FIELDS order (one query)."""
    rows = (
        Experience.objects.visible()
        .filter(question_id__in=list(question_ids))
        .order_by()
        .values("question_id")
        .annotate(posts=models.Count("pk"), **people_aggregates())
    )
    figures = {}
    for row in rows:
        people = PeopleCount.from_aggregates(row)
        figures[row["question_id"]] = (
            row["posts"],
            people.living_with,
            people.caring_for,
            people.unattributed_posts,
        )
    return figures


@transaction.atomic(savepoint=False)
def refresh_question_figures(question_ids: Iterable[int | None]) -> list[Correction]:
    """
    Lock these questions and store their figures as counted now (see the module's docstring).
    Call it inside the transaction that changed their posts, after the change. Returns what
    changed; the page cache hears of it through `question_figures_changed`.
    """
    ids = sorted({pk for pk in question_ids if pk is not None})
    if not ids:
        return []
    stored = {
        pk: tuple(figures)
        for pk, *figures in Question.objects.select_for_update(no_key=True)
        .filter(pk__in=ids)
        .order_by("pk")
        .values_list("pk", *FIELDS)
    }
    counted = counted_figures(stored)
    nothing = (0,) * len(FIELDS)
    corrections = []
    for pk, before in stored.items():
        after = counted.get(pk, nothing)
        if after != before:
            Question.objects.filter(pk=pk).update(**dict(zip(FIELDS, after, strict=True)))
            corrections.append(Correction(question_id=pk, before=before, after=after))
    if corrections:
        question_figures_changed.send(
            sender=Question, question_ids=[c.question_id for c in corrections]
        )
    return corrections


def recount_question_figures() -> list[Correction]:
    """Every question's figures counted again, a batch of questions per transaction."""
    corrections = []
    ids = list(Question.objects.order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(ids), BATCH):
        corrections += refresh_question_figures(ids[start : start + BATCH])
    return corrections
