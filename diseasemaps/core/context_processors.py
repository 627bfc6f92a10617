from django.conf import settings
from django.http import HttpRequest

from diseasemaps.core.seo import ACCOUNT_PAGE_DESCRIPTIONS, SITE_DESCRIPTION


def site(request: HttpRequest) -> dict:
    match = getattr(request, "resolver_match", None)
    url_name = match.url_name if match else None
    return {
        "site_name": settings.DISEASEMAPS_SITE_NAME,
        "community_floor": settings.DISEASEMAPS_COMMUNITY_FLOOR,
        "page_description": ACCOUNT_PAGE_DESCRIPTIONS.get(url_name, SITE_DESCRIPTION),
    }
