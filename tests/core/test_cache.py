"""The shared cache on Redis (core/cache.py): Django's backend, with one client per process."""

import json
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest
import redis

from diseasemaps.core.cache import RedisCache, RedisSerializer

ROOT = Path(__file__).resolve().parents[2]


def test_every_operation_goes_through_the_same_client(redis_url):
    cache = RedisCache(redis_url, {})
    cache.clear()
    client = cache._cache.get_client()
    cache.set("page", {"body": b"<html>"})
    cache.add("tag", "v1")
    cache.set("count", 1)
    assert cache.incr("count") == 2
    assert cache.get_many(["page", "tag"]) == {"page": {"body": b"<html>"}, "tag": "v1"}
    assert cache._cache.get_client(write=True) is client
    assert cache._cache.get_client("any-key") is client
    cache.clear()


def test_threads_share_the_client_and_each_gets_its_own_answers(redis_url):
    cache = RedisCache(redis_url, {})
    cache.clear()
    cache.set_many({f"key-{n}": n * 10 for n in range(8)})
    answers = {}

    def read(n: int) -> None:
        answers[n] = [cache.get(f"key-{n}") for _ in range(50)]

    threads = [threading.Thread(target=read, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert answers == {n: [n * 10] * 50 for n in range(8)}
    cache.clear()


def test_stored_values_read_back_as_they_were(redis_url):
    cache = RedisCache(redis_url, {})
    cache.clear()
    values = {"int": 42, "negative": -7, "flag": True, "text": "42", "page": {"body": b"\x80x"}}
    cache.set_many(values)
    assert cache.get_many(list(values)) == values
    assert cache.incr("int") == 43
    cache.clear()


def test_a_pickled_value_is_read_without_trying_it_as_an_integer(monkeypatch):
    from django.core.cache.backends import redis as django_redis

    tried = []
    monkeypatch.setattr(django_redis, "int", lambda data: tried.append(data) or 0, raising=False)
    serializer = RedisSerializer()
    assert serializer.loads(serializer.dumps({"body": b"<html>"})) == {"body": b"<html>"}
    assert tried == []
    serializer.loads(b"42")  # an integer is stored as it is, for INCR
    assert tried == [b"42"]


def test_a_read_of_one_key_or_many_gives_what_is_there_and_leaves_out_the_rest(redis_url):
    cache = RedisCache(redis_url, {})
    cache.clear()
    cache.set_many({"page": {"body": b"<html>"}, "tag": "v1", "count": 3})
    assert cache.get_many(["page", "missing", "tag", "count"]) == {
        "page": {"body": b"<html>"},
        "tag": "v1",
        "count": 3,
    }
    assert cache.get_many([]) == {}
    assert cache.get("page") == {"body": b"<html>"}
    assert cache.get("count") == 3
    assert cache.get("missing") is None
    assert cache.get("missing", "default") == "default"
    cache.set("nothing", None)
    assert cache.get("nothing", "default") is None  # stored as None, not missing
    cache.clear()


def test_a_connection_that_fails_during_a_read_is_dropped_and_the_read_made_again(
    redis_url, monkeypatch
):
    from redis.connection import Connection
    from redis.exceptions import ConnectionError as RedisConnectionError

    cache = RedisCache(redis_url, {})
    cache.clear()
    cache.set("page", "stored")
    send_command = Connection.send_command
    failed = []

    def failing_once(connection, *args, **kwargs):
        if args[0] == "MGET" and not failed:
            failed.append(connection)
            raise RedisConnectionError("the connection was reset")
        return send_command(connection, *args, **kwargs)

    monkeypatch.setattr(Connection, "send_command", failing_once)
    assert cache.get_many(["page"]) == {"page": "stored"}
    assert len(failed) == 1
    assert failed[0]._sock is None  # dropped, not put back as it was
    failed.clear()
    assert cache.get("page") == "stored"
    assert len(failed) == 1
    monkeypatch.undo()
    cache.clear()


def _counting(backend: RedisCache) -> list:
    """The clients the backend makes from now on."""
    made = []

    def client(**kwargs):
        made.append(kwargs["connection_pool"])
        return redis.Redis(**kwargs)

    backend._cache._client = client
    return made


def _use(backend: RedisCache) -> None:
    backend.set("test-cache:count", 1)
    assert backend.get("test-cache:count") == 1
    assert backend.incr("test-cache:count") == 2
    assert backend.get_many(["test-cache:count", "test-cache:none"]) == {"test-cache:count": 2}
    assert backend.add("test-cache:count", 5) is False
    backend.delete("test-cache:count")
    assert backend.get("test-cache:count") is None


def test_a_replica_for_reads_gets_a_client_of_its_own_kept_as_well(redis_cache, redis_url):
    backend = RedisCache(f"{redis_url},{redis_url}", {})  # a leader and one replica
    made = _counting(backend)
    for _ in range(3):
        _use(backend)
    writer, reader = backend._cache.get_client(write=True), backend._cache.get_client()
    assert writer is not reader
    assert len(made) == 2
    assert {id(pool) for pool in made} == {id(writer.connection_pool), id(reader.connection_pool)}


def _cache_settings(**environment) -> dict:
    code = "import json; from diseasemaps import settings as s; print(json.dumps(s.CACHES))"
    env = {**os.environ, "SECRET_KEY": "cache-test", **environment}
    result = subprocess.run(  # noqa: S603 (our own settings module)
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    )
    return json.loads(result.stdout)["default"]


@pytest.mark.parametrize(
    ("url", "backend"),
    [
        ("redis://127.0.0.1:6379/0", "diseasemaps.core.cache.RedisCache"),
        ("dbcache://diseasemaps_cache", "django.core.cache.backends.db.DatabaseCache"),
        ("locmemcache://", "django.core.cache.backends.locmem.LocMemCache"),
    ],
)
def test_settings_choose_our_redis_backend_for_a_redis_cache_url(url, backend):
    cache = _cache_settings(CACHE_URL=url)
    assert cache["BACKEND"] == backend
    if url.startswith("redis"):
        assert cache["LOCATION"] == url
        assert cache["OPTIONS"] == {"socket_connect_timeout": 1.0, "socket_timeout": 1.0}
