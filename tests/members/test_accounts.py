import html
import re
from urllib.parse import quote

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.test import Client
from django.urls import reverse

from diseasemaps.members.models import MemberProfile, User
from tests.factories import TEST_PASSWORD, ConditionFactory, MemberConditionFactory, MemberFactory

pytestmark = pytest.mark.django_db

SIGNUP = {
    "email": "new.person@example.org",
    "display_name": "HopefulLark",
    "password1": "a-long-enough-passphrase",
    "password2": "a-long-enough-passphrase",
}


def link_in(message) -> str:
    return re.search(r"https?://[^\s]+", message.body).group(0)


def verified_member(**kwargs):
    user = MemberFactory(**kwargs)
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    return user


def test_signing_up_creates_the_profile_and_sends_a_verification_mail(client):
    response = client.post(reverse("account_signup"), SIGNUP)
    assert response.status_code == 302
    user = User.objects.get(email=SIGNUP["email"])
    assert MemberProfile.objects.get(user=user).display_name == "HopefulLark"
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [SIGNUP["email"]]

    # Not logged in until the address is verified.
    assert client.get(reverse("members:conditions")).status_code == 302
    confirm_url = link_in(mail.outbox[0])
    client.post(confirm_url.split("testserver", 1)[-1])
    assert EmailAddress.objects.get(user=user).verified
    response = client.post(
        reverse("account_login"), {"login": SIGNUP["email"], "password": SIGNUP["password1"]}
    )
    assert response.status_code == 302
    assert client.get(reverse("members:conditions")).status_code == 200


def test_the_signup_page_asks_for_a_pseudonym_and_advises_against_a_real_name(client):
    page = client.get(reverse("account_signup")).content.decode()
    assert 'name="display_name"' in page
    assert "don't use your real name" in html.unescape(page)  # help text is escaped text
    # The password rules are a list inside a <div> the input points at (valid HTML).
    assert '<div class="field__help" id="id_password1_helptext"><ul>' in page
    assert 'aria-describedby="id_password1_helptext"' in page


def test_a_short_password_or_a_taken_pseudonym_is_refused_and_the_form_keeps_what_was_typed(
    client,
):
    MemberFactory(profile__display_name="HopefulLark")
    response = client.post(
        reverse("account_signup"), SIGNUP | {"password1": "short", "password2": "short"}
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "at least 10 characters" in page
    assert "Another member already uses this name" in page
    assert 'value="new.person@example.org"' in page
    assert not User.objects.filter(email=SIGNUP["email"]).exists()


@pytest.mark.parametrize(
    "lookalike",
    [
        "ＢｒａｖｅＷｉｌｌｏｗ1",
        "Br\u0430veWillow1",
        "bravewillow1",
        "BRAVEWILLOW1",
        "BraveWilIow1",
    ],
)
def test_a_lookalike_of_a_members_name_is_refused_and_the_form_keeps_what_was_typed(
    client, lookalike
):
    MemberFactory(profile__display_name="BraveWillow1")
    response = client.post(reverse("account_signup"), SIGNUP | {"display_name": lookalike})
    page = response.content.decode()
    assert response.status_code == 200
    assert "Another member already uses this name, or one that looks just like it." in page
    assert f'value="{lookalike}"' in page
    assert 'value="new.person@example.org"' in page
    assert not User.objects.filter(email=SIGNUP["email"]).exists()
    assert mail.outbox == []


@pytest.mark.parametrize(
    ("typed", "named"),
    [
        ("Brave\u200bWillow1", "U+200B ZERO WIDTH SPACE"),
        ("Good\u202eevil", "U+202E RIGHT-TO-LEFT OVERRIDE"),
    ],
)
def test_a_name_with_an_invisible_or_direction_changing_character_is_refused(client, typed, named):
    response = client.post(reverse("account_signup"), SIGNUP | {"display_name": typed})
    page = response.content.decode()
    assert response.status_code == 200
    assert named in page
    assert f'value="{typed}"' in page
    assert not User.objects.filter(email=SIGNUP["email"]).exists()


def test_a_full_width_name_is_stored_as_the_letters_it_stands_for(client):
    client.post(reverse("account_signup"), SIGNUP | {"display_name": "ＨｏｐｅｆｕｌＬａｒｋ"})
    assert MemberProfile.objects.get(user__email=SIGNUP["email"]).display_name == "HopefulLark"


def test_a_sign_up_that_loses_a_race_for_its_name_gets_a_form_error_not_a_server_error(
    client, monkeypatch
):
    """
    The rival's profile appears after the form and the service checked the name and before
    the insert: the database refuses it, and the member sees the form again with the message.
    """
    from diseasemaps.members import services

    checked = services.display_name_taken
    answers = []

    def rival_signs_up_meanwhile(display_name, *, exclude=None):
        answers.append(checked(display_name, exclude=exclude))
        if len(answers) == 2:  # the service's own check: the insert comes next
            MemberFactory(profile__display_name="HopefulLark")
        return answers[-1]

    monkeypatch.setattr(services, "display_name_taken", rival_signs_up_meanwhile)
    client.raise_request_exception = False
    response = client.post(reverse("account_signup"), SIGNUP)
    page = response.content.decode()
    assert response.status_code == 200
    assert answers == [False, False, True]
    assert "Another member already uses this name, or one that looks just like it." in page
    assert 'value="HopefulLark"' in page
    assert not User.objects.filter(email=SIGNUP["email"]).exists()
    assert mail.outbox == []


def test_signing_up_with_a_known_address_looks_the_same_and_creates_nothing(client):
    existing = verified_member(email="new.person@example.org")
    unknown = Client().post(
        reverse("account_signup"), SIGNUP | {"email": "other@example.org", "display_name": "Other1"}
    )
    known = client.post(reverse("account_signup"), SIGNUP)
    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"]
    assert User.objects.filter(email=existing.email).count() == 1
    assert not MemberProfile.objects.filter(display_name="HopefulLark").exists()
    # The owner of the address is told, by mail, that someone tried.
    assert any(
        "already" in message.body.lower()
        for message in mail.outbox
        if message.to == [existing.email]
    )


def test_password_reset_answers_the_same_for_known_and_unknown_addresses(client):
    member = verified_member()
    known = client.post(reverse("account_reset_password"), {"email": member.email})
    unknown = client.post(reverse("account_reset_password"), {"email": "nobody@example.org"})
    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"]


def test_a_member_resets_their_password_with_the_link_from_the_mail(client):
    member = verified_member()
    client.post(reverse("account_reset_password"), {"email": member.email})
    reset_mail = next(message for message in mail.outbox if message.to == [member.email])
    url = link_in(reset_mail).split("testserver", 1)[-1]
    response = client.get(url)
    form_url = response["Location"] if response.status_code == 302 else url
    response = client.post(
        form_url, {"password1": "a-brand-new-passphrase", "password2": "a-brand-new-passphrase"}
    )
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.check_password("a-brand-new-passphrase")


def test_logging_in_is_rate_limited_after_repeated_failures(client):
    member = verified_member()
    statuses = []
    for _ in range(12):
        response = client.post(
            reverse("account_login"), {"login": member.email, "password": "wrong-password"}
        )
        statuses.append(response.status_code)
    page = response.content.decode()
    assert "Too many failed log-in attempts" in page or 429 in statuses
    # Even the right password is refused while limited.
    response = client.post(
        reverse("account_login"), {"login": member.email, "password": TEST_PASSWORD}
    )
    assert "_auth_user_id" not in client.session


def test_changing_the_email_needs_the_password_again_and_notifies(client):
    member = verified_member()
    client.post(reverse("account_login"), {"login": member.email, "password": TEST_PASSWORD})
    response = client.post(reverse("account_email"), {"action_add": "", "email": "new@example.org"})
    assert response["Location"].startswith(reverse("account_reauthenticate"))
    client.post(reverse("account_reauthenticate"), {"password": TEST_PASSWORD})
    response = client.post(reverse("account_email"), {"action_add": "", "email": "new@example.org"})
    assert response.status_code == 302
    assert any(message.to == ["new@example.org"] for message in mail.outbox)


def test_changing_the_password_sends_a_security_notice(client):
    member = verified_member()
    client.post(reverse("account_login"), {"login": member.email, "password": TEST_PASSWORD})
    response = client.post(
        reverse("account_change_password"),
        {
            "oldpassword": TEST_PASSWORD,
            "password1": "another-long-passphrase",
            "password2": "another-long-passphrase",
        },
    )
    assert response.status_code == 302
    assert any(message.to == [member.email] for message in mail.outbox)


def test_no_email_names_a_condition_in_its_subject_or_first_line(client):
    condition = ConditionFactory(name="Dermatofibrosarcoma Protuberans")
    member = verified_member()
    MemberConditionFactory(user=member, condition=condition)
    client.post(reverse("account_signup"), SIGNUP)
    client.post(reverse("account_reset_password"), {"email": member.email})
    client.post(reverse("account_login"), {"login": member.email, "password": TEST_PASSWORD})
    client.post(
        reverse("account_change_password"),
        {
            "oldpassword": TEST_PASSWORD,
            "password1": "x-long-passphrase-1",
            "password2": "x-long-passphrase-1",
        },
    )
    assert len(mail.outbox) >= 3
    for message in mail.outbox:
        first_line = message.body.strip().splitlines()[0]
        for text in (message.subject, first_line):
            assert "Dermatofibrosarcoma" not in text
            assert "condition" not in text.lower()


def test_behind_a_proxy_the_rate_limit_counts_the_client_address_not_the_proxys(client, settings):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1

    def attempt(client_address: str, n: int):
        return client.post(
            reverse("account_login"),
            {"login": f"nobody{n}@example.org", "password": "wrong-password"},
            HTTP_X_FORWARDED_FOR=client_address,
            REMOTE_ADDR="10.0.0.1",
        )

    for n in range(12):
        response = attempt("203.0.113.7", n)
    assert response.status_code == 429 or "Too many" in response.content.decode()
    other = attempt("198.51.100.9", 99)
    assert other.status_code == 200
    assert "Too many" not in other.content.decode()


def test_a_failed_sign_up_leaves_no_account_without_a_profile(client, monkeypatch):
    from diseasemaps.members import services

    def broken(**kwargs):
        raise RuntimeError("database hiccup")

    monkeypatch.setattr(services, "create_profile", broken)
    client.raise_request_exception = False
    response = client.post(reverse("account_signup"), SIGNUP)
    assert response.status_code == 500
    assert not User.objects.filter(email=SIGNUP["email"]).exists()


def test_emails_greet_from_diseasemaps_not_from_the_host_name(client):
    client.post(reverse("account_signup"), SIGNUP)
    assert mail.outbox[0].body.startswith("Hello from DiseaseMaps!")
    assert mail.outbox[0].subject.startswith("[DiseaseMaps] ")


def test_allauth_names_the_member_by_their_pseudonym_never_their_address(client):
    member = verified_member(profile__display_name="CalmFern")
    response = client.post(
        reverse("account_login"), {"login": member.email, "password": TEST_PASSWORD}, follow=True
    )
    page = response.content.decode()
    assert "CalmFern" in page
    assert member.email not in page


# --- Confirming the address brings the new member back to what they were doing ---------------

SHARE_PATH = "/experiences/share/dfsp/standard-treatment/"


def _sign_up(client, next_url: str = SHARE_PATH) -> str:
    """Signs up from a page (`next`) and returns the path of the link in the confirmation mail."""
    response = client.post(reverse("account_signup"), SIGNUP | {"next": next_url})
    assert response["Location"] == reverse("account_email_verification_sent")
    return link_in(mail.outbox[-1]).split("testserver", 1)[-1]


def test_confirming_in_the_browser_that_signed_up_logs_in_and_returns_to_where_they_were(client):
    link = _sign_up(client)
    assert "_auth_user_id" not in client.session
    response = client.post(link)
    assert response.status_code == 302
    assert response["Location"] == SHARE_PATH
    user = User.objects.get(email=SIGNUP["email"])
    assert client.session["_auth_user_id"] == str(user.pk)
    assert EmailAddress.objects.get(user=user).verified


def test_a_confirmation_after_the_pending_log_in_ran_out_asks_to_log_in_then_returns(
    client, settings
):
    link = _sign_up(client)
    settings.ACCOUNT_LOGIN_TIMEOUT = -1  # the pending log-in of the sign-up has run out
    response = client.post(link)
    assert "_auth_user_id" not in client.session
    assert response["Location"] == f"{reverse('account_login')}?next={quote(SHARE_PATH, safe='')}"
    page = client.get(response["Location"]).content.decode()
    assert f'<input type="hidden" name="next" value="{SHARE_PATH}">' in page
    response = client.post(
        reverse("account_login"),
        {"login": SIGNUP["email"], "password": SIGNUP["password1"], "next": SHARE_PATH},
    )
    assert response["Location"] == SHARE_PATH


def test_confirming_on_another_device_confirms_the_address_but_logs_nobody_in(client):
    link = _sign_up(client)
    other_device = Client()
    response = other_device.post(link)
    assert EmailAddress.objects.get(email=SIGNUP["email"]).verified
    assert "_auth_user_id" not in other_device.session
    assert response["Location"] == reverse("account_login")


def test_a_next_to_another_site_is_never_followed_after_confirming(client):
    link = _sign_up(client, next_url="https://evil.example/")
    response = client.post(link)
    assert response["Location"] != "https://evil.example/"
    assert "evil.example" not in response["Location"]


def test_the_confirmation_mail_says_where_to_open_the_link(client):
    _sign_up(client)
    message = mail.outbox[-1]
    assert message.subject == "[DiseaseMaps] Confirm your e-mail address"
    assert "Open it in the browser where you created your account" in message.body
    # The mail never names the page the member came from: it may name a condition.
    assert "dfsp" not in message.body


def test_log_in_and_create_an_account_in_the_header_come_back_to_the_page(client, db):
    condition = ConditionFactory(slug="gout")
    html = client.get(condition.get_absolute_url()).content.decode()
    back = quote(condition.get_absolute_url(), safe="")
    assert f'<li><a href="{reverse("account_login")}?next={back}">Log in</a></li>' in html
    assert (
        f'<a class="button button--small" href="{reverse("account_signup")}?next={back}">'
        "Create an account</a>"
    ) in html


def test_on_an_account_page_the_header_passes_its_own_next_on_and_never_another_site(client):
    login = client.get(reverse("account_login"), {"next": SHARE_PATH}).content.decode()
    assert f'href="{reverse("account_signup")}?next={quote(SHARE_PATH, safe="")}"' in login
    elsewhere = client.get(reverse("account_login"), {"next": "https://evil.example/"})
    header = re.search(r"<header.*?</header>", elsewhere.content.decode(), re.S).group(0)
    assert "evil.example" not in header
    assert f'href="{reverse("account_signup")}"' in header
