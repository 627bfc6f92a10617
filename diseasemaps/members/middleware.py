"""
What a logged-in session may do, and for how long.

Two-factor authentication is required for staff. allauth makes it optional for everyone, so
`StaffMFAMiddleware` adds the rule:

- a staff user without an authenticator app is sent to set one up, and can reach nothing but
  the account pages until they have;
- the admin refuses a session that has not passed the second factor (a log-in or a
  re-authentication with a code), and sends it to enter one.

A session that passes the second factor gets a new key (`rotate_session_after_second_factor`),
so a key seen before the code was typed is worth nothing afterwards.

`SessionLifetimeMiddleware` ends sessions: staff ones after a short time without a request and
a few hours after logging in, whatever happens; members' ones after days (the figures are the
DISEASEMAPS_*_SESSION_* settings).
"""

import time
from dataclasses import dataclass

from allauth.account.authentication import get_authentication_records
from allauth.mfa.models import Authenticator
from allauth.usersessions.models import UserSession
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
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


def rotate_session_after_second_factor(sender, request, **kwargs) -> None:
    """
    allauth's `authenticator_used` signal: after a code (at log-in, or re-authenticating to
    reach the admin), the session moves to a new key, and allauth's list of the member's
    sessions follows it. Django changes the key at log-in too; a re-authentication alone would
    keep the old one.
    """
    session = getattr(request, "session", None)
    if session is None or session.session_key is None:
        return
    old_key = session.session_key
    session.cycle_key()
    UserSession.objects.filter(session_key=old_key).update(session_key=session.session_key)


@dataclass(frozen=True)
class SessionLifetime:
    """How long a session lasts, in seconds: without a request (idle), and at most (absolute)."""

    idle: int
    absolute: int
    idle_text: str
    absolute_text: str


def session_lifetime(user) -> SessionLifetime:
    """Staff can read moderation queues and members' reports: their sessions are short."""
    if user.is_staff:
        idle = settings.DISEASEMAPS_STAFF_SESSION_IDLE_MINUTES
        most = settings.DISEASEMAPS_STAFF_SESSION_MAX_HOURS
        return SessionLifetime(
            idle=idle * 60,
            absolute=most * 3600,
            idle_text=f"{idle} minute{'s' if idle != 1 else ''}",
            absolute_text=f"{most} hour{'s' if most != 1 else ''}",
        )
    idle = settings.DISEASEMAPS_MEMBER_SESSION_IDLE_DAYS
    most = settings.DISEASEMAPS_MEMBER_SESSION_MAX_DAYS
    return SessionLifetime(
        idle=idle * 86400,
        absolute=most * 86400,
        idle_text=f"{idle} day{'s' if idle != 1 else ''}",
        absolute_text=f"{most} day{'s' if most != 1 else ''}",
    )


SESSION_STARTED_AT = "diseasemaps_session_started_at"
SESSION_SEEN_AT = "diseasemaps_session_seen_at"
# The last request is noted at most this often (seconds), so that a page of several requests
# writes the session once; the idle timeout is exact to within this.
SEEN_RESOLUTION = 60


def start_session_lifetime(sender, request, user, **kwargs) -> None:
    """`user_logged_in`: a session's lifetime starts when its person logs in."""
    now = time.time()
    request.session[SESSION_STARTED_AT] = now
    request.session[SESSION_SEEN_AT] = now


class SessionLifetimeMiddleware:
    """
    Ends a logged-in session that has been idle, or alive, for longer than its lifetime
    (`session_lifetime`): the person is logged out, told why, and the request goes on as a
    visitor's (a members-only page then asks them to log in again). The server decides from
    the session's own record of when it started and was last used; the cookie and the stored
    session are also set to expire then, so neither outlives the limit.

    A session's record starts at log-in (`start_session_lifetime`); one from before these
    limits, without a record, counts from its next request.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            self._enforce(request, user)
        response = self.get_response(request)
        self._expire_with_the_session(request)
        return response

    def _enforce(self, request, user) -> None:
        session = request.session
        lifetime = session_lifetime(user)
        now = time.time()
        started = session.get(SESSION_STARTED_AT)
        seen = session.get(SESSION_SEEN_AT)
        if started is None or seen is None:
            start_session_lifetime(sender=None, request=request, user=user)
            return
        if now - started >= lifetime.absolute:
            why = f": a session lasts at most {lifetime.absolute_text}"
        elif now - seen >= lifetime.idle:
            why = f" after {lifetime.idle_text} without activity"
        else:
            if now - seen >= SEEN_RESOLUTION:
                session[SESSION_SEEN_AT] = now
            return
        logout(request)
        messages.info(request, f"For your safety you were logged out{why}. Please log in again.")

    @staticmethod
    def _expire_with_the_session(request) -> None:
        """
        Whenever the session is saved (at log-in, then at most once a minute), its cookie and
        its stored copy are set to expire when it would end if left unused. This runs after the
        view, so it has the last word over allauth's "Remember me" expiry, except that a session
        not to be remembered keeps a cookie that ends when the browser closes.
        """
        session = getattr(request, "session", None)
        user = getattr(request, "user", None)
        if session is None or user is None or not user.is_authenticated:
            return
        started = session.get(SESSION_STARTED_AT)
        if not session.modified or started is None or session.get_expire_at_browser_close():
            return
        lifetime = session_lifetime(user)
        remaining = lifetime.absolute - (time.time() - started)
        session.set_expiry(max(1, int(min(lifetime.idle, remaining))))
