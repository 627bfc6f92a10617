"""
The authorization matrix: six roles × every URL that names an object × GET and POST.

Nobody gets a 2xx for what they may not open; an object a role may not know of answers exactly
as an object that does not exist (on the site: 404, never a 403 that confirms it); a refused
POST writes nothing. Who may open what is written out in tests/security/urlmap.py, and a URL
with a parameter that it does not know fails here until it is classified.
"""

import pytest
from django.urls import reverse

from tests.security.urlmap import ADMIN_ACCESS, classify, registered_admin_models, row_counts
from tests.security.world import EDITOR, LOGGED_IN, MEMBER_B, REVIEWER, ROLES

pytestmark = pytest.mark.django_db

LOGIN_PATHS = ("/accounts/login/", "/admin/login/")


def _is_login_redirect(response) -> bool:
    return response.status_code == 302 and response["Location"].startswith(LOGIN_PATHS)


def _refusal_problems(case, role, method, response, missing) -> list[str]:
    """What is wrong with how a request the role may not make was answered."""
    where = f"{method} {case.url} ({case.label}) as {role}"
    status = response.status_code
    problems = []
    if 200 <= status < 300:
        problems.append(f"{where}: answered {status}")
    elif (
        300 <= status < 400
        and not _is_login_redirect(response)
        and not (case.is_admin and case.label.endswith("(redirect to change)"))
    ):
        problems.append(f"{where}: redirected to {response['Location']}")
    if status != missing.status_code:
        problems.append(
            f"{where}: answered {status}, but {missing.status_code} for an object that does "
            "not exist: the answer tells that it exists"
        )
    if not case.is_admin and role in LOGGED_IN and status not in (404, 405):
        problems.append(f"{where}: answered {status}; a private object is a 404")
    return problems


def test_every_url_that_names_an_object_is_in_the_matrix(world):
    cases, unknown = classify(world)
    assert unknown == []
    assert len(cases) > 100
    assert set(ADMIN_ACCESS) == registered_admin_models()


def test_no_role_opens_an_object_it_may_not_and_each_opens_what_it_may(world):
    cases, _ = classify(world)
    problems = []
    for role in ROLES:
        client = world.client(role)
        client.get(reverse("pages:home"))  # the session's first request records it (allauth)
        for case in cases:
            response = client.get(case.url)
            if role in case.get:
                if response.status_code != case.get_status:
                    problems.append(
                        f"GET {case.url} ({case.label}) as {role}: answered "
                        f"{response.status_code}, expected {case.get_status}"
                    )
                continue
            missing = client.get(case.missing_url)
            problems += _refusal_problems(case, role, "GET", response, missing)
    assert problems == [], "\n".join(problems)


def test_no_role_posts_to_an_object_it_may_not_and_a_refused_post_writes_nothing(world):
    cases, _ = classify(world)
    problems = []
    for role in ROLES:
        client = world.client(role)
        client.get(reverse("pages:home"))
        for case in cases:
            if role in case.post:
                continue
            before = row_counts()
            response = client.post(case.url, case.data)
            if row_counts() != before:
                problems.append(f"POST {case.url} ({case.label}) as {role} wrote to the database")
            missing = client.post(case.missing_url, case.data)
            problems += _refusal_problems(case, role, "POST", response, missing)
    assert problems == [], "\n".join(problems)


@pytest.mark.parametrize("role", [EDITOR, REVIEWER])
def test_editors_and_reviewers_see_no_members_addresses_or_health_data_in_any_admin_list(
    world, role
):
    secrets = {
        "A's e-mail address": world.canaries.email,
        "B's e-mail address": world.users[MEMBER_B].email,
        **{k: v for k, v in world.canaries.never_public().items() if "post" in k or "edit" in k},
        "A's members-only post": world.canaries.members_only_post,
    }
    client = world.client(role)
    opened = 0
    for model in registered_admin_models():
        app_label, model_name = model.split(".")
        for url in (
            reverse(f"admin:{app_label}_{model_name}_changelist"),
            reverse(f"admin:{app_label}_{model_name}_changelist") + "?q=example.org",
        ):
            response = client.get(url)
            if response.status_code != 200:
                continue
            opened += 1
            html = response.content.decode()
            for what, canary in secrets.items():
                assert canary not in html, f"{what} in {url} as {role}"
    assert opened >= 8  # the lists of their work: conditions, questions, answers, feedback...
