import datetime
import json
import re

import pytest

from diseasemaps.answers import services
from diseasemaps.answers.jsonld import question_jsonld, render_jsonld
from diseasemaps.answers.models import AnswerRevision
from tests.factories import SourceFactory, published_question

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


def test_the_reviewer_links_to_their_public_page_and_sources_are_cited(client):
    question = published_question()
    SourceFactory(
        revision=question.live_revision,
        title="Guideline",
        publisher="EORTC",
        year=2022,
        doi="10.1000/abc",
        pubmed_id="42",
    )
    (data,) = _blocks(client.get(question.get_absolute_url()).content.decode())
    slug = question.live_revision.reviewer.reviewer_profile.slug
    assert data["reviewedBy"]["url"] == f"http://testserver/reviewers/{slug}/"
    assert data["citation"] == [
        {
            "@type": "CreativeWork",
            "name": "Guideline",
            "publisher": {"@type": "Organization", "name": "EORTC"},
            "datePublished": "2022",
            "url": "https://example.org/paper",
            "sameAs": ["https://doi.org/10.1000/abc", "https://pubmed.ncbi.nlm.nih.gov/42/"],
        }
    ]


def test_an_editorial_change_moves_date_modified_but_not_last_reviewed(client, editor, reviewer):
    question = published_question()
    draft = services.create_draft(
        question=question, author=editor, short_answer="DRAFT ONLY", body="B.", change_summary="x"
    )
    (before,) = _blocks(client.get(question.get_absolute_url()).content.decode())
    assert "DRAFT ONLY" not in json.dumps(before)
    services.submit_for_review(revision=draft, actor=editor)
    services.approve_revision(
        revision=draft,
        reviewer=reviewer,
        review_kind=AnswerRevision.ReviewKind.EDITORIAL,
        on=datetime.date(2026, 9, 1),
    )
    (data,) = _blocks(client.get(question.get_absolute_url()).content.decode())
    assert data["lastReviewed"] == "2026-05-08"
    assert data["dateModified"] == "2026-09-01"
    assert data["description"] == "DRAFT ONLY"
