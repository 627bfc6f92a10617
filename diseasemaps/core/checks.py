from urllib.parse import urlsplit

from django.conf import settings
from django.core.checks import Warning, register


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
