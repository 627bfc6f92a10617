"""
Two-factor authentication is required for staff. allauth makes it optional for everyone, so
this middleware adds the rule:

- a staff user without an authenticator app is sent to set one up, and can reach nothing but
  the account pages until they have;
- the admin refuses a session that has not passed the second factor (a log-in or a
  re-authentication with a code), and sends it to enter one.
"""

from allauth.account.authentication import get_authentication_records
from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib import messages
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.utils.http import urlencode


def session_passed_mfa(request, user) -> bool:
    return any(
        record.get("method") == "mfa" for record in get_authentication_records(request, user)
    )


def has_totp(user) -> bool:
    return Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()


class StaffMFAMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.is_staff:
            response = self._enforce(request, user)
            if response is not None:
                return response
        return self.get_response(request)

    def _enforce(self, request, user):
        path = request.path
        open_prefixes = ("/accounts/", f"/{settings.STATIC_URL.lstrip('/')}")
        if not has_totp(user):
            if path.startswith(open_prefixes):
                return None
            messages.info(
                request,
                "Staff accounts need two-factor authentication. Set up an authenticator app "
                "to continue.",
            )
            return HttpResponseRedirect(reverse("mfa_activate_totp"))
        admin_prefix = reverse("admin:index")
        if path.startswith(admin_prefix) and not session_passed_mfa(request, user):
            query = urlencode({"next": request.get_full_path()})
            return HttpResponseRedirect(f"{reverse('mfa_reauthenticate')}?{query}")
        return None


class PrivatePagesMiddleware:
    """
    A page rendered for a logged-in person may show their own data (their name in the header,
    their account pages, allauth's e-mail and security pages): unless the view said otherwise,
    it is never stored by a browser or a shared cache.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not response.has_header("Cache-Control"):
            add_never_cache_headers(response)
        return response
