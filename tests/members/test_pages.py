import re

import pytest

from tests.pages import OWN_DATA_PAGES, account_pages

pytestmark = pytest.mark.django_db


def test_every_member_page_renders_with_one_h1_and_no_inline_code(member_client):
    for name, url in account_pages().items():
        response = member_client.get(url)
        assert response.status_code == 200, name
        html = response.content.decode()
        assert len(re.findall(r"<h1[ >]", html)) == 1, name
        assert "style=" not in html, name
        assert not re.search(r"\son[a-z]+=", html), name
        assert not re.search(r"<script(?![^>]*application/ld\+json)", html), name
        assert "Content-Security-Policy" in response, name


def test_pages_with_a_members_own_data_send_no_store(member_client):
    pages = account_pages()
    for name in OWN_DATA_PAGES:
        response = member_client.get(pages[name])
        assert "no-store" in response.get("Cache-Control", ""), name
