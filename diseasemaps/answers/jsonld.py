"""
Structured data for search engines, built in one place per page type. The review, experiences
and visitors features each add their part to the same builder rather than writing their own.
"""

import json
from typing import TYPE_CHECKING
from urllib.parse import urljoin

from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe

from diseasemaps.answers.models import AnswerRevision, Question
from diseasemaps.conditions.models import Condition
from diseasemaps.core.seo import Crumb, absolute_url

if TYPE_CHECKING:
    from diseasemaps.experiences.models import PeopleCount


def _iso(value) -> str | None:
    return value.isoformat() if value else None


def question_jsonld(
    *,
    question: Question,
    revision: AnswerRevision,
    absolute_url: str,
    experience_people: "PeopleCount | None" = None,
) -> dict:
    """
    schema.org MedicalWebPage for a question page: what it is about, who reviewed it and when,
    the sources it cites and, when members have shared, the part of the page that holds their
    first-person experiences (only the figure, in the page's words: members' words stay on the
    page, where members-only posts are left out). `lastReviewed` is the last full medical review;
    `dateModified` the last change of any kind, so an editorial fix never claims a fresh
    medical review.
    """
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
            "url": urljoin(
                absolute_url, reverse("answers:reviewer", kwargs={"slug": profile.slug})
            ),
        }
    citations = [_citation(source) for source in revision.sources.all()]
    if citations:
        data["citation"] = citations
    if experience_people:
        data["hasPart"] = {
            "@type": "HealthTopicContent",
            "hasHealthAspect": "https://schema.org/PatientExperienceHealthAspect",
            "name": "Experiences from members",
            "description": (
                f"{experience_people.sentence(condition=condition.display_name)} "
                "Moderated, not medically reviewed."
            ),
            "url": f"{absolute_url}#experiences",
        }
    return {key: value for key, value in data.items() if value is not None}


def _citation(source) -> dict:
    item: dict = {"@type": "CreativeWork", "name": source.title}
    if source.publisher:
        item["publisher"] = {"@type": "Organization", "name": source.publisher}
    if source.year:
        item["datePublished"] = str(source.year)
    if source.url:
        item["url"] = source.url
    identifiers = []
    if source.doi:
        identifiers.append(f"https://doi.org/{source.doi}")
    if source.pubmed_id:
        identifiers.append(f"https://pubmed.ncbi.nlm.nih.gov/{source.pubmed_id}/")
    if identifiers:
        item["sameAs"] = identifiers
    return item


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
