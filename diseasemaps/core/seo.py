"""
How pages present themselves to search engines and to the apps people share links in: the
canonical address, Open Graph tags, breadcrumbs and per-page descriptions. Absolute URLs are
built from the DISEASEMAPS_SITE_URL setting, never from the request's Host header, which a
client controls.
"""

from dataclasses import dataclass

from django.conf import settings
from django.urls import reverse
from django.utils.text import Truncator

DESCRIPTION_LENGTH = 160

SITE_DESCRIPTION = (
    "Medically reviewed answers about living with a condition, and the first-person experiences "
    "of people who live with it."
)


@dataclass(frozen=True)
class AccountPage:
    label: str
    description: str


# The account pages, whose templates come from django-allauth: each gets its own breadcrumb
# label and description, so that no two pages share one.
ACCOUNT_PAGES = {
    "account_login": AccountPage(
        "Log in",
        "Log in to your DiseaseMaps account to share your experiences and follow the "
        "conditions you live with.",
    ),
    "account_signup": AccountPage(
        "Create an account",
        "Create a DiseaseMaps account to share your first-person experiences of a condition and "
        "learn from people who live with it.",
    ),
    "account_reset_password": AccountPage(
        "Reset your password",
        "Forgotten your DiseaseMaps password? Ask for a link to set a new one.",
    ),
    "account_reset_password_done": AccountPage(
        "Reset link sent", "We have sent you a link to reset your DiseaseMaps password."
    ),
    "account_reset_password_from_key": AccountPage(
        "Choose a new password", "Choose a new password for your DiseaseMaps account."
    ),
    "account_reset_password_from_key_done": AccountPage(
        "Password changed", "Your DiseaseMaps password has been changed."
    ),
    "account_logout": AccountPage("Log out", "Log out of your DiseaseMaps account."),
    "account_email_verification_sent": AccountPage(
        "Check your e-mail",
        "Open the link we sent you to confirm your e-mail address and finish creating your "
        "DiseaseMaps account.",
    ),
    "account_confirm_email": AccountPage(
        "Confirm your e-mail address", "Confirm the e-mail address of your DiseaseMaps account."
    ),
    "account_change_password": AccountPage(
        "Change your password", "Change the password of your DiseaseMaps account."
    ),
    "account_set_password": AccountPage(
        "Set a password", "Set a password for your DiseaseMaps account."
    ),
    "account_email": AccountPage(
        "Your e-mail address", "Change the e-mail address of your DiseaseMaps account."
    ),
    "account_inactive": AccountPage("Account closed", "This DiseaseMaps account is closed."),
    "account_reauthenticate": AccountPage(
        "Confirm it is you", "Confirm it is you before changing your DiseaseMaps account."
    ),
}


def absolute_url(path: str) -> str:
    """`path` on the public site: DISEASEMAPS_SITE_URL + path."""
    return settings.DISEASEMAPS_SITE_URL + path


def describe(text: str) -> str:
    """A meta description: one line, cut at a word to fit what search engines show."""
    return Truncator(" ".join(text.split())).chars(DESCRIPTION_LENGTH)


@dataclass(frozen=True)
class ShareMeta:
    """The canonical address and the Open Graph card of an indexable page."""

    path: str
    title: str
    description: str
    og_type: str = "website"

    @property
    def canonical_url(self) -> str:
        return absolute_url(self.path)


@dataclass(frozen=True)
class Crumb:
    name: str
    url: str


def breadcrumbs(*, condition=None, question=None, here: Crumb | None = None) -> list[Crumb]:
    """
    The trail from the home page to a page: Home › Conditions › condition › question, or
    Home › `here` for a page outside the conditions tree. The last crumb is the page itself.
    """
    trail = [Crumb("Home", reverse("pages:home"))]
    if here:
        return [*trail, here]
    trail.append(Crumb("Conditions", reverse("conditions:index")))
    if condition is not None:
        trail.append(Crumb(condition.short_name, condition.get_absolute_url()))
    if question is not None:
        trail.append(Crumb(question.title, question.get_absolute_url()))
    return trail
