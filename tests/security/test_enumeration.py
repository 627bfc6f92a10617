"""
Log-in, sign-up and password reset answer the same for an address that has an account and one
that has not: same status, same redirect, same page once per-request tokens are taken out.
"""

import re

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from tests.factories import MemberFactory

pytestmark = pytest.mark.django_db

KNOWN = "known.person@example.org"
UNKNOWN = "nobody.here@example.org"
_TOKENS = [
    re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"'),
    re.compile(r'name="csrf-token" content="[^"]+"'),
    re.compile(r"nonce-[A-Za-z0-9+/=_-]+"),
    re.compile(r'nonce="[^"]+"'),
]


def normalised(response, typed: str) -> tuple[int, str, str]:
    """Status, redirect and page, with tokens and the typed address replaced by placeholders."""
    body = response.content.decode()
    for pattern in _TOKENS:
        body = pattern.sub("TOKEN", body)
    body = body.replace(typed, "TYPED")
    return response.status_code, response.get("Location", "").replace(typed, "TYPED"), body


def both(post) -> tuple:
    """The same request for the known and the unknown address, each from a fresh browser."""
    MemberFactory(email=KNOWN)
    answers = []
    for address in (KNOWN, UNKNOWN):
        client = Client()
        first = post(client, address)
        followed = client.get(first["Location"]) if first.status_code == 302 else None
        answers.append(
            (
                normalised(first, address),
                normalised(followed, address) if followed is not None else None,
            )
        )
    return answers[0], answers[1]


def test_logging_in_with_a_wrong_password_looks_the_same_whether_the_address_exists():
    known, unknown = both(
        lambda client, address: client.post(
            reverse("account_login"), {"login": address, "password": "not-the-password-1"}
        )
    )
    assert known == unknown
    assert known[0][0] == 200


def test_signing_up_looks_the_same_whether_the_address_exists():
    names = iter(["Firstpseudonym", "Secondpseudonym"])

    def sign_up(client, address):
        name = next(names)
        response = client.post(
            reverse("account_signup"),
            {
                "email": address,
                "display_name": name,
                "password1": "a-long-passphrase-42",
                "password2": "a-long-passphrase-42",
            },
        )
        return response

    known, unknown = both(sign_up)
    assert known == unknown
    assert known[0][0] == 302
    # Each address got a mail (a verification, or "you already have an account").
    assert sorted(m.to[0] for m in mail.outbox) == sorted([KNOWN, UNKNOWN])


def test_asking_for_a_password_reset_looks_the_same_whether_the_address_exists():
    known, unknown = both(
        lambda client, address: client.post(reverse("account_reset_password"), {"email": address})
    )
    assert known == unknown
    assert known[0][0] == 302
