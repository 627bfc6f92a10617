"""
The site search index: one row per condition and per question with a live answer, holding the
public text only. It stands above the content it indexes and is written by `search.services`
when the apps below announce a change (see `search.apps`).
"""

from typing import TYPE_CHECKING

from django.contrib.postgres.search import (
    SearchQuery,
    SearchRank,
    SearchVectorField,
    TrigramWordSimilarity,
)
from django.db import connections, models
from django.db.models.functions import Greatest

if TYPE_CHECKING:
    from diseasemaps.search.queries import SearchTerms

# The text search configuration: English stemming, so "treating" finds "treatment".
SEARCH_CONFIG = "english"
# Misspellings: a name or title matches when pg_trgm's word similarity to the query reaches
# pg_trgm.word_similarity_threshold (0.6 by default), through the `%>` operator, which the
# trigram indexes serve. Only the first few words are tried that way, to bound the work.
FUZZY_WORDS = 5


class SearchDocumentQuerySet(models.QuerySet):
    def matching(self, terms: "SearchTerms") -> "SearchDocumentQuerySet":
        """
        Documents that match a visitor's query, best first, each annotated with `score`.

        PostgreSQL: websearch_to_tsquery over the weighted vector, ranked, plus pg_trgm word
        similarity on names and titles so that a misspelt name still matches. Elsewhere: every
        word must appear somewhere, names above titles above text.
        """
        if connections[self.db].vendor == "postgresql":
            return self._matching_postgresql(terms)
        return self._matching_plainly(terms)

    def _matching_postgresql(self, terms: "SearchTerms") -> "SearchDocumentQuerySet":
        query = SearchQuery(terms.raw, search_type="websearch", config=SEARCH_CONFIG)
        matches = models.Q(search_vector=query)
        # Each longer word may be misspelt on its own: "dermatofibrosarkoma treatment".
        fuzzy_words = [word for word in terms.words if len(word) >= 4][:FUZZY_WORDS]
        similarities = [models.Value(0.0)]
        for word in fuzzy_words:
            matches |= models.Q(names__trigram_word_similar=word)
            matches |= models.Q(title__trigram_word_similar=word)
            similarities += [
                TrigramWordSimilarity(word, "names"),
                TrigramWordSimilarity(word, "title"),
            ]
        return (
            self.filter(matches)
            .annotate(
                rank=SearchRank(models.F("search_vector"), query),
                similarity=Greatest(*similarities, output_field=models.FloatField())
                if len(similarities) > 1
                else similarities[0],
            )
            .annotate(score=models.F("rank") + models.F("similarity"))
            .order_by("-score", "kind", "title")
        )

    def _matching_plainly(self, terms: "SearchTerms") -> "SearchDocumentQuerySet":
        if not terms.words:
            return self.none()
        queryset = self
        fields = ("names", "title", "summary", "text")
        for word in terms.words:
            queryset = queryset.filter(
                models.Q.create([(f"{name}__icontains", word) for name in fields], "OR")
            )
        for word in terms.excluded:
            for name in fields:
                queryset = queryset.exclude(**{f"{name}__icontains": word})
        first = terms.words[0]
        return queryset.annotate(
            score=models.Case(
                models.When(names__icontains=first, then=models.Value(3.0)),
                models.When(title__icontains=first, then=models.Value(2.0)),
                default=models.Value(1.0),
                output_field=models.FloatField(),
            )
        ).order_by("-score", "kind", "title")


class SearchDocument(models.Model):
    """
    What the site search reads: one row per condition and per question with a live answer,
    holding the public text only (names, title, live answer). Drafts, experiences and members
    never reach this table. Rows are written by `search.services` when content goes live.

    On PostgreSQL `search_vector` holds the weighted tsvector (names A, question title B, answer
    text C) behind a GIN index, and `names` a trigram index for misspellings; both indexes are
    made by a migration that does nothing on other databases.
    """

    class Kind(models.TextChoices):
        CONDITION = "condition", "Condition"
        QUESTION = "question", "Question"

    kind = models.CharField(max_length=20, choices=Kind.choices)
    condition = models.ForeignKey(
        "conditions.Condition", on_delete=models.CASCADE, related_name="search_documents"
    )
    question = models.OneToOneField(
        "answers.Question",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="search_document",
    )
    title = models.CharField(max_length=300)
    names = models.TextField(help_text="The condition's name, abbreviation and aliases.")
    summary = models.TextField(help_text="The short answer, or the condition's summary.")
    text = models.TextField(help_text="The live answer's text, without markup.")
    search_vector = SearchVectorField(null=True, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    objects = SearchDocumentQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["condition"],
                condition=models.Q(kind="condition"),
                name="search_searchdocument_one_per_condition",
            ),
            models.CheckConstraint(
                condition=models.Q(kind="condition", question__isnull=True)
                | models.Q(kind="question", question__isnull=False),
                name="search_searchdocument_kind_matches_question",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        """The page itself, from the live rows, so that a changed address never goes stale."""
        target = self.question if self.question_id else self.condition
        return target.get_absolute_url()
