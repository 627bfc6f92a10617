"""
Structured data for search engines, built in one place per page type. The review, experiences
and visitors features each add their part to the same builder rather than writing their own.
"""

import json

from django.utils.safestring import SafeString, mark_safe

from diseasemaps.answers.models import AnswerRevision, Question
from diseasemaps.conditions.models import Condition
from diseasemaps.core.seo import Crumb, absolute_url


def _iso(value) -> str | None:
    return value.isoformat() if value else None


def question_jsonld(*, question: Question, revision: AnswerRevision, absolute_url: str) -> dict:
    """schema.org MedicalWebPage for a question page: what it is about and who reviewed it."""
    condition = question.condition
    data: dict = {
        "@context": "https://schema.org",
        "@type": "MedicalWebPage",
        "url": absolute_url,
        "name": question.title,
        "description": revision.short_answer,
        "about": {
            "@type": "MedicalCondition",
            "name": condition.name,
            **({"alternateName": condition.abbreviation} if condition.abbreviation else {}),
        },
        "lastReviewed": _iso(revision.reviewed_on),
        "dateModified": _iso(revision.updated_on),
    }
    profile = getattr(revision.reviewer, "reviewer_profile", None) if revision.reviewer else None
    if profile is not None:
        data["reviewedBy"] = {
            "@type": "Person",
            "name": profile.display_name,
            "jobTitle": profile.specialty,
            "honorificSuffix": profile.credentials,
        }
    return {key: value for key, value in data.items() if value is not None}


def condition_jsonld(*, condition: Condition) -> dict:
    """schema.org MedicalCondition for a condition page: its names and what it is."""
    aliases = [alias.name for alias in condition.aliases.all()]
    alternate = [name for name in [condition.abbreviation, *aliases] if name]
    data: dict = {
        "@context": "https://schema.org",
        "@type": "MedicalCondition",
        "name": condition.name,
        "url": absolute_url(condition.get_absolute_url()),
        "description": " ".join(condition.summary.split()),
    }
    if alternate:
        data["alternateName"] = alternate if len(alternate) > 1 else alternate[0]
    return data


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
