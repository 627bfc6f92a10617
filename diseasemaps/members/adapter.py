from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.utils import get_next_redirect_url
from allauth.core import context as allauth_context
from allauth.mfa.adapter import DefaultMFAAdapter
from django import forms
from django.contrib.sites.shortcuts import get_current_site
from django.db import transaction
from django.shortcuts import resolve_url
from django.utils.http import urlencode

from diseasemaps.core.audit import audit
from diseasemaps.core.tasks import queue_email
from diseasemaps.members import services

# Where a new member was when they chose "Create an account", kept in their session until they
# confirm their address or log in.
SIGNUP_NEXT_SESSION_KEY = "diseasemaps_signup_next"


# The ways to confirm it is you before a sensitive change, by allauth's id for each.
REAUTHENTICATION_WORDS = {
    "reauthenticate": "Use your password",
    "reauthenticate_by_code": "E-mail me a code",
    "mfa_reauthenticate": "Use your authenticator app or a recovery code",
}


class AccountAdapter(DefaultAccountAdapter):
    error_messages = {
        **DefaultAccountAdapter.error_messages,
        "account_inactive": "This account is closed.",
        "email_password_mismatch": "That e-mail address and password do not match an account. "
        "Check them and try again.",
        "email_taken": "An account already uses this e-mail address.",
        "enter_current_password": "Type your current password.",
        "incorrect_code": "That code is not right. Check it and try again.",
        "incorrect_password": "That password is not right.",
        "invalid_or_expired_key": "This link has expired or has already been used.",
        "invalid_password_reset": "This link to reset your password has expired or has already "
        "been used.",
        "rate_limited": "That was a lot of tries in a short time. Please wait a few minutes and "
        "try again.",
        "same_as_current": "This is already your e-mail address.",
        "too_many_login_attempts": "Too many failed log-in attempts. Please wait a few minutes "
        "and try again, or reset your password.",
        "unverified_primary_email": "Please confirm your e-mail address first.",
    }

    def get_reauthentication_methods(self, user) -> list[dict]:
        methods = super().get_reauthentication_methods(user)
        for method in methods:
            method["description"] = REAUTHENTICATION_WORDS.get(method["id"], method["description"])
        return methods

    def save_user(self, request, user, form, commit=True):
        """The user and their profile are created together or not at all."""
        with transaction.atomic():
            user = super().save_user(request, user, form, commit=commit)
            if commit and "display_name" in form.cleaned_data:
                services.create_profile(user=user, display_name=form.cleaned_data["display_name"])
        if next_url := get_next_redirect_url(request):
            request.session[SIGNUP_NEXT_SESSION_KEY] = next_url
        return user

    def pre_authenticate(self, request, **credentials):
        """Too many failed log-ins: allauth refuses the attempt; we record the lock-out."""
        try:
            super().pre_authenticate(request, **credentials)
        except forms.ValidationError:
            audit("login_locked_out", request=request)
            raise

    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        """
        allauth's mails (verification, password reset, security notices) are rendered here, in
        the request, and sent by the task worker once the request's writes are committed: a
        mail server that is down or slow never fails or holds a sign-up, and the worker tries
        again later.
        """
        request = allauth_context.request
        ctx = {"request": request, "email": email, "current_site": get_current_site(request)}
        ctx.update(context)
        queue_email(self.render_mail(template_prefix, email, ctx))

    def login(self, request, user) -> None:
        request.session.pop(SIGNUP_NEXT_SESSION_KEY, None)
        super().login(request, user)

    def get_email_verification_redirect_url(self, email_address) -> str:
        """
        Confirming the address in the browser that signed up logs the new member in and takes
        them back to where they were: allauth's pending log-in (ACCOUNT_LOGIN_ON_EMAIL_
        CONFIRMATION) carries the sign-up's `next` and never reaches this method. It comes here
        when that pending log-in has run out (ACCOUNT_LOGIN_TIMEOUT): the member is asked to log
        in, and the log-in page still takes them back there.
        """
        url = resolve_url(super().get_email_verification_redirect_url(email_address))
        next_url = self.request.session.pop(SIGNUP_NEXT_SESSION_KEY, None)
        if next_url and not self.request.user.is_authenticated and self.is_safe_url(next_url):
            return f"{url}?{urlencode({'next': next_url})}"
        return url


class MFAAdapter(DefaultMFAAdapter):
    error_messages = {
        **DefaultMFAAdapter.error_messages,
        "incorrect_code": "That code is not right. Type the code your authenticator app shows "
        "now, or a recovery code.",
        "unverified_email": "Please confirm your e-mail address before you set up two-factor "
        "authentication.",
    }

    def build_totp_svg(self, url: str) -> str:
        """The QR code as inline SVG for our page: without the XML declaration."""
        svg = super().build_totp_svg(url)
        return svg[svg.index("<svg") :]


def user_display(user) -> str:
    """How allauth names a person in its messages and mails: their pseudonym, never the address."""
    profile = getattr(user, "member_profile", None)
    return profile.display_name if profile is not None else "you"
