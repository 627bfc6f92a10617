"""The checks every page type gets (tests/core/test_views.py), for the pages only members see."""

import pytest

from tests.core.test_views import EXPECTED_CSP
from tests.pages import member_pages

pytestmark = pytest.mark.django_db


def fetch(client, page):
    if page.data:
        return client.post(page.url, page.data, secure=True)
    return client.get(page.url, secure=True)


def test_every_member_page_type_renders_under_the_strict_policy(member_client, member):
    for name, page in member_pages(member).items():
        response = fetch(member_client, page)
        assert response.status_code == 200, name
        directives = {part.strip() for part in response["Content-Security-Policy"].split(";")}
        assert directives >= EXPECTED_CSP, name
        assert response["X-Frame-Options"] == "DENY", name
        html = response.content.decode()
        assert html.count("<h1") == 1, name
        assert "style=" not in html, name
        assert " on" + "click=" not in html, name
        assert "<script>" not in html, name


def test_member_pages_are_kept_out_of_search_engines(member_client, member):
    for name, page in member_pages(member).items():
        if name == "question, as a member":
            continue
        html = fetch(member_client, page).content.decode()
        assert '<meta name="robots" content="noindex">' in html, name
