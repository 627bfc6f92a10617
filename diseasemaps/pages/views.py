"""
The site's composing pages: each shows the work of several apps below it. The condition and
question pages stand here, not in their own apps, because they show experiences and the
community figure, which stand above conditions and answers in the layers.
"""

from django.conf import settings
from django.core.paginator import Paginator
from django.db.models import prefetch_related_objects
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.http import require_GET

from diseasemaps.answers.fragments import reviewed_answer_html
from diseasemaps.answers.jsonld import question_jsonld
from diseasemaps.answers.models import AnswerRevision, Question
from diseasemaps.answers.views import published_question
from diseasemaps.conditions.jsonld import condition_jsonld
from diseasemaps.conditions.models import Condition
from diseasemaps.core.jsonld import render_jsonld
from diseasemaps.core.pagecache import public_page, tag
from diseasemaps.core.ratelimit import limit_member_reads
from diseasemaps.core.seo import (
    SITE_DESCRIPTION,
    Crumb,
    ShareMeta,
    absolute_url,
    breadcrumbs,
    describe,
)
from diseasemaps.experiences.feed import ExperienceFeed
from diseasemaps.experiences.models import Experience
from diseasemaps.members.models import MemberCondition, popular_conditions, with_member_count


@public_page(tags=lambda: ["site"])
def home(request):
    recently_reviewed = Question.objects.recently_reviewed()[:6]
    return render(
        request,
        "pages/home.html",
        {
            "conditions": popular_conditions(8),
            "recently_reviewed": recently_reviewed,
            "hide_header_search": True,
            "share": ShareMeta(
                path=reverse("pages:home"), title="DiseaseMaps", description=SITE_DESCRIPTION
            ),
        },
    )


@public_page(tags=lambda slug: [tag("condition", slug)])
@limit_member_reads
def condition_detail(request, slug: str):
    """A condition: its reviewed questions, its community figure and recent experiences."""
    condition = get_object_or_404(
        with_member_count(Condition.objects.with_alias_names()), slug=slug
    )
    questions = Question.objects.published().filter(condition=condition)
    recent_experiences = (
        Experience.objects.visible()
        .filter(condition=condition)
        .for_display(viewer=request.user)
        .select_related("condition", "question__condition")[:5]
    )
    crumbs = breadcrumbs(condition=condition)
    return render(
        request,
        "conditions/condition_detail.html",
        {
            "condition": condition,
            "questions": questions,
            "recent_experiences": recent_experiences,
            "crumbs": crumbs,
            "share": ShareMeta(
                path=condition.get_absolute_url(),
                title=condition.display_name,
                description=describe(condition.summary),
            ),
            "jsonld": render_jsonld(condition_jsonld(condition=condition)),
        },
    )


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
    prefetch_related_objects([revision], "sources")  # read by the page and its JSON-LD
    sources = list(revision.sources.all())
    experiences = Experience.objects.visible().filter(question=question)
    feed = ExperienceFeed.from_query(condition=question.condition, sort=sort, treatment=treatment)
    listed = feed.apply(experiences).for_display(viewer=viewer)
    page = Paginator(listed, settings.DISEASEMAPS_EXPERIENCES_PER_PAGE).get_page(page_number)
    people = experiences.people_count()
    return {
        "question": question,
        "condition": question.condition,
        "revision": revision,
        "sources": sources,
        "reviewed_answer": reviewed_answer_html(
            revision=revision, question=question, sources=sources
        ),
        "experiences_page": page,
        "experience_feed": feed,
        "own_waiting": (
            list(Experience.objects.waiting_by(viewer).filter(question=question)) if viewer else []
        ),
        "people_count": people,
        "people_sentence": people.sentence(
            condition=question.condition.display_name,
            scope=" on this question",
            site=f" at {settings.DISEASEMAPS_SITE_NAME}",
        ),
        "member_count": MemberCondition.objects.community_size(question.condition),
        "crumbs": breadcrumbs(condition=question.condition, question=question),
    }


@public_page(tags=lambda condition_slug, slug: [tag("question", condition_slug, slug)])
@limit_member_reads
def question_detail(request, condition_slug: str, slug: str):
    question = published_question(condition_slug, slug)
    context = question_page_context(
        question=question,
        revision=question.live_revision,
        page_number=request.GET.get("page"),
        viewer=request.user,
        sort=request.GET.get("sort"),
        treatment=request.GET.get("treatment"),
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
            experience_people=context["people_count"],
        )
    )
    return render(request, "answers/question_detail.html", context)


@require_GET
def robots_txt(request):
    lines = [
        "User-agent: *",
        "Disallow: /admin/",
        "Disallow: /accounts/",
        "Disallow: /search/",
        "",
        f"Sitemap: {absolute_url(reverse('pages:sitemap'))}",
        "",
    ]
    return HttpResponse("\n".join(lines), content_type="text/plain; charset=utf-8")


@public_page(tags=lambda: [])
def about(request):
    return render(
        request,
        "pages/about.html",
        {
            "crumbs": breadcrumbs(here=Crumb("About", reverse("pages:about"))),
            "share": ShareMeta(
                path=reverse("pages:about"),
                title="About DiseaseMaps",
                description="What DiseaseMaps is: medically reviewed answers about living with a "
                "condition, beside the moderated first-person experiences of people who live "
                "with it.",
            ),
        },
    )


@public_page(tags=lambda: [])
def contact(request):
    return render(
        request,
        "pages/contact.html",
        {
            "crumbs": breadcrumbs(here=Crumb("Contact us", reverse("pages:contact"))),
            "share": ShareMeta(
                path=reverse("pages:contact"),
                title="Contact DiseaseMaps",
                description="How to reach the DiseaseMaps team, and the quickest way to report "
                "an error in an answer or a post that breaks the community guidelines.",
            ),
        },
    )
