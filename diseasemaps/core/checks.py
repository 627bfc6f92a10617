from urllib.parse import urlsplit

from django.conf import settings
from django.core.checks import Error, Warning, register
from django.core.exceptions import ValidationError
from django.core.validators import validate_email


@register(deploy=True)
def site_url_is_public_https(app_configs, **kwargs):
    """Canonical links and the sitemap are built from DISEASEMAPS_SITE_URL: it must be right."""
    parts = urlsplit(settings.DISEASEMAPS_SITE_URL)
    if parts.scheme != "https" or not parts.netloc or parts.path:
        return [
            Warning(
                "DISEASEMAPS_SITE_URL should be the site's public https address, such as "
                "https://diseasemaps.example (no path, no trailing slash).",
                hint="Canonical links, Open Graph tags, JSON-LD and sitemap.xml use it.",
                id="diseasemaps.W001",
            )
        ]
    return []


@register
def host_prefixed_cookies_are_valid(app_configs, **kwargs):
    """
    Browsers silently drop a "__Host-" cookie that is not Secure, has a Domain or a Path other
    than "/": nobody could log in. Settings that would do that are refused at start-up.
    """
    cookies = [
        ("SESSION_COOKIE", settings.SESSION_COOKIE_NAME),
        ("CSRF_COOKIE", settings.CSRF_COOKIE_NAME),
    ]
    errors = []
    for prefix, name in cookies:
        if not name.startswith("__Host-"):
            continue
        secure = getattr(settings, f"{prefix}_SECURE")
        domain = getattr(settings, f"{prefix}_DOMAIN")
        path = getattr(settings, f"{prefix}_PATH")
        if not secure or domain is not None or path != "/":
            errors.append(
                Error(
                    f"{prefix}_NAME is {name!r}, but browsers accept a __Host- cookie only "
                    "when it is Secure, with Path=/ and no Domain.",
                    hint=f"Set {prefix}_SECURE = True, {prefix}_PATH = '/' and "
                    f"{prefix}_DOMAIN = None, or drop the __Host- prefix.",
                    id="diseasemaps.E001",
                )
            )
    return errors


@register(deploy=True)
def contact_email_is_set(app_configs, **kwargs):
    """The Contact page and "no e-mail arrived?" send people to DISEASEMAPS_CONTACT_EMAIL."""
    try:
        validate_email(settings.DISEASEMAPS_CONTACT_EMAIL)
    except ValidationError:
        return [
            Warning(
                "DISEASEMAPS_CONTACT_EMAIL should be the address where people can write to us.",
                hint="The Contact page, the account pages and security e-mails give it.",
                id="diseasemaps.W002",
            )
        ]
    return []
