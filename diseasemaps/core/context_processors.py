from django.conf import settings
from django.http import HttpRequest

from diseasemaps.core.seo import ACCOUNT_PAGES, SITE_DESCRIPTION, Crumb, breadcrumbs


def site(request: HttpRequest) -> dict:
    context = {
        "site_name": settings.DISEASEMAPS_SITE_NAME,
        "community_floor": settings.DISEASEMAPS_COMMUNITY_FLOOR,
        "page_description": SITE_DESCRIPTION,
        "contact_email": settings.DISEASEMAPS_CONTACT_EMAIL,
    }
    match = getattr(request, "resolver_match", None)
    account_page = ACCOUNT_PAGES.get(match.url_name) if match else None
    if account_page is not None:
        # Pages whose views are not ours: a view's own `crumbs` replace these.
        context["page_description"] = account_page.description
        context["crumbs"] = breadcrumbs(here=Crumb(account_page.label, request.path))
    return context
