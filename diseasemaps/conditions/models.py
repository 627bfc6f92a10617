"""Conditions: what members live with, and what reviewed questions are about."""

from collections import defaultdict

from django.db import models
from django.db.models import F
from django.db.models.functions import Lower
from django.urls import reverse

from diseasemaps.core.models import KeepsStoredFigures, TimeStampedModel


def index_letter_for(name: str) -> str:
    """The A–Z index's letter for a name: its first letter, or "#" for a digit or symbol."""
    first = name[:1].upper()
    return first if first.isalpha() else "#"


def display_name_for(name: str, abbreviation: str) -> str:
    """The name as the page text uses it: "Dermatofibrosarcoma Protuberans (DFSP)"."""
    return f"{name} ({abbreviation})" if abbreviation else name


class ConditionQuerySet(models.QuerySet):
    def index_letters(self) -> list[str]:
        """The letters of the A–Z index that have conditions, "#" last."""
        letters = self.order_by().values_list("index_letter", flat=True).distinct()
        return sorted(letters, key=lambda letter: (letter == "#", letter))

    def under_letter(self, letter: str) -> "ConditionQuerySet":
        return self.filter(index_letter=letter).order_by(Lower("name"))

    def with_alias_names(self) -> "ConditionQuerySet":
        return self.prefetch_related("aliases")

    def for_index(self) -> "ConditionQuerySet":
        """
        What a line of the A–Z index is made from, as plain rows: a page has many lines, so it
        loads no summary and makes no model instance per line. `index_lines()` turns a page of
        these rows into the lines themselves.
        """
        return self.values("id", "name", "slug", "abbreviation")


def index_lines(rows) -> list[dict]:
    """
    The lines of a page of the A–Z index, from `for_index()`'s rows: each its address, the name
    shown and the other names in one plain string. The other names are one query for the page
    (none for an empty page), and the addresses are built from one reversed prefix.
    """
    rows = list(rows)
    if not rows:
        return []
    aliases = defaultdict(list)
    for condition_id, name in (
        ConditionAlias.objects.filter(condition_id__in=[row["id"] for row in rows])
        .order_by(Lower("name"))
        .values_list("condition_id", "name")
    ):
        aliases[condition_id].append(name)
    before, after = reverse("pages:condition", kwargs={"slug": "slug"}).rsplit("slug", 1)
    return [
        {
            "url": f"{before}{row['slug']}{after}",
            "name": display_name_for(row["name"], row["abbreviation"]),
            "aliases": ", ".join(aliases[row["id"]]),
        }
        for row in rows
    ]


class Condition(KeepsStoredFigures, TimeStampedModel):
    """
    A medical condition, often a rare one. Questions and their reviewed answers belong to it,
    and members say they live with it.

    `member_count` is the community figure, kept by the members app (members/figures.py), whose
    rule it is: stored here so that the home page's largest communities are one indexed read.
    """

    stored_figures = ("member_count",)

    name = models.CharField(max_length=200, unique=True)
    slug = models.SlugField(
        max_length=80,
        unique=True,
        help_text="The page's address: /conditions/<slug>/. Keep it "
        "stable once published; links from elsewhere depend on it.",
    )
    abbreviation = models.CharField(
        max_length=20, blank=True, help_text="The short name readers know, e.g. DFSP."
    )
    summary = models.TextField(
        help_text="A few plain sentences saying what the condition is, shown on its page."
    )
    # Derived from the name on every save, so that one letter of the A–Z index is one indexed
    # read however many conditions there are.
    index_letter = models.CharField(max_length=1, editable=False, db_index=True, db_default="#")
    member_count = models.PositiveIntegerField(
        default=0,
        db_default=0,  # also for rows written by older code, or by old migrations
        editable=False,
        help_text="The community figure: members living with it who chose to be counted. Kept "
        "by the members' services in the transaction that changes it; `manage.py recount` "
        "rebuilds it.",
    )

    objects = ConditionQuerySet.as_manager()

    class Meta:
        ordering = [Lower("name")]
        indexes = [
            # The largest communities first (home, an empty search), read from the index.
            models.Index(fields=["-member_count", "name"], name="conditions_by_community_size"),
            # A page of one letter of the A–Z index, read in order rather than sorted.
            models.Index(F("index_letter"), Lower("name"), name="conditions_by_letter_and_name"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("pages:condition", kwargs={"slug": self.slug})

    @property
    def display_name(self) -> str:
        """The name as the page text uses it: "Dermatofibrosarcoma Protuberans (DFSP)"."""
        return display_name_for(self.name, self.abbreviation)

    @property
    def short_name(self) -> str:
        return self.abbreviation or self.name

    def save(self, *args, **kwargs) -> None:
        self.index_letter = index_letter_for(self.name)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "name" in update_fields:
            kwargs["update_fields"] = {*update_fields, "index_letter"}
        super().save(*args, **kwargs)


class ConditionAlias(models.Model):
    """Another name a reader may know the condition by, so that search finds it."""

    condition = models.ForeignKey(Condition, on_delete=models.CASCADE, related_name="aliases")
    name = models.CharField(max_length=200)

    class Meta:
        verbose_name_plural = "condition aliases"
        ordering = [Lower("name")]
        constraints = [
            models.UniqueConstraint(
                "condition", Lower("name"), name="conditions_alias_unique_per_condition"
            ),
        ]

    def __str__(self) -> str:
        return self.name
