import pytest
from django.core.management import call_command

from tests.factories import ExperienceFactory, SourceFactory, published_question
from tests.pages import public_pages

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_visitor_clicks_from_home_to_the_dfsp_answer_without_errors(page, settings):
    call_command("load_demo_content", verbosity=0)

    page.goto("/")
    page.get_by_role("link", name="Dermatofibrosarcoma Protuberans (DFSP)").first.click()
    page.wait_for_url("**/conditions/dfsp/")
    assert page.get_by_role("heading", level=1).inner_text() == (
        "Dermatofibrosarcoma Protuberans (DFSP)"
    )

    page.get_by_role(
        "link", name="What is the standard approach to treating Dermatofibrosarcoma Protuberans?"
    ).click()
    page.wait_for_url("**/conditions/dfsp/questions/standard-treatment/")
    text = page.locator("main").inner_text()
    assert "2 people with Dermatofibrosarcoma Protuberans (DFSP) have shared" in text
    assert "172 members of the DiseaseMaps community living with this condition" in text
    assert "Medical disclaimer" in text
    stylesheet_applied = page.evaluate(
        "getComputedStyle(document.querySelector('.skip-link')).position"
    )
    assert stylesheet_applied == "absolute"
    assert page.problems.messages == []


def test_no_page_type_has_console_errors_csp_violations_or_third_party_requests(page):
    for name, url in public_pages().items():
        response = page.goto(url)
        expected_status = 404 if name == "not found" else 200
        assert response.status == expected_status, name
        assert page.locator("h1").count() == 1, name
    problems = [
        message
        for message in page.problems.messages
        # The browser reports the 404 page's own status as a console error.
        if "the server responded with a status of 404" not in message
    ]
    assert problems == []
    assert page.foreign_requests == []


def test_a_visitor_browses_the_a_to_z_index_by_letter_to_the_dfsp_answer(page):
    call_command("load_demo_content", verbosity=0)
    page.goto("/")
    page.get_by_role("link", name="Conditions A–Z").first.click()
    page.wait_for_url("**/conditions/")
    page.get_by_role("navigation", name="Letters").get_by_role("link", name="D").click()
    page.wait_for_url("**/conditions/?letter=D")
    page.locator("#letter-D").get_by_role(
        "link", name="Dermatofibrosarcoma Protuberans (DFSP)"
    ).click()
    page.wait_for_url("**/conditions/dfsp/")
    page.get_by_role(
        "link", name="What is the standard approach to treating Dermatofibrosarcoma Protuberans?"
    ).click()
    page.wait_for_url("**/conditions/dfsp/questions/standard-treatment/")
    breadcrumb = page.get_by_role("navigation", name="Breadcrumb")
    breadcrumb.get_by_role("link", name="DFSP").click()
    page.wait_for_url("**/conditions/dfsp/")
    assert page.problems.messages == []


def _search_from_home(page, query: str) -> None:
    page.goto("/")
    page.get_by_role("searchbox", name="Search conditions and answers").fill(query)
    page.get_by_role("button", name="Search").click()
    page.wait_for_url("**/search/?q=*")


def test_a_visitor_searches_from_home_and_reaches_the_dfsp_answer(page):
    call_command("load_demo_content", verbosity=0)
    _search_from_home(page, "DFSP treatment")
    assert page.get_by_role("heading", level=1).inner_text() == (
        "Search results for “DFSP treatment”"
    )
    assert page.locator(".search-result mark").count() > 0
    page.get_by_role(
        "link", name="What is the standard approach to treating Dermatofibrosarcoma Protuberans?"
    ).click()
    page.wait_for_url("**/conditions/dfsp/questions/standard-treatment/")
    assert "Medical disclaimer" in page.locator("main").inner_text()
    assert page.problems.messages == []


@pytest.mark.postgres_only  # reason: misspellings are forgiven through PostgreSQL's pg_trgm
def test_a_visitor_who_misspells_the_condition_still_finds_it(page):
    call_command("load_demo_content", verbosity=0)
    _search_from_home(page, "dermatofibrosarkoma")
    page.get_by_role("link", name="Dermatofibrosarcoma Protuberans (DFSP)").click()
    page.wait_for_url("**/conditions/dfsp/")


def test_a_visitor_with_nothing_to_search_for_is_helped_not_failed(page):
    page.goto("/search/?q=")
    assert page.get_by_role("heading", name="What to search for").is_visible()
    page.goto("/search/?q=" + "x" * 500)
    assert "That search is too long" in page.locator("main").inner_text()


def test_a_keyboard_user_skips_to_the_content_and_always_sees_the_focus(page):
    call_command("load_demo_content", verbosity=0)
    page.goto("/conditions/dfsp/questions/standard-treatment/")
    page.keyboard.press("Tab")
    skip_link = page.get_by_role("link", name="Skip to content")
    assert skip_link.evaluate("element => element === document.activeElement")
    assert skip_link.is_visible()
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
    for _ in range(4):
        page.keyboard.press("Tab")
        outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
        assert outline not in ("none", ""), page.evaluate("document.activeElement.outerHTML")


def test_a_printed_answer_keeps_the_answer_badge_sources_and_disclaimer_only(page):
    question = published_question()
    SourceFactory(revision=question.live_revision)
    ExperienceFactory(question=question)
    page.goto(question.get_absolute_url())
    page.emulate_media(media="print")
    for selector in (".answer__short", ".answer__body", ".review-badge", ".sources", ".disclaimer"):
        assert page.locator(selector).is_visible(), selector
    for selector in (
        ".site-nav",
        ".search-form",
        ".breadcrumbs",
        ".experiences-section",
        ".skip-link",
        ".site-footer",
    ):
        assert not page.locator(selector).first.is_visible(), selector
    assert page.pdf(format="A4")[:4] == b"%PDF"
