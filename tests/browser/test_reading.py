import pytest
from django.core.management import call_command

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
