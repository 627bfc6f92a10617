"""
Every page type a visitor or member can reach, in one list, for the checks that run over all of
them (security headers, cookies, browser console, accessibility, HTML validity). A feature that
adds a page type adds it here as part of being done.
"""

from django.urls import reverse

from diseasemaps.conditions.services import index_question
from tests.factories import ExperienceFactory, published_question


def public_pages() -> dict[str, str]:
    """Name → URL of one page of each type, with the data it needs made in the test database."""
    question = published_question(
        condition__name="Dermatofibrosarcoma Protuberans", condition__abbreviation="DFSP"
    )
    ExperienceFactory(question=question)
    index_question(question=question)
    return {
        "home": reverse("core:home"),
        "condition index": reverse("conditions:index"),
        "condition": question.condition.get_absolute_url(),
        "question": question.get_absolute_url(),
        "search": reverse("core:search") + "?q=DFSP+treatment",
        "search, nothing found": reverse("core:search") + "?q=qwzxv",
        "search, empty": reverse("core:search"),
        "not found": "/no-such-page/",
        "log in": reverse("account_login"),
        "sign up": reverse("account_signup"),
        "password reset": reverse("account_reset_password"),
    }


# Pages that only read and are open to anyone: they must set no cookie at all.
READ_ONLY_PAGES = [
    "home",
    "condition index",
    "condition",
    "question",
    "search",
    "search, nothing found",
    "search, empty",
    "not found",
]
