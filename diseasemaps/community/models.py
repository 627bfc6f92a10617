"""
Follows, notifications and e-mail preferences: what brings a member back.

All of it is private to its member. None of it shows on a public page, so nothing here enters
the shared page cache or needs a page refreshed (see pages.invalidation).
"""

from django.conf import settings
from django.db import models
from django.urls import reverse


class Follow(models.Model):
    """
    A member follows one condition or one published question. The unique constraints start with
    the followed object, then the member: the fan-out walks a condition's followers in order of
    member through that very index, one batch at a time.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="follows"
    )
    condition = models.ForeignKey(
        "conditions.Condition",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="follows",
    )
    question = models.ForeignKey(
        "answers.Question",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="follows",
    )
    created_at = models.DateTimeField(auto_now_add=True, editable=False)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(condition__isnull=False, question__isnull=True)
                | models.Q(condition__isnull=True, question__isnull=False),
                name="community_follow_one_thing",
            ),
            models.UniqueConstraint(
                fields=["condition", "user"],
                condition=models.Q(condition__isnull=False),
                name="community_follow_condition_once",
            ),
            models.UniqueConstraint(
                fields=["question", "user"],
                condition=models.Q(question__isnull=False),
                name="community_follow_question_once",
            ),
        ]
        indexes = [models.Index(fields=["user", "-created_at"], name="community_follow_by_user")]

    def __str__(self) -> str:
        return f"Follow {self.pk}"

    @property
    def target(self):
        return self.question or self.condition


class Kind(models.TextChoices):
    """What a notification is about; a member chooses how each kind reaches them by e-mail."""

    NEW_EXPERIENCE = "new_experience", "A new experience on a condition or question I follow"
    REPLY = "reply", "A reply to my post or to a reply of mine"
    ANSWER_REVIEWED = "answer_reviewed", "A new medical review of an answer I follow"
    NEW_ANSWER = "new_answer", "A new reviewed answer on a condition I follow"
    SUGGESTION_ANSWERED = "suggestion_answered", "My suggested question has a reviewed answer"


class Frequency(models.TextChoices):
    AT_ONCE = "at_once", "At once"
    DAILY = "daily", "In a daily summary"
    WEEKLY = "weekly", "In a weekly summary"
    NEVER = "never", "Never (on the site only)"


# What a member gets until they choose: at once for what is about them (a reply, their own
# question) or rare and medical (a review); a daily summary for the busy kinds.
DEFAULT_FREQUENCY = {
    Kind.NEW_EXPERIENCE: Frequency.DAILY,
    Kind.REPLY: Frequency.AT_ONCE,
    Kind.ANSWER_REVIEWED: Frequency.AT_ONCE,
    Kind.NEW_ANSWER: Frequency.DAILY,
    Kind.SUGGESTION_ANSWERED: Frequency.AT_ONCE,
}


class EmailPreference(models.Model):
    """A member's choice for one kind; without a row, DEFAULT_FREQUENCY holds."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="email_preferences"
    )
    kind = models.CharField(max_length=30, choices=Kind.choices)
    frequency = models.CharField(max_length=20, choices=Frequency.choices)
    updated_at = models.DateTimeField(auto_now=True, editable=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "kind"], name="community_preference_once")
        ]

    def __str__(self) -> str:
        return f"{self.kind}: {self.frequency}"


class NotificationQuerySet(models.QuerySet):
    def unread(self) -> "NotificationQuerySet":
        return self.filter(read_at__isnull=True)

    def for_user(self, user) -> "NotificationQuerySet":
        return self.filter(user=user)


class Notification(models.Model):
    """
    One thing that happened, for one member. `event` names the event ("experience:12"): a
    member gets one notification per event, however many of their follows it matches, and a
    fan-out that runs again adds nothing.

    `email_due` says which e-mail still has to carry it (at once, or the next daily or weekly
    summary); it is emptied once an e-mail did, or when the member chose "never".
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(max_length=30, choices=Kind.choices)
    event = models.CharField(max_length=100)
    text = models.CharField(max_length=300, help_text="The line shown on the member's page.")
    detail = models.CharField(
        max_length=300, blank=True, help_text="A second line: a review's “what changed”."
    )
    url = models.CharField(max_length=300, help_text="Where the notification leads, on this site.")
    created_at = models.DateTimeField(auto_now_add=True, editable=False)
    read_at = models.DateTimeField(null=True, blank=True)
    email_due = models.CharField(
        max_length=20,
        choices=[(f.value, f.label) for f in Frequency if f != Frequency.NEVER],
        blank=True,
    )
    emailed_at = models.DateTimeField(null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["user", "event"], name="community_notified_once")
        ]
        indexes = [
            models.Index(fields=["user", "-created_at", "-id"], name="community_notif_list"),
            models.Index(
                fields=["user"],
                condition=models.Q(read_at__isnull=True),
                name="community_notif_unread",
            ),
            models.Index(
                fields=["email_due", "user"],
                condition=~models.Q(email_due=""),
                name="community_notif_email_due",
            ),
        ]

    def __str__(self) -> str:
        return f"Notification {self.pk} ({self.kind})"

    def get_absolute_url(self) -> str:
        """Opening it marks it read, then leads on; the address names nothing."""
        return reverse("community:open", kwargs={"pk": self.pk})
