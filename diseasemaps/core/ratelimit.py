"""
One small rate limiter for every form that takes input from the public, and for reading
members' content (`limit_member_reads`).

The window is fixed: `limit` attempts per `period` seconds, counted from the first attempt in
the window. Counting is atomic and shared by every process and machine:

- with Redis as the cache (production), in Redis: SET NX with the window's expiry, then INCR,
  in one MULTI/EXEC transaction, one round trip;
- with any other cache (the database cache of `make run`, or a local memory cache), in the
  database table `core.RateLimitCounter`: one INSERT … ON CONFLICT DO UPDATE … RETURNING, which
  PostgreSQL and SQLite both run atomically, one query.

Django's own `cache.incr` is not used: on every cache but Redis it is a get then a set, so two
racing requests can both pass, and the set gives the key the cache's default timeout, pushing
the window's end out at every attempt.

Written by hand because the libraries for this (django-ratelimit and allauth's own limiter)
count through `cache.incr` or lists of timestamps in the cache, with those same two faults on
anything but Redis.
"""

import logging
import secrets
import time
from dataclasses import dataclass
from functools import wraps

from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache
from django.db import connection
from django.http import HttpRequest
from django.shortcuts import render

from diseasemaps.core.models import RateLimitCounter

# Security events, for whoever watches the logs: ids and addresses only, never an e-mail
# address or anything a member wrote.
audit_log = logging.getLogger("diseasemaps.audit")
# One attempt in this many also deletes the database's expired windows.
CLEANUP_ONE_IN = 200


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
        """Count one attempt by `key` and return how many it has made in this window."""
        return _count(self._key(key), self.period)

    def reset(self, key: str) -> None:
        counter_key = self._key(key)
        if _uses_redis():
            _redis(counter_key).delete(caches["default"].make_and_validate_key(counter_key))
        else:
            RateLimitCounter.objects.filter(key=counter_key).delete()

    def _key(self, key: str) -> str:
        return f"ratelimit:{self.scope}:{key}"


def _uses_redis() -> bool:
    return isinstance(caches["default"], RedisCache)


def _redis(key: str):
    """The Redis connection Django's cache uses for `key` (the cache has no public accessor)."""
    return caches["default"]._cache.get_client(key, write=True)


def count_each(*attempts: tuple[RateLimit, str]) -> list[int]:
    """
    Count one attempt against each (limit, key) and return each count, as `RateLimit.count`
    does; on Redis in one round trip (one MULTI/EXEC for all).
    """
    windows = [(limit._key(key), limit.period) for limit, key in attempts]
    if _uses_redis():
        return _count_in_redis(windows)
    return [_count_in_database(key, period) for key, period in windows]


def _count(key: str, period: int) -> int:
    if _uses_redis():
        return _count_in_redis([(key, period)])[0]
    return _count_in_database(key, period)


def _count_in_redis(windows: list[tuple[str, int]]) -> list[int]:
    cache = caches["default"]
    commands = []
    for key, period in windows:
        redis_key = cache.make_and_validate_key(key)
        commands.append(("SET", redis_key, 0, "EX", period, "NX"))  # a new window, if none
        commands.append(("INCR", redis_key))  # keeps the window's expiry
    replies = cache.transaction(commands)
    return [int(count) for count in replies[1::2]]


def _count_in_database(key: str, period: int) -> int:
    now = time.time()
    quote = connection.ops.quote_name
    table, key_, count_, expires = (
        quote(name) for name in (RateLimitCounter._meta.db_table, "key", "count", "expires_at")
    )
    # A window that has ended starts again at 1 with a new end; otherwise the count goes up
    # and the end stays where the window's first attempt put it. (Names are our model's, quoted;
    # values are parameters.)
    sql = (
        f"INSERT INTO {table} ({key_}, {count_}, {expires}) VALUES (%s, 1, %s) "  # noqa: S608
        f"ON CONFLICT ({key_}) DO UPDATE SET "
        f"{count_} = CASE WHEN {table}.{expires} <= %s THEN 1 ELSE {table}.{count_} + 1 END, "
        f"{expires} = CASE WHEN {table}.{expires} <= %s "
        f"THEN excluded.{expires} ELSE {table}.{expires} END "
        f"RETURNING {count_}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [key, now + period, now, now])
        (count,) = cursor.fetchone()
    if secrets.randbelow(CLEANUP_ONE_IN) == 0:
        RateLimitCounter.objects.filter(expires_at__lte=now).delete()
    return count


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
    counts = count_each((per_account, f"user:{request.user.pk}"), (per_address, f"ip:{address}"))
    for limit, count in zip((per_account, per_address), counts, strict=True):
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
