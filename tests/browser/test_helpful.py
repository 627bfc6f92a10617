"""
"This helped me" in a real browser, clicked by a logged-in member on every page that offers it,
with the production cookie settings (secure, HTTP-only CSRF and session cookies): the form must
carry its CSRF token, or Django refuses the click.
"""

import re

import pytest
from django.conf import settings
from playwright.sync_api import expect

from tests.factories import ExperienceFactory, MemberFactory, published_question

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def member_page(logged_in_page):
    """A page of a browser logged in as a new member (not the author of any post)."""
    return logged_in_page(MemberFactory())


def _click_helpful_and_see_the_count_go_up(page, url: str, post) -> None:
    page.goto(url)
    button = page.locator(f"#experience-{post.pk}").get_by_role("button", name="This helped me")
    expect(button).to_have_attribute("aria-pressed", "false")
    expect(button).to_contain_text("· 2")

    response_statuses = []
    page.on("response", lambda response: response_statuses.append(response.status))
    button.click()
    page.wait_for_load_state()

    assert 403 not in response_statuses
    csrf_cookie = next(c for c in page.context.cookies() if c["name"] == settings.CSRF_COOKIE_NAME)
    assert csrf_cookie["secure"]  # as in production
    assert csrf_cookie["httpOnly"]
    assert page.url.split("#")[0].endswith(url.split("#")[0])
    assert page.url.endswith(f"#experience-{post.pk}")
    button = page.locator(f"#experience-{post.pk}").get_by_role("button", name="This helped me")
    expect(button).to_contain_text("· 3")
    expect(button).to_have_attribute("aria-pressed", "true")
    post.refresh_from_db()
    assert post.helpful_count == 3

    # A second click takes it back, as the pressed button promises.
    button.click()
    page.wait_for_load_state()
    button = page.locator(f"#experience-{post.pk}").get_by_role("button", name="This helped me")
    expect(button).to_contain_text("· 2")
    expect(button).to_have_attribute("aria-pressed", "false")


def _post_found_helpful_by_two(**fields):
    from diseasemaps.experiences.services import toggle_helpful

    post = ExperienceFactory(**fields)
    for _ in range(2):
        toggle_helpful(experience=post, user=MemberFactory())
    return post


def test_a_member_clicks_this_helped_me_on_the_question_page(member_page):
    question = published_question(condition__slug="dfsp", slug="standard-treatment")
    post = _post_found_helpful_by_two(question=question)
    _click_helpful_and_see_the_count_go_up(member_page, question.get_absolute_url(), post)
    assert member_page.problems.messages == []


def test_a_member_clicks_this_helped_me_on_the_condition_page(member_page):
    question = published_question(condition__slug="dfsp")
    post = _post_found_helpful_by_two(question=question)
    _click_helpful_and_see_the_count_go_up(member_page, question.condition.get_absolute_url(), post)
    assert member_page.problems.messages == []


def test_a_member_clicks_this_helped_me_on_the_posts_permalink(member_page):
    post = _post_found_helpful_by_two(question=published_question())
    _click_helpful_and_see_the_count_go_up(member_page, post.get_absolute_url(), post)
    assert re.fullmatch(r".*/experiences/\d+/#experience-\d+", member_page.url)
    assert member_page.problems.messages == []
