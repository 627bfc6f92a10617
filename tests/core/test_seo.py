import gzip
import re
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from django.contrib.staticfiles import finders
from django.core.management import call_command
from django.urls import reverse

from diseasemaps.answers import services as answer_services
from diseasemaps.answers.models import Question
from tests.factories import ExperienceFactory, QuestionFactory, published_question
from tests.pages import public_pages

pytestmark = pytest.mark.django_db

SITE = "https://diseasemaps.example"
# The demo question page with a full page of experiences, its four numbered sources (about 2 KB
# in the list, 1.5 KB in its JSON-LD) and the stylesheet. It was 60 KB before the answer cited
# its sources, when the page already came to 60.8 KB; 68.2 KB once members could follow the
# question, ask the editors a question and reply under each post (the forms, links and their
# styles). The budget is for what a phone receives the first time, uncompressed as a worst case;
# compressed, as the page cache and whitenoise send them, they are a sixth of it (see below).
SIZE_BUDGET = 72 * 1024
COMPRESSED_BUDGET = 16 * 1024


@pytest.fixture(autouse=True)
def _site_url(settings):
    settings.DISEASEMAPS_SITE_URL = SITE


class HeadParser(HTMLParser):
    """The title, meta tags, links and every address the page would make the browser fetch."""

    def __init__(self):
        super().__init__()
        self.title = ""
        self.meta: dict[str, list[str]] = {}
        self.links: dict[str, list[str]] = {}
        self.fetched: list[str] = []
        self._in_title = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "title":
            self._in_title = True
        elif tag == "meta":
            key = attrs.get("name") or attrs.get("property")
            if key:
                self.meta.setdefault(key, []).append(attrs.get("content", ""))
        elif tag == "link":
            self.links.setdefault(attrs.get("rel", ""), []).append(attrs.get("href", ""))
            if attrs.get("rel") in ("stylesheet", "icon", "preload", "modulepreload"):
                self.fetched.append(attrs["href"])
        for name in ("src", "srcset", "poster", "data"):
            if attrs.get(name):
                self.fetched.append(attrs[name])

    def handle_endtag(self, tag):
        if tag == "title":
            self._in_title = False

    def handle_data(self, data):
        if self._in_title:
            self.title += data


def _parse(client, url, **extra) -> HeadParser:
    parser = HeadParser()
    parser.feed(client.get(url, **extra).content.decode())
    return parser


@pytest.fixture
def pages(db):
    return public_pages()


def test_every_page_has_a_title_and_description_no_other_page_shares(client, pages):
    """Indexable pages must have a description; a noindex page may leave it out."""
    titles, descriptions = {}, {}
    for name, url in pages.items():
        parsed = _parse(client, url)
        assert parsed.title.strip(), name
        titles.setdefault(parsed.title.strip(), []).append(name)
        found = parsed.meta.get("description", [])
        assert len(found) <= 1, name
        if parsed.meta.get("robots") != ["noindex"]:
            assert len(found) == 1, name
        for description in found:
            assert 0 < len(description) <= 160, (name, description)
            descriptions.setdefault(description, []).append(name)
    assert [names for names in titles.values() if len(names) > 1] == []
    assert [names for names in descriptions.values() if len(names) > 1] == []


def test_the_question_page_is_described_by_its_short_answer(client):
    question = published_question()
    parsed = _parse(client, question.get_absolute_url())
    assert parsed.meta["description"] == [question.live_revision.short_answer]
    assert parsed.meta["og:description"] == [question.live_revision.short_answer]


def test_indexable_pages_have_a_canonical_url_and_open_graph_tags(client, pages):
    for name in ("home", "condition index", "condition", "question"):
        parsed = _parse(client, pages[name])
        path = pages[name]
        assert parsed.links["canonical"] == [SITE + path], name
        assert parsed.meta["og:url"] == [SITE + path], name
        assert parsed.meta["og:title"][0], name
        assert parsed.meta["og:description"][0], name
        assert parsed.meta["og:site_name"] == ["DiseaseMaps"], name
        assert parsed.meta["og:type"] == ["article" if name == "question" else "website"], name
        assert "robots" not in parsed.meta, name


def test_pages_kept_out_of_search_engines_say_noindex(client, pages):
    for name in ("search", "not found", "log in", "sign up", "password reset"):
        parsed = _parse(client, pages[name])
        assert parsed.meta.get("robots") == ["noindex"], name
        assert "canonical" not in parsed.links, name


def test_canonical_urls_come_from_the_setting_not_the_host_header(client, settings):
    settings.ALLOWED_HOSTS = ["testserver", "attacker.example"]
    question = published_question()
    html = client.get(question.get_absolute_url(), HTTP_HOST="attacker.example").content.decode()
    assert "attacker.example" not in html
    assert f'<link rel="canonical" href="{SITE}{question.get_absolute_url()}">' in html


def test_no_page_asks_the_browser_for_anything_from_another_site(client, pages):
    for name, url in pages.items():
        for address in _parse(client, url).fetched:
            parts = urlsplit(address)
            assert not parts.scheme, (name, address)
            assert not parts.netloc, (name, address)


def test_the_sitemap_lists_public_pages_only_on_the_site_address(client, editor):
    live = published_question(condition__slug="gout", slug="diet")
    hidden = QuestionFactory(condition=live.condition, slug="secret-draft")
    answer_services.create_draft(question=hidden, author=editor, short_answer="S", body="B")
    response = client.get("/sitemap.xml")
    assert response.status_code == 200
    assert not response.cookies
    locations = re.findall(r"<loc>(.*?)</loc>", response.content.decode())
    assert sorted(locations) == sorted(
        [
            f"{SITE}/",
            f"{SITE}/conditions/",
            f"{SITE}/conditions/gout/",
            f"{SITE}/conditions/gout/questions/diet/",
        ]
    )
    assert "<lastmod>2026-05-08</lastmod>" in response.content.decode()


def test_robots_txt_names_the_sitemap_and_keeps_crawlers_out_of_private_areas(client):
    response = client.get("/robots.txt")
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    lines = response.content.decode().splitlines()
    assert f"Sitemap: {SITE}/sitemap.xml" in lines
    assert {"Disallow: /admin/", "Disallow: /accounts/", "Disallow: /search/"} <= set(lines)
    assert not response.cookies


def test_the_question_page_html_and_css_fit_the_size_budget(client, settings):
    call_command("load_demo_content", verbosity=0)
    question = Question.objects.get(slug="standard-treatment")
    # A full page of experiences of a typical length (about 700 characters each).
    ExperienceFactory.create_batch(
        settings.DISEASEMAPS_EXPERIENCES_PER_PAGE,
        question=question,
        body="I had Mohs surgery on my shoulder and the margins were clear. " * 11,
    )
    html = client.get(question.get_absolute_url()).content
    assert b"172 members" in html
    assert html.count(b'class="experience"') == settings.DISEASEMAPS_EXPERIENCES_PER_PAGE
    with open(finders.find("css/site.css"), "rb") as stylesheet:
        css = stylesheet.read()
    assert len(html) + len(css) < SIZE_BUDGET, (len(html), len(css))
    compressed = len(gzip.compress(html)) + len(gzip.compress(css))
    assert compressed < COMPRESSED_BUDGET, compressed


def test_the_question_page_loads_one_stylesheet_and_no_script(client):
    question = published_question()
    html = client.get(question.get_absolute_url()).content.decode()
    assert html.count('rel="stylesheet"') == 1
    assert "<script src" not in html
    assert re.findall(r"<script(?! type=\"application/ld\+json\")", html) == []


def test_the_home_page_offers_search(client):
    html = client.get(reverse("pages:home")).content.decode()
    assert 'role="search"' in html
    assert f'action="{reverse("search:results")}"' in html


def test_the_deploy_checks_want_the_public_https_site_url(settings):
    from diseasemaps.core.checks import site_url_is_public_https

    settings.DISEASEMAPS_SITE_URL = "http://127.0.0.1:8000"
    assert [w.id for w in site_url_is_public_https(None)] == ["diseasemaps.W001"]
    settings.DISEASEMAPS_SITE_URL = "https://diseasemaps.example"
    assert site_url_is_public_https(None) == []


def test_the_breadcrumbs_partial_still_takes_a_condition_question_and_page():
    from django.template.loader import render_to_string

    question = published_question(title="Is it hereditary?")
    html = render_to_string(
        "includes/breadcrumbs.html",
        {"condition": question.condition, "question": question, "page": "Review history"},
    )
    assert f'<a href="{question.get_absolute_url()}">Is it hereditary?</a>' in html
    assert '<span aria-current="page">Review history</span>' in html
