import threading

import pytest
from django.db import connection
from django.test import RequestFactory

from diseasemaps.core import ratelimit
from diseasemaps.core.models import RateLimitCounter
from diseasemaps.core.ratelimit import RateLimit, client_ip, request_key


def test_attempts_over_the_limit_are_refused(db):
    limit = RateLimit("test-form", limit=3, period=60)
    results = [limit.hit("ip:1.2.3.4") for _ in range(5)]
    assert results == [False, False, False, True, True]


def test_each_key_has_its_own_count(db):
    limit = RateLimit("test-form", limit=1, period=60)
    assert limit.hit("ip:1.1.1.1") is False
    assert limit.hit("ip:2.2.2.2") is False
    assert limit.hit("ip:1.1.1.1") is True


def test_scopes_do_not_share_counts(db):
    RateLimit("a", limit=1, period=60).hit("k")
    assert RateLimit("b", limit=1, period=60).hit("k") is False


def test_reset_starts_a_new_window(db):
    limit = RateLimit("test-form", limit=1, period=60)
    limit.hit("k")
    limit.reset("k")
    assert limit.hit("k") is False


def test_without_trusted_proxies_the_forwarded_header_is_ignored(settings):
    settings.DISEASEMAPS_TRUSTED_PROXY_COUNT = 0
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="6.6.6.6")
    assert client_ip(request) == "10.0.0.1"


def test_with_one_trusted_proxy_the_last_forwarded_address_is_the_client(settings):
    settings.DISEASEMAPS_TRUSTED_PROXY_COUNT = 1
    request = RequestFactory().get(
        "/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.7"
    )
    # 6.6.6.6 was written by the client itself and cannot be trusted.
    assert client_ip(request) == "203.0.113.7"


def test_with_two_trusted_proxies_the_client_is_second_from_the_right(settings):
    settings.DISEASEMAPS_TRUSTED_PROXY_COUNT = 2
    request = RequestFactory().get(
        "/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.7, 10.0.0.2"
    )
    assert client_ip(request) == "203.0.113.7"


def test_a_short_forwarded_header_falls_back_to_the_remote_address(settings):
    settings.DISEASEMAPS_TRUSTED_PROXY_COUNT = 2
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="6.6.6.6")
    assert client_ip(request) == "10.0.0.1"


def test_request_key_names_the_member_when_logged_in(member):
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.1")
    request.user = member
    assert request_key(request) == f"user:{member.pk}"


class Clock:
    """time.time() for the limiter, moved by hand."""

    def __init__(self, now: float = 1_000_000.0):
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch):
    clock = Clock()
    monkeypatch.setattr(ratelimit.time, "time", clock)
    return clock


def test_attempts_in_a_window_do_not_push_its_end_out(db, clock):
    limit = RateLimit("window", limit=3, period=60)
    limit.hit("k")
    first_end = RateLimitCounter.objects.get(key="ratelimit:window:k").expires_at
    clock.now += 50
    limit.hit("k")
    limit.hit("k")
    assert RateLimitCounter.objects.get(key="ratelimit:window:k").expires_at == first_end
    assert limit.hit("k") is True  # the fourth within the same 60 seconds
    clock.now += 11  # the window that began 61 seconds ago has ended
    assert limit.hit("k") is False
    assert RateLimitCounter.objects.get(key="ratelimit:window:k").count == 1


def test_counting_in_the_database_costs_one_query(db, django_assert_num_queries, monkeypatch):
    monkeypatch.setattr(ratelimit, "CLEANUP_ONE_IN", 10**9)
    limit = RateLimit("cheap", limit=5, period=60)
    limit.hit("k")
    with django_assert_num_queries(1):
        limit.hit("k")


def test_ended_windows_are_cleaned_up_now_and_then(db, clock, monkeypatch):
    limit = RateLimit("old", limit=5, period=60)
    limit.hit("gone")
    clock.now += 120
    monkeypatch.setattr(ratelimit, "CLEANUP_ONE_IN", 1)
    limit.hit("new")
    assert list(RateLimitCounter.objects.values_list("key", flat=True)) == ["ratelimit:old:new"]


@pytest.mark.postgres_only  # reason: real concurrent transactions need PostgreSQL's row locks
@pytest.mark.django_db(transaction=True)
def test_racing_attempts_are_each_counted_once_in_the_database():
    _race(RateLimit("race-db", limit=1000, period=60))
    assert RateLimitCounter.objects.get(key="ratelimit:race-db:k").count == 8 * 25


def _race(limit: RateLimit, threads: int = 8, hits: int = 25) -> None:
    barrier = threading.Barrier(threads)

    def attempt():
        barrier.wait()
        try:
            for _ in range(hits):
                limit.hit("k")
        finally:
            connection.close()

    workers = [threading.Thread(target=attempt) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()


def test_on_redis_the_count_is_exact_under_racing_attempts(redis_cache):
    limit = RateLimit("race-redis", limit=199, period=60)
    _race(limit)
    assert limit.hit("k") is True  # the 201st attempt: all 200 before it were counted


def test_on_redis_attempts_keep_the_window_end_and_reset_starts_anew(redis_cache):
    limit = RateLimit("redis-window", limit=2, period=60)
    client = ratelimit._redis("ratelimit:redis-window:k")
    redis_key = redis_cache.make_and_validate_key("ratelimit:redis-window:k")
    assert limit.hit("k") is False
    client.expire(redis_key, 30)  # as if 30 seconds of the window had passed
    assert limit.hit("k") is False
    assert 0 < client.ttl(redis_key) <= 30  # the second attempt did not push the end out
    assert limit.hit("k") is True
    limit.reset("k")
    assert limit.hit("k") is False


@pytest.mark.parametrize("store", ["database", "redis"])
def test_count_each_counts_one_attempt_in_every_window(request, db, store):
    if store == "redis":
        request.getfixturevalue("redis_cache")
    first, second = RateLimit("each-1", limit=5, period=60), RateLimit("each-2", limit=5, period=60)
    assert ratelimit.count_each((first, "k"), (second, "k")) == [1, 1]
    assert ratelimit.count_each((first, "k"), (second, "other")) == [2, 1]
    assert first.count("k") == 3
    assert second.count("k") == 2


def _calls(client) -> dict[str, int]:
    """How many times Redis ran each command since its statistics were last reset."""
    return {
        name.removeprefix("cmdstat_"): figures["calls"]
        for name, figures in client.info("commandstats").items()
    }


def test_on_redis_count_each_is_one_transaction(redis_cache):
    client = ratelimit._redis("any")
    limits = [RateLimit(f"trip-{n}", limit=5, period=60) for n in range(3)]
    client.config_resetstat()
    assert ratelimit.count_each(*((limit, "k") for limit in limits)) == [1, 1, 1]
    calls = _calls(client)
    assert (calls["multi"], calls["exec"], calls["set"], calls["incr"]) == (1, 1, 3, 3)
    for limit in limits:
        assert 0 < client.ttl(redis_cache.make_and_validate_key(limit._key("k"))) <= 60


def test_on_redis_a_connection_that_fails_is_dropped_and_the_count_made_again(
    redis_cache, monkeypatch
):
    from redis.connection import Connection
    from redis.exceptions import ConnectionError as RedisConnectionError

    send_packed_command = Connection.send_packed_command
    failed = []

    def failing_once(connection, *args, **kwargs):
        if not failed:
            failed.append(connection)
            raise RedisConnectionError("the connection was reset")
        return send_packed_command(connection, *args, **kwargs)

    monkeypatch.setattr(Connection, "send_packed_command", failing_once)
    limit = RateLimit("failing", limit=5, period=60)
    assert ratelimit.count_each((limit, "k")) == [1]
    assert len(failed) == 1
    assert failed[0]._sock is None  # dropped, not put back as it was
    monkeypatch.undo()
    assert ratelimit.count_each((limit, "k")) == [2]  # counted once, then once more


def test_on_redis_an_error_in_the_transaction_is_raised_and_leaves_the_connection_clean(
    redis_cache,
):
    import redis

    limit = RateLimit("not-a-count", limit=5, period=60)
    redis_key = redis_cache.make_and_validate_key(limit._key("k"))
    client = ratelimit._redis("any")
    client.set(redis_key, "text")  # INCR fails on it
    with pytest.raises(redis.ResponseError):
        ratelimit.count_each((limit, "k"))
    client.delete(redis_key)
    assert ratelimit.count_each((limit, "k")) == [1]
    assert redis_cache.get("after") is None  # the next command reads its own answer
