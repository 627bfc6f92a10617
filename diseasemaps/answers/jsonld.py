"""
Structured data for a question page, built in one place. The review, experiences and visitors
features each add their part to the same builder rather than writing their own; the generic
pieces (breadcrumbs, the data block itself) are in `core.jsonld`.
"""

from typing import Protocol
from urllib.parse import urljoin

from django.urls import reverse

from diseasemaps.answers.models import AnswerRevision, Question


class PeopleFigure(Protocol):
    """The figure of people who shared (experiences.models.PeopleCount, from the app above)."""

    def __bool__(self) -> bool: ...

    def sentence(self, *, condition: str) -> str: ...


def _iso(value) -> str | None:
    return value.isoformat() if value else None


def question_jsonld(
    *,
    question: Question,
    revision: AnswerRevision,
    absolute_url: str,
    experience_people: PeopleFigure | None = None,
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
