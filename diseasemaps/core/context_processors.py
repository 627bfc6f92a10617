from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode

from diseasemaps.core.seo import ACCOUNT_PAGES, SITE_DESCRIPTION, Crumb, breadcrumbs


def _come_back_to(request: HttpRequest) -> str:
    """
    The page that "Log in" and "Create an account" in the header bring a person back to: this
    one, or on an account page the `next` it was given. Never another site.
    """
    if request.path.startswith("/accounts/"):
        target = request.GET.get("next", "")
        safe = url_has_allowed_host_and_scheme(
            target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
        return target if safe else ""
    if request.method != "GET" or request.path == reverse("pages:home"):
        return ""
    return request.get_full_path()


def _with_next(url: str, next_url: str) -> str:
    return f"{url}?{urlencode({'next': next_url})}" if next_url else url


def site(request: HttpRequest) -> dict:
    context = {
        "site_name": settings.DISEASEMAPS_SITE_NAME,
        "community_floor": settings.DISEASEMAPS_COMMUNITY_FLOOR,
        "page_description": SITE_DESCRIPTION,
        "contact_email": settings.DISEASEMAPS_CONTACT_EMAIL,
    }
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        come_back_to = _come_back_to(request)
        context["login_url"] = _with_next(reverse("account_login"), come_back_to)
        context["signup_url"] = _with_next(reverse("account_signup"), come_back_to)
    match = getattr(request, "resolver_match", None)
    account_page = ACCOUNT_PAGES.get(match.url_name) if match else None
    if account_page is not None:
        # Pages whose views are not ours: a view's own `crumbs` replace these.
        context["page_description"] = account_page.description
        context["crumbs"] = breadcrumbs(here=Crumb(account_page.label, request.path))
    return context
