"""
CSRF and safe methods, over every URL of the URLconf: a POST without a CSRF token is refused
(403) for a visitor, a member and a member of staff; and no GET, by any role, writes a row.
"""

import pytest
from django.test import Client
from django.urls import NoReverseMatch, reverse

from tests.security.urlmap import all_routes, classify, row_counts
from tests.security.world import EDITOR, MEMBER_A, ROLES, VISITOR

pytestmark = pytest.mark.django_db


def every_url(world) -> list[str]:
    """Each URL without parameters, and each object URL of the matrix."""
    urls = []
    for route in all_routes():
        if route.has_parameters or not route.name:
            continue
        try:
            urls.append(reverse(route.name))
        except NoReverseMatch:
            continue
    cases, _ = classify(world)
    urls += [case.url for case in cases]
    return list(dict.fromkeys(urls))


def test_the_url_list_covers_the_urlconf(world):
    urls = every_url(world)
    named = [r for r in all_routes() if r.name and not r.has_parameters]
    assert len(urls) >= len(named) + 100


@pytest.mark.parametrize("role", [VISITOR, MEMBER_A, EDITOR])
def test_every_post_without_a_csrf_token_is_refused_and_writes_nothing(world, role):
    client = Client(enforce_csrf_checks=True)
    client.cookies = world.client(role).cookies
    client.get(reverse("pages:home"))  # a CSRF cookie, as a browser would have
    problems = []
    for url in every_url(world):
        before = row_counts()
        response = client.post(url, {"body": "x" * 40, "email": "someone@example.org"})
        if response.status_code != 403:
            problems.append(f"POST {url} as {role} without a token: {response.status_code}")
        if row_counts() != before:
            problems.append(f"POST {url} as {role} without a token wrote to the database")
    assert problems == [], "\n".join(problems)


def test_no_get_by_any_role_writes_a_row(world):
    urls = every_url(world)
    problems = []
    for role in ROLES:
        client = world.client(role)
        client.get(reverse("pages:home"))  # the session's first request records it (allauth)
        for url in urls:
            before = row_counts()
            response = client.get(url)
            if row_counts() != before:
                problems.append(f"GET {url} as {role} ({response.status_code}) wrote a row")
    assert problems == [], "\n".join(problems)
