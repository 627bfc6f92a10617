"""core.cache.RedisCache: Django's Redis backend, keeping one redis-py client per pool."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import redis

from diseasemaps.core.cache import RedisCache

ROOT = Path(__file__).resolve().parents[2]


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


def test_one_redis_client_is_made_for_the_pool_and_kept_for_every_call(redis_cache, redis_url):
    backend = RedisCache(redis_url, {})
    made = _counting(backend)
    for _ in range(3):
        _use(backend)
    assert len(made) == 1
    client = backend._cache.get_client()
    assert client is backend._cache.get_client("test-cache:count", write=True)
    assert client.connection_pool is made[0]


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
