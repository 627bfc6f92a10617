from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import prefetch_related_objects
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache

from diseasemaps.answers import services
from diseasemaps.answers.forms import ErrorReportForm, HelpfulForm
from diseasemaps.answers.jsonld import question_jsonld, render_jsonld
from diseasemaps.answers.models import AnswerRevision, Question
from diseasemaps.core.ratelimit import RateLimit, limit_member_reads, request_key
from diseasemaps.core.seo import ShareMeta, absolute_url, breadcrumbs, describe
from diseasemaps.experiences.feed import ExperienceFeed
from diseasemaps.experiences.models import Experience
from diseasemaps.members.models import MemberCondition, ReviewerProfile

# Readers' feedback: generous for a person, tight enough to keep a script out of the queue.
FEEDBACK_LIMIT = RateLimit("answer-feedback", limit=10, period=3600)


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
        "crumbs": breadcrumbs(condition=question.condition, question=question),
    }


def _published_question(condition_slug: str, slug: str) -> Question:
    return get_object_or_404(
        Question.objects.published(), condition__slug=condition_slug, slug=slug
    )


@limit_member_reads
def question_detail(request, condition_slug: str, slug: str):
    question = _published_question(condition_slug, slug)
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
            experience_people_count=context["people_count"],
        )
    )
    return render(request, "answers/question_detail.html", context)


def question_history(request, condition_slug: str, slug: str):
    """Every reviewed text of an answer: when, by whom, what kind of review, what changed."""
    question = _published_question(condition_slug, slug)
    return render(
        request,
        "answers/question_history.html",
        {
            "question": question,
            "condition": question.condition,
            "revisions": question.revisions.history(),
        },
    )


def reviewer_detail(request, slug: str):
    profile = get_object_or_404(ReviewerProfile.objects.select_related("user"), slug=slug)
    reviewed = Question.objects.published().filter(live_revision__reviewer=profile.user)
    return render(
        request, "answers/reviewer_detail.html", {"profile": profile, "reviewed": reviewed}
    )


def review_policy(request):
    return render(request, "answers/review_policy.html")


def _feedback_view(request, condition_slug: str, slug: str, *, form_class, template: str, save):
    question = _published_question(condition_slug, slug)
    form = form_class(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        if FEEDBACK_LIMIT.hit(request_key(request)):
            form.add_error(
                None,
                "We have received a lot from you in the last hour. Please try again later; "
                "your text is kept below.",
            )
            status = 429
        else:
            try:
                save(question, form.cleaned_data)
            except ValidationError as error:
                form.add_error(None, error)
            else:
                return redirect(
                    reverse(
                        "answers:feedback-thanks",
                        kwargs={"condition_slug": condition_slug, "slug": slug},
                    )
                )
    return render(
        request,
        template,
        {"question": question, "condition": question.condition, "form": form},
        status=status,
    )


@never_cache
def feedback_helpful(request, condition_slug: str, slug: str):
    return _feedback_view(
        request,
        condition_slug,
        slug,
        form_class=HelpfulForm,
        template="answers/feedback_helpful.html",
        save=lambda question, data: services.record_helpfulness(
            question=question, is_helpful=data["is_helpful"], message=data["message"]
        ),
    )


@never_cache
def feedback_error(request, condition_slug: str, slug: str):
    return _feedback_view(
        request,
        condition_slug,
        slug,
        form_class=ErrorReportForm,
        template="answers/feedback_error.html",
        save=lambda question, data: services.report_error(
            question=question, message=data["message"]
        ),
    )


def feedback_thanks(request, condition_slug: str, slug: str):
    question = _published_question(condition_slug, slug)
    return render(
        request,
        "answers/feedback_thanks.html",
        {"question": question, "condition": question.condition},
    )
