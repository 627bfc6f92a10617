"""Structured data for a condition page."""

from diseasemaps.conditions.models import Condition
from diseasemaps.core.seo import absolute_url


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
