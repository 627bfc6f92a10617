from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context as allauth_context
from allauth.mfa.adapter import DefaultMFAAdapter
from django import forms
from django.contrib.sites.shortcuts import get_current_site
from django.db import transaction

from diseasemaps.core.audit import audit
from diseasemaps.core.tasks import queue_email
from diseasemaps.members import services


class AccountAdapter(DefaultAccountAdapter):
    def save_user(self, request, user, form, commit=True):
        """The user and their profile are created together or not at all."""
        with transaction.atomic():
            user = super().save_user(request, user, form, commit=commit)
            if commit and "display_name" in form.cleaned_data:
                services.create_profile(user=user, display_name=form.cleaned_data["display_name"])
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


class MFAAdapter(DefaultMFAAdapter):
    def build_totp_svg(self, url: str) -> str:
        """The QR code as inline SVG for our page: without the XML declaration."""
        svg = super().build_totp_svg(url)
        return svg[svg.index("<svg") :]


def user_display(user) -> str:
    """How allauth names a person in its messages and mails: their pseudonym, never the address."""
    profile = getattr(user, "member_profile", None)
    return profile.display_name if profile is not None else "you"
