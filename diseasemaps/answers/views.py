from django.conf import settings
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, render

from diseasemaps.answers.jsonld import question_jsonld, render_jsonld
from diseasemaps.answers.models import AnswerRevision, Question
from diseasemaps.core.seo import ShareMeta, absolute_url, breadcrumbs, describe
from diseasemaps.experiences.models import Experience
from diseasemaps.members.models import MemberCondition


def question_page_context(
    *, question: Question, revision: AnswerRevision, page_number: str | None
) -> dict:
    """What the question page shows, for the public page and for the admin's draft preview."""
    experiences = Experience.objects.visible().filter(question=question)
    page = Paginator(experiences.for_display(), settings.DISEASEMAPS_EXPERIENCES_PER_PAGE).get_page(
        page_number
    )
    return {
        "question": question,
        "condition": question.condition,
        "revision": revision,
        "sources": revision.sources.all(),
        "experiences_page": page,
        "people_count": experiences.people_count(),
        "member_count": MemberCondition.objects.community_size(question.condition),
        "crumbs": breadcrumbs(condition=question.condition, question=question),
    }


def question_detail(request, condition_slug: str, slug: str):
    question = get_object_or_404(
        Question.objects.published(), condition__slug=condition_slug, slug=slug
    )
    context = question_page_context(
        question=question, revision=question.live_revision, page_number=request.GET.get("page")
    )
    context["share"] = ShareMeta(
        path=question.get_absolute_url(),
        title=question.title,
        description=describe(question.live_revision.short_answer),
        og_type="article",
    )
    context["jsonld"] = render_jsonld(
        question_jsonld(
            question=question,
            revision=question.live_revision,
            absolute_url=absolute_url(question.get_absolute_url()),
        )
    )
    return render(request, "answers/question_detail.html", context)
