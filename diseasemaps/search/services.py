"""
Writes to the search index. The index holds public text only: a condition's names and summary,
and for each question with a live answer its title and that answer. It is refreshed when the
answers app announces `question_text_changed` (an answer went live, a question was renamed) and
when the conditions app announces `condition_text_changed` (a condition saved in the admin);
`manage.py rebuild_search_index` rebuilds it whole.
"""

import html

from django.contrib.postgres.search import SearchVector
from django.db import connection, transaction
from django.db.models import Q
from django.utils.html import strip_tags

from diseasemaps.answers.models import Question
from diseasemaps.conditions.models import Condition
from diseasemaps.search.models import SEARCH_CONFIG, SearchDocument

Kind = SearchDocument.Kind


def _names(condition: Condition) -> str:
    names = [condition.name, condition.abbreviation, *(a.name for a in condition.aliases.all())]
    return " ".join(name for name in names if name)


def _plain_text(body_html: str) -> str:
    return " ".join(html.unescape(strip_tags(body_html)).split())


def _store_vectors(documents) -> None:
    """Weighted vectors on PostgreSQL: names A, title B, short answer and text C."""
    if connection.vendor != "postgresql":
        return
    documents.update(
        search_vector=SearchVector("names", weight="A", config=SEARCH_CONFIG)
        + SearchVector("title", weight="B", config=SEARCH_CONFIG)
        + SearchVector("summary", "text", weight="C", config=SEARCH_CONFIG)
    )


def _index_condition_document(condition: Condition) -> None:
    SearchDocument.objects.update_or_create(
        kind=Kind.CONDITION,
        condition=condition,
        defaults={
            "title": condition.display_name,
            "names": _names(condition),
            "summary": " ".join(condition.summary.split()),
            "text": "",
        },
    )


def _index_question_document(question: Question, names: str) -> None:
    revision = question.live_revision
    SearchDocument.objects.update_or_create(
        kind=Kind.QUESTION,
        question=question,
        defaults={
            "condition": question.condition,
            "title": question.title,
            "names": names,
            "summary": revision.short_answer,
            "text": _plain_text(revision.body_html),
        },
    )


@transaction.atomic
def index_question(*, question: Question) -> None:
    """
    Bring the index up to date for one question and its condition: the question is in it with
    its live answer if it has one, and out of it if not.
    """
    condition = Condition.objects.prefetch_related("aliases").get(pk=question.condition_id)
    _index_condition_document(condition)
    published = Question.objects.published().filter(pk=question.pk).first()
    if published is None:
        SearchDocument.objects.filter(question_id=question.pk).delete()
    else:
        _index_question_document(published, _names(condition))
    _store_vectors(
        SearchDocument.objects.filter(condition=condition).filter(
            Q(kind=Kind.CONDITION) | Q(question_id=question.pk)
        )
    )


@transaction.atomic
def index_condition(*, condition: Condition) -> None:
    """Re-index a condition and every question under it (its names are part of each)."""
    condition = Condition.objects.prefetch_related("aliases").get(pk=condition.pk)
    _index_condition_document(condition)
    names = _names(condition)
    published = Question.objects.published().filter(condition=condition)
    for question in published:
        _index_question_document(question, names)
    SearchDocument.objects.filter(kind=Kind.QUESTION, condition=condition).exclude(
        question__in=published
    ).delete()
    _store_vectors(SearchDocument.objects.filter(condition=condition))


def _condition_document(condition: Condition) -> SearchDocument:
    return SearchDocument(
        kind=Kind.CONDITION,
        condition=condition,
        title=condition.display_name,
        names=_names(condition),
        summary=" ".join(condition.summary.split()),
        text="",
    )


def _question_document(question: Question, names: str) -> SearchDocument:
    revision = question.live_revision
    return SearchDocument(
        kind=Kind.QUESTION,
        question=question,
        condition_id=question.condition_id,
        title=question.title,
        names=names,
        summary=revision.short_answer,
        text=_plain_text(revision.body_html),
    )


@transaction.atomic
def rebuild_search_index() -> int:
    """
    Index everything public from scratch, in bulk (the same documents as index_condition makes
    one condition at a time); returns how many documents the index holds.
    """
    if connection.vendor == "postgresql":  # a rebuild is no request to be bounded
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL statement_timeout = 0")
    SearchDocument.objects.all().delete()
    questions: dict[int, list[Question]] = {}
    for question in Question.objects.published().order_by("pk"):
        questions.setdefault(question.condition_id, []).append(question)
    documents = []
    for condition in Condition.objects.prefetch_related("aliases").iterator(chunk_size=2000):
        documents.append(_condition_document(condition))
        names = _names(condition)
        documents.extend(_question_document(q, names) for q in questions.get(condition.pk, []))
    SearchDocument.objects.bulk_create(documents, batch_size=2000)
    _store_vectors(SearchDocument.objects.all())
    if connection.vendor == "postgresql":
        _settle_postgresql_indexes()
    return SearchDocument.objects.count()


# The GIN indexes (migrations conditions.0003 and search.0002).
GIN_INDEXES = [
    "search_searchdocument_vector_gin",
    "search_searchdocument_names_trgm",
    "search_searchdocument_title_trgm",
]


def _settle_postgresql_indexes() -> None:
    """
    After a rebuild, leave the index as searches want it, not as autovacuum would a minute later:
    a GIN index keeps new rows in a pending list that every search reads through until it is
    merged, and the planner's statistics describe the rows deleted. Both are put right here, in
    the rebuild's transaction (VACUUM cannot run in one; it is left to autovacuum).
    """
    with connection.cursor() as cursor:
        for index in GIN_INDEXES:
            cursor.execute("SELECT gin_clean_pending_list(%s::regclass)", [index])
        cursor.execute(f"ANALYZE {SearchDocument._meta.db_table}")


def reindex_question_on_change(sender, *, question: Question, **kwargs) -> None:
    """Receiver of answers' `question_text_changed`."""
    index_question(question=question)


def reindex_condition_on_change(sender, *, condition: Condition, **kwargs) -> None:
    """Receiver of conditions' `condition_text_changed`."""
    index_condition(condition=condition)
