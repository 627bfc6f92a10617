import re

import pytest
from django.core.checks import run_checks
from django.urls import reverse

pytestmark = pytest.mark.django_db


def _words(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def _main(html: str) -> str:
    return re.search(r"<main.*?</main>", html, re.S).group(0)


def test_the_footer_links_about_privacy_guidelines_and_contact_pages_that_exist(client):
    html = client.get("/").content.decode()
    footer = re.search(r"<footer.*?</footer>", html, re.S).group(0)
    links = {
        _words(text): href for href, text in re.findall(r'<a href="([^"]+)">(.*?)</a>', footer)
    }
    assert list(links) == ["About", "Privacy", "Community guidelines", "Contact"]
    for name, href in links.items():
        assert client.get(href).status_code == 200, name


def test_the_contact_page_gives_the_address_from_the_setting(client, settings):
    settings.DISEASEMAPS_CONTACT_EMAIL = "hello@health.example"
    page = _main(client.get(reverse("pages:contact")).content.decode())
    assert '<a href="mailto:hello@health.example">hello@health.example</a>' in page
    assert "Report an error in this answer" in page


def test_the_about_page_explains_the_site_and_links_its_policies(client):
    page = _main(client.get(reverse("pages:about")).content.decode())
    for link in ("answers:review-policy", "experiences:guidelines", "members:privacy"):
        assert f'href="{reverse(link)}"' in page
    assert "Nothing on this site is medical advice" in page


def test_deploy_checks_warn_without_a_contact_address(settings):
    settings.DISEASEMAPS_CONTACT_EMAIL = ""
    assert "diseasemaps.W002" in {
        message.id for message in run_checks(include_deployment_checks=True)
    }
    settings.DISEASEMAPS_CONTACT_EMAIL = "contact@diseasemaps.example"
    assert "diseasemaps.W002" not in {
        message.id for message in run_checks(include_deployment_checks=True)
    }
