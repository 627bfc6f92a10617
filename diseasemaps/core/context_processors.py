from django.conf import settings
from django.http import HttpRequest


def site(request: HttpRequest) -> dict:
    return {
        "site_name": settings.DISEASEMAPS_SITE_NAME,
        "community_floor": settings.DISEASEMAPS_COMMUNITY_FLOOR,
    }
