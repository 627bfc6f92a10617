from django.shortcuts import render
from django.urls import reverse

from diseasemaps.core.ratelimit import RateLimit, request_key
from diseasemaps.core.seo import Crumb, breadcrumbs
from diseasemaps.members.models import popular_conditions
from diseasemaps.search.forms import SearchForm
from diseasemaps.search.queries import as_results, results_page

SEARCH_RESULTS = 20
# Generous for a person, a brake on a script hammering the database.
SEARCH_LIMIT = RateLimit("search", limit=60, period=60)


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
        page = results_page(terms, request.GET.get("page"), per_page=SEARCH_RESULTS)
        results = as_results(page.object_list, terms)
    crumbs = breadcrumbs(here=Crumb("Search", reverse("search:results")))
    return render(
        request,
        "search/search.html",
        {
            "form": form,
            "terms": terms,
            "typed": form.data.get("q", ""),
            "results": results,
            "page": page,
            "popular_conditions": [] if results else popular_conditions(5),
            "crumbs": crumbs,
            "hide_header_search": True,
            "too_many": too_many,
        },
        status=429 if too_many else 200,
    )
