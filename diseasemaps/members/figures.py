"""
The community figure of each condition ("N members ... living with this condition"), stored on
the condition (`Condition.member_count`), so that no page counts memberships, and the home
page's largest communities are read from an index.

How it stays exact: every service that changes who counts (a member adding, changing or
removing a condition, an erasure, an account activated or deactivated) calls
`refresh_community_figures` in its own transaction, after its change. It locks the conditions'
rows (`SELECT ... FOR NO KEY UPDATE`, in primary-key order, so that two writers cannot
deadlock), counts the rows behind the figure with COUNT (`MemberConditionQuerySet.counted`)
and stores the result. A recount rather than adding or taking away one: it stays right whatever
changed (one row, or all of a member's rows when their account is deactivated) and needs no
lock on the member's own rows. Under READ COMMITTED a second writer waits for the lock until
the first has committed, and its COUNT, a new statement, then sees both changes, so the last
to commit stores the count of everything committed. (On SQLite one writer at a time holds the
whole database, with the same effect.) FOR NO KEY UPDATE does not wait for rows being inserted
that point at the condition (their foreign key's KEY SHARE lock), nor hold them up.

`recount_community_figures` (manage.py recount) rebuilds them all, a batch at a time.
"""

from collections.abc import Iterable
from dataclasses import dataclass

from django.db import models, transaction

from diseasemaps.conditions.models import Condition
from diseasemaps.members.models import MemberCondition
from diseasemaps.members.signals import community_figures_changed

BATCH = 500


@dataclass(frozen=True)
class Correction:
    condition_id: int
    before: int
    after: int

    def __str__(self) -> str:
        return f"condition {self.condition_id}: member_count {self.before} → {self.after}"


def counted_members(condition_ids: Iterable[int]) -> dict[int, int]:
    """Each condition's community figure as its rows say now (one query)."""
    rows = (
        MemberCondition.objects.counted()
        .filter(condition_id__in=list(condition_ids))
        .order_by()
        .values("condition_id")
        .annotate(members=models.Count("pk"))
        .values_list("condition_id", "members")
    )
    return dict(rows)


@transaction.atomic(savepoint=False)
def refresh_community_figures(condition_ids: Iterable[int]) -> list[Correction]:
    """
    Lock these conditions and store their community figures as counted now (see the module's
    docstring). Call it inside the transaction that changed the rows, after the change.
    Returns what changed; the page cache hears of it through `community_figures_changed`.
    """
    ids = sorted(set(condition_ids))
    if not ids:
        return []
    stored = dict(
        Condition.objects.select_for_update(no_key=True)
        .filter(pk__in=ids)
        .order_by("pk")
        .values_list("pk", "member_count")
    )
    counted = counted_members(stored)
    corrections = []
    for pk, before in stored.items():
        after = counted.get(pk, 0)
        if after != before:
            Condition.objects.filter(pk=pk).update(member_count=after)
            corrections.append(Correction(condition_id=pk, before=before, after=after))
    if corrections:
        community_figures_changed.send(
            sender=Condition, condition_ids=[c.condition_id for c in corrections]
        )
    return corrections


def recount_community_figures() -> list[Correction]:
    """Every condition's community figure counted again, a batch per transaction."""
    corrections = []
    ids = list(Condition.objects.order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(ids), BATCH):
        corrections += refresh_community_figures(ids[start : start + BATCH])
    return corrections
