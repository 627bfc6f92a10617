from django.core.paginator import Paginator
from django.db.models import F
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET

from diseasemaps.answers.models import Question
from diseasemaps.conditions.models import Condition
from diseasemaps.conditions.search import as_results, matching_documents
from diseasemaps.core.forms import SearchForm
from diseasemaps.core.ratelimit import RateLimit, request_key
from diseasemaps.core.seo import SITE_DESCRIPTION, Crumb, ShareMeta, absolute_url, breadcrumbs

SEARCH_RESULTS = 20
# Generous for a person, a brake on a script hammering the database.
SEARCH_LIMIT = RateLimit("search", limit=60, period=60)


def _popular_conditions(limit: int):
    return Condition.objects.with_member_count().order_by("-member_count", "name")[:limit]


def home(request):
    recently_reviewed = Question.objects.published().order_by(
        F("live_revision__updated_on").desc(nulls_last=True), "title"
    )[:6]
    return render(
        request,
        "core/home.html",
        {
            "conditions": _popular_conditions(8),
            "recently_reviewed": recently_reviewed,
            "hide_header_search": True,
            "share": ShareMeta(
                path=reverse("core:home"), title="DiseaseMaps", description=SITE_DESCRIPTION
            ),
        },
    )


def search(request):
    """
    Site search over conditions, questions and live answers. Never an error: an empty, too
    long or meaningless query gets the page with advice instead of results.
    """
    form = SearchForm(request.GET)
    terms = form.terms() if form.is_valid() else None
    too_many = bool(terms and terms.is_searchable and SEARCH_LIMIT.hit(request_key(request)))
    page = None
    results = []
    if terms and terms.is_searchable and not too_many:
        page = Paginator(matching_documents(terms), SEARCH_RESULTS).get_page(
            request.GET.get("page")
        )
        results = as_results(page.object_list, terms)
    crumbs = breadcrumbs(here=Crumb("Search", reverse("core:search")))
    return render(
        request,
        "core/search.html",
        {
            "form": form,
            "terms": terms,
            "typed": form.data.get("q", ""),
            "results": results,
            "page": page,
            "popular_conditions": [] if results else _popular_conditions(5),
            "crumbs": crumbs,
            "hide_header_search": True,
            "too_many": too_many,
        },
        status=429 if too_many else 200,
    )


@require_GET
def robots_txt(request):
    lines = [
        "User-agent: *",
        "Disallow: /admin/",
        "Disallow: /accounts/",
        "Disallow: /search/",
        "",
        f"Sitemap: {absolute_url(reverse('core:sitemap'))}",
        "",
    ]
    return HttpResponse("\n".join(lines), content_type="text/plain; charset=utf-8")


def about(request):
    return render(
        request,
        "core/about.html",
        {
            "crumbs": breadcrumbs(here=Crumb("About", reverse("core:about"))),
            "share": ShareMeta(
                path=reverse("core:about"),
                title="About DiseaseMaps",
                description="What DiseaseMaps is: medically reviewed answers about living with a "
                "condition, beside the moderated first-person experiences of people who live "
                "with it.",
            ),
        },
    )


def contact(request):
    return render(
        request,
        "core/contact.html",
        {
            "crumbs": breadcrumbs(here=Crumb("Contact us", reverse("core:contact"))),
            "share": ShareMeta(
                path=reverse("core:contact"),
                title="Contact DiseaseMaps",
                description="How to reach the DiseaseMaps team, and the quickest way to report "
                "an error in an answer or a post that breaks the community guidelines.",
            ),
        },
    )
