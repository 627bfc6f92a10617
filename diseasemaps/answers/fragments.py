"""
The reviewed answer's block (its review badge, its text and its numbered sources), rendered
once per live revision and kept in the shared cache, so that a logged-in member, who never gets
a stored page, does not pay for it on every request. It is public reviewed text, the same for
every reader: nothing personal is in it.

The key names everything the block shows that can change: the revision and its version (an
approved revision's text never changes, see AnswerRevision), its review state today (an answer
becomes overdue at midnight), its reviewer's public profile as last saved, the question's
address (the history link), and every field of its sources (a live revision's sources can be
corrected). A change to any of them makes a new key; the old block expires unused.
"""

import hashlib

from django.conf import settings
from django.core.cache import caches
from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe

from diseasemaps.answers.models import AnswerRevision, Question, Source

TEMPLATE = "answers/_reviewed_answer.html"
KEEP_SECONDS = 24 * 60 * 60
SOURCE_FIELDS = [
    "pk",
    "position",
    "authors",
    "title",
    "publisher",
    "year",
    "url",
    "doi",
    "pubmed_id",
]


def _key(revision: AnswerRevision, question: Question, sources: list[Source]) -> str:
    profile = getattr(revision.reviewer, "reviewer_profile", None) if revision.reviewer else None
    parts = [
        revision.pk,
        revision.version,
        revision.review_state.value,
        profile.pk if profile else "",
        profile.updated_at.isoformat() if profile else "",
        question.condition.slug,
        question.slug,
        *(getattr(source, name) for source in sources for name in SOURCE_FIELDS),
    ]
    digest = hashlib.sha256(repr(parts).encode()).hexdigest()[:32]
    return f"answers:reviewed-answer:{revision.pk}:{digest}"


def reviewed_answer_html(
    *, revision: AnswerRevision, question: Question, sources: list[Source]
) -> SafeString:
    """The block for `revision`: from the shared cache when the revision is approved."""
    context = {"revision": revision, "question": question, "sources": sources}
    if revision.state != AnswerRevision.State.APPROVED:  # a draft in the admin's preview
        return render_to_string(TEMPLATE, context)
    cache = caches[settings.DISEASEMAPS_PAGE_CACHE]
    key = _key(revision, question, sources)
    html = cache.get(key)
    if html is None:
        html = render_to_string(TEMPLATE, context)
        cache.set(key, str(html), timeout=KEEP_SECONDS)
    return mark_safe(html)  # noqa: S308 (our own template's output, as rendered)
