from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache

from diseasemaps.answers import services
from diseasemaps.answers.forms import ErrorReportForm, HelpfulForm
from diseasemaps.answers.models import (
    AnswerRevision,
    Question,
    QuestionSuggestion,
    listing_lines,
)
from diseasemaps.core.pagecache import public_page, tag
from diseasemaps.core.paging import CountedPaginator
from diseasemaps.core.ratelimit import RateLimit, request_key
from diseasemaps.members.models import ReviewerProfile

# Readers' feedback: generous for a person, tight enough to keep a script out of the queue.
FEEDBACK_LIMIT = RateLimit("answer-feedback", limit=10, period=3600)
# A reviewer may stand behind thousands of answers: their page lists them in pages of this many.
REVIEWED_PER_PAGE = 25


def published_question(condition_slug: str, slug: str) -> Question:
    return get_object_or_404(
        Question.objects.published(), condition__slug=condition_slug, slug=slug
    )


@public_page(tags=lambda condition_slug, slug: [tag("question", condition_slug, slug)])
def question_history(request, condition_slug: str, slug: str):
    """Every reviewed text of an answer: when, by whom, what kind of review, what changed."""
    question = published_question(condition_slug, slug)
    return render(
        request,
        "answers/question_history.html",
        {
            "question": question,
            "condition": question.condition,
            "revisions": question.revisions.history(),
        },
    )


@public_page(tags=lambda slug: ["site"])
def reviewer_detail(request, slug: str):
    profile = get_object_or_404(ReviewerProfile.objects.select_related("user"), slug=slug)
    reviewed = CountedPaginator(
        Question.objects.published()
        .for_listing_rows()
        .filter(live_revision__reviewer=profile.user)
        .order_by("condition__name", "position", "pk"),
        REVIEWED_PER_PAGE,
        count=AnswerRevision.objects.approved_by(profile.user).count(),
    ).get_page(request.GET.get("page"))
    return render(
        request,
        "answers/reviewer_detail.html",
        {"profile": profile, "reviewed": reviewed, "lines": listing_lines(reviewed.object_list)},
    )


@public_page(tags=lambda: [])
def review_policy(request):
    return render(request, "answers/review_policy.html")


def _feedback_view(request, condition_slug: str, slug: str, *, form_class, template: str, save):
    question = published_question(condition_slug, slug)
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
    question = published_question(condition_slug, slug)
    return render(
        request,
        "answers/feedback_thanks.html",
        {"question": question, "condition": question.condition},
    )


@never_cache
@login_required
def my_suggestions(request):
    """The questions a member suggested, with what the editors decided and their note."""
    suggestions = QuestionSuggestion.objects.by(request.user)
    return render(request, "answers/my_suggestions.html", {"suggestions": suggestions})
