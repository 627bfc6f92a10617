import datetime
import json
import re

import pytest

from diseasemaps.answers import services
from diseasemaps.answers.jsonld import question_jsonld
from diseasemaps.answers.models import AnswerRevision
from diseasemaps.core.jsonld import render_jsonld
from tests.factories import ConditionAliasFactory, SourceFactory, published_question

pytestmark = pytest.mark.django_db


def _all_blocks(html: str) -> list[dict]:
    pattern = r'<script type="application/ld\+json">(.*?)</script>'
    return [json.loads(block) for block in re.findall(pattern, html, re.S)]


def _blocks(html: str) -> list[dict]:
    """The page's own data blocks, without the BreadcrumbList every page with a trail has."""
    return [block for block in _all_blocks(html) if block["@type"] != "BreadcrumbList"]


@pytest.fixture(autouse=True)
def _site_url(settings):
    settings.DISEASEMAPS_SITE_URL = "https://diseasemaps.example"


def test_the_question_page_describes_itself_as_a_reviewed_medical_web_page(client):
    question = published_question(condition__name="Gout", condition__abbreviation="GT")
    (data,) = _blocks(client.get(question.get_absolute_url()).content.decode())
    assert data["@type"] == "MedicalWebPage"
    assert data["about"] == {"@type": "MedicalCondition", "name": "Gout", "alternateName": "GT"}
    assert data["lastReviewed"] == "2026-05-08"
    assert data["dateModified"] == "2026-05-08"
    assert data["reviewedBy"]["name"].startswith("Dr Reviewer")
    assert data["url"] == "https://diseasemaps.example" + question.get_absolute_url()


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
    assert data["reviewedBy"]["url"] == f"https://diseasemaps.example/reviewers/{slug}/"
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


def test_the_condition_page_describes_the_medical_condition(client):
    question = published_question(
        condition__name="Dermatofibrosarcoma Protuberans",
        condition__abbreviation="DFSP",
        condition__slug="dfsp",
        condition__summary="A rare\n\ntumour.",
    )
    ConditionAliasFactory(condition=question.condition, name="Dermatofibrosarcoma")
    (condition_data,) = _blocks(client.get("/conditions/dfsp/").content.decode())
    assert condition_data == {
        "@context": "https://schema.org",
        "@type": "MedicalCondition",
        "name": "Dermatofibrosarcoma Protuberans",
        "alternateName": ["DFSP", "Dermatofibrosarcoma"],
        "url": "https://diseasemaps.example/conditions/dfsp/",
        "description": "A rare tumour.",
    }


def test_every_page_with_breadcrumbs_describes_them_as_a_breadcrumb_list(client):
    question = published_question(condition__slug="gout", title="Is it hereditary?", slug="genes")
    pages = {
        "/conditions/": ["Home", "Conditions"],
        "/conditions/gout/": ["Home", "Conditions", question.condition.short_name],
        question.get_absolute_url(): [
            "Home",
            "Conditions",
            question.condition.short_name,
            "Is it hereditary?",
        ],
        "/search/?q=gout": ["Home", "Search"],
        "/accounts/login/": ["Home", "Log in"],
    }
    for url, names in pages.items():
        (trail,) = [
            block
            for block in _all_blocks(client.get(url).content.decode())
            if block["@type"] == "BreadcrumbList"
        ]
        items = trail["itemListElement"]
        assert [item["name"] for item in items] == names, url
        assert [item["position"] for item in items] == list(range(1, len(names) + 1)), url
        assert items[0]["item"] == "https://diseasemaps.example/", url
        assert all(item["item"].startswith("https://diseasemaps.example/") for item in items)
    assert items[-1]["item"] == "https://diseasemaps.example/accounts/login/"


def test_the_breadcrumbs_shown_are_the_ones_described(client):
    html = client.get("/accounts/signup/").content.decode()
    assert (
        '<li><a href="/">Home</a></li><li><span aria-current="page">Create an account</span></li>'
        in html
    )
    assert html.count('aria-label="Breadcrumb"') == 1
