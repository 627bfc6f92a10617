"""
One small rate limiter for every form that takes input from the public, and for reading
members' content (`limit_member_reads`).

Counts live in the shared cache (the database cache, or Redis in production), so a limit holds
across gunicorn workers and machines. The window is fixed: `limit` attempts per `period` seconds,
counted from the first attempt in the window.
"""

import logging
from dataclasses import dataclass
from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest
from django.shortcuts import render

# Security events, for whoever watches the logs: ids and addresses only, never an e-mail
# address or anything a member wrote.
audit_log = logging.getLogger("diseasemaps.audit")


@dataclass(frozen=True)
class RateLimit:
    """A named limit, e.g. RateLimit("share-experience", limit=5, period=3600)."""

    scope: str
    limit: int
    period: int

    def hit(self, key: str) -> bool:
        """Count one attempt by `key` (a user id or client address); True when over the limit."""
        return self.count(key) > self.limit

    def count(self, key: str) -> int:
        """
        Count one attempt by `key` and return how many it has made in this window.

        `cache.add` creates the counter with its expiry only if it is absent, and `incr` is
        atomic on Redis; on the database cache two racing requests may both pass, which errs on
        the side of the member.
        """
        cache_key = f"ratelimit:{self.scope}:{key}"
        cache.add(cache_key, 0, timeout=self.period)
        try:
            return cache.incr(cache_key)
        except ValueError:
            # The counter expired between add and incr: this is the first attempt of a window.
            cache.set(cache_key, 1, timeout=self.period)
            return 1

    def reset(self, key: str) -> None:
        cache.delete(f"ratelimit:{self.scope}:{key}")


def client_ip(request: HttpRequest) -> str:
    """
    The client's address, trusting exactly DISEASEMAPS_TRUSTED_PROXY_COUNT proxies.

    Each trusted proxy appends the address it saw to X-Forwarded-For, so the client is the
    entry that many places from the right; anything further left was written by the client
    and cannot be trusted.
    """
    proxies = settings.DISEASEMAPS_TRUSTED_PROXY_COUNT
    remote = request.META.get("REMOTE_ADDR", "")
    if proxies <= 0:
        return remote
    forwarded = [
        part.strip()
        for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
        if part.strip()
    ]
    if len(forwarded) < proxies:
        return remote
    return forwarded[-proxies]


def request_key(request: HttpRequest) -> str:
    """Who is asking: the member when logged in, else the client address."""
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return f"user:{user.pk}"
    return f"ip:{client_ip(request)}"


def member_read_limits() -> tuple[RateLimit, RateLimit]:
    """Reading members' content: (per account, per client address), from the settings."""
    period = settings.DISEASEMAPS_MEMBER_READS_MINUTES * 60
    return (
        RateLimit(
            "member-reads", limit=settings.DISEASEMAPS_MEMBER_READS_PER_ACCOUNT, period=period
        ),
        RateLimit(
            "member-reads-ip", limit=settings.DISEASEMAPS_MEMBER_READS_PER_ADDRESS, period=period
        ),
    )


def member_reads_paused(request: HttpRequest) -> bool:
    """
    Count one page of members' content read by a logged-in person, against their account and
    against their client address (so that several accounts from one place share a limit);
    True when either is over. The moment a limit is first passed in a window is an audit event.
    """
    per_account, per_address = member_read_limits()
    address = client_ip(request)
    over = []
    for limit, key in ((per_account, f"user:{request.user.pk}"), (per_address, f"ip:{address}")):
        count = limit.count(key)
        if count > limit.limit:
            over.append(limit)
        if count == limit.limit + 1:
            audit_log.warning(
                "Reading members' content paused: %s limit of %s pages in %s minutes passed "
                "(user id %s, client %s).",
                "account" if limit is per_account else "address",
                limit.limit,
                limit.period // 60,
                request.user.pk,
                address,
                extra={
                    "event": "member_reads_paused",
                    "user_id": request.user.pk,
                    "client_ip": address,
                },
            )
    return bool(over)


def limit_member_reads(view):
    """
    For views that show members' content to logged-in people (members' pages, posts, the
    feeds on condition and question pages): past DISEASEMAPS_MEMBER_READS_PER_ACCOUNT pages per
    account, or DISEASEMAPS_MEMBER_READS_PER_ADDRESS per client address, in
    DISEASEMAPS_MEMBER_READS_MINUTES, the reader gets a page asking them to come back later
    (429), so that nobody can walk every member's page and members-only post at full speed.
    Visitors see no members-only content and are not counted.
    """

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if request.user.is_authenticated and member_reads_paused(request):
            minutes = settings.DISEASEMAPS_MEMBER_READS_MINUTES
            response = render(request, "core/reading_paused.html", {"minutes": minutes}, status=429)
            response["Retry-After"] = str(minutes * 60)
            return response
        return view(request, *args, **kwargs)

    return wrapped
