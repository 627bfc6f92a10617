import json
import re

import pytest

from diseasemaps.answers.jsonld import question_jsonld, render_jsonld
from tests.factories import published_question

pytestmark = pytest.mark.django_db


def _blocks(html: str) -> list[dict]:
    pattern = r'<script type="application/ld\+json">(.*?)</script>'
    return [json.loads(block) for block in re.findall(pattern, html, re.S)]


def test_the_question_page_describes_itself_as_a_reviewed_medical_web_page(client):
    question = published_question(condition__name="Gout", condition__abbreviation="GT")
    (data,) = _blocks(client.get(question.get_absolute_url()).content.decode())
    assert data["@type"] == "MedicalWebPage"
    assert data["about"] == {"@type": "MedicalCondition", "name": "Gout", "alternateName": "GT"}
    assert data["lastReviewed"] == "2026-05-08"
    assert data["dateModified"] == "2026-05-08"
    assert data["reviewedBy"]["name"].startswith("Dr Reviewer")
    assert data["url"].endswith(question.get_absolute_url())


def test_text_in_the_data_block_cannot_close_the_script_element():
    question = published_question(title="Is </script><script>alert(1)</script> safe?")
    html = render_jsonld(
        question_jsonld(
            question=question, revision=question.live_revision, absolute_url="https://x/"
        )
    )
    assert html.count("</script>") == 1
    assert (
        json.loads(
            html.removeprefix('<script type="application/ld+json">').removesuffix("</script>")
        )["name"]
        == "Is </script><script>alert(1)</script> safe?"
    )
