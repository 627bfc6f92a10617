from typing import ClassVar

from django.db import models


class TimeStampedModel(models.Model):
    """When a row was made and last changed; every domain model carries both."""

    created_at = models.DateTimeField(auto_now_add=True, editable=False)
    updated_at = models.DateTimeField(auto_now=True, editable=False)

    class Meta:
        abstract = True


class KeepsStoredFigures(models.Model):
    """
    A model with columns that another app keeps: stored figures (how many posts, how many
    members), written only by their keeper with `update()` under a lock on the row. Saving an
    existing row never writes them, so that an instance read before a figure changed (an
    editor's form in the admin) cannot put the old figure back.
    """

    stored_figures: ClassVar[tuple[str, ...]] = ()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs) -> None:
        if (
            not self._state.adding
            and kwargs.get("update_fields") is None
            and not kwargs.get("force_insert")
        ):
            skipped = {*self.stored_figures, *self.get_deferred_fields()}
            kwargs["update_fields"] = [
                field.name
                for field in self._meta.concrete_fields
                if not field.primary_key
                and field.name not in skipped
                and field.attname not in skipped
            ]
        super().save(*args, **kwargs)


class RateLimitCounter(models.Model):
    """
    One rate-limit window's count, for deployments whose cache is not Redis (the embedded
    demo, a single server). `core.ratelimit` counts here with one atomic upsert per attempt;
    with Redis it counts there instead and this table stays empty.
    """

    key = models.CharField(max_length=250, primary_key=True)
    count = models.PositiveIntegerField()
    expires_at = models.FloatField(help_text="When the window ends, in seconds since the epoch.")

    def __str__(self) -> str:
        return f"{self.key}: {self.count}"


class PeriodicRun(models.Model):
    """
    One start of a periodic job (the daily review reminders, say) for one period (a day).

    The pair is unique, and a worker enqueues the job only after inserting its row: with
    several workers on several machines ticking at once, the database lets exactly one in.
    """

    job = models.CharField(max_length=100)
    period = models.CharField(max_length=20, help_text="The day it ran for, YYYY-MM-DD.")
    enqueued_at = models.DateTimeField(auto_now_add=True)
    task_id = models.CharField(max_length=64, blank=True, help_text="The queued task's id.")

    class Meta:
        ordering = ["-enqueued_at"]
        constraints = [
            models.UniqueConstraint(fields=["job", "period"], name="periodic_run_once_per_period")
        ]

    def __str__(self) -> str:
        return f"{self.job} {self.period}"
