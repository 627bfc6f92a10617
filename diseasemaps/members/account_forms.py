"""
allauth's account and two-factor forms in our words (ACCOUNT_FORMS, MFA_FORMS): sentence-case
labels that say "e-mail address", no placeholders standing in for labels, and the link to reset
a forgotten password in the same words on every form that asks for one. The forms' behaviour is
allauth's own.
"""

from allauth.account import forms as account
from allauth.mfa.base import forms as mfa
from allauth.mfa.models import Authenticator
from allauth.mfa.totp import forms as totp
from allauth.mfa.totp.internal.auth import TOTP
from django.urls import reverse
from django.utils.html import format_html

EMAIL = "E-mail address"


class OurWords:
    """
    Relabels the fields a form has, from `labels` (field name → label) and `help_texts`, and
    drops allauth's placeholders: a placeholder disappears as soon as one types, a label stays.
    The password field named by `reset_link_on` links to resetting it.
    """

    labels: dict[str, str] = {}
    help_texts: dict[str, str] = {}
    reset_link_on: str | None = None

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            field.widget.attrs.pop("placeholder", None)
            if name in self.labels:
                field.label = self.labels[name]
            if name in self.help_texts:
                field.help_text = self.help_texts[name]
        if self.reset_link_on in self.fields:
            self.fields[self.reset_link_on].help_text = format_html(
                '<a href="{}">Forgotten your password?</a>', reverse("account_reset_password")
            )


class LoginForm(OurWords, account.LoginForm):
    labels = {"login": EMAIL, "password": "Password", "remember": "Keep me logged in"}
    reset_link_on = "password"


class SignupForm(OurWords, account.SignupForm):
    labels = {"email": EMAIL, "password1": "Password", "password2": "Type your password again"}


class ResetPasswordForm(OurWords, account.ResetPasswordForm):
    labels = {"email": EMAIL}


class ResetPasswordKeyForm(OurWords, account.ResetPasswordKeyForm):
    labels = {"password1": "New password", "password2": "Type your new password again"}


class ChangePasswordForm(OurWords, account.ChangePasswordForm):
    labels = {
        "oldpassword": "Current password",
        "password1": "New password",
        "password2": "Type your new password again",
    }
    reset_link_on = "oldpassword"


class SetPasswordForm(OurWords, account.SetPasswordForm):
    labels = {"password1": "Password", "password2": "Type your password again"}


class ChangeEmailForm(OurWords, account.AddEmailForm):
    labels = {"email": "New e-mail address"}


class ReauthenticateForm(OurWords, account.ReauthenticateForm):
    labels = {"password": "Password"}
    reset_link_on = "password"


class MFAAuthenticateForm(OurWords, mfa.AuthenticateForm):
    labels = {"code": "Code from your authenticator app"}
    help_texts = {"code": "Or one of your recovery codes, if you do not have your phone."}


class MFAReauthenticateForm(OurWords, mfa.ReauthenticateForm):
    labels = {"code": "Code from your authenticator app"}
    help_texts = {"code": "Or one of your recovery codes, if you do not have your phone."}


class ActivateTOTPForm(OurWords, totp.ActivateTOTPForm):
    """
    Setting up an authenticator app: allauth checks the code that proves the app works but
    does not note it as used, so the same code would also pass the next log-in. It counts as
    used here, like every other code (allauth's own marker, in the shared cache).
    """

    labels = {"code": "Code from your authenticator app"}

    def clean_code(self) -> str:
        code = super().clean_code()
        TOTP(Authenticator(user=self.user, type=Authenticator.Type.TOTP))._mark_code_used(code)
        return code
