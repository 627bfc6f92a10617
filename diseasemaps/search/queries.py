"""
Site search, as a visitor uses it: read the query, find matching public documents, and show
each with a snippet in which the words searched for are highlighted.

Snippets are made from stored plain text: the text is escaped first and only then wrapped in
our own <mark> elements, so nothing in the content can inject markup.
"""

import re
from dataclasses import dataclass, field

from django.core.paginator import Page, Paginator
from django.db.models import Count, QuerySet, Window
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from diseasemaps.answers.models import AnswerRevision
from diseasemaps.core.paging import CountedPaginator
from diseasemaps.search.models import SearchDocument

MAX_QUERY_LENGTH = 200
SNIPPET_LENGTH = 220
# websearch syntax words that are operators, not words to look for.
OPERATORS = {"or", "and", "not"}
# Common English endings cut from a searched word before highlighting, so that "treating"
# highlights "treatment" as PostgreSQL's stemming would match it.
ENDINGS = ("ments", "ment", "ings", "ing", "ions", "ion", "ies", "es", "ed", "s")
WORD = re.compile(r"-?\w[\w'’]*", re.UNICODE)


@dataclass(frozen=True)
class SearchTerms:
    """A visitor's query: the raw text for PostgreSQL, and its words for everything else."""

    raw: str
    words: tuple[str, ...] = field(default=())
    excluded: tuple[str, ...] = field(default=())

    @classmethod
    def parse(cls, text: str) -> "SearchTerms":
        raw = " ".join(text.split())[:MAX_QUERY_LENGTH]
        words: list[str] = []
        excluded: list[str] = []
        for token in WORD.findall(raw):
            target = excluded if token.startswith("-") else words
            word = token.lstrip("-").lower()
            if len(word) > 1 and word not in OPERATORS and word not in words + excluded:
                target.append(word)
        return cls(raw=raw, words=tuple(words), excluded=tuple(excluded))

    @property
    def is_searchable(self) -> bool:
        return bool(self.words)

    def stems(self) -> list[str]:
        """The words cut to their stems, longest first, for highlighting."""
        stems = set()
        for word in self.words:
            stem = word
            for ending in ENDINGS:
                if word.endswith(ending) and len(word) - len(ending) >= 4:
                    stem = word[: -len(ending)]
                    break
            stems.add(stem)
        return sorted(stems, key=len, reverse=True)


@dataclass(frozen=True)
class SearchResult:
    kind: str
    title: str
    url: str
    condition_name: str
    snippet: SafeString
    # A question's live answer, for its review state (ReviewState); None for a condition.
    revision: AnswerRevision | None = None


def search(terms: SearchTerms, *, limit: int = 20) -> list[SearchResult]:
    """The best `limit` public documents for `terms`, each with a highlighted snippet."""
    return as_results(matching_documents(terms)[:limit], terms)


# What a result shows of its document: the condition, and a question's address and review.
SHOWN = ("condition", "question__condition", "question__live_revision")


def matching_documents(terms: SearchTerms) -> QuerySet:
    """Every public document matching `terms`, best first (nothing for a query without words)."""
    if not terms.is_searchable:
        return SearchDocument.objects.none()
    return SearchDocument.objects.matching(terms).select_related(*SHOWN)


def results_page(terms: SearchTerms, number, *, per_page: int) -> Page:
    """
    One page of the documents matching `terms`, best first, knowing how many match in all (the
    paginator's page `number`, or its last page past the end).

    Ranking scores every match anyway, so one query ranks and counts them from the documents'
    table alone, and a second reads the page's documents by id with what they show. The search
    conditions are planned once, not for a count and again for the page: at scale, the trigram
    conditions' estimates cost the planner more than running them.
    """
    try:
        number = max(int(number), 1)
    except (TypeError, ValueError):
        number = 1
    start = (number - 1) * per_page
    ranked = list(
        SearchDocument.objects.matching(terms)
        .annotate(total=Window(Count("*")))
        .values_list("pk", "total")[start : start + per_page]
    )
    if not ranked and number == 1:
        return Page([], 1, CountedPaginator([], per_page, count=0))
    if not ranked:
        # A page past the end: the paginator counts the matches and finds the last page.
        return Paginator(matching_documents(terms), per_page).get_page(number)
    documents = SearchDocument.objects.select_related(*SHOWN).in_bulk([pk for pk, _ in ranked])
    # A document removed in between (its answer withdrawn a moment ago) is left out.
    shown = [documents[pk] for pk, _ in ranked if pk in documents]
    return Page(shown, number, CountedPaginator([], per_page, count=ranked[0][1]))


def as_results(documents, terms: SearchTerms) -> list[SearchResult]:
    """Documents as the results page shows them, each with its highlighted snippet."""
    return [
        SearchResult(
            kind=document.kind,
            title=document.question.title if document.question_id else document.title,
            url=document.get_absolute_url(),
            condition_name=document.condition.display_name,
            snippet=highlight(_snippet_source(document, terms), terms),
            revision=document.question.live_revision if document.question_id else None,
        )
        for document in documents
    ]


def _snippet_source(document: SearchDocument, terms: SearchTerms) -> str:
    """The short answer, unless a searched word appears only further into the text."""
    pattern = _pattern(terms)
    if pattern is None or pattern.search(document.summary) or not document.text:
        return document.summary
    match = pattern.search(document.text)
    return document.text if match else document.summary


def _pattern(terms: SearchTerms) -> re.Pattern | None:
    stems = terms.stems()
    if not stems:
        return None
    return re.compile(r"\b(?:" + "|".join(re.escape(stem) for stem in stems) + r")\w*", re.I)


def highlight(text: str, terms: SearchTerms, *, length: int = SNIPPET_LENGTH) -> SafeString:
    """
    A window of `text` around the first searched word, escaped, with each searched word
    wrapped in <mark>. The escaping happens on every piece before any marker is added.
    """
    text = " ".join(text.split())
    pattern = _pattern(terms)
    first = pattern.search(text) if pattern else None
    start = 0
    if first and first.start() > length // 3:
        start = text.rfind(" ", 0, first.start() - length // 3) + 1
    window = text[start : start + length]
    if start + length < len(text):
        window = window[: window.rfind(" ")] if " " in window else window
    prefix = "… " if start else ""
    suffix = " …" if start + len(window) < len(text) else ""
    pieces: list[str] = []
    position = 0
    for match in pattern.finditer(window) if pattern else ():
        pieces.append(escape(window[position : match.start()]))
        pieces.append(f"<mark>{escape(match.group())}</mark>")
        position = match.end()
    pieces.append(escape(window[position:]))
    return mark_safe(prefix + "".join(pieces) + suffix)  # noqa: S308 (every piece is escaped)
