from functools import cache

from django.http import HttpRequest

from diseasemaps.community.services import unread_count


def notifications(request: HttpRequest) -> dict:
    """
    The header's unread count, for members only: one COUNT on a partial index, made when a
    template shows it (the site's header) and not on pages that never do (the admin).
    """
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"unread_notifications": cache(lambda: unread_count(user))}
