"""
One small rate limiter for every form that takes input from the public.

Counts live in the shared cache (the database cache, or Redis in production), so a limit holds
across gunicorn workers and machines. The window is fixed: `limit` attempts per `period` seconds,
counted from the first attempt in the window.
"""

from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest


@dataclass(frozen=True)
class RateLimit:
    """A named limit, e.g. RateLimit("share-experience", limit=5, period=3600)."""

    scope: str
    limit: int
    period: int

    def hit(self, key: str) -> bool:
        """
        Count one attempt by `key` (a user id or client address); True when it is over the limit.

        `cache.add` creates the counter with its expiry only if it is absent, and `incr` is
        atomic on Redis; on the database cache two racing requests may both pass, which errs on
        the side of the member.
        """
        cache_key = f"ratelimit:{self.scope}:{key}"
        cache.add(cache_key, 0, timeout=self.period)
        try:
            count = cache.incr(cache_key)
        except ValueError:
            # The counter expired between add and incr: this is the first attempt of a window.
            cache.set(cache_key, 1, timeout=self.period)
            count = 1
        return count > self.limit

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
