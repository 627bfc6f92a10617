from django.db import models


class TimeStampedModel(models.Model):
    """When a row was made and last changed; every domain model carries both."""

    created_at = models.DateTimeField(auto_now_add=True, editable=False)
    updated_at = models.DateTimeField(auto_now=True, editable=False)

    class Meta:
        abstract = True
