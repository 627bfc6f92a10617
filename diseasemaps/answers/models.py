"""
Questions and their medically reviewed answers.

An answer's content lives only in revisions. A revision is written as a draft, reviewed, and
approved; the question then points at it as its live revision. Editing a live answer makes a new
draft, so the page keeps the approved text until a reviewer approves the new one, and every text
a visitor ever saw stays on record with who reviewed it and when.
"""

import datetime
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import (
    MaxValueValidator,
    MinValueValidator,
    RegexValidator,
    URLValidator,
)
from django.db import models
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from diseasemaps.core.markdown import link_targets, render_markdown
from diseasemaps.core.models import KeepsStoredFigures, TimeStampedModel


def validate_markdown_links(text: str) -> None:
    """
    Refuse a link or image that is not an absolute http or https address, naming it, so that
    the writer can fix it rather than see it silently disappear from the page.
    """
    bad = [
        target
        for target in link_targets(text)
        if urlsplit(target).scheme.lower() not in ("http", "https") or not urlsplit(target).netloc
    ]
    if bad:
        raise ValidationError(
            "Links must be full http:// or https:// addresses. Fix or remove: %(links)s",
            code="link_scheme",
            params={"links": ", ".join(bad[:5])},
        )


class ReviewState(models.TextChoices):
    """
    What readers are told about an answer's medical review. Every label that speaks of the
    review (the question page's label and badge, the home page, condition, reviewer and search
    lists) comes from this: `AnswerRevision.review_state` for one answer, the `review_current()`
    and `review_overdue()` QuerySet methods for lists, both from the rule in `_review_overdue`.
    So no page can call an answer whose review is overdue freshly reviewed.
    """

    REVIEWED = "reviewed", "Medically reviewed"
    OVERDUE = "overdue", "Review overdue"
    NOT_REVIEWED = "not_reviewed", "Not yet medically reviewed"


def _review_overdue(today: datetime.date, *, via: str = "") -> models.Q:
    """The rule, in SQL: the next full review was due before `today` (a due date holds all day)."""
    return models.Q(**{f"{via}next_review_on__lt": today})


class QuestionQuerySet(models.QuerySet):
    def published(self) -> "QuestionQuerySet":
        """Questions with an approved, live answer: the only ones a visitor may see."""
        return self.filter(
            live_revision__isnull=False, live_revision__state=AnswerRevision.State.APPROVED
        ).select_related("condition", "live_revision", "live_revision__reviewer__reviewer_profile")

    def review_current(self, *, today: datetime.date | None = None) -> "QuestionQuerySet":
        """Published questions whose answer's medical review still holds (ReviewState.REVIEWED)."""
        today = today or timezone.localdate()
        return self.published().exclude(_review_overdue(today, via="live_revision__"))

    def review_overdue(self, *, today: datetime.date | None = None) -> "QuestionQuerySet":
        """Published questions whose answer is past its next review (ReviewState.OVERDUE)."""
        today = today or timezone.localdate()
        return self.published().filter(_review_overdue(today, via="live_revision__"))

    def recently_reviewed(self, *, today: datetime.date | None = None) -> "QuestionQuerySet":
        """
        Answers whose review holds, the most recently medically reviewed first: read in that
        order from the index on the live revisions' review dates
        (`answers_live_by_reviewed_on`), not sorted from all of them.
        """
        return self.review_current(today=today).order_by("-live_revision__reviewed_on", "title")

    def for_listing(self) -> "QuestionQuerySet":
        """
        Only what a list of questions shows (the home page, a reviewer's page): the title and
        address, the condition's short name and the answer's review state. A list reads many
        rows, so it loads neither the answer's text nor its reviewer.
        """
        return (
            self.select_related(None)
            .select_related("condition", "live_revision")
            .only(
                "title",
                "slug",
                "condition__slug",
                "condition__name",
                "condition__abbreviation",
                "live_revision__state",
                "live_revision__reviewed_on",
                "live_revision__next_review_on",
            )
        )

    def for_listing_rows(self) -> "QuestionQuerySet":
        """`for_listing()` as plain rows, for `listing_lines()`: no model instance per line."""
        return self.values(
            "title",
            "slug",
            "condition__slug",
            "condition__name",
            "condition__abbreviation",
            "live_revision__state",
            "live_revision__reviewed_on",
            "live_revision__next_review_on",
        )


class Question(KeepsStoredFigures, TimeStampedModel):
    """
    A question readers ask about a condition, answered by a reviewed revision.

    The figures of its members' posts (how many are visible, and the people behind them) are
    kept by the experiences app (experiences/figures.py), whose rule they are: stored here so
    that the question page reads them with the question, whatever the number of posts.
    """

    stored_figures = (
        "visible_experience_count",
        "people_living_with",
        "people_caring_for",
        "unattributed_experience_count",
    )

    condition = models.ForeignKey(
        "conditions.Condition", on_delete=models.PROTECT, related_name="questions"
    )
    title = models.CharField(
        max_length=250, help_text="The question as a reader would ask it, ending with '?'."
    )
    slug = models.SlugField(
        max_length=100,
        help_text="The page's address under its condition. Keep it stable once published.",
    )
    position = models.PositiveIntegerField(
        default=0, help_text="Order of the question on its condition's page (lowest first)."
    )
    review_interval_months = models.PositiveSmallIntegerField(
        "review interval (months)",
        default=12,
        validators=[MinValueValidator(1), MaxValueValidator(36)],
        help_text="How long a full medical review of this answer holds before the next one is "
        "due. Fast-moving topics may need a shorter interval.",
    )
    live_revision = models.ForeignKey(
        "AnswerRevision",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
        help_text="The approved revision visitors read. Set only by approving a revision.",
    )
    # Kept by experiences/figures.py in the transaction that changes the posts behind them;
    # db_default too, for rows written by older code during a deploy and by old migrations.
    visible_experience_count = models.PositiveIntegerField(
        default=0,
        db_default=0,
        editable=False,
        help_text="Members' posts readers can see on the question.",
    )
    people_living_with = models.PositiveIntegerField(
        default=0,
        db_default=0,
        editable=False,
        help_text="People living with the condition behind those posts, each counted once.",
    )
    people_caring_for = models.PositiveIntegerField(
        default=0,
        db_default=0,
        editable=False,
        help_text="People caring for someone with it behind those posts, each counted once.",
    )
    unattributed_experience_count = models.PositiveIntegerField(
        default=0,
        db_default=0,
        editable=False,
        help_text="Visible posts whose author's relationship was never recorded.",
    )

    objects = QuestionQuerySet.as_manager()

    class Meta:
        ordering = ["condition", "position", "title"]
        constraints = [
            models.UniqueConstraint(
                fields=["condition", "slug"], name="answers_question_slug_unique_per_condition"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse(
            "pages:question", kwargs={"condition_slug": self.condition.slug, "slug": self.slug}
        )


class AnswerRevisionQuerySet(models.QuerySet):
    def open(self) -> "AnswerRevisionQuerySet":
        return self.filter(state__in=AnswerRevision.OPEN_STATES)

    def live(self) -> "AnswerRevisionQuerySet":
        """Revisions visitors read now: approved and still their question's live revision."""
        return self.filter(state=AnswerRevision.State.APPROVED, question__live_revision=F("pk"))

    def approved_by(self, reviewer) -> "AnswerRevisionQuerySet":
        """
        The live revisions whose latest review `reviewer` signed, read from the index
        `answers_live_by_reviewer` alone: a reviewer's page counts them without joining the
        questions. Approved revisions are exactly the live ones, because approving a revision
        marks the one it replaces superseded in the same transaction (`approve_revision`), no
        one edits a revision's state by hand, and a revision goes only with its question.
        """
        return self.filter(state=AnswerRevision.State.APPROVED, reviewer=reviewer)

    def overdue(self, *, today: datetime.date) -> "AnswerRevisionQuerySet":
        """Live answers whose next full review date has passed (ReviewState.OVERDUE)."""
        return self.live().filter(_review_overdue(today))

    def due_for_review(
        self, *, today: datetime.date, within_days: int = 30
    ) -> "AnswerRevisionQuerySet":
        """Live answers whose next full review falls due within `within_days`, not yet overdue."""
        return self.live().filter(
            next_review_on__gte=today,
            next_review_on__lte=today + datetime.timedelta(days=within_days),
        )

    def awaiting_review_by(self, user) -> "AnswerRevisionQuerySet":
        """Revisions in review that `user` may approve: all but those they wrote or edited."""
        edited = RevisionEvent.objects.edits().filter(actor=user).values("revision")
        return (
            self.filter(state=AnswerRevision.State.IN_REVIEW)
            .exclude(author=user)
            .exclude(pk__in=edited)
        )

    def history(self) -> "AnswerRevisionQuerySet":
        """Every text visitors have read, newest first, with its reviewer's public profile."""
        return (
            self.filter(state__in=[AnswerRevision.State.APPROVED, AnswerRevision.State.SUPERSEDED])
            .select_related("reviewer__reviewer_profile")
            .order_by("-approved_at", "-number")
        )


class AnswerRevision(TimeStampedModel):
    """
    One version of a question's answer. Content is never edited once approved: a change is a
    new revision `based_on` the live one, so a draft approved after someone else's change went
    live would silently undo it; such a stale draft cannot be approved.
    """

    class State(models.TextChoices):
        DRAFT = "draft", "Draft"
        IN_REVIEW = "in_review", "In review"
        CHANGES_REQUESTED = "changes_requested", "Changes requested"
        APPROVED = "approved", "Approved"
        SUPERSEDED = "superseded", "Superseded"
        DISCARDED = "discarded", "Discarded"

    class ReviewKind(models.TextChoices):
        FULL = "full", "Full medical review"
        EDITORIAL = "editorial", "Editorial change"

    OPEN_STATES = (State.DRAFT, State.IN_REVIEW, State.CHANGES_REQUESTED)

    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="revisions")
    number = models.PositiveIntegerField(
        editable=False, help_text="1 for a question's first revision, then 2, 3 …"
    )
    version = models.PositiveIntegerField(
        default=1,
        editable=False,
        help_text="Raised on every save of a draft, so that two editors cannot overwrite "
        "each other's work.",
    )
    state = models.CharField(max_length=20, choices=State.choices, default=State.DRAFT)
    based_on = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="The live revision this draft was written from.",
    )
    short_answer = models.TextField(
        max_length=1000, help_text="Two or three sentences that answer the question directly."
    )
    body = models.TextField(
        max_length=30_000,
        validators=[validate_markdown_links],
        help_text="The full answer in Markdown: paragraphs, lists, emphasis, links and "
        "headings (## to ####). Cite a source by its number in the list: [1], [2] …",
    )
    body_html = models.TextField(editable=False, help_text="`body` rendered and sanitized.")
    change_summary = models.CharField(
        max_length=300, blank=True, help_text="What changed and why, for the review history."
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="authored_revisions",
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="reviewed_revisions",
        help_text="The medical reviewer who approved this revision.",
    )
    review_kind = models.CharField(max_length=20, choices=ReviewKind.choices, blank=True)
    approved_at = models.DateTimeField(null=True, blank=True, editable=False)
    reviewed_on = models.DateField(
        "medically reviewed on", null=True, blank=True, help_text="Date of the last full review."
    )
    updated_on = models.DateField(
        "last updated", null=True, blank=True, help_text="Date the live text last changed."
    )
    next_review_on = models.DateField("next review due", null=True, blank=True)

    objects = AnswerRevisionQuerySet.as_manager()

    class Meta:
        ordering = ["question", "-number"]
        permissions = [("review_answerrevision", "Can review and approve answer revisions")]
        indexes = [
            # Approved revisions are the live ones, each with a review date. The home page's
            # most recently reviewed answers are read from the first in order; a reviewer's
            # page counts theirs from the second alone (`AnswerRevisionQuerySet.approved_by`).
            models.Index(
                fields=["-reviewed_on"],
                condition=models.Q(state="approved"),
                name="answers_live_by_reviewed_on",
            ),
            models.Index(
                fields=["reviewer", "id"],
                condition=models.Q(state="approved"),
                name="answers_live_by_reviewer",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["question", "number"], name="answers_revision_number_unique"
            ),
            models.UniqueConstraint(
                fields=["question"],
                condition=models.Q(state__in=["draft", "in_review", "changes_requested"]),
                name="answers_revision_one_open_draft",
                violation_error_message="This answer already has an open draft.",
            ),
            models.CheckConstraint(
                condition=~models.Q(state__in=["approved", "superseded"])
                | models.Q(
                    reviewer__isnull=False,
                    approved_at__isnull=False,
                    reviewed_on__isnull=False,
                    updated_on__isnull=False,
                ),
                name="answers_revision_approved_has_review",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.question} · revision {self.number} ({self.get_state_display()})"

    def set_body(self, body: str) -> None:
        """Set the Markdown body and the sanitized HTML made from it, once, here."""
        self.body = body
        self.body_html = render_markdown(body, citations=True)

    @property
    def is_open(self) -> bool:
        return self.state in self.OPEN_STATES

    @property
    def is_live(self) -> bool:
        return self.state == self.State.APPROVED

    def review_state_on(self, day: datetime.date) -> ReviewState:
        """
        What readers are told about this revision's review on `day`: not reviewed until a
        reviewer approves it (a draft in preview); overdue once its next review date has passed
        (the same rule as `_review_overdue`); medically reviewed otherwise.
        """
        return review_state_for(self.state, self.reviewed_on, self.next_review_on, day)

    @property
    def review_state(self) -> ReviewState:
        return self.review_state_on(timezone.localdate())

    @property
    def is_medically_reviewed(self) -> bool:
        """Reviewed and not overdue: only then may a page call the answer medically reviewed."""
        return self.review_state == ReviewState.REVIEWED

    @property
    def is_review_overdue(self) -> bool:
        """The next full review date has passed: every label says so until a reviewer acts."""
        return self.review_state == ReviewState.OVERDUE


class RevisionEventQuerySet(models.QuerySet):
    def edits(self) -> "RevisionEventQuerySet":
        """Saves of a draft's text, recorded as a move from a state to the same state."""
        return self.filter(from_state=F("to_state"))


class RevisionEvent(models.Model):
    """
    One move of a revision through the review workflow: who, when, from, to, and why.

    An edit of the text is a move from a state to the same state. Consecutive saves by one
    person while the revision stays in one state are one edit event, counted in `save_count`
    from `created_at` (the first save) to `last_saved_at`: the history says who changed the text
    between two moves, not how often they pressed "Save".
    """

    revision = models.ForeignKey(AnswerRevision, on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    from_state = models.CharField(max_length=20, choices=AnswerRevision.State.choices, blank=True)
    to_state = models.CharField(max_length=20, choices=AnswerRevision.State.choices)
    note = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    save_count = models.PositiveIntegerField(
        "saves",
        default=1,
        editable=False,
        help_text="For an edit: how many saves in a row by this person it stands for.",
    )
    last_saved_at = models.DateTimeField(
        "last save",
        null=True,
        blank=True,
        editable=False,
        help_text="For an edit: when this person last saved the text.",
    )

    objects = RevisionEventQuerySet.as_manager()

    class Meta:
        ordering = ["revision", "created_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(save_count__gte=1)
                & (models.Q(save_count=1) | models.Q(from_state=F("to_state"))),
                name="answers_event_only_edits_repeat",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.revision}: {self.from_state or '—'} → {self.to_state}"

    @property
    def is_edit(self) -> bool:
        return self.from_state == self.to_state


# A quote or angle bracket can end the HTML attribute or the Markdown link an address is written
# in. RFC 3986 allows none of them unencoded but the apostrophe, which works as well as %27.
URL_FORBIDDEN_CHARACTERS = "\"'<>`"


def review_state_for(
    state: str,
    reviewed_on: datetime.date | None,
    next_review_on: datetime.date | None,
    day: datetime.date,
) -> ReviewState:
    """`AnswerRevision.review_state_on()` for a revision read as a plain row."""
    if state not in (AnswerRevision.State.APPROVED, AnswerRevision.State.SUPERSEDED):
        return ReviewState.NOT_REVIEWED
    if not reviewed_on:
        return ReviewState.NOT_REVIEWED
    if next_review_on is not None and next_review_on < day:
        return ReviewState.OVERDUE
    return ReviewState.REVIEWED


def listing_lines(rows) -> list[dict]:
    """
    The lines of a long list of questions (a reviewer's page), from `for_listing_rows()`'s
    rows: each its address, built from one reversed pattern, the title, the condition's short
    name, and its answer's review state as `_review_state.html` reads it from a revision.
    """
    url = reverse("pages:question", kwargs={"condition_slug": "CONDITION", "slug": "QUESTION"})
    before, rest = url.rsplit("CONDITION", 1)
    between, after = rest.rsplit("QUESTION", 1)
    today = timezone.localdate()
    return [
        {
            "url": f"{before}{row['condition__slug']}{between}{row['slug']}{after}",
            "title": row["title"],
            "condition_short_name": row["condition__abbreviation"] or row["condition__name"],
            "revision": {
                "review_state": review_state_for(
                    row["live_revision__state"],
                    row["live_revision__reviewed_on"],
                    row["live_revision__next_review_on"],
                    today,
                ),
                "reviewed_on": row["live_revision__reviewed_on"],
            },
        }
        for row in rows
    ]


def validate_http_url(value: str) -> None:
    """An absolute http or https address with no quote or angle bracket in it."""
    found = sorted({char for char in value if char in URL_FORBIDDEN_CHARACTERS})
    if found:
        raise ValidationError(
            "A link cannot contain quotes or angle brackets (found %(found)s). If the address "
            "really has one, write it percent-encoded: %%22 for \", %%27 for ', %%3C for <, "
            "%%3E for >, %%60 for `.",
            code="url_characters",
            params={"found": " ".join(found)},
        )
    URLValidator(schemes=["http", "https"])(value)


def url_has_no_forbidden_characters() -> models.Q:
    """The database's copy of validate_http_url's character rule."""
    condition = models.Q()
    for char in URL_FORBIDDEN_CHARACTERS:
        condition &= ~models.Q(url__contains=char)
    return condition


class Source(models.Model):
    """A reference that a revision's text rests on, shown numbered under the answer."""

    revision = models.ForeignKey(AnswerRevision, on_delete=models.CASCADE, related_name="sources")
    position = models.PositiveSmallIntegerField(
        default=1,
        help_text="Its place in the list (lowest first). The text cites the first source in the "
        "list as [1], the second as [2] …",
    )
    authors = models.CharField(
        max_length=500,
        blank=True,
        help_text="As the publication lists them, Vancouver style: “Saiag P, Lebbe C, "
        "Brochez L, et al” (the first six, then et al).",
    )
    title = models.CharField(max_length=300)
    publisher = models.CharField(max_length=200, blank=True, help_text="Journal or organisation.")
    year = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1800), MaxValueValidator(2100)]
    )
    url = models.URLField("link", blank=True, max_length=500, validators=[validate_http_url])
    doi = models.CharField(
        "DOI",
        max_length=200,
        blank=True,
        validators=[RegexValidator(r"^10\.\d{4,9}/\S+$", "Enter a DOI such as 10.1000/xyz123.")],
    )
    pubmed_id = models.CharField(
        "PubMed ID",
        max_length=12,
        blank=True,
        validators=[RegexValidator(r"^\d{1,12}$", "A PubMed ID is a number.")],
    )

    class Meta:
        ordering = ["revision", "position", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=url_has_no_forbidden_characters(),
                name="answers_source_url_no_quotes_or_brackets",
                violation_error_message="A link cannot contain quotes or angle brackets.",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        # The list adds the full stop after the authors.
        self.authors = self.authors.strip().rstrip(".").strip()


class AnswerFeedbackQuerySet(models.QuerySet):
    def unresolved(self) -> "AnswerFeedbackQuerySet":
        return self.filter(resolved_at__isnull=True)


class AnswerFeedback(models.Model):
    """
    What a reader told us about an answer: whether it helped, or an error they found. Readers
    are anonymous here on purpose: no account, address or IP is stored with it, since which
    answers a person reads can say which condition they live with.
    """

    class Kind(models.TextChoices):
        HELPFUL = "helpful", "Helpfulness"
        ERROR = "error", "Error report"

    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="feedback")
    revision = models.ForeignKey(
        AnswerRevision,
        on_delete=models.SET_NULL,
        null=True,
        related_name="feedback",
        help_text="The revision the reader was reading.",
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    is_helpful = models.BooleanField("helpful", null=True, blank=True)
    message = models.TextField(blank=True, max_length=2000)
    created_at = models.DateTimeField(auto_now_add=True)
    resolved_at = models.DateTimeField(null=True, blank=True, editable=False)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    resolution_note = models.TextField(blank=True, max_length=2000)

    objects = AnswerFeedbackQuerySet.as_manager()

    class Meta:
        verbose_name = "reader feedback"
        verbose_name_plural = "reader feedback"
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["resolved_at", "-created_at"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind="error", is_helpful__isnull=True)
                | models.Q(kind="helpful", is_helpful__isnull=False),
                name="answers_feedback_kind_matches_fields",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on {self.question}"

    @property
    def is_resolved(self) -> bool:
        return self.resolved_at is not None


class QuestionSuggestionQuerySet(models.QuerySet):
    def by(self, member) -> "QuestionSuggestionQuerySet":
        """A member's own suggestions, newest first: the only way a member reads any."""
        return (
            self.filter(member=member)
            .select_related("condition", "question__condition", "question__live_revision")
            .order_by("-created_at", "-pk")
        )

    def open(self) -> "QuestionSuggestionQuerySet":
        """What the editors still have to handle: new, or planned and not yet answered."""
        return self.filter(
            status__in=[QuestionSuggestion.Status.NEW, QuestionSuggestion.Status.PLANNED]
        )

    def with_duplicates(self) -> "QuestionSuggestionQuerySet":
        """These suggestions and every suggestion merged into one of them."""
        return QuestionSuggestion.objects.filter(
            models.Q(pk__in=self.values("pk")) | models.Q(duplicate_of__in=self.values("pk"))
        )


class QuestionSuggestion(TimeStampedModel):
    """
    A question a member asked the editors to answer about a condition. Private: only the member
    who asked and the editors ever read it, and its text is never published. What the public
    reads is the Question the editors write from it (`question`), in their own words, once a
    medical reviewer has approved its answer.

    Suggestions that ask the same thing are merged: each duplicate points at the one suggestion
    the editors keep (`duplicate_of`, never itself a duplicate) and follows its outcome (its
    status and question), so every member who asked hears when it is answered.
    """

    TEXT_MAX_LENGTH = 200
    DETAILS_MAX_LENGTH = 2000
    NOTE_MAX_LENGTH = 2000

    class Status(models.TextChoices):
        NEW = "new", "New"
        PLANNED = "planned", "Planned"
        MERGED = "merged", "Merged with a similar question"
        ANSWERED = "answered", "Answered"
        DECLINED = "declined", "Declined"

    condition = models.ForeignKey(
        "conditions.Condition", on_delete=models.PROTECT, related_name="question_suggestions"
    )
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="question_suggestions",
        help_text="The member who asked. Never shown to editors: they need the question, not "
        "the person.",
    )
    text = models.CharField("question", max_length=TEXT_MAX_LENGTH)
    details = models.TextField(
        blank=True,
        max_length=DETAILS_MAX_LENGTH,
        help_text="What the member added to explain their question.",
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.NEW)
    duplicate_of = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="duplicates",
        help_text="The suggestion this one was merged into; it follows that one's outcome.",
    )
    question = models.ForeignKey(
        Question,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="suggestions",
        help_text="The question the editors made of it; the member hears when its reviewed "
        "answer is live.",
    )
    note_to_member = models.TextField(
        "note to the member",
        blank=True,
        max_length=NOTE_MAX_LENGTH,
        help_text="Shown to the member who asked, on their account. Never public.",
    )
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        help_text="The editor who last changed its status, merged, linked or wrote the note.",
    )
    handled_at = models.DateTimeField(null=True, blank=True, editable=False)
    answered_at = models.DateTimeField(null=True, blank=True, editable=False)
    # The form's random key: the same form sent twice saves one suggestion.
    submission_key = models.CharField(max_length=64, blank=True, editable=False)

    objects = QuestionSuggestionQuerySet.as_manager()

    class Meta:
        verbose_name = "suggested question"
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["status", "-created_at"])]
        constraints = [
            models.UniqueConstraint(
                fields=["member", "submission_key"],
                condition=~models.Q(submission_key=""),
                name="answers_suggestion_submission_key_unique",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="merged") | models.Q(duplicate_of__isnull=False),
                name="answers_suggestion_merged_has_target",
                violation_error_message="A merged suggestion names the one it was merged into.",
            ),
        ]

    def __str__(self) -> str:
        return self.text

    @property
    def is_merged(self) -> bool:
        return self.duplicate_of_id is not None
