from django.conf import settings
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, render

from diseasemaps.answers.jsonld import question_jsonld, render_jsonld
from diseasemaps.answers.models import AnswerRevision, Question
from diseasemaps.experiences.feed import ExperienceFeed
from diseasemaps.experiences.models import Experience
from diseasemaps.members.models import MemberCondition


def question_page_context(
    *,
    question: Question,
    revision: AnswerRevision,
    page_number: str | None,
    viewer=None,
    sort: str | None = None,
    treatment: str | None = None,
) -> dict:
    """What the question page shows, for the public page and for the admin's draft preview."""
    experiences = Experience.objects.visible().filter(question=question)
    feed = ExperienceFeed.from_query(condition=question.condition, sort=sort, treatment=treatment)
    listed = feed.apply(experiences).for_display(viewer=viewer)
    page = Paginator(listed, settings.DISEASEMAPS_EXPERIENCES_PER_PAGE).get_page(page_number)
    return {
        "question": question,
        "condition": question.condition,
        "revision": revision,
        "sources": revision.sources.all(),
        "experiences_page": page,
        "experience_feed": feed,
        "own_waiting": (
            list(Experience.objects.waiting_by(viewer).filter(question=question)) if viewer else []
        ),
        "people_count": experiences.people_count(),
        "member_count": MemberCondition.objects.community_size(question.condition),
    }


def question_detail(request, condition_slug: str, slug: str):
    question = get_object_or_404(
        Question.objects.published(), condition__slug=condition_slug, slug=slug
    )
    context = question_page_context(
        question=question,
        revision=question.live_revision,
        page_number=request.GET.get("page"),
        viewer=request.user,
        sort=request.GET.get("sort"),
        treatment=request.GET.get("treatment"),
    )
    context["jsonld"] = render_jsonld(
        question_jsonld(
            question=question,
            revision=question.live_revision,
            absolute_url=request.build_absolute_uri(question.get_absolute_url()),
            experience_people_count=context["people_count"],
        )
    )
    return render(request, "answers/question_detail.html", context)
