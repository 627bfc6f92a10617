"""
The site's composing pages: each shows the work of several apps below it. The condition and
question pages stand here, not in their own apps, because they show experiences and the
community figure, which stand above conditions and answers in the layers.
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import prefetch_related_objects
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.views.decorators.http import require_GET

from diseasemaps.answers import services as answers_services
from diseasemaps.answers.forms import QuestionSuggestionForm
from diseasemaps.answers.jsonld import question_jsonld
from diseasemaps.answers.models import AnswerRevision, Question
from diseasemaps.answers.views import published_question
from diseasemaps.community.services import is_following
from diseasemaps.conditions.jsonld import condition_jsonld
from diseasemaps.conditions.models import Condition
from diseasemaps.core.jsonld import render_jsonld
from diseasemaps.core.pagecache import Holes, members_edition, public_page, tag
from diseasemaps.core.ratelimit import limit_member_reads
from diseasemaps.core.seo import (
    SITE_DESCRIPTION,
    Crumb,
    ShareMeta,
    absolute_url,
    breadcrumbs,
    describe,
)
from diseasemaps.experiences import services as experiences_services
from diseasemaps.experiences.feed import ExperienceFeed
from diseasemaps.experiences.models import Experience, PeopleCount
from diseasemaps.members.models import popular_conditions
from diseasemaps.members.viewers import ANY_MEMBER
from diseasemaps.pages.editions import fill_question_page, member_parts, viewer_state


@public_page(tags=lambda: ["site"])
def home(request):
    recently_reviewed = Question.objects.recently_reviewed().for_listing()[:6]
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
    """
    A condition: its reviewed questions, its community figure (stored on the condition, see
    members/figures.py) and recent experiences.
    """
    condition = get_object_or_404(Condition.objects.with_alias_names(), slug=slug)
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
            # Members' pages are never stored: the visitor's page, which is, has no state.
            "following": is_following(user=request.user, condition=condition),
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


@login_required
def ask_question(request, slug: str):
    """
    A member suggests a question about a condition to the editors. It stands here, above the
    answers app that keeps suggestions, because a member suspended by the moderators
    (experiences) is refused, as they are from posting.
    """
    condition = get_object_or_404(Condition, slug=slug)
    here = reverse("pages:ask-question", kwargs={"slug": slug})
    context = {
        "condition": condition,
        "crumbs": [*breadcrumbs(condition=condition), Crumb("Ask a question", here)],
    }
    if experiences_services.is_suspended(request.user):
        return render(request, "answers/suggestion_suspended.html", context, status=403)
    form = QuestionSuggestionForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                answers_services.suggest_question(
                    member=request.user,
                    condition=condition,
                    text=data["text"],
                    details=data["details"],
                    submission_key=data.get("submission_key") or "",
                )
            except ValidationError as error:
                if getattr(error, "code", None) == "rate_limited":
                    status = 429
                if hasattr(error, "error_dict"):
                    for field, errors in error.message_dict.items():
                        form.add_error(field if field in form.fields else None, errors)
                else:
                    form.add_error(None, error.messages)
            except PermissionDenied as error:
                form.add_error(None, str(error))
            else:
                messages.success(
                    request,
                    "Thank you: your question is with the editors. You will find it, and "
                    "what they decide, here.",
                )
                return redirect("answers:my-suggestions")
    return render(request, "answers/suggestion_form.html", {**context, "form": form}, status=status)


def question_page_context(
    *,
    question: Question,
    revision: AnswerRevision,
    page_number: str | None,
    viewer=None,
    sort: str | None = None,
    treatment: str | None = None,
) -> dict:
    """
    What the question page shows, for the public page and for the admin's draft preview. The
    figures (how many posts, the people behind them, the community) are the ones stored on the
    question and its condition (experiences/figures.py, members/figures.py): nothing counted.
    """
    prefetch_related_objects([revision], "sources")  # read by the page and its JSON-LD
    sources = list(revision.sources.all())
    experiences = Experience.objects.visible().filter(question=question)
    feed = ExperienceFeed.from_query(condition=question.condition, sort=sort, treatment=treatment)
    listed = feed.apply(experiences).for_display(viewer=viewer)
    paginator = Paginator(listed, settings.DISEASEMAPS_EXPERIENCES_PER_PAGE)
    if not feed.is_filtered:
        paginator.count = question.visible_experience_count  # else the paginator counts
    page = paginator.get_page(page_number)
    people = PeopleCount.stored_on(question)
    return {
        "question": question,
        "condition": question.condition,
        "revision": revision,
        "sources": sources,
        "experiences_page": page,
        "experience_feed": feed,
        "people_count": people,
        "people_sentence": people.sentence(
            condition=question.condition.display_name,
            scope=" on this question",
            site=f" at {settings.DISEASEMAPS_SITE_NAME}",
        ),
        "member_count": question.condition.member_count,
        "crumbs": breadcrumbs(condition=question.condition, question=question),
    }


QUESTION_TEMPLATE = "answers/question_detail.html"


def _question_tags(condition_slug: str, slug: str) -> list[str]:
    return [tag("question", condition_slug, slug)]


@public_page(tags=_question_tags)
@limit_member_reads
def question_detail(request, condition_slug: str, slug: str):
    """
    A visitor's page is stored whole (core.pagecache). A member's is filled in from the
    members' edition, the page as every member sees it, made once per change; unless they
    have messages waiting, which show once, in a page made for them.
    """
    user = request.user
    if user.is_authenticated and not _has_messages(request):
        edition = members_edition(
            request,
            tags=_question_tags(condition_slug, slug),
            make=lambda holes: _question_members_edition(request, condition_slug, slug, holes),
        )
        if edition is not None:
            return HttpResponse(fill_question_page(request, *edition))
    question = published_question(condition_slug, slug)
    context = _question_detail_context(request, question, viewer=user)
    state = viewer_state(user, question_id=question.pk)
    context["following"] = state.following
    context["unread_notifications"] = state.unread_notifications
    context["own_waiting"] = (
        Experience.objects.filter(pk__in=state.waiting) if state.waiting else []
    )
    return render(request, QUESTION_TEMPLATE, context)


def _question_detail_context(request, question: Question, *, viewer) -> dict:
    context = question_page_context(
        question=question,
        revision=question.live_revision,
        page_number=request.GET.get("page"),
        viewer=viewer,
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
    return context


def _question_members_edition(
    request, condition_slug: str, slug: str, holes: Holes
) -> tuple[str, dict]:
    """The question page as any member sees it, with holes for each member's own parts."""
    question = published_question(condition_slug, slug)
    context = _question_detail_context(request, question, viewer=ANY_MEMBER)
    context.update(holes=holes, user=ANY_MEMBER, csrf_token=holes["csrf"], messages=(), perms=None)
    facts = {
        "question": question.pk,
        "posts": {post.pk: post.author_id for post in context["experiences_page"].object_list},
        "site_name": settings.DISEASEMAPS_SITE_NAME,
        "parts": member_parts(
            holes,
            follow={
                "follow_url": reverse("community:follow-question", args=[condition_slug, slug]),
                "unfollow_url": reverse("community:unfollow-question", args=[condition_slug, slug]),
                "what": "this question",
                "page_url": question.get_absolute_url(),
            },
        ),
    }
    return render_to_string(QUESTION_TEMPLATE, context, request=request), facts


def _has_messages(request) -> bool:
    """Messages for the member (django.contrib.messages: in a cookie, else in the session)."""
    return bool(request.COOKIES.get("messages")) or "_messages" in request.session


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
