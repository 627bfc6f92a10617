"""How a reader sorts and filters the list of posts on a question page, parsed from the URL."""

from dataclasses import dataclass, field
from urllib.parse import urlencode

from diseasemaps.conditions.models import Condition
from diseasemaps.experiences.models import ExperienceQuerySet, Treatment

SORTS = {"newest": "Newest first", "helpful": "Most helpful first"}


@dataclass
class ExperienceFeed:
    sort: str = "newest"
    treatment: Treatment | None = None
    treatments: list[Treatment] = field(default_factory=list)

    @classmethod
    def from_query(
        cls, *, condition: Condition, sort: str | None, treatment: str | None
    ) -> "ExperienceFeed":
        """Unknown values fall back to the defaults: a stale or edited link still shows posts."""
        treatments = list(condition.treatments.all())
        chosen = next((t for t in treatments if str(t.pk) == (treatment or "")), None)
        return cls(
            sort=sort if sort in SORTS else "newest", treatment=chosen, treatments=treatments
        )

    def apply(self, experiences: ExperienceQuerySet) -> ExperienceQuerySet:
        if self.treatment is not None:
            experiences = experiences.filter(treatments=self.treatment)
        return experiences.sorted_by(self.sort)

    def _query(self, *, sort: str, treatment: Treatment | None) -> str:
        parts = {}
        if sort != "newest":
            parts["sort"] = sort
        if treatment is not None:
            parts["treatment"] = treatment.pk
        return "?" + urlencode(parts) if parts else "?"

    @property
    def sort_links(self) -> list[tuple[str, str, bool]]:
        """(label, query string, is current) for each order, keeping the treatment filter."""
        return [
            (label, self._query(sort=value, treatment=self.treatment), value == self.sort)
            for value, label in SORTS.items()
        ]

    @property
    def treatment_links(self) -> list[tuple[str, str, bool]]:
        """(label, query string, is current) for "any treatment" and each one, keeping the sort."""
        links = [("Any treatment", self._query(sort=self.sort, treatment=None), not self.treatment)]
        links += [
            (t.name, self._query(sort=self.sort, treatment=t), t == self.treatment)
            for t in self.treatments
        ]
        return links

    @property
    def query(self) -> str:
        """The sort and filter as a query-string prefix, for the pagination links."""
        parts = []
        if self.sort != "newest":
            parts.append(f"sort={self.sort}")
        if self.treatment is not None:
            parts.append(f"treatment={self.treatment.pk}")
        return "".join(f"{part}&" for part in parts)

    @property
    def is_filtered(self) -> bool:
        return self.treatment is not None
