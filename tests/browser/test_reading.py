import pytest
from django.core.management import call_command

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


def test_no_page_type_has_console_errors_or_csp_violations(page):
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
