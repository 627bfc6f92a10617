"""
Every page type a visitor or member can reach, in one list, for the checks that run over all of
them (security headers, cookies, browser console, accessibility, HTML validity). A feature that
adds a page type adds it here as part of being done.
"""

from django.urls import reverse

from tests.factories import ExperienceFactory, MemberConditionFactory, published_question


def public_pages() -> dict[str, str]:
    """Name → URL of one page of each type, with the data it needs made in the test database."""
    question = published_question(
        condition__name="Dermatofibrosarcoma Protuberans", condition__abbreviation="DFSP"
    )
    ExperienceFactory(question=question)
    shared = MemberConditionFactory(condition=question.condition, visibility="everyone")
    return {
        "home": reverse("core:home"),
        "condition index": reverse("conditions:index"),
        "condition": question.condition.get_absolute_url(),
        "question": question.get_absolute_url(),
        "not found": "/no-such-page/",
        "log in": reverse("account_login"),
        "sign up": reverse("account_signup"),
        "password reset": reverse("account_reset_password"),
        "privacy notice": reverse("members:privacy"),
        "member": shared.user.member_profile.get_absolute_url(),
    }


def member_pages() -> dict[str, str]:
    """Name → URL of each page type only a logged-in member reaches (their own data)."""
    return {
        "my account": reverse("members:account"),
        "my conditions": reverse("members:conditions"),
        "my profile": reverse("members:profile"),
        "e-mail address": reverse("account_email"),
        "change password": reverse("account_change_password"),
        "two-factor authentication": reverse("mfa_index"),
        "sessions": reverse("usersessions_list"),
        "re-authenticate": reverse("account_reauthenticate"),
    }


# Member pages that show the member's own data: sent with Cache-Control: no-store.
OWN_DATA_PAGES = [
    "my account",
    "my conditions",
    "my profile",
    "e-mail address",
    "two-factor authentication",
    "sessions",
]


# Pages that only read and are open to anyone: they must set no cookie at all.
READ_ONLY_PAGES = [
    "home",
    "condition index",
    "condition",
    "question",
    "not found",
    "privacy notice",
    "member",
]
