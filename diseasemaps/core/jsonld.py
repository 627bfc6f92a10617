"""
Structured data for search engines: the pieces every page type uses. Each page type builds its
own part in its app (`answers.jsonld`, `conditions.jsonld`) and renders it with `render_jsonld`.
"""

import json

from django.utils.safestring import SafeString, mark_safe

from diseasemaps.core.seo import Crumb, absolute_url


def breadcrumb_jsonld(crumbs: list[Crumb]) -> dict:
    """schema.org BreadcrumbList for the trail the page shows (`core.seo.breadcrumbs`)."""
    return {
        "@context": "https://schema.org",
        "@type": "BreadcrumbList",
        "itemListElement": [
            {
                "@type": "ListItem",
                "position": position,
                "name": crumb.name,
                "item": absolute_url(crumb.url),
            }
            for position, crumb in enumerate(crumbs, start=1)
        ],
    }


def render_jsonld(data: dict) -> SafeString:
    """A JSON-LD data block, escaped so that no text in it can close the script element."""
    text = json.dumps(data, ensure_ascii=False)
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return mark_safe(f'<script type="application/ld+json">{text}</script>')  # noqa: S308
