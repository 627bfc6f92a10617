"""
First-person experiences: what living with a condition was like, told by members. They sit
beside the reviewed answer, marked as personal and not medically reviewed, and a moderator
approves them before anyone else sees them.
"""

import hashlib
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import ngettext

from diseasemaps.core.links import address
from diseasemaps.core.markdown import render_markdown
from diseasemaps.core.models import TimeStampedModel
from diseasemaps.members.models import MemberCondition
from diseasemaps.members.viewers import is_one_member

EXPERIENCE_LINK_REL = "nofollow ugc noopener noreferrer"
BODY_MIN_LENGTH = 20
BODY_MAX_LENGTH = 5_000


class Guideline(models.TextChoices):
    """
    The community guidelines, one choice per rule: a moderator rejects a post, and a member
    reports one, by naming the rule it breaks. The guidelines page shows the same list.
    """

    FIRST_PERSON = "first_person", "Share your own experience"
    PERSONAL_DATA = "personal_data", "Keep personal details private"
    NO_MEDICAL_ADVICE = "no_medical_advice", "Do not give medical advice or promise cures"
    RESPECT = "respect", "Be kind and respectful"
    NO_PROMOTION = "no_promotion", "No advertising or promotion"
    ON_TOPIC = "on_topic", "Stay on the question"


GUIDELINE_TEXT = {
    Guideline.FIRST_PERSON: (
        "Tell what happened to you, or to the person you care for: what you were offered, what "
        "you chose, how it went. Other people's stories are theirs to tell."
    ),
    Guideline.PERSONAL_DATA: (
        "Leave out names, e-mail addresses, phone numbers, addresses and anything else that "
        "could identify you, your family or your doctors."
    ),
    Guideline.NO_MEDICAL_ADVICE: (
        "Say what worked for you, not what others should do. Do not promise cures or tell "
        "anyone to stop a treatment; decisions belong with each person and their care team."
    ),
    Guideline.RESPECT: (
        "People here are living with something hard. No insults, harassment, or judgement of "
        "anyone's choices, including their doctors'."
    ),
    Guideline.NO_PROMOTION: (
        "No selling, fundraising, recruiting or links to products and services."
    ),
    Guideline.ON_TOPIC: (
        "Share on the question your experience answers, or on the condition in general."
    ),
}


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

    def visible_to(self, user) -> "ExperienceQuerySet":
        """
        Posts `user` may open: the visible ones, and their own whatever their state; a moderator
        may open every post. Members-only posts are among them: the template decides whether
        the viewer sees their text (`can_read`).
        """
        if user.is_authenticated and user.has_perm("experiences.moderate_experience"):
            return self.all()
        if user.is_authenticated:
            return self.filter(
                models.Q(status=Experience.Status.APPROVED, is_hidden=False) | models.Q(author=user)
            )
        return self.visible()

    def waiting_by(self, user) -> "ExperienceQuerySet":
        """The posts of `user` that readers cannot see yet, or see in an older version."""
        if not is_one_member(user):
            return self.none()
        return self.filter(author=user).waiting()

    def waiting(self) -> "ExperienceQuerySet":
        """Posts readers cannot see yet, or see in an older version."""
        return self.filter(
            models.Q(status=Experience.Status.PENDING)
            | models.Q(has_pending_edit=True)
            | models.Q(is_hidden=True)
        )

    def public_by(self, user) -> "ExperienceQuerySet":
        """A member's posts that their public page lists: visible, and open to everyone."""
        return (
            self.visible()
            .filter(author=user, audience=Experience.Audience.EVERYONE)
            .select_related("condition", "question__condition")
        )

    def for_display(self, *, viewer=None) -> "ExperienceQuerySet":
        """
        What a list of posts needs, fetched up front rather than per post: the relationship to
        the condition the post was written from (`written_as`), when the author made their
        relationship to it public to `viewer`, whether `viewer` found each post helpful, and
        the replies `viewer` may read under each post (`shown_replies`, one query for all).
        """
        shown_to = [MemberCondition.Visibility.EVERYONE]
        if viewer is not None and viewer.is_authenticated:
            shown_to.append(MemberCondition.Visibility.MEMBERS)
        # The author's row for the post's condition (one at most: a member has one per
        # condition), joined rather than looked up in a subquery, which PostgreSQL would plan
        # for every visible post of a question, not for the page of them it returns.
        written_from = models.FilteredRelation(
            "author__member_conditions",
            condition=models.Q(author__member_conditions__condition=models.F("condition")),
        )
        shown = models.Q(written_from__visibility__in=shown_to)
        experiences = (
            self.annotate(written_from=written_from)
            .select_related("author__member_profile")
            .prefetch_related(
                "treatments",
                models.Prefetch(
                    "replies",
                    queryset=Reply.objects.shown_to(viewer),
                    to_attr="shown_replies",
                ),
            )
            .annotate(
                author_relationship=models.Case(
                    models.When(shown, then="written_as"), default=models.Value("")
                )
            )
        )
        if is_one_member(viewer):
            experiences = experiences.annotate(
                viewer_found_helpful=models.Exists(
                    Reaction.objects.filter(experience=models.OuterRef("pk"), user=viewer)
                )
            )
        return experiences

    def sorted_by(self, sort: str) -> "ExperienceQuerySet":
        if sort == "helpful":
            return self.order_by("-helpful_count", "-created_at", "-pk")
        return self.order_by("-created_at", "-pk")

    def needing_moderation(self) -> "ExperienceQuerySet":
        """What waits for a moderator: new posts, edits of approved ones, reported ones."""
        return self.filter(
            models.Q(status=Experience.Status.PENDING)
            | models.Q(has_pending_edit=True)
            | models.Q(reports__status=Report.Status.OPEN)
        ).distinct()

    def people_count(self) -> "PeopleCount":
        """
        How many people wrote these posts, each counted once, in one query: those who wrote as
        living with the condition, and those who wrote as caring for someone with it (never
        counted among the first). A member is their account; a former member who kept their
        posts is the one random key their posts got at erasure (`former_author_key`). Posts
        whose relationship was never recorded (see experiences migration 0004) are shown but
        never counted as people.
        """
        counts = self.aggregate(**people_aggregates())
        return PeopleCount.from_aggregates(counts)


def people_aggregates() -> dict[str, models.Aggregate]:
    """The aggregates behind `ExperienceQuerySet.people_count`, also for grouped counts."""
    counts = {}
    for name, relationship in (
        ("living_with", MemberCondition.Relationship.LIVING_WITH),
        ("caring_for", MemberCondition.Relationship.CARING_FOR),
    ):
        written_as = models.Q(written_as=relationship)
        counts[f"{name}_members"] = models.Count("author", distinct=True, filter=written_as)
        counts[f"{name}_former"] = models.Count(
            "former_author_key", distinct=True, filter=written_as
        )
    counts["unattributed"] = models.Count("pk", filter=models.Q(written_as=""))
    return counts


@dataclass(frozen=True)
class PeopleCount:
    """
    The people behind a set of posts (`ExperienceQuerySet.people_count`): caregivers are
    counted in their own words, never as people with the condition.
    """

    living_with: int = 0
    caring_for: int = 0
    # Posts whose author's relationship was never recorded (experiences migration 0004):
    # shown, and mentioned when nobody else has shared, but never counted as people.
    unattributed_posts: int = 0

    @classmethod
    def from_aggregates(cls, counts: dict) -> "PeopleCount":
        return cls(
            living_with=counts["living_with_members"] + counts["living_with_former"],
            caring_for=counts["caring_for_members"] + counts["caring_for_former"],
            unattributed_posts=counts["unattributed"],
        )

    @classmethod
    def stored_on(cls, question) -> "PeopleCount":
        """The figure as stored on the question (see experiences/figures.py): no query."""
        return cls(
            living_with=question.people_living_with,
            caring_for=question.people_caring_for,
            unattributed_posts=question.unattributed_experience_count,
        )

    def __bool__(self) -> bool:
        return bool(self.living_with or self.caring_for or self.unattributed_posts)

    def sentence(self, *, condition: str, scope: str = "", site: str = "") -> str:
        """
        The figure in words, the same on the page and in its structured data: "3 people with
        DFSP, and 1 person caring for someone with it, have shared their first-person
        experience on this question at DiseaseMaps." `scope` (" on this question") and `site`
        (" at DiseaseMaps") are added where the page says them.
        """
        caring = _people(self.caring_for, "caring for someone with it")
        shared = f"shared their first-person experience{scope}"
        if not self.living_with:
            nobody = f"No one with {condition} has {shared} yet"
            if self.caring_for:
                return f"{nobody}; {caring} {_has(self.caring_for)}."
            if self.unattributed_posts:
                members = ngettext("A member has", "Members have", self.unattributed_posts)
                return f"{members} shared their experience{scope}."
            return f"{nobody}."
        living = _people(self.living_with, f"with {condition}")
        if self.caring_for:
            return f"{living}, and {caring}, have {shared}{site}."
        return f"{living} {_has(self.living_with)} {shared}{site}."


def _people(count: int, who: str) -> str:
    return ngettext("%(count)d person %(who)s", "%(count)d people %(who)s", count) % {
        "count": count,
        "who": who,
    }


def _has(count: int) -> str:
    return ngettext("has", "have", count)


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
    written_as = models.CharField(
        "author's relationship to the condition",
        max_length=20,
        choices=MemberCondition.Relationship.choices,
        blank=True,
        editable=False,
        help_text="Taken from the author's list of conditions when they shared the post, and "
        "kept when they leave: a caregiver's post never counts as someone living with it. "
        "Empty only for older posts whose author had left, or removed the condition, before "
        "it was recorded.",
    )
    former_author_key = models.UUIDField(
        null=True,
        blank=True,
        editable=False,
        help_text="Set when the author deleted their account and kept their posts: one random "
        "key for all their posts on the condition, so that they count as one person. It is "
        "linked to nothing else.",
    )
    audience = models.CharField(max_length=20, choices=Audience.choices, default=Audience.EVERYONE)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING)
    is_hidden = models.BooleanField(
        default=False, help_text="Hidden while reports about it wait for a moderator."
    )
    body = models.TextField(max_length=BODY_MAX_LENGTH)
    body_html = models.TextField(editable=False)
    has_pending_edit = models.BooleanField(
        default=False,
        help_text="The author changed an approved post; readers see the approved text until a "
        "moderator approves the change.",
    )
    pending_body = models.TextField(max_length=BODY_MAX_LENGTH, blank=True)
    pending_body_html = models.TextField(blank=True, editable=False)
    helpful_count = models.PositiveIntegerField(
        default=0,
        editable=False,
        help_text="Members who said this helped them; changed in the same transaction as them.",
    )
    treatments = models.ManyToManyField(Treatment, blank=True, related_name="experiences")
    years_since_diagnosis = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="At the time of writing."
    )
    moderator_note = models.CharField(
        max_length=300, blank=True, help_text="A short public note shown with the post."
    )
    approved_at = models.DateTimeField(null=True, blank=True, editable=False)
    submission_key = models.CharField(
        max_length=64,
        blank=True,
        editable=False,
        help_text="The random key of the share form this post came from: the same form sent "
        "twice (a retry after an error) saves one post.",
    )

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
            models.Index(
                fields=["question", "status", "is_hidden", "-helpful_count", "-created_at"],
                name="experiences_question_helpful",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["author", "submission_key"],
                condition=~models.Q(submission_key=""),
                name="experience_submitted_once",
            ),
            models.CheckConstraint(
                condition=models.Q(years_since_diagnosis__isnull=True)
                | models.Q(years_since_diagnosis__lte=120),
                name="experiences_years_since_diagnosis_plausible",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="approved") | models.Q(approved_at__isnull=False),
                name="experiences_approved_has_date",
            ),
            models.CheckConstraint(
                condition=models.Q(has_pending_edit=False) | ~models.Q(pending_body=""),
                name="experiences_pending_edit_has_text",
            ),
            models.CheckConstraint(
                condition=models.Q(author__isnull=True) | models.Q(former_author_key__isnull=True),
                name="experiences_former_author_key_only_without_author",
            ),
        ]

    def __str__(self) -> str:
        return f"Experience {self.pk} on {self.question or self.condition}"

    def get_absolute_url(self) -> str:
        # The permalink names no condition, so that a link in an e-mail reveals nothing.
        return address("experiences:detail", self.pk)  # core.links: reversed once per process

    def get_page_url(self) -> str:
        """Where the post is read in context: its question, or its condition."""
        target = self.question or self.condition
        return f"{target.get_absolute_url()}#experience-{self.pk}"

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
        self.body_html = render_experience_markdown(body)

    def set_pending_body(self, body: str) -> None:
        """Keep an edit of an approved post aside until a moderator approves it."""
        self.pending_body = body
        self.pending_body_html = render_experience_markdown(body)
        self.has_pending_edit = True

    def clear_pending_edit(self) -> None:
        self.pending_body = ""
        self.pending_body_html = ""
        self.has_pending_edit = False

    def approval_action(self, *, has_open_reports: bool) -> str | None:
        """
        What a moderator's approval would do now, as a ModerationDecision.Action: publish a new
        post, publish an edit, or keep a reported (perhaps hidden) post; None when nothing on
        the post waits for a moderator.
        """
        Action = ModerationDecision.Action
        if self.status == self.Status.PENDING:
            return Action.APPROVE
        if self.status == self.Status.APPROVED and self.has_pending_edit:
            return Action.APPROVE_EDIT
        if self.status == self.Status.APPROVED and (has_open_reports or self.is_hidden):
            return Action.KEEP
        return None

    @property
    def text_to_approve(self) -> str:
        """What approving the post publishes: the edit waiting, if any, else the post's text."""
        return self.pending_body if self.has_pending_edit else self.body

    @property
    def html_to_approve(self) -> str:
        return self.pending_body_html if self.has_pending_edit else self.body_html

    @property
    def text_fingerprint(self) -> str:
        """
        A digest of `text_to_approve`. A moderator's approval carries the digest of the text
        they read, so that text the author changed since is never approved unread.
        """
        return hashlib.sha256(self.text_to_approve.encode()).hexdigest()

    @property
    def is_members_only(self) -> bool:
        return self.audience == self.Audience.MEMBERS

    @property
    def is_visible(self) -> bool:
        return self.status == self.Status.APPROVED and not self.is_hidden


def render_experience_markdown(body: str) -> str:
    """Members' Markdown: no headings, links only to other sites and marked as user content."""
    return render_markdown(
        body, allow_headings=False, link_rel=EXPERIENCE_LINK_REL, absolute_links_only=True
    )


class Reaction(TimeStampedModel):
    """A member saying "this helped me" about a post: one per member per post."""

    experience = models.ForeignKey(Experience, on_delete=models.CASCADE, related_name="reactions")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="experience_reactions"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["experience", "user"], name="experiences_reaction_once_per_member"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} found experience {self.experience_id} helpful"


REPLY_MIN_LENGTH = 2
REPLY_MAX_LENGTH = 2_000


class ReplyQuerySet(models.QuerySet):
    def visible(self) -> "ReplyQuerySet":
        """
        Replies anyone may know exist: approved, not hidden, under a visible post. Members-only
        posts' replies are among them, as the posts are: `shown_to` leaves them out for visitors.
        """
        return self.filter(
            status=Reply.Status.APPROVED,
            is_hidden=False,
            experience__status=Experience.Status.APPROVED,
            experience__is_hidden=False,
        )

    def shown_to(self, viewer) -> "ReplyQuerySet":
        """
        The replies `viewer` reads under posts, in the order they appeared: the visible ones,
        and the viewer's own that wait for a moderator (or were hidden after reports), with a
        notice. A visitor never gets a reply under a members-only post, whose audience every
        reply inherits. The author sees their pending replies only on pages that are never
        stored for others: core.pagecache stores anonymous pages, and members' editions made
        for any member (members.viewers.ANY_MEMBER), who has no replies of their own.
        """
        shown = models.Q(status=Reply.Status.APPROVED, is_hidden=False)
        if is_one_member(viewer):
            shown |= models.Q(author=viewer) & ~models.Q(status=Reply.Status.REJECTED)
        if viewer is not None and viewer.is_authenticated:
            replies = self.filter(shown)
        else:
            replies = self.filter(shown).exclude(experience__audience=Experience.Audience.MEMBERS)
        return replies.select_related(
            "author__member_profile", "in_reply_to__author__member_profile"
        ).order_by(models.F("approved_at").asc(nulls_last=True), "created_at", "pk")

    def needing_moderation(self) -> "ReplyQuerySet":
        return self.filter(
            models.Q(status=Reply.Status.PENDING) | models.Q(reports__status=Report.Status.OPEN)
        ).distinct()


class Reply(TimeStampedModel):
    """
    A member's reply under a post ("which centre did your Mohs surgery?"), one level deep: a
    reply may name the reply it answers (`in_reply_to`, on the same post), but every reply is
    shown flat under the post, in the order they appeared. Replies follow the posts' rules
    (moderation until the author is trusted, reports, guidelines) and inherit the post's
    audience. They are conversation, not shared experience: they never count among the people
    who shared, and they are left out of the pages' structured data.
    """

    Status = Experience.Status

    experience = models.ForeignKey(Experience, on_delete=models.CASCADE, related_name="replies")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="experience_replies",
        help_text="Empty once the author has left and chose to keep their replies.",
    )
    in_reply_to = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="answers",
        help_text="The reply this one answers, on the same post; empty for a reply to the post.",
    )
    status = models.CharField(
        max_length=20, choices=Experience.Status.choices, default=Experience.Status.PENDING
    )
    is_hidden = models.BooleanField(
        default=False, help_text="Hidden while reports about it wait for a moderator."
    )
    body = models.TextField(max_length=REPLY_MAX_LENGTH)
    body_html = models.TextField(editable=False)
    approved_at = models.DateTimeField(null=True, blank=True, editable=False)
    submission_key = models.CharField(
        max_length=64,
        blank=True,
        editable=False,
        help_text="The random key of the reply form: the same form sent twice saves one reply.",
    )

    objects = ReplyQuerySet.as_manager()

    class Meta:
        ordering = ["experience", "created_at", "pk"]
        verbose_name_plural = "replies"
        indexes = [
            models.Index(
                fields=["experience", "status", "is_hidden"], name="experiences_reply_feed"
            ),
            models.Index(fields=["status", "created_at"], name="experiences_reply_queue"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["author", "submission_key"],
                condition=~models.Q(submission_key=""),
                name="experiences_reply_submitted_once",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="approved") | models.Q(approved_at__isnull=False),
                name="experiences_reply_approved_has_date",
            ),
        ]

    def __str__(self) -> str:
        return f"Reply {self.pk} to experience {self.experience_id}"

    def get_absolute_url(self) -> str:
        # The post's permalink, which names no condition, at the reply.
        return f"{self.experience.get_absolute_url()}#reply-{self.pk}"

    def clean(self) -> None:
        super().clean()
        if self.in_reply_to_id and self.in_reply_to.experience_id != self.experience_id:
            raise ValidationError({"in_reply_to": "This reply is under another post."})

    def set_body(self, body: str) -> None:
        self.body = body
        self.body_html = render_experience_markdown(body)

    def approval_action(self, *, has_open_reports: bool) -> str | None:
        """What approving would do now (a ModerationDecision.Action), or None."""
        Action = ModerationDecision.Action
        if self.status == self.Status.PENDING:
            return Action.APPROVE
        if self.status == self.Status.APPROVED and (has_open_reports or self.is_hidden):
            return Action.KEEP
        return None

    @property
    def text_fingerprint(self) -> str:
        """A digest of the text, so that a moderator never approves text changed unread."""
        return hashlib.sha256(self.body.encode()).hexdigest()

    @property
    def html_to_approve(self) -> str:
        return self.body_html

    @property
    def is_visible(self) -> bool:
        return self.status == self.Status.APPROVED and not self.is_hidden

    @property
    def is_members_only(self) -> bool:
        return self.experience.is_members_only


class ReportQuerySet(models.QuerySet):
    def open(self) -> "ReportQuerySet":
        return self.filter(status=Report.Status.OPEN)

    def queue_order(self) -> "ReportQuerySet":
        """Someone may be at risk first, then the oldest."""
        at_risk = models.Case(
            models.When(reason=Report.Reason.AT_RISK, then=models.Value(0)),
            default=models.Value(1),
        )
        return self.order_by(at_risk, "created_at", "pk")


class ReportReason(models.TextChoices):
    AT_RISK = "at_risk", "Someone may be at risk"
    PERSONAL_DATA = "personal_data", "It shares personal details"
    MEDICAL_ADVICE = "medical_advice", "It gives medical advice or promises a cure"
    DISRESPECT = "disrespect", "It is unkind or disrespectful"
    PROMOTION = "promotion", "It is advertising or spam"
    OTHER = "other", "Something else"


class ReportStatus(models.TextChoices):
    OPEN = "open", "Waiting for a moderator"
    RESOLVED = "resolved", "Resolved"


class BaseReport(TimeStampedModel):
    """What every report holds, on a post (Report) or on a reply (ReplyReport)."""

    Reason = ReportReason
    Status = ReportStatus

    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="%(app_label)s_%(class)s_set",
    )
    reason = models.CharField(max_length=20, choices=ReportReason.choices)
    details = models.TextField(blank=True, max_length=1000)
    status = models.CharField(
        max_length=20, choices=ReportStatus.choices, default=ReportStatus.OPEN
    )
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    objects = ReportQuerySet.as_manager()

    class Meta:
        abstract = True
        ordering = ["-created_at"]


class Report(BaseReport):
    """
    A member telling the moderators that a post may break the guidelines, or that its author
    may be at risk. Only moderators see reports; the author never learns who reported them.
    """

    target_field = "experience"

    experience = models.ForeignKey(Experience, on_delete=models.CASCADE, related_name="reports")
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="experience_reports",
    )

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["experience", "reporter"],
                condition=models.Q(status="open"),
                name="experiences_report_one_open_per_member",
            ),
        ]
        indexes = [models.Index(fields=["status", "reason", "created_at"], name="report_queue")]

    def __str__(self) -> str:
        return f"Report on experience {self.experience_id}: {self.get_reason_display()}"


class ReplyReport(BaseReport):
    """A member telling the moderators that a reply may break the guidelines, or worse."""

    target_field = "reply"

    reply = models.ForeignKey(Reply, on_delete=models.CASCADE, related_name="reports")
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="experience_reply_reports",
    )

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["reply", "reporter"],
                condition=models.Q(status="open"),
                name="experiences_reply_report_one_open_per_member",
            ),
        ]

    def __str__(self) -> str:
        return f"Report on reply {self.reply_id}: {self.get_reason_display()}"


class ModerationDecision(models.Model):
    """
    The record of every moderation decision: who (a moderator, or the system when reports hide
    a post), when, what, and why. Rows are only ever added.
    """

    class Action(models.TextChoices):
        APPROVE = "approve", "Approved the post"
        PUBLISH_TRUSTED = "publish_trusted", "Published a trusted member's post"
        REJECT = "reject", "Rejected the post"
        APPROVE_EDIT = "approve_edit", "Approved an edit"
        REJECT_EDIT = "reject_edit", "Rejected an edit"
        NOTE = "note", "Set the moderator's note"
        HIDE = "hide", "Hidden after reports"
        KEEP = "keep", "Kept after reports"
        SUSPEND = "suspend", "Suspended the member"
        REINSTATE = "reinstate", "Lifted the suspension"

    experience = models.ForeignKey(
        Experience,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="decisions",
        help_text="Empty once the post was deleted.",
    )
    reply = models.ForeignKey(
        "Reply",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="decisions",
        help_text="The reply the decision is about, if it is about a reply; empty once deleted.",
    )
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="moderation_decisions",
        help_text="The member the decision is about.",
    )
    moderator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="Empty when the site decided by itself (reports hid the post).",
    )
    action = models.CharField(max_length=20, choices=Action.choices)
    guideline = models.CharField(max_length=30, choices=Guideline.choices, blank=True)
    reason = models.TextField(blank=True, max_length=1000)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.get_action_display()} ({self.created_at:%Y-%m-%d %H:%M})"


class MemberStanding(TimeStampedModel):
    """
    A member's standing as an author: whether their posts appear at once (trusted) and whether
    they may post at all (suspended). Trust is computed from their approved posts since their
    last rejection (see services.is_trusted), so it is never out of step with the posts.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="experience_standing"
    )
    trust_revoked_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="The last rejection: only posts approved after it count towards trust.",
    )
    is_suspended = models.BooleanField(
        default=False, help_text="A suspended member cannot share, edit, react or report."
    )
    suspended_at = models.DateTimeField(null=True, blank=True)
    suspension_reason = models.TextField(blank=True, max_length=1000)

    class Meta:
        permissions = [("suspend_member", "Can suspend members from posting")]

    def __str__(self) -> str:
        return f"Standing of member {self.user_id}"
