import pytest
from django.template.loader import render_to_string
from django.urls import reverse

from tests.factories import published_question
from tests.pages import READ_ONLY_PAGES, public_pages

EXPECTED_CSP = {
    "default-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "frame-ancestors 'none'",
}


@pytest.fixture
def page_urls(db):
    # The admin's own log-in page redirects to ours ("log in"), which is in public_pages().
    return public_pages()


def test_every_page_type_sends_the_strict_content_security_policy(client, page_urls):
    for name, url in page_urls.items():
        response = client.get(url)
        assert response.status_code in (200, 404), name
        directives = {part.strip() for part in response["Content-Security-Policy"].split(";")}
        assert directives >= EXPECTED_CSP, name
        assert not [d for d in directives if "unsafe" in d], name


def test_every_page_type_sends_the_security_headers(client, page_urls):
    for name, url in page_urls.items():
        response = client.get(url, secure=True)
        assert response["Referrer-Policy"] == "same-origin", name
        assert response["X-Content-Type-Options"] == "nosniff", name
        assert response["X-Frame-Options"] == "DENY", name
        assert "max-age=31536000" in response["Strict-Transport-Security"], name


def test_read_only_public_pages_set_no_cookie(client, page_urls):
    for name in READ_ONLY_PAGES:
        response = client.get(page_urls[name])
        assert not response.cookies, name


def test_pages_have_no_inline_script_style_or_handlers(client, page_urls):
    for name, url in page_urls.items():
        html = client.get(url).content.decode()
        assert "style=" not in html, name
        assert " onclick=" not in html, name
        assert " onload=" not in html, name
        assert "<script>" not in html, name


def test_the_not_found_page_is_ours_and_says_404(client, db):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "We couldn’t find that page" in response.content.decode()


def test_the_error_page_renders_without_a_request_or_the_database():
    # No db fixture: pytest-django makes any database access here an error.
    html = render_to_string("500.html")
    assert "Something went wrong" in html
    assert "/static/css/site" in html


def test_the_forbidden_page_is_styled(db):
    html = render_to_string("403.html", {})
    assert "You can’t see this page" in html


def test_favicon_ico_points_at_the_real_icon(client, db):
    response = client.get("/favicon.ico")
    assert response.status_code == 301
    assert response["Location"].startswith("/static/img/favicon")


def test_home_lists_communities_and_recently_reviewed_answers(client, db):
    question = published_question(title="How is it treated?")
    response = client.get(reverse("pages:home"))
    html = response.content.decode()
    assert question.condition.name in html
    assert "How is it treated?" in html
    assert html.count("<h1") == 1
