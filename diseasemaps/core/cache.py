"""
The shared cache on Redis: Django's backend, with one Redis client per connection pool.

Django makes a new `redis.Redis` for every cache operation, and each one builds its table of
several hundred command callbacks (about 60 µs, as long as the round trip to Redis itself).
A client holds no connection of its own (it takes one from the pool for each command) and is
safe to share between threads, so each pool's client is made once per process.
"""

from django.core.cache.backends import redis


class RedisCacheClient(redis.RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            # The pools live as long as the cache, so their ids are never reused for another.
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


class RedisCache(redis.RedisCache):
    """settings.CACHES' backend when CACHE_URL names Redis."""

    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = RedisCacheClient
