"""
The account pages speak in our words: one name for each action ("Create an account", "Log in",
"Log out"), sentence case, "e-mail", no label ending in a colon, and somewhere to write to when
a page says to contact us.
"""

import re

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from django.core import mail
from django.test import Client
from django.urls import reverse

from tests.factories import TEST_PASSWORD, MemberFactory, StaffFactory
from tests.pages import public_pages

pytestmark = pytest.mark.django_db

# allauth's own words for the actions, and its Title Case, that must not come back.
NOT_OUR_WORDS = re.compile(
    r"\bsign[ -]?(up|in|out)\b|\bsignup\b|\bjoin\b|\bemail\b|\breauthenticate\b", re.I
)
# Words that keep their capital inside a sentence-case heading, label or button.
PROPER = {"DiseaseMaps", "I", "I'm", "IP", "QR", "Google", "Authenticator", "Aegis", "1Password"}
ELEMENTS = re.compile(r"<(h1|h2|h3|label|legend|button|summary|th)\b[^>]*>(.*?)</\1>", re.S)


def _words(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def _main(html: str) -> str:
    return re.search(r"<main.*?</main>", html, re.S).group(0)


def wording_problems(name: str, html: str) -> list[str]:
    problems = []
    main = _main(html)
    text = _words(main)
    title = re.search(r"<title>(.*?)</title>", html, re.S).group(1).split(" · ")[0]
    for found in NOT_OUR_WORDS.finditer(text + " " + title):
        problems.append(f"{name}: says {found.group(0)!r}")
    pieces = [("title", title)] + [(tag, _words(inner)) for tag, inner in ELEMENTS.findall(main)]
    for tag, piece in pieces:
        if piece.endswith(":"):
            problems.append(f"{name}: {tag} ends in a colon: {piece!r}")
        words = re.findall(r"[\w'’-]+", piece)
        for word in words[1:]:
            if word[0].isupper() and word not in PROPER and not word.isupper():
                problems.append(f"{name}: {tag} in Title Case: {piece!r}")
                break
    if re.search(r"contact us", text, re.I) and not (
        reverse("pages:contact") in main or 'href="mailto:' in main
    ):
        problems.append(f"{name}: says to contact us without a link")
    return problems


def verified_member(**kwargs):
    user = MemberFactory(**kwargs)
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    return user


def _reauthenticated(user) -> Client:
    client = Client()
    client.post(reverse("account_login"), {"login": user.email, "password": TEST_PASSWORD})
    client.post(reverse("account_reauthenticate"), {"password": TEST_PASSWORD})
    return client


def test_the_pages_a_visitor_meets_speak_in_our_words(client):
    pages = public_pages()
    problems = []
    for name in [
        "log in",
        "sign up",
        "password reset",
        "password reset link sent",
        "check your e-mail",
        "confirm your e-mail address",
        "confirmation link expired",
        "about",
        "contact",
    ]:
        problems += wording_problems(name, client.get(pages[name]).content.decode())
    assert problems == []


def test_the_pages_a_member_meets_speak_in_our_words():
    member = verified_member()
    client = _reauthenticated(member)
    pages = {
        "log out": reverse("account_logout"),
        "e-mail address": reverse("account_email"),
        "change password": reverse("account_change_password"),
        "two-factor authentication": reverse("mfa_index"),
        "set up an authenticator app": reverse("mfa_activate_totp"),
        "sessions": reverse("usersessions_list"),
        "request a code": reverse("account_request_reauthentication_code"),
    }
    problems = []
    for name, url in pages.items():
        response = client.get(url)
        assert response.status_code == 200, name
        problems += wording_problems(name, response.content.decode())
    client.post(reverse("account_email"), {"action_add": "", "email": "new@example.org"})
    pending = client.get(reverse("account_email")).content.decode()
    assert "Changing to" in pending
    assert ">Send the link again</button>" in pending
    assert ">Cancel the change</button>" in pending
    problems += wording_problems("e-mail address, change waiting", pending)
    reauthenticate = Client()
    reauthenticate.force_login(member)
    problems += wording_problems(
        "confirm it is you", reauthenticate.get(reverse("account_reauthenticate")).content.decode()
    )
    assert problems == []


def test_the_two_factor_pages_speak_in_our_words(staff_client_for):
    staff = StaffFactory()
    EmailAddress.objects.create(user=staff, email=staff.email, verified=True, primary=True)
    client = staff_client_for(staff)
    RecoveryCodes.activate(staff)
    client.post(reverse("account_reauthenticate"), {"password": TEST_PASSWORD})
    problems = []
    for name in [
        "mfa_index",
        "mfa_reauthenticate",
        "mfa_view_recovery_codes",
        "mfa_generate_recovery_codes",
        "mfa_deactivate_totp",
    ]:
        response = client.get(reverse(name))
        assert response.status_code == 200, name
        problems += wording_problems(name, response.content.decode())
    logging_in = Client()
    response = logging_in.post(
        reverse("account_login"), {"login": staff.email, "password": TEST_PASSWORD}
    )
    page = logging_in.get(response["Location"]).content.decode()
    assert "Type your authenticator code" in page
    problems += wording_problems("authenticator code at log-in", page)
    assert problems == []


def test_one_name_for_each_action_in_the_header_and_on_its_page(client):
    home = client.get("/conditions/").content.decode()
    header = re.search(r"<header.*?</header>", home, re.S).group(0)
    assert ">Log in</a>" in header
    assert ">Create an account</a>" in header
    signup = _main(client.get(reverse("account_signup")).content.decode())
    assert "<h1>Create an account</h1>" in signup
    assert '<button type="submit">Create an account</button>' in signup
    login = _main(client.get(reverse("account_login")).content.decode())
    assert "<h1>Log in</h1>" in login
    assert '<button type="submit">Log in</button>' in login
    member = Client()
    member.force_login(verified_member())
    header = re.search(r"<header.*?</header>", member.get("/").content.decode(), re.S).group(0)
    assert ">Log out</button>" in header
    logout = _main(member.get(reverse("account_logout")).content.decode())
    assert "<h1>Log out</h1>" in logout
    assert '<button type="submit">Log out</button>' in logout


def test_labels_are_ours_without_colons_or_placeholders(client):
    page = _main(client.get(reverse("account_signup")).content.decode())
    labels = [_words(label) for label in re.findall(r"<label[^>]*>(.*?)</label>", page, re.S)]
    assert labels == [
        "E-mail address",
        "Public name (a pseudonym)",
        "Password",
        "Type your password again",
    ]
    assert "placeholder=" not in page
    login = _main(client.get(reverse("account_login")).content.decode())
    labels = [_words(label) for label in re.findall(r"<label[^>]*>(.*?)</label>", login, re.S)]
    assert labels == ["E-mail address", "Password", "Keep me logged in"]
    assert f'<a href="{reverse("account_reset_password")}">Forgotten your password?</a>' in login


def test_the_sign_up_page_says_what_happens_to_health_data_and_links_the_privacy_notice(client):
    page = _main(client.get(reverse("account_signup")).content.decode())
    note = re.search(r'<div class="notice" id="health-data">(.*?)</div>', page, re.S).group(1)
    assert "no health information until you add a condition, and only with your consent" in note
    assert "download or delete it at any time" in note
    assert f'<a href="{reverse("members:privacy")}">privacy notice</a>' in note
    # Before the form, so it is read before anything is typed.
    assert page.index('id="health-data"') < page.index("<form")


def test_messages_speak_in_our_words(client):
    member = verified_member(profile__display_name="CalmFern")
    response = client.post(
        reverse("account_login"), {"login": member.email, "password": TEST_PASSWORD}, follow=True
    )
    assert "You are logged in as CalmFern." in response.content.decode()
    response = client.post(reverse("account_logout"), follow=True)
    assert "You are logged out." in response.content.decode()
    response = client.post(
        reverse("account_login"), {"login": member.email, "password": "wrong-password"}
    )
    assert "That e-mail address and password do not match an account." in (
        response.content.decode()
    )


def test_someone_without_a_pseudonym_is_not_called_you(client):
    staff = StaffFactory()
    EmailAddress.objects.create(user=staff, email=staff.email, verified=True, primary=True)
    response = client.post(
        reverse("account_login"), {"login": staff.email, "password": TEST_PASSWORD}, follow=True
    )
    page = response.content.decode()
    assert "You are logged in." in page
    assert "logged in as you" not in page


def test_e_mails_speak_in_our_words(client):
    member = verified_member()
    client.post(reverse("account_reset_password"), {"email": member.email})
    client.post(reverse("account_login"), {"login": member.email, "password": TEST_PASSWORD})
    client.post(
        reverse("account_change_password"),
        {
            "oldpassword": TEST_PASSWORD,
            "password1": "another-long-passphrase",
            "password2": "another-long-passphrase",
        },
    )
    subjects = [message.subject for message in mail.outbox]
    assert subjects == ["[DiseaseMaps] Reset your password", "[DiseaseMaps] Your password changed"]
    for message in mail.outbox:
        assert not NOT_OUR_WORDS.search(message.body), message.body
    notice = mail.outbox[-1].body
    assert "Your password was changed." in notice
    assert re.search(r"- on \d{1,2} [A-Z][a-z]+ \d{4}, \d{1,2}(:\d\d)?[ap]m", notice)
    assert "contact@diseasemaps.example" in notice


def test_the_check_your_e_mail_page_says_where_to_write(client, settings):
    settings.DISEASEMAPS_CONTACT_EMAIL = "hello@health.example"
    verification = _main(client.get(reverse("account_email_verification_sent")).content.decode())
    assert "mailto:hello@health.example" in verification
    assert reverse("pages:contact") in verification
