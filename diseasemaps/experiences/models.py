"""
First-person experiences: what living with a condition was like, told by members. They sit
beside the reviewed answer, marked as personal and not medically reviewed, and a moderator
approves them before anyone else sees them.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models

from diseasemaps.core.markdown import render_markdown
from diseasemaps.core.models import TimeStampedModel

EXPERIENCE_LINK_REL = "nofollow ugc noopener"


class Treatment(models.Model):
    """A treatment members of a condition commonly report, kept per condition in the admin."""

    condition = models.ForeignKey(
        "conditions.Condition", on_delete=models.CASCADE, related_name="treatments"
    )
    name = models.CharField(max_length=120)

    class Meta:
        ordering = ["condition", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["condition", "name"], name="experiences_treatment_unique_per_condition"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class ExperienceQuerySet(models.QuerySet):
    def visible(self) -> "ExperienceQuerySet":
        """Posts anyone may know exist: approved by a moderator and not hidden since."""
        return self.filter(status=Experience.Status.APPROVED, is_hidden=False)

    def for_display(self) -> "ExperienceQuerySet":
        """What a list of posts needs, fetched up front rather than per post."""
        return self.select_related("author__member_profile").prefetch_related("treatments")

    def people_count(self) -> int:
        """
        How many people wrote these posts: distinct authors, each post whose author has left
        (anonymised) counting as one person, since we can no longer tell who wrote it.
        """
        counts = self.aggregate(
            authors=models.Count("author", distinct=True),
            anonymous=models.Count("pk", filter=models.Q(author__isnull=True)),
        )
        return counts["authors"] + counts["anonymous"]


class Experience(TimeStampedModel):
    """A member's first-person account, on one question of a condition or the condition itself."""

    class Audience(models.TextChoices):
        EVERYONE = "everyone", "Everyone"
        MEMBERS = "members", "Members only"

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for moderation"
        APPROVED = "approved", "Approved"
        REJECTED = "rejected", "Rejected"

    condition = models.ForeignKey(
        "conditions.Condition", on_delete=models.PROTECT, related_name="experiences"
    )
    question = models.ForeignKey(
        "answers.Question",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="experiences",
        help_text="Empty for an experience of the condition in general.",
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="experiences",
        help_text="Empty once the author has left and chose to keep the post.",
    )
    audience = models.CharField(max_length=20, choices=Audience.choices, default=Audience.EVERYONE)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING)
    is_hidden = models.BooleanField(
        default=False, help_text="Hidden while reports about it wait for a moderator."
    )
    body = models.TextField(max_length=10_000)
    body_html = models.TextField(editable=False)
    treatments = models.ManyToManyField(Treatment, blank=True, related_name="experiences")
    years_since_diagnosis = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="At the time of writing."
    )
    moderator_note = models.CharField(
        max_length=300, blank=True, help_text="A short public note shown with the post."
    )
    approved_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = ExperienceQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        permissions = [("moderate_experience", "Can approve or reject experiences")]
        indexes = [
            models.Index(
                fields=["question", "status", "is_hidden", "-created_at"],
                name="experiences_question_feed",
            ),
            models.Index(
                fields=["condition", "status", "is_hidden", "-created_at"],
                name="experiences_condition_feed",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(years_since_diagnosis__isnull=True)
                | models.Q(years_since_diagnosis__lte=120),
                name="experiences_years_since_diagnosis_plausible",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="approved") | models.Q(approved_at__isnull=False),
                name="experiences_approved_has_date",
            ),
        ]

    def __str__(self) -> str:
        return f"Experience {self.pk} on {self.question or self.condition}"

    def clean(self) -> None:
        super().clean()
        if (
            self.question_id
            and self.condition_id
            and self.question.condition_id != self.condition_id
        ):
            raise ValidationError({"question": "This question belongs to another condition."})

    def set_body(self, body: str) -> None:
        """Set the Markdown body and its sanitized HTML (no headings, user-content links)."""
        self.body = body
        self.body_html = render_markdown(body, allow_headings=False, link_rel=EXPERIENCE_LINK_REL)

    @property
    def is_members_only(self) -> bool:
        return self.audience == self.Audience.MEMBERS
