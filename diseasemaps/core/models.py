from django.db import models


class TimeStampedModel(models.Model):
    """When a row was made and last changed; every domain model carries both."""

    created_at = models.DateTimeField(auto_now_add=True, editable=False)
    updated_at = models.DateTimeField(auto_now=True, editable=False)

    class Meta:
        abstract = True


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
